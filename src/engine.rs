//! The workspace: the one stateful facade that owns the data, the open file and the computed results.
//!
//! Everything the browser and the command line do goes through [`Workspace`]; both get the same answers
//! because they run this same code. Results are small serialisable DTOs; the dataset never leaves.

use crate::error::{Error, Result};
use crate::ingest::mapping::{FileKind, Role};
use crate::ingest::report::FileReport;
use crate::ingest::values::format_amount;
use crate::ingest::{FileLoader, LoadOptions, Loaded};
use crate::model::date::Day;
use crate::model::Dataset;
use crate::rfm::{self, Rfm, RfmRow, Segment};
use serde::Serialize;

/// One segment's size in a [`Summary`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentSize {
    /// Stable key such as `important_value`.
    pub key: &'static str,
    /// Chinese name.
    pub zh: &'static str,
    /// English name.
    pub en: &'static str,
    /// `high` or `low`.
    pub r: &'static str,
    /// `high` or `low`.
    pub f: &'static str,
    /// `high` or `low`.
    pub m: &'static str,
    /// Members in the segment.
    pub count: u64,
    /// Share of buyers (0–1).
    pub share: f64,
    /// The segment's total net spend, formatted with two decimals.
    pub monetary: String,
}

/// The R × F grid: `counts[r - 1][f - 1]` members have R score `r` and F score `f`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Grid {
    /// Member counts by R score (rows) and F score (columns).
    pub counts: [[u64; 5]; 5],
}

/// Mean scores.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Means {
    /// Mean R score.
    pub r: f64,
    /// Mean F score.
    pub f: f64,
    /// Mean M score.
    pub m: f64,
}

/// The result of [`Workspace::compute`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The analysis date, `YYYY-MM-DD`.
    pub as_of: String,
    /// Whether the analysis date is the default (latest order day + 1).
    pub as_of_default: bool,
    /// Distinct members across all files.
    pub members: u64,
    /// Members with at least one purchase (scored).
    pub buyers: u64,
    /// Order rows used.
    pub orders: u64,
    /// Order rows after the analysis date, left out.
    pub orders_after_as_of: u64,
    /// Members listed in a member file without a purchase.
    pub members_without_orders: u64,
    /// Order rows whose member is missing from the loaded member files (0 when none is loaded).
    pub orders_without_member: u64,
    /// The 8 segments in fixed order.
    pub segments: Vec<SegmentSize>,
    /// The R × F grid.
    pub grid: Grid,
    /// Mean scores.
    pub means: Means,
    /// Every loaded file's report.
    pub files: Vec<FileReport>,
}

/// One row of the member table.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRow {
    /// The member key exactly as written in the input.
    pub id: String,
    /// The name from a member file, or `""`.
    pub name: String,
    /// Days since the last purchase.
    pub recency: i32,
    /// Number of purchases.
    pub frequency: u32,
    /// Net spend, two decimals.
    pub monetary: String,
    /// R score.
    pub r: u8,
    /// F score.
    pub f: u8,
    /// M score.
    pub m: u8,
    /// Segment key.
    pub segment: &'static str,
    /// Segment in Chinese.
    pub segment_zh: &'static str,
    /// Segment in English.
    pub segment_en: &'static str,
}

/// One page of the member table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Page {
    /// Rows in the whole table.
    pub total: u64,
    /// The first row's position.
    pub offset: u64,
    /// The rows.
    pub rows: Vec<MemberRow>,
}

/// A column to sort the member table by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// Member key.
    Id,
    /// Recency.
    Recency,
    /// Frequency.
    Frequency,
    /// Monetary.
    Monetary,
    /// Segment.
    Segment,
}

impl SortKey {
    /// Parses `id`, `recency`, `frequency`, `monetary` or `segment`.
    pub fn parse(text: &str) -> Option<SortKey> {
        Some(match text {
            "id" => SortKey::Id,
            "recency" => SortKey::Recency,
            "frequency" => SortKey::Frequency,
            "monetary" => SortKey::Monetary,
            "segment" => SortKey::Segment,
            _ => return None,
        })
    }
}

/// The workspace.
#[derive(Default)]
pub struct Workspace {
    data: Dataset,
    files: Vec<FileReport>,
    open: Option<FileLoader>,
    rfm: Option<Rfm>,
}

impl Workspace {
    /// An empty workspace.
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// The loaded data.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// Starts a file. `kind` is detected from the header when `None`.
    pub fn begin_file(&mut self, name: &str, options: LoadOptions) -> Result<()> {
        if self.open.is_some() {
            return Err(Error::new("file_open", "上一个文件还在读取中。", "Another file is still being read."));
        }
        self.open = Some(FileLoader::new(name, options));
        Ok(())
    }

    /// Feeds the open file's next chunk; returns the data rows read so far. On error the file is closed.
    pub fn push(&mut self, bytes: &[u8]) -> Result<u64> {
        let loader = self.open.as_mut().ok_or_else(no_open_file)?;
        let result = loader.push(bytes);
        if result.is_err() {
            self.open = None;
        }
        result
    }

    /// The open file's report so far (its columns once the header is read).
    pub fn open_report(&self) -> Option<&FileReport> {
        self.open.as_ref().map(FileLoader::report)
    }

    /// Finishes the open file and merges its rows. On error nothing is merged and earlier data stays.
    pub fn finish_file(&mut self) -> Result<FileReport> {
        let loader = self.open.take().ok_or_else(no_open_file)?;
        let (loaded, mut report) = loader.finish()?;
        match loaded {
            Loaded::Orders(batch, keys) => self.data.append_orders(&batch, &keys),
            Loaded::Members(batch) => report.duplicate_members = self.data.members.append(&batch),
        }
        self.rfm = None;
        self.files.push(report.clone());
        Ok(report)
    }

    /// Drops the open file; everything loaded before stays.
    pub fn cancel_file(&mut self) {
        self.open = None;
    }

    /// Reports of every loaded file.
    pub fn files(&self) -> &[FileReport] {
        &self.files
    }

    /// Forgets every file and result.
    pub fn reset(&mut self) {
        *self = Workspace::default();
    }

    /// Loads a whole file from memory (convenience for tests and the command line).
    pub fn load_bytes(&mut self, name: &str, kind: Option<FileKind>, bytes: &[u8], chunk: usize) -> Result<FileReport> {
        self.begin_file(name, LoadOptions { kind, ..LoadOptions::default() })?;
        for c in bytes.chunks(chunk.max(1)) {
            self.push(c)?;
        }
        self.finish_file()
    }

    /// Computes RFM as of `as_of` (default: the latest order day + 1) and summarises it.
    pub fn compute(&mut self, as_of: Option<Day>) -> Result<Summary> {
        let rfm = rfm::compute(&self.data, as_of)?;
        let summary = self.summarise(&rfm);
        self.rfm = Some(rfm);
        Ok(summary)
    }

    /// The last computed RFM table.
    pub fn rfm(&self) -> Option<&Rfm> {
        self.rfm.as_ref()
    }

    fn summarise(&self, rfm: &Rfm) -> Summary {
        let buyers = rfm.rows.len() as u64;
        let mut spend = [0i64; 8];
        let mut grid = [[0u64; 5]; 5];
        for row in &rfm.rows {
            spend[row.segment as usize] += row.monetary;
            grid[row.r as usize - 1][row.f as usize - 1] += 1;
        }
        let level = |high: bool| if high { "high" } else { "low" };
        let segments = Segment::ALL
            .iter()
            .map(|&s| {
                let (r, f, m) = s.levels();
                let count = rfm.segments[s as usize].len();
                SegmentSize {
                    key: s.key(),
                    zh: s.zh(),
                    en: s.en(),
                    r: level(r),
                    f: level(f),
                    m: level(m),
                    count,
                    share: count as f64 / buyers as f64,
                    monetary: format_amount(spend[s as usize]),
                }
            })
            .collect();
        let members = &self.data.members;
        let any_listed = members.any_listed();
        let mut is_buyer = vec![false; members.len()];
        for row in &rfm.rows {
            is_buyer[row.member as usize] = true;
        }
        let members_without_orders = (0..members.len() as u32).filter(|&m| members.is_listed(m) && !is_buyer[m as usize]).count() as u64;
        let orders_without_member =
            if any_listed { self.data.orders.member.iter().filter(|&&m| !members.is_listed(m)).count() as u64 } else { 0 };
        Summary {
            as_of: rfm.as_of.to_string(),
            as_of_default: rfm.as_of_default,
            members: members.len() as u64,
            buyers,
            orders: rfm.orders_used,
            orders_after_as_of: rfm.orders_after,
            members_without_orders,
            orders_without_member,
            segments,
            grid: Grid { counts: grid },
            means: Means { r: rfm.means[0], f: rfm.means[1], m: rfm.means[2] },
            files: self.files.clone(),
        }
    }

    /// One page of the member table of the last computation, sorted by `sort` (ties by member key).
    pub fn member_page(&self, offset: usize, limit: usize, sort: SortKey, descending: bool) -> Result<Page> {
        let rfm = self.rfm.as_ref().ok_or_else(|| Error::new("not_computed", "请先计算 RFM。", "Compute RFM first."))?;
        let members = &self.data.members;
        let mut order: Vec<&RfmRow> = rfm.rows.iter().collect();
        order.sort_by(|a, b| {
            let primary = match sort {
                SortKey::Id => std::cmp::Ordering::Equal,
                SortKey::Recency => a.recency.cmp(&b.recency),
                SortKey::Frequency => a.frequency.cmp(&b.frequency),
                SortKey::Monetary => a.monetary.cmp(&b.monetary),
                SortKey::Segment => (a.segment as u8).cmp(&(b.segment as u8)),
            };
            let primary = if descending { primary.reverse() } else { primary };
            let by_id = members.key(a.member).cmp(members.key(b.member));
            primary.then(if descending && sort == SortKey::Id { by_id.reverse() } else { by_id })
        });
        let names = members.attr(Role::Name);
        let rows = order
            .iter()
            .skip(offset)
            .take(limit)
            .map(|r| MemberRow {
                id: members.key(r.member).to_string(),
                name: names.map_or("", |a| a.get(r.member)).to_string(),
                recency: r.recency,
                frequency: r.frequency,
                monetary: format_amount(r.monetary),
                r: r.r,
                f: r.f,
                m: r.m,
                segment: r.segment.key(),
                segment_zh: r.segment.zh(),
                segment_en: r.segment.en(),
            })
            .collect();
        Ok(Page { total: rfm.rows.len() as u64, offset: offset as u64, rows })
    }
}

fn no_open_file() -> Error {
    Error::new("no_open_file", "没有正在读取的文件。", "No file is being read.")
}
