//! VpSavepoint: "take a savepoint of deployment X" (or, with `spec.spec.savepointLocation`,
//! register an existing one as COPIED). The VVP id goes into status right after the POST, and
//! a STARTED savepoint is polled by requeueing until COMPLETED or FAILED, also after a restart
//! (the state lives in status). VVP 2.1 cannot delete savepoints, so there is no finalizer and
//! deleting the object deletes nothing in VVP.

use std::sync::Arc;

use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};

use super::status::{self, Ready};
use super::{Context, Error, finish};
use crate::vvp::api::{
    self, API_VERSION_V1, Savepoint, SavepointMetadata, SavepointSpec as ApiSavepointSpec,
};
use crate::vvp::client::ApiToken;
use crate::vvp::crd::VpSavepoint;
use crate::vvp::crd::savepoint::{SavepointFailure, SavepointState, VpSavepointStatus};

/// Reconciles one VpSavepoint.
pub async fn reconcile(obj: Arc<VpSavepoint>, ctx: Arc<Context>) -> Result<Action, Error> {
    if obj.meta().deletion_timestamp.is_some() {
        return Ok(Action::await_change());
    }
    let result = apply(obj.clone(), ctx.clone()).await;
    finish(obj, ctx, result).await
}

fn requested_namespace(obj: &VpSavepoint) -> Option<&str> {
    obj.spec
        .metadata
        .as_ref()
        .and_then(|m| m.namespace.as_deref())
}

async fn deployment_id(
    ctx: &Context,
    obj: &VpSavepoint,
    ns: &str,
    token: &ApiToken,
) -> Result<String, Error> {
    let given = obj
        .spec
        .metadata
        .as_ref()
        .and_then(|m| m.deployment_id.as_deref())
        .filter(|s| !s.is_empty());
    if let Some(id) = given {
        return Ok(id.to_owned());
    }
    let Some(name) = obj
        .spec
        .deployment_name
        .as_deref()
        .filter(|s| !s.is_empty())
    else {
        return Err(Error::InvalidSpec(
            "neither spec.metadata.deploymentId nor spec.deploymentName is set".into(),
        ));
    };
    let found = ctx.vvp.find_deployment_by_name(ns, name, token).await?;
    found
        .and_then(|d| d.metadata.and_then(|m| m.id))
        .ok_or_else(|| Error::Pending {
            reason: "DeploymentNotFound",
            message: format!("VVP deployment {ns}/{name} does not exist (yet)"),
            retry_after: ctx.config.requeue_interval,
        })
}

/// The VVP annotation naming the Kubernetes UID of the VpSavepoint a savepoint was requested
/// for: it makes the request idempotent when rudder stops between the POST and the status write.
pub const OWNER_UID_ANNOTATION: &str = "rudder.dev/vp-savepoint-uid";

/// The savepoint to POST for `obj`: the CR's annotations plus [`OWNER_UID_ANNOTATION`].
pub fn desired(obj: &VpSavepoint, ns: &str, deployment_id: &str) -> Savepoint {
    let meta = obj.spec.metadata.clone().unwrap_or_default();
    let mut annotations = meta.annotations.unwrap_or_default();
    if let Some(uid) = obj.metadata.uid.clone() {
        annotations.insert(OWNER_UID_ANNOTATION.to_owned(), uid);
    }
    Savepoint {
        api_version: Some(API_VERSION_V1.to_owned()),
        kind: Some("Savepoint".to_owned()),
        metadata: Some(SavepointMetadata {
            namespace: Some(ns.to_owned()),
            deployment_id: Some(deployment_id.to_owned()),
            annotations: Some(annotations).filter(|a| !a.is_empty()),
            ..SavepointMetadata::default()
        }),
        spec: obj.spec.spec.as_ref().map(|s| ApiSavepointSpec {
            savepoint_location: Some(s.savepoint_location.clone()),
            flink_savepoint_id: Some(s.flink_savepoint_id.clone()).filter(|s| !s.is_empty()),
        }),
        status: None,
    }
}

/// A savepoint of `deployment` that an earlier reconcile already requested for `obj` (found by
/// [`OWNER_UID_ANNOTATION`]) but whose id never reached the status.
async fn requested_before(
    ctx: &Context,
    obj: &VpSavepoint,
    ns: &str,
    deployment: &str,
    token: &ApiToken,
) -> Result<Option<Savepoint>, Error> {
    let Some(uid) = obj.metadata.uid.as_deref() else {
        return Ok(None);
    };
    let listed = ctx.vvp.list_savepoints(ns, deployment, token).await?;
    Ok(listed.into_iter().find(|sp| {
        sp.metadata
            .as_ref()
            .and_then(|m| m.annotations.as_ref())
            .and_then(|a| a.get(OWNER_UID_ANNOTATION))
            .is_some_and(|v| v == uid)
    }))
}

fn state_of(sp: &Savepoint) -> Option<SavepointState> {
    match sp.status.as_ref()?.state? {
        api::SavepointState::Started => Some(SavepointState::Started),
        api::SavepointState::Completed => Some(SavepointState::Completed),
        api::SavepointState::Failed => Some(SavepointState::Failed),
        api::SavepointState::Unrecognized => None,
    }
}

async fn apply(obj: Arc<VpSavepoint>, ctx: Arc<Context>) -> Result<Action, Error> {
    let ns = ctx.vvp_namespace(requested_namespace(&obj))?;
    let result = apply_in(&obj, &ctx, ns).await;
    ctx.check_token(ns, result).await
}

async fn apply_in(obj: &Arc<VpSavepoint>, ctx: &Arc<Context>, ns: &str) -> Result<Action, Error> {
    let (obj, ctx) = (obj.clone(), ctx.clone());
    let token = ctx.tokens.token(&ctx, ns).await?;
    let known_id = obj
        .status
        .as_ref()
        .and_then(|s| s.savepoint_id.clone())
        .filter(|s| !s.is_empty());
    let existing = match known_id {
        Some(id) => match ctx.vvp.get_savepoint(ns, &id, &token).await {
            Ok(sp) => Some(sp),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let sp = match existing {
        Some(sp) => sp,
        None => {
            let deployment = deployment_id(&ctx, &obj, ns, &token).await?;
            match requested_before(&ctx, &obj, ns, &deployment, &token).await? {
                Some(sp) => sp,
                None => {
                    ctx.vvp
                        .create_savepoint(ns, &desired(&obj, ns, &deployment), &token)
                        .await?
                }
            }
        }
    };
    let state = state_of(&sp);
    let meta = sp.metadata.clone().unwrap_or_default();
    let failure = sp.status.as_ref().and_then(|s| s.failure.as_ref());
    let status = VpSavepointStatus {
        state,
        failure: failure.map(|f| SavepointFailure {
            failed_at: f.failed_at.clone(),
            message: f.message.clone(),
            reason: f.reason.clone(),
        }),
        savepoint_id: meta.id.clone(),
        deployment_id: meta.deployment_id.clone(),
        job_id: meta.job_id.clone(),
        observed_generation: None,
        conditions: None,
    };
    let (ready, action) = match state {
        Some(SavepointState::Completed) => (
            Ready::yes(
                "Completed",
                format!("savepoint {} completed", obj.name_any()),
            ),
            Action::await_change(),
        ),
        Some(SavepointState::Failed) => (
            Ready::failed(
                "Failed",
                failure
                    .and_then(|f| f.message.clone())
                    .unwrap_or_else(|| "VVP reports the savepoint FAILED".into()),
            ),
            Action::await_change(),
        ),
        _ => (
            Ready::waiting("Started", "VVP is taking the savepoint"),
            ctx.requeue(),
        ),
    };
    let value = serde_json::to_value(&status)
        .map_err(|e| Error::InvalidSpec(format!("cannot encode status: {e}")))?;
    status::update(&ctx, &*obj, value, &ready).await?;
    Ok(action)
}
