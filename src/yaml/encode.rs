//! Turns JSON-model values into emitter nodes the way Go's YAML encoders do.
//!
//! `toYaml` (`sigs.k8s.io/yaml.Marshal`) first writes JSON and reads it back with go-yaml v2,
//! so numbers take the type their JSON text resolves to (integral JSON numbers become ints,
//! `1e+21` stays a float) before go-yaml v2 encodes them. `toYamlPretty` hands the Go value
//! to the go-yaml v3 encoder directly, so float64 values print as floats (`1e+06`).

use serde_json::{Number, Value};

use super::Error;
use super::emitter::{Node, Style};
use super::gofmt::format_g64;
use super::json::number_text;
use super::resolve::{Resolved, SortFlavor, is_base60_float, resolve_plain, sort_keys};

/// The longest JSON key text go-yaml v2 can read back as a flow-mapping simple key.
const MAX_SIMPLE_KEY: usize = 1024;

/// Builds the node for `toYaml`, failing where Go's JSON-to-YAML round trip fails.
pub fn node_v2(value: &Value) -> Result<Node, Error> {
    let mut lines = 0;
    check_depth(value)?;
    node_v2_at(value, &mut lines)
}

/// How deeply nested a value the encoders accept, so that encoding (which recurses) stays
/// within small thread stacks. Go has no such limit; real charts come nowhere near it.
pub const MAX_DEPTH: usize = 200;

/// Fails when `value` nests collections deeper than [`MAX_DEPTH`].
pub fn check_depth(value: &Value) -> Result<(), Error> {
    let mut stack = vec![(value, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(Error::Yaml(format!(
                "yaml: value nested deeper than {MAX_DEPTH} levels"
            )));
        }
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|x| (x, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|x| (x, depth + 1))),
            _ => {}
        }
    }
    Ok(())
}

/// `lines` counts the line breaks go-yaml's reader has seen in the JSON text so far (only a
/// raw NEL, U+0085, can be one: Go's JSON escapes the others), for error line numbers.
fn node_v2_at(value: &Value, lines: &mut usize) -> Result<Node, Error> {
    Ok(match value {
        Value::Null => plain("null"),
        Value::Bool(b) => plain(if *b { "true" } else { "false" }),
        Value::Number(n) => number_v2(n),
        Value::String(s) => {
            check_readable(s)?;
            *lines += count_nel(s);
            string_node(&fold_nel(s))
        }
        Value::Array(items) => Node::Seq(
            items
                .iter()
                .map(|v| node_v2_at(v, lines))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            // Walk in JSON order (bytewise) so line counting follows the JSON text.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            let mut pairs = Vec::with_capacity(map.len());
            for k in keys {
                check_readable(k)?;
                let nel = count_nel(k);
                *lines += nel;
                if nel > 0 || json_key_chars(k) > MAX_SIMPLE_KEY {
                    return Err(flow_mapping_error(*lines));
                }
                let Some(v) = map.get(k) else { continue };
                pairs.push((k.as_str(), node_v2_at(v, lines)?));
            }
            sort_keys(&mut pairs, |p| p.0, SortFlavor::V2);
            Node::Map(
                pairs
                    .into_iter()
                    .map(|(k, v)| (string_node(k), v))
                    .collect(),
            )
        }
    })
}

/// Builds the node for `toYamlPretty` (go-yaml v3 encoder on the Go value itself).
pub fn node_v3(value: &Value) -> Result<Node, Error> {
    check_depth(value)?;
    Ok(node_v3_at(value))
}

fn node_v3_at(value: &Value) -> Node {
    match value {
        Value::Null => plain("null"),
        Value::Bool(b) => plain(if *b { "true" } else { "false" }),
        Value::Number(n) => plain(&number_v3(n)),
        Value::String(s) => string_node_v3(s),
        Value::Array(items) => Node::Seq(items.iter().map(node_v3_at).collect()),
        Value::Object(map) => {
            let mut pairs: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
            sort_keys(&mut pairs, |p| p.0, SortFlavor::V3);
            Node::Map(
                pairs
                    .into_iter()
                    .map(|(k, v)| (string_node_v3(k), node_v3_at(v)))
                    .collect(),
            )
        }
    }
}

fn count_nel(s: &str) -> usize {
    s.chars().filter(|&c| c == '\u{85}').count()
}

/// Characters in the key's JSON string literal, quotes included.
fn json_key_chars(k: &str) -> usize {
    let mut text = String::new();
    super::json::write_string(&mut text, k, true);
    text.chars().count()
}

/// The parse error go-yaml reports when a JSON object key cannot be a simple key (it spans
/// lines or is longer than 1024 characters).
fn flow_mapping_error(line: usize) -> Error {
    if line > 0 {
        Error::Yaml(format!(
            "yaml: line {line}: did not find expected ',' or '}}'"
        ))
    } else {
        Error::Yaml("yaml: did not find expected ',' or '}'".to_string())
    }
}

/// What a double-quoted YAML scalar holding this JSON string reads back as: go-yaml treats a
/// raw NEL (U+0085) as a line break and folds it (with the spaces around it) like any break.
fn fold_nel(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\u{85}') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != ' ' && chars[i] != '\u{85}' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\u{85}') {
            i += 1;
        }
        let run = &chars[start..i];
        let breaks = run.iter().filter(|&&c| c == '\u{85}').count();
        if breaks == 0 {
            out.extend(run);
        } else if breaks == 1 {
            out.push(' ');
        } else {
            out.extend(std::iter::repeat_n('\n', breaks - 1));
        }
    }
    std::borrow::Cow::Owned(out)
}

fn plain(s: &str) -> Node {
    Node::Scalar(s.to_string(), Style::Plain)
}

/// go-yaml rejects these characters in its input, so the JSON round trip fails on them.
fn check_readable(s: &str) -> Result<(), Error> {
    let bad = s.chars().any(|c| {
        let v = u32::from(c);
        v == 0x7F || ((0x80..=0x9F).contains(&v) && v != 0x85) || v == 0xFFFE || v == 0xFFFF
    });
    if bad {
        Err(Error::Yaml(
            "yaml: control characters are not allowed".to_string(),
        ))
    } else {
        Ok(())
    }
}

fn number_v2(n: &Number) -> Node {
    let text = number_text(n);
    match resolve_plain(&text) {
        Resolved::Int(i) => plain(&i.to_string()),
        Resolved::Uint(u) => plain(&u.to_string()),
        Resolved::Float(f) => plain(&float_text(f)),
        _ => plain(&text),
    }
}

fn number_v3(n: &Number) -> String {
    if let Some(u) = n.as_u64() {
        u.to_string()
    } else if let Some(i) = n.as_i64() {
        i.to_string()
    } else {
        float_text(n.as_f64().unwrap_or(0.0))
    }
}

/// go-yaml's `floatv`: `FormatFloat(f, 'g', -1, 64)` with YAML spellings for the specials.
pub fn float_text(f: f64) -> String {
    match format_g64(f).as_str() {
        "+Inf" => ".inf".to_string(),
        "-Inf" => "-.inf".to_string(),
        "NaN" => ".nan".to_string(),
        s => s.to_string(),
    }
}

/// go-yaml v2 `stringv`: literal block for multi-line text, plain when the text would read
/// back as the same string, double-quoted otherwise.
fn string_node(s: &str) -> Node {
    let can_plain = resolve_plain(s) == Resolved::Str && !is_base60_float(s);
    let style = if s.contains('\n') {
        Style::Literal
    } else if can_plain {
        Style::Plain
    } else {
        Style::DoubleQuoted
    };
    Node::Scalar(s.to_string(), style)
}

/// go-yaml v3 `stringv`: as v2, but also quoting the YAML 1.1 booleans v3 no longer resolves.
fn string_node_v3(s: &str) -> Node {
    // v3 resolves y/yes/on/... as strings but quotes them anyway (isOldBool), so its plain
    // test gives the same answer as v2's resolver.
    string_node(s)
}
