//! Reading YAML as `sigs.k8s.io/yaml.Unmarshal` does: go-yaml v2 decoding into `interface{}`
//! (YAML 1.1 implicit types, merge keys, anchors and aliases with go-yaml's alias budget),
//! non-string keys stringified, then a JSON round trip that (by default) makes every number a
//! float64.
//!
//! Tokenizing and event parsing use `granit-parser`; typing, composition and the conversion to
//! JSON follow go-yaml v2 and sigs.k8s.io/yaml.

use std::collections::HashMap;

use granit_parser::{ErrorKind, Event, Options, Parser, ScalarStyle, StructureStyle};
use serde_json::{Map, Number, Value};

use super::Error;
use super::compat::{
    Fix, check_block_tabs, check_characters, check_escapes, indent_line, scan_error, unescape_quote,
};
use super::gofmt::format_g32;
use super::resolve::{Resolved, is_timestamp, resolve_plain};

/// How numbers come out of a YAML read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberMode {
    /// Every number becomes an f64, as Helm sees values (`json.Unmarshal` into `interface{}`).
    Float64,
    /// Integers stay i64/u64 and floats f64, as go-yaml typed them (`yaml.YAMLToJSON`).
    Preserve,
}

const TAG_PREFIX: &str = "tag:yaml.org,2002:";

#[derive(Debug)]
enum NodeKind {
    Scalar {
        value: String,
        tag: Option<String>,
        plain: bool,
    },
    Seq(Vec<usize>),
    Map(Vec<usize>),
    Alias {
        name: String,
        target: usize,
    },
}

/// One composed document: nodes in an arena, the root being the last one built at top level.
struct Doc {
    nodes: Vec<NodeKind>,
    root: Option<usize>,
}

/// Whether a line break follows the last non-blank character of `text` (a block scalar
/// that runs to the end of the input keeps a final newline only then).
fn ends_with_line_break(text: &str) -> bool {
    let content_end = text
        .bytes()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .map_or(0, |i| i + 1);
    text.as_bytes()[content_end..]
        .iter()
        .any(|&b| matches!(b, b'\n' | b'\r'))
}

fn parser_options() -> Options {
    let mut o = Options::default();
    o.emit_unresolved_aliases = true;
    o.emit_anchor_events = true;
    o.emit_comments = false;
    o
}

struct Composer<'a> {
    text: &'a str,
    /// Set when granit-parser rejected something libyaml accepts in a quoted scalar, with how
    /// to rewrite the input without changing its meaning.
    fix: Option<Fix>,
    parser: Parser<'a, granit_parser::StrInput<'a>>,
    nodes: Vec<NodeKind>,
    /// Anchor id → node index.
    anchors: HashMap<usize, usize>,
    /// Anchor id → name, for messages.
    names: HashMap<usize, String>,
    /// Current collection nesting, bounded like go-yaml's decoder.
    depth: usize,
    /// How many flow collections enclose the current position.
    flow_depth: usize,
}

enum Step {
    Node(usize),
    End,
}

impl<'a> Composer<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            fix: None,
            parser: Parser::new_from_str_with_options(text, parser_options()),
            nodes: Vec::new(),
            anchors: HashMap::new(),
            names: HashMap::new(),
            depth: 0,
            flow_depth: 0,
        }
    }

    fn next(&mut self) -> Result<Option<Event<'a>>, Error> {
        loop {
            match self.parser.next_event() {
                None => return Ok(None),
                Some(Err(e)) => {
                    if matches!(e.kind(), ErrorKind::UnknownQuotedScalarEscape) {
                        self.fix = e.marker().byte_offset().map(Fix::QuoteEscapeFrom);
                    }
                    if matches!(e.kind(), ErrorKind::InvalidQuotedScalarIndent) {
                        self.fix = Some(Fix::IndentLine(e.marker().line()));
                    }
                    return Err(scan_error(&e, self.text));
                }
                Some(Ok((Event::Anchor(id, name), _))) => {
                    self.names.insert(id, name.into_owned());
                }
                Some(Ok((mut ev, span))) => {
                    if let Event::Scalar(_, ScalarStyle::DoubleQuoted, _, _) = ev {
                        check_escapes(self.text, span.byte_range())?;
                    }
                    if let Event::Scalar(value, ScalarStyle::Literal | ScalarStyle::Folded, _, _) =
                        &mut ev
                        && span.end.byte_offset() == Some(self.text.len())
                        && !ends_with_line_break(self.text)
                        && value.ends_with('\n')
                    {
                        // The block scalar's last text line ends the input without a line
                        // break: libyaml has no break to keep, granit-parser adds one.
                        value.to_mut().pop();
                    }
                    let is_node = matches!(
                        ev,
                        Event::Scalar(..)
                            | Event::SequenceStart(..)
                            | Event::MappingStart(..)
                            | Event::Alias(_)
                    );
                    if is_node && self.flow_depth == 0 {
                        check_block_tabs(self.text, span.start.byte_offset())?;
                    }
                    if matches!(
                        ev,
                        Event::Scalar(..)
                            | Event::SequenceStart(..)
                            | Event::MappingStart(..)
                            | Event::SequenceEnd
                            | Event::MappingEnd
                            | Event::Alias(_)
                            | Event::UnresolvedAlias(_)
                            | Event::DocumentStart(..)
                            | Event::DocumentEnd
                            | Event::StreamStart
                            | Event::StreamEnd
                    ) {
                        return Ok(Some(ev));
                    }
                }
            }
        }
    }

    fn push(&mut self, kind: NodeKind, anchor: usize) -> usize {
        self.nodes.push(kind);
        let idx = self.nodes.len() - 1;
        if anchor != 0 {
            self.anchors.insert(anchor, idx);
        }
        idx
    }

    /// Reads the next node (or the end of the enclosing collection).
    fn node(&mut self) -> Result<Step, Error> {
        let Some(ev) = self.next()? else {
            return Ok(Step::End);
        };
        match ev {
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle(), t.suffix()));
                let plain = style == ScalarStyle::Plain;
                Ok(Step::Node(self.push(
                    NodeKind::Scalar {
                        value: value.into_owned(),
                        tag,
                        plain,
                    },
                    anchor,
                )))
            }
            Event::Alias(id) => {
                let name = self.names.get(&id).cloned().unwrap_or_default();
                match self.anchors.get(&id) {
                    Some(&target) => Ok(Step::Node(self.push(NodeKind::Alias { name, target }, 0))),
                    None => Err(Error::Yaml(format!(
                        "yaml: unknown anchor '{name}' referenced"
                    ))),
                }
            }
            Event::UnresolvedAlias(name) => Err(Error::Yaml(format!(
                "yaml: unknown anchor '{name}' referenced"
            ))),
            Event::SequenceStart(style, anchor, _) => {
                let idx = self.push(NodeKind::Seq(Vec::new()), anchor);
                let children = self.flow_children(style)?;
                self.nodes[idx] = NodeKind::Seq(children);
                Ok(Step::Node(idx))
            }
            Event::MappingStart(style, anchor, _) => {
                let idx = self.push(NodeKind::Map(Vec::new()), anchor);
                let children = self.flow_children(style)?;
                if children.len() % 2 != 0 {
                    return Err(Error::Yaml("yaml: unbalanced mapping".to_string()));
                }
                self.nodes[idx] = NodeKind::Map(children);
                Ok(Step::Node(idx))
            }
            _ => Ok(Step::End),
        }
    }

    /// Reads a collection's children, tracking whether they sit in flow context.
    fn flow_children(&mut self, style: StructureStyle) -> Result<Vec<usize>, Error> {
        let flow = style == StructureStyle::Flow;
        if flow {
            self.flow_depth += 1;
        }
        let r = self.children();
        if flow {
            self.flow_depth -= 1;
        }
        r
    }

    fn children(&mut self) -> Result<Vec<usize>, Error> {
        self.depth += 1;
        if self.depth > 10_000 {
            return Err(Error::Yaml("yaml: exceeded max depth of 10000".to_string()));
        }
        let mut out = Vec::new();
        while let Step::Node(i) = self.node()? {
            out.push(i);
        }
        self.depth -= 1;
        Ok(out)
    }

    /// Reads the next document; `None` at the end of the stream.
    fn document(&mut self) -> Result<Option<Doc>, Error> {
        loop {
            match self.next()? {
                None | Some(Event::StreamEnd) => return Ok(None),
                Some(Event::DocumentStart(..)) => break,
                Some(_) => {}
            }
        }
        self.nodes.clear();
        self.anchors.clear();
        let root = match self.node()? {
            Step::Node(i) => Some(i),
            Step::End => None,
        };
        // Consume up to the document end.
        if root.is_some() {
            loop {
                match self.next()? {
                    None | Some(Event::DocumentEnd | Event::StreamEnd) => break,
                    Some(_) => {}
                }
            }
        }
        Ok(Some(Doc {
            nodes: std::mem::take(&mut self.nodes),
            root,
        }))
    }
}

/// A value as go-yaml v2 decodes it into `interface{}`.
#[derive(Debug, Clone)]
enum GoVal {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<GoVal>),
    /// `map[interface{}]interface{}` in insertion order (later equal keys replace earlier ones).
    Map(GoMap),
}

fn same_key(a: &GoVal, b: &GoVal) -> bool {
    match (a, b) {
        (GoVal::Null, GoVal::Null) => true,
        (GoVal::Bool(x), GoVal::Bool(y)) => x == y,
        (GoVal::Int(x), GoVal::Int(y)) => x == y,
        (GoVal::Uint(x), GoVal::Uint(y)) => x == y,
        (GoVal::Float(x), GoVal::Float(y)) => x == y,
        (GoVal::Str(x), GoVal::Str(y)) => x == y,
        _ => false,
    }
}

/// `map[interface{}]interface{}` in insertion order; a later equal key replaces the value.
#[derive(Debug, Clone, Default)]
struct GoMap {
    entries: Vec<(GoVal, GoVal)>,
    /// Position of each string key, so large mappings stay linear to build.
    by_str: HashMap<String, usize>,
}

impl GoMap {
    fn set(&mut self, k: GoVal, v: GoVal) {
        let existing = match &k {
            GoVal::Str(s) => self.by_str.get(s).copied(),
            _ => self.entries.iter().position(|(ek, _)| same_key(ek, &k)),
        };
        if let Some(i) = existing
            && let Some(slot) = self.entries.get_mut(i)
        {
            slot.1 = v;
            return;
        }
        if let GoVal::Str(s) = &k {
            self.by_str.insert(s.clone(), self.entries.len());
        }
        self.entries.push((k, v));
    }
}

/// How deep decoding may recurse (aliases can nest documents deeper than their text); keeps
/// recursion within small thread stacks.
const MAX_DECODE_DEPTH: usize = 500;

/// go-yaml v2's decoder state: the alias budget against "billion laughs" documents.
struct Decoder<'d> {
    doc: &'d Doc,
    depth: usize,
    decode_count: u64,
    alias_count: u64,
    alias_depth: u32,
    active_aliases: Vec<usize>,
}

fn allowed_alias_ratio(decode_count: u64) -> f64 {
    const LOW: u64 = 400_000;
    const HIGH: u64 = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

fn merge_error() -> Error {
    Error::Yaml("yaml: map merge requires map or sequence of maps as the value".to_string())
}

impl Decoder<'_> {
    fn count(&mut self) -> Result<(), Error> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err(Error::Yaml(
                "yaml: document contains excessive aliasing".to_string(),
            ));
        }
        Ok(())
    }

    fn kind(&self, i: usize) -> Option<&NodeKind> {
        self.doc.nodes.get(i)
    }

    fn value(&mut self, i: usize) -> Result<GoVal, Error> {
        self.count()?;
        self.depth += 1;
        let v = self.value_inner(i);
        self.depth -= 1;
        v
    }

    fn value_inner(&mut self, i: usize) -> Result<GoVal, Error> {
        if self.depth > MAX_DECODE_DEPTH {
            return Err(Error::Yaml(format!(
                "yaml: document nested deeper than {MAX_DECODE_DEPTH} levels"
            )));
        }
        match self.kind(i) {
            None => Ok(GoVal::Null),
            Some(NodeKind::Alias { name, target }) => {
                let (name, target) = (name.clone(), *target);
                if self.active_aliases.contains(&i) {
                    return Err(Error::Yaml(format!(
                        "yaml: anchor '{name}' value contains itself"
                    )));
                }
                self.active_aliases.push(i);
                self.alias_depth += 1;
                let v = self.value(target);
                self.alias_depth -= 1;
                self.active_aliases.pop();
                v
            }
            Some(NodeKind::Scalar { value, tag, plain }) => scalar(value, tag.as_deref(), *plain),
            Some(NodeKind::Seq(items)) => {
                let items = items.clone();
                let mut out = Vec::with_capacity(items.len());
                for c in items {
                    out.push(self.value(c)?);
                }
                Ok(GoVal::Seq(out))
            }
            Some(NodeKind::Map(_)) => {
                let mut map = GoMap::default();
                self.mapping_into(i, &mut map)?;
                Ok(GoVal::Map(map))
            }
        }
    }

    fn is_merge_key(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(NodeKind::Scalar { value, tag, plain })
            if value == "<<" && (*plain && tag.is_none()
                || tag.as_deref() == Some(&format!("{TAG_PREFIX}merge"))))
    }

    /// Decodes mapping node `i` into `map` (go-yaml's `d.mapping` on an existing map).
    fn mapping_into(&mut self, i: usize, map: &mut GoMap) -> Result<(), Error> {
        let children = match self.kind(i) {
            Some(NodeKind::Map(c)) => c.clone(),
            Some(NodeKind::Alias { target, .. }) => {
                let t = *target;
                return self.with_alias(i, |d| {
                    d.count()?;
                    d.mapping_into(t, map)
                });
            }
            _ => return Err(merge_error()),
        };
        for pair in children.chunks(2) {
            let [k, v] = pair else { continue };
            if self.is_merge_key(*k) {
                self.merge(*v, map)?;
                continue;
            }
            let key = self.value(*k)?;
            if matches!(key, GoVal::Map(_) | GoVal::Seq(_)) {
                return Err(Error::Yaml(format!(
                    "yaml: invalid map key: {}",
                    go_syntax(&key)
                )));
            }
            let val = self.value(*v)?;
            map.set(key, val);
        }
        Ok(())
    }

    fn with_alias<T>(
        &mut self,
        i: usize,
        f: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        if self.active_aliases.contains(&i) {
            let name = match self.kind(i) {
                Some(NodeKind::Alias { name, .. }) => name.clone(),
                _ => String::new(),
            };
            return Err(Error::Yaml(format!(
                "yaml: anchor '{name}' value contains itself"
            )));
        }
        self.active_aliases.push(i);
        self.alias_depth += 1;
        let r = f(self);
        self.alias_depth -= 1;
        self.active_aliases.pop();
        r
    }

    fn target_is_map(&self, i: usize) -> bool {
        match self.kind(i) {
            Some(NodeKind::Map(_)) => true,
            Some(NodeKind::Alias { target, .. }) => {
                matches!(self.kind(*target), Some(NodeKind::Map(_)))
            }
            _ => false,
        }
    }

    fn merge(&mut self, v: usize, map: &mut GoMap) -> Result<(), Error> {
        match self.kind(v) {
            Some(NodeKind::Map(_)) => {
                self.count()?;
                self.mapping_into(v, map)
            }
            Some(NodeKind::Alias { .. }) => {
                if !self.target_is_map(v) {
                    return Err(merge_error());
                }
                self.count()?;
                self.mapping_into(v, map)
            }
            Some(NodeKind::Seq(items)) => {
                let items = items.clone();
                for &item in items.iter().rev() {
                    if !self.target_is_map(item) {
                        return Err(merge_error());
                    }
                    self.count()?;
                    self.mapping_into(item, map)?;
                }
                Ok(())
            }
            _ => Err(merge_error()),
        }
    }
}

/// Go's `%#v` rendering of a decoded value (used in go-yaml's "invalid map key" message).
fn go_syntax(v: &GoVal) -> String {
    match v {
        GoVal::Null => "interface {}(nil)".to_string(),
        GoVal::Bool(b) => b.to_string(),
        GoVal::Int(i) => i.to_string(),
        GoVal::Uint(u) => format!("0x{u:x}"),
        GoVal::Float(f) => super::gofmt::format_g64(*f),
        GoVal::Str(s) => format!("{s:?}"),
        GoVal::Seq(items) => format!(
            "[]interface {{}}{{{}}}",
            items.iter().map(go_syntax).collect::<Vec<_>>().join(", ")
        ),
        GoVal::Map(pairs) => format!(
            "map[interface {{}}]interface {{}}{{{}}}",
            pairs
                .entries
                .iter()
                .map(|(k, v)| format!("{}:{}", go_syntax(k), go_syntax(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn resolved_to_go(r: Resolved, text: &str) -> GoVal {
    match r {
        Resolved::Null => GoVal::Null,
        Resolved::Bool(b) => GoVal::Bool(b),
        Resolved::Int(i) => GoVal::Int(i),
        Resolved::Uint(u) => GoVal::Uint(u),
        Resolved::Float(f) => GoVal::Float(f),
        Resolved::Timestamp | Resolved::Str => GoVal::Str(text.to_string()),
    }
}

fn short_tag(tag: &str) -> String {
    match tag.strip_prefix(TAG_PREFIX) {
        Some(s) => format!("!!{s}"),
        None => tag.to_string(),
    }
}

fn resolved_tag(r: &Resolved) -> &'static str {
    match r {
        Resolved::Null => "null",
        Resolved::Bool(_) => "bool",
        Resolved::Int(_) | Resolved::Uint(_) => "int",
        Resolved::Float(_) => "float",
        Resolved::Timestamp => "timestamp",
        Resolved::Str => "str",
    }
}

/// go-yaml v2's `d.scalar` into `interface{}`.
fn scalar(value: &str, tag: Option<&str>, plain: bool) -> Result<GoVal, Error> {
    let Some(tag) = tag else {
        if !plain {
            return Ok(GoVal::Str(value.to_string()));
        }
        return Ok(resolved_to_go(resolve_plain(value), value));
    };
    let Some(short) = tag.strip_prefix(TAG_PREFIX) else {
        // Custom tags are not resolvable: the text is kept as a string.
        return Ok(GoVal::Str(value.to_string()));
    };
    match short {
        "str" => Ok(GoVal::Str(value.to_string())),
        "binary" => decode_base64(value).map(GoVal::Str),
        "bool" | "int" | "float" | "null" | "timestamp" => {
            let r = if short == "timestamp" && is_timestamp(value) {
                Resolved::Timestamp
            } else {
                resolve_plain(value)
            };
            let rtag = resolved_tag(&r);
            if rtag == short {
                return Ok(resolved_to_go(r, value));
            }
            if let ("float", Resolved::Int(i)) = (short, &r) {
                return Ok(GoVal::Float(*i as f64));
            }
            Err(Error::Yaml(format!(
                "yaml: cannot decode !!{rtag} `{value}` as a {}",
                short_tag(tag)
            )))
        }
        // Other core tags (map, seq, merge, ...) on a scalar: go-yaml keeps the text.
        _ => Ok(GoVal::Str(value.to_string())),
    }
}

fn decode_base64(s: &str) -> Result<String, Error> {
    let bad = || Error::Yaml("yaml: !!binary value contains invalid base64 data".to_string());
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = Vec::new();
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let body = clean
        .strip_suffix(b"==")
        .or_else(|| clean.strip_suffix(b"="))
        .unwrap_or(&clean);
    if !clean.len().is_multiple_of(4) {
        return Err(bad());
    }
    for &c in body {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(bad()),
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// An untagged plain scalar as the full decoder turns it into JSON: go-yaml v2's implicit
/// typing ([`resolve_plain`]) then [`to_json_value`]. Shared with the fast path
/// (`super::fast`) so both type scalars identically by construction.
pub(super) fn plain_scalar_value(text: &str, mode: NumberMode) -> Result<Value, Error> {
    to_json_value(resolved_to_go(resolve_plain(text), text), mode)
}

/// Whether a plain scalar used as a mapping key decodes to the string key `text` itself
/// (go-yaml types it as a string or a timestamp, which `interface{}` targets keep as text).
pub(super) fn plain_key_is_text(text: &str) -> bool {
    matches!(resolved_to_go(resolve_plain(text), ""), GoVal::Str(_))
}

/// sigs.k8s.io/yaml's `convertToJSONableObject` followed by `json.Marshal` and (in
/// `Float64` mode) `json.Unmarshal` into `interface{}`.
fn to_json_value(v: GoVal, mode: NumberMode) -> Result<Value, Error> {
    Ok(match v {
        GoVal::Null => Value::Null,
        GoVal::Bool(b) => Value::Bool(b),
        GoVal::Int(i) => match mode {
            NumberMode::Preserve => Value::Number(i.into()),
            NumberMode::Float64 => float_value(i as f64)?,
        },
        GoVal::Uint(u) => match mode {
            NumberMode::Preserve => Value::Number(u.into()),
            NumberMode::Float64 => float_value(u as f64)?,
        },
        GoVal::Float(f) => float_value(f)?,
        GoVal::Str(s) => Value::String(s),
        GoVal::Seq(items) => Value::Array(
            items
                .into_iter()
                .map(|x| to_json_value(x, mode))
                .collect::<Result<_, _>>()?,
        ),
        GoVal::Map(pairs) => {
            let mut map = Map::new();
            for (k, v) in pairs.entries {
                let key = key_string(&k, &v)?;
                map.insert(key, to_json_value(v, mode)?);
            }
            Value::Object(map)
        }
    })
}

fn float_value(f: f64) -> Result<Value, Error> {
    Number::from_f64(f).map(Value::Number).ok_or_else(|| {
        Error::Yaml(format!(
            "json: unsupported value: {}",
            super::gofmt::format_g64(f)
        ))
    })
}

fn key_string(k: &GoVal, v: &GoVal) -> Result<String, Error> {
    Ok(match k {
        GoVal::Str(s) => s.clone(),
        GoVal::Int(i) => i.to_string(),
        GoVal::Float(f) => match format_g32(*f).as_str() {
            "+Inf" => ".inf".to_string(),
            "-Inf" => "-.inf".to_string(),
            "NaN" => ".nan".to_string(),
            s => s.to_string(),
        },
        GoVal::Bool(b) => b.to_string(),
        GoVal::Uint(u) => {
            return Err(Error::Yaml(format!(
                "unsupported map key of type: uint64, key: 0x{u:x}, value: {}",
                go_syntax(v)
            )));
        }
        GoVal::Null => {
            return Err(Error::Yaml(format!(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                go_syntax(v)
            )));
        }
        GoVal::Seq(_) | GoVal::Map(_) => {
            return Err(Error::Yaml(format!(
                "yaml: invalid map key: {}",
                go_syntax(k)
            )));
        }
    })
}

/// Parses the first document of `text` (go-yaml v2 reads only the first) into a value, or
/// `Value::Null` for an empty stream.
fn first_document(text: &str, mode: NumberMode) -> Result<Value, Error> {
    // Most inputs are a plain, simple subset of YAML that a single-pass reader decodes to the
    // very value the full decoder would give; it declines everything else.
    if let Some(v) = super::fast::try_decode(text, mode) {
        return Ok(v);
    }
    full_first_document(text, mode)
}

/// [`first_document`] without the fast path: granit-parser, libyaml's checks, composition and
/// go-yaml's decoding (the reference the fast path is tested against).
pub(super) fn full_first_document(text: &str, mode: NumberMode) -> Result<Value, Error> {
    check_characters(text)?;
    with_lenient_quotes(text, |composer| match composer.document()? {
        Some(doc) => doc_value(&doc, mode),
        None => Ok(Value::Null),
    })
}

/// Runs `read` over `text`, accepting quoted scalars whose continuation lines are not indented
/// past their block as libyaml does: such a line is re-read with extra leading spaces, which a
/// quoted scalar discards anyway, so the value is unchanged.
fn with_lenient_quotes<T>(
    text: &str,
    read: impl Fn(&mut Composer<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut owned: Option<String> = None;
    let mut last_error = None;
    for _ in 0..=text.lines().count() + text.matches("\\'").count() {
        let current = owned.as_deref().unwrap_or(text);
        let mut composer = Composer::new(current);
        match read(&mut composer) {
            Ok(v) => return Ok(v),
            Err(e) => {
                let patched = match composer.fix {
                    Some(Fix::IndentLine(line)) => indent_line(current, line),
                    Some(Fix::QuoteEscapeFrom(offset)) => unescape_quote(current, offset),
                    None => None,
                };
                match patched {
                    Some(p) => owned = Some(p),
                    None => return Err(e),
                }
                last_error = Some(e);
            }
        }
    }
    Err(last_error.unwrap_or_else(|| Error::Yaml("yaml: invalid input".to_string())))
}

fn doc_value(doc: &Doc, mode: NumberMode) -> Result<Value, Error> {
    let Some(root) = doc.root else {
        return Ok(Value::Null);
    };
    let mut d = Decoder {
        doc,
        depth: 0,
        decode_count: 1,
        alias_count: 0,
        alias_depth: 0,
        active_aliases: Vec::new(),
    };
    let v = d.value(root)?;
    to_json_value(v, mode)
}

/// `yaml.YAMLToJSON`-like reading of the first document into any JSON value.
///
/// Errors are wrapped as `sigs.k8s.io/yaml.Unmarshal` wraps them (`error converting YAML to
/// JSON: ...`).
pub fn yaml_to_value(text: &str, mode: NumberMode) -> Result<Value, Error> {
    first_document(text, mode).map_err(|e| Error::Convert(e.to_string()))
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
    }
}

fn into_map(v: Value, go_type: &str) -> Result<Map<String, Value>, Error> {
    match v {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        other => Err(Error::Unmarshal(format!(
            "json: cannot unmarshal {} into Go value of type {go_type}",
            json_kind(&other)
        ))),
    }
}

/// Helm's `chartutil.ReadValues`: a values file as a map, all numbers f64. An empty or `null`
/// document gives an empty map; a non-mapping document is an error.
pub fn parse_values(text: &str) -> Result<Map<String, Value>, Error> {
    into_map(
        yaml_to_value(text, NumberMode::Float64)?,
        "chartutil.Values",
    )
}

/// Helm's `fromYaml` without the error folding: the document as a map, numbers f64.
///
/// Helm's template function returns `{"Error": message}` on failure; callers build that from
/// the `Err` text.
pub fn from_yaml(text: &str) -> Result<Map<String, Value>, Error> {
    into_map(
        yaml_to_value(text, NumberMode::Float64)?,
        "map[string]interface {}",
    )
}

/// Helm's `fromYamlArray` without the error folding: the document as a list, numbers f64.
///
/// Helm's template function returns `[message]` on failure.
pub fn from_yaml_array(text: &str) -> Result<Vec<Value>, Error> {
    match yaml_to_value(text, NumberMode::Float64)? {
        Value::Array(a) => Ok(a),
        Value::Null => Ok(Vec::new()),
        other => Err(Error::Unmarshal(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))),
    }
}

/// Every document of a multi-document stream, each read with go-yaml v2 semantics.
///
/// go-yaml v2's `Unmarshal` stops after the first document; this reads all of them (as
/// `yaml.NewDecoder` would), e.g. to split rendered manifests. Empty documents give
/// `Value::Null`.
pub fn from_yaml_documents(text: &str, mode: NumberMode) -> Result<Vec<Value>, Error> {
    let read = || {
        check_characters(text)?;
        with_lenient_quotes(text, |composer| {
            let mut out = Vec::new();
            while let Some(doc) = composer.document()? {
                out.push(doc_value(&doc, mode)?);
            }
            Ok(out)
        })
    };
    read().map_err(|e| Error::Convert(e.to_string()))
}
