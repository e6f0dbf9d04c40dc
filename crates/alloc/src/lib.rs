//! The allocator the `plumbline` and `plumbline-viewer` binaries run on: mimalloc, with a longer
//! purge delay than its default.
//!
//! mimalloc hands memory that has stayed free for `purge_delay` milliseconds (1000 by default)
//! back to the system, and the next allocation there is a fresh page the kernel zeroes again. A
//! load frees and allocates hundreds of megabytes within a second (ifc-lite's per-part state,
//! grown vectors), so on two cores a quarter of its time went to zeroing pages it had already
//! had: with a 10 s delay the cold load of Office_A ×10 tiled fell from 0.93 to 0.86 s and its
//! system time from 0.23 to 0.09 s, the 100k-element hall from 0.85 to 0.78 s (medians of 9,
//! alternated). The price is a higher peak on the largest loads (the 1M-element hall 2.2–2.3 GB
//! → 2.7 GB, still under the 3 GB goal), and an idle process gives its free memory back 10 s
//! after a load instead of 1 s.

/// The global allocator to declare in a binary (`#[global_allocator]`).
pub use mimalloc::MiMalloc as Allocator;

/// How long freed memory stays with the process before mimalloc returns it to the system.
pub const PURGE_DELAY_MS: i64 = 10_000;

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h`), which the Rust bindings name no constant
/// for: the option just before `mi_option_use_numa_nodes`. `purge_delay_is_that_option` checks it.
const OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = libmimalloc_sys::mi_option_use_numa_nodes - 1;

/// Sets the purge delay; call it first thing in `main`. Harmless when another allocator is the
/// global one (mimalloc is then linked but unused).
pub fn configure() {
    // SAFETY: `mi_option_set` stores a number in mimalloc's option table (an atomic write), valid
    // at any time from any thread; the option is an index of that table.
    #[allow(unsafe_code, reason = "the one FFI call that sets a mimalloc option")]
    unsafe {
        // C's long: 64 bits here, 32 on Windows (10 000 fits either).
        libmimalloc_sys::mi_option_set(OPTION_PURGE_DELAY, PURGE_DELAY_MS as _);
    }
}

/// mimalloc's current purge delay in milliseconds.
pub fn purge_delay_ms() -> i64 {
    // SAFETY: reads mimalloc's option table (initialising the entry from the environment the
    // first time), valid at any time from any thread.
    #[allow(unsafe_code, reason = "reads the option `configure` sets")]
    let ms = unsafe { libmimalloc_sys::mi_option_get(OPTION_PURGE_DELAY) };
    #[allow(clippy::useless_conversion, reason = "C's long is 32 bits on Windows")]
    i64::from(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_delay_is_that_option() {
        // If a mimalloc update renumbered its options, or changed this one's default, the number
        // above would now set something else: the default says it is still the purge delay.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            eprintln!("NOTICE: MIMALLOC_PURGE_DELAY is set; the default cannot be checked");
        } else {
            assert_eq!(purge_delay_ms(), 1000, "mimalloc's purge delay defaults to 1000 ms");
        }
        configure();
        assert_eq!(purge_delay_ms(), PURGE_DELAY_MS);
    }
}
