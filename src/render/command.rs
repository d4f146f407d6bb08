//! `helm template` as a library call: what `rudder render` runs, step for step in Helm's
//! order (`--kube-version` parsed, user values merged from `-f`/`--set*`, chart loaded and
//! checked, release rendered, manifests printed by the output stage).
//!
//! The CLI and the corpus test both go through [`helm_template`], so stdout and the error
//! message are exactly what the command prints.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::engine::{Engine, PARALLEL_PARSE_BYTES, function_names};
use super::manifest::{DEBUG_HINT, ManifestError, OutputOptions, template_output_full};
use super::objects::KubeVersion;
use super::preparse::Preparse;
use super::release::{ReleaseError, ReleaseOptions, render_release_with};
use super::user_values::UserValues;
use crate::chart::Contents;

/// The inputs of `helm template [NAME] CHART [flags]`.
#[derive(Debug, Clone, Default)]
pub struct TemplateRequest {
    /// Release name; `release-name` when omitted, as `helm template` does.
    pub release_name: Option<String>,
    /// `-g/--generate-name` (without NAME, `helm template` still uses `release-name`).
    pub generate_name: bool,
    /// `--name-template`: a Sprig template producing the release name (without NAME).
    pub name_template: Option<String>,
    /// `--skip-schema-validation`.
    pub skip_schema_validation: bool,
    /// Chart directory or `.tgz` archive.
    pub chart: PathBuf,
    /// The values flags: `-f/--values` files and `--set*` assignments.
    pub values: UserValues,
    /// `-n/--namespace` (Helm's default: `default`).
    pub namespace: Option<String>,
    /// `--kube-version`.
    pub kube_version: Option<String>,
    /// `-a/--api-versions`.
    pub api_versions: Vec<String>,
    /// `--is-upgrade`.
    pub is_upgrade: bool,
    /// `--include-crds`.
    pub include_crds: bool,
    /// `--skip-tests`.
    pub skip_tests: bool,
    /// `--no-hooks`.
    pub no_hooks: bool,
    /// `-s/--show-only` templates.
    pub show_only: Vec<String>,
}

/// A successful run: what goes to stdout, and Helm's log lines for stderr.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TemplateOutput {
    /// The manifests, exactly as `helm template` prints them.
    pub stdout: String,
    /// Log lines (slog text format) Helm prints on stderr.
    pub log: Vec<String>,
}

/// A failed run: Helm's error message (printed as `Error: MESSAGE`) and the log lines
/// printed before it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    /// The message, with `helm template`'s debug hint when Helm adds it.
    pub message: String,
    /// Log lines printed before the error.
    pub log: Vec<String>,
}

/// Runs `helm template` on `req`.
pub fn helm_template(req: &TemplateRequest) -> Result<TemplateOutput, TemplateError> {
    helm_template_with(req, |out| out)
}

/// Runs `helm template` on `req` and hands a successful output to `emit` while the chart,
/// the values and the rendered release are still alive, then frees them.
///
/// A one-shot process (`rudder render`) prints from `emit` and ends there: freeing a large
/// chart's data took longer than the kernel takes to drop the whole address space.
pub fn helm_template_with<T>(
    req: &TemplateRequest,
    emit: impl FnOnce(TemplateOutput) -> T,
) -> Result<T, TemplateError> {
    let mut log = Vec::new();
    let fail = |message: String, log: &Vec<String>| TemplateError {
        message,
        log: log.clone(),
    };
    if let Some(v) = &req.kube_version
        && let Err(e) = KubeVersion::parse(v)
    {
        return Err(fail(format!("invalid kube version '{v}': {e}"), &log));
    }
    let release_name = release_name(req).map_err(|m| fail(m, &log))?;
    let path = locate_chart(&req.chart.to_string_lossy()).map_err(|m| fail(m, &log))?;
    let values = user_values(req).map_err(|m| fail(m, &log))?;
    // Templates are parsed on a second thread as the loader reads them, beside the rest of
    // loading, dependency processing and values coalescing.
    let preparse = Preparse::new(function_names, PARALLEL_PARSE_BYTES);
    let chart = crate::chart::load_observed(&path, &mut |rel, data| preparse.offer(rel, data))
        .map_err(|e| fail(e.to_string(), &log))?;
    preparse.close(&chart);
    let engine = Engine {
        preparse: preparse.started().then(|| Arc::new(preparse)),
        ..Engine::default()
    };
    let opts = ReleaseOptions {
        release_name,
        namespace: req.namespace.clone().unwrap_or_else(|| "default".into()),
        kube_version: req.kube_version.clone(),
        api_versions: req.api_versions.clone(),
        is_upgrade: req.is_upgrade,
        skip_schema_validation: req.skip_schema_validation,
    };
    let rendered = render_release_with(&chart, values, &opts, &engine, &mut log)
        .map_err(|e| fail(release_message(&e), &log))?;
    let out_opts = OutputOptions {
        include_crds: req.include_crds,
        skip_tests: req.skip_tests,
        no_hooks: req.no_hooks,
        show_only: req.show_only.clone(),
    };
    let crds = if req.include_crds {
        read_crds(&rendered.crds).map_err(|m| fail(m, &log))?
    } else {
        Vec::new()
    };
    let out = template_output_full(&rendered.rendered, &crds, &out_opts).map_err(|e| {
        let message = match &e {
            ManifestError::Yaml { .. } => format!("{e}{DEBUG_HINT}"),
            ManifestError::ShowOnlyNotFound(_) => e.to_string(),
        };
        fail(message, &log)
    })?;
    log.extend(out.log);
    Ok(emit(TemplateOutput {
        stdout: out.stdout,
        log,
    }))
}

/// The CRD files `--include-crds` prints, read if the loader left them on disk.
fn read_crds(crds: &[(String, Contents)]) -> Result<Vec<(String, Arc<str>)>, String> {
    crds.iter()
        .map(|(path, data)| {
            let bytes = data.read().map_err(|e| e.to_string())?;
            Ok((path.clone(), crate::template::shared_str_from_bytes(&bytes)))
        })
        .collect()
}

/// Helm's `NameAndChart` as `helm template` calls it (with `release-name` preset).
fn release_name(req: &TemplateRequest) -> Result<String, String> {
    if let Some(name) = &req.release_name {
        if req.generate_name {
            return Err("cannot set --generate-name and also specify a name".into());
        }
        if req.name_template.as_deref().is_some_and(|t| !t.is_empty()) {
            return Err("cannot set --name-template and also specify a name".into());
        }
        return Ok(name.clone());
    }
    match req.name_template.as_deref() {
        Some(t) if !t.is_empty() => name_from_template(t),
        _ => Ok("release-name".into()),
    }
}

/// Helm's `TemplateName`: the template executed with Sprig's functions and no data.
fn name_from_template(text: &str) -> Result<String, String> {
    let mut t = crate::template::Template::new("name-template");
    t.funcs(&crate::template::sprig::funcs());
    t.parse("name-template", text).map_err(|e| e.to_string())?;
    t.execute("name-template", &crate::template::Value::Nil)
        .map_err(|e| e.to_string())
}

/// Helm's `LocateChart` for local charts: an existing path is used as is; anything else would
/// be a repository or OCI reference, which rudder does not fetch (Helm's errors for the
/// common cases).
fn locate_chart(name: &str) -> Result<PathBuf, String> {
    let name = name.trim();
    let path = PathBuf::from(name);
    if path.exists() {
        return Ok(path);
    }
    if path.is_absolute() || name.starts_with('.') {
        return Err(format!("path {name:?} not found"));
    }
    if name.starts_with("oci://") {
        return Err(format!(
            "cannot fetch {name}: rudder renders local charts only (a directory or .tgz)"
        ));
    }
    match name.split_once('/') {
        Some((repo, _)) => Err(format!("repo {repo} not found")),
        None => Err(format!(
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: {name}"
        )),
    }
}

/// The error text `helm template` prints for a release error.
fn release_message(e: &ReleaseError) -> String {
    if e.has_release() {
        format!("{e}{DEBUG_HINT}")
    } else {
        e.to_string()
    }
}

/// Helm's `values.Options.MergeValues` over the request's `-f`/`--set*` flags.
fn user_values(req: &TemplateRequest) -> Result<Map<String, Value>, String> {
    req.values.merge().map_err(|e| e.to_string())
}
