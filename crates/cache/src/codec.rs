//! The cache file format: a loaded [`Model`] as bytes and back, without I/O.
//!
//! Layout: the 24-byte magic, then frames of `[payload length: u64 LE][CRC-32 of the payload:
//! u32 LE][payload]`. Frame 0 is the loader revision (UTF-8), frame 1 the [`Head`] (everything
//! but the elements, plus pool and element counts), then the property-set pool, the
//! quantity-set pool and the elements, each in chunks of [`CHUNK`] items, one frame per chunk.
//! Payloads are bitcode's serde encoding.
//!
//! Chunks let a million-element model be written without holding its whole encoding in memory
//! and be read back on every core. Property and quantity sets are written once per distinct
//! set and shared again on reading (`Arc`), as the loader shares them: one type's sets serve
//! thousands of occurrences, and writing them per element would multiply the file and the
//! memory of the model read back.

use plumbline_model::{
    Aabb, ClassTable, Element, Failure, Mesh, MeshScope, Model, Placement, PropertySet, QuantitySet,
    Relations, Role, Solid, Storey, TypeObject,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

/// The first bytes of every cache file; the trailing digit is the layout's version.
pub const MAGIC: &[u8; 24] = b"PLUMBLINE MODEL CACHE 01";

/// Items per chunk frame: large enough that framing costs nothing, small enough that a chunk's
/// encoding (a few megabytes of meshes) is a modest buffer and there are chunks for every core.
pub const CHUNK: usize = 4096;

/// Chunks encoded at once between writes: enough to keep every core busy, few enough that the
/// encodings waiting to be written stay small.
const CHUNKS_IN_FLIGHT: usize = 16;

/// Why bytes could not be read back as a model.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("not a Plumbline model cache (wrong magic bytes)")]
    NotACache,
    #[error("written by another Plumbline build (loader revision {found}, this build is {expected})")]
    OtherBuild { found: String, expected: String },
    #[error("damaged: {0}")]
    Damaged(String),
    #[error("could not write: {0}")]
    Write(#[from] std::io::Error),
    #[error("could not encode: {0}")]
    Encode(String),
}

/// Everything of a model but its elements, with the sizes of what follows.
#[derive(Serialize, Deserialize)]
struct Head {
    schema: String,
    entity_count: u64,
    storeys: Vec<Storey>,
    relations: Relations,
    failures: Vec<Failure>,
    mesh_scope: MeshScope,
    warnings: Vec<String>,
    classes: ClassTable,
    /// Storey and building names, each once; elements refer to them by position.
    names: Vec<String>,
    property_sets: u64,
    quantity_sets: u64,
    elements: u64,
}

/// An element as written: shared things by their position in the pools.
#[derive(Serialize, Deserialize)]
struct CachedElement {
    express_id: u32,
    global_id: String,
    class: String,
    role: Role,
    predefined_type: Option<String>,
    object_type: Option<String>,
    name: Option<String>,
    type_object: Option<TypeObject>,
    storey: Option<u32>,
    building: Option<u32>,
    property_sets: Vec<u32>,
    quantity_sets: Vec<u32>,
    materials: Vec<String>,
    placement: Option<Placement>,
    mesh: Option<CachedMesh>,
    solid: Option<Solid>,
}

#[derive(Serialize, Deserialize)]
struct CachedMesh {
    origin_m: [f64; 3],
    vertices: Vec<[f32; 3]>,
    triangles: Vec<[u32; 3]>,
    aabb: Aabb,
}

/// An `Arc`'s address, which tells shared values apart while the model is borrowed.
fn address<T>(value: &Arc<T>) -> usize {
    Arc::as_ptr(value) as usize
}

/// Positions of shared values, keyed by the `Arc`'s address (sets) or the text (names).
struct Pools<'m> {
    property_sets: Vec<&'m PropertySet>,
    quantity_sets: Vec<&'m QuantitySet>,
    names: Vec<&'m str>,
    pset_ids: HashMap<usize, u32>,
    qset_ids: HashMap<usize, u32>,
    name_ids: HashMap<&'m str, u32>,
}

impl<'m> Pools<'m> {
    fn of(model: &'m Model) -> Pools<'m> {
        let mut pools = Pools {
            property_sets: Vec::new(),
            quantity_sets: Vec::new(),
            names: Vec::new(),
            pset_ids: HashMap::new(),
            qset_ids: HashMap::new(),
            name_ids: HashMap::new(),
        };
        for e in &model.elements {
            for p in &e.property_sets {
                pools.pset_ids.entry(address(p)).or_insert_with(|| {
                    pools.property_sets.push(p);
                    (pools.property_sets.len() - 1) as u32
                });
            }
            for q in &e.quantity_sets {
                pools.qset_ids.entry(address(q)).or_insert_with(|| {
                    pools.quantity_sets.push(q);
                    (pools.quantity_sets.len() - 1) as u32
                });
            }
            for name in [&e.storey, &e.building].into_iter().flatten() {
                pools.name_ids.entry(name).or_insert_with(|| {
                    pools.names.push(name);
                    (pools.names.len() - 1) as u32
                });
            }
        }
        pools
    }

    fn element(&self, e: &Element) -> CachedElement {
        let name_id = |n: &Option<Arc<str>>| n.as_deref().map(|n| self.name_ids[n]);
        CachedElement {
            express_id: e.express_id,
            global_id: e.global_id.clone(),
            class: e.class.clone(),
            role: e.role,
            predefined_type: e.predefined_type.clone(),
            object_type: e.object_type.clone(),
            name: e.name.clone(),
            type_object: e.type_object.clone(),
            storey: name_id(&e.storey),
            building: name_id(&e.building),
            property_sets: e.property_sets.iter().map(|p| self.pset_ids[&address(p)]).collect(),
            quantity_sets: e.quantity_sets.iter().map(|q| self.qset_ids[&address(q)]).collect(),
            materials: e.materials.clone(),
            placement: e.placement,
            mesh: e.mesh.as_ref().map(|m| CachedMesh {
                origin_m: m.origin_m,
                vertices: m.vertices.clone(),
                triangles: m.triangles.clone(),
                aabb: m.aabb,
            }),
            solid: e.solid.as_deref().cloned(),
        }
    }
}

fn frame(out: &mut impl Write, payload: &[u8]) -> std::io::Result<()> {
    out.write_all(&(payload.len() as u64).to_le_bytes())?;
    out.write_all(&crc32fast::hash(payload).to_le_bytes())?;
    out.write_all(payload)
}

fn encoded<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CodecError> {
    bitcode::serialize(value).map_err(|e| CodecError::Encode(e.to_string()))
}

/// Writes `items` as chunk frames, encoding [`CHUNKS_IN_FLIGHT`] chunks at a time in parallel.
fn write_chunks<T: Sync, C: Serialize>(
    out: &mut impl Write,
    items: &[T],
    to_cached: impl Fn(&T) -> C + Sync,
) -> Result<(), CodecError> {
    let chunks: Vec<&[T]> = items.chunks(CHUNK).collect();
    for group in chunks.chunks(CHUNKS_IN_FLIGHT) {
        let payloads: Vec<Vec<u8>> = group
            .par_iter()
            .map(|chunk| encoded(&chunk.iter().map(&to_cached).collect::<Vec<C>>()))
            .collect::<Result<_, _>>()?;
        for p in &payloads {
            frame(out, p)?;
        }
    }
    Ok(())
}

/// Writes `model` as a cache file for loader revision `revision`. The model's path and load
/// time are not written: they belong to the run that reads it back.
pub fn encode(model: &Model, revision: &str, out: &mut impl Write) -> Result<(), CodecError> {
    let pools = Pools::of(model);
    let head = Head {
        schema: model.schema.clone(),
        entity_count: model.entity_count as u64,
        storeys: model.storeys.clone(),
        relations: model.relations.clone(),
        failures: model.failures.clone(),
        mesh_scope: model.mesh_scope.clone(),
        warnings: model.warnings.clone(),
        classes: model.classes.clone(),
        names: pools.names.iter().map(|n| n.to_string()).collect(),
        property_sets: pools.property_sets.len() as u64,
        quantity_sets: pools.quantity_sets.len() as u64,
        elements: model.elements.len() as u64,
    };
    out.write_all(MAGIC)?;
    frame(out, revision.as_bytes())?;
    frame(out, &encoded(&head)?)?;
    write_chunks(out, &pools.property_sets, |p| (*p).clone())?;
    write_chunks(out, &pools.quantity_sets, |q| (*q).clone())?;
    write_chunks(out, &model.elements, |e| pools.element(e))?;
    out.flush()?;
    Ok(())
}

/// The frames of a cache file, split but not yet checked against their CRCs.
fn split_frames(bytes: &[u8]) -> Result<Vec<(u32, &[u8])>, CodecError> {
    let Some(mut rest) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return Err(CodecError::NotACache);
    };
    let mut frames = Vec::new();
    while !rest.is_empty() {
        if rest.len() < 12 {
            return Err(CodecError::Damaged(format!(
                "{} stray bytes after frame {}",
                rest.len(),
                frames.len()
            )));
        }
        let (head, body) = rest.split_at(12);
        let len = u64::from_le_bytes(std::array::from_fn(|i| head[i]));
        let crc = u32::from_le_bytes(std::array::from_fn(|i| head[8 + i]));
        if len > body.len() as u64 {
            return Err(CodecError::Damaged(format!(
                "frame {} claims {len} bytes, {} remain (a cut-short file)",
                frames.len(),
                body.len()
            )));
        }
        let (payload, next) = body.split_at(len as usize);
        frames.push((crc, payload));
        rest = next;
    }
    Ok(frames)
}

fn checked(index: usize, (crc, payload): (u32, &[u8])) -> Result<&[u8], CodecError> {
    if crc32fast::hash(payload) != crc {
        return Err(CodecError::Damaged(format!("frame {index} fails its CRC check")));
    }
    Ok(payload)
}

fn decoded<T: serde::de::DeserializeOwned>(index: usize, frame: (u32, &[u8])) -> Result<T, CodecError> {
    bitcode::deserialize(checked(index, frame)?)
        .map_err(|e| CodecError::Damaged(format!("frame {index} does not decode: {e}")))
}

/// Decodes `count` items from the chunk frames starting at `first`, on every core.
fn read_chunks<C: serde::de::DeserializeOwned + Send, T: Send>(
    frames: &[(u32, &[u8])],
    first: usize,
    count: u64,
    what: &str,
    from_cached: impl Fn(C) -> Result<T, CodecError> + Sync,
) -> Result<Vec<T>, CodecError> {
    let n = count.div_ceil(CHUNK as u64) as usize;
    let chunks: Vec<Vec<T>> = (first..first + n)
        .into_par_iter()
        .map(|i| {
            let cached: Vec<C> = decoded(i, frames[i])?;
            cached.into_iter().map(&from_cached).collect::<Result<Vec<T>, _>>()
        })
        .collect::<Result<_, _>>()?;
    let items: Vec<T> = chunks.into_iter().flatten().collect();
    if items.len() as u64 != count {
        return Err(CodecError::Damaged(format!("{} {what} where the head promises {count}", items.len())));
    }
    Ok(items)
}

/// Reads a cache file written by [`encode`] for loader revision `revision`. The model comes back
/// with an empty path and zero load time, for the caller to fill in.
pub fn decode(bytes: &[u8], revision: &str) -> Result<Model, CodecError> {
    let frames = split_frames(bytes)?;
    let Some(&first) = frames.first() else {
        return Err(CodecError::Damaged("no frames".into()));
    };
    let found = checked(0, first)?;
    if found != revision.as_bytes() {
        return Err(CodecError::OtherBuild {
            found: String::from_utf8_lossy(found).into_owned(),
            expected: revision.to_string(),
        });
    }
    let Some(&head_frame) = frames.get(1) else {
        return Err(CodecError::Damaged("no head frame".into()));
    };
    let head: Head = decoded(1, head_frame)?;
    let chunks = |count: u64| count.div_ceil(CHUNK as u64) as usize;
    let psets_at = 2;
    let qsets_at = psets_at + chunks(head.property_sets);
    let elements_at = qsets_at + chunks(head.quantity_sets);
    let expected_frames = elements_at + chunks(head.elements);
    if frames.len() != expected_frames {
        return Err(CodecError::Damaged(format!(
            "{} frames where the head promises {expected_frames}",
            frames.len()
        )));
    }
    let property_sets: Vec<Arc<PropertySet>> =
        read_chunks(&frames, psets_at, head.property_sets, "property sets", |p| Ok(Arc::new(p)))?;
    let quantity_sets: Vec<Arc<QuantitySet>> =
        read_chunks(&frames, qsets_at, head.quantity_sets, "quantity sets", |q| Ok(Arc::new(q)))?;
    let names: Vec<Arc<str>> = head.names.iter().map(|n| Arc::from(n.as_str())).collect();
    let pick = |pool_len: usize, i: u32, what: &str| {
        ((i as usize) < pool_len)
            .then_some(i as usize)
            .ok_or_else(|| CodecError::Damaged(format!("an element refers to {what} {i} of {pool_len}")))
    };
    let elements = read_chunks(&frames, elements_at, head.elements, "elements", |c: CachedElement| {
        let name =
            |n: Option<u32>| n.map(|i| pick(names.len(), i, "name").map(|i| names[i].clone())).transpose();
        let mesh = match c.mesh {
            Some(m) => {
                let n = m.vertices.len() as u32;
                if m.triangles.iter().flatten().any(|&i| i >= n) {
                    return Err(CodecError::Damaged(format!(
                        "element {} has a triangle past its {n} vertices",
                        c.global_id
                    )));
                }
                Some(Mesh {
                    origin_m: m.origin_m,
                    vertices: m.vertices,
                    triangles: m.triangles,
                    aabb: m.aabb,
                })
            }
            None => None,
        };
        Ok(Element {
            express_id: c.express_id,
            global_id: c.global_id,
            class: c.class,
            role: c.role,
            predefined_type: c.predefined_type,
            object_type: c.object_type,
            name: c.name,
            type_object: c.type_object,
            storey: name(c.storey)?,
            building: name(c.building)?,
            property_sets: c
                .property_sets
                .iter()
                .map(|&i| pick(property_sets.len(), i, "property set").map(|i| property_sets[i].clone()))
                .collect::<Result<_, _>>()?,
            quantity_sets: c
                .quantity_sets
                .iter()
                .map(|&i| pick(quantity_sets.len(), i, "quantity set").map(|i| quantity_sets[i].clone()))
                .collect::<Result<_, _>>()?,
            materials: c.materials,
            placement: c.placement,
            mesh,
            solid: c.solid.map(Box::new),
        })
    })?;
    let n = elements.len();
    let r = &head.relations;
    let pairs = r.voids.iter().chain(&r.fills).chain(&r.aggregates).chain(&r.port_connections);
    let members = r.systems.iter().flat_map(|s| &s.members);
    if pairs.flat_map(|(a, b)| [a, b]).chain(members).any(|&i| i as usize >= n) {
        return Err(CodecError::Damaged(format!("a relation refers to an element past the {n} elements")));
    }
    Ok(Model {
        path: String::new(),
        schema: head.schema,
        entity_count: head.entity_count as usize,
        elements,
        storeys: head.storeys,
        relations: head.relations,
        failures: head.failures,
        mesh_scope: head.mesh_scope,
        warnings: head.warnings,
        classes: head.classes,
        load_secs: 0.0,
    })
}
