//! logfetch's core: everything that does not depend on a Python interpreter.
//!
//! - [`message`], [`value`], [`timestamp`]: the typed message model.
//! - [`lifecycle`]: the traits a Python backend implements.
//! - [`driver`]: python-fetcher scheduling on a worker thread.
//! - [`pipeline`]: batches, flow control, destination queues, stop;
//!   [`return_bin`] brings delivered messages back to be freed; `source_prep`
//!   is what a source does to each message it posts.
//! - [`template`]: syslog-ng templates and macros; [`seqnum`]: `$SEQNUM`.
//! - [`syslog_parse`]: `LogMessage.parse()`, syslog-ng's RFC 5424 / RFC 3164 parser.
//! - [`internal_log`]: logfetch's own messages in syslog-ng's style.
//! - [`python_sources`]: the Python files both backends load.
//! - [`native_api`]: the interpreter-independent half of `_syslogng`.

pub mod ack;
mod cache_hint;
pub mod driver;
mod escape;
pub mod filter;
pub mod host;
pub mod internal_log;
pub mod lifecycle;
pub mod message;
pub mod modify;
pub mod native_api;
pub mod options;
pub mod persist;
pub mod pipeline;
pub mod plan;
pub mod pri;
pub mod python_sources;
pub mod return_bin;
pub mod seqnum;
pub mod sink;
mod source_prep;
pub mod syslog_parse;
pub mod tag_order;
pub mod template;
pub mod timestamp;
pub mod value;

pub use lifecycle::{
    Backend, FetchOutcome, Fetcher, FetcherCalls, FetcherSpec, InitError, Program, ProgramSpec,
};
pub use message::LogMessage;
pub use value::Value;
