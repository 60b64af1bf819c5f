//! `kv-parser()`: `key=value` pairs in a message become name-value pairs.
//!
//! The scan follows syslog-ng's: a key is the run of letters, digits, `_`,
//! `.` and `-` right before a value separator (blanks between them allowed);
//! what comes before a key and is no value is a stray word. A value is
//! quoted (`"…"` or `'…'`, backslash escapes) or bare; a bare value runs on
//! across blanks until the next key, the pair separator or the end. A value
//! whose quoting is broken is taken as written, and the scan looks for keys
//! inside it again. kv-parser() never fails.

use crate::message::LogMessage;
use crate::template::Template;
use crate::value::{encode_list_item, push_escaped};

/// A `kv-parser()` of a log path.
#[derive(Debug)]
pub struct KvParser {
    /// `prefix()`: put before every key.
    pub prefix: String,
    /// `value-separator()`: between a key and its value.
    pub value_separator: u8,
    /// `pair-separator()`: between pairs, besides blanks.
    pub pair_separator: Vec<u8>,
    /// `extract-stray-words-into()`: the name that gets the stray words.
    pub stray_words_into: Option<String>,
    /// `template()`: the input; `None` for the message text.
    pub template: Option<Template>,
}

impl Default for KvParser {
    fn default() -> Self {
        KvParser {
            prefix: String::new(),
            value_separator: b'=',
            pair_separator: b", ".to_vec(),
            stray_words_into: None,
            template: None,
        }
    }
}

impl KvParser {
    /// Sets a pair per key found (and the stray words, when asked).
    pub fn apply(&self, msg: &mut LogMessage) -> bool {
        let mut input = super::parser_input(self.template.as_ref(), msg);
        // syslog-ng reads the input as a C string.
        if let Some(nul) = input.iter().position(|b| *b == 0) {
            input.truncate(nul);
        }
        let mut scan = Scan {
            parser: self,
            input: &input,
            pos: 0,
            stray: self.stray_words_into.as_ref().map(|_| Vec::new()),
        };
        let mut name = self.prefix.clone();
        while let Some((key, value)) = scan.next_pair() {
            name.truncate(self.prefix.len());
            name.push_str(key);
            msg.set_str(&name, value);
        }
        if let (Some(into), Some(stray)) = (&self.stray_words_into, scan.stray) {
            msg.set_str(into, stray);
        }
        true
    }
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// Where a value's decoding stopped.
enum Decoded {
    /// The value ends; the scan goes on at this position.
    Complete(Vec<u8>, usize),
    /// The quoting is broken; the raw text up to this position is the value.
    Broken(usize),
}

struct Scan<'a> {
    parser: &'a KvParser,
    input: &'a [u8],
    pos: usize,
    stray: Option<Vec<u8>>,
}

impl<'a> Scan<'a> {
    fn at(&self, i: usize) -> Option<u8> {
        self.input.get(i).copied()
    }

    /// The next key and value, or `None` when no key is left.
    fn next_pair(&mut self) -> Option<(&'a str, Vec<u8>)> {
        if self.pos >= self.input.len() {
            return None;
        }
        let key = self.next_key()?;
        let value = self.next_value();
        Some((key, value))
    }

    fn next_key(&mut self) -> Option<&'a str> {
        let input = self.input;
        let start = self.pos;
        let separators = input[start..]
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == self.parser.value_separator)
            .map(|(i, _)| start + i);
        for separator in separators {
            let mut end = separator;
            while end > start && input[end - 1] == b' ' {
                end -= 1;
            }
            let mut key_start = end;
            while key_start > start && is_key_byte(input[key_start - 1]) {
                key_start -= 1;
            }
            if key_start < end {
                self.stray_word(&input[start..key_start]);
                self.pos = separator + 1;
                let key = std::str::from_utf8(&input[key_start..end]).expect("key bytes are ASCII");
                return Some(key);
            }
        }
        self.stray_word(&input[start..]);
        None
    }

    fn stray_word(&mut self, word: &[u8]) {
        let Some(stray) = self.stray.as_mut() else {
            return;
        };
        let end = word.iter().rposition(|b| *b != b' ').map_or(0, |p| p + 1);
        let start = word.iter().position(|b| *b != b' ').unwrap_or(end);
        let word = &word[start..end];
        if word.is_empty() {
            return;
        }
        if !stray.is_empty() {
            stray.push(b',');
        }
        encode_list_item(word, true, stray);
    }

    fn next_value(&mut self) -> Vec<u8> {
        while self.at(self.pos) == Some(b' ') && self.delimiter_end(self.pos, false).is_none() {
            self.pos += 1;
        }
        let quoted = matches!(self.at(self.pos), Some(b'"' | b'\''));
        match self.decode(quoted) {
            Decoded::Complete(value, next) => {
                self.pos = next;
                value
            }
            // The scan goes on inside the broken value.
            Decoded::Broken(end) => self.input[self.pos..end].to_vec(),
        }
    }

    /// Where the scan goes on when a value ends at `i`, if it ends there.
    fn delimiter_end(&self, i: usize, quoted: bool) -> Option<usize> {
        let separator = &self.parser.pair_separator[..];
        let separator_at = |j: usize| {
            self.input[j..]
                .starts_with(separator)
                .then_some(j + separator.len())
        };
        match self.at(i)? {
            b' ' if quoted => Some(i + 1),
            b' ' => {
                if separator.first() == Some(&b' ')
                    && let Some(next) = separator_at(i)
                {
                    return Some(next);
                }
                let mut j = i;
                while self.at(j) == Some(b' ') {
                    j += 1;
                }
                if j == self.input.len() || self.key_follows(j) {
                    Some(j)
                } else {
                    separator_at(j)
                }
            }
            _ => separator_at(i),
        }
    }

    /// Whether `key=` (blanks allowed before the separator) starts at `i`.
    fn key_follows(&self, i: usize) -> bool {
        let mut j = i;
        while self.at(j).is_some_and(is_key_byte) {
            j += 1;
        }
        if j == i {
            return false;
        }
        while self.at(j) == Some(b' ') {
            j += 1;
        }
        self.at(j) == Some(self.parser.value_separator)
    }

    /// A value ends only at a blank or the pair separator's first byte.
    fn value_ends(&self, i: usize, quoted: bool) -> Option<usize> {
        let b = self.at(i)?;
        if b == b' ' || Some(&b) == self.parser.pair_separator.first() {
            self.delimiter_end(i, quoted)
        } else {
            None
        }
    }

    fn decode(&self, quoted: bool) -> Decoded {
        enum State {
            Start,
            Bare,
            Quoted(u8),
            Escaped(u8),
            Closed,
            Junk,
        }
        let mut value = Vec::new();
        let mut state = State::Start;
        let mut i = self.pos;
        while i < self.input.len() {
            let b = self.input[i];
            state = match state {
                State::Start | State::Bare | State::Closed => {
                    if let Some(next) = self.value_ends(i, quoted) {
                        return Decoded::Complete(value, next);
                    }
                    match state {
                        State::Closed => State::Junk,
                        State::Start if b == b'"' || b == b'\'' => State::Quoted(b),
                        _ => {
                            value.push(b);
                            State::Bare
                        }
                    }
                }
                State::Quoted(q) if b == q => State::Closed,
                State::Quoted(q) if b == b'\\' => State::Escaped(q),
                State::Quoted(q) => {
                    value.push(b);
                    State::Quoted(q)
                }
                State::Escaped(q) => {
                    push_escaped(b, q, &mut value);
                    State::Quoted(q)
                }
                State::Junk => {
                    if let Some(next) = self.value_ends(i, quoted) {
                        return Decoded::Broken(next);
                    }
                    State::Junk
                }
            };
            i += 1;
        }
        match state {
            State::Start | State::Bare | State::Closed => Decoded::Complete(value, i),
            _ => Decoded::Broken(i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn pairs(parser: &KvParser, text: &str) -> Vec<(String, String)> {
        let mut msg = LogMessage::with_message(text);
        assert!(parser.apply(&mut msg));
        msg.pairs()
            .filter(|(n, _)| *n != "MESSAGE")
            .map(|(n, v)| (n.to_owned(), String::from_utf8(v.to_text()).unwrap()))
            .collect()
    }

    fn kv(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn keys_values_quotes_and_blanks() {
        let parser = KvParser::default();
        assert_eq!(
            pairs(
                &parser,
                r#"user=alice id=42 action="log in" empty= quoted='single q'"#
            ),
            kv(&[
                ("user", "alice"),
                ("id", "42"),
                ("action", "log in"),
                ("empty", ""),
                ("quoted", "single q")
            ])
        );
        assert_eq!(
            pairs(&parser, "a=1, b=2, c=3"),
            kv(&[("a", "1"), ("b", "2"), ("c", "3")])
        );
        assert_eq!(
            pairs(&parser, "foo bar=baz qux k = v"),
            kv(&[("bar", "baz qux"), ("k", "v")])
        );
        assert_eq!(
            pairs(&parser, r#"msg="say \"hi\"""#),
            kv(&[("msg", r#"say "hi""#)])
        );
        assert_eq!(
            pairs(&parser, "k==v x.y=1"),
            kv(&[("k", "=v"), ("x.y", "1")])
        );
        // Only letters, digits, `_`, `.` and `-` make a key.
        assert_eq!(pairs(&parser, "c%d=3 =x"), kv(&[("d", "3 =x")]));
    }

    #[test]
    fn broken_quoting_keeps_the_text_and_scans_it_again() {
        let parser = KvParser::default();
        assert_eq!(
            pairs(&parser, r#"a="x"y b=1"#),
            kv(&[("a", r#""x"y "#), ("b", "1")])
        );
        assert_eq!(
            pairs(&parser, r#"msg="open k=v"#),
            kv(&[("msg", r#""open k=v"#), ("k", "v")])
        );
    }

    #[test]
    fn separators_prefix_and_stray_words() {
        let parser = KvParser {
            value_separator: b':',
            pair_separator: b";".to_vec(),
            prefix: ".kv.".into(),
            stray_words_into: Some("stray".into()),
            ..KvParser::default()
        };
        let mut msg = LogMessage::with_message("lead word k1:v1;k2:v 2; tail, end");
        parser.apply(&mut msg);
        assert_eq!(msg.get(".kv.k1"), Some(&Value::string("v1")));
        assert_eq!(msg.get(".kv.k2"), Some(&Value::string("v 2")));
        assert_eq!(
            msg.get("stray"),
            Some(&Value::string(r#""lead word","tail, end""#))
        );
    }
}
