//! The scope an audience expression is evaluated in: the compiled catalog (the expression is checked against it
//! as a draft, never added to it), the cached results of the definitions it reads, and the computed data.
//!
//! [`Scope::bits`] is bitmap algebra where it can be: `and`, `or`, `not`, `true`/`false`, a yes/no definition
//! (its cached bitmap, borrowed, never copied); an enumerated tag or a text metric compared with text literals
//! (`年龄段 == "青年"`, `rfm.segment in ["重要价值客户"]`: the union of its cached per-value member sets); a number
//! metric or a metric definition compared with a number literal (`monetary > 500`, `500 <= monetary`,
//! `recency between 0 and 30`: ranges of its cached rank index, see [`super::index`]). Anything else (arithmetic,
//! an aggregate, a date) is handed to the rule evaluator, over a [`Frame`] built the first time one is needed.
//! The results are exactly the evaluator's: the same SQL-like rules for missing values (`not` is the complement,
//! a comparison, `!=` and `not in` hold only where the value is present).

use super::index::Indexes;
use crate::metrics::names::MetricType;
use crate::metrics::{Frame, Settings, TextColumn};
use crate::model::{Dataset, People};
use crate::rfm::Rfm;
use crate::rules::ast::{BinOp, Expr, ExprKind};
use crate::rules::check::{resolve, Resolved, Schema};
use crate::rules::eval::{full, Evaluator, Lit, Outcome, Val};
use crate::tags::{Compiled, TagCache};
use roaring::RoaringBitmap;
use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;

/// The data an expression is evaluated over (one computation).
#[derive(Clone, Copy)]
pub struct Data<'a> {
    /// The dataset.
    pub data: &'a Dataset,
    /// The people of the computation.
    pub people: &'a People,
    /// Its RFM table.
    pub rfm: &'a Rfm,
}

/// An evaluation scope (see the module documentation).
pub struct Scope<'a> {
    compiled: &'a Compiled,
    cache: &'a TagCache,
    schema: &'a Schema,
    data: Data<'a>,
    settings: Settings,
    /// The metric columns of this computation, shared with the workspace.
    columns: Rc<crate::metrics::FrameCache>,
    /// Value sets and rank indexes, shared with the workspace.
    indexes: &'a Indexes,
    frame: OnceCell<Frame<'a>>,
    /// Every member, as bitmap containers (a complement is then word-wise, not interval by interval).
    everyone: OnceCell<RoaringBitmap>,
    /// The results handed to the evaluator (allocated the first time it is needed).
    results: RefCell<Vec<Option<Outcome>>>,
    filled: RefCell<Vec<bool>>,
    evaluated: Cell<bool>,
    metrics: Cell<bool>,
}

/// What a number condition reads: a metric's column or a metric definition's result.
enum NumSource<'a> {
    Metric(crate::metrics::names::Metric),
    Def(&'a Rc<Vec<f64>>),
}

/// What a text condition reads: an enumerated definition's result or a text metric's column.
enum TextSource<'a> {
    Def(&'a Rc<TextColumn>),
    Metric(crate::metrics::names::Metric),
}

/// A number written as a literal (`500`, `-3`).
fn constant(e: &Expr) -> Option<f64> {
    match &e.kind {
        ExprKind::Num(x) => Some(*x),
        ExprKind::Neg(x) => match &x.kind {
            ExprKind::Num(v) => Some(-v),
            _ => None,
        },
        _ => None,
    }
}

/// `c op x` as `x op' c`.
fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

/// Flattens a chain of `op` (`a and b and c`) into its operands, left to right.
pub fn chain(e: &Expr, op: BinOp) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match &x.kind {
            ExprKind::Binary(o, a, b) if *o == op => {
                stack.push(b);
                stack.push(a);
            }
            _ => out.push(x),
        }
    }
    out
}

/// The members a value holds for (what the evaluator counts as yes).
pub(crate) fn to_bits(v: Val, n: u32) -> RoaringBitmap {
    match v {
        Val::Bool(b) => b,
        Val::Const(Lit::Bool(true)) => full(n),
        _ => RoaringBitmap::new(),
    }
}

impl<'a> Scope<'a> {
    /// A scope over a compiled catalog whose definitions' results are in `cache`.
    pub fn new(
        compiled: &'a Compiled,
        cache: &'a TagCache,
        schema: &'a Schema,
        data: Data<'a>,
        settings: Settings,
        columns: Rc<crate::metrics::FrameCache>,
        indexes: &'a Indexes,
    ) -> Scope<'a> {
        Scope {
            compiled,
            cache,
            schema,
            data,
            settings,
            columns,
            indexes,
            frame: OnceCell::new(),
            everyone: OnceCell::new(),
            results: RefCell::new(Vec::new()),
            filled: RefCell::new(Vec::new()),
            evaluated: Cell::new(false),
            metrics: Cell::new(false),
        }
    }

    /// The number of members.
    pub fn members(&self) -> u32 {
        self.data.people.len() as u32
    }

    /// Every member (the same set as [`full`], held in bitmap containers, built once per scope).
    fn everyone(&self) -> &RoaringBitmap {
        self.everyone.get_or_init(|| {
            let n = self.members() as usize;
            let mut bytes = vec![0xffu8; n / 8];
            if n % 8 != 0 {
                bytes.push((1u8 << (n % 8)) - 1);
            }
            RoaringBitmap::from_lsb0_bytes(0, &bytes)
        })
    }

    /// The data.
    pub fn data(&self) -> Data<'a> {
        self.data
    }

    /// The compiled catalog.
    pub fn compiled(&self) -> &'a Compiled {
        self.compiled
    }

    /// The indexes.
    pub fn indexes(&self) -> &'a Indexes {
        self.indexes
    }

    /// Member attribute `i` (of the member rows) as text over members, kept for this computation.
    pub fn attribute(&self, i: usize) -> Rc<TextColumn> {
        self.indexes.attribute(&self.columns, i, || self.frame().attribute(self.data.data.members.attrs.get(i)))
    }

    /// The frame (metric columns), built on first use.
    pub fn frame(&self) -> &Frame<'a> {
        self.frame
            .get_or_init(|| Frame::with_cache(self.data.data, self.data.people, self.data.rfm, self.settings.clone(), self.columns.clone()))
    }

    /// Whether any condition needed the rule evaluator (a pass over every member).
    pub fn used_evaluator(&self) -> bool {
        self.evaluated.get()
    }

    /// Whether any condition read a metric (through the evaluator or an index) rather than tag results alone.
    pub fn read_metrics(&self) -> bool {
        self.metrics.get() || self.evaluated.get()
    }

    /// The cached result of definition `j` (when it is current).
    pub fn outcome(&self, j: usize) -> Option<&'a Outcome> {
        let cache: &'a TagCache = self.cache;
        cache.fresh(&self.compiled.program.defs[j].name, self.compiled.fingerprints[j])
    }

    /// The definition a name refers to.
    pub fn def_of(&self, e: &Expr) -> Option<usize> {
        match &e.kind {
            ExprKind::Name(parts) => match resolve(parts, &self.compiled.names, self.schema) {
                Some(Resolved::Def(j)) => Some(j),
                _ => None,
            },
            _ => None,
        }
    }

    /// The number column `e` names, when it names a number metric or a metric definition.
    fn num_source(&self, e: &Expr) -> Option<NumSource<'a>> {
        let ExprKind::Name(parts) = &e.kind else { return None };
        match resolve(parts, &self.compiled.names, self.schema)? {
            Resolved::Def(j) => match self.outcome(j)? {
                Outcome::Num(v) => Some(NumSource::Def(v)),
                _ => None,
            },
            Resolved::Metric(m) if m.info().ty == MetricType::Num => Some(NumSource::Metric(m)),
            Resolved::Model(i) => match &self.schema.models[i].column.values {
                crate::models::ModelValues::Num(v) if v.len() == self.data.people.len() => Some(NumSource::Def(v)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The text column `e` names, when it names an enumerated definition or a text metric.
    fn text_source(&self, e: &Expr) -> Option<TextSource<'a>> {
        let ExprKind::Name(parts) = &e.kind else { return None };
        match resolve(parts, &self.compiled.names, self.schema)? {
            Resolved::Def(j) => match self.outcome(j)? {
                Outcome::Text(t) => Some(TextSource::Def(t)),
                _ => None,
            },
            Resolved::Metric(m) if m.info().ty == MetricType::Text => Some(TextSource::Metric(m)),
            Resolved::Model(i) => match &self.schema.models[i].column.values {
                crate::models::ModelValues::Text(t) if t.codes.len() == self.data.people.len() => Some(TextSource::Def(t)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The members whose value of a text column satisfies `hit` (by value), from the column's value sets.
    fn text_where(&self, source: TextSource<'a>, hit: impl Fn(&str) -> bool) -> RoaringBitmap {
        let column = match source {
            TextSource::Def(t) => t.clone(),
            TextSource::Metric(m) => {
                self.metrics.set(true);
                self.frame().text(m)
            }
        };
        let sets = self.indexes.values(&column);
        sets.union(|i| hit(&column.values[i]))
    }

    /// The members for whom `x op c` holds, from the column's rank index.
    fn compare_num(&self, source: NumSource<'a>, op: BinOp, c: f64) -> RoaringBitmap {
        let column = self.num_column(source);
        self.indexes.ranks(&column).compare(&column, op, c)
    }

    fn num_column(&self, source: NumSource<'a>) -> Rc<Vec<f64>> {
        self.metrics.set(true);
        match source {
            NumSource::Metric(m) => self.frame().num(m),
            NumSource::Def(v) => v.clone(),
        }
    }

    /// How many members `e` holds for: [`Scope::bits`]`(e).len()`, with the last step of a top-level `and`,
    /// `or` or `not` counted without building its set.
    pub fn count(&self, e: &Expr) -> u64 {
        match &e.kind {
            ExprKind::Not(x) => u64::from(self.members()) - self.count(x),
            ExprKind::Binary(BinOp::And, _, _) => {
                let parts = chain(e, BinOp::And);
                let (negated, plain): (Vec<&Expr>, Vec<&Expr>) = parts.into_iter().partition(|x| matches!(x.kind, ExprKind::Not(_)));
                let mut sets: Vec<Cow<'a, RoaringBitmap>> = plain.iter().map(|x| self.bits(x)).collect();
                sets.sort_by_key(|s| s.len());
                if negated.is_empty() && sets.len() == 2 {
                    return sets[0].intersection_len(&sets[1]);
                }
                if negated.len() == 1 && sets.len() == 1 {
                    if sets[0].is_empty() {
                        return 0;
                    }
                    let ExprKind::Not(inner) = &negated[0].kind else { return 0 };
                    return sets[0].len() - sets[0].intersection_len(self.bits(inner).as_ref());
                }
                self.bits(e).len()
            }
            ExprKind::Binary(BinOp::Or, _, _) => {
                let parts = chain(e, BinOp::Or);
                if parts.len() == 2 {
                    return self.bits(parts[0]).union_len(self.bits(parts[1]).as_ref());
                }
                let Some((last, rest)) = parts.split_last() else { return 0 };
                let mut out = RoaringBitmap::new();
                for x in rest {
                    out |= self.bits(x).as_ref();
                }
                out.union_len(self.bits(last).as_ref())
            }
            _ => self.bits(e).len(),
        }
    }

    /// The members `e` holds for.
    pub fn bits(&self, e: &Expr) -> Cow<'a, RoaringBitmap> {
        match &e.kind {
            ExprKind::Bool(b) => Cow::Owned(if *b { self.everyone().clone() } else { RoaringBitmap::new() }),
            ExprKind::Not(x) => Cow::Owned(self.everyone().clone() - self.bits(x).as_ref()),
            ExprKind::Binary(BinOp::And, _, _) => {
                let parts = chain(e, BinOp::And);
                let (negated, plain): (Vec<&Expr>, Vec<&Expr>) = parts.into_iter().partition(|x| matches!(x.kind, ExprKind::Not(_)));
                let mut sets: Vec<Cow<'a, RoaringBitmap>> = plain.iter().map(|x| self.bits(x)).collect();
                sets.sort_by_key(|s| s.len());
                // The two smallest intersected into a new set (copying neither), then the rest into it.
                let mut out = match sets.as_slice() {
                    [] => self.everyone().clone(),
                    [one] => one.as_ref().clone(),
                    [a, b, ..] => a.as_ref() & b.as_ref(),
                };
                for s in sets.iter().skip(2) {
                    if out.is_empty() {
                        break;
                    }
                    out &= s.as_ref();
                }
                for x in negated {
                    if out.is_empty() {
                        break;
                    }
                    if let ExprKind::Not(inner) = &x.kind {
                        out -= self.bits(inner).as_ref();
                    }
                }
                Cow::Owned(out)
            }
            ExprKind::Binary(BinOp::Or, _, _) => {
                let mut out = RoaringBitmap::new();
                for x in chain(e, BinOp::Or) {
                    out |= self.bits(x).as_ref();
                }
                Cow::Owned(out)
            }
            ExprKind::Name(_) => match self.def_of(e).and_then(|j| self.outcome(j)) {
                Some(Outcome::Bool(b)) => Cow::Borrowed(b),
                _ => Cow::Owned(self.delegate(e)),
            },
            ExprKind::Binary(op @ (BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge), a, b) => {
                // A number column against a number literal, either way round.
                if let (Some(x), Some(c)) = (self.num_source(a), constant(b)) {
                    return Cow::Owned(self.compare_num(x, *op, c));
                }
                if let (Some(c), Some(x)) = (constant(a), self.num_source(b)) {
                    return Cow::Owned(self.compare_num(x, flip(*op), c));
                }
                // A text column against a text literal (`==` and `!=` hold only where the value is present).
                let text = match (&a.kind, &b.kind) {
                    (_, ExprKind::Str(s)) if matches!(op, BinOp::Eq | BinOp::Ne) => self.text_source(a).map(|t| (t, s)),
                    (ExprKind::Str(s), _) if matches!(op, BinOp::Eq | BinOp::Ne) => self.text_source(b).map(|t| (t, s)),
                    _ => None,
                };
                match text {
                    Some((t, s)) => Cow::Owned(self.text_where(t, |v| (v == s) == (*op == BinOp::Eq))),
                    None => Cow::Owned(self.delegate(e)),
                }
            }
            ExprKind::Between { value, low, high } => match (self.num_source(value), constant(low), constant(high)) {
                (Some(x), Some(lo), Some(hi)) => {
                    let column = self.num_column(x);
                    Cow::Owned(self.indexes.ranks(&column).between(&column, lo, hi))
                }
                _ => Cow::Owned(self.delegate(e)),
            },
            ExprKind::In { value, list, negated } => {
                let texts: Option<Vec<&str>> = match &list.kind {
                    ExprKind::List(items) if !items.is_empty() => {
                        items.iter().map(|x| if let ExprKind::Str(s) = &x.kind { Some(s.as_str()) } else { None }).collect()
                    }
                    _ => None,
                };
                match (self.text_source(value), texts) {
                    // `not in` holds where the value is present and not listed.
                    (Some(t), Some(texts)) => Cow::Owned(self.text_where(t, |v| texts.contains(&v) != *negated)),
                    _ => Cow::Owned(self.delegate(e)),
                }
            }
            _ => Cow::Owned(self.delegate(e)),
        }
    }

    /// Evaluates `e` with the rule evaluator (over the frame), the definitions it names taken from the cache.
    pub(crate) fn eval(&self, e: &Expr) -> Val {
        self.evaluated.set(true);
        let defs = self.compiled.program.defs.len();
        {
            let mut results = self.results.borrow_mut();
            let mut filled = self.filled.borrow_mut();
            if results.len() != defs {
                *results = vec![None; defs];
                *filled = vec![false; defs];
            }
            e.walk(&mut |x| {
                if let Some(j) = self.def_of(x) {
                    if !std::mem::replace(&mut filled[j], true) {
                        results[j] = self.outcome(j).cloned();
                    }
                }
            });
        }
        let evaluator = Evaluator::new(self.frame(), &self.compiled.program, self.schema);
        let results = self.results.borrow();
        evaluator.eval(e, &results)
    }

    fn delegate(&self, e: &Expr) -> RoaringBitmap {
        to_bits(self.eval(e), self.members())
    }
}
