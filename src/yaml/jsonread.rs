//! Reading JSON as Go's `json.Unmarshal` into `interface{}` does (Helm's `fromJson` and
//! `fromJsonArray`): every number becomes an f64, later duplicate keys win, lone surrogate
//! escapes become U+FFFD, and errors carry Go's exact wording
//! (`invalid character 'x' looking for beginning of value`, `unexpected end of JSON input`).

use serde_json::{Map, Number, Value};

use super::Error;

const EOF: &str = "unexpected end of JSON input";

/// Nesting bound for JSON input (Go's is 10000; ours stays safe on 2 MiB thread stacks).
const MAX_DEPTH: usize = 1000;

/// Go's `quoteChar`: how `encoding/json` shows an offending byte in messages.
fn quote_char(b: u8) -> String {
    match b {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            let c = char::from(b);
            let inner = match c {
                '\u{7}' => "\\a".to_string(),
                '\u{8}' => "\\b".to_string(),
                '\u{c}' => "\\f".to_string(),
                '\n' => "\\n".to_string(),
                '\r' => "\\r".to_string(),
                '\t' => "\\t".to_string(),
                '\u{b}' => "\\v".to_string(),
                '\\' => "\\\\".to_string(),
                c if u32::from(c) < 0x20 || u32::from(c) == 0x7F => {
                    format!("\\x{:02x}", u32::from(c))
                }
                c if (0x80..0xA0).contains(&u32::from(c)) || c == '\u{AD}' => {
                    format!("\\u{:04x}", u32::from(c))
                }
                c => c.to_string(),
            };
            format!("'{inner}'")
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

fn syntax(msg: String) -> Error {
    Error::Json(msg)
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }

    fn invalid(&self, c: u8, context: &str) -> Error {
        syntax(format!("invalid character {} {context}", quote_char(c)))
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        self.skip_ws();
        // Go allows 10000 levels; a lower bound keeps recursion within small thread stacks.
        if depth > MAX_DEPTH {
            return Err(self.invalid(self.peek().unwrap_or(b' '), "exceeded max depth"));
        }
        let Some(c) = self.peek() else {
            return Err(syntax(EOF.to_string()));
        };
        match c {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Value::String),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            _ => Err(self.invalid(c, "looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, Error> {
        for (k, expected) in word.bytes().enumerate() {
            // At the end of input Go's scanner feeds a space, so the message names ' '.
            match self.peek() {
                None => {
                    return Err(self.invalid(
                        b' ',
                        &format!("in literal {word} (expecting {})", quote_char(expected)),
                    ));
                }
                Some(c) if c == expected => self.i += 1,
                Some(c) if k > 0 => {
                    return Err(self.invalid(
                        c,
                        &format!("in literal {word} (expecting {})", quote_char(expected)),
                    ));
                }
                Some(c) => return Err(self.invalid(c, "looking for beginning of value")),
            }
        }
        Ok(v)
    }

    fn object(&mut self, depth: usize) -> Result<Value, Error> {
        self.i += 1;
        let mut map = Map::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Value::Object(map));
        }
        loop {
            self.skip_ws();
            match self.peek() {
                None => return Err(syntax(EOF.to_string())),
                Some(b'"') => {}
                Some(c) => {
                    return Err(self.invalid(c, "looking for beginning of object key string"));
                }
            }
            let key = self.string()?;
            self.skip_ws();
            match self.peek() {
                None => return Err(syntax(EOF.to_string())),
                Some(b':') => self.i += 1,
                Some(c) => return Err(self.invalid(c, "after object key")),
            }
            let v = self.value(depth + 1)?;
            map.insert(key, v);
            self.skip_ws();
            match self.peek() {
                None => return Err(syntax(EOF.to_string())),
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::Object(map));
                }
                Some(c) => return Err(self.invalid(c, "after object key:value pair")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, Error> {
        self.i += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                None => return Err(syntax(EOF.to_string())),
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                Some(c) => return Err(self.invalid(c, "after array element")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut v = 0;
        for _ in 0..4 {
            let c = self.peek().unwrap_or(b' ');
            let d = char::from(c)
                .to_digit(16)
                .ok_or_else(|| self.invalid(c, "in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }

    /// Tries to read `\uXXXX` at the cursor without failing (for a surrogate's second half).
    fn try_low_surrogate(&mut self) -> Option<u32> {
        let rest = self.b.get(self.i..self.i + 6)?;
        if rest[0] != b'\\' || rest[1] != b'u' {
            return None;
        }
        let text = std::str::from_utf8(&rest[2..]).ok()?;
        let v = u32::from_str_radix(text, 16).ok()?;
        if (0xDC00..0xE000).contains(&v) {
            self.i += 6;
            Some(v)
        } else {
            None
        }
    }

    fn string(&mut self) -> Result<String, Error> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(syntax(EOF.to_string()));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.i += 1;
                    let Some(e) = self.peek() else {
                        return Err(self.invalid(b' ', "in string escape code"));
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let v = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&v) {
                                match self.try_low_surrogate() {
                                    Some(lo) => char::from_u32(
                                        0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00),
                                    ),
                                    None => None,
                                }
                            } else {
                                char::from_u32(v)
                            };
                            out.push(ch.unwrap_or('\u{FFFD}'));
                        }
                        other => return Err(self.invalid(other, "in string escape code")),
                    }
                }
                c if c < 0x20 => return Err(self.invalid(c, "in string literal")),
                _ => {
                    // Copy one whole UTF-8 character.
                    let rest = self.s.get(self.i..).unwrap_or_default();
                    let ch = rest.chars().next().unwrap_or('\u{FFFD}');
                    out.push(ch);
                    self.i += ch.len_utf8().max(1);
                }
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value, Error> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            None => return Err(self.invalid(b' ', "in numeric literal")),
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            Some(c) => return Err(self.invalid(c, "in numeric literal")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            match self.peek().unwrap_or(b' ') {
                b'0'..=b'9' => {
                    self.digits();
                }
                c => return Err(self.invalid(c, "after decimal point in numeric literal")),
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            match self.peek().unwrap_or(b' ') {
                b'0'..=b'9' => {
                    self.digits();
                }
                c => return Err(self.invalid(c, "in exponent of numeric literal")),
            }
        }
        let text = self.s.get(start..self.i).unwrap_or("0");
        let f: f64 = text.parse().unwrap_or(f64::INFINITY);
        Number::from_f64(f).map(Value::Number).ok_or_else(|| {
            syntax(format!(
                "json: cannot unmarshal number {text} into Go value of type float64"
            ))
        })
    }
}

/// `json.Unmarshal` into `interface{}`: any JSON value, numbers as f64.
///
/// Errors are Go's messages (`invalid character '}' after array element`), as [`Error::Json`].
pub fn from_json(text: &str) -> Result<Value, Error> {
    let mut r = Reader {
        b: text.as_bytes(),
        s: text,
        i: 0,
    };
    let v = r.value(0)?;
    r.skip_ws();
    if let Some(c) = r.peek() {
        return Err(r.invalid(c, "after top-level value"));
    }
    Ok(v)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
    }
}

/// Helm's `fromJson` without the error folding: `json.Unmarshal` into
/// `map[string]interface{}` (`null` gives an empty map).
pub fn from_json_map(text: &str) -> Result<Map<String, Value>, Error> {
    match from_json(text)? {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        other => Err(syntax(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            kind(&other)
        ))),
    }
}

/// Helm's `fromJsonArray` without the error folding: `json.Unmarshal` into `[]interface{}`.
pub fn from_json_array(text: &str) -> Result<Vec<Value>, Error> {
    match from_json(text)? {
        Value::Array(a) => Ok(a),
        Value::Null => Ok(Vec::new()),
        other => Err(syntax(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            kind(&other)
        ))),
    }
}
