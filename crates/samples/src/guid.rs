//! Deterministic IFC GlobalIds and the small PRNG used for seeded choices.
//!
//! A GlobalId is a hash of the seed and a stable element key (e.g. hall 1, row 2, rack 3),
//! so an element keeps its id when the model is regenerated at another size.

/// The IFC base-64 alphabet (which differs from RFC 4648 base64).
const ALPHABET: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$";

/// A 22-character IFC GlobalId.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Guid([u8; 22]);

impl Guid {
    /// Encodes a 128-bit value: the first character carries the top 2 bits, the other 21
    /// carry 6 bits each, which is the standard compressed-GUID layout.
    pub(crate) fn from_u128(v: u128) -> Self {
        let mut b = [0u8; 22];
        b[0] = ALPHABET[((v >> 126) & 0x3) as usize];
        for (i, slot) in b.iter_mut().enumerate().skip(1) {
            *slot = ALPHABET[((v >> (126 - 6 * i)) & 0x3f) as usize];
        }
        Self(b)
    }

    pub(crate) fn as_str(&self) -> &str {
        // The alphabet is ASCII, so every byte sequence built above is valid UTF-8.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl std::fmt::Debug for Guid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The splitmix64 finaliser: a cheap bijective mixer with good avalanche.
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stable element key being hashed, built from a tag and numbers without allocating.
///
/// Two independent 64-bit lanes give the 128 bits a GUID needs; collisions among a
/// million keys are then astronomically unlikely, and a test checks for them anyway.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Key {
    a: u64,
    b: u64,
}

impl Key {
    /// Starts a key for `seed` with a textual tag such as `"rack"`.
    pub(crate) fn new(seed: u64, tag: &str) -> Self {
        Self { a: mix(seed ^ 0x5151_7a7a_0000_0001), b: mix(seed.rotate_left(32) ^ 0x0ddb_a11c_afe0_0002) }
            .s(tag)
    }

    fn word(self, w: u64) -> Self {
        Self {
            a: mix(self.a ^ w).wrapping_add(0x9e37_79b9_7f4a_7c15),
            b: mix(self.b.wrapping_add(w)).rotate_left(23),
        }
    }

    /// Appends a text component.
    pub(crate) fn s(self, text: &str) -> Self {
        let mut k = self;
        for chunk in text.as_bytes().chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            k = k.word(u64::from_le_bytes(w));
        }
        // The length separates "ab"+"c" from "a"+"bc".
        k.word(0xff00_0000_0000_0000 | text.len() as u64)
    }

    /// Appends a number component.
    pub(crate) fn n(self, v: u64) -> Self {
        self.word(v).word(0xfe00_0000_0000_0000)
    }

    /// The GUID for this key, marked as an RFC 9562 version-8 (custom) UUID.
    pub(crate) fn guid(self) -> Guid {
        let hi = mix(self.a ^ 0x1234_5678_9abc_def0);
        let lo = mix(self.b ^ hi);
        let mut v = (u128::from(hi) << 64) | u128::from(lo);
        v = (v & !(0xf << 76)) | (0x8 << 76);
        v = (v & !(0x3 << 62)) | (0x2 << 62);
        Guid::from_u128(v)
    }
}

/// A splitmix64 generator for the few seeded layout choices (which rack gets a defect).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64, stream: &str) -> Self {
        let k = Key::new(seed, stream);
        Self(k.a ^ k.b)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// A value in `0..n` (`n > 0`); the modulo bias is irrelevant for layout choices.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_encoding_matches_the_ifc_layout() {
        assert_eq!(Guid::from_u128(0).as_str(), "0000000000000000000000");
        assert_eq!(Guid::from_u128(u128::MAX).as_str(), "3$$$$$$$$$$$$$$$$$$$$$");
        assert_eq!(Guid::from_u128(1).as_str(), "0000000000000000000001");
        assert_eq!(Guid::from_u128(64).as_str(), "0000000000000000000010");
    }

    #[test]
    fn keys_are_stable_and_distinct() {
        let a = Key::new(1, "rack").n(1).n(2).n(3).guid();
        assert_eq!(a, Key::new(1, "rack").n(1).n(2).n(3).guid());
        assert_ne!(a, Key::new(2, "rack").n(1).n(2).n(3).guid());
        assert_ne!(a, Key::new(1, "rack").n(1).n(3).n(2).guid());
        assert_ne!(Key::new(1, "ab").s("c").guid(), Key::new(1, "a").s("bc").guid());
        assert_eq!(a.as_str().len(), 22);
    }

    #[test]
    fn rng_is_deterministic() {
        let mut r1 = Rng::new(7, "x");
        let mut r2 = Rng::new(7, "x");
        assert_eq!(r1.next_u64(), r2.next_u64());
        assert!(r1.below(10) < 10);
    }
}
