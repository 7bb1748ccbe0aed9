//! Dictionary encoding: each distinct string is stored once and referred to by a dense `u32` code.

use hashbrown::HashTable;

/// The code that stands for "no value".
pub const NONE: u32 = u32::MAX;

/// An append-only string dictionary (interner). All values live end to end in one string, and the hash index
/// holds only codes, hashed by the text they point at: about 1.2 × 5 bytes of index plus the text and one offset per
/// value, where a map of owned strings would spend some 80 bytes on each.
#[derive(Clone, Debug, Default)]
pub struct Dict {
    text: String,
    /// The end offset in `text` of each value; a value starts where the previous one ends.
    ends: Vec<usize>,
    index: HashTable<u32>,
}

/// The text of code `c`.
fn text_of<'a>(text: &'a str, ends: &[usize], c: u32) -> &'a str {
    let c = c as usize;
    let start = if c == 0 { 0 } else { ends[c - 1] };
    &text[start..ends[c]]
}

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Dict {
        Dict::default()
    }

    /// The code of `value`, adding it when new.
    pub fn intern(&mut self, value: &str) -> u32 {
        let hash = hash64(value);
        if let Some(&c) = self.index.find(hash, |&c| text_of(&self.text, &self.ends, c) == value) {
            return c;
        }
        let c = self.ends.len() as u32;
        self.text.push_str(value);
        self.ends.push(self.text.len());
        let (text, ends) = (&self.text, &self.ends);
        self.index.insert_unique(hash, c, |&c| hash64(text_of(text, ends, c)));
        c
    }

    /// The code of `value` if present.
    pub fn code(&self, value: &str) -> Option<u32> {
        self.index.find(hash64(value), |&c| text_of(&self.text, &self.ends, c) == value).copied()
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
        self.text.capacity() + self.ends.capacity() * std::mem::size_of::<usize>() + self.index.capacity() * 5
    }

    /// Interns every value of `other` and returns the map from `other`'s codes to this dictionary's codes.
    pub fn absorb(&mut self, other: &Dict) -> Vec<u32> {
        other.values().map(|v| self.intern(v)).collect()
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
}
