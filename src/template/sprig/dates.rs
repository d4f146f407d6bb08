//! Sprig's date functions (`now`, `date`, `dateInZone`, `dateModify`, `toDate`, `ago`,
//! `duration`, `durationRound`, `unixEpoch`, `htmlDate`...) over Go's `time.Time`, which
//! templates see as an object printing like Go's `Time.String()`.

use std::rc::Rc;

use super::super::funcs::{Arity, CallContext, FuncMap};
use super::super::value::{FuncError, Object, Value};
use super::gotime::{
    GoTime, Location, duration_round, duration_string, parse_duration, parse_in_location,
};

/// A Go `time.Time` as a template value.
#[derive(Debug, Clone)]
pub struct TimeValue(pub GoTime);

impl Object for TimeValue {
    fn type_name(&self) -> String {
        "time.Time".into()
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Format" | "Unix" | "UTC" | "Local" | "String" | "Year" | "YearDay"
        )
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let want = usize::from(name == "Format");
        if args.len() != want {
            return Err(FuncError::Exec(format!(
                "wrong number of args for {name}: want {want} got {}",
                args.len()
            )));
        }
        Ok(match name {
            "Format" => match &args[0] {
                Value::String(layout) => Value::String(self.0.format(layout)),
                other => {
                    return Err(FuncError::WrongType {
                        arg: 0,
                        expected: "string".into(),
                        got: other.type_name(),
                    });
                }
            },
            "Unix" => Value::Int64(self.0.unix),
            "UTC" => time_value(self.0.in_location(Location::Utc)),
            "Local" => time_value(self.0.in_location(Location::Local)),
            "String" => Value::String(self.0.go_string()),
            "Year" => Value::Int(self.0.format("2006").parse().unwrap_or(0)),
            "YearDay" => Value::Int(self.0.format("002").parse().unwrap_or(0)),
            _ => return Err(FuncError::Exec(format!("can't call method {name}"))),
        })
    }
    fn format_v(&self) -> String {
        self.0.go_string()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Wraps a time as a template value.
pub fn time_value(t: GoTime) -> Value {
    Value::Object(Rc::new(TimeValue(t)))
}

/// The time inside a value, if it is one.
pub fn as_time(v: &Value) -> Option<&GoTime> {
    match v {
        Value::Object(o) => o.as_any().downcast_ref::<TimeValue>().map(|t| &t.0),
        _ => None,
    }
}

/// Sprig's loose date argument: a time, Unix seconds as `int`/`int64`, anything else is now.
fn loose_time(v: &Value) -> GoTime {
    match v {
        Value::Int(n) | Value::Int64(n) => GoTime::from_unix(*n),
        other => as_time(other).cloned().unwrap_or_else(GoTime::now),
    }
}

fn time_arg(ctx: &CallContext<'_>, a: &[Value], i: usize) -> Result<GoTime, FuncError> {
    as_time(&a[i])
        .cloned()
        .ok_or_else(|| ctx.type_error(a, i, "time.Time"))
}

/// Sprig's `dateInZone`: an unknown zone falls back to UTC.
fn date_in_zone(layout: &str, date: &Value, zone: &str) -> Value {
    let loc = Location::load(zone).unwrap_or(Location::Utc);
    Value::String(loose_time(date).in_location(loc).format(layout))
}

/// Sprig's `durationRound`: the largest whole unit (y, mo, d, h, m, s) of a duration.
fn duration_round_text(v: &Value) -> String {
    let d = match v {
        Value::String(s) => parse_duration(s).unwrap_or(0),
        Value::Int64(n) => *n,
        other => match as_time(other) {
            Some(t) => t.until(&GoTime::now()),
            None => 0,
        },
    };
    let u = d.unsigned_abs();
    const SECOND: u64 = 1_000_000_000;
    let units = [
        (SECOND * 3600 * 24 * 365, "y"),
        (SECOND * 3600 * 24 * 30, "mo"),
        (SECOND * 3600 * 24, "d"),
        (SECOND * 3600, "h"),
        (SECOND * 60, "m"),
        (SECOND, "s"),
    ];
    units
        .iter()
        .find(|(size, _)| u > *size)
        .map(|(size, name)| format!("{}{name}", u / size))
        .unwrap_or_else(|| "0s".into())
}

/// Registers the date functions.
pub(super) fn register(m: &mut FuncMap) {
    m.register("now", Arity::Exact(0), |_, _| Ok(time_value(GoTime::now())));
    for name in ["dateInZone", "date_in_zone"] {
        m.register(name, Arity::Exact(3), |ctx, a| {
            Ok(date_in_zone(
                ctx.string_arg(a, 0)?,
                &a[1],
                ctx.string_arg(a, 2)?,
            ))
        });
    }
    m.register("date", Arity::Exact(2), |ctx, a| {
        Ok(date_in_zone(ctx.string_arg(a, 0)?, &a[1], "Local"))
    });
    m.register("htmlDate", Arity::Exact(1), |_, a| {
        Ok(date_in_zone("2006-01-02", &a[0], "Local"))
    });
    m.register("htmlDateInZone", Arity::Exact(2), |ctx, a| {
        Ok(date_in_zone("2006-01-02", &a[0], ctx.string_arg(a, 1)?))
    });
    for name in ["dateModify", "date_modify"] {
        m.register(name, Arity::Exact(2), |ctx, a| {
            let d = ctx.string_arg(a, 0)?;
            let t = time_arg(ctx, a, 1)?;
            let moved = parse_duration(d).ok().and_then(|d| t.add(d));
            Ok(time_value(moved.unwrap_or(t)))
        });
    }
    for name in ["mustDateModify", "must_date_modify"] {
        m.register(name, Arity::Exact(2), |ctx, a| {
            let d = parse_duration(ctx.string_arg(a, 0)?).map_err(FuncError::Call)?;
            let t = time_arg(ctx, a, 1)?;
            Ok(time_value(t.add(d).unwrap_or(t)))
        });
    }
    m.register("toDate", Arity::Exact(2), |ctx, a| {
        let t = parse_in_location(
            ctx.string_arg(a, 0)?,
            ctx.string_arg(a, 1)?,
            Location::Local,
        );
        Ok(time_value(t.unwrap_or_else(|_| GoTime::zero())))
    });
    m.register("mustToDate", Arity::Exact(2), |ctx, a| {
        let t = parse_in_location(
            ctx.string_arg(a, 0)?,
            ctx.string_arg(a, 1)?,
            Location::Local,
        )
        .map_err(FuncError::Call)?;
        Ok(time_value(t))
    });
    m.register("unixEpoch", Arity::Exact(1), |ctx, a| {
        Ok(Value::String(time_arg(ctx, a, 0)?.unix.to_string()))
    });
    m.register("ago", Arity::Exact(1), |_, a| {
        let t = match &a[0] {
            Value::Int(n) | Value::Int64(n) => GoTime::from_unix(*n),
            other => as_time(other).cloned().unwrap_or_else(GoTime::now),
        };
        let since = t.until(&GoTime::now());
        Ok(Value::String(duration_string(duration_round(
            since,
            1_000_000_000,
        ))))
    });
    m.register("duration", Arity::Exact(1), |_, a| {
        let n = match &a[0] {
            Value::String(s) => s.parse::<i64>().unwrap_or(0),
            Value::Int64(n) => *n,
            _ => 0,
        };
        Ok(Value::String(duration_string(
            n.wrapping_mul(1_000_000_000),
        )))
    });
    m.register("durationRound", Arity::Exact(1), |_, a| {
        Ok(Value::String(duration_round_text(&a[0])))
    });
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::render;

    #[test]
    fn date_cases_match_helm() {
        let cases = [
            (
                r#"{{ $t := toDate "2006-01-02T15:04:05Z07:00" "2024-12-31T23:59:58Z" }}{{ dateInZone "Mon Jan _2 2006 03:04:05PM .000 -0700" $t "UTC" }}"#,
                "Tue Dec 31 2024 11:59:58PM .000 +0000",
            ),
            (
                r#"{{ dateInZone "2006-01-02T15:04:05Z" 0 "UTC" }}"#,
                "1970-01-01T00:00:00Z",
            ),
            (
                r#"{{ dateInZone "2006-01-02" (int64 86400) "UTC" }}"#,
                "1970-01-02",
            ),
            (r#"{{ date "2006" "not a time" | len }}"#, "4"),
            (
                r#"{{ dateInZone "2006-01-02" (toDate "2006" "x") "UTC" }}"#,
                "0001-01-01",
            ),
            (
                r#"{{ dateInZone "2006-01-02 MST" (toDate "2006-01-02" "2024-01-01") "No/Such_Zone" }}"#,
                "2024-01-01 UTC",
            ),
            (
                r#"{{ $t := toDate "2006-01-02T15:04:05Z07:00" "2024-03-05T10:00:00Z" }}{{ dateInZone "15:04" (dateModify "1.5h" $t) "UTC" }} {{ dateInZone "2006-01-02" (dateModify "-24h" $t) "UTC" }}"#,
                "11:30 2024-03-04",
            ),
            (
                r#"{{ $t := toDate "2006-01-02" "2024-03-05" }}{{ dateInZone "2006" (dateModify "bogus" $t) "UTC" }}"#,
                "2024",
            ),
            (
                r#"{{ duration 95 }} {{ duration "3600" }} {{ duration 0 }}"#,
                "0s 1h0m0s 0s",
            ),
            (
                r#"{{ duration (int64 95) }} {{ duration "95" }}"#,
                "1m35s 1m35s",
            ),
            (
                r#"{{ durationRound "2h10m5s" }} {{ durationRound 3600 }} {{ durationRound "400h" }}"#,
                "2h 0s 16d",
            ),
            (
                r#"{{ htmlDateInZone (toDate "2006-01-02" "2020-02-29") "UTC" }}"#,
                "2020-02-29",
            ),
            (
                r#"{{ toDate "2006-01-02" "2024-03-05" | date "Jan 2, 2006" }}"#,
                "Mar 5, 2024",
            ),
            (
                r#"{{ toDate "2006-01-02" "not a date" }}"#,
                "0001-01-01 00:00:00 +0000 UTC",
            ),
            (
                r#"{{ toDate "2006-01-02" "2024-01-01" | unixEpoch }}"#,
                "1704067200",
            ),
            (
                r#"{{ dateInZone "2006-01-02" (mustDateModify "48h" (toDate "2006-01-02" "2020-01-01")) "UTC" }}"#,
                "2020-01-03",
            ),
            (r#"{{ typeOf now }}"#, "time.Time"),
            (r#"{{ ago now }}"#, "0s"),
        ];
        for (tpl, want) in cases {
            assert_eq!(render(tpl).as_deref(), Ok(want), "{tpl}");
        }
    }

    #[test]
    fn date_errors_match_helm() {
        let err = render(r#"{{ mustToDate "2006-01-02" "not a date" }}"#).unwrap_err();
        assert!(err.ends_with("error calling mustToDate: parsing time \"not a date\" as \"2006-01-02\": cannot parse \"not a date\" as \"2006\""), "{err}");
        let err = render(r#"{{ mustDateModify "bogus" (toDate "2006" "2020") }}"#).unwrap_err();
        assert!(
            err.ends_with("error calling mustDateModify: time: invalid duration \"bogus\""),
            "{err}"
        );
    }
}
