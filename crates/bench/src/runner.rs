//! The parent side of `logfetch bench`: one fresh process per row and run,
//! measured from outside.
//!
//! - **logfetch rows** re-execute the logfetch binary as
//!   `logfetch bench --child SPEC` ([`crate::child`]); the child timestamps
//!   its first and last delivery (`CLOCK_MONOTONIC`), the parent notes the
//!   same clock just before `spawn`, so "first message" includes exec,
//!   dynamic linking, interpreter start and `init()`.
//! - **syslog-ng** runs `syslog-ng -F` on the equivalent configuration;
//!   the parent tails its output file every millisecond, counting lines, and
//!   stops it with SIGTERM once every message arrived.
//! - **the Python loop** runs `crates/bench/python/pyloop.py` on a plain
//!   `python3`.
//!
//! CPU time and peak RSS come from `wait4()` of each process.

use crate::child::{CHILD_FLAG, ChildSpec, PROGRESS_PREFIX, RESULT_PREFIX};
use crate::clock::monotonic_ns;
use crate::pipeline::PipelineSpec;
use crate::report::{Report, Row, RowKind, Sample};
use crate::workload::{self, Builtin, Workload};
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The plain-Python loop script.
const PYLOOP: &str = include_str!("../python/pyloop.py");

/// A row that makes no progress for this long is abandoned.
const STALL: Duration = Duration::from_secs(120);

/// Why a benchmark could not be run.
#[derive(Debug)]
pub struct BenchError(pub String);

impl std::fmt::Display for BenchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BenchError {}

fn error(text: impl Into<String>) -> BenchError {
    BenchError(text.into())
}

fn io_error(what: &str) -> impl FnOnce(std::io::Error) -> BenchError + '_ {
    move |e| error(format!("{what}: {e}"))
}

/// Where the logfetch rows deliver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkKind {
    /// `file()` in the run's temporary directory (the default).
    File,
    /// Counted and dropped.
    Null,
}

/// What `logfetch bench` was asked to do.
#[derive(Clone, Debug)]
pub struct Request {
    /// The workload.
    pub workload: Workload,
    /// `-o key=value` options for `init()` (besides `count`).
    pub options: Vec<(String, String)>,
    /// `--path`: directories put first on `sys.path`.
    pub path: Vec<PathBuf>,
    /// Messages per row.
    pub count: u64,
    /// Fetcher sources per row.
    pub sources: usize,
    /// `log-iw-size()` of each source (logfetch and syslog-ng alike).
    pub window: usize,
    /// The backends to run, one row each, in order.
    pub backends: Vec<String>,
    /// Where logfetch delivers.
    pub sink: SinkKind,
    /// Runs per row; the median is reported.
    pub runs: usize,
    /// Add a syslog-ng row, using this executable.
    pub syslog_ng: Option<String>,
    /// Add a plain-Python loop row, using this interpreter.
    pub python: Option<String>,
    /// The logfetch binary the rows re-execute.
    pub exe: PathBuf,
    /// Where temporary files go (default: the system's temporary directory).
    pub temp_dir: Option<PathBuf>,
}

/// What the runner reports while it works.
#[derive(Debug)]
pub enum Progress<'a> {
    /// A step before the rows (e.g. writing the jsonl input).
    Preparing(&'a str),
    /// A row's run starts.
    Started {
        /// The row's label.
        row: &'a str,
        /// 1-based run number.
        run: usize,
        /// Runs per row.
        runs: usize,
    },
    /// Messages delivered so far in the current run.
    Messages {
        /// The row's label.
        row: &'a str,
        /// Delivered.
        done: u64,
        /// Expected.
        total: u64,
    },
    /// A run ended.
    Finished {
        /// The row's label.
        row: &'a str,
        /// Its steady-state throughput.
        msgs_per_sec: f64,
    },
}

/// A finished process with its resource usage.
struct Reaped {
    status: i32,
    usage: libc::rusage,
}

impl Reaped {
    fn success(&self) -> bool {
        libc::WIFEXITED(self.status) && libc::WEXITSTATUS(self.status) == 0
    }

    fn into_sample(self, delivered: u64) -> Sample {
        let tv = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        Sample {
            delivered,
            cpu_user: tv(self.usage.ru_utime),
            cpu_sys: tv(self.usage.ru_stime),
            peak_rss_bytes: self.usage.ru_maxrss as u64 * 1024,
            ..Sample::default()
        }
    }
}

/// `wait4()` on `child`; with `block == false` returns `None` while it runs.
fn reap(child: &Child, block: bool) -> std::io::Result<Option<Reaped>> {
    let pid = child.id() as libc::pid_t;
    let flags = if block { 0 } else { libc::WNOHANG };
    loop {
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value of this plain C struct.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: wait4 on our own child's pid, writing into locals we own.
        let r = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
        match r {
            -1 => {
                let e = std::io::Error::last_os_error();
                if e.kind() != std::io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
            0 => return Ok(None),
            _ => return Ok(Some(Reaped { status, usage })),
        }
    }
}

fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: kill(2) on our own child's pid, which is not reaped yet.
    unsafe {
        libc::kill(child.id() as libc::pid_t, sig);
    }
}

/// The last lines of a process's stderr file, for error messages.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// Finds `name` on `PATH` (and in the sbin directories, where Debian puts
/// syslog-ng); a name with a slash is taken as it is.
pub fn find_program(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        return Path::new(name).is_file().then(|| PathBuf::from(name));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The version `syslog-ng --version` reports (`3.38.1`).
fn syslog_ng_version(exe: &Path) -> Option<String> {
    let out = Command::new(exe).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next()?;
    let start = first.find('(')? + 1;
    let end = first[start..].find(')')? + start;
    Some(first[start..end].to_owned())
}

/// Everything shared by the rows of one `run`.
struct Setup<'r> {
    request: &'r Request,
    dir: PathBuf,
    pipeline: PipelineSpec,
}

impl Setup<'_> {
    fn output(&self) -> PathBuf {
        self.dir.join("out.log")
    }

    fn remove_output(&self) {
        let _ = std::fs::remove_file(self.output());
    }

    /// One logfetch run in a fresh child process.
    fn logfetch(
        &self,
        backend: &str,
        row: &str,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Sample, BenchError> {
        self.remove_output();
        let mut pipeline = self.pipeline.clone();
        if self.request.sink == SinkKind::File {
            pipeline.output = Some(self.output());
        }
        let spec = ChildSpec {
            backend: backend.to_owned(),
            pipeline,
            config_path: self.dir.join("bench.conf"),
        };
        let stderr_path = self.dir.join(format!("{backend}.stderr"));
        let mut cmd = Command::new(&self.request.exe);
        cmd.arg("bench")
            .arg(CHILD_FLAG)
            .arg(spec.to_json())
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&stderr_path).map_err(io_error("cannot create a file"))?);
        let started_ns = monotonic_ns();
        let mut child = cmd
            .spawn()
            .map_err(io_error("cannot start the logfetch child"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut result = None;
        loop {
            match rx.recv_timeout(STALL) {
                Ok(line) => {
                    if let Some(n) = line.strip_prefix(PROGRESS_PREFIX) {
                        progress(Progress::Messages {
                            row,
                            done: n.trim().parse().unwrap_or(0),
                            total: self.request.count,
                        });
                    } else if let Some(json) = line.strip_prefix(RESULT_PREFIX) {
                        result = serde_json::from_str::<Value>(json).ok();
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    signal(&child, libc::SIGKILL);
                    let _ = reap(&child, true);
                    return Err(error(format!(
                        "{row}: no progress for {} s, killed\n{}",
                        STALL.as_secs(),
                        tail(&stderr_path)
                    )));
                }
            }
        }
        let reaped = reap(&child, true)
            .map_err(io_error("wait4"))?
            .ok_or_else(|| error("wait4 returned no status"))?;
        let (Some(result), true) = (result, reaped.success()) else {
            return Err(error(format!("{row} failed:\n{}", tail(&stderr_path))));
        };
        let field = |k: &str| result[k].as_u64().unwrap_or(0);
        let mut sample = reaped.into_sample(field("delivered"));
        sample.timed(
            started_ns,
            field("first_ns"),
            field("first_batch"),
            field("last_ns"),
        );
        Ok(sample)
    }

    /// One syslog-ng run: the same fetcher file, `file()` destination.
    fn syslog_ng(
        &self,
        exe: &Path,
        version: &str,
        row: &str,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Sample, BenchError> {
        self.remove_output();
        let run_dir = self.dir.join("syslog-ng");
        let _ = std::fs::remove_dir_all(&run_dir);
        std::fs::create_dir_all(&run_dir).map_err(io_error("cannot create a directory"))?;
        let mut pipeline = self.pipeline.clone();
        pipeline.output = Some(self.output());
        let mut extra = Vec::new();
        if self.request.workload == Workload::Builtin(Builtin::Fields) {
            // syslog-ng 3.x accepts only strings as values.
            extra.push(("int_field".to_owned(), "str".to_owned()));
        }
        let mut parts = version.split('.');
        let config_version = format!(
            "{}.{}",
            parts.next().unwrap_or("3"),
            parts.next().unwrap_or("38")
        );
        let conf = run_dir.join("syslog-ng.conf");
        std::fs::write(&conf, pipeline.syslog_ng_config(&config_version, &extra))
            .map_err(io_error("cannot write the syslog-ng configuration"))?;
        let pythonpath = std::env::join_paths(&pipeline.sys_path)
            .map_err(|e| error(format!("bad --path: {e}")))?;
        let stderr_path = run_dir.join("stderr");
        let mut cmd = Command::new(exe);
        cmd.arg("-F")
            .arg("-f")
            .arg(&conf)
            .arg(format!(
                "--persist-file={}",
                run_dir.join("persist").display()
            ))
            .arg(format!("--pidfile={}", run_dir.join("pid").display()))
            .arg(format!("--control={}", run_dir.join("ctl").display()))
            .env("PYTHONPATH", pythonpath)
            .current_dir(&run_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&stderr_path).map_err(io_error("cannot create a file"))?);
        let total = self.request.count;
        let started_ns = monotonic_ns();
        let child = cmd.spawn().map_err(io_error("cannot start syslog-ng"))?;
        let mut file = None;
        let mut buf = vec![0u8; 1 << 20];
        let (mut lines, mut first, mut last_ns) = (0u64, None, started_ns);
        let mut last_growth = started_ns;
        let mut last_report = started_ns;
        let outcome = loop {
            std::thread::sleep(Duration::from_millis(1));
            if file.is_none() {
                file = File::open(self.output()).ok();
            }
            let mut grew = false;
            if let Some(f) = file.as_mut() {
                loop {
                    match f.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
                            grew = true;
                        }
                    }
                }
            }
            let now = monotonic_ns();
            if grew {
                last_growth = now;
                last_ns = now;
                first.get_or_insert((now, lines));
            }
            if lines >= total {
                break Ok(());
            }
            if now - last_report > 200_000_000 {
                last_report = now;
                progress(Progress::Messages {
                    row,
                    done: lines,
                    total,
                });
            }
            match reap(&child, false) {
                Ok(Some(_)) => break Err("syslog-ng exited early".to_owned()),
                Err(e) => break Err(format!("wait4: {e}")),
                Ok(None) => {}
            }
            if Duration::from_nanos(now - last_growth) > STALL {
                break Err(format!("no progress for {} s", STALL.as_secs()));
            }
        };
        signal(&child, libc::SIGTERM);
        let mut reaped = None;
        for _ in 0..1000 {
            if let Ok(Some(r)) = reap(&child, false) {
                reaped = Some(r);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let reaped = match reaped {
            Some(r) => r,
            None => {
                signal(&child, libc::SIGKILL);
                reap(&child, true)
                    .map_err(io_error("wait4"))?
                    .ok_or_else(|| error("wait4 returned no status"))?
            }
        };
        if let Err(why) = outcome {
            return Err(error(format!("{row}: {why}\n{}", tail(&stderr_path))));
        }
        let mut sample = reaped.into_sample(lines);
        let (first_ns, first_batch) = first.unwrap_or((0, 0));
        sample.timed(started_ns, first_ns, first_batch, last_ns);
        Ok(sample)
    }

    /// One run of the plain-Python loop.
    fn python_loop(&self, python: &str, row: &str) -> Result<(Sample, String), BenchError> {
        let script = self.dir.join("pyloop.py");
        std::fs::write(&script, PYLOOP).map_err(io_error("cannot write pyloop.py"))?;
        let pythonpath = std::env::join_paths(&self.pipeline.sys_path)
            .map_err(|e| error(format!("bad --path: {e}")))?;
        let stderr_path = self.dir.join("python.stderr");
        // Past launchers such as pyenv's shims, so start-up is Python's own.
        let python = Command::new(python)
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| python.to_owned());
        let mut cmd = Command::new(&python);
        cmd.arg(&script)
            .arg(&self.pipeline.class_path)
            .arg(self.request.count.to_string())
            .args(
                self.pipeline
                    .options
                    .iter()
                    .map(|(k, v)| format!("{k}={v}")),
            )
            .env("PYTHONPATH", pythonpath)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&stderr_path).map_err(io_error("cannot create a file"))?);
        let started_ns = monotonic_ns();
        let mut child = cmd
            .spawn()
            .map_err(io_error(&format!("cannot start {python}")))?;
        let mut out = String::new();
        let _ = child
            .stdout
            .take()
            .expect("stdout is piped")
            .read_to_string(&mut out);
        let reaped = reap(&child, true)
            .map_err(io_error("wait4"))?
            .ok_or_else(|| error("wait4 returned no status"))?;
        let result: Option<Value> = serde_json::from_str(out.trim()).ok();
        let (Some(result), true) = (result, reaped.success()) else {
            return Err(error(format!("{row} failed:\n{}", tail(&stderr_path))));
        };
        let field = |k: &str| result[k].as_u64().unwrap_or(0);
        let mut sample = reaped.into_sample(field("delivered"));
        sample.timed(started_ns, field("first_ns"), 1, field("last_ns"));
        let version = result["version"].as_str().unwrap_or("?").to_owned();
        Ok((sample, version))
    }
}

/// Runs every row `runs` times with `run`, reporting progress.
fn repeat(
    runs: usize,
    row: &str,
    progress: &mut dyn FnMut(Progress<'_>),
    mut run: impl FnMut(&mut dyn FnMut(Progress<'_>)) -> Result<Sample, BenchError>,
) -> Result<Vec<Sample>, BenchError> {
    let mut samples = Vec::new();
    for i in 0..runs.max(1) {
        progress(Progress::Started {
            row,
            run: i + 1,
            runs: runs.max(1),
        });
        let sample = run(progress)?;
        progress(Progress::Finished {
            row,
            msgs_per_sec: sample.msgs_per_sec,
        });
        samples.push(sample);
    }
    Ok(samples)
}

/// Runs the benchmark and returns its report.
pub fn run(
    request: &Request,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Report, BenchError> {
    if request.options.iter().any(|(k, _)| k == "count") {
        return Err(error("use --count rather than -o count=..."));
    }
    let temp = match &request.temp_dir {
        Some(dir) => tempfile::Builder::new()
            .prefix("logfetch-bench")
            .tempdir_in(dir),
        None => tempfile::Builder::new().prefix("logfetch-bench").tempdir(),
    }
    .map_err(io_error("cannot create a temporary directory"))?;
    let dir = temp.path().to_path_buf();
    let workloads = dir.join("workloads");
    workload::write_files(&workloads).map_err(io_error("cannot write the workloads"))?;
    let mut sys_path: Vec<PathBuf> = request
        .path
        .iter()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
        .collect();
    sys_path.push(workloads);
    let mut options = request.options.clone();
    if request.workload == Workload::Builtin(Builtin::Jsonl)
        && !options.iter().any(|(k, _)| k == "path")
    {
        progress(Progress::Preparing("writing the jsonl input"));
        let path = workload::gen_jsonl(request.count, &dir.join("events.jsonl"))
            .map_err(io_error("cannot write the jsonl input"))?;
        options.push(("path".into(), path.to_string_lossy().into_owned()));
    }
    let setup = Setup {
        request,
        dir: dir.clone(),
        pipeline: PipelineSpec {
            class_path: request.workload.class_path().to_owned(),
            options,
            count: request.count,
            sources: request.sources.max(1),
            output: None,
            sys_path,
            window: request.window.max(1),
        },
    };
    let mut report = Report {
        workload: request.workload.name().to_owned(),
        class_path: request.workload.class_path().to_owned(),
        count: request.count,
        sources: request.sources.max(1),
        window: request.window.max(1),
        sink: match request.sink {
            SinkKind::File => "file".into(),
            SinkKind::Null => "null".into(),
        },
        rows: Vec::new(),
        notes: Vec::new(),
    };
    for backend in &request.backends {
        let kind = RowKind::Logfetch {
            backend: backend.clone(),
        };
        let name = format!("logfetch {backend}");
        let samples = repeat(request.runs, &name, progress, |p| {
            setup.logfetch(backend, &name, p)
        })?;
        report.rows.push(Row::median(kind, samples));
    }
    if let Some(program) = &request.syslog_ng {
        match find_program(program) {
            None => report
                .notes
                .push(format!("{program} is not installed; no syslog-ng row")),
            Some(exe) => {
                let version = syslog_ng_version(&exe).unwrap_or_else(|| "3.38".into());
                let name = format!("syslog-ng {version}");
                let samples = repeat(request.runs, &name, progress, |p| {
                    setup.syslog_ng(&exe, &version, &name, p)
                })?;
                report
                    .rows
                    .push(Row::median(RowKind::SyslogNg { version }, samples));
                if request.sink == SinkKind::Null {
                    report
                        .notes
                        .push("the syslog-ng row writes to file() all the same".into());
                }
                if request.sources > 1 {
                    report.notes.push(format!(
                        "the syslog-ng row runs {} python-fetcher() drivers too",
                        request.sources
                    ));
                }
            }
        }
    }
    if let Some(python) = &request.python {
        let name = format!("{python} loop");
        let mut version = String::from("?");
        let samples = repeat(request.runs, &name, progress, |_| {
            let (sample, v) = setup.python_loop(python, &name)?;
            version = v;
            Ok(sample)
        })?;
        report
            .rows
            .push(Row::median(RowKind::PythonLoop { version }, samples));
        report.notes.push(
            "the python loop row calls fetch() directly (one source, stub LogMessage, no output)"
                .into(),
        );
    }
    setup.remove_output();
    report.compute_ratios();
    Ok(report)
}
