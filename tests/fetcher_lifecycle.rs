//! Conformance: the python-fetcher lifecycle, scheduling and result
//! handling, run on every compiled-in backend through the real binary.

mod common;

use common::{Launch, Run, fixtures, gap};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

/// Starts `scripted.conf` with the given script.
fn scripted(backend: &str, script: &str, open_fails: u32, reopen: u32, no_data_delay: u32) -> Run {
    Launch::config("scripted.conf", backend)
        .arg("-v")
        .env("SCRIPT", script)
        .env("OPEN_FAILS", &open_fails.to_string())
        .env("REOPEN", &reopen.to_string())
        .env("NO_DATA_DELAY", &no_data_delay.to_string())
        .start()
}

/// Asserts an invalid `fetch()` result is reported, then `close()`, then
/// `open()` one time-reopen later, and the next message still arrives.
fn assert_invalid_then_reopen(backend: &str, action: &str) {
    let mut run = scripted(backend, &format!("{action},success"), 0, 1, 60);
    assert!(
        run.wait_lines("messages.log", 1, WAIT),
        "no message after reopen; stderr:\n{}",
        run.stderr()
    );
    let stderr = run.stderr();
    assert!(
        stderr.contains("python-fetcher: Error in Python fetcher, fetch() must return a tuple (FetchResult, LogMessage); driver='s_script#0', class='scripted.Scripted'"),
        "missing validation error for {action}:\n{stderr}"
    );
    assert!(
        stderr.contains("Error during fetching messages; driver='s_script#0'"),
        "{stderr}"
    );
    let names = run.event_names();
    assert_eq!(
        &names[..5],
        ["init", "open", "fetch", "close", "open"],
        "{names:?}"
    );
    let events = run.events();
    let reopen = gap(&events, ("fetch", 0), ("open", 1));
    assert!((0.8..4.0).contains(&reopen), "reopen after {reopen} s");
    let lines = run.lines("messages.log");
    assert!(
        lines.len() == 1 && lines[0].starts_with("scripted message "),
        "{lines:?}"
    );
    let (code, _) = run.stop();
    assert_eq!(code, Some(0));
}

conformance! {
    fn seed_example_prints_its_messages(backend) {
        let conf = common::fixtures().join("../../examples/seed.conf");
        let mut run = Launch::args(&["run", conf.to_str().unwrap(), "--backend", backend]).start();
        assert!(run.wait_for(WAIT, |r| r.stdout().lines().count() >= 5), "stderr:\n{}", run.stderr());
        let (code, _) = run.stop();
        assert_eq!(code, Some(0), "stderr:\n{}", run.stderr());
        let lines: Vec<String> = run.stdout().lines().map(|l| l.split_once(' ').unwrap().1.to_owned()).collect();
        let expected: Vec<String> = (1..=5).map(|i| format!("myfetcher: hello from MyFetcher, message {i}")).collect();
        assert_eq!(lines, expected);
    }

    fn lifecycle_calls_follow_upstream_order_and_threads(backend) {
        let mut run = Launch::config("lifecycle.conf", backend).start();
        assert!(run.wait_lines("messages.log", 3, WAIT), "stderr:\n{}", run.stderr());
        assert!(run.wait_event("fetch", 4, WAIT));
        let (code, _) = run.stop();
        assert_eq!(code, Some(0), "stderr:\n{}", run.stderr());
        assert_eq!(run.lines("messages.log"), ["message 1", "message 2", "message 3"]);
        let events = run.events();
        let names: Vec<String> = run.event_names();
        let mut collapsed = names.clone();
        collapsed.dedup();
        assert_eq!(collapsed, ["__init__", "init", "open", "fetch", "request_exit", "close", "deinit"], "{names:?}");
        let thread_of = |name: &str| events.iter().find(|e| e["event"] == name).unwrap()["thread"].clone();
        let main = thread_of("init");
        let worker = thread_of("open");
        assert_ne!(main, worker);
        for e in &events {
            let expected = match e["event"].as_str().unwrap() {
                "open" | "fetch" | "close" => &worker,
                _ => &main,
            };
            assert_eq!(&e["thread"], expected, "{e}");
        }
        let init = events.iter().find(|e| e["event"] == "init").unwrap();
        assert_eq!(init["persist_name"], "python-fetcher(lifecycle.Recorder)");
        assert_eq!(init["options"], serde_json::json!(["count"]));
        assert_eq!(init["flags"], true);
    }

    fn error_closes_and_reopens_after_time_reopen(backend) {
        let mut run = scripted(backend, "error,success", 0, 2, 60);
        assert!(run.wait_lines("messages.log", 1, WAIT), "stderr:\n{}", run.stderr());
        let names = run.event_names();
        assert_eq!(&names[..6], ["init", "open", "fetch", "close", "open", "fetch"], "{names:?}");
        let reopen = gap(&run.events(), ("fetch", 0), ("open", 1));
        assert!((1.8..6.0).contains(&reopen), "reopen after {reopen} s");
        assert!(run.stderr().contains("Error during fetching messages; driver='s_script#0'"));
        assert_eq!(run.stop().0, Some(0));
    }

    fn not_connected_reopens_without_close(backend) {
        let mut run = scripted(backend, "not_connected,true_tuple,success", 0, 2, 60);
        assert!(run.wait_lines("messages.log", 1, WAIT), "stderr:\n{}", run.stderr());
        let names = run.event_names();
        assert_eq!(&names[..7], ["init", "open", "fetch", "open", "fetch", "open", "fetch"], "{names:?}");
        let events = run.events();
        for n in 0..2 {
            let reopen = gap(&events, ("fetch", n), ("open", n + 1));
            assert!((1.8..6.0).contains(&reopen), "reopen after {reopen} s");
        }
        assert!(run.stderr().contains("Fetcher disconnected while receiving messages, reconnecting"));
        assert_eq!(run.stop().0, Some(0));
        assert_eq!(run.event_names().iter().filter(|e| *e == "close").count(), 1, "close only at stop");
    }

    fn try_again_fetches_again_at_once(backend) {
        let mut run = scripted(backend, "try_again,try_again,success", 0, 5, 60);
        assert!(run.wait_lines("messages.log", 1, WAIT));
        let events = run.events();
        assert!(gap(&events, ("fetch", 0), ("fetch", 2)) < 0.5);
        assert_eq!(run.stop().0, Some(0));
    }

    fn no_data_waits_fetch_no_data_delay(backend) {
        let mut run = scripted(backend, "no_data,success", 0, 1, 2);
        assert!(run.wait_lines("messages.log", 1, WAIT));
        let delay = gap(&run.events(), ("fetch", 0), ("fetch", 1));
        assert!((1.8..6.0).contains(&delay), "fetched again after {delay} s");
        assert_eq!(run.stop().0, Some(0));
    }

    fn no_data_delay_defaults_to_time_reopen(backend) {
        let mut run = Launch::config("scripted_default_delay.conf", backend)
            .env("SCRIPT", "no_data,success")
            .start();
        assert!(run.wait_lines("messages.log", 1, WAIT), "stderr:\n{}", run.stderr());
        let delay = gap(&run.events(), ("fetch", 0), ("fetch", 1));
        assert!((1.8..6.0).contains(&delay), "fetched again after {delay} s");
        assert_eq!(run.stop().0, Some(0));
    }

    fn negative_no_data_delay_is_a_config_error(backend) {
        let mut run = Launch::config("scripted.conf", backend)
            .env("SCRIPT", "success")
            .env("OPEN_FAILS", "0")
            .env("REOPEN", "2")
            .env("NO_DATA_DELAY", "-1")
            .start();
        assert_eq!(run.wait_exit(WAIT), Some(1));
        assert!(
            run.stderr().contains("scripted.conf:9:29: fetch-no-data-delay() needs a non-negative number of seconds near '-1'"),
            "{}",
            run.stderr()
        );
    }

    fn failed_open_is_retried_every_time_reopen(backend) {
        let mut run = scripted(backend, "success", 2, 2, 60);
        assert!(run.wait_lines("messages.log", 1, WAIT), "stderr:\n{}", run.stderr());
        let names = run.event_names();
        assert_eq!(&names[..5], ["init", "open", "open", "open", "fetch"], "{names:?}");
        let events = run.events();
        for n in 0..2 {
            let retry = gap(&events, ("open", n), ("open", n + 1));
            assert!((1.8..6.0).contains(&retry), "open retried after {retry} s");
        }
        assert_eq!(run.stop().0, Some(0));
    }

    fn int_enum_and_tuple_subclass_results_are_valid(backend) {
        let mut run = scripted(backend, "success_int,success_enum,success_subclass", 0, 1, 60);
        assert!(run.wait_lines("messages.log", 3, WAIT), "stderr:\n{}", run.stderr());
        assert!(!run.stderr().contains("must return a tuple"));
        assert_eq!(run.stop().0, Some(0));
    }

    fn bare_int_is_invalid(backend) { assert_invalid_then_reopen(backend, "bare_int") }
    fn list_is_invalid(backend) { assert_invalid_then_reopen(backend, "list") }
    fn three_tuple_is_invalid(backend) { assert_invalid_then_reopen(backend, "triple") }
    fn empty_tuple_is_invalid(backend) { assert_invalid_then_reopen(backend, "empty") }
    fn code_7_is_invalid(backend) { assert_invalid_then_reopen(backend, "code7") }
    fn negative_code_is_invalid(backend) { assert_invalid_then_reopen(backend, "negative") }
    fn float_code_is_invalid(backend) { assert_invalid_then_reopen(backend, "float_code") }
    fn success_without_message_is_invalid(backend) { assert_invalid_then_reopen(backend, "success_no_msg") }
    fn success_with_none_is_invalid(backend) { assert_invalid_then_reopen(backend, "success_none") }
    fn success_with_str_is_invalid(backend) { assert_invalid_then_reopen(backend, "success_str") }

    fn exception_in_fetch_is_reported_with_traceback(backend) {
        assert_invalid_then_reopen(backend, "raise");
        let mut run = scripted(backend, "raise", 0, 1, 60);
        assert!(run.wait_event("close", 1, WAIT));
        let stderr = run.stderr();
        assert!(stderr.contains("Exception while calling a Python function; caller='s_script#0', class='scripted.Scripted', function='fetch', exception='RuntimeError: boom from fetch'"), "{stderr}");
        assert!(stderr.contains("Traceback (most recent call last):"), "{stderr}");
        assert!(stderr.contains("scripted.py"), "{stderr}");
        assert_eq!(run.stop().0, Some(0));
    }

    fn request_exit_ends_a_fetch_sleeping_in_time_sleep(backend) {
        let mut run = Launch::config("blocking.conf", backend).env("CLASS", "Sleeper").start();
        assert!(run.wait_event("fetch", 1, WAIT), "stderr:\n{}", run.stderr());
        std::thread::sleep(Duration::from_millis(200));
        let (code, took) = run.stop();
        assert_eq!(code, Some(0), "stderr:\n{}", run.stderr());
        assert!(took < Duration::from_secs(2), "stop took {took:?}");
        let names = run.event_names();
        assert!(names.contains(&"request_exit".to_owned()) && names.contains(&"close".to_owned()), "{names:?}");
        // What fetch() returned after waking was delivered.
        assert_eq!(run.lines("messages.log"), ["after the sleep"]);
    }

    fn request_exit_ends_a_fetch_blocked_in_recv(backend) {
        let mut run = Launch::config("blocking.conf", backend).env("CLASS", "Receiver").start();
        assert!(run.wait_event("fetch", 1, WAIT), "stderr:\n{}", run.stderr());
        std::thread::sleep(Duration::from_millis(200));
        let (code, took) = run.stop();
        assert_eq!(code, Some(0), "stderr:\n{}", run.stderr());
        assert!(took < Duration::from_secs(2), "stop took {took:?}");
        let names = run.event_names();
        let at = |n: &str| names.iter().position(|e| e == n).unwrap_or_else(|| panic!("{n} missing in {names:?}"));
        assert!(at("request_exit") < at("received") && at("received") < at("close"), "{names:?}");
    }
}

/// Init failures: exit code 2 and upstream's wording.
fn assert_init_fails(backend: &str, class: &str, expected: &[&str]) {
    let mut run = Launch::config("initfail.conf", backend)
        .env("CLASS", class)
        .start();
    let code = run.wait_exit(WAIT);
    let stderr = run.stderr();
    assert_eq!(code, Some(2), "stderr:\n{stderr}");
    for text in expected {
        assert!(stderr.contains(text), "missing {text:?} in:\n{stderr}");
    }
}

conformance! {
    fn what_python_code_prints_reaches_stdout_before_exit(backend) {
        let mut run = Launch::args(&[
            "fetch", "--class", "printer.Printer", "--count", "1", "--template", "$MSG\\n", "--backend", backend,
        ])
        .env("PYTHONPATH", common::fixtures().to_str().unwrap())
        .start();
        assert_eq!(run.wait_exit(WAIT), Some(0), "{}", run.stderr());
        let stdout = run.stdout();
        for line in ["printed by init", "printed by fetch", "the message", "printed by deinit"] {
            assert!(stdout.lines().any(|l| l == line), "{line:?} missing in:\n{stdout}");
        }
    }

    fn a_module_that_ignores_sigterm_does_not_keep_logfetch_running(backend) {
        let (_, stderr) = stopped_after_init("ignores_sigterm.conf", backend);
        assert!(
            stderr.contains("Python code changed how the signal is handled; logfetch handles it again; signal='SIGTERM'"),
            "stderr:\n{stderr}"
        );
    }

    fn request_exit_is_the_method_captured_before_init(backend) {
        let (mut run, stderr) = stopped_after_init("shadowed.conf", backend);
        assert!(run.wait_event("request_exit", 1, WAIT), "stderr:\n{stderr}");
        assert!(!stderr.contains("grace period"), "stderr:\n{stderr}");
    }

    fn init_returning_none_fails_startup(backend) {
        assert_init_fails(backend, "initfail.ReturnsNone", &[
            "python-fetcher: Error initializing Python driver object, init() returned FALSE; driver='s_fail#0', class='initfail.ReturnsNone'",
            "Error initializing message pipeline",
        ]);
    }

    fn init_returning_false_fails_startup(backend) {
        assert_init_fails(backend, "initfail.ReturnsFalse", &["init() returned FALSE; driver='s_fail#0', class='initfail.ReturnsFalse'"]);
    }

    fn init_raising_fails_startup_with_traceback(backend) {
        assert_init_fails(backend, "initfail.Raises", &[
            "Exception while calling a Python function; caller='s_fail#0', class='initfail.Raises', function='init', exception='ValueError: init exploded'",
            "Traceback (most recent call last):",
            "init() returned FALSE",
        ]);
    }

    fn exception_text_in_internal_message_is_escaped_as_syslog_ng_does(backend) {
        assert_init_fails(backend, "initfail.RaisesQuoted", &[
            "function='init', exception='ValueError: it\\'s\\x0abroken\tnow'",
        ]);
    }

    fn missing_fetch_fails_startup(backend) {
        assert_init_fails(backend, "initfail.NoFetch", &["python-fetcher: Error initializing Python fetcher, class does not have a fetch() method; driver='s_fail#0', class='initfail.NoFetch'"]);
    }

    fn class_not_derived_from_log_fetcher_fails_startup(backend) {
        assert_init_fails(backend, "initfail.NotAFetcher", &["class is not a subclass of LogFetcher; driver='s_fail#0', class='initfail.NotAFetcher'"]);
    }

    fn unknown_module_fails_startup(backend) {
        assert_init_fails(backend, "no_such_module.Fetcher", &[
            "python-fetcher: Error looking up Python driver class; driver='s_fail#0', class='no_such_module.Fetcher'",
            "No module named",
        ]);
    }

    fn unknown_class_fails_startup(backend) {
        assert_init_fails(backend, "initfail.Missing", &[
            "Error looking up Python driver class; driver='s_fail#0', class='initfail.Missing'",
            "AttributeError",
        ]);
    }

    fn constructor_exception_fails_startup(backend) {
        assert_init_fails(backend, "initfail.RaisesInConstructor", &["Error instantiating Python driver class; driver='s_fail#0'"]);
    }
}

/// Starts `fixture`, stops it with SIGTERM once it is up (its fetcher
/// recorded `init` and logfetch said it started: a signal that arrives
/// while user code still has it ignored would be lost), checks that it
/// exited with 0, and returns the run and its stderr.
fn stopped_after_init(fixture: &str, backend: &str) -> (Run, String) {
    let mut run = Launch::config(fixture, backend).start();
    assert!(run.wait_event("init", 1, WAIT), "stderr:\n{}", run.stderr());
    assert!(
        run.wait_for(WAIT, |r| r.stderr().contains("logfetch starting up")),
        "stderr:\n{}",
        run.stderr()
    );
    let (code, _) = run.stop();
    let stderr = run.stderr();
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    (run, stderr)
}

/// Runs `config/<fixture>` and returns its stderr after checking that it
/// was refused as a configuration error (exit code 1), by `run` and, with
/// the same message, by `validate` (which runs python {} blocks as
/// `syslog-ng -s` does).
fn refused_config(fixture: &str, backend: &str) -> String {
    let path = fixtures().join("config").join(fixture);
    let mut validate =
        Launch::args(&["validate", path.to_str().unwrap(), "--backend", backend]).start();
    assert_eq!(
        validate.wait_exit(Duration::from_secs(15)),
        Some(1),
        "{}",
        validate.stderr()
    );
    assert!(
        validate.stderr().contains(&format!(
            "Error processing global python block in {}:",
            path.display()
        )),
        "{}",
        validate.stderr()
    );

    let mut run = Launch::config(&format!("config/{fixture}"), backend).start();
    let code = run.wait_exit(Duration::from_secs(15));
    let stderr = run.stderr();
    assert_eq!(code, Some(1), "stderr:\n{stderr}");
    assert!(
        !stderr.contains("<logfetch>/"),
        "logfetch's own frames shown:\n{stderr}"
    );
    stderr
}

conformance! {
    fn python_block_that_does_not_compile_is_a_config_error(backend) {
        let stderr = refused_config("python_block_syntax.conf", backend);
        let file = fixtures().join("config/python_block_syntax.conf");
        for text in [
            "Error compiling Python global code block; exception='SyntaxError: ".to_owned(),
            format!("File \"{}{{python-global-code:3}}\", line 3\n    def broken(:\n", file.display()),
            format!("Error processing global python block in {}:3:1\n", file.display()),
        ] {
            assert!(stderr.contains(&text), "missing {text:?} in:\n{stderr}");
        }
    }

    fn python_block_that_raises_is_a_config_error_with_its_traceback(backend) {
        let stderr = refused_config("python_block_raises.conf", backend);
        let file = fixtures().join("config/python_block_raises.conf");
        for text in [
            "Error evaluating global Python block; exception='RuntimeError: block says \\'no\\''".to_owned(),
            format!(
                "Traceback (most recent call last):\n  File \"{}{{python-global-code:4}}\", line 3, in <module>\n    raise RuntimeError(\"block says 'no'\")\n",
                file.display()
            ),
            format!("Error processing global python block in {}:4:4\n", file.display()),
        ] {
            assert!(stderr.contains(&text), "missing {text:?} in:\n{stderr}");
        }
    }
}
