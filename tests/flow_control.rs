//! Conformance: `flags(flow-control)` over a network destination, with a
//! receiver that stops reading and one that goes away and comes back.
//!
//! The fixture (`net_flow.conf`, `net_counter.py`) sends 1000 numbered
//! messages of 16 kB with `log-iw-size(20)` to this test's TCP receiver and
//! writes how many it has fetched to `fetched.txt` after every `fetch()`.
//!
//! About duplicates: logfetch counts a message as delivered once it was
//! written to the socket, as syslog-ng does, and does not send delivered
//! messages again after a reconnect. Only a message whose frame was cut by
//! the broken connection is sent again, whole. syslog-ng 3.38 behaves the
//! same (measured with the same fetcher: a receiver that closes cleanly gets
//! every message once; one that closes with unread data in its socket loses
//! what the kernel had already accepted, and syslog-ng does not resend it).
//! So the restarting receiver below closes the way a receiver that must
//! lose nothing closes: it half-closes, reads until logfetch closes too,
//! and only then stops listening; and it must then see every message
//! exactly once, in order.

mod common;

use common::{Launch, Run};
use std::io::{BufRead, BufReader};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const TOTAL: usize = 1000;

/// Messages fetched so far, as the fetcher recorded it.
fn fetched(run: &Run) -> Option<usize> {
    run.read("fetched.txt").trim().parse().ok()
}

/// Keeps the receive buffer small, so that a receiver that stops reading
/// stops the sender soon (the kernel would otherwise grow it).
fn small_receive_buffer(conn: &TcpStream) {
    let size: libc::c_int = 64 * 1024;
    // SAFETY: setsockopt(2) on a socket we own, with a pointer to a c_int
    // that lives across the call and its correct size.
    let rc = unsafe {
        libc::setsockopt(
            conn.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&raw const size).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "setsockopt(SO_RCVBUF)");
}

/// The sequence number of a received line.
fn seq(line: &str) -> usize {
    line.split(' ')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a numbered message: {:.40}", line))
}

fn read_line(reader: &mut BufReader<TcpStream>) -> Option<usize> {
    let mut line = String::new();
    match reader.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(seq(line.trim_end())),
    }
}

/// Every message exactly once, in order.
fn assert_complete(received: &[usize], run: &Run) {
    let expected: Vec<usize> = (1..=TOTAL).collect();
    if received != expected.as_slice() {
        let missing: Vec<_> = expected.iter().filter(|n| !received.contains(n)).collect();
        let mut sorted = received.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        panic!(
            "received {} messages ({} distinct), missing {:?}, first out of order at {:?}\nstderr:\n{}",
            received.len(),
            sorted.len(),
            &missing[..missing.len().min(10)],
            received.windows(2).position(|w| w[1] != w[0] + 1),
            run.stderr()
        );
    }
}

conformance! {
    fn a_stalled_receiver_stops_fetch_and_loses_nothing(backend) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stalled_tx, stalled) = mpsc::channel();
        let (resume, resume_rx) = mpsc::channel::<()>();
        let receiver = thread::spawn(move || {
            let (conn, _) = listener.accept().unwrap();
            small_receive_buffer(&conn);
            conn.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            let mut reader = BufReader::new(conn);
            let mut received = Vec::new();
            while received.len() < 50 {
                received.extend(read_line(&mut reader));
            }
            stalled_tx.send(()).unwrap();
            resume_rx.recv().unwrap();
            while received.len() < TOTAL {
                match read_line(&mut reader) {
                    Some(n) => received.push(n),
                    None => break,
                }
            }
            received
        });
        let mut run = Launch::config("net_flow.conf", backend)
            .env("NET_PORT", &port.to_string())
            .start();
        stalled
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no messages arrived\nstderr:\n{}", run.stderr()));

        // Once the socket buffers and the window are full, fetch() is no
        // longer called: the count settles well below the total...
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut samples = vec![fetched(&run)];
        let settled = loop {
            thread::sleep(Duration::from_millis(500));
            samples.push(fetched(&run));
            if let [.., a, b, c] = samples.as_slice()
                && a.is_some()
                && a == b
                && b == c
            {
                break a.unwrap();
            }
            assert!(Instant::now() < deadline, "fetch() never stopped: {samples:?}");
        };
        assert!(settled < TOTAL, "every message fit into the buffers; make them bigger");
        // ...and stays there while the receiver does not read, and so does memory.
        let rss_settled = run.rss_kb();
        assert!(rss_settled > 0, "no VmRSS for the logfetch process");
        thread::sleep(Duration::from_millis(1500));
        assert_eq!(fetched(&run), Some(settled), "fetch() ran while the receiver was stalled");
        let rss_later = run.rss_kb();
        assert!(rss_later <= rss_settled + 4096, "memory grew while stalled: {rss_settled} kB -> {rss_later} kB");

        resume.send(()).unwrap();
        let received = receiver.join().unwrap();
        assert!(run.wait_for(Duration::from_secs(10), |r| fetched(r) == Some(TOTAL)));
        let (code, _) = run.stop();
        assert_eq!(code, Some(0), "stderr:\n{}", run.stderr());
        assert_complete(&received, &run);
    }

    fn a_receiver_that_restarts_mid_stream_loses_nothing(backend) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let receiver = thread::spawn(move || {
            let mut received = Vec::new();
            {
                let (conn, _) = listener.accept().unwrap();
                conn.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                let mut reader = BufReader::new(conn);
                while received.len() < 100 {
                    received.extend(read_line(&mut reader));
                }
                // Leave mid-stream, cleanly: no more reading after logfetch
                // noticed and closed its side too.
                reader.get_ref().shutdown(Shutdown::Write).unwrap();
                while let Some(n) = read_line(&mut reader) {
                    received.push(n);
                }
            }
            drop(listener);
            // Down for a while: logfetch's connection attempts are refused.
            thread::sleep(Duration::from_millis(1500));
            let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
            let (conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            let mut reader = BufReader::new(conn);
            while received.len() < TOTAL {
                match read_line(&mut reader) {
                    Some(n) => received.push(n),
                    None => break,
                }
            }
            // Anything beyond the total would be a duplicate.
            reader.get_ref().set_read_timeout(Some(Duration::from_millis(500))).unwrap();
            while let Some(n) = read_line(&mut reader) {
                received.push(n);
            }
            received
        });
        let mut run = Launch::config("net_flow.conf", backend)
            .env("NET_PORT", &port.to_string())
            .start();
        let received = receiver.join().unwrap();
        let (code, _) = run.stop();
        assert_eq!(code, Some(0), "stderr:\n{}", run.stderr());
        assert_complete(&received, &run);
        assert!(
            run.stderr().contains("Syslog connection established"),
            "stderr:\n{}",
            run.stderr()
        );
    }
}
