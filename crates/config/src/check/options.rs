//! `options { ... };`: defaults that sources and destinations inherit.

use crate::ast::Call;
use crate::error::ConfigError;
use crate::parser::keyword;
use crate::values;
use logfetch_core::syslog_parse::{BadHostname, TimeZoneSpec};
use logfetch_core::template::TemplateOptions;
use logfetch_sinks::file_perms::{self, Ownership};
use std::sync::Arc;

/// Global options (the subset logfetch acts on, plus accepted ones).
#[derive(Clone, Debug)]
pub struct GlobalOptions {
    /// `time-reopen()`: destination retry delay (not used by fetchers).
    pub time_reopen: u64,
    /// `keep-hostname()`.
    pub keep_hostname: bool,
    /// `chain-hostnames()`.
    pub chain_hostnames: bool,
    /// `use-fqdn()`.
    pub use_fqdn: bool,
    /// `ts-format()`, `frac-digits()` and `send-time-zone()`/`time-zone()`:
    /// the defaults of every destination's template options.
    pub template: TemplateOptions,
    /// `recv-time-zone()`: the zone of parsed stamps that carry none.
    pub recv_time_zone: Option<TimeZoneSpec>,
    /// `use-dns()`: resolve a message's peer address to a name.
    pub use_dns: bool,
    /// `normalize-hostnames()`: resolved names in lower case.
    pub normalize_hostnames: bool,
    /// `log-iw-size()`: default source window.
    pub log_iw_size: usize,
    /// `log-fifo-size()`: default destination queue size.
    pub log_fifo_size: usize,
    /// `flush-lines()`.
    pub flush_lines: usize,
    /// `keep-timestamp()`.
    pub keep_timestamp: bool,
    /// `stats-freq()`.
    pub stats_freq: u64,
    /// `create-dirs()`.
    pub create_dirs: bool,
    /// `owner()`, `group()`, `perm()` of files destinations write.
    pub file_perms: Ownership,
    /// `dir-owner()`, `dir-group()`, `dir-perm()` of directories they create.
    pub dir_perms: Ownership,
    /// `bad-hostname()`: words that are never taken for a host name when
    /// `LogMessage.parse()` reads a BSD line.
    pub bad_hostname: Option<BadHostname>,
}

impl Default for GlobalOptions {
    fn default() -> Self {
        GlobalOptions {
            time_reopen: 60,
            keep_hostname: false,
            chain_hostnames: false,
            use_fqdn: false,
            template: TemplateOptions::default(),
            recv_time_zone: None,
            use_dns: true,
            normalize_hostnames: false,
            log_iw_size: 100,
            log_fifo_size: 10_000,
            flush_lines: 100,
            keep_timestamp: true,
            stats_freq: 600,
            create_dirs: false,
            file_perms: Ownership::FILE_DEFAULT,
            dir_perms: Ownership::DIR_DEFAULT,
            bad_hostname: None,
        }
    }
}

/// Option names `options {}` accepts.
pub const GLOBAL_OPTION_NAMES: &[&str] = &[
    "time-reopen",
    "keep-hostname",
    "chain-hostnames",
    "use-fqdn",
    "log-iw-size",
    "log-fifo-size",
    "flush-lines",
    "keep-timestamp",
    "stats-freq",
    "create-dirs",
    "perm",
    "owner",
    "group",
    "dir-perm",
    "dir-owner",
    "dir-group",
    "bad-hostname",
    "use-dns",
    "dns-cache",
    "normalize-hostnames",
    "log-msg-size",
    "mark-freq",
    "threaded",
    "ts-format",
    "frac-digits",
    "send-time-zone",
    "time-zone",
    "recv-time-zone",
    "stats-level",
    "stats",
];

/// What `stats(...)` (syslog-ng 4.x's block for the statistics options) takes.
const STATS_OPTION_NAMES: &[&str] = &[
    "freq",
    "level",
    "lifetime",
    "max-dynamics",
    "syslog-stats",
    "healthcheck-freq",
];

impl GlobalOptions {
    /// Applies one `options {}` statement.
    pub fn apply(&mut self, calls: &[Call]) -> Result<(), ConfigError> {
        for call in calls {
            match keyword(&call.name.value).as_str() {
                "time-reopen" => self.time_reopen = values::positive(call)?,
                "keep-hostname" => self.keep_hostname = values::boolean(call)?,
                "chain-hostnames" => self.chain_hostnames = values::boolean(call)?,
                "use-fqdn" => self.use_fqdn = values::boolean(call)?,
                "log-iw-size" => self.log_iw_size = values::positive(call)? as usize,
                "log-fifo-size" => self.log_fifo_size = values::positive(call)? as usize,
                "flush-lines" => self.flush_lines = values::int(call)?.max(0) as usize,
                "keep-timestamp" => self.keep_timestamp = values::boolean(call)?,
                // syslog-ng's own statistics; logfetch reports none, so
                // these are read and checked only.
                "stats-freq" => self.stats_freq = values::int(call)?.max(0) as u64,
                "stats-level" => {
                    values::int(call)?;
                }
                "stats" => read_stats(call)?,
                "create-dirs" => self.create_dirs = values::boolean(call)?,
                "perm" | "owner" | "group" => apply_perm(call, &mut self.file_perms)?,
                "dir-perm" | "dir-owner" | "dir-group" => apply_perm(call, &mut self.dir_perms)?,
                "bad-hostname" => self.bad_hostname = Some(values::bad_hostname(call)?),
                "ts-format" => self.template.ts_format = values::ts_format(call)?,
                "frac-digits" => self.template.frac_digits = values::frac_digits(call)?,
                "send-time-zone" | "time-zone" => {
                    self.template.zone = Some(Arc::new(values::time_zone(call)?))
                }
                "recv-time-zone" => self.recv_time_zone = Some(values::time_zone(call)?),
                "use-dns" => self.use_dns = values::use_dns(call)?,
                "normalize-hostnames" => self.normalize_hostnames = values::boolean(call)?,
                "dns-cache" | "threaded" => {
                    values::boolean(call)?;
                }
                "log-msg-size" | "mark-freq" => {
                    values::int(call)?;
                }
                _ => return Err(super::unknown_option(call, "options", GLOBAL_OPTION_NAMES)),
            }
        }
        Ok(())
    }
}

/// `stats(freq(N) level(N) ...)`: each option checked for its value.
fn read_stats(call: &Call) -> Result<(), ConfigError> {
    for arg in &call.args {
        let crate::ast::Arg::Call(option) = arg else {
            return Err(ConfigError::new(
                arg.location().clone(),
                Some(&arg.describe()),
                "stats() takes options such as freq(600) and level(1)",
            ));
        };
        match keyword(&option.name.value).as_str() {
            // yes, no or auto
            "syslog-stats" => {
                values::scalar(option)?;
            }
            name if STATS_OPTION_NAMES.contains(&name) => {
                values::int(option)?;
            }
            _ => return Err(super::unknown_option(option, "stats", STATS_OPTION_NAMES)),
        }
    }
    Ok(())
}

/// Applies `perm()`/`owner()`/`group()` (or their `dir-` forms) to `perms`.
pub fn apply_perm(call: &Call, perms: &mut Ownership) -> Result<(), ConfigError> {
    let word = keyword(&call.name.value);
    match word.trim_start_matches("dir-") {
        "perm" => perms.mode = values::mode(call)?,
        "owner" => perms.uid = values::id(call, file_perms::user_id)?,
        _ => perms.gid = values::id(call, file_perms::group_id)?,
    }
    Ok(())
}
