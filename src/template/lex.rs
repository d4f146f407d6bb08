//! The lexer: splits template text into Go `text/template` items, with Go's exact rules for
//! delimiters, trim markers (`{{- ` / ` -}}`), comments, strings and numbers.

use super::gofmt::quote;

/// The kind of a lexed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemType {
    /// A lexing error; the value is the message.
    Error,
    /// Boolean constant.
    Bool,
    /// Printable ASCII character not otherwise classified (e.g. `,`).
    Char,
    /// Character constant `'a'`.
    CharConstant,
    /// Complex constant `1+2i`.
    Complex,
    /// `=`.
    Assign,
    /// `:=`.
    Declare,
    /// End of input.
    Eof,
    /// `.Field`.
    Field,
    /// Alphanumeric identifier (function name).
    Identifier,
    /// Left delimiter.
    LeftDelim,
    /// `(`.
    LeftParen,
    /// A number.
    Number,
    /// `|`.
    Pipe,
    /// Raw (backquoted) string including quotes.
    RawString,
    /// Right delimiter.
    RightDelim,
    /// `)`.
    RightParen,
    /// Run of spaces.
    Space,
    /// Interpreted string including quotes.
    String,
    /// Plain text.
    Text,
    /// `$x`.
    Variable,
    /// Keyword `block`.
    Block,
    /// Keyword `break`.
    Break,
    /// Keyword `continue`.
    Continue,
    /// `.` alone.
    Dot,
    /// Keyword `define`.
    Define,
    /// Keyword `else`.
    Else,
    /// Keyword `end`.
    End,
    /// Keyword `if`.
    If,
    /// Keyword `nil`.
    Nil,
    /// Keyword `range`.
    Range,
    /// Keyword `template`.
    Template,
    /// Keyword `with`.
    With,
}

impl ItemType {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemType::Block
                | ItemType::Break
                | ItemType::Continue
                | ItemType::Dot
                | ItemType::Define
                | ItemType::Else
                | ItemType::End
                | ItemType::If
                | ItemType::Nil
                | ItemType::Range
                | ItemType::Template
                | ItemType::With
        )
    }
}

/// Why lexing stopped with an [`ItemType::Error`] item. The message text (Go's) is built only
/// when asked for, by [`Item::text`], so that items stay `Copy` and borrow the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LexError {
    /// `unclosed comment`.
    UnclosedComment,
    /// `comment ends before closing delimiter`.
    CommentEndsBeforeDelim,
    /// `unclosed left paren`.
    UnclosedLeftParen,
    /// `unclosed action`.
    UnclosedAction,
    /// `expected :=`.
    ExpectedDeclare,
    /// `unexpected right paren`.
    UnexpectedRightParen,
    /// `unrecognized character in action: U+...`; the item's `val` is the character.
    UnrecognizedChar,
    /// `bad character U+...`; the item's `val` is the character (empty at end of input).
    BadChar,
    /// `unterminated character constant`.
    UnterminatedChar,
    /// `unterminated quoted string`.
    UnterminatedQuote,
    /// `unterminated raw quoted string`.
    UnterminatedRawQuote,
    /// `bad number syntax: "..."`; the item's `val` is the number text.
    BadNumber,
}

impl LexError {
    /// Go's message for this error; `val` is the error item's text.
    fn message(self, val: &str) -> String {
        match self {
            LexError::UnclosedComment => "unclosed comment".into(),
            LexError::CommentEndsBeforeDelim => "comment ends before closing delimiter".into(),
            LexError::UnclosedLeftParen => "unclosed left paren".into(),
            LexError::UnclosedAction => "unclosed action".into(),
            LexError::ExpectedDeclare => "expected :=".into(),
            LexError::UnexpectedRightParen => "unexpected right paren".into(),
            LexError::UnrecognizedChar => {
                let c = val.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
                format!("unrecognized character in action: {}", rune_u(c))
            }
            LexError::BadChar => match val.chars().next() {
                Some(c) => format!("bad character {}", rune_u(c)),
                None => "bad character U+FFFFFFFF".into(),
            },
            LexError::UnterminatedChar => "unterminated character constant".into(),
            LexError::UnterminatedQuote => "unterminated quoted string".into(),
            LexError::UnterminatedRawQuote => "unterminated raw quoted string".into(),
            LexError::BadNumber => format!("bad number syntax: {}", quote(val)),
        }
    }
}

/// One lexed item: its type, byte position and text. Items borrow their text from the input,
/// so lexing allocates nothing per item and items are cheap to copy. The 1-based line of an
/// item, needed only for error messages, is [`line_at`] of its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item<'a> {
    /// Item kind.
    pub typ: ItemType,
    /// For [`ItemType::Error`] items, what went wrong.
    pub error: Option<LexError>,
    /// Byte offset of the start of the item in the input.
    pub pos: usize,
    /// The item's text in the input (for an error, the offending text, see [`LexError`]).
    pub val: &'a str,
}

/// The 1-based line of byte position `pos` of `input`: one plus the newlines before it (the
/// line Go's lexer records for an item starting there).
pub fn line_at(input: &str, pos: usize) -> usize {
    let pos = pos.min(input.len());
    1 + count_newlines(&input.as_bytes()[..pos])
}

impl<'a> Item<'a> {
    /// The item's text, or for an error item Go's error message.
    pub fn text(&self) -> std::borrow::Cow<'a, str> {
        match self.error {
            Some(e) => std::borrow::Cow::Owned(e.message(self.val)),
            None => std::borrow::Cow::Borrowed(self.val),
        }
    }
}

impl std::fmt::Display for Item<'_> {
    /// Go's `item.String()`, used in parse error messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.typ {
            ItemType::Eof => write!(f, "EOF"),
            ItemType::Error => write!(f, "{}", self.text()),
            t if t.is_keyword() => write!(f, "<{}>", self.val),
            _ if self.val.chars().count() > 10 => {
                let short: String = self.val.chars().take(10).collect();
                write!(f, "{}...", quote(&short))
            }
            _ => write!(f, "{}", quote(self.val)),
        }
    }
}

const TRIM_MARKER: u8 = b'-';
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// ASCII letters, digits and `_`: the bytes of an identifier's ASCII run, as one table load.
static IDENT_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b == b'_' || b.is_ascii_alphanumeric();
        i += 1;
    }
    t
};

fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c == '_' || c.is_ascii_alphanumeric()
    } else {
        c.is_alphabetic() || c.is_numeric()
    }
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == TRIM_MARKER && is_space_byte(b[1])
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space_byte(b[0]) && b[1] == TRIM_MARKER
}

fn left_trim_length(s: &str) -> usize {
    s.bytes().take_while(|&b| is_space_byte(b)).count()
}

fn right_trim_length(s: &str) -> usize {
    s.bytes().rev().take_while(|&b| is_space_byte(b)).count()
}

/// `hay.starts_with(needle)` for the short delimiters: a byte loop, as a library comparison
/// would call `memcmp` for every two-byte check.
#[inline]
fn starts_with(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    h.len() >= n.len() && h.iter().zip(n).all(|(a, b)| a == b)
}

/// Number of `\n` bytes in `b`.
fn count_newlines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// Byte offset of the first occurrence of `needle` (non-empty) in `hay`: a `memchr` scan for
/// its first byte, then a prefix check. A match found this way starts on a character
/// boundary, as `needle` does.
fn find_delim(hay: &str, needle: &str) -> Option<usize> {
    let first = *needle.as_bytes().first()?;
    let h = hay.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr(first, &h[from..]) {
        let at = from + i;
        if starts_with(&hay[at..], needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Go's `%#U` rendering of a rune: `U+0021 '!'`.
fn rune_u(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{}'", c as u32, c)
    }
}

/// An on-demand lexer: [`Lexer::next_item`] runs the state machine just far enough to produce
/// the next item, so the parser never needs a materialised item list.
pub struct Lexer<'a> {
    input: &'a str,
    left: &'a str,
    right: &'a str,
    pos: usize,
    start: usize,
    paren_depth: i64,
    /// The item produced by the last state step, if any (each step emits at most one).
    item: Option<Item<'a>>,
    /// Position of the last item produced (where the endless trailing EOF items sit).
    last_pos: usize,
    state: State,
    break_ok: bool,
    continue_ok: bool,
}

#[derive(Clone, Copy)]
enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Eof,
    Done,
}

/// Lexes `input` completely, stopping after the first error or EOF item.
/// `break_ok`/`continue_ok` are false when a function of that name exists (Go's rule).
pub fn lex<'a>(
    input: &'a str,
    left: &'a str,
    right: &'a str,
    break_ok: bool,
    continue_ok: bool,
) -> Vec<Item<'a>> {
    let mut l = Lexer::new(input, left, right, break_ok, continue_ok);
    let mut items = Vec::new();
    loop {
        let it = l.next_item();
        items.push(it);
        if matches!(it.typ, ItemType::Eof | ItemType::Error) {
            return items;
        }
    }
}

impl<'a> Lexer<'a> {
    /// A lexer over `input` with delimiters `left`/`right` (empty means `{{`/`}}`).
    /// `break_ok`/`continue_ok` are false when a function of that name exists (Go's rule).
    pub fn new(
        input: &'a str,
        left: &'a str,
        right: &'a str,
        break_ok: bool,
        continue_ok: bool,
    ) -> Lexer<'a> {
        Lexer {
            input,
            left: if left.is_empty() { "{{" } else { left },
            right: if right.is_empty() { "}}" } else { right },
            pos: 0,
            start: 0,
            paren_depth: 0,
            item: None,
            last_pos: 0,
            state: State::Text,
            break_ok,
            continue_ok,
        }
    }

    /// The next item. After the EOF or error item, every call returns an EOF item at the
    /// position of that last item.
    pub fn next_item(&mut self) -> Item<'a> {
        loop {
            self.state = match self.state {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::Comment => self.lex_comment(),
                State::RightDelim => self.lex_right_delim(),
                State::InsideAction => self.lex_inside_action(),
                State::Eof => {
                    self.emit(ItemType::Eof);
                    State::Done
                }
                State::Done => {
                    return Item {
                        typ: ItemType::Eof,
                        error: None,
                        pos: self.last_pos,
                        val: "",
                    };
                }
            };
            if let Some(it) = self.item.take() {
                return it;
            }
        }
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn peek(&self) -> Option<char> {
        match self.input.as_bytes().get(self.pos) {
            Some(&b) if b.is_ascii() => Some(b as char),
            Some(_) => self.rest().chars().next(),
            None => None,
        }
    }

    fn backup(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.pos -= c.len_utf8();
        }
    }

    fn push(&mut self, item: Item<'a>) {
        debug_assert!(self.item.is_none(), "one item per lexer step");
        self.last_pos = item.pos;
        self.item = Some(item);
    }

    fn emit(&mut self, typ: ItemType) {
        self.push(Item {
            typ,
            error: None,
            pos: self.start,
            val: &self.input[self.start..self.pos],
        });
        self.start = self.pos;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    /// Emits an error item whose text is `val` (see [`LexError`]) and stops lexing.
    fn error_with(&mut self, error: LexError, val: &'a str) -> State {
        self.push(Item {
            typ: ItemType::Error,
            error: Some(error),
            pos: self.start,
            val,
        });
        State::Done
    }

    fn error(&mut self, error: LexError) -> State {
        self.error_with(error, "")
    }

    /// Consumes the next character if `valid` accepts it.
    fn accept(&mut self, valid: impl Fn(u8) -> bool) -> bool {
        match self.input.as_bytes().get(self.pos) {
            Some(&b) if valid(b) => {
                // Only ASCII bytes are ever accepted, so this stays on a char boundary.
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: impl Fn(u8) -> bool) {
        while self.accept(&valid) {}
    }

    #[inline(always)]
    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        // Fast path: neither a trim marker's space nor the delimiter's first byte.
        if let (Some(&b), Some(&d)) = (rest.as_bytes().first(), self.right.as_bytes().first())
            && b != d
            && !is_space_byte(b)
        {
            return (false, false);
        }
        if has_right_trim_marker(rest) && starts_with(&rest[2..], self.right) {
            return (true, true);
        }
        (starts_with(rest, self.right), false)
    }

    #[inline]
    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => starts_with(self.rest(), self.right),
        }
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = find_delim(self.rest(), self.left) {
            if x > 0 {
                self.pos += x;
                let delim_end = self.pos + self.left.len();
                let trim = if has_left_trim_marker(&self.input[delim_end..]) {
                    right_trim_length(&self.input[self.start..self.pos])
                } else {
                    0
                };
                self.pos -= trim;
                if self.pos > self.start {
                    self.emit(ItemType::Text);
                }
                self.pos += trim;
                self.ignore();
            }
            return State::LeftDelim;
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.emit(ItemType::Text);
        }
        State::Eof
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += self.left.len();
        let trim = has_left_trim_marker(self.rest());
        let after = if trim { 2 } else { 0 };
        if self.input[self.pos + after..].starts_with(LEFT_COMMENT) {
            self.pos += after;
            self.ignore();
            return State::Comment;
        }
        self.emit(ItemType::LeftDelim);
        self.pos += after;
        self.ignore();
        self.paren_depth = 0;
        State::InsideAction
    }

    fn lex_comment(&mut self) -> State {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = find_delim(self.rest(), RIGHT_COMMENT) else {
            return self.error(LexError::UnclosedComment);
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error(LexError::CommentEndsBeforeDelim);
        }
        if trim {
            self.pos += 2;
        }
        self.pos += self.right.len();
        if trim {
            self.pos += left_trim_length(self.rest());
        }
        self.ignore();
        State::Text
    }

    fn lex_right_delim(&mut self) -> State {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += self.right.len();
        self.emit(ItemType::RightDelim);
        if trim {
            self.pos += left_trim_length(self.rest());
            self.ignore();
        }
        State::Text
    }

    fn lex_inside_action(&mut self) -> State {
        // Only a space (of a trim marker) or the delimiter's first byte can start the right
        // delimiter; other bytes skip the check.
        let first = self.input.as_bytes().get(self.pos).copied();
        if first.is_some_and(|b| is_space_byte(b) || Some(&b) == self.right.as_bytes().first())
            && self.at_right_delim().0
        {
            if self.paren_depth == 0 {
                return State::RightDelim;
            }
            return self.error(LexError::UnclosedLeftParen);
        }
        let Some(r) = self.next() else {
            return self.error(LexError::UnclosedAction);
        };
        match r {
            c if is_space(c) => {
                self.backup(Some(c));
                return self.lex_space();
            }
            '=' => self.emit(ItemType::Assign),
            ':' => {
                if self.next() != Some('=') {
                    return self.error(LexError::ExpectedDeclare);
                }
                self.emit(ItemType::Declare);
            }
            '|' => self.emit(ItemType::Pipe),
            '"' => return self.lex_quote(),
            '`' => return self.lex_raw_quote(),
            '$' => return self.lex_variable(),
            '\'' => return self.lex_char(),
            '.' if self.peek().is_some_and(|c| !c.is_ascii_digit()) => {
                return self.lex_field_or_variable(ItemType::Field);
            }
            '.' | '+' | '-' | '0'..='9' => {
                self.backup(Some(r));
                return self.lex_number();
            }
            c if is_alnum(c) => {
                self.backup(Some(c));
                return self.lex_identifier();
            }
            '(' => {
                self.paren_depth += 1;
                self.emit(ItemType::LeftParen);
            }
            ')' => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.error(LexError::UnexpectedRightParen);
                }
                self.emit(ItemType::RightParen);
            }
            c if c.is_ascii() && !c.is_ascii_control() => self.emit(ItemType::Char),
            c => {
                let at = self.pos - c.len_utf8();
                return self.error_with(LexError::UnrecognizedChar, &self.input[at..self.pos]);
            }
        }
        State::InsideAction
    }

    fn lex_space(&mut self) -> State {
        let n = left_trim_length(self.rest());
        self.pos += n;
        let before = &self.input[self.pos - 1..];
        if has_right_trim_marker(before) && starts_with(&before[2..], self.right) {
            self.pos -= 1;
            if n == 1 {
                return State::RightDelim;
            }
        }
        self.emit(ItemType::Space);
        State::InsideAction
    }

    /// Skips a run of alphanumeric characters (Go's `isAlphaNumeric`), returning the
    /// character after it, which is not consumed.
    fn skip_alnum(&mut self) -> Option<char> {
        let b = self.input.as_bytes();
        loop {
            // The ASCII run, counted in a local so the loop stays in registers.
            let run = b[self.pos..]
                .iter()
                .position(|&c| !IDENT_BYTE[usize::from(c)])
                .unwrap_or(b.len() - self.pos);
            self.pos += run;
            match b.get(self.pos) {
                None => return None,
                Some(&c) if c.is_ascii() => return Some(c as char),
                Some(_) => {
                    let c = self.peek()?;
                    if !is_alnum(c) {
                        return Some(c);
                    }
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn lex_identifier(&mut self) -> State {
        let r = self.skip_alnum();
        if !self.at_terminator() {
            return self.bad_char(r);
        }
        let word = &self.input[self.start..self.pos];
        // Keywords are 2-8 bytes and start with one of these letters; most identifiers are
        // function names that fail this check before any string comparison.
        let maybe_keyword = (2..=8).contains(&word.len())
            && matches!(
                word.as_bytes()[0],
                b'b' | b'c' | b'd' | b'e' | b'f' | b'i' | b'n' | b'r' | b't' | b'w'
            );
        let typ = match word {
            _ if !maybe_keyword => ItemType::Identifier,
            "block" => ItemType::Block,
            "break" if self.break_ok => ItemType::Break,
            "continue" if self.continue_ok => ItemType::Continue,
            "define" => ItemType::Define,
            "else" => ItemType::Else,
            "end" => ItemType::End,
            "if" => ItemType::If,
            "range" => ItemType::Range,
            "nil" => ItemType::Nil,
            "template" => ItemType::Template,
            "with" => ItemType::With,
            "true" | "false" => ItemType::Bool,
            _ => ItemType::Identifier,
        };
        self.emit(typ);
        State::InsideAction
    }

    /// `bad character` for `r`, the character at the current position (backed up).
    fn bad_char(&mut self, r: Option<char>) -> State {
        let end = self.pos + r.map_or(0, char::len_utf8);
        self.error_with(LexError::BadChar, &self.input[self.pos..end])
    }

    fn lex_variable(&mut self) -> State {
        if self.at_terminator() {
            self.emit(ItemType::Variable);
            return State::InsideAction;
        }
        self.lex_field_or_variable(ItemType::Variable)
    }

    fn lex_field_or_variable(&mut self, typ: ItemType) -> State {
        if self.at_terminator() {
            self.emit(if typ == ItemType::Variable {
                ItemType::Variable
            } else {
                ItemType::Dot
            });
            return State::InsideAction;
        }
        let last = self.skip_alnum();
        if !self.at_terminator() {
            return self.bad_char(last);
        }
        self.emit(typ);
        State::InsideAction
    }

    fn lex_char(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => return self.error(LexError::UnterminatedChar),
                },
                None | Some('\n') => return self.error(LexError::UnterminatedChar),
                Some('\'') => break,
                _ => {}
            }
        }
        self.emit(ItemType::CharConstant);
        State::InsideAction
    }

    fn lex_quote(&mut self) -> State {
        // Only ASCII bytes stop the scan, so it always stops on a character boundary.
        let b = self.input.as_bytes();
        loop {
            let Some(i) = memchr::memchr3(b'"', b'\\', b'\n', &b[self.pos..]) else {
                self.pos = b.len();
                return self.error(LexError::UnterminatedQuote);
            };
            self.pos += i;
            match b[self.pos] {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => {
                    self.pos += 1;
                    match self.next() {
                        Some(c) if c != '\n' => {}
                        _ => return self.error(LexError::UnterminatedQuote),
                    }
                }
                _ => {
                    self.pos += 1;
                    return self.error(LexError::UnterminatedQuote);
                }
            }
        }
        self.emit(ItemType::String);
        State::InsideAction
    }

    fn lex_raw_quote(&mut self) -> State {
        match self.rest().find('`') {
            Some(i) => self.pos += i + 1,
            None => {
                self.pos = self.input.len();
                return self.error(LexError::UnterminatedRawQuote);
            }
        }
        self.emit(ItemType::RawString);
        State::InsideAction
    }

    fn bad_number(&mut self) -> State {
        let text = &self.input[self.start..self.pos];
        self.error_with(LexError::BadNumber, text)
    }

    fn lex_number(&mut self) -> State {
        if !self.scan_number() {
            return self.bad_number();
        }
        if matches!(self.peek(), Some('+' | '-')) {
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                return self.bad_number();
            }
            self.emit(ItemType::Complex);
            return State::InsideAction;
        }
        self.emit(ItemType::Number);
        State::InsideAction
    }

    fn scan_number(&mut self) -> bool {
        let dec = |b: u8| b.is_ascii_digit() || b == b'_';
        let sign = |b: u8| b == b'+' || b == b'-';
        self.accept(sign);
        #[derive(PartialEq)]
        enum Base {
            Dec,
            Hex,
            Oct,
            Bin,
        }
        let mut base = Base::Dec;
        if self.accept(|b| b == b'0') {
            if self.accept(|b| b == b'x' || b == b'X') {
                base = Base::Hex;
            } else if self.accept(|b| b == b'o' || b == b'O') {
                base = Base::Oct;
            } else if self.accept(|b| b == b'b' || b == b'B') {
                base = Base::Bin;
            }
        }
        let digits = |b: u8| match base {
            Base::Dec => dec(b),
            Base::Hex => b.is_ascii_hexdigit() || b == b'_',
            Base::Oct => (b'0'..=b'7').contains(&b) || b == b'_',
            Base::Bin => b == b'0' || b == b'1' || b == b'_',
        };
        self.accept_run(digits);
        if self.accept(|b| b == b'.') {
            self.accept_run(digits);
        }
        if base == Base::Dec && self.accept(|b| b == b'e' || b == b'E') {
            self.accept(sign);
            self.accept_run(dec);
        }
        if base == Base::Hex && self.accept(|b| b == b'p' || b == b'P') {
            self.accept(sign);
            self.accept_run(dec);
        }
        self.accept(|b| b == b'i');
        if let Some(c) = self.peek()
            && is_alnum(c)
        {
            self.next();
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::ItemType as T;
    use super::*;

    fn kinds(input: &str) -> Vec<(T, String)> {
        lex(input, "", "", true, true)
            .into_iter()
            .map(|i| (i.typ, i.text().into_owned()))
            .collect()
    }

    fn k(t: T, s: &str) -> (T, String) {
        (t, s.to_string())
    }

    #[test]
    fn lex_table() {
        let ld = || k(T::LeftDelim, "{{");
        let rd = || k(T::RightDelim, "}}");
        let eof = || k(T::Eof, "");
        let sp = || k(T::Space, " ");
        let cases: Vec<(&str, Vec<(T, String)>)> = vec![
            ("", vec![eof()]),
            (" \t\n", vec![k(T::Text, " \t\n"), eof()]),
            (
                "now is the time",
                vec![k(T::Text, "now is the time"), eof()],
            ),
            (
                "hello-{{/* this is a comment */}}-world",
                vec![k(T::Text, "hello-"), k(T::Text, "-world"), eof()],
            ),
            (
                "{{,@% }}",
                vec![
                    ld(),
                    k(T::Char, ","),
                    k(T::Char, "@"),
                    k(T::Char, "%"),
                    sp(),
                    rd(),
                    eof(),
                ],
            ),
            (
                "{{((3))}}",
                vec![
                    ld(),
                    k(T::LeftParen, "("),
                    k(T::LeftParen, "("),
                    k(T::Number, "3"),
                    k(T::RightParen, ")"),
                    k(T::RightParen, ")"),
                    rd(),
                    eof(),
                ],
            ),
            ("{{}}", vec![ld(), rd(), eof()]),
            ("{{for}}", vec![ld(), k(T::Identifier, "for"), rd(), eof()]),
            (
                "{{block \"foo\" .}}",
                vec![
                    ld(),
                    k(T::Block, "block"),
                    sp(),
                    k(T::String, "\"foo\""),
                    sp(),
                    k(T::Dot, "."),
                    rd(),
                    eof(),
                ],
            ),
            (
                "{{\"abc \\n\\t\\\" \"}}",
                vec![ld(), k(T::String, "\"abc \\n\\t\\\" \""), rd(), eof()],
            ),
            (
                "{{`abc\n\t\" `}}",
                vec![ld(), k(T::RawString, "`abc\n\t\" `"), rd(), eof()],
            ),
            (
                "{{1 02 0x14 0X14 -7.2i 1e3 1E3 +1.2e-4 4.2i 1+2i 1_2 0x1.e_fp4 0X1.E_FP4}}",
                vec![
                    ld(),
                    k(T::Number, "1"),
                    sp(),
                    k(T::Number, "02"),
                    sp(),
                    k(T::Number, "0x14"),
                    sp(),
                    k(T::Number, "0X14"),
                    sp(),
                    k(T::Number, "-7.2i"),
                    sp(),
                    k(T::Number, "1e3"),
                    sp(),
                    k(T::Number, "1E3"),
                    sp(),
                    k(T::Number, "+1.2e-4"),
                    sp(),
                    k(T::Number, "4.2i"),
                    sp(),
                    k(T::Complex, "1+2i"),
                    sp(),
                    k(T::Number, "1_2"),
                    sp(),
                    k(T::Number, "0x1.e_fp4"),
                    sp(),
                    k(T::Number, "0X1.E_FP4"),
                    rd(),
                    eof(),
                ],
            ),
            (
                "{{'a' '\\n' '\\'' '\\\\' '\\u00FF' '\\xFF' '本'}}",
                vec![
                    ld(),
                    k(T::CharConstant, "'a'"),
                    sp(),
                    k(T::CharConstant, "'\\n'"),
                    sp(),
                    k(T::CharConstant, "'\\''"),
                    sp(),
                    k(T::CharConstant, "'\\\\'"),
                    sp(),
                    k(T::CharConstant, "'\\u00FF'"),
                    sp(),
                    k(T::CharConstant, "'\\xFF'"),
                    sp(),
                    k(T::CharConstant, "'本'"),
                    rd(),
                    eof(),
                ],
            ),
            (
                "{{true false}}",
                vec![
                    ld(),
                    k(T::Bool, "true"),
                    sp(),
                    k(T::Bool, "false"),
                    rd(),
                    eof(),
                ],
            ),
            ("{{.}}", vec![ld(), k(T::Dot, "."), rd(), eof()]),
            ("{{nil}}", vec![ld(), k(T::Nil, "nil"), rd(), eof()]),
            (
                "{{.x . .2 .x.y.z}}",
                vec![
                    ld(),
                    k(T::Field, ".x"),
                    sp(),
                    k(T::Dot, "."),
                    sp(),
                    k(T::Number, ".2"),
                    sp(),
                    k(T::Field, ".x"),
                    k(T::Field, ".y"),
                    k(T::Field, ".z"),
                    rd(),
                    eof(),
                ],
            ),
            (
                "{{range if else end with}}",
                vec![
                    ld(),
                    k(T::Range, "range"),
                    sp(),
                    k(T::If, "if"),
                    sp(),
                    k(T::Else, "else"),
                    sp(),
                    k(T::End, "end"),
                    sp(),
                    k(T::With, "with"),
                    rd(),
                    eof(),
                ],
            ),
            (
                "{{$c := printf $ $hello $23 $ $var.Field .Method}}",
                vec![
                    ld(),
                    k(T::Variable, "$c"),
                    sp(),
                    k(T::Declare, ":="),
                    sp(),
                    k(T::Identifier, "printf"),
                    sp(),
                    k(T::Variable, "$"),
                    sp(),
                    k(T::Variable, "$hello"),
                    sp(),
                    k(T::Variable, "$23"),
                    sp(),
                    k(T::Variable, "$"),
                    sp(),
                    k(T::Variable, "$var"),
                    k(T::Field, ".Field"),
                    sp(),
                    k(T::Field, ".Method"),
                    rd(),
                    eof(),
                ],
            ),
            (
                "{{$x = 1}}",
                vec![
                    ld(),
                    k(T::Variable, "$x"),
                    sp(),
                    k(T::Assign, "="),
                    sp(),
                    k(T::Number, "1"),
                    rd(),
                    eof(),
                ],
            ),
            (
                "intro {{echo hi 1.2 |noargs|args 1 \"hi\"}} outro",
                vec![
                    k(T::Text, "intro "),
                    ld(),
                    k(T::Identifier, "echo"),
                    sp(),
                    k(T::Identifier, "hi"),
                    sp(),
                    k(T::Number, "1.2"),
                    sp(),
                    k(T::Pipe, "|"),
                    k(T::Identifier, "noargs"),
                    k(T::Pipe, "|"),
                    k(T::Identifier, "args"),
                    sp(),
                    k(T::Number, "1"),
                    sp(),
                    k(T::String, "\"hi\""),
                    rd(),
                    k(T::Text, " outro"),
                    eof(),
                ],
            ),
            (
                "{{break continue}}",
                vec![
                    ld(),
                    k(T::Break, "break"),
                    sp(),
                    k(T::Continue, "continue"),
                    rd(),
                    eof(),
                ],
            ),
            // Errors.
            (
                "#{{\x01}}",
                vec![
                    k(T::Text, "#"),
                    ld(),
                    k(T::Error, "unrecognized character in action: U+0001"),
                ],
            ),
            ("{{", vec![ld(), k(T::Error, "unclosed action")]),
            (
                "{{range",
                vec![ld(), k(T::Range, "range"), k(T::Error, "unclosed action")],
            ),
            (
                "{{\"\n\"}}",
                vec![ld(), k(T::Error, "unterminated quoted string")],
            ),
            (
                "{{`xx}}",
                vec![ld(), k(T::Error, "unterminated raw quoted string")],
            ),
            (
                "{{'a}}",
                vec![ld(), k(T::Error, "unterminated character constant")],
            ),
            (
                "{{3k}}",
                vec![ld(), k(T::Error, "bad number syntax: \"3k\"")],
            ),
            (
                "{{(3}}",
                vec![
                    ld(),
                    k(T::LeftParen, "("),
                    k(T::Number, "3"),
                    k(T::Error, "unclosed left paren"),
                ],
            ),
            (
                "{{3)}}",
                vec![
                    ld(),
                    k(T::Number, "3"),
                    k(T::Error, "unexpected right paren"),
                ],
            ),
            (
                "hello-{{/*/}}-world",
                vec![k(T::Text, "hello-"), k(T::Error, "unclosed comment")],
            ),
            (
                "hello-{{/* */ }}-world",
                vec![
                    k(T::Text, "hello-"),
                    k(T::Error, "comment ends before closing delimiter"),
                ],
            ),
            (
                "{{.x!}}",
                vec![ld(), k(T::Error, "bad character U+0021 '!'")],
            ),
            (
                "{{a:b}}",
                vec![ld(), k(T::Identifier, "a"), k(T::Error, "expected :=")],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(kinds(input), want, "input {input:?}");
        }
    }

    #[test]
    fn trim_markers() {
        let cases: Vec<(&str, Vec<(T, String)>)> = vec![
            (
                "hello- {{- 3 -}} -world",
                vec![
                    k(T::Text, "hello-"),
                    k(T::LeftDelim, "{{"),
                    k(T::Number, "3"),
                    k(T::RightDelim, "}}"),
                    k(T::Text, "-world"),
                    k(T::Eof, ""),
                ],
            ),
            (
                "hello- {{- /* hello */ -}} -world",
                vec![k(T::Text, "hello-"), k(T::Text, "-world"), k(T::Eof, "")],
            ),
            // No space after the minus: a negative number, no trim.
            (
                "a {{-3}} b",
                vec![
                    k(T::Text, "a "),
                    k(T::LeftDelim, "{{"),
                    k(T::Number, "-3"),
                    k(T::RightDelim, "}}"),
                    k(T::Text, " b"),
                    k(T::Eof, ""),
                ],
            ),
            (
                "{{3 -}}\n\n x",
                vec![
                    k(T::LeftDelim, "{{"),
                    k(T::Number, "3"),
                    k(T::RightDelim, "}}"),
                    k(T::Text, "x"),
                    k(T::Eof, ""),
                ],
            ),
            (
                "{{3  -}}x",
                vec![
                    k(T::LeftDelim, "{{"),
                    k(T::Number, "3"),
                    k(T::Space, " "),
                    k(T::RightDelim, "}}"),
                    k(T::Text, "x"),
                    k(T::Eof, ""),
                ],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(kinds(input), want, "input {input:?}");
        }
    }

    #[test]
    fn custom_delims_and_lines() {
        let input = "a\n<<.x>>\nb<<- .y >>";
        let items = lex(input, "<<", ">>", true, true);
        let got: Vec<(T, String, usize)> = items
            .into_iter()
            .map(|i| (i.typ, i.val.to_string(), line_at(input, i.pos)))
            .collect();
        assert_eq!(
            got,
            vec![
                (T::Text, "a\n".into(), 1),
                (T::LeftDelim, "<<".into(), 2),
                (T::Field, ".x".into(), 2),
                (T::RightDelim, ">>".into(), 2),
                (T::Text, "\nb".into(), 2),
                (T::LeftDelim, "<<".into(), 3),
                (T::Field, ".y".into(), 3),
                (T::Space, " ".into(), 3),
                (T::RightDelim, ">>".into(), 3),
                (T::Eof, "".into(), 3),
            ]
        );
    }

    #[test]
    fn break_is_identifier_when_function_exists() {
        let items = lex("{{break}}", "", "", false, true);
        assert_eq!(items[1].typ, T::Identifier);
    }

    #[test]
    fn item_display() {
        let it = |typ, val| Item {
            typ,
            pos: 0,
            val,
            error: None,
        };
        assert_eq!(it(T::Eof, "").to_string(), "EOF");
        assert_eq!(it(T::End, "end").to_string(), "<end>");
        assert_eq!(
            it(T::Identifier, "abcdefghijkl").to_string(),
            "\"abcdefghij\"..."
        );
        assert_eq!(it(T::Char, "}").to_string(), "\"}\"");
    }
}
