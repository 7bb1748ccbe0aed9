//! Member lists: finding people by an identifier as a person would type it, matching an uploaded list of ids
//! through the identity graph (static audiences), the keys that freeze an audience (snapshots), and each
//! person's identifier of one kind (the phone column of an export).

use crate::base::ids::IdKind;
use crate::model::people::find_member;
use crate::model::{Dataset, People};
use roaring::RoaringBitmap;
use serde::Serialize;

/// How many unmatched ids a report lists (the count covers all of them).
pub const MAX_UNMATCHED_LISTED: usize = 1000;

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
