//! Sprig's float math (`addf`, `add1f`, `subf`, `mulf`, `divf`, `maxf`, `minf`). Sprig
//! computes the first four in shopspring/decimal (so `addf 0.1 0.2` is exactly `0.3`) and
//! converts back to float64; this module does the same with an exact base-10 value,
//! falling back to float arithmetic where the exact value would not fit.

use super::super::funcs::{Arity, FuncMap};
use super::super::value::{FuncError, Value};
use super::convert::to_float64;

/// `mant × 10^exp`, exact.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Decimal {
    mant: i128,
    exp: i32,
}

/// Digits kept by shopspring/decimal's `Div` (its `DivisionPrecision`).
const DIVISION_PRECISION: i32 = 16;

impl Decimal {
    /// decimal's `NewFromFloat`: the shortest decimal that reads back as `f`.
    fn from_f64(f: f64) -> Result<Decimal, FuncError> {
        if !f.is_finite() {
            let what = if f.is_nan() {
                "NaN"
            } else if f > 0.0 {
                "+Inf"
            } else {
                "-Inf"
            };
            return Err(FuncError::Call(format!(
                "Cannot create a Decimal from {what}"
            )));
        }
        let text = format!("{f:e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let frac_len = mantissa.split_once('.').map(|(_, f)| f.len()).unwrap_or(0) as i32;
        let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
        Ok(Decimal {
            mant: digits.parse().unwrap_or(0),
            exp: exp - frac_len,
        })
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.mant, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }

    /// Both values with the same exponent, if the mantissas fit.
    fn align(self, other: Decimal) -> Option<(i128, i128, i32)> {
        let exp = self.exp.min(other.exp);
        let scale = |d: Decimal| {
            10i128
                .checked_pow(u32::try_from(d.exp - exp).ok()?)
                .and_then(|p| d.mant.checked_mul(p))
        };
        Some((scale(self)?, scale(other)?, exp))
    }

    fn add(self, other: Decimal) -> Option<Decimal> {
        let (a, b, exp) = self.align(other)?;
        Some(Decimal {
            mant: a.checked_add(b)?,
            exp,
        })
    }

    fn sub(self, other: Decimal) -> Option<Decimal> {
        self.add(Decimal {
            mant: other.mant.checked_neg()?,
            exp: other.exp,
        })
    }

    fn mul(self, other: Decimal) -> Option<Decimal> {
        Some(Decimal {
            mant: self.mant.checked_mul(other.mant)?,
            exp: self.exp.checked_add(other.exp)?,
        })
    }

    /// decimal's `DivRound(d2, 16)`: rounded half away from zero at 16 decimal places.
    fn div(self, other: Decimal) -> Option<Decimal> {
        // self / other = (ma / mb) × 10^(ea - eb); scale so the quotient has 16 places.
        let shift = self.exp - other.exp + DIVISION_PRECISION;
        let (num, den) = if shift >= 0 {
            let p = 10i128.checked_pow(u32::try_from(shift).ok()?)?;
            (self.mant.checked_mul(p)?, other.mant)
        } else {
            let p = 10i128.checked_pow(u32::try_from(-shift).ok()?)?;
            (self.mant, other.mant.checked_mul(p)?)
        };
        let (q, r) = (num / den, num % den);
        let away = r.unsigned_abs().checked_mul(2)? >= den.unsigned_abs();
        let q = if away && r != 0 {
            if (num < 0) != (den < 0) { q - 1 } else { q + 1 }
        } else {
            q
        };
        Some(Decimal {
            mant: q,
            exp: -DIVISION_PRECISION,
        })
    }
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// Sprig's `execDecimalOp`: folds `rest` into `first` with `op` in decimal arithmetic.
fn decimal_op(first: &Value, rest: &[Value], op: Op) -> Result<Value, FuncError> {
    let mut acc = Decimal::from_f64(to_float64(first))?;
    let mut fallback = acc.to_f64();
    let mut exact = true;
    for v in rest {
        let x = to_float64(v);
        let d = Decimal::from_f64(x)?;
        if matches!(op, Op::Div) && d.mant == 0 {
            return Err(FuncError::Call("decimal division by 0".into()));
        }
        if exact {
            let next = match op {
                Op::Add => acc.add(d),
                Op::Sub => acc.sub(d),
                Op::Mul => acc.mul(d),
                Op::Div => acc.div(d),
            };
            match next {
                Some(n) => acc = n,
                None => {
                    exact = false;
                    fallback = acc.to_f64();
                }
            }
        }
        if !exact {
            fallback = match op {
                Op::Add => fallback + x,
                Op::Sub => fallback - x,
                Op::Mul => fallback * x,
                Op::Div => fallback / x,
            };
        }
    }
    Ok(Value::Float(if exact { acc.to_f64() } else { fallback }))
}

/// Go's `math.Max`/`math.Min` NaN rule: NaN wins.
fn pick(a: f64, b: f64, max: bool) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if max { a.max(b) } else { a.min(b) }
}

/// Registers the float functions.
pub(super) fn register(m: &mut FuncMap) {
    m.register("add1f", Arity::Exact(1), |_, a| {
        decimal_op(&a[0], &[Value::Int(1)], Op::Add)
    });
    m.register("addf", Arity::AtLeast(0), |_, a| {
        decimal_op(&Value::Float(0.0), a, Op::Add)
    });
    m.register("subf", Arity::AtLeast(1), |_, a| {
        decimal_op(&a[0], &a[1..], Op::Sub)
    });
    m.register("mulf", Arity::AtLeast(1), |_, a| {
        decimal_op(&a[0], &a[1..], Op::Mul)
    });
    m.register("divf", Arity::AtLeast(1), |_, a| {
        decimal_op(&a[0], &a[1..], Op::Div)
    });
    for (name, max) in [("maxf", true), ("minf", false)] {
        m.register(name, Arity::AtLeast(1), move |_, a| {
            let first = to_float64(&a[0]);
            Ok(Value::Float(
                a[1..]
                    .iter()
                    .map(to_float64)
                    .fold(first, |x, y| pick(x, y, max)),
            ))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::{render, render_with};
    use super::*;

    #[test]
    fn decimal_arithmetic_is_exact() {
        let d = |f| Decimal::from_f64(f).unwrap();
        assert_eq!(d(0.1).add(d(0.2)).unwrap().to_f64(), 0.3);
        assert_eq!(d(1.0).div(d(3.0)).unwrap().to_f64(), 0.3333333333333333);
        assert_eq!(d(22.0).div(d(7.0)).unwrap().to_f64(), 3.142857142857143);
        assert_eq!(d(-2.0).div(d(3.0)).unwrap().to_f64(), -0.6666666666666667);
        let big = d(1.2345678901234567e300);
        assert_eq!(
            big.mul(big)
                .and_then(|x| x.mul(big))
                .and_then(|x| x.mul(big)),
            None
        );
    }

    #[test]
    fn cases_match_helm() {
        let cases = [
            (
                r#"{{ addf 1.5 2 }} {{ subf 10 0.5 }} {{ mulf 1.5 2 }} {{ divf 1 3 }}"#,
                "3.5 9.5 3 0.3333333333333333",
            ),
            (
                r#"{{ addf 0.1 0.2 }} {{ mulf 100000000 10 }} {{ divf 22 7 }}"#,
                "0.3 1e+09 3.142857142857143",
            ),
            (r#"{{ typeOf (addf 1 1) }}"#, "float64"),
            (r#"{{ maxf 1 2.5 -1 }} {{ minf 1 2.5 -1 }}"#, "2.5 -1"),
            (r#"{{ maxf 1.5 2.5 }} {{ minf 1.5 -2.5 }}"#, "2.5 -2.5"),
            (r#"{{ mulf 1e300 1e300 }}"#, "+Inf"),
        ];
        for (tpl, want) in cases {
            assert_eq!(render(tpl).as_deref(), Ok(want), "{tpl}");
        }
        let got = render_with(
            r#"{{ add1f 1.5 }} {{ add1f .Values.a }}"#,
            serde_json::json!({"a": 2.0}),
        );
        assert_eq!(got.as_deref(), Ok("2.5 3"));
        let err = render(r#"{{ divf 1 0 }}"#).unwrap_err();
        assert!(
            err.ends_with("error calling divf: decimal division by 0"),
            "{err}"
        );
    }
}
