//! `Workspace` models: fit CLV (BG/NBD + Gamma-Gamma), k-means clusters, lookalike scores, category affinity and
//! churn risk over the last computation and keep their member columns, which rules and audiences read like metrics
//! (`clv > 500`) and exports offer as `model:KEY` columns.
//!
//! Every fit is also a catalog entry ([`crate::tags::catalog::ModelEntry`]): its request (versioned) and its last
//! report travel in the tag pack. A new computation (new data, another analysis date) drops the columns, and the
//! next refresh fits every kept model again from its request ([`Workspace::follow_models`]), as it does after a
//! pack with models is imported or a `set churn.…` threshold changes. A refit that fails (say, the new data has no
//! repeat buyer) leaves that model's columns out, so rules reading them say `model_not_fitted`, and is not tried
//! again until the data, the settings or the request change; [`Workspace::models`] reports it.

use super::Workspace;
use crate::audience::SavedList;
use crate::error::{Error, Result};
use crate::metrics::Frame;
use crate::models::affinity::{self, AffinityReport, AffinityRequest};
use crate::models::calibration::{self, CalibrationReport, CalibrationRequest};
use crate::models::churn::{self, ChurnReport, ChurnRequest};
use crate::models::clv::{self, ClvReport, ClvRequest};
use crate::models::elbow::{self, ElbowReport, ElbowRequest};
use crate::models::kmeans::{self, ClusterReport, ClusterRequest};
use crate::models::lookalike::{self, LookalikeReport, LookalikeRequest};
use crate::models::{known_column, ModelColumn, ModelKind, ModelRequest};
use crate::rules::check::{ModelField, Schema};
use crate::tags::schema_of;
use serde::{Deserialize, Serialize};

/// Which members of a lookalike expansion to save as an audience.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LookalikeAudience {
    /// The audience's name.
    pub name: String,
    /// Its group.
    pub group: String,
    /// Its description (default: the seed and the cut).
    pub description: String,
    /// The best-scored members outside the seed, at most this many.
    pub top_n: Option<usize>,
    /// Members outside the seed scoring at least this.
    pub threshold: Option<f64>,
}

/// A histogram of a numeric model column.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelHistogram {
    /// The column.
    pub key: String,
    /// `bins + 1` bin edges; the last bin also holds every value above its upper edge.
    pub edges: Vec<f64>,
    /// Members per bin.
    pub counts: Vec<u64>,
    /// Members with a value.
    pub members: u64,
    /// Their mean value.
    pub mean: f64,
    /// The largest value.
    pub max: f64,
}

/// A kept model as the Models view lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    /// The model.
    pub model: ModelKind,
    /// Its name in Chinese and in English.
    pub zh: &'static str,
    /// See `zh`.
    pub en: &'static str,
    /// The request's version.
    pub version: u32,
    /// The request.
    pub request: ModelRequest,
    /// The report of its last fit.
    pub report: serde_json::Value,
    /// Whether its columns are fitted over the current computation.
    pub fitted: bool,
    /// Why the last refit failed, if it did.
    pub error: Option<Error>,
    /// The member columns it wrote (keys).
    pub columns: Vec<String>,
}

impl Workspace {
    /// Runs `f` over a frame of the last computation.
    fn with_frame<T>(&mut self, f: impl FnOnce(&Frame<'_>) -> Result<T>) -> Result<T> {
        self.follow_settings()?;
        let cache = self.frame_cache();
        let c = self.computed.as_ref().ok_or_else(Error::not_computed)?;
        let frame = Frame::with_cache(&self.data, &c.people, &c.rfm, self.catalog.settings.clone(), cache);
        f(&frame)
    }

    /// Keeps model columns, replacing any of the same key. Each is fingerprinted once here: rules that read it
    /// keep their cached results until a refit changes its values.
    fn keep_columns(&mut self, columns: Vec<ModelColumn>) {
        for c in columns {
            self.models.retain(|old| old.column.key != c.key);
            self.models.push(ModelField::new(c));
        }
    }

    /// The request as fitted: a churn request with the pack's `set churn.…` thresholds in place.
    fn effective(&self, request: &ModelRequest) -> ModelRequest {
        match request {
            ModelRequest::Churn(r) => ModelRequest::Churn(r.with_settings(&self.catalog.settings.churn)),
            other => other.clone(),
        }
    }

    /// Keeps a successful fit in the catalog and notes it as fitted over this computation.
    fn remember(&mut self, request: ModelRequest, report: &impl Serialize) {
        let effective = self.effective(&request);
        self.fitted.retain(|(r, _)| r.kind() != request.kind());
        self.fitted.push((effective, None));
        self.catalog.record_model(request, serde_json::to_value(report).unwrap_or_default());
    }

    /// The schema rules are checked against: the member file's headers and the fitted models' columns.
    pub fn schema(&self) -> Schema {
        let mut schema = schema_of(&self.data);
        schema.models = self.models.clone();
        schema
    }

    /// Fits BG/NBD and Gamma-Gamma and scores every buyer (`p_alive`, `expected_purchases_<N>d`, `clv` …).
    pub fn fit_clv(&mut self, request: &ClvRequest) -> Result<ClvReport> {
        let model = self.with_frame(|frame| clv::fit(frame, request))?;
        // Another horizon's expected purchases would sit beside this one under another key: keep one.
        self.models.retain(|c| !c.column.key.starts_with("expected_purchases_"));
        self.keep_columns(model.columns);
        self.remember(ModelRequest::Clv(request.clone()), &model.report);
        Ok(model.report)
    }

    /// Clusters members with k-means (`cluster`, `cluster_label`).
    pub fn fit_clusters(&mut self, request: &ClusterRequest) -> Result<ClusterReport> {
        let model = self.with_frame(|frame| kmeans::fit(frame, request))?;
        self.keep_columns(model.columns);
        self.remember(ModelRequest::Cluster(request.clone()), &model.report);
        Ok(model.report)
    }

    /// Scores every member against a seed audience (`lookalike_score`).
    pub fn fit_lookalike(&mut self, request: &LookalikeRequest) -> Result<LookalikeReport> {
        let seed = self.audience_members(&request.seed_audience)?;
        let model = self.with_frame(|frame| {
            let in_seed: Vec<bool> = (0..frame.len() as u32).map(|p| seed.contains(p)).collect();
            lookalike::fit(frame, &in_seed, request)
        })?;
        self.keep_columns(model.columns);
        self.remember(ModelRequest::Lookalike(request.clone()), &model.report);
        Ok(model.report)
    }

    /// Category association rules and each member's next-best category (`next_category`, …).
    pub fn fit_affinity(&mut self, request: &AffinityRequest) -> Result<AffinityReport> {
        let model = self.with_frame(|frame| affinity::fit(frame, request))?;
        self.keep_columns(model.columns);
        self.remember(ModelRequest::Affinity(request.clone()), &model.report);
        Ok(model.report)
    }

    /// Churn risk bands (`churn_risk`, `overdue_ratio`) from the CLV model's P(alive), fitting it with the default
    /// request first when it has not been fitted since the last computation. Thresholds set in the pack
    /// (`set churn.high_p_alive = 0.2` …) take the place of the request's.
    pub fn fit_churn(&mut self, request: &ChurnRequest) -> Result<ChurnReport> {
        if !self.models.iter().any(|c| c.column.key == "p_alive") {
            self.fit_clv(&ClvRequest::default())?;
        }
        let p_alive = match self.models.iter().find(|c| c.column.key == "p_alive").map(|c| &c.column.values) {
            Some(crate::models::ModelValues::Num(v)) => v.to_vec(),
            _ => Vec::new(),
        };
        let effective = request.with_settings(&self.catalog.settings.churn);
        let model = self.with_frame(|frame| churn::fit(frame, &p_alive, &effective))?;
        self.keep_columns(model.columns);
        self.remember(ModelRequest::Churn(request.clone()), &model.report);
        Ok(model.report)
    }

    /// Fits one model from its request (the report as JSON).
    pub fn fit_model(&mut self, request: &ModelRequest) -> Result<serde_json::Value> {
        fn json<T: Serialize>(r: Result<T>) -> Result<serde_json::Value> {
            r.map(|report| serde_json::to_value(report).unwrap_or_default())
        }
        match request {
            ModelRequest::Clv(r) => json(self.fit_clv(r)),
            ModelRequest::Cluster(r) => json(self.fit_clusters(r)),
            ModelRequest::Churn(r) => json(self.fit_churn(r)),
            ModelRequest::Lookalike(r) => json(self.fit_lookalike(r)),
            ModelRequest::Affinity(r) => json(self.fit_affinity(r)),
        }
    }

    /// Fits again every model the catalog keeps whose request (with the settings) has not been fitted over the
    /// current computation: after new data, an imported pack or a changed `set churn.…`. Runs on every refresh;
    /// with nothing to do it only compares requests.
    pub(super) fn follow_models(&mut self) {
        if self.computed.is_none() || self.catalog.models.is_empty() {
            return;
        }
        let mut requests: Vec<ModelRequest> = self.catalog.models.iter().map(|m| m.request.clone()).collect();
        requests.sort_by_key(|r| r.kind().refit_rank());
        for request in requests {
            let effective = self.effective(&request);
            if self.fitted.iter().any(|(r, _)| *r == effective) {
                continue;
            }
            // Noted first: a lookalike seed's audience refreshes the workspace, which must not start this fit again.
            let kind = request.kind();
            self.fitted.retain(|(r, _)| r.kind() != kind);
            self.fitted.push((effective.clone(), None));
            if let Err(e) = self.fit_model(&request) {
                self.models.retain(|c| !known_column(&c.column.key).is_some_and(|k| k.model == kind));
                self.fitted.retain(|(r, _)| r.kind() != kind);
                self.fitted.push((effective, Some(e)));
            }
        }
    }

    /// The elbow and silhouette of k-means for each k of a range, with a suggested k.
    pub fn scan_clusters(&mut self, request: &ElbowRequest) -> Result<ElbowReport> {
        self.with_frame(|frame| elbow::scan(frame, request))
    }

    /// The CLV model's calibration/holdout check: fitted before a cut-off, predicted against actual purchase days
    /// after it, by frequency bucket.
    pub fn calibrate_clv(&mut self, request: &CalibrationRequest) -> Result<CalibrationReport> {
        self.with_frame(|frame| calibration::calibrate(frame, request))
    }

    /// Saves the lookalike model's expansion as a static audience: the `topN` best-scored members outside the seed,
    /// or those scoring at least `threshold` (both: whichever is fewer), taken at `at` by `author`.
    pub fn save_lookalike_audience(&mut self, request: &LookalikeAudience, at: &str, author: &str) -> Result<SavedList> {
        let Some(ModelRequest::Lookalike(fit)) =
            self.catalog.models.iter().map(|m| &m.request).find(|r| r.kind() == ModelKind::Lookalike).cloned()
        else {
            return Err(Error::model_missing("lookalike"));
        };
        self.refuse_builtin(&request.name)?;
        self.refresh()?;
        let scores = match self.models.iter().find(|c| c.column.key == "lookalike_score").map(|c| &c.column.values) {
            Some(crate::models::ModelValues::Num(v)) => v.clone(),
            _ => return Err(Error::model_missing("lookalike")),
        };
        let seed = self.audience_members(&fit.seed_audience)?;
        let mut ranked: Vec<u32> = (0..scores.len() as u32)
            .filter(|&p| !seed.contains(p) && !scores[p as usize].is_nan())
            .filter(|&p| request.threshold.map_or(true, |t| scores[p as usize] >= t))
            .collect();
        // Best first; equal scores by member order, so the same request saves the same members.
        ranked.sort_by(|&a, &b| scores[b as usize].total_cmp(&scores[a as usize]).then(a.cmp(&b)));
        if let Some(n) = request.top_n {
            ranked.truncate(n);
        }
        if ranked.is_empty() {
            return Err(Error::model_empty_expansion());
        }
        ranked.sort_unstable();
        let c = self.computed.as_ref().ok_or_else(Error::not_computed)?;
        let members = roaring::RoaringBitmap::from_sorted_iter(ranked.iter().copied()).unwrap_or_default();
        let keys = crate::model::people::keys_of(&self.data, &c.people, &members);
        let description = if request.description.is_empty() {
            let mut d = format!("相似人群扩展 / lookalike expansion of {}", fit.seed_audience);
            if let Some(n) = request.top_n {
                d.push_str(&format!(", top {n}"));
            }
            if let Some(t) = request.threshold {
                d.push_str(&format!(", score ≥ {}", crate::base::values::format_number(t)));
            }
            d
        } else {
            request.description.clone()
        };
        let (name, group) = (&request.name, &request.group);
        let list = super::audience::StaticList { name, group, description: &description, keys, members: members.len() };
        self.save_member_list(list, None, at, author)
    }

    /// A histogram of a numeric model column (`clv`, `p_alive` …) over the members the model scored: `bins`
    /// equal-width bins from the smallest value to the 99th percentile, the last one open (it also holds the values
    /// above). `None` when no such column is fitted.
    pub fn model_histogram(&mut self, key: &str, bins: usize) -> Result<Option<ModelHistogram>> {
        self.refresh()?;
        let Some(crate::models::ModelValues::Num(v)) = self.models.iter().find(|c| c.column.key == key).map(|c| &c.column.values) else {
            return Ok(None);
        };
        let mut values: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        values.sort_by(f64::total_cmp);
        let bins = bins.clamp(2, 100);
        let (Some(&lo), Some(&max)) = (values.first(), values.last()) else { return Ok(None) };
        let hi = values[((values.len() - 1) as f64 * 0.99) as usize].max(lo);
        let width = if hi > lo { (hi - lo) / bins as f64 } else { 1.0 };
        let mut counts = vec![0u64; bins];
        for &x in &values {
            counts[(((x - lo) / width) as usize).min(bins - 1)] += 1;
        }
        let edges = (0..=bins).map(|i| lo + width * i as f64).collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        Ok(Some(ModelHistogram { key: key.to_string(), edges, counts, members: values.len() as u64, mean, max }))
    }

    /// Forgets a model: its catalog entry and its columns.
    pub fn remove_model(&mut self, kind: ModelKind) -> bool {
        self.models.retain(|c| !known_column(&c.column.key).is_some_and(|k| k.model == kind));
        self.fitted.retain(|(r, _)| r.kind() != kind);
        self.catalog.remove_model(kind)
    }

    /// The models the catalog keeps, fitting any that are due first.
    pub fn models(&mut self) -> Result<Vec<ModelInfo>> {
        self.refresh()?;
        Ok(self
            .catalog
            .models
            .iter()
            .map(|m| {
                let kind = m.request.kind();
                let effective = self.effective(&m.request);
                let state = self.fitted.iter().find(|(r, _)| *r == effective);
                let columns = self
                    .models
                    .iter()
                    .filter(|c| known_column(&c.column.key).is_some_and(|k| k.model == kind))
                    .map(|c| c.column.key.clone())
                    .collect();
                ModelInfo {
                    model: kind,
                    zh: kind.zh(),
                    en: kind.en(),
                    version: m.version,
                    request: m.request.clone(),
                    report: m.report.clone(),
                    fitted: matches!(state, Some((_, None))),
                    error: state.and_then(|(_, e)| e.clone()),
                    columns,
                }
            })
            .collect())
    }

    /// The member columns of the models fitted since the last computation.
    pub fn model_columns(&self) -> Vec<&ModelColumn> {
        self.models.iter().map(|m| &m.column).collect()
    }
}
