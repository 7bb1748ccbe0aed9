//! The loaded data as three normalised tables (CSV text), after OneID and value parsing: what the tag pack's SQL
//! ([`crate::export::sql`]) reads. Messy sources (`¥1,234.00`, `2025/5/24 14:35`, GBK, XLSX) come out clean:
//! one member key per resolved person, times as `YYYY-MM-DD HH:MM:SS`, money in yuan with two decimals.
//!
//! - `members.csv`: `member_id`, the attribute roles a rule can name (`name`, `gender`, `birthday`,
//!   `register_date`, `level`, `city`, `phone`, always present, empty when not loaded), other roles by their key,
//!   then columns without a role by header ([`header_columns`]). One row per person (everyone the data knows,
//!   including people seen only in orders, events or identity files); attribute text exactly as loaded.
//! - `orders.csv`: `member_id, time, amount, discount, category, channel, order_id, row_no`. The engine keeps
//!   order numbers as 64-bit hashes, so `order_id` is that hash in hex: equal numbers stay equal, which is all a
//!   rule can ask of them. `row_no` is the load order.
//! - `events.csv`: `member_id, time, type, target, row_no`.
//!
//! An empty field is a missing value. The files are for databases, not spreadsheets: cells are not neutralised
//! against formulas (that would change the values the SQL compares).

use crate::base::dict::NONE;
use crate::base::roles::Role;
use crate::base::values::format_amount;
use crate::error::Result;
use crate::model::{Dataset, People};
use crate::rules::check::ATTRIBUTE_ROLES;
use std::collections::HashSet;
use std::fmt::Write;

/// The three tables as CSV text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NormalisedTables {
    /// `members.csv`.
    pub members: String,
    /// `orders.csv`.
    pub orders: String,
    /// `events.csv`.
    pub events: String,
}

/// The members-table column of each header without a role: the header itself, unless it would clash (ignoring
/// case) with `member_id`, a role's key or an earlier column, in which case `_2`, `_3` … is added.
pub fn header_columns(headers: &[String]) -> Vec<String> {
    let mut taken: HashSet<String> = Role::all().map(|r| r.key().to_string()).collect();
    taken.insert("member_id".into());
    headers
        .iter()
        .map(|h| {
            let mut name = h.clone();
            let mut k = 2;
            while taken.contains(&name.to_lowercase()) || name.is_empty() {
                name = format!("{h}_{k}");
                k += 1;
            }
            taken.insert(name.to_lowercase());
            name
        })
        .collect()
}

/// Each person's key in the tables: their member key (the value of their key identifier), made unique with
/// `#<index>` when two people share one (or a key is empty).
pub fn member_ids(data: &Dataset, people: &People) -> Vec<String> {
    let n = people.len();
    let mut seen = HashSet::with_capacity(n);
    (0..n as u32)
        .map(|p| {
            let mut key = data.ids.value(people.resolution.key_node[p as usize]).to_string();
            if key.is_empty() || !seen.insert(key.clone()) {
                key = format!("{key}#{p}");
                while !seen.insert(key.clone()) {
                    key.push('#');
                }
            }
            key
        })
        .collect()
}

fn row(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        crate::export::activation::csv::push_field(out, f);
    }
    out.push('\n');
}

/// Writes the loaded data and its people as normalised tables.
pub fn normalised_tables(data: &Dataset, people: &People) -> Result<NormalisedTables> {
    let ids = member_ids(data, people);
    let mut t = NormalisedTables::default();
    // Members: the roles a rule can name, other roles, then headers without a role.
    let attrs = &data.members.attrs;
    let mut columns: Vec<(String, Option<usize>)> =
        ATTRIBUTE_ROLES.iter().map(|r| (r.key().to_string(), attrs.iter().position(|a| a.role == Some(*r)))).collect();
    for (i, a) in attrs.iter().enumerate() {
        if let Some(r) = a.role {
            if !ATTRIBUTE_ROLES.contains(&r) {
                columns.push((r.key().to_string(), Some(i)));
            }
        }
    }
    let unroled: Vec<usize> = (0..attrs.len()).filter(|&i| attrs[i].role.is_none()).collect();
    let headers: Vec<String> = unroled.iter().map(|&i| attrs[i].header.clone()).collect();
    for (name, &i) in header_columns(&headers).into_iter().zip(&unroled) {
        columns.push((name, Some(i)));
    }
    let mut head: Vec<&str> = vec!["member_id"];
    head.extend(columns.iter().map(|(n, _)| n.as_str()));
    row(&mut t.members, &head);
    for (p, id) in ids.iter().enumerate() {
        let member_row = people.member_row[p];
        let mut fields: Vec<&str> = vec![id];
        for (_, attr) in &columns {
            fields.push(match (attr, member_row) {
                (Some(i), r) if r != NONE => attrs[*i].get(r),
                _ => "",
            });
        }
        row(&mut t.members, &fields);
    }
    // Orders.
    let o = &data.orders;
    let person = |node: u32| people.resolution.person(node) as usize;
    row(&mut t.orders, &["member_id", "time", "amount", "discount", "category", "channel", "order_id", "row_no"]);
    let mut hex = String::new();
    for i in 0..o.len() {
        hex.clear();
        let order_id = o.order_id.get(i) as u64;
        if order_id != 0 {
            let _ = write!(hex, "{order_id:016x}");
        }
        let text = |code: u32, dict: &crate::base::dict::Dict| if code == NONE { "" } else { dict.get(code) }.to_string();
        row(
            &mut t.orders,
            &[
                &ids[person(o.node.get(i))],
                &crate::base::date::format_timestamp(o.ts.get(i)),
                &format_amount(o.amount.get(i)),
                &format_amount(o.discount.get(i)),
                &text(o.category.get(i), &o.categories),
                &text(o.channel.get(i), &o.channels),
                &hex,
                &i.to_string(),
            ],
        );
    }
    // Events.
    let e = &data.events;
    row(&mut t.events, &["member_id", "time", "type", "target", "row_no"]);
    for i in 0..e.len() {
        let text = |code: u32, dict: &crate::base::dict::Dict| if code == NONE { "" } else { dict.get(code) }.to_string();
        row(
            &mut t.events,
            &[
                &ids[person(e.node.get(i))],
                &crate::base::date::format_timestamp(e.ts.get(i)),
                &text(e.event_type.get(i), &e.types),
                &text(e.target.get(i), &e.targets),
                &i.to_string(),
            ],
        );
    }
    Ok(t)
}
