//! A fast path for `json.loads()` on RustPython: reads one JSON value of a
//! `str` straight into Python objects.
//!
//! RustPython's own scanner builds each value through several layers and
//! is what `json.loads()` spends most of its time in. This one handles
//! what JSON logs are made of (objects, arrays, strings with escapes and
//! any Unicode text, 64-bit integers, floats, literals) and gives up —
//! returns `None` — on anything else: lone surrogates, huge integers,
//! `NaN`, control characters, deep nesting, malformed input. The caller
//! then runs the stock scanner, so results and error messages stay the
//! stock ones.

use rustpython_vm::builtins::PyStr;
use rustpython_vm::{PyObjectRef, PyPayload, PyRef, VirtualMachine};

/// Deeper nesting is left to the stock scanner (and its recursion checks).
const MAX_DEPTH: usize = 64;

/// Reads the JSON value that starts at character `idx` of `text`; returns
/// it and the character index just past it, or `None` to let the stock
/// scanner do it.
pub(crate) fn scan(text: &str, idx: usize, vm: &VirtualMachine) -> Option<(PyObjectRef, usize)> {
    // In ASCII text, character indexes are byte indexes.
    let ascii = text.is_ascii();
    let start = if ascii {
        idx
    } else {
        byte_offset_of_char(text, idx)?
    };
    if start > text.len() {
        return None;
    }
    let mut reader = Reader {
        bytes: text.as_bytes(),
        pos: start,
        vm,
    };
    let value = reader.value(0)?;
    let end = if ascii {
        reader.pos
    } else {
        idx + text[start..reader.pos].chars().count()
    };
    Some((value, end))
}

/// Where character `idx` of `text` starts (`text.len()` just past the last).
fn byte_offset_of_char(text: &str, idx: usize) -> Option<usize> {
    text.char_indices()
        .map(|(offset, _)| offset)
        .chain(std::iter::once(text.len()))
        .nth(idx)
}

/// `json.loads(text)` for a whole document: the value between optional
/// whitespace, or `None` to let the stock decoder do it.
pub(crate) fn loads(text: &str, vm: &VirtualMachine) -> Option<PyObjectRef> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        pos: 0,
        vm,
    };
    reader.skip_whitespace();
    let value = reader.value(0)?;
    reader.skip_whitespace();
    (reader.pos == text.len()).then_some(value)
}

/// Reads the UTF-8 text of a `str`. Every position it stops at is next to
/// an ASCII byte (JSON's syntax is ASCII), so every slice it takes is
/// whole UTF-8.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    vm: &'a VirtualMachine,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        let found = self.bytes[self.pos..].starts_with(word);
        if found {
            self.pos += word.len();
        }
        found
    }

    fn value(&mut self, depth: usize) -> Option<PyObjectRef> {
        let ctx = &self.vm.ctx;
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => Some(self.string()?.into()),
            b't' if self.literal(b"true") => Some(ctx.new_bool(true).into()),
            b'f' if self.literal(b"false") => Some(ctx.new_bool(false).into()),
            b'n' if self.literal(b"null") => Some(ctx.none()),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<PyObjectRef> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.pos += 1;
        let dict = self.vm.ctx.new_dict();
        self.skip_whitespace();
        if self.eat(b'}') {
            return Some(dict.into());
        }
        loop {
            if self.peek() != Some(b'"') {
                return None;
            }
            let key = self.string()?;
            self.skip_whitespace();
            if !self.eat(b':') {
                return None;
            }
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            dict.set_item(&*key, value, self.vm).ok()?;
            self.skip_whitespace();
            if self.eat(b'}') {
                return Some(dict.into());
            }
            if !self.eat(b',') {
                return None;
            }
            self.skip_whitespace();
        }
    }

    fn array(&mut self, depth: usize) -> Option<PyObjectRef> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.eat(b']') {
            return Some(self.vm.ctx.new_list(items).into());
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            if self.eat(b']') {
                return Some(self.vm.ctx.new_list(items).into());
            }
            if !self.eat(b',') {
                return None;
            }
            self.skip_whitespace();
        }
    }

    /// A string at `"`, escapes decoded.
    fn string(&mut self) -> Option<PyRef<PyStr>> {
        self.pos += 1;
        let start = self.pos;
        self.skip_plain_text();
        let plain = &self.bytes[start..self.pos];
        if self.eat(b'"') {
            return self.new_str(plain);
        }
        let mut out = String::from(std::str::from_utf8(plain).ok()?);
        loop {
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(self.vm.ctx.new_str(out));
                }
                b'\\' => {
                    self.pos += 1;
                    let escaped = self.peek()?;
                    self.pos += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return None,
                    }
                }
                0..=0x1f => return None,
                _ => {
                    let run = self.pos;
                    self.skip_plain_text();
                    out.push_str(std::str::from_utf8(&self.bytes[run..self.pos]).ok()?);
                }
            }
        }
    }

    /// Moves past string content that needs no decoding: up to the closing
    /// quote, an escape, a control character or the end.
    fn skip_plain_text(&mut self) {
        while self
            .peek()
            .is_some_and(|b| b != b'"' && b != b'\\' && b > 0x1f)
        {
            self.pos += 1;
        }
    }

    /// A `str` of UTF-8 `text` (ASCII text skips the character count).
    fn new_str(&self, text: &[u8]) -> Option<PyRef<PyStr>> {
        if text.is_ascii() {
            // SAFETY: checked just above.
            let text = unsafe { PyStr::new_ascii_unchecked(text.to_vec()) };
            return Some(text.into_ref(&self.vm.ctx));
        }
        Some(self.vm.ctx.new_str(std::str::from_utf8(text).ok()?))
    }

    /// The character of `\uXXXX` (after `\u`), a surrogate pair joined; a
    /// lone surrogate is left to the stock scanner.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if !(0xd800..0xdc00).contains(&first) {
            return char::from_u32(first);
        }
        if !self.literal(b"\\u") {
            return None;
        }
        let second = self.hex4()?;
        if !(0xdc00..0xe000).contains(&second) {
            return None;
        }
        char::from_u32(0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4)?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let value = u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
        self.pos += 4;
        Some(value)
    }

    /// A number as JSON writes it: an `int` that fits 64 bits, or a `float`.
    fn number(&mut self) -> Option<PyObjectRef> {
        let start = self.pos;
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let mut is_float = false;
        if self.peek() == Some(b'.') && self.bytes.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
        {
            self.pos += 1;
            self.digits();
            is_float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let mark = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.digits();
                is_float = true;
            } else {
                self.pos = mark;
            }
        }
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).ok()?;
        let ctx = &self.vm.ctx;
        if is_float {
            Some(ctx.new_float(text.parse().ok()?).into())
        } else {
            Some(ctx.new_int(text.parse::<i64>().ok()?).into())
        }
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }
}
