//! Rule files (TOML clash matrices) through parsing and validation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plumbline_rules::RuleSet;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    plumbline_fuzz::install_panic_policy();
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = RuleSet::parse(Path::new("fuzz.toml"), text, &plumbline_ifc::canonical_class_name);
});
