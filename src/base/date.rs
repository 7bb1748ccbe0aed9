//! Calendar arithmetic on naive local timestamps.
//!
//! The core never reads a clock: every date comes from the data or from the caller. A timestamp is the
//! number of seconds since 1970-01-01 00:00:00 in the data's own local time (no time zone is applied,
//! because order exports carry none), and a day is the number of whole days since that epoch.

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
}
