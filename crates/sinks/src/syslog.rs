//! `syslog("host" port(N) transport("tcp"|"udp"|"tls"))`: RFC 5424 output, as
//! syslog-ng 3.38 writes it.
//!
//! Each message is `<PRI>1 ISODATE HOST PROGRAM PID MSGID SDATA MSG\n`:
//! the time stamp without fractions (`frac-digits(0)`) in the message's own
//! UTC offset; HOST, PROGRAM, PID and MSGID cut at their first space and
//! `-` when empty; SDATA from the `.SDATA.*` values or `-`; then a space and
//! MESSAGE (the space is there even when MESSAGE is empty), then a newline.
//! `template()` replaces only the MSG part (the header and the final
//! newline stay), as in syslog-ng. On TCP every record is octet-counted
//! (RFC 6587: `LEN SP RECORD`, the newline counted); on UDP each record is
//! one datagram; over TLS as on TCP. Default port 601 for TCP, 514 for UDP,
//! 6514 for TLS; default transport TCP.
//! Connection handling, retries and delivery are in [`crate::connection`].

use crate::connection::{Endpoint, Framer, NetSink, Transport};
use logfetch_core::message::LogMessage;
use logfetch_core::plan::SinkBuilder;
use logfetch_core::sink::Sink;
use logfetch_core::template::{Template, TemplateOptions, write_sdata_numbered};
use std::io::{self, Write};

/// `syslog()`'s default port for TCP (RFC 6587 / IANA syslog-conn).
pub const DEFAULT_TCP_PORT: u16 = 601;
/// `syslog()`'s default port for UDP.
pub const DEFAULT_UDP_PORT: u16 = 514;
/// The default port of `syslog()` and `network()` over TLS (RFC 5425).
pub const DEFAULT_TLS_PORT: u16 = 6514;

/// The default port of `syslog()` for `transport`.
pub fn default_port(transport: Transport) -> u16 {
    match transport {
        Transport::Tcp => DEFAULT_TCP_PORT,
        Transport::Udp => DEFAULT_UDP_PORT,
        Transport::Tls => DEFAULT_TLS_PORT,
    }
}

/// Settings of one `syslog()` driver.
#[derive(Clone, Debug)]
pub struct SyslogConfig {
    /// Host, port, transport and connection options.
    pub endpoint: Endpoint,
    /// `template()`: replaces the MSG part.
    pub template: Option<Template>,
    /// The driver's template options (the header's time follows them).
    pub options: TemplateOptions,
}

impl SinkBuilder for SyslogConfig {
    fn build(&self) -> io::Result<Box<dyn Sink>> {
        let framer = Rfc5424Framer::new(
            self.template.clone(),
            &self.options,
            // Streams are octet-counted (RFC 6587 on TCP, RFC 5425 on TLS).
            self.endpoint.transport != Transport::Udp,
        );
        Ok(Box::new(NetSink::new(self.endpoint.clone(), framer)?))
    }
}

struct Rfc5424Framer {
    template: Option<Template>,
    isodate: Template,
    octet_counting: bool,
    record: Vec<u8>,
    scratch: Vec<u8>,
}

impl Rfc5424Framer {
    fn new(template: Option<Template>, options: &TemplateOptions, octet_counting: bool) -> Self {
        // The header's time is ISO whatever ts-format() says, and nothing
        // in the header is escaped.
        let header_options = TemplateOptions {
            escape: false,
            ..options.clone()
        };
        Rfc5424Framer {
            template,
            isodate: Template::compile("${ISODATE}")
                .expect("a valid template")
                .with_options(header_options),
            octet_counting,
            record: Vec::with_capacity(512),
            scratch: Vec::new(),
        }
    }

    /// A header field: up to the first space, `-` when empty.
    fn field(&mut self, msg: &LogMessage, name: &str) {
        let text = msg.text(name, &mut self.scratch);
        let text = text.split(|b| *b == b' ').next().unwrap_or_default();
        if text.is_empty() {
            self.record.push(b'-');
        } else {
            self.record.extend_from_slice(text);
        }
        self.record.push(b' ');
    }

    fn record(&mut self, msg: &LogMessage, seq_num: u32) {
        self.record.clear();
        let _ = write!(self.record, "<{}>1 ", msg.pri);
        self.isodate.render(msg, &mut self.record);
        self.record.push(b' ');
        for name in ["HOST", "PROGRAM", "PID", "MSGID"] {
            self.field(msg, name);
        }
        let before = self.record.len();
        write_sdata_numbered(msg, seq_num, &mut self.record);
        if self.record.len() == before {
            self.record.push(b'-');
        }
        self.record.push(b' ');
        match &self.template {
            Some(t) => t.render_numbered(msg, seq_num, &mut self.record),
            None => {
                let text = msg.text("MESSAGE", &mut self.scratch);
                self.record.extend_from_slice(text);
            }
        }
        self.record.push(b'\n');
    }
}

impl Framer for Rfc5424Framer {
    fn shows_seqnum(&self) -> bool {
        self.template.as_ref().is_some_and(Template::uses_seqnum)
    }

    fn frame(&mut self, msg: &LogMessage, seq_num: u32, out: &mut Vec<u8>) {
        self.record(msg, seq_num);
        if self.octet_counting {
            let _ = write!(out, "{} ", self.record.len());
        }
        out.extend_from_slice(&self.record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logfetch_core::timestamp::Timestamp;

    fn message(text: &str, pri: u16, fields: &[(&str, &str)]) -> LogMessage {
        let mut m = LogMessage::with_message(text);
        m.pri = pri;
        m.stamp = Timestamp {
            secs: 1709622489,
            usec: 123456,
            offset: 0,
        };
        for (k, v) in fields {
            m.set_str(k, *v);
        }
        m
    }

    fn frame(template: Option<&str>, tcp: bool, msg: &LogMessage) -> String {
        frame_numbered(template, tcp, msg, 0)
    }

    fn frame_numbered(template: Option<&str>, tcp: bool, msg: &LogMessage, seq: u32) -> String {
        let options = TemplateOptions::default();
        let mut f = Rfc5424Framer::new(
            template.map(|t| Template::compile(t).unwrap()),
            &options,
            tcp,
        );
        let mut out = Vec::new();
        f.frame(msg, seq, &mut out);
        String::from_utf8(out).unwrap()
    }

    /// As syslog-ng 3.38 writes its own messages with flags(syslog-protocol).
    #[test]
    fn local_messages_carry_their_sequence_id() {
        let mut local = message(
            "starting up",
            45,
            &[("HOST", "vm"), ("PROGRAM", "logfetch")],
        );
        local.local = true;
        assert_eq!(
            frame_numbered(None, false, &local, 3),
            "<45>1 2024-03-05T07:08:09+00:00 vm logfetch - - [meta sequenceId=\"3\"] starting up\n"
        );
        let fetched = message(
            "fetched",
            13,
            &[("HOST", "vm"), (".SDATA.meta.sequenceId", "77")],
        );
        assert_eq!(
            frame_numbered(Some("$SEQNUM $MSG"), false, &fetched, 77),
            "<13>1 2024-03-05T07:08:09+00:00 vm - - - [meta sequenceId=\"77\"] 77 fetched\n"
        );
    }

    /// Expected bytes are syslog-ng 3.38's for the same messages.
    #[test]
    fn records_match_syslog_ng() {
        let plain = message("plain", 11, &[("HOST", "h"), ("PROGRAM", "app")]);
        assert_eq!(
            frame(None, true, &plain),
            "50 <11>1 2024-03-05T07:08:09+00:00 h app - - - plain\n"
        );
        assert_eq!(
            frame(None, false, &plain),
            "<11>1 2024-03-05T07:08:09+00:00 h app - - - plain\n"
        );
        assert_eq!(
            frame(Some("T $MSG\n"), true, &plain),
            "53 <11>1 2024-03-05T07:08:09+00:00 h app - - - T plain\n\n"
        );
        let sd = message(
            "sd",
            19,
            &[
                ("HOST", "h"),
                ("PROGRAM", "app"),
                (".SDATA.meta.a", "1"),
                (".SDATA.ex@123.b", "q\"u]o\\te"),
                (".SDATA.meta.c", "3"),
                (".SDATA.zz.k", ""),
            ],
        );
        assert_eq!(
            frame(None, true, &sd),
            "97 <19>1 2024-03-05T07:08:09+00:00 h app - - [zz k=\"\"][ex@123 b=\"q\\\"u\\]o\\\\te\"][meta a=\"1\" c=\"3\"] sd\n"
        );
        let spaces = message(
            "spaces",
            27,
            &[
                ("HOST", "my host"),
                ("PROGRAM", "my prog"),
                ("PID", "1 2"),
                ("MSGID", "m id"),
            ],
        );
        assert_eq!(
            frame(None, true, &spaces),
            "51 <27>1 2024-03-05T07:08:09+00:00 my my 1 m - spaces\n"
        );
        let empty = message("", 35, &[("HOST", "h"), ("PROGRAM", "app")]);
        assert_eq!(
            frame(None, true, &empty),
            "45 <35>1 2024-03-05T07:08:09+00:00 h app - - - \n"
        );
        let multi = message("multi\nline", 43, &[("HOST", "h"), ("PROGRAM", "")]);
        assert_eq!(
            frame(None, true, &multi),
            "53 <43>1 2024-03-05T07:08:09+00:00 h - - - - multi\nline\n"
        );
    }
}
