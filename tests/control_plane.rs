//! Proves the test control plane is a real Kubernetes API server: CRDs become Established,
//! server-side apply tracks field ownership and reports conflicts, watches deliver changes, and
//! the controller manager garbage-collects dependents.

mod support;

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{Api, DeleteParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{CustomResource, CustomResourceExt, Resource};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A throwaway kind used only to exercise the API server.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, JsonSchema)]
#[kube(group = "test.rudder.dev", version = "v1", kind = "Widget", namespaced)]
struct WidgetSpec {
    size: Option<i64>,
    color: Option<String>,
}

const TIMEOUT: Duration = Duration::from_secs(30);

async fn install_widget_crd(client: &kube::Client) {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let crd = Widget::crd();
    let name = crd.metadata.name.clone().expect("CRD has a name");
    crds.patch(
        &name,
        &PatchParams::apply("rudder-test"),
        &Patch::Apply(&crd),
    )
    .await
    .expect("apply Widget CRD");
    let established = await_condition(crds, &name, conditions::is_crd_established());
    tokio::time::timeout(TIMEOUT, established)
        .await
        .expect("CRD Established in time")
        .expect("watch CRD");
}

fn widget_patch(name: &str, spec: serde_json::Value) -> serde_json::Value {
    json!({
        "apiVersion": "test.rudder.dev/v1",
        "kind": "Widget",
        "metadata": { "name": name },
        "spec": spec,
    })
}

#[tokio::test]
async fn server_side_apply_conflict_and_watch_on_real_apiserver() {
    let client = support::client().await;
    install_widget_crd(&client).await;
    let ns = support::TestNamespace::create(&client, "ssa").await;
    let widgets: Api<Widget> = Api::namespaced(client.clone(), &ns.name);

    // Watch before changing anything, so the stream must deliver the change to us.
    let mut sizes = watcher(widgets.clone(), watcher::Config::default())
        .applied_objects()
        .map_ok(|w: Widget| w.spec.size)
        .boxed();

    let alice = PatchParams::apply("alice");
    widgets
        .patch(
            "w1",
            &alice,
            &Patch::Apply(widget_patch("w1", json!({"size": 1}))),
        )
        .await
        .expect("alice creates w1");

    // Bob changes a field alice owns, without force: the API server must refuse.
    let bob = PatchParams::apply("bob");
    let err = widgets
        .patch(
            "w1",
            &bob,
            &Patch::Apply(widget_patch("w1", json!({"size": 2}))),
        )
        .await
        .expect_err("conflicting apply must fail");
    match err {
        kube::Error::Api(status) => {
            assert_eq!(status.code, 409, "conflict status: {status:?}");
            assert!(
                status.message.contains("conflict with \"alice\"")
                    && status.message.contains(".spec.size"),
                "conflict message names the owner and field: {}",
                status.message
            );
        }
        other => panic!("expected an API conflict, got {other:?}"),
    }

    // A field bob does not contest is merged without conflict, and bob then owns it.
    widgets
        .patch(
            "w1",
            &bob,
            &Patch::Apply(widget_patch("w1", json!({"color": "red"}))),
        )
        .await
        .expect("bob applies an uncontested field");
    // With force, bob takes ownership of size.
    widgets
        .patch(
            "w1",
            &bob.clone().force(),
            &Patch::Apply(widget_patch("w1", json!({"size": 2, "color": "red"}))),
        )
        .await
        .expect("forced apply succeeds");

    let got = widgets.get("w1").await.expect("get w1");
    assert_eq!(got.spec.size, Some(2));
    assert_eq!(got.spec.color.as_deref(), Some("red"));
    let managers: Vec<String> = got
        .meta()
        .managed_fields
        .iter()
        .flatten()
        .filter_map(|m| m.manager.clone())
        .collect();
    assert!(
        managers.contains(&"bob".to_string()),
        "managers: {managers:?}"
    );

    let seen_two = async {
        while let Some(size) = sizes.try_next().await.expect("watch stream") {
            if size == Some(2) {
                return;
            }
        }
        panic!("watch stream ended");
    };
    tokio::time::timeout(TIMEOUT, seen_two)
        .await
        .expect("watcher delivered the forced change");

    ns.delete().await;
}

#[tokio::test]
async fn controller_manager_collects_garbage() {
    let client = support::client().await;
    let ns = support::TestNamespace::create(&client, "gc").await;
    let maps: Api<ConfigMap> = Api::namespaced(client.clone(), &ns.name);

    let owner = maps
        .create(&PostParams::default(), &config_map("owner", None))
        .await
        .expect("create owner");
    let reference = OwnerReference {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        name: "owner".into(),
        uid: owner.metadata.uid.clone().expect("owner has a uid"),
        ..OwnerReference::default()
    };
    let dependent = maps
        .create(
            &PostParams::default(),
            &config_map("dependent", Some(reference)),
        )
        .await
        .expect("create dependent");
    let dependent_uid = dependent.metadata.uid.expect("dependent has a uid");

    maps.delete("owner", &DeleteParams::default())
        .await
        .expect("delete owner");
    let gone = await_condition(
        maps.clone(),
        "dependent",
        conditions::is_deleted(&dependent_uid),
    );
    tokio::time::timeout(TIMEOUT, gone)
        .await
        .expect("garbage collector removed the dependent in time")
        .expect("watch dependent");
    assert!(maps.get_opt("dependent").await.expect("get").is_none());

    ns.delete().await;
}

fn config_map(name: &str, owner: Option<OwnerReference>) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            owner_references: owner.map(|o| vec![o]),
            ..ObjectMeta::default()
        },
        data: Some([("k".to_string(), "v".to_string())].into()),
        ..ConfigMap::default()
    }
}
