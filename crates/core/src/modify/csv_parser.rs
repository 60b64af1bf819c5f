//! `csv-parser()`: delimited columns become name-value pairs.
//!
//! The scan follows syslog-ng's: a value is quoted when it starts with an
//! opening quote (before any blank is stripped), runs to its closing quote
//! and then, unquoted, on to the next delimiter; `strip-whitespace` trims
//! blanks around values; `greedy` gives the rest of the text to the last
//! column. Too many or too few values leave the scan incomplete, which
//! drops the message only with `drop-invalid`. Without `columns()`, the
//! values become the match values `$1`, `$2` ….

use crate::message::LogMessage;
use crate::template::Template;

/// How a quoted value escapes its quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvEscape {
    /// `escape-none` (the default): a quote always ends the value.
    #[default]
    None,
    /// `escape-backslash`: `\` takes the next character as it is.
    Backslash,
    /// `escape-backslash-with-sequences`: also `\n`, `\t`, `\xHH` ….
    BackslashWithSequences,
    /// `escape-double-char`: a doubled quote stands for one.
    DoubleChar,
}

/// A `csv-parser()` of a log path.
#[derive(Debug)]
pub struct CsvParser {
    /// `columns()`: the names of the values, in order.
    pub columns: Vec<String>,
    /// `prefix()`: put before every column name.
    pub prefix: String,
    /// `delimiters()` characters.
    pub delimiters: Vec<u8>,
    /// `delimiters(strings(...))`.
    pub string_delimiters: Vec<Vec<u8>>,
    /// Opening and closing quote characters (`quote-pairs()`, `quotes()`).
    pub quotes: Vec<(u8, u8)>,
    /// `null()`: a value equal to this becomes empty.
    pub null_value: Option<Vec<u8>>,
    /// `flags(strip-whitespace)`.
    pub strip_whitespace: bool,
    /// `flags(greedy)`.
    pub greedy: bool,
    /// `flags(drop-invalid)` / `drop-invalid(yes)`.
    pub drop_invalid: bool,
    /// `dialect()` or an `escape-*` flag.
    pub escape: CsvEscape,
    /// `template()`: the input; `None` for the message text.
    pub template: Option<Template>,
}

impl Default for CsvParser {
    fn default() -> Self {
        CsvParser {
            columns: Vec::new(),
            prefix: String::new(),
            delimiters: b" ".to_vec(),
            string_delimiters: Vec::new(),
            quotes: vec![(b'"', b'"'), (b'\'', b'\'')],
            null_value: None,
            strip_whitespace: true,
            greedy: false,
            drop_invalid: false,
            escape: CsvEscape::None,
            template: None,
        }
    }
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

impl CsvParser {
    /// Sets a pair per value; `false` only with `drop-invalid` and a scan
    /// that did not come out even.
    pub fn apply(&self, msg: &mut LogMessage) -> bool {
        let mut input = super::parser_input(self.template.as_ref(), msg);
        if let Some(nul) = input.iter().position(|b| *b == 0) {
            input.truncate(nul);
        }
        let (values, complete) = self.scan(&input);
        if self.columns.is_empty() {
            if !values.is_empty() {
                msg.unset("0");
            }
            for (i, value) in values.iter().enumerate() {
                msg.set_str(&(i + 1).to_string(), value);
            }
        } else {
            let mut name = self.prefix.clone();
            for (column, value) in self.columns.iter().zip(&values) {
                name.truncate(self.prefix.len());
                name.push_str(column);
                msg.set_str(&name, value);
            }
        }
        if !complete && self.drop_invalid {
            tracing::debug!(
                "csv-parser() failed to parse its input and drop-invalid(yes) was specified"
            );
            return false;
        }
        true
    }

    /// The values, and whether they used up the text with one per column.
    fn scan(&self, input: &[u8]) -> (Vec<Vec<u8>>, bool) {
        let expected = self.columns.len();
        let mut values = Vec::new();
        let mut pos = 0;
        loop {
            let column = values.len();
            if expected > 0 && column == expected {
                return (values, pos == input.len());
            }
            if self.greedy && expected > 0 && column == expected - 1 {
                let mut start = pos;
                if self.strip_whitespace {
                    start = self.skip_blanks(input, start);
                }
                values.push(self.finish_value(input[start..].to_vec()));
                return (values, true);
            }
            if pos == input.len() {
                // Too few values for the columns; without columns, done.
                return (values, expected == 0);
            }
            let (value, next) = self.value(input, pos);
            values.push(value);
            pos = next;
        }
    }

    /// Skips blanks, delimiters among them (so runs of blanks split once).
    fn skip_blanks(&self, input: &[u8], mut pos: usize) -> usize {
        while pos < input.len() && is_blank(input[pos]) {
            pos += 1;
        }
        pos
    }

    /// The delimiter at `pos`, if one starts there: where the next value starts.
    fn delimiter_end(&self, input: &[u8], pos: usize) -> Option<usize> {
        if let Some(s) = self
            .string_delimiters
            .iter()
            .find(|s| input[pos..].starts_with(s))
        {
            return Some(pos + s.len());
        }
        self.delimiters.contains(&input[pos]).then_some(pos + 1)
    }

    /// One value from `pos`: its text and where the next one starts.
    fn value(&self, input: &[u8], mut pos: usize) -> (Vec<u8>, usize) {
        let mut closing = self
            .quotes
            .iter()
            .find(|(open, _)| *open == input[pos])
            .map(|(_, close)| *close);
        if closing.is_some() {
            pos += 1;
        }
        if self.strip_whitespace {
            pos = self.skip_blanks(input, pos);
        }
        let mut value = Vec::new();
        while pos < input.len() {
            let Some(quote) = closing else {
                if let Some(next) = self.delimiter_end(input, pos) {
                    pos = next;
                    break;
                }
                value.push(input[pos]);
                pos += 1;
                continue;
            };
            let b = input[pos];
            let following = input.get(pos + 1).copied();
            match self.escape {
                CsvEscape::Backslash if b == b'\\' && following.is_some() => {
                    value.extend(following);
                    pos += 2;
                }
                CsvEscape::BackslashWithSequences if b == b'\\' && following.is_some() => {
                    pos += 1;
                    let escaped = input[pos];
                    value.push(if escaped == quote {
                        escaped
                    } else {
                        match escaped {
                            b'a' => 0x07,
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'v' => 0x0b,
                            b'x' => match input.get(pos + 1..pos + 3).and_then(hex_byte) {
                                Some(byte) => {
                                    pos += 2;
                                    byte
                                }
                                None => b'x',
                            },
                            other => other,
                        }
                    });
                    pos += 1;
                }
                CsvEscape::DoubleChar if b == quote && following == Some(quote) => {
                    value.push(quote);
                    pos += 2;
                }
                _ if b == quote => {
                    closing = None;
                    pos += 1;
                }
                _ => {
                    value.push(b);
                    pos += 1;
                }
            }
        }
        (self.finish_value(value), pos)
    }

    /// `strip-whitespace` on the right, then `null()`.
    fn finish_value(&self, mut value: Vec<u8>) -> Vec<u8> {
        if self.strip_whitespace {
            while value.last().is_some_and(|b| is_blank(*b)) {
                value.pop();
            }
        }
        if self.null_value.as_deref() == Some(&value[..]) {
            value.clear();
        }
        value
    }
}

fn hex_byte(digits: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(digits).ok()?;
    u8::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn values(parser: &CsvParser, text: &str) -> (Vec<String>, bool) {
        let (values, complete) = parser.scan(text.as_bytes());
        let values = values
            .into_iter()
            .map(|v| String::from_utf8(v).unwrap())
            .collect();
        (values, complete)
    }

    #[test]
    fn quotes_delimiters_and_blanks() {
        let parser = CsvParser {
            columns: columns(&["a", "b", "c"]),
            delimiters: b",".to_vec(),
            ..CsvParser::default()
        };
        assert_eq!(values(&parser, "a,b,c"), (columns(&["a", "b", "c"]), true));
        assert_eq!(
            // Without an escape, the second quote ends the quoting.
            values(&parser, r#""x, y",z,"q ""w"""#),
            (columns(&["x, y", "z", r#"q "w"""#]), true)
        );
        assert_eq!(
            values(&parser, " a , b ,c"),
            (columns(&["a", "b", "c"]), true)
        );
        assert_eq!(values(&parser, "a,,c"), (columns(&["a", "", "c"]), true));
        assert_eq!(values(&parser, "a,b"), (columns(&["a", "b"]), false));
        assert_eq!(
            values(&parser, "a,b,c,d"),
            (columns(&["a", "b", "c"]), false)
        );
    }

    #[test]
    fn escapes_greedy_and_null() {
        let double = CsvParser {
            columns: columns(&["a", "b"]),
            delimiters: b",".to_vec(),
            escape: CsvEscape::DoubleChar,
            null_value: Some(b"NULL".to_vec()),
            ..CsvParser::default()
        };
        assert_eq!(
            values(&double, r#""q ""w""",NULL"#),
            (columns(&[r#"q "w""#, ""]), true)
        );
        let backslash = CsvParser {
            escape: CsvEscape::Backslash,
            ..double
        };
        assert_eq!(
            values(&backslash, r#""a\"b",c"#),
            (columns(&[r#"a"b"#, "c"]), true)
        );
        let greedy = CsvParser {
            columns: columns(&["first", "rest"]),
            greedy: true,
            ..CsvParser::default()
        };
        assert_eq!(
            values(&greedy, "one two three"),
            (columns(&["one", "two three"]), true)
        );
    }
}
