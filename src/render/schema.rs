//! `values.schema.json` validation as Helm v4.1.4 does it
//! (`pkg/chart/common/util/jsonschema.go` `ValidateAgainstSchema`).
//!
//! Helm validates the chart's final values against its schema, then recurses into every
//! dependency with `values[<dependency name>]` (skipped when absent or null, an error when
//! not a map). Helm uses santhosh-tekuri/jsonschema v6 (draft 2020-12 unless `$schema` says
//! otherwise; formats asserted only for drafts before 2019-09); this module uses the
//! `jsonschema` crate with the same drafts and rewrites its errors in santhosh-tekuri's
//! words, e.g. `- at '/server/ha/replicas': got string, want integer`.
//!
//! A schema that its meta-schema rejects gets santhosh-tekuri's heading (`"file:///values.schema.json#"
//! is not valid against metaschema: jsonschema validation failed with 'URL'`) and the
//! violations located in the schema document.
//!
//! Known differences: santhosh-tekuri nests the causes of `anyOf`/`oneOf`/`allOf` and of
//! failing `$ref`s under the failing keyword; here only the keyword line is printed. Errors
//! are grouped under `validation failed` lines by instance location as santhosh-tekuri
//! groups errors of one subschema. Helm's own line order is random (Go map iteration); ours
//! follows the schema.

use serde_json::{Map, Value};

use crate::chart::Chart;

mod quick;
use crate::template::gofmt::format_float;

/// Why values do not meet a chart's schema; `Display` is Helm's message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("values don't meet the specifications of the schema(s) in the following chart(s):\n{0}")]
pub struct SchemaError(pub String);

/// Helm's `ValidateAgainstSchema`: validates `values` against `chart`'s schema and each
/// dependency's schema against `values[dependency name]`, recursively.
///
/// `chart.dependencies` must be the enabled dependencies with their final names (aliases
/// applied), as Helm validates after processing dependencies.
pub fn validate_chart_values(
    chart: &Chart,
    values: &Map<String, Value>,
) -> Result<(), SchemaError> {
    let report = chart_report(chart, values);
    if report.is_empty() {
        Ok(())
    } else {
        Err(SchemaError(report))
    }
}

/// Whether any chart of the tree has a `values.schema.json`, i.e. whether validation has
/// anything to do.
pub fn has_schema(chart: &Chart) -> bool {
    chart.schema.is_some() || chart.dependencies.iter().any(has_schema)
}

/// The size in bytes of every `values.schema.json` in the chart tree: how much compiling
/// and validating will cost, roughly.
pub fn schema_bytes(chart: &Chart) -> usize {
    chart.schema.as_ref().map_or(0, |s| s.len())
        + chart.dependencies.iter().map(schema_bytes).sum::<usize>()
}

fn chart_report(chart: &Chart, values: &Map<String, Value>) -> String {
    let mut sb = String::new();
    if let Some(schema) = &chart.schema
        && let Err(e) = validate_single(values, schema)
    {
        sb.push_str(chart.name());
        sb.push_str(":\n");
        sb.push_str(&e);
    }
    for dep in &chart.dependencies {
        match values.get(dep.name()) {
            None | Some(Value::Null) => {}
            Some(Value::Object(sub)) => sb.push_str(&chart_report(dep, sub)),
            Some(other) => sb.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                dep.name(),
                go_type(other)
            )),
        }
    }
    sb
}

/// Go's `%T` of a values entry.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Helm's `ValidateAgainstSingleSchema`: the error text (violations end with a newline).
pub fn validate_single(values: &Map<String, Value>, schema: &[u8]) -> Result<(), String> {
    let schema: Value = serde_json::from_slice(schema).map_err(|e| e.to_string())?;
    // Valid values are the common case, and proving them valid does not need a compiled
    // validator (see `quick`); the errors' wording does.
    if quick::proves_valid(&schema, values) {
        return Ok(());
    }
    full_validation(&schema, values)
}

/// Validation with a validator compiled from the whole schema: every violation, worded.
fn full_validation(schema: &Value, values: &Map<String, Value>) -> Result<(), String> {
    let old_draft = schema
        .get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|s| {
            ["draft-04", "draft-06", "draft-07"]
                .iter()
                .any(|d| s.contains(d))
        });
    let validator = match jsonschema::options()
        .should_validate_formats(old_draft)
        .build(schema)
    {
        Ok(validator) => validator,
        Err(e) => return Err(metaschema_report(schema).unwrap_or_else(|| e.to_string())),
    };
    let instance = Value::Object(values.clone());
    match violations_report(validator.iter_errors(&instance)) {
        Some(report) => Err(report),
        None => Ok(()),
    }
}

/// The URL santhosh-tekuri names for the meta-schema `$schema` selects (2020-12 by default),
/// with the `jsonschema` crate's validator for it; `None` for meta-schemas it would have to
/// fetch.
fn metaschema_for(
    schema: &Value,
) -> Option<(&'static str, jsonschema::meta::MetaValidator<'static>)> {
    let declared = schema.get("$schema").and_then(Value::as_str);
    let key = declared.map(|s| {
        s.trim_end_matches('#')
            .trim_start_matches("https://")
            .trim_start_matches("http://")
    });
    Some(match key {
        None | Some("json-schema.org/draft/2020-12/schema") => (
            "https://json-schema.org/draft/2020-12/schema#",
            jsonschema::draft202012::meta::validator(),
        ),
        Some("json-schema.org/draft/2019-09/schema") => (
            "https://json-schema.org/draft/2019-09/schema#",
            jsonschema::draft201909::meta::validator(),
        ),
        Some("json-schema.org/draft-07/schema") => (
            "http://json-schema.org/draft-07/schema#",
            jsonschema::draft7::meta::validator(),
        ),
        Some("json-schema.org/draft-06/schema") => (
            "http://json-schema.org/draft-06/schema#",
            jsonschema::draft6::meta::validator(),
        ),
        Some("json-schema.org/draft-04/schema") => (
            "http://json-schema.org/draft-04/schema#",
            jsonschema::draft4::meta::validator(),
        ),
        Some(_) => return None,
    })
}

/// santhosh-tekuri's error for a `values.schema.json` that its meta-schema rejects:
/// `"file:///values.schema.json#" is not valid against metaschema: jsonschema validation
/// failed with 'URL'` and the violations, located in the schema document. `None` when the
/// meta-schema accepts the schema (the compile error had another cause).
fn metaschema_report(schema: &Value) -> Option<String> {
    let (url, validator) = metaschema_for(schema)?;
    let report = violations_report(validator.iter_errors(schema))?;
    Some(format!(
        "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with {}\n{}",
        quote(url),
        report.trim_end_matches('\n')
    ))
}

/// Violations in santhosh-tekuri's words and tree layout, one per line, ending with a
/// newline; `None` when there are none.
fn violations_report<'a>(
    errors: impl Iterator<Item = jsonschema::ValidationError<'a>>,
) -> Option<String> {
    let raw: Vec<Raw> = errors
        .map(|e| Raw {
            path: e
                .instance_path()
                .iter()
                .map(|seg| match seg {
                    jsonschema::paths::LocationSegment::Property(p) => p.to_string(),
                    jsonschema::paths::LocationSegment::Index(i) => i.to_string(),
                })
                .collect(),
            schema: e.schema_path().as_str().to_string(),
            rank: short_circuit_rank(e.kind()),
            required: match e.kind() {
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    Some(property.as_str().unwrap_or_default().to_string())
                }
                _ => None,
            },
            message: message(&e),
        })
        .collect();
    let mut errors: Vec<Violation> = Vec::new();
    for (i, e) in raw.iter().enumerate() {
        if shadowed(&raw, i) {
            continue;
        }
        // santhosh-tekuri reports all missing properties of one object in one error.
        if let Some(prop) = &e.required
            && let Some(prev) = errors
                .iter_mut()
                .find(|v| v.path == e.path && !v.missing.is_empty())
        {
            prev.missing.push(prop.clone());
            continue;
        }
        errors.push(Violation {
            path: e.path.clone(),
            message: e.message.clone(),
            missing: e.required.iter().cloned().collect(),
        });
    }
    if errors.is_empty() {
        return None;
    }
    for v in &mut errors {
        if v.missing.len() > 1 {
            let quoted: Vec<String> = v.missing.iter().map(|m| quote(m)).collect();
            v.message = format!("missing properties {}", quoted.join(", "));
        }
    }
    let mut out = String::new();
    let refs: Vec<&Violation> = errors.iter().collect();
    display(&mut out, &refs, 0, 1);
    out.push('\n');
    Some(out.trim_start_matches('\n').to_string())
}

/// One error of the `jsonschema` crate, before santhosh-tekuri's rules are applied.
struct Raw {
    path: Vec<String>,
    schema: String,
    rank: Option<u8>,
    required: Option<String>,
    message: String,
}

/// santhosh-tekuri checks `type`, `const`, `enum` and `format` first, in that order, and
/// stops validating a schema at the first that fails.
fn short_circuit_rank(kind: &jsonschema::error::ValidationErrorKind) -> Option<u8> {
    use jsonschema::error::ValidationErrorKind as K;
    match kind {
        K::Type { .. } => Some(0),
        K::Constant { .. } => Some(1),
        K::Enum { .. } => Some(2),
        K::Format { .. } => Some(3),
        _ => None,
    }
}

/// The schema location an error's keyword belongs to (`/properties/a/type` -> `/properties/a`).
fn schema_parent(schema_path: &str) -> &str {
    schema_path.rfind('/').map_or("", |i| &schema_path[..i])
}

/// Whether error `i` is not reported by santhosh-tekuri because an earlier-checked keyword
/// of the same (or an enclosing) schema failed for the same (or an enclosing) location.
fn shadowed(raw: &[Raw], i: usize) -> bool {
    let e = &raw[i];
    raw.iter().enumerate().any(|(j, b)| {
        let Some(rank) = b.rank else { return false };
        if j == i {
            return false;
        }
        let parent = schema_parent(&b.schema);
        let same_schema = schema_parent(&e.schema) == parent;
        let inside = e.schema.starts_with(&format!("{parent}/")) && e.path.starts_with(&b.path);
        if same_schema && e.path == b.path {
            return match e.rank {
                Some(r) => rank < r || (rank == r && j < i),
                None => true,
            };
        }
        inside && !same_schema
    })
}

struct Violation {
    path: Vec<String>,
    message: String,
    missing: Vec<String>,
}

/// santhosh-tekuri's tree display: errors below a common location deeper than `depth`
/// become one `validation failed` group.
fn display(out: &mut String, errs: &[&Violation], depth: usize, indent: usize) {
    let mut i = 0;
    while i < errs.len() {
        let e = errs[i];
        if e.path.len() <= depth {
            line(out, indent, &e.path, &e.message);
            i += 1;
            continue;
        }
        // Errors sharing the next segment (in order of first appearance).
        let key = &e.path[depth];
        let group: Vec<&Violation> = errs[i..]
            .iter()
            .copied()
            .filter(|x| x.path.len() > depth && &x.path[depth] == key)
            .collect();
        let rest: Vec<&Violation> = errs[i..]
            .iter()
            .copied()
            .filter(|x| !(x.path.len() > depth && &x.path[depth] == key))
            .collect();
        if group.len() == 1 {
            line(out, indent, &e.path, &e.message);
        } else {
            let common = common_prefix(&group);
            line(out, indent, &group[0].path[..common], "validation failed");
            display(out, &group, common, indent + 1);
        }
        display(out, &rest, depth, indent);
        return;
    }
}

fn common_prefix(errs: &[&Violation]) -> usize {
    let first = &errs[0].path;
    let mut n = first.len();
    for e in &errs[1..] {
        n = n.min(
            first
                .iter()
                .zip(&e.path)
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    n
}

fn line(out: &mut String, indent: usize, path: &[String], message: &str) {
    out.push('\n');
    for _ in 1..indent {
        out.push_str("  ");
    }
    out.push_str("- at ");
    out.push_str(&quote(&json_pointer(path)));
    out.push_str(": ");
    out.push_str(message);
}

fn json_pointer(path: &[String]) -> String {
    path.iter()
        .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// santhosh-tekuri's `quote`: Go's `%q` with `'` as the quote character.
fn quote(s: &str) -> String {
    let q = crate::template::gofmt::quote(s);
    let inner = &q[1..q.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

/// santhosh-tekuri's JSON type names (every number is `number`).
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// santhosh-tekuri's `display` of a primitive.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Array(_) | Value::Object(_) => "value".into(),
        Value::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

/// Go's `%v` of a float64.
fn num(v: &Value) -> String {
    v.as_f64()
        .map(|f| format_float(f, 'g', -1))
        .unwrap_or_else(|| v.to_string())
}

fn message(e: &jsonschema::ValidationError<'_>) -> String {
    let (kind, instance) = (e.kind(), e.instance().as_ref());
    use jsonschema::error::{TypeKind, ValidationErrorKind as K};
    let len = |v: &Value| match v {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    };
    match kind {
        K::Type { kind } => {
            let mut want: Vec<String> = match kind {
                TypeKind::Single(t) => vec![t.to_string()],
                TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
            };
            // santhosh-tekuri's order: null, boolean, number, integer, string, array, object.
            let rank = |t: &String| {
                [
                    "null", "boolean", "number", "integer", "string", "array", "object",
                ]
                .iter()
                .position(|n| n == t)
            };
            want.sort_by_key(rank);
            format!("got {}, want {}", type_name(instance), want.join(" or "))
        }
        K::Required { property } => {
            format!(
                "missing property {}",
                quote(property.as_str().unwrap_or_default())
            )
        }
        K::AdditionalProperties { unexpected } => {
            let q: Vec<String> = unexpected.iter().map(|p| quote(p)).collect();
            format!("additional properties {} not allowed", q.join(", "))
        }
        K::Enum { options } => match options.as_array() {
            Some(opts) if opts.iter().all(|o| !o.is_array() && !o.is_object()) => {
                if opts.len() == 1 {
                    format!("value must be {}", show(&opts[0]))
                } else {
                    let s: Vec<String> = opts.iter().map(show).collect();
                    format!("value must be one of {}", s.join(", "))
                }
            }
            _ => "'enum' failed".into(),
        },
        K::Constant { expected_value } => match expected_value.as_ref() {
            Value::Array(_) | Value::Object(_) => "'const' failed".into(),
            v => format!("value must be {}", show(v)),
        },
        K::Minimum { limit } => format!("minimum: got {}, want {}", num(instance), num(limit)),
        K::Maximum { limit } => format!("maximum: got {}, want {}", num(instance), num(limit)),
        K::ExclusiveMinimum { limit } => {
            format!(
                "exclusiveMinimum: got {}, want {}",
                num(instance),
                num(limit)
            )
        }
        K::ExclusiveMaximum { limit } => {
            format!(
                "exclusiveMaximum: got {}, want {}",
                num(instance),
                num(limit)
            )
        }
        K::MultipleOf { multiple_of } => format!(
            "multipleOf: got {}, want {}",
            num(instance),
            format_float(*multiple_of, 'g', -1)
        ),
        K::MinLength { limit } => format!("minLength: got {}, want {limit}", len(instance)),
        K::MaxLength { limit } => format!("maxLength: got {}, want {limit}", len(instance)),
        K::MinItems { limit } => format!("minItems: got {}, want {limit}", len(instance)),
        K::MaxItems { limit } => format!("maxItems: got {}, want {limit}", len(instance)),
        K::MinProperties { limit } => format!("minProperties: got {}, want {limit}", len(instance)),
        K::MaxProperties { limit } => format!("maxProperties: got {}, want {limit}", len(instance)),
        K::Pattern { pattern } => format!(
            "{} does not match pattern {}",
            quote(instance.as_str().unwrap_or_default()),
            quote(pattern)
        ),
        K::Format { format } => format!("{} is not valid {format}", show(instance)),
        K::UniqueItems => {
            let (a, b) = duplicates(instance);
            format!("items at {a} and {b} are equal")
        }
        K::AdditionalItems { limit } => format!(
            "last {} additionalItem(s) not allowed",
            len(instance).saturating_sub(*limit)
        ),
        K::Not { .. } => "'not' failed".into(),
        K::AnyOf { .. } => "'anyOf' failed".into(),
        K::OneOfNotValid { .. } => "'oneOf' failed, none matched".into(),
        K::OneOfMultipleValid { .. } => "'oneOf' failed, more than one matched".into(),
        K::FalseSchema => "false schema".into(),
        K::Contains => "no items match contains schema".into(),
        _ => e.to_string(),
    }
}

/// The first pair of equal items of an array.
fn duplicates(v: &Value) -> (usize, usize) {
    if let Value::Array(a) = v {
        for j in 1..a.len() {
            for i in 0..j {
                if a[i] == a[j] {
                    return (i, j);
                }
            }
        }
    }
    (0, 0)
}

#[cfg(test)]
mod tests;
