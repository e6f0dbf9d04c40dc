//! Computes the loader revision (`PLUMBLINE_LOADER_REVISION`): a hash of everything that decides
//! what a loaded model holds and how the model cache stores it: this crate's sources, the model
//! and cache crates' sources, and `Cargo.lock` (ifc-lite's exact version, the cache's encoder).
//! A cached model is only read back by a build with the same revision, so changing any of them
//! can never serve a model made by older code.

use std::hash::Hasher;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`. A source folder that cannot be listed stops the build: a
/// revision computed without it could match one made from other code.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let listing = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("loader revision: cannot list {}: {e}", dir.display()));
    for entry in listing {
        let path = entry.unwrap_or_else(|e| panic!("loader revision: {}: {e}", dir.display())).path();
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
    let dirs = [here.join("src"), crates.join("model").join("src"), crates.join("cache").join("src")];
    // (name relative to the workspace, path): names, not paths, go into the hash, so the
    // revision does not depend on where the checkout lives.
    let mut named: Vec<(String, PathBuf)> = Vec::new();
    for dir in &dirs {
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut found = Vec::new();
        files(dir, &mut found);
        for p in found {
            let name = p.strip_prefix(&crates).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            named.push((name, p));
        }
    }
    let lock = crates.parent().unwrap_or(&crates).join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    if lock.is_file() {
        named.push(("Cargo.lock".into(), lock));
    } else {
        println!(
            "cargo:warning=no Cargo.lock beside the workspace: the loader revision covers the sources only"
        );
    }
    // Sorted, so the revision does not depend on the order the folders list their files.
    named.sort();
    // FNV-1a, 64 bits, twice with different offsets: stable across Rust versions, unlike std's
    // hasher, and ample to tell builds apart.
    let mut h = [Fnv(0xcbf2_9ce4_8422_2325), Fnv(0x6c62_272e_07bb_0142)];
    for (name, path) in &named {
        let bytes = std::fs::read(path)
            .unwrap_or_else(|e| panic!("loader revision: cannot read {}: {e}", path.display()));
        for f in &mut h {
            f.write(name.as_bytes());
            f.write(&[0]);
            f.write(&bytes);
            f.write(&[0]);
        }
    }
    let version = env!("CARGO_PKG_VERSION");
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
