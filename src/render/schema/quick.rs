//! A fast proof that values meet a schema, for the common case where they do.
//!
//! Compiling a schema with the `jsonschema` crate builds a validator for every subschema,
//! whether or not the values reach it: for Bitnami's 150 KB `values.schema.json` files that
//! is most of a render's allocations. Most charts' schemas only use a handful of keywords
//! (`type`, `properties`, `items`, `required`, `enum`, bounds) and annotations, so this
//! module walks the schema and the values together and answers:
//!
//! - `true`: the values are valid and the schema is one its meta-schema accepts (every
//!   keyword read here has a well-formed value), so Helm would report nothing;
//! - `false`: the schema uses a keyword or a form this module does not decide (`$ref`,
//!   `pattern`, combinators, `format` where it is asserted, ...), or the values fail a check.
//!
//! `false` sends the caller to the full validator, which also words the errors; a `false`
//! is never wrong, only slower. Keywords no draft defines are ignored, as every draft does.

use serde_json::{Map, Value};

/// Largest integer an `f64` holds exactly; bounds and enum members beyond it are left to
/// the full validator.
const EXACT_F64: u64 = 1 << 53;

/// The drafts whose semantics this module follows for its keywords.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Draft {
    /// 2019-09 and 2020-12: `format` is an annotation.
    Modern,
    /// Draft 6 and 7: `format` is asserted (Helm's validator does for drafts before 2019-09).
    Classic,
}

/// Whether `values` provably meet `schema` (a whole `values.schema.json` document); `false`
/// when the full validator has to decide (see the module documentation).
pub fn proves_valid(schema: &Value, values: &Map<String, Value>) -> bool {
    prove(schema, values).is_some()
}

/// [`proves_valid`]: `None` as soon as something is undecided or invalid.
fn prove(schema: &Value, values: &Map<String, Value>) -> Option<()> {
    let draft = draft(schema)?;
    let walk = Walk { draft };
    let Value::Object(s) = schema else {
        return bool_schema(schema);
    };
    walk.shapes(s, true)?;
    // `enum` and `const` at the top would compare the whole values map: left to the full
    // validator.
    if s.contains_key("enum") || s.contains_key("const") {
        return None;
    }
    if let Some(t) = s.get("type")
        && !type_allows(t, Kind::Object)?
    {
        return None;
    }
    walk.object(s, values)?;
    walk.unreached_array(s)
}

/// The draft `$schema` names; `None` for draft 4 and meta-schemas that are not drafts.
fn draft(schema: &Value) -> Option<Draft> {
    let Some(declared) = schema.get("$schema") else {
        return Some(Draft::Modern);
    };
    let key = declared
        .as_str()?
        .trim_end_matches('#')
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    match key {
        // The version-less URL names the current draft, 2020-12, for both validators.
        "json-schema.org/draft/2020-12/schema"
        | "json-schema.org/draft/2019-09/schema"
        | "json-schema.org/schema" => Some(Draft::Modern),
        "json-schema.org/draft-07/schema" | "json-schema.org/draft-06/schema" => {
            Some(Draft::Classic)
        }
        _ => None,
    }
}

/// One walk over a schema document.
struct Walk {
    draft: Draft,
}

impl Walk {
    /// Validates `instance` against `schema`; `None` when undecided or invalid.
    fn schema(&self, schema: &Value, instance: &Value) -> Option<()> {
        let Value::Object(s) = schema else {
            return bool_schema(schema);
        };
        self.shapes(s, false)?;
        if let Some(t) = s.get("type")
            && !type_allows(t, kind(instance)?)?
        {
            return None;
        }
        if let Some(Value::Array(options)) = s.get("enum")
            && !json_eq_any(options, instance)?
        {
            return None;
        }
        if let Some(c) = s.get("const")
            && !json_eq(c, instance)?
        {
            return None;
        }
        match instance {
            Value::Object(m) => self.object(s, m)?,
            _ => self.unreached_object(s)?,
        }
        match instance {
            Value::Array(items) => self.array(s, items)?,
            _ => self.unreached_array(s)?,
        }
        match instance {
            Value::String(text) => within(s, "minLength", "maxLength", text.chars().count()),
            Value::Number(_) => number(s, instance),
            _ => Some(()),
        }
    }

    /// A subschema no value reaches: it must still be one the meta-schema accepts.
    fn unreached(&self, schema: &Value) -> Option<()> {
        let s = match schema {
            Value::Object(s) => s,
            Value::Bool(_) => return Some(()),
            _ => return None,
        };
        self.shapes(s, false)?;
        self.unreached_object(s)?;
        self.unreached_array(s)
    }

    /// Checks the shape of every keyword's value (the meta-schema's part), and refuses
    /// keywords this module does not decide.
    fn shapes(&self, s: &Map<String, Value>, root: bool) -> Option<()> {
        for (key, value) in s {
            let ok = match key.as_str() {
                "type" => type_allows(value, Kind::Null).is_some(),
                "properties" => value.is_object(),
                "additionalProperties" | "items" => value.is_object() || value.is_boolean(),
                "required" => string_set(value),
                "enum" => value.as_array().is_some_and(|o| o.iter().all(comparable)),
                "const" => comparable(value),
                "minimum" | "maximum" => exact_f64(value).is_some(),
                "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties"
                | "maxProperties" => value.as_u64().is_some(),
                "$schema" => root,
                "default" => true,
                "title" | "description" | "$comment" | "contentEncoding" | "contentMediaType" => {
                    value.is_string()
                }
                "format" => value.is_string() && self.draft == Draft::Modern,
                "deprecated" | "readOnly" | "writeOnly" => value.is_boolean(),
                "examples" => value.is_array(),
                other => !KNOWN_KEYWORDS.contains(&other),
            };
            if !ok {
                return None;
            }
        }
        Some(())
    }

    /// The object keywords against the object `m`.
    fn object(&self, s: &Map<String, Value>, m: &Map<String, Value>) -> Option<()> {
        if let Some(Value::Array(req)) = s.get("required")
            && !req
                .iter()
                .all(|n| n.as_str().is_some_and(|n| m.contains_key(n)))
        {
            return None;
        }
        within(s, "minProperties", "maxProperties", m.len())?;
        let properties = s.get("properties").and_then(Value::as_object);
        if let Some(props) = properties {
            for (name, sub) in props {
                match m.get(name) {
                    Some(v) => self.schema(sub, v)?,
                    None => self.unreached(sub)?,
                }
            }
        }
        if let Some(extra) = s.get("additionalProperties") {
            let mut reached = false;
            for (name, v) in m {
                if !properties.is_some_and(|p| p.contains_key(name)) {
                    reached = true;
                    self.schema(extra, v)?;
                }
            }
            if !reached {
                self.unreached(extra)?;
            }
        }
        Some(())
    }

    /// The object keywords' subschemas, for an instance that is not an object.
    fn unreached_object(&self, s: &Map<String, Value>) -> Option<()> {
        if let Some(Value::Object(props)) = s.get("properties") {
            props.values().try_for_each(|sub| self.unreached(sub))?;
        }
        if let Some(extra) = s.get("additionalProperties") {
            self.unreached(extra)?;
        }
        Some(())
    }

    /// The array keywords against the array `items`.
    fn array(&self, s: &Map<String, Value>, items: &[Value]) -> Option<()> {
        within(s, "minItems", "maxItems", items.len())?;
        match s.get("items") {
            Some(item_schema) if !items.is_empty() => items
                .iter()
                .try_for_each(|item| self.schema(item_schema, item)),
            Some(item_schema) => self.unreached(item_schema),
            None => Some(()),
        }
    }

    /// The array keywords' subschema, for an instance that is not an array.
    fn unreached_array(&self, s: &Map<String, Value>) -> Option<()> {
        match s.get("items") {
            Some(item_schema) => self.unreached(item_schema),
            None => Some(()),
        }
    }
}

/// Every keyword of drafts 4 to 2020-12. A keyword outside this list is ignored by every
/// draft; one inside it and not decided here sends the schema to the full validator.
const KNOWN_KEYWORDS: &[&str] = &[
    "$id",
    "id",
    "$ref",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$anchor",
    "$vocabulary",
    "$defs",
    "definitions",
    "multipleOf",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "pattern",
    "uniqueItems",
    "maxContains",
    "minContains",
    "dependentRequired",
    "dependencies",
    "patternProperties",
    "propertyNames",
    "prefixItems",
    "additionalItems",
    "contains",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
    "format",
    "title",
    "description",
    "$comment",
    "deprecated",
    "readOnly",
    "writeOnly",
    "examples",
    "contentEncoding",
    "contentMediaType",
];

/// `true` accepts everything; `false` and non-schemas are left to the full validator.
fn bool_schema(schema: &Value) -> Option<()> {
    match schema {
        Value::Bool(true) => Some(()),
        _ => None,
    }
}

/// JSON Schema's instance types, as far as `type` tells them apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Boolean,
    Object,
    Array,
    String,
    /// A number with no fraction (Helm's values hold YAML numbers as floats, `3.0`; drafts 6
    /// and later call those integers).
    Integer,
    /// A number with a fraction.
    Fraction,
}

/// The kind of `v`; `None` for numbers too large to tell exactly here.
fn kind(v: &Value) -> Option<Kind> {
    Some(match v {
        Value::Null => Kind::Null,
        Value::Bool(_) => Kind::Boolean,
        Value::Object(_) => Kind::Object,
        Value::Array(_) => Kind::Array,
        Value::String(_) => Kind::String,
        Value::Number(_) => {
            if exact_f64(v)?.fract() == 0.0 {
                Kind::Integer
            } else {
                Kind::Fraction
            }
        }
    })
}

/// Whether `type` (a name or a list of distinct names) admits `kind`; `None` when `type`
/// is malformed.
fn type_allows(t: &Value, kind: Kind) -> Option<bool> {
    match t {
        Value::String(name) => admits(name, kind),
        Value::Array(names) if !names.is_empty() => {
            let mut allowed = false;
            for (i, name) in names.iter().enumerate() {
                let name = name.as_str()?;
                if names[..i].iter().any(|n| n.as_str() == Some(name)) {
                    return None;
                }
                allowed |= admits(name, kind)?;
            }
            Some(allowed)
        }
        _ => None,
    }
}

/// Whether the type `name` admits `kind`; `None` for unknown names.
fn admits(name: &str, kind: Kind) -> Option<bool> {
    Some(match name {
        "null" => kind == Kind::Null,
        "boolean" => kind == Kind::Boolean,
        "object" => kind == Kind::Object,
        "array" => kind == Kind::Array,
        "string" => kind == Kind::String,
        "number" => matches!(kind, Kind::Integer | Kind::Fraction),
        "integer" => kind == Kind::Integer,
        _ => return None,
    })
}

/// `required`: distinct strings.
fn string_set(v: &Value) -> bool {
    let Some(items) = v.as_array() else {
        return false;
    };
    items.iter().enumerate().all(|(i, a)| {
        a.as_str()
            .is_some_and(|a| items[..i].iter().all(|b| b.as_str() != Some(a)))
    })
}

/// Checks `len` against a pair of count keywords (already known to hold counts).
fn within(s: &Map<String, Value>, min: &str, max: &str, len: usize) -> Option<()> {
    let len = len as u64;
    let below = s.get(min).and_then(Value::as_u64).is_some_and(|m| len < m);
    let above = s.get(max).and_then(Value::as_u64).is_some_and(|m| len > m);
    (!below && !above).then_some(())
}

/// `minimum` and `maximum` against the number `n`.
fn number(s: &Map<String, Value>, n: &Value) -> Option<()> {
    let x = exact_f64(n)?;
    let below = s
        .get("minimum")
        .is_some_and(|m| exact_f64(m).is_none_or(|m| x < m));
    let above = s
        .get("maximum")
        .is_some_and(|m| exact_f64(m).is_none_or(|m| x > m));
    (!below && !above).then_some(())
}

/// Whether every number in `v` converts exactly, so equality with it is decidable here.
fn comparable(v: &Value) -> bool {
    match v {
        Value::Number(_) => exact_f64(v).is_some(),
        Value::Array(items) => items.iter().all(comparable),
        Value::Object(m) => m.values().all(comparable),
        _ => true,
    }
}

/// A number as an `f64` when the conversion is exact and finite.
fn exact_f64(v: &Value) -> Option<f64> {
    let Value::Number(n) = v else {
        return None;
    };
    if let Some(i) = n.as_i64() {
        return (i.unsigned_abs() <= EXACT_F64).then_some(i as f64);
    }
    if let Some(u) = n.as_u64() {
        return (u <= EXACT_F64).then_some(u as f64);
    }
    n.as_f64().filter(|f| f.is_finite())
}

/// Whether `v` equals one of `options` (JSON Schema equality).
fn json_eq_any(options: &[Value], v: &Value) -> Option<bool> {
    let mut found = false;
    for o in options {
        found |= json_eq(o, v)?;
    }
    Some(found)
}

/// JSON Schema equality: numbers by value, objects regardless of key order; `None` for
/// numbers too large to compare exactly here.
fn json_eq(a: &Value, b: &Value) -> Option<bool> {
    if !comparable(a) || !comparable(b) {
        return None;
    }
    Some(equal(a, b))
}

/// [`json_eq`] on values whose numbers are all [`comparable`].
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => exact_f64(a) == exact_f64(b),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
#[path = "quick_tests.rs"]
mod tests;
