//! `--screenshot out.png --exit-after-frames N`: once the scene is loaded, render N frames, save
//! the window with Bevy's screenshot API, print timings, and exit.
//!
//! This is how CI checks what a user sees without a GPU (Xvfb + Mesa lavapipe), and how the
//! frame-time and load-to-first-frame figures are measured.
//!
//! Bevy compiles render pipelines in the background and leaves out of a frame whatever waits for
//! one. On a busy machine lavapipe can take longer than N frames to compile them (CI once shot the
//! merged-batch view with no model in it), so the shot also waits until no pipeline has been
//! waiting for [`QUIET_FRAMES`] frames in a row: the render world counts them after each frame.

use crate::state::camera::CameraFlight;
use crate::state::config::ViewerConfig;
use crate::state::load::{LoadPhase, LoadState};
use crate::state::scene::ModelScene;
use bevy::prelude::*;
use bevy::render::render_resource::PipelineCache;
use bevy::render::view::screenshot::{save_to_disk, Screenshot, ScreenshotCaptured};
use bevy::render::{Render, RenderApp, RenderSystems};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Frames in a row with no render pipeline waiting before the shot is taken. Three, because the
/// render world runs a frame behind the main world and an element left out of the frame whose
/// pipeline became ready is drawn only in the next one.
pub const QUIET_FRAMES: u32 = 3;

/// Render pipelines still compiling after the last rendered frame (`usize::MAX` before the render
/// world first reported), shared between the main and the render world.
#[derive(Resource, Clone, Debug)]
pub struct WaitingPipelines(Arc<AtomicUsize>);

impl Default for WaitingPipelines {
    fn default() -> Self {
        Self(Arc::new(AtomicUsize::new(usize::MAX)))
    }
}

impl WaitingPipelines {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    pub fn set(&self, waiting: usize) {
        self.0.store(waiting, Ordering::Relaxed);
    }
}

/// The screenshot to take.
#[derive(Resource, Debug)]
pub struct ScreenshotPlan {
    pub path: PathBuf,
    pub after_frames: u32,
    /// Frames since the load finished (or since start when nothing loads).
    frames: u32,
    /// Frames in a row that found no render pipeline waiting.
    quiet_frames: u32,
    requested: bool,
    frame_secs: Vec<f32>,
    first_frame_after_load: Option<f64>,
    started: Instant,
}

/// When the process started (`main` inserts it first thing): the first frame's time counts from
/// it, so it includes the graphics device's creation before the plugins are built.
#[derive(Resource, Debug, Clone, Copy)]
pub struct ProcessStart(pub Instant);

/// Takes the screenshot and exits.
#[derive(Debug, Default)]
pub struct ScreenshotPlugin;

impl Plugin for ScreenshotPlugin {
    fn build(&self, app: &mut App) {
        let Some(config) = app.world().get_resource::<ViewerConfig>().cloned() else { return };
        let Some(path) = config.screenshot else { return };
        app.insert_resource(ScreenshotPlan {
            path,
            after_frames: config.exit_after_frames.unwrap_or(5).max(1),
            frames: 0,
            quiet_frames: 0,
            requested: false,
            frame_secs: Vec::new(),
            first_frame_after_load: None,
            started: app.world().get_resource::<ProcessStart>().map_or_else(Instant::now, |s| s.0),
        })
        .add_systems(Startup, |mut flight: ResMut<CameraFlight>| flight.instant = true)
        .add_systems(Last, count_frames);
        let waiting = WaitingPipelines::default();
        app.insert_resource(waiting.clone());
        // Without a renderer (the headless tests) nothing counts: the count stays unknown
        // (`usize::MAX`), so no shot is due until a test sets it.
        if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
            render_app
                .insert_resource(waiting)
                .add_systems(Render, count_waiting_pipelines.in_set(RenderSystems::Cleanup));
        }
    }
}

/// After each rendered frame: how many pipelines are still compiling.
fn count_waiting_pipelines(cache: Res<PipelineCache>, waiting: Res<WaitingPipelines>) {
    waiting.set(cache.waiting_pipelines().count());
}

/// Whether the shot is due: the frames asked for are drawn and nothing has waited for a pipeline
/// for the last [`QUIET_FRAMES`] frames.
pub fn shot_is_due(frames: u32, after_frames: u32, quiet_frames: u32) -> bool {
    frames >= after_frames && quiet_frames >= QUIET_FRAMES
}

fn count_frames(
    mut commands: Commands,
    // Real time: the default (virtual) clock clamps a frame to 250 ms, which hid slow frames.
    time: Res<Time<Real>>,
    load: Res<LoadState>,
    scene: Res<ModelScene>,
    mut plan: ResMut<ScreenshotPlan>,
    waiting: Res<WaitingPipelines>,
    mut exit: MessageWriter<AppExit>,
) {
    let ready = match load.phase {
        LoadPhase::Loading => false,
        LoadPhase::Idle | LoadPhase::Done { .. } => true,
    };
    if !ready {
        return;
    }
    plan.frames += 1;
    plan.quiet_frames = if waiting.get() == 0 { plan.quiet_frames + 1 } else { 0 };
    if plan.frames == 2 {
        // The frame after the scene was installed is the first one that draws it.
        plan.first_frame_after_load = Some(plan.started.elapsed().as_secs_f64());
    }
    if plan.frames > 2 {
        let dt = time.delta_secs();
        plan.frame_secs.push(dt);
    }
    if shot_is_due(plan.frames, plan.after_frames, plan.quiet_frames) && !plan.requested {
        plan.requested = true;
        let path = plan.path.clone();
        let mut sorted = plan.frame_secs.clone();
        sorted.sort_by(f32::total_cmp);
        let median_ms = sorted.get(sorted.len() / 2).map_or(f32::NAN, |s| s * 1000.0);
        let load_secs = match load.phase {
            LoadPhase::Done { secs } => secs,
            _ => 0.0,
        };
        // One line a script can grep.
        println!(
            "plumbline-viewer timings: load_secs={load_secs:.3} first_frame_secs={:.3} frames={} median_frame_ms={median_ms:.1} elements={} meshes={}",
            plan.first_frame_after_load.unwrap_or(f64::NAN),
            plan.frames,
            scene.drawn(),
            scene.meshes,
        );
        commands.spawn(Screenshot::primary_window()).observe(save_to_disk(path)).observe(
            |_: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
                exit.write(AppExit::Success);
            },
        );
    }
    // A screenshot that never arrives (or pipelines that never finish compiling) must not hang CI.
    if plan.frames > plan.after_frames + 200 {
        error!("no screenshot after {} frames ({} render pipelines waiting)", plan.frames, waiting.get());
        exit.write(AppExit::error());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plugin in an app without a window or renderer; the render world's count is set by hand.
    fn app_shooting_after(frames: u32) -> App {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .init_resource::<LoadState>()
            .init_resource::<ModelScene>()
            .init_resource::<CameraFlight>()
            .insert_resource(ViewerConfig {
                screenshot: Some(PathBuf::from("never-written.png")),
                exit_after_frames: Some(frames),
                ..Default::default()
            })
            .add_plugins(ScreenshotPlugin);
        app
    }

    fn shot_requested(app: &mut App) -> bool {
        app.world_mut().query::<&Screenshot>().iter(app.world()).next().is_some()
    }

    /// Regression: CI's merged-batch shot was taken at its sixth frame while lavapipe still
    /// compiled the pipelines, so the model was missing from it.
    #[test]
    fn the_shot_waits_for_pipelines_still_compiling() {
        let mut app = app_shooting_after(6);
        let waiting = app.world().resource::<WaitingPipelines>().clone();
        waiting.set(2);
        for _ in 0..20 {
            app.update();
        }
        assert!(!shot_requested(&mut app), "shot taken while pipelines were compiling");
        waiting.set(0);
        for _ in 1..QUIET_FRAMES {
            app.update();
        }
        assert!(!shot_requested(&mut app), "shot taken before {QUIET_FRAMES} quiet frames");
        app.update();
        assert!(shot_requested(&mut app), "no shot after {QUIET_FRAMES} quiet frames");
    }

    #[test]
    fn with_every_pipeline_ready_the_shot_comes_after_the_frames_asked_for() {
        let mut app = app_shooting_after(6);
        app.world().resource::<WaitingPipelines>().set(0);
        for _ in 0..5 {
            app.update();
        }
        assert!(!shot_requested(&mut app));
        app.update();
        assert!(shot_requested(&mut app));
    }

    #[test]
    fn a_quiet_spell_must_be_unbroken() {
        assert!(!shot_is_due(5, 6, 10));
        assert!(!shot_is_due(6, 6, QUIET_FRAMES - 1));
        assert!(shot_is_due(6, 6, QUIET_FRAMES));
        assert!(shot_is_due(40, 6, QUIET_FRAMES));
    }
}
