//! Dictionary encoding: each distinct string is stored once and referred to by a dense `u32` code.

use hashbrown::HashTable;

/// The code that stands for "no value".
pub const NONE: u32 = u32::MAX;

/// An append-only string dictionary (interner). All values live end to end in one string; the hash index holds,
/// for each value, its code and 32 bits of its hash in one `u64`. A probe compares those hash bits before it reads
/// any text, and growing the index rehashes from the stored bits alone, so neither touches the text (reading it
/// was a cache miss per entry). Cost per value: its text, a 4-byte end offset and about 1.2 × 8 bytes of index,
/// where a map of owned strings would spend some 80 bytes.
#[derive(Clone, Debug, Default)]
pub struct Dict {
    text: String,
    /// The end offset in `text` of each value; a value starts where the previous one ends.
    ends: Vec<u32>,
    /// `hash bits << 32 | code` for every value.
    index: HashTable<u64>,
    /// Codes of recently interned short values, found by their bytes alone (see [`short_key`]): columns of few
    /// values (event types, categories, cities) are interned without hashing or reading the text. Empty until
    /// the first short value; given back by [`Dict::shrink_to_fit`].
    recent: Vec<(u128, u32)>,
}

/// How many short values [`Dict::recent`] remembers (direct-mapped by their bytes).
const RECENT: usize = 64;

/// A value of at most 15 bytes as one number: its bytes, then its length in the top byte, so two values have
/// the same key exactly when they are equal. `None` for longer values.
fn short_key(value: &str) -> Option<u128> {
    let b = value.as_bytes();
    if b.len() > 15 {
        return None;
    }
    let mut a = [0u8; 16];
    a[..b.len()].copy_from_slice(b);
    a[15] = b.len() as u8;
    Some(u128::from_le_bytes(a))
}

/// The slot of a short key in [`Dict::recent`].
fn recent_slot(key: u128) -> usize {
    let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize
}

/// The text of code `c`.
fn text_of<'a>(text: &'a str, ends: &[u32], c: u32) -> &'a str {
    let c = c as usize;
    let start = if c == 0 { 0 } else { ends[c - 1] as usize };
    &text[start..ends[c] as usize]
}

/// The table hash of an entry's stored hash bits: a multiply spreads them over the 64 bits the table reads (its
/// low bits pick the bucket, its top 7 bits are the tag compared first).
fn spread(bits: u32) -> u64 {
    u64::from(bits).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(bits)
}

/// The 32 hash bits stored for a value (the dictionary's own hash; [`hash64`] stays the stable one for data).
fn bits_of(value: &str) -> u32 {
    (fast_hash(value.as_bytes()) >> 32) as u32
}

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Dict {
        Dict::default()
    }

    /// An empty dictionary with room for `values` values of `bytes` bytes of text in all.
    pub fn with_capacity(values: usize, bytes: usize) -> Dict {
        Dict {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(values),
            index: HashTable::with_capacity(values),
            recent: Vec::new(),
        }
    }

    /// Reserves room for `values` more values of `bytes` more bytes of text in all.
    pub fn reserve(&mut self, values: usize, bytes: usize) {
        self.text.reserve_exact(bytes);
        self.ends.reserve_exact(values);
        self.index.reserve(values, |&e| spread((e >> 32) as u32));
    }

    /// The bytes of text held.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// The code of `value`, adding it when new.
    pub fn intern(&mut self, value: &str) -> u32 {
        let Some(key) = short_key(value) else { return self.intern_slow(value) };
        if self.recent.is_empty() {
            self.recent = vec![(0, NONE); RECENT];
        }
        let slot = recent_slot(key);
        let (k, c) = self.recent[slot];
        if k == key && c != NONE {
            return c;
        }
        let c = self.intern_slow(value);
        self.recent[slot] = (key, c);
        c
    }

    /// [`Dict::intern`] through the hash index.
    fn intern_slow(&mut self, value: &str) -> u32 {
        let bits = bits_of(value);
        let (text, ends) = (&self.text, &self.ends);
        let found = self.index.find(spread(bits), |&e| (e >> 32) as u32 == bits && text_of(text, ends, e as u32) == value);
        if let Some(&e) = found {
            return e as u32;
        }
        let c = self.ends.len() as u32;
        assert!(c < NONE, "a dictionary holds fewer than 2^32 - 1 values");
        self.text.push_str(value);
        #[allow(clippy::expect_used, reason = "offsets are u32: a dictionary past 4 GiB is beyond the memory budget of every caller")]
        let end = u32::try_from(self.text.len()).expect("a dictionary's text stays below 4 GiB");
        self.ends.push(end);
        self.index.insert_unique(spread(bits), u64::from(bits) << 32 | u64::from(c), |&e| spread((e >> 32) as u32));
        c
    }

    /// The code of `value` if present.
    pub fn code(&self, value: &str) -> Option<u32> {
        let bits = bits_of(value);
        self.index
            .find(spread(bits), |&e| (e >> 32) as u32 == bits && text_of(&self.text, &self.ends, e as u32) == value)
            .map(|&e| e as u32)
    }

    /// Gives back the room a growing dictionary reserved (its index is rebuilt from the stored hash bits) and
    /// the cache of recent short values.
    pub fn shrink_to_fit(&mut self) {
        self.recent = Vec::new();
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.index.shrink_to_fit(|&e| spread((e >> 32) as u32));
    }

    /// The string of a code; `""` for [`NONE`] or a code not in the dictionary.
    pub fn get(&self, code: u32) -> &str {
        if (code as usize) < self.ends.len() {
            text_of(&self.text, &self.ends, code)
        } else {
            ""
        }
    }

    /// The number of distinct values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the dictionary is empty.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Every value in code order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len() as u32).map(|c| text_of(&self.text, &self.ends, c))
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 4 + self.index.capacity() * 9 + self.recent.capacity() * 32
    }

    /// Interns every value of `other` and returns the map from `other`'s codes to this dictionary's codes, or
    /// `None` when the codes stay as they are (this dictionary was empty and simply takes `other` over).
    pub fn absorb(&mut self, other: Dict) -> Option<Vec<u32>> {
        if self.is_empty() {
            *self = other;
            self.shrink_to_fit();
            return None;
        }
        Some(other.values().map(|v| self.intern(v)).collect())
    }
}

/// Maps a code through a remap table built by [`Dict::absorb`], keeping [`NONE`].
pub fn remap(code: u32, table: &[u32]) -> u32 {
    if code == NONE {
        NONE
    } else {
        table[code as usize]
    }
}

/// Maps every code of a column through what [`Dict::absorb`] returned.
pub fn remap_all(codes: &mut [u32], table: Option<&[u32]>) {
    if let Some(table) = table {
        codes.iter_mut().for_each(|c| *c = remap(*c, table));
    }
}

/// A stable 64-bit hash of a string (FNV-1a with a SplitMix64 finaliser), never 0. Deterministic on every platform,
/// unlike the standard library's randomly keyed hasher. Order numbers are kept as
/// hashes: 8 bytes per order instead of the text; two different numbers collide with odds below 1e-6 per 6 million.
pub fn hash64(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in text.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^= h >> 31;
    h.max(1)
}

/// A fast 64-bit hash of bytes for the dictionaries' index (eight bytes per multiply, a SplitMix64 finaliser).
/// Deterministic everywhere; never stored with the data.
pub fn fast_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (bytes.len() as u64).wrapping_mul(K) ^ 0x2545_F491_4F6C_DD1D;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(a)).wrapping_mul(K).rotate_left(31);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut a = [0u8; 8];
        a[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(a)).wrapping_mul(K).rotate_left(31);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// The key that recognises the same order row in a later file: its order number, time and amount together
/// (a refund under the same order number has another amount and time, so it is not a duplicate).
pub fn row_key(order_hash: u64, ts: i64, amount: i64) -> u64 {
    let mut h = order_hash ^ (ts as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (amount as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (h ^ (h >> 31)).max(1)
}

impl Dict {
    /// Writes the dictionary for a snapshot: its text and end offsets (the index is rebuilt on reading).
    pub fn write(&self, w: &mut crate::base::binary::Writer) {
        w.str(&self.text);
        w.u32s(&self.ends);
    }

    /// Reads a dictionary written by [`Dict::write`], rebuilding its index; fails on offsets that do not fall on
    /// character boundaries in order.
    pub fn read(r: &mut crate::base::binary::Reader) -> crate::error::Result<Dict> {
        let text = r.str()?;
        let ends = r.u32s()?;
        let mut start = 0usize;
        for &e in &ends {
            let e = e as usize;
            if e < start || e > text.len() || !text.is_char_boundary(e) {
                return Err(crate::error::Error::snapshot_damaged());
            }
            start = e;
        }
        if start != text.len() {
            return Err(crate::error::Error::snapshot_damaged());
        }
        let mut index = HashTable::with_capacity(ends.len());
        for c in 0..ends.len() as u32 {
            let bits = bits_of(text_of(&text, &ends, c));
            index.insert_unique(spread(bits), u64::from(bits) << 32 | u64::from(c), |&e| spread((e >> 32) as u32));
        }
        Ok(Dict { text, ends, index, recent: Vec::new() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_each_value_once_in_code_order() {
        let mut d = Dict::new();
        let words = ["会员", "", "a", "会员", "b", "a", "ab"];
        let codes: Vec<u32> = words.iter().map(|w| d.intern(w)).collect();
        assert_eq!(codes, vec![0, 1, 2, 0, 3, 2, 4]);
        assert_eq!(d.values().collect::<Vec<_>>(), vec!["会员", "", "a", "b", "ab"]);
        assert_eq!((d.code("ab"), d.code("abc"), d.get(0), d.get(NONE)), (Some(4), None, "会员", ""));
        // Many values force the index to grow and rehash from the stored text.
        for i in 0..10_000 {
            d.intern(&format!("k{i}"));
        }
        assert_eq!(d.code("k9999"), Some(5 + 9999));
        assert_eq!(d.get(5 + 1234), "k1234");
    }

    #[test]
    fn short_values_cached_or_not_get_the_codes_of_the_index() {
        // Values up to and past the cache's 15 bytes, empty ones, ones that differ only in a trailing NUL or in
        // length, many enough to evict each other; every code must be what a dictionary without the cache gives.
        let words: Vec<String> = (0..3000u32)
            .map(|i| match i % 7 {
                0 => String::new(),
                1 => "\0".repeat((i % 5) as usize),
                2 => format!("会员{}", i % 40),
                3 => format!("{:0w$}", i % 97, w = (i % 18) as usize),
                4 => "x".repeat((i % 20) as usize),
                5 => format!("a{}\0", i % 3),
                _ => format!("a{}", i % 3),
            })
            .collect();
        let mut cached = Dict::new();
        let mut plain = Dict::new();
        for w in &words {
            assert_eq!(cached.intern(w), plain.intern_slow(w), "{w:?}");
        }
        cached.shrink_to_fit();
        for w in words.iter().rev() {
            assert_eq!((cached.intern(w), cached.code(w)), (plain.intern_slow(w), plain.code(w)), "{w:?}");
        }
        assert_eq!(cached.len(), plain.len());
        assert_ne!(short_key("a"), short_key("a\0"));
        assert_eq!(short_key("0123456789abcdef"), None);
    }

    #[test]
    fn absorb_takes_over_an_empty_dictionary_and_remaps_into_a_full_one() {
        let mut a = Dict::new();
        let mut b = Dict::new();
        for v in ["x", "y", "z"] {
            b.intern(v);
        }
        assert_eq!(a.absorb(b.clone()), None);
        assert_eq!(a.values().collect::<Vec<_>>(), vec!["x", "y", "z"]);
        let mut c = Dict::new();
        for v in ["z", "w", "x"] {
            c.intern(v);
        }
        let table = a.absorb(c).unwrap();
        assert_eq!(table, vec![2, 3, 0]);
        let mut codes = vec![0, NONE, 1, 2];
        remap_all(&mut codes, Some(&table));
        assert_eq!(codes, vec![2, NONE, 3, 0]);
        assert_eq!((a.code("w"), a.len()), (Some(3), 4));
    }

    #[test]
    fn many_similar_values_keep_distinct_codes_through_growth() {
        // Values that differ in one byte anywhere, and lengths around the hash's 8-byte words.
        let mut d = Dict::with_capacity(4, 16);
        let values: Vec<String> = (0..50_000u32).map(|i| format!("{}{i:07}", "0".repeat((i % 17) as usize))).collect();
        for (i, v) in values.iter().enumerate() {
            assert_eq!(d.intern(v), i as u32);
        }
        for (i, v) in values.iter().enumerate().rev() {
            assert_eq!((d.intern(v), d.code(v), d.get(i as u32)), (i as u32, Some(i as u32), v.as_str()));
        }
        assert_eq!(d.len(), values.len());
        d.shrink_to_fit();
        assert_eq!((d.code(&values[777]), d.intern(&values[4242]), d.intern("new")), (Some(777), 4242, values.len() as u32));
        assert_ne!(fast_hash(b"12345678"), fast_hash(b"12345678\0"));
    }
}
