//! Helm's `chartutil.ProcessDependencies` (`pkg/chart/v2/util/dependencies.go`) on a loaded
//! chart tree: aliases applied, subcharts enabled or disabled by `tags` and `condition`
//! (first path that resolves wins; non-bool values are logged and ignored), disabled
//! subcharts removed, then `import-values` (both forms) merged from children into parents,
//! bottom-up, which replaces each parent's values by its merged values as Helm does.

use serde_json::{Map, Value};

use super::chart_values::{CoalesceError, coalesce_values, merge_tables, merge_values};
use super::slog;
use crate::chart::{Chart, Dependency};
use crate::semver::is_compatible_range;

/// Runs `ProcessDependencies(chart, vals)` in place; log lines are appended to `log`.
pub fn process_dependencies(
    chart: &mut Chart,
    vals: &Map<String, Value>,
    log: &mut Vec<String>,
) -> Result<(), CoalesceError> {
    process_enabled(chart, vals, "", log)?;
    process_import_values(chart, log)
}

/// The declared dependencies (Helm skips `null` entries).
fn declared(chart: &Chart) -> Vec<Dependency> {
    chart.metadata.declared_dependencies().cloned().collect()
}

/// `processDependencyEnabled`.
fn process_enabled(
    c: &mut Chart,
    v: &Map<String, Value>,
    path: &str,
    log: &mut Vec<String>,
) -> Result<(), CoalesceError> {
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let mut reqs = declared(c);
    let existing = std::mem::take(&mut c.dependencies);
    let mut chart_deps: Vec<Chart> = existing
        .iter()
        .filter(|e| {
            !reqs
                .iter()
                .any(|r| e.name() == r.name && is_compatible_range(&r.version, e.version()))
        })
        .cloned()
        .collect();
    for req in &mut reqs {
        if let Some(dep) = alias_dependency(&existing, req) {
            chart_deps.push(dep);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    c.dependencies = chart_deps;
    for r in &mut reqs {
        r.enabled = true;
    }
    let cvals = coalesce_values(c, v, log)?;
    process_tags(&mut reqs, &cvals, log);
    process_conditions(&mut reqs, &cvals, path, log);
    let removed: Vec<String> = reqs
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    let mut kept: Vec<Chart> = std::mem::take(&mut c.dependencies)
        .into_iter()
        .filter(|d| !removed.iter().any(|n| n == d.name()))
        .collect();
    let kept_meta: Vec<Dependency> = reqs
        .into_iter()
        .filter(|r| !removed.contains(&r.name))
        .collect();
    for t in &mut kept {
        let sub_path = format!("{path}{}.", t.name());
        process_enabled(t, &cvals, &sub_path, log)?;
    }
    c.metadata.dependencies = kept_meta.into_iter().map(Some).collect();
    c.dependencies = kept;
    Ok(())
}

/// `getAliasDependency`: a copy of the first loaded subchart matching the request's name
/// and version range, renamed to the alias when there is one.
fn alias_dependency(charts: &[Chart], dep: &Dependency) -> Option<Chart> {
    let c = charts
        .iter()
        .find(|c| c.name() == dep.name && is_compatible_range(&dep.version, c.version()))?;
    let mut out = c.clone();
    if !dep.alias.is_empty() {
        out.metadata.name = dep.alias.clone();
    }
    Some(out)
}

/// `processDependencyTags`.
fn process_tags(reqs: &mut [Dependency], cvals: &Map<String, Value>, log: &mut Vec<String>) {
    let Some(Value::Object(vt)) = cvals.get("tags") else {
        return;
    };
    for r in reqs {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            match vt.get(k) {
                None => {}
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                Some(_) => log.push(slog::warn(
                    "returned non-bool value",
                    &[("tag", k), ("chart", &r.name)],
                )),
            }
        }
        // Disabled only when some tag is false and none is true.
        r.enabled = has_true || !has_false;
    }
}

/// `processDependencyConditions`: the first condition path that resolves to a value decides.
fn process_conditions(
    reqs: &mut [Dependency],
    cvals: &Map<String, Value>,
    cpath: &str,
    log: &mut Vec<String>,
) {
    for r in reqs {
        for c in r.condition.trim().split(',') {
            if c.is_empty() {
                continue;
            }
            if let Some(vv) = path_value(cvals, &format!("{cpath}{c}")) {
                if let Value::Bool(b) = vv {
                    r.enabled = *b;
                    break;
                }
                log.push(slog::warn(
                    "returned non-bool value",
                    &[("path", c), ("chart", &r.name)],
                ));
            }
        }
    }
}

/// `Values.PathValue`: the non-table value at a dotted path (`None` for Helm's `ErrNoValue`).
fn path_value<'a>(v: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let (key, tables) = parts.split_last()?;
    let t = if tables.is_empty() {
        v
    } else {
        table(v, &tables.join(".")).ok()?
    };
    t.get(*key).filter(|x| !x.is_object())
}

/// `Values.Table`: the table at a dotted path, or Helm's `"KEY" is not a table` error naming
/// the first segment that failed.
pub fn table<'a>(v: &'a Map<String, Value>, path: &str) -> Result<&'a Map<String, Value>, String> {
    let mut t = v;
    for n in path.split('.') {
        match t.get(n) {
            Some(Value::Object(m)) => t = m,
            _ => {
                return Err(format!(
                    "{} is not a table",
                    crate::template::gofmt::quote(n)
                ));
            }
        }
    }
    Ok(t)
}

/// `processDependencyImportValues` (merge mode), children first.
fn process_import_values(c: &mut Chart, log: &mut Vec<String>) -> Result<(), CoalesceError> {
    for d in &mut c.dependencies {
        process_import_values(d, log)?;
    }
    import_values(c, log)
}

/// `processImportValues`: merges the imported child tables under the chart's values (the
/// chart's own values win) and rewrites `import-values` to `{child, parent}` maps.
fn import_values(c: &mut Chart, log: &mut Vec<String>) -> Result<(), CoalesceError> {
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = merge_values(c, &Map::new(), log)?;
    let mut b = Map::new();
    for r in c.metadata.dependencies.iter_mut().flatten() {
        let mut out = Vec::new();
        for riv in &r.import_values {
            match riv {
                Value::Object(iv) => {
                    let child = go_sprint(iv.get("child"));
                    let parent = go_sprint(iv.get("parent"));
                    out.push(child_parent(&child, &parent));
                    match table(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vv) => {
                            b = merge_tables(b, path_to_map(&parent, vv.clone()), log);
                        }
                        Err(e) => log.push(slog::warn(
                            "ImportValues missing table from chart",
                            &[("chart", &r.name), ("error", &e)],
                        )),
                    }
                }
                Value::String(iv) => {
                    let child = format!("exports.{iv}");
                    out.push(child_parent(&child, "."));
                    match table(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vm) => b = merge_tables(b, vm.clone(), log),
                        Err(e) => {
                            log.push(slog::warn("ImportValues missing table", &[("error", &e)]))
                        }
                    }
                }
                _ => {}
            }
        }
        r.import_values = out;
    }
    c.values = std::sync::Arc::new(merge_tables(cvals, b, log));
    Ok(())
}

fn child_parent(child: &str, parent: &str) -> Value {
    let mut m = Map::new();
    m.insert("child".into(), Value::String(child.to_string()));
    m.insert("parent".into(), Value::String(parent.to_string()));
    Value::Object(m)
}

/// Go's `fmt.Sprintf("%v", x)` of an `interface{}` map entry (`<nil>` when absent).
fn go_sprint(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "<nil>".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => crate::template::gofmt::format_v(&super::release::to_template_value(other)),
    }
}

/// `pathToMap`: nests `data` under a dotted path (`.` is the root).
fn path_to_map(path: &str, data: Map<String, Value>) -> Map<String, Value> {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let mut m = Map::new();
        m.insert(part.to_string(), Value::Object(cur));
        cur = m;
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn path_values_skip_tables_and_missing_keys() {
        let v = match json!({"a": {"b": true, "t": {}}, "n": null}) {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        assert_eq!(path_value(&v, "a.b"), Some(&Value::Bool(true)));
        assert_eq!(path_value(&v, "a.t"), None);
        assert_eq!(path_value(&v, "a.x"), None);
        assert_eq!(path_value(&v, "n"), Some(&Value::Null));
        assert_eq!(table(&v, "a.b").unwrap_err(), "\"b\" is not a table");
    }

    #[test]
    fn path_to_map_nests() {
        let m = path_to_map("x.y", Map::new());
        assert_eq!(Value::Object(m), json!({"x": {"y": {}}}));
    }
}
