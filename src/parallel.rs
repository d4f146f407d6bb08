//! Two independent pieces of work at once: where rudder starts threads inside a render
//! (schema validation beside rendering, the two halves of template parsing and of the output
//! stage's YAML decoding). RSA primes have their own searchers (`sprig::rsa_keygen`).

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

/// `items.iter().map(f)`, in order, with the work split in two halves of about equal
/// `size` run on two threads when the total size reaches `threshold` (below it a second
/// thread costs more than it saves).
pub fn map_halves<T: Sync, R: Send>(
    items: &[T],
    size: impl Fn(&T) -> usize,
    threshold: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let run = |part: &[T]| -> Vec<R> { part.iter().map(&f).collect() };
    let total: usize = items.iter().map(&size).sum();
    if total < threshold || items.len() < 2 {
        return run(items);
    }
    let mut seen = 0;
    let split = items
        .iter()
        .position(|item| {
            seen += size(item);
            seen * 2 >= total
        })
        .map_or(items.len() / 2, |i| (i + 1).min(items.len() - 1));
    let (first, second) = items.split_at(split);
    let (mut out, rest) = join(|| run(first), || run(second));
    out.extend(rest);
    out
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

    #[test]
    fn halves_keep_the_order_and_split_by_size() {
        let items: Vec<usize> = (1..=9).collect();
        let here = std::thread::current().id();
        let out = map_halves(
            &items,
            |n| *n,
            10,
            |n| (n * 10, std::thread::current().id()),
        );
        let values: Vec<usize> = out.iter().map(|(v, _)| *v).collect();
        assert_eq!(values, (1..=9).map(|n| n * 10).collect::<Vec<_>>());
        // 1..=6 weigh 21 of 45, 7 reaches half: items 1..=7 here, 8 and 9 there.
        assert!(out[..7].iter().all(|(_, t)| *t == here));
        assert!(out[7..].iter().all(|(_, t)| *t != here));
        let small = map_halves(&items, |n| *n, 1000, |_| std::thread::current().id());
        assert!(small.iter().all(|t| *t == here));
    }
}
