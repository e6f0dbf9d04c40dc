//! Plumbline's model cache: a loaded [`Model`] kept on disk, so that the next run on the same
//! file skips parsing and tessellation, as Navisworks keeps an `.nwc` beside each model it has
//! read. Coordination engineers run the same clash tests on the same models many times a day;
//! the viewer opens them again and again.
//!
//! - **Key:** the 128-bit XXH3 hash of the file's bytes (after unzipping) and of the loader
//!   revision. A changed file, or a Plumbline build whose loader, model types or cache format
//!   differ in any way, never reads an old entry: the revision is a hash of that code and of
//!   `Cargo.lock` (see `crates/ifc/build.rs`), written into the file and checked again on reading.
//!   A copied or renamed file still hits.
//! - **Safety:** files are written under a temporary name and renamed, so a reader never sees
//!   half a file; every frame carries a CRC-32; a damaged or foreign file is a miss, removed and
//!   rewritten. A cache that cannot be read or written never fails a load: the model is loaded
//!   from the IFC file and the reason is kept in [`ModelCache::take_notes`] for the shell to
//!   print.
//! - **Size:** after each write the oldest entries (by last use) are removed until the folder
//!   holds at most [`ModelCache::max_bytes`]; a model whose file alone would exceed it is not
//!   cached.
//!
//! The codec ([`encode`], [`decode`]) does no I/O; [`ModelCache`] adds the folder.

mod codec;

pub use codec::{decode, encode, CodecError, CHUNK, MAGIC};

use plumbline_model::{MeshScope, Model};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

/// File name extension of cache entries.
pub const EXTENSION: &str = "plmc";

/// Default bound on the cache folder's size: room for the models of a few projects (Office_A
/// takes 1.7 MB, the 1M-element hall 566 MB).
pub const DEFAULT_MAX_BYTES: u64 = 4 << 30;

/// Which entry a source file maps to: a hash of its bytes and of the loader revision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey(String);

impl CacheKey {
    /// The key of `source` (the IFC bytes, unzipped) as loaded by loader `revision`.
    pub fn of(source: &[u8], revision: &str) -> CacheKey {
        CacheKey::hash(revision.as_bytes(), source)
    }

    /// The key of the same source loaded with the geometry of only part of its elements
    /// (`Model::mesh_scope`); for [`MeshScope::Everything`], this key itself.
    pub fn scoped(&self, scope: &MeshScope) -> CacheKey {
        match scope {
            MeshScope::Everything => self.clone(),
            _ => CacheKey::hash(self.0.as_bytes(), scope.label().as_bytes()),
        }
    }

    /// The key of the same source loaded with exact solids (`Element::solid`, for clash runs):
    /// a load with them never reads an entry without them, nor the other way round, so a
    /// clash's answer never depends on what the cache held.
    pub fn with_solids(&self) -> CacheKey {
        CacheKey::hash(self.0.as_bytes(), b"exact-solids")
    }

    /// XXH3-128 of two byte strings, kept apart by a separator so that they cannot run into
    /// each other.
    fn hash(first: &[u8], second: &[u8]) -> CacheKey {
        let mut hasher = twox_hash::XxHash3_128::new();
        hasher.write(first);
        hasher.write(&[0]);
        hasher.write(second);
        CacheKey(format!("{:032x}", hasher.finish_128()))
    }

    /// The entry's file name, e.g. `0123…cdef.plmc`.
    pub fn file_name(&self) -> String {
        format!("{}.{EXTENSION}", self.0)
    }
}

/// A folder of cached models. Shared by reference between threads; every method takes `&self`.
#[derive(Debug)]
pub struct ModelCache {
    dir: PathBuf,
    max_bytes: u64,
    notes: Mutex<Vec<String>>,
    /// Numbers the temporary files of this process, so that two threads never share one.
    writes: AtomicU64,
}

impl ModelCache {
    /// A cache in `dir` (created on the first write) holding at most [`DEFAULT_MAX_BYTES`].
    pub fn new(dir: impl Into<PathBuf>) -> ModelCache {
        ModelCache {
            dir: dir.into(),
            max_bytes: DEFAULT_MAX_BYTES,
            notes: Mutex::new(Vec::new()),
            writes: AtomicU64::new(0),
        }
    }

    /// The same cache with another size bound.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> ModelCache {
        self.max_bytes = max_bytes;
        self
    }

    /// The folder users get when they name none: `PLUMBLINE_CACHE_DIR` if set, else
    /// `plumbline/models` in the platform's cache folder (`~/.cache` on Linux,
    /// `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows). `None` where there is none.
    pub fn default_dir() -> Option<PathBuf> {
        match std::env::var_os("PLUMBLINE_CACHE_DIR") {
            Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
            _ => dirs::cache_dir().map(|d| d.join("plumbline").join("models")),
        }
    }

    /// The cache a program's flags ask for: none with `no_cache`, else one in `dir`, else in
    /// [`ModelCache::default_dir`]; `None` where the platform has no cache folder either.
    pub fn chosen(no_cache: bool, dir: Option<PathBuf>) -> Option<ModelCache> {
        if no_cache {
            return None;
        }
        dir.or_else(ModelCache::default_dir).map(ModelCache::new)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// What went wrong with the cache since the last call (unreadable folder, damaged entry,
    /// full disk), one sentence each; cleared by the call.
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes())
    }

    fn note(&self, text: String) {
        self.notes().push(text);
    }

    /// The notes; a lock poisoned by a panicking thread still holds sound notes.
    fn notes(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.notes.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn entry(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(key.file_name())
    }

    /// Whether an entry for `key` is there (it may still be damaged or another build's: only
    /// [`get`](ModelCache::get) tells). Lets a caller start work that only a hit needs beside
    /// the entry's decoding.
    pub fn holds(&self, key: &CacheKey) -> bool {
        self.entry(key).is_file()
    }

    /// The cached model for `key`, or `None` on a miss. A damaged entry, or one written by
    /// another build, is removed (with a note) and counts as a miss. The model comes back with
    /// an empty path and zero load time.
    pub fn get(&self, key: &CacheKey, revision: &str) -> Option<Model> {
        let path = self.entry(key);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                self.note(format!("cannot read {}: {e}; the model is loaded from its file", path.display()));
                return None;
            }
        };
        match decode(&bytes, revision) {
            Ok(model) => {
                // Last use decides what the size bound removes first. Best effort: an entry
                // that cannot be touched (a read-only cache) is only removed sooner.
                let _best_effort = std::fs::File::options()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_modified(SystemTime::now()));
                Some(model)
            }
            Err(e) => {
                // Another build's entry is simply stale (keys include the revision, so only a
                // hash collision gets here); a damaged one is worth a word.
                if !matches!(e, CodecError::OtherBuild { .. }) {
                    self.note(format!("{}: {e}; removed, the model is loaded from its file", path.display()));
                }
                let _gone_or_never_there = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Caches `model` under `key`. Failures (read-only folder, full disk, a model larger than
    /// the bound) leave the cache as it was and become notes.
    pub fn put(&self, key: &CacheKey, revision: &str, model: &Model) {
        if let Err(e) = self.try_put(key, revision, model) {
            self.note(format!("could not cache {} in {}: {e}", model.path, self.dir.display()));
        }
    }

    fn try_put(&self, key: &CacheKey, revision: &str, model: &Model) -> Result<(), String> {
        std::fs::create_dir_all(&self.dir).map_err(|e| e.to_string())?;
        let path = self.entry(key);
        let n = self.writes.fetch_add(1, Ordering::Relaxed);
        let temporary = self.dir.join(format!("{}.{}-{n}.tmp", key.file_name(), std::process::id()));
        let written = (|| {
            let file = std::fs::File::create(&temporary).map_err(|e| e.to_string())?;
            let mut out = Bounded { inner: std::io::BufWriter::new(file), left: self.max_bytes };
            encode(model, revision, &mut out).map_err(|e| match e {
                CodecError::Write(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
                    format!(
                        "the model's cache entry would exceed the cache's bound of {} bytes",
                        self.max_bytes
                    )
                }
                e => e.to_string(),
            })?;
            std::fs::rename(&temporary, &path).map_err(|e| e.to_string())
        })();
        if written.is_err() {
            let _partial_file_gone = std::fs::remove_file(&temporary);
        }
        written?;
        self.prune(&path);
        Ok(())
    }

    /// Removes the least recently used entries until the folder fits the bound, never `keep`.
    fn prune(&self, keep: &Path) {
        let Ok(listing) = std::fs::read_dir(&self.dir) else { return };
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = listing
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == EXTENSION))
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                Some((meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len(), e.path()))
            })
            .collect();
        let mut total: u64 = entries.iter().map(|(_, len, _)| len).sum();
        entries.sort();
        for (_, len, path) in entries {
            if total <= self.max_bytes {
                break;
            }
            if path != keep && std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

/// A writer that refuses to grow past a bound, so a model too large for the cache is given up
/// while it is written instead of filling the disk first.
struct Bounded<W> {
    inner: W,
    left: u64,
}

impl<W: Write> Write for Bounded<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() as u64 > self.left {
            return Err(std::io::Error::new(std::io::ErrorKind::FileTooLarge, "over the cache's bound"));
        }
        let n = self.inner.write(buf)?;
        self.left -= n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests;
