//! The native `_syslogng` module: `LogFetcher`, `LogMessage`, `Logger`, and
//! the private functions `_logfetch_host.py` calls.

use crate::bookmarks::CpythonBookmarks;
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

/// Native base of `syslogng.LogFetcher` and `syslogng.LogSource`.
#[pyclass(subclass, frozen, name = "LogFetcher", module = "_syslogng")]
#[derive(Default)]
pub struct PyLogFetcher {
    persist_name: Mutex<Option<String>>,
    pub(crate) link: OnceLock<Arc<SourceLink>>,
    pub(crate) transport: Arc<TransportName>,
    /// The ack tracker's bookmarks, when `init()` set up a tracker.
    pub(crate) bookmarks: OnceLock<Arc<CpythonBookmarks>>,
}

impl PyLogFetcher {
    /// The source's link; a `RuntimeError` before the source started.
    fn started_link(&self) -> PyResult<&Arc<SourceLink>> {
        self.link
            .get()
            .ok_or_else(|| PyRuntimeError::new_err("the source has not been started"))
    }
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

/// Whether this is the thread that runs `source`'s `run()`.
#[pyfunction]
fn _on_worker_thread(source: &Bound<'_, PyLogFetcher>) -> bool {
    source
        .get()
        .link
        .get()
        .is_some_and(|link| logfetch_core::pipeline::is_worker_of(link))
}

/// `post_message(msg)` of a server-style source, after the Python side
/// checked the thread and the type; returns whether the window has room.
#[pyfunction]
fn _source_post(source: &Bound<'_, PyLogFetcher>, msg: &Bound<'_, PyLogMessage>) -> PyResult<bool> {
    let native = source.get();
    let link = native.started_link()?;
    let take = || {
        let bookmarks = native.bookmarks.get().map(|b| &b.registry);
        // Copied: the caller still holds `msg` (now read-only).
        let (taken, has_bookmark) = crate::fetcher::take_message(msg, false, bookmarks);
        (taken.unwrap_or_default(), has_bookmark)
    };
    native_api::source_post(link, &native.transport, take).map_err(PyRuntimeError::new_err)
}

/// Waits, with the interpreter released, until `source`'s window has room.
#[pyfunction]
fn _source_wait_room(py: Python<'_>, source: &Bound<'_, PyLogFetcher>) -> PyResult<()> {
    let link = source.get().started_link()?.clone();
    py.detach(|| native_api::source_wait_room(&link));
    Ok(())
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
        _check_template, _format_template, _log, _on_worker_thread, _persist_get, _persist_keys,
        _persist_open, _persist_set, _set_persist_name, _sleep_on_worker, _source_post,
        _source_wait_room, _traceback, PyLogFetcher, PyLogger,
    };
    #[pymodule_export]
    use crate::message::PyLogMessage;
}
