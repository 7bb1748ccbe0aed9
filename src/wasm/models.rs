//! `Workspace` model methods (模型): fit a model from a request, list the kept models, scan k for clusters, the CLV
//! calibration check, histograms of model columns, and saving a lookalike expansion as an audience.
//!
//! A fit adds or updates a catalog entry (the model's request travels in the tag pack), so the worker treats
//! `fitModel`, `removeModel` and `saveLookalikeAudience` as catalog changes and replies with the pack. A fit runs to
//! its end inside one call; the page cancels one by replacing the worker (see `docs/models.md`).

use super::error::{request, to_js};
use super::workspace::JsWorkspace;
use crate::engine::LookalikeAudience;
use crate::models::calibration::CalibrationRequest;
use crate::models::elbow::ElbowRequest;
use crate::models::{ModelKind, ModelRequest};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = Workspace)]
impl JsWorkspace {
    /// Fits a model and keeps it in the catalog; returns its report.
    ///
    /// ```js
    /// const clv = ws.fitModel({ model: 'clv', horizonDays: 365, discountMonthly: 0.01 });
    /// const clusters = ws.fitModel({ model: 'cluster', k: 5, features: ['recency', 'frequency', 'monetary'] });
    /// ```
    #[wasm_bindgen(js_name = fitModel)]
    pub fn fit_model(&mut self, request_value: JsValue) -> Result<JsValue, JsValue> {
        let r: ModelRequest = request(request_value, "模型请求", "model request")?;
        to_js(&self.0.fit_model(&r)?)
    }

    /// The models the catalog keeps: `[{ model, zh, en, version, request, report, fitted, error, columns }]`
    /// (fitting any that are due first).
    pub fn models(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.0.models()?)
    }

    /// Forgets a model (`'clv'`, `'cluster'` …) and its columns; returns whether it was kept.
    #[wasm_bindgen(js_name = removeModel)]
    pub fn remove_model(&mut self, model: JsValue) -> Result<bool, JsValue> {
        let kind: ModelKind = request(model, "模型", "model")?;
        Ok(self.0.remove_model(kind))
    }

    /// The elbow/silhouette scan: `{ rows, sampledRows, points: [{ k, inertia, silhouette }], elbow, suggested }`.
    #[wasm_bindgen(js_name = scanClusters)]
    pub fn scan_clusters(&mut self, request_value: JsValue) -> Result<JsValue, JsValue> {
        let r: ElbowRequest = request(request_value, "聚类数扫描", "k scan")?;
        to_js(&self.0.scan_clusters(&r)?)
    }

    /// The CLV calibration/holdout check: `{ cutoff, buckets: [{ label, buyers, actual, predicted }], … }`.
    #[wasm_bindgen(js_name = calibrateClv)]
    pub fn calibrate_clv(&mut self, request_value: JsValue) -> Result<JsValue, JsValue> {
        let r: CalibrationRequest = request(request_value, "校准检验", "calibration check")?;
        to_js(&self.0.calibrate_clv(&r)?)
    }

    /// A histogram of a numeric model column: `{ key, edges, counts, members, mean, max }`, or `null`.
    #[wasm_bindgen(js_name = modelHistogram)]
    pub fn model_histogram(&mut self, key: &str, bins: Option<usize>) -> Result<JsValue, JsValue> {
        to_js(&self.0.model_histogram(key, bins.unwrap_or(20))?)
    }

    /// Saves the lookalike expansion (`{ name, topN?, threshold? }`) as a static audience at `at` by `author`.
    #[wasm_bindgen(js_name = saveLookalikeAudience)]
    pub fn save_lookalike_audience(&mut self, request_value: JsValue, at: &str, author: &str) -> Result<JsValue, JsValue> {
        let r: LookalikeAudience = request(request_value, "相似人群扩展", "lookalike expansion")?;
        to_js(&self.0.save_lookalike_audience(&r, at, author)?)
    }
}
