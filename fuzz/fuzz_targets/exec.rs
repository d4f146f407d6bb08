//! Executor fuzz target: template text plus small values rendered through Helm's engine layer
//! (`rudder::render::Engine`, full Helm function map, Helm's `missingkey=zero`). Input layout:
//! `TEMPLATE \0 HELPERS \0 VALUES-YAML` (later parts optional). Any input must render or fail
//! with an error; recursion depth, steps and output size are bounded by the engine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rudder::render::values::coalesce_values;
use rudder::render::{Capabilities, ChartInfo, Engine, Files, Release, TemplateFile, top_level};
use rudder::template::Value;

const DEFAULT_VALUES: &str = "a: 1\nb: [x, 2, true]\nc: {d: e, f: null}\ns: hello\n";

fn render(template: &str, helpers: Option<&str>, values: &str) {
    let Ok(user) = rudder::yaml::parse_values(values) else {
        return;
    };
    let co = coalesce_values("fz", &serde_json::Map::new(), user);
    let values = Value::from_json_go(&serde_json::Value::Object(co.values));
    let release = Release {
        name: "r".into(),
        namespace: "default".into(),
        revision: 1,
        is_install: true,
        is_upgrade: false,
    };
    let chart = ChartInfo {
        name: "fz".into(),
        version: "0.1.0".into(),
        api_version: "v2".into(),
        is_root: true,
        ..ChartInfo::default()
    };
    let files = Files(
        [("f.txt".to_string(), b"a: b\n".to_vec())]
            .into_iter()
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
    let mut sources = vec![("fz/templates/t.yaml", template)];
    if let Some(h) = helpers {
        sources.push(("fz/templates/_helpers.tpl", h));
    }
    let files: Vec<TemplateFile> = sources
        .into_iter()
        .map(|(name, text)| TemplateFile {
            name: name.into(),
            text: text.into(),
            data: data.clone(),
            base_path: "fz/templates".into(),
        })
        .collect();
    let _ = Engine::default().render(&files);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\0');
    let template = parts.next().unwrap_or_default();
    let helpers = parts.next();
    let values = parts.next().unwrap_or(DEFAULT_VALUES);
    render(template, helpers, values);
});
