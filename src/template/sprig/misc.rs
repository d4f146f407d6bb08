//! Sprig's remaining list, reflection, number and URL helpers: `chunk`, `randInt`,
//! `toDecimal`, `typeIsLike`, the `os*` file-path functions and `urlParse`/`urlJoin`
//! (a Go `net/url` subset covering what those two functions expose).

use std::collections::BTreeMap;

use super::super::funcs::{Arity, FuncMap};
use super::super::gofmt::format_v;
use super::super::value::{FuncError, Value};
use super::random::next_u64;
use super::{kind_of, list_items};

/// Sprig's `mustChunk`: splits a list into lists of `size` elements.
fn chunk(size: i64, list: &Value) -> Result<Value, FuncError> {
    let items = match list {
        Value::List(..) => list_items(list, "chunk")?,
        Value::Nil => {
            return Err(FuncError::Call(
                "runtime error: invalid memory address or nil pointer dereference".into(),
            ));
        }
        other => {
            return Err(FuncError::Call(format!(
                "Cannot chunk type {}",
                kind_of(other)
            )));
        }
    };
    if size <= 0 {
        if items.is_empty() && size < 0 {
            return Ok(Value::list(Vec::new()));
        }
        return Err(FuncError::Call(
            "runtime error: makeslice: len out of range".into(),
        ));
    }
    Ok(Value::list(
        items
            .chunks(size as usize)
            .map(|c| Value::list(c.to_vec()))
            .collect(),
    ))
}

/// Sprig's `toDecimal`: `fmt.Sprint(v)` read as an octal int64, 0 when invalid.
fn to_decimal(v: &Value) -> i64 {
    let s = format_v(v);
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, &s[..]),
    };
    if digits.is_empty() || !digits.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
        return 0;
    }
    let Ok(n) = u64::from_str_radix(digits, 8) else {
        return 0;
    };
    match (neg, i64::try_from(n)) {
        (false, Ok(n)) => n,
        (true, Ok(n)) => -n,
        (true, Err(_)) if n == 1 << 63 => i64::MIN,
        _ => 0,
    }
}

/// Go's `shouldEscape` for the URL parts Sprig builds.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Path,
    Host,
    Fragment,
    UserPassword,
}

fn should_escape(c: u8, part: Part) -> bool {
    if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
        return false;
    }
    if part == Part::Host {
        return !matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        );
    }
    match c {
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match part {
            Part::Path => c == b'?',
            Part::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
            _ => false,
        },
        b'!' | b'(' | b')' | b'*' => part != Part::Fragment,
        _ => true,
    }
}

fn escape(s: &str, part: Part) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if should_escape(c, part) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(c as char);
        }
    }
    out
}

/// Go's `unescape` (without the host-specific checks): `%XX` sequences must be valid.
fn unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
            let Some(hex) = hex else {
                let bad: String = s[i..].chars().take(3).collect();
                return Err(format!(
                    "invalid URL escape {}",
                    super::super::gofmt::quote(&bad)
                ));
            };
            out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The parts of a Go `url.URL` Sprig exposes.
#[derive(Default)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<String>,
    host: String,
    path: String,
    raw_query: String,
    fragment: String,
}

/// Go's `url.Parse` (subset): scheme, opaque, userinfo, host, path, query, fragment.
fn parse_url(raw: &str) -> Result<Url, String> {
    let fail = |e: String| format!("parse {}: {e}", super::super::gofmt::quote(raw));
    let (rest, frag) = raw.split_once('#').unwrap_or((raw, ""));
    let mut u = Url {
        fragment: unescape(frag).map_err(fail)?,
        ..Url::default()
    };
    if rest.bytes().any(|c| c < 0x20 || c == 0x7f) {
        return Err(fail("net/url: invalid control character in URL".into()));
    }
    let mut rest = rest;
    if let Some(i) = rest.find(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c))) {
        let first = rest.as_bytes()[0];
        if rest.as_bytes()[i] == b':' {
            if i == 0 {
                return Err(fail("missing protocol scheme".into()));
            }
            if first.is_ascii_alphabetic() {
                u.scheme = rest[..i].to_ascii_lowercase();
                rest = &rest[i + 1..];
            }
        }
    }
    if let Some((r, q)) = rest.split_once('?') {
        u.raw_query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') && !u.scheme.is_empty() {
        u.opaque = rest.to_string();
        return Ok(u);
    }
    if rest.starts_with("//") {
        let auth_end = rest[2..].find('/').map(|i| i + 2).unwrap_or(rest.len());
        let authority = &rest[2..auth_end];
        rest = &rest[auth_end..];
        let host = match authority.rfind('@') {
            Some(i) => {
                u.user = Some(unescape(&authority[..i]).map_err(fail)?);
                &authority[i + 1..]
            }
            None => authority,
        };
        u.host = unescape(host).map_err(fail)?;
    }
    u.path = unescape(rest).map_err(fail)?;
    Ok(u)
}

/// Go's `url.Userinfo.String()` for a decoded `user[:password]`.
fn userinfo_string(ui: &str) -> String {
    match ui.split_once(':') {
        Some((user, pass)) => format!(
            "{}:{}",
            escape(user, Part::UserPassword),
            escape(pass, Part::UserPassword)
        ),
        None => escape(ui, Part::UserPassword),
    }
}

impl Url {
    fn hostname(&self) -> String {
        let h = &self.host;
        if let Some(rest) = h.strip_prefix('[') {
            return rest.split(']').next().unwrap_or("").to_string();
        }
        match h.rfind(':') {
            Some(i) => h[..i].to_string(),
            None => h.clone(),
        }
    }

    /// Go's `URL.String()`.
    fn to_go_string(&self) -> String {
        let mut out = String::new();
        if !self.scheme.is_empty() {
            out.push_str(&self.scheme);
            out.push(':');
        }
        if !self.opaque.is_empty() {
            out.push_str(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some() {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    out.push_str("//");
                }
                if let Some(ui) = &self.user {
                    out.push_str(&userinfo_string(ui));
                    out.push('@');
                }
                out.push_str(&escape(&self.host, Part::Host));
            }
            let path = if self.path == "*" {
                "*".to_string()
            } else {
                escape(&self.path, Part::Path)
            };
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                out.push('/');
            }
            if out.is_empty() && path.split('/').next().is_some_and(|s| s.contains(':')) {
                out.push_str("./");
            }
            out.push_str(&path);
        }
        if !self.raw_query.is_empty() {
            out.push('?');
            out.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            out.push('#');
            out.push_str(&escape(&self.fragment, Part::Fragment));
        }
        out
    }
}

fn url_parse(raw: &str) -> Result<Value, FuncError> {
    let u = parse_url(raw).map_err(|e| FuncError::Call(format!("unable to parse url: {e}")))?;
    let s = |v: &str| Value::String(v.to_string());
    let d: BTreeMap<String, Value> = [
        ("scheme", s(&u.scheme)),
        ("host", s(&u.host)),
        ("hostname", s(&u.hostname())),
        ("path", s(&u.path)),
        ("query", s(&u.raw_query)),
        ("opaque", s(&u.opaque)),
        ("fragment", s(&u.fragment)),
        (
            "userinfo",
            s(&u.user.as_deref().map(userinfo_string).unwrap_or_default()),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Ok(Value::from(d))
}

fn url_join(d: &BTreeMap<String, Value>) -> Result<String, FuncError> {
    let get = |k: &str| match d.get(k) {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let userinfo = get("userinfo");
    let user = if userinfo.is_empty() {
        None
    } else {
        let tmp = parse_url(&format!("proto://{userinfo}@host"))
            .map_err(|e| FuncError::Call(format!("unable to parse userinfo in dict: {e}")))?;
        tmp.user
    };
    Ok(Url {
        scheme: get("scheme"),
        opaque: get("opaque"),
        user,
        host: get("host"),
        path: get("path"),
        raw_query: get("query"),
        fragment: get("fragment"),
    }
    .to_go_string())
}

/// Registers this group.
pub(super) fn register(m: &mut FuncMap) {
    for name in ["chunk", "mustChunk"] {
        m.register(name, Arity::Exact(2), |ctx, a| {
            chunk(ctx.int_arg(a, 0)?, &a[1])
        });
    }
    m.register("randInt", Arity::Exact(2), |ctx, a| {
        let (min, max) = (ctx.int_arg(a, 0)?, ctx.int_arg(a, 1)?);
        let n = max.wrapping_sub(min);
        if n <= 0 {
            return Err(FuncError::Call("invalid argument to Intn".into()));
        }
        Ok(Value::Int((next_u64() % n as u64) as i64 + min))
    });
    m.register("toDecimal", Arity::Exact(1), |_, a| {
        Ok(Value::Int64(to_decimal(&a[0])))
    });
    m.register("typeIsLike", Arity::Exact(2), |ctx, a| {
        let target = ctx.string_arg(a, 0)?;
        let t = a[1].type_name();
        Ok(Value::Bool(target == t || format!("*{target}") == t))
    });
    for (os, plain) in [
        ("osBase", "base"),
        ("osDir", "dir"),
        ("osExt", "ext"),
        ("osClean", "clean"),
        ("osIsAbs", "isAbs"),
    ] {
        m.alias(os, plain);
    }
    m.register("urlParse", Arity::Exact(1), |ctx, a| {
        url_parse(ctx.string_arg(a, 0)?)
    });
    m.register("urlJoin", Arity::Exact(1), |ctx, a| {
        let d = ctx
            .map_arg(a, 0)?
            .map(|d| d.borrow().clone())
            .unwrap_or_default();
        url_join(&d).map(Value::String)
    });
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::{render, render_with};

    proptest::proptest! {
        #[test]
        fn url_round_trip_never_panics(s in "\\PC{0,40}") {
            if let Ok(u) = super::parse_url(&s) {
                let _ = u.to_go_string();
                let _ = u.hostname();
            }
            let _ = super::to_decimal(&super::Value::String(s));
        }
    }

    #[test]
    fn cases_match_helm() {
        let cases = [
            (r#"{{ chunk 2 (list 1 2 3 4 5) }}"#, "[[1 2] [3 4] [5]]"),
            (r#"{{ chunk 2 (list) }}"#, "[]"),
            (r#"{{ randInt 5 6 }}"#, "5"),
            (
                r#"{{ toDecimal "0777" }} {{ toDecimal "8" }} {{ toDecimal "x" }} {{ toDecimal 17 }}"#,
                "511 0 0 15",
            ),
            (
                r#"{{ typeIsLike "string" "a" }} {{ typeIsLike "[]interface {}" (list) }}"#,
                "true true",
            ),
            (
                r#"{{ osBase "/a/b" }} {{ osDir "/a/b" }} {{ osExt "f.txt" }} {{ osClean "a//b" }} {{ osIsAbs "/a" }}"#,
                "b /a .txt a/b true",
            ),
            (
                r#"{{ urlJoin (dict "scheme" "https" "host" "h:1" "path" "/x" "query" "a=b") }}"#,
                "https://h:1/x?a=b",
            ),
            (
                r#"{{ $u := urlParse "https://user:pw@host.example:8443/p/a?q=1&r=2#frag" }}{{ $u.scheme }}|{{ $u.host }}|{{ $u.path }}|{{ $u.query }}|{{ $u.fragment }}|{{ $u.userinfo }}|{{ $u.hostname }}"#,
                "https|host.example:8443|/p/a|q=1&r=2|frag|user:pw|host.example",
            ),
            (
                r#"{{ urlParse "http://h/p" }}"#,
                "map[fragment: host:h hostname:h opaque: path:/p query: scheme:http userinfo:]",
            ),
            (r#"{{ urlParse "mailto:a@b" | urlJoin }}"#, "mailto:a@b"),
            (
                r#"{{ urlJoin (dict "path" "/a b(c)" "fragment" "x y!" "userinfo" "u:p@s") }}"#,
                "//u:p%40s@/a%20b%28c%29#x%20y!",
            ),
        ];
        for (tpl, want) in cases {
            assert_eq!(render(tpl).as_deref(), Ok(want), "{tpl}");
        }
        let err = render(r#"{{ chunk 2 "abc" }}"#).unwrap_err();
        assert!(
            err.ends_with("error calling chunk: Cannot chunk type string"),
            "{err}"
        );
        let err = render(r#"{{ randInt 5 5 }}"#).unwrap_err();
        assert!(
            err.ends_with("error calling randInt: invalid argument to Intn"),
            "{err}"
        );
        let got = render_with(
            r#"{{ typeIsLike "float64" .Values.a }}"#,
            serde_json::json!({"a": 1.0}),
        );
        assert_eq!(got.as_deref(), Ok("true"));
        let n: i64 = render(r#"{{ randInt 1 10 }}"#).unwrap().parse().unwrap();
        assert!((1..10).contains(&n));
    }
}
