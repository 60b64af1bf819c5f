//! logfetch's destinations. Each module is one syslog-ng destination driver:
//! a config struct (what the config language fills in) that builds a
//! [`logfetch_core::sink::Sink`].

pub mod file;
pub mod stdout;

pub use file::FileConfig;
pub use stdout::StdoutConfig;
