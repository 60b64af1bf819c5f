//! One measured pipeline — N python-fetcher sources of one class, one
//! destination, `flags(flow-control)` — written out as a logfetch and as a
//! syslog-ng configuration, so both run the same thing; and, for logfetch,
//! the [`Plan`] with its destination wrapped in a [`Counted`] sink that
//! timestamps deliveries.

use crate::counting::{Counted, Delivery};
use logfetch_core::plan::Plan;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The default fetch window (`log-iw-size()`), syslog-ng's default; with
/// flow control the fetcher pauses when this many messages are in flight.
pub const DEFAULT_WINDOW: usize = 100;

/// What one row measures.
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineSpec {
    /// The fetcher class, `module.Class`.
    pub class_path: String,
    /// `options()` besides `count` (which is set per source from [`Self::count`]).
    pub options: Vec<(String, String)>,
    /// Messages in total, split evenly over the sources.
    pub count: u64,
    /// How many `python-fetcher()` drivers run the class.
    pub sources: usize,
    /// The `file()` to write; `None` for the null sink (logfetch only:
    /// messages are counted and dropped, not rendered).
    pub output: Option<PathBuf>,
    /// Directories put first on `sys.path` (`PYTHONPATH` for syslog-ng).
    pub sys_path: Vec<PathBuf>,
    /// `log-iw-size()` of each source.
    pub window: usize,
}

/// A string literal of the configuration language.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl PipelineSpec {
    /// How many messages each source fetches (the first ones take the remainder).
    pub fn per_source(&self) -> Vec<u64> {
        let n = self.sources.max(1) as u64;
        (0..n)
            .map(|i| self.count / n + u64::from(i < self.count % n))
            .collect()
    }

    /// The `log` statement and everything it names, for either program.
    fn body(&self, output: &Path, extra_options: &[(String, String)]) -> String {
        let mut text = String::from("source s_bench {\n");
        for (i, count) in self.per_source().into_iter().enumerate() {
            let mut options = vec![("count".to_owned(), count.to_string())];
            options.extend(self.options.iter().cloned());
            for (k, v) in extra_options {
                if !options.iter().any(|(key, _)| key == k) {
                    options.push((k.clone(), v.clone()));
                }
            }
            let options: Vec<String> = options
                .iter()
                .map(|(k, v)| format!("{} => {}", quoted(k), quoted(v)))
                .collect();
            text.push_str(&format!(
                "    python-fetcher(class({}) options({}) persist-name(\"bench-{}\") log-iw-size({}));\n",
                quoted(&self.class_path),
                options.join(" "),
                i + 1,
                self.window.max(1)
            ));
        }
        text.push_str("};\n");
        text.push_str(&format!(
            "destination d_bench {{ file({}); }};\n",
            quoted(&output.to_string_lossy())
        ));
        text.push_str("log { source(s_bench); destination(d_bench); flags(flow-control); };\n");
        text
    }

    /// The logfetch configuration (the null sink is swapped in by [`Self::plan`]).
    pub fn logfetch_config(&self) -> String {
        let output = self
            .output
            .clone()
            .unwrap_or_else(|| PathBuf::from("/dev/null"));
        format!("@version: 4.2\n{}", self.body(&output, &[]))
    }

    /// The same pipeline for syslog-ng `version` (e.g. `3.38`); `extra`
    /// options are added where the user gave none of that name (syslog-ng
    /// 3.x needs `int_field=str` for the `fields` workload).
    pub fn syslog_ng_config(&self, version: &str, extra: &[(String, String)]) -> String {
        let output = self
            .output
            .clone()
            .unwrap_or_else(|| PathBuf::from("/dev/null"));
        format!("@version: {version}\n{}", self.body(&output, extra))
    }

    /// The checked logfetch plan, with a fetch limit per source (so the
    /// workers end on their own) and the destination counted.
    pub fn plan(&self, config_path: &Path) -> Result<(Plan, Arc<Delivery>), String> {
        let checked = logfetch_config::load_str(config_path, &self.logfetch_config(), &[])
            .map_err(|e| e.to_string())?;
        let mut plan = checked.plan;
        for (i, dir) in self.sys_path.iter().enumerate() {
            plan.program.sys_path.insert(i, dir.clone());
        }
        for (fetcher, count) in plan.fetchers.iter_mut().zip(self.per_source()) {
            fetcher.settings.fetch_limit = Some(count);
        }
        let delivery = Arc::new(Delivery::default());
        let destination = plan
            .destinations
            .first_mut()
            .ok_or("the benchmark configuration has no destination")?;
        let inner = std::mem::replace(&mut destination.sink, Box::new(Counted::null(&delivery)));
        if self.output.is_some() {
            destination.sink = Box::new(Counted::wrap(inner, &delivery));
        }
        Ok((plan, delivery))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> PipelineSpec {
        PipelineSpec {
            class_path: "fields.Fields".into(),
            options: vec![("a\"b".into(), "c\\d".into())],
            count: 7,
            sources: 2,
            output: Some("/tmp/out.log".into()),
            sys_path: vec!["/w".into()],
            window: DEFAULT_WINDOW,
        }
    }

    #[test]
    fn counts_split_over_sources() {
        assert_eq!(spec().per_source(), vec![4, 3]);
    }

    #[test]
    fn configs_name_every_source_once() {
        let s = spec();
        let text = s.syslog_ng_config("3.38", &[("int_field".into(), "str".into())]);
        assert!(text.starts_with("@version: 3.38\n"), "{text}");
        assert!(text.contains(r#"options("count" => "4" "a\"b" => "c\\d" "int_field" => "str")"#));
        assert!(text.contains(r#"persist-name("bench-2") log-iw-size(100)"#));
        assert!(text.contains(r#"file("/tmp/out.log")"#));
    }

    #[test]
    fn plan_limits_each_source() {
        let (plan, _) = spec().plan(Path::new("/tmp/bench.conf")).unwrap();
        let limits: Vec<_> = plan
            .fetchers
            .iter()
            .map(|f| f.settings.fetch_limit)
            .collect();
        assert_eq!(limits, vec![Some(4), Some(3)]);
        assert_eq!(plan.program.sys_path[0], PathBuf::from("/w"));
    }
}
