//! The governance report of a compiled and evaluated catalog: one [`TagInfo`] per definition (coverage, values,
//! flags, lineage edges, where used, diagnostics located in its rule), the lineage graph of one definition, and
//! the editor's completion list.

use super::{builtin, Catalog, Compiled, Evaluation, Origin};
use crate::metrics::names::METRICS;
use crate::rules::check::{Dep, Schema, ATTRIBUTE_ROLES};
use crate::rules::eval::Outcome;
use crate::rules::names::{Table, FUNCTIONS};
use crate::rules::{Diagnostic, Location, Severity};
use roaring::RoaringBitmap;
use serde::Serialize;

/// Jaccard similarity at or above which two tags are flagged as near-duplicates (同义标签).
pub const DUPLICATE_JACCARD: f64 = 0.98;

/// Coverage below which a non-empty tag is flagged as near-empty.
pub const NEAR_EMPTY_SHARE: f64 = 0.001;

/// A diagnostic with its place in the definition's rule text.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticInfo {
    /// Stable code.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// Chinese message.
    pub zh: String,
    /// English message.
    pub en: String,
    /// Where in the rule.
    #[serde(flatten)]
    pub at: Location,
}

impl DiagnosticInfo {
    /// Locates a diagnostic in `text`.
    pub fn new(d: &Diagnostic, text: &str) -> DiagnosticInfo {
        DiagnosticInfo { code: d.code, severity: d.severity, zh: d.zh.clone(), en: d.en.clone(), at: d.locate(text) }
    }
}

/// Members with one value of an enumerated tag.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueCount {
    /// The value.
    pub value: String,
    /// Members.
    pub count: u64,
    /// Share of all members.
    pub share: f64,
}

/// Governance flags.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Flags {
    /// Nobody has the tag.
    pub empty: bool,
    /// Fewer than 0.1% of members have it.
    pub near_empty: bool,
    /// Tags whose member sets have Jaccard ≥ 0.98 with this one (同义标签): the first [`DUPLICATES_LISTED`] by
    /// name (a catalog of thousands can have a tag with hundreds; the count says how many).
    pub duplicates: Vec<String>,
    /// How many near-duplicates the tag has in all.
    pub duplicate_count: usize,
    /// No other definition reads it.
    pub unused: bool,
}

/// One definition in the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagInfo {
    /// Name.
    pub name: String,
    /// `tag`, `audience` or `metric`.
    pub kind: &'static str,
    /// Group.
    pub group: String,
    /// Description.
    pub description: String,
    /// The description in English, for built-in tags (user tags have one description, in whatever language
    /// their author wrote it).
    pub description_en: String,
    /// Owner.
    pub owner: String,
    /// Created.
    pub created: String,
    /// Updated.
    pub updated: String,
    /// Number of versions.
    pub versions: u32,
    /// Built in (read-only).
    pub builtin: bool,
    /// The rule.
    pub rule: String,
    /// `bool`, `enum`, `number`, or `none` when it could not be evaluated.
    pub value_type: &'static str,
    /// Members with the tag (bool), with any value (enum) or with a value (number).
    pub count: u64,
    /// `count` over all members.
    pub share: f64,
    /// Members per value (enumerated tags), largest first.
    pub values: Vec<ValueCount>,
    /// Flags.
    pub flags: Flags,
    /// What it reads.
    pub deps: Vec<Dep>,
    /// Definitions that read it.
    pub used_by: Vec<String>,
    /// Problems in its rule.
    pub diagnostics: Vec<DiagnosticInfo>,
    /// Whether it was evaluated this time (not taken from the cache).
    pub evaluated: bool,
}

/// Builds the report. `members` is the number of members; `evaluation` is `None` before data is computed.
pub fn report(catalog: &Catalog, compiled: &Compiled, evaluation: Option<&Evaluation>, members: u64) -> Vec<TagInfo> {
    let defs = &compiled.program.defs;
    let mut used_by: Vec<Vec<String>> = vec![Vec::new(); defs.len()];
    for (i, c) in compiled.checked.defs.iter().enumerate() {
        for &j in &c.reads {
            used_by[j].push(defs[i].name.clone());
        }
    }
    let share = |c: u64| if members == 0 { 0.0 } else { c as f64 / members as f64 };
    let mut evaluated = vec![false; defs.len()];
    for &i in evaluation.map_or(&[][..], |ev| &ev.evaluated[..]) {
        if let Some(e) = evaluated.get_mut(i) {
            *e = true;
        }
    }
    let mut infos: Vec<TagInfo> = defs
        .iter()
        .enumerate()
        .map(|(i, def)| {
            let (builtin, description, owner, created, updated, versions) = match compiled.origin[i] {
                Origin::Builtin(b) => (true, builtin::BUILTINS[b].about_zh.to_string(), String::new(), String::new(), String::new(), 1),
                Origin::Entry(e) => {
                    let e = &catalog.definitions[e];
                    (false, e.description.clone(), e.owner.clone(), e.created.clone(), e.updated.clone(), e.history.len() as u32)
                }
                Origin::Draft => (false, String::new(), String::new(), String::new(), String::new(), 0),
            };
            let description_en = match compiled.origin[i] {
                Origin::Builtin(b) => builtin::BUILTINS[b].about_en.to_string(),
                Origin::Entry(_) | Origin::Draft => description.clone(),
            };
            let outcome = evaluation.and_then(|ev| ev.outcomes[i].as_ref());
            let (value_type, count, values) = summarise(outcome, members);
            let text = &compiled.texts[i];
            let diagnostics = compiled.diagnostics.iter().filter(|(d, _)| *d == i).map(|(_, d)| DiagnosticInfo::new(d, text)).collect();
            let flags = Flags {
                duplicate_count: 0,
                empty: outcome.is_some() && count == 0,
                near_empty: outcome.is_some() && count > 0 && share(count) < NEAR_EMPTY_SHARE,
                duplicates: Vec::new(),
                unused: !builtin && def.kind == crate::rules::ast::DefKind::Tag && used_by[i].is_empty(),
            };
            TagInfo {
                name: def.name.clone(),
                kind: def.kind.keyword(),
                group: def.group.clone().unwrap_or_default(),
                description,
                description_en,
                owner,
                created,
                updated,
                versions,
                builtin,
                rule: text.clone(),
                value_type,
                count,
                share: share(count),
                values,
                flags,
                deps: compiled.checked.defs[i].deps.clone(),
                used_by: used_by[i].clone(),
                diagnostics,
                evaluated: evaluated.get(i).copied().unwrap_or(false),
            }
        })
        .collect();
    if let Some(ev) = evaluation {
        for (a, b) in near_duplicates(defs.iter().enumerate().filter_map(|(i, d)| match (&ev.outcomes[i], d.kind) {
            (Some(Outcome::Bool(bits)), crate::rules::ast::DefKind::Tag) if !bits.is_empty() => Some((i, bits)),
            _ => None,
        })) {
            for (x, y) in [(a, b), (b, a)] {
                let flags = &mut infos[x].flags;
                flags.duplicate_count += 1;
                if flags.duplicates.len() < DUPLICATES_LISTED {
                    flags.duplicates.push(defs[y].name.clone());
                }
            }
        }
    }
    infos
}

/// How many near-duplicates a tag's flags name (the rest are counted).
pub const DUPLICATES_LISTED: usize = 3;

/// The value type, the members covered and the members per value of one outcome.
pub fn summarise(outcome: Option<&Outcome>, members: u64) -> (&'static str, u64, Vec<ValueCount>) {
    let share = |c: u64| if members == 0 { 0.0 } else { c as f64 / members as f64 };
    match outcome {
        Some(Outcome::Bool(b)) => ("bool", b.len(), Vec::new()),
        Some(Outcome::Text(t)) => {
            let mut counts = vec![0u64; t.values.len()];
            for &c in &t.codes {
                if let Some(n) = counts.get_mut(c as usize) {
                    *n += 1;
                }
            }
            let mut values: Vec<ValueCount> =
                t.values.iter().zip(&counts).map(|(v, &c)| ValueCount { value: v.clone(), count: c, share: share(c) }).collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            ("enum", counts.iter().sum(), values)
        }
        Some(Outcome::Num(v)) => ("number", v.iter().filter(|x| !x.is_nan()).count() as u64, Vec::new()),
        None => ("none", 0, Vec::new()),
    }
}

/// How many pairs of sets [`near_duplicates`] compares at most: thousands of tags of about one size (a pack of
/// tags that all select everyone) would otherwise be millions of comparisons and as many pairs kept.
pub const DUPLICATE_PAIRS_COMPARED: usize = 1_000_000;

/// Pairs of sets with Jaccard ≥ [`DUPLICATE_JACCARD`]. Only sets whose sizes are within that ratio can qualify,
/// so sets are sorted by size and each is compared with the next few that are close enough in size; at most
/// [`DUPLICATE_PAIRS_COMPARED`] pairs are compared (the smallest sets first), so past that the list is partial.
pub fn near_duplicates<'a>(sets: impl Iterator<Item = (usize, &'a RoaringBitmap)>) -> Vec<(usize, usize)> {
    let mut sets: Vec<(usize, &RoaringBitmap)> = sets.collect();
    sets.sort_by_key(|(i, b)| (b.len(), *i));
    let mut out = Vec::new();
    let mut budget = DUPLICATE_PAIRS_COMPARED;
    for x in 0..sets.len() {
        let (i, a) = sets[x];
        for &(j, b) in &sets[x + 1..] {
            if (a.len() as f64) < DUPLICATE_JACCARD * b.len() as f64 {
                break;
            }
            if budget == 0 {
                out.sort_unstable();
                return out;
            }
            budget -= 1;
            let inter = a.intersection_len(b);
            let union = a.len() + b.len() - inter;
            if union > 0 && inter as f64 / union as f64 >= DUPLICATE_JACCARD {
                out.push((i.min(j), i.max(j)));
            }
        }
    }
    out.sort_unstable();
    out
}

/// A node of a lineage graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineageNode {
    /// `kind:name`, unique in the graph.
    pub id: String,
    /// `tag`, `audience`, `metric` (a user metric), `builtin` (a built-in tag), `measure` (a computed metric),
    /// `attribute` or `column`.
    pub kind: &'static str,
    /// The name shown.
    pub label: String,
}

/// An edge: `from` is read by `to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineageEdge {
    /// The node read.
    pub from: String,
    /// The node that reads it.
    pub to: String,
}

/// What is upstream and downstream of one definition, up to [`LINEAGE_DEPTH`] steps each way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lineage {
    /// The definition's node id.
    pub root: String,
    /// Nodes.
    pub nodes: Vec<LineageNode>,
    /// Edges.
    pub edges: Vec<LineageEdge>,
    /// Definitions further upstream than [`LINEAGE_DEPTH`] steps (not drawn).
    pub more_up: usize,
    /// Definitions further downstream than [`LINEAGE_DEPTH`] steps (not drawn).
    pub more_down: usize,
}

fn def_node(compiled: &Compiled, i: usize) -> LineageNode {
    let def = &compiled.program.defs[i];
    let kind = match (compiled.origin[i], def.kind) {
        (Origin::Builtin(_), _) => "builtin",
        (_, crate::rules::ast::DefKind::Tag) => "tag",
        (_, crate::rules::ast::DefKind::Audience) => "audience",
        (_, crate::rules::ast::DefKind::Metric) => "metric",
    };
    LineageNode { id: format!("def:{}", def.name), kind, label: def.name.clone() }
}

/// How many steps up (what it reads) and down (what reads it) a lineage graph goes from its definition; nodes
/// further away are counted in [`Lineage::more_up`] and [`Lineage::more_down`], not drawn (a chain of thousands
/// of tags is drawn around the selected one).
pub const LINEAGE_DEPTH: usize = 3;

/// The lineage graph of definition `root`: what it reads (down to columns) and what reads it, up to
/// [`LINEAGE_DEPTH`] steps each way.
pub fn lineage(compiled: &Compiled, root: usize) -> Lineage {
    let mut g = Graph::default();
    let defs = compiled.program.defs.len();
    g.node(def_node(compiled, root));
    // Upstream, breadth first: what the root reads, and what that reads.
    let mut seen = vec![false; defs];
    seen[root] = true;
    let mut level = vec![root];
    for _ in 0..LINEAGE_DEPTH {
        let mut next = Vec::new();
        for &i in &level {
            let me = def_node(compiled, i).id;
            for dep in &compiled.checked.defs[i].deps {
                let n = match dep {
                    Dep::Def(name) => match compiled.find(name) {
                        Some(j) => {
                            if !std::mem::replace(&mut seen[j], true) {
                                next.push(j);
                            }
                            def_node(compiled, j)
                        }
                        None => continue,
                    },
                    Dep::Metric(m) => LineageNode { id: format!("measure:{m}"), kind: "measure", label: m.clone() },
                    Dep::Attribute(a) => LineageNode { id: format!("attribute:{a}"), kind: "attribute", label: a.clone() },
                    Dep::Column(c) => LineageNode { id: format!("column:{c}"), kind: "column", label: c.clone() },
                    // A model column reads like a metric: drawn as one, named `model:KEY` as exports name it.
                    Dep::Model(k) => LineageNode { id: format!("model:{k}"), kind: "measure", label: format!("model:{k}") },
                };
                g.edge(&n.id, &me);
                g.node(n);
            }
        }
        level = next;
    }
    // Definitions one step beyond the drawn ones are counted.
    let mut more_up = 0;
    for &i in &level {
        for &j in &compiled.checked.defs[i].reads {
            if j < defs && !std::mem::replace(&mut seen[j], true) {
                more_up += 1;
            }
        }
    }
    // Downstream: what reads the root, and what reads that (the readers of each definition found once).
    let mut readers: Vec<Vec<usize>> = vec![Vec::new(); defs];
    for (i, c) in compiled.checked.defs.iter().enumerate() {
        for &j in c.reads.iter().filter(|&&j| j < defs) {
            readers[j].push(i);
        }
    }
    let mut seen = vec![false; defs];
    seen[root] = true;
    let mut level = vec![root];
    for _ in 0..LINEAGE_DEPTH {
        let mut next = Vec::new();
        for &j in &level {
            let from = def_node(compiled, j).id;
            for &i in &readers[j] {
                let to = def_node(compiled, i);
                g.edge(&from, &to.id);
                g.node(to);
                if !std::mem::replace(&mut seen[i], true) {
                    next.push(i);
                }
            }
        }
        level = next;
    }
    let more_down = level.iter().flat_map(|&j| &readers[j]).filter(|&&i| !std::mem::replace(&mut seen[i], true)).count();
    Lineage { root: def_node(compiled, root).id, nodes: g.nodes, edges: g.edges, more_up, more_down }
}

/// A lineage graph being built: nodes and edges each added once.
#[derive(Default)]
struct Graph {
    nodes: Vec<LineageNode>,
    edges: Vec<LineageEdge>,
    ids: std::collections::HashSet<String>,
    pairs: std::collections::HashSet<(String, String)>,
}

impl Graph {
    fn node(&mut self, n: LineageNode) {
        if self.ids.insert(n.id.clone()) {
            self.nodes.push(n);
        }
    }

    fn edge(&mut self, from: &str, to: &str) {
        if self.pairs.insert((from.to_string(), to.to_string())) {
            self.edges.push(LineageEdge { from: from.to_string(), to: to.to_string() });
        }
    }
}

/// One completion for the rule editor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Completion {
    /// What to insert.
    pub label: String,
    /// `tag`, `metric`, `attribute`, `table`, `column`, `function`, `keyword` or `value`.
    pub kind: &'static str,
    /// A note in Chinese.
    pub zh: String,
    /// A note in English.
    pub en: String,
}

/// Everything a rule can name: definitions, metrics, attributes, tables and columns, functions, keywords, and
/// the known values of text columns (categories, channels, event types).
pub fn completions(compiled: &Compiled, schema: &Schema, values: &[(&'static str, Vec<String>)]) -> Vec<Completion> {
    let mut out = Vec::new();
    let c = |label: &str, kind: &'static str, zh: &str, en: &str| Completion { label: label.into(), kind, zh: zh.into(), en: en.into() };
    for (i, d) in compiled.program.defs.iter().enumerate() {
        let group = d.group.clone().unwrap_or_default();
        let kind = if matches!(compiled.origin[i], Origin::Builtin(_)) { "tag" } else { d.kind.keyword() };
        out.push(c(&d.name, kind, &format!("标签 · {group}"), &format!("tag · {group}")));
    }
    for m in METRICS {
        out.push(c(m.key, "metric", &format!("{} · {}", m.zh, m.about_zh), m.about_en));
    }
    for r in ATTRIBUTE_ROLES {
        out.push(c(r.key(), "attribute", &format!("会员属性 · {}", r.zh()), &format!("member attribute · {}", r.en())));
    }
    for h in &schema.headers {
        out.push(c(h, "attribute", "会员表的列", "member file column"));
    }
    for m in &schema.models {
        out.push(c(&m.column.key, "metric", &format!("模型 · {}", m.column.zh), &format!("model · {}", m.column.en)));
    }
    for t in Table::ALL {
        let (zh, en) = match t {
            Table::Orders => ("订单表", "order rows"),
            Table::Events => ("行为表", "behaviour events"),
        };
        out.push(c(t.key(), "table", zh, en));
        for col in t.columns() {
            out.push(c(&format!("{}.{}", t.key(), col.key), "column", col.aliases[0], &format!("{} column", t.key())));
        }
    }
    for (agg, name) in crate::rules::ast::AggFn::ALL {
        let _ = agg;
        out.push(c(name, "function", "聚合：count/sum/avg/min/max/distinct/share/first/last/top", "aggregate over rows"));
    }
    for (name, zh, en) in FUNCTIONS {
        out.push(c(name, "function", zh, en));
    }
    out.push(c(
        "did",
        "function",
        "did(events where …) then not did(orders) within 3d：行为序列",
        "did(…) then [not] did(…) within N d: a sequence",
    ));
    for kw in ["and", "or", "not", "in", "where", "last", "then", "within", "case", "when", "else", "end", "between", "true", "false"] {
        out.push(c(kw, "keyword", "关键字", "keyword"));
    }
    for (column, vals) in values {
        for v in vals {
            out.push(c(&format!("\"{v}\""), "value", column, column));
        }
    }
    out
}
