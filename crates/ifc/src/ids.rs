//! Hash maps keyed by express ids, element positions and vertex bit patterns.
//!
//! The standard hasher's defence against chosen keys costs most of a lookup, and a
//! million-element model makes millions of them; ifc-lite's own entity index already keys the
//! file's ids by this hash (FxHash). Nothing depends on the maps' iteration order.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map keyed by express ids or element positions.
pub(crate) type IdMap<V> = HashMap<u32, V, BuildHasherDefault<IdHasher>>;

/// A map with FxHash for any small key (vertex bit patterns).
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// FxHash: one rotate, xor and multiply per word.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl IdHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            self.add(u64::from_le_bytes(word));
        }
        for &b in words.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_find_what_they_hold() {
        let mut ids: IdMap<u32> = IdMap::default();
        let mut keys: FastMap<[u32; 3], u32> = FastMap::default();
        for i in 0..10_000u32 {
            ids.insert(i * 7, i);
            keys.insert([i, i.wrapping_mul(31), 0x8000_0000 | i], i);
        }
        assert!((0..10_000u32).all(|i| ids.get(&(i * 7)) == Some(&i)));
        assert!((0..10_000u32).all(|i| keys.get(&[i, i.wrapping_mul(31), 0x8000_0000 | i]) == Some(&i)));
        assert_eq!(ids.get(&1), None);
    }
}
