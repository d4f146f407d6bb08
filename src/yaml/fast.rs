//! A single-pass reader for the plain, common subset of YAML that values files and rendered
//! manifests are written in, building the `serde_json::Value` directly.
//!
//! The full decoder (`super::decode`) tokenizes with granit-parser, applies libyaml's extra
//! checks, composes a node arena and then converts it; it costs a few hundred instructions per
//! input byte. This reader accepts only input it can decode with certainty and declines
//! (returns `None`) on anything else, and the caller then runs the full decoder, which also
//! produces every error text. The contract, checked by differential, golden and mutation tests
//! (`fast_tests`): whenever [`try_decode`] returns `Some(v)`, the full decoder returns `Ok(v)`
//! for the same input and [`NumberMode`].
//!
//! The subset: one document (an optional leading `---`), block mappings whose keys are plain
//! or quoted one-line strings, block sequences (also compact `- k: v` and `- - x` forms and
//! sequences at their key's indentation), one-line plain, single- and double-quoted scalars,
//! literal and folded block scalars, one-line flow collections of scalars, comments and empty
//! values, and anchors on such one-line values with their aliases (at most [`MAX_ALIASES`]).
//! Declined: tabs outside block scalar text, carriage returns, anchors on anything else, tags,
//! merge keys, complex keys, directives, an empty first document, keys that are not strings (`1:`, `true:`), non-text characters and deep nesting.
//! Plain scalars are typed by the full decoder's own code (`plain_scalar_value`).

use serde_json::{Map, Value};

use super::decode::{NumberMode, plain_key_is_text, plain_scalar_value};

/// Why the reader declined (the source line that gave up), for diagnostics in tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decline(pub u32);

type Res<T> = Result<T, Decline>;

macro_rules! decline {
    () => {
        Decline(line!())
    };
}

/// Nesting beyond this is left to the full decoder (which bounds it at 500 levels).
const MAX_DEPTH: usize = 100;

/// Aliases beyond this are left to the full decoder, which bounds aliasing as go-yaml does
/// (its "excessive aliasing" check never fires below 100 aliases).
const MAX_ALIASES: usize = 100;

/// libyaml refuses simple keys longer than 1024 characters; stay well below that.
const MAX_KEY_BYTES: usize = 512;

/// The value the full decoder reads from `text`, when `text` is in the subset this reader
/// accepts; `None` otherwise (the caller must then use the full decoder).
pub(crate) fn try_decode(text: &str, mode: NumberMode) -> Option<Value> {
    decode(text, mode).ok()
}

/// [`try_decode`] with the reason for declining.
pub(crate) fn decode(text: &str, mode: NumberMode) -> Res<Value> {
    if !plain_text(text) {
        return Err(decline!());
    }
    let mut r = Reader::new(text, mode);
    r.document()
}

/// Where the reader was when it declined `text` (for diagnostics in tests).
#[cfg(test)]
pub(crate) fn decline_position(text: &str, mode: NumberMode) -> Option<usize> {
    let mut r = Reader::new(text, mode);
    r.document().err().map(|_| r.pos)
}

/// Whether every character is one the subset handles as text: printable ASCII, newlines, tabs
/// (declined later where they matter) and non-ASCII characters libyaml's reader accepts,
/// except those YAML treats as line breaks (NEL, U+2028, U+2029) and byte order marks.
fn plain_text(text: &str) -> bool {
    let b = text.as_bytes();
    // Branch-free over fixed chunks so the compiler can vectorize the common ASCII case.
    let ascii = b.chunks(64).all(|chunk| {
        !chunk.iter().fold(false, |bad, &c| {
            bad | ((c < 0x20 && c != b'\n' && c != b'\t') | (c >= 0x7F))
        })
    });
    if ascii {
        return true;
    }
    let ascii_ok = |c: &u8| matches!(*c, b'\t' | b'\n' | 0x20..=0x7E);
    if !b.iter().all(|c| ascii_ok(c) || *c >= 0x80) {
        return false;
    }
    text.chars().all(|c| {
        let v = u32::from(c);
        v < 0x80
            || (0xA0..=0xD7FF).contains(&v) && v != 0x2028 && v != 0x2029
            || (0xE000..=0xFFFD).contains(&v) && v != 0xFEFF
            || v >= 0x10000
    })
}

/// How a block scalar keeps its final line breaks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Clip,
    Strip,
    Keep,
}

struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    /// Current byte offset.
    pos: usize,
    /// Offset of the first byte of the current line (columns are byte distances from it; only
    /// spaces and `- ` indicators ever precede a node, so they equal character columns).
    line_start: usize,
    mode: NumberMode,
    depth: usize,
    /// Set once the document's content has begun: a document marker then ends the input.
    in_document: bool,
    /// The last [`Reader::key_colon`] answer: (position, colon).
    key_cache: (usize, Option<usize>),
    /// Anchors defined so far, in document order, with the values they name.
    anchors: Vec<(&'a str, Value)>,
    /// Aliases read so far.
    aliases: usize,
}

fn is_space_or_end(c: Option<u8>) -> bool {
    matches!(c, None | Some(b' ' | b'\n'))
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    fn new(text: &'a str, mode: NumberMode) -> Reader<'a> {
        Reader {
            text,
            b: text.as_bytes(),
            pos: 0,
            line_start: 0,
            mode,
            depth: 0,
            in_document: false,
            key_cache: (usize::MAX, None),
            anchors: Vec::new(),
            aliases: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn at_eof(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn col(&self) -> usize {
        self.pos - self.line_start
    }

    fn slice(&self, from: usize, to: usize) -> Res<&'a str> {
        self.text.get(from..to).ok_or(decline!())
    }

    fn skip_spaces(&mut self) {
        self.pos += count_spaces(self.b, self.pos);
    }

    /// Moves past the line break ending the current line (if any) to the next line's start.
    fn next_line(&mut self) {
        match self.b[self.pos.min(self.b.len())..]
            .iter()
            .position(|&c| c == b'\n')
        {
            Some(i) => {
                self.pos += i + 1;
                self.line_start = self.pos;
            }
            None => self.pos = self.b.len(),
        }
    }

    /// Whether the current line (at its start) is a `---` or `...` document marker.
    fn at_document_marker(&self) -> bool {
        let rest = &self.b[self.pos..];
        (rest.starts_with(b"---") || rest.starts_with(b"..."))
            && is_space_or_end(rest.get(3).copied())
    }

    /// From the start of a line, skips blank and comment lines and stops at the first
    /// non-space character of the next content line (or the end of the input). Declines on
    /// tabs in indentation and on document markers.
    fn next_content(&mut self) -> Res<()> {
        loop {
            if self.at_eof() {
                return Ok(());
            }
            if self.at_document_marker() {
                if !self.in_document {
                    return Err(decline!());
                }
                // go-yaml reads the first document only: the input ends here.
                self.b = &self.b[..self.pos];
                self.text = self.text.get(..self.pos).ok_or(decline!())?;
                return Ok(());
            }
            self.skip_spaces();
            match self.peek() {
                None => return Ok(()),
                Some(b'\n' | b'#') => self.next_line(),
                Some(b'\t') => return Err(decline!()),
                Some(_) => return Ok(()),
            }
        }
    }

    /// At the end of a one-line value: optional spaces and a comment, then the line break.
    /// Leaves the reader at the next content line.
    fn end_of_line(&mut self) -> Res<()> {
        if !self.only_comment_left() {
            return Err(decline!());
        }
        if self.peek().is_none() {
            return Ok(());
        }
        self.next_line();
        self.next_content()
    }

    /// Skips spaces and tells whether nothing but an optional comment is left on the line (a
    /// `#` starts a comment only after a space); otherwise the reader is at the content.
    fn only_comment_left(&mut self) -> bool {
        let before = self.pos;
        self.skip_spaces();
        match self.peek() {
            None | Some(b'\n') => true,
            Some(b'#') => self.pos > before,
            Some(_) => false,
        }
    }

    /// Whether the reader is at a block sequence entry indicator (`-` then space or break).
    fn at_entry(&self) -> bool {
        self.peek() == Some(b'-') && is_space_or_end(self.peek_at(self.pos + 1))
    }

    fn document(&mut self) -> Res<Value> {
        // Leading blank and comment lines and at most one `---` (its line otherwise empty).
        loop {
            if self.at_document_marker() && self.b[self.pos] == b'-' {
                self.pos += 3;
                self.end_of_line()?;
                break;
            }
            self.skip_spaces();
            match self.peek() {
                None => return Ok(Value::Null),
                Some(b'\n' | b'#') => self.next_line(),
                Some(b'%') if self.col() == 0 => return Err(decline!()),
                Some(_) => {
                    self.pos = self.line_start;
                    self.next_content()?;
                    break;
                }
            }
        }
        if self.at_eof() {
            return Ok(Value::Null);
        }
        self.in_document = true;
        let indent = self.col();
        let v = if self.at_entry() {
            self.block_seq(indent)?
        } else if self.key_colon_cached().is_some() {
            self.block_map(indent)?
        } else {
            match self.peek() {
                Some(b'"' | b'\'' | b'[' | b'{') => {}
                _ if indent > 0 => return Err(decline!()),
                _ => {}
            }
            self.inline_value(None)?
        };
        if !self.at_eof() {
            return Err(decline!());
        }
        Ok(v)
    }

    fn enter(&mut self) -> Res<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(decline!());
        }
        Ok(())
    }

    /// A node starting on its own line at the reader (column `indent`), inside a block
    /// collection at column `parent`.
    fn block_node(&mut self, parent: usize, indent: usize) -> Res<Value> {
        if self.at_entry() {
            self.block_seq(indent)
        } else if self.key_colon_cached().is_some() {
            self.block_map(indent)
        } else if matches!(self.peek(), Some(b'|' | b'>')) {
            Err(decline!())
        } else {
            self.inline_value(Some(parent))
        }
    }

    fn block_seq(&mut self, indent: usize) -> Res<Value> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            // At the `-` of an entry, in column `indent`.
            self.pos += 1;
            items.push(self.entry_value(indent)?);
            if self.at_eof() {
                break;
            }
            let col = self.col();
            if col == indent && self.at_entry() {
                continue;
            }
            if col <= indent {
                break;
            }
            return Err(decline!());
        }
        self.depth -= 1;
        Ok(Value::Array(items))
    }

    /// The value after a sequence entry's `-` (sequence in column `indent`).
    fn entry_value(&mut self, indent: usize) -> Res<Value> {
        if !self.only_comment_left() {
            let col = self.col();
            if self.at_entry() {
                return self.block_seq(col);
            }
            if self.key_colon_cached().is_some() {
                return self.block_map(col);
            }
            return self.inline_value(Some(indent));
        }
        self.next_line();
        self.next_content()?;
        if !self.at_eof() && self.col() > indent {
            return self.block_node(indent, self.col());
        }
        Ok(Value::Null)
    }

    fn block_map(&mut self, indent: usize) -> Res<Value> {
        self.enter()?;
        let mut map = Map::new();
        loop {
            // At a key, in column `indent`.
            let key = self.key()?;
            let value = self.map_value(indent)?;
            map.insert(key, value);
            if self.at_eof() {
                break;
            }
            let col = self.col();
            if col == indent && !self.at_entry() {
                continue;
            }
            if col < indent {
                break;
            }
            return Err(decline!());
        }
        self.depth -= 1;
        Ok(Value::Object(map))
    }

    /// The value after a mapping key's `:` (mapping in column `indent`).
    fn map_value(&mut self, indent: usize) -> Res<Value> {
        if !self.only_comment_left() {
            if self.at_entry() {
                return Err(decline!());
            }
            return self.inline_value(Some(indent));
        }
        self.next_line();
        self.next_content()?;
        if self.at_eof() {
            return Ok(Value::Null);
        }
        let col = self.col();
        if col > indent {
            return self.block_node(indent, col);
        }
        if col == indent && self.at_entry() {
            return self.block_seq(col);
        }
        Ok(Value::Null)
    }

    /// [`Self::key_colon`], remembered for the current position (a key is looked for before
    /// it is read).
    fn key_colon_cached(&mut self) -> Option<usize> {
        if self.key_cache.0 != self.pos {
            self.key_cache = (self.pos, self.key_colon());
        }
        self.key_cache.1
    }

    /// If the reader is at a one-line mapping key, the offset of its `:` indicator.
    fn key_colon(&self) -> Option<usize> {
        let b = self.b;
        let mut i = self.pos;
        match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                i += 1;
                loop {
                    match b.get(i) {
                        None | Some(b'\n') => return None,
                        Some(b'\\') if q == b'"' => {
                            if b.get(i + 1) == Some(&b'\n') {
                                return None;
                            }
                            i += 2;
                        }
                        Some(&c) if c == q => {
                            if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                                i += 2;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        Some(_) => i += 1,
                    }
                }
                while b.get(i) == Some(&b' ') {
                    i += 1;
                }
                (b.get(i) == Some(&b':') && is_space_or_end(b.get(i + 1).copied())).then_some(i)
            }
            // A flow collection here is a value, or a complex key (declined later).
            None | Some(b'[' | b'{') => None,
            _ => loop {
                i = skip_ordinary(b, i);
                match b.get(i) {
                    // A tab is declined wherever it appears outside quotes and block text.
                    None | Some(b'\n' | b'\t') => return None,
                    Some(b':') if is_space_or_end(b.get(i + 1).copied()) => return Some(i),
                    Some(b'#') if i > self.pos && b[i - 1] == b' ' => return None,
                    Some(_) => i += 1,
                }
            },
        }
    }

    /// Reads a mapping key and its `:`; declines on keys that are not plain strings.
    fn key(&mut self) -> Res<String> {
        let colon = self.key_colon_cached().ok_or(decline!())?;
        if colon - self.pos > MAX_KEY_BYTES {
            return Err(decline!());
        }
        let key = match self.peek() {
            Some(b'"' | b'\'') => {
                let k = self.quoted(None)?;
                self.skip_spaces();
                k
            }
            Some(c) => {
                if is_indicator(c) {
                    return Err(decline!());
                }
                let raw = self.slice(self.pos, colon)?;
                let k = raw.trim_end_matches(' ');
                if k == "<<" || !plain_key_is_text(k) {
                    return Err(decline!());
                }
                self.pos = colon;
                k.to_string()
            }
            None => return Err(decline!()),
        };
        if self.pos != colon {
            return Err(decline!());
        }
        self.pos += 1;
        Ok(key)
    }

    /// A value that starts on the current line: a scalar, a flow collection or a block scalar.
    /// `block` is the column of the enclosing block collection (`None` at the document root).
    fn inline_value(&mut self, block: Option<usize>) -> Res<Value> {
        let v = match self.peek() {
            Some(b'&') => return self.anchored(block),
            Some(b'*') => self.alias()?,
            Some(b'"' | b'\'') => Value::String(self.quoted(Some(block))?),
            Some(b'[' | b'{') => self.flow()?,
            Some(b'|' | b'>') => return self.block_scalar(block.ok_or(decline!())?),
            Some(b'-') if !is_space_or_end(self.peek_at(self.pos + 1)) => self.plain(block)?,
            Some(c) if is_indicator(c) => return Err(decline!()),
            Some(_) => self.plain(block)?,
            None => return Err(decline!()),
        };
        self.end_of_line()?;
        Ok(v)
    }

    /// `&NAME VALUE`: a one-line scalar or flow collection on the anchor's line, remembered
    /// for later aliases. Anchors on anything else (block collections, block scalars, empty
    /// nodes) are declined.
    fn anchored(&mut self, block: Option<usize>) -> Res<Value> {
        let (name, end) = self.anchor_name(self.pos + 1)?;
        if self.peek_at(end) != Some(b' ') {
            return Err(decline!());
        }
        self.pos = end;
        self.skip_spaces();
        if matches!(
            self.peek(),
            None | Some(b'\n' | b'#' | b'|' | b'>' | b'&' | b'*' | b'!')
        ) {
            return Err(decline!());
        }
        let value = self.inline_value(block)?;
        self.anchors.push((name, value.clone()));
        Ok(value)
    }

    /// `*NAME`: the value of the latest anchor of that name before it.
    fn alias(&mut self) -> Res<Value> {
        let (name, end) = self.anchor_name(self.pos + 1)?;
        self.aliases += 1;
        if self.aliases > MAX_ALIASES {
            return Err(decline!());
        }
        let value = self
            .anchors
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .ok_or(decline!())?;
        self.pos = end;
        Ok(value)
    }

    /// The name of an anchor or alias starting at `from` (after its `&` or `*`), restricted
    /// to the characters libyaml accepts (ASCII letters and digits, `-`, `_`), and its end.
    fn anchor_name(&self, from: usize) -> Res<(&'a str, usize)> {
        let b = self.b;
        let mut end = from;
        while b
            .get(end)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        {
            end += 1;
        }
        if end == from {
            return Err(decline!());
        }
        Ok((self.slice(from, end)?, end))
    }

    /// The text of a plain scalar's line from the reader: up to a line break, a comment or the
    /// end of the input, trailing spaces excluded. Declines on tabs and on `: ` (a mapping
    /// value indicator, which a value may not contain). Returns the end of the text and whether
    /// the line ended (rather than a comment).
    fn plain_line(&self, from: usize) -> Res<(usize, bool)> {
        let b = self.b;
        let mut i = from;
        loop {
            i = skip_ordinary(b, i);
            let trimmed = || {
                let mut end = i;
                while end > from && b[end - 1] == b' ' {
                    end -= 1;
                }
                end
            };
            match b.get(i) {
                None => return Ok((trimmed(), false)),
                Some(b'\n') => return Ok((trimmed(), true)),
                Some(b'\t') => return Err(decline!()),
                Some(b':') if is_space_or_end(b.get(i + 1).copied()) => return Err(decline!()),
                Some(b'#') if i > from && b[i - 1] == b' ' => return Ok((trimmed(), false)),
                Some(_) => i += 1,
            }
        }
    }

    /// A plain scalar in block context, folded over continuation lines indented past the
    /// enclosing block collection at column `block` (libyaml's `yaml_parser_scan_plain_scalar`).
    fn plain(&mut self, block: Option<usize>) -> Res<Value> {
        let start = self.pos;
        let (mut end, mut line_ended) = self.plain_line(start)?;
        let mut folded: Option<String> = None;
        while line_ended {
            // Look past empty lines for a continuation line.
            let mut i = end;
            let mut breaks = 0;
            let mut line_start = self.line_start;
            let mut col = 0;
            loop {
                let spaces = count_spaces(self.b, i);
                i += spaces;
                col += spaces;
                match self.b.get(i) {
                    Some(b'\n') => {
                        breaks += 1;
                        i += 1;
                        line_start = i;
                        col = 0;
                    }
                    Some(b'\t') => return Err(decline!()),
                    _ => break,
                }
            }
            let more = self.b.get(i).is_some_and(|&c| c != b'#') && block.is_none_or(|b| col > b);
            if !more {
                break;
            }
            if block.is_none() && col == 0 {
                // A document marker or more text at the root.
                return Err(decline!());
            }
            let (next_end, next_ended) = self.plain_line(i)?;
            let text = folded.get_or_insert_with(|| {
                let mut t = String::new();
                t.push_str(self.text.get(start..end).unwrap_or_default());
                t
            });
            if breaks == 1 {
                text.push(' ');
            } else {
                push_breaks(text, breaks - 1);
            }
            text.push_str(self.slice(i, next_end)?);
            self.line_start = line_start;
            end = next_end;
            line_ended = next_ended;
        }
        self.pos = end;
        let value = match &folded {
            Some(text) => plain_scalar_value(text, self.mode),
            None => plain_scalar_value(self.slice(start, end)?, self.mode),
        };
        value.map_err(|_| decline!())
    }

    /// A quoted scalar (at its opening quote). With `lines` set to `Some(block)` it may run
    /// over several lines, each indented past the block collection at column `block` (`None`
    /// at the document root), folded as libyaml's `yaml_parser_scan_flow_scalar` folds them;
    /// with `None` it must close on its own line.
    fn quoted(&mut self, lines: Option<Option<usize>>) -> Res<String> {
        let single = self.peek() == Some(b'\'');
        self.pos += 1;
        let mut out = String::new();
        loop {
            // A run of non-blank characters.
            let mut leading_blanks = false;
            let mut seg = self.pos;
            loop {
                let c = self.peek().ok_or(decline!())?;
                match c {
                    b'\'' if single => {
                        out.push_str(self.slice(seg, self.pos)?);
                        self.pos += 1;
                        if self.peek() != Some(b'\'') {
                            return Ok(out);
                        }
                        seg = self.pos;
                        self.pos += 1;
                    }
                    b'"' if !single => {
                        out.push_str(self.slice(seg, self.pos)?);
                        self.pos += 1;
                        return Ok(out);
                    }
                    b'\\' if !single => {
                        out.push_str(self.slice(seg, self.pos)?);
                        self.pos += 1;
                        if self.peek() == Some(b'\n') {
                            // An escaped line break joins the lines without a space.
                            lines.ok_or(decline!())?;
                            self.pos += 1;
                            self.line_start = self.pos;
                            leading_blanks = true;
                            seg = self.pos;
                            break;
                        }
                        self.escape(&mut out)?;
                        seg = self.pos;
                    }
                    b' ' | b'\n' => break,
                    b'\t' => return Err(decline!()),
                    _ => self.pos += 1,
                }
            }
            out.push_str(self.slice(seg, self.pos)?);
            // Blanks and line breaks.
            let spaces = self.pos;
            let mut leading_break = false;
            let mut trailing_breaks = 0;
            loop {
                match self.peek() {
                    Some(b' ') => self.pos += 1,
                    Some(b'\n') => {
                        if leading_blanks {
                            trailing_breaks += 1;
                        } else {
                            leading_break = true;
                            leading_blanks = true;
                        }
                        self.pos += 1;
                        self.line_start = self.pos;
                    }
                    Some(b'\t') | None => return Err(decline!()),
                    Some(_) => break,
                }
            }
            if leading_blanks {
                let block = lines.ok_or(decline!())?;
                let col = self.col();
                if block.map_or(col == 0, |b| col <= b) {
                    return Err(decline!());
                }
                if leading_break && trailing_breaks == 0 {
                    out.push(' ');
                } else {
                    push_breaks(&mut out, trailing_breaks);
                }
            } else {
                out.push_str(self.slice(spaces, self.pos)?);
            }
        }
    }

    /// One escape sequence after its backslash.
    fn escape(&mut self, out: &mut String) -> Res<()> {
        let c = self.peek().ok_or(decline!())?;
        self.pos += 1;
        let simple = match c {
            b'0' => '\0',
            b'a' => '\u{7}',
            b'b' => '\u{8}',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\u{b}',
            b'f' => '\u{c}',
            b'r' => '\r',
            b'e' => '\u{1b}',
            b' ' => ' ',
            b'"' => '"',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' => self.hex_escape(2)?,
            b'u' => self.hex_escape(4)?,
            b'U' => self.hex_escape(8)?,
            _ => return Err(decline!()),
        };
        out.push(simple);
        Ok(())
    }

    fn hex_escape(&mut self, digits: usize) -> Res<char> {
        let hex = self.slice(self.pos, self.pos + digits)?;
        if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(decline!());
        }
        self.pos += digits;
        let v = u32::from_str_radix(hex, 16).map_err(|_| decline!())?;
        char::from_u32(v).ok_or(decline!())
    }

    /// Skips spaces; at `close` (an empty flow collection), consumes it and says so.
    fn flow_closes(&mut self, close: u8) -> bool {
        self.skip_spaces();
        let closes = self.peek() == Some(close);
        if closes {
            self.pos += 1;
        }
        closes
    }

    /// After a flow item: skips spaces and consumes `,` (more items follow: `false`) or
    /// `close` (the collection ends: `true`); anything else is declined.
    fn flow_separator(&mut self, close: u8) -> Res<bool> {
        self.skip_spaces();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(c) if c == close => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(decline!()),
        }
    }

    /// A flow sequence or mapping closed on the same line, of scalars and nested flow
    /// collections.
    fn flow(&mut self) -> Res<Value> {
        self.enter()?;
        let open = self.peek().ok_or(decline!())?;
        self.pos += 1;
        let v = if open == b'[' {
            let mut items = Vec::new();
            if !self.flow_closes(b']') {
                loop {
                    self.skip_spaces();
                    items.push(self.flow_item()?);
                    if self.flow_separator(b']')? {
                        break;
                    }
                }
            }
            Value::Array(items)
        } else {
            let mut map = Map::new();
            if !self.flow_closes(b'}') {
                loop {
                    self.skip_spaces();
                    let key = match self.peek() {
                        Some(b'"' | b'\'') => self.quoted(None)?,
                        _ => {
                            let k = self.flow_plain_text()?;
                            if k == "<<" || !plain_key_is_text(k) {
                                return Err(decline!());
                            }
                            k.to_string()
                        }
                    };
                    if self.peek() != Some(b':') || self.peek_at(self.pos + 1) != Some(b' ') {
                        return Err(decline!());
                    }
                    self.pos += 2;
                    self.skip_spaces();
                    let value = self.flow_item()?;
                    map.insert(key, value);
                    if self.flow_separator(b'}')? {
                        break;
                    }
                }
            }
            Value::Object(map)
        };
        self.depth -= 1;
        Ok(v)
    }

    fn flow_item(&mut self) -> Res<Value> {
        match self.peek() {
            Some(b'[' | b'{') => self.flow(),
            Some(b'"' | b'\'') => Ok(Value::String(self.quoted(None)?)),
            _ => {
                let text = self.flow_plain_text()?;
                plain_scalar_value(text, self.mode).map_err(|_| decline!())
            }
        }
    }

    /// A plain scalar inside a flow collection: up to the next `,`, `]`, `}` or `:`, without
    /// any character that could make it mean something else.
    fn flow_plain_text(&mut self) -> Res<&'a str> {
        let b = self.b;
        let start = self.pos;
        match b.get(start) {
            Some(&b'-') => {
                if matches!(
                    b.get(start + 1),
                    None | Some(b' ' | b'\n' | b',' | b'[' | b']' | b'{' | b'}')
                ) {
                    return Err(decline!());
                }
            }
            Some(&c) if is_indicator(c) => return Err(decline!()),
            None => return Err(decline!()),
            Some(_) => {}
        }
        let mut i = start;
        let mut end = start;
        while let Some(&c) = b.get(i) {
            match c {
                b',' | b']' | b'}' | b':' => break,
                b'\n' | b'\t' | b'#' | b'[' | b'{' | b'"' | b'\'' => return Err(decline!()),
                b' ' => {}
                _ => end = i + 1,
            }
            i += 1;
        }
        if end == start {
            return Err(decline!());
        }
        self.pos = end;
        self.slice(start, end)
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at the reader, in a block
    /// collection at column `block`; follows libyaml's `yaml_parser_scan_block_scalar`.
    fn block_scalar(&mut self, block: usize) -> Res<Value> {
        let literal = self.peek() == Some(b'|');
        self.pos += 1;
        let mut chomp = Chomp::Clip;
        let mut increment = 0;
        for _ in 0..2 {
            match self.peek() {
                Some(b'-') if chomp == Chomp::Clip => chomp = Chomp::Strip,
                Some(b'+') if chomp == Chomp::Clip => chomp = Chomp::Keep,
                Some(d @ b'1'..=b'9') if increment == 0 => increment = usize::from(d - b'0'),
                _ => break,
            }
            self.pos += 1;
        }
        // The rest of the header line: spaces and an optional comment.
        if !self.only_comment_left() || self.peek().is_none() {
            return Err(decline!());
        }
        self.next_line();
        let mut indent = if increment > 0 { block + increment } else { 0 };
        let mut trailing_breaks = 0usize;
        // Leading empty lines and the indentation of the first text line.
        let mut max_indent = 0;
        loop {
            while self.peek() == Some(b' ') && (indent == 0 || self.col() < indent) {
                self.pos += 1;
            }
            max_indent = max_indent.max(self.col());
            match self.peek() {
                Some(b'\t') => return Err(decline!()),
                Some(b'\n') => {
                    trailing_breaks += 1;
                    self.pos += 1;
                    self.line_start = self.pos;
                }
                _ => break,
            }
        }
        if indent == 0 {
            indent = max_indent.max(block + 1);
        }
        let mut out = String::new();
        let mut leading_break = false;
        let mut leading_blank = false;
        let mut lines = 0usize;
        while self.col() == indent && !self.at_eof() {
            let first = self.peek();
            let blank = matches!(first, Some(b' ' | b'\t'));
            if !literal && blank {
                // More-indented lines fold differently in YAML 1.1 and 1.2.
                return Err(decline!());
            }
            if lines > 0 && !literal && leading_break && !leading_blank && !blank {
                if trailing_breaks == 0 {
                    out.push(' ');
                }
            } else if leading_break {
                out.push('\n');
            }
            push_breaks(&mut out, trailing_breaks);
            trailing_breaks = 0;
            leading_blank = blank;
            let start = self.pos;
            let end = self.b[start..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(self.b.len(), |i| start + i);
            let line = self.slice(start, end)?;
            if line.trim_matches([' ', '\t']).is_empty() && line.contains('\t') {
                return Err(decline!());
            }
            out.push_str(line);
            lines += 1;
            self.pos = end;
            leading_break = false;
            // A last line without a line break (end of input) leaves no newline to keep.
            if self.peek() == Some(b'\n') {
                leading_break = true;
                self.pos += 1;
                self.line_start = self.pos;
            }
            // Following empty lines, and the next line's indentation.
            loop {
                while self.peek() == Some(b' ') && self.col() < indent {
                    self.pos += 1;
                }
                match self.peek() {
                    Some(b'\t') if self.col() < indent => return Err(decline!()),
                    Some(b'\n') => {
                        trailing_breaks += 1;
                        self.pos += 1;
                        self.line_start = self.pos;
                    }
                    _ => break,
                }
            }
        }
        if lines == 0 {
            // No text at all: an empty string unless line breaks are kept or empty lines
            // are indented past the block (which YAML 1.1 and 1.2 treat differently).
            if chomp == Chomp::Keep || max_indent > block {
                return Err(decline!());
            }
        }
        if chomp != Chomp::Strip && leading_break {
            out.push('\n');
        }
        if chomp == Chomp::Keep {
            push_breaks(&mut out, trailing_breaks);
        }
        // Continue from the start of the line that ended the scalar.
        if !self.at_eof() {
            self.pos = self.line_start;
        }
        self.next_content()?;
        Ok(Value::String(out))
    }
}

/// How many spaces start `b[i..]`.
fn count_spaces(b: &[u8], i: usize) -> usize {
    let mut j = i;
    // Deep indentation is common (CRDs): step over eight spaces at a time.
    while let Some(word) = b.get(j..j + 8) {
        if word != b"        " {
            break;
        }
        j += 8;
    }
    while b.get(j) == Some(&b' ') {
        j += 1;
    }
    j - i
}

/// Bytes that end or may end a plain scalar's or key's text on a line.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'\n' as usize] = true;
    t[b'\t' as usize] = true;
    t[b':' as usize] = true;
    t[b'#' as usize] = true;
    t
};

/// The offset of the first byte at or after `i` that is a line break, tab, `:` or `#` (or the
/// end of the input).
fn skip_ordinary(b: &[u8], mut i: usize) -> usize {
    while let Some(&c) = b.get(i) {
        if SPECIAL[usize::from(c)] {
            break;
        }
        i += 1;
    }
    i
}

fn push_breaks(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push('\n');
    }
}

/// Characters that cannot start a plain scalar or key in this subset (they start other tokens,
/// or are reserved, or change meaning when followed by a space).
fn is_indicator(c: u8) -> bool {
    matches!(
        c,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b' '
            | b'\t'
    )
}

#[cfg(test)]
#[path = "fast_tests.rs"]
mod tests;
