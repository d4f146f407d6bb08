//! Helm's own template functions (`helm.sh/helm/v4/pkg/engine` `funcs.go` and the closures
//! `initFunMap` adds): `include`, `tpl`, `required`, `fail`, `lookup`, `getHostByName`, the
//! YAML/JSON/TOML converters, registered over Sprig exactly where Helm overrides it.

use std::cell::RefCell;
use std::rc::Rc;

use crate::template::funcs::FxHashMap;
use crate::template::gofmt::quote;
use crate::template::{Arity, CallContext, FuncError, FuncMap, FuncResult, Value, sprig};
use crate::yaml;

/// Helm's nested `include` limit per template name (`recursionMaxNums`).
const MAX_INCLUDE_NESTING: u32 = 1000;

/// Marks a `fail`/`required` message so the engine can report it as
/// `execution error at (LOCATION): MESSAGE`.
pub(crate) const WARN_START: &str = "HELM_ERR_START";
/// End marker of a `fail`/`required` message.
pub(crate) const WARN_END: &str = "HELM_ERR_END";

/// The `lookup` hook: `(apiVersion, kind, namespace, name)` to the object (or list) as a
/// template value, or an error message. Offline Helm returns an empty map.
pub type LookupFn = Rc<dyn Fn(&str, &str, &str, &str) -> Result<Value, String>>;

/// Every function a Helm chart template can call: Sprig, then Helm's replacements and
/// additions. `lookup` uses `lookup_hook` when given, else returns an empty map as
/// `helm template` does.
pub fn helm_funcs(lookup_hook: Option<LookupFn>) -> FuncMap {
    let mut m = sprig::funcs();
    register_converters(&mut m);
    register_engine_funcs(&mut m, lookup_hook);
    m
}

fn wrap_warning(msg: &str) -> FuncError {
    FuncError::Call(format!("{WARN_START}{msg}{WARN_END}"))
}

/// JSON view of a template value for the YAML/JSON encoders.
fn json_of(v: &Value) -> serde_json::Value {
    v.to_json()
}

/// The first NaN/Inf inside `v`: Go's `encoding/json` refuses them (`Value::to_json` would
/// silently turn them into null).
fn unsupported_float(v: &Value, depth: usize) -> Option<f64> {
    match v {
        Value::Float(f) if !f.is_finite() => Some(*f),
        Value::List(l, _) if depth < crate::template::value::MAX_NESTING => {
            l.iter().find_map(|x| unsupported_float(x, depth + 1))
        }
        Value::Map(m) if depth < crate::template::value::MAX_NESTING => m
            .borrow()
            .values()
            .find_map(|x| unsupported_float(x, depth + 1)),
        _ => None,
    }
}

/// `json.Marshal`-based conversions shared by toYaml/toJson: Go's error for NaN/Inf.
fn marshal_check(v: &Value) -> Result<serde_json::Value, String> {
    if v.is_cyclic() {
        return Err(
            "json: unsupported value: encountered a cycle via map[string]interface {}".into(),
        );
    }
    if let Some(f) = unsupported_float(v, 0) {
        let text = crate::template::gofmt::format_float(f, 'g', -1);
        return Err(format!("json: unsupported value: {text}"));
    }
    Ok(json_of(v))
}

fn to_yaml(v: &Value) -> Result<String, String> {
    // sigs.k8s.io/yaml.Marshal wraps json.Marshal's error.
    let j = marshal_check(v).map_err(|e| format!("error marshaling into JSON: {e}"))?;
    yaml::to_yaml_trimmed(&j).map_err(|e| e.to_string())
}

fn to_json(v: &Value) -> Result<String, String> {
    sprig::to_json(v, sprig::JsonStyle::Compact)
}

fn map_value(m: serde_json::Map<String, serde_json::Value>) -> Value {
    Value::from_json_go(&serde_json::Value::Object(m))
}

fn list_value(l: Vec<serde_json::Value>) -> Value {
    Value::from_json_go(&serde_json::Value::Array(l))
}

/// How many distinct `fromYaml` inputs [`cached_from_yaml`] remembers before starting over.
const FROM_YAML_CACHE_ENTRIES: usize = 64;

thread_local! {
    /// `fromYaml` results by input text. Charts (ibm-shared-liberty's `slt.config`, for one)
    /// re-parse the same `include` output or file dozens of times per template; parsing is
    /// pure, so the decoded map is kept and each call gets its own deep copy (Go returns a
    /// fresh, mutable map every time).
    static FROM_YAML_CACHE: RefCell<FxHashMap<String, Value>> =
        RefCell::new(FxHashMap::default());
}

/// [`yaml::helm_from_yaml`] as a template map, memoised per thread (see `FROM_YAML_CACHE`).
fn cached_from_yaml(text: &str) -> Value {
    let hit = FROM_YAML_CACHE.with(|c| c.borrow().get(text).map(sprig::deep_copy));
    match hit {
        Some(m) => m,
        None => {
            let m = map_value(yaml::helm_from_yaml(text));
            let copy = sprig::deep_copy(&m);
            FROM_YAML_CACHE.with(|c| {
                let mut c = c.borrow_mut();
                if c.len() >= FROM_YAML_CACHE_ENTRIES {
                    c.clear();
                }
                c.insert(text.to_owned(), m);
            });
            copy
        }
    }
}

/// toYaml, mustToYaml, toYamlPretty, fromYaml, fromYamlArray, toJson, mustToJson, fromJson,
/// fromJsonArray, toToml, fromToml.
fn register_converters(m: &mut FuncMap) {
    m.register("toYaml", Arity::Exact(1), |_, a| {
        Ok(Value::String(to_yaml(&a[0]).unwrap_or_default()))
    });
    m.register("mustToYaml", Arity::Exact(1), |_, a| {
        to_yaml(&a[0]).map(Value::String).map_err(FuncError::Call)
    });
    m.register("toYamlPretty", Arity::Exact(1), |_, a| {
        let j = json_of(&a[0]);
        Ok(Value::String(yaml::to_yaml_pretty(&j).unwrap_or_default()))
    });
    m.register("fromYaml", Arity::Exact(1), |ctx, a| {
        let s = ctx.string_arg(a, 0)?;
        Ok(cached_from_yaml(s))
    });
    m.register("fromYamlArray", Arity::Exact(1), |ctx, a| {
        let s = ctx.string_arg(a, 0)?;
        Ok(list_value(yaml::helm_from_yaml_array(s)))
    });
    m.register("toJson", Arity::Exact(1), |_, a| {
        Ok(Value::String(to_json(&a[0]).unwrap_or_default()))
    });
    m.register("mustToJson", Arity::Exact(1), |_, a| {
        to_json(&a[0]).map(Value::String).map_err(FuncError::Call)
    });
    m.register("fromJson", Arity::Exact(1), |ctx, a| {
        let s = ctx.string_arg(a, 0)?;
        Ok(map_value(yaml::helm_from_json(s)))
    });
    m.register("fromJsonArray", Arity::Exact(1), |ctx, a| {
        let s = ctx.string_arg(a, 0)?;
        Ok(list_value(yaml::helm_from_json_array(s)))
    });
    m.register("toToml", Arity::Exact(1), |_, a| {
        super::toml::to_toml(&a[0])
            .map(Value::String)
            .map_err(FuncError::Call)
    });
    m.register("fromToml", Arity::Exact(1), |ctx, a| {
        let s = ctx.string_arg(a, 0)?;
        Ok(super::toml::from_toml(s))
    });
}

/// include, tpl, required, fail, lookup, getHostByName.
fn register_engine_funcs(m: &mut FuncMap, lookup_hook: Option<LookupFn>) {
    let included: Rc<RefCell<FxHashMap<String, u32>>> = Rc::default();
    m.register("include", Arity::Exact(2), move |ctx, a| {
        let name = ctx.string_arg(a, 0)?;
        include(ctx, &included, name, &a[1])
    });
    m.register("tpl", Arity::Exact(2), |ctx, a| {
        let text = ctx.string_arg(a, 0)?;
        tpl(ctx, text, &a[1])
    });
    m.register("required", Arity::Exact(2), |ctx, a| {
        let warn = ctx.string_arg(a, 0)?;
        match &a[1] {
            Value::Nil => Err(wrap_warning(warn)),
            Value::String(s) if s.is_empty() => Err(wrap_warning(warn)),
            v => Ok(v.clone()),
        }
    });
    m.register("fail", Arity::Exact(1), |ctx, a| {
        Err(wrap_warning(ctx.string_arg(a, 0)?))
    });
    m.register("lookup", Arity::Exact(4), move |ctx, a| {
        let mut s = Vec::with_capacity(4);
        for i in 0..4 {
            s.push(ctx.string_arg(a, i)?.to_string());
        }
        match &lookup_hook {
            Some(f) => f(&s[0], &s[1], &s[2], &s[3]).map_err(FuncError::Call),
            None => Ok(Value::new_map()),
        }
    });
    m.register("getHostByName", Arity::Exact(1), |ctx, a| {
        ctx.string_arg(a, 0)?;
        Ok(Value::String(String::new()))
    });
    // Answers come from outside the chart (the cluster, DNS).
    m.mark_impure(&["lookup", "getHostByName"]);
}

/// Helm's `include`: executes a named template of the current set and returns its output.
fn include(
    ctx: &mut CallContext<'_>,
    included: &RefCell<FxHashMap<String, u32>>,
    name: &str,
    data: &Value,
) -> FuncResult {
    {
        let mut map = included.borrow_mut();
        match map.get_mut(name) {
            Some(count) if *count > MAX_INCLUDE_NESTING => {
                return Err(FuncError::Call(format!(
                    "rendering template has a nested reference name: {name}: unable to execute template"
                )));
            }
            Some(count) => *count += 1,
            None => {
                map.insert(name.to_string(), 1);
            }
        }
    }
    // Helpers such as `common.names.fullname` are included many times per file with the
    // same data; their output is reused while nothing impure has run (see
    // `CallContext::execute_template_memoized`).
    let result = ctx.execute_template_memoized(name, data, MAX_INCLUDE_NESTING as usize);
    if let Some(c) = included.borrow_mut().get_mut(name) {
        *c = c.saturating_sub(1);
    }
    result
        .map(Value::String)
        .map_err(|e| FuncError::Call(e.to_string()))
}

/// Helm's `tpl`: parses `text` as the set's main template in a clone of the set (so it sees
/// every define, and its own defines stay local) and executes it with `data`.
fn tpl(ctx: &mut CallContext<'_>, text: &str, data: &Value) -> FuncResult {
    let mut set = ctx.template().clone();
    let name = set.name().to_string();
    if let Err(e) = set.parse(&name, text) {
        return Err(FuncError::Call(format!(
            "cannot parse template {}: {e}",
            quote(text)
        )));
    }
    match ctx.execute_in(&set, &name, data) {
        Ok(out) => Ok(Value::String(super::engine::remove_no_value(out))),
        Err(e) => Err(FuncError::Call(format!(
            "error during tpl function execution for {}: {e}",
            quote(text)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::engine::{Engine, TemplateFile};

    fn render_with(engine: &Engine, text: &str, helpers: &str) -> Result<String, String> {
        let data = Value::from_json_go(&serde_json::json!({"Values": {"a": "x", "n": 1}}));
        let file = |name: &str, text: &str| TemplateFile {
            name: format!("c/templates/{name}"),
            text: text.into(),
            data: data.clone(),
            base_path: "c/templates".into(),
        };
        let files = [file("t.yaml", text), file("_helpers.tpl", helpers)];
        let mut out = engine.render(&files).map_err(|e| e.to_string())?;
        Ok(out.remove("c/templates/t.yaml").unwrap_or_default())
    }

    /// The function map charts see is exactly Helm v4.1.4's: the names probed through Helm's
    /// own engine (`hack/template-oracle -funcs`, checked in as
    /// `tests/template-cases/helm-funcs.txt`) equal text/template's builtins plus
    /// [`helm_funcs`].
    #[test]
    fn func_map_names_equal_helm_v4() {
        let listed = include_str!("../../tests/template-cases/helm-funcs.txt");
        let want: std::collections::BTreeSet<&str> = listed
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let mut ours = FuncMap::builtins();
        ours.extend(&helm_funcs(None));
        let names = ours.names();
        let got: std::collections::BTreeSet<&str> = names.iter().map(String::as_str).collect();
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "missing {missing:?}, extra {extra:?}"
        );
        assert_eq!(got.len(), 239);
    }

    /// `include` executes the already parsed `define`: rendering many includes parses each
    /// file once (the counter counts `parse::parse` calls on this thread).
    #[test]
    fn include_does_not_reparse() {
        let before = crate::template::parse::parse_count();
        let out = render(
            "{{ range until 50 }}{{ include \"h\" . }}{{ end }}",
            "{{ define \"h\" }}{{ include \"g\" . }}{{ end }}{{ define \"g\" }}x{{ end }}",
        );
        assert_eq!(out, Ok("x".repeat(50)));
        assert_eq!(crate::template::parse::parse_count() - before, 2);
    }

    fn render(text: &str, helpers: &str) -> Result<String, String> {
        render_with(&Engine::default(), text, helpers)
    }

    #[test]
    fn include_and_its_nesting_limit() {
        assert_eq!(
            render(
                "{{ include \"h\" . | upper }}",
                "{{ define \"h\" }}v-{{ .Values.a }}{{ end }}"
            ),
            Ok("V-X".into())
        );
        let err = render(
            "{{ include \"r\" . }}",
            "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}",
        )
        .unwrap_err();
        assert!(
            err.contains(
                "rendering template has a nested reference name: r: unable to execute template"
            ),
            "{}",
            &err[err.len().saturating_sub(300)..]
        );
    }

    /// Reused `include` outputs never differ from running the template again: data changed
    /// by `set`, `unset` or a merge, different data, random values, and `define`s that a
    /// `tpl` text overrides are all seen.
    #[test]
    fn include_reuse_is_invisible() {
        let helpers = concat!(
            "{{ define \"a\" }}{{ .a }}{{ end }}",
            "{{ define \"r\" }}{{ randAlphaNum 12 }}{{ end }}",
            "{{ define \"m\" }}{{ $_ := set . \"n\" (add1 (default 0 .n)) }}{{ .n }}{{ end }}",
            "{{ define \"l\" }}{{ $d := dict \"k\" .a }}{{ $_ := set $d \"k\" (print $d.k \"!\") }}{{ $d.k }}{{ end }}",
        );
        let cases = [
            // The same map, changed in between.
            (
                "{{ $d := dict \"a\" 1 }}{{ include \"a\" $d }}{{ $_ := set $d \"a\" 2 }}{{ include \"a\" $d }}",
                "12",
            ),
            (
                "{{ $d := dict \"a\" 1 }}{{ include \"a\" $d }}{{ $_ := unset $d \"a\" }}{{ include \"a\" $d }}",
                "1",
            ),
            (
                "{{ $d := dict \"a\" 1 }}{{ include \"a\" $d }}{{ $_ := mergeOverwrite $d (dict \"a\" 3) }}{{ include \"a\" $d }}",
                "13",
            ),
            // A nested map changed through its parent.
            (
                "{{ $d := dict \"a\" (dict \"b\" 1) }}{{ include \"a\" $d }}{{ $_ := set $d.a \"b\" 2 }}{{ include \"a\" $d }}",
                "map[b:1]map[b:2]",
            ),
            // A template that changes its own data, and one that changes only its own dict.
            (
                "{{ $d := dict }}{{ include \"m\" $d }}{{ include \"m\" $d }}",
                "12",
            ),
            (
                "{{ $d := dict \"a\" 1 }}{{ include \"l\" $d }}{{ include \"l\" $d }}{{ $_ := set $d \"a\" 2 }}{{ include \"l\" $d }}",
                "1!1!2!",
            ),
            // Equal scalars and distinct maps.
            (
                "{{ include \"a\" (dict \"a\" 1) }}{{ include \"a\" (dict \"a\" 2) }}{{ include \"a\" (dict \"a\" 1) }}",
                "121",
            ),
            // Inside a tpl text that redefines the template.
            (
                "{{ include \"a\" (dict \"a\" 1) }}{{ tpl \"{{ define \\\"a\\\" }}T{{ end }}{{ include \\\"a\\\" .x }}\" (dict \"x\" (dict \"a\" 1)) }}",
                "1T",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(render(text, helpers), Ok(want.to_string()), "{text}");
        }
        let out = render("{{ include \"r\" . }} {{ include \"r\" . }}", helpers).expect("renders");
        let (a, b) = out.split_once(' ').expect("two values");
        assert_eq!((a.len(), b.len()), (12, 12));
        assert_ne!(a, b, "a template calling randAlphaNum ran twice");
    }

    /// The same helper included from two files sees each file's `.Template.Name`.
    #[test]
    fn include_reuse_stays_within_one_file() {
        let data = Value::from_json_go(&serde_json::json!({"Values": {}}));
        let file = |name: &str, text: &str| TemplateFile {
            name: format!("c/templates/{name}"),
            text: text.into(),
            data: data.clone(),
            base_path: "c/templates".into(),
        };
        let body = "{{ include \"n\" . }}{{ include \"n\" . }}";
        let files = [
            file("a.yaml", body),
            file("b.yaml", body),
            file("_h.tpl", "{{ define \"n\" }}{{ .Template.Name }};{{ end }}"),
        ];
        let out = Engine::default().render(&files).expect("renders");
        assert_eq!(
            out["c/templates/a.yaml"],
            "c/templates/a.yaml;c/templates/a.yaml;"
        );
        assert_eq!(
            out["c/templates/b.yaml"],
            "c/templates/b.yaml;c/templates/b.yaml;"
        );
    }

    /// Functions whose answers come from outside the arguments are marked impure, so a
    /// template calling them is run on every include.
    #[test]
    fn impure_functions_are_marked() {
        let funcs = helm_funcs(None);
        for name in crate::template::sprig::IMPURE
            .iter()
            .chain(&["lookup", "getHostByName"])
        {
            assert_eq!(funcs.is_pure(name), Some(false), "{name}");
        }
        for name in [
            "include",
            "tpl",
            "toYaml",
            "dict",
            "deepCopy",
            "sha256sum",
            "set",
            "merge",
        ] {
            assert_eq!(funcs.is_pure(name), Some(true), "{name}");
        }
    }

    #[test]
    fn tpl_sees_the_set_and_keeps_its_defines_local() {
        assert_eq!(
            render(
                "{{ tpl \"{{ define \\\"l\\\" }}L{{ end }}{{ include \\\"l\\\" . }}{{ include \\\"h\\\" . }}\" . }}|{{ .Template.Name }}",
                "{{ define \"h\" }}H{{ end }}"
            ),
            Ok("LH|c/templates/t.yaml".into())
        );
        assert_eq!(
            render("{{ tpl \"{{ if }}\" . }}", ""),
            Err("template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <tpl \"{{ if }}\" .>: error calling tpl: cannot parse template \"{{ if }}\": template: gotpl:1: missing value for if".into())
        );
    }

    #[test]
    fn required_and_fail_report_helm_locations() {
        assert_eq!(render("{{ required \"r\" .Values.a }}", ""), Ok("x".into()));
        assert_eq!(
            render("\n {{ required \"need b\" .Values.b }}", ""),
            Err("execution error at (c/templates/t.yaml:2:4): need b".into())
        );
        assert_eq!(
            render(
                "{{ include \"f\" . }}",
                "{{ define \"f\" }}{{ fail \"no\" }}{{ end }}"
            ),
            Err("execution error at (c/templates/t.yaml:1:3): no".into())
        );
    }

    #[test]
    fn converters() {
        assert_eq!(
            render(
                "{{ toYaml .Values }}|{{ toJson .Values }}|{{ (fromYaml \"k: [1]\").k }}|{{ (fromJson \"{\\\"a\\\":2}\").a }}|{{ fromYamlArray \"[a]\" }}",
                ""
            ),
            // `n` is a YAML 1.1 boolean, so go-yaml quotes the key.
            Ok("a: x\n\"n\": 1|{\"a\":\"x\",\"n\":1}|[1]|2|[a]".into())
        );
        assert_eq!(
            render("{{ toToml .Values }}", ""),
            Ok("a = \"x\"\nn = 1.0\n".into())
        );
    }

    #[test]
    fn lookup_and_dns_offline() {
        assert_eq!(
            render(
                "{{ lookup \"v1\" \"Secret\" \"ns\" \"n\" }}[{{ getHostByName \"example.com\" }}]",
                ""
            ),
            Ok("map[][]".into())
        );
        let hook: LookupFn =
            Rc::new(|api, kind, ns, name| Ok(Value::String(format!("{api}/{kind}/{ns}/{name}"))));
        let engine = Engine {
            lookup: Some(hook),
            ..Engine::default()
        };
        assert_eq!(
            render_with(&engine, "{{ lookup \"v1\" \"Secret\" \"ns\" \"n\" }}", ""),
            Ok("v1/Secret/ns/n".into())
        );
    }
}
