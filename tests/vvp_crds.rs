//! The VVP CRDs on a real API server: they apply and become Established, every sample manifest
//! of the original operator (`../shared/vvp-api/samples/`) applies unchanged and reads back,
//! the printer columns are served, the VVP 2.0-only fields are pruned as documented, and a
//! wrong type is rejected naming the field.

mod support;

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::runtime::wait::{await_condition, conditions};
use rudder::vvp::crd::{self, deployment, deployment_target};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(30);
const MANAGER: &str = "rudder-vvp-crds-test";
const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vvp-api/samples");

async fn install_crds(client: &kube::Client) {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in crd::crds().expect("CRDs build") {
        let name = crd.metadata.name.clone().expect("CRD has a name");
        api.patch(
            &name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(&crd),
        )
        .await
        .unwrap_or_else(|e| panic!("apply CRD {name}: {e}"));
        let established = await_condition(api.clone(), &name, conditions::is_crd_established());
        tokio::time::timeout(TIMEOUT, established)
            .await
            .unwrap_or_else(|_| panic!("CRD {name} Established in time"))
            .expect("watch CRD");
    }
}

/// Every sample file, parsed, in name order.
fn samples() -> Vec<(String, Value)> {
    let mut files: Vec<_> = std::fs::read_dir(SAMPLES)
        .expect("samples dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 7, "the seven samples of BEHAVIOUR.md §5");
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read sample");
            let value: Value = serde_saphyr::from_str(&text).expect("parse sample");
            (p.display().to_string(), value)
        })
        .collect()
}

fn api_for(client: &kube::Client, ns: &str, object: &Value) -> Api<DynamicObject> {
    let api_version = object["apiVersion"].as_str().expect("apiVersion");
    let kind = object["kind"].as_str().expect("kind");
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let gvk = GroupVersionKind::gvk(group, version, kind);
    let plural = format!("{}s", kind.to_ascii_lowercase());
    let resource = ApiResource::from_gvk_with_plural(&gvk, &plural);
    Api::namespaced_with(client.clone(), ns, &resource)
}

/// Applies `object` into `ns` (its own `metadata.namespace` replaced, nothing else changed).
async fn apply(
    client: &kube::Client,
    ns: &str,
    object: &Value,
) -> Result<DynamicObject, kube::Error> {
    let mut object = object.clone();
    object["metadata"]["namespace"] = json!(ns);
    let name = object["metadata"]["name"]
        .as_str()
        .expect("name")
        .to_owned();
    api_for(client, ns, &object)
        .patch(&name, &PatchParams::apply(MANAGER), &Patch::Apply(&object))
        .await
}

/// `expected` is contained in `actual` (objects key by key, everything else equal).
fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| contains(av, v))),
        _ => actual == expected,
    }
}

fn without_key(mut value: Value, path: &[&str]) -> Value {
    let (last, parents) = path.split_last().expect("non-empty path");
    let mut at = &mut value;
    for p in parents {
        at = &mut at[*p];
    }
    if let Some(map) = at.as_object_mut() {
        map.remove(*last);
    }
    value
}

#[tokio::test]
async fn samples_apply_unchanged_and_read_back() {
    let client = support::client().await;
    install_crds(&client).await;
    let ns = support::TestNamespace::create(&client, "vvp-crds").await;

    for (file, sample) in samples() {
        let applied = apply(&client, &ns.name, &sample)
            .await
            .unwrap_or_else(|e| panic!("{file} does not apply: {e}"));
        let name = applied.metadata.name.clone().expect("name");
        let read = api_for(&client, &ns.name, &sample)
            .get(&name)
            .await
            .unwrap_or_else(|e| panic!("{file}: read back: {e}"));
        let read = serde_json::to_value(&read).expect("json");
        // Everything the sample says is kept, except the VVP 2.0-only fields pruned by the
        // v1beta2 storage version (docs/vvp.md).
        let expected = match sample["kind"].as_str() {
            Some("VpDeploymentTarget")
                if sample["apiVersion"]
                    .as_str()
                    .is_some_and(|v| v.ends_with("v1beta1")) =>
            {
                assert!(
                    read["spec"]["spec"].get("deploymentPatchSet").is_none(),
                    "{file}: patch set pruned"
                );
                without_key(sample["spec"].clone(), &["spec", "deploymentPatchSet"])
            }
            _ => sample["spec"].clone(),
        };
        let expected = if expected.is_null() {
            sample["data"].clone()
        } else {
            expected
        };
        let actual = if read["spec"].is_null() {
            read["data"].clone()
        } else {
            read["spec"].clone()
        };
        assert!(
            contains(&actual, &expected),
            "{file}: read back differs\n  sent: {expected}\n  got:  {actual}"
        );
        assert_eq!(read["apiVersion"], sample["apiVersion"], "{file}");
    }

    // Applying a sample with a pruned field again stores the same spec. (The apiserver compares
    // specs in the request version, where the pruned field still exists, so `generation` moves
    // on every such apply; docs/vvp.md says so.)
    let (_, dt_sample) = samples()
        .into_iter()
        .find(|(f, _)| f.ends_with("v1beta1_vpdeploymenttarget.yaml"))
        .expect("v1beta1 target sample");
    let before = api_for(&client, &ns.name, &dt_sample)
        .get("top-speed-v1")
        .await
        .expect("get");
    let again = apply(&client, &ns.name, &dt_sample)
        .await
        .expect("re-apply");
    assert_eq!(again.data["spec"], before.data["spec"]);
    assert!(
        again.data["spec"]["spec"]
            .get("deploymentPatchSet")
            .is_none()
    );

    // The typed v1beta2 view of the v1beta1 samples works (same storage, no webhook).
    let targets: Api<deployment_target::v1beta2::VpDeploymentTarget> =
        Api::namespaced(client.clone(), &ns.name);
    let v1_target = targets
        .get("top-speed-v1")
        .await
        .expect("v1beta1 target as v1beta2");
    assert_eq!(
        v1_target
            .spec
            .spec
            .and_then(|s| s.kubernetes.namespace)
            .as_deref(),
        Some("top-speed")
    );
    let deployments: Api<deployment::v1beta2::VpDeployment> =
        Api::namespaced(client.clone(), &ns.name);
    let v1_deployment = deployments
        .get("top-speed-v1")
        .await
        .expect("v1beta1 deployment as v1beta2");
    assert_eq!(
        v1_deployment.spec.spec.state,
        deployment::DeploymentState::Running
    );

    ns.delete().await;
}

#[tokio::test]
async fn optional_spec_may_be_omitted_as_in_the_originals() {
    let client = support::client().await;
    install_crds(&client).await;
    let ns = support::TestNamespace::create(&client, "vvp-nospec").await;
    for kind in ["VpNamespace", "VpSavepoint", "VpDeploymentTarget"] {
        let object = json!({
            "apiVersion": "ververicaplatform.fintechstudios.com/v1beta1",
            "kind": kind,
            "metadata": {"name": "bare"},
        });
        apply(&client, &ns.name, &object)
            .await
            .unwrap_or_else(|e| panic!("{kind} without spec: {e}"));
    }
    let namespaces: Api<crd::VpNamespace> = Api::namespaced(client.clone(), &ns.name);
    let bare = namespaces.get("bare").await.expect("typed read");
    assert_eq!(bare.spec, crd::VpNamespaceSpec::default());
    let savepoints: Api<crd::VpSavepoint> = Api::namespaced(client.clone(), &ns.name);
    assert!(
        savepoints
            .get("bare")
            .await
            .expect("typed read")
            .spec
            .deployment_name
            .is_none()
    );
    // VpDeployment's spec stays required, as in the original.
    let err = apply(
        &client,
        &ns.name,
        &json!({"apiVersion": "ververicaplatform.fintechstudios.com/v1beta2", "kind": "VpDeployment",
                "metadata": {"name": "bare"}}),
    )
    .await
    .expect_err("VpDeployment needs a spec");
    assert!(err.to_string().contains("spec"), "{err}");
    ns.delete().await;
}

#[tokio::test]
async fn status_subresource_and_printer_columns() {
    let client = support::client().await;
    install_crds(&client).await;
    let ns = support::TestNamespace::create(&client, "vvp-cols").await;
    let sample = samples()
        .into_iter()
        .map(|(_, v)| v)
        .find(|v| {
            v["kind"] == "VpDeployment"
                && v["apiVersion"]
                    .as_str()
                    .is_some_and(|a| a.ends_with("v1beta2"))
        })
        .expect("v1beta2 deployment sample");
    apply(&client, &ns.name, &sample)
        .await
        .expect("apply deployment");

    // Status goes through the subresource, with conditions beside the VVP state.
    let deployments: Api<deployment::v1beta2::VpDeployment> =
        Api::namespaced(client.clone(), &ns.name);
    let status = json!({
        "apiVersion": "ververicaplatform.fintechstudios.com/v1beta2",
        "kind": "VpDeployment",
        "status": {
            "state": "RUNNING",
            "running": {"jobId": "00000000-0000-4000-8000-000000000001", "transitionTime": "2024-01-01T00:00:01Z"},
            "deploymentId": "00000000-0000-4000-8000-000000000002",
            "conditions": [{"type": "Ready", "status": "True", "reason": "Running",
                            "message": "VVP reports RUNNING", "lastTransitionTime": "2024-01-01T00:00:01Z"}]
        }
    });
    deployments
        .patch_status(
            "top-speed-v2",
            &PatchParams::apply(MANAGER),
            &Patch::Apply(&status),
        )
        .await
        .expect("status via subresource");
    let read = deployments.get("top-speed-v2").await.expect("read");
    let st = read.status.expect("status");
    assert_eq!(st.state, Some(deployment::DeploymentState::Running));
    assert_eq!(st.conditions.as_ref().map(Vec::len), Some(1));

    // The table view carries the original columns with their values.
    let request = http::Request::get(format!(
        "/apis/ververicaplatform.fintechstudios.com/v1beta2/namespaces/{}/vpdeployments",
        ns.name
    ))
    .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
    .body(Vec::new())
    .expect("request");
    let table: Value = client.request(request).await.expect("table");
    let columns: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .expect("columns")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        columns,
        [
            "Name",
            "Age",
            "State",
            "Flink-Version",
            "Flink-Image-Tag",
            "Flink-Image-Registry",
            "Flink-Image-Repository"
        ]
    );
    let cells = &table["rows"][0]["cells"];
    assert_eq!(cells[0], "top-speed-v2");
    assert_eq!(cells[2], "RUNNING");
    assert_eq!(cells[3], "1.10");
    assert_eq!(cells[4], "1.10.0-stream1-scala_2.12");
    assert_eq!(cells[5], "registry.platform.data-artisans.net/v2.1");
    assert_eq!(cells[6], "flink");

    ns.delete().await;
}

#[tokio::test]
async fn wrong_types_are_rejected_naming_the_field() {
    let client = support::client().await;
    install_crds(&client).await;
    let ns = support::TestNamespace::create(&client, "vvp-bad").await;
    let sample = samples()
        .into_iter()
        .map(|(_, v)| v)
        .find(|v| {
            v["kind"] == "VpDeployment"
                && v["apiVersion"]
                    .as_str()
                    .is_some_and(|a| a.ends_with("v1beta2"))
        })
        .expect("v1beta2 deployment sample");

    let cases = [
        (
            &["spec", "spec", "template", "spec", "parallelism"][..],
            json!("two"),
            "spec.spec.template.spec.parallelism",
        ),
        (
            &["spec", "spec", "template", "spec", "parallelism"][..],
            json!(0),
            "spec.spec.template.spec.parallelism",
        ),
        (
            &["spec", "spec", "state"][..],
            json!("SLEEPING"),
            "spec.spec.state",
        ),
        (
            &[
                "spec",
                "spec",
                "template",
                "spec",
                "kubernetes",
                "pods",
                "tolerations",
            ][..],
            json!({"key": "x"}),
            "spec.spec.template.spec.kubernetes.pods.tolerations",
        ),
    ];
    for (path, value, field) in cases {
        let mut bad = sample.clone();
        let (last, parents) = path.split_last().expect("path");
        let mut at = &mut bad;
        for p in parents {
            at = &mut at[*p];
        }
        at[*last] = value.clone();
        bad["metadata"]["name"] = json!("bad");
        let err = apply(&client, &ns.name, &bad).await.expect_err("rejected");
        let text = err.to_string();
        assert!(
            text.contains(field),
            "{field} = {value}: error does not name the field: {text}"
        );
    }
    // A missing required field is named too.
    let bad = without_key(
        sample.clone(),
        &["spec", "spec", "template", "spec", "artifact", "jarUri"],
    );
    let err = apply(&client, &ns.name, &bad)
        .await
        .expect_err("jarUri required");
    assert!(
        err.to_string()
            .contains("spec.spec.template.spec.artifact.jarUri"),
        "{err}"
    );

    // Create (not apply) with the typed API as well: the savepoint's spec.spec needs both fields.
    let savepoints: Api<DynamicObject> = api_for(
        &client,
        &ns.name,
        &json!({
        "apiVersion": "ververicaplatform.fintechstudios.com/v1beta1", "kind": "VpSavepoint"}),
    );
    let object: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "ververicaplatform.fintechstudios.com/v1beta1", "kind": "VpSavepoint",
        "metadata": {"name": "sp"}, "spec": {"spec": {"savepointLocation": "s3://x"}}
    }))
    .expect("object");
    let err = savepoints
        .create(&PostParams::default(), &object)
        .await
        .expect_err("rejected");
    assert!(
        err.to_string().contains("spec.spec.flinkSavepointId"),
        "{err}"
    );

    ns.delete().await;
}
