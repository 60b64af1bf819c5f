//! `python-fetcher(...)`: every option of upstream's grammar, typed.

use super::options::GlobalOptions;
use super::unknown_option;
use crate::ast::{Arg, Call, Scalar};
use crate::error::ConfigError;
use crate::parser::keyword;
use crate::values;
use logfetch_core::driver::FetchTiming;
use logfetch_core::options::{OptionValue, Options};
use logfetch_core::pipeline::SourceSettings;
use logfetch_core::plan::FetcherPlan;
use std::sync::Arc;
use std::time::Duration;

/// Options python-fetcher() accepts.
pub const OPTION_NAMES: &[&str] = &[
    "class",
    "options",
    "loaders",
    "imports",
    "persist-name",
    "fetch-no-data-delay",
    "time-reopen",
    "log-iw-size",
    "chain-hostnames",
    "keep-hostname",
    "keep-timestamp",
    "program-override",
    "host-override",
    "log-prefix",
    "tags",
    "use-syslogng-pid",
    "read-old-records",
    "use-dns",
    "use-fqdn",
    "dns-cache",
    "normalize-hostnames",
    "format",
    "flags",
    "time-zone",
    "recv-time-zone",
    "default-priority",
    "default-level",
    "default-facility",
    "sdata-prefix",
    "internal",
    "encoding",
    "log-msg-size",
];

/// The parse flags `self.flags` reports, with their defaults for Python sources.
const FLAG_DEFAULTS: &[(&str, bool)] = &[
    ("parse", true),
    ("check-hostname", false),
    ("syslog-protocol", true),
    ("assume-utf8", false),
    ("validate-utf8", false),
    ("sanitize-utf8", false),
    ("multi-line", true),
    ("store-legacy-msghdr", false),
    ("store-raw-message", false),
    ("expect-hostname", false),
    ("guess-timezone", false),
    ("header", true),
    ("rfc3164-fallback", true),
];

/// Words `flags()` accepts, and which flag each sets to what.
const FLAG_WORDS: &[(&str, &str, bool)] = &[
    ("no-parse", "parse", false),
    ("check-hostname", "check-hostname", true),
    ("syslog-protocol", "syslog-protocol", true),
    ("no-syslog-protocol", "syslog-protocol", false),
    ("assume-utf8", "assume-utf8", true),
    ("validate-utf8", "validate-utf8", true),
    ("sanitize-utf8", "sanitize-utf8", true),
    ("no-multi-line", "multi-line", false),
    ("store-legacy-msghdr", "store-legacy-msghdr", true),
    ("dont-store-legacy-msghdr", "store-legacy-msghdr", false),
    ("store-raw-message", "store-raw-message", true),
    ("expect-hostname", "expect-hostname", true),
    ("no-hostname", "expect-hostname", false),
    ("guess-timezone", "guess-timezone", true),
    ("no-header", "header", false),
    ("no-rfc3164-fallback", "rfc3164-fallback", false),
    ("empty-lines", "", true),
    ("kernel", "", true),
];

/// `self.flags` when `flags()` is not given.
pub fn default_flags() -> Vec<(String, bool)> {
    FLAG_DEFAULTS
        .iter()
        .map(|(n, v)| ((*n).to_owned(), *v))
        .collect()
}

fn option_value(arg: &Arg) -> Result<OptionValue, ConfigError> {
    Ok(match arg {
        Arg::Value(v) => match &v.value {
            Scalar::Str(s) => OptionValue::Str(s.clone()),
            Scalar::Int(i) => OptionValue::Int(*i),
            Scalar::Float(f) => OptionValue::Float(*f),
            Scalar::Word(w) => match values::parse_bool(&v.value) {
                Some(b) => OptionValue::Bool(b),
                None => OptionValue::Str(w.clone()),
            },
        },
        Arg::List(l) => OptionValue::List(l.value.iter().map(|s| s.value.text()).collect()),
        Arg::Call(c) if keyword(&c.name.value) == "LogTemplate" => {
            let text = values::string(c)?;
            logfetch_core::template::Template::compile(&text).map_err(|e| {
                ConfigError::new(
                    c.name.location.clone(),
                    Some(&text),
                    format!("invalid template: {e}"),
                )
            })?;
            OptionValue::Template(text)
        }
        other => {
            return Err(ConfigError::new(
                other.location().clone(),
                Some(&other.describe()),
                "options() values are strings, numbers, yes/no, [lists] or LogTemplate(\"...\")",
            ));
        }
    })
}

fn option_key(arg: &Arg) -> Result<String, ConfigError> {
    match arg {
        Arg::Value(v) => match &v.value {
            Scalar::Str(s) | Scalar::Word(s) => Ok(s.clone()),
            other => Ok(other.text()),
        },
        other => Err(ConfigError::new(
            other.location().clone(),
            Some(&other.describe()),
            "options() keys are strings",
        )),
    }
}

/// `options("k" "v" "k2" => v2 ...)` into `out`.
fn read_options(call: &Call, out: &mut Options) -> Result<(), ConfigError> {
    let mut args = call.args.iter();
    while let Some(arg) = args.next() {
        if let Arg::Arrow(k, v) = arg {
            out.push(&option_key(k)?, option_value(v)?);
            continue;
        }
        let key = option_key(arg)?;
        let Some(value) = args.next() else {
            return Err(ConfigError::new(
                arg.location().clone(),
                Some(&key),
                "options() key without a value",
            ));
        };
        out.push(&key, option_value(value)?);
    }
    Ok(())
}

fn read_flags(call: &Call, flags: &mut [(String, bool)]) -> Result<(), ConfigError> {
    for (word, location) in values::strings(call)? {
        let w = keyword(&word);
        let Some((_, flag, value)) = FLAG_WORDS.iter().find(|(n, _, _)| *n == w) else {
            let hint = crate::error::did_you_mean(&w, FLAG_WORDS.iter().map(|(n, _, _)| *n));
            return Err(ConfigError::new(
                location,
                Some(&word),
                format!("Unknown flag{hint}"),
            ));
        };
        if let Some(slot) = flags.iter_mut().find(|(n, _)| n == flag) {
            slot.1 = *value;
        }
    }
    Ok(())
}

/// Options only python-fetcher() has (not the server-style python()).
const FETCHER_ONLY: &[&str] = &["fetch-no-data-delay", "time-reopen"];

/// Reads one `python(...)` server-style source driver (checked, not run).
pub fn read_server(
    call: &Call,
    source: &str,
    index: usize,
    globals: &GlobalOptions,
) -> Result<FetcherPlan, ConfigError> {
    for arg in &call.args {
        if let Arg::Call(opt) = arg
            && FETCHER_ONLY.contains(&keyword(&opt.name.value).as_str())
        {
            let valid: Vec<&str> = OPTION_NAMES
                .iter()
                .copied()
                .filter(|o| !FETCHER_ONLY.contains(o))
                .collect();
            return Err(unknown_option(opt, "python", &valid));
        }
    }
    read(call, source, index, globals)
}

/// Reads one `python-fetcher(...)` of source `source`, driver number `index`.
pub fn read(
    call: &Call,
    source: &str,
    index: usize,
    globals: &GlobalOptions,
) -> Result<FetcherPlan, ConfigError> {
    let mut settings = SourceSettings::new(source, index);
    settings.keep_hostname = globals.keep_hostname;
    settings.window_size = globals.log_iw_size;
    settings.use_fqdn = globals.use_fqdn;
    settings.chain_hostnames = globals.chain_hostnames;
    settings.keep_timestamp = globals.keep_timestamp;
    let mut class = None;
    let mut options = Options::default();
    let mut persist_name = None;
    let mut loaders = Vec::new();
    let mut time_reopen = None;
    let mut no_data_delay = None;
    let mut severity = None;
    let mut facility = None;
    let mut flags: Vec<(String, bool)> = FLAG_DEFAULTS
        .iter()
        .map(|(n, v)| ((*n).to_owned(), *v))
        .collect();
    for arg in &call.args {
        let Arg::Call(opt) = arg else {
            return Err(ConfigError::new(
                arg.location().clone(),
                Some(&arg.describe()),
                "python-fetcher() takes options such as class(\"module.Class\")",
            ));
        };
        match keyword(&opt.name.value).as_str() {
            "class" => class = Some(values::string(opt)?),
            "options" => read_options(opt, &mut options)?,
            "loaders" | "imports" => {
                loaders.extend(values::strings(opt)?.into_iter().map(|(s, _)| s))
            }
            "persist-name" => persist_name = Some(values::string(opt)?),
            "fetch-no-data-delay" => no_data_delay = Some(values::seconds(opt)?),
            "time-reopen" => time_reopen = Some(values::positive(opt)?),
            "log-iw-size" => settings.window_size = values::positive(opt)? as usize,
            "keep-hostname" => settings.keep_hostname = values::boolean(opt)?,
            "chain-hostnames" => settings.chain_hostnames = values::boolean(opt)?,
            "use-fqdn" => settings.use_fqdn = values::boolean(opt)?,
            "use-syslogng-pid" => settings.use_own_pid = values::boolean(opt)?,
            "program-override" => settings.program_override = Some(values::string(opt)?),
            "log-prefix" => {
                let prefix = values::string(opt)?;
                let program = prefix
                    .rsplit_once(':')
                    .map_or(prefix.as_str(), |(p, _)| p)
                    .trim();
                settings.program_override = Some(program.to_owned());
            }
            "host-override" => settings.host_override = Some(values::string(opt)?),
            "tags" => {
                for (tags, _) in values::strings(opt)? {
                    for tag in tags.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                        settings.tags.push(Arc::from(tag));
                    }
                }
            }
            "flags" => read_flags(opt, &mut flags)?,
            "default-priority" | "default-level" => severity = Some(values::severity(opt)?),
            "default-facility" => facility = Some(values::facility(opt)?),
            // Accepted for compatibility; they only affect upstream's
            // hostname resolution and LogMessage.parse(), which Python
            // sources without a peer address do not use.
            "keep-timestamp" => settings.keep_timestamp = values::boolean(opt)?,
            "read-old-records" | "use-dns" | "dns-cache" | "normalize-hostnames" | "internal" => {
                values::boolean(opt)?;
            }
            "format" | "time-zone" | "recv-time-zone" | "sdata-prefix" | "encoding" => {
                values::string(opt)?;
            }
            "log-msg-size" => {
                values::positive(opt)?;
            }
            _ => return Err(unknown_option(opt, "python-fetcher", OPTION_NAMES)),
        }
    }
    let Some(class_path) = class else {
        return Err(ConfigError::new(
            call.name.location.clone(),
            Some(&call.name.value),
            "python-fetcher() needs class(\"module.Class\"): no class specified",
        ));
    };
    if severity.is_some() || facility.is_some() {
        settings.default_pri = Some(facility.unwrap_or(1) * 8 + severity.unwrap_or(5));
    }
    let reopen = Duration::from_secs(time_reopen.unwrap_or(1));
    let timing = FetchTiming {
        time_reopen: reopen,
        no_data_delay: no_data_delay.map_or(reopen, Duration::from_secs_f64),
    };
    Ok(FetcherPlan {
        settings,
        timing,
        class_path,
        options,
        persist_name,
        loaders,
        flags,
        paths: Vec::new(),
        location: call.name.location.to_string(),
    })
}
