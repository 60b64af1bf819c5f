//! Conformance: the configuration language and CLI seen through running
//! configurations — blocks, @include/@define, typed options(), filters and
//! log path flags, internal(), reload, validate, preprocess and fetch.

mod common;

use common::{Launch, fixtures};
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

fn config(name: &str) -> String {
    format!("config/{name}")
}

fn sorted(mut lines: Vec<String>) -> Vec<String> {
    lines.sort();
    lines
}

conformance! {
    fn options_reach_init_with_their_types(backend) {
        let mut run = Launch::config(&config("typed_options.conf"), backend).start();
        assert!(run.wait_event("options", 1, WAIT), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        let event = run.events().into_iter().find(|e| e["event"] == "options").unwrap();
        assert_eq!(event["options"], json!({
            "string": "example_string", "true": true, "false": false, "yes": true,
            "long": 123456789, "negative": -5, "double": 123.456789,
            "string_list": ["string1", "string2"], "template": {"LogTemplate": "${template}"},
            "plain": "overridden", "bare": "word",
        }));
        assert_eq!(event["types"], json!({
            "string": "str", "true": "bool", "false": "bool", "yes": "bool", "long": "int",
            "negative": "int", "double": "float", "string_list": "list", "template": "LogTemplate",
            "plain": "str", "bare": "str",
        }));
    }

    fn a_block_wraps_python_fetcher_and_is_used_with_different_parameters(backend) {
        let mut run = Launch::config(&config("blocks.conf"), backend).start();
        assert!(run.wait_lines("messages.log", 7, WAIT), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0), "stderr:\n{}", run.stderr());
        assert_eq!(
            sorted(run.lines("messages.log")),
            [
                "from-default-label from-default-label 0 .source.s_default",
                "from-default-label from-default-label 1 .source.s_default",
                "from-one from-one 0 .source.s_one",
                "from-one from-one 1 .source.s_one",
                "from-two from-two 0 second,.source.s_two",
                "from-two from-two 1 second,.source.s_two",
                "from-two from-two 2 second,.source.s_two",
            ]
        );
        assert_eq!(run.sorted_event_texts("options", "persist_name"), ["python-fetcher.echo-default-label", "python-fetcher.echo-one", "python-fetcher.echo-two"]);
    }

    fn filters_and_log_path_flags_route_messages(backend) {
        let mut run = Launch::config(&config("filters.conf"), backend).start();
        assert!(run.wait_lines("rest.log", 3, WAIT), "stderr:\n{}", run.stderr());
        assert!(run.wait_lines("errors.log", 2, WAIT));
        assert_eq!(run.stop().0, Some(0));
        // level(err..emerg) with flags(final): these go nowhere else.
        assert_eq!(run.lines("errors.log"), ["db err query failed", "web crit crashed"]);
        // program("^db") and not message("noise"), minus what the final path took.
        assert_eq!(run.lines("db.log"), ["db query slow"]);
        // flags(fallback): what no other path matched.
        assert_eq!(run.lines("rest.log"), ["web GET /", "dbproxy noise ping", "cron tick"]);
    }

    fn a_log_path_runs_its_elements_in_order(backend) {
        let mut run = Launch::config(&config("path_order.conf"), backend).start();
        assert!(run.wait_lines("all.log", 6, WAIT), "stderr:\n{}", run.stderr());
        assert!(run.wait_lines("db_clean.log", 2, WAIT));
        assert!(run.wait_lines("db_errors.log", 1, WAIT));
        assert_eq!(run.stop().0, Some(0));
        // Before any filter: everything, unchanged by the rewrite further on.
        assert_eq!(
            sorted(run.lines("all.log")),
            ["cron tick", "db query failed", "db query slow", "dbproxy noise ping", "web GET /", "web crashed"]
        );
        assert_eq!(sorted(run.lines("db.log")), ["db query failed", "db query slow", "dbproxy noise ping"]);
        // The nested path starts from the end of its parent.
        assert_eq!(run.lines("db_errors.log"), ["clean-db query failed"]);
        assert_eq!(sorted(run.lines("db_clean.log")), ["clean-db query failed", "clean-db query slow"]);
    }

    fn if_elif_else_branch_as_syslog_ng_does(backend) {
        let mut run = Launch::config(&config("if_else.conf"), backend).start();
        assert!(run.wait_lines("after.log", 5, WAIT), "stderr:\n{}", run.stderr());
        assert!(run.wait_lines("no_else.log", 5, WAIT));
        assert!(run.wait_lines("block_else.log", 5, WAIT));
        assert_eq!(run.stop().0, Some(0));
        let db = ["db-db query failed", "db-db query slow", "db-dbproxy noise ping"];
        assert_eq!(sorted(run.lines("db.log")), db);
        // Taken by its condition, then dropped by its own filter: not to else.
        assert_eq!(run.lines("err.log"), ["web crashed"]);
        assert_eq!(sorted(run.lines("else.log")), ["cron tick", "web GET /"]);
        let mut after = db.to_vec();
        after.extend(["cron tick", "web GET /"]);
        assert_eq!(sorted(run.lines("after.log")), sorted(after.iter().map(|s| s.to_string()).collect()));
        assert_eq!(
            sorted(run.lines("no_else.log")),
            ["db query failed", "db query slow", "dbproxy noise ping", "web GET /", "web crashed"]
        );
        // A block branch its filter drops sends the message on to else.
        assert_eq!(sorted(run.lines("block.log")), ["db query failed", "db query slow", "dbproxy noise ping"]);
        assert_eq!(
            sorted(run.lines("block_else.log")),
            ["cron tick", "db query failed", "dbproxy noise ping", "web GET /", "web crashed"]
        );
    }

    fn a_catchall_path_takes_every_source(backend) {
        let mut run = Launch::config(&config("catchall.conf"), backend).start();
        assert!(run.wait_lines("all.log", 6, WAIT), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        assert_eq!(run.lines("all.log").len(), 6);
    }

    fn internal_source_carries_logfetch_messages(backend) {
        let mut run = Launch::config(&config("internal.conf"), backend).start();
        assert!(run.wait_for(WAIT, |r| r.read("internal.log").contains("talker exploded")), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        let text = run.read("internal.log");
        assert!(text.contains("logfetch syslog.warning talker warns\n"), "{text}");
        assert!(text.contains("logfetch syslog.err python-talker: talker logs an error\n"), "{text}");
        assert!(text.contains("logfetch syslog.err Exception while calling a Python function; caller='s_talk#0', class='talker.Talker', function='fetch', exception='ValueError: talker exploded'"), "{text}");
        assert!(text.contains("Traceback (most recent call last):"), "tracebacks reach internal(): {text}");
        // Without -e, what internal() takes does not also go to stderr.
        assert!(!run.stderr().contains("talker warns"), "{}", run.stderr());
    }

    fn modules_in_the_configurations_python_directory_are_found(backend) {
        let mut run = Launch::config(&config("module_dir.conf"), backend).start();
        assert!(run.wait_lines("messages.log", 2, WAIT), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0), "stderr:\n{}", run.stderr());
        assert_eq!(run.lines("messages.log"), ["loaded from python/ 1", "loaded from python/ 0"]);
    }

    fn the_usual_header_of_syslog_ng_configurations_loads(backend) {
        let mut run = Launch::config(&config("stock_header.conf"), backend).start();
        assert!(run.wait_lines("messages.log", 2, WAIT), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0), "stderr:\n{}", run.stderr());
        assert_eq!(
            run.lines("messages.log"),
            [r#"{"msg":"loaded from python/ 1"}"#, r#"{"msg":"loaded from python/ 0"}"#]
        );
    }

    fn a_peer_address_sets_host_from_and_host(backend) {
        let mut run = Launch::config(&config("peer.conf"), backend).start();
        assert!(run.wait_lines("peers.log", 9, WAIT), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        let local = logfetch_core::host::local_hostname();
        let lines = sorted(run.lines("peers.log"));
        let mut expected = vec![
            "s_addr|192.0.2.10|192.0.2.10|192.0.2.10|5514|from 192.0.2.10".to_owned(),
            "s_addr|2001:db8::7|2001:db8::7|2001:db8::7|0|from 2001:db8::7".to_owned(),
            "s_addr|127.0.0.1|127.0.0.1|127.0.0.1|601|from 127.0.0.1".to_owned(),
            format!("s_addr|{local}|{local}|127.0.0.1||from None"),
            "s_keep|192.0.2.10|kept|192.0.2.10|5514|from 192.0.2.10".to_owned(),
            "s_keep|2001:db8::7|kept|2001:db8::7|0|from 2001:db8::7".to_owned(),
            "s_keep|127.0.0.1|kept|127.0.0.1|601|from 127.0.0.1".to_owned(),
            format!("s_keep|{local}|kept|127.0.0.1||from None"),
        ];
        let loopback = logfetch_core::host::peer_hostname([127, 0, 0, 1].into(), true, false, false);
        assert_ne!(loopback, "127.0.0.1", "the hosts file names the loopback address");
        expected.push(format!("s_dns|{loopback}|{loopback}|127.0.0.1|601|from 127.0.0.1"));
        assert_eq!(lines, sorted(expected));
    }

    fn netmask_in_list_and_source_filters_select_as_syslog_ng_does(backend) {
        let mut run = Launch::config(&config("filters_peer.conf"), backend)
            .file("peers.list", "192.0.2.10\n\n2001:db8::7\r\n")
            .start();
        assert!(run.wait_lines("source.log", 4, WAIT), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        assert_eq!(run.lines("v4.log"), ["from 192.0.2.10"]);
        assert_eq!(run.lines("v6.log"), ["from 2001:db8::7"]);
        assert_eq!(run.lines("loopback.log"), ["from 127.0.0.1", "from None"]);
        assert_eq!(run.lines("listed.log"), ["from 192.0.2.10", "from 2001:db8::7"]);
        assert_eq!(run.lines("source.log").len(), 4);
    }

    fn seqnum_numbers_internal_messages_per_destination(backend) {
        let mut run = Launch::config(&config("seqnum.conf"), backend).start();
        assert!(run.wait_lines("all.log", 5, WAIT), "stderr:\n{}", run.stderr());
        assert!(run.wait_lines("internal.log", 2, WAIT), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        // Local (internal) messages are numbered by each destination from 1;
        // fetched ones only carry what their meta.sequenceId says.
        assert_eq!(
            sorted(run.lines("all.log")),
            ["1|seq-talker one", "2|seq-talker two", "77|carried", "|plain", "|seq=5 seq="]
        );
        assert_eq!(
            run.lines("internal.log"),
            [
                "1|seq-talker one|[meta sequenceId=\"1\"]",
                "2|seq-talker two|[meta sequenceId=\"2\"]",
            ]
        );
    }

    fn debians_file_options_load_and_set_owner_group_and_modes(backend) {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let probe = std::env::temp_dir().join(format!("logfetch-ids-{}-{backend}", std::process::id()));
        std::fs::write(&probe, b"").unwrap();
        let (uid, gid) = {
            let meta = std::fs::metadata(&probe).unwrap();
            (meta.uid(), meta.gid())
        };
        std::fs::remove_file(&probe).unwrap();
        let mut run = Launch::config("perms.conf", backend)
            .env("OWNER", &uid.to_string())
            .env("GROUP", &gid.to_string())
            .start();
        assert!(run.wait_lines("own/deeper/out.log", 2, WAIT), "stderr:\n{}", run.stderr());
        assert!(run.wait_lines("default/out.log", 2, WAIT), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        let mode = |path: &str| {
            let meta = std::fs::metadata(run.path(path)).unwrap();
            (meta.permissions().mode() & 0o7777, meta.uid(), meta.gid())
        };
        assert_eq!(mode("default/out.log"), (0o640, uid, gid));
        assert_eq!(mode("default").0, 0o700, "syslog-ng's default dir-perm");
        assert_eq!(mode("own/deeper/out.log"), (0o604, uid, gid));
        assert_eq!(mode("own").0, 0o751);
        assert_eq!(mode("own/deeper"), (0o751, uid, gid));
        assert!(!run.stderr().contains("Error setting"), "{}", run.stderr());
    }

    fn duplicate_persist_names_fail_startup(backend) {
        let mut run = Launch::config(&config("duplicate_persist.conf"), backend).start();
        assert_eq!(run.wait_exit(WAIT), Some(2), "{}", run.stderr());
        let stderr = run.stderr();
        assert!(stderr.contains("Automatic assignment of persist names failed, as conflicting persist-names were found"), "{stderr}");
        assert!(stderr.contains("persist_name='python-fetcher(options_echo.Echo)'"), "{stderr}");
        assert!(stderr.contains("duplicate_persist.conf:4:14") && stderr.contains("duplicate_persist.conf:5:14"), "{stderr}");
    }

    fn validate_check_startup_runs_init(backend) {
        let good = fixtures().join("lifecycle.conf");
        let mut run = Launch::args(&["validate", good.to_str().unwrap(), "--check-startup", "--backend", backend]).start();
        assert_eq!(run.wait_exit(WAIT), Some(0), "{}", run.stderr());
        assert_eq!(run.event_names(), ["__init__", "init", "deinit"], "init and deinit, nothing fetched");
        let bad = fixtures().join("initfail.conf");
        let mut run = Launch::args(&["validate", bad.to_str().unwrap(), "--check-startup", "--backend", backend])
            .env("CLASS", "initfail.ReturnsFalse")
            .start();
        assert_eq!(run.wait_exit(WAIT), Some(2));
        assert!(run.stderr().contains("init() returned FALSE"), "{}", run.stderr());
        // Without --check-startup the Python side is not touched.
        let mut run = Launch::args(&["validate", bad.to_str().unwrap()]).env("CLASS", "initfail.ReturnsFalse").start();
        assert_eq!(run.wait_exit(WAIT), Some(0), "{}", run.stderr());
    }

    fn fetch_command_runs_a_class_without_a_config(backend) {
        let mut run = Launch::args(&[
            "fetch", "--class", "options_echo.Echo", "-o", "label=quick", "-o", "count=5",
            "--count", "3", "--template", "$PROGRAM:$MSG\\n", "--backend", backend,
        ])
        .env("PYTHONPATH", fixtures().to_str().unwrap())
        .start();
        assert_eq!(run.wait_exit(WAIT), Some(0), "{}", run.stderr());
        assert_eq!(run.stdout(), "quick:quick 4\nquick:quick 3\nquick:quick 2\n");
        let event = run.events().into_iter().find(|e| e["event"] == "options").unwrap();
        assert_eq!(event["options"], json!({"label": "quick", "count": 5}));
    }

    fn sighup_reloads_with_fresh_instances_and_loses_nothing(backend) {
        let counter = "source s_reload { python-fetcher(class(\"counter.Counter\")); };\n";
        let other = "source s_reload { python-fetcher(class(\"counter.Other\")); };\n";
        let mut run = Launch::config(&config("reload.conf"), backend).file("reload_source.conf", counter).start();
        assert!(run.wait_lines("messages.log", 5, WAIT), "stderr:\n{}", run.stderr());

        // A broken configuration: the running one goes on, untouched.
        run.write("reload_source.conf", "source s_reload { python-fetcher(class(\"counter.Counter\") bogus(1)); };\n");
        run.signal(libc::SIGHUP);
        assert!(run.wait_for(WAIT, |r| r.stderr().contains("reverting to old config")), "stderr:\n{}", r_stderr(&run));
        let before = run.lines("messages.log").len();
        assert!(run.wait_lines("messages.log", before + 5, WAIT), "old config stopped delivering");

        // A changed class: the old instance is deinitialised, a new one of the new class starts.
        run.write("reload_source.conf", other);
        run.signal(libc::SIGHUP);
        assert!(run.wait_for(WAIT, |r| r.read("messages.log").contains("other ")), "stderr:\n{}", run.stderr());
        assert!(run.wait_for(WAIT, |r| r.read("messages.log").lines().filter(|l| l.starts_with("other ")).count() >= 3));
        assert_eq!(run.stop().0, Some(0), "stderr:\n{}", run.stderr());

        let events = run.events();
        let inits: Vec<_> = events.iter().filter(|e| e["event"] == "init").collect();
        let deinits: Vec<_> = events.iter().filter(|e| e["event"] == "deinit").collect();
        assert_eq!(inits.len(), 2, "one init per successful load: {events:?}");
        assert_eq!((inits[0]["cls"].as_str(), inits[1]["cls"].as_str()), (Some("counter"), Some("other")));
        assert_ne!(inits[0]["id"], inits[1]["id"]);
        assert_eq!(deinits.len(), 2);
        // Nothing fetched was lost: every message of each instance arrived, in order.
        let lines = run.lines("messages.log");
        for d in &deinits {
            let id = d["id"].as_i64().unwrap();
            let sent = d["sent"].as_i64().unwrap();
            let got: Vec<i64> = lines
                .iter()
                .filter_map(|l| l.split_once(' ').map(|(_, m)| m))
                .filter_map(|m| m.split_once('.'))
                .filter(|(i, _)| i.parse::<i64>().ok() == Some(id))
                .map(|(_, n)| n.parse().unwrap())
                .collect();
            assert_eq!(got, (1..=sent).collect::<Vec<_>>(), "instance {id}");
        }
    }
}

conformance! {
    fn sighup_reload_stops_the_running_sources_before_the_new_ones_init(backend) {
        let source = |name: &str| format!(
            "source s_reload {{ python-fetcher(class(\"counter.Exclusive\") options(\"name\" \"{name}\" \"lock\" \"`TEST_OUT`/held\")); }};\n"
        );
        let mut run = Launch::config(&config("reload.conf"), backend).file("reload_source.conf", &source("first")).start();
        assert!(run.wait_lines("messages.log", 3, WAIT), "stderr:\n{}", run.stderr());

        // As syslog-ng: the old instance's deinit() (which frees the lock)
        // comes before the new one's init(), which takes it.
        run.write("reload_source.conf", &source("second"));
        run.signal(libc::SIGHUP);
        assert!(run.wait_for(WAIT, |r| r.read("messages.log").contains("second ")), "stderr:\n{}", run.stderr());

        // A python {} block that does not run: read while the old
        // configuration runs, which goes on untouched.
        run.write("reload_source.conf", &format!("python {{ raise RuntimeError('no') }};\n{}", source("third")));
        run.signal(libc::SIGHUP);
        assert!(run.wait_for(WAIT, |r| r.stderr().matches("reverting to old config").count() == 1), "stderr:\n{}", run.stderr());

        // A new configuration whose init() fails: the old one starts again.
        run.write("reload_source.conf", "source s_reload { python-fetcher(class(\"initfail.ReturnsFalse\")); };\n");
        run.signal(libc::SIGHUP);
        assert!(run.wait_for(WAIT, |r| r.stderr().matches("reverting to old config").count() == 2), "stderr:\n{}", run.stderr());
        let before = run.lines("messages.log").len();
        assert!(run.wait_lines("messages.log", before + 3, WAIT), "old config did not start again");
        assert_eq!(run.stop().0, Some(0), "stderr:\n{}", run.stderr());

        let order: Vec<String> = run.events().iter()
            .filter(|e| e["event"] == "init" || e["event"] == "deinit")
            .map(|e| format!("{} {}", e["event"].as_str().unwrap_or_default(), e["cls"].as_str().unwrap_or_default()))
            .collect();
        assert_eq!(
            order,
            ["init first", "deinit first", "init second", "deinit second", "init second", "deinit second"],
            "stderr:\n{}", run.stderr()
        );
        assert!(run.lines("messages.log").last().unwrap().starts_with("second "));
    }
}

fn r_stderr(run: &common::Run) -> String {
    run.stderr()
}

#[test]
fn preprocess_expands_includes_and_defines() {
    let path = fixtures().join("config/blocks.conf");
    let mut run = Launch::args(&["preprocess", path.to_str().unwrap()]).start();
    assert_eq!(run.wait_exit(WAIT), Some(0), "{}", run.stderr());
    let out = run.stdout();
    assert!(
        out.contains("# Included by blocks.conf, found beside it."),
        "{out}"
    );
    assert!(
        out.contains("destination d_included { file(\"") && !out.contains("@include"),
        "{out}"
    );
    assert!(
        out.contains(&format!("{}/messages.log", run.dir.path().display())),
        "backticks replaced: {out}"
    );
}

#[test]
fn pidfile_holds_the_pid_while_running() {
    let conf = fixtures().join("lifecycle.conf");
    let mut run =
        Launch::args(&["run", conf.to_str().unwrap(), "--pidfile", "logfetch.pid"]).start();
    assert!(run.wait_lines("messages.log", 3, WAIT));
    let pid: u32 = run.read("logfetch.pid").trim().parse().unwrap();
    assert!(pid > 0);
    assert_eq!(run.stop().0, Some(0));
    assert!(!run.path("logfetch.pid").exists());
}

#[test]
fn unknown_backend_names_the_compiled_in_ones() {
    let conf = fixtures().join("lifecycle.conf");
    let mut run = Launch::args(&["run", conf.to_str().unwrap(), "--backend", "jython"]).start();
    assert_eq!(run.wait_exit(WAIT), Some(1));
    assert!(
        run.stderr()
            .contains("backend 'jython' is not compiled into this logfetch; available: "),
        "{}",
        run.stderr()
    );
}

conformance! {
    fn sighup_reopens_files_for_log_rotation(backend) {
        let counter = "source s_reload { python-fetcher(class(\"counter.Counter\")); };\n";
        let mut run = Launch::config(&config("reload.conf"), backend)
            .file("reload_source.conf", counter)
            .start();
        assert!(run.wait_lines("messages.log", 3, WAIT), "stderr:\n{}", run.stderr());
        std::fs::rename(run.path("messages.log"), run.path("messages.log.1")).unwrap();
        run.signal(libc::SIGHUP);
        assert!(run.wait_lines("messages.log", 3, WAIT), "no new file after SIGHUP:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        let rotated = run.lines("messages.log.1");
        let fresh = run.lines("messages.log");
        assert!(!rotated.is_empty() && !fresh.is_empty());
        // Nothing is written twice: the rotated file and the new one do not overlap.
        assert!(rotated.iter().all(|l| !fresh.contains(l)), "{rotated:?} / {fresh:?}");
    }
}
