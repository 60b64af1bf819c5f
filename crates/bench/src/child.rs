//! The child side of a logfetch row: `logfetch bench --child SPEC`.
//!
//! The parent re-executes the logfetch binary for every row so that peak
//! RSS and CPU time (from `wait4`) belong to that row alone. The child runs
//! the pipeline with the real config loader, `prepare()` and runtime, and
//! talks back on stdout in lines:
//!
//! ```text
//! progress <delivered>              every 200 ms
//! result {"delivered":…,"first_ns":…,"first_batch":…,"last_ns":…,"undelivered":…}
//! ```

use crate::clock::monotonic_ns;
use crate::pipeline::PipelineSpec;
use logfetch_core::internal_log::{self, Verbosity};
use logfetch_core::lifecycle::Backend;
use logfetch_core::plan::prepare;
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// The hidden flag of `logfetch bench` that makes it a row's child.
pub const CHILD_FLAG: &str = "--child";

/// Prefix of the child's final line.
pub const RESULT_PREFIX: &str = "result ";

/// Prefix of the child's progress lines.
pub const PROGRESS_PREFIX: &str = "progress ";

/// What a child runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ChildSpec {
    /// The backend name.
    pub backend: String,
    /// The pipeline.
    pub pipeline: PipelineSpec,
    /// Where the generated configuration is said to live (its directory is
    /// on `sys.path` too, as for any configuration).
    pub config_path: PathBuf,
}

fn paths(value: &Value) -> Vec<PathBuf> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default()
}

impl ChildSpec {
    /// The spec as one command-line argument.
    pub fn to_json(&self) -> String {
        let p = &self.pipeline;
        json!({
            "backend": self.backend,
            "config_path": self.config_path,
            "class_path": p.class_path,
            "options": p.options,
            "count": p.count,
            "sources": p.sources,
            "output": p.output,
            "sys_path": p.sys_path,
            "window": p.window,
        })
        .to_string()
    }

    /// Reads [`Self::to_json`]'s output.
    pub fn from_json(text: &str) -> Result<ChildSpec, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("bad child spec: {e}"))?;
        let string = |key: &str| {
            v[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("child spec lacks {key}"))
        };
        let options = v["options"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|pair| Some((pair[0].as_str()?.into(), pair[1].as_str()?.into())))
                    .collect()
            })
            .unwrap_or_default();
        Ok(ChildSpec {
            backend: string("backend")?,
            config_path: string("config_path")?.into(),
            pipeline: PipelineSpec {
                class_path: string("class_path")?,
                options,
                count: v["count"].as_u64().ok_or("child spec lacks count")?,
                sources: v["sources"].as_u64().unwrap_or(1) as usize,
                output: v["output"].as_str().map(PathBuf::from),
                sys_path: paths(&v["sys_path"]),
                window: v["window"]
                    .as_u64()
                    .map_or(crate::pipeline::DEFAULT_WINDOW, |w| w as usize),
            },
        })
    }
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Runs the row described by `spec_json` on the backend `resolve` returns;
/// returns the process exit code (0, or 1 for a setup error, 2 when the
/// sources failed to initialise). Errors go to stderr.
pub fn run_child(
    spec_json: &str,
    resolve: &dyn Fn(&str) -> Result<&'static dyn Backend, String>,
) -> u8 {
    internal_log::install(Verbosity::Normal, true);
    let fail = |code: u8, text: &str| {
        eprintln!("logfetch bench: {text}");
        code
    };
    let spec = match ChildSpec::from_json(spec_json) {
        Ok(s) => s,
        Err(e) => return fail(1, &e),
    };
    let (plan, delivery) = match spec.pipeline.plan(&spec.config_path) {
        Ok(p) => p,
        Err(e) => return fail(1, &e),
    };
    let backend = match resolve(&spec.backend) {
        Ok(b) => b,
        Err(e) => return fail(1, &e),
    };
    let mut runtime = match prepare(&plan, backend) {
        Ok(r) => r,
        Err(e) => return fail(2, &format!("cannot start the pipeline: {e}")),
    };
    if let Err(e) = runtime.start() {
        return fail(2, &format!("cannot start worker threads: {e}"));
    }
    while !runtime.wait_fetchers_finished(Duration::from_millis(200)) {
        say(&format!("{PROGRESS_PREFIX}{}", delivery.delivered()));
    }
    let report = runtime.stop(Duration::from_secs(30));
    let s = delivery.snapshot();
    say(&format!(
        "{RESULT_PREFIX}{}",
        json!({
            "delivered": s.delivered,
            "first_ns": s.first_ns,
            "first_batch": s.first_batch,
            "last_ns": s.last_ns,
            "undelivered": report.undelivered,
            "exit_ns": monotonic_ns(),
        })
    ));
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_round_trips() {
        let spec = ChildSpec {
            backend: "cpython".into(),
            config_path: "/tmp/x/bench.conf".into(),
            pipeline: PipelineSpec {
                class_path: "const.Const".into(),
                options: vec![("k".into(), "v=1".into())],
                count: 10,
                sources: 2,
                output: None,
                sys_path: vec!["/a".into(), "/b".into()],
                window: 1000,
            },
        };
        assert_eq!(ChildSpec::from_json(&spec.to_json()).unwrap(), spec);
    }
}
