//! Application Manager API models (VVP 2.1, `/api/v1/namespaces/{ns}/...`): deployment
//! targets, deployments with their desired and observed state, jobs, savepoints and events.
//!
//! Every resource has the envelope `{apiVersion: "v1", kind, metadata, spec, status}`.
//! VVP fills `metadata.id`, `resourceVersion`, `createdAt`, `modifiedAt` and `status`; clients
//! send `metadata` (name, labels, annotations) and `spec`.
//!
//! Where the 2.1 swagger is known to be incomplete (it was generated from polymorphic Java
//! types), the fields VVP actually uses are modelled too: `Artifact` carries the JAR artifact
//! fields and `DeploymentRestoreStrategy` carries `allowNonRestoredState`. Kubernetes objects
//! that the swagger types as `JsonNode` (affinity, security context, tolerations, volumes)
//! are free-form JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{Extra, StringMap};

/// Kind of a [`Deployment`].
pub const KIND_DEPLOYMENT: &str = "Deployment";
/// Kind of a [`DeploymentTarget`].
pub const KIND_DEPLOYMENT_TARGET: &str = "DeploymentTarget";
/// Kind of a [`Savepoint`].
pub const KIND_SAVEPOINT: &str = "Savepoint";
/// Kind of an [`Event`].
pub const KIND_EVENT: &str = "Event";
/// Kind of a [`Job`].
pub const KIND_JOB: &str = "Job";

/// A Flink application managed by VVP: the desired state (`spec`) and what VVP observes
/// (`status`). Addressed by `metadata.id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// Always `v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Always `Deployment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Identity and bookkeeping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<DeploymentMetadata>,
    /// What the user wants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<DeploymentSpec>,
    /// What VVP observes; ignored in requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DeploymentStatus>,
}

/// Identity of a deployment. `name` is unique within the namespace and immutable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentMetadata {
    /// Server-assigned UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Unique name within the namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The VVP namespace holding the deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// User labels (selectable with `labelSelector` on list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<StringMap>,
    /// User annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<StringMap>,
    /// Creation time (RFC 3339), set by VVP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last modification time (RFC 3339), set by VVP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
    /// Incremented by VVP on every modification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<i64>,
    /// Fields of newer VVP versions (e.g. `displayName` in 2.7).
    #[serde(flatten)]
    pub extra: Extra,
}

/// The desired state of a deployment and the template of the Flink job to run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentSpec {
    /// Desired state: `RUNNING`, `SUSPENDED` or `CANCELLED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<DeploymentState>,
    /// UUID of the deployment target to run on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_target_id: Option<String>,
    /// How a template change of a running deployment is applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_strategy: Option<DeploymentUpgradeStrategy>,
    /// Which snapshot a newly started job restores from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_strategy: Option<DeploymentRestoreStrategy>,
    /// Attempts to take a savepoint before a suspension fails the deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_savepoint_creation_attempts: Option<i32>,
    /// Attempts to create a job before the deployment fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_job_creation_attempts: Option<i32>,
    /// The Flink job to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<DeploymentTemplate>,
    /// Fields of newer VVP versions (e.g. `deploymentTargetName`, `sessionClusterName`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// Deployment state. The desired state (`spec.state`) is one of RUNNING, SUSPENDED and
/// CANCELLED; the observed state (`status.state`) adds TRANSITIONING, FAILED and FINISHED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeploymentState {
    /// A job runs (desired) or is running (observed).
    Running,
    /// The job was stopped with a savepoint to resume from later.
    Suspended,
    /// No job runs.
    Cancelled,
    /// VVP is moving towards the desired state (observed only).
    Transitioning,
    /// The job failed unrecoverably (observed only).
    Failed,
    /// A finite job completed (observed only).
    Finished,
    /// A state this API version does not know.
    #[serde(other)]
    Unrecognized,
}

/// How VVP applies a template change to a running deployment: `STATEFUL` (suspend with a
/// savepoint, restart from it), `STATELESS` (cancel and restart) or `NONE` (apply at the next
/// start).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentUpgradeStrategy {
    /// `STATEFUL`, `STATELESS` or `NONE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Which snapshot a new job restores from: `LATEST_SAVEPOINT`, `LATEST_STATE` (also retained
/// checkpoints) or `NONE`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentRestoreStrategy {
    /// `LATEST_SAVEPOINT`, `LATEST_STATE` or `NONE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether the job may start although some savepoint state cannot be mapped to it (not
    /// in the 2.1 swagger, but accepted by VVP 2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_non_restored_state: Option<bool>,
}

/// The Flink job template of a deployment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentTemplate {
    /// Annotations for the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<DeploymentTemplateMetadata>,
    /// The job's artifact, parallelism, resources and Flink configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<DeploymentTemplateSpec>,
}

/// Metadata of a deployment template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentTemplateMetadata {
    /// Annotations passed to the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<StringMap>,
}

/// What to run and with which resources.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentTemplateSpec {
    /// The program to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// Default parallelism of the job (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<i32>,
    /// Number of Flink task managers (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_task_managers: Option<i32>,
    /// Resources per component, keyed `jobmanager` / `taskmanager`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<BTreeMap<String, ResourceSpec>>,
    /// Flink configuration entries (`flink-conf.yaml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flink_configuration: Option<StringMap>,
    /// Logging configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    /// Kubernetes pod options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<KubernetesOptions>,
    /// Fields of newer VVP versions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The program a job runs. VVP 2.1 knows `kind: JAR` with the fields below; the swagger only
/// lists `kind`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// Artifact kind, e.g. `JAR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// URI of the JAR file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jar_uri: Option<String>,
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
    /// Fields of other artifact kinds or newer VVP versions (e.g. `sqlScript`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// CPU and memory of one Flink component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSpec {
    /// CPU cores (fractional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<f64>,
    /// Memory, e.g. `1g`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
}

/// Logging configuration of a job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Logging {
    /// A custom log4j2 configuration template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log4j2_configuration_template: Option<String>,
    /// Log levels per logger name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log4j_loggers: Option<StringMap>,
    /// A named logging profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging_profile: Option<String>,
}

/// Kubernetes options of a job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesOptions {
    /// Options applied to every pod of the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<Pods>,
    /// Fields of newer VVP versions (e.g. pod templates in 2.7).
    #[serde(flatten)]
    pub extra: Extra,
}

/// Pod options of a job. Kubernetes objects are free-form JSON, as in VVP (`JsonNode`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pods {
    /// Pod annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<StringMap>,
    /// Pod labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<StringMap>,
    /// Node selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<StringMap>,
    /// Environment variables of the Flink containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_vars: Option<Vec<EnvVar>>,
    /// Extra volumes with their mounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Vec<VolumeAndMount>>,
    /// A Kubernetes `SecurityContext` (container kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<Value>,
    /// A Kubernetes `Affinity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Value>,
    /// Kubernetes `Toleration`s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<Value>>,
    /// Secrets for pulling the Flink image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_secrets: Option<Vec<LocalObjectReference>>,
    /// Fields of newer VVP versions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An environment variable of the Flink containers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    /// Variable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Literal value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A Kubernetes `EnvVarSource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<Value>,
}

/// A volume and where to mount it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeAndMount {
    /// Name of this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A Kubernetes `Volume`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<Value>,
    /// A Kubernetes `VolumeMount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mount: Option<Value>,
}

/// Reference to a Kubernetes object by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalObjectReference {
    /// Object name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What VVP observes of a deployment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStatus {
    /// Observed state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<DeploymentState>,
    /// Details while the state is RUNNING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<DeploymentStatusRunning>,
}

/// The running job of a deployment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStatusRunning {
    /// UUID of the running job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// When the deployment reached RUNNING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_time: Option<String>,
    /// Health conditions of the running job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<DeploymentCondition>>,
}

/// A health condition of a running deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentCondition {
    /// Condition type.
    #[serde(rename = "type")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// `True`, `False` or `Unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Machine-readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<String>,
    /// When the condition was last updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<String>,
}

/// Where deployments run: a Kubernetes namespace. Addressed by name; VVP 2.1 cannot update
/// it, and refuses to delete it while deployments reference it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentTarget {
    /// Always `v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Always `DeploymentTarget`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Identity and bookkeeping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<DeploymentTargetMetadata>,
    /// The Kubernetes target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<DeploymentTargetSpec>,
}

/// Identity of a deployment target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentTargetMetadata {
    /// Server-assigned UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Unique name within the namespace (`[0-9a-zA-Z-_]`, up to 250 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The VVP namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Creation time, set by VVP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last modification time, set by VVP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
    /// User annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<StringMap>,
    /// User labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<StringMap>,
    /// Incremented by VVP on every modification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<i64>,
    /// Fields of newer VVP versions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The spec of a deployment target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentTargetSpec {
    /// The Kubernetes namespace jobs run in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<KubernetesTarget>,
    /// Fields of newer VVP versions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A Kubernetes namespace to run jobs in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubernetesTarget {
    /// Kubernetes namespace name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Something VVP did or noticed while managing a deployment, e.g.
/// `STATE_TRANSITION_IS_COMPLETED`. Events are immutable and listed per deployment or job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Always `v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Always `Event`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Identity, time and the resources it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<EventMetadata>,
    /// The message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<EventSpec>,
}

/// Identity of an event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventMetadata {
    /// Server-assigned UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The VVP namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// When the event happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// The deployment it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// The job it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// Event code, one of the swagger's enum (e.g. `JOB_SUCCESSFULLY_STARTED`); kept as a
    /// string because newer VVP versions add codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Resource version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<i64>,
    /// Fields of newer VVP versions (e.g. `sessionClusterId`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// The message of an event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSpec {
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A Flink savepoint known to VVP: requested by a user, taken on suspension, or copied from
/// an existing location. Addressed by `metadata.id`; VVP 2.1 cannot delete savepoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Savepoint {
    /// Always `v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Always `Savepoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Identity and origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<SavepointMetadata>,
    /// Where the savepoint is stored, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<SavepointSpec>,
    /// Progress of the savepoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SavepointStatus>,
}

/// Identity and origin of a savepoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavepointMetadata {
    /// Server-assigned UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The VVP namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last modification time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
    /// The deployment the savepoint belongs to; required on create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// The job the savepoint was taken of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// Why the savepoint exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<SavepointOrigin>,
    /// User annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<StringMap>,
    /// Incremented by VVP on every modification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<i64>,
    /// Fields of newer VVP versions (e.g. `type`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// Why a savepoint exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SavepointOrigin {
    /// Requested through the API.
    UserRequest,
    /// Taken by a STATEFUL upgrade.
    SuspendAndUpgrade,
    /// Taken when suspending.
    Suspend,
    /// Registered from an existing location.
    Copied,
    /// A retained Flink checkpoint.
    RetainedCheckpoint,
    /// An origin this API version does not know.
    #[serde(other)]
    Unrecognized,
}

/// Location of a savepoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavepointSpec {
    /// URI of the savepoint; set on completion, or given when copying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub savepoint_location: Option<String>,
    /// Flink's id of the savepoint (UUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flink_savepoint_id: Option<String>,
}

/// Progress of a savepoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavepointStatus {
    /// STARTED, then COMPLETED or FAILED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<SavepointState>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// State of a savepoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SavepointState {
    /// Triggered, not finished yet.
    Started,
    /// Written and usable.
    Completed,
    /// Could not be taken.
    Failed,
    /// A state this API version does not know (2.7 adds deletion states).
    #[serde(other)]
    Unrecognized,
}

/// Why a savepoint or job failed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Machine-readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<String>,
}

/// One run of a deployment's template on Flink. VVP creates a job for every transition to
/// RUNNING.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// Always `v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Always `Job`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Identity and owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JobMetadata>,
    /// What the job runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<JobSpec>,
    /// Progress of the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<JobStatus>,
}

/// Identity of a job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobMetadata {
    /// Server-assigned UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The VVP namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The owning deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    /// Name of the owning deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_name: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last modification time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
    /// When the job ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated_at: Option<String>,
    /// Annotations from the deployment template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<StringMap>,
    /// Incremented by VVP on every modification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<i64>,
}

/// What a job runs: the deployment template at the time the job was created.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSpec {
    /// Whether unmapped savepoint state is tolerated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_non_restored_state: Option<bool>,
    /// The program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// Where the job runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_target: Option<JobDeploymentTarget>,
    /// Flink configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flink_configuration: Option<StringMap>,
    /// Kubernetes pod options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<KubernetesOptions>,
    /// Logging configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    /// Number of task managers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_task_managers: Option<i32>,
    /// Parallelism.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<i32>,
    /// Resources per component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<BTreeMap<String, ResourceSpec>>,
    /// Savepoint the job was restored from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub savepoint_location: Option<String>,
}

/// The deployment target a job runs on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobDeploymentTarget {
    /// The Kubernetes namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<KubernetesTarget>,
}

/// Progress of a job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    /// Job state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<JobState>,
    /// Details once started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<JobStatusStarted>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// State of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobState {
    /// Being submitted.
    Starting,
    /// Waiting as standby.
    Standby,
    /// Running on Flink.
    Started,
    /// Being stopped.
    Terminating,
    /// Failed unrecoverably.
    Failed,
    /// Stopped.
    Terminated,
    /// Completed (finite job).
    Finished,
    /// A state this API version does not know.
    #[serde(other)]
    Unrecognized,
}

/// Details of a started job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStatusStarted {
    /// Flink's job id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flink_job_id: Option<String>,
    /// When the job started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// When VVP last observed the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<String>,
    /// Flink's job status, e.g. `RUNNING`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_flink_job_status: Option<String>,
    /// Restarts Flink reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_flink_job_restarts: Option<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_deployment() -> Value {
        serde_json::json!({
            "apiVersion": "v1",
            "kind": "Deployment",
            "metadata": {"id": "6d9f0f4c-5b1e-4a52-9d3a-0a4b0c1d2e3f", "name": "top-speed",
                         "namespace": "default", "resourceVersion": 3, "displayName": "Top speed",
                         "labels": {"team": "a"}},
            "spec": {"state": "RUNNING", "deploymentTargetId": "t-1",
                     "upgradeStrategy": {"kind": "STATEFUL"},
                     "restoreStrategy": {"kind": "LATEST_SAVEPOINT", "allowNonRestoredState": false},
                     "sessionClusterName": "sc",
                     "template": {"metadata": {"annotations": {"a": "b"}},
                       "spec": {"artifact": {"kind": "JAR", "jarUri": "https://x/y.jar", "sqlScript": "s"},
                                "parallelism": 2,
                                "resources": {"jobmanager": {"cpu": 1.5, "memory": "1g"}},
                                "logging": {"log4jLoggers": {"": "INFO"}, "log4j2ConfigurationTemplate": "t"},
                                "kubernetes": {"pods": {"envVars": [{"name": "A", "value": "1"}],
                                                        "affinity": {"nodeAffinity": {}},
                                                        "imagePullSecrets": [{"name": "s"}]}}}}},
            "status": {"state": "TRANSITIONING",
                       "running": {"jobId": "j", "conditions": [{"type": "JobFailing", "status": "False"}]}}
        })
    }

    #[test]
    fn deployment_round_trips_without_losing_fields() {
        let json = sample_deployment();
        let deployment: Deployment = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&deployment).unwrap(), json);
    }

    #[test]
    fn deployment_fields_land_in_typed_places() {
        let deployment: Deployment = serde_json::from_value(sample_deployment()).unwrap();
        let metadata = deployment.metadata.unwrap();
        assert_eq!(metadata.resource_version, Some(3));
        assert_eq!(metadata.extra["displayName"], "Top speed");
        let spec = deployment.spec.unwrap();
        assert_eq!(spec.state, Some(DeploymentState::Running));
        assert_eq!(spec.extra["sessionClusterName"], "sc");
        let template = spec.template.unwrap().spec.unwrap();
        let artifact = template.artifact.unwrap();
        assert_eq!(artifact.jar_uri.as_deref(), Some("https://x/y.jar"));
        assert_eq!(artifact.extra["sqlScript"], "s");
        assert_eq!(template.resources.unwrap()["jobmanager"].cpu, Some(1.5));
        let status = deployment.status.unwrap();
        assert_eq!(status.state, Some(DeploymentState::Transitioning));
        let conditions = status.running.unwrap().conditions.unwrap();
        assert_eq!(conditions[0].type_.as_deref(), Some("JobFailing"));
    }

    #[test]
    fn empty_objects_serialise_without_nulls() {
        let json = serde_json::to_value(Deployment::default()).unwrap();
        assert_eq!(json, serde_json::json!({}));
    }

    #[test]
    fn unknown_states_are_unrecognized() {
        let status: SavepointStatus = serde_json::from_str(r#"{"state":"DELETING"}"#).unwrap();
        assert_eq!(status.state, Some(SavepointState::Unrecognized));
        let state: DeploymentState = serde_json::from_str(r#""FINISHED""#).unwrap();
        assert_eq!(state, DeploymentState::Finished);
        let origin: SavepointOrigin = serde_json::from_str(r#""SUSPEND_AND_UPGRADE""#).unwrap();
        assert_eq!(origin, SavepointOrigin::SuspendAndUpgrade);
    }

    #[test]
    fn savepoint_create_body_parses() {
        // The body the original operator sends, zero timestamps included.
        let body = r#"{"kind":"Savepoint","apiVersion":"v1","metadata":{"deploymentId":"d",
            "namespace":"default","createdAt":"0001-01-01T00:00:00Z","modifiedAt":"0001-01-01T00:00:00Z"}}"#;
        let savepoint: Savepoint = serde_json::from_str(body).unwrap();
        let metadata = savepoint.metadata.unwrap();
        assert_eq!(metadata.deployment_id.as_deref(), Some("d"));
        assert!(savepoint.status.is_none());
    }
}
