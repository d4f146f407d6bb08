//! RSA key generation for Sprig's `genPrivateKey`, `genCA`, `genSelfSignedCert` and
//! `genSignedCert`.
//!
//! Generating a key is a random search for two large primes and dominates the render time of
//! every chart that makes certificates. The two primes are independent, so they are searched
//! for on two threads at once, each with `crypto-primes` (sieving plus the Baillie-PSW test and
//! a random-base Miller-Rabin round, on constant-size `crypto-bigint` integers), which is
//! several times faster than the `rsa` crate's own generator; the key is then assembled by the
//! `rsa` crate, which the rest of the Sprig code uses for PEM and PKCS#8 encoding. The result
//! is an ordinary two-prime RSA key with public exponent 65537 whose modulus has exactly
//! `bits` bits, as Go's `rsa.GenerateKey` produces.

use crypto_bigint::{Random, U1024, U2048, U4096, U8192, Uint};
use crypto_primes::hazmat::Sieve;
use crypto_primes::is_prime_with_rng;
use rand_core::OsRng;
use rsa::{BigUint, RsaPrivateKey};
use thiserror::Error;

/// The public exponent Go (and every mainstream library) uses.
const PUBLIC_EXPONENT: u32 = 65537;

/// Smallest modulus accepted, as Go's `rsa.GenerateKey` (1024 bits).
const MIN_BITS: usize = 1024;

/// Largest modulus accepted, keeping a template from asking for hours of prime search.
const MAX_BITS: usize = 16384;

/// Why a key could not be generated.
#[derive(Debug, Error)]
pub enum KeygenError {
    /// The requested size is outside what is supported.
    #[error("rsa: {0}-bit keys are not supported (between {MIN_BITS} and {MAX_BITS})")]
    Size(usize),
    /// The `rsa` crate rejected the assembled key on every attempt.
    #[error("rsa: {0}")]
    Assemble(#[from] rsa::Error),
}

/// Attempts before giving up on primes that do not make a valid key (p = q, or 65537 not
/// invertible modulo λ(n)); each happens with negligible probability.
const ATTEMPTS: usize = 8;

/// Generates a two-prime RSA key whose modulus has exactly `bits` bits.
pub fn generate(bits: usize) -> Result<RsaPrivateKey, KeygenError> {
    if !(MIN_BITS..=MAX_BITS).contains(&bits) {
        return Err(KeygenError::Size(bits));
    }
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let (p, q) = prime_pair(bits);
        if p == q {
            continue;
        }
        match RsaPrivateKey::from_p_q(p, q, BigUint::from(PUBLIC_EXPONENT)) {
            Ok(key) => return Ok(key),
            Err(e) => last = Some(e),
        }
    }
    Err(KeygenError::Assemble(
        last.unwrap_or(rsa::Error::InvalidPrime),
    ))
}

/// Two random primes of `bits - bits / 2` and `bits / 2` bits, each with its top two bits set
/// so that their product has exactly `bits` bits; searched for concurrently when a second
/// thread is available.
fn prime_pair(bits: usize) -> (BigUint, BigUint) {
    let (p_bits, q_bits) = (bits - bits / 2, bits / 2);
    crate::parallel::join(|| prime(p_bits), || prime(q_bits))
}

/// One random probable prime of exactly `bits` bits (at most `MAX_BITS / 2`) with the top two
/// bits set, computed in the smallest fixed-size integer that holds it.
fn prime(bits: usize) -> BigUint {
    match bits {
        0..=1024 => prime_in::<{ U1024::LIMBS }>(bits),
        1025..=2048 => prime_in::<{ U2048::LIMBS }>(bits),
        2049..=4096 => prime_in::<{ U4096::LIMBS }>(bits),
        _ => prime_in::<{ U8192::LIMBS }>(bits),
    }
}

/// [`prime`] in `Uint<L>`: sieve upwards from a random odd start with the top two bits set
/// until a candidate passes the primality test (a new start if the sieve runs past `bits`).
fn prime_in<const L: usize>(bits: usize) -> BigUint {
    loop {
        let mut start = Uint::<L>::random(&mut OsRng);
        start >>= Uint::<L>::BITS - bits;
        start |= Uint::<L>::ONE | (Uint::<L>::ONE << (bits - 1)) | (Uint::<L>::ONE << (bits - 2));
        for candidate in Sieve::new(&start, bits, false) {
            if is_prime_with_rng(&mut OsRng, &candidate) {
                return to_big_uint(&candidate);
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
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};

    use super::*;

    #[test]
    fn keys_have_the_requested_size_and_are_consistent() {
        let key = generate(2048).unwrap();
        assert_eq!(key.n().bits(), 2048);
        assert_eq!(key.e(), &BigUint::from(PUBLIC_EXPONENT));
        key.validate().unwrap();
        let primes = key.primes();
        assert_eq!(primes.len(), 2);
        assert_ne!(primes[0], primes[1]);
        assert_eq!(&(&primes[0] * &primes[1]), key.n());
        // Two keys are never the same.
        assert_ne!(generate(2048).unwrap().n(), key.n());
    }

    #[test]
    fn odd_sizes_still_give_exact_modulus_length() {
        assert_eq!(generate(1025).unwrap().n().bits(), 1025);
    }

    #[test]
    fn primes_have_the_top_two_bits_set() {
        for bits in [512, 1024, 1025, 2048] {
            let p = prime(bits);
            assert_eq!(p.bits(), bits);
            assert_eq!(&p >> (bits - 2), BigUint::from(3u32), "{bits}");
        }
    }

    #[test]
    fn conversion_keeps_the_value() {
        let n = U1024::from_u64(0x0123_4567_89ab_cdef) << 700;
        assert_eq!(
            to_big_uint(&n),
            BigUint::from(0x0123_4567_89ab_cdef_u64) << 700
        );
    }

    #[test]
    fn unsupported_sizes_are_errors() {
        assert!(matches!(generate(512), Err(KeygenError::Size(512))));
        assert!(matches!(generate(1 << 20), Err(KeygenError::Size(_))));
    }

    #[test]
    fn keys_sign_and_verify() {
        use rsa::Pkcs1v15Sign;
        use sha2::{Digest, Sha256};
        let key = generate(1024).unwrap();
        let digest = Sha256::digest(b"rudder");
        let sig = key.sign(Pkcs1v15Sign::new_unprefixed(), &digest).unwrap();
        key.to_public_key()
            .verify(Pkcs1v15Sign::new_unprefixed(), &digest, &sig)
            .unwrap();
    }
}
