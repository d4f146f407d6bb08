//! Helm's `pkg/strvals` (v4.1.4): the `--set`, `--set-string`, `--set-json`, `--set-file`
//! and `--set-literal` parsers.
//!
//! Values are `serde_json` values with Helm's Go types kept apart by the number
//! representation: an integer `Number` is a Go `int64` (what `--set` produces), a float
//! `Number` is a Go `float64` (what values files and JSON produce). See
//! [`crate::render::user_values::from_json_typed`] for the conversion to template values.
//!
//! The parser is a transliteration of Go's, including its quirks: a trailing `a[0` or `a.`
//! is silently ignored (the error wraps `io.EOF`, which `parse` treats as the end), `a={}`
//! is `[""]`, type clashes with existing values are Go's recovered panics
//! (`unable to parse key: interface conversion: ...`), and error texts are Go's, except the
//! JSON decoder's own messages inside `--set-json` (Helm replaces those with
//! `failed parsing --set-json data <value>` anyway).

use serde_json::{Map, Number, Value};

use crate::template::gofmt::{quote, quote_rune};

/// Helm's `strvals.MaxIndex`: the largest list index `--set` accepts.
pub const MAX_INDEX: i64 = 65536;

/// Helm's `strvals.MaxNestedNameLevel`: the deepest `a.b.c` key `--set` accepts.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// A strvals error, worded as Go's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct StrvalsError {
    message: String,
    /// Whether the error wraps `io.EOF` (which ends parsing successfully).
    eof: bool,
}

impl StrvalsError {
    fn msg(message: impl Into<String>) -> Self {
        StrvalsError {
            message: message.into(),
            eof: false,
        }
    }

    fn eof() -> Self {
        StrvalsError {
            message: "EOF".into(),
            eof: true,
        }
    }

    /// `fmt.Errorf("<prefix>%w", err)`: keeps `errors.Is(err, io.EOF)`.
    fn wrap(self, prefix: &str) -> Self {
        StrvalsError {
            message: format!("{prefix}{}", self.message),
            eof: self.eof,
        }
    }
}

/// Reads a `--set-file` path into a value (Helm: the file's text); errors are Go's text.
pub type FileReader<'a> = &'a mut dyn FnMut(&str) -> Result<Value, String>;

enum Mode<'a> {
    /// `--set` (`string == false`) and `--set-string`.
    Typed { string: bool },
    /// `--set-json` in `key=JSON` form.
    Json,
    /// `--set-file`.
    File(FileReader<'a>),
    /// `--set-literal`.
    Literal,
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode<'a>,
}

/// `strvals.Parse`: `--set` syntax into a new map.
pub fn parse(s: &str) -> Result<Map<String, Value>, StrvalsError> {
    let mut m = Map::new();
    parse_into(s, &mut m)?;
    Ok(m)
}

/// `strvals.ParseInto`: `--set` syntax merged into `dest` (numbers become int64,
/// `true`/`false`/`null` typed).
pub fn parse_into(s: &str, dest: &mut Map<String, Value>) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::Typed { string: false }).parse(dest)
}

/// `strvals.ParseString`: `--set-string` syntax into a new map.
pub fn parse_string(s: &str) -> Result<Map<String, Value>, StrvalsError> {
    let mut m = Map::new();
    parse_into_string(s, &mut m)?;
    Ok(m)
}

/// `strvals.ParseIntoString`: `--set-string` syntax (every value a string) into `dest`.
pub fn parse_into_string(s: &str, dest: &mut Map<String, Value>) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::Typed { string: true }).parse(dest)
}

/// `strvals.ParseJSON`: `--set-json` `key=JSON` syntax into `dest` (numbers float64).
pub fn parse_json(s: &str, dest: &mut Map<String, Value>) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::Json).parse(dest)
}

/// `strvals.ParseIntoFile`: `--set-file` syntax; each value is a path given to `reader`.
pub fn parse_into_file<'a>(
    s: &str,
    dest: &mut Map<String, Value>,
    reader: FileReader<'a>,
) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::File(reader)).parse(dest)
}

/// `strvals.ParseLiteral`: `--set-literal` syntax into a new map.
pub fn parse_literal(s: &str) -> Result<Map<String, Value>, StrvalsError> {
    let mut m = Map::new();
    parse_literal_into(s, &mut m)?;
    Ok(m)
}

/// `strvals.ParseLiteralInto`: `--set-literal` syntax (the rest of the text after `=` is
/// the value, verbatim) into `dest`.
pub fn parse_literal_into(s: &str, dest: &mut Map<String, Value>) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::Literal).parse(dest)
}

/// Go's type name of a value as a type assertion panic shows it.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// The error of a failed `x.(T)` assertion, recovered in `key`.
fn conversion_panic(v: &Value, want: &str) -> StrvalsError {
    StrvalsError::msg(format!(
        "unable to parse key: interface conversion: interface {{}} is {}, not {want}",
        go_type(v)
    ))
}

const LIST_TYPE: &str = "[]interface {}";
const MAP_TYPE: &str = "map[string]interface {}";

/// Go's `%q` of a `[]rune`: `['a' 'b']`.
fn quote_runes(s: &str) -> String {
    let runes: Vec<String> = s.chars().map(quote_rune).collect();
    format!("[{}]", runes.join(" "))
}

/// `set`: empty keys are ignored.
fn set(data: &mut Map<String, Value>, key: String, val: Value) {
    if !key.is_empty() {
        data.insert(key, val);
    }
}

/// `setIndex`.
fn set_index(mut list: Vec<Value>, index: i64, val: Value) -> (Vec<Value>, Option<StrvalsError>) {
    if index < 0 {
        let e = format!("negative {index} index not allowed");
        return (list, Some(StrvalsError::msg(e)));
    }
    if index > MAX_INDEX {
        let e = format!("index of {index} is greater than maximum supported index of {MAX_INDEX}");
        return (list, Some(StrvalsError::msg(e)));
    }
    let i = usize::try_from(index).unwrap_or(0);
    if list.len() <= i {
        list.resize(i + 1, Value::Null);
    }
    list[i] = val;
    (list, None)
}

/// `strconv.Atoi` with Go's error text.
fn atoi(s: &str) -> Result<i64, StrvalsError> {
    s.parse::<i64>().map_err(|e| {
        let why = match e.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                "value out of range"
            }
            _ => "invalid syntax",
        };
        StrvalsError::msg(format!("strconv.Atoi: parsing {}: {why}", quote(s)))
    })
}

/// Go's `strings.EqualFold` against an ASCII lower-case word.
fn equal_fold(s: &str, word: &str) -> bool {
    let fold = |c: char| match c {
        '\u{17F}' => 's',
        '\u{212A}' => 'k',
        c => c.to_ascii_lowercase(),
    };
    s.chars().count() == word.len() && s.chars().map(fold).eq(word.chars())
}

/// `typedVal`: `--set` typing of a scalar (`--set-string` keeps the text).
pub fn typed_val(val: &str, string: bool) -> Value {
    if string {
        return Value::String(val.to_string());
    }
    if equal_fold(val, "true") {
        return Value::Bool(true);
    }
    if equal_fold(val, "false") {
        return Value::Bool(false);
    }
    if equal_fold(val, "null") {
        return Value::Null;
    }
    if val == "0" {
        return Value::Number(0.into());
    }
    if !val.is_empty()
        && !val.starts_with('0')
        && let Ok(i) = val.parse::<i64>()
    {
        return Value::Number(i.into());
    }
    Value::String(val.to_string())
}

/// Makes every number a float64, as `encoding/json` decodes into `interface{}`.
pub fn json_floats(v: Value) -> Value {
    match v {
        Value::Number(n) => n
            .as_f64()
            .and_then(Number::from_f64)
            .map_or(Value::Number(n), Value::Number),
        Value::Array(a) => Value::Array(a.into_iter().map(json_floats).collect()),
        Value::Object(o) => {
            Value::Object(o.into_iter().map(|(k, v)| (k, json_floats(v))).collect())
        }
        other => other,
    }
}

enum ListErr {
    Eof,
    NotList,
    Other(StrvalsError),
}

impl<'a> Parser<'a> {
    fn new(s: &str, mode: Mode<'a>) -> Self {
        Parser {
            chars: s.chars().collect(),
            pos: 0,
            mode,
        }
    }

    fn literal(&self) -> bool {
        matches!(self.mode, Mode::Literal)
    }

    fn parse(&mut self, data: &mut Map<String, Value>) -> Result<(), StrvalsError> {
        loop {
            match self.key(data, 0) {
                Ok(()) => {}
                Err(e) if e.eof => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    fn read_rune(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread_rune(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    /// `runesUntil` (with `\` escapes) or `runesUntilLiteral`: the text before a stop rune,
    /// the stop rune, or `None` at the end of input.
    fn runes_until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let escapes = !self.literal();
        let mut v = String::new();
        loop {
            let Some(r) = self.read_rune() else {
                return (v, None);
            };
            if stop.contains(&r) {
                return (v, Some(r));
            }
            if escapes && r == '\\' {
                match self.read_rune() {
                    Some(next) => v.push(next),
                    None => return (v, None),
                }
            } else {
                v.push(r);
            }
        }
    }

    fn key(&mut self, data: &mut Map<String, Value>, level: usize) -> Result<(), StrvalsError> {
        let stop: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.runes_until(stop);
        let Some(last) = last else {
            if k.is_empty() {
                return Err(StrvalsError::eof());
            }
            return Err(StrvalsError::msg(format!("key {} has no value", quote(&k))));
        };
        match last {
            '[' => {
                let i = self
                    .key_index()
                    .map_err(|e| e.wrap("error parsing index: "))?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::Array(a)) => a.clone(),
                    Some(other) => return Err(conversion_panic(other, LIST_TYPE)),
                };
                let (list, err) = self.list_item(list, i, level);
                set(data, k, Value::Array(list));
                err.map_or(Ok(()), Err)
            }
            '=' => self.key_value(data, k),
            ',' => {
                let e = format!("key {} has no value (cannot end with ,)", quote(&k));
                set(data, k, Value::String(String::new()));
                Err(StrvalsError::msg(e))
            }
            _ => self.key_map(data, k, level + 1),
        }
    }

    /// `key` after `=`.
    fn key_value(&mut self, data: &mut Map<String, Value>, k: String) -> Result<(), StrvalsError> {
        match self.mode {
            Mode::Json => {
                if self.empty_val() {
                    set(data, k, Value::Null);
                    return Ok(());
                }
                let v = self.json_value()?;
                set(data, k, v);
                self.empty_val();
                Ok(())
            }
            Mode::Literal => {
                let value: String = self.chars[self.pos..].iter().collect();
                self.pos = self.chars.len();
                set(data, k, Value::String(value));
                Ok(())
            }
            _ => match self.val_list() {
                Ok(vl) => {
                    set(data, k, Value::Array(vl));
                    Ok(())
                }
                Err(ListErr::Eof) => {
                    set(data, k, Value::String(String::new()));
                    Err(StrvalsError::eof())
                }
                Err(ListErr::NotList) => {
                    let rs = self.val();
                    match self.read(&rs) {
                        Ok(v) => {
                            set(data, k, v);
                            Ok(())
                        }
                        Err(e) => {
                            set(data, k, Value::Null);
                            Err(e)
                        }
                    }
                }
                Err(ListErr::Other(e)) => Err(e),
            },
        }
    }

    /// `key` after `.`.
    fn key_map(
        &mut self,
        data: &mut Map<String, Value>,
        k: String,
        level: usize,
    ) -> Result<(), StrvalsError> {
        if level > MAX_NESTED_NAME_LEVEL {
            return Err(StrvalsError::msg(format!(
                "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
            )));
        }
        let no_value = |k: &str| StrvalsError::msg(format!("key map {} has no value", quote(k)));
        match data.get_mut(&k) {
            Some(Value::Object(inner)) => {
                let e = self.key(inner, level);
                if e.is_ok() && inner.is_empty() {
                    return Err(no_value(&k));
                }
                e
            }
            Some(other) => Err(conversion_panic(other, MAP_TYPE)),
            None => {
                let mut inner = Map::new();
                let e = self.key(&mut inner, level);
                if e.is_ok() && inner.is_empty() {
                    return Err(no_value(&k));
                }
                if !inner.is_empty() {
                    set(data, k, Value::Object(inner));
                }
                e
            }
        }
    }

    /// The reader applied to a scalar text.
    fn read(&mut self, rs: &str) -> Result<Value, StrvalsError> {
        match &mut self.mode {
            Mode::Typed { string } => Ok(typed_val(rs, *string)),
            Mode::File(reader) => reader(rs).map_err(StrvalsError::msg),
            Mode::Json | Mode::Literal => Ok(Value::String(rs.to_string())),
        }
    }

    fn key_index(&mut self) -> Result<i64, StrvalsError> {
        let (v, last) = self.runes_until(&[']']);
        if last.is_none() {
            return Err(StrvalsError::eof());
        }
        atoi(&v)
    }

    fn list_item(
        &mut self,
        mut list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> (Vec<Value>, Option<StrvalsError>) {
        if i < 0 {
            let e = StrvalsError::msg(format!("negative {i} index not allowed"));
            return (list, Some(e));
        }
        let (k, last) = self.runes_until(&['[', '.', '=']);
        if !k.is_empty() {
            let e = format!("unexpected data at end of array index: {}", quote_runes(&k));
            return (list, Some(StrvalsError::msg(e)));
        }
        let Some(last) = last else {
            return (list, Some(StrvalsError::eof()));
        };
        let idx = usize::try_from(i).unwrap_or(usize::MAX);
        match last {
            '=' => self.list_value(list, i),
            '[' => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return (list, Some(e.wrap("error parsing index: "))),
                };
                let current = match list.get(idx) {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(a)) => a.clone(),
                    Some(other) => {
                        let e = conversion_panic(other, LIST_TYPE);
                        return (list, Some(e));
                    }
                };
                let (inner, err) = self.list_item(current, next, level);
                if err.is_some() {
                    return (list, err);
                }
                set_index(list, i, Value::Array(inner))
            }
            _ => {
                if idx < list.len() {
                    if !list[idx].is_object() {
                        list[idx] = Value::Object(Map::new());
                    }
                    if let Value::Object(inner) = &mut list[idx]
                        && let Err(e) = self.key(inner, level)
                    {
                        return (list, Some(e));
                    }
                    (list, None)
                } else {
                    let mut inner = Map::new();
                    if let Err(e) = self.key(&mut inner, level) {
                        return (list, Some(e));
                    }
                    set_index(list, i, Value::Object(inner))
                }
            }
        }
    }

    /// `listItem` after `=`.
    fn list_value(&mut self, list: Vec<Value>, i: i64) -> (Vec<Value>, Option<StrvalsError>) {
        match self.mode {
            Mode::Json => {
                if self.empty_val() {
                    return set_index(list, i, Value::Null);
                }
                let v = match self.json_value() {
                    Ok(v) => v,
                    Err(e) => return (list, Some(e)),
                };
                let (list, err) = set_index(list, i, v);
                if err.is_some() {
                    return (list, err);
                }
                self.empty_val();
                (list, None)
            }
            Mode::Literal => {
                let value: String = self.chars[self.pos..].iter().collect();
                self.pos = self.chars.len();
                set_index(list, i, Value::String(value))
            }
            _ => match self.val_list() {
                Ok(vl) => set_index(list, i, Value::Array(vl)),
                Err(ListErr::Eof) => set_index(list, i, Value::String(String::new())),
                Err(ListErr::NotList) => {
                    let rs = self.val();
                    match self.read(&rs) {
                        Ok(v) => set_index(list, i, v),
                        Err(e) => (list, Some(e)),
                    }
                }
                Err(ListErr::Other(e)) => (list, Some(e)),
            },
        }
    }

    /// `emptyVal`: skips spaces; true at the end of input or after a `,`.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read_rune() {
                None | Some(',') => return true,
                Some(r) if r.is_whitespace() => {}
                Some(_) => {
                    self.unread_rune();
                    return false;
                }
            }
        }
    }

    /// One JSON value from the rest of the input (`json.Decoder.Decode`), consumed.
    fn json_value(&mut self) -> Result<Value, StrvalsError> {
        let rest: String = self.chars[self.pos..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<Value>();
        let v = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => return Err(StrvalsError::msg(e.to_string())),
            None => return Err(StrvalsError::msg("unexpected EOF")),
        };
        let consumed = rest[..stream.byte_offset()].chars().count();
        self.pos += consumed;
        Ok(json_floats(v))
    }

    /// `val`: text up to the next `,`.
    fn val(&mut self) -> String {
        self.runes_until(&[',']).0
    }

    /// `valList`: `{a,b}` as a list of read values.
    fn val_list(&mut self) -> Result<Vec<Value>, ListErr> {
        let Some(r) = self.read_rune() else {
            return Err(ListErr::Eof);
        };
        if r != '{' {
            self.unread_rune();
            return Err(ListErr::NotList);
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.runes_until(&[',', '}']);
            match last {
                None => {
                    return Err(ListErr::Other(StrvalsError::msg(
                        "list must terminate with '}'",
                    )));
                }
                Some('}') => {
                    if let Some(r) = self.read_rune()
                        && r != ','
                    {
                        self.unread_rune();
                    }
                    let v = self.read(&rs).map_err(ListErr::Other)?;
                    list.push(v);
                    return Ok(list);
                }
                _ => {
                    let v = self.read(&rs).map_err(ListErr::Other)?;
                    list.push(v);
                }
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
