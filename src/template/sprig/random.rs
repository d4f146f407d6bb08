//! Sprig's random generators (`randAlphaNum`, `randAlpha`, `randNumeric`, `randAscii`,
//! `uuidv4`). Output is random by nature, as in Helm; only the alphabet, length and format
//! are contractual. Entropy comes from the standard library's randomly keyed hasher.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use super::super::funcs::{Arity, FuncMap};
use super::super::value::{FuncError, Value};

/// Largest string the generators produce, to keep output bounded.
const MAX_LEN: i64 = 1 << 20;

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish() | 1
}

/// Next value of a xorshift64* generator.
pub(super) fn next_u64() -> u64 {
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// `count` characters drawn uniformly from `alphabet`; a negative count gives "" because
/// Sprig discards goutils' error.
pub fn random_string(count: i64, alphabet: &[u8]) -> Result<String, FuncError> {
    if count > MAX_LEN {
        return Err(FuncError::Call(format!(
            "Requested random length {count} is too large"
        )));
    }
    let n = alphabet.len() as u64;
    Ok((0..count.max(0))
        .map(|_| alphabet[(next_u64() % n) as usize] as char)
        .collect())
}

/// A random RFC 4122 version 4 UUID in its canonical text form.
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&next_u64().to_le_bytes());
    b[8..].copy_from_slice(&next_u64().to_le_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

const DIGITS: &[u8] = b"0123456789";
const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Registers the random functions.
pub(super) fn register(m: &mut FuncMap) {
    let ascii: Vec<u8> = (32u8..=126).collect();
    let sets: [(&str, Vec<u8>); 4] = [
        ("randAlphaNum", ALNUM.to_vec()),
        ("randAlpha", LETTERS.to_vec()),
        ("randNumeric", DIGITS.to_vec()),
        ("randAscii", ascii),
    ];
    for (name, set) in sets {
        m.register(name, Arity::Exact(1), move |ctx, a| {
            random_string(ctx.int_arg(a, 0)?, &set).map(Value::String)
        });
    }
    m.register("uuidv4", Arity::Exact(0), |_, _| {
        Ok(Value::String(uuid_v4()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabets_lengths_and_uuid_shape() {
        let s = random_string(64, ALNUM).unwrap();
        assert_eq!(s.len(), 64);
        assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(s, random_string(64, ALNUM).unwrap());
        assert!(
            random_string(10, DIGITS)
                .unwrap()
                .bytes()
                .all(|b| b.is_ascii_digit())
        );
        assert_eq!(random_string(-1, DIGITS).unwrap(), "");
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
