//! `Workspace` audience methods (人群圈选): the live count and preview of an expression as it is typed, why a
//! member is in or out, static audiences from uploaded ids and dated snapshots, portraits with TGI, cross-tabs and
//! comparisons, A/B splits with a balance check, and campaign lift.
//!
//! An audience is an `audience NAME = expr` definition in the tag catalog: save one with `saveTag({ kind:
//! 'audience', … })` so it is versioned and travels in the tag pack. Static audiences and snapshots are catalog
//! entries too, so every method that adds one is followed by `exportPack()` on the page. Times and authors come
//! from the page (`at` is an ISO date-time string): the core never reads a clock.

use super::error::{bad_argument, to_js, to_js_error};
use super::workspace::JsWorkspace;
use crate::audience::{LiftRequest, PortraitRequest, SplitRequest, StaticAudience};
use crate::export::activation::mask::mask_name;
use crate::export::activation::{self, Column, ColumnKind, ExportLogEntry, ExportOptions};
use crate::identity::IdKind;
use crate::ingest::mapping::Role;
use crate::rules::eval::Outcome;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

/// Reads a request object, or throws `code` with a message naming `what`.
fn request<T: DeserializeOwned>(value: JsValue, code: &'static str, zh: &str, en: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| bad_argument(code, format!("{zh}无效：{e}"), format!("The {en} is not valid: {e}")))
}

/// What `saveStaticAudience` reads: the ids as a list, or as the text of an uploaded file (first column of every
/// line).
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct StaticRequest {
    name: String,
    group: String,
    description: String,
    ids: Option<Vec<String>>,
    text: Option<String>,
    kind: Option<IdKind>,
}

/// One arm of `splitMembers`.
#[derive(serde::Serialize)]
struct ArmMembers {
    name: String,
    members: Vec<u32>,
}

/// A column an export can hold, for the column picker.
#[derive(serde::Serialize)]
struct ColumnInfo {
    /// What `exportAudience` is given back: `member_id`, `name`, `phone`, `email`, `attr:HEADER`, `recency`,
    /// `frequency`, `monetary`, `segment` or `tag:NAME`.
    key: String,
    zh: String,
    en: String,
    /// How the export treats it (`id`, `name`, `phone`, `email`, `number`, `plain`).
    kind: ColumnKind,
    /// `member`, `rfm` or `tag`.
    group: &'static str,
    /// Ticked by default: the member's id, name, phone and RFM, and the tags the expression names.
    suggested: bool,
}

/// One column `exportAudience` writes.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ExportColumn {
    key: String,
    /// The header written (default: the key).
    header: String,
    /// Hash this column (see `ExportOptions.hash`).
    hash: bool,
}

/// What `exportAudience` reads.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ExportRequest {
    /// The audience: an expression or a definition's name.
    audience: String,
    /// Its name for the export log (default: `audience`).
    name: String,
    /// Its version or snapshot, for the log.
    version: Option<String>,
    /// Export one arm of this split …
    split: Option<SplitRequest>,
    /// … this one.
    arm: Option<String>,
    columns: Vec<ExportColumn>,
    options: ExportOptions,
}

/// Where an export column's cells come from.
enum Source {
    Key,
    Attr(usize),
    Ident(Vec<u32>),
    Recency,
    Frequency,
    Monetary,
    Segment,
    Def(Outcome),
}

fn bad_column(key: &str) -> JsValue {
    bad_argument("bad_export_column", format!("没有可导出的列“{key}”。"), format!("There is no column “{key}” to export."))
}

impl JsWorkspace {
    /// A member key as shown with masking on: a person without a member id is keyed by another identifier, which
    /// is masked as what it is (a phone as `138****8000`, an e-mail as `z***@example.com`).
    fn masked_key(&self, key: &str) -> String {
        let kind =
            self.0.find_member(key).zip(self.0.people()).map(|(p, people)| self.0.data().ids.kind(people.resolution.key_node[p as usize]));
        match kind {
            Some(IdKind::Phone) => activation::mask::mask_phone(key),
            Some(IdKind::Email) => activation::mask::mask_email(key),
            _ => key.to_string(),
        }
    }
}

#[wasm_bindgen(js_class = Workspace)]
impl JsWorkspace {
    /// The live count of an audience expression as typed: `{ diagnostics, count, members, share, bitmapOnly }`.
    /// `count` is `null` while the expression has an error or no data is computed; the diagnostics are located in
    /// `expr` (`start16`/`end16` as a `<textarea>` counts). `bitmapOnly` says the answer was bitmap algebra over
    /// cached tag results.
    ///
    /// ```js
    /// const { count, share } = ws.audienceCount('高价值会员 and 沉默会员 and not 促销敏感');
    /// ```
    #[wasm_bindgen(js_name = audienceCount)]
    pub fn audience_count(&mut self, expr: &str) -> Result<JsValue, JsValue> {
        let count = self.0.audience_count(expr).map_err(to_js_error)?;
        to_js(&count)
    }

    /// The preview of an expression: `{ diagnostics, count, members, share, steps: [{ condition, alone, remaining,
    /// removed, removedShare }], samples: [{ id, name, recency, frequency, monetary, segment }] }` — the attrition
    /// of its top-level `and` chain and `samples` members (default 5) evenly spaced through the audience. Names are
    /// masked (`张*`) unless `mask` is `false`.
    ///
    /// ```js
    /// const p = ws.audiencePreview('年龄段 in ["Z世代", "青年"] and monetary > 500', 5);
    /// p.steps.forEach(s => console.log(s.condition, s.remaining, '-' + s.removed));
    /// ```
    #[wasm_bindgen(js_name = audiencePreview)]
    pub fn audience_preview(&mut self, expr: &str, samples: Option<u32>, mask: Option<bool>) -> Result<JsValue, JsValue> {
        let mut preview = self.0.audience_preview(expr, samples.unwrap_or(5).min(100) as usize).map_err(to_js_error)?;
        if mask.unwrap_or(true) {
            for s in &mut preview.samples {
                s.name = mask_name(&s.name);
                s.id = self.masked_key(&s.id);
            }
        }
        to_js(&preview)
    }

    /// The members of an audience expression or of a definition's name, as dense member indices (ascending).
    /// Throws `bad_expression` when it has an error.
    ///
    /// ```js
    /// const members = ws.audienceMembers('唤醒对象'); // Uint32Array
    /// ```
    #[wasm_bindgen(js_name = audienceMembers)]
    pub fn audience_members(&mut self, expr: &str) -> Result<Vec<u32>, JsValue> {
        let bits = self.0.audience_members(expr).map_err(to_js_error)?;
        Ok(bits.iter().collect())
    }

    /// The definitions an expression names directly (the tags an export of it shows by default).
    ///
    /// ```js
    /// ws.audienceTags('高价值会员 and not 促销敏感'); // ['高价值会员', '促销敏感']
    /// ```
    #[wasm_bindgen(js_name = audienceTags)]
    pub fn audience_tags(&mut self, expr: &str) -> Result<JsValue, JsValue> {
        let tags = self.0.audience_tags(expr).map_err(to_js_error)?;
        to_js(&tags)
    }

    /// The dense index of the member an identifier names (a member id, phone, UnionID … as typed), or `undefined`.
    ///
    /// ```js
    /// const p = ws.findMember('138 0013 8000');
    /// ```
    #[wasm_bindgen(js_name = findMember)]
    pub fn find_member(&self, id: &str) -> Option<u32> {
        self.0.find_member(id)
    }

    /// Why a member is in or out of `target` (a definition's name or an audience expression): `{ target, kind,
    /// member, name, held, value, tree }` where `tree` is `{ text, kind, held, values: [{ name, value }], definition,
    /// children }` — every condition with whether it held and the values it compared; a condition naming another
    /// yes/no definition opens that definition's own rule. The name is masked unless `mask` is `false`.
    /// Throws `no_such_member` when no member has that identifier.
    ///
    /// ```js
    /// const e = ws.explainMember('唤醒对象', 'M00000123');
    /// console.log(e.held, e.tree.children.map(c => `${c.text}: ${c.held}`));
    /// ```
    #[wasm_bindgen(js_name = explainMember)]
    pub fn explain_member(&mut self, target: &str, member: &str, mask: Option<bool>) -> Result<JsValue, JsValue> {
        let mut explanation = self.0.explain_member(target, member).map_err(to_js_error)?;
        if mask.unwrap_or(true) {
            explanation.name = mask_name(&explanation.name);
            explanation.member = self.masked_key(&explanation.member);
        }
        to_js(&explanation)
    }

    /// Saves a static audience from uploaded ids: `{ name, group, description, ids }` or `{ name, text }` with the
    /// text of an id file (the first column of every line; a header line simply matches nobody), and optionally
    /// `kind` (`member`, `phone`, `union_id`, `open_id`, `device`, `email`) to match only that identifier.
    /// Returns `{ name, kind: 'static', members, matched: { ids, matched, members, unmatched, unmatchedIds,
    /// duplicates } }`. Saving the same name again makes a new version.
    ///
    /// ```js
    /// const saved = ws.saveStaticAudience({ name: '线下活动名单', text: await file.text() }, new Date().toISOString(), '王');
    /// console.log(saved.members, saved.matched.unmatched);
    /// ```
    #[wasm_bindgen(js_name = saveStaticAudience)]
    pub fn save_static_audience(&mut self, request_value: JsValue, at: &str, author: &str) -> Result<JsValue, JsValue> {
        let r: StaticRequest = request(request_value, "bad_static_audience", "静态人群", "static audience")?;
        let ids = match (r.ids, r.text) {
            (Some(ids), _) => ids,
            (None, Some(text)) => crate::audience::lists::ids_from_text(&text),
            (None, None) => Vec::new(),
        };
        let audience = StaticAudience { name: r.name, group: r.group, description: r.description, ids, kind: r.kind };
        let saved = self.0.save_static_audience(&audience, at, author).map_err(to_js_error)?;
        to_js(&saved)
    }

    /// Freezes the members of an audience (or yes/no tag) into a snapshot named `snapshot` (default
    /// `NAME_YYYYMMDD` from `at`). Returns `{ name, kind: 'snapshot', members, snapshotOf, at }`.
    ///
    /// ```js
    /// const snap = ws.snapshotAudience('唤醒对象', undefined, new Date().toISOString(), '王'); // 唤醒对象_20250701
    /// ```
    #[wasm_bindgen(js_name = snapshotAudience)]
    pub fn snapshot_audience(&mut self, name: &str, snapshot: Option<String>, at: &str, author: &str) -> Result<JsValue, JsValue> {
        let snapshot = snapshot.filter(|s| !s.trim().is_empty());
        let saved = self.0.snapshot_audience(name, snapshot.as_deref(), at, author).map_err(to_js_error)?;
        to_js(&saved)
    }

    /// Every audience in the catalog: `[{ name, kind: 'dynamic'|'static'|'snapshot', group, description, rule,
    /// count, stored, snapshotOf, at, versions, updated }]` (`count` is `null` before a computation).
    ///
    /// ```js
    /// for (const a of ws.audiences()) console.log(a.name, a.kind, a.count);
    /// ```
    pub fn audiences(&mut self) -> Result<JsValue, JsValue> {
        let list = self.0.audiences().map_err(to_js_error)?;
        to_js(&list)
    }

    /// The portrait (画像) of an audience against every member or against `base` (an expression or a name):
    /// `{ audience, base, minCount, traits, dimensions, histograms }`. `traits` are `{ dimension, kind, value,
    /// audienceCount, audienceShare, baseCount, baseShare, tgi, score, over }` sorted by how much they set the
    /// audience apart; `dimensions` every enumerated tag, yes/no tag and member attribute with each value's shares
    /// and TGI; `histograms` the metrics over shared bins. `minCount` (default 30) and `bins` (default 10) tune it.
    ///
    /// ```js
    /// const p = ws.portrait({ audience: '唤醒对象' });                 // against every member
    /// const q = ws.portrait({ audience: '唤醒对象', base: '高价值会员', minCount: 10 });
    /// console.log(p.traits[0].dimension, p.traits[0].value, p.traits[0].tgi);
    /// ```
    pub fn portrait(&mut self, request_value: JsValue) -> Result<JsValue, JsValue> {
        let r: PortraitRequest = request(request_value, "bad_portrait", "画像请求", "portrait request")?;
        let portrait = self.0.portrait(&r).map_err(to_js_error)?;
        to_js(&portrait)
    }

    /// The members of an audience counted by two dimensions (tag names, attribute headers or roles such as `city`,
    /// or `rfm`): `{ row, column, rowValues, columnValues, counts, total }` with `counts[r][c]`.
    ///
    /// ```js
    /// const x = ws.crosstab('唤醒对象', '年龄段', 'city');
    /// ```
    pub fn crosstab(&mut self, audience: &str, row: &str, column: &str) -> Result<JsValue, JsValue> {
        let table = self.0.crosstab(audience, row, column).map_err(to_js_error)?;
        to_js(&table)
    }

    /// Two audiences side by side: `{ overlap: { a, b, aOnly, both, bOnly, union, jaccard }, a, b }` where `a` and
    /// `b` are each one's portrait against every member.
    ///
    /// ```js
    /// const { overlap } = ws.compareAudiences('唤醒对象', '美妆达人');
    /// ```
    #[wasm_bindgen(js_name = compareAudiences)]
    pub fn compare_audiences(&mut self, a: &str, b: &str, min_count: Option<f64>) -> Result<JsValue, JsValue> {
        let min_count = min_count.filter(|x| x.is_finite() && *x >= 0.0).map(|x| x as u64);
        let comparison = self.0.compare_audiences(a, b, min_count).map_err(to_js_error)?;
        to_js(&comparison)
    }

    /// Splits an audience into arms by a salted hash of each member's key: `{ audience, salt, arms: [{ name, ratio }],
    /// stratify, control }` (default arms `test`/`control` half each; ratios are weights). Returns `{ audience,
    /// salt, hash, stratifiedBy, arms: [{ name, ratio, count, share }], strata, balance: { control, threshold,
    /// metrics: [{ metric, zh, arms, smd: [{ arm, smd, flagged }] }], balanced } }`. The same request gives the
    /// same split tomorrow.
    ///
    /// ```js
    /// const r = ws.splitAudience({ audience: '唤醒对象', salt: '唤醒对象', stratify: 'rfm',
    ///                              arms: [{ name: '实验组', ratio: 90 }, { name: '对照组', ratio: 10 }] });
    /// ```
    #[wasm_bindgen(js_name = splitAudience)]
    pub fn split_audience(&mut self, request_value: JsValue) -> Result<JsValue, JsValue> {
        let r: SplitRequest = request(request_value, "bad_split", "分组请求", "split request")?;
        let report = self.0.split_audience(&r).map_err(to_js_error)?;
        to_js(&report)
    }

    /// The members of each arm of a split (the request as for `splitAudience`): `[{ name, members }]` with dense
    /// member indices.
    ///
    /// ```js
    /// const [test, control] = ws.splitMembers({ audience: '唤醒对象', salt: 'x', arms: [{ name: 'test', ratio: 9 }, { name: 'control', ratio: 1 }] });
    /// ```
    #[wasm_bindgen(js_name = splitMembers)]
    pub fn split_members(&mut self, request_value: JsValue) -> Result<JsValue, JsValue> {
        let r: SplitRequest = request(request_value, "bad_split", "分组请求", "split request")?;
        let arms = self.0.split_members(&r).map_err(to_js_error)?;
        let arms: Vec<ArmMembers> = arms.into_iter().map(|(name, bits)| ArmMembers { name, members: bits.iter().collect() }).collect();
        to_js(&arms)
    }

    /// The lift of a campaign: `{ split, start, end }` (the split as for `splitAudience`, the window as
    /// `YYYY-MM-DD` days, both included). Returns `{ start, end, days, orders, control, arms: [{ name, members,
    /// converters, conversionRate, revenue, revenuePerMember, revenueSd }], comparisons: [{ arm, control,
    /// conversion, revenuePerMember }], daily }` where each comparison is `{ difference, low, high, lift, statistic,
    /// df, pValue, significant }` with a 95% interval (two-proportion for conversion, Welch for revenue).
    ///
    /// ```js
    /// const lift = ws.campaignLift({ split: savedSplit, start: '2025-06-01', end: '2025-06-18' });
    /// ```
    #[wasm_bindgen(js_name = campaignLift)]
    pub fn campaign_lift(&mut self, request_value: JsValue) -> Result<JsValue, JsValue> {
        let r: LiftRequest = request(request_value, "bad_lift", "效果追踪请求", "lift request")?;
        let report = self.0.campaign_lift(&r).map_err(to_js_error)?;
        to_js(&report)
    }
    /// The columns an export can hold: `[{ key, zh, en, kind, group, suggested }]` — the member id, name, phone,
    /// e-mail and other member-file columns that are loaded, RFM figures, and every tag, audience and metric.
    /// `suggested` ticks the id, name, phone, RFM and the definitions `expr` names.
    ///
    /// ```js
    /// const columns = ws.exportColumns('高价值会员 and not 促销敏感').filter(c => c.suggested).map(c => c.key);
    /// ```
    #[wasm_bindgen(js_name = exportColumns)]
    pub fn export_columns(&mut self, expr: Option<String>) -> Result<JsValue, JsValue> {
        let named: Vec<String> = match expr.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => self.0.audience_tags(e).unwrap_or_default(),
            None => Vec::new(),
        };
        let (compiled, evaluation) = self.0.evaluate_tags().map_err(to_js_error)?;
        let ws = &self.0;
        let data = ws.data();
        let info = |key: &str, zh: &str, en: &str, kind, group, suggested| ColumnInfo {
            key: key.to_string(),
            zh: zh.to_string(),
            en: en.to_string(),
            kind,
            group,
            suggested,
        };
        let mut out = vec![info("member_id", "会员编号", "Member id", ColumnKind::Id, "member", true)];
        let has = |kind: IdKind| (0..data.ids.len() as u32).any(|n| data.ids.kind(n) == kind);
        if data.members.attr(Role::Name).is_some() {
            out.push(info("name", "姓名", "Name", ColumnKind::Name, "member", true));
        }
        if has(IdKind::Phone) {
            out.push(info("phone", "手机号", "Phone", ColumnKind::Phone, "member", true));
        }
        if has(IdKind::Email) {
            out.push(info("email", "邮箱", "E-mail", ColumnKind::Email, "member", false));
        }
        // Identifier columns (the phone of a member file …) are offered once, above, as identifiers.
        for a in data.members.attrs.iter().filter(|a| a.role.map_or(true, |r| r != Role::Name && r.id_kind().is_none())) {
            let (zh, en) = match a.role {
                Some(r) => (r.zh().to_string(), r.en().to_string()),
                None => (a.header.clone(), a.header.clone()),
            };
            out.push(info(&format!("attr:{}", a.header), &zh, &en, ColumnKind::Plain, "member", false));
        }
        for (key, zh, en, kind) in [
            ("recency", "最近消费天数", "Days since last purchase", ColumnKind::Number),
            ("frequency", "消费次数", "Purchases", ColumnKind::Number),
            ("monetary", "消费金额", "Net spend", ColumnKind::Number),
            ("segment", "RFM分群", "RFM segment", ColumnKind::Plain),
        ] {
            out.push(info(key, zh, en, kind, "rfm", true));
        }
        if let Some(ev) = evaluation {
            for (i, def) in compiled.program.defs.iter().enumerate() {
                let kind = match &ev.outcomes[i] {
                    Some(Outcome::Num(_)) => ColumnKind::Number,
                    Some(_) => ColumnKind::Plain,
                    None => continue,
                };
                let suggested = named.contains(&def.name);
                out.push(info(&format!("tag:{}", def.name), &def.name, &def.name, kind, "tag", suggested));
            }
        }
        to_js(&out)
    }

    /// Writes the members of an audience (or of one arm of a split) as a CSV or XLSX file, masked unless
    /// `options.mask` is `false`: `{ audience, name, version, split, arm, columns: [{ key, header, hash }],
    /// options: { mask, hash: 'none'|'md5'|'sha256', phoneForm: 'national'|'e164', dropUnhashable, format:
    /// 'csv'|'xlsx', encoding: 'utf8_bom'|'gbk', sheet } }` with keys from `exportColumns`. Returns `{ bytes,
    /// report: { rows, headers, hashed, unhashable, dropped, neutralised, extension, mime, … }, log }` where `log`
    /// is the export-log entry to keep (`at` is the time of the export, ISO). Rows are in member order, one per
    /// member; text a spreadsheet would run as a formula is neutralised.
    ///
    /// ```js
    /// const { bytes, report, log } = ws.exportAudience({ audience: '唤醒对象',
    ///   columns: [{ key: 'member_id', header: '会员编号' }, { key: 'phone', header: '手机号' }],
    ///   options: { hash: 'sha256', format: 'csv' } }, new Date().toISOString());
    /// const url = URL.createObjectURL(new Blob([bytes], { type: report.mime }));
    /// ```
    #[wasm_bindgen(js_name = exportAudience)]
    pub fn export_audience(&mut self, request_value: JsValue, at: &str) -> Result<JsValue, JsValue> {
        let r: ExportRequest = request(request_value, "bad_export", "导出请求", "export request")?;
        let members = match (&r.split, &r.arm) {
            (Some(split), Some(arm)) => {
                let arms = self.0.split_members(split).map_err(to_js_error)?;
                arms.into_iter()
                    .find(|(name, _)| name == arm)
                    .map(|(_, bits)| bits)
                    .ok_or_else(|| bad_argument("bad_arms", format!("没有叫“{arm}”的组。"), format!("There is no arm called “{arm}”.")))?
            }
            _ => self.0.audience_members(&r.audience).map_err(to_js_error)?,
        };
        let (compiled, evaluation) = self.0.evaluate_tags().map_err(to_js_error)?;
        let ws = &self.0;
        let (Some(people), Some(rfm)) = (ws.people(), ws.rfm()) else {
            return Err(to_js_error(crate::error::Error::new("not_computed", "请先加载数据并计算。", "Load data and compute first.")));
        };
        let data = ws.data();
        let mut sources = Vec::with_capacity(r.columns.len());
        let mut columns = Vec::with_capacity(r.columns.len());
        for c in &r.columns {
            let attr = |role: Role| data.members.attrs.iter().position(|a| a.role == Some(role));
            let (source, kind) = match c.key.as_str() {
                "member_id" => (Source::Key, ColumnKind::Id),
                "name" => (Source::Attr(attr(Role::Name).ok_or_else(|| bad_column(&c.key))?), ColumnKind::Name),
                "phone" => (Source::Ident(crate::audience::lists::identifier_nodes(data, people, IdKind::Phone)), ColumnKind::Phone),
                "email" => (Source::Ident(crate::audience::lists::identifier_nodes(data, people, IdKind::Email)), ColumnKind::Email),
                "recency" => (Source::Recency, ColumnKind::Number),
                "frequency" => (Source::Frequency, ColumnKind::Number),
                "monetary" => (Source::Monetary, ColumnKind::Number),
                "segment" => (Source::Segment, ColumnKind::Plain),
                key => {
                    if let Some(header) = key.strip_prefix("attr:") {
                        let i = data.members.attrs.iter().position(|a| a.header == header).ok_or_else(|| bad_column(key))?;
                        let kind = if data.members.attrs[i].role == Some(Role::Name) { ColumnKind::Name } else { ColumnKind::Plain };
                        (Source::Attr(i), kind)
                    } else if let Some(name) = key.strip_prefix("tag:") {
                        let outcome = compiled
                            .find(name)
                            .and_then(|i| evaluation.as_ref().and_then(|ev| ev.outcomes[i].clone()))
                            .ok_or_else(|| bad_column(key))?;
                        let kind = if matches!(outcome, Outcome::Num(_)) { ColumnKind::Number } else { ColumnKind::Plain };
                        (Source::Def(outcome), kind)
                    } else {
                        return Err(bad_column(key));
                    }
                }
            };
            let header = if c.header.trim().is_empty() { c.key.clone() } else { c.header.clone() };
            sources.push(source);
            columns.push(Column { header, kind, hash: c.hash });
        }
        let mask = r.options.mask;
        let cell = |source: &Source, p: u32| -> String {
            let pi = p as usize;
            let row = || crate::audience::rfm_row(rfm, p);
            match source {
                Source::Key => {
                    let node = people.resolution.key_node[pi];
                    let key = data.ids.value(node);
                    // A person without a member id is keyed by another identifier: mask it as what it is.
                    match data.ids.kind(node) {
                        IdKind::Phone if mask => activation::mask::mask_phone(key),
                        IdKind::Email if mask => activation::mask::mask_email(key),
                        _ => key.to_string(),
                    }
                }
                Source::Attr(i) => match people.member_row[pi] {
                    crate::model::dict::NONE => String::new(),
                    row => data.members.attrs[*i].get(row).to_string(),
                },
                Source::Ident(nodes) => match nodes[pi] {
                    crate::model::dict::NONE => String::new(),
                    node => data.ids.value(node).to_string(),
                },
                Source::Recency => row().map_or(String::new(), |r| r.recency.to_string()),
                Source::Frequency => row().map_or("0".to_string(), |r| r.frequency.to_string()),
                Source::Monetary => row().map_or(String::new(), |r| crate::ingest::values::format_amount(r.monetary)),
                Source::Segment => row().map_or(String::new(), |r| r.segment.zh().to_string()),
                Source::Def(Outcome::Bool(b)) => if b.contains(p) { "1" } else { "0" }.to_string(),
                Source::Def(Outcome::Text(t)) => t.get(pi).to_string(),
                Source::Def(Outcome::Num(v)) => match v.get(pi) {
                    Some(x) if !x.is_nan() => crate::audience::explain::format_value(*x),
                    _ => String::new(),
                },
            }
        };
        let spec = activation::ExportSpec { columns, options: r.options.clone() };
        let rows = members.iter().map(|p| sources.iter().map(|s| cell(s, p)).collect::<Vec<String>>());
        let export = activation::export_rows(&spec, rows).map_err(to_js_error)?;
        let name = if r.name.trim().is_empty() { r.audience.clone() } else { r.name.clone() };
        let mut log = ExportLogEntry::new(at, name, &spec, &export.report);
        log.version = r.version.clone();
        let out = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&out, &key.into(), value).map(|_| ());
        set("bytes", &js_sys::Uint8Array::from(export.bytes.as_slice()).into())?;
        set("report", &to_js(&export.report)?)?;
        set("log", &to_js(&log)?)?;
        Ok(out.into())
    }
}
