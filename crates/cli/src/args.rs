//! Command-line arguments.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Where `logfetch run` looks for its configuration when none is given.
pub const DEFAULT_CONFIG: &str = "/etc/logfetch/logfetch.conf";

const EXAMPLES: &str = "\
Examples:
  logfetch run examples/seed.conf            run a syslog-ng configuration
  logfetch run -f my.conf --backend rustpython -e
  logfetch --version                         show the compiled-in backends";

/// Runs syslog-ng python-fetcher() sources on embedded CPython or RustPython.
#[derive(Debug, Parser)]
#[command(name = "logfetch", version = crate::version_text(), after_help = EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a configuration until SIGINT or SIGTERM (SIGHUP reloads it).
    Run(RunArgs),
}

/// Options of `logfetch run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The configuration file.
    #[arg(value_name = "CONFIG")]
    pub config: Option<PathBuf>,
    /// The configuration file (syslog-ng's spelling).
    #[arg(
        short = 'f',
        long = "cfgfile",
        value_name = "CONFIG",
        conflicts_with = "config"
    )]
    pub cfgfile: Option<PathBuf>,
    /// The Python backend: cpython or rustpython (default: the first compiled in).
    #[arg(long)]
    pub backend: Option<String>,
    /// Internal messages to stderr (they always go there in this version).
    #[arg(short = 'e', long = "stderr")]
    pub stderr: bool,
    /// Verbose internal messages.
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Debug internal messages.
    #[arg(short = 'd', long)]
    pub debug: bool,
    /// Trace internal messages.
    #[arg(short = 't', long)]
    pub trace: bool,
    /// Seconds to wait for sources that do not stop when asked.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub stop_grace: f64,
}

impl RunArgs {
    /// The configuration to run.
    pub fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .or_else(|| self.cfgfile.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG))
    }
}
