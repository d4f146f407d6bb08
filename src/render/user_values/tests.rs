//! `testdata/user_values/expected.txt` is what Helm v4.1.4's own `values.Options.MergeValues`
//! returns for each line of `cases.jsonl` (run in that directory), printed with Go types.

use serde_json::Value as Json;

use super::*;
use crate::render::strvals::tests::typed;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/src/render/testdata/user_values"
);

fn strings(j: &Json, key: &str) -> Vec<String> {
    j.get(key)
        .and_then(Json::as_array)
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn in_dir(list: Vec<String>, with_key: bool) -> Vec<String> {
    list.into_iter()
        .map(|s| {
            if with_key {
                let (k, v) = s.split_once('=').unwrap();
                format!("{k}={DIR}/{v}")
            } else {
                format!("{DIR}/{s}")
            }
        })
        .collect()
}

#[test]
fn merge_matches_helm() {
    let cases = std::fs::read_to_string(format!("{DIR}/cases.jsonl")).unwrap();
    let expected = std::fs::read_to_string(format!("{DIR}/expected.txt")).unwrap();
    for (case, want) in cases.lines().zip(expected.lines()) {
        let j: Json = serde_json::from_str(case).unwrap();
        let uv = UserValues {
            values_files: in_dir(strings(&j, "ValueFiles"), false)
                .into_iter()
                .map(PathBuf::from)
                .collect(),
            set: strings(&j, "Values"),
            set_string: strings(&j, "StringValues"),
            set_json: strings(&j, "JSONValues"),
            set_file: in_dir(strings(&j, "FileValues"), true),
            set_literal: strings(&j, "LiteralValues"),
        };
        let got = match uv.merge() {
            Ok(m) => format!("ok {}", typed(&Json::Object(m))),
            Err(e) => format!("err {e}").replace(&format!("{DIR}/"), ""),
        };
        assert_eq!(got, want, "{case}");
    }
}

#[test]
fn parse_errors_name_file_and_line() {
    let uv = UserValues {
        values_files: vec![PathBuf::from(format!("{DIR}/bad.yaml"))],
        ..Default::default()
    };
    let e = uv.merge().unwrap_err();
    assert_eq!(e.file(), Some(format!("{DIR}/bad.yaml").as_str()));
    assert_eq!(e.line(), Some(3));
}

#[test]
fn typed_conversion_keeps_int64_and_float64_apart() {
    let uv = UserValues {
        values_files: vec![PathBuf::from(format!("{DIR}/one.yaml"))],
        set: vec!["n=3".into()],
        ..Default::default()
    };
    let m = uv.merge().unwrap();
    let v = from_json_typed(&Json::Object(m));
    let Value::Map(ref m) = v else { panic!("map") };
    let m = m.borrow();
    assert!(matches!(m.get("n"), Some(Value::Int64(3))));
    assert!(matches!(m.get("big"), Some(Value::Float(f)) if *f == 1e6));
}
