//! Reading typed values out of option calls (`name(value ...)`).

use crate::ast::{Arg, Call, Scalar};
use crate::error::{ConfigError, Location};
use logfetch_core::pri;
use logfetch_core::syslog_parse::BadHostname;

fn error(location: &Location, word: &str, msg: impl Into<String>) -> ConfigError {
    ConfigError::new(location.clone(), Some(word), msg)
}

/// The single scalar argument of `call`.
pub fn scalar(call: &Call) -> Result<(&Scalar, &Location), ConfigError> {
    match call.args.as_slice() {
        [Arg::Value(v)] => Ok((&v.value, &v.location)),
        [] => Err(error(
            &call.name.location,
            &call.name.value,
            "this option needs a value",
        )),
        [_, second, ..] => Err(error(
            second.location(),
            &second.describe(),
            format!("{}() takes one value", call.name.value),
        )),
        [other] => Err(error(
            other.location(),
            &other.describe(),
            format!("{}() needs a plain value", call.name.value),
        )),
    }
}

/// A string value (quoted or bare; numbers as written).
pub fn string(call: &Call) -> Result<String, ConfigError> {
    scalar(call).map(|(s, _)| s.text())
}

/// An integer value.
pub fn int(call: &Call) -> Result<i64, ConfigError> {
    match scalar(call)? {
        (Scalar::Int(i), _) => Ok(*i),
        (other, loc) => Err(error(
            loc,
            &other.text(),
            format!("{}() needs a whole number", call.name.value),
        )),
    }
}

/// A positive integer value.
pub fn positive(call: &Call) -> Result<u64, ConfigError> {
    let (_, loc) = scalar(call)?;
    match int(call)? {
        i if i > 0 => Ok(i as u64),
        i => Err(error(
            loc,
            &i.to_string(),
            format!("{}() needs a positive number", call.name.value),
        )),
    }
}

/// A non-negative number of seconds (integer or float).
pub fn seconds(call: &Call) -> Result<f64, ConfigError> {
    match scalar(call)? {
        (Scalar::Int(i), _) if *i >= 0 => Ok(*i as f64),
        (Scalar::Float(f), _) if *f >= 0.0 && f.is_finite() => Ok(*f),
        (other, loc) => Err(error(
            loc,
            &other.text(),
            format!(
                "{}() needs a non-negative number of seconds",
                call.name.value
            ),
        )),
    }
}

/// `yes/no/on/off/true/false` (any case) and `1/0` as a boolean.
pub fn parse_bool(scalar: &Scalar) -> Option<bool> {
    match scalar {
        Scalar::Int(1) => Some(true),
        Scalar::Int(0) => Some(false),
        Scalar::Word(w) | Scalar::Str(w) => match w.to_ascii_lowercase().as_str() {
            "yes" | "on" | "true" => Some(true),
            "no" | "off" | "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A boolean value.
pub fn boolean(call: &Call) -> Result<bool, ConfigError> {
    let (s, loc) = scalar(call)?;
    parse_bool(s).ok_or_else(|| {
        error(
            loc,
            &s.text(),
            format!("{}() needs yes or no", call.name.value),
        )
    })
}

/// `use-dns()`: yes, no or `persist_only`, which resolves through
/// syslog-ng's own hosts file (`dns-cache-hosts()`) only; logfetch has no
/// such file, so it means no lookups (the address is shown).
pub fn use_dns(call: &Call) -> Result<bool, ConfigError> {
    let (s, loc) = scalar(call)?;
    let text = s.text();
    if text == "persist_only" || text == "persist-only" {
        return Ok(false);
    }
    parse_bool(s).ok_or_else(|| {
        error(
            loc,
            &text,
            format!("{}() needs yes, no or persist_only", call.name.value),
        )
    })
}

/// `ts-format()`: rfc3164/bsd, rfc3339/iso, full or unix/utc.
pub fn ts_format(call: &Call) -> Result<logfetch_core::template::TsFormat, ConfigError> {
    let (s, loc) = scalar(call)?;
    let text = s.text();
    logfetch_core::template::TsFormat::parse(&text).ok_or_else(|| {
        error(
            loc,
            &text,
            format!(
                "{}() needs one of {}",
                call.name.value,
                logfetch_core::template::TsFormat::WORDS.join(", ")
            ),
        )
    })
}

/// `frac-digits()`: 0 to 9.
pub fn frac_digits(call: &Call) -> Result<u8, ConfigError> {
    let (s, loc) = scalar(call)?;
    let text = s.text();
    match text.parse::<u8>() {
        Ok(n) if n <= 9 => Ok(n),
        _ => Err(error(
            loc,
            &text,
            format!("{}() needs a number of digits from 0 to 9", call.name.value),
        )),
    }
}

/// A time zone option (`time-zone()`, `send-time-zone()`, ...): an offset
/// such as `+01:00` or a name from the time zone database.
pub fn time_zone(call: &Call) -> Result<logfetch_core::syslog_parse::TimeZoneSpec, ConfigError> {
    let (s, loc) = scalar(call)?;
    let text = s.text();
    let name = crate::parser::keyword(&call.name.value);
    logfetch_core::syslog_parse::TimeZoneSpec::parse(&text)
        .map_err(|e| error(loc, &text, format!("{name}(): {e}")))
}

/// A file mode, written octal (`0600`).
pub fn mode(call: &Call) -> Result<u32, ConfigError> {
    let (s, loc) = scalar(call)?;
    let text = s.text();
    u32::from_str_radix(&text, 8).map_err(|_| {
        error(
            loc,
            &text,
            format!("{}() needs an octal mode such as 0600", call.name.value),
        )
    })
}

/// All plain values of `call` (or the items of one list), as strings.
pub fn strings(call: &Call) -> Result<Vec<(String, Location)>, ConfigError> {
    let mut out = Vec::new();
    for arg in &call.args {
        match arg {
            Arg::Value(v) => out.push((v.value.text(), v.location.clone())),
            Arg::List(l) => {
                out.extend(l.value.iter().map(|v| (v.value.text(), v.location.clone())))
            }
            other => {
                return Err(error(
                    other.location(),
                    &other.describe(),
                    format!("{}() takes plain values", call.name.value),
                ));
            }
        }
    }
    Ok(out)
}

fn named_number(
    call: &Call,
    lookup: fn(&str) -> Option<u16>,
    names: impl Iterator<Item = &'static str>,
    what: &str,
) -> Result<u16, ConfigError> {
    let (s, loc) = scalar(call)?;
    lookup(&s.text()).ok_or_else(|| {
        let hint = crate::error::did_you_mean(&s.text(), names);
        error(loc, &s.text(), format!("unknown {what}{hint}"))
    })
}

/// A severity name or number (`default-priority()`).
pub fn severity(call: &Call) -> Result<u16, ConfigError> {
    named_number(
        call,
        pri::severity_by_name,
        pri::severity_spellings(),
        "severity",
    )
}

/// A facility name or number (`default-facility()`).
pub fn facility(call: &Call) -> Result<u16, ConfigError> {
    named_number(
        call,
        pri::facility_by_name,
        pri::FACILITY_NAMES.iter().copied(),
        "facility",
    )
}

/// Types a value given as text (`logfetch fetch -o key=value`) as the
/// configuration would: integers, floats, yes/no/true/false, else a string.
pub fn option_from_text(text: &str) -> logfetch_core::options::OptionValue {
    use logfetch_core::options::OptionValue;
    if let Ok(i) = text.parse::<i64>() {
        return OptionValue::Int(i);
    }
    if text.contains('.')
        && let Ok(f) = text.parse::<f64>()
    {
        return OptionValue::Float(f);
    }
    match parse_bool(&Scalar::Word(text.to_owned())) {
        Some(b) => OptionValue::Bool(b),
        None => OptionValue::Str(text.to_owned()),
    }
}

/// `owner()`/`group()` (and their `dir-` forms): a name or number resolved
/// by `lookup`; an empty value leaves the owner unchanged.
pub fn id(
    call: &Call,
    lookup: fn(&str) -> Result<Option<u32>, String>,
) -> Result<Option<u32>, ConfigError> {
    if call.args.is_empty() {
        return Ok(None);
    }
    let (s, loc) = scalar(call)?;
    let text = s.text();
    lookup(&text).map_err(|message| error(loc, &text, format!("{}(): {message}", call.name.value)))
}

/// `bad-hostname("regex")`.
pub fn bad_hostname(call: &Call) -> Result<BadHostname, ConfigError> {
    let (s, loc) = scalar(call)?;
    let text = s.text();
    regex::bytes::Regex::new(&text)
        .map(BadHostname)
        .map_err(|e| {
            // The regex crate draws the pattern over several lines; its
            // last line says what is wrong.
            let full = e.to_string();
            let reason = full.lines().last().unwrap_or_default();
            let reason = reason.trim_start_matches("error: ");
            error(
                loc,
                &text,
                format!("bad-hostname(): invalid regular expression: {reason}"),
            )
        })
}
