//! `logfetch bench`: runs a fetcher workload on every compiled-in backend
//! (and, to compare, under syslog-ng and in a plain Python loop) and
//! measures what an operator cares about — messages per second in steady
//! state, CPU seconds, peak RSS, time from start to the first message.
//!
//! Why it looks the way it does:
//!
//! - **One process per row.** Peak RSS and CPU time are per process, and
//!   an interpreter cannot be unloaded, so each row (and each run of a row)
//!   re-executes the logfetch binary with a hidden `--child` flag
//!   ([`child`]); the parent ([`runner`]) reads the child's resource usage
//!   with `wait4()`.
//! - **The real pipeline.** The child loads a generated configuration with
//!   the ordinary config loader and runs it with `prepare()` and the
//!   runtime; only the destination is wrapped, by a sink that counts and
//!   timestamps deliveries ([`counting`]).
//! - **The same workload as syslog-ng.** The fetcher files in
//!   `benches/workloads/` are the shared ones, byte for byte, compiled in
//!   ([`workload`]); [`pipeline`] writes the one pipeline as a logfetch and
//!   as a syslog-ng configuration.
//! - **Interpreter-free.** This crate knows no backend: the command line
//!   hands it a resolver from backend name to [`logfetch_core::Backend`].
//!
//! The `criterion` benches of the root package (`benches/`) reuse
//! [`pipeline`], [`counting`] and [`workload`].

pub mod child;
pub mod clock;
pub mod counting;
pub mod pipeline;
pub mod report;
pub mod runner;
pub mod workload;

pub use child::{CHILD_FLAG, run_child};
pub use report::{Report, Row, RowKind, Sample};
pub use runner::{BenchError, Progress, Request, SinkKind, run};
pub use workload::{Builtin, Workload};
