//! Identifier kinds and the normalised forms of phone numbers and e-mail addresses, so the same person's
//! identifiers compare equal.

use serde::{Deserialize, Serialize};

/// The kinds of identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// Member card / member id (会员卡号).
    Member,
    /// Mobile phone, normalised to 11 digits for mainland numbers.
    Phone,
    /// WeChat unionid.
    UnionId,
    /// WeChat openid.
    OpenId,
    /// Device id (IDFA, OAID, cookie …).
    Device,
    /// E-mail address, lower-cased.
    Email,
}

impl IdKind {
    /// Every kind.
    pub const ALL: [IdKind; 6] = [IdKind::Member, IdKind::Phone, IdKind::UnionId, IdKind::OpenId, IdKind::Device, IdKind::Email];

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        ["会员卡号", "手机号", "UnionID", "OpenID", "设备ID", "邮箱"][self as usize]
    }

    /// The English name.
    pub fn en(self) -> &'static str {
        ["Member ID", "Phone", "UnionID", "OpenID", "Device ID", "E-mail"][self as usize]
    }

    /// Normalises a raw value of this kind; `None` when it is empty or not a valid value.
    pub fn normalise(self, raw: &str) -> Option<String> {
        self.normalise_cow(raw).map(std::borrow::Cow::into_owned)
    }

    /// [`IdKind::normalise`] without copying a value that is already normal (a trimmed card or device id, a phone
    /// that is all digits).
    pub fn normalise_cow(self, raw: &str) -> Option<std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        let t = crate::base::values::trim_cell(raw);
        if t.is_empty() {
            return None;
        }
        match self {
            IdKind::Phone if is_plain_phone(t) => Some(Cow::Borrowed(t)),
            IdKind::Phone => normalise_phone(t).map(Cow::Owned),
            IdKind::Email => normalise_email(t).map(Cow::Owned),
            _ => Some(Cow::Borrowed(t)),
        }
    }
}

/// Normalises a phone number. Mainland mobile numbers become their 11 digits (`+86 138-0013-8000` →
/// `13800138000`, also `0086…`, `86…` and full-width digits); other numbers keep their digits with a leading `+`
/// when they had a country code. Text with fewer than 5 digits is not a phone number.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let folded = crate::base::values::fold_width(raw.trim());
    let t = folded.trim();
    // Excel sometimes writes phone numbers as floats.
    let t = t.strip_suffix(".0").unwrap_or(t);
    let plus = t.starts_with('+');
    let mut digits: String = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '(' | ')' | '+' | '.' | '/' => {}
            _ => return None,
        }
    }
    if digits.len() < 5 {
        return None;
    }
    if plus && !digits.starts_with("86") {
        return Some(format!("+{digits}"));
    }
    let national = if let Some(rest) = digits.strip_prefix("0086") {
        rest
    } else if digits.len() == 13 && digits.starts_with("86") {
        &digits[2..]
    } else {
        &digits
    };
    if national.len() == 11 && national.starts_with('1') {
        return Some(national.to_string());
    }
    Some(if plus { format!("+{digits}") } else { digits })
}

/// Whether `normalise_phone` keeps this text as it is: 5 or more ASCII digits with no country prefix to drop.
pub fn is_plain_phone(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() >= 5 && b.iter().all(u8::is_ascii_digit) && !b.starts_with(b"0086") && !(b.len() == 13 && b.starts_with(b"86"))
}

/// Lower-cases and trims an e-mail address; `None` when it has no `@`.
pub fn normalise_email(raw: &str) -> Option<String> {
    let t = raw.trim().to_lowercase();
    (t.contains('@') && !t.starts_with('@') && !t.ends_with('@')).then_some(t)
}

/// Whether a cell looks like a mainland mobile number (for proposing a column's role from its values).
pub fn looks_like_mobile(raw: &str) -> bool {
    let t = raw.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    (11..=14).contains(&digits) && normalise_phone(t).is_some_and(|p| p.len() == 11 && p.starts_with('1') && p.as_bytes()[1] >= b'3')
}

/// Identifier values that stand for "nobody" in exports: a guest checkout, an anonymous visitor, an empty
/// value written out, a zero or minus one. Compared after trimming and lower-casing (ASCII).
pub const PLACEHOLDER_IDS: &[&str] = &[
    "guest",
    "visitor",
    "anonymous",
    "unknown",
    "none",
    "null",
    "nil",
    "na",
    "n/a",
    "#n/a",
    "undefined",
    "-",
    "0",
    "-1",
    "匿名",
    "游客",
    "访客",
    "散客",
    "未知",
    "无",
];

/// Whether a (normalised) identifier value is a placeholder of [`PLACEHOLDER_IDS`] (also `0000`, `-0`, `0.0`).
pub fn is_placeholder_id(value: &str) -> bool {
    let t = value.trim();
    if t.len() <= 12 && PLACEHOLDER_IDS.iter().any(|p| p.eq_ignore_ascii_case(t)) {
        return true;
    }
    let digits = t.strip_prefix('-').unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b == b'0' || b == b'.') && digits.bytes().any(|b| b == b'0')
}

/// Whether a value is integer id text as a spreadsheet keeps it: ASCII digits, no leading zero (`0` alone aside).
pub fn is_integer_text(value: &str) -> bool {
    let b = value.as_bytes();
    !b.is_empty() && b.len() <= 19 && b.iter().all(u8::is_ascii_digit) && (b[0] != b'0' || b.len() == 1)
}

/// The integer text of an id a spreadsheet turned into a number: `10000707.0` → `10000707`, `1.0000707E+7` →
/// `10000707`. `None` for anything else (plain integers, a value with a leading zero, a fraction, text).
pub fn integer_form(value: &str) -> Option<String> {
    let (mantissa, exponent) = match value.find(['e', 'E']) {
        Some(i) => (&value[..i], value[i + 1..].strip_prefix('+').unwrap_or(&value[i + 1..]).parse::<i32>().ok()?),
        None => (value, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if exponent == 0 && frac.is_empty() {
        return None; // Already integer text (or a leading-zero id, which stays as written).
    }
    if int.len() > 1 && int.starts_with('0') || !(0..=18).contains(&exponent) {
        return None;
    }
    // Shift the point `exponent` places right; what is left after it must be zeros.
    let shift = exponent as usize;
    let digits: String = int.chars().chain(frac.chars()).collect();
    let point = int.len() + shift;
    let (whole, rest) = if point >= digits.len() {
        (format!("{digits}{}", "0".repeat(point - digits.len())), String::new())
    } else {
        (digits[..point].to_string(), digits[point..].to_string())
    };
    if !rest.bytes().all(|b| b == b'0') {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    Some(if whole.is_empty() { "0".to_string() } else { whole.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_numbers_become_integer_text() {
        assert_eq!(integer_form("10000707.0").as_deref(), Some("10000707"));
        assert_eq!(integer_form("1.0000707E+7").as_deref(), Some("10000707"));
        assert_eq!(integer_form("1.0000707e7").as_deref(), Some("10000707"));
        assert_eq!(integer_form("123.00").as_deref(), Some("123"));
        assert_eq!(integer_form("123"), None);
        assert_eq!(integer_form("00123.0"), None, "leading zeros are never touched");
        assert_eq!(integer_form("123.5"), None);
        assert_eq!(integer_form("1.23456E+2"), None);
        assert_eq!(integer_form("A123.0"), None);
        assert!(is_integer_text("123") && is_integer_text("0") && !is_integer_text("0123") && !is_integer_text("12a"));
        for p in ["guest", "GUEST", "匿名", "游客", "null", "NA", "0", "-1", "000", " n/a "] {
            assert!(is_placeholder_id(p), "{p}");
        }
        for real in ["10", "1001", "guestbook", "Anna", "-12"] {
            assert!(!is_placeholder_id(real), "{real}");
        }
    }

    #[test]
    fn phones() {
        for raw in [
            "+86 138-0013-8000",
            "13800138000",
            "0086 13800138000",
            "86-138 0013 8000",
            "１３８００１３８０００",
            "138 0013 8000",
            "13800138000.0",
        ] {
            assert_eq!(normalise_phone(raw).as_deref(), Some("13800138000"), "{raw}");
        }
        assert_eq!(normalise_phone("+1 (415) 555-0100").as_deref(), Some("+14155550100"));
        assert_eq!(normalise_phone("021-6888-1234").as_deref(), Some("02168881234"));
        assert_eq!(normalise_phone("n/a"), None);
        assert_eq!(normalise_phone("123"), None);
        for plain in ["13800138000", "02168881234", "12345", "8613800138000", "008613800138000", "1234", "861380013800"] {
            assert!(!is_plain_phone(plain) || normalise_phone(plain).as_deref() == Some(plain), "{plain}");
        }
        assert!(is_plain_phone("13800138000") && !is_plain_phone("8613800138000") && !is_plain_phone("1234"));
        assert!(looks_like_mobile("138-0013-8000"));
        assert!(!looks_like_mobile("12345678901"));
        assert!(!looks_like_mobile("20250524"));
    }

    #[test]
    fn emails() {
        assert_eq!(normalise_email(" Li.Na@Example.COM ").as_deref(), Some("li.na@example.com"));
        assert_eq!(normalise_email("nobody"), None);
    }
}
