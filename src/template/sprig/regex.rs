//! Sprig's regular-expression functions (`regexMatch`, `regexFind`, `regexFindAll`,
//! `regexReplaceAll`, `regexReplaceAllLiteral`, `regexSplit`, `regexQuoteMeta` and `must*`
//! twins), over [`GoRegex`] (Go's syntax and meaning on `regex-lite` or the `regex` crate);
//! compile error texts follow Go's shape but carry the Rust parser's description.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::goregex::GoRegex;

use super::super::funcs::{Arity, CallContext, FuncMap};
use super::super::gofmt::quote;
use super::super::value::{FuncError, Value};

/// Largest pattern accepted, keeping compilation cheap and bounded.
const MAX_PATTERN: usize = 64 * 1024;

/// Most compiled patterns kept per thread; the cache is cleared when it fills.
const CACHE_CAPACITY: usize = 256;

/// Longest pattern the cache keeps, so that it stays small whatever templates do.
const MAX_CACHED_PATTERN: usize = 4096;

thread_local! {
    /// Compiled patterns (and compile errors) by pattern text. Charts call `regexMatch` and
    /// friends with the same literal pattern from helpers that run hundreds of times per
    /// render, and compiling a pattern costs far more than matching it; a `Regex` is
    /// immutable, so sharing one is invisible to templates. It is shared through an `Rc`:
    /// a cloned `Regex` gets a fresh search cache, whose set-up cost as much as a small
    /// render's worth of matching.
    static COMPILED: RefCell<HashMap<String, Result<Rc<GoRegex>, String>>> =
        RefCell::new(HashMap::new());
}

/// Go's `regexp.Compile` with its error shape (`error parsing regexp: DESCRIPTION`),
/// memoised per thread.
fn compile(pattern: &str) -> Result<Rc<GoRegex>, String> {
    if let Some(hit) = COMPILED.with(|c| c.borrow().get(pattern).cloned()) {
        return hit;
    }
    let compiled = compile_uncached(pattern).map(Rc::new);
    if pattern.len() > MAX_CACHED_PATTERN {
        return compiled;
    }
    COMPILED.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(pattern.to_string(), compiled.clone());
    });
    compiled
}

/// Compiles `pattern` with Go's error shape, without the cache.
fn compile_uncached(pattern: &str) -> Result<GoRegex, String> {
    if pattern.len() > MAX_PATTERN {
        return Err("error parsing regexp: expression too large".into());
    }
    GoRegex::new(pattern).map_err(|e| {
        let msg = e.to_string();
        let last = msg
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("invalid");
        let desc = last.trim().trim_start_matches("error: ");
        format!("error parsing regexp: {}", go_syntax_error(pattern, desc))
    })
}

/// Go's `syntax.Error` text (`CODE: `EXPR``) for the common mistakes, else the Rust text.
fn go_syntax_error(pattern: &str, desc: &str) -> String {
    let class_start = || {
        let b = pattern.as_bytes();
        (0..b.len())
            .find(|&i| b[i] == b'[' && (i == 0 || b[i - 1] != b'\\'))
            .unwrap_or(0)
    };
    match desc {
        "unclosed group" => format!("missing closing ): `{pattern}`"),
        "unopened group" => format!("unexpected ): `{pattern}`"),
        "unclosed character class" => {
            format!("missing closing ]: `{}`", &pattern[class_start()..])
        }
        other => other.to_string(),
    }
}

/// Go's `regexp.quote`: backquoted when possible, else `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let can_backquote = !s
        .chars()
        .any(|c| c == '`' || c == '\u{FEFF}' || (c.is_control() && c != '\t'));
    if can_backquote {
        format!("`{s}`")
    } else {
        quote(s)
    }
}

/// `regexp.MustCompile`'s panic text, as the plain Sprig functions report it.
fn must_compile(pattern: &str) -> Result<Rc<GoRegex>, FuncError> {
    compile(pattern)
        .map_err(|e| FuncError::Call(format!("regexp: Compile({}): {e}", go_quote(pattern))))
}

/// Go's `Regexp.Split`.
pub fn go_split(re: &GoRegex, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !re.is_empty_pattern() && s.is_empty() {
        return vec![String::new()];
    }
    let matches = re.find_ranges(s, if n > 0 { n as usize } else { usize::MAX });
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for (ms, me) in matches {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = ms;
        if me != 0 {
            out.push(s[beg..end].to_string());
        }
        beg = me;
    }
    if end != s.len() {
        out.push(s[beg..].to_string());
    }
    out
}

fn find_all(re: &GoRegex, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    let limit = if n > 0 { n as usize } else { usize::MAX };
    re.find_ranges(s, limit)
        .into_iter()
        .map(|(a, b)| s[a..b].to_string())
        .collect()
}

/// Go's `regexp.QuoteMeta`.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

type RegexOp = fn(&CallContext<'_>, &GoRegex, &[Value]) -> Result<Value, FuncError>;

/// Registers `name` (compile failure reported as Go's panic) and `mustName` (as Go's error).
fn register_pair(m: &mut FuncMap, name: &str, arity: usize, op: RegexOp) {
    m.register(name, Arity::Exact(arity), move |ctx, a| {
        let re = must_compile(ctx.string_arg(a, 0)?)?;
        op(ctx, &re, a)
    });
    let must = format!("must{}{}", name[..1].to_uppercase(), &name[1..]);
    m.register(&must, Arity::Exact(arity), move |ctx, a| {
        let re = compile(ctx.string_arg(a, 0)?).map_err(FuncError::Call)?;
        op(ctx, &re, a)
    });
}

/// Registers the regex functions.
pub(super) fn register(m: &mut FuncMap) {
    m.register("regexMatch", Arity::Exact(2), |ctx, a| {
        let s = ctx.string_arg(a, 1)?;
        Ok(Value::Bool(
            compile(ctx.string_arg(a, 0)?).is_ok_and(|re| re.is_match(s)),
        ))
    });
    m.register("mustRegexMatch", Arity::Exact(2), |ctx, a| {
        let s = ctx.string_arg(a, 1)?;
        let re = compile(ctx.string_arg(a, 0)?).map_err(FuncError::Call)?;
        Ok(Value::Bool(re.is_match(s)))
    });
    register_pair(m, "regexFind", 2, |ctx, re, a| {
        let s = ctx.string_arg(a, 1)?;
        Ok(Value::String(
            re.find(s)
                .map(|(a, b)| s[a..b].to_string())
                .unwrap_or_default(),
        ))
    });
    register_pair(m, "regexFindAll", 3, |ctx, re, a| {
        let s = ctx.string_arg(a, 1)?;
        Ok(Value::string_list(find_all(re, s, ctx.int_arg(a, 2)?)))
    });
    register_pair(m, "regexReplaceAll", 3, |ctx, re, a| {
        let (s, repl) = (ctx.string_arg(a, 1)?, ctx.string_arg(a, 2)?);
        Ok(Value::String(re.replace_all(s, repl, false)))
    });
    register_pair(m, "regexReplaceAllLiteral", 3, |ctx, re, a| {
        let (s, repl) = (ctx.string_arg(a, 1)?, ctx.string_arg(a, 2)?);
        Ok(Value::String(re.replace_all(s, repl, true)))
    });
    register_pair(m, "regexSplit", 3, |ctx, re, a| {
        let s = ctx.string_arg(a, 1)?;
        Ok(Value::string_list(go_split(re, s, ctx.int_arg(a, 2)?)))
    });
    m.register("regexQuoteMeta", Arity::Exact(1), |ctx, a| {
        Ok(Value::String(quote_meta(ctx.string_arg(a, 0)?)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_returns_the_same_results_and_stays_bounded() {
        let first = compile("^a+b$").unwrap();
        let again = compile("^a+b$").unwrap();
        assert!(
            Rc::ptr_eq(&first, &again),
            "the compiled regex (and its search cache) is shared"
        );
        assert!(again.is_match("aab") && !again.is_match("ba"));
        assert_eq!(compile("(").unwrap_err(), compile("(").unwrap_err());
        for i in 0..(CACHE_CAPACITY + 10) {
            assert!(
                compile(&format!("x{i}"))
                    .unwrap()
                    .is_match(&format!("x{i}"))
            );
        }
        assert!(COMPILED.with(|c| c.borrow().len()) <= CACHE_CAPACITY);
        let long = "a".repeat(MAX_CACHED_PATTERN + 1);
        assert!(compile(&long).unwrap().is_match(&long));
        assert!(COMPILED.with(|c| !c.borrow().contains_key(&long)));
    }

    #[test]
    fn split_follows_go() {
        let re = compile("a").unwrap();
        assert_eq!(go_split(&re, "banana", -1), ["b", "n", "n", ""]);
        assert_eq!(go_split(&re, "banana", 2), ["b", "nana"]);
        assert!(go_split(&re, "banana", 0).is_empty());
        assert_eq!(go_split(&re, "", -1), [""]);
        let re = compile("x*").unwrap();
        assert_eq!(go_split(&re, "xabxxc", -1), ["", "a", "b", "c"]);
    }

    #[test]
    fn compile_errors_read_like_go() {
        assert_eq!(
            compile("(").unwrap_err(),
            "error parsing regexp: missing closing ): `(`"
        );
        assert_eq!(
            compile("a[b").unwrap_err(),
            "error parsing regexp: missing closing ]: `[b`"
        );
        assert_eq!(
            compile("a)").unwrap_err(),
            "error parsing regexp: unexpected ): `a)`"
        );
        assert_eq!(go_quote("a`b"), "\"a`b\"");
    }

    #[test]
    fn quote_meta_escapes_go_specials() {
        assert_eq!(quote_meta("1.5+[a]"), "1\\.5\\+\\[a\\]");
    }
}
