//! What a source does to every message it posts, in syslog-ng's order:
//! HOST_FROM, HOST (kept, replaced or chained), the receive time as stamp,
//! PID, SOURCE, tags, host and program overrides, the default priority.
//!
//! Everything that is the same for every message of the source is built
//! once, into [`SharedValues`] the messages refer to, so posting a message
//! copies no names or values.
//!
//! A message with a peer address (`set_source_ipaddress()`) is a message
//! from that peer, as for syslog-ng's network sources: HOST_FROM is the
//! peer's name (`use-dns()`) or address, and HOST follows from it.

use crate::host::{hostname, peer_hostname};
use crate::message::{LogMessage, SharedValues};
use crate::pipeline::SourceSettings;
use crate::value::Value;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A source's per-message processing, prepared from its settings.
pub(crate) struct MessagePrep {
    /// The values and tags every message gets.
    shared: Arc<SharedValues>,
    /// The same for a message from a peer: without HOST_FROM, and without
    /// HOST unless `host-override()` sets it.
    shared_for_peers: Arc<SharedValues>,
    /// The host name HOST_FROM holds.
    host: &'static str,
    /// Peer names by address.
    peers: PeerNames,
    /// `host-override()` sets HOST, also for messages from a peer.
    host_overridden: bool,
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
    /// `chain-hostnames(yes)`: `<original or local>/<local>`; with
    /// `keep_set`, a HOST the fetcher set stays as it is.
    Chain { keep_set: bool },
}

impl MessagePrep {
    /// The processing `settings` describe.
    pub(crate) fn new(settings: &SourceSettings) -> Self {
        let host = hostname(settings.use_fqdn);
        let host_rule = if settings.host_override.is_some() {
            HostRule::Shared
        } else if settings.chain_hostnames {
            HostRule::Chain {
                keep_set: settings.keep_hostname,
            }
        } else if settings.keep_hostname {
            HostRule::KeepOrLocal
        } else {
            HostRule::Shared
        };
        let mut shared = SharedValues::default();
        if let Some(name) = &settings.host_override {
            shared.set("HOST", Value::string(name));
        }
        if settings.use_own_pid {
            shared.set("PID", Value::string(std::process::id().to_string()));
        }
        shared.set("SOURCE", Value::string(&settings.name));
        for tag in &settings.tags {
            shared.add_tag(tag);
        }
        crate::tag_order::number(&settings.source_tag);
        shared.add_tag(&settings.source_tag);
        if let Some(program) = &settings.program_override {
            shared.set("PROGRAM", Value::string(program));
        }
        let shared_for_peers = Arc::new(shared.clone());
        shared.set("HOST_FROM", Value::string(host));
        if host_rule == HostRule::Shared && settings.host_override.is_none() {
            shared.set("HOST", Value::string(host));
        }
        MessagePrep {
            shared: Arc::new(shared),
            shared_for_peers,
            host,
            peers: PeerNames::new(settings),
            host_overridden: settings.host_override.is_some(),
            host_rule,
            keep_timestamp: settings.keep_timestamp,
            default_pri: settings.default_pri,
        }
    }

    /// Applies the processing to a message `fetch()` returned.
    pub(crate) fn apply(&self, msg: &mut LogMessage) {
        let peer = self.peers.name_of(msg);
        let host_from = peer.as_deref().unwrap_or(self.host);
        match self.host_rule {
            HostRule::Shared => {
                if peer.is_some() && !self.host_overridden {
                    msg.set_str("HOST", host_from);
                }
            }
            HostRule::KeepOrLocal => {
                if !msg.has_text("HOST") {
                    msg.set_str("HOST", host_from);
                }
            }
            HostRule::Chain { keep_set: true } if msg.has_text("HOST") => {}
            HostRule::Chain { .. } => {
                let mut scratch = Vec::new();
                let original = msg.text("HOST", &mut scratch);
                let mut chained = if original.is_empty() {
                    host_from.as_bytes().to_vec()
                } else {
                    original.to_vec()
                };
                chained.push(b'/');
                chained.extend_from_slice(host_from.as_bytes());
                msg.set_str("HOST", chained);
                msg.chained_host = true;
            }
        }
        if !self.keep_timestamp {
            msg.stamp = msg.recvd;
        }
        if let Some(pri) = self.default_pri {
            msg.pri = pri;
        }
        match peer {
            Some(name) => {
                msg.set_str("HOST_FROM", &*name);
                msg.share(&self.shared_for_peers);
            }
            None => msg.share(&self.shared),
        }
    }
}

/// Peer names already looked up, kept as syslog-ng's DNS cache keeps them:
/// a name for an hour, a failed lookup for a minute, at most
/// [`PeerNames::CAPACITY`] addresses.
struct PeerNames {
    use_dns: bool,
    use_fqdn: bool,
    normalize: bool,
    known: Mutex<HashMap<IpAddr, (Arc<str>, Instant)>>,
}

impl PeerNames {
    const CAPACITY: usize = 1007;
    const KEEP_NAME: Duration = Duration::from_secs(3600);
    const KEEP_FAILED: Duration = Duration::from_secs(60);

    fn new(settings: &SourceSettings) -> Self {
        PeerNames {
            use_dns: settings.use_dns,
            use_fqdn: settings.use_fqdn,
            normalize: settings.normalize_hostnames,
            known: Mutex::new(HashMap::new()),
        }
    }

    /// The HOST_FROM of a message whose fetcher set its peer address, if it did.
    fn name_of(&self, msg: &LogMessage) -> Option<Arc<str>> {
        let Some(Value::String(text)) = msg.get("SOURCEIP") else {
            return None;
        };
        let addr: IpAddr = std::str::from_utf8(text).ok()?.parse().ok()?;
        if !self.use_dns {
            return Some(Arc::from(addr.to_string()));
        }
        let now = Instant::now();
        if let Some((name, until)) = self.known.lock().get(&addr)
            && *until > now
        {
            return Some(name.clone());
        }
        let name: Arc<str> = Arc::from(peer_hostname(addr, true, self.use_fqdn, self.normalize));
        let keep = if *name == *addr.to_string() {
            Self::KEEP_FAILED
        } else {
            Self::KEEP_NAME
        };
        let mut known = self.known.lock();
        if known.len() >= Self::CAPACITY {
            known.retain(|_, (_, until)| *until > now);
            if known.len() >= Self::CAPACITY {
                known.clear();
            }
        }
        known.insert(addr, (name.clone(), now + keep));
        Some(name)
    }
}
