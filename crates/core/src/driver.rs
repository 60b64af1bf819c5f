//! The fetcher driver: syslog-ng's python-fetcher scheduling on one worker thread.
//!
//! ```text
//! open() ─ok─▶ fetch() ─SUCCESS──────▶ post, fetch again (wait while the window is full)
//!   │            ├─TRY_AGAIN────────▶ fetch again at once
//!   │            ├─NO_DATA──────────▶ fetch again after fetch-no-data-delay
//!   │            ├─NOT_CONNECTED────▶ open() again after time-reopen (no close())
//!   │            └─ERROR/invalid────▶ close(), open() again after time-reopen
//!   └─false────▶ open() again after time-reopen
//! exit requested ─▶ close batch, close() (exactly once)
//! ```

use crate::lifecycle::{FetchOutcome, FetcherCalls, TransportName};
use crate::pipeline::SourceLink;
use std::time::Duration;

/// The delays a fetcher source waits between attempts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FetchTiming {
    /// Delay before `open()` is retried (`time-reopen()`, default 1 s).
    pub time_reopen: Duration,
    /// Delay after `FETCH_NO_DATA` (`fetch-no-data-delay()`, default `time-reopen`).
    pub no_data_delay: Duration,
}

impl Default for FetchTiming {
    fn default() -> Self {
        FetchTiming {
            time_reopen: Duration::from_secs(1),
            no_data_delay: Duration::from_secs(1),
        }
    }
}

/// Runs a server-style `python()` source on its worker thread: `run()`
/// once, posting through `post_message()`; when it returns the source is
/// done until the next reload.
pub fn run_server(calls: &mut dyn FetcherCalls, link: &SourceLink) {
    calls.run();
    link.close_batch();
    if link.exit_requested() {
        calls.release_while(&mut || link.wait_exit_delivered(Duration::from_secs(5)));
    }
}

/// Runs the fetch loop until the source is asked to exit, then calls `close()`.
/// `transport` is what `set_transport_name()` set; it becomes `$TRANSPORT`.
pub fn run_fetch_loop(
    calls: &mut dyn FetcherCalls,
    link: &SourceLink,
    timing: FetchTiming,
    transport: &TransportName,
) {
    let driver = link.driver_id();
    let mut transport_cache = (0, None);
    let mut opened = false;
    // Whether the window had room after the last post (saves a lock per message).
    let mut room = false;
    while !link.done_fetching() {
        if !opened {
            if calls.open() {
                opened = true;
            } else {
                tracing::trace!(driver = driver, "Error establishing connection");
                calls.release_while(&mut || link.wait(timing.time_reopen));
            }
            continue;
        }
        if !room && !link.has_room() {
            link.close_batch();
            calls.release_while(&mut || link.wait_for_room());
            continue;
        }
        room = false;
        match calls.fetch() {
            FetchOutcome::Success(mut msg) => {
                if let Some(name) = transport.current(&mut transport_cache) {
                    msg.set_str("TRANSPORT", name.as_bytes());
                }
                room = link.post(msg);
            }
            FetchOutcome::TryAgain => {
                tracing::trace!(driver = driver, "Try again when fetching messages");
                link.close_batch();
            }
            FetchOutcome::NoData => {
                tracing::trace!(driver = driver, "No data during fetching messages");
                link.close_batch();
                calls.release_while(&mut || link.wait(timing.no_data_delay));
            }
            FetchOutcome::NotConnected => {
                tracing::info!(
                    target: crate::internal_log::INFO_TARGET,
                    driver = driver,
                    "Fetcher disconnected while receiving messages, reconnecting"
                );
                link.close_batch();
                opened = false;
                calls.release_while(&mut || link.wait(timing.time_reopen));
            }
            FetchOutcome::Error => {
                tracing::error!(driver = driver, "Error during fetching messages");
                link.close_batch();
                calls.close();
                opened = false;
                calls.release_while(&mut || link.wait(timing.time_reopen));
            }
        }
    }
    link.close_batch();
    if link.exit_requested() {
        calls.release_while(&mut || link.wait_exit_delivered(Duration::from_secs(5)));
    }
    calls.close();
}
