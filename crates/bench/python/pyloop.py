"""The same fetch() in a tight loop on a plain CPython: the ceiling that
logfetch's CPython backend is measured against (`logfetch bench --compare-python`).

usage: pyloop.py MODULE.CLASS COUNT [KEY=VALUE ...]

`syslogng` is replaced by a stub whose LogMessage is a dict subclass (item
assignment is dict's own C code), so the loop costs the fetcher's own
Python code and nearly nothing else: nothing is rendered or written.
Prints one JSON line: delivered, first_ns, last_ns (time.monotonic_ns,
CLOCK_MONOTONIC), version.
"""
import json
import sys
import time
import types


class LogMessage(dict):
    __slots__ = ()

    def __init__(self, message=None):
        if message is not None:
            self["MSG"] = message


class LogFetcher:
    FETCH_ERROR = 0
    FETCH_NOT_CONNECTED = 1
    FETCH_SUCCESS = 2
    FETCH_TRY_AGAIN = 3
    FETCH_NO_DATA = 4


def main():
    stub = types.ModuleType("syslogng")
    stub.LogMessage = LogMessage
    stub.LogFetcher = LogFetcher
    sys.modules["syslogng"] = stub
    class_path, count = sys.argv[1], int(sys.argv[2])
    options = dict(arg.split("=", 1) for arg in sys.argv[3:])
    module, _, name = class_path.rpartition(".")
    cls = getattr(__import__(module, fromlist=[name]), name)
    fetcher = cls()
    if not fetcher.init(options):
        sys.exit("init() returned false")
    if hasattr(fetcher, "open") and not fetcher.open():
        sys.exit("open() returned false")
    fetch = fetcher.fetch
    success = LogFetcher.FETCH_SUCCESS
    delivered = 0
    first_ns = 0
    if count > 0 and fetch()[0] == success:
        first_ns = time.monotonic_ns()
        delivered = 1
        for _ in range(count - 1):
            if fetch()[0] != success:
                break
            delivered += 1
    last_ns = time.monotonic_ns()
    if hasattr(fetcher, "close"):
        fetcher.close()
    print(json.dumps({
        "delivered": delivered,
        "first_ns": first_ns,
        "last_ns": last_ns,
        "version": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()
