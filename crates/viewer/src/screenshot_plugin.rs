//! `--screenshot out.png --exit-after-frames N`: once the scene is loaded, render N frames, save
//! the window with Bevy's screenshot API, print timings, and exit.
//!
//! This is how CI checks what a user sees without a GPU (Xvfb + Mesa lavapipe), and how the
//! frame-time and load-to-first-frame figures are measured.

use crate::state::camera::CameraFlight;
use crate::state::config::ViewerConfig;
use crate::state::load::{LoadPhase, LoadState};
use crate::state::scene::ModelScene;
use bevy::prelude::*;
use bevy::render::view::screenshot::{save_to_disk, Screenshot, ScreenshotCaptured};
use std::path::PathBuf;
use std::time::Instant;

/// The screenshot to take.
#[derive(Resource, Debug)]
pub struct ScreenshotPlan {
    pub path: PathBuf,
    pub after_frames: u32,
    /// Frames since the load finished (or since start when nothing loads).
    frames: u32,
    requested: bool,
    frame_secs: Vec<f32>,
    first_frame_after_load: Option<f64>,
    started: Instant,
}

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
            requested: false,
            frame_secs: Vec::new(),
            first_frame_after_load: None,
            started: Instant::now(),
        })
        .add_systems(Startup, |mut flight: ResMut<CameraFlight>| flight.instant = true)
        .add_systems(Last, count_frames);
    }
}

fn count_frames(
    mut commands: Commands,
    // Real time: the default (virtual) clock clamps a frame to 250 ms, which hid slow frames.
    time: Res<Time<Real>>,
    load: Res<LoadState>,
    scene: Res<ModelScene>,
    mut plan: ResMut<ScreenshotPlan>,
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
    if plan.frames == 2 {
        // The frame after the scene was installed is the first one that draws it.
        plan.first_frame_after_load = Some(plan.started.elapsed().as_secs_f64());
    }
    if plan.frames > 2 {
        let dt = time.delta_secs();
        plan.frame_secs.push(dt);
    }
    if plan.frames == plan.after_frames && !plan.requested {
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
    // A screenshot that never arrives must not hang CI.
    if plan.frames > plan.after_frames + 200 {
        error!("no screenshot after {} frames", plan.frames);
        exit.write(AppExit::error());
    }
}
