//! Which of the viewer's threads yield the cores: the model load comes first.
//!
//! A load runs on every core (`plumbline_ifc::load_set`), and while it runs the window's own
//! work has nothing to show yet: Bevy compiling its render pipelines on the async compute pool,
//! and on a software renderer (Mesa's lavapipe, common on the virtual desktops banks use)
//! the rasterizer's threads drawing the progress frames. On two cores that work took about
//! half the machine during a load and stretched it: the 100k-element hall's models took
//! 1.5-1.9 s in the viewer against 0.8 s for the CLI. Those threads therefore run at a lower
//! priority ([`BACKGROUND_NICE`]): they still use every core the load leaves idle (its serial
//! stretches), and at full speed once it is done, so the first frame comes sooner too.
//!
//! On Linux a thread's nice value is its own (`setpriority` on a thread id), and a thread
//! cannot raise it again without privileges, so only threads whose work is background for their
//! whole life are lowered: the async compute pool (pipeline compilation) everywhere, and the
//! software rasterizer's threads only when the renderer is one (on a GPU the driver's threads
//! are left alone). Elsewhere nothing changes.

use bevy::prelude::*;

/// The nice value of the threads that yield to a load (0 is the default; 19 the lowest). At 10
/// a busy thread of the load gets about nine tenths of a core it shares with one of them.
pub const BACKGROUND_NICE: i32 = 10;

/// The prefix of the rasterizer threads of Mesa's software renderer (llvmpipe, which lavapipe
/// draws with): `llvmpipe-0`, `llvmpipe-1`, …
pub const SOFTWARE_RASTERIZER_THREAD: &str = "llvmpipe-";

/// Lowers the calling thread to [`BACKGROUND_NICE`] (for a thread pool's start hook). Does
/// nothing where a thread has no priority of its own.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), BACKGROUND_NICE) {
        // A lower priority is always allowed; a sandbox that refuses it costs only speed.
        warn!("cannot lower a background thread's priority: {e}");
    }
}

/// Lowers this process's threads whose name starts with `prefix` to [`BACKGROUND_NICE`] and
/// returns how many it lowered (0 where threads have no priority of their own).
pub fn lower_threads_named(prefix: &str) -> usize {
    #[cfg(target_os = "linux")]
    {
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
        let mut lowered = 0;
        for task in tasks.flatten() {
            let Some(tid) = task.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else { continue };
            // A thread that ended meanwhile has no name to read: skipped.
            let Ok(name) = std::fs::read_to_string(task.path().join("comm")) else { continue };
            if !name.starts_with(prefix) {
                continue;
            }
            let Some(pid) = rustix::process::Pid::from_raw(tid) else { continue };
            match rustix::process::setpriority_process(Some(pid), BACKGROUND_NICE) {
                Ok(()) => lowered += 1,
                Err(e) => warn!("cannot lower the priority of thread {tid} ({}): {e}", name.trim()),
            }
        }
        lowered
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = prefix;
        0
    }
}

/// Lowers the software rasterizer's threads once the renderer is known to be one.
#[derive(Debug, Default)]
pub struct PriorityPlugin;

impl Plugin for PriorityPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Update, lower_software_rasterizer);
    }
}

/// The rasterizer's threads exist from the render device's creation, before the first frame.
fn lower_software_rasterizer(
    adapter: Option<Res<bevy::render::renderer::RenderAdapterInfo>>,
    mut done: Local<bool>,
) {
    let Some(adapter) = adapter else { return };
    if *done {
        return;
    }
    *done = true;
    if crate::state::camera::software_renderer(adapter.device_type) {
        let lowered = lower_threads_named(SOFTWARE_RASTERIZER_THREAD);
        info!("software renderer: {lowered} rasterizer threads at nice {BACKGROUND_NICE}, so a load comes first");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    fn nice_of(tid: rustix::process::Pid) -> i32 {
        rustix::process::getpriority_process(Some(tid)).expect("a thread's priority reads")
    }

    /// A pool's start hook lowers its own thread only: the caller's priority is unchanged.
    #[cfg(target_os = "linux")]
    #[test]
    fn lowers_the_calling_thread_alone() {
        let before = nice_of(rustix::thread::gettid());
        let inside = std::thread::spawn(|| {
            lower_this_thread();
            nice_of(rustix::thread::gettid())
        })
        .join()
        .expect("the thread ends");
        assert_eq!(inside, BACKGROUND_NICE.max(before));
        assert_eq!(nice_of(rustix::thread::gettid()), before, "the test's own thread stays as it was");
    }

    /// Threads are found by their name's prefix; others keep their priority.
    #[cfg(target_os = "linux")]
    #[test]
    fn lowers_the_threads_of_a_name() {
        use std::sync::mpsc::channel;
        let spawn = |name: &str| {
            let (tid_tx, tid_rx) = channel();
            let (stop_tx, stop_rx) = channel::<()>();
            let handle = std::thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    tid_tx.send(rustix::thread::gettid()).expect("the test waits for the id");
                    let _ = stop_rx.recv();
                })
                .expect("a thread starts");
            (tid_rx.recv().expect("the thread sends its id"), stop_tx, handle)
        };
        // A prefix no other test's thread has, so tests running beside this one are not touched.
        let (a, stop_a, ha) = spawn("plbtest-rast-0");
        let (b, stop_b, hb) = spawn("plbtest-rast-1");
        let (other, stop_o, ho) = spawn("plbtest-other");
        let before = nice_of(other);
        if before > BACKGROUND_NICE {
            // Already below the background (a niced test run): a thread cannot be raised.
            eprintln!("skipped: the tests run at nice {before}, below {BACKGROUND_NICE} already");
            return;
        }
        assert_eq!(lower_threads_named("plbtest-rast-"), 2);
        assert_eq!((nice_of(a), nice_of(b)), (BACKGROUND_NICE, BACKGROUND_NICE));
        assert_eq!(nice_of(other), before);
        for (stop, handle) in [(stop_a, ha), (stop_b, hb), (stop_o, ho)] {
            drop(stop);
            handle.join().expect("the thread ends");
        }
    }
}
