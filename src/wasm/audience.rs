//! `Workspace` audience methods (人群圈选): the live count and preview of an expression as it is typed, why a
//! member is in or out, static audiences from uploaded ids and dated snapshots, portraits with TGI, cross-tabs and
//! comparisons, A/B splits with a balance check, and campaign lift.
//!
//! An audience is an `audience NAME = expr` definition in the tag catalog: save one with `saveTag({ kind:
//! 'audience', … })` so it is versioned and travels in the tag pack. Static audiences and snapshots are catalog
//! entries too, so every method that adds one is followed by `exportPack()` on the page. Times and authors come
//! from the page (`at` is an ISO date-time string): the core never reads a clock.

use super::error::{request, to_js};
use super::workspace::JsWorkspace;
use crate::audience::{LiftRequest, PortraitRequest, SplitRequest, StaticAudience};
use crate::base::ids::IdKind;
use crate::engine::AudienceExportRequest;
use wasm_bindgen::prelude::*;

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
        let count = self.0.audience_count(expr)?;
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
        to_js(&self.0.audience_preview(expr, samples.unwrap_or(5).min(100) as usize, mask.unwrap_or(true))?)
    }

    /// The members of an audience expression or of a definition's name, as dense member indices (ascending).
    /// Throws `bad_expression` when it has an error.
    ///
    /// ```js
    /// const members = ws.audienceMembers('唤醒对象'); // Uint32Array
    /// ```
    #[wasm_bindgen(js_name = audienceMembers)]
    pub fn audience_members(&mut self, expr: &str) -> Result<Vec<u32>, JsValue> {
        let bits = self.0.audience_members(expr)?;
        Ok(bits.iter().collect())
    }

    /// The definitions an expression names directly (the tags an export of it shows by default).
    ///
    /// ```js
    /// ws.audienceTags('高价值会员 and not 促销敏感'); // ['高价值会员', '促销敏感']
    /// ```
    #[wasm_bindgen(js_name = audienceTags)]
    pub fn audience_tags(&mut self, expr: &str) -> Result<JsValue, JsValue> {
        let tags = self.0.audience_tags(expr)?;
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
        to_js(&self.0.explain_member(target, member, mask.unwrap_or(true))?)
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
        let r: StaticRequest = request(request_value, "静态人群", "static audience")?;
        let ids = match (r.ids, r.text) {
            (Some(ids), _) => ids,
            (None, Some(text)) => crate::audience::lists::ids_from_text(&text),
            (None, None) => Vec::new(),
        };
        let audience = StaticAudience { name: r.name, group: r.group, description: r.description, ids, kind: r.kind };
        let saved = self.0.save_static_audience(&audience, at, author)?;
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
        let saved = self.0.snapshot_audience(name, snapshot.as_deref(), at, author)?;
        to_js(&saved)
    }

    /// Every audience in the catalog: `[{ name, kind: 'dynamic'|'static'|'snapshot', group, description, rule,
    /// count, stored, snapshotOf, at, versions, updated }]` (`count` is `null` before a computation).
    ///
    /// ```js
    /// for (const a of ws.audiences()) console.log(a.name, a.kind, a.count);
    /// ```
    pub fn audiences(&mut self) -> Result<JsValue, JsValue> {
        let list = self.0.audiences()?;
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
        let r: PortraitRequest = request(request_value, "画像请求", "portrait request")?;
        let portrait = self.0.portrait(&r)?;
        to_js(&portrait)
    }

    /// The members of an audience counted by two dimensions (tag names, attribute headers or roles such as `city`,
    /// or `rfm`): `{ row, column, rowValues, columnValues, counts, total }` with `counts[r][c]`.
    ///
    /// ```js
    /// const x = ws.crosstab('唤醒对象', '年龄段', 'city');
    /// ```
    pub fn crosstab(&mut self, audience: &str, row: &str, column: &str) -> Result<JsValue, JsValue> {
        let table = self.0.crosstab(audience, row, column)?;
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
        let comparison = self.0.compare_audiences(a, b, min_count)?;
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
        let r: SplitRequest = request(request_value, "分组请求", "split request")?;
        let report = self.0.split_audience(&r)?;
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
        let r: SplitRequest = request(request_value, "分组请求", "split request")?;
        let arms = self.0.split_members(&r)?;
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
        let r: LiftRequest = request(request_value, "效果追踪请求", "lift request")?;
        let report = self.0.campaign_lift(&r)?;
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
        to_js(&self.0.export_columns(expr.as_deref())?)
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
        let r: AudienceExportRequest = request(request_value, "导出请求", "export request")?;
        let done = self.0.export_audience(&r, at)?;
        let out = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| js_sys::Reflect::set(&out, &key.into(), value).map(|_| ());
        set("bytes", &js_sys::Uint8Array::from(done.export.bytes.as_slice()).into())?;
        set("report", &to_js(&done.export.report)?)?;
        set("log", &to_js(&done.log)?)?;
        Ok(out.into())
    }
}
