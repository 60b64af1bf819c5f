//! What a source's options say about parsing (syslog-ng's `MsgFormatOptions`).

use super::zone::TimeZoneSpec;

/// `sdata-prefix()` when not given.
pub const DEFAULT_SDATA_PREFIX: &str = ".SDATA.";

/// The longest `sdata-prefix()` upstream accepts.
pub const MAX_SDATA_PREFIX_LEN: usize = 128;

/// The only `format()` logfetch has.
pub const SYSLOG_FORMAT: &str = "syslog";

/// How [`parse`](super::parse) reads a line: a source's `format()`,
/// `flags()`, `time-zone()`, `default-priority()`/`default-facility()` and
/// `sdata-prefix()`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseOptions {
    /// `format()`; always [`SYSLOG_FORMAT`].
    pub format: String,
    /// False with `flags(no-parse)`: the whole line is MESSAGE.
    pub parse: bool,
    /// `syslog-protocol`: try RFC 5424 first.
    pub syslog_protocol: bool,
    /// False with `no-rfc3164-fallback`: a line that is not RFC 5424 is an error.
    pub rfc3164_fallback: bool,
    /// False with `no-header`: RFC 3164 lines have no date, host or program.
    pub header: bool,
    /// `expect-hostname` (`no-hostname` clears it): RFC 3164 lines name a host.
    pub expect_hostname: bool,
    /// `check-hostname`: a host name stops at a character not allowed in one.
    pub check_hostname: bool,
    /// `check-program`: a program name with odd characters is not one.
    pub check_program: bool,
    /// `store-legacy-msghdr`: keep the RFC 3164 `program[pid]: ` in LEGACY_MSGHDR.
    pub store_legacy_msghdr: bool,
    /// `store-raw-message`: keep the line in RAWMSG.
    pub store_raw_message: bool,
    /// False with `no-multi-line`: CR, LF and NUL in MESSAGE become spaces.
    pub multi_line: bool,
    /// `sanitize-utf8`: invalid UTF-8 in MESSAGE is escaped as `\xNN`.
    pub sanitize_utf8: bool,
    /// `validate-utf8`; upstream only marks messages with it, logfetch has no mark.
    pub validate_utf8: bool,
    /// `assume-utf8`; as `validate_utf8`.
    pub assume_utf8: bool,
    /// `guess-timezone`: a current stamp off by whole quarter hours gets the
    /// offset that makes it current.
    pub guess_timezone: bool,
    /// False with `no-piggyback-errors`: an unparsable line keeps what was
    /// read and the raw line as MESSAGE, instead of syslog-ng's error message.
    pub piggyback_errors: bool,
    /// `time-zone()` / `recv-time-zone()`: the zone of stamps that carry no
    /// offset; `None` is the local zone.
    pub recv_time_zone: Option<TimeZoneSpec>,
    /// `default-priority()` / `default-facility()` combined: the PRI of a line
    /// without `<PRI>`; `None` is 13 (user.notice).
    pub default_pri: Option<u16>,
    /// `sdata-prefix()`: the name prefix of structured-data values.
    pub sdata_prefix: String,
    /// `use-fqdn()`: the host name in a parse error message is the full one.
    pub use_fqdn: bool,
    /// The global `bad-hostname()`: a word after a BSD stamp that matches
    /// it is not taken for the host name.
    pub bad_hostname: Option<BadHostname>,
}

/// A compiled `bad-hostname()` pattern (compared by its text).
#[derive(Clone, Debug)]
pub struct BadHostname(pub regex::bytes::Regex);

impl PartialEq for BadHostname {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl BadHostname {
    /// Whether `word` is one of the bad host names.
    pub fn matches(&self, word: &[u8]) -> bool {
        self.0.is_match(word)
    }
}

impl Default for ParseOptions {
    /// A Python source's defaults: syslog-ng's (`expect-hostname`,
    /// `store-legacy-msghdr`, `piggyback-errors`) plus `syslog-protocol`.
    fn default() -> Self {
        ParseOptions {
            format: SYSLOG_FORMAT.to_owned(),
            parse: true,
            syslog_protocol: true,
            rfc3164_fallback: true,
            header: true,
            expect_hostname: true,
            check_hostname: false,
            check_program: false,
            store_legacy_msghdr: true,
            store_raw_message: false,
            multi_line: true,
            sanitize_utf8: false,
            validate_utf8: false,
            assume_utf8: false,
            guess_timezone: false,
            piggyback_errors: true,
            recv_time_zone: None,
            default_pri: None,
            sdata_prefix: DEFAULT_SDATA_PREFIX.to_owned(),
            use_fqdn: false,
            bad_hostname: None,
        }
    }
}

/// The option a `flags()` word sets.
type FlagField = fn(&mut ParseOptions) -> &mut bool;

/// Upstream's parse-flag table: each `flags()` word, the option it sets and
/// to what.
const FLAG_WORDS: &[(&str, FlagField, bool)] = &[
    ("no-parse", |o| &mut o.parse, false),
    ("syslog-protocol", |o| &mut o.syslog_protocol, true),
    // Not upstream's; logfetch's flags() has accepted it all along.
    ("no-syslog-protocol", |o| &mut o.syslog_protocol, false),
    ("no-rfc3164-fallback", |o| &mut o.rfc3164_fallback, false),
    ("no-header", |o| &mut o.header, false),
    ("expect-hostname", |o| &mut o.expect_hostname, true),
    ("no-hostname", |o| &mut o.expect_hostname, false),
    ("check-hostname", |o| &mut o.check_hostname, true),
    ("check-program", |o| &mut o.check_program, true),
    ("store-legacy-msghdr", |o| &mut o.store_legacy_msghdr, true),
    (
        "dont-store-legacy-msghdr",
        |o| &mut o.store_legacy_msghdr,
        false,
    ),
    ("store-raw-message", |o| &mut o.store_raw_message, true),
    ("no-multi-line", |o| &mut o.multi_line, false),
    ("sanitize-utf8", |o| &mut o.sanitize_utf8, true),
    ("validate-utf8", |o| &mut o.validate_utf8, true),
    ("assume-utf8", |o| &mut o.assume_utf8, true),
    ("guess-timezone", |o| &mut o.guess_timezone, true),
    ("piggyback-errors", |o| &mut o.piggyback_errors, true),
    ("no-piggyback-errors", |o| &mut o.piggyback_errors, false),
];

impl ParseOptions {
    /// Applies one `flags()` word (normalised: lower case, `-` for `_`), as
    /// upstream's parse-flag table does. False for a word that is not a
    /// parse flag.
    pub fn set_flag(&mut self, word: &str) -> bool {
        match FLAG_WORDS.iter().find(|(w, _, _)| *w == word) {
            Some((_, field, value)) => {
                *field(self) = *value;
                true
            }
            None => false,
        }
    }

    /// Every word [`ParseOptions::set_flag`] takes.
    pub fn flag_words() -> impl Iterator<Item = &'static str> {
        FLAG_WORDS.iter().map(|(word, _, _)| *word)
    }

    /// `self.flags` of a Python source: upstream's thirteen flags, by name.
    pub fn reported_flags(&self) -> Vec<(String, bool)> {
        [
            ("parse", self.parse),
            ("check-hostname", self.check_hostname),
            ("syslog-protocol", self.syslog_protocol),
            ("assume-utf8", self.assume_utf8),
            ("validate-utf8", self.validate_utf8),
            ("sanitize-utf8", self.sanitize_utf8),
            ("multi-line", self.multi_line),
            ("store-legacy-msghdr", self.store_legacy_msghdr),
            ("store-raw-message", self.store_raw_message),
            ("expect-hostname", self.expect_hostname),
            ("guess-timezone", self.guess_timezone),
            ("header", self.header),
            ("rfc3164-fallback", self.rfc3164_fallback),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }

    /// The PRI of a line without `<PRI>`.
    pub fn default_pri_or_user_notice(&self) -> u16 {
        self.default_pri.unwrap_or(crate::message::DEFAULT_PRI)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_turn_defaults_on_and_off() {
        let mut o = ParseOptions::default();
        for word in [
            "no-parse",
            "no-hostname",
            "store-raw-message",
            "no-multi-line",
        ] {
            assert!(o.set_flag(word), "{word}");
        }
        assert!(!o.set_flag("kernel"));
        assert!(!o.set_flag("No-Parse"));
        let expected = ParseOptions {
            parse: false,
            expect_hostname: false,
            store_raw_message: true,
            multi_line: false,
            ..ParseOptions::default()
        };
        assert_eq!(o, expected);
        assert_eq!(o.default_pri_or_user_notice(), 13);
    }
}
