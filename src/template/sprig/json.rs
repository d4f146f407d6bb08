//! Go `encoding/json` output for Sprig's `toJson`, `toRawJson` and `toPrettyJson`: sorted
//! map keys, Go's float formatting, and HTML-safe escaping except for `toRawJson`.

use super::super::funcs::{Arity, FuncMap};
use super::super::gofmt::format_float;
use super::super::value::{FuncError, MAX_NESTING, Value};

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

/// Encodes like Go's `encoding/json`; fails as Go does on NaN or infinite floats (and on
/// nesting only reachable through cycles), with Go's error text.
pub fn to_json(v: &Value, style: JsonStyle) -> Result<String, String> {
    let mut out = String::new();
    write(&mut out, v, style, 0).ok_or_else(|| unsupported(v))?;
    Ok(out)
}

/// Go's `UnsupportedValueError` text for the first unencodable value inside `v`.
fn unsupported(v: &Value) -> String {
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
    format!(
        "json: unsupported value: {}",
        find(v, 0).unwrap_or_default()
    )
}

fn newline(out: &mut String, style: JsonStyle, depth: usize) {
    if style == JsonStyle::Pretty {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    }
}

fn write(out: &mut String, v: &Value, style: JsonStyle, depth: usize) -> Option<()> {
    if depth > MAX_NESTING {
        return None;
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&json_float(*f)?),
        Value::String(s) => write_string(out, s, style != JsonStyle::Raw),
        Value::Object(o) => write_string(out, &o.format_v(), style != JsonStyle::Raw),
        Value::List(items, _) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, style, depth + 1);
                write(out, item, style, depth + 1)?;
            }
            if !items.is_empty() {
                newline(out, style, depth);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            let m = m.borrow();
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, style, depth + 1);
                write_string(out, k, style != JsonStyle::Raw);
                out.push(':');
                if style == JsonStyle::Pretty {
                    out.push(' ');
                }
                write(out, item, style, depth + 1)?;
            }
            if !m.is_empty() {
                newline(out, style, depth);
            }
            out.push('}');
        }
    }
    Some(())
}

/// Go's JSON float encoding: `%f`-like unless the magnitude is below 1e-6 or from 1e21 on.
fn json_float(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = format_float(f, 'e', -1);
        // Go trims a leading zero of a negative two-digit exponent: e-07 becomes e-7.
        return Some(match s.rsplit_once("e-0") {
            Some((m, d)) if d.len() == 1 => format!("{m}e-{d}"),
            _ => s,
        });
    }
    Some(format_float(f, 'f', -1))
}

fn write_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Registers `toJson`, `toRawJson`, `toPrettyJson` (Sprig returns "" when encoding fails) and
/// their `must*` twins, which fail instead.
pub(super) fn register(m: &mut FuncMap) {
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
            assert_eq!(json_float(f).unwrap(), want, "{f}");
        }
        assert!(json_float(f64::NAN).is_none());
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
