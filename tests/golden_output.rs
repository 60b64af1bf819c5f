//! Conformance: logfetch's output is byte-identical to syslog-ng 3.38's.
//!
//! `tests/golden/regenerate.sh` ran syslog-ng 3.38 on
//! `tests/fixtures/golden_output.conf` and kept what its file(), network()
//! and syslog() destinations produced in `tests/golden/*.txt`. Here logfetch
//! runs the same configuration and fetcher, with this test's own TCP and UDP
//! listeners (on 127.0.0.1 and on [::1]), and must produce the same bytes.

mod common;

use common::{Launch, golden, golden_mismatch};
use std::fs;
use std::io::Read;
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The TCP destinations: golden file name and the port variable of the config.
const TCP: &[(&str, &str)] = &[
    ("network-tcp", "GOLDEN_NETWORK_TCP_PORT"),
    ("syslog-tcp", "GOLDEN_SYSLOG_TCP_PORT"),
    ("syslog-template", "GOLDEN_SYSLOG_TEMPLATE_PORT"),
    ("syslog-frac", "GOLDEN_SYSLOG_FRAC_PORT"),
];
/// The UDP destinations.
const UDP: &[(&str, &str)] = &[
    ("network-udp", "GOLDEN_NETWORK_UDP_PORT"),
    ("syslog-udp", "GOLDEN_SYSLOG_UDP_PORT"),
];
/// The file() destinations.
const FILES: &[&str] = &["file", "json", "stamp-iso", "dates", "escaped", "tags"];

/// How many datagrams syslog-ng sent to UDP destination `name`.
fn golden_datagrams(name: &str) -> usize {
    String::from_utf8(golden("udp-datagrams"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no datagram count for {name}"))
}

/// What one listener received so far: the bytes, and the datagram count.
#[derive(Default)]
struct Received {
    bytes: Vec<u8>,
    datagrams: usize,
}

struct Listener {
    name: &'static str,
    received: Arc<Mutex<Received>>,
    thread: JoinHandle<()>,
}

/// Accepts one connection and keeps everything until it closes.
fn tcp_listener(name: &'static str, listener: TcpListener) -> Listener {
    let received = Arc::new(Mutex::new(Received::default()));
    let sink = received.clone();
    let thread = std::thread::spawn(move || {
        let Ok((mut conn, _)) = listener.accept() else {
            return;
        };
        conn.set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut buf = [0u8; 4096];
        while let Ok(n) = conn.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().bytes.extend_from_slice(&buf[..n]);
        }
    });
    Listener {
        name,
        received,
        thread,
    }
}

/// Keeps datagrams until none came for a while after `done` is set.
fn udp_listener(name: &'static str, socket: UdpSocket, done: Arc<Mutex<bool>>) -> Listener {
    let received = Arc::new(Mutex::new(Received::default()));
    let sink = received.clone();
    let thread = std::thread::spawn(move || {
        socket
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut buf = [0u8; 65536];
        loop {
            match socket.recv(&mut buf) {
                Ok(n) => {
                    let mut r = sink.lock().unwrap();
                    r.bytes.extend_from_slice(&buf[..n]);
                    r.datagrams += 1;
                }
                Err(_) if *done.lock().unwrap() => break,
                Err(_) => {}
            }
        }
    });
    Listener {
        name,
        received,
        thread,
    }
}

/// Runs the golden configuration against listeners on `host`.
fn compare_with_golden(backend: &str, host: &str) {
    let any: SocketAddr = if host.contains(':') {
        "[::1]:0".parse().unwrap()
    } else {
        "127.0.0.1:0".parse().unwrap()
    };
    let Ok(probe) = TcpListener::bind(any) else {
        eprintln!("skipping {host}: cannot listen there");
        return;
    };
    drop(probe);
    let mut launch = Launch::config("golden_output.conf", backend).env("GOLDEN_HOST", host);
    let mut listeners = Vec::new();
    for (name, var) in TCP {
        let l = TcpListener::bind(any).unwrap();
        launch = launch.env(var, &l.local_addr().unwrap().port().to_string());
        listeners.push(tcp_listener(name, l));
    }
    let udp_done = Arc::new(Mutex::new(false));
    for (name, var) in UDP {
        let s = UdpSocket::bind(any).unwrap();
        launch = launch.env(var, &s.local_addr().unwrap().port().to_string());
        listeners.push(udp_listener(name, s, udp_done.clone()));
    }
    let mut run = launch.start();

    // Wait until every destination has at least what syslog-ng produced.
    let complete = |run: &common::Run| {
        listeners
            .iter()
            .all(|l| l.received.lock().unwrap().bytes.len() >= golden(l.name).len())
            && FILES.iter().all(|f| {
                fs::metadata(run.path(&format!("{f}.txt"))).map_or(0, |m| m.len())
                    >= golden(f).len() as u64
            })
    };
    run.wait_for(Duration::from_secs(30), complete);
    // A little longer, so that anything extra (a duplicate) shows up too.
    std::thread::sleep(Duration::from_millis(300));
    let (code, _) = run.stop();
    assert_eq!(code, Some(0), "stderr:\n{}", run.stderr());
    *udp_done.lock().unwrap() = true;

    let mut failures = Vec::new();
    for l in listeners {
        l.thread.join().unwrap();
        let received = l.received.lock().unwrap();
        let what = format!("{} over {host}", l.name);
        failures.extend(golden_mismatch(&what, l.name, &received.bytes));
        if UDP.iter().any(|(n, _)| *n == l.name) && received.datagrams != golden_datagrams(l.name) {
            failures.push(format!(
                "{}: {} datagrams, syslog-ng sent {}",
                l.name,
                received.datagrams,
                golden_datagrams(l.name)
            ));
        }
    }
    for f in FILES {
        let got = fs::read(run.path(&format!("{f}.txt"))).unwrap_or_default();
        failures.extend(golden_mismatch(&format!("{f}.txt"), f, &got));
    }
    assert!(
        failures.is_empty(),
        "{}\nstderr:\n{}",
        failures.join("\n\n"),
        run.stderr()
    );
}

conformance! {
    fn output_matches_syslog_ng_over_ipv4(backend) {
        compare_with_golden(backend, "127.0.0.1");
    }

    fn output_matches_syslog_ng_over_ipv6(backend) {
        compare_with_golden(backend, "::1");
    }
}
