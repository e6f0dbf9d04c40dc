//! BCF export from the view: the focused clash's group becomes a BCF topic whose snapshot is
//! the 3D view as the reviewer sees it (the window captured, cropped to the viewport).
//!
//! The capture is asynchronous (Bevy's `Screenshot` entity and its `ScreenshotCaptured`
//! observer); the archive is written by `ClashReview::export_group_bcf`. With `--bcf-out` the
//! viewer exports the clash given by `--focus-clash` once the model is shown and exits, which
//! is how CI checks this path.

use crate::snapshot::{encode_png, view_crop};
use crate::state::camera::{CameraFlight, ViewRect};
use crate::state::clash::{BcfExportRequest, ClashKey, ClashReview};
use crate::state::config::ViewerConfig;
use crate::state::load::{LoadPhase, LoadState};
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::PrimaryWindow;
use std::path::PathBuf;

/// Handles [`BcfExportRequest`]s, and runs `--bcf-out`.
#[derive(Debug, Default)]
pub struct BcfPlugin;

/// `--bcf-out`: where to write, and how far it got.
#[derive(Resource, Debug)]
struct BatchExport {
    path: PathBuf,
    frames: u32,
    requested: bool,
}

impl Plugin for BcfPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Update, capture_for_bcf);
        let out = app.world().get_resource::<ViewerConfig>().and_then(|c| c.bcf_out.clone());
        if let Some(path) = out {
            app.insert_resource(BatchExport { path, frames: 0, requested: false })
                .add_systems(Startup, |mut flight: ResMut<CameraFlight>| flight.instant = true)
                .add_systems(Last, batch_export);
        }
    }
}

/// Where an interactive export goes: beside the clash report, named after the test and group.
fn default_path(review: &ClashReview, key: ClashKey, config: Option<&ViewerConfig>) -> PathBuf {
    let clean = |s: &str| -> String {
        s.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect()
    };
    let name = review
        .clash(key)
        .map(|c| format!("{}-{}.bcf", clean(&c.test), clean(&c.group)))
        .unwrap_or_else(|| "clash-group.bcf".into());
    let dir = config
        .and_then(|c| c.clashes.as_ref())
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    dir.join(name)
}

fn capture_for_bcf(
    mut commands: Commands,
    mut requests: MessageReader<BcfExportRequest>,
    review: Res<ClashReview>,
    config: Option<Res<ViewerConfig>>,
    batch: Option<Res<BatchExport>>,
    rect: Res<ViewRect>,
    windows: Query<&Window, With<PrimaryWindow>>,
) {
    let Some(request) = requests.read().last().copied() else { return };
    let path = match &batch {
        Some(b) => b.path.clone(),
        None => default_path(&review, request.key, config.as_deref()),
    };
    // The viewport in physical pixels: the picture is the model, not the panels around it
    // (with what is drawn over it: redlines, a dimension line).
    let scale = windows.single().map_or(1.0, |w| w.scale_factor());
    let crop = view_crop(&rect, scale);
    let key = request.key;
    let exit_after = batch.is_some();
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>,
              mut review: ResMut<ClashReview>,
              mut exit: MessageWriter<AppExit>| {
            let png = encode_png(&captured.image, crop);
            if let Err(e) = &png {
                warn!("BCF snapshot: {e}; the topic is written without one");
            }
            let outcome = review.export_group_bcf(key, png.ok(), &path);
            let message = match &outcome {
                Ok(()) => format!("BCF: {}", path.display()),
                Err(e) => format!("BCF: {e}"),
            };
            info!("{message}");
            if exit_after {
                println!("plumbline-viewer {message}");
                exit.write(if outcome.is_ok() { AppExit::Success } else { AppExit::error() });
            }
            review.last_action = Some((outcome.is_ok(), message));
        },
    );
}

/// `--bcf-out`: once the model has been shown for a few frames, export the focused clash.
fn batch_export(
    load: Res<LoadState>,
    review: Res<ClashReview>,
    mut batch: ResMut<BatchExport>,
    mut requests: MessageWriter<BcfExportRequest>,
    mut exit: MessageWriter<AppExit>,
) {
    if matches!(load.phase, LoadPhase::Loading) || batch.requested {
        return;
    }
    batch.frames += 1;
    if batch.frames < 6 {
        return;
    }
    batch.requested = true;
    match review.focused {
        Some(key) => {
            requests.write(BcfExportRequest { key });
        }
        None => {
            eprintln!("--bcf-out: no clash in focus (give --focus-clash ID and --clashes FILE)");
            exit.write(AppExit::error());
        }
    }
}
