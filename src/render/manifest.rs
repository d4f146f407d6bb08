//! The output stage of `helm template` (Helm v4.1.4): what happens to the engine's
//! `name -> text` map before it reaches stdout.
//!
//! - `pkg/action/action.go` `renderResources`: `NOTES.txt` outputs are dropped (any name
//!   ending in `NOTES.txt`), the rest goes through `releaseutil.SortManifests`, CRDs are
//!   written first with `--include-crds`, then the manifests in install order.
//! - `pkg/release/v1/util`: `SplitManifests` (the `(?:^|\s*\n)---\s*` separator), partials
//!   (`_*`) and blank files skipped, every document read into a `SimpleHead` with
//!   `sigs.k8s.io/yaml` (an error aborts: `YAML parse error on <file>: ...`), `helm.sh/hook`
//!   annotations turning documents into hooks (unknown hook types drop the document), and
//!   the stable kind sort of `InstallOrder` (unknown kinds last, alphabetically).
//! - `pkg/cmd/template.go`: manifests trimmed, hooks appended (`--no-hooks`, `--skip-tests`
//!   drop hooks with a `test` event), `--show-only` re-splitting the output and matching
//!   `filepath.Match` patterns against the path after the chart name.
//!
//! Hooks are not ordered by weight: `helm template` prints them in kind order only.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use regex::Regex;
use serde_json::Value as Json;

use crate::chart::ignore::glob_match;
use crate::template::gofmt::{format_float, quote};
use crate::yaml::{NumberMode, yaml_to_value};

/// Helm's `releaseutil.InstallOrder`: the order in which kinds are installed and printed.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The annotation that makes a document a hook.
pub const HOOK_ANNOTATION: &str = "helm.sh/hook";

/// The hook events Helm knows (`test-success` is Helm 2's name for `test`).
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// `helm template`'s output flags.
#[derive(Debug, Clone, Default)]
pub struct OutputOptions {
    /// `--include-crds`: print the charts' `crds/` files first.
    pub include_crds: bool,
    /// `--skip-tests`: drop hooks with a `test` (or `test-success`) event.
    pub skip_tests: bool,
    /// `--no-hooks`: drop every hook.
    pub no_hooks: bool,
    /// `-s/--show-only` patterns, in order.
    pub show_only: Vec<String>,
}

/// Errors of the output stage, worded as `helm template` words them (without Helm's
/// `Error: ` prefix).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ManifestError {
    /// A rendered document that `sigs.k8s.io/yaml` cannot read into Helm's `SimpleHead`.
    ///
    /// `helm template` appends `\n\nUse --debug flag to render out invalid YAML` to this
    /// error (as to every error after values were computed, e.g. template execution
    /// errors); that suffix is the caller's, see [`DEBUG_HINT`].
    #[error("YAML parse error on {file}: {message}")]
    Yaml {
        /// The template's full name (`mychart/templates/x.yaml`).
        file: String,
        /// The sigs.k8s.io/yaml message (`error converting YAML to JSON: yaml: line 3: ...`).
        message: String,
    },
    /// A `--show-only` pattern that matched no printed document.
    #[error("could not find template {0} in chart")]
    ShowOnlyNotFound(String),
}

/// What `helm template` appends to errors returned with a partial release (render and
/// output-stage errors), e.g. after [`ManifestError::Yaml`].
pub const DEBUG_HINT: &str = "\n\nUse --debug flag to render out invalid YAML";

/// The complete result of the output stage: stdout, and the log lines Helm prints to
/// stderr on the way (`level=INFO msg="skipping unknown hooks" hookTypes=...`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TemplateOutput {
    /// Exactly what `helm template` prints on stdout.
    pub stdout: String,
    /// slog lines (without trailing newline) in the order Helm emits them.
    pub log: Vec<String>,
}

/// One document that ends up printed: a manifest or a hook.
#[derive(Debug, Clone)]
struct Doc {
    path: String,
    kind: String,
    content: String,
    is_test: bool,
}

/// The head of a document as Helm's `SimpleHead` reads it.
#[derive(Debug, Default)]
struct Head {
    kind: String,
    annotations: Option<BTreeMap<String, String>>,
}

/// Returns exactly the stdout of `helm template` for the engine output `rendered`.
///
/// `rendered` is the engine's full-name -> output map (NOTES.txt and partials included; they
/// are skipped here). `crds` are `(full path, raw content)` of every chart's `crds/` files
/// with a manifest extension (`.yaml`, `.yml`, `.json`) in Helm's `CRDObjects` order (the
/// chart's own files, then each enabled dependency's, recursively).
pub fn template_output(
    rendered: &BTreeMap<String, String>,
    crds: &[(String, Arc<str>)],
    opts: &OutputOptions,
) -> Result<String, ManifestError> {
    template_output_full(rendered, crds, opts).map(|o| o.stdout)
}

/// [`template_output`] plus Helm's log lines for skipped unknown hooks.
pub fn template_output_full(
    rendered: &BTreeMap<String, String>,
    crds: &[(String, Arc<str>)],
    opts: &OutputOptions,
) -> Result<TemplateOutput, ManifestError> {
    let mut log = Vec::new();
    let (hooks, manifests) = sort_manifests(rendered, &mut log)?;

    // The output is written once, into a buffer of its final size: a large chart's output
    // is hundreds of KiB, and growing it (then copying the trimmed part) touched every page
    // of it three times.
    let doc_len = |path: &str, content: &str| DOC_HEAD.len() + path.len() + content.len() + 2;
    let crds_len: usize = crds.iter().map(|(p, d)| doc_len(p, d)).sum();
    let capacity = 1
        + if opts.include_crds { crds_len } else { 0 }
        + manifests
            .iter()
            .chain(&hooks)
            .map(|d| doc_len(&d.path, &d.content))
            .sum::<usize>();
    let mut out = String::with_capacity(capacity);
    if opts.include_crds {
        for (path, data) in crds {
            push_doc(&mut out, path, data);
        }
    }
    for m in &manifests {
        push_doc(&mut out, &m.path, &m.content);
    }
    // Helm trims the CRDs and manifests part and ends it with a newline.
    out.truncate(out.trim_end().len());
    let leading = out.len() - out.trim_start().len();
    out.drain(..leading);
    out.push('\n');
    if !opts.no_hooks {
        for h in hooks.iter().filter(|h| !(opts.skip_tests && h.is_test)) {
            push_doc(&mut out, &h.path, &h.content);
        }
    }
    let stdout = if opts.show_only.is_empty() {
        out
    } else {
        show_only(&out, &opts.show_only)?
    };
    Ok(TemplateOutput { stdout, log })
}

/// What starts every document of the output, before its path.
const DOC_HEAD: &str = "---\n# Source: ";

fn push_doc(out: &mut String, path: &str, content: &str) {
    out.push_str(DOC_HEAD);
    out.push_str(path);
    out.push('\n');
    out.push_str(content);
    out.push('\n');
}

/// `--show-only`: split the whole output again, keep the documents whose `# Source:` path
/// (after the chart name) matches each pattern, pattern by pattern.
fn show_only(out: &str, patterns: &[String]) -> Result<String, ManifestError> {
    static SOURCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new("# Source: [^/]+/(.+)").unwrap_or_else(|e| panic!("static regex: {e}"))
    });
    let docs = split_manifests(out);
    let named: Vec<(&str, Option<&str>)> = docs
        .iter()
        .map(|d| {
            let path = SOURCE
                .captures(d)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str());
            (*d, path)
        })
        .collect();
    let mut result = String::new();
    for pattern in patterns {
        let mut missing = true;
        for (doc, path) in &named {
            let Some(path) = path else { continue };
            if glob_match(pattern, path).unwrap_or(false) {
                result.push_str("---\n");
                result.push_str(doc);
                result.push('\n');
                missing = false;
            }
        }
        if missing {
            return Err(ManifestError::ShowOnlyNotFound(pattern.clone()));
        }
    }
    Ok(result)
}

/// Helm's `releaseutil.SplitManifests`: the non-empty documents of a stream, trimmed, in
/// order.
pub fn split_manifests(big: &str) -> Vec<&str> {
    let s = big.trim();
    go_regex_split(s)
        .into_iter()
        .filter(|d| !d.is_empty())
        .map(str::trim)
        .collect()
}

/// Go's `\s`, which is ASCII `[\t\n\f\r ]`.
fn is_go_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// The next match of Helm's separator `(?:^|\s*\n)---\s*` in `s` at or after `from`, as
/// Go's leftmost-first search finds it. Every match holds a `\n---` (or starts the text
/// with `---`); it begins where the run of spaces before that newline begins (not before
/// `from`), and takes all the spaces after the dashes. Scanning for `\n---` directly
/// replaces a regex whose compilation alone cost more than the splitting.
fn next_separator(s: &str, from: usize) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let dashes_end = |at: usize| {
        let mut end = at + 3;
        while end < b.len() && is_go_space(b[end]) {
            end += 1;
        }
        end
    };
    if from == 0 && b.starts_with(b"---") {
        return Some((0, dashes_end(0)));
    }
    let newline = from + memchr::memmem::find(&b[from..], b"\n---")?;
    let mut start = newline;
    while start > from && is_go_space(b[start - 1]) {
        start -= 1;
    }
    Some((start, dashes_end(newline + 1)))
}

/// Go's `Regexp.Split(s, -1)` with Helm's separator, which drops an empty leading match
/// and the tail after a match that ends the string.
fn go_regex_split(s: &str) -> Vec<&str> {
    if s.is_empty() {
        return vec![""];
    }
    let mut parts = Vec::new();
    let (mut beg, mut end) = (0, 0);
    while let Some((start, stop)) = next_separator(s, beg) {
        end = start;
        if stop != 0 {
            parts.push(&s[beg..end]);
        }
        beg = stop;
    }
    if end != s.len() {
        parts.push(&s[beg..]);
    }
    parts
}

/// Helm's `SortManifests` for `helm template`: `(hooks, manifests)`, each sorted by kind.
fn sort_manifests(
    files: &BTreeMap<String, String>,
    log: &mut Vec<String>,
) -> Result<(Vec<Doc>, Vec<Doc>), ManifestError> {
    let mut hooks = Vec::new();
    let mut manifests = Vec::new();
    let docs: Vec<(&String, &str)> = files
        .iter()
        .filter(|(path, content)| {
            !path.ends_with("NOTES.txt")
                && !base_name(path).starts_with('_')
                && !content.trim().is_empty()
        })
        .flat_map(|(path, content)| split_manifests(content).into_iter().map(move |d| (path, d)))
        .collect();
    let heads = read_heads(&docs);
    for (&(path, doc), head) in docs.iter().zip(heads) {
        let head = head.map_err(|message| ManifestError::Yaml {
            file: path.clone(),
            message,
        })?;
        let entry = Doc {
            path: path.clone(),
            kind: head.kind.clone(),
            content: doc.to_string(),
            is_test: false,
        };
        let hook_types = head
            .annotations
            .as_ref()
            .filter(|a| !a.is_empty())
            .and_then(|a| a.get(HOOK_ANNOTATION));
        match hook_types {
            None => manifests.push(entry),
            Some(types) => match hook_events(types) {
                Some(events) => hooks.push(Doc {
                    is_test: events.iter().any(|e| e == "test" || e == "test-success"),
                    ..entry
                }),
                None => log.push(format!(
                    "level=INFO msg=\"skipping unknown hooks\" hookTypes={}",
                    slog_value(types)
                )),
            },
        }
    }
    sort_by_kind(&mut hooks);
    sort_by_kind(&mut manifests);
    Ok((hooks, manifests))
}

/// `path.Base` for slash paths.
fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// The events of a `helm.sh/hook` value, or `None` when one of them is unknown.
fn hook_events(types: &str) -> Option<Vec<String>> {
    types
        .split(',')
        .map(|t| {
            let t = t.trim().to_lowercase();
            HOOK_EVENTS.contains(&t.as_str()).then_some(t)
        })
        .collect()
}

/// slog's text handler value formatting: quoted when empty or containing spaces, `=`,
/// quotes or non-printable characters.
fn slog_value(s: &str) -> String {
    let needs_quoting = s.is_empty()
        || s.chars().any(|c| {
            c == ' '
                || c == '='
                || c == '"'
                || c.is_control()
                || (!c.is_ascii() && (c.is_whitespace() || c == char::REPLACEMENT_CHARACTER))
        });
    if needs_quoting {
        quote(s)
    } else {
        s.to_string()
    }
}

/// Helm's `lessByKind` as a stable sort: kinds of [`INSTALL_ORDER`] by index, unknown
/// kinds after them, alphabetically; equal ranks keep their order.
fn sort_by_kind(docs: &mut [Doc]) {
    docs.sort_by(|a, b| {
        let ra = INSTALL_ORDER.iter().position(|k| *k == a.kind);
        let rb = INSTALL_ORDER.iter().position(|k| *k == b.kind);
        match (ra, rb) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.kind.as_bytes().cmp(b.kind.as_bytes()),
        }
    });
}

/// Output size above which documents are decoded on two threads.
const PARALLEL_HEADS_BYTES: usize = 32 * 1024;

/// [`read_head`] of every document, in order. Each document is decoded in full (Helm rejects
/// any invalid YAML), which is the bulk of the output stage, and documents are independent:
/// large outputs are split in two halves of about equal size decoded concurrently.
fn read_heads(docs: &[(&String, &str)]) -> Vec<Result<Head, String>> {
    crate::parallel::map_halves(
        docs,
        |(_, d)| d.len(),
        PARALLEL_HEADS_BYTES,
        |(_, d)| read_head(d),
    )
}

/// `sigs.k8s.io/yaml.Unmarshal(doc, &SimpleHead{})`: the kind and annotations, or the error
/// text Helm shows.
fn read_head(doc: &str) -> Result<Head, String> {
    let value = yaml_to_value(doc, NumberMode::Preserve).map_err(|e| e.to_string())?;
    decode_head(&value).map_err(|e| format!("error unmarshaling JSON: while decoding JSON: {e}"))
}

/// Go's JSON type name of a value in `UnmarshalTypeError`s.
fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Array(_) => "array",
        Json::Object(_) => "object",
        Json::String(_) => "string",
        Json::Number(_) => "number",
        Json::Bool(_) => "bool",
        Json::Null => "null",
    }
}

const METADATA_TYPE: &str = "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }";

/// Keys of an object in `json.Marshal` order (sorted by bytes) with the struct field each
/// one sets (`encoding/json` matches names exactly or case-insensitively; the last wins).
fn fields<'a>(
    obj: &'a serde_json::Map<String, Json>,
    names: &[&'static str],
) -> Vec<(&'static str, &'a Json)> {
    let mut keys: Vec<&String> = obj.keys().collect();
    keys.sort();
    keys.into_iter()
        .filter_map(|k| {
            let name = names
                .iter()
                .find(|n| **n == k.as_str())
                .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(k)))?;
            obj.get(k).map(|v| (*name, v))
        })
        .collect()
}

/// Decodes the JSON form of a document into `SimpleHead`, returning Go's first type error.
fn decode_head(value: &Json) -> Result<Head, String> {
    let mut head = Head::default();
    let obj = match value {
        Json::Null => return Ok(head),
        Json::Object(o) => o,
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type util.SimpleHead",
                json_type(other)
            ));
        }
    };
    let mut first_err: Option<String> = None;
    let mut note = |e: String| {
        first_err.get_or_insert(e);
    };
    for (field, v) in fields(obj, &["apiVersion", "kind", "metadata"]) {
        match field {
            "metadata" => match v {
                Json::Null => head.annotations = None,
                Json::Object(m) => decode_metadata(m, &mut head, &mut note),
                other => note(format!(
                    "json: cannot unmarshal {} into Go struct field SimpleHead.metadata of type {METADATA_TYPE}",
                    json_type(other)
                )),
            },
            name => match scalar_string(v) {
                Ok(Some(s)) if name == "kind" => head.kind = s,
                Ok(_) => {}
                Err(t) => note(format!(
                    "json: cannot unmarshal {t} into Go struct field SimpleHead.{name} of type string"
                )),
            },
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(head),
    }
}

fn decode_metadata(
    m: &serde_json::Map<String, Json>,
    head: &mut Head,
    note: &mut impl FnMut(String),
) {
    for (field, v) in fields(m, &["name", "annotations"]) {
        if field == "name" {
            if let Err(t) = scalar_string(v) {
                note(format!(
                    "json: cannot unmarshal {t} into Go struct field .metadata.name of type string"
                ));
            }
            continue;
        }
        match v {
            Json::Null => head.annotations = None,
            Json::Object(a) => {
                let map = head.annotations.get_or_insert_with(BTreeMap::new);
                for (k, av) in a {
                    match scalar_string(av) {
                        Ok(s) => {
                            map.insert(k.clone(), s.unwrap_or_default());
                        }
                        Err(t) => note(format!(
                            "json: cannot unmarshal {t} into Go struct field .metadata.annotations of type string"
                        )),
                    }
                }
            }
            other => note(format!(
                "json: cannot unmarshal {} into Go struct field .metadata.annotations of type map[string]string",
                json_type(other)
            )),
        }
    }
}

/// A scalar decoded into a Go string field: sigs.k8s.io/yaml turns numbers and booleans
/// into their text first; `null` leaves the field alone (`Ok(None)`); arrays and objects
/// are type errors (`Err(json type)`).
fn scalar_string(v: &Json) -> Result<Option<String>, &'static str> {
    match v {
        Json::Null => Ok(None),
        Json::String(s) => Ok(Some(s.clone())),
        Json::Bool(b) => Ok(Some(b.to_string())),
        Json::Number(n) => Ok(Some(match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (None, Some(u), _) => u.to_string(),
            (None, None, Some(f)) => format_float(f32_round(f), 'g', -1),
            _ => n.to_string(),
        })),
        other => Err(json_type(other)),
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` prints the shortest text of the float32 value.
fn f32_round(f: f64) -> f64 {
    // Precision loss is the point: Go formats the value as a float32.
    #[allow(clippy::cast_possible_truncation)]
    let g = f as f32;
    g.to_string().parse::<f64>().unwrap_or(f)
}

#[cfg(test)]
mod tests;
