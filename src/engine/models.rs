//! `Workspace` models: fit CLV (BG/NBD + Gamma-Gamma) and k-means clusters over the last computation and keep
//! their member columns, which exports offer as `model:KEY` columns beside the RFM figures and tags. A new
//! computation (new data, another analysis date) drops them, since they describe the people it replaced.

use super::Workspace;
use crate::error::{Error, Result};
use crate::metrics::Frame;
use crate::models::clv::{self, ClvReport, ClvRequest};
use crate::models::kmeans::{self, ClusterReport, ClusterRequest};
use crate::models::ModelColumn;

impl Workspace {
    /// Runs `f` over a frame of the last computation.
    fn with_frame<T>(&mut self, f: impl FnOnce(&Frame<'_>) -> Result<T>) -> Result<T> {
        self.follow_settings()?;
        let cache = self.frame_cache();
        let c = self.computed.as_ref().ok_or_else(Error::not_computed)?;
        let frame = Frame::with_cache(&self.data, &c.people, &c.rfm, self.catalog.settings.clone(), cache);
        f(&frame)
    }

    /// Keeps model columns, replacing any of the same key.
    fn keep_columns(&mut self, columns: Vec<ModelColumn>) {
        for c in columns {
            self.model_columns.retain(|old| old.key != c.key);
            self.model_columns.push(c);
        }
    }

    /// Fits BG/NBD and Gamma-Gamma and scores every buyer (`p_alive`, `expected_purchases_<N>d`, `clv` …).
    pub fn fit_clv(&mut self, request: &ClvRequest) -> Result<ClvReport> {
        let model = self.with_frame(|frame| clv::fit(frame, request))?;
        // Another horizon's expected purchases would sit beside this one under another key: keep one.
        self.model_columns.retain(|c| !c.key.starts_with("expected_purchases_"));
        self.keep_columns(model.columns);
        Ok(model.report)
    }

    /// Clusters members with k-means (`cluster`, `cluster_label`).
    pub fn fit_clusters(&mut self, request: &ClusterRequest) -> Result<ClusterReport> {
        let model = self.with_frame(|frame| kmeans::fit(frame, request))?;
        self.keep_columns(model.columns);
        Ok(model.report)
    }

    /// The member columns of the models fitted since the last computation.
    pub fn model_columns(&self) -> &[ModelColumn] {
        &self.model_columns
    }
}
