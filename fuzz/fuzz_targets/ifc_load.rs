//! IFC bytes (STEP or .ifczip) through the whole loader and the IFC schedule reader.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plumbline_ifc::{load_bytes, schedule::read_schedule_bytes, LoadOptions};
use std::path::Path;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    plumbline_fuzz::install_panic_policy();
    let path = Path::new("fuzz.ifc");
    // The schedule reader is Plumbline's own STEP walker: any panic in it is a finding.
    let _ = read_schedule_bytes(path, data);
    // A short limit: an input that makes the tessellator spin is reported as TimedOut, which is
    // the behaviour under test (libFuzzer's own -timeout catches anything slower still).
    let options =
        LoadOptions { time_limit: Duration::from_secs(10), max_unzipped_bytes: 64 << 20, ..Default::default() };
    if let Ok(model) = load_bytes(path, data.to_vec(), &options) {
        // Every loaded element must be usable downstream: finite world boxes.
        for element in &model.elements {
            if let Some(mesh) = &element.mesh {
                assert!(mesh.origin_m.iter().all(|c| c.is_finite()), "non-finite mesh origin");
                assert!(mesh.vertices.iter().flatten().all(|c| c.is_finite()), "non-finite vertex");
            }
        }
    }
});
