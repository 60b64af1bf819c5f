//! A fetcher object on CPython: its captured methods, and the worker-thread
//! calls the core driver makes through [`FetcherCalls`].

use crate::bookmarks::CpythonBookmarks;
use crate::message::PyLogMessage;
use logfetch_core::ack::BookmarkSink;
use logfetch_core::lifecycle::{FetchOutcome, Fetcher, FetcherCalls, FetcherInfo, RawFetchReturn};
use logfetch_core::message::LogMessage;
use logfetch_core::native_api::BookmarkRegistry;
use logfetch_core::native_api::fetch_return_tuple;
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyModule, PyTuple};
use std::sync::Arc;

/// The methods upstream captures once, right after `init()`.
pub(crate) struct Methods {
    /// `fetch()`, or `run()` for a server-style source.
    pub main: Py<PyAny>,
    pub open: Option<Py<PyAny>>,
    pub close: Option<Py<PyAny>>,
    pub request_exit: Option<Py<PyAny>>,
    pub deinit: Option<Py<PyAny>>,
}

/// An initialised `LogFetcher` subclass instance.
pub(crate) struct CpythonFetcher {
    pub host: Py<PyModule>,
    pub _instance: Py<PyAny>,
    pub methods: Methods,
    pub info: FetcherInfo,
    pub bookmarks: Option<Arc<CpythonBookmarks>>,
}

impl CpythonFetcher {
    /// Reports an exception from user code with its traceback.
    fn report(&self, py: Python<'_>, function: &str, err: PyErr) {
        let reported = self.host.bind(py).call_method1(
            "report_exception",
            (
                &self.info.driver_id,
                &self.info.class_path,
                function,
                crate::exception_with_traceback(py, &err),
            ),
        );
        if let Err(e) = reported {
            e.print(py);
        }
    }

    /// Calls an optional method, reporting exceptions; returns its result.
    fn call_optional<'py>(
        &self,
        py: Python<'py>,
        method: &Option<Py<PyAny>>,
        name: &str,
    ) -> Option<Bound<'py, PyAny>> {
        let method = method.as_ref()?;
        match method.bind(py).call0() {
            Ok(r) => Some(r),
            Err(e) => {
                self.report(py, name, e);
                None
            }
        }
    }
}

/// Takes the core message out of a returned `LogMessage`. When nothing but
/// the returned tuple refers to it, the message moves; otherwise it is copied
/// and the Python object becomes read-only, as a posted message is upstream.
pub(crate) fn take_message(
    item: &Bound<'_, PyLogMessage>,
    exclusive: bool,
    bookmarks: Option<&BookmarkRegistry<Py<PyAny>>>,
) -> (Option<LogMessage>, bool) {
    match item.try_borrow_mut() {
        Ok(mut m) => {
            let py = item.py();
            let register =
                bookmarks.map(|registry| move |b: &Py<PyAny>| registry.register(b.clone_ref(py)));
            let register = register.as_ref().map(|f| f as &dyn Fn(&Py<PyAny>) -> u64);
            let (msg, has_bookmark) = m.state.take_posted(exclusive, register);
            (Some(msg), has_bookmark)
        }
        Err(_) => (None, false),
    }
}

fn refcount(obj: &Bound<'_, PyAny>) -> isize {
    // SAFETY: `obj` is a live object; reading its reference count is a plain load.
    unsafe { pyo3::ffi::Py_REFCNT(obj.as_ptr()) }
}

fn inspect_return(
    ret: &Bound<'_, PyAny>,
    bookmarks: Option<&BookmarkRegistry<Py<PyAny>>>,
) -> RawFetchReturn {
    let Ok(tuple) = ret.cast::<PyTuple>() else {
        return RawFetchReturn::NotATuple;
    };
    let len = tuple.len();
    let code = tuple
        .get_item(0)
        .ok()
        .filter(|first| first.is_instance_of::<PyInt>())
        .and_then(|first| first.extract::<i64>().ok());
    fetch_return_tuple(len, code, || match tuple.get_item(1) {
        Ok(second) => match second.cast::<PyLogMessage>() {
            Ok(m) => {
                // Our tuple reference plus `second`: nobody else can see it.
                let exclusive = refcount(ret) == 1 && refcount(&second) == 2;
                take_message(m, exclusive, bookmarks)
            }
            Err(_) => (None, false),
        },
        Err(_) => (None, false),
    })
}

struct WorkerCalls<'a, 'py> {
    py: Python<'py>,
    fetcher: &'a CpythonFetcher,
}

impl FetcherCalls for WorkerCalls<'_, '_> {
    fn open(&mut self) -> bool {
        let f = self.fetcher;
        match &f.methods.open {
            None => true,
            Some(open) => match open.bind(self.py).call0().and_then(|r| r.is_truthy()) {
                Ok(ok) => ok,
                Err(e) => {
                    f.report(self.py, "open", e);
                    false
                }
            },
        }
    }

    fn fetch(&mut self) -> FetchOutcome {
        let f = self.fetcher;
        let bookmarks = f.bookmarks.as_ref().map(|b| &b.registry);
        let raw = match f.methods.main.bind(self.py).call0() {
            Ok(ret) => inspect_return(&ret, bookmarks),
            Err(e) => {
                f.report(self.py, "fetch", e);
                RawFetchReturn::Raised
            }
        };
        raw.classify_tracked(&f.info.driver_id, &f.info.class_path, f.bookmarks.is_some())
    }

    fn close(&mut self) {
        self.fetcher
            .call_optional(self.py, &self.fetcher.methods.close, "close");
    }

    fn run(&mut self) {
        let f = self.fetcher;
        if let Err(e) = f.methods.main.bind(self.py).call0() {
            f.report(self.py, "run", e);
        }
    }

    fn release_while(&mut self, wait: &mut (dyn FnMut() + Send)) {
        self.py.detach(wait);
    }
}

impl Fetcher for CpythonFetcher {
    fn info(&self) -> &FetcherInfo {
        &self.info
    }

    fn bookmark_sink(&self) -> Option<Arc<dyn BookmarkSink>> {
        self.bookmarks.clone().map(|b| b as Arc<dyn BookmarkSink>)
    }

    fn run_worker(&self, body: &mut dyn FnMut(&mut dyn FetcherCalls)) {
        Python::attach(|py| {
            let mut calls = WorkerCalls { py, fetcher: self };
            body(&mut calls);
        });
    }

    fn request_exit(&self) {
        Python::attach(|py| {
            self.call_optional(py, &self.methods.request_exit, "request_exit");
        });
    }

    fn deinit(&self) {
        Python::attach(|py| {
            if self.methods.deinit.is_none() {
                tracing::trace!(
                    driver = self.info.driver_id.as_str(),
                    "Missing optional Python method, deinit()"
                );
            }
            self.call_optional(py, &self.methods.deinit, "deinit");
        });
    }
}
