//! VpDeployment against the Application Manager API.
//!
//! Apply: resolve the target id (every time, so a changed `deploymentTargetName` is honoured),
//! find the VVP deployment (by the id in status, else by name: adoption), create it when
//! absent, PATCH only when the desired spec/labels/annotations are not already what VVP has
//! (with VVP's `resourceVersion`, so a concurrent change gets 409 and a retry), mirror VVP's
//! state into status, publish new VVP events as Kubernetes Events, and requeue after the
//! interval (no pollers).
//!
//! Cleanup: PATCH desired state CANCELLED, wait until VVP reports CANCELLED, then DELETE; the
//! finalizer stays until the DELETE succeeded (or VVP says the deployment is gone).

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use k8s_openapi::api::events::v1::Event as K8sEvent;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, Time};
use kube::api::{Api, ObjectMeta, PostParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use serde_json::Value;

use super::status::{self, Ready, truncate};
use super::{Context, Error, reconcile_with_finalizer};
use crate::vvp::api::{
    self, API_VERSION_V1, Deployment, DeploymentMetadata, DeploymentSpec, Event,
};
use crate::vvp::client::ApiToken;
use crate::vvp::crd::VpDeployment;
use crate::vvp::crd::deployment::{
    DeploymentState, RunningCondition, RunningStatus, VpDeploymentStatus,
};

/// Annotation prefix of the Kubernetes Events made from VVP events.
const ANNOTATION_PREFIX: &str = "ververicaplatform.fintechstudios.com/";

/// Reconciles one VpDeployment.
pub async fn reconcile(obj: Arc<VpDeployment>, ctx: Arc<Context>) -> Result<Action, Error> {
    reconcile_with_finalizer(obj, ctx, apply, cleanup).await
}

// ----- desired state -------------------------------------------------------------------------

/// CPU cores from a Kubernetes quantity string (`"1.5"`, `"500m"`, `"2"`).
pub fn parse_cpu(quantity: &str) -> Option<f64> {
    let q = quantity.trim();
    let (number, scale) = match q.strip_suffix('m') {
        Some(n) => (n, 1000.0),
        None => (q, 1.0),
    };
    number
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v / scale)
}

/// The VVP deployment spec for `obj`, with `deploymentTargetId` set and CPU quantities as
/// numbers. Pod fields keep their full Kubernetes shape (the original operator dropped
/// `PodSecurityContext`-only fields).
pub fn desired_spec(obj: &VpDeployment, target_id: &str) -> Result<DeploymentSpec, Error> {
    let mut value = serde_json::to_value(&obj.spec.spec)
        .map_err(|e| Error::InvalidSpec(format!("cannot encode spec.spec: {e}")))?;
    value["deploymentTargetId"] = Value::String(target_id.to_owned());
    if let Some(resources) = value
        .pointer_mut("/template/spec/resources")
        .and_then(Value::as_object_mut)
    {
        for (component, r) in resources.iter_mut() {
            let Some(cpu) = r.get_mut("cpu") else {
                continue;
            };
            let text = cpu.as_str().unwrap_or_default().to_owned();
            let cores = parse_cpu(&text).ok_or_else(|| {
                Error::InvalidSpec(format!(
                    "resources.{component}.cpu {text:?} is not a CPU quantity"
                ))
            })?;
            *cpu = serde_json::json!(cores);
        }
    }
    serde_json::from_value(value)
        .map_err(|e| Error::InvalidSpec(format!("spec.spec does not fit VVP 2.1: {e}")))
}

/// The VVP deployment to create for `obj` in `ns`.
pub fn desired(obj: &VpDeployment, ns: &str, target_id: &str) -> Result<Deployment, Error> {
    Ok(Deployment {
        api_version: Some(API_VERSION_V1.to_owned()),
        kind: Some("Deployment".to_owned()),
        metadata: Some(DeploymentMetadata {
            name: Some(obj.name_any()),
            namespace: Some(ns.to_owned()),
            labels: obj.spec.metadata.labels.clone(),
            annotations: obj.spec.metadata.annotations.clone(),
            ..DeploymentMetadata::default()
        }),
        spec: Some(desired_spec(obj, target_id)?),
        status: None,
    })
}

/// True when everything `want` says is already in `have` (fields VVP added or defaulted are
/// ignored; numbers compare by value).
pub fn is_subset(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::Null, _) => true,
        (Value::Object(w), Value::Object(h)) => w
            .iter()
            .all(|(k, v)| is_subset(v, h.get(k).unwrap_or(&Value::Null))),
        (Value::Object(w), Value::Null) => w.values().all(Value::is_null),
        (Value::Array(w), Value::Array(h)) => {
            w.len() == h.len() && w.iter().zip(h).all(|(a, b)| is_subset(a, b))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => want == have,
    }
}

/// The merge patch that brings `current` to `want`, or `None` when nothing differs. It
/// carries VVP's `resourceVersion` for optimistic concurrency.
pub fn patch_for(want: &Deployment, current: &Deployment) -> Option<Deployment> {
    let want_spec = serde_json::to_value(&want.spec).unwrap_or(Value::Null);
    let have_spec = serde_json::to_value(&current.spec).unwrap_or(Value::Null);
    let want_meta = want.metadata.clone().unwrap_or_default();
    let have_meta = current.metadata.clone().unwrap_or_default();
    let labels_ok = is_subset(
        &serde_json::to_value(&want_meta.labels).unwrap_or(Value::Null),
        &serde_json::to_value(&have_meta.labels).unwrap_or(Value::Null),
    );
    let annotations_ok = is_subset(
        &serde_json::to_value(&want_meta.annotations).unwrap_or(Value::Null),
        &serde_json::to_value(&have_meta.annotations).unwrap_or(Value::Null),
    );
    if is_subset(&want_spec, &have_spec) && labels_ok && annotations_ok {
        return None;
    }
    Some(Deployment {
        metadata: Some(DeploymentMetadata {
            resource_version: have_meta.resource_version,
            labels: want_meta.labels,
            annotations: want_meta.annotations,
            ..DeploymentMetadata::default()
        }),
        spec: want.spec.clone(),
        ..Deployment::default()
    })
}

// ----- observed state ------------------------------------------------------------------------

fn observed_state(d: &Deployment) -> Option<api::DeploymentState> {
    d.status.as_ref().and_then(|s| s.state)
}

fn crd_state(state: api::DeploymentState) -> Option<DeploymentState> {
    Some(match state {
        api::DeploymentState::Running => DeploymentState::Running,
        api::DeploymentState::Suspended => DeploymentState::Suspended,
        api::DeploymentState::Cancelled => DeploymentState::Cancelled,
        api::DeploymentState::Transitioning => DeploymentState::Transitioning,
        api::DeploymentState::Failed => DeploymentState::Failed,
        api::DeploymentState::Finished => DeploymentState::Finished,
        api::DeploymentState::Unrecognized => return None,
    })
}

fn parse_time(text: Option<&str>) -> Option<Time> {
    text?.parse::<Timestamp>().ok().map(Time)
}

fn running_status(d: &Deployment) -> Option<RunningStatus> {
    let running = d.status.as_ref()?.running.as_ref()?;
    Some(RunningStatus {
        job_id: running.job_id.clone()?,
        transition_time: parse_time(running.transition_time.as_deref()),
        conditions: running.conditions.as_ref().map(|cs| {
            cs.iter()
                .map(|c| RunningCondition {
                    type_: c.type_.clone().unwrap_or_default(),
                    status: c.status.clone().unwrap_or_default(),
                    message: c.message.clone().unwrap_or_default(),
                    reason: c.reason.clone().unwrap_or_default(),
                    last_transition_time: parse_time(c.last_transition_time.as_deref()),
                    last_update_time: parse_time(c.last_update_time.as_deref()),
                })
                .collect()
        }),
    })
}

/// What `Ready` says for desired state `desired` and VVP's observed state.
pub fn readiness(desired: DeploymentState, observed: Option<DeploymentState>) -> Ready {
    match observed {
        Some(o) if o == desired => Ready::yes(state_word(o), format!("VVP reports {o:?}")),
        Some(DeploymentState::Finished) if desired == DeploymentState::Running => {
            Ready::yes("Finished", "the job completed")
        }
        Some(DeploymentState::Failed) => Ready::failed("Failed", "VVP reports FAILED"),
        Some(DeploymentState::Transitioning) => Ready::waiting(
            "Transitioning",
            format!("VVP is transitioning to {desired:?}"),
        ),
        Some(o) => Ready::waiting("Pending", format!("VVP reports {o:?}, desired {desired:?}")),
        None => Ready::waiting("Unknown", "VVP reports no state"),
    }
}

fn state_word(state: DeploymentState) -> &'static str {
    match state {
        DeploymentState::Cancelled => "Cancelled",
        DeploymentState::Running => "Running",
        DeploymentState::Transitioning => "Transitioning",
        DeploymentState::Suspended => "Suspended",
        DeploymentState::Failed => "Failed",
        DeploymentState::Finished => "Finished",
    }
}

// ----- events --------------------------------------------------------------------------------

/// The high-water mark of published VVP events: the newest `createdAt` and the ids at it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventMark {
    /// RFC 3339 `createdAt` of the newest published event.
    pub time: String,
    /// Ids of the published events with exactly that time.
    pub ids: Vec<String>,
}

fn event_key(e: &Event) -> Option<(Timestamp, &str)> {
    let meta = e.metadata.as_ref()?;
    let time = meta.created_at.as_deref()?.parse::<Timestamp>().ok()?;
    Some((time, meta.id.as_deref()?))
}

/// The events to publish and the new mark. New are events after the mark, or at its time
/// with an id not yet published. Without a mark (first sight) only the newest event is
/// published, so an existing history is not replayed.
pub fn select_new<'a>(
    events: &'a [Event],
    mark: Option<&EventMark>,
) -> (Vec<&'a Event>, Option<EventMark>) {
    let mut keyed: Vec<((Timestamp, &str), &Event)> = events
        .iter()
        .filter_map(|e| event_key(e).map(|k| (k, e)))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mark_time = mark.and_then(|m| m.time.parse::<Timestamp>().ok());
    let fresh: Vec<((Timestamp, &str), &Event)> = match (mark, mark_time) {
        (Some(m), Some(t)) => keyed
            .iter()
            .filter(|((time, id), _)| *time > t || (*time == t && !m.ids.iter().any(|x| x == id)))
            .copied()
            .collect(),
        _ => keyed.last().copied().into_iter().collect(),
    };
    let Some(newest) = fresh.iter().map(|((t, _), _)| *t).max() else {
        return (Vec::new(), mark.cloned());
    };
    let ids = keyed
        .iter()
        .filter(|((t, _), _)| *t == newest)
        .map(|((_, id), _)| (*id).to_owned())
        .collect();
    let new_mark = EventMark {
        time: fresh
            .iter()
            .find(|((t, _), _)| *t == newest)
            .and_then(|(_, e)| e.metadata.as_ref()?.created_at.clone())
            .unwrap_or_default(),
        ids,
    };
    (fresh.into_iter().map(|(_, e)| e).collect(), Some(new_mark))
}

/// Warning for VVP events that report trouble, Normal otherwise.
pub fn event_type(name: &str) -> &'static str {
    const TROUBLE: &[&str] = &[
        "FAIL",
        "TOO_MANY",
        "EXCEEDED",
        "DOES_NOT_EXIST",
        "UNRECOVERABLE",
        "UN_RECOVERABLE",
        "MISSING",
        "COULD_NOT",
        "NOT_CONFIGURED",
    ];
    if TROUBLE.iter().any(|t| name.contains(t)) {
        "Warning"
    } else {
        "Normal"
    }
}

/// A DNS-subdomain Event name derived from the object and VVP event id, so publishing the
/// same VVP event twice hits AlreadyExists instead of duplicating it.
pub fn event_name(object: &str, vvp_id: &str) -> String {
    let id: String = vvp_id
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let suffix = format!(".vvp-{id}");
    let keep = 253usize.saturating_sub(suffix.len()).min(object.len());
    format!("{}{suffix}", &object[..keep])
}

async fn publish_vvp_events(
    ctx: &Context,
    obj: &VpDeployment,
    events: &[&Event],
    ns: &str,
) -> Result<(), Error> {
    let k8s_ns = obj.namespace().unwrap_or_default();
    let api: Api<K8sEvent> = Api::namespaced(ctx.client.clone(), &k8s_ns);
    for event in events {
        let meta = event.metadata.clone().unwrap_or_default();
        let (Some(id), Some(created)) = (meta.id.clone(), meta.created_at.as_deref()) else {
            continue;
        };
        let Ok(time) = created.parse::<Timestamp>() else {
            continue;
        };
        let reason = meta.name.clone().unwrap_or_else(|| "VvpEvent".to_owned());
        let message = event
            .spec
            .as_ref()
            .and_then(|s| s.message.clone())
            .unwrap_or_default();
        let mut annotations = BTreeMap::from([
            (format!("{ANNOTATION_PREFIX}id"), id.clone()),
            (format!("{ANNOTATION_PREFIX}namespace"), ns.to_owned()),
        ]);
        if let Some(d) = meta.deployment_id.clone() {
            annotations.insert(format!("{ANNOTATION_PREFIX}deployment-id"), d);
        }
        if let Some(j) = meta.job_id.clone() {
            annotations.insert(format!("{ANNOTATION_PREFIX}job-id"), j);
        }
        let k8s_event = K8sEvent {
            metadata: ObjectMeta {
                name: Some(event_name(&obj.name_any(), &id)),
                namespace: Some(k8s_ns.clone()),
                annotations: Some(annotations),
                ..ObjectMeta::default()
            },
            event_time: Some(MicroTime(time)),
            type_: Some(event_type(&reason).to_owned()),
            reason: Some(truncate(&reason, 128)),
            note: Some(truncate(&message, 1024)),
            action: Some("VvpEvent".to_owned()),
            reporting_controller: Some("rudder.dev/vvp".to_owned()),
            reporting_instance: Some("rudder".to_owned()),
            regarding: Some(obj.object_ref(&())),
            ..K8sEvent::default()
        };
        match api.create(&PostParams::default(), &k8s_event).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 409 => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

// ----- apply and cleanup ---------------------------------------------------------------------

fn status_deployment_id(obj: &VpDeployment) -> Option<&str> {
    obj.status
        .as_ref()
        .and_then(|s| s.deployment_id.as_deref())
        .filter(|s| !s.is_empty())
}

/// The VVP deployment of `obj`: by the id in status, else by name (adoption).
async fn find_current(
    ctx: &Context,
    obj: &VpDeployment,
    ns: &str,
    token: &ApiToken,
) -> Result<Option<Deployment>, Error> {
    if let Some(id) = status_deployment_id(obj) {
        match ctx.vvp.get_deployment(ns, id, token).await {
            Ok(d) => return Ok(Some(d)),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(ctx
        .vvp
        .find_deployment_by_name(ns, &obj.name_any(), token)
        .await?)
}

async fn target_id(
    ctx: &Context,
    obj: &VpDeployment,
    ns: &str,
    token: &ApiToken,
) -> Result<String, Error> {
    if let Some(id) = obj
        .spec
        .spec
        .deployment_target_id
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        return Ok(id.to_owned());
    }
    let Some(name) = obj
        .spec
        .deployment_target_name
        .as_deref()
        .filter(|s| !s.is_empty())
    else {
        return Err(Error::InvalidSpec(
            "neither spec.spec.deploymentTargetId nor spec.deploymentTargetName is set".into(),
        ));
    };
    match ctx.vvp.get_deployment_target(ns, name, token).await {
        Ok(t) => t.metadata.and_then(|m| m.id).ok_or_else(|| Error::Pending {
            reason: "DeploymentTargetNotFound",
            message: format!("VVP deployment target {ns}/{name} has no id yet"),
            retry_after: ctx.config.requeue_interval,
        }),
        Err(e) if e.is_not_found() => Err(Error::Pending {
            reason: "DeploymentTargetNotFound",
            message: format!("VVP deployment target {ns}/{name} does not exist (yet)"),
            retry_after: ctx.config.requeue_interval,
        }),
        Err(e) => Err(e.into()),
    }
}

fn current_mark(obj: &VpDeployment) -> Option<EventMark> {
    let s = obj.status.as_ref()?;
    Some(EventMark {
        time: s.last_event_time.clone()?,
        ids: s.last_event_ids.clone().unwrap_or_default(),
    })
}

async fn apply(obj: Arc<VpDeployment>, ctx: Arc<Context>) -> Result<Action, Error> {
    let ns = ctx.vvp_namespace(obj.spec.metadata.namespace.as_deref())?;
    let result = apply_in(&obj, &ctx, ns).await;
    ctx.check_token(ns, result).await
}

async fn apply_in(obj: &Arc<VpDeployment>, ctx: &Arc<Context>, ns: &str) -> Result<Action, Error> {
    let (obj, ctx) = (obj.clone(), ctx.clone());
    let token = ctx.tokens.token(&ctx, ns).await?;
    let target = target_id(&ctx, &obj, ns, &token).await?;
    let want = desired(&obj, ns, &target)?;
    let vvp = match find_current(&ctx, &obj, ns, &token).await? {
        None => ctx.vvp.create_deployment(ns, &want, &token).await?,
        Some(current) => match patch_for(&want, &current) {
            None => current,
            Some(patch) => {
                let id = current
                    .metadata
                    .as_ref()
                    .and_then(|m| m.id.clone())
                    .unwrap_or_default();
                ctx.vvp.patch_deployment(ns, &id, &patch, &token).await?
            }
        },
    };
    let meta = vvp.metadata.clone().unwrap_or_default();
    let mut mark = current_mark(&obj);
    if let Some(id) = meta.id.as_deref() {
        let events = ctx.vvp.list_events(ns, id, &token).await?;
        let (fresh, new_mark) = select_new(&events, mark.as_ref());
        publish_vvp_events(&ctx, &obj, &fresh, ns).await?;
        mark = new_mark;
    }
    let observed = observed_state(&vvp).and_then(crd_state);
    let status = VpDeploymentStatus {
        state: observed,
        running: running_status(&vvp),
        deployment_id: meta.id.clone(),
        deployment_target_id: vvp
            .spec
            .as_ref()
            .and_then(|s| s.deployment_target_id.clone()),
        resource_version: meta.resource_version,
        last_event_time: mark.as_ref().map(|m| m.time.clone()),
        last_event_ids: mark.map(|m| m.ids),
        observed_generation: None,
        conditions: None,
    };
    let value = serde_json::to_value(&status)
        .map_err(|e| Error::InvalidSpec(format!("cannot encode status: {e}")))?;
    status::update(
        &ctx,
        &*obj,
        value,
        &readiness(obj.spec.spec.state, observed),
    )
    .await?;
    Ok(ctx.requeue())
}

async fn cleanup(obj: Arc<VpDeployment>, ctx: Arc<Context>) -> Result<Action, Error> {
    let Some((ns, token)) = ctx
        .cleanup_scope(obj.spec.metadata.namespace.as_deref())
        .await?
    else {
        return Ok(Action::await_change());
    };
    let result = cleanup_in(&obj, &ctx, ns, &token).await;
    ctx.check_token(ns, result).await
}

async fn cleanup_in(
    obj: &VpDeployment,
    ctx: &Context,
    ns: &str,
    token: &ApiToken,
) -> Result<Action, Error> {
    let current = match find_current(ctx, obj, ns, token).await {
        Ok(c) => c,
        Err(e) if e.is_vvp_not_found() => None,
        Err(e) => return Err(e),
    };
    let Some(current) = current else {
        return Ok(Action::await_change());
    };
    let meta = current.metadata.clone().unwrap_or_default();
    let id = meta.id.clone().unwrap_or_default();
    let desired_state = current.spec.as_ref().and_then(|s| s.state);
    let cancelling = |message: String| Error::Pending {
        reason: "Cancelling",
        message,
        retry_after: ctx.config.requeue_interval,
    };
    if desired_state != Some(api::DeploymentState::Cancelled) {
        let patch = Deployment {
            metadata: Some(DeploymentMetadata {
                resource_version: meta.resource_version,
                ..DeploymentMetadata::default()
            }),
            spec: Some(DeploymentSpec {
                state: Some(api::DeploymentState::Cancelled),
                ..DeploymentSpec::default()
            }),
            ..Deployment::default()
        };
        ctx.vvp.patch_deployment(ns, &id, &patch, token).await?;
        return Err(cancelling(format!(
            "cancelling VVP deployment {ns}/{id} before deleting it"
        )));
    }
    if observed_state(&current) != Some(api::DeploymentState::Cancelled) {
        return Err(cancelling(format!(
            "waiting for VVP deployment {ns}/{id} to reach CANCELLED (now {:?})",
            observed_state(&current)
        )));
    }
    match ctx.vvp.delete_deployment(ns, &id, token).await {
        Ok(_) => Ok(Action::await_change()),
        Err(e) if e.is_not_found() => Ok(Action::await_change()),
        Err(e) if e.is_conflict() => Err(cancelling(format!(
            "VVP refused to delete deployment {ns}/{id} yet: {e}"
        ))),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(id: &str, at: &str, name: &str) -> Event {
        serde_json::from_value(json!({
            "metadata": {"id": id, "createdAt": at, "name": name},
            "spec": {"message": "100% done"}
        }))
        .unwrap()
    }

    fn ids(events: &[&Event]) -> Vec<String> {
        events
            .iter()
            .map(|e| e.metadata.as_ref().unwrap().id.clone().unwrap())
            .collect()
    }

    #[test]
    fn cpu_quantities() {
        assert_eq!(parse_cpu("1.5"), Some(1.5));
        assert_eq!(parse_cpu("500m"), Some(0.5));
        assert_eq!(parse_cpu("2"), Some(2.0));
        assert_eq!(parse_cpu("lots"), None);
        assert_eq!(parse_cpu("-1"), None);
    }

    #[test]
    fn first_sight_publishes_only_the_newest() {
        let evs = [
            event("a", "2024-01-01T00:00:00.001Z", "X"),
            event("b", "2024-01-01T00:00:00.002Z", "Y"),
        ];
        let (fresh, mark) = select_new(&evs, None);
        assert_eq!(ids(&fresh), ["b"]);
        let mark = mark.unwrap();
        assert_eq!(mark.ids, ["b"]);
        let (again, same) = select_new(&evs, Some(&mark));
        assert!(again.is_empty());
        assert_eq!(same, Some(mark));
    }

    #[test]
    fn ties_are_deduplicated_by_id() {
        let t = "2024-01-01T00:00:01Z";
        let mark = EventMark {
            time: t.into(),
            ids: vec!["a".into()],
        };
        let evs = [
            event("a", t, "X"),
            event("b", t, "Y"),
            event("c", "2024-01-01T00:00:02Z", "Z"),
        ];
        let (fresh, new_mark) = select_new(&evs, Some(&mark));
        assert_eq!(ids(&fresh), ["b", "c"]);
        assert_eq!(new_mark.unwrap().ids, ["c"]);
        let (none, _) = select_new(&[], Some(&mark));
        assert!(none.is_empty());
    }

    #[test]
    fn subset_ignores_server_added_fields() {
        let want = json!({"state": "RUNNING", "template": {"spec": {"parallelism": 2}}});
        let have =
            json!({"state": "RUNNING", "template": {"spec": {"parallelism": 2.0, "extra": 1}}});
        assert!(is_subset(&want, &have));
        let changed = json!({"state": "RUNNING", "template": {"spec": {"parallelism": 3}}});
        assert!(!is_subset(&changed, &have));
    }

    #[test]
    fn patch_only_on_difference_and_with_resource_version() {
        let want: Deployment = serde_json::from_value(json!({
            "metadata": {"name": "app", "labels": {"team": "a"}},
            "spec": {"state": "RUNNING", "template": {"spec": {"parallelism": 2}}}
        }))
        .unwrap();
        let mut current: Deployment = serde_json::from_value(json!({
            "metadata": {"id": "x", "name": "app", "resourceVersion": 7, "labels": {"team": "a", "extra": "b"}},
            "spec": {"state": "RUNNING", "deploymentTargetId": "t", "template": {"spec": {"parallelism": 2}}},
            "status": {"state": "RUNNING"}
        }))
        .unwrap();
        assert!(patch_for(&want, &current).is_none());
        current.spec.as_mut().unwrap().state = Some(api::DeploymentState::Cancelled);
        let patch = serde_json::to_value(patch_for(&want, &current).unwrap()).unwrap();
        assert_eq!(patch["metadata"]["resourceVersion"], 7);
        assert_eq!(patch["spec"]["state"], "RUNNING");
        assert!(patch.get("status").is_none());
        assert!(patch["metadata"].get("createdAt").is_none());
    }

    #[test]
    fn event_names_are_dns_subdomains() {
        assert_eq!(event_name("dep", "ABC_1"), "dep.vvp-abc-1");
        let long = "x".repeat(300);
        assert!(event_name(&long, "id").len() <= 253);
    }

    #[test]
    fn trouble_events_are_warnings() {
        assert_eq!(event_type("FAILED_CREATING_A_NEW_JOB"), "Warning");
        assert_eq!(event_type("JOB_SUCCESSFULLY_STARTED"), "Normal");
    }

    #[test]
    fn readiness_follows_desired_state() {
        assert!(readiness(DeploymentState::Running, Some(DeploymentState::Running)).ok);
        assert!(readiness(DeploymentState::Running, Some(DeploymentState::Finished)).ok);
        let r = readiness(
            DeploymentState::Running,
            Some(DeploymentState::Transitioning),
        );
        assert!(!r.ok && r.reason == "Transitioning");
        assert!(readiness(DeploymentState::Running, Some(DeploymentState::Failed)).warning);
    }
}
