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
    /// Render a chart locally and print the manifests, exactly as `helm template` does.
    #[command(visible_alias = "template")]
    Render(Box<RenderArgs>),
    /// Run the operator: the VVP controllers (with `--vvp-url`) until interrupted.
    Run(Box<crate::vvp::operator::RunArgs>),
}

/// `rudder render [NAME] CHART [flags]`: the flags of `helm template`.
#[derive(Debug, Clone, clap::Args)]
pub struct RenderArgs {
    /// `[NAME] CHART`: the release name (default `release-name`) and the chart directory or
    /// `.tgz` archive.
    #[arg(value_name = "NAME_AND_CHART", num_args = 1..=2, required = true)]
    pub args: Vec<String>,
    /// Values files, merged in order (repeatable, comma-separated too).
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    pub values: Vec<std::path::PathBuf>,
    /// Set values (`a.b=c,d=e`, lists `{x,y}`, indexes `a[0]=x`).
    #[arg(long)]
    pub set: Vec<String>,
    /// Set values, always as strings.
    #[arg(long = "set-string")]
    pub set_string: Vec<String>,
    /// Set JSON values (`a={"b":1}`).
    #[arg(long = "set-json")]
    pub set_json: Vec<String>,
    /// Set values from files (`key=path`).
    #[arg(long = "set-file")]
    pub set_file: Vec<String>,
    /// Set literal string values (no parsing of the value).
    #[arg(long = "set-literal")]
    pub set_literal: Vec<String>,
    /// Release namespace (`.Release.Namespace`).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Kubernetes version for `.Capabilities.KubeVersion`.
    #[arg(long = "kube-version")]
    pub kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions` (repeatable, comma-separated too).
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    pub api_versions: Vec<String>,
    /// Print the CRDs of the `crds/` directories too.
    #[arg(long = "include-crds")]
    pub include_crds: bool,
    /// Do not print test hooks.
    #[arg(long = "skip-tests")]
    pub skip_tests: bool,
    /// Do not print hooks.
    #[arg(long = "no-hooks")]
    pub no_hooks: bool,
    /// Only print the manifests of these templates (repeatable; globs allowed).
    #[arg(short = 's', long = "show-only")]
    pub show_only: Vec<String>,
    /// Set `.Release.IsUpgrade` instead of `.Release.IsInstall`.
    #[arg(long = "is-upgrade")]
    pub is_upgrade: bool,
    /// Generate the name (and omit NAME); like `helm template`, the name is `release-name`.
    #[arg(short = 'g', long = "generate-name")]
    pub generate_name: bool,
    /// Template (Go text/template with Sprig) producing the release name (and omit NAME).
    #[arg(long = "name-template")]
    pub name_template: Option<String>,
    /// Do not validate values against `values.schema.json`.
    #[arg(long = "skip-schema-validation")]
    pub skip_schema_validation: bool,
}

impl RenderArgs {
    /// The library request for these arguments.
    pub fn request(&self) -> crate::render::command::TemplateRequest {
        let (name, chart) = match self.args.as_slice() {
            [name, chart, ..] => (Some(name.clone()), chart.clone()),
            [chart] => (None, chart.clone()),
            [] => (None, String::new()),
        };
        crate::render::command::TemplateRequest {
            release_name: name,
            generate_name: self.generate_name,
            name_template: self.name_template.clone(),
            skip_schema_validation: self.skip_schema_validation,
            chart: chart.into(),
            values: crate::render::user_values::UserValues {
                values_files: self.values.clone(),
                set: self.set.clone(),
                set_string: self.set_string.clone(),
                set_json: self.set_json.clone(),
                set_file: self.set_file.clone(),
                set_literal: self.set_literal.clone(),
            },
            namespace: self.namespace.clone(),
            kube_version: self.kube_version.clone(),
            api_versions: self.api_versions.clone(),
            is_upgrade: self.is_upgrade,
            include_crds: self.include_crds,
            skip_tests: self.skip_tests,
            no_hooks: self.no_hooks,
            show_only: self.show_only.clone(),
        }
    }
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
    /// `render` failed; the message is Helm's (`helm template`'s) error text.
    #[error("{0}")]
    Render(String),
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
        Command::Render(args) => render(&args),
        Command::Run(args) => crate::vvp::operator::run_blocking(*args).map_err(CliError::Run),
    }
}

/// `rudder render`: Helm's log lines to stderr, manifests to stdout.
///
/// A successful render ends the process as soon as its output is written (see
/// [`exit_after_output`]); a failed one returns the error for `main` to print.
fn render(args: &RenderArgs) -> Result<(), CliError> {
    use std::io::Write;
    let printed = crate::render::command::helm_template_with(&args.request(), |out| {
        for line in &out.log {
            eprintln!("{line}");
        }
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`rudder render ... | head`) is not an error worth reporting.
        let _ = stdout.write_all(out.stdout.as_bytes());
        let _ = stdout.flush();
        drop(stdout);
        exit_after_output()
    });
    printed.map_err(|e| {
        for line in &e.log {
            eprintln!("{line}");
        }
        CliError::Render(e.message)
    })
}

/// Ends the process with status 0 once a command's output is flushed, without running
/// destructors or exit handlers.
///
/// At that point the chart, its values, the parsed templates and the rendered manifests are
/// still allocated. Freeing them one by one and the allocator's exit-time collection that
/// follows took ~1 ms of a 10 ms `rudder render` of a large chart, work the kernel does at
/// once when it drops the address space. stdout is flushed before; stderr is unbuffered;
/// nothing else (files, sockets, child processes) is open in `render`.
///
/// An instrumented build for profile-guided optimisation (`hack/pgo-build.sh` sets
/// `rudder_profile_generate`) exits normally instead: its profile is written by an exit handler.
fn exit_after_output() -> ! {
    if cfg!(rudder_profile_generate) {
        std::process::exit(0);
    }
    // SAFETY: `_exit` never returns and touches no Rust state; every writer whose buffered
    // bytes matter was flushed by the caller.
    unsafe { libc::_exit(0) }
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
    fn render_takes_helm_template_flags() {
        let cli = Cli::try_parse_from([
            "rudder",
            "render",
            "r",
            "chart",
            "-f",
            "a.yaml,b.yaml",
            "--set",
            "x=1,y=2",
            "-a",
            "v1/X,v2/Y",
            "-a",
            "z/v1",
            "-s",
            "templates/a.yaml",
            "-n",
            "ns",
            "--is-upgrade",
        ])
        .expect("parses");
        let Command::Render(args) = cli.command else {
            panic!("not render");
        };
        let req = args.request();
        assert_eq!(req.release_name.as_deref(), Some("r"));
        assert_eq!(req.values.values_files.len(), 2);
        assert_eq!(req.values.set, vec!["x=1,y=2"]);
        assert_eq!(req.api_versions, vec!["v1/X", "v2/Y", "z/v1"]);
        assert!(req.is_upgrade);
        let one = Cli::try_parse_from(["rudder", "render", "chart"]).expect("parses");
        let Command::Render(args) = one.command else {
            panic!("not render");
        };
        assert_eq!(args.request().release_name, None);
    }

    #[test]
    fn version_subcommand_parses() {
        let cli = Cli::try_parse_from(["rudder", "version", "--json"]).expect("parses");
        assert!(matches!(cli.command, Command::Version { json: true }));
    }
}
