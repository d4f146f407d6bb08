//! The custom resources that make Ververica Platform objects Kubernetes-native, in the API
//! group of the original Go operator (`ververicaplatform.fintechstudios.com`) so its users'
//! manifests keep applying: [`VpNamespace`], [`VpDeploymentTarget`](deployment_target),
//! [`VpDeployment`](deployment) and [`VpSavepoint`].
//!
//! VpDeploymentTarget and VpDeployment serve v1beta1 and v1beta2 with v1beta2 stored and no
//! conversion webhook (`conversion: None`); the reasoning is in `docs/vvp.md`.

pub mod common;
pub mod deployment;
pub mod deployment_target;
pub mod namespace;
pub mod savepoint;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceConversion, CustomResourceDefinition, JSON,
};
use kube::CustomResourceExt;
use kube::core::crd::MergeError;

pub use common::{DEFAULT_VVP_NAMESPACE, GROUP, VpMetadata};
pub use deployment::VpDeploymentStatus;
/// The version the controller works in.
pub use deployment::v1beta2::{VpDeployment, VpDeploymentSpec};
pub use deployment_target::VpDeploymentTargetStatus;
/// The version the controller works in.
pub use deployment_target::v1beta2::{VpDeploymentTarget, VpDeploymentTargetSpec};
pub use namespace::{VpNamespace, VpNamespaceSpec, VpNamespaceStatus};
pub use savepoint::{VpSavepoint, VpSavepointSpec, VpSavepointStatus};

/// The version rudder stores and reconciles for kinds served in two versions.
pub const STORAGE_VERSION: &str = "v1beta2";

/// Errors building the VVP CRDs.
#[derive(Debug, thiserror::Error)]
pub enum CrdError {
    /// The per-version CRDs of a kind do not merge (a programming error in this module).
    #[error("cannot merge the versions of CRD {name}")]
    Merge {
        /// The CRD name.
        name: &'static str,
        /// Why.
        #[source]
        source: MergeError,
    },
    /// A CRD cannot be written as YAML.
    #[error("cannot encode CRD {name} as YAML")]
    Yaml {
        /// The CRD name.
        name: String,
        /// Why.
        #[source]
        source: serde_saphyr::SerializeError,
    },
}

/// The four VVP CRDs: VpNamespace, VpDeploymentTarget, VpDeployment, VpSavepoint.
pub fn crds() -> Result<Vec<CustomResourceDefinition>, CrdError> {
    Ok(vec![
        spec_defaults_to_empty(VpNamespace::crd()),
        spec_defaults_to_empty(two_versions(
            "vpdeploymenttargets.ververicaplatform.fintechstudios.com",
            deployment_target::v1beta1::VpDeploymentTarget::crd(),
            deployment_target::v1beta2::VpDeploymentTarget::crd(),
        )?),
        two_versions(
            "vpdeployments.ververicaplatform.fintechstudios.com",
            deployment::v1beta1::VpDeployment::crd(),
            deployment::v1beta2::VpDeployment::crd(),
        )?,
        spec_defaults_to_empty(VpSavepoint::crd()),
    ])
}

/// The original CRDs let `spec` be omitted where all of it is optional; kube's derive requires
/// it. A `default: {}` makes the apiserver fill in an empty spec, so such manifests still apply
/// and typed reads still work.
fn spec_defaults_to_empty(mut crd: CustomResourceDefinition) -> CustomResourceDefinition {
    for version in &mut crd.spec.versions {
        let spec = version
            .schema
            .as_mut()
            .and_then(|s| s.open_api_v3_schema.as_mut())
            .and_then(|s| s.properties.as_mut())
            .and_then(|p| p.get_mut("spec"));
        if let Some(spec) = spec {
            spec.default = Some(JSON(serde_json::json!({})));
        }
    }
    crd
}

/// One CRD serving both versions, v1beta2 stored, with the explicit `None` conversion strategy
/// (the apiserver only rewrites `apiVersion` and prunes fields unknown to the target version).
fn two_versions(
    name: &'static str,
    v1beta1: CustomResourceDefinition,
    v1beta2: CustomResourceDefinition,
) -> Result<CustomResourceDefinition, CrdError> {
    let mut crd = kube::core::crd::merge_crds(vec![v1beta1, v1beta2], STORAGE_VERSION)
        .map_err(|source| CrdError::Merge { name, source })?;
    crd.spec.conversion = Some(CustomResourceConversion {
        strategy: "None".to_owned(),
        webhook: None,
    });
    Ok(crd)
}

/// The VVP CRDs as multi-document YAML, each document starting with `---` (appended to the
/// chart kinds' CRDs by `rudder crds`).
pub fn crds_yaml() -> Result<String, CrdError> {
    let mut out = String::new();
    for crd in crds()? {
        let name = crd.metadata.name.clone().unwrap_or_default();
        let text =
            serde_saphyr::to_string(&crd).map_err(|source| CrdError::Yaml { name, source })?;
        out.push_str("---\n");
        out.push_str(&text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
