//! RFC 5424 STRUCTURED-DATA: `[id name="value" ...][id2 ...]` stored as
//! `<sdata-prefix><id>.<name>` values, as syslog-ng's `_syslog_format_parse_sd()`
//! does — lenient in the same places (unquoted values, a space after `[` or
//! before `]`, names longer than RFC 5424's 32 characters).

use super::cursor::Cursor;
use crate::message::LogMessage;

/// Upstream's name buffer: prefix, id, `.` and param name fit in 255 bytes.
const MAX_NAME_LEN: usize = 255;

/// Longer parameter values are cut to this many bytes.
const MAX_VALUE_LEN: usize = 65_535;

/// Reads the column at `c`: `-`, SD elements, or (leniently) nothing when
/// the column starts with anything else. False on malformed SD, with the
/// cursor where reading stopped.
pub(super) fn parse_column(msg: &mut LogMessage, c: &mut Cursor, prefix: &str) -> bool {
    match c.peek() {
        Some(b'-') => {
            c.bump();
            true
        }
        Some(b'[') => parse_elements(msg, c, prefix),
        _ => true,
    }
}

/// An SD-NAME byte: printable-or-not ASCII except `=`, space, `]` and `"`.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii() && !matches!(b, b'=' | b' ' | b']' | b'"')
}

fn parse_elements(msg: &mut LogMessage, c: &mut Cursor, prefix: &str) -> bool {
    let mut name = String::with_capacity(64);
    let mut value = Vec::new();
    c.bump();
    c.eat(b' ');
    loop {
        if !c.peek().is_some_and(is_name_byte) {
            return false;
        }
        let start = c.pos();
        let id_room = MAX_NAME_LEN.saturating_sub(prefix.len());
        while let Some(b) = c.peek().filter(|b| !matches!(b, b' ' | b']')) {
            if c.pos() - start >= id_room || !is_name_byte(b) {
                return false;
            }
            c.bump();
        }
        let id = c.since(start);
        name.clear();
        name.push_str(prefix);
        name.push_str(&String::from_utf8_lossy(id));
        if c.at(b']') || (c.at(b' ') && c.peek_at(1) == Some(b']')) {
            c.eat(b' ');
            msg.set_str(&name, b"");
        } else if name.len() + 1 > MAX_NAME_LEN {
            return false;
        }
        name.push('.');
        let param_start = name.len();
        while !c.is_empty() && !c.at(b']') {
            if !c.eat(b' ') || !c.peek().is_some_and(is_name_byte) {
                return false;
            }
            let start = c.pos();
            let param_room = MAX_NAME_LEN.saturating_sub(id.len());
            while let Some(b) = c.peek().filter(|b| *b != b'=') {
                if c.pos() - start >= param_room || !is_name_byte(b) {
                    return false;
                }
                c.bump();
            }
            name.truncate(param_start);
            name.push_str(&String::from_utf8_lossy(c.since(start)));
            if name.len() > MAX_NAME_LEN || !c.eat(b'=') {
                return false;
            }
            value.clear();
            if !read_value(c, &mut value) {
                return false;
            }
            msg.set_str(&name, &value);
            if c.at(b' ') && c.peek_at(1) == Some(b']') {
                c.bump();
            }
        }
        if !c.eat(b']') {
            return false;
        }
        if c.eat(b'[') {
            c.eat(b' ');
            if c.is_empty() {
                // Upstream accepts a lone `[` at the very end.
                return true;
            }
        } else {
            return true;
        }
    }
}

/// A PARAM-VALUE: quoted with `\"`, `\\` and `\]` undone (other
/// backslashes kept, an unescaped `]` is an error), or unquoted up to a
/// space or `]`.
fn read_value(c: &mut Cursor, out: &mut Vec<u8>) -> bool {
    fn push(out: &mut Vec<u8>, b: u8) {
        if out.len() < MAX_VALUE_LEN {
            out.push(b);
        }
    }
    if !c.eat(b'"') {
        if c.is_empty() {
            return false;
        }
        while let Some(b) = c.peek().filter(|b| !matches!(b, b' ' | b']')) {
            push(out, b);
            c.bump();
        }
        return true;
    }
    let mut escaped = false;
    while let Some(b) = c.peek() {
        if b == b'"' && !escaped {
            break;
        }
        if !escaped && b == b'\\' {
            escaped = true;
        } else {
            if escaped && !matches!(b, b'"' | b']' | b'\\') {
                push(out, b'\\');
            } else if !escaped && b == b']' {
                c.bump();
                return false;
            }
            push(out, b);
            escaped = false;
        }
        c.bump();
    }
    c.eat(b'"')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn sd(text: &str, prefix: &str) -> (bool, Vec<(String, String)>, String) {
        let mut msg = LogMessage::new();
        let mut c = Cursor::new(text.as_bytes());
        let ok = parse_column(&mut msg, &mut c, prefix);
        let pairs = msg
            .pairs()
            .map(|(n, v)| {
                let Value::String(s) = v else { panic!("{n}") };
                (n.to_owned(), String::from_utf8_lossy(s).into_owned())
            })
            .collect();
        (ok, pairs, String::from_utf8_lossy(c.rest()).into_owned())
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn elements_and_params() {
        let (ok, got, rest) = sd(
            r#"[exampleSDID@32473 iut="3" eventSource="Application"][examplePriority@32473 class="high"] msg"#,
            ".SDATA.",
        );
        assert!(ok);
        assert_eq!(
            got,
            pairs(&[
                (".SDATA.exampleSDID@32473.iut", "3"),
                (".SDATA.exampleSDID@32473.eventSource", "Application"),
                (".SDATA.examplePriority@32473.class", "high"),
            ])
        );
        assert_eq!(rest, " msg");
    }

    #[test]
    fn escapes_empty_elements_and_leniency() {
        let (ok, got, rest) = sd(r#"[a x="q\"b\\s\]e\n" y=bare][ b ] m"#, ".X.");
        assert!(ok);
        assert_eq!(
            got,
            pairs(&[(".X.a.x", r#"q"b\s]e\n"#), (".X.a.y", "bare"), (".X.b", "")])
        );
        assert_eq!(rest, " m");
        assert_eq!(sd("- m", ".SDATA."), (true, vec![], " m".into()));
        assert_eq!(sd("x m", ".SDATA."), (true, vec![], "x m".into()));
    }

    #[test]
    fn malformed_sd_stops_where_it_went_wrong() {
        for (text, rest) in [
            (r#"[a x="unterminated"#, ""),
            (r#"[a x="b]c"] m"#, r#"c"] m"#),
            (r#"[a x] m"#, "] m"),
            (r#"[ ] m"#, "] m"),
            (r#"[a="1"] m"#, r#"="1"] m"#),
            (r#"[a x="1"  y="2"] m"#, r#" y="2"] m"#),
            (r#"[a x="1""#, ""),
            ("[", ""),
        ] {
            let (ok, _, left) = sd(text, ".SDATA.");
            assert!(!ok, "{text}");
            assert_eq!(left, rest, "{text}");
        }
    }

    #[test]
    fn names_fit_in_255_bytes() {
        let id = "i".repeat(240);
        let ok = format!("[{id} {}=\"v\"]", "p".repeat(7));
        assert!(sd(&ok, ".SDATA.").0);
        let too_long = format!("[{id} {}=\"v\"]", "p".repeat(8));
        assert!(!sd(&too_long, ".SDATA.").0);
        assert!(!sd(&format!("[{}]", "i".repeat(249)), ".SDATA.").0);
    }
}
