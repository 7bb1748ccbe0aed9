//! Tags: the catalog of definitions, compiling it against the data's schema, evaluating it incrementally, and
//! the governance report (coverage, values, lineage, where used, empty / near-duplicate / unused flags).
//!
//! Compiling parses each catalog entry's rule on its own (so every diagnostic's span is within that rule, as the
//! editor shows it) and checks them together with the [built-in tags](builtin) (names, types, cycles).
//! Evaluating keeps each result under a fingerprint of its rule, the settings and the fingerprints of what it
//! reads: after one rule is edited, only that definition and those that read it are evaluated again.

pub mod builtin;
pub mod catalog;
pub mod report;

pub use catalog::{Catalog, DiffPart, Edit, Entry, MemberList, Version};
pub use report::{Completion, DiagnosticInfo, Flags, Lineage, LineageEdge, LineageNode, TagInfo, ValueCount};

use crate::base::dict::hash64;
use crate::metrics::Frame;
use crate::rules::ast::{Def, DefKind, ExprKind, Program};
use crate::rules::check::{check, resolve, Checked, CheckedProgram, Resolved, Schema};
use crate::rules::eval::{Evaluator, Outcome};
use crate::rules::parser::parse_expr;
use crate::rules::{Diagnostic, Span};
use std::collections::HashMap;

/// Where a compiled definition came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A built-in tag (index into [`builtin::BUILTINS`]).
    Builtin(usize),
    /// A catalog entry (index into [`Catalog::definitions`]).
    Entry(usize),
    /// A draft being typed, added by [`compile_with`] (not in the catalog).
    Draft,
}

/// A catalog compiled against a schema.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// Built-in definitions first, then the catalog's, in order.
    pub program: Program,
    /// Where each definition came from.
    pub origin: Vec<Origin>,
    /// The rule text of each definition (spans of its diagnostics are within it).
    pub texts: Vec<String>,
    /// The checker's result.
    pub checked: CheckedProgram,
    /// Every diagnostic (parse and check) by definition index.
    pub diagnostics: Vec<(usize, Diagnostic)>,
    /// A fingerprint of each definition and everything it reads (`0` when it cannot be evaluated).
    pub fingerprints: Vec<u64>,
    /// The member list of each static audience or snapshot (evaluated from the list, not from a rule).
    pub lists: Vec<Option<MemberList>>,
    /// Each name's definition (the first one of that name, as the checker resolves names).
    pub names: HashMap<String, usize>,
}

impl Compiled {
    /// The index of the definition called `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.get(name).copied()
    }

    /// Whether definition `i` can be evaluated (it and everything it reads are free of errors).
    pub fn runnable(&self, i: usize) -> bool {
        self.fingerprints[i] != 0
    }
}

/// The schema of a dataset: the member-file headers rules can name.
pub fn schema_of(data: &crate::model::Dataset) -> Schema {
    let headers = data.members.attrs.iter().filter(|a| a.role.is_none()).map(|a| a.header.clone()).collect();
    Schema { headers, untimed: Vec::new(), models: Vec::new() }
}

fn def_of(kind: DefKind, name: &str, group: &str, rule: &str) -> (Def, Vec<Diagnostic>) {
    let (expr, diags) = parse_expr(rule);
    let span = Span::new(0, rule.len());
    let group = if group.is_empty() { None } else { Some(group.to_string()) };
    (Def { kind, name: name.to_string(), name_span: span, group, expr, span }, diags)
}

/// Compiles the built-in tags and the catalog against a schema.
pub fn compile(catalog: &Catalog, schema: &Schema) -> Compiled {
    let mut program = Program::default();
    let mut origin = Vec::new();
    let mut texts = Vec::new();
    let mut diagnostics = Vec::new();
    for (i, b) in builtin::BUILTINS.iter().enumerate() {
        let (def, _) = def_of(builtin::KIND, b.name, builtin::GROUP, b.rule);
        program.defs.push(def);
        origin.push(Origin::Builtin(i));
        texts.push(b.rule.to_string());
    }
    let mut lists = vec![None; program.defs.len()];
    for (i, e) in catalog.definitions.iter().enumerate() {
        // A member list is a yes/no set whatever its rule says: it compiles to a placeholder that is never evaluated.
        let (def, diags) = match &e.members {
            Some(_) => def_of(e.kind, &e.name, &e.group, "false"),
            None => def_of(e.kind, &e.name, &e.group, &e.rule),
        };
        lists.push(e.members.clone());
        let at = program.defs.len();
        diagnostics.extend(diags.into_iter().map(|d| (at, d)));
        program.defs.push(def);
        origin.push(Origin::Entry(i));
        texts.push(e.rule.clone());
    }
    let checked = check(&program, schema);
    diagnostics.extend(checked.diagnostics.iter().cloned());
    let mut failed: Vec<bool> = checked.defs.iter().map(|d| d.failed).collect();
    for (i, d) in &diagnostics {
        if d.is_error() {
            failed[*i] = true;
        }
    }
    let settings = serde_json::to_string(&catalog.settings).unwrap_or_default();
    let mut fingerprints = vec![0u64; program.defs.len()];
    for &i in &checked.order {
        let def = &program.defs[i];
        let reads = &checked.defs[i].reads;
        if failed[i] || def.expr.is_none() || reads.iter().any(|&j| fingerprints[j] == 0) {
            continue;
        }
        let mut key = format!("{}|{}|{}", def.kind.keyword(), def.expr.as_ref().map(ToString::to_string).unwrap_or_default(), settings);
        for &j in reads {
            key.push_str(&format!("|{}={:x}", program.defs[j].name, fingerprints[j]));
        }
        model_prints(&mut key, &checked.defs[i], schema);
        if let Some(list) = &lists[i] {
            key.push_str(&format!("|list={:x}/{}", list.fingerprint(), list.len()));
        }
        fingerprints[i] = hash64(&key).max(1);
    }
    let names = names_of(&program);
    Compiled { program, origin, texts, checked, diagnostics, fingerprints, lists, names }
}

/// Adds the fingerprint of every model column a definition reads to its fingerprint's key, so a refit that changes
/// a column re-evaluates what reads it.
fn model_prints(key: &mut String, checked: &Checked, schema: &Schema) {
    for dep in &checked.deps {
        if let crate::rules::check::Dep::Model(k) = dep {
            let print = schema.models.iter().find(|m| &m.column.key == k).map_or(0, |m| m.fingerprint);
            key.push_str(&format!("|model:{k}={print:x}"));
        }
    }
}

fn names_of(program: &Program) -> HashMap<String, usize> {
    let mut names = HashMap::with_capacity(program.defs.len());
    for (i, d) in program.defs.iter().enumerate() {
        names.entry(d.name.clone()).or_insert(i);
    }
    names
}

/// A key for everything [`compile`] reads: each definition's kind, name, group, rule and member list, the
/// settings and the schema. Equal keys give equal compiled catalogs.
pub fn compile_key(catalog: &Catalog, schema: &Schema) -> u64 {
    // Read for every audience count as it is typed, so the catalog's text is hashed eight bytes at a time.
    let mut h: u64 = 0x636f_6d70_696c_6531;
    let mut add = |text: &str| h = key_hash(h, text);
    add(&serde_json::to_string(&catalog.settings).unwrap_or_default());
    for header in &schema.headers {
        add(header);
    }
    for t in &schema.untimed {
        add(t.key());
    }
    for m in &schema.models {
        add(&m.column.key);
        add(&m.column.zh);
        add(&format!("{:x}", m.fingerprint));
    }
    for e in &catalog.definitions {
        add(e.kind.keyword());
        add(&e.name);
        add(&e.group);
        add(&e.rule);
        if let Some(list) = &e.members {
            add(&format!("{:x}/{}", list.fingerprint(), list.len()));
        }
    }
    h
}

/// One 64-bit word into a running hash.
fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(23) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// A text (its length, then its bytes eight at a time) into a running hash.
fn key_hash(mut h: u64, text: &str) -> u64 {
    let bytes = text.as_bytes();
    h = mix(h, bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = mix(h, u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix(h, u64::from_le_bytes(tail))
}

/// `base` (the compiled catalog) plus one more definition at the end, checked against the others without checking
/// them again: the draft a user is typing. Equal to compiling the catalog with that entry appended.
pub fn compile_with(
    base: &Compiled,
    kind: DefKind,
    name: &str,
    rule: &str,
    schema: &Schema,
    settings: &crate::metrics::Settings,
) -> Compiled {
    let mut program = base.program.clone();
    let (def, diags) = def_of(kind, name, "", rule);
    program.defs.push(def);
    let last = program.defs.len() - 1;
    let checked = crate::rules::check::check_last(&program, schema, &base.checked);
    let mut diagnostics = base.diagnostics.clone();
    diagnostics.extend(diags.into_iter().map(|d| (last, d)));
    diagnostics.extend(checked.diagnostics[base.checked.diagnostics.len()..].iter().cloned());
    let failed = checked.defs[last].failed || diagnostics.iter().any(|(i, d)| *i == last && d.is_error());
    let mut fingerprints = base.fingerprints.clone();
    let reads = &checked.defs[last].reads;
    let runnable = !failed && program.defs[last].expr.is_some() && reads.iter().all(|&j| fingerprints[j] != 0);
    let fingerprint = if runnable {
        let settings = serde_json::to_string(settings).unwrap_or_default();
        let def = &program.defs[last];
        let mut key = format!("{}|{}|{}", def.kind.keyword(), def.expr.as_ref().map(ToString::to_string).unwrap_or_default(), settings);
        for &j in reads {
            key.push_str(&format!("|{}={:x}", program.defs[j].name, fingerprints[j]));
        }
        model_prints(&mut key, &checked.defs[last], schema);
        hash64(&key).max(1)
    } else {
        0
    };
    fingerprints.push(fingerprint);
    let mut origin = base.origin.clone();
    origin.push(Origin::Draft);
    let mut texts = base.texts.clone();
    texts.push(rule.to_string());
    let mut lists = base.lists.clone();
    lists.push(None);
    let names = names_of(&program);
    Compiled { program, origin, texts, checked, diagnostics, fingerprints, lists, names }
}

/// A draft definition checked against a compiled catalog without being added to it.
#[derive(Clone, Debug)]
pub struct DraftDef {
    /// The definition (parsed from the draft's text).
    pub def: Def,
    /// Its checked form; `reads` are indices into the catalog's definitions.
    pub checked: Checked,
    /// Its problems (parse and check), spans within its text.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether it can be evaluated (no error, and everything it reads can be).
    pub runnable: bool,
}

/// Checks a draft against `base` like [`compile_with`] does, without copying the catalog: the draft is checked
/// in a small program holding only the definitions it names (their checked forms taken from `base`). Names
/// resolve alike in both (a definition the draft names is in the small program, one it does not name is not
/// resolved either way), so a draft without problems checks the same. A draft with any problem is checked again
/// against the whole catalog, since the messages (did-you-mean suggestions) draw on every name.
pub fn check_draft(
    base: &Compiled,
    kind: DefKind,
    name: &str,
    rule: &str,
    schema: &Schema,
    settings: &crate::metrics::Settings,
) -> DraftDef {
    let (def, diags) = def_of(kind, name, "", rule);
    if diags.is_empty() && !base.names.contains_key(name) {
        if let Some(expr) = &def.expr {
            // The catalog's definitions the draft names, in the order the checker lists what it reads.
            let mut reads: Vec<usize> = Vec::new();
            expr.walk(&mut |x| {
                if let ExprKind::Name(parts) = &x.kind {
                    if let Some(Resolved::Def(j)) = resolve(parts, &base.names, schema) {
                        if !reads.contains(&j) {
                            reads.push(j);
                        }
                    }
                }
            });
            let mut small = Program::default();
            let mut checked = CheckedProgram::default();
            for &j in &reads {
                let d = &base.program.defs[j];
                small.defs.push(Def { kind: d.kind, name: d.name.clone(), name_span: d.name_span, group: None, expr: None, span: d.span });
                checked.defs.push(base.checked.defs[j].clone());
            }
            small.defs.push(def);
            let mut out = crate::rules::check::check_last(&small, schema, &checked);
            if out.diagnostics.is_empty() {
                let def = small.defs.pop().unwrap_or_else(|| def_of(kind, name, "", rule).0);
                let mut checked = out.defs.pop().unwrap_or_default();
                checked.reads = checked.reads.iter().map(|&k| reads[k]).collect();
                let runnable = !checked.failed && checked.reads.iter().all(|&j| base.fingerprints[j] != 0);
                return DraftDef { def, checked, diagnostics: Vec::new(), runnable };
            }
        }
    }
    let mut full = compile_with(base, kind, name, rule, schema, settings);
    let last = full.program.defs.len() - 1;
    let diagnostics = full.diagnostics.iter().filter(|(i, _)| *i == last).map(|(_, d)| d.clone()).collect();
    let runnable = full.runnable(last);
    let checked = full.checked.defs.pop().unwrap_or_default();
    let def = full.program.defs.pop().unwrap_or_else(|| def_of(kind, name, "", rule).0);
    DraftDef { def, checked, diagnostics, runnable }
}

/// Results kept between evaluations, by definition name.
#[derive(Clone, Debug, Default)]
pub struct TagCache {
    results: HashMap<String, (u64, Outcome)>,
}

impl TagCache {
    /// Forgets every result (after the data or the analysis date changed).
    pub fn clear(&mut self) {
        self.results.clear();
    }

    /// A cached result by name.
    pub fn get(&self, name: &str) -> Option<&Outcome> {
        self.results.get(name).map(|(_, o)| o)
    }

    /// A cached result by name, if it was computed under `fingerprint` (still current).
    pub fn fresh(&self, name: &str, fingerprint: u64) -> Option<&Outcome> {
        match self.results.get(name) {
            Some((f, o)) if *f == fingerprint && fingerprint != 0 => Some(o),
            _ => None,
        }
    }
}

/// Evaluates definition `i`: a member list through the identity graph, anything else by its rule.
pub fn evaluate_def(
    compiled: &Compiled,
    evaluator: &Evaluator<'_>,
    frame: &Frame<'_>,
    i: usize,
    results: &[Option<Outcome>],
) -> Option<Outcome> {
    match &compiled.lists[i] {
        Some(list) => Some(Outcome::Bool(crate::model::people::members_of_keys(frame.data, frame.people, list.keys()))),
        None => evaluator.evaluate(i, results),
    }
}

/// The outcome of evaluating a compiled catalog.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    /// Each definition's result (`None` when it cannot be evaluated).
    pub outcomes: Vec<Option<Outcome>>,
    /// Indices of the definitions evaluated this time (the others came from the cache).
    pub evaluated: Vec<usize>,
}

/// Evaluates every runnable definition, reusing cached results whose fingerprint has not changed.
pub fn evaluate(compiled: &Compiled, frame: &Frame<'_>, cache: &mut TagCache, schema: &Schema) -> Evaluation {
    let evaluator = Evaluator::new(frame, &compiled.program, schema);
    let mut outcomes: Vec<Option<Outcome>> = vec![None; compiled.program.defs.len()];
    let mut evaluated = Vec::new();
    for &i in &compiled.checked.order {
        let fp = compiled.fingerprints[i];
        if fp == 0 {
            continue;
        }
        let name = &compiled.program.defs[i].name;
        if let Some((cached, outcome)) = cache.results.get(name) {
            if *cached == fp {
                outcomes[i] = Some(outcome.clone());
                continue;
            }
        }
        let outcome = evaluate_def(compiled, &evaluator, frame, i, &outcomes);
        if let Some(o) = &outcome {
            cache.results.insert(name.clone(), (fp, o.clone()));
        }
        outcomes[i] = outcome;
        evaluated.push(i);
    }
    let names: std::collections::HashSet<&str> = compiled.program.defs.iter().map(|d| d.name.as_str()).collect();
    cache.results.retain(|k, _| names.contains(k.as_str()));
    Evaluation { outcomes, evaluated }
}

/// Evaluates definition `target` and what it reads, taking results from the cache where their fingerprints
/// match and never writing to it (for a draft as it is typed: only what the draft needs is computed).
pub fn evaluate_one(compiled: &Compiled, frame: &Frame<'_>, cache: &TagCache, schema: &Schema, target: usize) -> Option<Outcome> {
    if !compiled.runnable(target) {
        return None;
    }
    let mut needed = vec![false; compiled.program.defs.len()];
    let mut stack = vec![target];
    while let Some(i) = stack.pop() {
        if !std::mem::replace(&mut needed[i], true) {
            stack.extend(compiled.checked.defs[i].reads.iter().copied());
        }
    }
    let evaluator = Evaluator::new(frame, &compiled.program, schema);
    let mut outcomes: Vec<Option<Outcome>> = vec![None; compiled.program.defs.len()];
    for &i in compiled.checked.order.iter().filter(|&&i| needed[i]) {
        let fp = compiled.fingerprints[i];
        outcomes[i] = match cache.results.get(&compiled.program.defs[i].name) {
            Some((cached, outcome)) if *cached == fp => Some(outcome.clone()),
            _ => evaluate_def(compiled, &evaluator, frame, i, &outcomes),
        };
    }
    outcomes[target].take()
}
