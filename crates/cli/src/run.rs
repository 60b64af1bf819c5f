//! `logfetch run`: start a configuration, reload on SIGHUP, stop on
//! SIGINT/SIGTERM.

use crate::args::RunArgs;
use crate::{backends, exit};
use logfetch_config::{Checked, LoadError};
use logfetch_core::internal_log::{self, Verbosity};
use logfetch_core::lifecycle::Backend;
use logfetch_core::pipeline::Runtime;
use logfetch_core::plan::{LaunchError, prepare};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::path::Path;
use std::time::Duration;

fn verbosity(a: &RunArgs) -> Verbosity {
    if a.trace {
        Verbosity::Trace
    } else if a.debug {
        Verbosity::Debug
    } else if a.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    }
}

/// Loads and checks a configuration, reporting warnings.
fn load(path: &Path) -> Result<Checked, LoadError> {
    let checked = logfetch_config::load_file(path)?;
    for w in &checked.warnings {
        tracing::warn!("{w}");
    }
    Ok(checked)
}

/// Loads a configuration and initialises its sources, without starting them.
fn prepare_config(path: &Path, backend: &dyn Backend) -> Result<Runtime, u8> {
    let checked = load(path).map_err(|e| {
        tracing::error!("{e}");
        exit::CONFIG
    })?;
    prepare(&checked.plan, backend).map_err(|e| match e {
        LaunchError::Source(_) => exit::INIT,
        LaunchError::Io(err) => {
            tracing::error!(error = %err, "Error initializing message pipeline");
            exit::INIT
        }
    })
}

fn stop(runtime: Runtime, grace: Duration) {
    let report = runtime.stop(grace);
    if report.undelivered > 0 {
        tracing::error!(
            count = report.undelivered,
            "Messages could not be delivered before exit"
        );
    }
}

/// Runs until stopped; returns the exit code.
pub fn run(a: &RunArgs) -> u8 {
    internal_log::install(verbosity(a));
    let path = a.config_path();
    let grace = Duration::from_secs_f64(a.stop_grace.max(0.0));
    let mut signals = match Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "Cannot install signal handlers");
            return exit::CONFIG;
        }
    };
    // A config error is reported before the interpreter starts.
    if let Err(e) = load(&path) {
        tracing::error!("{e}");
        return exit::CONFIG;
    }
    let backend = match backends::get(a.backend.as_deref()) {
        Ok(b) => b,
        Err(e @ backends::BackendError::NotCompiled(_)) => {
            tracing::error!("{e}");
            return exit::CONFIG;
        }
        Err(e) => {
            tracing::error!("{e}");
            return exit::INIT;
        }
    };
    let mut runtime = match prepare_config(&path, backend) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if let Err(e) = runtime.start() {
        tracing::error!(error = %e, "Cannot start worker threads");
        return exit::INIT;
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        backend = backend.name(),
        "logfetch starting up"
    );
    for signal in signals.forever() {
        if signal == SIGHUP {
            tracing::info!("Configuration reload request received, reloading configuration");
            match prepare_config(&path, backend) {
                Ok(mut fresh) => {
                    stop(runtime, grace);
                    if let Err(e) = fresh.start() {
                        tracing::error!(error = %e, "Cannot start worker threads");
                        return exit::INIT;
                    }
                    runtime = fresh;
                    tracing::info!("Configuration reload finished");
                }
                Err(_) => {
                    tracing::error!("Error initializing new configuration, reverting to old config")
                }
            }
            continue;
        }
        break;
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        "logfetch shutting down"
    );
    stop(runtime, grace);
    exit::OK
}
