//! RSA key generation for Sprig's `genPrivateKey`, `genCA`, `genSelfSignedCert` and
//! `genSignedCert`.
//!
//! Generating a key is a random search for two large primes and dominates the render time of
//! every chart that makes certificates. The primes come from a [`pool`] that searches on every
//! core and keeps a couple spare for the next key; each search ([`search`]) sieves random
//! candidates ([`sieve`]), screens the survivors with a base-2 Fermat test on specialised Montgomery
//! arithmetic ([`montgomery`]) and confirms the one that passes with `crypto-primes`
//! (Baillie-PSW plus a random-base Miller-Rabin round). The key is then assembled by the `rsa`
//! crate, which the rest of the Sprig code uses for PEM and PKCS#8 encoding. The result is an
//! ordinary two-prime RSA key with public exponent 65537 whose modulus has exactly `bits`
//! bits, as Go's `rsa.GenerateKey` produces.

mod montgomery;
mod pool;
mod search;
mod sieve;

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
/// so that their product has exactly `bits` bits; both are asked for before either is
/// awaited, so they are searched for together.
fn prime_pair(bits: usize) -> (BigUint, BigUint) {
    let (p_pool, q_pool) = (pool::pool(bits - bits / 2), pool::pool(bits / 2));
    p_pool.ask(1);
    q_pool.ask(1);
    (p_pool.take(), q_pool.take())
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
