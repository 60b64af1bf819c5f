//! The Python half of logfetch, shared verbatim by both backends: CPython
//! compiles these texts when it starts; RustPython freezes the same files
//! into its binary when logfetch is built (`py_freeze!`).

/// The pure-Python `syslogng` package (one file; it registers its submodules).
pub const SYSLOGNG_PY: &str = include_str!("../python/syslogng.py");

/// Host-side helpers both backends call to create sources (class lookup,
/// checks, persist name, `init()`), so the rules live in one place.
pub const HOST_PY: &str = include_str!("../python/_logfetch_host.py");
