//! Conformance: the standard library real fetchers use (HTTPS included),
//! and two fetchers making progress at the same time.

mod common;

use common::Launch;
use std::time::Duration;

conformance! {
    fn fetchers_can_use_the_standard_library(backend) {
        let mut run = Launch::config("stdlib.conf", backend).arg("-v").start();
        assert!(run.wait_lines("messages.log", 1, Duration::from_secs(20)), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        assert_eq!(
            run.lines("messages.log"),
            ["host=api.example.com limit=2 stamp=2024-01-02T03:04:05+00:00 token=dXNlcjpzZWNyZXQ= words=beta,delta,lpha echo=ping thread=True t=True"]
        );
        assert!(run.stderr().contains("python-stdlib_user: stdlib check done"), "{}", run.stderr());
    }

    fn fetchers_can_call_https_apis(backend) {
        let mut run = Launch::config("https.conf", backend).start();
        assert!(run.wait_lines("messages.log", 2, Duration::from_secs(20)), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        let tail = "status=200 path=/v1/events?since=0 refused=SSLCertVerificationError peer=logfetch test server tls13=True";
        assert_eq!(
            run.lines("messages.log"),
            [format!("id=1 msg=login {tail}"), format!("id=2 msg=logout {tail}")]
        );
    }

    fn two_fetchers_make_progress_concurrently(backend) {
        let mut run = Launch::config("parallel.conf", backend).start();
        let progressed = |r: &common::Run, name: &str| {
            r.events().iter().filter(|e| e["event"] == "progress" && e["name"] == name).count()
        };
        assert!(
            run.wait_for(Duration::from_secs(20), |r| progressed(r, "one") >= 3 && progressed(r, "two") >= 3),
            "stderr:\n{}",
            run.stderr()
        );
        // Interleaved: neither ran to a long lead while the other waited.
        let events = run.events();
        let first_two = events.iter().position(|e| e["name"] == "two").unwrap();
        let first_one = events.iter().position(|e| e["name"] == "one").unwrap();
        assert!(first_one < 6 && first_two < 6, "{events:?}");
        assert_eq!(run.stop().0, Some(0));
    }
}
