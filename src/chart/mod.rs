//! Helm charts loaded exactly as Helm v4 loads them (`pkg/chart/loader`, `pkg/chart/v2/loader`,
//! `pkg/ignore`): from a directory (with `.helmignore`) or a `.tgz`, subcharts under `charts/`
//! as directories or archives, recursively.
//!
//! The result is plain data for the renderer: metadata, default values (raw text and parsed,
//! numbers as f64 like Helm), the schema bytes, templates and other files split as Helm splits
//! them, and the loaded subcharts. Conditions, tags, aliases and `import-values` are applied
//! later by the renderer (Helm's `ProcessDependencies`); this module only offers Helm's
//! load-time checks ([`Chart::check_dependencies`], [`Chart::check_installable`],
//! [`check_kube_version`]).
//!
//! Known differences from Helm: subcharts are kept sorted by their entry name under `charts/`
//! (Helm uses Go map order, which is random), and the content type named in the "not a
//! gzipped archive" error comes from a reduced version of Go's sniffing table.

mod archive;
mod contents;
pub mod ignore;
mod loader;
mod metadata;
pub use crate::semver;

use std::sync::Arc;

use serde_json::{Map, Value};

pub use archive::{MAX_DECOMPRESSED_CHART_SIZE, MAX_DECOMPRESSED_FILE_SIZE};
pub use contents::{Contents, ReadError};
pub use loader::{
    Observer, load, load_archive, load_archive_bytes, load_dir, load_files, load_observed,
    load_values_text, path_in_chart,
};
pub use metadata::{Dependency, Lock, Maintainer, Metadata};
use semver::{Constraints, Version};

/// A file of a chart: its `/`-separated path relative to the chart root and its bytes (a
/// leading UTF-8 BOM removed, as Helm does), possibly still on disk (see [`Contents`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Path relative to the chart root, e.g. `templates/deployment.yaml`.
    pub name: String,
    /// Contents, shared: a chart's files appear in `raw` and in `templates` or `files`, and
    /// renders hand them to `.Files` and to worker threads, all without copying the bytes.
    /// Templates, values, metadata and the schema are always in memory.
    pub data: Contents,
}

impl File {
    /// A file named `name` holding `data`.
    pub fn new(name: impl Into<String>, data: impl Into<Contents>) -> File {
        File {
            name: name.into(),
            data: data.into(),
        }
    }
}

/// A loaded chart (Helm's `chart.Chart`).
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// `Chart.yaml`, plus `requirements.yaml` dependencies for v1 charts, validated and
    /// sanitized.
    pub metadata: Metadata,
    /// `Chart.lock` (or `requirements.lock`), when present.
    pub lock: Option<Lock>,
    /// `values.yaml` as written, when present.
    pub values_text: Option<Arc<str>>,
    /// `values.yaml` parsed as Helm parses it (documents merged, numbers f64); empty when
    /// the file is absent. Shared, so that the copies of a chart tree that rendering makes
    /// (dependency processing works on its own copy) share one parsed tree until one of them
    /// replaces it.
    pub values: Arc<Map<String, Value>>,
    /// `values.schema.json` bytes, when present.
    pub schema: Option<Arc<[u8]>>,
    /// Everything under `templates/`, in load order.
    pub templates: Vec<File>,
    /// Every other file except `Chart.yaml`, `Chart.lock`, `values.yaml`,
    /// `values.schema.json` and subchart content: what `.Files` sees (including `crds/`,
    /// `.helmignore`, and `requirements.yaml`/`requirements.lock` for v1 charts).
    pub files: Vec<File>,
    /// All files as loaded, including `Chart.yaml` and `values.yaml` (Helm's `Raw`).
    pub raw: Vec<File>,
    /// Subcharts found under `charts/`, sorted by their entry name there.
    pub dependencies: Vec<Chart>,
}

impl Chart {
    /// The chart name from `Chart.yaml`.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The chart version from `Chart.yaml`.
    pub fn version(&self) -> &str {
        &self.metadata.version
    }

    /// Whether `type: library`.
    pub fn is_library(&self) -> bool {
        self.metadata.is_library()
    }

    /// This chart's CRD files: `crds/` files ending in `.yaml`, `.yml` or `.json` (any case),
    /// as Helm's `CRDObjects` selects them (subcharts not included).
    pub fn crd_files(&self) -> impl Iterator<Item = &File> {
        self.files.iter().filter(|f| {
            f.name.starts_with("crds/") && {
                let ext = go_ext(&f.name).to_ascii_lowercase();
                matches!(ext.as_str(), ".yaml" | ".yml" | ".json")
            }
        })
    }

    /// Helm's `action.CheckDependencies` as `helm install`/`template` run it on the root
    /// chart: every dependency declared in `Chart.yaml` (by name, whatever its alias,
    /// condition or tags) must be a loaded subchart. Helm checks this before evaluating
    /// conditions and tags; missing dependencies of nested subcharts are silently skipped by
    /// Helm's `ProcessDependencies` and are not checked here either.
    pub fn check_dependencies(&self) -> Result<(), Error> {
        let missing: Vec<String> = self
            .metadata
            .declared_dependencies()
            .filter(|d| !self.dependencies.iter().any(|c| c.name() == d.name))
            .map(|d| d.name.clone())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::MissingDependencies(missing))
        }
    }

    /// Helm's `checkIfInstallable`: only application charts can be installed or templated.
    pub fn check_installable(&self) -> Result<(), Error> {
        match self.metadata.chart_type.as_str() {
            "" | "application" => Ok(()),
            other => Err(Error::NotInstallable(other.to_string())),
        }
    }
}

/// Helm's `kubeVersion` check (`renderResources`): the root chart's constraint must accept
/// the cluster version. As Helm does, the version is checked without its prerelease and
/// build parts (`v1.33.4-gke.1` as `1.33.4`) and shown as given, with a `v` prefix; an
/// unparsable constraint is incompatible.
pub fn check_kube_version(chart: &Chart, kube_version: &Version) -> Result<(), Error> {
    let constraint = &chart.metadata.kube_version;
    if constraint.is_empty() {
        return Ok(());
    }
    let ok = Constraints::parse(constraint)
        .map(|c| c.check(&kube_version.release_only()))
        .unwrap_or(false);
    if ok {
        return Ok(());
    }
    let shown = kube_version.original();
    let shown = if shown.is_empty() {
        format!("v{kube_version}")
    } else if shown.starts_with('v') {
        shown.to_string()
    } else {
        format!("v{shown}")
    };
    Err(Error::KubeVersion {
        constraint: constraint.clone(),
        kube_version: shown,
    })
}

/// Go's `filepath.Ext`.
fn go_ext(path: &str) -> &str {
    for (i, c) in path.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return &path[i..];
        }
    }
    ""
}

/// Why a chart could not be loaded or accepted, worded as Helm v4 words it (the `Display`
/// text is Helm's message); variants keep the file involved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The chart path cannot be read (`stat`/`open` failure).
    #[error("{op} {path}: {message}")]
    Io {
        /// The Go operation that failed (`stat`, `open`).
        op: &'static str,
        /// The path as given.
        path: String,
        /// The OS error, worded as Go words it.
        message: String,
    },
    /// A directory without `Chart.yaml`.
    #[error("unable to detect chart at {path}: open {path}: {message}")]
    Undetectable {
        /// Absolute path of the expected `Chart.yaml`.
        path: String,
        /// The OS error.
        message: String,
    },
    /// A YAML file of the chart could not be read; `message` is the YAML/JSON-stage error.
    #[error("cannot load {file}: {message}")]
    Parse {
        /// The file, relative to its chart (`Chart.yaml`, `values.yaml`, ...).
        file: String,
        /// The underlying message (with `yaml: line N:` when the parser gave one).
        message: String,
    },
    /// `Chart.yaml`'s `apiVersion` is neither `v1`, `v2` nor empty.
    #[error("unsupported chart version")]
    UnsupportedApiVersion(String),
    /// An `apiVersion: v3` chart: Helm v4 loads it but cannot install or template it.
    #[error("invalid chart apiVersion")]
    ApiVersionV3,
    /// `Chart.yaml` is absent from a chart (or subchart) being loaded.
    #[error("Chart.yaml file is missing")]
    MissingChartYaml,
    /// Helm's metadata validation failed.
    #[error("validation: {0}")]
    Validation(String),
    /// A subchart under `charts/` failed to load.
    #[error("error unpacking subchart {name} in {parent}: {source}")]
    Subchart {
        /// Entry name under `charts/` (directory or archive file name).
        name: String,
        /// Name of the chart containing it.
        parent: String,
        /// Why it failed.
        source: Box<Error>,
    },
    /// `charts/NAME.tgz` is a directory rather than an archive.
    #[error("error unpacking subchart tar in {parent}: expected {expected}, got {got}")]
    SubchartTarName {
        /// Name of the chart containing it.
        parent: String,
        /// The entry name.
        expected: String,
        /// The first file found under it.
        got: String,
    },
    /// The archive is not gzip data.
    #[error("gzip: invalid header")]
    GzipHeader,
    /// A malformed or unsafe archive (Helm's exact message).
    #[error("{0}")]
    Archive(String),
    /// The chart path is a file that is not a gzip archive.
    #[error("file '{path}' does not appear to be a gzipped archive; got '{content_type}'")]
    NotGzip {
        /// The path as given.
        path: String,
        /// Sniffed content type.
        content_type: String,
    },
    /// The chart path is a YAML file rather than a chart archive.
    #[error("file '{path}' seems to be a YAML file, but expected a gzipped archive")]
    YamlNotArchive {
        /// The path as given.
        path: String,
    },
    /// The top-level archive starts like gzip but has an invalid header.
    #[error(
        "file '{path}' does not appear to be a valid chart file (details: gzip: invalid header)"
    )]
    InvalidChartFile {
        /// The path as given.
        path: String,
    },
    /// The top-level archive could not be read; Helm hides the cause, kept in `source`.
    #[error("unable to load chart archive")]
    ArchiveUnreadable {
        /// The archive path.
        path: String,
        /// The hidden cause.
        source: Box<Error>,
    },
    /// The top-level archive has no `Chart.yaml` at its root.
    #[error("unable to detect chart version, no Chart.yaml found")]
    NoChartYamlInArchive,
    /// `.helmignore` is malformed.
    #[error("{source}")]
    Ignore {
        /// Path of the `.helmignore` file.
        path: String,
        /// The rule error.
        source: ignore::IgnoreError,
    },
    /// A device, socket or other non-regular file in a chart directory.
    #[error("cannot load irregular file {0} as it has file mode type bits set")]
    IrregularFile(String),
    /// A file over [`MAX_DECOMPRESSED_FILE_SIZE`] in a chart directory.
    #[error("chart file {name:?} is larger than the maximum file size {limit}")]
    FileTooLarge {
        /// Base name of the file.
        name: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A chart directory entry could not be read.
    #[error("error reading {path}: {message}")]
    ReadFile {
        /// Chart-relative path.
        path: String,
        /// The OS error.
        message: String,
    },
    /// A symbolic link in a chart directory cannot be resolved.
    #[error("error evaluating symlink {path}: {message}")]
    Symlink {
        /// The link path.
        path: String,
        /// The OS error.
        message: String,
    },
    /// Declared dependencies missing from `charts/` (`helm template`'s full message).
    #[error(
        "an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
        .0.join(", ")
    )]
    MissingDependencies(Vec<String>),
    /// A library (or other non-application) chart given to install or template.
    #[error("{0} charts are not installable")]
    NotInstallable(String),
    /// The chart's `kubeVersion` rejects the target Kubernetes version.
    #[error(
        "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {kube_version}"
    )]
    KubeVersion {
        /// The chart's constraint.
        constraint: String,
        /// The Kubernetes version as shown (`v1.35.0`).
        kube_version: String,
    },
}

impl Error {
    /// The file the error is about, relative to the top chart (e.g.
    /// `charts/common/values.yaml`), when one is known.
    pub fn file(&self) -> Option<String> {
        match self {
            Error::Parse { file, .. } => Some(file.clone()),
            Error::ReadFile { path, .. } => Some(path.clone()),
            Error::Ignore { .. } => Some(ignore_file_name()),
            Error::MissingChartYaml | Error::Validation(_) => Some("Chart.yaml".into()),
            Error::Subchart { name, source, .. } => {
                let inner = source.file();
                Some(match inner {
                    Some(f) => format!("charts/{name}/{f}"),
                    None => format!("charts/{name}"),
                })
            }
            _ => None,
        }
    }

    /// The line the YAML parser reported (`yaml: line N: ...`), when it reported one. For
    /// multi-document values files the line is counted within the document, as Helm does.
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::Parse { message, .. } => {
                let rest = &message[message.find("line ")? + 5..];
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            }
            Error::Subchart { source, .. } | Error::ArchiveUnreadable { source, .. } => {
                source.line()
            }
            _ => None,
        }
    }
}

fn ignore_file_name() -> String {
    ".helmignore".to_string()
}

#[cfg(test)]
mod tests;
