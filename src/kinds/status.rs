//! The status every chart kind reports, following the Kubernetes API conventions: the generation
//! the controller last acted on, `Ready`/`Progressing`/`Degraded` conditions, and what it applied.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Status of a chart custom resource (shared by all chart kinds).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChartStatus {
    /// The `metadata.generation` of the spec this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Current state: `Ready`, `Progressing` and `Degraded`, one of each at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Option<Vec<Condition>>,
    /// Identifies the last successfully applied render (chart version and a digest of the values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_revision: Option<String>,
    /// Summary of the objects the last apply owns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<InventorySummary>,
    /// Image references of the rendered workloads, resolved to digests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<ResolvedImage>>,
}

/// One status condition (the shape of `metav1.Condition`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Which aspect of the resource this condition describes.
    #[serde(rename = "type")]
    pub type_: ConditionType,
    /// `True`, `False` or `Unknown`.
    pub status: ConditionStatus,
    /// A CamelCase word saying why the condition has this status.
    pub reason: String,
    /// A human-readable explanation.
    pub message: String,
    /// When the status last changed (RFC 3339).
    pub last_transition_time: String,
    /// The `metadata.generation` this condition was computed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// The conditions rudder reports on chart kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ConditionType {
    /// The last render is applied and its workloads are ready.
    Ready,
    /// A change is being rolled out.
    Progressing,
    /// Rendering or applying failed, or workloads do not become ready.
    Degraded,
}

/// The status of a condition, as Kubernetes spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ConditionStatus {
    /// The condition holds.
    True,
    /// The condition does not hold.
    False,
    /// The controller cannot tell.
    Unknown,
}

/// What the last apply owns, in counts (the full inventory is kept elsewhere).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InventorySummary {
    /// Number of objects applied.
    pub objects: i64,
    /// Number of objects pruned by the last apply because the render no longer contained them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pruned: Option<i64>,
}

/// An image reference as rendered, and the digest it resolved to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedImage {
    /// The reference in the rendered manifest (e.g. `repo/app:1.2`).
    pub reference: String,
    /// The digest it resolved to (e.g. `sha256:...`).
    pub digest: String,
}
