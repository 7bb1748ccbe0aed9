//! Hashed identifiers for ad-platform audience upload (巨量引擎, 腾讯广告, Google Customer Match): the value is
//! normalised the way the platform normalises its own users' identifiers, then digested with MD5 or SHA-256
//! and written as lower-case hex. The normalisation per platform is documented in `docs/exports.md`.

use super::{ColumnKind, HashAlgo, PhoneForm};
use crate::base::ids::{normalise_email, normalise_phone};
use md5::Md5;
use sha2::{Digest, Sha256};

/// The text that is hashed for a cell of a column of the given kind, or `None` when nothing can be hashed:
/// - phones: see [`normalise_phone_for`];
/// - e-mail addresses: trimmed and lower-cased (`None` without a local part and a domain around `@`);
/// - any other kind (ids, names, plain text, numbers): trimmed, as written (`None` when empty).
pub fn normalise(raw: &str, kind: ColumnKind, form: PhoneForm) -> Option<String> {
    match kind {
        ColumnKind::Phone => normalise_phone_for(raw, form),
        ColumnKind::Email => normalise_email(raw),
        ColumnKind::Plain | ColumnKind::Number | ColumnKind::Id | ColumnKind::Name => {
            let t = raw.trim();
            (!t.is_empty()).then(|| t.to_string())
        }
    }
}

/// Whether a normalised phone is a mainland mobile number: 11 digits starting with `1`.
fn is_mainland_mobile(phone: &str) -> bool {
    phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|b| b.is_ascii_digit())
}

/// A phone in the form a platform hashes. The number is normalised first (digits only; `+86`, `0086` or `86`
/// before an 11-digit mainland mobile stripped; full-width digits folded), then:
/// - [`PhoneForm::National`]: the bare 11 digits of a mainland mobile (`+86 138-0013-8000` → `13800138000`);
///   landlines and foreign numbers give `None`.
/// - [`PhoneForm::E164`]: a mainland mobile gets `+86` (`13800138000` → `+8613800138000`); a number written with
///   its own `+` and country code keeps it (`+1 (415) 555-0100` → `+14155550100`); any other number gives `None`,
///   since its country is unknown.
pub fn normalise_phone_for(raw: &str, form: PhoneForm) -> Option<String> {
    let phone = normalise_phone(raw)?;
    match form {
        PhoneForm::National => is_mainland_mobile(&phone).then_some(phone),
        PhoneForm::E164 if is_mainland_mobile(&phone) => Some(format!("+86{phone}")),
        PhoneForm::E164 => {
            let digits = phone.strip_prefix('+')?;
            // E.164 allows at most 15 digits with the country code.
            (digits.len() <= 15 && !digits.starts_with('0')).then_some(phone)
        }
    }
}

/// The lower-case hex digest of UTF-8 text (`None` gives the text back unchanged).
pub fn digest_hex(algo: HashAlgo, text: &str) -> String {
    match algo {
        HashAlgo::None => text.to_string(),
        HashAlgo::Md5 => hex(&Md5::digest(text.as_bytes())),
        HashAlgo::Sha256 => hex(&Sha256::digest(text.as_bytes())),
    }
}

/// Lower-case hexadecimal.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_forms() {
        assert_eq!(normalise_phone_for("0086 138 0013 8000", PhoneForm::National).as_deref(), Some("13800138000"));
        assert_eq!(normalise_phone_for("13800138000", PhoneForm::E164).as_deref(), Some("+8613800138000"));
        assert_eq!(normalise_phone_for("+1 (415) 555-0100", PhoneForm::National), None);
        assert_eq!(normalise_phone_for("021-6888-1234", PhoneForm::E164), None);
    }

    #[test]
    fn digests() {
        // RFC 1321 and FIPS 180-2 test vectors.
        assert_eq!(digest_hex(HashAlgo::Md5, "abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(digest_hex(HashAlgo::Sha256, "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
