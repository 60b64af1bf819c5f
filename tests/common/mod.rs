//! Runs the real `logfetch` binary on fixture configurations in a private
//! temporary directory, and reads back what it wrote.
//!
//! Fixture configurations live in `tests/fixtures/`; they write into the
//! directory named by the `TEST_OUT` environment variable (a backtick
//! reference in the config), and fetchers record lifecycle events there
//! through `tests/fixtures/events.py`.

#![allow(dead_code)]

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Declares conformance cases: each body runs once per compiled-in backend.
#[macro_export]
macro_rules! conformance {
    ($(fn $name:ident($backend:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                fn case($backend: &str) $body

                #[cfg(feature = "cpython")]
                #[test]
                fn cpython() {
                    case("cpython")
                }

                #[cfg(feature = "rustpython")]
                #[test]
                fn rustpython() {
                    case("rustpython")
                }
            }
        )*
    };
}

/// The fixtures directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// What syslog-ng 3.38 produced for `name` (`tests/golden/<name>.txt`, made
/// by `tests/golden/regenerate.sh`).
pub fn golden(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.txt"));
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `None` when `got` is what syslog-ng 3.38 produced for `name`; else a
/// report that names `what` and shows both texts.
pub fn golden_mismatch(what: &str, name: &str, got: &[u8]) -> Option<String> {
    let want = golden(name);
    (got != want.as_slice()).then(|| {
        format!(
            "{what} differs from tests/golden/{name}.txt\n--- syslog-ng 3.38\n{}\n--- logfetch\n{}",
            String::from_utf8_lossy(&want),
            String::from_utf8_lossy(got)
        )
    })
}

/// The binary under test.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_logfetch")
}

/// A running (or finished) logfetch process.
pub struct Run {
    pub dir: tempfile::TempDir,
    child: Child,
    started: Instant,
    status: Option<ExitStatus>,
}

/// How to start logfetch.
pub struct Launch {
    args: Vec<String>,
    env: Vec<(String, String)>,
    files: Vec<(String, String)>,
}

impl Launch {
    /// `logfetch run <fixture>.conf --backend <backend>`.
    pub fn config(fixture: &str, backend: &str) -> Self {
        let conf = fixtures().join(fixture);
        Launch {
            args: vec![
                "run".into(),
                conf.display().to_string(),
                "--backend".into(),
                backend.into(),
            ],
            env: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Any arguments.
    pub fn args(args: &[&str]) -> Self {
        Launch {
            args: args.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Adds an argument.
    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Sets an environment variable (e.g. one the config references in backticks).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Writes a file into the run's directory before the process starts.
    pub fn file(mut self, name: &str, contents: &str) -> Self {
        self.files.push((name.into(), contents.into()));
        self
    }

    /// Starts the process.
    pub fn start(self) -> Run {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, contents) in &self.files {
            fs::write(dir.path().join(name), contents).expect("write fixture file");
        }
        let mut cmd = Command::new(binary());
        cmd.args(&self.args)
            .current_dir(dir.path())
            .env("TEST_OUT", dir.path())
            .env("PYTHONPATH", fixtures())
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .stdout(fs::File::create(dir.path().join("stdout.txt")).unwrap())
            .stderr(fs::File::create(dir.path().join("stderr.txt")).unwrap());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start logfetch");
        Run {
            dir,
            child,
            started: Instant::now(),
            status: None,
        }
    }
}

impl Run {
    /// A file in the run's directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Replaces a file in the run's directory.
    pub fn write(&self, name: &str, contents: &str) {
        fs::write(self.path(name), contents).expect("write file");
    }

    /// A file's text ("" when missing).
    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// A file's lines.
    pub fn lines(&self, name: &str) -> Vec<String> {
        self.read(name).lines().map(str::to_owned).collect()
    }

    /// What logfetch wrote to stderr (its internal messages).
    pub fn stderr(&self) -> String {
        self.read("stderr.txt")
    }

    /// What logfetch wrote to stdout.
    pub fn stdout(&self) -> String {
        self.read("stdout.txt")
    }

    /// Events recorded by fixture fetchers (`events.py`), in order.
    pub fn events(&self) -> Vec<Value> {
        self.lines("events.jsonl")
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The names of the recorded events, in order.
    pub fn event_names(&self) -> Vec<String> {
        self.events()
            .iter()
            .map(|e| e["event"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The text `field` of every recorded `event`, sorted.
    pub fn sorted_event_texts(&self, event: &str, field: &str) -> Vec<String> {
        let mut texts: Vec<String> = self
            .events()
            .iter()
            .filter(|e| e["event"] == event)
            .map(|e| e[field].as_str().unwrap().to_owned())
            .collect();
        texts.sort();
        texts
    }

    /// Polls `done` until it is true or `timeout` passes (or the process exits).
    pub fn wait_for(&mut self, timeout: Duration, done: impl Fn(&Run) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if done(self) {
                return true;
            }
            if Instant::now() >= deadline || self.exited() {
                return done(self);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until `file` has at least `n` lines.
    pub fn wait_lines(&mut self, file: &str, n: usize, timeout: Duration) -> bool {
        let file = file.to_owned();
        self.wait_for(timeout, move |r| r.lines(&file).len() >= n)
    }

    /// Waits until an event called `name` was recorded `n` times.
    pub fn wait_event(&mut self, name: &str, n: usize, timeout: Duration) -> bool {
        let name = name.to_owned();
        self.wait_for(timeout, move |r| {
            r.event_names().iter().filter(|e| **e == name).count() >= n
        })
    }

    fn exited(&mut self) -> bool {
        if self.status.is_none() {
            self.status = self.child.try_wait().expect("try_wait");
        }
        self.status.is_some()
    }

    /// Waits for the process to exit on its own; its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while !self.exited() {
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.status.and_then(|s| s.code())
    }

    /// The process's resident memory (kB), from /proc.
    pub fn rss_kb(&self) -> u64 {
        let status =
            fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// Sends a signal.
    pub fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
    }

    /// SIGTERM, then waits; returns the exit code and how long the stop took.
    pub fn stop(&mut self) -> (Option<i32>, Duration) {
        let asked = Instant::now();
        self.signal(libc::SIGTERM);
        let code = self.wait_exit(Duration::from_secs(30));
        (code, asked.elapsed())
    }

    /// Time since start.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if !self.exited() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Seconds between the `n`th events named `a` and `b` (0-based).
pub fn gap(events: &[Value], a: (&str, usize), b: (&str, usize)) -> f64 {
    let at = |(name, n): (&str, usize)| {
        events
            .iter()
            .filter(|e| e["event"] == name)
            .nth(n)
            .unwrap_or_else(|| panic!("no event {name} #{n} in {events:?}"))["t"]
            .as_f64()
            .unwrap()
    };
    at(b) - at(a)
}
