//! The backend-agnostic log message: typed name-value pairs, PRI, timestamps, tags.

use crate::timestamp::Timestamp;
use crate::value::Value;
use compact_str::CompactString;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::Arc;

/// Default PRI of a new message: facility user, severity notice.
pub const DEFAULT_PRI: u16 = 13;

/// A name-value pair's name. Names up to 24 bytes are stored inline, so
/// setting a value under a usual name allocates nothing.
pub type Name = CompactString;

/// Room for the values a message usually carries (what a fetcher sets plus
/// what its source adds), reserved with the first value.
const USUAL_VALUE_COUNT: usize = 12;

/// How many delivered messages' value vectors a thread keeps for reuse.
const SPARE_LIMIT: usize = 4096;

/// How many newer vectors a kept vector waits behind before it is reused.
///
/// A destination thread read a delivered message's vector on another core;
/// writing it again at once costs the fetcher an ownership transfer per cache
/// line (measured: a third of the fetcher thread's time for `fields`). After
/// some 2 000 further messages the destination's cache has moved on.
const SPARE_MIN_AGE: usize = 2048;

/// A kept vector whose message was received this long (µs) before the one
/// being built is reused however few vectors wait: a slow source keeps a
/// short list instead of 2 048 messages' worth of memory.
const SPARE_MIN_AGE_MICROS: i64 = 5_000;

/// Below this many kept vectors, old ones are no longer freed.
const SPARE_SHRINK_FLOOR: usize = 64;

/// A thread's value vectors of delivered messages, oldest first, each with
/// its message's receive time in µs (see [`LogMessage::recycle`]). A
/// fetcher thread reuses its own vectors instead of freeing and allocating
/// one per message, which glibc does slowly for blocks of this size. A kept
/// vector still holds its old values: they are dropped when it is reused,
/// so their buffers too return to the allocator only once the destination
/// has stopped reading them.
#[derive(Default)]
struct SpareValues(VecDeque<(Vec<(Name, Value)>, i64)>);

impl SpareValues {
    /// Keeps a delivered message's vector, unless enough are kept already.
    /// Values with big buffers are dropped at once, not held while waiting.
    fn keep(&mut self, mut values: Vec<(Name, Value)>, received: i64) {
        if values.iter().any(|(_, value)| holds_big_buffer(value)) {
            values.clear();
        }
        if self.0.len() < SPARE_LIMIT {
            self.0.push_back((values, received));
        }
    }

    /// An emptied vector old enough for reuse by a message received at
    /// `now` (µs), if there is one; asks for the next one to be fetched for
    /// writing meanwhile. While the oldest kept vectors are old by time,
    /// one more is freed per call, so the list shrinks when a source slows.
    fn take(&mut self, now: i64) -> Option<Vec<(Name, Value)>> {
        let old_by_time =
            |&(_, received): &(_, i64)| now.saturating_sub(received) >= SPARE_MIN_AGE_MICROS;
        let due = self.0.len() > SPARE_MIN_AGE || self.0.front().is_some_and(old_by_time);
        if !due {
            return None;
        }
        let (mut values, _) = self.0.pop_front()?;
        values.clear();
        if self.0.len() > SPARE_SHRINK_FLOOR && self.0.front().is_some_and(old_by_time) {
            self.0.pop_front();
        }
        if let Some((next, _)) = self.0.front() {
            let bytes =
                next.capacity().min(USUAL_VALUE_COUNT) * std::mem::size_of::<(Name, Value)>();
            crate::cache_hint::prepare_for_write(next.as_ptr().cast(), bytes);
        }
        Some(values)
    }
}

/// Whether `value` owns more heap memory than a kept vector should hold on to.
fn holds_big_buffer(value: &Value) -> bool {
    const BIG: usize = 256;
    match value {
        Value::String(text) => text.spilled() && text.capacity() > BIG,
        Value::List(items) => items.iter().map(Vec::capacity).sum::<usize>() > BIG,
        _ => false,
    }
}

thread_local! {
    static SPARE_VALUES: RefCell<SpareValues> = RefCell::new(SpareValues::default());
}

/// Resolves the `MSG` alias to `MESSAGE`.
fn canonical_name(name: &str) -> &str {
    if name == "MSG" { "MESSAGE" } else { name }
}

/// Values and tags a source gives every message it posts (HOST_FROM,
/// SOURCE, `.source.<name>` …), kept once per source and shared by its
/// messages instead of copied into each one.
///
/// A shared value wins over the message's own value of the same name, as
/// the source's processing comes after `fetch()` set it. Aligned to two
/// cache lines so that the reference count, which the fetcher thread
/// changes for every message, never shares a line with the values the
/// destination threads read.
#[derive(Clone, Debug, PartialEq, Default)]
#[repr(align(128))]
pub struct SharedValues {
    values: Vec<(Name, Value)>,
    tags: Vec<Arc<str>>,
}

impl SharedValues {
    /// Sets `name` (replacing an earlier value of the same name).
    pub fn set(&mut self, name: &str, value: Value) {
        let name = canonical_name(name);
        match self.values.iter_mut().find(|(n, _)| n == name) {
            Some((_, slot)) => *slot = value,
            None => self.values.push((Name::new(name), value)),
        }
    }

    /// Adds a tag unless already present.
    pub fn add_tag(&mut self, tag: &Arc<str>) {
        if !self.tags.iter().any(|t| t == tag) {
            self.tags.push(tag.clone());
        }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// One log message as it moves from a source to the destinations.
#[derive(Clone, Debug, PartialEq)]
pub struct LogMessage {
    values: Vec<(Name, Value)>,
    /// Values and tags of the source that posted the message.
    shared: Option<Arc<SharedValues>>,
    /// Facility * 8 + severity.
    pub pri: u16,
    /// Made by logfetch itself (`internal()`), as syslog-ng's local
    /// messages: each destination numbers these for `$SEQNUM`.
    pub local: bool,
    /// Its source chained host names into HOST (`chain-hostnames()`):
    /// `$HOST` shows the first of them.
    pub chained_host: bool,
    /// The message's own time (`$DATE`, `$ISODATE`, `S_*`).
    pub stamp: Timestamp,
    /// When logfetch received the message (`R_*`).
    pub recvd: Timestamp,
    /// Tags of its own (its source's are in `shared`).
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
            shared: None,
            pri: DEFAULT_PRI,
            local: false,
            chained_host: false,
            stamp: now,
            recvd: now,
            tags: Vec::new(),
            bookmark: None,
            ack_seq: None,
        }
    }

    /// A message whose MESSAGE is `text` (kept byte for byte).
    pub fn with_message(text: impl AsRef<[u8]>) -> Self {
        let mut msg = Self::new();
        msg.set_str("MESSAGE", text);
        msg
    }

    /// Moves the message out, leaving an empty one behind (no clock read).
    pub fn take(&mut self) -> LogMessage {
        let empty = LogMessage {
            values: Vec::new(),
            shared: None,
            pri: DEFAULT_PRI,
            local: false,
            chained_host: false,
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
        let name = canonical_name(name);
        if let Some(value) = self.shared.as_ref().and_then(|s| s.get(name)) {
            return Some(value);
        }
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Gives the message its source's shared values and tags (replacing
    /// any it had). They win over its own values of the same names.
    pub fn share(&mut self, shared: &Arc<SharedValues>) {
        self.shared = Some(Arc::clone(shared));
    }

    /// Copies the shared values and tags into the message itself, so that
    /// its own values can change them.
    fn unshare(&mut self) {
        let Some(shared) = self.shared.take() else {
            return;
        };
        for (name, value) in &shared.values {
            match self.values.iter_mut().find(|(n, _)| n == name) {
                Some((_, slot)) => *slot = value.clone(),
                None => self.values.push((name.clone(), value.clone())),
            }
        }
        for tag in &shared.tags {
            self.add_tag(tag);
        }
    }

    /// Sets `name` to `value`, replacing an earlier value.
    pub fn set(&mut self, name: &str, value: Value) {
        match self.slot(name) {
            Some(slot) => *slot = value,
            None => self.push(name, value),
        }
    }

    /// Sets a string value (a copy of `value`).
    pub fn set_str(&mut self, name: &str, value: impl AsRef<[u8]>) {
        let value = value.as_ref();
        match self.slot(name) {
            // Reuses the value's buffer when it is a string already.
            Some(Value::String(text)) => {
                text.clear();
                text.extend_from_slice(value);
            }
            Some(slot) => *slot = Value::string(value),
            None => self.push(name, Value::string(value)),
        }
    }

    fn slot(&mut self, name: &str) -> Option<&mut Value> {
        let name = canonical_name(name);
        if self.shared.as_ref().is_some_and(|s| s.has(name)) {
            self.unshare();
        }
        self.values
            .iter_mut()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Removes `name`'s value (aliases resolved); nothing when unset.
    pub fn unset(&mut self, name: &str) {
        let name = canonical_name(name);
        if self.shared.as_ref().is_some_and(|s| s.has(name)) {
            self.unshare();
        }
        self.values.retain(|(n, _)| n != name);
    }

    /// Removes a tag, its source's tags included.
    pub fn remove_tag(&mut self, tag: &str) {
        if self
            .shared
            .as_ref()
            .is_some_and(|s| s.tags.iter().any(|t| &**t == tag))
        {
            self.unshare();
        }
        self.tags.retain(|t| &**t != tag);
    }

    /// A copy of the message that a log path modifies on its own: it takes
    /// no part in acknowledgements (the original does).
    pub fn path_copy(&self) -> LogMessage {
        let mut copy = self.clone();
        copy.ack_seq = None;
        copy.bookmark = None;
        copy
    }

    /// Drops the message, keeping its value vector for the next message
    /// built on this thread.
    pub fn recycle(mut self) {
        let values = std::mem::take(&mut self.values);
        if !(USUAL_VALUE_COUNT..=4 * USUAL_VALUE_COUNT).contains(&values.capacity()) {
            return;
        }
        let received = self.recvd.micros();
        SPARE_VALUES.with(|spare| spare.borrow_mut().keep(values, received));
    }

    /// Adds a value under a name that is not set yet.
    fn push(&mut self, name: &str, value: Value) {
        if self.values.capacity() == 0 {
            self.values = SPARE_VALUES
                .with(|spare| spare.borrow_mut().take(self.recvd.micros()))
                .unwrap_or_else(|| Vec::with_capacity(USUAL_VALUE_COUNT));
        }
        self.values.push((Name::new(canonical_name(name)), value));
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

    /// All names that carry a value: the message's own in the order they
    /// were first set, then its source's.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.pairs().map(|(n, _)| n)
    }

    /// All name-value pairs: the message's own in the order they were first
    /// set, then its source's.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &Value)> {
        let shared = self.shared.as_deref();
        let own = self
            .values
            .iter()
            .filter(move |(n, _)| !shared.is_some_and(|s| s.has(n)));
        let shared = shared.map_or(&[][..], |s| &s.values[..]);
        own.chain(shared).map(|(n, v)| (n.as_str(), v))
    }

    /// Adds a tag unless already present.
    pub fn add_tag(&mut self, tag: &Arc<str>) {
        if !self.has_tag(tag) {
            self.tags.push(tag.clone());
        }
    }

    /// Whether the message carries `tag`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags().any(|t| &**t == tag)
    }

    /// The message's tags in the order they were added: its own, then its
    /// source's.
    pub fn tags(&self) -> impl Iterator<Item = &Arc<str>> {
        let shared = self.shared.as_deref().map_or(&[][..], |s| &s.tags[..]);
        let own = &self.tags;
        own.iter()
            .chain(shared.iter().filter(move |t| !own.contains(t)))
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
    fn a_recycled_value_vector_serves_a_later_message_empty() {
        // Its own thread: the kept vectors are per thread.
        std::thread::spawn(|| {
            let mut old = LogMessage::with_message("old");
            old.set_str("app", "x");
            old.recvd = Timestamp::default(); // long ago: due at once
            let buffer = old.values.as_ptr();
            old.recycle();
            let mut next = LogMessage::new();
            next.set_str("HOST", "h");
            assert_eq!(next.values.as_ptr(), buffer);
            assert_eq!(next.names().collect::<Vec<_>>(), ["HOST"]);
            assert_eq!(next.get("app"), None);
        })
        .join()
        .unwrap();
    }

    fn spare_vector() -> Vec<(Name, Value)> {
        vec![(Name::new("MESSAGE"), Value::string("m"))]
    }

    #[test]
    fn a_kept_vector_waits_behind_newer_ones() {
        let mut spare = SpareValues::default();
        let first = spare_vector();
        let buffer = first.as_ptr();
        spare.keep(first, 0);
        for _ in 1..SPARE_MIN_AGE {
            spare.keep(spare_vector(), 0);
        }
        assert!(spare.take(0).is_none(), "only SPARE_MIN_AGE vectors wait");
        spare.keep(spare_vector(), 0);
        let reused = spare.take(0).expect("the oldest is due");
        assert_eq!(reused.as_ptr(), buffer);
        assert!(reused.is_empty());
        assert_eq!(spare.0.len(), SPARE_MIN_AGE);
    }

    #[test]
    fn a_slow_sources_vectors_are_due_by_time_and_the_list_shrinks() {
        let mut spare = SpareValues::default();
        for _ in 0..100 {
            spare.keep(spare_vector(), 0);
        }
        assert!(spare.take(SPARE_MIN_AGE_MICROS - 1).is_none());
        assert!(spare.take(SPARE_MIN_AGE_MICROS).is_some());
        assert_eq!(spare.0.len(), 98, "one reused, one more freed");
        while spare.0.len() > SPARE_SHRINK_FLOOR {
            assert!(spare.take(SPARE_MIN_AGE_MICROS).is_some());
        }
        assert_eq!(spare.0.len(), SPARE_SHRINK_FLOOR);
        // At the floor only the due vector is taken, none freed.
        spare.keep(spare_vector(), 2 * SPARE_MIN_AGE_MICROS);
        let before = spare.0.len();
        assert!(spare.take(2 * SPARE_MIN_AGE_MICROS).is_some());
        assert_eq!(spare.0.len(), before - 1);
    }

    #[test]
    fn msg_is_an_alias_of_message() {
        let mut m = LogMessage::with_message("hello");
        assert_eq!(m.get("MSG"), Some(&Value::string(b"hello")));
        m.set("MSG", Value::Int(5));
        assert_eq!(m.get("MESSAGE"), Some(&Value::Int(5)));
        assert_eq!(m.names().collect::<Vec<_>>(), vec!["MESSAGE"]);
        assert_eq!(m.pri, DEFAULT_PRI);
    }

    #[test]
    fn set_str_replaces_any_value_in_place() {
        let long = "a value longer than the twenty-four bytes kept inline";
        let mut m = LogMessage::new();
        m.set_str("k", "short");
        m.set_str("name-longer-than-twenty-four-bytes", long);
        m.set_str("k", long);
        assert_eq!(m.get("k"), Some(&Value::string(long)));
        m.set("k", Value::Int(7));
        m.set_str("k", "again short");
        assert_eq!(m.get("k"), Some(&Value::string("again short")));
        assert_eq!(
            m.get("name-longer-than-twenty-four-bytes"),
            Some(&Value::string(long))
        );
        assert_eq!(
            m.names().collect::<Vec<_>>(),
            vec!["k", "name-longer-than-twenty-four-bytes"]
        );
    }

    #[test]
    fn shared_values_win_and_a_later_write_takes_them_over() {
        let mut shared = SharedValues::default();
        shared.set("HOST", Value::string("local"));
        shared.set("SOURCE", Value::string("s_src"));
        shared.add_tag(&Arc::from(".source.s_src"));
        let shared = Arc::new(shared);

        let mut m = LogMessage::with_message("hi");
        m.set_str("HOST", "from-fetcher");
        m.add_tag(&Arc::from("mine"));
        m.share(&shared);
        assert_eq!(m.get("HOST"), Some(&Value::string("local")));
        let pairs: Vec<_> = m.pairs().map(|(n, _)| n).collect();
        assert_eq!(pairs, vec!["MESSAGE", "HOST", "SOURCE"]);
        assert_eq!(
            m.tags().map(|t| &**t).collect::<Vec<_>>(),
            vec!["mine", ".source.s_src"]
        );
        assert!(m.has_tag(".source.s_src"));

        m.set_str("SOURCE", "changed");
        assert_eq!(m.get("SOURCE"), Some(&Value::string("changed")));
        assert_eq!(m.get("HOST"), Some(&Value::string("local")));
        assert!(m.has_tag(".source.s_src"));
        assert_eq!(shared.get("SOURCE"), Some(&Value::string("s_src")));
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
