//! The `rudder` command: thin entry point that parses arguments and reports errors.

use std::process::ExitCode;

use clap::Parser;
use rudder::cli::Cli;

/// Template rendering allocates and frees many small values; mimalloc serves them in a
/// fraction of the time the system allocator takes (see docs/render-performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
