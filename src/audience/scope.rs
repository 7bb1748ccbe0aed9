//! The scope an audience expression is evaluated in: the compiled catalog (with the expression as a draft
//! definition), the cached results of the definitions it reads, and the computed data.
//!
//! [`Scope::bits`] is bitmap algebra where it can be: `and`, `or`, `not`, `true`/`false`, a yes/no definition
//! (its cached bitmap, borrowed, never copied) and an enumerated tag compared with text literals (`年龄段 ==
//! "青年"`, `年龄段 in ["Z世代", "青年"]`, one pass over its codes). Anything else (a metric comparison, an
//! aggregate) is handed to the rule evaluator, over a [`Frame`] built the first time one is needed. The results
//! are exactly the evaluator's: the same SQL-like rules for missing values (`not` is the complement, `!=` and
//! `not in` hold only where the value is present).

use crate::metrics::{Frame, Settings, TextColumn};
use crate::model::dict::NONE;
use crate::model::{Dataset, People};
use crate::rfm::Rfm;
use crate::rules::ast::{BinOp, Expr, ExprKind};
use crate::rules::check::{resolve, Resolved, Schema};
use crate::rules::eval::{full, Evaluator, Lit, Outcome, Val};
use crate::tags::{Compiled, TagCache};
use roaring::RoaringBitmap;
use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;

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
    columns: std::rc::Rc<crate::metrics::FrameCache>,
    index: HashMap<String, usize>,
    frame: OnceCell<Frame<'a>>,
    results: RefCell<Vec<Option<Outcome>>>,
    filled: RefCell<Vec<bool>>,
    evaluated: Cell<bool>,
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

/// Members whose code in `t` satisfies `hit` (by value index).
fn text_bits(t: &TextColumn, hit: &[bool]) -> RoaringBitmap {
    let members = t.codes.iter().enumerate().filter(|&(_, &c)| c != NONE && hit.get(c as usize).copied().unwrap_or(false));
    RoaringBitmap::from_sorted_iter(members.map(|(p, _)| p as u32)).unwrap_or_default()
}

impl<'a> Scope<'a> {
    /// A scope over a compiled catalog whose definitions' results are in `cache`.
    pub fn new(
        compiled: &'a Compiled,
        cache: &'a TagCache,
        schema: &'a Schema,
        data: Data<'a>,
        settings: Settings,
        columns: std::rc::Rc<crate::metrics::FrameCache>,
    ) -> Scope<'a> {
        let mut index = HashMap::new();
        for (i, d) in compiled.program.defs.iter().enumerate() {
            index.entry(d.name.clone()).or_insert(i);
        }
        let n = compiled.program.defs.len();
        Scope {
            compiled,
            cache,
            schema,
            data,
            settings,
            columns,
            index,
            frame: OnceCell::new(),
            results: RefCell::new(vec![None; n]),
            filled: RefCell::new(vec![false; n]),
            evaluated: Cell::new(false),
        }
    }

    /// The number of members.
    pub fn members(&self) -> u32 {
        self.data.people.len() as u32
    }

    /// The data.
    pub fn data(&self) -> Data<'a> {
        self.data
    }

    /// The compiled catalog.
    pub fn compiled(&self) -> &'a Compiled {
        self.compiled
    }

    /// The frame (metric columns), built on first use.
    pub fn frame(&self) -> &Frame<'a> {
        self.frame
            .get_or_init(|| Frame::with_cache(self.data.data, self.data.people, self.data.rfm, self.settings.clone(), self.columns.clone()))
    }

    /// Whether any condition needed the rule evaluator (so the answer was not bitmap algebra alone).
    pub fn used_evaluator(&self) -> bool {
        self.evaluated.get()
    }

    /// The cached result of definition `j` (when it is current).
    pub fn outcome(&self, j: usize) -> Option<&'a Outcome> {
        let cache: &'a TagCache = self.cache;
        cache.fresh(&self.compiled.program.defs[j].name, self.compiled.fingerprints[j])
    }

    /// The definition a name refers to.
    pub fn def_of(&self, e: &Expr) -> Option<usize> {
        match &e.kind {
            ExprKind::Name(parts) => match resolve(parts, &self.index, self.schema) {
                Some(Resolved::Def(j)) => Some(j),
                _ => None,
            },
            _ => None,
        }
    }

    /// An enumerated definition's column, when `e` names one.
    fn text_def(&self, e: &Expr) -> Option<&'a TextColumn> {
        match self.outcome(self.def_of(e)?)? {
            Outcome::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The members `e` holds for.
    pub fn bits(&self, e: &Expr) -> Cow<'a, RoaringBitmap> {
        let n = self.members();
        match &e.kind {
            ExprKind::Bool(b) => Cow::Owned(if *b { full(n) } else { RoaringBitmap::new() }),
            ExprKind::Not(x) => Cow::Owned(full(n) - self.bits(x).as_ref()),
            ExprKind::Binary(BinOp::And, _, _) => {
                let parts = chain(e, BinOp::And);
                let (negated, plain): (Vec<&Expr>, Vec<&Expr>) = parts.into_iter().partition(|x| matches!(x.kind, ExprKind::Not(_)));
                let mut sets: Vec<Cow<'a, RoaringBitmap>> = plain.iter().map(|x| self.bits(x)).collect();
                sets.sort_by_key(|s| s.len());
                let mut out = match sets.first() {
                    Some(s) => s.as_ref().clone(),
                    None => full(n),
                };
                for s in sets.iter().skip(1) {
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
            ExprKind::Binary(op @ (BinOp::Eq | BinOp::Ne), a, b) => {
                let pair = match (&a.kind, &b.kind) {
                    (_, ExprKind::Str(s)) => self.text_def(a).map(|t| (t, s)),
                    (ExprKind::Str(s), _) => self.text_def(b).map(|t| (t, s)),
                    _ => None,
                };
                match pair {
                    Some((t, s)) => {
                        let hit: Vec<bool> = t.values.iter().map(|v| (v == s) == (*op == BinOp::Eq)).collect();
                        Cow::Owned(text_bits(t, &hit))
                    }
                    None => Cow::Owned(self.delegate(e)),
                }
            }
            ExprKind::In { value, list, negated } => {
                let texts: Option<Vec<&str>> = match &list.kind {
                    ExprKind::List(items) if !items.is_empty() => {
                        items.iter().map(|x| if let ExprKind::Str(s) = &x.kind { Some(s.as_str()) } else { None }).collect()
                    }
                    _ => None,
                };
                match (self.text_def(value), texts) {
                    (Some(t), Some(texts)) => {
                        // `not in` holds where the value is present and not listed.
                        let hit: Vec<bool> = t.values.iter().map(|v| texts.contains(&v.as_str()) != *negated).collect();
                        Cow::Owned(text_bits(t, &hit))
                    }
                    _ => Cow::Owned(self.delegate(e)),
                }
            }
            _ => Cow::Owned(self.delegate(e)),
        }
    }

    /// Evaluates `e` with the rule evaluator (over the frame), the definitions it names taken from the cache.
    pub(crate) fn eval(&self, e: &Expr) -> Val {
        self.evaluated.set(true);
        {
            let mut results = self.results.borrow_mut();
            let mut filled = self.filled.borrow_mut();
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
