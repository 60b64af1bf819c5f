//! The drivers of a `parser {}` statement.

use super::{compile_template, not_supported};
use crate::ast::{Arg, Call};
use crate::check::filters::{MatchFlags, build_regex};
use crate::check::unknown_option;
use crate::error::ConfigError;
use crate::parser::keyword;
use crate::values;
use logfetch_core::modify::{
    CsvEscape, CsvParser, DateParser, DateTarget, JsonParser, KvParser, Modifier, RegexpParser,
};
use logfetch_core::template::Template;

/// Parsers logfetch runs.
const PARSERS: &[&str] = &[
    "json-parser",
    "kv-parser",
    "date-parser",
    "csv-parser",
    "regexp-parser",
];

/// A driver of a `parser {}` statement.
pub fn parser(call: &Call) -> Result<Modifier, ConfigError> {
    match keyword(&call.name.value).as_str() {
        "json-parser" => json_parser(call).map(Modifier::Json),
        "kv-parser" => kv_parser(call).map(Modifier::Kv),
        "date-parser" => date_parser(call).map(Modifier::Date),
        "csv-parser" => csv_parser(call).map(Modifier::Csv),
        "regexp-parser" => regexp_parser(call).map(Modifier::Regexp),
        other => Err(not_supported(call, other, "parser", PARSERS)),
    }
}

/// The options of a parser driver, each handed to `read` with its keyword;
/// `read` answers whether it knew the option.
fn parser_options(
    call: &Call,
    valid: &[&str],
    mut read: impl FnMut(&str, &Call) -> Result<(), ConfigError>,
) -> Result<(), ConfigError> {
    for arg in &call.args {
        let Arg::Call(option) = arg else {
            return Err(ConfigError::new(
                arg.location().clone(),
                Some(&arg.describe()),
                format!(
                    "{}() takes options only, such as prefix(\"...\")",
                    call.name.value
                ),
            ));
        };
        let name = keyword(&option.name.value);
        if !valid.contains(&name.as_str()) {
            return Err(unknown_option(option, &call.name.value, valid));
        }
        read(&name, option)?;
    }
    Ok(())
}

/// A one-character option value, checked by `allowed`; `requirement` says
/// what is wanted when it is not.
fn single_char(
    option: &Call,
    allowed: impl Fn(char) -> bool,
    requirement: &str,
) -> Result<char, ConfigError> {
    let (text, location) = values::scalar(option)?;
    let text = text.text();
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if allowed(c) => Ok(c),
        _ => Err(ConfigError::new(
            location.clone(),
            Some(&text),
            format!("{}() takes {requirement}", option.name.value),
        )),
    }
}

fn template_option(option: &Call) -> Result<Template, ConfigError> {
    let (text, location) = values::scalar(option)?;
    compile_template((&text.text(), location))
}

fn json_parser(call: &Call) -> Result<JsonParser, ConfigError> {
    let mut parser = JsonParser::default();
    let valid = [
        "prefix",
        "marker",
        "extract-prefix",
        "key-delimiter",
        "template",
    ];
    parser_options(call, &valid, |name, option| {
        match name {
            "prefix" => parser.prefix = values::string(option)?,
            "marker" => parser.marker = Some(values::string(option)?),
            "extract-prefix" => parser.extract_prefix = Some(values::string(option)?),
            "key-delimiter" => {
                parser.key_delimiter = single_char(option, |_| true, "a single character")?
            }
            _ => parser.template = Some(template_option(option)?),
        }
        Ok(())
    })?;
    Ok(parser)
}

fn kv_parser(call: &Call) -> Result<KvParser, ConfigError> {
    let mut parser = KvParser::default();
    let valid = [
        "prefix",
        "value-separator",
        "pair-separator",
        "extract-stray-words-into",
        "template",
    ];
    parser_options(call, &valid, |name, option| {
        match name {
            "prefix" => parser.prefix = values::string(option)?,
            "value-separator" => {
                let c = single_char(
                    option,
                    |c| c.is_ascii() && !matches!(c, ' ' | '\'' | '"'),
                    "one character other than a blank or a quote",
                )?;
                parser.value_separator = c as u8;
            }
            "pair-separator" => {
                let (text, location) = values::scalar(option)?;
                let text = text.text();
                if text.is_empty() {
                    return Err(ConfigError::new(
                        location.clone(),
                        Some(&text),
                        "pair-separator() cannot be empty",
                    ));
                }
                parser.pair_separator = text.into_bytes();
            }
            "extract-stray-words-into" => parser.stray_words_into = Some(values::string(option)?),
            _ => parser.template = Some(template_option(option)?),
        }
        Ok(())
    })?;
    Ok(parser)
}

fn date_parser(call: &Call) -> Result<DateParser, ConfigError> {
    let mut parser = DateParser::default();
    let mut formats = Vec::new();
    let valid = [
        "format",
        "time-zone",
        "template",
        "time-stamp",
        "value",
        "flags",
    ];
    parser_options(call, &valid, |name, option| {
        match name {
            "format" => formats.extend(values::strings(option)?.into_iter().map(|(f, _)| f)),
            "time-zone" => parser.zone = Some(values::time_zone(option)?),
            "time-stamp" => {
                let (text, location) = values::scalar(option)?;
                parser.target = match keyword(&text.text()).as_str() {
                    "stamp" => DateTarget::Stamp,
                    "recvd" => DateTarget::Received,
                    other => {
                        return Err(ConfigError::new(
                            location.clone(),
                            Some(other),
                            "time-stamp() is stamp or recvd",
                        ));
                    }
                };
            }
            "value" => parser.target = DateTarget::Value(values::string(option)?),
            "flags" => {
                for (flag, location) in values::strings(option)? {
                    match keyword(&flag).as_str() {
                        "guess-timezone" => parser.guess_timezone = true,
                        _ => {
                            return Err(ConfigError::new(
                                location,
                                Some(&flag),
                                "unknown date-parser() flag; it has guess-timezone",
                            ));
                        }
                    }
                }
            }
            _ => parser.template = Some(template_option(option)?),
        }
        Ok(())
    })?;
    if !formats.is_empty() {
        parser.formats = formats;
    }
    Ok(parser)
}

fn csv_parser(call: &Call) -> Result<CsvParser, ConfigError> {
    let mut parser = CsvParser::default();
    let valid = [
        "columns",
        "prefix",
        "delimiters",
        "quotes",
        "quote-pairs",
        "null",
        "flags",
        "dialect",
        "drop-invalid",
        "template",
    ];
    parser_options(call, &valid, |name, option| {
        match name {
            "columns" => {
                parser.columns = values::strings(option)?
                    .into_iter()
                    .map(|(c, _)| c)
                    .collect()
            }
            "prefix" => parser.prefix = values::string(option)?,
            "delimiters" => read_delimiters(option, &mut parser)?,
            "quotes" => parser.quotes = values::string(option)?.bytes().map(|q| (q, q)).collect(),
            "quote-pairs" => {
                let pairs = values::string(option)?.into_bytes();
                parser.quotes = pairs.chunks_exact(2).map(|p| (p[0], p[1])).collect();
            }
            "null" => {
                let null = values::string(option)?;
                parser.null_value = (!null.is_empty()).then(|| null.into_bytes());
            }
            "flags" => {
                // flags() replaces the default strip-whitespace, as in syslog-ng.
                parser.strip_whitespace = false;
                let mut escape_given = false;
                for (flag, location) in values::strings(option)? {
                    let escape = match keyword(&flag).as_str() {
                        "escape-none" => Some(CsvEscape::None),
                        "escape-backslash" => Some(CsvEscape::Backslash),
                        "escape-double-char" => Some(CsvEscape::DoubleChar),
                        _ => None,
                    };
                    if let Some(escape) = escape {
                        if escape_given {
                            return Err(ConfigError::new(
                                location,
                                Some(&flag),
                                "only one escape style can be used in the flags argument",
                            ));
                        }
                        escape_given = true;
                        parser.escape = escape;
                        continue;
                    }
                    match keyword(&flag).as_str() {
                        "strip-whitespace" => parser.strip_whitespace = true,
                        "greedy" => parser.greedy = true,
                        "drop-invalid" => parser.drop_invalid = true,
                        _ => {
                            return Err(ConfigError::new(
                                location,
                                Some(&flag),
                                "unknown csv-parser() flag; use escape-none, escape-backslash, escape-double-char, strip-whitespace, greedy or drop-invalid",
                            ));
                        }
                    }
                }
            }
            "dialect" => {
                let (text, location) = values::scalar(option)?;
                parser.escape = match keyword(&text.text()).as_str() {
                    "escape-none" => CsvEscape::None,
                    "escape-backslash" => CsvEscape::Backslash,
                    "escape-backslash-with-sequences" => CsvEscape::BackslashWithSequences,
                    "escape-double-char" => CsvEscape::DoubleChar,
                    other => {
                        return Err(ConfigError::new(
                            location.clone(),
                            Some(other),
                            "unknown dialect(); use escape-none, escape-backslash, escape-backslash-with-sequences or escape-double-char",
                        ));
                    }
                };
            }
            "drop-invalid" => parser.drop_invalid = values::boolean(option)?,
            _ => parser.template = Some(template_option(option)?),
        }
        Ok(())
    })?;
    if parser.greedy && parser.columns.is_empty() {
        return Err(ConfigError::new(
            call.name.location.clone(),
            Some(&call.name.value),
            "the greedy flag of csv-parser() needs columns()",
        ));
    }
    Ok(parser)
}

/// `delimiters(",;")` or `delimiters(chars(",;") strings("::"))`.
fn read_delimiters(option: &Call, parser: &mut CsvParser) -> Result<(), ConfigError> {
    if !option.args.iter().any(|a| matches!(a, Arg::Call(_))) {
        parser.delimiters = values::string(option)?.into_bytes();
        return Ok(());
    }
    parser.delimiters.clear();
    for arg in &option.args {
        let Arg::Call(kind) = arg else {
            return Err(ConfigError::new(
                arg.location().clone(),
                Some(&arg.describe()),
                "delimiters() takes a string, or chars() and strings()",
            ));
        };
        match keyword(&kind.name.value).as_str() {
            "chars" => parser.delimiters = values::string(kind)?.into_bytes(),
            "strings" => {
                parser.string_delimiters = values::strings(kind)?
                    .into_iter()
                    .map(|(s, _)| s.into_bytes())
                    .collect()
            }
            _ => return Err(unknown_option(kind, "delimiters", &["chars", "strings"])),
        }
    }
    Ok(())
}

fn regexp_parser(call: &Call) -> Result<RegexpParser, ConfigError> {
    let mut patterns = Vec::new();
    let mut prefix = String::new();
    let mut template = None;
    let mut flags = MatchFlags::default();
    let mut kind = "pcre".to_owned();
    let valid = ["patterns", "prefix", "template", "flags", "type"];
    parser_options(call, &valid, |name, option| {
        match name {
            "patterns" => patterns.extend(values::strings(option)?),
            "prefix" => prefix = values::string(option)?,
            "type" => kind = values::string(option)?.to_ascii_lowercase(),
            "flags" => {
                for (flag, location) in values::strings(option)? {
                    if flags.read(&flag) {
                        continue;
                    }
                    match keyword(&flag).as_str() {
                        "unicode" | "dupnames" => {}
                        _ => {
                            return Err(ConfigError::new(
                                location,
                                Some(&flag),
                                "unknown regexp-parser() flag; use ignore-case, substring, prefix, utf8, store-matches, nobackref, dupnames or disable-jit",
                            ));
                        }
                    }
                }
            }
            _ => template = Some(template_option(option)?),
        }
        Ok(())
    })?;
    if patterns.is_empty() {
        return Err(ConfigError::new(
            call.name.location.clone(),
            Some(&call.name.value),
            "regexp-parser() needs patterns(\"...\")",
        ));
    }
    let patterns = patterns
        .into_iter()
        .map(|(text, location)| build_regex(&text, location, &kind, flags))
        .collect::<Result<_, _>>()?;
    Ok(RegexpParser {
        patterns,
        prefix,
        template,
    })
}
