//! Conformance: the Python API seen from a fetcher (LogMessage typing,
//! LogFetcher attributes, Logger, LogTemplate), checked inside the real
//! interpreter of each backend by `tests/fixtures/api.py`.

mod common;

use common::Launch;
use std::time::Duration;

conformance! {
    fn python_api_behaves_as_upstream(backend) {
        let mut run = Launch::config("api.conf", backend).start();
        assert!(run.wait_event("checks_done", 1, Duration::from_secs(15)), "stderr:\n{}", run.stderr());
        let (code, _) = run.stop();
        assert_eq!(code, Some(0), "stderr:\n{}", run.stderr());
        let checks: Vec<_> = run.events().into_iter().filter(|e| e["event"] == "check").collect();
        assert_eq!(checks.len(), 13, "{checks:?}");
        let failed: Vec<String> = checks
            .iter()
            .filter(|c| c["ok"] != true)
            .map(|c| format!("{}:\n{}", c["name"], c["error"].as_str().unwrap_or_default()))
            .collect();
        assert!(failed.is_empty(), "failed checks ({backend}):\n{}", failed.join("\n"));
        let stderr = run.stderr();
        assert!(stderr.contains("] logger error line\n"), "{stderr}");
        assert!(stderr.contains("] python-myapp: bridged warning\n"), "{stderr}");
        // As syslog-ng's msg_info: shown without -v; debug needs -d.
        assert!(stderr.contains("] logger info line\n"), "{stderr}");
        assert!(!stderr.contains("logger debug line"), "debug is shown only with -d");
    }
}
