//! Generates one typed custom resource kind per chart listed in `charts/kinds.yaml`.
//!
//! For each kind: the spec schema comes from the chart's values.schema.json where it speaks and
//! is inferred from values.yaml elsewhere, documented from values.yaml comments; `typify` turns
//! it into Rust types and handlebars templates add the `kube::CustomResource` glue. Everything is
//! written to `OUT_DIR` (`kinds.rs` and one `<kind>.schema.json` per kind), never to the tree.

#[path = "build/codegen.rs"]
mod codegen;
#[path = "build/comments.rs"]
mod comments;
#[path = "build/freeform.rs"]
mod freeform;
#[path = "build/manifest.rs"]
mod manifest;
#[path = "build/schema.rs"]
mod schema;

use std::collections::BTreeSet;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use manifest::{KindDef, Manifest, PrinterColumn};
use schema::{Field, Origin, Scalar, Shape};

type BoxError = Box<dyn Error>;

/// Links the `rudder` binary as a position-dependent executable on Linux, as Go links helm.
///
/// A PIE binary of this size carries ~36,000 relative relocations that the dynamic loader
/// applies at every start, copying ~600 KiB of `.data.rel.ro` into private pages; without PIE
/// those pages stay shared with the page cache and `rudder render` starts ~0.3 ms sooner
/// (docs/render-performance.md). Test binaries and the library are not affected.
fn link_binaries_without_pie() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}

fn main() -> Result<(), BoxError> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let charts = root.join("charts");
    println!("cargo:rerun-if-changed=build");
    link_binaries_without_pie();
    let manifest_path = charts.join("kinds.yaml");
    println!("cargo:rerun-if-changed={}", manifest_path.display());
    let manifest: Manifest = serde_saphyr::from_str(&fs::read_to_string(&manifest_path)?)
        .map_err(|e| format!("{}: {e}", manifest_path.display()))?;

    let hb = codegen::templates()?;
    let mut modules = Vec::new();
    let mut names = Vec::new();
    for kind in &manifest.kinds {
        let module = generate_kind(&hb, &charts, &out, kind)
            .map_err(|e| format!("kind {} (charts/{}): {e}", kind.kind, kind.chart))?;
        modules.push(module);
        names.push(kind.module());
    }
    let source = hb.render("kinds", &json!({ "modules": modules, "names": names }))?;
    fs::write(out.join("kinds.rs"), codegen::pretty(&source)?)?;
    Ok(())
}

/// Generates one kind: writes its CRD spec schema to `OUT_DIR` and returns its Rust module.
fn generate_kind(
    hb: &handlebars::Handlebars<'_>,
    charts: &Path,
    out: &Path,
    kind: &KindDef,
) -> Result<String, BoxError> {
    let field = spec_field(&charts.join(&kind.chart), kind)?;
    let counts = schema::count(&field.shape);
    let description = format!(
        "Values for the `{}` chart. Every key is optional: unset keys keep the chart's defaults.",
        kind.chart
    );
    let crd_schema = schema::crd_schema(&field.shape, Some(&description), &Map::new());
    fs::write(
        out.join(format!("{}.schema.json", kind.module())),
        serde_json::to_string_pretty(&crd_schema)?,
    )?;

    let glue = codegen::glue(kind, &printer_columns(kind))?;
    let typify_schema = schema::typify_schema(&field.shape, Some(&description), false);
    let types = codegen::spec_types(hb, &kind.kind, &typify_schema, &glue)?;
    let data = json!({
        "kind": kind.kind,
        "group": kind.group,
        "version": kind.version,
        "plural": kind.plural,
        "chart": kind.chart,
        "module": kind.module(),
        "types": types,
        "extensions": kind.extensions.keys().collect::<Vec<_>>(),
        "counts": {
            "total": counts.total,
            "from_schema": counts.from_schema,
            "inferred": counts.inferred,
            "extensions": counts.extensions,
        },
    });
    Ok(hb.render("kind", &data)?)
}

/// The schema of a chart's values, with rudder's manifest adjustments applied.
fn spec_field(chart: &Path, kind: &KindDef) -> Result<Field, BoxError> {
    // A directory is watched whole, so a values.schema.json added later is noticed too (naming a
    // missing file would instead rerun this script on every build).
    println!("cargo:rerun-if-changed={}", chart.display());
    let values_path = chart.join("values.yaml");
    let text = fs::read_to_string(&values_path)?;
    let values: Value = if text.trim().is_empty() {
        json!({})
    } else {
        // Helm reads values as YAML 1.1: `0777` is an octal integer (booleans such as `yes` and
        // `on` already are booleans in serde-saphyr).
        let mut options = serde_saphyr::Options::default();
        options.legacy_octal_numbers = true;
        serde_saphyr::from_str_with_options(&text, options)
            .map_err(|e| format!("{}: {e}", values_path.display()))?
    };
    let free_form = template_free_form(chart)?;
    let inferred = schema::infer(&values, &mut Vec::new(), &|p: &[String]| {
        free_form.contains(p)
    });
    let schema_path = chart.join("values.schema.json");
    let mut field = if schema_path.exists() {
        let chart_schema: Value = serde_json::from_str(&fs::read_to_string(&schema_path)?)?;
        schema::overlay(inferred, schema::from_json_schema(&chart_schema))
    } else {
        Field {
            shape: inferred,
            description: None,
            origin: Origin::Inferred,
            constraints: Map::new(),
        }
    };
    if !matches!(field.shape, Shape::Object { .. }) {
        return Err("the chart's values are not a mapping".into());
    }
    for path in &kind.any_value {
        let segments: Vec<&str> = path.split('.').collect();
        let target = schema::field_at(&mut field.shape, &segments)
            .ok_or_else(|| format!("anyValue path `{path}` is not in the chart's values"))?;
        target.shape = Shape::Any;
    }
    schema::describe(
        &mut field.shape,
        &mut Vec::new(),
        &comments::descriptions(&text),
    );
    for (path, ext) in &kind.extensions {
        let ty = match ext.ty.as_str() {
            "string" => Scalar::String,
            "integer" => Scalar::Integer,
            "number" => Scalar::Number,
            "boolean" => Scalar::Boolean,
            other => return Err(format!("extension `{path}`: unknown type `{other}`").into()),
        };
        let segments: Vec<&str> = path.split('.').collect();
        schema::add_extension(&mut field.shape, &segments, ty, &ext.description)
            .map_err(|e| format!("extension `{path}`: {e}"))?;
    }
    Ok(field)
}

/// Values paths the chart's templates hand whole to `toYaml` and friends, including templates of
/// its subcharts (unpacked or `.tgz`): library and shared-template subcharts such as Bitnami's
/// `common` or Liberty's `ibm-shared-liberty` render the parent's values.
fn template_free_form(chart: &Path) -> Result<BTreeSet<Vec<String>>, BoxError> {
    let mut found = BTreeSet::new();
    scan_dir(&chart.join("templates"), &mut found)?;
    let subcharts = chart.join("charts");
    if subcharts.is_dir() {
        for entry in fs::read_dir(&subcharts)? {
            let path = entry?.path();
            if path.is_dir() {
                found.extend(template_free_form(&path)?);
            } else if path.extension().is_some_and(|e| e == "tgz") {
                scan_archive(&path, &mut found)?;
            }
        }
    }
    Ok(found)
}

fn scan_dir(dir: &Path, found: &mut BTreeSet<Vec<String>>) -> Result<(), BoxError> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            scan_dir(&path, found)?;
        } else if let Ok(text) = fs::read_to_string(&path) {
            found.extend(freeform::free_form_paths(&text));
        }
    }
    Ok(())
}

/// Scans the templates inside a packaged subchart (`<name>/templates/...` entries).
fn scan_archive(archive: &Path, found: &mut BTreeSet<Vec<String>>) -> Result<(), BoxError> {
    let file = fs::File::open(archive)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in tar.entries()? {
        let mut entry = entry?;
        let in_templates = entry
            .path()?
            .components()
            .any(|c| c.as_os_str() == "templates");
        if !in_templates {
            continue;
        }
        let mut text = String::new();
        if std::io::Read::read_to_string(&mut entry, &mut text).is_ok() {
            found.extend(freeform::free_form_paths(&text));
        }
    }
    Ok(())
}

/// Ready first, the manifest's columns, Age last (as `kubectl get` users expect).
fn printer_columns(kind: &KindDef) -> Vec<PrinterColumn> {
    let mut columns = vec![PrinterColumn {
        name: "Ready".into(),
        ty: "string".into(),
        json_path: ".status.conditions[?(@.type==\"Ready\")].status".into(),
        description: Some("Whether the last render was applied and its workloads are ready".into()),
    }];
    columns.extend(kind.printer_columns.iter().map(|c| PrinterColumn {
        name: c.name.clone(),
        ty: c.ty.clone(),
        json_path: c.json_path.clone(),
        description: c.description.clone(),
    }));
    columns.push(PrinterColumn {
        name: "Age".into(),
        ty: "date".into(),
        json_path: ".metadata.creationTimestamp".into(),
        description: None,
    });
    columns
}
