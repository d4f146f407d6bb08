//! `.helmignore` rules exactly as Helm's `pkg/ignore` applies them, with Go's
//! `path/filepath.Match` glob syntax.
//!
//! Helm's format resembles `.gitignore` but differs: `**` is an error, a pattern without `/`
//! matches the base name only, a leading `/` anchors at the chart root, a trailing `/` only
//! matches directories, and a negated pattern (`!x`) ignores every path that does *not* match
//! it when evaluation reaches it (Helm's behaviour, reproduced as is).

/// A `.helmignore` parse failure, worded as Helm words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IgnoreError {
    /// The rule contains `**`.
    #[error("double-star (**) syntax is not supported")]
    DoubleStar,
    /// The rule is not a valid Go glob.
    #[error("syntax error in pattern")]
    BadPattern,
}

#[derive(Debug, Clone)]
enum Anchor {
    /// Leading `/`: matched against the whole relative path.
    Root,
    /// Contains `/`: matched against the whole relative path.
    Path,
    /// No `/`: matched against the base name.
    Base,
}

#[derive(Debug, Clone)]
struct Pattern {
    glob: String,
    shape: Shape,
    anchor: Anchor,
    negate: bool,
    must_dir: bool,
}

/// Shapes of glob that most `.helmignore` lines have, matched without the general matcher
/// (every file of a chart is tested against every rule).
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// No metacharacter: the name must equal the pattern.
    Literal,
    /// `*` then a literal without `/` (`*.swp`): a name without `/` ending in the literal.
    StarSuffix(String),
    /// Anything else.
    General,
}

impl Shape {
    fn of(glob: &str) -> Shape {
        let is_meta = |c: char| matches!(c, '*' | '?' | '[' | '\\');
        if !glob.contains(is_meta) {
            return Shape::Literal;
        }
        match glob.strip_prefix('*') {
            Some(rest) if !rest.contains(is_meta) && !rest.contains('/') => {
                Shape::StarSuffix(rest.to_string())
            }
            _ => Shape::General,
        }
    }
}

impl Pattern {
    /// Whether the rule matches `path`, whose base name is `base`.
    fn matches(&self, path: &str, base: &str) -> bool {
        let target = match self.anchor {
            Anchor::Root | Anchor::Path => path,
            Anchor::Base => base,
        };
        match &self.shape {
            Shape::Literal => target == self.glob,
            Shape::StarSuffix(suffix) => !target.contains('/') && target.ends_with(suffix.as_str()),
            Shape::General => glob_match(&self.glob, target).unwrap_or(false),
        }
    }
}

/// A parsed `.helmignore` (Helm's `ignore.Rules`).
#[derive(Debug, Clone, Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

impl Rules {
    /// Parses `.helmignore` text: one rule per line, `#` comments, blank lines skipped, a UTF-8
    /// BOM on the first line dropped.
    pub fn parse(text: &str) -> Result<Rules, IgnoreError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rules = Rules::default();
        for line in text.lines() {
            rules.add(line)?;
        }
        Ok(rules)
    }

    /// Helm's `AddDefaults`: dot files directly under `templates/` are always ignored.
    pub fn add_defaults(&mut self) {
        // The default rule is valid, so this cannot fail.
        let _ = self.add("templates/.?*");
    }

    fn add(&mut self, line: &str) -> Result<(), IgnoreError> {
        let rule = go_trim_space(line);
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(IgnoreError::DoubleStar);
        }
        glob_match(rule, "abc")?;
        let (negate, rule) = match rule.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (must_dir, rule) = match rule.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (anchor, glob) = if let Some(rest) = rule.strip_prefix('/') {
            (Anchor::Root, rest)
        } else if rule.contains('/') {
            (Anchor::Path, rule)
        } else {
            (Anchor::Base, rule)
        };
        self.patterns.push(Pattern {
            glob: glob.to_string(),
            shape: Shape::of(glob),
            anchor,
            negate,
            must_dir,
        });
        Ok(())
    }

    /// Whether the chart-relative, `/`-separated `path` is ignored. Rules are evaluated in
    /// order and the first decisive one wins.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        let base = base_name(path);
        for p in &self.patterns {
            if p.negate {
                if (p.must_dir && !is_dir) || !p.matches(path, base) {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if p.matches(path, base) {
                return true;
            }
        }
        false
    }
}

/// Go's `strings.TrimSpace` (Unicode white space).
fn go_trim_space(s: &str) -> &str {
    s.trim_matches(char::is_whitespace)
}

/// Go's `filepath.Base` for `/`-separated paths.
fn base_name(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Go's `path/filepath.Match` on Unix: `*`, `?`, `[...]` classes with `^` negation and `\`
/// escapes; `*` and `?` never match `/`. Errors only for malformed patterns.
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, IgnoreError> {
    let mut pattern = pattern;
    let mut name = name;
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains('/'));
        }
        let (t, ok) = match_chunk(chunk, name)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            let bytes = name.as_bytes();
            let mut i = 0;
            while i < bytes.len() && bytes[i] != b'/' {
                // Go skips byte by byte; non-boundary offsets cannot match a chunk that
                // starts at a character, so skipping them is equivalent.
                if name.is_char_boundary(i + 1) {
                    let (t, ok) = match_chunk(chunk, &name[i + 1..])?;
                    if ok {
                        if pattern.is_empty() && !t.is_empty() {
                            i += 1;
                            continue;
                        }
                        name = t;
                        continue 'outer;
                    }
                }
                i += 1;
            }
        }
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, "")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(pattern: &str) -> (bool, &str, &str) {
    let trimmed = pattern.trim_start_matches('*');
    let star = trimmed.len() != pattern.len();
    let bytes = trimmed.as_bytes();
    let mut in_range = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 < bytes.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &trimmed[..i], &trimmed[i..])
}

fn first_char(s: &str) -> (char, usize) {
    s.chars()
        .next()
        .map_or(('\u{fffd}', 1), |c| (c, c.len_utf8()))
}

/// Whether `chunk` (no `*`) matches a prefix of `s`; returns the rest of `s`.
fn match_chunk<'a>(chunk: &str, s: &'a str) -> Result<(&'a str, bool), IgnoreError> {
    let mut chunk = chunk;
    let mut s = s;
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        let c0 = chunk.as_bytes()[0];
        match c0 {
            b'[' => {
                let mut r = '\0';
                if !failed {
                    let (c, n) = first_char(s);
                    r = c;
                    s = &s[n..];
                }
                chunk = &chunk[1..];
                let negated = chunk.starts_with('^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if chunk.starts_with(']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if let Some(after) = chunk.strip_prefix('-') {
                        let (h, rest) = get_esc(after)?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if s.starts_with('/') {
                        failed = true;
                    }
                    let (_, n) = first_char(s);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                if c0 == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return Err(IgnoreError::BadPattern);
                    }
                }
                let (c, n) = first_char(chunk);
                if !failed {
                    if !s.starts_with(c) {
                        failed = true;
                    } else {
                        s = &s[n..];
                    }
                }
                chunk = &chunk[n..];
            }
        }
    }
    if failed {
        return Ok(("", false));
    }
    Ok((s, true))
}

fn get_esc(chunk: &str) -> Result<(char, &str), IgnoreError> {
    let mut chunk = chunk;
    if chunk.is_empty() || chunk.starts_with('-') || chunk.starts_with(']') {
        return Err(IgnoreError::BadPattern);
    }
    if let Some(rest) = chunk.strip_prefix('\\') {
        chunk = rest;
        if chunk.is_empty() {
            return Err(IgnoreError::BadPattern);
        }
    }
    let (c, n) = first_char(chunk);
    let rest = &chunk[n..];
    if rest.is_empty() {
        return Err(IgnoreError::BadPattern);
    }
    Ok((c, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, n: &str) -> bool {
        glob_match(p, n).unwrap()
    }

    #[test]
    fn go_glob_semantics() {
        assert!(m("*.txt", "a.txt"));
        assert!(!m("*.txt", "dir/a.txt"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "a/c"));
        assert!(m("a[b-d].txt", "ac.txt"));
        assert!(!m("a[^b-d].txt", "ac.txt"));
        assert!(m("a[^b-d].txt", "ax.txt"));
        assert!(m(r"a\*b", "a*b"));
        assert!(!m(r"a\*b", "axb"));
        assert!(m("templates/.?*", "templates/.hidden"));
        assert!(!m("templates/.?*", "templates/sub/.hidden"));
        assert!(!m("templates/.?*", "templates/."));
        assert!(m("*", "é"));
        assert!(m("a*b*c", "axxbyyc"));
        assert_eq!(glob_match("[", "abc"), Err(IgnoreError::BadPattern));
        assert_eq!(glob_match("a[", "x"), Err(IgnoreError::BadPattern));
        assert_eq!(glob_match(r"a\", "a"), Err(IgnoreError::BadPattern));
        assert_eq!(glob_match("[]a]", "a"), Err(IgnoreError::BadPattern));
    }

    #[test]
    fn parses_rules_like_helm() {
        assert_eq!(Rules::parse("a/**/b").err(), Some(IgnoreError::DoubleStar));
        assert_eq!(Rules::parse("x[").err(), Some(IgnoreError::BadPattern));
        let r =
            Rules::parse("\u{feff}# comment\n\n  *.tgz  \n.git/\n/top.txt\ndocs/*.md\n").unwrap();
        assert!(r.ignore("charts/x.tgz", false));
        assert!(
            r.ignore("x.tgz", true),
            "base-name rules also match directories"
        );
        assert!(r.ignore(".git", true));
        assert!(
            !r.ignore(".git", false),
            "trailing / only matches directories"
        );
        assert!(r.ignore("sub/.git", true));
        assert!(r.ignore("top.txt", false));
        assert!(!r.ignore("sub/top.txt", false));
        assert!(r.ignore("docs/a.md", false));
        assert!(!r.ignore("docs/deep/a.md", false));
        assert!(!r.ignore("", true));
        assert!(!r.ignore(".", true));
    }

    #[test]
    fn negation_ignores_non_matches() {
        // Helm's quirk: reaching a negated rule ignores whatever does not match it.
        let r = Rules::parse("*.bak\n!keep.txt\n").unwrap();
        assert!(r.ignore("x.bak", false));
        assert!(!r.ignore("keep.txt", false));
        assert!(r.ignore("other.txt", false));
    }

    #[test]
    fn defaults_hide_template_dot_files() {
        let mut r = Rules::default();
        r.add_defaults();
        assert!(r.ignore("templates/.swp", false));
        assert!(!r.ignore("templates/a.yaml", false));
        assert!(!r.ignore(".helmignore", false));
    }

    #[test]
    fn literal_and_star_suffix_shapes_agree_with_the_general_matcher() {
        let globs = [
            "abc", ".git", "*.swp", "*~", "*", "*.tar.gz", "a/b", "*/x", "a*", "*a*", "[ab]",
            "*.[ch]", "a\\*", "?", "",
        ];
        let names = [
            "abc", ".git", "x.swp", ".swp", "a/x.swp", "file~", "~", "x.tar.gz", "a/b", "ab", "a",
            "b", "", "a*", "*", "é.swp", "d/x", "x/x",
        ];
        for glob in globs {
            let shape = Shape::of(glob);
            if shape == Shape::General {
                continue;
            }
            let pattern = Pattern {
                glob: glob.to_string(),
                shape,
                anchor: Anchor::Path,
                negate: false,
                must_dir: false,
            };
            for name in names {
                assert_eq!(
                    pattern.matches(name, base_name(name)),
                    glob_match(glob, name).unwrap_or(false),
                    "{glob} vs {name}"
                );
            }
        }
        assert_eq!(Shape::of("*.swp"), Shape::StarSuffix(".swp".to_string()));
        assert_eq!(Shape::of("*/x"), Shape::General);
    }
}
