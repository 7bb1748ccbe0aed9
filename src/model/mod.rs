//! The columnar store: identifiers, member rows, orders and events as parallel columns.
//!
//! Strings are dictionary-encoded, times are seconds since 1970-01-01 in the data's local time, and money is
//! integer minor units (fen), so sums are exact and results are the same on every platform. Rows refer to people
//! through identifier nodes of the [`IdentityGraph`]; people get dense `u32` indices when the graph is resolved.

pub mod batch;
pub mod column;
pub mod people;
pub mod snapshot;

use crate::base::dict::{remap_all, Dict, NONE};
use crate::base::roles::Role;
use crate::identity::{IdentityGraph, IdentityRule, Node, Resolution};
use batch::{Batch, BatchRows};
use column::{Codes, Ints, Nodes};

/// One text column, dictionary-encoded, with one code per row.
#[derive(Clone, Debug, Default)]
pub struct Attribute {
    /// The header it came from.
    pub header: String,
    /// Its role, when recognised.
    pub role: Option<Role>,
    /// The distinct values.
    pub values: Dict,
    /// The value code per row ([`NONE`] when empty).
    pub codes: Vec<u32>,
}

impl Attribute {
    /// The value of a row, or `""`.
    pub fn get(&self, row: u32) -> &str {
        self.codes.get(row as usize).map_or("", |&c| self.values.get(c))
    }
}

/// Rows of member files: the identifier node of each row and its attribute columns.
#[derive(Clone, Debug, Default)]
pub struct MemberRows {
    /// The main identifier of each row.
    pub node: Vec<Node>,
    /// Attribute columns (same header or role across files share a column).
    pub attrs: Vec<Attribute>,
}

impl MemberRows {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.node.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.node.is_empty()
    }

    /// The attribute column with a role.
    pub fn attr(&self, role: Role) -> Option<&Attribute> {
        self.attrs.iter().find(|a| a.role == Some(role))
    }
}

/// Orders as parallel encoded columns ([`column`]).
#[derive(Clone, Debug, Default)]
pub struct Orders {
    /// The identifier node of the buyer.
    pub node: Nodes,
    /// Order time (seconds since 1970-01-01, local).
    pub ts: Ints,
    /// Amount in minor units; negative for refunds.
    pub amount: Ints,
    /// Discount in minor units (0 when unknown).
    pub discount: Ints,
    /// Order number hash, its bits as `i64` (0 when absent).
    pub order_id: Ints,
    /// Category code ([`NONE`] when absent).
    pub category: Codes,
    /// Channel code ([`NONE`] when absent).
    pub channel: Codes,
    /// Categories.
    pub categories: Dict,
    /// Channels.
    pub channels: Dict,
}

impl Orders {
    /// The number of order rows.
    pub fn len(&self) -> usize {
        self.node.len()
    }

    /// Whether there are no orders.
    pub fn is_empty(&self) -> bool {
        self.node.is_empty()
    }

    /// The key ([`crate::base::dict::row_key`]) of every numbered order row loaded, sorted and deduplicated: the
    /// loader refuses a later file's row repeating one. Rebuilt from the columns when a later file needs it (a few
    /// hundred milliseconds at ten million orders) rather than held after load.
    pub fn known_keys(&self) -> Vec<u64> {
        let mut keys = Vec::new();
        let (mut ids, mut ts, mut amount) = (Vec::new(), Vec::new(), Vec::new());
        for lo in (0..self.len()).step_by(CHUNK) {
            let hi = (lo + CHUNK).min(self.len());
            let ids = self.order_id.chunk(lo, hi, &mut ids);
            let ts = self.ts.chunk(lo, hi, &mut ts);
            let amount = self.amount.chunk(lo, hi, &mut amount);
            keys.extend((0..hi - lo).filter(|&k| ids[k] != 0).map(|k| crate::base::dict::row_key(ids[k] as u64, ts[k], amount[k])));
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

/// Rows decoded at a time by readers that walk a whole table.
pub const CHUNK: usize = 4096;

/// Behaviour events as parallel encoded columns ([`column`]).
#[derive(Clone, Debug, Default)]
pub struct Events {
    /// The identifier node of the actor.
    pub node: Nodes,
    /// Event time.
    pub ts: Ints,
    /// Event type code ([`NONE`] when absent).
    pub event_type: Codes,
    /// Target code ([`NONE`] when absent).
    pub target: Codes,
    /// Event types.
    pub types: Dict,
    /// Targets.
    pub targets: Dict,
}

impl Events {
    /// The number of events.
    pub fn len(&self) -> usize {
        self.node.len()
    }

    /// Whether there are no events.
    pub fn is_empty(&self) -> bool {
        self.node.is_empty()
    }
}

/// What merging one file did beyond appending rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    /// Identifiers the file added.
    pub new_identifiers: u64,
}

/// Everything loaded.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// Identifiers and how they join into people.
    pub ids: IdentityGraph,
    /// Member-file rows.
    pub members: MemberRows,
    /// Orders.
    pub orders: Orders,
    /// Events.
    pub events: Events,
}

impl Dataset {
    /// An empty dataset with an identity rule.
    pub fn new(rule: IdentityRule) -> Dataset {
        Dataset { ids: IdentityGraph::new(rule), ..Dataset::default() }
    }

    /// Merges a finished file's rows: identifiers are linked in row order, then rows are appended. The batch is
    /// taken by value so that a table's first file moves its columns in instead of copying them (a copy would
    /// double the memory a large file needs at its peak).
    pub fn append(&mut self, batch: Batch, file: &str) -> MergeOutcome {
        let before = self.ids.len();
        let rows_len = batch.len();
        let Batch { mut ids, lines, rows } = batch;
        let tables: Vec<Vec<Node>> = ids.iter_mut().map(|c| self.ids.nodes_of(c.kind, std::mem::take(&mut c.values))).collect();
        let mut keys: Vec<Node>;
        if let [col] = ids.as_mut_slice() {
            // One identifier column: every row's key is its node, written over its code (no second column at the
            // peak), and a single identifier links nothing.
            keys = std::mem::take(&mut col.codes);
            keys.iter_mut().for_each(|k| *k = tables[0][*k as usize]);
        } else {
            keys = Vec::with_capacity(rows_len);
            let mut nodes = Vec::with_capacity(ids.len());
            for (row, &line) in lines.iter().enumerate().take(rows_len) {
                nodes.clear();
                for (col, table) in ids.iter().zip(&tables) {
                    let code = col.codes[row];
                    if code != NONE {
                        nodes.push(table[code as usize]);
                    }
                }
                self.ids.link_row(&nodes, file, u64::from(line));
                keys.push(nodes[0]);
            }
        }
        let outcome = MergeOutcome { new_identifiers: (self.ids.len() - before) as u64 };
        drop((ids, lines, tables));
        match rows {
            BatchRows::Members(attrs) => self.append_members(&keys, attrs),
            BatchRows::Orders(o) => self.append_orders(keys, *o),
            BatchRows::Events(e) => {
                let mut e = *e;
                let types = self.events.types.absorb(std::mem::take(&mut e.types));
                let targets = self.events.targets.absorb(std::mem::take(&mut e.targets));
                remap_all(&mut e.event_type, types.as_deref());
                remap_all(&mut e.target, targets.as_deref());
                // Each staged column is encoded and dropped in turn, so the load's peak holds one column twice at most.
                let ev = &mut self.events;
                ev.node.extend(keys);
                ev.ts.extend(e.ts);
                ev.event_type.extend(e.event_type);
                ev.target.extend(e.target);
            }
            BatchRows::Identity => {}
        }
        outcome
    }

    fn append_orders(&mut self, keys: Vec<Node>, mut o: batch::OrderRows) {
        let cats = self.orders.categories.absorb(std::mem::take(&mut o.categories));
        let chans = self.orders.channels.absorb(std::mem::take(&mut o.channels));
        remap_all(&mut o.category, cats.as_deref());
        remap_all(&mut o.channel, chans.as_deref());
        let to = &mut self.orders;
        to.node.extend(keys);
        to.ts.extend(o.ts);
        to.amount.extend(o.amount);
        to.discount.extend(o.discount);
        to.order_id.extend(o.order_id.into_iter().map(|h| h as i64).collect());
        to.category.extend(o.category);
        to.channel.extend(o.channel);
    }

    fn append_members(&mut self, keys: &[Node], attrs: Vec<Attribute>) {
        let start = self.members.len();
        self.members.node.extend_from_slice(keys);
        for col in attrs {
            let pos = self.members.attrs.iter().position(|a| {
                (a.role.is_some() && a.role == col.role) || (a.role.is_none() && col.role.is_none() && a.header == col.header)
            });
            let pos = pos.unwrap_or_else(|| {
                self.members.attrs.push(Attribute { header: col.header.clone(), role: col.role, ..Attribute::default() });
                self.members.attrs.len() - 1
            });
            let attr = &mut self.members.attrs[pos];
            let Attribute { values, mut codes, .. } = col;
            let table = attr.values.absorb(values);
            remap_all(&mut codes, table.as_deref());
            attr.codes.resize(start, NONE);
            extend_or_move(&mut attr.codes, codes);
        }
        let n = self.members.len();
        for attr in &mut self.members.attrs {
            attr.codes.resize(n, NONE);
        }
    }

    /// Resolves identifiers into people and indexes what each person has.
    pub fn people(&self) -> People {
        let resolution = self.ids.resolve();
        let mut member_row = vec![NONE; resolution.len()];
        for (row, &node) in self.members.node.iter().enumerate() {
            member_row[resolution.person(node) as usize] = row as u32;
        }
        People { resolution, member_row }
    }

    /// Approximate heap bytes held, by table.
    pub fn memory(&self) -> Memory {
        let dict = |d: &Dict| d.heap_bytes();
        let ids = self.ids.heap_bytes();
        let members =
            self.members.node.capacity() * 4 + self.members.attrs.iter().map(|a| a.codes.capacity() * 4 + dict(&a.values)).sum::<usize>();
        let o = &self.orders;
        let orders = o.node.heap_bytes()
            + o.ts.heap_bytes()
            + o.amount.heap_bytes()
            + o.discount.heap_bytes()
            + o.order_id.heap_bytes()
            + o.category.heap_bytes()
            + o.channel.heap_bytes()
            + dict(&o.categories)
            + dict(&o.channels);
        let e = &self.events;
        let events =
            e.node.heap_bytes() + e.ts.heap_bytes() + e.event_type.heap_bytes() + e.target.heap_bytes() + dict(&e.types) + dict(&e.targets);
        Memory { identifiers: ids as u64, members: members as u64, orders: orders as u64, events: events as u64 }
    }
}

/// Appends `more` to `to`, moving it in when `to` is empty, and otherwise growing `to` by exactly what it needs.
fn extend_or_move<T: Copy>(to: &mut Vec<T>, mut more: Vec<T>) {
    if to.is_empty() {
        more.shrink_to_fit();
        *to = more;
    } else {
        to.reserve_exact(more.len());
        to.extend_from_slice(&more);
    }
}

/// Approximate heap bytes of the dataset's parts.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Memory {
    /// The identity graph.
    pub identifiers: u64,
    /// Member rows and attributes.
    pub members: u64,
    /// Orders.
    pub orders: u64,
    /// Events.
    pub events: u64,
}

/// People: the resolution of identifiers, and each person's member row (the last one loaded).
#[derive(Clone, Debug, Default)]
pub struct People {
    /// Person of each identifier node.
    pub resolution: Resolution,
    /// The member row of each person ([`NONE`] when no member file lists them).
    pub member_row: Vec<u32>,
}

impl People {
    /// The number of people.
    pub fn len(&self) -> usize {
        self.resolution.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.resolution.is_empty()
    }

    /// Whether a member file lists this person.
    pub fn is_listed(&self, person: u32) -> bool {
        self.member_row[person as usize] != NONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::synthetic::{self, Size};

    /// The plain columns of a synthetic orders batch: (node codes, times, amounts, order ids, category names).
    #[allow(clippy::type_complexity)]
    fn plain(batch: &Batch) -> (Vec<u32>, Vec<i64>, Vec<i64>, Vec<u64>, Vec<String>) {
        let BatchRows::Orders(o) = &batch.rows else { panic!("an orders batch") };
        let names = o.category.iter().map(|&c| o.categories.get(c).to_string()).collect();
        (batch.ids[0].codes.clone(), o.ts.clone(), o.amount.clone(), o.order_id.clone(), names)
    }

    #[test]
    fn appended_files_read_back_as_loaded_and_keep_their_keys() {
        let size = Size { members: 300, orders: 3000, events: 0 };
        let (a, b) = (synthetic::orders(1, size), synthetic::orders(2, size));
        let (pa, pb) = (plain(&a), plain(&b));
        let mut data = Dataset::new(IdentityRule::default());
        data.append(a, "a.csv");
        let width = data.orders.ts.width();
        data.append(b, "b.csv");
        let o = &data.orders;
        assert_eq!(o.len(), pa.0.len() + pb.0.len());
        assert!(o.node.is_runs(), "files grouped by member keep their nodes as runs");
        assert!(width <= 4 && o.ts.width() <= 4 && o.category.width() == 1);
        let cat = |code: u32, d: &Dict| d.get(code).to_string();
        for (i, k) in (0..pa.0.len()).map(|k| (k, k)).chain((0..pb.0.len()).map(|k| (pa.0.len() + k, k))) {
            let p = if i < pa.0.len() { &pa } else { &pb };
            assert_eq!((o.ts.get(i), o.amount.get(i), o.order_id.get(i) as u64), (p.1[k], p.2[k], p.3[k]), "row {i}");
            assert_eq!(cat(o.category.get(i), &o.categories), p.4[k], "row {i}");
        }
        // Both files' nodes are the same members' (one identifier column, the same member numbers).
        assert_eq!(o.node.get(0), o.node.get(pa.0.len() + pb.0.iter().position(|&c| c == pa.0[0]).unwrap()));
        let mut keys: Vec<u64> =
            pa.3.iter()
                .zip(&pa.1)
                .zip(&pa.2)
                .chain(pb.3.iter().zip(&pb.1).zip(&pb.2))
                .filter(|((&id, _), _)| id != 0)
                .map(|((&id, &t), &m)| crate::base::dict::row_key(id, t, m))
                .collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(o.known_keys(), keys);
        // Held bytes are what the encoded columns reserve, well under the plain columns' 44 bytes an order.
        assert!(data.memory().orders < 30 * o.len() as u64, "{:?}", data.memory());
    }
}
