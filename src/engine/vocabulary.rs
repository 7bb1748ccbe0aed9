//! The words the core and the front end share: metric names and their labels in both languages, the rule
//! language's keywords and duration units, file kinds, identifier kinds and column roles. Built from the core's
//! own tables (`metrics::names::METRICS`, the lexer's reserved words and units, `base::roles`, `base::ids`), and sent to the page in the worker's `init` reply, so the JS keeps no copy of any of them.

use crate::base::ids::IdKind;
use crate::base::roles::{FileKind, Role};
use crate::metrics::names::{MetricType, METRICS};
use crate::rules::lexer::{DURATION_UNITS, RESERVED};
use serde::Serialize;

/// Everything [`vocabulary`] returns.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Vocabulary {
    /// Every per-member metric, in the order the catalog lists them.
    pub metrics: Vec<MetricWord>,
    /// The rule language's reserved words (as names they need backticks), lower case.
    pub keywords: Vec<&'static str>,
    /// The units that make a number a duration (`30d`, `30天`, `12h`), lower case.
    pub duration_units: Vec<&'static str>,
    /// The kinds of file, in the order a kind picker lists them.
    pub file_kinds: Vec<Word>,
    /// The kinds of identifier that OneID links.
    pub id_kinds: Vec<Word>,
    /// Every column role with the file kinds it fits, in the order a mapping editor lists them.
    pub roles: Vec<RoleWord>,
    /// The values of the built-in enumerated metrics (RFM segments, the 11 segments, lifecycle stages) as rules
    /// compare them (`key`), with their names in both languages, so the page shows each in the language chosen.
    pub values: Vec<ValueWord>,
}

/// A built-in value: as rules write it, and its names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueWord {
    /// The metric it is a value of (`rfm.segment`, `rfm.segment11`, `lifecycle`).
    pub metric: &'static str,
    /// The value as rules compare it (`重要价值客户`, `Champions`, `活跃`).
    pub key: &'static str,
    /// The Chinese name.
    pub zh: &'static str,
    /// The English name.
    pub en: &'static str,
}

/// A metric's name in rules, its labels and its type.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricWord {
    /// Its name in rules and in result DTOs (`recency`, `rfm.segment`).
    pub key: &'static str,
    /// Its Chinese name (also accepted in rules).
    pub zh: &'static str,
    /// Its English label.
    pub en: &'static str,
    /// `num`, `text` or `time`.
    #[serde(rename = "type")]
    pub ty: &'static str,
    /// What it means, in Chinese.
    pub about_zh: &'static str,
    /// What it means, in English.
    pub about_en: &'static str,
}

/// A key with its labels.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Word {
    /// The key the API uses (`members`, `union_id`).
    pub key: &'static str,
    /// The Chinese label.
    pub zh: &'static str,
    /// The English label.
    pub en: &'static str,
}

/// A column role, its labels and the file kinds it fits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoleWord {
    /// The role's key (`member_id`, `order_time`).
    pub role: &'static str,
    /// The Chinese label.
    pub zh: &'static str,
    /// The English label.
    pub en: &'static str,
    /// The file kinds it fits.
    pub kinds: Vec<FileKind>,
}

/// The name a metric's type has in the vocabulary.
fn type_key(ty: MetricType) -> &'static str {
    match ty {
        MetricType::Num => "num",
        MetricType::Text => "text",
        MetricType::Time => "time",
    }
}

/// The key of a file kind (as serde writes it).
fn file_kind_key(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Members => "members",
        FileKind::Orders => "orders",
        FileKind::Events => "events",
        FileKind::Identity => "identity",
    }
}

/// The key of an identifier kind (as serde writes it).
fn id_kind_key(kind: IdKind) -> &'static str {
    match kind {
        IdKind::Member => "member",
        IdKind::Phone => "phone",
        IdKind::UnionId => "union_id",
        IdKind::OpenId => "open_id",
        IdKind::Device => "device",
        IdKind::Email => "email",
    }
}

/// The shared vocabulary, read from the core's tables.
///
/// ```
/// let v = huaxiang::engine::vocabulary::vocabulary();
/// let recency = v.metrics.iter().find(|m| m.key == "recency").unwrap();
/// assert_eq!((recency.zh, recency.en), ("最近消费天数", "Days since last purchase"));
/// assert!(v.keywords.contains(&"between"));
/// ```
pub fn vocabulary() -> Vocabulary {
    Vocabulary {
        metrics: METRICS
            .iter()
            .map(|m| MetricWord { key: m.key, zh: m.zh, en: m.en, ty: type_key(m.ty), about_zh: m.about_zh, about_en: m.about_en })
            .collect(),
        keywords: RESERVED.to_vec(),
        duration_units: DURATION_UNITS.iter().map(|&(unit, _)| unit).collect(),
        file_kinds: FileKind::ALL.into_iter().map(|k| Word { key: file_kind_key(k), zh: k.zh(), en: k.en() }).collect(),
        id_kinds: IdKind::ALL.into_iter().map(|k| Word { key: id_kind_key(k), zh: k.zh(), en: k.en() }).collect(),
        roles: Role::all()
            .map(|r| RoleWord { role: r.key(), zh: r.zh(), en: r.en(), kinds: FileKind::ALL.into_iter().filter(|&k| r.fits(k)).collect() })
            .collect(),
        values: built_in_values(),
    }
}

/// The values of the built-in enumerated metrics.
fn built_in_values() -> Vec<ValueWord> {
    use crate::metrics::Stage;
    use crate::rfm::{Segment, Segment11};
    let segments = Segment::ALL.iter().map(|s| ValueWord { metric: "rfm.segment", key: s.zh(), zh: s.zh(), en: s.en() });
    let elevens = Segment11::ALL.iter().map(|s| ValueWord { metric: "rfm.segment11", key: s.en(), zh: s.zh(), en: s.en() });
    let stages = Stage::ALL.iter().map(|s| ValueWord { metric: "lifecycle", key: s.zh(), zh: s.zh(), en: s.en() });
    segments.chain(elevens).chain(stages).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_what_serde_writes() {
        for k in FileKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), file_kind_key(k));
        }
        for k in IdKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), id_kind_key(k));
        }
    }

    #[test]
    fn every_metric_has_both_labels() {
        let v = vocabulary();
        assert_eq!(v.metrics.len(), METRICS.len());
        for m in &v.metrics {
            assert!(!m.zh.is_empty() && !m.en.is_empty() && m.en.is_ascii(), "{}", m.key);
            assert!(matches!(m.ty, "num" | "text" | "time"), "{} is {}", m.key, m.ty);
        }
    }

    #[test]
    fn every_built_in_value_has_a_chinese_and_an_english_name() {
        let v = vocabulary();
        assert_eq!(v.values.len(), 8 + 11 + 6);
        for w in &v.values {
            assert!(w.en.is_ascii() && !w.en.is_empty(), "{}", w.key);
            assert!(w.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{}", w.key);
        }
        assert!(v.values.iter().any(|w| w.key == "Champions" && w.zh == "冠军客户"));
    }
}
