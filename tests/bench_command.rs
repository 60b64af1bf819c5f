//! `logfetch bench`: one row per compiled-in backend, each delivering the
//! requested count. No timing assertions — only that it measured something.

mod common;

use common::Launch;
use serde_json::Value;
use std::time::Duration;

fn compiled() -> Vec<&'static str> {
    let mut names = Vec::new();
    if cfg!(feature = "cpython") {
        names.push("cpython");
    }
    if cfg!(feature = "rustpython") {
        names.push("rustpython");
    }
    names
}

#[test]
fn bench_const_json_has_a_row_per_backend() {
    let mut run = Launch::args(&["bench", "const", "--count", "2000", "--json"]).start();
    assert_eq!(
        run.wait_exit(Duration::from_secs(120)),
        Some(0),
        "stderr: {}",
        run.stderr()
    );
    let report: Value = serde_json::from_str(&run.stdout())
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout()));
    assert_eq!(report["workload"], "const");
    assert_eq!(report["count"], 2000);
    let rows = report["rows"].as_array().expect("rows");
    let backends: Vec<&str> = rows.iter().filter_map(|r| r["backend"].as_str()).collect();
    assert_eq!(backends, compiled());
    for row in rows {
        assert_eq!(row["kind"], "logfetch", "{row}");
        assert_eq!(row["messages"], 2000, "{row}");
        assert!(row["msgs_per_sec"].as_f64().unwrap() > 0.0, "{row}");
        assert!(row["cpu_seconds"].as_f64().unwrap() > 0.0, "{row}");
        assert!(row["peak_rss_bytes"].as_u64().unwrap() > 0, "{row}");
        assert!(row["first_message_ms"].as_f64().unwrap() > 0.0, "{row}");
    }
}

#[test]
fn bench_rejects_an_unknown_workload() {
    let mut run = Launch::args(&["bench", "nope", "--count", "10"]).start();
    assert_eq!(run.wait_exit(Duration::from_secs(30)), Some(1));
    assert!(
        run.stderr().contains("unknown workload 'nope'"),
        "{}",
        run.stderr()
    );
}
