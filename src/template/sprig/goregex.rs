//! Go's `regexp` for the Sprig functions: Go's syntax rewritten where Rust's regex crates
//! read it differently, then compiled by the cheapest engine that keeps Go's meaning.
//!
//! Charts call `regexMatch` and friends on short strings (names, tags, versions) with a
//! handful of patterns, so compiling dominates matching. `regex-lite` compiles a pattern in
//! a few microseconds, where the `regex` crate spends 40-900 µs (and a 320 KB table) building
//! automata for a class such as `\W` or `[^}]`: more than a whole small render. `regex-lite`
//! also reads `\d \w \s \b` as ASCII, exactly as Go does. Patterns it cannot express with
//! Go's meaning (Unicode classes such as `\pL`, case-insensitive non-ASCII letters) fall
//! back to the `regex` crate, whose Perl classes are Unicode-aware.

use std::borrow::Cow;

/// A pattern compiled with Go's `regexp` meaning.
#[derive(Debug)]
pub enum GoRegex {
    /// Compiled by `regex-lite` (the usual case).
    Lite(regex_lite::Regex),
    /// Compiled by the `regex` crate, for what `regex-lite` cannot express.
    Full(regex::Regex),
}

/// Largest compiled program either engine may build, as a guard against huge patterns.
const SIZE_LIMIT: usize = 10 << 20;

impl GoRegex {
    /// Compiles Go pattern syntax. The error is the `regex` crate's description, which the
    /// caller words as Go does.
    pub fn new(pattern: &str) -> Result<GoRegex, regex::Error> {
        let rust = rust_syntax(pattern);
        if !needs_unicode_folding(&rust)
            && let Ok(re) = regex_lite::RegexBuilder::new(&rust)
                .size_limit(SIZE_LIMIT)
                .build()
        {
            return Ok(GoRegex::Lite(re));
        }
        regex::RegexBuilder::new(&rust)
            .size_limit(SIZE_LIMIT)
            .build()
            .map(GoRegex::Full)
    }

    /// Whether the pattern matches anywhere in `s`.
    pub fn is_match(&self, s: &str) -> bool {
        match self {
            GoRegex::Lite(re) => re.is_match(s),
            GoRegex::Full(re) => re.is_match(s),
        }
    }

    /// The byte range of the leftmost match.
    pub fn find(&self, s: &str) -> Option<(usize, usize)> {
        match self {
            GoRegex::Lite(re) => re.find(s).map(|m| (m.start(), m.end())),
            GoRegex::Full(re) => re.find(s).map(|m| (m.start(), m.end())),
        }
    }

    /// The byte ranges of successive non-overlapping matches, at most `limit`.
    pub fn find_ranges(&self, s: &str, limit: usize) -> Vec<(usize, usize)> {
        match self {
            GoRegex::Lite(re) => re
                .find_iter(s)
                .take(limit)
                .map(|m| (m.start(), m.end()))
                .collect(),
            GoRegex::Full(re) => re
                .find_iter(s)
                .take(limit)
                .map(|m| (m.start(), m.end()))
                .collect(),
        }
    }

    /// `ReplaceAllString` (with `$1`/`${name}` expansion) or, when `literal`,
    /// `ReplaceAllLiteralString`.
    pub fn replace_all(&self, s: &str, repl: &str, literal: bool) -> String {
        match (self, literal) {
            (GoRegex::Lite(re), false) => re.replace_all(s, repl).into_owned(),
            (GoRegex::Lite(re), true) => re.replace_all(s, regex_lite::NoExpand(repl)).into_owned(),
            (GoRegex::Full(re), false) => re.replace_all(s, repl).into_owned(),
            (GoRegex::Full(re), true) => re.replace_all(s, regex::NoExpand(repl)).into_owned(),
        }
    }

    /// Whether the pattern is the empty pattern (which matches everywhere).
    pub fn is_empty_pattern(&self) -> bool {
        match self {
            GoRegex::Lite(re) => re.as_str().is_empty(),
            GoRegex::Full(re) => re.as_str().is_empty(),
        }
    }
}

/// Case-insensitive matching of non-ASCII letters needs Unicode case folding, which only
/// the `regex` crate has (Go folds `(?i)é` to match `É`).
fn needs_unicode_folding(pattern: &str) -> bool {
    !pattern.is_ascii() && pattern.contains("(?")
}

/// Rewrites the Go constructs Rust's regex syntax reads differently, leaving the rest:
/// - a `{` that does not open a valid repetition (`{n}`, `{n,}`, `{n,m}`) is a literal;
/// - `\Q...\E` quotes its text literally;
/// - inside a class, `[` (unless it opens `[:name:]`), `&` and `~` are literals, where
///   Rust would read a nested class or a set operation.
pub fn rust_syntax(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains(['{', '[', '\\']) {
        return Cow::Borrowed(pattern);
    }
    let b = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut copied = 0; // bytes of `pattern` already in `out`
    let mut i = 0;
    let mut class: Option<usize> = None; // index just after the class's `[` or `[^`
    let escape = |out: &mut String, copied: &mut usize, at: usize, len: usize| {
        out.push_str(&pattern[*copied..at]);
        out.push('\\');
        out.push_str(&pattern[at..at + len]);
        *copied = at + len;
    };
    while i < b.len() {
        match (b[i], class) {
            (b'\\', None) if b.get(i + 1) == Some(&b'Q') => {
                let body_start = i + 2;
                let body_end = pattern[body_start..]
                    .find("\\E")
                    .map_or(b.len(), |k| body_start + k);
                out.push_str(&pattern[copied..i]);
                out.push_str(&regex_lite::escape(&pattern[body_start..body_end]));
                i = (body_end + 2).min(b.len());
                copied = i;
                continue;
            }
            (b'\\', _) => {
                // An escape: skip the escaped character, whatever its UTF-8 length.
                i += 1 + pattern[i + 1..].chars().next().map_or(0, char::len_utf8);
                continue;
            }
            (b'[', None) => {
                let mut start = i + 1;
                if b.get(start) == Some(&b'^') {
                    start += 1;
                }
                class = Some(start);
                i = start;
                continue;
            }
            (b'{', None) if repeat_len(&b[i..]).is_none() => escape(&mut out, &mut copied, i, 1),
            (b'[', Some(_)) if b.get(i + 1) == Some(&b':') => {
                // `[:alpha:]`: copied through to its closing `:]`.
                if let Some(k) = pattern[i + 2..].find(":]") {
                    i += 2 + k + 2;
                    continue;
                }
                escape(&mut out, &mut copied, i, 1);
            }
            (b'[' | b'&' | b'~', Some(_)) => escape(&mut out, &mut copied, i, 1),
            (b']', Some(start)) if i > start => class = None,
            _ => {}
        }
        i += 1;
    }
    if copied == 0 {
        return Cow::Borrowed(pattern);
    }
    out.push_str(&pattern[copied..]);
    Cow::Owned(out)
}

/// The length of a Go repetition `{n}`, `{n,}` or `{n,m}` at the start of `b`, if it is one.
fn repeat_len(b: &[u8]) -> Option<usize> {
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let min = digits(1);
    if min == 0 {
        return None;
    }
    let mut at = 1 + min;
    if b.get(at) == Some(&b',') {
        at += 1;
        at += digits(at);
    }
    (b.get(at) == Some(&b'}')).then_some(at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected results come from Go 1.24's `regexp` (MatchString / FindString).
    #[test]
    fn matches_like_go() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                r"{(v[0-9])*[^}]*}}$",
                "&{{v1.34.0 1 34} {v4.1.4 abc}}",
                Some("{v4.1.4 abc}}"),
            ),
            (r"a{,2}", "a{,2}", Some("a{,2}")),
            (r"a{2}", "aa", Some("aa")),
            (r"x{1,}y", "xxy", Some("xxy")),
            (r"^\d+$", "٣", None),
            (r"^\w+$", "δ", None),
            (r"\Qa.b\E+", "a.bb", Some("a.bb")),
            (r"[[]", "[", Some("[")),
            (r"[a&&b]", "&", Some("&")),
            (r"^\pL+$", "δx", Some("δx")),
            (r"(?i)é", "É", Some("É")),
            (r"[[:alpha:]]+", "ab1", Some("ab")),
            (r"\bfoo\b", "δfooδ", Some("foo")),
        ];
        for (pattern, s, want) in cases {
            let re = GoRegex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
            let got = re.find(s).map(|(a, b)| &s[a..b]);
            assert_eq!(got, *want, "pattern {pattern} on {s}");
            assert_eq!(re.is_match(s), want.is_some(), "pattern {pattern} on {s}");
        }
    }

    #[test]
    fn picks_the_engine_that_keeps_gos_meaning() {
        assert!(matches!(
            GoRegex::new(r"[^}]*\W").unwrap(),
            GoRegex::Lite(_)
        ));
        assert!(matches!(GoRegex::new(r"\pL").unwrap(), GoRegex::Full(_)));
        assert!(matches!(GoRegex::new(r"(?i)é").unwrap(), GoRegex::Full(_)));
    }

    #[test]
    fn rewrites_only_what_differs() {
        assert!(matches!(rust_syntax("^[a-z]+\\.x{2,3}$"), Cow::Borrowed(_)));
        assert_eq!(rust_syntax("a{,2}{x"), "a\\{,2}\\{x");
        assert_eq!(rust_syntax("[[:alpha:][]"), "[[:alpha:]\\[]");
        assert_eq!(rust_syntax("[]a]{"), "[]a]\\{");
        assert_eq!(rust_syntax("[^]&]"), "[^]\\&]");
        assert_eq!(rust_syntax("\\Q*{\\E\\{"), "\\*\\{\\{");
        assert_eq!(rust_syntax("é{"), "é\\{");
    }

    #[test]
    fn invalid_patterns_still_fail() {
        for pattern in ["(", "a[b", "{2}", "a)", r"\8"] {
            assert!(GoRegex::new(pattern).is_err(), "{pattern}");
        }
    }

    #[test]
    fn replaces_with_and_without_expansion() {
        let re = GoRegex::new(r"(\w+)@").unwrap();
        assert_eq!(re.replace_all("ab@ cd@", "<$1>", false), "<ab> <cd>");
        assert_eq!(re.replace_all("ab@", "<$1>", true), "<$1>");
        assert_eq!(re.find_ranges("ab@ cd@ ef@", 2), [(0, 3), (4, 7)]);
    }
}
