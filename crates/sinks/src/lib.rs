//! logfetch's destinations. Each module is one syslog-ng destination driver:
//! a config struct (what the config language fills in) that builds a
//! [`logfetch_core::sink::Sink`]. `network()` and `syslog()` share
//! [`connection`], which owns the socket, the reconnect timer and the
//! exactly-once bookkeeping across the pipeline's retries.

pub mod connection;
pub mod file;
pub mod file_perms;
pub mod network;
mod rerun;
pub mod stdout;
pub mod syslog;
pub mod tls;

pub use connection::{Endpoint, IpProtocol, Transport};
pub use file::FileConfig;
pub use network::NetworkConfig;
pub use stdout::StdoutConfig;
pub use syslog::SyslogConfig;
pub use tls::{PeerVerify, TlsOptions};
