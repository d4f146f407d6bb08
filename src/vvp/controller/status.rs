//! Writing status (server-side apply, one field manager, only on change), the `Ready`
//! condition, and Kubernetes Events about the objects.

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::ResourceExt;
use kube::api::{Patch, PatchParams};
use kube::runtime::events::{Event, EventType};
use serde_json::{Value, json};

use super::{Context, Error, FIELD_MANAGER, VvpResource, namespaced_api};

/// The condition type every VVP kind carries.
pub const READY: &str = "Ready";

/// What the `Ready` condition should say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ready {
    /// Condition status True/False.
    pub ok: bool,
    /// CamelCase reason.
    pub reason: String,
    /// Human-readable detail.
    pub message: String,
    /// Whether a change to this state is worth a Warning Event (else Normal).
    pub warning: bool,
}

impl Ready {
    /// Ready=True.
    pub fn yes(reason: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            ok: true,
            reason: reason.into(),
            message: message.into(),
            warning: false,
        }
    }

    /// Ready=False, reported with a Normal Event (progress, not trouble).
    pub fn waiting(reason: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            ok: false,
            reason: reason.into(),
            message: message.into(),
            warning: false,
        }
    }

    /// Ready=False, reported with a Warning Event.
    pub fn failed(reason: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            ok: false,
            reason: reason.into(),
            message: message.into(),
            warning: true,
        }
    }
}

/// The `Ready` condition for `ready`, keeping `lastTransitionTime` while the status stays.
pub fn ready_condition(current: &[Condition], ready: &Ready, generation: Option<i64>) -> Condition {
    let status = if ready.ok { "True" } else { "False" };
    let previous = current.iter().find(|c| c.type_ == READY);
    let last_transition_time = match previous {
        Some(p) if p.status == status => p.last_transition_time.clone(),
        _ => Time(Timestamp::now()),
    };
    Condition {
        type_: READY.to_owned(),
        status: status.to_owned(),
        reason: condition_reason(&ready.reason),
        message: truncate(&ready.message, 4096),
        observed_generation: generation,
        last_transition_time,
    }
}

/// A condition reason matching `^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`.
fn condition_reason(reason: &str) -> String {
    let cleaned: String = reason
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if cleaned.starts_with(|c: char| c.is_ascii_alphabetic()) {
        cleaned
    } else {
        format!("R{cleaned}")
    }
}

/// `text` cut to at most `max` bytes on a character boundary.
pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Sets `obj`'s status to `status` (a JSON object of the kind's status fields) plus the
/// `Ready` condition and `observedGeneration`, if that differs from what is there; publishes
/// an Event when `Ready` changes status or reason.
pub async fn update<K: VvpResource>(
    ctx: &Context,
    obj: &K,
    mut status: Value,
    ready: &Ready,
) -> Result<(), Error> {
    let current_conditions = obj.conditions();
    let condition = ready_condition(current_conditions, ready, obj.meta().generation);
    if let Some(map) = status.as_object_mut() {
        map.insert("conditions".into(), json!([condition]));
        map.insert("observedGeneration".into(), json!(obj.meta().generation));
    }
    let current = current_status(obj);
    if current != status {
        apply_status(ctx, obj, &status).await?;
    }
    announce_ready_change(ctx, obj, current_conditions, ready).await;
    Ok(())
}

/// After a failed reconcile: `Ready=False` with the error's category (the rest of the status
/// unchanged), and an Event if that is news. Best effort: failures are logged only.
pub async fn report_failure<K: VvpResource>(obj: &K, ctx: &Context, err: &Error) {
    // The reconcile may have written status before failing: build on the stored object.
    let fresh = namespaced_api::<K>(&ctx.client, obj)
        .get_opt(&obj.name_any())
        .await
        .ok()
        .flatten();
    let Some(obj) = fresh.as_ref() else {
        return;
    };
    let deleting = obj.meta().deletion_timestamp.is_some();
    let message = if deleting {
        format!("deletion waits, the finalizer stays: {err}")
    } else {
        err.to_string()
    };
    let ready = match err {
        Error::Pending { reason, .. } => Ready::waiting(*reason, message),
        _ => Ready::failed(err.category(), message),
    };
    let status = current_status(obj);
    if let Err(e) = update(ctx, obj, status, &ready).await {
        tracing::debug!(error = %e, name = %obj.name_any(), "cannot record the failure in status");
    }
}

async fn announce_ready_change<K: VvpResource>(
    ctx: &Context,
    obj: &K,
    before: &[Condition],
    ready: &Ready,
) {
    let status = if ready.ok { "True" } else { "False" };
    let reason = condition_reason(&ready.reason);
    let unchanged = before
        .iter()
        .any(|c| c.type_ == READY && c.status == status && c.reason == reason);
    if unchanged {
        return;
    }
    let type_ = if ready.warning {
        EventType::Warning
    } else {
        EventType::Normal
    };
    publish(ctx, obj, type_, &reason, &ready.message).await;
}

/// Publishes an Event about `obj` (best effort).
pub async fn publish<K: VvpResource>(
    ctx: &Context,
    obj: &K,
    type_: EventType,
    reason: &str,
    note: &str,
) {
    let event = Event {
        type_,
        reason: truncate(reason, 128),
        note: Some(truncate(note, 1024)),
        action: "Reconcile".into(),
        secondary: None,
    };
    if let Err(e) = ctx.recorder.publish(&event, &obj.object_ref(&())).await {
        tracing::debug!(error = %e, name = %obj.name_any(), "cannot publish event");
    }
}

/// The object's status as JSON (`{}` when absent).
fn current_status<K: VvpResource>(obj: &K) -> Value {
    serde_json::to_value(obj)
        .ok()
        .and_then(|mut v| v.get_mut("status").map(Value::take))
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}))
}

async fn apply_status<K: VvpResource>(ctx: &Context, obj: &K, status: &Value) -> Result<(), Error> {
    let api = namespaced_api::<K>(&ctx.client, obj);
    let patch = json!({
        "apiVersion": K::api_version(&()),
        "kind": K::kind(&()),
        "status": status,
    });
    api.patch_status(
        &obj.name_any(),
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&patch),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transition_time_kept_while_status_stays() {
        let first = ready_condition(&[], &Ready::waiting("Transitioning", "m"), Some(1));
        let mut old = first.clone();
        old.last_transition_time = Time(Timestamp::UNIX_EPOCH);
        let same = ready_condition(&[old.clone()], &Ready::waiting("Other", "m"), Some(2));
        assert_eq!(same.last_transition_time, old.last_transition_time);
        assert_eq!(same.reason, "Other");
        let flipped = ready_condition(&[old.clone()], &Ready::yes("Running", "m"), Some(2));
        assert_ne!(flipped.last_transition_time, old.last_transition_time);
        assert_eq!(flipped.status, "True");
    }

    #[test]
    fn reasons_are_valid_condition_reasons() {
        assert_eq!(condition_reason("ServerError"), "ServerError");
        assert_eq!(condition_reason("9lives"), "R9lives");
        assert_eq!(condition_reason("a-b c"), "abc");
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
