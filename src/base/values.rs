//! Cell values in the shapes people export: dates, times and amounts.
//!
//! Dates: `2025-05-24`, `2025/5/24 14:35:19`, `2025-05-24T14:35:19`, `2025.05.24`, `2025年5月24日 14时35分`,
//! `20250524`, `5/24/2025` and `24/05/2025` (day first when the first number cannot be a month), Excel
//! serial numbers (`45801`, `45801.6`), Unix seconds (10 digits) and milliseconds (13 digits).
//! Amounts: `1234.5`, `¥1,234.50`, `￥１２３`, `RMB 99`, `99元`, `-20`, `(20.00)`; kept as integer minor units (fen).

use crate::base::date::{Day, SECS_PER_DAY};

/// Excel's day zero (1899-12-30) in days since 1970-01-01.
const EXCEL_EPOCH: i64 = -25_569;

/// Replaces full-width ASCII variants (`１２３．５`, `：`, `－`) by their ASCII forms; other text is kept.
pub fn fold_width(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() || !text.chars().any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}') {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect::<String>()
        .into()
}

/// How to read `a/b/yyyy` dates, where the year comes last.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `5/24/2025`: month first (a first number above 12 is still read as a day).
    #[default]
    MonthFirst,
    /// `24/5/2025`: day first (a second number above 12 is still read as a day).
    DayFirst,
}

/// Parses a date or date-time into seconds since 1970-01-01 (naive local time), month-first for `a/b/yyyy`.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    parse_timestamp_with(text, DateOrder::MonthFirst)
}

/// `str::trim` that returns at once when the text neither starts nor ends with whitespace (most cells, Chinese
/// ones too): that check is inlined, the rest is in [`trim_cell_slow`].
#[inline(always)]
pub fn trim_cell(text: &str) -> &str {
    let b = text.as_bytes();
    match (b.first(), b.last()) {
        // The last byte of a multi-byte character is a continuation byte: a three-byte character (Chinese text)
        // is judged by its lead byte, three bytes from the end.
        (Some(&f), Some(&l)) if !space_lead(f) && (!space_lead(l) || b.len() >= 3 && three_byte_non_space(b[b.len() - 3])) => text,
        _ => trim_cell_slow(text),
    }
}

/// Whether a character that starts with byte `b` may be whitespace (`char::is_whitespace`): ASCII whitespace,
/// or the lead byte of U+0085, U+00A0 (`0xC2`), U+1680 (`0xE1`), U+2000–U+205F (`0xE2`) or U+3000 (`0xE3`).
/// A continuation byte (`0x80..0xC0`) counts as "may be", so only a character's first byte can clear it.
#[inline(always)]
pub fn space_lead(b: u8) -> bool {
    if b.is_ascii() {
        (b as char).is_whitespace()
    } else {
        b < 0xC0 || matches!(b, 0xC2 | 0xE1..=0xE3)
    }
}

/// Whether `b`, the lead byte of a three-byte character, starts one that is not whitespace.
#[inline(always)]
fn three_byte_non_space(b: u8) -> bool {
    (0xE0..=0xEF).contains(&b) && !(0xE1..=0xE3).contains(&b)
}

/// [`trim_cell`] for a cell that is empty or starts or ends with whitespace or a non-ASCII character.
#[inline(never)]
fn trim_cell_slow(text: &str) -> &str {
    if !text.is_empty() && !text.starts_with(char::is_whitespace) && !text.ends_with(char::is_whitespace) {
        text
    } else {
        text.trim()
    }
}

/// The value of two ASCII digits, or `None`.
fn two_digits(b: &[u8]) -> Option<u32> {
    let (t, u) = (b[0].wrapping_sub(b'0'), b[1].wrapping_sub(b'0'));
    (t < 10 && u < 10).then(|| u32::from(t) * 10 + u32::from(u))
}

/// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (or with `T`) exactly: the shape most exports use, read without the
/// general parser. Anything else, including out-of-range values, is left to it, so the results are the same.
fn parse_iso_fast(b: &[u8]) -> Option<i64> {
    if (b.len() != 10 && b.len() != 19) || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = two_digits(&b[0..2])? * 100 + two_digits(&b[2..4])?;
    let day = Day::from_ymd(year as i32, two_digits(&b[5..7])?, two_digits(&b[8..10])?)?;
    if b.len() == 10 {
        return Some(day.start());
    }
    if (b[10] != b' ' && b[10] != b'T') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, m, s) = (two_digits(&b[11..13])?, two_digits(&b[14..16])?, two_digits(&b[17..19])?);
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(day.start() + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s))
}

/// Parses a date or date-time, reading `a/b/yyyy` in the given order.
pub fn parse_timestamp_with(text: &str, order: DateOrder) -> Option<i64> {
    if let Some(t) = parse_iso_fast(text.as_bytes()) {
        return Some(t);
    }
    let folded = fold_width(text.trim());
    let t = folded.as_ref();
    if t.is_empty() {
        return None;
    }
    if t.bytes().all(|b| b.is_ascii_digit() || b == b'.') && t.bytes().filter(|&b| b == b'.').count() <= 1 {
        return parse_numeric_timestamp(t);
    }
    let mut nums = [0u32; 7];
    let mut count = 0;
    let mut cur: Option<u32> = None;
    let mut digits_of_first = 0;
    let mut fraction_started = false;
    for (i, ch) in t.char_indices() {
        if let Some(d) = ch.to_digit(10) {
            if fraction_started {
                continue; // Fractions of a second are dropped.
            }
            cur = Some(cur.unwrap_or(0).checked_mul(10)?.checked_add(d)?);
            if count == 0 {
                digits_of_first += 1;
            }
            continue;
        }
        if let Some(v) = cur.take() {
            if count == nums.len() {
                return None;
            }
            nums[count] = v;
            count += 1;
        }
        match ch {
            '-' | '/' | '.' | ' ' | ':' | 'T' | '年' | '月' | '日' | '号' | '时' | '分' | '秒' | '点' => {
                // A '.' after the seconds starts a fraction.
                if ch == '.' && count == 6 {
                    fraction_started = true;
                }
            }
            'Z' if i + 1 == t.len() => {}
            _ => return None,
        }
    }
    if let Some(v) = cur.take() {
        if count == nums.len() {
            return None;
        }
        nums[count] = v;
        count += 1;
    }
    if count < 3 {
        return None;
    }
    let (year, month, day) = if digits_of_first == 4 {
        (nums[0] as i32, nums[1], nums[2])
    } else if nums[2] >= 1000 {
        // Year last: in the column's order, unless the numbers only fit the other way.
        let day_first = match order {
            DateOrder::MonthFirst => nums[0] > 12,
            DateOrder::DayFirst => nums[1] <= 12,
        };
        if day_first {
            (nums[2] as i32, nums[1], nums[0])
        } else {
            (nums[2] as i32, nums[0], nums[1])
        }
    } else {
        return None;
    };
    let day = Day::from_ymd(year, month, day)?;
    let (h, m, s) = (nums[3], nums[4], nums[5]);
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(day.start() + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s))
}

/// A parsed time: as written on a wall clock, or an instant to convert into the data's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// Local seconds since 1970, taken as written (`2024-05-11 10:00:00`, `20240511`, an Excel serial day).
    Wall(i64),
    /// Seconds since 1970 UTC: `…Z`, `…+08:00`, Unix seconds (10 digits) or milliseconds (13 digits).
    Instant(i64),
}

impl Stamp {
    /// The local timestamp in `zone`.
    #[inline]
    pub fn local(self, zone: &crate::base::date::Zone) -> i64 {
        match self {
            Stamp::Wall(t) => t,
            Stamp::Instant(t) => zone.local(t),
        }
    }
}

/// Parses a date or date-time as [`parse_timestamp_with`] does, and says whether it names an instant: a `Z` or an
/// offset (`+08:00`, `+0800`, `-05`) after the time of day, or Unix seconds or milliseconds.
pub fn parse_stamp_with(text: &str, order: DateOrder) -> Option<Stamp> {
    if let Some(t) = parse_iso_fast(text.as_bytes()) {
        return Some(Stamp::Wall(t));
    }
    let t = text.trim();
    if (t.len() == 10 || t.len() == 13) && t.bytes().all(|b| b.is_ascii_digit()) {
        return parse_numeric_timestamp(t).map(Stamp::Instant);
    }
    let Some(colon) = t.find(':') else { return parse_timestamp_with(t, order).map(Stamp::Wall) };
    if let Some(rest) = t.strip_suffix('Z').or_else(|| t.strip_suffix('z')) {
        return parse_timestamp_with(rest, order).map(Stamp::Instant);
    }
    match t.rfind(['+', '-']).filter(|&i| i > colon) {
        Some(i) => {
            let offset = crate::base::date::offset_of(&t[i..])?;
            let wall = parse_timestamp_with(t[..i].trim_end(), order)?;
            Some(Stamp::Instant(wall - offset))
        }
        None => parse_timestamp_with(t, order).map(Stamp::Wall),
    }
}

fn parse_numeric_timestamp(t: &str) -> Option<i64> {
    let (int_part, frac_part) = match t.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (t, None),
    };
    if int_part.is_empty() {
        return None;
    }
    match (int_part.len(), frac_part) {
        (8, None) => {
            let y = int_part[0..4].parse().ok()?;
            let m = int_part[4..6].parse().ok()?;
            let d = int_part[6..8].parse().ok()?;
            Day::from_ymd(y, m, d).map(Day::start)
        }
        (10, None) => int_part.parse::<i64>().ok(),
        (13, None) => int_part.parse::<i64>().ok().map(|ms| ms.div_euclid(1000)),
        (5, _) => {
            // An Excel serial day, optionally with the time of day as a fraction.
            let serial: f64 = t.parse().ok()?;
            if !(20_000.0..=80_000.0).contains(&serial) {
                return None;
            }
            let days = serial.floor() as i64;
            let secs = ((serial - serial.floor()) * SECS_PER_DAY as f64).round() as i64;
            Some((days + EXCEL_EPOCH) * SECS_PER_DAY + secs)
        }
        _ => None,
    }
}

/// `[-]digits[.d[d]]` exactly (at most 15 integer digits): the shape most exports use, read without the general
/// parser, with the same result.
fn parse_plain_amount(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let (negative, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let (int, frac) = match b.iter().position(|&c| c == b'.') {
        Some(dot) => (&b[..dot], &b[dot + 1..]),
        None => (b, &[][..]),
    };
    if int.is_empty() || int.len() > 15 || frac.len() > 2 {
        return None;
    }
    let mut units: i64 = 0;
    for &c in int {
        let d = c.wrapping_sub(b'0');
        if d >= 10 {
            return None;
        }
        units = units * 10 + i64::from(d);
    }
    let mut cents = 0;
    for i in 0..2 {
        let d = match frac.get(i) {
            Some(&c) if c.is_ascii_digit() => i64::from(c - b'0'),
            Some(_) => return None,
            None => 0,
        };
        cents = cents * 10 + d;
    }
    let total = units * 100 + cents;
    Some(if negative { -total } else { total })
}

/// The largest amount one order row may carry, in minor units: 10 trillion yuan (10^15 fen). A row beyond it is
/// refused, so that sums of a member's orders stay far inside `i64` (and are checked all the same).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// An amount from which an order is flagged in the quality report as implausible for a member's purchase (100
/// million yuan, 10^10 fen): loaded, but listed so a unit or decimal-point mistake is seen.
pub const LARGE_AMOUNT: i64 = 10_000_000_000;

/// Whether `text`, which [`parse_amount`] refused or which parsed beyond [`MAX_AMOUNT`], is a number too large to
/// be an amount (as opposed to text that is not a number at all).
pub fn amount_out_of_range(text: &str) -> bool {
    let folded = fold_width(text.trim());
    let t: String = folded.chars().filter(|c| !matches!(c, ',' | '¥' | '￥' | '$' | '元' | ' ')).collect();
    t.parse::<f64>().is_ok_and(|v| v.is_finite() && v.abs() * 100.0 > MAX_AMOUNT as f64)
}

/// Parses a money amount into minor units (hundredths), rounding half away from zero past two decimals.
pub fn parse_amount(text: &str) -> Option<i64> {
    if let Some(v) = parse_plain_amount(text) {
        return Some(v);
    }
    let folded = fold_width(text.trim());
    let mut t = folded.trim();
    let mut negative = false;
    if t.starts_with('(') && t.ends_with(')') {
        negative = true;
        t = t[1..t.len() - 1].trim();
    }
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest.trim_start();
    } else if let Some(rest) = t.strip_prefix('+') {
        t = rest.trim_start();
    }
    for prefix in ["¥", "￥", "$", "RMB", "CNY", "USD", "HK$", "€", "£"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim_start();
            break;
        }
    }
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest.trim_start();
    }
    for suffix in ["元", "RMB", "CNY"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.trim_end();
            break;
        }
    }
    if t.is_empty() {
        return None;
    }
    let (int_part, frac_part) = match t.split_once('.') {
        Some((a, b)) => (a, b),
        None => (t, ""),
    };
    if !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut units: i64 = 0;
    let mut digits = 0;
    let groups: Vec<&str> = int_part.split(',').collect();
    for (i, group) in groups.iter().enumerate() {
        // Thousands separators must sit between groups of three digits.
        let well_formed = if groups.len() == 1 {
            !group.is_empty()
        } else if i == 0 {
            (1..=3).contains(&group.len())
        } else {
            group.len() == 3
        };
        if !well_formed || !group.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        for b in group.bytes() {
            units = units.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    let mut frac = frac_part.bytes().map(|b| i64::from(b - b'0'));
    let cents = frac.next().unwrap_or(0) * 10 + frac.next().unwrap_or(0);
    let round_up = frac.next().is_some_and(|d| d >= 5);
    let total = units.checked_mul(100)?.checked_add(cents + i64::from(round_up))?;
    Some(if negative { -total } else { total })
}

/// Formats minor units as a decimal amount with two places (`-1234.50`).
pub fn format_amount(units: i64) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The one way a number is written for people and files: without a trailing `.0`, with at most 6 decimals
/// (`1.5`, `3`, `0.333333`); `-0` is `0`. Money held in minor units is written by [`format_amount`].
pub fn format_number(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_say_which_times_are_instants() {
        let p = |t: &str| parse_stamp_with(t, DateOrder::MonthFirst);
        let wall = parse_timestamp("2024-05-11 10:00:00").unwrap();
        assert_eq!(p("2024-05-11 10:00:00"), Some(Stamp::Wall(wall)));
        assert_eq!(p("2024/5/11"), Some(Stamp::Wall(parse_timestamp("2024-05-11").unwrap())));
        assert_eq!(p("2024-05-11T10:00:00+08:00"), Some(Stamp::Instant(wall - 8 * 3600)));
        assert_eq!(p("2024-05-11T10:00:00.123+0800"), Some(Stamp::Instant(wall - 8 * 3600)));
        assert_eq!(p("2024-05-11 10:00:00 -05:00"), Some(Stamp::Instant(wall + 5 * 3600)));
        assert_eq!(p("2024-05-11T10:00:00Z"), Some(Stamp::Instant(wall)));
        assert_eq!(p("1715392800"), Some(Stamp::Instant(1_715_392_800)));
        assert_eq!(p("1715392800123"), Some(Stamp::Instant(1_715_392_800)));
        assert_eq!(p("20240511"), Some(Stamp::Wall(parse_timestamp("2024-05-11").unwrap())));
        assert_eq!(p("2024-05-11T10:00:00+99:00"), None);
        assert_eq!(p("not a date"), None);
    }

    #[test]
    fn trim_cell_and_blank_cell_agree_with_str_trim_for_every_character() {
        let mut c = 0u32;
        while let Some(ch) = (c..=0x10FFFF).find_map(char::from_u32) {
            for cell in [format!("{ch}"), format!("a{ch}"), format!("{ch}a"), format!("{ch}{ch}"), format!("会{ch}"), format!("{ch}会")] {
                assert_eq!(trim_cell(&cell), cell.trim(), "U+{:04X} in {cell:?}", ch as u32);
                assert_eq!(crate::ingest::records::blank_cell(&cell), cell.trim().is_empty(), "U+{:04X}", ch as u32);
            }
            c = ch as u32 + 1;
        }
        assert_eq!((trim_cell(""), trim_cell(" 会员 "), trim_cell("\u{3000}会员")), ("", "会员", "会员"));
    }

    fn ts(y: i32, m: u32, d: u32, h: i64, mi: i64, s: i64) -> i64 {
        Day::from_ymd(y, m, d).unwrap().start() + h * 3600 + mi * 60 + s
    }

    #[test]
    fn dates_in_common_shapes() {
        let d = ts(2025, 5, 24, 0, 0, 0);
        for text in
            ["2025-05-24", "2025/5/24", "2025.05.24", "2025年5月24日", "20250524", "5/24/2025", "24/05/2025", "２０２５－０５－２４"]
        {
            assert_eq!(parse_timestamp(text), Some(d), "{text}");
        }
        let t = ts(2025, 5, 24, 14, 35, 19);
        for text in
            ["2025/5/24 14:35:19", "2025-05-24T14:35:19", "2025-05-24 14:35:19.123", "2025-05-24T14:35:19Z", "2025年5月24日 14时35分19秒"]
        {
            assert_eq!(parse_timestamp(text), Some(t), "{text}");
        }
        // The ISO shortcut agrees with the general reading (a leading space makes the general parser read it).
        for text in [
            "2025-05-24",
            "2025-05-24 14:35:19",
            "2025-05-24T14:35:19",
            "2024-02-29 23:59:60",
            "2025-02-29",
            "2025-05-24 24:00:00",
            "2025-05-24 14:35:1x",
            "2025-5-24 14:35:19",
        ] {
            assert_eq!(parse_timestamp(text), parse_timestamp(&format!(" {text}")), "{text}");
        }
        assert_eq!(parse_timestamp("45801"), Some(d));
        let march_fifth = ts(2025, 3, 5, 0, 0, 0);
        assert_eq!(parse_timestamp_with("05/03/2025", DateOrder::DayFirst), Some(march_fifth));
        assert_eq!(parse_timestamp_with("03/05/2025", DateOrder::MonthFirst), Some(march_fifth));
        assert_eq!(parse_timestamp("1748097319"), Some(1_748_097_319));
        assert_eq!(parse_timestamp("1748097319123"), Some(1_748_097_319));
        for bad in ["", "not-a-date", "2025-13-01", "2025-02-30", "12345", "2025-05-24 25:00"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn amounts_in_common_shapes() {
        let cases = [
            ("1234.5", 123_450),
            ("¥1,234.50", 123_450),
            ("￥１２３", 12_300),
            ("RMB 99", 9_900),
            ("99元", 9_900),
            ("-20", -2_000),
            ("¥-20", -2_000),
            ("(20.00)", -2_000),
            ("0.005", 1),
            ("3,000.00", 300_000),
        ];
        for (text, want) in cases {
            assert_eq!(parse_amount(text), Some(want), "{text}");
        }
        for bad in ["", "abc", "1,23", "12.3.4", "¥", "1e5"] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
        // The plain-shape shortcut agrees with the general reading, and leaves every other shape to it.
        for text in ["0", "-0", "7", "22.6", "22.60", "-126.81", "1.", "000123.4", "999999999999999.99", "-.5", ".5", "1.234", "1,234"] {
            let general = parse_amount(&format!(" {text} "));
            assert_eq!(parse_amount(text), general, "{text}");
            assert!(parse_plain_amount(text).is_none() || parse_plain_amount(text) == general, "{text}");
        }
        assert_eq!(format_amount(-123_450), "-1234.50");
        assert_eq!(format_amount(5), "0.05");
    }
}
