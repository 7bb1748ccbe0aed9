//! Indexes that let an audience condition on a metric or an enumerated value be answered by bitmap algebra
//! instead of a pass over every member: per-value member sets of a text column (an enumerated tag, the RFM
//! segment, the lifecycle stage) and a rank index of a number column (a metric, a metric definition).
//!
//! Both are built on first use from one column and kept beside it: an entry holds the column itself (an `Rc`
//! shared with the tag cache or the metric columns), so it is found again by pointer identity and can never be
//! confused with a later column at the same address. An entry whose column nobody else holds any more (new data,
//! an edited tag) is dropped the next time an index is built.
//!
//! The rank index sorts the members with a value (never `NaN`) by value and keeps, every `step` ranks, the set of
//! members ranked below (a prefix) as a bit array over every member. The members holding for `x < c` are the
//! members ranked below the first rank whose value is not `< c`: a copy of the nearest kept prefix with the few
//! members between it and that rank set or cleared, made a set in one go; a range of ranks is the difference of
//! two such arrays, or, when it is short, its members sorted. Comparisons are those of the rule evaluator (`f64` compared as `partial_cmp` does, so a missing value
//! or a `NaN` constant never holds, and `-0 == 0`).

use super::histogram::{text_counts, BaseBins};
use crate::base::dict::NONE;
use crate::metrics::{FrameCache, TextColumn};
use crate::rules::ast::BinOp;
use crate::rules::eval::total_order_key;
use roaring::RoaringBitmap;
use std::cell::RefCell;
use std::rc::Rc;

/// The number of ranks between two kept prefixes is about the number of members over this (at least 1,024), so
/// the kept bit arrays take about 8 bytes per member.
const PREFIXES: usize = 64;

/// Text columns with at most this many values are indexed through one bit array per value.
const BIT_ARRAY_VALUES: usize = 16;

/// The members of each value of a text column.
#[derive(Debug)]
pub struct ValueSets {
    /// The members with value `i`, by value index.
    pub sets: Vec<RoaringBitmap>,
    /// The members with any value.
    pub present: RoaringBitmap,
}

impl ValueSets {
    /// Builds the sets by one pass over the codes: into one bit array per value when there are few values (then
    /// each array becomes a set in one go), else into one list of members per value.
    pub fn build(column: &TextColumn) -> ValueSets {
        let k = column.values.len();
        let n = column.codes.len();
        if k <= BIT_ARRAY_VALUES {
            let bytes = n.div_ceil(8);
            let mut arrays = vec![vec![0u8; bytes]; k + 1];
            for (p, &c) in column.codes.iter().enumerate() {
                let slot = if c == NONE { k } else { (c as usize).min(k) };
                arrays[slot][p >> 3] |= 1 << (p & 7);
            }
            arrays.truncate(k);
            let sets: Vec<RoaringBitmap> = arrays.iter().map(|a| RoaringBitmap::from_lsb0_bytes(0, a)).collect();
            let mut present = RoaringBitmap::new();
            for s in &sets {
                present |= s;
            }
            return ValueSets { sets, present };
        }
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); k];
        for (p, &c) in column.codes.iter().enumerate() {
            if c != NONE {
                if let Some(list) = lists.get_mut(c as usize) {
                    list.push(p as u32);
                }
            }
        }
        let sets: Vec<RoaringBitmap> = lists.into_iter().map(|l| RoaringBitmap::from_sorted_iter(l).unwrap_or_default()).collect();
        let mut present = RoaringBitmap::new();
        for s in &sets {
            present |= s;
        }
        ValueSets { sets, present }
    }

    /// The members whose value satisfies `hit` (by value index).
    pub fn union(&self, hit: impl Fn(usize) -> bool) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        for (i, s) in self.sets.iter().enumerate() {
            if hit(i) {
                out |= s;
            }
        }
        out
    }

    /// Bytes held (serialized size of the sets, a close estimate of their memory).
    pub fn bytes(&self) -> usize {
        self.sets.iter().chain(std::iter::once(&self.present)).map(RoaringBitmap::serialized_size).sum()
    }
}

/// A rank index of a number column (see the module documentation).
#[derive(Debug)]
pub struct RankIndex {
    /// Members with a value, by ascending value (ties by member).
    order: Vec<u32>,
    /// Ranks between kept prefixes.
    step: usize,
    /// Bytes of one bit array over every member (bit `p` of byte `p / 8`, least significant first).
    bytes: usize,
    /// The kept prefixes, one bit array after the other: array `k - 1` holds the members ranked below `k × step`,
    /// for `k` in `1..=order.len() / step`.
    prefix: Vec<u8>,
    /// Every member with a value, as a bit array.
    present: Vec<u8>,
    /// Ranges of ranks at most this long are gathered and sorted into a set (see [`SORTED_RANGE`]).
    sorted_range: usize,
}

/// Ranges of ranks at most this long are gathered and sorted into a set; longer ones are made from bit arrays.
const SORTED_RANGE: usize = 2048;

impl RankIndex {
    /// Builds the index of `values` (`NaN` = missing).
    pub fn build(values: &[f64]) -> RankIndex {
        RankIndex::with_step(values, (values.len() / PREFIXES).max(1024), SORTED_RANGE)
    }

    /// Builds the index keeping a prefix every `step` ranks.
    fn with_step(values: &[f64], step: usize, sorted_range: usize) -> RankIndex {
        let step = step.max(1);
        // By value in total_cmp's order (ties by member): -0 before 0, which partial_cmp calls equal; both orders
        // agree on every `<` and `<=` against a constant, so a comparison still holds on one range of ranks.
        let order = sorted_members(values);
        let bytes = values.len().div_ceil(8);
        let kept = order.len() / step;
        let mut prefix = vec![0u8; kept * bytes];
        let mut running = vec![0u8; bytes];
        for (k, chunk) in order.chunks_exact(step).enumerate() {
            set_bits(&mut running, chunk);
            prefix[k * bytes..(k + 1) * bytes].copy_from_slice(&running);
        }
        let mut present = vec![0u8; bytes];
        for (p, v) in values.iter().enumerate() {
            if !v.is_nan() {
                present[p >> 3] |= 1 << (p & 7);
            }
        }
        RankIndex { order, step, bytes, prefix, present, sorted_range }
    }

    /// The members ranked below `rank`, as a bit array: the nearest kept set (a prefix, the empty set or every
    /// member with a value) with the members between it and `rank` set or cleared.
    fn below(&self, rank: usize) -> Vec<u8> {
        let n = self.order.len();
        let rank = rank.min(n);
        let kept = self.prefix.len() / self.bytes.max(1);
        let k = ((rank + self.step / 2) / self.step).min(kept);
        let at = k * self.step;
        let (start, mut out) = if n - rank < rank.abs_diff(at) {
            (n, self.present.clone())
        } else if k == 0 {
            (0, vec![0u8; self.bytes])
        } else {
            (at, self.prefix[(k - 1) * self.bytes..k * self.bytes].to_vec())
        };
        if start <= rank {
            set_bits(&mut out, &self.order[start..rank]);
        } else {
            for &p in &self.order[rank..start] {
                out[p as usize >> 3] &= !(1 << (p & 7));
            }
        }
        out
    }

    /// The members ranked in `from..to`, gathered and sorted into a set.
    fn members(&self, from: usize, to: usize) -> RoaringBitmap {
        let mut members = self.order[from..to].to_vec();
        members.sort_unstable();
        RoaringBitmap::from_sorted_iter(members).unwrap_or_default()
    }

    /// The members whose value `v` satisfies `v op c` (`==`, `!=`, `<`, `<=`, `>`, `>=`), reading values from
    /// `values` (the column the index was built from).
    pub fn compare(&self, values: &[f64], op: BinOp, c: f64) -> RoaringBitmap {
        if c.is_nan() {
            return RoaringBitmap::new();
        }
        let lt = self.order.partition_point(|&p| values[p as usize] < c);
        let le = lt + self.order[lt..].partition_point(|&p| values[p as usize] <= c);
        let n = self.order.len();
        match op {
            BinOp::Lt => self.range(0, lt),
            BinOp::Le => self.range(0, le),
            BinOp::Gt => self.range(le, n),
            BinOp::Ge => self.range(lt, n),
            BinOp::Eq => self.range(lt, le),
            BinOp::Ne => {
                let mut out = self.present.clone();
                if le - lt <= self.sorted_range {
                    for &p in &self.order[lt..le] {
                        out[p as usize >> 3] &= !(1 << (p & 7));
                    }
                } else {
                    and_not(&mut out, &self.below(le));
                    or(&mut out, &self.below(lt));
                }
                RoaringBitmap::from_lsb0_bytes(0, &out)
            }
            _ => RoaringBitmap::new(),
        }
    }

    /// The members whose value lies in `low..=high` (`between`).
    pub fn between(&self, values: &[f64], low: f64, high: f64) -> RoaringBitmap {
        if low.is_nan() || high.is_nan() {
            return RoaringBitmap::new();
        }
        let lo = self.order.partition_point(|&p| values[p as usize] < low);
        let hi = self.order.partition_point(|&p| values[p as usize] <= high);
        self.range(lo, hi)
    }

    /// The members ranked in `from..to`: few of them sorted into a set; otherwise the bit array below `to` without
    /// the one below `from`.
    fn range(&self, from: usize, to: usize) -> RoaringBitmap {
        if to <= from {
            return RoaringBitmap::new();
        }
        if to - from <= self.sorted_range {
            return self.members(from, to);
        }
        let mut out = self.below(to);
        if from > 0 {
            and_not(&mut out, &self.below(from));
        }
        RoaringBitmap::from_lsb0_bytes(0, &out)
    }

    /// Bytes held: the rank order and the kept bit arrays.
    pub fn bytes(&self) -> usize {
        self.order.len() * 4 + self.prefix.len() + self.present.len()
    }
}

/// Sets the bits of `members` in a bit array.
fn set_bits(bits: &mut [u8], members: &[u32]) {
    for &p in members {
        bits[p as usize >> 3] |= 1 << (p & 7);
    }
}

/// `a &= !b`, byte by byte (the compiler makes it wide).
fn and_not(a: &mut [u8], b: &[u8]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x &= !y);
}

/// `a |= b`, byte by byte.
fn or(a: &mut [u8], b: &[u8]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x |= y);
}

/// An index beside the column it indexes.
type Kept<C, I> = (Rc<C>, Rc<I>);

/// Bins of a histogram: how many, and whether whole numbers.
type BinsKey = (usize, bool);

/// A result beside the column it was computed from and what else it depends on.
type Keyed<C, K, I> = (Rc<C>, K, Rc<I>);

/// The members with a value (not `NaN`) by ascending value in `f64::total_cmp`'s order, ties by member: a stable
/// radix sort (16 bits a pass, passes where every key has the same digit skipped) of the value's bits mapped so
/// that unsigned order is total_cmp's.
fn sorted_members(values: &[f64]) -> Vec<u32> {
    let mut a: Vec<(u64, u32)> =
        values.iter().enumerate().filter(|(_, v)| !v.is_nan()).map(|(p, &v)| (total_order_key(v), p as u32)).collect();
    let mut b = vec![(0u64, 0u32); a.len()];
    let mut starts = vec![0usize; 1 << 16];
    for shift in [0u32, 16, 32, 48] {
        starts.iter_mut().for_each(|c| *c = 0);
        for &(k, _) in &a {
            starts[((k >> shift) & 0xffff) as usize] += 1;
        }
        if starts.contains(&a.len()) {
            continue;
        }
        let mut at = 0;
        for c in starts.iter_mut() {
            let n = *c;
            *c = at;
            at += n;
        }
        for &x in &a {
            let d = ((x.0 >> shift) & 0xffff) as usize;
            b[starts[d]] = x;
            starts[d] += 1;
        }
        std::mem::swap(&mut a, &mut b);
    }
    a.into_iter().map(|(_, p)| p).collect()
}

/// The indexes built so far, each beside the column it indexes.
#[derive(Default)]
pub struct Indexes {
    texts: RefCell<Vec<Kept<TextColumn, ValueSets>>>,
    numbers: RefCell<Vec<Kept<Vec<f64>, RankIndex>>>,
    /// Portraits against every member: each text column's count of every member per value.
    counts: RefCell<Vec<Kept<TextColumn, Vec<u64>>>>,
    /// Portraits against every member: each metric's bins and base statistics, by bin count and whole numbers.
    bins: RefCell<Vec<Keyed<Vec<f64>, BinsKey, BaseBins>>>,
    /// Member attributes as text over members, by attribute index, for the metric columns (one computation)
    /// they were read beside.
    attributes: RefCell<Vec<Keyed<FrameCache, usize, TextColumn>>>,
}

impl std::fmt::Debug for Indexes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (texts, numbers, bytes) = self.usage();
        f.debug_struct("Indexes").field("texts", &texts).field("numbers", &numbers).field("bytes", &bytes).finish()
    }
}

impl Indexes {
    /// The value sets of `column`, built on first use.
    pub fn values(&self, column: &Rc<TextColumn>) -> Rc<ValueSets> {
        self.kept(&self.texts, column, || ValueSets::build(column))
    }

    /// The rank index of `column`, built on first use.
    pub fn ranks(&self, column: &Rc<Vec<f64>>) -> Rc<RankIndex> {
        self.kept(&self.numbers, column, || RankIndex::build(column))
    }

    /// The index kept in `list` beside `column`, or the one `build` makes, kept from now on (after the indexes of
    /// columns nobody holds any more are dropped).
    fn kept<C, I>(&self, list: &RefCell<Vec<Kept<C, I>>>, column: &Rc<C>, build: impl FnOnce() -> I) -> Rc<I> {
        let found = list.borrow().iter().find(|(c, _)| Rc::ptr_eq(c, column)).map(|(_, v)| v.clone());
        if let Some(v) = found {
            return v;
        }
        let built = Rc::new(build());
        self.prune();
        list.borrow_mut().push((column.clone(), built.clone()));
        built
    }

    /// Drops the indexes whose columns nobody else holds any more (new data, an edited tag).
    pub fn prune(&self) {
        self.texts.borrow_mut().retain(|(c, _)| Rc::strong_count(c) > 1);
        self.numbers.borrow_mut().retain(|(c, _)| Rc::strong_count(c) > 1);
        self.counts.borrow_mut().retain(|(c, _)| Rc::strong_count(c) > 1);
        self.bins.borrow_mut().retain(|(c, ..)| Rc::strong_count(c) > 1);
        self.attributes.borrow_mut().retain(|(c, ..)| Rc::strong_count(c) > 1);
    }

    /// Every member counted by value of `column` (the last slot: without a value), counted on first use.
    pub fn counts_of_all(&self, column: &Rc<TextColumn>) -> Rc<Vec<u64>> {
        self.kept(&self.counts, column, || text_counts(column, None))
    }

    /// The bins of `values` over every member (`bins` bins, whole numbers or not), built by `build` on first use.
    pub fn base_bins(&self, values: &Rc<Vec<f64>>, whole: bool, bins: usize, build: impl FnOnce() -> BaseBins) -> Rc<BaseBins> {
        let found = self.bins.borrow().iter().find(|(c, k, _)| Rc::ptr_eq(c, values) && *k == (bins, whole)).map(|x| x.2.clone());
        if let Some(v) = found {
            return v;
        }
        let built = Rc::new(build());
        self.prune();
        self.bins.borrow_mut().push((values.clone(), (bins, whole), built.clone()));
        built
    }

    /// Member attribute `i` as text over members, read by `build` the first time it is needed beside the metric
    /// columns `columns` (new data or a new computation brings new metric columns, so it is read again).
    pub fn attribute(&self, columns: &Rc<FrameCache>, i: usize, build: impl FnOnce() -> TextColumn) -> Rc<TextColumn> {
        let found = self.attributes.borrow().iter().find(|(c, j, _)| Rc::ptr_eq(c, columns) && *j == i).map(|x| x.2.clone());
        if let Some(v) = found {
            return v;
        }
        let built = Rc::new(build());
        self.prune();
        self.attributes.borrow_mut().push((columns.clone(), i, built.clone()));
        built
    }

    /// How many indexes are kept (text columns, number columns) and the bytes they and the kept attribute columns
    /// hold.
    pub fn usage(&self) -> (usize, usize, usize) {
        let texts = self.texts.borrow();
        let numbers = self.numbers.borrow();
        let attributes: usize = self.attributes.borrow().iter().map(|(.., t)| t.codes.len() * 4).sum();
        let bytes =
            texts.iter().map(|(_, v)| v.bytes()).sum::<usize>() + numbers.iter().map(|(_, v)| v.bytes()).sum::<usize>() + attributes;
        (texts.len(), numbers.len(), bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::SplitMix64;

    fn brute(values: &[f64], op: BinOp, c: f64) -> RoaringBitmap {
        let hit = |v: f64| match op {
            BinOp::Eq => v == c,
            BinOp::Ne => !v.is_nan() && !c.is_nan() && v != c,
            BinOp::Lt => v < c,
            BinOp::Le => v <= c,
            BinOp::Gt => v > c,
            _ => v >= c,
        };
        (0..values.len() as u32).filter(|&p| hit(values[p as usize])).collect()
    }

    #[test]
    fn ranges_equal_brute_force() {
        let mut rng = SplitMix64::new(5);
        for round in 0..40 {
            let n = 1 + rng.below(700) as usize;
            let distinct = 1 + rng.below(if round % 2 == 0 { 8 } else { 500 });
            let values: Vec<f64> = (0..n)
                .map(|_| match rng.below(10) {
                    0 => f64::NAN,
                    1 => -0.0,
                    2 if round % 3 == 2 => (rng.unit() - 0.5) * 1e6,
                    3 if round % 3 == 2 => (rng.unit() - 0.5) * 1e-6,
                    _ => rng.below(distinct) as f64 - 3.0,
                })
                .collect();
            let step = [1, 2, 3, 7, 64, 4096][round % 6];
            // Short ranges sorted into sets, or every range made from bit arrays.
            let index = RankIndex::with_step(&values, step, [0, 5, SORTED_RANGE][round % 3]);
            let mut stable: Vec<u32> = (0..n as u32).filter(|&p| !values[p as usize].is_nan()).collect();
            stable.sort_by(|&a, &b| values[a as usize].total_cmp(&values[b as usize]));
            assert_eq!(index.order, stable, "radix order");
            let mut constants: Vec<f64> = vec![f64::NAN, 0.0, -0.0, -4.0, 1e9, f64::INFINITY, f64::NEG_INFINITY, 2.5];
            constants.extend((0..6).map(|_| values[rng.below(n as u64) as usize]));
            for &c in &constants {
                for op in [BinOp::Eq, BinOp::Ne, BinOp::Lt, BinOp::Le, BinOp::Gt, BinOp::Ge] {
                    assert_eq!(index.compare(&values, op, c), brute(&values, op, c), "{op:?} {c} step {step}");
                }
                for &d in &constants {
                    let both = brute(&values, BinOp::Ge, c) & brute(&values, BinOp::Le, d);
                    assert_eq!(index.between(&values, c, d), both, "between {c} and {d}");
                }
            }
        }
    }

    #[test]
    fn value_sets_partition_the_present_members() {
        let column = TextColumn { codes: vec![0, NONE, 2, 1, 0, NONE, 2], values: vec!["a".into(), "b".into(), "c".into()] };
        let sets = ValueSets::build(&column);
        assert_eq!(sets.present.iter().collect::<Vec<_>>(), [0, 2, 3, 4, 6]);
        assert_eq!(sets.union(|i| i != 1).iter().collect::<Vec<_>>(), [0, 2, 4, 6]);
        // Many values take the other path: the same sets.
        let many: Vec<String> = (0..40).map(|i| format!("v{i}")).collect();
        let codes: Vec<u32> = (0..100_000u32).map(|p| if p % 7 == 0 { NONE } else { p.wrapping_mul(2_654_435_761) % 40 }).collect();
        let wide = ValueSets::build(&TextColumn { codes: codes.clone(), values: many });
        for (v, set) in wide.sets.iter().enumerate() {
            assert!(set.iter().all(|p| codes[p as usize] == v as u32));
            assert_eq!(set.len(), codes.iter().filter(|&&c| c == v as u32).count() as u64);
        }
        let narrow = ValueSets::build(&TextColumn {
            codes: codes.iter().map(|&c| if c == NONE { c } else { c % 5 }).collect(),
            values: (0..5).map(|i| i.to_string()).collect(),
        });
        assert_eq!(narrow.present, wide.present);
        assert_eq!(
            narrow.sets[3],
            wide.sets[3].clone()
                | &wide.sets[8]
                | &wide.sets[13]
                | &wide.sets[18]
                | &wide.sets[23]
                | &wide.sets[28]
                | &wide.sets[33]
                | &wide.sets[38]
        );
        let indexes = Indexes::default();
        let column = Rc::new(column);
        let a = indexes.values(&column);
        assert!(Rc::ptr_eq(&a, &indexes.values(&column)), "built once");
        drop(column);
        indexes.prune();
        assert_eq!(indexes.usage().0, 0, "dropped with its column");
    }
}
