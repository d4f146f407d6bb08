//! rudder: a Kubernetes operator that renders Helm charts natively and keeps them converged.
//!
//! The module map and the direction of dependencies between modules are described in
//! `docs/design.md`.

pub mod alloc;
pub mod chart;
pub mod cli;
pub mod kinds;
pub mod parallel;
pub mod render;
pub mod semver;
pub mod template;
#[cfg(test)]
mod test_support;
pub mod version;
pub mod vvp;
pub mod yaml;
