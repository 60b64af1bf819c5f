//! The benchmark workloads: the shared fetcher files (kept byte-identical to
//! the ones syslog-ng is measured with, in `benches/workloads/`), compiled
//! into the binary so `logfetch bench` needs no source tree, and the input
//! of the `jsonl` workload.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The shared workload files, by file name.
pub const FILES: &[(&str, &str)] = &[
    (
        "const.py",
        include_str!("../../../benches/workloads/const.py"),
    ),
    (
        "fields.py",
        include_str!("../../../benches/workloads/fields.py"),
    ),
    (
        "jsonl.py",
        include_str!("../../../benches/workloads/jsonl.py"),
    ),
    (
        "const_pinned.py",
        include_str!("../../../benches/workloads/const_pinned.py"),
    ),
    (
        "gen_jsonl.py",
        include_str!("../../../benches/workloads/gen_jsonl.py"),
    ),
];

/// A built-in workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `const.Const`: one constant message per `fetch()`.
    Const,
    /// `fields.Fields`: a new message with MSG, HOST and five pairs.
    Fields,
    /// `jsonl.Jsonl`: one JSON line of a generated file per `fetch()`.
    Jsonl,
}

impl Builtin {
    /// Every built-in workload.
    pub const ALL: [Builtin; 3] = [Builtin::Const, Builtin::Fields, Builtin::Jsonl];

    /// The workload called `name` (`const`, `fields`, `jsonl`).
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Const => "const",
            Builtin::Fields => "fields",
            Builtin::Jsonl => "jsonl",
        }
    }

    /// Its fetcher class, `module.Class`.
    pub fn class_path(self) -> &'static str {
        match self {
            Builtin::Const => "const.Const",
            Builtin::Fields => "fields.Fields",
            Builtin::Jsonl => "jsonl.Jsonl",
        }
    }
}

/// What to run: a built-in workload or any fetcher class.
#[derive(Clone, Debug, PartialEq)]
pub enum Workload {
    /// `logfetch bench const|fields|jsonl`.
    Builtin(Builtin),
    /// `logfetch bench --class mod.Class`.
    Class(String),
}

impl Workload {
    /// The name shown in the report.
    pub fn name(&self) -> &str {
        match self {
            Workload::Builtin(b) => b.name(),
            Workload::Class(c) => c,
        }
    }

    /// The fetcher class, `module.Class`.
    pub fn class_path(&self) -> &str {
        match self {
            Workload::Builtin(b) => b.class_path(),
            Workload::Class(c) => c,
        }
    }
}

/// Writes the shared workload files into `dir` (created if missing).
pub fn write_files(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in FILES {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

const APPS: [&str; 5] = ["checkout", "search", "billing", "auth", "catalog"];
const LEVELS: [&str; 5] = ["info", "info", "info", "warning", "error"];
const PATHS: [&str; 5] = [
    "/api/v1/cart",
    "/api/v1/items",
    "/api/v2/pay",
    "/login",
    "/health",
];

/// Writes line `i` of `gen_jsonl.py`'s output (without the newline).
pub fn jsonl_line(i: u64, out: &mut impl Write) -> io::Result<()> {
    let k = |n: u64| n as usize % 5;
    write!(
        out,
        r#"{{"ts":"2024-05-01T{:02}:{:02}:{:02}.{:06}Z","host":"web-{:02}","app":"{}","level":"{}","message":"request {:07} done in {} ms status=200 path={}"}}"#,
        i / 3_600_000 % 24,
        i / 60_000 % 60,
        i / 1000 % 60,
        i % 1000 * 997,
        i % 16,
        APPS[k(i)],
        LEVELS[k(i * 7)],
        i,
        i * 13 % 900,
        PATHS[k(i * 3)],
    )
}

/// Writes the `jsonl` workload's input: the same bytes as
/// `gen_jsonl.py LINES PATH`, without needing a Python.
pub fn gen_jsonl(lines: u64, path: &Path) -> io::Result<PathBuf> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    for i in 0..lines {
        jsonl_line(i, &mut out)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for b in Builtin::ALL {
            assert_eq!(Builtin::from_name(b.name()), Some(b));
        }
        assert_eq!(Builtin::from_name("nope"), None);
    }

    #[test]
    fn jsonl_matches_the_python_generator() {
        let mut line = Vec::new();
        jsonl_line(1_234_567, &mut line).unwrap();
        assert_eq!(
            String::from_utf8(line).unwrap(),
            r#"{"ts":"2024-05-01T00:20:34.565299Z","host":"web-07","app":"billing","level":"error","message":"request 1234567 done in 571 ms status=200 path=/api/v1/items"}"#
        );
    }

    /// Byte-for-byte against `gen_jsonl.py` itself, when a python3 is there.
    #[test]
    fn jsonl_file_equals_gen_jsonl_py() {
        let dir = tempfile::tempdir().unwrap();
        write_files(dir.path()).unwrap();
        let theirs = dir.path().join("theirs.jsonl");
        let ran = std::process::Command::new("python3")
            .arg(dir.path().join("gen_jsonl.py"))
            .arg("3000")
            .arg(&theirs)
            .status();
        let Ok(status) = ran else {
            eprintln!("python3 not found; skipped");
            return;
        };
        assert!(status.success());
        let ours = gen_jsonl(3000, &dir.path().join("ours.jsonl")).unwrap();
        assert!(std::fs::read(ours).unwrap() == std::fs::read(theirs).unwrap());
    }
}
