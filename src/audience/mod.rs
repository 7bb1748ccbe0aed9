//! Audiences (人群圈选): expressions over tags and metrics counted as they are typed, previews with attrition,
//! explanations of one member, static audiences from uploaded ids and dated snapshots, portraits with TGI,
//! A/B splits with a balance check, and campaign lift.
//!
//! An audience is an `audience NAME = expr` definition in the tag catalog (same language, versions, packs). A
//! static audience or a snapshot is a catalog entry with a list of member keys instead of a rule it evaluates;
//! either can be named in other expressions like any tag. Everything here is computed from the workspace's last
//! computation and cached tag results; nothing reads a clock or OS randomness (times, salts and seeds are
//! arguments). The definitions of every figure are in `docs/audiences.md`.

pub mod explain;
pub mod histogram;
pub mod index;
pub mod lift;
pub mod lists;
pub mod portrait;
pub mod preview;
pub mod scope;
pub mod split;
pub mod stats;

use crate::base::ids::IdKind;
use crate::error::{Error, Result};
use crate::rfm::{Rfm, RfmRow};
use crate::rules::ast::DefKind;
use crate::tags::{Catalog, Entry, MemberList, Version};
use serde::{Deserialize, Serialize};

pub use explain::{ExplainNode, ExplainValue, Explanation};
pub use lift::{LiftReport, LiftRequest};
pub use lists::ListMatch;
pub use portrait::{CrossTab, Portrait};
pub use preview::{AttritionStep, AudienceCount, AudiencePreview, SampleMember};
pub use split::{ArmSpec, SplitReport, SplitRequest};

/// The RFM row of a member (buyers only).
pub fn rfm_row(rfm: &Rfm, member: u32) -> Option<&RfmRow> {
    rfm.rows.binary_search_by_key(&member, |r| r.member).ok().map(|i| &rfm.rows[i])
}

/// A static audience to create from uploaded ids.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StaticAudience {
    /// Its name.
    pub name: String,
    /// Its group.
    pub group: String,
    /// What it is (where the list came from).
    pub description: String,
    /// The uploaded ids (member ids, phones, UnionIDs … as written; blank ones are ignored).
    pub ids: Vec<String>,
    /// Match the ids only as this kind of identifier (default: member id, then phone, UnionID, OpenID, device
    /// id, e-mail).
    pub kind: Option<IdKind>,
}

/// A static audience or snapshot just saved.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedList {
    /// Its name.
    pub name: String,
    /// `static` or `snapshot`.
    pub kind: &'static str,
    /// Members in it.
    pub members: u64,
    /// How the uploaded ids matched (static audiences).
    pub matched: Option<ListMatch>,
    /// The audience a snapshot froze.
    pub snapshot_of: Option<String>,
    /// When the snapshot was taken.
    pub at: Option<String>,
}

/// An audience in the catalog.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AudienceInfo {
    /// Its name.
    pub name: String,
    /// `dynamic` (a rule), `static` (uploaded ids) or `snapshot` (a frozen audience).
    pub kind: &'static str,
    /// Its group.
    pub group: String,
    /// Its description.
    pub description: String,
    /// Its rule (for a snapshot, the rule of the audience when it was frozen; empty for a static audience).
    pub rule: String,
    /// Members now (none before a computation, or when the rule has errors).
    pub count: Option<u64>,
    /// Member keys kept (static audiences and snapshots).
    pub stored: Option<u64>,
    /// The audience a snapshot froze.
    pub snapshot_of: Option<String>,
    /// When a snapshot was taken.
    pub at: Option<String>,
    /// Versions.
    pub versions: u32,
    /// Last change.
    pub updated: String,
}

/// What a portrait compares.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PortraitRequest {
    /// The audience: an expression or a definition's name.
    pub audience: String,
    /// The base: an expression or a name (default: every member).
    pub base: Option<String>,
    /// The minimum count of a ranked trait (default 30).
    pub min_count: Option<u64>,
    /// Histogram bins before the open last bin (default 10).
    pub bins: Option<usize>,
}

/// How two audiences overlap.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Overlap {
    /// Members of A.
    pub a: u64,
    /// Members of B.
    pub b: u64,
    /// In A only.
    pub a_only: u64,
    /// In both.
    pub both: u64,
    /// In B only.
    pub b_only: u64,
    /// In either.
    pub union: u64,
    /// `both ÷ union` (0 when both are empty).
    pub jaccard: f64,
}

/// Two audiences side by side: their overlap and each one's portrait against every member.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The overlap.
    pub overlap: Overlap,
    /// A's portrait.
    pub a: Portrait,
    /// B's portrait.
    pub b: Portrait,
}

/// The overlap of two sets.
pub fn overlap(a: &roaring::RoaringBitmap, b: &roaring::RoaringBitmap) -> Overlap {
    let both = a.intersection_len(b);
    let union = a.len() + b.len() - both;
    Overlap {
        a: a.len(),
        b: b.len(),
        a_only: a.len() - both,
        both,
        b_only: b.len() - both,
        union,
        jaccard: if union == 0 { 0.0 } else { both as f64 / union as f64 },
    }
}

/// What a member list entry holds.
pub struct ListEntry<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its group.
    pub group: &'a str,
    /// Its description.
    pub description: &'a str,
    /// The rule it records (a snapshot's source rule; empty for a static audience).
    pub rule: &'a str,
    /// The member keys.
    pub keys: Vec<String>,
    /// The audience a snapshot froze.
    pub snapshot_of: Option<&'a str>,
    /// When a snapshot was taken.
    pub taken: Option<&'a str>,
}

/// Saves a static audience or a snapshot in the catalog at time `at` by `author`. A static audience may replace an
/// earlier static audience of the same name (a new version); any other existing name is refused.
pub fn save_list(catalog: &mut Catalog, list: ListEntry<'_>, at: &str, author: &str) -> Result<()> {
    let name = list.name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(Error::bad_audience_name());
    }
    let note = match list.snapshot_of {
        Some(of) => format!("snapshot of {of} at {}, {} members", list.taken.unwrap_or(""), list.keys.len()),
        None => format!("static list of {} members", list.keys.len()),
    };
    let version = |n: u32| Version {
        version: n,
        at: at.into(),
        author: author.into(),
        rule: list.rule.into(),
        group: list.group.into(),
        description: list.description.into(),
        note: note.clone(),
    };
    let members = Some(MemberList::new(list.keys.clone()));
    match catalog.definitions.iter_mut().find(|e| e.name == name) {
        Some(e) if e.members.is_some() && e.snapshot_of.is_none() && list.snapshot_of.is_none() => {
            let n = e.history.last().map_or(1, |v| v.version + 1);
            e.history.push(version(n));
            e.members = members;
            e.rule = list.rule.into();
            e.group = list.group.into();
            e.description = list.description.into();
            e.updated = at.into();
            Ok(())
        }
        Some(_) => Err(Error::duplicate_name(name)),
        None => {
            catalog.definitions.push(Entry {
                kind: DefKind::Audience,
                name: name.into(),
                group: list.group.into(),
                description: list.description.into(),
                owner: author.into(),
                created: at.into(),
                updated: at.into(),
                rule: list.rule.into(),
                history: vec![version(1)],
                members,
                snapshot_of: list.snapshot_of.map(str::to_string),
                at: list.taken.map(str::to_string),
            });
            Ok(())
        }
    }
}

/// The default name of a snapshot of `name` taken at `at` (an ISO date-time): `name_YYYYMMDD`.
pub fn snapshot_name(name: &str, at: &str) -> String {
    let digits: String = at.chars().filter(char::is_ascii_digit).take(8).collect();
    format!("{name}_{digits}")
}
