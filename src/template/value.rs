//! The value model the template engine works on: a Rust mirror of what Helm's Go code sees
//! through `interface{}` (nil, bool, int, int64, float64, string, slices, maps and opaque
//! Go objects with fields and methods).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// A shared, mutable `map[string]interface{}`: Sprig's `set`/`unset`/`merge` mutate maps in
/// place and templates observe that through every reference, so maps are reference types.
pub type MapRef = Rc<MapCell>;

/// A map's entries with the time the map was made on this thread's [`clock`], which tells
/// whether a template call that began at some time could have seen the map (see
/// `exec::Shared`). Dereferences to the entries' `RefCell`.
#[derive(Debug)]
pub struct MapCell {
    born: u64,
    entries: RefCell<BTreeMap<String, Value>>,
}

impl MapCell {
    /// A new shared map holding `entries`, made now.
    pub fn new_ref(entries: BTreeMap<String, Value>) -> MapRef {
        Rc::new(MapCell {
            born: CLOCK.with(std::cell::Cell::get),
            entries: RefCell::new(entries),
        })
    }

    /// When the map was made (see [`clock`]).
    pub fn born(&self) -> u64 {
        self.born
    }
}

impl Default for MapCell {
    /// An empty map, made now.
    fn default() -> MapCell {
        MapCell {
            born: clock(),
            entries: RefCell::new(BTreeMap::new()),
        }
    }
}

impl std::ops::Deref for MapCell {
    type Target = RefCell<BTreeMap<String, Value>>;

    fn deref(&self) -> &Self::Target {
        &self.entries
    }
}

impl PartialEq for MapCell {
    fn eq(&self, other: &MapCell) -> bool {
        self.entries == other.entries
    }
}

thread_local! {
    /// This thread's logical clock: advanced when a memoised template call begins.
    static CLOCK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The current time on this thread's logical clock: maps made now are born at it.
pub fn clock() -> u64 {
    CLOCK.with(std::cell::Cell::get)
}

/// Advances this thread's logical clock and returns the new time: every map made before
/// is born earlier, every map made from now on at this time or later.
pub fn tick() -> u64 {
    CLOCK.with(|c| {
        c.set(c.get() + 1);
        c.get()
    })
}

/// The Go element type of a slice, kept so `%T`/`typeOf` can tell `[]string` from `[]interface{}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// `[]interface {}`: the usual slice from values files, `list`, `splitList`...
    Any,
    /// `[]string`: results such as Sprig's `keys` or `splitList`.
    String,
    /// `[]int`: Sprig's `until` and `untilStep`.
    Int,
}

/// An error returned by an [`Object`] method call or a template function.
#[derive(Debug, Clone, PartialEq)]
pub enum FuncError {
    /// The function returned a Go `error`: reported as `error calling NAME: MESSAGE`.
    Call(String),
    /// An argument has the wrong type for the Go parameter: reported at that argument as
    /// `wrong type for value; expected EXPECTED; got GOT`.
    WrongType {
        /// Zero-based index of the argument (the piped value counts as the last one).
        arg: usize,
        /// Go type name of the parameter.
        expected: String,
        /// Go type name of the value given.
        got: String,
    },
    /// An untyped nil was given for a parameter that cannot be nil: reported at that argument
    /// as `invalid value; expected EXPECTED`.
    InvalidValue {
        /// Zero-based index of the argument (the piped value counts as the last one).
        arg: usize,
        /// Go type name of the parameter.
        expected: String,
    },
    /// An execution error whose text is used as-is (after the `executing ... at <...>:` prefix).
    Exec(String),
}

/// A Go value with fields and/or methods supplied by the embedding layer (Helm's `.Release`,
/// `.Files`, `.Capabilities`...). The engine only reaches it through this trait.
pub trait Object: fmt::Debug {
    /// Go type name as `%T` and error messages print it, e.g. `*chart.Metadata`.
    fn type_name(&self) -> String;
    /// The exported field (or map entry) `name`, if the object has one.
    fn field(&self, name: &str) -> Option<Value>;
    /// Whether the object has a method `name`.
    fn has_method(&self, _name: &str) -> bool {
        false
    }
    /// Calls method `name` with evaluated arguments. Arity errors should be reported by the
    /// object with `FuncError::Exec("wrong number of args for NAME: want N got M")`.
    fn call_method(&self, name: &str, _args: &[Value]) -> Result<Value, FuncError> {
        Err(FuncError::Exec(format!("can't call method {name}")))
    }
    /// `%v` rendering, as Go's fmt would print the value.
    fn format_v(&self) -> String;
    /// Truth in `if`/`with`/`and`/`or` (Go structs are always true, nil pointers false).
    fn truthy(&self) -> bool {
        true
    }
    /// Length for `len`, when the Go value has one (maps, slices).
    fn length(&self) -> Option<usize> {
        None
    }
    /// For named Go types over `map[string]interface{}` (Helm's `common.Values`): the map
    /// itself. Field access, `range`, `index`, map parameters and encoders then treat the
    /// object as that map, while methods and the type name stay the object's.
    fn as_map(&self) -> Option<&MapRef> {
        None
    }
    /// For Go map types with methods (Helm's `.Files`): the entries sorted by key, so that
    /// `range` iterates over them as over a map.
    fn map_entries(&self) -> Option<Vec<(String, Value)>> {
        None
    }
    /// For named Go slice types with methods (Helm's `common.VersionSet`): the elements,
    /// so that `range` and Sprig's list functions treat the object as that slice.
    fn list_items(&self) -> Option<Rc<Vec<Value>>> {
        None
    }
    /// Downcasting hook for the embedding layer.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// The text of `bytes` as a Go `string` holding them prints: invalid UTF-8 sequences become
/// U+FFFD. Valid input (the usual case, often whole files) is checked with the standard
/// library's word-at-a-time validator rather than the slower lossy scan.
pub fn string_from_bytes(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// [`string_from_bytes`] for shared bytes: valid UTF-8 (the usual case, whole template
/// files) is shared as it is, without a copy.
pub fn shared_str_from_bytes(bytes: &std::sync::Arc<[u8]>) -> std::sync::Arc<str> {
    match std::str::from_utf8(bytes) {
        Ok(_) => {
            let raw = std::sync::Arc::into_raw(std::sync::Arc::clone(bytes)) as *const str;
            // SAFETY: `str` and `[u8]` have the same layout, the bytes were just checked to
            // be UTF-8, and the contents of an `Arc` never change.
            unsafe { std::sync::Arc::from_raw(raw) }
        }
        Err(_) => std::sync::Arc::from(String::from_utf8_lossy(bytes).as_ref()),
    }
}

/// A template value. Cloning is cheap for maps, lists and objects (reference counted).
#[derive(Clone, Default)]
pub enum Value {
    /// Untyped nil: a missing value, JSON null, Go's invalid `reflect.Value`.
    #[default]
    Nil,
    /// Go `bool`.
    Bool(bool),
    /// Go `int` (template literals, `len`, range indexes, most Sprig integer results).
    Int(i64),
    /// Go `int64` (Helm `--set` integers, some Sprig results).
    Int64(i64),
    /// Go `float64` (numbers decoded from YAML/JSON values files).
    Float(f64),
    /// Go `string`.
    String(String),
    /// A Go slice; the kind records its element type.
    List(Rc<Vec<Value>>, ListKind),
    /// Go `map[string]interface{}`, shared and mutable.
    Map(MapRef),
    /// A Go struct/pointer supplied by the embedding layer.
    Object(Rc<dyn Object>),
}

/// Nesting up to which lists and maps are dropped by plain recursion; deeper values (only a
/// template loop can build them) are dropped iteratively.
const RECURSIVE_DROP_DEPTH: u32 = 64;

thread_local! {
    /// How many `Value` drops are in progress on this thread's stack.
    static DROP_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

impl Drop for Value {
    /// Drops nested lists and maps recursively while shallow (no bookkeeping), and
    /// iteratively below [`RECURSIVE_DROP_DEPTH`], so that values nested arbitrarily deep by a
    /// template loop cannot overflow the stack when released.
    fn drop(&mut self) {
        if !matches!(self, Value::List(..) | Value::Map(_)) {
            return;
        }
        let depth = DROP_DEPTH.get();
        if depth < RECURSIVE_DROP_DEPTH {
            DROP_DEPTH.set(depth + 1);
            drop_contents(self);
            DROP_DEPTH.set(depth);
            return;
        }
        let mut stack: Vec<Value> = Vec::new();
        take_children(self, &mut stack);
        while let Some(mut v) = stack.pop() {
            take_children(&mut v, &mut stack);
        }
    }
}

/// Drops the items of a list or map that nothing else references, here and now (so that the
/// drop depth counted around this call covers them).
fn drop_contents(v: &mut Value) {
    match v {
        Value::List(l, _) => {
            if let Some(items) = Rc::get_mut(l) {
                drop(std::mem::take(items));
            }
        }
        Value::Map(m) => {
            if Rc::strong_count(m) == 1
                && Rc::weak_count(m) == 0
                && let Ok(mut b) = m.try_borrow_mut()
            {
                let items = std::mem::take(&mut *b);
                drop(b);
                drop(items);
            }
        }
        _ => {}
    }
}

/// Moves out the nested lists and maps of a list or map that nothing else references
/// (scalars are left to drop in place: they cannot nest).
fn take_children(v: &mut Value, stack: &mut Vec<Value>) {
    fn take_containers<'a>(items: impl Iterator<Item = &'a mut Value>, stack: &mut Vec<Value>) {
        for x in items {
            if matches!(x, Value::List(..) | Value::Map(_)) {
                stack.push(std::mem::take(x));
            }
        }
    }
    match v {
        Value::List(l, _) => {
            if let Some(items) = Rc::get_mut(l) {
                take_containers(items.iter_mut(), stack);
            }
        }
        Value::Map(m) => {
            if Rc::strong_count(m) == 1
                && Rc::weak_count(m) == 0
                && let Ok(mut b) = m.try_borrow_mut()
            {
                take_containers(b.values_mut(), stack);
            }
        }
        _ => {}
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => write!(f, "Nil"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Int64(i) => write!(f, "Int64({i})"),
            Value::Float(x) => write!(f, "Float({x})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::List(l, k) => f.debug_tuple("List").field(l).field(k).finish(),
            Value::Map(m) => f.debug_tuple("Map").field(&*m.borrow()).finish(),
            Value::Object(o) => write!(f, "Object({o:?})"),
        }
    }
}

/// Nesting beyond which structural comparison and JSON conversion stop descending, so that
/// self-referencing maps (possible through Sprig's `set`) cannot overflow the stack.
pub const MAX_NESTING: usize = 256;

impl PartialEq for Value {
    /// Deep structural equality like Go's `reflect.DeepEqual` on `interface{}` values (types
    /// must match exactly); used by tests and Sprig helpers, not by the `eq` builtin.
    fn eq(&self, other: &Self) -> bool {
        deep_eq(self, other, 0)
    }
}

fn deep_eq(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > MAX_NESTING {
        return false;
    }
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::List(x, kx), Value::List(y, ky)) => {
            kx == ky
                && x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(p, q)| deep_eq(p, q, depth + 1))
        }
        (Value::Map(x), Value::Map(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((kp, p), (kq, q))| kp == kq && deep_eq(p, q, depth + 1))
        }
        (Value::Object(x), Value::Object(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::List(Rc::new(v), ListKind::Any)
    }
}
impl From<BTreeMap<String, Value>> for Value {
    fn from(m: BTreeMap<String, Value>) -> Self {
        Value::Map(MapCell::new_ref(m))
    }
}

impl Value {
    /// A new `[]interface{}` value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items), ListKind::Any)
    }

    /// A new `[]string` value.
    pub fn string_list(items: Vec<String>) -> Value {
        Value::List(
            Rc::new(items.into_iter().map(Value::String).collect()),
            ListKind::String,
        )
    }

    /// A new, empty, shared map.
    pub fn new_map() -> Value {
        Value::Map(MapCell::new_ref(BTreeMap::new()))
    }

    /// Whether this is untyped nil.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Go's truth for `if`/`with`/`and`/`or`/`not`: false for nil, zero numbers, empty
    /// strings/slices/maps.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(x) => *x != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::List(l, _) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
            Value::Object(o) => o.truthy(),
        }
    }

    /// The Go type name as `%T` prints it (`<nil>` for untyped nil).
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Int64(_) => "int64".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::List(_, ListKind::Any) => "[]interface {}".into(),
            Value::List(_, ListKind::String) => "[]string".into(),
            Value::List(_, ListKind::Int) => "[]int".into(),
            Value::Map(_) => "map[string]interface {}".into(),
            Value::Object(o) => o.type_name(),
        }
    }

    /// The string inside, if this is a Go string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer inside, if this is a Go int or int64.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(*i),
            _ => None,
        }
    }

    /// The map inside, if this is a map.
    pub fn as_map(&self) -> Option<&MapRef> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The map inside a map or a map-typed object ([`Object::as_map`]).
    pub fn as_map_like(&self) -> Option<&MapRef> {
        match self {
            Value::Map(m) => Some(m),
            Value::Object(o) => o.as_map(),
            _ => None,
        }
    }

    /// The slice inside, if this is a list.
    pub fn as_list(&self) -> Option<&Rc<Vec<Value>>> {
        match self {
            Value::List(l, _) => Some(l),
            _ => None,
        }
    }

    /// Converts from JSON: numbers with an `i64` representation become [`Value::Int`], all
    /// others [`Value::Float`]. Map order is irrelevant: maps are sorted by key.
    pub fn from_json(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => {
                let m: BTreeMap<String, Value> = o
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect();
                Value::from(m)
            }
        }
    }

    /// Converts from JSON as Go's `encoding/json` decodes into `interface{}`: every number
    /// becomes a `float64`. This is what Helm's values files (YAML via JSON) and `--set-json`
    /// produce, so `{{ .Values.big }}` prints `1e+06` and `eq .Values.port 80` fails as in Helm.
    pub fn from_json_go(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json_go).collect()),
            serde_json::Value::Object(o) => {
                let m: BTreeMap<String, Value> = o
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from_json_go(v)))
                    .collect();
                Value::from(m)
            }
            other => Value::from_json(other),
        }
    }

    /// Converts to JSON. Non-finite floats become null; objects become their `%v` text;
    /// nesting deeper than [`MAX_NESTING`] (only reachable through cycles) becomes null.
    pub fn to_json(&self) -> serde_json::Value {
        self.to_json_at(0, &mut Vec::new())
    }

    /// Whether a map contains itself (through `set`/`merge` of a map into its own entries).
    /// Linear in the number of distinct maps and lists.
    pub fn is_cyclic(&self) -> bool {
        fn visit(
            v: &Value,
            path: &mut Vec<*const ()>,
            done: &mut std::collections::HashSet<*const ()>,
        ) -> bool {
            let (ptr, children): (*const (), Vec<Value>) = match v {
                Value::Map(m) => (
                    Rc::as_ptr(m) as *const (),
                    m.borrow().values().cloned().collect(),
                ),
                Value::List(l, _) => (Rc::as_ptr(l) as *const (), l.iter().cloned().collect()),
                Value::Object(o) => match o.as_map() {
                    Some(m) => (
                        Rc::as_ptr(m) as *const (),
                        m.borrow().values().cloned().collect(),
                    ),
                    None => return false,
                },
                _ => return false,
            };
            if path.contains(&ptr) {
                return true;
            }
            if done.contains(&ptr) || path.len() > MAX_NESTING {
                return false;
            }
            path.push(ptr);
            let cyclic = children.iter().any(|c| visit(c, path, done));
            path.pop();
            done.insert(ptr);
            cyclic
        }
        visit(self, &mut Vec::new(), &mut std::collections::HashSet::new())
    }

    fn to_json_at(&self, depth: usize, path: &mut Vec<*const ()>) -> serde_json::Value {
        if depth > MAX_NESTING {
            return serde_json::Value::Null;
        }
        match self {
            Value::Nil => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) | Value::Int64(i) => serde_json::Value::from(*i),
            Value::Float(x) => serde_json::Number::from_f64(*x)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(l, _) => {
                serde_json::Value::Array(l.iter().map(|v| v.to_json_at(depth + 1, path)).collect())
            }
            Value::Map(m) => {
                // A map inside itself: cut the cycle (callers that must fail as Go does check
                // `is_cyclic` first).
                let ptr = Rc::as_ptr(m) as *const ();
                if path.contains(&ptr) {
                    return serde_json::Value::Null;
                }
                path.push(ptr);
                let mut out = serde_json::Map::new();
                for (k, v) in m.borrow().iter() {
                    out.insert(k.clone(), v.to_json_at(depth + 1, path));
                }
                path.pop();
                serde_json::Value::Object(out)
            }
            Value::Object(o) => match (o.as_map(), o.list_items()) {
                (Some(m), _) => Value::Map(m.clone()).to_json_at(depth, path),
                (None, Some(items)) => serde_json::Value::Array(
                    items
                        .iter()
                        .map(|v| v.to_json_at(depth + 1, path))
                        .collect(),
                ),
                (None, None) => serde_json::Value::String(o.format_v()),
            },
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn shared_text_is_the_same_bytes_when_valid_and_lossy_otherwise() {
        let bytes: std::sync::Arc<[u8]> = std::sync::Arc::from(&b"caf\xc3\xa9: {{ .x }}"[..]);
        let text = shared_str_from_bytes(&bytes);
        assert_eq!(&*text, "café: {{ .x }}");
        assert_eq!(
            text.as_ptr(),
            bytes.as_ptr(),
            "valid UTF-8 is shared, not copied"
        );
        let bad: std::sync::Arc<[u8]> = std::sync::Arc::from(&b"a\xffb"[..]);
        assert_eq!(&*shared_str_from_bytes(&bad), "a\u{fffd}b");
        assert_eq!(&*shared_str_from_bytes(&bad), string_from_bytes(&bad));
    }

    use super::*;

    #[test]
    fn json_round_trip_keeps_int_float_split() {
        let j: serde_json::Value =
            serde_json::from_str(r#"{"b":1,"a":[1.5,"x",null,true],"c":{"d":2e3}}"#).unwrap();
        let v = Value::from_json(&j);
        let m = v.as_map().unwrap().borrow().clone();
        assert_eq!(m["b"], Value::Int(1));
        assert_eq!(
            m["a"],
            Value::list(vec![
                Value::Float(1.5),
                "x".into(),
                Value::Nil,
                Value::Bool(true)
            ])
        );
        assert_eq!(v.to_json(), j);
    }

    #[test]
    fn cyclic_maps_do_not_overflow() {
        let a = Value::new_map();
        a.as_map()
            .unwrap()
            .borrow_mut()
            .insert("self".into(), a.clone());
        let b = Value::new_map();
        b.as_map()
            .unwrap()
            .borrow_mut()
            .insert("self".into(), b.clone());
        assert!(a != b);
        assert!(a.to_json().is_object());
        assert!(super::super::gofmt::format_v(&a).contains("..."));
        // Break the cycles so the test does not leak.
        a.as_map().unwrap().borrow_mut().clear();
        b.as_map().unwrap().borrow_mut().clear();
    }

    #[test]
    fn go_json_decoding_makes_every_number_float64() {
        let j: serde_json::Value =
            serde_json::from_str(r#"{"a":[1,2.5],"b":{"c":1000000}}"#).unwrap();
        let v = Value::from_json_go(&j);
        let m = v.as_map().unwrap().borrow().clone();
        assert_eq!(
            m["a"],
            Value::list(vec![Value::Float(1.0), Value::Float(2.5)])
        );
        assert_eq!(super::super::gofmt::format_v(&m["b"]), "map[c:1e+06]");
    }

    #[test]
    fn maps_are_shared_references() {
        let a = Value::new_map();
        let b = a.clone();
        a.as_map()
            .unwrap()
            .borrow_mut()
            .insert("k".into(), Value::Int(1));
        assert_eq!(b.as_map().unwrap().borrow().get("k"), Some(&Value::Int(1)));
    }

    #[test]
    fn truthiness_follows_go() {
        assert!(!Value::Nil.truthy());
        assert!(!Value::Int(0).truthy());
        assert!(Value::Float(0.1).truthy());
        assert!(!Value::from("").truthy());
        assert!(!Value::list(vec![]).truthy());
        assert!(!Value::new_map().truthy());
        assert!(Value::from("0").truthy());
    }

    #[test]
    fn type_names_match_go() {
        assert_eq!(Value::Int(1).type_name(), "int");
        assert_eq!(Value::Float(1.0).type_name(), "float64");
        assert_eq!(Value::string_list(vec![]).type_name(), "[]string");
        assert_eq!(Value::new_map().type_name(), "map[string]interface {}");
        assert_eq!(Value::Nil.type_name(), "<nil>");
    }
}

/// A Go `complex128` constant (`{{ 1+2i }}`, `{{ 1i }}`): only template literals produce
/// one, so it is an [`Object`] that prints as Go's `fmt` does (`(1+2i)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Complex {
    /// Real part.
    pub re: f64,
    /// Imaginary part.
    pub im: f64,
}

impl Complex {
    /// Parses a Go complex or imaginary literal: `1+2i`, `-1.5e3-2i`, `2i`, `0x1p-2i`.
    pub fn parse(text: &str) -> Option<Complex> {
        let body = text.strip_suffix('i')?;
        let bytes = body.as_bytes();
        // The imaginary part starts at the last sign that is not an exponent sign.
        let split = (1..bytes.len()).rev().find(|&i| {
            matches!(bytes[i], b'+' | b'-') && !matches!(bytes[i - 1], b'e' | b'E' | b'p' | b'P')
        });
        let parse = super::parse::parse_go_float;
        match split {
            Some(i) => Some(Complex {
                re: parse(&body[..i])?,
                im: parse(&body[i..])?,
            }),
            None => Some(Complex {
                re: 0.0,
                im: parse(body)?,
            }),
        }
    }
}

impl Object for Complex {
    fn type_name(&self) -> String {
        "complex128".into()
    }

    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    fn format_v(&self) -> String {
        let g = |x: f64| super::gofmt::format_float(x, 'g', -1);
        let im = g(self.im);
        let sign = if im.starts_with(['-', '+']) { "" } else { "+" };
        format!("({}{sign}{im}i)", g(self.re))
    }

    fn truthy(&self) -> bool {
        self.re != 0.0 || self.im != 0.0
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
