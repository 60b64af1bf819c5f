//! Conformance: `json` decodes the same on both backends, whatever fast
//! path the host gives it (RustPython's `json.loads()` accelerator): valid
//! documents give the values CPython gives, and everything the fast path
//! declines gives what the interpreter's stock decoder gives, errors
//! included.

mod common;

use common::Launch;
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// What CPython 3.11's `json` gives for the valid documents of
/// `json_cases.DOCUMENTS` (the first ten) and for the calls after them.
const VALID: &[&str] = &[
    "{'a': 1, 'b': [True, False, None], 'c': {'d': 'e'}}",
    "[1, -2, 0, 0, 3.25, -1500.0, 0.01, 1000.0]",
    "'plain'",
    "'esc \" \\\\ / \\x08 \\x0c \\n \\r \\t é 😀 end'",
    "'lone \\ud800 surrogate'",
    "{'dup': 3, 'x': 2}",
    "123456789012345678901234567890",
    "[nan, inf, -inf]",
    "{'café': 'naïve'}",
    "{'user': 'Zoë', 'msg': '日本 😀 x\\né', 'n': [1, 'ü']}",
];
const CALLS: &[&str] = &[
    "{'bytes': [1]}",
    "{'a': '1.5'}",
    "['a']",
    "{'from': 'file', 'n': [1, 2]}",
    "'ctl\\tok'",
    "({'a': 1}, 8)",
    "(['ü', 2], 14)",
    "JSONDecodeError: Expecting value: line 1 column 10 (char 9)",
];

fn results(events: &[Value], name: &str) -> Vec<String> {
    let event = events.iter().find(|e| e["event"] == name).unwrap();
    event["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect()
}

conformance! {
    fn json_loads_matches_the_stock_decoder(backend) {
        let mut run = Launch::config("json_cases.conf", backend).start();
        assert!(run.wait_event("json_cases", 1, WAIT), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        let events = run.events();
        let cases = events.iter().find(|e| e["event"] == "json_cases").unwrap();
        assert_eq!(cases["accelerated"], backend == "rustpython", "the fast path is RustPython's");
        let stock = results(&events, "json_stock");
        let got = results(&events, "json_cases");
        let documents = stock.len();
        assert_eq!(&got[..documents], &stock[..], "json.loads() vs the stock decoder");
        assert_eq!(&got[..VALID.len()], VALID);
        assert!(got[VALID.len()..documents].iter().take(6).all(|r| r.starts_with("JSONDecodeError: ")), "{got:#?}");
        assert_eq!(&got[documents..], CALLS);
    }
}
