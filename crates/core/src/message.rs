//! The backend-agnostic log message: typed name-value pairs, PRI, timestamps, tags.

use crate::timestamp::Timestamp;
use crate::value::Value;
use std::borrow::Cow;
use std::sync::Arc;

/// Default PRI of a new message: facility user, severity notice.
pub const DEFAULT_PRI: u16 = 13;

/// The built-in value names every message may carry; lookups by these names
/// never allocate.
pub const BUILTIN_NAMES: &[&str] = &[
    "MESSAGE",
    "HOST",
    "HOST_FROM",
    "PROGRAM",
    "PID",
    "MSGID",
    "SOURCE",
    "TRANSPORT",
    "LEGACY_MSGHDR",
];

/// A name-value pair's name: a built-in (static) or a user name.
pub type Name = Cow<'static, str>;

/// Maps aliases (`MSG`) to the canonical name and interns built-in names.
pub fn canonical_name(name: &str) -> Name {
    if name == "MSG" {
        return Cow::Borrowed("MESSAGE");
    }
    match BUILTIN_NAMES.iter().find(|b| **b == name) {
        Some(b) => Cow::Borrowed(b),
        None => Cow::Owned(name.to_owned()),
    }
}

/// One log message as it moves from a source to the destinations.
#[derive(Clone, Debug, PartialEq)]
pub struct LogMessage {
    values: Vec<(Name, Value)>,
    /// Facility * 8 + severity.
    pub pri: u16,
    /// The message's own time (`$DATE`, `$ISODATE`, `S_*`).
    pub stamp: Timestamp,
    /// When logfetch received the message (`R_*`).
    pub recvd: Timestamp,
    tags: Vec<Arc<str>>,
    /// The backend's handle for the message's bookmark object, if any.
    pub bookmark: Option<u64>,
    /// Sequence number in its source's ack tracker, once posted.
    pub ack_seq: Option<u64>,
}

impl Default for LogMessage {
    fn default() -> Self {
        Self::new()
    }
}

impl LogMessage {
    /// An empty message received now, PRI 13, MESSAGE unset.
    pub fn new() -> Self {
        let now = Timestamp::now();
        LogMessage {
            values: Vec::new(),
            pri: DEFAULT_PRI,
            stamp: now,
            recvd: now,
            tags: Vec::new(),
            bookmark: None,
            ack_seq: None,
        }
    }

    /// A message whose MESSAGE is `text` (kept byte for byte).
    pub fn with_message(text: impl Into<Vec<u8>>) -> Self {
        let mut msg = Self::new();
        msg.values
            .push((Cow::Borrowed("MESSAGE"), Value::String(text.into())));
        msg
    }

    /// Moves the message out, leaving an empty one behind (no clock read).
    pub fn take(&mut self) -> LogMessage {
        let empty = LogMessage {
            values: Vec::new(),
            pri: DEFAULT_PRI,
            stamp: Timestamp::default(),
            recvd: Timestamp::default(),
            tags: Vec::new(),
            bookmark: None,
            ack_seq: None,
        };
        std::mem::replace(self, empty)
    }

    /// The value stored under `name` (aliases resolved).
    pub fn get(&self, name: &str) -> Option<&Value> {
        let name = if name == "MSG" { "MESSAGE" } else { name };
        self.values
            .iter()
            .find(|(n, _)| n.as_ref() == name)
            .map(|(_, v)| v)
    }

    /// Sets `name` to `value`, replacing an earlier value.
    pub fn set(&mut self, name: &str, value: Value) {
        let name = if name == "MSG" { "MESSAGE" } else { name };
        match self.values.iter_mut().find(|(n, _)| n.as_ref() == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((canonical_name(name), value)),
        }
    }

    /// Sets a string value.
    pub fn set_str(&mut self, name: &str, value: impl Into<Vec<u8>>) {
        self.set(name, Value::String(value.into()));
    }

    /// The text form of `name`'s value, or an empty slice when unset.
    pub fn text<'a>(&'a self, name: &str, scratch: &'a mut Vec<u8>) -> &'a [u8] {
        match self.get(name) {
            Some(Value::String(s)) => s,
            Some(other) => {
                scratch.clear();
                other.write_text(scratch);
                scratch
            }
            None => b"",
        }
    }

    /// Whether `name` has a non-empty value.
    pub fn has_text(&self, name: &str) -> bool {
        match self.get(name) {
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Null) | None => false,
            Some(_) => true,
        }
    }

    /// All names that carry a value, in the order they were first set.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|(n, _)| n.as_ref())
    }

    /// All name-value pairs in the order they were first set.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(n, v)| (n.as_ref(), v))
    }

    /// Adds a tag unless already present.
    pub fn add_tag(&mut self, tag: &Arc<str>) {
        if !self.tags.iter().any(|t| t == tag) {
            self.tags.push(tag.clone());
        }
    }

    /// The message's tags in the order they were added.
    pub fn tags(&self) -> &[Arc<str>] {
        &self.tags
    }

    /// The facility number (PRI / 8).
    pub fn facility(&self) -> u16 {
        self.pri >> 3
    }

    /// The severity number (PRI % 8).
    pub fn severity(&self) -> u16 {
        self.pri & 7
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msg_is_an_alias_of_message() {
        let mut m = LogMessage::with_message("hello");
        assert_eq!(m.get("MSG"), Some(&Value::String(b"hello".to_vec())));
        m.set("MSG", Value::Int(5));
        assert_eq!(m.get("MESSAGE"), Some(&Value::Int(5)));
        assert_eq!(m.names().collect::<Vec<_>>(), vec!["MESSAGE"]);
        assert_eq!(m.pri, DEFAULT_PRI);
    }

    #[test]
    fn text_forms_of_typed_values() {
        let mut m = LogMessage::new();
        m.set("n", Value::Double(6.9));
        let mut scratch = Vec::new();
        assert_eq!(m.text("n", &mut scratch), b"6.900000");
        assert_eq!(m.text("missing", &mut scratch), b"");
    }
}
