//! Sprig (v3) template functions with Sprig's exact semantics, built on the engine's
//! [`FuncMap`]. Only a first, commonly used subset exists so far: strings, defaults, lists,
//! dicts, type inspection, conversions, integer math, base64, sha256 and JSON output.

mod convert;
mod crypto;
mod dates;
mod encoding;
mod floats;
mod goregex;
mod gotime;
mod hashes;
mod json;
mod math;
mod merge;
mod misc;
mod paths;
mod random;
mod regex;
mod rsa_keygen;
mod semver;
#[cfg(test)]
mod tests_support;
mod text;

use std::collections::BTreeMap;
use std::rc::Rc;

pub use convert::{strslice, strval, to_float64, to_int64};
pub use dates::{TimeValue, as_time, time_value};
pub use encoding::{b64dec, b64enc, sha256_hex};
pub use gotime::{GoTime, Location};
pub use json::{JsonStyle, to_json};
pub use merge::{deep_copy, merge_into};

use super::funcs::{Arity, CallContext, FuncMap, FuncResult};
use super::value::{FuncError, ListKind, Value};

/// Sprig's functions whose results depend on more than their arguments: randomness, the
/// clock, the network. (`set`, `unset` and the merges change maps instead; they report the
/// maps they change through `CallContext::changed_map_born`.)
pub const IMPURE: &[&str] = &[
    "ago",
    "bcrypt",
    "encryptAES",
    "genCA",
    "genCAWithKey",
    "genPrivateKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "htpasswd",
    "now",
    "randAlpha",
    "randAlphaNum",
    "randAscii",
    "randBytes",
    "randInt",
    "randNumeric",
    "shuffle",
    "uuidv4",
];

/// Every Sprig function implemented here.
pub fn funcs() -> FuncMap {
    let mut m = FuncMap::new();
    register_strings(&mut m);
    register_defaults(&mut m);
    register_lists(&mut m);
    register_dicts(&mut m);
    convert::register(&mut m);
    math::register(&mut m);
    encoding::register(&mut m);
    json::register(&mut m);
    paths::register(&mut m);
    merge::register(&mut m);
    semver::register(&mut m);
    regex::register(&mut m);
    random::register(&mut m);
    dates::register(&mut m);
    text::register(&mut m);
    misc::register(&mut m);
    floats::register(&mut m);
    hashes::register(&mut m);
    crypto::register(&mut m);
    // Sprig's must* variants return the error their plain twin panics with: same text.
    for name in [
        "first",
        "last",
        "rest",
        "initial",
        "append",
        "push",
        "prepend",
        "has",
        "reverse",
        "compact",
        "uniq",
        "without",
        "slice",
        "merge",
        "mergeOverwrite",
        "deepCopy",
    ] {
        let mut must = String::from("must");
        must.push_str(&name[..1].to_uppercase());
        must.push_str(&name[1..]);
        m.alias(&must, name);
    }
    m.mark_impure(IMPURE);
    m
}

fn s(v: String) -> FuncResult {
    Ok(Value::String(v))
}

/// Registers a `func(string) string`.
fn str1(m: &mut FuncMap, name: &str, f: fn(&str) -> String) {
    m.register(name, Arity::Exact(1), move |ctx, a| {
        s(f(ctx.string_arg(a, 0)?))
    });
}

/// Registers a `func(a, b string) T` where Sprig passes the operand last.
fn str2(m: &mut FuncMap, name: &str, f: fn(&str, &str) -> Value) {
    m.register(name, Arity::Exact(2), move |ctx, a| {
        Ok(f(ctx.string_arg(a, 0)?, ctx.string_arg(a, 1)?))
    });
}

fn register_strings(m: &mut FuncMap) {
    str1(m, "upper", |x| simple_case(x, true));
    str1(m, "lower", |x| simple_case(x, false));
    m.register("hello", Arity::Exact(0), |_, _| s("Hello!".into()));
    str1(m, "title", title);
    str1(m, "untitle", untitle);
    str1(m, "trim", |x| {
        x.trim_matches(char::is_whitespace).to_string()
    });
    str1(m, "nospace", |x| {
        x.chars().filter(|c| !c.is_whitespace()).collect()
    });
    for name in ["trimAll", "trimall"] {
        str2(m, name, |cut, x| {
            Value::String(x.trim_matches(|c| cut.contains(c)).to_string())
        });
    }
    m.register("abbrev", Arity::Exact(2), |ctx, a| {
        let width = ctx.int_arg(a, 0)?;
        let x = ctx.string_arg(a, 1)?;
        if width < 4 || x.len() as i64 <= width {
            return s(x.to_string());
        }
        let keep = &x.as_bytes()[..(width - 3) as usize];
        s(format!("{}...", String::from_utf8_lossy(keep)))
    });
    m.register("plural", Arity::Exact(3), |ctx, a| {
        let (one, many) = (ctx.string_arg(a, 0)?, ctx.string_arg(a, 1)?);
        s(if ctx.int_arg(a, 2)? == 1 { one } else { many }.to_string())
    });
    m.register("splitn", Arity::Exact(3), |ctx, a| {
        let sep = ctx.string_arg(a, 0)?;
        let n = ctx.int_arg(a, 1)?;
        let x = ctx.string_arg(a, 2)?;
        let parts: Vec<String> = if n == 0 {
            Vec::new()
        } else if n < 0 {
            go_split(x, sep)
        } else if sep.is_empty() {
            let mut v: Vec<String> = x.chars().map(String::from).collect();
            if v.len() > n as usize {
                let tail: String = v[n as usize - 1..].concat();
                v.truncate(n as usize - 1);
                v.push(tail);
            }
            v
        } else {
            x.splitn(n as usize, sep).map(str::to_string).collect()
        };
        let map: BTreeMap<String, Value> = parts
            .into_iter()
            .enumerate()
            .map(|(i, p)| (format!("_{i}"), Value::String(p)))
            .collect();
        Ok(Value::from(map))
    });
    str2(m, "trimSuffix", |suf, x| {
        Value::String(x.strip_suffix(suf).unwrap_or(x).to_string())
    });
    str2(m, "trimPrefix", |pre, x| {
        Value::String(x.strip_prefix(pre).unwrap_or(x).to_string())
    });
    str2(m, "contains", |sub, x| Value::Bool(x.contains(sub)));
    str2(m, "hasPrefix", |pre, x| Value::Bool(x.starts_with(pre)));
    str2(m, "hasSuffix", |suf, x| Value::Bool(x.ends_with(suf)));
    str2(m, "splitList", |sep, x| {
        Value::string_list(go_split(x, sep))
    });
    str2(m, "split", |sep, x| {
        let parts = go_split(x, sep);
        let map: BTreeMap<String, Value> = parts
            .into_iter()
            .enumerate()
            .map(|(i, p)| (format!("_{i}"), Value::String(p)))
            .collect();
        Value::from(map)
    });
    m.register("replace", Arity::Exact(3), |ctx, a| {
        let (old, new, src) = (
            ctx.string_arg(a, 0)?,
            ctx.string_arg(a, 1)?,
            ctx.string_arg(a, 2)?,
        );
        s(go_replace_all(src, old, new))
    });
    m.register("repeat", Arity::Exact(2), |ctx, a| {
        let n = ctx.int_arg(a, 0)?;
        let x = ctx.string_arg(a, 1)?;
        repeat(x, n).map(Value::String)
    });
    m.register("indent", Arity::Exact(2), |ctx, a| {
        s(indent(ctx.int_arg(a, 0)?, ctx.string_arg(a, 1)?)?)
    });
    m.register("nindent", Arity::Exact(2), |ctx, a| {
        s(format!(
            "\n{}",
            indent(ctx.int_arg(a, 0)?, ctx.string_arg(a, 1)?)?
        ))
    });
    m.register("trunc", Arity::Exact(2), |ctx, a| {
        s(trunc(ctx.int_arg(a, 0)?, ctx.string_arg(a, 1)?))
    });
    m.register("substr", Arity::Exact(3), |ctx, a| {
        s(substr(
            ctx.int_arg(a, 0)?,
            ctx.int_arg(a, 1)?,
            ctx.string_arg(a, 2)?,
        )?)
    });
    m.register("quote", Arity::AtLeast(0), |_, a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| super::gofmt::quote(&strval(v)))
            .collect();
        s(parts.join(" "))
    });
    m.register("squote", Arity::AtLeast(0), |_, a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", strval(v)))
            .collect();
        s(parts.join(" "))
    });
    m.register("cat", Arity::AtLeast(0), |_, a| {
        let parts: Vec<String> = a.iter().filter(|v| !v.is_nil()).map(strval).collect();
        s(parts.join(" "))
    });
    m.register("join", Arity::Exact(2), |ctx, a| {
        let sep = ctx.string_arg(a, 0)?;
        s(strslice(&a[1]).join(sep))
    });
    m.register("fail", Arity::Exact(1), |ctx, a| {
        Err(FuncError::Call(ctx.string_arg(a, 0)?.to_string()))
    });
}

/// Go's `strings.ToUpper`/`ToLower`: per-character simple case mapping, so characters whose
/// full mapping has several characters (`ß` → `SS`) stay as they are.
fn simple_case(x: &str, upper: bool) -> String {
    x.chars()
        .map(|c| {
            let mut mapped: Vec<char> = if upper {
                c.to_uppercase().collect()
            } else {
                c.to_lowercase().collect()
            };
            if mapped.len() == 1 {
                mapped.remove(0)
            } else {
                c
            }
        })
        .collect()
}

/// Go's `strings.Split`: an empty separator splits into UTF-8 characters.
fn go_split(x: &str, sep: &str) -> Vec<String> {
    if sep.is_empty() {
        return x.chars().map(String::from).collect();
    }
    x.split(sep).map(str::to_string).collect()
}

/// Go's `strings.Replace(src, old, new, -1)`: an empty `old` inserts `new` around every rune.
fn go_replace_all(src: &str, old: &str, new: &str) -> String {
    if !old.is_empty() {
        return src.replace(old, new);
    }
    let mut out = String::from(new);
    for c in src.chars() {
        out.push(c);
        out.push_str(new);
    }
    out
}

/// Largest output Sprig string builders may produce here, to keep `repeat`/`indent` bounded.
const MAX_STRING: usize = 64 << 20;

fn repeat(x: &str, n: i64) -> Result<String, FuncError> {
    if n < 0 {
        return Err(FuncError::Call("strings: negative Repeat count".into()));
    }
    if (n as u128) * (x.len() as u128) > MAX_STRING as u128 {
        return Err(FuncError::Call(
            "strings: Repeat output length overflow".into(),
        ));
    }
    Ok(x.repeat(n as usize))
}

fn indent(n: i64, v: &str) -> Result<String, FuncError> {
    let pad = repeat(" ", n)?;
    let lines = v.matches('\n').count() as u128 + 1;
    if lines * pad.len() as u128 + v.len() as u128 > MAX_STRING as u128 {
        return Err(FuncError::Call(
            "strings: Repeat output length overflow".into(),
        ));
    }
    Ok(format!("{pad}{}", v.replace('\n', &format!("\n{pad}"))))
}

/// Sprig's `trunc` (byte based, negative counts keep the tail).
fn trunc(c: i64, x: &str) -> String {
    let len = x.len() as i64;
    let cut = |from: i64, to: i64| {
        String::from_utf8_lossy(&x.as_bytes()[from as usize..to as usize]).into_owned()
    };
    if c < 0 && len + c > 0 {
        return cut(len + c, len);
    }
    if c >= 0 && len > c {
        return cut(0, c);
    }
    x.to_string()
}

/// Sprig's `substr` (byte based); out-of-range bounds fail as Go's slice expressions do.
fn substr(start: i64, end: i64, x: &str) -> Result<String, FuncError> {
    let len = x.len() as i64;
    let bounds = |what: String| {
        Err(FuncError::Call(format!(
            "runtime error: slice bounds out of range {what}"
        )))
    };
    let (from, to) = if start < 0 {
        // x[:end]
        if end < 0 {
            return bounds(format!("[:{end}]"));
        }
        if end > len {
            return bounds(format!("[:{end}] with length {len}"));
        }
        (0, end)
    } else if end < 0 || end > len {
        // x[start:]
        if start > len {
            return bounds(format!("[{start}:{len}]"));
        }
        (start, len)
    } else {
        if start > end {
            return bounds(format!("[{start}:{end}]"));
        }
        (start, end)
    };
    Ok(String::from_utf8_lossy(&x.as_bytes()[from as usize..to as usize]).into_owned())
}

/// Go's deprecated `strings.Title`: upper-cases the first letter of each word.
fn title(x: &str) -> String {
    let mut out = String::with_capacity(x.len());
    let mut prev_letter = false;
    for c in x.chars() {
        if !prev_letter {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_letter = c.is_alphanumeric() || c == '_' || c == '\'';
    }
    out
}

fn untitle(x: &str) -> String {
    let mut out = String::with_capacity(x.len());
    let mut prev_space = true;
    for c in x.chars() {
        if prev_space {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        prev_space = c.is_whitespace();
    }
    out
}

/// Sprig's `empty`: nil, zero numbers, false, and empty strings, lists and maps.
pub fn empty(v: &Value) -> bool {
    !v.truthy()
}

fn register_defaults(m: &mut FuncMap) {
    m.register("default", Arity::AtLeast(1), |_, a| {
        let given = &a[1..];
        if given.is_empty() || empty(&given[0]) {
            return Ok(a[0].clone());
        }
        Ok(given[0].clone())
    });
    m.register("empty", Arity::Exact(1), |_, a| {
        Ok(Value::Bool(empty(&a[0])))
    });
    m.register("coalesce", Arity::AtLeast(0), |_, a| {
        Ok(a.iter().find(|v| !empty(v)).cloned().unwrap_or_default())
    });
    m.register("all", Arity::AtLeast(0), |_, a| {
        Ok(Value::Bool(a.iter().all(|v| !empty(v))))
    });
    m.register("any", Arity::AtLeast(0), |_, a| {
        Ok(Value::Bool(a.iter().any(|v| !empty(v))))
    });
    m.register("ternary", Arity::Exact(3), |ctx, a| {
        Ok(if ctx.bool_arg(a, 2)? {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
}

/// Go's `reflect.Value.Kind().String()` for a value.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Int64(_) => "int64",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::List(..) => "slice",
        Value::Map(_) => "map",
        Value::Object(o) if o.as_map().is_some() => "map",
        Value::Object(o) if o.list_items().is_some() => "slice",
        Value::Object(o) => {
            let any = o.as_any();
            if any.is::<dates::TimeValue>() || any.is::<crypto::Certificate>() {
                "struct"
            } else {
                "ptr"
            }
        }
    }
}

fn list_items(v: &Value, func: &str) -> Result<Rc<Vec<Value>>, FuncError> {
    match v {
        Value::List(l, _) => Ok(l.clone()),
        Value::Object(o) if o.list_items().is_some() => Ok(o.list_items().unwrap_or_default()),
        Value::Nil => Err(FuncError::Call(
            "runtime error: invalid memory address or nil pointer dereference".into(),
        )),
        other => Err(FuncError::Call(format!(
            "Cannot find {func} on type {}",
            kind_of(other)
        ))),
    }
}

/// Like [`list_items`], for the Sprig functions whose error reads `PREFIX KIND`.
fn list_or(v: &Value, prefix: &str) -> Result<Rc<Vec<Value>>, FuncError> {
    match v {
        Value::List(l, _) => Ok(l.clone()),
        Value::Object(o) if o.list_items().is_some() => Ok(o.list_items().unwrap_or_default()),
        Value::Nil => list_items(v, ""),
        other => Err(FuncError::Call(format!("{prefix} {}", kind_of(other)))),
    }
}

fn register_lists(m: &mut FuncMap) {
    for name in ["list", "tuple"] {
        m.register(name, Arity::AtLeast(0), |_, a| Ok(Value::list(a.to_vec())));
    }
    // Sprig's `slice` replaces Go's builtin of the same name in Helm.
    m.register("slice", Arity::AtLeast(1), |_, a| {
        let (l, kind) = match &a[0] {
            Value::List(l, k) => (l, *k),
            Value::Nil => {
                return Err(FuncError::Call(
                    "runtime error: invalid memory address or nil pointer dereference".into(),
                ));
            }
            other => {
                return Err(FuncError::Call(format!(
                    "list should be type of slice or array but {}",
                    kind_of(other)
                )));
            }
        };
        if l.is_empty() {
            return Ok(Value::Nil);
        }
        let start = a.get(1).map(to_int64).unwrap_or(0);
        let end = a.get(2).map(to_int64).unwrap_or(l.len() as i64);
        if start < 0 || end < start || end > l.len() as i64 {
            return Err(FuncError::Call(
                "reflect.Value.Slice: slice index out of bounds".into(),
            ));
        }
        Ok(Value::List(
            Rc::new(l[start as usize..end as usize].to_vec()),
            kind,
        ))
    });
    m.register("first", Arity::Exact(1), |_, a| {
        Ok(list_items(&a[0], "first")?
            .first()
            .cloned()
            .unwrap_or_default())
    });
    m.register("last", Arity::Exact(1), |_, a| {
        Ok(list_items(&a[0], "last")?
            .last()
            .cloned()
            .unwrap_or_default())
    });
    m.register("rest", Arity::Exact(1), |_, a| {
        let l = list_items(&a[0], "rest")?;
        // Sprig returns a nil slice, which prints as `[]`.
        Ok(if l.is_empty() {
            Value::list(Vec::new())
        } else {
            Value::list(l[1..].to_vec())
        })
    });
    m.register("initial", Arity::Exact(1), |_, a| {
        let l = list_items(&a[0], "initial")?;
        // Sprig returns a nil slice, which prints as `[]`.
        Ok(if l.is_empty() {
            Value::list(Vec::new())
        } else {
            Value::list(l[..l.len() - 1].to_vec())
        })
    });
    for name in ["append", "push"] {
        m.register(name, Arity::Exact(2), move |_, a| {
            let l = list_or(&a[0], "Cannot push on type")?;
            let mut v = l.to_vec();
            v.push(a[1].clone());
            Ok(Value::list(v))
        });
    }
    m.register("prepend", Arity::Exact(2), |_, a| {
        let l = list_or(&a[0], "Cannot prepend on type")?;
        let mut v = vec![a[1].clone()];
        v.extend(l.iter().cloned());
        Ok(Value::list(v))
    });
    m.register("has", Arity::Exact(2), |_, a| match &a[1] {
        Value::Nil => Ok(Value::Bool(false)),
        Value::List(l, _) => Ok(Value::Bool(l.iter().any(|x| *x == a[0]))),
        Value::Object(o) if o.list_items().is_some() => Ok(Value::Bool(
            o.list_items()
                .unwrap_or_default()
                .iter()
                .any(|x| *x == a[0]),
        )),
        other => Err(FuncError::Call(format!(
            "Cannot find has on type {}",
            kind_of(other)
        ))),
    });
    m.register("reverse", Arity::Exact(1), |_, a| {
        let l = list_items(&a[0], "reverse")?;
        Ok(Value::list(l.iter().rev().cloned().collect()))
    });
    m.register("compact", Arity::Exact(1), |_, a| {
        let l = list_or(&a[0], "Cannot compact on type")?;
        Ok(Value::list(
            l.iter().filter(|v| !empty(v)).cloned().collect(),
        ))
    });
    m.register("uniq", Arity::Exact(1), |_, a| {
        let l = list_items(&a[0], "uniq")?;
        let mut out: Vec<Value> = Vec::new();
        for v in l.iter() {
            if !out.contains(v) {
                out.push(v.clone());
            }
        }
        Ok(Value::list(out))
    });
    m.register("without", Arity::AtLeast(1), |_, a| {
        let l = list_items(&a[0], "without")?;
        Ok(Value::list(
            l.iter().filter(|v| !a[1..].contains(v)).cloned().collect(),
        ))
    });
    m.register("concat", Arity::AtLeast(0), |_, a| {
        let mut out = Vec::new();
        for v in a {
            match v {
                Value::List(l, _) => out.extend(l.iter().cloned()),
                // Sprig calls reflect.TypeOf(nil).Kind(): a nil pointer panic.
                Value::Nil => {
                    return Err(FuncError::Call(
                        "runtime error: invalid memory address or nil pointer dereference".into(),
                    ));
                }
                other => {
                    return Err(FuncError::Call(format!(
                        "Cannot concat type {} as list",
                        kind_of(other)
                    )));
                }
            }
        }
        Ok(Value::list(out))
    });
    m.register("sortAlpha", Arity::Exact(1), |_, a| {
        // Anything but a slice becomes a one-element list of its `%v` text (`[<nil>]`).
        let mut v = match &a[0] {
            Value::List(..) => strslice(&a[0]),
            Value::Nil => vec!["<nil>".to_string()],
            other => vec![strval(other)],
        };
        v.sort();
        Ok(Value::string_list(v))
    });
    m.register("until", Arity::Exact(1), |ctx, a| {
        let n = ctx.int_arg(a, 0)?;
        until_step(0, n, if n < 0 { -1 } else { 1 })
    });
    m.register("untilStep", Arity::Exact(3), |ctx, a| {
        until_step(ctx.int_arg(a, 0)?, ctx.int_arg(a, 1)?, ctx.int_arg(a, 2)?)
    });
}

/// Sprig's `untilStep`, bounded to a sane length.
fn until_step(start: i64, stop: i64, step: i64) -> FuncResult {
    let mut v = Vec::new();
    if step == 0 || (step > 0 && start >= stop) || (step < 0 && start <= stop) {
        return Ok(Value::List(Rc::new(v), ListKind::Int));
    }
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        if v.len() >= 1_000_000 {
            return Err(FuncError::Call("untilStep: list too long".into()));
        }
        v.push(Value::Int(i));
        i = match i.checked_add(step) {
            Some(n) => n,
            None => break,
        };
    }
    Ok(Value::List(Rc::new(v), ListKind::Int))
}

fn map_required(
    ctx: &CallContext<'_>,
    a: &[Value],
    func: &str,
) -> Result<super::MapRef, FuncError> {
    ctx.map_arg(a, 0)?
        .ok_or_else(|| FuncError::Call(format!("assignment to entry in nil map ({func})")))
}

/// The panic text of a failed Go type assertion `x.(T)` on an `interface{}`.
fn conversion_panic(v: &Value, want: &str) -> FuncError {
    let got = match v {
        Value::Nil => "nil".to_string(),
        other => other.type_name(),
    };
    FuncError::Call(format!(
        "interface conversion: interface {{}} is {got}, not {want}"
    ))
}

fn register_dicts(m: &mut FuncMap) {
    m.register("dict", Arity::AtLeast(0), |_, a| {
        let mut d = BTreeMap::new();
        for pair in a.chunks(2) {
            let key = strval(&pair[0]);
            d.insert(
                key,
                pair.get(1)
                    .cloned()
                    .unwrap_or_else(|| Value::String(String::new())),
            );
        }
        Ok(Value::from(d))
    });
    m.register("get", Arity::Exact(2), |ctx, a| {
        let d = ctx.map_arg(a, 0)?;
        let k = ctx.string_arg(a, 1)?;
        Ok(d.and_then(|d| d.borrow().get(k).cloned())
            .unwrap_or_else(|| Value::String(String::new())))
    });
    m.register("set", Arity::Exact(3), |ctx, a| {
        let k = ctx.string_arg(a, 1)?.to_string();
        let d = map_required(ctx, a, "set")?;
        ctx.changed_map_born(d.born());
        d.borrow_mut().insert(k, a[2].clone());
        Ok(Value::Map(d))
    });
    m.register("unset", Arity::Exact(2), |ctx, a| {
        let k = ctx.string_arg(a, 1)?;
        match ctx.map_arg(a, 0)? {
            Some(d) => {
                ctx.changed_map_born(d.born());
                d.borrow_mut().remove(k);
                Ok(Value::Map(d))
            }
            // Sprig returns the nil map it was given, which prints as `map[]`.
            None => Ok(Value::new_map()),
        }
    });
    m.register("hasKey", Arity::Exact(2), |ctx, a| {
        let k = ctx.string_arg(a, 1)?;
        Ok(Value::Bool(
            ctx.map_arg(a, 0)?
                .is_some_and(|d| d.borrow().contains_key(k)),
        ))
    });
    m.register("keys", Arity::AtLeast(0), |ctx, a| {
        // Go returns map order (random); sorted order is one of the possible outputs.
        let mut keys = Vec::new();
        for i in 0..a.len() {
            if let Some(d) = ctx.map_arg(a, i)? {
                keys.extend(d.borrow().keys().cloned());
            }
        }
        Ok(Value::string_list(keys))
    });
    m.register("values", Arity::Exact(1), |ctx, a| {
        let vals = ctx
            .map_arg(a, 0)?
            .map(|d| d.borrow().values().cloned().collect())
            .unwrap_or_default();
        Ok(Value::list(vals))
    });
    m.register("pluck", Arity::AtLeast(1), |ctx, a| {
        let k = ctx.string_arg(a, 0)?;
        let mut out = Vec::new();
        for i in 1..a.len() {
            if let Some(d) = ctx.map_arg(a, i)?
                && let Some(v) = d.borrow().get(k)
            {
                out.push(v.clone());
            }
        }
        Ok(Value::list(out))
    });
    m.register("pick", Arity::AtLeast(1), |ctx, a| {
        let mut out = BTreeMap::new();
        if let Some(d) = ctx.map_arg(a, 0)? {
            let d = d.borrow();
            for k in a[1..].iter() {
                let k = strval(k);
                if let Some(v) = d.get(&k) {
                    out.insert(k, v.clone());
                }
            }
        }
        Ok(Value::from(out))
    });
    m.register("omit", Arity::AtLeast(1), |ctx, a| {
        let drop: Vec<String> = a[1..].iter().map(strval).collect();
        let out: BTreeMap<String, Value> = match ctx.map_arg(a, 0)? {
            Some(d) => d
                .borrow()
                .iter()
                .filter(|(k, _)| !drop.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            None => BTreeMap::new(),
        };
        Ok(Value::from(out))
    });
    m.register("dig", Arity::AtLeast(3), |_, a| {
        let n = a.len();
        let Value::Map(first) = &a[n - 1] else {
            return Err(conversion_panic(&a[n - 1], "map[string]interface {}"));
        };
        let mut cur = first.clone();
        let keys = &a[..n - 2];
        for k in keys {
            if k.as_str().is_none() {
                return Err(conversion_panic(k, "string"));
            }
        }
        for (i, k) in keys.iter().enumerate() {
            let next = cur.borrow().get(k.as_str().unwrap_or_default()).cloned();
            match &next {
                None => return Ok(a[n - 2].clone()),
                Some(v) if i + 1 == keys.len() => return Ok(v.clone()),
                Some(Value::Map(m)) => cur = m.clone(),
                Some(v) => return Err(conversion_panic(v, "map[string]interface {}")),
            }
        }
        Ok(a[n - 2].clone())
    });
    m.register("typeOf", Arity::Exact(1), |_, a| s(a[0].type_name()));
    m.register("kindOf", Arity::Exact(1), |_, a| {
        s(kind_of(&a[0]).to_string())
    });
    m.register("typeIs", Arity::Exact(2), |ctx, a| {
        Ok(Value::Bool(ctx.string_arg(a, 0)? == a[1].type_name()))
    });
    m.register("kindIs", Arity::Exact(2), |ctx, a| {
        Ok(Value::Bool(ctx.string_arg(a, 0)? == kind_of(&a[1])))
    });
    m.register("deepEqual", Arity::Exact(2), |_, a| {
        Ok(Value::Bool(a[0] == a[1]))
    });
}

#[cfg(test)]
mod tests;
