//! A simulator of the Ververica Platform 2.1 REST API (Application Manager and Platform
//! API), for testing rudder's VVP reconcilers without a VVP installation.
//!
//! [`store`] holds the state and API semantics, [`machine`] the deployment and savepoint
//! state machines advanced by ticks, [`http`] the axum routes (VVP API plus `/__sim/...`
//! admin endpoints), [`listener`] the `down` fault. See `docs/vvp-simulator.md`.

pub mod clock;
pub mod http;
pub mod listener;
pub mod machine;
pub mod store;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use store::{Settings, Simulator};

/// The simulator shared between request handlers.
pub type Shared = Arc<Mutex<Simulator>>;

/// A running simulator.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state, for direct inspection.
    pub sim: Shared,
    /// The server task.
    pub task: JoinHandle<io::Result<()>>,
}

/// Binds `addr` (e.g. `127.0.0.1:0`) and serves `sim` there in a background task.
pub async fn start(addr: &str, sim: Simulator) -> io::Result<Running> {
    let listener = TcpListener::bind(addr).await?;
    let sim: Shared = Arc::new(Mutex::new(sim));
    let listener = listener::SimListener::new(listener, sim.clone())?;
    let addr = axum::serve::Listener::local_addr(&listener)?;
    let app = http::router(sim.clone());
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Running { addr, sim, task })
}
