//! The columnar store: members with dense `u32` indices, orders as parallel columns.
//!
//! Strings are dictionary-encoded, times are seconds since 1970-01-01 in the data's local time, and
//! money is integer minor units (fen), so sums are exact and results are the same on every platform.

pub mod date;
pub mod dict;

use crate::ingest::mapping::Role;
use dict::{remap, Dict, NONE};

/// One member attribute column (from a member file), dictionary-encoded and indexed by member.
#[derive(Clone, Debug)]
pub struct Attribute {
    /// The header it came from.
    pub header: String,
    /// Its role, when recognised.
    pub role: Option<Role>,
    /// The distinct values.
    pub values: Dict,
    /// The value code per member index ([`NONE`] when unknown).
    pub codes: Vec<u32>,
}

impl Attribute {
    /// The value for a member, or `""`.
    pub fn get(&self, member: u32) -> &str {
        self.codes.get(member as usize).map_or("", |&c| self.values.get(c))
    }
}

/// Every member: the key as written in the files, whether a member file lists it, and attributes.
#[derive(Clone, Debug, Default)]
pub struct Members {
    keys: Dict,
    listed: Vec<bool>,
    /// Attribute columns from member files.
    pub attrs: Vec<Attribute>,
}

impl Members {
    /// The number of members.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The dense index of a member key, adding it when new.
    pub fn index(&mut self, key: &str) -> u32 {
        let i = self.keys.intern(key);
        if i as usize == self.listed.len() {
            self.listed.push(false);
        }
        i
    }

    /// The member key exactly as written in the input.
    pub fn key(&self, member: u32) -> &str {
        self.keys.get(member)
    }

    /// The index of a key if present.
    pub fn find(&self, key: &str) -> Option<u32> {
        self.keys.code(key)
    }

    /// Whether a member file lists this member.
    pub fn is_listed(&self, member: u32) -> bool {
        self.listed.get(member as usize).copied().unwrap_or(false)
    }

    /// Whether any member file was loaded.
    pub fn any_listed(&self) -> bool {
        self.listed.iter().any(|&l| l)
    }

    /// The attribute with a role, if a member file had one.
    pub fn attr(&self, role: Role) -> Option<&Attribute> {
        self.attrs.iter().find(|a| a.role == Some(role))
    }

    /// Merges a batch of member rows; a later row for the same member overwrites earlier values.
    /// Returns how many rows repeated a member already seen in a member file.
    pub fn append(&mut self, batch: &MemberBatch) -> u64 {
        let idx: Vec<u32> = batch.keys.values().map(|k| self.index(k)).collect();
        let mut repeats = 0;
        for &k in &batch.rows {
            let m = idx[k as usize] as usize;
            repeats += u64::from(self.listed[m]);
            self.listed[m] = true;
        }
        for col in &batch.attrs {
            let pos = match self
                .attrs
                .iter()
                .position(|a| (a.role.is_some() && a.role == col.role) || (a.role.is_none() && a.header == col.header))
            {
                Some(p) => p,
                None => {
                    self.attrs.push(Attribute { header: col.header.clone(), role: col.role, values: Dict::new(), codes: Vec::new() });
                    self.attrs.len() - 1
                }
            };
            let attr = &mut self.attrs[pos];
            let table = attr.values.absorb(&col.values);
            attr.codes.resize(self.keys.len(), NONE);
            for (row, &k) in batch.rows.iter().enumerate() {
                let code = remap(col.codes[row], &table);
                if code != NONE {
                    attr.codes[idx[k as usize] as usize] = code;
                }
            }
        }
        for attr in &mut self.attrs {
            attr.codes.resize(self.keys.len(), NONE);
        }
        repeats
    }
}

/// Member rows read from one file, keyed locally until merged.
#[derive(Clone, Debug, Default)]
pub struct MemberBatch {
    /// Distinct member keys of the file.
    pub keys: Dict,
    /// The key code of each row.
    pub rows: Vec<u32>,
    /// Attribute columns, each with one code per row.
    pub attrs: Vec<Attribute>,
}

/// Orders as parallel columns. In a batch, `member` holds codes of the batch's own key dictionary.
#[derive(Clone, Debug, Default)]
pub struct Orders {
    /// Member index (or batch key code) per order.
    pub member: Vec<u32>,
    /// Order time per order (seconds since 1970-01-01, local).
    pub ts: Vec<i64>,
    /// Amount per order in minor units; negative for refunds.
    pub amount: Vec<i64>,
    /// Order number code per order ([`NONE`] when absent).
    pub order_id: Vec<u32>,
    /// Category code per order ([`NONE`] when absent).
    pub category: Vec<u32>,
    /// Channel code per order ([`NONE`] when absent).
    pub channel: Vec<u32>,
    /// Order numbers.
    pub order_ids: Dict,
    /// Categories.
    pub categories: Dict,
    /// Channels.
    pub channels: Dict,
}

impl Orders {
    /// The number of order rows.
    pub fn len(&self) -> usize {
        self.member.len()
    }

    /// Whether there are no orders.
    pub fn is_empty(&self) -> bool {
        self.member.is_empty()
    }

    /// Appends a batch whose member codes are mapped through `members` (batch code → member index).
    pub fn append(&mut self, batch: &Orders, members: &[u32]) {
        let ids = self.order_ids.absorb(&batch.order_ids);
        let cats = self.categories.absorb(&batch.categories);
        let chans = self.channels.absorb(&batch.channels);
        self.member.extend(batch.member.iter().map(|&k| members[k as usize]));
        self.ts.extend_from_slice(&batch.ts);
        self.amount.extend_from_slice(&batch.amount);
        self.order_id.extend(batch.order_id.iter().map(|&c| remap(c, &ids)));
        self.category.extend(batch.category.iter().map(|&c| remap(c, &cats)));
        self.channel.extend(batch.channel.iter().map(|&c| remap(c, &chans)));
    }
}

/// Everything loaded: members and orders.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// All members.
    pub members: Members,
    /// All orders, with member indices.
    pub orders: Orders,
}

impl Dataset {
    /// Merges an order batch whose member codes refer to `keys`.
    pub fn append_orders(&mut self, batch: &Orders, keys: &Dict) {
        let idx: Vec<u32> = keys.values().map(|k| self.members.index(k)).collect();
        self.orders.append(batch, &idx);
        let n = self.members.len();
        for attr in &mut self.members.attrs {
            attr.codes.resize(n, NONE);
        }
    }
}
