//! Golden tests: every case in `testdata/go_cases.jsonl` was run through the real Go code
//! (Go 1.26, `sigs.k8s.io/yaml` v1.6.0 with go-yaml v2.4.2, `go.yaml.in/yaml/v3` v3.0.4,
//! `encoding/json`) and records its exact output or error text.
//!
//! Ops: `toyaml` = `yaml.Marshal`; `toyamlpretty` = v3 encoder with `SetIndent(2)` (untrimmed);
//! `json` = `json.Marshal`; `prettyjson` = `json.MarshalIndent(v, "", "  ")`; `values` =
//! `yaml.Unmarshal` into `map[string]interface{}` (then `json.Marshal`ed); `y2j` =
//! `yaml.YAMLToJSON`; `fromjson` / `fromjsonarray` = `json.Unmarshal` into
//! `map[string]interface{}` / `[]interface{}`. JSON inputs were decoded in Go with integers as int64/uint64 and other
//! numbers as float64, as serde_json does.

use serde_json::Value;

use super::json::{JsonOptions, to_json_unchecked as to_json};
use super::*;

const CASES: &str = include_str!("testdata/go_cases.jsonl");

struct Case {
    op: String,
    input: String,
    out: String,
    err: String,
}

fn cases() -> Vec<Case> {
    CASES
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("golden line is JSON");
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            Case {
                op: s("op"),
                input: s("in"),
                out: s("out"),
                err: s("err"),
            }
        })
        .collect()
}

fn json_input(c: &Case) -> Value {
    serde_json::from_str(&c.input).expect("golden input is JSON")
}

fn run(c: &Case) -> (String, String) {
    match c.op.as_str() {
        "toyaml" => match to_yaml(&json_input(c)) {
            Ok(s) => (s, String::new()),
            Err(e) => (String::new(), e.to_string()),
        },
        "toyamlpretty" => match to_yaml_pretty(&json_input(c)) {
            Ok(s) => (s + "\n", String::new()),
            Err(e) => (String::new(), e.to_string()),
        },
        "json" => (
            to_json(&json_input(c), &JsonOptions::marshal()),
            String::new(),
        ),
        "prettyjson" => (
            to_json(&json_input(c), &JsonOptions::pretty()),
            String::new(),
        ),
        "values" => match from_yaml(&c.input) {
            // Go printed a nil map as `null`; Helm's callers get an empty map.
            Ok(m) if m.is_empty() && c.out == "null" => ("null".to_string(), String::new()),
            Ok(m) => (
                to_json(&Value::Object(m), &JsonOptions::marshal()),
                String::new(),
            ),
            Err(e) => (c.out.clone(), e.to_string()),
        },
        "y2j" => match yaml_to_value(&c.input, NumberMode::Preserve) {
            Ok(v) => (to_json(&v, &JsonOptions::marshal()), String::new()),
            Err(Error::Convert(inner)) => (String::new(), inner),
            Err(e) => (String::new(), e.to_string()),
        },
        "fromjson" => match json::from_json_map(&c.input) {
            Ok(m) if m.is_empty() && c.out == "null" => ("null".to_string(), String::new()),
            Ok(m) => (
                to_json(&Value::Object(m), &JsonOptions::marshal()),
                String::new(),
            ),
            Err(e) => (c.out.clone(), e.to_string()),
        },
        "fromjsonarray" => match json::from_json_array(&c.input) {
            Ok(a) if a.is_empty() && c.out == "null" => ("null".to_string(), String::new()),
            Ok(a) => (
                to_json(&Value::Array(a), &JsonOptions::marshal()),
                String::new(),
            ),
            Err(e) => (c.out.clone(), e.to_string()),
        },
        other => panic!("unknown op {other}"),
    }
}

#[test]
fn golden_cases_match_go() {
    let all = cases();
    assert!(all.len() > 1000, "golden file went missing");
    let mut failures = Vec::new();
    for c in &all {
        let (out, err) = run(c);
        if out != c.out || err != c.err {
            failures.push(format!(
                "{} {:?}\n  want {:?} err {:?}\n  got  {:?} err {:?}",
                c.op, c.input, c.out, c.err, out, err
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn to_yaml_examples() {
    let v = serde_json::json!({
        "name": "yes",
        "replicas": 3,
        "ratio": 0.5,
        "big": 1e21,
        "tiny": 0.000001,
        "script": "echo a\necho b\n",
        "list": ["a", {"k": "v"}],
        "empty": {},
        "none": null,
    });
    let want = "big: 1e+21\nempty: {}\nlist:\n- a\n- k: v\nname: \"yes\"\nnone: null\nratio: 0.5\n\
                replicas: 3\nscript: |\n  echo a\n  echo b\ntiny: 1e-06\n";
    assert_eq!(to_yaml(&v).as_deref(), Ok(want));
    assert_eq!(
        to_yaml_trimmed(&v).as_deref(),
        Ok(want.trim_end_matches('\n'))
    );
}

#[test]
fn to_yaml_pretty_indents_sequences_and_keeps_floats() {
    let v = serde_json::json!({"list": ["a"], "num": 1000000.0, "i": 1000000});
    assert_eq!(
        to_yaml_pretty(&v).as_deref(),
        Ok("i: 1000000\nlist:\n  - a\nnum: 1e+06")
    );
}

#[test]
fn long_strings_fold_at_80_columns_in_to_yaml() {
    let s = "word ".repeat(30);
    let out = to_yaml(&serde_json::json!({ "k": s.trim_end() })).unwrap_or_default();
    assert!(out.lines().count() > 1, "{out}");
    assert!(out.lines().all(|l| l.len() <= 90), "{out}");
    let pretty = to_yaml_pretty(&serde_json::json!({ "k": s.trim_end() })).unwrap_or_default();
    assert_eq!(pretty.lines().count(), 1);
}

#[test]
fn values_numbers_are_floats_and_yaml11_booleans_apply() {
    let m = parse_values("a: 1\nb: yes\nc: 0x10\nd: '1'\n").unwrap_or_default();
    assert_eq!(m["a"].as_f64(), Some(1.0));
    assert!(m["a"].is_f64());
    assert_eq!(m["b"], Value::Bool(true));
    assert_eq!(m["c"].as_f64(), Some(16.0));
    assert_eq!(m["d"], Value::String("1".into()));
    let p = yaml_to_value("a: 1\nb: 1.5\n", NumberMode::Preserve).unwrap_or_default();
    assert_eq!(p["a"].as_i64(), Some(1));
    assert_eq!(p["b"].as_f64(), Some(1.5));
}

#[test]
fn values_file_shapes() {
    assert_eq!(parse_values(""), Ok(serde_json::Map::new()));
    assert_eq!(parse_values("~\n"), Ok(serde_json::Map::new()));
    assert_eq!(
        parse_values("- a\n").map_err(|e| e.to_string()),
        Err(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into \
             Go value of type chartutil.Values"
                .to_string()
        )
    );
    assert_eq!(
        parse_values("a: b: c\n").map_err(|e| e.to_string()),
        Err(
            "error converting YAML to JSON: yaml: mapping values are not allowed in this context"
                .to_string()
        )
    );
    assert_eq!(
        from_yaml_array("- 1\n- x\n"),
        Ok(vec![serde_json::json!(1.0), serde_json::json!("x")])
    );
    assert!(from_yaml_array("a: 1\n").is_err());
}

#[test]
fn merge_keys_follow_go_yaml_v2() {
    // go-yaml v2 applies keys in document order, so a later merge overrides an earlier key.
    let m = from_yaml("a: 1\n<<: {a: 2, b: 3}\n").unwrap_or_default();
    assert_eq!(m["a"].as_f64(), Some(2.0));
    let m = from_yaml("x: &x {a: 1}\ny: &y {a: 2, b: 2}\nz:\n  <<: [*x, *y]\n").unwrap_or_default();
    assert_eq!(m["z"], serde_json::json!({"a": 1.0, "b": 2.0}));
}

#[test]
fn alias_expansion_is_bounded() {
    let mut doc = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 10].join(", ");
        doc.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], refs));
    }
    assert_eq!(
        parse_values(&doc).map_err(|e| e.to_string()),
        Err("error converting YAML to JSON: yaml: document contains excessive aliasing".into())
    );
}

#[test]
fn multi_document_streams() {
    let docs = from_yaml_documents("a: 1\n---\n- 2\n---\n", NumberMode::Preserve);
    assert_eq!(
        docs,
        Ok(vec![
            serde_json::json!({"a": 1}),
            serde_json::json!([2]),
            Value::Null
        ])
    );
    // Unmarshal reads only the first document, whatever follows.
    assert_eq!(
        yaml_to_value("a: 1\n---\nb: [\n", NumberMode::Preserve),
        Ok(serde_json::json!({"a": 1}))
    );
}

#[test]
fn deep_values_are_refused_not_overflowing() {
    let mut v = serde_json::json!(1);
    for _ in 0..1000 {
        v = serde_json::json!({"a": [v]});
    }
    assert!(to_yaml(&v).is_err());
    assert!(to_yaml_pretty(&v).is_err());
    let deep_yaml = "[".repeat(300) + &"]".repeat(300);
    assert!(yaml_to_value(&deep_yaml, NumberMode::Float64).is_err());
    assert!(json::from_json(&"[".repeat(5000)).is_err());
    // Aliases can stack nesting far beyond what the text shows.
    let mut doc = format!("a0: &a0 {}1{}\n", "[".repeat(200), "]".repeat(200));
    for i in 1..40 {
        doc.push_str(&format!(
            "a{i}: &a{i} {}*a{}{}\n",
            "[".repeat(200),
            i - 1,
            "]".repeat(200)
        ));
    }
    assert!(yaml_to_value(&doc, NumberMode::Float64).is_err());
}

#[test]
fn garbage_input_never_panics() {
    let samples = [
        "",
        "\"",
        "'",
        "[",
        "{",
        "]",
        "}",
        "- - -",
        "? ? ?",
        ": :",
        "&a *a",
        "*",
        "&",
        "!",
        "!!",
        "%",
        "---\n...\n---",
        "a: |\n",
        "a: >-\n  x\n y",
        "\u{feff}",
        "a:\n  - b\n c",
        "{a: [b, {c: d}]",
        "<<: *x",
        "<<: [1]",
        "a: &a\n  <<: *a\n",
    ];
    for s in samples {
        let _ = yaml_to_value(s, NumberMode::Float64);
        let _ = from_yaml_documents(s, NumberMode::Preserve);
    }
}

#[test]
fn helm_template_function_error_shapes() {
    assert_eq!(
        helm_from_yaml("a: [\n")["Error"],
        Value::String(
            "error converting YAML to JSON: yaml: line 1: did not find expected node content"
                .into()
        )
    );
    assert_eq!(helm_from_yaml("a: 1\n")["a"].as_f64(), Some(1.0));
    assert_eq!(
        helm_from_yaml_array("a: 1\n"),
        vec![Value::String(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go \
             value of type []interface {}"
                .into()
        )]
    );
    assert_eq!(
        helm_from_json("{")["Error"],
        Value::String("unexpected end of JSON input".into())
    );
    assert_eq!(
        helm_from_json_array("[1, 2]"),
        vec![serde_json::json!(1.0), serde_json::json!(2.0)]
    );
}

/// Block scalars running to the end of the input: outputs recorded from Go
/// (`sigs.k8s.io/yaml` v1.6.0 `Unmarshal`, then `json.Marshal`). Without a line break after
/// the last text line there is no final newline to keep, whatever the chomping.
#[test]
fn block_scalars_at_the_end_of_the_input_follow_go_yaml() {
    let cases = [
        ("k: |\n  a", r#"{"k":"a"}"#),
        ("k: |+\n  a", r#"{"k":"a"}"#),
        ("k: |+\n  a\n\n", r#"{"k":"a\n\n"}"#),
        ("k: |+\n  a\n\n  ", r#"{"k":"a\n\n"}"#),
        ("k: |\n  a\n  ", r#"{"k":"a\n"}"#),
        ("k: >\n  a\n  b", r#"{"k":"a b"}"#),
        ("k: |-\n  a", r#"{"k":"a"}"#),
        ("k: |\n  a\n", r#"{"k":"a\n"}"#),
        ("- |\n  a", r#"["a"]"#),
        ("k: |\n  a\nj: 1", r#"{"j":1,"k":"a\n"}"#),
        ("k: |+\n  a\n ", r#"{"k":"a\n"}"#),
    ];
    for (input, go) in cases {
        let expected: Value = serde_json::from_str(go).unwrap();
        let got = yaml_to_value(input, NumberMode::Preserve).unwrap();
        assert_eq!(got, expected, "{input:?}");
        let full = super::decode::full_first_document(input, NumberMode::Preserve).unwrap();
        assert_eq!(full, expected, "full decoder, {input:?}");
    }
}
