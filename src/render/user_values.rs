//! The user's values of `helm template`/`install`: Helm v4.1.4's `pkg/cli/values`
//! `Options.MergeValues`.
//!
//! Order: `-f` files (each read as Helm's `loader.LoadValues`, merged with `MergeMaps`),
//! then `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal`, each flag in
//! the order given. Errors are worded as helm prints them (after its `Error: ` prefix).
//!
//! ## Number types
//!
//! Helm keeps Go types in the merged map: numbers from values files and JSON are `float64`,
//! integers from `--set` are `int64`. Templates can tell (`typeOf`, `kindIs`, and `toYaml`
//! prints `1e+06` for a float64 but `1000000` for an int64). The map returned here keeps
//! the difference in `serde_json`'s number representation:
//!
//! - a float `Number` (`is_f64()`) is a Go `float64`;
//! - an integer `Number` (`is_i64()`) is a Go `int64`.
//!
//! Values files already give float `Number`s (`crate::yaml::parse_values` uses
//! `Number::from_f64`), so this holds through coalescing, which only moves values. Convert
//! the final map with [`from_json_typed`] instead of `Value::from_json_go` (which makes every
//! number a float64).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

use crate::chart::load_values_text;
use crate::render::strvals::{self, json_floats};
use crate::template::Value;

/// The values flags of `helm template`, in the order given on the command line per flag.
#[derive(Default, Debug, Clone)]
pub struct UserValues {
    /// `-f/--values` files (`-` is stdin).
    pub values_files: Vec<PathBuf>,
    /// `--set` arguments.
    pub set: Vec<String>,
    /// `--set-string` arguments.
    pub set_string: Vec<String>,
    /// `--set-json` arguments.
    pub set_json: Vec<String>,
    /// `--set-file` arguments (`key=path`; the file's text becomes the value).
    pub set_file: Vec<String>,
    /// `--set-literal` arguments.
    pub set_literal: Vec<String>,
}

/// Why the user's values could not be merged; `Display` is helm's message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UserValuesError {
    /// A `-f` file that could not be read (`open x: no such file or directory`).
    #[error("{0}")]
    Read(String),
    /// A `-f` file that is not a valid values file.
    #[error("failed to parse {file}: {message}")]
    Parse {
        /// The path as given.
        file: String,
        /// Helm's message (`cannot unmarshal yaml document: ... yaml: line 3: ...`).
        message: String,
    },
    /// A `--set-json '{...}'` argument that is not a JSON object.
    #[error("failed parsing --set-json data JSON: {0}")]
    SetJsonObject(String),
    /// A `--set-json key=JSON` argument that does not parse.
    #[error("failed parsing --set-json data {0}")]
    SetJson(String),
    /// A bad `--set` argument.
    #[error("failed parsing --set data: {0}")]
    Set(String),
    /// A bad `--set-string` argument.
    #[error("failed parsing --set-string data: {0}")]
    SetString(String),
    /// A bad `--set-file` argument or unreadable file.
    #[error("failed parsing --set-file data: {0}")]
    SetFile(String),
    /// A bad `--set-literal` argument.
    #[error("failed parsing --set-literal data: {0}")]
    SetLiteral(String),
}

impl UserValuesError {
    /// The values file the error is about, when it is about one.
    pub fn file(&self) -> Option<&str> {
        match self {
            UserValuesError::Parse { file, .. } => Some(file),
            _ => None,
        }
    }

    /// The line the YAML parser reported (`yaml: line N: ...`), counted within the
    /// document for multi-document files, as Helm reports it.
    pub fn line(&self) -> Option<usize> {
        let UserValuesError::Parse { message, .. } = self else {
            return None;
        };
        let rest = &message[message.find("line ")? + 5..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }
}

impl UserValues {
    /// Helm's `MergeValues`: the user's values as one map (see the module docs for number
    /// types).
    pub fn merge(&self) -> Result<Map<String, Json>, UserValuesError> {
        let mut base = Map::new();
        for path in &self.values_files {
            let shown = path.display().to_string();
            let raw = read_file(path).map_err(UserValuesError::Read)?;
            let text = String::from_utf8_lossy(&raw);
            let current = load_values_text(&text).map_err(|message| UserValuesError::Parse {
                file: shown,
                message,
            })?;
            merge_maps(&mut base, current);
        }
        for value in &self.set_json {
            let trimmed = value.trim();
            if trimmed.starts_with('{') {
                let map: Map<String, Json> = serde_json::from_str(trimmed)
                    .map_err(|_| UserValuesError::SetJsonObject(value.clone()))?;
                let Json::Object(map) = json_floats(Json::Object(map)) else {
                    unreachable!("json_floats keeps objects")
                };
                merge_maps(&mut base, map);
            } else {
                strvals::parse_json(value, &mut base)
                    .map_err(|_| UserValuesError::SetJson(value.clone()))?;
            }
        }
        for value in &self.set {
            strvals::parse_into(value, &mut base)
                .map_err(|e| UserValuesError::Set(e.to_string()))?;
        }
        for value in &self.set_string {
            strvals::parse_into_string(value, &mut base)
                .map_err(|e| UserValuesError::SetString(e.to_string()))?;
        }
        for value in &self.set_file {
            let mut reader = |p: &str| -> Result<Json, String> {
                let raw = read_file(Path::new(p))?;
                Ok(Json::String(String::from_utf8_lossy(&raw).into_owned()))
            };
            strvals::parse_into_file(value, &mut base, &mut reader)
                .map_err(|e| UserValuesError::SetFile(e.to_string()))?;
        }
        for value in &self.set_literal {
            strvals::parse_literal_into(value, &mut base)
                .map_err(|e| UserValuesError::SetLiteral(e.to_string()))?;
        }
        Ok(base)
    }
}

/// Helm's `loader.MergeMaps`: maps merge recursively, anything else from `b` replaces.
pub fn merge_maps(a: &mut Map<String, Json>, b: Map<String, Json>) {
    for (k, v) in b {
        match (a.get_mut(&k), v) {
            (Some(Json::Object(existing)), Json::Object(incoming)) => {
                merge_maps(existing, incoming)
            }
            (_, v) => {
                a.insert(k, v);
            }
        }
    }
}

/// Helm's `readFile` for local paths: `-` is stdin; errors worded as Go's `os.ReadFile`
/// (`open x: no such file or directory`, `read x: is a directory`).
///
/// URLs (`http://`, `oci://`), which Helm fetches with its getters, are read as paths.
pub fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    let shown = path.display().to_string();
    if shown.trim() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("read /dev/stdin: {}", go_errno_text(&e)))?;
        return Ok(buf);
    }
    let mut f =
        std::fs::File::open(path).map_err(|e| format!("open {shown}: {}", go_errno_text(&e)))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)
        .map_err(|e| format!("read {shown}: {}", go_errno_text(&e)))?;
    Ok(buf)
}

/// Go's `syscall.Errno` text: the C library's message in lower case, without Rust's
/// `(os error N)` suffix.
fn go_errno_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Converts typed JSON values (integer `Number` = Go int64, float `Number` = Go float64) to
/// template values, keeping `--set` integers `int64` as Helm does.
pub fn from_json_typed(j: &Json) -> Value {
    match j {
        Json::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Value::Int64(i),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::Array(a) => Value::list(a.iter().map(from_json_typed).collect()),
        Json::Object(o) => {
            let m: BTreeMap<String, Value> = o
                .iter()
                .map(|(k, v)| (k.clone(), from_json_typed(v)))
                .collect();
            Value::from(m)
        }
        other => Value::from_json(other),
    }
}

#[cfg(test)]
mod tests;
