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

static LOOSE_VERSION: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$",
    )
});
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

impl Version {
    /// Masterminds `NewVersion` (with its default `CoerceNewVersion = true`): accepts `v1`,
    /// `1.2`, `01.2.3`, prereleases and build metadata.
    pub fn parse(text: &str) -> Result<Version, SemverError> {
        let caps = LOOSE_VERSION
            .captures(text)
            .ok_or(SemverError::InvalidSemVer)?;
        let group = |i: usize| caps.get(i).map_or("", |m| m.as_str());
        let optional = |i: usize| -> Result<u64, SemverError> {
            match group(i) {
                "" => Ok(0),
                s => parse_segment(s),
            }
        };
        let v = Version {
            major: parse_segment(group(1))?,
            minor: optional(2)?,
            patch: optional(3)?,
            pre: group(5).to_string(),
            metadata: group(8).to_string(),
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
    let (m3, m4, m5, m6) = (g(3), g(4), g(5), g(6));
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
        g(2).to_string()
    };
    let con = Version::parse(&ver)
        .map_err(|_| SemverError::ImproperConstraint(format!("constraint parser error: {c}")))?;
    Ok(Constraint {
        op: Op::from_text(g(1)),
        con,
        minor_dirty,
        patch_dirty,
        dirty,
    })
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
    /// Masterminds `NewConstraint`.
    pub fn parse(text: &str) -> Result<Constraints, SemverError> {
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
}
