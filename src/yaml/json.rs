//! A JSON encoder that writes exactly what Go's `encoding/json` writes for the same data.
//!
//! Helm's `toJson`, Sprig's `toPrettyJson` / `toRawJson` and the YAML encoder (which goes through
//! JSON first) all depend on Go's choices: object keys sorted by bytes, `<`, `>`, `&` escaped
//! as `\u003c` etc. unless HTML escaping is off, U+2028/U+2029 always escaped, and Go's float
//! formatting (`1e+21`, `1e-7`, `100000`).

use std::fmt::Write as _;

use serde_json::{Number, Value};

use super::Error;
use super::gofmt::format_json_float;

pub use super::jsonread::{from_json, from_json_array, from_json_map};

/// How to encode JSON: the knobs Go's `json.Marshal`, `json.MarshalIndent` and an `Encoder`
/// with `SetEscapeHTML(false)` differ in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonOptions {
    /// Escape `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026` (Go's default).
    pub escape_html: bool,
    /// `Some(unit)`: one element per line, nested levels indented by `unit` (as
    /// `json.MarshalIndent(v, "", unit)`); `None`: compact.
    pub indent: Option<String>,
}

impl JsonOptions {
    /// `json.Marshal`: compact, HTML-escaped (Helm `toJson`, Sprig `toJson`).
    pub fn marshal() -> Self {
        Self {
            escape_html: true,
            indent: None,
        }
    }

    /// `json.MarshalIndent(v, "", "  ")`: Sprig `toPrettyJson`.
    pub fn pretty() -> Self {
        Self {
            escape_html: true,
            indent: Some("  ".to_string()),
        }
    }

    /// An `Encoder` with `SetEscapeHTML(false)`, trailing newline trimmed: Sprig `toRawJson`.
    pub fn raw() -> Self {
        Self {
            escape_html: false,
            indent: None,
        }
    }
}

impl Default for JsonOptions {
    fn default() -> Self {
        Self::marshal()
    }
}

/// Encodes `value` as Go's `encoding/json` would encode the equivalent Go value
/// (`map[string]interface{}`, `[]interface{}`, `float64`/`int64`, `string`, `bool`, `nil`).
///
/// Fails only for values nested deeper than the encoders' depth limit.
pub fn to_json(value: &Value, opts: &JsonOptions) -> Result<String, Error> {
    super::encode::check_depth(value)?;
    Ok(to_json_unchecked(value, opts))
}

/// [`to_json`] for values known to be shallow (e.g. just parsed from bounded input).
pub(crate) fn to_json_unchecked(value: &Value, opts: &JsonOptions) -> String {
    let mut out = String::new();
    write_value(&mut out, value, opts, 0);
    out
}

/// The JSON text Go writes for a number: integers in decimal, floats in Go's float format.
pub fn number_text(n: &Number) -> String {
    if let Some(u) = n.as_u64() {
        u.to_string()
    } else if let Some(i) = n.as_i64() {
        i.to_string()
    } else {
        match n.as_f64() {
            Some(f) if f.is_finite() => format_json_float(f),
            _ => n.to_string(),
        }
    }
}

fn newline(out: &mut String, opts: &JsonOptions, depth: usize) {
    if let Some(unit) = &opts.indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(unit);
        }
    }
}

fn write_value(out: &mut String, value: &Value, opts: &JsonOptions, depth: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_text(n)),
        Value::String(s) => write_string(out, s, opts.escape_html),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, opts, depth + 1);
                write_value(out, item, opts, depth + 1);
            }
            newline(out, opts, depth);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, opts, depth + 1);
                write_string(out, key, opts.escape_html);
                out.push(':');
                if opts.indent.is_some() {
                    out.push(' ');
                }
                if let Some(v) = map.get(key) {
                    write_value(out, v, opts, depth + 1);
                }
            }
            newline(out, opts, depth);
            out.push('}');
        }
    }
}

/// Writes a JSON string literal with Go's escaping rules.
pub fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Expected strings produced by Go 1.26 encoding/json (json.Marshal / MarshalIndent /
    // Encoder.SetEscapeHTML(false)) on the same data.
    #[test]
    fn marshal_matches_go() {
        let cases: Vec<(Value, &str)> = vec![
            (json!(null), "null"),
            (
                json!({"b": 1, "a": [true, null], "B": "x"}),
                r#"{"B":"x","a":[true,null],"b":1}"#,
            ),
            (json!("<a&b>"), r#""\u003ca\u0026b\u003e""#),
            (json!("\u{2028}\u{2029}\u{7f}"), "\"\\u2028\\u2029\u{7f}\""),
            (
                json!("\u{1}\u{8}\u{c}\t\n\r\"\\/"),
                r#""\u0001\b\f\t\n\r\"\\/""#,
            ),
            (json!(1e21), "1e+21"),
            (json!(1e20), "100000000000000000000"),
            (json!(0.000001), "0.000001"),
            (json!(0.0000001), "1e-7"),
            (json!(3.0), "3"),
            (json!(-1.5), "-1.5"),
            (json!(u64::MAX), "18446744073709551615"),
            (json!(i64::MIN), "-9223372036854775808"),
            (json!({}), "{}"),
            (json!([]), "[]"),
            (json!({"é": 1, "z": 2, "a": 3}), r#"{"a":3,"z":2,"é":1}"#),
        ];
        for (v, want) in cases {
            assert_eq!(to_json_unchecked(&v, &JsonOptions::marshal()), want, "{v}");
        }
    }

    #[test]
    fn indent_matches_go() {
        let v = json!({"a": [1, {"x": "<"}], "b": {}, "c": []});
        let want = "{\n  \"a\": [\n    1,\n    {\n      \"x\": \"\\u003c\"\n    }\n  ],\n  \"b\": {},\n  \"c\": []\n}";
        assert_eq!(to_json_unchecked(&v, &JsonOptions::pretty()), want);
    }

    #[test]
    fn checked_encoding_refuses_absurd_nesting() {
        let mut v = json!(1);
        for _ in 0..300 {
            v = json!([v]);
        }
        assert!(to_json(&v, &JsonOptions::marshal()).is_err());
        assert_eq!(
            to_json(&json!([[1]]), &JsonOptions::marshal()).as_deref(),
            Ok("[[1]]")
        );
    }

    #[test]
    fn raw_does_not_escape_html() {
        let v = json!({"k": "<a&b>\u{2028}"});
        assert_eq!(
            to_json_unchecked(&v, &JsonOptions::raw()),
            "{\"k\":\"<a&b>\\u2028\"}"
        );
    }
}
