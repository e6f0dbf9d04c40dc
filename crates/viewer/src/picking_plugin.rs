//! Click to select: Bevy's mesh picking finds the element under the pointer; a click on empty
//! space clears the selection. A press that moved more than a few pixels was an orbit or a pan,
//! not a click.

use crate::camera_plugin::{pointer_in_view, PointerDrag, ViewRect};
use crate::clash_plugin::ClashReview;
use crate::scene_plugin::{ElementId, Selection};
use bevy::picking::mesh_picking::MeshPickingPlugin;
use bevy::picking::pointer::PointerButton;
use bevy::prelude::*;
use bevy_egui::input::EguiWantsInput;

/// Pixels a press may move and still count as a click.
const CLICK_SLOP_PX: f32 = 5.0;

/// Mesh picking and click selection.
#[derive(Debug, Default)]
pub struct ClickSelectPlugin;

impl Plugin for ClickSelectPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins(MeshPickingPlugin).add_systems(Update, select_on_click);
    }
}

#[allow(clippy::too_many_arguments, reason = "a Bevy system reading each input it combines")]
fn select_on_click(
    mut clicks: MessageReader<Pointer<Click>>,
    buttons: Res<ButtonInput<MouseButton>>,
    drag: Res<PointerDrag>,
    egui: Option<Res<EguiWantsInput>>,
    windows: Query<&Window, With<bevy::window::PrimaryWindow>>,
    rect: Res<ViewRect>,
    elements: Query<&ElementId>,
    mut selection: ResMut<Selection>,
    mut review: ResMut<ClashReview>,
) {
    let hit = clicks
        .read()
        .filter(|c| c.event.button == PointerButton::Primary)
        .find_map(|c| elements.get(c.entity).ok().map(|id| id.element));
    let released = buttons.just_released(MouseButton::Left);
    if !released || drag.travelled_px > CLICK_SLOP_PX || !drag.in_view {
        return;
    }
    if !pointer_in_view(windows.single().ok(), &rect, egui.as_deref()) {
        return;
    }
    if selection.element != hit || selection.task.is_some() {
        selection.select_element(hit);
    }
    // Picking an element leaves clash review for the model.
    if hit.is_some() && review.focused.is_some() {
        review.focused = None;
    }
}
