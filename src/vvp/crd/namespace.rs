//! `VpNamespace` (v1beta1): a VVP namespace (Enterprise edition only), named like the
//! Kubernetes object; the Kubernetes namespace holding it does not matter.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Desired state of a VVP namespace: who may do what in it.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "ververicaplatform.fintechstudios.com",
    version = "v1beta1",
    kind = "VpNamespace",
    namespaced,
    status = "VpNamespaceStatus",
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    printcolumn = r#"{"name":"LifecyclePhase","type":"string","jsonPath":".status.lifecyclePhase"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct VpNamespaceSpec {
    /// Roles granted in the namespace (Platform API `roleBindings`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_bindings: Option<Vec<RoleBinding>>,
}

/// Grants `role` to `members` in the namespace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RoleBinding {
    /// Users, groups or `system:authenticated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    /// `viewer`, `editor` or `owner`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// Observed state of a VVP namespace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpNamespaceStatus {
    /// The namespace's lifecycle phase as VVP reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_phase: Option<NamespaceLifecyclePhase>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Kubernetes-style conditions (e.g. `Ready`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Option<Vec<Condition>>,
}

/// Lifecycle phase of a VVP namespace (the Platform API enum).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum NamespaceLifecyclePhase {
    /// Unset or invalid.
    #[serde(rename = "LIFECYCLE_PHASE_INVALID")]
    Invalid,
    /// Usable.
    #[serde(rename = "LIFECYCLE_PHASE_ACTIVE")]
    Active,
    /// Being deleted.
    #[serde(rename = "LIFECYCLE_PHASE_TERMINATING")]
    Terminating,
    /// A phase VVP did not recognise.
    #[serde(rename = "UNRECOGNIZED")]
    Unrecognized,
}
