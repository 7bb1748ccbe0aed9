//! The member table, a page at a time, sorted by a column.

use super::*;

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

impl Workspace {
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
