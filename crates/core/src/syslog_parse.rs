//! `LogMessage.parse(raw_msg, self.parse_options)` without the interpreter:
//! syslog-ng's `format("syslog")` parser (`modules/syslogformat` and
//! `lib/msg-format.c` of AxoSyslog), driven by a source's [`ParseOptions`].
//!
//! The order is upstream's: trailing CR/LF/NUL bytes are cut off; with
//! `no-parse` the line is MESSAGE; with `syslog-protocol` (a Python source's
//! default) the line is read as RFC 5424 (`rfc5424`), and a line without
//! `<PRI>1 ` falls back to RFC 3164 (`rfc3164`) unless
//! `no-rfc3164-fallback`. RFC 3164 reading never fails. A line that starts
//! as RFC 5424 and then breaks (or any non-5424 line without the fallback)
//! becomes syslog-ng's own error message — `Error processing log message:
//! <line>`, PROGRAM `syslog-ng`, PRI 43 (syslog.err), MSGFORMAT
//! `syslog:error` — as on network sources. No input panics.
//!
//! Upstream's odd corners are kept on purpose (the word after a BSD stamp
//! is the host name unless `no-hostname`; a leading `.` or `*` is a Cisco
//! clock mark; a December stamp read in January is last year's), so that a
//! Python source sees what it would see under syslog-ng.

mod cursor;
mod fields;
mod options;
mod rfc3164;
mod rfc5424;
mod sdata;
mod stamp;
mod strptime;
mod text;
mod zone;

pub use options::{
    BadHostname, DEFAULT_SDATA_PREFIX, MAX_SDATA_PREFIX_LEN, ParseOptions, SYSLOG_FORMAT,
};
pub use stamp::guess_zone;
pub use strptime::parse_date;
pub use text::TAG_NAMES as PARSER_TAGS;
pub use zone::{TimeZoneSpec, UnknownTimeZone};

use crate::message::LogMessage;
use crate::timestamp::Timestamp;
use rfc5424::Outcome;

/// PRI of the error message an unparsable line becomes: syslog.err.
const ERROR_PRI: u16 = 5 * 8 + 3;

/// Parses one raw line as a source with `options` would, received now.
pub fn parse(raw: &[u8], options: &ParseOptions) -> LogMessage {
    parse_at(raw, options, Timestamp::now())
}

/// [`parse`] with the receive time given (it also decides a BSD stamp's year).
fn parse_at(raw: &[u8], options: &ParseOptions, now: Timestamp) -> LogMessage {
    let data = trim_line_end(raw);
    let mut msg = LogMessage::new();
    msg.recvd = now;
    msg.stamp = now;
    if options.store_raw_message {
        msg.set_str("RAWMSG", data);
    }
    let failed_at = if !options.parse {
        msg.pri = options.default_pri_or_user_notice();
        msg.set_str("MSGFORMAT", "raw");
        text::set_message(&mut msg, data, options);
        None
    } else if !options.syslog_protocol {
        rfc3164::parse(&mut msg, data, options, &now);
        None
    } else {
        match rfc5424::parse(&mut msg, data, options, &now) {
            Outcome::Parsed => None,
            Outcome::NotRfc5424 if options.rfc3164_fallback => {
                rfc3164::parse(&mut msg, data, options, &now);
                None
            }
            Outcome::NotRfc5424 => Some(0),
            Outcome::Malformed(position) => Some(position),
        }
    };
    if let Some(position) = failed_at {
        if options.piggyback_errors {
            msg = error_message(data, position, options, now);
        } else {
            msg.set_str("MESSAGE", data);
        }
        msg.set_str("MSGFORMAT", "syslog:error");
    }
    if !options.multi_line {
        text::flatten_message(&mut msg);
    }
    msg
}

/// `raw` without the CR, LF and NUL bytes at its end.
fn trim_line_end(raw: &[u8]) -> &[u8] {
    let end = raw
        .iter()
        .rposition(|b| !matches!(b, b'\r' | b'\n' | 0))
        .map_or(0, |last| last + 1);
    raw.get(..end).unwrap_or_default()
}

/// The stamp of a line without one: the receive time, shown in the
/// receive time zone.
fn stamp_of_unstamped_line(options: &ParseOptions, now: &Timestamp) -> Timestamp {
    match &options.recv_time_zone {
        Some(zone) => Timestamp {
            offset: zone.offset_at(now.secs),
            ..*now
        },
        None => *now,
    }
}

/// What syslog-ng makes of a line it cannot parse: a message of its own,
/// from itself, quoting the line with `>@<` before the byte where reading
/// broke.
fn error_message(
    data: &[u8],
    position: usize,
    options: &ParseOptions,
    now: Timestamp,
) -> LogMessage {
    let mut msg = LogMessage::new();
    msg.recvd = now;
    msg.stamp = now;
    msg.pri = ERROR_PRI;
    msg.set_str("HOST", crate::host::hostname(options.use_fqdn));
    let mut text = b"Error processing log message: ".to_vec();
    if position > 0 {
        let split = (position - 1).min(data.len());
        text.extend_from_slice(data.get(..split).unwrap_or_default());
        text.extend_from_slice(b">@<");
        text.extend_from_slice(data.get(split..).unwrap_or_default());
    } else {
        text.extend_from_slice(data);
    }
    msg.set_str("MESSAGE", text);
    msg.set_str("PROGRAM", "syslog-ng");
    msg.set_str("PID", std::process::id().to_string());
    msg
}

#[cfg(test)]
mod tests;
