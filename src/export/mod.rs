//! Writing results for other tools: cells that spreadsheets cannot mistake for formulas, the loaded data as
//! normalised tables ([`tables`]) and the tag pack as warehouse SQL ([`sql`]).

pub mod activation;
pub mod members;
pub mod sql;
pub mod tables;

use std::borrow::Cow;

/// Neutralises a text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
/// return at the start) by prefixing a single quote, as OWASP recommends for CSV injection. Use it for
/// text columns only; numbers are written as numbers.
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+86 138"), "'+86 138");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("-1+2"), "'-1+2");
        assert_eq!(safe_cell("00123"), "00123");
        assert_eq!(safe_cell(""), "");
    }
}
