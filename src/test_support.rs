//! Fixtures shared by unit tests across modules.

use std::path::{Path, PathBuf};

/// The chart corpus: `$RUDDER_CHARTS_CORPUS`, else `../shared/charts-corpus` next to the
/// checkout (as for the integration tests and benchmarks).
pub(crate) fn corpus_root() -> PathBuf {
    match std::env::var_os("RUDDER_CHARTS_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/charts-corpus"),
    }
}

/// A small deterministic generator (xorshift64*), so randomised runs reproduce.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// The next 64 random bits.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
