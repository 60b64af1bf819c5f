//! syslog-ng filter expressions, evaluated per message on the way to the
//! destinations of a log path.

use crate::message::LogMessage;
use crate::template::Template;
use regex::bytes::Regex;
use std::cmp::Ordering;
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
    /// `netmask()` / `netmask6()`: the message's peer address is in the
    /// network (a message without one comes from the loopback address,
    /// 127.0.0.1 or ::1, as in syslog-ng).
    Netmask(Network),
    /// `in-list("file" value("NAME"))`: the value is one of the file's lines.
    InList {
        /// The name-value pair to test.
        name: String,
        /// The file's lines.
        items: Arc<std::collections::HashSet<Vec<u8>>>,
    },
    /// `source("name")`: the message came from that source.
    Source(String),
    /// `"$TEMPLATE" OP "text"`: two rendered templates compared.
    Compare {
        /// The left side.
        left: Template,
        /// The operator.
        op: Comparison,
        /// As numbers or as text.
        kind: CompareAs,
        /// The right side.
        right: Template,
    },
}

/// An IP network: an address and how many leading bits of it count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    /// The network's address.
    pub addr: std::net::IpAddr,
    /// The prefix length.
    pub prefix: u8,
}

impl Network {
    /// Whether `addr` is in the network (never across IP versions).
    pub fn contains(&self, addr: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let (net, addr, bits) = match (self.addr, addr) {
            (IpAddr::V4(n), IpAddr::V4(a)) => (u32::from(n) as u128, u32::from(a) as u128, 32),
            (IpAddr::V6(n), IpAddr::V6(a)) => (u128::from(n), u128::from(a), 128),
            _ => return false,
        };
        let prefix = u32::from(self.prefix).min(bits);
        if prefix == 0 {
            return true;
        }
        let shift = bits - prefix;
        (net >> shift) == (addr >> shift)
    }
}

/// The peer address of `msg` as `network` sees it: a message without one
/// comes from the loopback address of the network's IP version.
fn peer_address(msg: &LogMessage, network: &Network) -> std::net::IpAddr {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let mut scratch = Vec::new();
    let given = std::str::from_utf8(msg.text("SOURCEIP", &mut scratch))
        .ok()
        .and_then(|t| t.parse().ok());
    given.unwrap_or(match network.addr {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
    })
}

/// A comparison operator of a filter expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `==` / `eq`.
    Equal,
    /// `!=` / `ne`.
    NotEqual,
    /// `<` / `lt`.
    Less,
    /// `<=` / `le`.
    LessOrEqual,
    /// `>` / `gt`.
    Greater,
    /// `>=` / `ge`.
    GreaterOrEqual,
}

/// How the two sides are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareAs {
    /// `==` `!=` `<` `<=` `>` `>=`: as numbers, read the way C's `atoi()`
    /// reads them (syslog-ng 3.x): leading digits, anything else 0.
    Numbers,
    /// `eq` `ne` `lt` `le` `gt` `ge`: byte by byte.
    Text,
}

impl Comparison {
    /// The operator written as `op`, and how it compares.
    pub fn parse(op: &str) -> Option<(Comparison, CompareAs)> {
        use Comparison::*;
        Some(match op {
            "==" => (Equal, CompareAs::Numbers),
            "!=" => (NotEqual, CompareAs::Numbers),
            "<" => (Less, CompareAs::Numbers),
            "<=" => (LessOrEqual, CompareAs::Numbers),
            ">" => (Greater, CompareAs::Numbers),
            ">=" => (GreaterOrEqual, CompareAs::Numbers),
            "eq" => (Equal, CompareAs::Text),
            "ne" => (NotEqual, CompareAs::Text),
            "lt" => (Less, CompareAs::Text),
            "le" => (LessOrEqual, CompareAs::Text),
            "gt" => (Greater, CompareAs::Text),
            "ge" => (GreaterOrEqual, CompareAs::Text),
            _ => return None,
        })
    }

    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Comparison::Equal => ordering == Ordering::Equal,
            Comparison::NotEqual => ordering != Ordering::Equal,
            Comparison::Less => ordering == Ordering::Less,
            Comparison::LessOrEqual => ordering != Ordering::Greater,
            Comparison::Greater => ordering == Ordering::Greater,
            Comparison::GreaterOrEqual => ordering != Ordering::Less,
        }
    }
}

/// C's `atoi()`: blanks, a sign, digits; the `long` result cut to an `int`.
fn atoi(text: &[u8]) -> i32 {
    let text = text
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .map_or(&[][..], |start| &text[start..]);
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let mut value: i64 = 0;
    for d in digits.iter().take_while(|b| b.is_ascii_digit()) {
        value = value.saturating_mul(10).saturating_add(i64::from(d - b'0'));
    }
    (if negative {
        value.saturating_neg()
    } else {
        value
    }) as i32
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
            Filter::Netmask(network) => network.contains(peer_address(msg, network)),
            Filter::InList { name, items } => {
                let mut scratch = Vec::new();
                items.contains(msg.text(name, &mut scratch))
            }
            Filter::Source(name) => {
                let mut scratch = Vec::new();
                msg.text("SOURCE", &mut scratch) == name.as_bytes()
            }
            Filter::Compare {
                left,
                op,
                kind,
                right,
            } => {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                left.render(msg, &mut a);
                right.render(msg, &mut b);
                let ordering = match kind {
                    CompareAs::Numbers => atoi(&a).cmp(&atoi(&b)),
                    CompareAs::Text => a.cmp(&b),
                };
                op.holds(ordering)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_hold_the_addresses_their_prefix_covers() {
        let net = |text: &str, prefix| Network {
            addr: text.parse().unwrap(),
            prefix,
        };
        let ip = |text: &str| text.parse::<std::net::IpAddr>().unwrap();
        assert!(net("10.0.0.0", 8).contains(ip("10.200.1.2")));
        assert!(!net("10.0.0.0", 8).contains(ip("11.0.0.1")));
        assert!(net("192.0.2.10", 32).contains(ip("192.0.2.10")));
        assert!(net("0.0.0.0", 0).contains(ip("203.0.113.9")));
        assert!(net("2001:db8::", 32).contains(ip("2001:db8:1::5")));
        assert!(!net("2001:db8::", 32).contains(ip("2001:db9::5")));
        assert!(
            !net("0.0.0.0", 0).contains(ip("::1")),
            "never across IP versions"
        );
    }

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
