//! Sprig's `toJson`, `toRawJson` and `toPrettyJson` (and `must*` twins) over the shared Go
//! `encoding/json` encoder in [`crate::yaml::json`]: sorted map keys, Go's float formatting,
//! HTML-safe escaping except for `toRawJson`.

use super::super::funcs::{Arity, FuncMap};
use super::super::gofmt::format_float;
use super::super::value::{FuncError, MAX_NESTING, Value};
use crate::yaml::json::JsonOptions;

/// Output style of [`to_json`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum JsonStyle {
    /// `json.Marshal`: compact, `<`, `>`, `&` escaped.
    Compact,
    /// `json.MarshalIndent(v, "", "  ")`.
    Pretty,
    /// Compact without HTML escaping (`toRawJson`).
    Raw,
}

/// Encodes like Go's `encoding/json` (through [`crate::yaml::json`]); fails as Go does on NaN
/// or infinite floats (and on nesting only reachable through cycles), with Go's error text.
pub fn to_json(v: &Value, style: JsonStyle) -> Result<String, String> {
    let err = unsupported(v);
    if err.is_some() {
        return Err(format!(
            "json: unsupported value: {}",
            err.unwrap_or_default()
        ));
    }
    let opts = match style {
        JsonStyle::Compact => JsonOptions::marshal(),
        JsonStyle::Pretty => JsonOptions::pretty(),
        JsonStyle::Raw => JsonOptions::raw(),
    };
    crate::yaml::json::to_json(&v.to_json(), &opts).map_err(|e| e.to_string())
}

/// The `%v` text of the first value inside `v` that Go's `encoding/json` cannot encode.
fn unsupported(v: &Value) -> Option<String> {
    if v.is_cyclic() {
        return Some("encountered a cycle via map[string]interface {}".into());
    }
    fn find(v: &Value, depth: usize) -> Option<String> {
        if depth > MAX_NESTING {
            return Some("encountered a cycle".into());
        }
        match v {
            Value::Float(f) if !f.is_finite() => Some(format_float(*f, 'g', -1)),
            Value::List(items, _) => items.iter().find_map(|x| find(x, depth + 1)),
            Value::Map(m) => m.borrow().values().find_map(|x| find(x, depth + 1)),
            _ => None,
        }
    }
    find(v, 0)
}

/// Registers `toJson`, `toRawJson`, `toPrettyJson` (Sprig returns "" when encoding fails) and
/// their `must*` twins, which fail instead; and `mustFromJson` (`json.Unmarshal` into
/// `interface{}`, failing with Go's error text). Sprig's `fromJson` is not registered: Helm
/// replaces it.
pub(super) fn register(m: &mut FuncMap) {
    m.register("mustFromJson", Arity::Exact(1), |ctx, a| {
        let text = ctx.string_arg(a, 0)?;
        crate::yaml::json::from_json(text)
            .map(|v| Value::from_json_go(&v))
            .map_err(|e| FuncError::Call(e.to_string()))
    });
    for (name, style) in [
        ("toJson", JsonStyle::Compact),
        ("toRawJson", JsonStyle::Raw),
        ("toPrettyJson", JsonStyle::Pretty),
    ] {
        m.register(name, Arity::Exact(1), move |_, a| {
            Ok(Value::String(to_json(&a[0], style).unwrap_or_default()))
        });
        let must = format!("must{}{}", name[..1].to_uppercase(), &name[1..]);
        m.register(&must, Arity::Exact(1), move |_, a| {
            to_json(&a[0], style)
                .map(Value::String)
                .map_err(FuncError::Call)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_follow_encoding_json() {
        let cases = [
            (1.0, "1"),
            (1.5, "1.5"),
            (1e6, "1000000"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1e-7, "1e-7"),
            (0.000001, "0.000001"),
            (-2.5e-10, "-2.5e-10"),
            (0.0, "0"),
        ];
        for (f, want) in cases {
            assert_eq!(
                to_json(&Value::Float(f), JsonStyle::Compact).unwrap(),
                want,
                "{f}"
            );
        }
        assert_eq!(
            to_json(
                &Value::list(vec![Value::Float(f64::INFINITY)]),
                JsonStyle::Compact
            )
            .unwrap_err(),
            "json: unsupported value: +Inf"
        );
    }

    #[test]
    fn styles() {
        let v = Value::from_json(&serde_json::json!({"b": [1, "<a&b>"], "a": {}, "c": null}));
        assert_eq!(
            to_json(&v, JsonStyle::Compact).unwrap(),
            r#"{"a":{},"b":[1,"\u003ca\u0026b\u003e"],"c":null}"#
        );
        assert_eq!(
            to_json(&v, JsonStyle::Raw).unwrap(),
            r#"{"a":{},"b":[1,"<a&b>"],"c":null}"#
        );
        assert_eq!(
            to_json(&v, JsonStyle::Pretty).unwrap(),
            "{\n  \"a\": {},\n  \"b\": [\n    1,\n    \"\\u003ca\\u0026b\\u003e\"\n  ],\n  \"c\": null\n}"
        );
        assert_eq!(
            to_json(&Value::from("q\"\n\u{1}"), JsonStyle::Compact).unwrap(),
            r#""q\"\n\u0001""#
        );
    }
}
