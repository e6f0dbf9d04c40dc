//! Times the schedule risk run on a file: `cargo run --release -p plumbline-schedule --example
//! risk_timing -- FILE [ITERATIONS]` (a quick check beside the criterion benchmark).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("give a schedule file")?;
    let iterations: usize = args.next().map_or(Ok(10_000), |a| a.parse())?;
    let s = plumbline_schedule::read_schedule(std::path::Path::new(&path))?;
    let t = std::time::Instant::now();
    let r = plumbline_schedule::risk::simulate(&s, iterations, 1, None)?;
    println!(
        "{iterations} iterations in {:.2} s: finish P50 {} P90 {}",
        t.elapsed().as_secs_f64(),
        r.finish.p50,
        r.finish.p90
    );
    Ok(())
}
