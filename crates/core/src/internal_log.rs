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
    /// Errors, warnings and notices.
    Normal,
    /// Also informational messages.
    Verbose,
    /// Also debug messages.
    Debug,
    /// Everything.
    Trace,
}

/// The tracing target of `Logger.trace()` messages, shown only with `-t`.
pub const TRACE_TARGET: &str = "logfetch::trace";

impl Verbosity {
    fn filter(self) -> LevelFilter {
        match self {
            Verbosity::Normal => LevelFilter::INFO,
            Verbosity::Verbose => LevelFilter::DEBUG,
            Verbosity::Debug | Verbosity::Trace => LevelFilter::TRACE,
        }
    }
}

/// The syslog severity (0..7) of a tracing level. logfetch maps syslog-ng's
/// levels onto tracing's: ERROR = error, WARN = warning, INFO = notice,
/// DEBUG = info (shown with `-v`), TRACE = debug (shown with `-d`).
pub fn severity_of(level: &Level) -> u8 {
    match *level {
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
            let _ = write!(self.fields, "{}='{}'", field.name(), value);
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

/// Where internal messages go besides stderr: the running `internal()`
/// source, if there is one.
static FORWARD: parking_lot::Mutex<Option<std::sync::mpsc::SyncSender<InternalEvent>>> =
    parking_lot::Mutex::new(None);
/// `-e`: write internal messages to stderr even when an `internal()` source takes them.
static ALWAYS_STDERR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Sends internal messages to `sender` from now on (`None`: stop). While a
/// sender is set, stderr gets them only with `-e`.
pub fn forward_to(sender: Option<std::sync::mpsc::SyncSender<InternalEvent>>) {
    *FORWARD.lock() = sender;
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
        let forwarded = match FORWARD.lock().as_ref() {
            Some(sender) => {
                let severity = severity_of(event.metadata().level());
                let _ = sender.try_send(InternalEvent {
                    severity,
                    text: text.clone(),
                });
                true
            }
            None => false,
        };
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
        let _ = write!(text, "{k}='{v}'");
    }
    match severity {
        0..=3 => tracing::error!("{text}"),
        4 => tracing::warn!("{text}"),
        5 => tracing::info!("{text}"),
        6 => tracing::debug!("{text}"),
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
