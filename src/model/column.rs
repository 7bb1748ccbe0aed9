//! Encoded row columns: the order and event columns held after load, narrower than the staged `Vec`s.
//!
//! [`Ints`] holds 64-bit integers (times, money, order-number hashes) as unsigned offsets from the column's
//! smallest value, in the narrowest of 0 (one value repeated), 8, 16 or 32 bits that holds the column's span, and
//! falls back to plain `i64` when the span is wider. [`Codes`] holds dictionary codes the same way (a code is
//! stored plus one, so [`NONE`](crate::base::dict::NONE) is 0 and a column of codes below 255 takes one byte a row). [`Nodes`] holds the
//! identifier node of each row as runs (end row, node) when consecutive rows share a node often enough to pay
//! (files grouped by member), and as plain `u32` otherwise. Every column is built from a staged `Vec` and can be
//! extended by a later file: the new values are appended in place when they fit the width, and the column is
//! re-encoded at a wider width (or as plain nodes) when they do not.
//!
//! Readers get one value with `get(i)`, or decode a range of rows into a reused buffer with `chunk`, which hot
//! loops use a few thousand rows at a time (a plain `i64` column lends its own slice instead).

/// Stored offsets at one width.
#[derive(Clone, Debug, Default)]
enum Store {
    /// Every row holds the base value.
    #[default]
    Const,
    /// Offsets below 2^8.
    U8(Vec<u8>),
    /// Offsets below 2^16.
    U16(Vec<u16>),
    /// Offsets below 2^32.
    U32(Vec<u32>),
    /// The values themselves.
    Wide(Vec<i64>),
}

/// Calls `$body` with `$v` bound to the offsets of any narrow store; `$wide` and `$const` handle the others.
macro_rules! narrow {
    ($store:expr, $v:ident => $body:expr, $w:ident => $wide:expr, const => $konst:expr) => {
        match $store {
            Store::U8($v) => $body,
            Store::U16($v) => $body,
            Store::U32($v) => $body,
            Store::Wide($w) => $wide,
            Store::Const => $konst,
        }
    };
}

impl Store {
    /// An empty store for offsets up to `span` (`None`: wider than 32 bits), with room for `cap` rows.
    fn for_span(span: Option<u64>, cap: usize) -> Store {
        match span {
            Some(0) => Store::Const,
            Some(s) if s <= u64::from(u8::MAX) => Store::U8(Vec::with_capacity(cap)),
            Some(s) if s <= u64::from(u16::MAX) => Store::U16(Vec::with_capacity(cap)),
            Some(s) if s <= u64::from(u32::MAX) => Store::U32(Vec::with_capacity(cap)),
            _ => Store::Wide(Vec::with_capacity(cap)),
        }
    }

    /// Appends values (every one within the store's span above `base`).
    fn push_all(&mut self, base: i64, values: impl Iterator<Item = i64>) {
        // The offset fits the store's width by construction, so the casts below never truncate.
        let off = |x: i64| x.wrapping_sub(base) as u64;
        match self {
            Store::Const => values.for_each(drop),
            Store::U8(v) => v.extend(values.map(|x| off(x) as u8)),
            Store::U16(v) => v.extend(values.map(|x| off(x) as u16)),
            Store::U32(v) => v.extend(values.map(|x| off(x) as u32)),
            Store::Wide(v) => v.extend(values),
        }
    }

    fn reserve_exact(&mut self, more: usize) {
        narrow!(self, v => v.reserve_exact(more), w => w.reserve_exact(more), const => ())
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Store::Const => 0,
            Store::U8(v) => v.capacity(),
            Store::U16(v) => v.capacity() * 2,
            Store::U32(v) => v.capacity() * 4,
            Store::Wide(v) => v.capacity() * 8,
        }
    }

    /// Bytes per row (0 for a constant).
    fn width(&self) -> usize {
        match self {
            Store::Const => 0,
            Store::U8(_) => 1,
            Store::U16(_) => 2,
            Store::U32(_) => 4,
            Store::Wide(_) => 8,
        }
    }
}

/// The span of `lo..=hi` as an unsigned offset, or `None` when it needs more than 32 bits.
fn span(lo: i64, hi: i64) -> Option<u64> {
    u64::try_from(i128::from(hi) - i128::from(lo)).ok().filter(|&s| s <= u64::from(u32::MAX))
}

/// A column of 64-bit integers, stored as offsets from its smallest value at the narrowest width that holds them.
#[derive(Clone, Debug, Default)]
pub struct Ints {
    len: usize,
    /// The smallest value (the value of every row of a constant column).
    min: i64,
    /// The largest value.
    max: i64,
    store: Store,
}

impl Ints {
    /// Encodes a staged column (a column too wide to narrow is moved in, not copied).
    pub fn encode(values: Vec<i64>) -> Ints {
        let (Some(&min), Some(&max)) = (values.iter().min(), values.iter().max()) else { return Ints::default() };
        if span(min, max).is_none() {
            let mut v = values;
            v.shrink_to_fit();
            return Ints { len: v.len(), min, max, store: Store::Wide(v) };
        }
        let mut out = Ints::default();
        out.extend_with(min, max, values.len(), values.into_iter());
        out
    }

    /// Appends a later file's values, widening the column when they do not fit its width.
    pub fn extend(&mut self, values: Vec<i64>) {
        let (Some(&lo), Some(&hi)) = (values.iter().min(), values.iter().max()) else { return };
        if self.len == 0 {
            *self = Ints::encode(values);
        } else {
            self.extend_with(lo, hi, values.len(), values.into_iter());
        }
    }

    /// Appends `n` values whose smallest is `lo` and largest `hi`, re-encoding the column when they do not fit.
    fn extend_with(&mut self, lo: i64, hi: i64, n: usize, values: impl Iterator<Item = i64>) {
        if n == 0 {
            return;
        }
        let (min, max) = if self.len == 0 { (lo, hi) } else { (self.min.min(lo), self.max.max(hi)) };
        let fits = self.len > 0
            && match &self.store {
                Store::Wide(_) => true,
                Store::Const => min == max,
                s => min == self.min && span(min, max).is_some_and(|sp| Store::for_span(Some(sp), 0).width() <= s.width()),
            };
        if fits {
            self.store.reserve_exact(n);
        } else {
            let mut store = Store::for_span(span(min, max), self.len + n);
            store.push_all(min, (0..self.len).map(|i| self.get(i)));
            self.store = store;
        }
        self.min = min;
        self.max = max;
        self.len += n;
        self.store.push_all(min, values);
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value of row `i` (panics past the end, like a slice).
    pub fn get(&self, i: usize) -> i64 {
        assert!(i < self.len, "row {i} of {}", self.len);
        let base = self.min;
        narrow!(&self.store, v => base + v[i] as i64, w => w[i], const => base)
    }

    /// The values of rows `lo..hi`: decoded into `buf`, or the column's own slice when it is stored plain.
    pub fn chunk<'s>(&'s self, lo: usize, hi: usize, buf: &'s mut Vec<i64>) -> &'s [i64] {
        if let Store::Wide(w) = &self.store {
            return &w[lo..hi];
        }
        self.decode(lo, hi, buf);
        buf
    }

    /// The values of rows `lo..hi`, into `out` (cleared first).
    pub fn decode(&self, lo: usize, hi: usize, out: &mut Vec<i64>) {
        self.decode_with(lo, hi, out, |x| x);
    }

    /// The values of rows `lo..hi` mapped through `f`, into `out` (cleared first); one tight loop per width.
    pub fn decode_with<T: Copy>(&self, lo: usize, hi: usize, out: &mut Vec<T>, f: impl Fn(i64) -> T) {
        assert!(lo <= hi && hi <= self.len, "rows {lo}..{hi} of {}", self.len);
        out.clear();
        let base = self.min;
        match &self.store {
            Store::Wide(w) => out.extend(w[lo..hi].iter().map(|&x| f(x))),
            Store::Const => out.resize(hi - lo, f(base)),
            Store::U8(v) => out.extend(v[lo..hi].iter().map(|&x| f(base + i64::from(x)))),
            Store::U16(v) => out.extend(v[lo..hi].iter().map(|&x| f(base + i64::from(x)))),
            Store::U32(v) => out.extend(v[lo..hi].iter().map(|&x| f(base + i64::from(x)))),
        }
    }

    /// The stored offsets `a..b` that mean values in `from..to` (an empty range when none can).
    fn offset_range(&self, from: i64, to: i64) -> (u64, u64) {
        let clamp = |x: i128| x.clamp(0, i128::from(u64::MAX)) as u64;
        let base = i128::from(self.min);
        (clamp(i128::from(from) - base), clamp(i128::from(to) - base))
    }

    /// Appends to `out` the offset `k` of every row `lo + k` of `lo..hi` whose value is in `from..to`, comparing
    /// the stored offsets without decoding them.
    pub fn select_range(&self, lo: usize, hi: usize, from: i64, to: i64, out: &mut Vec<u32>) {
        assert!(lo <= hi && hi <= self.len, "rows {lo}..{hi} of {}", self.len);
        let (a, b) = self.offset_range(from, to);
        let keep = |(k, x): (usize, u64)| (x >= a && x < b).then_some(k as u32);
        match &self.store {
            Store::Wide(w) => out.extend(w[lo..hi].iter().enumerate().filter(|(_, &t)| t >= from && t < to).map(|(k, _)| k as u32)),
            Store::Const => {
                if (from..to).contains(&self.min) {
                    out.extend(0..(hi - lo) as u32);
                }
            }
            Store::U8(v) => out.extend(v[lo..hi].iter().map(|&x| u64::from(x)).enumerate().filter_map(keep)),
            Store::U16(v) => out.extend(v[lo..hi].iter().map(|&x| u64::from(x)).enumerate().filter_map(keep)),
            Store::U32(v) => out.extend(v[lo..hi].iter().map(|&x| u64::from(x)).enumerate().filter_map(keep)),
        }
    }

    /// Whether each row of `lo..hi` holds a value in `from..to`, comparing the stored offsets.
    pub fn range_mask(&self, lo: usize, hi: usize, from: i64, to: i64) -> Vec<bool> {
        assert!(lo <= hi && hi <= self.len, "rows {lo}..{hi} of {}", self.len);
        let (a, b) = self.offset_range(from, to);
        let inside = |x: u64| x >= a && x < b;
        match &self.store {
            Store::Wide(w) => w[lo..hi].iter().map(|&t| t >= from && t < to).collect(),
            Store::Const => vec![(from..to).contains(&self.min); hi - lo],
            Store::U8(v) => v[lo..hi].iter().map(|&x| inside(u64::from(x))).collect(),
            Store::U16(v) => v[lo..hi].iter().map(|&x| inside(u64::from(x))).collect(),
            Store::U32(v) => v[lo..hi].iter().map(|&x| inside(u64::from(x))).collect(),
        }
    }

    /// Every value in row order.
    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len).map(move |i| self.get(i))
    }

    /// The largest value, if any.
    pub fn max(&self) -> Option<i64> {
        (self.len > 0).then_some(self.max)
    }

    /// The smallest value, if any.
    pub fn min(&self) -> Option<i64> {
        (self.len > 0).then_some(self.min)
    }

    /// Heap bytes held (capacity, not length).
    pub fn heap_bytes(&self) -> usize {
        self.store.heap_bytes()
    }

    /// Bytes per row (0 for a constant column, 8 for a plain one).
    pub fn width(&self) -> usize {
        self.store.width()
    }
}

/// A column of dictionary codes ([`NONE`](crate::base::dict::NONE) when empty), stored like [`Ints`] with each code plus one.
#[derive(Clone, Debug, Default)]
pub struct Codes(Ints);

impl Codes {
    /// Encodes a staged column.
    pub fn encode(codes: Vec<u32>) -> Codes {
        let mut out = Codes::default();
        out.extend(codes);
        out
    }

    /// Appends a later file's codes (already remapped into this column's dictionary).
    pub fn extend(&mut self, codes: Vec<u32>) {
        let stored = |c: u32| i64::from(c.wrapping_add(1));
        let (Some(lo), Some(hi)) = (codes.iter().map(|&c| stored(c)).min(), codes.iter().map(|&c| stored(c)).max()) else { return };
        self.0.extend_with(lo, hi, codes.len(), codes.into_iter().map(stored));
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.0.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    /// The code of row `i`.
    pub fn get(&self, i: usize) -> u32 {
        (self.0.get(i) as u32).wrapping_sub(1)
    }

    /// The codes of rows `lo..hi`, into `out` (cleared first).
    pub fn decode(&self, lo: usize, hi: usize, out: &mut Vec<u32>) {
        self.0.decode_with(lo, hi, out, |x| (x as u32).wrapping_sub(1));
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }

    /// Bytes per row.
    pub fn width(&self) -> usize {
        self.0.width()
    }
}

/// The identifier node of each row: runs of rows sharing a node, or one node a row.
#[derive(Clone, Debug)]
pub enum Nodes {
    /// One node a row.
    Plain(Vec<u32>),
    /// Runs: `ends[k]` is the row after run `k`, whose rows all hold `nodes[k]`.
    Runs {
        /// The end (exclusive) of each run.
        ends: Vec<u32>,
        /// The node of each run.
        nodes: Vec<u32>,
    },
}

impl Default for Nodes {
    fn default() -> Nodes {
        Nodes::Plain(Vec::new())
    }
}

/// The number of runs in `v` after a previous row holding `prev`.
fn count_runs(prev: Option<u32>, v: &[u32]) -> usize {
    let first = usize::from(v.first().is_some_and(|&f| Some(f) != prev));
    first + v.windows(2).filter(|w| w[0] != w[1]).count()
}

/// Whether `runs` runs over `rows` rows are worth storing as runs (8 bytes a run against 4 a row).
fn runs_pay(runs: usize, rows: usize) -> bool {
    runs * 2 < rows
}

impl Nodes {
    /// Encodes a staged column: as runs when they pay, else the column itself, moved in.
    pub fn encode(nodes: Vec<u32>) -> Nodes {
        let runs = count_runs(None, &nodes);
        if !runs_pay(runs, nodes.len()) {
            let mut v = nodes;
            v.shrink_to_fit();
            return Nodes::Plain(v);
        }
        let mut out = Nodes::Runs { ends: Vec::with_capacity(runs), nodes: Vec::with_capacity(runs) };
        out.push_runs(0, &nodes);
        out
    }

    /// Appends rows to a run column, `start` being the number of rows before them.
    fn push_runs(&mut self, start: usize, more: &[u32]) {
        let Nodes::Runs { ends, nodes } = self else { return };
        for (k, &n) in more.iter().enumerate() {
            let row = (start + k) as u32;
            if nodes.last() == Some(&n) {
                // `ends` and `nodes` grow together, so the last node has its run's end.
                if let Some(end) = ends.last_mut() {
                    *end = row + 1;
                }
            } else {
                nodes.push(n);
                ends.push(row + 1);
            }
        }
    }

    /// Appends a later file's nodes: as runs when the whole column's runs still pay, else plain.
    pub fn extend(&mut self, more: Vec<u32>) {
        let len = self.len();
        if len == 0 {
            *self = Nodes::encode(more);
            return;
        }
        let last = self.get(len - 1);
        let runs = match self {
            Nodes::Plain(v) => count_runs(None, v),
            Nodes::Runs { ends, .. } => ends.len(),
        } + count_runs(Some(last), &more);
        let total = len + more.len();
        match (runs_pay(runs, total), &mut *self) {
            (true, Nodes::Runs { ends, nodes }) => {
                ends.reserve_exact(runs - ends.len());
                nodes.reserve_exact(runs - nodes.len());
                self.push_runs(len, &more);
            }
            (true, Nodes::Plain(v)) => {
                let old = std::mem::take(v);
                *self = Nodes::Runs { ends: Vec::with_capacity(runs), nodes: Vec::with_capacity(runs) };
                self.push_runs(0, &old);
                self.push_runs(len, &more);
            }
            (false, Nodes::Plain(v)) => {
                v.reserve_exact(more.len());
                v.extend_from_slice(&more);
            }
            (false, Nodes::Runs { .. }) => {
                let mut v = Vec::with_capacity(total);
                self.decode_into(0, len, &mut v);
                v.extend_from_slice(&more);
                *self = Nodes::Plain(v);
            }
        }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Nodes::Plain(v) => v.len(),
            Nodes::Runs { ends, .. } => ends.last().map_or(0, |&e| e as usize),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The node of row `i` (panics past the end).
    pub fn get(&self, i: usize) -> u32 {
        match self {
            Nodes::Plain(v) => v[i],
            Nodes::Runs { ends, nodes } => nodes[ends.partition_point(|&e| e as usize <= i)],
        }
    }

    /// Appends the nodes of rows `lo..hi` to `out`.
    fn decode_into(&self, lo: usize, hi: usize, out: &mut Vec<u32>) {
        assert!(lo <= hi && hi <= self.len(), "rows {lo}..{hi} of {}", self.len());
        match self {
            Nodes::Plain(v) => out.extend_from_slice(&v[lo..hi]),
            Nodes::Runs { ends, nodes } => {
                let mut row = lo;
                let mut k = ends.partition_point(|&e| e as usize <= lo);
                while row < hi {
                    let end = (ends[k] as usize).min(hi);
                    out.resize(out.len() + (end - row), nodes[k]);
                    row = end;
                    k += 1;
                }
            }
        }
    }

    /// The nodes of rows `lo..hi`: decoded into `buf`, or the column's own slice when it is plain.
    pub fn chunk<'s>(&'s self, lo: usize, hi: usize, buf: &'s mut Vec<u32>) -> &'s [u32] {
        if let Nodes::Plain(v) = self {
            return &v[lo..hi];
        }
        buf.clear();
        self.decode_into(lo, hi, buf);
        buf
    }

    /// Maps every row's node through `f`, into one value a row (`f` is called once a run).
    pub fn map<T: Copy>(&self, mut f: impl FnMut(u32) -> T) -> Vec<T> {
        match self {
            Nodes::Plain(v) => v.iter().map(|&n| f(n)).collect(),
            Nodes::Runs { ends, nodes } => {
                let mut out = Vec::with_capacity(self.len());
                let mut row = 0;
                for (&end, &n) in ends.iter().zip(nodes) {
                    out.resize(out.len() + (end as usize - row), f(n));
                    row = end as usize;
                }
                out
            }
        }
    }

    /// The column with every node mapped through `f` (called once a run), runs that map to the same value merged:
    /// the person of each row, held as compactly as the nodes.
    pub fn map_nodes(&self, mut f: impl FnMut(u32) -> u32) -> Nodes {
        match self {
            Nodes::Plain(v) => Nodes::Plain(v.iter().map(|&n| f(n)).collect()),
            Nodes::Runs { ends, nodes } => {
                let (mut out_ends, mut out_nodes): (Vec<u32>, Vec<u32>) = (Vec::with_capacity(ends.len()), Vec::with_capacity(ends.len()));
                for (&end, &n) in ends.iter().zip(nodes) {
                    let m = f(n);
                    match (out_nodes.last(), out_ends.last_mut()) {
                        (Some(&last), Some(e)) if last == m => *e = end,
                        _ => {
                            out_nodes.push(m);
                            out_ends.push(end);
                        }
                    }
                }
                out_ends.shrink_to_fit();
                out_nodes.shrink_to_fit();
                Nodes::Runs { ends: out_ends, nodes: out_nodes }
            }
        }
    }

    /// Calls `f` with each distinct run's node (each row's node, for a plain column), in row order.
    pub fn for_each_run(&self, mut f: impl FnMut(u32)) {
        match self {
            Nodes::Plain(v) => v.iter().for_each(|&n| f(n)),
            Nodes::Runs { nodes, .. } => nodes.iter().for_each(|&n| f(n)),
        }
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Nodes::Plain(v) => v.capacity() * 4,
            Nodes::Runs { ends, nodes } => (ends.capacity() + nodes.capacity()) * 4,
        }
    }

    /// Whether the column is stored as runs.
    pub fn is_runs(&self) -> bool {
        matches!(self, Nodes::Runs { .. })
    }
}

/// Snapshot layout (see `engine::snapshot`): an [`Ints`] is its length, min, max, a store tag (0 constant, 1–3
/// for 8/16/32-bit offsets, 4 plain) and the stored values; [`Codes`] the same; [`Nodes`] a tag (0 plain, 1 runs)
/// and its vectors. Reading checks that the stored values agree with the length, so a damaged snapshot fails.
mod snapshot {
    use super::{Codes, Ints, Nodes, Store};
    use crate::base::binary::{Reader, Writer};
    use crate::error::{Error, Result};

    impl Ints {
        /// Writes the column.
        pub fn write(&self, w: &mut Writer) {
            w.count(self.len);
            w.i64(self.min);
            w.i64(self.max);
            match &self.store {
                Store::Const => w.u8(0),
                Store::U8(v) => {
                    w.u8(1);
                    w.bytes(v);
                }
                Store::U16(v) => {
                    w.u8(2);
                    w.u16s(v);
                }
                Store::U32(v) => {
                    w.u8(3);
                    w.u32s(v);
                }
                Store::Wide(v) => {
                    w.u8(4);
                    w.i64s(v);
                }
            }
        }

        /// Reads a column written by [`Ints::write`].
        pub fn read(r: &mut Reader) -> Result<Ints> {
            let len = usize::try_from(r.u64()?).map_err(|_| Error::snapshot_damaged())?;
            let (min, max) = (r.i64()?, r.i64()?);
            let (store, stored) = match r.u8()? {
                0 => (Store::Const, len),
                1 => {
                    let v = r.bytes()?.to_vec();
                    let n = v.len();
                    (Store::U8(v), n)
                }
                2 => {
                    let v = r.u16s()?;
                    let n = v.len();
                    (Store::U16(v), n)
                }
                3 => {
                    let v = r.u32s()?;
                    let n = v.len();
                    (Store::U32(v), n)
                }
                4 => {
                    let v = r.i64s()?;
                    let n = v.len();
                    (Store::Wide(v), n)
                }
                _ => return Err(Error::snapshot_damaged()),
            };
            if stored != len || min > max {
                return Err(Error::snapshot_damaged());
            }
            Ok(Ints { len, min, max, store })
        }
    }

    impl Codes {
        /// Writes the column.
        pub fn write(&self, w: &mut Writer) {
            self.0.write(w);
        }

        /// Reads a column written by [`Codes::write`].
        pub fn read(r: &mut Reader) -> Result<Codes> {
            Ints::read(r).map(Codes)
        }
    }

    impl Nodes {
        /// Writes the column.
        pub fn write(&self, w: &mut Writer) {
            match self {
                Nodes::Plain(v) => {
                    w.u8(0);
                    w.u32s(v);
                }
                Nodes::Runs { ends, nodes } => {
                    w.u8(1);
                    w.u32s(ends);
                    w.u32s(nodes);
                }
            }
        }

        /// Whether every node of the column (each run's once) passes `f`.
        pub fn all(&self, f: impl Fn(&u32) -> bool) -> bool {
            match self {
                Nodes::Plain(v) => v.iter().all(f),
                Nodes::Runs { nodes, .. } => nodes.iter().all(f),
            }
        }

        /// Reads a column written by [`Nodes::write`]; run ends must rise.
        pub fn read(r: &mut Reader) -> Result<Nodes> {
            match r.u8()? {
                0 => Ok(Nodes::Plain(r.u32s()?)),
                1 => {
                    let (ends, nodes) = (r.u32s()?, r.u32s()?);
                    if ends.len() != nodes.len() || ends.windows(2).any(|w| w[0] >= w[1]) || ends.first() == Some(&0) {
                        return Err(Error::snapshot_damaged());
                    }
                    Ok(Nodes::Runs { ends, nodes })
                }
                _ => Err(Error::snapshot_damaged()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::dict::NONE;

    /// Every way of reading `col` agrees with `want`.
    fn check_ints(col: &Ints, want: &[i64]) {
        assert_eq!(col.len(), want.len());
        assert_eq!(col.iter().collect::<Vec<_>>(), want);
        assert_eq!((0..want.len()).map(|i| col.get(i)).collect::<Vec<_>>(), want);
        assert_eq!(col.max(), want.iter().max().copied());
        let mut buf = Vec::new();
        let mut bounds: Vec<i64> = want.iter().flat_map(|&v| [v, v.saturating_add(1)]).collect();
        bounds.extend([i64::MIN, i64::MAX]);
        for step in [1, 3, 4096] {
            for lo in (0..want.len()).step_by(step) {
                let hi = (lo + step).min(want.len());
                assert_eq!(col.chunk(lo, hi, &mut buf), &want[lo..hi]);
                let mut out = vec![9];
                col.decode(lo, hi, &mut out);
                assert_eq!(out, &want[lo..hi]);
                for (&from, &to) in bounds.iter().zip(bounds.iter().rev()).take(6) {
                    let mask: Vec<bool> = want[lo..hi].iter().map(|v| (from..to).contains(v)).collect();
                    assert_eq!(col.range_mask(lo, hi, from, to), mask, "{from}..{to}");
                    let mut kept = vec![7];
                    col.select_range(lo, hi, from, to, &mut kept);
                    let rows: Vec<u32> = (0..hi - lo).filter(|&k| mask[k]).map(|k| k as u32).collect();
                    assert_eq!(kept[1..], rows[..], "{from}..{to}");
                }
            }
        }
    }

    fn check_codes(col: &Codes, want: &[u32]) {
        assert_eq!(col.len(), want.len());
        assert_eq!((0..want.len()).map(|i| col.get(i)).collect::<Vec<_>>(), want);
        let mut out = Vec::new();
        for lo in (0..want.len()).step_by(5) {
            let hi = (lo + 5).min(want.len());
            col.decode(lo, hi, &mut out);
            assert_eq!(out, &want[lo..hi]);
        }
    }

    fn check_nodes(col: &Nodes, want: &[u32]) {
        assert_eq!(col.len(), want.len());
        assert_eq!((0..want.len()).map(|i| col.get(i)).collect::<Vec<_>>(), want);
        assert_eq!(col.map(|n| n), want);
        let halved: Vec<u32> = want.iter().map(|&n| n / 2).collect();
        let mapped = col.map_nodes(|n| n / 2);
        assert_eq!((0..want.len()).map(|i| mapped.get(i)).collect::<Vec<_>>(), halved);
        assert_eq!(mapped.is_runs(), col.is_runs());
        let mut buf = Vec::new();
        for step in [1, 2, 7] {
            for lo in (0..want.len()).step_by(step) {
                let hi = (lo + step).min(want.len());
                assert_eq!(col.chunk(lo, hi, &mut buf), &want[lo..hi]);
            }
        }
        let mut runs = Vec::new();
        col.for_each_run(|n| runs.push(n));
        let mut distinct_in_order = want.to_vec();
        distinct_in_order.dedup();
        if col.is_runs() {
            assert_eq!(runs, distinct_in_order);
        } else {
            assert_eq!(runs, want);
        }
    }

    #[test]
    fn ints_pick_the_narrowest_width() {
        let t0 = 1_700_000_000;
        let cases: [(Vec<i64>, usize); 8] = [
            (vec![], 0),
            (vec![5; 100], 0),
            (vec![-3, 300, 0], 2),
            (vec![-3, 250, 0], 1),
            (vec![t0, t0 + 200, t0 + 255], 1),
            (vec![t0, t0 + 86_400 * 365 * 3], 4),
            (vec![-2_000_000_000, 2_000_000_000], 4),
            (vec![i64::MIN, 0, i64::MAX], 8),
        ];
        for (values, width) in cases {
            let col = Ints::encode(values.clone());
            assert_eq!(col.width(), width, "{values:?}");
            assert!(col.heap_bytes() >= values.len() * width);
            check_ints(&col, &values);
        }
        // A constant column holds nothing, however long.
        assert_eq!(Ints::encode(vec![0; 10_000]).heap_bytes(), 0);
        // Money as fen over a wide range still takes 4 bytes a row, not 8.
        assert_eq!(Ints::encode(vec![-500_000, 12_345_678, 0]).width(), 4);
    }

    #[test]
    fn ints_widen_when_a_later_file_does_not_fit() {
        let mut col = Ints::encode(vec![7; 4]);
        assert_eq!(col.width(), 0);
        col.extend(vec![7, 7]);
        assert_eq!(col.width(), 0, "the same constant stays a constant");
        col.extend(vec![8]);
        assert_eq!(col.width(), 1);
        col.extend(vec![3]);
        assert_eq!(col.width(), 1, "a smaller base is re-encoded at the same width");
        col.extend(vec![70_000]);
        assert_eq!(col.width(), 4);
        col.extend(vec![]);
        col.extend(vec![i64::MAX]);
        assert_eq!(col.width(), 8);
        col.extend(vec![1, 2]);
        check_ints(&col, &[7, 7, 7, 7, 7, 7, 8, 3, 70_000, i64::MAX, 1, 2]);
    }

    #[test]
    fn codes_store_none_in_the_narrow_width() {
        let col = Codes::encode(vec![0, NONE, 3, 254, NONE]);
        assert_eq!(col.width(), 1);
        check_codes(&col, &[0, NONE, 3, 254, NONE]);
        assert_eq!(Codes::encode(vec![NONE; 9]).width(), 0);
        check_codes(&Codes::encode(vec![NONE; 9]), &[NONE; 9]);
        let mut col = Codes::encode(vec![1, 1]);
        assert_eq!(col.width(), 0);
        col.extend(vec![NONE, 300]);
        assert_eq!(col.width(), 2);
        col.extend(vec![NONE - 1]);
        assert_eq!(col.width(), 4);
        check_codes(&col, &[1, 1, NONE, 300, NONE - 1]);
    }

    #[test]
    fn nodes_use_runs_only_when_they_pay() {
        let grouped = [4, 4, 4, 9, 9, 9, 9, 1, 1, 1];
        let col = Nodes::encode(grouped.to_vec());
        assert!(col.is_runs());
        assert_eq!(col.heap_bytes(), 3 * 8);
        check_nodes(&col, &grouped);
        let scattered = [4, 9, 4, 1, 9, 1, 4];
        let col = Nodes::encode(scattered.to_vec());
        assert!(!col.is_runs());
        check_nodes(&col, &scattered);
        check_nodes(&Nodes::encode(Vec::new()), &[]);
    }

    #[test]
    fn nodes_append_as_runs_or_fall_back_to_plain() {
        // A run continuing across files stays one run.
        let mut col = Nodes::encode(vec![1, 1, 1, 2, 2, 2]);
        col.extend(vec![2, 2, 3, 3, 3, 3]);
        assert!(col.is_runs());
        assert_eq!(col.heap_bytes() / 8, 3);
        check_nodes(&col, &[1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3]);
        // A scattered file turns the whole column plain.
        col.extend(vec![5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6]);
        assert!(!col.is_runs());
        check_nodes(&col, &[1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6]);
        // A plain column becomes runs when a long grouped file makes them pay.
        let mut col = Nodes::encode(vec![1, 2, 1]);
        assert!(!col.is_runs());
        col.extend(vec![7; 20]);
        assert!(col.is_runs());
        let mut want = vec![1, 2, 1];
        want.extend([7; 20]);
        check_nodes(&col, &want);
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn ints_agree_with_a_plain_vec(
            files in proptest::collection::vec(
                (proptest::sample::select(vec![0i64, 200, 60_000, 4_000_000_000, i64::MAX / 2]), proptest::collection::vec(0u64..1 << 20, 0..40)),
                1..4),
            base in -1_000_000i64..1_000_000,
        ) {
            let mut col = Ints::default();
            let mut want = Vec::new();
            for (scale, raw) in files {
                let values: Vec<i64> = raw.iter().map(|&r| base.saturating_add((r as i64).saturating_mul(scale.max(1)) / (1 << 20))).collect();
                want.extend_from_slice(&values);
                col.extend(values);
            }
            check_ints(&col, &want);
        }

        #[test]
        fn codes_agree_with_a_plain_vec(files in proptest::collection::vec(proptest::collection::vec(proptest::sample::select(vec![0u32, 1, 2, 255, 256, 70_000, NONE]), 0..30), 1..4)) {
            let mut col = Codes::default();
            let mut want = Vec::new();
            for codes in files {
                want.extend_from_slice(&codes);
                col.extend(codes);
            }
            check_codes(&col, &want);
        }

        #[test]
        fn nodes_agree_with_a_plain_vec(files in proptest::collection::vec(proptest::collection::vec((0u32..5, 1usize..6), 0..12), 1..4)) {
            let mut col = Nodes::default();
            let mut want = Vec::new();
            for runs in files {
                let nodes: Vec<u32> = runs.iter().flat_map(|&(n, len)| std::iter::repeat(n).take(len)).collect();
                want.extend_from_slice(&nodes);
                col.extend(nodes);
            }
            check_nodes(&col, &want);
        }
    }
}
