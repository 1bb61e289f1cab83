//! A strict JSON parser that keeps a byte range for every key and value and keeps duplicate keys.
//!
//! Why hand-written: `serde_json::Value` drops duplicate keys and positions. The maintained
//! span-keeping crate that fits best, `jsonc-parser`, parses by recursive descent (a deeply nested
//! input overflows the small wasm stack before any limit can be checked), is lenient by design
//! (comments, trailing commas, loose keys are opt-out options rather than the grammar) and
//! allocates an owned node per token. This parser is iterative (an explicit stack, never the call
//! stack), strict RFC 8259, borrows unescaped strings from the input, and stops at
//! [`MAX_DEPTH`] and [`MAX_INPUT_BYTES`] with a finding instead of failing.
//!
//! Because nesting is capped at [`MAX_DEPTH`], code that walks a parsed tree recursively (and the
//! tree's own `Drop`) is bounded too.

use std::borrow::Cow;

use crate::diagnostic::Edit;
use crate::text::{TextRange, bytes_below, bytes_equal};

/// The largest input parsed. IAM's largest policy (an inline role policy) is 10,240 characters;
/// anything over a mebibyte is not a policy and is answered at once.
pub const MAX_INPUT_BYTES: usize = 1 << 20;

/// The deepest nesting parsed. An IAM policy nests at most six levels
/// (`{"Statement":[{"Condition":{"StringEquals":{"k":["v"]}}}]}`).
pub const MAX_DEPTH: usize = 64;

/// A JSON value and the byte range of its token(s) in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Value<'a> {
    pub kind: ValueKind<'a>,
    pub range: TextRange,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind<'a> {
    Null,
    Bool(bool),
    /// The number's source text (IAM never needs its value).
    Number(&'a str),
    /// The decoded string (borrowed when it has no escapes).
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    /// Members in source order, duplicates kept.
    Object(Vec<Member<'a>>),
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<'a> {
    pub key: Cow<'a, str>,
    /// The key token, quotes included.
    pub key_range: TextRange,
    pub value: Value<'a>,
}

impl Member<'_> {
    /// From the key's opening quote to the end of the value.
    #[must_use]
    pub fn range(&self) -> TextRange {
        TextRange {
            start: self.key_range.start,
            end: self.value.range.end,
        }
    }
}

impl<'a> Value<'a> {
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) => Some(s),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_object(&self) -> Option<&[Member<'a>]> {
        match &self.kind {
            ValueKind::Object(m) => Some(m),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_array(&self) -> Option<&[Value<'a>]> {
        match &self.kind {
            ValueKind::Array(items) => Some(items),
            _ => None,
        }
    }

    /// `object`, `array`, `string`, … for messages.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            ValueKind::Null => "null",
            ValueKind::Bool(_) => "a boolean",
            ValueKind::Number(_) => "a number",
            ValueKind::String(_) => "a string",
            ValueKind::Array(_) => "an array",
            ValueKind::Object(_) => "an object",
        }
    }
}

/// Why the input is not JSON, where, and (for a trailing comma) the safe fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub help: Option<String>,
    /// Where the problem is; `None` for the whole input (size).
    pub range: Option<TextRange>,
    pub fix: Option<Edit>,
}

impl ParseError {
    fn at(start: usize, end: usize, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            help: None,
            range: Some(TextRange::new(start, end)),
            fix: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

enum Frame<'a> {
    Array {
        start: usize,
        items: Vec<Value<'a>>,
    },
    Object {
        start: usize,
        members: Vec<Member<'a>>,
        key: Option<(Cow<'a, str>, TextRange)>,
        /// One bit per key seen, at [`key_bit`]: see [`Parser::keys_may_repeat`].
        keys: u64,
    },
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Some object has two keys with the same [`key_bit`] (or over 64 members): it may repeat
    /// a key. When false no object does, and TP006 need not walk the tree comparing every key
    /// with the keys before it (a tenth of a typical policy's rules, issue profile).
    keys_may_repeat: bool,
}

/// A key's bit in an object's screen of the keys it has: equal keys get equal bits. Length
/// plus last byte tells a policy's keys apart (`Effect`/`Action`, `…:sub`/`…:aud`); a
/// collision only costs TP006's walk.
fn key_bit(key: &str) -> u64 {
    let last = key.as_bytes().last().copied().unwrap_or(0);
    1 << (key.len().wrapping_add(usize::from(last)) & 63)
}

/// The high bit of each byte of the little-endian `word` that a JSON string cannot hold as it
/// is (`"`, `\\`, a control character), the lowest one exact ([`crate::text::bytes_equal`]):
/// the parser's scan for a string's end and [`super::model::json_string`]'s for what to escape.
pub(crate) fn must_escape(word: u64) -> u64 {
    bytes_equal(word, b'"') | bytes_equal(word, b'\\') | bytes_below(word, 0x20)
}

/// Parses `text` as one strict JSON value (RFC 8259), keeping ranges and duplicate keys.
///
/// # Errors
/// A [`ParseError`] with the position of the first problem; inputs over [`MAX_INPUT_BYTES`] or
/// nested deeper than [`MAX_DEPTH`] are refused without being parsed further.
pub fn parse(text: &str) -> Result<Value<'_>, ParseError> {
    parse_screened(text).map(|(root, _)| root)
}

/// [`parse`], and whether some object may repeat a key: `false` means that no object of the
/// document has two members with the same key.
pub(crate) fn parse_screened(text: &str) -> Result<(Value<'_>, bool), ParseError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(too_large(text.len()));
    }
    Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        keys_may_repeat: false,
    }
    .run()
}

/// The error for an input of `len` bytes over [`MAX_INPUT_BYTES`].
#[must_use]
pub fn too_large(len: usize) -> ParseError {
    ParseError {
        message: format!(
            "the input is {len} bytes, far over any IAM policy (the largest, an inline role policy, is 10,240 characters); pullpass reads at most {MAX_INPUT_BYTES} bytes"
        ),
        help: Some("lint the policy document itself, one file per policy".to_owned()),
        range: None,
        fix: None,
    }
}

fn describe(byte: u8) -> String {
    if byte.is_ascii_graphic() {
        format!("`{}`", byte as char)
    } else {
        "a control or non-ASCII character".to_owned()
    }
}

impl<'a> Parser<'a> {
    fn skip_ws(&mut self) {
        const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => {
                    self.pos += 1;
                    // The spaces that follow (a pretty-printed policy's indentation) in one
                    // step: the lowest set bit of `word ^ SPACES` is in the first byte that is
                    // not a space.
                    if let Some(chunk) = self.bytes.get(self.pos..self.pos + 8) {
                        let mut word = [0; 8];
                        word.copy_from_slice(chunk);
                        let spaces = (u64::from_le_bytes(word) ^ SPACES).trailing_zeros() / 8;
                        self.pos += spaces as usize;
                    }
                }
                _ => break,
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The char at `pos` (for error ranges that must end on a char boundary).
    fn char_end(&self, at: usize) -> usize {
        self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8())
    }

    fn unexpected(&self, expected: &str) -> ParseError {
        let at = self.pos;
        let Some(b) = self.peek() else {
            return ParseError::at(
                at,
                at,
                format!("unexpected end of input: expected {expected}"),
            )
            .help("the document is cut short; close every `{` and `[`");
        };
        let end = self.char_end(at);
        let mut error = ParseError::at(
            at,
            end,
            format!("expected {expected}, found {}", describe(b)),
        );
        error = match b {
            b'/' if matches!(self.bytes.get(at + 1), Some(b'/' | b'*')) => {
                error.help("JSON has no comments and IAM rejects them: remove the comment")
            }
            b'\'' => error.help("JSON strings use double quotes `\"`, not single quotes"),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                error.help("object keys and string values must be in double quotes")
            }
            _ => error,
        };
        error
    }

    /// The document, and [`Parser::keys_may_repeat`] at its end.
    fn run(mut self) -> Result<(Value<'a>, bool), ParseError> {
        // A UTF-8 byte order mark is not JSON, but RFC 8259 lets a parser ignore it.
        if self.text.starts_with('\u{feff}') {
            self.pos = 3;
        }
        // An IAM policy nests six levels: room for that without growing.
        let mut stack: Vec<Frame<'a>> = Vec::with_capacity(8);
        'value: loop {
            self.skip_ws();
            let start = self.pos;
            let mut value = match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(ParseError::at(
                            start,
                            start + 1,
                            format!(
                                "nested deeper than {MAX_DEPTH} levels; an IAM policy nests at most 6"
                            ),
                        )
                        .help("this is not an IAM policy document; check what was passed in"));
                    }
                    self.pos += 1;
                    self.skip_ws();
                    if open == b'{' {
                        if self.peek() == Some(b'}') {
                            self.pos += 1;
                            Value {
                                kind: ValueKind::Object(Vec::new()),
                                range: TextRange::new(start, self.pos),
                            }
                        } else {
                            let key = self.key()?;
                            stack.push(Frame::Object {
                                start,
                                members: Vec::new(),
                                key: Some(key),
                                keys: 0,
                            });
                            continue 'value;
                        }
                    } else if self.peek() == Some(b']') {
                        self.pos += 1;
                        Value {
                            kind: ValueKind::Array(Vec::new()),
                            range: TextRange::new(start, self.pos),
                        }
                    } else {
                        stack.push(Frame::Array {
                            start,
                            items: Vec::new(),
                        });
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let s = self.string()?;
                    Value {
                        kind: ValueKind::String(s),
                        range: TextRange::new(start, self.pos),
                    }
                }
                Some(b't') => self.literal("true", ValueKind::Bool(true))?,
                Some(b'f') => self.literal("false", ValueKind::Bool(false))?,
                Some(b'n') => self.literal("null", ValueKind::Null)?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => return Err(self.unexpected("a value")),
            };
            // Attach the finished value to its parent, closing parents as far as they end.
            loop {
                let Some(frame) = stack.last_mut() else {
                    self.skip_ws();
                    if self.pos < self.bytes.len() {
                        return Err(self.unexpected("the end of the document"));
                    }
                    return Ok((value, self.keys_may_repeat));
                };
                match frame {
                    Frame::Array { items, .. } => items.push(value),
                    Frame::Object {
                        members, key, keys, ..
                    } => {
                        let (key, key_range) = key
                            .take()
                            .unwrap_or((Cow::Borrowed(""), TextRange::new(0, 0)));
                        let bit = key_bit(&key);
                        self.keys_may_repeat |= *keys & bit != 0;
                        *keys |= bit;
                        members.push(Member {
                            key,
                            key_range,
                            value,
                        });
                    }
                }
                self.skip_ws();
                let is_object = matches!(frame, Frame::Object { .. });
                let close = if is_object { b'}' } else { b']' };
                match self.peek() {
                    Some(b',') => {
                        let comma = self.pos;
                        self.pos += 1;
                        self.skip_ws();
                        if self.peek() == Some(close) {
                            let mut error = ParseError::at(
                                comma,
                                comma + 1,
                                format!(
                                    "trailing comma before `{}`: JSON does not allow it",
                                    close as char
                                ),
                            )
                            .help("remove the comma");
                            error.fix = Some(Edit::delete(TextRange::new(comma, comma + 1)));
                            return Err(error);
                        }
                        if let Frame::Object { key, .. } = frame {
                            *key = Some(self.key()?);
                        }
                        continue 'value;
                    }
                    Some(b) if b == close => {
                        self.pos += 1;
                        let end = self.pos;
                        value = match stack.pop() {
                            Some(Frame::Array { start, items }) => Value {
                                kind: ValueKind::Array(items),
                                range: TextRange::new(start, end),
                            },
                            Some(Frame::Object { start, members, .. }) => Value {
                                kind: ValueKind::Object(members),
                                range: TextRange::new(start, end),
                            },
                            None => unreachable_frame(),
                        };
                    }
                    _ => {
                        return Err(self.unexpected(if is_object {
                            "`,` or `}`"
                        } else {
                            "`,` or `]`"
                        }));
                    }
                }
            }
        }
    }

    /// `"key"` then `:`. Inlined (a member's every key passes here; see [`Parser::string`]).
    #[inline(always)]
    fn key(&mut self) -> Result<(Cow<'a, str>, TextRange), ParseError> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a key in double quotes"));
        }
        let start = self.pos;
        let key = self.string()?;
        let range = TextRange::new(start, self.pos);
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("`:` after the key"));
        }
        self.pos += 1;
        Ok((key, range))
    }

    fn literal(
        &mut self,
        word: &'static str,
        kind: ValueKind<'a>,
    ) -> Result<Value<'a>, ParseError> {
        let start = self.pos;
        if self.bytes[start..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(Value {
                kind,
                range: TextRange::new(start, self.pos),
            })
        } else {
            let mut end = start;
            while end < self.bytes.len() && self.bytes[end].is_ascii_alphanumeric() {
                end += 1;
            }
            Err(ParseError::at(
                start,
                end.max(self.char_end(start)),
                format!("expected `{word}` or another JSON value"),
            )
            .help("strings must be in double quotes; the only bare words are true, false and null"))
        }
    }

    fn number(&mut self) -> Result<Value<'a>, ParseError> {
        let start = self.pos;
        let b = self.bytes;
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let digits = |i: &mut usize| {
            let from = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i - from
        };
        let bad = |at: usize, msg: &str| {
            Err(ParseError::at(start, at.max(start + 1).min(b.len()), msg.to_owned())
                .help("JSON numbers look like `12`, `-3.5` or `1e6`; quote values that are not numbers"))
        };
        match b.get(i) {
            Some(b'0') => {
                i += 1;
                if b.get(i).is_some_and(u8::is_ascii_digit) {
                    return bad(i + 1, "a number may not have a leading zero");
                }
            }
            Some(b'1'..=b'9') => {
                digits(&mut i);
            }
            _ => return bad(i, "a number needs digits"),
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if digits(&mut i) == 0 {
                return bad(i, "a number needs digits after the decimal point");
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                return bad(i, "a number needs digits in its exponent");
            }
        }
        self.pos = i;
        Ok(Value {
            kind: ValueKind::Number(&self.text[start..i]),
            range: TextRange::new(start, i),
        })
    }

    /// A string starting at the opening quote; leaves `pos` after the closing quote.
    ///
    /// Inlined into its two callers (a key, a value) with only the borrowed case: most of a
    /// policy's tokens are strings without escapes, and the call returned its large `Result`
    /// through memory. Escapes go to [`Parser::escaped_string`].
    #[inline(always)]
    fn string(&mut self) -> Result<Cow<'a, str>, ParseError> {
        let open = self.pos;
        let b = self.bytes;
        let mut i = open + 1;
        // Fast path: no escapes, borrow. Strings are most of a policy's bytes, so they are
        // read eight bytes at a time (SWAR): a zero byte of `x ^ "…"` is a quote; `x - 0x20…`
        // borrows into the high bit of a byte under 0x20. A borrow can also flag a byte above
        // a flagged one, never one below, so the lowest flagged byte is exactly the first
        // quote, backslash or control character: the scan stops on it without going back to
        // byte-by-byte (only the input's last seven bytes are read one at a time).
        while let Some(chunk) = b.get(i..i + 8) {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            let x = u64::from_le_bytes(word);
            let flagged = must_escape(x);
            if flagged != 0 {
                i += (flagged.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        while let Some(&c) = b.get(i) {
            match c {
                b'"' => {
                    self.pos = i + 1;
                    return Ok(Cow::Borrowed(&self.text[open + 1..i]));
                }
                b'\\' => break,
                0..=0x1f => return Err(control(i, c)),
                _ => i += 1,
            }
        }
        self.escaped_string(open, i)
    }

    /// The string opened at `open` from its first escape at `i` (or its unclosed end) on.
    #[cold]
    #[inline(never)]
    fn escaped_string(&mut self, open: usize, mut i: usize) -> Result<Cow<'a, str>, ParseError> {
        let b = self.bytes;
        let mut out = String::from(&self.text[open + 1..i.min(b.len())]);
        loop {
            let Some(&c) = b.get(i) else {
                return Err(ParseError::at(open, open + 1, "string is never closed")
                    .help("add the closing `\"`"));
            };
            match c {
                b'"' => {
                    self.pos = i + 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    let esc = b.get(i + 1).copied();
                    let simple = match esc {
                        Some(b'"') => Some('"'),
                        Some(b'\\') => Some('\\'),
                        Some(b'/') => Some('/'),
                        Some(b'b') => Some('\u{8}'),
                        Some(b'f') => Some('\u{c}'),
                        Some(b'n') => Some('\n'),
                        Some(b'r') => Some('\r'),
                        Some(b't') => Some('\t'),
                        _ => None,
                    };
                    if let Some(ch) = simple {
                        out.push(ch);
                        i += 2;
                    } else if esc == Some(b'u') {
                        let (ch, next) = self.unicode_escape(i)?;
                        out.push(ch);
                        i = next;
                    } else {
                        let end = if i + 1 < b.len() {
                            self.char_end(i + 1)
                        } else {
                            i + 1
                        };
                        return Err(ParseError::at(i, end, "invalid escape in a string").help(
                            "JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX",
                        ));
                    }
                }
                0..=0x1f => return Err(control(i, c)),
                _ => {
                    // Copy the run up to the next quote, backslash or control character.
                    let from = i;
                    while b
                        .get(i)
                        .is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20)
                    {
                        i += 1;
                    }
                    out.push_str(&self.text[from..i]);
                }
            }
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.bytes.get(at..at + 4)?;
        let mut n = 0u32;
        for &d in digits {
            n = n * 16 + char::from(d).to_digit(16)?;
        }
        Some(n)
    }

    /// `\uXXXX` (with a surrogate pair) at `i`; returns the char and the index after it.
    fn unicode_escape(&self, i: usize) -> Result<(char, usize), ParseError> {
        let bad = |end: usize, msg: &str| {
            ParseError::at(i, end.min(self.bytes.len()), msg.to_owned())
                .help("write `\\u` followed by four hex digits, surrogates in pairs")
        };
        let Some(hi) = self.hex4(i + 2) else {
            return Err(bad(i + 2, "`\\u` needs four hex digits"));
        };
        if (0xD800..0xDC00).contains(&hi) {
            if self.bytes.get(i + 6) == Some(&b'\\')
                && self.bytes.get(i + 7) == Some(&b'u')
                && let Some(lo) = self.hex4(i + 8).filter(|lo| (0xDC00..0xE000).contains(lo))
                && let Some(ch) = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
            {
                return Ok((ch, i + 12));
            }
            return Err(bad(i + 6, "unpaired UTF-16 surrogate in `\\u` escape"));
        }
        match char::from_u32(hi) {
            Some(ch) => Ok((ch, i + 6)),
            None => Err(bad(i + 6, "unpaired UTF-16 surrogate in `\\u` escape")),
        }
    }
}

#[cold]
fn control(at: usize, c: u8) -> ParseError {
    let what = match c {
        b'\n' => "a line break".to_owned(),
        b'\t' => "a tab".to_owned(),
        _ => format!("control character U+{c:04X}"),
    };
    ParseError::at(at, at + 1, format!("{what} inside a string"))
        .help("strings must be on one line; escape it (`\\n`, `\\t`) or close the string")
}

#[cold]
fn unreachable_frame() -> Value<'static> {
    // The loop only closes a frame after seeing the top of the stack.
    Value {
        kind: ValueKind::Null,
        range: TextRange::new(0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ParseError {
        parse(text).expect_err("should not parse")
    }

    #[test]
    fn keeps_duplicates_and_ranges() {
        let text = r#"{"a": 1, "a": "x\"y", "b": [true, null]}"#;
        let v = parse(text).unwrap();
        let members = v.as_object().unwrap();
        assert_eq!(members.len(), 3);
        assert_eq!(members[0].key, "a");
        assert_eq!(members[1].key, "a");
        assert_eq!(&text[members[1].key_range.as_usize_range()], "\"a\"");
        assert_eq!(members[1].value.as_str(), Some("x\"y"));
        assert_eq!(&text[members[1].value.range.as_usize_range()], r#""x\"y""#);
        assert_eq!(
            &text[members[2].value.range.as_usize_range()],
            "[true, null]"
        );
        assert_eq!(v.range, TextRange::of(text));
    }

    #[test]
    fn the_key_screen_never_misses_a_repeated_key() {
        for repeated in [
            r#"{"a": 1, "a": 2}"#,
            r#"[{"x": {"a": 1, "b": 2, "\u0061": 3}}]"#,
            r#"{"": 1, "": 2}"#,
        ] {
            assert!(parse_screened(repeated).unwrap().1, "{repeated}");
        }
        let policy = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "s", "Effect": "Allow",
            "Principal": {"Federated": "arn"}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"i:sub": "s", "i:aud": "a"}}}]}"#;
        assert!(!parse_screened(policy).unwrap().1);
    }

    #[test]
    fn strict_grammar() {
        for bad in [
            "",
            "{",
            "{\"a\":1,}",
            "[1,]",
            "{'a':1}",
            "{a:1}",
            "// x\n{}",
            "01",
            "1.",
            "-",
            "\"\\x\"",
            "\"a\nb\"",
            "\"\\ud800\"",
            "tru",
            "{} {}",
            "[1 2]",
            "{\"a\" 1}",
            "\"abc",
            "1e",
            "NaN",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
        for good in [
            "{}",
            "[]",
            "0",
            "-0.5e+3",
            "\"\\u00e9\\ud834\\udd1e\"",
            "\u{feff}{}",
            "null",
            "[[],{}]",
        ] {
            assert!(parse(good).is_ok(), "{good:?} did not parse");
        }
        assert_eq!(
            parse("\"\\u00e9\\ud834\\udd1e\"").unwrap().as_str(),
            Some("é𝄞")
        );
    }

    #[test]
    fn errors_have_positions_and_help() {
        let e = err("{\"a\": 1,\n}");
        assert_eq!(e.range, Some(TextRange::new(7, 8)));
        assert!(e.message.contains("trailing comma"));
        assert!(e.fix.is_some());
        let e = err("{\"a\": 'x'}");
        assert_eq!(e.range, Some(TextRange::new(6, 7)));
        assert!(e.help.unwrap().contains("double quotes"));
        let e = err("{\"a\": 1");
        assert!(e.message.contains("end of input"), "{}", e.message);
        // A non-ASCII character after an error position keeps the range on char boundaries.
        let e = err("{\"a\": é}");
        assert_eq!(e.range, Some(TextRange::new(6, 8)));
    }

    proptest::proptest! {
        /// The eight-bytes-at-a-time string scan stops exactly where serde_json's reader does:
        /// same strings accepted, same text decoded (quotes, backslashes and control
        /// characters anywhere in a word, ASCII or not).
        #[test]
        fn strings_read_as_serde_json_reads_them(s in "[a-z\"\\\\\n\t\u{1}é/ ]{0,40}") {
            let doc = format!("[\"{s}\", 1]");
            let ours = parse(&doc).ok().map(|v| v.as_array().unwrap()[0].as_str().map(str::to_owned));
            let theirs = serde_json::from_str::<(String, u8)>(&doc).ok().map(|(t, _)| Some(t));
            proptest::prop_assert_eq!(ours, theirs, "{:?}", doc);
        }
    }

    proptest::proptest! {
        /// Whitespace runs of any length and mix (indentation is skipped eight spaces at a
        /// time) between tokens leave every value and its range as they were.
        #[test]
        fn whitespace_runs_are_skipped(ws in proptest::collection::vec("[ \t\n\r]{0,19}", 9)) {
            let doc = format!(
                "{}{{{}\"a\"{}:{}[{}1{},{}\"b\"{}]{}}}",
                ws[0], ws[1], ws[2], ws[3], ws[4], ws[5], ws[6], ws[7], ws[8]
            );
            let v = parse(&doc).expect("parses");
            let m = &v.as_object().unwrap()[0];
            proptest::prop_assert_eq!(&doc[m.key_range.as_usize_range()], "\"a\"");
            let items = m.value.as_array().unwrap();
            proptest::prop_assert_eq!(&doc[items[0].range.as_usize_range()], "1");
            proptest::prop_assert_eq!(items[1].as_str(), Some("b"));
            proptest::prop_assert_eq!(v.range.start as usize, ws[0].len());
        }
    }

    #[test]
    fn depth_and_size_limits_answer_without_recursion() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = err(&deep);
        assert!(e.message.contains("nested deeper than 64"), "{}", e.message);
        assert_eq!(e.range, Some(TextRange::new(64, 65)));
        let ok = "[".repeat(64) + &"]".repeat(64);
        assert!(parse(&ok).is_ok());
        let big = format!("\"{}\"", "a".repeat(MAX_INPUT_BYTES));
        let e = err(&big);
        assert!(e.range.is_none());
        assert!(e.message.contains("at most"));
    }
}
