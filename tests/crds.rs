//! The generated chart kinds on a real API server: the CRDs apply and become Established, carry
//! the values.yaml documentation, accept what the chart accepts, reject wrong types and unknown
//! fields naming the field, and keep a spec exactly as written (no pruning). Also checks that the
//! committed `charts/rudder-crds/` matches `rudder crds`.

#[path = "crds/spec_values.rs"]
mod spec_values;
mod support;

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams, ValidationDirective};
use kube::core::{ApiResource, GroupVersionKind};
use kube::runtime::wait::{await_condition, conditions};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use rudder::kinds::{self, KindInfo};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(30);
const MANAGER: &str = "rudder-crds-test";

async fn install_crds(client: &kube::Client) -> Vec<CustomResourceDefinition> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let mut installed = Vec::new();
    for crd in kinds::crds().expect("CRDs build") {
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
        installed.push(api.get(&name).await.expect("get CRD back"));
    }
    installed
}

fn kind(name: &str) -> &'static KindInfo {
    kinds::ALL
        .iter()
        .find(|k| k.kind == name)
        .expect("kind exists")
}

fn dynamic_api(client: &kube::Client, ns: &str, info: &KindInfo) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk(info.group, info.version, info.kind);
    let resource = ApiResource::from_gvk_with_plural(&gvk, info.plural);
    Api::namespaced_with(client.clone(), ns, &resource)
}

fn object(info: &KindInfo, name: &str, spec: Value) -> Value {
    json!({
        "apiVersion": format!("{}/{}", info.group, info.version),
        "kind": info.kind,
        "metadata": { "name": name },
        "spec": spec,
    })
}

fn strict_apply() -> PatchParams {
    PatchParams::apply(MANAGER).validation(ValidationDirective::Strict)
}

/// The sample from issue 5, the reference use case.
fn sample_liberty_spec() -> Value {
    json!({
        "image": {
            "repository": "registry.example.com/apps/plantsbywebsphere",
            "tag": "latest",
            "pullSecret": "my-pull-secret"
        },
        "ssl": { "enabled": false },
        "service": { "port": 9080, "targetPort": 9080 }
    })
}

fn api_error_message(err: kube::Error) -> (u16, String) {
    match err {
        kube::Error::Api(status) => (status.code, status.message),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn crds_establish_and_carry_values_documentation() {
    let client = support::client().await;
    let installed = install_crds(&client).await;
    assert_eq!(installed.len(), kinds::ALL.len());

    let liberty = installed
        .iter()
        .find(|c| c.spec.names.kind == "LibertyApp")
        .expect("LibertyApp CRD");
    // What `kubectl explain libertyapp.spec.image` prints comes from this schema.
    let schema = serde_json::to_value(&liberty.spec.versions[0].schema).expect("schema JSON");
    let image = &schema["openAPIV3Schema"]["properties"]["spec"]["properties"]["image"];
    assert_eq!(image["description"], "Common image variables");
    let probe = image["properties"]["readinessProbe"]["description"]
        .as_str()
        .expect("readinessProbe documented");
    assert!(
        probe.contains("httpGet:") && probe.contains("path: /custom/app"),
        "{probe}"
    );
    let pull_secret = image["properties"]["pullSecret"]["description"]
        .as_str()
        .expect("pullSecret documented");
    assert!(pull_secret.starts_with("rudder: "), "{pull_secret}");
    let version = &liberty.spec.versions[0];
    assert!(
        version
            .subresources
            .as_ref()
            .is_some_and(|s| s.status.is_some())
    );
}

#[tokio::test]
async fn sample_is_accepted_and_bad_specs_are_rejected_naming_the_field() {
    let client = support::client().await;
    install_crds(&client).await;
    let ns = support::TestNamespace::create(&client, "crds").await;
    let info = kind("LibertyApp");
    let api = dynamic_api(&client, &ns.name, info);

    let sample = sample_liberty_spec();
    api.patch(
        "plants",
        &strict_apply(),
        &Patch::Apply(object(info, "plants", sample.clone())),
    )
    .await
    .expect("the sample LibertyApp is accepted");
    let typed: Api<rudder::kinds::liberty_app::LibertyApp> =
        Api::namespaced(client.clone(), &ns.name);
    let got = typed.get("plants").await.expect("typed get");
    assert_eq!(serde_json::to_value(&got.spec).expect("spec JSON"), sample);

    // Server-side apply (what `kubectl apply --server-side` and rudder use) and create both
    // refuse a wrong type, naming the field.
    let wrong_type = json!({ "service": { "port": "abc" } });
    let err = api
        .patch(
            "bad-type",
            &strict_apply(),
            &Patch::Apply(object(info, "bad-type", wrong_type.clone())),
        )
        .await
        .expect_err("a string port is rejected by apply");
    let (_, message) = api_error_message(err);
    assert!(message.contains(".spec.service.port"), "{message}");
    let err = api
        .create(
            &PostParams::default(),
            &serde_json::from_value(object(info, "bad-type", wrong_type)).expect("object"),
        )
        .await
        .expect_err("a string port is rejected by create");
    let (code, message) = api_error_message(err);
    assert_eq!(code, 422, "{message}");
    assert!(
        message.contains("spec.service.port") && message.contains("must be of type integer"),
        "{message}"
    );

    let unknown = json!({ "service": { "port": 9080, "prot": 1 } });
    let err = api
        .patch(
            "bad-field",
            &strict_apply(),
            &Patch::Apply(object(info, "bad-field", unknown)),
        )
        .await
        .expect_err("an unknown field under a closed object is rejected");
    let (_, message) = api_error_message(err);
    assert!(message.contains("spec.service.prot"), "{message}");

    ns.delete().await;
}

#[tokio::test]
async fn specs_round_trip_through_the_apiserver_unchanged() {
    let client = support::client().await;
    install_crds(&client).await;
    let ns = support::TestNamespace::create(&client, "crds-rt").await;

    // Hand-written: free-form parts with keys values.yaml never shows, explicit nulls, empty
    // collections, nested lists, a quantity written as an integer, a resource the shared-template
    // subchart passes whole to toYaml.
    let liberty = kind("LibertyApp");
    let written = json!({
        "image": {
            "tag": "1.0",
            "extraEnvs": [{ "name": "FOO", "valueFrom": { "secretKeyRef": { "key": "k", "name": "s" } } }],
            "lifecycle": {},
            "readinessProbe": { "httpGet": { "path": "/x", "port": 9080 }, "periodSeconds": 5 }
        },
        "persistence": { "fsGroupGid": null, "size": "2Gi" },
        "deployment": { "annotations": { "prometheus.io/scrape": "true" } },
        "pod": { "extraNodeSelectorRequirements": [{ "key": "env", "operator": "In", "values": ["dev"] }] },
        "service": { "extraPorts": [] },
        "resources": { "requests": { "cpu": 1, "memory": "1Gi", "ephemeral-storage": "1Gi" } }
    });
    let api = dynamic_api(&client, &ns.name, liberty);
    let created = api
        .create(
            &PostParams::default(),
            &serde_json::from_value(object(liberty, "written", written.clone())).expect("object"),
        )
        .await
        .expect("create hand-written LibertyApp");
    assert_eq!(created.data["spec"], written);
    let back = api.get("written").await.expect("get");
    assert_eq!(back.data["spec"], written);
    assert_eq!(
        (liberty.roundtrip_spec)(written.clone()).expect("typed"),
        written
    );

    // Generated: schema-valid specs of every kind, with a fixed seed so failures reproduce.
    for info in kinds::ALL {
        let api = dynamic_api(&client, &ns.name, info);
        let schema: Value = serde_json::from_str(info.spec_schema).expect("schema JSON");
        let strategy = spec_values::valid_value(&schema, 5);
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
        );
        for i in 0..8 {
            let spec = strategy
                .new_tree(&mut runner)
                .expect("generate spec")
                .current();
            let name = format!("gen-{}-{i}", info.plural);
            let created = api
                .create(
                    &PostParams::default(),
                    &serde_json::from_value(object(info, &name, spec.clone())).expect("object"),
                )
                .await
                .unwrap_or_else(|e| {
                    panic!("{} rejected a schema-valid spec {spec}: {e}", info.kind)
                });
            assert_eq!(
                normalize(&created.data["spec"]),
                normalize(&spec),
                "{} spec changed by the apiserver",
                info.kind
            );
            let typed = (info.roundtrip_spec)(created.data["spec"].clone())
                .unwrap_or_else(|e| panic!("{} stored spec does not read back: {e}", info.kind));
            assert_eq!(normalize(&typed), normalize(&spec));
        }
    }

    ns.delete().await;
}

/// Go decodes JSON numbers with no fraction as integers (`2.0` comes back as `2`), as Helm's own
/// values handling does; compare numbers by value.
fn normalize(value: &Value) -> Value {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => json!(f as i64),
            _ => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

#[test]
fn committed_crds_are_current() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rudder"))
        .arg("crds")
        .output()
        .expect("run rudder crds");
    assert!(output.status.success(), "rudder crds failed: {output:?}");
    let printed = String::from_utf8(output.stdout).expect("UTF-8 output");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/charts/rudder-crds/crds/crds.yaml"
    );
    let committed = std::fs::read_to_string(path).expect("read committed CRDs");
    assert!(
        printed == committed,
        "charts/rudder-crds/crds/crds.yaml is stale; regenerate with \
         `cargo run -q -- crds > charts/rudder-crds/crds/crds.yaml`"
    );
}
