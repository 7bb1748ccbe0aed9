//! Evaluation: checked definitions to member sets. Every expression becomes a whole column over dense member
//! indices (a roaring bitmap for yes/no, a vector for numbers and times, codes into a value list for text), so a
//! rule costs a few passes over columns, never a loop that interprets the tree per member.
//!
//! Missing values follow SQL: a comparison with a missing value is false (for `!=` too), arithmetic with one is
//! missing, and `not` is the complement of the set, so `not (recency > 30)` holds for members without purchases.

mod rows;

use super::ast::*;
use super::check::{self, resolve, AttrRef, Resolved, Schema};
use super::names::{Column, Table};
use crate::base::date::Day;
use crate::base::dict::NONE;
use crate::base::values::parse_timestamp;
use crate::metrics::names::Metric;
use crate::metrics::{Frame, TextColumn, NO_TIME};
use roaring::RoaringBitmap;
use std::collections::HashMap;
use std::rc::Rc;

/// What a definition evaluates to.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A yes/no tag or an audience: the members it holds for.
    Bool(RoaringBitmap),
    /// An enumerated tag: each member's value.
    Text(Rc<TextColumn>),
    /// A metric: each member's number (`NaN` = missing).
    Num(Rc<Vec<f64>>),
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    Num(f64),
    Text(String),
    Bool(bool),
    Time(i64),
}

/// A value over all members.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    Bool(RoaringBitmap),
    Num(Rc<Vec<f64>>),
    Time(Rc<Vec<i64>>),
    Text(Rc<TextColumn>),
    /// A member-file column: text that may be read as a number or a date.
    Attr(Rc<TextColumn>),
    Const(Lit),
    List(Vec<Lit>),
}

/// Evaluates definitions of one program over one frame.
pub struct Evaluator<'a> {
    frame: &'a Frame<'a>,
    program: &'a Program,
    index: HashMap<String, usize>,
    schema: &'a Schema,
    n: u32,
    /// Each definition's decimal class once known ([`Decimals`]).
    classes: DefClasses,
}

/// The set of every member `0..n`.
pub fn full(n: u32) -> RoaringBitmap {
    let mut b = RoaringBitmap::new();
    b.insert_range(0..n);
    b
}

fn bits_where(n: usize, f: impl Fn(usize) -> bool) -> RoaringBitmap {
    RoaringBitmap::from_sorted_iter((0..n).filter(|&p| f(p)).map(|p| p as u32)).unwrap_or_default()
}

impl<'a> Evaluator<'a> {
    /// An evaluator for `program` (already checked without errors for the definitions it will evaluate).
    pub fn new(frame: &'a Frame<'a>, program: &'a Program, schema: &'a Schema) -> Evaluator<'a> {
        let mut index = HashMap::new();
        for (i, d) in program.defs.iter().enumerate() {
            index.entry(d.name.clone()).or_insert(i);
        }
        let classes = DefClasses::new(program.defs.len());
        Evaluator { frame, program, index, schema, n: frame.len() as u32, classes }
    }

    /// Evaluates definition `i`, reading earlier results from `results` (indexed like the program's definitions).
    pub fn evaluate(&self, i: usize, results: &[Option<Outcome>]) -> Option<Outcome> {
        let def = &self.program.defs[i];
        let expr = def.expr.as_ref()?;
        Some(match self.eval(expr, results) {
            Val::Bool(b) => Outcome::Bool(b),
            Val::Const(Lit::Bool(b)) => Outcome::Bool(if b { full(self.n) } else { RoaringBitmap::new() }),
            Val::Text(t) | Val::Attr(t) => match def.kind {
                DefKind::Metric => Outcome::Num(Rc::new(self.nums(Val::Attr(t)))),
                _ => Outcome::Text(t),
            },
            Val::Const(Lit::Text(s)) => Outcome::Text(Rc::new(TextColumn { codes: vec![0; self.n as usize], values: vec![s] })),
            v @ (Val::Num(_) | Val::Const(Lit::Num(_))) => Outcome::Num(Rc::new(self.nums(v))),
            _ => return None,
        })
    }

    /// The classifier of decimal expressions over this program.
    pub(crate) fn decimals(&self) -> Decimals<'_> {
        Decimals { program: self.program, index: &self.index, schema: self.schema, classes: &self.classes }
    }

    fn bits(&self, v: Val) -> RoaringBitmap {
        match v {
            Val::Bool(b) => b,
            Val::Const(Lit::Bool(true)) => full(self.n),
            _ => RoaringBitmap::new(),
        }
    }

    /// A number per member (text parsed as a number; missing as `NaN`).
    fn nums(&self, v: Val) -> Vec<f64> {
        let n = self.n as usize;
        match v {
            Val::Num(v) => Rc::try_unwrap(v).unwrap_or_else(|rc| (*rc).clone()),
            Val::Const(Lit::Num(c)) => vec![c; n],
            Val::Attr(t) | Val::Text(t) => {
                let parsed: Vec<f64> = t.values.iter().map(|s| parse_number(s)).collect();
                t.codes.iter().map(|&c| if c == NONE { f64::NAN } else { parsed[c as usize] }).collect()
            }
            Val::Bool(b) => {
                let mut out = vec![0.0; n];
                for p in b {
                    out[p as usize] = 1.0;
                }
                out
            }
            Val::Const(Lit::Bool(b)) => vec![f64::from(u8::from(b)); n],
            _ => vec![f64::NAN; n],
        }
    }

    /// Numbers per member without copying a column or spreading a constant.
    fn num_source(&self, v: Val) -> Nums {
        match v {
            Val::Num(col) => Nums::Column(col),
            Val::Const(Lit::Num(c)) => Nums::Constant(c),
            other => Nums::Column(Rc::new(self.nums(other))),
        }
    }

    /// A time per member (text parsed as a date; missing as [`NO_TIME`]).
    fn times(&self, v: Val) -> Vec<i64> {
        let n = self.n as usize;
        match v {
            Val::Time(v) => Rc::try_unwrap(v).unwrap_or_else(|rc| (*rc).clone()),
            Val::Const(Lit::Time(t)) => vec![t; n],
            Val::Const(Lit::Text(s)) => vec![parse_timestamp(&s).unwrap_or(NO_TIME); n],
            Val::Attr(t) | Val::Text(t) => {
                let parsed: Vec<i64> = t.values.iter().map(|s| parse_timestamp(s).unwrap_or(NO_TIME)).collect();
                t.codes.iter().map(|&c| if c == NONE { NO_TIME } else { parsed[c as usize] }).collect()
            }
            _ => vec![NO_TIME; n],
        }
    }

    fn text(&self, v: Val) -> Rc<TextColumn> {
        match v {
            Val::Text(t) | Val::Attr(t) => t,
            Val::Const(Lit::Text(s)) => Rc::new(TextColumn { codes: vec![0; self.n as usize], values: vec![s] }),
            Val::Num(v) => {
                let mut values: Vec<String> = Vec::new();
                let mut index: HashMap<String, u32> = HashMap::new();
                let codes = v
                    .iter()
                    .map(|x| {
                        if x.is_nan() {
                            return NONE;
                        }
                        let s = format!("{x}");
                        *index.entry(s.clone()).or_insert_with(|| {
                            values.push(s);
                            values.len() as u32 - 1
                        })
                    })
                    .collect();
                Rc::new(TextColumn { codes, values })
            }
            _ => Rc::new(TextColumn { codes: vec![NONE; self.n as usize], values: Vec::new() }),
        }
    }

    pub(crate) fn eval(&self, e: &Expr, results: &[Option<Outcome>]) -> Val {
        match &e.kind {
            ExprKind::Num(n) => Val::Const(Lit::Num(*n)),
            ExprKind::Str(s) => Val::Const(Lit::Text(s.clone())),
            ExprKind::Bool(b) => Val::Const(Lit::Bool(*b)),
            ExprKind::Duration(_) => Val::Const(Lit::Num(f64::NAN)),
            ExprKind::List(items) => Val::List(literals(items)),
            ExprKind::Name(parts) => self.name(parts, results),
            ExprKind::Not(x) => {
                let b = self.bits(self.eval(x, results));
                Val::Bool(full(self.n) - b)
            }
            ExprKind::Neg(x) => Val::Num(Rc::new(self.nums(self.eval(x, results)).into_iter().map(|v| -v).collect())),
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, results),
            ExprKind::In { value, list, negated } => {
                let v = match self.eval(value, results) {
                    // A literal reads as itself: `"a" in ["a"]` holds for everyone.
                    c @ Val::Const(Lit::Text(_)) => Val::Text(self.text(c)),
                    v => v,
                };
                let Val::List(items) = self.eval(list, results) else { return Val::Bool(RoaringBitmap::new()) };
                let b = self.member_in(v, &items);
                Val::Bool(if *negated { self.present(value, results) - b } else { b })
            }
            ExprKind::Between { value, low, high } => {
                let (dv, dl, dh) = (day_literal(value), day_literal(low), day_literal(high));
                let ge = self.compare(BinOp::Ge, self.eval(value, results), self.eval(low, results), [dv, dl]);
                let le = self.compare(BinOp::Le, self.eval(value, results), self.eval(high, results), [dv, dh]);
                Val::Bool(ge & le)
            }
            ExprKind::Call { name, args, .. } => self.call(&name.to_lowercase(), args, results),
            ExprKind::Agg { func, source, arg, window, .. } => rows::aggregate(self.frame, *func, source, arg.as_deref(), *window),
            ExprKind::Case { arms, default } => self.case(arms, default.as_deref(), results),
            ExprKind::Seq { first, then } => Val::Bool(rows::sequence(self.frame, first, then.as_deref())),
        }
    }

    /// Members for whom `value` is not missing (so `x not in [...]` is false where x is missing, as in SQL).
    fn present(&self, value: &Expr, results: &[Option<Outcome>]) -> RoaringBitmap {
        match self.eval(value, results) {
            Val::Text(t) | Val::Attr(t) => bits_where(t.codes.len(), |p| t.codes[p] != NONE),
            Val::Num(v) => bits_where(v.len(), |p| !v[p].is_nan()),
            Val::Time(v) => bits_where(v.len(), |p| v[p] != NO_TIME),
            _ => full(self.n),
        }
    }

    fn name(&self, parts: &[(String, crate::rules::Span)], results: &[Option<Outcome>]) -> Val {
        let n = self.n as usize;
        match resolve(parts, &self.index, self.schema) {
            Some(Resolved::Def(j)) => match results.get(j).cloned().flatten() {
                Some(Outcome::Bool(b)) => Val::Bool(b),
                Some(Outcome::Text(t)) => Val::Text(t),
                Some(Outcome::Num(v)) => Val::Num(v),
                None => Val::Bool(RoaringBitmap::new()),
            },
            Some(Resolved::Metric(m)) => match super::check::Ty::from(m.info().ty) {
                super::check::Ty::Num => Val::Num(self.frame.num(m)),
                super::check::Ty::Time => Val::Time(self.frame.time(m)),
                _ => Val::Text(self.frame.text(m)),
            },
            Some(Resolved::Attr(a)) => {
                let members = &self.frame.data.members;
                let attr = match &a {
                    AttrRef::Role(r) => members.attr(*r),
                    AttrRef::Header(h) => members.attrs.iter().find(|x| &x.header == h),
                };
                Val::Attr(Rc::new(self.frame.attribute(attr)))
            }
            Some(Resolved::Model(i)) => match &self.schema.models[i].column.values {
                crate::models::ModelValues::Num(v) if v.len() == n => Val::Num(v.clone()),
                crate::models::ModelValues::Text(t) if t.codes.len() == n => Val::Text(t.clone()),
                // A column of another computation (the workspace drops them on a new one): nothing holds.
                _ => Val::Num(Rc::new(vec![f64::NAN; n])),
            },
            None => Val::Num(Rc::new(vec![f64::NAN; n])),
        }
    }

    fn binary(&self, op: BinOp, a: &Expr, b: &Expr, results: &[Option<Outcome>]) -> Val {
        match op {
            BinOp::And => {
                let x = self.bits(self.eval(a, results));
                if x.is_empty() {
                    return Val::Bool(x);
                }
                Val::Bool(x & self.bits(self.eval(b, results)))
            }
            BinOp::Or => Val::Bool(self.bits(self.eval(a, results)) | self.bits(self.eval(b, results))),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let (x, y) = (self.eval(a, results), self.eval(b, results));
                // Sums and differences of decimals (money, numbers written with at most two decimals) are exact
                // to the hundredth.
                let exact = matches!(op, BinOp::Add | BinOp::Sub) && self.decimals().cents(a) && self.decimals().cents(b);
                let f = |p: f64, q: f64| if exact { round_cents(arith(op, p, q)) } else { arith(op, p, q) };
                if let (Val::Const(Lit::Num(p)), Val::Const(Lit::Num(q))) = (&x, &y) {
                    return Val::Const(Lit::Num(f(*p, *q)));
                }
                let (x, y) = (self.nums(x), self.nums(y));
                Val::Num(Rc::new(x.iter().zip(&y).map(|(&p, &q)| f(p, q)).collect()))
            }
            _ => Val::Bool(self.compare(op, self.eval(a, results), self.eval(b, results), [day_literal(a), day_literal(b)])),
        }
    }

    /// `x op y` per member. `days` are the calendar days of the operands that are date literals (`"2025-01-01"`,
    /// `date("2025-01-01")`): a time compared with a date literal is compared by its day.
    pub(crate) fn compare(&self, op: BinOp, x: Val, y: Val, days: [Option<Day>; 2]) -> RoaringBitmap {
        let n = self.n as usize;
        let is = |v: &Val, f: fn(&Val) -> bool| f(v);
        let time = |v: &Val| matches!(v, Val::Time(_) | Val::Const(Lit::Time(_)));
        let num = |v: &Val| matches!(v, Val::Num(_) | Val::Const(Lit::Num(_)));
        let boolean = |v: &Val| matches!(v, Val::Bool(_) | Val::Const(Lit::Bool(_)));
        if is(&x, time) || is(&y, time) {
            let (mut a, mut b) = (self.times(x), self.times(y));
            if days.iter().any(Option::is_some) {
                for (side, day) in [(&mut a, days[0]), (&mut b, days[1])] {
                    match day {
                        Some(d) => side.iter_mut().for_each(|t| *t = i64::from(d.0)),
                        None => side.iter_mut().filter(|t| **t != NO_TIME).for_each(|t| *t = t.div_euclid(86_400)),
                    }
                }
            }
            return bits_where(n, |p| a[p] != NO_TIME && b[p] != NO_TIME && ord(op, a[p].cmp(&b[p])));
        }
        if is(&x, num) || is(&y, num) {
            // A column is read in place and a constant is not spread into a column: comparing a cached metric with
            // a number copies nothing (at a million members that is 16 MB less per comparison).
            let (a, b) = (self.num_source(x), self.num_source(y));
            return bits_where(n, |p| a.at(p).partial_cmp(&b.at(p)).is_some_and(|o| ord(op, o)));
        }
        if is(&x, boolean) || is(&y, boolean) {
            let (a, b) = (self.bits(x), self.bits(y));
            let same = full(self.n) - (&a ^ &b);
            return if op == BinOp::Eq { same } else { full(self.n) - same };
        }
        // Text against text: equality through codes when one side is a literal.
        match (x, y) {
            (Val::Text(t) | Val::Attr(t), Val::Const(Lit::Text(s))) => text_vs_literal(&t, op, &s, false),
            (Val::Const(Lit::Text(s)), Val::Text(t) | Val::Attr(t)) => text_vs_literal(&t, op, &s, true),
            (x, y) => {
                let (a, b) = (self.text(x), self.text(y));
                bits_where(n, |p| {
                    let (ca, cb) = (a.codes[p], b.codes[p]);
                    ca != NONE && cb != NONE && ord(op, a.values[ca as usize].as_str().cmp(b.values[cb as usize].as_str()))
                })
            }
        }
    }

    fn member_in(&self, v: Val, items: &[Lit]) -> RoaringBitmap {
        let n = self.n as usize;
        let texts: Vec<&str> = items.iter().filter_map(|l| if let Lit::Text(s) = l { Some(s.as_str()) } else { None }).collect();
        let numbers: Vec<f64> = items.iter().filter_map(|l| if let Lit::Num(x) = l { Some(*x) } else { None }).collect();
        match v {
            Val::Text(t) | Val::Attr(t) if !texts.is_empty() || numbers.is_empty() => {
                let hit: Vec<bool> = t.values.iter().map(|s| texts.contains(&s.as_str())).collect();
                bits_where(n, |p| t.codes[p] != NONE && hit[t.codes[p] as usize])
            }
            v => {
                let x = self.nums(v);
                bits_where(n, |p| numbers.contains(&x[p]))
            }
        }
    }

    fn case(&self, arms: &[(Expr, Expr)], default: Option<&Expr>, results: &[Option<Outcome>]) -> Val {
        let n = self.n as usize;
        let mut assigned = RoaringBitmap::new();
        let mut picks: Vec<(RoaringBitmap, Val)> = Vec::new();
        for (cond, value) in arms {
            let sel = self.bits(self.eval(cond, results)) - &assigned;
            assigned |= &sel;
            picks.push((sel, self.eval(value, results)));
        }
        if let Some(d) = default {
            picks.push((full(self.n) - &assigned, self.eval(d, results)));
        }
        if picks.iter().any(|(_, v)| matches!(v, Val::Bool(_) | Val::Const(Lit::Bool(_)))) {
            let mut out = RoaringBitmap::new();
            for (sel, v) in picks {
                out |= sel & self.bits(v);
            }
            return Val::Bool(out);
        }
        if picks.iter().any(|(_, v)| matches!(v, Val::Time(_) | Val::Const(Lit::Time(_)))) {
            let mut out = vec![NO_TIME; n];
            for (sel, v) in picks {
                let times = self.times(v);
                for p in sel {
                    out[p as usize] = times[p as usize];
                }
            }
            return Val::Time(Rc::new(out));
        }
        let numeric = picks.iter().any(|(_, v)| matches!(v, Val::Num(_) | Val::Const(Lit::Num(_))));
        if numeric {
            let mut out = vec![f64::NAN; n];
            for (sel, v) in picks {
                let vals = self.nums(v);
                for p in sel {
                    out[p as usize] = vals[p as usize];
                }
            }
            return Val::Num(Rc::new(out));
        }
        let mut values: Vec<String> = Vec::new();
        let mut codes = vec![NONE; n];
        for (sel, v) in picks {
            let t = self.text(v);
            let mut map: Vec<u32> = vec![NONE; t.values.len()];
            for p in sel {
                let c = t.codes[p as usize];
                if c == NONE {
                    continue;
                }
                if map[c as usize] == NONE {
                    let s = &t.values[c as usize];
                    map[c as usize] = values.iter().position(|v| v == s).unwrap_or_else(|| {
                        values.push(s.clone());
                        values.len() - 1
                    }) as u32;
                }
                codes[p as usize] = map[c as usize];
            }
        }
        Val::Text(Rc::new(TextColumn { codes, values }))
    }

    fn call(&self, name: &str, args: &[Expr], results: &[Option<Outcome>]) -> Val {
        let n = self.n as usize;
        let arg = |i: usize| args.get(i).map_or(Val::Const(Lit::Num(f64::NAN)), |a| self.eval(a, results));
        let lit_nums = |i: usize| args.get(i).map(Expr::literal_numbers).unwrap_or_default();
        let lit_texts = |i: usize| args.get(i).and_then(Expr::literal_texts);
        match name {
            "days_since" => {
                let t = self.times(arg(0));
                Val::Num(Rc::new(t.iter().map(|&ts| self.frame.days_since(ts)).collect()))
            }
            "date" => match &args.first().map(|a| &a.kind) {
                Some(ExprKind::Str(s)) => Val::Const(Lit::Time(parse_timestamp(s).unwrap_or(NO_TIME))),
                _ => Val::Const(Lit::Time(NO_TIME)),
            },
            "abs" => Val::Num(Rc::new(self.nums(arg(0)).into_iter().map(f64::abs).collect())),
            "round" => Val::Num(Rc::new(self.nums(arg(0)).into_iter().map(f64::round).collect())),
            "coalesce" => {
                let (a, b) = (self.nums(arg(0)), self.nums(arg(1)));
                Val::Num(Rc::new(a.iter().zip(&b).map(|(&x, &y)| if x.is_nan() { y } else { x }).collect()))
            }
            "contains" => {
                let t = self.text(arg(0));
                let needle = match args.get(1).map(|a| &a.kind) {
                    Some(ExprKind::Str(s)) => s.clone(),
                    _ => String::new(),
                };
                let hit: Vec<bool> = t.values.iter().map(|v| v.contains(needle.as_str())).collect();
                Val::Bool(bits_where(n, |p| t.codes[p] != NONE && hit[t.codes[p] as usize]))
            }
            "cut" => {
                let x = self.nums(arg(0));
                let edges = lit_nums(1);
                let labels = lit_texts(2).unwrap_or_else(|| band_labels(&edges));
                let codes = x.iter().map(|&v| if v.is_nan() { NONE } else { edges.iter().filter(|&&e| e <= v).count() as u32 }).collect();
                Val::Text(Rc::new(TextColumn { codes, values: labels }))
            }
            "quantiles" => {
                let x = self.nums(arg(0));
                let k = lit_nums(1).first().copied().unwrap_or(4.0).max(1.0) as u64;
                let labels = lit_texts(2).unwrap_or_else(|| (1..=k).map(|i| format!("Q{i}")).collect());
                let (ranks, count) = tie_ranks(&x);
                // A member's band is k × (values strictly below theirs) / (values present).
                let codes = ranks.iter().map(|r| r.map_or(NONE, |(below, _)| (k * u64::from(below) / count.max(1)) as u32)).collect();
                Val::Text(Rc::new(TextColumn { codes, values: labels }))
            }
            "top_percent" => {
                let x = self.nums(arg(0));
                let pct = lit_nums(1).first().copied().unwrap_or(0.0);
                let (ranks, count) = tie_ranks(&x);
                // In when fewer than pct% of the values present are strictly above theirs.
                Val::Bool(bits_where(n, |p| {
                    ranks[p].is_some_and(|(_, upto)| ((count - u64::from(upto)) as f64) < pct / 100.0 * count as f64)
                }))
            }
            _ => Val::Const(Lit::Num(f64::NAN)),
        }
    }
}

/// How exactly a number expression is held: the decimal rules of `docs/rules.md` ("Numbers and money").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Class {
    /// A binary floating-point number (about 15 significant digits).
    Plain,
    /// Exact to the hundredth: a number written with at most two decimals, and sums and differences of such.
    Cents,
    /// Money (yuan, exact to the fen): amounts, discounts, `monetary` and what is built from them by `+`, `-`,
    /// `sum`, `avg`, `min`, `max`, `first`, `last`, `abs`, `round`, `coalesce` and `case`.
    Money,
}

/// Whether a number is exact to the hundredth as written (`10.3`, `-5`, `0.05`; not `0.125`).
pub(crate) fn is_cents(x: f64) -> bool {
    x.is_finite() && x.abs() < 1e13 && round_cents(x) == x
}

/// `x` rounded to the nearest hundredth (a sum of decimals is within a few units in the last place of one).
pub(crate) fn round_cents(x: f64) -> f64 {
    if !x.is_finite() || x.abs() >= 1e13 {
        return x;
    }
    (x * 100.0).round() / 100.0
}

/// `a ± b`, `coalesce(a, b)`, `case` results: decimals when every part is; money when one of them is.
fn combine(classes: impl IntoIterator<Item = Class>) -> Class {
    let mut out = None;
    for c in classes {
        out = Some(match (out, c) {
            (_, Class::Plain) | (Some(Class::Plain), _) => Class::Plain,
            (Some(Class::Money), _) | (_, Class::Money) => Class::Money,
            _ => Class::Cents,
        });
    }
    out.unwrap_or(Class::Plain)
}

/// The class of a row expression over `table` (inside `where` or an aggregate's argument).
pub(crate) fn row_class(e: &Expr, table: Table) -> Class {
    match &e.kind {
        ExprKind::Num(x) if is_cents(*x) => Class::Cents,
        ExprKind::Name(parts) => match check::row_column(parts, table) {
            Some(Column::Amount | Column::Discount) => Class::Money,
            _ => Class::Plain,
        },
        ExprKind::Neg(x) => row_class(x, table),
        ExprKind::Binary(BinOp::Add | BinOp::Sub, a, b) => combine([row_class(a, table), row_class(b, table)]),
        ExprKind::Call { name, args, .. } => match name.to_lowercase().as_str() {
            "abs" | "round" if args.len() == 1 => row_class(&args[0], table),
            "coalesce" if args.len() == 2 => combine(args.iter().map(|a| row_class(a, table))),
            _ => Class::Plain,
        },
        ExprKind::Case { arms, default } => combine(arms.iter().map(|(_, v)| v).chain(default.as_deref()).map(|v| row_class(v, table))),
        _ => Class::Plain,
    }
}

/// The class of what an aggregate folds: its column, or its second argument.
pub(crate) fn folded_class(source: &Source, arg: Option<&Expr>) -> Class {
    let Some(table) = Table::parse(&source.table) else { return Class::Plain };
    match (&source.column, arg) {
        (Some((c, _)), _) => match table.column(c).map(|c| c.column) {
            Some(Column::Amount | Column::Discount) => Class::Money,
            _ => Class::Plain,
        },
        (None, Some(a)) => row_class(a, table),
        (None, None) => Class::Plain,
    }
}

/// Each definition's decimal class once known, and the definitions being classified (a definition met again while
/// it is being classified is on a cycle, and plain).
pub(crate) struct DefClasses {
    known: std::cell::RefCell<Vec<Option<Class>>>,
    busy: std::cell::RefCell<Vec<bool>>,
}

impl DefClasses {
    /// Nothing known yet, for a program of `n` definitions.
    pub(crate) fn new(n: usize) -> DefClasses {
        DefClasses { known: std::cell::RefCell::new(vec![None; n]), busy: std::cell::RefCell::new(vec![false; n]) }
    }
}

/// Classifies member-level number expressions of one program (a metric definition is what its rule is).
pub(crate) struct Decimals<'a> {
    pub(crate) program: &'a Program,
    pub(crate) index: &'a HashMap<String, usize>,
    pub(crate) schema: &'a Schema,
    pub(crate) classes: &'a DefClasses,
}

impl Decimals<'_> {
    /// Whether `e` is exact to the hundredth (a decimal or money).
    pub(crate) fn cents(&self, e: &Expr) -> bool {
        self.class(e, 0) >= Class::Cents
    }

    /// The class of definition `j`. Each definition is classified once, after the definitions it names, through
    /// an explicit stack: a chain of thousands of definitions each reading the last recurses no deeper than one
    /// rule, and definitions read many times over (`m2 = m1 + m1`, `m3 = m2 + m2`, …) cost no more than once.
    fn def_class(&self, j: usize) -> Class {
        if let Some(c) = self.classes.known.borrow().get(j).copied().flatten() {
            return c;
        }
        if self.classes.busy.borrow().get(j).copied().unwrap_or(true) {
            return Class::Plain;
        }
        let mut pending = vec![j];
        self.classes.busy.borrow_mut()[j] = true;
        while let Some(&top) = pending.last() {
            let expr = self.program.defs.get(top).and_then(|d| d.expr.as_ref());
            let mut missing = Vec::new();
            if let Some(e) = expr {
                let (known, busy) = (self.classes.known.borrow(), self.classes.busy.borrow());
                e.walk(&mut |x| {
                    if let ExprKind::Name(parts) = &x.kind {
                        if let Some(Resolved::Def(k)) = resolve(parts, self.index, self.schema) {
                            if known.get(k).is_some_and(Option::is_none) && !busy.get(k).copied().unwrap_or(true) && !missing.contains(&k) {
                                missing.push(k);
                            }
                        }
                    }
                });
            }
            if missing.is_empty() {
                let c = expr.map_or(Class::Plain, |e| self.class(e, 0));
                self.classes.known.borrow_mut()[top] = Some(c);
                self.classes.busy.borrow_mut()[top] = false;
                pending.pop();
            } else {
                let mut busy = self.classes.busy.borrow_mut();
                for k in missing {
                    busy[k] = true;
                    pending.push(k);
                }
            }
        }
        self.classes.known.borrow().get(j).copied().flatten().unwrap_or(Class::Plain)
    }

    /// The class of a member-level expression.
    pub(crate) fn class(&self, e: &Expr, depth: u32) -> Class {
        if depth > 2 * super::parser::MAX_HEIGHT {
            return Class::Plain;
        }
        match &e.kind {
            ExprKind::Num(x) if is_cents(*x) => Class::Cents,
            ExprKind::Name(parts) => match resolve(parts, self.index, self.schema) {
                Some(Resolved::Metric(Metric::Monetary)) => Class::Money,
                Some(Resolved::Def(j)) => self.def_class(j),
                _ => Class::Plain,
            },
            ExprKind::Neg(x) => self.class(x, depth + 1),
            ExprKind::Binary(BinOp::Add | BinOp::Sub, a, b) => combine([self.class(a, depth + 1), self.class(b, depth + 1)]),
            ExprKind::Call { name, args, .. } => match name.to_lowercase().as_str() {
                "abs" | "round" if args.len() == 1 => self.class(&args[0], depth + 1),
                "coalesce" if args.len() == 2 => combine(args.iter().map(|a| self.class(a, depth + 1))),
                _ => Class::Plain,
            },
            ExprKind::Case { arms, default } => {
                combine(arms.iter().map(|(_, v)| v).chain(default.as_deref()).map(|v| self.class(v, depth + 1)))
            }
            ExprKind::Agg { func, source, arg, .. } => match (func, folded_class(source, arg.as_deref())) {
                (AggFn::Sum | AggFn::Min | AggFn::Max | AggFn::First | AggFn::Last, c) => c,
                (AggFn::Avg, Class::Money) => Class::Money,
                _ => Class::Plain,
            },
            _ => Class::Plain,
        }
    }
}

/// The calendar day a date literal names: a text (`"2025-01-01"`) or `date("2025-01-01")` written without a time
/// of day. A time compared with one is compared by its day.
pub fn day_literal(e: &Expr) -> Option<Day> {
    let text = match &e.kind {
        ExprKind::Str(s) => s,
        ExprKind::Call { name, args, .. } if name.eq_ignore_ascii_case("date") && args.len() == 1 => match &args[0].kind {
            ExprKind::Str(s) => s,
            _ => return None,
        },
        _ => return None,
    };
    let t = parse_timestamp(text)?;
    let timed = text.contains([':', '：', '时', '點', '点']);
    (t.rem_euclid(86_400) == 0 && !timed).then(|| Day(t.div_euclid(86_400) as i32))
}

/// `v` as an unsigned key whose order is `f64::total_cmp`'s (sign flipped, negatives inverted), so sorts and radix
/// passes compare integers.
pub(crate) fn total_order_key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

/// For each value: how many values are strictly below it and how many are below or equal to it (the start and end
/// of its run of equal values in sorted order), `None` for a missing value; and how many values are present. One
/// sort of (value, member) pairs, where a binary search per member would miss the cache on every step.
fn tie_ranks(x: &[f64]) -> (Vec<Option<(u32, u32)>>, u64) {
    let mut order: Vec<(u64, u32)> =
        x.iter().enumerate().filter(|(_, v)| !v.is_nan()).map(|(p, &v)| (total_order_key(v), p as u32)).collect();
    order.sort_unstable();
    let mut ranks = vec![None; x.len()];
    let mut i = 0;
    while i < order.len() {
        // A run of equal values (`-0.0` equals `0.0`, and the two sort next to each other).
        let v = x[order[i].1 as usize];
        let j = i + order[i..].iter().take_while(|&&(_, p)| x[p as usize] == v).count();
        for &(_, p) in &order[i..j] {
            ranks[p as usize] = Some((i as u32, j as u32));
        }
        i = j;
    }
    (ranks, order.len() as u64)
}

/// Numbers per member: a column, or one number for everyone.
enum Nums {
    Column(Rc<Vec<f64>>),
    Constant(f64),
}

impl Nums {
    fn at(&self, p: usize) -> f64 {
        match self {
            Nums::Column(c) => c[p],
            Nums::Constant(x) => *x,
        }
    }
}

/// Labels of fixed bands: `<500`, `500–2000`, `≥2000` (the SQL export names bands with this same function).
/// The number and text literals of a list (`in [..]`); anything else was refused by the checker.
pub(crate) fn literals(items: &[Expr]) -> Vec<Lit> {
    items
        .iter()
        .filter_map(|x| match &x.kind {
            ExprKind::Num(n) => Some(Lit::Num(*n)),
            ExprKind::Str(s) => Some(Lit::Text(s.clone())),
            _ => None,
        })
        .collect()
}

/// Labels of fixed bands: `<500`, `500–2000`, `≥2000` (the SQL export names bands with this same function).
pub(crate) fn band_labels(edges: &[f64]) -> Vec<String> {
    let mut out = Vec::with_capacity(edges.len() + 1);
    if let Some(first) = edges.first() {
        out.push(format!("<{first}"));
    }
    for w in edges.windows(2) {
        out.push(format!("{}–{}", w[0], w[1]));
    }
    if let Some(last) = edges.last() {
        out.push(format!("≥{last}"));
    }
    out
}

/// A number from text: plain digits, thousands separators and a trailing 岁/元/% are read; otherwise `NaN`.
fn parse_number(s: &str) -> f64 {
    let t = s.trim().trim_end_matches(['岁', '元', '分']).replace(',', "");
    if let Some(p) = t.strip_suffix('%') {
        return p.trim().parse::<f64>().map_or(f64::NAN, |v| v / 100.0);
    }
    t.parse::<f64>().unwrap_or(f64::NAN)
}

/// `a op b` for `+ - * /`; division by zero is missing (`NaN`), in rules and in the SQL export's folded constants.
pub(crate) fn arith(op: BinOp, a: f64, b: f64) -> f64 {
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        _ if b == 0.0 => f64::NAN,
        _ => a / b,
    }
}

fn ord(op: BinOp, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        BinOp::Eq => o == Equal,
        BinOp::Ne => o != Equal,
        BinOp::Lt => o == Less,
        BinOp::Le => o != Greater,
        BinOp::Gt => o == Greater,
        BinOp::Ge => o != Less,
        _ => false,
    }
}

fn text_vs_literal(t: &TextColumn, op: BinOp, s: &str, flipped: bool) -> RoaringBitmap {
    let hit: Vec<bool> = t
        .values
        .iter()
        .map(|v| {
            let o = if flipped { s.cmp(v.as_str()) } else { v.as_str().cmp(s) };
            ord(op, o)
        })
        .collect();
    bits_where(t.codes.len(), |p| t.codes[p] != NONE && hit[t.codes[p] as usize])
}

/// The first day of a `last N d` window ending on the analysis date.
pub(crate) fn window_start(as_of: Day, w: Window) -> i64 {
    Day(as_of.0 - (w.seconds / 86_400.0).round() as i32).start()
}

#[cfg(test)]
mod tests {
    use super::tie_ranks;

    #[test]
    fn tie_ranks_count_values_below_and_up_to_each_value() {
        let x = [3.0, f64::NAN, 1.0, 3.0, -0.0, 0.0, 7.0];
        let (ranks, count) = tie_ranks(&x);
        assert_eq!(count, 6);
        // Sorted: -0.0 0.0 1.0 3.0 3.0 7.0; -0.0 equals 0.0, so the two share one run.
        assert_eq!(ranks, vec![Some((3, 5)), None, Some((2, 3)), Some((3, 5)), Some((0, 2)), Some((0, 2)), Some((5, 6))]);
        // The same as counting by brute force.
        for (i, &v) in x.iter().enumerate().filter(|(_, v)| !v.is_nan()) {
            let below = x.iter().filter(|&&w| w < v).count() as u32;
            let upto = x.iter().filter(|&&w| w <= v).count() as u32;
            assert_eq!(ranks[i], Some((below, upto)));
        }
    }
}
