//! Conformance against Helm: renders every case of `tests/template-cases/expected/*.json`
//! the way `hack/template-oracle` does (in-memory chart `oracle`, see the README there) through
//! `rudder::render`, and compares with Helm's output or error.
//!
//! Ratchet: every case listed in `tests/template-cases/passing.txt` must pass; other cases
//! may fail and are only reported. `RUDDER_UPDATE_PASSING=1 cargo test --test template_cases
//! -- --nocapture` rewrites the list with the cases that pass now.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use rudder::render::values::coalesce_values;
use rudder::render::{Capabilities, ChartInfo, Engine, Files, Release, TemplateFile, top_level};
use rudder::template::Value;
use serde::Deserialize;

const CHART: &str = "oracle";

#[derive(Deserialize)]
struct Expected {
    cases: Vec<Case>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct Case {
    name: String,
    template: String,
    template_name: Option<String>,
    values: Option<String>,
    chart_values: Option<String>,
    helpers: Option<String>,
    templates: BTreeMap<String, String>,
    files: BTreeMap<String, String>,
    nondeterministic: bool,
    #[serde(rename = "match")]
    match_re: Option<String>,
    output: Option<String>,
    error: Option<String>,
    warnings: Vec<String>,
}

/// What rendering a case produced: output or error, plus coalescing warnings.
struct Outcome {
    result: Result<String, String>,
    warnings: Vec<String>,
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/template-cases")
}

/// Reads values YAML as Helm's `common.ReadValues` (empty text is an empty map).
fn read_values(text: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    // Helm v4 names the target type `common.Values` (v3: `chartutil.Values`).
    rudder::yaml::parse_values(text)
        .map_err(|e| e.to_string().replace("chartutil.Values", "common.Values"))
}

fn render_case(c: &Case) -> Outcome {
    let mut warnings = Vec::new();
    let result = (|| {
        let chart_vals = read_values(c.chart_values.as_deref().unwrap_or(""))
            .map_err(|e| format!("chart_values: {e}"))?;
        let user =
            read_values(c.values.as_deref().unwrap_or("")).map_err(|e| format!("values: {e}"))?;
        let co = coalesce_values(CHART, &chart_vals, user);
        warnings = co.warnings;
        let values = Value::from_json_go(&serde_json::Value::Object(co.values));
        let release = Release {
            name: "release".into(),
            namespace: "default".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        };
        let chart = ChartInfo {
            name: CHART.into(),
            version: "0.1.0".into(),
            api_version: "v2".into(),
            is_root: true,
            ..ChartInfo::default()
        };
        let files = Files(
            c.files
                .iter()
                .map(|(k, v)| (k.clone(), v.as_bytes().into()))
                .collect(),
        );
        let data = top_level(
            values,
            &release,
            &chart,
            &Capabilities::default(),
            &files,
            Value::new_map(),
        );
        let tname = c.template_name.clone().unwrap_or_else(|| "t.yaml".into());
        let mut sources = vec![(tname.clone(), c.template.clone())];
        if let Some(h) = &c.helpers {
            sources.push(("_helpers.tpl".into(), h.clone()));
        }
        for (k, v) in &c.templates {
            sources.push((k.clone(), v.clone()));
        }
        let tfiles: Vec<TemplateFile> = sources
            .into_iter()
            .map(|(n, text)| TemplateFile {
                name: format!("{CHART}/templates/{n}"),
                text: text.into(),
                data: data.clone(),
                base_path: format!("{CHART}/templates"),
            })
            .collect();
        let out = Engine::default()
            .render(&tfiles)
            .map_err(|e| e.to_string())?;
        let key = format!("{CHART}/templates/{tname}");
        out.get(&key)
            .cloned()
            .ok_or_else(|| format!("oracle: no output for {key}"))
    })();
    Outcome { result, warnings }
}

/// Why a case failed, or `None` when it passed.
fn check(c: &Case) -> Option<String> {
    let outcome = match catch_unwind(AssertUnwindSafe(|| render_case(c))) {
        Ok(o) => o,
        Err(_) => return Some("panicked".into()),
    };
    if outcome.warnings != c.warnings {
        return Some(format!(
            "warnings: want {:?} got {:?}",
            c.warnings, outcome.warnings
        ));
    }
    if c.nondeterministic || c.match_re.is_some() {
        let re_text = c.match_re.clone().unwrap_or_default();
        let Ok(re) = regex::Regex::new(&format!(r"\A(?:{re_text})\z")) else {
            return Some(format!("bad match regex {re_text:?}"));
        };
        let got = match &outcome.result {
            Ok(s) => s,
            Err(e) => return Some(format!("want match {re_text:?}, got error {e:?}")),
        };
        if !re.is_match(got) {
            return Some(format!("output {got:?} does not match {re_text:?}"));
        }
        if c.nondeterministic {
            return None;
        }
    }
    match (&c.output, &c.error, &outcome.result) {
        (Some(w), _, Ok(g)) if w == g => None,
        (_, Some(w), Err(g)) if w == g => None,
        (Some(w), _, got) => Some(format!("want output {w:?}\n       got {got:?}")),
        (_, Some(w), got) => Some(format!("want error {w:?}\n       got {got:?}")),
        (None, None, got) => Some(format!("case has no expectation; got {got:?}")),
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 400 {
        format!("{}...", s.chars().take(400).collect::<String>())
    } else {
        s.to_string()
    }
}

fn run_all() {
    let dir = cases_dir();
    let mut paths: Vec<PathBuf> = fs::read_dir(dir.join("expected"))
        .expect("expected dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let list_path = dir.join("passing.txt");
    let listed: BTreeSet<String> = fs::read_to_string(&list_path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let mut passing = BTreeSet::new();
    let mut regressions = Vec::new();
    let (mut total, mut total_pass) = (0, 0);
    for p in &paths {
        let area = p
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        let doc: Expected =
            serde_json::from_str(&fs::read_to_string(p).expect("read")).expect("parse expected");
        let (mut pass, mut fails) = (0, Vec::new());
        for c in &doc.cases {
            let id = format!("{area}/{}", c.name);
            match check(c) {
                None => {
                    pass += 1;
                    passing.insert(id);
                }
                Some(why) => {
                    if listed.contains(&id) {
                        regressions.push(id.clone());
                    }
                    fails.push(format!("  FAIL {id}: {}", short(&why)));
                }
            }
        }
        total += doc.cases.len();
        total_pass += pass;
        println!("{area}: {pass}/{} passed", doc.cases.len());
        for f in &fails {
            println!("{f}");
        }
    }
    println!("TOTAL: {total_pass}/{total} passed");
    if std::env::var("RUDDER_UPDATE_PASSING").is_ok_and(|v| v == "1") {
        let mut text = String::from(
            "# Template cases that pass (tests/template_cases.rs ratchet); regenerate with\n# RUDDER_UPDATE_PASSING=1 cargo test --test template_cases\n",
        );
        for id in &passing {
            text.push_str(id);
            text.push('\n');
        }
        fs::write(&list_path, text).expect("write passing.txt");
        return;
    }
    assert!(
        regressions.is_empty(),
        "cases listed in passing.txt now fail: {regressions:?}"
    );
}

#[test]
fn template_cases_match_helm() {
    // Deep template recursion cases need a big stack.
    let handle = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(run_all)
        .expect("spawn");
    if let Err(e) = handle.join() {
        std::panic::resume_unwind(e);
    }
}
