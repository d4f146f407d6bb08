//! Sprig's conversions (`toString`, `int`, `int64`, `float64`, `atoi`...), following the
//! `spf13/cast` rules Sprig relies on: failures give zero, not errors.

use super::super::funcs::{Arity, FuncMap};
use super::super::gofmt::format_v;
use super::super::parse::{parse_go_float, parse_go_int};
use super::super::value::Value;

/// Sprig's `strval`: strings as they are, anything else as Go's `%v` (nil is `<nil>`).
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => format_v(other),
    }
}

/// Sprig's `strslice`: list elements as strings (nil elements dropped), a scalar as a
/// one-element list, nil as an empty list.
pub fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(items, _) => items.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

/// cast's `trimZeroDecimal`: `"12.00"` becomes `"12"`, other strings are unchanged.
fn trim_zero_decimal(s: &str) -> &str {
    match s.split_once('.') {
        Some((int, frac))
            if !int.is_empty() && !frac.is_empty() && frac.bytes().all(|b| b == b'0') =>
        {
            int
        }
        _ => s,
    }
}

/// Go's `int64(f)` on amd64: truncation, and `math.MinInt64` for NaN and for values out of
/// range (the CPU's "integer indefinite"), where Rust's `as` would saturate.
pub fn go_float_to_int64(f: f64) -> i64 {
    if f.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// `cast.ToInt64`: numbers truncated, strings parsed (base prefixes allowed), bools 1/0,
/// anything else 0.
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => go_float_to_int64(*f),
        Value::String(s) => parse_go_int(trim_zero_decimal(s)).unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// `cast.ToFloat64`: numbers converted, strings parsed, bools 1/0, anything else 0.
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(f) => *f,
        Value::String(s) => special_float(s)
            .or_else(|| parse_float_strict(s))
            .unwrap_or(0.0),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    }
}

/// `strconv.ParseFloat` for finite numbers: hex mantissas need a `p` exponent (`"0x1F"` is an
/// error there, so cast gives 0).
fn parse_float_strict(s: &str) -> Option<f64> {
    let body = s.trim_start_matches(['+', '-']);
    if (body.starts_with("0x") || body.starts_with("0X")) && !body.contains(['p', 'P']) {
        return None;
    }
    parse_go_float(s)
}

/// `strconv.ParseFloat`'s spellings of infinity and NaN (case-insensitive, optional sign).
fn special_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let v = match body.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => return None,
    };
    Some(if neg { -v } else { v })
}

/// Go's `strconv.Atoi`: optional sign and decimal digits only.
fn atoi(s: &str) -> i64 {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    s.parse::<i64>().unwrap_or(0)
}

/// Registers the conversion functions.
pub(super) fn register(m: &mut FuncMap) {
    m.register("toString", Arity::Exact(1), |_, a| {
        Ok(Value::String(strval(&a[0])))
    });
    m.register("toStrings", Arity::Exact(1), |_, a| {
        Ok(Value::string_list(strslice(&a[0])))
    });
    m.register("int", Arity::Exact(1), |_, a| {
        Ok(Value::Int(to_int64(&a[0])))
    });
    m.register("int64", Arity::Exact(1), |_, a| {
        Ok(Value::Int64(to_int64(&a[0])))
    });
    m.register("float64", Arity::Exact(1), |_, a| {
        Ok(Value::Float(to_float64(&a[0])))
    });
    m.register("atoi", Arity::Exact(1), |ctx, a| {
        Ok(Value::Int(atoi(ctx.string_arg(a, 0)?)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_rules() {
        assert_eq!(to_int64(&Value::from("12.00")), 12);
        assert_eq!(to_int64(&Value::from("0x10")), 16);
        assert_eq!(to_int64(&Value::from("010")), 8);
        assert_eq!(to_int64(&Value::from("1.5")), 0);
        assert_eq!(to_int64(&Value::from("abc")), 0);
        assert_eq!(to_int64(&Value::Float(3.9)), 3);
        assert_eq!(to_int64(&Value::Float(-3.9)), -3);
        assert_eq!(to_int64(&Value::Bool(true)), 1);
        assert_eq!(to_int64(&Value::Nil), 0);
        assert_eq!(to_float64(&Value::from("1.5")), 1.5);
        assert_eq!(to_float64(&Value::Int(2)), 2.0);
        assert!(to_float64(&Value::from("NaN")).is_nan());
        assert_eq!(to_float64(&Value::from("-Inf")), f64::NEG_INFINITY);
        assert_eq!(atoi("42"), 42);
        assert_eq!(atoi("-7"), -7);
        assert_eq!(atoi("4x"), 0);
        assert_eq!(atoi("0x10"), 0);
    }

    #[test]
    fn strval_and_strslice() {
        assert_eq!(strval(&Value::Nil), "<nil>");
        assert_eq!(strval(&Value::Float(1e6)), "1e+06");
        assert_eq!(strval(&Value::list(vec![Value::Int(1)])), "[1]");
        assert_eq!(
            strslice(&Value::list(vec![
                Value::Int(1),
                Value::Nil,
                Value::from("a")
            ])),
            ["1", "a"]
        );
        assert_eq!(strslice(&Value::Int(3)), ["3"]);
        assert!(strslice(&Value::Nil).is_empty());
    }
}
