//! The contract between logfetch's core and a Python backend.
//!
//! The core never touches an interpreter. A [`Backend`] loads a configuration's
//! `python {}` code into a [`Program`] (the `_syslogng_main` module plus
//! `sys.path`); the program resolves `class("mod.Class")` and creates
//! [`Fetcher`]s, running everything upstream does on the main thread before a
//! source starts (`__init__`, persist name, `flags`, `init(options)`).
//!
//! Threads follow syslog-ng: `init`, `request_exit` and `deinit` run on the
//! main thread; `open`, `fetch` and `close` run on one worker thread per source.
//! The worker enters the interpreter once for its whole life:
//! [`Fetcher::run_worker`] calls the core's driver loop with a
//! [`FetcherCalls`] that invokes Python directly, and the driver hands the
//! interpreter back only while it waits ([`FetcherCalls::release_while`]).
//! That keeps per-message cost to the Python call itself.

use crate::ack::{AckMode, BookmarkSink};
use crate::message::LogMessage;
use crate::options::Options;
use crate::pipeline::SourceLink;
use crate::syslog_parse::ParseOptions;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// One `python {}` block of a configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct PythonCode {
    /// The block's text, verbatim.
    pub text: String,
    /// The file name Python reports in tracebacks:
    /// `<config file>{python-global-code:<line>}`.
    pub filename: String,
    /// `file:line:col` of the block's `python` keyword, named when the
    /// block fails to compile or run (a configuration error).
    pub location: String,
}

/// What a backend needs to load one configuration's Python side.
#[derive(Clone, Debug, Default)]
pub struct ProgramSpec {
    /// `python {}` blocks, executed in order into one fresh `_syslogng_main`.
    pub code: Vec<PythonCode>,
    /// Directories put first on `sys.path` (the configuration's directory
    /// and module directories), followed by `PYTHONPATH` and the
    /// interpreter's own paths.
    pub sys_path: Vec<PathBuf>,
}

/// What a backend needs to create one `python-fetcher()` source.
#[derive(Clone)]
pub struct FetcherSpec {
    /// `<source name>#<index>`, as syslog-ng names drivers in its messages.
    pub driver_id: String,
    /// `class()`: `Name` (the `python {}` block) or `pkg.mod.Name`.
    pub class_path: String,
    /// `python-fetcher()` or server-style `python()`.
    pub kind: DriverKind,
    /// `options()`, passed to `init()` and `generate_persist_name()`.
    pub options: Options,
    /// `persist-name()`, if configured.
    pub persist_name: Option<String>,
    /// `loaders()`: modules imported before the class is resolved.
    pub loaders: Vec<String>,
    /// `self.flags`: every parse flag with its value.
    pub flags: Vec<(String, bool)>,
    /// What `self.parse_options` stands for: how `LogMessage.parse()`
    /// reads a raw line for this source.
    pub parse_options: Arc<ParseOptions>,
    /// The source's link to the pipeline (for `close_batch()`).
    pub link: Arc<SourceLink>,
}

/// Which kind of Python source driver a class runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DriverKind {
    /// `python-fetcher()`: the core calls `fetch()` in a loop.
    #[default]
    Fetcher,
    /// Server-style `python()`: the core calls `run()` once; it posts with
    /// `self.post_message()` until `request_exit()` makes it return.
    Server,
}

impl DriverKind {
    /// The driver's name in upstream's messages and persist names.
    pub fn driver_name(self) -> &'static str {
        match self {
            DriverKind::Fetcher => "python-fetcher",
            DriverKind::Server => "python-source",
        }
    }
}

/// A source or configuration could not be initialised. The message uses
/// upstream's wording; details were already reported to the internal log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InitError(pub String);

/// An embedded Python interpreter that can run syslog-ng Python sources.
pub trait Backend: Send + Sync {
    /// `cpython` or `rustpython`.
    fn name(&self) -> &'static str;
    /// Loads a configuration's Python code into a fresh `_syslogng_main`.
    fn load_program(&self, spec: &ProgramSpec) -> Result<Box<dyn Program>, InitError>;
    /// Writes out what Python code printed and left buffered in
    /// `sys.stdout`/`sys.stderr` (call before exiting).
    fn flush_stdio(&self);
}

/// One configuration's loaded Python code.
pub trait Program: Send + Sync {
    /// Resolves the class, instantiates it, checks it, sets `persist_name`
    /// and `flags`, and calls `init(options)` — on the calling (main) thread.
    fn create_fetcher(&self, spec: FetcherSpec) -> Result<Box<dyn Fetcher>, InitError>;
}

/// What every backend's fetcher knows besides its Python objects.
#[derive(Debug)]
pub struct FetcherInfo {
    /// `<source>#<index>`.
    pub driver_id: String,
    /// `python-fetcher()` or server-style `python()`.
    pub kind: DriverKind,
    /// `class()` as configured.
    pub class_path: String,
    /// The persist name (`python-fetcher(...)` or `python-fetcher.<name>`).
    pub persist_name: String,
    /// Whether `self.auto_close_batches` was left true by `init()`.
    pub auto_close_batches: bool,
    /// The transport name that `set_transport_name()` sets.
    pub transport: Arc<TransportName>,
    /// The kind of `self.ack_tracker` `init()` set up, if any.
    pub ack: Option<AckMode>,
}

/// An initialised fetcher object.
pub trait Fetcher: Send + Sync {
    /// Names, settings and state shared by both backends.
    fn info(&self) -> &FetcherInfo;
    /// Where the ack tracker's reports go (the backend calls the Python callback).
    fn bookmark_sink(&self) -> Option<Arc<dyn BookmarkSink>> {
        None
    }
    /// The persist name.
    fn persist_name(&self) -> &str {
        &self.info().persist_name
    }
    /// Whether `self.auto_close_batches` was left true by `init()`.
    fn auto_close_batches(&self) -> bool {
        self.info().auto_close_batches
    }
    /// The transport name that `set_transport_name()` sets.
    fn transport(&self) -> Arc<TransportName> {
        self.info().transport.clone()
    }
    /// The `self.ack_tracker` `init()` set up, and where its reports go.
    fn ack_tracker(&self) -> Option<(AckMode, Arc<dyn BookmarkSink>)> {
        Some((self.info().ack?, self.bookmark_sink()?))
    }
    /// Runs `body` on the calling (worker) thread with the interpreter entered.
    fn run_worker(&self, body: &mut dyn FnMut(&mut dyn FetcherCalls));
    /// Calls `request_exit()`; runs on the main thread while `fetch()` may block.
    fn request_exit(&self);
    /// Calls `deinit()` on the main thread.
    fn deinit(&self);
}

/// The worker-thread side of a fetcher, valid inside [`Fetcher::run_worker`].
pub trait FetcherCalls {
    /// Calls `open()`; false when it returned a falsy value or raised.
    fn open(&mut self) -> bool;
    /// Calls `fetch()` and classifies what it returned.
    fn fetch(&mut self) -> FetchOutcome;
    /// Calls `close()`.
    fn close(&mut self);
    /// Calls a server-style source's `run()` (it returns when the source is
    /// done or `request_exit()` made it stop); exceptions are reported.
    fn run(&mut self);
    /// Runs `wait` with the interpreter released so other threads can use it.
    fn release_while(&mut self, wait: &mut (dyn FnMut() + Send));
}

/// What one `fetch()` call came to.
#[derive(Debug)]
pub enum FetchOutcome {
    /// `(FETCH_SUCCESS, msg)`.
    Success(LogMessage),
    /// `FETCH_ERROR`, or an invalid return, or an exception (already logged).
    Error,
    /// `FETCH_NOT_CONNECTED`.
    NotConnected,
    /// `FETCH_TRY_AGAIN`.
    TryAgain,
    /// `FETCH_NO_DATA`.
    NoData,
}

/// The shape of a `fetch()` return value, as a backend sees it; the core
/// applies upstream's validation rules to it ([`RawFetchReturn::classify`]).
#[derive(Debug)]
pub enum RawFetchReturn {
    /// `fetch()` raised (the backend logged the exception).
    Raised,
    /// Not a tuple (a bare int, a list, None, ...).
    NotATuple,
    /// A tuple (or tuple subclass).
    Tuple {
        /// Its length.
        len: usize,
        /// The first item, when it is an `int` (bool and IntEnum included) that fits i64.
        code: Option<i64>,
        /// The second item, when it is a `LogMessage` (or subclass).
        message: Option<LogMessage>,
        /// Whether that message carries bookmark data.
        has_bookmark: bool,
    },
}

/// Result codes of `fetch()`.
pub mod codes {
    /// `FETCH_ERROR`
    pub const ERROR: i64 = 0;
    /// `FETCH_NOT_CONNECTED`
    pub const NOT_CONNECTED: i64 = 1;
    /// `FETCH_SUCCESS`
    pub const SUCCESS: i64 = 2;
    /// `FETCH_TRY_AGAIN`
    pub const TRY_AGAIN: i64 = 3;
    /// `FETCH_NO_DATA`
    pub const NO_DATA: i64 = 4;
}

impl RawFetchReturn {
    /// Applies upstream's rules: a tuple of length 1 or 2 whose first item is
    /// a code 0..=4; SUCCESS needs a LogMessage second. Anything else is logged
    /// as "fetch() must return a tuple (FetchResult, LogMessage)" and counts as
    /// an error.
    pub fn classify(self, driver_id: &str, class: &str) -> FetchOutcome {
        self.classify_tracked(driver_id, class, false)
    }

    /// [`Self::classify`] for a source that may have an ack tracker: a
    /// bookmarked message is only an error without one.
    pub fn classify_tracked(self, driver_id: &str, class: &str, has_tracker: bool) -> FetchOutcome {
        let invalid = || {
            tracing::error!(
                driver = driver_id,
                class = class,
                "python-fetcher: Error in Python fetcher, fetch() must return a tuple (FetchResult, LogMessage)"
            );
            FetchOutcome::Error
        };
        match self {
            RawFetchReturn::Raised => invalid(),
            RawFetchReturn::NotATuple => invalid(),
            RawFetchReturn::Tuple {
                len,
                code,
                message,
                has_bookmark,
            } => {
                if len == 0 || len > 2 {
                    return invalid();
                }
                match code {
                    Some(codes::ERROR) => FetchOutcome::Error,
                    Some(codes::NOT_CONNECTED) => FetchOutcome::NotConnected,
                    Some(codes::TRY_AGAIN) => FetchOutcome::TryAgain,
                    Some(codes::NO_DATA) => FetchOutcome::NoData,
                    Some(codes::SUCCESS) => match message {
                        Some(_) if has_bookmark && !has_tracker => {
                            tracing::error!(
                                driver = driver_id,
                                class = class,
                                "python-fetcher: Error in Python fetcher, bookmarks can not be used without creating an AckTracker instance (self.ack_tracker)"
                            );
                            FetchOutcome::Error
                        }
                        Some(m) => FetchOutcome::Success(m),
                        None => invalid(),
                    },
                    _ => invalid(),
                }
            }
        }
    }
}

/// The `$TRANSPORT` a fetcher sets with `set_transport_name()`; cheap to
/// poll per message (one atomic load unless it changed).
#[derive(Debug, Default)]
pub struct TransportName {
    generation: AtomicU64,
    value: parking_lot::Mutex<Option<Arc<str>>>,
}

impl TransportName {
    /// Sets the name used for messages posted from now on.
    pub fn set(&self, name: &str) {
        *self.value.lock() = Some(Arc::from(name));
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// Refreshes `cache` (generation, value) if the name changed; returns the value.
    pub fn current<'a>(&self, cache: &'a mut (u64, Option<Arc<str>>)) -> &'a Option<Arc<str>> {
        let generation = self.generation.load(Ordering::Acquire);
        if generation != cache.0 {
            *cache = (generation, self.value.lock().clone());
        }
        &cache.1
    }
}
