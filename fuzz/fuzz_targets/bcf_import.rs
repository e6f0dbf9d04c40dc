//! BCF archives (2.0, 2.1, 3.0, zipped or bare markup) through the reader and the matching of
//! topics to a report's clashes, as `plumbline bcf import` does.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    plumbline_fuzz::install_panic_policy();
    if let Ok(archive) = plumbline_bcf::read(data) {
        let report = plumbline_review::Report {
            models: Vec::new(),
            grouping: plumbline_review::Grouping::default(),
            tests: Vec::new(),
            timings: plumbline_review::Timings::default(),
        };
        for topic in &archive.topics {
            let _ = plumbline_bcf::clashes_of(topic, &report);
        }
    }
});
