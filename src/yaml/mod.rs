//! YAML and JSON exactly as Helm's Go code reads and writes them.
//!
//! Helm renders `toYaml` with `sigs.k8s.io/yaml` (JSON first, then go-yaml v2), `toYamlPretty`
//! with the go-yaml v3 encoder, `toJson` with `encoding/json`, and reads values files and
//! `fromYaml` input with go-yaml v2 (YAML 1.1: `yes`/`on` are booleans) followed by a JSON
//! round trip that turns every number into a float64. Charts depend on these details byte for
//! byte, so this module reproduces them; `serde_json::Value` is the interchange type (integers
//! as i64/u64, floats as f64).
//!
//! Writing:
//! - [`to_yaml`] / [`to_yaml_trimmed`]: `sigs.k8s.io/yaml.Marshal` (and Helm's `toYaml`).
//! - [`to_yaml_pretty`]: Helm's `toYamlPretty` (go-yaml v3, indent 2).
//! - [`json::to_json`] with [`json::JsonOptions`]: `json.Marshal`, `MarshalIndent`, raw.
//! - [`json::from_json`], [`json::from_json_map`], [`json::from_json_array`]: `json.Unmarshal`
//!   (Helm's `fromJson` / `fromJsonArray`).
//!
//! Reading: see [`parse_values`], [`from_yaml`], [`from_yaml_array`], [`yaml_to_value`] and
//! [`from_yaml_documents`].
//!
//! Helm's template functions swallow errors in their own ways; [`helm_from_yaml`],
//! [`helm_from_yaml_array`], [`helm_from_json`] and [`helm_from_json_array`] return exactly what
//! they return.
//!
//! Known differences from Go: go-yaml's map key order is not transitive for keys such as
//! `a10`/`a1a`/`a2`, and Go then depends on map iteration order (random); we sort the same way
//! from a fixed starting order. Reading YAML, a few inputs Go rejects are accepted (tabs on
//! otherwise blank lines) and a few Go accepts are read differently (raw NEL characters, which YAML 1.1
//! treats as line breaks); error line numbers follow go-yaml's conventions for common problems.

mod compat;
mod decode;
mod emitter;
mod encode;
mod fast;
mod gofmt;
mod gosort;
pub mod json;
mod jsonread;
mod resolve;

use serde_json::Value;

pub use decode::{
    NumberMode, from_yaml, from_yaml_array, from_yaml_documents, parse_values, yaml_to_value,
};

/// Errors worded as the Go libraries word them, so they can be shown to chart authors as Helm
/// shows them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A go-yaml or sigs.k8s.io/yaml conversion error, worded as Go words it (e.g. `yaml: line
    /// 3: mapping values are not allowed in this context`, `unsupported map key of type: ...`).
    #[error("{0}")]
    Yaml(String),
    /// `sigs.k8s.io/yaml.Unmarshal` failing while reading YAML (wraps a go-yaml or JSON message).
    #[error("error converting YAML to JSON: {0}")]
    Convert(String),
    /// `sigs.k8s.io/yaml.Unmarshal` failing to store the data in the requested Go type
    /// (e.g. `json: cannot unmarshal array into Go value of type map[string]interface {}`).
    #[error("error unmarshaling JSON: while decoding JSON: {0}")]
    Unmarshal(String),
    /// An `encoding/json` error, worded as Go words it (e.g. `unexpected end of JSON input`).
    #[error("{0}")]
    Json(String),
}

/// `sigs.k8s.io/yaml.Marshal(v)`: the YAML text with its trailing newline.
pub fn to_yaml(value: &Value) -> Result<String, Error> {
    let node = encode::node_v2(value)?;
    Ok(emitter::emit_document(&node, emitter::Flavor::V2))
}

/// Helm's `toYaml`: [`to_yaml`] with one trailing newline removed.
pub fn to_yaml_trimmed(value: &Value) -> Result<String, Error> {
    let mut s = to_yaml(value)?;
    if s.ends_with('\n') {
        s.pop();
    }
    Ok(s)
}

/// Helm's `toYamlPretty`: the go-yaml v3 encoder with `SetIndent(2)`, trailing newline removed.
///
/// Unlike `toYaml` this encodes the value directly, so f64 numbers print as Go float64s do
/// (`1e+06`), sequences are indented under their key and long strings are never folded.
/// Fails only for values nested deeper than the encoders' depth limit.
pub fn to_yaml_pretty(value: &Value) -> Result<String, Error> {
    let node = encode::node_v3(value)?;
    let mut s = emitter::emit_document(&node, emitter::Flavor::V3);
    if s.ends_with('\n') {
        s.pop();
    }
    Ok(s)
}

/// Helm's `fromYaml`: the document as a map, or `{"Error": message}` when it cannot be read
/// as one.
pub fn helm_from_yaml(text: &str) -> serde_json::Map<String, Value> {
    from_yaml(text).unwrap_or_else(|e| error_map(&e))
}

/// Helm's `fromYamlArray`: the document as a list, or `[message]` when it cannot be read as one.
pub fn helm_from_yaml_array(text: &str) -> Vec<Value> {
    from_yaml_array(text).unwrap_or_else(|e| vec![Value::String(e.to_string())])
}

/// Helm's `fromJson`: the JSON object as a map, or `{"Error": message}`.
pub fn helm_from_json(text: &str) -> serde_json::Map<String, Value> {
    json::from_json_map(text).unwrap_or_else(|e| error_map(&e))
}

/// Helm's `fromJsonArray`: the JSON array, or `[message]`.
pub fn helm_from_json_array(text: &str) -> Vec<Value> {
    json::from_json_array(text).unwrap_or_else(|e| vec![Value::String(e.to_string())])
}

fn error_map(e: &Error) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("Error".to_string(), Value::String(e.to_string()));
    m
}

#[cfg(test)]
mod tests;
