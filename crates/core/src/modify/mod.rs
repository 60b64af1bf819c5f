//! What a log path does to messages on their way to its destinations:
//! filters, parsers (`parser {}`) and rewrite rules (`rewrite {}`), in the
//! order the path lists them.

mod csv_parser;
mod date_parser;
mod json_parser;
mod kv_parser;
mod regexp_parser;
mod rewrite;

pub use csv_parser::{CsvEscape, CsvParser};
pub use date_parser::{DateParser, DateTarget};
pub use json_parser::JsonParser;
pub use kv_parser::KvParser;
pub use regexp_parser::RegexpParser;
pub use rewrite::{Replacement, RewriteAction, RewriteRule};

use crate::filter::Filter;
use crate::message::LogMessage;
use crate::template::Template;
use std::sync::Arc;

/// A parser or a rewrite rule: changes a message; a parser can also fail,
/// which drops the message from the rest of its log path.
#[derive(Debug)]
pub enum Modifier {
    /// `json-parser()`.
    Json(JsonParser),
    /// `kv-parser()`.
    Kv(KvParser),
    /// `date-parser()`.
    Date(DateParser),
    /// `csv-parser()`.
    Csv(CsvParser),
    /// `regexp-parser()`.
    Regexp(RegexpParser),
    /// One rule of a `rewrite {}` statement.
    Rewrite(RewriteRule),
}

impl Modifier {
    /// Applies the change; `false` when a parser did not match (the
    /// message may then be partly changed, but goes no further).
    pub fn apply(&self, msg: &mut LogMessage) -> bool {
        match self {
            Modifier::Json(parser) => parser.apply(msg),
            Modifier::Kv(parser) => parser.apply(msg),
            Modifier::Date(parser) => parser.apply(msg),
            Modifier::Csv(parser) => parser.apply(msg),
            Modifier::Regexp(parser) => parser.apply(msg),
            Modifier::Rewrite(rule) => {
                rule.apply(msg);
                true
            }
        }
    }
}

/// What a parser reads: its `template()`, or the message text.
fn parser_input(template: Option<&Template>, msg: &LogMessage) -> Vec<u8> {
    let mut input = Vec::new();
    match template {
        Some(template) => template.render(msg, &mut input),
        None => input.extend_from_slice(msg.text("MESSAGE", &mut Vec::new())),
    }
    input
}

/// One element of a log path, in configuration order. `D` names the
/// destinations: indexes in a plan, queues in a running pipeline.
#[derive(Clone, Debug)]
pub enum Step<D> {
    /// Messages that do not match go no further along the path.
    Filter(Arc<Filter>),
    /// Changes the path's own copy of the message.
    Modify(Arc<Modifier>),
    /// The message as it is at this point goes to these destinations.
    Deliver(Vec<D>),
    /// `if (...) { } elif (...) { } else { }`: the branch taken decides
    /// how the message goes on (see [`Branch`]); without an `else`, a
    /// message no branch takes goes on unchanged.
    Branches(Vec<Branch<D>>),
}

/// One branch of an `if` in a log path. A branch with a condition is
/// taken when the condition matches, and what its steps then drop goes no
/// further; a branch without one (`if { ... }`, `else`) is taken when its
/// steps let the message through, else the next branch tries the message
/// as it was.
#[derive(Clone, Debug)]
pub struct Branch<D> {
    /// `if (...)` / `elif (...)`; `None` for `else` and `if { ... }`.
    pub condition: Option<Arc<Filter>>,
    /// What runs in the branch.
    pub steps: Vec<Step<D>>,
    /// The `else` branch: when it does not let the message through either,
    /// the message goes no further.
    pub is_else: bool,
}

impl<D> Branch<D> {
    /// How many destinations the branch delivers to.
    pub fn destination_count(&self) -> usize {
        self.steps.iter().map(Step::destination_count).sum()
    }
}

impl<D> Step<D> {
    /// The same step, each delivery's destinations replaced by `f` of them.
    pub fn map_destinations<E>(&self, f: &impl Fn(&[D]) -> Vec<E>) -> Step<E> {
        match self {
            Step::Filter(filter) => Step::Filter(filter.clone()),
            Step::Modify(modifier) => Step::Modify(modifier.clone()),
            Step::Deliver(destinations) => Step::Deliver(f(destinations)),
            Step::Branches(branches) => Step::Branches(
                branches
                    .iter()
                    .map(|b| Branch {
                        condition: b.condition.clone(),
                        steps: b.steps.iter().map(|s| s.map_destinations(f)).collect(),
                        is_else: b.is_else,
                    })
                    .collect(),
            ),
        }
    }

    /// How many destinations the step delivers to, branches included.
    pub fn destination_count(&self) -> usize {
        match self {
            Step::Deliver(destinations) => destinations.len(),
            Step::Branches(branches) => branches.iter().map(Branch::destination_count).sum(),
            _ => 0,
        }
    }

    /// Every destination the step delivers to, branches included, in order.
    pub fn destinations(&self) -> Box<dyn Iterator<Item = &D> + '_> {
        match self {
            Step::Deliver(destinations) => Box::new(destinations.iter()),
            Step::Branches(branches) => Box::new(
                branches
                    .iter()
                    .flat_map(|b| b.steps.iter().flat_map(Step::destinations)),
            ),
            _ => Box::new(std::iter::empty()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::LogMessage;
    use crate::syslog_parse::parse_date;
    use crate::timestamp::Timestamp;

    /// Odd texts made of separators, quotes, escapes and multi-byte
    /// characters: parsers, dates and the template functions that index
    /// into text must never panic on them.
    #[test]
    fn parsers_and_text_functions_take_odd_input_without_panicking() {
        let alphabet: &[&str] = &[
            "a", "=", " ", "\"", "'", "\\", ",", ";", ":", "{", "}", "[", "]", "1", "-", ".", "%",
            "é", "\t", "x=", "\"\"", "''", "0x", "e", "null", "true", ":", "@cee:", "Σ",
        ];
        let mut seed: u64 = 0x1234_5678;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let kv = KvParser::default();
        let kv2 = KvParser {
            value_separator: b':',
            pair_separator: b";".to_vec(),
            stray_words_into: Some("s".into()),
            ..KvParser::default()
        };
        let csv = CsvParser {
            columns: vec!["a".into(), "b".into()],
            delimiters: b",".to_vec(),
            escape: CsvEscape::BackslashWithSequences,
            greedy: true,
            ..CsvParser::default()
        };
        let csv2 = CsvParser {
            escape: CsvEscape::DoubleChar,
            ..CsvParser::default()
        };
        let json = JsonParser::default();
        let formats: Vec<String> = ["%Y-%m-%d %H:%M:%S%z", "%s", "%b %d %T", "%f%Z%j%p%C%y%G"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for _ in 0..20_000 {
            let n = (next() % 12) as usize;
            let text: String = (0..n)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            for p in [&kv, &kv2] {
                p.apply(&mut LogMessage::with_message(&text));
            }
            for p in [&csv, &csv2] {
                p.apply(&mut LogMessage::with_message(&text));
            }
            json.apply(&mut LogMessage::with_message(&text));
            let _ = parse_date(&text, &formats, None, &Timestamp::now());
            for f in [
                "$(substr \"$MSG\" -3 -1)",
                "$(/ $MSG 0.0)",
                "$(url-decode $MSG)",
                "$(padding $MSG 5 ab)",
                "$(replace-delimiter \",\" \"\" $MSG)",
            ] {
                let t = crate::template::Template::compile(f).unwrap();
                let mut out = Vec::new();
                t.render(&LogMessage::with_message(&text), &mut out);
            }
        }
    }
}
