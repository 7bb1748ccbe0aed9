//! Ingest: bytes of a file in, typed columns and a report out.
//!
//! [`FileLoader`] is a push parser (`push(bytes)` / `finish()`), so a caller can stream a file of any size in
//! chunks, show progress and cancel. The first rows are sampled to decide whether there is a header, which role
//! each column plays (unless the caller says) and how slash dates are ordered; then every row is typed into a
//! [`Batch`]. Rows that cannot be read are counted and reported with their line and column; they never stop the
//! load. The batch is merged into the dataset by the caller only when the whole file has been read, so a cancelled
//! or failed load leaves everything loaded before untouched.

pub mod clean;
pub mod decode;
pub mod infer;
pub mod jsonl;
pub mod preview;
pub mod records;
pub mod report;
pub mod row;
pub mod xlsx;

use crate::base::date::Day;
use crate::base::dict::row_key;
use crate::base::dict::{hash64, Dict, NONE};
use crate::base::roles::{self as mapping, FileKind, Role};
use crate::base::values;
use crate::base::values::DateOrder;
use crate::error::{Error, Result};
use crate::model::batch::{Batch, BatchRows, IdColumn};
use crate::model::Attribute;
use decode::{TextDecoder, TextEncoding};
use infer::RoleSource;
use jsonl::JsonlReader;
use records::RecordReader;
use report::{ColumnReport, FileReport, Problem};
use row::{OwnedRow, Row};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// How many non-blank rows are sampled before the mapping is decided.
pub const SAMPLE_ROWS: usize = 200;

/// The container format of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Delimited text: CSV, TSV, semicolon- or pipe-separated.
    Csv,
    /// JSON Lines.
    Jsonl,
    /// An Excel workbook.
    Xlsx,
}

impl Format {
    /// Guesses the format from the file name and its first bytes.
    pub fn detect(name: &str, head: &[u8]) -> Format {
        let lower = name.to_lowercase();
        if xlsx::is_xlsx(head) || lower.ends_with(".xlsx") {
            Format::Xlsx
        } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") || head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            Format::Jsonl
        } else {
            Format::Csv
        }
    }

    fn label(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Xlsx => "xlsx",
        }
    }
}

/// Choices the user may force instead of detection. Every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LoadOptions {
    /// The file kind; detected from the columns when `None`.
    pub kind: Option<FileKind>,
    /// The format; detected from the name and first bytes when `None`.
    pub format: Option<Format>,
    /// The encoding label (`utf-8`, `gbk`, `utf-16le` …); detected when `None`.
    pub encoding: Option<String>,
    /// The delimiter; sniffed when `None`.
    pub delimiter: Option<char>,
    /// Whether the first row is a header; inferred when `None`.
    pub has_header: Option<bool>,
    /// The role of every column (`None` = unused); proposed from headers and values when absent.
    pub roles: Option<Vec<Option<Role>>>,
    /// How `a/b/yyyy` dates are ordered; sniffed from the time column when `None`.
    pub date_order: Option<DateOrder>,
    /// The sheet of a workbook; the first sheet when `None`.
    pub sheet: Option<String>,
    /// The whole file's size in bytes, when known: lets the workspace project the memory the file will need
    /// and stop early, with a clear message, when it would not fit.
    pub size: Option<u64>,
    /// Order number hashes already loaded (set by the workspace, not by users): a row repeating one is skipped.
    #[serde(skip)]
    pub known_orders: std::rc::Rc<Vec<u64>>,
    /// The cleaning settings (set by the workspace from its own, not by a file's options).
    #[serde(skip)]
    pub cleaning: clean::Cleaning,
}

/// Column positions of a file, by role, once the mapping is settled.
struct Columns {
    ids: Vec<(usize, crate::base::ids::IdKind)>,
    time: Option<usize>,
    amount: Option<usize>,
    quantity: Option<usize>,
    unit_price: Option<usize>,
    discount: Option<usize>,
    order_id: Option<usize>,
    category: Option<usize>,
    channel: Option<usize>,
    event_type: Option<usize>,
    target: Option<usize>,
    attrs: Vec<usize>,
}

enum State {
    Sampling(Vec<OwnedRow>),
    Ready(Box<Table>),
    Failed(Error),
}

/// The typed rows being built, with the settled mapping.
struct Table {
    headers: Vec<String>,
    cols: Columns,
    date_order: DateOrder,
    batch: Batch,
    empty: Vec<u64>,
    time_range: Option<(i64, i64)>,
    known: std::rc::Rc<Vec<u64>>,
    /// Whether the columns were reserved for the file's projected rows.
    reserved: bool,
    /// The last value and code of each identifier column.
    last_ids: Vec<(String, u32)>,
    /// The first rows with an implausibly large amount, and how many there were.
    large_amounts: Vec<Problem>,
    large_count: u64,
    /// The cleaning settings.
    cleaning: clean::Cleaning,
    /// Whether exact duplicate rows are looked for, and a hash of each row's cells when they are.
    hash_rows: bool,
    hashes: Vec<u64>,
    /// Times that named an instant (converted into the zone): how many, and the first few.
    instants: u64,
    instant_examples: Vec<Problem>,
}

/// How many data rows a preview shows.
pub const PREVIEW_ROWS: usize = 20;

enum Source {
    /// A text file whose format was not given: decided from its name and first text (as the preview does).
    Undecided(Option<u8>),
    Csv(Box<RecordReader>),
    Jsonl(JsonlReader),
    Rows,
}

/// Reads one file pushed in chunks (or, for a workbook, given its rows).
pub struct FileLoader {
    options: LoadOptions,
    decoder: TextDecoder,
    source: Source,
    text: String,
    state: State,
    report: FileReport,
    /// White space read before the format was decided.
    undecided: String,
}

impl FileLoader {
    /// Order number hashes already loaded: rows repeating one are skipped as duplicates of an earlier file.
    pub fn known_orders(&mut self, known: std::rc::Rc<Vec<u64>>) {
        self.options.known_orders = known;
    }

    /// Starts reading a text file (CSV or JSON Lines) called `name`.
    pub fn new(name: &str, options: LoadOptions) -> Result<FileLoader> {
        let encoding = match options.encoding.as_deref() {
            None | Some("") => None,
            Some(label) => Some(TextEncoding::from_label(label).ok_or_else(|| Error::bad_encoding(label))?),
        };
        let delimiter = match options.delimiter {
            None => None,
            Some(c) if c.is_ascii() && c != '"' && c != '\n' => Some(c as u8),
            Some(c) => return Err(Error::bad_delimiter(c)),
        };
        // Without a format, a `.jsonl` name decides at once and the first text decides otherwise (a JSON Lines
        // file is never read as CSV because the caller did not say).
        let source = match options.format {
            Some(Format::Csv) => Source::Csv(Box::new(RecordReader::new(delimiter))),
            Some(Format::Jsonl) => Source::Jsonl(JsonlReader::new()),
            Some(Format::Xlsx) => Source::Rows,
            None if Format::detect(name, b"") == Format::Jsonl => Source::Jsonl(JsonlReader::new()),
            None => Source::Undecided(delimiter),
        };
        let mut report = FileReport::new(name, options.kind.unwrap_or(FileKind::Orders));
        report.format = match &source {
            Source::Jsonl(_) => Format::Jsonl.label(),
            Source::Rows => Format::Xlsx.label(),
            _ => Format::Csv.label(),
        };
        report.sheet = options.sheet.clone();
        Ok(FileLoader {
            decoder: TextDecoder::new(encoding),
            source,
            options,
            text: String::new(),
            state: State::Sampling(Vec::new()),
            report,
            undecided: String::new(),
        })
    }

    /// The report so far (columns appear once the mapping is settled).
    pub fn report(&self) -> &FileReport {
        &self.report
    }

    /// Feeds the next chunk of a text file. Fails as soon as the mapping shows the file cannot be used.
    pub fn push(&mut self, bytes: &[u8]) -> Result<u64> {
        self.report.bytes += bytes.len() as u64;
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        self.decoder.push(bytes, &mut text);
        self.feed(&text, false);
        self.text = text;
        if let State::Failed(e) = &self.state {
            return Err(e.clone());
        }
        self.reserve_for_size();
        Ok(self.report.rows_read)
    }

    /// Once a few MiB are read and the file's size is known, reserves the staged columns for the rows the whole
    /// file will have (plus 5%), so they never grow by doubling: a growing vector briefly holds its old and new
    /// copies, and ends with up to twice the room it needs.
    fn reserve_for_size(&mut self) {
        const AFTER: u64 = 1 << 22;
        let (Some(size), State::Ready(table)) = (self.options.size, &mut self.state) else { return };
        if table.reserved || self.report.bytes < AFTER.min(size) || self.report.rows_read == 0 {
            return;
        }
        table.reserved = true;
        let per_row = self.report.bytes as f64 / self.report.rows_read as f64;
        let rows = (size as f64 / per_row * 1.05) as usize;
        let more = rows.saturating_sub(table.batch.len());
        table.batch.reserve(more);
        if table.hash_rows {
            table.hashes.reserve_exact(more);
        }
        // Dictionaries of (nearly) one value per row (member ids, phones) are reserved too, so they never rehash
        // or copy their text while growing.
        let so_far = table.batch.len().max(1);
        let mut dicts: Vec<&mut Dict> = table.batch.ids.iter_mut().map(|c| &mut c.values).collect();
        if let BatchRows::Members(attrs) = &mut table.batch.rows {
            dicts.extend(attrs.iter_mut().map(|a| &mut a.values));
        }
        for d in dicts {
            if d.len() * 2 >= so_far {
                let values = more * d.len() / so_far;
                d.reserve(values, values * d.text_len() / d.len().max(1));
            }
        }
    }

    /// Feeds rows that are already split into cells (a workbook's sheet).
    pub fn push_rows(&mut self, rows: &[OwnedRow]) -> Result<u64> {
        for row in rows {
            on_row(row, &mut self.state, &mut self.report, &self.options);
        }
        if let State::Failed(e) = &self.state {
            return Err(e.clone());
        }
        Ok(self.report.rows_read)
    }

    fn feed(&mut self, text: &str, last: bool) {
        if let Source::Undecided(delimiter) = self.source {
            if text.trim_start().is_empty() && !last {
                return self.text_before_format(text);
            }
            let mut head = std::mem::take(&mut self.undecided);
            head.push_str(text);
            self.source = match Format::detect(&self.report.name, head.as_bytes()) {
                Format::Jsonl => Source::Jsonl(JsonlReader::new()),
                _ => Source::Csv(Box::new(RecordReader::new(delimiter))),
            };
            self.report.format = if matches!(self.source, Source::Jsonl(_)) { Format::Jsonl.label() } else { Format::Csv.label() };
            return self.feed(&head, last);
        }
        let (state, report, options) = (&mut self.state, &mut self.report, &self.options);
        match &mut self.source {
            Source::Csv(reader) => {
                reader.push_str(text, &mut |rec| on_row(rec, state, report, options));
                if last {
                    reader.finish(&mut |rec| on_row(rec, state, report, options));
                }
            }
            Source::Jsonl(reader) => {
                reader.push(text.as_bytes(), &mut |row| on_row(row, state, report, options));
                if last {
                    reader.finish(&mut |row| on_row(row, state, report, options));
                }
            }
            Source::Rows | Source::Undecided(_) => {}
        }
    }

    /// Keeps white space that arrives before the first text that shows the format.
    fn text_before_format(&mut self, text: &str) {
        self.undecided.push_str(text);
    }

    /// Settles the mapping now if it is still being sampled (for a preview of a file's first bytes).
    pub fn settle_now(&mut self) {
        if let State::Sampling(sample) = &mut self.state {
            let sample = std::mem::take(sample);
            self.state = settle(sample, &mut self.report, &self.options);
        }
    }

    /// Approximate heap bytes staged so far (rows typed but not yet merged).
    pub fn staged_bytes(&self) -> u64 {
        match &self.state {
            State::Ready(t) => t.batch.used_bytes() as u64,
            State::Sampling(rows) => rows.iter().map(|r| r.cells.iter().map(|c| c.len() + 24).sum::<usize>()).sum::<usize>() as u64,
            State::Failed(_) => 0,
        }
    }

    /// The options the file is read with.
    pub fn options(&self) -> &LoadOptions {
        &self.options
    }

    /// The first data rows as read (for a preview), once the mapping is settled.
    pub fn preview_rows(&self) -> &[Vec<String>] {
        &self.report.preview
    }

    /// The error that stopped the file, if any.
    pub fn failure(&self) -> Option<&Error> {
        match &self.state {
            State::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// Makes the decoder and reader decide on what they have so far, without ending the input.
    fn flush_partial(&mut self) {
        let mut text = String::new();
        self.decoder.decide_now(&mut text);
        self.feed(&text, false);
        let (state, report, options) = (&mut self.state, &mut self.report, &self.options);
        if let Source::Csv(reader) = &mut self.source {
            reader.settle(&mut |rec| on_row(rec, state, report, options));
        }
    }

    /// Flushes a text file's decoder and reader as if the input ended here.
    fn end_of_text(&mut self) {
        let mut text = String::new();
        self.decoder.finish(&mut text);
        self.feed(&text, true);
    }

    /// Ends the file and returns its staged rows and report.
    pub fn finish(mut self) -> Result<(Batch, FileReport)> {
        self.end_of_text();
        self.settle_now();
        self.describe_text();
        if let Source::Csv(reader) = &self.source {
            let lines = reader.unterminated.clone();
            let more = reader.unterminated_count.saturating_sub(lines.len() as u64);
            for (i, line) in lines.iter().enumerate() {
                let count = if i + 1 == lines.len() { 1 + more } else { 1 };
                self.report.warn(Problem { line: *line, column: 0, ..Problem::of(Error::row_unterminated_quote(*line)) }, count);
            }
        }
        if let Source::Jsonl(reader) = &self.source {
            for (line, value) in &reader.bad_lines {
                self.report.skip(Problem {
                    line: *line,
                    column: 1,
                    header: String::new(),
                    value: value.clone(),
                    ..Problem::of(Error::row_bad_json())
                });
            }
            let unlisted = reader.bad_count.saturating_sub(reader.bad_lines.len() as u64);
            self.report.rows_skipped += unlisted;
            self.report.rows_read += reader.bad_count;
        }
        let table = match self.state {
            State::Sampling(_) => unreachable!("settle_now settled the mapping"),
            State::Failed(e) => return Err(e),
            State::Ready(t) => t,
        };
        if table.headers.is_empty() {
            return Err(Error::empty_file());
        }
        let mut report = self.report;
        let mut table = table;
        table.clean(&mut report);
        if table.instants > 0 {
            let examples = std::mem::take(&mut table.instant_examples);
            report.found("time_zone", true, table.instants, None);
            for e in examples {
                report.found("time_zone", true, 0, Some(e));
            }
        }
        table.time_range = match &table.batch.rows {
            BatchRows::Orders(o) => o.ts.iter().fold(None, |r, &t| Some(r.map_or((t, t), |(lo, hi): (i64, i64)| (lo.min(t), hi.max(t))))),
            BatchRows::Events(e) => e.ts.iter().fold(None, |r, &t| Some(r.map_or((t, t), |(lo, hi): (i64, i64)| (lo.min(t), hi.max(t))))),
            _ => None,
        };
        let n = table.large_amounts.len();
        for (i, p) in table.large_amounts.iter().enumerate() {
            let count = if i + 1 == n { table.large_count - (n as u64 - 1) } else { 1 };
            report.warn(p.clone(), count);
        }
        let read = report.rows_read.max(1) as f64;
        for (c, n) in report.columns.iter_mut().zip(&table.empty) {
            c.empty = *n;
            c.empty_rate = *n as f64 / read;
        }
        if let Some((lo, hi)) = table.time_range {
            report.first_time = Some(format_ts(lo));
            report.last_time = Some(format_ts(hi));
        }
        if let BatchRows::Orders(o) = &table.batch.rows {
            report.repeated_order_ids = repeated(&o.order_id);
        }
        Ok((table.batch, report))
    }
}

/// `YYYY-MM-DD HH:MM:SS` of a timestamp.
pub fn format_ts(ts: i64) -> String {
    let day = Day::of_timestamp(ts);
    let s = ts.rem_euclid(86_400);
    format!("{day} {:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// How many hashes appear more than once.
fn repeated(hashes: &[u64]) -> u64 {
    let mut sorted: Vec<u64> = hashes.iter().copied().filter(|&h| h != 0).collect();
    sorted.sort_unstable();
    sorted.windows(2).enumerate().filter(|(i, w)| w[0] == w[1] && (*i == 0 || sorted[i - 1] != w[0])).count() as u64
}

fn on_row<R: Row>(row: &R, state: &mut State, report: &mut FileReport, options: &LoadOptions) {
    // Typed rows of up to 64 cells look at each cell once: which are blank decides both a blank line and the
    // empty-cell counts.
    if let State::Ready(table) = state {
        if row.len() <= 64 {
            let blank = (0..row.len()).fold(0u64, |m, i| m | u64::from(records::blank_cell(row.get(i))) << i);
            if blank == u64::MAX >> (64 - row.len().max(1)) || row.is_empty() {
                report.blank_lines += 1;
            } else {
                table.read(row, blank, report);
            }
            return;
        }
    }
    if row.is_blank() {
        if !matches!(state, State::Sampling(v) if v.is_empty()) {
            report.blank_lines += 1;
        }
        return;
    }
    match state {
        State::Failed(_) => {}
        State::Sampling(sample) => {
            sample.push(OwnedRow { line: row.line(), cells: row.to_strings() });
            if sample.len() >= SAMPLE_ROWS {
                let sample = std::mem::take(sample);
                *state = settle(sample, report, options);
            }
        }
        State::Ready(table) => {
            let blank = (0..64.min(row.len())).fold(0u64, |m, i| m | u64::from(records::blank_cell(row.get(i))) << i);
            table.read(row, blank, report);
        }
    }
}

/// Decides header, roles, kind and date order from the sampled rows, then reads them.
fn settle(sample: Vec<OwnedRow>, report: &mut FileReport, options: &LoadOptions) -> State {
    let Some(first) = sample.first() else {
        return State::Ready(Box::new(Table::empty()));
    };
    let has_header = options.has_header.unwrap_or_else(|| {
        let rest: Vec<Vec<String>> = sample[1..].iter().map(|r| r.cells.clone()).collect();
        infer::first_row_is_header(&first.cells, &rest)
    });
    let width = sample.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let headers: Vec<String> = if has_header {
        let mut h: Vec<String> = first.cells.iter().map(|h| h.trim().to_string()).collect();
        for (i, cell) in h.iter_mut().enumerate() {
            if cell.is_empty() {
                *cell = format!("列{}", i + 1);
            }
        }
        h
    } else {
        infer::generated_headers(width)
    };
    let data: Vec<OwnedRow> = sample.into_iter().skip(usize::from(has_header)).collect();
    let cells: Vec<Vec<String>> = data.iter().map(|r| r.cells.clone()).collect();
    let (roles, sources): (Vec<Option<Role>>, Vec<RoleSource>) = match &options.roles {
        Some(user) => (0..headers.len()).map(|i| (user.get(i).copied().flatten(), RoleSource::User)).unzip(),
        None => infer::propose_roles(&headers, &cells).into_iter().unzip(),
    };
    let kind = options.kind.unwrap_or_else(|| mapping::guess_kind(&roles));
    let roles = mapping::fit_roles(&roles, kind);
    let col = |r: Role| roles.iter().position(|x| *x == Some(r));
    let time = col(Role::OrderTime).or(col(Role::EventTime));
    let date_order = options.date_order.unwrap_or_else(|| match time {
        Some(t) => infer::date_order(&cells.iter().map(|r| r.get(t).map_or("", String::as_str)).collect::<Vec<_>>()),
        None => DateOrder::MonthFirst,
    });
    report.preview = cells.iter().take(PREVIEW_ROWS).cloned().collect();
    report.kind = kind;
    report.has_header = has_header;
    report.date_order = date_order;
    report.columns = headers
        .iter()
        .zip(&roles)
        .zip(&sources)
        .enumerate()
        .map(|(index, ((header, role), source))| ColumnReport {
            index,
            header: header.clone(),
            role: *role,
            role_zh: role.map_or("", Role::zh),
            role_en: role.map_or("", Role::en),
            source: if role.is_some() { *source } else { RoleSource::None },
            empty: 0,
            empty_rate: 0.0,
        })
        .collect();
    let mut table = match Table::new(headers, &roles, kind, date_order) {
        Ok(t) => t,
        Err(e) => return State::Failed(e),
    };
    table.known = options.known_orders.clone();
    table.cleaning = options.cleaning.clone();
    // Without an order number, two equal order rows may be two purchases of one price on one day (the CDNOW log
    // has 255): only orders with a number, events and member rows are looked at for exact copies. Order rows are
    // hashed as read (their unmapped cells, such as a SKU, tell order lines apart); events and member rows are
    // hashed from their typed columns by the cleaning pass (every cell of a member row is kept; an event's
    // identifiers, time, type and target are what it is).
    table.hash_rows = kind == FileKind::Orders && table.cols.order_id.is_some();
    report.time_zone = table.cleaning.time_zone.name.clone();
    let mut state = State::Ready(Box::new(table));
    for row in &data {
        on_row(row, &mut state, report, options);
    }
    state
}

impl Table {
    fn empty() -> Table {
        Table {
            headers: Vec::new(),
            cols: Columns::none(),
            date_order: DateOrder::MonthFirst,
            batch: Batch { ids: Vec::new(), lines: Vec::new(), rows: BatchRows::Identity },
            empty: Vec::new(),
            time_range: None,
            known: std::rc::Rc::default(),
            reserved: false,
            last_ids: Vec::new(),
            large_amounts: Vec::new(),
            large_count: 0,
            cleaning: clean::Cleaning::default(),
            hash_rows: false,
            hashes: Vec::new(),
            instants: 0,
            instant_examples: Vec::new(),
        }
    }

    fn new(headers: Vec<String>, roles: &[Option<Role>], kind: FileKind, date_order: DateOrder) -> Result<Table> {
        let col = |r: Role| roles.iter().position(|x| *x == Some(r));
        let mut ids: Vec<(usize, crate::base::ids::IdKind)> =
            roles.iter().enumerate().filter_map(|(i, r)| Some((i, r.and_then(Role::id_kind)?))).collect();
        ids.sort_by_key(|&(i, k)| (k, i));
        if ids.is_empty() {
            return Err(missing_column(&[Role::MemberId, Role::Phone, Role::OpenId, Role::DeviceId], &headers));
        }
        let mut cols = Columns::none();
        cols.ids = ids;
        let rows = match kind {
            FileKind::Orders => {
                cols.time = Some(col(Role::OrderTime).ok_or_else(|| missing_column(&[Role::OrderTime], &headers))?);
                cols.amount = col(Role::Amount);
                (cols.quantity, cols.unit_price) = (col(Role::Quantity), col(Role::UnitPrice));
                if cols.amount.is_none() && (cols.quantity.is_none() || cols.unit_price.is_none()) {
                    return Err(missing_column(&[Role::Amount], &headers));
                }
                (cols.discount, cols.order_id, cols.category, cols.channel) =
                    (col(Role::Discount), col(Role::OrderId), col(Role::Category), col(Role::Channel));
                BatchRows::Orders(Box::default())
            }
            FileKind::Events => {
                cols.time = Some(col(Role::EventTime).ok_or_else(|| missing_column(&[Role::EventTime], &headers))?);
                (cols.event_type, cols.target) = (col(Role::EventType), col(Role::EventTarget));
                BatchRows::Events(Box::default())
            }
            FileKind::Members => {
                cols.attrs = (0..headers.len()).filter(|&i| roles[i] != Some(Role::MemberId)).collect();
                BatchRows::Members(
                    cols.attrs.iter().map(|&i| Attribute { header: headers[i].clone(), role: roles[i], ..Attribute::default() }).collect(),
                )
            }
            FileKind::Identity => {
                if cols.ids.len() < 2 {
                    return Err(Error::identity_needs_two_ids(
                        &header_list(&headers, "，", "……（另有 {} 列）"),
                        &header_list(&headers, ", ", "… ({} more)"),
                    ));
                }
                BatchRows::Identity
            }
        };
        let batch = Batch {
            ids: cols.ids.iter().map(|&(_, kind)| IdColumn { kind, values: Dict::new(), codes: Vec::new() }).collect(),
            lines: Vec::new(),
            rows,
        };
        let empty = vec![0; headers.len()];
        let last_ids = vec![(String::new(), NONE); cols.ids.len()];
        Ok(Table {
            headers,
            cols,
            date_order,
            batch,
            empty,
            time_range: None,
            known: std::rc::Rc::default(),
            reserved: false,
            last_ids,
            large_amounts: Vec::new(),
            large_count: 0,
            cleaning: clean::Cleaning::default(),
            hash_rows: false,
            hashes: Vec::new(),
            instants: 0,
            instant_examples: Vec::new(),
        })
    }

    /// Reads a row that is not blank; bit `i` of `blank` says whether cell `i` is blank (for the first 64 cells).
    fn read<R: Row>(&mut self, row: &R, blank: u64, report: &mut FileReport) {
        report.rows_read += 1;
        for (i, e) in self.empty.iter_mut().enumerate() {
            let is_blank = if i < 64 { i >= row.len() || blank >> i & 1 == 1 } else { records::blank_cell(row.get(i)) };
            *e += u64::from(is_blank);
        }
        match self.typed(row) {
            Ok(()) => report.rows_loaded += 1,
            Err(p) => report.skip(*p),
        }
    }

    fn problem(&self, row: &dyn Row, col: usize, error: Error) -> Box<Problem> {
        Box::new(Problem {
            line: row.line(),
            column: col + 1,
            header: self.headers.get(col).cloned().unwrap_or_default(),
            value: row.get(col).chars().take(100).collect(),
            ..Problem::of(error)
        })
    }

    fn time<R: Row>(&mut self, row: &R, col: usize) -> std::result::Result<i64, Box<Problem>> {
        match values::parse_stamp_with(row.get(col), self.date_order) {
            Some(values::Stamp::Wall(t)) => Ok(t),
            Some(values::Stamp::Instant(t)) => {
                self.instants += 1;
                if self.instant_examples.len() < report::MAX_EXAMPLES {
                    let mut p = *self.problem(row, col, Error::clean_time_zone());
                    p.line = row.line();
                    self.instant_examples.push(p);
                }
                Ok(self.cleaning.time_zone.local(t))
            }
            None => Err(self.problem(row, col, Error::row_bad_date())),
        }
    }

    /// Types one data row into the batch, or says why it cannot be read. Nothing is written unless all is well.
    fn typed<R: Row>(&mut self, row: &R) -> std::result::Result<(), Box<Problem>> {
        // Most files have one to four identifier columns: their values stay on the stack, borrowed from the row.
        let mut small: [Option<Cow<'_, str>>; 4] = Default::default();
        let spill: Vec<Option<Cow<'_, str>>>;
        let normalised: &[Option<Cow<'_, str>>] = if self.cols.ids.len() <= small.len() {
            for (slot, &(col, kind)) in small.iter_mut().zip(&self.cols.ids) {
                *slot = kind.normalise_cow(row.get(col));
            }
            &small[..self.cols.ids.len()]
        } else {
            spill = self.cols.ids.iter().map(|&(col, kind)| kind.normalise_cow(row.get(col))).collect();
            &spill
        };
        if normalised.iter().all(Option::is_none) {
            let col = self.cols.ids[0].0;
            return Err(self.problem(row, col, Error::row_missing_id()));
        }
        let ts = match self.cols.time {
            Some(c) => Some(self.time(row, c)?),
            None => None,
        };
        let code = |col: Option<usize>, dict: &mut Dict| match col.map(|c| values::trim_cell(row.get(c))) {
            Some(v) if !v.is_empty() => dict.intern(v),
            _ => NONE,
        };
        let mut large = false;
        match &mut self.batch.rows {
            BatchRows::Orders(o) => {
                // Amounts beyond `MAX_AMOUNT` are refused with their own message (sums stay far inside `i64`).
                let in_range = |a: i64| (-values::MAX_AMOUNT..=values::MAX_AMOUNT).contains(&a);
                let amount = match (self.cols.amount, self.cols.quantity, self.cols.unit_price) {
                    (Some(c), _, _) => values::parse_amount(row.get(c)).filter(|&a| in_range(a)).ok_or((c, false)),
                    (None, Some(q), Some(p)) => match (values::parse_amount(row.get(q)), values::parse_amount(row.get(p))) {
                        (Some(qty), Some(price)) => {
                            let fen = (i128::from(qty) * i128::from(price)) as f64 / 100.0;
                            if fen.abs() <= values::MAX_AMOUNT as f64 {
                                Ok(fen.round() as i64)
                            } else {
                                Err((p, true))
                            }
                        }
                        (None, _) => Err((q, false)),
                        (_, None) => Err((p, false)),
                    },
                    _ => unreachable!("an order file has an amount or a quantity and a unit price"),
                };
                let amount = match amount {
                    Ok(a) => a,
                    Err((c, product)) => {
                        let huge = product || values::amount_out_of_range(row.get(c));
                        let error = if huge { Error::row_amount_out_of_range() } else { Error::row_bad_amount() };
                        return Err(self.problem(row, c, error));
                    }
                };
                large = amount.abs() >= values::LARGE_AMOUNT;
                let discount = self.cols.discount.and_then(|c| values::parse_amount(row.get(c))).unwrap_or(0);
                let order_hash = self.cols.order_id.map(|c| values::trim_cell(row.get(c))).filter(|v| !v.is_empty()).map_or(0, hash64);
                let key = row_key(order_hash, ts.unwrap_or(0), amount);
                if order_hash != 0 && self.known.binary_search(&key).is_ok() {
                    let c = self.cols.order_id.unwrap_or(0);
                    return Err(Box::new(Problem {
                        line: row.line(),
                        column: c + 1,
                        header: self.headers.get(c).cloned().unwrap_or_default(),
                        value: row.get(c).chars().take(100).collect(),
                        ..Problem::of(Error::row_duplicate_order())
                    }));
                }
                o.ts.push(ts.unwrap_or(0));
                o.amount.push(amount);
                o.discount.push(discount);
                o.order_id.push(order_hash);
                o.category.push(code(self.cols.category, &mut o.categories));
                o.channel.push(code(self.cols.channel, &mut o.channels));
            }
            BatchRows::Events(e) => {
                e.ts.push(ts.unwrap_or(0));
                e.event_type.push(code(self.cols.event_type, &mut e.types));
                e.target.push(code(self.cols.target, &mut e.targets));
            }
            BatchRows::Members(attrs) => {
                for (attr, &c) in attrs.iter_mut().zip(&self.cols.attrs) {
                    let v = values::trim_cell(row.get(c));
                    attr.codes.push(if v.is_empty() { NONE } else { attr.values.intern(v) });
                }
            }
            BatchRows::Identity => {}
        }
        if large {
            self.large_count += 1;
            if self.large_amounts.len() < report::MAX_EXAMPLES {
                let c = self.cols.amount.or(self.cols.unit_price).unwrap_or(0);
                self.large_amounts.push(*self.problem(row, c, Error::row_large_amount()));
            }
        }
        for ((col, value), last) in self.batch.ids.iter_mut().zip(normalised).zip(&mut self.last_ids) {
            // Rows of one member often come together (orders and events sorted by member): the previous row's
            // code is reused without a lookup.
            let code = match value.as_deref() {
                None => NONE,
                Some(v) if last.1 != NONE && last.0 == v => last.1,
                Some(v) => {
                    let code = col.values.intern(v);
                    last.0.clear();
                    last.0.push_str(v);
                    last.1 = code;
                    code
                }
            };
            col.codes.push(code);
        }
        // Every row keeps its line until the cleaning pass has reported by line (then only rows that link two
        // identifiers keep it), and a hash of its cells when exact duplicates are looked for.
        self.batch.lines.push(row.line().min(u64::from(u32::MAX)) as u32);
        if self.hash_rows {
            let mut h = 0x9E37_79B9_7F4A_7C15u64;
            for i in 0..row.len() {
                h = (h.rotate_left(5) ^ crate::base::dict::fast_hash(values::trim_cell(row.get(i)).as_bytes()))
                    .wrapping_mul(0x0100_0000_01B3);
            }
            self.hashes.push(h);
        }
        Ok(())
    }
}

impl Columns {
    fn none() -> Columns {
        Columns {
            ids: Vec::new(),
            time: None,
            amount: None,
            quantity: None,
            unit_price: None,
            discount: None,
            order_id: None,
            category: None,
            channel: None,
            event_type: None,
            target: None,
            attrs: Vec::new(),
        }
    }
}

/// The headers as a message lists them: the first 30, each cut to 40 characters, and how many more there are (a
/// file's first line may be megabytes long).
fn header_list(headers: &[String], sep: &str, more: &str) -> String {
    const SHOWN: usize = 30;
    const WIDTH: usize = 40;
    let mut list: Vec<String> = headers
        .iter()
        .take(SHOWN)
        .map(|h| if h.chars().count() > WIDTH { format!("{}…", h.chars().take(WIDTH).collect::<String>()) } else { h.clone() })
        .collect();
    if headers.len() > SHOWN {
        list.push(more.replace("{}", &(headers.len() - SHOWN).to_string()));
    }
    list.join(sep)
}

fn missing_column(any_of: &[Role], headers: &[String]) -> Error {
    let zh: Vec<&str> = any_of.iter().map(|r| r.zh()).collect();
    let en: Vec<&str> = any_of.iter().map(|r| r.en()).collect();
    Error::missing_column(
        &zh.join("”或“"),
        &en.join("” or “"),
        &header_list(headers, "，", "……（另有 {} 列）"),
        &header_list(headers, ", ", "… ({} more)"),
    )
}
