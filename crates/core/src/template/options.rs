//! A destination's template options: how its templates show times
//! (`ts-format()`, `frac-digits()`, `time-zone()`/`send-time-zone()`) and
//! whether they escape what they substitute (`template-escape()`).

use crate::syslog_parse::TimeZoneSpec;
use std::sync::Arc;

/// `ts-format()`: how `$STAMP` and the default file and network lines
/// show a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TsFormat {
    /// `rfc3164`/`bsd`: `Nov 27 00:17:33` (the default).
    #[default]
    Bsd,
    /// `rfc3339`/`iso`: `2026-11-27T00:17:33+00:00`.
    Iso,
    /// `full`: `2026 Nov 27 00:17:33`.
    Full,
    /// `unix`/`utc`: seconds since the epoch.
    Unix,
}

impl TsFormat {
    /// The format a `ts-format()` word names.
    pub fn parse(word: &str) -> Option<TsFormat> {
        Some(match word.to_ascii_lowercase().as_str() {
            "rfc3164" | "bsd" => TsFormat::Bsd,
            "rfc3339" | "iso" => TsFormat::Iso,
            "full" => TsFormat::Full,
            "unix" | "utc" => TsFormat::Unix,
            _ => return None,
        })
    }

    /// The words `ts-format()` takes.
    pub const WORDS: &[&str] = &["rfc3164", "bsd", "rfc3339", "iso", "full", "unix", "utc"];
}

/// The options a template is rendered with; the default is syslog-ng's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TemplateOptions {
    /// `ts-format()`.
    pub ts_format: TsFormat,
    /// `frac-digits()`: digits of the second's fraction shown by `$DATE`,
    /// `$FULLDATE`, `$ISODATE`, `$UNIXTIME` and `$STAMP` (at most 6 are
    /// known; more are zeros).
    pub frac_digits: u8,
    /// `time-zone()`/`send-time-zone()`: times are shown in this zone
    /// instead of in the offset the message carries.
    pub zone: Option<Arc<TimeZoneSpec>>,
    /// `template-escape()`: `'`, `"` and `\` in substituted values get a
    /// backslash, control characters become `\ooo`.
    pub escape: bool,
}

/// Appends `value` escaped as `template-escape(yes)` escapes it.
pub(crate) fn push_escaped(out: &mut Vec<u8>, value: &[u8]) {
    for &b in value {
        match b {
            b'\'' | b'"' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            0..=0x1f => out.extend_from_slice(&[
                b'\\',
                b'0' + (b >> 6),
                b'0' + ((b >> 3) & 7),
                b'0' + (b & 7),
            ]),
            _ => out.push(b),
        }
    }
}

/// Appends `.` and the first `digits` digits of the fraction `usec`
/// (nothing for 0 digits).
pub(crate) fn push_fraction(out: &mut Vec<u8>, usec: u32, digits: u8) {
    if digits == 0 {
        return;
    }
    out.push(b'.');
    let text = format!("{usec:06}");
    let shown = usize::from(digits).min(6);
    out.extend_from_slice(&text.as_bytes()[..shown]);
    out.extend(std::iter::repeat_n(
        b'0',
        usize::from(digits).saturating_sub(6),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_syslog_ng() {
        let mut out = Vec::new();
        push_escaped(&mut out, b"a'b\"c\\d\ne\tf\x01");
        assert_eq!(out, b"a\\'b\\\"c\\\\d\\012e\\011f\\001");
    }

    #[test]
    fn fractions_have_the_digits_asked_for() {
        let cases = [(0, ""), (3, ".123"), (6, ".123456"), (8, ".12345600")];
        for (digits, text) in cases {
            let mut out = Vec::new();
            push_fraction(&mut out, 123456, digits);
            assert_eq!(String::from_utf8(out).unwrap(), text);
        }
    }
}
