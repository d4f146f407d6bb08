//! Shapes shared by the VVP custom resources: the VVP metadata block nested in every spec and
//! the Kubernetes-style conditions every status carries.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The API group of all VVP kinds (kept from the original operator so manifests still apply).
pub const GROUP: &str = "ververicaplatform.fintechstudios.com";

/// The VVP namespace used when `spec.metadata.namespace` is empty or absent, and the only one
/// the Community edition has.
pub const DEFAULT_VVP_NAMESPACE: &str = "default";

/// VVP metadata of a resource (`spec.metadata`): which VVP namespace it lives in and the labels
/// and annotations it carries there. The VVP name is always the Kubernetes `metadata.name`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpMetadata {
    /// The VVP namespace; empty means `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Labels of the VVP resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations of the VVP resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

impl VpMetadata {
    /// The VVP namespace to address, with the original operator's defaulting applied
    /// everywhere (its delete path forgot it and leaked deployments).
    pub fn vvp_namespace(&self) -> &str {
        vvp_namespace_or_default(self.namespace.as_deref())
    }
}

/// `namespace` unless it is absent or empty, else [`DEFAULT_VVP_NAMESPACE`].
pub fn vvp_namespace_or_default(namespace: Option<&str>) -> &str {
    match namespace {
        Some(ns) if !ns.is_empty() => ns,
        _ => DEFAULT_VVP_NAMESPACE,
    }
}

/// Kubernetes-style conditions (`metav1.Condition`), one per type, merged by type on
/// server-side apply.
pub type Conditions = Vec<Condition>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_or_missing_namespace_is_default() {
        assert_eq!(VpMetadata::default().vvp_namespace(), "default");
        let empty = VpMetadata {
            namespace: Some(String::new()),
            ..VpMetadata::default()
        };
        assert_eq!(empty.vvp_namespace(), "default");
        let named = VpMetadata {
            namespace: Some("top-speed".into()),
            ..VpMetadata::default()
        };
        assert_eq!(named.vvp_namespace(), "top-speed");
    }
}
