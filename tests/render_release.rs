//! Dependency processing, tree-wide coalescing and the top-level objects against real helm
//! v4.1.4 output for the hand-written chart tree in `tests/render-release/` (see its
//! README): stdout, Helm's log lines and the error text must match exactly.

use std::fs;
use std::path::{Path, PathBuf};

use rudder::render::command::{TemplateRequest, helm_template};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/render-release")
}

fn request(args: &[&str]) -> TemplateRequest {
    let d = dir();
    let mut req = TemplateRequest {
        release_name: Some("golden".into()),
        chart: d.join("parent"),
        namespace: Some("ns".into()),
        ..TemplateRequest::default()
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut next = || it.next().map(|s| s.to_string()).unwrap_or_default();
        match *a {
            "-f" => req.values.values_files.push(d.join(next())),
            "--include-crds" => req.include_crds = true,
            "--is-upgrade" => req.is_upgrade = true,
            "--kube-version" => req.kube_version = Some(next()),
            "--api-versions" => req.api_versions.push(next()),
            "--set" => req.values.set.push(next()),
            "--name" => req.release_name = Some(next()),
            "--chart" => req.chart = d.join(next()),
            other => panic!("unknown test flag {other}"),
        }
    }
    req
}

fn check(name: &str, args: &[&str]) {
    let golden =
        |ext: &str| fs::read_to_string(dir().join(format!("golden/{name}.{ext}"))).unwrap();
    let status: i32 = golden("status").trim().parse().unwrap();
    let (stdout, stderr, code) = match helm_template(&request(args)) {
        Ok(out) => {
            let log: String = out.log.iter().map(|l| format!("{l}\n")).collect();
            (out.stdout, log, 0)
        }
        Err(e) => {
            let log: String = e.log.iter().map(|l| format!("{l}\n")).collect();
            (String::new(), format!("{log}Error: {}\n", e.message), 1)
        }
    };
    assert_eq!(code, status, "{name}: exit status ({stderr})");
    assert_eq!(stdout, golden("yaml"), "{name}: stdout");
    assert_eq!(stderr, golden("stderr"), "{name}: stderr");
}

#[test]
fn defaults_conditions_tags_aliases_import_values_and_library_charts() {
    check("default", &[]);
}

#[test]
fn user_values_override_conditions_tags_globals_and_delete_keys() {
    check("override", &["-f", "values/override.yaml"]);
}

#[test]
fn type_conflicts_log_helms_warnings() {
    check("conflict", &["-f", "values/conflict.yaml"]);
}

#[test]
fn crds_upgrade_kube_version_and_api_versions() {
    check(
        "crds-upgrade",
        &[
            "--include-crds",
            "--is-upgrade",
            "--kube-version",
            "1.25.3+k3s1",
            "--api-versions",
            "example.com/v1",
        ],
    );
}

#[test]
fn chart_kube_version_constraint_is_checked() {
    check("kube-too-old", &["--kube-version", "1.19.0"]);
}

#[test]
fn invalid_kube_version_is_rejected() {
    check("bad-kube", &["--kube-version", "abc"]);
}

#[test]
fn invalid_release_names_are_rejected_with_helms_log_line() {
    check("bad-name", &["--name", "Bad_Name"]);
}

#[test]
fn a_schema_violation_wins_over_a_failing_template() {
    // rudder validates a small schema before rendering and a large one (`schema-large`, the
    // same schema padded past 16 KiB) on a second thread while it renders; either way the
    // outcome must be Helm's, which validates first.
    let cases: [(&str, &[&str]); 4] = [
        ("ok", &[]),
        ("and-fail", &["--set", "replicas=abc"]),
        ("minimum", &["--set", "replicas=-1"]),
        ("fail-only", &["--set", "explode=true"]),
    ];
    for chart in ["schema", "schema-large"] {
        for (case, set) in cases {
            let args: Vec<&str> = ["--chart", chart].iter().chain(set).copied().collect();
            check(&format!("{chart}-{case}"), &args);
        }
    }
}

#[test]
fn subchart_values_must_be_tables() {
    check("sub-not-table", &["--set", "sub=x"]);
}

#[test]
fn the_binary_prints_the_same_and_fails_like_helm() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_rudder"))
            .args(args)
            .current_dir(dir())
            .output()
            .expect("run rudder")
    };
    let golden = |f: &str| fs::read_to_string(dir().join("golden").join(f)).unwrap();
    let ok = run(&["render", "golden", "parent", "-n", "ns"]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&ok.stdout), golden("default.yaml"));
    assert_eq!(
        String::from_utf8_lossy(&ok.stderr),
        golden("default.stderr")
    );
    let bad = run(&[
        "template",
        "golden",
        "parent",
        "-n",
        "ns",
        "--kube-version",
        "1.19.0",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&bad.stderr),
        golden("kube-too-old.stderr")
    );
}
