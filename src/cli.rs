//! Command-line interface: argument definitions and dispatch to the library.
//!
//! Each subcommand is a thin adapter over a library module so that the same behaviour is
//! available to the controller and to tests without going through the CLI.

use std::error::Error as StdError;

use clap::{Parser, Subcommand};

use crate::version::VersionInfo;

/// rudder renders Helm charts natively and keeps the result converged in Kubernetes.
#[derive(Debug, Parser)]
#[command(name = "rudder", version, about, long_about = None)]
pub struct Cli {
    /// On failure, print the whole chain of causes, not only the top-level error.
    #[arg(long, global = true)]
    pub debug: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands rudder offers.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print rudder's version and the Kubernetes API version it targets.
    Version {
        /// Print the version as a JSON object instead of one line of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the CustomResourceDefinition of every chart kind and VVP kind as multi-document YAML.
    Crds {
        /// Instead of the CRDs, print each kind with its field counts by schema origin.
        #[arg(long)]
        summary: bool,
    },
    /// Run the operator: the VVP controllers (with `--vvp-url`) until interrupted.
    Run(Box<crate::vvp::operator::RunArgs>),
}

/// Errors a CLI invocation can end with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Serializing output failed.
    #[error("cannot encode output as JSON")]
    Encode(#[source] serde_json::Error),
    /// Building the CRDs failed.
    #[error("cannot build the CRDs")]
    Kinds(#[source] crate::kinds::KindsError),
    /// Building the VVP CRDs failed.
    #[error("cannot build the VVP CRDs")]
    VvpCrds(#[source] crate::vvp::crd::CrdError),
    /// `rudder run` failed.
    #[error("rudder run failed")]
    Run(#[source] crate::vvp::operator::RunError),
}

/// Runs one parsed invocation.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Version { json } => print_version(json),
        Command::Crds { summary: false } => {
            let kinds = crate::kinds::crds_yaml().map_err(CliError::Kinds)?;
            let vvp = crate::vvp::crd::crds_yaml().map_err(CliError::VvpCrds)?;
            print!("{kinds}{vvp}");
            Ok(())
        }
        Command::Crds { summary: true } => {
            print!("{}", kinds_summary());
            Ok(())
        }
        Command::Run(args) => crate::vvp::operator::run_blocking(*args).map_err(CliError::Run),
    }
}

fn print_version(json: bool) -> Result<(), CliError> {
    let info = VersionInfo::current();
    if json {
        let text = serde_json::to_string(&info).map_err(CliError::Encode)?;
        println!("{text}");
    } else {
        println!("{info}");
    }
    Ok(())
}

/// One line per kind: its API name, chart and how many spec fields came from where.
fn kinds_summary() -> String {
    crate::kinds::ALL
        .iter()
        .map(|k| {
            format!(
                "{}.{}/{} (charts/{}): {} fields, {} from values.schema.json, {} inferred from values.yaml, {} rudder extensions\n",
                k.kind,
                k.group,
                k.version,
                k.chart,
                k.fields.total,
                k.fields.from_schema,
                k.fields.inferred,
                k.fields.extensions
            )
        })
        .collect()
}

/// Formats an error for the terminal: one line, or with `debug` the cause chain too.
pub fn describe_error(err: &dyn StdError, debug: bool) -> String {
    let mut out = format!("Error: {err}");
    if debug {
        let mut source = err.source();
        while let Some(cause) = source {
            out.push_str(&format!("\n  caused by: {cause}"));
            source = cause.source();
        }
    } else if err.source().is_some() {
        // One line stays one line, but the innermost cause is usually what a user can act on.
        let mut innermost = err.source();
        while let Some(next) = innermost.and_then(StdError::source) {
            innermost = Some(next);
        }
        if let Some(cause) = innermost {
            out.push_str(&format!(": {cause}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Middle);

    #[derive(Debug, thiserror::Error)]
    #[error("middle")]
    struct Middle(#[source] std::io::Error);

    fn chain() -> Outer {
        Outer(Middle(std::io::Error::other("disk on fire")))
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn error_is_one_line_with_root_cause_by_default() {
        assert_eq!(
            describe_error(&chain(), false),
            "Error: outer: disk on fire"
        );
    }

    #[test]
    fn debug_prints_whole_cause_chain() {
        assert_eq!(
            describe_error(&chain(), true),
            "Error: outer\n  caused by: middle\n  caused by: disk on fire"
        );
    }

    #[test]
    fn crds_subcommand_parses() {
        let cli = Cli::try_parse_from(["rudder", "crds", "--summary"]).expect("parses");
        assert!(matches!(cli.command, Command::Crds { summary: true }));
    }

    #[test]
    fn summary_has_one_line_per_kind_with_consistent_counts() {
        let summary = kinds_summary();
        assert_eq!(summary.lines().count(), crate::kinds::ALL.len());
        for kind in crate::kinds::ALL {
            let f = kind.fields;
            assert_eq!(
                f.total,
                f.from_schema + f.inferred + f.extensions,
                "{kind:?}"
            );
            assert!(summary.contains(&format!("{}.{}", kind.kind, kind.group)));
        }
    }

    #[test]
    fn version_subcommand_parses() {
        let cli = Cli::try_parse_from(["rudder", "version", "--json"]).expect("parses");
        assert!(matches!(cli.command, Command::Version { json: true }));
    }
}
