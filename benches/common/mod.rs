//! Shared by the criterion benches: the compiled-in backends, the shared
//! workload directory, and fetchers created straight from a backend.

#![allow(dead_code)]

use logfetch_core::lifecycle::{Backend, Fetcher, FetcherSpec, Program, ProgramSpec, PythonCode};
use logfetch_core::options::{OptionValue, Options};
use logfetch_core::pipeline::{SourceLink, SourceSettings};
use std::path::PathBuf;

/// `benches/workloads`: the shared fetcher files.
pub fn workloads() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/workloads")
}

/// Every compiled-in backend, by name.
// Which pushes exist depends on the features, so no single `vec![]` fits.
#[allow(unused_mut, clippy::vec_init_then_push)]
pub fn backends() -> Vec<(&'static str, &'static dyn Backend)> {
    let mut list: Vec<(&'static str, &'static dyn Backend)> = Vec::new();
    #[cfg(feature = "cpython")]
    list.push((
        "cpython",
        logfetch_python_cpython::CpythonBackend::get().expect("CPython starts"),
    ));
    #[cfg(feature = "rustpython")]
    list.push((
        "rustpython",
        logfetch_python_rustpython::RustpythonBackend::get().expect("RustPython starts"),
    ));
    list
}

/// A `python {}` block with fetchers that do (almost) nothing.
pub const NOOP_CODE: &str = "\
from syslogng import LogFetcher

RESULT = (LogFetcher.FETCH_TRY_AGAIN, None)

class Noop(LogFetcher):
    def fetch(self):
        return RESULT
";

/// The workloads on `sys.path` and [`NOOP_CODE`] loaded.
pub fn program(backend: &dyn Backend) -> Box<dyn Program> {
    backend
        .load_program(&ProgramSpec {
            code: vec![PythonCode {
                text: NOOP_CODE.into(),
                filename: "<bench>".into(),
                location: "<bench>:1:1".into(),
            }],
            sys_path: vec![workloads()],
        })
        .expect("program loads")
}

/// An initialised fetcher of `class_path` that never runs out of messages.
pub fn fetcher(program: &dyn Program, class_path: &str) -> Box<dyn Fetcher> {
    let mut options = Options::default();
    options.push("count", OptionValue::Int(i64::MAX));
    let link = SourceLink::new(SourceSettings::new("s_bench", 0), Vec::new());
    program
        .create_fetcher(FetcherSpec {
            driver_id: "s_bench#0".into(),
            class_path: class_path.into(),
            kind: Default::default(),
            options,
            persist_name: None,
            loaders: Vec::new(),
            flags: Vec::new(),
            parse_options: Default::default(),
            link,
        })
        .expect("fetcher initialises")
}
