//! A small, strict JSON reader (RFC 8259) that remembers where each value was, so a scenario file's problems
//! can be reported by line and column; and a writer. Limits keep hostile input cheap: 1 MB, 32 levels.

use core::fmt;

/// Largest document read.
pub const MAX_BYTES: usize = 1 << 20;
/// Deepest nesting read.
pub const MAX_DEPTH: usize = 32;

/// Where a value starts: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column (characters), from 1.
    pub col: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.col)
    }
}

/// A JSON value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    /// Where it starts.
    pub pos: Pos,
    /// What it is.
    pub value: Value,
}

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Num(String),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object, in document order.
    Obj(Vec<(String, Json)>),
}

impl Value {
    /// The JSON type's name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::Arr(_) => "an array",
            Value::Obj(_) => "an object",
        }
    }
}

/// A syntax error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where.
    pub pos: Pos,
    /// What.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pos, self.message)
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    line: u32,
    col: u32,
}

/// Parses a whole document.
pub fn parse(text: &str) -> Result<Json, SyntaxError> {
    if text.len() > MAX_BYTES {
        return Err(SyntaxError {
            pos: Pos { line: 1, col: 1 },
            message: format!("the file is {} bytes; at most {MAX_BYTES} are read", text.len()),
        });
    }
    let mut p = Parser { s: text.as_bytes(), i: 0, line: 1, col: 1 };
    if p.s.starts_with(&[0xEF, 0xBB, 0xBF]) {
        p.i = 3;
    }
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("unexpected text after the end of the document"));
    }
    Ok(v)
}

impl Parser<'_> {
    fn pos(&self) -> Pos {
        Pos { line: self.line, col: self.col }
    }

    fn err(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError { pos: self.pos(), message: message.into() }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        if c == b'\n' {
            self.line += 1;
            self.col = 1;
        } else if c & 0xC0 != 0x80 {
            self.col += 1;
        }
        Some(c)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, c: u8, what: &str) -> Result<(), SyntaxError> {
        if self.peek() == Some(c) {
            self.bump();
            Ok(())
        } else {
            Err(self.err(format!("expected {what}")))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("nested more than {MAX_DEPTH} levels deep")));
        }
        let pos = self.pos();
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::Str(self.string()?),
            Some(b't') => self.word("true", Value::Bool(true))?,
            Some(b'f') => self.word("false", Value::Bool(false))?,
            Some(b'n') => self.word("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(c) => return Err(self.err(format!("unexpected \"{}\"; expected a value", c as char))),
            None => return Err(self.err("the document ends where a value was expected")),
        };
        Ok(Json { pos, value })
    }

    fn word(&mut self, w: &str, v: Value) -> Result<Value, SyntaxError> {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            for _ in 0..w.len() {
                self.bump();
            }
            Ok(v)
        } else {
            Err(self.err(format!("expected {w}")))
        }
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.bump();
            }
            p.i > s
        };
        if self.peek() == Some(b'0') {
            self.bump(); // RFC 8259: no leading zeros
        } else if !digits(self) {
            return Err(self.err("a number needs digits"));
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if !digits(self) {
                return Err(self.err("a decimal point needs digits after it"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            if !digits(self) {
                return Err(self.err("an exponent needs digits"));
            }
        }
        // Kept as written (checked against JSON's grammar above): scenario numbers are whole numbers, read by
        // their user, and a float parser would only add size to the browser bundle.
        Ok(Value::Num(String::from_utf8_lossy(&self.s[start..self.i]).into_owned()))
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.expect(b'"', "a string")?;
        let mut out = Vec::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(self.err("a string is not closed"));
            };
            match c {
                b'"' => break,
                b'\\' => {
                    let e = self.bump().ok_or_else(|| self.err("a string is not closed"))?;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode()?,
                        _ => return Err(self.err("unknown escape in a string")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1F => return Err(self.err("a control character inside a string must be escaped")),
                _ => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|_| self.err("the string is not valid UTF-8"))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut n = 0;
        for _ in 0..4 {
            let c = self.bump().ok_or_else(|| self.err("\\u needs four hex digits"))?;
            let d = (c as char).to_digit(16).ok_or_else(|| self.err("\\u needs four hex digits"))?;
            n = n * 16 + d;
        }
        Ok(n)
    }

    fn unicode(&mut self) -> Result<char, SyntaxError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.bump() != Some(b'\\') || self.bump() != Some(b'u') {
                return Err(self.err("a high surrogate must be followed by a low one"));
            }
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(self.err("invalid low surrogate"));
            }
            return char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                .ok_or_else(|| self.err("invalid character"));
        }
        char::from_u32(hi).ok_or_else(|| self.err("a lone surrogate is not a character"))
    }

    fn array(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.expect(b'[', "[")?;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(Value::Arr(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    return Ok(Value::Arr(items));
                }
                _ => return Err(self.err("expected , or ] in an array")),
            };
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.expect(b'{', "{")?;
        let mut fields: Vec<(String, Json)> = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(Value::Obj(fields));
        }
        loop {
            self.ws();
            let at = self.pos();
            let key = self.string()?;
            if fields.iter().any(|(k, _)| *k == key) {
                return Err(SyntaxError { pos: at, message: format!("the key \"{key}\" appears twice") });
            }
            self.ws();
            self.expect(b':', ": after a key")?;
            self.ws();
            let v = self.value(depth + 1)?;
            fields.push((key, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    return Ok(Value::Obj(fields));
                }
                _ => return Err(self.err("expected , or } in an object")),
            };
        }
    }
}

/// Writes `s` as a JSON string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_documents_with_positions() {
        let doc = parse("{\n  \"a\": [1, -2.5e1, true, null],\n  \"b\": \"x\\u00e9\\ud83d\\ude00\"\n}").unwrap();
        let Value::Obj(fields) = doc.value else { panic!() };
        assert_eq!(fields[0].1.pos, Pos { line: 2, col: 8 });
        let Value::Arr(a) = &fields[0].1.value else { panic!() };
        assert_eq!(a[1].value, Value::Num("-2.5e1".into()));
        assert_eq!(fields[1].1.value, Value::Str("xé😀".into()));
    }

    #[test]
    fn errors_say_where_and_what() {
        for (text, line, col, frag) in [
            ("{\"a\": 1,}", 1, 9, "expected"),
            ("{\"a\": 1 \"b\": 2}", 1, 9, "expected , or }"),
            ("[1, 2", 1, 6, "expected , or ]"),
            ("{\"a\": 1, \"a\": 2}", 1, 10, "appears twice"),
            ("\"abc", 1, 5, "not closed"),
            ("01x", 1, 2, "after the end"),
            ("", 1, 1, "ends where a value"),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!((e.pos.line, e.pos.col), (line, col), "{text}: {e}");
            assert!(e.message.contains(frag), "{text}: {e}");
        }
        assert!(parse(&"[".repeat(100)).unwrap_err().message.contains("nested"));
    }

    #[test]
    fn quotes_round_trip() {
        let s = "a\"b\\c\nd\u{1}é";
        let Value::Str(back) = parse(&quote(s)).unwrap().value else { panic!() };
        assert_eq!(back, s);
    }
}
