//! RFC 5424 lines: `<PRI>1 TIMESTAMP HOST APP-NAME PROCID MSGID SD [MSG]`,
//! `-` for a nil field (syslog-ng's `_syslog_format_parse_syslog_proto()`).

use super::cursor::Cursor;
use super::fields::{hostname, pri, skip_framing};
use super::options::ParseOptions;
use super::stamp::{guess_zone, scan_rfc5424, to_timestamp};
use super::text::{Tag, set_message};
use super::{sdata, stamp_of_unstamped_line};
use crate::message::LogMessage;
use crate::timestamp::Timestamp;

/// How reading a line as RFC 5424 went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// The line was RFC 5424 and is in the message.
    Parsed,
    /// `<PRI>` or the version `1` is missing: not an RFC 5424 line.
    NotRfc5424,
    /// The header started as RFC 5424 but broke after this many bytes
    /// (upstream's "problem position").
    Malformed(usize),
}

/// The UTF-8 byte order mark that may open MSG.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads `data` into `msg`; `now` is the receive time.
pub(super) fn parse(
    msg: &mut LogMessage,
    data: &[u8],
    options: &ParseOptions,
    now: &Timestamp,
) -> Outcome {
    let mut c = Cursor::new(data);
    skip_framing(msg, &mut c);
    if !pri(msg, &mut c, options) || !version(&mut c) {
        return Outcome::NotRfc5424;
    }
    match header(msg, &mut c, options, now) {
        Ok(()) => {
            msg.set_str("MSGFORMAT", "syslog:rfc5424");
            Outcome::Parsed
        }
        Err(position) => Outcome::Malformed(position),
    }
}

/// Everything after the version; `Err` carries the problem position.
fn header(
    msg: &mut LogMessage,
    c: &mut Cursor,
    options: &ParseOptions,
    now: &Timestamp,
) -> Result<(), usize> {
    let broken = |msg: &mut LogMessage, c: &Cursor, tag: Option<Tag>| {
        if let Some(tag) = tag {
            tag.add_to(msg);
        }
        c.pos()
    };
    if !c.eat(b' ') {
        return Err(broken(msg, c, None));
    }
    if c.eat(b'-') {
        Tag::MissingTimestamp.add_to(msg);
        msg.stamp = *now;
    } else if let Some(stamp) = scan_rfc5424(c) {
        msg.stamp = to_timestamp(&stamp, options.recv_time_zone.as_ref(), now);
        if options.guess_timezone {
            guess_zone(&mut msg.stamp, now.secs);
        }
    } else {
        msg.stamp = stamp_of_unstamped_line(options, now);
        return Err(broken(msg, c, Some(Tag::MissingTimestamp)));
    }
    if !c.eat(b' ') {
        return Err(broken(msg, c, Some(Tag::Rfc5424MissingHostname)));
    }
    let host = hostname(msg, c, options.check_hostname);
    if !c.eat(b' ') {
        // Upstream steps one byte further before reporting this one.
        return Err(broken(msg, c, Some(Tag::Rfc5424MissingAppName)) + 1);
    }
    if let Some(host) = host.filter(|h| *h != b"-") {
        msg.set_str("HOST", host);
    }
    for (name, max_len, tag_if_cut_short) in [
        ("PROGRAM", 48, Tag::Rfc5424MissingProcid),
        ("PID", 128, Tag::Rfc5424MissingMsgid),
        ("MSGID", 32, Tag::Rfc5424MissingSdata),
    ] {
        column(msg, c, name, max_len);
        if !c.eat(b' ') {
            return Err(broken(msg, c, Some(tag_if_cut_short)));
        }
    }
    if !sdata::parse_column(msg, c, &options.sdata_prefix) {
        return Err(broken(msg, c, Some(Tag::Rfc5424InvalidSdata)));
    }
    if c.is_empty() {
        msg.set_str("MESSAGE", b"");
    } else if !c.eat(b' ') {
        return Err(broken(msg, c, Some(Tag::MissingMessage)));
    } else if c.eat_prefix(BOM) {
        msg.set_str("MESSAGE", c.rest());
    } else {
        set_message(msg, c.rest(), options);
    }
    Ok(())
}

/// `1` (leading zeros allowed) up to the next space.
fn version(c: &mut Cursor) -> bool {
    let mut work = *c;
    let mut version = 0u32;
    while let Some(b) = work.peek().filter(|b| *b != b' ') {
        if !b.is_ascii_digit() {
            return false;
        }
        version = version
            .saturating_mul(10)
            .saturating_add(u32::from(b - b'0'));
        work.bump();
    }
    if version != 1 {
        return false;
    }
    *c = work;
    true
}

/// A space-terminated header field into `name` (cut to `max_len` bytes),
/// unless it is `-`. A field that runs to the end is not stored.
fn column(msg: &mut LogMessage, c: &mut Cursor, name: &str, max_len: usize) {
    let rest = c.rest();
    let Some(len) = rest.iter().position(|b| *b == b' ') else {
        c.advance(rest.len());
        return;
    };
    if rest.get(..len) != Some(b"-") {
        msg.set_str(name, rest.get(..len.min(max_len)).unwrap_or_default());
    }
    c.advance(len);
}
