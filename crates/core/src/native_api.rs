//! The interpreter-independent half of the native `_syslogng` module.
//!
//! Both Python backends expose the same `LogMessage`, `LogTemplate` helpers
//! and fetch-return rules. Everything that does not need an interpreter —
//! the state behind a `LogMessage` object, name lookups, error wording,
//! timestamp arithmetic, template checks — lives here once, so CPython and
//! RustPython cannot drift apart. The backends only convert between Python
//! objects and these Rust values.

use crate::internal_log;
use crate::lifecycle::{RawFetchReturn, TransportName, codes};
use crate::message::LogMessage;
use crate::pipeline::SourceLink;
use crate::syslog_parse::{self, ParseOptions};
use crate::template::{Template, is_macro, macro_names, render_macro};
use crate::timestamp::{Timestamp, local_offset_at};
use crate::value::{Text, Value};

/// The exact exception texts of the native module.
pub mod errors {
    /// `TypeError` for a key that is not exactly `str` or `bytes`.
    pub const KEY_NOT_STRING: &str = "key is not a string object";
    /// `ValueError` for a value of an unsupported type.
    pub const VALUE_EXTRACT: &str = "Error extracting value from Python object";
    /// `ValueError` for a list item that is not `str` or `bytes`.
    pub const LIST_ITEM: &str =
        "Error extracting value from Python object: list items must be str or bytes";
    /// `TypeError` for a `LogMessage(message)` of the wrong type.
    pub const MESSAGE_ARG: &str = "LogMessage() argument 'message' must be str, bytes or None";
    /// `RuntimeError` for `post_message()` of a message with a bookmark
    /// when the source has no ack tracker.
    pub const BOOKMARK_WITHOUT_TRACKER: &str =
        "Bookmarks can not be used without creating an AckTracker instance (self.ack_tracker)";
    /// `TypeError` for a `LogMessage.parse(raw_msg, ...)` of the wrong type.
    pub const RAW_MSG_ARG: &str = "LogMessage.parse() argument 'raw_msg' must be str or bytes";
    /// `TypeError` for a second `LogMessage.parse()` argument that is not
    /// a source's `self.parse_options` (upstream's wording).
    pub const PARSE_OPTIONS_ARG: &str =
        "Parse options (PyCapsule) expected in the second parameter";
    /// `TypeError` for a `get_as_str()` default that is not `str`/`None`.
    pub const DEFAULT_NOT_STRING: &str = "default is not a string object";
    /// `ValueError` for `set_timestamp()` with something other than a datetime.
    pub const TIMESTAMP_NOT_DATETIME: &str =
        "Error extracting timestamp from value, expected a datetime instance";

    /// `KeyError` text for a name that is not set.
    pub fn no_such_key(key: &str) -> String {
        format!("No such name-value pair {key}")
    }

    /// `TypeError` text for writing to a posted message.
    pub fn read_only(key: &str) -> String {
        format!("Log message is read only, cannot set name-value pair {key}")
    }
}

/// A string value as syslog-ng stores it: cut at the first NUL.
pub fn truncate_at_nul(bytes: &[u8]) -> Text {
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    Text::from_slice(&bytes[..end])
}

/// Reports a value of an unsupported type to the internal log (the
/// `ValueError` [`errors::VALUE_EXTRACT`] follows).
pub fn report_unexpected_type(key: &str, type_name: &str) {
    internal_log::emit(
        3,
        "Unexpected python object type",
        &[("key", key), ("type", type_name)],
    );
}

/// A timestamp from what a Python `datetime` reports: `timestamp()`,
/// `microsecond`, and `utcoffset().total_seconds()` (`None` for a naive
/// datetime, which is taken as local time).
pub fn timestamp_from_datetime_parts(epoch: f64, usec: u32, utc_offset: Option<f64>) -> Timestamp {
    let secs = (epoch - f64::from(usec) / 1e6).round() as i64;
    let offset = match utc_offset {
        None => local_offset_at(secs),
        Some(o) => o as i32,
    };
    Timestamp { secs, usec, offset }
}

/// The duration `_syslogng._sleep_on_worker(seconds)` sleeps; `None` when
/// `seconds` is not a finite, representable number (the caller then falls
/// back to the interpreter's own `time.sleep()`, which reports the error).
pub fn sleep_duration(seconds: f64) -> Option<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(seconds.max(0.0)).ok()
}

/// `_syslogng._log`: one internal message with `fields`.
pub fn log(level: u8, message: &str, fields: &[(String, String)]) {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    internal_log::emit(level, message, &fields);
}

/// `_syslogng._check_template`: the compile error, if any.
pub fn check_template(text: &str) -> Option<String> {
    Template::compile(text).err().map(|e| e.to_string())
}

/// `post_message()` of a server-style source, once the backend checked the
/// thread and the argument: `take` hands over the message (and whether it
/// carries a bookmark). Returns whether the window still has room, or the
/// `RuntimeError` text. A message posted while the window is already full
/// (the source ignored `suspend()`) is dropped and reported, as upstream.
pub fn source_post(
    link: &SourceLink,
    transport: &TransportName,
    take: impl FnOnce() -> (LogMessage, bool),
) -> Result<bool, &'static str> {
    if !link.has_room() {
        internal_log::emit(
            3,
            "python-source: Incorrectly suspended source, dropping message",
            &[("driver", link.driver_id())],
        );
        return Ok(true);
    }
    let (mut msg, has_bookmark) = take();
    if has_bookmark && link.ack_tracker().is_none() {
        return Err(errors::BOOKMARK_WITHOUT_TRACKER);
    }
    if let Some(name) = transport.current(&mut (0, None)) {
        msg.set_str("TRANSPORT", name.as_bytes());
    }
    Ok(link.post(msg))
}

/// `_syslogng._source_wait_room`: hands the open batch on and waits
/// (interpreter released by the caller) until the window has room or the
/// source is stopping.
pub fn source_wait_room(link: &SourceLink) {
    link.close_batch();
    link.wait_for_room();
}

/// `_syslogng._format_template`: renders `text` for `msg` with `seq_num` as
/// `$SEQNUM` (0 or out of range: empty); the error is the `TypeError` text
/// when the template does not compile.
pub fn format_template(text: &str, msg: &LogMessage, seq_num: i64) -> Result<Vec<u8>, String> {
    let template = Template::compile(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    template.render_numbered(msg, u32::try_from(seq_num).unwrap_or(0), &mut out);
    Ok(out)
}

/// What `msg[key]` finds.
#[derive(Debug)]
pub enum Lookup<'a> {
    /// A macro, rendered (Python sees `bytes`).
    Macro(Vec<u8>),
    /// A typed value.
    Value(&'a Value),
}

/// The state behind a Python `LogMessage` object; `B` is the backend's
/// handle for the bookmark object.
#[derive(Debug)]
pub struct MessageState<B> {
    /// The message.
    pub msg: LogMessage,
    /// Set once the message was posted: it may no longer change.
    pub read_only: bool,
    /// Bookmark data (`None` means no bookmark).
    pub bookmark: Option<B>,
}

impl<B> MessageState<B> {
    /// A writable message; `message` is MESSAGE's text, if any.
    pub fn new(message: Option<&[u8]>, bookmark: Option<B>) -> Self {
        let msg = match message {
            Some(text) => LogMessage::with_message(text),
            None => LogMessage::new(),
        };
        MessageState {
            msg,
            read_only: false,
            bookmark,
        }
    }

    /// `LogMessage.parse(raw_msg, parse_options)`: a writable message made
    /// by the source's syslog parser.
    pub fn parsed(raw: &[u8], options: &ParseOptions) -> Self {
        MessageState {
            msg: syslog_parse::parse(raw, options),
            read_only: false,
            bookmark: None,
        }
    }

    /// `msg[key]`: a macro or a set value; `None` when neither.
    pub fn lookup(&self, key: &str) -> Option<Lookup<'_>> {
        if is_macro(key) {
            return Some(Lookup::Macro(
                render_macro(key, &self.msg).unwrap_or_default(),
            ));
        }
        self.msg.get(key).map(Lookup::Value)
    }

    /// The text `get_as_str()` decodes; `None` when unset.
    pub fn text(&self, key: &str) -> Option<Vec<u8>> {
        if is_macro(key) {
            render_macro(key, &self.msg)
        } else {
            self.msg.get(key).map(Value::to_text)
        }
    }

    /// Checks that `key` may be set; the error is the `TypeError` text.
    pub fn check_writable(&self, key: &str) -> Result<(), String> {
        if self.read_only {
            Err(errors::read_only(key))
        } else {
            Ok(())
        }
    }

    /// `keys()`: every set name, then every macro name.
    pub fn keys(&self) -> Vec<String> {
        self.msg
            .names()
            .map(str::to_owned)
            .chain(macro_names())
            .collect()
    }

    /// `set_source_ipaddress(ip, port)`: false when `ip` is missing or unparsable.
    pub fn set_source_ipaddress(&mut self, ip: Option<&str>, port: u16) -> bool {
        match ip.and_then(|ip| ip.parse::<std::net::IpAddr>().ok()) {
            Some(addr) => {
                self.msg.set_str("SOURCEIP", addr.to_string());
                self.msg.set("SOURCEPORT", Value::Int(i64::from(port)));
                true
            }
            None => false,
        }
    }

    /// `set_recvd_rawmsg_size(size)`.
    pub fn set_recvd_rawmsg_size(&mut self, size: u64) {
        self.msg.set("RAWMSG_SIZE", Value::Int(size as i64));
    }

    /// `repr(msg)`.
    pub fn repr(&self) -> String {
        let mut scratch = Vec::new();
        format!(
            "<LogMessage MESSAGE={:?}>",
            String::from_utf8_lossy(self.msg.text("MESSAGE", &mut scratch))
        )
    }

    /// Takes the message out for posting and makes the object read-only.
    /// With `exclusive` (nothing else can see the object) the message moves;
    /// otherwise it is copied. A bookmark is handed to `register_bookmark`
    /// (the source's ack tracker keeps it) when there is one. Returns the message and
    /// whether it carries a bookmark.
    pub fn take_posted(
        &mut self,
        exclusive: bool,
        register_bookmark: Option<&dyn Fn(&B) -> u64>,
    ) -> (LogMessage, bool) {
        self.read_only = true;
        let mut msg = if exclusive {
            self.msg.take()
        } else {
            self.msg.clone()
        };
        if let (Some(register), Some(bookmark)) = (register_bookmark, &self.bookmark) {
            msg.bookmark = Some(register(bookmark));
        }
        (msg, self.bookmark.is_some())
    }
}

/// The bookmark objects of messages in flight, by the id the core's ack
/// tracker knows them by; `B` is the backend's object handle.
#[derive(Debug)]
pub struct BookmarkRegistry<B> {
    next: std::sync::atomic::AtomicU64,
    objects: parking_lot::Mutex<std::collections::HashMap<u64, B>>,
}

impl<B> Default for BookmarkRegistry<B> {
    fn default() -> Self {
        BookmarkRegistry {
            next: std::sync::atomic::AtomicU64::new(0),
            objects: parking_lot::Mutex::new(std::collections::HashMap::new()),
        }
    }
}

impl<B> BookmarkRegistry<B> {
    /// Keeps `bookmark` until it is reported or forgotten; returns its id.
    pub fn register(&self, bookmark: B) -> u64 {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.objects.lock().insert(id, bookmark);
        id
    }

    /// Removes and returns the bookmarks `ids`, in that order.
    pub fn take(&self, ids: &[u64]) -> Vec<B> {
        let mut objects = self.objects.lock();
        ids.iter().filter_map(|id| objects.remove(id)).collect()
    }
}

/// The [`RawFetchReturn`] of a tuple of `len` items whose first item is the
/// int `code` (if it is one). `second` takes the message out of the second
/// item; it is called only for a `(SUCCESS, x)` pair.
pub fn fetch_return_tuple(
    len: usize,
    code: Option<i64>,
    second: impl FnOnce() -> (Option<LogMessage>, bool),
) -> RawFetchReturn {
    let (message, has_bookmark) = if code == Some(codes::SUCCESS) && len == 2 {
        second()
    } else {
        (None, false)
    };
    RawFetchReturn::Tuple {
        len,
        code,
        message,
        has_bookmark,
    }
}

/// A `Persist` value as the native functions hand it to Python:
/// `("str" | "int", text)` or `("bytes", bytes)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersistItem {
    /// `str`, or `int` as decimal text (`kind` says which).
    Text(&'static str, String),
    /// `bytes`.
    Bytes(Vec<u8>),
}

/// `_persist_open(name)`; the error is the `RuntimeError` text.
pub fn persist_open(name: &str) -> Result<(), String> {
    crate::persist::open(name).map_err(|e| e.to_string())
}

/// `_persist_get(name, key)`.
pub fn persist_get(name: &str, key: &str) -> Result<Option<PersistItem>, String> {
    use crate::persist::PersistValue;
    Ok(crate::persist::get(name, key)
        .map_err(|e| e.to_string())?
        .map(|v| match v {
            PersistValue::Str(s) => PersistItem::Text("str", s),
            PersistValue::Int(i) => PersistItem::Text("int", i),
            PersistValue::Bytes(b) => PersistItem::Bytes(b),
        }))
}

/// `_persist_set(name, key, kind, value)` for `str`/`int` (as text) values.
pub fn persist_set_text(name: &str, key: &str, kind: &str, text: String) -> Result<(), String> {
    use crate::persist::PersistValue;
    let value = match kind {
        "int"
            if text
                .trim_start_matches('-')
                .bytes()
                .all(|b| b.is_ascii_digit()) =>
        {
            PersistValue::Int(text)
        }
        "str" => PersistValue::Str(text),
        other => return Err(format!("cannot store a value of kind {other}")),
    };
    crate::persist::set(name, key, value).map_err(|e| e.to_string())
}

/// `_persist_set(name, key, "bytes", value)`.
pub fn persist_set_bytes(name: &str, key: &str, bytes: Vec<u8>) -> Result<(), String> {
    crate::persist::set(name, key, crate::persist::PersistValue::Bytes(bytes))
        .map_err(|e| e.to_string())
}

/// `_persist_keys(name)`.
pub fn persist_keys(name: &str) -> Result<Vec<String>, String> {
    crate::persist::keys(name).map_err(|e| e.to_string())
}

/// The tracker mode of `ack_tracker_of()`'s (kind, timeout ms, batch size);
/// `None` for "none".
pub fn ack_mode(kind: &str, timeout_ms: u64, batch_size: usize) -> Option<crate::ack::AckMode> {
    use crate::ack::AckMode;
    match kind {
        "instant" => Some(AckMode::Instant),
        "consecutive" => Some(AckMode::Consecutive),
        "batched" => Some(AckMode::Batched {
            timeout: std::time::Duration::from_millis(timeout_ms),
            batch_size,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posted_message_moves_only_when_exclusive() {
        let mut s: MessageState<()> = MessageState::new(Some(b"hi"), None);
        let (copy, has_bookmark) = s.take_posted(false, None);
        assert!(!has_bookmark);
        assert!(s.read_only);
        assert_eq!(copy.get("MESSAGE"), s.msg.get("MESSAGE"));
        let (moved, _) = s.take_posted(true, None);
        assert_eq!(moved.get("MESSAGE"), Some(&Value::string(b"hi")));
        assert_eq!(s.msg.get("MESSAGE"), None);
        assert_eq!(
            s.check_writable("X"),
            Err("Log message is read only, cannot set name-value pair X".into())
        );
    }

    #[test]
    fn naive_and_aware_timestamps() {
        let t = timestamp_from_datetime_parts(1664894892.123, 123000, Some(3600.0));
        assert_eq!((t.secs, t.usec, t.offset), (1664894892, 123000, 3600));
    }

    #[test]
    fn second_item_is_inspected_only_for_success_pairs() {
        let r = fetch_return_tuple(1, Some(codes::SUCCESS), || unreachable!());
        assert!(matches!(r, RawFetchReturn::Tuple { len: 1, .. }));
        let r = fetch_return_tuple(2, Some(codes::SUCCESS), || (None, true));
        assert!(matches!(
            r,
            RawFetchReturn::Tuple {
                has_bookmark: true,
                ..
            }
        ));
    }
}
