//! The section box: geometry outside a world-aligned box is cut away (per fragment, in the
//! element material's shader), so a reviewer sees inside a closed building, as in Navisworks'
//! sectioning. The box is kept in world metres ([`SectionBox`]); every element material carries
//! it in render space ([`SectionClip`]), updated when the box changes.

use crate::render_from_world;
use crate::scene_plugin::{ModelScene, Palette};
use bevy::pbr::{ExtendedMaterial, MaterialExtension};
use bevy::prelude::*;
use bevy::render::render_resource::{AsBindGroup, ShaderType};
use bevy::shader::ShaderRef;
use plumbline_model::Aabb;

/// The material of every element: Bevy's standard material with the section box.
pub type ElementMaterial = ExtendedMaterial<StandardMaterial, SectionClip>;

/// The section box as the shader reads it: render-space corners, `min.w` = 1 when on.
#[derive(ShaderType, Debug, Clone, Copy, Default, PartialEq, Reflect)]
pub struct SectionUniform {
    pub min: Vec4,
    pub max: Vec4,
}

/// The material extension that cuts fragments outside the section box.
#[derive(Asset, AsBindGroup, Reflect, Debug, Clone, Default)]
pub struct SectionClip {
    #[uniform(100)]
    pub section: SectionUniform,
}

impl MaterialExtension for SectionClip {
    fn fragment_shader() -> ShaderRef {
        "embedded://plumbline_viewer/section.wgsl".into()
    }

    // The prepass would write depth for geometry the box cuts away; the viewer uses no depth
    // prepass and no shadow maps, so the material skips both.
    fn enable_prepass() -> bool {
        false
    }

    fn enable_shadows() -> bool {
        false
    }
}

/// Wraps a standard material into an element material (section box off).
pub fn element_material(base: StandardMaterial) -> ElementMaterial {
    ExtendedMaterial { base, extension: SectionClip::default() }
}

/// The section box the user controls, in world metres (Z up).
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct SectionBox {
    pub enabled: bool,
    pub bounds: Aabb,
}

impl Default for SectionBox {
    fn default() -> Self {
        SectionBox { enabled: false, bounds: Aabb::EMPTY }
    }
}

impl SectionBox {
    /// The shader's view of the box, for a scene rebased on `origin_m`.
    pub fn uniform(&self, origin_m: [f64; 3]) -> SectionUniform {
        if !self.enabled || self.bounds.is_empty() {
            return SectionUniform::default();
        }
        // Clamp before converting: a box given as "everything below 3 m" may use huge numbers.
        let clamp = |p: [f64; 3]| p.map(|c| c.clamp(-1.0e7, 1.0e7));
        let a = render_from_world(origin_m, clamp(self.bounds.min));
        let b = render_from_world(origin_m, clamp(self.bounds.max));
        SectionUniform { min: a.min(b).extend(1.0), max: a.max(b).extend(0.0) }
    }
}

/// Keeps every element material's section uniform equal to the [`SectionBox`].
#[derive(Debug, Default)]
pub struct SectionPlugin;

impl Plugin for SectionPlugin {
    fn build(&self, app: &mut App) {
        let initial = app.world().get_resource::<crate::ViewerConfig>().and_then(|c| c.section_box);
        app.insert_resource(SectionBox {
            enabled: initial.is_some(),
            bounds: initial.unwrap_or(Aabb::EMPTY),
        })
        .add_systems(PostUpdate, apply_section);
    }
}

/// Adds the shader (embedded in the binary) and the material; needs the render app.
#[derive(Debug, Default)]
pub struct SectionRenderPlugin;

impl Plugin for SectionRenderPlugin {
    fn build(&self, app: &mut App) {
        bevy::asset::embedded_asset!(app, "section.wgsl");
        app.add_plugins(MaterialPlugin::<ElementMaterial>::default());
    }
}

fn apply_section(
    section: Res<SectionBox>,
    scene: Res<ModelScene>,
    palette: Res<Palette>,
    mut materials: ResMut<Assets<ElementMaterial>>,
    mut redraw: MessageWriter<bevy::window::RequestRedraw>,
) {
    if !(section.is_changed() || scene.is_changed() || palette.is_changed()) {
        return;
    }
    let uniform = section.uniform(scene.origin_m);
    for handle in palette.all() {
        let unchanged = materials.get(handle).is_none_or(|m| m.extension.section == uniform);
        if !unchanged {
            if let Some(mut m) = materials.get_mut(handle) {
                m.extension.section = uniform;
            }
        }
    }
    redraw.write(bevy::window::RequestRedraw);
}
