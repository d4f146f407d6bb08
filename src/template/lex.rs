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

/// One lexed item: its type, byte position, text and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Item kind.
    pub typ: ItemType,
    /// Byte offset of the start of the item in the input.
    pub pos: usize,
    /// The item's text (or error message).
    pub val: String,
    /// Line number at the start of the item.
    pub line: usize,
}

impl std::fmt::Display for Item {
    /// Go's `item.String()`, used in parse error messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.typ {
            ItemType::Eof => write!(f, "EOF"),
            ItemType::Error => write!(f, "{}", self.val),
            t if t.is_keyword() => write!(f, "<{}>", self.val),
            _ if self.val.chars().count() > 10 => {
                let short: String = self.val.chars().take(10).collect();
                write!(f, "{}...", quote(&short))
            }
            _ => write!(f, "{}", quote(&self.val)),
        }
    }
}

const TRIM_MARKER: u8 = b'-';
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == TRIM_MARKER && is_space(b[1] as char)
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == TRIM_MARKER
}

fn left_trim_length(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_space).len()
}

fn right_trim_length(s: &str) -> usize {
    s.len() - s.trim_end_matches(is_space).len()
}

/// Go's `%#U` rendering of a rune: `U+0021 '!'`.
fn rune_u(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{}'", c as u32, c)
    }
}

/// Lexer state.
struct Lexer<'a> {
    input: &'a str,
    left: &'a str,
    right: &'a str,
    pos: usize,
    start: usize,
    paren_depth: i64,
    items: Vec<Item>,
    break_ok: bool,
    continue_ok: bool,
    line_at_start: usize,
    line_pos: usize,
}

#[derive(Clone, Copy)]
enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Done,
}

/// Lexes `input` completely, stopping after the first error or EOF item.
/// `break_ok`/`continue_ok` are false when a function of that name exists (Go's rule).
pub fn lex(input: &str, left: &str, right: &str, break_ok: bool, continue_ok: bool) -> Vec<Item> {
    let left = if left.is_empty() { "{{" } else { left };
    let right = if right.is_empty() { "}}" } else { right };
    let mut l = Lexer {
        input,
        left,
        right,
        pos: 0,
        start: 0,
        paren_depth: 0,
        items: Vec::new(),
        break_ok,
        continue_ok,
        line_at_start: 1,
        line_pos: 0,
    };
    let mut state = State::Text;
    loop {
        state = match state {
            State::Text => l.lex_text(),
            State::LeftDelim => l.lex_left_delim(),
            State::Comment => l.lex_comment(),
            State::RightDelim => l.lex_right_delim(),
            State::InsideAction => l.lex_inside_action(),
            State::Done => break,
        };
    }
    l.items
}

impl<'a> Lexer<'a> {
    fn line_of(&mut self, pos: usize) -> usize {
        if pos >= self.line_pos {
            self.line_at_start += self.input[self.line_pos..pos].matches('\n').count();
        } else {
            self.line_at_start -= self.input[pos..self.line_pos].matches('\n').count();
        }
        self.line_pos = pos;
        self.line_at_start
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn next(&mut self) -> Option<char> {
        let c = self.rest().chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn backup(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.pos -= c.len_utf8();
        }
    }

    fn emit(&mut self, typ: ItemType) {
        let line = self.line_of(self.start);
        self.items.push(Item {
            typ,
            pos: self.start,
            val: self.input[self.start..self.pos].to_string(),
            line,
        });
        self.start = self.pos;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    fn error(&mut self, msg: String) -> State {
        let line = self.line_of(self.start);
        self.items.push(Item {
            typ: ItemType::Error,
            pos: self.start,
            val: msg,
            line,
        });
        State::Done
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim_marker(rest) && rest[2..].starts_with(self.right) {
            return (true, true);
        }
        (rest.starts_with(self.right), false)
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with(self.right),
        }
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = self.rest().find(self.left) {
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
        self.emit(ItemType::Eof);
        State::Done
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
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return self.error("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".into());
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
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return State::RightDelim;
            }
            return self.error("unclosed left paren".into());
        }
        let Some(r) = self.next() else {
            return self.error("unclosed action".into());
        };
        match r {
            c if is_space(c) => {
                self.backup(Some(c));
                return self.lex_space();
            }
            '=' => self.emit(ItemType::Assign),
            ':' => {
                if self.next() != Some('=') {
                    return self.error("expected :=".into());
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
                    return self.error("unexpected right paren".into());
                }
                self.emit(ItemType::RightParen);
            }
            c if c.is_ascii() && !c.is_ascii_control() => self.emit(ItemType::Char),
            c => return self.error(format!("unrecognized character in action: {}", rune_u(c))),
        }
        State::InsideAction
    }

    fn lex_space(&mut self) -> State {
        let mut n = 0;
        while let Some(c) = self.peek() {
            if !is_space(c) {
                break;
            }
            self.pos += c.len_utf8();
            n += 1;
        }
        let before = &self.input[self.pos - 1..];
        if has_right_trim_marker(before) && before[2..].starts_with(self.right) {
            self.pos -= 1;
            if n == 1 {
                return State::RightDelim;
            }
        }
        self.emit(ItemType::Space);
        State::InsideAction
    }

    fn lex_identifier(&mut self) -> State {
        loop {
            let r = self.next();
            match r {
                Some(c) if is_alnum(c) => {}
                _ => {
                    self.backup(r);
                    let word = &self.input[self.start..self.pos];
                    if !self.at_terminator() {
                        return self.bad_char(r);
                    }
                    let typ = match word {
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
                    return State::InsideAction;
                }
            }
        }
    }

    fn bad_char(&mut self, r: Option<char>) -> State {
        let shown = match r {
            Some(c) => rune_u(c),
            None => "U+FFFFFFFF".to_string(),
        };
        self.error(format!("bad character {shown}"))
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
        let mut last;
        loop {
            last = self.next();
            match last {
                Some(c) if is_alnum(c) => {}
                _ => {
                    self.backup(last);
                    break;
                }
            }
        }
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
                    _ => return self.error("unterminated character constant".into()),
                },
                None | Some('\n') => return self.error("unterminated character constant".into()),
                Some('\'') => break,
                _ => {}
            }
        }
        self.emit(ItemType::CharConstant);
        State::InsideAction
    }

    fn lex_quote(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => return self.error("unterminated quoted string".into()),
                },
                None | Some('\n') => return self.error("unterminated quoted string".into()),
                Some('"') => break,
                _ => {}
            }
        }
        self.emit(ItemType::String);
        State::InsideAction
    }

    fn lex_raw_quote(&mut self) -> State {
        loop {
            match self.next() {
                None => return self.error("unterminated raw quoted string".into()),
                Some('`') => break,
                _ => {}
            }
        }
        self.emit(ItemType::RawString);
        State::InsideAction
    }

    fn lex_number(&mut self) -> State {
        if !self.scan_number() {
            let text = quote(&self.input[self.start..self.pos]);
            return self.error(format!("bad number syntax: {text}"));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let text = quote(&self.input[self.start..self.pos]);
                return self.error(format!("bad number syntax: {text}"));
            }
            self.emit(ItemType::Complex);
            return State::InsideAction;
        }
        self.emit(ItemType::Number);
        State::InsideAction
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
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
            .map(|i| (i.typ, i.val))
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
        let items = lex("a\n<<.x>>\nb<<- .y >>", "<<", ">>", true, true);
        let got: Vec<(T, String, usize)> =
            items.into_iter().map(|i| (i.typ, i.val, i.line)).collect();
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
        let it = |typ, val: &str| Item {
            typ,
            pos: 0,
            val: val.into(),
            line: 1,
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
