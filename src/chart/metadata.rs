//! `Chart.yaml`, `requirements.yaml` and `Chart.lock` read as Helm reads them:
//! `sigs.k8s.io/yaml.Unmarshal` into Go structs.
//!
//! That means go-yaml v2 typing, scalars converted to strings where the Go field is a string
//! (`version: 1.10` becomes `"1.1"`, formatted as a float32 like Go does), JSON field names
//! matched case-insensitively, keys applied in sorted order (the last duplicate wins), unknown
//! keys ignored, and type mismatches reported with `encoding/json`'s wording. Validation and
//! string sanitizing follow `pkg/chart/v2/metadata.go`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::semver::Version;

/// A chart maintainer (`maintainers[]` in `Chart.yaml`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Maintainer {
    /// User or organization name.
    pub name: String,
    /// Contact e-mail.
    pub email: String,
    /// Contact URL.
    pub url: String,
}

/// A declared dependency (`dependencies[]` in `Chart.yaml`, or `requirements.yaml` for v1
/// charts).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependency {
    /// Chart name; must match the subchart's own `Chart.yaml` name.
    pub name: String,
    /// Version or version range (a Masterminds constraint).
    pub version: String,
    /// Repository URL or alias.
    pub repository: String,
    /// Comma-separated values paths enabling the dependency (first resolvable wins).
    pub condition: String,
    /// Tags enabling the dependency.
    pub tags: Vec<String>,
    /// Helm's `enabled` field as written (Helm recomputes it from conditions and tags).
    pub enabled: bool,
    /// `import-values` entries: strings or `{child, parent}` maps, kept as written.
    pub import_values: Vec<Value>,
    /// Name under which the subchart is rendered, when set.
    pub alias: String,
}

/// `Chart.yaml` (Helm's `chart.Metadata`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// Chart name. Required.
    pub name: String,
    /// Project home page.
    pub home: String,
    /// Source URLs.
    pub sources: Vec<String>,
    /// Chart version (SemVer 2, loosely parsed). Required.
    pub version: String,
    /// One-sentence description.
    pub description: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Maintainers; `None` entries are `null` list items (rejected by validation).
    pub maintainers: Vec<Option<Maintainer>>,
    /// Icon URL.
    pub icon: String,
    /// `v1` or `v2` (a missing `apiVersion` is read as `v1`).
    pub api_version: String,
    /// Legacy top-level condition.
    pub condition: String,
    /// Legacy top-level tags (a string).
    pub tags: String,
    /// Version of the packaged application.
    pub app_version: String,
    /// Whether the chart is deprecated.
    pub deprecated: bool,
    /// Free-form annotations.
    pub annotations: BTreeMap<String, String>,
    /// Kubernetes version constraint.
    pub kube_version: String,
    /// Declared dependencies; `None` entries are `null` list items (rejected by validation).
    pub dependencies: Vec<Option<Dependency>>,
    /// `application`, `library` or empty (application).
    pub chart_type: String,
}

impl Metadata {
    /// The dependencies that are not `null` entries.
    pub fn declared_dependencies(&self) -> impl Iterator<Item = &Dependency> {
        self.dependencies.iter().flatten()
    }

    /// Whether `type: library`.
    pub fn is_library(&self) -> bool {
        self.chart_type == "library"
    }
}

/// `Chart.lock` / `requirements.lock` (Helm's `chart.Lock`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lock {
    /// `generated` timestamp as written (RFC 3339).
    pub generated: String,
    /// Digest of the dependency list.
    pub digest: String,
    /// Locked dependencies.
    pub dependencies: Vec<Option<Dependency>>,
}

/// The Go types of the fields we decode, for conversion and error wording.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Str,
    Bool,
    StrSlice,
    StrMap,
    AnySlice,
    Maintainers,
    Dependencies,
    Time,
}

impl Kind {
    fn go_name(self) -> &'static str {
        match self {
            Kind::Str | Kind::Time => "string",
            Kind::Bool => "bool",
            Kind::StrSlice => "[]string",
            Kind::StrMap => "map[string]string",
            Kind::AnySlice => "[]interface {}",
            Kind::Maintainers => "[]*v2.Maintainer",
            Kind::Dependencies => "[]*v2.Dependency",
        }
    }
}

const METADATA_FIELDS: &[(&str, Kind)] = &[
    ("name", Kind::Str),
    ("home", Kind::Str),
    ("sources", Kind::StrSlice),
    ("version", Kind::Str),
    ("description", Kind::Str),
    ("keywords", Kind::StrSlice),
    ("maintainers", Kind::Maintainers),
    ("icon", Kind::Str),
    ("apiVersion", Kind::Str),
    ("condition", Kind::Str),
    ("tags", Kind::Str),
    ("appVersion", Kind::Str),
    ("deprecated", Kind::Bool),
    ("annotations", Kind::StrMap),
    ("kubeVersion", Kind::Str),
    ("dependencies", Kind::Dependencies),
    ("type", Kind::Str),
];

const MAINTAINER_FIELDS: &[(&str, Kind)] = &[
    ("name", Kind::Str),
    ("email", Kind::Str),
    ("url", Kind::Str),
];

const DEPENDENCY_FIELDS: &[(&str, Kind)] = &[
    ("name", Kind::Str),
    ("version", Kind::Str),
    ("repository", Kind::Str),
    ("condition", Kind::Str),
    ("tags", Kind::StrSlice),
    ("enabled", Kind::Bool),
    ("import-values", Kind::AnySlice),
    ("alias", Kind::Str),
];

const LOCK_FIELDS: &[(&str, Kind)] = &[
    ("generated", Kind::Time),
    ("digest", Kind::Str),
    ("dependencies", Kind::Dependencies),
];

const CHART_BASE_FIELDS: &[(&str, Kind)] = &[("apiVersion", Kind::Str)];

/// A decoded field value.
enum Field {
    Str(String),
    Bool(bool),
    StrSlice(Vec<String>),
    StrMap(Vec<(String, String)>),
    AnySlice(Vec<Value>),
    Maintainers(Vec<Option<Maintainer>>),
    Dependencies(Vec<Option<Dependency>>),
}

/// Where a type error happened, for `encoding/json`'s message.
struct Ctx<'a> {
    struct_name: &'a str,
    path: String,
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
    }
}

fn type_error(v: &Value, ctx: &Ctx<'_>, go_type: &str) -> String {
    format!(
        "json: cannot unmarshal {} into Go struct field {}.{} of type {go_type}",
        json_kind(v),
        ctx.struct_name,
        ctx.path
    )
}

/// `sigs.k8s.io/yaml`'s conversion of a scalar for a string-typed Go target.
fn scalar_as_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(if let Some(i) = n.as_i64() {
            i.to_string()
        } else if let Some(u) = n.as_u64() {
            u.to_string()
        } else {
            format_float32_g(n.as_f64().unwrap_or(0.0))
        }),
        _ => None,
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`.
pub(crate) fn format_float32_g(f: f64) -> String {
    // Narrowing to f32 is the point: Go formats these as float32.
    #[allow(clippy::cast_possible_truncation)]
    let x = f as f32;
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "d.ddddde[-]x".
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if x < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    let dp = exp + 1;
    let nd = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let body = if dp <= 0 {
        format!(
            "0.{}{digits}",
            "0".repeat(usize::try_from(-dp).unwrap_or(0))
        )
    } else if dp >= nd {
        format!(
            "{digits}{}",
            "0".repeat(usize::try_from(dp - nd).unwrap_or(0))
        )
    } else {
        let (a, b) = digits.split_at(usize::try_from(dp).unwrap_or(0));
        format!("{a}.{b}")
    };
    format!("{sign}{body}")
}

fn decode_string(v: &Value, ctx: &Ctx<'_>) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Array(_) | Value::Object(_) => Err(type_error(v, ctx, "string")),
        _ => Ok(scalar_as_string(v)),
    }
}

fn decode_list<T>(
    v: &Value,
    ctx: &Ctx<'_>,
    kind: Kind,
    mut item: impl FnMut(&Value) -> Result<T, String>,
) -> Result<Option<Vec<T>>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Array(items) => items
            .iter()
            .map(&mut item)
            .collect::<Result<_, _>>()
            .map(Some),
        _ => Err(type_error(v, ctx, kind.go_name())),
    }
}

fn decode_field(v: &Value, kind: Kind, ctx: &Ctx<'_>) -> Result<Option<Field>, String> {
    Ok(match kind {
        Kind::Str => decode_string(v, ctx)?.map(Field::Str),
        Kind::Time => match v {
            Value::Null => None,
            Value::String(t) => match rfc3339_error(t) {
                None => Some(Field::Str(t.clone())),
                Some(e) => return Err(e),
            },
            _ => return Err(type_error(v, ctx, "time.Time")),
        },
        Kind::Bool => match v {
            Value::Null => None,
            Value::Bool(b) => Some(Field::Bool(*b)),
            _ => return Err(type_error(v, ctx, "bool")),
        },
        Kind::StrSlice => decode_list(v, ctx, kind, |item| {
            Ok(decode_string(item, ctx)?.unwrap_or_default())
        })?
        .map(Field::StrSlice),
        Kind::AnySlice => decode_list(v, ctx, kind, |item| Ok(item.clone()))?.map(Field::AnySlice),
        Kind::StrMap => match v {
            Value::Null => None,
            Value::Object(m) => {
                let mut out = Vec::new();
                for (k, item) in m {
                    out.push((k.clone(), decode_string(item, ctx)?.unwrap_or_default()));
                }
                Some(Field::StrMap(out))
            }
            _ => return Err(type_error(v, ctx, kind.go_name())),
        },
        Kind::Maintainers => decode_list(v, ctx, kind, |item| {
            decode_element(item, ctx, "v2.Maintainer", "Maintainer", MAINTAINER_FIELDS)
                .map(|o| o.map(|fields| maintainer_from(&fields)))
        })?
        .map(Field::Maintainers),
        Kind::Dependencies => decode_list(v, ctx, kind, |item| {
            decode_element(item, ctx, "v2.Dependency", "Dependency", DEPENDENCY_FIELDS).map(|o| {
                o.map(|fields| {
                    let mut d = Dependency::default();
                    apply_dependency(&mut d, fields);
                    d
                })
            })
        })?
        .map(Field::Dependencies),
    })
}

/// A `*Struct` list element: `null` is a nil pointer, an object a struct.
fn decode_element(
    item: &Value,
    ctx: &Ctx<'_>,
    go_type: &str,
    struct_name: &str,
    fields: &[(&'static str, Kind)],
) -> Result<Option<Vec<(&'static str, Field)>>, String> {
    match item {
        Value::Null => Ok(None),
        Value::Object(m) => decode_struct(m, fields, struct_name, &ctx.path).map(Some),
        _ => Err(type_error(item, ctx, go_type)),
    }
}

/// Finds the Go field a JSON key sets: exact name first, then case-insensitive.
fn field_for(key: &str, fields: &[(&'static str, Kind)]) -> Option<(&'static str, Kind)> {
    fields
        .iter()
        .find(|(n, _)| *n == key)
        .or_else(|| {
            fields
                .iter()
                .find(|(n, _)| n.to_lowercase() == key.to_lowercase())
        })
        .copied()
}

/// Decodes an object into `(field, value)` assignments in the order Go applies them.
fn decode_struct(
    obj: &Map<String, Value>,
    fields: &[(&'static str, Kind)],
    struct_name: &str,
    prefix: &str,
) -> Result<Vec<(&'static str, Field)>, String> {
    let mut keys: Vec<&String> = obj.keys().collect();
    keys.sort();
    let mut out = Vec::new();
    for key in keys {
        let Some((name, kind)) = field_for(key, fields) else {
            continue;
        };
        let ctx = Ctx {
            struct_name,
            path: if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}.{name}")
            },
        };
        if let Some(value) = obj.get(key)
            && let Some(f) = decode_field(value, kind, &ctx)?
        {
            out.push((name, f));
        }
    }
    Ok(out)
}

fn maintainer_from(fields: &[(&'static str, Field)]) -> Maintainer {
    let mut m = Maintainer::default();
    for (name, f) in fields {
        if let Field::Str(s) = f {
            match *name {
                "name" => m.name = s.clone(),
                "email" => m.email = s.clone(),
                _ => m.url = s.clone(),
            }
        }
    }
    m
}

fn apply_dependency(d: &mut Dependency, fields: Vec<(&'static str, Field)>) {
    for (name, f) in fields {
        match (name, f) {
            ("name", Field::Str(s)) => d.name = s,
            ("version", Field::Str(s)) => d.version = s,
            ("repository", Field::Str(s)) => d.repository = s,
            ("condition", Field::Str(s)) => d.condition = s,
            ("alias", Field::Str(s)) => d.alias = s,
            ("tags", Field::StrSlice(v)) => d.tags = v,
            ("enabled", Field::Bool(b)) => d.enabled = b,
            ("import-values", Field::AnySlice(v)) => d.import_values = v,
            _ => {}
        }
    }
}

fn apply_metadata(md: &mut Metadata, fields: Vec<(&'static str, Field)>) {
    for (name, f) in fields {
        match (name, f) {
            ("sources", Field::StrSlice(v)) => md.sources = v,
            ("keywords", Field::StrSlice(v)) => md.keywords = v,
            ("maintainers", Field::Maintainers(v)) => md.maintainers = v,
            ("dependencies", Field::Dependencies(v)) => md.dependencies = v,
            ("deprecated", Field::Bool(b)) => md.deprecated = b,
            // Go's decoder adds to an existing map rather than replacing it.
            ("annotations", Field::StrMap(v)) => md.annotations.extend(v),
            (name, Field::Str(s)) => {
                let slot = match name {
                    "name" => &mut md.name,
                    "home" => &mut md.home,
                    "version" => &mut md.version,
                    "description" => &mut md.description,
                    "icon" => &mut md.icon,
                    "apiVersion" => &mut md.api_version,
                    "condition" => &mut md.condition,
                    "tags" => &mut md.tags,
                    "appVersion" => &mut md.app_version,
                    "kubeVersion" => &mut md.kube_version,
                    _ => &mut md.chart_type,
                };
                *slot = s;
            }
            _ => {}
        }
    }
}

fn top_object<'a>(v: &'a Value, go_type: &str) -> Result<Option<&'a Map<String, Value>>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Object(m) => Ok(Some(m)),
        other => Err(format!(
            "json: cannot unmarshal {} into Go value of type {go_type}",
            json_kind(other)
        )),
    }
}

/// `yaml.Unmarshal(data, md)` onto an existing `Metadata` (Helm reuses the struct for
/// `requirements.yaml`). The error is the JSON-stage message, without Helm's prefixes.
pub(crate) fn apply_yaml(md: &mut Metadata, doc: &Value) -> Result<(), String> {
    if let Some(obj) = top_object(doc, "v2.Metadata")? {
        apply_metadata(md, decode_struct(obj, METADATA_FIELDS, "Metadata", "")?);
    }
    Ok(())
}

/// The `apiVersion` Helm's loader dispatches on (`loader.chartBase`).
pub(crate) fn api_version_of(doc: &Value) -> Result<String, String> {
    let mut out = String::new();
    if let Some(obj) = top_object(doc, "loader.chartBase")? {
        for (_, f) in decode_struct(obj, CHART_BASE_FIELDS, "chartBase", "")? {
            if let Field::Str(s) = f {
                out = s;
            }
        }
    }
    Ok(out)
}

/// Reads a lock file document.
pub(crate) fn lock_from(doc: &Value) -> Result<Lock, String> {
    let mut lock = Lock::default();
    if let Some(obj) = top_object(doc, "v2.Lock")? {
        for (name, f) in decode_struct(obj, LOCK_FIELDS, "Lock", "")? {
            match (name, f) {
                ("generated", Field::Str(s)) => lock.generated = s,
                ("digest", Field::Str(s)) => lock.digest = s,
                ("dependencies", Field::Dependencies(d)) => lock.dependencies = d,
                _ => {}
            }
        }
    }
    Ok(lock)
}

/// Go's `time.Parse(time.RFC3339, s)` error for a malformed timestamp (`None` when the
/// layout matches; field ranges are not checked).
fn rfc3339_error(s: &str) -> Option<String> {
    let fail = |rest: &str, elem: &str| {
        Some(format!(
            "parsing time {s:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse {rest:?} as {elem:?}"
        ))
    };
    let digits = |rest: &str, n: usize| {
        rest.len() >= n && rest.as_bytes()[..n].iter().all(u8::is_ascii_digit)
    };
    let steps: [(&str, usize); 11] = [
        ("2006", 4),
        ("-", 0),
        ("01", 2),
        ("-", 0),
        ("02", 2),
        ("T", 0),
        ("15", 2),
        (":", 0),
        ("04", 2),
        (":", 0),
        ("05", 2),
    ];
    let mut rest = s;
    for (elem, n) in steps {
        if n == 0 {
            match rest.strip_prefix(elem) {
                Some(r) => rest = r,
                None => return fail(rest, elem),
            }
        } else if digits(rest, n) {
            rest = &rest[n..];
        } else {
            return fail(rest, elem);
        }
    }
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[n..];
    }
    if rest == "Z" {
        return None;
    }
    let b = rest.as_bytes();
    let zone_ok = b.len() == 6
        && (b[0] == b'+' || b[0] == b'-')
        && digits(&rest[1..], 2)
        && b[3] == b':'
        && digits(&rest[4..], 2);
    if zone_ok { None } else { fail(rest, "Z07:00") }
}

/// Helm's `sanitizeString`: white space becomes a space, non-printable characters are
/// dropped. Go's `unicode.IsPrint` is approximated by excluding control, format and
/// private-use characters.
pub(crate) fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if is_printable(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

fn is_printable(c: char) -> bool {
    let cp = u32::from(c);
    !(c.is_control()
        || cp == 0xAD
        || (0x600..=0x605).contains(&cp)
        || (0x200B..=0x200F).contains(&cp)
        || (0x202A..=0x202E).contains(&cp)
        || (0x2060..=0x206F).contains(&cp)
        || cp == 0xFEFF
        || (0xFFF9..=0xFFFB).contains(&cp)
        || (0xE000..=0xF8FF).contains(&cp)
        || cp >= 0xF0000)
}

/// Go's `path.Base` as `filepath.Base` applies on Unix.
fn go_base(p: &str) -> &str {
    if p.is_empty() {
        return ".";
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/";
    }
    t.rfind('/').map_or(t, |i| &t[i + 1..])
}

fn is_alias_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Helm's `Metadata.Validate`: sanitizes strings in place and returns the message of the
/// first problem (without the `validation: ` prefix).
pub(crate) fn validate(md: &mut Metadata) -> Result<(), String> {
    for s in [
        &mut md.name,
        &mut md.description,
        &mut md.home,
        &mut md.icon,
        &mut md.condition,
        &mut md.tags,
        &mut md.app_version,
        &mut md.kube_version,
    ] {
        *s = sanitize(s);
    }
    for s in md.sources.iter_mut().chain(md.keywords.iter_mut()) {
        *s = sanitize(s);
    }
    if md.api_version.is_empty() {
        return Err("chart.metadata.apiVersion is required".into());
    }
    if md.name.is_empty() {
        return Err("chart.metadata.name is required".into());
    }
    if md.name != go_base(&md.name) {
        return Err(format!("chart.metadata.name {:?} is invalid", md.name));
    }
    if md.version.is_empty() {
        return Err("chart.metadata.version is required".into());
    }
    if Version::parse(&md.version).is_err() {
        return Err(format!(
            "chart.metadata.version {:?} is invalid",
            md.version
        ));
    }
    if !matches!(md.chart_type.as_str(), "" | "application" | "library") {
        return Err("chart.metadata.type must be application or library".into());
    }
    for m in &mut md.maintainers {
        let Some(m) = m else {
            return Err("maintainers must not contain empty or null nodes".into());
        };
        m.name = sanitize(&m.name);
        m.email = sanitize(&m.email);
        m.url = sanitize(&m.url);
    }
    let mut seen = std::collections::HashSet::new();
    for d in &mut md.dependencies {
        let Some(d) = d else {
            return Err("dependencies must not contain empty or null nodes".into());
        };
        d.name = sanitize(&d.name);
        d.version = sanitize(&d.version);
        d.repository = sanitize(&d.repository);
        d.condition = sanitize(&d.condition);
        for t in &mut d.tags {
            *t = sanitize(t);
        }
        if !d.alias.is_empty() && !is_alias_name(&d.alias) {
            return Err(format!(
                "dependency {:?} has disallowed characters in the alias",
                d.name
            ));
        }
        let key = if d.alias.is_empty() {
            &d.name
        } else {
            &d.alias
        };
        if !seen.insert(key.clone()) {
            return Err(format!(
                "more than one dependency with name or alias {key:?}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{NumberMode, yaml_to_value};

    fn md(text: &str) -> Result<Metadata, String> {
        let doc = yaml_to_value(text, NumberMode::Preserve).map_err(|e| e.to_string())?;
        let mut md = Metadata::default();
        apply_yaml(&mut md, &doc)?;
        Ok(md)
    }

    #[test]
    fn formats_float32_like_go() {
        assert_eq!(format_float32_g(1.10), "1.1");
        assert_eq!(format_float32_g(1.0), "1");
        assert_eq!(format_float32_g(1.234_567_891_2), "1.2345679");
        assert_eq!(format_float32_g(1000.0), "1000");
        assert_eq!(format_float32_g(1e6), "1e+06");
        assert_eq!(format_float32_g(123456.0), "123456");
        assert_eq!(format_float32_g(0.0001), "0.0001");
        assert_eq!(format_float32_g(0.00001), "1e-05");
        assert_eq!(format_float32_g(-2.5), "-2.5");
    }

    #[test]
    fn scalars_become_strings_for_string_fields() {
        let m = md("apiVersion: v2\nName: z\nversion: 1.0\nappVersion: 1.10\n\
                    keywords: [1, true, 1e3, 0x10, ~]\nkubeVersion: 1.35\n")
        .unwrap();
        assert_eq!(m.name, "z", "field names match case-insensitively");
        assert_eq!(m.version, "1");
        assert_eq!(m.app_version, "1.1");
        assert_eq!(m.keywords, vec!["1", "true", "1000", "16", ""]);
        assert_eq!(m.kube_version, "1.35");
    }

    #[test]
    fn sorted_keys_last_one_wins() {
        // "NAME" sorts before "name", so "name" is applied last.
        assert_eq!(md("name: z\nNAME: other\n").unwrap().name, "z");
    }

    #[test]
    fn type_errors_use_go_wording() {
        assert_eq!(
            md("name: [1]\n").unwrap_err(),
            "json: cannot unmarshal array into Go struct field Metadata.name of type string"
        );
        assert_eq!(
            md("dependencies:\n- name: a\n  enabled: \"yes\"\n").unwrap_err(),
            "json: cannot unmarshal string into Go struct field Dependency.dependencies.enabled of type bool"
        );
        assert_eq!(
            md("maintainers: [a]\n").unwrap_err(),
            "json: cannot unmarshal string into Go struct field Metadata.maintainers of type v2.Maintainer"
        );
        assert_eq!(
            md("annotations: [1]\n").unwrap_err(),
            "json: cannot unmarshal array into Go struct field Metadata.annotations of type map[string]string"
        );
        assert_eq!(
            md("keywords: x\n").unwrap_err(),
            "json: cannot unmarshal string into Go struct field Metadata.keywords of type []string"
        );
        // The first error in sorted key order is reported.
        assert_eq!(
            md("name: [z]\nkeywords: [[1]]\n").unwrap_err(),
            "json: cannot unmarshal array into Go struct field Metadata.keywords of type string"
        );
        assert_eq!(
            md("[1, 2]\n").unwrap_err(),
            "json: cannot unmarshal array into Go value of type v2.Metadata"
        );
    }

    #[test]
    fn reads_dependencies() {
        let m = md(
            "dependencies:\n- name: sub\n  version: 1.x\n  alias: s\n  tags: [a, 1]\n  \
                    import-values: [a, {child: b, parent: c}]\n  condition: sub.enabled\n- ~\n",
        )
        .unwrap();
        let d = m.dependencies[0].as_ref().unwrap();
        assert_eq!(
            (d.name.as_str(), d.version.as_str(), d.alias.as_str()),
            ("sub", "1.x", "s")
        );
        assert_eq!(d.tags, vec!["a", "1"]);
        assert_eq!(d.import_values.len(), 2);
        assert_eq!(d.condition, "sub.enabled");
        assert!(m.dependencies[1].is_none());
    }

    fn valid(text: &str) -> Result<Metadata, String> {
        let mut m = md(text)?;
        validate(&mut m)?;
        Ok(m)
    }

    #[test]
    fn validation_messages() {
        let base = "apiVersion: v2\nname: z\nversion: 1.0.0\n";
        assert_eq!(
            valid("name: z\nversion: 1.0.0\n").unwrap_err(),
            "chart.metadata.apiVersion is required"
        );
        assert_eq!(
            valid("apiVersion: v2\nversion: 1.0.0\n").unwrap_err(),
            "chart.metadata.name is required"
        );
        assert_eq!(
            valid("apiVersion: v2\nname: a/b\nversion: 1\n").unwrap_err(),
            "chart.metadata.name \"a/b\" is invalid"
        );
        assert_eq!(
            valid("apiVersion: v2\nname: z\n").unwrap_err(),
            "chart.metadata.version is required"
        );
        assert_eq!(
            valid("apiVersion: v2\nname: z\nversion: 1.2.3.4\n").unwrap_err(),
            "chart.metadata.version \"1.2.3.4\" is invalid"
        );
        assert_eq!(
            valid(&format!("{base}type: foo\n")).unwrap_err(),
            "chart.metadata.type must be application or library"
        );
        assert_eq!(
            valid(&format!("{base}maintainers: [~]\n")).unwrap_err(),
            "maintainers must not contain empty or null nodes"
        );
        assert_eq!(
            valid(&format!("{base}dependencies: [~]\n")).unwrap_err(),
            "dependencies must not contain empty or null nodes"
        );
        assert_eq!(
            valid(&format!("{base}dependencies:\n- name: x\n  alias: a.b\n")).unwrap_err(),
            "dependency \"x\" has disallowed characters in the alias"
        );
        assert_eq!(
            valid(&format!(
                "{base}dependencies:\n- name: x\n- name: y\n  alias: x\n"
            ))
            .unwrap_err(),
            "more than one dependency with name or alias \"x\""
        );
        assert!(valid("apiVersion: v2\nname: z\nversion: v1.2.3+meta\ntype: library\n").is_ok());
        assert!(valid("apiVersion: v2\nname: z\nversion: 01.2.3\n").is_ok());
    }

    #[test]
    fn sanitizes_strings() {
        let m = valid(
            "apiVersion: v2\nname: \" z\\t\"\nversion: 1.0.0\ndescription: \"a\\tb\\x01c\"\n",
        )
        .unwrap();
        assert_eq!(m.name, " z ");
        assert_eq!(m.description, "a bc");
    }

    #[test]
    fn lock_and_api_version() {
        let doc = yaml_to_value("apiVersion: 2\n", NumberMode::Preserve).unwrap();
        assert_eq!(api_version_of(&doc).unwrap(), "2");
        let doc = yaml_to_value(
            "generated: \"2024-01-25T14:25:02.471578+01:00\"\ndigest: sha256:x\n",
            NumberMode::Preserve,
        )
        .unwrap();
        let lock = lock_from(&doc).unwrap();
        assert_eq!(lock.digest, "sha256:x");
        let err = |text: &str| {
            lock_from(&yaml_to_value(text, NumberMode::Preserve).unwrap()).unwrap_err()
        };
        // Helm v4.1.4's messages for these Chart.lock files.
        assert_eq!(
            err("generated: yesterday\n"),
            "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"yesterday\" as \"2006\""
        );
        assert_eq!(
            err("generated: 2021-01-01\n"),
            "parsing time \"2021-01-01\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"T\""
        );
        assert_eq!(
            err("dependencies: 3\n"),
            "json: cannot unmarshal number into Go struct field Lock.dependencies of type []*v2.Dependency"
        );
        let doc = yaml_to_value("generated: 2021-01-01T00:00:00Z\n", NumberMode::Preserve).unwrap();
        assert_eq!(lock_from(&doc).unwrap().generated, "2021-01-01T00:00:00Z");
    }
}
