//! Sprig's integer and float math (`add`, `sub`, `mul`, `div`, `mod`, `max`, `min`, `floor`,
//! `ceil`, `round`...). Integer results are Go `int64`, computed with wrapping arithmetic as Go
//! does; arguments go through `cast.ToInt64`/`ToFloat64`.

use super::super::funcs::{Arity, FuncMap};
use super::super::value::{FuncError, Value};
use super::convert::{to_float64, to_int64};

fn divide_by_zero() -> FuncError {
    FuncError::Call("runtime error: integer divide by zero".into())
}

/// Registers the math functions.
pub(super) fn register(m: &mut FuncMap) {
    m.register("add1", Arity::Exact(1), |_, a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))
    });
    m.register("add", Arity::AtLeast(0), |_, a| {
        Ok(Value::Int64(
            a.iter().fold(0i64, |acc, v| acc.wrapping_add(to_int64(v))),
        ))
    });
    m.register("sub", Arity::Exact(2), |_, a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    });
    m.register("mul", Arity::AtLeast(1), |_, a| {
        Ok(Value::Int64(
            a[1..]
                .iter()
                .fold(to_int64(&a[0]), |acc, v| acc.wrapping_mul(to_int64(v))),
        ))
    });
    m.register("div", Arity::Exact(2), |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_div(d)))
    });
    m.register("mod", Arity::Exact(2), |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_rem(d)))
    });
    for name in ["max", "biggest"] {
        m.register(name, Arity::AtLeast(1), |_, a| {
            Ok(Value::Int64(a.iter().map(to_int64).max().unwrap_or(0)))
        });
    }
    m.register("min", Arity::AtLeast(1), |_, a| {
        Ok(Value::Int64(a.iter().map(to_int64).min().unwrap_or(0)))
    });
    m.register("floor", Arity::Exact(1), |_, a| {
        Ok(Value::Float(to_float64(&a[0]).floor()))
    });
    m.register("ceil", Arity::Exact(1), |_, a| {
        Ok(Value::Float(to_float64(&a[0]).ceil()))
    });
    m.register("round", Arity::AtLeast(2), |ctx, a| {
        let places = ctx.int_arg(a, 1)?;
        // `rOpt ...float64`: every extra argument must be a float64.
        for i in 2..a.len() {
            if !matches!(a[i], Value::Float(_)) {
                return Err(ctx.type_error(a, i, "float64"));
            }
        }
        let round_on = a.get(2).map(to_float64).unwrap_or(0.5);
        Ok(Value::Float(round(to_float64(&a[0]), places, round_on)))
    });
}

/// Sprig's `round`: rounds away at `round_on` of the fractional digit.
fn round(val: f64, places: i64, round_on: f64) -> f64 {
    let pow = 10f64.powf(places as f64);
    let digit = pow * val;
    let frac = digit.fract();
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    r / pow
}
