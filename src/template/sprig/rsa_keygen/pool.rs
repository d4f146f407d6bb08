//! Primes searched for on every core at once, handed to whoever asks first.
//!
//! A key needs two primes, and each search is a random walk whose length varies a lot. With
//! one fixed thread per prime, a key waits for the slower of two searches (1.5 search times
//! on average); with every core feeding one shared pool, the two primes are the first two to
//! arrive from any core (1 search time on two cores, less on more). While nobody waits, one
//! core fewer (leaving one to the render) goes on until [`SPARES`] primes are ready, so the
//! next key of the same render (charts make a CA, then a certificate signed by it) starts
//! with primes in hand; then the searchers stop. Each prime is handed out once.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

use rsa::BigUint;

use super::search;

/// Primes kept ready, beyond those asked for, while nobody is waiting.
const SPARES: usize = 2;

/// The shared supply of random primes of one size.
pub struct Pool {
    bits: usize,
    state: Mutex<State>,
    arrived: Condvar,
}

#[derive(Default)]
struct State {
    /// Primes found and not yet handed out.
    ready: Vec<BigUint>,
    /// Primes asked for and not yet taken.
    waiting: usize,
    /// Threads searching.
    searchers: usize,
}

/// The process's pool of `bits`-bit primes, made on first use.
pub fn pool(bits: usize) -> Arc<Pool> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<Pool>>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let pool = pools.entry(bits).or_insert_with(|| {
        Arc::new(Pool {
            bits,
            state: Mutex::default(),
            arrived: Condvar::new(),
        })
    });
    Arc::clone(pool)
}

/// Cores this process may use (cgroup quotas included), at least 1.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
}

impl Pool {
    /// Asks for `count` primes and starts the searchers they need; [`Pool::take`] takes
    /// them. Asking for every prime a key needs before taking any lets them be searched
    /// for together.
    pub fn ask(self: &Arc<Self>, count: usize) {
        let mut state = self.lock();
        state.waiting += count;
        self.start_searchers(&mut state);
    }

    /// Waits for one of the primes asked for and takes it. Searches on this thread when no
    /// searcher is running (none could be started, or one panicked).
    pub fn take(&self) -> BigUint {
        let mut state = self.lock();
        loop {
            if let Some(prime) = state.ready.pop() {
                state.waiting = state.waiting.saturating_sub(1);
                return prime;
            }
            if state.searchers == 0 {
                drop(state);
                let found = search::prime(self.bits, &mut || true);
                state = self.lock();
                state.ready.extend(found);
                continue;
            }
            state = self
                .arrived
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// How many threads should search now: every core while someone waits for more than is
    /// ready, one core fewer while the spares are short, else none.
    fn wanted(state: &State) -> usize {
        if state.waiting > state.ready.len() {
            cores()
        } else if state.ready.len() < state.waiting + SPARES {
            cores() - 1
        } else {
            0
        }
    }

    fn start_searchers(self: &Arc<Self>, state: &mut State) {
        while state.searchers < Self::wanted(state) {
            let pool = Arc::clone(self);
            let started = std::thread::Builder::new()
                .name("rudder-primes".into())
                .spawn(move || pool.search());
            if started.is_err() {
                break;
            }
            state.searchers += 1;
        }
    }

    /// A searcher's life: primes into the pool until no longer wanted.
    fn search(self: Arc<Self>) {
        let _counted_out_on_panic = Searcher(&self);
        loop {
            let Some(prime) = search::prime(self.bits, &mut || self.still_wanted()) else {
                break;
            };
            let mut state = self.lock();
            state.ready.push(prime);
            self.arrived.notify_all();
            if state.searchers > Self::wanted(&state) {
                state.searchers -= 1;
                break;
            }
        }
    }

    /// Whether this searcher should go on; if not, it is counted out.
    fn still_wanted(&self) -> bool {
        let mut state = self.lock();
        if state.searchers > Self::wanted(&state) {
            state.searchers -= 1;
            return false;
        }
        true
    }

    /// The state; it stays consistent even if a holder panicked (every update is one step).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Counts a searcher out if it unwinds, so takers stop waiting for it.
struct Searcher<'a>(&'a Pool);

impl Drop for Searcher<'_> {
    fn drop(&mut self) {
        // A searcher that returns has already counted itself out.
        if !std::thread::panicking() {
            return;
        }
        let mut state = self.0.lock();
        state.searchers -= 1;
        self.0.arrived.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taken_primes_are_distinct_and_of_the_size() {
        let pool = pool(256);
        pool.ask(2);
        pool.ask(3);
        let mut got: Vec<BigUint> = (0..5).map(|_| pool.take()).collect();
        assert_eq!(got.len(), 5);
        for p in &got {
            assert_eq!(p.bits(), 256);
        }
        got.sort();
        got.dedup();
        assert_eq!(got.len(), 5);
    }

    #[test]
    fn spares_are_kept_and_searchers_stop() {
        let pool = pool(320);
        pool.ask(1);
        let first = pool.take();
        // With a second core, a searcher goes on until the spares are ready, then stops.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let state = pool.lock();
            if state.searchers == 0 {
                let spares = if cores() > 1 { SPARES } else { 0 };
                assert!(state.ready.len() >= spares, "{} ready", state.ready.len());
                assert!(state.ready.iter().all(|p| p != &first));
                break;
            }
            drop(state);
            assert!(
                std::time::Instant::now() < deadline,
                "searchers never stopped"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    #[test]
    fn wanted_searchers_follow_the_demand() {
        let state = |ready: usize, waiting: usize| State {
            ready: vec![BigUint::from(3u32); ready],
            waiting,
            searchers: 0,
        };
        assert_eq!(Pool::wanted(&state(0, 2)), cores());
        assert_eq!(Pool::wanted(&state(1, 2)), cores());
        assert_eq!(Pool::wanted(&state(2, 2)), cores() - 1);
        assert_eq!(Pool::wanted(&state(0, 0)), cores() - 1);
        assert_eq!(Pool::wanted(&state(SPARES, 0)), 0);
        assert_eq!(Pool::wanted(&state(SPARES + 2, 2)), 0);
    }
}
