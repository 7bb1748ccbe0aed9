//! The workspace's tags: the catalog, compiling it against the loaded data, evaluating it incrementally, and the
//! report, lineage, completion and per-rule check the editor uses.

use super::{Analysis, Workspace};
use crate::error::{Error, Result};
use crate::metrics::{Frame, Settings, Thresholds};
use crate::rules::check::Dep;
use crate::rules::eval::Outcome;
use crate::tags::report::{self, Completion, DiagnosticInfo, Lineage, TagInfo, ValueCount};
use crate::tags::{compile, evaluate, evaluate_one, Catalog, Compiled, DiffPart, Edit, Evaluation};
use roaring::RoaringBitmap;
use serde::Serialize;
use std::rc::Rc;

/// Every definition with its coverage, values, flags and diagnostics.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagsReport {
    /// Members in the data (0 before a computation).
    pub members: u64,
    /// Whether the tags were evaluated (data loaded and computed).
    pub computed: bool,
    /// The analysis date of the evaluation.
    pub as_of: Option<String>,
    /// Built-in tags first, then the catalog's definitions in order.
    pub tags: Vec<TagInfo>,
    /// Names evaluated this time (the rest came from the cache).
    pub evaluated: Vec<String>,
    /// The settings in force.
    pub settings: Settings,
    /// The lifecycle thresholds in force (after a computation).
    pub thresholds: Option<Thresholds>,
}

/// The check of one rule as it is being typed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleCheck {
    /// Problems, located in the rule's text.
    pub diagnostics: Vec<DiagnosticInfo>,
    /// `bool`, `enum`, `number` or `none`.
    pub value_type: &'static str,
    /// What it reads.
    pub deps: Vec<Dep>,
    /// Members it would cover now (when the data is computed and the rule has no error).
    pub count: Option<u64>,
    /// `count` over all members.
    pub share: Option<f64>,
    /// Members per value (enumerated tags).
    pub values: Vec<ValueCount>,
}

impl Workspace {
    /// The tag catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Compiles the catalog against the loaded data.
    pub fn compile_tags(&self) -> Compiled {
        compile(&self.catalog, &self.schema())
    }

    /// The compiled catalog, compiled again only when a definition, the settings or the schema changed (a draft
    /// being typed is checked against it with [`crate::tags::compile_with`] instead of compiling everything).
    pub fn compiled_catalog(&mut self) -> Rc<Compiled> {
        let schema = self.schema();
        let key = crate::tags::compile_key(&self.catalog, &schema);
        match &self.compiled_cache {
            Some((k, compiled)) if *k == key => compiled.clone(),
            _ => {
                let compiled = Rc::new(compile(&self.catalog, &schema));
                self.compiled_cache = Some((key, compiled.clone()));
                compiled
            }
        }
    }

    /// Recomputes (with the same analysis date) when the settings changed what M scores, or when data was loaded
    /// or re-linked since the last computation: tags are never evaluated over people that no longer match the data.
    pub(super) fn follow_settings(&mut self) -> Result<()> {
        let Some(c) = &self.computed else { return Ok(()) };
        if c.basis != self.catalog.settings.rfm_monetary || c.data_version != self.data_version {
            let as_of = if c.rfm.as_of_default { None } else { Some(c.rfm.as_of) };
            self.compute(as_of)?;
        }
        Ok(())
    }

    /// The metric-column cache of the last computation under the current settings.
    pub(super) fn frame_cache(&mut self) -> std::rc::Rc<crate::metrics::FrameCache> {
        let key = serde_json::to_string(&self.catalog.settings).unwrap_or_default();
        match &self.frame_cache {
            Some((k, cache)) if *k == key => cache.clone(),
            _ => {
                let cache = std::rc::Rc::new(crate::metrics::FrameCache::default());
                self.frame_cache = Some((key, cache.clone()));
                cache
            }
        }
    }

    /// The metric-column cache if it is current (else a fresh one that is not kept).
    pub(super) fn frame_cache_ref(&self) -> std::rc::Rc<crate::metrics::FrameCache> {
        let key = serde_json::to_string(&self.catalog.settings).unwrap_or_default();
        match &self.frame_cache {
            Some((k, cache)) if *k == key => cache.clone(),
            _ => std::rc::Rc::new(crate::metrics::FrameCache::default()),
        }
    }

    /// Evaluates what changed and returns the compiled catalog with its evaluation (`None` before a computation).
    pub fn evaluate_tags(&mut self) -> Result<(Rc<Compiled>, Option<Evaluation>)> {
        self.follow_settings()?;
        let schema = self.schema();
        let compiled = self.compiled_catalog();
        if self.computed.is_none() {
            return Ok((compiled, None));
        }
        let cache = self.frame_cache();
        let Some(c) = &self.computed else { return Ok((compiled, None)) };
        let frame = Frame::with_cache(&self.data, &c.people, &c.rfm, self.catalog.settings.clone(), cache);
        let evaluation = evaluate(&compiled, &frame, &mut self.tag_cache, &schema);
        Ok((compiled, Some(evaluation)))
    }

    /// [`Analysis::tags`] after a [`Workspace::refresh`].
    pub fn tags(&mut self) -> Result<TagsReport> {
        self.analysis()?.tags()
    }

    /// Saves an edit (the rule is kept even when it has errors, so nothing typed is lost) and reports again.
    pub fn save_tag(&mut self, edit: &Edit, at: &str, author: &str) -> Result<TagsReport> {
        if crate::tags::builtin::BUILTINS.iter().any(|b| b.name == edit.name.trim() || Some(b.name) == edit.previous_name.as_deref()) {
            return Err(Error::builtin_tag_readonly());
        }
        self.catalog.save(edit, at, author)?;
        self.tags()
    }

    /// Checks a rule as typed (in place of the entry it edits) and, when it has no error and data is computed,
    /// counts the members it would cover.
    pub fn check_rule(&mut self, edit: &Edit) -> Result<RuleCheck> {
        let mut catalog = self.catalog.clone();
        let old = edit.previous_name.as_deref().unwrap_or(&edit.name);
        let name = if edit.name.trim().is_empty() { "\u{0}draft" } else { edit.name.trim() };
        let entry = crate::tags::Entry {
            kind: edit.kind.unwrap_or(crate::rules::ast::DefKind::Tag),
            name: name.to_string(),
            group: edit.group.clone(),
            description: String::new(),
            owner: String::new(),
            created: String::new(),
            updated: String::new(),
            rule: edit.rule.clone(),
            history: Vec::new(),
            members: None,
            snapshot_of: None,
            at: None,
        };
        match catalog.definitions.iter_mut().find(|e| e.name == old) {
            Some(e) => *e = entry,
            None => catalog.definitions.push(entry),
        }
        self.follow_settings()?;
        let schema = self.schema();
        let compiled = compile(&catalog, &schema);
        // The draft is a catalog entry: find it among the entries, so that a draft named like a built-in tag is
        // checked itself (and told the name is taken) instead of reporting the built-in.
        let i = compiled
            .origin
            .iter()
            .position(|o| matches!(*o, crate::tags::Origin::Entry(e) if catalog.definitions[e].name == name))
            .unwrap_or(0);
        let mut diagnostics: Vec<DiagnosticInfo> =
            compiled.diagnostics.iter().filter(|(d, _)| *d == i).map(|(_, d)| DiagnosticInfo::new(d, &edit.rule)).collect();
        // The name as it is typed: a look-alike of another definition's, or one mixing scripts, is warned of
        // (located at the rule's start, since the name is not part of the rule text).
        if let Some(warning) = crate::tags::catalog::name_warning(&self.catalog, name, old) {
            diagnostics.push(DiagnosticInfo::new(&warning, &edit.rule));
        }
        let deps = compiled.checked.defs[i].deps.clone();
        let mut out = RuleCheck { diagnostics, value_type: "none", deps, count: None, share: None, values: Vec::new() };
        let cache = self.frame_cache();
        if let Some(c) = &self.computed {
            let frame = Frame::with_cache(&self.data, &c.people, &c.rfm, catalog.settings.clone(), cache);
            // Only the draft and what it reads are evaluated; saved results are read, never replaced.
            if let Some(outcome) = evaluate_one(&compiled, &frame, &self.tag_cache, &schema, i) {
                let members = c.people.len() as u64;
                let info = report::summarise(Some(&outcome), members);
                out.value_type = info.0;
                out.count = Some(info.1);
                out.share = Some(if members == 0 { 0.0 } else { info.1 as f64 / members as f64 });
                out.values = info.2;
            }
        }
        Ok(out)
    }

    /// Removes a definition.
    pub fn remove_tag(&mut self, name: &str) -> Result<TagsReport> {
        self.catalog.remove(name)?;
        self.tags()
    }

    /// Makes an old version current again.
    pub fn revert_tag(&mut self, name: &str, version: u32, at: &str, author: &str) -> Result<TagsReport> {
        self.catalog.revert(name, version, at, author)?;
        self.tags()
    }

    /// The diff of a definition's rule between two versions.
    pub fn tag_diff(&self, name: &str, from: u32, to: u32) -> Result<Vec<DiffPart>> {
        self.catalog.diff(name, from, to)
    }

    /// The catalog as a tag pack (JSON).
    pub fn export_pack(&self) -> String {
        self.catalog.to_json()
    }

    /// Reads a tag pack: replaces the catalog, or with `merge` adds and replaces by name. Returns how many
    /// definitions were added or changed.
    pub fn import_pack(&mut self, json: &str, merge: bool) -> Result<usize> {
        let pack = Catalog::from_json(json)?;
        if pack.definitions.is_empty() && pack.models.is_empty() {
            return Err(Error::empty_pack());
        }
        if merge {
            Ok(self.catalog.merge(pack))
        } else {
            let n = pack.definitions.len() + pack.models.len();
            self.catalog = pack;
            Ok(n)
        }
    }

    /// Reads rule text (a rules file) into the catalog; returns how many definitions were saved and the
    /// problems of those that did not parse, located in `text`.
    pub fn import_rules(&mut self, text: &str, at: &str, author: &str) -> (usize, Vec<DiagnosticInfo>) {
        let (n, diags) = self.catalog.import_text(text, at, author);
        (n, diags.iter().map(|d| DiagnosticInfo::new(d, text)).collect())
    }

    /// The catalog as rule text.
    pub fn rules_text(&self) -> String {
        self.catalog.to_text()
    }

    /// Replaces the settings.
    pub fn set_settings(&mut self, settings: Settings) -> Result<TagsReport> {
        self.catalog.settings = settings;
        self.tags()
    }

    /// The lineage graph of a definition.
    pub fn lineage(&self, name: &str) -> Result<Lineage> {
        let compiled = self.compile_tags();
        let i = compiled.find(name).ok_or_else(|| Error::no_such_tag(name))?;
        Ok(report::lineage(&compiled, i))
    }

    /// What the rule editor can complete.
    pub fn completions(&self) -> Vec<Completion> {
        let compiled = self.compile_tags();
        let o = &self.data.orders;
        let e = &self.data.events;
        let values = |d: &crate::base::dict::Dict| d.values().take(200).map(str::to_string).collect::<Vec<_>>();
        let known =
            [("orders.category", values(&o.categories)), ("orders.channel", values(&o.channels)), ("events.type", values(&e.types))];
        report::completions(&compiled, &self.schema(), &known)
    }

    /// [`Analysis::tag_members`] after a [`Workspace::refresh`].
    pub fn tag_members(&mut self, name: &str, value: Option<&str>) -> Result<RoaringBitmap> {
        self.analysis()?.tag_members(name, value)
    }
}

impl Analysis<'_> {
    /// Every definition with coverage, values, flags, lineage edges and diagnostics (evaluating what changed).
    pub fn tags(&self) -> Result<TagsReport> {
        let (compiled, evaluation) = self.evaluate_tags()?;
        let members = self.computed.as_ref().map_or(0, |c| c.people.len() as u64);
        let cache = self.frame_cache_ref();
        let thresholds = self
            .computed
            .as_ref()
            .map(|c| Frame::with_cache(&self.data, &c.people, &c.rfm, self.catalog.settings.clone(), cache).thresholds());
        Ok(TagsReport {
            members,
            computed: evaluation.is_some(),
            as_of: self.computed.as_ref().map(|c| c.rfm.as_of.to_string()),
            evaluated: evaluation
                .as_ref()
                .map(|e| e.evaluated.iter().map(|&i| compiled.program.defs[i].name.clone()).collect())
                .unwrap_or_default(),
            tags: report::report(&self.catalog, &compiled, evaluation.as_ref(), members),
            settings: self.catalog.settings.clone(),
            thresholds,
        })
    }

    /// The members of a tag (dense indices): those it holds for, or those with `value` for an enumerated tag.
    pub fn tag_members(&self, name: &str, value: Option<&str>) -> Result<RoaringBitmap> {
        let (compiled, evaluation) = self.evaluate_tags()?;
        let evaluation = evaluation.ok_or_else(Error::not_computed)?;
        let i = compiled.find(name).ok_or_else(|| Error::no_such_tag(name))?;
        match (&evaluation.outcomes[i], value) {
            (Some(Outcome::Bool(b)), _) => Ok(b.clone()),
            (Some(Outcome::Text(t)), v) => {
                let code = v.map(|v| t.values.iter().position(|x| x == v));
                Ok(t.codes
                    .iter()
                    .enumerate()
                    .filter(|&(_, &c)| match code {
                        None => c != crate::base::dict::NONE,
                        Some(Some(k)) => c == k as u32,
                        Some(None) => false,
                    })
                    .map(|(p, _)| p as u32)
                    .collect())
            }
            (Some(Outcome::Num(v)), _) => Ok(v.iter().enumerate().filter(|(_, x)| !x.is_nan()).map(|(p, _)| p as u32).collect()),
            (None, _) => Err(Error::tag_has_errors(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_named_like_a_builtin_is_checked_itself() {
        let mut ws = Workspace::new();
        let edit = Edit { name: "价值分层".into(), rule: "monetary > 1".into(), ..Edit::default() };
        let check = ws.check_rule(&edit).unwrap();
        assert!(check.diagnostics.iter().any(|d| d.code == "duplicate_name"), "{:?}", check.diagnostics);
        assert_eq!(check.deps, vec![Dep::Metric("monetary".into())]);
    }
}
