//! What a source does to every message it posts, in syslog-ng's order:
//! HOST_FROM, HOST (kept, replaced or chained), the receive time as stamp,
//! PID, SOURCE, tags, host and program overrides, the default priority.
//!
//! Everything that is the same for every message of the source is built
//! once, into [`SharedValues`] the messages refer to, so posting a message
//! copies no names or values.

use crate::host::hostname;
use crate::message::{LogMessage, SharedValues};
use crate::pipeline::SourceSettings;
use crate::value::Value;
use std::sync::Arc;

/// A source's per-message processing, prepared from its settings.
pub(crate) struct MessagePrep {
    /// The values and tags every message gets.
    shared: Arc<SharedValues>,
    /// The host name HOST_FROM holds.
    host: &'static str,
    /// HOST depends on the message: what to do with it.
    host_rule: HostRule,
    keep_timestamp: bool,
    default_pri: Option<u16>,
}

/// How a message's HOST is decided when it is not the same for all.
#[derive(Clone, Copy, PartialEq)]
enum HostRule {
    /// HOST is shared (the local host name, or `host-override()`).
    Shared,
    /// `keep-hostname(yes)`: keep the fetcher's HOST, else the local name.
    KeepOrLocal,
    /// `chain-hostnames(yes)`: `<original or local>/<local>`.
    Chain,
}

impl MessagePrep {
    /// The processing `settings` describe.
    pub(crate) fn new(settings: &SourceSettings) -> Self {
        let host = hostname(settings.use_fqdn);
        let host_rule = if settings.host_override.is_some() {
            HostRule::Shared
        } else if settings.chain_hostnames {
            HostRule::Chain
        } else if settings.keep_hostname {
            HostRule::KeepOrLocal
        } else {
            HostRule::Shared
        };
        let mut shared = SharedValues::default();
        shared.set("HOST_FROM", Value::string(host));
        if host_rule == HostRule::Shared {
            let name = settings.host_override.as_deref().unwrap_or(host);
            shared.set("HOST", Value::string(name));
        }
        if settings.use_own_pid {
            shared.set("PID", Value::string(std::process::id().to_string()));
        }
        shared.set("SOURCE", Value::string(&settings.name));
        for tag in &settings.tags {
            shared.add_tag(tag);
        }
        shared.add_tag(&settings.source_tag);
        if let Some(program) = &settings.program_override {
            shared.set("PROGRAM", Value::string(program));
        }
        MessagePrep {
            shared: Arc::new(shared),
            host,
            host_rule,
            keep_timestamp: settings.keep_timestamp,
            default_pri: settings.default_pri,
        }
    }

    /// Applies the processing to a message `fetch()` returned.
    pub(crate) fn apply(&self, msg: &mut LogMessage) {
        match self.host_rule {
            HostRule::Shared => {}
            HostRule::KeepOrLocal => {
                if !msg.has_text("HOST") {
                    msg.set_str("HOST", self.host);
                }
            }
            HostRule::Chain => {
                let mut scratch = Vec::new();
                let original = msg.text("HOST", &mut scratch);
                let mut chained = if original.is_empty() {
                    self.host.as_bytes().to_vec()
                } else {
                    original.to_vec()
                };
                chained.push(b'/');
                chained.extend_from_slice(self.host.as_bytes());
                msg.set_str("HOST", chained);
            }
        }
        if !self.keep_timestamp {
            msg.stamp = msg.recvd;
        }
        if let Some(pri) = self.default_pri {
            msg.pri = pri;
        }
        msg.share(&self.shared);
    }
}
