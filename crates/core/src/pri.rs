//! Facility and severity names: the two halves of a message's PRI.

/// Facility names by number (PRI / 8).
pub const FACILITY_NAMES: [&str; 24] = [
    "kern",
    "user",
    "mail",
    "daemon",
    "auth",
    "syslog",
    "lpr",
    "news",
    "uucp",
    "cron",
    "authpriv",
    "ftp",
    "ntp",
    "security",
    "console",
    "solaris-cron",
    "local0",
    "local1",
    "local2",
    "local3",
    "local4",
    "local5",
    "local6",
    "local7",
];

/// Severity names by number (PRI % 8).
pub const SEVERITY_NAMES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

/// Other spellings syslog-ng accepts for severities.
const SEVERITY_ALIASES: [(&str, u16); 3] = [("panic", 0), ("error", 3), ("warn", 4)];

/// A severity by name (any case, aliases included) or number.
pub fn severity_by_name(name: &str) -> Option<u16> {
    SEVERITY_NAMES
        .iter()
        .position(|s| s.eq_ignore_ascii_case(name))
        .map(|p| p as u16)
        .or_else(|| {
            SEVERITY_ALIASES
                .iter()
                .find(|(a, _)| a.eq_ignore_ascii_case(name))
                .map(|(_, n)| *n)
        })
        .or_else(|| name.parse().ok().filter(|n| *n < 8))
}

/// A facility by name (any case) or number.
pub fn facility_by_name(name: &str) -> Option<u16> {
    FACILITY_NAMES
        .iter()
        .position(|f| f.eq_ignore_ascii_case(name))
        .map(|p| p as u16)
        .or_else(|| name.parse().ok().filter(|n| *n < 24))
}

/// Every severity spelling, for "did you mean" hints.
pub fn severity_spellings() -> impl Iterator<Item = &'static str> {
    SEVERITY_NAMES
        .iter()
        .copied()
        .chain(SEVERITY_ALIASES.iter().map(|(a, _)| *a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aliases_and_numbers() {
        assert_eq!(severity_by_name("ERR"), Some(3));
        assert_eq!(severity_by_name("warn"), Some(4));
        assert_eq!(severity_by_name("7"), Some(7));
        assert_eq!(severity_by_name("8"), None);
        assert_eq!(facility_by_name("local4"), Some(20));
        assert_eq!(facility_by_name("nope"), None);
    }
}
