//! The `rudder` binary as a user runs it: output, exit codes and help text.

use std::process::Command;

fn rudder(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(args)
        .output()
        .expect("run rudder")
}

#[test]
fn version_prints_one_line() {
    let out = rudder(&["version"]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(
        stdout,
        format!(
            "rudder {} (Kubernetes API 1.34)\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn version_json_is_machine_readable() {
    let out = rudder(&["version", "--json"]);
    assert!(out.status.success());
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(value["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(value["kubernetes_api"], "1.34");
}

#[test]
fn unknown_subcommand_fails_with_usage() {
    let out = rudder(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unrecognized subcommand 'frobnicate'"),
        "{stderr}"
    );
}

#[test]
fn every_subcommand_has_help() {
    let out = rudder(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("version"), "{help}");
    let out = rudder(&["version", "--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--json"));
}
