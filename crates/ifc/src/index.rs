//! Where each record of a file is: the entity index the loader's own decoders look ids up in.
//!
//! Most files number their records from 1 with few gaps, so the index is two arrays indexed by
//! the id (ifc-lite's dense index, as its own pass builds for large files): made from the scan's
//! records with one sort, a fraction of a hash map's size (57 MB against 192 MB for 7 million
//! records), and filled without a hash map's scattered writes, which took most of the scan of a
//! million-element file. Files with sparse ids (or over 4 GiB) get a hash map.

use ifc_lite_core::{DecodedEntity, DenseEntityIndex, EntityDecoder, EntityIndex};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

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

    /// The index of the records `(id, start, end)` met by a scan in byte ranges, each range's in
    /// file order and the ranges in file order. When the ids ascend through the whole file (nearly
    /// every file numbers its records in order) the dense index's columns are the records
    /// themselves, filled range by range on every thread; otherwise the records are joined and
    /// sorted as [`of_records`](Index::of_records) does.
    pub(crate) fn of_ranges(ranges: Vec<Vec<(u32, usize, usize)>>) -> Index {
        match dense_in_order(&ranges) {
            InOrder::Dense(dense) => Index::Dense(Arc::new(dense)),
            InOrder::TooSparse => Index::Hash(Arc::new(hashed(ranges.concat()))),
            InOrder::No => Index::of_records(ranges.concat()),
        }
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

/// Decoders of one file for the threads of a parallel pass: each pool thread keeps the one it
/// was lent and gets it back for its next piece of work.
///
/// A new decoder learns some facts about the file by scanning all of it the first time they are
/// asked for: ifc-lite's profile reader asks for the geometric contexts' precision for every
/// arbitrary profile (most walls), and that is a scan of the whole file. rayon's `map_init` makes
/// a decoder for every piece it splits a pass into (up to 23 for the exact solids of Office_A
/// x10 on two threads), so the 44 MB file was scanned that many times more. A decoder comes
/// back with its caches of records, points and placements emptied, as a new one starts, so
/// what it decodes and the memory it holds between pieces are as before; only the file's facts
/// (units, precision, the project) stay.
pub(crate) struct Decoders<'a> {
    bytes: &'a [u8],
    index: &'a Index,
    /// One per thread of the pool the pass runs on, by `rayon::current_thread_index`.
    kept: Vec<Mutex<Option<EntityDecoder<'a>>>>,
    /// How many decoders were made.
    made: AtomicUsize,
}

impl<'a> Decoders<'a> {
    /// Decoders of `bytes` for the threads of the current pool.
    pub(crate) fn new(bytes: &'a [u8], index: &'a Index) -> Self {
        let kept = (0..rayon::current_num_threads()).map(|_| Mutex::new(None)).collect();
        Decoders { bytes, index, kept, made: AtomicUsize::new(0) }
    }

    /// How many decoders were made so far.
    #[cfg(test)]
    pub(crate) fn made(&self) -> usize {
        self.made.load(Ordering::Relaxed)
    }

    /// The file's bytes.
    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The decoder this thread keeps, or a new one (on a thread outside the pool, or while the
    /// thread's own is lent already).
    pub(crate) fn lend(&self) -> Lent<'_, 'a> {
        let slot = rayon::current_thread_index().filter(|&i| i < self.kept.len());
        let kept = slot.and_then(|i| self.kept[i].lock().ok()?.take());
        let decoder = kept.unwrap_or_else(|| {
            self.made.fetch_add(1, Ordering::Relaxed);
            self.index.decoder(self.bytes)
        });
        Lent { from: self, slot, decoder }
    }
}

/// A decoder lent by [`Decoders`], handed back to its thread's slot when dropped.
pub(crate) struct Lent<'d, 'a> {
    from: &'d Decoders<'a>,
    slot: Option<usize>,
    decoder: EntityDecoder<'a>,
}

impl Lent<'_, '_> {
    /// The record of `id`, decoded without entering the decoder's cache, or `None` when the
    /// file has no such record or it cannot be decoded.
    ///
    /// ifc-lite's `decode_by_id` keeps a deep copy of every record it decodes, which pays off
    /// for geometry (a profile or a point read by many items) but not for a pass that reads each
    /// record once: the semantic pass's property sets and their properties paid for a copy into
    /// a cache that was emptied unread when the decoder came back.
    pub(crate) fn decode_once(&self, id: u32) -> Option<DecodedEntity> {
        let (start, end) = self.from.index.span(id)?;
        self.decoder.decode_at_uncached(start, end).ok()
    }
}

impl<'a> Deref for Lent<'_, 'a> {
    type Target = EntityDecoder<'a>;
    fn deref(&self) -> &Self::Target {
        &self.decoder
    }
}

impl DerefMut for Lent<'_, '_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.decoder
    }
}

impl Drop for Lent<'_, '_> {
    fn drop(&mut self) {
        let Some(slot) = self.slot else { return };
        // A decoder of no bytes takes its place: it allocates nothing.
        let mut decoder = std::mem::replace(&mut self.decoder, EntityDecoder::new(&[]));
        decoder.clear_cache();
        if let Ok(mut kept) = self.from.kept[slot].lock() {
            // Of two decoders lent on one thread at once, the one back last is kept.
            *kept = Some(decoder);
        }
    }
}

/// What [`dense_in_order`] made of a scan's ranges.
enum InOrder {
    Dense(DenseEntityIndex),
    /// The ids ascend but are too sparse for a dense index.
    TooSparse,
    /// The ids do not ascend (or a span does not fit 32 bits): the general path decides.
    No,
}

/// The dense index of records whose ids strictly ascend through `ranges` (no repeated id, so
/// no record hides another), made without a sort.
fn dense_in_order(ranges: &[Vec<(u32, usize, usize)>]) -> InOrder {
    use rayon::prelude::*;
    let fits = |&(_, start, end): &(u32, usize, usize)| u32::try_from(end).is_ok() && start <= end;
    let ascending_within =
        ranges.par_iter().all(|r| r.windows(2).all(|w| w[0].0 < w[1].0) && r.iter().all(fits));
    let firsts_and_lasts: Vec<(u32, u32)> =
        ranges.iter().filter_map(|r| Some((r.first()?.0, r.last()?.0))).collect();
    let ascending_across = firsts_and_lasts.windows(2).all(|w| w[0].1 < w[1].0);
    if !(ascending_within && ascending_across) {
        return InOrder::No;
    }
    let total = ranges.iter().map(Vec::len).sum();
    let (mut ids, mut starts, mut lengths) = (vec![0u32; total], vec![0u32; total], vec![0u32; total]);
    let mut pieces = Vec::with_capacity(ranges.len());
    let (mut ids_left, mut starts_left, mut lengths_left) = (&mut ids[..], &mut starts[..], &mut lengths[..]);
    for r in ranges {
        let (i, rest_i) = ids_left.split_at_mut(r.len());
        let (s, rest_s) = starts_left.split_at_mut(r.len());
        let (l, rest_l) = lengths_left.split_at_mut(r.len());
        pieces.push((r, i, s, l));
        (ids_left, starts_left, lengths_left) = (rest_i, rest_s, rest_l);
    }
    pieces.into_par_iter().for_each(|(r, i, s, l)| {
        for (k, &(id, start, end)) in r.iter().enumerate() {
            // Checked above: every end fits 32 bits and no start passes its end.
            (i[k], s[k], l[k]) = (id, start as u32, (end - start) as u32);
        }
    });
    DenseEntityIndex::try_from_columns(&ids, &starts, &lengths).map_or(InOrder::TooSparse, InOrder::Dense)
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

    /// The index of every record of `bytes`, as a scan finds them.
    fn index_of(bytes: &[u8]) -> Index {
        let mut records = Vec::new();
        let mut scanner = ifc_lite_core::EntityScanner::new(bytes);
        while let Some((id, _, start, end)) = scanner.next_entity() {
            records.push((id, start, end));
        }
        Index::of_records(records)
    }

    #[test]
    fn each_thread_keeps_one_decoder_across_the_pieces_of_a_pass() {
        // Records #1..#2000: '#1=IFCCARTESIANPOINT((1.,0.,0.));' and so on.
        let text: String =
            (1..=2000).map(|id| format!("#{id}=IFCCARTESIANPOINT(({id}.,0.,0.));\n")).collect();
        let bytes = text.as_bytes();
        let index = index_of(bytes);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("a pool");
        pool.install(|| {
            use rayon::prelude::*;
            let decoders = Decoders::new(bytes, &index);
            // One piece per record: rayon would make a decoder for each with `map_init`.
            let xs: Vec<f64> = (1..2001u32)
                .into_par_iter()
                .with_max_len(1)
                .map_init(
                    || decoders.lend(),
                    |decoder, id| {
                        decoder.decode_by_id(id).ok().and_then(|e| e.get_list(0)?.first()?.as_float())
                    },
                )
                .map(|x| x.unwrap_or(f64::NAN))
                .collect();
            // Every decoder still reads every record (its caches emptied between pieces).
            assert!(xs.iter().zip(1..).all(|(&x, id)| x == f64::from(id)));
            // One per thread, and at most one more for a thread that was lent two at once.
            assert!(decoders.made() <= 4, "{} decoders made", decoders.made());
        });
        // Outside the pool a lent decoder is a new one each time, never kept.
        let decoders = Decoders::new(bytes, &index);
        drop((decoders.lend(), decoders.lend()));
        drop(decoders.lend());
        assert_eq!(decoders.made(), 3);
    }

    /// A record read once is the record `decode_by_id` gives, and stays out of the cache, so the
    /// semantic pass's property sets no longer fill a cache that is emptied unread.
    #[test]
    fn a_record_decoded_once_is_not_cached() {
        let text = "#1=IFCPROPERTYSET('2XQ$n5SLP5MBLyL442paFx',$,'Pset_WallCommon',$,(#2));\n\
                    #2=IFCPROPERTYSINGLEVALUE('IsExternal',$,IFCBOOLEAN(.T.),$);\n";
        let bytes = text.as_bytes();
        let index = index_of(bytes);
        let decoders = Decoders::new(bytes, &index);
        let lent = decoders.lend();
        let once = lent.decode_once(1).expect("#1 decodes");
        assert!(lent.get_cached(1).is_none(), "read once, yet cached");
        assert!(lent.decode_once(3).is_none(), "no record #3");
        let mut cached = decoders.lend();
        let by_id = cached.decode_by_id(1).expect("#1 decodes");
        assert_eq!(format!("{once:?}"), format!("{by_id:?}"));
        assert!(cached.get_cached(1).is_some(), "decode_by_id caches, as the geometry needs");
    }

    /// The index built range by range finds every id where the general path finds it: ids in
    /// order, out of order across and within ranges, repeated, sparse, and empty ranges.
    #[test]
    fn an_index_of_ranges_is_the_index_of_their_records() {
        let at = |id: u32, k: usize| (id, k * 10, k * 10 + 7);
        let cases: Vec<Vec<Vec<(u32, usize, usize)>>> = vec![
            vec![
                (1..=50).map(|i| at(i, i as usize)).collect(),
                vec![],
                (51..=90).map(|i| at(i, i as usize)).collect(),
            ],
            vec![
                (51..=90).map(|i| at(i, i as usize)).collect(),
                (1..=50).map(|i| at(i, 100 + i as usize)).collect(),
            ],
            vec![vec![at(1, 1), at(3, 2), at(2, 3)], vec![at(4, 4)]],
            vec![vec![at(1, 1), at(2, 2)], vec![at(2, 3), at(3, 4)]],
            vec![vec![at(1, 1)], vec![at(4_000_000, 2)]],
            vec![vec![], vec![]],
        ];
        for ranges in cases {
            let general = Index::of_records(ranges.concat());
            let max = ranges.iter().flatten().map(|r| r.0).max().unwrap_or(0);
            let by_ranges = Index::of_ranges(ranges.clone());
            assert_eq!(
                matches!(by_ranges, Index::Dense(_)),
                matches!(general, Index::Dense(_)),
                "{ranges:?}"
            );
            for id in (0..=max.min(200) + 1).chain([max, max + 1]) {
                assert_eq!(by_ranges.span(id), general.span(id), "#{id} in {ranges:?}");
            }
        }
    }

    #[test]
    fn sparse_ids_get_a_hash_map() {
        let sparse = Index::of_records(vec![(1, 0, 10), (4_000_000, 10, 20)]);
        assert!(matches!(sparse, Index::Hash(_)));
        assert!(sparse.contains(4_000_000) && !sparse.contains(2));
    }
}
