//! Strategies that generate values documents valid under a kind's structural spec schema: the
//! property test of the typed specs and the apiserver round trip in `tests/crds.rs` share them.
//! Integers stay within int64 (what Kubernetes' JSON handling keeps exact).

use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Any JSON value, nested a few levels.
pub fn any_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z][a-zA-Z0-9_.-]{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Values that are valid under a structural CRD schema node, with optional keys left out at
/// random and unknown keys added where the schema keeps them.
pub fn valid_value(schema: &Value, depth: u32) -> BoxedStrategy<Value> {
    let nullable = schema["nullable"] == json!(true);
    let preserve = schema["x-kubernetes-preserve-unknown-fields"] == json!(true);
    let int_or_string = schema["x-kubernetes-int-or-string"] == json!(true);
    let typed = match schema["type"].as_str() {
        None if int_or_string => prop_oneof![
            any::<i64>().prop_map(Value::from),
            "[0-9]{1,4}(m|Mi|Gi)?".prop_map(Value::from),
        ]
        .boxed(),
        None if preserve => any_json(),
        None => panic!("schema node without type: {schema}"),
        Some("object") => object_value(schema, preserve, depth),
        Some("array") => {
            let items = if depth == 0 {
                Just(Vec::new()).boxed()
            } else {
                prop::collection::vec(valid_value(&schema["items"], depth - 1), 0..3).boxed()
            };
            items.prop_map(Value::from).boxed()
        }
        Some("string") => match schema["enum"].as_array() {
            Some(options) => prop::sample::select(options.clone()).boxed(),
            None => "\\PC{0,12}".prop_map(Value::from).boxed(),
        },
        Some("integer") => {
            let min = schema["minimum"].as_i64().unwrap_or(i64::MIN);
            let max = schema["maximum"].as_i64().unwrap_or(i64::MAX);
            (min..=max).prop_map(Value::from).boxed()
        }
        Some("number") => prop_oneof![
            any::<i64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
        ]
        .boxed(),
        Some("boolean") => any::<bool>().prop_map(Value::from).boxed(),
        Some(other) => panic!("unexpected type {other}"),
    };
    if nullable {
        prop_oneof![1 => Just(Value::Null), 4 => typed].boxed()
    } else {
        typed
    }
}

fn object_value(schema: &Value, preserve: bool, depth: u32) -> BoxedStrategy<Value> {
    let props = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let known: Vec<BoxedStrategy<Option<(String, Value)>>> = if depth == 0 {
        Vec::new()
    } else {
        props
            .iter()
            .map(|(key, sub)| {
                let key = key.clone();
                prop::option::weighted(0.3, valid_value(sub, depth - 1))
                    .prop_map(move |v| v.map(|v| (key.clone(), v)))
                    .boxed()
            })
            .collect()
    };
    let extra = if preserve {
        prop::collection::btree_map("x[a-zA-Z0-9_]{0,6}", any_json(), 0..3).boxed()
    } else {
        Just(Default::default()).boxed()
    };
    (known, extra)
        .prop_map(move |(known, extra)| {
            let mut out = Map::new();
            for (k, v) in extra {
                if !props.contains_key(&k) {
                    out.insert(k, v);
                }
            }
            out.extend(known.into_iter().flatten());
            Value::Object(out)
        })
        .boxed()
}
