//! The read-only side of the workspace, after the model of rust-analyzer's `AnalysisHost` → `Analysis`:
//! [`Workspace::refresh`] brings every derived result up to date (RFM after new data or settings, the compiled
//! catalog, every tag's result in the cache, the metric columns' cache), and [`Workspace::analysis`] hands out an
//! [`Analysis`]: a borrow of the refreshed workspace whose queries (counts, previews, explanations, portraits,
//! splits, lift, reports, exports) take `&self` and change nothing. The `&mut self` methods of the same names on
//! `Workspace` are one-line conveniences: refresh, then ask.

use super::Workspace;
use crate::error::Result;
use crate::tags::{Compiled, Evaluation};
use std::rc::Rc;

/// A refreshed workspace, read-only: every query method takes `&self`.
pub struct Analysis<'a> {
    ws: &'a Workspace,
    /// The compiled catalog, current.
    pub(super) compiled: Rc<Compiled>,
    /// The evaluation this refresh made, when a result was stale (which definitions it evaluated).
    pub(super) evaluation: Option<Evaluation>,
}

impl std::ops::Deref for Analysis<'_> {
    type Target = Workspace;

    fn deref(&self) -> &Workspace {
        self.ws
    }
}

impl Workspace {
    /// Brings every derived result up to date: RFM is recomputed (with the same analysis date) when data was
    /// loaded or the settings changed what M scores, the catalog is compiled, the metric columns' cache follows the
    /// settings, indexes of replaced columns are dropped, and every runnable definition's result is in the cache.
    pub fn refresh(&mut self) -> Result<()> {
        self.analysis().map(|_| ())
    }

    /// The read-only view of the workspace after a [`Workspace::refresh`] (its evaluation says which definitions
    /// this refresh evaluated).
    pub fn analysis(&mut self) -> Result<Analysis<'_>> {
        self.follow_settings()?;
        self.follow_models();
        let _ = self.frame_cache();
        self.audience_indexes.prune();
        let compiled = self.compiled_catalog();
        let current = (0..compiled.program.defs.len())
            .all(|j| !compiled.runnable(j) || self.tag_cache.fresh(&compiled.program.defs[j].name, compiled.fingerprints[j]).is_some());
        // Evaluates only when a result is stale; otherwise the cache is read as it is, nothing copied.
        let evaluation = if self.computed.is_some() && !current { self.evaluate_tags()?.1 } else { None };
        Ok(Analysis { ws: self, compiled, evaluation })
    }
}

impl Analysis<'_> {
    /// The compiled catalog with every definition's result (`None` before a computation), and which definitions
    /// the refresh evaluated.
    pub fn evaluate_tags(&self) -> Result<(Rc<Compiled>, Option<Evaluation>)> {
        if self.computed.is_none() {
            return Ok((self.compiled.clone(), None));
        }
        if let Some(e) = &self.evaluation {
            return Ok((self.compiled.clone(), Some(e.clone())));
        }
        let c = &self.compiled;
        let outcomes = (0..c.program.defs.len())
            .map(|j| if c.fingerprints[j] == 0 { None } else { self.tag_cache.fresh(&c.program.defs[j].name, c.fingerprints[j]).cloned() })
            .collect();
        Ok((self.compiled.clone(), Some(Evaluation { outcomes, evaluated: Vec::new() })))
    }
}
