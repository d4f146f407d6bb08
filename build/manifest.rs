//! The kinds manifest (`charts/kinds.yaml`): which chart directory becomes which Kubernetes kind.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole manifest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub kinds: Vec<KindDef>,
}

/// One chart served as one kind.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KindDef {
    /// Directory under `charts/`.
    pub chart: String,
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    #[serde(default)]
    pub short_names: Vec<String>,
    #[serde(default)]
    pub printer_columns: Vec<PrinterColumn>,
    /// rudder's own spec fields by dotted path.
    #[serde(default)]
    pub extensions: BTreeMap<String, Extension>,
    /// Dotted paths that accept any value.
    #[serde(default)]
    pub any_value: Vec<String>,
}

/// An extra `kubectl get` column.
#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrinterColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub json_path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A rudder extension field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    #[serde(rename = "type")]
    pub ty: String,
    pub description: String,
}

impl KindDef {
    /// The Rust module name of the kind (`LibertyApp` -> `liberty_app`).
    pub fn module(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.kind.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}
