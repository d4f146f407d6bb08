//! VpNamespace (Enterprise only) against the Platform API: create when absent, PUT the role
//! bindings only when they differ, report the lifecycle phase; on deletion DELETE and wait
//! (finalizer kept) while VVP says TERMINATING, then drop rudder's token Secret of it.

use std::sync::Arc;
use std::time::Duration;

use kube::ResourceExt;
use kube::runtime::controller::Action;
use serde_json::json;

use super::status::{self, Ready};
use super::{Context, Error, reconcile_with_finalizer};
use crate::vvp::api::{LifecyclePhase, NAMESPACE_NAME_PREFIX, Namespace, RoleBinding};
use crate::vvp::crd::VpNamespace;
use crate::vvp::crd::namespace::NamespaceLifecyclePhase;

/// Reconciles one VpNamespace.
pub async fn reconcile(obj: Arc<VpNamespace>, ctx: Arc<Context>) -> Result<Action, Error> {
    reconcile_with_finalizer(obj, ctx, apply, cleanup).await
}

/// The Platform API body for `obj`.
pub fn desired(obj: &VpNamespace) -> Namespace {
    Namespace {
        name: Some(format!("{NAMESPACE_NAME_PREFIX}{}", obj.name_any())),
        role_bindings: Some(role_bindings(obj)),
        ..Namespace::default()
    }
}

fn role_bindings(obj: &VpNamespace) -> Vec<RoleBinding> {
    obj.spec
        .role_bindings
        .iter()
        .flatten()
        .map(|b| RoleBinding {
            members: b.members.clone(),
            role: b.role.clone(),
        })
        .collect()
}

/// Role bindings compared as VVP treats them: order of bindings and members does not matter,
/// absent lists equal empty ones.
pub fn same_bindings(a: &[RoleBinding], b: &[RoleBinding]) -> bool {
    normalise(a) == normalise(b)
}

fn normalise(bindings: &[RoleBinding]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = bindings
        .iter()
        .map(|b| {
            let mut members = b.members.clone().unwrap_or_default();
            members.sort();
            (b.role.clone().unwrap_or_default(), members)
        })
        .collect();
    out.sort();
    out
}

async fn apply(obj: Arc<VpNamespace>, ctx: Arc<Context>) -> Result<Action, Error> {
    let name = obj.name_any();
    let want = desired(&obj);
    let current = match ctx.vvp.get_namespace(&name, None).await {
        Ok(ns) => Some(ns),
        Err(e) if e.is_not_found() => None,
        Err(e) => return Err(e.into()),
    };
    let ns = match current {
        None => ctx.vvp.create_namespace(&want, None).await?,
        Some(ns)
            if !same_bindings(
                ns.role_bindings.as_deref().unwrap_or_default(),
                want.role_bindings.as_deref().unwrap_or_default(),
            ) =>
        {
            ctx.vvp.update_namespace(&name, &want, None).await?
        }
        Some(ns) => ns,
    };
    let phase = ns.lifecycle_phase.map(crd_phase);
    let ready = match phase {
        Some(NamespaceLifecyclePhase::Active) => {
            Ready::yes("Active", "the VVP namespace is active")
        }
        Some(NamespaceLifecyclePhase::Terminating) => {
            Ready::failed("Terminating", "VVP is deleting the namespace")
        }
        _ => Ready::waiting("UnknownPhase", "VVP reports no usable lifecycle phase"),
    };
    status::update(&ctx, &*obj, json!({ "lifecyclePhase": phase }), &ready).await?;
    Ok(ctx.requeue())
}

async fn cleanup(obj: Arc<VpNamespace>, ctx: Arc<Context>) -> Result<Action, Error> {
    let name = obj.name_any();
    match ctx.vvp.delete_namespace(&name, None).await {
        Ok(ns) if ns.lifecycle_phase == Some(LifecyclePhase::Terminating) => {
            status::update(
                &ctx,
                &*obj,
                json!({ "lifecyclePhase": NamespaceLifecyclePhase::Terminating }),
                &Ready::waiting("Terminating", "VVP is deleting the namespace"),
            )
            .await?;
            Err(Error::Pending {
                reason: "Terminating",
                message: format!("VVP namespace {name} is terminating"),
                retry_after: ctx.config.requeue_interval.min(Duration::from_secs(5)),
            })
        }
        Ok(_) => Err(Error::Pending {
            reason: "Deleting",
            message: format!("VVP namespace {name} is being deleted"),
            retry_after: ctx.config.requeue_interval.min(Duration::from_secs(5)),
        }),
        Err(e) if e.is_not_found() => {
            ctx.tokens.forget(&ctx, &name).await?;
            Ok(Action::await_change())
        }
        Err(e) => Err(e.into()),
    }
}

fn crd_phase(phase: LifecyclePhase) -> NamespaceLifecyclePhase {
    match phase {
        LifecyclePhase::Invalid => NamespaceLifecyclePhase::Invalid,
        LifecyclePhase::Active => NamespaceLifecyclePhase::Active,
        LifecyclePhase::Terminating => NamespaceLifecyclePhase::Terminating,
        LifecyclePhase::Unrecognized => NamespaceLifecyclePhase::Unrecognized,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rb(role: &str, members: &[&str]) -> RoleBinding {
        RoleBinding {
            role: Some(role.into()),
            members: Some(members.iter().map(|m| m.to_string()).collect()),
        }
    }

    #[test]
    fn bindings_compare_without_order() {
        let a = [rb("owner", &["a", "b"]), rb("viewer", &["c"])];
        let b = [rb("viewer", &["c"]), rb("owner", &["b", "a"])];
        assert!(same_bindings(&a, &b));
        assert!(!same_bindings(&a, &[rb("owner", &["a"])]));
        assert!(same_bindings(&[], &[]));
    }
}
