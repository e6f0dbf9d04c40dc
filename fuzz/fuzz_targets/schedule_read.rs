//! Schedule files (XER, MS Project XML, P6 XML, CSV) through the readers, then through what the
//! viewer and the CLI do with an accepted schedule: the critical path and the 4D index. The first
//! byte picks the file name the reader sees, so extension-based detection is fuzzed too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plumbline_schedule::{chrono::NaiveDate, critical_path, read_schedule_bytes, Basis, SimIndex};
use std::path::Path;

const NAMES: [&str; 5] = ["fuzz.xer", "fuzz.xml", "fuzz.csv", "fuzz.txt", "fuzz"];

fuzz_target!(|data: &[u8]| {
    plumbline_fuzz::install_panic_policy();
    let Some((&pick, bytes)) = data.split_first() else { return };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let Ok(schedule) = read_schedule_bytes(Path::new(name), bytes) else { return };
    let _ = critical_path(&schedule);
    // One element per task, as if every task built one element.
    let index = SimIndex::new(&schedule, (0..schedule.tasks.len()).map(|t| (vec![t], t % 7 == 0)));
    let mut states = Vec::new();
    for day in [(1900, 1, 1), (2026, 6, 15), (2200, 12, 31)] {
        let day = NaiveDate::from_ymd_opt(day.0, day.1, day.2).expect("a valid date");
        index.states_at(day, Basis::Planned, &mut states);
        index.states_at(day, Basis::Actual, &mut states);
    }
});
