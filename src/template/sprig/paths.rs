//! Sprig's slash-path helpers (`base`, `dir`, `ext`, `clean`, `isAbs`), mirroring Go's `path`.

use super::super::funcs::{Arity, FuncMap};
use super::super::value::Value;

/// Go's `path.Clean`.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`.
pub fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// Go's `path.Dir`.
pub fn dir(p: &str) -> String {
    let i = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    clean(&p[..i])
}

/// Go's `path.Ext`.
pub fn ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        match c {
            '/' => break,
            '.' => return p[i..].to_string(),
            _ => {}
        }
    }
    String::new()
}

/// A `func(string) string` from Go's `path` package.
type PathFn = fn(&str) -> String;

/// Registers the path functions.
pub(super) fn register(m: &mut FuncMap) {
    let fns: [(&str, PathFn); 4] = [("base", base), ("dir", dir), ("ext", ext), ("clean", clean)];
    for (name, f) in fns {
        m.register(name, Arity::Exact(1), move |ctx, a| {
            Ok(Value::String(f(ctx.string_arg(a, 0)?)))
        });
    }
    m.register("isAbs", Arity::Exact(1), |ctx, a| {
        Ok(Value::Bool(ctx.string_arg(a, 0)?.starts_with('/')))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_path_semantics() {
        let cases = [
            ("", ".", ".", "."),
            ("/", "/", "/", "/"),
            ("a/b/c.txt", "a/b/c.txt", "c.txt", "a/b"),
            ("/a//b/../c/", "/a/c", "c", "/a/b/../c"),
            ("../../x", "../../x", "x", "../.."),
            ("/../x", "/x", "x", "/.."),
            ("a/./b/.", "a/b", ".", "a/b"),
        ];
        for (p, c, b, d) in cases {
            assert_eq!(clean(p), c, "clean {p}");
            assert_eq!(base(p), b, "base {p}");
            assert_eq!(dir(p), clean(d), "dir {p}");
        }
        assert_eq!(ext("a/b.tar.gz"), ".gz");
        assert_eq!(ext("a.b/c"), "");
    }
}
