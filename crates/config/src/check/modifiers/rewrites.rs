//! The rules of a `rewrite {}` statement.

use super::{compile_template, not_supported};
use crate::ast::{Arg, Call};
use crate::check::filters::{FilterTable, MatchFlags, build_regex, expr_from_args, glob_to_regex};
use crate::check::unknown_option;
use crate::error::{ConfigError, Location};
use crate::parser::keyword;
use crate::values;
use logfetch_core::modify::{Modifier, Replacement, RewriteAction, RewriteRule};
use logfetch_core::template;
use regex::bytes::Regex;

/// Rewrite rules logfetch runs.
const REWRITE_RULES: &[&str] = &[
    "set",
    "unset",
    "groupunset",
    "groupset",
    "subst",
    "rename",
    "set-tag",
    "clear-tag",
    "set-pri",
    "set-severity",
    "set-facility",
];

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
        "unset" | "groupunset" | "groupset" => &["value", "values", "condition"],
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
            RewriteAction::GroupUnset(name_patterns(call, names)?)
        }
        "groupset" => RewriteAction::GroupSet {
            template: compile_template(args.one(call, "a template")?)?,
            patterns: name_patterns(call, names)?,
        },
        "subst" => {
            let [(pattern, location), (replacement, replacement_at)] =
                args.exact(call, "a pattern and a replacement")?;
            let mut global = false;
            let mut match_flags = MatchFlags::default();
            for (flag, location) in flags {
                if match_flags.read(&flag) {
                    continue;
                }
                match keyword(&flag).as_str() {
                    "global" => global = true,
                    "unicode" => {}
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
        "set-tag" => {
            let tag = compile_template(args.one(call, "a tag")?)?;
            if tag.is_literal() {
                let mut name = Vec::new();
                tag.render(&logfetch_core::message::LogMessage::new(), &mut name);
                logfetch_core::tag_order::number(&String::from_utf8_lossy(&name));
            }
            RewriteAction::SetTag(tag)
        }
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

/// The `values("glob*")` of groupset() and groupunset() as patterns.
fn name_patterns(call: &Call, globs: Vec<(String, Location)>) -> Result<Vec<Regex>, ConfigError> {
    required_names(call, globs)?
        .iter()
        .map(|glob| {
            build_regex(
                &glob_to_regex(glob),
                call.name.location.clone(),
                "pcre",
                MatchFlags::default(),
            )
        })
        .collect()
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
