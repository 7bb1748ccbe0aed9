//! Row-level evaluation: `where` conditions and aggregate arguments over the rows of orders or events, in
//! chunks of 4,096 rows (each condition becomes a mask over the chunk, not a per-row walk of the tree), then
//! folded per member. Sequences (`did A then [not] did B within N`) sort each side's `(member, time)` pairs.
//!
//! Only rows dated on or before the analysis date are read. `last N d` keeps rows whose day is at most N days
//! before the analysis date (`days_since(time) <= N`, the same boundary as `days_since(last(orders.time)) <= N`).

use super::{day_literal, folded_class, round_cents, window_start, Class, Lit, Val};
use crate::base::date::Day;
use crate::base::dict::{hash64, Dict, NONE};
use crate::metrics::{Frame, TextColumn, NO_TIME};
use crate::model::column::{Codes, Ints, Nodes};
use crate::rules::ast::*;
use crate::rules::check::row_column;
use crate::rules::names::{Column, Table};
use roaring::RoaringBitmap;
use std::cell::{Ref, RefCell};
use std::rc::Rc;

const CHUNK: usize = 4096;

/// The largest table of per-member, per-value counts `top` keeps (128 MB), instead of collecting and sorting
/// (member, value) pairs; `distinct` uses a 64-bit set per member when a text column has at most 64 values.
const TALLY_CELLS: usize = 1 << 25;

/// A value over the rows of one chunk.
enum RVal<'a> {
    Num(Vec<f64>),
    Time(Vec<i64>),
    Codes(Vec<u32>, &'a Dict),
    Ids(Vec<i64>),
    Bool(Vec<bool>),
    Const(Lit),
    List(Vec<Lit>),
}

/// The rows an aggregate or a sequence reads.
struct Rows<'a> {
    frame: &'a Frame<'a>,
    table: Table,
    person: &'a Nodes,
    ts_column: &'a Ints,
    /// The rows and decoded times of the chunk read last (every step of a chunk reads its times).
    ts_chunk: RefCell<((usize, usize), Vec<i64>)>,
}

impl<'a> Rows<'a> {
    fn new(frame: &'a Frame<'a>, table: Table) -> Rows<'a> {
        let (person, ts_column): (&Nodes, _) = match table {
            Table::Orders => (&frame.order_person, &frame.data.orders.ts),
            Table::Events => (&frame.event_person, &frame.data.events.ts),
        };
        Rows { frame, table, person, ts_column, ts_chunk: RefCell::new(((0, 0), Vec::with_capacity(CHUNK))) }
    }

    fn len(&self) -> usize {
        self.ts_column.len()
    }

    /// The times of rows `lo..hi`, decoded once per chunk.
    fn ts(&self, lo: usize, hi: usize) -> Ref<'_, [i64]> {
        if self.ts_chunk.borrow().0 != (lo, hi) {
            let mut chunk = self.ts_chunk.borrow_mut();
            let (key, buf) = &mut *chunk;
            *key = (lo, hi);
            self.ts_column.decode(lo, hi, buf);
        }
        Ref::map(self.ts_chunk.borrow(), |(_, buf)| &buf[..])
    }

    fn column(&self, c: Column, lo: usize, hi: usize) -> RVal<'a> {
        let o = &self.frame.data.orders;
        let e = &self.frame.data.events;
        let mut buf = Vec::new();
        let mut yuan = |v: &Ints| v.chunk(lo, hi, &mut buf).iter().map(|&x| x as f64 / 100.0).collect();
        let codes = |v: &Codes| {
            let mut out = Vec::with_capacity(hi - lo);
            v.decode(lo, hi, &mut out);
            out
        };
        match (self.table, c) {
            (_, Column::Time) => RVal::Time(self.ts(lo, hi).to_vec()),
            (Table::Orders, Column::Amount) => RVal::Num(yuan(&o.amount)),
            (Table::Orders, Column::Discount) => RVal::Num(yuan(&o.discount)),
            (Table::Orders, Column::Category) => RVal::Codes(codes(&o.category), &o.categories),
            (Table::Orders, Column::Channel) => RVal::Codes(codes(&o.channel), &o.channels),
            (Table::Orders, Column::OrderId) => {
                let mut ids = Vec::with_capacity(hi - lo);
                o.order_id.decode(lo, hi, &mut ids);
                RVal::Ids(ids)
            }
            (Table::Events, Column::Type) => RVal::Codes(codes(&e.event_type), &e.types),
            (Table::Events, Column::Target) => RVal::Codes(codes(&e.target), &e.targets),
            _ => RVal::Num(vec![f64::NAN; hi - lo]),
        }
    }

    /// The dictionary of a text column.
    fn dict(&self, c: Column) -> Option<&'a Dict> {
        let o = &self.frame.data.orders;
        let e = &self.frame.data.events;
        Some(match (self.table, c) {
            (Table::Orders, Column::Category) => &o.categories,
            (Table::Orders, Column::Channel) => &o.channels,
            (Table::Events, Column::Type) => &e.types,
            (Table::Events, Column::Target) => &e.targets,
            _ => return None,
        })
    }

    /// The rows of `lo..hi` (as offsets from `lo`) in range and passing the filter, into `out`: [`Rows::mask`]
    /// without a vector per chunk when there is no filter.
    fn select(&self, filter: Option<&Expr>, from: i64, lo: usize, hi: usize, out: &mut Vec<u32>) {
        out.clear();
        let limit = self.frame.limit;
        match filter {
            None => self.ts_column.select_range(lo, hi, from, limit, out),
            Some(_) => {
                out.extend(self.mask(filter, from, lo, hi).iter().enumerate().filter(|(_, &m)| m).map(|(k, _)| k as u32));
            }
        }
    }

    /// A column of `lo..hi` like [`Rows::column`], with money converted to yuan into `buf` (a `NaN` constant stands
    /// for "read `buf`"), so no vector is allocated per chunk.
    fn column_ref(&self, c: Column, lo: usize, hi: usize, buf: &mut Vec<f64>) -> RVal<'a> {
        let o = &self.frame.data.orders;
        let column = match (self.table, c) {
            (Table::Orders, Column::Amount) => &o.amount,
            (Table::Orders, Column::Discount) => &o.discount,
            _ => return self.column(c, lo, hi),
        };
        column.decode_with(lo, hi, buf, |x| x as f64 / 100.0);
        RVal::Const(Lit::Num(f64::NAN))
    }

    /// Which rows of `lo..hi` are in range (on or before the analysis date, inside the window) and pass the filter.
    fn mask(&self, filter: Option<&Expr>, from: i64, lo: usize, hi: usize) -> Vec<bool> {
        let limit = self.frame.limit;
        let mut mask = self.ts_column.range_mask(lo, hi, from, limit);
        if let Some(f) = filter {
            let cond = self.truth(self.eval(f, lo, hi), hi - lo);
            mask.iter_mut().zip(cond).for_each(|(m, c)| *m &= c);
        }
        mask
    }

    fn truth(&self, v: RVal<'a>, len: usize) -> Vec<bool> {
        match v {
            RVal::Bool(b) => b,
            RVal::Const(Lit::Bool(b)) => vec![b; len],
            RVal::Num(x) => x.iter().map(|&v| v > 0.0).collect(),
            _ => vec![false; len],
        }
    }

    fn nums(&self, v: RVal<'a>, len: usize) -> Vec<f64> {
        match v {
            RVal::Num(x) => x,
            RVal::Const(Lit::Num(c)) => vec![c; len],
            RVal::Time(t) => t.iter().map(|&x| x as f64).collect(),
            RVal::Bool(b) => b.iter().map(|&x| f64::from(u8::from(x))).collect(),
            RVal::Const(Lit::Bool(b)) => vec![f64::from(u8::from(b)); len],
            _ => vec![f64::NAN; len],
        }
    }

    fn eval(&self, e: &Expr, lo: usize, hi: usize) -> RVal<'a> {
        let len = hi - lo;
        match &e.kind {
            ExprKind::Num(n) => RVal::Const(Lit::Num(*n)),
            ExprKind::Str(s) => RVal::Const(Lit::Text(s.clone())),
            ExprKind::Bool(b) => RVal::Const(Lit::Bool(*b)),
            ExprKind::List(items) => RVal::List(super::literals(items)),
            ExprKind::Name(parts) => match row_column(parts, self.table) {
                Some(c) => self.column(c, lo, hi),
                None => RVal::Num(vec![f64::NAN; len]),
            },
            ExprKind::Not(x) => {
                let b = self.truth(self.eval(x, lo, hi), len);
                RVal::Bool(b.into_iter().map(|v| !v).collect())
            }
            ExprKind::Neg(x) => {
                let v = self.nums(self.eval(x, lo, hi), len);
                RVal::Num(v.into_iter().map(|v| -v).collect())
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, lo, hi),
            ExprKind::In { value, list, negated } => {
                let v = self.eval(value, lo, hi);
                let RVal::List(items) = self.eval(list, lo, hi) else { return RVal::Bool(vec![false; len]) };
                RVal::Bool(self.member_in(v, &items, *negated, len))
            }
            ExprKind::Between { value, low, high } => {
                let (dv, dl, dh) = (day_literal(value), day_literal(low), day_literal(high));
                let ge = self.compare(BinOp::Ge, self.eval(value, lo, hi), self.eval(low, lo, hi), len, [dv, dl]);
                let le = self.compare(BinOp::Le, self.eval(value, lo, hi), self.eval(high, lo, hi), len, [dv, dh]);
                RVal::Bool(ge.iter().zip(le).map(|(a, b)| *a && b).collect())
            }
            ExprKind::Call { name, args, .. } => {
                let lower = name.to_lowercase();
                let arg = |i: usize| args.get(i).map_or(RVal::Const(Lit::Num(f64::NAN)), |a| self.eval(a, lo, hi));
                match lower.as_str() {
                    "days_since" => {
                        let as_of = self.frame.as_of.0;
                        let t = match arg(0) {
                            RVal::Time(t) => t.to_vec(),
                            RVal::Const(Lit::Time(t)) => vec![t; len],
                            _ => vec![NO_TIME; len],
                        };
                        RVal::Num(
                            t.iter()
                                .map(|&x| if x == NO_TIME { f64::NAN } else { f64::from(as_of - x.div_euclid(86_400) as i32) })
                                .collect(),
                        )
                    }
                    "date" => match args.first().map(|a| &a.kind) {
                        Some(ExprKind::Str(s)) => RVal::Const(Lit::Time(crate::base::values::parse_timestamp(s).unwrap_or(NO_TIME))),
                        _ => RVal::Const(Lit::Time(NO_TIME)),
                    },
                    "abs" => RVal::Num(self.nums(arg(0), len).into_iter().map(f64::abs).collect()),
                    "round" => RVal::Num(self.nums(arg(0), len).into_iter().map(f64::round).collect()),
                    "coalesce" => {
                        let (a, b) = (self.nums(arg(0), len), self.nums(arg(1), len));
                        RVal::Num(a.iter().zip(&b).map(|(&x, &y)| if x.is_nan() { y } else { x }).collect())
                    }
                    "contains" => {
                        let needle = match args.get(1).map(|a| &a.kind) {
                            Some(ExprKind::Str(s)) => s.clone(),
                            _ => String::new(),
                        };
                        match arg(0) {
                            RVal::Codes(codes, dict) => {
                                let hit: Vec<bool> = dict.values().map(|v| v.contains(needle.as_str())).collect();
                                RVal::Bool(codes.iter().map(|&c| c != NONE && hit[c as usize]).collect())
                            }
                            RVal::Const(Lit::Text(s)) => RVal::Const(Lit::Bool(s.contains(needle.as_str()))),
                            _ => RVal::Bool(vec![false; len]),
                        }
                    }
                    _ => RVal::Num(vec![f64::NAN; len]),
                }
            }
            ExprKind::Case { arms, default } => self.case(arms, default.as_deref(), lo, hi),
            _ => RVal::Num(vec![f64::NAN; len]),
        }
    }

    /// `case` over rows: the checker lets only numbers and yes/no through here.
    fn case(&self, arms: &[(Expr, Expr)], default: Option<&Expr>, lo: usize, hi: usize) -> RVal<'a> {
        let len = hi - lo;
        let mut taken = vec![false; len];
        let mut picks: Vec<(Vec<bool>, RVal<'a>)> = Vec::new();
        for (cond, value) in arms {
            let cond = self.truth(self.eval(cond, lo, hi), len);
            let sel: Vec<bool> = cond.iter().zip(&taken).map(|(&c, &t)| c && !t).collect();
            taken.iter_mut().zip(&sel).for_each(|(t, &s)| *t |= s);
            picks.push((sel, self.eval(value, lo, hi)));
        }
        if let Some(d) = default {
            picks.push((taken.iter().map(|&t| !t).collect(), self.eval(d, lo, hi)));
        }
        if picks.iter().any(|(_, v)| matches!(v, RVal::Bool(_) | RVal::Const(Lit::Bool(_)))) {
            let mut out = vec![false; len];
            for (sel, v) in picks {
                let v = self.truth(v, len);
                out.iter_mut().zip(sel.iter().zip(v)).for_each(|(o, (&s, v))| *o |= s && v);
            }
            return RVal::Bool(out);
        }
        let mut out = vec![f64::NAN; len];
        for (sel, v) in picks {
            let v = self.nums(v, len);
            out.iter_mut().zip(sel.iter().zip(v)).for_each(|(o, (&s, v))| {
                if s {
                    *o = v;
                }
            });
        }
        RVal::Num(out)
    }

    fn binary(&self, op: BinOp, a: &Expr, b: &Expr, lo: usize, hi: usize) -> RVal<'a> {
        let len = hi - lo;
        match op {
            BinOp::And | BinOp::Or => {
                let x = self.truth(self.eval(a, lo, hi), len);
                let y = self.truth(self.eval(b, lo, hi), len);
                RVal::Bool(x.iter().zip(y).map(|(&p, q)| if op == BinOp::And { p && q } else { p || q }).collect())
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let x = self.nums(self.eval(a, lo, hi), len);
                let y = self.nums(self.eval(b, lo, hi), len);
                // Sums and differences of decimals (amounts, numbers with at most two decimals) are exact to the fen.
                let exact = matches!(op, BinOp::Add | BinOp::Sub)
                    && super::row_class(a, self.table) >= Class::Cents
                    && super::row_class(b, self.table) >= Class::Cents;
                RVal::Num(
                    x.iter()
                        .zip(&y)
                        .map(|(&p, &q)| if exact { round_cents(super::arith(op, p, q)) } else { super::arith(op, p, q) })
                        .collect(),
                )
            }
            _ => RVal::Bool(self.compare(op, self.eval(a, lo, hi), self.eval(b, lo, hi), len, [day_literal(a), day_literal(b)])),
        }
    }

    /// `x op y` per row; `days` as in the member-level comparison (a time against a date literal compares days).
    fn compare(&self, op: BinOp, x: RVal<'a>, y: RVal<'a>, len: usize, days: [Option<Day>; 2]) -> Vec<bool> {
        use super::ord;
        let time_of = |v: &RVal<'a>| -> Option<Vec<i64>> {
            match v {
                RVal::Time(t) => Some(t.to_vec()),
                RVal::Const(Lit::Time(t)) => Some(vec![*t; len]),
                RVal::Const(Lit::Text(s)) => Some(vec![crate::base::values::parse_timestamp(s).unwrap_or(NO_TIME); len]),
                _ => None,
            }
        };
        if matches!(x, RVal::Time(_) | RVal::Const(Lit::Time(_))) || matches!(y, RVal::Time(_) | RVal::Const(Lit::Time(_))) {
            let (mut a, mut b) = (time_of(&x).unwrap_or(vec![NO_TIME; len]), time_of(&y).unwrap_or(vec![NO_TIME; len]));
            if days.iter().any(Option::is_some) {
                for (side, day) in [(&mut a, days[0]), (&mut b, days[1])] {
                    match day {
                        Some(d) => side.iter_mut().for_each(|t| *t = i64::from(d.0)),
                        None => side.iter_mut().filter(|t| **t != NO_TIME).for_each(|t| *t = t.div_euclid(86_400)),
                    }
                }
            }
            return a.iter().zip(&b).map(|(&p, &q)| p != NO_TIME && q != NO_TIME && ord(op, p.cmp(&q))).collect();
        }
        match (x, y) {
            // Literals read as themselves: `"a" == "a"` holds on every row, `true == true` too.
            (RVal::Const(Lit::Text(p)), RVal::Const(Lit::Text(q))) => vec![ord(op, p.cmp(&q)); len],
            (RVal::Const(Lit::Bool(p)), RVal::Const(Lit::Bool(q))) => vec![if op == BinOp::Eq { p == q } else { p != q }; len],
            (RVal::Codes(codes, dict), RVal::Const(Lit::Text(s))) => codes_vs_literal(&codes, dict, op, &s, false),
            (RVal::Const(Lit::Text(s)), RVal::Codes(codes, dict)) => codes_vs_literal(&codes, dict, op, &s, true),
            (RVal::Ids(ids), RVal::Const(Lit::Text(s))) | (RVal::Const(Lit::Text(s)), RVal::Ids(ids)) => {
                let h = hash64(s.trim());
                // Order numbers are kept as hashes: only equality means anything.
                ids.iter().map(|&i| i != 0 && ((i as u64 == h) == (op == BinOp::Eq))).collect()
            }
            (RVal::Codes(a, da), RVal::Codes(b, db)) => {
                a.iter().zip(&b).map(|(&p, &q)| p != NONE && q != NONE && ord(op, da.get(p).cmp(db.get(q)))).collect()
            }
            (RVal::Bool(a), y) | (y, RVal::Bool(a)) => {
                let b = self.truth(y, len);
                a.iter().zip(b).map(|(&p, q)| if op == BinOp::Eq { p == q } else { p != q }).collect()
            }
            // A column against a number (`discount > 0`): no vector of the constant.
            (RVal::Num(a), RVal::Const(Lit::Num(c))) => a.iter().map(|p| p.partial_cmp(&c).is_some_and(|o| ord(op, o))).collect(),
            (RVal::Const(Lit::Num(c)), RVal::Num(b)) => b.iter().map(|q| c.partial_cmp(q).is_some_and(|o| ord(op, o))).collect(),
            (x, y) => {
                let (a, b) = (self.nums(x, len), self.nums(y, len));
                a.iter().zip(&b).map(|(p, q)| p.partial_cmp(q).is_some_and(|o| ord(op, o))).collect()
            }
        }
    }

    fn member_in(&self, v: RVal<'a>, items: &[Lit], negated: bool, len: usize) -> Vec<bool> {
        match v {
            RVal::Const(Lit::Text(s)) => vec![items.iter().any(|l| matches!(l, Lit::Text(t) if *t == s)) != negated; len],
            RVal::Ids(ids) => {
                let hashes: Vec<u64> =
                    items.iter().filter_map(|l| if let Lit::Text(s) = l { Some(hash64(s.trim())) } else { None }).collect();
                ids.iter().map(|&i| i != 0 && hashes.contains(&(i as u64)) != negated).collect()
            }
            RVal::Codes(codes, dict) => {
                let texts: Vec<&str> = items.iter().filter_map(|l| if let Lit::Text(s) = l { Some(s.as_str()) } else { None }).collect();
                let hit: Vec<bool> = dict.values().map(|s| texts.contains(&s) != negated).collect();
                codes.iter().map(|&c| c != NONE && hit[c as usize]).collect()
            }
            v => {
                let numbers: Vec<f64> = items.iter().filter_map(|l| if let Lit::Num(x) = l { Some(*x) } else { None }).collect();
                self.nums(v, len).iter().map(|x| !x.is_nan() && numbers.contains(x) != negated).collect()
            }
        }
    }
}

fn codes_vs_literal(codes: &[u32], dict: &Dict, op: BinOp, s: &str, flipped: bool) -> Vec<bool> {
    let hit: Vec<bool> = dict
        .values()
        .map(|v| {
            let o = if flipped { s.cmp(v) } else { v.cmp(s) };
            super::ord(op, o)
        })
        .collect();
    codes.iter().map(|&c| c != NONE && hit[c as usize]).collect()
}

/// The values of one chunk an aggregate folds: numbers, times, text codes (with their dictionary) or identifiers,
/// borrowed from the columns where they are stored as they are read.
enum FoldRef<'a> {
    Num(std::borrow::Cow<'a, [f64]>),
    Time(Vec<i64>),
    Codes(Vec<u32>),
    Ids(Vec<i64>),
}

/// Evaluates an aggregate for every member.
pub(super) fn aggregate(frame: &Frame<'_>, func: AggFn, source: &Source, arg: Option<&Expr>, window: Option<Window>) -> Val {
    // Decimals (money) are summed in whole fen, exactly.
    let class = folded_class(source, arg);
    let in_fen = class >= Class::Cents;
    let n = frame.len();
    let Some(table) = Table::parse(&source.table) else { return Val::Num(Rc::new(vec![f64::NAN; n])) };
    let rows = Rows::new(frame, table);
    let from = window.map_or(i64::MIN, |w| window_start(frame.as_of, w));
    let column = source.column.as_ref().and_then(|(c, _)| table.column(c)).map(|c| c.column);
    let value_expr: Option<&Expr> = arg;
    // Only the accumulators this aggregate uses are allocated (at a million members each is megabytes).
    let sized = |used: bool| if used { n } else { 0 };
    let counts = matches!(func, AggFn::Count | AggFn::Share | AggFn::Sum | AggFn::Avg);
    let best = matches!(func, AggFn::Min | AggFn::Max | AggFn::First | AggFn::Last);
    let mut count = vec![0u32; sized(counts)];
    let mut hits = vec![0u32; sized(func == AggFn::Share)];
    let mut sum = vec![0f64; sized(matches!(func, AggFn::Sum | AggFn::Avg) && !in_fen)];
    let mut fen = vec![0i64; sized(matches!(func, AggFn::Sum | AggFn::Avg) && in_fen)];
    let mut best_ts = vec![NO_TIME; sized(matches!(func, AggFn::First | AggFn::Last))];
    let mut best_num = vec![f64::NAN; sized(best)];
    let mut best_time = vec![NO_TIME; sized(best)];
    let mut best_code = vec![NONE; sized(best)];
    let mut pairs: Vec<(u32, u64)> = Vec::new();
    let mut dict: Option<&Dict> = column.and_then(|c| rows.dict(c));
    // `distinct` and `top` over a text column with few values (categories, channels, event types) count codes per
    // member in a flat table instead of collecting and sorting (member, value) pairs: one pass, no sort.
    let text_dict = dict.or_else(|| value_expr.and_then(|e| row_column_of(e, table)).and_then(|c| rows.dict(c)));
    let small = text_dict.map(Dict::len).filter(|&k| match func {
        AggFn::Distinct => k > 0 && k <= 64,
        AggFn::Top => k > 0 && k.saturating_mul(n) <= TALLY_CELLS,
        _ => false,
    });
    let mut seen = vec![0u64; if func == AggFn::Distinct && small.is_some() { n } else { 0 }];
    let mut tally = vec![0u32; if func == AggFn::Top { small.map_or(0, |k| k * n) } else { 0 }];
    // The rows of a chunk that pass (reused from chunk to chunk), and for `share` the rows in range.
    let mut kept: Vec<u32> = Vec::with_capacity(CHUNK);
    let mut in_range: Vec<u32> = Vec::with_capacity(CHUNK);
    let mut money: Vec<f64> = Vec::with_capacity(CHUNK);
    let mut person_buf: Vec<u32> = Vec::with_capacity(CHUNK);
    for lo in (0..rows.len()).step_by(CHUNK) {
        let hi = (lo + CHUNK).min(rows.len());
        rows.select(source.filter.as_deref(), from, lo, hi, &mut kept);
        if kept.is_empty() {
            continue;
        }
        if func == AggFn::Share {
            in_range.clone_from(&kept);
        }
        let value = match (column, value_expr) {
            (Some(c), _) => Some(rows.column_ref(c, lo, hi, &mut money)),
            (None, Some(e)) => Some(rows.eval(e, lo, hi)),
            (None, None) => None,
        };
        let fold = value.map(|v| match v {
            RVal::Time(t) => FoldRef::Time(t),
            RVal::Codes(c, d) => {
                dict = Some(d);
                FoldRef::Codes(c)
            }
            RVal::Ids(i) => FoldRef::Ids(i),
            RVal::Num(x) => FoldRef::Num(std::borrow::Cow::Owned(x)),
            RVal::Bool(b) => FoldRef::Num(std::borrow::Cow::Owned(b.iter().map(|&x| f64::from(u8::from(x))).collect())),
            RVal::Const(Lit::Num(c)) if c.is_nan() && column.is_some() => FoldRef::Num(std::borrow::Cow::Borrowed(&money[..])),
            other => FoldRef::Num(std::borrow::Cow::Owned(rows.nums(other, hi - lo))),
        });
        // Only rows holding a value are folded (one check per kind, not per row).
        match &fold {
            Some(FoldRef::Num(v)) => kept.retain(|&k| !v[k as usize].is_nan()),
            Some(FoldRef::Time(v)) => kept.retain(|&k| v[k as usize] != NO_TIME),
            Some(FoldRef::Codes(v)) => kept.retain(|&k| v[k as usize] != NONE),
            Some(FoldRef::Ids(v)) => kept.retain(|&k| v[k as usize] != 0),
            None => {}
        }
        let person = rows.person.chunk(lo, hi, &mut person_buf);
        match (func, &fold) {
            (AggFn::Count, _) => kept.iter().for_each(|&k| count[person[k as usize] as usize] += 1),
            (AggFn::Share, _) => {
                // Every row in range counts; rows whose condition holds are hits (a missing value is not a hit).
                in_range.iter().for_each(|&k| count[person[k as usize] as usize] += 1);
                if let Some(FoldRef::Num(v)) = &fold {
                    kept.iter().filter(|&&k| v[k as usize] > 0.0).for_each(|&k| hits[person[k as usize] as usize] += 1);
                }
            }
            (AggFn::Sum | AggFn::Avg, Some(FoldRef::Num(v))) if in_fen => kept.iter().for_each(|&k| {
                let p = person[k as usize] as usize;
                fen[p] = fen[p].saturating_add((v[k as usize] * 100.0).round() as i64);
                count[p] += 1;
            }),
            (AggFn::Sum | AggFn::Avg, Some(FoldRef::Num(v))) => kept.iter().for_each(|&k| {
                let p = person[k as usize] as usize;
                sum[p] += v[k as usize];
                count[p] += 1;
            }),
            (AggFn::Min | AggFn::Max, Some(FoldRef::Num(v))) => {
                let min = func == AggFn::Min;
                kept.iter().for_each(|&k| {
                    let (p, x) = (person[k as usize] as usize, v[k as usize]);
                    let b = best_num[p];
                    if b.is_nan() || (min && x < b) || (!min && x > b) {
                        best_num[p] = x;
                    }
                });
            }
            (AggFn::Min | AggFn::Max, Some(FoldRef::Time(v))) => {
                let min = func == AggFn::Min;
                kept.iter().for_each(|&k| {
                    let (p, x) = (person[k as usize] as usize, v[k as usize]);
                    let b = best_time[p];
                    if b == NO_TIME || (min && x < b) || (!min && x > b) {
                        best_time[p] = x;
                    }
                });
            }
            (AggFn::First | AggFn::Last, Some(f)) => {
                // The earliest row for first (the first in file order on a tie); the latest for last (the last on a tie).
                let first = func == AggFn::First;
                let ts = rows.ts(lo, hi);
                for &k in &kept {
                    let k = k as usize;
                    let p = person[k] as usize;
                    let take = best_ts[p] == NO_TIME || if first { ts[k] < best_ts[p] } else { ts[k] >= best_ts[p] };
                    if take {
                        best_ts[p] = ts[k];
                        match f {
                            FoldRef::Num(v) => best_num[p] = v[k],
                            FoldRef::Time(v) => best_time[p] = v[k],
                            FoldRef::Codes(v) => best_code[p] = v[k],
                            FoldRef::Ids(_) => {}
                        }
                    }
                }
            }
            (AggFn::Distinct, Some(FoldRef::Codes(v))) if small.is_some() => {
                kept.iter().for_each(|&k| seen[person[k as usize] as usize] |= 1 << v[k as usize]);
            }
            (AggFn::Top, Some(FoldRef::Codes(v))) if small.is_some() => {
                let width = small.unwrap_or(0);
                kept.iter().for_each(|&k| tally[person[k as usize] as usize * width + v[k as usize] as usize] += 1);
            }
            (AggFn::Distinct | AggFn::Top, Some(f)) => {
                for &k in &kept {
                    let k = k as usize;
                    let key = match f {
                        // `0` and `-0` are one value.
                        FoldRef::Num(v) => (v[k] + 0.0).to_bits(),
                        FoldRef::Time(v) => v[k] as u64,
                        FoldRef::Codes(v) => u64::from(v[k]),
                        FoldRef::Ids(v) => v[k] as u64,
                    };
                    pairs.push((person[k], key));
                }
            }
            _ => {}
        }
    }
    let text_column = |codes: Vec<u32>| {
        let values = dict.map(|d| d.values().map(str::to_string).collect()).unwrap_or_default();
        Val::Text(Rc::new(TextColumn { codes, values }))
    };
    let is_time = matches!(column, Some(Column::Time)) || value_expr.is_some_and(|e| is_time_expr(e, table));
    let is_text = matches!(column, Some(Column::Category | Column::Channel | Column::Type | Column::Target))
        || value_expr.is_some_and(|e| {
            row_column_of(e, table).is_some_and(|c| matches!(c, Column::Category | Column::Channel | Column::Type | Column::Target))
        });
    match func {
        AggFn::Count => Val::Num(Rc::new(count.into_iter().map(f64::from).collect())),
        AggFn::Share => {
            Val::Num(Rc::new(count.iter().zip(&hits).map(|(&c, &h)| if c == 0 { f64::NAN } else { f64::from(h) / f64::from(c) }).collect()))
        }
        AggFn::Sum if in_fen => Val::Num(Rc::new(fen.iter().map(|&f| f as f64 / 100.0).collect())),
        AggFn::Sum => Val::Num(Rc::new(sum)),
        // The mean of money is rounded half to even to the fen; of other decimals it is the exact sum divided.
        AggFn::Avg if in_fen => Val::Num(Rc::new(
            fen.iter()
                .zip(&count)
                .map(|(&f, &c)| match (c, class) {
                    (0, _) => f64::NAN,
                    (c, Class::Money) => half_even_div(f, i64::from(c)) as f64 / 100.0,
                    (c, _) => f as f64 / 100.0 / f64::from(c),
                })
                .collect(),
        )),
        AggFn::Avg => Val::Num(Rc::new(sum.iter().zip(&count).map(|(&s, &c)| if c == 0 { f64::NAN } else { s / f64::from(c) }).collect())),
        AggFn::Min | AggFn::Max | AggFn::First | AggFn::Last => {
            if is_time {
                Val::Time(Rc::new(best_time))
            } else if is_text {
                text_column(best_code)
            } else {
                Val::Num(Rc::new(best_num))
            }
        }
        AggFn::Distinct if small.is_some() => Val::Num(Rc::new(seen.iter().map(|m| f64::from(m.count_ones())).collect())),
        AggFn::Top if small.is_some() => {
            // The most frequent value; on a tie, the value that sorts first (byte order of the text).
            let width = small.unwrap_or(0);
            let d = text_dict.or(dict);
            let mut by_text: Vec<u32> = (0..width as u32).collect();
            by_text.sort_by(|&a, &b| d.map_or("", |d| d.get(a)).cmp(d.map_or("", |d| d.get(b))));
            let codes = tally
                .chunks_exact(width)
                .map(|counts| {
                    let (mut best, mut code) = (0, NONE);
                    for &c in &by_text {
                        if counts[c as usize] > best {
                            (best, code) = (counts[c as usize], c);
                        }
                    }
                    code
                })
                .collect();
            text_column(codes)
        }
        AggFn::Distinct => {
            let mut out = vec![0.0; n];
            for_each_person(pairs, n, |p, keys| {
                keys.sort_unstable();
                let mut distinct = 0;
                for (i, k) in keys.iter().enumerate() {
                    distinct += usize::from(i == 0 || keys[i - 1] != *k);
                }
                out[p] = distinct as f64;
            });
            Val::Num(Rc::new(out))
        }
        AggFn::Top => {
            // The most frequent value; on a tie, the value that sorts first (byte order of the text).
            let mut codes = vec![NONE; n];
            for_each_person(pairs, n, |p, keys| {
                keys.sort_unstable();
                let (mut best, mut best_text) = (0usize, "");
                let mut i = 0;
                while i < keys.len() {
                    let j = i + keys[i..].iter().take_while(|&&k| k == keys[i]).count();
                    let text = dict.map_or("", |d| d.get(keys[i] as u32));
                    if j - i > best || (j - i == best && text < best_text) {
                        (best, best_text) = (j - i, text);
                        codes[p] = keys[i] as u32;
                    }
                    i = j;
                }
            });
            text_column(codes)
        }
    }
}

/// `a / b` for `b > 0`, rounded half to even.
pub(crate) fn half_even_div(a: i64, b: i64) -> i64 {
    let (q, r) = (a.div_euclid(b), a.rem_euclid(b));
    match (2 * r).cmp(&b) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

fn row_column_of(e: &Expr, table: Table) -> Option<Column> {
    match &e.kind {
        ExprKind::Name(parts) => row_column(parts, table),
        _ => None,
    }
}

fn is_time_expr(e: &Expr, table: Table) -> bool {
    row_column_of(e, table) == Some(Column::Time)
}

/// The `(member, time)` pairs of the rows of one step, sorted; only of the members in `only` when given.
fn step(frame: &Frame<'_>, did: &Did, only: Option<&[bool]>) -> Vec<(u32, i64)> {
    let Some(table) = Table::parse(&did.source.table) else { return Vec::new() };
    let rows = Rows::new(frame, table);
    let from = did.window.map_or(i64::MIN, |w| window_start(frame.as_of, w));
    let mut out = Vec::new();
    let mut person_buf = Vec::with_capacity(CHUNK);
    for lo in (0..rows.len()).step_by(CHUNK) {
        let hi = (lo + CHUNK).min(rows.len());
        let mask = rows.mask(did.source.filter.as_deref(), from, lo, hi);
        let ts = rows.ts(lo, hi);
        let person = rows.person.chunk(lo, hi, &mut person_buf);
        for (k, &keep) in mask.iter().enumerate() {
            let p = person[k];
            if keep && !matches!(only, Some(only) if !only[p as usize]) {
                out.push((p, ts[k]));
            }
        }
    }
    // Group by member in linear time (a counting sort), then order each member's few times.
    let mut sorted = Vec::with_capacity(out.len());
    let n = frame.len();
    for_each_person(out, n, |p, times| {
        times.sort_unstable();
        sorted.extend(times.iter().map(|&t| (p as u32, t)));
    });
    sorted
}

/// Groups `(member, value)` pairs by member with a counting sort (linear in pairs + members, where sorting all
/// pairs would be `n log n`) and calls `f` with each member that has any, in member order, and its values.
fn for_each_person<K: Copy + Default>(pairs: Vec<(u32, K)>, members: usize, mut f: impl FnMut(usize, &mut [K])) {
    let mut start = vec![0u32; members + 1];
    for &(p, _) in &pairs {
        start[p as usize + 1] += 1;
    }
    for i in 0..members {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut values = vec![K::default(); pairs.len()];
    for (p, k) in pairs {
        values[next[p as usize] as usize] = k;
        next[p as usize] += 1;
    }
    for p in 0..members {
        let (a, b) = (start[p] as usize, start[p + 1] as usize);
        if a < b {
            f(p, &mut values[a..b]);
        }
    }
}

/// `did(A)`: members with a row of A. `did(A) then did(B) within W`: members with an A at time `t` and a B in
/// `[t, t + W]`. `did(A) then not did(B) within W`: members with an A at `t` whose whole window has passed by the
/// end of the analysis date (`t + W` at or before it) and no B in `[t, t + W]`. When A and B read the same table
/// the B must come strictly after `t` (`(t, t + W]`), so a row never follows itself: `did(orders) then
/// did(orders) within 30d` asks for a second order, and the lines of one order (one time) do not count.
pub(super) fn sequence(frame: &Frame<'_>, first: &Did, then: Option<&Then>) -> RoaringBitmap {
    let a = step(frame, first, None);
    let Some(then) = then else {
        return RoaringBitmap::from_sorted_iter(dedup_people(&a)).unwrap_or_default();
    };
    // Only the rows of B of members with an A can matter: sorting those alone keeps the second step small.
    let mut with_a = vec![false; frame.len()];
    a.iter().for_each(|&(p, _)| with_a[p as usize] = true);
    let b = step(frame, &then.did, Some(&with_a));
    let within = then.within.round() as i64;
    let same_table = Table::parse(&first.source.table) == Table::parse(&then.did.source.table);
    let mut out = RoaringBitmap::new();
    let mut j = 0;
    for (i, &(p, t)) in a.iter().enumerate() {
        if i > 0 && a[i - 1].0 == p && out.contains(p) {
            continue;
        }
        while j < b.len() && (b[j].0 < p || (b[j].0 == p && (b[j].1 < t || (same_table && b[j].1 == t)))) {
            j += 1;
        }
        let followed = j < b.len() && b[j].0 == p && b[j].1 <= t + within;
        let hit = if then.negated { !followed && t + within <= frame.limit } else { followed };
        if hit {
            out.insert(p);
        }
    }
    out
}

fn dedup_people(pairs: &[(u32, i64)]) -> Vec<u32> {
    let mut people: Vec<u32> = pairs.iter().map(|&(p, _)| p).collect();
    people.dedup();
    people
}
