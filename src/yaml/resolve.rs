//! go-yaml v2's implicit typing of plain scalars (`resolve.go`, YAML 1.1 flavoured) and its
//! map key ordering (`sorter.go`).

use super::gofmt::{is_yaml_style_float, parse_float_decimal, parse_int_base0, parse_uint_base0};

/// What a plain scalar means to go-yaml v2.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// `~`, `null`, empty.
    Null,
    /// YAML 1.1 booleans (`yes`, `off`, `y`, ...).
    Bool(bool),
    /// An integer that fits i64 (decimal, `0x`, `0o`, `0b`, leading-zero octal, `_` ignored).
    Int(i64),
    /// An integer that only fits u64.
    Uint(u64),
    /// A float, including `.inf` / `.nan`.
    Float(f64),
    /// A YAML 1.1 timestamp; go-yaml v2 hands it to `interface{}` targets as the original text.
    Timestamp,
    /// Anything else: a string.
    Str,
}

fn lookup(s: &str) -> Option<Resolved> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// Resolves an untagged plain scalar exactly as go-yaml v2's `resolve("", s)`.
pub fn resolve_plain(s: &str) -> Resolved {
    let hint = match s.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => return Resolved::Str,
    };
    if let Some(r) = lookup(s) {
        return r;
    }
    match hint {
        b'.' => parse_float_decimal(s).map_or(Resolved::Str, Resolved::Float),
        b'D' | b'S' => resolve_number(s),
        _ => Resolved::Str,
    }
}

fn resolve_number(s: &str) -> Resolved {
    if is_timestamp(s) {
        return Resolved::Timestamp;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(i) = parse_int_base0(&plain) {
        return Resolved::Int(i);
    }
    if let Some(u) = parse_uint_base0(&plain) {
        return Resolved::Uint(u);
    }
    if is_yaml_style_float(&plain)
        && let Some(f) = parse_float_decimal(&plain)
    {
        return Resolved::Float(f);
    }
    // go-yaml's explicit "0b"/"-0b" branches are unreachable after ParseInt with base 0,
    // which already understands binary prefixes.
    Resolved::Str
}

/// Whether `s` is a YAML 1.1 base-60 float (`1:20`), which go-yaml v2 quotes on output.
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if !(first == b'+' || first == b'-' || first.is_ascii_digit()) || !s.contains(':') {
        return false;
    }
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let mut i = usize::from(first == b'+' || first == b'-');
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) && i - start < 2 {
            i += 1;
        }
        let group = &b[start..i];
        let ok = match group {
            [d] => d.is_ascii_digit(),
            [a, d] => (b'0'..=b'5').contains(a) && d.is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// Reads 1 or 2 digits as Go's `getnum(value, false)` does.
fn getnum(b: &[u8], i: &mut usize) -> Option<u32> {
    let d0 = *b.get(*i).filter(|c| c.is_ascii_digit())?;
    *i += 1;
    let mut v = u32::from(d0 - b'0');
    if let Some(&d1) = b.get(*i).filter(|c| c.is_ascii_digit()) {
        *i += 1;
        v = v * 10 + u32::from(d1 - b'0');
    }
    Some(v)
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// go-yaml v2's `parseTimestamp`: Go's `time.Parse` with the layouts
/// `2006-1-2T15:4:5.999999999Z07:00` (also lower-case `t`), `2006-1-2 15:4:5.999999999`
/// and `2006-1-2`.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = s[..4].parse().unwrap_or(0);
    let mut i = 5;
    let Some(month) = getnum(b, &mut i) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = getnum(b, &mut i) else {
        return false;
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let time_ok = getnum(b, &mut i).is_some_and(|h| h < 24)
        && b.get(i) == Some(&b':')
        && {
            i += 1;
            getnum(b, &mut i).is_some_and(|m| m < 60)
        }
        && b.get(i) == Some(&b':')
        && {
            i += 1;
            getnum(b, &mut i).is_some_and(|sec| sec < 60)
        };
    if !time_ok {
        return false;
    }
    if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if !zoned {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let z = &b[i + 1..];
            z.len() == 5
                && z[0].is_ascii_digit()
                && z[1].is_ascii_digit()
                && z[2] == b':'
                && z[3].is_ascii_digit()
                && z[4].is_ascii_digit()
        }
        _ => false,
    }
}

/// Which go-yaml generation's key ordering to use (v3 treats letters after digits slightly
/// differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortFlavor {
    /// go-yaml v2 (`toYaml`).
    V2,
    /// go-yaml v3 (`toYamlPretty`).
    V3,
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic()
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

/// go-yaml's `keyList.Less` for two string keys: a "natural" order where digit runs compare
/// numerically and letters sort after other characters.
pub fn key_less(a: &str, b: &str, flavor: SortFlavor) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut digits = false;
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            digits = is_digit(ar[i]);
            continue;
        }
        let al = is_letter(ar[i]);
        let bl = is_letter(br[i]);
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return match flavor {
                SortFlavor::V3 if digits => al,
                _ => bl,
            };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && is_digit(ar[j - 1]) {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ar[ai]) {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(u32::from(ar[ai])) - i64::from(u32::from('0')));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(br[bi]) {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(u32::from(br[bi])) - i64::from(u32::from('0')));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// Sorts string keys with go-yaml's order, using Go's own `sort.Sort` algorithm because the
/// comparison is not transitive and the result depends on the algorithm.
pub fn sort_keys<T>(items: &mut [T], key: impl Fn(&T) -> &str, flavor: SortFlavor) {
    super::gosort::go_sort(items, |x, y| key_less(key(x), key(y), flavor));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_go_yaml_v2() {
        use Resolved::*;
        let cases: Vec<(&str, Resolved)> = vec![
            ("yes", Bool(true)),
            ("Off", Bool(false)),
            ("y", Bool(true)),
            ("n", Bool(false)),
            ("yEs", Str),
            ("~", Null),
            ("", Null),
            ("null", Null),
            ("0x1F", Int(31)),
            ("0o17", Int(15)),
            ("017", Int(15)),
            ("08", Float(8.0)),
            ("1_000", Int(1000)),
            ("+12", Int(12)),
            ("-0b11", Int(-3)),
            ("18446744073709551615", Uint(u64::MAX)),
            ("99999999999999999999", Float(1e20)),
            ("1e3", Float(1000.0)),
            ("1.0", Float(1.0)),
            (".5", Float(0.5)),
            ("1e400", Str),
            (".inf", Float(f64::INFINITY)),
            ("-.Inf", Float(f64::NEG_INFINITY)),
            ("2001-12-14", Timestamp),
            ("2001-12-14t21:59:43.10-05:00", Timestamp),
            ("2001-12-14 21:59:43.10", Timestamp),
            ("2001-02-30", Str),
            ("<<", Str),
            ("1.2.3", Str),
            ("-", Str),
            ("abc", Str),
            ("0x", Str),
        ];
        for (s, want) in cases {
            let got = resolve_plain(s);
            match (&got, &want) {
                (Float(a), Float(b)) => assert!(a == b, "{s}: {got:?}"),
                _ => assert_eq!(got, want, "{s}"),
            }
        }
        assert!(matches!(resolve_plain(".nan"), Float(f) if f.is_nan()));
    }

    #[test]
    fn base60() {
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("190:20:30.15"));
        assert!(!is_base60_float("1:60"));
        assert!(!is_base60_float("a:1"));
        assert!(!is_base60_float("12:"));
    }

    #[test]
    fn natural_key_order() {
        let mut keys = vec!["b", "a10", "a2", "A", "_x", "a", "1", "10", "2", "a02"];
        sort_keys(&mut keys, |k| k, SortFlavor::V2);
        // The order go-yaml v2 produces (checked with Go 1.26).
        assert_eq!(
            keys,
            vec!["_x", "1", "2", "10", "A", "a", "a2", "a02", "a10", "b"]
        );
    }
}
