//! Sprig's `semverCompare` and `semver`, on the shared Masterminds/semver v3 implementation in
//! [`crate::semver`] (the same one the chart loader uses for `kubeVersion` and dependency ranges).

use std::cmp::Ordering;

use super::super::funcs::{Arity, FuncMap};
use super::super::value::{FuncError, Value};
use crate::semver::{Constraints, Version};

/// A `*semver.Version` as templates see it: `.Major`, `.Minor`, `.Patch`, `.Prerelease`,
/// `.Metadata`, `.Original`, `.String` and the comparison methods.
#[derive(Debug, Clone)]
pub struct SemverValue {
    /// The parsed version (it keeps the text it was parsed from).
    pub version: Version,
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
            "Major" => Value::Int64(v.major() as i64),
            "Minor" => Value::Int64(v.minor() as i64),
            "Patch" => Value::Int64(v.patch() as i64),
            "Prerelease" => Value::String(v.prerelease().to_string()),
            "Metadata" => Value::String(v.metadata().to_string()),
            "Original" => Value::String(v.original().to_string()),
            _ => Value::String(v.to_string()),
        })
    }
    fn format_v(&self) -> String {
        self.version.to_string()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Registers `semver` and `semverCompare`.
pub(super) fn register(m: &mut FuncMap) {
    m.register("semver", Arity::Exact(1), |ctx, a| {
        let version = Version::parse(ctx.string_arg(a, 0)?).map_err(call_error)?;
        Ok(Value::Object(std::rc::Rc::new(SemverValue { version })))
    });
    m.register("semverCompare", Arity::Exact(2), |ctx, a| {
        let c = Constraints::parse(ctx.string_arg(a, 0)?).map_err(call_error)?;
        let v = Version::parse(ctx.string_arg(a, 1)?).map_err(call_error)?;
        Ok(Value::Bool(c.check(&v)))
    });
}

fn call_error(e: crate::semver::SemverError) -> FuncError {
    FuncError::Call(e.to_string())
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
            Version::parse("1.2.3.4").unwrap_err().to_string(),
            "invalid semantic version"
        );
        assert_eq!(
            Version::parse("x").unwrap_err().to_string(),
            "invalid semantic version"
        );
        assert!(Version::parse("v1.2").is_ok());
        assert_eq!(
            Constraints::parse(">= foo").unwrap_err().to_string(),
            "improper constraint: >= foo"
        );
        assert_eq!(
            Constraints::parse("").unwrap_err().to_string(),
            "improper constraint: "
        );
    }
}
