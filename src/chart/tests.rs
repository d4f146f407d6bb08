//! Loading small charts built in temporary directories.

use std::fs;
use std::path::Path;

use super::archive::tests::tgz;
use super::semver::Version;
use super::*;

const CHART: &str = "apiVersion: v2\nname: demo\nversion: 1.2.3\n";

fn write(root: &Path, rel: &str, data: &[u8]) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
}

fn chart_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, data) in files {
        write(dir.path(), rel, data.as_bytes());
    }
    dir
}

fn names(files: &[File]) -> Vec<&str> {
    files.iter().map(|f| f.name.as_str()).collect()
}

fn err(files: &[(&str, &str)]) -> String {
    let dir = chart_dir(files);
    load(dir.path()).unwrap_err().to_string()
}

#[test]
fn splits_files_as_helm_does() {
    let dir = chart_dir(&[
        ("Chart.yaml", CHART),
        ("values.yaml", "replicas: 2\nimage: {tag: x}\n"),
        ("values.schema.json", "{}"),
        (
            "Chart.lock",
            "generated: \"2024-01-25T14:25:02Z\"\ndigest: d\n",
        ),
        ("templates/deploy.yaml", "kind: Deployment"),
        ("templates/_helpers.tpl", "{{/* x */}}"),
        ("templates/NOTES.txt", "notes"),
        ("templates/.hidden", "dot file"),
        ("templates/sub/.kept", "nested dot file"),
        ("crds/crd.yaml", "kind: CustomResourceDefinition"),
        ("crds/readme.txt", "not a crd"),
        ("files/a.conf", "a=1"),
        ("README.md", "readme"),
    ]);
    let c = load(dir.path()).unwrap();
    assert_eq!((c.name(), c.version()), ("demo", "1.2.3"));
    assert_eq!(c.metadata.api_version, "v2");
    assert_eq!(c.values["replicas"], serde_json::json!(2.0));
    assert_eq!(
        c.values_text.as_deref(),
        Some("replicas: 2\nimage: {tag: x}\n")
    );
    assert_eq!(c.schema.as_deref(), Some(&b"{}"[..]));
    assert_eq!(c.lock.as_ref().unwrap().digest, "d");
    assert_eq!(
        names(&c.templates),
        vec![
            "templates/NOTES.txt",
            "templates/_helpers.tpl",
            "templates/deploy.yaml",
            "templates/sub/.kept"
        ]
    );
    assert_eq!(
        names(&c.files),
        vec![
            "README.md",
            "crds/crd.yaml",
            "crds/readme.txt",
            "files/a.conf"
        ]
    );
    assert_eq!(
        c.crd_files().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        vec!["crds/crd.yaml"]
    );
    assert_eq!(c.raw.len(), 12);
    assert!(c.dependencies.is_empty());
}

#[test]
fn walk_order_is_per_directory_like_go() {
    // Go walks "a" before "a-b" even though "a-b/x" < "a/x" as plain strings.
    let dir = chart_dir(&[("Chart.yaml", CHART), ("a-b/x", "1"), ("a/x", "2")]);
    let c = load(dir.path()).unwrap();
    assert_eq!(names(&c.files), vec!["a/x", "a-b/x"]);
}

#[test]
fn helmignore_applies_to_dirs_and_files() {
    let dir = chart_dir(&[
        ("Chart.yaml", CHART),
        (
            ".helmignore",
            "# comment\n*.bak\nci/\n/top.txt\ndocs/*.md\n",
        ),
        ("x.bak", "ignored"),
        ("templates/y.bak", "ignored"),
        ("ci/values.yaml", "ignored"),
        ("top.txt", "ignored"),
        ("sub/top.txt", "kept"),
        ("docs/a.md", "ignored"),
        ("docs/deep/b.md", "kept"),
    ]);
    let c = load(dir.path()).unwrap();
    assert_eq!(
        names(&c.files),
        vec![".helmignore", "docs/deep/b.md", "sub/top.txt"]
    );
    assert!(c.templates.is_empty());
}

#[test]
fn helmignore_errors() {
    assert_eq!(
        err(&[("Chart.yaml", CHART), (".helmignore", "a/**/b\n")]),
        "double-star (**) syntax is not supported"
    );
}

#[test]
fn subcharts_as_directories_and_archives() {
    let dir = chart_dir(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: dirsub\n  version: 0.1.0\n  repository: file://x\n- name: tarsub\n  version: ~2\n  alias: t\n",
        ),
        (
            "charts/dirsub/Chart.yaml",
            "apiVersion: v2\nname: dirsub\nversion: 0.1.0\n",
        ),
        ("charts/dirsub/templates/a.yaml", "a"),
        (
            "charts/dirsub/charts/deeper/Chart.yaml",
            "name: deeper\nversion: 3.0.0\n",
        ),
        ("charts/_skipped/Chart.yaml", "not: [valid"),
        ("charts/.hidden/Chart.yaml", "not: [valid"),
        ("charts/x.prov", "signature"),
    ]);
    let archive = tgz(&[
        (
            "tarsub/Chart.yaml",
            b"apiVersion: v2\nname: tarsub\nversion: 2.0.1\n",
        ),
        ("tarsub/values.yaml", b"k: v\n"),
        ("tarsub/templates/t.yaml", b"t"),
        ("tarsub/.helmignore", b"*.txt\n"),
        ("tarsub/notes.txt", b"archives ignore .helmignore"),
    ]);
    write(dir.path(), "charts/tarsub-2.0.1.tgz", &archive);
    let c = load(dir.path()).unwrap();
    let subs: Vec<&str> = c.dependencies.iter().map(Chart::name).collect();
    assert_eq!(subs, vec!["dirsub", "tarsub"]);
    assert_eq!(names(&c.files), vec!["charts/x.prov"]);
    let dirsub = &c.dependencies[0];
    assert_eq!(names(&dirsub.templates), vec!["templates/a.yaml"]);
    assert_eq!(dirsub.dependencies[0].name(), "deeper");
    assert_eq!(dirsub.dependencies[0].metadata.api_version, "v1");
    let tarsub = &c.dependencies[1];
    assert_eq!(tarsub.version(), "2.0.1");
    assert_eq!(tarsub.values["k"], "v");
    assert_eq!(names(&tarsub.files), vec![".helmignore", "notes.txt"]);
    c.check_dependencies().unwrap();
}

#[test]
fn missing_dependency_is_reported_with_helms_text() {
    let dir = chart_dir(&[(
        "Chart.yaml",
        "apiVersion: v2\nname: p\nversion: 1.0.0\ndependencies:\n- name: sub\n  condition: sub.enabled\n- name: other\n  alias: o\n",
    )]);
    let c = load(dir.path()).unwrap();
    let e = c.check_dependencies().unwrap_err();
    assert_eq!(
        e,
        Error::MissingDependencies(vec!["sub".into(), "other".into()])
    );
    assert_eq!(
        e.to_string(),
        "an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: sub, other"
    );
}

#[test]
fn v1_requirements_yaml_becomes_dependencies() {
    let dir = chart_dir(&[
        ("Chart.yaml", "apiVersion: v1\nname: old\nversion: 1.0.0\n"),
        (
            "requirements.yaml",
            "dependencies:\n- name: lib\n  version: 1.0.0\n  alias: l\n",
        ),
        ("requirements.lock", "digest: abc\n"),
        (
            "charts/lib/Chart.yaml",
            "apiVersion: v1\nname: lib\nversion: 1.0.0\n",
        ),
    ]);
    let c = load(dir.path()).unwrap();
    let deps: Vec<&Dependency> = c.metadata.declared_dependencies().collect();
    assert_eq!(deps.len(), 1);
    assert_eq!(
        (deps[0].name.as_str(), deps[0].alias.as_str()),
        ("lib", "l")
    );
    assert_eq!(c.lock.as_ref().unwrap().digest, "abc");
    assert_eq!(
        names(&c.files),
        vec!["requirements.lock", "requirements.yaml"]
    );
    c.check_dependencies().unwrap();
}

#[test]
fn v2_requirements_yaml_is_read_but_not_a_file() {
    let dir = chart_dir(&[
        ("Chart.yaml", CHART),
        ("requirements.yaml", "dependencies:\n- name: lib\n"),
    ]);
    let c = load(dir.path()).unwrap();
    assert_eq!(c.metadata.dependencies.len(), 1);
    assert!(c.files.is_empty());
}

#[test]
fn chart_yaml_errors() {
    assert_eq!(
        err(&[("Chart.yaml", "apiVersion: v3\nname: a\nversion: 1.0.0\n")]),
        "invalid chart apiVersion"
    );
    assert_eq!(
        err(&[("Chart.yaml", "apiVersion: foo\nname: a\nversion: 1.0.0\n")]),
        "unsupported chart version"
    );
    assert_eq!(
        err(&[("Chart.yaml", "apiVersion: 2\nname: a\nversion: 1.0.0\n")]),
        "unsupported chart version"
    );
    assert_eq!(
        err(&[("Chart.yaml", "apiVersion: [2]\n")]),
        "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field chartBase.apiVersion of type string"
    );
    assert_eq!(
        err(&[("Chart.yaml", "")]),
        "validation: chart.metadata.name is required"
    );
    assert_eq!(
        err(&[(
            "Chart.yaml",
            "apiVersion: v2\nname: c1\nversion: 1.0.0\nfoo: a: b\n"
        )]),
        "cannot load Chart.yaml: error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context"
    );
    assert_eq!(
        err(&[(
            "Chart.yaml",
            "apiVersion: v2\nname: z\nversion: 1.0.0\ndeprecated: \"true\"\n"
        )]),
        "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field Metadata.deprecated of type bool"
    );
    let dir = tempfile::tempdir().unwrap();
    let e = load(dir.path()).unwrap_err();
    assert!(matches!(e, Error::Undetectable { .. }));
    assert!(e.to_string().starts_with("unable to detect chart at "));
    assert!(
        e.to_string()
            .ends_with("/Chart.yaml: no such file or directory")
    );
}

#[test]
fn subchart_errors_name_the_subchart_and_file() {
    let e =
        load(chart_dir(&[("Chart.yaml", CHART), ("charts/README.md", "hi")]).path()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "error unpacking subchart README.md in demo: Chart.yaml file is missing"
    );
    let dir = chart_dir(&[
        ("Chart.yaml", CHART),
        ("charts/sub/Chart.yaml", "name: sub\nversion: 1.0.0\n"),
        ("charts/sub/values.yaml", "a: 1\nb: c: d\n"),
    ]);
    let e = load(dir.path()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "error unpacking subchart sub in demo: cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context"
    );
    assert_eq!(e.file().as_deref(), Some("charts/sub/values.yaml"));
    assert_eq!(e.line(), Some(2));
    let dir = chart_dir(&[
        ("Chart.yaml", CHART),
        ("charts/x.tgz/Chart.yaml", "name: x"),
    ]);
    assert_eq!(
        load(dir.path()).unwrap_err().to_string(),
        "error unpacking subchart tar in demo: expected x.tgz, got x.tgz/Chart.yaml"
    );
}

#[test]
fn loads_archives_with_helms_checks() {
    let dir = tempfile::tempdir().unwrap();
    let archive = tgz(&[
        ("demo/Chart.yaml", CHART.as_bytes()),
        ("demo/templates/a.yaml", b"a"),
        (
            "demo/charts/lib/Chart.yaml",
            b"apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n",
        ),
    ]);
    let path = dir.path().join("demo-1.2.3.tgz");
    fs::write(&path, &archive).unwrap();
    let c = load(&path).unwrap();
    assert_eq!(names(&c.templates), vec!["templates/a.yaml"]);
    assert!(c.dependencies[0].is_library());
    assert_eq!(load_archive_bytes(&archive).unwrap(), c);

    let yaml = dir.path().join("values.yaml");
    fs::write(&yaml, "a: 1\n").unwrap();
    assert_eq!(
        load(&yaml).unwrap_err().to_string(),
        format!(
            "file '{}' seems to be a YAML file, but expected a gzipped archive",
            yaml.display()
        )
    );
    let txt = dir.path().join("notgz.tgz");
    fs::write(&txt, "hi\n").unwrap();
    assert_eq!(
        load(&txt).unwrap_err().to_string(),
        format!(
            "file '{}' does not appear to be a gzipped archive; got 'application/octet-stream'",
            txt.display()
        )
    );
    let evil = dir.path().join("evil.tgz");
    fs::write(
        &evil,
        tgz(&[
            ("demo/Chart.yaml", CHART.as_bytes()),
            ("demo/../../x", b"x"),
        ]),
    )
    .unwrap();
    let e = load(&evil).unwrap_err();
    assert_eq!(e.to_string(), "unable to load chart archive");
    assert!(matches!(e, Error::ArchiveUnreadable { ref source, .. }
        if source.to_string() == "chart illegally references parent directory"));
    let nochart = dir.path().join("nochart.tgz");
    fs::write(&nochart, tgz(&[("demo/values.yaml", b"a: 1\n")])).unwrap();
    assert_eq!(
        load(&nochart).unwrap_err().to_string(),
        "unable to detect chart version, no Chart.yaml found"
    );
    let missing = dir.path().join("missing");
    assert_eq!(
        load(&missing).unwrap_err().to_string(),
        format!("stat {}: no such file or directory", missing.display())
    );
}

#[test]
fn large_files_are_rejected() {
    let dir = chart_dir(&[("Chart.yaml", CHART)]);
    let big = vec![b'x'; usize::try_from(MAX_DECOMPRESSED_FILE_SIZE).unwrap() + 1];
    write(dir.path(), "big.bin", &big);
    assert_eq!(
        load(dir.path()).unwrap_err().to_string(),
        "chart file \"big.bin\" is larger than the maximum file size 5242880"
    );
}

#[test]
fn symlinks_are_followed() {
    let dir = chart_dir(&[("Chart.yaml", CHART), ("real/a.txt", "a")]);
    std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("linked")).unwrap();
    let c = load(dir.path()).unwrap();
    assert_eq!(names(&c.files), vec!["linked/a.txt", "real/a.txt"]);
}

#[test]
fn bom_is_trimmed() {
    let dir = chart_dir(&[(
        "Chart.yaml",
        "\u{feff}apiVersion: v2\nname: bom\nversion: 1.0.0\n",
    )]);
    assert_eq!(load(dir.path()).unwrap().name(), "bom");
}

/// Templates are read with the chart and shared with `raw`; files only `.Files` sees are
/// read on first use, with the same bytes (BOM dropped) as an eager read.
#[test]
fn file_bytes_are_read_whole_and_shared() {
    let dir = chart_dir(&[
        ("Chart.yaml", CHART),
        ("templates/a.yaml", "kind: A\n"),
        ("conf/bom.txt", "\u{feff}text"),
        ("conf/empty.txt", ""),
    ]);
    let c = load(dir.path()).unwrap();
    let file = |list: &[File], name: &str| list.iter().find(|f| f.name == name).cloned().unwrap();
    let bom = file(&c.files, "conf/bom.txt");
    assert!(bom.data.loaded().is_none(), "read before use");
    assert_eq!(&bom.data.read().unwrap()[..], b"text");
    assert!(
        file(&c.files, "conf/empty.txt")
            .data
            .read()
            .unwrap()
            .is_empty()
    );
    let template = file(&c.templates, "templates/a.yaml");
    let bytes = template
        .data
        .loaded()
        .expect("templates are read with the chart");
    assert_eq!(&bytes[..], b"kind: A\n");
    // `raw` and `templates` hold the same bytes, not copies.
    let raw = file(&c.raw, "templates/a.yaml");
    assert!(std::sync::Arc::ptr_eq(raw.data.loaded().unwrap(), bytes));
}

#[test]
fn installable_and_kube_version_checks() {
    let lib = load(
        chart_dir(&[(
            "Chart.yaml",
            "apiVersion: v2\nname: l\nversion: 1.0.0\ntype: library\n",
        )])
        .path(),
    )
    .unwrap();
    assert_eq!(
        lib.check_installable().unwrap_err().to_string(),
        "library charts are not installable"
    );

    let c = load(
        chart_dir(&[(
            "Chart.yaml",
            "apiVersion: v2\nname: k\nversion: 1.0.0\nkubeVersion: \">=1.23.0-0\"\n",
        )])
        .path(),
    )
    .unwrap();
    c.check_installable().unwrap();
    check_kube_version(&c, &Version::parse("1.35.0").unwrap()).unwrap();
    check_kube_version(&c, &Version::parse("v1.33.4-gke.1245000").unwrap()).unwrap();
    assert_eq!(
        check_kube_version(&c, &Version::parse("1.22.0").unwrap())
            .unwrap_err()
            .to_string(),
        "chart requires kubeVersion: >=1.23.0-0 which is incompatible with Kubernetes v1.22.0"
    );
    let garbage = load(
        chart_dir(&[(
            "Chart.yaml",
            "apiVersion: v2\nname: k\nversion: 1.0.0\nkubeVersion: garbage\n",
        )])
        .path(),
    )
    .unwrap();
    assert_eq!(
        check_kube_version(&garbage, &Version::parse("v1.35.0").unwrap())
            .unwrap_err()
            .to_string(),
        "chart requires kubeVersion: garbage which is incompatible with Kubernetes v1.35.0"
    );
}

/// `helm template --kube-version V` (v4.1.4) on a chart with `kubeVersion: C`: whether it
/// rendered (true) or failed the kubeVersion check (false).
const HELM_KUBE_VERSION_RESULTS: &[(&str, &str, bool)] = &[
    (">=1.19.0-0", "1.20.0", true),
    (">=1.19.0-0", "1.25.3", true),
    (">=1.19.0-0", "1.9.0", false),
    (">=1.19.0-0", "1.30.0", true),
    (">=1.19.0-0", "1.2.5", false),
    (">=1.19.0-0", "v1.20.0-gke.100", true),
    (">=1.19.0-0", "1.19.0-rc.1", true),
    (">= 1.16.0-0 < 1.30.0-0", "1.20.0", true),
    (">= 1.16.0-0 < 1.30.0-0", "1.25.3", true),
    (">= 1.16.0-0 < 1.30.0-0", "1.9.0", false),
    (">= 1.16.0-0 < 1.30.0-0", "1.30.0", false),
    (">= 1.16.0-0 < 1.30.0-0", "1.2.5", false),
    (">= 1.16.0-0 < 1.30.0-0", "v1.20.0-gke.100", true),
    (">= 1.16.0-0 < 1.30.0-0", "1.19.0-rc.1", true),
    ("^1.2", "1.20.0", true),
    ("^1.2", "1.25.3", true),
    ("^1.2", "1.9.0", true),
    ("^1.2", "1.30.0", true),
    ("^1.2", "1.2.5", true),
    ("^1.2", "v1.20.0-gke.100", true),
    ("^1.2", "1.19.0-rc.1", true),
    ("~1.2.3", "1.20.0", false),
    ("~1.2.3", "1.25.3", false),
    ("~1.2.3", "1.9.0", false),
    ("~1.2.3", "1.30.0", false),
    ("~1.2.3", "1.2.5", true),
    ("~1.2.3", "v1.20.0-gke.100", false),
    ("~1.2.3", "1.19.0-rc.1", false),
    ("1.x", "1.20.0", true),
    ("1.x", "1.25.3", true),
    ("1.x", "1.9.0", true),
    ("1.x", "1.30.0", true),
    ("1.x", "1.2.5", true),
    ("1.x", "v1.20.0-gke.100", true),
    ("1.x", "1.19.0-rc.1", true),
    ("<1.10 || >=1.20", "1.20.0", true),
    ("<1.10 || >=1.20", "1.25.3", true),
    ("<1.10 || >=1.20", "1.9.0", true),
    ("<1.10 || >=1.20", "1.30.0", true),
    ("<1.10 || >=1.20", "1.2.5", true),
    ("<1.10 || >=1.20", "v1.20.0-gke.100", true),
    ("<1.10 || >=1.20", "1.19.0-rc.1", false),
    (">1.2", "1.20.0", true),
    (">1.2", "1.25.3", true),
    (">1.2", "1.9.0", true),
    (">1.2", "1.30.0", true),
    (">1.2", "1.2.5", false),
    (">1.2", "v1.20.0-gke.100", true),
    (">1.2", "1.19.0-rc.1", true),
    ("<=1.20", "1.20.0", true),
    ("<=1.20", "1.25.3", false),
    ("<=1.20", "1.9.0", true),
    ("<=1.20", "1.30.0", false),
    ("<=1.20", "1.2.5", true),
    ("<=1.20", "v1.20.0-gke.100", true),
    ("<=1.20", "1.19.0-rc.1", true),
    ("!=1.20.0", "1.20.0", false),
    ("!=1.20.0", "1.25.3", true),
    ("!=1.20.0", "1.9.0", true),
    ("!=1.20.0", "1.30.0", true),
    ("!=1.20.0", "1.2.5", true),
    ("!=1.20.0", "v1.20.0-gke.100", false),
    ("!=1.20.0", "1.19.0-rc.1", true),
    ("1.20 - 1.25", "1.20.0", true),
    ("1.20 - 1.25", "1.25.3", true),
    ("1.20 - 1.25", "1.9.0", false),
    ("1.20 - 1.25", "1.30.0", false),
    ("1.20 - 1.25", "1.2.5", false),
    ("1.20 - 1.25", "v1.20.0-gke.100", true),
    ("1.20 - 1.25", "1.19.0-rc.1", false),
    ("~1", "1.20.0", true),
    ("~1", "1.25.3", true),
    ("~1", "1.9.0", true),
    ("~1", "1.30.0", true),
    ("~1", "1.2.5", true),
    ("~1", "v1.20.0-gke.100", true),
    ("~1", "1.19.0-rc.1", true),
    (">=1.19.0", "1.20.0", true),
    (">=1.19.0", "1.25.3", true),
    (">=1.19.0", "1.9.0", false),
    (">=1.19.0", "1.30.0", true),
    (">=1.19.0", "1.2.5", false),
    (">=1.19.0", "v1.20.0-gke.100", true),
    (">=1.19.0", "1.19.0-rc.1", true),
    ("^0.2", "1.20.0", false),
    ("^0.2", "1.25.3", false),
    ("^0.2", "1.9.0", false),
    ("^0.2", "1.30.0", false),
    ("^0.2", "1.2.5", false),
    ("^0.2", "v1.20.0-gke.100", false),
    ("^0.2", "1.19.0-rc.1", false),
    ("=1.20.0", "1.20.0", true),
    ("=1.20.0", "1.25.3", false),
    ("=1.20.0", "1.9.0", false),
    ("=1.20.0", "1.30.0", false),
    ("=1.20.0", "1.2.5", false),
    ("=1.20.0", "v1.20.0-gke.100", true),
    ("=1.20.0", "1.19.0-rc.1", false),
    (">=1.20.0-0,<1.30", "1.20.0", true),
    (">=1.20.0-0,<1.30", "1.25.3", true),
    (">=1.20.0-0,<1.30", "1.9.0", false),
    (">=1.20.0-0,<1.30", "1.30.0", false),
    (">=1.20.0-0,<1.30", "1.2.5", false),
    (">=1.20.0-0,<1.30", "v1.20.0-gke.100", true),
    (">=1.20.0-0,<1.30", "1.19.0-rc.1", false),
    ("1.20.x", "1.20.0", true),
    ("1.20.x", "1.25.3", false),
    ("1.20.x", "1.9.0", false),
    ("1.20.x", "1.30.0", false),
    ("1.20.x", "1.2.5", false),
    ("1.20.x", "v1.20.0-gke.100", true),
    ("1.20.x", "1.19.0-rc.1", false),
    (">1.20", "1.20.0", false),
    (">1.20", "1.25.3", true),
    (">1.20", "1.9.0", false),
    (">1.20", "1.30.0", true),
    (">1.20", "1.2.5", false),
    (">1.20", "v1.20.0-gke.100", false),
    (">1.20", "1.19.0-rc.1", false),
    ("<1.20.0-0", "1.20.0", false),
    ("<1.20.0-0", "1.25.3", false),
    ("<1.20.0-0", "1.9.0", true),
    ("<1.20.0-0", "1.30.0", false),
    ("<1.20.0-0", "1.2.5", true),
    ("<1.20.0-0", "v1.20.0-gke.100", false),
    ("<1.20.0-0", "1.19.0-rc.1", true),
    ("*", "1.20.0", true),
    ("*", "1.25.3", true),
    ("*", "1.9.0", true),
    ("*", "1.30.0", true),
    ("*", "1.2.5", true),
    ("*", "v1.20.0-gke.100", true),
    ("*", "1.19.0-rc.1", true),
    (">= 1.19.0-0 || garbage", "1.20.0", false),
    (">= 1.19.0-0 || garbage", "1.25.3", false),
    (">= 1.19.0-0 || garbage", "1.9.0", false),
    (">= 1.19.0-0 || garbage", "1.30.0", false),
    (">= 1.19.0-0 || garbage", "1.2.5", false),
    (">= 1.19.0-0 || garbage", "v1.20.0-gke.100", false),
    (">= 1.19.0-0 || garbage", "1.19.0-rc.1", false),
];

#[test]
fn kube_version_checks_agree_with_helm() {
    let base = load(chart_dir(&[("Chart.yaml", CHART)]).path()).unwrap();
    for (constraint, kube, helm_ok) in HELM_KUBE_VERSION_RESULTS {
        let mut c = base.clone();
        c.metadata.kube_version = (*constraint).to_string();
        let ours = check_kube_version(&c, &Version::parse(kube).unwrap()).is_ok();
        assert_eq!(ours, *helm_ok, "kubeVersion {constraint:?} against {kube}");
    }
}

#[test]
fn negated_helmignore_rule_hides_chart_yaml_like_helm() {
    // Helm v4.1.4 fails this chart with "Chart.yaml file is missing": the negated rule
    // ignores every path that does not match it, Chart.yaml included.
    assert_eq!(
        err(&[
            ("Chart.yaml", CHART),
            (".helmignore", "*.bak\n!keep.txt\n"),
            ("keep.txt", "")
        ]),
        "Chart.yaml file is missing"
    );
}

#[test]
fn archive_errors_match_helm() {
    // Each message is what `helm template x FILE.tgz` (v4.1.4) prints for the same archive.
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, entries: &[(&str, &[u8])]| {
        let path = dir.path().join(name);
        fs::write(&path, tgz(entries)).unwrap();
        load(&path)
            .map(|c| c.name().to_string())
            .map_err(|e| e.to_string())
    };
    let chart = CHART.as_bytes();
    assert_eq!(
        run("bad.tgz", &[("a/Chart.yaml", b"apiVersion: v2\nname: a\nversion: 1.0.0\nx: a: b\n")]),
        Err("cannot load Chart.yaml: error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context".into())
    );
    assert_eq!(
        run("noyaml.tgz", &[("a/values.yaml", b"a: 1\n")]),
        Err("unable to detect chart version, no Chart.yaml found".into())
    );
    assert_eq!(
        run("parent.tgz", &[("a/Chart.yaml", chart), ("a/../x", b"x")]),
        Err("unable to load chart archive".into())
    );
    assert_eq!(
        run(
            "v3.tgz",
            &[("a/Chart.yaml", b"apiVersion: v3\nname: a\nversion: 1.0.0\n")]
        ),
        Err("invalid chart apiVersion".into())
    );
    // Subcharts skip the apiVersion dispatch: "foo" loads, a missing version does not.
    assert_eq!(
        run(
            "sub.tgz",
            &[
                ("a/Chart.yaml", chart),
                (
                    "a/charts/s/Chart.yaml",
                    b"apiVersion: foo\nname: s\nversion: 1\n"
                ),
                ("a/charts/t/Chart.yaml", b"name: t\n"),
            ]
        ),
        Err(
            "error unpacking subchart t in demo: validation: chart.metadata.version is required"
                .into()
        )
    );
    assert_eq!(
        run(
            "ok.tgz",
            &[
                ("a/Chart.yaml", chart),
                (
                    "a/charts/s/Chart.yaml",
                    b"apiVersion: foo\nname: s\nversion: 1\n"
                )
            ]
        ),
        Ok("demo".into())
    );
}
