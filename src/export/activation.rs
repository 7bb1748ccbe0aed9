//! Activation exports of an audience (人群导出): the caller picks the columns and hands over one row of text cells
//! per member; out come the bytes of a CSV or XLSX file with personal data masked by default, identifiers hashed
//! for ad-platform upload when asked, and every text cell neutralised against formula injection.
//!
//! The rules (masking, hashing normalisation per platform, CSV encodings, which cells stay numbers) are
//! documented in `docs/exports.md`, section "Activation exports"; the submodules implement them:
//! masking ([`crate::base::mask`]), [`hash`], [`csv`] and [`xlsx`] (over a small ZIP writer, `container`). Nothing here reads a clock: the export log's time is passed in.

mod container;
pub mod csv;
pub mod hash;
pub mod xlsx;

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// What a column holds, which decides how it is masked, hashed and written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Any text: written as given (neutralised against formulas).
    #[default]
    Plain,
    /// A number: plain decimal numbers are written as numbers (an XLSX number cell; unquoted in CSV), anything
    /// else in the column as neutralised text.
    Number,
    /// A member key or other identifier: never masked; hashed trimmed when it is the hash column.
    Id,
    /// A phone number: masked as `138****8000`; hashed in the chosen [`PhoneForm`].
    Phone,
    /// A person's name: masked as `张*`, `欧阳**`, `Z***`.
    Name,
    /// An e-mail address: masked as `z***@example.com`; hashed trimmed and lower-cased.
    Email,
}

/// The digest for hashed identifiers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HashAlgo {
    /// No hashing.
    #[default]
    None,
    /// MD5, 32 lower-case hex digits.
    Md5,
    /// SHA-256, 64 lower-case hex digits.
    Sha256,
}

impl HashAlgo {
    /// `md5`, `sha256`, or `none`: the suffix of a hashed column's header.
    pub fn key(self) -> &'static str {
        match self {
            HashAlgo::None => "none",
            HashAlgo::Md5 => "md5",
            HashAlgo::Sha256 => "sha256",
        }
    }
}

/// The form a phone number takes before it is hashed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneForm {
    /// The bare 11-digit mainland mobile number (`13800138000`): 巨量引擎 (Ocean Engine) and 腾讯广告 (Tencent Ads).
    /// Other numbers cannot be hashed in this form.
    #[default]
    National,
    /// E.164 with `+` and the country code (`+8613800138000`): Google Customer Match. Mainland mobiles get `+86`;
    /// other numbers need their own `+` country code in the data.
    E164,
}

/// The file written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// Comma-separated text, RFC 4180 quoting, CRLF line ends.
    #[default]
    Csv,
    /// An Excel workbook with one sheet.
    Xlsx,
}

impl FileFormat {
    /// The file name extension without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }

    /// The media type for a download.
    pub fn mime(self) -> &'static str {
        match self {
            FileFormat::Csv => "text/csv",
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The text encoding of a CSV file (XLSX is always UTF-8 inside).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark, which Excel needs to not read the file as GBK.
    #[default]
    Utf8Bom,
    /// UTF-8 without a byte-order mark, for programs rather than spreadsheets (the command line's own files).
    Utf8,
    /// GBK (code page 936) for old Excel and tools that read only the system code page; characters GBK lacks
    /// (emoji, rare characters) become `?` and are counted.
    Gbk,
}

/// One column of the export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    /// The header written in the first row.
    pub header: String,
    /// What the column holds.
    #[serde(default)]
    pub kind: ColumnKind,
    /// Whether to hash this column when [`ExportOptions::hash`] is set. When no column asks, every
    /// [`ColumnKind::Phone`] column is hashed.
    #[serde(default)]
    pub hash: bool,
}

impl Column {
    /// A column with a header and a kind, not chosen for hashing.
    pub fn new(header: impl Into<String>, kind: ColumnKind) -> Column {
        Column { header: header.into(), kind, hash: false }
    }
}

fn yes() -> bool {
    true
}

/// How to write the file. Every field has a default, so `{}` is a masked UTF-8 CSV.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportOptions {
    /// Mask phones, names and e-mail addresses (on unless turned off).
    #[serde(default = "yes")]
    pub mask: bool,
    /// Hash the hash columns.
    #[serde(default)]
    pub hash: HashAlgo,
    /// The form of phone numbers before hashing.
    #[serde(default)]
    pub phone_form: PhoneForm,
    /// Leave out rows none of whose hash columns could be hashed (no usable phone, e-mail or id), as an upload
    /// file wants; counted in [`ExportReport::dropped`].
    #[serde(default)]
    pub drop_unhashable: bool,
    /// CSV or XLSX.
    #[serde(default)]
    pub format: FileFormat,
    /// The CSV encoding (ignored for XLSX).
    #[serde(default)]
    pub encoding: CsvEncoding,
    /// The XLSX sheet name (`Sheet1` when empty; characters Excel forbids become `_`, cut to 31 characters).
    #[serde(default)]
    pub sheet: String,
}

impl Default for ExportOptions {
    fn default() -> ExportOptions {
        ExportOptions {
            mask: true,
            hash: HashAlgo::None,
            phone_form: PhoneForm::National,
            drop_unhashable: false,
            format: FileFormat::Csv,
            encoding: CsvEncoding::Utf8Bom,
            sheet: String::new(),
        }
    }
}

/// The columns and the options of one export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportSpec {
    /// The columns in file order; every row has one cell per column.
    pub columns: Vec<Column>,
    /// How to write them.
    #[serde(default)]
    pub options: ExportOptions,
}

/// What an export did, for the message after a download and the export log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    /// Data rows written (the header row not counted).
    pub rows: u64,
    /// The headers as written (a hashed column's header ends in `_md5` or `_sha256`).
    pub headers: Vec<String>,
    /// The headers of the hashed columns, as written.
    pub hashed: Vec<String>,
    /// Hash-column cells left empty because the value could not be normalised (no phone, no `@`, empty).
    pub unhashable: u64,
    /// Rows left out by [`ExportOptions::drop_unhashable`].
    pub dropped: u64,
    /// Text cells that got a `'` prefix against formula injection.
    pub neutralised: u64,
    /// Characters written as `?` because GBK cannot encode them.
    pub unencodable: u64,
    /// XLSX cells cut at Excel's limit of 32,767 characters.
    pub truncated: u64,
    /// The file name extension, `csv` or `xlsx`.
    pub extension: String,
    /// The media type for the download.
    pub mime: String,
}

/// The written file and what went into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Counts for the user and the log.
    pub report: ExportReport,
}

/// One entry of the export log the page keeps in local storage: when (passed in, the core has no clock), which
/// audience, how many rows, which columns and how they were protected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportLogEntry {
    /// When the export was made, as the caller's clock says (ISO 8601, e.g. `2025-05-24T14:35:19+08:00`).
    pub at: String,
    /// The audience's name.
    pub audience: String,
    /// The audience's version or snapshot, when it has one.
    #[serde(default)]
    pub version: Option<String>,
    /// Data rows written.
    pub rows: u64,
    /// The headers as written.
    pub columns: Vec<String>,
    /// Whether phones, names and e-mail addresses were masked.
    pub mask: bool,
    /// The digest of the hashed columns.
    pub hash: HashAlgo,
    /// The phone form before hashing.
    pub phone_form: PhoneForm,
    /// The hashed columns' headers as written.
    pub hashed: Vec<String>,
    /// Rows left out because nothing in them could be hashed.
    pub dropped: u64,
    /// CSV or XLSX.
    pub format: FileFormat,
    /// The CSV encoding; `None` for XLSX.
    #[serde(default)]
    pub encoding: Option<CsvEncoding>,
}

impl ExportLogEntry {
    /// The log entry for an export made at `at` (the caller's time) of `audience`.
    pub fn new(at: impl Into<String>, audience: impl Into<String>, o: &ExportOptions, report: &ExportReport) -> ExportLogEntry {
        ExportLogEntry {
            at: at.into(),
            audience: audience.into(),
            version: None,
            rows: report.rows,
            columns: report.headers.clone(),
            mask: o.mask,
            hash: o.hash,
            phone_form: o.phone_form,
            hashed: report.hashed.clone(),
            dropped: report.dropped,
            format: o.format,
            encoding: (o.format == FileFormat::Csv).then_some(o.encoding),
        }
    }
}

/// One output cell, after masking and hashing: text (neutralised when written) or a number.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    /// Text, already neutralised.
    Text(String),
    /// A plain decimal number, as its text (`-12.5`).
    Number(String),
}

/// Where finished rows go: the CSV and XLSX writers.
pub(crate) trait Sink {
    /// Writes one row (the header row first).
    fn row(&mut self, cells: &[Cell], header: bool, report: &mut ExportReport) -> Result<()>;
    /// Finishes the file.
    fn finish(self: Box<Self>, report: &mut ExportReport) -> Result<Vec<u8>>;
}

/// Writes an export: the header row from `spec.columns`, then one row per item of `rows` (each with exactly one
/// cell per column), masked, hashed and neutralised as `spec.options` says.
pub fn export_rows<I, R, S>(spec: &ExportSpec, rows: I) -> Result<Export>
where
    I: IntoIterator<Item = R>,
    R: AsRef<[S]>,
    S: AsRef<str>,
{
    export_cells(spec, rows)
}

/// A cell handed to an export: its text and, optionally, a kind that overrides its column's when masking.
pub trait ExportCell {
    /// The cell's text before masking, hashing and neutralising.
    fn text(&self) -> &str;
    /// The kind to mask it as, when not its column's.
    fn kind(&self) -> Option<ColumnKind> {
        None
    }
}

impl<S: AsRef<str>> ExportCell for S {
    fn text(&self) -> &str {
        self.as_ref()
    }
}

/// A cell with its own kind (see [`export_cells`]).
pub struct KindedCell(pub String, pub Option<ColumnKind>);

impl ExportCell for KindedCell {
    fn text(&self) -> &str {
        &self.0
    }
    fn kind(&self) -> Option<ColumnKind> {
        self.1
    }
}

/// [`export_rows`] over cells that may carry a kind overriding their column's when masking: a member key column
/// holds member ids, but a person known only by a phone or an e-mail is keyed by it, and that cell is masked as one.
pub fn export_cells<I, R, C>(spec: &ExportSpec, rows: I) -> Result<Export>
where
    I: IntoIterator<Item = R>,
    R: AsRef<[C]>,
    C: ExportCell,
{
    let plan = Plan::new(spec)?;
    let opts = &spec.options;
    let mut report = ExportReport {
        headers: plan.headers.clone(),
        hashed: plan.hashed_headers(),
        extension: opts.format.extension().into(),
        mime: opts.format.mime().into(),
        ..ExportReport::default()
    };
    let mut sink: Box<dyn Sink> = match opts.format {
        FileFormat::Csv => Box::new(csv::CsvSink::new(opts.encoding)),
        FileFormat::Xlsx => Box::new(xlsx::XlsxSink::new(&opts.sheet, spec.columns.len())?),
    };
    let header: Vec<Cell> = plan.headers.iter().map(|h| text_cell(h, &mut report)).collect();
    sink.row(&header, true, &mut report)?;
    let mut cells = Vec::with_capacity(plan.columns.len());
    for (index, row) in rows.into_iter().enumerate() {
        let row = row.as_ref();
        if row.len() != plan.columns.len() {
            return Err(Error::export_row_width(index + 1, row.len(), plan.columns.len()));
        }
        cells.clear();
        let mut hashed_any = false;
        let mut unhashable = 0;
        for (column, given) in plan.columns.iter().zip(row) {
            let raw = given.text();
            let masked_kind = given.kind().filter(|k| opts.mask && column.treatment == Treatment::Text && is_personal(*k));
            let cell = match (column.treatment, masked_kind) {
                (Treatment::Hash, _) => match hash::normalise(raw, column.kind, opts.phone_form) {
                    Some(value) => {
                        hashed_any = true;
                        Cell::Text(hash::digest_hex(opts.hash, &value))
                    }
                    None => {
                        unhashable += 1;
                        Cell::Text(String::new())
                    }
                },
                (_, Some(kind)) => text_cell(&mask_cell(raw, kind), &mut report),
                (Treatment::Mask, _) => text_cell(&mask_cell(raw, column.kind), &mut report),
                (Treatment::Number, _) if is_plain_number(raw) => Cell::Number(raw.to_string()),
                (Treatment::Number | Treatment::Text, _) => text_cell(raw, &mut report),
            };
            cells.push(cell);
        }
        if opts.drop_unhashable && plan.hashing && !hashed_any {
            report.dropped += 1;
            continue;
        }
        report.unhashable += unhashable;
        sink.row(&cells, false, &mut report)?;
        report.rows += 1;
    }
    let bytes = sink.finish(&mut report)?;
    Ok(Export { bytes, report })
}

/// Masks a cell of a column of the given kind; kinds that hold no personal data come back unchanged.
fn mask_cell(raw: &str, kind: ColumnKind) -> String {
    use crate::base::mask::{mask_email, mask_name, mask_phone};
    match kind {
        ColumnKind::Phone => mask_phone(raw),
        ColumnKind::Name => mask_name(raw),
        ColumnKind::Email => mask_email(raw),
        ColumnKind::Plain | ColumnKind::Number | ColumnKind::Id => raw.to_string(),
    }
}

/// Whether a column kind holds personal data that masking hides.
fn is_personal(kind: ColumnKind) -> bool {
    matches!(kind, ColumnKind::Phone | ColumnKind::Name | ColumnKind::Email)
}

/// A text cell, neutralised (and counted when it had to be).
fn text_cell(text: &str, report: &mut ExportReport) -> Cell {
    let safe = neutralise(text);
    if safe.len() != text.len() {
        report.neutralised += 1;
    }
    Cell::Text(safe.into_owned())
}

/// Neutralises text a spreadsheet could run as a formula by prefixing `'`: text whose first character is `=`,
/// `+`, `-`, `@`, a tab or a carriage return, or their full-width forms `＝＋－＠`, also after leading white space
/// (` =1+1`). Every text cell the product writes for a spreadsheet goes through it.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    let dangerous = |c: char| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠');
    let first = text.chars().next();
    let first_visible = text.trim_start().chars().next();
    if first.is_some_and(dangerous) || first_visible.is_some_and(dangerous) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Whether text is a plain decimal number a [`ColumnKind::Number`] column writes as a number: an optional `-`,
/// digits without a leading zero (except `0` itself), an optional fraction, at most 15 significant digits (what
/// Excel keeps exactly). `007`, `1e5`, `+5`, `1,234` and `¥12` stay text.
pub fn is_plain_number(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (int.len() > 1 && int.starts_with('0')) || frac.is_some_and(|f| !digits(f)) {
        return false;
    }
    let significant = format!("{int}{}", frac.unwrap_or("")).trim_start_matches('0').len();
    significant <= 15
}

/// What happens to one column's cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Treatment {
    Text,
    Number,
    Mask,
    Hash,
}

struct PlannedColumn {
    kind: ColumnKind,
    treatment: Treatment,
}

/// The spec checked and resolved into one treatment per column.
struct Plan {
    columns: Vec<PlannedColumn>,
    headers: Vec<String>,
    hashing: bool,
}

impl Plan {
    fn new(spec: &ExportSpec) -> Result<Plan> {
        let opts = &spec.options;
        if spec.columns.is_empty() {
            return Err(Error::export_no_columns());
        }
        let hashing = opts.hash != HashAlgo::None;
        let chosen = spec.columns.iter().any(|c| c.hash);
        let is_hash = |c: &Column| hashing && if chosen { c.hash } else { c.kind == ColumnKind::Phone };
        if hashing && !spec.columns.iter().any(is_hash) {
            return Err(Error::export_no_hash_column());
        }
        let columns = spec
            .columns
            .iter()
            .map(|c| PlannedColumn {
                kind: c.kind,
                treatment: if is_hash(c) {
                    Treatment::Hash
                } else if opts.mask && is_personal(c.kind) {
                    Treatment::Mask
                } else if c.kind == ColumnKind::Number {
                    Treatment::Number
                } else {
                    Treatment::Text
                },
            })
            .collect();
        let headers =
            spec.columns.iter().map(|c| if is_hash(c) { format!("{}_{}", c.header, opts.hash.key()) } else { c.header.clone() }).collect();
        Ok(Plan { columns, headers, hashing })
    }

    fn hashed_headers(&self) -> Vec<String> {
        self.columns.iter().zip(&self.headers).filter(|(c, _)| c.treatment == Treatment::Hash).map(|(_, h)| h.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers() {
        for yes in ["0", "-0", "12", "-12.50", "0.001", "123456789012345"] {
            assert!(is_plain_number(yes), "{yes}");
        }
        for no in ["", "-", "007", "1e5", "+5", "1,234", "¥12", "1.", ".5", "1234567890123456", "-1+2", "1.2.3"] {
            assert!(!is_plain_number(no), "{no}");
        }
    }

    #[test]
    fn neutralising() {
        assert_eq!(neutralise("=1+1"), "'=1+1");
        assert_eq!(neutralise("  =1+1"), "'  =1+1");
        assert_eq!(neutralise("＝1"), "'＝1");
        assert_eq!(neutralise("\r1"), "'\r1");
        assert_eq!(neutralise("a=1"), "a=1");
        assert_eq!(neutralise(""), "");
    }
}
