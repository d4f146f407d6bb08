//! Helm's values coalescing for one chart (`chartutil.CoalesceValues` without dependencies):
//! user values take precedence over the chart's `values.yaml`, a user `null` deletes the
//! chart's key, and type conflicts are skipped with the warnings Helm logs.

use serde_json::{Map, Value};

/// The coalesced values plus the warnings Helm would have logged while producing them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Coalesced {
    /// The merged values (user values over chart values).
    pub values: Map<String, Value>,
    /// Helm's log lines, e.g. `warning: skipped value for oracle.a: Not a table.`.
    pub warnings: Vec<String>,
}

/// Coalesces `user` values over the values of chart `chart_name` (`chart`), as Helm's
/// `CoalesceValues` does for a chart without dependencies.
pub fn coalesce_values(
    chart_name: &str,
    chart: &Map<String, Value>,
    user: Map<String, Value>,
) -> Coalesced {
    let mut dest = user;
    let mut warnings = Vec::new();
    for (key, val) in chart {
        match dest.get_mut(key) {
            None => {
                dest.insert(key.clone(), val.clone());
            }
            Some(Value::Null) => {
                dest.remove(key);
            }
            Some(Value::Object(d)) => match val {
                Value::Object(src) => {
                    let prefix = format!("{chart_name}.{key}");
                    coalesce_tables(d, src, &prefix, &mut warnings);
                }
                Value::Null => {}
                _ => warnings.push(format!(
                    "warning: skipped value for {chart_name}.{key}: Not a table."
                )),
            },
            Some(_) => {}
        }
    }
    Coalesced {
        values: dest,
        warnings,
    }
}

/// Helm's `coalesceTablesFullKey` in coalescing (not merging) mode: `dst` wins over `src`.
fn coalesce_tables(
    dst: &mut Map<String, Value>,
    src: &Map<String, Value>,
    prefix: &str,
    warnings: &mut Vec<String>,
) {
    for (key, val) in src {
        let full = format!("{prefix}.{key}");
        match dst.get_mut(key) {
            Some(Value::Null) => {
                dst.remove(key);
            }
            None => {
                dst.insert(key.clone(), val.clone());
            }
            Some(Value::Object(d)) => match val {
                Value::Object(s) => coalesce_tables(d, s, &full, warnings),
                Value::Null => {}
                other => warnings.push(format!(
                    "warning: destination for {full} is a table. Ignoring non-table value ({})",
                    go_v(other)
                )),
            },
            Some(_) => {
                if val.is_object() {
                    warnings.push(format!(
                        "warning: cannot overwrite table with non table for {full} ({})",
                        go_v(val)
                    ));
                }
            }
        }
    }
}

/// Go's `%v` of a JSON-decoded value, for warning texts.
fn go_v(v: &Value) -> String {
    crate::template::gofmt::format_v(&crate::template::Value::from_json_go(v))
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

    #[test]
    fn user_values_win_and_tables_merge() {
        let c = coalesce_values(
            "c",
            &map(json!({"image": {"repo": "r", "tag": "v1"}, "n": 1, "l": ["a"]})),
            map(json!({"image": {"tag": "v2"}, "l": ["b"]})),
        );
        assert_eq!(
            Value::Object(c.values),
            json!({"image": {"repo": "r", "tag": "v2"}, "n": 1, "l": ["b"]})
        );
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn null_deletes_chart_keys_at_every_level() {
        let c = coalesce_values(
            "c",
            &map(json!({"a": 1, "b": {"c": 2, "d": 3}})),
            map(json!({"a": null, "b": {"c": null}})),
        );
        assert_eq!(Value::Object(c.values), json!({"b": {"d": 3}}));
    }

    #[test]
    fn table_over_scalar_warns() {
        let c = coalesce_values(
            "oracle",
            &map(json!({"a": "x"})),
            map(json!({"a": {"k": "v"}})),
        );
        assert_eq!(Value::Object(c.values), json!({"a": {"k": "v"}}));
        assert_eq!(
            c.warnings,
            vec!["warning: skipped value for oracle.a: Not a table.".to_string()]
        );
        let c = coalesce_values(
            "o",
            &map(json!({"b": {"c": {"k": 1}}})),
            map(json!({"b": {"c": "s"}})),
        );
        assert_eq!(
            c.warnings,
            vec!["warning: cannot overwrite table with non table for o.b.c (map[k:1])".to_string()]
        );
    }
}
