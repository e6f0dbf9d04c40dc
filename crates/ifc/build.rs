//! Computes the loader revision (`PLUMBLINE_LOADER_REVISION`): a hash of everything that decides
//! what a loaded model holds and how the model cache stores it: this crate's sources, the model
//! and cache crates' sources, and `Cargo.lock` (ifc-lite's exact version, the cache's encoder).
//! A cached model is only read back by a build with the same revision, so changing any of them
//! can never serve a model made by older code.

use std::hash::Hasher;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(listing) = std::fs::read_dir(dir) else { return };
    for entry in listing.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    let here = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let crates = here.parent().map(Path::to_path_buf).unwrap_or_else(|| here.clone());
    let lock = crates.parent().map(|root| root.join("Cargo.lock")).unwrap_or_default();
    let dirs = [here.join("src"), crates.join("model").join("src"), crates.join("cache").join("src")];
    let mut inputs = Vec::new();
    for dir in &dirs {
        println!("cargo:rerun-if-changed={}", dir.display());
        files(dir, &mut inputs);
    }
    println!("cargo:rerun-if-changed={}", lock.display());
    inputs.push(lock);
    // Sorted by path relative to the workspace, so the revision does not depend on where the
    // checkout lives or on the order the folder lists its files.
    let mut named: Vec<(String, PathBuf)> = inputs
        .into_iter()
        .map(|p| (p.strip_prefix(&crates).unwrap_or(&p).to_string_lossy().replace('\\', "/"), p))
        .collect();
    named.sort();
    // FNV-1a, 64 bits, twice with different offsets: stable across Rust versions, unlike std's
    // hasher, and ample to tell builds apart.
    let mut h = [Fnv(0xcbf2_9ce4_8422_2325), Fnv(0x6c62_272e_07bb_0142)];
    for (name, path) in &named {
        let bytes = std::fs::read(path).unwrap_or_default();
        for f in &mut h {
            f.write(name.as_bytes());
            f.write(&[0]);
            f.write(&bytes);
            f.write(&[0]);
        }
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!(
        "cargo:rustc-env=PLUMBLINE_LOADER_REVISION={version}-{:016x}{:016x}",
        h[0].finish(),
        h[1].finish()
    );
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
