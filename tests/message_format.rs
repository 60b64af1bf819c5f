//! Conformance: what a posted message looks like in file() output — the
//! default format, macros, HOST handling and the source options that
//! rewrite messages.

mod common;

use common::Launch;
use std::time::Duration;

conformance! {
    fn file_output_is_byte_exact(backend) {
        let mut run = Launch::config("format.conf", backend).start();
        let wait = Duration::from_secs(15);
        assert!(run.wait_lines("macros.log", 3, wait) && run.wait_lines("override.log", 3, wait), "stderr:\n{}", run.stderr());
        let (code, _) = run.stop();
        assert_eq!(code, Some(0), "stderr:\n{}", run.stderr());
        assert_eq!(
            run.read("legacy.log"),
            "Mar  5 07:08:09 pinned-host app: message 1\n\
             Mar  5 07:08:09 pinned-host app[42]: message 2\n\
             Mar  5 07:08:09 pinned-host app: message 3\n"
        );
        assert_eq!(
            run.read("macros.log"),
            "2024-03-05T07:08:09+00:00 13 user.notice pinned-host app pinned-transport t1,t2,.source.s_pinned s_pinned n=1 dflt\n\
             2024-03-05T07:08:09+00:00 13 user.notice pinned-host app pinned-transport t1,t2,.source.s_pinned s_pinned n=2 dflt\n\
             2024-03-05T07:08:09+00:00 165 local4.notice pinned-host app pinned-transport t1,t2,.source.s_pinned s_pinned n=3 dflt\n"
        );
        assert_eq!(
            run.read("override.log"),
            "forced-host forced 131 message 1\nforced-host forced 131 message 2\nforced-host forced 131 message 3\n"
        );
    }

    fn host_is_replaced_unless_keep_hostname(backend) {
        let mut run = Launch::config("keep_hostname_no.conf", backend).start();
        assert!(run.wait_lines("hosts.log", 3, Duration::from_secs(15)), "stderr:\n{}", run.stderr());
        run.stop();
        let host = run.read("hostname.txt");
        for line in run.lines("hosts.log") {
            assert_eq!(line, format!("{} {}", host.trim(), host.trim()));
        }
    }
}
