//! The Python backends compiled into this binary.

use logfetch_core::lifecycle::{Backend, InitError};

/// Names of the compiled-in backends, default first.
pub fn compiled() -> Vec<&'static str> {
    let mut names = Vec::new();
    if cfg!(feature = "cpython") {
        names.push("cpython");
    }
    if cfg!(feature = "rustpython") {
        names.push("rustpython");
    }
    names
}

/// Why a backend could not be had.
#[derive(Debug)]
pub enum BackendError {
    /// The name is not compiled in.
    NotCompiled(String),
    /// The interpreter failed to start.
    #[cfg_attr(
        not(any(feature = "cpython", feature = "rustpython")),
        allow(dead_code)
    )]
    Start(InitError),
}

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BackendError::NotCompiled(name) => write!(
                f,
                "backend '{name}' is not compiled into this logfetch; available: {}",
                compiled().join(", ")
            ),
            BackendError::Start(e) => write!(f, "the Python interpreter failed to start: {e}"),
        }
    }
}

/// Writes out what Python code left buffered in `sys.stdout`/`sys.stderr`
/// of every backend this process started (call before exiting).
pub fn flush_started() {
    #[cfg(feature = "cpython")]
    if let Some(b) = logfetch_python_cpython::CpythonBackend::started() {
        b.flush_stdio();
    }
    #[cfg(feature = "rustpython")]
    if let Some(b) = logfetch_python_rustpython::RustpythonBackend::started() {
        b.flush_stdio();
    }
}

/// The backend called `name` (or the default one).
pub fn get(name: Option<&str>) -> Result<&'static dyn Backend, BackendError> {
    let name = name
        .or_else(|| compiled().first().copied())
        .unwrap_or("none");
    match name {
        #[cfg(feature = "cpython")]
        "cpython" => logfetch_python_cpython::CpythonBackend::get()
            .map(|b| b as &'static dyn Backend)
            .map_err(BackendError::Start),
        #[cfg(feature = "rustpython")]
        "rustpython" => logfetch_python_rustpython::RustpythonBackend::get()
            .map(|b| b as &'static dyn Backend)
            .map_err(BackendError::Start),
        other => Err(BackendError::NotCompiled(other.to_owned())),
    }
}
