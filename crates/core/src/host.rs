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

/// What HOST_FROM holds for a message from the peer `addr`, as syslog-ng
/// resolves a source address: with `use_dns`, the name the system resolver
/// gives for it (up to the first dot unless `use_fqdn`, lower-cased with
/// `normalize`), else — or when it has no name — the address itself.
pub fn peer_hostname(
    addr: std::net::IpAddr,
    use_dns: bool,
    use_fqdn: bool,
    normalize: bool,
) -> String {
    let Some(name) = use_dns.then(|| reverse_lookup(addr)).flatten() else {
        return addr.to_string();
    };
    let name = if use_fqdn {
        name.as_str()
    } else {
        name.split('.').next().unwrap_or(&name)
    };
    if normalize {
        name.to_lowercase()
    } else {
        name.to_owned()
    }
}

/// The name of `addr` from `getnameinfo()`, if it has one.
fn reverse_lookup(addr: std::net::IpAddr) -> Option<String> {
    let socket_addr = std::net::SocketAddr::new(addr, 0);
    let (storage, len) = socket_address(&socket_addr);
    let mut host = [0u8; 1025];
    // SAFETY: storage holds a valid sockaddr of `len` bytes; host is a
    // writable buffer of the length passed, NUL-terminated by getnameinfo
    // on success; no service buffer is requested.
    let rc = unsafe {
        libc::getnameinfo(
            (&storage as *const libc::sockaddr_storage).cast(),
            len,
            host.as_mut_ptr().cast(),
            host.len() as libc::socklen_t,
            std::ptr::null_mut(),
            0,
            libc::NI_NAMEREQD,
        )
    };
    if rc != 0 {
        return None;
    }
    let end = host.iter().position(|b| *b == 0).unwrap_or(host.len());
    Some(String::from_utf8_lossy(&host[..end]).into_owned())
}

/// `addr` as a C socket address and its length.
fn socket_address(addr: &std::net::SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain old data; all zeroes is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        std::net::SocketAddr::V4(v4) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: v4.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(v4.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is large and aligned enough for any sockaddr.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        std::net::SocketAddr::V6(v6) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: v6.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: v6.ip().octets(),
                },
                sin6_scope_id: v6.scope_id(),
            };
            // SAFETY: as above.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_names_follow_use_dns_use_fqdn_and_normalize() {
        let doc: std::net::IpAddr = "192.0.2.10".parse().unwrap();
        assert_eq!(peer_hostname(doc, false, false, false), "192.0.2.10");
        let v6: std::net::IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(peer_hostname(v6, false, true, true), "2001:db8::1");
        // The loopback address has a name in every hosts file.
        let lo: std::net::IpAddr = "127.0.0.1".parse().unwrap();
        let name = peer_hostname(lo, true, false, true);
        assert!(name != "127.0.0.1" && !name.contains('.'), "{name}");
        assert_eq!(peer_hostname(lo, false, false, false), "127.0.0.1");
    }
}
