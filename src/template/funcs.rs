//! The function registry (one map from name to function, extended by Sprig and Helm layers)
//! and Go's builtin template functions with their exact type checks and error texts.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use super::Template;
use super::error::Error;
use super::exec::Shared;
use super::gofmt::{format_v, is_print, sprint, sprintf, sprintln};
use super::value::{FuncError, MapRef, Value};

/// A fast, non-cryptographic hasher (the `FxHash` of rustc) for the engine's internal maps
/// keyed by names and texts the chart supplies: function names looked up on every call,
/// `include` names and memoised `fromYaml` inputs. SipHash's flooding resistance buys
/// nothing there (a chart can only slow down its own rendering) and costs several times
/// more per byte.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut w = [0u8; 8];
            w[..tail.len()].copy_from_slice(tail);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// `HashMap` hasher state for [`FxHasher`].
pub type FxBuildHasher = BuildHasherDefault<FxHasher>;

/// A `HashMap` hashed with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, FxBuildHasher>;

/// Result of a template function.
pub type FuncResult = Result<Value, FuncError>;

/// A native template function: receives the call context and the evaluated arguments
/// (the piped value, if any, last).
pub type NativeFn = dyn Fn(&mut CallContext<'_>, &[Value]) -> FuncResult;

/// How many arguments a function takes, checked before the call with Go's error texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// Exactly this many (`wrong number of args for F: want N got M`).
    Exact(usize),
    /// Variadic with this many fixed parameters (`want at least N got M`).
    AtLeast(usize),
}

/// Builtins that the executor evaluates itself (short-circuit `and`/`or`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    None,
    And,
    Or,
}

/// A registered function.
#[derive(Clone)]
pub struct Func {
    /// Accepted argument count.
    pub arity: Arity,
    /// The implementation.
    pub call: Rc<NativeFn>,
    pub(crate) special: Special,
    /// Whether a call only computes its result from its arguments: no randomness, clock,
    /// outside world or change to a map it was given. Calls of impure functions are counted
    /// (see [`CallContext::execute_template_memoized`]).
    pub(crate) pure: bool,
}

impl std::fmt::Debug for Func {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Func({:?})", self.arity)
    }
}

/// A set of named template functions (Go's `FuncMap`). Later registrations replace earlier
/// ones of the same name, so user functions can override builtins as in Go.
#[derive(Clone, Default, Debug)]
pub struct FuncMap {
    funcs: FxHashMap<String, Func>,
}

impl FuncMap {
    /// An empty map.
    pub fn new() -> FuncMap {
        FuncMap::default()
    }

    /// Go's builtin functions: `and or not len index slice print printf println eq ne lt le
    /// gt ge html js urlquery call`.
    pub fn builtins() -> FuncMap {
        let mut m = FuncMap::new();
        m.insert_special("and", Special::And);
        m.insert_special("or", Special::Or);
        m.register("not", Arity::Exact(1), |_, a| {
            Ok(Value::Bool(!a[0].truthy()))
        });
        m.register("len", Arity::Exact(1), |ctx, a| {
            if a[0].is_nil() && ctx.arg_is_interface(0) {
                return Err(FuncError::Call("len of nil pointer".into()));
            }
            length(&a[0])
        });
        m.register("index", Arity::AtLeast(1), |_, a| index(&a[0], &a[1..]));
        m.register("slice", Arity::AtLeast(1), |_, a| slice(&a[0], &a[1..]));
        m.register("print", Arity::AtLeast(0), |_, a| {
            Ok(Value::String(sprint(a)))
        });
        m.register("println", Arity::AtLeast(0), |_, a| {
            Ok(Value::String(sprintln(a)))
        });
        m.register("printf", Arity::AtLeast(1), |_, a| {
            let f = a[0].as_str().ok_or_else(|| FuncError::WrongType {
                arg: 0,
                expected: "string".into(),
                got: a[0].type_name(),
            })?;
            Ok(Value::String(sprintf(f, &a[1..])))
        });
        m.register("eq", Arity::AtLeast(1), |_, a| {
            eq(&a[0], &a[1..]).map(Value::Bool)
        });
        m.register("ne", Arity::Exact(2), |_, a| {
            eq(&a[0], &a[1..]).map(|b| Value::Bool(!b))
        });
        m.register("lt", Arity::Exact(2), |_, a| {
            lt(&a[0], &a[1]).map(Value::Bool)
        });
        m.register("le", Arity::Exact(2), |_, a| {
            le(&a[0], &a[1]).map(Value::Bool)
        });
        m.register("gt", Arity::Exact(2), |_, a| {
            le(&a[0], &a[1]).map(|b| Value::Bool(!b))
        });
        m.register("ge", Arity::Exact(2), |_, a| {
            lt(&a[0], &a[1]).map(|b| Value::Bool(!b))
        });
        m.register("html", Arity::AtLeast(0), |_, a| {
            Ok(Value::String(html_escape(&eval_args(a))))
        });
        m.register("js", Arity::AtLeast(0), |_, a| {
            Ok(Value::String(js_escape(&eval_args(a))))
        });
        m.register("urlquery", Arity::AtLeast(0), |_, a| {
            Ok(Value::String(query_escape(&eval_args(a))))
        });
        m.register("call", Arity::AtLeast(1), |ctx, a| match &a[0] {
            Value::Nil => Err(FuncError::Call("call of nil".into())),
            v => Err(FuncError::Call(format!(
                "non-function {} of type {}",
                ctx.arg_source(0).unwrap_or_default(),
                v.type_name()
            ))),
        });
        m
    }

    fn insert_special(&mut self, name: &str, special: Special) {
        self.funcs.insert(
            name.to_string(),
            Func {
                arity: Arity::AtLeast(1),
                call: Rc::new(|_, a| Ok(a.last().cloned().unwrap_or_default())),
                special,
                pure: true,
            },
        );
    }

    /// Registers (or replaces) function `name`.
    pub fn register<F>(&mut self, name: &str, arity: Arity, f: F)
    where
        F: Fn(&mut CallContext<'_>, &[Value]) -> FuncResult + 'static,
    {
        self.funcs.insert(
            name.to_string(),
            Func {
                arity,
                call: Rc::new(f),
                special: Special::None,
                pure: true,
            },
        );
    }

    /// Registers `name` as another name for the existing function `existing` (no-op if absent).
    pub fn alias(&mut self, name: &str, existing: &str) {
        if let Some(f) = self.funcs.get(existing).cloned() {
            self.funcs.insert(name.to_string(), f);
        }
    }

    /// Marks the functions `names` (those registered) as impure: their results depend on
    /// more than their arguments (randomness, the clock, the outside world) or they change
    /// a map they were given. Functions are pure unless marked.
    pub fn mark_impure(&mut self, names: &[&str]) {
        for name in names {
            if let Some(f) = self.funcs.get_mut(*name) {
                f.pure = false;
            }
        }
    }

    /// Whether function `name` is pure (see [`FuncMap::mark_impure`]); `None` if absent.
    pub fn is_pure(&self, name: &str) -> Option<bool> {
        self.funcs.get(name).map(|f| f.pure)
    }

    /// Looks a function up.
    pub fn get(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name)
    }

    /// Whether function `name` exists.
    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    /// The names of all functions, in no particular order, borrowed.
    pub fn name_refs(&self) -> impl Iterator<Item = &str> {
        self.funcs.keys().map(String::as_str)
    }

    /// Adds every function of `other`, replacing same-named ones.
    pub fn extend(&mut self, other: &FuncMap) {
        for (k, v) in &other.funcs {
            self.funcs.insert(k.clone(), v.clone());
        }
    }

    /// Names of all functions, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.funcs.keys().cloned().collect();
        v.sort();
        v
    }
}

/// What a function sees of the running execution: the template set (for `include`/`tpl`)
/// and the call depth, so nested executions share limits.
pub struct CallContext<'a> {
    template: &'a Template,
    shared: &'a Shared,
    depth: usize,
    name: &'a str,
    tree_name: &'a str,
    iface: &'a [bool],
    nodes: &'a [super::parse::Arg],
}

impl<'a> CallContext<'a> {
    /// Context for one call; `iface` tells per argument whether it came through `interface{}`.
    pub(crate) fn new(
        template: &'a Template,
        shared: &'a Shared,
        depth: usize,
        name: &'a str,
        tree_name: &'a str,
        iface: &'a [bool],
    ) -> Self {
        CallContext {
            template,
            shared,
            depth,
            name,
            tree_name,
            iface,
            nodes: &[],
        }
    }

    /// Attaches the call's operand nodes (`nodes[0]` is the function name), so functions
    /// can name their arguments as Go's `call` does.
    pub(crate) fn with_nodes(mut self, nodes: &'a [super::parse::Arg]) -> Self {
        self.nodes = nodes;
        self
    }

    /// Source text of argument `i` (Go's `Node.String()`), if it was written in the call
    /// (the piped value has none).
    pub fn arg_source(&self, i: usize) -> Option<String> {
        self.nodes.get(i + 1).map(ToString::to_string)
    }

    /// Name of the template whose action called the function (Go's executing template).
    pub fn template_name(&self) -> &str {
        self.tree_name
    }

    /// Whether argument `i` reached the function through an `interface{}` (a map element or
    /// range element) rather than as a concrete value. Go's type checks word nil differently
    /// for the two: `wrong type for value; expected T; got interface {}` versus
    /// `invalid value; expected T`.
    pub fn arg_is_interface(&self, i: usize) -> bool {
        self.iface.get(i).copied().unwrap_or(false)
    }

    /// The error Go's `validateType` gives when argument `i` does not fit parameter type
    /// `expected`.
    pub fn type_error(&self, args: &[Value], i: usize, expected: &str) -> FuncError {
        match args.get(i) {
            Some(Value::Nil) if self.arg_is_interface(i) => FuncError::WrongType {
                arg: i,
                expected: expected.to_string(),
                got: "interface {}".to_string(),
            },
            Some(Value::Nil) | None => FuncError::InvalidValue {
                arg: i,
                expected: expected.to_string(),
            },
            Some(v) => FuncError::WrongType {
                arg: i,
                expected: expected.to_string(),
                got: v.type_name(),
            },
        }
    }

    /// Argument `i` as a Go `string` parameter.
    pub fn string_arg<'v>(&self, args: &'v [Value], i: usize) -> Result<&'v str, FuncError> {
        match args.get(i) {
            Some(Value::String(s)) => Ok(s),
            _ => Err(self.type_error(args, i, "string")),
        }
    }

    /// Argument `i` as a Go `int` parameter (an `int64` or `float64` value does not fit).
    pub fn int_arg(&self, args: &[Value], i: usize) -> Result<i64, FuncError> {
        match args.get(i) {
            Some(Value::Int(n)) => Ok(*n),
            _ => Err(self.type_error(args, i, "int")),
        }
    }

    /// Argument `i` as a Go `bool` parameter.
    pub fn bool_arg(&self, args: &[Value], i: usize) -> Result<bool, FuncError> {
        match args.get(i) {
            Some(Value::Bool(b)) => Ok(*b),
            _ => Err(self.type_error(args, i, "bool")),
        }
    }

    /// Argument `i` as a Go `map[string]interface {}` parameter (untyped nil is a valid nil
    /// map).
    pub fn map_arg(&self, args: &[Value], i: usize) -> Result<Option<MapRef>, FuncError> {
        match args.get(i) {
            Some(Value::Map(m)) => Ok(Some(m.clone())),
            // A named map type (Helm's common.Values) is assignable to the map parameter.
            Some(Value::Object(o)) if o.as_map().is_some() => Ok(o.as_map().cloned()),
            // An untyped nil is a nil map; a nil `interface{}` (missing map key) is not
            // assignable to a map parameter in Go.
            Some(Value::Nil) if !self.arg_is_interface(i) => Ok(None),
            _ => Err(self.type_error(args, i, "map[string]interface {}")),
        }
    }

    /// The template set being executed.
    pub fn template(&self) -> &Template {
        self.template
    }

    /// Name under which the function was called.
    pub fn func_name(&self) -> &str {
        self.name
    }

    /// Template-call depth of the caller.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Executes the named template of the current set with `data` (Helm's `include`).
    pub fn execute_template(&mut self, name: &str, data: &Value) -> Result<String, Error> {
        self.template
            .execute_nested(self.shared, name, data, self.depth + 1)
    }

    /// [`CallContext::execute_template`], reusing the output of an earlier call of the same
    /// template with the same data (the same map, list or object, or an equal scalar) when
    /// no map that call could have seen has changed since. Calls that call an impure
    /// function (see [`FuncMap::mark_impure`]) or change a map older than themselves are
    /// not kept; calls in sets other than the one the top-level execution runs are not
    /// reused. `depth_limit` is the caller's own nesting limit: a reuse never hides an
    /// error that running the template again would raise.
    pub fn execute_template_memoized(
        &mut self,
        name: &str,
        data: &Value,
        depth_limit: usize,
    ) -> Result<String, Error> {
        self.shared
            .execute_memoized(self.template, name, data, self.depth + 1, depth_limit)
    }

    /// Reports that a map born at `born` (`MapCell::born`) is about to change: functions
    /// that change a map they were given must call this, so memoised outputs that could
    /// have seen the map are not reused.
    pub fn changed_map_born(&self, born: u64) {
        self.shared.changed_map_born(born);
    }

    /// Executes template `name` of another set (e.g. a clone with extra parsed text, as
    /// Helm's `tpl` does), sharing this execution's limits.
    pub fn execute_in(
        &mut self,
        other: &Template,
        name: &str,
        data: &Value,
    ) -> Result<String, Error> {
        other.execute_nested(self.shared, name, data, self.depth + 1)
    }
}

/// Go's comparison classes (`basicKind`); nil, slices, maps and objects are all `Invalid`.
#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

/// Go 1.25's `incompatible types for comparison: T1 and T2`.
fn err_bad_comparison(a: &Value, b: &Value) -> FuncError {
    FuncError::Call(format!(
        "incompatible types for comparison: {} and {}",
        a.type_name(),
        b.type_name()
    ))
}

fn err_bad_comparison_type() -> FuncError {
    FuncError::Call("invalid type for comparison".into())
}

/// `eq` on values that are not basic kinds: nil compares with anything, objects by identity,
/// slices and maps are not comparable.
fn composite_eq(a: &Value, b: &Value) -> Result<bool, FuncError> {
    if a.is_nil() || b.is_nil() {
        return Ok(a.is_nil() == b.is_nil());
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => Ok(Rc::ptr_eq(x, y)),
        (Value::List(..), Value::List(..)) | (Value::Map(_), Value::Map(_)) => {
            Err(FuncError::Call(format!(
                "non-comparable type {}: {}",
                sprintf("%s", std::slice::from_ref(b)),
                b.type_name()
            )))
        }
        _ => Err(FuncError::Call(format!(
            "non-comparable types {}: {}, {}: {}",
            sprintf("%s", std::slice::from_ref(a)),
            a.type_name(),
            b.type_name(),
            format_v(b)
        ))),
    }
}

/// Go's `eq`: true if `a` equals any of `bs`.
pub fn eq(a: &Value, bs: &[Value]) -> Result<bool, FuncError> {
    if bs.is_empty() {
        return Err(FuncError::Call("missing argument for comparison".into()));
    }
    let k1 = basic_kind(a);
    for b in bs {
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            if !a.is_nil() && !b.is_nil() {
                return Err(err_bad_comparison(a, b));
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::String(x), Value::String(y)) => x == y,
                _ if k1 == Kind::Int => a.as_int() == b.as_int(),
                _ => composite_eq(a, b)?,
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Go's `lt`.
pub fn lt(a: &Value, b: &Value) -> Result<bool, FuncError> {
    let k1 = basic_kind(a);
    if k1 == Kind::Invalid {
        return Err(err_bad_comparison_type());
    }
    let k2 = basic_kind(b);
    if k2 == Kind::Invalid {
        return Err(err_bad_comparison_type());
    }
    if k1 != k2 {
        return Err(err_bad_comparison(a, b));
    }
    match (a, b) {
        (Value::Bool(_), _) => Err(err_bad_comparison_type()),
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::String(x), Value::String(y)) => Ok(x < y),
        _ => Ok(a.as_int() < b.as_int()),
    }
}

/// Go's `le`.
pub fn le(a: &Value, b: &Value) -> Result<bool, FuncError> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

fn length(v: &Value) -> FuncResult {
    let n = match v {
        Value::String(s) => s.len(),
        Value::List(l, _) => l.len(),
        Value::Map(m) => m.borrow().len(),
        Value::Nil => {
            return Err(FuncError::Call(
                "reflect: call of reflect.Value.Type on zero Value".into(),
            ));
        }
        Value::Object(o) => match o.length() {
            Some(n) => n,
            None => return Err(FuncError::Call(format!("len of type {}", o.type_name()))),
        },
        other => {
            return Err(FuncError::Call(format!(
                "len of type {}",
                other.type_name()
            )));
        }
    };
    Ok(Value::Int(n as i64))
}

fn index_arg(i: &Value, cap: usize) -> Result<usize, FuncError> {
    let x = match i {
        Value::Int(x) | Value::Int64(x) => *x,
        Value::Nil => return Err(FuncError::Call("cannot index slice/array with nil".into())),
        other => {
            return Err(FuncError::Call(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            )));
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(FuncError::Call(format!("index out of range: {x}")));
    }
    Ok(x as usize)
}

/// Go's `index`.
pub fn index(item: &Value, indexes: &[Value]) -> FuncResult {
    if item.is_nil() {
        return Err(FuncError::Call("index of untyped nil".into()));
    }
    let mut cur = item.clone();
    let mut first = true;
    for ix in indexes {
        if cur.is_nil() && !first {
            return Err(FuncError::Call("index of nil pointer".into()));
        }
        first = false;
        if let Value::Object(o) = &cur
            && let Some(m) = o.as_map()
        {
            cur = Value::Map(m.clone());
        }
        cur = match &cur {
            Value::List(l, _) => {
                let x = index_arg(ix, l.len())?;
                if x == l.len() {
                    // Go checks against the capacity, then reflect panics on the length.
                    return Err(FuncError::Call("reflect: slice index out of range".into()));
                }
                l[x].clone()
            }
            Value::String(s) => {
                let x = index_arg(ix, s.len())?;
                if x == s.len() {
                    return Err(FuncError::Call("reflect: string index out of range".into()));
                }
                Value::Int(s.as_bytes()[x] as i64)
            }
            Value::Map(m) => match ix {
                Value::String(k) => m.borrow().get(k).cloned().unwrap_or_default(),
                Value::Nil => {
                    return Err(FuncError::Call(
                        "value is nil; should be of type string".into(),
                    ));
                }
                other => {
                    return Err(FuncError::Call(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    )));
                }
            },
            other => {
                return Err(FuncError::Call(format!(
                    "can't index item of type {}",
                    other.type_name()
                )));
            }
        };
    }
    Ok(cur)
}

/// Go's `slice`.
pub fn slice(item: &Value, indexes: &[Value]) -> FuncResult {
    if item.is_nil() {
        return Err(FuncError::Call("slice of untyped nil".into()));
    }
    if indexes.len() > 3 {
        return Err(FuncError::Call(format!(
            "too many slice indexes: {}",
            indexes.len()
        )));
    }
    let len = match item {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err(FuncError::Call("cannot 3-index slice a string".into()));
            }
            s.len()
        }
        Value::List(l, _) => l.len(),
        other => {
            return Err(FuncError::Call(format!(
                "can't slice item of type {}",
                other.type_name()
            )));
        }
    };
    let mut idx = [0, len, len];
    for (i, ix) in indexes.iter().enumerate() {
        idx[i] = index_arg(ix, len)?;
    }
    if idx[0] > idx[1] {
        return Err(FuncError::Call(format!(
            "invalid slice index: {} > {}",
            idx[0], idx[1]
        )));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(FuncError::Call(format!(
            "invalid slice index: {} > {}",
            idx[1], idx[2]
        )));
    }
    match item {
        Value::String(s) => {
            let b = &s.as_bytes()[idx[0]..idx[1]];
            Ok(Value::String(super::value::string_from_bytes(b)))
        }
        Value::List(l, k) => Ok(Value::List(Rc::new(l[idx[0]..idx[1]].to_vec()), *k)),
        _ => Ok(Value::Nil),
    }
}

/// Go's `evalArgs` for `html`/`js`/`urlquery`: a lone string as is, otherwise `fmt.Sprint`.
fn eval_args(args: &[Value]) -> String {
    if let [Value::String(s)] = args {
        return s.clone();
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| match a {
            Value::Nil => Value::String("<no value>".into()),
            other => other.clone(),
        })
        .collect();
    sprint(&printable)
}

/// Go's `template.HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if (c as u32) >= 0x80 && !is_print(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
