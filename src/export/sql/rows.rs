//! Row-level expressions (`where` conditions and aggregate arguments over orders or events), aggregates and
//! sequences to SQL, mirroring `crate::rules::eval::rows`: the rows on or before the analysis date (and in the
//! window) that pass the condition are folded per member, each aggregate in a table expression of its own.

use super::expr::{cmp_sql, items_of, V};
use super::{unsupported, Gen, Item, R};
use crate::base::date::Day;
use crate::base::dict::hash64;
use crate::base::values::parse_timestamp;
use crate::rules::ast::*;
use crate::rules::check::row_column;
use crate::rules::eval::{day_literal, folded_class, round_cents, row_class, Class};
use crate::rules::names::{Column, Table};

/// The kind of a row-level value.
#[derive(Clone, Debug, PartialEq)]
enum RK {
    Num,
    Time,
    /// Text of a dictionary column (category, channel, type, target).
    Codes,
    /// Order numbers (only equality is meaningful).
    Ids,
    Bool,
    CNum(f64),
    CText(String),
    CBool(bool),
    CTime(Option<i64>),
    List(Vec<Item>),
}

#[derive(Clone, Debug)]
struct RV {
    k: RK,
    sql: String,
}

fn rv(k: RK, sql: impl Into<String>) -> RV {
    RV { k, sql: sql.into() }
}

fn rc(k: RK) -> RV {
    RV { k, sql: String::new() }
}

/// The rows CTE of a table (`hx_o` or `hx_e`).
fn rows_of(table: Table) -> &'static str {
    match table {
        Table::Orders => "hx_o",
        Table::Events => "hx_e",
    }
}

/// What an aggregate folds (the evaluator's `Fold`).
#[derive(Clone, Copy, PartialEq)]
enum FoldKind {
    Num,
    Time,
    Codes,
    Ids,
}

impl Gen<'_> {
    fn column(&self, table: Table, c: Column) -> RV {
        match (table, c) {
            (_, Column::Time) => rv(RK::Time, "r.ts"),
            (Table::Orders, Column::Amount) => rv(RK::Num, "r.amt"),
            (Table::Orders, Column::Discount) => rv(RK::Num, "r.disc"),
            (Table::Orders, Column::Category) => rv(RK::Codes, "r.cat"),
            (Table::Orders, Column::Channel) => rv(RK::Codes, "r.chan"),
            (Table::Orders, Column::OrderId) => rv(RK::Ids, "r.oid"),
            (Table::Events, Column::Type) => rv(RK::Codes, "r.etype"),
            (Table::Events, Column::Target) => rv(RK::Codes, "r.target"),
            _ => rv(RK::Num, self.d.null_double()),
        }
    }

    /// A row condition as a SQL boolean that is never NULL (the evaluator's `truth`).
    fn truth(&self, x: &RV) -> String {
        match &x.k {
            RK::Bool => x.sql.clone(),
            RK::CBool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            RK::Num => format!("coalesce({} > 0, FALSE)", x.sql),
            _ => "FALSE".into(),
        }
    }

    /// A row number (the evaluator's `nums`).
    fn row_nums(&self, x: &RV) -> R<String> {
        let d = self.d;
        Ok(match &x.k {
            RK::Num => x.sql.clone(),
            RK::CNum(n) => d.number(*n),
            RK::CBool(b) => d.number(f64::from(u8::from(*b))),
            RK::Bool => format!("CASE WHEN {} THEN {} ELSE {} END", x.sql, d.number(1.0), d.number(0.0)),
            RK::Time => return unsupported("时间不能当作数字导出", "reading a time as a number cannot be exported"),
            _ => d.null_double(),
        })
    }

    fn row_times(&self, x: &RV) -> Option<String> {
        let d = self.d;
        match &x.k {
            RK::Time => Some(x.sql.clone()),
            RK::CTime(t) => Some(t.map_or_else(|| d.null_time(), |t| d.timestamp(t))),
            RK::CText(s) => Some(parse_timestamp(s).map_or_else(|| d.null_time(), |t| d.timestamp(t))),
            _ => None,
        }
    }

    fn row_eval(&mut self, e: &Expr, table: Table) -> R<RV> {
        let d = self.d;
        Ok(match &e.kind {
            ExprKind::Num(n) => rc(RK::CNum(*n)),
            ExprKind::Str(s) => rc(RK::CText(s.clone())),
            ExprKind::Bool(b) => rc(RK::CBool(*b)),
            ExprKind::List(_) => rc(RK::List(items_of(e).unwrap_or_default())),
            ExprKind::Name(parts) => match row_column(parts, table) {
                Some(c) => self.column(table, c),
                None => rv(RK::Num, d.null_double()),
            },
            ExprKind::Not(x) => {
                let x = self.row_eval(x, table)?;
                rv(RK::Bool, format!("(NOT {})", self.truth(&x)))
            }
            ExprKind::Neg(x) => {
                let x = self.row_eval(x, table)?;
                rv(RK::Num, format!("(-{})", self.row_nums(&x)?))
            }
            ExprKind::Binary(op, a, b) => {
                let (x, y) = (self.row_eval(a, table)?, self.row_eval(b, table)?);
                match op {
                    BinOp::And | BinOp::Or => {
                        let word = if *op == BinOp::And { "AND" } else { "OR" };
                        rv(RK::Bool, format!("({} {word} {})", self.truth(&x), self.truth(&y)))
                    }
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                        // Sums and differences of decimals are exact to the fen (the evaluator's rule).
                        let exact = matches!(op, BinOp::Add | BinOp::Sub)
                            && row_class(a, table) >= Class::Cents
                            && row_class(b, table) >= Class::Cents;
                        if let (RK::CNum(p), RK::CNum(q), true) = (&x.k, &y.k, exact) {
                            return Ok(rc(RK::CNum(round_cents(crate::rules::eval::arith(*op, *p, *q)))));
                        }
                        let (p, q) = (self.row_nums(&x)?, self.row_nums(&y)?);
                        let sql = match op {
                            BinOp::Add => format!("({p} + {q})"),
                            BinOp::Sub => format!("({p} - {q})"),
                            BinOp::Mul => format!("({p} * {q})"),
                            _ => format!("({p} / NULLIF({q}, 0))"),
                        };
                        rv(RK::Num, if exact { d.cents(&sql) } else { sql })
                    }
                    _ => rv(RK::Bool, self.row_compare(*op, &x, &y, [day_literal(a), day_literal(b)])?),
                }
            }
            ExprKind::In { value, list, negated } => {
                let x = self.row_eval(value, table)?;
                let RK::List(items) = self.row_eval(list, table)?.k else { return Ok(rv(RK::Bool, "FALSE")) };
                rv(RK::Bool, self.row_in(&x, &items, *negated)?)
            }
            ExprKind::Between { value, low, high } => {
                let (x, lo, hi) = (self.row_eval(value, table)?, self.row_eval(low, table)?, self.row_eval(high, table)?);
                let (dv, dl, dh) = (day_literal(value), day_literal(low), day_literal(high));
                let ge = self.row_compare(BinOp::Ge, &x, &lo, [dv, dl])?;
                rv(RK::Bool, format!("({ge} AND {})", self.row_compare(BinOp::Le, &x, &hi, [dv, dh])?))
            }
            ExprKind::Call { name, args, .. } => {
                let lower = name.to_lowercase();
                let arg = |g: &mut Self, i: usize| match args.get(i) {
                    Some(a) => g.row_eval(a, table),
                    None => Ok(rc(RK::CNum(f64::NAN))),
                };
                match lower.as_str() {
                    "days_since" => {
                        let x = arg(self, 0)?;
                        match x.k {
                            RK::Time | RK::CTime(Some(_)) => {
                                let t = self.row_times(&x).unwrap_or_default();
                                rv(RK::Num, d.double(&d.days_between(&d.day_of(&t), "p.as_of")))
                            }
                            _ => rv(RK::Num, d.null_double()),
                        }
                    }
                    "date" => rc(RK::CTime(match args.first().map(|a| &a.kind) {
                        Some(ExprKind::Str(s)) => parse_timestamp(s),
                        _ => None,
                    })),
                    "abs" | "round" => {
                        let x = arg(self, 0)?;
                        let n = self.row_nums(&x)?;
                        rv(RK::Num, if lower == "abs" { format!("abs({n})") } else { d.round(&n) })
                    }
                    "coalesce" => {
                        let (x, y) = (arg(self, 0)?, arg(self, 1)?);
                        rv(RK::Num, format!("coalesce({}, {})", self.row_nums(&x)?, self.row_nums(&y)?))
                    }
                    "contains" => {
                        let x = arg(self, 0)?;
                        let needle = match args.get(1).map(|a| &a.kind) {
                            Some(ExprKind::Str(s)) => s.clone(),
                            _ => String::new(),
                        };
                        match x.k {
                            RK::Codes if needle.is_empty() => rv(RK::Bool, format!("({} IS NOT NULL)", x.sql)),
                            RK::Codes => rv(RK::Bool, format!("coalesce({}, FALSE)", d.contains(&x.sql, &needle))),
                            RK::CText(s) => rc(RK::CBool(s.contains(needle.as_str()))),
                            _ => rv(RK::Bool, "FALSE"),
                        }
                    }
                    _ => rv(RK::Num, d.null_double()),
                }
            }
            ExprKind::Case { arms, default } => self.row_case(arms, default.as_deref(), table)?,
            // An aggregate, a sequence or a duration reads as a missing number in a row (as the evaluator).
            _ => rv(RK::Num, d.null_double()),
        })
    }

    /// `case` over rows: yes/no when any result is, else numbers (the checker refuses text here).
    fn row_case(&mut self, arms: &[(Expr, Expr)], default: Option<&Expr>, table: Table) -> R<RV> {
        let mut picks: Vec<(Option<String>, RV)> = Vec::new();
        for (cond, value) in arms {
            let c = self.row_eval(cond, table)?;
            picks.push((Some(self.truth(&c)), self.row_eval(value, table)?));
        }
        if let Some(dflt) = default {
            picks.push((None, self.row_eval(dflt, table)?));
        }
        let boolean = picks.iter().any(|(_, x)| matches!(x.k, RK::Bool | RK::CBool(_)));
        let mut sql = String::from("CASE");
        for (cond, value) in &picks {
            let out = if boolean { self.truth(value) } else { self.row_nums(value)? };
            match cond {
                Some(c) => sql.push_str(&format!(" WHEN {c} THEN {out}")),
                None => sql.push_str(&format!(" ELSE {out}")),
            }
        }
        if boolean && default.is_none() {
            sql.push_str(" ELSE FALSE");
        }
        sql.push_str(" END");
        if picks.is_empty() {
            return Ok(rv(RK::Num, self.d.null_double()));
        }
        Ok(rv(if boolean { RK::Bool } else { RK::Num }, sql))
    }

    fn row_compare(&mut self, op: BinOp, x: &RV, y: &RV, days: [Option<Day>; 2]) -> R<String> {
        let d = self.d;
        let time = |k: &RK| matches!(k, RK::Time | RK::CTime(_));
        if time(&x.k) || time(&y.k) {
            let a = self.row_times(x).unwrap_or_else(|| d.null_time());
            let b = self.row_times(y).unwrap_or_else(|| d.null_time());
            if days.iter().any(Option::is_some) {
                let side = |t: &str, day: Option<Day>| match day {
                    Some(day) => d.date(day),
                    None if t.starts_with("CAST(NULL") => t.to_string(),
                    None => d.day_of(t),
                };
                return Ok(cmp_sql(&side(&a, days[0]), op, &side(&b, days[1])));
            }
            return Ok(cmp_sql(&a, op, &b));
        }
        let ord = |o: std::cmp::Ordering| match op {
            BinOp::Eq => o.is_eq(),
            BinOp::Ne => o.is_ne(),
            BinOp::Lt => o.is_lt(),
            BinOp::Le => o.is_le(),
            BinOp::Gt => o.is_gt(),
            _ => o.is_ge(),
        };
        Ok(match (&x.k, &y.k) {
            // Literals read as themselves.
            (RK::CText(p), RK::CText(q)) => if ord(p.cmp(q)) { "TRUE" } else { "FALSE" }.into(),
            (RK::CBool(p), RK::CBool(q)) => if (p == q) == (op == BinOp::Eq) { "TRUE" } else { "FALSE" }.into(),
            (RK::Codes, RK::CText(s)) => cmp_sql(&x.sql, op, &d.string(s)),
            (RK::CText(s), RK::Codes) => cmp_sql(&d.string(s), op, &y.sql),
            // The table holds order numbers as the hex of the engine's hash of the trimmed number.
            (RK::Ids, RK::CText(s)) | (RK::CText(s), RK::Ids) => {
                let id = if x.k == RK::Ids { x } else { y };
                cmp_sql(&id.sql, op, &d.string(&format!("{:016x}", hash64(s.trim()))))
            }
            (RK::Codes, RK::Codes) => cmp_sql(&x.sql, op, &y.sql),
            (RK::Bool, _) | (_, RK::Bool) => {
                let (bool_side, other) = if x.k == RK::Bool { (x, y) } else { (y, x) };
                let (a, b) = (bool_side.sql.clone(), self.truth(other));
                if op == BinOp::Eq {
                    format!("({a} = {b})")
                } else {
                    format!("({a} <> {b})")
                }
            }
            _ => {
                let operand = |g: &Self, z: &RV| match z.k {
                    RK::CNum(n) => Ok(g.d.number_operand(n)),
                    _ => g.row_nums(z),
                };
                cmp_sql(&operand(self, x)?, op, &operand(self, y)?)
            }
        })
    }

    fn row_in(&mut self, x: &RV, items: &[Item], negated: bool) -> R<String> {
        let d = self.d;
        let not = if negated { "NOT " } else { "" };
        if let RK::CText(s) = &x.k {
            let hit = items.iter().any(|i| matches!(i, Item::Text(t) if t == s)) != negated;
            return Ok(if hit { "TRUE" } else { "FALSE" }.into());
        }
        if x.k == RK::Ids {
            let ids: Vec<String> = items
                .iter()
                .filter_map(|i| if let Item::Text(s) = i { Some(d.string(&format!("{:016x}", hash64(s.trim())))) } else { None })
                .collect();
            if ids.is_empty() {
                return Ok(if negated { format!("({} IS NOT NULL)", x.sql) } else { "FALSE".into() });
            }
            return Ok(format!("({} IS NOT NULL AND {not}{} IN ({}))", x.sql, x.sql, ids.join(", ")));
        }
        if x.k == RK::Codes {
            let texts: Vec<String> = items.iter().filter_map(|i| if let Item::Text(s) = i { Some(d.string(s)) } else { None }).collect();
            if texts.is_empty() {
                return Ok(if negated { format!("({} IS NOT NULL)", x.sql) } else { "FALSE".into() });
            }
            return Ok(format!("({} IS NOT NULL AND {not}{} IN ({}))", x.sql, x.sql, texts.join(", ")));
        }
        let n = self.row_nums(x)?;
        if n.starts_with("CAST(NULL") {
            return Ok("FALSE".into());
        }
        let numbers: Vec<String> =
            items.iter().filter_map(|i| if let Item::Num(v) = i { Some(d.number_operand(*v)) } else { None }).collect();
        if numbers.is_empty() {
            return Ok(if negated { format!("({n} IS NOT NULL)") } else { "FALSE".into() });
        }
        Ok(format!("({n} IS NOT NULL AND {not}{n} IN ({}))", numbers.join(", ")))
    }

    /// The rows of a source that count: on or before the analysis date (the rows CTE holds only those), in the
    /// window and passing the condition.
    fn mask(&mut self, table: Table, filter: Option<&Expr>, window: Option<Window>) -> R<String> {
        let mut parts = Vec::new();
        if let Some(w) = window {
            let days = (w.seconds / 86_400.0).round() as i64;
            parts.push(format!("r.day >= {}", self.d.add_days("p.as_of", &format!("{}", -days))));
        }
        if let Some(f) = filter {
            let x = self.row_eval(f, table)?;
            parts.push(self.truth(&x));
        }
        Ok(if parts.is_empty() { "TRUE".into() } else { parts.join(" AND ") })
    }

    /// An aggregate: a joined table expression and the member-level value that reads it.
    pub(super) fn aggregate(&mut self, func: AggFn, source: &Source, arg: Option<&Expr>, window: Option<Window>) -> R<V> {
        use super::expr::K;
        let d = self.d;
        let Some(table) = Table::parse(&source.table) else { return Ok(V { k: K::Num, sql: d.null_double(), depth: 0 }) };
        let rows = rows_of(table);
        let mask = self.mask(table, source.filter.as_deref(), window)?;
        let column = source.column.as_ref().and_then(|(c, _)| table.column(c)).map(|c| c.column);
        let value = match (column, arg) {
            (Some(c), _) => Some(self.column(table, c)),
            (None, Some(e)) => Some(self.row_eval(e, table)?),
            (None, None) => None,
        };
        // What is folded, and its SQL.
        let fold = match &value {
            None => None,
            Some(x) => Some(match x.k {
                RK::Time => (FoldKind::Time, x.sql.clone()),
                RK::Codes => (FoldKind::Codes, x.sql.clone()),
                RK::Ids => (FoldKind::Ids, x.sql.clone()),
                _ => (FoldKind::Num, self.row_nums(x)?),
            }),
        };
        let plain = |e: &Expr| match &e.kind {
            ExprKind::Name(parts) => row_column(parts, table),
            _ => None,
        };
        let named = column.or_else(|| arg.and_then(plain));
        let is_time = named == Some(Column::Time);
        let is_text = matches!(named, Some(Column::Category | Column::Channel | Column::Type | Column::Target));
        let present = fold.as_ref().map_or("TRUE".to_string(), |(_, s)| format!("{s} IS NOT NULL"));
        let from = format!("{rows} r CROSS JOIN hx_p p");
        let grouped =
            |agg: String| format!("  SELECT r.member_id AS member_id, {agg} AS v\n  FROM {from}\n  WHERE {mask}\n  GROUP BY r.member_id");
        let num_fold = fold.as_ref().filter(|(k, _)| *k == FoldKind::Num).map(|(_, s)| s.clone());
        let key = format!("{}|{}|{:?}|{:?}", func.name(), source, arg.map(ToString::to_string), window.map(|w| w.seconds));
        let null_of = |k: &K| match k {
            K::Time => d.null_time(),
            K::Text => d.null_text(),
            _ => d.null_double(),
        };
        // The member-level value: the joined column (missing when no row counts), zero when missing, or a constant.
        enum Out {
            Plain(String),
            ZeroIfMissing(String),
            Const(String),
        }
        let (kind, out) = match func {
            AggFn::Count => {
                let agg = if fold.is_some() { format!("count(CASE WHEN {present} THEN 1 END)") } else { "count(*)".into() };
                (K::Num, Out::ZeroIfMissing(grouped(d.double(&agg))))
            }
            AggFn::Share => {
                let hit = num_fold.as_ref().map_or("FALSE".to_string(), |s| format!("{s} > 0"));
                let agg = format!("{} / {}", d.double(&format!("sum(CASE WHEN {hit} THEN 1 ELSE 0 END)")), d.double("count(*)"));
                (K::Num, Out::Plain(grouped(agg)))
            }
            AggFn::Sum | AggFn::Avg if folded_class(source, arg) >= Class::Cents => match &num_fold {
                // Decimals are summed in whole fen; the mean of money is rounded half to even to the fen.
                Some(s) => {
                    let fen = format!("sum({})", d.fen(s));
                    let count = format!("count({s})");
                    let agg = match (func, folded_class(source, arg)) {
                        (AggFn::Sum, _) => format!("{} / 100", d.double(&fen)),
                        (_, Class::Money) => format!("{} / 100", d.half_even_div(&fen, &format!("NULLIF({count}, 0)"))),
                        _ => format!("{} / 100 / {}", d.double(&fen), d.double(&format!("NULLIF({count}, 0)"))),
                    };
                    (K::Num, if func == AggFn::Sum { Out::ZeroIfMissing(grouped(agg)) } else { Out::Plain(grouped(agg)) })
                }
                None => (K::Num, Out::Const(if func == AggFn::Sum { d.number(0.0) } else { d.null_double() })),
            },
            AggFn::Sum | AggFn::Avg => match &num_fold {
                Some(s) => {
                    let sum = d.ordered_sum(s, "r.row_no");
                    let agg = if func == AggFn::Sum { sum } else { format!("{sum} / {}", d.double(&format!("NULLIF(count({s}), 0)"))) };
                    (K::Num, if func == AggFn::Sum { Out::ZeroIfMissing(grouped(agg)) } else { Out::Plain(grouped(agg)) })
                }
                None => (K::Num, Out::Const(if func == AggFn::Sum { d.number(0.0) } else { d.null_double() })),
            },
            AggFn::Min | AggFn::Max | AggFn::First | AggFn::Last => {
                let kind = if is_time {
                    K::Time
                } else if is_text {
                    K::Text
                } else {
                    K::Num
                };
                let wanted = match kind {
                    K::Time => FoldKind::Time,
                    K::Text => FoldKind::Codes,
                    _ => FoldKind::Num,
                };
                let usable = fold.as_ref().filter(|(k, _)| *k == wanted && !(kind == K::Text && matches!(func, AggFn::Min | AggFn::Max)));
                match usable {
                    None => {
                        let c = null_of(&kind);
                        (kind, Out::Const(c))
                    }
                    Some((_, s)) if matches!(func, AggFn::Min | AggFn::Max) => (kind, Out::Plain(grouped(format!("{}({s})", func.name())))),
                    Some((_, s)) => {
                        let dir = if func == AggFn::First { "ASC" } else { "DESC" };
                        let cte = format!(
                            "  SELECT member_id, v FROM (\n    SELECT r.member_id AS member_id, {s} AS v, row_number() OVER (PARTITION BY r.member_id ORDER BY r.ts {dir}, r.row_no {dir}) AS k\n    FROM {from}\n    WHERE {mask} AND {present}\n  ) x WHERE k = 1"
                        );
                        (kind, Out::Plain(cte))
                    }
                }
            }
            AggFn::Distinct => match &fold {
                Some((_, s)) => (K::Num, Out::ZeroIfMissing(grouped(d.double(&format!("count(DISTINCT {s})"))))),
                None => (K::Num, Out::Const(d.number(0.0))),
            },
            AggFn::Top => match &fold {
                Some((FoldKind::Codes, s)) => {
                    let cte = format!(
                        "  SELECT member_id, v FROM (\n    SELECT member_id, v, row_number() OVER (PARTITION BY member_id ORDER BY n DESC, v ASC) AS k FROM (\n      SELECT r.member_id AS member_id, {s} AS v, count(*) AS n\n      FROM {from}\n      WHERE {mask} AND {present}\n      GROUP BY r.member_id, {s}\n    ) c\n  ) x WHERE k = 1"
                    );
                    (K::Text, Out::Plain(cte))
                }
                _ => return unsupported("top(…) 只能用于文字列", "top(…) can only be exported over a text column"),
            },
        };
        let sql = match out {
            Out::Plain(cte) => self.join(key, |_, column| (cte, format!("{column}.v"))),
            Out::ZeroIfMissing(cte) => format!("coalesce({}, 0)", self.join(key, |_, column| (cte, format!("{column}.v")))),
            Out::Const(c) => c,
        };
        Ok(V { k: kind, sql, depth: 0 })
    }

    /// `did(A) [then [not] did(B) within W]`: a joined table of the members it holds for; returns the base column.
    pub(super) fn sequence(&mut self, first: &Did, then: Option<&Then>) -> R<String> {
        let step = |g: &mut Self, did: &Did, k: u8| -> R<Option<String>> {
            let Some(table) = Table::parse(&did.source.table) else { return Ok(None) };
            let mask = g.mask(table, did.source.filter.as_deref(), did.window)?;
            Ok(Some(format!("SELECT r.member_id AS member_id, r.ts, {k} AS k FROM {} r CROSS JOIN hx_p p WHERE {mask}", rows_of(table))))
        };
        let key = match then {
            None => format!("did|{first}"),
            Some(t) => format!("did|{first}|{}|{}|{}", t.negated, t.did, t.within),
        };
        let d = self.d;
        // When both steps read one table, B must be a later row (strictly after A's time): B rows sort before A rows
        // of the same time, so the frame from an A row onward leaves them out.
        let same_table = then.is_some_and(|t| Table::parse(&first.source.table) == Table::parse(&t.did.source.table));
        let (a_k, b_k) = if same_table { (1, 0) } else { (0, 1) };
        let a = step(self, first, a_k)?;
        let cte = match (a, then) {
            (None, _) => None,
            (Some(a), None) => Some(format!("  SELECT DISTINCT member_id FROM ({a}) s")),
            (Some(a), Some(t)) => {
                let within = format!("{}", t.within.round() as i64);
                let end = d.add_seconds("w.ts", &within);
                let cond = match step(self, &t.did, b_k)? {
                    None if t.negated => format!("{end} <= p.lim"),
                    None => "FALSE".to_string(),
                    Some(b) => {
                        let followed = format!("(w.nb IS NOT NULL AND w.nb <= {end})");
                        let union = format!("{a}\n      UNION ALL\n      {b}");
                        let cond = if t.negated { format!("NOT {followed} AND {end} <= p.lim") } else { followed };
                        return Ok(self.join_sequence(key, union, cond, a_k));
                    }
                };
                Some(format!("  SELECT DISTINCT w.member_id AS member_id FROM ({a}) w CROSS JOIN hx_p p WHERE {cond}"))
            }
        };
        Ok(match cte {
            Some(cte) => self.join(key, |_, column| (cte, format!("({column}.member_id IS NOT NULL)"))),
            None => "FALSE".into(),
        })
    }

    fn join_sequence(&mut self, key: String, union: String, cond: String, a_k: u8) -> String {
        let b_k = 1 - a_k;
        let cte = format!(
            "  SELECT DISTINCT w.member_id AS member_id FROM (\n    SELECT member_id, ts, k, min(CASE WHEN k = {b_k} THEN ts END) OVER (PARTITION BY member_id ORDER BY ts, k ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS nb\n    FROM (\n      {union}\n    ) u\n  ) w CROSS JOIN hx_p p\n  WHERE w.k = {a_k} AND {cond}"
        );
        self.join(key, |_, column| (cte, format!("({column}.member_id IS NOT NULL)")))
    }
}
