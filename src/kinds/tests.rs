//! Tests of the generated kinds: lossless round trips (property-based, driven by each kind's own
//! schema), the CRDs' shape, and the build script's pure modules.

use proptest::prelude::prop_assert_eq;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

use super::*;

// The build script's pure modules, tested here because build scripts have no test harness.
#[allow(dead_code)]
#[path = "../../build/comments.rs"]
mod build_comments;
#[allow(dead_code)]
#[path = "../../build/freeform.rs"]
mod build_freeform;
#[allow(dead_code)]
#[path = "../../build/schema.rs"]
mod build_schema;
// Strategies for schema-valid specs, shared with the apiserver round trip in `tests/crds.rs`.
#[path = "../../tests/crds/spec_values.rs"]
mod spec_values;

use spec_values::valid_value;

fn kind(name: &str) -> &'static KindInfo {
    ALL.iter()
        .find(|k| k.kind == name)
        .unwrap_or_else(|| panic!("no kind {name}"))
}

fn spec_schema(info: &KindInfo) -> Value {
    serde_json::from_str(info.spec_schema).expect("generated schema is JSON")
}

#[test]
fn every_schema_valid_spec_round_trips_through_the_typed_spec() {
    for info in ALL {
        let strategy = valid_value(&spec_schema(info), 6);
        let mut runner = TestRunner::new(Config {
            cases: 128,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&strategy, |spec| {
            let back = (info.roundtrip_spec)(spec.clone())
                .map_err(|e| TestCaseError::fail(format!("typed spec rejected it: {e}")))?;
            prop_assert_eq!(back, spec);
            Ok(())
        });
        if let Err(e) = result {
            panic!("{}: {e}", info.kind);
        }
    }
}

#[test]
fn nulls_empty_collections_and_number_forms_survive() {
    let spec = json!({
        "persistence": { "fsGroupGid": null, "size": "2Gi" },
        "image": { "extraEnvs": [], "lifecycle": {}, "livenessProbe": { "httpGet": { "port": 9080 } } },
        "deployment": { "annotations": { "a/b": "c", "n": null } },
        "pod": { "extraNodeSelectorRequirements": [{ "key": "env", "operator": "In" }] }
    });
    let back = (kind("LibertyApp").roundtrip_spec)(spec.clone()).expect("valid LibertyApp spec");
    assert_eq!(back, spec);

    let nginx = json!({ "replicaCount": 2, "someUnknownTopLevel": { "x": [1, 2.5, null] } });
    let back = (kind("Nginx").roundtrip_spec)(nginx.clone()).expect("nginx root is open");
    assert_eq!(back, nginx);
}

#[test]
fn closed_objects_reject_unknown_keys_in_the_typed_spec() {
    let err = (kind("LibertyApp").roundtrip_spec)(json!({ "service": { "prot": 1 } }))
        .expect_err("typo under a closed object");
    assert!(err.to_string().contains("prot"), "{err}");
}

#[test]
fn typed_spec_is_usable_from_rust() {
    let spec: liberty_app::LibertyAppSpec = serde_json::from_value(json!({
        "image": { "repository": "registry.example.com/app", "pullSecret": "s" },
        "service": { "port": 9080 }
    }))
    .expect("sample spec");
    let image = spec.image.as_ref().expect("image set");
    assert_eq!(image.pull_secret.as_deref(), Some("s"));
    assert_eq!(spec.service.as_ref().and_then(|s| s.port), Some(9080));
    assert!(spec.ssl.is_none(), "unset keys stay unset");
}

#[test]
fn crds_have_status_printer_columns_and_documented_schema() {
    let crds = crds().expect("crds");
    assert_eq!(crds.len(), ALL.len());
    for (crd, info) in crds.iter().zip(ALL) {
        assert_eq!(crd.spec.names.kind, info.kind);
        assert_eq!(crd.spec.scope, "Namespaced");
        let version = &crd.spec.versions[0];
        assert!(
            version
                .subresources
                .as_ref()
                .and_then(|s| s.status.as_ref())
                .is_some()
        );
        let columns: Vec<&str> = version
            .additional_printer_columns
            .iter()
            .flatten()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(columns.first(), Some(&"Ready"), "{columns:?}");
        assert_eq!(columns.last(), Some(&"Age"), "{columns:?}");
        let schema = version
            .schema
            .as_ref()
            .and_then(|s| s.open_api_v3_schema.as_ref())
            .expect("schema");
        let props = schema.properties.as_ref().expect("properties");
        assert!(props.contains_key("spec") && props.contains_key("status"));
    }
    let liberty = spec_schema(kind("LibertyApp"));
    let image = &liberty["properties"]["image"];
    assert_eq!(image["description"], "Common image variables");
    assert!(
        image["properties"]["readinessProbe"]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Example:\nreadinessProbe:")),
        "{}",
        image["properties"]["readinessProbe"]
    );
    assert!(
        image["properties"]["pullSecret"]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("rudder: ")),
    );
}

/// Every node of a structural schema has a type unless it preserves unknown fields or is
/// int-or-string.
fn assert_structural(schema: &Value, path: &str) {
    let untyped_ok = schema["x-kubernetes-preserve-unknown-fields"] == json!(true)
        || schema["x-kubernetes-int-or-string"] == json!(true);
    assert!(
        schema.get("type").is_some() || untyped_ok,
        "{path} has no type: {schema}"
    );
    if let Some(props) = schema["properties"].as_object() {
        for (k, v) in props {
            assert_structural(v, &format!("{path}.{k}"));
        }
    }
    if let Some(items) = schema.get("items") {
        assert_structural(items, &format!("{path}[]"));
    }
    for forbidden in [
        "default",
        "additionalProperties",
        "anyOf",
        "$ref",
        "form",
        "title",
    ] {
        assert!(schema.get(forbidden).is_none(), "{path} has {forbidden}");
    }
}

#[test]
fn spec_schemas_are_structural_and_default_free() {
    for info in ALL {
        assert_structural(&spec_schema(info), info.kind);
    }
}

#[test]
fn field_counts_match_the_sources() {
    assert_eq!(
        kind("LibertyApp").fields.from_schema,
        0,
        "Liberty has no values.schema.json"
    );
    assert!(kind("Nginx").fields.from_schema > 0);
    assert!(kind("Nginx").fields.inferred > 0);
    assert_eq!(
        kind("Podinfo").fields.extensions,
        1,
        "image.pullSecret is new in podinfo"
    );
    assert_eq!(kind("LibertyApp").extensions, ["image.pullSecret"]);
}

#[test]
fn crds_yaml_is_one_document_per_kind() {
    let yaml = crds_yaml().expect("yaml");
    assert_eq!(yaml.lines().filter(|l| *l == "---").count(), ALL.len());
    assert!(yaml.contains("name: libertyapps.liberty.ibm.com"));
}

#[test]
fn explicit_null_in_any_value_field_is_kept() {
    let spec: liberty_app::LibertyAppSpec =
        serde_json::from_value(json!({ "persistence": { "fsGroupGid": null } })).expect("spec");
    let gid = spec
        .persistence
        .as_ref()
        .and_then(|p| p.fs_group_gid.as_ref());
    assert_eq!(gid, Some(&Value::Null));
}
