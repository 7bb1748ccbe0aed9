//! Member lists: finding people by an identifier as a person would type it, matching an uploaded list of ids
//! through the identity graph (static audiences), the keys that freeze an audience (snapshots), and each
//! person's identifier of one kind (the phone column of an export).

use crate::identity::IdKind;
use crate::model::dict::NONE;
use crate::model::{Dataset, People};
use roaring::RoaringBitmap;
use serde::Serialize;

/// How many unmatched ids a report lists (the count covers all of them).
pub const MAX_UNMATCHED_LISTED: usize = 1000;

/// The person holding an identifier: `raw` is normalised as each kind normalises it and looked up as a member
/// id first, then as a phone, UnionID, OpenID, device id and e-mail (or only as `kind` when one is given).
pub fn find_member(data: &Dataset, people: &People, raw: &str, kind: Option<IdKind>) -> Option<u32> {
    let kinds: &[IdKind] = match &kind {
        Some(k) => std::slice::from_ref(k),
        None => &IdKind::ALL,
    };
    for &k in kinds {
        let Some(value) = k.normalise(raw) else { continue };
        if let Some(node) = data.ids.find_node(k, &value) {
            let person = people.resolution.person_of_node.get(node as usize).copied()?;
            return Some(person);
        }
    }
    None
}

/// The members of a stored list of member keys (keys that no longer match anyone are left out).
pub fn members_of_keys(data: &Dataset, people: &People, keys: &[String]) -> RoaringBitmap {
    let mut out: Vec<u32> = keys.iter().filter_map(|k| find_member(data, people, k, None)).collect();
    out.sort_unstable();
    out.dedup();
    RoaringBitmap::from_sorted_iter(out).unwrap_or_default()
}

/// The key of every member of a set, in member order (what a snapshot stores).
pub fn keys_of(data: &Dataset, people: &People, members: &RoaringBitmap) -> Vec<String> {
    members.iter().map(|p| data.ids.value(people.resolution.key_node[p as usize]).to_string()).collect()
}

/// The outcome of matching an uploaded list of ids.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMatch {
    /// Ids in the upload (blank lines left out).
    pub ids: u64,
    /// Ids that matched a member.
    pub matched: u64,
    /// Distinct members matched (two ids of one person count once).
    pub members: u64,
    /// Ids that matched nobody.
    pub unmatched: u64,
    /// The first [`MAX_UNMATCHED_LISTED`] unmatched ids, as uploaded.
    pub unmatched_ids: Vec<String>,
    /// Ids that appeared more than once in the upload.
    pub duplicates: u64,
}

/// Matches an uploaded list of ids through the identity graph; returns the members and the report.
pub fn match_ids(data: &Dataset, people: &People, ids: &[String], kind: Option<IdKind>) -> (RoaringBitmap, ListMatch) {
    let mut report = ListMatch::default();
    let mut members = RoaringBitmap::new();
    let mut seen = std::collections::HashSet::new();
    for raw in ids {
        let id = raw.trim().trim_start_matches('\u{feff}');
        if id.is_empty() {
            continue;
        }
        report.ids += 1;
        if !seen.insert(id) {
            report.duplicates += 1;
        }
        match find_member(data, people, id, kind) {
            Some(p) => {
                report.matched += 1;
                members.insert(p);
            }
            None => {
                report.unmatched += 1;
                if report.unmatched_ids.len() < MAX_UNMATCHED_LISTED {
                    report.unmatched_ids.push(id.to_string());
                }
            }
        }
    }
    report.members = members.len();
    (members, report)
}

/// Ids from an uploaded text: the first column of every non-blank line (one id a line, or a CSV/TSV). A header
/// line is read as an id too and simply matches nobody.
pub fn ids_from_text(text: &str) -> Vec<String> {
    text.trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split([',', '\t', ';']).next().unwrap_or("").trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Each person's first identifier node of `kind` ([`NONE`] when they have none), by node order.
pub fn identifier_nodes(data: &Dataset, people: &People, kind: IdKind) -> Vec<u32> {
    let mut out = vec![NONE; people.len()];
    for (node, &person) in people.resolution.person_of_node.iter().enumerate() {
        let slot = &mut out[person as usize];
        if *slot == NONE && data.ids.kind(node as u32) == kind {
            *slot = node as u32;
        }
    }
    out
}
