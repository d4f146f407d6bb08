//! Where granit-parser (YAML 1.2) and go-yaml v2 (libyaml, YAML 1.1) part ways: libyaml's
//! error wording and line numbering, the checks libyaml makes that granit-parser does not
//! (reader characters, tabs, the `\/` escape), and meaning-preserving rewrites of input
//! libyaml accepts but granit-parser rejects.

use granit_parser::ScanError;

use super::Error;

/// Which libyaml stage reports a problem; go-yaml numbers their lines differently.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Scanner errors show the 1-based line, except that a problem on the first line has none.
    Scanner,
    /// Parser errors show the 0-based line (go-yaml's quirk), none when it is 0.
    Parser,
}

/// Words a parser error as go-yaml does: `yaml: line N: problem`.
pub(super) fn scan_error(e: &ScanError, text: &str) -> Error {
    let info = e.info();
    let (mut msg, stage, at_eof) = translate_message(&info);
    if at_eof && msg.starts_with("did not find expected ','") && expects_entry(text) {
        // libyaml wants a node after `[`, `{` or `,`: at the end of the input that is a
        // missing node, not a missing separator.
        msg = "did not find expected node content".to_string();
    }
    let at_eof = at_eof || e.marker().index() >= text.chars().count();
    // granit-parser lines are 1-based.
    let line = if at_eof {
        eof_line(text) + 1 + usize::from(stage == Stage::Parser && ends_mid_line(text))
    } else {
        e.marker().line()
    };
    let shown = match stage {
        Stage::Scanner if line > 1 => Some(line),
        Stage::Parser if line > 1 => Some(line - 1),
        _ => None,
    };
    match shown {
        Some(n) => Error::Yaml(format!("yaml: line {n}: {msg}")),
        None => Error::Yaml(format!("yaml: {msg}")),
    }
}

/// Whether the last significant character of the input opens a flow collection or separates
/// its entries (so a node must follow).
fn expects_entry(text: &str) -> bool {
    text.trim_end().ends_with(['[', '{', ','])
}

/// Whether the input ends in the middle of a line: libyaml's stream-end token then forces a
/// new line, so parser errors found at the end of the input report the next line.
fn ends_mid_line(text: &str) -> bool {
    text.chars()
        .last()
        .is_some_and(|c| !matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
}

/// The 0-based line of the end of the input, as libyaml counts lines.
fn eof_line(text: &str) -> usize {
    let crlf = text.matches("\r\n").count();
    text.chars()
        .filter(|&c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
        .count()
        - crlf
}

/// Maps granit-parser's wording onto libyaml's for the problems users commonly hit:
/// (message, stage, whether libyaml reports it at the end of the input).
fn translate_message(info: &str) -> (String, Stage, bool) {
    let lower = info.to_ascii_lowercase();
    let known: &[(&str, &str, Stage, bool)] = &[
        (
            "mapping values are not allowed",
            "mapping values are not allowed in this context",
            Stage::Scanner,
            false,
        ),
        (
            "block sequence entries are not allowed",
            "block sequence entries are not allowed in this context",
            Stage::Scanner,
            false,
        ),
        (
            "unexpected character",
            "found character that cannot start any token",
            Stage::Scanner,
            false,
        ),
        (
            "tab cannot be used as indentation",
            "found a tab character that violates indentation",
            Stage::Scanner,
            false,
        ),
        (
            "tab",
            "found character that cannot start any token",
            Stage::Scanner,
            false,
        ),
        (
            "unclosed quote",
            "found unexpected end of stream",
            Stage::Scanner,
            true,
        ),
        (
            "multiline quoted scalar",
            "found unexpected end of stream",
            Stage::Scanner,
            true,
        ),
        (
            "escape",
            "found unknown escape character",
            Stage::Scanner,
            false,
        ),
        (
            "expected ':'",
            "could not find expected ':'",
            Stage::Scanner,
            false,
        ),
        (
            "unclosed bracket '['",
            "did not find expected ',' or ']'",
            Stage::Parser,
            true,
        ),
        (
            "unclosed bracket '{'",
            "did not find expected ',' or '}'",
            Stage::Parser,
            true,
        ),
        (
            "expected ',' or ']'",
            "did not find expected ',' or ']'",
            Stage::Parser,
            false,
        ),
        (
            "expected ',' or '}'",
            "did not find expected ',' or '}'",
            Stage::Parser,
            false,
        ),
        (
            "expected '-'",
            "did not find expected '-' indicator",
            Stage::Parser,
            false,
        ),
        (
            "expected key",
            "did not find expected key",
            Stage::Parser,
            false,
        ),
        (
            "expected node content",
            "did not find expected node content",
            Stage::Parser,
            false,
        ),
        (
            "only valid inside a block",
            "did not find expected node content",
            Stage::Parser,
            false,
        ),
        (
            "invalid trailing content after",
            "did not find expected key",
            Stage::Parser,
            false,
        ),
    ];
    for (needle, libyaml, stage, eof) in known {
        if lower.contains(needle) {
            return ((*libyaml).to_string(), *stage, *eof);
        }
    }
    (info.to_string(), Stage::Scanner, false)
}

/// go-yaml v2 knows YAML 1.1's escapes only: `\/` (added in YAML 1.2) is an error there.
pub(super) fn check_escapes(
    text: &str,
    range: Option<std::ops::Range<usize>>,
) -> Result<(), Error> {
    let Some(raw) = range.and_then(|r| text.get(r.clone()).map(|s| (r.start, s))) else {
        return Ok(());
    };
    let (start, raw) = raw;
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            continue;
        }
        if let Some((_, '/')) = chars.next() {
            let line = text[..start + i].matches('\n').count();
            return Err(if line > 0 {
                Error::Yaml(format!(
                    "yaml: line {}: found unknown escape character",
                    line + 1
                ))
            } else {
                Error::Yaml("yaml: found unknown escape character".to_string())
            });
        }
    }
    Ok(())
}

/// libyaml treats a tab as white space in block context only after a token that forbids a
/// simple key (such as `:`); a tab in a line's indentation, or after a `-` or `?` indicator,
/// "cannot start any token". `start` is the byte offset of a block-context node.
pub(super) fn check_block_tabs(text: &str, start: Option<usize>) -> Result<(), Error> {
    let Some(start) = start else {
        return Ok(());
    };
    let Some(before) = text.get(..start) else {
        return Ok(());
    };
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let prefix = &before[line_start..];
    let only_indicators = prefix.chars().all(|c| matches!(c, ' ' | '\t' | '-' | '?'));
    if !prefix.contains('\t') || !only_indicators {
        return Ok(());
    }
    let line = before.matches('\n').count();
    Err(if line > 0 {
        Error::Yaml(format!(
            "yaml: line {}: found character that cannot start any token",
            line + 1
        ))
    } else {
        Error::Yaml("yaml: found character that cannot start any token".to_string())
    })
}

/// libyaml's reader rejects these code points anywhere in the input.
pub(super) fn check_characters(text: &str) -> Result<(), Error> {
    let allowed = |c: char| {
        let v = u32::from(c);
        matches!(v, 0x09 | 0x0A | 0x0D | 0x85)
            || (0x20..=0x7E).contains(&v)
            || (0xA0..=0xD7FF).contains(&v)
            || (0xE000..=0xFFFD).contains(&v)
            || v >= 0x10000
    };
    // Nearly every input is plain ASCII text: check bytes first, chars only when needed.
    let ascii_ok = |b: &u8| matches!(*b, 0x09 | 0x0A | 0x0D | 0x20..=0x7E);
    if text.as_bytes().iter().all(ascii_ok) || text.chars().all(allowed) {
        Ok(())
    } else {
        Err(Error::Yaml(
            "yaml: control characters are not allowed".to_string(),
        ))
    }
}

/// A meaning-preserving rewrite that lets granit-parser read what libyaml reads.
#[derive(Debug, Clone, Copy)]
pub(super) enum Fix {
    /// Indent this 1-based line (a quoted scalar's continuation line) further.
    IndentLine(usize),
    /// Turn the first `\'` (a YAML 1.1 escape) in the double-quoted scalar starting at this
    /// byte offset into a plain `'`.
    QuoteEscapeFrom(usize),
}

/// Escapes YAML 1.2 (and so granit-parser) knows after a backslash.
const YAML12_ESCAPES: &str = "0abt\tnvfre \"/\\N_LPxuU";

/// `text` with the first `\'` of the double-quoted scalar at `offset` replaced by `'`, or
/// `None` when that scalar has some other unknown escape.
pub(super) fn unescape_quote(text: &str, offset: usize) -> Option<String> {
    let body = text.get(offset..)?.strip_prefix('"')?;
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return None,
            '\\' => match chars.next() {
                Some((_, '\'')) => {
                    let at = offset + 1 + i;
                    let mut out = String::with_capacity(text.len());
                    out.push_str(&text[..at]);
                    out.push_str(&text[at + 1..]);
                    return Some(out);
                }
                Some((_, e)) if YAML12_ESCAPES.contains(e) => {}
                _ => return None,
            },
            _ => {}
        }
    }
    None
}

/// `text` with spaces added in front of its 1-based `line`, or `None` if there is no such line.
pub(super) fn indent_line(text: &str, line: usize) -> Option<String> {
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)?
    };
    let mut out = String::with_capacity(text.len() + 256);
    out.push_str(&text[..start]);
    out.push_str(&" ".repeat(256));
    out.push_str(&text[start..]);
    Some(out)
}
