//! syslog-ng filter expressions, evaluated per message on the way to the
//! destinations of a log path.

use crate::message::LogMessage;
use regex::bytes::Regex;
use std::sync::Arc;

/// A filter expression.
#[derive(Clone, Debug)]
pub enum Filter {
    /// Both must match.
    And(Box<Filter>, Box<Filter>),
    /// Either must match.
    Or(Box<Filter>, Box<Filter>),
    /// Must not match.
    Not(Box<Filter>),
    /// The regex matches the text of a value (`program()`, `host()`,
    /// `message()`, `match("re" value("NAME"))`).
    Value {
        /// The name-value pair to test.
        name: String,
        /// The expression.
        regex: Regex,
    },
    /// `match("re")` without `value()`: the header and message.
    Match(Regex),
    /// `level()`: a bit per allowed severity.
    Level(u8),
    /// `facility()`: a bit per allowed facility.
    Facility(u32),
    /// `tags()`: any of these tags.
    Tags(Vec<Arc<str>>),
}

impl Filter {
    /// Whether `msg` passes.
    pub fn matches(&self, msg: &LogMessage) -> bool {
        match self {
            Filter::And(a, b) => a.matches(msg) && b.matches(msg),
            Filter::Or(a, b) => a.matches(msg) || b.matches(msg),
            Filter::Not(a) => !a.matches(msg),
            Filter::Value { name, regex } => {
                let mut scratch = Vec::new();
                regex.is_match(msg.text(name, &mut scratch))
            }
            Filter::Match(regex) => {
                let mut line = Vec::new();
                crate::template::write_msghdr(msg, &mut line);
                let mut scratch = Vec::new();
                line.extend_from_slice(msg.text("MESSAGE", &mut scratch));
                regex.is_match(&line)
            }
            Filter::Level(mask) => mask & (1 << msg.severity()) != 0,
            Filter::Facility(mask) => msg.facility() < 32 && mask & (1 << msg.facility()) != 0,
            Filter::Tags(tags) => tags.iter().any(|t| msg.has_tag(t)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boolean_structure_and_fields() {
        let mut m = LogMessage::with_message("disk full on /var");
        m.set_str("PROGRAM", "kernel");
        m.pri = 8 + 3; // user.err
        let program = Filter::Value {
            name: "PROGRAM".into(),
            regex: Regex::new("^kern").unwrap(),
        };
        let message = Filter::Value {
            name: "MESSAGE".into(),
            regex: Regex::new("full").unwrap(),
        };
        let err_or_worse = Filter::Level(0b1111);
        let f = Filter::And(
            Box::new(program.clone()),
            Box::new(Filter::Not(Box::new(err_or_worse.clone()))),
        );
        assert!(!f.matches(&m));
        assert!(Filter::Or(Box::new(f), Box::new(message)).matches(&m));
        assert!(Filter::Facility(1 << 1).matches(&m));
        assert!(Filter::Match(Regex::new("kernel: disk").unwrap()).matches(&m));
    }
}
