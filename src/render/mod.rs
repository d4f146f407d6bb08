//! Helm's engine layer over the template engine: what `helm.sh/helm/v4/pkg/engine` does.
//!
//! - [`engine::Engine::render`] takes plain [`engine::TemplateFile`]s (full name such as
//!   `mychart/templates/deploy.yaml`, text, the chart's top-level object, base path), parses
//!   them into one set in Helm's order, renders every non-partial file and returns
//!   `name -> output`, or a [`engine::RenderError`] worded exactly as Helm's.
//! - [`funcs::helm_funcs`] is the complete function map charts see: Sprig plus Helm's
//!   `include`, `tpl`, `required`, `fail`, `toYaml`, `toJson`, `toToml`, `fromYaml`...,
//!   `lookup` (a caller-supplied [`funcs::LookupFn`], empty maps offline) and
//!   `getHostByName` (always `""`: DNS disabled as in `helm template`).
//! - [`values::coalesce_values`] merges user values over chart values (Helm's coalescing,
//!   single chart) and reports Helm's warnings as data.
//! - [`release::render_release`] renders a whole chart tree as `helm template` does
//!   (dependencies, tree-wide coalescing in [`chart_values`], per-chart top-level objects),
//!   returning the engine output and CRDs for the output stage.
//! - [`objects`] holds the Go objects of the top-level data: [`objects::Capabilities`]
//!   (defaults: what `helm template` v4.1.4 reports offline), [`objects::Files`] and
//!   [`objects::Values`] (`common.Values`: a map with `YAML`/`AsMap`/`Table` methods);
//!   [`Release`] and [`ChartInfo`] build `.Release` and `.Chart`, and [`top_level`]
//!   assembles the object for one chart.
//!
//! - [`manifest::template_output`] is `helm template`'s output stage (document splitting,
//!   hooks, kind order, `--include-crds`, `--skip-tests`, `--no-hooks`, `--show-only`).
//! - [`user_values::UserValues::merge`] is Helm's `MergeValues` over [`strvals`] (`-f` and the
//!   `--set*` flags); [`schema::validate_chart_values`] checks `values.schema.json` files.
//!
//! Typical use (one chart, no subcharts):
//!
//! ```
//! use rudder::render::{values::coalesce_values, *};
//! use rudder::template::Value;
//! let chart_vals = rudder::yaml::parse_values("replicas: 1").unwrap();
//! let user = rudder::yaml::parse_values("replicas: 3").unwrap();
//! let merged = coalesce_values("app", &chart_vals, user);
//! let values = Value::from_json_go(&serde_json::Value::Object(merged.values));
//! let release = Release { name: "r".into(), namespace: "default".into(), revision: 1,
//!     is_install: true, is_upgrade: false };
//! let chart = ChartInfo { name: "app".into(), version: "0.1.0".into(),
//!     api_version: "v2".into(), is_root: true, ..ChartInfo::default() };
//! let data = top_level(values, &release, &chart, &Capabilities::default(),
//!     &Files::default(), Value::new_map());
//! let file = TemplateFile { name: "app/templates/d.yaml".into(),
//!     text: "replicas: {{ .Values.replicas }}".into(), data,
//!     base_path: "app/templates".into() };
//! let out = Engine::default().render(&[file]).unwrap();
//! assert_eq!(out["app/templates/d.yaml"], "replicas: 3");
//! ```
//!
//! Values read from files must be converted with `Value::from_json_go` (every number a
//! float64), as Helm does.
//! Merged user values that may hold `--set` integers (Go int64) are converted with
//! [`user_values::from_json_typed`] instead.

pub mod chart_values;
pub mod command;
pub mod dependencies;
pub mod engine;
pub mod funcs;
pub mod manifest;
pub mod objects;
pub mod preparse;
pub mod release;
pub mod schema;
pub mod slog;
pub mod strvals;
mod toml;
pub mod user_values;
pub mod values;

use std::collections::BTreeMap;

use crate::template::Value;

pub use engine::{Engine, RenderError, TemplateFile};
pub use objects::{Capabilities, Files};
pub use release::{ReleaseError, ReleaseOptions, RenderedRelease, render_release};

/// `.Release` as `helm template`/`install` sets it.
#[derive(Debug, Clone)]
pub struct Release {
    /// Release name.
    pub name: String,
    /// Target namespace.
    pub namespace: String,
    /// Release revision (1 on install).
    pub revision: i64,
    /// Whether this is an install.
    pub is_install: bool,
    /// Whether this is an upgrade.
    pub is_upgrade: bool,
}

impl Release {
    /// The template value for `.Release` (a map, as in Helm v4).
    pub fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("Name".into(), Value::String(self.name.clone()));
        m.insert("Namespace".into(), Value::String(self.namespace.clone()));
        m.insert("Revision".into(), Value::Int(self.revision));
        m.insert("IsInstall".into(), Value::Bool(self.is_install));
        m.insert("IsUpgrade".into(), Value::Bool(self.is_upgrade));
        m.insert("Service".into(), Value::String("Helm".into()));
        Value::from(m)
    }
}

/// `.Chart` as Helm v4 builds it from `Chart.yaml` (`MetadataAsMap` plus `IsRoot`).
#[derive(Debug, Clone, Default)]
pub struct ChartInfo {
    /// `name`.
    pub name: String,
    /// `version`.
    pub version: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `appVersion`.
    pub app_version: String,
    /// `description`.
    pub description: String,
    /// `type` (`application`/`library`, empty when unset).
    pub kind: String,
    /// `kubeVersion` constraint.
    pub kube_version: String,
    /// Whether this is the top-level chart.
    pub is_root: bool,
}

impl ChartInfo {
    /// The template value for `.Chart`.
    pub fn to_value(&self) -> Value {
        let s = |x: &str| Value::String(x.to_string());
        let mut m = BTreeMap::new();
        m.insert("APIVersion".into(), s(&self.api_version));
        m.insert("Annotations".into(), Value::new_map());
        m.insert("AppVersion".into(), s(&self.app_version));
        m.insert("Condition".into(), s(""));
        m.insert("Dependencies".into(), Value::list(vec![]));
        m.insert("Deprecated".into(), Value::Bool(false));
        m.insert("Description".into(), s(&self.description));
        m.insert("Home".into(), s(""));
        m.insert("Icon".into(), s(""));
        m.insert("IsRoot".into(), Value::Bool(self.is_root));
        m.insert("Keywords".into(), Value::list(vec![]));
        m.insert("KubeVersion".into(), s(&self.kube_version));
        m.insert("Maintainers".into(), Value::list(vec![]));
        m.insert("Name".into(), s(&self.name));
        m.insert("Sources".into(), Value::list(vec![]));
        m.insert("Tags".into(), s(""));
        m.insert("Type".into(), s(&self.kind));
        m.insert("Version".into(), s(&self.version));
        Value::from(m)
    }
}

/// The top-level object of one chart's templates (Helm's `recAllTpls` `next` map):
/// `.Values .Release .Chart .Capabilities .Files .Subcharts`. `.Template` is added per file
/// by the engine. The object and `.Values` are `common.Values` ([`objects::Values`]), as in
/// Helm.
pub fn top_level(
    values: Value,
    release: &Release,
    chart: &ChartInfo,
    caps: &Capabilities,
    files: &Files,
    subcharts: Value,
) -> Value {
    let mut m = BTreeMap::new();
    m.insert("Values".into(), objects::Values::wrap(values));
    m.insert("Release".into(), release.to_value());
    m.insert("Chart".into(), chart.to_value());
    m.insert("Capabilities".into(), caps.to_value());
    m.insert("Files".into(), files.to_value());
    m.insert("Subcharts".into(), subcharts);
    objects::Values::wrap(Value::from(m))
}
