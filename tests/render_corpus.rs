//! The chart corpus (`../shared/charts-corpus`, or `RUDDER_CHARTS_CORPUS`) as a test: every
//! case of its `cases.json` runs through the library ([`rudder::render::command`], argv
//! parsed by the CLI definition) and through the built `rudder` binary, with the corpus root
//! as working directory, and is compared with helm v4.1.4's golden output.
//!
//! - Deterministic successful cases: stdout byte-identical to `golden/<case>.yaml`; stderr
//!   (Helm's log lines) identical to `golden/<case>.stderr`, or empty.
//! - Nondeterministic cases: documents whose `# Source:` is not listed in
//!   `nondeterministic_sources` byte-identical; listed documents must have the same lines,
//!   and a line may differ only in its generated values: the mapping key (text before the
//!   first `: `) identical, and the values split into the same sequence of separators and
//!   tokens (maximal runs of `[A-Za-z0-9+/=]`), punctuation identical, only tokens different
//!   (random strings, base64 keys and certificates, timestamps).
//! - Failing cases: exit status 1 and stderr equal to Helm's (`Error: ...`), compared as a
//!   multiset of lines when the case says Helm's line order is not stable (schema errors).
//!
//! Ratchet: the cases in `tests/render-corpus/passing.txt` must pass; others are reported.
//! `RUDDER_UPDATE_PASSING=1 cargo test --test render_corpus -- --nocapture` rewrites the list.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser;
use rudder::cli::{Cli, Command as CliCommand};
use rudder::render::command::helm_template;
use serde::Deserialize;

#[derive(Deserialize)]
struct Manifest {
    cases: Vec<Case>,
}

#[derive(Deserialize, Clone)]
struct Case {
    name: String,
    argv: Vec<String>,
    expected_exit_status: i32,
    golden: Option<String>,
    stderr_file: Option<String>,
    #[serde(default)]
    expected_error: Option<String>,
    #[serde(default)]
    nondeterministic: bool,
    #[serde(default)]
    nondeterministic_sources: Vec<String>,
    #[serde(default)]
    stderr_line_order_nondeterministic: bool,
}

/// What one run produced.
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn corpus_root() -> PathBuf {
    match std::env::var_os("RUDDER_CHARTS_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/charts-corpus"),
    }
}

fn passing_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/render-corpus/passing.txt")
}

/// `helm template ARGS` through the library, stderr assembled as the binary prints it.
fn run_library(args: &[String]) -> Run {
    let argv = ["rudder".to_string(), "render".to_string()]
        .into_iter()
        .chain(args.iter().cloned());
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => {
            return Run {
                status: 2,
                stdout: String::new(),
                stderr: e.to_string(),
            };
        }
    };
    let CliCommand::Render(render) = cli.command else {
        panic!("argv did not parse as render");
    };
    match helm_template(&render.request()) {
        Ok(out) => Run {
            status: 0,
            stdout: out.stdout,
            stderr: lines(&out.log),
        },
        Err(e) => Run {
            status: 1,
            stdout: String::new(),
            stderr: format!("{}Error: {}\n", lines(&e.log), e.message),
        },
    }
}

fn lines(log: &[String]) -> String {
    log.iter().map(|l| format!("{l}\n")).collect()
}

/// `rudder render ARGS` as a process.
fn run_cli(root: &Path, args: &[String]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_rudder"))
        .arg("render")
        .args(args)
        .current_dir(root)
        .output()
        .expect("run rudder");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Documents by `# Source:` path, in order (split before every line-initial
/// `---\n# Source: `, as `check_goldens.py` does).
fn documents(text: &str) -> BTreeMap<String, Vec<String>> {
    const MARK: &str = "---\n# Source: ";
    let mut cuts: Vec<usize> = text
        .match_indices(MARK)
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')
        .collect();
    if cuts.first() != Some(&0) {
        cuts.insert(0, 0);
    }
    cuts.push(text.len());
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for w in cuts.windows(2) {
        let part = &text[w[0]..w[1]];
        let source = part
            .strip_prefix(MARK)
            .and_then(|s| s.split('\n').next())
            .unwrap_or("")
            .to_string();
        out.entry(source).or_default().push(part.to_string());
    }
    out
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')
}

/// Splits a line into alternating separator and token runs.
fn runs(line: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut cur: Option<bool> = None;
    for (i, c) in line.char_indices() {
        let t = is_token_char(c);
        if cur.is_some_and(|k| k != t) {
            out.push((cur.unwrap_or(false), &line[start..i]));
            start = i;
        }
        cur = Some(t);
    }
    if let Some(k) = cur {
        out.push((k, &line[start..]));
    }
    out
}

/// Whether two versions of a generated document differ only in generated values.
fn equal_after_masking(a: &str, b: &str) -> bool {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    la.len() == lb.len()
        && la.iter().zip(&lb).all(|(x, y)| {
            if x == y {
                return true;
            }
            // Mapping keys are structure, never generated: they must match exactly.
            let (kx, vx) = x.split_once(": ").unwrap_or(("", x));
            let (ky, vy) = y.split_once(": ").unwrap_or(("", y));
            if kx != ky {
                return false;
            }
            let (rx, ry) = (runs(vx), runs(vy));
            rx.len() == ry.len()
                && rx
                    .iter()
                    .zip(&ry)
                    .all(|((tx, sx), (ty, sy))| tx == ty && (*tx || sx == sy))
        })
}

fn compare_stdout(case: &Case, golden: &str, got: &str) -> Vec<String> {
    if !case.nondeterministic {
        return if golden == got {
            vec![]
        } else {
            vec![first_difference(golden, got)]
        };
    }
    let (a, b) = (documents(golden), documents(got));
    let mut errs = Vec::new();
    for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
        let (da, db) = (a.get(key), b.get(key));
        if !case.nondeterministic_sources.contains(key) {
            if da != db {
                errs.push(format!("document differs: {key}"));
            }
            continue;
        }
        let same = match (da, db) {
            (Some(x), Some(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal_after_masking(p, q))
            }
            _ => false,
        };
        if !same {
            errs.push(format!(
                "generated document differs beyond its values: {key}"
            ));
        }
    }
    errs
}

fn first_difference(want: &str, got: &str) -> String {
    let line = want
        .lines()
        .zip(got.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| want.lines().count().min(got.lines().count()));
    format!(
        "stdout differs at line {}: want {:?}, got {:?}",
        line + 1,
        want.lines().nth(line).unwrap_or("<end>"),
        got.lines().nth(line).unwrap_or("<end>")
    )
}

fn check(root: &Path, case: &Case, run: &Run) -> Vec<String> {
    let mut errs = Vec::new();
    if run.status != case.expected_exit_status {
        errs.push(format!(
            "exit {} != {}: {}",
            run.status,
            case.expected_exit_status,
            run.stderr.lines().next().unwrap_or("")
        ));
        return errs;
    }
    if let Some(g) = &case.golden {
        let golden = fs::read_to_string(root.join(g)).expect("golden file");
        errs.extend(compare_stdout(case, &golden, &run.stdout));
        let want_err = case
            .stderr_file
            .as_ref()
            .map(|f| fs::read_to_string(root.join(f)).expect("stderr file"))
            .unwrap_or_default();
        if want_err != run.stderr {
            errs.push(format!("stderr {:?} != {:?}", run.stderr, want_err));
        }
    } else {
        let want = case.expected_error.clone().unwrap_or_default();
        let got = run.stderr.trim();
        let same = if case.stderr_line_order_nondeterministic {
            let mut x: Vec<&str> = want.lines().collect();
            let mut y: Vec<&str> = got.lines().collect();
            x.sort_unstable();
            y.sort_unstable();
            x == y
        } else {
            want == got
        };
        if !same {
            errs.push(format!("stderr {got:?} != {want:?}"));
        }
    }
    errs
}

#[test]
fn corpus_cases_render_as_helm_does() {
    let root = corpus_root();
    // A missing corpus is a failure, not a skip: a green run must mean the cases ran.
    let text = fs::read_to_string(root.join("cases.json")).unwrap_or_else(|e| {
        panic!(
            "render corpus not found at {} (set RUDDER_CHARTS_CORPUS): {e}",
            root.display()
        )
    });
    let manifest: Manifest = serde_json::from_str(&text).expect("cases.json");
    // The library resolves the relative chart and values paths of the argv from here; no
    // other test of this binary uses relative paths.
    std::env::set_current_dir(&root).expect("cd corpus");
    let mut passing = Vec::new();
    let mut failures = Vec::new();
    let (mut lib_ok, mut cli_ok) = (0, 0);
    for case in &manifest.cases {
        let args = &case.argv[2..];
        let lib = check(&root, case, &run_library(args));
        let cli = check(&root, case, &run_cli(&root, args));
        lib_ok += usize::from(lib.is_empty());
        cli_ok += usize::from(cli.is_empty());
        if lib.is_empty() && cli.is_empty() {
            passing.push(case.name.clone());
        } else {
            let mut errs: Vec<String> = lib.into_iter().map(|e| format!("library: {e}")).collect();
            errs.extend(cli.into_iter().map(|e| format!("cli: {e}")));
            failures.push((case.name.clone(), errs));
        }
    }
    for (name, errs) in &failures {
        eprintln!("FAIL {name}");
        for e in errs.iter().take(4) {
            eprintln!("    {e}");
        }
    }
    let total = manifest.cases.len();
    eprintln!(
        "render corpus: {}/{total} cases pass (library {lib_ok}/{total}, cli {cli_ok}/{total})",
        passing.len()
    );
    if std::env::var_os("RUDDER_UPDATE_PASSING").is_some() {
        let text: String = passing.iter().map(|n| format!("{n}\n")).collect();
        fs::write(passing_file(), text).expect("write passing list");
        return;
    }
    let expected = fs::read_to_string(passing_file()).unwrap_or_default();
    let regressions: Vec<&str> = expected
        .lines()
        .filter(|n| !n.is_empty() && !passing.iter().any(|p| p == n))
        .collect();
    assert!(
        regressions.is_empty(),
        "cases listed in tests/render-corpus/passing.txt fail now: {regressions:?}"
    );
}

#[test]
fn masking_accepts_only_value_changes() {
    assert!(equal_after_masking(
        "  password: \"azdY==\"\n  name: golden-abcde-test",
        "  password: \"NzhW==\"\n  name: golden-qwert-test"
    ));
    assert!(!equal_after_masking("  password: x", "  secret: x"));
    assert!(!equal_after_masking("a: 1\nb: 2", "a: 1"));
    assert!(!equal_after_masking("a: \"x\"", "a: x"));
}
