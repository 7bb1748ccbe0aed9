//! The dashboard and the member page (`engine::dashboard`, `engine::member`) on the JS `Workspace`.

use super::error::to_js;
use super::workspace::JsWorkspace;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = Workspace)]
impl JsWorkspace {
    /// The dashboard over the last computation: `{ asOf, periodDays, kpis: [{ key, unit, value, previous, change,
    /// audience, audienceCount }], trend, lifecycle, cohorts, segments, grid, topTags, quality }`. Periods are
    /// `periodDays` days (default 30) ending on the analysis date. Every member figure carries the audience
    /// expression that selects those members.
    ///
    /// ```js
    /// const d = ws.dashboard(30);
    /// d.grid.audiences[4][4]; // 'rfm.r == 5 and rfm.f == 5'
    /// ```
    pub fn dashboard(&mut self, period_days: Option<u32>) -> Result<JsValue, JsValue> {
        to_js(&self.0.dashboard(period_days.unwrap_or(30))?)
    }

    /// One member's page, found by any identifier (member id, phone, UnionID … as typed): identifiers,
    /// attributes (masked unless `mask` is `false`), RFM, lifecycle, every tag, metric and model value, the newest
    /// `limit` (default 100) orders and events, and the saved audiences they belong to. Throws `no_such_member`.
    ///
    /// ```js
    /// const m = ws.memberProfile('13800138000');
    /// console.log(m.id, m.rfm?.segmentZh, m.orders.length, m.audiences);
    /// ```
    #[wasm_bindgen(js_name = memberProfile)]
    pub fn member_profile(&mut self, query: &str, mask: Option<bool>, limit: Option<u32>) -> Result<JsValue, JsValue> {
        to_js(&self.0.member_profile(query, mask.unwrap_or(true), limit.unwrap_or(100).min(10_000) as usize)?)
    }
}
