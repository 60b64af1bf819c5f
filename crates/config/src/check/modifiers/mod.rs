//! `parser {}` and `rewrite {}` bodies → core modifiers.

mod parsers;
mod rewrites;

pub use parsers::parser;
pub use rewrites::rewrite;

use crate::ast::Call;
use crate::error::{ConfigError, Location};
use logfetch_core::template::Template;

/// A template written as an option value.
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
    "syslog-parser",
    "db-parser",
    "xml-parser",
    "apache-accesslog-parser",
    "linux-audit-parser",
    "sudo-parser",
    "cisco-parser",
    "checkpoint-parser",
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
