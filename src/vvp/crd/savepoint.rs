//! `VpSavepoint` (v1beta1): "take a savepoint of deployment X now" (VVP 2.1 cannot delete
//! savepoints, so deleting the object deletes nothing in VVP).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Desired savepoint: of which deployment, in which VVP namespace.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "ververicaplatform.fintechstudios.com",
    version = "v1beta1",
    kind = "VpSavepoint",
    namespaced,
    status = "VpSavepointStatus",
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    printcolumn = r#"{"name":"State","type":"string","jsonPath":".status.state"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct VpSavepointSpec {
    /// Operator extension: the VVP name of the deployment; `metadata.deploymentId` wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_name: Option<String>,
    /// VVP namespace and deployment id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<SavepointMetadata>,
    /// An existing savepoint's location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<SavepointSpec>,
}

/// VVP metadata of a savepoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavepointMetadata {
    /// The VVP namespace; empty means `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The VVP deployment id; can be given through `spec.deploymentName` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// Location of an existing savepoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavepointSpec {
    /// URI of the savepoint.
    pub savepoint_location: String,
    /// Flink's savepoint id.
    pub flink_savepoint_id: String,
}

/// Observed state of a savepoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpSavepointStatus {
    /// VVP's savepoint state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<SavepointState>,
    /// Why the savepoint failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<SavepointFailure>,
    /// The VVP `metadata.id` of the savepoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub savepoint_id: Option<String>,
    /// The VVP deployment the savepoint belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// The VVP job the savepoint was taken of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Kubernetes-style conditions (e.g. `Ready`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Option<Vec<Condition>>,
}

/// State of a savepoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SavepointState {
    /// Triggered.
    Started,
    /// Written.
    Completed,
    /// Could not be taken.
    Failed,
}

/// Why a savepoint failed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavepointFailure {
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<String>,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Machine-readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
