//! What the parsers leave on a message besides fields: the tags upstream
//! sets on odd input, and MESSAGE stored with `sanitize-utf8` applied.

use super::options::ParseOptions;
use crate::escape::{EscapeStyle, escape_unsafe_utf8, hex_escape};
use crate::message::LogMessage;
use std::sync::{Arc, LazyLock};

/// Tags syslog-ng's syslog parser sets on a message (names as upstream's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tag {
    Utf8Sanitized,
    InvalidPri,
    MissingPri,
    MissingTimestamp,
    InvalidHostname,
    UnexpectedFraming,
    MissingMessage,
    Rfc3164MissingHeader,
    Rfc3164InvalidProgram,
    Rfc5424MissingHostname,
    Rfc5424MissingAppName,
    Rfc5424MissingProcid,
    Rfc5424MissingMsgid,
    Rfc5424MissingSdata,
    Rfc5424InvalidSdata,
}

/// The tags the parser sets, in the order syslog-ng's parser numbers them.
pub const TAG_NAMES: [&str; 15] = [
    "message.utf8_sanitized",
    "syslog.invalid_pri",
    "syslog.missing_pri",
    "syslog.missing_timestamp",
    "syslog.invalid_hostname",
    "syslog.unexpected_framing",
    "syslog.missing_message",
    "syslog.rfc3164_missing_header",
    "syslog.rfc3164_invalid_program",
    "syslog.rfc5424_missing_hostname",
    "syslog.rfc5424_missing_app_name",
    "syslog.rfc5424_missing_procid",
    "syslog.rfc5424_missing_msgid",
    "syslog.rfc5424_missing_sdata",
    "syslog.rfc5424_invalid_sdata",
];

/// One shared string per tag, so tagging allocates nothing.
static TAGS: LazyLock<[Arc<str>; 15]> = LazyLock::new(|| TAG_NAMES.map(Arc::from));

impl Tag {
    /// Adds the tag to `msg`.
    pub(super) fn add_to(self, msg: &mut LogMessage) {
        if let Some(tag) = TAGS.get(self as usize) {
            msg.add_tag(tag);
        }
    }
}

/// Sets MESSAGE to `text`, escaped first when `sanitize-utf8` is on and
/// `text` is not valid UTF-8.
pub(super) fn set_message(msg: &mut LogMessage, text: &[u8], options: &ParseOptions) {
    if options.sanitize_utf8 && std::str::from_utf8(text).is_err() {
        msg.set_str("MESSAGE", escape_binary(text));
        Tag::Utf8Sanitized.add_to(msg);
    } else {
        msg.set_str("MESSAGE", text);
    }
}

/// Upstream's "escaped binary" form: valid characters kept, control
/// characters and `\` escaped (`\n`, `\t`, `\\`, `\x01`), and each byte of
/// an invalid sequence written as `\xNN`.
pub(super) fn escape_binary(text: &[u8]) -> Vec<u8> {
    const BINARY: EscapeStyle = EscapeStyle {
        quote: None,
        control: hex_escape,
        invalid: hex_escape,
    };
    let mut out = Vec::with_capacity(text.len() + 16);
    escape_unsafe_utf8(text, &BINARY, &mut out);
    out
}

/// CR, LF and NUL in MESSAGE replaced by spaces (`no-multi-line`).
pub(super) fn flatten_message(msg: &mut LogMessage) {
    let mut scratch = Vec::new();
    let text = msg.text("MESSAGE", &mut scratch);
    if !text.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return;
    }
    let flat: Vec<u8> = text
        .iter()
        .map(|b| {
            if matches!(b, b'\r' | b'\n' | 0) {
                b' '
            } else {
                *b
            }
        })
        .collect();
    msg.set_str("MESSAGE", flat);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_valid_characters() {
        assert_eq!(
            escape_binary(b"a\xffb\\c\n\x01\0\xc3\xa9\xe2\x82"),
            b"a\\xffb\\\\c\\n\\x01\\x00\xc3\xa9\\xe2\\x82".to_vec()
        );
    }

    #[test]
    fn tags_have_upstream_names() {
        let mut msg = LogMessage::new();
        Tag::Rfc5424InvalidSdata.add_to(&mut msg);
        Tag::MissingPri.add_to(&mut msg);
        let names: Vec<&str> = msg.tags().map(|t| &**t).collect();
        assert_eq!(
            names,
            ["syslog.rfc5424_invalid_sdata", "syslog.missing_pri"]
        );
    }
}
