//! Conformance: source-side batches (decisions.md item 3).

mod common;

use common::Launch;
use std::time::Duration;

conformance! {
    fn explicit_batches_wait_for_close_batch(backend) {
        let mut run = Launch::config("batching.conf", backend).env("AUTO", "no").start();
        assert!(run.wait_event("pausing", 1, Duration::from_secs(15)), "stderr:\n{}", run.stderr());
        std::thread::sleep(Duration::from_millis(700));
        assert_eq!(run.lines("messages.log").len(), 0, "delivered before close_batch()");
        assert!(run.wait_event("closed", 1, Duration::from_secs(5)));
        assert!(run.wait_lines("messages.log", 2, Duration::from_secs(1)), "close_batch() did not deliver");
        assert!(run.wait_lines("messages.log", 3, Duration::from_secs(5)));
        assert_eq!(run.stop().0, Some(0));
        assert_eq!(run.lines("messages.log"), ["batched 1", "batched 2", "after close"]);
    }

    fn automatic_batches_are_delivered_without_close_batch(backend) {
        let mut run = Launch::config("batching.conf", backend).env("AUTO", "yes").start();
        assert!(run.wait_event("pausing", 1, Duration::from_secs(15)), "stderr:\n{}", run.stderr());
        assert!(run.wait_lines("messages.log", 2, Duration::from_millis(1000)), "held back while fetch() paused");
        assert!(run.event_names().iter().all(|e| e != "closing"), "delivered before close_batch() was called");
        assert_eq!(run.stop().0, Some(0));
    }
}
