//! Go `strconv` number formatting and parsing, as the YAML and JSON encoders of Go use them.
//!
//! Go prints floats with the shortest digits that round-trip (`FormatFloat(f, 'g', -1, 64)`),
//! and `encoding/json` switches between `%f` and `%e` at its own thresholds. Parsing follows
//! `strconv.ParseInt` / `ParseUint` with base 0 (prefixes `0x`, `0o`, `0b` and a leading `0`
//! for octal), which go-yaml uses to resolve plain scalars.

/// The shortest round-trip decimal digits of a finite float: (negative, digits, decimal point).
///
/// `digits` has no leading or trailing zeros (except the single digit "0" for zero); the value
/// is `0.digits * 10^dp`.
struct Decimal {
    neg: bool,
    digits: Vec<u8>,
    dp: i32,
}

/// Splits Rust's shortest `{:e}` rendering into digits and the decimal point position.
fn decimal_from_sci(sci: &str) -> Decimal {
    let (neg, rest) = match sci.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, sci),
    };
    let (mant, exp) = rest.split_once('e').unwrap_or((rest, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    Decimal {
        neg,
        digits,
        dp: exp + 1,
    }
}

fn decimal64(f: f64) -> Decimal {
    decimal_from_sci(&format!("{f:e}"))
}

fn decimal32(f: f32) -> Decimal {
    decimal_from_sci(&format!("{f:e}"))
}

/// Go's `%e` body with `prec` digits after the point and an exponent of at least two digits.
fn fmt_e(d: &Decimal, prec: usize, out: &mut String) {
    if d.neg {
        out.push('-');
    }
    out.push(char::from(d.digits.first().copied().unwrap_or(b'0')));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(char::from(d.digits.get(i).copied().unwrap_or(b'0')));
        }
    }
    out.push('e');
    let is_zero = d.digits.iter().all(|&c| c == b'0');
    let exp = if is_zero { 0 } else { d.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let abs = exp.unsigned_abs();
    if abs < 10 {
        out.push('0');
    }
    out.push_str(&abs.to_string());
}

/// Go's `%f` body with `prec` digits after the point.
fn fmt_f(d: &Decimal, prec: usize, out: &mut String) {
    if d.neg {
        out.push('-');
    }
    if d.dp > 0 {
        let dp = d.dp as usize;
        for i in 0..dp {
            out.push(char::from(d.digits.get(i).copied().unwrap_or(b'0')));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = i64::from(d.dp) + i as i64 - 1;
            let c = usize::try_from(j)
                .ok()
                .and_then(|j| d.digits.get(j).copied())
                .unwrap_or(b'0');
            out.push(char::from(c));
        }
    }
}

fn special(f: f64) -> Option<&'static str> {
    if f.is_nan() {
        Some("NaN")
    } else if f == f64::INFINITY {
        Some("+Inf")
    } else if f == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

fn format_g_decimal(d: &Decimal) -> String {
    let mut out = String::new();
    let nd = d.digits.len() as i32;
    let exp = d.dp - 1;
    if !(-4..6).contains(&exp) {
        fmt_e(d, (nd - 1).max(0) as usize, &mut out);
    } else {
        fmt_f(d, (nd - d.dp).max(0) as usize, &mut out);
    }
    out
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`: e.g. `1e+06`, `123456`, `1.5`, `1e-05`, `NaN`, `+Inf`.
pub fn format_g64(f: f64) -> String {
    if let Some(s) = special(f) {
        return s.to_string();
    }
    format_g_decimal(&decimal64(f))
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`: the float rounded to float32 precision first.
pub fn format_g32(f: f64) -> String {
    if let Some(s) = special(f) {
        return s.to_string();
    }
    format_g_decimal(&decimal32(f as f32))
}

/// The number text `encoding/json` writes for a finite float64 (`%f` between 1e-6 and 1e21,
/// otherwise `%e` with a one-digit negative exponent kept short: `1e-7`, `1e+21`).
pub fn format_json_float(f: f64) -> String {
    let d = decimal64(f);
    let abs = f.abs();
    let mut out = String::new();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        fmt_e(&d, d.digits.len().saturating_sub(1), &mut out);
        let b = out.as_bytes();
        let n = b.len();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            out.remove(n - 2);
        }
    } else {
        let prec = (d.digits.len() as i32 - d.dp).max(0) as usize;
        fmt_f(&d, prec, &mut out);
    }
    out
}

/// Result of a Go integer parse: in range, or syntactically valid but out of range, or invalid.
#[derive(Debug, PartialEq)]
enum IntParse {
    Ok(u64),
    Range,
    Invalid,
}

/// Parses unsigned digits with Go's base-0 prefix detection (no sign, no underscores).
fn parse_unsigned_base0(s: &str) -> IntParse {
    let b = s.as_bytes();
    let (base, digits): (u32, &[u8]) = match b {
        [b'0', p, rest @ ..] if !rest.is_empty() && matches!(p, b'b' | b'B') => (2, rest),
        [b'0', p, rest @ ..] if !rest.is_empty() && matches!(p, b'o' | b'O') => (8, rest),
        [b'0', p, rest @ ..] if !rest.is_empty() && matches!(p, b'x' | b'X') => (16, rest),
        [b'0', rest @ ..] => (8, rest),
        _ => (10, b),
    };
    let mut acc: u64 = 0;
    let mut overflow = false;
    for &c in digits {
        let v = match char::from(c).to_digit(base) {
            Some(v) => u64::from(v),
            None => return IntParse::Invalid,
        };
        match acc
            .checked_mul(u64::from(base))
            .and_then(|a| a.checked_add(v))
        {
            Some(a) => acc = a,
            None => overflow = true,
        }
    }
    if overflow {
        IntParse::Range
    } else {
        IntParse::Ok(acc)
    }
}

/// `strconv.ParseInt(s, 0, 64)`, returning `None` on any error.
pub fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    match parse_unsigned_base0(body) {
        IntParse::Ok(u) => {
            if neg {
                if u <= 1u64 << 63 {
                    Some((u as i64).wrapping_neg())
                } else {
                    None
                }
            } else {
                i64::try_from(u).ok()
            }
        }
        _ => None,
    }
}

/// `strconv.ParseUint(s, 0, 64)`, returning `None` on any error (no sign allowed).
pub fn parse_uint_base0(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    match parse_unsigned_base0(s) {
        IntParse::Ok(u) => Some(u),
        _ => None,
    }
}

/// Whether `s` matches go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
pub fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `strconv.ParseFloat(s, 64)` for decimal syntax, `None` on syntax or range error.
///
/// Only decimal forms are accepted; callers have already excluded Go's hex and inf/nan forms
/// (go-yaml only reaches ParseFloat for strings starting with a digit, sign or dot).
pub fn parse_float_decimal(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let ok_chars = body
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !ok_chars || body.is_empty() {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() { None } else { Some(f) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_g64_matches_go() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (1.5, "1.5"),
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (1e21, "1e+21"),
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (0.000001, "1e-06"),
            (123456789.5, "1.234567895e+08"),
            (1e100, "1e+100"),
            (-2.5e-10, "-2.5e-10"),
            (0.1, "0.1"),
            (100000.0, "100000"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for (f, want) in cases {
            assert_eq!(format_g64(*f), *want, "{f}");
        }
    }

    #[test]
    fn format_g32_matches_go() {
        assert_eq!(format_g32(1.1), "1.1");
        assert_eq!(format_g32(0.1), "0.1");
        assert_eq!(format_g32(16777217.0), "1.6777216e+07");
        assert_eq!(format_g32(3.0), "3");
    }

    #[test]
    fn json_floats_match_go() {
        let cases: &[(f64, &str)] = &[
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1.5e-10, "1.5e-10"),
            (100000.0, "100000"),
            (3.0, "3"),
            (-0.0, "-0"),
            (0.1, "0.1"),
            (1.25e300, "1.25e+300"),
            (123456789.125, "123456789.125"),
        ];
        for (f, want) in cases {
            assert_eq!(format_json_float(*f), *want, "{f}");
        }
    }

    #[test]
    fn parse_int_like_go() {
        assert_eq!(parse_int_base0("0x1F"), Some(31));
        assert_eq!(parse_int_base0("-0x1F"), Some(-31));
        assert_eq!(parse_int_base0("0o17"), Some(15));
        assert_eq!(parse_int_base0("017"), Some(15));
        assert_eq!(parse_int_base0("0b101"), Some(5));
        assert_eq!(parse_int_base0("0"), Some(0));
        assert_eq!(parse_int_base0("+7"), Some(7));
        assert_eq!(parse_int_base0("08"), None);
        assert_eq!(parse_int_base0("0x"), None);
        assert_eq!(parse_int_base0("0o"), None);
        assert_eq!(parse_int_base0("-"), None);
        assert_eq!(parse_int_base0("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_int_base0("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_int_base0("9223372036854775808"), None);
        assert_eq!(parse_uint_base0("9223372036854775808"), Some(1u64 << 63));
        assert_eq!(parse_uint_base0("+1"), None);
        assert_eq!(parse_uint_base0("18446744073709551616"), None);
    }

    #[test]
    fn yaml_style_float_regex() {
        for ok in ["1.5", "-1", ".5", "1.", "1e3", "+1.5E-3", "08"] {
            assert!(is_yaml_style_float(ok), "{ok}");
        }
        for bad in ["", ".", "e3", "1e", "1.5.5", "0x1", "1_0", "+.e1"] {
            assert!(!is_yaml_style_float(bad), "{bad}");
        }
        assert_eq!(parse_float_decimal("1e400"), None);
        assert_eq!(parse_float_decimal(".5"), Some(0.5));
        assert_eq!(parse_float_decimal("inf"), None);
    }
}
