//! Filter expressions → core filters, with named filters resolved.

use crate::ast::{Arg, Call, FilterExpr, Scalar, Spanned};
use crate::error::{ConfigError, Location};
use crate::parser::COMPARISONS;
use crate::parser::keyword;
use crate::values;
use logfetch_core::filter::{Comparison, Filter, Network};
use logfetch_core::pri;
use logfetch_core::template::Template;
use regex::bytes::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::sync::Arc;

/// Filter functions logfetch evaluates.
pub const FUNCTIONS: &[&str] = &[
    "program", "host", "message", "match", "level", "priority", "facility", "tags", "filter",
    "netmask", "netmask6", "in-list", "source",
];

/// A glob (`*`, `?`) as an anchored regular expression.
pub(super) fn glob_to_regex(glob: &str) -> String {
    let mut re = String::from("^");
    for c in glob.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    re
}

/// `program("re" type(...) flags(...))` and friends: the pattern as a regex.
fn pattern(call: &Call) -> Result<(Regex, Option<String>), ConfigError> {
    let mut text = None;
    let mut kind = "pcre".to_owned();
    let mut flags = MatchFlags::default();
    let mut value = None;
    for arg in &call.args {
        match arg {
            Arg::Value(v) if text.is_none() => text = Some((v.value.text(), v.location.clone())),
            Arg::Call(opt) => match keyword(&opt.name.value).as_str() {
                "type" => kind = values::string(opt)?.to_ascii_lowercase(),
                "flags" => {
                    for (flag, location) in values::strings(opt)? {
                        if flags.read(&flag) {
                            continue;
                        }
                        match keyword(&flag).as_str() {
                            // Meaningful to subst() only.
                            "global" => {}
                            _ => {
                                return Err(ConfigError::new(
                                    location,
                                    Some(&flag),
                                    "unknown filter flag",
                                ));
                            }
                        }
                    }
                }
                "value" if keyword(&call.name.value) == "match" => {
                    value = Some(values::string(opt)?)
                }
                "template" if keyword(&call.name.value) == "match" => {
                    value = Some(
                        values::string(opt)?
                            .trim_start_matches('$')
                            .trim_matches(|c| c == '{' || c == '}')
                            .to_owned(),
                    )
                }
                _ => {
                    return Err(super::unknown_option(
                        opt,
                        &call.name.value,
                        &["type", "flags", "value"],
                    ));
                }
            },
            other => {
                return Err(ConfigError::new(
                    other.location().clone(),
                    Some(&other.describe()),
                    "unexpected argument in filter function",
                ));
            }
        }
    }
    let Some((text, location)) = text else {
        return Err(ConfigError::new(
            call.name.location.clone(),
            Some(&call.name.value),
            "this filter needs a pattern",
        ));
    };
    Ok((build_regex(&text, location, &kind, flags)?, value))
}

/// The `flags()` that change how a pattern matches.
#[derive(Clone, Copy, Default)]
pub(super) struct MatchFlags {
    /// `ignore-case`.
    pub ignore_case: bool,
    /// `substring`: a `type("string")` pattern may match anywhere.
    pub substring: bool,
    /// `prefix`: a `type("string")` pattern matches the start.
    pub prefix: bool,
}

impl MatchFlags {
    /// Takes `flag` when it is one every matcher knows (`ignore-case`,
    /// `substring`, `prefix`, and `utf8`, `store-matches`, `nobackref`,
    /// `disable-jit`, which change nothing here); `false` for any other.
    pub fn read(&mut self, flag: &str) -> bool {
        match keyword(flag).as_str() {
            "ignore-case" | "icase" => self.ignore_case = true,
            "substring" => self.substring = true,
            "prefix" => self.prefix = true,
            "utf8" | "store-matches" | "nobackref" | "disable-jit" => {}
            _ => return false,
        }
        true
    }
}

/// The filter of a template's `$(if (FILTER) THEN ELSE)`. Named filters
/// are not known there; syntax errors name the template text.
pub fn compile_template_filter(text: &str) -> Result<Filter, String> {
    let expr = crate::parser::parse_filter_expression(std::path::Path::new("$(if)"), text)
        .map_err(|e| e.to_string())?;
    FilterTable::new(HashMap::new())
        .compile(&expr)
        .map_err(|e| e.to_string())
}

fn comparison_template(side: &Spanned<String>) -> Result<Template, ConfigError> {
    Template::compile(&side.value).map_err(|e| {
        ConfigError::new(
            side.location.clone(),
            Some(&side.value),
            format!("invalid template: {e}"),
        )
    })
}

/// A filter expression written as the arguments of `call`, as in
/// `condition(program("app") and not level(debug))`: `not` binds tightest,
/// then `and`, then `or`.
pub(super) fn expr_from_args(call: &Call) -> Result<FilterExpr, ConfigError> {
    let mut words = ArgWords {
        args: &call.args,
        next: 0,
    };
    if call.args.is_empty() {
        return Err(ConfigError::new(
            call.name.location.clone(),
            Some(&call.name.value),
            "this option needs a filter expression",
        ));
    }
    let expr = words.or()?;
    match call.args.get(words.next) {
        None => Ok(expr),
        Some(extra) => Err(ConfigError::new(
            extra.location().clone(),
            Some(&extra.describe()),
            "expected 'and', 'or' or the end of the filter expression",
        )),
    }
}

struct ArgWords<'a> {
    args: &'a [Arg],
    next: usize,
}

impl ArgWords<'_> {
    fn operator(&mut self, word: &str) -> bool {
        let found = matches!(
            self.args.get(self.next),
            Some(Arg::Value(v)) if matches!(&v.value, Scalar::Word(w) if w.eq_ignore_ascii_case(word))
        );
        self.next += usize::from(found);
        found
    }

    fn or(&mut self) -> Result<FilterExpr, ConfigError> {
        let mut left = self.and()?;
        while self.operator("or") {
            left = FilterExpr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<FilterExpr, ConfigError> {
        let mut left = self.unary()?;
        while self.operator("and") {
            left = FilterExpr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<FilterExpr, ConfigError> {
        if self.operator("not") {
            return Ok(FilterExpr::Not(Box::new(self.unary()?)));
        }
        match self.args.get(self.next) {
            Some(Arg::Call(call)) => {
                self.next += 1;
                Ok(FilterExpr::Call(call.clone()))
            }
            Some(Arg::Value(left)) => {
                let op = match self.args.get(self.next + 1) {
                    Some(Arg::Value(op))
                        if COMPARISONS.contains(&op.value.text().to_ascii_lowercase().as_str()) =>
                    {
                        op
                    }
                    _ => {
                        return Err(ConfigError::new(
                            left.location.clone(),
                            Some(&left.value.text()),
                            "expected a comparison such as \"$NAME\" == \"1\" or a filter function",
                        ));
                    }
                };
                let Some(Arg::Value(right)) = self.args.get(self.next + 2) else {
                    return Err(ConfigError::new(
                        op.location.clone(),
                        Some(&op.value.text()),
                        "the comparison has no right side",
                    ));
                };
                self.next += 3;
                let text = |v: &Spanned<Scalar>| Spanned {
                    value: v.value.text(),
                    location: v.location.clone(),
                };
                Ok(FilterExpr::Compare {
                    left: text(left),
                    op: Spanned {
                        value: op.value.text().to_ascii_lowercase(),
                        location: op.location.clone(),
                    },
                    right: text(right),
                })
            }
            Some(other) => Err(ConfigError::new(
                other.location().clone(),
                Some(&other.describe()),
                "expected a filter function such as program(\"...\") or 'not'",
            )),
            None => {
                let last = self.args.last().expect("checked: not empty");
                Err(ConfigError::new(
                    last.location().clone(),
                    Some(&last.describe()),
                    "the filter expression ends after an operator",
                ))
            }
        }
    }
}

/// Compiles a pattern of `type(kind)` (pcre, posix, string or glob). A
/// string pattern matches the whole text unless `substring` or `prefix`.
pub(super) fn build_regex(
    text: &str,
    location: Location,
    kind: &str,
    flags: MatchFlags,
) -> Result<Regex, ConfigError> {
    let source = match kind {
        "pcre" | "posix" => text.to_owned(),
        "string" if flags.substring => regex::escape(text),
        "string" if flags.prefix => format!("^{}", regex::escape(text)),
        "string" => format!("^{}$", regex::escape(text)),
        "glob" => glob_to_regex(text),
        other => {
            return Err(ConfigError::new(
                location,
                Some(other),
                "unknown pattern type; use pcre, string or glob",
            ));
        }
    };
    RegexBuilder::new(&source)
        .case_insensitive(flags.ignore_case)
        .build()
        .map_err(|e| {
            let text_of_error = e.to_string();
            let reason = text_of_error.lines().last().unwrap_or_default();
            let reason = reason.trim_start_matches("error: ");
            ConfigError::new(
                location,
                Some(text),
                format!("invalid regular expression: {reason}"),
            )
        })
}

fn level_mask(call: &Call) -> Result<u8, ConfigError> {
    let mut mask = 0u8;
    for (word, location) in values::strings(call)? {
        for part in word.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = || {
                let hint = crate::error::did_you_mean(part, pri::severity_spellings());
                ConfigError::new(
                    location.clone(),
                    Some(part),
                    format!("unknown severity{hint}"),
                )
            };
            for s in name_range(part, pri::severity_by_name).ok_or_else(bad)? {
                mask |= 1 << s;
            }
        }
    }
    Ok(mask)
}

/// `netmask("10.0.0.0/8")`, `netmask("10.0.0.0/255.0.0.0")`, a bare
/// address (all of it), or `netmask6("2001:db8::/32")`.
fn network(call: &Call, v6: bool) -> Result<Network, ConfigError> {
    let (scalar, location) = values::scalar(call)?;
    let text = scalar.text();
    let bad = || {
        let example = if v6 { "2001:db8::/32" } else { "10.0.0.0/8" };
        ConfigError::new(
            location.clone(),
            Some(&text),
            format!(
                "{}() needs a network such as \"{example}\"",
                call.name.value
            ),
        )
    };
    let (addr, mask) = match text.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (text.as_str(), None),
    };
    let addr: std::net::IpAddr = addr.trim().parse().map_err(|_| bad())?;
    if addr.is_ipv6() != v6 {
        return Err(bad());
    }
    let bits = if v6 { 128 } else { 32 };
    let prefix = match mask.map(str::trim) {
        None => bits,
        Some(m) => match m.parse::<u8>() {
            Ok(p) if p <= bits => p,
            Ok(_) => return Err(bad()),
            Err(_) if !v6 => match m.parse::<std::net::Ipv4Addr>() {
                Ok(dotted) => u32::from(dotted).leading_ones() as u8,
                Err(_) => return Err(bad()),
            },
            Err(_) => return Err(bad()),
        },
    };
    Ok(Network { addr, prefix })
}

/// `in-list("/path/to/file" value("NAME"))`: the file's lines (read now;
/// blank ones are left out), and the value they are compared with
/// (MESSAGE when none is named).
fn in_list(call: &Call) -> Result<Filter, ConfigError> {
    let mut file = None;
    let mut name = "MESSAGE".to_owned();
    for arg in &call.args {
        match arg {
            Arg::Value(v) if file.is_none() => file = Some((v.value.text(), v.location.clone())),
            Arg::Call(c) if keyword(&c.name.value) == "value" => name = values::string(c)?,
            other => {
                return Err(ConfigError::new(
                    other.location().clone(),
                    Some(&other.describe()),
                    "in-list() takes a file name and value(\"NAME\")",
                ));
            }
        }
    }
    let Some((path, location)) = file else {
        return Err(ConfigError::new(
            call.name.location.clone(),
            Some(&call.name.value),
            "in-list() needs a file name: in-list(\"/etc/logfetch/hosts.list\" value(\"HOST\"))",
        ));
    };
    let text = std::fs::read(&path).map_err(|e| {
        ConfigError::new(
            location,
            Some(&path),
            format!("in-list() cannot read the file: {e}"),
        )
    })?;
    let items = text
        .split(|b| *b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    Ok(Filter::InList {
        name,
        items: Arc::new(items),
    })
}

/// The numbers `name` or `first..last` stand for (either order), as
/// `level()` and `facility()` read them.
fn name_range<N: Copy + Ord + Into<u32>>(
    part: &str,
    lookup: impl Fn(&str) -> Option<N>,
) -> Option<std::ops::RangeInclusive<u32>> {
    let (a, b) = match part.split_once("..") {
        Some((a, b)) => (lookup(a)?.into(), lookup(b)?.into()),
        None => {
            let n = lookup(part)?.into();
            (n, n)
        }
    };
    Some(a.min(b)..=a.max(b))
}

fn facility_mask(call: &Call) -> Result<u32, ConfigError> {
    let mut mask = 0u32;
    for arg in &call.args {
        let (word, location) = match arg {
            Arg::Value(v) => (v.value.text(), v.location.clone()),
            other => {
                return Err(ConfigError::new(
                    other.location().clone(),
                    Some(&other.describe()),
                    "facility() takes facility names",
                ));
            }
        };
        for part in word.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let range = name_range(part, pri::facility_by_name).ok_or_else(|| {
                let hint = crate::error::did_you_mean(part, pri::FACILITY_NAMES);
                ConfigError::new(
                    location.clone(),
                    Some(part),
                    format!("unknown facility{hint}"),
                )
            })?;
            for n in range {
                mask |= 1 << n;
            }
        }
    }
    Ok(mask)
}

/// Named filters, compiled on first use.
pub struct FilterTable<'a> {
    /// `filter NAME { ... };` statements.
    pub named: HashMap<String, &'a FilterExpr>,
    resolving: Vec<String>,
}

impl<'a> FilterTable<'a> {
    /// A table over the named filters.
    pub fn new(named: HashMap<String, &'a FilterExpr>) -> Self {
        FilterTable {
            named,
            resolving: Vec::new(),
        }
    }

    /// Compiles an expression.
    pub fn compile(&mut self, expr: &FilterExpr) -> Result<Filter, ConfigError> {
        Ok(match expr {
            FilterExpr::And(a, b) => {
                Filter::And(Box::new(self.compile(a)?), Box::new(self.compile(b)?))
            }
            FilterExpr::Or(a, b) => {
                Filter::Or(Box::new(self.compile(a)?), Box::new(self.compile(b)?))
            }
            FilterExpr::Not(a) => Filter::Not(Box::new(self.compile(a)?)),
            FilterExpr::Call(call) => self.function(call)?,
            FilterExpr::Compare { left, op, right } => {
                let (op_kind, kind) = Comparison::parse(&op.value).ok_or_else(|| {
                    ConfigError::new(
                        op.location.clone(),
                        Some(&op.value),
                        "unknown comparison; use == != < <= > >= eq ne lt le gt ge",
                    )
                })?;
                Filter::Compare {
                    left: comparison_template(left)?,
                    op: op_kind,
                    kind,
                    right: comparison_template(right)?,
                }
            }
        })
    }

    /// The filter named by `filter(name)`.
    pub fn reference(&mut self, call: &Call) -> Result<Filter, ConfigError> {
        let (name, location) = match values::scalar(call)? {
            (Scalar::Str(s) | Scalar::Word(s), l) => (s.clone(), l.clone()),
            (other, l) => (other.text(), l.clone()),
        };
        let Some(expr) = self.named.get(&name).copied() else {
            let hint = crate::error::did_you_mean(&name, self.named.keys().map(String::as_str));
            return Err(ConfigError::new(
                location,
                Some(&name),
                format!("undefined filter referenced{hint}"),
            ));
        };
        if self.resolving.contains(&name) {
            return Err(ConfigError::new(
                location,
                Some(&name),
                "filter refers to itself",
            ));
        }
        self.resolving.push(name);
        let compiled = self.compile(expr);
        self.resolving.pop();
        compiled
    }

    fn function(&mut self, call: &Call) -> Result<Filter, ConfigError> {
        let name = keyword(&call.name.value);
        Ok(match name.as_str() {
            "program" | "host" | "message" => {
                let (regex, _) = pattern(call)?;
                let field = match name.as_str() {
                    "program" => "PROGRAM",
                    "host" => "HOST",
                    _ => "MESSAGE",
                };
                Filter::Value {
                    name: field.into(),
                    regex,
                }
            }
            "match" => match pattern(call)? {
                (regex, Some(value)) => Filter::Value { name: value, regex },
                (regex, None) => Filter::Match(regex),
            },
            "level" | "priority" => Filter::Level(level_mask(call)?),
            "facility" => Filter::Facility(facility_mask(call)?),
            "tags" => {
                let tags = values::strings(call)?
                    .into_iter()
                    .flat_map(|(t, _)| {
                        t.split(',')
                            .map(|s| s.trim().to_owned())
                            .collect::<Vec<_>>()
                    })
                    .filter(|t| !t.is_empty())
                    .inspect(|t| {
                        logfetch_core::tag_order::number(t);
                    })
                    .map(|t| Arc::<str>::from(t.as_str()))
                    .collect();
                Filter::Tags(tags)
            }
            "filter" => self.reference(call)?,
            "netmask" | "netmask6" => Filter::Netmask(network(call, name == "netmask6")?),
            "in-list" => in_list(call)?,
            "source" => Filter::Source(values::string(call)?),
            _ => {
                let hint = crate::error::did_you_mean(&name, FUNCTIONS.iter().copied());
                return Err(ConfigError::new(
                    call.name.location.clone(),
                    Some(&call.name.value),
                    format!("unknown filter function{hint}"),
                ));
            }
        })
    }
}
