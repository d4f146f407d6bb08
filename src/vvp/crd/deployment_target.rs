//! `VpDeploymentTarget`: the Kubernetes namespace VVP runs a deployment's Flink jobs in.
//! v1beta2 is the storage version and what the controller reads; v1beta1 additionally accepts
//! the VVP 2.0 `deploymentPatchSet`, which VVP 2.1 removed and which is pruned on storage (see
//! `docs/vvp.md`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::VpMetadata;

/// The VVP deployment target spec (`spec.spec`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeploymentTargetSpec {
    /// Where the jobs run.
    pub kubernetes: KubernetesTarget,
}

/// A Kubernetes namespace to run jobs in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KubernetesTarget {
    /// The Kubernetes namespace; VVP's own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Observed state of a deployment target (both versions).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpDeploymentTargetStatus {
    /// The VVP `metadata.id` of the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_target_id: Option<String>,
    /// The VVP `metadata.resourceVersion` last seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<i64>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Kubernetes-style conditions (e.g. `Ready`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Option<Vec<Condition>>,
}

/// The version the controller works in.
pub mod v1beta2 {
    use kube::CustomResource;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    use super::{DeploymentTargetSpec, VpDeploymentTargetStatus, VpMetadata};

    /// Desired deployment target: VVP metadata and spec, named like the Kubernetes object.
    #[derive(
        CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema,
    )]
    #[kube(
        group = "ververicaplatform.fintechstudios.com",
        version = "v1beta2",
        kind = "VpDeploymentTarget",
        namespaced,
        status = "VpDeploymentTargetStatus",
        printcolumn = r#"{"name":"Namespace","type":"string","jsonPath":".spec.metadata.namespace"}"#,
        printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
    )]
    pub struct VpDeploymentTargetSpec {
        /// VVP namespace, labels and annotations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub metadata: Option<VpMetadata>,
        /// The VVP deployment target spec.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<DeploymentTargetSpec>,
    }
}

/// The original storage version, served for existing manifests.
pub mod v1beta1 {
    use kube::CustomResource;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    use super::{KubernetesTarget, VpDeploymentTargetStatus, VpMetadata};

    /// Desired deployment target as the original v1beta1 wrote it.
    #[derive(
        CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema,
    )]
    #[kube(
        group = "ververicaplatform.fintechstudios.com",
        version = "v1beta1",
        kind = "VpDeploymentTarget",
        namespaced,
        status = "VpDeploymentTargetStatus",
        printcolumn = r#"{"name":"Namespace","type":"string","jsonPath":".spec.metadata.namespace"}"#,
        printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
    )]
    pub struct VpDeploymentTargetSpec {
        /// VVP namespace, labels and annotations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub metadata: Option<VpMetadata>,
        /// The VVP deployment target spec.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub spec: Option<DeploymentTargetSpec>,
    }

    /// v1beta1 deployment target spec: v1beta2's plus the VVP 2.0 patch set.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct DeploymentTargetSpec {
        /// Where the jobs run.
        pub kubernetes: KubernetesTarget,
        /// VVP 2.0 only: JSON patches applied to every deployment's job. Accepted, not stored
        /// (the storage version v1beta2 has no such field), never sent to VVP 2.1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deployment_patch_set: Option<Vec<JsonPatch>>,
    }

    /// One JSON-patch operation.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub struct JsonPatch {
        /// `add`, `remove`, `replace`, ...
        pub op: String,
        /// JSON pointer of the target.
        pub path: String,
        /// The value to add or replace with.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub value: Option<String>,
        /// Source pointer of `move` and `copy`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub from: Option<String>,
    }
}
