//! Conformance: `syslogng.Persist` keeps typed values across restarts.

mod common;

use common::{Launch, fixtures};
use serde_json::json;
use std::time::Duration;

conformance! {
    fn persist_values_survive_a_restart(backend) {
        let store = tempfile::tempdir().unwrap();
        let file = store.path().join("state.persist");
        let conf = fixtures().join("persist.conf");
        let mut seen = Vec::new();
        for _ in 0..2 {
            let mut run = Launch::args(&["run", conf.to_str().unwrap(), "--backend", backend, "--persist-file", file.to_str().unwrap()]).start();
            assert!(run.wait_lines("messages.log", 1, Duration::from_secs(15)), "stderr:\n{}\nevents: {:?}", run.stderr(), run.events());
            assert_eq!(run.stop().0, Some(0));
            seen.push(run.events().into_iter().find(|e| e["event"] == "persist").unwrap());
        }
        assert_eq!(seen[0]["previous"], json!({"runs": 0, "label": "first"}));
        let mut previous = seen[1]["previous"].clone();
        assert_eq!(previous["big"], "1180591620717411303424");
        previous.as_object_mut().unwrap().remove("big");
        assert_eq!(previous, json!({"runs": 1, "label": "run 1", "raw": [0, 255, 114, 97, 119], "flag": 1}));
        assert_eq!(seen[1]["runs"], 2);
        for s in &seen {
            assert_eq!(s["errors"], json!([]));
            assert_eq!(s["raw"], json!([0, 255, 114, 97, 119]));
            assert_eq!(s["raw_type"], "bytes");
            assert_eq!(s["big"], "1180591620717411303424");
            assert_eq!(s["flag"], 1);
            assert_eq!(s["keys"], json!(["big", "flag", "label", "raw", "runs"]));
            assert_eq!(s["has_runs"], true);
            assert_eq!(s["has_missing"], false);
            assert_eq!(s["name"], "python-fetcher.cursor");
        }
    }
}
