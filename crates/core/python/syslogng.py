"""The `syslogng` package as logfetch provides it.

One file serves both interpreters (CPython and RustPython). It defines the
pure-Python layer that syslog-ng ships as a package (default methods and
result constants on top of the native `_syslogng` types, the `logging`
bridge) and registers the submodules user code imports, such as
`syslogng.source` and `syslogng.logger`.
"""

import enum
import sys
import types

import _syslogng

__path__ = []  # a package, so that `import syslogng.source` works


class LogFetcherResult(enum.IntEnum):
    """What `LogFetcher.fetch()` returns as the first item of its tuple."""

    ERROR = 0
    NOT_CONNECTED = 1
    SUCCESS = 2
    TRY_AGAIN = 3
    NO_DATA = 4


class _Driver:
    """What every Python driver base has: `init(options)` that accepts and
    `deinit()` that does nothing, for subclasses that need neither."""

    def init(self, options):
        return True

    def deinit(self):
        pass


class _Source(_Driver):
    """What both source bases have: `self.flags` and `self.parse_options`."""

    flags = {}
    parse_options = None


class LogFetcher(_Source, _syslogng.LogFetcher):
    """Base class of `python-fetcher()` sources: implement `fetch()`."""

    FETCH_ERROR = ERROR = LogFetcherResult.ERROR
    FETCH_NOT_CONNECTED = NOT_CONNECTED = LogFetcherResult.NOT_CONNECTED
    FETCH_SUCCESS = SUCCESS = LogFetcherResult.SUCCESS
    FETCH_TRY_AGAIN = TRY_AGAIN = LogFetcherResult.TRY_AGAIN
    FETCH_NO_DATA = NO_DATA = LogFetcherResult.NO_DATA

    def open(self):
        return True

    def close(self):
        pass

    def fetch(self):
        raise NotImplementedError("fetch() is not implemented in " + type(self).__name__)

    def request_exit(self):
        pass


class LogSource(_Source, _syslogng.LogFetcher):
    """Base class of server-style `python()` sources: `run()` posts messages
    with `self.post_message(msg)` until `request_exit()` makes it return.

    It shares the native driver base of `LogFetcher` (persist name,
    `set_transport_name()`, the link to the pipeline).
    """

    def run(self):
        raise NotImplementedError("run() is not implemented in " + type(self).__name__)

    def request_exit(self):
        raise NotImplementedError("request_exit() is not implemented in " + type(self).__name__)

    def post_message(self, msg):
        """Posts `msg`; only from the thread running `run()`.

        When the flow-control window fills, this blocks until there is room.
        A class that defines `suspend()` and `wakeup()` is never blocked:
        `suspend()` is called here, and `wakeup()` from another thread once
        there is room again.
        """
        if not _syslogng._on_worker_thread(self):
            raise RuntimeError("post_message must be called from main thread")
        if not isinstance(msg, LogMessage):
            raise TypeError("LogMessage expected in the first parameter")
        if _syslogng._source_post(self, msg):
            return
        if callable(getattr(self, "suspend", None)):
            self.suspend()
            import threading

            threading.Thread(target=self._wake_up_when_room, daemon=True).start()
        else:
            _syslogng._source_wait_room(self)

    def close_batch(self):
        """Hands the messages posted so far to the destinations as one batch."""
        if not _syslogng._on_worker_thread(self):
            raise RuntimeError("close_batch() must be called from main thread")
        _syslogng.LogFetcher.close_batch(self)

    def _wake_up_when_room(self):
        _syslogng._source_wait_room(self)
        try:
            self.wakeup()
        except Exception as exc:
            import _logfetch_host

            driver_id, class_path = self._logfetch_driver
            _logfetch_host.report_exception(driver_id, class_path, "wakeup", exc)


class LogDestination(_Driver):
    """Base class of `python()` destinations; importable, not run by logfetch."""


class LogParser(_Driver):
    """Base class of `python()` parsers; importable, not run by logfetch."""


LogMessage = _syslogng.LogMessage
Logger = _syslogng.Logger

LTZ_LOCAL = 0
LTZ_SEND = 1


class LogTemplateException(Exception):
    """A template could not be compiled."""


class LogTemplateOptions:
    """Options for `LogTemplate.format()`; accepted for compatibility."""

    def __init__(self, options=None):
        self.options = options


class LogTemplate:
    """A syslog-ng template, e.g. `LogTemplate("${HOST}: ${MSG}")`."""

    def __init__(self, template, options=None):
        if not isinstance(template, str):
            raise TypeError("template must be a str")
        error = _syslogng._check_template(template)
        if error is not None:
            raise LogTemplateException(error)
        self.template = template
        self.options = options

    def format(self, msg, options=None, tz=LTZ_SEND, seqnum=0, context_id=None):
        """Renders the template for `msg`; returns `str`."""
        return _syslogng._format_template(self.template, msg, int(seqnum))

    def __str__(self):
        return self.template

    def __repr__(self):
        return "LogTemplate(%r)" % self.template


class _AckTracker:
    """Base of the ack trackers: assign one to `self.ack_tracker` (in
    `__init__` or `init()`) to learn when messages carrying a bookmark
    (`LogMessage(..., bookmark=x)`) have been delivered."""


def _expect_callable(callback, name):
    if not callable(callback):
        raise TypeError("A callable object is expected (%s)" % name)


class InstantAckTracker(_AckTracker):
    """Calls `ack_callback(bookmark)` for every delivered message."""

    def __init__(self, ack_callback):
        _expect_callable(ack_callback, "ack_callback")
        self.ack_callback = ack_callback


class ConsecutiveAckTracker(_AckTracker):
    """Calls `ack_callback(bookmark)` with the bookmark of the last message of
    the longest fully delivered prefix (commit-offset semantics)."""

    def __init__(self, ack_callback):
        _expect_callable(ack_callback, "ack_callback")
        self.ack_callback = ack_callback


class BatchedAckTracker(_AckTracker):
    """Calls `batched_ack_callback(bookmarks)` with a list, once `batch_size`
    bookmarks gathered or `timeout` milliseconds passed."""

    def __init__(self, timeout, batch_size, batched_ack_callback):
        _expect_callable(batched_ack_callback, "batched_ack_callback")
        self.timeout = int(timeout)
        self.batch_size = int(batch_size)
        self.batched_ack_callback = batched_ack_callback


def _persist_key(key):
    if isinstance(key, bytes):
        return key.decode("utf-8")
    if isinstance(key, str):
        return key
    raise TypeError("key is not a string object")


class Persist:
    """Durable key-value state (a cursor, a timestamp) that survives restarts
    and reloads. Values are str, int or bytes."""

    def __init__(self, persist_name, defaults=None):
        if not isinstance(persist_name, str):
            raise TypeError("persist_name must be a str")
        if "##" in persist_name:
            raise ValueError("persist name cannot contain ##")
        _syslogng._persist_open(persist_name)
        self.__name = persist_name
        if defaults:
            for key, value in defaults.items():
                if key not in self:
                    self[key] = value

    @property
    def persist_name(self):
        return self.__name

    def __getitem__(self, key):
        key = _persist_key(key)
        found = _syslogng._persist_get(self.__name, key)
        if found is None:
            raise KeyError("Persist has no such key: %s" % key)
        kind, value = found
        return int(value) if kind == "int" else value

    def __setitem__(self, key, value):
        key = _persist_key(key)
        if isinstance(value, bytes):
            _syslogng._persist_set(self.__name, key, "bytes", value)
        elif isinstance(value, str):
            _syslogng._persist_set(self.__name, key, "str", value)
        elif isinstance(value, int):
            _syslogng._persist_set(self.__name, key, "int", str(int(value)))
        else:
            raise TypeError("Value must be either string, integer or bytes")

    def __delitem__(self, key):
        raise TypeError("Persist does not support deleting keys")

    def __contains__(self, key):
        return _syslogng._persist_get(self.__name, _persist_key(key)) is not None

    def __iter__(self):
        return iter(_syslogng._persist_keys(self.__name))


_config_generators = {}


def register_config_generator(context, name, config_generator):
    """Registers `config_generator(args)` for `context name(...)` in a
    configuration, as syslog-ng's Python modules do when imported.
    logfetch reads a configuration before Python runs, so it keeps the
    registration (`config_generators()`) but does not expand such
    statements: one that uses a generated driver is refused by name."""
    if not callable(config_generator):
        raise TypeError("config_generator must be callable")
    _config_generators[(str(context), str(name))] = config_generator


def config_generators():
    """The registered generators, by (context, name)."""
    return dict(_config_generators)


# Where logfetch's own files live, for get_installation_path_for().
_INSTALLATION_PATHS = {
    "prefix": "/usr",
    "exec_prefix": "/usr",
    "libdir": "/usr/lib",
    "libexecdir": "/usr/lib/logfetch",
    "datadir": "/usr/share/logfetch",
    "moduledir": "/usr/lib/logfetch",
    "sysconfdir": "/etc/logfetch",
    "localstatedir": "/var/lib/logfetch",
}


def get_installation_path_for(template):
    """`template` with `${prefix}`, `${datadir}`, `${sysconfdir}` … replaced
    by logfetch's installation paths (unknown names are left as they are)."""
    path = str(template)
    for name, value in _INSTALLATION_PATHS.items():
        path = path.replace("${%s}" % name, value)
    return path


def _internal_log_handler(logging):
    """A `logging` handler that sends records to logfetch's internal log as
    `python-<name>: <msg>`."""

    class InternalLogHandler(logging.Handler):
        logfetch_bridge = True

        def emit(self, record):
            try:
                text = "python-%s: %s" % (record.name, self.format(record))
                logger = Logger()
                if record.levelno >= logging.ERROR:
                    logger.error(text)
                elif record.levelno >= logging.WARNING:
                    logger.warning(text)
                elif record.levelno >= logging.INFO:
                    logger.info(text)
                elif record.levelno >= logging.DEBUG:
                    logger.debug(text)
                else:
                    logger.trace(text)
            except Exception:
                self.handleError(record)

    return InternalLogHandler()


def _install_logging_bridge(logging):
    """Sends the root logger's records to the internal log."""
    root = logging.getLogger()
    if not any(getattr(h, "logfetch_bridge", False) for h in root.handlers):
        root.setLevel(logging.DEBUG)
        root.addHandler(_internal_log_handler(logging))


def _accelerate_json_scanner(scanner):
    """On RustPython: `json`'s decoders read plain JSON through the host's
    fast path (`_syslogng._json_scan`), and anything it declines through
    the stock scanner, so results and errors stay the stock ones."""
    make_stock_scanner = scanner.make_scanner
    fast_scan = _syslogng._json_scan

    def make_scanner(context):
        stock_scan = make_stock_scanner(context)
        if not (
            context.strict
            and context.object_hook is None
            and context.object_pairs_hook is None
            and context.parse_float is float
            and context.parse_int is int
        ):
            return stock_scan

        def scan_once(string, idx):
            found = fast_scan(string, idx) if type(string) is str else None
            return found if found is not None else stock_scan(string, idx)

        return scan_once

    scanner.make_scanner = make_scanner


def _accelerate_json_loads(json):
    """On RustPython: `json.loads(text)` with no options reads plain JSON
    through the host's fast path (`_syslogng._json_loads`); everything else,
    and whatever it declines, goes to the stock `loads()`."""
    stock_loads = json.loads
    fast_loads = _syslogng._json_loads

    def loads(s, *, cls=None, object_hook=None, parse_float=None, parse_int=None,
              parse_constant=None, object_pairs_hook=None, **kw):
        if (type(s) is str and cls is None and object_hook is None and parse_float is None
                and parse_int is None and parse_constant is None
                and object_pairs_hook is None and not kw):
            found = fast_loads(s)
            if found is not None:
                return found
        return stock_loads(s, cls=cls, object_hook=object_hook, parse_float=parse_float,
                           parse_int=parse_int, parse_constant=parse_constant,
                           object_pairs_hook=object_pairs_hook, **kw)

    loads.__doc__ = stock_loads.__doc__
    loads.__wrapped__ = stock_loads
    json.loads = loads


class _RunAfterExec:
    """A module's loader that calls `hook(module)` once the module's code ran.
    Everything else (`get_source()` for tracebacks, resources) is the real
    loader's."""

    def __init__(self, loader, hook):
        self.loader = loader
        self.hook = hook

    def __getattr__(self, name):
        return getattr(self.loader, name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        self.hook(module)


class _AfterImportFinder:
    """Runs a hook when something first imports one of `hooks`' modules.

    `logging` is connected to the internal log this way: it imports
    `traceback`, which pulls in much of the standard library, and importing
    it up front would add milliseconds to every start on RustPython,
    although most fetchers never log through it.
    """

    hooks = {}

    @classmethod
    def add(cls, name, hook):
        if name in sys.modules:
            hook(sys.modules[name])
            return
        cls.hooks[name] = hook
        if cls not in sys.meta_path:
            sys.meta_path.insert(0, cls)

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        hook = cls.hooks.pop(name, None)
        if hook is None:
            return None
        if not cls.hooks:
            sys.meta_path.remove(cls)
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            spec = find_spec(name, path, target) if find_spec and finder is not cls else None
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _RunAfterExec(spec.loader, hook)
                return spec
        return None


_AfterImportFinder.add("logging", _install_logging_bridge)
if hasattr(_syslogng, "_json_scan"):
    _AfterImportFinder.add("json.scanner", _accelerate_json_scanner)
    _AfterImportFinder.add("json", _accelerate_json_loads)


def _submodule(name, **attrs):
    module = types.ModuleType(__name__ + "." + name)
    module.__dict__.update(attrs)
    sys.modules[module.__name__] = module
    globals()[name] = module
    return module


_submodule("source", LogFetcher=LogFetcher, LogFetcherResult=LogFetcherResult, LogSource=LogSource)
_submodule("dest", LogDestination=LogDestination)
_submodule("confgen", register_config_generator=register_config_generator)
_submodule("parser", LogParser=LogParser)
_submodule("message", LogMessage=LogMessage)
_submodule("logger", Logger=Logger)
_submodule("persist", Persist=Persist)
_submodule(
    "ack_tracker",
    InstantAckTracker=InstantAckTracker,
    ConsecutiveAckTracker=ConsecutiveAckTracker,
    BatchedAckTracker=BatchedAckTracker,
)
_submodule(
    "template",
    LogTemplate=LogTemplate,
    LogTemplateOptions=LogTemplateOptions,
    LogTemplateException=LogTemplateException,
    LTZ_LOCAL=LTZ_LOCAL,
    LTZ_SEND=LTZ_SEND,
)

__all__ = [
    "LogFetcher",
    "LogSource",
    "LogDestination",
    "LogParser",
    "LogMessage",
    "Logger",
    "Persist",
    "InstantAckTracker",
    "ConsecutiveAckTracker",
    "BatchedAckTracker",
    "LogTemplate",
    "LogTemplateOptions",
    "LogTemplateException",
    "LTZ_LOCAL",
    "LTZ_SEND",
    "register_config_generator",
    "get_installation_path_for",
]
