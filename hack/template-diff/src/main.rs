//! Differential fuzzer: generates random-but-plausible Helm templates and values
//! ([`generate`]), renders each through rudder's engine (`rudder::render::Engine`, the way
//! `tests/template_cases.rs` does) and through Helm v4.1.4's engine (`hack/template-oracle
//! -serve`, one long-lived process fed JSON lines), and compares outputs and error texts.
//!
//! Usage: `template-diff --oracle BIN [--duration SECS] [--seed N] [--batch N] [--out DIR]`
//! (see `run.sh`). Writes `DIR/summary.json` (refreshed after every batch: wall time, cases,
//! mismatch classes with counts and the shortest example) and `DIR/mismatches.jsonl` (up to
//! five examples per class). Mismatches are grouped by `KIND:TOPIC`, KIND being
//! `output` (both rendered, texts differ), `error` (both failed, texts differ), `go-only-error`,
//! `rust-only-error` or `rust-panic`, and TOPIC the construct or function the case was built
//! around.

mod generate;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rudder::render::values::coalesce_values;
use rudder::render::{Capabilities, ChartInfo, Engine, Files, Release, TemplateFile, top_level};
use rudder::template::Value;
use serde::Serialize;

const CHART: &str = "oracle";

struct Args {
    oracle: PathBuf,
    duration: Duration,
    seed: u64,
    batch: usize,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        oracle: PathBuf::new(),
        duration: Duration::from_secs(3600),
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(1),
        batch: 200,
        out: PathBuf::from("template-diff-out"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--oracle" => a.oracle = PathBuf::from(val()?),
            "--duration" => {
                a.duration = Duration::from_secs(val()?.parse().map_err(|e| format!("{e}"))?)
            }
            "--seed" => a.seed = val()?.parse().map_err(|e| format!("{e}"))?,
            "--batch" => a.batch = val()?.parse().map_err(|e| format!("{e}"))?,
            "--out" => a.out = PathBuf::from(val()?),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if a.oracle.as_os_str().is_empty() {
        return Err("--oracle BIN is required".into());
    }
    Ok(a)
}

/// The Go oracle process: cases go in as JSON lines, answers come back on a channel.
struct Oracle {
    child: Child,
    stdin: ChildStdin,
    answers: mpsc::Receiver<String>,
}

impl Oracle {
    /// Starts `bin -serve`; its stderr (Go crash dumps) is appended to `log`.
    fn start(bin: &PathBuf, log: &std::path::Path) -> Result<Oracle, String> {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| format!("{}: {e}", log.display()))?;
        let mut child = Command::new(bin)
            .arg("-serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .map_err(|e| format!("starting {}: {e}", bin.display()))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Oracle {
            child,
            stdin,
            answers: rx,
        })
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A rendering result: output text or error text.
type Outcome = Result<String, String>;

fn oracle_outcome(line: &str) -> Option<Outcome> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    if let Some(e) = v.get("error").and_then(|e| e.as_str()) {
        return Some(Err(e.to_string()));
    }
    v.get("output")
        .and_then(|o| o.as_str())
        .map(|o| Ok(o.to_string()))
}

/// Renders a case through rudder exactly as `tests/template_cases.rs` renders table cases.
fn render_rust(c: &generate::Case) -> Outcome {
    let user = rudder::yaml::parse_values(&c.values).map_err(|e| {
        format!(
            "values: {}",
            e.to_string().replace("chartutil.Values", "common.Values")
        )
    })?;
    let co = coalesce_values(CHART, &serde_json::Map::new(), user);
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
    let data = top_level(
        values,
        &release,
        &chart,
        &Capabilities::default(),
        &Files::default(),
        Value::new_map(),
    );
    let mut sources = vec![("t.yaml".to_string(), c.template.clone())];
    if !c.helpers.is_empty() {
        sources.push(("_helpers.tpl".into(), c.helpers.clone()));
    }
    let files: Vec<TemplateFile> = sources
        .into_iter()
        .map(|(n, text)| TemplateFile {
            name: format!("{CHART}/templates/{n}"),
            text,
            data: data.clone(),
            base_path: format!("{CHART}/templates"),
        })
        .collect();
    let out = Engine::default()
        .render(&files)
        .map_err(|e| e.to_string())?;
    let key = format!("{CHART}/templates/t.yaml");
    out.get(&key)
        .cloned()
        .ok_or_else(|| format!("oracle: no output for {key}"))
}

#[derive(Serialize, Default)]
struct Class {
    count: u64,
    /// The shortest template seen for this class, with its values and both results.
    example: Option<Example>,
}

#[derive(Serialize, Clone)]
struct Example {
    template: String,
    helpers: String,
    values: String,
    go: Outcome,
    rust: Outcome,
}

#[derive(Serialize, Default)]
struct Summary {
    seed: u64,
    wall_seconds: u64,
    cases: u64,
    matched: u64,
    go_errors: u64,
    oracle_restarts: u64,
    /// Templates on which the Go oracle crashed or hung (Go-side failures, not rudder's).
    oracle_failures: Vec<String>,
    slow_rust_cases: u64,
    classes: BTreeMap<String, Class>,
}

fn classify(go: &Outcome, rust: &Outcome, panicked: bool) -> Option<&'static str> {
    if panicked {
        return Some("rust-panic");
    }
    match (go, rust) {
        (Ok(a), Ok(b)) if a == b => None,
        (Err(a), Err(b)) if a == b => None,
        (Ok(_), Ok(_)) => Some("output"),
        (Err(_), Err(_)) => Some("error"),
        (Err(_), Ok(_)) => Some("go-only-error"),
        (Ok(_), Err(_)) => Some("rust-only-error"),
    }
}

fn write_summary(out: &std::path::Path, s: &Summary) {
    if let Ok(text) = serde_json::to_string_pretty(s) {
        let _ = std::fs::write(out.join("summary.json"), text);
    }
}

fn run(args: Args) -> Result<(), String> {
    std::fs::create_dir_all(&args.out).map_err(|e| e.to_string())?;
    let funcs = rudder::render::funcs::helm_funcs(None);
    let table = funcs
        .names()
        .into_iter()
        .filter_map(|n| funcs.get(&n).map(|f| (n.clone(), f.arity)))
        .collect();
    let mut generator = generate::Gen::new(args.seed, table);
    let oracle_log = args.out.join("oracle-stderr.log");
    let mut oracle = Oracle::start(&args.oracle, &oracle_log)?;
    let mut mismatch_log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(args.out.join("mismatches.jsonl"))
        .map_err(|e| e.to_string())?;
    let mut summary = Summary {
        seed: args.seed,
        ..Summary::default()
    };
    let start = Instant::now();
    let mut n = 0u64;
    // Quiet the default panic hook: panics are caught and recorded as findings.
    std::panic::set_hook(Box::new(|_| {}));
    while start.elapsed() < args.duration {
        let cases: Vec<generate::Case> = (0..args.batch)
            .map(|_| {
                n += 1;
                generator.case(format!("c{n}"))
            })
            .collect();
        let mut payload = String::new();
        for c in &cases {
            payload.push_str(&serde_json::to_string(c).map_err(|e| e.to_string())?);
            payload.push('\n');
        }
        if oracle.stdin.write_all(payload.as_bytes()).is_err() || oracle.stdin.flush().is_err() {
            oracle.stop();
            oracle = Oracle::start(&args.oracle, &oracle_log)?;
            summary.oracle_restarts += 1;
            continue;
        }
        for c in &cases {
            let go = match oracle.answers.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => oracle_outcome(&line),
                Err(_) => None,
            };
            let Some(go) = go else {
                // Oracle died or hung (a Go crash/OOM on this input): restart, skip the batch.
                eprintln!("oracle failed on case {}: {:?}", c.name, c.template);
                summary.oracle_failures.push(c.template.clone());
                oracle.stop();
                oracle = Oracle::start(&args.oracle, &oracle_log)?;
                summary.oracle_restarts += 1;
                break;
            };
            let t0 = Instant::now();
            let (rust, panicked) = match catch_unwind(AssertUnwindSafe(|| render_rust(c))) {
                Ok(r) => (r, false),
                Err(_) => (Err("PANIC".to_string()), true),
            };
            if t0.elapsed() > Duration::from_secs(2) {
                summary.slow_rust_cases += 1;
                eprintln!("slow rust case ({:?}): {:?}", t0.elapsed(), c.template);
            }
            summary.cases += 1;
            if go.is_err() {
                summary.go_errors += 1;
            }
            let Some(kind) = classify(&go, &rust, panicked) else {
                summary.matched += 1;
                continue;
            };
            let key = format!("{kind}:{}", c.topic);
            let class = summary.classes.entry(key.clone()).or_default();
            class.count += 1;
            let example = Example {
                template: c.template.clone(),
                helpers: c.helpers.clone(),
                values: c.values.clone(),
                go,
                rust,
            };
            if class.count <= 5 {
                let line = serde_json::json!({"class": key, "example": example});
                let _ = writeln!(mismatch_log, "{line}");
            }
            let shorter = class.example.as_ref().is_none_or(|e| {
                e.template.len() + e.helpers.len() > c.template.len() + c.helpers.len()
            });
            if shorter {
                class.example = Some(example);
            }
        }
        summary.wall_seconds = start.elapsed().as_secs();
        write_summary(&args.out, &summary);
    }
    oracle.stop();
    summary.wall_seconds = start.elapsed().as_secs();
    write_summary(&args.out, &summary);
    let mismatched: u64 = summary.classes.values().map(|c| c.count).sum();
    println!(
        "template-diff: {} cases in {} s, {} matched, {} mismatched in {} classes (seed {})",
        summary.cases,
        summary.wall_seconds,
        summary.matched,
        mismatched,
        summary.classes.len(),
        summary.seed
    );
    Ok(())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("template-diff: {e}");
            std::process::exit(2);
        }
    };
    // Deep template recursion needs a big stack, as in tests/template_cases.rs.
    let handle = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || run(args));
    match handle.map(|h| h.join()) {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => {
            eprintln!("template-diff: {e}");
            std::process::exit(1);
        }
        _ => {
            eprintln!("template-diff: crashed");
            std::process::exit(1);
        }
    }
}
