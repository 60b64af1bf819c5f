//! Header parts both syslog formats share: a stray octet count, `<PRI>`,
//! and the host name.

use super::cursor::Cursor;
use super::options::ParseOptions;
use super::text::Tag;
use crate::message::LogMessage;

/// Octet counts longer than this are not taken for one (RFC 6587 framing).
const MAX_FRAME_LEN_DIGITS: usize = 10;

/// Host names are cut to this many bytes.
const MAX_HOSTNAME_LEN: usize = 255;

/// Skips an RFC 6587 octet count (`123 <13>...`) that framing should have
/// removed, stopping at the space after it.
pub(super) fn skip_framing(msg: &mut LogMessage, c: &mut Cursor) {
    let mut work = *c;
    let digits = work.skip_while(|b| b.is_ascii_digit());
    if digits == 0 || digits > MAX_FRAME_LEN_DIGITS || !work.at(b' ') {
        return;
    }
    Tag::UnexpectedFraming.add_to(msg);
    *c = work;
}

/// `<PRI>` into `msg.pri`; without one, the default PRI and a tag. False
/// when `<` is followed by anything but digits and `>` (cursor unmoved).
pub(super) fn pri(msg: &mut LogMessage, c: &mut Cursor, options: &ParseOptions) -> bool {
    if !c.at(b'<') {
        msg.pri = options.default_pri_or_user_notice();
        Tag::MissingPri.add_to(msg);
        return true;
    }
    let mut work = *c;
    work.bump();
    let mut pri = 0u32;
    while let Some(b) = work.peek().filter(|b| *b != b'>') {
        if !b.is_ascii_digit() {
            return false;
        }
        pri = pri.wrapping_mul(10).wrapping_add(u32::from(b - b'0'));
        work.bump();
    }
    // Upstream keeps PRI in 16 bits without a range check.
    msg.pri = pri as u16;
    work.eat(b'>');
    *c = work;
    true
}

/// A host name: the bytes up to a space. Anything else (a `[`, a `:` that
/// cannot be part of an IPv6 address, with `check-hostname` a character not
/// allowed in host names, or more than 255 bytes) means there is none: the
/// cursor stays and the message is tagged.
pub(super) fn hostname<'a>(
    msg: &mut LogMessage,
    c: &mut Cursor<'a>,
    check_hostname: bool,
) -> Option<&'a [u8]> {
    let mut work = *c;
    let start = work.pos();
    let mut ipv6 = Ipv6Guess::default();
    while let Some(b) = work.peek() {
        if b == b' ' || b == b'[' || work.pos() - start >= MAX_HOSTNAME_LEN {
            break;
        }
        let could_be_ipv6 = ipv6.feed(b);
        if (b == b':' && !could_be_ipv6) || (check_hostname && !is_hostname_char(b)) {
            break;
        }
        work.bump();
    }
    if work.at(b' ') {
        *c = work;
        return Some(work.since(start));
    }
    Tag::InvalidHostname.add_to(msg);
    None
}

fn is_hostname_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'@' | b'/')
}

/// Whether the bytes so far could be an IPv6 address: hex digits in at
/// most eight groups of at most four, separated by colons.
#[derive(Default)]
struct Ipv6Guess {
    colons: u8,
    digits_in_group: u8,
    failed: bool,
}

impl Ipv6Guess {
    fn feed(&mut self, b: u8) -> bool {
        if self.failed {
            return false;
        }
        if b == b':' {
            self.digits_in_group = 0;
            self.colons += 1;
            self.failed = self.colons >= 8;
        } else if b.is_ascii_hexdigit() {
            self.digits_in_group += 1;
            self.failed = self.digits_in_group > 4;
        } else {
            self.failed = true;
        }
        !self.failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(text: &str, check: bool) -> (Option<String>, usize, usize) {
        let mut msg = LogMessage::new();
        let mut c = Cursor::new(text.as_bytes());
        let found = hostname(&mut msg, &mut c, check).map(|h| String::from_utf8_lossy(h).into());
        (found, c.pos(), msg.tags().count())
    }

    #[test]
    fn host_names() {
        assert_eq!(
            host("mymachine su:", false),
            (Some("mymachine".into()), 9, 0)
        );
        assert_eq!(
            host("2001:db8::1 x", false),
            (Some("2001:db8::1".into()), 11, 0)
        );
        assert_eq!(host("su: hello", false), (None, 0, 1));
        assert_eq!(host("su[12]: hello", false), (None, 0, 1));
        assert_eq!(host("host", false), (None, 0, 1));
        assert_eq!(host("h%st x", false), (Some("h%st".into()), 4, 0));
        assert_eq!(host("h%st x", true), (None, 0, 1));
        assert_eq!(host("1:2:3:4:5:6:7:8:9 x", false), (None, 0, 1));
        let long = "a".repeat(255);
        assert_eq!(
            host(&format!("{long} x"), false),
            (Some(long.clone()), 255, 0)
        );
        assert_eq!(host(&format!("{long}a x"), false), (None, 0, 1));
    }

    fn read_pri(text: &str) -> (bool, u16, usize) {
        let mut msg = LogMessage::new();
        msg.pri = 0;
        let mut c = Cursor::new(text.as_bytes());
        let ok = pri(&mut msg, &mut c, &ParseOptions::default());
        (ok, msg.pri, c.pos())
    }

    #[test]
    fn pri_values() {
        assert_eq!(read_pri("<34>Oct"), (true, 34, 4));
        assert_eq!(read_pri("Oct"), (true, 13, 0));
        assert_eq!(read_pri("<>x"), (true, 0, 2));
        assert_eq!(read_pri("<13"), (true, 13, 3));
        assert_eq!(read_pri("<1a>x"), (false, 0, 0));
        assert_eq!(read_pri("<99999999999999>x"), (true, 16_383, 16));
    }

    #[test]
    fn octet_counts() {
        let skip = |text: &str| {
            let mut msg = LogMessage::new();
            let mut c = Cursor::new(text.as_bytes());
            skip_framing(&mut msg, &mut c);
            (c.pos(), msg.tags().count())
        };
        assert_eq!(skip("123 <13>1 x"), (3, 1));
        assert_eq!(skip("123<13>"), (0, 0));
        assert_eq!(skip("12345678901 x"), (0, 0));
        assert_eq!(skip("<13>"), (0, 0));
    }
}
