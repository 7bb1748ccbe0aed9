//! The workspace: the one stateful facade that owns the data, the open file and the computed results.
//!
//! Everything the browser and the command line do goes through [`Workspace`]; both get the same answers
//! because they run this same code. Results are small serialisable DTOs; the dataset never leaves.

use crate::base::date::Day;
use crate::base::dict::NONE;
use crate::base::ids::IdKind;
use crate::base::roles::{FileKind, Role};
use crate::base::values::format_amount;
use crate::error::{Error, Result};
use crate::identity::{Conflict, IdentityRule};
use crate::ingest::preview::Preview;
use crate::ingest::report::FileReport;
use crate::ingest::{xlsx, FileLoader, Format, LoadOptions};
use crate::model::{Dataset, Memory, People};
use crate::rfm::{self, Rfm, RfmRow, Segment};
use serde::Serialize;

mod audience;
mod export;
mod tagging;

pub use export::{AudienceExport, AudienceExportRequest};
pub use tagging::{RuleCheck, TagsReport};

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
    /// Order rows dated before 1990 or after 2099 (placeholders such as 9999-12-31): the default analysis date
    /// ignores them.
    pub implausible_order_dates: u64,
    /// Why the default analysis date is not simply the latest order day + 1, when it is not.
    pub as_of_warning: Option<Error>,
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
    /// How identifiers joined into people.
    pub identity: IdentitySummary,
    /// Data quality across files.
    pub quality: Quality,
    /// What changed since the previous computation (after appending a file), if there was one.
    pub changes: Option<Changes>,
    /// Memory held by the data.
    pub memory: MemorySummary,
}

/// Identifiers of one kind.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KindCount {
    /// The kind.
    pub kind: IdKind,
    /// Its Chinese name.
    pub zh: &'static str,
    /// Its English name.
    pub en: &'static str,
    /// Distinct identifiers of this kind.
    pub count: u64,
}

/// How raw identifiers became people.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentitySummary {
    /// Distinct identifiers across all files.
    pub identifiers: u64,
    /// People they resolve to.
    pub people: u64,
    /// Distinct identifiers by kind.
    pub by_kind: Vec<KindCount>,
    /// The rule in force.
    pub rule: IdentityRule,
    /// Links refused by the rule (e.g. one phone on two member cards).
    pub conflicts: u64,
    /// The first refused links, to review.
    pub conflict_examples: Vec<Conflict>,
}

/// Data quality across all files.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quality {
    /// Rows read across files.
    pub rows_read: u64,
    /// Rows skipped across files.
    pub rows_skipped: u64,
    /// People with orders but no member-file row (0 when no member file is loaded).
    pub buyers_without_member_row: u64,
    /// People in member files without any order.
    pub members_without_orders: u64,
    /// People seen only in events (no member row, no order).
    pub event_only_people: u64,
    /// Events loaded.
    pub events: u64,
}

/// What changed since the previous computation.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    /// People before.
    pub people_before: u64,
    /// People added.
    pub people_added: u64,
    /// Buyers before.
    pub buyers_before: u64,
    /// Buyers now who were not buyers before (new people included).
    pub new_buyers: u64,
    /// People who were buyers before and are now in another segment.
    pub segment_changed: u64,
    /// Segment sizes before, in [`Segment::ALL`] order.
    pub segments_before: Vec<u64>,
}

/// Memory held by the loaded data.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemorySummary {
    /// Bytes in all.
    pub bytes: u64,
    /// By part.
    pub parts: Memory,
    /// Bytes per person (identifiers + member rows over people).
    pub per_member: f64,
    /// Bytes per order row.
    pub per_order: f64,
    /// Bytes per event row.
    pub per_event: f64,
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

/// The default memory budget: a 32-bit wasm instance can address 4 GiB; browsers give a tab less in practice.
pub const DEFAULT_MEMORY_LIMIT: u64 = 3 << 30;

/// How much of a file must be read before its memory is projected (small files are never stopped).
const PROJECT_AFTER: u64 = 4 << 20;

/// The workspace.
#[derive(Default)]
pub struct Workspace {
    memory_limit: Option<u64>,
    data: Dataset,
    catalog: crate::tags::Catalog,
    tag_cache: crate::tags::TagCache,
    /// Bumped whenever loaded data or the identity rule changes, so results computed before are known stale.
    data_version: u64,
    /// Metric columns of the last computation under the settings they were computed with (JSON), shared by every
    /// frame until the data, the analysis date or the settings change.
    frame_cache: Option<(String, std::rc::Rc<crate::metrics::FrameCache>)>,
    /// The catalog compiled against the data's schema, under its [`crate::tags::compile_key`].
    compiled_cache: Option<(u64, std::rc::Rc<crate::tags::Compiled>)>,
    /// Value sets and rank indexes audience conditions read, each kept beside the column it indexes.
    audience_indexes: crate::audience::index::Indexes,
    files: Vec<FileReport>,
    open: Option<FileLoader>,
    computed: Option<Computed>,
    /// Each identifier node's segment at the last computation (`NO_SEGMENT` when not a buyer).
    before: Option<Before>,
}

/// The last computation.
struct Computed {
    people: People,
    rfm: Rfm,
    /// What M scored in this computation.
    basis: rfm::MonetaryBasis,
    /// The data version it was computed from (see `Workspace::data_version`).
    data_version: u64,
}

struct Before {
    people: u64,
    buyers: u64,
    segments: Vec<u64>,
    /// Segment of each person's key node (`u8::MAX` = not a buyer), indexed by node.
    segment_of_node: Vec<u8>,
}

impl Workspace {
    /// An empty workspace with the default identity rule.
    pub fn new() -> Workspace {
        Workspace { data: Dataset::new(IdentityRule::default()), catalog: crate::tags::Catalog::new(), ..Workspace::default() }
    }

    /// The loaded data.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The keys of the numbered orders loaded, for a file that may hold orders (its kind is orders or not yet
    /// known): rebuilt from the order columns for the file's load only, never held after it.
    fn known_orders(&self, options: &LoadOptions) -> std::rc::Rc<Vec<u64>> {
        let may_hold_orders = matches!(options.kind, None | Some(FileKind::Orders));
        if may_hold_orders && !self.data.orders.is_empty() {
            std::rc::Rc::new(self.data.orders.known_keys())
        } else {
            std::rc::Rc::default()
        }
    }

    /// Looks at a file before loading it (see [`FileLoader::preview`]).
    pub fn preview(&self, name: &str, bytes: &[u8], complete: bool, options: &LoadOptions) -> Result<Preview> {
        FileLoader::preview(name, bytes, complete, options)
    }

    /// Starts a text file (CSV or JSON Lines).
    pub fn begin_file(&mut self, name: &str, options: LoadOptions) -> Result<()> {
        if self.open.is_some() {
            return Err(Error::file_open());
        }
        let known = self.known_orders(&options);
        let mut loader = FileLoader::new(name, options)?;
        loader.known_orders(known);
        self.open = Some(loader);
        Ok(())
    }

    /// Feeds the open file's next chunk; returns the data rows read so far. On error the file is closed and
    /// everything loaded before stays. When the file's size is known, the memory the whole file will need is
    /// projected from what has been read, and the load stops with `file_too_large` before it would exceed the limit.
    pub fn push(&mut self, bytes: &[u8]) -> Result<u64> {
        let loader = self.open.as_mut().ok_or_else(no_open_file)?;
        let mut result = loader.push(bytes);
        if result.is_ok() {
            if let Some(e) = self.projected_overflow() {
                result = Err(e);
            }
        }
        if result.is_err() {
            self.open = None;
        }
        result
    }

    /// The memory budget in bytes.
    pub fn memory_limit(&self) -> u64 {
        self.memory_limit.unwrap_or(DEFAULT_MEMORY_LIMIT)
    }

    /// Sets the memory budget (the page sets it from what the browser allows; tests set it low).
    pub fn set_memory_limit(&mut self, bytes: u64) {
        self.memory_limit = Some(bytes);
    }

    /// The error to stop the open file with, if its projected size would not fit the memory budget.
    fn projected_overflow(&self) -> Option<Error> {
        let loader = self.open.as_ref()?;
        let size = loader.options().size?;
        let read = loader.report().bytes;
        if read < PROJECT_AFTER.min(size) || read == 0 {
            return None;
        }
        // Staged columns move into the dataset when merged (encoded narrower there, one column at a time), and
        // identifiers grow the identity graph, which a quarter more covers.
        let staged = loader.staged_bytes() as f64 * size as f64 / read as f64;
        let held = self.memory().bytes as f64;
        let projected = held + 1.25 * staged;
        let limit = self.memory_limit() as f64;
        if projected <= limit {
            return None;
        }
        let name = &loader.report().name;
        let (need, have) = (projected / (1 << 20) as f64, limit / (1 << 20) as f64);
        Some(Error::file_too_large(name, need, have))
    }

    /// The open file's report so far (its columns once the mapping is settled).
    pub fn open_report(&self) -> Option<&FileReport> {
        self.open.as_ref().map(FileLoader::report)
    }

    /// Finishes the open file and merges its rows. On error nothing is merged and earlier data stays.
    pub fn finish_file(&mut self) -> Result<FileReport> {
        let loader = self.open.take().ok_or_else(no_open_file)?;
        let (batch, report) = loader.finish()?;
        Ok(self.merge(batch, report))
    }

    /// Loads a sheet of an XLSX workbook (the first sheet unless `options.sheet` names one).
    pub fn load_workbook(&mut self, name: &str, bytes: &[u8], mut options: LoadOptions) -> Result<FileReport> {
        if self.open.is_some() {
            return Err(Error::file_open());
        }
        let (sheet, rows) = xlsx::read_sheet(bytes, options.sheet.as_deref())?;
        options.sheet = Some(sheet);
        options.format = Some(Format::Xlsx);
        let known = self.known_orders(&options);
        let mut loader = FileLoader::new(name, options)?;
        loader.known_orders(known);
        loader.push_rows(&rows)?;
        let (batch, mut report) = loader.finish()?;
        report.bytes = bytes.len() as u64;
        Ok(self.merge(batch, report))
    }

    fn merge(&mut self, batch: crate::model::batch::Batch, mut report: FileReport) -> FileReport {
        let outcome = self.data.append(batch, &report.name);
        self.data_version += 1;
        report.new_identifiers = outcome.new_identifiers;
        self.files.push(report.clone());
        report
    }

    /// Loads a synthetic dataset built straight into columns (members, orders and events from one seed), for
    /// benchmarks at millions of members without generating and parsing text.
    pub fn load_synthetic(&mut self, seed: u64, size: crate::sample::synthetic::Size) {
        use crate::sample::synthetic;
        for (name, kind, batch) in [
            ("synthetic_members", FileKind::Members, synthetic::members(seed, size)),
            ("synthetic_orders", FileKind::Orders, synthetic::orders(seed, size)),
            ("synthetic_events", FileKind::Events, synthetic::events(seed, size)),
        ] {
            let mut report = FileReport::new(name, kind);
            report.rows_read = batch.len() as u64;
            report.rows_loaded = batch.len() as u64;
            self.merge(batch, report);
        }
    }

    /// Drops the open file; everything loaded before stays.
    pub fn cancel_file(&mut self) {
        self.open = None;
    }

    /// Reports of every loaded file.
    pub fn files(&self) -> &[FileReport] {
        &self.files
    }

    /// Forgets every file and result (the identity rule and the tag catalog stay).
    pub fn reset(&mut self) {
        let rule = self.data.ids.rule().clone();
        let catalog = std::mem::take(&mut self.catalog);
        *self = Workspace { data: Dataset::new(rule), catalog, ..Workspace::default() };
    }

    /// The identity rule in force.
    pub fn identity_rule(&self) -> &IdentityRule {
        self.data.ids.rule()
    }

    /// Sets which identifiers link people and which are unique, re-linking what is loaded (no file is re-read).
    pub fn set_identity_rule(&mut self, rule: IdentityRule) {
        self.data.ids.set_rule(rule);
        self.data_version += 1;
    }

    /// Loads a whole text file from memory (convenience for tests and the command line).
    pub fn load_bytes(&mut self, name: &str, kind: Option<FileKind>, bytes: &[u8], chunk: usize) -> Result<FileReport> {
        let format = Format::detect(name, bytes);
        let options = LoadOptions { kind, format: Some(format), size: Some(bytes.len() as u64), ..LoadOptions::default() };
        if format == Format::Xlsx {
            return self.load_workbook(name, bytes, options);
        }
        self.begin_file(name, options)?;
        for c in bytes.chunks(chunk.max(1)) {
            self.push(c)?;
        }
        self.finish_file()
    }

    /// Computes RFM as of `as_of` (default: the latest order day + 1) and summarises it.
    pub fn compute(&mut self, as_of: Option<Day>) -> Result<Summary> {
        let people = self.data.people();
        let person_of_order: Vec<u32> = self.data.orders.node.map(|n| people.resolution.person(n));
        let basis = self.catalog.settings.rfm_monetary;
        let rfm = rfm::compute(&self.data.orders, &person_of_order, people.len(), as_of, basis)?;
        let computed = Computed { people, rfm, basis, data_version: self.data_version };
        self.tag_cache.clear();
        self.frame_cache = None;
        let summary = self.summarise(&computed, &person_of_order);
        self.before = Some(self.snapshot(&computed, &summary));
        self.computed = Some(computed);
        Ok(summary)
    }

    /// The last computed RFM table.
    pub fn rfm(&self) -> Option<&Rfm> {
        self.computed.as_ref().map(|c| &c.rfm)
    }

    /// The people of the last computation.
    pub fn people(&self) -> Option<&People> {
        self.computed.as_ref().map(|c| &c.people)
    }

    /// The key of a person (their member id as written, else their first identifier).
    pub fn person_key(&self, person: u32) -> &str {
        match &self.computed {
            Some(c) => self.data.ids.value(c.people.resolution.key_node[person as usize]),
            None => "",
        }
    }

    /// The person of the last computation who holds an identifier (`kind`, raw value), if any.
    pub fn find_person(&self, kind: IdKind, value: &str) -> Option<u32> {
        let node = self.data.ids.find_node(kind, &kind.normalise(value)?)?;
        // A node added after the last computation belongs to nobody in it (recompute to see it).
        self.computed.as_ref()?.people.resolution.person_of_node.get(node as usize).copied()
    }

    /// Memory held by the data.
    pub fn memory(&self) -> MemorySummary {
        let parts = self.data.memory();
        let people = self.computed.as_ref().map_or(self.data.ids.len(), |c| c.people.len()).max(1) as f64;
        MemorySummary {
            bytes: parts.identifiers + parts.members + parts.orders + parts.events,
            per_member: (parts.identifiers + parts.members) as f64 / people,
            per_order: parts.orders as f64 / self.data.orders.len().max(1) as f64,
            per_event: parts.events as f64 / self.data.events.len().max(1) as f64,
            parts,
        }
    }

    fn snapshot(&self, computed: &Computed, summary: &Summary) -> Before {
        let mut segment_of_node = vec![u8::MAX; self.data.ids.len()];
        for row in &computed.rfm.rows {
            segment_of_node[computed.people.resolution.key_node[row.member as usize] as usize] = row.segment as u8;
        }
        Before {
            people: summary.members,
            buyers: summary.buyers,
            segments: summary.segments.iter().map(|s| s.count).collect(),
            segment_of_node,
        }
    }

    fn changes(&self, computed: &Computed, buyers: u64) -> Option<Changes> {
        let before = self.before.as_ref()?;
        let mut new_buyers = 0;
        let mut segment_changed = 0;
        for row in &computed.rfm.rows {
            let node = computed.people.resolution.key_node[row.member as usize] as usize;
            match before.segment_of_node.get(node).copied().unwrap_or(u8::MAX) {
                u8::MAX => new_buyers += 1,
                s if s != row.segment as u8 => segment_changed += 1,
                _ => {}
            }
        }
        Some(Changes {
            people_before: before.people,
            people_added: (computed.people.len() as u64).saturating_sub(before.people),
            buyers_before: before.buyers,
            new_buyers: new_buyers.min(buyers),
            segment_changed,
            segments_before: before.segments.clone(),
        })
    }

    fn summarise(&self, computed: &Computed, person_of_order: &[u32]) -> Summary {
        let (rfm, people) = (&computed.rfm, &computed.people);
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
        let n = people.len();
        let any_listed = !self.data.members.is_empty();
        let mut has_order = vec![false; n];
        for &p in person_of_order {
            has_order[p as usize] = true;
        }
        let mut has_event = vec![false; n];
        self.data.events.node.for_each_run(|node| has_event[people.resolution.person(node) as usize] = true);
        let mut is_buyer = vec![false; n];
        for row in &rfm.rows {
            is_buyer[row.member as usize] = true;
        }
        let listed = |p: usize| people.member_row[p] != NONE;
        let members_without_orders = (0..n).filter(|&p| listed(p) && !is_buyer[p]).count() as u64;
        let orders_without_member = if any_listed { person_of_order.iter().filter(|&&p| !listed(p as usize)).count() as u64 } else { 0 };
        let buyers_without_member_row = if any_listed { (0..n).filter(|&p| has_order[p] && !listed(p)).count() as u64 } else { 0 };
        let event_only_people = (0..n).filter(|&p| has_event[p] && !has_order[p] && !listed(p)).count() as u64;
        let ids = &self.data.ids;
        Summary {
            as_of: rfm.as_of.to_string(),
            as_of_default: rfm.as_of_default,
            members: n as u64,
            buyers,
            orders: rfm.orders_used,
            orders_after_as_of: rfm.orders_after,
            implausible_order_dates: rfm.implausible_dates,
            as_of_warning: (rfm.as_of_default && rfm.implausible_dates > 0)
                .then(|| Error::implausible_order_dates(rfm.implausible_dates, &rfm.as_of.to_string())),
            members_without_orders,
            orders_without_member,
            segments,
            grid: Grid { counts: grid },
            means: Means { r: rfm.means[0], f: rfm.means[1], m: rfm.means[2] },
            files: self.files.clone(),
            identity: IdentitySummary {
                identifiers: ids.len() as u64,
                people: n as u64,
                by_kind: ids
                    .count_by_kind()
                    .into_iter()
                    .map(|(kind, count)| KindCount { kind, zh: kind.zh(), en: kind.en(), count })
                    .collect(),
                rule: ids.rule().clone(),
                conflicts: ids.conflict_count(),
                conflict_examples: ids.conflicts().to_vec(),
            },
            quality: Quality {
                rows_read: self.files.iter().map(|f| f.rows_read).sum(),
                rows_skipped: self.files.iter().map(|f| f.rows_skipped).sum(),
                buyers_without_member_row,
                members_without_orders,
                event_only_people,
                events: self.data.events.len() as u64,
            },
            changes: self.changes(computed, buyers),
            memory: self.memory(),
        }
    }

    /// One page of the member table of the last computation, sorted by `sort` (ties by member key).
    pub fn member_page(&self, offset: usize, limit: usize, sort: SortKey, descending: bool) -> Result<Page> {
        let computed = self.computed.as_ref().ok_or_else(Error::not_computed)?;
        let key = |r: &RfmRow| self.person_key(r.member);
        let mut order: Vec<&RfmRow> = computed.rfm.rows.iter().collect();
        order.sort_by(|a, b| {
            let primary = match sort {
                SortKey::Id => std::cmp::Ordering::Equal,
                SortKey::Recency => a.recency.cmp(&b.recency),
                SortKey::Frequency => a.frequency.cmp(&b.frequency),
                SortKey::Monetary => a.monetary.cmp(&b.monetary),
                SortKey::Segment => (a.segment as u8).cmp(&(b.segment as u8)),
            };
            let primary = if descending { primary.reverse() } else { primary };
            let by_id = key(a).cmp(key(b));
            primary.then(if descending && sort == SortKey::Id { by_id.reverse() } else { by_id })
        });
        let names = self.data.members.attr(Role::Name);
        let name_of = |p: u32| match (names, computed.people.member_row[p as usize]) {
            (Some(a), row) if row != NONE => a.get(row).to_string(),
            _ => String::new(),
        };
        let rows = order
            .iter()
            .skip(offset)
            .take(limit)
            .map(|r| MemberRow {
                id: key(r).to_string(),
                name: name_of(r.member),
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
        Ok(Page { total: computed.rfm.rows.len() as u64, offset: offset as u64, rows })
    }
}

fn no_open_file() -> Error {
    Error::no_open_file()
}
