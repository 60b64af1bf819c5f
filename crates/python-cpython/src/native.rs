//! The native `_syslogng` module: `LogFetcher`, `LogMessage`, `Logger`, and
//! the private functions `_logfetch_host.py` calls.

use crate::message::PyLogMessage;
use logfetch_core::internal_log;
use logfetch_core::lifecycle::TransportName;
use logfetch_core::native_api;
use logfetch_core::native_api::PersistItem;
use logfetch_core::pipeline::SourceLink;
use parking_lot::Mutex;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::sync::{Arc, OnceLock};

/// Native base of `syslogng.LogFetcher`.
#[pyclass(subclass, frozen, name = "LogFetcher", module = "_syslogng")]
#[derive(Default)]
pub struct PyLogFetcher {
    persist_name: Mutex<Option<String>>,
    pub(crate) link: OnceLock<Arc<SourceLink>>,
    pub(crate) transport: Arc<TransportName>,
}

#[pymethods]
impl PyLogFetcher {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyAny>, _kwargs: Option<&Bound<'_, PyAny>>) -> Self {
        PyLogFetcher::default()
    }

    /// The source's persist name (read-only).
    #[getter]
    fn persist_name(&self) -> Option<String> {
        self.persist_name.lock().clone()
    }

    /// Sets `$TRANSPORT` for messages posted from now on.
    fn set_transport_name(&self, name: &str) {
        self.transport.set(name);
    }

    /// Hands the messages fetched so far to the destinations as one batch.
    fn close_batch(&self) {
        if let Some(link) = self.link.get() {
            link.close_batch();
        }
    }
}

/// `_syslogng.Logger`: writes to logfetch's internal log.
#[pyclass(name = "Logger", module = "_syslogng")]
pub struct PyLogger;

#[pymethods]
impl PyLogger {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyAny>, _kwargs: Option<&Bound<'_, PyAny>>) -> Self {
        PyLogger
    }

    fn error(&self, msg: &str) {
        internal_log::emit(3, msg, &[]);
    }

    fn warning(&self, msg: &str) {
        internal_log::emit(4, msg, &[]);
    }

    fn info(&self, msg: &str) {
        internal_log::emit(6, msg, &[]);
    }

    fn debug(&self, msg: &str) {
        internal_log::emit(7, msg, &[]);
    }

    fn trace(&self, msg: &str) {
        tracing::trace!(target: internal_log::TRACE_TARGET, "{msg}");
    }
}

#[pyfunction]
fn _log(level: u8, message: &str, fields: Vec<(String, String)>) {
    native_api::log(level, message, &fields);
}

#[pyfunction]
fn _traceback(text: &str) {
    internal_log::traceback(text);
}

/// `time.sleep()` on a fetcher's worker thread: wakes early on stop.
/// Returns false on other threads (the caller then sleeps normally).
#[pyfunction]
fn _sleep_on_worker(py: Python<'_>, seconds: f64) -> bool {
    match native_api::sleep_duration(seconds) {
        Some(duration) => py.detach(|| logfetch_core::pipeline::sleep_on_worker(duration)),
        None => false,
    }
}

#[pyfunction]
fn _persist_open(name: &str) -> PyResult<()> {
    native_api::persist_open(name).map_err(PyRuntimeError::new_err)
}

#[pyfunction]
fn _persist_get<'py>(
    py: Python<'py>,
    name: &str,
    key: &str,
) -> PyResult<Option<(&'static str, Bound<'py, PyAny>)>> {
    Ok(native_api::persist_get(name, key)
        .map_err(PyRuntimeError::new_err)?
        .map(|item| match item {
            PersistItem::Text(kind, text) => (kind, PyString::new(py, &text).into_any()),
            PersistItem::Bytes(bytes) => ("bytes", PyBytes::new(py, &bytes).into_any()),
        }))
}

#[pyfunction]
fn _persist_set(name: &str, key: &str, kind: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
    let stored = if kind == "bytes" {
        native_api::persist_set_bytes(name, key, value.cast::<PyBytes>()?.as_bytes().to_vec())
    } else {
        native_api::persist_set_text(name, key, kind, value.extract::<String>()?)
    };
    stored.map_err(|e| {
        pyo3::exceptions::PyIOError::new_err(format!("value could not be stored: {e}"))
    })
}

#[pyfunction]
fn _persist_keys(name: &str) -> PyResult<Vec<String>> {
    native_api::persist_keys(name).map_err(PyRuntimeError::new_err)
}

#[pyfunction]
fn _set_persist_name(fetcher: &Bound<'_, PyLogFetcher>, name: String) {
    *fetcher.get().persist_name.lock() = Some(name);
}

#[pyfunction]
fn _check_template(text: &str) -> Option<String> {
    native_api::check_template(text)
}

#[pyfunction]
fn _format_template<'py>(
    py: Python<'py>,
    text: &str,
    msg: &Bound<'py, PyLogMessage>,
    seq_num: i64,
) -> PyResult<String> {
    let out = native_api::format_template(text, &msg.borrow().state.msg, seq_num)
        .map_err(PyTypeError::new_err)?;
    PyBytes::new(py, &out)
        .call_method1("decode", ("utf-8", "replace"))?
        .extract()
}

/// The `_syslogng` module.
#[pymodule]
pub mod _syslogng {
    #[pymodule_export]
    use super::{
        _check_template, _format_template, _log, _persist_get, _persist_keys, _persist_open,
        _persist_set, _set_persist_name, _sleep_on_worker, _traceback, PyLogFetcher, PyLogger,
    };
    #[pymodule_export]
    use crate::message::PyLogMessage;
}
