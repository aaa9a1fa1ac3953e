//! Scratch space and randomness for tests across the workspace (included with `#[path]`): one
//! unique directory or fresh file per test, and one small clock-seeded generator.
#![allow(dead_code)]

use std::path::PathBuf;

/// Nanoseconds since the Unix epoch (0 if the clock is before it).
fn clock_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// A new directory `hpo-<label>-<pid>-<nanoseconds>` in the system's temporary directory.
pub fn unique_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hpo-{label}-{}-{}",
        std::process::id(),
        clock_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The path `hpo-<stem>-<pid>.<ext>` in the system's temporary directory, with nothing there.
pub fn fresh_file(stem: &str, ext: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("hpo-{stem}-{}.{ext}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// A small xorshift generator (never seeded with 0).
pub struct Rng(pub u64);

impl Rng {
    /// Seeded from the clock; the seed is printed, for a rerun.
    pub fn from_clock() -> Rng {
        let seed = clock_nanos() as u64 | 1;
        eprintln!("rng seed {seed}");
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
