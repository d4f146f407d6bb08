//! In-process speed of `helm template` as rudder does it: `render_release` plus the output
//! stage, for the Liberty chart's default case and the three corpus cases with the largest
//! golden output, with the chart loaded once outside the timed loop, and the same including
//! chart loading and values merging.
//!
//! The corpus is `../shared/charts-corpus` next to the checkout, or `$RUDDER_CHARTS_CORPUS`.
//! A last group renders `benches/charts/rsa-keys` (one self-signed CA, so one 2048-bit RSA
//! key, per `keys`), whose time is key generation; it needs no corpus.
//! Run with `cargo bench --bench render`.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use rudder::chart::{self, Chart};
use rudder::render::manifest::{OutputOptions, template_output_full};
use rudder::render::user_values::UserValues;
use rudder::render::{ReleaseOptions, render_release};
use serde_json::{Map, Value};

/// The allocator the `rudder` binary uses (src/main.rs), so in-process figures are what the
/// command and the operator see.
#[global_allocator]
static ALLOCATOR: rudder::alloc::Allocator = rudder::alloc::Allocator;

/// One benchmarked `helm template` invocation.
struct Case {
    /// Corpus case name.
    name: &'static str,
    /// Chart directory, relative to the corpus root.
    chart: &'static str,
    /// `-f` files, relative to the corpus root.
    values: &'static [&'static str],
    /// `--api-versions`.
    api_versions: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "ibm-websphere-liberty-default",
        chart: "charts/ibm-websphere-liberty",
        values: &[],
        api_versions: &[],
    },
    Case {
        name: "argo-rollouts-default",
        chart: "charts/argo-rollouts",
        values: &[],
        api_versions: &[],
    },
    Case {
        name: "cert-manager-full",
        chart: "charts/cert-manager",
        values: &["values/cert-manager-full.yaml"],
        api_versions: &["monitoring.coreos.com/v1"],
    },
    Case {
        name: "opentelemetry-operator-ci-cert-manager-disable-values",
        chart: "charts/opentelemetry-operator",
        values: &["values/opentelemetry-operator-ci-cert-manager-disable-values.yaml"],
        api_versions: &[],
    },
];

/// The corpus root.
fn corpus() -> PathBuf {
    match std::env::var_os("RUDDER_CHARTS_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/charts-corpus"),
    }
}

/// The merged `-f` values of `case`.
fn user_values(root: &Path, case: &Case) -> Map<String, Value> {
    UserValues {
        values_files: case.values.iter().map(|v| root.join(v)).collect(),
        ..UserValues::default()
    }
    .merge()
    .expect("values merge")
}

/// The release options of a corpus case (`golden` in `golden-ns`).
fn options(case: &Case) -> ReleaseOptions {
    ReleaseOptions {
        release_name: "golden".into(),
        namespace: "golden-ns".into(),
        api_versions: case.api_versions.iter().map(|s| s.to_string()).collect(),
        ..ReleaseOptions::default()
    }
}

/// Renders and prints the release: the stdout of `helm template`.
fn render(chart: &Chart, values: Map<String, Value>, opts: &ReleaseOptions) -> String {
    let rendered = render_release(chart, values, opts).expect("render");
    // Without `--include-crds` the output stage prints no CRD files.
    template_output_full(&rendered.rendered, &[], &OutputOptions::default())
        .expect("output")
        .stdout
}

fn bench_render(c: &mut Criterion) {
    let root = corpus();
    if !root.join("cases.json").is_file() {
        eprintln!("no charts corpus at {}: skipping", root.display());
        return;
    }
    let mut group = c.benchmark_group("render");
    group.sample_size(20);
    for case in CASES {
        let dir = root.join(case.chart);
        let chart = chart::load(&dir).expect("chart load");
        let values = user_values(&root, case);
        let opts = options(case);
        group.bench_function(case.name, |b| {
            b.iter(|| black_box(render(&chart, values.clone(), &opts)))
        });
        group.bench_function(format!("{}+load", case.name), |b| {
            b.iter(|| {
                let chart = chart::load(&dir).expect("chart load");
                let values = user_values(&root, case);
                black_box(render(&chart, values, &opts))
            })
        });
    }
    group.finish();
}

/// Renders of `benches/charts/rsa-keys` with one and two keys: in-process RSA key
/// generation, a random-time search (hence the wide intervals). The process's prime pool
/// keeps spare primes between iterations, as it does in a long-lived controller.
fn bench_keys(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/charts/rsa-keys");
    let chart = chart::load(&dir).expect("chart load");
    let opts = ReleaseOptions {
        release_name: "bench".into(),
        namespace: "default".into(),
        ..ReleaseOptions::default()
    };
    let mut group = c.benchmark_group("keys");
    group.sample_size(20);
    for keys in [1, 2] {
        let mut values = Map::new();
        values.insert("keys".into(), Value::from(keys));
        group.bench_function(format!("rsa-keys-{keys}"), |b| {
            b.iter(|| black_box(render(&chart, values.clone(), &opts)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_render, bench_keys);
criterion_main!(benches);
