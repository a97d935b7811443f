//! A strict JSON validator (RFC 8259) that reports the top-level shape, without building values.
//!
//! The core reads JSON only where it acts on it: the Engine.IO handshake, the CONNECT,
//! CONNECT_ERROR and DISCONNECT packets, a CONNECT reply's `sid` and the recovery offset that
//! ends an event. Event and ack payloads are never scanned here: the browser's `JSON.parse`
//! reads them anyway, and the JS facade checks the value it gets.
//!
//! The walk is iterative (an explicit stack, at most 1000 containers deep) and linear in the input,
//! so no input can overflow the call stack or take quadratic time.

use std::borrow::Cow;

use super::ascii;
use super::error::DecodeError;

/// The deepest nesting of arrays and objects accepted.
const MAX_DEPTH: usize = 1000;

/// The top-level shape of a JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{...}`
    Object,
    /// `[...]`
    Array,
    /// `"..."`
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

/// Checks that `text` is exactly one JSON value and returns its shape. Syntax errors, including
/// nesting deeper than 1000, are [`DecodeError::InvalidJson`].
pub fn validate(text: &str) -> Result<Shape, DecodeError> {
    let mut cursor = Cursor::new(text);
    let shape = cursor.value()?;
    cursor.skip_whitespace();
    if !cursor.at_end() {
        return Err(DecodeError::InvalidJson);
    }
    Ok(shape)
}

/// The string value of `key` in the JSON object `text` (`None` if absent or not a string).
/// Reads the CONNECT reply's `sid` without building any other value.
pub fn string_member<'a>(text: &'a str, key: &str) -> Result<Option<Cow<'a, str>>, DecodeError> {
    let mut found = None;
    for_each_member(&mut Cursor::new(text), |name, cursor| {
        if !name.is(key) {
            cursor.value()?;
        } else if cursor.peek() == Some(b'"') {
            found = Some(cursor.string()?.unescaped());
        } else {
            // A later duplicate that is not a string wins, as with `JSON.parse`.
            found = None;
            cursor.value()?;
        }
        Ok(())
    })?;
    Ok(found)
}

/// The last element of the JSON array `text` when it is a string (`None` otherwise).
/// Connection state recovery keeps it: the server appends its offset to every event.
pub fn last_string_element(text: &str) -> Result<Option<Cow<'_, str>>, DecodeError> {
    let mut cursor = Cursor::new(text);
    cursor.skip_whitespace();
    cursor.expect(b'[')?;
    cursor.skip_whitespace();
    if cursor.eat(b']') {
        return Ok(None);
    }
    loop {
        cursor.skip_whitespace();
        let last = match cursor.peek() {
            Some(b'"') => Some(cursor.string()?.unescaped()),
            _ => {
                cursor.value()?;
                None
            }
        };
        cursor.skip_whitespace();
        if !cursor.eat(b',') {
            cursor.expect(b']')?;
            return Ok(last);
        }
    }
}

/// Whether the JSON array `text` starts with `null`. A queued emit sent without a timeout reads
/// its reply error-first, as socket.io-client does: a first `null` says it succeeded.
pub fn first_element_is_null(text: &str) -> bool {
    let rest = trim_start(trim_start(text).strip_prefix("[").unwrap_or(""));
    rest.strip_prefix("null")
        .is_some_and(|after| matches!(trim_start(after).bytes().next(), Some(b',' | b']')))
}

/// Whether `byte` is JSON whitespace (space, tab, line feed, carriage return).
fn is_whitespace(byte: &u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// `text` without the JSON whitespace it starts with. (`str::trim_start` would also drop
/// Unicode spaces, which JSON does not allow, and bring in Unicode's whitespace table.)
pub fn trim_start(text: &str) -> &str {
    let skipped = text.bytes().take_while(is_whitespace).count();
    // Whitespace is ASCII, so `skipped` is a char boundary.
    text.get(skipped..).unwrap_or("")
}

/// `text` without the JSON whitespace around it.
pub fn trim(text: &str) -> &str {
    let text = trim_start(text);
    let kept = text.len() - text.bytes().rev().take_while(is_whitespace).count();
    text.get(..kept).unwrap_or("")
}

/// Appends `value` as a JSON string literal (quoted and escaped).
pub fn push_string(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                for shift in [4, 0] {
                    let digit = HEX
                        .get(((c as usize) >> shift) & 0xf)
                        .copied()
                        .unwrap_or(b'0');
                    out.push(char::from(digit));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Reads an object, handing each member's name to `on_member` with the cursor on its value;
/// `on_member` must read the value.
pub(crate) fn for_each_member<'a>(
    cursor: &mut Cursor<'a>,
    mut on_member: impl FnMut(JsonString<'a>, &mut Cursor<'a>) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    cursor.skip_whitespace();
    cursor.expect(b'{')?;
    cursor.skip_whitespace();
    if cursor.eat(b'}') {
        return Ok(());
    }
    loop {
        cursor.skip_whitespace();
        let name = cursor.string()?;
        cursor.skip_whitespace();
        cursor.expect(b':')?;
        cursor.skip_whitespace();
        on_member(name, cursor)?;
        cursor.skip_whitespace();
        if !cursor.eat(b',') {
            return cursor.expect(b'}');
        }
    }
}

/// A string token: the raw text between the quotes, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JsonString<'a> {
    raw: &'a str,
    has_escapes: bool,
}

impl<'a> JsonString<'a> {
    /// The string's value, borrowed when it has no escapes.
    pub(crate) fn unescaped(&self) -> Cow<'a, str> {
        if self.has_escapes {
            Cow::Owned(unescape(self.raw))
        } else {
            Cow::Borrowed(self.raw)
        }
    }

    /// Whether the string's value is `expected`, unescaping only when that could be true.
    pub(crate) fn is(&self, expected: &str) -> bool {
        if !self.has_escapes {
            return self.raw == expected;
        }
        // An escape is at most 6 raw bytes per output byte and never shorter than its output.
        let could_match =
            self.raw.len() >= expected.len() && self.raw.len() <= expected.len().saturating_mul(6);
        could_match && unescape(self.raw) == expected
    }
}

/// A number token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JsonNumber {
    /// The value when the number is written as plain digits (no sign, fraction or exponent)
    /// and fits in a `u64`.
    pub(crate) plain_integer: Option<u64>,
}

/// A container being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Array,
    Object,
}

/// The containers open around the cursor, innermost last.
#[derive(Default)]
struct Open(Vec<Container>);

impl Open {
    fn push(&mut self, container: Container) -> Result<(), DecodeError> {
        if self.0.len() >= MAX_DEPTH {
            return Err(DecodeError::InvalidJson);
        }
        self.0.push(container);
        Ok(())
    }

    fn pop(&mut self) {
        self.0.pop();
    }

    fn innermost(&self) -> Option<Container> {
        self.0.last().copied()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A position in a JSON text, with token readers. Shared with the handshake reader.
pub(crate) struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    pub(crate) fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    /// Consumes `byte` if it is next.
    pub(crate) fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.bump();
        }
        found
    }

    pub(crate) fn expect(&mut self, byte: u8) -> Result<(), DecodeError> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(DecodeError::InvalidJson)
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), DecodeError> {
        let end = self.pos.saturating_add(word.len());
        if self.text.as_bytes().get(self.pos..end) != Some(word) {
            return Err(DecodeError::InvalidJson);
        }
        self.pos = end;
        Ok(())
    }

    /// Reads a string token, the cursor being on its opening quote.
    pub(crate) fn string(&mut self) -> Result<JsonString<'a>, DecodeError> {
        self.expect(b'"')?;
        let start = self.pos;
        let mut has_escapes = false;
        loop {
            match self.peek() {
                Some(b'"') => break,
                Some(b'\\') => {
                    has_escapes = true;
                    self.bump();
                    self.escape()?;
                }
                Some(0x20..) => self.bump(),
                Some(_) | None => return Err(DecodeError::InvalidJson),
            }
        }
        let raw = self
            .text
            .get(start..self.pos)
            .ok_or(DecodeError::InvalidJson)?;
        self.bump();
        Ok(JsonString { raw, has_escapes })
    }

    /// Checks the escape after a backslash.
    fn escape(&mut self) -> Result<(), DecodeError> {
        match self.peek() {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.bump(),
            Some(b'u') => {
                self.bump();
                for _ in 0..4 {
                    if !self.peek().is_some_and(|byte| byte.is_ascii_hexdigit()) {
                        return Err(DecodeError::InvalidJson);
                    }
                    self.bump();
                }
            }
            _ => return Err(DecodeError::InvalidJson),
        }
        Ok(())
    }

    /// Reads a number token per the JSON grammar.
    pub(crate) fn number(&mut self) -> Result<JsonNumber, DecodeError> {
        let negative = self.eat(b'-');
        let integer = match self.peek() {
            Some(b'0') => {
                self.bump();
                Some(0)
            }
            Some(b'1'..=b'9') => self.digits().1,
            _ => return Err(DecodeError::InvalidJson),
        };
        let mut plain = !negative;
        if self.eat(b'.') {
            plain = false;
            self.required_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            plain = false;
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            self.required_digits()?;
        }
        Ok(JsonNumber {
            plain_integer: integer.filter(|_| plain),
        })
    }

    /// Consumes a run of digits: its length, and its value if it fits in a `u64`.
    fn digits(&mut self) -> (usize, Option<u64>) {
        let mut count = 0usize;
        let mut value = Some(0u64);
        while let Some(byte @ b'0'..=b'9') = self.peek() {
            self.bump();
            count = count.saturating_add(1);
            value = value
                .and_then(|value| value.checked_mul(10))
                .and_then(|value| value.checked_add(u64::from(byte - b'0')));
        }
        (count, value)
    }

    fn required_digits(&mut self) -> Result<(), DecodeError> {
        match self.digits() {
            (0, _) => Err(DecodeError::InvalidJson),
            _ => Ok(()),
        }
    }

    /// Reads one key of an object and the `:` after it, the cursor being before the key.
    fn key(&mut self) -> Result<(), DecodeError> {
        self.skip_whitespace();
        self.string()?;
        self.skip_whitespace();
        self.expect(b':')
    }

    /// Reads one complete value (skipping whitespace before it), without recursion.
    pub(crate) fn value(&mut self) -> Result<Shape, DecodeError> {
        self.skip_whitespace();
        let shape = shape_of(self.peek())?;
        let mut open = Open::default();
        loop {
            if !self.value_start(&mut open)? {
                // A container was opened and is not empty: read its first value.
                continue;
            }
            // A value is complete: close every container that ends after it.
            loop {
                if open.is_empty() {
                    return Ok(shape);
                }
                if !self.after_value(&mut open)? {
                    break;
                }
            }
        }
    }

    /// Reads a scalar, or opens a container: `true` when a whole value was read (a scalar or an
    /// empty container), `false` when the next thing to read is the container's first value.
    fn value_start(&mut self, open: &mut Open) -> Result<bool, DecodeError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => {
                self.bump();
                open.push(Container::Object)?;
                self.skip_whitespace();
                if self.eat(b'}') {
                    open.pop();
                    return Ok(true);
                }
                self.key()?;
                Ok(false)
            }
            Some(b'[') => {
                self.bump();
                open.push(Container::Array)?;
                self.skip_whitespace();
                if self.eat(b']') {
                    open.pop();
                    return Ok(true);
                }
                Ok(false)
            }
            Some(b'"') => self.string().map(|_| true),
            Some(b'-' | b'0'..=b'9') => self.number().map(|_| true),
            Some(b't') => self.literal(b"true").map(|()| true),
            Some(b'f') => self.literal(b"false").map(|()| true),
            Some(b'n') => self.literal(b"null").map(|()| true),
            _ => Err(DecodeError::InvalidJson),
        }
    }

    /// After a value inside a container: `,` (then `false`: another value follows) or the
    /// container's closing bracket (then `true`: the container is a complete value).
    fn after_value(&mut self, open: &mut Open) -> Result<bool, DecodeError> {
        self.skip_whitespace();
        let in_object = open.innermost() == Some(Container::Object);
        let closing = if in_object { b'}' } else { b']' };
        if self.eat(b',') {
            if in_object {
                self.key()?;
            }
            Ok(false)
        } else if self.eat(closing) {
            open.pop();
            Ok(true)
        } else {
            Err(DecodeError::InvalidJson)
        }
    }
}

/// The shape of a value from its first byte.
fn shape_of(first_byte: Option<u8>) -> Result<Shape, DecodeError> {
    match first_byte {
        Some(b'{') => Ok(Shape::Object),
        Some(b'[') => Ok(Shape::Array),
        Some(b'"') => Ok(Shape::String),
        Some(b'-' | b'0'..=b'9') => Ok(Shape::Number),
        Some(b't' | b'f') => Ok(Shape::Bool),
        Some(b'n') => Ok(Shape::Null),
        _ => Err(DecodeError::InvalidJson),
    }
}

/// The value of a validated string's raw text. Malformed escapes (which validation rules out)
/// and lone surrogates become U+FFFD.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some((plain, escaped)) = ascii::split_once(rest, b'\\') {
        out.push_str(plain);
        rest = push_escape(escaped, &mut out);
    }
    out.push_str(rest);
    out
}

/// Appends the character of the escape at the start of `text` (just after the backslash) and
/// returns the text after it.
fn push_escape<'t>(text: &'t str, out: &mut String) -> &'t str {
    let mut chars = text.chars();
    let simple = match chars.next() {
        Some('"') => '"',
        Some('\\') => '\\',
        Some('/') => '/',
        Some('b') => '\u{8}',
        Some('f') => '\u{c}',
        Some('n') => '\n',
        Some('r') => '\r',
        Some('t') => '\t',
        Some('u') => return push_unicode_escape(chars.as_str(), out),
        _ => char::REPLACEMENT_CHARACTER,
    };
    out.push(simple);
    chars.as_str()
}

/// Handles `XXXX` after `\u`, pairing a high surrogate with a following `\uXXXX` low one.
fn push_unicode_escape<'t>(text: &'t str, out: &mut String) -> &'t str {
    let Some((unit, rest)) = hex4(text) else {
        out.push(char::REPLACEMENT_CHARACTER);
        return text;
    };
    if (0xD800..0xDC00).contains(&unit) {
        let low = rest.strip_prefix("\\u").and_then(hex4);
        if let Some((low, after_low)) = low.filter(|(low, _)| (0xDC00..0xE000).contains(low)) {
            let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            return after_low;
        }
    }
    out.push(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER));
    rest
}

/// Four hex digits at the start of `text`, as a number, and the text after them.
fn hex4(text: &str) -> Option<(u32, &str)> {
    let (digits, rest) = text.split_at_checked(4)?;
    let mut value = 0u32;
    for byte in digits.bytes() {
        let digit = char::from(byte).to_digit(16)?;
        value = value * 16 + digit;
    }
    Some((value, rest))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn first_element_is_null_only_for_a_leading_null() {
        for yes in ["[null]", " [ null , 1]", "[null,\"x\"]"] {
            assert!(first_element_is_null(yes), "{yes}");
        }
        for no in ["[]", "[nullx]", "[\"null\"]", "[1,null]", "null", ""] {
            assert!(!first_element_is_null(no), "{no}");
        }
    }

    #[test]
    fn trims_json_whitespace_only() {
        assert_eq!(trim_start(" \t\r\n[1] "), "[1] ");
        assert_eq!(trim(" \n{\"a\":1}\r\n "), "{\"a\":1}");
        // A no-break space is not JSON whitespace: a text starting with one is left as it is.
        assert_eq!(trim("\u{a0}{} "), "\u{a0}{}");
    }

    #[test]
    fn top_level_shapes() {
        assert_eq!(validate("{}"), Ok(Shape::Object));
        assert_eq!(validate(r#" {"a":1} "#), Ok(Shape::Object));
        assert_eq!(validate("[]"), Ok(Shape::Array));
        assert_eq!(validate(r#""x""#), Ok(Shape::String));
        assert_eq!(validate("-1.5e3"), Ok(Shape::Number));
        assert_eq!(validate("true"), Ok(Shape::Bool));
        assert_eq!(validate("false"), Ok(Shape::Bool));
        assert_eq!(validate("null"), Ok(Shape::Null));
        assert_eq!(validate("\t\r\n 0 \n"), Ok(Shape::Number));
    }

    #[test]
    fn strings_are_unescaped() {
        let last = |text: &str| last_string_element(text).unwrap().unwrap().into_owned();
        assert_eq!(last(r#"["conn\u0065ct"]"#), "connect");
        assert_eq!(
            last(r#"["a\"b\\c\/d\b\f\n\r\t"]"#),
            "a\"b\\c/d\u{8}\u{c}\n\r\t"
        );
        assert_eq!(last(r#"["\u00e9\u00E9é"]"#), "ééé");
        assert_eq!(last(r#"["\ud83d\ude00"]"#), "😀");
        assert_eq!(last(r#"["\ud83dx"]"#), "\u{fffd}x");
        assert_eq!(last(r#"["\ude00\ud83d"]"#), "\u{fffd}\u{fffd}");
        assert_eq!(last(r#"["\ud800\ud83d\ude00"]"#), "\u{fffd}😀");
        assert_eq!(last(r#"["\ud83d\u0041"]"#), "\u{fffd}A");
        assert_eq!(last(r#"["\u0000"]"#), "\u{0}");
    }

    #[test]
    fn accepts_valid_json() {
        let valid = [
            "0",
            "-0",
            "1",
            "-1",
            "10",
            "1.0",
            "0.5",
            "-0.5e-10",
            "1E+2",
            "1e2",
            "123456789012345678901234567890",
            "\"\"",
            "\"\\u12aB\"",
            "\"\\ud800\"",
            "\"\u{7f}\u{80}é😀\"",
            "[1,[2,[3,{}]],{\"a\":[null,true,false]}]",
            "{\"a\":{\"b\":{\"c\":[]}},\"d\":\"e\"}",
            "{\"\":0}",
            "{\"a\":1,\"a\":2}",
            " [ 1 , 2 ] ",
            "{ \"a\" : 1 , \"b\" : 2 }",
        ];
        for text in valid {
            assert!(validate(text).is_ok(), "{text:?}");
        }
    }

    #[test]
    fn rejects_invalid_json() {
        let invalid = [
            "",
            " ",
            "{",
            "}",
            "[",
            "]",
            "[1",
            "[1,",
            "[1,]",
            "[,1]",
            "[1 2]",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{,}",
            "{a:1}",
            "{'a':1}",
            "{\"a\" 1}",
            "{1:1}",
            "[}",
            "{]",
            "01",
            "-01",
            "00",
            "+1",
            ".5",
            "1.",
            "1.e3",
            "1e",
            "1e+",
            "-",
            "--1",
            "0x10",
            "NaN",
            "Infinity",
            "-Infinity",
            "tru",
            "truex",
            "nul",
            "True",
            "\"",
            "\"abc",
            "'a'",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12G4\"",
            "\"\\\"",
            "\"a\u{1}b\"",
            "\"a\nb\"",
            "\"a\tb\"",
            "1 2",
            "[] []",
            "{}x",
            "null,",
            "[1]]",
            "\u{feff}1",
            "\u{a0}1",
            "[\"a\"\u{0}]",
            "abc",
            "[\"some\",\"data\"",
        ];
        for text in invalid {
            assert_eq!(validate(text), Err(DecodeError::InvalidJson), "{text:?}");
        }
    }

    #[test]
    fn nesting_depth_limit() {
        let nested = |depth: usize| "[".repeat(depth) + &"]".repeat(depth);
        assert!(validate(&nested(MAX_DEPTH)).is_ok());
        assert_eq!(
            validate(&nested(MAX_DEPTH + 1)),
            Err(DecodeError::InvalidJson)
        );
        let objects = |depth: usize| "{\"a\":".repeat(depth - 1) + "{}" + &"}".repeat(depth - 1);
        assert!(validate(&objects(MAX_DEPTH)).is_ok());
        assert_eq!(
            validate(&objects(MAX_DEPTH + 1)),
            Err(DecodeError::InvalidJson)
        );
        assert_eq!(
            validate(&"[".repeat(100_000)),
            Err(DecodeError::InvalidJson)
        );
        assert_eq!(
            validate(&"{\"a\":".repeat(100_000)),
            Err(DecodeError::InvalidJson)
        );
        assert_eq!(validate(&nested(100_000)), Err(DecodeError::InvalidJson));
    }

    #[test]
    fn long_inputs_are_fine() {
        let many = "[".to_string() + &"1,".repeat(100_000) + "1]";
        assert!(validate(&many).is_ok());
        let digits = "9".repeat(100_000);
        assert_eq!(validate(&digits), Ok(Shape::Number));
        let escapes = "\"".to_string() + &"\\u0041".repeat(10_000) + "\"";
        assert_eq!(validate(&escapes), Ok(Shape::String));
    }

    #[test]
    fn key_comparison_bounds() {
        let key = |raw: &'static str| JsonString {
            raw,
            has_escapes: raw.contains('\\'),
        };
        assert!(key("num").is("num"));
        assert!(key("\\u006eum").is("num"));
        assert!(!key("\\u006eu").is("num"));
        assert!(!key("nu\\u006d\\u006d").is("num"));
        assert!(key("\\u006e\\u0075\\u006d").is("num"));
    }

    #[test]
    fn string_members_are_found_anywhere_in_the_object() {
        let reply = r#"{"sid":"s1","pid":"p1"}"#;
        assert_eq!(string_member(reply, "sid").unwrap().as_deref(), Some("s1"));
        assert_eq!(string_member(reply, "pid").unwrap().as_deref(), Some("p1"));
        assert_eq!(
            string_member(r#"{"sid":"a","sid":1}"#, "sid").unwrap(),
            None
        );
    }

    #[test]
    fn last_string_elements() {
        assert_eq!(
            last_string_element(r#"["ev",1,"off-1"]"#)
                .unwrap()
                .as_deref(),
            Some("off-1")
        );
        assert_eq!(
            last_string_element(r#"["ev","a\"b"]"#).unwrap().as_deref(),
            Some("a\"b")
        );
        assert_eq!(last_string_element(r#"["ev",{"x":"y"}]"#).unwrap(), None);
        assert_eq!(last_string_element("[]").unwrap(), None);
        assert!(last_string_element("[1,").is_err());
        assert!(last_string_element("{}").is_err());
    }

    #[test]
    fn pushed_strings_round_trip_through_the_validator() {
        for value in [
            "plain",
            "q\"uote",
            "back\\slash",
            "line\nbreak",
            "\u{1}ctl",
            "ünï 😀",
        ] {
            let mut out = String::new();
            push_string(&mut out, value);
            let wrapped = format!("[{out}]");
            assert_eq!(
                last_string_element(&wrapped).unwrap().as_deref(),
                Some(value),
                "{out}"
            );
        }
    }

    #[test]
    fn string_members() {
        assert_eq!(
            string_member(r#"{"sid":"abc"}"#, "sid"),
            Ok(Some(Cow::Borrowed("abc")))
        );
        assert_eq!(
            string_member(r#" { "a" : [1,{"sid":"x"}], "sid" : "s\u0031" } "#, "sid")
                .unwrap()
                .as_deref(),
            Some("s1")
        );
        assert_eq!(string_member(r#"{"sid":1}"#, "sid"), Ok(None));
        assert_eq!(string_member(r#"{"other":"x"}"#, "sid"), Ok(None));
        assert_eq!(string_member("{}", "sid"), Ok(None));
        assert!(string_member("[]", "sid").is_err());
        assert!(string_member(r#"{"sid":"x""#, "sid").is_err());
    }

    #[test]
    fn never_panics_on_short_strings() {
        let alphabet: Vec<char> = "[]{}\",:01-.e\\u_tn é".chars().collect();
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            texts = texts
                .iter()
                .flat_map(|text| alphabet.iter().map(move |c| std::format!("{text}{c}")))
                .collect();
            for text in &texts {
                let _ = validate(text);
            }
        }
    }
}
