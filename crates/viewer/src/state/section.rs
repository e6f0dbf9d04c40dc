//! The section box as state: the box the user controls in world metres ([`SectionBox`]) and the
//! element material that carries it to the shader in render space ([`SectionClip`]).

use crate::state::coords::render_from_world;
use bevy::pbr::ExtendedMaterial;
use bevy::prelude::*;
use bevy::render::render_resource::{AsBindGroup, ShaderType};
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

/// The look every element colour is drawn with (class colours, legend colours, a view's
/// colours), opaque: one definition, so a coloured element shades as its neighbours do.
pub fn element_look(color: Color) -> StandardMaterial {
    StandardMaterial {
        base_color: color,
        perceptual_roughness: 0.85,
        metallic: 0.0,
        reflectance: 0.2,
        // IFC exporters do not agree on winding: draw both sides.
        cull_mode: None,
        double_sided: true,
        ..default()
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
    /// The part of a world ray (`from_m` along the unit `dir`) the box keeps: the distances
    /// where it enters and leaves the box (from 0, where the ray starts inside), or `None`
    /// when it misses the box or the box is behind it. A box that is off keeps `0..reach_m`.
    pub fn clip_ray(&self, from_m: [f64; 3], dir: [f64; 3], reach_m: f64) -> Option<(f64, f64)> {
        if !self.enabled || self.bounds.is_empty() {
            return Some((0.0, reach_m));
        }
        let (mut near, mut far) = (0.0f64, reach_m);
        for k in 0..3 {
            let (lo, hi) = (self.bounds.min[k], self.bounds.max[k]);
            if dir[k].abs() < 1e-12 {
                if from_m[k] < lo || from_m[k] > hi {
                    return None;
                }
                continue;
            }
            let (a, b) = ((lo - from_m[k]) / dir[k], (hi - from_m[k]) / dir[k]);
            near = near.max(a.min(b));
            far = far.min(a.max(b));
        }
        (near <= far).then_some((near, far))
    }

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
