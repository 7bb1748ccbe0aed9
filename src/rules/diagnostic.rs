//! Diagnostics: what is wrong in a rule, where (a span), and what to do about it, in Chinese and English.
//!
//! Spans are byte ranges into the text that was compiled. [`Diagnostic::locate`] turns them into the line and
//! column a person reads (1-based, counted in characters) and the UTF-16 offsets a browser editor needs.

pub use crate::base::suggest::{did_you_mean, edit_distance};
use serde::Serialize;

/// A byte range `start..end` in the compiled text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: start as u32, end: end as u32 }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// How bad a diagnostic is: an error stops the tag from being evaluated, a warning does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The rule cannot run.
    Error,
    /// The rule runs but probably does not mean what was intended.
    Warning,
}

/// One problem in a rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// A stable code such as `unknown_name`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// Where, in the compiled text.
    pub span: Span,
    /// The message in Chinese.
    pub zh: String,
    /// The message in English.
    pub en: String,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: &'static str, span: Span, zh: impl Into<String>, en: impl Into<String>) -> Diagnostic {
        Diagnostic { code, severity: Severity::Error, span, zh: zh.into(), en: en.into() }
    }

    /// A warning.
    pub fn warning(code: &'static str, span: Span, zh: impl Into<String>, en: impl Into<String>) -> Diagnostic {
        Diagnostic { code, severity: Severity::Warning, span, zh: zh.into(), en: en.into() }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Where the span is, in the terms of `text` (the text that was compiled).
    pub fn locate(&self, text: &str) -> Location {
        let (line, col, start16) = position(text, self.span.start as usize);
        let (end_line, end_col, end16) = position(text, self.span.end as usize);
        Location { line, col, end_line, end_col, start16, end16 }
    }
}

/// A span in the terms people and editors use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based column of the start, in characters.
    pub col: u32,
    /// 1-based line of the end.
    pub end_line: u32,
    /// 1-based column just past the end, in characters.
    pub end_col: u32,
    /// The start as a UTF-16 offset from the beginning of the text (what a browser `<textarea>` counts).
    pub start16: u32,
    /// The end as a UTF-16 offset.
    pub end16: u32,
}

/// The line, column (both 1-based, characters) and UTF-16 offset of byte `at` in `text`.
fn position(text: &str, at: usize) -> (u32, u32, u32) {
    let at = at.min(text.len());
    let (mut line, mut col, mut u16) = (1u32, 1u32, 0u32);
    for (i, ch) in text.char_indices() {
        if i >= at {
            break;
        }
        u16 += ch.len_utf16() as u32;
        if ch == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line, col, u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_in_characters_and_utf16() {
        let text = "tag 甲 = x\n  美妆 > 😀 y";
        let at = text.find('y').unwrap();
        let d = Diagnostic::error("t", Span::new(at, at + 1), "", "");
        let loc = d.locate(text);
        assert_eq!((loc.line, loc.col, loc.end_col), (2, 10, 11));
        assert_eq!(loc.start16, text[..at].encode_utf16().count() as u32);
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(did_you_mean("monetery", ["monetary", "frequency"]), Some("monetary"));
        assert_eq!(did_you_mean("xyz", ["monetary"]), None);
        assert_eq!(did_you_mean("美妆达", ["美妆达人", "沉默会员"]), Some("美妆达人"));
    }
}
