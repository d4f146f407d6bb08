//! The output stage (`rudder::render::manifest`) on the chart corpus's golden outputs: every
//! golden `helm template` output, split back into its source files, must come out of
//! `template_output` unchanged (same kind order, hook placement, separators), and
//! `--show-only` must select what helm selected.
//!
//! The corpus is `$RUDDER_CORPUS`, else `../shared/charts-corpus` next to the checkout.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rudder::render::manifest::{OutputOptions, template_output};

fn corpus() -> PathBuf {
    let dir = std::env::var_os("RUDDER_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/charts-corpus")
        });
    assert!(
        dir.join("cases.json").is_file(),
        "chart corpus not found at {} (set RUDDER_CORPUS)",
        dir.display()
    );
    dir
}

/// The engine output that produced a golden: its documents grouped by `# Source:` file.
fn rendered_from(golden: &str) -> BTreeMap<String, String> {
    let mut rendered: BTreeMap<String, String> = BTreeMap::new();
    for doc in golden.split("---\n# Source: ").skip(1) {
        let (name, body) = doc.split_once('\n').expect("source line");
        let e = rendered.entry(name.to_string()).or_default();
        e.push_str("---\n");
        e.push_str(body);
    }
    rendered
}

#[test]
fn golden_outputs_are_reproduced_from_their_documents() {
    let root = corpus();
    let cases: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("cases.json")).unwrap()).unwrap();
    let mut bad = Vec::new();
    let mut checked = 0;
    for c in cases["cases"].as_array().unwrap() {
        let Some(golden) = c["golden"].as_str() else {
            continue;
        };
        let flags: Vec<&str> = c["extra_flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        // CRDs come from crds/ files and --show-only selects; both need the full render.
        if flags.contains(&"--include-crds") || flags.contains(&"--show-only") {
            continue;
        }
        let all = std::fs::read_to_string(root.join(golden)).unwrap();
        let opts = OutputOptions {
            skip_tests: flags.contains(&"--skip-tests"),
            no_hooks: flags.contains(&"--no-hooks"),
            ..Default::default()
        };
        checked += 1;
        match template_output(&rendered_from(&all), &[], &opts) {
            Ok(out) if out == all => {}
            Ok(_) => bad.push(format!("{} differs", c["name"])),
            Err(e) => bad.push(format!("{}: {e}", c["name"])),
        }
    }
    assert!(checked > 100, "only {checked} cases checked");
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn show_only_selects_as_helm_did() {
    let root = corpus().join("golden");
    // podinfo-show-only renders values/podinfo-full.yaml, like podinfo-full.
    let full = std::fs::read_to_string(root.join("podinfo-full.yaml")).unwrap();
    let opts = OutputOptions {
        show_only: vec![
            "templates/deployment.yaml".into(),
            "templates/hpa.yaml".into(),
        ],
        ..Default::default()
    };
    let want = std::fs::read_to_string(root.join("podinfo-show-only.yaml")).unwrap();
    assert_eq!(
        template_output(&rendered_from(&full), &[], &opts).unwrap(),
        want
    );
}
