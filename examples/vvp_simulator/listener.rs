//! A TCP listener that makes the simulated VVP unreachable on demand: while the `down`
//! fault is set, API connections are accepted and closed at once without an answer, so
//! clients see a transport error. Connections to the admin endpoints (`/__sim/...`) are
//! still served, so a test can bring VVP back.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::Shared;

/// How long to wait for a request line when deciding whether a connection is for the admin
/// endpoints.
const PEEK_TIMEOUT: Duration = Duration::from_secs(2);

/// The simulator's listener; see the module documentation.
pub struct SimListener {
    incoming: mpsc::Receiver<(TcpStream, SocketAddr)>,
    local: SocketAddr,
}

impl SimListener {
    /// Wraps `listener`; `sim` is consulted for the `down` fault on every connection.
    pub fn new(listener: TcpListener, sim: Shared) -> io::Result<Self> {
        let local = listener.local_addr()?;
        let (tx, incoming) = mpsc::channel(64);
        tokio::spawn(accept_loop(listener, sim, tx));
        Ok(Self { incoming, local })
    }
}

async fn accept_loop(
    listener: TcpListener,
    sim: Shared,
    tx: mpsc::Sender<(TcpStream, SocketAddr)>,
) {
    loop {
        let Ok((stream, addr)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let down = sim.lock().map(|s| s.faults.down).unwrap_or(false);
        if !down {
            if tx.send((stream, addr)).await.is_err() {
                return;
            }
            continue;
        }
        let tx = tx.clone();
        tokio::spawn(async move {
            if is_admin_request(&stream).await {
                let _ = tx.send((stream, addr)).await;
            }
            // Otherwise the stream is dropped: the connection closes unanswered.
        });
    }
}

/// Whether the first request line on `stream` targets `/__sim/`.
async fn is_admin_request(stream: &TcpStream) -> bool {
    let mut buf = [0u8; 256];
    let deadline = tokio::time::Instant::now() + PEEK_TIMEOUT;
    loop {
        let peeked = tokio::time::timeout_at(deadline, stream.peek(&mut buf)).await;
        let Ok(Ok(n)) = peeked else { return false };
        if n == 0 {
            return false;
        }
        let head = &buf[..n];
        if head.contains(&b'\n') || n == buf.len() {
            let line = String::from_utf8_lossy(head);
            return line
                .split_whitespace()
                .nth(1)
                .is_some_and(|path| path.starts_with("/__sim/"));
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

impl axum::serve::Listener for SimListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.incoming.recv().await {
            Some(conn) => conn,
            // The accept loop ended; never yield another connection.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}
