//! Expected texts come from helm v4.1.4 (`helm template` on charts in
//! `testdata/schema/`, and the corpus goldens `external-dns-fail-default`,
//! `vault-fail-schema`).

use serde_json::json;

use super::*;

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("object"),
    }
}

fn check(schema: Value, values: Value) -> Result<(), String> {
    validate_single(&obj(values), schema.to_string().as_bytes())
}

#[test]
fn type_errors_match_corpus_goldens() {
    let schema = json!({"properties": {"policy": {"type": "string"}}});
    assert_eq!(
        check(schema, json!({"policy": null})).unwrap_err(),
        "- at '/policy': got null, want string\n"
    );
    let schema = json!({"$schema": "http://json-schema.org/schema#", "type": "object",
        "properties": {"server": {"type": "object", "properties": {"ha": {"type": "object",
        "properties": {"replicas": {"type": "integer"}}}}}}});
    assert_eq!(
        check(schema, json!({"server": {"ha": {"replicas": "3"}}})).unwrap_err(),
        "- at '/server/ha/replicas': got string, want integer\n"
    );
}

#[test]
fn float_values_satisfy_integer() {
    let schema = json!({"properties": {"n": {"type": "integer"}}});
    assert!(check(schema, json!({"n": 3.0})).is_ok());
}

fn sorted_lines(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s.lines().map(str::to_string).collect();
    v.sort();
    v
}

#[test]
fn chart_and_subchart_report_matches_helm() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/render/testdata/schema");
    let chart = crate::chart::load(std::path::Path::new(&format!("{dir}/s1"))).unwrap();
    // The subchart has no values.yaml, so the coalesced values are the parent's.
    let err = validate_chart_values(&chart, &chart.values).unwrap_err();
    let want = std::fs::read_to_string(format!("{dir}/expected.stderr")).unwrap();
    // Helm's line order follows Go map iteration; compare the lines as a multiset.
    assert_eq!(
        sorted_lines(&format!("Error: {err}\n")),
        sorted_lines(&want)
    );
    assert!(format!("{err}").ends_with("'/level': got number, want string\n"));
}

#[test]
fn non_map_subchart_values_and_valid_values() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/render/testdata/schema");
    let chart = crate::chart::load(std::path::Path::new(&format!("{dir}/s1"))).unwrap();
    let sub = &chart.dependencies[0];
    assert_eq!(
        validate_chart_values(sub, &obj(json!({"flag": true}))),
        Ok(())
    );
    let bad = obj(json!({"name": "abc", "sub": "x"}));
    let text = validate_chart_values(&chart, &bad).unwrap_err().to_string();
    assert!(
        text.ends_with("\nsub:\ninvalid type for values: expected object (map), got string\n"),
        "{text}"
    );
}

#[test]
fn type_lists_use_santhosh_order() {
    let schema = json!({"properties": {"a": {"type": ["object", "integer", "number"]}}});
    assert_eq!(
        check(schema, json!({"a": "x"})).unwrap_err(),
        "- at '/a': got string, want number or integer or object\n"
    );
}

/// Texts from helm v4.1.4 on a chart with these schemas (values `a: 1`).
#[test]
fn schemas_their_meta_schema_rejects_are_reported_as_helm_does() {
    let schema = json!({"$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object", "required": "a"});
    assert_eq!(
        check(schema, json!({"a": 1})).unwrap_err(),
        "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema \
         validation failed with 'http://json-schema.org/draft-07/schema#'\n\
         - at '/required': got string, want array"
    );
    // No `$schema`: draft 2020-12. Helm nests the causes under the failing `allOf`/`anyOf`
    // keywords; the heading and the failing location are the same here.
    let schema = json!({"type": "object", "properties": {"a": {"type": 5}}});
    let err = check(schema, json!({"a": 1})).unwrap_err();
    assert!(
        err.starts_with(
            "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema \
             validation failed with 'https://json-schema.org/draft/2020-12/schema#'\n"
        ),
        "{err}"
    );
    assert!(err.contains("- at '/properties/a/type': "), "{err}");
}
