//! The result of `logfetch bench`: one row per program measured, as a table
//! or as JSON.

use serde_json::{Value, json};
use std::time::Duration;

/// What a row ran.
#[derive(Clone, Debug, PartialEq)]
pub enum RowKind {
    /// logfetch on one backend.
    Logfetch {
        /// `cpython` or `rustpython`.
        backend: String,
    },
    /// Debian's syslog-ng, same fetcher file, `file()` destination.
    SyslogNg {
        /// Its version, e.g. `3.38.1`.
        version: String,
    },
    /// The same `fetch()` called in a tight loop by a plain `python3`, with
    /// a pure-Python `LogMessage`: the ceiling for the CPython backend.
    PythonLoop {
        /// The interpreter's version.
        version: String,
    },
}

/// One run of one program.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    /// Messages delivered (for the Python loop: fetched).
    pub delivered: u64,
    /// Steady-state throughput: messages after the first delivery ÷ time
    /// from the first to the last delivery.
    pub msgs_per_sec: f64,
    /// User CPU time of the process.
    pub cpu_user: Duration,
    /// System CPU time of the process.
    pub cpu_sys: Duration,
    /// Peak resident set size, bytes.
    pub peak_rss_bytes: u64,
    /// From spawning the process to the first delivered message.
    pub first_message: Option<Duration>,
    /// From spawning the process to its last delivered message.
    pub wall: Duration,
}

impl Sample {
    /// Fills in throughput and times from the monotonic stamps of the spawn,
    /// the first delivery (carrying `first_batch` messages) and the last.
    pub fn timed(&mut self, started_ns: u64, first_ns: u64, first_batch: u64, last_ns: u64) {
        let secs = |ns: u64| Duration::from_nanos(ns);
        if first_ns > 0 {
            self.first_message = Some(secs(first_ns.saturating_sub(started_ns)));
        }
        self.wall = secs(last_ns.saturating_sub(started_ns));
        let steady = last_ns.saturating_sub(first_ns);
        let after_first = self.delivered.saturating_sub(first_batch);
        self.msgs_per_sec = if first_ns > 0 && steady > 0 && after_first > 0 {
            after_first as f64 / secs(steady).as_secs_f64()
        } else if self.wall > Duration::ZERO {
            self.delivered as f64 / self.wall.as_secs_f64()
        } else {
            0.0
        };
    }

    /// User plus system CPU time.
    pub fn cpu(&self) -> Duration {
        self.cpu_user + self.cpu_sys
    }
}

/// One line of the table: the median run of one program.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// What ran.
    pub kind: RowKind,
    /// The run reported (the median by throughput).
    pub sample: Sample,
    /// Throughput of every run, in order.
    pub runs: Vec<f64>,
    /// Throughput ÷ the first row's.
    pub ratio: f64,
}

impl Row {
    /// The row's label.
    pub fn name(&self) -> String {
        match &self.kind {
            RowKind::Logfetch { backend } => format!("logfetch {backend}"),
            RowKind::SyslogNg { version } => format!("syslog-ng {version}"),
            RowKind::PythonLoop { version } => format!("python {version} loop"),
        }
    }

    /// Picks the median run (by throughput) of `samples` (not empty).
    pub fn median(kind: RowKind, samples: Vec<Sample>) -> Row {
        let runs: Vec<f64> = samples.iter().map(|s| s.msgs_per_sec).collect();
        let mut order: Vec<usize> = (0..samples.len()).collect();
        order.sort_by(|a, b| runs[*a].total_cmp(&runs[*b]));
        let sample = samples[order[order.len() / 2]].clone();
        Row {
            kind,
            sample,
            runs,
            ratio: 1.0,
        }
    }
}

/// Everything `logfetch bench` measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The workload's name (or class).
    pub workload: String,
    /// The fetcher class.
    pub class_path: String,
    /// Messages per row.
    pub count: u64,
    /// Fetcher sources per row.
    pub sources: usize,
    /// `log-iw-size()` of each source.
    pub window: usize,
    /// `file` or `null`.
    pub sink: String,
    /// The rows, in the order run.
    pub rows: Vec<Row>,
    /// Remarks printed under the table.
    pub notes: Vec<String>,
}

/// `1234567.8` → `1 234 568`.
pub fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

impl Report {
    /// Sets every row's ratio to the first row's throughput.
    pub fn compute_ratios(&mut self) {
        let base = self.rows.first().map(|r| r.sample.msgs_per_sec);
        for row in &mut self.rows {
            row.ratio = match base {
                Some(b) if b > 0.0 => row.sample.msgs_per_sec / b,
                _ => 0.0,
            };
        }
    }

    /// The human-readable table.
    pub fn table(&self) -> String {
        let header = [
            "row",
            "messages",
            "msg/s",
            "CPU s",
            "sys s",
            "peak RSS",
            "first msg",
            "ratio",
        ];
        let mut lines: Vec<[String; 8]> = vec![header.map(str::to_owned)];
        for row in &self.rows {
            let s = &row.sample;
            lines.push([
                row.name(),
                grouped(s.delivered as f64),
                grouped(s.msgs_per_sec),
                format!("{:.2}", s.cpu().as_secs_f64()),
                format!("{:.2}", s.cpu_sys.as_secs_f64()),
                format!("{:.1} MB", s.peak_rss_bytes as f64 / 1e6),
                s.first_message
                    .map(|d| format!("{:.0} ms", d.as_secs_f64() * 1e3))
                    .unwrap_or_else(|| "-".into()),
                format!("{:.2}", row.ratio),
            ]);
        }
        let mut widths = [0; 8];
        for line in &lines {
            for (w, cell) in widths.iter_mut().zip(line) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let sources = if self.sources == 1 {
            "1 source".to_owned()
        } else {
            format!("{} sources", self.sources)
        };
        let workload = if self.workload == self.class_path {
            self.workload.clone()
        } else {
            format!("{} ({})", self.workload, self.class_path)
        };
        let mut out = format!(
            "workload {workload}, {} messages, {sources}, window {}, {} sink\n",
            grouped(self.count as f64),
            self.window,
            self.sink
        );
        for line in &lines {
            let mut text = String::new();
            for (i, (cell, w)) in line.iter().zip(widths).enumerate() {
                if i == 0 {
                    text.push_str(&format!("{cell:<w$}"));
                } else {
                    text.push_str(&format!("  {cell:>w$}"));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        out
    }

    /// The machine-readable form.
    pub fn to_json(&self) -> Value {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let s = &row.sample;
                let (kind, backend, version) = match &row.kind {
                    RowKind::Logfetch { backend } => ("logfetch", Some(backend), None),
                    RowKind::SyslogNg { version } => ("syslog-ng", None, Some(version)),
                    RowKind::PythonLoop { version } => ("python-loop", None, Some(version)),
                };
                json!({
                    "name": row.name(),
                    "kind": kind,
                    "backend": backend,
                    "version": version,
                    "messages": s.delivered,
                    "msgs_per_sec": s.msgs_per_sec,
                    "cpu_user_seconds": s.cpu_user.as_secs_f64(),
                    "cpu_sys_seconds": s.cpu_sys.as_secs_f64(),
                    "cpu_seconds": s.cpu().as_secs_f64(),
                    "peak_rss_bytes": s.peak_rss_bytes,
                    "first_message_ms": s.first_message.map(|d| d.as_secs_f64() * 1e3),
                    "wall_seconds": s.wall.as_secs_f64(),
                    "ratio": row.ratio,
                    "runs_msgs_per_sec": row.runs,
                })
            })
            .collect();
        json!({
            "workload": self.workload,
            "class": self.class_path,
            "count": self.count,
            "sources": self.sources,
            "window": self.window,
            "sink": self.sink,
            "rows": rows,
            "notes": self.notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0.4), "0");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(1000.0), "1 000");
        assert_eq!(grouped(1_234_567.6), "1 234 568");
    }

    #[test]
    fn steady_state_excludes_the_first_batch() {
        let mut s = Sample {
            delivered: 1001,
            ..Sample::default()
        };
        s.timed(0, 50_000_000, 1, 1_050_000_000);
        assert_eq!(s.msgs_per_sec, 1000.0);
        assert_eq!(s.first_message, Some(Duration::from_millis(50)));
    }

    #[test]
    fn median_and_ratios() {
        let sample = |rate| Sample {
            msgs_per_sec: rate,
            ..Sample::default()
        };
        let kind = RowKind::Logfetch {
            backend: "cpython".into(),
        };
        let row = Row::median(kind.clone(), vec![sample(3.0), sample(1.0), sample(2.0)]);
        assert_eq!(row.sample.msgs_per_sec, 2.0);
        let mut report = Report {
            workload: "const".into(),
            class_path: "const.Const".into(),
            count: 3,
            sources: 1,
            window: 100,
            sink: "file".into(),
            rows: vec![row, Row::median(kind, vec![sample(1.0)])],
            notes: vec![],
        };
        report.compute_ratios();
        assert_eq!(report.rows[1].ratio, 0.5);
        assert!(report.table().contains("logfetch cpython"));
        assert_eq!(report.to_json()["rows"][1]["ratio"], 0.5);
    }
}
