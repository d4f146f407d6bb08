//! Candidates for a random prime: odd numbers from a random start that no prime below 2¹⁶
//! divides.
//!
//! Sieving deeper than `crypto-primes`' own sieve (primes up to 17,863) leaves 12 % fewer
//! candidates for the costly Fermat screen (about 36 instead of 41 per 1024-bit prime found),
//! and marking a window of candidates at once replaces a remainder per small prime per
//! candidate with one table walk. The start's remainders are computed once per window, four
//! small primes at a time (their product fits in 64 bits).

use std::sync::OnceLock;

use crypto_bigint::Uint;

/// Small primes below this bound divide no candidate.
const BOUND: usize = 1 << 16;

/// Odd candidates per window: about 11 primes are expected among 4,096 odd numbers near
/// 2¹⁰²⁴, so a window without one (and a new start) is rare.
const WINDOW: usize = 4096;

/// The odd primes below [`BOUND`], in order.
fn small_primes() -> &'static [u64] {
    static PRIMES: OnceLock<Vec<u64>> = OnceLock::new();
    PRIMES.get_or_init(|| {
        let mut composite = vec![false; BOUND];
        let mut primes = Vec::new();
        for p in (3..BOUND).step_by(2) {
            if composite[p] {
                continue;
            }
            primes.push(p as u64);
            for multiple in (p * p..BOUND).step_by(2 * p) {
                composite[multiple] = true;
            }
        }
        primes
    })
}

/// The odd numbers `start + 2k` (`k < WINDOW`) that no small prime below `start` divides, in
/// increasing order. `start` must be odd.
pub fn survivors<const L: usize>(start: &Uint<L>) -> impl Iterator<Item = Uint<L>> + '_ {
    let mut composite = vec![false; WINDOW];
    let primes = small_primes();
    // A small prime at or above the start would be struck off as a multiple of itself.
    let usable = primes.partition_point(|&p| Uint::<L>::from_u64(p) < *start);
    for group in primes[..usable].chunks(4) {
        let product = group.iter().product::<u64>();
        let rem = rem_u64(start, product);
        for &p in group {
            // First k with start + 2k ≡ 0 (mod p): k ≡ -r·2⁻¹ (mod p), where 2⁻¹ is
            // (p + 1) / 2 for odd p.
            let (r, half) = (rem % p, p.div_ceil(2));
            let first = ((p - r) % p) * half % p;
            for k in (first as usize..WINDOW).step_by(p as usize) {
                composite[k] = true;
            }
        }
    }
    composite
        .into_iter()
        .enumerate()
        .filter(|&(_, struck)| !struck)
        .map(move |(k, _)| start.wrapping_add(&Uint::<L>::from_u64(2 * k as u64)))
}

/// `n mod d` for `d > 0`, limb by limb from the top.
fn rem_u64<const L: usize>(n: &Uint<L>, d: u64) -> u64 {
    n.as_words().iter().rev().fold(0u64, |r, &limb| {
        (((u128::from(r)) << 64 | u128::from(limb)) % u128::from(d)) as u64
    })
}

#[cfg(test)]
mod tests {
    use crypto_bigint::{NonZero, U256};

    use super::*;

    #[test]
    fn small_primes_are_the_odd_primes_below_the_bound() {
        let primes = small_primes();
        assert_eq!(&primes[..6], &[3, 5, 7, 11, 13, 17]);
        assert_eq!(primes.last(), Some(&65521));
        // π(2¹⁶) = 6542, less the prime 2.
        assert_eq!(primes.len(), 6541);
    }

    #[test]
    fn remainders_match_crypto_bigint() {
        let n =
            U256::from_be_hex("f3a1c2e4b5d6978812345678deadbeefcafebabe0123456789abcdef01234567");
        for d in [3u64, 65521, 3 * 5 * 7 * 11, 65521 * 65519 * 65497 * 65479] {
            let want = n.rem(&NonZero::new(U256::from_u64(d)).unwrap());
            assert_eq!(rem_u64(&n, d), want.as_words()[0], "{d}");
        }
    }

    #[test]
    fn survivors_are_exactly_the_numbers_without_small_factors() {
        let start =
            U256::from_be_hex("c3a1c2e4b5d6978812345678deadbeefcafebabe0123456789abcdef01234567");
        let got: Vec<U256> = survivors(&start).collect();
        let want: Vec<U256> = (0..WINDOW as u64)
            .map(|k| start.wrapping_add(&U256::from_u64(2 * k)))
            .filter(|c| small_primes().iter().all(|&p| rem_u64(c, p) != 0))
            .collect();
        assert_eq!(got, want);
        // Mertens: about 2e^-γ / ln 2¹⁶ ≈ 10 % of odd numbers survive.
        assert!((300..520).contains(&got.len()), "{} survivors", got.len());
    }

    #[test]
    fn a_small_start_strikes_only_with_primes_below_it() {
        let got: Vec<u64> = survivors(&U256::from_u64(101))
            .take(6)
            .map(|c| c.as_words()[0])
            .collect();
        assert_eq!(got, [101, 103, 107, 109, 113, 127]);
        // From 3 no prime is usable: every odd number comes out.
        let got: Vec<u64> = survivors(&U256::from_u64(3))
            .take(4)
            .map(|c| c.as_words()[0])
            .collect();
        assert_eq!(got, [3, 5, 7, 9]);
    }
}
