//! The quick proof must never call values valid that the full validator rejects, and must
//! prove the common, valid case.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::proves_valid;
use crate::render::schema::full_validation;
use crate::test_support::{Rng, corpus_root};

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("object"),
    }
}

/// The quick answer, checked against the full validator whenever it claims validity.
fn quick(schema: Value, values: Value) -> bool {
    let values = obj(values);
    let answer = proves_valid(&schema, &values);
    if answer {
        assert_eq!(full_validation(&schema, &values), Ok(()), "schema {schema}");
    }
    answer
}

#[test]
fn proves_values_that_meet_common_keywords() {
    let schema = json!({
        "$schema": "http://json-schema.org/schema#",
        "type": "object",
        "title": "t", "form": true, "description": "d",
        "required": ["image"],
        "properties": {
            "image": {"type": "object", "properties": {
                "tag": {"type": "string", "minLength": 1, "maxLength": 10},
                "pullPolicy": {"type": "string", "enum": ["Always", "IfNotPresent"]},
            }},
            "replicas": {"type": "integer", "minimum": 1, "maximum": 5},
            "ratio": {"type": ["number", "null"]},
            "ports": {"type": "array", "minItems": 1, "items": {"type": "integer"}},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "unused": {"type": "object", "properties": {"x": {"type": "boolean"}},
                "additionalProperties": false},
            "anything": true,
        },
    });
    let values = json!({
        "image": {"tag": "1.2", "pullPolicy": "Always"},
        "replicas": 3,
        "ratio": 0.5,
        "ports": [80, 443],
        "labels": {"a": "b"},
        "anything": [1, {"x": null}],
        "extra": "allowed",
    });
    assert!(quick(schema, values));
}

#[test]
fn violations_are_left_to_the_full_validator() {
    let cases = [
        (
            json!({"properties": {"a": {"type": "string"}}}),
            json!({"a": 1}),
        ),
        (json!({"required": ["a"]}), json!({"b": 1})),
        (
            json!({"properties": {"a": {"enum": ["x", "y"]}}}),
            json!({"a": "z"}),
        ),
        (json!({"properties": {"a": {"const": 2}}}), json!({"a": 3})),
        (
            json!({"properties": {"a": {"minimum": 2}}}),
            json!({"a": 1}),
        ),
        (
            json!({"properties": {"a": {"maximum": 2.5}}}),
            json!({"a": 3}),
        ),
        (
            json!({"properties": {"a": {"maxLength": 2}}}),
            json!({"a": "abc"}),
        ),
        (
            json!({"properties": {"a": {"minItems": 2}}}),
            json!({"a": [1]}),
        ),
        (
            json!({"properties": {"a": {"items": {"type": "string"}}}}),
            json!({"a": ["x", 1]}),
        ),
        (json!({"additionalProperties": false}), json!({"a": 1})),
        (json!({"maxProperties": 1}), json!({"a": 1, "b": 2})),
        (json!({"properties": {"a": false}}), json!({"a": 1})),
        (json!({"type": "array"}), json!({})),
    ];
    for (schema, values) in cases {
        assert!(!quick(schema.clone(), values), "{schema}");
    }
}

#[test]
fn undecided_keywords_and_forms_fall_back() {
    let valid = json!({"a": "x"});
    let cases = [
        json!({"$ref": "#/$defs/a", "$defs": {"a": {}}}),
        json!({"properties": {"a": {"pattern": "^x$"}}}),
        json!({"properties": {"a": {"anyOf": [{"type": "string"}]}}}),
        json!({"properties": {"b": {"not": {}}}}),
        // `format` is asserted in the drafts before 2019-09.
        json!({"$schema": "http://json-schema.org/draft-07/schema#",
            "properties": {"a": {"format": "email"}}}),
        json!({"$schema": "http://json-schema.org/draft-04/schema#"}),
        json!({"$schema": "https://example.com/custom"}),
        json!({"properties": {"a": {"type": "strin"}}}),
        json!({"properties": {"a": {"type": ["string", "string"]}}}),
        json!({"required": ["a", "a"]}),
        json!({"properties": {"a": {"description": 5}}}),
        json!({"properties": {"b": {"minLength": -1}}}),
        json!({"properties": {"b": {"items": [{"type": "string"}]}}}),
        json!({"properties": {"b": "not a schema"}}),
        json!({"properties": {"a": {"$schema": "http://json-schema.org/schema#"}}}),
        json!({"enum": [{"a": "x"}]}),
    ];
    for schema in cases {
        assert!(!quick(schema.clone(), valid.clone()), "{schema}");
    }
    // Helm's values hold YAML numbers as floats: `3.0` is an integer, `2.5` is not.
    let integer = json!({"properties": {"n": {"type": "integer"}}});
    assert!(quick(integer.clone(), json!({"n": 3.0})));
    assert!(!quick(integer, json!({"n": 2.5})));
    let draft7 = json!({"$schema": "http://json-schema.org/draft-07/schema#",
        "properties": {"n": {"type": "integer"}}});
    assert!(quick(draft7, json!({"n": 3.0})));
    // Unknown keywords are ignored, as by every draft.
    assert!(quick(
        json!({"properties": {"a": {"x-kubernetes": {"pattern": 1}}}}),
        valid
    ));
}

#[test]
fn numbers_compare_by_value() {
    let schema = json!({"properties": {"a": {"enum": [1.0, "x"]}, "b": {"const": [2, {"c": 3}]}}});
    assert!(quick(schema, json!({"a": 1, "b": [2.0, {"c": 3}]})));
    let big = json!({"properties": {"a": {"const": 9_007_199_254_740_993u64}}});
    assert!(!quick(big, json!({"a": 9_007_199_254_740_993u64})));
}

/// Every chart with a schema in `dir` (recursively through `charts/`), loaded.
fn charts_with_schemas(dir: &Path, out: &mut Vec<crate::chart::Chart>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.join("values.schema.json").is_file()
            && let Ok(chart) = crate::chart::load(&p)
        {
            out.push(chart);
        }
        charts_with_schemas(&p.join("charts"), out);
    }
}

/// Replaces one randomly chosen node of `v` with a value of another shape.
fn mutate(v: &mut Value, rng: &mut Rng) {
    let replacements = [
        json!(null),
        json!(true),
        json!(7),
        json!(-1),
        json!(2.5),
        json!(3.0),
        json!(""),
        json!("text"),
        json!([]),
        json!(["a", 1]),
        json!({}),
        json!({"k": "v"}),
    ];
    let descend = rng.below(4) != 0;
    match v {
        Value::Object(m) if descend && !m.is_empty() => {
            let i = rng.below(m.len());
            if let Some(child) = m.values_mut().nth(i) {
                return mutate(child, rng);
            }
        }
        Value::Array(a) if descend && !a.is_empty() => {
            let i = rng.below(a.len());
            return mutate(&mut a[i], rng);
        }
        _ => {}
    }
    let node = v;
    match node {
        Value::Object(m) if !m.is_empty() && rng.below(3) == 0 => {
            let key = m
                .keys()
                .nth(rng.below(m.len()))
                .cloned()
                .unwrap_or_default();
            m.remove(&key);
        }
        Value::Object(m) if rng.below(3) == 0 => {
            m.insert("unexpected".into(), replacements[rng.below(12)].clone());
        }
        _ => *node = replacements[rng.below(replacements.len())].clone(),
    }
}

/// On every corpus chart with a schema: the chart's own values are proved valid where the
/// full validator accepts them and the schema stays in the quick subset, and no mutation of
/// them is called valid unless the full validator agrees.
#[test]
fn corpus_schemas_agree_with_the_full_validator() {
    let root = corpus_root().join("charts");
    let mut charts = Vec::new();
    charts_with_schemas(&root, &mut charts);
    if charts.is_empty() {
        eprintln!("chart corpus not found at {}: skipped", root.display());
        return;
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut proved, mut checked) = (0, 0);
    for chart in &charts {
        let Some(bytes) = &chart.schema else {
            continue;
        };
        let schema: Value = serde_json::from_slice(bytes).expect("corpus schema is JSON");
        let values = Value::Object((*chart.values).clone());
        eprintln!(
            "{}: own values {:?}",
            chart.name(),
            proves_valid(&schema, &chart.values)
        );
        for round in 0..300 {
            let mut v = values.clone();
            for _ in 0..(round % 4) {
                mutate(&mut v, &mut rng);
            }
            let Value::Object(m) = v else {
                continue;
            };
            let answer = proves_valid(&schema, &m);
            let full = full_validation(&schema, &m);
            if answer {
                assert_eq!(full, Ok(()), "{}: {}", chart.name(), Value::Object(m));
                proved += 1;
            }
            checked += 1;
        }
    }
    eprintln!("{proved} of {checked} value sets proved valid without compiling");
    assert!(proved > 0, "no corpus values were proved valid");
}

/// The Bitnami schemas (the largest in the corpus) are decided without compiling.
#[test]
fn bitnami_schemas_are_in_the_quick_subset() {
    let dir = corpus_root().join("charts/bitnami-redis");
    let Ok(chart) = crate::chart::load(&dir) else {
        eprintln!("chart corpus not found at {}: skipped", dir.display());
        return;
    };
    let schema: Value =
        serde_json::from_slice(chart.schema.as_deref().expect("schema")).expect("JSON");
    assert!(proves_valid(&schema, &chart.values));
}
