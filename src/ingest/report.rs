//! What reading a file found: counts, the column mapping, quality figures and the first problems.

use super::infer::RoleSource;
use crate::base::roles::{FileKind, Role};
use crate::base::values::DateOrder;
use serde::Serialize;

/// How many problem examples a report keeps.
pub const MAX_EXAMPLES: usize = 20;

/// One row that could not be read.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// The line the row starts on (1-based; the header is line 1). For a spreadsheet, the row number.
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
    /// The file, in the workspace's overall findings (empty in a file's own report).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub file: String,
}

impl Problem {
    /// A problem with the catalogue's error `error`, placed nowhere yet (set `line`, `column`, `header`, `value`).
    pub fn of(error: crate::error::Error) -> Problem {
        Problem {
            line: 0,
            column: 0,
            header: String::new(),
            value: String::new(),
            code: error.code,
            zh: error.zh,
            en: error.en,
            file: String::new(),
        }
    }
}

/// What one cleaning rule (docs/ingest.md, "Cleaning") found in a file, or across files.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The rule (`placeholder_id`, `duplicate_row`, …; the code of its examples).
    pub rule: &'static str,
    /// Whether the rule changed the data (its switch is on and it cleans), or only reports.
    pub applied: bool,
    /// How many rows (or values) it concerns.
    pub count: u64,
    /// The first examples, each with its line, column and value.
    pub examples: Vec<Problem>,
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

/// One column of a file, the role it was given and how often it is empty.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnReport {
    /// 0-based position.
    pub index: usize,
    /// The header text (generated as 列1, 列2 … for a file without a header row).
    pub header: String,
    /// The role, or `None` when the column is not used.
    pub role: Option<Role>,
    /// The role's Chinese name.
    pub role_zh: &'static str,
    /// The role's English name.
    pub role_en: &'static str,
    /// Where the role came from.
    pub source: RoleSource,
    /// Data rows whose cell in this column is empty.
    pub empty: u64,
    /// `empty` as a share of data rows read (0–1).
    pub empty_rate: f64,
}

/// The report of one loaded file.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    /// The file name.
    pub name: String,
    /// `csv`, `jsonl` or `xlsx`.
    pub format: &'static str,
    /// The sheet read, for a workbook.
    pub sheet: Option<String>,
    /// What the file holds.
    pub kind: FileKind,
    /// The text encoding (`""` for a workbook).
    pub encoding: &'static str,
    /// The field delimiter (`""` unless CSV).
    pub delimiter: String,
    /// Whether the first row was read as a header.
    pub has_header: bool,
    /// How `a/b/yyyy` dates were read.
    pub date_order: DateOrder,
    /// The file size in bytes.
    pub bytes: u64,
    /// Data rows read (the header and blank lines excluded).
    pub rows_read: u64,
    /// Rows loaded.
    pub rows_loaded: u64,
    /// Rows skipped (unreadable, or already loaded).
    pub rows_skipped: u64,
    /// Rows read but left out by the cleaning rules (placeholder ids, exact duplicates, implausible dates).
    pub rows_dropped: u64,
    /// Blank lines ignored.
    pub blank_lines: u64,
    /// Whether some bytes were invalid in the encoding and replaced by U+FFFD.
    pub malformed_text: bool,
    /// The earliest order or event time, `YYYY-MM-DD HH:MM:SS`.
    pub first_time: Option<String>,
    /// The latest order or event time.
    pub last_time: Option<String>,
    /// Order numbers that appear on more than one row of this file (order lines; all kept).
    pub repeated_order_ids: u64,
    /// Identifiers this file added to the workspace.
    pub new_identifiers: u64,
    /// The columns and their roles.
    pub columns: Vec<ColumnReport>,
    /// Skipped rows by reason.
    pub skipped_by_reason: Vec<ReasonCount>,
    /// The first skipped rows.
    pub problems: Vec<Problem>,
    /// Rows that were loaded but need a look (a quote never closed, an amount far beyond a shop's orders): the
    /// first few, each with its line and a message.
    pub warnings: Vec<Problem>,
    /// How many such rows there were, by code.
    pub warned_by_reason: Vec<ReasonCount>,
    /// What each cleaning rule found (only rules that found something).
    pub findings: Vec<Finding>,
    /// The time zone instants were converted into.
    pub time_zone: String,
    /// The first data rows as read, for a preview (not serialised with the report).
    #[serde(skip)]
    pub preview: Vec<Vec<String>>,
}

impl FileReport {
    /// An empty report for a file.
    pub fn new(name: &str, kind: FileKind) -> FileReport {
        FileReport {
            name: name.to_string(),
            format: "csv",
            sheet: None,
            kind,
            encoding: "",
            delimiter: String::new(),
            has_header: true,
            date_order: DateOrder::MonthFirst,
            bytes: 0,
            rows_read: 0,
            rows_loaded: 0,
            rows_skipped: 0,
            rows_dropped: 0,
            blank_lines: 0,
            malformed_text: false,
            first_time: None,
            last_time: None,
            repeated_order_ids: 0,
            new_identifiers: 0,
            columns: Vec::new(),
            skipped_by_reason: Vec::new(),
            problems: Vec::new(),
            warnings: Vec::new(),
            warned_by_reason: Vec::new(),
            findings: Vec::new(),
            time_zone: String::new(),
            preview: Vec::new(),
        }
    }

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

    /// Adds `count` rows found by `rule`, with an example when there is room.
    pub fn found(&mut self, rule: &'static str, applied: bool, count: u64, example: Option<Problem>) {
        let at = match self.findings.iter().position(|f| f.rule == rule) {
            Some(i) => i,
            None => {
                self.findings.push(Finding { rule, applied, count: 0, examples: Vec::new() });
                self.findings.len() - 1
            }
        };
        let f = &mut self.findings[at];
        f.count += count;
        if let Some(e) = example.filter(|_| f.examples.len() < MAX_EXAMPLES) {
            f.examples.push(e);
        }
    }

    /// Records a row that was loaded but needs a look; `count` rows of this kind (the problem is one of them).
    pub fn warn(&mut self, problem: Problem, count: u64) {
        match self.warned_by_reason.iter_mut().find(|r| r.code == problem.code) {
            Some(r) => r.count += count,
            None => self.warned_by_reason.push(ReasonCount { code: problem.code, count }),
        }
        if self.warnings.len() < MAX_EXAMPLES {
            self.warnings.push(problem);
        }
    }
}
