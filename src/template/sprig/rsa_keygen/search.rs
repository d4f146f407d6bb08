//! The search for one random prime of a given size.

use crypto_bigint::{Random, U1024, U2048, U4096, U8192, Uint};
use crypto_primes::is_prime_with_rng;
use rand_core::OsRng;
use rsa::BigUint;

use super::montgomery::Modulus;
use super::sieve;

/// One random probable prime of exactly `bits` bits (3 to 8192) with the top two bits set,
/// or `None` as soon as `keep_going` (asked before each candidate is tested) says stop.
pub fn prime(bits: usize, keep_going: &mut dyn FnMut() -> bool) -> Option<BigUint> {
    match bits {
        0..=1024 => prime_in::<{ U1024::LIMBS }>(bits, keep_going),
        1025..=2048 => prime_in::<{ U2048::LIMBS }>(bits, keep_going),
        2049..=4096 => prime_in::<{ U4096::LIMBS }>(bits, keep_going),
        _ => prime_in::<{ U8192::LIMBS }>(bits, keep_going),
    }
}

/// [`prime`] in `Uint<L>`: sieve a window upwards from a random odd start with the top two
/// bits set (a new start when the window holds no prime); a survivor that passes the base-2
/// Fermat screen is confirmed with `crypto-primes` (Baillie-PSW and a random-base
/// Miller-Rabin).
fn prime_in<const L: usize>(bits: usize, keep_going: &mut dyn FnMut() -> bool) -> Option<BigUint> {
    loop {
        let mut start = Uint::<L>::random(&mut OsRng);
        start >>= Uint::<L>::BITS - bits;
        start |= Uint::<L>::ONE | (Uint::<L>::ONE << (bits - 1)) | (Uint::<L>::ONE << (bits - 2));
        for candidate in sieve::survivors(&start) {
            if !keep_going() {
                return None;
            }
            if candidate.bits() != bits {
                break;
            }
            let screened =
                Modulus::new(candidate.as_words()).is_some_and(|m| m.passes_fermat_base_2());
            if screened && is_prime_with_rng(&mut OsRng, &candidate) {
                return Some(to_big_uint(&candidate));
            }
        }
    }
}

/// The `rsa` crate's integer for a `crypto-bigint` one.
fn to_big_uint<const L: usize>(n: &Uint<L>) -> BigUint {
    let bytes: Vec<u8> = n.as_words().iter().flat_map(|w| w.to_le_bytes()).collect();
    BigUint::from_bytes_le(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primes_have_the_top_two_bits_set() {
        for bits in [512, 1024, 1025, 2048] {
            let p = prime(bits, &mut || true).unwrap();
            assert_eq!(p.bits(), bits);
            assert_eq!(&p >> (bits - 2), BigUint::from(3u32), "{bits}");
        }
    }

    #[test]
    fn a_stop_ends_the_search_before_the_next_candidate() {
        let mut asked = 0;
        let found = prime(1024, &mut || {
            asked += 1;
            false
        });
        assert!(found.is_none());
        assert_eq!(asked, 1);
    }

    #[test]
    fn conversion_keeps_the_value() {
        let n = U1024::from_u64(0x0123_4567_89ab_cdef) << 700;
        assert_eq!(
            to_big_uint(&n),
            BigUint::from(0x0123_4567_89ab_cdef_u64) << 700
        );
    }
}
