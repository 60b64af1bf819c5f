//! syslog-ng's escaping of text that may not be valid UTF-8: `\b`, `\f`,
//! `\n`, `\r`, `\t` and `\\` by name, other control characters and the
//! bytes of invalid sequences in the form the caller's [`EscapeStyle`] says.

/// How one use of the escaping writes what has no named escape.
pub(crate) struct EscapeStyle {
    /// A quote character escaped with a backslash (JSON's `"`), if any.
    pub quote: Option<char>,
    /// Writes a control character below 0x20.
    pub control: fn(u8, &mut Vec<u8>),
    /// Writes one byte of an invalid UTF-8 sequence.
    pub invalid: fn(u8, &mut Vec<u8>),
}

/// Appends `\xNN` for `byte`.
pub(crate) fn hex_escape(byte: u8, out: &mut Vec<u8>) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(&[
        b'\\',
        b'x',
        DIGITS[usize::from(byte >> 4)],
        DIGITS[usize::from(byte & 15)],
    ]);
}

/// Appends `text` to `out`, escaped in `style`.
pub(crate) fn escape_unsafe_utf8(text: &[u8], style: &EscapeStyle, out: &mut Vec<u8>) {
    for chunk in text.utf8_chunks() {
        for ch in chunk.valid().chars() {
            match ch {
                '\u{8}' => out.extend_from_slice(b"\\b"),
                '\u{c}' => out.extend_from_slice(b"\\f"),
                '\n' => out.extend_from_slice(b"\\n"),
                '\r' => out.extend_from_slice(b"\\r"),
                '\t' => out.extend_from_slice(b"\\t"),
                '\\' => out.extend_from_slice(b"\\\\"),
                c if Some(c) == style.quote => {
                    out.push(b'\\');
                    out.push(c as u8);
                }
                c if u32::from(c) < 0x20 => (style.control)(c as u8, out),
                c => {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        for &byte in chunk.invalid() {
            (style.invalid)(byte, out);
        }
    }
}
