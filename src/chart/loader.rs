//! Helm's loaders: the v4 dispatcher (`pkg/chart/loader`), the directory walk with
//! `.helmignore` (`v2/loader/directory.go`), and `LoadFiles`, which splits files into
//! metadata, values, templates, files and subcharts (`v2/loader/load.go`).

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::archive::{self, MAX_DECOMPRESSED_FILE_SIZE, trim_bom};
use super::ignore::Rules;
use super::metadata::{self, Metadata};
use super::{Chart, Contents, Error, File};
use crate::yaml::{NumberMode, yaml_to_value};

/// Go's wording of common OS errors.
pub(super) fn os_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            // Rust appends " (os error N)"; Go does not.
            match s.find(" (os error") {
                Some(i) => s[..i].to_lowercase(),
                None => s,
            }
        }
    }
}

/// Loads a chart from a directory or a `.tgz` file (Helm v4's `loader.Load`).
pub fn load(path: &Path) -> Result<Chart, Error> {
    load_observed(path, &mut |_, _| {})
}

/// Reports each file a directory load reads, by its chart-relative path, as soon as it is
/// read: what lets a caller start work on the files (parsing templates) while loading goes
/// on. Files inside archives are not reported.
pub type Observer<'a> = dyn FnMut(&str, &Arc<[u8]>) + 'a;

/// [`load`], reporting to `observer` each file of a chart directory as it is read.
pub fn load_observed(path: &Path, observer: &mut Observer<'_>) -> Result<Chart, Error> {
    let meta = fs::metadata(path).map_err(|e| Error::Io {
        op: "stat",
        path: path.display().to_string(),
        message: os_message(&e),
    })?;
    if meta.is_dir() {
        load_dir_observed(path, observer)
    } else {
        load_archive(path)
    }
}

/// Helm's dispatch on `Chart.yaml`'s `apiVersion` (`loader.chartBase`).
fn check_api_version(chart_yaml: &[u8]) -> Result<(), Error> {
    let doc = parse_yaml("Chart.yaml", chart_yaml, NumberMode::Preserve)?;
    let api = metadata::api_version_of(&doc).map_err(|m| json_error("Chart.yaml", &m))?;
    match api.as_str() {
        "" | "v1" | "v2" => Ok(()),
        "v3" => Err(Error::ApiVersionV3),
        other => Err(Error::UnsupportedApiVersion(other.to_string())),
    }
}

/// Loads a chart directory (Helm v4's `loader.LoadDir`): `Chart.yaml` must exist, `.helmignore`
/// rules apply, files are read in Helm's walk order.
pub fn load_dir(dir: &Path) -> Result<Chart, Error> {
    load_dir_observed(dir, &mut |_, _| {})
}

/// [`load_dir`], reporting to `observer` each file as it is read.
fn load_dir_observed(dir: &Path, observer: &mut Observer<'_>) -> Result<Chart, Error> {
    let top = std::path::absolute(dir).map_err(|e| Error::Io {
        op: "stat",
        path: dir.display().to_string(),
        message: os_message(&e),
    })?;
    let chart_yaml = top.join("Chart.yaml");
    let data = fs::read(&chart_yaml).map_err(|e| Error::Undetectable {
        path: chart_yaml.display().to_string(),
        message: os_message(&e),
    })?;
    check_api_version(&data)?;
    let files = read_dir_files(&top, observer)?;
    load_files(files)
}

/// Loads a chart archive file (Helm v4's `loader.LoadFile`), with Helm's checks that the
/// file is gzip data.
pub fn load_archive(path: &Path) -> Result<Chart, Error> {
    let shown = path.display().to_string();
    let bytes = fs::read(path).map_err(|e| Error::Io {
        op: "open",
        path: shown.clone(),
        message: os_message(&e),
    })?;
    if !archive::is_gzip(&bytes) {
        if shown.ends_with(".yml") || shown.ends_with(".yaml") {
            return Err(Error::YamlNotArchive { path: shown });
        }
        return Err(Error::NotGzip {
            path: shown,
            content_type: archive::sniff_content_type(&bytes).to_string(),
        });
    }
    let files = archive::read_archive(&bytes).map_err(|e| match e {
        Error::GzipHeader => Error::InvalidChartFile {
            path: shown.clone(),
        },
        other => Error::ArchiveUnreadable {
            path: shown.clone(),
            source: Box::new(other),
        },
    })?;
    let chart_yaml = files
        .iter()
        .find(|f| f.name == "Chart.yaml")
        .ok_or(Error::NoChartYamlInArchive)?;
    check_api_version(&file_bytes(chart_yaml)?)?;
    load_files(files)
}

/// Loads a chart from archive bytes, as Helm loads a `charts/*.tgz` subchart (no apiVersion
/// dispatch, no `.helmignore`).
pub fn load_archive_bytes(bytes: &[u8]) -> Result<Chart, Error> {
    load_files(archive::read_archive(bytes)?)
}

/// Walks a chart directory as Helm's `sympath.Walk` does: sorted names per directory,
/// symbolic links followed, `.helmignore` (plus the default rule) applied to directories and
/// files.
fn read_dir_files(top: &Path, observer: &mut Observer<'_>) -> Result<Vec<File>, Error> {
    let mut rules = match fs::read(top.join(".helmignore")) {
        Ok(data) => {
            let text = String::from_utf8_lossy(&data);
            Rules::parse(&text).map_err(|source| Error::Ignore {
                path: top.join(".helmignore").display().to_string(),
                source,
            })?
        }
        Err(_) => Rules::default(),
    };
    rules.add_defaults();
    let mut files = Vec::new();
    walk(top, "", &rules, &mut files, observer)?;
    Ok(files)
}

/// Visits the entries of directory `dir` (chart-relative `rel`, empty for the root).
fn walk(
    dir: &Path,
    rel: &str,
    rules: &Rules,
    files: &mut Vec<File>,
    observer: &mut Observer<'_>,
) -> Result<(), Error> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        // Helm reports unreadable directories, except the chart root itself.
        Err(e) if !rel.is_empty() => {
            return Err(Error::ReadFile {
                path: rel.to_string(),
                message: os_message(&e),
            });
        }
        Err(_) => return Ok(()),
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let child_rel = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        visit(&path, &child_rel, rules, files, observer)?;
    }
    Ok(())
}

fn visit(
    path: &Path,
    rel: &str,
    rules: &Rules,
    files: &mut Vec<File>,
    observer: &mut Observer<'_>,
) -> Result<(), Error> {
    let read_err = |e: std::io::Error| Error::ReadFile {
        path: rel.to_string(),
        message: os_message(&e),
    };
    let mut meta = fs::symlink_metadata(path).map_err(read_err)?;
    if meta.file_type().is_symlink() {
        let resolved: PathBuf = fs::canonicalize(path).map_err(|e| Error::Symlink {
            path: path.display().to_string(),
            message: os_message(&e),
        })?;
        tracing::info!(
            path = %path.display(),
            resolved = %resolved.display(),
            "found symbolic link in path. Contents of linked file included and used"
        );
        meta = fs::symlink_metadata(&resolved).map_err(read_err)?;
    }
    if meta.is_dir() {
        if rules.ignore(rel, true) {
            return Ok(());
        }
        return stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, || {
            walk(path, rel, rules, files, observer)
        });
    }
    if rules.ignore(rel, false) {
        return Ok(());
    }
    if !meta.is_file() {
        return Err(Error::IrregularFile(path.display().to_string()));
    }
    if meta.len() > MAX_DECOMPRESSED_FILE_SIZE {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Err(Error::FileTooLarge {
            name,
            limit: MAX_DECOMPRESSED_FILE_SIZE,
        });
    }
    let data = if read_at_load(rel) {
        let bytes = read_shared(path, meta.len()).map_err(read_err)?;
        observer(rel, &bytes);
        bytes.into()
    } else {
        // Checked, so that an unreadable file fails the load as in Helm; read on first use.
        check_readable(path).map_err(read_err)?;
        Contents::deferred(path.to_path_buf())
    };
    files.push(File {
        name: rel.to_string(),
        data,
    });
    Ok(())
}

/// The path of chart-relative `rel` inside the chart or subchart directory that holds it
/// (`charts/db/templates/x.yaml` -> `templates/x.yaml`), or `None` for an entry directly
/// under a `charts/` directory (a subchart archive).
pub fn path_in_chart(rel: &str) -> Option<&str> {
    let mut rest = rel;
    while let Some(inner) = rest.strip_prefix("charts/") {
        rest = inner.split_once('/')?.1;
    }
    Some(rest)
}

/// Whether [`load_files`] needs the file at `rel` (relative to the chart directory) itself:
/// the metadata, values, schema and templates of the chart or of a subchart directory, and
/// anything directly under a `charts/` directory (subchart archives). Other files are only
/// seen through `.Files` and `crds/`, and are read when a render first asks for them.
fn read_at_load(rel: &str) -> bool {
    let Some(rest) = path_in_chart(rel) else {
        return true;
    };
    rest.starts_with("templates/")
        || matches!(
            rest,
            "Chart.yaml"
                | "Chart.lock"
                | "values.yaml"
                | "values.schema.json"
                | "requirements.yaml"
                | "requirements.lock"
        )
}

/// The bytes of a file [`load_files`] reads, in memory for every file [`read_at_load`]
/// selects; any other file is read now.
fn file_bytes(f: &File) -> Result<Arc<[u8]>, Error> {
    f.data.read().map_err(|e| Error::ReadFile {
        path: f.name.clone(),
        message: e.message,
    })
}

/// Reads a file of `len` bytes (as `stat` saw it) straight into shared storage, without the
/// copy `Arc::from(fs::read(..))` would make, and drops a leading UTF-8 BOM. A file that
/// changed size since `stat` is read again the ordinary way.
fn read_shared(path: &Path, len: u64) -> std::io::Result<Arc<[u8]>> {
    let (Ok(len), Ok(mut file)) = (usize::try_from(len), fs::File::open(path)) else {
        return fs::read(path).map(trim_bom);
    };
    let mut data: Arc<[u8]> = std::iter::repeat_n(0u8, len).collect();
    let complete = match Arc::get_mut(&mut data) {
        Some(buf) => read_exactly(&mut file, buf)?,
        None => false,
    };
    if !complete {
        return fs::read(path).map(trim_bom);
    }
    Ok(trim_bom(data))
}

/// Fills `buf` from `file` and reports whether the file ended exactly there. Each read also
/// asks for one byte more, so that a file of the expected size takes one system call, not a
/// second one to see the end.
fn read_exactly(file: &mut fs::File, buf: &mut [u8]) -> std::io::Result<bool> {
    let mut filled = 0;
    let mut probe = [0u8; 1];
    loop {
        let n = file.read_vectored(&mut [
            std::io::IoSliceMut::new(&mut buf[filled..]),
            std::io::IoSliceMut::new(&mut probe),
        ])?;
        if n == 0 {
            // The end, before the size `stat` saw.
            return Ok(filled == buf.len());
        }
        filled += n;
        if filled > buf.len() {
            // The file grew.
            return Ok(false);
        }
        if filled == buf.len() {
            // A regular file's read stops short only at its end.
            return Ok(true);
        }
    }
}

/// Whether the calling process may read `path` (effective ids, as `open` would check): the
/// check Helm's loader makes by reading the file, without opening and closing it.
fn check_readable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call.
    let rc = unsafe {
        libc::faccessat(
            libc::AT_FDCWD,
            c_path.as_ptr(),
            libc::R_OK,
            libc::AT_EACCESS,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

fn json_error(file: &str, message: &str) -> Error {
    Error::Parse {
        file: file.to_string(),
        message: format!("error unmarshaling JSON: while decoding JSON: {message}"),
    }
}

fn utf8<'a>(file: &str, data: &'a [u8]) -> Result<&'a str, Error> {
    std::str::from_utf8(data).map_err(|_| Error::Parse {
        file: file.to_string(),
        message: "error converting YAML to JSON: yaml: invalid leading UTF-8 octet".into(),
    })
}

fn parse_yaml(file: &str, data: &[u8], mode: NumberMode) -> Result<Value, Error> {
    yaml_to_value(utf8(file, data)?, mode).map_err(|e| Error::Parse {
        file: file.to_string(),
        message: e.to_string(),
    })
}

fn read_metadata_into(md: &mut Metadata, file: &str, data: &[u8]) -> Result<(), Error> {
    let doc = parse_yaml(file, data, NumberMode::Preserve)?;
    metadata::apply_yaml(md, &doc).map_err(|m| json_error(file, &m))
}

fn read_lock(file: &str, data: &[u8]) -> Result<super::Lock, Error> {
    let doc = parse_yaml(file, data, NumberMode::Preserve)?;
    metadata::lock_from(&doc).map_err(|m| json_error(file, &m))
}

/// Splits a values file into documents as `k8s.io/apimachinery`'s `YAMLReader` does: on lines
/// starting with `---`, which may only be followed by spaces or a comment.
fn split_documents(text: &str) -> Result<Vec<&str>, String> {
    let b = text.as_bytes();
    // Only lines that start with `---` matter: the first line, and those after a `\n`.
    let first = text.starts_with("---").then_some(0);
    let separators = first
        .into_iter()
        .chain(memchr::memmem::find_iter(b, b"\n---").map(|i| i + 1));
    let mut docs = Vec::new();
    let mut start = 0;
    for line_start in separators {
        let line_end =
            memchr::memchr(b'\n', &b[line_start..]).map_or(b.len(), |i| line_start + i + 1);
        let trimmed = text[line_start + 3..line_end].trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            return Err(format!("invalid Yaml document separator: {trimmed}"));
        }
        if line_start > start {
            docs.push(&text[start..line_start]);
        }
        start = line_end;
    }
    if text.len() > start {
        docs.push(&text[start..]);
    }
    Ok(docs)
}

/// Helm's `MergeMaps`: maps merge recursively, anything else is replaced.
fn merge_maps(mut a: Map<String, Value>, b: Map<String, Value>) -> Map<String, Value> {
    for (k, v) in b {
        match (a.get_mut(&k), v) {
            (Some(Value::Object(existing)), Value::Object(incoming)) => {
                let merged = merge_maps(std::mem::take(existing), incoming);
                *existing = merged;
            }
            (_, v) => {
                a.insert(k, v);
            }
        }
    }
    a
}

/// Helm's `loader.LoadValues` for any values text (e.g. a `-f` file): every document read as
/// a map (numbers float64) and merged; the error is Helm's message without a file name.
pub fn load_values_text(text: &str) -> Result<Map<String, Value>, String> {
    load_values(text).map_err(|e| match e {
        Error::Parse { message, .. } => message,
        other => other.to_string(),
    })
}

/// Helm's `LoadValues` for `values.yaml`: every document read as a map and merged.
fn load_values(text: &str) -> Result<Map<String, Value>, Error> {
    let err = |message: String| Error::Parse {
        file: "values.yaml".into(),
        message,
    };
    let docs =
        split_documents(text).map_err(|m| err(format!("error reading yaml document: {m}")))?;
    let mut values = Map::new();
    for doc in docs {
        let parsed = yaml_to_value(doc, NumberMode::Float64)
            .map_err(|e| err(format!("cannot unmarshal yaml document: {e}")))?;
        let map = match parsed {
            Value::Object(m) => m,
            Value::Null => Map::new(),
            other => {
                let kind = match other {
                    Value::Array(_) => "array",
                    Value::String(_) => "string",
                    Value::Number(_) => "number",
                    _ => "bool",
                };
                return Err(err(format!(
                    "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
                )));
            }
        };
        values = merge_maps(values, map);
    }
    Ok(values)
}

/// Go's `filepath.Ext`.
fn ext(name: &str) -> &str {
    super::go_ext(name)
}

/// Helm's `LoadFiles`: builds a chart from in-memory files (names relative to the chart root).
pub fn load_files(files: Vec<File>) -> Result<Chart, Error> {
    let mut md: Option<Metadata> = None;
    for f in &files {
        if f.name == "Chart.yaml" {
            let m = md.get_or_insert_with(Metadata::default);
            read_metadata_into(m, "Chart.yaml", &file_bytes(f)?)?;
            if m.api_version.is_empty() {
                m.api_version = "v1".into();
            }
        }
    }
    let mut chart = Chart {
        metadata: Metadata::default(),
        lock: None,
        values_text: None,
        values: Arc::default(),
        schema: None,
        templates: Vec::new(),
        files: Vec::new(),
        raw: Vec::new(),
        dependencies: Vec::new(),
    };
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();
    for f in &files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" => chart.lock = Some(read_lock("Chart.lock", &file_bytes(f)?)?),
            "values.yaml" => {
                let data = file_bytes(f)?;
                let text = utf8("values.yaml", &data)?;
                chart.values = Arc::new(load_values(text)?);
                chart.values_text = Some(Arc::from(text));
            }
            "values.schema.json" => chart.schema = Some(file_bytes(f)?),
            "requirements.yaml" => {
                let m = md.get_or_insert_with(Metadata::default);
                if m.api_version != "v1" {
                    tracing::warn!(
                        "Dependencies are handled in Chart.yaml since apiVersion \"v2\". We recommend migrating dependencies to Chart.yaml."
                    );
                }
                read_metadata_into(m, "requirements.yaml", &file_bytes(f)?)?;
                if m.api_version == "v1" {
                    chart.files.push(f.clone());
                }
            }
            "requirements.lock" => {
                chart.lock = Some(read_lock("requirements.lock", &file_bytes(f)?)?);
                let m = md.get_or_insert_with(Metadata::default);
                if m.api_version != "v1" {
                    tracing::warn!(
                        "Dependency locking is handled in Chart.lock since apiVersion \"v2\". We recommend migrating to Chart.lock."
                    );
                }
                if m.api_version == "v1" {
                    chart.files.push(f.clone());
                }
            }
            name if name.starts_with("templates/") => {
                chart.templates.push(File::new(name, file_bytes(f)?));
            }
            name if name.starts_with("charts/") => {
                if ext(name) == ".prov" {
                    chart.files.push(f.clone());
                    continue;
                }
                let inner = &name["charts/".len()..];
                let cname = inner.split('/').next().unwrap_or(inner).to_string();
                subcharts.entry(cname).or_default().push(File {
                    name: inner.to_string(),
                    data: f.data.clone(),
                });
            }
            _ => chart.files.push(f.clone()),
        }
    }
    let mut md = md.ok_or(Error::MissingChartYaml)?;
    metadata::validate(&mut md).map_err(Error::Validation)?;
    chart.metadata = md;
    chart.raw = files;
    for (name, files) in subcharts {
        // Archives can nest charts arbitrarily deep; grow the stack instead of overflowing.
        let sub = stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, || {
            load_subchart(&chart, &name, files)
        })?;
        if let Some(sub) = sub {
            chart.dependencies.push(sub);
        }
    }
    Ok(chart)
}

/// Loads one `charts/` entry; entries starting with `_` or `.` are skipped.
fn load_subchart(parent: &Chart, name: &str, files: Vec<File>) -> Result<Option<Chart>, Error> {
    if name.starts_with('_') || name.starts_with('.') {
        return Ok(None);
    }
    let wrap = |source: Error| Error::Subchart {
        name: name.to_string(),
        parent: parent.name().to_string(),
        source: Box::new(source),
    };
    if ext(name) == ".tgz" {
        let Some(first) = files.first() else {
            return Ok(None);
        };
        if first.name != name {
            return Err(Error::SubchartTarName {
                parent: parent.name().to_string(),
                expected: name.to_string(),
                got: first.name.clone(),
            });
        }
        let data = file_bytes(first).map_err(wrap)?;
        return load_archive_bytes(&data).map(Some).map_err(wrap);
    }
    let inner: Vec<File> = files
        .into_iter()
        .filter_map(|f| {
            let (_, rest) = f.name.split_once('/')?;
            Some(File {
                name: rest.to_string(),
                data: f.data,
            })
        })
        .collect();
    load_files(inner).map(Some).map_err(wrap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_nested_chart_directories() {
        assert_eq!(path_in_chart("templates/a.yaml"), Some("templates/a.yaml"));
        assert_eq!(
            path_in_chart("charts/db/templates/a.yaml"),
            Some("templates/a.yaml")
        );
        assert_eq!(
            path_in_chart("charts/db/charts/c/values.yaml"),
            Some("values.yaml")
        );
        assert_eq!(path_in_chart("charts/db-1.0.0.tgz"), None);
        assert!(read_at_load("charts/db-1.0.0.tgz") && !read_at_load("charts/db/README.md"));
    }

    /// A file of the expected size is read whole; one that grew or shrank since `stat` is
    /// reported as such (the caller then reads it the ordinary way).
    #[test]
    fn reads_exactly_the_size_stat_saw() {
        let path = std::env::temp_dir().join(format!("rudder-read-{}", std::process::id()));
        fs::write(&path, b"0123456789").unwrap();
        let read = |len: usize| {
            let mut buf = vec![0u8; len];
            let mut file = fs::File::open(&path).unwrap();
            (read_exactly(&mut file, &mut buf).unwrap(), buf)
        };
        assert_eq!(read(10), (true, b"0123456789".to_vec()));
        assert!(!read(4).0, "the file is larger than expected");
        assert!(!read(12).0, "the file is smaller than expected");
        assert_eq!(read_shared(&path, 4).unwrap().as_ref(), b"0123456789");
        assert!(check_readable(&path).is_ok());
        fs::remove_file(&path).unwrap();
        assert_eq!(
            check_readable(&path).unwrap_err().kind(),
            std::io::ErrorKind::NotFound
        );
    }
    use crate::chart::archive::tests::tgz;

    #[test]
    fn deeply_nested_archives_do_not_overflow() {
        let mut inner = tgz(&[("c/Chart.yaml", b"name: c0\nversion: 1.0.0\n")]);
        for i in 1..200 {
            let chart_yaml = format!("name: c{i}\nversion: 1.0.0\n");
            inner = tgz(&[
                ("c/Chart.yaml", chart_yaml.as_bytes()),
                ("c/charts/sub.tgz", &inner),
            ]);
        }
        let mut c = load_archive_bytes(&inner).unwrap();
        let mut depth = 0;
        while let Some(sub) = c.dependencies.pop() {
            c = sub;
            depth += 1;
        }
        assert_eq!((depth, c.name()), (199, "c0"));
    }

    #[test]
    fn splits_documents_like_yaml_reader() {
        assert_eq!(
            split_documents("a: 1\n---\nb: 2\n").unwrap(),
            vec!["a: 1\n", "b: 2\n"]
        );
        assert_eq!(
            split_documents("---\na: 1\n--- # c\n").unwrap(),
            vec!["a: 1\n"]
        );
        assert_eq!(
            split_documents("a: 1\n---foo\n").unwrap_err(),
            "invalid Yaml document separator: foo"
        );
        assert!(split_documents("").unwrap().is_empty());
        // The line-by-line reading of Helm's splitter, as the reference.
        fn by_lines(text: &str) -> Result<Vec<&str>, String> {
            let (mut docs, mut start, mut pos) = (Vec::new(), 0, 0);
            for line in text.split_inclusive('\n') {
                if let Some(rest) = line.strip_prefix("---") {
                    let trimmed = rest.trim();
                    if !trimmed.is_empty() && !trimmed.starts_with('#') {
                        return Err(format!("invalid Yaml document separator: {trimmed}"));
                    }
                    if pos > start {
                        docs.push(&text[start..pos]);
                    }
                    start = pos + line.len();
                }
                pos += line.len();
            }
            if pos > start {
                docs.push(&text[start..pos]);
            }
            Ok(docs)
        }
        for text in [
            "---",
            "---\n",
            "\n---",
            "a\n---",
            "a\n---\n---\nb",
            "----\n",
            "a: 1\n ---\n",
            "a---\nb",
            "x\r\n---\r\ny\r\n",
            "---  \t\nz",
            "a\n--- x\n",
            "a\n---#c\nb\n",
            "\n\n---\n\n",
            "é\n---\né",
        ] {
            assert_eq!(split_documents(text), by_lines(text), "{text:?}");
        }
    }

    #[test]
    fn values_documents_merge() {
        let v = load_values("a: 1\n---\nb: 2\n--- # c\nc: {x: 1}\n---\nc: {z: 2}\n").unwrap();
        assert_eq!(
            Value::Object(v),
            serde_json::json!({"a": 1.0, "b": 2.0, "c": {"x": 1.0, "z": 2.0}})
        );
        assert_eq!(
            load_values("- 1\n").unwrap_err().to_string(),
            "cannot load values.yaml: cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
        let e = load_values("a: 1\nb: c: d\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context"
        );
        assert_eq!(e.line(), Some(2));
        assert_eq!(e.file().as_deref(), Some("values.yaml"));
    }
}
