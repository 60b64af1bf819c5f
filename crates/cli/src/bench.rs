//! `logfetch bench`: turns the arguments into a [`logfetch_bench::Request`],
//! shows progress on stderr and prints the table (or JSON). The
//! measurements live in `logfetch-bench`; `--child` (hidden) is one row's
//! process, started by the parent run.

use crate::args::BenchArgs;
use crate::{backends, exit};
use logfetch_bench::{Builtin, Progress, Request, SinkKind, Workload};
use std::io::{IsTerminal, Write};

/// Shows progress on stderr: one rewritten line on a terminal, otherwise
/// a line when each run starts and ends.
fn show(event: Progress<'_>, terminal: bool) {
    let mut err = std::io::stderr().lock();
    let _ = match event {
        Progress::Preparing(what) => writeln!(err, "{what}..."),
        Progress::Started { row, run, runs } if runs > 1 => {
            write!(err, "{row} (run {run}/{runs})...")
        }
        Progress::Started { row, .. } => write!(err, "{row}..."),
        Progress::Messages { row, done, total } if terminal => write!(
            err,
            "\r\x1b[K{row}: {done}/{total} messages ({:.0}%)",
            done as f64 * 100.0 / total.max(1) as f64
        ),
        Progress::Messages { .. } => Ok(()),
        Progress::Finished { row, msgs_per_sec } if terminal => writeln!(
            err,
            "\r\x1b[K{row}: {} msg/s",
            logfetch_bench::report::grouped(msgs_per_sec)
        ),
        Progress::Finished { msgs_per_sec, .. } => writeln!(
            err,
            " {} msg/s",
            logfetch_bench::report::grouped(msgs_per_sec)
        ),
    };
    let _ = err.flush();
}

/// Runs `logfetch bench`; returns the exit code.
pub fn bench(a: &BenchArgs) -> u8 {
    if let Some(spec) = &a.child {
        return logfetch_bench::run_child(spec, &|name| {
            backends::get(Some(name)).map_err(|e| e.to_string())
        });
    }
    let usage = |text: &str| {
        eprintln!("logfetch bench: {text}");
        exit::CONFIG
    };
    let workload = match (&a.class_path, &a.workload) {
        (Some(class), _) => Workload::Class(class.clone()),
        (None, Some(name)) => match Builtin::from_name(name) {
            Some(b) => Workload::Builtin(b),
            None => return usage(&format!("unknown workload '{name}' (const, fields, jsonl)")),
        },
        (None, None) => return usage("name a workload or --class"),
    };
    let mut options = Vec::new();
    for o in &a.options {
        let Some((k, v)) = o.split_once('=') else {
            return usage(&format!("-o needs key=value, not '{o}'"));
        };
        options.push((k.to_owned(), v.to_owned()));
    }
    let compiled = backends::compiled();
    let chosen: Vec<String> = if a.backend.is_empty() {
        compiled.iter().map(|b| (*b).to_owned()).collect()
    } else {
        a.backend.clone()
    };
    if let Some(missing) = chosen.iter().find(|b| !compiled.contains(&b.as_str())) {
        return usage(&format!(
            "backend '{missing}' is not compiled into this logfetch; available: {}",
            compiled.join(", ")
        ));
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return usage(&format!("cannot find the logfetch binary: {e}")),
    };
    let request = Request {
        workload,
        options,
        path: a.path.clone(),
        count: a.count,
        sources: usize::from(a.sources),
        window: a.window as usize,
        backends: chosen,
        sink: if a.sink == "null" {
            SinkKind::Null
        } else {
            SinkKind::File
        },
        runs: usize::from(a.runs),
        syslog_ng: a.compare_syslog_ng.then(|| "syslog-ng".to_owned()),
        python: a.compare_python.clone(),
        exe,
        temp_dir: a.temp_dir.clone(),
    };
    let terminal = std::io::stderr().is_terminal();
    match logfetch_bench::run(&request, &mut |event| show(event, terminal)) {
        Ok(report) if a.json => {
            println!("{:#}", report.to_json());
            exit::OK
        }
        Ok(report) => {
            print!("{}", report.table());
            exit::OK
        }
        Err(e) => {
            eprintln!("\nlogfetch bench: {e}");
            exit::INIT
        }
    }
}
