//! RFC 3164 (BSD) lines: `[<PRI>][TIMESTAMP HOST ]PROGRAM[PID]: MSG`, read
//! as forgivingly as syslog-ng's `_syslog_format_parse_legacy()`: any line
//! is accepted, whatever cannot be a header part ends up in MESSAGE.

use super::cursor::Cursor;
use super::fields::{hostname, pri, skip_framing};
use super::options::ParseOptions;
use super::stamp::{guess_zone, scan_rfc3164, to_timestamp};
use super::stamp_of_unstamped_line;
use super::text::{Tag, set_message};
use crate::message::LogMessage;
use crate::timestamp::Timestamp;

/// AIX syslogd's relay prefix; the host name follows, up to a `:`.
const AIX_FORWARDED: &[u8] = b"Message forwarded from ";

/// syslogd's repeat notice, which has no host or program.
const REPEATED: &[u8] = b"last message repeated";

/// Cisco's `.SDATA.` names, fixed whatever `sdata-prefix()` says.
const CISCO_SEQUENCE_ID: &str = ".SDATA.meta.sequenceId";
const CISCO_IS_SYNCED: &str = ".SDATA.timeQuality.isSynced";

/// Bytes allowed in a program name with `check-program` (letters and
/// digits aside).
const PROGRAM_PUNCTUATION: &[u8] = b".-_()/";

/// Reads `data` into `msg`; `now` is the receive time.
pub(super) fn parse(msg: &mut LogMessage, data: &[u8], options: &ParseOptions, now: &Timestamp) {
    let mut c = Cursor::new(data);
    skip_framing(msg, &mut c);
    if !pri(msg, &mut c, options) {
        Tag::InvalidPri.add_to(msg);
    } else if options.header {
        header(msg, &mut c, options, now);
    }
    set_message(msg, c.rest(), options);
    msg.set_str("MSGFORMAT", "syslog:rfc3164");
}

/// Timestamp, host and program; without a timestamp, only a program.
fn header(msg: &mut LogMessage, c: &mut Cursor, options: &ParseOptions, now: &Timestamp) {
    cisco_sequence_id(msg, c);
    c.skip_while(|b| b == b' ');
    cisco_time_quality(msg, c);
    let Some(stamp) = scan_rfc3164(c) else {
        msg.stamp = stamp_of_unstamped_line(options, now);
        Tag::MissingTimestamp.add_to(msg);
        Tag::Rfc3164MissingHeader.add_to(msg);
        program(msg, c, options);
        return;
    };
    msg.stamp = to_timestamp(&stamp, options.recv_time_zone.as_ref(), now);
    if options.guess_timezone {
        guess_zone(&mut msg.stamp, now.secs);
    }
    c.skip_while(|b| b == b' ');
    let mut host = None;
    if c.eat_prefix(AIX_FORWARDED) {
        let start = c.pos();
        c.skip_while(|b| b != b':');
        host = Some(c.since(start));
        c.skip_while(|b| b == b' ' || b == b':');
    }
    let repeated = c.rest().len() > REPEATED.len() && c.rest().starts_with(REPEATED);
    if !repeated {
        if host.is_none() && options.expect_hostname {
            let before = *c;
            host = hostname(msg, c, options.check_hostname);
            if let (Some(word), Some(bad)) = (host, &options.bad_hostname)
                && bad.matches(word)
            {
                *c = before;
                host = None;
            }
            c.skip_while(|b| b == b' ');
        }
        program(msg, c, options);
    }
    if let Some(host) = host {
        msg.set_str("HOST", host);
    }
}

/// Cisco's `<digits>: ` sequence number before the timestamp.
fn cisco_sequence_id(msg: &mut LogMessage, c: &mut Cursor) {
    let mut work = *c;
    let digits = work.skip_while(|b| b.is_ascii_digit());
    if !work.eat(b':') || !work.at(b' ') {
        return;
    }
    let number = c.rest().get(..digits).unwrap_or_default();
    msg.set_str(CISCO_SEQUENCE_ID, number);
    *c = work;
}

/// Cisco's clock mark before the timestamp: `*` unsynced, `.` synced.
fn cisco_time_quality(msg: &mut LogMessage, c: &mut Cursor) {
    let synced = match c.peek() {
        Some(b'*') => "0",
        Some(b'.') => "1",
        _ => return,
    };
    msg.set_str(CISCO_IS_SYNCED, synced);
    c.bump();
}

/// `PROGRAM[PID]: ` (each part optional) into PROGRAM, PID and, with
/// `store-legacy-msghdr`, LEGACY_MSGHDR; the colon and one space consumed.
fn program(msg: &mut LogMessage, c: &mut Cursor, options: &ParseOptions) {
    let mut work = *c;
    let start = work.pos();
    let mut has_letter = false;
    while let Some(b) = work.peek().filter(|b| !matches!(b, b' ' | b'[' | b':')) {
        if options.check_program {
            has_letter |= b.is_ascii_alphabetic();
            if !b.is_ascii_alphanumeric() && !PROGRAM_PUNCTUATION.contains(&b) {
                Tag::Rfc3164InvalidProgram.add_to(msg);
                return;
            }
        }
        work.bump();
    }
    if options.check_program && !has_letter {
        Tag::Rfc3164InvalidProgram.add_to(msg);
        return;
    }
    msg.set_str("PROGRAM", work.since(start));
    if work.at(b'[') {
        let pid_start = work.pos() + 1;
        work.bump();
        work.skip_while(|b| !matches!(b, b' ' | b']' | b':'));
        if !work.is_empty() {
            msg.set_str("PID", work.since(pid_start));
        }
        work.eat(b']');
    }
    work.eat(b':');
    work.eat(b' ');
    if options.store_legacy_msghdr {
        msg.set_str("LEGACY_MSGHDR", work.since(start));
    }
    *c = work;
}
