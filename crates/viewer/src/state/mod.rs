//! The viewer's shared state: every resource, component, message and type that more than one
//! feature reads or writes, and the helpers that go with them.
//!
//! This module sits at the bottom of the crate: it imports no plugin, and the plugins talk to
//! each other only through what it defines (a plugin never imports another plugin). A feature
//! writes a resource or a message here; the feature that acts on it reads it from here.
//!
//! - [`batch`]: instanced or merged drawing, and the merged batches of the scene.
//! - [`config`]: what the user asked for on the command line ([`config::ViewerConfig`]).
//! - [`coords`]: world metres (Z up, `f64`) to Bevy render space and back.
//! - [`scene`]: the loaded models and their entities, the selection, visibility filters;
//!   [`global_ids`]: their elements by GlobalId.
//! - [`palette`]: what an element looks like, the shared materials, the class colours.
//! - [`section`]: the section box and the element material that carries it.
//! - [`camera`]: the orbit camera's pose, camera requests, the 3D view's rectangle.
//! - [`clash`]: the reviewed clash report, the clash in focus, the clash history.
//! - [`colour`]: colour by class, storey, system, property, clash status or 4D state.
//! - [`timeline`]: the 4D schedule and the shown date.
//! - [`load`]: the running load, a finished load waiting to be installed, open requests.
//! - [`measure`]: the measure tool's picked elements and result.
//! - [`viewpoint`], [`viewpoint_bcf`], [`viewpoint_apply`], [`viewpoint_text`]: saved views
//!   (their file beside the first model, the last view, BCF topics of them, putting a view's
//!   4D day, colours and clash back, the Views tab's texts); [`redline`]: lines, arrows and
//!   text drawn over the view.
//! - [`ui`]: the panel slots features draw their egui panels into.
//! - [`spatial`]: the drawn elements' boxes and triangles, which walking and picking query.
//! - [`walk`]: walking and flying (gravity, collision), and whether the orbit camera has input.
//! - [`i18n`]: the UI language and its strings.

pub mod batch;
pub mod camera;
pub mod clash;
pub mod colour;
pub mod config;
pub mod coords;
pub mod global_ids;
pub mod i18n;
pub mod load;
pub mod measure;
pub mod palette;
pub mod redline;
pub mod scene;
pub mod section;
pub mod spatial;
pub mod timeline;
pub mod ui;
pub mod viewpoint;
pub mod viewpoint_apply;
pub mod viewpoint_bcf;
pub mod viewpoint_text;
pub mod walk;

use bevy::prelude::*;
use bevy::window::RequestRedraw;

/// Registers the shared state, so every feature finds it whichever plugins are added: the
/// resources (at their defaults; a feature may replace one from the configuration), the
/// messages, the order of the install steps, and the UI language (`--lang`, else the system
/// locale).
#[derive(Debug, Default)]
pub struct StatePlugin;

impl Plugin for StatePlugin {
    fn build(&self, app: &mut App) {
        use load::InstallStep;
        app.init_resource::<config::ViewerConfig>()
            .init_resource::<load::LoadState>()
            .init_resource::<load::OpenFeedback>()
            .init_resource::<load::PendingLoad>()
            .init_resource::<scene::ModelScene>()
            .init_resource::<scene::Selection>()
            .init_resource::<scene::Hovered>()
            .init_resource::<scene::ViewFilter>()
            .init_resource::<palette::Palette>()
            .init_resource::<section::SectionBox>()
            .init_resource::<clash::ClashReview>()
            .init_resource::<timeline::Timeline>()
            .init_resource::<camera::CameraFlight>()
            .init_resource::<camera::PointerDrag>()
            .init_resource::<camera::ViewRect>()
            .init_resource::<measure::Measure>()
            .init_resource::<redline::Redlining>()
            .init_resource::<viewpoint::ViewBook>()
            .init_resource::<walk::Walker>()
            .init_resource::<colour::Colouring>()
            .init_resource::<ui::UiPanels>()
            .init_resource::<ui::OpenRow>()
            .add_message::<RequestRedraw>()
            .add_message::<camera::CameraCommand>()
            .add_message::<clash::BcfExportRequest>()
            .add_message::<load::OpenFiles>()
            .add_message::<load::BrowseFiles>()
            .configure_sets(
                PreUpdate,
                (
                    InstallStep::Receive,
                    InstallStep::Scene,
                    InstallStep::Select,
                    InstallStep::Clashes,
                    InstallStep::Schedule,
                    InstallStep::Finish,
                )
                    .chain(),
            );
        let lang =
            app.world().resource::<config::ViewerConfig>().lang.unwrap_or_else(i18n::Lang::from_system);
        app.insert_resource(lang);
    }
}
