//! The CPython backend: syslog-ng Python sources on CPython embedded with pyo3.
//!
//! The interpreter starts once per process with the native `_syslogng`
//! module registered; the shared `syslogng.py` and `_logfetch_host.py`
//! (from `logfetch_core::python_sources`) are loaded on top. Each fetcher's
//! worker thread attaches to the interpreter once for its whole life and
//! detaches only while the driver waits, so a `fetch()` costs one Python call.

mod bookmarks;
mod fetcher;
mod message;
mod native;
mod parse_options;

use fetcher::{CpythonFetcher, Methods};
use logfetch_core::lifecycle::{Backend, Fetcher, FetcherSpec, InitError, Program, ProgramSpec};
use logfetch_core::options::OptionValue;
use logfetch_core::python_sources::{HOST_PY, SYSLOGNG_PY};
use native::PyLogFetcher;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyModule};
use std::ffi::CString;
use std::sync::OnceLock;

/// The CPython backend.
pub struct CpythonBackend {
    host: Py<PyModule>,
}

static BACKEND: OnceLock<Result<CpythonBackend, InitError>> = OnceLock::new();

fn load_module<'py>(
    py: Python<'py>,
    code: &str,
    file: &str,
    name: &str,
) -> PyResult<Bound<'py, PyModule>> {
    let code = CString::new(code).expect("embedded Python source has no NUL");
    let file = CString::new(file).expect("file name has no NUL");
    let name = CString::new(name).expect("module name has no NUL");
    PyModule::from_code(py, &code, &file, &name)
}

/// The exception object of `err` with its traceback attached (pyo3 keeps the
/// traceback beside the value on Python < 3.12).
pub(crate) fn exception_with_traceback<'py>(
    py: Python<'py>,
    err: &PyErr,
) -> Bound<'py, pyo3::exceptions::PyBaseException> {
    let value = err.value(py).clone();
    if let Some(tb) = err.traceback(py) {
        let _ = value.setattr("__traceback__", tb);
    }
    value
}

/// Turns an exception from the host helpers into an [`InitError`]. A
/// `HostError` was already reported; anything else is reported here.
fn host_failure(py: Python<'_>, err: PyErr) -> InitError {
    let is_host_error = err
        .get_type(py)
        .name()
        .map(|n| n == "HostError")
        .unwrap_or(false);
    let text = err.value(py).to_string();
    if !is_host_error {
        let tb = err
            .traceback(py)
            .and_then(|tb| tb.format().ok())
            .unwrap_or_default();
        logfetch_core::internal_log::traceback(&format!(
            "{tb}{}: {text}",
            err.get_type(py)
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ));
    }
    InitError(text)
}

/// The home (prefix) of the interpreter logfetch was built against.
const PYTHON_HOME: &str = env!("LOGFETCH_PYTHON_HOME");

/// Initialises CPython with its home set to the build interpreter's (unless
/// `PYTHONHOME` says otherwise), without Python's own signal handlers, and
/// releases the GIL for the threads that will attach.
fn start_interpreter() -> Result<(), InitError> {
    use pyo3::ffi;
    let home = std::env::var("PYTHONHOME").unwrap_or_else(|_| PYTHON_HOME.to_owned());
    let home =
        CString::new(home).map_err(|_| InitError("PYTHONHOME contains a NUL byte".into()))?;
    // SAFETY: PyConfig is initialised by PyConfig_InitPythonConfig before any
    // field is read, cleared after use, and nothing else touches the
    // interpreter before it is initialised (this runs once, in a OnceLock).
    unsafe {
        let mut config = std::mem::MaybeUninit::<ffi::PyConfig>::zeroed();
        ffi::PyConfig_InitPythonConfig(config.as_mut_ptr());
        let mut config = config.assume_init();
        config.install_signal_handlers = 0;
        if !home.as_bytes().is_empty() {
            let status = ffi::PyConfig_SetBytesString(&mut config, &mut config.home, home.as_ptr());
            if ffi::PyStatus_Exception(status) != 0 {
                ffi::PyConfig_Clear(&mut config);
                return Err(InitError("cannot set the Python home".into()));
            }
        }
        let status = ffi::Py_InitializeFromConfig(&config);
        ffi::PyConfig_Clear(&mut config);
        if ffi::PyStatus_Exception(status) != 0 {
            return Err(InitError(
                "the CPython interpreter failed to initialise".into(),
            ));
        }
        ffi::PyEval_SaveThread();
    }
    Ok(())
}

impl CpythonBackend {
    /// The backend if it was started (without starting it).
    pub fn started() -> Option<&'static CpythonBackend> {
        BACKEND.get().and_then(|b| b.as_ref().ok())
    }

    /// Starts the interpreter (once per process) and returns the backend.
    pub fn get() -> Result<&'static CpythonBackend, InitError> {
        BACKEND
            .get_or_init(|| {
                pyo3::append_to_inittab!(_syslogng);
                start_interpreter()?;
                Python::attach(|py| {
                    let load = || -> PyResult<Py<PyModule>> {
                        py.import("sys")?.setattr("argv", vec!["logfetch"])?;
                        load_module(py, SYSLOGNG_PY, "<logfetch>/syslogng.py", "syslogng")?;
                        Ok(load_module(
                            py,
                            HOST_PY,
                            "<logfetch>/_logfetch_host.py",
                            "_logfetch_host",
                        )?
                        .unbind())
                    };
                    load()
                        .map(|host| CpythonBackend { host })
                        .map_err(|e| host_failure(py, e))
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

use native::_syslogng;

struct CpythonProgram {
    host: Py<PyModule>,
}

impl Backend for CpythonBackend {
    fn name(&self) -> &'static str {
        "cpython"
    }

    fn flush_stdio(&self) {
        Python::attach(|py| {
            let _ = self.host.bind(py).call_method0("flush_stdio");
        });
    }

    fn load_program(&self, spec: &ProgramSpec) -> Result<Box<dyn Program>, InitError> {
        Python::attach(|py| {
            let host = self.host.bind(py);
            let paths: Vec<String> = spec
                .sys_path
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            let blocks: Vec<(&str, &str, &str)> = spec
                .code
                .iter()
                .map(|c| (c.text.as_str(), c.filename.as_str(), c.location.as_str()))
                .collect();
            host.call_method1("set_sys_path", (paths,))
                .and_then(|_| host.call_method1("load_main_module", (blocks,)))
                .map_err(|e| host_failure(py, e))?;
            Ok(Box::new(CpythonProgram {
                host: self.host.clone_ref(py),
            }) as Box<dyn Program>)
        })
    }
}

fn option_to_python<'py>(
    py: Python<'py>,
    value: &OptionValue,
) -> PyResult<(Bound<'py, PyAny>, bool)> {
    Ok(match value {
        OptionValue::Str(s) => (s.into_pyobject(py)?.into_any(), false),
        OptionValue::Int(i) => (i.into_pyobject(py)?.into_any(), false),
        OptionValue::Float(f) => (f.into_pyobject(py)?.into_any(), false),
        OptionValue::Bool(b) => (b.into_pyobject(py)?.to_owned().into_any(), false),
        OptionValue::List(items) => (PyList::new(py, items)?.into_any(), false),
        OptionValue::Template(t) => (t.into_pyobject(py)?.into_any(), true),
    })
}

/// What `_logfetch_host.initialize()` returns: persist name,
/// auto_close_batches, then fetch (run for a server-style source), open,
/// close, request_exit, deinit.
type Setup = (
    String,
    bool,
    Py<PyAny>,
    Option<Py<PyAny>>,
    Option<Py<PyAny>>,
    Option<Py<PyAny>>,
    Option<Py<PyAny>>,
);

impl Program for CpythonProgram {
    fn create_fetcher(&self, spec: FetcherSpec) -> Result<Box<dyn Fetcher>, InitError> {
        Python::attach(|py| {
            let host = self.host.bind(py);
            let create = || -> PyResult<CpythonFetcher> {
                let driver = spec.kind.driver_name();
                let instance = host.call_method1(
                    "instantiate",
                    (driver, &spec.driver_id, &spec.class_path, &spec.loaders),
                )?;
                let native = instance.cast::<PyLogFetcher>()?;
                let _ = native.get().link.set(spec.link.clone());
                let transport = native.get().transport.clone();
                let mut items = Vec::with_capacity(spec.options.0.len());
                for (key, value) in &spec.options.0 {
                    let (value, is_template) = option_to_python(py, value)?;
                    items.push((key.as_str(), value, is_template));
                }
                let setup = host.call_method1(
                    "initialize",
                    (
                        driver,
                        &instance,
                        &spec.driver_id,
                        &spec.class_path,
                        items,
                        &spec.persist_name,
                        spec.flags.clone(),
                        parse_options::capsule(py, &spec.parse_options)?,
                    ),
                )?;
                let (persist_name, auto_close_batches, main, open, close, request_exit, deinit): Setup =
                    setup.extract()?;
                let (kind, callback, timeout_ms, batch_size): (
                    String,
                    Option<Py<PyAny>>,
                    u64,
                    usize,
                ) = host
                    .call_method1(
                        "ack_tracker_of",
                        (&instance, &spec.driver_id, &spec.class_path),
                    )?
                    .extract()?;
                let ack = logfetch_core::native_api::ack_mode(&kind, timeout_ms, batch_size);
                let bookmarks = match (&ack, callback) {
                    (Some(_), Some(callback)) => {
                        Some(std::sync::Arc::new(bookmarks::CpythonBookmarks {
                            registry: Default::default(),
                            callback,
                            host: host.clone().unbind(),
                            driver_id: spec.driver_id.clone(),
                        }))
                    }
                    _ => None,
                };
                if let Some(b) = &bookmarks {
                    let _ = native.get().bookmarks.set(b.clone());
                }
                Ok(CpythonFetcher {
                    host: host.clone().unbind(),
                    _instance: instance.unbind(),
                    methods: Methods {
                        main,
                        open,
                        close,
                        request_exit,
                        deinit,
                    },
                    info: logfetch_core::lifecycle::FetcherInfo {
                        driver_id: spec.driver_id.clone(),
                        kind: spec.kind,
                        class_path: spec.class_path.clone(),
                        persist_name,
                        auto_close_batches,
                        transport,
                        ack,
                    },
                    bookmarks,
                })
            };
            create()
                .map(|f| Box::new(f) as Box<dyn Fetcher>)
                .map_err(|e| host_failure(py, e))
        })
    }
}
