//! One member's page (单客画像, "Member 360"): found by any identifier through OneID, with every identifier and
//! member-file attribute (personal data masked unless asked otherwise), RFM and lifecycle, every tag's value and
//! model score, the order and behaviour timelines, and the saved audiences the member belongs to.
//!
//! Masking: phones, e-mail addresses and names as in [`crate::base::mask`]; birthdays and identifiers other than
//! the member id become `****`. The timelines list the newest rows first, at most `limit` of each (the totals say
//! how many there are); rows after the analysis date are included and marked, since they are part of the data.

use super::{Analysis, Workspace};
use crate::base::date::format_timestamp;
use crate::base::dict::NONE;
use crate::base::ids::IdKind;
use crate::base::mask::{mask_email, mask_name, mask_phone};
use crate::base::roles::Role;
use crate::base::values::format_amount;
use crate::error::{Error, Result};
use crate::metrics::names::Metric;
use crate::metrics::Frame;
use crate::metrics::Stage;
use crate::model::CHUNK;
use crate::models::ModelValues;
use crate::rfm::Segment11;
use crate::rules::ast::DefKind;
use crate::rules::eval::Outcome;
use serde::Serialize;

/// One identifier of the member.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Identifier {
    /// Its kind (`member_id`, `phone` …).
    pub kind: IdKind,
    /// The kind in Chinese.
    pub zh: &'static str,
    /// The kind in English.
    pub en: &'static str,
    /// The value (masked unless asked otherwise).
    pub value: String,
}

/// One member-file cell.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttributeValue {
    /// The column's header as written.
    pub header: String,
    /// Its role key, if it has one.
    pub role: Option<&'static str>,
    /// The value (masked when personal and masking is on).
    pub value: String,
    /// Whether the value shown is masked.
    pub masked: bool,
}

/// RFM of the member (a buyer).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRfm {
    /// Days since the last purchase.
    pub recency: i32,
    /// Purchases.
    pub frequency: u32,
    /// Net spend, two decimals.
    pub monetary: String,
    /// Scores.
    pub r: u8,
    /// F score.
    pub f: u8,
    /// M score.
    pub m: u8,
    /// Segment key.
    pub segment: &'static str,
    /// Segment in Chinese.
    pub segment_zh: &'static str,
    /// Segment in English.
    pub segment_en: &'static str,
    /// The 11-segment value (the English name rules compare with).
    pub segment11: &'static str,
    /// Its Chinese name.
    pub segment11_zh: &'static str,
}

/// A tag, metric or model value of the member.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagValue {
    /// The definition's name (or a model column's key).
    pub name: String,
    /// `tag`, `audience`, `metric` or `model`.
    pub kind: &'static str,
    /// Its group.
    pub group: String,
    /// Whether it is built in.
    pub builtin: bool,
    /// Yes/no tags: whether it holds.
    pub held: Option<bool>,
    /// Enumerated tags, metrics and models: the value as text (`None` when missing).
    pub value: Option<String>,
    /// Models: the label in Chinese.
    pub zh: Option<String>,
    /// Models: the label in English.
    pub en: Option<String>,
}

/// One order row of the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    /// `YYYY-MM-DD HH:MM:SS`.
    pub time: String,
    /// Amount, two decimals (negative = refund).
    pub amount: String,
    /// Discount, two decimals.
    pub discount: String,
    /// Category.
    pub category: String,
    /// Channel.
    pub channel: String,
    /// After the analysis date (left out of every figure).
    pub after_as_of: bool,
}

/// One event of the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventLine {
    /// `YYYY-MM-DD HH:MM:SS`.
    pub time: String,
    /// Event type.
    pub event_type: String,
    /// Target.
    pub target: String,
    /// After the analysis date.
    pub after_as_of: bool,
}

/// The member page.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberProfile {
    /// The member's key (masked as its kind when masking).
    pub id: String,
    /// The identifier typed to find them.
    pub query: String,
    /// The name from a member file (masked when masking).
    pub name: String,
    /// Whether personal data is masked.
    pub masked: bool,
    /// The analysis date.
    pub as_of: String,
    /// Every identifier joined into this person.
    pub identifiers: Vec<Identifier>,
    /// Member-file attributes.
    pub attributes: Vec<AttributeValue>,
    /// RFM, for buyers.
    pub rfm: Option<MemberRfm>,
    /// Lifecycle stage key.
    pub lifecycle: &'static str,
    /// Lifecycle in Chinese.
    pub lifecycle_zh: &'static str,
    /// Lifecycle in English.
    pub lifecycle_en: &'static str,
    /// Every tag, audience, metric and model column.
    pub tags: Vec<TagValue>,
    /// Saved audiences the member belongs to.
    pub audiences: Vec<String>,
    /// Order rows in all.
    pub order_total: u64,
    /// The newest order rows.
    pub orders: Vec<OrderLine>,
    /// Events in all.
    pub event_total: u64,
    /// The newest events.
    pub events: Vec<EventLine>,
}

fn number_text(x: f64) -> Option<String> {
    if x.is_nan() {
        None
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        Some(format!("{x:.0}"))
    } else {
        Some(format!("{:.4}", x).trim_end_matches('0').trim_end_matches('.').to_string())
    }
}

impl Analysis<'_> {
    /// The page of the member an identifier names (member id, phone, UnionID … as typed); `limit` rows of each
    /// timeline; personal data masked when `mask`.
    pub fn member_profile(&self, query: &str, mask: bool, limit: usize) -> Result<MemberProfile> {
        let c = self.computed.as_ref().ok_or_else(Error::not_computed)?;
        let person = self.find_member(query).ok_or_else(|| Error::no_such_member(query))?;
        let p = person as usize;
        let data = &self.data;
        let opaque = |v: &str| if v.is_empty() { String::new() } else { "****".to_string() };
        let identifiers = c
            .people
            .resolution
            .person_of_node
            .iter()
            .enumerate()
            .filter(|&(_, &q)| q == person)
            .map(|(node, _)| {
                let kind = data.ids.kind(node as u32);
                let raw = data.ids.value(node as u32);
                let value = match (mask, kind) {
                    (false, _) | (true, IdKind::Member) => raw.to_string(),
                    (true, IdKind::Phone) => mask_phone(raw),
                    (true, IdKind::Email) => mask_email(raw),
                    (true, _) => opaque(raw),
                };
                Identifier { kind, zh: kind.zh(), en: kind.en(), value }
            })
            .collect();
        let row = c.people.member_row[p];
        let attributes = if row == NONE {
            Vec::new()
        } else {
            data.members
                .attrs
                .iter()
                .map(|a| {
                    let raw = a.get(row);
                    let (value, masked) = match (mask, a.role) {
                        (true, Some(Role::Phone)) => (mask_phone(raw), true),
                        (true, Some(Role::Email)) => (mask_email(raw), true),
                        (true, Some(Role::Name)) => (mask_name(raw), true),
                        (true, Some(Role::Birthday | Role::UnionId | Role::OpenId | Role::DeviceId)) => (opaque(raw), true),
                        _ => (raw.to_string(), false),
                    };
                    AttributeValue { header: a.header.clone(), role: a.role.map(|r| r.key()), value, masked }
                })
                .collect()
        };
        let name = match (data.members.attr(Role::Name), row) {
            (Some(a), row) if row != NONE => a.get(row).to_string(),
            _ => String::new(),
        };
        let key_node = c.people.resolution.key_node[p];
        let key = data.ids.value(key_node);
        let rfm = crate::audience::rfm_row(&c.rfm, person).map(|r| {
            let s11 = Segment11::of(r.r, r.f, r.m);
            MemberRfm {
                recency: r.recency,
                frequency: r.frequency,
                monetary: format_amount(r.monetary),
                r: r.r,
                f: r.f,
                m: r.m,
                segment: r.segment.key(),
                segment_zh: r.segment.zh(),
                segment_en: r.segment.en(),
                segment11: s11.en(),
                segment11_zh: s11.zh(),
            }
        });
        let frame = Frame::with_cache(data, &c.people, &c.rfm, self.catalog.settings.clone(), self.frame_cache_ref());
        let stage_text = frame.text(Metric::Lifecycle);
        let stage = Stage::ALL.iter().copied().find(|s| s.zh() == stage_text.get(p)).unwrap_or(Stage::Prospect);

        // Every definition's value, then the models'.
        let (compiled, evaluation) = self.evaluate_tags()?;
        let mut tags = Vec::new();
        let mut audiences = Vec::new();
        for (i, def) in compiled.program.defs.iter().enumerate() {
            let outcome = evaluation.as_ref().and_then(|e| e.outcomes[i].as_ref());
            let (held, value) = match outcome {
                Some(Outcome::Bool(b)) => (Some(b.contains(person)), None),
                Some(Outcome::Text(t)) => (None, Some(t.get(p).to_string()).filter(|v| !v.is_empty())),
                Some(Outcome::Num(v)) => (None, v.get(p).and_then(|&x| number_text(x))),
                None => (None, None),
            };
            let builtin = matches!(compiled.origin[i], crate::tags::Origin::Builtin(_));
            if def.kind == DefKind::Audience && held == Some(true) && !builtin {
                audiences.push(def.name.clone());
            }
            tags.push(TagValue {
                name: def.name.clone(),
                kind: def.kind.keyword(),
                group: def.group.clone().unwrap_or_default(),
                builtin,
                held,
                value,
                zh: None,
                en: None,
            });
        }
        for column in self.model_columns() {
            let value = match &column.values {
                ModelValues::Num(v) => v.get(p).and_then(|&x| number_text(x)),
                ModelValues::Text(t) => Some(t.get(p).to_string()).filter(|v| !v.is_empty()),
            };
            tags.push(TagValue {
                name: column.key.clone(),
                kind: "model",
                group: String::new(),
                builtin: true,
                held: None,
                value,
                zh: Some(column.zh.clone()),
                en: Some(column.en.clone()),
            });
        }

        // The timelines, newest first.
        let limit_ts = frame.limit;
        let o = &data.orders;
        let mut orders: Vec<(i64, usize)> = Vec::new();
        let (mut ts_buf, mut person_buf) = (Vec::new(), Vec::new());
        for lo in (0..frame.order_person.len()).step_by(CHUNK) {
            let hi = (lo + CHUNK).min(frame.order_person.len());
            let ts = o.ts.chunk(lo, hi, &mut ts_buf);
            for (k, &q) in frame.order_person.chunk(lo, hi, &mut person_buf).iter().enumerate() {
                if q == person {
                    orders.push((ts[k], lo + k));
                }
            }
        }
        orders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let order_total = orders.len() as u64;
        let dict = |d: &crate::base::dict::Dict, code: u32| if code == NONE { String::new() } else { d.get(code).to_string() };
        let orders = orders
            .iter()
            .take(limit)
            .map(|&(ts, i)| OrderLine {
                time: format_timestamp(ts),
                amount: format_amount(o.amount.get(i)),
                discount: format_amount(o.discount.get(i)),
                category: dict(&o.categories, o.category.get(i)),
                channel: dict(&o.channels, o.channel.get(i)),
                after_as_of: ts >= limit_ts,
            })
            .collect();
        let e = &data.events;
        let mut events: Vec<(i64, usize)> = Vec::new();
        for lo in (0..frame.event_person.len()).step_by(CHUNK) {
            let hi = (lo + CHUNK).min(frame.event_person.len());
            let ts = e.ts.chunk(lo, hi, &mut ts_buf);
            for (k, &q) in frame.event_person.chunk(lo, hi, &mut person_buf).iter().enumerate() {
                if q == person {
                    events.push((ts[k], lo + k));
                }
            }
        }
        events.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let event_total = events.len() as u64;
        let events = events
            .iter()
            .take(limit)
            .map(|&(ts, i)| EventLine {
                time: format_timestamp(ts),
                event_type: dict(&e.types, e.event_type.get(i)),
                target: dict(&e.targets, e.target.get(i)),
                after_as_of: ts >= limit_ts,
            })
            .collect();

        Ok(MemberProfile {
            id: if mask { crate::base::mask::mask_key(key, data.ids.kind(key_node)) } else { key.to_string() },
            query: query.to_string(),
            name: if mask { mask_name(&name) } else { name },
            masked: mask,
            as_of: c.rfm.as_of.to_string(),
            identifiers,
            attributes,
            rfm,
            lifecycle: ["prospect", "new", "active", "dormant", "at_risk", "lost"][stage as usize],
            lifecycle_zh: stage.zh(),
            lifecycle_en: stage.en(),
            tags,
            audiences,
            order_total,
            orders,
            event_total,
            events,
        })
    }
}

impl Workspace {
    /// [`Analysis::member_profile`] after a [`Workspace::refresh`].
    pub fn member_profile(&mut self, query: &str, mask: bool, limit: usize) -> Result<MemberProfile> {
        self.analysis()?.member_profile(query, mask, limit)
    }
}
