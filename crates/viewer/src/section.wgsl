// Plumbline's element fragment: the standard PBR fragment, shaded flat from each triangle's own
// plane, with every fragment outside the section box discarded. The box is in render space (Y
// up, rebased on the scene origin); `min.w` is 1.0 when the box is on.
//
// The meshes carry positions alone (indexed, corners shared): the normal is the triangle's,
// from the screen-space derivatives of the world position, turned towards the eye. A triangle's
// derivatives are those of its own plane (helper invocations past its edges interpolate the
// same plane), so this is exact flat shading at a quarter of the vertex memory.

#import bevy_pbr::{
    pbr_fragment::pbr_input_from_standard_material,
    pbr_functions::alpha_discard,
    forward_io::{VertexOutput, FragmentOutput},
    pbr_functions::{apply_pbr_lighting, main_pass_post_lighting_processing},
    pbr_functions::calculate_view,
    pbr_types::STANDARD_MATERIAL_FLAGS_UNLIT_BIT,
    mesh_view_bindings::view,
}

struct SectionUniform {
    min: vec4<f32>,
    max: vec4<f32>,
}

@group(#{MATERIAL_BIND_GROUP}) @binding(100) var<uniform> section: SectionUniform;

@fragment
fn fragment(in: VertexOutput, @builtin(front_facing) is_front: bool) -> FragmentOutput {
    // Derivatives first, in uniform control flow (before any discard).
    let across = cross(dpdx(in.world_position.xyz), dpdy(in.world_position.xyz));
    let is_orthographic = view.clip_from_view[3].w == 1.0;
    let to_eye = calculate_view(in.world_position, is_orthographic);
    var n = normalize(across);
    if dot(n, to_eye) < 0.0 {
        n = -n;
    }
    // PBR turns a double-sided material's back faces around: given away from the eye there, it
    // ends up facing the eye like every front face.
    var flat_in = in;
    flat_in.world_normal = select(-n, n, is_front);
    if section.min.w > 0.5 {
        let p = in.world_position.xyz;
        if any(p < section.min.xyz) || any(p > section.max.xyz) {
            discard;
        }
    }
    var pbr_input = pbr_input_from_standard_material(flat_in, is_front);
    pbr_input.material.base_color = alpha_discard(pbr_input.material, pbr_input.material.base_color);
    var out: FragmentOutput;
    if (pbr_input.material.flags & STANDARD_MATERIAL_FLAGS_UNLIT_BIT) == 0u {
        out.color = apply_pbr_lighting(pbr_input);
    } else {
        out.color = pbr_input.material.base_color;
    }
    out.color = main_pass_post_lighting_processing(pbr_input, out.color);
    return out;
}
