//! Helm's `toToml` (BurntSushi/toml's encoder layout: plain keys first, then `[tables]`
//! indented two spaces per nesting level) and `fromToml` (integers as int64, errors in an
//! `Error` key).

use std::collections::BTreeMap;

use crate::template::Value;
use crate::template::gofmt::format_float;
use crate::template::value::MAX_NESTING;

/// Helm's `toToml`: the TOML text, or the encoder's error message. `Err` is a Go panic
/// (BurntSushi's encoder reflecting on a nil value), which text/template reports as the
/// function's error.
pub fn to_toml(v: &Value) -> Result<String, String> {
    let m = match v {
        Value::Map(m) => m.clone(),
        Value::Object(o) if o.as_map().is_some() => match o.as_map() {
            Some(m) => m.clone(),
            None => return Ok(String::new()),
        },
        Value::Nil => return Err("reflect: call of reflect.Value.Type on zero Value".into()),
        Value::Object(_) => {
            return Ok(format!(
                "toml: top-level values must be Go maps or structs (got {})",
                kind(v)
            ));
        }
        // A top-level array of tables is refused; other primitives and arrays are encoded as
        // bare values (BurntSushi/toml v1.6).
        other if is_table_array(other) => {
            return Ok("toml: top-level values must be Go maps or structs".into());
        }
        other => {
            if has_nil_element(other) {
                return Ok(NIL_ELEMENT.into());
            }
            return Ok(scalar(other).unwrap_or_default());
        }
    };
    let map = m.borrow().clone();
    if map.values().any(has_nil_element) {
        return Ok(NIL_ELEMENT.into());
    }
    let mut out = String::new();
    write_table(&mut out, &[], &map);
    Ok(out)
}

/// BurntSushi's error for `[1, nil]`.
const NIL_ELEMENT: &str = "toml: cannot encode array with nil element";

/// Whether an array inside `v` (at any depth) has a nil element.
fn has_nil_element(v: &Value) -> bool {
    let mut stack = vec![(v.clone(), 0)];
    while let Some((x, depth)) = stack.pop() {
        // Values can be cyclic (merge of a map into itself): stop where the encoder would.
        if depth > MAX_NESTING {
            continue;
        }
        match &x {
            Value::List(items, _) => {
                if items.iter().any(Value::is_nil) {
                    return true;
                }
                stack.extend(items.iter().map(|i| (i.clone(), depth + 1)));
            }
            Value::Map(m) => stack.extend(m.borrow().values().map(|i| (i.clone(), depth + 1))),
            _ => {}
        }
    }
    false
}

fn kind(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        other => other.type_name(),
    }
}

fn write_table(out: &mut String, path: &[String], map: &BTreeMap<String, Value>) {
    if path.len() > MAX_NESTING {
        return;
    }
    let indent = "  ".repeat(path.len().saturating_sub(1));
    let key_indent = "  ".repeat(path.len());
    for (k, v) in map {
        if is_table(v) || is_table_array(v) || v.is_nil() {
            continue;
        }
        if let Some(text) = scalar(v) {
            out.push_str(&format!("{key_indent}{} = {text}\n", key(k)));
        }
    }
    let _ = indent;
    for (k, v) in map {
        let mut sub = path.to_vec();
        sub.push(k.clone());
        let header = sub.iter().map(|s| key(s)).collect::<Vec<_>>().join(".");
        let ind = "  ".repeat(sub.len() - 1);
        if let Some(m) = table_of(v) {
            if sub.len() == 1 && !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("{ind}[{header}]\n"));
            write_table(out, &sub, &m.borrow().clone());
            continue;
        }
        match v {
            Value::List(items, _) if is_table_array(v) => {
                for item in items.iter() {
                    if let Some(m) = table_of(item) {
                        if sub.len() == 1 && !out.is_empty() {
                            out.push('\n');
                        }
                        out.push_str(&format!("{ind}[[{header}]]\n"));
                        write_table(out, &sub, &m.borrow().clone());
                    }
                }
            }
            _ => {}
        }
    }
}

fn is_table(v: &Value) -> bool {
    table_of(v).is_some()
}

/// The map of a TOML table: a map, or a named map type (Helm's common.Values).
fn table_of(v: &Value) -> Option<crate::template::MapRef> {
    match v {
        Value::Map(m) => Some(m.clone()),
        Value::Object(o) => o.as_map().cloned(),
        _ => None,
    }
}

fn is_table_array(v: &Value) -> bool {
    matches!(v, Value::List(items, _) if !items.is_empty() && items.iter().all(is_table))
}

fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        quote_toml(k)
    }
}

fn quote_toml(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn scalar(v: &Value) -> Option<String> {
    scalar_at(v, 0)
}

/// [`scalar`] at nesting `depth` (bounded: values can be cyclic).
fn scalar_at(v: &Value, depth: usize) -> Option<String> {
    if depth > MAX_NESTING {
        return None;
    }
    Some(match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Float(f) => float_text(*f),
        Value::String(s) => quote_toml(s),
        Value::List(items, _) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|x| scalar_at(x, depth + 1))
                .collect();
            format!("[{}]", parts.join(", "))
        }
        // Inside arrays, tables are written inline: `{a = "b", c = 1.0}`.
        Value::Map(_) | Value::Object(_) => {
            let m = table_of(v)?;
            let parts: Vec<String> = m
                .borrow()
                .iter()
                .filter_map(|(k, x)| scalar_at(x, depth + 1).map(|t| format!("{} = {t}", key(k))))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Nil => return None,
    })
}

fn float_text(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // BurntSushi/toml: strconv 'g' shortest, with ".0" added to bare integers.
    let s = format_float(f, 'g', -1);
    if s.contains(['.', 'e']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// Helm's `fromToml`: the document as a map, or `{"Error": message}`.
pub fn from_toml(text: &str) -> Value {
    match text.parse::<toml_edit::DocumentMut>() {
        Ok(doc) => table_value(doc.as_table()),
        Err(e) => {
            let mut m = BTreeMap::new();
            m.insert(
                "Error".to_string(),
                Value::String(format!("toml: {}", e.message())),
            );
            Value::from(m)
        }
    }
}

fn table_value(t: &toml_edit::Table) -> Value {
    let m: BTreeMap<String, Value> = t
        .iter()
        .map(|(k, item)| (k.to_string(), item_value(item)))
        .collect();
    Value::from(m)
}

fn item_value(item: &toml_edit::Item) -> Value {
    match item {
        toml_edit::Item::None => Value::Nil,
        toml_edit::Item::Value(v) => value_value(v),
        toml_edit::Item::Table(t) => table_value(t),
        toml_edit::Item::ArrayOfTables(a) => Value::list(a.iter().map(table_value).collect()),
    }
}

fn value_value(v: &toml_edit::Value) -> Value {
    match v {
        toml_edit::Value::String(s) => Value::String(s.value().clone()),
        toml_edit::Value::Integer(i) => Value::Int64(*i.value()),
        toml_edit::Value::Float(f) => Value::Float(*f.value()),
        toml_edit::Value::Boolean(b) => Value::Bool(*b.value()),
        toml_edit::Value::Datetime(d) => Value::String(d.value().to_string()),
        toml_edit::Value::Array(a) => Value::list(a.iter().map(value_value).collect()),
        toml_edit::Value::InlineTable(t) => {
            let m: BTreeMap<String, Value> = t
                .iter()
                .map(|(k, v)| (k.to_string(), value_value(v)))
                .collect();
            Value::from(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_burntsushi() {
        let j = serde_json::json!({"a": 1, "b": "s", "t": {"x": true}});
        let v = Value::from_json_go(&j);
        assert_eq!(
            to_toml(&v),
            Ok("a = 1.0\nb = \"s\"\n\n[t]\n  x = true\n".to_string())
        );
    }

    #[test]
    fn decodes_integers_as_int64() {
        let v = from_toml("a = 1\nb = \"s\"");
        let m = v.as_map().map(|m| m.borrow().clone()).unwrap_or_default();
        assert_eq!(m.get("a"), Some(&Value::Int64(1)));
        assert_eq!(m.get("b"), Some(&Value::String("s".into())));
        let bad = from_toml("a = ");
        assert!(
            bad.as_map()
                .is_some_and(|m| m.borrow().contains_key("Error"))
        );
    }
}
