//! A Go `text/template` engine: lexer ([`lex`]), parser ([`parse`]), value model ([`value`]),
//! executor ([`exec`]), Go `fmt` printing ([`gofmt`]), the function registry ([`funcs`]) and a
//! first part of Sprig ([`sprig`]). It knows nothing of Helm: Helm functions (`include`, `tpl`,
//! `required`, `toYaml`...) and objects (`.Files`, `.Capabilities`) plug in through
//! [`FuncMap`] and [`Object`].
//!
//! Usage mirrors Go's `template.New(..).Funcs(..).Option(..)` then `t.New(file).Parse(text)`
//! per file and `ExecuteTemplate`:
//!
//! ```
//! use rudder::template::{MissingKey, Template, Value, sprig};
//! let mut t = Template::new("gotpl");
//! t.funcs(&sprig::funcs()).missing_key(MissingKey::Zero);
//! t.parse("x", "{{ .a | printf \"%03d\" }} {{ .b | default \"none\" | quote }}").unwrap();
//! let data = Value::from_json(&serde_json::json!({"a": 7}));
//! assert_eq!(t.execute("x", &data).unwrap(), "007 \"none\"");
//! ```
//!
//! Extending: register closures `Fn(&mut CallContext, &[Value]) -> Result<Value, FuncError>`
//! with an [`Arity`]; use [`CallContext::string_arg`] and friends for Go-typed parameters (they
//! produce Go's `wrong type for value`/`invalid value` errors at the right argument), return
//! [`FuncError::Call`] for a Go `error` (shown as `error calling NAME: MSG`), and use
//! [`CallContext::execute_template`] / [`CallContext::execute_in`] to run templates (`include`,
//! `tpl`) with shared depth, step and output limits.

pub mod error;
pub mod exec;
pub mod funcs;
pub mod gofmt;
pub mod lex;
pub mod parse;
pub mod sprig;
pub mod value;

use std::rc::Rc;

pub use error::Error;
pub use funcs::{Arity, CallContext, Func, FuncMap, FuncResult};
pub use parse::Tree;
pub use value::{
    FuncError, ListKind, MapRef, Object, Value, shared_str_from_bytes, string_from_bytes,
};

/// Go's `missingkey` option: what a missing map key yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default`/`invalid`: no value (prints `<no value>`, chained access gives nil).
    #[default]
    Default,
    /// `missingkey=zero`: the map's zero element, a nil `interface{}` (Helm's non-strict mode;
    /// chained access then fails with `nil pointer evaluating interface {}.x`).
    Zero,
    /// `missingkey=error`: execution stops with `map has no entry for key "x"`.
    Error,
}

/// Execution options and safety limits.
#[derive(Debug, Clone)]
pub struct Options {
    /// Missing map key behaviour.
    pub missing_key: MissingKey,
    /// Maximum nesting of `{{template}}`/`include` calls (Helm limits `include` to 1000).
    pub max_depth: usize,
    /// Maximum size in bytes of the output of one execution.
    pub max_output: usize,
    /// Maximum number of nodes and commands evaluated, shared by nested executions.
    pub max_steps: u64,
    /// Left delimiter (empty means `{{`).
    pub left_delim: String,
    /// Right delimiter (empty means `}}`).
    pub right_delim: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            missing_key: MissingKey::Default,
            max_depth: 1000,
            max_output: 64 << 20,
            max_steps: 50_000_000,
            left_delim: String::new(),
            right_delim: String::new(),
        }
    }
}

/// The parts of a [`Template`] set that parsing reads, shareable between threads (parse trees
/// are plain data); see [`Template::parse_context`].
pub struct ParseContext<'a> {
    funcs: std::collections::HashSet<&'a str, funcs::FxBuildHasher>,
    left: &'a str,
    right: &'a str,
}

impl<'a> ParseContext<'a> {
    /// A context for a set whose functions are named `funcs`, with the default delimiters:
    /// for parsing on a thread that has no [`Template`] set.
    pub fn with_functions(funcs: impl IntoIterator<Item = &'a str>) -> ParseContext<'a> {
        ParseContext {
            funcs: funcs.into_iter().collect(),
            left: "",
            right: "",
        }
    }

    /// Parses `text` as template `name`: the trees [`Template::parse`] would add, in order.
    pub fn parse(&self, name: &str, text: &str) -> Result<Vec<Tree>, Error> {
        self.parse_shared(name, std::sync::Arc::from(text))
    }

    /// [`ParseContext::parse`] for text that is already shared: the trees keep it without
    /// a copy.
    pub fn parse_shared(&self, name: &str, text: std::sync::Arc<str>) -> Result<Vec<Tree>, Error> {
        let has = |n: &str| self.funcs.contains(n);
        parse::parse_shared(name, text, self.left, self.right, &has)
    }
}

/// A set of named templates sharing functions and options (Go's `*template.Template` with its
/// associated templates). Cloning is cheap: parsed trees are shared.
#[derive(Clone, Debug)]
pub struct Template {
    name: String,
    trees: funcs::FxHashMap<String, Rc<Tree>>,
    pub(crate) funcs: Rc<FuncMap>,
    pub(crate) options: Options,
}

impl Template {
    /// A new, empty set named `name` with Go's builtin functions.
    pub fn new(name: &str) -> Template {
        Template {
            name: name.to_string(),
            trees: funcs::FxHashMap::default(),
            funcs: Rc::new(FuncMap::builtins()),
            options: Options::default(),
        }
    }

    /// The set's name (used in "no template ... associated with template" errors).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds functions (replacing same-named ones). Must precede `parse`, as in Go.
    pub fn funcs(&mut self, funcs: &FuncMap) -> &mut Self {
        Rc::make_mut(&mut self.funcs).extend(funcs);
        self
    }

    /// The functions available to templates of this set.
    pub fn func_map(&self) -> &FuncMap {
        &self.funcs
    }

    /// Sets the `missingkey` option.
    pub fn missing_key(&mut self, mk: MissingKey) -> &mut Self {
        self.options.missing_key = mk;
        self
    }

    /// Sets the action delimiters (empty strings mean the defaults).
    pub fn delims(&mut self, left: &str, right: &str) -> &mut Self {
        self.options.left_delim = left.to_string();
        self.options.right_delim = right.to_string();
        self
    }

    /// Read access to the options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Mutable access to the options (limits).
    pub fn options_mut(&mut self) -> &mut Options {
        &mut self.options
    }

    /// Go's `t.New(name).Parse(text)`: parses `text` as template `name`, adding it and every
    /// `define`/`block` in it to the set. Later definitions replace earlier ones, except that
    /// an empty (whitespace-only) definition never replaces an existing template.
    /// On error the set is unchanged.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<&mut Self, Error> {
        let funcs = self.funcs.clone();
        let has = |n: &str| funcs.contains(n);
        let trees = parse::parse(
            name,
            text,
            &self.options.left_delim,
            &self.options.right_delim,
            &has,
        )?;
        self.add_parsed(trees);
        Ok(self)
    }

    /// What parsing needs from the set (function names, delimiters), detached from it so that
    /// several files can be parsed on several threads; add the results with
    /// [`Template::add_parsed`] in the order `parse` would have seen the files.
    pub fn parse_context(&self) -> ParseContext<'_> {
        ParseContext {
            funcs: self.funcs.name_refs().collect(),
            left: &self.options.left_delim,
            right: &self.options.right_delim,
        }
    }

    /// Adds trees from [`ParseContext::parse`] as [`Template::parse`] adds them: later
    /// definitions replace earlier ones, except that an empty definition never replaces an
    /// existing template.
    pub fn add_parsed(&mut self, trees: Vec<Tree>) {
        let shared: Vec<Rc<Tree>> = trees.into_iter().map(Rc::new).collect();
        self.add_shared(&shared);
    }

    /// [`Template::add_parsed`] for trees shared with other sets (parse trees are never
    /// changed once parsed, so sets can share them).
    pub fn add_shared(&mut self, trees: &[Rc<Tree>]) {
        for t in trees {
            if t.is_empty() && self.trees.contains_key(&t.name) {
                continue;
            }
            self.trees.insert(t.name.clone(), Rc::clone(t));
        }
    }

    /// The named template's tree, if defined.
    pub fn lookup(&self, name: &str) -> Option<&Rc<Tree>> {
        self.trees.get(name)
    }

    /// Names of all templates in the set, sorted.
    pub fn template_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.trees.keys().cloned().collect();
        v.sort();
        v
    }

    /// Go's `ExecuteTemplate`: runs template `name` with `data` as dot and returns the output.
    pub fn execute(&self, name: &str, data: &Value) -> Result<String, Error> {
        let shared = exec::Shared::for_set(self);
        self.execute_nested(&shared, name, data, 0)
    }

    /// Executes template `name` at call depth `depth`, sharing `shared` limits with the caller.
    pub(crate) fn execute_nested(
        &self,
        shared: &exec::Shared,
        name: &str,
        data: &Value,
        depth: usize,
    ) -> Result<String, Error> {
        let Some(tree) = self.trees.get(name) else {
            return Err(Error::NoTemplate {
                name: name.to_string(),
                set: self.name.clone(),
            });
        };
        exec::execute_tree(self, shared, tree, data, depth)
    }
}

#[cfg(test)]
mod tests;
