//! The local host name, as syslog-ng uses it for HOST, HOST_FROM and LOGHOST.

use std::sync::OnceLock;

static FULL: OnceLock<String> = OnceLock::new();

/// The host name as the system reports it (possibly fully qualified).
pub fn full_hostname() -> &'static str {
    FULL.get_or_init(|| {
        let mut buf = [0u8; 256];
        // SAFETY: buf is valid for writes of its length; gethostname NUL-terminates
        // within it or truncates.
        let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
        if rc != 0 {
            return "localhost".to_owned();
        }
        let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    })
}

/// The host name a source with `use-fqdn()` = `use_fqdn` puts in HOST_FROM
/// and HOST.
pub fn hostname(use_fqdn: bool) -> &'static str {
    if use_fqdn {
        full_hostname()
    } else {
        local_hostname()
    }
}

/// The short host name (up to the first dot), syslog-ng's default for HOST.
pub fn local_hostname() -> &'static str {
    static SHORT: OnceLock<String> = OnceLock::new();
    SHORT.get_or_init(|| {
        let full = full_hostname();
        full.split('.').next().unwrap_or(full).to_owned()
    })
}
