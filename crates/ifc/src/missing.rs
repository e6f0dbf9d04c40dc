//! Why an element that should have geometry has none: the diagnosis behind the failures the
//! model lists for products with a body representation and no triangles.

use crate::index::Index;
use crate::semantics::Rooted;
use ifc_lite_core::EntityDecoder;
use plumbline_model::{Failure, Role};
use std::collections::{BTreeSet, HashSet};

/// `IfcProduct.Representation` is attribute 6 in every IFC schema.
const REPRESENTATION_ATTRIBUTE: usize = 6;

/// A product as the diagnosis sees it: its record, the names its failure would carry, and
/// whether it ended up with a mesh.
pub(crate) struct Product<'a> {
    pub rooted: &'a Rooted,
    pub role: Role,
    pub class: &'a str,
    pub meshed: bool,
}

/// Failures of the physical products with a body representation that produced no triangles
/// (of those `chosen` to be tessellated, when not all were), in the order given; products whose
/// geometry is already `unusable` (by GlobalId) are left to that failure.
pub(crate) fn missing_geometry<'a>(
    bytes: &[u8],
    index: &Index,
    products: impl Iterator<Item = Product<'a>>,
    unusable: &BTreeSet<String>,
    chosen: Option<&HashSet<u32>>,
) -> Vec<Failure> {
    let mut decoder: Option<EntityDecoder> = None;
    let mut out = Vec::new();
    for p in products {
        let id = p.rooted.id;
        let global_id = p.rooted.global_id_or_id();
        if p.meshed
            || p.role != Role::Physical
            || !p.rooted.has_representation
            || unusable.contains(&*global_id)
        {
            continue;
        }
        if chosen.is_some_and(|c| !c.contains(&id)) {
            continue;
        }
        if !index.contains(id) {
            continue;
        }
        let decoder = decoder.get_or_insert_with(|| index.decoder(bytes));
        let failure =
            |reason: String| Failure { global_id: global_id.to_string(), class: p.class.to_string(), reason };
        // The two common causes of a missing mesh in hand-edited or damaged files, named
        // precisely so the author can find the record: a reference to an entity that is
        // not in the file, and a placement chain that loops.
        if let Some(reason) = broken_reference(index, decoder, id) {
            out.push(failure(reason));
            continue;
        }
        let kinds = representation_kinds(decoder, id);
        if kinds.is_empty() {
            out.push(failure("its shape representation cannot be decoded".into()));
            continue;
        }
        let has_body = kinds.iter().any(|(id, _)| {
            matches!(id.to_ascii_lowercase().as_str(), "body" | "facetation" | "" | "body-fallback")
        });
        if !has_body {
            // Only axis, footprint or annotation shapes: nothing solid to draw or clash.
            continue;
        }
        let described: Vec<String> = kinds
            .iter()
            .map(|(id, ty)| if id.is_empty() { ty.clone() } else { format!("{id}/{ty}") })
            .collect();
        out.push(failure(format!("no triangles from its representation ({})", described.join(", "))));
    }
    out
}

/// Why a product's geometry cannot be built, when the reason is a broken reference: its
/// placement or representation (or anything they refer to, a few levels down) names an
/// entity the file does not define, or its chain of relative placements comes back to
/// itself. `None` when its references are sound.
fn broken_reference(index: &Index, decoder: &mut EntityDecoder, product: u32) -> Option<String> {
    const PLACEMENT_ATTRIBUTE: usize = 5;
    let entity = decoder.decode_by_id(product).ok()?;
    // A placement cycle: IfcLocalPlacement.PlacementRelTo (attribute 0) followed upwards.
    let mut chain = Vec::new();
    let mut next = entity.get_ref(PLACEMENT_ATTRIBUTE);
    while let Some(id) = next {
        if chain.contains(&id) {
            chain.push(id);
            let shown: Vec<String> = chain.iter().map(|id| format!("#{id}")).collect();
            return Some(format!("its placement chain loops ({})", shown.join(" → ")));
        }
        if chain.len() > 256 {
            return Some(format!("its placement chain is deeper than 256 levels (at #{id})"));
        }
        chain.push(id);
        next = match decoder.decode_by_id(id) {
            Ok(p) => p.get_ref(0),
            Err(_) => None,
        };
    }
    // A dangling reference, searched breadth-first from the placement and representation.
    let mut queue: Vec<(u32, u32, usize)> = [PLACEMENT_ATTRIBUTE, REPRESENTATION_ATTRIBUTE]
        .into_iter()
        .filter_map(|a| entity.get_ref(a))
        .map(|id| (product, id, 0))
        .collect();
    let mut seen = BTreeSet::new();
    while let Some((from, id, depth)) = queue.pop() {
        if !seen.insert(id) {
            continue;
        }
        if !index.contains(id) {
            return Some(format!("#{from} refers to #{id}, which the file does not define"));
        }
        if depth >= 6 {
            continue;
        }
        if let Ok(child) = decoder.decode_by_id(id) {
            let mut refs = Vec::new();
            for value in child.attributes.iter() {
                refs_of(value, &mut refs);
            }
            queue.extend(refs.into_iter().map(|r| (id, r, depth + 1)));
        }
    }
    None
}

/// Every entity reference in an attribute value, nested lists and typed values included.
fn refs_of(value: &ifc_lite_core::AttributeValue, out: &mut Vec<u32>) {
    use ifc_lite_core::AttributeValue as V;
    match value {
        V::EntityRef(id) => out.push(*id),
        V::List(items) => items.iter().for_each(|v| refs_of(v, out)),
        V::Typed { value, .. } => refs_of(value, out),
        _ => {}
    }
}

/// The `(RepresentationIdentifier, RepresentationType)` of each representation of a product.
fn representation_kinds(decoder: &mut EntityDecoder, product: u32) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(p) = decoder.decode_by_id(product) else { return out };
    let Some(shape_id) = p.get_ref(REPRESENTATION_ATTRIBUTE) else { return out };
    let Ok(shape) = decoder.decode_by_id(shape_id) else { return out };
    // IfcProductDefinitionShape: Name, Description, Representations.
    let reps: Vec<u32> = shape.get_refs(2).unwrap_or_default();
    for r in reps {
        if let Ok(rep) = decoder.decode_by_id(r) {
            // IfcShapeRepresentation: ContextOfItems, RepresentationIdentifier, RepresentationType, Items.
            let id = rep.get_string(1).unwrap_or("").to_string();
            let ty = rep.get_string(2).unwrap_or("").to_string();
            out.push((id, ty));
        }
    }
    out
}
