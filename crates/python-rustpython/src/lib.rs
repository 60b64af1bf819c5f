//! The RustPython backend: syslog-ng Python sources on RustPython, a Python
//! interpreter written in Rust (no system Python needed).
//!
//! The interpreter starts once per process with the native `_syslogng`
//! module registered; the shared `syslogng.py` and `_logfetch_host.py`
//! (from `logfetch_core::python_sources`) are loaded on top. RustPython has
//! no GIL: each fetcher's worker thread gets its own thread VM and enters it
//! once for its whole life, so a `fetch()` costs one Python call; the main
//! thread (`init`, `request_exit`, `deinit`) uses the interpreter's main VM,
//! which a lock hands to one thread at a time.

mod bookmarks;
mod convert;
mod fetcher;
mod json_scan;
mod message;
mod native;
mod parse_options;

use fetcher::{Methods, Objects, RustpythonFetcher};
use logfetch_core::lifecycle::{Backend, Fetcher, FetcherSpec, InitError, Program, ProgramSpec};
use logfetch_core::options::OptionValue;
use native::PyLogFetcher;
use parking_lot::{Mutex, ReentrantMutex};
use rustpython::InterpreterBuilderExt;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyTuple};
use rustpython_vm::vm::thread::ThreadedVirtualMachine;
use rustpython_vm::{
    AsObject, Interpreter, InterpreterBuilder, PyObjectRef, PyResult, Settings, TryFromObject,
    VirtualMachine,
};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, OnceLock};

/// The RustPython backend.
pub struct RustpythonBackend {
    /// The interpreter; its main VM serves one thread at a time.
    interp: ReentrantMutex<Interpreter>,
    /// The `_logfetch_host` module.
    host: PyObjectRef,
    /// The thread that created the interpreter (the main VM's stack bounds are its).
    main_thread: std::thread::ThreadId,
}

thread_local! {
    /// The VM of a thread other than the interpreter's (a destination's).
    static THREAD_VM: std::cell::RefCell<Option<ThreadedVirtualMachine>> =
        const { std::cell::RefCell::new(None) };
}

static BACKEND: OnceLock<Result<RustpythonBackend, InitError>> = OnceLock::new();

/// `PYTHONPATH` entries, which CPython puts on `sys.path` by itself (and
/// RustPython only in its own command line): each made absolute, an empty
/// entry meaning the current directory. `site` then drops duplicates.
fn pythonpath() -> Vec<String> {
    let Some(value) = std::env::var_os("PYTHONPATH") else {
        return Vec::new();
    };
    std::env::split_paths(&value)
        .map(|p| {
            let p = if p.as_os_str().is_empty() {
                std::env::current_dir().unwrap_or(p)
            } else {
                std::path::absolute(&p).unwrap_or(p)
            };
            p.to_string_lossy().into_owned()
        })
        .collect()
}

/// The text encoding CPython would pick at start-up.
struct LocaleChoice {
    /// UTF-8 mode: `PYTHONUTF8` if set, else on for the C/POSIX locale
    /// (PEP 540), else off (the locale's encoding).
    utf8_mode: i8,
    /// Whether the locale's codeset is UTF-8 (CPython then names the stdio
    /// encoding `utf-8`).
    utf8_codeset: bool,
}

/// Sets `LC_CTYPE` from the environment, as CPython does when it starts.
fn configure_locale() -> LocaleChoice {
    // SAFETY: called once, before the interpreter exists; the strings are
    // NUL-terminated and each returned string is read before the next call.
    let (is_c_locale, utf8_codeset) = unsafe {
        libc::setlocale(libc::LC_CTYPE, c"".as_ptr());
        let name = libc::setlocale(libc::LC_CTYPE, std::ptr::null());
        let is_c =
            name.is_null() || matches!(std::ffi::CStr::from_ptr(name).to_bytes(), b"C" | b"POSIX");
        let codeset = libc::nl_langinfo(libc::CODESET);
        let utf8 = !codeset.is_null()
            && matches!(
                std::ffi::CStr::from_ptr(codeset)
                    .to_bytes()
                    .to_ascii_lowercase()
                    .as_slice(),
                b"utf-8" | b"utf8"
            );
        (is_c, utf8)
    };
    let utf8_mode = match std::env::var("PYTHONUTF8").as_deref() {
        Ok("1") => 1,
        Ok("0") => 0,
        _ if is_c_locale => 1,
        _ => 0,
    };
    LocaleChoice {
        utf8_mode,
        utf8_codeset,
    }
}

fn settings() -> Settings {
    let mut settings = Settings::default();
    let locale = configure_locale();
    settings.utf8_mode = locale.utf8_mode;
    if locale.utf8_mode <= 0 && locale.utf8_codeset {
        settings.stdio_encoding = Some("utf-8".to_owned());
    }
    // logfetch handles SIGINT/SIGTERM/SIGHUP itself (as the CPython backend,
    // which starts the interpreter without signal handlers).
    settings.install_signal_handlers = false;
    settings.path_list = pythonpath();
    settings
}

/// Formats a traceback as CPython's `PyTraceBack_Print` does (empty when
/// there is none).
fn format_traceback(vm: &VirtualMachine, exc: &PyBaseExceptionRef) -> String {
    let Some(tb) = exc.__traceback__() else {
        return String::new();
    };
    let lines = vm.import("traceback", 0).and_then(|m| {
        let lines = vm.call_method(&m, "format_tb", (tb,))?;
        let joined = vm.call_method(vm.ctx.new_str("").as_object(), "join", (lines,))?;
        String::try_from_object(vm, joined)
    });
    match lines {
        Ok(lines) => format!("Traceback (most recent call last):\n{lines}"),
        Err(_) => String::new(),
    }
}

/// `str(exc)`, as CPython's error display shows it.
fn exception_text(vm: &VirtualMachine, exc: &PyBaseExceptionRef) -> String {
    exc.as_object()
        .str(vm)
        .map(|s| s.to_string())
        .unwrap_or_else(|_| "<exception str() failed>".to_owned())
}

/// Turns an exception from the host helpers into an [`InitError`]. A
/// `HostError` was already reported; anything else is reported here.
pub(crate) fn host_failure(vm: &VirtualMachine, exc: PyBaseExceptionRef) -> InitError {
    let type_name = exc.class().name().to_string();
    let text = exception_text(vm, &exc);
    if type_name != "HostError" {
        let tb = format_traceback(vm, &exc);
        logfetch_core::internal_log::traceback(&format!("{tb}{type_name}: {text}"));
    }
    InitError(text)
}

/// A panic inside the interpreter, as an [`InitError`].
fn panicked(what: &str) -> InitError {
    let text = format!("the RustPython interpreter panicked while {what}");
    tracing::error!("{text}");
    InitError(text)
}

/// The host's Python files (`logfetch_core::python_sources`), compiled
/// when logfetch is built (compiling them took 6 ms of every start). Their
/// code carries the file names the CPython backend shows in tracebacks.
fn host_modules() -> impl Iterator<Item = (&'static str, rustpython_vm::frozen::FrozenModule)> {
    let syslogng = rustpython_vm::py_freeze!(
        file = "../../core/python/syslogng.py",
        module_name = "<logfetch>/syslogng.py"
    );
    let host = rustpython_vm::py_freeze!(
        file = "../../core/python/_logfetch_host.py",
        module_name = "<logfetch>/_logfetch_host.py"
    );
    // Cargo does not see the files `py_freeze!` reads: these make it
    // rebuild this crate (and so freeze them again) when they change.
    const _: &str = include_str!("../../core/python/syslogng.py");
    const _: &str = include_str!("../../core/python/_logfetch_host.py");
    let named = |name: &'static str| move |(_, module)| (name, module);
    (syslogng.into_iter().map(named("syslogng")))
        .chain(host.into_iter().map(named("_logfetch_host")))
}

fn start() -> Result<RustpythonBackend, InitError> {
    let builder = InterpreterBuilder::new()
        .settings(settings())
        .init_stdlib()
        .add_frozen_modules(host_modules());
    let def = native::_syslogng::module_def(&builder.ctx);
    let interp = builder.add_native_module(def).interpreter();
    let host = interp.enter(|vm| {
        let load = || -> PyResult<PyObjectRef> {
            let argv = vm.ctx.new_list(vec![vm.ctx.new_str("logfetch").into()]);
            vm.sys_module.set_attr("argv", argv, vm)?;
            // CPython imports `site` when it starts; RustPython leaves that
            // to its command line. It also normalises and dedups sys.path.
            if let Err(e) = vm.import("site", 0) {
                tracing::warn!(
                    error = exception_text(vm, &e).as_str(),
                    "RustPython could not import the site module"
                );
            }
            vm.import("syslogng", 0)?;
            vm.import("_logfetch_host", 0)
        };
        load().map_err(|e| host_failure(vm, e))
    })?;
    Ok(RustpythonBackend {
        interp: ReentrantMutex::new(interp),
        host,
        main_thread: std::thread::current().id(),
    })
}

impl RustpythonBackend {
    /// The backend if it was started (without starting it).
    pub fn started() -> Option<&'static RustpythonBackend> {
        BACKEND.get().and_then(|b| b.as_ref().ok())
    }

    /// Starts the interpreter (once per process) and returns the backend.
    pub fn get() -> Result<&'static RustpythonBackend, InitError> {
        BACKEND
            .get_or_init(|| catch_unwind(start).unwrap_or_else(|_| Err(panicked("starting"))))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Runs `f` on this thread: the main VM on the interpreter's own thread,
    /// elsewhere a thread VM of this thread's own (a VM's stack limits belong
    /// to the thread it was made for; the main VM used from another thread
    /// sees a recursion error).
    pub(crate) fn run_here<R>(&self, f: impl FnOnce(&VirtualMachine) -> R) -> R {
        if std::thread::current().id() == self.main_thread {
            return self.enter(f);
        }
        let vm = THREAD_VM
            .with(|slot| slot.borrow_mut().take())
            .unwrap_or_else(|| self.enter(|vm| vm.new_thread()));
        let result = vm.run(f);
        THREAD_VM.with(|slot| *slot.borrow_mut() = Some(vm));
        result
    }

    /// Runs `f` on the interpreter's main VM (one thread at a time; nested
    /// calls on the same thread are fine).
    pub(crate) fn enter<R>(&self, f: impl FnOnce(&VirtualMachine) -> R) -> R {
        let interp = self.interp.lock();
        interp.enter(f)
    }
}

struct RustpythonProgram {
    backend: &'static RustpythonBackend,
}

impl Backend for RustpythonBackend {
    fn name(&self) -> &'static str {
        "rustpython"
    }

    fn flush_stdio(&self) {
        let _ = catch_unwind(AssertUnwindSafe(|| {
            self.enter(|vm| {
                let _ = vm.call_method(&self.host, "flush_stdio", ());
            })
        }));
    }

    fn load_program(&self, spec: &ProgramSpec) -> Result<Box<dyn Program>, InitError> {
        let backend: &'static RustpythonBackend = match BACKEND.get() {
            Some(Ok(b)) if std::ptr::eq(b, self) => b,
            _ => return Err(InitError("the RustPython backend is not started".into())),
        };
        let loaded = catch_unwind(AssertUnwindSafe(|| {
            self.enter(|vm| {
                let ctx = &vm.ctx;
                let paths: Vec<PyObjectRef> = spec
                    .sys_path
                    .iter()
                    .map(|p| ctx.new_str(p.display().to_string()).into())
                    .collect();
                let blocks: Vec<PyObjectRef> = spec
                    .code
                    .iter()
                    .map(|c| {
                        let parts = (c.text.as_str(), c.filename.as_str(), c.location.as_str());
                        vm.new_tuple(parts).into()
                    })
                    .collect();
                vm.call_method(&self.host, "set_sys_path", (ctx.new_list(paths),))
                    .and_then(|_| {
                        vm.call_method(&self.host, "load_main_module", (ctx.new_list(blocks),))
                    })
                    .map(drop)
                    .map_err(|e| host_failure(vm, e))
            })
        }));
        loaded.unwrap_or_else(|_| Err(panicked("loading the python {} code")))?;
        Ok(Box::new(RustpythonProgram { backend }))
    }
}

fn option_to_python(vm: &VirtualMachine, value: &OptionValue) -> (PyObjectRef, bool) {
    let ctx = &vm.ctx;
    match value {
        OptionValue::Str(s) => (ctx.new_str(s.as_str()).into(), false),
        OptionValue::Int(i) => (ctx.new_int(*i).into(), false),
        OptionValue::Float(f) => (ctx.new_float(*f).into(), false),
        OptionValue::Bool(b) => (ctx.new_bool(*b).into(), false),
        OptionValue::List(items) => (
            ctx.new_list(
                items
                    .iter()
                    .map(|i| ctx.new_str(i.as_str()).into())
                    .collect(),
            )
            .into(),
            false,
        ),
        OptionValue::Template(t) => (ctx.new_str(t.as_str()).into(), true),
    }
}

/// What `_logfetch_host.initialize()` returns.
struct Setup {
    persist_name: String,
    auto_close_batches: bool,
    methods: Methods,
}

fn optional(vm: &VirtualMachine, obj: &PyObjectRef) -> Option<PyObjectRef> {
    if vm.is_none(obj) {
        None
    } else {
        Some(obj.clone())
    }
}

fn extract_setup(vm: &VirtualMachine, setup: PyObjectRef) -> PyResult<Setup> {
    let tuple = setup
        .downcast_ref::<PyTuple>()
        .filter(|t| t.len() == 7)
        .ok_or_else(|| vm.new_type_error("initialize() must return a 7-tuple"))?;
    let items = tuple.as_slice();
    Ok(Setup {
        persist_name: String::try_from_object(vm, items[0].clone())?,
        auto_close_batches: bool::try_from_object(vm, items[1].clone())?,
        methods: Methods {
            main: items[2].clone(),
            open: optional(vm, &items[3]),
            close: optional(vm, &items[4]),
            request_exit: optional(vm, &items[5]),
            deinit: optional(vm, &items[6]),
        },
    })
}

impl Program for RustpythonProgram {
    fn create_fetcher(&self, spec: FetcherSpec) -> Result<Box<dyn Fetcher>, InitError> {
        let backend = self.backend;
        let host = &backend.host;
        let created = catch_unwind(AssertUnwindSafe(|| {
            backend.enter(|vm| {
                let ctx = &vm.ctx;
                let create = || -> PyResult<RustpythonFetcher> {
                    let loaders: Vec<PyObjectRef> = spec
                        .loaders
                        .iter()
                        .map(|l| ctx.new_str(l.as_str()).into())
                        .collect();
                    let driver = spec.kind.driver_name();
                    let instance = vm.call_method(
                        host,
                        "instantiate",
                        (
                            driver,
                            spec.driver_id.as_str(),
                            spec.class_path.as_str(),
                            ctx.new_list(loaders),
                        ),
                    )?;
                    let native = instance.downcast_ref::<PyLogFetcher>().ok_or_else(|| {
                        vm.new_type_error(format!(
                            "'{}' object cannot be cast as 'LogFetcher'",
                            instance.class().name()
                        ))
                    })?;
                    let _ = native.link.set(spec.link.clone());
                    let transport = native.transport.clone();
                    let items: Vec<PyObjectRef> = spec
                        .options
                        .0
                        .iter()
                        .map(|(key, value)| {
                            let (value, is_template) = option_to_python(vm, value);
                            vm.new_tuple((key.as_str(), value, is_template)).into()
                        })
                        .collect();
                    let persist_name: PyObjectRef = match &spec.persist_name {
                        Some(name) => ctx.new_str(name.as_str()).into(),
                        None => ctx.none(),
                    };
                    let flags: Vec<PyObjectRef> = spec
                        .flags
                        .iter()
                        .map(|(name, value)| vm.new_tuple((name.as_str(), *value)).into())
                        .collect();
                    let args: Vec<PyObjectRef> = vec![
                        ctx.new_str(driver).into(),
                        instance.clone(),
                        ctx.new_str(spec.driver_id.as_str()).into(),
                        ctx.new_str(spec.class_path.as_str()).into(),
                        ctx.new_list(items).into(),
                        persist_name,
                        ctx.new_list(flags).into(),
                        parse_options::capsule(&spec.parse_options),
                    ];
                    let setup = vm.call_method(host, "initialize", args)?;
                    let setup = extract_setup(vm, setup)?;
                    let tracker = vm.call_method(
                        host,
                        "ack_tracker_of",
                        (
                            instance.clone(),
                            spec.driver_id.as_str(),
                            spec.class_path.as_str(),
                        ),
                    )?;
                    let tracker = tracker
                        .downcast_ref::<PyTuple>()
                        .filter(|t| t.len() == 4)
                        .ok_or_else(|| vm.new_type_error("ack_tracker_of() must return a 4-tuple"))?
                        .as_slice()
                        .to_vec();
                    let kind = String::try_from_object(vm, tracker[0].clone())?;
                    let ack = logfetch_core::native_api::ack_mode(
                        &kind,
                        u64::try_from_object(vm, tracker[2].clone())?,
                        usize::try_from_object(vm, tracker[3].clone())?,
                    );
                    let bookmarks = ack.map(|_| {
                        Arc::new(bookmarks::RustpythonBookmarks {
                            backend,
                            registry: Default::default(),
                            callback: Some(tracker[1].clone()),
                            host: Some(host.clone()),
                            driver_id: spec.driver_id.clone(),
                        })
                    });
                    if let Some(b) = &bookmarks {
                        let _ = native.bookmarks.set(b.clone());
                    }
                    Ok(RustpythonFetcher {
                        backend,
                        objects: Some(Objects {
                            host: host.clone(),
                            _instance: instance,
                            methods: setup.methods,
                        }),
                        worker_vm: Mutex::new(Some(vm.new_thread())),
                        info: logfetch_core::lifecycle::FetcherInfo {
                            driver_id: spec.driver_id.clone(),
                            kind: spec.kind,
                            class_path: spec.class_path.clone(),
                            persist_name: setup.persist_name,
                            auto_close_batches: setup.auto_close_batches,
                            transport,
                            ack,
                        },
                        bookmarks,
                    })
                };
                create()
                    .map(|f| Box::new(f) as Box<dyn Fetcher>)
                    .map_err(|e| host_failure(vm, e))
            })
        }));
        created.unwrap_or_else(|_| Err(panicked("creating a python-fetcher() source")))
    }
}
