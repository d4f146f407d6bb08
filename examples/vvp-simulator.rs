//! A simulator of the Ververica Platform 2.1 REST API for testing rudder's VVP support.
//!
//! `cargo run --example vvp-simulator -- --listen 127.0.0.1:8081`; see
//! `docs/vvp-simulator.md` for endpoints, faults and the state machine.

#[path = "vvp_simulator/mod.rs"]
mod vvp_simulator;

use std::time::Duration;

use clap::Parser;

use vvp_simulator::{Settings, Simulator};

/// Command line of the simulator.
#[derive(Debug, Parser)]
#[command(
    name = "vvp-simulator",
    about = "A simulated Ververica Platform 2.1 REST API"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: String,
    /// Community edition: accept any or no bearer token.
    #[arg(long)]
    no_auth: bool,
    /// Require a bearer token on Platform API calls too.
    #[arg(long)]
    platform_auth: bool,
    /// A bearer token with owner rights everywhere.
    #[arg(long)]
    admin_token: Option<String>,
    /// Reject deployment PATCHes whose metadata.resourceVersion is stale (409).
    #[arg(long)]
    enforce_resource_version: bool,
    /// Tick the state machines every this many milliseconds (0: only on POST /__sim/tick).
    #[arg(long, default_value_t = 0)]
    auto_tick_ms: u64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let settings = Settings {
        auth_required: !args.no_auth,
        platform_anonymous: !args.platform_auth,
        enforce_resource_version: args.enforce_resource_version,
        admin_token: args.admin_token,
    };
    let running = vvp_simulator::start(&args.listen, Simulator::new(settings)).await?;
    println!("vvp-simulator listening on http://{}", running.addr);
    if args.auto_tick_ms > 0 {
        let sim = running.sim.clone();
        let period = Duration::from_millis(args.auto_tick_ms);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            loop {
                interval.tick().await;
                if let Ok(mut s) = sim.lock() {
                    s.tick();
                }
            }
        });
    }
    tokio::select! {
        result = running.task => result??,
        signal = tokio::signal::ctrl_c() => signal?,
    }
    Ok(())
}
