//! Conformance: `parser {}` (json-parser, kv-parser, date-parser,
//! csv-parser, regexp-parser), `rewrite {}` and template functions write
//! what syslog-ng 3.38 writes.
//!
//! `tests/golden/regenerate-parsers.sh` ran syslog-ng 3.38 on
//! `tests/fixtures/parsers.conf`, `kv_date.conf`, `regexp_csv.conf` and
//! `template_functions.conf` and kept what their file() destinations wrote
//! in `tests/golden/<name>/`. Here logfetch runs the same
//! configuration and fetcher and must write the same bytes: parsed fields,
//! messages a parser or filter dropped from one path but not from others,
//! and each path's own changes.

mod common;

use common::{Launch, golden, golden_mismatch};
use std::fs;
use std::time::Duration;

/// The file() destinations of `parsers.conf`.
const PARSERS_FILES: &[&str] = &[
    "raw",
    "json",
    "cee",
    "extract",
    "errors",
    "rewrite",
    "rewrite-default",
    "format-json",
    "before",
    "after",
    "compare",
];

/// The file() destinations of `kv_date.conf`.
const KV_DATE_FILES: &[&str] = &[
    "raw",
    "kv",
    "kv-colon",
    "kv-semicolon",
    "kv-stray",
    "date-iso",
    "date-list",
    "date-zone",
    "date-clf",
    "date-recvd",
];

/// The file() destinations of `regexp_csv.conf`.
const REGEXP_CSV_FILES: &[&str] = &[
    "raw",
    "csv",
    "csv-comma",
    "csv-delims",
    "csv-double",
    "csv-backslash",
    "csv-strip",
    "csv-greedy",
    "csv-drop",
    "csv-pairs",
    "csv-null",
    "csv-line",
    "re",
    "re-two",
    "re-line",
    "re-fail",
    "re-groups",
];

/// The file() destinations of `template_functions.conf`.
const TEMPLATE_FUNCTION_FILES: &[&str] = &[
    "raw", "string", "substr", "sanitize", "indent", "encode", "numeric", "cond",
];

/// Runs `<name>.conf` and compares each of `files` with
/// `tests/golden/<name>/`; `raw.txt` gets all `messages` of the fetcher.
fn compare_with_golden(backend: &str, name: &str, files: &[&str], messages: usize) {
    compare_with_golden_in(backend, name, files, messages, &[]);
}

/// [`compare_with_golden`] with these environment variables set as when
/// the goldens were recorded.
fn compare_with_golden_in(
    backend: &str,
    name: &str,
    files: &[&str],
    messages: usize,
    env: &[(&str, &str)],
) {
    let expected = |file: &str| golden(&format!("{name}/{file}"));
    // The goldens were recorded in UTC, which shows in local-time stamps.
    let mut launch = Launch::config(&format!("{name}.conf"), backend).env("TZ", "UTC");
    for (key, value) in env {
        launch = launch.env(key, value);
    }
    let mut run = launch.start();
    assert!(
        run.wait_lines("raw.txt", messages, Duration::from_secs(30)),
        "stderr:\n{}",
        run.stderr()
    );
    let complete = |run: &common::Run| {
        files.iter().all(|f| {
            fs::metadata(run.path(&format!("{f}.txt"))).map_or(0, |m| m.len())
                >= expected(f).len() as u64
        })
    };
    run.wait_for(Duration::from_secs(10), complete);
    // A little longer, so that anything extra shows up too.
    std::thread::sleep(Duration::from_millis(300));
    let (code, _) = run.stop();
    assert_eq!(code, Some(0), "stderr:\n{}", run.stderr());

    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let got = fs::read(run.path(&format!("{f}.txt"))).unwrap_or_default();
            golden_mismatch(&format!("{f}.txt"), &format!("{name}/{f}"), &got)
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{}\nstderr:\n{}",
        failures.join("\n\n"),
        run.stderr()
    );
}

conformance! {
    fn parsed_and_rewritten_output_matches_syslog_ng(backend) {
        compare_with_golden(backend, "parsers", PARSERS_FILES, 8);
    }

    fn kv_and_date_parsers_match_syslog_ng(backend) {
        compare_with_golden(backend, "kv_date", KV_DATE_FILES, 10);
    }

    fn csv_and_regexp_parsers_match_syslog_ng(backend) {
        compare_with_golden(backend, "regexp_csv", REGEXP_CSV_FILES, 15);
    }

    fn template_functions_match_syslog_ng(backend) {
        // As tests/golden/regenerate-parsers.sh sets them (LOGFETCH_TF_UNSET is not).
        let env = [("LOGFETCH_TF", "tf-value"), ("LOGFETCH_TF_EMPTY", "")];
        compare_with_golden_in(backend, "template_functions", TEMPLATE_FUNCTION_FILES, 8, &env);
    }
}

conformance! {
    fn format_json_writes_parsed_types_from_version_4(backend) {
        let mut run = Launch::config("parsers_typed.conf", backend).start();
        let typed = [
            r#"{"_json":{"user":{"name":"alice","id":42},"text":"café \"q\"","tags":["a","b c"],"ratio":1.5,"ok":true,"none":null,"neg":-3,"level":"info"}}"#,
            r#"{"_json":{"msg":"path /var/log/x /var/tmp","level":"error","data":{"inner":{"n":2,"k":"v"}},"count":7}}"#,
            r#"{"_json":{"nested":{"deeper":{"deepest":"yes"}},"level":"debug","empty":""}}"#,
            "{}",
        ];
        assert!(
            run.wait_lines("typed.txt", typed.len(), Duration::from_secs(30)),
            "stderr:\n{}",
            run.stderr()
        );
        assert!(run.wait_lines("cast.txt", typed.len(), Duration::from_secs(10)));
        let (code, _) = run.stop();
        assert_eq!(code, Some(0), "stderr:\n{}", run.stderr());
        assert_eq!(run.lines("typed.txt"), typed);
        assert_eq!(
            run.lines("cast.txt")[0],
            r#"{"_json":{"user":{"name":"alice","id":"42"},"tags":"a,\"b c\""}}"#
        );
    }
}
