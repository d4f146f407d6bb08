//! Expected outputs in `testdata/manifest/expected/` were captured from the real helm v4.1.4
//! (`helm template r c1 <flags>` in `testdata/manifest/`); the chart has no template actions,
//! so its files are their own rendered output.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/render/testdata/manifest");

fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = format!("{rel}/{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            walk(&e.path(), &name, out);
        } else {
            out.push((name, std::fs::read_to_string(e.path()).unwrap()));
        }
    }
}

/// The engine output (templates of the chart and its subchart) and the CRDs of `c1`.
fn fixture() -> (BTreeMap<String, String>, Vec<(String, String)>) {
    let mut files = Vec::new();
    walk(&Path::new(DATA).join("c1"), "c1", &mut files);
    let rendered = files
        .iter()
        .filter(|(n, _)| n.contains("/templates/"))
        .cloned()
        .collect();
    let crd = |prefix: &str| {
        files
            .iter()
            .filter(|(n, _)| n.starts_with(prefix) && n[prefix.len()..].find('/').is_none())
            .cloned()
            .collect::<Vec<_>>()
    };
    let mut crds = crd("c1/crds/");
    crds.extend(crd("c1/charts/sub/crds/"));
    (rendered, crds)
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(Path::new(DATA).join("expected").join(format!("{name}.out"))).unwrap()
}

fn expected_log(name: &str) -> Vec<String> {
    std::fs::read_to_string(Path::new(DATA).join("expected").join(format!("{name}.err")))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("level="))
        .map(str::to_string)
        .collect()
}

fn run(opts: &OutputOptions) -> Result<TemplateOutput, ManifestError> {
    let (rendered, crds) = fixture();
    let crds: Vec<(String, Arc<str>)> = crds.into_iter().map(|(p, c)| (p, c.into())).collect();
    template_output_full(&rendered, &crds, opts)
}

fn show(patterns: &[&str]) -> Vec<String> {
    patterns.iter().map(|s| s.to_string()).collect()
}

#[test]
fn default_output_matches_helm() {
    let out = run(&OutputOptions::default()).unwrap();
    assert_eq!(out.stdout, expected("default"));
    assert_eq!(out.log, expected_log("default"));
}

#[test]
fn include_crds_and_skip_tests_match_helm() {
    let opts = OutputOptions {
        include_crds: true,
        skip_tests: true,
        ..Default::default()
    };
    assert_eq!(run(&opts).unwrap().stdout, expected("crds-skip-tests"));
}

#[test]
fn no_hooks_matches_helm() {
    let opts = OutputOptions {
        include_crds: true,
        no_hooks: true,
        ..Default::default()
    };
    assert_eq!(run(&opts).unwrap().stdout, expected("no-hooks"));
}

#[test]
fn show_only_matches_helm() {
    let opts = OutputOptions {
        include_crds: true,
        show_only: show(&[
            "templates/multi.yaml",
            "charts/*/templates/*",
            "templates/tests/t.yaml",
            "crds/*",
            "templates/weird.yaml",
        ]),
        ..Default::default()
    };
    assert_eq!(run(&opts).unwrap().stdout, expected("show-only"));
}

#[test]
fn show_only_errors_match_helm() {
    for (case, pattern, skip_tests) in [
        ("show-only-notfound", "templates/nope.yaml", false),
        ("show-only-badpattern", "templates/[", false),
        ("show-only-hook-skipped", "templates/tests/t.yaml", true),
    ] {
        let opts = OutputOptions {
            skip_tests,
            show_only: show(&[pattern]),
            ..Default::default()
        };
        let err = run(&opts).unwrap_err();
        let want =
            std::fs::read_to_string(Path::new(DATA).join("expected").join(format!("{case}.err")))
                .unwrap();
        let want = want.lines().last().unwrap();
        assert_eq!(format!("Error: {err}"), want, "{case}");
    }
}

fn one(text: &str) -> Result<String, ManifestError> {
    let mut m = BTreeMap::new();
    m.insert("c2/templates/a.yaml".to_string(), text.to_string());
    template_output(&m, &[], &OutputOptions::default())
}

#[test]
fn yaml_errors_are_worded_as_helm() {
    // Each expectation is helm v4.1.4's message for a chart with this one template.
    let cases = [
        (
            "kind: [a]\n",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field SimpleHead.kind of type string",
        ),
        (
            "hello\n",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type util.SimpleHead",
        ),
        (
            "metadata: x\n",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field SimpleHead.metadata of type struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }",
        ),
        (
            "metadata:\n  annotations: [1]\n",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field .metadata.annotations of type map[string]string",
        ),
        (
            "metadata:\n  annotations:\n    a: {b: 1}\n",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go struct field .metadata.annotations of type string",
        ),
        (
            "a: b: c\n",
            "error converting YAML to JSON: yaml: mapping values are not allowed in this context",
        ),
        (
            "x: &a\n  b: *c\n",
            "error converting YAML to JSON: yaml: unknown anchor 'c' referenced",
        ),
    ];
    for (text, want) in cases {
        let err = one(text).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("YAML parse error on c2/templates/a.yaml: {want}"),
            "{text:?}"
        );
    }
}

#[test]
fn scalar_heads_become_strings() {
    // helm v4.1.4 prints these and logs `hookTypes=5` for the numeric hook.
    let out = one("kind: 5\napiVersion: 1.5\n").unwrap();
    assert_eq!(
        out,
        "---\n# Source: c2/templates/a.yaml\nkind: 5\napiVersion: 1.5\n"
    );
    let mut m = BTreeMap::new();
    m.insert(
        "c2/templates/a.yaml".to_string(),
        "metadata:\n  name: 5\n  annotations:\n    helm.sh/hook: 5\n".to_string(),
    );
    let out = template_output_full(&m, &[], &OutputOptions::default()).unwrap();
    assert_eq!(out.stdout, "\n");
    assert_eq!(
        out.log,
        vec!["level=INFO msg=\"skipping unknown hooks\" hookTypes=5"]
    );
}

#[test]
fn split_manifests_follows_go_regexp_split() {
    assert_eq!(split_manifests("a\n---\nb"), vec!["a", "b"]);
    assert_eq!(split_manifests("---\na\n---"), vec!["a"]);
    assert_eq!(split_manifests("a\n---   \n---\nb"), vec!["a", "---\nb"]);
    assert_eq!(split_manifests("a\n---b"), vec!["a", "b"]);
    assert!(split_manifests("  \n").is_empty());
    assert_eq!(
        split_manifests("a: |\n  x\n  ---\n"),
        vec!["a: |\n  x\n  ---"]
    );
}

/// The hand-written separator search against Helm's regex, on every string of up to six
/// characters over the alphabet that matters, so that no backtracking case is missed.
#[test]
fn separator_search_matches_helms_regex() {
    let re = regex::Regex::new(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*").unwrap();
    let alphabet = ['-', '\n', ' ', 'a', '\r'];
    let mut checked = 0;
    for len in 0..=6u32 {
        for mut code in 0..alphabet.len().pow(len) {
            let s: String = (0..len)
                .map(|_| {
                    let c = alphabet[code % alphabet.len()];
                    code /= alphabet.len();
                    c
                })
                .collect();
            let want: Vec<(usize, usize)> =
                re.find_iter(&s).map(|m| (m.start(), m.end())).collect();
            let mut got = Vec::new();
            let mut from = 0;
            while let Some(m) = next_separator(&s, from) {
                got.push(m);
                from = m.1;
            }
            assert_eq!(got, want, "{s:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, 19_531);
}

#[test]
fn kind_order_is_stable_with_unknown_kinds_last_alphabetically() {
    let mut m = BTreeMap::new();
    m.insert(
        "c/templates/a.yaml".to_string(),
        "kind: Zed\n---\nkind: Deployment\n---\nkind: Abc\n---\nkind: Namespace\n---\nkind: Zed\nn: 2\n".to_string(),
    );
    m.insert(
        "c/templates/b.yaml".to_string(),
        "kind: Deployment\nn: 2\n".to_string(),
    );
    let out = template_output(&m, &[], &OutputOptions::default()).unwrap();
    let kinds: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("kind: ") || l.starts_with("n: "))
        .collect();
    assert_eq!(
        kinds,
        vec![
            "kind: Namespace",
            "kind: Deployment",
            "kind: Deployment",
            "n: 2",
            "kind: Abc",
            "kind: Zed",
            "kind: Zed",
            "n: 2"
        ]
    );
}

#[test]
fn empty_render_prints_one_newline() {
    let mut m = BTreeMap::new();
    m.insert("c/templates/NOTES.txt".to_string(), "hello".to_string());
    m.insert("c/templates/_h.tpl".to_string(), "kind: Pod".to_string());
    assert_eq!(
        template_output(&m, &[], &OutputOptions::default()).unwrap(),
        "\n"
    );
}

#[test]
fn large_outputs_decode_in_two_halves_keeping_order_and_the_first_error() {
    // Enough output for `read_heads` to split it across two threads.
    let doc = |kind: &str, i: usize| {
        format!(
            "apiVersion: v1\nkind: {kind}\nmetadata:\n  name: n{i}\ndata:\n  pad: \"{}\"\n",
            "x".repeat(1024)
        )
    };
    let mut m = BTreeMap::new();
    for i in 0..80 {
        let kind = if i % 2 == 0 { "Service" } else { "ConfigMap" };
        m.insert(format!("c/templates/t{i:02}.yaml"), doc(kind, i));
    }
    assert!(m.values().map(String::len).sum::<usize>() > 2 * PARALLEL_HEADS_BYTES);
    let out = template_output(&m, &[], &OutputOptions::default()).unwrap();
    // Install order: every ConfigMap before every Service, each in file order.
    let kinds: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("kind: "))
        .collect();
    assert_eq!(kinds.len(), 80);
    assert!(kinds[..40].iter().all(|k| *k == "ConfigMap"));
    assert!(kinds[40..].iter().all(|k| *k == "Service"));
    let names: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("  name: n"))
        .collect();
    assert_eq!(names[..3], ["1", "3", "5"]);

    // Broken documents in both halves: Helm reports the first one in file order.
    m.insert("c/templates/t70.yaml".into(), "a: b: c\n".into());
    m.insert("c/templates/t05.yaml".into(), "kind: [a]\n".into());
    let err = template_output(&m, &[], &OutputOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("YAML parse error on c/templates/t05.yaml:"),
        "{err}"
    );
}
