use std::collections::BTreeSet;

use serde_json::Value;

use super::*;

const ORIGINAL_CRDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vvp-api/crds");
const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vvp-api/samples");

fn ours(plural: &str) -> Value {
    let crd = crds()
        .expect("crds")
        .into_iter()
        .find(|c| c.spec.names.plural == plural)
        .expect("crd exists");
    serde_json::to_value(crd).expect("json")
}

fn original(plural: &str) -> Value {
    let path = format!("{ORIGINAL_CRDS}/ververicaplatform.fintechstudios.com_{plural}.yaml");
    let text = std::fs::read_to_string(&path).expect("read original CRD");
    serde_saphyr::from_str(&text).expect("parse original CRD")
}

/// The original (apiextensions v1beta1) schema of `version`: per version or top-level.
fn original_schema(crd: &Value, version: &str) -> Value {
    let per_version = crd["spec"]["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .find(|v| v["name"] == version)
        .map(|v| v["schema"]["openAPIV3Schema"].clone())
        .unwrap_or(Value::Null);
    if per_version.is_null() {
        crd["spec"]["validation"]["openAPIV3Schema"].clone()
    } else {
        per_version
    }
}

fn our_schema(crd: &Value, version: &str) -> Value {
    crd["spec"]["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .find(|v| v["name"] == version)
        .map(|v| v["schema"]["openAPIV3Schema"].clone())
        .expect("version exists")
}

/// Every `path: type` of a schema (properties, items and map values), plus `path!field` for
/// required fields and `path=values` for enums.
fn facts(schema: &Value, path: &str, out: &mut BTreeSet<String>) {
    if let Some(t) = schema["type"].as_str() {
        out.insert(format!("{path}: {t}"));
    }
    if schema["x-kubernetes-int-or-string"] == true {
        // Newer Kubernetes types quantities as int-or-string, which accepts every string.
        out.insert(format!("{path}: string"));
    }
    if let Some(required) = schema["required"].as_array() {
        for r in required {
            out.insert(format!("{path}!{}", r.as_str().unwrap_or_default()));
        }
    }
    if let Some(min) = schema["minimum"].as_f64() {
        out.insert(format!("{path} >= {min}"));
    }
    if let Some(props) = schema["properties"].as_object() {
        for (k, v) in props {
            facts(v, &format!("{path}.{k}"), out);
        }
    }
    if !schema["items"].is_null() {
        facts(&schema["items"], &format!("{path}[]"), out);
    }
    if schema["additionalProperties"].is_object() {
        facts(&schema["additionalProperties"], &format!("{path}{{}}"), out);
    }
}

/// What the original schema states that ours does not (ignoring the enum values, which are
/// compared separately, and the relaxations listed in `docs/vvp.md`).
fn missing_from_ours(plural: &str, version: &str) -> Vec<String> {
    let mut theirs = BTreeSet::new();
    facts(
        &original_schema(&original(plural), version),
        "",
        &mut theirs,
    );
    let mut mine = BTreeSet::new();
    facts(&our_schema(&ours(plural), version), "", &mut mine);
    theirs.difference(&mine).cloned().collect()
}

#[test]
fn four_crds_in_the_original_group() {
    let crds = crds().expect("crds");
    let names: Vec<_> = crds
        .iter()
        .map(|c| c.metadata.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "vpnamespaces.ververicaplatform.fintechstudios.com",
            "vpdeploymenttargets.ververicaplatform.fintechstudios.com",
            "vpdeployments.ververicaplatform.fintechstudios.com",
            "vpsavepoints.ververicaplatform.fintechstudios.com",
        ]
    );
    assert!(crds.iter().all(|c| c.spec.scope == "Namespaced"));
}

#[test]
fn two_version_kinds_store_v1beta2_without_webhook() {
    for plural in ["vpdeploymenttargets", "vpdeployments"] {
        let crd = ours(plural);
        assert_eq!(crd["spec"]["conversion"]["strategy"], "None", "{plural}");
        let mut versions: Vec<(String, bool, bool)> = crd["spec"]["versions"]
            .as_array()
            .expect("versions")
            .iter()
            .map(|v| {
                (
                    v["name"].as_str().unwrap_or_default().to_owned(),
                    v["served"].as_bool().unwrap_or(false),
                    v["storage"].as_bool().unwrap_or(false),
                )
            })
            .collect();
        versions.sort();
        assert_eq!(
            versions,
            [
                ("v1beta1".to_owned(), true, false),
                ("v1beta2".to_owned(), true, true)
            ],
            "{plural}"
        );
    }
}

#[test]
fn printer_columns_are_the_originals() {
    for plural in [
        "vpnamespaces",
        "vpdeploymenttargets",
        "vpdeployments",
        "vpsavepoints",
    ] {
        let theirs: Vec<(String, String, String)> =
            original(plural)["spec"]["additionalPrinterColumns"]
                .as_array()
                .expect("original columns")
                .iter()
                .map(|c| {
                    (
                        c["name"].as_str().unwrap_or_default().to_owned(),
                        c["type"].as_str().unwrap_or_default().to_owned(),
                        c["JSONPath"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
        let crd = ours(plural);
        for version in crd["spec"]["versions"].as_array().expect("versions") {
            let mine: Vec<(String, String, String)> = version["additionalPrinterColumns"]
                .as_array()
                .expect("our columns")
                .iter()
                .map(|c| {
                    (
                        c["name"].as_str().unwrap_or_default().to_owned(),
                        c["type"].as_str().unwrap_or_default().to_owned(),
                        c["jsonPath"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            assert_eq!(mine, theirs, "{plural} {}", version["name"]);
        }
    }
}

#[test]
fn every_original_field_type_and_requirement_is_kept() {
    let cases = [
        ("vpnamespaces", "v1beta1"),
        ("vpdeploymenttargets", "v1beta1"),
        ("vpdeploymenttargets", "v1beta2"),
        ("vpdeployments", "v1beta1"),
        ("vpdeployments", "v1beta2"),
        ("vpsavepoints", "v1beta1"),
    ];
    for (plural, version) in cases {
        let missing: Vec<String> = missing_from_ours(plural, version)
            .into_iter()
            // Deliberate relaxations (docs/vvp.md): status is written by rudder only, so its
            // fields are optional.
            .filter(|f| f != ".status!state")
            // apiVersion, kind and metadata are implicit in every CRD schema.
            .filter(|f| {
                ![
                    ".apiVersion: string",
                    ".kind: string",
                    ".metadata: object",
                    "!metadata",
                ]
                .contains(&f.as_str())
            })
            // Kubernetes itself made projected volume sources optional since.
            .filter(|f| !f.ends_with(".volume.projected!sources"))
            .collect();
        assert!(missing.is_empty(), "{plural} {version} lacks: {missing:#?}");
    }
}

#[test]
fn vvp_2_0_fields_only_in_v1beta1() {
    let dt = ours("vpdeploymenttargets");
    let props = |crd: &Value, v: &str| {
        our_schema(crd, v)["properties"]["spec"]["properties"]["spec"].clone()
    };
    assert!(!props(&dt, "v1beta1")["properties"]["deploymentPatchSet"].is_null());
    assert!(props(&dt, "v1beta2")["properties"]["deploymentPatchSet"].is_null());
    let dep = ours("vpdeployments");
    assert!(!props(&dep, "v1beta1")["properties"]["startFromSavepoint"].is_null());
    assert!(props(&dep, "v1beta2")["properties"]["startFromSavepoint"].is_null());
}

#[test]
fn state_enums_match_the_originals() {
    let enum_of = |schema: &Value| -> BTreeSet<String> {
        schema["enum"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let dep = our_schema(&ours("vpdeployments"), "v1beta2");
    let theirs = original_schema(&original("vpdeployments"), "v1beta2");
    let spec_state =
        |s: &Value| s["properties"]["spec"]["properties"]["spec"]["properties"]["state"].clone();
    assert_eq!(enum_of(&spec_state(&dep)), enum_of(&spec_state(&theirs)));
    let status_state = |s: &Value| s["properties"]["status"]["properties"]["state"].clone();
    assert_eq!(
        enum_of(&status_state(&dep)),
        enum_of(&status_state(&theirs))
    );
    let ns = our_schema(&ours("vpnamespaces"), "v1beta1");
    let ns_theirs = original_schema(&original("vpnamespaces"), "v1beta1");
    let phase = |s: &Value| s["properties"]["status"]["properties"]["lifecyclePhase"].clone();
    assert_eq!(enum_of(&phase(&ns)), enum_of(&phase(&ns_theirs)));
    let sp = our_schema(&ours("vpsavepoints"), "v1beta1");
    let sp_theirs = original_schema(&original("vpsavepoints"), "v1beta1");
    assert_eq!(
        enum_of(&status_state(&sp)),
        enum_of(&status_state(&sp_theirs))
    );
}

#[test]
fn every_status_has_conditions_and_a_status_subresource() {
    for crd in crds().expect("crds") {
        for version in &crd.spec.versions {
            let schema = serde_json::to_value(&version.schema).expect("json");
            let conditions =
                &schema["openAPIV3Schema"]["properties"]["status"]["properties"]["conditions"];
            assert_eq!(
                conditions["x-kubernetes-list-type"], "map",
                "{:?}",
                crd.metadata.name
            );
            assert_eq!(
                conditions["items"]["required"],
                serde_json::json!(["lastTransitionTime", "message", "reason", "status", "type"])
            );
            let subresources = version.subresources.as_ref().expect("subresources");
            assert!(subresources.status.is_some(), "{:?}", crd.metadata.name);
        }
    }
}

fn sample(file: &str) -> Value {
    let text = std::fs::read_to_string(format!("{SAMPLES}/{file}")).expect("read sample");
    serde_saphyr::from_str(&text).expect("parse sample")
}

#[test]
fn samples_parse_into_the_typed_resources() {
    let ns: VpNamespace =
        serde_json::from_value(sample("ververicaplatform_v1beta1_vpnamespace.yaml"))
            .expect("VpNamespace");
    assert_eq!(ns.spec.role_bindings.as_ref().map(Vec::len), Some(1));
    let sp: VpSavepoint =
        serde_json::from_value(sample("ververicaplatform_v1beta1_vpsavepoint.yaml"))
            .expect("VpSavepoint");
    assert_eq!(sp.spec.deployment_name.as_deref(), Some("top-speed"));
    let dt1: deployment_target::v1beta1::VpDeploymentTarget =
        serde_json::from_value(sample("ververicaplatform_v1beta1_vpdeploymenttarget.yaml"))
            .expect("VpDeploymentTarget v1beta1");
    let patch = dt1
        .spec
        .spec
        .and_then(|s| s.deployment_patch_set)
        .expect("patch set");
    assert_eq!(patch[0].value.as_deref(), Some("gazelle"));
    let dt2: deployment_target::v1beta2::VpDeploymentTarget =
        serde_json::from_value(sample("ververicaplatform_v1beta2_vpdeploymenttarget.yaml"))
            .expect("VpDeploymentTarget v1beta2");
    assert_eq!(
        dt2.spec.metadata.as_ref().map(VpMetadata::vvp_namespace),
        Some("default")
    );
    let d1: deployment::v1beta1::VpDeployment =
        serde_json::from_value(sample("ververicaplatform_v1beta1_vpdeployment.yaml"))
            .expect("VpDeployment v1beta1");
    assert_eq!(d1.spec.spec.state, deployment::DeploymentState::Running);
    let d2: deployment::v1beta2::VpDeployment =
        serde_json::from_value(sample("ververicaplatform_v1beta2_vpdeployment.yaml"))
            .expect("VpDeployment v1beta2");
    let pods = d2
        .spec
        .spec
        .template
        .spec
        .kubernetes
        .and_then(|k| k.pods)
        .expect("pods");
    assert_eq!(
        pods.labels
            .and_then(|l| l.get("fintechstudios.com/very-important").cloned()),
        Some("true".to_owned())
    );
    let resources = d2.spec.spec.template.spec.resources.expect("resources");
    assert_eq!(resources["jobmanager"].cpu.as_deref(), Some("1.5"));
}

#[test]
fn optional_specs_default_to_empty() {
    for (plural, defaulted) in [
        ("vpnamespaces", true),
        ("vpdeploymenttargets", true),
        ("vpdeployments", false),
        ("vpsavepoints", true),
    ] {
        let crd = ours(plural);
        for version in crd["spec"]["versions"].as_array().expect("versions") {
            let default = &version["schema"]["openAPIV3Schema"]["properties"]["spec"]["default"];
            assert_eq!(default == &serde_json::json!({}), defaulted, "{plural}");
        }
    }
}

#[test]
fn yaml_has_one_document_per_crd() {
    let yaml = crds_yaml().expect("yaml");
    assert_eq!(yaml.lines().filter(|l| *l == "---").count(), 4);
    assert!(yaml.contains("name: vpdeployments.ververicaplatform.fintechstudios.com"));
}
