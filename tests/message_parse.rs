//! Conformance: `LogMessage.parse(raw, self.parse_options)` reads raw
//! syslog lines as the source's options say, on both backends.

mod common;

use common::Launch;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

conformance! {
    fn parse_reads_rfc5424_and_bsd_lines_with_the_sources_options(backend) {
        let mut run = Launch::config("parse.conf", backend).start();
        assert!(run.wait_lines("parsed.log", 3, WAIT), "stderr:\n{}", run.stderr());
        assert!(run.wait_lines("plain.log", 1, WAIT), "stderr:\n{}", run.stderr());
        assert!(run.wait_lines("bad.log", 2, WAIT), "stderr:\n{}", run.stderr());
        assert_eq!(run.stop().0, Some(0));
        assert_eq!(
            run.lines("parsed.log"),
            [
                "34|mymachine|su|||22:14:15 +02:00||'su root' failed for lonvick on /dev/pts/8",
                "165|mymachine.example.com|evntslog||ID47|22:14:15 +00:00|\
                 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]|\
                 An application event log entry...",
                "13|host|app|123||22:14:15 +02:00||bytes with pid",
            ]
        );
        // flags(no-parse): the whole line is the message, PRI the default.
        assert_eq!(run.lines("plain.log"), ["13||<34>Oct 11 22:14:15 mymachine su: kept whole"]);
        // bad-hostname("^gconfd$"): that word is the program, not the host.
        assert_eq!(run.lines("bad.log"), ["gconfd|hello world", "hello|world"]);
        let checks: Vec<_> = run.events().into_iter().filter(|e| e["event"] == "parse_checks").collect();
        assert_eq!(checks.len(), 3);
        for check in checks {
            assert_eq!(check["capsule_type"], json!("PyCapsule"));
            assert_eq!(check["not_options"], json!("Parse options (PyCapsule) expected in the second parameter"));
            assert_eq!(check["not_raw"], json!("LogMessage.parse() argument 'raw_msg' must be str or bytes"));
            assert_eq!(check["returns"], json!("LogMessage"));
        }
    }
}
