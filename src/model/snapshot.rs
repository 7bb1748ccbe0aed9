//! The dataset in a snapshot (the layout is versioned by `engine::snapshot`): the identity graph, then the member
//! rows (each row's node; each attribute's header, role, dictionary and codes), the order columns and their
//! dictionaries, and the event columns and theirs. Reading checks that the columns of a table have one length and
//! that every node a row names exists, so a damaged snapshot fails with `snapshot_damaged` instead of a panic later.

use super::column::{Codes, Ints, Nodes};
use super::{Attribute, Dataset, Events, MemberRows, Orders};
use crate::base::binary::{Reader, Writer};
use crate::base::dict::{Dict, NONE};
use crate::base::roles::Role;
use crate::error::{Error, Result};
use crate::identity::IdentityGraph;

impl Dataset {
    /// Writes everything loaded.
    pub fn write(&self, w: &mut Writer) {
        self.ids.write(w);
        let m = &self.members;
        w.u32s(&m.node);
        w.count(m.attrs.len());
        for a in &m.attrs {
            w.str(&a.header);
            w.opt_str(a.role.map(|r| serde_json::to_string(&r).unwrap_or_default()).as_deref());
            a.values.write(w);
            w.u32s(&a.codes);
        }
        let o = &self.orders;
        o.node.write(w);
        for c in [&o.ts, &o.amount, &o.discount, &o.order_id] {
            c.write(w);
        }
        o.category.write(w);
        o.channel.write(w);
        o.categories.write(w);
        o.channels.write(w);
        let e = &self.events;
        e.node.write(w);
        e.ts.write(w);
        e.event_type.write(w);
        e.target.write(w);
        e.types.write(w);
        e.targets.write(w);
    }

    /// Reads a dataset written by [`Dataset::write`].
    pub fn read(r: &mut Reader) -> Result<Dataset> {
        let bad = Error::snapshot_damaged;
        let ids = IdentityGraph::read(r)?;
        let nodes = ids.len();
        let node_ok = |n: &u32| (*n as usize) < nodes;
        let node = r.u32s()?;
        let mut attrs = Vec::new();
        for _ in 0..r.count()? {
            let header = r.str()?;
            let role: Option<Role> = match r.opt_str()? {
                Some(text) => Some(serde_json::from_str(&text).map_err(|_| bad())?),
                None => None,
            };
            let values = Dict::read(r)?;
            let codes = r.u32s()?;
            if codes.len() != node.len() || codes.iter().any(|&c| c != NONE && c as usize >= values.len()) {
                return Err(bad());
            }
            attrs.push(Attribute { header, role, values, codes });
        }
        let members = MemberRows { node, attrs };
        let orders = Orders {
            node: Nodes::read(r)?,
            ts: Ints::read(r)?,
            amount: Ints::read(r)?,
            discount: Ints::read(r)?,
            order_id: Ints::read(r)?,
            category: Codes::read(r)?,
            channel: Codes::read(r)?,
            categories: Dict::read(r)?,
            channels: Dict::read(r)?,
        };
        let events = Events {
            node: Nodes::read(r)?,
            ts: Ints::read(r)?,
            event_type: Codes::read(r)?,
            target: Codes::read(r)?,
            types: Dict::read(r)?,
            targets: Dict::read(r)?,
        };
        let o = &orders;
        let n = o.node.len();
        let lengths_ok =
            [o.ts.len(), o.amount.len(), o.discount.len(), o.order_id.len(), o.category.len(), o.channel.len()].iter().all(|&l| l == n)
                && [events.ts.len(), events.event_type.len(), events.target.len()].iter().all(|&l| l == events.node.len());
        let nodes_ok = members.node.iter().all(node_ok) && o.node.all(node_ok) && events.node.all(node_ok);
        if !lengths_ok || !nodes_ok {
            return Err(bad());
        }
        Ok(Dataset { ids, members, orders, events })
    }
}
