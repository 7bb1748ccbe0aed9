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

#[cfg(test)]
mod tests {
    use super::*;

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
