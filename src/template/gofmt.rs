//! Go `fmt` compatible printing of [`Value`]s: `Sprint`, `Sprintln`, `Sprintf` (with verbs,
//! flags, width, precision and Go's `%!verb(type=value)` diagnostics) and `strconv.Quote`.

use std::rc::Rc;

use super::value::{ListKind, Value};

/// Go's `strconv.Quote`: a double-quoted Go string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune`.
pub fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Approximation of Go's `unicode.IsPrint`.
pub(crate) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{E000}'..='\u{F8FF}')
}

fn push_escaped(out: &mut String, c: char, q: char) {
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == q => {
            out.push('\\');
            out.push(c);
        }
        c if is_print(c) => out.push(c),
        c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `fmt.Sprint`: operands in their default format, with a space between operands
/// when neither side is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        let is_str = matches!(a, Value::String(_));
        if i > 0 && !is_str && !matches!(args[i - 1], Value::String(_)) {
            out.push(' ');
        }
        out.push_str(&format_v(a));
    }
    out
}

/// Go's `fmt.Sprintln`: operands separated by spaces, newline appended.
pub fn sprintln(args: &[Value]) -> String {
    let parts: Vec<String> = args.iter().map(format_v).collect();
    let mut out = parts.join(" ");
    out.push('\n');
    out
}

/// `%v` of a single value, as `fmt.Sprint(v)` prints it.
pub fn format_v(v: &Value) -> String {
    let mut out = String::new();
    let spec = Spec::default();
    write_value(&mut out, v, 'v', &spec, 0);
    out
}

/// Decimal digits of a float: `0.d1d2d3... × 10^dp`.
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

/// Splits Rust's `{:e}` output (`1.2345e6`) into digits and decimal point position.
fn digits_from_exp(s: &str) -> Digits {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while d.len() > 1 && d.last() == Some(&b'0') {
        d.pop();
    }
    if d == [b'0'] {
        return Digits {
            d: Vec::new(),
            dp: 0,
        };
    }
    Digits { d, dp: exp + 1 }
}

fn shortest_digits(x: f64) -> Digits {
    digits_from_exp(&format!("{:e}", x.abs()))
}

fn rounded_digits(x: f64, sig: usize) -> Digits {
    // A float64's exact decimal expansion has at most 767 significant digits, so rounding to
    // more is exact; Rust's formatter panics on precisions above u16::MAX (found by fuzzing:
    // `printf "%.1415914f"`).
    digits_from_exp(&format!("{:.*e}", sig.saturating_sub(1).min(800), x.abs()))
}

fn digit_at(d: &Digits, i: i32) -> u8 {
    if i >= 0 && (i as usize) < d.d.len() {
        d.d[i as usize]
    } else {
        b'0'
    }
}

fn fmt_e(d: &Digits, prec: usize, e: char) -> String {
    let mut s = String::new();
    s.push(digit_at(d, 0) as char);
    if prec > 0 {
        s.push('.');
        for i in 1..=prec {
            s.push(digit_at(d, i as i32) as char);
        }
    }
    s.push(e);
    let exp = if d.d.is_empty() { 0 } else { d.dp - 1 };
    s.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        s.push('0');
    }
    s.push_str(&a.to_string());
    s
}

fn fmt_f(d: &Digits, prec: usize) -> String {
    let mut s = String::new();
    if d.dp > 0 {
        for i in 0..d.dp {
            s.push(digit_at(d, i) as char);
        }
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        for i in 0..prec as i32 {
            s.push(digit_at(d, d.dp + i) as char);
        }
    }
    s
}

/// Go's `strconv.FormatFloat(x, fmt, prec, 64)` for `fmt` in `e E f F g G` (prec -1 = shortest).
pub fn format_float(x: f64, verb: char, prec: i32) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let neg = x.is_sign_negative();
    let body = match verb {
        'e' | 'E' => {
            let (d, p) = if prec < 0 {
                let d = shortest_digits(x);
                let p = d.d.len().saturating_sub(1);
                (d, p)
            } else {
                (rounded_digits(x, prec as usize + 1), prec as usize)
            };
            fmt_e(&d, p, verb)
        }
        'f' | 'F' => {
            if prec < 0 {
                let d = shortest_digits(x);
                let p = (d.d.len() as i32 - d.dp).max(0) as usize;
                fmt_f(&d, p)
            } else {
                // A float64 has at most 1074 fractional decimal digits: beyond that the digits
                // are zeros (and Rust's formatter panics above u16::MAX).
                let p = prec as usize;
                let mut s = format!("{:.*}", p.min(1100), x.abs());
                s.extend(std::iter::repeat_n('0', p.saturating_sub(1100)));
                return if neg { format!("-{s}") } else { s };
            }
        }
        _ => format_g(x, prec, if verb == 'G' { 'E' } else { 'e' }),
    };
    if neg { format!("-{body}") } else { body }
}

fn format_g(x: f64, prec: i32, e: char) -> String {
    let shortest = prec < 0;
    let (d, mut p) = if shortest {
        let d = shortest_digits(x);
        let n = d.d.len() as i32;
        (d, n)
    } else {
        let p = if prec == 0 { 1 } else { prec };
        (rounded_digits(x, p as usize), p)
    };
    let nd = d.d.len() as i32;
    let mut eprec = p;
    if eprec > nd && nd >= d.dp {
        eprec = nd;
    }
    if shortest {
        eprec = 6;
    }
    let exp = d.dp - 1;
    if nd > 0 && (exp < -4 || exp >= eprec) {
        if p > nd {
            p = nd;
        }
        return fmt_e(&d, (p - 1).max(0) as usize, e);
    }
    if p > d.dp {
        p = nd;
    }
    fmt_f(&d, (p - d.dp).max(0) as usize)
}

/// Parsed flags of one `%` directive.
#[derive(Default, Clone)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn pad(out: &mut String, s: &str, spec: &Spec) {
    let n = s.chars().count();
    let w = spec.width.unwrap_or(0);
    if n >= w {
        out.push_str(s);
        return;
    }
    let fill = w - n;
    if spec.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if spec.zero {
        // Zero padding goes after a sign.
        let (sign, rest) = match s.chars().next() {
            Some(c @ ('+' | '-' | ' ')) => (Some(c), &s[1..]),
            _ => (None, s),
        };
        if let Some(c) = sign {
            out.push(c);
        }
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(rest);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(s);
    }
}

/// Go's `rune(uint64(i))` for `%c`/`%q`: values outside Unicode become U+FFFD.
fn go_rune(i: i64) -> char {
    u32::try_from(i)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}')
}

fn fmt_integer(i: i64, verb: char, spec: &Spec) -> Option<String> {
    let neg = i < 0;
    let u = i.unsigned_abs();
    let mut digits = match verb {
        'd' | 'v' => u.to_string(),
        'x' => format!("{u:x}"),
        'X' => format!("{u:X}"),
        'o' | 'O' => format!("{u:o}"),
        'b' => format!("{u:b}"),
        'c' => return Some(go_rune(i).to_string()),
        'q' => return Some(quote_rune(go_rune(i))),
        'U' => {
            // Go prints the value as uint64: negative numbers show their two's complement.
            let mut s = format!("U+{:04X}", i as u64);
            if spec.sharp
                && let Some(c) = char::from_u32(i as u32)
                && is_print(c)
            {
                s.push_str(&format!(" '{c}'"));
            }
            return Some(s);
        }
        _ => return None,
    };
    if let Some(p) = spec.prec {
        if p == 0 && i == 0 {
            digits.clear();
        }
        if digits.len() < p {
            // One allocation: inserting zeros one by one was quadratic (a cargo-fuzz timeout
            // with `%.1415159d`).
            digits = "0".repeat(p - digits.len()) + &digits;
        }
    }
    let prefix = match verb {
        'x' if spec.sharp => "0x",
        'X' if spec.sharp => "0X",
        'o' if spec.sharp => "0",
        'O' => "0o",
        'b' if spec.sharp => "0b",
        _ => "",
    };
    let sign = if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    Some(format!("{sign}{prefix}{digits}"))
}

fn fmt_float_verb(x: f64, verb: char, spec: &Spec) -> Option<String> {
    let prec = spec.prec.map(|p| p as i32);
    let mut s = match verb {
        'v' | 'g' | 'G' => format_float(x, if verb == 'G' { 'G' } else { 'g' }, prec.unwrap_or(-1)),
        'e' | 'E' => format_float(x, verb, prec.unwrap_or(6)),
        'f' | 'F' => format_float(x, 'f', prec.unwrap_or(6)),
        'b' | 'x' | 'X' if !x.is_finite() => format_float(x, 'g', -1),
        'b' => float_binary(x),
        'x' | 'X' if prec.is_none() => float_hex(x, verb == 'X'),
        _ => return None,
    };
    if spec.plus && !s.starts_with('-') && !s.starts_with('+') {
        s.insert(0, '+');
    } else if spec.space && !s.starts_with('-') && !s.starts_with('+') {
        s.insert(0, ' ');
    } else if s == "+Inf" && !spec.plus {
        s = "+Inf".into();
    }
    Some(s)
}

/// The sign, mantissa (with the implicit bit) and unbiased exponent of a finite float, as
/// Go's strconv decomposes it.
fn float_parts(x: f64) -> (bool, u64, i64) {
    let bits = x.to_bits();
    let neg = bits >> 63 != 0;
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        exp = 1;
    } else {
        mant |= 1u64 << 52;
    }
    (neg, mant, exp - 1023)
}

/// strconv's `'b'` format: `-ddddp±ddd` (decimal mantissa, binary exponent).
fn float_binary(x: f64) -> String {
    let (neg, mant, exp) = float_parts(x);
    let exp = exp - 52;
    let sign = if neg { "-" } else { "" };
    let esign = if exp >= 0 { "+" } else { "" };
    format!("{sign}{mant}p{esign}{exp}")
}

/// strconv's `'x'` format with the shortest precision: `-0x1.8p+01`.
fn float_hex(x: f64, upper: bool) -> String {
    let (neg, mut mant, mut exp) = float_parts(x);
    if mant == 0 {
        exp = 0;
    }
    mant <<= 8;
    while mant != 0 && mant & (1u64 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    let digits: &[u8] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push('0');
    s.push(if upper { 'X' } else { 'x' });
    s.push(if (mant >> 60) & 1 == 1 { '1' } else { '0' });
    mant <<= 4;
    if mant != 0 {
        s.push('.');
        while mant != 0 {
            s.push(digits[((mant >> 60) & 15) as usize] as char);
            mant <<= 4;
        }
    }
    s.push(if upper { 'P' } else { 'p' });
    s.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        s.push('0');
    }
    s.push_str(&e.to_string());
    s
}

/// Go's `fmtSbx`: hex of bytes; `#` adds a `0x` prefix (per byte with the space flag, which
/// also separates bytes).
fn hex_bytes(b: &[u8], upper: bool, spec: &Spec) -> String {
    let prefix = match (spec.sharp, upper) {
        (false, _) => "",
        (true, false) => "0x",
        (true, true) => "0X",
    };
    let mut out = String::new();
    for (i, byte) in b.iter().enumerate() {
        if spec.space {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(prefix);
        } else if i == 0 {
            out.push_str(prefix);
        }
        if upper {
            out.push_str(&format!("{byte:02X}"));
        } else {
            out.push_str(&format!("{byte:02x}"));
        }
    }
    out
}

fn fmt_string(s: &str, verb: char, spec: &Spec) -> Option<String> {
    let s: String = match spec.prec {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    };
    match verb {
        'v' | 's' => Some(s),
        'q' => {
            if spec.sharp && !s.contains('`') {
                Some(format!("`{s}`"))
            } else {
                Some(quote(&s))
            }
        }
        'x' | 'X' => Some(hex_bytes(s.as_bytes(), verb == 'X', spec)),
        _ => None,
    }
}

thread_local! {
    /// Maps being printed by [`write_value`] on this thread, to cut cycles.
    static PRINTING: std::cell::RefCell<Vec<*const ()>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Writes `v` formatted with `verb` (applied element-wise to slices and maps as Go does).
fn write_value(out: &mut String, v: &Value, verb: char, spec: &Spec, depth: usize) {
    if depth > 100 {
        out.push_str("...");
        return;
    }
    match v {
        Value::List(items, kind) => {
            if verb == 'q' && *kind == ListKind::Any && items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_value(out, item, verb, spec, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) => {
            // A map inside itself (Go's fmt would overflow its stack): print the inner one as
            // `...`, so printing stays linear.
            let ptr = Rc::as_ptr(m) as *const ();
            if PRINTING.with(|p| p.borrow().contains(&ptr)) {
                out.push_str("...");
                return;
            }
            PRINTING.with(|p| p.borrow_mut().push(ptr));
            out.push_str("map[");
            for (i, (k, item)) in m.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_value(out, &Value::String(k.clone()), verb, spec, depth + 1);
                out.push(':');
                write_value(out, item, verb, spec, depth + 1);
            }
            out.push(']');
            PRINTING.with(|p| p.borrow_mut().pop());
        }
        Value::Object(o) if o.as_map().is_some() => {
            // Named map types (Helm's common.Values) print as their map.
            if let Some(m) = o.as_map() {
                write_value(out, &Value::Map(m.clone()), verb, spec, depth);
            }
        }
        // Inside slices and maps a nil interface prints as `<nil>` for every verb, unpadded.
        Value::Nil if depth > 0 => out.push_str("<nil>"),
        // Strings are zero-padded without regard to a leading sign.
        Value::String(_) if spec.zero && !spec.minus => match format_scalar(v, verb, spec) {
            Some(s) => {
                let n = s.chars().count();
                let w = spec.width.unwrap_or(0);
                out.extend(std::iter::repeat_n('0', w.saturating_sub(n)));
                out.push_str(&s);
            }
            None => write_bad_verb(out, v, verb, spec, depth),
        },
        _ => match format_scalar(v, verb, spec) {
            // Go pads integers with zeros only without a precision.
            Some(s) if spec.prec.is_some() && matches!(v, Value::Int(_) | Value::Int64(_)) => {
                let mut spaces = spec.clone();
                spaces.zero = false;
                pad(out, &s, &spaces);
            }
            Some(s) => pad(out, &s, spec),
            None => write_bad_verb(out, v, verb, spec, depth),
        },
    }
}

/// Go's `badVerb`: `%!VERB(TYPE=VALUE)`, the value printed with `%v` and the same flags and
/// width; a top-level nil is `%!VERB(<nil>)`.
fn write_bad_verb(out: &mut String, v: &Value, verb: char, spec: &Spec, depth: usize) {
    if matches!(v, Value::Nil) {
        out.push_str(&format!("%!{verb}(<nil>)"));
        return;
    }
    out.push_str(&format!("%!{verb}({}=", v.type_name()));
    write_value(out, v, 'v', spec, depth + 1);
    out.push(')');
}

/// Go's `%#v` (Go-syntax representation); `in_iface` marks elements of `[]interface{}` and
/// map values, where nil prints as `interface {}(nil)`.
fn go_syntax(v: &Value, in_iface: bool, depth: usize) -> String {
    if depth > 100 {
        return "...".into();
    }
    match v {
        Value::Nil if in_iface => "interface {}(nil)".into(),
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Float(x) => format_float(*x, 'g', -1),
        Value::String(s) => quote(s),
        Value::List(items, _) => {
            let inner: Vec<String> = items
                .iter()
                .map(|x| go_syntax(x, true, depth + 1))
                .collect();
            format!("{}{{{}}}", v.type_name(), inner.join(", "))
        }
        Value::Map(m) => {
            let ptr = Rc::as_ptr(m) as *const ();
            if PRINTING.with(|p| p.borrow().contains(&ptr)) {
                return "...".into();
            }
            PRINTING.with(|p| p.borrow_mut().push(ptr));
            let inner: Vec<String> = m
                .borrow()
                .iter()
                .map(|(k, x)| format!("{}:{}", quote(k), go_syntax(x, true, depth + 1)))
                .collect();
            PRINTING.with(|p| p.borrow_mut().pop());
            format!("{}{{{}}}", v.type_name(), inner.join(", "))
        }
        Value::Object(o) => o.format_v(),
    }
}

fn format_scalar(v: &Value, verb: char, spec: &Spec) -> Option<String> {
    match v {
        Value::Nil => match verb {
            'v' => Some("<nil>".into()),
            _ => None,
        },
        Value::Bool(b) => match verb {
            'v' | 't' => Some(b.to_string()),
            _ => None,
        },
        Value::Int(i) | Value::Int64(i) => fmt_integer(*i, verb, spec),
        Value::Float(x) => fmt_float_verb(*x, verb, spec),
        Value::String(s) => fmt_string(s, verb, spec),
        Value::Object(o) => match verb {
            'v' | 's' => Some(o.format_v()),
            'q' => Some(quote(&o.format_v())),
            _ => None,
        },
        Value::List(..) | Value::Map(_) => Some(format_v(v)),
    }
}

/// Go's `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut argn = 0usize;
    let mut reordered = false;
    let mut chars = format.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        // Flags.
        while let Some(&(_, f)) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '#' => spec.sharp = true,
                ' ' => spec.space = true,
                '0' => spec.zero = !spec.minus,
                _ => break,
            }
            chars.next();
        }
        // Width.
        if let Some(&(_, '*')) = chars.peek() {
            chars.next();
            // Go's intFromArg: widths beyond ±1e6 are bad (and would exhaust memory).
            match args
                .get(argn)
                .and_then(Value::as_int)
                .filter(|w| !too_large(*w))
            {
                Some(w) => {
                    if w < 0 {
                        spec.minus = true;
                        spec.zero = false;
                    }
                    spec.width = Some(w.unsigned_abs() as usize);
                }
                None => out.push_str("%!(BADWIDTH)"),
            }
            argn += 1;
        } else {
            match parse_num(&mut chars) {
                Ok(w) => spec.width = w,
                Err(()) => {
                    out.push_str("%!(NOVERB)");
                    break;
                }
            }
        }
        // Precision.
        if let Some(&(_, '.')) = chars.peek() {
            chars.next();
            if let Some(&(_, '*')) = chars.peek() {
                chars.next();
                match args
                    .get(argn)
                    .and_then(Value::as_int)
                    .filter(|p| !too_large(*p))
                {
                    Some(p) if p >= 0 => spec.prec = Some(p as usize),
                    _ => out.push_str("%!(BADPREC)"),
                }
                argn += 1;
            } else {
                match parse_num(&mut chars) {
                    Ok(p) => spec.prec = Some(p.unwrap_or(0)),
                    Err(()) => {
                        out.push_str("%!(NOVERB)");
                        break;
                    }
                }
            }
        }
        // Explicit argument index before the verb: `%[2]s`.
        let mut bad_index = false;
        if let Some(&(_, '[')) = chars.peek() {
            chars.next();
            reordered = true;
            let n = parse_num(&mut chars).ok().flatten();
            match (n, chars.next()) {
                (Some(n), Some((_, ']'))) if n >= 1 && n <= args.len() => argn = n - 1,
                _ => bad_index = true,
            }
        }
        let Some((_, verb)) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if bad_index {
            out.push_str(&format!("%!{verb}(BADINDEX)"));
            continue;
        }
        if spec.minus {
            spec.zero = false;
        }
        if verb == 'v' {
            // Go turns `+` into struct-field syntax for %v (plusV): numbers get no sign.
            spec.plus = false;
        }
        match verb {
            '%' => out.push('%'),
            _ if argn >= args.len() => out.push_str(&format!("%!{verb}(MISSING)")),
            'T' => {
                let t = args[argn].type_name();
                pad(&mut out, &t, &spec);
                argn += 1;
            }
            'v' if spec.sharp => {
                pad(&mut out, &go_syntax(&args[argn], false, 0), &spec);
                argn += 1;
            }
            _ => {
                write_value(&mut out, &args[argn], verb, &spec, 0);
                argn += 1;
            }
        }
    }
    if !reordered && argn < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[argn..]
            .iter()
            .map(|a| match a {
                Value::Nil => "<nil>".to_string(),
                _ => format!("{}={}", a.type_name(), format_v(a)),
            })
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

fn parse_num(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<Option<usize>, ()> {
    // Go's parsenum: a number that grows past 1e6 before its last digit is an overflow, after
    // which Go skips the rest of the format (reporting `%!(NOVERB)`).
    let mut n: Option<usize> = None;
    while let Some(&(_, c)) = chars.peek() {
        let Some(d) = c.to_digit(10) else { break };
        let cur = n.unwrap_or(0);
        if cur > 1_000_000 {
            for _ in chars.by_ref() {}
            return Err(());
        }
        n = Some(cur * 10 + d as usize);
        chars.next();
    }
    Ok(n)
}

/// Go's `tooLarge`: widths and precisions are limited to ±1e6.
fn too_large(x: i64) -> bool {
    !(-1_000_000..=1_000_000).contains(&x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn sharp_v_is_go_syntax() {
        let l = Value::list(vec![Value::from("a"), Value::Float(1.0), Value::Nil]);
        assert_eq!(
            sprintf("%#v", &[l]),
            "[]interface {}{\"a\", 1, interface {}(nil)}"
        );
        let m: BTreeMap<String, Value> = [("a".to_string(), Value::Int(1))].into();
        assert_eq!(
            sprintf("%#v", &[Value::from(m)]),
            "map[string]interface {}{\"a\":1}"
        );
        assert_eq!(
            sprintf("%#v %#v", &[Value::from("q"), Value::Nil]),
            "\"q\" <nil>"
        );
    }

    #[test]
    fn explicit_argument_indexes() {
        let args = [Value::from("a"), Value::from("b")];
        assert_eq!(sprintf("%[2]s %[1]s", &args), "b a");
        assert_eq!(sprintf("%[2]s %s", &args), "b %!s(MISSING)");
        assert_eq!(sprintf("%[3]s", &args), "%!s(BADINDEX)");
    }

    #[test]
    fn plus_flag_is_ignored_by_v() {
        let m: BTreeMap<String, Value> = [("a".to_string(), Value::Int(1))].into();
        assert_eq!(sprintf("%+v", &[Value::from(m)]), "map[a:1]");
        assert_eq!(sprintf("%+v %+d", &[Value::Int(2), Value::Int(2)]), "2 +2");
    }

    #[test]
    fn float_v_matches_go() {
        let cases = [
            (1e6, "1e+06"),
            (100000.0, "100000"),
            (2.72, "2.72"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123456.7, "123456.7"),
            (1234567.0, "1.234567e+06"),
            (-2.5, "-2.5"),
            (0.0, "0"),
            (1.0, "1"),
            (8080.0, "8080"),
            (1e21, "1e+21"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (0.1 + 0.2, "0.30000000000000004"),
        ];
        for (x, want) in cases {
            assert_eq!(format_v(&Value::Float(x)), want, "{x}");
        }
    }

    #[test]
    fn sprintf_table() {
        let s = |x: &str| Value::from(x);
        let i = Value::Int;
        let f = Value::Float;
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("%d", vec![i(42)], "42"),
            (
                "%5d|%-5d|%05d",
                vec![i(42), i(42), i(-42)],
                "   42|42   |-0042",
            ),
            ("%+d % d", vec![i(5), i(5)], "+5  5"),
            (
                "%x %X %o %b %#x %O",
                vec![i(255), i(255), i(8), i(5), i(255), i(8)],
                "ff FF 10 101 0xff 0o10",
            ),
            ("%c %q %U", vec![i(65), i(97), i(0x1F600)], "A 'a' U+1F600"),
            (
                "%s|%10s|%-10s|%.2s",
                vec![s("abc"), s("abc"), s("abc"), s("abc")],
                "abc|       abc|abc       |ab",
            ),
            ("%q", vec![s("a\"b\n")], "\"a\\\"b\\n\""),
            ("%x %X", vec![s("hi"), s("hi")], "6869 6869"),
            (
                "%f %.2f %8.3f %e %E %g %G",
                vec![
                    f(2.53456),
                    f(2.53456),
                    f(2.53456),
                    f(1234.5678),
                    f(1234.5678),
                    f(1234.5678),
                    f(1e-7),
                ],
                "2.534560 2.53    2.535 1.234568e+03 1.234568E+03 1234.5678 1E-07",
            ),
            (
                "%.3g %.10g %g",
                vec![f(1.0), f(123456789.0), f(1e6)],
                "1 123456789 1e+06",
            ),
            (
                "%t %v",
                vec![Value::Bool(true), Value::Bool(false)],
                "true false",
            ),
            (
                "%T %T %T %T %T",
                vec![i(1), f(1.0), s("x"), Value::Nil, Value::list(vec![])],
                "int float64 string <nil> []interface {}",
            ),
            ("%%", vec![], "%"),
            ("%d", vec![s("abc")], "%!d(string=abc)"),
            ("%s", vec![i(5)], "%!s(int=5)"),
            ("%d", vec![f(1.5)], "%!d(float64=1.5)"),
            ("%d", vec![Value::Nil], "%!d(<nil>)"),
            ("%s", vec![Value::Nil], "%!s(<nil>)"),
            ("%v", vec![Value::Nil], "<nil>"),
            ("%s", vec![], "%!s(MISSING)"),
            ("x", vec![i(1), s("a")], "x%!(EXTRA int=1, string=a)"),
            ("%", vec![], "%!(NOVERB)"),
            ("%z", vec![i(1)], "%!z(int=1)"),
            ("%*d", vec![i(4), i(7)], "   7"),
            ("%.*f", vec![i(1), f(2.25)], "2.2"),
            ("%d", vec![Value::list(vec![i(1), i(2)])], "[1 2]"),
            (
                "%s",
                vec![Value::list(vec![i(1), s("a")])],
                "[%!s(int=1) a]",
            ),
            (
                "%q",
                vec![Value::string_list(vec!["a".into(), "b".into()])],
                "[\"a\" \"b\"]",
            ),
            ("%v", vec![f(2.0)], "2"),
            (
                "%6.2f|%-8.1e|",
                vec![f(-1.0), f(12345.0)],
                " -1.00|1.2e+04 |",
            ),
            ("%08.3f", vec![f(-3.5)], "-003.500"),
            ("%.0f %.0f %.0f", vec![f(0.5), f(1.5), f(2.5)], "0 2 2"),
            ("%3c|%-4q|", vec![i(120), s("x")], "  x|\"x\" |"),
        ];
        for (fmt, args, want) in cases {
            assert_eq!(sprintf(fmt, &args), want, "format {fmt:?}");
        }
    }

    #[test]
    fn sprint_spacing_and_collections() {
        let mut m = BTreeMap::new();
        m.insert("b".to_string(), Value::Int(2));
        m.insert(
            "a".to_string(),
            Value::list(vec![Value::from("x"), Value::Nil]),
        );
        let mv = Value::from(m);
        assert_eq!(format_v(&mv), "map[a:[x <nil>] b:2]");
        assert_eq!(sprint(&[Value::Int(1), Value::Int(2)]), "1 2");
        assert_eq!(
            sprint(&[Value::from("a"), Value::Int(1), Value::from("b")]),
            "a1b"
        );
        assert_eq!(
            sprint(&[Value::Int(1), Value::from("a"), Value::Float(2.5)]),
            "1a2.5"
        );
        assert_eq!(sprintln(&[Value::from("a"), Value::Int(1)]), "a 1\n");
        assert_eq!(format_v(&Value::new_map()), "map[]");
        assert_eq!(format_v(&Value::list(vec![])), "[]");
    }

    #[test]
    fn quoting() {
        assert_eq!(
            quote("a\tb\u{1}\u{7f}é\u{a0}"),
            "\"a\\tb\\x01\\x7fé\\u00a0\""
        );
        assert_eq!(quote_rune('\''), "'\\''");
    }
}
