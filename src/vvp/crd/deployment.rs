//! `VpDeployment`: a VVP deployment (a Flink application and its desired state). v1beta2 is
//! the storage version and what the controller reads; v1beta1 additionally accepts the VVP 2.0
//! `startFromSavepoint`, which VVP 2.1 removed and which is pruned on storage (see
//! `docs/vvp.md`). Both versions accept the v1beta2 additions (pod labels, `FINISHED`,
//! `status.running`) so that reading a v1beta2 object as v1beta1 loses nothing.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, EnvVar, LocalObjectReference, PodSecurityContext, Toleration, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::VpMetadata;

/// Desired and observed deployment state (VVP's enum; the desired state is one of RUNNING,
/// SUSPENDED and CANCELLED in VVP 2.1, the others are observed only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeploymentState {
    /// No job runs.
    Cancelled,
    /// A job runs.
    Running,
    /// VVP moves towards the desired state.
    Transitioning,
    /// Stopped with a savepoint.
    Suspended,
    /// The job failed.
    Failed,
    /// A finite job completed (new in v1beta2; also accepted by v1beta1 here).
    Finished,
}

/// How a template change of a running deployment is applied.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UpgradeStrategy {
    /// `STATEFUL`, `STATELESS` or `NONE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Which snapshot a new job restores from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreStrategy {
    /// `LATEST_SAVEPOINT`, `LATEST_STATE` or `NONE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether state that cannot be mapped to the new job may be skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_non_restored_state: Option<bool>,
}

/// The Flink job template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeploymentTemplate {
    /// Annotations of the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<TemplateMetadata>,
    /// What to run and with which resources.
    pub spec: TemplateSpec,
}

/// Metadata of the job template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TemplateMetadata {
    /// Annotations passed to the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// What the job runs and with which resources.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateSpec {
    /// The program.
    pub artifact: Artifact,
    /// Default parallelism of the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub parallelism: Option<i32>,
    /// Number of task managers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub number_of_task_managers: Option<i32>,
    /// CPU and memory per component (`jobmanager`, `taskmanager`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<BTreeMap<String, Resources>>,
    /// Flink configuration entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flink_configuration: Option<BTreeMap<String, String>>,
    /// Log levels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    /// Kubernetes pod options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<KubernetesOptions>,
}

/// The JAR a job runs and the Flink image to run it with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// Artifact kind, `JAR`.
    pub kind: String,
    /// URI of the JAR.
    pub jar_uri: String,
    /// Program arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_args: Option<String>,
    /// Main class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_class: Option<String>,
    /// Flink version, e.g. `1.10`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flink_version: Option<String>,
    /// Registry of the Flink image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flink_image_registry: Option<String>,
    /// Repository of the Flink image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flink_image_repository: Option<String>,
    /// Tag of the Flink image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flink_image_tag: Option<String>,
}

/// CPU and memory of one Flink component. CPU is a string (a Kubernetes quantity such as
/// `"1.5"` or `500m`), as in the original CRD; VVP takes a number.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Resources {
    /// CPU cores as a quantity string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    /// Memory, e.g. `1g`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
}

/// Logging configuration of the job.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Logging {
    /// Log level per logger name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log4j_loggers: Option<BTreeMap<String, String>>,
}

/// Kubernetes options of the job.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KubernetesOptions {
    /// Options of every pod of the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<Pods>,
}

/// Pod options of the job, with the Kubernetes core types.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pods {
    /// Pod annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Pod labels (new in v1beta2; also accepted by v1beta1 here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Node selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Environment of the Flink containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_vars: Option<Vec<EnvVar>>,
    /// Extra volumes and where to mount them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Vec<VolumeAndMount>>,
    /// Pod security context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    /// Secrets to pull the Flink image with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_secrets: Option<Vec<LocalObjectReference>>,
    /// Pod affinity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// Pod tolerations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<Toleration>>,
}

/// A volume and its mount in the Flink containers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeAndMount {
    /// Name of the entry.
    pub name: String,
    /// The volume.
    pub volume: Volume,
    /// Where it is mounted.
    pub volume_mount: VolumeMount,
}

/// Observed state of a deployment (both versions).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpDeploymentStatus {
    /// VVP's observed state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<DeploymentState>,
    /// The running job, while RUNNING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<RunningStatus>,
    /// The VVP `metadata.id` of the deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// The VVP deployment target id in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_target_id: Option<String>,
    /// The VVP `metadata.resourceVersion` last seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<i64>,
    /// `createdAt` of the newest VVP event already published as a Kubernetes Event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_time: Option<String>,
    /// VVP ids of the published events created at `lastEventTime` (ties are possible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_ids: Option<Vec<String>>,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Kubernetes-style conditions (e.g. `Ready`), beside VVP's own `running.conditions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Option<Vec<Condition>>,
}

/// VVP's `status.running`: the job and its health conditions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunningStatus {
    /// The running job's id.
    pub job_id: String,
    /// When the deployment reached RUNNING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_time: Option<Time>,
    /// VVP's health conditions of the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<RunningCondition>>,
}

/// One of VVP's job health conditions, as VVP reports it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunningCondition {
    /// Condition type, e.g. `ClusterUnreachable`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Human-readable message.
    pub message: String,
    /// Machine-readable reason.
    pub reason: String,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// When the condition was last updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<Time>,
}

/// The version the controller works in.
pub mod v1beta2 {
    use kube::CustomResource;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    use super::{DeploymentState, DeploymentTemplate, RestoreStrategy, UpgradeStrategy};
    use super::{VpDeploymentStatus, VpMetadata};

    /// Desired deployment: VVP metadata and spec, plus the target named by Kubernetes name.
    #[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[kube(
        group = "ververicaplatform.fintechstudios.com",
        version = "v1beta2",
        kind = "VpDeployment",
        namespaced,
        status = "VpDeploymentStatus",
        printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
        printcolumn = r#"{"name":"State","type":"string","jsonPath":".status.state"}"#,
        printcolumn = r#"{"name":"Flink-Version","type":"string","jsonPath":".spec.spec.template.spec.artifact.flinkVersion"}"#,
        printcolumn = r#"{"name":"Flink-Image-Tag","type":"string","jsonPath":".spec.spec.template.spec.artifact.flinkImageTag"}"#,
        printcolumn = r#"{"name":"Flink-Image-Registry","type":"string","jsonPath":".spec.spec.template.spec.artifact.flinkImageRegistry"}"#,
        printcolumn = r#"{"name":"Flink-Image-Repository","type":"string","jsonPath":".spec.spec.template.spec.artifact.flinkImageRepository"}"#
    )]
    #[serde(rename_all = "camelCase")]
    pub struct VpDeploymentSpec {
        /// rudder/operator extension: the VpDeploymentTarget (same VVP namespace) whose id
        /// becomes `spec.deploymentTargetId` when that is not given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deployment_target_name: Option<String>,
        /// VVP namespace, labels and annotations.
        pub metadata: VpMetadata,
        /// The VVP deployment spec.
        pub spec: DeploymentSpec,
    }

    /// The VVP 2.1 deployment spec.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct DeploymentSpec {
        /// Desired state.
        pub state: DeploymentState,
        /// How template changes are applied.
        pub upgrade_strategy: UpgradeStrategy,
        /// What a new job restores from.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub restore_strategy: Option<RestoreStrategy>,
        /// VVP id of the deployment target; resolved from `deploymentTargetName` if absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deployment_target_id: Option<String>,
        /// Savepoint attempts before a suspension fails.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub max_savepoint_creation_attempts: Option<i32>,
        /// Job creation attempts before the deployment fails.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub max_job_creation_attempts: Option<i32>,
        /// The Flink job.
        pub template: DeploymentTemplate,
    }
}

/// The original storage version, served for existing manifests.
pub mod v1beta1 {
    use kube::CustomResource;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    use super::{DeploymentState, DeploymentTemplate, RestoreStrategy, UpgradeStrategy};
    use super::{VpDeploymentStatus, VpMetadata};

    /// Desired deployment as the original v1beta1 wrote it.
    #[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[kube(
        group = "ververicaplatform.fintechstudios.com",
        version = "v1beta1",
        kind = "VpDeployment",
        namespaced,
        status = "VpDeploymentStatus",
        printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
        printcolumn = r#"{"name":"State","type":"string","jsonPath":".status.state"}"#,
        printcolumn = r#"{"name":"Flink-Version","type":"string","jsonPath":".spec.spec.template.spec.artifact.flinkVersion"}"#,
        printcolumn = r#"{"name":"Flink-Image-Tag","type":"string","jsonPath":".spec.spec.template.spec.artifact.flinkImageTag"}"#,
        printcolumn = r#"{"name":"Flink-Image-Registry","type":"string","jsonPath":".spec.spec.template.spec.artifact.flinkImageRegistry"}"#,
        printcolumn = r#"{"name":"Flink-Image-Repository","type":"string","jsonPath":".spec.spec.template.spec.artifact.flinkImageRepository"}"#
    )]
    #[serde(rename_all = "camelCase")]
    pub struct VpDeploymentSpec {
        /// Operator extension: the VpDeploymentTarget whose id becomes the target id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deployment_target_name: Option<String>,
        /// VVP namespace, labels and annotations.
        pub metadata: VpMetadata,
        /// The VVP deployment spec.
        pub spec: DeploymentSpec,
    }

    /// The v1beta1 deployment spec: v1beta2's plus the VVP 2.0 `startFromSavepoint`.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct DeploymentSpec {
        /// Desired state.
        pub state: DeploymentState,
        /// How template changes are applied.
        pub upgrade_strategy: UpgradeStrategy,
        /// What a new job restores from.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub restore_strategy: Option<RestoreStrategy>,
        /// VVP 2.0 only: where a new job starts from. Accepted, not stored (the storage version
        /// v1beta2 has no such field), never sent to VVP 2.1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub start_from_savepoint: Option<StartFromSavepoint>,
        /// VVP id of the deployment target.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub deployment_target_id: Option<String>,
        /// Savepoint attempts before a suspension fails.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub max_savepoint_creation_attempts: Option<i32>,
        /// Job creation attempts before the deployment fails.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub max_job_creation_attempts: Option<i32>,
        /// The Flink job.
        pub template: DeploymentTemplate,
    }

    /// VVP 2.0 start-from-savepoint choice.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub struct StartFromSavepoint {
        /// `LATEST`, `NONE`, ...
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub kind: Option<String>,
    }
}
