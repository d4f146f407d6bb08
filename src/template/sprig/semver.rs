//! Sprig's `semverCompare` and `semver`, following `Masterminds/semver/v3`: loose version
//! parsing (`v` prefix, missing minor/patch), constraint operators (`= != > < >= <= ~ ~> ^`),
//! `x`/`*` wildcards, hyphen ranges, `,`/space for AND, `||` for OR, and the rule that a
//! prerelease version only satisfies constraints that carry a prerelease themselves.

use std::cmp::Ordering;

use super::super::funcs::{Arity, FuncMap};
use super::super::value::{FuncError, Value};

/// A parsed semantic version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    meta: String,
}

const INVALID: &str = "invalid semantic version";

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Splits `rest` into (numbers part, prerelease, metadata) at the first `-` / `+`.
fn split_extra(s: &str) -> (&str, Option<&str>, Option<&str>) {
    let (main, meta) = match s.find('+') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    match main.find('-') {
        Some(i) => (&main[..i], Some(&main[i + 1..]), meta),
        None => (main, None, meta),
    }
}

impl Version {
    /// `semver.NewVersion`: accepts `v1`, `1.2`, `1.2.3-pre+meta`.
    pub fn parse(s: &str) -> Result<Version, String> {
        let body = s.strip_prefix('v').unwrap_or(s);
        let (nums, pre, meta) = split_extra(body);
        if pre.is_some_and(|p| !is_ident(p)) || meta.is_some_and(|m| !is_ident(m)) {
            return Err(INVALID.into());
        }
        let parts: Vec<&str> = nums.split('.').collect();
        if parts.len() > 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(INVALID.into());
        }
        let num = |i: usize| -> Result<u64, String> {
            match parts.get(i) {
                Some(p) => p
                    .parse::<u64>()
                    .map_err(|e| format!("Error parsing version segment: {e}")),
                None => Ok(0),
            }
        };
        Ok(Version {
            major: num(0)?,
            minor: num(1)?,
            patch: num(2)?,
            pre: pre.unwrap_or_default().to_string(),
            meta: meta.unwrap_or_default().to_string(),
        })
    }

    /// Precedence order; metadata is ignored.
    pub fn compare(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let (ap, bp): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..ap.len().max(bp.len()) {
        let d = compare_pre_part(
            ap.get(i).copied().unwrap_or(""),
            bp.get(i).copied().unwrap_or(""),
        );
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Ok(x), Ok(y)) => {
            if x > y {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

#[derive(Debug, Clone)]
struct Constraint {
    op: Op,
    con: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

const OPS: [(&str, Op); 12] = [
    (">=", Op::GreaterEqual),
    ("=>", Op::GreaterEqual),
    ("<=", Op::LessEqual),
    ("=<", Op::LessEqual),
    ("~>", Op::Tilde),
    ("!=", Op::NotEqual),
    ("=", Op::TildeOrEqual),
    (">", Op::Greater),
    ("<", Op::Less),
    ("~", Op::Tilde),
    ("^", Op::Caret),
    ("", Op::TildeOrEqual),
];

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// Scans a constraint version (`cvRegex`): returns its length, or 0 if none starts here.
fn scan_cv(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'v'));
    let part = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && (b[*i].is_ascii_digit() || matches!(b[*i], b'x' | b'X' | b'*' | b'|'))
        {
            *i += 1;
        }
        *i > start
    };
    if !part(&mut i) {
        return 0;
    }
    for _ in 0..2 {
        let save = i;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            if !part(&mut i) {
                i = save;
                break;
            }
        } else {
            break;
        }
    }
    for sep in [b'-', b'+'] {
        if i < b.len() && b[i] == sep {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-' || b[j] == b'.') {
                j += 1;
            }
            // Identifiers must be non-empty and not end with a dot.
            let mut end = j;
            while end > start && b[end - 1] == b'.' {
                end -= 1;
            }
            if end > start && !s[start..end].contains("..") {
                i = end;
            }
        }
    }
    i
}

fn parse_constraint(op: Op, cv: &str) -> Result<Constraint, String> {
    let body = cv.strip_prefix('v').unwrap_or(cv);
    let (nums, pre, _) = split_extra(body);
    let pre_suffix = pre.map(|p| format!("-{p}")).unwrap_or_default();
    let parts: Vec<&str> = nums.split('.').collect();
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    let ver = if parts.first().is_none_or(|p| is_x(p) || p.is_empty()) {
        dirty = true;
        format!("0.0.0{pre_suffix}")
    } else if parts.get(1).is_none_or(|p| is_x(p)) {
        dirty = true;
        minor_dirty = true;
        format!("{}.0.0{pre_suffix}", parts[0])
    } else if parts.get(2).is_none_or(|p| is_x(p)) {
        dirty = true;
        patch_dirty = true;
        format!("{}.{}.0{pre_suffix}", parts[0], parts[1])
    } else {
        body.to_string()
    };
    let con = Version::parse(&ver).map_err(|_| "constraint Parser Error".to_string())?;
    Ok(Constraint {
        op,
        con,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

/// Rewrites `A - B` hyphen ranges into `>= A, <= B`.
fn rewrite_ranges(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(" - ") {
        let before = &rest[..i];
        let left_start = before
            .trim_end()
            .rfind([' ', ',', '|'])
            .map(|p| p + 1)
            .unwrap_or(0);
        let left = before[left_start..].trim();
        let after = rest[i + 3..].trim_start();
        let right_len = scan_cv(after);
        if left.is_empty() || scan_cv(left) != left.len() || right_len == 0 {
            out.push_str(&rest[..i + 3]);
            rest = &rest[i + 3..];
            continue;
        }
        out.push_str(&before[..left_start]);
        out.push_str(&format!(">= {left}, <= {}", &after[..right_len]));
        rest = &after[right_len..];
    }
    out.push_str(rest);
    out
}

/// Parsed `||`-separated groups of AND-ed constraints (`semver.NewConstraint`).
#[derive(Debug, Clone)]
pub struct Constraints(Vec<Vec<Constraint>>);

impl Constraints {
    /// Parses a constraint string; errors read `improper constraint: SEGMENT` as in Go.
    pub fn parse(s: &str) -> Result<Constraints, String> {
        let s = rewrite_ranges(s);
        let mut groups = Vec::new();
        for seg in s.split("||") {
            groups.push(parse_and(seg).ok_or_else(|| format!("improper constraint: {seg}"))?);
        }
        Ok(Constraints(groups))
    }

    /// Whether `v` satisfies any group.
    pub fn check(&self, v: &Version) -> bool {
        self.0.iter().any(|g| g.iter().all(|c| check(c, v)))
    }
}

fn parse_and(seg: &str) -> Option<Vec<Constraint>> {
    let mut out = Vec::new();
    let mut rest = seg.trim_start();
    loop {
        let (op_str, op) = OPS.iter().find(|(o, _)| rest.starts_with(o)).copied()?;
        let after_op = rest[op_str.len()..].trim_start();
        let n = scan_cv(after_op);
        if n == 0 {
            return None;
        }
        out.push(parse_constraint(op, &after_op[..n]).ok()?);
        let tail = &after_op[n..];
        let trimmed = tail.trim_start();
        if trimmed.is_empty() {
            return Some(out);
        }
        if let Some(r) = trimmed.strip_prefix(',') {
            rest = r.trim_start();
        } else if trimmed.len() < tail.len() {
            rest = trimmed;
        } else {
            return None;
        }
    }
}

fn check(c: &Constraint, v: &Version) -> bool {
    let con = &c.con;
    if !v.pre.is_empty() && con.pre.is_empty() {
        return false;
    }
    let cmp = v.compare(con);
    match c.op {
        Op::TildeOrEqual => {
            if c.dirty {
                tilde(c, v)
            } else {
                cmp == Ordering::Equal
            }
        }
        Op::NotEqual => not_equal(c, v),
        Op::Greater => {
            if !c.dirty {
                return cmp == Ordering::Greater;
            }
            if v.major != con.major {
                return v.major > con.major;
            }
            if c.minor_dirty {
                return false;
            }
            if c.patch_dirty {
                return v.minor > con.minor;
            }
            cmp == Ordering::Greater
        }
        Op::Less => cmp == Ordering::Less,
        Op::GreaterEqual => cmp != Ordering::Less,
        Op::LessEqual => {
            if !c.dirty {
                return cmp != Ordering::Greater;
            }
            if v.major > con.major {
                return false;
            }
            !(v.major == con.major && v.minor > con.minor && !c.minor_dirty)
        }
        Op::Tilde => tilde(c, v),
        Op::Caret => caret(c, v),
    }
}

fn not_equal(c: &Constraint, v: &Version) -> bool {
    let con = &c.con;
    if c.dirty {
        if con.major != v.major {
            return true;
        }
        if con.minor != v.minor && !c.minor_dirty {
            return true;
        } else if c.minor_dirty {
            return false;
        } else if con.patch != v.patch && !c.patch_dirty {
            return true;
        } else if c.patch_dirty {
            if !v.pre.is_empty() || !con.pre.is_empty() {
                return compare_prerelease(&v.pre, &con.pre) != Ordering::Equal;
            }
            return false;
        }
    }
    v.compare(con) != Ordering::Equal
}

fn tilde(c: &Constraint, v: &Version) -> bool {
    let con = &c.con;
    if v.compare(con) == Ordering::Less {
        return false;
    }
    if con.major == 0 && con.minor == 0 && con.patch == 0 && !c.minor_dirty && !c.patch_dirty {
        return true;
    }
    if v.major != con.major {
        return false;
    }
    v.minor == con.minor || c.minor_dirty
}

fn caret(c: &Constraint, v: &Version) -> bool {
    let con = &c.con;
    if v.compare(con) == Ordering::Less {
        return false;
    }
    if con.major > 0 || c.minor_dirty {
        return v.major == con.major;
    }
    if v.major > 0 {
        return false;
    }
    if con.minor > 0 || c.patch_dirty {
        return v.minor == con.minor;
    }
    if v.minor > 0 {
        return false;
    }
    con.patch == v.patch
}

/// A `*semver.Version` as templates see it: `.Major`, `.Minor`, `.Patch`, `.Prerelease`,
/// `.Metadata`, `.Original`, `.String` and the comparison methods.
#[derive(Debug, Clone)]
pub struct SemverValue {
    /// The parsed version.
    pub version: Version,
    /// The text it was parsed from.
    pub original: String,
}

impl SemverValue {
    /// Masterminds' `Version.String()`.
    pub fn canonical(&self) -> String {
        let v = &self.version;
        let mut s = format!("{}.{}.{}", v.major, v.minor, v.patch);
        if !v.pre.is_empty() {
            s.push('-');
            s.push_str(&v.pre);
        }
        if !v.meta.is_empty() {
            s.push('+');
            s.push_str(&v.meta);
        }
        s
    }
}

const SEMVER_METHODS: [&str; 10] = [
    "Major",
    "Minor",
    "Patch",
    "Prerelease",
    "Metadata",
    "Original",
    "String",
    "LessThan",
    "GreaterThan",
    "Equal",
];

impl super::super::value::Object for SemverValue {
    fn type_name(&self) -> String {
        "*semver.Version".into()
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn has_method(&self, name: &str) -> bool {
        SEMVER_METHODS.contains(&name) || name == "Compare"
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let takes_arg = matches!(name, "LessThan" | "GreaterThan" | "Equal" | "Compare");
        let want = usize::from(takes_arg);
        if args.len() != want {
            return Err(FuncError::Exec(format!(
                "wrong number of args for {name}: want {want} got {}",
                args.len()
            )));
        }
        let v = &self.version;
        if takes_arg {
            let other = match &args[0] {
                Value::Object(o) => o.as_any().downcast_ref::<SemverValue>(),
                _ => None,
            };
            let Some(other) = other else {
                return Err(FuncError::WrongType {
                    arg: 0,
                    expected: "*semver.Version".into(),
                    got: args[0].type_name(),
                });
            };
            let ord = v.compare(&other.version);
            return Ok(match name {
                "LessThan" => Value::Bool(ord == Ordering::Less),
                "GreaterThan" => Value::Bool(ord == Ordering::Greater),
                "Equal" => Value::Bool(ord == Ordering::Equal),
                _ => Value::Int(ord as i64),
            });
        }
        Ok(match name {
            "Major" => Value::Int64(v.major as i64),
            "Minor" => Value::Int64(v.minor as i64),
            "Patch" => Value::Int64(v.patch as i64),
            "Prerelease" => Value::String(v.pre.clone()),
            "Metadata" => Value::String(v.meta.clone()),
            "Original" => Value::String(self.original.clone()),
            _ => Value::String(self.canonical()),
        })
    }
    fn format_v(&self) -> String {
        self.canonical()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Registers `semver` and `semverCompare`.
pub(super) fn register(m: &mut FuncMap) {
    m.register("semver", Arity::Exact(1), |ctx, a| {
        let original = ctx.string_arg(a, 0)?;
        let version = Version::parse(original).map_err(FuncError::Call)?;
        Ok(Value::Object(std::rc::Rc::new(SemverValue {
            version,
            original: original.to_string(),
        })))
    });
    m.register("semverCompare", Arity::Exact(2), |ctx, a| {
        let c = Constraints::parse(ctx.string_arg(a, 0)?).map_err(FuncError::Call)?;
        let v = Version::parse(ctx.string_arg(a, 1)?).map_err(FuncError::Call)?;
        Ok(Value::Bool(c.check(&v)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc(c: &str, v: &str) -> bool {
        Constraints::parse(c)
            .unwrap()
            .check(&Version::parse(v).unwrap())
    }

    #[test]
    fn semver_objects_match_helm() {
        use super::super::tests_support::render;
        let cases = [
            (
                r#"{{ $v := semver "1.2.3-beta.1+build" }}{{ $v.Major }} {{ $v.Minor }} {{ $v.Patch }} {{ $v.Prerelease }} {{ $v.Metadata }} {{ $v.Original }}"#,
                "1 2 3 beta.1 build 1.2.3-beta.1+build",
            ),
            (
                r#"{{ typeOf (semver "1.0.0") }} {{ semver "v1.2" }}"#,
                "*semver.Version 1.2.0",
            ),
            (
                r#"{{ (semver "1.2.3").LessThan (semver "1.10.0") }} {{ (semver "2.0.0").Compare (semver "1.0.0") }}"#,
                "true 1",
            ),
        ];
        for (tpl, want) in cases {
            assert_eq!(render(tpl).as_deref(), Ok(want), "{tpl}");
        }
        let err = render(r#"{{ semver "x.y" }}"#).unwrap_err();
        assert!(
            err.ends_with("error calling semver: invalid semantic version"),
            "{err}"
        );
    }

    #[test]
    fn constraints_match_masterminds() {
        let cases = [
            (">=1.19-0", "v1.28.3-eks-4f4795d", true),
            (">=1.19-0", "1.18.0", false),
            (">=1.19", "1.28.3-gke.100", false),
            (">=1.19", "1.28.3", true),
            ("<1.19", "1.18.20", true),
            ("^1.2.3", "1.9.0", true),
            ("^1.2.3", "2.0.0", false),
            ("^0.2.3", "0.2.9", true),
            ("^0.2.3", "0.3.0", false),
            ("^0.0.3", "0.0.4", false),
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            ("~1", "1.9.9", true),
            ("1.2.x", "1.2.7", true),
            ("1.2.x", "1.3.0", false),
            ("*", "4.5.6", true),
            ("!=1.2.3", "1.2.3", false),
            ("!=1.2.x", "1.3.0", true),
            (">1.2", "1.2.5", false),
            (">1.2", "1.3.0", true),
            ("<=1.2", "1.2.9", true),
            ("<=1.2", "1.3.0", false),
            (">=1.2, <2", "1.5.0", true),
            (">=1.2 <2", "2.1.0", false),
            ("<1 || >=3", "3.0.0", true),
            ("1.2 - 1.4.5", "1.4.5", true),
            ("1.2 - 1.4.5", "1.4.6", false),
            ("=1.0.0", "v1.0.0", true),
            ("1.0.0-alpha.1", "1.0.0-alpha.1", true),
            (">1.0.0-alpha", "1.0.0-alpha.beta", true),
            (">1.0.0-alpha.2", "1.0.0-alpha.10", true),
            (">1.0.0-beta", "1.0.0-alpha.10", false),
        ];
        for (c, v, want) in cases {
            assert_eq!(sc(c, v), want, "{c} vs {v}");
        }
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            Version::parse("1.2.3.4").unwrap_err(),
            "invalid semantic version"
        );
        assert_eq!(Version::parse("x").unwrap_err(), "invalid semantic version");
        assert!(Version::parse("v1.2").is_ok());
        assert_eq!(
            Constraints::parse(">= foo").unwrap_err(),
            "improper constraint: >= foo"
        );
        assert_eq!(Constraints::parse("").unwrap_err(), "improper constraint: ");
    }
}
