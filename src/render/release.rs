//! A release rendered as `helm template` renders it (Helm v4.1.4's `action.Install` in
//! client-only dry-run mode): the chart tree's dependencies processed
//! ([`super::dependencies`]), values coalesced over the tree ([`super::chart_values`]) and
//! checked against `values.schema.json`, the root chart's `kubeVersion` checked, and every
//! template of every enabled chart rendered with its own top-level object (`.Values` scoped
//! to the subchart, `.Chart`, `.Files`, `.Subcharts`, `.Release`, `.Capabilities`,
//! `.Template`). Library charts contribute their partials only.
//!
//! The result is Engine::render's `name -> output` map (including `NOTES.txt` files), the
//! CRD files of the enabled charts in Helm's order, and the log lines Helm prints on stderr
//! meanwhile. Splitting, sorting and printing the manifests is the output stage's job.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::chart_values::{CoalesceError, coalesce_values};
use super::dependencies::process_dependencies;
use super::engine::{Engine, RenderError, TemplateFile};
use super::objects::{Capabilities, Files, KubeVersion, Values};
use super::slog;
use crate::chart::{self, Chart, Contents, Dependency, Metadata};
use crate::template::gofmt::quote;
use crate::template::{Value, shared_str_from_bytes};

/// What `helm template` takes from its flags besides values.
#[derive(Debug, Clone)]
pub struct ReleaseOptions {
    /// Release name (`.Release.Name`); validated as Helm validates it.
    pub release_name: String,
    /// Namespace (`.Release.Namespace`).
    pub namespace: String,
    /// `--kube-version`: overrides `.Capabilities.KubeVersion` (default `v1.35.0`).
    pub kube_version: Option<String>,
    /// `--api-versions`: added to `.Capabilities.APIVersions`.
    pub api_versions: Vec<String>,
    /// `--is-upgrade`: `.Release.IsUpgrade` true and `.Release.IsInstall` false.
    pub is_upgrade: bool,
    /// `--skip-schema-validation`: do not check values against `values.schema.json`.
    pub skip_schema_validation: bool,
}

impl Default for ReleaseOptions {
    /// `helm template CHART` with no flags: release `release-name` in `default`.
    fn default() -> Self {
        ReleaseOptions {
            release_name: "release-name".into(),
            namespace: "default".into(),
            kube_version: None,
            api_versions: Vec::new(),
            is_upgrade: false,
            skip_schema_validation: false,
        }
    }
}

/// The rendered release, before Helm's output stage.
#[derive(Debug, Clone, Default)]
pub struct RenderedRelease {
    /// Engine output per template (`CHART/templates/x.yaml`, subcharts as
    /// `CHART/charts/SUB/templates/x.yaml`), including `NOTES.txt` files.
    pub rendered: BTreeMap<String, String>,
    /// CRD files of the root chart then its enabled subcharts (depth first):
    /// (`CHART/crds/x.yaml` style path, content shared with the loaded chart and read when
    /// first asked for).
    pub crds: Vec<(String, Contents)>,
    /// Lines Helm logs on stderr while rendering (slog text format).
    pub warnings: Vec<String>,
}

/// Why a release could not be rendered; `Display` is Helm's error message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReleaseError {
    /// `--kube-version` is not a Kubernetes version.
    #[error("invalid kube version '{given}': {message}")]
    InvalidKubeVersion {
        /// The flag value.
        given: String,
        /// Kubernetes' parse error.
        message: String,
    },
    /// The chart cannot be templated (library chart, missing dependency...).
    #[error("{0}")]
    Chart(#[from] chart::Error),
    /// The release name is invalid.
    #[error("release name check failed: release name {}: {message}", quote(name))]
    InvalidName {
        /// The name given.
        name: String,
        /// Why it is invalid.
        message: String,
    },
    /// Dependency processing failed.
    #[error("chart dependencies processing failed: {0}")]
    Dependencies(CoalesceError),
    /// Values coalescing failed.
    #[error("{0}")]
    Values(CoalesceError),
    /// The values violate a chart's `values.schema.json` (the per-chart report follows).
    #[error(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n{0}"
    )]
    Schema(String),
    /// The root chart's `kubeVersion` rejects the target version.
    #[error(
        "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {version}"
    )]
    KubeVersion {
        /// The chart's constraint.
        constraint: String,
        /// The target version as given (`v1.22.0`).
        version: String,
    },
    /// A template failed to parse or execute.
    #[error("{0}")]
    Render(#[from] RenderError),
}

impl ReleaseError {
    /// Whether Helm had already created the (failed) release when this error happened:
    /// `helm template` then appends `Use --debug flag to render out invalid YAML`.
    pub fn has_release(&self) -> bool {
        matches!(
            self,
            ReleaseError::KubeVersion { .. } | ReleaseError::Render(_)
        )
    }
}

/// Below this many bytes of `values.schema.json` in a chart tree, values are validated before
/// rendering on the same thread rather than beside it on a second one (bitnami-postgresql's
/// 4.5 KB schema compiles and validates in ~0.15 ms; starting a thread costs about as much on
/// a small VM, and its first allocations fault in pages of its own).
const PARALLEL_SCHEMA_BYTES: usize = 16 * 1024;

/// Renders `chart` with user values `user_values` (already merged from `-f`/`--set*`, see
/// [`super::user_values`]) as `helm template` does, schema validation included.
pub fn render_release(
    chart: &Chart,
    user_values: Map<String, Json>,
    opts: &ReleaseOptions,
) -> Result<RenderedRelease, ReleaseError> {
    render_release_logged(chart, user_values, opts, &mut Vec::new())
}

/// [`render_release`], logging into `log` (kept on failure, as Helm prints its log lines
/// before the error).
pub fn render_release_logged(
    chart: &Chart,
    user_values: Map<String, Json>,
    opts: &ReleaseOptions,
    log: &mut Vec<String>,
) -> Result<RenderedRelease, ReleaseError> {
    render_release_with(chart, user_values, opts, &Engine::default(), log)
}

/// [`render_release_logged`] with the templates rendered by `engine` (which may carry
/// parsing started when the chart was loaded).
pub fn render_release_with(
    chart: &Chart,
    user_values: Map<String, Json>,
    opts: &ReleaseOptions,
    engine: &Engine,
    log: &mut Vec<String>,
) -> Result<RenderedRelease, ReleaseError> {
    let caps = capabilities(opts)?;
    chart.check_installable()?;
    if chart.metadata.deprecated {
        log.push(slog::warn("this chart is deprecated", &[]));
    }
    if chart.metadata.declared_dependencies().next().is_some() {
        chart.check_dependencies()?;
    }
    validate_release_name(&opts.release_name).inspect_err(|e| {
        if let ReleaseError::InvalidName { name, message } = e {
            let err = format!("release name {}: {message}", quote(name));
            log.push(slog::line(
                "ERROR",
                "release name check failed",
                &[("error", &err)],
            ));
        }
    })?;
    let mut tree = chart.clone();
    process_dependencies(&mut tree, &user_values, log).map_err(|e| {
        log.push(slog::line(
            "ERROR",
            "chart dependencies processing failed",
            &[("error", &e.to_string())],
        ));
        ReleaseError::Dependencies(e)
    })?;
    let values = coalesce_values(&tree, &user_values, log).map_err(ReleaseError::Values)?;
    let validate = !opts.skip_schema_validation && super::schema::has_schema(&tree);
    if !validate {
        return render_tree(&tree, &values, &caps, opts, engine, log);
    }
    if super::schema::schema_bytes(&tree) < PARALLEL_SCHEMA_BYTES {
        // Small schemas validate in less time than a thread takes to start: in Helm's order.
        super::schema::validate_chart_values(&tree, &values)
            .map_err(|e| ReleaseError::Schema(e.0))?;
        return render_tree(&tree, &values, &caps, opts, engine, log);
    }
    // Schema validation and rendering are independent until one of them fails: validate on a
    // second thread while this one renders, and let a schema violation win, as it does in
    // Helm, which validates first. Rendering is pure (offline `lookup` only reads), so a
    // render whose result is discarded leaves nothing behind.
    let (rendered, schema) = crate::parallel::join(
        || render_tree(&tree, &values, &caps, opts, engine, log),
        || super::schema::validate_chart_values(&tree, &values),
    );
    match schema {
        Ok(()) => rendered,
        Err(e) => Err(ReleaseError::Schema(e.0)),
    }
}

/// Renders the templates of a chart tree whose dependencies are processed and whose values
/// are coalesced (and validated, where the caller asked for it).
fn render_tree(
    tree: &Chart,
    values: &Map<String, Json>,
    caps: &Capabilities,
    opts: &ReleaseOptions,
    engine: &Engine,
    log: &[String],
) -> Result<RenderedRelease, ReleaseError> {
    check_kube_version(&tree.metadata, caps)?;
    let release = release_value(opts);
    let mut files = Vec::new();
    let top_values = Values::wrap(map_to_template_value(values));
    let ctx = TreeContext {
        release: &release,
        caps: &caps.to_value(),
    };
    rec_all_tpls(
        tree,
        &tree.metadata.name,
        true,
        &top_values,
        &ctx,
        &mut files,
    )?;
    let rendered = engine.render(&files)?;
    let mut crds = Vec::new();
    collect_crds(tree, &tree.metadata.name, &mut crds);
    Ok(RenderedRelease {
        rendered,
        crds,
        warnings: log.to_vec(),
    })
}

/// `.Capabilities` for the options: Helm's defaults, `--kube-version` and `--api-versions`.
fn capabilities(opts: &ReleaseOptions) -> Result<Capabilities, ReleaseError> {
    let mut caps = Capabilities::default();
    if let Some(v) = &opts.kube_version {
        caps.kube_version =
            KubeVersion::parse(v).map_err(|message| ReleaseError::InvalidKubeVersion {
                given: v.clone(),
                message,
            })?;
    }
    caps.api_versions.extend(opts.api_versions.iter().cloned());
    Ok(caps)
}

/// Helm's `ValidateReleaseName`.
fn validate_release_name(name: &str) -> Result<(), ReleaseError> {
    const PATTERN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    let message = if name.is_empty() {
        "no name provided".to_string()
    } else if name.len() > 53 || !regex_lite::Regex::new(PATTERN).is_ok_and(|r| r.is_match(name)) {
        format!(
            "invalid release name, must match regex {PATTERN} and the length must not be longer than 53"
        )
    } else {
        return Ok(());
    };
    Err(ReleaseError::InvalidName {
        name: name.to_string(),
        message,
    })
}

/// `renderResources`' `kubeVersion` check on the root chart.
fn check_kube_version(meta: &Metadata, caps: &Capabilities) -> Result<(), ReleaseError> {
    if meta.kube_version.is_empty()
        || crate::semver::is_compatible_range(&meta.kube_version, &caps.kube_version.normalized)
    {
        return Ok(());
    }
    Err(ReleaseError::KubeVersion {
        constraint: meta.kube_version.clone(),
        version: caps.kube_version.version.clone(),
    })
}

/// `.Release` for `helm template`.
fn release_value(opts: &ReleaseOptions) -> Value {
    super::Release {
        name: opts.release_name.clone(),
        namespace: opts.namespace.clone(),
        revision: 1,
        is_install: !opts.is_upgrade,
        is_upgrade: opts.is_upgrade,
    }
    .to_value()
}

/// Objects shared by every chart of the tree.
struct TreeContext<'a> {
    release: &'a Value,
    caps: &'a Value,
}

/// The engine's `recAllTpls`: builds this chart's top-level object, recurses into the
/// subcharts (their objects become `.Subcharts`), and adds the chart's templates (only
/// partials for library charts). Returns the top-level map.
fn rec_all_tpls(
    chart: &Chart,
    full_path: &str,
    is_root: bool,
    parent_values: &Value,
    ctx: &TreeContext<'_>,
    out: &mut Vec<TemplateFile>,
) -> Result<Value, ReleaseError> {
    let values = if is_root {
        parent_values.clone()
    } else {
        scoped_values(parent_values, chart.name())
    };
    let mut subcharts = BTreeMap::new();
    for child in &chart.dependencies {
        let child_path = format!("{full_path}/charts/{}", child.name());
        let next = rec_all_tpls(child, &child_path, false, &values, ctx, out)?;
        subcharts.insert(child.name().to_string(), next);
    }
    let mut next = BTreeMap::new();
    next.insert("Chart".to_string(), chart_value(&chart.metadata, is_root));
    next.insert("Files".to_string(), files_value(chart));
    next.insert("Release".to_string(), ctx.release.clone());
    next.insert("Capabilities".to_string(), ctx.caps.clone());
    next.insert("Values".to_string(), values);
    next.insert("Subcharts".to_string(), Value::from(subcharts));
    let next = Value::from(next);
    let data = Values::wrap(next.clone());
    let base_path = format!("{full_path}/templates");
    for t in engine_templates(chart) {
        let text = t.data.read().map_err(|e| chart::Error::ReadFile {
            path: e.path,
            message: e.message,
        })?;
        out.push(TemplateFile {
            name: format!("{full_path}/{}", t.name),
            text: shared_str_from_bytes(&text),
            data: data.clone(),
            base_path: base_path.clone(),
        });
    }
    Ok(next)
}

/// The templates of `chart` the engine parses: all of them, or only the partials (`_*`) of
/// a library chart.
pub(crate) fn engine_templates(chart: &Chart) -> impl Iterator<Item = &chart::File> {
    let library = chart.metadata.chart_type.eq_ignore_ascii_case("library");
    chart.templates.iter().filter(move |t| {
        !library
            || t.name
                .rsplit('/')
                .next()
                .unwrap_or(&t.name)
                .starts_with('_')
    })
}

/// `values.Table("Values." + name)` on the parent's object: the subchart's section of the
/// parent's values (shared, as in Go), or an empty `common.Values`.
fn scoped_values(parent_values: &Value, name: &str) -> Value {
    let found = parent_values
        .as_map_like()
        .and_then(|m| m.borrow().get(name).cloned())
        .filter(|v| v.as_map_like().is_some());
    Values::wrap(found.unwrap_or_else(Value::new_map))
}

/// `.Files`: the chart's non-template files.
fn files_value(chart: &Chart) -> Value {
    Files(
        chart
            .files
            .iter()
            .map(|f| (f.name.clone(), f.data.clone()))
            .collect(),
    )
    .to_value()
}

/// `.Chart`: Helm's `MetadataAsMap` (Go field names) plus `IsRoot`.
pub fn chart_value(m: &Metadata, is_root: bool) -> Value {
    let s = |x: &str| Value::String(x.to_string());
    let strings = |xs: &[String]| Value::list(xs.iter().map(|x| s(x)).collect());
    let mut out = BTreeMap::new();
    out.insert("Name".into(), s(&m.name));
    out.insert("Home".into(), s(&m.home));
    out.insert("Sources".into(), strings(&m.sources));
    out.insert("Version".into(), s(&m.version));
    out.insert("Description".into(), s(&m.description));
    out.insert("Keywords".into(), strings(&m.keywords));
    let maintainers = m
        .maintainers
        .iter()
        .map(|mt| match mt {
            Some(mt) => {
                let mut x = BTreeMap::new();
                x.insert("Name".to_string(), s(&mt.name));
                x.insert("Email".to_string(), s(&mt.email));
                x.insert("URL".to_string(), s(&mt.url));
                Value::from(x)
            }
            None => Value::Nil,
        })
        .collect();
    out.insert("Maintainers".into(), Value::list(maintainers));
    out.insert("Icon".into(), s(&m.icon));
    out.insert("APIVersion".into(), s(&m.api_version));
    out.insert("Condition".into(), s(&m.condition));
    out.insert("Tags".into(), s(&m.tags));
    out.insert("AppVersion".into(), s(&m.app_version));
    out.insert("Deprecated".into(), Value::Bool(m.deprecated));
    let annotations: BTreeMap<String, Value> = m
        .annotations
        .iter()
        .map(|(k, v)| (k.clone(), s(v)))
        .collect();
    out.insert("Annotations".into(), Value::from(annotations));
    out.insert("KubeVersion".into(), s(&m.kube_version));
    let deps = m
        .dependencies
        .iter()
        .map(|d| d.as_ref().map_or(Value::Nil, dependency_value))
        .collect();
    out.insert("Dependencies".into(), Value::list(deps));
    out.insert("Type".into(), s(&m.chart_type));
    out.insert("IsRoot".into(), Value::Bool(is_root));
    Value::from(out)
}

fn dependency_value(d: &Dependency) -> Value {
    let s = |x: &str| Value::String(x.to_string());
    let mut out = BTreeMap::new();
    out.insert("Name".to_string(), s(&d.name));
    out.insert("Version".to_string(), s(&d.version));
    out.insert("Repository".to_string(), s(&d.repository));
    out.insert("Condition".to_string(), s(&d.condition));
    out.insert(
        "Tags".to_string(),
        Value::list(d.tags.iter().map(|t| s(t)).collect()),
    );
    out.insert("Enabled".to_string(), Value::Bool(d.enabled));
    out.insert(
        "ImportValues".to_string(),
        Value::list(d.import_values.iter().map(to_template_value).collect()),
    );
    out.insert("Alias".to_string(), s(&d.alias));
    Value::from(out)
}

/// `CRDObjects`: this chart's CRD files, then its subcharts'.
fn collect_crds(chart: &Chart, full_path: &str, out: &mut Vec<(String, Contents)>) {
    for f in chart.crd_files() {
        out.push((format!("{full_path}/{}", f.name), f.data.clone()));
    }
    for d in &chart.dependencies {
        collect_crds(d, &format!("{full_path}/charts/{}", d.name()), out);
    }
}

/// Converts decoded values to template values with Go's types: numbers decoded from files
/// (stored as `f64`) become `float64`, integers (from `--set`) `int64`.
pub fn to_template_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if n.is_f64() {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            } else if let Some(i) = n.as_i64() {
                Value::Int64(i)
            } else {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Json::String(s) => Value::String(s.clone()),
        Json::Array(a) => Value::list(a.iter().map(to_template_value).collect()),
        Json::Object(o) => map_to_template_value(o),
    }
}

/// [`to_template_value`] of a JSON object.
fn map_to_template_value(o: &Map<String, Json>) -> Value {
    let m: BTreeMap<String, Value> = o
        .iter()
        .map(|(k, v)| (k.clone(), to_template_value(v)))
        .collect();
    Value::Map(crate::template::value::MapCell::new_ref(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names_are_validated() {
        assert!(validate_release_name("golden").is_ok());
        assert!(validate_release_name("a.b-c").is_ok());
        let e = validate_release_name("Bad").unwrap_err();
        assert!(e.to_string().starts_with(
            "release name check failed: release name \"Bad\": invalid release name, must match regex"
        ));
        assert!(validate_release_name(&"a".repeat(54)).is_err());
    }

    #[test]
    fn numbers_keep_go_types() {
        let v = to_template_value(&serde_json::json!({"f": 1.0, "i": 3}));
        let m = v.as_map().unwrap().borrow();
        assert!(matches!(m["f"], Value::Float(_)));
        assert!(matches!(m["i"], Value::Int64(3)));
    }
}
