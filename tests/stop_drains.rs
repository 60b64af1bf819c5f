//! Conformance: SIGTERM delivers everything already fetched — here 100 000
//! messages queued behind a receiver that is not reading.

mod common;

use common::Launch;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

conformance! {
    fn sigterm_drains_a_full_queue_to_a_slow_receiver(backend) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (go, wait_for_go) = mpsc::channel::<()>();
        let receiver = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            wait_for_go.recv().unwrap();
            let mut numbers = Vec::new();
            for line in BufReader::new(stream).lines() {
                let line = line.unwrap();
                numbers.push(line[..6].parse::<u32>().unwrap());
            }
            numbers
        });
        let mut run = Launch::config("drain_burst.conf", backend)
            .arg("--stop-grace")
            .arg("60")
            .env("PORT", &port.to_string())
            .start();
        assert!(run.wait_event("done", 1, Duration::from_secs(60)), "stderr:\n{}", run.stderr());
        run.signal(libc::SIGTERM);
        std::thread::sleep(Duration::from_millis(300));
        go.send(()).unwrap();
        let code = run.wait_exit(Duration::from_secs(60));
        assert_eq!(code, Some(0), "stderr:\n{}", run.stderr());
        let numbers = receiver.join().unwrap();
        assert_eq!(numbers.len(), 100_000, "stderr:\n{}", run.stderr());
        assert!(numbers.iter().enumerate().all(|(i, n)| *n == i as u32 + 1), "out of order or duplicated");
        assert!(!run.stderr().contains("not delivered"), "{}", run.stderr());
    }
}
