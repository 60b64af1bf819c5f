//! `logfetch run`: start a configuration, reload on SIGHUP, stop on
//! SIGINT/SIGTERM.

use crate::args::RunArgs;
use crate::exit;
use crate::logging::{backend, install, load};
use crate::signal_guard::keeping_signals;
use logfetch_config::Checked;
use logfetch_core::lifecycle::Backend;
use logfetch_core::pipeline::Runtime;
use logfetch_core::plan::{self, LaunchError, prepare};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The `--pidfile`, removed again on exit.
struct PidFile(PathBuf);

impl PidFile {
    fn create(path: &Path) -> std::io::Result<PidFile> {
        std::fs::write(path, format!("{}\n", std::process::id()))?;
        Ok(PidFile(path.to_path_buf()))
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Loads and checks the configuration.
fn load_checked(a: &RunArgs) -> Result<Checked, u8> {
    load(&a.config).map_err(|e| {
        tracing::error!("{e}");
        exit::CONFIG
    })
}

/// Initialises a checked configuration's sources, without starting them.
fn prepare_checked(checked: &Checked, a: &RunArgs, backend: &dyn Backend) -> Result<Runtime, u8> {
    prepared(keeping_signals(|| prepare(&checked.plan, backend)), a)
}

/// The exit code of a configuration that could not be prepared, or the
/// prepared one with `--batch-latency` applied.
fn prepared(result: Result<Runtime, LaunchError>, a: &RunArgs) -> Result<Runtime, u8> {
    let mut runtime = result.map_err(|e| match e {
        LaunchError::Program(_) => exit::CONFIG,
        LaunchError::Source(_) => exit::INIT,
        LaunchError::Io(err) => {
            tracing::error!(error = %err, "Error initializing message pipeline");
            exit::INIT
        }
    })?;
    runtime.set_flush_latency(Duration::from_millis(a.batch_latency.max(1)));
    Ok(runtime)
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

/// The configuration that runs, and what it was made from.
struct Running {
    checked: Checked,
    runtime: Runtime,
}

/// Starts a prepared configuration's threads.
fn start(mut runtime: Runtime) -> Result<Runtime, u8> {
    match runtime.start() {
        Ok(()) => Ok(runtime),
        Err(e) => {
            tracing::error!(error = %e, "Cannot start worker threads");
            Err(exit::INIT)
        }
    }
}

/// SIGHUP: loads the configuration again and puts it in place of the
/// running one, in syslog-ng's order. Reading it — syntax, names and its
/// `python {}` blocks — happens while the old one runs; one that does not
/// read leaves the running one untouched. Then the running sources stop
/// (`close()`, `deinit()`: what they keep in `Persist` is saved, a port
/// they hold is freed) before the new ones' `init()`; if those fail, the
/// old configuration starts again. Errs with the exit code when no
/// configuration runs any more.
fn reload(
    running: Running,
    a: &RunArgs,
    backend: &dyn Backend,
    grace: Duration,
) -> Result<Running, u8> {
    let Ok(checked) = load_checked(a) else {
        report_revert();
        return Ok(running);
    };
    let Ok(program) = keeping_signals(|| plan::load_program(&checked.plan, backend)) else {
        report_revert();
        return Ok(running);
    };
    stop(running.runtime, grace);
    let fresh = keeping_signals(|| plan::prepare_loaded(&checked.plan, program.as_deref()));
    match prepared(fresh, a) {
        Ok(fresh) => finish_reload(checked, fresh),
        Err(_) => {
            report_revert();
            let old = prepare_checked(&running.checked, a, backend).inspect_err(|_| {
                tracing::error!("Error initializing old configuration, exiting")
            })?;
            Ok(Running {
                runtime: start(old)?,
                checked: running.checked,
            })
        }
    }
}

fn finish_reload(checked: Checked, fresh: Runtime) -> Result<Running, u8> {
    let runtime = start(fresh)?;
    tracing::info!("Configuration reload finished");
    Ok(Running { checked, runtime })
}

fn report_revert() {
    tracing::error!("Error initializing new configuration, reverting to old config");
}

/// Runs until stopped; returns the exit code.
pub fn run(a: &RunArgs) -> u8 {
    install(&a.log);
    let grace = Duration::from_secs_f64(a.stop_grace.max(0.0));
    let mut signals = match Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "Cannot install signal handlers");
            return exit::CONFIG;
        }
    };
    // A config error is reported before the interpreter starts.
    let checked = match load_checked(a) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let backend = match backend(a.backend.as_deref()) {
        Ok(b) => b,
        Err(code) => return code,
    };
    if let Some(path) = &a.persist_file {
        logfetch_core::persist::set_location(path);
    }
    let _pidfile = match a.pidfile.as_deref().map(PidFile::create).transpose() {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "Cannot write the pid file");
            return exit::CONFIG;
        }
    };
    let runtime = match prepare_checked(&checked, a, backend).and_then(start) {
        Ok(r) => r,
        Err(code) => return code,
    };
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        backend = backend.name(),
        "logfetch starting up"
    );
    let mut running = Running { checked, runtime };
    for signal in signals.forever() {
        if signal == SIGHUP {
            tracing::info!("Configuration reload request received, reloading configuration");
            running = match reload(running, a, backend, grace) {
                Ok(r) => r,
                Err(code) => return code,
            };
            continue;
        }
        break;
    }
    let runtime = running.runtime;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        "logfetch shutting down"
    );
    stop(runtime, grace);
    exit::OK
}
