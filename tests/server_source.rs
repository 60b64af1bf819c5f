//! Conformance: server-style `python()` sources — `run()` on its own
//! thread, `post_message()` with flow control (blocking, or suspend() and
//! wakeup()), `request_exit()` on stop, and the checks upstream makes.

mod common;

use common::Launch;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn numbered(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}{i}")).collect()
}

fn assert_init_fails(config: &str, backend: &str, class: &str, expected: &str) {
    let mut run = Launch::config(config, backend).env("CLASS", class).start();
    assert_eq!(run.wait_exit(WAIT), Some(2), "stderr:\n{}", run.stderr());
    let stderr = run.stderr();
    assert!(
        stderr.contains(expected),
        "missing {expected:?} in:\n{stderr}"
    );
}

conformance! {
    fn run_posts_through_the_window_and_stops_on_request_exit(backend) {
        let mut run = Launch::config("server.conf", backend).start();
        assert!(run.wait_lines("blocking.log", 30, WAIT), "stderr:\n{}", run.stderr());
        assert!(run.wait_lines("suspending.log", 50, WAIT), "stderr:\n{}", run.stderr());
        assert!(run.wait_event("suspending_done", 1, WAIT), "stderr:\n{}", run.stderr());
        assert!(run.wait_event("acked", 3, WAIT), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0), "stderr:\n{}", run.stderr());

        assert_eq!(run.lines("blocking.log"), numbered("local+python blocking ", 30));
        assert_eq!(run.lines("suspending.log"), numbered("suspending ", 50));
        let events = run.events();
        let find = |name: &str| events.iter().find(|e| e["event"] == name).cloned().unwrap();
        let checks = find("checks");
        assert_eq!(checks["other_thread"], json!("RuntimeError: post_message must be called from main thread"));
        assert_eq!(checks["close_batch_elsewhere"], json!("RuntimeError: close_batch() must be called from main thread"));
        assert_eq!(checks["not_a_message"], json!("TypeError: LogMessage expected in the first parameter"));
        assert_eq!(checks["worker_is_not_main"], json!(true));
        assert_eq!(
            checks["bookmark_without_tracker"],
            json!("RuntimeError: Bookmarks can not be used without creating an AckTracker instance (self.ack_tracker)")
        );
        assert_eq!(run.sorted_event_texts("acked", "bookmark"), ["b0", "b1", "b2"]);
        assert_eq!(run.lines("acked.log"), numbered("acked ", 3));
        let read_only = find("posted_is_read_only");
        assert_eq!(read_only["error"], json!("TypeError: Log message is read only, cannot set name-value pair x"));
        // A window of 5 and 50 messages: the source was suspended and woken.
        let done = find("suspending_done");
        assert!(done["suspends"].as_u64().unwrap() >= 1, "{done}");
        assert_eq!(done["suspends"], done["wakeups"], "{done}");
        let exits: Vec<_> = events.iter().filter(|e| e["event"] == "request_exit").collect();
        assert_eq!(exits.len(), 3, "request_exit() once per source");
        // finalize() follows deinit(), once per source.
        let ends: Vec<String> = events
            .iter()
            .filter(|e| e["event"] == "deinit" || e["event"] == "finalize")
            .map(|e| format!("{} {}", e["source"].as_str().unwrap(), e["event"].as_str().unwrap()))
            .collect();
        for source in ["Blocking", "Suspending"] {
            let mine: Vec<&String> = ends.iter().filter(|e| e.starts_with(source)).collect();
            assert_eq!(mine, [&format!("{source} deinit"), &format!("{source} finalize")]);
        }
    }

    fn python_sources_and_fetchers_are_checked_for_their_base_class(backend) {
        assert_init_fails(
            "server_class.conf",
            backend,
            "server.NotASource",
            "python-source: Error initializing Python source, class is not a subclass of LogSource; driver='s_server#0', class='server.NotASource'",
        );
        assert_init_fails(
            "server_class.conf",
            backend,
            "server.SuspendWithoutWakeup",
            "python-source: Error initializing Python source, class implements suspend() but wakeup() is missing",
        );
        // A LogSource is not a fetcher.
        assert_init_fails(
            "initfail.conf",
            backend,
            "server.Blocking",
            "python-fetcher: Error initializing Python fetcher, class is not a subclass of LogFetcher",
        );
    }
}
