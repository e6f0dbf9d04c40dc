//! 4D scrubbing speed: the state of 1,000,000 elements at a date, after a one-time index.
//!
//! The schedule has 2,000 tasks (construct, demolish, temporary) and each element is linked to
//! one or two of them, as a large fit-out programme is. Goal: under 20 ms per date.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use plumbline_schedule::chrono::{Days, NaiveDate};
use plumbline_schedule::{Basis, Format, Schedule, SimIndex, Task, TaskType};

const ELEMENTS: usize = 1_000_000;
const TASKS: usize = 2_000;

fn schedule() -> Schedule {
    let mut s = Schedule::new("bench", Format::Memory);
    let start = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap_or_default();
    for i in 0..TASKS {
        let mut t = Task::new(format!("T{i}"), format!("Task {i}"));
        t.task_type = match i % 10 {
            0 => TaskType::Demolish,
            1 => TaskType::Temporary,
            _ => TaskType::Construct,
        };
        t.start = start.checked_add_days(Days::new((i / 4) as u64));
        t.finish = start.checked_add_days(Days::new((i / 4 + 5 + i % 7) as u64));
        s.tasks.push(t);
    }
    s
}

fn index(s: &Schedule) -> SimIndex {
    SimIndex::new(
        s,
        (0..ELEMENTS).map(|e| {
            let build = (e * 7919) % TASKS;
            let tasks = if e % 5 == 0 { vec![build, (build + 400) % TASKS] } else { vec![build] };
            (tasks, e % 50 == 0)
        }),
    )
}

fn scrub(c: &mut Criterion) {
    let s = schedule();
    let mut group = c.benchmark_group("schedule");
    group.sample_size(20);
    group.bench_function("index_1m_elements", |b| b.iter(|| index(black_box(&s))));
    let idx = index(&s);
    let day = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap_or_default();
    let mut out = Vec::with_capacity(ELEMENTS);
    group.bench_function("states_at_1m_elements", |b| {
        b.iter(|| {
            idx.states_at(black_box(day), Basis::Planned, &mut out);
            black_box(out.len())
        })
    });
    group
        .bench_function("counts_at_1m_elements", |b| b.iter(|| idx.counts_at(black_box(day), Basis::Actual)));
    group.finish();
}

/// Schedule risk on the hotel XER (4,236 activities, 5 calendars): 10,000 Monte Carlo
/// iterations of the CPM on the global rayon pool. Goal: under 5 s on 2 cores. Skipped with a
/// notice when the shared schedules are absent.
fn risk(c: &mut Criterion) {
    let Some(path) = plumbline_testkit::schedule_file("xer/bhatticoder_Hotel_Project.xer") else {
        println!("skipped risk benchmark: xer/bhatticoder_Hotel_Project.xer is absent");
        return;
    };
    let Ok(s) = plumbline_schedule::read_schedule(&path) else {
        println!("skipped risk benchmark: the hotel XER does not read");
        return;
    };
    let mut group = c.benchmark_group("schedule");
    group.sample_size(10);
    group.bench_function("risk_hotel_10k_iterations", |b| {
        b.iter(|| plumbline_schedule::risk::simulate(black_box(&s), 10_000, 1, None).map(|r| r.finish))
    });
    group.finish();
}

criterion_group!(benches, scrub, risk);
criterion_main!(benches);
