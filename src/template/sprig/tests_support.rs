//! Shared helper for the unit tests of the Sprig function groups: renders a template with
//! every Sprig function, as the Helm case table does (values as YAML numbers, i.e. floats).

use super::super::{MissingKey, Template, Value};

/// Renders `text` with `values` (JSON) as `.Values`; the error is the engine's full text.
pub fn render_with(text: &str, values: serde_json::Value) -> Result<String, String> {
    let mut t = Template::new("t");
    t.funcs(&super::funcs()).missing_key(MissingKey::Zero);
    t.parse("t", text).map_err(|e| e.to_string())?;
    let data = Value::from_json(&serde_json::json!({ "Values": values }));
    t.execute("t", &data).map_err(|e| e.to_string())
}

/// Renders `text` without values.
pub fn render(text: &str) -> Result<String, String> {
    render_with(text, serde_json::json!({}))
}
