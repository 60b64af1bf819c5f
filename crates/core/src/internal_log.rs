//! logfetch's own log ("internal messages"), written in syslog-ng's style:
//! `text; key='value', key='value'`.
//!
//! Everything in logfetch reports through `tracing` events; the layer here
//! renders them the way syslog-ng renders its internal messages and writes
//! them to stderr. Field values keep their order; the event's `message` is
//! the text before the `;`.

use std::fmt::Write as _;
use std::io::Write as _;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// How much logfetch tells about itself (`-v`, `-d`, `-t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors, warnings, notices and informational messages.
    Normal,
    /// Also verbose messages (syslog-ng's `msg_verbose`, info level).
    Verbose,
    /// Also debug messages.
    Debug,
    /// Everything.
    Trace,
}

/// The tracing target of `Logger.trace()` messages, shown only with `-t`.
pub const TRACE_TARGET: &str = "logfetch::trace";

/// The tracing target of informational messages shown without `-v`
/// (syslog-ng's `msg_info`, e.g. `Logger.info()`): INFO-level events with
/// this target have syslog severity 6, not 5.
pub const INFO_TARGET: &str = "logfetch::info";

impl Verbosity {
    fn filter(self) -> LevelFilter {
        match self {
            Verbosity::Normal => LevelFilter::INFO,
            Verbosity::Verbose => LevelFilter::DEBUG,
            Verbosity::Debug | Verbosity::Trace => LevelFilter::TRACE,
        }
    }
}

/// The syslog severity (0..7) of an event. logfetch maps syslog-ng's
/// levels onto tracing's: ERROR = error, WARN = warning, INFO = notice
/// (info with [`INFO_TARGET`]), DEBUG = verbose info (shown with `-v`),
/// TRACE = debug (shown with `-d`).
pub fn severity_of(level: &Level, target: &str) -> u8 {
    match *level {
        Level::INFO if target == INFO_TARGET => 6,
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 5,
        Level::DEBUG => 6,
        Level::TRACE => 7,
    }
}

#[derive(Default)]
struct Rendered {
    message: String,
    fields: String,
}

impl Visit for Rendered {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            if !self.fields.is_empty() {
                self.fields.push_str(", ");
            }
            push_field(&mut self.fields, field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            self.record_str(field, &format!("{value:?}"));
        }
    }
}

/// Appends `name='value'` with the value escaped as syslog-ng escapes its
/// internal messages' values: `'` becomes `\'`, and control characters
/// other than TAB become `\xHH`.
fn push_field(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str("='");
    for c in value.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\t' => out.push('\t'),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// Formats an event as syslog-ng formats an internal message.
pub fn render_event(event: &Event<'_>) -> String {
    let mut r = Rendered::default();
    event.record(&mut r);
    if r.fields.is_empty() {
        r.message
    } else {
        format!("{}; {}", r.message, r.fields)
    }
}

/// One internal message on its way to `internal()` sources.
#[derive(Debug, Clone)]
pub struct InternalEvent {
    /// Syslog severity (3 error ... 7 debug).
    pub severity: u8,
    /// The rendered text.
    pub text: String,
}

/// Internal messages waiting for an `internal()` source, and how many
/// configurations (running or being prepared) have one.
struct Capture {
    events: std::collections::VecDeque<InternalEvent>,
    users: usize,
    dropped: u64,
}

static CAPTURE: parking_lot::Mutex<Capture> = parking_lot::Mutex::new(Capture {
    events: std::collections::VecDeque::new(),
    users: 0,
    dropped: 0,
});
static CAPTURED: parking_lot::Condvar = parking_lot::Condvar::new();
/// Most internal messages kept for `internal()` before the oldest are dropped.
const CAPTURE_LIMIT: usize = 10_000;
/// `-e`: write internal messages to stderr even when an `internal()` source takes them.
static ALWAYS_STDERR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Starts keeping internal messages for an `internal()` source (call before
/// a configuration with one is initialised, so that `init()` messages reach
/// it too). While anything captures, stderr gets messages only with `-e`.
pub fn start_capture() {
    CAPTURE.lock().users += 1;
}

/// Undoes one [`start_capture`].
pub fn stop_capture() {
    let mut c = CAPTURE.lock();
    c.users = c.users.saturating_sub(1);
    if c.users == 0 {
        c.events.clear();
    }
    CAPTURED.notify_all();
}

/// Takes the captured messages, waiting up to `timeout` for one to arrive.
pub fn take_captured(timeout: std::time::Duration) -> Vec<InternalEvent> {
    let mut c = CAPTURE.lock();
    if c.events.is_empty() {
        CAPTURED.wait_for(&mut c, timeout);
    }
    c.events.drain(..).collect()
}

fn capture(event: InternalEvent) -> bool {
    let mut c = CAPTURE.lock();
    if c.users == 0 {
        return false;
    }
    if c.events.len() >= CAPTURE_LIMIT {
        c.events.pop_front();
        c.dropped += 1;
    }
    c.events.push_back(event);
    CAPTURED.notify_one();
    true
}

struct StderrLayer {
    show_trace_target: bool,
}

impl<S: Subscriber> Layer<S> for StderrLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !self.show_trace_target && event.metadata().target() == TRACE_TARGET {
            return;
        }
        let text = render_event(event);
        let metadata = event.metadata();
        let severity = severity_of(metadata.level(), metadata.target());
        let forwarded = capture(InternalEvent {
            severity,
            text: text.clone(),
        });
        if forwarded && !ALWAYS_STDERR.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let now = chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%.6f");
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "[{now}] {text}");
    }
}

/// Emits an internal message with dynamic fields (used by the Python side):
/// `severity` is syslog's (3 error, 4 warning, 5 notice, 6 info, 7 debug).
pub fn emit(severity: u8, message: &str, fields: &[(&str, &str)]) {
    let mut text = message.to_owned();
    for (i, (k, v)) in fields.iter().enumerate() {
        text.push_str(if i == 0 { "; " } else { ", " });
        push_field(&mut text, k, v);
    }
    match severity {
        0..=3 => tracing::error!("{text}"),
        4 => tracing::warn!("{text}"),
        5 => tracing::info!("{text}"),
        6 => tracing::info!(target: INFO_TARGET, "{text}"),
        _ => tracing::trace!("{text}"),
    }
}

/// Reports a Python traceback (already formatted, possibly many lines).
pub fn traceback(text: &str) {
    tracing::error!("{}", text.trim_end());
}

/// Installs the internal log as the process-wide tracing subscriber.
/// `stderr_always` (`-e`) keeps stderr output on while an `internal()`
/// source runs. Calling it again has no effect.
pub fn install(verbosity: Verbosity, stderr_always: bool) {
    ALWAYS_STDERR.store(stderr_always, std::sync::atomic::Ordering::Relaxed);
    let layer = StderrLayer {
        show_trace_target: verbosity == Verbosity::Trace,
    };
    let subscriber = tracing_subscriber::registry().with(layer.with_filter(verbosity.filter()));
    let _ = tracing::subscriber::set_global_default(subscriber);
}
