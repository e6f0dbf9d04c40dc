//! Shared set-up for Plumbline's fuzz targets.

use std::sync::Once;

/// Installs the panic policy the targets share. libFuzzer's default hook aborts on every panic.
/// Plumbline contains panics raised inside third-party code it cannot fix (the loaders wrap
/// ifc-lite and the archive readers in `catch_unwind` and turn them into errors), so a panic
/// whose location is in a registry crate is printed and allowed to unwind to that guard. A panic
/// in Plumbline's own code is a bug and still aborts, which libFuzzer records as a crash.
pub fn install_panic_policy() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The first take returns libFuzzer's aborting hook; after it, the standard one is back.
        let _libfuzzer_hook = std::panic::take_hook();
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_dependency = info
                .location()
                .map(|l| l.file().contains("/.cargo/registry/") || l.file().contains("/rustc/"))
                .unwrap_or(false);
            if in_dependency {
                // One line, not a backtrace: these are expected and contained.
                eprintln!("contained dependency panic: {info}");
            } else {
                default_hook(info);
                std::process::abort();
            }
        }));
    });
}
