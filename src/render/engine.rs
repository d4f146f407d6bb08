//! Helm's rendering engine (`pkg/engine` `Engine.Render`): every chart template parsed into
//! one set in Helm's order, each non-partial template executed with its chart's top-level
//! object, `<no value>` removed, and errors reworded as Helm words them.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

use regex::Regex;

use super::funcs::{LookupFn, WARN_END, WARN_START, helm_funcs};
use super::preparse::Preparse;
use crate::template::{FuncMap, MissingKey, Template, Tree, Value};

/// One template file to parse and (unless it is a partial) render.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Full name as Helm keys it: `CHART/templates/FILE` (`CHART/charts/SUB/templates/...`
    /// for subcharts).
    pub name: String,
    /// The template text (shared with the loaded chart where possible, and kept by the
    /// parse trees without a copy).
    pub text: Arc<str>,
    /// The top-level object (`.Values .Release .Chart .Capabilities .Files .Subcharts`) of the
    /// chart that owns the file; a map or map-typed object (see [`super::top_level`]).
    /// `.Template` is set by the engine.
    pub data: Value,
    /// `.Template.BasePath`, e.g. `CHART/templates`.
    pub base_path: String,
}

/// A rendering failure, worded exactly as Helm's engine returns it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RenderError {
    /// A template could not be parsed: `parse error at (FILE:LINE): MESSAGE`.
    #[error("{0}")]
    Parse(String),
    /// A template failed while executing (`execution error at (...)`, Helm's multi-line
    /// trace, or the raw text/template error).
    #[error("{0}")]
    Exec(String),
}

/// Engine options (Helm's `Engine` struct fields that matter offline).
#[derive(Clone, Default)]
pub struct Engine {
    /// `missingkey=error` instead of `missingkey=zero` (Helm's `--strict` lint mode).
    pub strict: bool,
    /// Implementation of `lookup`; `None` returns empty maps as `helm template` does.
    pub lookup: Option<LookupFn>,
    /// Parsing started when the chart was loaded (`helm template`'s one-shot path), whose
    /// results [`Engine::render`] takes instead of parsing the same files again.
    pub preparse: Option<Arc<Preparse>>,
}

/// Template text (all files) from which parsing is split over two threads.
pub(crate) const PARALLEL_PARSE_BYTES: usize = 48 * 1024;

/// The trees one template file parses into (the file's own, then its `define`s).
type SharedTrees = Rc<[Rc<Tree>]>;

/// Template text a thread's parse cache holds at most before it starts over.
const PARSE_CACHE_BYTES: usize = 64 * 1024 * 1024;

thread_local! {
    /// Parse results of the template files rendered on this thread. A controller renders the
    /// same charts again and again; a file whose name and text are unchanged (and whose parse
    /// succeeded) is not parsed again. Parsing depends only on the text, the name and the
    /// function names, which are Helm's fixed set for every [`Engine`].
    static PARSED: std::cell::RefCell<ParseCache> = std::cell::RefCell::default();
}

thread_local! {
    /// Helm's functions without a `lookup` hook, built once per thread: constructing its ~240
    /// closures cost every render ~0.2 ms.
    static HELM_FUNCS: FuncMap = helm_funcs(None);
}

/// The names of every function a template can call (Go's builtins and Helm's), sorted: what
/// the parse thread needs to know about functions. A constant, so that the thread starts
/// parsing at once instead of first building Helm's function map (~0.15 ms, its closures
/// included); `function_names_match_the_registry` keeps it equal to the registry.
const FUNCTION_NAMES: &[&str] = &[
    "abbrev",
    "abbrevboth",
    "add",
    "add1",
    "add1f",
    "addf",
    "adler32sum",
    "ago",
    "all",
    "and",
    "any",
    "append",
    "atoi",
    "b32dec",
    "b32enc",
    "b64dec",
    "b64enc",
    "base",
    "bcrypt",
    "biggest",
    "buildCustomCert",
    "call",
    "camelcase",
    "cat",
    "ceil",
    "chunk",
    "clean",
    "coalesce",
    "compact",
    "concat",
    "contains",
    "date",
    "dateInZone",
    "dateModify",
    "date_in_zone",
    "date_modify",
    "decryptAES",
    "deepCopy",
    "deepEqual",
    "default",
    "derivePassword",
    "dict",
    "dig",
    "dir",
    "div",
    "divf",
    "duration",
    "durationRound",
    "empty",
    "encryptAES",
    "eq",
    "ext",
    "fail",
    "first",
    "float64",
    "floor",
    "fromJson",
    "fromJsonArray",
    "fromToml",
    "fromYaml",
    "fromYamlArray",
    "ge",
    "genCA",
    "genCAWithKey",
    "genPrivateKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "get",
    "getHostByName",
    "gt",
    "has",
    "hasKey",
    "hasPrefix",
    "hasSuffix",
    "hello",
    "html",
    "htmlDate",
    "htmlDateInZone",
    "htpasswd",
    "include",
    "indent",
    "index",
    "initial",
    "initials",
    "int",
    "int64",
    "isAbs",
    "join",
    "js",
    "kebabcase",
    "keys",
    "kindIs",
    "kindOf",
    "last",
    "le",
    "len",
    "list",
    "lookup",
    "lower",
    "lt",
    "max",
    "maxf",
    "merge",
    "mergeOverwrite",
    "min",
    "minf",
    "mod",
    "mul",
    "mulf",
    "mustAppend",
    "mustChunk",
    "mustCompact",
    "mustDateModify",
    "mustDeepCopy",
    "mustFirst",
    "mustFromJson",
    "mustHas",
    "mustInitial",
    "mustLast",
    "mustMerge",
    "mustMergeOverwrite",
    "mustPrepend",
    "mustPush",
    "mustRegexFind",
    "mustRegexFindAll",
    "mustRegexMatch",
    "mustRegexReplaceAll",
    "mustRegexReplaceAllLiteral",
    "mustRegexSplit",
    "mustRest",
    "mustReverse",
    "mustSlice",
    "mustToDate",
    "mustToJson",
    "mustToPrettyJson",
    "mustToRawJson",
    "mustToYaml",
    "mustUniq",
    "mustWithout",
    "must_date_modify",
    "ne",
    "nindent",
    "nospace",
    "not",
    "now",
    "omit",
    "or",
    "osBase",
    "osClean",
    "osDir",
    "osExt",
    "osIsAbs",
    "pick",
    "pluck",
    "plural",
    "prepend",
    "print",
    "printf",
    "println",
    "push",
    "quote",
    "randAlpha",
    "randAlphaNum",
    "randAscii",
    "randBytes",
    "randInt",
    "randNumeric",
    "regexFind",
    "regexFindAll",
    "regexMatch",
    "regexQuoteMeta",
    "regexReplaceAll",
    "regexReplaceAllLiteral",
    "regexSplit",
    "repeat",
    "replace",
    "required",
    "rest",
    "reverse",
    "round",
    "semver",
    "semverCompare",
    "seq",
    "set",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "shuffle",
    "slice",
    "snakecase",
    "sortAlpha",
    "split",
    "splitList",
    "splitn",
    "squote",
    "sub",
    "subf",
    "substr",
    "swapcase",
    "ternary",
    "title",
    "toDate",
    "toDecimal",
    "toJson",
    "toPrettyJson",
    "toRawJson",
    "toString",
    "toStrings",
    "toToml",
    "toYaml",
    "toYamlPretty",
    "tpl",
    "trim",
    "trimAll",
    "trimPrefix",
    "trimSuffix",
    "trimall",
    "trunc",
    "tuple",
    "typeIs",
    "typeIsLike",
    "typeOf",
    "uniq",
    "unixEpoch",
    "unset",
    "until",
    "untilStep",
    "untitle",
    "upper",
    "urlJoin",
    "urlParse",
    "urlquery",
    "uuidv4",
    "values",
    "without",
    "wrap",
    "wrapWith",
];

/// The names of every function a template can call (Go's builtins and Helm's), for parsing
/// on a thread that has no template set ([`crate::template::ParseContext::with_functions`]).
pub fn function_names() -> Vec<String> {
    FUNCTION_NAMES.iter().map(|n| n.to_string()).collect()
}

/// [`FUNCTION_NAMES`] as the function registry has them (builtins and Helm's), sorted.
#[cfg(test)]
fn registry_function_names() -> Vec<String> {
    let mut names: Vec<String> = FuncMap::builtins()
        .name_refs()
        .map(str::to_string)
        .collect();
    HELM_FUNCS.with(|f| names.extend(f.name_refs().map(str::to_string)));
    names.sort();
    names.dedup();
    names
}

/// File name -> trees of the last successful parse of that file on this thread; the first
/// tree (the file's own) holds the text it was parsed from.
#[derive(Default)]
struct ParseCache {
    files: HashMap<String, SharedTrees>,
    bytes: usize,
}

impl ParseCache {
    fn get(&self, name: &str, text: &str) -> Option<SharedTrees> {
        let trees = self.files.get(name)?;
        (trees.first()?.text.as_ref() == text).then(|| trees.clone())
    }

    fn insert(&mut self, name: &str, text: &str, trees: SharedTrees) {
        if self.bytes + text.len() > PARSE_CACHE_BYTES {
            self.files.clear();
            self.bytes = 0;
        }
        self.bytes += text.len();
        if let Some(old) = self.files.insert(name.to_string(), trees) {
            self.bytes -= old.first().map_or(0, |t| t.text.len());
        }
    }
}

/// Go's `text/template` execution depth limit (`maxExecDepth`).
const MAX_EXEC_DEPTH: usize = 100_000;

impl Engine {
    /// Parses all `files` into one template set (deepest paths first, then reverse lexical
    /// order, as Helm) and renders every file whose base name does not start with `_`.
    /// Returns the output per file name.
    pub fn render(&self, files: &[TemplateFile]) -> Result<BTreeMap<String, String>, RenderError> {
        let set = self.parse_all(files)?;
        let mut out = BTreeMap::new();
        for f in sorted(files) {
            let base = f.name.rsplit('/').next().unwrap_or(&f.name);
            if base.starts_with('_') {
                continue;
            }
            set_template_object(&f.data, &f.name, &f.base_path);
            let text = set
                .execute(&f.name, &f.data)
                .map_err(|e| RenderError::Exec(reformat_exec_error(&e.to_string())))?;
            out.insert(f.name.clone(), remove_no_value(text));
        }
        Ok(out)
    }

    fn parse_all(&self, files: &[TemplateFile]) -> Result<Template, RenderError> {
        let mut set = Template::new("gotpl");
        match &self.lookup {
            Some(hook) => set.funcs(&helm_funcs(Some(hook.clone()))),
            None => HELM_FUNCS.with(|f| set.funcs(f)),
        };
        set.missing_key(if self.strict {
            MissingKey::Error
        } else {
            MissingKey::Zero
        });
        set.options_mut().max_depth = MAX_EXEC_DEPTH;
        let sources: Vec<(&str, &Arc<str>)> = sorted(files)
            .into_iter()
            .map(|f| (f.name.as_str(), &f.text))
            .collect();
        let cached: Vec<Option<SharedTrees>> = PARSED.with(|cache| {
            let cache = cache.borrow();
            sources.iter().map(|(n, t)| cache.get(n, t)).collect()
        });
        let misses: Vec<(&str, &Arc<str>)> = sources
            .iter()
            .zip(&cached)
            .filter(|(_, hit)| hit.is_none())
            .map(|(source, _)| *source)
            .collect();
        // Files parse independently; the first error in Helm's order is the one reported.
        let context = set.parse_context();
        let parse_here = |name: &str, text: &Arc<str>| context.parse_shared(name, Arc::clone(text));
        let parsed = match &self.preparse {
            Some(preparse) => preparse.parse(&misses, parse_here),
            None => crate::parallel::map_halves(
                &misses,
                |(_, text)| text.len(),
                PARALLEL_PARSE_BYTES,
                |(name, text)| parse_here(name, text),
            ),
        };
        drop(context);
        let mut parsed = parsed.into_iter();
        for ((name, text), hit) in sources.iter().zip(cached) {
            let trees = match hit {
                Some(trees) => trees,
                None => {
                    let Some(result) = parsed.next() else {
                        unreachable!("one parse result per file not in the cache")
                    };
                    let trees: SharedTrees = result
                        .map_err(|e| RenderError::Parse(cleanup_parse_error(name, &e.to_string())))?
                        .into_iter()
                        .map(Rc::new)
                        .collect();
                    PARSED.with(|cache| cache.borrow_mut().insert(name, text, trees.clone()));
                    trees
                }
            };
            set.add_shared(&trees);
        }
        Ok(set)
    }
}

/// The output with every `<no value>` removed, as Helm does after each execution (the text
/// is only copied when it holds one).
pub(crate) fn remove_no_value(text: String) -> String {
    if text.contains("<no value>") {
        text.replace("<no value>", "")
    } else {
        text
    }
}

/// Helm's parse order: more path segments first, then reverse lexical order.
fn sorted(files: &[TemplateFile]) -> Vec<&TemplateFile> {
    let mut v: Vec<&TemplateFile> = files.iter().collect();
    v.sort_by(|a, b| {
        let (ca, cb) = (a.name.matches('/').count(), b.name.matches('/').count());
        cb.cmp(&ca).then_with(|| b.name.cmp(&a.name))
    });
    v
}

/// Sets `.Template` in the (shared) top-level map, as Helm does before each execution.
fn set_template_object(data: &Value, name: &str, base_path: &str) {
    if let Some(m) = data.as_map_like() {
        let mut t = BTreeMap::new();
        t.insert("Name".to_string(), Value::String(name.to_string()));
        t.insert("BasePath".to_string(), Value::String(base_path.to_string()));
        m.borrow_mut()
            .insert("Template".to_string(), Value::from(t));
    }
}

/// Helm's `cleanupParseError`: `parse error at (LOCATION): LAST MESSAGE PART`.
pub fn cleanup_parse_error(filename: &str, err: &str) -> String {
    let tokens: Vec<&str> = err.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({filename}): {err}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

/// One level of Helm's execution error trace.
struct Traced {
    location: String,
    executing: String,
    message: String,
}

/// Helm's `reformatExecErrorMsg` applied to a text/template execution error text:
/// `fail`/`required` messages become `execution error at (LOCATION): MESSAGE`; errors raised
/// by the engine itself (possibly through nested `include`s) become Helm's indented trace;
/// anything else (errors returned by functions) stays as text/template worded it.
pub fn reformat_exec_error(err: &str) -> String {
    let tokens: Vec<&str> = err.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return err.to_string();
    }
    if let Some(msg) = warning_message(tokens[2]) {
        return format!("execution error at ({}): {msg}", tokens[1]);
    }
    let mut levels = Vec::new();
    let mut current = err.to_string();
    loop {
        let Some(level) = parse_level(&current) else {
            return err.to_string();
        };
        let (msg, inner) = split_call(&level.message);
        let Some(inner) = inner else {
            levels.push(level);
            break;
        };
        levels.push(Traced {
            message: msg,
            ..level
        });
        if inner.starts_with("template: no template ") {
            levels.push(Traced {
                location: String::new(),
                executing: String::new(),
                message: inner,
            });
            break;
        }
        if !inner.starts_with("template: ") {
            return err.to_string();
        }
        current = inner;
    }
    let mut out = String::new();
    for l in &levels {
        if !l.location.is_empty() {
            out.push_str(&format!("{}\n  ", l.location));
        }
        if !l.executing.is_empty() {
            out.push_str(&format!("{}\n    ", l.executing));
        }
        out.push_str(&format!("{}\n", l.message));
    }
    out.trim().to_string()
}

/// The text between Helm's warning markers (`fail`/`required`), if any.
fn warning_message(text: &str) -> Option<String> {
    let re = Regex::new(&format!("(?s){WARN_START}(.*){WARN_END}")).ok()?;
    re.captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
}

/// Splits `template: LOC: executing "NAME" at <NODE>: MESSAGE`.
fn parse_level(text: &str) -> Option<Traced> {
    let rest = text.strip_prefix("template: ")?;
    let (location, rest) = rest.split_once(": ")?;
    let rest = rest.strip_prefix("executing ")?;
    let at = rest.find(" at <")?;
    let node_end = rest[at..].find(">: ")? + at;
    Some(Traced {
        location: location.to_string(),
        executing: format!("executing {}:", &rest[..=node_end]),
        message: rest[node_end + 3..].to_string(),
    })
}

/// Splits `error calling FN: INNER` into (`error calling FN:`, INNER).
fn split_call(message: &str) -> (String, Option<String>) {
    if let Some(rest) = message.strip_prefix("error calling ")
        && let Some((func, inner)) = rest.split_once(": ")
    {
        return (format!("error calling {func}:"), Some(inner.to_string()));
    }
    (message.to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parse thread's constant list of function names is exactly the registry's.
    #[test]
    fn function_names_match_the_registry() {
        assert_eq!(function_names(), registry_function_names());
    }

    #[test]
    fn parse_errors_keep_location_and_last_message() {
        assert_eq!(
            cleanup_parse_error(
                "c/templates/t.yaml",
                "template: c/templates/t.yaml:3: function \"x\" not defined"
            ),
            "parse error at (c/templates/t.yaml:3): function \"x\" not defined"
        );
    }

    #[test]
    fn fail_messages_are_extracted() {
        let e = "template: c/t.yaml:1:3: executing \"c/t.yaml\" at <include \"x\" .>: error calling include: template: c/_h.tpl:2:3: executing \"x\" at <fail \"m\">: error calling fail: HELM_ERR_STARTa\nbHELM_ERR_END";
        assert_eq!(
            reformat_exec_error(e),
            "execution error at (c/t.yaml:1:3): a\nb"
        );
    }

    #[test]
    fn engine_errors_are_traced_and_function_errors_kept() {
        let e = "template: t:1:3: executing \"t\" at <include \"h\" .>: error calling include: template: h.tpl:2:10: executing \"h\" at <.a.b>: nil pointer evaluating interface {}.b";
        assert_eq!(
            reformat_exec_error(e),
            "t:1:3\n  executing \"t\" at <include \"h\" .>:\n    error calling include:\nh.tpl:2:10\n  executing \"h\" at <.a.b>:\n    nil pointer evaluating interface {}.b"
        );
        let raw = "template: t:1:3: executing \"t\" at <index .l 5>: error calling index: index out of range: 5";
        assert_eq!(reformat_exec_error(raw), raw);
    }

    /// Enough template text to parse on two threads, with a broken file in each half: the
    /// error is the first in Helm's parse order, as when parsing one file after another.
    #[test]
    fn parsing_on_two_threads_reports_the_first_error_in_order() {
        let filler = format!("{}\n", "x: {{ .Values.x }}\n".repeat(2000));
        assert!(filler.len() * 2 > PARALLEL_PARSE_BYTES);
        let file = |name: &str, text: String| TemplateFile {
            name: format!("c/templates/{name}"),
            text: text.into(),
            data: Value::new_map(),
            base_path: "c/templates".to_string(),
        };
        // Helm's order is reverse lexical: z.yaml, m.yaml, b.yaml, a.yaml.
        let files = vec![
            file("a.yaml", filler.clone()),
            file("b.yaml", format!("{filler}{{{{ nope_b }}}}")),
            file("m.yaml", filler.clone()),
            file("z.yaml", format!("{filler}{{{{ nope_z }}}}")),
        ];
        let err = Engine::default().render(&files).unwrap_err();
        assert_eq!(
            err.to_string(),
            "parse error at (c/templates/z.yaml:2002): function \"nope_z\" not defined"
        );
    }

    /// A second render of unchanged files parses nothing; a changed file is parsed again and
    /// renders its new text.
    #[test]
    fn unchanged_files_are_not_parsed_again_on_this_thread() {
        let file = |name: &str, text: &str| TemplateFile {
            name: format!("cache-test/templates/{name}"),
            text: text.into(),
            data: Value::new_map(),
            base_path: "cache-test/templates".to_string(),
        };
        let helpers = file("_h.tpl", "{{- define \"h\" -}}one{{- end -}}");
        let first = vec![helpers.clone(), file("a.yaml", "a: {{ include \"h\" . }}")];
        let before = crate::template::parse::parse_count();
        let out = Engine::default().render(&first).unwrap();
        assert_eq!(out["cache-test/templates/a.yaml"], "a: one");
        assert_eq!(crate::template::parse::parse_count() - before, 2);
        let again = Engine::default().render(&first).unwrap();
        assert_eq!(again, out);
        assert_eq!(crate::template::parse::parse_count() - before, 2);
        let changed = vec![helpers, file("a.yaml", "b: {{ include \"h\" . }}")];
        let out = Engine::default().render(&changed).unwrap();
        assert_eq!(out["cache-test/templates/a.yaml"], "b: one");
        assert_eq!(crate::template::parse::parse_count() - before, 3);
        // A file that fails to parse is reported every time.
        let broken = vec![file("a.yaml", "{{ nope }}")];
        assert!(Engine::default().render(&broken).is_err());
        assert!(Engine::default().render(&broken).is_err());
    }
}
