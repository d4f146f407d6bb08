//! Template errors whose `Display` text is exactly Go's `text/template` error text.

use super::gofmt::quote;

/// An error from parsing or executing a template.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A parse error: `template: NAME:LINE: MESSAGE`.
    #[error("template: {name}:{line}: {message}")]
    Parse {
        /// Name of the template being parsed (Go's ParseName).
        name: String,
        /// 1-based line of the offending token.
        line: usize,
        /// Go's message, e.g. `function "foo" not defined`.
        message: String,
    },
    /// An execution error at a node:
    /// `template: LOCATION: executing "NAME" at <CONTEXT>: MESSAGE`.
    #[error(
        "template: {location}: executing {} at <{context}>: {message}",
        quote(name)
    )]
    Exec {
        /// `PARSENAME:LINE:COL` of the node.
        location: String,
        /// Name of the executing template.
        name: String,
        /// Source text of the node being evaluated.
        context: String,
        /// Go's message, e.g. `nil pointer evaluating interface {}.b`.
        message: String,
    },
    /// An execution error not tied to a node: `template: NAME: MESSAGE`.
    #[error("template: {name}: {message}")]
    ExecNoNode {
        /// Name of the executing template.
        name: String,
        /// The message.
        message: String,
    },
    /// `ExecuteTemplate` with an unknown name.
    #[error(
        "template: no template {} associated with template {}",
        quote(name),
        quote(set)
    )]
    NoTemplate {
        /// The name asked for.
        name: String,
        /// The name of the template set.
        set: String,
    },
}

impl Error {
    /// The message part without the location prefix (Go's wrapped error text).
    pub fn message(&self) -> &str {
        match self {
            Error::Parse { message, .. }
            | Error::Exec { message, .. }
            | Error::ExecNoNode { message, .. } => message,
            Error::NoTemplate { .. } => "no template",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_go() {
        let e = Error::Exec {
            location: "x:1:2".into(),
            name: "x".into(),
            context: ".Values.a.b".into(),
            message: "nil pointer evaluating interface {}.b".into(),
        };
        assert_eq!(
            e.to_string(),
            r#"template: x:1:2: executing "x" at <.Values.a.b>: nil pointer evaluating interface {}.b"#
        );
        let p = Error::Parse {
            name: "x".into(),
            line: 1,
            message: r#"function "foo" not defined"#.into(),
        };
        assert_eq!(
            p.to_string(),
            r#"template: x:1: function "foo" not defined"#
        );
        let n = Error::NoTemplate {
            name: "a".into(),
            set: "gotpl".into(),
        };
        assert_eq!(
            n.to_string(),
            r#"template: no template "a" associated with template "gotpl""#
        );
    }
}
