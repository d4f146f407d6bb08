//! Go objects Helm puts into the top-level template data: `.Capabilities` (with
//! `APIVersions.Has`, `KubeVersion`, `HelmVersion`) and `.Files` (with `Get`, `GetBytes`,
//! `Glob`, `Lines`, `AsConfig`, `AsSecrets`) and `common.Values` (`.Values` and the top-level
//! object), as [`Object`] implementations.

use std::any::Any;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::chart::{Contents, ReadError};
use crate::template::gofmt::{format_v, quote};
use crate::template::{FuncError, MapRef, Object, Value, string_from_bytes};

/// API versions Helm v4 reports as available without a cluster (`common.DefaultVersionSet`
/// for Kubernetes 1.35: every group version of client-go's scheme plus apiextensions).
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "v1",
    "apiextensions.k8s.io/v1",
    "apiextensions.k8s.io/v1beta1",
];

/// Helm's `common.KubeVersion`: the Kubernetes version as given (`Version`, also
/// `GitVersion`), its normalized form used for constraint checks and printing (`String`), and
/// the major and minor numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeVersion {
    /// Full version with a `v` prefix, as given (e.g. `v1.13.0+icp`).
    pub version: String,
    /// Normalized version (e.g. `v1.13.0`): what `String` returns and constraints check.
    pub normalized: String,
    /// Major number as text.
    pub major: String,
    /// Minor number as text.
    pub minor: String,
}

impl KubeVersion {
    /// Helm's `common.ParseKubeVersion` (Kubernetes' generic version parsing): `v` prefix
    /// optional, at least two numeric components, anything after them ignored. The error
    /// text is Kubernetes' wording.
    pub fn parse(text: &str) -> Result<KubeVersion, String> {
        let trimmed = text.trim_start();
        let body = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let numbers_end = numeric_prefix_len(body);
        if numbers_end == 0 {
            return Err(format!("could not parse {} as version", quote(text)));
        }
        let components: Vec<&str> = body[..numbers_end].split('.').collect();
        if components.len() < 2 {
            return Err(format!("illegal version string {}", quote(text)));
        }
        let mut nums = Vec::with_capacity(components.len());
        for (i, comp) in components.iter().enumerate() {
            if i == 0 && comp.starts_with('0') && *comp != "0" {
                return Err(format!(
                    "illegal zero-prefixed version component {} in {}",
                    quote(comp),
                    quote(text)
                ));
            }
            let n: u64 = comp.parse().map_err(|_| {
                format!(
                    "illegal non-numeric version component {} in {}: strconv.ParseUint: parsing {}: value out of range",
                    quote(comp),
                    quote(text),
                    quote(comp)
                )
            })?;
            nums.push(n.to_string());
        }
        let version = if text.starts_with('v') {
            text.to_string()
        } else {
            format!("v{text}")
        };
        Ok(KubeVersion {
            version,
            normalized: format!("v{}", nums.join(".")),
            major: nums[0].clone(),
            minor: nums[1].clone(),
        })
    }
}

/// Length of the leading `N(.N)*` part of `s` (a trailing `.` not followed by a digit is
/// not part of it).
fn numeric_prefix_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    let mut end = 0;
    loop {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return end;
        }
        end = i;
        if i < b.len() && b[i] == b'.' {
            i += 1;
        } else {
            return end;
        }
    }
}

/// Helm's `.Capabilities`: what the (possibly simulated) cluster and Helm offer.
#[derive(Debug, Clone)]
pub struct Capabilities {
    /// Kubernetes version (default `v1.35.0`).
    pub kube_version: KubeVersion,
    /// Available API versions (`group/version` and optionally `group/version/Kind`).
    pub api_versions: Vec<String>,
    /// Helm's build information.
    pub helm_version: HelmVersion,
}

/// Helm's `helmversion.BuildInfo` as templates see it under `.Capabilities.HelmVersion`.
#[derive(Debug, Clone)]
pub struct HelmVersion {
    /// Helm release, e.g. `v4.1.4`.
    pub version: String,
    /// Git commit of the build.
    pub git_commit: String,
    /// `clean` or `dirty`.
    pub git_tree_state: String,
    /// Go toolchain version.
    pub go_version: String,
    /// Kubernetes client version, e.g. `v1.35`.
    pub kube_client_version: String,
}

impl Default for Capabilities {
    /// What `helm template` v4.1.4 uses without a cluster.
    fn default() -> Self {
        Capabilities {
            kube_version: KubeVersion {
                version: "v1.35.0".into(),
                normalized: "v1.35.0".into(),
                major: "1".into(),
                minor: "35".into(),
            },
            api_versions: DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect(),
            helm_version: HelmVersion {
                version: "v4.1.4".into(),
                git_commit: "05fa37973dc9e42b76e1d2883494c87174b6074f".into(),
                git_tree_state: "clean".into(),
                go_version: "go1.25.9".into(),
                kube_client_version: "v1.35".into(),
            },
        }
    }
}

impl Capabilities {
    /// The template value for `.Capabilities`.
    pub fn to_value(&self) -> Value {
        Value::Object(Rc::new(CapsObject {
            kube_version: Value::Object(Rc::new(KubeVersionObject(self.kube_version.clone()))),
            api_versions: Value::Object(Rc::new(VersionSet(self.api_versions.clone()))),
            helm_version: Value::Object(Rc::new(BuildInfo(self.helm_version.clone()))),
            caps: self.clone(),
        }))
    }
}

/// `.Capabilities` with its field objects built once (templates read
/// `.Capabilities.APIVersions` and `.Capabilities.KubeVersion` over and over; Go hands out
/// the same values each time too).
#[derive(Debug)]
struct CapsObject {
    caps: Capabilities,
    kube_version: Value,
    api_versions: Value,
    helm_version: Value,
}

impl Object for CapsObject {
    fn type_name(&self) -> String {
        "*common.Capabilities".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(self.kube_version.clone()),
            "APIVersions" => Some(self.api_versions.clone()),
            "HelmVersion" => Some(self.helm_version.clone()),
            _ => None,
        }
    }
    fn format_v(&self) -> String {
        let c = &self.caps;
        let h = &c.helm_version;
        let k = &c.kube_version;
        format!(
            "&{{{{{} {} {} {}}} [{}] {{{} {} {} {} {}}}}}",
            k.version,
            k.normalized,
            k.major,
            k.minor,
            c.api_versions.join(" "),
            h.version,
            h.git_commit,
            h.git_tree_state,
            h.go_version,
            h.kube_client_version
        )
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `common.KubeVersion`: `Version`, `Major`, `Minor` and the `GitVersion`/`String` methods;
/// printed through its `String` method (the normalized version), as text/template does for
/// an addressable struct field.
#[derive(Debug)]
struct KubeVersionObject(KubeVersion);

impl Object for KubeVersionObject {
    fn type_name(&self) -> String {
        "common.KubeVersion".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::String(self.0.version.clone())),
            "Major" => Some(Value::String(self.0.major.clone())),
            "Minor" => Some(Value::String(self.0.minor.clone())),
            _ => None,
        }
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "GitVersion" | "String")
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        no_args(name, args)?;
        Ok(Value::String(if name == "GitVersion" {
            self.0.version.clone()
        } else {
            self.0.normalized.clone()
        }))
    }
    fn format_v(&self) -> String {
        self.0.normalized.clone()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `common.VersionSet` (`[]string` with a `Has` method).
#[derive(Debug)]
struct VersionSet(Vec<String>);

impl Object for VersionSet {
    fn type_name(&self) -> String {
        "common.VersionSet".into()
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        if args.len() != 1 {
            return Err(FuncError::Exec(format!(
                "wrong number of args for {name}: want 1 got {}",
                args.len()
            )));
        }
        match &args[0] {
            Value::String(s) => Ok(Value::Bool(self.0.iter().any(|v| v == s))),
            other => Err(FuncError::WrongType {
                arg: 0,
                expected: "string".into(),
                got: other.type_name(),
            }),
        }
    }
    fn format_v(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
    fn length(&self) -> Option<usize> {
        Some(self.0.len())
    }
    fn list_items(&self) -> Option<Rc<Vec<Value>>> {
        Some(Rc::new(
            self.0.iter().map(|s| Value::String(s.clone())).collect(),
        ))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `version.BuildInfo`.
#[derive(Debug)]
struct BuildInfo(HelmVersion);

impl Object for BuildInfo {
    fn type_name(&self) -> String {
        "version.BuildInfo".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        let h = &self.0;
        let s = match name {
            "Version" => &h.version,
            "GitCommit" => &h.git_commit,
            "GitTreeState" => &h.git_tree_state,
            "GoVersion" => &h.go_version,
            "KubeClientVersion" => &h.kube_client_version,
            _ => return None,
        };
        Some(Value::String(s.clone()))
    }
    fn format_v(&self) -> String {
        let h = &self.0;
        format!(
            "{{{} {} {} {} {}}}",
            h.version, h.git_commit, h.git_tree_state, h.go_version, h.kube_client_version
        )
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn no_args(name: &str, args: &[Value]) -> Result<(), FuncError> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(FuncError::Exec(format!(
            "wrong number of args for {name}: want 0 got {}",
            args.len()
        )))
    }
}

/// Helm's `.Files`: the chart's non-template files by chart-relative path (a Go
/// `map[string][]byte` with methods). Files a directory chart left on disk are read when a
/// template first asks for their contents.
#[derive(Debug, Clone, Default)]
pub struct Files(pub BTreeMap<String, Contents>);

impl Files {
    /// The template value for `.Files`.
    pub fn to_value(&self) -> Value {
        Value::Object(Rc::new(self.clone()))
    }

    /// `Glob`: the files whose path matches a gobwas/glob pattern (`*` stays within one path
    /// segment, `**` crosses segments); an invalid pattern matches everything, as in Helm.
    pub fn glob(&self, pattern: &str) -> Files {
        // An invalid pattern falls back to `**`, which matches every file.
        let re = glob_regex(pattern);
        Files(
            self.0
                .iter()
                .filter(|(k, _)| re.as_ref().is_none_or(|r| r.is_match(k)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    /// `Lines`: the file split at `\n`, without a final empty line.
    pub fn lines(&self, path: &str) -> Result<Vec<String>, ReadError> {
        let Some(b) = self.0.get(path) else {
            return Ok(Vec::new());
        };
        let mut s = string_from_bytes(&b.read()?);
        if s.is_empty() {
            return Ok(Vec::new());
        }
        if s.ends_with('\n') {
            s.pop();
        }
        Ok(s.split('\n').map(str::to_string).collect())
    }

    /// The contents of `path` (empty for a file that is not there, as in Go).
    fn get(&self, path: &str) -> Result<Arc<[u8]>, ReadError> {
        self.0
            .get(path)
            .map_or(Ok(Arc::from(&[][..])), Contents::read)
    }

    /// `AsConfig` / `AsSecrets`: the files by base name as YAML (contents base64-encoded
    /// for secrets).
    fn as_yaml(&self, secrets: bool) -> Result<String, ReadError> {
        let mut m = serde_json::Map::new();
        for (k, v) in &self.0 {
            let base = k.rsplit('/').next().unwrap_or(k).to_string();
            let v = v.read()?;
            let text = if secrets {
                base64_std(&v)
            } else {
                string_from_bytes(&v)
            };
            m.insert(base, serde_json::Value::String(text));
        }
        Ok(crate::yaml::to_yaml_trimmed(&serde_json::Value::Object(m)).unwrap_or_default())
    }
}

/// Translates a gobwas/glob pattern with separator `/` into an anchored regex.
fn glob_regex(pattern: &str) -> Option<regex::Regex> {
    let mut re = String::from("^(?s:");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut in_alt = 0usize;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                re.push_str(".*");
                i += 1;
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' => {
                let end = chars[i + 1..].iter().position(|&x| x == ']')? + i + 1;
                let mut class: String = chars[i + 1..end].iter().collect();
                if let Some(rest) = class.strip_prefix('!') {
                    class = format!("^{rest}");
                }
                re.push('[');
                re.push_str(&class.replace('\\', "\\\\"));
                re.push(']');
                i = end;
            }
            '{' => {
                in_alt += 1;
                re.push_str("(?:");
            }
            '}' if in_alt > 0 => {
                in_alt -= 1;
                re.push(')');
            }
            ',' if in_alt > 0 => re.push('|'),
            '\\' => {
                i += 1;
                re.push_str(&regex::escape(&chars.get(i)?.to_string()));
            }
            other => re.push_str(&regex::escape(&other.to_string())),
        }
        i += 1;
    }
    if in_alt > 0 {
        return None;
    }
    re.push_str(")$");
    regex::Regex::new(&re).ok()
}

fn base64_std(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (j, shift) in [18u32, 12, 6, 0].iter().enumerate() {
            if j <= chunk.len() {
                out.push(T[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A Go `[]byte` as a template value.
fn bytes_value(b: &[u8]) -> Value {
    Value::list(b.iter().map(|&x| Value::Int(i64::from(x))).collect())
}

impl Object for Files {
    fn type_name(&self) -> String {
        "engine.files".into()
    }
    /// A file that can no longer be read has no value (an execution error naming the
    /// field), rather than looking empty.
    fn field(&self, name: &str) -> Option<Value> {
        self.get(name).ok().map(|b| bytes_value(&b))
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Get" | "GetBytes" | "Glob" | "Lines" | "AsConfig" | "AsSecrets"
        )
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let want = usize::from(!matches!(name, "AsConfig" | "AsSecrets"));
        if args.len() != want {
            return Err(FuncError::Exec(format!(
                "wrong number of args for {name}: want {want} got {}",
                args.len()
            )));
        }
        let arg = match args.first() {
            None => "",
            Some(Value::String(s)) => s.as_str(),
            Some(other) => {
                return Err(FuncError::WrongType {
                    arg: 0,
                    expected: "string".into(),
                    got: other.type_name(),
                });
            }
        };
        let unreadable = |e: ReadError| FuncError::Call(e.to_string());
        Ok(match name {
            "Get" => Value::String(string_from_bytes(&self.get(arg).map_err(unreadable)?)),
            "GetBytes" => bytes_value(&self.get(arg).map_err(unreadable)?),
            "Glob" => self.glob(arg).to_value(),
            "Lines" => Value::string_list(self.lines(arg).map_err(unreadable)?),
            "AsConfig" => Value::String(self.as_yaml(false).map_err(unreadable)?),
            _ => Value::String(self.as_yaml(true).map_err(unreadable)?),
        })
    }
    fn format_v(&self) -> String {
        let items: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| match v.read() {
                Ok(b) => format!("{k}:{}", format_v(&bytes_value(&b))),
                Err(e) => format!("{k}:<{e}>"),
            })
            .collect();
        format!("map[{}]", items.join(" "))
    }
    fn length(&self) -> Option<usize> {
        Some(self.0.len())
    }
    /// `None` (an execution error) when a file can no longer be read.
    fn map_entries(&self) -> Option<Vec<(String, Value)>> {
        self.0
            .iter()
            .map(|(k, v)| Some((k.clone(), bytes_value(&v.read().ok()?))))
            .collect()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> Files {
        Files(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), Contents::from(*v)))
                .collect(),
        )
    }

    #[test]
    fn glob_star_stays_in_segment() {
        let f = files(&[("conf/a.txt", "a"), ("conf/sub/b.txt", "b"), ("x", "")]);
        let one: Vec<_> = f.glob("conf/*").0.into_keys().collect();
        assert_eq!(one, vec!["conf/a.txt"]);
        let all: Vec<_> = f.glob("conf/**").0.into_keys().collect();
        assert_eq!(all, vec!["conf/a.txt", "conf/sub/b.txt"]);
        let alt: Vec<_> = f.glob("{x,y}").0.into_keys().collect();
        assert_eq!(alt, vec!["x"]);
    }

    #[test]
    fn as_config_and_secrets() {
        let f = files(&[("conf/a.txt", "ay\n"), ("conf/b.txt", "bee")]);
        assert_eq!(f.as_yaml(false).unwrap(), "a.txt: |\n  ay\nb.txt: bee");
        assert_eq!(files(&[("a", "ay")]).as_yaml(true).unwrap(), "a: YXk=");
    }

    /// A file left on disk is read when a template asks for it; one that vanished since the
    /// chart was loaded is an error naming it, never empty contents.
    #[test]
    fn files_left_on_disk_are_read_on_use_or_fail_loudly() {
        let dir = std::env::temp_dir().join(format!("rudder-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("conf.txt");
        std::fs::write(&path, "k: v\n").unwrap();
        let mut f = Files::default();
        f.0.insert("conf.txt".into(), Contents::deferred(path.clone()));
        f.0.insert("gone.txt".into(), Contents::deferred(dir.join("gone.txt")));
        assert_eq!(
            f.call_method("Get", &["conf.txt".into()]).unwrap(),
            Value::String("k: v\n".into())
        );
        let err = f.call_method("Get", &["gone.txt".into()]).unwrap_err();
        let FuncError::Call(msg) = err else {
            panic!("not a call error: {err:?}");
        };
        assert!(
            msg.contains("gone.txt") && msg.contains("no such file"),
            "{msg}"
        );
        assert!(f.call_method("AsConfig", &[]).is_err());
        assert!(f.field("gone.txt").is_none());
        assert!(f.map_entries().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lines_drop_one_trailing_newline() {
        let f = files(&[("a", "l1\nl2\n"), ("b", "x\r\ny")]);
        assert_eq!(f.lines("a").unwrap(), vec!["l1", "l2"]);
        assert_eq!(f.lines("b").unwrap(), vec!["x\r", "y"]);
        assert!(f.lines("nope").unwrap().is_empty());
    }

    #[test]
    fn values_methods() {
        let m = Value::from_json_go(&serde_json::json!({"m": {"a": 1}, "s": "x"}));
        let wrapped = Values::wrap(m);
        let Value::Object(v) = &wrapped else {
            panic!("not wrapped");
        };
        assert_eq!(v.type_name(), "common.Values");
        let t = v.call_method("Table", &["m".into()]).unwrap();
        assert_eq!(format_v(&t), "map[a:1]");
        assert_eq!(
            v.call_method("Table", &["s".into()]),
            Err(FuncError::Call("\"s\" is not a table".into()))
        );
        assert_eq!(
            v.call_method("YAML", &[]),
            Ok(Value::String("m:\n  a: 1\ns: x\n".into()))
        );
        assert_eq!(
            v.call_method("AsMap", &[]).unwrap().type_name(),
            "map[string]interface {}"
        );
    }

    #[test]
    fn kube_versions_parse_as_kubernetes_generic_versions() {
        let k = KubeVersion::parse("1.13.0+icp").unwrap();
        assert_eq!(k.version, "v1.13.0+icp");
        assert_eq!(k.normalized, "v1.13.0");
        assert_eq!((k.major.as_str(), k.minor.as_str()), ("1", "13"));
        assert_eq!(KubeVersion::parse("v1.30").unwrap().normalized, "v1.30");
        assert_eq!(
            KubeVersion::parse("1").unwrap_err(),
            "illegal version string \"1\""
        );
        assert_eq!(
            KubeVersion::parse("x").unwrap_err(),
            "could not parse \"x\" as version"
        );
    }

    #[test]
    fn version_set_has() {
        let caps = Capabilities::default();
        assert_eq!(caps.api_versions.len(), 57);
        let vs = VersionSet(caps.api_versions);
        assert_eq!(
            vs.call_method("Has", &["apps/v1".into()]),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            vs.call_method("Has", &["nope/v1".into()]),
            Ok(Value::Bool(false))
        );
    }
}

/// Helm's `common.Values`: a `map[string]interface{}` with methods (`YAML`, `AsMap`,
/// `Table`). `.Values` and the top-level object of every template have this type; methods
/// shadow keys of the same name, and `typeOf` prints `common.Values`.
#[derive(Debug)]
pub struct Values(pub MapRef);

impl Values {
    /// Wraps a map value as `common.Values` (other values are returned unchanged).
    pub fn wrap(v: Value) -> Value {
        match v.as_map() {
            Some(m) => Value::Object(Rc::new(Values(m.clone()))),
            None => v,
        }
    }

    /// `Table("a.b")`: the nested table at a dotted path.
    fn table(&self, path: &str) -> Result<Value, FuncError> {
        let mut cur = self.0.clone();
        for key in path.split('.') {
            let next = cur.borrow().get(key).cloned();
            match next.as_ref().and_then(Value::as_map_like) {
                Some(m) => cur = m.clone(),
                None => {
                    return Err(FuncError::Call(format!(
                        "{} is not a table",
                        crate::template::gofmt::quote(key)
                    )));
                }
            }
        }
        Ok(Values::wrap(Value::Map(cur)))
    }
}

impl Object for Values {
    fn type_name(&self) -> String {
        "common.Values".into()
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.0.borrow().get(name).cloned()
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "YAML" | "AsMap" | "Table")
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        if name == "Table" {
            if args.len() != 1 {
                return Err(FuncError::Exec(format!(
                    "wrong number of args for Table: want 1 got {}",
                    args.len()
                )));
            }
            return match &args[0] {
                Value::String(s) => self.table(s),
                other => Err(FuncError::WrongType {
                    arg: 0,
                    expected: "string".into(),
                    got: other.type_name(),
                }),
            };
        }
        no_args(name, args)?;
        let map = Value::Map(self.0.clone());
        if name == "AsMap" {
            return Ok(map);
        }
        crate::yaml::to_yaml(&map.to_json())
            .map(Value::String)
            .map_err(|e| FuncError::Call(e.to_string()))
    }
    fn format_v(&self) -> String {
        format_v(&Value::Map(self.0.clone()))
    }
    fn truthy(&self) -> bool {
        !self.0.borrow().is_empty()
    }
    fn length(&self) -> Option<usize> {
        Some(self.0.borrow().len())
    }
    fn as_map(&self) -> Option<&MapRef> {
        Some(&self.0)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
