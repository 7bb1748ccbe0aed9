//! The error type of every fallible core operation: a stable code and a message in Chinese and English.

use serde::Serialize;
use std::fmt;

/// An error a user can read: `code` is stable for programs, `zh` and `en` are for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Error {
    /// A stable identifier such as `no_member_id`.
    pub code: &'static str,
    /// The message in Chinese.
    pub zh: String,
    /// The message in English.
    pub en: String,
}

impl Error {
    /// An error from a code and its two messages.
    pub fn new(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Error {
        Error { code, zh: zh.into(), en: en.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.en, self.zh)
    }
}

impl std::error::Error for Error {}

/// The result of a core operation.
pub type Result<T> = std::result::Result<T, Error>;
