//! Go's `time.Time` and `time.Duration` as Sprig's date functions need them: Go reference
//! layouts (`2006-01-02T15:04:05Z07:00`) for formatting and parsing with Go's error texts,
//! `Duration.String()` and `time.ParseDuration`. Time zone data comes from `jiff` (the system
//! tz database, as Go's `time.LoadLocation` uses).

use std::sync::OnceLock;
use std::time::Instant;

use jiff::Timestamp;
use jiff::tz::TimeZone;

const NANOS: i64 = 1_000_000_000;

/// Where a time is shown: Go's `*time.Location`.
#[derive(Debug, Clone)]
pub enum Location {
    /// `time.UTC`.
    Utc,
    /// `time.Local` (the system zone).
    Local,
    /// A zone loaded by name.
    Named(TimeZone),
    /// `time.FixedZone(name, offset)`.
    Fixed(String, i32),
}

impl Location {
    /// Go's `time.LoadLocation`: `""` and `"UTC"` are UTC, `"Local"` the system zone.
    pub fn load(name: &str) -> Option<Location> {
        match name {
            "" | "UTC" => Some(Location::Utc),
            "Local" => Some(Location::Local),
            _ => TimeZone::get(name).ok().map(Location::Named),
        }
    }

    /// Offset east of UTC in seconds and zone abbreviation in effect at `unix`.
    fn lookup(&self, unix: i64) -> (i32, String) {
        let zone = match self {
            Location::Utc => return (0, "UTC".into()),
            Location::Fixed(name, off) => return (*off, name.clone()),
            Location::Local => local_zone(),
            Location::Named(tz) => tz,
        };
        match Timestamp::from_second(unix) {
            Ok(ts) => {
                let info = zone.to_offset_info(ts);
                (info.offset().seconds(), info.abbreviation().to_string())
            }
            Err(_) => (0, "UTC".into()),
        }
    }
}

fn local_zone() -> &'static TimeZone {
    static LOCAL: OnceLock<TimeZone> = OnceLock::new();
    LOCAL.get_or_init(TimeZone::system)
}

fn process_start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// A Go `time.Time`: an instant (seconds and nanoseconds since the Unix epoch), its location
/// and, for `time.Now()` results, a monotonic clock reading (printed as `m=+…`).
#[derive(Debug, Clone)]
pub struct GoTime {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub unix: i64,
    /// Nanoseconds within the second, `0..1e9`.
    pub nanos: i64,
    /// Display location.
    pub loc: Location,
    /// Monotonic reading in nanoseconds since process start, if any.
    pub mono: Option<i64>,
}

/// Civil fields of a time in its location.
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    min: i64,
    sec: i64,
    nanos: i64,
    weekday: usize,
    yday: i64,
    offset: i32,
    abbr: String,
}

const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl GoTime {
    /// Go's `time.Now()` (local zone, with a monotonic reading).
    pub fn now() -> GoTime {
        let start = process_start();
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        GoTime {
            unix: d.as_secs() as i64,
            nanos: i64::from(d.subsec_nanos()),
            loc: Location::Local,
            mono: Some(start.elapsed().as_nanos() as i64 + 1),
        }
    }

    /// Go's `time.Unix(sec, 0)` (local zone).
    pub fn from_unix(unix: i64) -> GoTime {
        GoTime {
            unix,
            nanos: 0,
            loc: Location::Local,
            mono: None,
        }
    }

    /// Go's zero `time.Time{}` (January 1, year 1, 00:00:00 UTC).
    pub fn zero() -> GoTime {
        GoTime::date(1, 1, 1, 0, 0, 0, 0, Location::Utc)
    }

    /// Go's `time.Date` for already valid fields.
    #[allow(clippy::too_many_arguments)]
    fn date(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, ns: i64, loc: Location) -> GoTime {
        let local = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s;
        let (off, _) = loc.lookup(local);
        let mut unix = local - i64::from(off);
        let (off2, _) = loc.lookup(unix);
        if off2 != off {
            unix = local - i64::from(off2);
        }
        GoTime {
            unix,
            nanos: ns,
            loc,
            mono: None,
        }
    }

    /// Go's `t.In(loc)` (drops the monotonic reading).
    pub fn in_location(&self, loc: Location) -> GoTime {
        GoTime {
            unix: self.unix,
            nanos: self.nanos,
            loc,
            mono: None,
        }
    }

    /// Go's `t.Add(d)`; `None` when the result leaves the representable range.
    pub fn add(&self, d: i64) -> Option<GoTime> {
        let total = i128::from(self.nanos) + i128::from(d % NANOS);
        let carry = total.div_euclid(i128::from(NANOS)) as i64;
        let unix = self.unix.checked_add(d / NANOS)?.checked_add(carry)?;
        Some(GoTime {
            unix,
            nanos: total.rem_euclid(i128::from(NANOS)) as i64,
            loc: self.loc.clone(),
            mono: self.mono.and_then(|m| m.checked_add(d)),
        })
    }

    /// Nanoseconds from `self` to `other` (Go's `other.Sub(self)`), saturating.
    pub fn until(&self, other: &GoTime) -> i64 {
        let a = i128::from(self.unix) * i128::from(NANOS) + i128::from(self.nanos);
        let b = i128::from(other.unix) * i128::from(NANOS) + i128::from(other.nanos);
        (b - a).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    fn civil(&self) -> Civil {
        let (offset, abbr) = self.loc.lookup(self.unix);
        let local = self.unix + i64::from(offset);
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            min: secs / 60 % 60,
            sec: secs % 60,
            nanos: self.nanos,
            weekday: (days + 4).rem_euclid(7) as usize,
            yday: days - days_from_civil(year, 1, 1) + 1,
            offset,
            abbr,
        }
    }

    /// Go's `t.Format(layout)`.
    pub fn format(&self, layout: &str) -> String {
        let c = self.civil();
        let mut out = String::new();
        let mut rest = layout;
        loop {
            let (prefix, std, suffix) = next_std_chunk(rest);
            out.push_str(prefix);
            let Some(std) = std else { break };
            format_chunk(&mut out, std, &c);
            rest = suffix;
        }
        out
    }

    /// The text of Go's `t.MarshalJSON()` without quotes (RFC 3339 with trimmed
    /// nanoseconds), which is how `toJson`/`toYaml` render a time.
    pub fn rfc3339_nano(&self) -> String {
        self.format("2006-01-02T15:04:05.999999999Z07:00")
    }

    /// Go's `t.String()`.
    pub fn go_string(&self) -> String {
        let mut s = self.format("2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let m = m.unsigned_abs();
            s.push_str(&format!(
                " m={sign}{}.{:09}",
                m / 1_000_000_000,
                m % 1_000_000_000
            ));
        }
        s
    }
}

/// One layout element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    Pm,
    LowerPm,
    Tz,
    Iso8601Tz,
    Iso8601SecondsTz,
    Iso8601ShortTz,
    Iso8601ColonTz,
    Iso8601ColonSecondsTz,
    NumTz,
    NumSecondsTz,
    NumShortTz,
    NumColonTz,
    NumColonSecondsTz,
    /// Fractional seconds with a fixed (`0`) or trimmed (`9`) digit count and separator.
    Frac {
        trim: bool,
        digits: usize,
        sep: u8,
    },
}

fn starts_lower(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
}

fn digit_at(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// Go's `nextStdChunk`: the literal prefix, the first layout element and the rest.
fn next_std_chunk(layout: &str) -> (&str, Option<Std>, &str) {
    let b = layout.as_bytes();
    let at = |i: usize, lit: &str| layout[i..].starts_with(lit);
    for i in 0..b.len() {
        let (std, len) = match b[i] {
            b'J' if at(i, "January") => (Std::LongMonth, 7),
            b'J' if at(i, "Jan") && !starts_lower(&layout[i + 3..]) => (Std::Month, 3),
            b'M' if at(i, "Monday") => (Std::LongWeekDay, 6),
            b'M' if at(i, "Mon") && !starts_lower(&layout[i + 3..]) => (Std::WeekDay, 3),
            b'M' if at(i, "MST") => (Std::Tz, 3),
            b'0' if (b'1'..=b'6').contains(b.get(i + 1).unwrap_or(&0)) => {
                let std = [
                    Std::ZeroMonth,
                    Std::ZeroDay,
                    Std::ZeroHour12,
                    Std::ZeroMinute,
                    Std::ZeroSecond,
                    Std::Year,
                ][(b[i + 1] - b'1') as usize];
                (std, 2)
            }
            b'0' if at(i, "002") => (Std::ZeroYearDay, 3),
            b'1' if at(i, "15") => (Std::Hour, 2),
            b'1' => (Std::NumMonth, 1),
            b'2' if at(i, "2006") => (Std::LongYear, 4),
            b'2' => (Std::Day, 1),
            b'_' if at(i, "_2006") => {
                return (&layout[..i + 1], Some(Std::LongYear), &layout[i + 5..]);
            }
            b'_' if at(i, "_2") => (Std::UnderDay, 2),
            b'_' if at(i, "__2") => (Std::UnderYearDay, 3),
            b'3' => (Std::Hour12, 1),
            b'4' => (Std::Minute, 1),
            b'5' => (Std::Second, 1),
            b'P' if at(i, "PM") => (Std::Pm, 2),
            b'p' if at(i, "pm") => (Std::LowerPm, 2),
            b'-' if at(i, "-070000") => (Std::NumSecondsTz, 7),
            b'-' if at(i, "-07:00:00") => (Std::NumColonSecondsTz, 9),
            b'-' if at(i, "-0700") => (Std::NumTz, 5),
            b'-' if at(i, "-07:00") => (Std::NumColonTz, 6),
            b'-' if at(i, "-07") => (Std::NumShortTz, 3),
            b'Z' if at(i, "Z070000") => (Std::Iso8601SecondsTz, 7),
            b'Z' if at(i, "Z07:00:00") => (Std::Iso8601ColonSecondsTz, 9),
            b'Z' if at(i, "Z0700") => (Std::Iso8601Tz, 5),
            b'Z' if at(i, "Z07:00") => (Std::Iso8601ColonTz, 6),
            b'Z' if at(i, "Z07") => (Std::Iso8601ShortTz, 3),
            c @ (b'.' | b',') if matches!(b.get(i + 1), Some(b'0' | b'9')) => {
                let ch = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == ch {
                    j += 1;
                }
                if digit_at(b, j) {
                    continue;
                }
                let std = Std::Frac {
                    trim: ch == b'9',
                    digits: j - i - 1,
                    sep: c,
                };
                return (&layout[..i], Some(std), &layout[j..]);
            }
            _ => continue,
        };
        return (&layout[..i], Some(std), &layout[i + len..]);
    }
    (layout, None, "")
}

fn pad(out: &mut String, n: i64, width: usize) {
    if n < 0 {
        out.push('-');
    }
    out.push_str(&format!("{:0width$}", n.unsigned_abs()));
}

fn format_chunk(out: &mut String, std: Std, c: &Civil) {
    let hour12 = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
    match std {
        Std::Year => pad(out, c.year.rem_euclid(100), 2),
        Std::LongYear => pad(out, c.year, 4),
        Std::Month => out.push_str(&LONG_MONTHS[(c.month - 1) as usize][..3]),
        Std::LongMonth => out.push_str(LONG_MONTHS[(c.month - 1) as usize]),
        Std::NumMonth => pad(out, c.month, 0),
        Std::ZeroMonth => pad(out, c.month, 2),
        Std::WeekDay => out.push_str(&LONG_DAYS[c.weekday][..3]),
        Std::LongWeekDay => out.push_str(LONG_DAYS[c.weekday]),
        Std::Day => pad(out, c.day, 0),
        Std::UnderDay => {
            if c.day < 10 {
                out.push(' ');
            }
            pad(out, c.day, 0);
        }
        Std::ZeroDay => pad(out, c.day, 2),
        Std::UnderYearDay => out.push_str(&format!("{:>3}", c.yday)),
        Std::ZeroYearDay => pad(out, c.yday, 3),
        Std::Hour => pad(out, c.hour, 2),
        Std::Hour12 => pad(out, hour12, 0),
        Std::ZeroHour12 => pad(out, hour12, 2),
        Std::Minute => pad(out, c.min, 0),
        Std::ZeroMinute => pad(out, c.min, 2),
        Std::Second => pad(out, c.sec, 0),
        Std::ZeroSecond => pad(out, c.sec, 2),
        Std::Pm => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
        Std::LowerPm => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
        Std::Tz => {
            if c.abbr.is_empty() {
                let zone = c.offset / 60;
                out.push(if zone < 0 { '-' } else { '+' });
                pad(out, i64::from(zone.abs() / 60), 2);
                pad(out, i64::from(zone.abs() % 60), 2);
            } else {
                out.push_str(&c.abbr);
            }
        }
        Std::Frac { trim, digits, sep } => format_frac(out, c.nanos, trim, digits, sep),
        _ => format_offset(out, std, c.offset),
    }
}

fn format_frac(out: &mut String, nanos: i64, trim: bool, digits: usize, sep: u8) {
    let all = format!("{nanos:09}");
    let mut s = &all[..digits.min(9)];
    if trim {
        s = s.trim_end_matches('0');
        if s.is_empty() {
            return;
        }
    }
    out.push(sep as char);
    out.push_str(s);
}

fn format_offset(out: &mut String, std: Std, offset: i32) {
    use Std::*;
    let iso = matches!(
        std,
        Iso8601Tz | Iso8601SecondsTz | Iso8601ShortTz | Iso8601ColonTz | Iso8601ColonSecondsTz
    );
    if iso && offset == 0 {
        out.push('Z');
        return;
    }
    let zone = offset / 60;
    out.push(if zone < 0 { '-' } else { '+' });
    let (zone, abs) = (zone.abs(), offset.abs());
    pad(out, i64::from(zone / 60), 2);
    let colon = matches!(
        std,
        Iso8601ColonTz | NumColonTz | Iso8601ColonSecondsTz | NumColonSecondsTz
    );
    if colon {
        out.push(':');
    }
    if !matches!(std, NumShortTz | Iso8601ShortTz) {
        pad(out, i64::from(zone % 60), 2);
    }
    if matches!(
        std,
        Iso8601SecondsTz | NumSecondsTz | NumColonSecondsTz | Iso8601ColonSecondsTz
    ) {
        if colon {
            out.push(':');
        }
        pad(out, i64::from(abs % 60), 2);
    }
}

/// The `quote` of Go's time package: `"` and `\` escaped, every byte of a control or
/// non-ASCII character written as `\xNN`.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) < 0x20 || (c as u32) >= 0x80 {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// Go's `time.ParseError.Error()`.
fn parse_error(
    layout: &str,
    value: &str,
    layout_elem: &str,
    value_elem: &str,
    msg: &str,
) -> String {
    if msg.is_empty() {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            quote(value),
            quote(layout),
            quote(value_elem),
            quote(layout_elem)
        )
    } else {
        format!("parsing time {}{msg}", quote(value))
    }
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if !digit_at(b, 0) {
        return None;
    }
    if !digit_at(b, 1) {
        if fixed {
            return None;
        }
        return Some((i64::from(b[0] - b'0'), &s[1..]));
    }
    Some((
        i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'),
        &s[2..],
    ))
}

/// Go's `getnum3`: one to three digits (exactly three when `fixed`).
fn getnum3(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < 3 && digit_at(b, i) {
        n = n * 10 + i64::from(b[i] - b'0');
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return None;
    }
    Some((n, &s[i..]))
}

/// Go's `lookup`: case-insensitive prefix match against a name table.
fn lookup_name<'v>(names: &[&str], value: &'v str, short: bool) -> Option<(usize, &'v str)> {
    names.iter().enumerate().find_map(|(i, n)| {
        let n = if short { &n[..3] } else { n };
        let b = value.as_bytes();
        (b.len() >= n.len() && b[..n.len()].eq_ignore_ascii_case(n.as_bytes()))
            .then(|| (i, &value[n.len()..]))
    })
}

/// Go's `parseNanoseconds`: `value[0]` is the separator, `n` bytes in all.
fn parse_nanos(value: &str, n: usize) -> Option<i64> {
    let b = value.as_bytes();
    if !matches!(b.first(), Some(b'.' | b',')) {
        return None;
    }
    let n = n.min(10);
    let digits = value.get(1..n)?;
    if !digits.bytes().all(|c| c.is_ascii_digit()) || digits.is_empty() {
        return None;
    }
    let mut ns: i64 = digits.parse().ok()?;
    for _ in 0..10 - n {
        ns *= 10;
    }
    Some(ns)
}

/// Go's `skip`: matches the literal `prefix`, where a space matches any run of spaces. On a
/// mismatch the unmatched rest of `value` is returned (from a character boundary).
fn skip<'v>(value: &'v str, prefix: &str) -> Result<&'v str, &'v str> {
    let (v, p) = (value.as_bytes(), prefix.as_bytes());
    let (mut i, mut j) = (0, 0);
    while j < p.len() {
        if p[j] == b' ' {
            if i < v.len() && v[i] != b' ' {
                return Err(from_boundary(value, i));
            }
            while j < p.len() && p[j] == b' ' {
                j += 1;
            }
            while i < v.len() && v[i] == b' ' {
                i += 1;
            }
            continue;
        }
        if i >= v.len() || v[i] != p[j] {
            return Err(from_boundary(value, i));
        }
        i += 1;
        j += 1;
    }
    Ok(from_boundary(value, i))
}

/// `&s[i..]`, moved back to the start of the character containing byte `i`.
fn from_boundary(s: &str, mut i: usize) -> &str {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[i..]
}

/// Go's `parseTimeZone`: length of a zone abbreviation at the start of `value`.
fn parse_time_zone(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if value.starts_with("ChST") || value.starts_with("MeST") {
        return Some(4);
    }
    if let Some(rest) = value.strip_prefix("GMT") {
        return Some(3 + parse_signed_offset(rest));
    }
    if b[0] == b'+' || b[0] == b'-' {
        let n = parse_signed_offset(value);
        return (n > 0).then_some(n);
    }
    let upper = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    match upper {
        3 => Some(3),
        4 if b[3] == b'T' || value.starts_with("WITA") => Some(4),
        5 if b[4] == b'T' => Some(5),
        _ => None,
    }
}

/// Go's `parseSignedOffset`: length of a `+h`/`-hh` hour offset, 0 if none.
fn parse_signed_offset(value: &str) -> usize {
    let b = value.as_bytes();
    if !matches!(b.first(), Some(b'+' | b'-')) {
        return 0;
    }
    let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return 0;
    }
    match value[1..1 + digits].parse::<i64>() {
        Ok(n) if n <= 24 => 1 + digits,
        _ => 0,
    }
}

/// Parsed fields accumulated by [`parse_in_location`].
struct Fields<'v> {
    year: i64,
    month: i64,
    day: i64,
    yday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    nanos: i64,
    pm: Option<bool>,
    utc: bool,
    offset: Option<i32>,
    zone_name: &'v str,
}

/// Go's `time.ParseInLocation(layout, value, loc)`, with Go's error text.
pub fn parse_in_location(layout: &str, value: &str, loc: Location) -> Result<GoTime, String> {
    let (alayout, avalue) = (layout, value);
    let mut f = Fields {
        year: 0,
        month: -1,
        day: -1,
        yday: -1,
        hour: 0,
        min: 0,
        sec: 0,
        nanos: 0,
        pm: None,
        utc: false,
        offset: None,
        zone_name: "",
    };
    let (mut layout, mut value) = (layout, value);
    loop {
        let (prefix, std, suffix) = next_std_chunk(layout);
        let stdstr = &layout[prefix.len()..layout.len() - suffix.len()];
        value = skip(value, prefix).map_err(|v| parse_error(alayout, avalue, prefix, v, ""))?;
        let Some(std) = std else {
            if !value.is_empty() {
                let msg = format!(": extra text: {}", quote(value));
                return Err(parse_error(alayout, avalue, "", value, &msg));
            }
            break;
        };
        layout = suffix;
        let hold = value;
        match parse_chunk(std, value, layout, &mut f) {
            Ok(rest) => value = rest,
            Err(None) => return Err(parse_error(alayout, avalue, stdstr, hold, "")),
            Err(Some(what)) => {
                let msg = format!(": {what} out of range");
                return Err(parse_error(alayout, avalue, stdstr, value, &msg));
            }
        }
    }
    finish_parse(f, alayout, avalue, loc)
}

type ChunkResult<'v> = Result<&'v str, Option<&'static str>>;

fn range_check(ok: bool, what: &'static str) -> Result<(), Option<&'static str>> {
    if ok { Ok(()) } else { Err(Some(what)) }
}

fn parse_chunk<'v>(std: Std, value: &'v str, layout: &str, f: &mut Fields<'v>) -> ChunkResult<'v> {
    let b = value.as_bytes();
    match std {
        Std::Year => {
            let y: i64 = value.get(..2).and_then(digits).ok_or(None)?;
            f.year = if y >= 69 { 1900 + y } else { 2000 + y };
            Ok(&value[2..])
        }
        Std::LongYear => {
            f.year = value.get(..4).and_then(digits).ok_or(None)?;
            Ok(&value[4..])
        }
        Std::Month | Std::LongMonth => {
            let (i, rest) = lookup_name(&LONG_MONTHS, value, std == Std::Month).ok_or(None)?;
            f.month = i as i64 + 1;
            Ok(rest)
        }
        Std::NumMonth | Std::ZeroMonth => {
            let (m, rest) = getnum(value, std == Std::ZeroMonth).ok_or(None)?;
            f.month = m;
            range_check((1..=12).contains(&m), "month")?;
            Ok(rest)
        }
        Std::WeekDay | Std::LongWeekDay => {
            let (_, rest) = lookup_name(&LONG_DAYS, value, std == Std::WeekDay).ok_or(None)?;
            Ok(rest)
        }
        Std::Day | Std::UnderDay | Std::ZeroDay => {
            let v = if std == Std::UnderDay && b.first() == Some(&b' ') {
                &value[1..]
            } else {
                value
            };
            let (d, rest) = getnum(v, std == Std::ZeroDay).ok_or(None)?;
            f.day = d;
            Ok(rest)
        }
        Std::UnderYearDay | Std::ZeroYearDay => {
            let mut v = value;
            for _ in 0..2 {
                if std == Std::UnderYearDay && v.starts_with(' ') {
                    v = &v[1..];
                }
            }
            let (d, rest) = getnum3(v, std == Std::ZeroYearDay).ok_or(None)?;
            f.yday = d;
            Ok(rest)
        }
        Std::Hour => {
            let (h, rest) = getnum(value, false).ok_or(None)?;
            f.hour = h;
            range_check(h < 24, "hour")?;
            Ok(rest)
        }
        Std::Hour12 | Std::ZeroHour12 => {
            let (h, rest) = getnum(value, std == Std::ZeroHour12).ok_or(None)?;
            f.hour = h;
            range_check(h <= 12, "hour")?;
            Ok(rest)
        }
        Std::Minute | Std::ZeroMinute => {
            let (m, rest) = getnum(value, std == Std::ZeroMinute).ok_or(None)?;
            f.min = m;
            range_check(m < 60, "minute")?;
            Ok(rest)
        }
        Std::Second | Std::ZeroSecond => {
            let (s, rest) = getnum(value, std == Std::ZeroSecond).ok_or(None)?;
            f.sec = s;
            range_check(s < 60, "second")?;
            let rb = rest.as_bytes();
            if rb.len() >= 2 && matches!(rb[0], b'.' | b',') && digit_at(rb, 1) {
                if let (_, Some(Std::Frac { .. }), _) = next_std_chunk(layout) {
                    return Ok(rest);
                }
                let n = 2 + rb[2..].iter().take_while(|c| c.is_ascii_digit()).count();
                f.nanos = parse_nanos(rest, n).ok_or(None)?;
                return Ok(&rest[n..]);
            }
            Ok(rest)
        }
        Std::Pm | Std::LowerPm => {
            let p = value.get(..2).ok_or(None)?;
            let (pm, am) = if std == Std::Pm {
                ("PM", "AM")
            } else {
                ("pm", "am")
            };
            f.pm = Some(match p {
                x if x == pm => true,
                x if x == am => false,
                _ => return Err(None),
            });
            Ok(&value[2..])
        }
        Std::Tz => {
            if let Some(rest) = value.strip_prefix("UTC") {
                f.utc = true;
                return Ok(rest);
            }
            let n = parse_time_zone(value).ok_or(None)?;
            f.zone_name = &value[..n];
            Ok(&value[n..])
        }
        Std::Frac {
            trim: false,
            digits,
            ..
        } => {
            let n = 1 + digits;
            if value.len() < n {
                return Err(None);
            }
            f.nanos = parse_nanos(value, n).ok_or(None)?;
            Ok(&value[n..])
        }
        Std::Frac { trim: true, .. } => {
            if b.len() < 2 || !matches!(b[0], b'.' | b',') || !b[1].is_ascii_digit() {
                return Ok(value);
            }
            let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            f.nanos = parse_nanos(value, n).ok_or(None)?;
            Ok(&value[n..])
        }
        _ => parse_offset(std, value, f),
    }
}

fn digits(s: &str) -> Option<i64> {
    if s.bytes().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn parse_offset<'v>(std: Std, value: &'v str, f: &mut Fields<'v>) -> ChunkResult<'v> {
    use Std::*;
    let b = value.as_bytes();
    let iso = matches!(
        std,
        Iso8601Tz | Iso8601SecondsTz | Iso8601ShortTz | Iso8601ColonTz | Iso8601ColonSecondsTz
    );
    if iso && b.first() == Some(&b'Z') {
        f.utc = true;
        return Ok(&value[1..]);
    }
    // Offsets are ASCII; anything else fails as Go's digit checks would.
    let need = |n: usize| {
        if b.len() < n || !b[..n].is_ascii() {
            Err(None)
        } else {
            Ok(())
        }
    };
    let (h, m, s, rest) = match std {
        Iso8601ColonTz | NumColonTz => {
            need(6)?;
            if b[3] != b':' {
                return Err(None);
            }
            (&value[1..3], &value[4..6], "00", &value[6..])
        }
        NumShortTz | Iso8601ShortTz => {
            need(3)?;
            (&value[1..3], "00", "00", &value[3..])
        }
        Iso8601ColonSecondsTz | NumColonSecondsTz => {
            need(9)?;
            if b[3] != b':' || b[6] != b':' {
                return Err(None);
            }
            (&value[1..3], &value[4..6], &value[7..9], &value[9..])
        }
        Iso8601SecondsTz | NumSecondsTz => {
            need(7)?;
            (&value[1..3], &value[3..5], &value[5..7], &value[7..])
        }
        _ => {
            need(5)?;
            (&value[1..3], &value[3..5], "00", &value[5..])
        }
    };
    let num = |x: &str| getnum(x, true).map(|(n, _)| n).ok_or(None);
    let (hr, mm, ss) = (num(h)?, num(m)?, num(s)?);
    range_check(hr <= 24, "time zone offset hour")?;
    range_check(mm <= 60, "time zone offset minute")?;
    range_check(ss <= 60, "time zone offset second")?;
    let off = ((hr * 60 + mm) * 60 + ss) as i32;
    f.offset = Some(match b[0] {
        b'+' => off,
        b'-' => -off,
        _ => return Err(None),
    });
    Ok(rest)
}

fn finish_parse(
    mut f: Fields<'_>,
    layout: &str,
    value: &str,
    loc: Location,
) -> Result<GoTime, String> {
    match f.pm {
        Some(true) if f.hour < 12 => f.hour += 12,
        Some(false) if f.hour == 12 => f.hour = 0,
        _ => {}
    }
    let out_of_range =
        |what: &str| parse_error(layout, value, "", "", &format!(": {what} out of range"));
    if f.yday >= 0 {
        let leap = is_leap(f.year);
        if f.yday < 1 || f.yday > 365 + i64::from(leap) {
            return Err(out_of_range("day-of-year"));
        }
        let (mut m, mut d) = (1, f.yday);
        while d > days_in(m, f.year) {
            d -= days_in(m, f.year);
            m += 1;
        }
        if (f.month >= 0 && f.month != m) || (f.day >= 0 && f.day != d) {
            return Err(parse_error(
                layout,
                value,
                "",
                "",
                ": day-of-year does not match month",
            ));
        }
        f.month = m;
        f.day = d;
    } else {
        if f.month < 0 {
            f.month = 1;
        }
        if f.day < 0 {
            f.day = 1;
        }
    }
    if f.day < 1 || f.day > days_in(f.month, f.year) {
        return Err(out_of_range("day"));
    }
    let date = |loc| GoTime::date(f.year, f.month, f.day, f.hour, f.min, f.sec, f.nanos, loc);
    if f.utc {
        return Ok(date(Location::Utc));
    }
    if let Some(off) = f.offset {
        let mut t = date(Location::Utc);
        t.unix -= i64::from(off);
        let (local_off, name) = loc.lookup(t.unix);
        if local_off == off && (f.zone_name.is_empty() || name == f.zone_name) {
            return Ok(t.in_location(loc));
        }
        return Ok(t.in_location(Location::Fixed(f.zone_name.to_string(), off)));
    }
    if !f.zone_name.is_empty() {
        let mut t = date(Location::Utc);
        let (local_off, name) = loc.lookup(t.unix - i64::from(loc.lookup(t.unix).0));
        if name == f.zone_name {
            t.unix -= i64::from(local_off);
            return Ok(t.in_location(loc));
        }
        let mut off = 0;
        if f.zone_name.len() > 3 && f.zone_name.starts_with("GMT") {
            off = f.zone_name[3..].parse::<i32>().unwrap_or(0) * 3600;
        }
        return Ok(t.in_location(Location::Fixed(f.zone_name.to_string(), off)));
    }
    Ok(date(loc))
}

/// Go's `time.Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`.
pub fn duration_string(d: i64) -> String {
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    let mut out = String::new();
    if u < NANOS as u64 {
        let (prec, unit) = match u {
            0 => return "0s".into(),
            1..1_000 => (0, "ns"),
            1_000..1_000_000 => (3, "µs"),
            _ => (6, "ms"),
        };
        let (int, frac) = frac_part(u, prec);
        out.push_str(&format!("{int}{frac}{unit}"));
    } else {
        let (secs, frac) = frac_part(u, 9);
        u = secs;
        let mut s = format!("{}{frac}s", u % 60);
        u /= 60;
        if u > 0 {
            s = format!("{}m{s}", u % 60);
            u /= 60;
            if u > 0 {
                s = format!("{u}h{s}");
            }
        }
        out.push_str(&s);
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// Go's `fmtFrac`: integer part and `.digits` (trailing zeros dropped) of `v / 10^prec`.
fn frac_part(v: u64, prec: u32) -> (u64, String) {
    let p = 10u64.pow(prec);
    let frac = v % p;
    if frac == 0 {
        return (v / p, String::new());
    }
    let digits = format!("{frac:0width$}", width = prec as usize);
    (v / p, format!(".{}", digits.trim_end_matches('0')))
}

/// Go's `Duration.Round(m)` (halves away from zero, saturating).
pub fn duration_round(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let mut r = d % m;
    if d < 0 {
        r = -r;
        if r + r < m {
            return d + r;
        }
        return d.checked_sub(m - r).unwrap_or(i64::MIN);
    }
    if r + r < m {
        return d - r;
    }
    d.checked_add(m - r).unwrap_or(i64::MAX)
}

/// Go's `time.ParseDuration`, with its error texts.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let orig = s;
    let invalid = || format!("time: invalid duration {}", quote(orig));
    let mut s = s;
    let mut neg = false;
    if let Some(c) = s.chars().next()
        && (c == '-' || c == '+')
    {
        neg = c == '-';
        s = &s[1..];
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let pre = int_len > 0;
        let mut v: u64 = 0;
        for &c in &b[..int_len] {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(c - b'0')))
                .filter(|&v| v <= 1 << 63)
                .ok_or_else(invalid)?;
        }
        s = &s[int_len..];
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if s.starts_with('.') {
            s = &s[1..];
            let n = s.bytes().take_while(u8::is_ascii_digit).count();
            post = n > 0;
            let mut overflow = false;
            for c in s[..n].bytes() {
                if overflow {
                    continue;
                }
                if f > (1 << 63) / 10 {
                    overflow = true;
                    continue;
                }
                let y = f * 10 + u64::from(c - b'0');
                if y > 1 << 63 {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10.0;
            }
            s = &s[n..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        let ulen = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if ulen == 0 {
            return Err(format!("time: missing unit in duration {}", quote(orig)));
        }
        let unit_name = &s[..ulen];
        let unit: u64 = match unit_name {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    quote(unit_name),
                    quote(orig)
                ));
            }
        };
        s = &s[ulen..];
        if v > (1 << 63) / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > 1 << 63 {
                return Err(invalid());
            }
        }
        total = total
            .checked_add(v)
            .filter(|&t| t <= 1 << 63)
            .ok_or_else(invalid)?;
    }
    if neg {
        return Ok((total as i128).wrapping_neg() as i64);
    }
    if total > i64::MAX as u64 {
        return Err(invalid());
    }
    Ok(total as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(layout: &str, value: &str) -> GoTime {
        parse_in_location(layout, value, Location::Utc).unwrap()
    }

    #[test]
    fn formats_go_layouts() {
        let t = utc("2006-01-02T15:04:05Z07:00", "2024-12-31T23:59:58Z");
        assert_eq!(
            t.format("Mon Jan _2 2006 03:04:05PM .000 -0700"),
            "Tue Dec 31 2024 11:59:58PM .000 +0000"
        );
        assert_eq!(
            t.format("Monday January 2 06 3:4:5 pm Z07:00 MST"),
            "Tuesday December 31 24 11:59:58 pm Z UTC"
        );
        assert_eq!(t.format("__2 002 .999"), "366 366 ");
        assert_eq!(t.rfc3339_nano(), "2024-12-31T23:59:58Z");
        let z = GoTime::zero();
        assert_eq!(z.go_string(), "0001-01-01 00:00:00 +0000 UTC");
        assert_eq!(
            GoTime::from_unix(86400)
                .in_location(Location::Utc)
                .format("2006-01-02"),
            "1970-01-02"
        );
    }

    #[test]
    fn parses_offsets_and_fractions() {
        let t = utc("2006-01-02T15:04:05Z07:00", "2024-03-05T10:20:30.25+02:00");
        assert_eq!(t.unix, 1_709_626_830);
        assert_eq!(t.nanos, 250_000_000);
        assert_eq!(t.go_string(), "2024-03-05 10:20:30.25 +0200 +0200");
        let t = utc("2006-01-02 15:04:05 MST", "2024-03-05 10:20:30 CET");
        assert_eq!(t.format("15:04 MST -0700"), "10:20 CET +0000");
    }

    #[test]
    fn named_zones_use_the_tz_database() {
        // Go's LoadLocation reads the same system database; without it both fall back.
        let Some(ny) = Location::load("America/New_York") else {
            assert!(Location::load("No/Such_Zone").is_none());
            return;
        };
        let winter = utc("2006-01-02T15:04:05Z07:00", "2024-01-15T12:00:00Z");
        assert_eq!(
            winter.in_location(ny.clone()).format("15:04 MST -07:00"),
            "07:00 EST -05:00"
        );
        let summer = utc("2006-01-02T15:04:05Z07:00", "2024-07-15T12:00:00Z");
        assert_eq!(
            summer.in_location(ny.clone()).format("15:04 MST"),
            "08:00 EDT"
        );
        let local = parse_in_location("2006-01-02 15:04", "2024-07-15 08:00", ny).unwrap();
        assert_eq!(local.unix, summer.unix);
    }

    proptest::proptest! {
        #[test]
        fn parse_and_format_never_panic(layout in "\\PC{0,24}", value in "\\PC{0,24}") {
            let _ = parse_in_location(&layout, &value, Location::Utc);
            let _ = GoTime::zero().format(&layout);
            let _ = parse_duration(&value);
        }

        #[test]
        fn formatted_times_parse_back(secs in -50_000_000_000i64..50_000_000_000i64, nanos in 0i64..1_000_000_000) {
            let t = GoTime { unix: secs, nanos, loc: Location::Utc, mono: None };
            let layout = "2006-01-02T15:04:05.999999999Z07:00";
            let back = parse_in_location(layout, &t.format(layout), Location::Utc).unwrap();
            proptest::prop_assert_eq!((back.unix, back.nanos), (secs, nanos));
        }
    }

    #[test]
    fn parse_survives_multibyte_text() {
        let err = |l: &str, v: &str| parse_in_location(l, v, Location::Utc).unwrap_err();
        assert_eq!(
            err("é2006", "èx"),
            "parsing time \"\\xc3\\xa8x\" as \"\\xc3\\xa92006\": cannot parse \"\\xc3\\xa8x\" as \"\\xc3\\xa9\""
        );
        assert!(
            err("2006-07:00", "2024+aé:00")
                .contains("cannot parse \"+a\\xc3\\xa9:00\" as \"-07:00\"")
        );
        assert_eq!(utc("é2006", "é2024").format("2006"), "2024");
    }

    #[test]
    fn parse_errors_match_go() {
        let err = |l: &str, v: &str| parse_in_location(l, v, Location::Utc).unwrap_err();
        assert_eq!(
            err("2006-01-02", "not a date"),
            "parsing time \"not a date\" as \"2006-01-02\": cannot parse \"not a date\" as \"2006\""
        );
        assert_eq!(
            err("2006-01-02", "2024-02-30"),
            "parsing time \"2024-02-30\": day out of range"
        );
        assert_eq!(
            err("2006-01-02", "2024-13-01"),
            "parsing time \"2024-13-01\": month out of range"
        );
        assert_eq!(
            err("2006", "2024x"),
            "parsing time \"2024x\": extra text: \"x\""
        );
        assert_eq!(
            err("2006-01-02", "2024/01/02"),
            "parsing time \"2024/01/02\" as \"2006-01-02\": cannot parse \"/01/02\" as \"-\""
        );
    }

    #[test]
    fn durations_print_like_go() {
        assert_eq!(duration_string(0), "0s");
        assert_eq!(duration_string(95 * NANOS), "1m35s");
        assert_eq!(duration_string(3600 * NANOS), "1h0m0s");
        assert_eq!(duration_string(1_500_000), "1.5ms");
        assert_eq!(duration_string(1_500), "1.5µs");
        assert_eq!(duration_string(-1_500 * 1_000_000), "-1.5s");
        assert_eq!(duration_string(i64::MIN), "-2562047h47m16.854775808s");
    }

    #[test]
    fn parses_durations_like_go() {
        assert_eq!(parse_duration("1.5h"), Ok(5400 * NANOS));
        assert_eq!(parse_duration("-24h"), Ok(-86400 * NANOS));
        assert_eq!(parse_duration("1h2m3s4ms"), Ok(3723 * NANOS + 4_000_000));
        assert_eq!(
            parse_duration("bogus"),
            Err("time: invalid duration \"bogus\"".into())
        );
        assert_eq!(
            parse_duration("1"),
            Err("time: missing unit in duration \"1\"".into())
        );
        assert_eq!(
            parse_duration("1x"),
            Err("time: unknown unit \"x\" in duration \"1x\"".into())
        );
        assert_eq!(duration_round(2_500_000_000, NANOS), 3 * NANOS);
        assert_eq!(duration_round(-2_500_000_000, NANOS), -3 * NANOS);
    }
}
