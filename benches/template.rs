//! Template engine benchmark on a real helpers-heavy chart: Bitnami nginx's `deployment.yaml`
//! with its `_helpers.tpl` and the whole `common` library chart (fixtures in
//! `benches/fixtures/bitnami-nginx`, see the README there).
//!
//! - `parse_all`: parsing every template of the set (what `Engine::render` does once per call);
//! - `execute_parsed`: executing the deployment on a set parsed once (the per-render cost once
//!   templates are cached: `include` only looks up the already parsed `define`s);
//! - `engine_render`: `rudder::render::Engine::render` end to end (parse + execute).
//!
//! Run with `cargo bench --bench template`.

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use rudder::render::funcs::helm_funcs;
use rudder::render::values::coalesce_values;
use rudder::render::{Capabilities, ChartInfo, Engine, Files, Release, TemplateFile, top_level};
use rudder::template::{MissingKey, Template, Value};

/// The allocator the `rudder` binary uses (src/main.rs), so in-process figures are what the
/// command and the operator see.
#[global_allocator]
static ALLOCATOR: rudder::alloc::Allocator = rudder::alloc::Allocator;

const CHART: &str = "nginx";
const DEPLOYMENT: &str = "nginx/templates/deployment.yaml";

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/fixtures/bitnami-nginx")
}

/// Every `.tpl`/`.yaml` template under `dir/templates` and `dir/charts/common/templates`,
/// named as Helm names them (`nginx/templates/...`, `nginx/charts/common/templates/...`).
fn template_sources() -> Vec<(String, String)> {
    let root = fixture_dir();
    let mut out = Vec::new();
    let mut stack = vec![root.join("templates"), root.join("charts/common/templates")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&root).expect("prefix");
            let name = format!("{CHART}/{}", rel.to_string_lossy());
            out.push((name, std::fs::read_to_string(&path).expect("read template")));
        }
    }
    out.sort();
    out
}

/// The chart's top-level object with its own `values.yaml` (no user values).
fn top_level_data() -> Value {
    let text = std::fs::read_to_string(fixture_dir().join("values.yaml")).expect("values");
    let chart_values = rudder::yaml::parse_values(&text).expect("parse values");
    let merged = coalesce_values(CHART, &chart_values, serde_json::Map::new());
    let values = Value::from_json_go(&serde_json::Value::Object(merged.values));
    let release = Release {
        name: "bench".into(),
        namespace: "default".into(),
        revision: 1,
        is_install: true,
        is_upgrade: false,
    };
    let chart = ChartInfo {
        name: CHART.into(),
        version: "22.1.1".into(),
        api_version: "v2".into(),
        app_version: "1.29.1".into(),
        is_root: true,
        ..ChartInfo::default()
    };
    top_level(
        values,
        &release,
        &chart,
        &Capabilities::default(),
        &Files::default(),
        Value::new_map(),
    )
}

fn template_files(data: &Value) -> Vec<TemplateFile> {
    template_sources()
        .into_iter()
        .map(|(name, text)| TemplateFile {
            base_path: format!("{CHART}/templates"),
            name,
            text: text.into(),
            data: data.clone(),
        })
        .collect()
}

/// The set `Engine::render` builds (Helm functions, `missingkey=zero`), parsed once.
fn parsed_set() -> Template {
    let mut set = Template::new("gotpl");
    set.funcs(&helm_funcs(None));
    set.missing_key(MissingKey::Zero);
    for (name, text) in template_sources() {
        set.parse(&name, &text).expect("parse");
    }
    set
}

fn bench(c: &mut Criterion) {
    let data = top_level_data();
    let files = template_files(&data);
    let engine = Engine::default();
    let rendered = engine.render(&files).expect("render");
    assert!(rendered[DEPLOYMENT].contains("kind: Deployment"));

    c.bench_function("parse_all", |b| b.iter(parsed_set));

    let set = parsed_set();
    // Engine::render sets .Template before executing a file.
    if let Some(m) = data.as_map_like() {
        let mut t = std::collections::BTreeMap::new();
        t.insert("Name".to_string(), Value::String(DEPLOYMENT.into()));
        t.insert(
            "BasePath".to_string(),
            Value::String(format!("{CHART}/templates")),
        );
        m.borrow_mut().insert("Template".into(), Value::from(t));
    }
    let once = set.execute(DEPLOYMENT, &data).expect("execute");
    assert_eq!(once.replace("<no value>", ""), rendered[DEPLOYMENT]);
    c.bench_function("execute_parsed", |b| {
        b.iter(|| set.execute(DEPLOYMENT, &data).expect("execute"))
    });

    c.bench_function("engine_render", |b| {
        b.iter(|| engine.render(&files).expect("render"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
