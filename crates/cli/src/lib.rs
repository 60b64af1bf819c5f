//! logfetch's command line: arguments, commands, signals and exit codes.
//! The work itself lives in the library crates.

mod args;
mod backends;
mod bench;
mod fetch;
mod logging;
mod run;
mod signal_guard;
mod validate;

use clap::Parser;
use std::process::ExitCode;

/// Exit codes, as `decisions.md` defines them.
pub mod exit {
    /// Clean stop.
    pub const OK: u8 = 0;
    /// Usage or configuration error.
    pub const CONFIG: u8 = 1;
    /// A source's initialisation failed.
    pub const INIT: u8 = 2;
}

/// `--version` text: the version and the compiled-in backends.
pub fn version_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{} (backends: {})",
            env!("CARGO_PKG_VERSION"),
            backends::compiled().join(", ")
        )
    })
}

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::CONFIG
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        args::Command::Run(a) => run::run(&a),
        args::Command::Validate(a) => validate::validate(&a),
        args::Command::Preprocess(a) => validate::preprocess(&a),
        args::Command::Fetch(a) => fetch::fetch(&a),
        args::Command::Bench(a) => bench::bench(&a),
    };
    // Interpreters are not finalized at exit; what user code printed is
    // written out here, as finalizing would.
    backends::flush_started();
    ExitCode::from(code)
}
