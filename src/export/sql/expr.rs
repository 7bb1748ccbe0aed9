//! Member-level expressions to SQL, mirroring `crate::rules::eval` case by case: each value keeps the kind the
//! evaluator would give it (a column of yes/no, numbers, times or text, a member attribute, or a literal),
//! because the evaluator picks how to compare, convert and combine by that kind.

use super::{unsupported, DefState, Gen, Item, ValueType, R};
use crate::base::date::Day;
use crate::base::values::parse_timestamp;
use crate::metrics::names::Metric;
use crate::rules::ast::*;
use crate::rules::check::{resolve, AttrRef, Resolved, Ty};
use crate::rules::eval::{arith, day_literal, round_cents, Decimals, DefClasses};

/// The kind of a member-level value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum K {
    /// Yes/no per member (SQL BOOLEAN, never NULL).
    Bool,
    /// A number per member (DOUBLE, NULL = missing).
    Num,
    /// A time per member (TIMESTAMP).
    Time,
    /// Text per member.
    Text,
    /// A member attribute (raw text), by index into the generator's attributes.
    Attr(usize),
    CBool(bool),
    CNum(f64),
    CText(String),
    CTime(Option<i64>),
    List(Vec<Item>),
}

/// A member-level value: its kind, its SQL (for columns) and the layer its columns are available at.
#[derive(Clone, Debug)]
pub(super) struct V {
    pub k: K,
    pub sql: String,
    pub depth: u32,
}

fn v(k: K, sql: String, depth: u32) -> V {
    V { k, sql, depth }
}

fn c(k: K) -> V {
    V { k, sql: String::new(), depth: 0 }
}

fn op_sql(op: BinOp) -> &'static str {
    match op {
        BinOp::Eq => "=",
        BinOp::Ne => "<>",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        _ => ">=",
    }
}

/// `coalesce(a op b, false)`, or plain false when a side is known to be missing.
pub(super) fn cmp_sql(a: &str, op: BinOp, b: &str) -> String {
    if a.starts_with("CAST(NULL") || b.starts_with("CAST(NULL") {
        return "FALSE".into();
    }
    format!("coalesce({a} {} {b}, FALSE)", op_sql(op))
}

/// Items of a literal list.
pub(super) fn items_of(e: &Expr) -> Option<Vec<Item>> {
    match &e.kind {
        ExprKind::List(items) => Some(
            items
                .iter()
                .filter_map(|x| match &x.kind {
                    ExprKind::Num(n) => Some(Item::Num(*n)),
                    ExprKind::Str(s) => Some(Item::Text(s.clone())),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    }
}

impl Gen<'_> {
    /// A definition's column: `(sql, value type, depth)`, or `None` when the engine keeps no result for it.
    pub(super) fn definition(&mut self, kind: DefKind, e: &Expr) -> R<Option<(String, ValueType, u32)>> {
        let x = self.eval(e)?;
        let depth = x.depth;
        Ok(Some(match &x.k {
            K::Bool | K::CBool(_) => (self.bits(&x), ValueType::Bool, depth),
            K::Text | K::Attr(_) if kind == DefKind::Metric => (self.nums(&x)?, ValueType::Number, depth),
            K::Text | K::Attr(_) | K::CText(_) => (self.text(&x)?, ValueType::Text, depth),
            K::Num | K::CNum(_) => (self.nums(&x)?, ValueType::Number, depth),
            K::Time | K::CTime(_) | K::List(_) => return Ok(None),
        }))
    }

    /// The SQL boolean of a value (the evaluator's `bits`).
    pub(super) fn bits(&self, x: &V) -> String {
        match &x.k {
            K::Bool => x.sql.clone(),
            K::CBool(true) => "TRUE".into(),
            _ => "FALSE".into(),
        }
    }

    /// A DOUBLE per member (the evaluator's `nums`).
    pub(super) fn nums(&mut self, x: &V) -> R<String> {
        let d = self.d;
        Ok(match &x.k {
            K::Num => x.sql.clone(),
            K::CNum(n) => d.number(*n),
            K::Attr(i) => {
                let i = *i;
                self.attrs[i].num = true;
                format!("at{i}_n")
            }
            K::Text => return unsupported("文字结果不能当作数字导出", "reading a computed text as a number cannot be exported"),
            K::Bool => format!("CASE WHEN {} THEN {} ELSE {} END", x.sql, d.number(1.0), d.number(0.0)),
            _ => d.null_double(),
        })
    }

    /// A TIMESTAMP per member (the evaluator's `times`).
    pub(super) fn times(&mut self, x: &V) -> R<String> {
        let d = self.d;
        Ok(match &x.k {
            K::Time => x.sql.clone(),
            K::CTime(Some(t)) => d.timestamp(*t),
            K::CText(s) => parse_timestamp(s).map_or_else(|| d.null_time(), |t| d.timestamp(t)),
            K::Attr(i) => {
                let i = *i;
                self.attrs[i].time = true;
                format!("at{i}_ts")
            }
            K::Text => return unsupported("文字结果不能当作时间导出", "reading a computed text as a time cannot be exported"),
            _ => d.null_time(),
        })
    }

    /// Text per member (the evaluator's `text`).
    pub(super) fn text(&mut self, x: &V) -> R<String> {
        Ok(match &x.k {
            K::Text | K::Attr(_) => x.sql.clone(),
            K::CText(s) => self.d.string(s),
            K::Num => return unsupported("数字转文字无法导出", "turning a number into text cannot be exported"),
            _ => self.d.null_text(),
        })
    }

    /// Whether a value is present (the evaluator's `present`).
    fn present(&self, x: &V) -> String {
        match &x.k {
            K::Text | K::Attr(_) | K::Num | K::Time => format!("({} IS NOT NULL)", x.sql),
            _ => "TRUE".into(),
        }
    }

    pub(super) fn eval(&mut self, e: &Expr) -> R<V> {
        let d = self.d;
        Ok(match &e.kind {
            ExprKind::Num(n) => c(K::CNum(*n)),
            ExprKind::Str(s) => c(K::CText(s.clone())),
            ExprKind::Bool(b) => c(K::CBool(*b)),
            ExprKind::Duration(_) => c(K::CNum(f64::NAN)),
            ExprKind::List(_) => c(K::List(items_of(e).unwrap_or_default())),
            ExprKind::Name(parts) => self.name(parts)?,
            ExprKind::Not(x) => {
                let x = self.eval(x)?;
                v(K::Bool, format!("(NOT {})", self.bits(&x)), x.depth)
            }
            ExprKind::Neg(x) => {
                let x = self.eval(x)?;
                v(K::Num, format!("(-{})", self.nums(&x)?), x.depth)
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b)?,
            ExprKind::In { value, list, negated } => {
                let x = self.eval(value)?;
                let l = self.eval(list)?;
                let K::List(items) = &l.k else { return Ok(v(K::Bool, "FALSE".into(), 0)) };
                // A literal reads as itself: `"a" in ["a"]` holds for everyone.
                if let K::CText(s) = &x.k {
                    let hit = items.iter().any(|i| matches!(i, Item::Text(t) if t == s)) != *negated;
                    return Ok(c(K::CBool(hit)));
                }
                let hit = self.member_in(&x, items)?;
                let sql = if *negated { format!("({} AND NOT {hit})", self.present(&x)) } else { hit };
                v(K::Bool, sql, x.depth)
            }
            ExprKind::Between { value, low, high } => {
                let (x, lo, hi) = (self.eval(value)?, self.eval(low)?, self.eval(high)?);
                let (dv, dl, dh) = (day_literal(value), day_literal(low), day_literal(high));
                let ge = self.compare(BinOp::Ge, &x, &lo, [dv, dl])?;
                let le = self.compare(BinOp::Le, &x, &hi, [dv, dh])?;
                v(K::Bool, format!("({} AND {})", ge.sql, le.sql), ge.depth.max(le.depth))
            }
            ExprKind::Call { name, args, .. } => self.call(&name.to_lowercase(), args)?,
            ExprKind::Agg { func, source, arg, window, .. } => self.aggregate(*func, source, arg.as_deref(), *window)?,
            ExprKind::Case { arms, default } => self.case(arms, default.as_deref())?,
            ExprKind::Seq { first, then } => {
                let col = self.sequence(first, then.as_deref())?;
                let _ = d;
                v(K::Bool, col, 0)
            }
        })
    }

    fn name(&mut self, parts: &[(String, crate::rules::Span)]) -> R<V> {
        let d = self.d;
        match resolve(parts, &self.index, self.schema) {
            Some(Resolved::Def(j)) => match &self.defs[j] {
                DefState::Column { col, value, layer } => {
                    let k = match value {
                        ValueType::Bool => K::Bool,
                        ValueType::Text => K::Text,
                        ValueType::Number => K::Num,
                    };
                    Ok(v(k, col.clone(), *layer))
                }
                DefState::NoResult | DefState::Pending => Ok(v(K::Bool, "FALSE".into(), 0)),
                DefState::Skipped(_) => {
                    let name = &self.compiled.program.defs[j].name;
                    unsupported(format!("引用的“{name}”没有导出"), format!("it reads “{name}”, which was not exported"))
                }
            },
            Some(Resolved::Metric(m)) => {
                self.use_metric(m);
                let k = match Ty::from(m.info().ty) {
                    Ty::Num => K::Num,
                    Ty::Time => K::Time,
                    _ => K::Text,
                };
                Ok(v(k, metric_column(m), 0))
            }
            Some(Resolved::Attr(a)) => {
                let source = match &a {
                    AttrRef::Role(r) => r.key().to_string(),
                    AttrRef::Header(h) => {
                        let i = self.schema.headers.iter().position(|x| x == h).unwrap_or(0);
                        self.header_columns.get(i).cloned().unwrap_or_else(|| h.clone())
                    }
                };
                let i = self.use_attr(&source, false, false);
                Ok(v(K::Attr(i), format!("at{i}"), 0))
            }
            Some(Resolved::Model(i)) => {
                let key = &self.schema.models[i].column.key;
                unsupported(
                    format!("它读模型列“{key}”，模型在 SQL 里算不出来（可导出 model:{key} 列再导入数据库）"),
                    format!("it reads the model column “{key}”, which SQL cannot compute (export the column model:{key} and load it)"),
                )
            }
            None => Ok(v(K::Num, d.null_double(), 0)),
        }
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr) -> R<V> {
        let (x, y) = (self.eval(a)?, self.eval(b)?);
        let depth = x.depth.max(y.depth);
        match op {
            BinOp::And | BinOp::Or => {
                let word = if op == BinOp::And { "AND" } else { "OR" };
                Ok(v(K::Bool, format!("({} {word} {})", self.bits(&x), self.bits(&y)), depth))
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                // Sums and differences of decimals are exact to the hundredth (the evaluator's rule).
                let classes = DefClasses::new(self.compiled.program.defs.len());
                let decimals = Decimals { program: &self.compiled.program, index: &self.index, schema: self.schema, classes: &classes };
                let exact = matches!(op, BinOp::Add | BinOp::Sub) && decimals.cents(a) && decimals.cents(b);
                if let (K::CNum(p), K::CNum(q)) = (&x.k, &y.k) {
                    let r = arith(op, *p, *q);
                    return Ok(c(K::CNum(if exact { round_cents(r) } else { r })));
                }
                let (p, q) = (self.nums(&x)?, self.nums(&y)?);
                let sql = match op {
                    BinOp::Add => format!("({p} + {q})"),
                    BinOp::Sub => format!("({p} - {q})"),
                    BinOp::Mul => format!("({p} * {q})"),
                    _ => format!("({p} / NULLIF({q}, 0))"),
                };
                let sql = if exact { self.d.cents(&sql) } else { sql };
                Ok(v(K::Num, sql, depth))
            }
            _ => self.compare(op, &x, &y, [day_literal(a), day_literal(b)]),
        }
    }

    /// A comparison, dispatched on the kinds as the evaluator's `compare` does; `days` are the days of the
    /// operands that are date literals (a time against one compares calendar days).
    pub(super) fn compare(&mut self, op: BinOp, x: &V, y: &V, days: [Option<Day>; 2]) -> R<V> {
        let depth = x.depth.max(y.depth);
        let time = |k: &K| matches!(k, K::Time | K::CTime(_));
        let num = |k: &K| matches!(k, K::Num | K::CNum(_));
        let boolean = |k: &K| matches!(k, K::Bool | K::CBool(_));
        let sql = if time(&x.k) || time(&y.k) {
            let (a, b) = (self.times(x)?, self.times(y)?);
            if days.iter().any(Option::is_some) {
                let side = |t: &str, day: Option<Day>| match day {
                    Some(day) => self.d.date(day),
                    None if t.starts_with("CAST(NULL") => t.to_string(),
                    None => self.d.day_of(t),
                };
                cmp_sql(&side(&a, days[0]), op, &side(&b, days[1]))
            } else {
                cmp_sql(&a, op, &b)
            }
        } else if num(&x.k) || num(&y.k) {
            let operand = |g: &mut Self, z: &V| match z.k {
                K::CNum(n) => Ok(g.d.number_operand(n)),
                _ => g.nums(z),
            };
            let (a, b) = (operand(self, x)?, operand(self, y)?);
            cmp_sql(&a, op, &b)
        } else if boolean(&x.k) || boolean(&y.k) {
            let (a, b) = (self.bits(x), self.bits(y));
            if op == BinOp::Eq {
                format!("({a} = {b})")
            } else {
                format!("({a} <> {b})")
            }
        } else {
            match (&x.k, &y.k) {
                (K::Text | K::Attr(_), K::CText(s)) => cmp_sql(&x.sql, op, &self.d.string(s)),
                (K::CText(s), K::Text | K::Attr(_)) => cmp_sql(&self.d.string(s), op, &y.sql),
                _ => {
                    let (a, b) = (self.text(x)?, self.text(y)?);
                    cmp_sql(&a, op, &b)
                }
            }
        };
        Ok(v(K::Bool, sql, depth))
    }

    /// `x in [...]` without `not` (the evaluator's `member_in`).
    fn member_in(&mut self, x: &V, items: &[Item]) -> R<String> {
        let d = self.d;
        let texts: Vec<String> = items.iter().filter_map(|i| if let Item::Text(s) = i { Some(d.string(s)) } else { None }).collect();
        let numbers: Vec<f64> = items.iter().filter_map(|i| if let Item::Num(n) = i { Some(*n) } else { None }).collect();
        match &x.k {
            K::Text | K::Attr(_) if !texts.is_empty() || numbers.is_empty() => {
                if texts.is_empty() {
                    return Ok("FALSE".into());
                }
                Ok(format!("coalesce({} IN ({}), FALSE)", x.sql, texts.join(", ")))
            }
            _ => {
                let n = self.nums(x)?;
                if numbers.is_empty() || n.starts_with("CAST(NULL") {
                    return Ok("FALSE".into());
                }
                let list: Vec<String> = numbers.iter().filter(|v| !v.is_nan()).map(|v| d.number_operand(*v)).collect();
                if list.is_empty() {
                    return Ok("FALSE".into());
                }
                Ok(format!("coalesce({n} IN ({}), FALSE)", list.join(", ")))
            }
        }
    }

    fn case(&mut self, arms: &[(Expr, Expr)], default: Option<&Expr>) -> R<V> {
        let mut picks: Vec<(Option<String>, V)> = Vec::new();
        let mut depth = 0;
        for (cond, value) in arms {
            let cv = self.eval(cond)?;
            let vv = self.eval(value)?;
            depth = depth.max(cv.depth).max(vv.depth);
            picks.push((Some(self.bits(&cv)), vv));
        }
        if let Some(dflt) = default {
            let vv = self.eval(dflt)?;
            depth = depth.max(vv.depth);
            picks.push((None, vv));
        }
        // As the evaluator: yes/no results first, then times, then numbers, else text.
        if picks.iter().any(|(_, x)| matches!(x.k, K::Bool | K::CBool(_))) {
            let mut parts = Vec::new();
            for (cond, value) in &picks {
                let b = self.bits(value);
                parts.push(match cond {
                    Some(c) => format!("WHEN {c} THEN {b}"),
                    None => format!("ELSE {b}"),
                });
            }
            let else_false = if default.is_some() { "" } else { " ELSE FALSE" };
            return Ok(v(K::Bool, format!("CASE {}{else_false} END", parts.join(" ")), depth));
        }
        let time = picks.iter().any(|(_, x)| matches!(x.k, K::Time | K::CTime(_)));
        let numeric = !time && picks.iter().any(|(_, x)| matches!(x.k, K::Num | K::CNum(_)));
        let mut sql = String::from("CASE");
        for (cond, value) in &picks {
            let out = if time {
                self.times(value)?
            } else if numeric {
                self.nums(value)?
            } else {
                self.text(value)?
            };
            match cond {
                Some(c) => sql.push_str(&format!(" WHEN {c} THEN {out}")),
                None => sql.push_str(&format!(" ELSE {out}")),
            }
        }
        sql.push_str(" END");
        let kind = if time {
            K::Time
        } else if numeric {
            K::Num
        } else {
            K::Text
        };
        if picks.is_empty() {
            sql = self.d.null_text();
        }
        Ok(v(kind, sql, depth))
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> R<V> {
        let d = self.d;
        let arg = |g: &mut Self, i: usize| -> R<V> {
            match args.get(i) {
                Some(a) => g.eval(a),
                None => Ok(c(K::CNum(f64::NAN))),
            }
        };
        let lit_nums = |i: usize| args.get(i).map(Expr::literal_numbers).unwrap_or_default();
        let lit_texts = |i: usize| args.get(i).and_then(Expr::literal_texts);
        match name {
            "days_since" => {
                let x = arg(self, 0)?;
                let t = self.times(&x)?;
                if t.starts_with("CAST(NULL") {
                    return Ok(v(K::Num, d.null_double(), 0));
                }
                Ok(v(K::Num, d.double(&d.days_between(&d.day_of(&t), "hx_as_of")), x.depth))
            }
            "date" => Ok(c(K::CTime(match args.first().map(|a| &a.kind) {
                Some(ExprKind::Str(s)) => parse_timestamp(s),
                _ => None,
            }))),
            "abs" | "round" => {
                let x = arg(self, 0)?;
                let n = self.nums(&x)?;
                let sql = if name == "abs" { format!("abs({n})") } else { d.round(&n) };
                Ok(v(K::Num, sql, x.depth))
            }
            "coalesce" => {
                let (x, y) = (arg(self, 0)?, arg(self, 1)?);
                let sql = format!("coalesce({}, {})", self.nums(&x)?, self.nums(&y)?);
                Ok(v(K::Num, sql, x.depth.max(y.depth)))
            }
            "contains" => {
                let x = arg(self, 0)?;
                let t = self.text(&x)?;
                let needle = match args.get(1).map(|a| &a.kind) {
                    Some(ExprKind::Str(s)) => s.clone(),
                    _ => String::new(),
                };
                let sql =
                    if needle.is_empty() { format!("({t} IS NOT NULL)") } else { format!("coalesce({}, FALSE)", d.contains(&t, &needle)) };
                Ok(v(K::Bool, sql, x.depth))
            }
            "cut" => {
                let x = arg(self, 0)?;
                let n = self.nums(&x)?;
                let edges = lit_nums(1);
                let labels = lit_texts(2).unwrap_or_else(|| crate::rules::eval::band_labels(&edges));
                let label = |i: usize| labels.get(i).map_or_else(|| d.null_text(), |l| d.string(l));
                let mut sql = format!("CASE WHEN {n} IS NULL THEN {}", d.null_text());
                // The band is the number of edges at or below the value.
                for i in (0..edges.len()).rev() {
                    let at_or_above = edges.iter().filter(|&&e| e <= edges[i]).count();
                    sql.push_str(&format!(" WHEN {n} >= {} THEN {}", d.number_operand(edges[i]), label(at_or_above)));
                }
                sql.push_str(&format!(" ELSE {} END", label(0)));
                Ok(v(K::Text, sql, x.depth))
            }
            "quantiles" | "top_percent" => {
                let x = arg(self, 0)?;
                let n = self.nums(&x)?;
                let value = self.helper(n, x.depth + 1);
                let layer = x.depth + 2;
                let rank = |desc: &str| format!("rank() OVER (PARTITION BY ({value} IS NULL) ORDER BY {value}{desc})");
                let count = format!("count({value}) OVER ()");
                if name == "top_percent" {
                    let pct = lit_nums(1).first().copied().unwrap_or(0.0);
                    let sql = format!(
                        "CASE WHEN {value} IS NULL THEN FALSE ELSE {} < {} * {} END",
                        d.double(&format!("{} - 1", rank(" DESC"))),
                        d.number(pct / 100.0),
                        d.double(&count)
                    );
                    let col = self.helper(sql, layer);
                    return Ok(v(K::Bool, col, layer));
                }
                let k = lit_nums(1).first().copied().unwrap_or(4.0).max(1.0) as u64;
                let labels = lit_texts(2).unwrap_or_else(|| (1..=k).map(|i| format!("Q{i}")).collect());
                let code = self.helper(
                    format!("CASE WHEN {value} IS NULL THEN NULL ELSE {} END", d.int_div(&format!("{k} * ({} - 1)", rank("")), &count)),
                    layer,
                );
                let mut sql = format!("CASE {code}");
                for (i, l) in labels.iter().enumerate() {
                    sql.push_str(&format!(" WHEN {i} THEN {}", d.string(l)));
                }
                sql.push_str(&format!(" ELSE {} END", d.null_text()));
                Ok(v(K::Text, sql, layer))
            }
            _ => Ok(c(K::CNum(f64::NAN))),
        }
    }
}

/// The base column of a metric.
pub(super) fn metric_column(m: Metric) -> String {
    format!("m_{}", m.info().key.replace('.', "_"))
}
