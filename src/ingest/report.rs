//! What reading a file found: counts, the column mapping and the first problems, with line and column.

use super::mapping::{FileKind, Role};
use serde::Serialize;

/// How many problem examples a report keeps.
pub const MAX_EXAMPLES: usize = 20;

/// One row that could not be read.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// The line the row starts on (1-based; the header is line 1).
    pub line: u64,
    /// The column (1-based).
    pub column: usize,
    /// The column's header.
    pub header: String,
    /// The cell's text (cut to 100 characters).
    pub value: String,
    /// A stable code such as `bad_amount`.
    pub code: &'static str,
    /// The message in Chinese.
    pub zh: String,
    /// The message in English.
    pub en: String,
}

/// How many rows were skipped for one reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReasonCount {
    /// The problem code.
    pub code: &'static str,
    /// How many rows.
    pub count: u64,
}

/// One column of a file and the role it was given.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnReport {
    /// 0-based position.
    pub index: usize,
    /// The header text.
    pub header: String,
    /// The role, or `None` when the column is not used.
    pub role: Option<Role>,
    /// The role's Chinese name.
    pub role_zh: &'static str,
    /// The role's English name.
    pub role_en: &'static str,
}

/// The report of one loaded file.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    /// The file name.
    pub name: String,
    /// What the file holds.
    pub kind: FileKind,
    /// The text encoding.
    pub encoding: &'static str,
    /// The field delimiter.
    pub delimiter: String,
    /// The file size in bytes.
    pub bytes: u64,
    /// Data rows read (the header and blank lines excluded).
    pub rows_read: u64,
    /// Rows loaded.
    pub rows_loaded: u64,
    /// Rows skipped because a required value could not be read.
    pub rows_skipped: u64,
    /// Blank lines ignored.
    pub blank_lines: u64,
    /// Rows of a member file that repeat a member already listed (the later row wins).
    pub duplicate_members: u64,
    /// Whether some bytes were invalid in the encoding and replaced by U+FFFD.
    pub malformed_text: bool,
    /// The columns and their roles.
    pub columns: Vec<ColumnReport>,
    /// Skipped rows by reason.
    pub skipped_by_reason: Vec<ReasonCount>,
    /// The first skipped rows.
    pub problems: Vec<Problem>,
}

impl FileReport {
    /// Records a skipped row.
    pub fn skip(&mut self, problem: Problem) {
        self.rows_skipped += 1;
        match self.skipped_by_reason.iter_mut().find(|r| r.code == problem.code) {
            Some(r) => r.count += 1,
            None => self.skipped_by_reason.push(ReasonCount { code: problem.code, count: 1 }),
        }
        if self.problems.len() < MAX_EXAMPLES {
            self.problems.push(problem);
        }
    }
}
