//! Two independent pieces of work at once: the one place rudder starts threads inside a
//! render (schema validation beside rendering, the two halves of the output stage's YAML
//! decoding, the two primes of an RSA key).

use std::sync::Mutex;

/// Runs `here` on this thread and `there` on a second one, returning both results. If no
/// thread can be started, `there` runs here afterwards; a panic in `there` resumes here.
pub fn join<RA, RB>(here: impl FnOnce() -> RA, there: impl FnOnce() -> RB + Send) -> (RA, RB)
where
    RB: Send,
{
    let slot = Mutex::new(Some(there));
    // Takes the work out of the slot (so it runs exactly once, wherever) and runs it.
    let run_there = || {
        let work = slot.lock().ok().and_then(|mut s| s.take());
        work.map(|f| f())
    };
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new().spawn_scoped(scope, run_there);
        let a = here();
        let b = match handle {
            Ok(h) => h
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => None,
        };
        let Some(b) = b.or_else(run_there) else {
            unreachable!("the work in the slot ran on neither thread")
        };
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_results_come_back_and_the_second_runs_elsewhere() {
        let here = std::thread::current().id();
        let (a, (b, there)) = join(|| 1 + 1, || ("two", std::thread::current().id()));
        assert_eq!((a, b), (2, "two"));
        assert_ne!(here, there);
    }

    #[test]
    fn a_panic_on_the_second_thread_resumes_here() {
        let caught = std::panic::catch_unwind(|| join(|| 1, || -> i32 { panic!("boom") }));
        assert!(caught.is_err());
    }
}
