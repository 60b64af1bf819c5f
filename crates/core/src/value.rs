//! Typed name-value pair values and their text forms (syslog-ng 4.x typing).

use crate::timestamp::Timestamp;
use smallvec::SmallVec;
use std::io::Write;

/// The bytes of a string value. Short values (most names' values: hosts,
/// programs, ids) live inline, so setting them allocates nothing.
pub type Text = SmallVec<[u8; 24]>;

/// The value of one name-value pair. The type decides how Python reads it
/// back; the text form (see [`Value::write_text`]) is what templates show.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Text or bytes; may contain any byte.
    String(Text),
    /// A 64-bit integer.
    Int(i64),
    /// A double, shown with six decimals (`%f`).
    Double(f64),
    /// `true` / `false`.
    Bool(bool),
    /// An explicit null, shown as the empty string.
    Null,
    /// A list of strings, shown in syslog-ng's comma-separated list encoding.
    List(Vec<Vec<u8>>),
    /// A point in time, shown as `<epoch>.<msec>`.
    DateTime(Timestamp),
}

impl Value {
    /// A string value holding a copy of `bytes`.
    pub fn string(bytes: impl AsRef<[u8]>) -> Value {
        Value::String(Text::from_slice(bytes.as_ref()))
    }

    /// Appends the text form of the value.
    pub fn write_text(&self, out: &mut Vec<u8>) {
        match self {
            Value::String(s) => out.extend_from_slice(s),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Double(d) => {
                let _ = write!(out, "{d:.6}");
            }
            Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Null => {}
            Value::List(items) => encode_list(items, out),
            Value::DateTime(t) => {
                let _ = write!(out, "{}.{:03}", t.secs, t.usec / 1000);
            }
        }
    }

    /// The text form as a new vector.
    pub fn to_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_text(&mut out);
        out
    }
}

/// Encodes a list the way syslog-ng stores LIST values: items joined by `,`,
/// each written by [`encode_list_item`] with commas quoted.
pub fn encode_list(items: &[Vec<u8>], out: &mut Vec<u8>) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        encode_list_item(item, true, out);
    }
}

/// Appends one list item as syslog-ng's string representation writes it:
/// bare unless it is empty or holds a blank, a backslash, a quote (or, with
/// `quote_commas`, a comma); then in `'…'` when it holds only `"`, else in
/// `"…"`, with control characters and backslashes escaped (and `"` when it
/// holds both kinds of quote).
pub fn encode_list_item(item: &[u8], quote_commas: bool, out: &mut Vec<u8>) {
    if item.is_empty() {
        out.extend_from_slice(b"\"\"");
        return;
    }
    let apostrophe = item.contains(&b'\'');
    let quote = item.contains(&b'"');
    let special = |b: &u8| {
        matches!(b, 0x08 | 0x0c | b'\n' | b'\r' | b'\t' | b'\\' | b' ')
            || (quote_commas && *b == b',')
    };
    if !apostrophe && !quote && !item.iter().any(special) {
        out.extend_from_slice(item);
        return;
    }
    let (delimiter, escape_quote) = match (apostrophe, quote) {
        (false, true) => (b'\'', false),
        (true, false) => (b'"', false),
        _ => (b'"', true),
    };
    out.push(delimiter);
    for &b in item {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'"' if escape_quote => out.extend_from_slice(b"\\\""),
            b if b < 0x20 => {
                let _ = write!(out, "\\x{b:02x}");
            }
            b => out.push(b),
        }
    }
    out.push(delimiter);
}

/// Appends what `\\` + `escaped` stands for inside a `quote`-quoted
/// string of syslog-ng's string representation: a control character, a
/// backslash, the quote itself, or (any other escape) both bytes as written.
pub fn push_escaped(escaped: u8, quote: u8, out: &mut Vec<u8>) {
    match escaped {
        b'b' => out.push(0x08),
        b'f' => out.push(0x0c),
        b'n' => out.push(b'\n'),
        b'r' => out.push(b'\r'),
        b't' => out.push(b'\t'),
        b'\\' => out.push(b'\\'),
        other if other == quote => out.push(other),
        other => out.extend_from_slice(&[b'\\', other]),
    }
}

/// Decodes syslog-ng's list encoding (the inverse of [`encode_list`]): items
/// in `"…"` or `'…'` with backslash escapes, or bare.
pub fn decode_list(text: &[u8]) -> Vec<Vec<u8>> {
    let mut items = Vec::new();
    if text.is_empty() {
        return items;
    }
    let mut i = 0;
    loop {
        let mut item = Vec::new();
        if i < text.len() && (text[i] == b'"' || text[i] == b'\'') {
            let quote = text[i];
            i += 1;
            while i < text.len() && text[i] != quote {
                if text[i] == b'\\' && i + 1 < text.len() {
                    i += 1;
                    push_escaped(text[i], quote, &mut item);
                } else {
                    item.push(text[i]);
                }
                i += 1;
            }
            i += 1; // closing quote
            while i < text.len() && text[i] != b',' {
                i += 1;
            }
        } else {
            while i < text.len() && text[i] != b',' {
                item.push(text[i]);
                i += 1;
            }
        }
        items.push(item);
        if i >= text.len() {
            break;
        }
        i += 1; // the comma
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_follow_upstream() {
        assert_eq!(Value::Double(6.9).to_text(), b"6.900000");
        assert_eq!(Value::Double(1e-9).to_text(), b"0.000000");
        assert_eq!(Value::Bool(true).to_text(), b"true");
        assert_eq!(Value::Null.to_text(), b"");
        assert_eq!(Value::Int(-42).to_text(), b"-42");
        let t = Timestamp {
            secs: 1664894892,
            usec: 123000,
            offset: 0,
        };
        assert_eq!(Value::DateTime(t).to_text(), b"1664894892.123");
    }

    #[test]
    fn list_round_trip() {
        let items = vec![b"a,".to_vec(), b" b".to_vec(), b"c".to_vec()];
        let v = Value::List(items.clone());
        assert_eq!(v.to_text(), br#""a,"," b",c"#);
        assert_eq!(decode_list(&v.to_text()), items);
        let tricky = vec![b"".to_vec(), b"q\"x\\".to_vec(), b"line\nnext".to_vec()];
        let mut out = Vec::new();
        encode_list(&tricky, &mut out);
        assert_eq!(decode_list(&out), tricky);
    }
}
