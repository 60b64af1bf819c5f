"""Host-side helpers that both logfetch backends call.

Everything a source needs before it starts — running the `python {}` blocks,
resolving `class()`, checking the instance, the persist name, `self.flags`,
`init(options)` — happens here, once, in Python, so CPython and RustPython
follow exactly the same rules and wording. Errors are reported to the
internal log through `_syslogng._log` and then raised as `HostError`.
"""

import importlib
import sys
import time
import types

import _syslogng
import syslogng

ERROR, WARNING, INFO, DEBUG = 3, 4, 6, 7

IMPORT_HINT = (
    "Python module could not be imported. Make sure it is in the "
    "configuration's directory, its python/ subdirectory, /etc/syslog-ng/python "
    "or on PYTHONPATH, and that the interpreter "
    "logfetch embeds can import its dependencies"
)


_blocking_sleep = time.sleep


def _sleep(seconds):
    """time.sleep() that ends early on a fetcher thread when logfetch stops,
    so a fetch() sleeping in it cannot hold up shutdown."""
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds >= 0:
        if _syslogng._sleep_on_worker(seconds):
            return None
    return _blocking_sleep(seconds)


time.sleep = _sleep


class HostError(Exception):
    """A source could not be set up; already reported."""


HOST_FILE_PREFIX = "<logfetch>/"


def _report_traceback(exc, with_stack=True):
    """Sends `exc`'s traceback (or only its last line) to the internal log.
    Frames of logfetch's own Python files are left out: the traceback shows
    the user's code, as syslog-ng's does."""
    # Imported here: `traceback` pulls in much of the standard library, which
    # would add milliseconds to every start on RustPython.
    import traceback

    if with_stack:
        report = traceback.TracebackException(type(exc), exc, exc.__traceback__)
        _hide_host_frames(traceback, report)
        lines = report.format()
    else:
        lines = traceback.format_exception_only(type(exc), exc)
    _syslogng._traceback("".join(lines))


def _hide_host_frames(traceback, report):
    """Drops logfetch's frames from `report` and the exceptions chained to
    it, unless nothing else would be left."""
    pending, seen = [report], set()
    while pending:
        item = pending.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        user = [f for f in item.stack if not f.filename.startswith(HOST_FILE_PREFIX)]
        if user:
            item.stack = traceback.StackSummary.from_list(user)
        pending.extend((item.__cause__, item.__context__))


def _register_source(filename, text):
    """Lets tracebacks show the lines of a `python {}` block, as they show
    a module file's."""
    import linecache

    lines = text.splitlines(keepends=True)
    linecache.cache[filename] = (len(text), None, lines, filename)


def _exception_text(exc):
    return "%s: %s" % (type(exc).__name__, exc)


def report_exception(driver_id, class_path, function, exc):
    """Reports an exception raised by a user callback, traceback included."""
    _syslogng._log(
        ERROR,
        "Exception while calling a Python function",
        [
            ("caller", driver_id),
            ("class", class_path),
            ("function", function),
            ("exception", _exception_text(exc)),
        ],
    )
    _report_traceback(exc)


def _fail(message, fields):
    _syslogng._log(ERROR, message, fields)
    raise HostError(message)


def load_main_module(blocks):
    """Executes the `python {}` blocks, in order, into a fresh `_syslogng_main`.
    `blocks` holds (text, file name for tracebacks, `file:line:col` of the
    block). A block that does not compile or run is a configuration error,
    reported at its location."""
    module = types.ModuleType("_syslogng_main")
    sys.modules["_syslogng_main"] = module
    for text, filename, location in blocks:
        try:
            code = compile(text, filename, "exec")
        except Exception as exc:
            _syslogng._log(
                ERROR, "Error compiling Python global code block", [("exception", _exception_text(exc))]
            )
            _report_traceback(exc, with_stack=False)
            _fail("Error processing global python block in " + location, [])
        _register_source(filename, text)
        try:
            exec(code, module.__dict__)
        except Exception as exc:
            _syslogng._log(
                ERROR, "Error evaluating global Python block", [("exception", _exception_text(exc))]
            )
            _report_traceback(exc)
            _fail("Error processing global python block in " + location, [])
    return module


def flush_stdio():
    """Writes out what Python code left in the sys.stdout and sys.stderr
    buffers, as finalizing the interpreter would (logfetch exits without)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def set_sys_path(front):
    """Puts the configuration's directories first on sys.path."""
    for path in reversed(front):
        if path in sys.path:
            sys.path.remove(path)
        sys.path.insert(0, path)


def _resolve_class(driver, driver_id, class_path):
    module_name, _, class_name = class_path.rpartition(".")
    try:
        if module_name:
            module = importlib.import_module(module_name)
        else:
            module = sys.modules["_syslogng_main"]
        return getattr(module, class_name)
    except Exception as exc:
        _report_traceback(exc)
        if isinstance(exc, ImportError):
            _syslogng._log(ERROR, IMPORT_HINT, [("module", module_name)])
        _fail(
            driver + ": Error looking up Python driver class",
            [("driver", driver_id), ("class", class_path), ("exception", _exception_text(exc))],
        )


def build_options(items):
    """A fresh options dict from (key, value, is_template) triples."""
    options = {}
    for key, value, is_template in items:
        if is_template:
            value = syslogng.LogTemplate(value)
        elif isinstance(value, list):
            value = list(value)
        options[key] = value
    return options


def instantiate(driver, driver_id, class_path, loaders):
    """Imports `loaders()`, resolves `class()`, instantiates and checks it.

    `driver` is "python-fetcher" or "python-source" (server-style `python()`).
    """
    for name in loaders:
        try:
            importlib.import_module(name)
        except Exception as exc:
            _syslogng._log(
                ERROR,
                "Error loading Python module",
                [("driver", driver_id), ("module", name), ("exception", _exception_text(exc))],
            )
    cls = _resolve_class(driver, driver_id, class_path)
    try:
        instance = cls()
    except Exception as exc:
        report_exception(driver_id, class_path, "__init__", exc)
        _fail(
            driver + ": Error instantiating Python driver class",
            [("driver", driver_id), ("class", class_path), ("exception", _exception_text(exc))],
        )
    if driver == "python-source":
        return _checked_source(instance, driver_id, class_path)
    if not isinstance(instance, _syslogng.LogFetcher) or isinstance(instance, syslogng.LogSource):
        _fail(
            "python-fetcher: Error initializing Python fetcher, class is not a subclass of LogFetcher",
            [("driver", driver_id), ("class", class_path)],
        )
    fetch = getattr(type(instance), "fetch", None)
    if not callable(getattr(instance, "fetch", None)) or fetch is syslogng.LogFetcher.fetch:
        _fail(
            "python-fetcher: Error initializing Python fetcher, class does not have a fetch() method",
            [("driver", driver_id), ("class", class_path)],
        )
    return instance


def _checked_source(instance, driver_id, class_path):
    """A server-style source: a `syslogng.LogSource` whose `suspend()`, if
    any, comes with `wakeup()`; `auto_close_batches` starts true."""
    where = [("driver", driver_id), ("class", class_path)]
    if not isinstance(instance, syslogng.LogSource):
        _fail("python-source: Error initializing Python source, class is not a subclass of LogSource", where)
    if _method(instance, "suspend") is not None and _method(instance, "wakeup") is None:
        _fail("python-source: Error initializing Python source, class implements suspend() but wakeup() is missing", where)
    instance.auto_close_batches = True
    instance._logfetch_driver = (driver_id, class_path)
    return instance


def _persist_name(driver, driver_id, class_path, instance, configured, option_items):
    if configured:
        return driver + "." + configured
    generate = getattr(instance, "generate_persist_name", None)
    if generate is not None:
        try:
            name = generate(build_options(option_items))
            if isinstance(name, bytes):
                name = name.decode("utf-8", "replace")
            if not isinstance(name, str):
                raise TypeError("generate_persist_name() must return str or bytes")
            return driver + "." + name
        except Exception as exc:
            report_exception(driver_id, class_path, "generate_persist_name", exc)
    return "%s(%s)" % (driver, class_path)


def _method(instance, name):
    try:
        method = getattr(instance, name)
    except Exception:
        return None
    return method if callable(method) else None


def initialize(driver, instance, driver_id, class_path, option_items, configured_persist_name, flags, parse_options):
    """Persist name, `self.flags`, `self.parse_options`, `init(options)`;
    returns what the driver needs (for a server-style source, `run` stands
    where `fetch` does, and there is no `open` or `close`).

    Returns (persist_name, auto_close_batches, fetch, open, close, request_exit,
    deinit). As upstream, fetch (or run), open, close and request_exit are
    captured once, before init(): an init() that puts something else under
    those names (a fetcher may keep an Event in self.request_exit) does not
    change what logfetch calls. deinit is taken after init().
    """
    server = driver == "python-source"
    main = _method(instance, "run" if server else "fetch")
    open_ = None if server else _method(instance, "open")
    close = None if server else _method(instance, "close")
    request_exit = _method(instance, "request_exit")
    persist_name = _persist_name(driver, driver_id, class_path, instance, configured_persist_name, option_items)
    _syslogng._set_persist_name(instance, persist_name)
    instance.flags = dict(flags)
    instance.parse_options = parse_options
    init = _method(instance, "init")
    if init is None:
        _syslogng._log(DEBUG, driver + ": Missing Python method, init()", [("driver", driver_id)])
    else:
        try:
            ok = init(build_options(option_items))
        except Exception as exc:
            report_exception(driver_id, class_path, "init", exc)
            ok = False
        if not ok:
            _fail(
                driver + ": Error initializing Python driver object, init() returned FALSE",
                [("driver", driver_id), ("class", class_path)],
            )
    auto_close = bool(getattr(instance, "auto_close_batches", True))
    _syslogng._log(
        INFO,
        "%s: Python %s initialized" % (driver, "source" if server else "fetcher"),
        [("driver", driver_id), ("class", class_path)],
    )
    return (
        persist_name,
        auto_close,
        main,
        open_,
        close,
        request_exit,
        _deinit_then_finalize(instance) if server else _method(instance, "deinit"),
    )


def _deinit_then_finalize(instance):
    """A server-style source's `deinit()`, followed by its optional
    `finalize()` (upstream calls it when the driver is freed, after
    `deinit()`)."""
    deinit = _method(instance, "deinit")
    finalize = _method(instance, "finalize")
    if finalize is None:
        return deinit

    def deinit_and_finalize():
        try:
            if deinit is not None:
                deinit()
        finally:
            finalize()

    return deinit_and_finalize


def ack_tracker_of(instance, driver_id, class_path):
    """(kind, callback, timeout_ms, batch_size) of the `self.ack_tracker`
    that `init()` left; kind is none, instant, consecutive or batched."""
    tracker = getattr(instance, "ack_tracker", None)
    if tracker is None:
        return ("none", None, 0, 0)
    if isinstance(tracker, syslogng.InstantAckTracker):
        return ("instant", tracker.ack_callback, 0, 0)
    if isinstance(tracker, syslogng.ConsecutiveAckTracker):
        return ("consecutive", tracker.ack_callback, 0, 0)
    if isinstance(tracker, syslogng.BatchedAckTracker):
        return ("batched", tracker.batched_ack_callback, tracker.timeout, tracker.batch_size)
    _fail(
        "Python source attribute ack_tracker needs to be an AckTracker subtype",
        [("driver", driver_id), ("class", class_path)],
    )


def call_ack(driver_id, callback, bookmarks, as_list):
    """Runs an ack tracker's callback; exceptions are reported, not raised."""
    try:
        if as_list:
            callback(list(bookmarks))
        else:
            for bookmark in bookmarks:
                callback(bookmark)
    except Exception as exc:
        report_exception(driver_id, "BatchedAckTracker" if as_list else "Bookmark", "ack_callback", exc)
