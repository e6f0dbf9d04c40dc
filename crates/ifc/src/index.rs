//! Where each record of a file is: the entity index the loader's own decoders look ids up in.
//!
//! Most files number their records from 1 with few gaps, so the index is two arrays indexed by
//! the id (ifc-lite's dense index, as its own pass builds for large files): made from the scan's
//! records with one sort, a fraction of a hash map's size (57 MB against 192 MB for 7 million
//! records), and filled without a hash map's scattered writes, which took most of the scan of a
//! million-element file. Files with sparse ids (or over 4 GiB) get a hash map.

use ifc_lite_core::{DenseEntityIndex, EntityDecoder, EntityIndex};
use std::sync::Arc;

/// The entity index of one file: for each id, the byte span of its last record (a repeated id
/// names its last record, as ifc-lite's index does).
#[derive(Clone)]
pub(crate) enum Index {
    Dense(Arc<DenseEntityIndex>),
    Hash(Arc<EntityIndex>),
}

impl Index {
    /// The index of the records `(id, start, end)` met by a scan, in file order.
    pub(crate) fn of_records(records: Vec<(u32, usize, usize)>) -> Index {
        dense(&records).map_or_else(|| Index::Hash(Arc::new(hashed(records))), |d| Index::Dense(Arc::new(d)))
    }

    /// A decoder of `bytes` that finds records through this index.
    pub(crate) fn decoder<'a>(&self, bytes: &'a [u8]) -> EntityDecoder<'a> {
        match self {
            Index::Dense(index) => {
                let mut decoder = EntityDecoder::new(bytes);
                decoder.set_dense_index(index.clone());
                decoder
            }
            Index::Hash(index) => EntityDecoder::with_arc_index(bytes, index.clone()),
        }
    }

    /// Whether the file defines `id`.
    pub(crate) fn contains(&self, id: u32) -> bool {
        self.span(id).is_some()
    }

    /// The byte span `(start, end)` of the record of `id`.
    pub(crate) fn span(&self, id: u32) -> Option<(usize, usize)> {
        match self {
            Index::Dense(index) => index.lookup(id),
            Index::Hash(index) => index.get(&id).copied(),
        }
    }
}

/// The dense index of `records`, or `None` when their ids are too sparse for one (or a span does
/// not fit 32 bits).
fn dense(records: &[(u32, usize, usize)]) -> Option<DenseEntityIndex> {
    let mut rows: Vec<(u32, u32, u32)> = records
        .iter()
        .map(|&(id, start, end)| Some((id, u32::try_from(start).ok()?, u32::try_from(end - start).ok()?)))
        .collect::<Option<_>>()?;
    // File order within an id, then the last record of each id kept. Records come in file
    // order, so the sort is stable on them; ids mostly ascend already.
    rows.sort_by_key(|&(id, ..)| id);
    rows.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same {
            *earlier = *later;
        }
        same
    });
    let ids: Vec<u32> = rows.iter().map(|r| r.0).collect();
    let starts: Vec<u32> = rows.iter().map(|r| r.1).collect();
    let lengths: Vec<u32> = rows.iter().map(|r| r.2).collect();
    DenseEntityIndex::try_from_columns(&ids, &starts, &lengths)
}

/// The hash index of `records`, the last record of an id winning.
fn hashed(records: Vec<(u32, usize, usize)>) -> EntityIndex {
    let mut index = EntityIndex::default();
    index.reserve(records.len());
    for (id, start, end) in records {
        index.insert(id, (start, end));
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_id_names_its_last_record_in_either_index() {
        // Ids 1 to 20 in file order, then #3 again.
        let mut records: Vec<(u32, usize, usize)> =
            (1..=20).map(|id| (id, id as usize * 10, id as usize * 10 + 9)).collect();
        records.push((3, 500, 515));
        let dense = Index::of_records(records.clone());
        assert!(matches!(dense, Index::Dense(_)));
        let Index::Dense(d) = &dense else { return };
        assert_eq!(d.lookup(3), Some((500, 515)));
        assert_eq!(d.lookup(2), Some((20, 29)));
        assert!(dense.contains(1) && dense.contains(20) && !dense.contains(21) && !dense.contains(0));
        assert_eq!((dense.span(3), dense.span(21)), (Some((500, 515)), None));
        let hashed = hashed(records);
        assert_eq!(hashed.get(&3), Some(&(500, 515)));
    }

    #[test]
    fn sparse_ids_get_a_hash_map() {
        let sparse = Index::of_records(vec![(1, 0, 10), (4_000_000, 10, 20)]);
        assert!(matches!(sparse, Index::Hash(_)));
        assert!(sparse.contains(4_000_000) && !sparse.contains(2));
    }
}
