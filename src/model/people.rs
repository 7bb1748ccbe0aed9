//! Finding people: a person by an identifier as someone would type it, the members of a stored list of keys, the
//! keys of a set of members (what a snapshot stores) and each person's identifier of one kind.

use super::{Dataset, People};
use crate::base::dict::NONE;
use crate::base::ids::IdKind;
use roaring::RoaringBitmap;

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
