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

/// A file report in a snapshot (see `engine::snapshot`): every field in declaration order, enums as their JSON
/// names, and the texts that are `&'static str` here (format, encoding, problem codes) as text that reading maps
/// back onto the known values (an unknown one makes the snapshot damaged). The preview rows are not kept.
mod snapshot {
    use super::{ColumnReport, FileReport, Finding, Problem, ReasonCount};
    use crate::base::binary::{Reader, Writer};
    use crate::base::roles::Role;
    use crate::error::{Error, Result};
    use crate::ingest::decode::TextEncoding;
    use crate::ingest::infer::RoleSource;
    use crate::ingest::Format;

    const SOURCES: [RoleSource; 4] = [RoleSource::Header, RoleSource::Values, RoleSource::User, RoleSource::None];

    /// The known value equal to `text`.
    fn known(text: &str, values: impl IntoIterator<Item = &'static str>) -> Result<&'static str> {
        values.into_iter().find(|v| *v == text).ok_or_else(Error::snapshot_damaged)
    }

    fn code(text: &str) -> Result<&'static str> {
        known(text, crate::error::examples().into_iter().map(|e| e.code))
    }

    fn json<T: serde::Serialize>(w: &mut Writer, v: &T) {
        w.str(&serde_json::to_string(v).unwrap_or_default());
    }

    fn from_json<T: serde::de::DeserializeOwned>(r: &mut Reader) -> Result<T> {
        serde_json::from_str(&r.str()?).map_err(|_| Error::snapshot_damaged())
    }

    fn write_reasons(w: &mut Writer, list: &[ReasonCount]) {
        w.count(list.len());
        for x in list {
            w.str(x.code);
            w.u64(x.count);
        }
    }

    fn read_reasons(r: &mut Reader) -> Result<Vec<ReasonCount>> {
        (0..r.count()?).map(|_| Ok(ReasonCount { code: code(&r.str()?)?, count: r.u64()? })).collect()
    }

    fn write_problems(w: &mut Writer, list: &[Problem]) {
        w.count(list.len());
        for p in list {
            w.u64(p.line);
            w.count(p.column);
            w.str(&p.header);
            w.str(&p.value);
            w.str(p.code);
            w.str(&p.zh);
            w.str(&p.en);
            w.str(&p.file);
        }
    }

    fn write_findings(w: &mut Writer, list: &[Finding]) {
        w.count(list.len());
        for f in list {
            w.str(f.rule);
            w.bool(f.applied);
            w.u64(f.count);
            write_problems(w, &f.examples);
        }
    }

    fn read_findings(r: &mut Reader) -> Result<Vec<Finding>> {
        (0..r.count()?)
            .map(|_| Ok(Finding { rule: code(&r.str()?)?, applied: r.bool()?, count: r.u64()?, examples: read_problems(r)? }))
            .collect()
    }

    fn read_problems(r: &mut Reader) -> Result<Vec<Problem>> {
        (0..r.count()?)
            .map(|_| {
                Ok(Problem {
                    line: r.u64()?,
                    column: r.u64()? as usize,
                    header: r.str()?,
                    value: r.str()?,
                    code: code(&r.str()?)?,
                    zh: r.str()?,
                    en: r.str()?,
                    file: r.str()?,
                })
            })
            .collect()
    }

    impl FileReport {
        /// Writes the report (without its preview rows).
        pub fn write(&self, w: &mut Writer) {
            w.str(&self.name);
            w.str(self.format);
            w.opt_str(self.sheet.as_deref());
            json(w, &self.kind);
            w.str(self.encoding);
            w.str(&self.delimiter);
            w.bool(self.has_header);
            json(w, &self.date_order);
            for n in [self.bytes, self.rows_read, self.rows_loaded, self.rows_skipped, self.blank_lines] {
                w.u64(n);
            }
            w.bool(self.malformed_text);
            w.opt_str(self.first_time.as_deref());
            w.opt_str(self.last_time.as_deref());
            w.u64(self.repeated_order_ids);
            w.u64(self.new_identifiers);
            w.count(self.columns.len());
            for c in &self.columns {
                w.count(c.index);
                w.str(&c.header);
                w.opt_str(c.role.map(|r| serde_json::to_string(&r).unwrap_or_default()).as_deref());
                w.u8(SOURCES.iter().position(|&s| s == c.source).map_or(u8::MAX, |p| p as u8));
                w.u64(c.empty);
                w.u64(c.empty_rate.to_bits());
            }
            write_reasons(w, &self.skipped_by_reason);
            write_problems(w, &self.problems);
            write_problems(w, &self.warnings);
            write_reasons(w, &self.warned_by_reason);
            w.u64(self.rows_dropped);
            write_findings(w, &self.findings);
            w.str(&self.time_zone);
        }

        /// Reads a report written by [`FileReport::write`].
        pub fn read(r: &mut Reader) -> Result<FileReport> {
            let bad = Error::snapshot_damaged;
            let name = r.str()?;
            let format = known(&r.str()?, [Format::Csv, Format::Jsonl, Format::Xlsx].map(Format::label))?;
            let sheet = r.opt_str()?;
            let kind = from_json(r)?;
            let encodings = [TextEncoding::Utf8, TextEncoding::Utf8Bom, TextEncoding::Gbk, TextEncoding::Utf16Le, TextEncoding::Utf16Be];
            let encoding = known(&r.str()?, std::iter::once("").chain(encodings.map(TextEncoding::label)))?;
            let delimiter = r.str()?;
            let has_header = r.bool()?;
            let date_order = from_json(r)?;
            let [bytes, rows_read, rows_loaded, rows_skipped, blank_lines] = [r.u64()?, r.u64()?, r.u64()?, r.u64()?, r.u64()?];
            let malformed_text = r.bool()?;
            let (first_time, last_time) = (r.opt_str()?, r.opt_str()?);
            let (repeated_order_ids, new_identifiers) = (r.u64()?, r.u64()?);
            let mut columns = Vec::new();
            for _ in 0..r.count()? {
                let index = r.u64()? as usize;
                let header = r.str()?;
                let role: Option<Role> = match r.opt_str()? {
                    Some(text) => Some(serde_json::from_str(&text).map_err(|_| bad())?),
                    None => None,
                };
                let source = *SOURCES.get(usize::from(r.u8()?)).ok_or_else(bad)?;
                let (empty, empty_rate) = (r.u64()?, f64::from_bits(r.u64()?));
                let (role_zh, role_en) = (role.map_or("", Role::zh), role.map_or("", Role::en));
                columns.push(ColumnReport { index, header, role, role_zh, role_en, source, empty, empty_rate });
            }
            Ok(FileReport {
                name,
                format,
                sheet,
                kind,
                encoding,
                delimiter,
                has_header,
                date_order,
                bytes,
                rows_read,
                rows_loaded,
                rows_skipped,
                blank_lines,
                malformed_text,
                first_time,
                last_time,
                repeated_order_ids,
                new_identifiers,
                columns,
                skipped_by_reason: read_reasons(r)?,
                problems: read_problems(r)?,
                warnings: read_problems(r)?,
                warned_by_reason: read_reasons(r)?,
                rows_dropped: r.u64()?,
                findings: read_findings(r)?,
                time_zone: r.str()?,
                preview: Vec::new(),
            })
        }
    }
}
