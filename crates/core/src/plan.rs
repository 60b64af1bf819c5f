//! A validated configuration, ready to start: what the config language
//! produces and [`launch`] turns into a running [`Runtime`].

use crate::driver::FetchTiming;
use crate::internal_log;
use crate::lifecycle::{
    Backend, DriverKind, Fetcher, FetcherSpec, InitError, Program, ProgramSpec,
};
use crate::modify::Step;
use crate::options::Options;
use crate::pipeline::{DestQueue, PathRoute, Runtime, SourceLink, SourceSettings};
use crate::sink::Sink;
use crate::syslog_parse::ParseOptions;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Builds a destination's sink when the configuration starts.
pub trait SinkBuilder: Send + Sync {
    /// Opens the sink (files are opened lazily by the sink itself).
    fn build(&self) -> std::io::Result<Box<dyn Sink>>;
}

/// One destination statement's driver.
pub struct DestinationPlan {
    /// `<destination name>#<index>`.
    pub name: String,
    /// `log-fifo-size()`: queue bound when flow control is off.
    pub fifo_size: usize,
    /// `time-reopen()`: the wait after a failed write before the next try.
    pub retry_delay: Duration,
    /// Creates the sink.
    pub sink: Box<dyn SinkBuilder>,
}

/// One `python-fetcher()` driver of a source statement.
pub struct FetcherPlan {
    /// Source name, driver id, and per-message processing.
    pub settings: SourceSettings,
    /// Reopen and no-data delays.
    pub timing: FetchTiming,
    /// `class()`.
    pub class_path: String,
    /// `python-fetcher()` or server-style `python()`.
    pub kind: DriverKind,
    /// `options()`.
    pub options: Options,
    /// `persist-name()`.
    pub persist_name: Option<String>,
    /// `loaders()`.
    pub loaders: Vec<String>,
    /// `self.flags`.
    pub flags: Vec<(String, bool)>,
    /// What `self.parse_options` stands for: how `LogMessage.parse()` reads
    /// a raw line for this source (`format()`, `flags()`, `time-zone()`,
    /// `default-priority()`/`default-facility()`, `sdata-prefix()`).
    pub parse_options: ParseOptions,
    /// The log paths that include this source, in configuration order.
    pub paths: Vec<PathPlan>,
    /// `file:line:col` of the driver, for error messages.
    pub location: String,
}

/// One log path as seen from a source.
#[derive(Clone)]
pub struct PathPlan {
    /// Its filters, parsers, rewrite rules and destinations in order;
    /// destinations are indexes into [`Plan::destinations`].
    pub steps: Vec<Step<usize>>,
    /// `flags(final)`.
    pub is_final: bool,
    /// `flags(fallback)`.
    pub fallback: bool,
}

/// An `internal()` source: logfetch's own messages as ordinary messages.
pub struct InternalPlan {
    /// Source name and per-message processing.
    pub settings: SourceSettings,
    /// The log paths that include it.
    pub paths: Vec<PathPlan>,
}

/// Everything needed to start one configuration.
#[derive(Default)]
pub struct Plan {
    /// `internal()` sources.
    pub internal_sources: Vec<InternalPlan>,
    /// The `python {}` code and `sys.path`.
    pub program: ProgramSpec,
    /// Fetcher sources in configuration order.
    pub fetchers: Vec<FetcherPlan>,
    /// Destination drivers.
    pub destinations: Vec<DestinationPlan>,
}

/// Why a configuration could not start.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// A `python {}` block did not compile or run: a configuration error
    /// (exit code 1), already reported at the block's location.
    #[error("{0}")]
    Program(InitError),
    /// A source's Python side failed (exit code 2).
    #[error("{0}")]
    Source(#[from] InitError),
    /// A destination or thread could not be set up.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// An initialised fetcher and the link it posts through.
pub type InitialisedFetcher = (Arc<SourceLink>, Box<dyn Fetcher>);

/// The core routes of `paths`, with destination indexes resolved to queues.
fn routes(paths: &[PathPlan], queues: &[Arc<DestQueue>]) -> Vec<PathRoute> {
    paths
        .iter()
        .map(|p| PathRoute {
            steps: p
                .steps
                .iter()
                .map(|s| {
                    s.map_destinations(&|ds: &[usize]| {
                        ds.iter().map(|i| queues[*i].clone()).collect()
                    })
                })
                .collect(),
            is_final: p.is_final,
            fallback: p.fallback,
        })
        .collect()
}

/// Runs a configuration's `python {}` blocks into a fresh module (none
/// when it has no Python sources): the part of preparing it that belongs to
/// reading the configuration.
pub fn load_program(
    plan: &Plan,
    backend: &dyn Backend,
) -> Result<Option<Box<dyn Program>>, LaunchError> {
    if plan.fetchers.is_empty() {
        return Ok(None);
    }
    backend
        .load_program(&plan.program)
        .map(Some)
        .map_err(LaunchError::Program)
}

/// Creates every fetcher (calling `init()`), checks persist names, and
/// returns the initialised sources in configuration order. On failure the
/// sources already initialised are deinitialised again.
pub fn init_fetchers(
    plan: &Plan,
    program: &dyn Program,
    queues: &[Arc<DestQueue>],
) -> Result<Vec<InitialisedFetcher>, LaunchError> {
    let mut created: Vec<InitialisedFetcher> = Vec::new();
    let abort = |created: Vec<InitialisedFetcher>, err: InitError| {
        for (_, f) in created.iter().rev() {
            f.deinit();
        }
        Err(LaunchError::Source(err))
    };
    for fp in &plan.fetchers {
        let link = SourceLink::new(fp.settings.clone(), routes(&fp.paths, queues));
        let spec = FetcherSpec {
            driver_id: fp.settings.driver_id.clone(),
            class_path: fp.class_path.clone(),
            kind: fp.kind,
            options: fp.options.clone(),
            persist_name: fp.persist_name.clone(),
            loaders: fp.loaders.clone(),
            flags: fp.flags.clone(),
            parse_options: Arc::new(fp.parse_options.clone()),
            link: link.clone(),
        };
        match program.create_fetcher(spec) {
            Ok(f) => created.push((link, f)),
            Err(e) => {
                tracing::error!(
                    plugin_name = "python-fetcher",
                    location = fp.location.as_str(),
                    "Error initializing message pipeline"
                );
                return abort(created, e);
            }
        }
    }
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for ((_, f), fp) in created.iter().zip(&plan.fetchers) {
        if let Some(first) = seen.insert(f.persist_name(), &fp.location) {
            tracing::error!(
                persist_name = f.persist_name(),
                location = first,
                conflicting_location = fp.location.as_str(),
                "Automatic assignment of persist names failed, as conflicting persist-names were found. Please use persist-name() on one of the sources"
            );
            let err = InitError(format!("duplicate persist name {}", f.persist_name()));
            return abort(created, err);
        }
    }
    Ok(created)
}

/// `validate --check-startup`: loads the Python code, creates every source
/// (calling `init()`), then calls `deinit()` again; nothing is fetched.
pub fn check_startup(plan: &Plan, backend: &dyn Backend) -> Result<(), LaunchError> {
    let queues: Vec<Arc<DestQueue>> = plan
        .destinations
        .iter()
        .map(|d| DestQueue::with_retry_delay(&d.name, d.fifo_size, d.retry_delay))
        .collect();
    let Some(program) = load_program(plan, backend)? else {
        return Ok(());
    };
    let fetchers = init_fetchers(plan, program.as_ref(), &queues)?;
    for (_, f) in fetchers.iter().rev() {
        f.deinit();
    }
    Ok(())
}

/// Prepares a configuration without starting it: sinks built, Python code
/// loaded, every source initialised (`init()` called). Nothing runs until
/// [`Runtime::start`].
pub fn prepare(plan: &Plan, backend: &dyn Backend) -> Result<Runtime, LaunchError> {
    let program = load_program(plan, backend)?;
    prepare_loaded(plan, program.as_deref())
}

/// [`prepare`] with the configuration's Python code already loaded
/// ([`load_program`]).
pub fn prepare_loaded(plan: &Plan, program: Option<&dyn Program>) -> Result<Runtime, LaunchError> {
    let queues: Vec<Arc<DestQueue>> = plan
        .destinations
        .iter()
        .map(|d| DestQueue::with_retry_delay(&d.name, d.fifo_size, d.retry_delay))
        .collect();
    let mut sinks = Vec::with_capacity(plan.destinations.len());
    for d in &plan.destinations {
        let sink = d
            .sink
            .build()
            .map_err(|e| std::io::Error::new(e.kind(), format!("destination {}: {e}", d.name)))?;
        sinks.push(sink);
    }
    if !plan.internal_sources.is_empty() {
        internal_log::start_capture();
    }
    let fetchers = match program {
        Some(program) => init_fetchers(plan, program, &queues),
        None => Ok(Vec::new()),
    };
    let fetchers = match fetchers {
        Ok(f) => f,
        Err(e) => {
            if !plan.internal_sources.is_empty() {
                internal_log::stop_capture();
            }
            return Err(e);
        }
    };
    let mut runtime = Runtime::new();
    for (queue, sink) in queues.iter().cloned().zip(sinks) {
        runtime.add_destination(queue, sink);
    }
    for ((link, fetcher), fp) in fetchers.into_iter().zip(&plan.fetchers) {
        runtime.add_fetcher(link, fetcher, fp.timing);
    }
    for ip in &plan.internal_sources {
        runtime.add_internal_source(SourceLink::new(
            ip.settings.clone(),
            routes(&ip.paths, &queues),
        ));
    }
    Ok(runtime)
}
