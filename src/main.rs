//! The `rudder` command: thin entry point that parses arguments and reports errors.

use std::process::ExitCode;

use clap::Parser;
use rudder::cli::Cli;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// mimalloc, called as its size classes allow (see [`rudder::alloc`]).
#[global_allocator]
static ALLOCATOR: rudder::alloc::Allocator = rudder::alloc::Allocator;

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let debug = cli.debug;
    match rudder::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{}", rudder::cli::describe_error(&err, debug));
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, filtered by `RUST_LOG` (default `info`), so stdout stays machine-readable.
///
/// `RUST_LOG` takes `LEVEL` and `TARGET=LEVEL` directives separated by commas (for example
/// `info,rudder::vvp=debug`); an unreadable value falls back to `info`. This is
/// `tracing_subscriber`'s `Targets` filter rather than `EnvFilter`, whose regex matching drags
/// full-DFA construction into every regex the template engine compiles.
fn init_logging() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(filter),
        )
        .init();
}
