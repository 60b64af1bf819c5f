//! Statements → a [`Plan`] the runtime can trust: names resolved, options
//! typed, log paths turned into per-source routes.

mod destinations;
mod filters;
mod modifiers;
mod options;
mod python_fetcher;

pub use options::GlobalOptions;

use crate::ast::{Call, FilterExpr, IfBranch, LogItem, LogPath, Spanned, Statement};
use crate::error::{ConfigError, Location};
use crate::parser::keyword;
use crate::values;
use destinations::{DestinationDriver, NamedTemplates};
use filters::FilterTable;
use logfetch_core::lifecycle::PythonCode;
use logfetch_core::modify::{Branch, Step};
use logfetch_core::pipeline::SourceSettings;
use logfetch_core::plan::{DestinationPlan, FetcherPlan, InternalPlan, PathPlan, Plan};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Source drivers logfetch has.
pub const SOURCE_DRIVERS: &[&str] = &["python-fetcher", "python", "internal"];

/// System directories searched for Python modules, as syslog-ng searches
/// its `${sysconfdir}/python`, so modules kept there import unchanged.
const SYSTEM_PYTHON_DIRS: &[&str] = &["/etc/logfetch/python", "/etc/syslog-ng/python"];

/// Where `class("module.Class")` and `import` look first, before
/// `PYTHONPATH`: the configuration's directory (for `logfetch fetch`, the
/// current one), then those of its `python/` subdirectory and
/// [`SYSTEM_PYTHON_DIRS`] that exist.
fn python_module_dirs(dir: &Path) -> Vec<PathBuf> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let subdir = dir.join("python");
    let mut dirs = vec![dir];
    for candidate in std::iter::once(subdir).chain(SYSTEM_PYTHON_DIRS.iter().map(PathBuf::from)) {
        if candidate.is_dir() && !dirs.contains(&candidate) {
            dirs.push(candidate);
        }
    }
    dirs
}

/// "unknown option" with the closest valid name.
pub(crate) fn unknown_option(call: &Call, driver: &str, valid: &[&str]) -> ConfigError {
    let word = keyword(&call.name.value);
    let hint = crate::error::did_you_mean(&word, valid.iter().copied());
    ConfigError::new(
        call.name.location.clone(),
        Some(&call.name.value),
        format!("unknown option of {driver}(){hint}"),
    )
}

/// A checked configuration.
pub struct Checked {
    /// What to start.
    pub plan: Plan,
    /// `@version`, if given.
    pub version: Option<String>,
    /// Problems that do not stop the configuration from running.
    pub warnings: Vec<String>,
}

enum SourceDriver {
    Fetcher(Box<FetcherPlan>),
    Internal(SourceSettings),
}

struct SourceDef {
    name: Spanned<String>,
    drivers: Vec<SourceDriver>,
}

struct DestDef {
    name: Spanned<String>,
    drivers: Vec<DestinationDriver>,
}

#[derive(Default, Clone)]
struct FlatPath {
    /// Filters, parsers, rewrite rules and destination statements in order.
    steps: Vec<Step<usize>>,
    sources: Vec<usize>,
    flow_control: bool,
    is_final: bool,
    fallback: bool,
    catchall: bool,
}

struct Checker<'a> {
    file: &'a Path,
    filters: FilterTable<'a>,
    globals: GlobalOptions,
    templates: NamedTemplates,
    sources: Vec<SourceDef>,
    destinations: Vec<DestDef>,
    paths: Vec<FlatPath>,
    /// Named `parser` and `rewrite` statements: (kind, name) → their steps.
    modifiers: HashMap<(String, String), Vec<Step<usize>>>,
    anonymous: usize,
}

fn duplicate(kind: &str, name: &Spanned<String>) -> ConfigError {
    ConfigError::new(
        name.location.clone(),
        Some(&name.value),
        format!("duplicate {kind} name"),
    )
}

impl Checker<'_> {
    fn source(&mut self, name: Spanned<String>, body: &[Call]) -> Result<usize, ConfigError> {
        if self.sources.iter().any(|s| s.name.value == name.value) {
            return Err(duplicate("source", &name));
        }
        let mut drivers = Vec::new();
        for (index, call) in body.iter().enumerate() {
            match keyword(&call.name.value).as_str() {
                "python-fetcher" => drivers.push(SourceDriver::Fetcher(Box::new(
                    python_fetcher::read(call, &name.value, index, &self.globals)?,
                ))),
                "python" => drivers.push(SourceDriver::Fetcher(Box::new(
                    python_fetcher::read_server(call, &name.value, index, &self.globals)?,
                ))),
                "internal" => {
                    if let Some(arg) = call.args.first() {
                        return Err(ConfigError::new(
                            arg.location().clone(),
                            Some(&arg.describe()),
                            "internal() takes no options",
                        ));
                    }
                    let mut settings = SourceSettings::new(&name.value, index);
                    settings.keep_hostname = true;
                    drivers.push(SourceDriver::Internal(settings));
                }
                other => {
                    let hint = crate::error::did_you_mean(other, SOURCE_DRIVERS.iter().copied());
                    return Err(ConfigError::new(
                        call.name.location.clone(),
                        Some(&call.name.value),
                        format!("unknown source driver{hint}"),
                    ));
                }
            }
        }
        self.sources.push(SourceDef { name, drivers });
        Ok(self.sources.len() - 1)
    }

    fn destination(&mut self, name: Spanned<String>, body: &[Call]) -> Result<usize, ConfigError> {
        if self.destinations.iter().any(|d| d.name.value == name.value) {
            return Err(duplicate("destination", &name));
        }
        let drivers = body
            .iter()
            .map(|call| destinations::read(call, &self.globals, &self.templates))
            .collect::<Result<_, _>>()?;
        self.destinations.push(DestDef { name, drivers });
        Ok(self.destinations.len() - 1)
    }

    fn template(&mut self, name: Spanned<String>, body: &[Call]) -> Result<(), ConfigError> {
        if self.templates.contains_key(&name.value) {
            return Err(duplicate("template", &name));
        }
        let mut text = None;
        let mut escape = false;
        for call in body {
            match keyword(&call.name.value).as_str() {
                "template" => text = Some(values::string(call)?),
                "template-escape" => escape = values::boolean(call)?,
                _ => {
                    return Err(unknown_option(
                        call,
                        "template",
                        &["template", "template-escape"],
                    ));
                }
            }
        }
        let Some(text) = text else {
            return Err(ConfigError::new(
                name.location.clone(),
                Some(&name.value),
                "template statement needs template(\"...\")",
            ));
        };
        logfetch_core::template::define_named_template(&name.value, &text);
        self.templates
            .insert(name.value, destinations::NamedTemplate { text, escape });
        Ok(())
    }

    fn lookup(&self, kind: &str, call: &Call) -> Result<usize, ConfigError> {
        let (name, location) = match values::scalar(call) {
            Ok((s, l)) => (s.text(), l.clone()),
            Err(e) => return Err(e),
        };
        let names: Vec<&str> = if kind == "source" {
            self.sources.iter().map(|s| s.name.value.as_str()).collect()
        } else {
            self.destinations
                .iter()
                .map(|d| d.name.value.as_str())
                .collect()
        };
        names.iter().position(|n| *n == name).ok_or_else(|| {
            let hint = crate::error::did_you_mean(&name, names.iter().copied());
            ConfigError::new(
                location,
                Some(&name),
                format!("undefined {kind} referenced in log path{hint}"),
            )
        })
    }

    /// The body of a `parser` or `rewrite` statement as path steps.
    fn modifier_steps(
        &mut self,
        kind: &str,
        body: &[Call],
    ) -> Result<Vec<Step<usize>>, ConfigError> {
        body.iter()
            .map(|call| {
                let modifier = if kind == "parser" {
                    modifiers::parser(call)?
                } else {
                    modifiers::rewrite(call, &mut self.filters)?
                };
                Ok(Step::Modify(Arc::new(modifier)))
            })
            .collect()
    }

    /// The steps of the `parser(name)` or `rewrite(name)` a path refers to.
    fn modifier_reference(&self, kind: &str, call: &Call) -> Result<Vec<Step<usize>>, ConfigError> {
        let (name, location) = values::scalar(call)?;
        let name = name.text();
        match self.modifiers.get(&(kind.to_owned(), name.clone())) {
            Some(steps) => Ok(steps.clone()),
            None => {
                let names = self
                    .modifiers
                    .keys()
                    .filter(|(k, _)| k == kind)
                    .map(|(_, n)| n.as_str());
                let hint = crate::error::did_you_mean(&name, names);
                Err(ConfigError::new(
                    location.clone(),
                    Some(&name),
                    format!("undefined {kind} referenced in log path{hint}"),
                ))
            }
        }
    }

    fn log_path(&mut self, path: &LogPath, inherited: &FlatPath) -> Result<(), ConfigError> {
        let mut flat = FlatPath {
            steps: inherited.steps.clone(),
            sources: inherited.sources.clone(),
            flow_control: inherited.flow_control,
            ..FlatPath::default()
        };
        // Nested paths, each with the steps before it (destinations left out).
        let mut nested = Vec::new();
        for item in &path.items {
            match item {
                LogItem::Log(inner) => {
                    let mut base = flat.clone();
                    base.steps = without_deliveries(&base.steps);
                    nested.push((inner, base));
                }
                other => self.path_item(other, &mut flat)?,
            }
        }
        let sources = flat.sources.clone();
        let flow_control = flat.flow_control;
        self.paths.push(flat);
        for (inner, mut base) in nested {
            base.sources = sources.clone();
            base.flow_control = flow_control;
            self.log_path(inner, &base)?;
        }
        Ok(())
    }

    /// One element of a log path (not a nested `log {}`) added to `flat`.
    fn path_item(&mut self, item: &LogItem, flat: &mut FlatPath) -> Result<(), ConfigError> {
        match item {
            LogItem::Reference(call) => match keyword(&call.name.value).as_str() {
                "source" => flat.sources.push(self.lookup("source", call)?),
                "destination" => {
                    let d = self.lookup("destination", call)?;
                    flat.steps.push(Step::Deliver(vec![d]));
                }
                "filter" => {
                    let f = self.filters.reference(call)?;
                    flat.steps.push(Step::Filter(Arc::new(f)));
                }
                kind @ ("parser" | "rewrite") => {
                    let mut steps = self.modifier_reference(kind, call)?;
                    flat.steps.append(&mut steps);
                }
                "flags" => {
                    for (flag, location) in values::strings(call)? {
                        match keyword(&flag).as_str() {
                            "flow-control" => flat.flow_control = true,
                            "final" => flat.is_final = true,
                            "fallback" => flat.fallback = true,
                            "catchall" => flat.catchall = true,
                            "drop-unmatched" => {}
                            other => {
                                let valid = [
                                    "flow-control",
                                    "final",
                                    "fallback",
                                    "catchall",
                                    "drop-unmatched",
                                ];
                                let hint = crate::error::did_you_mean(other, valid);
                                return Err(ConfigError::new(
                                    location,
                                    Some(&flag),
                                    format!("unknown log path flag{hint}"),
                                ));
                            }
                        }
                    }
                }
                _ => {
                    return Err(unknown_option(
                        call,
                        "log",
                        &[
                            "source",
                            "destination",
                            "filter",
                            "parser",
                            "rewrite",
                            "flags",
                        ],
                    ));
                }
            },
            LogItem::Inline(kind, body) => {
                let name = Spanned {
                    value: format!("#anon-{}{}", keyword(&kind.value), self.anonymous),
                    location: kind.location.clone(),
                };
                self.anonymous += 1;
                match keyword(&kind.value).as_str() {
                    "source" => {
                        let i = self.source(name, body)?;
                        flat.sources.push(i);
                    }
                    "destination" => {
                        let i = self.destination(name, body)?;
                        flat.steps.push(Step::Deliver(vec![i]));
                    }
                    modifier @ ("parser" | "rewrite") => {
                        let mut steps = self.modifier_steps(modifier, body)?;
                        flat.steps.append(&mut steps);
                    }
                    _ => {
                        return Err(ConfigError::new(
                            kind.location.clone(),
                            Some(&kind.value),
                            "only source, destination, filter, parser and rewrite can be written inline in a log path",
                        ));
                    }
                }
            }
            LogItem::InlineFilter(expr) => {
                let f = self.filters.compile(&expr.value)?;
                flat.steps.push(Step::Filter(Arc::new(f)));
            }
            LogItem::If(branches) => {
                let branches = branches
                    .iter()
                    .map(|branch| self.if_branch(branch))
                    .collect::<Result<_, _>>()?;
                flat.steps.push(Step::Branches(branches));
            }
            LogItem::Log(inner) => {
                return Err(ConfigError::new(
                    inner.location.clone(),
                    Some("log"),
                    "a nested log {} cannot be used inside if",
                ));
            }
        }
        Ok(())
    }

    /// A branch of an `if`: its condition, and its elements as steps.
    fn if_branch(&mut self, branch: &IfBranch) -> Result<Branch<usize>, ConfigError> {
        let condition = match &branch.condition {
            Some(expr) => Some(Arc::new(self.filters.compile(&expr.value)?)),
            None => None,
        };
        let mut inner = FlatPath::default();
        for item in &branch.items {
            self.path_item(item, &mut inner)?;
        }
        if !inner.sources.is_empty()
            || inner.is_final
            || inner.fallback
            || inner.catchall
            || inner.flow_control
        {
            return Err(ConfigError::new(
                branch.location.clone(),
                Some("if"),
                "only filters, parsers, rewrites, destinations and if can be used inside if",
            ));
        }
        Ok(Branch {
            condition,
            steps: inner.steps,
            is_else: branch.is_else,
        })
    }

    fn finish(self, program_code: Vec<PythonCode>, warnings: &mut Vec<String>) -> Plan {
        let mut plan = Plan::default();
        plan.program.code = program_code;
        plan.program.sys_path = python_module_dirs(self.file.parent().unwrap_or(Path::new(".")));
        let mut dest_index: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut dest_defs: Vec<Option<DestDef>> = self.destinations.into_iter().map(Some).collect();
        let used_dests: Vec<usize> = {
            let mut v: Vec<usize> = self
                .paths
                .iter()
                .flat_map(|p| p.steps.iter())
                .flat_map(|s| s.destinations().copied().collect::<Vec<_>>())
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        for d in used_dests {
            let def = dest_defs[d].take().expect("each destination is taken once");
            let indexes = def
                .drivers
                .into_iter()
                .enumerate()
                .map(|(i, driver)| {
                    plan.destinations.push(DestinationPlan {
                        name: format!("{}#{i}", def.name.value),
                        fifo_size: driver.fifo_size,
                        retry_delay: driver.retry_delay,
                        sink: driver.sink,
                    });
                    plan.destinations.len() - 1
                })
                .collect();
            dest_index.insert(d, indexes);
        }
        for (si, source) in self.sources.into_iter().enumerate() {
            let mut paths = Vec::new();
            let mut flow_control = false;
            for path in &self.paths {
                if !(path.catchall || path.sources.contains(&si)) {
                    continue;
                }
                flow_control |= path.flow_control;
                paths.push(PathPlan {
                    steps: path
                        .steps
                        .iter()
                        .map(|step| {
                            // A destination statement stands for its drivers.
                            step.map_destinations(&|statements: &[usize]| {
                                statements
                                    .iter()
                                    .flat_map(|d| dest_index[d].iter().copied())
                                    .collect()
                            })
                        })
                        .collect(),
                    is_final: path.is_final,
                    fallback: path.fallback,
                });
            }
            if !self
                .paths
                .iter()
                .any(|p| p.catchall || p.sources.contains(&si))
            {
                warnings.push(format!(
                    "{}: source '{}' is not used in any log path and will not run",
                    source.name.location, source.name.value
                ));
                continue;
            }
            for driver in source.drivers {
                match driver {
                    SourceDriver::Fetcher(mut fetcher) => {
                        fetcher.paths = paths.clone();
                        fetcher.settings.flow_control = flow_control;
                        plan.fetchers.push(*fetcher);
                    }
                    SourceDriver::Internal(mut settings) => {
                        settings.flow_control = flow_control;
                        plan.internal_sources.push(InternalPlan {
                            settings,
                            paths: paths.clone(),
                        });
                    }
                }
            }
        }
        plan
    }
}

/// `steps` without their deliveries (those of branches included).
fn without_deliveries(steps: &[Step<usize>]) -> Vec<Step<usize>> {
    steps
        .iter()
        .filter(|s| !matches!(s, Step::Deliver(_)))
        .map(|s| s.map_destinations(&|_: &[usize]| Vec::new()))
        .collect()
}

/// Whether `$(format-json)` writes typed values: from `@version: 4.0` on
/// (and without a version, which means the current syntax), as syslog-ng.
fn typed_json(version: Option<&str>) -> bool {
    version
        .and_then(|v| v.split('.').next()?.trim().parse::<u32>().ok())
        .is_none_or(|major| major >= 4)
}

/// Checks parsed statements of `file`.
pub fn check(file: &Path, statements: &[Statement]) -> Result<Checked, ConfigError> {
    let mut warnings = Vec::new();
    let mut version = None;
    let mut globals = GlobalOptions::default();
    for st in statements {
        match st {
            Statement::Version(v) if version.is_none() => version = Some(v.value.clone()),
            Statement::Version(v) => warnings.push(format!(
                "{}: @version given twice, ignoring this one",
                v.location
            )),
            Statement::Options(calls) => globals.apply(calls)?,
            _ => {}
        }
    }
    if version.is_none() {
        warnings.push(format!(
            "{}: Configuration file has no version number, assuming the current syslog-ng syntax; add @version: 4.2 at its top",
            Location { file: file.to_path_buf(), line: 1, col: 1 }
        ));
    }
    logfetch_core::template::set_typed_json(typed_json(version.as_deref()));
    logfetch_core::template::set_filter_compiler(filters::compile_template_filter);
    let named_filters: HashMap<String, &FilterExpr> = statements
        .iter()
        .filter_map(|st| match st {
            Statement::Filter { name, expr } => Some((name.value.clone(), &expr.value)),
            _ => None,
        })
        .collect();
    let mut seen_filters = std::collections::HashSet::new();
    for st in statements {
        if let Statement::Filter { name, .. } = st
            && !seen_filters.insert(name.value.as_str())
        {
            return Err(duplicate("filter", name));
        }
    }
    logfetch_core::template::clear_named_templates();
    let mut checker = Checker {
        file,
        filters: FilterTable::new(named_filters),
        globals,
        templates: NamedTemplates::new(),
        sources: Vec::new(),
        destinations: Vec::new(),
        paths: Vec::new(),
        modifiers: HashMap::new(),
        anonymous: 0,
    };
    let mut code = Vec::new();
    for st in statements {
        match st {
            Statement::Python { keyword, block } => code.push(PythonCode {
                text: block.value.clone(),
                location: keyword.to_string(),
                filename: format!(
                    "{}{{python-global-code:{}}}",
                    block.location.file.display(),
                    block.location.line
                ),
            }),
            Statement::Object { kind, name, body } => match kind.value.as_str() {
                "source" => {
                    checker.source(name.clone(), body)?;
                }
                "destination" => {
                    checker.destination(name.clone(), body)?;
                }
                "template" => checker.template(name.clone(), body)?,
                modifier @ ("parser" | "rewrite") => {
                    let steps = checker.modifier_steps(modifier, body)?;
                    let key = (modifier.to_owned(), name.value.clone());
                    if checker.modifiers.insert(key, steps).is_some() {
                        return Err(duplicate(modifier, name));
                    }
                }
                other => {
                    return Err(ConfigError::new(
                        kind.location.clone(),
                        Some(other),
                        format!("{other} statements are not supported by logfetch"),
                    ));
                }
            },
            _ => {}
        }
    }
    for st in statements {
        if let Statement::Log(path) = st {
            checker.log_path(path, &FlatPath::default())?;
        }
    }
    for st in statements {
        if let Statement::Filter { expr, .. } = st {
            checker.filters.compile(&expr.value)?;
        }
    }
    let plan = checker.finish(code, &mut warnings);
    Ok(Checked {
        plan,
        version,
        warnings,
    })
}

/// What `logfetch fetch` runs: one fetcher, printed to stdout.
pub struct SingleFetcher<'a> {
    /// `module.Class`.
    pub class_path: &'a str,
    /// `key=value` options.
    pub options: &'a [(String, String)],
    /// The output template (escapes such as `\\n` already resolved).
    pub template: &'a str,
    /// Messages to fetch before stopping.
    pub count: Option<u64>,
    /// `time-reopen()`.
    pub time_reopen: std::time::Duration,
    /// `fetch-no-data-delay()`.
    pub no_data_delay: std::time::Duration,
    /// Put first on sys.path.
    pub directory: std::path::PathBuf,
}

/// A plan for one fetcher whose messages go to stdout.
pub fn single_fetcher_plan(spec: &SingleFetcher<'_>) -> Result<Plan, ConfigError> {
    logfetch_core::template::set_filter_compiler(filters::compile_template_filter);
    let location = Location {
        file: "<command line>".into(),
        line: 1,
        col: 1,
    };
    let template = logfetch_core::template::Template::compile(spec.template).map_err(|e| {
        ConfigError::new(
            location.clone(),
            Some(spec.template),
            format!("invalid template: {e}"),
        )
    })?;
    let mut settings = SourceSettings::new("s_fetch", 0);
    settings.fetch_limit = spec.count;
    settings.keep_hostname = true;
    let mut options = logfetch_core::options::Options::default();
    for (k, v) in spec.options {
        options.push(k, values::option_from_text(v));
    }
    let mut plan = Plan::default();
    plan.program.sys_path = python_module_dirs(&spec.directory);
    plan.destinations.push(DestinationPlan {
        name: "d_stdout#0".into(),
        fifo_size: 10_000,
        retry_delay: Duration::from_secs(1),
        sink: Box::new(logfetch_sinks::StdoutConfig { template }),
    });
    plan.fetchers.push(FetcherPlan {
        settings,
        timing: logfetch_core::driver::FetchTiming {
            time_reopen: spec.time_reopen,
            no_data_delay: spec.no_data_delay,
        },
        class_path: spec.class_path.to_owned(),
        kind: Default::default(),
        options,
        persist_name: None,
        loaders: Vec::new(),
        flags: python_fetcher::default_flags(),
        parse_options: Default::default(),
        paths: vec![PathPlan {
            steps: vec![Step::Deliver(vec![0])],
            is_final: false,
            fallback: false,
        }],
        location: location.to_string(),
    });
    Ok(plan)
}

/// The first driver call of the first source or destination statement in
/// `text` (file name `t.conf`), for the driver readers' tests.
#[cfg(test)]
fn driver_call(text: &str) -> Call {
    let parsed = crate::parser::parse(Path::new("t.conf"), text, &[]).expect("parses");
    for st in parsed.statements {
        if let Statement::Object { body, .. } = st {
            return body.into_iter().next().expect("a driver");
        }
    }
    panic!("no source or destination in {text}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn statistics_options_are_read_and_checked() {
        let config = |options: &str| {
            format!(
                "@version: 4.2\noptions {{ {options}; }};\n\
                 source s {{ python-fetcher(class(\"X\")); }};\n\
                 destination d {{ file(\"/tmp/x\"); }};\n\
                 log {{ source(s); destination(d); }};\n"
            )
        };
        let load = |text: &str| crate::load_str(std::path::Path::new("t.conf"), text, &[]);
        for good in [
            "stats-level(2)",
            "stats(level(1) freq(600) syslog-stats(auto))",
        ] {
            assert!(load(&config(good)).is_ok(), "{good}");
        }
        let Err(err) = load(&config("stats(frequency(1))")) else {
            panic!("an unknown stats() option was accepted");
        };
        assert!(
            err.to_string().contains("unknown option of stats()"),
            "{err}"
        );
    }

    #[test]
    fn a_template_statement_has_a_short_form() {
        let short = "@version: 4.2\ntemplate t \"<$MSG>\";\n\
                     template t2 { template(\"[$(template t)]\"); };\n\
                     source s { python-fetcher(class(\"X\")); };\n\
                     destination d { file(\"/tmp/x\" template(t2)); };\n\
                     log { source(s); destination(d); };\n";
        let checked = crate::load_str(std::path::Path::new("t.conf"), short, &[]);
        assert!(checked.is_ok(), "{:?}", checked.err());
        let wrong = "@version: 4.2\ntemplate t 5;\n";
        let Err(err) = crate::load_str(std::path::Path::new("t.conf"), wrong, &[]) else {
            panic!("a template statement without text or braces was accepted");
        };
        assert!(err.to_string().contains("t.conf:2:12"), "{err}");
    }
}
