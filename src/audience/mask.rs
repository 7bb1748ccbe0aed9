//! Masking and hashing for the command line's audience file. Masking is the activation export's
//! (`export::activation::mask`), so the file the CLI writes and the one the app downloads mask alike: phones keep
//! their first three and last four digits (`138****8000`), Chinese names their surname (`张*`); a hashed phone
//! is the lower-case hex MD5 or SHA-256 of the phone normalised as the identity graph normalises it (11 digits for
//! a mainland mobile: `+86 138-0013-8000` → `13800138000`).

use md5::Md5;
use sha2::{Digest, Sha256};

/// A digest for hashed identifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// MD5.
    Md5,
}

impl Hash {
    /// Parses `sha256` or `md5` (any case, `sha-256` too).
    pub fn parse(text: &str) -> Option<Hash> {
        match text.to_lowercase().replace('-', "").as_str() {
            "sha256" => Some(Hash::Sha256),
            "md5" => Some(Hash::Md5),
            _ => None,
        }
    }

    /// `sha256` or `md5`.
    pub fn key(self) -> &'static str {
        match self {
            Hash::Sha256 => "sha256",
            Hash::Md5 => "md5",
        }
    }

    /// The lower-case hex digest of `text`'s UTF-8 bytes.
    pub fn hex(self, text: &str) -> String {
        let bytes: Vec<u8> = match self {
            Hash::Sha256 => Sha256::digest(text.as_bytes()).to_vec(),
            Hash::Md5 => Md5::digest(text.as_bytes()).to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A phone with all but its first three and last four digits replaced by `*` (`138****8000`): the activation
/// export's rule ([`crate::export::activation::mask::mask_phone`]), so every export masks alike.
pub fn mask_phone(phone: &str) -> String {
    crate::export::activation::mask::mask_phone(phone)
}

/// A name masked by the activation export's rule (`张伟` → `张*`, `欧阳娜娜` → `欧阳**`, `Zhang Wei` → `Z***`).
pub fn mask_name(name: &str) -> String {
    crate::export::activation::mask::mask_name(name)
}

/// The hashed phone: the digest of the normalised phone (none when it is not a phone number).
pub fn hash_phone(raw: &str, hash: Hash) -> Option<String> {
    crate::identity::normalise_phone(raw).map(|p| hash.hex(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_known_digests() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("+86 138-0013-8000"), "138****8000");
        assert_eq!(mask_name("张伟"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧阳**");
        assert_eq!(mask_name("Li"), "L***");
        assert_eq!(mask_name(""), "");
        let sha = "a6942f9771d67f34034d2f1926988ed3fad3bf1b4e7cedb9a31f31398dea43bc";
        assert_eq!(hash_phone("+86 138-0013-8000", Hash::Sha256).as_deref(), Some(sha));
        assert_eq!(hash_phone("13800138000", Hash::Md5).as_deref(), Some("7945bd83237335e5376ff44d62e4f0ae"));
        assert_eq!(hash_phone("n/a", Hash::Md5), None);
    }
}
