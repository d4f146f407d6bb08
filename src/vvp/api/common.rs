//! Shapes shared by all VVP resources: list envelopes, error bodies and the map type that
//! keeps fields unknown to this API version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Fields of a VVP object that this API version does not model, kept so that a round trip
/// (read, modify, write back) does not lose what a newer VVP sent.
pub type Extra = BTreeMap<String, serde_json::Value>;

/// String-to-string maps such as labels, annotations and Flink configuration.
pub type StringMap = BTreeMap<String, String>;

/// The `apiVersion` every Application Manager resource carries.
pub const API_VERSION_V1: &str = "v1";

/// A VVP list response (`ResourceListOf<Kind>`): `{apiVersion, kind: "<Kind>List", metadata,
/// items}`. The list metadata carries no fields in VVP 2.1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceList<T> {
    /// Always `v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `<Kind>List`, e.g. `DeploymentList`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Empty object in VVP 2.1 (`ResourceListMetadata` has no properties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Extra>,
    /// The listed resources.
    #[serde(default)]
    pub items: Vec<T>,
}

impl<T> ResourceList<T> {
    /// A `v1` list of `kind` (e.g. `DeploymentList`) holding `items`, as VVP answers it.
    pub fn new(kind: &str, items: Vec<T>) -> Self {
        Self {
            api_version: Some(API_VERSION_V1.to_owned()),
            kind: Some(kind.to_owned()),
            metadata: Some(Extra::new()),
            items,
        }
    }
}

/// The JSON body of a VVP error response. The swagger does not define it; VVP answers
/// non-2xx statuses with a JSON object whose `message` field explains the failure, and
/// clients should surface that text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Human-readable reason for the failure.
    #[serde(default)]
    pub message: String,
    /// Any other fields VVP adds to an error.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_serialises_with_envelope() {
        let list = ResourceList::new("DeploymentList", vec![1, 2]);
        let json = serde_json::to_value(&list).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"apiVersion": "v1", "kind": "DeploymentList", "metadata": {}, "items": [1, 2]})
        );
    }

    #[test]
    fn error_body_keeps_unknown_fields() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"message":"not found","reason":"NOT_FOUND"}"#).unwrap();
        assert_eq!(body.message, "not found");
        assert_eq!(body.extra["reason"], "NOT_FOUND");
    }
}
