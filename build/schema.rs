//! The schema of one chart's values: inferred from values.yaml, overlaid with the chart's own
//! values.schema.json, documented from values.yaml comments, then emitted twice: as a structural
//! OpenAPI schema for the CRD and as a JSON Schema for `typify` to generate Rust types from.
//!
//! Everything here is optional and lossless by construction: no field is required, no default is
//! emitted (a default would be invented into every user's spec), parts the chart treats as
//! free-form keep unknown keys, and keys whose default is null accept any value, null included.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// Where a field's schema came from (reported per kind by the build).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The chart's values.schema.json.
    Schema,
    /// Inferred from the default in values.yaml.
    Inferred,
    /// Added by the kinds manifest as a rudder extension field.
    Extension,
}

/// The scalar JSON types a field can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    String,
    Integer,
    Number,
    Boolean,
}

impl Scalar {
    fn name(self) -> &'static str {
        match self {
            Scalar::String => "string",
            Scalar::Integer => "integer",
            Scalar::Number => "number",
            Scalar::Boolean => "boolean",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "string" => Scalar::String,
            "integer" => Scalar::Integer,
            "number" => Scalar::Number,
            "boolean" => Scalar::Boolean,
            _ => return None,
        })
    }
}

/// The shape of a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// Any JSON value, null included.
    Any,
    /// A scalar; `nullable` when the chart's schema allows null.
    Scalar { ty: Scalar, nullable: bool },
    /// An integer or a string: Kubernetes quantities such as `500m`, which users also write as `1`.
    IntOrString,
    /// An object with known properties; `open` keeps (and accepts) unknown keys too.
    Object {
        props: BTreeMap<String, Field>,
        open: bool,
    },
    /// A list whose elements all have the item shape.
    Array(Box<Shape>),
}

/// A property of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub shape: Shape,
    pub description: Option<String>,
    pub origin: Origin,
    /// Validation keywords copied from values.schema.json (enum, minimum, pattern, ...).
    pub constraints: Map<String, Value>,
}

impl Field {
    fn new(shape: Shape, origin: Origin) -> Self {
        Field {
            shape,
            description: None,
            origin,
            constraints: Map::new(),
        }
    }
}

/// Field counts of one kind by origin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub from_schema: usize,
    pub inferred: usize,
    pub extensions: usize,
}

/// Infers the shape of a values.yaml default. `free_form` tells whether a path is treated as
/// free-form by the chart (passed whole to `toYaml` and the like).
pub fn infer(
    value: &Value,
    path: &mut Vec<String>,
    free_form: &dyn Fn(&[String]) -> bool,
) -> Shape {
    match value {
        Value::Null => Shape::Any,
        Value::Bool(_) => scalar(Scalar::Boolean),
        Value::Number(n) if n.is_f64() => scalar(Scalar::Number),
        Value::Number(_) => scalar(Scalar::Integer),
        Value::String(s) if is_quantity(s) => Shape::IntOrString,
        Value::String(_) => scalar(Scalar::String),
        Value::Array(items) => {
            let item = items
                .iter()
                .map(|v| infer(v, path, free_form))
                .reduce(merge)
                .unwrap_or(Shape::Any);
            Shape::Array(Box::new(item))
        }
        Value::Object(map) => {
            if !map.keys().all(|k| is_identifier(k)) {
                // Keyed by data, not by field names: a free-form map.
                return Shape::Object {
                    props: BTreeMap::new(),
                    open: true,
                };
            }
            let open = map.is_empty() || free_form(path);
            let props = map
                .iter()
                .map(|(k, v)| {
                    path.push(k.clone());
                    let field = Field::new(infer(v, path, free_form), Origin::Inferred);
                    path.pop();
                    (k.clone(), field)
                })
                .collect();
            Shape::Object { props, open }
        }
    }
}

fn scalar(ty: Scalar) -> Shape {
    Shape::Scalar {
        ty,
        nullable: false,
    }
}

/// A Kubernetes quantity with a unit suffix (`500m`, `512Mi`, `1Gi`, `2k`).
fn is_quantity(text: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m", "k", "M", "G", "T", "P", "E",
    ];
    SUFFIXES.iter().any(|suffix| {
        text.strip_suffix(suffix).is_some_and(|number| {
            let mut parts = number.splitn(2, '.');
            let whole = parts.next().unwrap_or("");
            let fraction = parts.next().unwrap_or("0");
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && !fraction.is_empty()
                && fraction.bytes().all(|b| b.is_ascii_digit())
        })
    })
}

/// Keys that look like field names rather than data (a map keyed by `app.kubernetes.io/name`
/// is data, so it stays free-form).
fn is_identifier(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !key.starts_with(|c: char| c.is_ascii_digit())
}

/// The shape that accepts what both shapes accept (used for list elements).
pub fn merge(a: Shape, b: Shape) -> Shape {
    match (a, b) {
        (a, b) if a == b => a,
        (Shape::Scalar { ty: x, nullable: n }, Shape::Scalar { ty: y, nullable: m })
            if matches!(
                (x, y),
                (Scalar::Integer, Scalar::Number) | (Scalar::Number, Scalar::Integer)
            ) =>
        {
            Shape::Scalar {
                ty: Scalar::Number,
                nullable: n || m,
            }
        }
        (
            Shape::Object {
                props: mut left,
                open: lo,
            },
            Shape::Object {
                props: right,
                open: ro,
            },
        ) => {
            for (key, field) in right {
                let merged = match left.remove(&key) {
                    Some(existing) => Field {
                        shape: merge(existing.shape, field.shape),
                        ..existing
                    },
                    None => field,
                };
                left.insert(key, merged);
            }
            Shape::Object {
                props: left,
                open: lo || ro,
            }
        }
        (Shape::Array(x), Shape::Array(y)) => Shape::Array(Box::new(merge(*x, *y))),
        (Shape::IntOrString, Shape::Scalar { ty, .. })
        | (Shape::Scalar { ty, .. }, Shape::IntOrString)
            if matches!(ty, Scalar::String | Scalar::Integer) =>
        {
            Shape::IntOrString
        }
        _ => Shape::Any,
    }
}

/// Keywords of values.schema.json that structural CRD schemas accept and that we carry over.
const CONSTRAINTS: &[&str] = &[
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
];

/// Converts a values.schema.json (sub)schema into a shape. Constructs a CRD schema cannot express
/// (`anyOf`, `$ref`, type unions) become [`Shape::Any`], which accepts at least as much.
pub fn from_json_schema(schema: &Value) -> Field {
    let mut field = Field::new(Shape::Any, Origin::Schema);
    let Some(obj) = schema.as_object() else {
        return field;
    };
    field.description = obj
        .get("description")
        .or_else(|| obj.get("title"))
        .and_then(Value::as_str)
        .map(str::to_string);
    if ["anyOf", "oneOf", "allOf", "$ref", "not"]
        .iter()
        .any(|k| obj.contains_key(*k))
    {
        return field;
    }
    let (ty, nullable) = match obj.get("type") {
        Some(Value::String(t)) => (Some(t.as_str()), false),
        Some(Value::Array(ts)) => {
            let names: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
            let non_null: Vec<&str> = names.iter().copied().filter(|t| *t != "null").collect();
            match non_null.as_slice() {
                [one] => (Some(*one), names.len() > 1),
                _ => return field,
            }
        }
        _ if obj.contains_key("properties") => (Some("object"), false),
        _ => return field,
    };
    field.shape = match ty {
        Some("object") => object_from_json_schema(obj),
        Some("array") => Shape::Array(Box::new(
            obj.get("items")
                .map(|items| from_json_schema(items).shape)
                .unwrap_or(Shape::Any),
        )),
        Some(name) => match Scalar::parse(name) {
            Some(ty) => Shape::Scalar { ty, nullable },
            None => Shape::Any,
        },
        None => Shape::Any,
    };
    if matches!(field.shape, Shape::Scalar { .. } | Shape::Array(_)) {
        for key in CONSTRAINTS {
            if let Some(v) = obj.get(*key) {
                field.constraints.insert((*key).to_string(), v.clone());
            }
        }
    }
    field
}

fn object_from_json_schema(obj: &Map<String, Value>) -> Shape {
    let props = obj
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(k, v)| (k.clone(), from_json_schema(v)))
                .collect()
        })
        .unwrap_or_default();
    let open = obj.get("additionalProperties") != Some(&Value::Bool(false));
    Shape::Object { props, open }
}

/// Lays the chart's schema over the inferred shape: the chart's word wins where it speaks,
/// inferred fields stay where it is silent.
pub fn overlay(inferred: Shape, schema: Field) -> Field {
    match (inferred, schema.shape) {
        (
            Shape::Object {
                props: mut base, ..
            },
            Shape::Object { props, open },
        ) => {
            for (key, field) in props {
                let merged = match base.remove(&key) {
                    Some(existing) => overlay(existing.shape, field),
                    None => field,
                };
                base.insert(key, merged);
            }
            Field {
                shape: Shape::Object { props: base, open },
                ..schema
            }
        }
        (_, shape) => Field { shape, ..schema },
    }
}

/// Sets descriptions from values.yaml comments where the schema has none.
pub fn describe(shape: &mut Shape, path: &mut Vec<String>, docs: &BTreeMap<Vec<String>, String>) {
    if let Shape::Object { props, .. } = shape {
        for (key, field) in props.iter_mut() {
            path.push(key.clone());
            if field.description.is_none() {
                field.description = docs.get(path.as_slice()).cloned();
            }
            describe(&mut field.shape, path, docs);
            path.pop();
        }
    }
}

/// Finds the field at a path of keys, if the shape has it.
pub fn field_at<'a>(shape: &'a mut Shape, path: &[&str]) -> Option<&'a mut Field> {
    let (first, rest) = path.split_first()?;
    let Shape::Object { props, .. } = shape else {
        return None;
    };
    let field = props.get_mut(*first)?;
    if rest.is_empty() {
        Some(field)
    } else {
        field_at(&mut field.shape, rest)
    }
}

/// Adds a rudder extension field at `path` (creating closed parent objects as needed), or
/// documents it when the chart already has the key.
pub fn add_extension(
    root: &mut Shape,
    path: &[&str],
    ty: Scalar,
    description: &str,
) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        return Err("empty extension path".into());
    };
    let mut shape = root;
    for key in parents {
        let Shape::Object { props, .. } = shape else {
            return Err(format!("extension parent `{key}` is not an object"));
        };
        shape = &mut props
            .entry((*key).to_string())
            .or_insert_with(|| {
                Field::new(
                    Shape::Object {
                        props: BTreeMap::new(),
                        open: false,
                    },
                    Origin::Extension,
                )
            })
            .shape;
    }
    let Shape::Object { props, .. } = shape else {
        return Err(format!("extension parent of `{last}` is not an object"));
    };
    let note = format!("rudder: {description}");
    let field = props
        .entry((*last).to_string())
        .or_insert_with(|| Field::new(scalar(ty), Origin::Extension));
    field.description = Some(match field.description.take() {
        Some(existing) => format!("{existing}\n\n{note}"),
        None => note,
    });
    Ok(())
}

/// Counts the fields (object properties at any depth, list items included) by origin.
pub fn count(shape: &Shape) -> Counts {
    let mut counts = Counts::default();
    count_into(shape, &mut counts);
    counts
}

fn count_into(shape: &Shape, counts: &mut Counts) {
    match shape {
        Shape::Object { props, .. } => {
            for field in props.values() {
                counts.total += 1;
                match field.origin {
                    Origin::Schema => counts.from_schema += 1,
                    Origin::Inferred => counts.inferred += 1,
                    Origin::Extension => counts.extensions += 1,
                }
                count_into(&field.shape, counts);
            }
        }
        Shape::Array(item) => count_into(item, counts),
        Shape::Any | Shape::Scalar { .. } | Shape::IntOrString => {}
    }
}

/// The structural OpenAPI v3 schema of a shape, as the CRD's `spec` schema wants it.
pub fn crd_schema(
    shape: &Shape,
    description: Option<&str>,
    constraints: &Map<String, Value>,
) -> Value {
    let mut out = Map::new();
    if let Some(d) = description {
        out.insert("description".into(), json!(d));
    }
    match shape {
        Shape::Any => {
            out.insert("nullable".into(), json!(true));
            out.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
        }
        Shape::Scalar { ty, nullable } => {
            out.insert("type".into(), json!(ty.name()));
            if *nullable {
                out.insert("nullable".into(), json!(true));
            }
        }
        Shape::IntOrString => {
            out.insert("x-kubernetes-int-or-string".into(), json!(true));
        }
        Shape::Object { props, open } => {
            out.insert("type".into(), json!("object"));
            if !props.is_empty() {
                let props: Map<String, Value> = props
                    .iter()
                    .map(|(k, f)| {
                        let schema = crd_schema(&f.shape, f.description.as_deref(), &f.constraints);
                        (k.clone(), schema)
                    })
                    .collect();
                out.insert("properties".into(), Value::Object(props));
            }
            if *open {
                out.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
            }
        }
        Shape::Array(item) => {
            out.insert("type".into(), json!("array"));
            out.insert("items".into(), crd_schema(item, None, &Map::new()));
        }
    }
    for (k, v) in constraints {
        out.insert(k.clone(), v.clone());
    }
    Value::Object(out)
}

/// The JSON Schema `typify` turns into Rust types: every property optional and nullable (so it
/// becomes `Option<T>` skipped when absent), closed objects deny unknown fields, open objects
/// flatten unknown keys into an `extra` map, and no defaults or formats that would make the
/// generated types change what they read.
pub fn typify_schema(shape: &Shape, description: Option<&str>, nullable: bool) -> Value {
    let mut out = Map::new();
    if let Some(d) = description {
        out.insert("description".into(), json!(rust_doc(d)));
    }
    let with_null = |ty: &str| {
        if nullable {
            json!([ty, "null"])
        } else {
            json!(ty)
        }
    };
    match shape {
        // Kept as a JSON value: an integer and a string must both come back as written.
        Shape::Any | Shape::IntOrString => {}
        Shape::Scalar { ty, .. } => {
            out.insert("type".into(), with_null(ty.name()));
        }
        Shape::Object { props, open } => {
            out.insert("type".into(), with_null("object"));
            let props: Map<String, Value> = props
                .iter()
                .map(|(k, f)| {
                    (
                        k.clone(),
                        typify_schema(&f.shape, f.description.as_deref(), true),
                    )
                })
                .collect();
            let additional = if *open { json!({}) } else { json!(false) };
            if props.is_empty() {
                out.insert("additionalProperties".into(), json!({}));
            } else {
                out.insert("properties".into(), Value::Object(props));
                out.insert("additionalProperties".into(), additional);
            }
        }
        Shape::Array(item) => {
            out.insert("type".into(), with_null("array"));
            out.insert("items".into(), typify_schema(item, None, false));
        }
    }
    Value::Object(out)
}

/// A description as Rust doc text: fenced as `text`, so rustdoc neither renders YAML examples as
/// markdown nor runs them as doctests.
fn rust_doc(description: &str) -> String {
    format!("```text\n{}\n```", description.replace("```", "'''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never(_: &[String]) -> bool {
        false
    }

    fn infer_json(v: Value) -> Shape {
        infer(&v, &mut Vec::new(), &never)
    }

    #[test]
    fn scalars_objects_and_empty_collections() {
        let shape = infer_json(json!({
            "port": 80, "ratio": 0.5, "on": true, "name": "x", "gid": null,
            "annotations": {}, "extra": [], "labels": {"app.kubernetes.io/name": "x"}
        }));
        let schema = crd_schema(&shape, None, &Map::new());
        let p = &schema["properties"];
        assert_eq!(p["port"]["type"], "integer");
        assert_eq!(p["ratio"]["type"], "number");
        assert_eq!(p["on"]["type"], "boolean");
        assert_eq!(p["name"]["type"], "string");
        assert_eq!(p["gid"]["x-kubernetes-preserve-unknown-fields"], true);
        assert_eq!(p["gid"]["nullable"], true);
        assert!(p["gid"].get("type").is_none());
        assert_eq!(p["annotations"]["type"], "object");
        assert_eq!(
            p["annotations"]["x-kubernetes-preserve-unknown-fields"],
            true
        );
        assert_eq!(
            p["extra"]["items"]["x-kubernetes-preserve-unknown-fields"],
            true
        );
        assert_eq!(p["labels"]["x-kubernetes-preserve-unknown-fields"], true);
        assert!(p["labels"].get("properties").is_none());
        assert!(schema.get("x-kubernetes-preserve-unknown-fields").is_none());
    }

    #[test]
    fn quantities_accept_integers_and_strings() {
        let shape =
            infer_json(json!({"cpu": "500m", "memory": "1.5Gi", "tag": "1.0.0", "name": "m"}));
        let schema = crd_schema(&shape, None, &Map::new());
        let p = &schema["properties"];
        assert_eq!(p["cpu"], json!({"x-kubernetes-int-or-string": true}));
        assert_eq!(p["memory"], json!({"x-kubernetes-int-or-string": true}));
        assert_eq!(p["tag"]["type"], "string");
        assert_eq!(p["name"]["type"], "string");
        assert_eq!(
            merge(Shape::IntOrString, scalar(Scalar::Integer)),
            Shape::IntOrString
        );
    }

    #[test]
    fn list_items_merge_all_elements() {
        let shape = infer_json(
            json!({"ports": [{"name": "a", "port": 1}, {"name": "b", "protocol": "TCP", "port": 1.5}]}),
        );
        let schema = crd_schema(&shape, None, &Map::new());
        let item = &schema["properties"]["ports"]["items"];
        assert_eq!(item["properties"]["protocol"]["type"], "string");
        assert_eq!(item["properties"]["name"]["type"], "string");
        assert_eq!(item["properties"]["port"]["type"], "number");
    }

    #[test]
    fn conflicting_elements_become_any() {
        assert_eq!(
            merge(scalar(Scalar::String), scalar(Scalar::Boolean)),
            Shape::Any
        );
    }

    #[test]
    fn free_form_paths_stay_open_but_typed() {
        let ff = |p: &[String]| p == ["resources".to_string()];
        let shape = infer(
            &json!({"resources": {"limits": {"cpu": "1"}}}),
            &mut Vec::new(),
            &ff,
        );
        let schema = crd_schema(&shape, None, &Map::new());
        let r = &schema["properties"]["resources"];
        assert_eq!(r["x-kubernetes-preserve-unknown-fields"], true);
        assert_eq!(
            r["properties"]["limits"]["properties"]["cpu"]["type"],
            "string"
        );
    }

    #[test]
    fn chart_schema_overrides_and_inference_fills_in() {
        let inferred =
            infer_json(json!({"replicaCount": 1, "image": {"tag": "x", "registry": "r"}}));
        let chart = from_json_schema(&json!({
            "type": "object",
            "properties": {
                "replicaCount": {"type": "integer", "description": "Replicas", "minimum": 0, "form": true},
                "image": {"type": "object", "properties": {"tag": {"type": ["string", "null"]}}}
            }
        }));
        let field = overlay(inferred, chart);
        let counts = count(&field.shape);
        assert_eq!(
            counts,
            Counts {
                total: 4,
                from_schema: 3,
                inferred: 1,
                extensions: 0
            }
        );
        let schema = crd_schema(&field.shape, None, &Map::new());
        let p = &schema["properties"];
        assert_eq!(p["replicaCount"]["minimum"], 0);
        assert_eq!(p["replicaCount"]["description"], "Replicas");
        assert!(p["replicaCount"].get("form").is_none());
        assert_eq!(p["image"]["properties"]["tag"]["nullable"], true);
        assert_eq!(p["image"]["properties"]["registry"]["type"], "string");
        assert_eq!(
            p["image"]["x-kubernetes-preserve-unknown-fields"], true,
            "no additionalProperties: false means open"
        );
    }

    #[test]
    fn extensions_document_or_add_fields() {
        let mut shape = infer_json(json!({"image": {"pullSecret": ""}}));
        add_extension(
            &mut shape,
            &["image", "pullSecret"],
            Scalar::String,
            "pull secret",
        )
        .expect("add");
        add_extension(&mut shape, &["rollout", "paused"], Scalar::Boolean, "pause").expect("add");
        let counts = count(&shape);
        assert_eq!(counts.extensions, 2, "rollout and rollout.paused");
        let schema = crd_schema(&shape, None, &Map::new());
        assert_eq!(
            schema["properties"]["image"]["properties"]["pullSecret"]["description"],
            "rudder: pull secret"
        );
        assert_eq!(
            schema["properties"]["rollout"]["properties"]["paused"]["type"],
            "boolean"
        );
    }

    #[test]
    fn typify_schema_is_nullable_and_default_free() {
        let shape = infer_json(json!({"a": {"b": [1]}, "c": {}}));
        let s = typify_schema(&shape, None, false);
        assert_eq!(s["type"], "object");
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["properties"]["a"]["type"], json!(["object", "null"]));
        assert_eq!(
            s["properties"]["a"]["properties"]["b"]["items"]["type"],
            "integer"
        );
        assert_eq!(s["properties"]["c"]["additionalProperties"], json!({}));
        assert!(!s.to_string().contains("default"));
        let documented = typify_schema(&shape, Some("a\n```\nb"), false);
        assert_eq!(documented["description"], "```text\na\n'''\nb\n```");
    }

    #[test]
    fn descriptions_fill_only_gaps() {
        let mut shape = infer_json(json!({"image": {"tag": "x"}}));
        let docs = BTreeMap::from([
            (vec!["image".to_string()], "Image".to_string()),
            (
                vec!["image".to_string(), "tag".to_string()],
                "Tag".to_string(),
            ),
        ]);
        describe(&mut shape, &mut Vec::new(), &docs);
        let schema = crd_schema(&shape, None, &Map::new());
        assert_eq!(schema["properties"]["image"]["description"], "Image");
        assert_eq!(
            schema["properties"]["image"]["properties"]["tag"]["description"],
            "Tag"
        );
    }
}
