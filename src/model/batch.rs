//! A file's rows staged in the loader until the whole file is read, then merged by [`super::Dataset::append`].

use super::Attribute;
use crate::base::dict::Dict;
use crate::base::ids::IdKind;

/// One identifier column of a batch.
#[derive(Clone, Debug)]
pub struct IdColumn {
    /// The identifier kind.
    pub kind: IdKind,
    /// Distinct normalised values.
    pub values: Dict,
    /// Value code per row ([`crate::base::dict::NONE`] when empty).
    pub codes: Vec<u32>,
}

/// Order columns of a batch (codes into the batch's own dictionaries).
#[derive(Clone, Debug, Default)]
pub struct OrderRows {
    /// Order time.
    pub ts: Vec<i64>,
    /// Amount in minor units.
    pub amount: Vec<i64>,
    /// Discount in minor units.
    pub discount: Vec<i64>,
    /// Order number hash ([`crate::base::dict::hash64`]; 0 when absent).
    pub order_id: Vec<u64>,
    /// Category code.
    pub category: Vec<u32>,
    /// Channel code.
    pub channel: Vec<u32>,
    /// Categories.
    pub categories: Dict,
    /// Channels.
    pub channels: Dict,
}

/// Event columns of a batch.
#[derive(Clone, Debug, Default)]
pub struct EventRows {
    /// Event time.
    pub ts: Vec<i64>,
    /// Event type code.
    pub event_type: Vec<u32>,
    /// Target code.
    pub target: Vec<u32>,
    /// Event types.
    pub types: Dict,
    /// Targets.
    pub targets: Dict,
}

/// The kind-specific columns of a batch.
#[derive(Clone, Debug)]
pub enum BatchRows {
    /// Member attributes, one code per row.
    Members(Vec<Attribute>),
    /// Orders.
    Orders(Box<OrderRows>),
    /// Events.
    Events(Box<EventRows>),
    /// Only identifiers.
    Identity,
}

/// The staged rows of one file.
#[derive(Clone, Debug)]
pub struct Batch {
    /// Identifier columns, most authoritative kind first (the first non-empty one is a row's key).
    pub ids: Vec<IdColumn>,
    /// The line each row came from, kept only when there are two or more identifier columns (a row with one
    /// identifier links nothing, and the line is only needed to report a link); empty otherwise. The loader fills
    /// it for every row while a file is read (its cleaning pass reports by line) and drops it after.
    pub lines: Vec<u32>,
    /// The kind-specific columns.
    pub rows: BatchRows,
}

impl Batch {
    /// The number of rows (every identifier column has a code for each row, [`crate::base::dict::NONE`] when empty).
    pub fn len(&self) -> usize {
        self.ids.first().map_or(self.lines.len(), |c| c.codes.len().max(self.lines.len()))
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether rows keep their line (see [`Batch::lines`]).
    pub fn keeps_lines(&self) -> bool {
        self.ids.len() > 1
    }
}

impl Batch {
    /// Reserves room for `more` rows in every column.
    pub fn reserve(&mut self, more: usize) {
        // The loader keeps every row's line until its cleaning pass has reported (see `lines`).
        self.lines.reserve_exact(more);
        for c in &mut self.ids {
            c.codes.reserve_exact(more);
        }
        match &mut self.rows {
            BatchRows::Members(attrs) => attrs.iter_mut().for_each(|a| a.codes.reserve_exact(more)),
            BatchRows::Orders(o) => {
                o.ts.reserve_exact(more);
                o.amount.reserve_exact(more);
                o.discount.reserve_exact(more);
                o.order_id.reserve_exact(more);
                o.category.reserve_exact(more);
                o.channel.reserve_exact(more);
            }
            BatchRows::Events(e) => {
                e.ts.reserve_exact(more);
                e.event_type.reserve_exact(more);
                e.target.reserve_exact(more);
            }
            BatchRows::Identity => {}
        }
    }

    /// Approximate bytes of the rows staged so far (lengths, not reserved room: the loader projects the whole
    /// file's need from this, and reserved room would be counted twice).
    pub fn used_bytes(&self) -> usize {
        let ids: usize = self.ids.iter().map(|c| c.values.heap_bytes() + c.codes.len() * 4).sum();
        let rows = match &self.rows {
            BatchRows::Members(attrs) => attrs.iter().map(|a| a.values.heap_bytes() + a.codes.len() * 4).sum(),
            BatchRows::Orders(o) => {
                (o.ts.len() + o.amount.len() + o.discount.len() + o.order_id.len()) * 8
                    + (o.category.len() + o.channel.len()) * 4
                    + o.categories.heap_bytes()
                    + o.channels.heap_bytes()
            }
            BatchRows::Events(e) => {
                e.ts.len() * 8 + (e.event_type.len() + e.target.len()) * 4 + e.types.heap_bytes() + e.targets.heap_bytes()
            }
            BatchRows::Identity => 0,
        };
        ids + rows + self.lines.len() * 4
    }
}
