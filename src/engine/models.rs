//! `Workspace` models: fit CLV (BG/NBD + Gamma-Gamma), k-means clusters, lookalike scores, category affinity and
//! churn risk over the last computation and keep
//! their member columns, which exports offer as `model:KEY` columns beside the RFM figures and tags. A new
//! computation (new data, another analysis date) drops them, since they describe the people it replaced.

use super::Workspace;
use crate::error::{Error, Result};
use crate::metrics::Frame;
use crate::models::affinity::{self, AffinityReport, AffinityRequest};
use crate::models::churn::{self, ChurnReport, ChurnRequest};
use crate::models::clv::{self, ClvReport, ClvRequest};
use crate::models::kmeans::{self, ClusterReport, ClusterRequest};
use crate::models::lookalike::{self, LookalikeReport, LookalikeRequest};
use crate::models::ModelColumn;
use crate::rules::check::{ModelField, Schema};
use crate::tags::schema_of;

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
        Ok(model.report)
    }

    /// Clusters members with k-means (`cluster`, `cluster_label`).
    pub fn fit_clusters(&mut self, request: &ClusterRequest) -> Result<ClusterReport> {
        let model = self.with_frame(|frame| kmeans::fit(frame, request))?;
        self.keep_columns(model.columns);
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
        Ok(model.report)
    }

    /// Category association rules and each member's next-best category (`next_category`, …).
    pub fn fit_affinity(&mut self, request: &AffinityRequest) -> Result<AffinityReport> {
        let model = self.with_frame(|frame| affinity::fit(frame, request))?;
        self.keep_columns(model.columns);
        Ok(model.report)
    }

    /// Churn risk bands (`churn_risk`, `overdue_ratio`) from the CLV model's P(alive), fitting it with the default
    /// request first when it has not been fitted since the last computation.
    pub fn fit_churn(&mut self, request: &ChurnRequest) -> Result<ChurnReport> {
        if !self.models.iter().any(|c| c.column.key == "p_alive") {
            self.fit_clv(&ClvRequest::default())?;
        }
        let p_alive = match self.models.iter().find(|c| c.column.key == "p_alive").map(|c| &c.column.values) {
            Some(crate::models::ModelValues::Num(v)) => v.to_vec(),
            _ => Vec::new(),
        };
        let model = self.with_frame(|frame| churn::fit(frame, &p_alive, request))?;
        self.keep_columns(model.columns);
        Ok(model.report)
    }

    /// The member columns of the models fitted since the last computation.
    pub fn model_columns(&self) -> Vec<&ModelColumn> {
        self.models.iter().map(|m| &m.column).collect()
    }
}
