//! `network("host" port(N) transport("tcp"|"udp"|"tls"))`: syslog-ng's BSD
//! (RFC 3164 style) output.
//!
//! Without `template()` each message is `<PRI>$DATE $HOST $MSGHDR$MSG\n`,
//! byte for byte what syslog-ng 3.38 sends: one line per message on TCP,
//! one datagram (newline included) per message on UDP. With `template()`
//! the template alone is the frame (no `<PRI>`, no newline added), as in
//! syslog-ng. TLS frames as TCP. Default port 514 for TCP and UDP, 6514 for
//! TLS; default transport TCP.
//! Connection handling, retries and delivery are in [`crate::connection`].

use crate::connection::{Endpoint, Framer, NetSink, Transport};
use logfetch_core::message::LogMessage;
use logfetch_core::plan::SinkBuilder;
use logfetch_core::sink::Sink;
use logfetch_core::template::{LEGACY_FILE_FORMAT, Template, TemplateOptions};
use std::io::{self, Write};

/// `network()`'s port when none is given, for TCP and UDP alike.
pub const DEFAULT_PORT: u16 = 514;

/// The default port of `network()` for `transport` (6514 for TLS).
pub fn default_port(transport: Transport) -> u16 {
    match transport {
        Transport::Tls => crate::syslog::DEFAULT_TLS_PORT,
        Transport::Tcp | Transport::Udp => DEFAULT_PORT,
    }
}

/// Settings of one `network()` driver.
#[derive(Clone, Debug)]
pub struct NetworkConfig {
    /// Host, port, transport and connection options.
    pub endpoint: Endpoint,
    /// `template()`: replaces the whole frame.
    pub template: Option<Template>,
    /// The driver's template options (the default frame's time follows them).
    pub options: TemplateOptions,
}

impl SinkBuilder for NetworkConfig {
    fn build(&self) -> io::Result<Box<dyn Sink>> {
        let framer = BsdFramer {
            template: self.template.clone(),
            // template-escape() applies to a configured template only.
            legacy: Template::compile(LEGACY_FILE_FORMAT)
                .expect("the built-in format compiles")
                .with_options(TemplateOptions {
                    escape: false,
                    ..self.options.clone()
                }),
        };
        Ok(Box::new(NetSink::new(self.endpoint.clone(), framer)?))
    }
}

struct BsdFramer {
    template: Option<Template>,
    legacy: Template,
}

impl Framer for BsdFramer {
    fn shows_seqnum(&self) -> bool {
        self.template.as_ref().is_some_and(Template::uses_seqnum)
    }

    fn frame(&mut self, msg: &LogMessage, seq_num: u32, out: &mut Vec<u8>) {
        match &self.template {
            Some(t) => t.render_numbered(msg, seq_num, out),
            None => {
                let _ = write!(out, "<{}>", msg.pri);
                self.legacy.render_numbered(msg, seq_num, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logfetch_core::timestamp::Timestamp;

    fn message() -> LogMessage {
        let mut m = LogMessage::with_message("message 2");
        m.stamp = Timestamp {
            secs: 1709622489,
            usec: 123456,
            offset: 0,
        };
        m.set_str("HOST", "pinned-host");
        m.set_str("PROGRAM", "app");
        m.set_str("PID", "42");
        m
    }

    fn frame(template: Option<&str>, msg: &LogMessage) -> String {
        let mut f = BsdFramer {
            template: template.map(|t| Template::compile(t).unwrap()),
            legacy: Template::compile(LEGACY_FILE_FORMAT).unwrap(),
        };
        let mut out = Vec::new();
        f.frame(msg, 0, &mut out);
        String::from_utf8(out).unwrap()
    }

    /// syslog-ng 3.38's bytes for the same message.
    #[test]
    fn bsd_line_matches_syslog_ng() {
        let mut m = message();
        assert_eq!(
            frame(None, &m),
            "<13>Mar  5 07:08:09 pinned-host app[42]: message 2\n"
        );
        m.pri = 43;
        m.set_str("PROGRAM", "");
        m.set_str("HOST", "my host");
        m.set_str("MESSAGE", "multi\nline");
        assert_eq!(frame(None, &m), "<43>Mar  5 07:08:09 my host multi\nline\n");
        assert_eq!(frame(Some("T $MSG"), &m), "T multi\nline");
    }
}
