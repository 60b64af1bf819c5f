//! `parser {}` and `rewrite {}` bodies → core modifiers.

use super::filters::{FilterTable, MatchFlags, build_regex, expr_from_args, glob_to_regex};
use super::unknown_option;
use crate::ast::{Arg, Call};
use crate::error::{ConfigError, Location};
use crate::parser::keyword;
use crate::values;
use logfetch_core::modify::{
    DateParser, DateTarget, JsonParser, KvParser, Modifier, Replacement, RewriteAction, RewriteRule,
};
use logfetch_core::syslog_parse::TimeZoneSpec;
use logfetch_core::template::{self, Template};

/// Parsers logfetch runs.
const PARSERS: &[&str] = &["json-parser", "kv-parser", "date-parser"];

/// Rewrite rules logfetch runs.
const REWRITE_RULES: &[&str] = &[
    "set",
    "unset",
    "groupunset",
    "subst",
    "rename",
    "set-tag",
    "clear-tag",
    "set-pri",
    "set-severity",
    "set-facility",
];

/// A driver of a `parser {}` statement.
pub fn parser(call: &Call) -> Result<Modifier, ConfigError> {
    match keyword(&call.name.value).as_str() {
        "json-parser" => json_parser(call).map(Modifier::Json),
        "kv-parser" => kv_parser(call).map(Modifier::Kv),
        "date-parser" => date_parser(call).map(Modifier::Date),
        other => Err(not_supported(call, other, "parser", PARSERS)),
    }
}

/// A rule of a `rewrite {}` statement.
pub fn rewrite(call: &Call, filters: &mut FilterTable<'_>) -> Result<Modifier, ConfigError> {
    let kind = keyword(&call.name.value);
    if !REWRITE_RULES.contains(&kind.as_str()) {
        return Err(not_supported(call, &kind, "rewrite rule", REWRITE_RULES));
    }
    let args = RuleArgs::split(call)?;
    let mut condition = None;
    let mut names: Vec<(String, Location)> = Vec::new();
    let mut kind_of_pattern = "pcre".to_owned();
    let mut flags = Vec::new();
    let valid: &[&str] = match kind.as_str() {
        "set" => &["value", "values", "condition"],
        "unset" | "groupunset" => &["value", "values", "condition"],
        "subst" => &["value", "type", "flags", "condition"],
        _ => &["condition"],
    };
    for option in &args.options {
        let name = keyword(&option.name.value);
        if !valid.contains(&name.as_str()) {
            return Err(unknown_option(option, &call.name.value, valid));
        }
        match name.as_str() {
            "condition" => condition = Some(filters.compile(&expr_from_args(option)?)?),
            "value" => {
                let (name, location) = values::scalar(option)?;
                names.push((name.text(), location.clone()));
            }
            "values" => names.extend(values::strings(option)?),
            "type" => kind_of_pattern = values::string(option)?.to_ascii_lowercase(),
            "flags" => flags = values::strings(option)?,
            _ => unreachable!("checked against the valid options"),
        }
    }
    let action = match kind.as_str() {
        "set" => RewriteAction::Set {
            template: compile_template(args.one(call, "a template")?)?,
            names: required_names(call, names)?,
        },
        "unset" => {
            args.none()?;
            RewriteAction::Unset(required_names(call, names)?)
        }
        "groupunset" => {
            args.none()?;
            let patterns = required_names(call, names)?
                .iter()
                .map(|glob| {
                    build_regex(
                        &glob_to_regex(glob),
                        call.name.location.clone(),
                        "pcre",
                        MatchFlags::default(),
                    )
                })
                .collect::<Result<_, _>>()?;
            RewriteAction::GroupUnset(patterns)
        }
        "subst" => {
            let [(pattern, location), (replacement, replacement_at)] =
                args.exact(call, "a pattern and a replacement")?;
            let mut global = false;
            let mut match_flags = MatchFlags::default();
            for (flag, location) in flags {
                match keyword(&flag).as_str() {
                    "global" => global = true,
                    "ignore-case" | "icase" => match_flags.ignore_case = true,
                    "substring" => match_flags.substring = true,
                    "prefix" => match_flags.prefix = true,
                    "utf8" | "unicode" | "store-matches" | "nobackref" | "disable-jit" => {}
                    _ => {
                        return Err(ConfigError::new(
                            location,
                            Some(&flag),
                            "unknown subst() flag; use global, ignore-case, substring, prefix, utf8, store-matches, nobackref or disable-jit",
                        ));
                    }
                }
            }
            if kind_of_pattern == "glob" {
                return Err(ConfigError::new(
                    location.clone(),
                    Some(pattern),
                    "subst() cannot replace with a glob pattern; use type(\"pcre\") or type(\"string\")",
                ));
            }
            let name = if names.is_empty() {
                "MESSAGE".to_owned()
            } else {
                match required_names(call, names)?.as_slice() {
                    [one] => one.clone(),
                    _ => {
                        return Err(ConfigError::new(
                            call.name.location.clone(),
                            Some(&call.name.value),
                            "subst() changes one value; give value() once",
                        ));
                    }
                }
            };
            RewriteAction::Subst {
                name,
                pattern: build_regex(pattern, location.clone(), &kind_of_pattern, match_flags)?,
                replacement: Replacement::new(compile_template((replacement, replacement_at))?),
                global,
            }
        }
        "rename" => {
            let [(from, from_at), (to, to_at)] = args.exact(call, "the old and the new name")?;
            required_names(
                call,
                vec![(from.clone(), from_at.clone()), (to.clone(), to_at.clone())],
            )?;
            RewriteAction::Rename {
                from: from.clone(),
                to: to.clone(),
            }
        }
        "set-tag" => RewriteAction::SetTag(compile_template(args.one(call, "a tag")?)?),
        "clear-tag" => RewriteAction::ClearTag(args.one(call, "a tag")?.0.clone()),
        "set-pri" => RewriteAction::SetPri(compile_template(args.one(call, "a template")?)?),
        "set-severity" => {
            RewriteAction::SetSeverity(compile_template(args.one(call, "a template")?)?)
        }
        "set-facility" => {
            RewriteAction::SetFacility(compile_template(args.one(call, "a template")?)?)
        }
        _ => unreachable!("checked against REWRITE_RULES"),
    };
    Ok(Modifier::Rewrite(RewriteRule { action, condition }))
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
            "time-zone" => {
                let (text, location) = values::scalar(option)?;
                let text = text.text();
                let zone = TimeZoneSpec::parse(&text).map_err(|e| {
                    ConfigError::new(location.clone(), Some(&text), format!("time-zone(): {e}"))
                })?;
                parser.zone = Some(zone);
            }
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

/// A rule's plain values and its options.
struct RuleArgs<'a> {
    positional: Vec<(String, Location)>,
    options: Vec<&'a Call>,
}

impl<'a> RuleArgs<'a> {
    fn split(call: &'a Call) -> Result<Self, ConfigError> {
        let mut args = RuleArgs {
            positional: Vec::new(),
            options: Vec::new(),
        };
        for arg in &call.args {
            match arg {
                Arg::Value(v) => args.positional.push((v.value.text(), v.location.clone())),
                Arg::Call(option) => args.options.push(option),
                other => {
                    return Err(ConfigError::new(
                        other.location().clone(),
                        Some(&other.describe()),
                        format!("unexpected argument in {}()", call.name.value),
                    ));
                }
            }
        }
        Ok(args)
    }

    fn exact<const N: usize>(
        &self,
        call: &Call,
        what: &str,
    ) -> Result<&[(String, Location); N], ConfigError> {
        self.positional.as_slice().try_into().map_err(|_| {
            let (word, location) = match self.positional.get(N) {
                Some((extra, location)) => (extra.as_str(), location.clone()),
                None => (call.name.value.as_str(), call.name.location.clone()),
            };
            ConfigError::new(
                location,
                Some(word),
                format!("{}() needs {what}", call.name.value),
            )
        })
    }

    fn one(&self, call: &Call, what: &str) -> Result<(&String, &Location), ConfigError> {
        let [(text, location)] = self.exact::<1>(call, what)?;
        Ok((text, location))
    }

    fn none(&self) -> Result<(), ConfigError> {
        match self.positional.first() {
            None => Ok(()),
            Some((word, location)) => Err(ConfigError::new(
                location.clone(),
                Some(word),
                "unexpected value; name the pairs with value() or values()",
            )),
        }
    }
}

/// The names a rule changes; macros (`PRI`, `DATE`, `TAGS` …) are
/// computed, not stored, so they cannot be changed.
fn required_names(call: &Call, names: Vec<(String, Location)>) -> Result<Vec<String>, ConfigError> {
    if let Some((name, location)) = names.iter().find(|(n, _)| template::is_macro(n)) {
        return Err(ConfigError::new(
            location.clone(),
            Some(name),
            format!("{name} is read-only, it cannot be changed in rewrite rules"),
        ));
    }
    if names.is_empty() {
        return Err(ConfigError::new(
            call.name.location.clone(),
            Some(&call.name.value),
            format!("{}() needs value(\"NAME\")", call.name.value),
        ));
    }
    Ok(names.into_iter().map(|(name, _)| name).collect())
}

fn compile_template((text, location): (&String, &Location)) -> Result<Template, ConfigError> {
    Template::compile(text).map_err(|e| {
        ConfigError::new(
            location.clone(),
            Some(text),
            format!("invalid template: {e}"),
        )
    })
}

/// syslog-ng parsers and rewrite rules logfetch does not run: refused by
/// name, without a "did you mean" (they are no typos).
const ELSEWHERE: &[&str] = &[
    "csv-parser",
    "regexp-parser",
    "syslog-parser",
    "db-parser",
    "xml-parser",
    "apache-accesslog-parser",
    "linux-audit-parser",
    "sudo-parser",
    "cisco-parser",
    "checkpoint-parser",
    "groupset",
    "set-matches",
    "unset-matches",
    "credit-card-mask",
    "credit-card-hash",
    "fix-time-zone",
    "set-time-zone",
    "guess-time-zone",
];

fn not_supported(call: &Call, name: &str, what: &str, supported: &[&str]) -> ConfigError {
    let hint = if ELSEWHERE.contains(&name) {
        String::new()
    } else {
        crate::error::did_you_mean(name, supported.iter().copied())
    };
    let list = supported.join("(), ");
    ConfigError::new(
        call.name.location.clone(),
        Some(&call.name.value),
        format!("{what} {name}() is not supported by logfetch; it runs {list}(){hint}"),
    )
}
