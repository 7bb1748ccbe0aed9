//! Dictionary encoding: each distinct string is stored once and referred to by a dense `u32` code.

use std::collections::HashMap;

/// The code that stands for "no value".
pub const NONE: u32 = u32::MAX;

/// An append-only string dictionary (interner).
#[derive(Clone, Debug, Default)]
pub struct Dict {
    codes: HashMap<Box<str>, u32>,
    values: Vec<Box<str>>,
}

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Dict {
        Dict::default()
    }

    /// The code of `value`, adding it when new.
    pub fn intern(&mut self, value: &str) -> u32 {
        if let Some(&c) = self.codes.get(value) {
            return c;
        }
        let c = self.values.len() as u32;
        let boxed: Box<str> = value.into();
        self.values.push(boxed.clone());
        self.codes.insert(boxed, c);
        c
    }

    /// The code of `value` if present.
    pub fn code(&self, value: &str) -> Option<u32> {
        self.codes.get(value).copied()
    }

    /// The string of a code; `""` for [`NONE`].
    pub fn get(&self, code: u32) -> &str {
        self.values.get(code as usize).map_or("", |v| v)
    }

    /// The number of distinct values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the dictionary is empty.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every value in code order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|v| &**v)
    }

    /// Approximate heap bytes held (strings counted twice: the table and the hash map share nothing).
    pub fn heap_bytes(&self) -> usize {
        let text: usize = self.values.iter().map(|v| v.len()).sum();
        2 * text + self.values.capacity() * 16 + self.codes.capacity() * 24
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

/// A stable 64-bit hash of a string (FNV-1a with a SplitMix64 finaliser), never 0. Order numbers are kept as
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
