//! Sprig's remaining hashes and encodings: `sha1sum`, `sha512sum`, `adler32sum`, `b32enc`,
//! `b32dec` (Go's `base32.StdEncoding`, with its error text) and `randBytes`.

use sha1::Digest;

use super::super::funcs::{Arity, FuncMap};
use super::super::value::{FuncError, Value};
use super::encoding::b64enc;

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Go's `adler32.Checksum`.
pub fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Go's `base32.StdEncoding.EncodeToString`.
pub fn b32enc(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(B32[((n >> (35 - 5 * i)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base32.StdEncoding.DecodeString`; the error is Go's
/// `illegal base32 data at input byte N`.
pub fn b32dec(s: &str) -> Result<Vec<u8>, String> {
    let src: Vec<u8> = s.bytes().filter(|&b| b != b'\n' && b != b'\r').collect();
    let corrupt = |i: usize| format!("illegal base32 data at input byte {i}");
    let olen = src.len();
    let mut rest: &[u8] = &src;
    let mut out = Vec::with_capacity(olen / 8 * 5);
    let mut end = false;
    while !rest.is_empty() && !end {
        let mut dbuf = [0u8; 8];
        let mut dlen = 8;
        let mut j = 0;
        while j < 8 {
            let Some((&c, tail)) = rest.split_first() else {
                return Err(corrupt(olen - rest.len() - j));
            };
            rest = tail;
            if c == b'=' && j >= 2 && rest.len() < 8 {
                if rest.len() + j < 7 {
                    return Err(corrupt(olen));
                }
                for k in 0..7 - j {
                    if rest.len() > k && rest[k] != b'=' {
                        return Err(corrupt(olen - rest.len() + k - 1));
                    }
                }
                dlen = j;
                end = true;
                if matches!(dlen, 1 | 3 | 6) {
                    return Err(corrupt(olen - rest.len() - 1));
                }
                break;
            }
            match B32.iter().position(|&x| x == c) {
                Some(p) => dbuf[j] = p as u8,
                None => return Err(corrupt(olen - rest.len() - 1)),
            }
            j += 1;
        }
        let n = dbuf.iter().fold(0u64, |acc, &b| (acc << 5) | u64::from(b));
        let bytes = n.to_be_bytes();
        let keep = match dlen {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => 0,
        };
        out.extend_from_slice(&bytes[3..3 + keep]);
    }
    Ok(out)
}

/// `count` bytes from the operating system's secure random source.
pub fn random_bytes(count: usize) -> Result<Vec<u8>, FuncError> {
    let mut buf = vec![0u8; count];
    getrandom::fill(&mut buf).map_err(|e| FuncError::Call(e.to_string()))?;
    Ok(buf)
}

/// Registers this group.
pub(super) fn register(m: &mut FuncMap) {
    super::str1(m, "sha1sum", |s| hex(&sha1::Sha1::digest(s.as_bytes())));
    super::str1(m, "sha512sum", |s| hex(&sha2::Sha512::digest(s.as_bytes())));
    super::str1(m, "adler32sum", |s| adler32(s.as_bytes()).to_string());
    super::str1(m, "b32enc", |s| b32enc(s.as_bytes()));
    super::str1(m, "b32dec", |s| match b32dec(s) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => e,
    });
    m.register("randBytes", Arity::Exact(1), |ctx, a| {
        let n = ctx.int_arg(a, 0)?;
        if n < 0 {
            return Err(FuncError::Call(
                "runtime error: makeslice: len out of range".into(),
            ));
        }
        if n > 1 << 20 {
            return Err(FuncError::Call(format!("randBytes: {n} bytes is too many")));
        }
        Ok(Value::String(b64enc(&random_bytes(n as usize)?)))
    });
}

#[cfg(test)]
mod tests {
    use super::super::encoding::b64dec;
    use super::super::tests_support::render;
    use super::*;

    proptest::proptest! {
        #[test]
        fn base32_round_trips(data in proptest::collection::vec(0u8..=255, 0..40), junk in "\\PC{0,20}") {
            proptest::prop_assert_eq!(b32dec(&b32enc(&data)).unwrap(), data);
            let _ = b32dec(&junk);
        }
    }

    #[test]
    fn base32_matches_go() {
        for (plain, enc) in [
            ("", ""),
            ("f", "MY======"),
            ("fo", "MZXQ===="),
            ("foo", "MZXW6==="),
            ("foob", "MZXW6YQ="),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI======"),
        ] {
            assert_eq!(b32enc(plain.as_bytes()), enc);
            assert_eq!(b32dec(enc).unwrap(), plain.as_bytes());
        }
        assert_eq!(
            b32dec("!!").unwrap_err(),
            "illegal base32 data at input byte 0"
        );
        assert_eq!(
            b32dec("MZXW6").unwrap_err(),
            "illegal base32 data at input byte 0"
        );
        assert_eq!(
            b32dec("MZ=XW6YQ").unwrap_err(),
            "illegal base32 data at input byte 2"
        );
    }

    #[test]
    fn cases_match_helm() {
        let cases = [
            (r#"{{ adler32sum "Wikipedia" }}"#, "300286872"),
            (
                r#"{{ sha1sum "" }}"#,
                "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            ),
            (
                r#"{{ sha1sum "hello" }} {{ sha256sum "hello" }}"#,
                "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            ),
            (
                r#"{{ sha512sum "hello" }} {{ adler32sum "hello" }}"#,
                "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043 103547413",
            ),
            (
                r#"{{ b32enc "hello" }} {{ b32enc "hello" | b32dec }}"#,
                "NBSWY3DP hello",
            ),
            (
                r#"{{ b32dec "!!" }}"#,
                "illegal base32 data at input byte 0",
            ),
            (r#"{{ randBytes 16 | len }} {{ randBytes 0 }}|"#, "24 |"),
        ];
        for (tpl, want) in cases {
            assert_eq!(render(tpl).as_deref(), Ok(want), "{tpl}");
        }
        assert_ne!(render("{{ randBytes 16 }}"), render("{{ randBytes 16 }}"));
        let b = render("{{ randBytes 16 }}").unwrap();
        assert_eq!(b64dec(&b).map(|v| v.len()), Ok(16));
    }
}
