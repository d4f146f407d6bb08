//! The `rudder` command: thin entry point that parses arguments and reports errors.

use std::process::ExitCode;

use clap::Parser;
use rudder::cli::Cli;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// Template rendering allocates and frees many small values; mimalloc serves them in a
/// fraction of the time the system allocator takes (see docs/render-performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tune_allocator();
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

/// mimalloc 3's `purge_delay` option (its `mi_option_e` index).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps peak memory down: return freed pages to the system at once instead of after
/// mimalloc's default 10 ms delay. With the default, transparent huge pages and the delay make
/// a render's peak RSS up to ~60 MB on the largest corpus charts (as much as `helm template`
/// needs); with immediate purging it stays ~25 % below helm's at a small cost in system time.
/// Committing arena memory lazily as well (`arena_eager_commit=0`) would save more memory but
/// doubles the run time. `MIMALLOC_PURGE_DELAY` in the environment is overridden.
fn tune_allocator() {
    // SAFETY: `mi_option_set` only stores an option value; it is safe to call at any time.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
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
