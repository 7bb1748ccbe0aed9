//! Calendar arithmetic on naive local timestamps.
//!
//! The core never reads a clock: every date comes from the data or from the caller. A timestamp is the
//! number of seconds since 1970-01-01 00:00:00 in the data's own local time, and a day is the number of whole
//! days since that epoch. Wall-clock times (`2024-05-11 10:00:00`) are taken as written; instants (with `Z` or
//! an offset, or Unix seconds and milliseconds) are converted into the data's [`Zone`].

use std::fmt;

/// Seconds in one day.
pub const SECS_PER_DAY: i64 = 86_400;

/// A calendar day, counted in days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Day {
    /// The day of a civil date, or `None` when the date does not exist (e.g. 2025-02-30) or its year is beyond
    /// four digits (no data means year 900020086).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
        if !(-9999..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Day(days_from_civil(year, month, day)))
    }

    /// The civil date `(year, month, day)` of this day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// The day a timestamp falls on.
    pub fn of_timestamp(ts: i64) -> Day {
        Day(ts.div_euclid(SECS_PER_DAY) as i32)
    }

    /// Midnight at the start of this day, as a timestamp.
    pub fn start(self) -> i64 {
        i64::from(self.0) * SECS_PER_DAY
    }

    /// The first second after this day: a time `ts` falls on or before this day exactly when `ts < day.end()`.
    /// The one test of "on or before the analysis date" that RFM, metrics and rules share.
    pub fn end(self) -> i64 {
        Day(self.0 + 1).start()
    }

    /// Parses `YYYY-MM-DD` exactly (the form used for the analysis date).
    pub fn parse_iso(text: &str) -> Option<Day> {
        let t = text.trim();
        let b = t.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = t[0..4].parse().ok()?;
        let month = t[5..7].parse().ok()?;
        let day = t[8..10].parse().ok()?;
        Day::from_ymd(year, month, day)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// Whether `year` is a leap year in the proleptic Gregorian calendar.
pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in a month of a year.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days algorithms, in 64-bit arithmetic so no year or day number
// can overflow (a day beyond the `i32` range saturates).
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let (m, d) = (i64::from(m), i64::from(d));
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = i64::from(z) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (y.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32, m as u32, d as u32)
}

/// `YYYY-MM-DD HH:MM:SS` of a naive timestamp.
pub fn format_timestamp(ts: i64) -> String {
    let day = Day::of_timestamp(ts);
    let secs = ts.rem_euclid(SECS_PER_DAY);
    format!("{day} {:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// The data's time zone: the UTC offset in force from each instant on (seconds since 1970 UTC), sorted. The
/// core holds no time zone database: the caller passes the offsets (the page probes the browser's zone with
/// `Date`, the command line reads a TZif file or takes a fixed offset), so any zone works in a few bytes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Zone {
    /// The zone's name as the caller gave it (`Asia/Shanghai`, `+08:00`, `UTC`).
    pub name: String,
    /// `[from, offset]`: from the instant `from` on (UTC seconds), local time is UTC plus `offset` seconds. The
    /// first entry's offset also applies before it; empty means UTC.
    pub offsets: Vec<[i64; 2]>,
}

impl Default for Zone {
    fn default() -> Zone {
        Zone::utc()
    }
}

impl Zone {
    /// Coordinated Universal Time.
    pub fn utc() -> Zone {
        Zone { name: "UTC".to_string(), offsets: Vec::new() }
    }

    /// A zone of one fixed offset in seconds east of UTC.
    pub fn fixed(name: &str, offset: i64) -> Zone {
        Zone { name: name.to_string(), offsets: vec![[FAR_PAST, offset]] }
    }

    /// Parses `UTC`, `Z`, `GMT`, `+08:00`, `+0800`, `+8`, `UTC+8` or `UTC-03:30` into a fixed zone.
    pub fn parse_fixed(text: &str) -> Option<Zone> {
        let t = text.trim();
        let rest = t.strip_prefix("UTC").or_else(|| t.strip_prefix("GMT")).unwrap_or(t);
        if rest.is_empty() || rest == "Z" {
            return Some(Zone::fixed(t, 0));
        }
        offset_of(rest).map(|o| Zone::fixed(t, o))
    }

    /// The offset in seconds in force at the UTC instant `utc`.
    pub fn offset_at(&self, utc: i64) -> i64 {
        match self.offsets.as_slice() {
            [] => 0,
            [only] => only[1],
            all => {
                let i = all.partition_point(|e| e[0] <= utc);
                all[i.saturating_sub(1)][1]
            }
        }
    }

    /// The local timestamp of the UTC instant `utc`.
    pub fn local(&self, utc: i64) -> i64 {
        utc.saturating_add(self.offset_at(utc))
    }
}

/// The `from` of a zone's first offset: JavaScript's smallest safe integer, so zones cross into the page exactly.
pub const FAR_PAST: i64 = -9_007_199_254_740_991;

/// Seconds of an offset written `+08:00`, `+0800`, `+08` or `+8` (sign required; at most 18 hours).
pub fn offset_of(text: &str) -> Option<i64> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    if h.is_empty() || h.len() > 2 || m.is_empty() || m.len() > 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 18 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_year_or_day_overflows() {
        assert_eq!(Day::from_ymd(900_020_086, 9, 5), None);
        assert_eq!(Day::from_ymd(i32::MIN, 1, 1), None);
        for z in [i32::MIN, i32::MIN + 1, -1, 0, i32::MAX - 1, i32::MAX] {
            let _ = Day(z).ymd();
            let _ = Day(z).to_string();
        }
        assert_eq!(Day::from_ymd(9999, 12, 31).map(|d| d.ymd()), Some((9999, 12, 31)));
        assert_eq!(Day::from_ymd(-9999, 1, 1).map(|d| d.ymd()), Some((-9999, 1, 1)));
        assert_eq!(Day::from_ymd(1970, 1, 1), Some(Day(0)));
    }

    #[test]
    fn round_trips_every_day_for_centuries() {
        for z in -200_000..200_000 {
            let (y, m, d) = Day(z).ymd();
            assert_eq!(Day::from_ymd(y, m, d), Some(Day(z)));
        }
    }

    #[test]
    fn known_days() {
        assert_eq!(Day::from_ymd(1970, 1, 1), Some(Day(0)));
        assert_eq!(Day::from_ymd(2000, 3, 1).unwrap().to_string(), "2000-03-01");
        assert_eq!(Day::from_ymd(2025, 2, 29), None);
        assert_eq!(Day::parse_iso("2024-02-29").unwrap().ymd(), (2024, 2, 29));
        assert_eq!(Day::parse_iso("2024-2-29"), None);
    }

    #[test]
    fn zones_convert_instants() {
        let sh = Zone::parse_fixed("+08:00").unwrap();
        assert_eq!(sh.local(0), 8 * 3600);
        assert_eq!(Zone::parse_fixed("UTC-03:30").unwrap().offset_at(0), -(3 * 3600 + 1800));
        assert_eq!(Zone::parse_fixed("+0545").unwrap().offset_at(0), 5 * 3600 + 45 * 60);
        assert_eq!(Zone::parse_fixed("Asia/Shanghai"), None);
        assert_eq!(Zone::utc().local(1234), 1234);
        // A zone with a summer offset from instant 1000 to 2000.
        let z = Zone { name: "x".into(), offsets: vec![[FAR_PAST, 3600], [1000, 7200], [2000, 3600]] };
        assert_eq!((z.local(999), z.local(1000), z.local(1999), z.local(2000)), (4599, 8200, 9199, 5600));
    }
}
