//! The `Summary` of a computation (counts, segment sizes, the R × F grid, identity, quality, memory, what changed
//! since the previous computation) and how the workspace builds it.

use super::*;

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
    /// Rows left out by the cleaning rules across files.
    pub rows_dropped: u64,
    /// What each cleaning rule found across files (examples name their file).
    pub findings: Vec<crate::ingest::report::Finding>,
    /// The data's time zone (instants were converted into it).
    pub time_zone: String,
    /// Buyers (people with a purchase, docs/rfm.md) without a member-file row (0 when no member file is loaded).
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

impl Workspace {
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

    pub(super) fn snapshot(&self, computed: &Computed, summary: &Summary) -> Before {
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

    pub(super) fn summarise(&self, computed: &Computed, person_of_order: &[u32]) -> Summary {
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
        let buyers_without_member_row = if any_listed { (0..n).filter(|&p| is_buyer[p] && !listed(p)).count() as u64 } else { 0 };
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
                rows_dropped: self.files.iter().map(|f| f.rows_dropped).sum(),
                findings: self.overall_findings(),
                time_zone: self.cleaning.time_zone.name.clone(),
                buyers_without_member_row,
                members_without_orders,
                event_only_people,
                events: self.data.events.len() as u64,
            },
            changes: self.changes(computed, buyers),
            memory: self.memory(),
        }
    }
}

impl Workspace {
    /// Every file's findings summed by rule, the first examples of each naming their file.
    fn overall_findings(&self) -> Vec<crate::ingest::report::Finding> {
        let mut all: Vec<crate::ingest::report::Finding> = Vec::new();
        for file in &self.files {
            for f in &file.findings {
                let at = match all.iter().position(|a| a.rule == f.rule) {
                    Some(i) => i,
                    None => {
                        all.push(crate::ingest::report::Finding { rule: f.rule, applied: f.applied, count: 0, examples: Vec::new() });
                        all.len() - 1
                    }
                };
                let a = &mut all[at];
                a.count += f.count;
                a.applied |= f.applied;
                let room = crate::ingest::report::MAX_EXAMPLES.saturating_sub(a.examples.len());
                a.examples
                    .extend(f.examples.iter().take(room).map(|e| crate::ingest::report::Problem { file: file.name.clone(), ..e.clone() }));
            }
        }
        all
    }
}
