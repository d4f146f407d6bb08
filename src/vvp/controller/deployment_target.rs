//! VpDeploymentTarget against the Application Manager API. Targets are addressed by name:
//! one that exists is adopted; an absent one is created. VVP 2.1 cannot update targets, so a
//! spec that differs from VVP's is reported (`Ready=False`, `UpdateNotSupported`) instead of
//! being silently ignored. Deletion retries while VVP answers 409 (deployments still use the
//! target), keeping the finalizer.

use std::sync::Arc;

use kube::ResourceExt;
use kube::runtime::controller::Action;
use serde_json::json;

use super::status::{self, Ready};
use super::{Context, Error, reconcile_with_finalizer};
use crate::vvp::api::{
    API_VERSION_V1, DeploymentTarget, DeploymentTargetMetadata, DeploymentTargetSpec,
    KubernetesTarget,
};
use crate::vvp::client::ApiToken;
use crate::vvp::crd::VpDeploymentTarget;

/// Reconciles one VpDeploymentTarget.
pub async fn reconcile(obj: Arc<VpDeploymentTarget>, ctx: Arc<Context>) -> Result<Action, Error> {
    reconcile_with_finalizer(obj, ctx, apply, cleanup).await
}

fn requested_namespace(obj: &VpDeploymentTarget) -> Option<&str> {
    obj.spec
        .metadata
        .as_ref()
        .and_then(|m| m.namespace.as_deref())
}

/// The VVP object for `obj` in VVP namespace `ns`.
pub fn desired(obj: &VpDeploymentTarget, ns: &str) -> DeploymentTarget {
    let meta = obj.spec.metadata.clone().unwrap_or_default();
    DeploymentTarget {
        api_version: Some(API_VERSION_V1.to_owned()),
        kind: Some("DeploymentTarget".to_owned()),
        metadata: Some(DeploymentTargetMetadata {
            name: Some(obj.name_any()),
            namespace: Some(ns.to_owned()),
            labels: meta.labels,
            annotations: meta.annotations,
            ..DeploymentTargetMetadata::default()
        }),
        spec: Some(DeploymentTargetSpec {
            kubernetes: Some(KubernetesTarget {
                namespace: obj
                    .spec
                    .spec
                    .as_ref()
                    .and_then(|s| s.kubernetes.namespace.clone()),
            }),
            ..DeploymentTargetSpec::default()
        }),
    }
}

fn kubernetes_namespace(target: &DeploymentTarget) -> Option<&str> {
    target
        .spec
        .as_ref()
        .and_then(|s| s.kubernetes.as_ref())
        .and_then(|k| k.namespace.as_deref())
}

async fn apply(obj: Arc<VpDeploymentTarget>, ctx: Arc<Context>) -> Result<Action, Error> {
    let ns = ctx.vvp_namespace(requested_namespace(&obj))?;
    let result = apply_in(&obj, &ctx, ns).await;
    ctx.check_token(ns, result).await
}

async fn apply_in(
    obj: &Arc<VpDeploymentTarget>,
    ctx: &Arc<Context>,
    ns: &str,
) -> Result<Action, Error> {
    let (obj, ctx) = (obj.clone(), ctx.clone());
    let token = ctx.tokens.token(&ctx, ns).await?;
    let name = obj.name_any();
    let want = desired(&obj, ns);
    let current = match ctx.vvp.get_deployment_target(ns, &name, &token).await {
        Ok(t) => t,
        Err(e) if e.is_not_found() => ctx.vvp.create_deployment_target(ns, &want, &token).await?,
        Err(e) => return Err(e.into()),
    };
    let ready = if kubernetes_namespace(&current) == kubernetes_namespace(&want) {
        Ready::yes(
            "Created",
            format!("VVP deployment target {ns}/{name} exists"),
        )
    } else {
        Ready::failed(
            "UpdateNotSupported",
            format!(
                "VVP 2.1 cannot update deployment targets: VVP has Kubernetes namespace {:?}, \
                 the spec asks for {:?}; delete and re-create the object to change it",
                kubernetes_namespace(&current),
                kubernetes_namespace(&want)
            ),
        )
    };
    let meta = current.metadata.unwrap_or_default();
    status::update(
        &ctx,
        &*obj,
        json!({
            "deploymentTargetId": meta.id,
            "resourceVersion": meta.resource_version,
        }),
        &ready,
    )
    .await?;
    Ok(ctx.requeue())
}

async fn cleanup(obj: Arc<VpDeploymentTarget>, ctx: Arc<Context>) -> Result<Action, Error> {
    let Some((ns, token)) = ctx.cleanup_scope(requested_namespace(&obj)).await? else {
        return Ok(Action::await_change());
    };
    let result = cleanup_in(&obj, &ctx, ns, &token).await;
    ctx.check_token(ns, result).await
}

async fn cleanup_in(
    obj: &VpDeploymentTarget,
    ctx: &Context,
    ns: &str,
    token: &ApiToken,
) -> Result<Action, Error> {
    let name = obj.name_any();
    match ctx.vvp.delete_deployment_target(ns, &name, token).await {
        Ok(_) => Ok(Action::await_change()),
        Err(e) if e.is_not_found() => Ok(Action::await_change()),
        Err(e) if e.is_conflict() => Err(Error::Pending {
            reason: "InUse",
            message: format!("VVP deployment target {ns}/{name} is still used by deployments"),
            retry_after: ctx.config.requeue_interval,
        }),
        Err(e) => Err(e.into()),
    }
}
