//! Broken configurations: each is refused with exit code 1 and a message
//! naming file:line:col and the offending word. No backend is involved
//! (`logfetch validate` stops before Python starts).

mod common;

use common::{Launch, fixtures};
use std::time::Duration;

/// (file under tests/fixtures/broken, line:col, offending word, part of the message)
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "01-unknown-statement.conf",
        "2:1",
        "sorce",
        "unknown statement; did you mean 'source'?",
    ),
    (
        "02-unknown-source-driver.conf",
        "3:5",
        "pyton-fetcher",
        "did you mean 'python-fetcher'?",
    ),
    (
        "03-unknown-fetcher-option.conf",
        "2:38",
        "fetch-no-data-dela",
        "did you mean 'fetch-no-data-delay'?",
    ),
    (
        "04-unknown-destination-driver.conf",
        "2:17",
        "fil",
        "unknown destination driver; did you mean 'file'?",
    ),
    (
        "05-unknown-file-option.conf",
        "2:31",
        "templat",
        "unknown option of file(); did you mean 'template'?",
    ),
    (
        "06-missing-semicolon.conf",
        "3:1",
        "destination",
        "expected ';'",
    ),
    (
        "07-unterminated-string.conf",
        "2:33",
        "\"A)); };",
        "unterminated string",
    ),
    (
        "08-missing-class.conf",
        "2:12",
        "python-fetcher",
        "no class specified",
    ),
    (
        "09-undefined-source.conf",
        "4:14",
        "s_two",
        "undefined source referenced in log path; did you mean 's_one'?",
    ),
    (
        "10-undefined-destination.conf",
        "4:30",
        "d_fiel",
        "did you mean 'd_file'?",
    ),
    (
        "11-duplicate-source.conf",
        "3:8",
        "s",
        "duplicate source name",
    ),
    (
        "12-duplicate-destination.conf",
        "3:13",
        "d",
        "duplicate destination name",
    ),
    (
        "13-bad-boolean.conf",
        "2:52",
        "maybe",
        "keep-hostname() needs yes or no",
    ),
    (
        "14-bad-number.conf",
        "2:50",
        "lots",
        "log-iw-size() needs a whole number",
    ),
    (
        "15-zero-time-reopen.conf",
        "2:50",
        "0",
        "time-reopen() needs a positive number",
    ),
    (
        "16-unknown-parse-flag.conf",
        "2:44",
        "no-parsee",
        "Unknown flag; did you mean 'no-parse'?",
    ),
    (
        "17-unknown-log-flag.conf",
        "4:40",
        "flow-contrl",
        "did you mean 'flow-control'?",
    ),
    (
        "18-undefined-backtick.conf",
        "2:50",
        "LOGFETCH_SURELY_UNDEFINED",
        "undefined name in backtick reference",
    ),
    ("19-unknown-pragma.conf", "2:1", "@inclde", "unknown pragma"),
    (
        "20-include-missing.conf",
        "2:10",
        "no-such-file.conf",
        "@include: no such file",
    ),
    (
        "21-unknown-global-option.conf",
        "2:11",
        "keep-hostnam",
        "did you mean 'keep-hostname'?",
    ),
    (
        "22-unknown-filter-function.conf",
        "2:12",
        "progam",
        "unknown filter function; did you mean 'program'?",
    ),
    (
        "23-invalid-regex.conf",
        "2:20",
        "(unclosed",
        "invalid regular expression: unclosed group",
    ),
    (
        "24-undefined-filter.conf",
        "4:25",
        "f_missing",
        "undefined filter referenced",
    ),
    (
        "25-unknown-severity.conf",
        "2:18",
        "errr..emerg",
        "unknown severity",
    ),
    (
        "26-unterminated-python.conf",
        "2:8",
        "python",
        "unterminated python block",
    ),
    (
        "27-option-without-value.conf",
        "2:54",
        "c",
        "options() key without a value",
    ),
    (
        "28-bad-option-value.conf",
        "2:53",
        "b",
        "options() values are",
    ),
    (
        "29-unknown-default-priority.conf",
        "2:55",
        "loud",
        "unknown severity",
    ),
    (
        "30-unknown-block-context.conf",
        "2:7",
        "sorce",
        "unknown block context; did you mean 'source'?",
    ),
    (
        "31-invalid-template.conf",
        "2:31",
        "${MSG",
        "invalid template: unterminated ${",
    ),
    (
        "32-missing-semicolon-in-log.conf",
        "4:17",
        "destination",
        "expected ';'",
    ),
    (
        "33-unknown-facility.conf",
        "2:55",
        "locl0",
        "unknown facility; did you mean 'local0'?",
    ),
    (
        "34-duplicate-filter.conf",
        "3:8",
        "f",
        "duplicate filter name",
    ),
    (
        "35-unknown-log-item.conf",
        "3:18",
        "rewriter",
        "unknown option of log()",
    ),
    (
        "36-unclosed-paren.conf",
        "2:37",
        ";",
        "expected a value or ')'",
    ),
    (
        "37-unknown-option-in-block-use.conf",
        "5:12",
        "log-iw-sise",
        "did you mean 'log-iw-size'?",
    ),
    (
        "38-unknown-group.conf",
        "2:32",
        "no-such-group-here",
        "group(): unknown group 'no-such-group-here'",
    ),
    (
        "39-bad-hostname-regex.conf",
        "2:24",
        "(unclosed",
        "bad-hostname(): invalid regular expression: unclosed group",
    ),
    (
        "40-unsupported-parser.conf",
        "3:12",
        "xml-parser",
        "parser xml-parser() is not supported by logfetch; it runs json-parser(), kv-parser(), date-parser(), csv-parser(), regexp-parser()",
    ),
    (
        "41-read-only-rewrite.conf",
        "3:27",
        "PRI",
        "PRI is read-only, it cannot be changed in rewrite rules",
    ),
    (
        "42-undefined-parser.conf",
        "4:25",
        "p_jsn",
        "undefined parser referenced in log path; did you mean 'p_json'?",
    ),
    (
        "43-glob-subst.conf",
        "3:34",
        "a*",
        "subst() cannot replace with a glob pattern",
    ),
    (
        "44-condition-ends-early.conf",
        "3:55",
        "and",
        "the filter expression ends after an operator",
    ),
    (
        "45-long-key-delimiter.conf",
        "3:53",
        "::",
        "key-delimiter() takes a single character",
    ),
    (
        "46-blank-value-separator.conf",
        "3:53",
        " ",
        "value-separator() takes one character other than a blank or a quote",
    ),
    (
        "47-unknown-date-time-zone.conf",
        "3:67",
        "Mars/Olympus",
        "time-zone(): unknown time zone 'Mars/Olympus'",
    ),
    (
        "48-two-csv-escapes.conf",
        "3:75",
        "escape-double-char",
        "only one escape style can be used in the flags argument",
    ),
    (
        "49-bad-comparison.conf",
        "3:38",
        "=~",
        "syntax error: expected a comparison such as == or eq",
    ),
    (
        "50-source-inside-if.conf",
        "3:18",
        "if",
        "only filters, parsers, rewrites, destinations and if can be used inside if",
    ),
];

#[test]
fn broken_configurations_are_refused_with_their_location() {
    let dir = fixtures().join("broken");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".conf"))
        .collect();
    files.sort();
    let listed: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    assert_eq!(files, listed, "every broken config has an expectation");
    assert!(CASES.len() >= 30);
    let mut failures = Vec::new();
    for (file, at, word, message) in CASES {
        let path = dir.join(file);
        let mut run = Launch::args(&["validate", path.to_str().unwrap()]).start();
        let code = run.wait_exit(Duration::from_secs(10));
        let stderr = run.stderr();
        let located = format!("{}:{at}: ", path.display());
        let ok = code == Some(1)
            && stderr.contains(&located)
            && stderr.contains(&format!("near '{word}'"))
            && stderr.contains(message)
            && !stderr.contains("panicked");
        if !ok {
            failures.push(format!(
                "{file}: exit {code:?}, expected {located}… {message} near '{word}', got:\n{stderr}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_missing_version_is_only_a_warning() {
    let path = fixtures().join("config/no_version.conf");
    let mut run = Launch::args(&["validate", path.to_str().unwrap()]).start();
    assert_eq!(
        run.wait_exit(Duration::from_secs(10)),
        Some(0),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains("no_version.conf:1:1: Configuration file has no version number"),
        "{}",
        run.stderr()
    );
}

#[test]
fn an_unused_source_is_a_warning() {
    let path = fixtures().join("config/unused_source.conf");
    let mut run = Launch::args(&["validate", path.to_str().unwrap()]).start();
    assert_eq!(
        run.wait_exit(Duration::from_secs(10)),
        Some(0),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains("unused_source.conf:3:8: source 's_unused' is not used in any log path"),
        "{}",
        run.stderr()
    );
}
