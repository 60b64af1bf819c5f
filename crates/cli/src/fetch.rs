//! `logfetch fetch`: one fetcher class, no configuration file, stdout.

use crate::args::FetchArgs;
use crate::exit;
use crate::logging::{backend, install};
use crate::signal_guard::keeping_signals;
use logfetch_config::{SingleFetcher, single_fetcher_plan};
use logfetch_core::plan::{LaunchError, prepare};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::time::Duration;

/// Resolves `\n`, `\t` and `\\` in a template given on the command line.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Runs the fetcher until `--count` messages were printed or a signal.
pub fn fetch(a: &FetchArgs) -> u8 {
    install(&a.log);
    let mut options = Vec::new();
    for o in &a.options {
        let Some((k, v)) = o.split_once('=') else {
            tracing::error!(option = o.as_str(), "-o needs key=value");
            return exit::CONFIG;
        };
        options.push((k.to_owned(), v.to_owned()));
    }
    if let Some(path) = &a.persist_file {
        logfetch_core::persist::set_location(path);
    }
    let seconds = |s: f64| Duration::from_secs_f64(s.max(0.0));
    let template = unescape(&a.template);
    let spec = SingleFetcher {
        class_path: &a.class_path,
        options: &options,
        template: &template,
        count: a.count,
        time_reopen: seconds(a.time_reopen),
        no_data_delay: seconds(a.no_data_delay.unwrap_or(a.time_reopen)),
        directory: std::env::current_dir().unwrap_or_default(),
    };
    let plan = match single_fetcher_plan(&spec) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("{e}");
            return exit::CONFIG;
        }
    };
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else {
        return exit::CONFIG;
    };
    let backend = match backend(a.backend.as_deref()) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let mut runtime = match keeping_signals(|| prepare(&plan, backend)) {
        Ok(r) => r,
        Err(LaunchError::Program(_)) => return exit::CONFIG,
        Err(LaunchError::Source(_)) => return exit::INIT,
        Err(LaunchError::Io(e)) => {
            tracing::error!(error = %e, "Cannot start");
            return exit::INIT;
        }
    };
    if let Err(e) = runtime.start() {
        tracing::error!(error = %e, "Cannot start worker threads");
        return exit::INIT;
    }
    let handle = signals.handle();
    loop {
        if runtime.wait_fetchers_finished(Duration::from_millis(50)) {
            break;
        }
        if signals.pending().next().is_some() {
            break;
        }
    }
    handle.close();
    runtime.stop(Duration::from_secs(10));
    exit::OK
}
