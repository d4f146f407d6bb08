//! Sprig's remaining string functions, with the semantics of the Go libraries Sprig wraps:
//! `camelcase`/`snakecase`/`kebabcase`/`shuffle` (huandu/xstrings), `swapcase`, `wrap`,
//! `wrapWith`, `initials`, `abbrevboth` (Masterminds/goutils) and `seq`.

use super::super::funcs::{Arity, FuncMap};
use super::super::value::Value;
use super::random::next_u64;

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// xstrings' `ToCamelCase` as Sprig v3 ships it: words separated by `-`, `_` or spaces become
/// capitalised and joined; leading and doubled connectors are kept.
pub fn camel_case(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    let mut r0 = None;
    for c in chars.by_ref() {
        if !is_connector(c) {
            r0 = Some(c.to_uppercase().next().unwrap_or(c));
            break;
        }
        out.push(c);
    }
    let Some(mut r0) = r0 else { return out };
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            r0 = r0.to_uppercase().next().unwrap_or(r0);
        } else {
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    /// No word: the input is exhausted.
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// Go's `unicode.IsPunct` for the characters that matter here (ASCII punctuation that
/// Unicode classes as P*, plus general non-ASCII punctuation).
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() && !"$+<=>^`|~".contains(c);
    }
    matches!(c, '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}' | '\u{3001}'..='\u{3003}')
}

/// xstrings' `isAlphabet`: a letter that is not CJK.
fn is_alphabet(c: char) -> bool {
    c.is_alphabetic()
        && !matches!(c, '\u{1100}'..='\u{11FF}' | '\u{2E80}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}')
}

/// xstrings' `nextWord`: the type of the first word of `s`, and its length in bytes.
fn next_word(s: &str) -> (Word, usize) {
    let Some(first) = s.chars().next() else {
        return (Word::Invalid, 0);
    };
    let end_while = |pred: &dyn Fn(char) -> bool| {
        s.char_indices()
            .skip(1)
            .find(|(_, c)| !pred(*c))
            .map(|(i, _)| i)
            .unwrap_or(s.len())
    };
    if is_connector(first) {
        return (Word::Connector, end_while(&is_connector));
    }
    if is_punct(first) {
        return (Word::Punct, end_while(&is_punct));
    }
    if first.is_uppercase() {
        let rest: Vec<(usize, char)> = s.char_indices().skip(1).collect();
        let Some(&(_, second)) = rest.first() else {
            return (Word::Upper, s.len());
        };
        if second.is_uppercase() {
            let mut end = s.len();
            let mut prev_start = rest[0].0;
            for &(i, c) in &rest {
                if !c.is_uppercase() {
                    end = i;
                    if is_alphabet(c) {
                        end = prev_start;
                    }
                    break;
                }
                prev_start = i;
            }
            return (Word::Upper, end);
        }
        if is_alphabet(second) {
            let end = rest
                .iter()
                .skip(1)
                .find(|(_, c)| !is_alphabet(*c) || c.is_uppercase())
                .map(|(i, _)| *i)
                .unwrap_or(s.len());
            return (Word::Upper, end);
        }
        return (Word::Upper, rest[0].0);
    }
    if is_alphabet(first) {
        return (
            Word::Alphabet,
            end_while(&|c| is_alphabet(c) && !c.is_uppercase()),
        );
    }
    if first.is_numeric() {
        return (Word::Number, end_while(&char::is_numeric));
    }
    let end = end_while(&|c| !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c)));
    (Word::Other, end)
}

/// xstrings' `toLower` for one word.
fn push_lower(out: &mut String, wt: Word, word: &str, connector: char) {
    if wt != Word::Upper && wt != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// xstrings' `camelCaseToLowerCase`, behind `snakecase` (`_`) and `kebabcase` (`-`).
pub fn lower_case_words(s: &str, connector: char) -> String {
    let mut out = String::new();
    if s.is_empty() {
        return out;
    }
    let next = |rest: &mut &str| -> (Word, String) {
        let (wt, n) = next_word(rest);
        let w = rest[..n].to_string();
        *rest = &rest[n..];
        (wt, w)
    };
    let mut rest = s;
    let (mut wt, mut word) = next(&mut rest);
    while !rest.is_empty() {
        if wt != Word::Connector {
            push_lower(&mut out, wt, &word, connector);
        }
        let (prev, last) = (wt, word.clone());
        (wt, word) = next(&mut rest);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    push_lower(&mut out, wt, &word, connector);
                    (wt, word) = next(&mut rest);
                }
                if wt != Word::Invalid && wt != Word::Punct && wt != Word::Connector {
                    out.push(connector);
                }
            }
            Word::Connector => push_lower(&mut out, prev, &last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if rest.is_empty() {
                    continue;
                }
                let num = word.clone();
                (wt, word) = next(&mut rest);
                if wt != Word::Alphabet {
                    push_lower(&mut out, Word::Number, &num, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                push_lower(&mut out, Word::Number, &num, connector);
                while wt == Word::Alphabet || wt == Word::Number {
                    push_lower(&mut out, wt, &word, connector);
                    (wt, word) = next(&mut rest);
                }
                if wt != Word::Invalid && wt != Word::Connector && wt != Word::Punct {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, wt, &word, connector);
    out
}

/// xstrings' `SwapCase`.
pub fn swap_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else if c.is_lowercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// xstrings' `Shuffle`: a random permutation of the characters.
pub fn shuffle(s: &str) -> String {
    let mut runes: Vec<char> = s.chars().collect();
    for i in (1..runes.len()).rev() {
        let j = (next_u64() % (i as u64 + 1)) as usize;
        runes.swap(i, j);
    }
    runes.into_iter().collect()
}

/// goutils' `Initials`: the first byte of every whitespace-separated word.
pub fn initials(s: &str) -> String {
    let mut out = Vec::new();
    let mut gap = true;
    for &b in s.as_bytes() {
        if (b as char).is_whitespace() || b == 0x85 || b == 0xA0 {
            gap = true;
        } else if gap {
            out.push(b);
            gap = false;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn bytes_str(b: &[u8]) -> String {
    crate::template::string_from_bytes(b)
}

/// goutils' `WrapCustom`: wraps at spaces to lines of at most `width` bytes.
pub fn wrap_custom(s: &str, width: i64, newline: &str, wrap_long: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    let mut offset = 0;
    while b.len() - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = width + offset + 1;
        if let Some(sp) = b[offset..end].iter().rposition(|&c| c == b' ') {
            out.extend_from_slice(&b[offset..offset + sp]);
            out.extend_from_slice(newline.as_bytes());
            offset += sp + 1;
        } else if wrap_long {
            out.extend_from_slice(&b[offset..offset + width]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = b.len();
                }
                Some(i) => {
                    out.extend_from_slice(&b[offset..end + i]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = end + i + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    bytes_str(&out)
}

/// goutils' `AbbreviateFull` (byte based); `None` for its argument errors.
fn abbreviate_full(s: &str, offset: i64, width: i64) -> Option<String> {
    if s.is_empty() {
        return Some(String::new());
    }
    if width < 4 {
        return None;
    }
    let b = s.as_bytes();
    let len = b.len() as i64;
    if len <= width {
        return Some(s.to_string());
    }
    let mut offset = offset.min(len);
    if len - offset < width - 3 {
        offset = len - (width - 3);
    }
    if offset <= 4 {
        return Some(format!("{}...", bytes_str(&b[..(width - 3) as usize])));
    }
    if width < 7 {
        return None;
    }
    if offset + width - 3 < len {
        let inner = abbreviate_full(&bytes_str(&b[offset as usize..]), 0, width - 3)?;
        return Some(format!("...{inner}"));
    }
    Some(format!(
        "...{}",
        bytes_str(&b[(len - (width - 3)) as usize..])
    ))
}

/// Sprig's `abbrevboth`.
pub fn abbrev_both(left: i64, right: i64, s: &str) -> String {
    if right < 4 || (left > 0 && right < 7) {
        return s.to_string();
    }
    abbreviate_full(s, left, right).unwrap_or_default()
}

/// Sprig's `seq`: like GNU seq, numbers from start to end (inclusive) joined by spaces.
pub fn seq(params: &[i64]) -> String {
    let (start, step, end) = match *params {
        [end] => (1, if end < 1 { -1 } else { 1 }, end),
        [start, end] => (start, if end < start { -1 } else { 1 }, end),
        [start, step, end] => {
            if end < start && step > 0 {
                return String::new();
            }
            (start, step, end)
        }
        _ => return String::new(),
    };
    let inc = if params.len() == 3 {
        if end < start { -1 } else { 1 }
    } else {
        step
    };
    // Go's int arithmetic wraps: `seq` of MinInt64 steps past it to MaxInt64 (empty result).
    let stop = end.wrapping_add(inc);
    let mut out: Vec<String> = Vec::new();
    let mut i = start;
    let ok = |i: i64| if stop < start { i > stop } else { i < stop };
    if (stop < start && step >= 0) || (stop >= start && step <= 0) {
        return String::new();
    }
    while ok(i) && out.len() < 1_000_000 {
        out.push(i.to_string());
        match i.checked_add(step) {
            Some(n) => i = n,
            None => break,
        }
    }
    out.join(" ")
}

/// Registers the string functions of this group.
pub(super) fn register(m: &mut FuncMap) {
    super::str1(m, "camelcase", camel_case);
    super::str1(m, "snakecase", |s| lower_case_words(s, '_'));
    super::str1(m, "kebabcase", |s| lower_case_words(s, '-'));
    super::str1(m, "swapcase", swap_case);
    super::str1(m, "shuffle", shuffle);
    super::str1(m, "initials", initials);
    m.register("wrap", Arity::Exact(2), |ctx, a| {
        Ok(Value::String(wrap_custom(
            ctx.string_arg(a, 1)?,
            ctx.int_arg(a, 0)?,
            "",
            false,
        )))
    });
    m.register("wrapWith", Arity::Exact(3), |ctx, a| {
        Ok(Value::String(wrap_custom(
            ctx.string_arg(a, 2)?,
            ctx.int_arg(a, 0)?,
            ctx.string_arg(a, 1)?,
            true,
        )))
    });
    m.register("abbrevboth", Arity::Exact(3), |ctx, a| {
        Ok(Value::String(abbrev_both(
            ctx.int_arg(a, 0)?,
            ctx.int_arg(a, 1)?,
            ctx.string_arg(a, 2)?,
        )))
    });
    m.register("seq", Arity::AtLeast(0), |ctx, a| {
        let params = (0..a.len())
            .map(|i| ctx.int_arg(a, i))
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(Value::String(seq(&params)))
    });
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::render;
    use super::*;

    proptest::proptest! {
        #[test]
        fn string_helpers_never_panic(s in "\\PC{0,40}", n in -5i64..50, m in -5i64..50) {
            let _ = camel_case(&s);
            let _ = lower_case_words(&s, '_');
            let _ = swap_case(&s);
            let _ = initials(&s);
            let _ = wrap_custom(&s, n, "", false);
            let _ = wrap_custom(&s, n, "|", true);
            let _ = abbrev_both(n, m, &s);
            proptest::prop_assert_eq!(shuffle(&s).chars().count(), s.chars().count());
        }
    }

    #[test]
    fn case_conversions_match_xstrings() {
        assert_eq!(camel_case("http_server"), "HttpServer");
        assert_eq!(camel_case("foo-bar baz"), "FooBarBaz");
        assert_eq!(camel_case("_a__b_"), "_A_B_");
        for (input, snake) in [
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("already_snake", "already_snake"),
            ("NoHTTPS", "no_https"),
            ("GO_PATH", "go_path"),
            ("GO PATH", "go_path"),
            ("GO-PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Duration2m3s", "duration_2m3s"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
        ] {
            assert_eq!(lower_case_words(input, '_'), snake, "{input}");
        }
        assert_eq!(lower_case_words("HTTPServerName", '-'), "http-server-name");
        assert_eq!(swap_case("This Is A.Test"), "tHIS iS a.tEST");
    }

    #[test]
    fn string_cases_match_helm() {
        let cases = [
            (r#"{{ abbrevboth 5 10 "1234 5678 9123" }}"#, "...5678..."),
            (
                r#"{{ camelcase "http_server" }} {{ camelcase "foo-bar baz" }}"#,
                "HttpServer FooBarBaz",
            ),
            (r#"{{ initials "First Try" }}"#, "FT"),
            (
                r#"{{ kebabcase "FirstName" }} {{ kebabcase "HTTPServerName" }}"#,
                "first-name http-server-name",
            ),
            (
                r#"{{ seq 5 }}|{{ seq 2 5 }}|{{ seq 0 2 10 }}|{{ seq 5 1 }}|{{ seq -3 }}"#,
                "1 2 3 4 5|2 3 4 5|0 2 4 6 8 10|5 4 3 2 1|1 0 -1 -2 -3",
            ),
            (r#"{{ shuffle "a" }}"#, "a"),
            (
                r#"{{ snakecase "FirstName" }} {{ snakecase "HTTPServer" }} {{ snakecase "already_snake" }}"#,
                "first_name http_server already_snake",
            ),
            (r#"{{ swapcase "This Is A.Test" }}"#, "tHIS iS a.tEST"),
            (r#"{{ wrap 5 "Hello World foo" }}"#, "Hello\nWorld\nfoo"),
            (r#"{{ wrapWith 5 "\t" "Hello World" }}"#, "Hello\tWorld"),
            (r#"{{ wrap 3 "abcdefgh ij" }}"#, "abcdefgh\nij"),
            (r#"{{ wrapWith 3 "|" "abcdefgh ij" }}"#, "abc|def|gh|ij"),
            (
                r#"{{ typeOf (seq 2) }} {{ seq }}|{{ seq 1 -1 5 }}"#,
                "string |",
            ),
        ];
        for (tpl, want) in cases {
            assert_eq!(render(tpl).as_deref(), Ok(want), "{tpl}");
        }
        let mut sorted: Vec<char> = render(r#"{{ shuffle "abcdef" }}"#)
            .unwrap()
            .chars()
            .collect();
        sorted.sort();
        assert_eq!(sorted.into_iter().collect::<String>(), "abcdef");
    }
}
