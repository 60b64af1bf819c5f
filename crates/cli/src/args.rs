//! Command-line arguments.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Where `logfetch run` looks for its configuration when none is given.
pub const DEFAULT_CONFIG: &str = "/etc/logfetch/logfetch.conf";

/// Searched by `@include` after the including file's directory.
pub const DEFAULT_INCLUDE_PATH: &str = "/etc/logfetch";

const EXAMPLES: &str = "\
Examples:
  logfetch run examples/seed.conf                  run a syslog-ng configuration
  logfetch run -f my.conf --backend rustpython -e  same on RustPython, internal log on stderr
  logfetch validate my.conf --check-startup        check syntax, names, classes and init()
  logfetch preprocess my.conf                      show the config after @include/@define
  logfetch fetch --class mymod.MyFetcher -o url=http://x --count 10
                                                   try a fetcher without a config file
  logfetch --version                               show the compiled-in backends";

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
    #[command(after_help = EXAMPLES)]
    Run(RunArgs),
    /// Check a configuration's syntax, names and python {} blocks (and, with
    /// --check-startup, its Python classes and init()) without running it.
    #[command(after_help = EXAMPLES)]
    Validate(ValidateArgs),
    /// Print a configuration after @include, @define and backtick expansion.
    #[command(after_help = EXAMPLES)]
    Preprocess(PreprocessArgs),
    /// Run one fetcher class with no configuration file, messages to stdout.
    #[command(after_help = EXAMPLES)]
    Fetch(FetchArgs),
    /// Measure a fetcher workload on every compiled-in backend: messages/s,
    /// CPU, peak RSS, time to the first message (optionally beside syslog-ng).
    #[command(after_help = BENCH_EXAMPLES)]
    Bench(BenchArgs),
}

/// How much logfetch says about itself, and where.
#[derive(Debug, Args, Clone)]
pub struct LogArgs {
    /// Internal messages to stderr even when an internal() source takes them.
    #[arg(short = 'e', long = "stderr")]
    pub stderr: bool,
    /// Verbose internal messages.
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Debug internal messages.
    #[arg(short = 'd', long)]
    pub debug: bool,
    /// Trace internal messages (also Logger.trace()).
    #[arg(short = 't', long)]
    pub trace: bool,
}

/// Which configuration, and where its @include files are.
#[derive(Debug, Args, Clone)]
pub struct ConfigArgs {
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
    /// Directories searched by @include (after the including file's own).
    #[arg(short = 'I', long = "include-path", value_name = "DIR")]
    pub include_path: Vec<PathBuf>,
}

impl ConfigArgs {
    /// The configuration file to read.
    pub fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .or_else(|| self.cfgfile.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG))
    }

    /// The @include search path.
    pub fn include_path(&self) -> Vec<PathBuf> {
        let mut dirs = self.include_path.clone();
        dirs.push(PathBuf::from(DEFAULT_INCLUDE_PATH));
        dirs
    }
}

/// Options of `logfetch run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub log: LogArgs,
    /// The Python backend: cpython or rustpython (default: the first compiled in).
    #[arg(long)]
    pub backend: Option<String>,
    /// Where Persist() state is kept (default /var/lib/logfetch/logfetch.persist).
    #[arg(long, value_name = "FILE")]
    pub persist_file: Option<PathBuf>,
    /// Write the process id here while running.
    #[arg(long, value_name = "FILE")]
    pub pidfile: Option<PathBuf>,
    /// Seconds to wait for sources that do not stop when asked.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub stop_grace: f64,
    /// Longest time a fetched message waits in an open batch (milliseconds).
    #[arg(long, value_name = "MS", default_value_t = 10)]
    pub batch_latency: u64,
}

/// Options of `logfetch validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also load the Python code, resolve classes and run init()/deinit().
    #[arg(long)]
    pub check_startup: bool,
    /// The Python backend that runs the python {} blocks (and --check-startup).
    #[arg(long)]
    pub backend: Option<String>,
}

/// Options of `logfetch preprocess`.
#[derive(Debug, Args)]
pub struct PreprocessArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Options of `logfetch fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The fetcher class, `module.Class` (the current directory is on sys.path).
    #[arg(long = "class", value_name = "MODULE.CLASS")]
    pub class_path: String,
    /// An option for init(options): `key=value` (numbers and yes/no are typed).
    #[arg(short = 'o', long = "option", value_name = "KEY=VALUE")]
    pub options: Vec<String>,
    /// Stop after this many messages.
    #[arg(long)]
    pub count: Option<u64>,
    /// How each message is printed.
    #[arg(long, default_value = "$ISODATE $HOST $MSGHDR$MSG\\n")]
    pub template: String,
    /// The Python backend.
    #[arg(long)]
    pub backend: Option<String>,
    /// time-reopen() in seconds.
    #[arg(long, default_value_t = 1.0)]
    pub time_reopen: f64,
    /// Where Persist() state is kept.
    #[arg(long, value_name = "FILE")]
    pub persist_file: Option<PathBuf>,
    /// fetch-no-data-delay() in seconds (default: time-reopen).
    #[arg(long)]
    pub no_data_delay: Option<f64>,
    #[command(flatten)]
    pub log: LogArgs,
}

const BENCH_EXAMPLES: &str = "\
Examples:
  logfetch bench const                             1 000 000 constant messages, every backend
  logfetch bench fields --compare-syslog-ng        beside Debian's syslog-ng, same fetcher file
  logfetch bench jsonl --backend cpython --json    one backend, machine-readable
  logfetch bench const --sources 2 --sink null     two fetcher sources, no output rendering
  logfetch bench --class mymod.MyFetcher --path . -o url=http://x --count 10000";

/// Options of `logfetch bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Built-in workload: const, fields or jsonl.
    #[arg(
        value_name = "WORKLOAD",
        required_unless_present_any = ["class_path", "child"],
        conflicts_with = "class_path"
    )]
    pub workload: Option<String>,
    /// Any fetcher class instead, `module.Class`.
    #[arg(long = "class", value_name = "MODULE.CLASS")]
    pub class_path: Option<String>,
    /// An option for init(options): `key=value` (`count` is set by --count).
    #[arg(short = 'o', long = "option", value_name = "KEY=VALUE")]
    pub options: Vec<String>,
    /// A directory put first on sys.path (repeatable).
    #[arg(long, value_name = "DIR")]
    pub path: Vec<PathBuf>,
    /// Messages per row.
    #[arg(long, default_value_t = 1_000_000)]
    pub count: u64,
    /// Only this backend (repeatable; default: every compiled-in one).
    #[arg(long)]
    pub backend: Vec<String>,
    /// Where logfetch delivers: a file() in a temporary directory, or null
    /// (counted and dropped).
    #[arg(long, default_value = "file", value_parser = ["file", "null"])]
    pub sink: String,
    /// python-fetcher() sources per row; --count is split between them.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub sources: u16,
    /// log-iw-size() of each source: messages in flight before fetch() waits.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub window: u32,
    /// Runs per row; the median run is shown.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub runs: u16,
    /// Add a row for syslog-ng (if installed) running the same fetcher file.
    #[arg(long)]
    pub compare_syslog_ng: bool,
    /// Add a row for the same fetch() in a tight loop on this Python
    /// (`--compare-python=/usr/bin/python3`; default python3).
    #[arg(
        long,
        value_name = "PYTHON",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "python3"
    )]
    pub compare_python: Option<String>,
    /// Where the temporary files go (default: the system's temp directory).
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<PathBuf>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
    /// Internal: run one row (the spec is JSON).
    #[arg(long, hide = true, value_name = "SPEC")]
    pub child: Option<String>,
}
