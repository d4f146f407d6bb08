//! Helm's values coalescing over a chart tree (`pkg/chart/common/util/coalesce.go`):
//! [`coalesce_values`] (`CoalesceValues`: user values over chart values, parent over child,
//! `global` copied down and merged, a `null` deleting the key it overrides) and
//! [`merge_values`] (`MergeValues`: the same, keeping `null`s), plus the table helpers
//! [`coalesce_tables`] / [`merge_tables`].
//!
//! Helm logs type conflicts with `log.Printf`; they are collected, in slog's text format,
//! into the caller's log (`level=INFO msg="warning: ..."`). Helm iterates Go maps, so the
//! order of several warnings is random there; here it is key order.

use serde_json::{Map, Value};

use super::slog;
use crate::chart::Chart;

/// Values coalescing failed (a subchart's values are not a table).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("type mismatch on {name}: {shown}")]
pub struct CoalesceError {
    /// The subchart name.
    pub name: String,
    /// Go's `%t` rendering of the offending value.
    pub shown: String,
}

/// Helm's `CoalesceValues(chart, vals)`: `vals` (user values) over the chart's values and
/// its subcharts' values; `null`s in `vals` delete chart keys.
pub fn coalesce_values(
    chart: &Chart,
    vals: &Map<String, Value>,
    log: &mut Vec<String>,
) -> Result<Map<String, Value>, CoalesceError> {
    let mut dest = vals.clone();
    coalesce(chart, &mut dest, "", false, log)?;
    Ok(dest)
}

/// Helm's `MergeValues(chart, vals)`: like [`coalesce_values`] but `null`s are kept.
pub fn merge_values(
    chart: &Chart,
    vals: &Map<String, Value>,
    log: &mut Vec<String>,
) -> Result<Map<String, Value>, CoalesceError> {
    let mut dest = vals.clone();
    coalesce(chart, &mut dest, "", true, log)?;
    Ok(dest)
}

/// Helm's `CoalesceTables(dst, src)`: `dst` wins; returns the merged table.
pub fn coalesce_tables(
    mut dst: Map<String, Value>,
    src: Map<String, Value>,
    log: &mut Vec<String>,
) -> Map<String, Value> {
    tables_full_key(&mut dst, src, "", false, log);
    dst
}

/// Helm's `MergeTables(dst, src)`: like [`coalesce_tables`] but keeping `null`s.
pub fn merge_tables(
    mut dst: Map<String, Value>,
    src: Map<String, Value>,
    log: &mut Vec<String>,
) -> Map<String, Value> {
    tables_full_key(&mut dst, src, "", true, log);
    dst
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn coalesce(
    chart: &Chart,
    dest: &mut Map<String, Value>,
    prefix: &str,
    merge: bool,
    log: &mut Vec<String>,
) -> Result<(), CoalesceError> {
    chart_values(chart, dest, prefix, merge, log);
    deps(chart, dest, prefix, merge, log)
}

/// `coalesceDeps`: every subchart's section gets the parent's globals, then the subchart's
/// own values beneath.
fn deps(
    chart: &Chart,
    dest: &mut Map<String, Value>,
    prefix: &str,
    merge: bool,
    log: &mut Vec<String>,
) -> Result<(), CoalesceError> {
    for sub in &chart.dependencies {
        let name = sub.name();
        let mut dv = match dest.remove(name) {
            None => Map::new(),
            Some(Value::Object(m)) => m,
            Some(other) => {
                return Err(CoalesceError {
                    name: name.to_string(),
                    shown: go_bad_t(&other),
                });
            }
        };
        let sub_prefix = concat_prefix(prefix, chart.name());
        globals(&mut dv, dest, &sub_prefix, log);
        let res = coalesce(sub, &mut dv, &sub_prefix, merge, log);
        dest.insert(name.to_string(), Value::Object(dv));
        res?;
    }
    Ok(())
}

/// Go's `%t` of a non-bool value (`%!t(string=x)`).
fn go_bad_t(v: &Value) -> String {
    match v {
        Value::Null => "%!t(<nil>)".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => format!("%!t(string={s})"),
        Value::Number(n) if n.is_f64() => format!("%!t(float64={})", go_v(v)),
        Value::Number(_) => format!("%!t(int64={})", go_v(v)),
        Value::Array(a) => format!("[{}]", a.iter().map(go_bad_t).collect::<Vec<_>>().join(" ")),
        Value::Object(_) => go_v(v),
    }
}

/// `coalesceGlobals`: copies the parent's `global` into the child's, parent winning.
fn globals(
    dest: &mut Map<String, Value>,
    src: &Map<String, Value>,
    prefix: &str,
    log: &mut Vec<String>,
) {
    let mut dg = match dest.get("global") {
        None => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            log.push(slog::printf(
                "warning: skipping globals because destination global is not a table.",
            ));
            return;
        }
    };
    let empty = Map::new();
    let sg = match src.get("global") {
        None => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            log.push(slog::printf(
                "warning: skipping globals because source global is not a table.",
            ));
            return;
        }
    };
    for (key, val) in sg {
        if let Value::Object(table) = val {
            match dg.get(key) {
                None => {
                    dg.insert(key.clone(), val.clone());
                }
                Some(Value::Object(destv)) => {
                    let mut vv = table.clone();
                    let sub_prefix = concat_prefix(prefix, key);
                    tables_full_key(&mut vv, destv.clone(), &sub_prefix, true, log);
                    dg.insert(key.clone(), Value::Object(vv));
                }
                Some(_) => log.push(slog::printf(&format!(
                    "Conflict: cannot merge map onto non-map for {}. Skipping.",
                    crate::template::gofmt::quote(key)
                ))),
            }
        } else if matches!(dg.get(key), Some(Value::Object(_))) {
            log.push(slog::printf(&format!("key {key} is table. Skipping")));
        } else {
            dg.insert(key.clone(), val.clone());
        }
    }
    dest.insert("global".into(), Value::Object(dg));
}

/// `coalesceValues`: the chart's own values under `v` (which wins).
fn chart_values(
    chart: &Chart,
    v: &mut Map<String, Value>,
    prefix: &str,
    merge: bool,
    log: &mut Vec<String>,
) {
    let sub_prefix = concat_prefix(prefix, chart.name());
    for (key, val) in chart.values.iter() {
        match v.get_mut(key) {
            None => {
                v.insert(key.clone(), val.clone());
            }
            Some(Value::Null) if !merge => {
                v.remove(key);
            }
            Some(Value::Object(dest)) => match val {
                Value::Object(src) => {
                    let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                    let full = concat_prefix(&sub_prefix, key);
                    tables_full_key(dest, src.clone(), &full, merge, log);
                }
                Value::Null => {}
                _ => log.push(slog::printf(&format!(
                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                ))),
            },
            Some(_) => {}
        }
    }
}

/// `coalesceTablesFullKey`: merges `src` into `dst`, `dst` authoritative.
fn tables_full_key(
    dst: &mut Map<String, Value>,
    mut src: Map<String, Value>,
    prefix: &str,
    merge: bool,
    log: &mut Vec<String>,
) {
    // Keys `dst` holds as null whose value in `src` was not null: only those are consulted
    // below, after `src`'s value is replaced by null.
    let mut src_non_nil = Vec::new();
    for (key, val) in dst.iter() {
        if val.is_null() {
            if src.get(key).is_some_and(|v| !v.is_null()) {
                src_non_nil.push(key.clone());
            }
            src.insert(key.clone(), Value::Null);
        }
    }
    for (key, val) in src {
        let full = || concat_prefix(prefix, &key);
        match dst.get_mut(&key) {
            Some(Value::Null) if !merge && src_non_nil.contains(&key) => {
                dst.remove(&key);
            }
            None => {
                dst.insert(key, val);
            }
            Some(dv) => match val {
                Value::Object(s) => {
                    if let Value::Object(d) = dv {
                        tables_full_key(d, s, &full(), merge, log);
                    } else {
                        log.push(slog::printf(&format!(
                            "warning: cannot overwrite table with non table for {} ({})",
                            full(),
                            go_v(&Value::Object(s))
                        )));
                    }
                }
                Value::Null => {}
                other => {
                    if dv.is_object() {
                        log.push(slog::printf(&format!(
                            "warning: destination for {} is a table. Ignoring non-table value ({})",
                            full(),
                            go_v(&other)
                        )));
                    }
                }
            },
        }
    }
}

/// Go's `%v` of a decoded value.
fn go_v(v: &Value) -> String {
    crate::template::gofmt::format_v(&super::release::to_template_value(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn chart(name: &str, values: Value, deps: Vec<Chart>) -> Chart {
        let mut c = crate::chart::load_files(vec![crate::chart::File {
            name: "Chart.yaml".into(),
            data: format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
                .into_bytes()
                .into(),
        }])
        .unwrap();
        c.values = std::sync::Arc::new(map(values));
        c.dependencies = deps;
        c
    }

    #[test]
    fn parent_values_win_and_globals_flow_down() {
        let sub = chart(
            "sub",
            json!({"a": 1, "b": {"c": 2}, "global": {"g": "sub"}}),
            vec![],
        );
        let top = chart(
            "top",
            json!({"sub": {"a": 5}, "global": {"g": "top", "h": {"x": 1}}}),
            vec![sub],
        );
        let mut log = Vec::new();
        let out =
            coalesce_values(&top, &map(json!({"sub": {"b": {"c": null}}})), &mut log).unwrap();
        assert_eq!(
            Value::Object(out),
            json!({
                "global": {"g": "top", "h": {"x": 1}},
                "sub": {"a": 5, "b": {}, "global": {"g": "top", "h": {"x": 1}}}
            })
        );
        assert!(log.is_empty());
    }

    #[test]
    fn merge_keeps_nulls() {
        let top = chart("top", json!({"a": 1, "b": null}), vec![]);
        let mut log = Vec::new();
        let out = merge_values(&top, &map(json!({"a": null})), &mut log).unwrap();
        assert_eq!(Value::Object(out), json!({"a": null, "b": null}));
    }

    #[test]
    fn conflicts_are_logged_as_helm_does() {
        let top = chart("top", json!({"t": {"k": {"x": 1}}}), vec![]);
        let mut log = Vec::new();
        coalesce_values(&top, &map(json!({"t": {"k": "s"}})), &mut log).unwrap();
        assert_eq!(
            log,
            vec![
                "level=INFO msg=\"warning: cannot overwrite table with non table for top.t.k (map[x:1])\""
            ]
        );
    }

    #[test]
    fn non_table_subchart_values_fail() {
        let sub = chart("sub", json!({}), vec![]);
        let top = chart("top", json!({}), vec![sub]);
        let err = coalesce_values(&top, &map(json!({"sub": "x"})), &mut Vec::new()).unwrap_err();
        assert_eq!(err.to_string(), "type mismatch on sub: %!t(string=x)");
    }
}
