//! The native `_syslogng` module: `LogFetcher`, `LogMessage`, `Logger`, and
//! the private functions `_logfetch_host.py` calls.

use crate::bookmarks::RustpythonBookmarks;
use crate::convert::str_arg;
use logfetch_core::internal_log;
use logfetch_core::lifecycle::TransportName;
use logfetch_core::pipeline::SourceLink;
use parking_lot::Mutex;
use rustpython_vm::builtins::PyType;
use rustpython_vm::function::{FuncArgs, PySetterValue};
use rustpython_vm::types::Constructor;
use rustpython_vm::{FromArgs, Py, PyObjectRef, PyResult, VirtualMachine, pyclass};
use std::sync::{Arc, OnceLock};

/// Native base of `syslogng.LogFetcher` and `syslogng.LogSource`.
#[pyclass(module = "_syslogng", name = "LogFetcher")]
#[derive(Default, rustpython_vm::PyPayload)]
pub struct PyLogFetcher {
    persist_name: Mutex<Option<String>>,
    pub(crate) link: OnceLock<Arc<SourceLink>>,
    pub(crate) transport: Arc<TransportName>,
    /// The ack tracker's bookmarks, when `init()` set up a tracker.
    pub(crate) bookmarks: OnceLock<Arc<RustpythonBookmarks>>,
}

impl PyLogFetcher {
    /// The source's link; a `RuntimeError` before the source started.
    fn started_link(&self, vm: &VirtualMachine) -> PyResult<&Arc<SourceLink>> {
        self.link
            .get()
            .ok_or_else(|| vm.new_runtime_error("the source has not been started"))
    }
}

impl std::fmt::Debug for PyLogFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PyLogFetcher")
            .field("persist_name", &self.persist_name)
            .field("driver", &self.link.get().map(|l| l.driver_id()))
            .finish_non_exhaustive()
    }
}

impl Constructor for PyLogFetcher {
    type Args = FuncArgs;

    fn py_new(_cls: &Py<PyType>, _args: FuncArgs, _vm: &VirtualMachine) -> PyResult<Self> {
        Ok(PyLogFetcher::default())
    }
}

/// `set_transport_name(name)`.
#[derive(FromArgs)]
pub struct TransportArgs {
    #[pyarg(any)]
    name: PyObjectRef,
}

#[pyclass(with(Constructor), flags(BASETYPE))]
impl PyLogFetcher {
    /// The source's persist name (read-only).
    #[pygetset]
    fn persist_name(zelf: &Py<Self>) -> Option<String> {
        zelf.persist_name.lock().clone()
    }

    /// Refuses assignment and deletion with CPython's read-only attribute error.
    #[pygetset(setter)]
    fn set_persist_name(
        _zelf: &Py<Self>,
        _value: PySetterValue,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        Err(vm.new_attribute_error(
            "attribute 'persist_name' of '_syslogng.LogFetcher' objects is not writable",
        ))
    }

    /// Sets `$TRANSPORT` for messages posted from now on.
    #[pymethod]
    fn set_transport_name(
        zelf: &Py<Self>,
        args: TransportArgs,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        zelf.transport.set(&str_arg(&args.name, vm)?);
        Ok(())
    }

    /// Hands the messages fetched so far to the destinations as one batch.
    #[pymethod]
    fn close_batch(zelf: &Py<Self>) {
        if let Some(link) = zelf.link.get() {
            link.close_batch();
        }
    }
}

/// `_syslogng.Logger`: writes to logfetch's internal log.
#[pyclass(module = "_syslogng", name = "Logger")]
#[derive(Debug, rustpython_vm::PyPayload)]
pub struct PyLogger;

impl Constructor for PyLogger {
    type Args = FuncArgs;

    fn py_new(_cls: &Py<PyType>, _args: FuncArgs, _vm: &VirtualMachine) -> PyResult<Self> {
        Ok(PyLogger)
    }
}

/// The one argument of the `Logger` methods.
#[derive(FromArgs)]
pub struct MsgArgs {
    #[pyarg(any)]
    msg: PyObjectRef,
}

impl MsgArgs {
    fn text(&self, vm: &VirtualMachine) -> PyResult<String> {
        str_arg(&self.msg, vm)
    }
}

#[pyclass(with(Constructor))]
impl PyLogger {
    #[pymethod]
    fn error(_zelf: &Py<Self>, args: MsgArgs, vm: &VirtualMachine) -> PyResult<()> {
        internal_log::emit(3, &args.text(vm)?, &[]);
        Ok(())
    }

    #[pymethod]
    fn warning(_zelf: &Py<Self>, args: MsgArgs, vm: &VirtualMachine) -> PyResult<()> {
        internal_log::emit(4, &args.text(vm)?, &[]);
        Ok(())
    }

    #[pymethod]
    fn info(_zelf: &Py<Self>, args: MsgArgs, vm: &VirtualMachine) -> PyResult<()> {
        internal_log::emit(6, &args.text(vm)?, &[]);
        Ok(())
    }

    #[pymethod]
    fn debug(_zelf: &Py<Self>, args: MsgArgs, vm: &VirtualMachine) -> PyResult<()> {
        internal_log::emit(7, &args.text(vm)?, &[]);
        Ok(())
    }

    #[pymethod]
    fn trace(_zelf: &Py<Self>, args: MsgArgs, vm: &VirtualMachine) -> PyResult<()> {
        let msg = args.text(vm)?;
        tracing::trace!(target: internal_log::TRACE_TARGET, "{msg}");
        Ok(())
    }
}

/// The `_syslogng` module.
#[rustpython_vm::pymodule]
pub mod _syslogng {
    use super::{PyLogFetcher, PyLogger};
    use crate::message::PyLogMessage;
    use logfetch_core::{internal_log, native_api};
    use rustpython_vm::builtins::{PyStrRef, PyTuple, PyTypeRef};
    use rustpython_vm::class::PyClassImpl;
    use rustpython_vm::{PyObjectRef, PyRef, PyResult, TryFromObject, VirtualMachine};

    #[pyattr(name = "LogFetcher")]
    fn log_fetcher(_vm: &VirtualMachine) -> PyTypeRef {
        PyLogFetcher::make_static_type()
    }

    #[pyattr(name = "LogMessage")]
    fn log_message(_vm: &VirtualMachine) -> PyTypeRef {
        let class = PyLogMessage::make_static_type();
        // `__new__` does all the work and `object.__init__` (inherited)
        // nothing; without an init slot, `LogMessage(...)` skips the call
        // to it and the copy of the arguments it needs.
        class.slots.init.store(None);
        class
    }

    #[pyattr(name = "Logger")]
    fn logger(_vm: &VirtualMachine) -> PyTypeRef {
        PyLogger::make_static_type()
    }

    #[pyfunction]
    fn _log(
        level: u8,
        message: String,
        fields: Vec<PyObjectRef>,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        let mut pairs = Vec::with_capacity(fields.len());
        for field in fields {
            let pair = field
                .downcast_ref::<PyTuple>()
                .filter(|t| t.len() == 2)
                .ok_or_else(|| vm.new_type_error("fields must be (str, str) tuples"))?;
            let items = pair.as_slice();
            pairs.push((
                String::try_from_object(vm, items[0].clone())?,
                String::try_from_object(vm, items[1].clone())?,
            ));
        }
        native_api::log(level, &message, &pairs);
        Ok(())
    }

    #[pyfunction]
    fn _traceback(text: String) {
        internal_log::traceback(&text);
    }

    /// `time.sleep()` on a fetcher's worker thread: wakes early on stop.
    /// Returns false on other threads (the caller then sleeps normally).
    #[pyfunction]
    fn _sleep_on_worker(seconds: PyObjectRef, vm: &VirtualMachine) -> PyResult<bool> {
        let seconds = crate::convert::to_f64(&seconds, vm)?;
        Ok(match native_api::sleep_duration(seconds) {
            // Detached like CPython's `py.detach`: a stop-the-world (the
            // cycle collector) must not wait for this sleep to end.
            Some(duration) => {
                vm.allow_threads(|| logfetch_core::pipeline::sleep_on_worker(duration))
            }
            None => false,
        })
    }

    #[pyfunction]
    fn _persist_open(name: String, vm: &VirtualMachine) -> PyResult<()> {
        native_api::persist_open(&name).map_err(|e| vm.new_runtime_error(e))
    }

    #[pyfunction]
    fn _persist_get(name: String, key: String, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let item = native_api::persist_get(&name, &key).map_err(|e| vm.new_runtime_error(e))?;
        Ok(match item {
            None => vm.ctx.none(),
            Some(native_api::PersistItem::Text(kind, text)) => vm.new_tuple((kind, text)).into(),
            Some(native_api::PersistItem::Bytes(bytes)) => {
                vm.new_tuple(("bytes", vm.ctx.new_bytes(bytes))).into()
            }
        })
    }

    #[pyfunction]
    fn _persist_set(
        name: String,
        key: String,
        kind: String,
        value: PyObjectRef,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        let stored = if kind == "bytes" {
            let bytes = value
                .downcast_ref::<rustpython_vm::builtins::PyBytes>()
                .ok_or_else(|| vm.new_type_error("bytes expected"))?
                .as_bytes()
                .to_vec();
            native_api::persist_set_bytes(&name, &key, bytes)
        } else {
            native_api::persist_set_text(&name, &key, &kind, String::try_from_object(vm, value)?)
        };
        stored.map_err(|e| vm.new_os_error(format!("value could not be stored: {e}")))
    }

    #[pyfunction]
    fn _persist_keys(name: String, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let keys = native_api::persist_keys(&name).map_err(|e| vm.new_runtime_error(e))?;
        let keys = keys.into_iter().map(|k| vm.ctx.new_str(k).into()).collect();
        Ok(vm.ctx.new_list(keys).into())
    }

    #[pyfunction]
    fn _set_persist_name(fetcher: PyRef<PyLogFetcher>, name: String) {
        *fetcher.persist_name.lock() = Some(name);
    }

    /// Whether this is the thread that runs `source`'s `run()`.
    #[pyfunction]
    fn _on_worker_thread(source: PyRef<PyLogFetcher>) -> bool {
        source
            .link
            .get()
            .is_some_and(|link| logfetch_core::pipeline::is_worker_of(link))
    }

    /// `post_message(msg)` of a server-style source, after the Python side
    /// checked the thread and the type; returns whether the window has room.
    #[pyfunction]
    fn _source_post(
        source: PyRef<PyLogFetcher>,
        msg: PyRef<PyLogMessage>,
        vm: &VirtualMachine,
    ) -> PyResult<bool> {
        let link = source.started_link(vm)?;
        let take = || {
            let bookmarks = source.bookmarks.get().map(|b| &b.registry);
            // Copied: the caller still holds `msg` (now read-only).
            let (taken, has_bookmark) = crate::fetcher::take_message(&msg, false, bookmarks);
            (taken.unwrap_or_default(), has_bookmark)
        };
        native_api::source_post(link, &source.transport, take).map_err(|e| vm.new_runtime_error(e))
    }

    /// Waits, detached from the VM, until `source`'s window has room.
    #[pyfunction]
    fn _source_wait_room(source: PyRef<PyLogFetcher>, vm: &VirtualMachine) -> PyResult<()> {
        let link = source.started_link(vm)?.clone();
        vm.allow_threads(|| native_api::source_wait_room(&link));
        Ok(())
    }

    /// The fast path of `json.loads()` (see `json_scan`): the value at
    /// `idx` and the index after it, or `None` for the stock scanner.
    #[pyfunction]
    fn _json_scan(
        string: PyStrRef,
        idx: isize,
        vm: &VirtualMachine,
    ) -> Option<(PyObjectRef, usize)> {
        let text = string.to_str()?;
        crate::json_scan::scan(text, usize::try_from(idx).ok()?, vm)
    }

    /// The fast path of `json.loads(string)` for a whole document, or
    /// `None` for the stock decoder.
    #[pyfunction]
    fn _json_loads(string: PyStrRef, vm: &VirtualMachine) -> Option<PyObjectRef> {
        crate::json_scan::loads(string.to_str()?, vm)
    }

    #[pyfunction]
    fn _check_template(text: String) -> Option<String> {
        native_api::check_template(&text)
    }

    #[pyfunction]
    fn _format_template(
        text: String,
        msg: PyRef<PyLogMessage>,
        seq_num: i64,
        vm: &VirtualMachine,
    ) -> PyResult<PyStrRef> {
        let out = native_api::format_template(&text, &msg.state.lock().msg, seq_num)
            .map_err(|e| vm.new_type_error(e))?;
        vm.call_method(
            vm.ctx.new_bytes(out).as_ref(),
            "decode",
            ("utf-8", "replace"),
        )?
        .try_into_value(vm)
    }
}
