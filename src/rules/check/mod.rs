//! The checker: resolves every name, types every expression, orders definitions by dependency and reports
//! cycles. It reports every problem it finds (never just the first), each with a span and a message in Chinese
//! and English that names the thing the user wrote and, for a likely typo, what they probably meant.

use super::ast::*;
use super::diagnostic::{did_you_mean, Diagnostic, Span};
use super::names::{Column, Table};
use crate::metrics::names::{find_metric, Metric, METRICS};

mod calls;

use crate::base::roles::Role;
pub use calls::row_column;
use serde::Serialize;
use std::collections::HashMap;

pub use super::names::Ty;

/// A member-file column a rule can name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttrRef {
    /// The column with this role (`gender`, `city` …), whichever file it came from.
    Role(Role),
    /// A column by its header.
    Header(String),
}

/// Member-file roles a rule can always name, loaded or not.
pub const ATTRIBUTE_ROLES: [Role; 7] = [Role::Name, Role::Gender, Role::Birthday, Role::RegisterDate, Role::Level, Role::City, Role::Phone];

/// What the checker knows about the data.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// Headers of member-file columns without a role.
    pub headers: Vec<String>,
    /// Tables without a time column (none, for the tables the engine loads today).
    pub untimed: Vec<Table>,
    /// The member columns of the models fitted over the data (`clv`, `cluster` …).
    pub models: Vec<ModelField>,
}

/// A fitted model's member column a rule can name like a metric.
#[derive(Clone, Debug)]
pub struct ModelField {
    /// The column (its values are shared, not copied).
    pub column: crate::models::ModelColumn,
    /// [`crate::models::ModelColumn::fingerprint`], computed once when it was fitted.
    pub fingerprint: u64,
}

impl ModelField {
    /// The field of a fitted column.
    pub fn new(column: crate::models::ModelColumn) -> ModelField {
        let fingerprint = column.fingerprint();
        ModelField { column, fingerprint }
    }

    /// Its type in rules.
    pub fn ty(&self) -> Ty {
        match self.column.values {
            crate::models::ModelValues::Num(_) => Ty::Num,
            crate::models::ModelValues::Text(_) => Ty::Text,
        }
    }
}

/// What a name refers to.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    /// Another definition (by index in the program).
    Def(usize),
    /// A computed metric.
    Metric(Metric),
    /// A member-file column.
    Attr(AttrRef),
    /// A fitted model's column (by index into [`Schema::models`]).
    Model(usize),
}

/// Something a definition reads, for lineage.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Dep {
    /// Another definition.
    Def(String),
    /// A metric (its key).
    Metric(String),
    /// A member attribute (header or role key).
    Attribute(String),
    /// A table column, `orders.amount`.
    Column(String),
    /// A model column (its key).
    Model(String),
}

/// The checked form of one definition.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// Its type (`Unknown` when it has errors).
    pub ty: Option<Ty>,
    /// Whether it has an error (it will not be evaluated).
    pub failed: bool,
    /// Indices of definitions it reads.
    pub reads: Vec<usize>,
    /// Everything it reads, for lineage.
    pub deps: Vec<Dep>,
    /// The values a text definition can take, when they are known (literals of a `case`).
    pub values: Option<Vec<String>>,
}

/// The result of checking a program.
#[derive(Clone, Debug, Default)]
pub struct CheckedProgram {
    /// One entry per definition.
    pub defs: Vec<Checked>,
    /// Definition indices in an order where each comes after what it reads (failed ones included).
    pub order: Vec<usize>,
    /// Diagnostics as `(definition index, diagnostic)`.
    pub diagnostics: Vec<(usize, Diagnostic)>,
}

/// Checks the last definition of `program` when every other one was checked before as `base` (the same program
/// without it): what a draft being typed needs, without checking the whole catalog again. Nothing can read the new
/// definition, so no cycle can pass through it; it only reads the others' results.
pub fn check_last(program: &Program, schema: &Schema, base: &CheckedProgram) -> CheckedProgram {
    let last = program.defs.len() - 1;
    let mut c = Checker { program, schema, index: HashMap::new(), out: base.clone(), current: last };
    c.out.defs.push(Checked::default());
    for (i, def) in program.defs[..last].iter().enumerate() {
        c.index.entry(def.name.clone()).or_insert(i);
    }
    let def = &program.defs[last];
    if c.index.contains_key(&def.name) {
        c.error(
            "duplicate_name",
            def.name_span,
            format!("“{}”已经定义过了：请换一个名称", def.name),
            format!("“{}” is already defined: choose another name.", def.name),
        );
    } else {
        c.index.insert(def.name.clone(), last);
    }
    if def.expr.is_none() {
        c.out.defs[last].failed = true;
    }
    let mut reads = Vec::new();
    if let Some(e) = &def.expr {
        e.walk(&mut |x| {
            if let ExprKind::Name(parts) = &x.kind {
                if let Some(Resolved::Def(j)) = resolve(parts, &c.index, schema) {
                    if j != last && !reads.contains(&j) {
                        reads.push(j);
                    }
                }
            }
        });
    }
    c.out.defs[last].reads = reads;
    c.out.order.push(last);
    c.check_def(last);
    c.out
}

/// Resolves a member-level name (not a column) against the program and the schema.
pub fn resolve(parts: &[(String, Span)], defs: &HashMap<String, usize>, schema: &Schema) -> Option<Resolved> {
    let joined = parts.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>().join(".");
    if parts.len() == 1 {
        if let Some(&i) = defs.get(&joined) {
            return Some(Resolved::Def(i));
        }
    }
    if let Some(m) = find_metric(&joined) {
        return Some(Resolved::Metric(m.metric));
    }
    if parts.len() != 1 {
        return None;
    }
    let name = &parts[0].0;
    // Model columns come after definitions and metrics and before member-file columns: a fit is asked for.
    if let Some(i) = schema.models.iter().position(|m| m.column.is_named(name)) {
        return Some(Resolved::Model(i));
    }
    if let Some(h) = schema.headers.iter().find(|h| *h == name) {
        return Some(Resolved::Attr(AttrRef::Header(h.clone())));
    }
    let lower = name.to_lowercase();
    ATTRIBUTE_ROLES.iter().find(|r| r.key() == lower || r.zh() == name).map(|&r| Resolved::Attr(AttrRef::Role(r)))
}

/// Every member-level name, for suggestions and completion.
pub fn member_names<'a>(defs: impl Iterator<Item = &'a str>, schema: &'a Schema) -> Vec<&'a str> {
    let mut names: Vec<&str> = defs.collect();
    for m in METRICS {
        names.push(m.key);
        names.push(m.zh);
    }
    for r in ATTRIBUTE_ROLES {
        names.push(r.key());
        names.push(r.zh());
    }
    names.extend(schema.headers.iter().map(String::as_str));
    names.extend(schema.models.iter().map(|m| m.column.key.as_str()));
    names
}

/// Where an expression is evaluated: per member, or per row of a table (inside `where` and aggregate arguments).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    Member,
    Row(Table),
}

struct Checker<'a> {
    program: &'a Program,
    schema: &'a Schema,
    index: HashMap<String, usize>,
    out: CheckedProgram,
    current: usize,
}

/// Checks a program against the data's schema. `program.defs` may come from separate texts (one per catalog
/// entry): spans are per definition, and each diagnostic says which definition it belongs to.
pub fn check(program: &Program, schema: &Schema) -> CheckedProgram {
    let mut c = Checker { program, schema, index: HashMap::new(), out: CheckedProgram::default(), current: 0 };
    c.out.defs = vec![Checked::default(); program.defs.len()];
    for (i, def) in program.defs.iter().enumerate() {
        if let Some(&first) = c.index.get(&def.name) {
            let _ = first;
            c.out.diagnostics.push((
                i,
                Diagnostic::error(
                    "duplicate_name",
                    def.name_span,
                    format!("“{}”已经定义过了：请换一个名称", def.name),
                    format!("“{}” is already defined: choose another name.", def.name),
                ),
            ));
            c.out.defs[i].failed = true;
        } else {
            c.index.insert(def.name.clone(), i);
        }
        if def.expr.is_none() {
            c.out.defs[i].failed = true;
        }
    }
    // Which definitions each one reads.
    for (i, def) in program.defs.iter().enumerate() {
        let mut reads = Vec::new();
        if let Some(e) = &def.expr {
            e.walk(&mut |x| {
                if let ExprKind::Name(parts) = &x.kind {
                    if let Some(Resolved::Def(j)) = resolve(parts, &c.index, schema) {
                        if !reads.contains(&j) {
                            reads.push(j);
                        }
                    }
                }
            });
        }
        c.out.defs[i].reads = reads;
    }
    c.order_and_cycles();
    for k in 0..c.out.order.len() {
        let i = c.out.order[k];
        c.current = i;
        c.check_def(i);
    }
    c.out
}

impl Checker<'_> {
    fn error(&mut self, code: &'static str, span: Span, zh: String, en: String) {
        self.out.diagnostics.push((self.current, Diagnostic::error(code, span, zh, en)));
        self.out.defs[self.current].failed = true;
    }

    fn warning(&mut self, code: &'static str, span: Span, zh: String, en: String) {
        self.out.diagnostics.push((self.current, Diagnostic::warning(code, span, zh, en)));
    }

    fn dep(&mut self, dep: Dep) {
        let deps = &mut self.out.defs[self.current].deps;
        if !deps.contains(&dep) {
            deps.push(dep);
        }
    }

    /// Topological order (depth first); every definition on a cycle gets an error naming the whole cycle.
    fn order_and_cycles(&mut self) {
        let n = self.program.defs.len();
        // 0 = new, 1 = on the stack, 2 = done.
        let mut state = vec![0u8; n];
        let mut stack: Vec<usize> = Vec::new();
        let mut cyclic = vec![false; n];
        let mut cycles: Vec<Vec<usize>> = Vec::new();
        // Iterative (an explicit stack of definitions and how far through their reads each is), so a chain of
        // thousands of definitions each reading the next cannot overflow the call stack.
        let reads: Vec<Vec<usize>> = self.out.defs.iter().map(|d| d.reads.clone()).collect();
        let mut order = Vec::with_capacity(n);
        for root in 0..n {
            if state[root] != 0 {
                continue;
            }
            state[root] = 1;
            stack.push(root);
            let mut next: Vec<usize> = vec![0];
            while let (Some(&i), Some(k)) = (stack.last(), next.last_mut()) {
                match reads[i].get(*k) {
                    Some(&j) => {
                        *k += 1;
                        match state[j] {
                            0 => {
                                state[j] = 1;
                                stack.push(j);
                                next.push(0);
                            }
                            1 => {
                                let from = stack.iter().position(|&s| s == j).unwrap_or(0);
                                cycles.push(stack[from..].to_vec());
                            }
                            _ => {}
                        }
                    }
                    None => {
                        stack.pop();
                        next.pop();
                        state[i] = 2;
                        order.push(i);
                    }
                }
            }
        }
        self.out.order = order;
        for cycle in cycles {
            // A long cycle is named by its first few steps and counted, so each of its definitions' messages
            // stays short (a cycle through thousands of definitions would otherwise repeat them all in each).
            const SHOWN: usize = 6;
            let names: Vec<&str> = if cycle.len() <= SHOWN {
                cycle.iter().chain(cycle.first()).map(|&i| self.program.defs[i].name.as_str()).collect()
            } else {
                cycle.iter().take(SHOWN).map(|&i| self.program.defs[i].name.as_str()).chain(["…"]).collect()
            };
            let path = names.join(" → ");
            let (path_zh, path_en) = if cycle.len() > SHOWN {
                (format!("{path}（共 {} 个定义）", cycle.len()), format!("{path} ({} definitions)", cycle.len()))
            } else {
                (path.clone(), path)
            };
            for &i in &cycle {
                if cyclic[i] {
                    continue;
                }
                cyclic[i] = true;
                self.current = i;
                let span = self.program.defs[i].name_span;
                self.error(
                    "cycle",
                    span,
                    format!("标签之间循环引用：{path_zh}。请让其中一个不再引用另一个"),
                    format!("These definitions refer to each other in a circle: {path_en}. Make one of them stop referring to the next."),
                );
            }
        }
    }

    fn check_def(&mut self, i: usize) {
        let def = &self.program.defs[i];
        let Some(expr) = &def.expr else { return };
        let ty = self.infer(expr, Scope::Member);
        let (kz, ke) = ty.describe();
        match def.kind {
            DefKind::Tag if !matches!(ty, Ty::Bool | Ty::Text | Ty::Attr | Ty::Unknown) => self.error(
                "tag_type",
                expr.span,
                format!("标签要么是“是/否”条件，要么是分类文字，而这里是{kz}。要保存数字请写 metric {} = …，或用 cut/quantiles 分档", def.name),
                format!("A tag is either a yes/no condition or a category, but this is {ke}. To keep a number write metric {} = …, or band it with cut or quantiles.", def.name),
            ),
            DefKind::Audience if !matches!(ty, Ty::Bool | Ty::Unknown) => self.error(
                "audience_type",
                expr.span,
                format!("人群必须是“是/否”条件，而这里是{kz}"),
                format!("An audience must be a yes/no condition, but this is {ke}."),
            ),
            DefKind::Metric if !matches!(ty, Ty::Num | Ty::Attr | Ty::Unknown) => self.error(
                "metric_type",
                expr.span,
                format!("指标必须是数字，而这里是{kz}"),
                format!("A metric must be a number, but this is {ke}."),
            ),
            _ => {}
        }
        let values = if ty == Ty::Text { self.text_values(expr) } else { None };
        let failed = self.out.defs[i].failed;
        let d = &mut self.out.defs[i];
        d.ty = Some(if failed {
            Ty::Unknown
        } else if ty == Ty::Attr {
            Ty::Text
        } else {
            ty
        });
        d.values = values;
        d.deps.sort();
    }

    /// The values a text expression can take, when they are all literals.
    fn text_values(&self, e: &Expr) -> Option<Vec<String>> {
        match &e.kind {
            ExprKind::Str(s) => Some(vec![s.clone()]),
            ExprKind::Case { arms, default } => {
                let mut out: Vec<String> = Vec::new();
                for v in arms.iter().map(|(_, v)| v).chain(default.as_deref()) {
                    for s in self.text_values(v)? {
                        if !out.contains(&s) {
                            out.push(s);
                        }
                    }
                }
                Some(out)
            }
            ExprKind::Name(parts) => match resolve(parts, &self.index, self.schema)? {
                Resolved::Def(j) => self.out.defs[j].values.clone(),
                Resolved::Metric(Metric::RfmSegment) => Some(crate::rfm::Segment::ALL.iter().map(|s| s.zh().to_string()).collect()),
                Resolved::Metric(Metric::RfmSegment11) => Some(crate::rfm::Segment11::ALL.iter().map(|s| s.en().to_string()).collect()),
                Resolved::Metric(Metric::Lifecycle) => Some(crate::metrics::Stage::ALL.iter().map(|s| s.zh().to_string()).collect()),
                Resolved::Model(i) => match &self.schema.models[i].column.values {
                    crate::models::ModelValues::Text(t) => Some(t.values.clone()),
                    crate::models::ModelValues::Num(_) => None,
                },
                _ => None,
            },
            ExprKind::Call { name, args, .. } if name == "cut" || name == "quantiles" => {
                let ExprKind::List(items) = &args.get(2)?.kind else { return None };
                items.iter().map(|x| if let ExprKind::Str(s) = &x.kind { Some(s.clone()) } else { None }).collect()
            }
            _ => None,
        }
    }

    fn mismatch(&mut self, span: Span, what_zh: &str, what_en: &str, want: Ty, got: Ty) {
        let (wz, we) = want.describe();
        let (gz, ge) = got.describe();
        self.error("type_mismatch", span, format!("{what_zh}需要{wz}，而这里是{gz}"), format!("{what_en} needs {we}, but this is {ge}."));
    }

    fn expect(&mut self, e: &Expr, scope: Scope, want: Ty, what_zh: &str, what_en: &str) -> Ty {
        let got = self.infer(e, scope);
        let ok = match want {
            Ty::Num => got.numeric(),
            Ty::Text => got.textual(),
            Ty::Time => matches!(got, Ty::Time | Ty::Attr | Ty::Unknown),
            other => got == other || got == Ty::Unknown,
        };
        if !ok {
            self.mismatch(e.span, what_zh, what_en, want, got);
            return Ty::Unknown;
        }
        got
    }

    fn unknown_name(&mut self, parts: &[(String, Span)], span: Span, scope: Scope) {
        let name = parts.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>().join(".");
        let mut candidates = member_names(self.program.defs.iter().map(|d| d.name.as_str()), self.schema);
        if let Scope::Row(t) = scope {
            for c in t.columns() {
                candidates.push(c.key);
                candidates.extend(c.aliases.iter().copied());
            }
        }
        if let Some(t) = Table::parse(&parts[0].0) {
            if scope == Scope::Member {
                self.error(
                    "column_outside_aggregate",
                    span,
                    format!("“{name}”是{}表的一列，只能在聚合里使用，例如 sum({name}) 或 last({name})", t.key()),
                    format!("“{name}” is a column of {}; use it inside an aggregate such as sum({name}) or last({name}).", t.key()),
                );
                return;
            }
        }
        let hint = did_you_mean(&name, candidates.iter().copied());
        let (hz, he) = match hint {
            Some(h) => (format!("。您是不是想写“{h}”？"), format!(". Did you mean “{h}”?")),
            None => (
                "。可以用的有指标（如 monetary）、会员属性、其他标签的名称".to_string(),
                ". Use a metric (such as monetary), a member attribute or another tag's name.".to_string(),
            ),
        };
        let (wz, we) = match scope {
            Scope::Member => ("", ""),
            Scope::Row(Table::Orders) => ("订单表里", " in orders"),
            Scope::Row(Table::Events) => ("行为表里", " in events"),
        };
        self.error("unknown_name", span, format!("{wz}没有叫“{name}”的字段或标签{hz}"), format!("Nothing is called “{name}”{we}{he}"));
    }

    fn infer(&mut self, e: &Expr, scope: Scope) -> Ty {
        match &e.kind {
            ExprKind::Num(_) => Ty::Num,
            ExprKind::Str(_) => Ty::Text,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Duration(_) => {
                self.error(
                    "misplaced_duration",
                    e.span,
                    "时长只能写在 last 或 within 后面，例如 count(orders, last 30d)".into(),
                    "A duration belongs after last or within, as in count(orders, last 30d).".into(),
                );
                Ty::Unknown
            }
            ExprKind::List(items) => {
                for x in items {
                    let t = self.infer(x, scope);
                    if !matches!(x.kind, ExprKind::Str(_) | ExprKind::Num(_)) && t != Ty::Unknown {
                        self.error(
                            "list_item",
                            x.span,
                            "列表里只能写文字或数字，例如 [\"美妆\", \"护肤\"]".into(),
                            "A list holds texts or numbers only, as in [\"美妆\", \"护肤\"].".into(),
                        );
                    }
                }
                Ty::List
            }
            ExprKind::Name(parts) => self.name(parts, e.span, scope),
            ExprKind::Not(x) => {
                self.expect(x, scope, Ty::Bool, "not 后面", "not");
                Ty::Bool
            }
            ExprKind::Neg(x) => {
                self.expect(x, scope, Ty::Num, "负号后面", "A minus sign");
                Ty::Num
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, scope),
            ExprKind::In { value, list, .. } => {
                let vt = self.infer(value, scope);
                if !matches!(list.kind, ExprKind::List(_)) {
                    let lt = self.infer(list, scope);
                    if lt != Ty::Unknown {
                        self.error(
                            "in_list",
                            list.span,
                            "in 后面要写一个列表，例如 [\"美妆\", \"护肤\"]".into(),
                            "in needs a list after it, as in [\"美妆\", \"护肤\"].".into(),
                        );
                    }
                    return Ty::Bool;
                }
                self.infer(list, scope);
                if let ExprKind::List(items) = &list.kind {
                    for x in items {
                        let ok = matches!(
                            (&x.kind, vt),
                            (_, Ty::Unknown | Ty::Attr) | (ExprKind::Str(_), Ty::Text | Ty::Id) | (ExprKind::Num(_), Ty::Num)
                        );
                        if !ok {
                            let it = if matches!(x.kind, ExprKind::Num(_)) { Ty::Num } else { Ty::Text };
                            self.mismatch(x.span, "与左边比较", "Comparing with the left side", vt, it);
                            break;
                        }
                    }
                    self.check_known_values(value, items);
                }
                Ty::Bool
            }
            ExprKind::Between { value, low, high } => {
                let vt = self.infer(value, scope);
                let want = if vt == Ty::Time { Ty::Time } else { Ty::Num };
                if !(vt.numeric() || vt == Ty::Time) {
                    self.mismatch(value.span, "between", "between", Ty::Num, vt);
                }
                for x in [low, high] {
                    let t = self.infer(x, scope);
                    // A member-file column may hold dates: `register_date between date("…") and date("…")`.
                    let date_text = matches!(&x.kind, ExprKind::Str(s) if crate::base::values::parse_timestamp(s).is_some());
                    let ok = if want == Ty::Time {
                        matches!(t, Ty::Time | Ty::Attr | Ty::Unknown) || date_text
                    } else {
                        t.numeric() || (vt == Ty::Attr && t == Ty::Time)
                    };
                    if want == Ty::Time && t == Ty::Text && matches!(x.kind, ExprKind::Str(_)) && !date_text {
                        self.error(
                            "bad_date",
                            x.span,
                            "与时间比较的文字要写成日期，例如 \"2025-01-01\"".into(),
                            "A text compared with a time must be a date, as in \"2025-01-01\".".into(),
                        );
                    } else if !ok {
                        self.mismatch(x.span, "between 的边界", "A between bound", want, t);
                    }
                }
                Ty::Bool
            }
            ExprKind::Call { name, name_span, args } => self.call(name, *name_span, args, e.span, scope),
            ExprKind::Agg { func, name_span, source, arg, window } => {
                self.aggregate(*func, *name_span, source, arg.as_deref(), *window, e.span, scope)
            }
            ExprKind::Case { arms, default } => {
                let mut result: Option<Ty> = None;
                for (cond, value) in arms.iter().map(|(c, v)| (Some(c), v)).chain(default.iter().map(|d| (None, &**d))) {
                    if let Some(c) = cond {
                        self.expect(c, scope, Ty::Bool, "when 后面", "when");
                    }
                    let t = self.infer(value, scope);
                    // A member attribute reads as a number or as text, whichever the other results are.
                    let fits = |a: Ty, b: Ty| a == b || (a == Ty::Attr && matches!(b, Ty::Num | Ty::Text));
                    match result {
                        None | Some(Ty::Unknown) => result = Some(t),
                        Some(r) if fits(r, t) && t != Ty::Attr => result = Some(t),
                        Some(r) if !fits(t, r) && !fits(r, t) && t != Ty::Unknown => {
                            self.mismatch(value.span, "case 的每个结果", "Every result of a case", r, t);
                        }
                        _ => {}
                    }
                }
                let result = result.unwrap_or(Ty::Unknown);
                // Rows are filtered and folded as numbers or yes/no; a text or time result only works on members.
                if let (Scope::Row(t), Ty::Text | Ty::Time | Ty::Attr) = (scope, result) {
                    self.error(
                        "member_function_in_row",
                        e.span,
                        format!("case … end 在 {} 的 where 条件或聚合参数里只能得出数字或是/否", t.key()),
                        format!(
                            "Inside a where condition or an aggregate's argument on {}, a case … end must give a number or yes/no.",
                            t.key()
                        ),
                    );
                    return Ty::Unknown;
                }
                result
            }
            ExprKind::Seq { first, then } => {
                self.did(first, scope);
                if let Some(t) = then {
                    self.did(&t.did, scope);
                    if t.within <= 0.0 {
                        self.error(
                            "bad_window",
                            t.within_span,
                            "within 的时长要大于 0".into(),
                            "The within duration must be more than 0.".into(),
                        );
                    }
                }
                Ty::Bool
            }
        }
    }

    fn name(&mut self, parts: &[(String, Span)], span: Span, scope: Scope) -> Ty {
        if let Scope::Row(table) = scope {
            if parts.len() == 1 {
                if let Some(c) = table.column(&parts[0].0) {
                    self.dep(Dep::Column(format!("{}.{}", table.key(), c.key)));
                    return c.ty;
                }
            }
            if parts.len() == 2 && Table::parse(&parts[0].0) == Some(table) {
                if let Some(c) = table.column(&parts[1].0) {
                    self.dep(Dep::Column(format!("{}.{}", table.key(), c.key)));
                    return c.ty;
                }
            }
            if resolve(parts, &self.index, self.schema).is_some() {
                let name = parts.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>().join(".");
                let cols: Vec<&str> = table.columns().iter().map(|c| c.key).collect();
                self.error(
                    "member_value_in_row",
                    span,
                    format!("“{name}”是会员层面的值，不能用在 {} 的 where 条件里；这里可以用的列：{}", table.key(), cols.join("、")),
                    format!(
                        "“{name}” is a member-level value and cannot be used in a where condition on {}; its columns are {}.",
                        table.key(),
                        cols.join(", ")
                    ),
                );
                return Ty::Unknown;
            }
            self.unknown_name(parts, span, scope);
            return Ty::Unknown;
        }
        match resolve(parts, &self.index, self.schema) {
            Some(Resolved::Def(j)) => {
                self.dep(Dep::Def(self.program.defs[j].name.clone()));
                let d = &self.out.defs[j];
                if j == self.current || d.failed || d.ty.is_none() {
                    return Ty::Unknown;
                }
                d.ty.unwrap_or(Ty::Unknown)
            }
            Some(Resolved::Metric(m)) => {
                self.dep(Dep::Metric(m.info().key.to_string()));
                m.info().ty.into()
            }
            Some(Resolved::Attr(a)) => {
                let key = match &a {
                    AttrRef::Role(r) => r.key().to_string(),
                    AttrRef::Header(h) => h.clone(),
                };
                self.dep(Dep::Attribute(key));
                Ty::Attr
            }
            Some(Resolved::Model(i)) => {
                let field = &self.schema.models[i];
                self.dep(Dep::Model(field.column.key.clone()));
                field.ty()
            }
            None => {
                let name = parts.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>().join(".");
                match crate::models::known_column(&name).filter(|_| parts.len() == 1) {
                    Some(known) => {
                        let m = known.model;
                        let (cz, ce) = match m {
                            crate::models::ModelKind::Churn => (String::new(), String::new()),
                            _ => (format!("（或用 huaxiang model {}）", m.key()), format!(" (or with huaxiang model {})", m.key())),
                        };
                        self.error(
                            "model_not_fitted",
                            span,
                            format!("“{name}”来自{}，它还没有拟合：请先在“模型”页{cz}拟合", m.zh()),
                            format!("“{name}” comes from {}, which has not been fitted: fit it first in the Models view{ce}.", m.en()),
                        );
                    }
                    None => self.unknown_name(parts, span, scope),
                }
                Ty::Unknown
            }
        }
    }

    /// Warns when a literal compared with a text of known values is not one of them (a likely typo).
    fn check_known_values(&mut self, value: &Expr, literals: &[Expr]) {
        let Some(known) = self.text_values(value) else { return };
        if matches!(value.kind, ExprKind::Str(_)) {
            return;
        }
        for lit in literals {
            if let ExprKind::Str(s) = &lit.kind {
                if !known.contains(s) {
                    let hint = did_you_mean(s, known.iter().map(String::as_str));
                    let list = known.join("、");
                    let (hz, he) = match hint {
                        Some(h) => (format!("您是不是想写“{h}”？"), format!("Did you mean “{h}”?")),
                        None => (format!("可能的值：{list}"), format!("Its values are: {}", known.join(", "))),
                    };
                    self.warning(
                        "unknown_value",
                        lit.span,
                        format!("“{value}”不会等于“{s}”。{hz}"),
                        format!("“{value}” is never “{s}”. {he}"),
                    );
                }
            }
        }
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, scope: Scope) -> Ty {
        let sym = op.symbol();
        match op {
            BinOp::And | BinOp::Or => {
                self.expect(a, scope, Ty::Bool, &format!("“{sym}”的左边"), &format!("The left side of “{sym}”"));
                self.expect(b, scope, Ty::Bool, &format!("“{sym}”的右边"), &format!("The right side of “{sym}”"));
                Ty::Bool
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                self.expect(a, scope, Ty::Num, &format!("“{sym}”的左边"), &format!("The left side of “{sym}”"));
                self.expect(b, scope, Ty::Num, &format!("“{sym}”的右边"), &format!("The right side of “{sym}”"));
                Ty::Num
            }
            _ => {
                let ta = self.infer(a, scope);
                let tb = self.infer(b, scope);
                let ok = match (ta, tb) {
                    (Ty::Unknown, _) | (_, Ty::Unknown) => true,
                    (Ty::Attr, t) | (t, Ty::Attr) => matches!(t, Ty::Num | Ty::Text | Ty::Time | Ty::Attr),
                    (Ty::Num, Ty::Num) | (Ty::Text, Ty::Text) | (Ty::Time, Ty::Time) => true,
                    (Ty::Time, Ty::Text) => matches!(b.kind, ExprKind::Str(_)),
                    (Ty::Text, Ty::Time) => matches!(a.kind, ExprKind::Str(_)),
                    (Ty::Bool, Ty::Bool) => matches!(op, BinOp::Eq | BinOp::Ne),
                    // Order numbers are only equal or not: `order_id == "O1001"`.
                    (Ty::Id, Ty::Text) => matches!(op, BinOp::Eq | BinOp::Ne) && matches!(b.kind, ExprKind::Str(_)),
                    (Ty::Text, Ty::Id) => matches!(op, BinOp::Eq | BinOp::Ne) && matches!(a.kind, ExprKind::Str(_)),
                    _ => false,
                };
                // A text compared with a time is a date or a date and time.
                let bad_date = [(ta, b), (tb, a)].into_iter().find_map(|(t, other)| match &other.kind {
                    ExprKind::Str(s) if t == Ty::Time && crate::base::values::parse_timestamp(s).is_none() => Some(other.span),
                    _ => None,
                });
                if let (true, Some(span)) = (ok, bad_date) {
                    self.error(
                        "bad_date",
                        span,
                        "与时间比较的文字要写成日期，例如 \"2025-01-01\" 或 \"2025-01-01 10:00:00\"".into(),
                        "A text compared with a time must be a date, as in \"2025-01-01\" or \"2025-01-01 10:00:00\".".into(),
                    );
                } else if !ok {
                    let (az, ae) = ta.describe();
                    let (bz, be) = tb.describe();
                    self.error(
                        "type_mismatch",
                        a.span.to(b.span),
                        format!("“{sym}”两边不能比较：左边是{az}，右边是{bz}"),
                        format!("“{sym}” cannot compare these: the left side is {ae} and the right side is {be}."),
                    );
                } else if ta == Ty::Text && op != BinOp::Eq && op != BinOp::Ne && tb == Ty::Text {
                    self.warning(
                        "text_order",
                        a.span.to(b.span),
                        "文字按字典顺序比较大小".into(),
                        "Texts are compared in dictionary order.".into(),
                    );
                }
                if op == BinOp::Eq || op == BinOp::Ne {
                    if matches!(b.kind, ExprKind::Str(_)) {
                        self.check_known_values(a, std::slice::from_ref(b));
                    } else if matches!(a.kind, ExprKind::Str(_)) {
                        self.check_known_values(b, std::slice::from_ref(a));
                    }
                }
                Ty::Bool
            }
        }
    }
}
