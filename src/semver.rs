//! Semantic versions and version constraints with the semantics of
//! `github.com/Masterminds/semver/v3` v3.4.0, the library Helm uses for chart versions,
//! `kubeVersion` and dependency version ranges.
//!
//! Masterminds differs from Cargo's `semver`: versions may be partial (`1.2`) or carry a
//! `v` prefix and leading zeros, constraints use `||`, spaces or commas, `x` wildcards,
//! hyphen ranges, and a prerelease version only satisfies an AND group that names a
//! prerelease somewhere.

use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

use regex_lite::Regex;

/// Why a version or constraint could not be parsed, worded as Masterminds words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SemverError {
    /// The text is not a (loose) semantic version.
    #[error("invalid semantic version")]
    InvalidSemVer,
    /// A numeric prerelease part has a leading zero.
    #[error("version segment starts with 0")]
    SegmentStartsZero,
    /// The prerelease part is malformed.
    #[error("invalid prerelease string")]
    InvalidPrerelease,
    /// The build metadata part is malformed.
    #[error("invalid metadata string")]
    InvalidMetadata,
    /// A numeric segment does not fit in 64 bits.
    #[error("error parsing version segment: strconv.ParseUint: parsing {0:?}: value out of range")]
    Segment(String),
    /// A constraint group is malformed.
    #[error("improper constraint: {0}")]
    ImproperConstraint(String),
}

/// A parsed version (Masterminds `semver.Version`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
/// Go's `\s` is ASCII-only.
const WS: &str = r"[\t\n\f\r ]";

fn compile(re: &str) -> Regex {
    // The patterns are constants of this module; a failure is a programming error caught by
    // every test.
    Regex::new(re).expect("constant regex compiles")
}

static CONSTRAINT: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"^{WS}*({OPS}){WS}*({CV}){WS}*$")));
static CONSTRAINT_RANGE: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"{WS}*({CV}){WS}+-{WS}+({CV}){WS}*")));
static FIND_CONSTRAINT: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"({OPS}){WS}*({CV})")));
static VALID_CONSTRAINT: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"^({WS}*({OPS}){WS}*({CV}){WS}*)((?:{WS}+|,{WS}*)({OPS}){WS}*({CV}){WS}*)*$"
    ))
});

const ALLOWED: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789";

fn contains_only(s: &str, set: &str) -> bool {
    s.chars().all(|c| set.contains(c))
}

fn validate_prerelease(p: &str) -> Result<(), SemverError> {
    for part in p.split('.') {
        if part.is_empty() {
            return Err(SemverError::InvalidPrerelease);
        }
        if contains_only(part, "0123456789") {
            if part.len() > 1 && part.starts_with('0') {
                return Err(SemverError::SegmentStartsZero);
            }
        } else if !contains_only(part, ALLOWED) {
            return Err(SemverError::InvalidPrerelease);
        }
    }
    Ok(())
}

fn validate_metadata(m: &str) -> Result<(), SemverError> {
    for part in m.split('.') {
        if part.is_empty() || !contains_only(part, ALLOWED) {
            return Err(SemverError::InvalidMetadata);
        }
    }
    Ok(())
}

fn parse_segment(s: &str) -> Result<u64, SemverError> {
    let digits = s.trim_start_matches('.');
    digits
        .parse::<u64>()
        .map_err(|_| SemverError::Segment(digits.to_string()))
}

/// The pieces of a version as the capture groups of Masterminds' version patterns hold them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CvParts<'a> {
    /// The whole match, `v` prefix and build metadata included.
    whole: &'a str,
    /// The first segment (digits, or for constraints also `x`, `X`, `*`).
    major: &'a str,
    /// The second segment with its leading `.`, or empty.
    minor: &'a str,
    /// The third segment with its leading `.`, or empty.
    patch: &'a str,
    /// The prerelease with its leading `-`, or empty.
    pre: &'a str,
    /// The build metadata with its leading `+`, or empty.
    meta: &'a str,
}

impl<'a> CvParts<'a> {
    fn prerelease(&self) -> &'a str {
        self.pre.get(1..).unwrap_or("")
    }

    fn metadata(&self) -> &'a str {
        self.meta.get(1..).unwrap_or("")
    }
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// The segment class of constraint versions, `[0-9|x|X|\*]` without the `|` (a `|` sends a
/// constraint to the regex path).
fn is_wild_digit(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'x' | b'X' | b'*')
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// The end of the run of bytes of `class` starting at `i`.
fn run(b: &[u8], mut i: usize, class: fn(u8) -> bool) -> usize {
    while b.get(i).is_some_and(|&c| class(c)) {
        i += 1;
    }
    i
}

/// Whether `b[i]` is `lead` and `b[i + 1]` belongs to `class`: an optional group that starts
/// there can complete.
fn opens(b: &[u8], i: usize, lead: u8, class: fn(u8) -> bool) -> bool {
    b.get(i) == Some(&lead) && b.get(i + 1).is_some_and(|&c| class(c))
}

/// `(\.SEG+)?` taken greedily at `*i`.
fn dotted<'a>(s: &'a str, i: &mut usize, class: fn(u8) -> bool) -> &'a str {
    let b = s.as_bytes();
    if !opens(b, *i, b'.', class) {
        return "";
    }
    let start = *i;
    *i = run(b, start + 1, class);
    &s[start..*i]
}

/// `(LEAD([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?` taken greedily at `*i`.
fn tagged<'a>(s: &'a str, i: &mut usize, lead: u8) -> &'a str {
    let b = s.as_bytes();
    if !opens(b, *i, lead, is_ident) {
        return "";
    }
    let start = *i;
    *i = run(b, start + 1, is_ident);
    while opens(b, *i, b'.', is_ident) {
        *i = run(b, *i + 1, is_ident);
    }
    &s[start..*i]
}

/// The leftmost-first (greedy) match of
/// `v?(SEG+)(\.SEG+)?(\.SEG+)?(-(ID(\.ID)*))?(\+(ID(\.ID)*))?` at byte `start` of `s`, with
/// its end. Every optional group is taken when it can complete, as a backtracking matcher
/// with nothing after the pattern takes it. All accepted bytes are ASCII, so every slice
/// boundary is a char boundary.
fn scan_cv(s: &str, start: usize, segment: fn(u8) -> bool) -> Option<(CvParts<'_>, usize)> {
    let b = s.as_bytes();
    let mut i = start;
    if b.get(i) == Some(&b'v') {
        i += 1;
    }
    let major_start = i;
    i = run(b, i, segment);
    if i == major_start {
        return None;
    }
    let major = &s[major_start..i];
    let minor = dotted(s, &mut i, segment);
    let patch = dotted(s, &mut i, segment);
    let pre = tagged(s, &mut i, b'-');
    let meta = tagged(s, &mut i, b'+');
    let parts = CvParts {
        whole: &s[start..i],
        major,
        minor,
        patch,
        pre,
        meta,
    };
    Some((parts, i))
}

impl Version {
    /// Masterminds `NewVersion` (with its default `CoerceNewVersion = true`): accepts `v1`,
    /// `1.2`, `01.2.3`, prereleases and build metadata.
    pub fn parse(text: &str) -> Result<Version, SemverError> {
        // Masterminds matches `^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-PRE)?(\+META)?$`; the
        // hand-written scanner recognises exactly that language with the same groups.
        let parts = match scan_cv(text, 0, is_digit) {
            Some((parts, end)) if end == text.len() => parts,
            _ => return Err(SemverError::InvalidSemVer),
        };
        Version::from_groups(
            text,
            [parts.major, parts.minor, parts.patch],
            parts.prerelease(),
            parts.metadata(),
        )
    }

    /// A version from the groups Masterminds' pattern captures (segments with their leading
    /// dot, prerelease and metadata without their `-`/`+`), checked as `NewVersion` checks
    /// them.
    fn from_groups(
        text: &str,
        [major, minor, patch]: [&str; 3],
        pre: &str,
        metadata: &str,
    ) -> Result<Version, SemverError> {
        let optional = |s: &str| -> Result<u64, SemverError> {
            match s {
                "" => Ok(0),
                s => parse_segment(s),
            }
        };
        let v = Version {
            major: parse_segment(major)?,
            minor: optional(minor)?,
            patch: optional(patch)?,
            pre: pre.to_string(),
            metadata: metadata.to_string(),
            original: text.to_string(),
        };
        if !v.pre.is_empty() {
            validate_prerelease(&v.pre)?;
        }
        if !v.metadata.is_empty() {
            validate_metadata(&v.metadata)?;
        }
        Ok(v)
    }

    /// A version from its parts, as Masterminds `New` builds it.
    pub fn new(major: u64, minor: u64, patch: u64) -> Version {
        let mut v = Version {
            major,
            minor,
            patch,
            pre: String::new(),
            metadata: String::new(),
            original: String::new(),
        };
        v.original = v.to_string();
        v
    }

    /// The major number.
    pub fn major(&self) -> u64 {
        self.major
    }

    /// The minor number.
    pub fn minor(&self) -> u64 {
        self.minor
    }

    /// The patch number.
    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// The prerelease part without its `-` (empty when none).
    pub fn prerelease(&self) -> &str {
        &self.pre
    }

    /// The build metadata without its `+` (empty when none).
    pub fn metadata(&self) -> &str {
        &self.metadata
    }

    /// The text the version was parsed from.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// The same version without prerelease and build metadata, as Kubernetes normalizes a
    /// cluster version (`v1.33.4-gke.1` is checked as `1.33.4`).
    pub fn release_only(&self) -> Version {
        Version::new(self.major, self.minor, self.patch)
    }

    /// Masterminds `Compare`: precedence ordering, build metadata ignored.
    pub fn compare(&self, o: &Version) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }

    fn less_than(&self, o: &Version) -> bool {
        self.compare(o) == Ordering::Less
    }
}

impl fmt::Display for Version {
    /// `MAJOR.MINOR.PATCH[-PRE][+META]` without any `v` prefix, as Masterminds `String`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let ap: Vec<&str> = a.split('.').collect();
    let bp: Vec<&str> = b.split('.').collect();
    for i in 0..ap.len().max(bp.len()) {
        let s = ap.get(i).copied().unwrap_or("");
        let o = bp.get(i).copied().unwrap_or("");
        let d = compare_pre_part(s, o);
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
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(si), Ok(oi)) => {
            if si > oi {
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

impl Op {
    fn from_text(s: &str) -> Op {
        match s {
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            "^" => Op::Caret,
            _ => Op::TildeOrEqual,
        }
    }
}

#[derive(Debug, Clone)]
struct Constraint {
    op: Op,
    con: Version,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// Masterminds `parseConstraint` on one term found by `FIND_CONSTRAINT` (regex path).
fn parse_constraint(c: &str) -> Result<Constraint, SemverError> {
    if c.is_empty() {
        return Ok(Constraint {
            op: Op::TildeOrEqual,
            con: Version::new(0, 0, 0),
            minor_dirty: false,
            patch_dirty: false,
            dirty: true,
        });
    }
    let caps = CONSTRAINT
        .captures(c)
        .ok_or_else(|| SemverError::ImproperConstraint(c.to_string()))?;
    let g = |i: usize| caps.get(i).map_or("", |m| m.as_str());
    let parts = CvParts {
        whole: g(2),
        major: g(3),
        minor: g(4),
        patch: g(5),
        pre: g(6),
        meta: g(9),
    };
    build_constraint(c, g(1), &parts)
}

/// The rest of Masterminds `parseConstraint` once the term `c` is split into its operator
/// and version groups; shared by the fast and the regex path.
fn build_constraint(c: &str, op: &str, cv: &CvParts<'_>) -> Result<Constraint, SemverError> {
    let (m3, m4, m5, m6) = (cv.major, cv.minor, cv.patch, cv.pre);
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    let ver = if is_x(m3) || m3.is_empty() {
        dirty = true;
        format!("0.0.0{m6}")
    } else if is_x(m4.trim_start_matches('.')) || m4.is_empty() {
        minor_dirty = true;
        dirty = true;
        format!("{m3}.0.0{m6}")
    } else if is_x(m5.trim_start_matches('.')) || m5.is_empty() {
        dirty = true;
        patch_dirty = true;
        format!("{m3}{m4}.0{m6}")
    } else {
        cv.whole.to_string()
    };
    let con = Version::parse(&ver)
        .map_err(|_| SemverError::ImproperConstraint(format!("constraint parser error: {c}")))?;
    Ok(Constraint {
        op: Op::from_text(op),
        con,
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

/// The operator at byte `i` of a term and the index after it. Two-byte operators win, as
/// `FIND_CONSTRAINT`'s leftmost-first alternation ends up choosing them whenever a version
/// follows (`>` alone cannot be followed by `=`, which starts no version).
fn scan_op(b: &[u8], i: usize) -> (&'static str, usize) {
    const TWO: [&str; 6] = ["!=", ">=", "=>", "<=", "=<", "~>"];
    const ONE: [&str; 5] = ["=", ">", "<", "~", "^"];
    let rest = b.get(i..).unwrap_or_default();
    TWO.iter()
        .chain(ONE.iter())
        .find(|op| rest.starts_with(op.as_bytes()))
        .map_or(("", i), |op| (*op, i + op.len()))
}

/// Go's `\s` (RE2): `[\t\n\f\r ]`, which is exactly Rust's ASCII whitespace.
fn skip_ws(b: &[u8], i: usize) -> usize {
    run(b, i, |c| c.is_ascii_whitespace())
}

/// Fast path for one `||` segment: `WS* TERM ((WS+ | WS* , WS*) TERM)* WS*` with
/// `TERM = OP WS* VERSION`, where every version ends at whitespace, a comma or the end and
/// the segment holds no `|`. On that subset `VALID_CONSTRAINT` matches, `FIND_CONSTRAINT`
/// finds exactly these terms (an empty-operator term possibly with its leading whitespace,
/// which changes no group) and `CONSTRAINT` captures the same groups. `None` when the
/// segment is outside the subset or a term does not build, so the regex path decides.
fn fast_group(seg: &str) -> Option<Vec<Constraint>> {
    let b = seg.as_bytes();
    let mut group = Vec::new();
    let mut i = skip_ws(b, 0);
    loop {
        let (op, after_op) = scan_op(b, i);
        let (cv, end) = scan_cv(seg, skip_ws(b, after_op), is_wild_digit)?;
        group.push(build_constraint(&seg[i..end], op, &cv).ok()?);
        let mut next = skip_ws(b, end);
        if next == b.len() {
            return Some(group);
        }
        if b[next] == b',' {
            next = skip_ws(b, next + 1);
        } else if next == end {
            // The version runs into something that is neither whitespace nor a comma.
            return None;
        }
        i = next;
    }
}

impl Constraint {
    fn check(&self, v: &Version, include_pre: bool) -> bool {
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        match self.op {
            Op::TildeOrEqual if self.dirty => self.tilde(v),
            Op::TildeOrEqual => v.compare(&self.con) == Ordering::Equal,
            Op::NotEqual => self.not_equal(v),
            Op::Greater => self.greater(v),
            Op::Less => v.less_than(&self.con),
            Op::GreaterEqual => v.compare(&self.con) != Ordering::Less,
            Op::LessEqual => self.less_equal(v),
            Op::Tilde => self.tilde(v),
            Op::Caret => self.caret(v),
        }
    }

    fn not_equal(&self, v: &Version) -> bool {
        let c = &self.con;
        if self.dirty {
            if c.major != v.major {
                return true;
            }
            if c.minor != v.minor && !self.minor_dirty {
                return true;
            } else if self.minor_dirty {
                return false;
            } else if c.patch != v.patch && !self.patch_dirty {
                return true;
            } else if self.patch_dirty {
                if !v.pre.is_empty() || !c.pre.is_empty() {
                    return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                }
                return false;
            }
        }
        v.compare(c) != Ordering::Equal
    }

    fn greater(&self, v: &Version) -> bool {
        let c = &self.con;
        if !self.dirty {
            return v.compare(c) == Ordering::Greater;
        }
        if v.major > c.major {
            true
        } else if v.major < c.major || self.minor_dirty {
            false
        } else if self.patch_dirty {
            v.minor > c.minor
        } else {
            v.compare(c) == Ordering::Greater
        }
    }

    fn less_equal(&self, v: &Version) -> bool {
        let c = &self.con;
        if !self.dirty {
            return v.compare(c) != Ordering::Greater;
        }
        if v.major > c.major {
            return false;
        }
        !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.less_than(c) {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.less_than(c) {
            return false;
        }
        if c.major > 0 || self.minor_dirty {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        c.patch == v.patch
    }
}

/// A parsed constraint expression (Masterminds `semver.Constraints`): OR groups of AND-ed
/// constraints.
#[derive(Debug, Clone)]
pub struct Constraints {
    groups: Vec<Vec<Constraint>>,
    contains_pre: Vec<bool>,
    text: String,
}

fn rewrite_range(text: &str) -> String {
    let mut out = text.to_string();
    for caps in CONSTRAINT_RANGE.captures_iter(text) {
        let whole = caps.get(0).map_or("", |m| m.as_str());
        let from = caps.get(1).map_or("", |m| m.as_str());
        let to = caps.get(11).map_or("", |m| m.as_str());
        out = out.replacen(whole, &format!(">= {from}, <= {to} "), 1);
    }
    out
}

impl Constraints {
    /// Masterminds `NewConstraint`. Common expressions (operators, versions, spaces, commas
    /// and `||`) are recognised by hand; anything else (hyphen ranges, stray `|`, errors)
    /// goes through Masterminds' regexes, compiled only then.
    pub fn parse(text: &str) -> Result<Constraints, SemverError> {
        match Constraints::parse_fast(text) {
            Some(c) => Ok(c),
            None => Constraints::parse_regex(text),
        }
    }

    /// The hand-written path: `None` unless every `||` segment is in [`fast_group`]'s subset.
    /// Such a text has no `WS - WS`, so the hyphen-range rewrite would leave it unchanged.
    fn parse_fast(text: &str) -> Option<Constraints> {
        let mut groups = Vec::new();
        let mut contains_pre = Vec::new();
        for segment in text.split("||") {
            let group = fast_group(segment)?;
            contains_pre.push(group.iter().any(|c| !c.con.pre.is_empty()));
            groups.push(group);
        }
        Some(Constraints {
            groups,
            contains_pre,
            text: text.to_string(),
        })
    }

    /// Masterminds `NewConstraint` exactly as written, with its regexes.
    fn parse_regex(text: &str) -> Result<Constraints, SemverError> {
        let rewritten = rewrite_range(text);
        let mut groups = Vec::new();
        let mut contains_pre = Vec::new();
        for segment in rewritten.split("||") {
            if !VALID_CONSTRAINT.is_match(segment) {
                return Err(SemverError::ImproperConstraint(segment.to_string()));
            }
            let mut found: Vec<&str> = FIND_CONSTRAINT
                .find_iter(segment)
                .map(|m| m.as_str())
                .collect();
            if found.is_empty() {
                found.push(segment);
            }
            let group = found
                .into_iter()
                .map(parse_constraint)
                .collect::<Result<Vec<_>, _>>()?;
            contains_pre.push(group.iter().any(|c| !c.con.pre.is_empty()));
            groups.push(group);
        }
        Ok(Constraints {
            groups,
            contains_pre,
            text: text.to_string(),
        })
    }

    /// Masterminds `Check`: whether `v` satisfies any OR group. A prerelease `v` only
    /// satisfies a group in which some constraint names a prerelease.
    pub fn check(&self, v: &Version) -> bool {
        self.groups
            .iter()
            .zip(&self.contains_pre)
            .any(|(group, &pre)| group.iter().all(|c| c.check(v, pre)))
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Helm's `chartutil.IsCompatibleRange`: `version` parses and satisfies `constraint`; any
/// parse failure means incompatible.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    match (Version::parse(version), Constraints::parse(constraint)) {
        (Ok(v), Ok(c)) => c.check(&v),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(c: &str, v: &str) -> bool {
        let cs = Constraints::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
        cs.check(&Version::parse(v).unwrap_or_else(|e| panic!("{v}: {e}")))
    }

    #[test]
    fn parses_loose_versions() {
        let v = Version::parse("v1.2").unwrap();
        assert_eq!((v.major(), v.minor(), v.patch()), (1, 2, 0));
        assert_eq!(v.to_string(), "1.2.0");
        assert_eq!(Version::parse("01.2.3").unwrap().to_string(), "1.2.3");
        let v = Version::parse("1.2.3-rc.1+build.5").unwrap();
        assert_eq!((v.prerelease(), v.metadata()), ("rc.1", "build.5"));
        assert_eq!(Version::parse("1.2.3.4"), Err(SemverError::InvalidSemVer));
        assert_eq!(Version::parse(""), Err(SemverError::InvalidSemVer));
        assert_eq!(
            Version::parse("1.2.3-01"),
            Err(SemverError::SegmentStartsZero)
        );
        assert_eq!(
            Version::parse("1.2.3-a..b"),
            Err(SemverError::InvalidSemVer)
        );
        assert!(matches!(
            Version::parse("99999999999999999999"),
            Err(SemverError::Segment(_))
        ));
    }

    #[test]
    fn orders_prereleases() {
        let v = |s: &str| Version::parse(s).unwrap();
        assert_eq!(v("1.0.0-alpha").compare(&v("1.0.0")), Ordering::Less);
        assert_eq!(v("1.0.0-2").compare(&v("1.0.0-10")), Ordering::Less);
        assert_eq!(v("1.0.0-a").compare(&v("1.0.0-1")), Ordering::Greater);
        assert_eq!(v("1.0.0-a").compare(&v("1.0.0-a.1")), Ordering::Less);
        assert_eq!(v("1.0.0+x").compare(&v("1.0.0+y")), Ordering::Equal);
    }

    #[test]
    fn greater_equal_with_prerelease_floor() {
        assert!(ok(">=1.19.0-0", "1.35.0"));
        assert!(ok(">=1.19.0-0", "1.19.0"));
        assert!(ok(">=1.19.0-0", "1.19.0-gke.1"));
        assert!(!ok(">=1.19.0-0", "1.18.9"));
        assert!(ok(">= 1.19.0-0", "1.30.0"));
        assert!(ok(">=v1.23.0-0", "1.23.0"));
        // Without a prerelease in the constraint, prerelease versions never match.
        assert!(!ok(">=1.19.0", "1.20.0-rc.1"));
    }

    #[test]
    fn and_groups_with_spaces_and_commas() {
        assert!(ok(">= 1.16.0-0 < 1.30.0-0", "1.29.5"));
        assert!(!ok(">= 1.16.0-0 < 1.30.0-0", "1.30.0"));
        assert!(!ok(">= 1.16.0-0 < 1.30.0-0", "1.15.0"));
        assert!(ok(">=1.2, <2", "1.9.9"));
        assert!(!ok(">=1.2, <2", "2.0.0"));
        // One prerelease constraint opens the whole AND group to prereleases (v3.4.0).
        assert!(ok(">1.0.0-beta.1 <2", "1.5.0-rc.1"));
    }

    #[test]
    fn caret_and_tilde() {
        assert!(ok("^1.2", "1.9.0"));
        assert!(ok("^1.2", "1.2.0"));
        assert!(!ok("^1.2", "2.0.0"));
        assert!(!ok("^1.2", "1.1.9"));
        assert!(ok("^0.2.3", "0.2.9"));
        assert!(!ok("^0.2.3", "0.3.0"));
        assert!(ok("^0.0.3", "0.0.3"));
        assert!(!ok("^0.0.3", "0.0.4"));
        assert!(ok("^1.25.0-0", "1.35.0"));
        assert!(ok("~1.2.3", "1.2.9"));
        assert!(!ok("~1.2.3", "1.3.0"));
        assert!(!ok("~1.2.3", "1.2.2"));
        assert!(ok("~1", "1.9.0"));
        assert!(!ok("~1", "2.0.0"));
    }

    #[test]
    fn wildcards_and_equality() {
        assert!(ok("1.x", "1.35.0"));
        assert!(!ok("1.x", "2.0.0"));
        assert!(ok("1.2.x", "1.2.7"));
        assert!(!ok("1.2.x", "1.3.0"));
        assert!(ok("*", "3.4.5"));
        assert!(ok("1.35", "1.35.0"));
        assert!(ok("=1.2.3", "1.2.3"));
        assert!(!ok("1.2.3", "1.2.4"));
        assert!(ok("!=1.2.3", "1.2.4"));
        assert!(!ok("!=1.x", "1.2.4"));
        assert!(ok(">1.2", "1.3.0"));
        assert!(!ok(">1.2", "1.2.5"));
        assert!(ok("<=1.2", "1.2.9"));
        assert!(!ok("<=1.2", "1.3.0"));
    }

    #[test]
    fn or_groups_and_hyphen_ranges() {
        assert!(ok("<1.10 || >=1.20", "1.25.0"));
        assert!(ok("<1.10 || >=1.20", "1.9.0"));
        assert!(!ok("<1.10 || >=1.20", "1.15.0"));
        assert!(ok("1.2 - 1.4.5", "1.4.5"));
        assert!(!ok("1.2 - 1.4.5", "1.4.6"));
        assert!(ok("1.2 - 1.4.5", "1.2.0"));
    }

    #[test]
    fn rejects_improper_constraints() {
        assert_eq!(
            Constraints::parse("garbage").err(),
            Some(SemverError::ImproperConstraint("garbage".into()))
        );
        assert!(Constraints::parse("").is_err());
        assert!(Constraints::parse(">= 1.2 ||").is_err());
        assert!(!is_compatible_range("garbage", "1.35.0"));
        assert!(is_compatible_range(">=1.9.0", "v1.35.0"));
        assert!(!is_compatible_range(">=1.9.0", "not-a-version"));
    }

    /// Masterminds' anchored version pattern, the oracle for the hand-written scanner.
    static LOOSE_VERSION: LazyLock<Regex> = LazyLock::new(|| {
        compile(
            r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$",
        )
    });

    /// `Version::parse` as it was written with `LOOSE_VERSION`.
    fn parse_version_regex(text: &str) -> Result<Version, SemverError> {
        let caps = LOOSE_VERSION
            .captures(text)
            .ok_or(SemverError::InvalidSemVer)?;
        let group = |i: usize| caps.get(i).map_or("", |m| m.as_str());
        Version::from_groups(text, [group(1), group(2), group(3)], group(5), group(8))
    }

    /// Deterministic xorshift64 so generated inputs are the same on every run.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const ALPHABET: &[char] = &[
        '0', '1', '2', '9', '.', 'x', 'X', '*', 'v', '-', '+', 'a', 'b', ',', '|', '<', '>', '=',
        '!', '~', '^', ' ', '\t',
    ];

    fn random_chars(rng: &mut XorShift, max_len: usize) -> String {
        let len = rng.below(max_len + 1);
        (0..len)
            .map(|_| ALPHABET[rng.below(ALPHABET.len())])
            .collect()
    }

    fn random_version(rng: &mut XorShift) -> String {
        const SEGMENTS: &[&str] = &["0", "1", "2", "10", "01", "x", "X", "*", "1x"];
        const PRE: &[&str] = &[
            "0", "00", "01", "a", "rc.1", "a-b", "-", "a.", "a..b", "1.a",
        ];
        let mut v = String::from(rng.pick(&["", "", "", "v"]));
        for n in 0..=rng.below(3) {
            if n > 0 {
                v.push('.');
            }
            v.push_str(rng.pick(SEGMENTS));
        }
        if rng.below(3) == 0 {
            v.push('-');
            v.push_str(rng.pick(PRE));
        }
        if rng.below(6) == 0 {
            v.push('+');
            v.push_str(rng.pick(PRE));
        }
        v
    }

    /// A constraint built from plausible tokens, sometimes with one character mutated.
    fn random_constraint(rng: &mut XorShift) -> String {
        const OPS: &[&str] = &[
            "", "", "", "=", "!=", ">", "<", ">=", "=>", "<=", "=<", "~", "~>", "^",
        ];
        const OP_GAP: &[&str] = &["", "", "", " ", "  "];
        const SEPS: &[&str] = &[
            " ", " ", ",", ", ", " ,", "  ", " || ", "||", "|", " - ", "\t", ",,", "",
        ];
        let mut s = String::from(rng.pick(&["", "", "", " "]));
        for n in 0..=rng.below(4) {
            if n > 0 {
                s.push_str(rng.pick(SEPS));
            }
            s.push_str(rng.pick(OPS));
            s.push_str(rng.pick(OP_GAP));
            s.push_str(&random_version(rng));
        }
        s.push_str(rng.pick(&["", "", "", " "]));
        if rng.below(4) == 0 && !s.is_empty() {
            let mut chars: Vec<char> = s.chars().collect();
            let at = rng.below(chars.len());
            let c = ALPHABET[rng.below(ALPHABET.len())];
            match rng.below(3) {
                0 => chars[at] = c,
                1 => chars.insert(at, c),
                _ => {
                    chars.remove(at);
                }
            }
            s = chars.into_iter().collect();
        }
        s
    }

    const CHECKED: &[&str] = &[
        "0.0.0",
        "0.0.1",
        "0.0.3",
        "0.1.0",
        "0.2.3",
        "0.2.9",
        "0.3.0",
        "1.0.0",
        "1.0.0-0",
        "1.0.0-a",
        "1.0.0-rc.1",
        "1.1.0",
        "1.2.0",
        "1.2.0-0",
        "1.2.3",
        "1.2.4",
        "1.2.9",
        "1.3.0",
        "1.9.9",
        "1.10.0",
        "1.19.0-0",
        "1.19.0",
        "1.21.0-gke.1",
        "1.23.0",
        "2.0.0",
        "2.0.0-0",
        "2.1.1",
        "3.0.0",
        "4.5.6",
        "10.0.0",
        "v1.33.4",
    ];

    /// Compares a fast-path result with the regex path: structure, error and `check`.
    fn assert_same_constraints(text: &str, fast: &Constraints, versions: &[Version]) {
        let slow = Constraints::parse_regex(text);
        assert_eq!(
            format!("{:?}", Ok::<_, SemverError>(fast)),
            format!("{:?}", slow.as_ref()),
            "constraint {text:?}"
        );
        if let Ok(slow) = slow {
            for v in versions {
                assert_eq!(fast.check(v), slow.check(v), "{text:?} on {v}");
            }
        }
    }

    /// Runs one input through both paths; returns whether the fast path took it.
    fn differential(text: &str, versions: &[Version]) -> bool {
        assert_eq!(
            Version::parse(text),
            parse_version_regex(text),
            "version {text:?}"
        );
        match Constraints::parse_fast(text) {
            Some(fast) => {
                assert_same_constraints(text, &fast, versions);
                true
            }
            None => false,
        }
    }

    /// Constraints as real charts write them; every one must take the fast path.
    const COMMON_CONSTRAINTS: [&str; 12] = [
        ">=1.19.0-0",
        ">= 1.21.0-0",
        ">=1.16.0-0 <1.19.0-0",
        "^1.2",
        "~1.2.3",
        ">=1.23-0",
        "1.2.x",
        "*",
        ">= 1.2, < 3.0.0 || 4.x",
        "<1.10 || >=1.20",
        "~> 1.2",
        ">=v1.23.0-0",
    ];

    fn checked_versions() -> Vec<Version> {
        CHECKED.iter().map(|v| Version::parse(v).unwrap()).collect()
    }

    #[test]
    fn fast_paths_agree_with_regexes_on_tricky_inputs() {
        let versions = checked_versions();
        let tricky = [
            "",
            " ",
            "v",
            "V1",
            "1",
            "v1",
            "vv1",
            "1.",
            "1.2.",
            "1..2",
            "1.2.3.4",
            "01.002.3",
            "1.2.3-",
            "1.2.3-0",
            "1.2.3-00",
            "1.2.3-01",
            "1.2.3-0a",
            "1.2.3--",
            "1.2.3-a.",
            "1.2.3-a..b",
            "1.2.3-a+b",
            "1.2.3+",
            "1.2.3+a+b",
            "1.2.3+01",
            "1-0",
            "1+x",
            "1.2-rc.1",
            "1.2.3 ",
            " 1.2.3",
            "1.2.3\n",
            "x",
            "1.x",
            "*",
            "18446744073709551615",
            "18446744073709551616",
            "1.18446744073709551616",
            "1.2.3-é",
            "é",
            ">= 1.2, < 3.0.0 || 4.x",
            "1 - 2",
            "1.2 - 1.4.5",
            "1.2 -1.4",
            "1 -2",
            ">1 - 2",
            "1|2",
            "1 | 2",
            "1|||2",
            "1||||2",
            "||",
            "1 ||",
            "|| 1",
            "1 || ",
            ">=1,",
            ",1",
            "1,,2",
            "1, ,2",
            "1 ,2",
            "1 , 2",
            "1\t2",
            ">=\t1",
            "= >1",
            "=>1",
            "=<1",
            "~>1",
            "~ >1",
            ">==1",
            "==1",
            "!1",
            "!=1.x",
            "^*",
            "~*",
            "x.1",
            "1.x.2",
            "1.2x",
            "1x",
            "xx",
            "1.2.3-0 1.x",
            ">1.2.3+meta",
            "v1.2.3+meta",
            ">=v1.2",
            "> v1.x",
            "1.2.3.",
            "1.2.3-a.b.c <2",
            "1>=2",
            "1.2.3-a.>1",
            "1^2",
            "1~2",
            "1.2.3+b,2",
            "<1.10 || >=1.20",
            "1 2 3",
            "1\x0b2",
            ">=1.2\r\n",
            "1.2.3-a-",
            ">1.x-0",
            "1.*.x-rc",
            "X.X.X",
            "*.*",
            "~1.2.3-beta.2",
            "^0.0.x",
            "<=1.2.x+m",
        ];
        for text in tricky.into_iter().chain(COMMON_CONSTRAINTS) {
            differential(text, &versions);
        }
    }

    #[test]
    fn fast_paths_agree_with_regexes_on_generated_inputs() {
        let versions = checked_versions();
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let mut fast = 0;
        for _ in 0..150_000 {
            if differential(&random_chars(&mut rng, 12), &versions) {
                fast += 1;
            }
        }
        for _ in 0..150_000 {
            let text = random_constraint(&mut rng);
            if differential(&text, &versions) {
                fast += 1;
            }
        }
        for _ in 0..50_000 {
            differential(&random_version(&mut rng), &versions);
        }
        // The generators must exercise the fast path, not only the fallback.
        assert!(fast > 40_000, "only {fast} inputs took the fast path");
    }

    #[test]
    fn common_constraints_take_the_fast_path() {
        for text in COMMON_CONSTRAINTS {
            assert!(
                Constraints::parse_fast(text).is_some(),
                "{text:?} fell back"
            );
        }
        for text in ["1.2 - 1.4.5", "1|2", ">=1.2,", "1.2x", "1,,2"] {
            assert!(
                Constraints::parse_fast(text).is_none(),
                "{text:?} took the fast path"
            );
        }
    }
}
