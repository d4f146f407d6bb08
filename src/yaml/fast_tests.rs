//! The fast path's contract: whenever it reads a text, the full decoder reads the same value.
//!
//! - Unit tests for the subset's edge cases (each also checked against the full decoder).
//! - Go's recorded `values`/`y2j` outputs (`testdata/go_cases.jsonl`) for every case it reads.
//! - A differential run over the chart corpus (values files, Chart.yaml, CRDs and every
//!   rendered document of the golden outputs), reporting how much of it the fast path reads.
//! - Seeded random mutations of corpus and sample documents.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::super::decode::full_first_document;
use super::super::json::{JsonOptions, to_json_unchecked};
use super::*;
use crate::test_support::{Rng, corpus_root};

const MODES: [NumberMode; 2] = [NumberMode::Float64, NumberMode::Preserve];

/// Asserts the contract for `text` in both modes; returns whether the fast path read it.
fn check(text: &str) -> bool {
    if std::env::var_os("FAST_DEBUG").is_some() {
        eprintln!(
            "{text:?}: fast {:?} full {:?}",
            decode(text, NumberMode::Preserve),
            full_first_document(text, NumberMode::Preserve)
        );
    }
    let mut read = false;
    for mode in MODES {
        if let Some(fast) = try_decode(text, mode) {
            read = true;
            match full_first_document(text, mode) {
                Ok(full) => assert!(
                    same_value(&fast, &full),
                    "fast path differs for {text:?} ({mode:?}):\n fast {fast:?}\n full {full:?}"
                ),
                Err(e) => {
                    panic!("fast path read {text:?} ({mode:?}) that the full decoder rejects: {e}")
                }
            }
        }
    }
    read
}

/// Equality that also tells integers from floats (serde_json's `==` already does) and
/// compares NaN to itself.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || x.as_f64().is_some_and(f64::is_nan) && y.as_f64().is_some_and(f64::is_nan)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kp, p), (kq, q))| kp == kq && same_value(p, q))
        }
        _ => a == b,
    }
}

fn reads(text: &str, want: Value) {
    assert!(
        check(text),
        "fast path declined {text:?}: {:?}",
        decode(text, NumberMode::Preserve)
    );
    assert_eq!(
        try_decode(text, NumberMode::Preserve),
        Some(want),
        "{text:?}"
    );
}

fn declines(text: &str) {
    check(text);
    assert_eq!(try_decode(text, NumberMode::Preserve), None, "{text:?}");
    assert_eq!(try_decode(text, NumberMode::Float64), None, "{text:?}");
}

#[test]
fn mappings_sequences_and_scalars() {
    use serde_json::json;
    reads("", Value::Null);
    reads("# only a comment\n\n", Value::Null);
    reads("---\n", Value::Null);
    reads("--- # c\na: 1\n", json!({"a": 1}));
    reads(
        "a: 1\nb: x\nc: 1.5\nd: yes\ne: ~\nf:\n",
        json!({"a": 1, "b": "x", "c": 1.5, "d": true, "e": null, "f": null}),
    );
    reads("a:\n  b:\n    c: d\n", json!({"a": {"b": {"c": "d"}}}));
    reads("a:\n- x\n- w\nb: 2", json!({"a": ["x", "w"], "b": 2}));
    reads(
        "a:\n  - x\n  -\n  - - v\n    - z\n",
        json!({"a": ["x", null, ["v", "z"]]}),
    );
    reads("- a: 1\n  b: 2\n- c\n", json!([{"a": 1, "b": 2}, "c"]));
    reads("-   a: 1\n    b:\n    - x\n", json!([{"a": 1, "b": ["x"]}]));
    reads("- # c\n  a: 1\n", json!([{"a": 1}]));
    reads("-\n- -\n", json!([null, [null]]));
    reads("a: b # comment\nc: d#e\n", json!({"a": "b", "c": "d#e"}));
    reads(
        "a:    # comment\n  # more\n  b: 1\n",
        json!({"a": {"b": 1}}),
    );
    reads("key with spaces  : v\n", json!({"key with spaces": "v"}));
    reads(
        "a: http://x:80/y\nb: -1\nc: --flag=1,2\nd: a - b\n",
        json!({"a": "http://x:80/y", "b": -1, "c": "--flag=1,2", "d": "a - b"}),
    );
    reads("a: 1\na: 2\n", json!({"a": 2}));
    reads("  a: 1\n  b: 2\n", json!({"a": 1, "b": 2}));
    reads("2001-12-14: x\n", json!({"2001-12-14": "x"}));
    reads("plain\n", json!("plain"));
    reads("'quoted' # c\n", json!("quoted"));
    reads("a: ünïcødé ✓\n", json!({"a": "ünïcødé ✓"}));
    // Only the first document is read, as go-yaml's Unmarshal does.
    reads("a: 1\n---\nb: [\n", json!({"a": 1}));
    reads("- |\n x\n...\n", json!(["x\n"]));
}

#[test]
fn quoted_scalars() {
    use serde_json::json;
    reads(
        r#"a: "x\ty\n\"\\ \x41\u00e9\U0001F600""#,
        json!({"a": "x\ty\n\"\\ Aé😀"}),
    );
    reads(
        "a: 'it''s'\n'k': \"v\"\n\"q k\" : 1\n",
        json!({"a": "it's", "k": "v", "q k": 1}),
    );
    reads("a: \"1\"\nb: 'true'\n", json!({"a": "1", "b": "true"}));
    declines("a: \"\\/\"\n");
    declines("a: \"\\'\"\n");
    declines("a: \"\\q\"\n");
    declines("a: \"\\ud800\"\n");
    reads("a: \"multi \n  line\"\n", json!({"a": "multi line"}));
    reads("a: 'multi\n\n   line '\n", json!({"a": "multi\nline "}));
    reads("- \"a \\\n  \\ b\\\n  c\"\n", json!(["a  bc"]));
    reads("- k: 'x:\n    y'\n  l: 1\n", json!([{"k": "x: y", "l": 1}]));
    reads(
        "- {key: a, values: [b]}\n",
        json!([{"key": "a", "values": ["b"]}]),
    );
    declines("a: 'multi\nline'\n");
    declines("\"a\nb\": 1\n");
    declines("a: \"x\"y\n");
    declines("a: \"x\"#c\n");
}

#[test]
fn block_scalars_chomping_and_indentation() {
    use serde_json::json;
    reads("a: |\n  x\n  y\nb: 1\n", json!({"a": "x\ny\n", "b": 1}));
    reads("a: |-\n  x\n\n  y\n\n", json!({"a": "x\n\ny"}));
    reads("a: |+\n  x\n\n\nb: 1\n", json!({"a": "x\n\n\n", "b": 1}));
    reads("a: |\n  x\n\n\n", json!({"a": "x\n"}));
    reads("a: |-\n  x", json!({"a": "x"}));
    // The last line ends the input: no line break to keep (as go-yaml).
    reads("a: |\n  x", json!({"a": "x"}));
    reads("a: |+\n  x", json!({"a": "x"}));
    reads("a: >\n  x\n  y", json!({"a": "x y"}));
    reads(
        "a: |\n\n  x\n    y\n  # not a comment\n",
        json!({"a": "\nx\n  y\n# not a comment\n"}),
    );
    reads("a: |2\n    x\n   y\n", json!({"a": "  x\n y\n"}));
    reads("a: |2-\n   x\n", json!({"a": " x"}));
    reads("a: >\n  x\n  y\n\n  z\n", json!({"a": "x y\nz\n"}));
    reads("a: >-\n  x\n  y\n", json!({"a": "x y"}));
    reads("- |\n x\n- >\n  y\n", json!(["x\n", "y\n"]));
    reads("- a: |\n    x\n  b: 1\n", json!([{"a": "x\n", "b": 1}]));
    reads("a: | # c\n  x\n# c\nb: 1\n", json!({"a": "x\n", "b": 1}));
    reads("a: |\n  x\n   \n", json!({"a": "x\n \n"}));
    reads("a: |\n  x\n  \ty\n", json!({"a": "x\n\ty\n"}));
    declines("a: |\n  \tx\n");
    reads(
        "a: |\nb: |-\n\n\nc: >\n# c\n",
        json!({"a": "", "b": "", "c": ""}),
    );
    declines("a: |+\nb: 1\n");
    declines("a: |\n   \nb: 1\n");
    declines("a: >\n  x\n    y\n");
    declines("|\n x\n");
    declines("a: |x\n  y\n");
    declines("a: |\n\tx\n");
}

#[test]
fn multi_line_plain_scalars() {
    use serde_json::json;
    reads(
        "a: one\n  two\n\n  three # c\nb:\n  own line\n  - x\n",
        json!({"a": "one two\nthree", "b": "own line - x"}),
    );
    reads("- a\n  b\n- c: d\n    e\n", json!(["a b", {"c": "d e"}]));
    reads("a:\n  {}\n  # c\nb: 1\n", json!({"a": {}, "b": 1}));
}

#[test]
fn flow_collections() {
    use serde_json::json;
    reads(
        "a: []\nb: {}\nc: [1, x, 'y', \"z\"]\nd: {k: v, m: 1}\ne: [[a], {b: [c]}]\n",
        json!({"a": [], "b": {}, "c": [1, "x", "y", "z"], "d": {"k": "v", "m": 1}, "e": [["a"], {"b": ["c"]}]}),
    );
    reads("[a, -1]\n", json!(["a", -1]));
    reads("{}", json!({}));
    declines("a: [x,]\n");
    declines("a: [x\n  , y]\n");
    declines("a: {\"k\":v}\n");
    declines("a: [a: b]\n");
    declines("a: {x}\n");
    declines("[a]: b\n");
}

#[test]
fn declined_constructs() {
    for text in [
        "a: &x\n  b: 1\nc: *x\n",
        "a: &x |\n  t\nb: *x\n",
        "a: &x\nb: *x\n",
        "a: *x\n",
        "a: &x 1\nb: *x y\n",
        "a: &x 1\nb: *x: 2\n",
        "a: &x. 1\n",
        "a: & 1\n",
        "&x a: 1\n",
        "a: !!str 1\n",
        "<<: {a: 1}\n",
        "? a\n: b\n",
        "%YAML 1.1\n---\na: 1\n",
        "---\n---\na: 1\n",
        "a: b\n c: d\n",
        "a: b\n# c\n  d\n",
        "a: b: c\n",
        "a: - b\n",
        "1: x\n",
        "true: x\n",
        "null: x\n",
        "a:\r\n  b: 1\r\n",
        "\u{feff}a: 1\n",
        "a:\n\t- b\n",
        "a: x\u{85}y\n",
        "a: x\u{7}y\n",
        "a:\n  b: 1\n - c\n",
        "a:\n  b: 1\n  - c\n",
        "- a\nb: 1\n",
        "a: @x\n",
        "a: `x\n",
    ] {
        declines(text);
    }
}

/// Anchors on one-line values and their aliases, as the alertmanager chart's values use them.
#[test]
fn scalar_anchors_and_aliases() {
    use serde_json::json;
    reads(
        "port: &p http\nsvc:\n  port: *p\n  list: [a]\nother: *p # same\n",
        json!({"port": "http", "svc": {"port": "http", "list": ["a"]}, "other": "http"}),
    );
    reads(
        "a: &n 8080\nb: &f [1, \"x\"]\nc: *n\nd:\n  - *f\n  - &q 'q'\n  - *q\n",
        json!({"a": 8080, "b": [1, "x"], "c": 8080, "d": [[1, "x"], "q", "q"]}),
    );
    reads(
        "a: &x 1\na2: &x 2\nb: *x\n",
        json!({"a": 1, "a2": 2, "b": 2}),
    );
    let many: String = std::iter::once("a: &x 1\n".to_string())
        .chain((0..=MAX_ALIASES).map(|i| format!("k{i}: *x\n")))
        .collect();
    declines(&many);
}

#[test]
fn numbers_follow_the_mode() {
    let text = "i: 3\nu: 18446744073709551615\nf: 1e3\nh: 0x1F\n";
    assert!(check(text));
    let p = try_decode(text, NumberMode::Preserve).unwrap_or_default();
    assert!(p["i"].is_i64() && p["u"].is_u64() && p["f"].is_f64());
    let f = try_decode(text, NumberMode::Float64).unwrap_or_default();
    assert!(f["i"].is_f64() && f["u"].is_f64() && f["h"] == serde_json::json!(31.0));
    // Infinite and NaN floats cannot become JSON numbers: the full decoder reports that.
    declines("a: .inf\n");
    declines("a: .nan\n");
}

#[test]
fn deep_nesting_is_declined() {
    let mut text = String::new();
    for i in 0..(MAX_DEPTH + 5) {
        text.push_str(&" ".repeat(i));
        text.push_str("a:\n");
    }
    declines(&text);
}

/// Go's recorded outputs: every `values`/`y2j` case the fast path reads, it reads as Go did.
#[test]
fn fast_path_matches_go_recordings() {
    let cases = include_str!("testdata/go_cases.jsonl");
    let mut read = 0;
    for line in cases.lines() {
        let Ok(case) = serde_json::from_str::<Value>(line) else {
            panic!("golden line is JSON: {line}");
        };
        let field = |k: &str| case[k].as_str().unwrap_or_default().to_string();
        let (op, input, out, err) = (field("op"), field("in"), field("out"), field("err"));
        let mode = match op.as_str() {
            "values" => NumberMode::Float64,
            "y2j" => NumberMode::Preserve,
            _ => continue,
        };
        check(&input);
        let Some(v) = try_decode(&input, mode) else {
            continue;
        };
        read += 1;
        let yaml_error = op == "y2j" || err.starts_with("error converting YAML to JSON");
        assert!(
            err.is_empty() || !yaml_error,
            "fast path read {input:?} that Go rejects: {err}"
        );
        if !err.is_empty() {
            continue;
        }
        let json = to_json_unchecked(&v, &JsonOptions::marshal());
        let empty = v.is_null() || v.as_object().is_some_and(serde_json::Map::is_empty);
        assert!(
            json == out || op == "values" && empty && out == "null",
            "{op} {input:?}: fast {json} Go {out}"
        );
    }
    eprintln!("{read} of Go's values/y2j cases read by the fast path");
    assert!(
        read > 60,
        "only {read} golden cases were read by the fast path"
    );
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "templates") {
                yaml_files(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// The corpus's YAML texts: (group, text). Values files, Chart.yaml, CRDs and so on are read
/// whole; golden outputs are split into their documents as `helm template` prints them.
fn corpus_texts() -> Vec<(&'static str, String)> {
    let root = corpus_root();
    let mut out = Vec::new();
    let mut files = Vec::new();
    yaml_files(&root.join("charts"), &mut files);
    yaml_files(&root.join("values"), &mut files);
    for f in files {
        if let Ok(text) = std::fs::read_to_string(&f) {
            out.push(("chart and values files", text));
        }
    }
    let mut golden = Vec::new();
    yaml_files(&root.join("golden"), &mut golden);
    for f in golden {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let mut doc = String::new();
        for line in text.split_inclusive('\n') {
            if line.trim_end_matches('\n') == "---" {
                if !doc.is_empty() {
                    out.push(("rendered documents", std::mem::take(&mut doc)));
                }
            } else {
                doc.push_str(line);
            }
        }
        if !doc.is_empty() {
            out.push(("rendered documents", doc));
        }
    }
    out
}

/// Differential run over the corpus; prints the share of documents and bytes (of those the
/// full decoder reads) read by the fast path and the most frequent reasons for declining.
#[test]
fn corpus_fast_path_agrees_with_full_decoder() {
    let texts = corpus_texts();
    if texts.is_empty() {
        eprintln!(
            "chart corpus not found at {}: skipped",
            corpus_root().display()
        );
        return;
    }
    // group -> (docs, docs read, bytes, bytes read)
    let mut stats: BTreeMap<&str, (usize, usize, usize, usize)> = BTreeMap::new();
    let mut reasons: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
    for (group, text) in &texts {
        let read = check(text);
        if !read && full_first_document(text, NumberMode::Preserve).is_err() {
            // Not YAML to begin with (e.g. a template kept under crds/): nothing to read.
            continue;
        }
        let s = stats.entry(group).or_default();
        s.0 += 1;
        s.2 += text.len();
        if read {
            s.1 += 1;
            s.3 += text.len();
        } else if let Err(Decline(line)) = decode(text, NumberMode::Preserve) {
            if std::env::var_os("FAST_WHERE").is_some_and(|w| w == line.to_string().as_str()) {
                let at = decline_position(text, NumberMode::Preserve).unwrap_or(0);
                let from = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let from = text[..from.saturating_sub(1)]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let to = (at + 80).min(text.len());
                eprintln!("--- {line} at {at}:\n{}", text.get(from..to).unwrap_or(""));
            }
            let r = reasons.entry(line).or_default();
            r.0 += 1;
            r.1 += text.len();
        }
    }
    for (group, (docs, docs_read, bytes, bytes_read)) in &stats {
        eprintln!(
            "{group}: {docs_read}/{docs} documents ({:.1} %), {bytes_read}/{bytes} bytes ({:.1} %) read by the fast path",
            100.0 * *docs_read as f64 / *docs as f64,
            100.0 * *bytes_read as f64 / *bytes as f64
        );
    }
    let mut by_bytes: Vec<_> = reasons.into_iter().collect();
    by_bytes.sort_by_key(|(_, (_, bytes))| std::cmp::Reverse(*bytes));
    for (line, (docs, bytes)) in by_bytes.iter().take(12) {
        eprintln!("  declined at fast.rs:{line}: {docs} documents, {bytes} bytes");
    }
    for (group, (_, _, bytes, bytes_read)) in &stats {
        assert!(
            *bytes_read as f64 >= 0.9 * *bytes as f64,
            "{group}: fast path hit rate fell below 90 % of bytes"
        );
    }
}

const SAMPLES: &[&str] = &[
    "a: 1\nb: 'x\n  y'\n---\nc: 2\n...\n---\n- d\n",
    "a: 1\nb:\n  c: [x, 'y', \"z\"]\n  d: {k: v}\nlist:\n- a: b\n  c: |\n    text\n    more\n- - x\n  - y\n-\n",
    "# c\n---\nkey: \"esc \\t \\\" \\x41 \\u00e9\"\nother: 'it''s'\nfold: >-\n  one\n  two\n\n  three\nkeep: |+\n  k\n\nnext: ~\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    app: y # c\ndata:\n  script: |2\n      indented\n    less\n  n: \"1\"\n",
    "- 1\n- 1.5\n- 0x1F\n- 017\n- yes\n- off\n- null\n- 2001-12-14\n- 1e3\n- -.inf\n- 18446744073709551615\n- +12\n",
    "spec:\n  containers:\n  - name: c\n    args:\n    - --a=b\n    - \"--c\"\n    env: []\n    resources: {}\n",
];

/// Seed documents for mutation: the samples and (when present) pieces of corpus documents.
fn mutation_seeds(limit: usize) -> Vec<String> {
    let mut seeds: Vec<String> = SAMPLES.iter().map(|s| s.to_string()).collect();
    let texts = corpus_texts();
    let mut rng = Rng(0x5EED);
    for (_, text) in texts.iter().filter(|(_, t)| !t.is_empty()) {
        if seeds.len() >= limit {
            break;
        }
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let start = rng.below(lines.len());
        let len = 1 + rng.below(40);
        seeds.push(lines[start..(start + len).min(lines.len())].concat());
    }
    seeds
}

const EDIT_CHARS: &[u8] = b" \t:#-'\"|>&*!?{}[],\n\\.0123456789aexyz+~%@`";

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut s: Vec<u8> = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(s.len() + 1).min(s.len());
        match rng.below(7) {
            0 => s.insert(at, EDIT_CHARS[rng.below(EDIT_CHARS.len())]),
            6 => {
                // Characters YAML treats specially, or that the reader must pass through.
                const WIDE: &[&str] = &[
                    "é", "\u{85}", "\u{a0}", "\u{2028}", "\u{feff}", "\r", "\u{7f}", "\0", "✓",
                ];
                let c = WIDE[rng.below(WIDE.len())].as_bytes();
                s.splice(at..at, c.iter().copied());
            }
            1 if at < s.len() => {
                s.remove(at);
            }
            2 => {
                let c = EDIT_CHARS[rng.below(EDIT_CHARS.len())];
                if at < s.len() {
                    s[at] = c;
                } else {
                    s.push(c);
                }
            }
            3 | 4 => {
                // Duplicate, delete or re-indent the line around `at`.
                let start = s[..at]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |i| i + 1);
                let end = s[at..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(s.len(), |i| at + i + 1);
                match rng.below(4) {
                    0 => {
                        let line = s[start..end].to_vec();
                        s.splice(end..end, line);
                    }
                    1 => {
                        s.drain(start..end);
                    }
                    2 => s.insert(start, b' '),
                    _ => {
                        if s.get(start) == Some(&b' ') {
                            s.remove(start);
                        }
                    }
                }
            }
            _ => {
                let end = (at + 1 + rng.below(4)).min(s.len());
                s.drain(at..end);
            }
        }
    }
    // Edits may split a multi-byte character; such inputs are not `&str` and cannot occur.
    String::from_utf8_lossy(&s).into_owned()
}

fn run_mutations(count: usize, seed: u64, seeds_limit: usize) -> (usize, usize) {
    let seeds = mutation_seeds(seeds_limit);
    let mut rng = Rng(seed);
    let mut read = 0;
    for _ in 0..count {
        let base = &seeds[rng.below(seeds.len())];
        let text = mutate(base, &mut rng);
        if check(&text) {
            read += 1;
        }
    }
    (count, read)
}

#[test]
fn mutated_documents_keep_the_contract() {
    let (n, read) = run_mutations(4000, 0x9E37_79B9_7F4A_7C15, 400);
    eprintln!("{n} mutations, {read} read by the fast path");
    assert!(
        read > n / 10,
        "mutations were hardly ever read ({read}/{n})"
    );
}

/// The long run: `cargo test --release --lib yaml::fast -- --ignored`. A million mutations
/// by default; `RUDDER_FAST_MUTATIONS` and `RUDDER_FAST_MUTATION_SEED` change the count and
/// the seed.
#[test]
#[ignore = "long: a million mutations"]
fn a_million_mutated_documents_keep_the_contract() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let count = env("RUDDER_FAST_MUTATIONS", 1_000_000);
    let seed = env("RUDDER_FAST_MUTATION_SEED", 0xD1B5_4A32_D192_ED03);
    let (n, read) = run_mutations(count as usize, seed.max(1), 5000);
    eprintln!("{n} mutations, {read} read by the fast path");
}
