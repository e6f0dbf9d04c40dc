//! Stable clash ids.

use sha2::{Digest, Sha256};

/// The id of a clash: the first 16 hex digits of SHA-256 over the test name and the two
/// GlobalIds in sorted order, so the same clash keeps its id across runs and versions.
pub fn clash_id(test: &str, a: &str, b: &str) -> String {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    let mut h = Sha256::new();
    for part in [test, x, y] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_ignore_pair_order_and_depend_on_the_test() {
        assert_eq!(super::clash_id("t", "A", "B"), super::clash_id("t", "B", "A"));
        assert_ne!(super::clash_id("t", "A", "B"), super::clash_id("u", "A", "B"));
        assert_eq!(super::clash_id("t", "A", "B").len(), 16);
    }
}
