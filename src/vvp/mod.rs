//! Ververica Platform (VVP) support: the wire models of the VVP REST APIs ([`api`]), the custom
//! resources that mirror VVP objects in Kubernetes ([`crd`]) and a typed HTTP client for the
//! VVP APIs ([`client`]).

pub mod api;
pub mod client;
pub mod controller;
pub mod crd;
pub mod error;
pub mod metrics;
pub mod operator;
