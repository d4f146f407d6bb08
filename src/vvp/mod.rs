//! Ververica Platform (VVP) support: the wire models of the VVP REST APIs that the VVP
//! reconcilers talk to.

pub mod api;
