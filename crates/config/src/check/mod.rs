//! Statements → a [`Plan`] the runtime can trust: names resolved, options
//! typed, log paths turned into per-source routes.

mod destinations;
mod options;
mod python_fetcher;

pub use options::GlobalOptions;

use crate::ast::{Call, LogItem, LogPath, Spanned, Statement};
use crate::error::{ConfigError, Location, closest};
use crate::parser::keyword;
use crate::values;
use destinations::{DestinationDriver, NamedTemplates};
use logfetch_core::lifecycle::PythonCode;
use logfetch_core::plan::{DestinationPlan, FetcherPlan, Plan};
use std::collections::HashMap;
use std::path::Path;

/// Source drivers logfetch has.
pub const SOURCE_DRIVERS: &[&str] = &["python-fetcher"];

/// "unknown option" with the closest valid name.
pub(crate) fn unknown_option(call: &Call, driver: &str, valid: &[&str]) -> ConfigError {
    let word = keyword(&call.name.value);
    let hint = closest(&word, valid.iter().copied())
        .map(|c| format!("; did you mean '{c}'?"))
        .unwrap_or_default();
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

struct SourceDef {
    name: Spanned<String>,
    drivers: Vec<FetcherPlan>,
}

struct DestDef {
    name: Spanned<String>,
    drivers: Vec<DestinationDriver>,
}

#[derive(Default, Clone)]
struct FlatPath {
    sources: Vec<usize>,
    destinations: Vec<usize>,
    flow_control: bool,
    is_final: bool,
    fallback: bool,
    catchall: bool,
}

struct Checker<'a> {
    file: &'a Path,
    globals: GlobalOptions,
    templates: NamedTemplates,
    sources: Vec<SourceDef>,
    destinations: Vec<DestDef>,
    paths: Vec<FlatPath>,
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
                "python-fetcher" => drivers.push(python_fetcher::read(
                    call,
                    &name.value,
                    index,
                    &self.globals,
                )?),
                other => {
                    let hint = closest(other, SOURCE_DRIVERS.iter().copied())
                        .map(|c| format!("; did you mean '{c}'?"))
                        .unwrap_or_default();
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
        for call in body {
            match keyword(&call.name.value).as_str() {
                "template" => text = Some(values::string(call)?),
                "template-escape" => {
                    values::boolean(call)?;
                }
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
        self.templates.insert(name.value, text);
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
            let hint = closest(&name, names.iter().copied())
                .map(|c| format!("; did you mean '{c}'?"))
                .unwrap_or_default();
            ConfigError::new(
                location,
                Some(&name),
                format!("undefined {kind} referenced in log path{hint}"),
            )
        })
    }

    fn log_path(&mut self, path: &LogPath, inherited: &FlatPath) -> Result<(), ConfigError> {
        let mut flat = FlatPath {
            sources: inherited.sources.clone(),
            flow_control: inherited.flow_control,
            ..FlatPath::default()
        };
        let mut nested = Vec::new();
        for item in &path.items {
            match item {
                LogItem::Reference(call) => match keyword(&call.name.value).as_str() {
                    "source" => flat.sources.push(self.lookup("source", call)?),
                    "destination" => flat.destinations.push(self.lookup("destination", call)?),
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
                                    let hint = closest(other, valid)
                                        .map(|c| format!("; did you mean '{c}'?"))
                                        .unwrap_or_default();
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
                            &["source", "destination", "flags"],
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
                            flat.destinations.push(i);
                        }
                        _ => {
                            return Err(ConfigError::new(
                                kind.location.clone(),
                                Some(&kind.value),
                                "only source and destination can be written inline in a log path",
                            ));
                        }
                    }
                }
                LogItem::Log(inner) => nested.push(inner),
            }
        }
        let base = flat.clone();
        self.paths.push(flat);
        for inner in nested {
            self.log_path(inner, &base)?;
        }
        Ok(())
    }

    fn finish(self, program_code: Vec<PythonCode>, warnings: &mut Vec<String>) -> Plan {
        let mut plan = Plan::default();
        plan.program.code = program_code;
        if let Some(dir) = self.file.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            plan.program
                .sys_path
                .push(std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()));
        }
        let mut dest_index: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut dest_defs: Vec<Option<DestDef>> = self.destinations.into_iter().map(Some).collect();
        let used_dests: Vec<usize> = {
            let mut v: Vec<usize> = self
                .paths
                .iter()
                .flat_map(|p| p.destinations.iter().copied())
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
                        sink: driver.sink,
                    });
                    plan.destinations.len() - 1
                })
                .collect();
            dest_index.insert(d, indexes);
        }
        for (si, source) in self.sources.into_iter().enumerate() {
            let mut routes = Vec::new();
            let mut flow_control = false;
            let mut matched = false;
            let mut used = false;
            let ordered = self
                .paths
                .iter()
                .filter(|p| !p.fallback)
                .chain(self.paths.iter().filter(|p| p.fallback));
            for path in ordered {
                if !(path.catchall || path.sources.contains(&si)) {
                    continue;
                }
                used |= path.sources.contains(&si);
                if path.fallback && matched {
                    continue;
                }
                matched = true;
                flow_control |= path.flow_control;
                for d in &path.destinations {
                    routes.extend(dest_index[d].iter().copied());
                }
                if path.is_final {
                    break;
                }
            }
            if !used && !matched {
                warnings.push(format!(
                    "{}: source '{}' is not used in any log path and will not run",
                    source.name.location, source.name.value
                ));
                continue;
            }
            for mut driver in source.drivers {
                driver.routes = routes.clone();
                driver.settings.flow_control = flow_control;
                plan.fetchers.push(driver);
            }
        }
        plan
    }
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
    let mut checker = Checker {
        file,
        globals,
        templates: NamedTemplates::new(),
        sources: Vec::new(),
        destinations: Vec::new(),
        paths: Vec::new(),
        anonymous: 0,
    };
    let mut code = Vec::new();
    for st in statements {
        match st {
            Statement::Python(block) => code.push(PythonCode {
                text: block.value.clone(),
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
    let plan = checker.finish(code, &mut warnings);
    Ok(Checked {
        plan,
        version,
        warnings,
    })
}
