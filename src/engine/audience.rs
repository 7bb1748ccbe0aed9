//! The workspace's audiences: live counts and previews of expressions, explanations of one member, static
//! audiences and snapshots, portraits and comparisons, A/B splits and campaign lift (see [`crate::audience`]).
//!
//! An expression is compiled as a draft audience alongside the catalog (so it may name any tag, audience or
//! metric) and evaluated over the cached tag results: the definitions it reads are evaluated first when their
//! results are not current, and expressions that only combine tags are bitmap algebra over those results.

use super::{Analysis, Workspace};
use crate::audience::explain::Explainer;
use crate::audience::portrait::{self, Dim, Options};
use crate::audience::scope::{Data, Scope};
use crate::audience::{
    lift, lists, preview, split, AudienceCount, AudienceInfo, AudiencePreview, Comparison, CrossTab, ExplainNode, Explanation, LiftReport,
    LiftRequest, ListEntry, Portrait, PortraitRequest, SavedList, SplitReport, SplitRequest, StaticAudience,
};
use crate::base::date::Day;
use crate::error::{Error, Result};
use crate::rules::ast::DefKind;
use crate::rules::check::Ty;
use crate::rules::eval::Outcome;
use crate::rules::Severity;
use crate::tags::{check_draft, compile, Catalog, Compiled, DiagnosticInfo, DraftDef, Entry};
use roaring::RoaringBitmap;
use std::rc::Rc;

/// The name the expression being evaluated gets in the catalog (no catalog name can start with a NUL).
const DRAFT: &str = "\u{0}audience";

/// The arms of a split: each arm's name and members.
type Arms = Vec<(String, RoaringBitmap)>;

/// An expression checked as a draft audience against the compiled catalog.
struct Draft {
    /// The compiled catalog (without the draft).
    compiled: Rc<Compiled>,
    /// The draft definition.
    def: DraftDef,
    /// Its problems, located in its text.
    diagnostics: Vec<DiagnosticInfo>,
}

impl Draft {
    fn runnable(&self) -> bool {
        self.def.runnable
    }

    fn error(&self) -> Error {
        match self.diagnostics.iter().find(|d| d.severity == Severity::Error) {
            Some(d) => Error::bad_expression(&d.zh, &d.en),
            None => Error::expression_not_evaluated(),
        }
    }
}

/// The catalog without what compiling does not read (histories, descriptions), plus optionally a draft.
fn light(catalog: &Catalog, draft: Option<&str>) -> Catalog {
    let entry = |kind, name: &str, group: &str, rule: &str, members| Entry {
        kind,
        name: name.to_string(),
        group: group.to_string(),
        description: String::new(),
        owner: String::new(),
        created: String::new(),
        updated: String::new(),
        rule: rule.to_string(),
        history: Vec::new(),
        members,
        snapshot_of: None,
        at: None,
    };
    let mut definitions: Vec<Entry> =
        catalog.definitions.iter().map(|e| entry(e.kind, &e.name, &e.group, &e.rule, e.members.clone())).collect();
    if let Some(text) = draft {
        definitions.push(entry(DefKind::Audience, DRAFT, "", text, None));
    }
    Catalog { settings: catalog.settings.clone(), definitions, ..Catalog::new() }
}

/// A fixed list of members to save as a static audience.
pub(super) struct StaticList<'a> {
    pub name: &'a str,
    pub group: &'a str,
    pub description: &'a str,
    /// The members' keys (see `model::people::keys_of`).
    pub keys: Vec<String>,
    /// How many members.
    pub members: u64,
}

impl Workspace {
    /// A scope over the last computation.
    fn scope<'a>(&'a self, compiled: &'a Compiled, schema: &'a crate::rules::check::Schema) -> Result<Scope<'a>> {
        let c = self.computed.as_ref().ok_or_else(Error::not_computed)?;
        let data = Data { data: &self.data, people: &c.people, rfm: &c.rfm };
        Ok(Scope::new(
            compiled,
            &self.tag_cache,
            schema,
            data,
            self.catalog.settings.clone(),
            self.frame_cache_ref(),
            &self.audience_indexes,
        ))
    }

    /// [`Analysis::audience_count`] after a [`Workspace::refresh`].
    pub fn audience_count(&mut self, expr: &str) -> Result<AudienceCount> {
        self.analysis()?.audience_count(expr)
    }

    /// The indexes audience conditions have built so far: text columns with value sets, number columns with rank
    /// indexes, and the bytes they hold.
    pub fn audience_index_usage(&self) -> (usize, usize, usize) {
        self.audience_indexes.usage()
    }

    /// [`Analysis::audience_members`] after a [`Workspace::refresh`].
    pub fn audience_members(&mut self, expr: &str) -> Result<RoaringBitmap> {
        self.analysis()?.audience_members(expr)
    }

    /// [`Analysis::audience_tags`] after a [`Workspace::refresh`].
    pub fn audience_tags(&mut self, expr: &str) -> Result<Vec<String>> {
        self.analysis()?.audience_tags(expr)
    }

    /// [`Analysis::audience_preview`] after a [`Workspace::refresh`].
    pub fn audience_preview(&mut self, expr: &str, samples: usize, mask: bool) -> Result<AudiencePreview> {
        self.analysis()?.audience_preview(expr, samples, mask)
    }

    /// The person an identifier names (a member id, phone, UnionID … as typed).
    pub fn find_member(&self, id: &str) -> Option<u32> {
        let c = self.computed.as_ref()?;
        crate::model::people::find_member(&self.data, &c.people, id, None)
    }

    /// [`Analysis::explain_member`] after a [`Workspace::refresh`].
    pub fn explain_member(&mut self, target: &str, member: &str, mask: bool) -> Result<Explanation> {
        self.analysis()?.explain_member(target, member, mask)
    }

    /// Saves a static audience of the members whose keys are given (the one way a fixed list enters the catalog:
    /// uploaded ids, a lookalike expansion).
    pub(super) fn save_member_list(
        &mut self,
        list: StaticList<'_>,
        matched: Option<crate::audience::ListMatch>,
        at: &str,
        author: &str,
    ) -> Result<SavedList> {
        let entry = ListEntry {
            name: list.name,
            group: list.group,
            description: list.description,
            rule: "",
            keys: list.keys,
            snapshot_of: None,
            taken: None,
        };
        crate::audience::save_list(&mut self.catalog, entry, at, author)?;
        Ok(SavedList { name: list.name.trim().to_string(), kind: "static", members: list.members, matched, snapshot_of: None, at: None })
    }

    /// Saves a static audience from uploaded ids matched through the identity graph at time `at` by `author`
    /// (the members' keys are kept; the ids that matched nobody are reported).
    pub fn save_static_audience(&mut self, request: &StaticAudience, at: &str, author: &str) -> Result<SavedList> {
        self.refuse_builtin(&request.name)?;
        if request.ids.iter().all(|id| id.trim().is_empty()) {
            return Err(Error::empty_list());
        }
        self.follow_settings()?;
        let c = self.computed.as_ref().ok_or_else(Error::not_computed)?;
        let (members, matched) = lists::match_ids(&self.data, &c.people, &request.ids, request.kind);
        let keys = crate::model::people::keys_of(&self.data, &c.people, &members);
        let (name, group, description) = (&request.name, &request.group, &request.description);
        self.save_member_list(StaticList { name, group, description, keys, members: members.len() }, Some(matched), at, author)
    }

    /// Freezes the members of audience (or yes/no tag) `name` into a snapshot called `snapshot` (default
    /// `name_YYYYMMDD` from `at`), taken at `at` by `author`.
    pub fn snapshot_audience(&mut self, name: &str, snapshot: Option<&str>, at: &str, author: &str) -> Result<SavedList> {
        let rule = match self.catalog.get(name) {
            Some(e) => e.rule.clone(),
            None if crate::tags::builtin::BUILTINS.iter().any(|b| b.name == name) => {
                crate::tags::builtin::BUILTINS.iter().find(|b| b.name == name).map(|b| b.rule.to_string()).unwrap_or_default()
            }
            None => return Err(Error::no_such_tag(name)),
        };
        let target = snapshot.map_or_else(|| crate::audience::snapshot_name(name, at), str::to_string);
        self.refuse_builtin(&target)?;
        let members = self.analysis()?.audience_members(&crate::rules::lexer::quote_name(name))?;
        let c = self.computed.as_ref().ok_or_else(Error::not_computed)?;
        let keys = crate::model::people::keys_of(&self.data, &c.people, &members);
        let list = ListEntry { name: &target, group: "", description: "", rule: &rule, keys, snapshot_of: Some(name), taken: Some(at) };
        crate::audience::save_list(&mut self.catalog, list, at, author)?;
        Ok(SavedList {
            name: target.trim().to_string(),
            kind: "snapshot",
            members: members.len(),
            matched: None,
            snapshot_of: Some(name.to_string()),
            at: Some(at.to_string()),
        })
    }

    pub(super) fn refuse_builtin(&self, name: &str) -> Result<()> {
        if crate::tags::builtin::BUILTINS.iter().any(|b| b.name == name.trim()) {
            return Err(Error::builtin_tag_name());
        }
        Ok(())
    }

    /// [`Analysis::audiences`] after a [`Workspace::refresh`].
    pub fn audiences(&mut self) -> Result<Vec<AudienceInfo>> {
        self.analysis()?.audiences()
    }

    /// [`Analysis::portrait`] after a [`Workspace::refresh`].
    pub fn portrait(&mut self, request: &PortraitRequest) -> Result<Portrait> {
        self.analysis()?.portrait(request)
    }

    /// [`Analysis::crosstab`] after a [`Workspace::refresh`].
    pub fn crosstab(&mut self, audience: &str, row: &str, column: &str) -> Result<CrossTab> {
        self.analysis()?.crosstab(audience, row, column)
    }

    /// [`Analysis::compare_audiences`] after a [`Workspace::refresh`].
    pub fn compare_audiences(&mut self, a: &str, b: &str, min_count: Option<u64>) -> Result<Comparison> {
        self.analysis()?.compare_audiences(a, b, min_count)
    }

    /// [`Analysis::split_members`] after a [`Workspace::refresh`].
    pub fn split_members(&mut self, request: &SplitRequest) -> Result<Arms> {
        self.analysis()?.split_members(request)
    }

    /// [`Analysis::split_audience`] after a [`Workspace::refresh`].
    pub fn split_audience(&mut self, request: &SplitRequest) -> Result<SplitReport> {
        self.analysis()?.split_audience(request)
    }

    /// [`Analysis::campaign_lift`] after a [`Workspace::refresh`].
    pub fn campaign_lift(&mut self, request: &LiftRequest) -> Result<LiftReport> {
        self.analysis()?.campaign_lift(request)
    }
}

impl Analysis<'_> {
    /// Checks `expr` as a draft audience against the compiled catalog (whose results the refresh made current).
    fn draft(&self, expr: &str) -> Result<Draft> {
        let schema = self.schema();
        let compiled = self.compiled.clone();
        let def = check_draft(&compiled, DefKind::Audience, DRAFT, expr, &schema, &self.catalog.settings);
        let diagnostics = def.diagnostics.iter().map(|d| DiagnosticInfo::new(d, expr)).collect();
        Ok(Draft { compiled, def, diagnostics })
    }

    /// The compiled catalog, every runnable definition's result current.
    fn current_catalog(&self) -> Result<Rc<Compiled>> {
        Ok(self.compiled.clone())
    }

    /// The members of an expression (or a definition's name), with the draft it was compiled as.
    fn members_of(&self, expr: &str) -> Result<(Draft, RoaringBitmap)> {
        let draft = self.draft(expr)?;
        if !draft.runnable() {
            return Err(draft.error());
        }
        let schema = self.schema();
        let scope = self.scope(&draft.compiled, &schema)?;
        let expr = draft.def.def.expr.as_ref().ok_or_else(|| draft.error())?;
        let bits = scope.bits(expr).into_owned();
        drop(scope);
        Ok((draft, bits))
    }

    /// The live count of an audience expression as typed: its problems and, when it has none and data is computed,
    /// how many members it selects. Expressions that only combine tags are bitmap algebra over cached results.
    pub fn audience_count(&self, expr: &str) -> Result<AudienceCount> {
        let draft = self.draft(expr)?;
        let members = self.computed.as_ref().map_or(0, |c| c.people.len() as u64);
        let mut out =
            AudienceCount { diagnostics: draft.diagnostics.clone(), count: None, members, share: None, bitmap_only: false, scanned: false };
        if draft.runnable() && self.computed.is_some() {
            let schema = self.schema();
            let scope = self.scope(&draft.compiled, &schema)?;
            if let Some(e) = &draft.def.def.expr {
                let count = scope.count(e);
                out.count = Some(count);
                out.share = Some(if members == 0 { 0.0 } else { count as f64 / members as f64 });
                out.bitmap_only = !scope.read_metrics();
                out.scanned = scope.used_evaluator();
            }
        }
        Ok(out)
    }

    /// The members of an audience expression or of a definition (dense member indices).
    pub fn audience_members(&self, expr: &str) -> Result<RoaringBitmap> {
        Ok(self.members_of(expr)?.1)
    }

    /// The definitions an expression names directly (the tags an export of the audience shows).
    pub fn audience_tags(&self, expr: &str) -> Result<Vec<String>> {
        let draft = self.draft(expr)?;
        Ok(draft.def.checked.reads.iter().map(|&j| draft.compiled.program.defs[j].name.clone()).collect())
    }

    /// The preview of an audience expression: its count, the attrition of its top-level `and` chain, and
    /// `samples` members evenly spaced through it.
    pub fn audience_preview(&self, expr: &str, samples: usize, mask: bool) -> Result<AudiencePreview> {
        let draft = self.draft(expr)?;
        let members = self.computed.as_ref().map_or(0, |c| c.people.len() as u64);
        let mut out = AudiencePreview {
            diagnostics: draft.diagnostics.clone(),
            count: None,
            members,
            share: None,
            steps: Vec::new(),
            samples: Vec::new(),
        };
        if !draft.runnable() || self.computed.is_none() {
            return Ok(out);
        }
        let schema = self.schema();
        let scope = self.scope(&draft.compiled, &schema)?;
        if let Some(e) = &draft.def.def.expr {
            let (bits, steps) = preview::attrition(&scope, e, expr);
            out.count = Some(bits.len());
            out.share = Some(if members == 0 { 0.0 } else { bits.len() as f64 / members as f64 });
            out.steps = steps;
            out.samples = preview::spaced(&bits, samples).into_iter().map(|p| preview::sample_member(&scope, p, mask)).collect();
        }
        Ok(out)
    }

    /// Why `member` (a member id, phone … as typed) is in or out of `target`: a definition's name (any tag,
    /// audience or metric) or an audience expression.
    pub fn explain_member(&self, target: &str, member: &str, mask: bool) -> Result<Explanation> {
        let person = self.find_member(member).ok_or_else(|| Error::no_such_member(member))?;
        let schema = self.schema();
        let plain = compile(&light(&self.catalog, None), &schema);
        // What is explained: a definition of the catalog (by index), or the expression as a draft.
        let (compiled, draft, index) = match plain.find(target) {
            Some(j) => {
                if !plain.runnable(j) {
                    return Err(Error::tag_has_errors(target));
                }
                (Rc::new(plain), None, Some(j))
            }
            None => {
                let draft = self.draft(target)?;
                if !draft.runnable() {
                    return Err(draft.error());
                }
                (draft.compiled.clone(), Some(draft.def), None)
            }
        };
        let scope = self.scope(&compiled, &schema)?;
        let explainer = Explainer::new(&scope, person);
        let (d, ty, list, text) = match (index, &draft) {
            (Some(j), _) => {
                (&compiled.program.defs[j], compiled.checked.defs[j].ty, compiled.lists[j].is_some(), compiled.texts[j].as_str())
            }
            (None, Some(draft)) => (&draft.def, draft.checked.ty, false, target),
            (None, None) => return Err(Error::not_computed()),
        };
        let boolean = matches!(ty, Some(Ty::Bool));
        let tree = match (list, &d.expr) {
            (true, _) | (false, None) => ExplainNode {
                text: d.name.clone(),
                kind: "list",
                held: Some(matches!(index.and_then(|j| scope.outcome(j)), Some(Outcome::Bool(b)) if b.contains(person))),
                values: Vec::new(),
                definition: Some(d.name.clone()),
                children: Vec::new(),
            },
            (false, Some(e)) => explainer.root(e, text, boolean),
        };
        let held = if boolean { tree.held } else { None };
        let value = if boolean { None } else { tree.values.first().and_then(|v| v.value.clone()) };
        let sample = preview::sample_member(&scope, person, mask);
        Ok(Explanation {
            target: target.to_string(),
            kind: if index.is_some() { d.kind.keyword() } else { "expression" },
            member: sample.id,
            name: sample.name,
            held,
            value,
            tree,
        })
    }

    /// Every audience in the catalog (dynamic, static and snapshots) with its size now.
    pub fn audiences(&self) -> Result<Vec<AudienceInfo>> {
        let (compiled, evaluation) = self.evaluate_tags()?;
        let mut out = Vec::new();
        for (i, def) in compiled.program.defs.iter().enumerate() {
            let crate::tags::Origin::Entry(e) = compiled.origin[i] else { continue };
            let e = &self.catalog.definitions[e];
            if def.kind != DefKind::Audience {
                continue;
            }
            let count = match evaluation.as_ref().and_then(|ev| ev.outcomes[i].as_ref()) {
                Some(Outcome::Bool(b)) => Some(b.len()),
                _ => None,
            };
            let kind = match (&e.members, &e.snapshot_of) {
                (None, _) => "dynamic",
                (Some(_), None) => "static",
                (Some(_), Some(_)) => "snapshot",
            };
            out.push(AudienceInfo {
                name: e.name.clone(),
                kind,
                group: e.group.clone(),
                description: e.description.clone(),
                rule: e.rule.clone(),
                count,
                stored: e.members.as_ref().map(|m| m.len() as u64),
                snapshot_of: e.snapshot_of.clone(),
                at: e.at.clone(),
                versions: e.history.len() as u32,
                updated: e.updated.clone(),
            });
        }
        Ok(out)
    }

    /// The portrait of an audience against the base (every member, or another audience).
    pub fn portrait(&self, request: &PortraitRequest) -> Result<Portrait> {
        let (_, audience) = self.members_of(&request.audience)?;
        let base = match request.base.as_deref().filter(|b| !b.trim().is_empty()) {
            Some(b) => Some(self.members_of(b)?.1),
            None => None,
        };
        let options = Options {
            min_count: request.min_count.unwrap_or(portrait::DEFAULT_MIN_COUNT),
            bins: request.bins.unwrap_or(portrait::DEFAULT_BINS).clamp(1, 100),
        };
        let compiled = self.current_catalog()?;
        let schema = self.schema();
        let scope = self.scope(&compiled, &schema)?;
        let all = crate::rules::eval::full(scope.members());
        let (base, base_all) = match base {
            Some(b) => (b, false),
            None => (all, true),
        };
        Ok(portrait::portrait(&scope, &audience, &base, base_all, options))
    }

    /// The members of an audience counted by two dimensions (tags by name, attributes by header or role:
    /// `city`, 城市; `rfm` for the RFM segment).
    pub fn crosstab(&self, audience: &str, row: &str, column: &str) -> Result<CrossTab> {
        let (_, members) = self.members_of(audience)?;
        let compiled = self.current_catalog()?;
        let schema = self.schema();
        let scope = self.scope(&compiled, &schema)?;
        let dims = portrait::dimensions(&scope);
        let find = |name: &str| -> Result<&Dim<'_>> {
            portrait::find_dimension(&dims, &self.data.members, name).ok_or_else(|| Error::no_such_dimension(name))
        };
        Ok(portrait::crosstab(find(row)?, find(column)?, &members))
    }

    /// Two audiences side by side: their overlap, and each one's portrait against every member.
    pub fn compare_audiences(&self, a: &str, b: &str, min_count: Option<u64>) -> Result<Comparison> {
        let (_, sa) = self.members_of(a)?;
        let (_, sb) = self.members_of(b)?;
        let overlap = crate::audience::overlap(&sa, &sb);
        let portrait_a = self.portrait(&PortraitRequest { audience: a.into(), min_count, ..PortraitRequest::default() })?;
        let portrait_b = self.portrait(&PortraitRequest { audience: b.into(), min_count, ..PortraitRequest::default() })?;
        Ok(Comparison { overlap, a: portrait_a, b: portrait_b })
    }

    /// The arms of a split: each arm's name and members.
    pub fn split_members(&self, request: &SplitRequest) -> Result<Arms> {
        Ok(self.split_inner(request, false)?.0)
    }

    /// Splits an audience into arms by a salted hash of the member key (optionally stratified), with the balance
    /// check of the arms.
    pub fn split_audience(&self, request: &SplitRequest) -> Result<SplitReport> {
        self.split_inner(request, true)?.1.ok_or_else(Error::not_computed)
    }

    fn split_inner(&self, request: &SplitRequest, report: bool) -> Result<(Arms, Option<SplitReport>)> {
        let specs = request.arms()?;
        let control = request.control_index(&specs)?;
        let ratios: Vec<f64> = specs.iter().map(|a| a.ratio).collect();
        let (_, audience) = self.members_of(&request.audience)?;
        let compiled = self.current_catalog()?;
        let schema = self.schema();
        let scope = self.scope(&compiled, &schema)?;
        let dims = portrait::dimensions(&scope);
        let strata = match request.stratify.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(name) => match portrait::find_dimension(&dims, &self.data.members, name) {
                Some(Dim::Text { column, name, .. }) => Some((name.clone(), column.clone())),
                Some(Dim::Flag { bits, name }) => {
                    let codes = (0..scope.members()).map(|p| u32::from(!bits.contains(p))).collect();
                    let values = vec![portrait::YES.to_string(), "否".to_string()];
                    Some((name.clone(), std::rc::Rc::new(crate::metrics::TextColumn { codes, values })))
                }
                None => return Err(Error::no_such_dimension(name)),
            },
            None => None,
        };
        let data = scope.data();
        let key = |p: u32| data.data.ids.value(data.people.resolution.key_node[p as usize]);
        let arms = split::split(&audience, key, &request.salt, &ratios, strata.as_ref().map(|(_, c)| c.codes.as_slice()));
        let names: Vec<String> = specs.iter().map(|a| a.name.clone()).collect();
        let out = report.then(|| {
            let balance = split::balance(scope.frame(), &names, &arms, control);
            split::report(&request.salt, &specs, &arms, strata.as_ref().map(|(n, c)| (n.clone(), c.as_ref())), balance)
        });
        Ok((names.into_iter().zip(arms).collect(), out))
    }

    /// The lift of a campaign: each arm's conversion and revenue per member in the window, and each test arm
    /// against the control with 95% intervals. Load the orders of the window and compute first; split a snapshot
    /// so the arms are the members the campaign reached.
    pub fn campaign_lift(&self, request: &LiftRequest) -> Result<LiftReport> {
        let day =
            |text: &str, what_zh: &str, what_en: &str| Day::parse_iso(text.trim()).ok_or_else(|| Error::bad_date(what_zh, what_en, text));
        let (start, end) = (day(&request.start, "活动开始日期", "campaign start")?, day(&request.end, "活动结束日期", "campaign end")?);
        if end < start {
            return Err(Error::bad_window());
        }
        let specs = request.split.arms()?;
        let control = request.split.control_index(&specs)?;
        let arms = self.split_members(&request.split)?;
        let c = self.computed.as_ref().ok_or_else(Error::not_computed)?;
        let (names, sets): (Vec<String>, Vec<RoaringBitmap>) = arms.into_iter().unzip();
        Ok(lift::lift(&self.data, &c.people, &names, &sets, control, start, end))
    }
}
