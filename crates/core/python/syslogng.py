"""The `syslogng` package as logfetch provides it.

One file serves both interpreters (CPython and RustPython). It defines the
pure-Python layer that syslog-ng ships as a package (default methods and
result constants on top of the native `_syslogng` types, the `logging`
bridge) and registers the submodules user code imports, such as
`syslogng.source` and `syslogng.logger`.
"""

import enum
import logging
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


class LogFetcher(_syslogng.LogFetcher):
    """Base class of `python-fetcher()` sources: implement `fetch()`."""

    FETCH_ERROR = ERROR = LogFetcherResult.ERROR
    FETCH_NOT_CONNECTED = NOT_CONNECTED = LogFetcherResult.NOT_CONNECTED
    FETCH_SUCCESS = SUCCESS = LogFetcherResult.SUCCESS
    FETCH_TRY_AGAIN = TRY_AGAIN = LogFetcherResult.TRY_AGAIN
    FETCH_NO_DATA = NO_DATA = LogFetcherResult.NO_DATA

    flags = {}
    parse_options = None

    def init(self, options):
        return True

    def deinit(self):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def fetch(self):
        raise NotImplementedError("fetch() is not implemented in " + type(self).__name__)

    def request_exit(self):
        pass


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
        return _syslogng._format_template(self.template, msg)

    def __str__(self):
        return self.template

    def __repr__(self):
        return "LogTemplate(%r)" % self.template


class _InternalLogHandler(logging.Handler):
    """Sends `logging` records to logfetch's internal log as `python-<name>: <msg>`."""

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


def _install_logging_bridge():
    root = logging.getLogger()
    if not any(isinstance(h, _InternalLogHandler) for h in root.handlers):
        root.setLevel(logging.DEBUG)
        root.addHandler(_InternalLogHandler())


_install_logging_bridge()


def _submodule(name, **attrs):
    module = types.ModuleType(__name__ + "." + name)
    module.__dict__.update(attrs)
    sys.modules[module.__name__] = module
    globals()[name] = module
    return module


_submodule("source", LogFetcher=LogFetcher, LogFetcherResult=LogFetcherResult)
_submodule("message", LogMessage=LogMessage)
_submodule("logger", Logger=Logger)
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
    "LogMessage",
    "Logger",
    "LogTemplate",
    "LogTemplateOptions",
    "LogTemplateException",
    "LTZ_LOCAL",
    "LTZ_SEND",
]
