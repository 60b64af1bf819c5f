//! Conformance: ack trackers report bookmarks once messages are delivered.

mod common;

use common::{Launch, Run};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn run_with(backend: &str, tracker: &str) -> Run {
    let mut run = Launch::config("acks.conf", backend)
        .env("TRACKER", tracker)
        .start();
    assert!(
        run.wait_lines("messages.log", 10, WAIT),
        "stderr:\n{}",
        run.stderr()
    );
    run
}

fn acked(run: &Run) -> Vec<i64> {
    run.events()
        .iter()
        .filter(|e| e["event"] == "ack")
        .map(|e| e["bookmark"].as_i64().unwrap())
        .collect()
}

conformance! {
    fn instant_tracker_reports_every_bookmark(backend) {
        let mut run = run_with(backend, "instant");
        assert!(run.wait_event("ack", 10, WAIT), "{:?}", run.events());
        assert_eq!(run.stop().0, Some(0));
        let mut got = acked(&run);
        got.sort();
        assert_eq!(got, (0..10).collect::<Vec<_>>());
    }

    fn consecutive_tracker_reports_the_delivered_prefix(backend) {
        let mut run = run_with(backend, "consecutive");
        assert!(run.wait_for(WAIT, |r| acked(r).last() == Some(&9)), "{:?}", run.events());
        assert_eq!(run.stop().0, Some(0));
        let got = acked(&run);
        assert!(got.windows(2).all(|w| w[0] < w[1]), "{got:?}");
    }

    fn batched_tracker_reports_lists(backend) {
        let mut run = run_with(backend, "batched");
        let all = |r: &Run| -> Vec<i64> {
            r.events()
                .iter()
                .filter(|e| e["event"] == "ack")
                .flat_map(|e| e["bookmarks"].as_array().unwrap().iter().map(|b| b.as_i64().unwrap()).collect::<Vec<_>>())
                .collect()
        };
        assert!(run.wait_for(WAIT, |r| all(r).len() == 10), "{:?}", run.events());
        assert_eq!(run.stop().0, Some(0));
        let mut got = all(&run);
        got.sort();
        assert_eq!(got, (0..10).collect::<Vec<_>>());
        assert!(run.events().iter().filter(|e| e["event"] == "ack").all(|e| e["bookmarks"].as_array().unwrap().len() <= 4));
    }

    fn batched_tracker_reports_its_partial_batch_when_stopped(backend) {
        let mut run = run_with(backend, "batched_slow");
        assert!(run.wait_event("ack", 2, WAIT), "{:?}", run.events());
        assert_eq!(run.stop().0, Some(0));
        let events: Vec<String> = run
            .events()
            .iter()
            .filter(|e| e["event"] == "ack" || e["event"] == "deinit")
            .map(|e| format!("{} {}", e["event"].as_str().unwrap(), e["bookmarks"]))
            .collect();
        // As upstream: full batches and the partial one at stop, each
        // newest first, the partial one before deinit().
        assert_eq!(events, ["ack [3,2,1,0]", "ack [7,6,5,4]", "ack [9,8]", "deinit null"]);
    }

    fn bookmarks_need_a_tracker(backend) {
        let mut run = Launch::config("acks.conf", backend).env("TRACKER", "none").start();
        assert!(run.wait_for(WAIT, |r| r.stderr().contains("bookmarks can not be used without creating an AckTracker instance (self.ack_tracker)")), "{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        assert!(run.lines("messages.log").is_empty());
    }

    fn a_tracker_must_be_an_ack_tracker(backend) {
        let mut run = Launch::config("acks.conf", backend).env("TRACKER", "bogus").start();
        assert_eq!(run.wait_exit(WAIT), Some(2));
        assert!(run.stderr().contains("Python source attribute ack_tracker needs to be an AckTracker subtype"), "{}", run.stderr());
    }
}
