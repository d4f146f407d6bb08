//! Wire models of the Ververica Platform 2.1 REST APIs.
//!
//! Two APIs are modelled: the Application Manager API (`/api/v1/...`: deployment targets,
//! deployments, jobs, savepoints, events) in [`appmanager`], and the Platform API
//! (`/namespaces/v1/...`, `/apitokens/v1/...`) in [`platform`]. Field names follow the VVP
//! swagger documents exactly (camelCase); every field is optional because VVP fills most of
//! them itself and accepts partial bodies. Objects that later VVP versions extend keep fields
//! this version does not know in an `extra` map, so a read-modify-write round trip through
//! these types does not drop them.

pub mod appmanager;
pub mod common;
pub mod platform;

pub use appmanager::*;
pub use common::*;
pub use platform::*;
