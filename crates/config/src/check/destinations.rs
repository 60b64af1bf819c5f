//! Destination drivers: `file()` and `stdout()`.

use super::options::GlobalOptions;
use super::unknown_option;
use crate::ast::{Arg, Call};
use crate::error::ConfigError;
use crate::parser::keyword;
use crate::values;
use logfetch_core::plan::SinkBuilder;
use logfetch_core::template::{LEGACY_FILE_FORMAT, Template};
use logfetch_sinks::{FileConfig, StdoutConfig};
use std::collections::HashMap;

/// Destination drivers logfetch has.
pub const DRIVER_NAMES: &[&str] = &["file", "stdout"];

const FILE_OPTIONS: &[&str] = &[
    "template",
    "template-escape",
    "create-dirs",
    "flush-lines",
    "fsync",
    "perm",
    "log-fifo-size",
    "time-reopen",
];
const STDOUT_OPTIONS: &[&str] = &[
    "template",
    "template-escape",
    "flush-lines",
    "log-fifo-size",
];

/// A destination driver as read from the configuration.
pub struct DestinationDriver {
    /// Builds the sink.
    pub sink: Box<dyn SinkBuilder>,
    /// `log-fifo-size()`.
    pub fifo_size: usize,
}

/// Named `template NAME { template("..."); };` statements.
pub type NamedTemplates = HashMap<String, String>;

fn compile(call: &Call, text: &str) -> Result<Template, ConfigError> {
    Template::compile(text).map_err(|e| {
        ConfigError::new(
            call.name.location.clone(),
            Some(text),
            format!("invalid template: {e}"),
        )
    })
}

/// `template("...")` or `template(name_of_a_template_statement)`.
fn template(call: &Call, named: &NamedTemplates) -> Result<Template, ConfigError> {
    let text = values::string(call)?;
    match (call.args.first(), named.get(&text)) {
        (Some(Arg::Value(v)), Some(body)) if matches!(v.value, crate::ast::Scalar::Word(_)) => {
            compile(call, body)
        }
        _ => compile(call, &text),
    }
}

/// Reads one destination driver call.
pub fn read(
    call: &Call,
    globals: &GlobalOptions,
    named: &NamedTemplates,
) -> Result<DestinationDriver, ConfigError> {
    let driver = keyword(&call.name.value);
    let mut path = None;
    let mut line = None;
    let mut fifo_size = globals.log_fifo_size;
    let mut create_dirs = globals.create_dirs;
    let mut flush_lines = globals.flush_lines;
    let mut fsync = false;
    let mut perm = globals.perm;
    let allowed = match driver.as_str() {
        "file" => FILE_OPTIONS,
        "stdout" => STDOUT_OPTIONS,
        _ => {
            let hint = crate::error::closest(&driver, DRIVER_NAMES.iter().copied())
                .map(|c| format!("; did you mean '{c}'?"))
                .unwrap_or_default();
            return Err(ConfigError::new(
                call.name.location.clone(),
                Some(&call.name.value),
                format!("unknown destination driver{hint}"),
            ));
        }
    };
    for arg in &call.args {
        let opt = match arg {
            Arg::Value(v) if driver == "file" && path.is_none() => {
                path = Some((v.value.text(), v.location.clone()));
                continue;
            }
            Arg::Call(opt) => opt,
            other => {
                return Err(ConfigError::new(
                    other.location().clone(),
                    Some(&other.describe()),
                    format!("unexpected value in {driver}()"),
                ));
            }
        };
        let name = keyword(&opt.name.value);
        if !allowed.contains(&name.as_str()) {
            return Err(unknown_option(opt, &driver, allowed));
        }
        match name.as_str() {
            "template" => line = Some(template(opt, named)?),
            "template-escape" => {
                values::boolean(opt)?;
            }
            "fsync" => fsync = values::boolean(opt)?,
            "create-dirs" => create_dirs = values::boolean(opt)?,
            "flush-lines" => flush_lines = values::int(opt)?.max(0) as usize,
            "perm" => perm = values::mode(opt)?,
            "log-fifo-size" => fifo_size = values::positive(opt)? as usize,
            "time-reopen" => {
                values::positive(opt)?;
            }
            _ => unreachable!("checked against the option list above"),
        }
    }
    let template = match line {
        Some(t) => t,
        None => Template::compile(LEGACY_FILE_FORMAT).expect("the built-in format compiles"),
    };
    let sink: Box<dyn SinkBuilder> = match driver.as_str() {
        "file" => {
            let Some((path, location)) = path else {
                return Err(ConfigError::new(
                    call.name.location.clone(),
                    Some("file"),
                    "file() needs a file name: file(\"/var/log/out.log\")",
                ));
            };
            let path = Template::compile(&path).map_err(|e| {
                ConfigError::new(
                    location,
                    Some(&path),
                    format!("invalid file name template: {e}"),
                )
            })?;
            Box::new(FileConfig {
                path,
                template,
                create_dirs,
                fsync,
                flush_lines,
                perm,
            })
        }
        _ => Box::new(StdoutConfig { template }),
    };
    Ok(DestinationDriver { sink, fifo_size })
}
