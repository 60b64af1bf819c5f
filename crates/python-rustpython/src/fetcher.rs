//! A fetcher object on RustPython: its captured methods, and the
//! worker-thread calls the core driver makes through [`FetcherCalls`].

use crate::RustpythonBackend;
use crate::bookmarks::RustpythonBookmarks;
use crate::message::PyLogMessage;
use logfetch_core::ack::BookmarkSink;
use logfetch_core::lifecycle::{FetchOutcome, Fetcher, FetcherCalls, FetcherInfo, RawFetchReturn};
use logfetch_core::message::LogMessage;
use logfetch_core::native_api::BookmarkRegistry;
use logfetch_core::native_api::fetch_return_tuple;
use parking_lot::Mutex;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyInt, PyTuple};
use rustpython_vm::vm::thread::ThreadedVirtualMachine;
use rustpython_vm::{Py, PyObjectRef, VirtualMachine};
use std::sync::Arc;

/// The methods upstream captures once, right after `init()`.
pub(crate) struct Methods {
    /// `fetch()`, or `run()` for a server-style source.
    pub main: PyObjectRef,
    pub open: Option<PyObjectRef>,
    pub close: Option<PyObjectRef>,
    pub request_exit: Option<PyObjectRef>,
    pub deinit: Option<PyObjectRef>,
}

/// The Python objects a fetcher holds; dropped inside a VM context.
pub(crate) struct Objects {
    pub host: PyObjectRef,
    pub _instance: PyObjectRef,
    pub methods: Methods,
}

/// An initialised `LogFetcher` subclass instance.
pub(crate) struct RustpythonFetcher {
    pub backend: &'static RustpythonBackend,
    /// Always `Some` until the fetcher is dropped.
    pub objects: Option<Objects>,
    /// The VM the worker thread enters for its whole life (made on the main
    /// thread, so the worker needs no lock to start).
    pub worker_vm: Mutex<Option<ThreadedVirtualMachine>>,
    pub info: FetcherInfo,
    pub bookmarks: Option<Arc<RustpythonBookmarks>>,
}

impl RustpythonFetcher {
    fn objects(&self) -> &Objects {
        self.objects
            .as_ref()
            .expect("fetcher objects live until the fetcher is dropped")
    }

    /// Reports an exception from user code with its traceback.
    fn report(&self, vm: &VirtualMachine, function: &str, exc: PyBaseExceptionRef) {
        let reported = vm.call_method(
            &self.objects().host,
            "report_exception",
            (
                self.info.driver_id.as_str(),
                self.info.class_path.as_str(),
                function,
                exc,
            ),
        );
        if let Err(e) = reported {
            vm.print_exception(&e);
        }
    }

    /// Calls an optional method, reporting exceptions; returns its result.
    fn call_optional(
        &self,
        vm: &VirtualMachine,
        method: &Option<PyObjectRef>,
        name: &str,
    ) -> Option<PyObjectRef> {
        let method = method.as_ref()?;
        match method.call((), vm) {
            Ok(r) => Some(r),
            Err(e) => {
                self.report(vm, name, e);
                None
            }
        }
    }
}

impl Drop for RustpythonFetcher {
    fn drop(&mut self) {
        let objects = self.objects.take();
        let unused_vm = self.worker_vm.get_mut().take();
        self.backend.enter(move |_vm| drop((objects, unused_vm)));
    }
}

/// Takes the core message out of a returned `LogMessage`. When nothing but
/// the returned tuple refers to it, the message moves; otherwise it is copied
/// and the Python object becomes read-only, as a posted message is upstream.
pub(crate) fn take_message(
    item: &Py<PyLogMessage>,
    exclusive: bool,
    bookmarks: Option<&BookmarkRegistry<PyObjectRef>>,
) -> (Option<LogMessage>, bool) {
    let register = bookmarks.map(|registry| move |b: &PyObjectRef| registry.register(b.clone()));
    let register = register.as_ref().map(|f| f as &dyn Fn(&PyObjectRef) -> u64);
    let (msg, has_bookmark) = item.state.lock().take_posted(exclusive, register);
    (Some(msg), has_bookmark)
}

fn inspect_return(
    ret: &PyObjectRef,
    vm: &VirtualMachine,
    bookmarks: Option<&BookmarkRegistry<PyObjectRef>>,
) -> RawFetchReturn {
    let Some(tuple) = ret.downcast_ref::<PyTuple>() else {
        return RawFetchReturn::NotATuple;
    };
    let items = tuple.as_slice();
    let len = items.len();
    let code = items
        .first()
        .and_then(|first| first.downcast_ref::<PyInt>())
        .and_then(|first| first.try_to_primitive::<i64>(vm).ok());
    fetch_return_tuple(len, code, || {
        match items[1].downcast_ref::<PyLogMessage>() {
            Some(m) => {
                // Only our reference to the tuple, and only the tuple's to the
                // message: nobody else can see it.
                let exclusive = ret.strong_count() == 1 && items[1].strong_count() == 1;
                take_message(m, exclusive, bookmarks)
            }
            None => (None, false),
        }
    })
}

struct WorkerCalls<'a> {
    vm: &'a VirtualMachine,
    fetcher: &'a RustpythonFetcher,
}

impl FetcherCalls for WorkerCalls<'_> {
    fn open(&mut self) -> bool {
        let f = self.fetcher;
        match &f.objects().methods.open {
            None => true,
            Some(open) => match open.call((), self.vm).and_then(|r| r.try_to_bool(self.vm)) {
                Ok(ok) => ok,
                Err(e) => {
                    f.report(self.vm, "open", e);
                    false
                }
            },
        }
    }

    fn fetch(&mut self) -> FetchOutcome {
        let f = self.fetcher;
        let bookmarks = f.bookmarks.as_ref().map(|b| &b.registry);
        let raw = match f.objects().methods.main.call((), self.vm) {
            Ok(ret) => inspect_return(&ret, self.vm, bookmarks),
            Err(e) => {
                f.report(self.vm, "fetch", e);
                RawFetchReturn::Raised
            }
        };
        raw.classify_tracked(&f.info.driver_id, &f.info.class_path, f.bookmarks.is_some())
    }

    fn close(&mut self) {
        let f = self.fetcher;
        f.call_optional(self.vm, &f.objects().methods.close, "close");
    }

    fn run(&mut self) {
        let f = self.fetcher;
        if let Err(e) = f.objects().methods.main.call((), self.vm) {
            f.report(self.vm, "run", e);
        }
    }

    fn release_while(&mut self, wait: &mut (dyn FnMut() + Send)) {
        // No GIL to release, but the thread is detached while it waits so a
        // stop-the-world (the cycle collector) does not wait for it.
        self.vm.allow_threads(wait);
    }
}

impl Fetcher for RustpythonFetcher {
    fn info(&self) -> &FetcherInfo {
        &self.info
    }

    fn bookmark_sink(&self) -> Option<Arc<dyn BookmarkSink>> {
        self.bookmarks.clone().map(|b| b as Arc<dyn BookmarkSink>)
    }

    fn run_worker(&self, body: &mut dyn FnMut(&mut dyn FetcherCalls)) {
        let prepared = self.worker_vm.lock().take();
        let thread_vm = prepared.unwrap_or_else(|| self.backend.enter(|vm| vm.new_thread()));
        thread_vm.run(|vm| {
            let mut calls = WorkerCalls { vm, fetcher: self };
            body(&mut calls);
            // This OS thread leaves the interpreter for good.
            rustpython_vm::vm::thread::cleanup_current_thread_frames(vm);
        });
    }

    fn request_exit(&self) {
        self.backend.enter(|vm| {
            self.call_optional(vm, &self.objects().methods.request_exit, "request_exit");
        });
    }

    fn deinit(&self) {
        self.backend.enter(|vm| {
            let methods = &self.objects().methods;
            if methods.deinit.is_none() {
                tracing::trace!(
                    driver = self.info.driver_id.as_str(),
                    "Missing optional Python method, deinit()"
                );
            }
            self.call_optional(vm, &methods.deinit, "deinit");
        });
    }
}
