//! Insulation and lagging: the coverings (`IfcCovering`) that `IfcRelCoversBldgElements` puts on
//! an element, summed into one thickness that clash rules can count as part of the element's
//! solid (`inflate_by = "coverings"` in a rule file).
//!
//! Each covering's thickness is its material layer set's total (`IfcRelAssociatesMaterial` to
//! an `IfcMaterialLayerSetUsage` or `IfcMaterialLayerSet`, layers' `LayerThickness` in the
//! file's length unit), else its `Qto_CoveringBaseQuantities.Width` quantity. The covered
//! element gets a property set [`PSET`] with [`TOTAL_THICKNESS`] in millimetres (the sum over
//! its coverings) and [`COUNT`]. A covering without a thickness counts 0 and is still counted.
//! Nothing here fails a load: a relation or layer that cannot be decoded is skipped.

use crate::index::Index;
use crate::semantics::{Job, Kind, RelKind};
use ifc_lite_core::{DecodedEntity, EntityDecoder};
use plumbline_model::{Model, Property, PropertySet};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The property set the covered element gets.
pub const PSET: &str = "Plumbline_Coverings";
/// Its total covering thickness, millimetres.
pub const TOTAL_THICKNESS: &str = "TotalThickness";
/// How many coverings it has.
pub const COUNT: &str = "Count";

/// Deepest chain of material definitions followed (usage → set → layer).
const MAX_DEPTH: usize = 4;

/// The coverings of a file, read beside the rest of the load: each `(host, covering)` pair with
/// the covering's layer thickness in metres, where its material gives one.
pub(crate) struct Coverings {
    /// Sorted by host, then covering; no pair twice.
    pairs: Vec<(u32, u32, Option<f64>)>,
}

impl Coverings {
    /// Reads the `IfcRelCoversBldgElements` records at `covers` (byte spans, in file order) and,
    /// when there are any, the material associations among `jobs`, from `bytes` and its index.
    pub(crate) fn read(bytes: &[u8], index: &Index, covers: &[(usize, usize)], jobs: &[Job]) -> Coverings {
        let mut decoder = index.decoder(bytes);
        // IfcRelCoversBldgElements: RelatingBuildingElement (4), RelatedCoverings (5).
        // IfcRelAssociatesMaterial: RelatedObjects (4), RelatingMaterial (5).
        let pairs_of = |start: usize, end: usize, out: &mut Vec<(u32, u32)>| {
            let Ok(e) = decoder.decode_at_uncached(start, end) else { return };
            let (Some(four), Some(five)) = (e.get_refs(4), e.get_refs(5)) else { return };
            out.extend(four.iter().flat_map(|&a| five.iter().map(move |&b| (a, b))));
        };
        let mut covered: Vec<(u32, u32)> = Vec::new();
        for &(start, end) in covers {
            pairs_of(start, end, &mut covered);
        }
        if covered.is_empty() {
            return Coverings { pairs: Vec::new() };
        }
        let mut materials: Vec<(u32, u32)> = Vec::new();
        for &(_, kind, start, end) in jobs {
            if kind == Kind::Rel(RelKind::AssociatesMaterial) {
                pairs_of(start, end, &mut materials);
            }
        }
        let scale_m = decoder.length_unit_scale();
        // The last association of an object wins, as it does in a file read in order.
        let material_of: HashMap<u32, u32> = materials.into_iter().collect();
        covered.sort_unstable();
        covered.dedup();
        let pairs = covered
            .into_iter()
            .map(|(host, covering)| {
                let layers_m = material_of
                    .get(&covering)
                    .and_then(|&m| layer_thickness(&mut decoder, m, 0))
                    .map(|t| t * scale_m);
                (host, covering, layers_m)
            })
            .collect();
        Coverings { pairs }
    }

    /// Adds the coverings' thickness to every covered element of `model`: the layers' where the
    /// material gives one, else the covering's own `Qto_CoveringBaseQuantities.Width`.
    pub(crate) fn apply(self, model: &mut Model) {
        if self.pairs.is_empty() {
            return;
        }
        let by_express: HashMap<u32, usize> =
            model.elements.iter().enumerate().map(|(i, e)| (e.express_id, i)).collect();
        // Host express id -> (total metres, count); sorted, so the result does not depend on order.
        let mut totals: BTreeMap<u32, (f64, usize)> = BTreeMap::new();
        for (host, covering, layers_m) in self.pairs {
            let width_m = || {
                let e = &model.elements[*by_express.get(&covering)?];
                e.quantity_sets
                    .iter()
                    .filter(|q| q.name.eq_ignore_ascii_case("Qto_CoveringBaseQuantities"))
                    .flat_map(|q| q.quantities.iter())
                    .find(|q| q.name.eq_ignore_ascii_case("Width"))
                    .map(|q| q.value)
            };
            let t = layers_m.or_else(width_m).filter(|t| t.is_finite() && *t > 0.0).unwrap_or(0.0);
            let entry = totals.entry(host).or_default();
            entry.0 += t;
            entry.1 += 1;
        }
        for (host, (total_m, count)) in totals {
            let Some(&i) = by_express.get(&host) else { continue };
            let mm = (total_m * 1000.0 * 1000.0).round() / 1000.0;
            model.elements[i].property_sets.push(Arc::new(PropertySet {
                name: PSET.to_string(),
                properties: vec![
                    Property { name: TOTAL_THICKNESS.to_string(), value: format!("{mm}") },
                    Property { name: COUNT.to_string(), value: count.to_string() },
                ],
            }));
        }
    }
}

/// The total layer thickness of a material definition, in the file's length unit: an
/// `IfcMaterialLayerSetUsage` (its `ForLayerSet`), an `IfcMaterialLayerSet` (its layers), or
/// one `IfcMaterialLayer`; `None` for other definitions.
fn layer_thickness(decoder: &mut EntityDecoder, id: u32, depth: usize) -> Option<f64> {
    if depth > MAX_DEPTH {
        return None;
    }
    let e: DecodedEntity = decoder.decode_by_id(id).ok()?;
    match e.ifc_type.name().to_ascii_uppercase().as_str() {
        // ForLayerSet is the usage's first attribute.
        "IFCMATERIALLAYERSETUSAGE" => layer_thickness(decoder, e.get_ref(0)?, depth + 1),
        // MaterialLayers is the set's first attribute.
        "IFCMATERIALLAYERSET" => {
            let layers = e.get_refs(0)?;
            let sum: f64 = layers.iter().filter_map(|&l| layer_thickness(decoder, l, depth + 1)).sum();
            Some(sum)
        }
        // Material, LayerThickness, ...: the thickness is the second attribute.
        "IFCMATERIALLAYER" => e.get_float(1),
        _ => None,
    }
}
