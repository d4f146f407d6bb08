//! Loads every chart of the shared corpus and checks what Helm v4.1.4 itself reports for it.
//!
//! The facts below were taken from the real helm: `helm package` of each corpus chart (the
//! package holds exactly the chart's loaded metadata, templates and `.Files`, with subcharts as
//! directories), `helm show chart` and `helm dependency list`. Ignored-path samples are files
//! present on disk that helm left out of the package.

use std::path::{Path, PathBuf};

use rudder::chart::{self, Chart, semver::Version};

fn corpus() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/charts-corpus/charts"
    ))
}

/// What helm loaded for one chart of a corpus directory (`path` is the subchart chain by
/// chart name, empty for the top chart).
struct Facts {
    path: &'static str,
    name: &'static str,
    version: &'static str,
    api: &'static str,
    templates: usize,
    files: usize,
    values: bool,
    schema: bool,
}

const CHARTS: &[(&str, &[Facts])] = &[
    (
        "alertmanager",
        &[Facts {
            path: "",
            name: "alertmanager",
            version: "1.42.0",
            api: "v2",
            templates: 14,
            files: 2,
            values: true,
            schema: true,
        }],
    ),
    (
        "argo-rollouts",
        &[Facts {
            path: "",
            name: "argo-rollouts",
            version: "2.41.0",
            api: "v2",
            templates: 28,
            files: 2,
            values: true,
            schema: false,
        }],
    ),
    (
        "bitnami-nginx",
        &[
            Facts {
                path: "",
                name: "nginx",
                version: "22.1.1",
                api: "v2",
                templates: 18,
                files: 2,
                values: true,
                schema: true,
            },
            Facts {
                path: "common",
                name: "common",
                version: "2.31.10",
                api: "v2",
                templates: 21,
                files: 2,
                values: true,
                schema: false,
            },
        ],
    ),
    (
        "bitnami-postgresql",
        &[
            Facts {
                path: "",
                name: "postgresql",
                version: "17.1.0",
                api: "v2",
                templates: 37,
                files: 2,
                values: true,
                schema: true,
            },
            Facts {
                path: "common",
                name: "common",
                version: "2.31.10",
                api: "v2",
                templates: 21,
                files: 2,
                values: true,
                schema: false,
            },
        ],
    ),
    (
        "bitnami-redis",
        &[
            Facts {
                path: "",
                name: "redis",
                version: "23.1.1",
                api: "v2",
                templates: 36,
                files: 2,
                values: true,
                schema: true,
            },
            Facts {
                path: "common",
                name: "common",
                version: "2.31.10",
                api: "v2",
                templates: 21,
                files: 2,
                values: true,
                schema: false,
            },
        ],
    ),
    (
        "cert-manager",
        &[Facts {
            path: "",
            name: "cert-manager",
            version: "v0.0.0",
            api: "v2",
            templates: 49,
            files: 3,
            values: true,
            schema: true,
        }],
    ),
    (
        "elasticsearch",
        &[Facts {
            path: "",
            name: "elasticsearch",
            version: "8.5.1",
            api: "v1",
            templates: 15,
            files: 50,
            values: true,
            schema: false,
        }],
    ),
    (
        "external-dns",
        &[Facts {
            path: "",
            name: "external-dns",
            version: "1.21.1",
            api: "v2",
            templates: 9,
            files: 6,
            values: true,
            schema: true,
        }],
    ),
    (
        "external-secrets",
        &[
            Facts {
                path: "",
                name: "external-secrets",
                version: "2.9.0",
                api: "v2",
                templates: 26,
                files: 2,
                values: true,
                schema: true,
            },
            Facts {
                path: "bitwarden-sdk-server",
                name: "bitwarden-sdk-server",
                version: "v0.6.0",
                api: "v2",
                templates: 5,
                files: 3,
                values: true,
                schema: false,
            },
        ],
    ),
    (
        "fluent-bit",
        &[Facts {
            path: "",
            name: "fluent-bit",
            version: "0.58.1",
            api: "v1",
            templates: 22,
            files: 6,
            values: true,
            schema: false,
        }],
    ),
    (
        "grafana",
        &[Facts {
            path: "",
            name: "grafana",
            version: "12.11.1",
            api: "v2",
            templates: 37,
            files: 3,
            values: true,
            schema: false,
        }],
    ),
    (
        "ibm-open-liberty",
        &[
            Facts {
                path: "",
                name: "ibm-open-liberty",
                version: "1.10.0",
                api: "v1",
                templates: 6,
                files: 11,
                values: true,
                schema: false,
            },
            Facts {
                path: "ibm-shared-liberty",
                name: "ibm-shared-liberty",
                version: "1.10.0",
                api: "v1",
                templates: 16,
                files: 2,
                values: false,
                schema: false,
            },
        ],
    ),
    (
        "ibm-websphere-liberty",
        &[
            Facts {
                path: "",
                name: "ibm-websphere-liberty",
                version: "1.10.0",
                api: "v1",
                templates: 6,
                files: 13,
                values: true,
                schema: false,
            },
            Facts {
                path: "ibm-shared-liberty",
                name: "ibm-shared-liberty",
                version: "1.10.1",
                api: "v1",
                templates: 16,
                files: 2,
                values: false,
                schema: false,
            },
        ],
    ),
    (
        "ingress-nginx",
        &[Facts {
            path: "",
            name: "ingress-nginx",
            version: "4.15.1",
            api: "v2",
            templates: 45,
            files: 183,
            values: true,
            schema: false,
        }],
    ),
    (
        "jenkins",
        &[Facts {
            path: "",
            name: "jenkins",
            version: "5.9.53",
            api: "v2",
            templates: 32,
            files: 5,
            values: true,
            schema: false,
        }],
    ),
    (
        "keda",
        &[Facts {
            path: "",
            name: "keda",
            version: "2.20.2",
            api: "v2",
            templates: 47,
            files: 2,
            values: true,
            schema: false,
        }],
    ),
    (
        "kong",
        &[
            Facts {
                path: "",
                name: "kong",
                version: "3.4.1",
                api: "v2",
                templates: 31,
                files: 5,
                values: true,
                schema: false,
            },
            Facts {
                path: "postgresql",
                name: "postgresql",
                version: "11.9.13",
                api: "v2",
                templates: 29,
                files: 1,
                values: true,
                schema: true,
            },
            Facts {
                path: "postgresql/common",
                name: "common",
                version: "2.0.4",
                api: "v2",
                templates: 19,
                files: 1,
                values: true,
                schema: false,
            },
        ],
    ),
    (
        "kube-state-metrics",
        &[Facts {
            path: "",
            name: "kube-state-metrics",
            version: "8.4.0",
            api: "v2",
            templates: 19,
            files: 11,
            values: true,
            schema: false,
        }],
    ),
    (
        "metrics-server",
        &[Facts {
            path: "",
            name: "metrics-server",
            version: "3.13.1",
            api: "v2",
            templates: 20,
            files: 7,
            values: true,
            schema: false,
        }],
    ),
    (
        "opentelemetry-collector",
        &[Facts {
            path: "",
            name: "opentelemetry-collector",
            version: "0.170.0",
            api: "v2",
            templates: 23,
            files: 34,
            values: true,
            schema: true,
        }],
    ),
    (
        "opentelemetry-operator",
        &[Facts {
            path: "",
            name: "opentelemetry-operator",
            version: "0.122.0",
            api: "v2",
            templates: 20,
            files: 17,
            values: true,
            schema: true,
        }],
    ),
    (
        "podinfo",
        &[Facts {
            path: "",
            name: "podinfo",
            version: "6.14.1",
            api: "v1",
            templates: 23,
            files: 4,
            values: true,
            schema: false,
        }],
    ),
    (
        "prometheus",
        &[
            Facts {
                path: "",
                name: "prometheus",
                version: "29.27.0",
                api: "v2",
                templates: 17,
                files: 2,
                values: true,
                schema: true,
            },
            Facts {
                path: "alertmanager",
                name: "alertmanager",
                version: "1.42.0",
                api: "v2",
                templates: 14,
                files: 6,
                values: true,
                schema: true,
            },
            Facts {
                path: "kube-state-metrics",
                name: "kube-state-metrics",
                version: "8.4.0",
                api: "v2",
                templates: 19,
                files: 7,
                values: true,
                schema: false,
            },
            Facts {
                path: "prometheus-node-exporter",
                name: "prometheus-node-exporter",
                version: "4.56.1",
                api: "v2",
                templates: 14,
                files: 2,
                values: true,
                schema: false,
            },
            Facts {
                path: "prometheus-pushgateway",
                name: "prometheus-pushgateway",
                version: "3.8.0",
                api: "v2",
                templates: 14,
                files: 2,
                values: true,
                schema: false,
            },
        ],
    ),
    (
        "prometheus-node-exporter",
        &[Facts {
            path: "",
            name: "prometheus-node-exporter",
            version: "4.56.1",
            api: "v2",
            templates: 14,
            files: 2,
            values: true,
            schema: false,
        }],
    ),
    (
        "sealed-secrets",
        &[Facts {
            path: "",
            name: "sealed-secrets",
            version: "2.18.5",
            api: "v2",
            templates: 19,
            files: 4,
            values: true,
            schema: false,
        }],
    ),
    (
        "vault",
        &[Facts {
            path: "",
            name: "vault",
            version: "0.34.1",
            api: "v2",
            templates: 47,
            files: 8,
            values: true,
            schema: true,
        }],
    ),
];

/// Files that exist in the corpus directory but that helm's `.helmignore` handling leaves out.
const IGNORED: &[(&str, &str)] = &[
    ("alertmanager", "ci/config-reload-values.yaml"),
    ("argo-rollouts", "README.md.gotmpl"),
    ("cert-manager", ".gitignore"),
    ("cert-manager", "tests/controller/defaults_test.yaml"),
    ("elasticsearch", "tests/elasticsearch_test.py"),
    ("external-dns", ".schema.yaml"),
    ("external-secrets", ".helmignore"),
    ("external-secrets", "templates/crds/README.md"),
    ("grafana", "ci/default-values.yaml"),
    (
        "ibm-open-liberty",
        "ibm_cloud_pak/pak_extensions/common/kubhelper.sh",
    ),
    (
        "ibm-websphere-liberty",
        "ibm_cloud_pak/pak_extensions/common/kubhelper.sh",
    ),
    ("jenkins", "Tiltfile"),
    ("keda", "README.md.gotmpl"),
    ("kong", ".helmignore"),
    ("kong", "ci/.chartsnap.yaml"),
    ("bitnami-nginx", "CHANGELOG.md"),
    ("opentelemetry-collector", "examples/README.md"),
    ("prometheus", "ci/01-automount-sa-token-values.yaml"),
    ("bitnami-redis", "img/redis-topology.png"),
    ("vault", ".github/dependabot.yml"),
];

fn load(dir: &str) -> Chart {
    chart::load(&corpus().join(dir)).unwrap_or_else(|e| panic!("{dir}: {e}"))
}

fn find<'a>(root: &'a Chart, path: &str) -> &'a Chart {
    let mut c = root;
    for name in path.split('/').filter(|s| !s.is_empty()) {
        c = c
            .dependencies
            .iter()
            .find(|d| d.name() == name)
            .unwrap_or_else(|| panic!("no subchart {name} under {}", c.name()));
    }
    c
}

fn count_charts(c: &Chart) -> usize {
    1 + c.dependencies.iter().map(count_charts).sum::<usize>()
}

fn all_names(c: &Chart, prefix: &str, out: &mut Vec<String>) {
    for f in c.templates.iter().chain(&c.files) {
        out.push(format!("{prefix}{}", f.name));
    }
    for d in &c.dependencies {
        all_names(d, &format!("{prefix}charts/{}/", d.name()), out);
    }
}

#[test]
fn every_corpus_chart_is_listed() {
    let mut dirs: Vec<String> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let listed: Vec<&str> = CHARTS.iter().map(|(d, _)| *d).collect();
    assert_eq!(dirs, listed);
}

#[test]
fn corpus_charts_load_as_helm_loads_them() {
    for (dir, facts) in CHARTS {
        let root = load(dir);
        assert_eq!(count_charts(&root), facts.len(), "{dir}: number of charts");
        for f in *facts {
            let c = find(&root, f.path);
            let at = format!("{dir}:{}", f.path);
            assert_eq!(c.name(), f.name, "{at}");
            assert_eq!(c.version(), f.version, "{at}");
            assert_eq!(c.metadata.api_version, f.api, "{at}");
            assert_eq!(c.templates.len(), f.templates, "{at}: templates");
            assert_eq!(c.files.len(), f.files, "{at}: files");
            assert_eq!(c.values_text.is_some(), f.values, "{at}: values.yaml");
            assert_eq!(c.schema.is_some(), f.schema, "{at}: values.schema.json");
            assert!(c.templates.iter().all(|t| t.name.starts_with("templates/")));
            assert!(
                c.files.iter().all(|t| !t.name.starts_with("templates/")
                    && t.name != "Chart.yaml"
                    && t.name != "values.yaml"),
                "{at}"
            );
        }
        root.check_dependencies()
            .unwrap_or_else(|e| panic!("{dir}: {e}"));
        root.check_installable().unwrap();
        chart::check_kube_version(&root, &Version::parse("v1.35.0").unwrap())
            .unwrap_or_else(|e| panic!("{dir}: {e}"));
    }
}

#[test]
fn helmignored_files_are_absent() {
    for (dir, rel) in IGNORED {
        assert!(
            corpus().join(dir).join(rel).is_file(),
            "{dir}/{rel} should exist on disk"
        );
        let c = load(dir);
        let mut names = Vec::new();
        all_names(&c, "", &mut names);
        assert!(!names.iter().any(|n| n == rel), "{dir}: {rel} was loaded");
    }
}

#[test]
fn liberty_subchart_comes_from_its_archive() {
    // `helm dependency list` reports ibm-shared-liberty 1.10.1 (alias slt, from
    // requirements.yaml) as ok; the chart ships it as charts/ibm-shared-liberty-1.10.1.tgz.
    let dir = corpus().join("ibm-websphere-liberty");
    assert!(dir.join("charts/ibm-shared-liberty-1.10.1.tgz").is_file());
    let c = load("ibm-websphere-liberty");
    let deps: Vec<_> = c.metadata.declared_dependencies().collect();
    assert_eq!(deps.len(), 1);
    assert_eq!(deps[0].name, "ibm-shared-liberty");
    assert_eq!(deps[0].version, "1.10.1");
    assert_eq!(deps[0].alias, "slt");
    assert_eq!(deps[0].repository, "@slt");
    assert!(c.files.iter().any(|f| f.name == "requirements.yaml"));
    let sub = &c.dependencies[0];
    assert_eq!(
        (sub.name(), sub.version()),
        ("ibm-shared-liberty", "1.10.1")
    );
    assert!(
        sub.templates
            .iter()
            .any(|t| t.name == "templates/_deployment.tpl")
    );
    // Archives are not filtered by .helmignore: the subchart keeps its own .helmignore.
    assert!(sub.files.iter().any(|f| f.name == ".helmignore"));
}

#[test]
fn kube_version_failure_matches_helms_golden_error() {
    // golden/podinfo-fail-kube-too-old.stderr, from `helm template ... --kube-version 1.22.0`.
    let golden = std::fs::read_to_string(
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/charts-corpus/golden"
        ))
        .join("podinfo-fail-kube-too-old.stderr"),
    )
    .unwrap();
    let c = load("podinfo");
    let err = chart::check_kube_version(&c, &Version::parse("1.22.0").unwrap()).unwrap_err();
    assert_eq!(
        golden.lines().next(),
        Some(format!("Error: {err}").as_str())
    );
    // The icp cases pass `--kube-version v1.13.0+icp`; the liberty charts accept it.
    let icp = Version::parse("v1.13.0+icp").unwrap();
    chart::check_kube_version(&load("ibm-websphere-liberty"), &icp).unwrap();
}

#[test]
fn loading_a_packaged_corpus_chart_gives_the_same_chart() {
    // Pack a corpus chart directory the way `helm package` lays it out (top directory named
    // after the chart) and load it back through the archive path.
    let c = load("podinfo");
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for f in &c.raw {
        let data = f.data.read().unwrap();
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, format!("podinfo/{}", f.name), &data[..])
            .unwrap();
    }
    let bytes = builder.into_inner().unwrap().finish().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("podinfo-6.14.1.tgz");
    std::fs::write(&path, bytes).unwrap();
    let from_archive = chart::load(&path).unwrap();
    assert_eq!(from_archive, c);
}
