//! Keeps logfetch's handlers of SIGINT, SIGTERM and SIGHUP in place while
//! user code runs on the main thread. A module that calls
//! `signal.signal(signal.SIGTERM, signal.SIG_IGN)` when imported (as one of
//! AxoSyslog's own Python modules does) would otherwise leave logfetch
//! unable to stop.

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

const GUARDED: [libc::c_int; 3] = [SIGINT, SIGTERM, SIGHUP];

/// The handlers as they were when the guard was made.
struct SignalGuard {
    saved: Vec<(libc::c_int, libc::sigaction)>,
}

impl SignalGuard {
    /// Notes the current handlers (call after installing logfetch's own).
    fn new() -> SignalGuard {
        let saved = GUARDED
            .iter()
            .filter_map(|&signal| current(signal).map(|action| (signal, action)))
            .collect();
        SignalGuard { saved }
    }

    /// Puts back every handler that was changed since, and says so.
    fn restore(&self) {
        for (signal, saved) in &self.saved {
            let Some(now) = current(*signal) else {
                continue;
            };
            if now.sa_sigaction == saved.sa_sigaction && now.sa_flags == saved.sa_flags {
                continue;
            }
            // SAFETY: `saved` came from sigaction() for this signal; putting
            // it back reinstalls the handler logfetch registered.
            let rc = unsafe { libc::sigaction(*signal, saved, std::ptr::null_mut()) };
            if rc == 0 {
                tracing::warn!(
                    signal = signal_name(*signal),
                    "Python code changed how the signal is handled; logfetch handles it again"
                );
            }
        }
    }
}

/// Runs `f`, in which user code runs (imports, python {} blocks, init()),
/// and puts back logfetch's signal handlers if that code changed them.
pub fn keeping_signals<T>(f: impl FnOnce() -> T) -> T {
    let signals = SignalGuard::new();
    let result = f();
    signals.restore();
    result
}

/// The current disposition of `signal`.
fn current(signal: libc::c_int) -> Option<libc::sigaction> {
    // SAFETY: sigaction with a null new action only writes the current one
    // into `action`, which is plain old data.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        (libc::sigaction(signal, std::ptr::null(), &mut action) == 0).then_some(action)
    }
}

fn signal_name(signal: libc::c_int) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "SIGHUP",
    }
}
