//! `python-fetcher(...)`: every option of upstream's grammar, typed.

use super::options::GlobalOptions;
use super::unknown_option;
use crate::ast::{Arg, Call, Scalar};
use crate::error::{ConfigError, Location};
use crate::parser::keyword;
use crate::values;
use logfetch_core::driver::FetchTiming;
use logfetch_core::lifecycle::DriverKind;
use logfetch_core::options::{OptionValue, Options};
use logfetch_core::pipeline::SourceSettings;
use logfetch_core::plan::FetcherPlan;
use logfetch_core::syslog_parse::{MAX_SDATA_PREFIX_LEN, ParseOptions, SYSLOG_FORMAT};
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

/// Words `flags()` accepts that are not parse flags (no effect on Python
/// sources).
const OTHER_FLAG_WORDS: &[&str] = &["empty-lines", "kernel"];

/// `self.flags` when `flags()` is not given.
pub fn default_flags() -> Vec<(String, bool)> {
    ParseOptions::default().reported_flags()
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

/// `flags(...)` into the parse options (`self.flags` reports them).
fn read_flags(call: &Call, parse_options: &mut ParseOptions) -> Result<(), ConfigError> {
    for (word, location) in values::strings(call)? {
        let w = keyword(&word);
        if !parse_options.set_flag(&w) && !OTHER_FLAG_WORDS.contains(&w.as_str()) {
            let words = ParseOptions::flag_words().chain(OTHER_FLAG_WORDS.iter().copied());
            let hint = crate::error::did_you_mean(&w, words);
            return Err(ConfigError::new(
                location,
                Some(&word),
                format!("Unknown flag{hint}"),
            ));
        }
    }
    Ok(())
}

/// The single string value of `call` and where it is.
fn string_at(call: &Call) -> Result<(String, Location), ConfigError> {
    let (scalar, location) = values::scalar(call)?;
    Ok((scalar.text(), location.clone()))
}

/// `format()`, `time-zone()`/`recv-time-zone()` or `sdata-prefix()`.
fn read_parse_option(call: &Call, options: &mut ParseOptions) -> Result<(), ConfigError> {
    let name = keyword(&call.name.value);
    if name == "time-zone" || name == "recv-time-zone" {
        options.recv_time_zone = Some(values::time_zone(call)?);
        return Ok(());
    }
    let (value, location) = string_at(call)?;
    let problem = match name.as_str() {
        "format" if value != SYSLOG_FORMAT => Some(format!(
            "unsupported format(\"{value}\"); logfetch has only format(\"{SYSLOG_FORMAT}\")"
        )),
        "format" => None,
        "sdata-prefix" if value.len() > MAX_SDATA_PREFIX_LEN => Some(format!(
            "sdata-prefix() is too long: at most {MAX_SDATA_PREFIX_LEN} bytes"
        )),
        "sdata-prefix" => {
            options.sdata_prefix = value.clone();
            None
        }
        _ => None,
    };
    match problem {
        Some(message) => Err(ConfigError::new(location, Some(&value), message)),
        None => Ok(()),
    }
}

/// Options only python-fetcher() has (not the server-style python()).
const FETCHER_ONLY: &[&str] = &["fetch-no-data-delay", "time-reopen"];

/// Reads one server-style `python(...)` source driver.
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
    let mut plan = read(call, source, index, globals)?;
    plan.kind = DriverKind::Server;
    Ok(plan)
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
    settings.use_dns = globals.use_dns;
    settings.normalize_hostnames = globals.normalize_hostnames;
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
    let mut parse_options = ParseOptions {
        use_fqdn: globals.use_fqdn,
        bad_hostname: globals.bad_hostname.clone(),
        recv_time_zone: globals.recv_time_zone.clone(),
        ..ParseOptions::default()
    };
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
            "use-dns" => settings.use_dns = values::use_dns(opt)?,
            "normalize-hostnames" => settings.normalize_hostnames = values::boolean(opt)?,
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
                        logfetch_core::tag_order::number(tag);
                        settings.tags.push(Arc::from(tag));
                    }
                }
            }
            "flags" => read_flags(opt, &mut parse_options)?,
            "default-priority" | "default-level" => severity = Some(values::severity(opt)?),
            "default-facility" => facility = Some(values::facility(opt)?),
            "keep-timestamp" => settings.keep_timestamp = values::boolean(opt)?,
            "format" | "time-zone" | "recv-time-zone" | "sdata-prefix" => {
                read_parse_option(opt, &mut parse_options)?
            }
            // Accepted for compatibility: logfetch keeps no DNS cache of
            // its own (the system resolver's applies).
            "read-old-records" | "dns-cache" | "internal" => {
                values::boolean(opt)?;
            }
            "encoding" => {
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
    parse_options.default_pri = settings.default_pri;
    let reopen = Duration::from_secs(time_reopen.unwrap_or(1));
    let timing = FetchTiming {
        time_reopen: reopen,
        no_data_delay: no_data_delay.map_or(reopen, Duration::from_secs_f64),
    };
    Ok(FetcherPlan {
        settings,
        timing,
        class_path,
        kind: DriverKind::Fetcher,
        options,
        persist_name,
        loaders,
        flags: parse_options.reported_flags(),
        parse_options,
        paths: Vec::new(),
        location: call.name.location.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::driver_call;

    fn plan(options: &str) -> Result<FetcherPlan, ConfigError> {
        let text = format!(r#"source s {{ python-fetcher(class("m.C") {options}); }};"#);
        read(&driver_call(&text), "s", 0, &GlobalOptions::default())
    }

    fn error(options: &str) -> String {
        match plan(options) {
            Ok(_) => panic!("{options} was accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parse_options_follow_the_source_options() {
        let p = plan(r#"flags(no-parse) time-zone("+02:00") sdata-prefix(".X.")"#).unwrap();
        let expected = ParseOptions {
            parse: false,
            recv_time_zone: Some(
                logfetch_core::syslog_parse::TimeZoneSpec::parse("+02:00").unwrap(),
            ),
            sdata_prefix: ".X.".into(),
            ..ParseOptions::default()
        };
        assert_eq!(p.parse_options, expected);
        // self.flags is reported as before.
        let mut flags = default_flags();
        flags[0].1 = false;
        assert_eq!(p.flags, flags);

        let p = plan(
            r#"format("syslog") recv-time-zone("Europe/Budapest") default-facility(local4)
               flags(no-rfc3164-fallback, dont-store-legacy-msghdr, no-piggyback-errors)"#,
        )
        .unwrap();
        let o = &p.parse_options;
        assert_eq!(
            o.recv_time_zone.as_ref().map(|z| z.name()),
            Some("Europe/Budapest")
        );
        assert_eq!(o.default_pri, Some(20 * 8 + 5));
        assert_eq!(p.settings.default_pri, Some(20 * 8 + 5));
        assert!(!o.rfc3164_fallback && !o.store_legacy_msghdr && !o.piggyback_errors);
        assert_eq!(plan("").unwrap().parse_options, ParseOptions::default());
    }

    #[test]
    fn bad_parse_options_name_the_place() {
        assert_eq!(
            error(r#"format("json")"#),
            r#"t.conf:1:47: unsupported format("json"); logfetch has only format("syslog") near 'json'"#
        );
        let e = error(r#"time-zone("Nowhere/Bogus")"#);
        assert!(
            e.starts_with("t.conf:1:50: time-zone(): unknown time zone 'Nowhere/Bogus'"),
            "{e}"
        );
        let e = error(r#"recv-time-zone("+25:00")"#);
        assert!(
            e.starts_with("t.conf:1:55: recv-time-zone(): unknown time zone"),
            "{e}"
        );
        let e = error(&format!(r#"sdata-prefix("{}")"#, "x".repeat(129)));
        assert!(e.contains("sdata-prefix() is too long"), "{e}");
    }
}
