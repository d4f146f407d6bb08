//! `testdata/strvals.tsv` holds `mode, initial --set-json, input, result` lines produced by
//! Helm v4.1.4's own `pkg/strvals` (a small Go program linking it); results print Go types:
//! `i:` int64, `f:` float64, quoted strings, `nil`.

use serde_json::Value;

use super::*;
use crate::template::gofmt::format_float;

const CASES: &str = include_str!("../testdata/strvals.tsv");

pub(crate) fn typed(v: &Value) -> String {
    match v {
        Value::Null => "nil".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) if n.is_f64() => {
            format!("f:{}", format_float(n.as_f64().unwrap(), 'g', -1))
        }
        Value::Number(n) => format!("i:{n}"),
        Value::String(s) => quote(s),
        Value::Array(a) => format!("[{}]", a.iter().map(typed).collect::<Vec<_>>().join(",")),
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", quote(k), typed(&o[*k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
    }
}

fn run(mode: &str, init: &str, input: &str) -> String {
    let mut m = Map::new();
    if !init.is_empty() {
        parse_json(init, &mut m).unwrap();
    }
    let mut reader = |path: &str| -> Result<Value, String> {
        if path == "missing" {
            Err("open missing: no such file or directory".into())
        } else {
            Ok(Value::String(format!("content of {path}")))
        }
    };
    let r = match mode {
        "set" => parse_into(input, &mut m),
        "string" => parse_into_string(input, &mut m),
        "json" => parse_json(input, &mut m),
        "literal" => parse_literal_into(input, &mut m),
        "file" => parse_into_file(input, &mut m, &mut reader),
        other => panic!("mode {other}"),
    };
    match r {
        Ok(()) => format!("ok {}", typed(&Value::Object(m))),
        Err(e) => format!("err {e}"),
    }
}

#[test]
fn matches_helm_strvals() {
    let mut failures = Vec::new();
    for line in CASES.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let got = run(f[0], f[1], f[2]);
        // Helm replaces JSON decoding messages with its own (`failed parsing --set-json data
        // ...`), so only the failure itself matters there.
        let json_err = f[0] == "json" && f[3].starts_with("err ") && got.starts_with("err ");
        if got != f[3] && !json_err {
            failures.push(format!("{line}\n   got {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn max_index_is_allowed_and_one_more_is_not() {
    let m = parse("a[65536]=1").unwrap();
    let a = m["a"].as_array().unwrap();
    assert_eq!(a.len(), 65537);
    assert_eq!(a[65536], Value::Number(1.into()));
    assert!(a[0].is_null());
}

#[test]
fn set_numbers_are_int64_and_json_numbers_float64() {
    let m = parse("a=3").unwrap();
    assert!(m["a"].as_number().unwrap().is_i64());
    let mut j = Map::new();
    parse_json("a=3", &mut j).unwrap();
    assert!(j["a"].as_number().unwrap().is_f64());
}
