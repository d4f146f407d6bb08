//! The parser: builds Go `text/template` parse trees from lexed items, with Go's grammar,
//! variable scoping checks and error texts (`template: NAME:LINE: MESSAGE`).

use std::fmt;
use std::sync::Arc;

use super::error::Error;
use super::gofmt::quote;
use super::lex::{Item, ItemType, Lexer, line_at};

/// Maximum nesting of control structures and parentheses, to keep recursion bounded.
pub const MAX_PARSE_DEPTH: usize = 100;

/// A parsed template: its name, the name of the top-level template being parsed when it was
/// created (for error locations), its root list and the full source text.
#[derive(Debug)]
pub struct Tree {
    /// Name of this template (the `define` name, or the parse name).
    pub name: String,
    /// Name of the top-level template in whose text this tree was defined.
    pub parse_name: String,
    /// The top-level nodes.
    pub root: Box<[Node]>,
    /// Source text the positions refer to.
    pub text: Arc<str>,
}

impl Tree {
    /// Go's `IsEmptyTree`: only whitespace text.
    pub fn is_empty(&self) -> bool {
        self.root.iter().all(|n| match n {
            Node::Text { text, .. } => text.trim_matches(|c: char| c.is_whitespace()).is_empty(),
            _ => false,
        })
    }

    /// `PARSENAME:LINE:COL` for a byte position, as Go's `ErrorContext` computes it.
    pub fn location(&self, pos: usize) -> String {
        let pos = pos.min(self.text.len());
        let before = &self.text.as_bytes()[..pos];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let col = match before.iter().rposition(|&b| b == b'\n') {
            Some(i) => pos - i - 1,
            None => pos,
        };
        format!("{}:{}:{}", self.parse_name, line, col)
    }
}

/// A piece of a template's source text, shared with the [`Tree`] rather than copied, so that
/// parsing allocates nothing per text node, identifier, field path or plain string constant.
/// It dereferences to `str`.
#[derive(Clone)]
pub struct SourceText {
    src: Arc<str>,
    /// Offsets kept at 32 bits so that tree nodes stay small: [`parse`] refuses sources of
    /// [`MAX_SOURCE_LEN`] bytes or more.
    start: u32,
    end: u32,
}

/// The largest template source [`parse`] accepts: positions in trees are 32-bit.
pub const MAX_SOURCE_LEN: usize = u32::MAX as usize;

impl SourceText {
    /// The text `src[start..end]` (a range within `src` on character boundaries, below
    /// [`MAX_SOURCE_LEN`]; offsets beyond it would be clamped).
    pub fn new(src: Arc<str>, start: usize, end: usize) -> SourceText {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        SourceText {
            src,
            start: clamp(start),
            end: clamp(end),
        }
    }

    /// The text as a `str`.
    pub fn as_str(&self) -> &str {
        &self.src[self.start as usize..self.end as usize]
    }

    /// A text of its own (not part of a template source), for the rare decoded constant.
    pub fn owned(text: &str) -> SourceText {
        SourceText::new(Arc::from(text), 0, text.len())
    }
}

impl std::ops::Deref for SourceText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for SourceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SourceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A statement-level node.
#[derive(Debug, Clone)]
pub enum Node {
    /// Plain text.
    Text {
        /// Byte position.
        pos: usize,
        /// The text.
        text: SourceText,
    },
    /// `{{pipeline}}`.
    Action {
        /// Byte position.
        pos: usize,
        /// The pipeline.
        pipe: Pipe,
    },
    /// `{{if}}`.
    If(Box<Branch>),
    /// `{{range}}`.
    Range(Box<Branch>),
    /// `{{with}}`.
    With(Box<Branch>),
    /// `{{template "name" pipeline}}` (also produced by `{{block}}`).
    Template {
        /// Byte position.
        pos: usize,
        /// Template name.
        name: Box<str>,
        /// Optional pipeline giving dot.
        pipe: Option<Box<Pipe>>,
    },
    /// `{{break}}`.
    Break {
        /// Byte position.
        pos: usize,
    },
    /// `{{continue}}`.
    Continue {
        /// Byte position.
        pos: usize,
    },
}

/// The shared shape of `if`, `range` and `with`.
#[derive(Debug, Clone)]
pub struct Branch {
    /// Byte position.
    pub pos: usize,
    /// Controlling pipeline.
    pub pipe: Pipe,
    /// Body.
    pub list: Box<[Node]>,
    /// `{{else}}` body.
    pub else_list: Option<Box<[Node]>>,
}

/// A pipeline with optional variable declarations or assignments.
#[derive(Debug, Clone)]
pub struct Pipe {
    /// Byte position.
    pub pos: usize,
    /// `=` rather than `:=`.
    pub is_assign: bool,
    /// Declared variable names (including `$`).
    pub decl: Box<[SourceText]>,
    /// The commands, separated by `|`.
    pub cmds: Box<[Command]>,
}

/// One command: operands separated by spaces.
#[derive(Debug, Clone)]
pub struct Command {
    /// Byte position.
    pub pos: usize,
    /// Operands; the first may be a function or method.
    pub args: Box<[Arg]>,
}

/// A parsed number constant with Go's ideal-constant flags.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// Original text.
    pub text: String,
    /// Representable as int64.
    pub int: Option<i64>,
    /// Representable as uint64.
    pub uint: Option<u64>,
    /// Representable as float64.
    pub float: Option<f64>,
    /// Is a complex/imaginary constant.
    pub complex: bool,
}

/// An operand. Names are kept as the dotted source text they were written as (`A.B`,
/// `$x.A.B`), as Go's parser itself builds them, so an operand allocates nothing for them;
/// [`Arg::names`] splits them.
#[derive(Debug, Clone)]
pub enum Arg {
    /// `.A.B`.
    Field {
        /// Byte position.
        pos: usize,
        /// Field names joined by dots, without the leading dot (`A.B`).
        path: SourceText,
    },
    /// `(pipe).A.B` or `$x`-less chains on other terms.
    Chain {
        /// Byte position.
        pos: usize,
        /// The term being walked.
        node: Box<Arg>,
        /// Field names joined by dots, without the leading dot (`A.B`).
        fields: SourceText,
    },
    /// A function name.
    Identifier {
        /// Byte position.
        pos: usize,
        /// Function name.
        name: SourceText,
    },
    /// `$x.A.B`: the variable name with `$`, then field names, joined by dots.
    Variable {
        /// Byte position.
        pos: usize,
        /// Variable name followed by field names (`$x.A.B`).
        path: SourceText,
    },
    /// `.`.
    Dot {
        /// Byte position.
        pos: usize,
    },
    /// `nil`.
    Nil {
        /// Byte position.
        pos: usize,
    },
    /// `true` / `false`.
    Bool {
        /// Byte position.
        pos: usize,
        /// Value.
        value: bool,
    },
    /// A number.
    Number {
        /// Byte position.
        pos: usize,
        /// Value (boxed: numbers are rare and large).
        num: Box<Number>,
    },
    /// A string constant.
    String {
        /// Byte position.
        pos: usize,
        /// Original quoted text.
        quoted: SourceText,
        /// Unquoted value: the text between the quotes unless decoding changed it.
        text: SourceText,
    },
    /// A parenthesised pipeline.
    Pipe(Box<Pipe>),
}

impl Arg {
    /// Byte position of the operand.
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Identifier { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Bool { pos, .. }
            | Arg::Number { pos, .. }
            | Arg::String { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

/// The names of a dotted path (`A.B` -> `A`, `B`); field names never contain a dot.
pub fn names(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(path);
    std::iter::from_fn(move || {
        let (name, tail) = split_first(rest?);
        rest = tail;
        Some(name)
    })
}

/// `path` split at its last dot into the walk before it and the last name (`A.B.C` ->
/// `(Some("A.B"), "C")`, `A` -> `(None, "A")`).
pub fn split_last(path: &str) -> (Option<&str>, &str) {
    match path.bytes().rposition(|b| b == b'.') {
        Some(i) => (Some(&path[..i]), &path[i + 1..]),
        None => (None, path),
    }
}

/// `path` split at its first dot into the first name and the rest (`$x.A.B` ->
/// `("$x", Some("A.B"))`). Byte loops: paths are short, and a library search costs more to
/// set up than to run.
pub fn split_first(path: &str) -> (&str, Option<&str>) {
    match path.bytes().position(|b| b == b'.') {
        Some(i) => (&path[..i], Some(&path[i + 1..])),
        None => (path, None),
    }
}

impl fmt::Display for Arg {
    /// Go's `Node.String()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { path, .. } => write!(f, ".{path}"),
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(_) = **node {
                    write!(f, "({node})")?;
                } else {
                    write!(f, "{node}")?;
                }
                write!(f, ".{fields}")
            }
            Arg::Identifier { name, .. } => write!(f, "{name}"),
            Arg::Variable { path, .. } => write!(f, "{path}"),
            Arg::Dot { .. } => write!(f, "."),
            Arg::Nil { .. } => write!(f, "nil"),
            Arg::Bool { value, .. } => write!(f, "{value}"),
            Arg::Number { num, .. } => write!(f, "{}", num.text),
            Arg::String { quoted, .. } => write!(f, "{quoted}"),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                write!(f, " ")?;
            }
            if let Arg::Pipe(_) = a {
                write!(f, "({a})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            let names: Vec<&str> = self.decl.iter().map(|d| d.as_str()).collect();
            write!(f, "{}", names.join(", "))?;
            write!(f, "{}", if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                write!(f, " | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, list: &[Node]) -> fmt::Result {
    for n in list {
        write!(f, "{n}")?;
    }
    Ok(())
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let branch = |f: &mut fmt::Formatter<'_>, kw: &str, b: &Branch| -> fmt::Result {
            write!(f, "{{{{{kw} {}}}}}", b.pipe)?;
            write_list(f, &b.list)?;
            if let Some(e) = &b.else_list {
                write!(f, "{{{{else}}}}")?;
                write_list(f, e)?;
            }
            write!(f, "{{{{end}}}}")
        };
        match self {
            Node::Text { text, .. } => write!(f, "{}", quote(text)),
            Node::Action { pipe, .. } => write!(f, "{{{{{pipe}}}}}"),
            Node::If(b) => branch(f, "if", b),
            Node::Range(b) => branch(f, "range", b),
            Node::With(b) => branch(f, "with", b),
            Node::Template { name, pipe, .. } => match pipe {
                Some(p) => write!(f, "{{{{template {} {p}}}}}", quote(name)),
                None => write!(f, "{{{{template {}}}}}", quote(name)),
            },
            Node::Break { .. } => write!(f, "{{{{break}}}}"),
            Node::Continue { .. } => write!(f, "{{{{continue}}}}"),
        }
    }
}

/// What ended an item list.
enum Terminator {
    End,
    Else,
}

/// Parser state for one `parse` call (a top-level text and its `define`s).
struct Parser<'a, 'f> {
    parse_name: String,
    text: Arc<str>,
    input: &'a str,
    lexer: Lexer<'a>,
    token: [Item<'a>; 3],
    peek_count: usize,
    vars: Vec<&'a str>,
    range_depth: usize,
    depth: usize,
    /// Position of the left delimiter of the action being parsed, if any.
    action_pos: Option<usize>,
    has_func: &'f dyn Fn(&str) -> bool,
    trees: Vec<Tree>,
    /// Scratch stacks for the lists being built (nested lists push above their parent's
    /// entries and take theirs off before returning), so that every list in the tree gets
    /// one allocation of exactly its length.
    nodes: Vec<Node>,
    args: Vec<Arg>,
    cmds: Vec<Command>,
}

type PResult<T> = Result<T, Error>;

const START_ITEM: Item<'static> = Item {
    typ: ItemType::Eof,
    error: None,
    pos: 0,
    val: "",
};

thread_local! {
    static PARSE_COUNT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many times [`parse`] ran on this thread: lets tests check that executing templates
/// (`include`, `template`) never re-parses them.
pub fn parse_count() -> u64 {
    PARSE_COUNT.with(|c| c.get())
}

/// Parses `text` as template `name`, returning the top-level tree followed by every
/// `define`/`block` tree, in source order. `has_func` tells whether a function exists.
pub fn parse(
    name: &str,
    text: &str,
    left: &str,
    right: &str,
    has_func: &dyn Fn(&str) -> bool,
) -> Result<Vec<Tree>, Error> {
    parse_shared(name, Arc::from(text), left, right, has_func)
}

/// [`parse`] for text that is already shared: the trees keep `shared` without a copy.
pub fn parse_shared(
    name: &str,
    shared: Arc<str>,
    left: &str,
    right: &str,
    has_func: &dyn Fn(&str) -> bool,
) -> Result<Vec<Tree>, Error> {
    let text: &str = &shared;
    PARSE_COUNT.with(|c| c.set(c.get() + 1));
    if text.len() >= MAX_SOURCE_LEN {
        return Err(Error::Parse {
            name: name.to_string(),
            line: 1,
            message: format!(
                "template of {} bytes is too large (the limit is {MAX_SOURCE_LEN})",
                text.len()
            ),
        });
    }
    let lexer = Lexer::new(text, left, right, !has_func("break"), !has_func("continue"));
    let mut p = Parser {
        parse_name: name.to_string(),
        text: shared.clone(),
        input: text,
        lexer,
        token: [START_ITEM; 3],
        peek_count: 0,
        vars: vec!["$"],
        range_depth: 0,
        depth: 0,
        action_pos: None,
        has_func,
        trees: Vec::new(),
        nodes: Vec::new(),
        args: Vec::new(),
        cmds: Vec::new(),
    };
    let root = p.parse_top()?;
    let top = Tree {
        name: name.to_string(),
        parse_name: name.to_string(),
        root,
        text: p.text.clone(),
    };
    let mut defined = std::mem::take(&mut p.trees);
    p.add(&mut defined, top)?;
    // Put the top-level tree first.
    if let Some(i) = defined.iter().position(|t| t.name == name) {
        let t = defined.remove(i);
        defined.insert(0, t);
    }
    Ok(defined)
}

impl<'a> Parser<'a, '_> {
    fn errorf(&self, message: String) -> Error {
        Error::Parse {
            name: self.parse_name.clone(),
            line: self.line(self.token[0].pos),
            message,
        }
    }

    /// The 1-based line of a byte position (computed only for error messages).
    fn line(&self, pos: usize) -> usize {
        line_at(self.input, pos)
    }

    fn lex_next(&mut self) -> Item<'a> {
        self.lexer.next_item()
    }

    fn next(&mut self) -> Item<'a> {
        if self.peek_count > 0 {
            self.peek_count -= 1;
        } else {
            self.token[0] = self.lex_next();
        }
        self.token[self.peek_count]
    }

    fn backup(&mut self) {
        self.peek_count += 1;
    }

    fn backup2(&mut self, t1: Item<'a>) {
        self.token[1] = t1;
        self.peek_count = 2;
    }

    fn backup3(&mut self, t2: Item<'a>, t1: Item<'a>) {
        self.token[1] = t1;
        self.token[2] = t2;
        self.peek_count = 3;
    }

    fn peek(&mut self) -> Item<'a> {
        if self.peek_count > 0 {
            return self.token[self.peek_count - 1];
        }
        self.peek_count = 1;
        self.token[0] = self.lex_next();
        self.token[0]
    }

    fn next_non_space(&mut self) -> Item<'a> {
        loop {
            let t = self.next();
            if t.typ != ItemType::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item<'a> {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn unexpected(&self, token: &Item, context: &str) -> Error {
        if token.typ == ItemType::Error {
            let mut extra = String::new();
            let action_line = self.action_pos.map(|p| self.line(p));
            if let Some(action_line) = action_line
                && action_line != self.line(token.pos)
            {
                extra = format!(" in action started at {}:{}", self.parse_name, action_line);
                if token.text().ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{token}{extra}"));
        }
        self.errorf(format!("unexpected {token} in {context}"))
    }

    fn expect(&mut self, typ: ItemType, context: &str) -> PResult<Item<'a>> {
        let t = self.next_non_space();
        if t.typ != typ {
            return Err(self.unexpected(&t, context));
        }
        Ok(t)
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH {
            return Err(self.errorf(format!("nesting deeper than {MAX_PARSE_DEPTH} levels")));
        }
        Ok(())
    }

    /// Go's `Tree.add` within one parse: a second non-empty definition is an error.
    fn add(&self, trees: &mut Vec<Tree>, t: Tree) -> PResult<()> {
        if let Some(i) = trees.iter().position(|x| x.name == t.name) {
            if trees[i].is_empty() {
                trees[i] = t;
                return Ok(());
            }
            if !t.is_empty() {
                return Err(self.errorf(format!(
                    "template: multiple definition of template {}",
                    quote(&t.name)
                )));
            }
            return Ok(());
        }
        trees.push(t);
        Ok(())
    }

    /// The nodes pushed since `mark`, taken off the scratch stack as an exact-size list.
    fn take_nodes(&mut self, mark: usize) -> Box<[Node]> {
        self.nodes.drain(mark..).collect()
    }

    /// `text[start..end]` as a [`SourceText`] sharing the tree's text.
    fn source(&self, start: usize, end: usize) -> SourceText {
        SourceText::new(self.text.clone(), start, end)
    }

    fn parse_top(&mut self) -> PResult<Box<[Node]>> {
        let mark = self.nodes.len();
        while self.peek().typ != ItemType::Eof {
            if self.peek().typ == ItemType::LeftDelim {
                let delim = self.next();
                if self.next_non_space().typ == ItemType::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.backup2(delim);
            }
            match self.text_or_action()? {
                Ok(n) => self.nodes.push(n),
                Err(Terminator::End) => return Err(self.errorf("unexpected {{end}}".into())),
                Err(Terminator::Else) => {
                    return Err(self.errorf("unexpected {{else}}".into()));
                }
            }
        }
        Ok(self.take_nodes(mark))
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let name = self.next_non_space();
        if name.typ != ItemType::String && name.typ != ItemType::RawString {
            return Err(self.unexpected(&name, context));
        }
        let tname = unquote(name.val).map_err(|e| self.errorf(e))?;
        self.expect(ItemType::RightDelim, context)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$"]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if let Terminator::Else = end {
            return Err(self.errorf(format!("unexpected {{{{else}}}} in {context}")));
        }
        let t = Tree {
            name: tname,
            parse_name: self.parse_name.clone(),
            root: list,
            text: self.text.clone(),
        };
        let mut trees = std::mem::take(&mut self.trees);
        let r = self.add(&mut trees, t);
        self.trees = trees;
        r
    }

    /// itemList: textOrAction* up to `{{end}}` or `{{else}}`.
    fn item_list(&mut self) -> PResult<(Box<[Node]>, Terminator)> {
        let mark = self.nodes.len();
        while self.peek_non_space().typ != ItemType::Eof {
            match self.text_or_action()? {
                Ok(n) => self.nodes.push(n),
                Err(t) => return Ok((self.take_nodes(mark), t)),
            }
        }
        Err(self.errorf("unexpected EOF".into()))
    }

    fn text_or_action(&mut self) -> PResult<Result<Node, Terminator>> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Text => Ok(Ok(Node::Text {
                pos: token.pos,
                text: self.source(token.pos, token.pos + token.val.len()),
            })),
            ItemType::LeftDelim => {
                self.action_pos = Some(token.pos);
                let r = self.action();
                self.action_pos = None;
                r
            }
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    fn action(&mut self) -> PResult<Result<Node, Terminator>> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Block => return self.block_control().map(Ok),
            ItemType::Break => return self.break_control(token.pos, true).map(Ok),
            ItemType::Continue => return self.break_control(token.pos, false).map(Ok),
            ItemType::Else => return self.else_control().map(|_| Err(Terminator::Else)),
            ItemType::End => {
                self.expect(ItemType::RightDelim, "end")?;
                return Ok(Err(Terminator::End));
            }
            ItemType::If => return self.control("if").map(|b| Ok(Node::If(Box::new(b)))),
            ItemType::Range => return self.control("range").map(|b| Ok(Node::Range(Box::new(b)))),
            ItemType::Template => return self.template_control().map(Ok),
            ItemType::With => return self.control("with").map(|b| Ok(Node::With(Box::new(b)))),
            _ => {}
        }
        self.backup();
        let token = self.peek();
        let pipe = self.pipeline("command", ItemType::RightDelim)?;
        Ok(Ok(Node::Action {
            pos: token.pos,
            pipe,
        }))
    }

    fn break_control(&mut self, pos: usize, is_break: bool) -> PResult<Node> {
        let word = if is_break {
            "{{break}}"
        } else {
            "{{continue}}"
        };
        let token = self.next_non_space();
        if token.typ != ItemType::RightDelim {
            return Err(self.unexpected(&token, word));
        }
        if self.range_depth == 0 {
            return Err(self.errorf(format!("{word} outside {{{{range}}}}")));
        }
        Ok(if is_break {
            Node::Break { pos }
        } else {
            Node::Continue { pos }
        })
    }

    fn else_control(&mut self) -> PResult<Item<'a>> {
        let peek = self.peek_non_space();
        if peek.typ == ItemType::If || peek.typ == ItemType::With {
            return Ok(peek);
        }
        self.expect(ItemType::RightDelim, "else")
    }

    fn control(&mut self, context: &str) -> PResult<Branch> {
        self.enter()?;
        let nvars = self.vars.len();
        let r = stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.control_inner(context));
        self.vars.truncate(nvars);
        self.depth -= 1;
        r
    }

    fn control_inner(&mut self, context: &str) -> PResult<Branch> {
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        if let Terminator::Else = next {
            let chained = match context {
                "if" if self.peek().typ == ItemType::If => Some("if"),
                "with" if self.peek().typ == ItemType::With => Some("with"),
                _ => None,
            };
            if let Some(kw) = chained {
                self.next();
                let b = Box::new(self.control(kw)?);
                let node = if kw == "if" {
                    Node::If(b)
                } else {
                    Node::With(b)
                };
                else_list = Some(Box::new([node]) as Box<[Node]>);
            } else {
                let (l, next) = self.item_list()?;
                if let Terminator::Else = next {
                    return Err(self.errorf("expected end; found {{else}}".into()));
                }
                else_list = Some(l);
            }
        }
        Ok(Branch {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        })
    }

    fn parse_template_name(&self, token: &Item, context: &str) -> PResult<Box<str>> {
        match token.typ {
            ItemType::String | ItemType::RawString => unquote(token.val)
                .map(String::into_boxed_str)
                .map_err(|e| self.errorf(e)),
            _ => Err(self.unexpected(token, context)),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let token = self.next_non_space();
        let name = self.parse_template_name(&token, context)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup();
            pipe = Some(Box::new(self.pipeline(context, ItemType::RightDelim)?));
        }
        Ok(Node::Template {
            pos: token.pos,
            name,
            pipe,
        })
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let token = self.next_non_space();
        let name = self.parse_template_name(&token, context)?;
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        self.enter()?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$"]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let r = self.item_list();
        self.vars = saved_vars;
        self.range_depth = saved_range;
        self.depth -= 1;
        let (list, end) = r?;
        if let Terminator::Else = end {
            return Err(self.errorf(format!("unexpected {{{{else}}}} in {context}")));
        }
        let t = Tree {
            name: name.to_string(),
            parse_name: self.parse_name.clone(),
            root: list,
            text: self.text.clone(),
        };
        let mut trees = std::mem::take(&mut self.trees);
        let r = self.add(&mut trees, t);
        self.trees = trees;
        r?;
        Ok(Node::Template {
            pos: token.pos,
            name,
            pipe: Some(Box::new(pipe)),
        })
    }

    fn pipeline(&mut self, context: &str, end: ItemType) -> PResult<Pipe> {
        let pos = self.peek_non_space().pos;
        let mut decl = Vec::new();
        let is_assign = self.declarations(&mut decl, context)?;
        let mark = self.cmds.len();
        loop {
            let token = self.next_non_space();
            match token.typ {
                t if t == end => {
                    let pipe = Pipe {
                        pos,
                        is_assign,
                        decl: decl.into_boxed_slice(),
                        cmds: self.cmds.drain(mark..).collect(),
                    };
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    self.cmds.push(cmd);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    /// Parses the declarations or assignments that open a pipeline into `decl`; returns
    /// whether they are assignments (`=`).
    fn declarations(&mut self, decl: &mut Vec<SourceText>, context: &str) -> PResult<bool> {
        loop {
            let v = self.peek_non_space();
            if v.typ != ItemType::Variable {
                return Ok(false);
            }
            self.next();
            let after = self.peek();
            let next = self.peek_non_space();
            match next.typ {
                ItemType::Assign | ItemType::Declare => {
                    self.next_non_space();
                    decl.push(self.source(v.pos, v.pos + v.val.len()));
                    self.vars.push(v.val);
                    return Ok(next.typ == ItemType::Assign);
                }
                ItemType::Char if next.val == "," => {
                    self.next_non_space();
                    decl.push(self.source(v.pos, v.pos + v.val.len()));
                    self.vars.push(v.val);
                    if context == "range" && decl.len() < 2 {
                        match self.peek_non_space().typ {
                            ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                                continue;
                            }
                            _ => {
                                return Err(
                                    self.errorf("range can only initialize variables".into())
                                );
                            }
                        }
                    }
                    return Err(self.errorf(format!("too many declarations in {context}")));
                }
                _ if after.typ == ItemType::Space => {
                    self.backup3(v, after);
                    return Ok(false);
                }
                _ => {
                    self.backup2(v);
                    return Ok(false);
                }
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Arg::Bool { .. }
                        | Arg::Dot { .. }
                        | Arg::Nil { .. }
                        | Arg::Number { .. }
                        | Arg::String { .. }
                )
            ) {
                return Err(self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mark = self.args.len();
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                self.args.push(op);
            }
            let token = self.next();
            match token.typ {
                ItemType::Space => continue,
                ItemType::RightDelim | ItemType::RightParen => self.backup(),
                ItemType::Pipe => {}
                _ => return Err(self.unexpected(&token, "operand")),
            }
            break;
        }
        if self.args.len() == mark {
            return Err(self.errorf("empty command".into()));
        }
        Ok(Command {
            pos,
            args: self.args.drain(mark..).collect(),
        })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ != ItemType::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let end = self.skip_fields();
        match node {
            // The term's own path grows to take in the fields (they follow it directly).
            Arg::Field { path, .. } => {
                return Ok(Some(Arg::Field {
                    pos: chain_pos,
                    path: self.source(path.start as usize, end),
                }));
            }
            Arg::Variable { path, .. } => {
                return Ok(Some(Arg::Variable {
                    pos: chain_pos,
                    path: self.source(path.start as usize, end),
                }));
            }
            _ => {}
        }
        let fields = self.source(chain_pos + 1, end);
        Ok(Some(match node {
            Arg::Bool { .. }
            | Arg::String { .. }
            | Arg::Number { .. }
            | Arg::Nil { .. }
            | Arg::Dot { .. } => {
                return Err(self.errorf(format!(
                    "unexpected . after term {}",
                    quote(&node.to_string())
                )));
            }
            other => Arg::Chain {
                pos: chain_pos,
                node: Box::new(other),
                fields,
            },
        }))
    }

    /// Consumes the field items that follow a term (the lexer emits them back to back) and
    /// returns where the last one ends.
    fn skip_fields(&mut self) -> usize {
        let mut end = self.peek().pos;
        while self.peek().typ == ItemType::Field {
            let f = self.next();
            debug_assert_eq!(f.pos, end, "field items follow each other directly");
            end = f.pos + f.val.len();
        }
        end
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        let pos = token.pos;
        Ok(Some(match token.typ {
            ItemType::Identifier => {
                if !(self.has_func)(token.val) {
                    return Err(self.errorf(format!("function {} not defined", quote(token.val))));
                }
                Arg::Identifier {
                    pos,
                    name: self.source(pos, pos + token.val.len()),
                }
            }
            ItemType::Dot => Arg::Dot { pos },
            ItemType::Nil => Arg::Nil { pos },
            ItemType::Variable => self.use_var(pos, token.val)?,
            ItemType::Field => Arg::Field {
                pos,
                path: self.source(pos + 1, pos + token.val.len()),
            },
            ItemType::Bool => Arg::Bool {
                pos,
                value: token.val == "true",
            },
            ItemType::CharConstant | ItemType::Complex | ItemType::Number => {
                let num = new_number(token.val, token.typ).map_err(|e| self.errorf(e))?;
                Arg::Number {
                    pos,
                    num: Box::new(num),
                }
            }
            ItemType::LeftParen => {
                self.enter()?;
                let p = stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
                    self.pipeline("parenthesized pipeline", ItemType::RightParen)
                });
                self.depth -= 1;
                Arg::Pipe(Box::new(p?))
            }
            ItemType::String | ItemType::RawString => Arg::String {
                pos,
                quoted: self.source(pos, pos + token.val.len()),
                text: self.string_constant(pos, token.val)?,
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }

    /// The value of the string constant `quoted` at `pos`: the text between its quotes when
    /// it holds nothing to decode, else a decoded copy.
    fn string_constant(&self, pos: usize, quoted: &str) -> PResult<SourceText> {
        let bytes = quoted.as_bytes();
        let body = quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or("");
        let plain = bytes.len() >= 2
            && bytes.first() == bytes.last()
            && match bytes[0] {
                b'"' => !body.bytes().any(|b| b == b'\\' || b == b'"'),
                b'`' => !body.contains('\r'),
                _ => false,
            };
        if plain {
            return Ok(self.source(pos + 1, pos + quoted.len() - 1));
        }
        let text = unquote(quoted).map_err(|e| self.errorf(e))?;
        Ok(SourceText::owned(&text))
    }

    fn use_var(&self, pos: usize, name: &str) -> PResult<Arg> {
        let var = name.split('.').next().unwrap_or(name);
        if self.vars.contains(&var) {
            return Ok(Arg::Variable {
                pos,
                path: self.source(pos, pos + name.len()),
            });
        }
        Err(self.errorf(format!("undefined variable {}", quote(var))))
    }
}

/// Go's `strconv.Unquote` for `"..."` and `` `...` `` literals; errors read `invalid syntax`.
pub fn unquote(s: &str) -> Result<String, String> {
    let err = || "invalid syntax".to_string();
    if s.len() < 2 {
        return Err(err());
    }
    if s.starts_with('`') {
        if !s.ends_with('`') {
            return Err(err());
        }
        return Ok(s[1..s.len() - 1].replace('\r', ""));
    }
    if !s.starts_with('"') || !s.ends_with('"') {
        return Err(err());
    }
    let body = &s[1..s.len() - 1];
    if !body.bytes().any(|b| b == b'\\' || b == b'"') {
        // Nothing to decode: every character stands for itself.
        return Ok(body.to_string());
    }
    let mut out: Vec<u8> = Vec::with_capacity(body.len());
    let mut rest = body;
    while !rest.is_empty() {
        let (bytes, tail) = unquote_char(rest, '"').ok_or_else(err)?;
        out.extend_from_slice(&bytes);
        rest = tail;
    }
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Go's `strconv.UnquoteChar`: decodes one (possibly escaped) character, returning its bytes.
fn unquote_char(s: &str, quote_ch: char) -> Option<(Vec<u8>, &str)> {
    let mut chars = s.chars();
    let c = chars.next()?;
    if c == quote_ch && (quote_ch == '\'' || quote_ch == '"') {
        return None;
    }
    if c != '\\' {
        let mut b = [0u8; 4];
        return Some((c.encode_utf8(&mut b).as_bytes().to_vec(), chars.as_str()));
    }
    let e = chars.next()?;
    let rest = chars.as_str();
    let simple = |b: u8| Some((vec![b], rest));
    match e {
        'a' => simple(7),
        'b' => simple(8),
        'f' => simple(12),
        'n' => simple(b'\n'),
        'r' => simple(b'\r'),
        't' => simple(b'\t'),
        'v' => simple(11),
        '\\' => simple(b'\\'),
        '\'' | '"' if e == quote_ch => simple(e as u8),
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            let hex = rest.get(..n)?;
            let v = u32::from_str_radix(hex, 16).ok()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let tail = &rest[n..];
            if e == 'x' {
                return Some((vec![v as u8], tail));
            }
            let c = char::from_u32(v)?;
            let mut b = [0u8; 4];
            Some((c.encode_utf8(&mut b).as_bytes().to_vec(), tail))
        }
        '0'..='7' => {
            let oct = s.get(1..4)?;
            if !oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return None;
            }
            let v = u32::from_str_radix(oct, 8).ok()?;
            if v > 255 {
                return None;
            }
            Some((vec![v as u8], &s[4..]))
        }
        _ => None,
    }
}

/// Decodes a char constant such as `'a'`, `'\n'`, `'\x41'`, `'\u00e9'`.
fn char_constant(text: &str) -> Result<i64, String> {
    let inner = &text[1..];
    let (bytes, tail) = unquote_char(inner, '\'').ok_or_else(|| "invalid syntax".to_string())?;
    if tail != "'" {
        return Err(format!("malformed character constant: {text}"));
    }
    let v = if bytes.len() == 1 {
        bytes[0] as i64
    } else {
        String::from_utf8_lossy(&bytes)
            .chars()
            .next()
            .map(|c| c as i64)
            .unwrap_or(0xFFFD)
    };
    Ok(v)
}

/// Go's `strconv.ParseInt(text, 0, 64)`/`ParseUint` syntax check and value (magnitude).
fn parse_go_uint(text: &str) -> Option<u64> {
    let (radix, digits, prefixed) =
        if let Some(r) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            (16, r, true)
        } else if let Some(r) = text.strip_prefix("0o").or_else(|| text.strip_prefix("0O")) {
            (8, r, true)
        } else if let Some(r) = text.strip_prefix("0b").or_else(|| text.strip_prefix("0B")) {
            (2, r, true)
        } else if text.len() > 1 && text.starts_with('0') {
            (8, &text[1..], true)
        } else {
            (10, text, false)
        };
    if !underscore_ok(text, prefixed) {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    u64::from_str_radix(&clean, radix).ok()
}

/// Go's `underscoreOK`: underscores only between digits or after a base prefix.
fn underscore_ok(s: &str, prefixed: bool) -> bool {
    if !s.contains('_') {
        return true;
    }
    let b = s.as_bytes();
    let mut saw = if prefixed { '0' } else { '^' };
    let mut i = 0;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'x' | b'b' | b'o') {
        i = 2;
        saw = '0';
    } else if prefixed {
        saw = '0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_hexdigit() {
            saw = '0';
        } else if c == b'_' {
            if saw != '0' {
                return false;
            }
            saw = '_';
        } else {
            if saw == '_' {
                return false;
            }
            saw = '!';
        }
        i += 1;
    }
    saw != '_'
}

/// Go's `strconv.ParseInt(text, 0, 64)`.
pub(crate) fn parse_go_int(text: &str) -> Option<i64> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let u = parse_go_uint(body)?;
    if neg {
        if u <= i64::MAX as u64 + 1 {
            Some((-(u as i128)) as i64)
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// Go's `strconv.ParseFloat(text, 64)` for finite decimal and hex literals.
pub(crate) fn parse_go_float(text: &str) -> Option<f64> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let hex = body.starts_with("0x") || body.starts_with("0X");
    if !underscore_ok(body, hex) {
        return None;
    }
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    let v = if hex {
        parse_hex_float(&clean[2..])?
    } else {
        parse_dec_float(&clean)?
    };
    Some(if neg { -v } else { v })
}

fn parse_dec_float(s: &str) -> Option<f64> {
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = match s.find(['p', 'P']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
        None => (s, 0),
    };
    let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
    if ip.is_empty() && fp.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in ip.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in fp.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}

/// The value of a plain decimal integer literal (no sign, prefix, underscore or leading zero)
/// short enough to fit an `i64`: the common case, classified without the general parsers.
fn small_decimal(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.is_empty() || b.len() > 18 || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    b.iter().try_fold(0u64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u64::from(c - b'0'))
    })
}

/// Go's `newNumber`: classifies a number literal as int/uint/float/complex.
pub fn new_number(text: &str, typ: ItemType) -> Result<Number, String> {
    let mut n = Number {
        text: text.to_string(),
        int: None,
        uint: None,
        float: None,
        complex: false,
    };
    match typ {
        ItemType::CharConstant => {
            let r = char_constant(text)?;
            n.int = Some(r);
            n.uint = Some(r as u64);
            n.float = Some(r as f64);
            return Ok(n);
        }
        ItemType::Complex => {
            n.complex = true;
            return Ok(n);
        }
        _ => {}
    }
    if let Some(v) = small_decimal(text) {
        n.int = Some(v as i64);
        n.uint = Some(v);
        n.float = Some(v as f64);
        return Ok(n);
    }
    if let Some(body) = text.strip_suffix('i')
        && parse_go_float(body).is_some()
    {
        n.complex = true;
        return Ok(n);
    }
    let body = text.strip_prefix('+').unwrap_or(text);
    n.uint = if body.starts_with('-') {
        None
    } else {
        parse_go_uint(body)
    };
    n.int = parse_go_int(text);
    if n.int == Some(0) {
        n.uint = Some(0);
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Some(f) = parse_go_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", quote(text)));
        }
        n.float = Some(f);
        if f.fract() == 0.0 && f.abs() < 9.2e18 {
            n.int = Some(f as i64);
        }
        if f.fract() == 0.0 && (0.0..1.8e19).contains(&f) {
            n.uint = Some(f as u64);
        }
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(format!("illegal number syntax: {}", quote(text)));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn funcs(name: &str) -> bool {
        matches!(
            name,
            "printf"
                | "and"
                | "or"
                | "not"
                | "len"
                | "index"
                | "print"
                | "html"
                | "urlquery"
                | "eq"
                | "contains"
        )
    }

    fn root_string(text: &str) -> Result<String, String> {
        let trees = parse("x", text, "", "", &funcs).map_err(|e| e.to_string())?;
        Ok(trees[0].root.iter().map(|n| n.to_string()).collect())
    }

    /// The operands of the first command of the first action in `text`.
    fn first_args(text: &str) -> Vec<Arg> {
        let trees = parse("x", text, "", "", &funcs).expect("parses");
        let Some(Node::Action { pipe, .. }) = trees[0].root.first() else {
            panic!("no action in {text}")
        };
        pipe.cmds[0].args.to_vec()
    }

    #[test]
    fn names_and_strings_are_views_of_the_source() {
        let [Arg::Field { path, .. }] = &first_args("{{.Values.image.tag}}")[..] else {
            panic!("not one field")
        };
        assert_eq!(names(path).collect::<Vec<_>>(), ["Values", "image", "tag"]);
        let trees = parse("x", "{{$x := 1}}{{$x.a.b}}", "", "", &funcs).expect("parses");
        let Node::Action { pipe, .. } = &trees[0].root[1] else {
            panic!("second node is not an action")
        };
        let Arg::Variable { path, .. } = &pipe.cmds[0].args[0] else {
            panic!("not a variable")
        };
        assert_eq!(names(path).collect::<Vec<_>>(), ["$x", "a", "b"]);
        let [Arg::Chain { fields, .. }] = &first_args("{{(printf).A.B}}")[..] else {
            panic!("not a chain")
        };
        assert_eq!(fields.as_str(), "A.B");
        assert_eq!(names("a").collect::<Vec<_>>(), ["a"]);
        assert_eq!(split_last("A.B.C"), (Some("A.B"), "C"));
        assert_eq!(split_last("A"), (None, "A"));
        assert_eq!(split_first("$x.A.B"), ("$x", Some("A.B")));
        assert_eq!(split_first("$"), ("$", None));
        // Plain constants share the source; escapes and raw-string CRs are decoded.
        let cases = [
            ("{{printf \"plain\"}}", "\"plain\"", "plain"),
            ("{{printf \"a\\tb\\\"c\"}}", "\"a\\tb\\\"c\"", "a\tb\"c"),
            ("{{printf `r\r\naw`}}", "`r\r\naw`", "r\naw"),
            ("{{printf `x\\n`}}", "`x\\n`", "x\\n"),
            ("{{printf \"\"}}", "\"\"", ""),
        ];
        for (text, want_quoted, want) in cases {
            let args = first_args(text);
            let Arg::String {
                quoted, text: got, ..
            } = &args[1]
            else {
                panic!("no string in {text}")
            };
            assert_eq!(
                (quoted.as_str(), got.as_str()),
                (want_quoted, want),
                "{text}"
            );
        }
    }

    #[test]
    fn parse_round_trips() {
        let cases = [
            ("", ""),
            ("hello", "\"hello\""),
            ("{{.X}}", "{{.X}}"),
            ("{{.X.Y.Z}}", "{{.X.Y.Z}}"),
            ("{{$x := .Y}}{{$x}}", "{{$x := .Y}}{{$x}}"),
            ("{{$x := 1}}{{$x = 2}}", "{{$x := 1}}{{$x = 2}}"),
            ("{{printf `%d` 23}}", "{{printf `%d` 23}}"),
            ("{{.X | printf \"%s\"}}", "{{.X | printf \"%s\"}}"),
            ("{{(.X).Y}}", "{{(.X).Y}}"),
            ("{{(printf \"a\").Y.Z}}", "{{(printf \"a\").Y.Z}}"),
            ("{{if .X}}a{{end}}", "{{if .X}}\"a\"{{end}}"),
            (
                "{{if .X}}a{{else}}b{{end}}",
                "{{if .X}}\"a\"{{else}}\"b\"{{end}}",
            ),
            (
                "{{if .X}}a{{else if .Y}}b{{else}}c{{end}}",
                "{{if .X}}\"a\"{{else}}{{if .Y}}\"b\"{{else}}\"c\"{{end}}{{end}}",
            ),
            (
                "{{with .X}}a{{else with .Y}}b{{end}}",
                "{{with .X}}\"a\"{{else}}{{with .Y}}\"b\"{{end}}{{end}}",
            ),
            ("{{range .X}}a{{end}}", "{{range .X}}\"a\"{{end}}"),
            (
                "{{range $i, $v := .X}}{{$i}}{{$v}}{{end}}",
                "{{range $i, $v := .X}}{{$i}}{{$v}}{{end}}",
            ),
            (
                "{{range .X}}{{break}}{{continue}}{{end}}",
                "{{range .X}}{{break}}{{continue}}{{end}}",
            ),
            ("{{template `x`}}", "{{template \"x\"}}"),
            ("{{template \"x\" .Y}}", "{{template \"x\" .Y}}"),
            ("{{3 | printf}}", "{{3 | printf}}"),
            ("{{nil | printf}}", "{{nil | printf}}"),
            ("{{.X|printf|printf}}", "{{.X | printf | printf}}"),
            ("{{- 3 -}}", "{{3}}"),
            (
                "{{'a' 0x1F 1.5e3 true false}}",
                "{{'a' 0x1F 1.5e3 true false}}",
            ),
            ("{{/* c */}}", ""),
            ("{{define \"foo\"}}x{{end}}y", "\"y\""),
            ("{{block \"foo\" .}}x{{end}}", "{{template \"foo\" .}}"),
            ("{{$}}", "{{$}}"),
            ("{{$.X}}", "{{$.X}}"),
            ("{{range $x := .}}{{end}}", "{{range $x := .}}{{end}}"),
        ];
        for (input, want) in cases {
            assert_eq!(root_string(input), Ok(want.to_string()), "input {input:?}");
        }
    }

    #[test]
    fn parse_errors_match_go() {
        let cases = [
            ("{{.X", "template: x:1: unclosed action"),
            ("{{end}}", "template: x:1: unexpected {{end}}"),
            ("{{else}}", "template: x:1: unexpected {{else}}"),
            ("{{if .X}}", "template: x:1: unexpected EOF"),
            ("{{if}}{{end}}", "template: x:1: missing value for if"),
            ("{{}}", "template: x:1: missing value for command"),
            ("{{range}}{{end}}", "template: x:1: missing value for range"),
            ("{{foo}}", "template: x:1: function \"foo\" not defined"),
            ("{{$x}}", "template: x:1: undefined variable \"$x\""),
            (
                "{{with $x := 4}}{{end}}{{$x}}",
                "template: x:1: undefined variable \"$x\"",
            ),
            (
                "{{template \"a\" | printf}}",
                "template: x:1: unexpected \"|\" in template clause",
            ),
            (
                "{{template .X}}",
                "template: x:1: unexpected \".X\" in template clause",
            ),
            (
                "{{template .}}",
                "template: x:1: unexpected <.> in template clause",
            ),
            (
                "{{if .X}}a{{else}}b{{else}}c{{end}}",
                "template: x:1: expected end; found {{else}}",
            ),
            (
                "{{range .X}}{{else if .Y}}{{end}}",
                "template: x:1: unexpected <if> in input",
            ),
            ("{{break}}", "template: x:1: {{break}} outside {{range}}"),
            (
                "{{continue}}",
                "template: x:1: {{continue}} outside {{range}}",
            ),
            (
                "{{range .}}{{break 1}}{{end}}",
                "template: x:1: unexpected \"1\" in {{break}}",
            ),
            (
                "{{range $a, $b, $c := .}}{{end}}",
                "template: x:1: too many declarations in range",
            ),
            (
                "{{$a, $b := .}}",
                "template: x:1: too many declarations in command",
            ),
            (
                "{{range $a, 3 := .}}{{end}}",
                "template: x:1: range can only initialize variables",
            ),
            (
                "{{.X | 3}}",
                "template: x:1: non executable command in pipeline stage 2",
            ),
            (
                "{{.X | \"a\"}}",
                "template: x:1: non executable command in pipeline stage 2",
            ),
            (
                "{{true.X}}",
                "template: x:1: unexpected . after term \"true\"",
            ),
            (
                "{{$.X.Y nil.X}}",
                "template: x:1: unexpected . after term \"nil\"",
            ),
            (
                "{{\"a\".X}}",
                "template: x:1: unexpected . after term \"\\\"a\\\"\"",
            ),
            ("{{printf 3x}}", "template: x:1: bad number syntax: \"3x\""),
            (
                "{{printf 9223372036854775808000}}",
                "template: x:1: integer overflow: \"9223372036854775808000\"",
            ),
            ("{{printf \"\\z\"}}", "template: x:1: invalid syntax"),
            (
                "{{'ab'}}",
                "template: x:1: malformed character constant: 'ab'",
            ),
            (
                "{{define \"a\"}}a{{end}}{{define \"a\"}}b{{end}}",
                "template: x:1: template: multiple definition of template \"a\"",
            ),
            (
                "{{define \"a\"}}a{{else}}{{end}}",
                "template: x:1: unexpected {{else}} in define clause",
            ),
            (
                "{{define a}}{{end}}",
                "template: x:1: unexpected \"a\" in define clause",
            ),
            ("{{(.X}}", "template: x:1: unclosed left paren"),
            ("{{.X)}}", "template: x:1: unexpected right paren"),
            (
                "a\n{{.X\n\n",
                "template: x:4: unclosed action started at x:2",
            ),
            ("line1\n{{", "template: x:2: unclosed action"),
            (
                "a{{.X\n\"y\n",
                "template: x:2: unterminated quoted string in action started at x:1",
            ),
            (
                "{{.X}}\n{{.Y ] }}",
                "template: x:2: unexpected \"]\" in operand",
            ),
            (
                "{{ /* c */ }}",
                "template: x:1: unexpected \"/\" in command",
            ),
            ("{{.X 3 | .Y}}{{end}}", "template: x:1: unexpected {{end}}"),
            (
                "{{if .X}}{{end}}{{end}}",
                "template: x:1: unexpected {{end}}",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(root_string(input), Err(want.to_string()), "input {input:?}");
        }
    }

    #[test]
    fn defines_are_collected() {
        let trees = parse(
            "main",
            "{{define \"a\"}}A{{end}}{{define \"b\"}} {{end}}body",
            "",
            "",
            &funcs,
        )
        .unwrap();
        let names: Vec<&str> = trees.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["main", "a", "b"]);
        assert!(trees[2].is_empty());
        assert!(!trees[1].is_empty());
    }

    #[test]
    fn numbers() {
        let num = |s: &str| new_number(s, ItemType::Number).unwrap();
        assert_eq!(num("0x1F").int, Some(31));
        assert_eq!(num("017").int, Some(15));
        assert_eq!(num("0o17").int, Some(15));
        assert_eq!(num("0b101").int, Some(5));
        assert_eq!(num("1_000").int, Some(1000));
        assert_eq!(num("-7").int, Some(-7));
        assert_eq!(num("-7").uint, None);
        assert_eq!(num("1.5").float, Some(1.5));
        assert_eq!(num("1.5").int, None);
        assert_eq!(num("1e3").int, Some(1000));
        assert_eq!(num("0x1p-2").float, Some(0.25));
        assert_eq!(num("0x1.8p1").float, Some(3.0));
        assert_eq!(num("18446744073709551615").uint, Some(u64::MAX));
        assert_eq!(num("18446744073709551615").int, None);
        assert!(num("2i").complex);
        assert!(new_number("0x", ItemType::Number).is_err());
        assert!(new_number("1__0", ItemType::Number).is_err());
        let c = |s: &str| new_number(s, ItemType::CharConstant).unwrap().int;
        assert_eq!(c("'a'"), Some(97));
        assert_eq!(c("'\\n'"), Some(10));
        assert_eq!(c("'\\x41'"), Some(65));
        assert_eq!(c("'\\u00e9'"), Some(0xe9));
        assert_eq!(c("'\\''"), Some(39));
        assert_eq!(c("'本'"), Some(0x672c));
    }

    #[test]
    fn unquote_go_strings() {
        assert_eq!(
            unquote("\"a\\tb\\u00e9\\x41\\101\\\\\""),
            Ok("a\tbéAA\\".to_string())
        );
        assert_eq!(unquote("`a\\n\r`"), Ok("a\\n".to_string()));
        assert!(unquote("\"\\'\"").is_err());
        assert!(unquote("\"\\q\"").is_err());
    }

    /// Every prefix and every one-character deletion of a template full of constructs (with
    /// multi-byte characters next to delimiters) parses or fails with a Go-style error; none
    /// panics, and text nodes still reproduce the source text.
    #[test]
    fn truncated_and_damaged_templates_never_panic() {
        let src = "é{{- /* c */ -}}\n{{ $x := .X.Y | printf \"%sé\" }}ü{{ if eq 1 0x1F 'é' }}\
                   {{ range $i, $v := (.L) }}{{ $v }}{{ break }}{{ else }}ß{{ end }}\
                   {{ else with .Z -}} ö {{- end }}{{ define \"d\" }}`r`{{ end }}\
                   {{ template \"d\" . }}{{ .A.é }}{{ 1.5e3 }}{{ `ra\nw` }}{{ nil }}";
        let chars: Vec<(usize, char)> = src.char_indices().collect();
        let mut inputs: Vec<String> = chars.iter().map(|&(i, _)| src[..i].to_string()).collect();
        for &(i, c) in &chars {
            inputs.push(format!("{}{}", &src[..i], &src[i + c.len_utf8()..]));
        }
        for input in inputs {
            match parse("x", &input, "", "", &funcs) {
                Ok(trees) => {
                    for n in &trees[0].root {
                        if let Node::Text { pos, text } = n {
                            assert_eq!(&input[*pos..*pos + text.len()], &**text);
                        }
                    }
                }
                Err(e) => assert!(e.to_string().starts_with("template: x:"), "{e}"),
            }
        }
    }

    #[test]
    fn location_counts_bytes_from_line_start() {
        let trees = parse("t", "ab\ncd{{.X}}", "", "", &funcs).unwrap();
        assert_eq!(trees[0].location(7), "t:2:4");
        assert_eq!(trees[0].location(1), "t:1:1");
    }
}
