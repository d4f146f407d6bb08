//! Fixed-width Montgomery arithmetic for the base-2 Fermat test that screens prime candidates.
//!
//! Almost every candidate that survives the small-prime sieve is composite and is rejected
//! by one modular exponentiation, so that exponentiation is where key generation spends its
//! time. This one is specialised for the screen: base 2 (a doubling instead of a
//! multiplication per exponent bit), product-scanning Montgomery multiplication on arrays of
//! a size known at compile time, and no precomputed `R² mod n` (`R mod n` comes from
//! doublings). It is about 1.5 times as fast as `crypto-bigint`'s general exponentiation.
//!
//! Every step runs the same instructions whatever the values (selections are masks, not
//! branches), so the time taken says nothing about the prime that passes. Passing the screen
//! proves nothing: candidates that pass are confirmed by `crypto-primes` before they are used.

/// An odd modulus of `L` 64-bit limbs with what Montgomery multiplication needs.
pub struct Modulus<const L: usize> {
    /// The modulus, least significant limb first.
    n: [u64; L],
    /// `-n⁻¹ mod 2⁶⁴`.
    n0: u64,
    /// `R mod n` with `R = 2^(64·L)`: the Montgomery form of 1.
    one: [u64; L],
    /// Number of significant bits of `n`.
    bits: usize,
}

impl<const L: usize> Modulus<L> {
    /// The modulus `n` (least significant limb first), or `None` when `n` is even or 1, which
    /// Montgomery arithmetic cannot use.
    pub fn new(n: &[u64; L]) -> Option<Self> {
        let bits = bit_length(n);
        if n[0] & 1 == 0 || bits < 2 {
            return None;
        }
        let mut modulus = Modulus {
            n: *n,
            n0: neg_inverse(n[0]),
            one: [0; L],
            bits,
        };
        // 2^(bits-1) < n; doubling it 64·L - bits + 1 times gives R mod n.
        let mut x = [0u64; L];
        x[(bits - 1) / 64] = 1 << ((bits - 1) % 64);
        for _ in 0..(64 * L - bits + 1) {
            x = modulus.double(&x);
        }
        modulus.one = x;
        Some(modulus)
    }

    /// Whether `2^(n-1) ≡ 1 (mod n)`: true for every odd prime, false for almost every
    /// composite.
    pub fn passes_fermat_base_2(&self) -> bool {
        let mut x = self.one;
        // The exponent n - 1 differs from n only in bit 0, which is set in n.
        for bit in (0..self.bits).rev() {
            x = self.mul(&x, &x);
            let set = if bit == 0 {
                0
            } else {
                (self.n[bit / 64] >> (bit % 64)) & 1
            };
            x = self.double_if(set, &x);
        }
        x == self.one
    }

    /// `2x mod n` for `x < n`.
    fn double(&self, x: &[u64; L]) -> [u64; L] {
        self.double_if(1, x)
    }

    /// `2x mod n` when `flag` is 1, `x` when it is 0, for `x < n`: `x` plus `x` masked by the
    /// flag, reduced once (the same instructions either way).
    fn double_if(&self, flag: u64, x: &[u64; L]) -> [u64; L] {
        let mask = flag.wrapping_neg();
        let mut sum = [0u64; L];
        let mut carry = 0u64;
        for (s, &limb) in sum.iter_mut().zip(x) {
            let (v, c1) = limb.overflowing_add(limb & mask);
            let (v, c2) = v.overflowing_add(carry);
            *s = v;
            carry = u64::from(c1 | c2);
        }
        self.reduce_once(sum, carry)
    }

    /// `a·b·R⁻¹ mod n` for `a, b < n`, by product scanning (FIPS): each output column sums
    /// its `a·b` and `m·n` products in a 192-bit accumulator, and the low columns choose
    /// the Montgomery quotient digits `m` that make them vanish.
    fn mul(&self, a: &[u64; L], b: &[u64; L]) -> [u64; L] {
        let n = &self.n;
        let mut m = [0u64; L];
        let mut t = [0u64; L];
        let mut acc = Accumulator::default();
        for i in 0..L {
            for j in 0..i {
                acc.add_product(a[j], b[i - j]);
                acc.add_product(m[j], n[i - j]);
            }
            acc.add_product(a[i], b[0]);
            let mi = acc.low().wrapping_mul(self.n0);
            m[i] = mi;
            acc.add_product(mi, n[0]);
            acc.shift();
        }
        for i in L..2 * L {
            for j in (i - L + 1)..L {
                acc.add_product(a[j], b[i - j]);
                acc.add_product(m[j], n[i - j]);
            }
            t[i - L] = acc.shift();
        }
        self.reduce_once(t, acc.low())
    }

    /// `x + carry·R` reduced by one subtraction of `n`, for values below `2n`.
    fn reduce_once(&self, x: [u64; L], carry: u64) -> [u64; L] {
        let mut diff = [0u64; L];
        let mut borrow = 0u64;
        for ((d, &xi), &ni) in diff.iter_mut().zip(&x).zip(&self.n) {
            let (s, b1) = xi.overflowing_sub(ni);
            let (s, b2) = s.overflowing_sub(borrow);
            *d = s;
            borrow = u64::from(b1 | b2);
        }
        // Keep x when it is below n: no carry and the subtraction borrowed.
        let keep = u64::from(carry == 0) & borrow;
        select(keep, &x, &diff)
    }
}

/// `if_set` when `flag` is 1, `otherwise` when it is 0, without a branch.
fn select<const L: usize>(flag: u64, if_set: &[u64; L], otherwise: &[u64; L]) -> [u64; L] {
    let mask = flag.wrapping_neg();
    let mut out = [0u64; L];
    for ((o, &a), &b) in out.iter_mut().zip(if_set).zip(otherwise) {
        *o = (a & mask) | (b & !mask);
    }
    out
}

/// Number of significant bits.
fn bit_length<const L: usize>(n: &[u64; L]) -> usize {
    n.iter()
        .rposition(|&limb| limb != 0)
        .map_or(0, |i| 64 * i + 64 - n[i].leading_zeros() as usize)
}

/// `-x⁻¹ mod 2⁶⁴` for odd `x` (Newton's iteration doubles the correct bits each step).
fn neg_inverse(x: u64) -> u64 {
    let mut inv: u64 = 1;
    for _ in 0..6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(x.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// A 192-bit running sum of 128-bit products.
#[derive(Default)]
struct Accumulator {
    low: u128,
    high: u64,
}

impl Accumulator {
    fn add_product(&mut self, x: u64, y: u64) {
        let (sum, overflow) = self.low.overflowing_add(u128::from(x) * u128::from(y));
        self.low = sum;
        self.high += u64::from(overflow);
    }

    fn low(&self) -> u64 {
        self.low as u64
    }

    /// Removes and returns the lowest 64 bits.
    fn shift(&mut self) -> u64 {
        let out = self.low as u64;
        self.low = (self.low >> 64) | (u128::from(self.high) << 64);
        self.high = 0;
        out
    }
}

#[cfg(test)]
mod tests {
    use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
    use crypto_bigint::{NonZero, U256, U512, Uint};

    use super::*;
    use crate::test_support::Rng;

    fn random_odd<const L: usize>(rng: &mut Rng, bits: usize) -> Uint<L> {
        let mut words = [0u64; L];
        for w in words.iter_mut() {
            *w = rng.next();
        }
        let n = Uint::<L>::from_words(words) >> (64 * L - bits);
        n | Uint::<L>::ONE | (Uint::<L>::ONE << (bits - 1))
    }

    /// 2^(n-1) mod n by crypto-bigint, the reference.
    fn reference_fermat<const L: usize>(n: &Uint<L>) -> bool {
        let params = DynResidueParams::new(n);
        let two = DynResidue::new(&Uint::<L>::from_u8(2), params);
        two.pow(&n.wrapping_sub(&Uint::<L>::ONE)).retrieve() == Uint::<L>::ONE
    }

    #[test]
    fn montgomery_one_is_r_mod_n() {
        let mut rng = Rng(7);
        for bits in [2, 3, 64, 65, 200, 256] {
            let n = random_odd::<4>(&mut rng, bits);
            let m = Modulus::new(n.as_words()).unwrap();
            // R mod n = (2^256 - n) mod n computed as (0 - n) mod n in 256-bit arithmetic.
            let want = U256::ZERO.wrapping_sub(&n).rem(&NonZero::new(n).unwrap());
            assert_eq!(&m.one, want.as_words(), "{bits} bits");
        }
    }

    #[test]
    fn products_match_crypto_bigint() {
        let mut rng = Rng(11);
        for bits in [65, 512, 1000, 1024] {
            let n = random_odd::<16>(&mut rng, bits);
            let m = Modulus::new(n.as_words()).unwrap();
            let params = DynResidueParams::new(&n);
            let nz = NonZero::new(n).unwrap();
            for _ in 0..20 {
                let a = random_odd::<16>(&mut rng, bits).rem(&nz);
                let b = random_odd::<16>(&mut rng, bits - 1).rem(&nz);
                // Montgomery forms of a and b, multiplied, must give the form of a·b.
                let (ra, rb) = (DynResidue::new(&a, params), DynResidue::new(&b, params));
                let got = m.mul(ra.as_montgomery().as_words(), rb.as_montgomery().as_words());
                assert_eq!(&got, (ra * rb).as_montgomery().as_words(), "{bits} bits");
            }
        }
    }

    #[test]
    fn fermat_screen_agrees_with_crypto_bigint() {
        let mut rng = Rng(3);
        let mut passed = 0;
        for i in 0..400 {
            let bits = [64, 127, 128, 300, 1024][i % 5];
            let n = random_odd::<16>(&mut rng, bits);
            let got = Modulus::new(n.as_words()).unwrap().passes_fermat_base_2();
            assert_eq!(got, reference_fermat(&n), "{n}");
            passed += usize::from(got);
        }
        assert!(passed > 0, "no random odd number passed");
    }

    #[test]
    fn primes_pass_and_composites_fail() {
        // The NIST P-256 field prime, 2^256 - 2^224 + 2^192 + 2^96 - 1; three times it is not
        // prime.
        let p = U512::from_be_hex(concat!(
            "0000000000000000000000000000000000000000000000000000000000000000",
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
        ));
        assert!(Modulus::new(p.as_words()).unwrap().passes_fermat_base_2());
        let composite = p.wrapping_mul(&U512::from_u8(3));
        assert!(
            !Modulus::new(composite.as_words())
                .unwrap()
                .passes_fermat_base_2()
        );
        // Small cases, including a base-2 pseudoprime (341 = 11·31) that the screen lets
        // through, which is why survivors are confirmed.
        let passes = |n: u64| Modulus::<1>::new(&[n]).unwrap().passes_fermat_base_2();
        assert!(passes(3) && passes(65537) && passes(341));
        assert!(!passes(9) && !passes(15) && !passes(65535));
    }

    #[test]
    fn even_numbers_and_one_are_refused() {
        assert!(Modulus::<2>::new(&[4, 1]).is_none());
        assert!(Modulus::<2>::new(&[1, 0]).is_none());
        assert!(Modulus::<2>::new(&[0, 0]).is_none());
    }
}
