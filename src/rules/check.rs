//! The checker: resolves every name, types every expression, orders definitions by dependency and reports
//! cycles. It reports every problem it finds (never just the first), each with a span and a message in Chinese
//! and English that names the thing the user wrote and, for a likely typo, what they probably meant.

use super::ast::*;
use super::diagnostic::{did_you_mean, Diagnostic, Span};
use super::names::{find_metric, Column, Metric, Table, FUNCTIONS, METRICS};
use crate::ingest::mapping::Role;
use serde::Serialize;
use std::collections::HashMap;

/// The type of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ty {
    /// Yes or no.
    Bool,
    /// A number.
    Num,
    /// Text from a known set (a category).
    Text,
    /// A point in time.
    Time,
    /// A member-file column: text that reads as a number or a date where one is needed.
    Attr,
    /// An identifier (order number): only counted.
    Id,
    /// A list of literals.
    List,
    /// A duration (only after `last` or `within`).
    Duration,
    /// Already reported; accepted everywhere so one mistake gives one message.
    Unknown,
}

impl Ty {
    /// The type's name in a message: `(zh, en)`.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Ty::Bool => ("是/否条件", "a yes/no condition"),
            Ty::Num => ("数字", "a number"),
            Ty::Text => ("文字", "text"),
            Ty::Time => ("时间", "a time"),
            Ty::Attr => ("会员属性", "a member attribute"),
            Ty::Id => ("编号", "an identifier"),
            Ty::List => ("列表", "a list"),
            Ty::Duration => ("时长", "a duration"),
            Ty::Unknown => ("未知", "unknown"),
        }
    }

    fn numeric(self) -> bool {
        matches!(self, Ty::Num | Ty::Attr | Ty::Unknown)
    }

    fn textual(self) -> bool {
        matches!(self, Ty::Text | Ty::Attr | Ty::Unknown)
    }
}

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
        fn visit(
            i: usize,
            reads: &[Vec<usize>],
            state: &mut [u8],
            stack: &mut Vec<usize>,
            order: &mut Vec<usize>,
            cycles: &mut Vec<Vec<usize>>,
        ) {
            state[i] = 1;
            stack.push(i);
            for &j in &reads[i] {
                match state[j] {
                    0 => visit(j, reads, state, stack, order, cycles),
                    1 => {
                        let from = stack.iter().position(|&s| s == j).unwrap_or(0);
                        cycles.push(stack[from..].to_vec());
                    }
                    _ => {}
                }
            }
            stack.pop();
            state[i] = 2;
            order.push(i);
        }
        let reads: Vec<Vec<usize>> = self.out.defs.iter().map(|d| d.reads.clone()).collect();
        let mut order = Vec::with_capacity(n);
        for i in 0..n {
            if state[i] == 0 {
                visit(i, &reads, &mut state, &mut stack, &mut order, &mut cycles);
            }
        }
        self.out.order = order;
        for cycle in cycles {
            let names: Vec<&str> = cycle.iter().chain(cycle.first()).map(|&i| self.program.defs[i].name.as_str()).collect();
            let path = names.join(" → ");
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
                    format!("标签之间循环引用：{path}。请让其中一个不再引用另一个"),
                    format!("These definitions refer to each other in a circle: {path}. Make one of them stop referring to the next."),
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
                            (_, Ty::Unknown | Ty::Attr) | (ExprKind::Str(_), Ty::Text) | (ExprKind::Num(_), Ty::Num)
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
                    let ok = t.numeric() || (want == Ty::Time && matches!(t, Ty::Time | Ty::Text));
                    if !ok {
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
                    let t = if t == Ty::Attr { Ty::Text } else { t };
                    match result {
                        None | Some(Ty::Unknown) => result = Some(t),
                        Some(r) if r != t && t != Ty::Unknown => {
                            self.mismatch(value.span, "case 的每个结果", "Every result of a case", r, t);
                        }
                        _ => {}
                    }
                }
                result.unwrap_or(Ty::Unknown)
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
                m.info().ty
            }
            Some(Resolved::Attr(a)) => {
                let key = match &a {
                    AttrRef::Role(r) => r.key().to_string(),
                    AttrRef::Header(h) => h.clone(),
                };
                self.dep(Dep::Attribute(key));
                Ty::Attr
            }
            None => {
                self.unknown_name(parts, span, scope);
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
                    _ => false,
                };
                if !ok {
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

    fn arity(&mut self, name: &str, span: Span, args: &[Expr], min: usize, max: usize) -> bool {
        if args.len() < min || args.len() > max {
            let want = if min == max { format!("{min}") } else { format!("{min}–{max}") };
            self.error(
                "arity",
                span,
                format!("{name}(…) 需要 {want} 个参数，这里有 {} 个", args.len()),
                format!("{name}(…) takes {want} arguments, but has {} here.", args.len()),
            );
            return false;
        }
        true
    }

    fn call(&mut self, name: &str, name_span: Span, args: &[Expr], span: Span, scope: Scope) -> Ty {
        let lower = name.to_lowercase();
        let num = |c: &mut Self, x: &Expr| {
            c.expect(x, scope, Ty::Num, &format!("{lower} 的参数"), &format!("{lower}'s argument"));
        };
        let member_only = |c: &mut Self| {
            if let Scope::Row(t) = scope {
                c.error(
                    "member_function_in_row",
                    name_span,
                    format!("{lower}(…) 作用于会员，不能用在 {} 的 where 条件里", t.key()),
                    format!("{lower}(…) works on members and cannot be used in a where condition on {}.", t.key()),
                );
            }
        };
        match lower.as_str() {
            "days_since" => {
                if self.arity(&lower, span, args, 1, 1) {
                    self.expect(&args[0], scope, Ty::Time, "days_since 的参数", "days_since's argument");
                }
                Ty::Num
            }
            "date" => {
                if self.arity(&lower, span, args, 1, 1) {
                    match &args[0].kind {
                        ExprKind::Str(s) if crate::ingest::values::parse_timestamp(s).is_some() => {}
                        _ => self.error(
                            "bad_date",
                            args[0].span,
                            "date(…) 里要写一个日期，例如 date(\"2025-01-01\")".into(),
                            "date(…) needs a date, as in date(\"2025-01-01\").".into(),
                        ),
                    }
                }
                Ty::Time
            }
            "abs" | "round" => {
                if self.arity(&lower, span, args, 1, 1) {
                    num(self, &args[0]);
                }
                Ty::Num
            }
            "coalesce" => {
                if self.arity(&lower, span, args, 2, 2) {
                    num(self, &args[0]);
                    num(self, &args[1]);
                }
                Ty::Num
            }
            "contains" => {
                if self.arity(&lower, span, args, 2, 2) {
                    self.expect(&args[0], scope, Ty::Text, "contains 的第一个参数", "contains' first argument");
                    if !matches!(args[1].kind, ExprKind::Str(_)) {
                        let got = literal_ty(&args[1]);
                        self.mismatch(args[1].span, "contains 的第二个参数", "contains' second argument", Ty::Text, got);
                    }
                }
                Ty::Bool
            }
            "cut" | "quantiles" | "top_percent" => {
                member_only(self);
                let (min, max) = if lower == "top_percent" { (2, 2) } else { (2, 3) };
                if !self.arity(&lower, span, args, min, max) {
                    return if lower == "top_percent" { Ty::Bool } else { Ty::Text };
                }
                num(self, &args[0]);
                self.band_arguments(&lower, args);
                if lower == "top_percent" {
                    Ty::Bool
                } else {
                    Ty::Text
                }
            }
            _ => {
                let mut names: Vec<&str> = FUNCTIONS.iter().map(|f| f.0).collect();
                names.extend(super::ast::AggFn::ALL.iter().map(|a| a.1));
                names.push("did");
                let hint = did_you_mean(&lower, names.iter().copied());
                let (hz, he) = match hint {
                    Some(h) => (format!("您是不是想写 {h}(…)？"), format!("Did you mean {h}(…)?")),
                    None => (format!("可用的函数：{}", names.join("、")), format!("The functions are: {}.", names.join(", "))),
                };
                self.error(
                    "unknown_function",
                    name_span,
                    format!("没有叫 {name} 的函数。{hz}"),
                    format!("There is no function called {name}. {he}"),
                );
                for a in args {
                    self.infer(a, scope);
                }
                Ty::Unknown
            }
        }
    }

    /// Checks the literal arguments of `cut`, `quantiles` and `top_percent`.
    fn band_arguments(&mut self, f: &str, args: &[Expr]) {
        let bad = |c: &mut Self, span: Span, zh: &str, en: &str| c.error("bad_band", span, zh.to_string(), en.to_string());
        match f {
            "top_percent" => match args[1].kind {
                ExprKind::Num(p) if p > 0.0 && p <= 100.0 => {}
                _ => bad(
                    self,
                    args[1].span,
                    "top_percent 的第二个参数是 0 到 100 之间的百分数，例如 20",
                    "top_percent's second argument is a percentage between 0 and 100, such as 20.",
                ),
            },
            "quantiles" => match args[1].kind {
                ExprKind::Num(k) if (2.0..=100.0).contains(&k) && k.fract() == 0.0 => {}
                _ => bad(
                    self,
                    args[1].span,
                    "quantiles 的第二个参数是分成几份（2 到 100 的整数）",
                    "quantiles' second argument is the number of bands (a whole number from 2 to 100).",
                ),
            },
            _ => {
                let edges: Option<Vec<f64>> = match &args[1].kind {
                    ExprKind::List(items) => items.iter().map(|x| if let ExprKind::Num(n) = x.kind { Some(n) } else { None }).collect(),
                    _ => None,
                };
                match edges {
                    Some(e) if !e.is_empty() && e.windows(2).all(|w| w[0] < w[1]) => {}
                    _ => bad(
                        self,
                        args[1].span,
                        "cut 的第二个参数是从小到大的边界列表，例如 [500, 2000]",
                        "cut's second argument is a list of increasing edges, such as [500, 2000].",
                    ),
                }
            }
        }
        if let Some(labels) = args.get(2) {
            let want = match (f, &args[1].kind) {
                ("cut", ExprKind::List(items)) => Some(items.len() + 1),
                ("quantiles", ExprKind::Num(k)) => Some(*k as usize),
                _ => None,
            };
            match &labels.kind {
                ExprKind::List(items) if items.iter().all(|x| matches!(x.kind, ExprKind::Str(_))) => {
                    if let Some(w) = want {
                        if items.len() != w {
                            self.error(
                                "bad_band",
                                labels.span,
                                format!("{f} 需要 {w} 个名称（分档数），这里有 {} 个", items.len()),
                                format!("{f} needs {w} labels (one per band), but has {} here.", items.len()),
                            );
                        }
                    }
                }
                _ => bad(
                    self,
                    labels.span,
                    "第三个参数是各档的名称列表，例如 [\"低\", \"中\", \"高\"]",
                    "The third argument is a list of band labels, such as [\"低\", \"中\", \"高\"].",
                ),
            }
        }
    }

    fn table(&mut self, source: &Source, window: Option<Window>, scope: Scope) -> Option<Table> {
        if let Scope::Row(t) = scope {
            self.error(
                "nested_aggregate",
                source.table_span,
                format!("聚合不能写在 {} 的 where 条件里", t.key()),
                format!("An aggregate cannot be nested inside a where condition on {}.", t.key()),
            );
            return None;
        }
        match Table::parse(&source.table) {
            Some(t) => {
                if let Some(w) = window {
                    if self.schema.untimed.contains(&t) {
                        self.error(
                            "window_without_time",
                            w.span,
                            format!("{} 表没有时间列，不能用时间窗口 last …", t.key()),
                            format!("{} has no time column, so a window (last …) cannot apply to it.", t.key()),
                        );
                    } else if w.seconds <= 0.0 || w.seconds % 86_400.0 != 0.0 {
                        self.error(
                            "bad_window",
                            w.span,
                            "时间窗口按整天计算，例如 last 30d".into(),
                            "A window counts whole days, as in last 30d.".into(),
                        );
                    }
                }
                Some(t)
            }
            None => {
                let name = &source.table;
                let member_level = resolve(&[(name.clone(), source.table_span)], &self.index, self.schema).is_some();
                if let (true, Some(w)) = (member_level, window) {
                    self.error(
                        "window_without_time",
                        w.span,
                        format!("“{name}”没有时间列，不能加时间窗口。时间窗口只用于 orders（订单）和 events（行为）"),
                        format!("“{name}” has no time column, so it cannot take a window. Windows apply to orders and events."),
                    );
                } else if member_level {
                    self.error(
                        "not_a_table",
                        source.table_span,
                        format!("“{name}”不是数据表：聚合统计 orders（订单）或 events（行为）的行"),
                        format!("“{name}” is not a table: aggregates read the rows of orders or events."),
                    );
                } else {
                    let hint = did_you_mean(name, ["orders", "events", "订单", "行为"]);
                    let (hz, he) = match hint {
                        Some(h) => (format!("您是不是想写“{h}”？"), format!("Did you mean “{h}”?")),
                        None => ("可以用 orders（订单）或 events（行为）".into(), "Use orders or events.".into()),
                    };
                    self.error(
                        "unknown_table",
                        source.table_span,
                        format!("没有叫“{name}”的数据表。{hz}"),
                        format!("There is no table called “{name}”. {he}"),
                    );
                }
                None
            }
        }
    }

    fn did(&mut self, did: &Did, scope: Scope) {
        if let Some(t) = self.table(&did.source, did.window, scope) {
            if let Some((c, span)) = &did.source.column {
                self.error(
                    "did_column",
                    *span,
                    format!("did(…) 只看有没有发生，不需要写列 .{c}"),
                    format!("did(…) only asks whether something happened; drop the column .{c}."),
                );
            }
            self.dep(Dep::Column(format!("{}.time", t.key())));
            if let Some(f) = &did.source.filter {
                self.expect(f, Scope::Row(t), Ty::Bool, "where 后面", "where");
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn aggregate(
        &mut self,
        func: AggFn,
        name_span: Span,
        source: &Source,
        arg: Option<&Expr>,
        window: Option<Window>,
        span: Span,
        scope: Scope,
    ) -> Ty {
        let Some(table) = self.table(source, window, scope) else {
            if let Some(a) = arg {
                let _ = a;
            }
            return if matches!(func, AggFn::Count | AggFn::Sum | AggFn::Avg | AggFn::Distinct | AggFn::Share) {
                Ty::Num
            } else {
                Ty::Unknown
            };
        };
        let row = Scope::Row(table);
        if window.is_some() {
            self.dep(Dep::Column(format!("{}.time", table.key())));
        }
        if let Some(f) = &source.filter {
            self.expect(f, row, Ty::Bool, "where 后面", "where");
        }
        let column_ty = match &source.column {
            Some((c, cspan)) => match table.column(c) {
                Some(info) => {
                    self.dep(Dep::Column(format!("{}.{}", table.key(), info.key)));
                    Some(info.ty)
                }
                None => {
                    let names: Vec<&str> =
                        table.columns().iter().flat_map(|c| std::iter::once(c.key).chain(c.aliases.iter().copied())).collect();
                    let hint = did_you_mean(c, names.iter().copied());
                    let cols: Vec<&str> = table.columns().iter().map(|c| c.key).collect();
                    let (hz, he) = match hint {
                        Some(h) => (format!("您是不是想写“{h}”？"), format!("Did you mean “{h}”?")),
                        None => (format!("可用的列：{}", cols.join("、")), format!("Its columns are: {}.", cols.join(", "))),
                    };
                    self.error(
                        "unknown_column",
                        *cspan,
                        format!("{} 表没有“{c}”这一列。{hz}", table.key()),
                        format!("{} has no column “{c}”. {he}", table.key()),
                    );
                    Some(Ty::Unknown)
                }
            },
            None => None,
        };
        let fname = func.name();
        let arg_ty = arg.map(|a| self.infer(a, row));
        if column_ty.is_some() && arg.is_some() {
            self.error(
                "agg_arguments",
                arg.map_or(span, |a| a.span),
                format!("{fname}(…) 已经写了列，不需要第二个参数"),
                format!("{fname}(…) already names a column, so it takes no second argument."),
            );
            return Ty::Unknown;
        }
        let value_ty = column_ty.or(arg_ty);
        let need_value = |c: &mut Self, want_zh: &str, want_en: &str| {
            c.error(
                "agg_arguments",
                name_span,
                format!("{fname}(…) 需要指明统计哪一列，例如 {fname}({}.{want_zh})", table.key()),
                format!("{fname}(…) needs a column to work on, as in {fname}({}.{want_en}).", table.key()),
            );
        };
        let example = if table == Table::Orders { "amount" } else { "type" };
        match func {
            AggFn::Count => {
                if let Some(a) = arg {
                    if arg_ty != Some(Ty::Unknown) {
                        self.error(
                            "agg_arguments",
                            a.span,
                            "count(…) 数行数；要加条件请写 where，例如 count(orders where amount > 100)".into(),
                            "count(…) counts rows; put a condition after where, as in count(orders where amount > 100).".into(),
                        );
                    }
                }
                Ty::Num
            }
            AggFn::Sum | AggFn::Avg => match value_ty {
                None => {
                    need_value(self, "amount", "amount");
                    Ty::Num
                }
                Some(t) if t.numeric() => Ty::Num,
                Some(t) => {
                    self.mismatch(source.column.as_ref().map_or(span, |c| c.1), &format!("{fname}(…)"), &format!("{fname}(…)"), Ty::Num, t);
                    Ty::Num
                }
            },
            AggFn::Min | AggFn::Max | AggFn::First | AggFn::Last => match value_ty {
                None => {
                    need_value(self, example, example);
                    Ty::Unknown
                }
                Some(Ty::Id) => {
                    self.error(
                        "agg_arguments",
                        name_span,
                        "订单号只能计数：distinct(orders.order_id)".into(),
                        "Order numbers can only be counted: distinct(orders.order_id).".into(),
                    );
                    Ty::Unknown
                }
                Some(Ty::Text) if matches!(func, AggFn::Min | AggFn::Max) => {
                    self.mismatch(span, &format!("{fname}(…)"), &format!("{fname}(…)"), Ty::Num, Ty::Text);
                    Ty::Unknown
                }
                Some(Ty::Bool) => {
                    self.mismatch(span, &format!("{fname}(…)"), &format!("{fname}(…)"), Ty::Num, Ty::Bool);
                    Ty::Unknown
                }
                Some(t) => t,
            },
            AggFn::Distinct => {
                if value_ty.is_none() {
                    need_value(self, example, example);
                }
                Ty::Num
            }
            AggFn::Share => match value_ty {
                None => {
                    self.error(
                        "agg_arguments",
                        name_span,
                        "share(…) 需要一个条件，例如 share(orders, discount > 0)".into(),
                        "share(…) needs a condition, as in share(orders, discount > 0).".into(),
                    );
                    Ty::Num
                }
                Some(Ty::Bool | Ty::Num | Ty::Unknown) => Ty::Num,
                Some(t) => {
                    self.mismatch(arg.map_or(span, |a| a.span), "share(…) 的第二个参数", "share(…)'s second argument", Ty::Bool, t);
                    Ty::Num
                }
            },
            AggFn::Top => match value_ty {
                None => {
                    need_value(self, "category", "category");
                    Ty::Text
                }
                Some(Ty::Text | Ty::Unknown) => Ty::Text,
                Some(t) => {
                    self.mismatch(span, "top(…)", "top(…)", Ty::Text, t);
                    Ty::Text
                }
            },
        }
    }
}

/// The column of a table a row-scope name refers to, if any.
pub fn row_column(parts: &[(String, Span)], table: Table) -> Option<Column> {
    match parts {
        [(name, _)] => table.column(name).map(|c| c.column),
        [(t, _), (name, _)] if Table::parse(t) == Some(table) => table.column(name).map(|c| c.column),
        _ => None,
    }
}

/// The type of a literal, `Unknown` for anything else.
fn literal_ty(e: &Expr) -> Ty {
    match &e.kind {
        ExprKind::Num(_) => Ty::Num,
        ExprKind::Str(_) => Ty::Text,
        ExprKind::Bool(_) => Ty::Bool,
        _ => Ty::Unknown,
    }
}
