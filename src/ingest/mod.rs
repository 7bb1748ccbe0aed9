//! Ingest: bytes of a file in, typed columns and a report out.
//!
//! [`FileLoader`] is a push parser (`push(bytes)` / `finish()`), so a caller can stream a file of any
//! size in chunks, show progress and cancel. Rows that cannot be read are counted and reported with
//! their line and column; they never stop the load. The file's rows are staged in the loader and only
//! merged into the dataset by the caller when the whole file has been read, so a cancelled or failed
//! load leaves everything loaded before untouched.

pub mod decode;
pub mod mapping;
pub mod records;
pub mod report;
pub mod values;

use crate::error::{Error, Result};
use crate::model::dict::{Dict, NONE};
use crate::model::{Attribute, MemberBatch, Orders};
use decode::{TextDecoder, TextEncoding};
use mapping::{FileKind, Role};
use records::{Record, RecordReader};
use report::{ColumnReport, FileReport, Problem};

/// Choices the user may force instead of detection.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// The file kind; detected from the header when `None`.
    pub kind: Option<FileKind>,
    /// The encoding; detected when `None`.
    pub encoding: Option<TextEncoding>,
    /// The delimiter; sniffed when `None`.
    pub delimiter: Option<u8>,
}

/// What a finished file holds, ready to merge.
#[derive(Debug)]
pub enum Loaded {
    /// Member rows.
    Members(MemberBatch),
    /// Order rows with their own member key dictionary.
    Orders(Box<Orders>, Dict),
}

struct OrderColumns {
    member: usize,
    time: usize,
    amount: Option<usize>,
    quantity: Option<usize>,
    unit_price: Option<usize>,
    order_id: Option<usize>,
    category: Option<usize>,
    channel: Option<usize>,
}

enum Sink {
    /// The header has not been read yet.
    Header,
    Orders {
        cols: OrderColumns,
        batch: Box<Orders>,
        keys: Dict,
    },
    Members {
        member: usize,
        attr_cols: Vec<usize>,
        batch: MemberBatch,
    },
    /// The header was unusable; the error is returned and the rest of the file ignored.
    Failed(Error),
}

/// Reads one file pushed in chunks.
pub struct FileLoader {
    options: LoadOptions,
    decoder: TextDecoder,
    reader: RecordReader,
    text: Vec<u8>,
    headers: Vec<String>,
    sink: Sink,
    report: FileReport,
}

impl FileLoader {
    /// Starts reading a file called `name`.
    pub fn new(name: &str, options: LoadOptions) -> FileLoader {
        let report = FileReport {
            name: name.to_string(),
            kind: options.kind.unwrap_or(FileKind::Orders),
            encoding: "",
            delimiter: String::new(),
            bytes: 0,
            rows_read: 0,
            rows_loaded: 0,
            rows_skipped: 0,
            blank_lines: 0,
            duplicate_members: 0,
            malformed_text: false,
            columns: Vec::new(),
            skipped_by_reason: Vec::new(),
            problems: Vec::new(),
        };
        FileLoader {
            decoder: TextDecoder::new(options.encoding),
            reader: RecordReader::new(options.delimiter),
            options,
            text: Vec::new(),
            headers: Vec::new(),
            sink: Sink::Header,
            report,
        }
    }

    /// The report so far (columns appear once the header has been read).
    pub fn report(&self) -> &FileReport {
        &self.report
    }

    /// Feeds the next chunk. Fails as soon as the header shows the file cannot be used.
    pub fn push(&mut self, bytes: &[u8]) -> Result<u64> {
        self.report.bytes += bytes.len() as u64;
        self.text.clear();
        self.decoder.push(bytes, &mut self.text);
        let text = std::mem::take(&mut self.text);
        let mut sink = std::mem::replace(&mut self.sink, Sink::Header);
        self.reader.push(&text, &mut |rec| on_record(rec, &mut sink, &mut self.headers, &mut self.report, &self.options));
        self.sink = sink;
        self.text = text;
        if let Sink::Failed(e) = &self.sink {
            return Err(e.clone());
        }
        Ok(self.report.rows_read)
    }

    /// Ends the file and returns its rows and report.
    pub fn finish(mut self) -> Result<(Loaded, FileReport)> {
        let mut text = Vec::new();
        self.decoder.finish(&mut text);
        let mut sink = std::mem::replace(&mut self.sink, Sink::Header);
        let (headers, report, options) = (&mut self.headers, &mut self.report, &self.options);
        self.reader.push(&text, &mut |rec| on_record(rec, &mut sink, headers, report, options));
        self.reader.finish(&mut |rec| on_record(rec, &mut sink, headers, report, options));
        report.encoding = self.decoder.encoding().map_or("UTF-8", TextEncoding::label);
        report.malformed_text = self.decoder.had_malformed();
        report.delimiter = (self.reader.delimiter().unwrap_or(b',') as char).to_string();
        let loaded = match sink {
            Sink::Header => return Err(Error::new("empty_file", "文件是空的，没有表头。", "The file is empty: there is no header row.")),
            Sink::Failed(e) => return Err(e),
            Sink::Orders { batch, keys, .. } => Loaded::Orders(batch, keys),
            Sink::Members { batch, .. } => Loaded::Members(batch),
        };
        Ok((loaded, self.report))
    }
}

fn on_record(rec: &Record<'_>, sink: &mut Sink, headers: &mut Vec<String>, report: &mut FileReport, options: &LoadOptions) {
    if rec.is_blank() {
        if !matches!(sink, Sink::Header) {
            report.blank_lines += 1;
        }
        return;
    }
    match sink {
        Sink::Failed(_) => {}
        Sink::Header => {
            *headers = rec.fields().map(|h| h.trim().to_string()).collect();
            *sink = open_sink(headers, report, options);
        }
        Sink::Orders { cols, batch, keys } => {
            report.rows_read += 1;
            match read_order(rec, cols, batch, keys, headers) {
                Ok(()) => report.rows_loaded += 1,
                Err(p) => report.skip(*p),
            }
        }
        Sink::Members { member, attr_cols, batch } => {
            report.rows_read += 1;
            let key = rec.get(*member).trim();
            if key.is_empty() {
                report.skip(problem(
                    rec,
                    *member,
                    headers,
                    "missing_member_id",
                    "会员编号为空，这一行被跳过。",
                    "The member id is empty; the row was skipped.",
                ));
                return;
            }
            batch.rows.push(batch.keys.intern(key));
            for (attr, &col) in batch.attrs.iter_mut().zip(attr_cols.iter()) {
                let v = rec.get(col).trim();
                attr.codes.push(if v.is_empty() { NONE } else { attr.values.intern(v) });
            }
            report.rows_loaded += 1;
        }
    }
}

fn open_sink(headers: &[String], report: &mut FileReport, options: &LoadOptions) -> Sink {
    let roles = mapping::propose(headers);
    let kind = options.kind.unwrap_or_else(|| mapping::guess_kind(&roles));
    let roles: Vec<Option<Role>> = roles.into_iter().map(|r| r.filter(|r| r.fits(kind))).collect();
    report.kind = kind;
    report.columns = headers
        .iter()
        .zip(&roles)
        .enumerate()
        .map(|(index, (header, role))| ColumnReport {
            index,
            header: header.clone(),
            role: *role,
            role_zh: role.map_or("", Role::zh),
            role_en: role.map_or("", Role::en),
        })
        .collect();
    let col = |r: Role| roles.iter().position(|x| *x == Some(r));
    let Some(member) = col(Role::MemberId) else {
        return Sink::Failed(missing_column(Role::MemberId, headers));
    };
    match kind {
        FileKind::Orders => {
            let Some(time) = col(Role::OrderTime) else {
                return Sink::Failed(missing_column(Role::OrderTime, headers));
            };
            let amount = col(Role::Amount);
            let (quantity, unit_price) = (col(Role::Quantity), col(Role::UnitPrice));
            if amount.is_none() && (quantity.is_none() || unit_price.is_none()) {
                return Sink::Failed(missing_column(Role::Amount, headers));
            }
            let cols = OrderColumns {
                member,
                time,
                amount,
                quantity,
                unit_price,
                order_id: col(Role::OrderId),
                category: col(Role::Category),
                channel: col(Role::Channel),
            };
            Sink::Orders { cols, batch: Box::default(), keys: Dict::new() }
        }
        FileKind::Members => {
            let attr_cols: Vec<usize> = (0..headers.len()).filter(|&i| i != member && !headers[i].is_empty()).collect();
            let attrs = attr_cols
                .iter()
                .map(|&i| Attribute { header: headers[i].clone(), role: roles[i], values: Dict::new(), codes: Vec::new() })
                .collect();
            Sink::Members { member, attr_cols, batch: MemberBatch { attrs, ..MemberBatch::default() } }
        }
    }
}

fn missing_column(role: Role, headers: &[String]) -> Error {
    let found = headers.join(", ");
    Error::new(
        "missing_column",
        format!("找不到“{}”列。文件的表头是：{found}。请确认表头，或在列映射中指定。", role.zh()),
        format!("No “{}” column was found. The file's headers are: {found}. Check the header row or map the column by hand.", role.en()),
    )
}

fn problem(rec: &Record<'_>, col: usize, headers: &[String], code: &'static str, zh: &str, en: &str) -> Problem {
    let value: String = rec.get(col).chars().take(100).collect();
    Problem {
        line: rec.line,
        column: col + 1,
        header: headers.get(col).cloned().unwrap_or_default(),
        value,
        code,
        zh: zh.to_string(),
        en: en.to_string(),
    }
}

fn read_order(
    rec: &Record<'_>,
    cols: &OrderColumns,
    batch: &mut Orders,
    keys: &mut Dict,
    headers: &[String],
) -> std::result::Result<(), Box<Problem>> {
    let key = rec.get(cols.member).trim();
    if key.is_empty() {
        return Err(Box::new(problem(
            rec,
            cols.member,
            headers,
            "missing_member_id",
            "会员编号为空，这一行被跳过。",
            "The member id is empty; the row was skipped.",
        )));
    }
    let Some(ts) = values::parse_timestamp(rec.get(cols.time)) else {
        return Err(Box::new(problem(
            rec,
            cols.time,
            headers,
            "bad_date",
            "无法识别的日期，这一行被跳过。可用的格式如 2025-05-24、2025/5/24 14:35:19、20250524。",
            "Unrecognised date; the row was skipped. Dates like 2025-05-24, 2025/5/24 14:35:19 or 20250524 work.",
        )));
    };
    let amount = match (cols.amount, cols.quantity, cols.unit_price) {
        (Some(c), _, _) => values::parse_amount(rec.get(c)).ok_or(c),
        (None, Some(q), Some(p)) => match (values::parse_amount(rec.get(q)), values::parse_amount(rec.get(p))) {
            (Some(qty), Some(price)) => Ok(((i128::from(qty) * i128::from(price)) as f64 / 100.0).round() as i64),
            (None, _) => Err(q),
            (_, None) => Err(p),
        },
        _ => unreachable!("an order file has an amount or a quantity and a unit price"),
    };
    let amount = amount.map_err(|c| {
        Box::new(problem(
            rec,
            c,
            headers,
            "bad_amount",
            "无法识别的金额，这一行被跳过。可用的格式如 1234.5、¥1,234.50。",
            "Unrecognised amount; the row was skipped. Amounts like 1234.5 or ¥1,234.50 work.",
        ))
    })?;
    let code = |col: Option<usize>, dict: &mut Dict| match col.map(|c| rec.get(c).trim()) {
        Some(v) if !v.is_empty() => dict.intern(v),
        _ => NONE,
    };
    let order_id = code(cols.order_id, &mut batch.order_ids);
    let category = code(cols.category, &mut batch.categories);
    let channel = code(cols.channel, &mut batch.channels);
    batch.member.push(keys.intern(key));
    batch.ts.push(ts);
    batch.amount.push(amount);
    batch.order_id.push(order_id);
    batch.category.push(category);
    batch.channel.push(channel);
    Ok(())
}
