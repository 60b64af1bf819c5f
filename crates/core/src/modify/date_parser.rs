//! `date-parser()`: reads a date from a message and makes it the message's
//! time (or receive time, or a datetime value).

use crate::message::LogMessage;
use crate::syslog_parse::{TimeZoneSpec, guess_zone, parse_date};
use crate::template::Template;
use crate::value::Value;

/// Where a parsed date goes.
#[derive(Debug, Clone, PartialEq)]
pub enum DateTarget {
    /// `time-stamp(stamp)` (the default): `$DATE`, `$ISODATE` …
    Stamp,
    /// `time-stamp(recvd)`: `$R_DATE` …
    Received,
    /// `value("NAME")`: a datetime value.
    Value(String),
}

/// A `date-parser()` of a log path.
#[derive(Debug)]
pub struct DateParser {
    /// `format()`: tried in order; the first that reads all of the text wins.
    pub formats: Vec<String>,
    /// `time-zone()`: for texts that name no zone (local time otherwise).
    pub zone: Option<TimeZoneSpec>,
    /// `template()`: the input; `None` for the message text.
    pub template: Option<Template>,
    /// `time-stamp()` / `value()`.
    pub target: DateTarget,
    /// `flags(guess-timezone)`.
    pub guess_timezone: bool,
}

impl Default for DateParser {
    fn default() -> Self {
        DateParser {
            formats: vec!["%FT%T%z".to_owned()],
            zone: None,
            template: None,
            target: DateTarget::Stamp,
            guess_timezone: false,
        }
    }
}

impl DateParser {
    /// Sets the date; `false` (nothing set) when no format reads the text.
    pub fn apply(&self, msg: &mut LogMessage) -> bool {
        let input = super::parser_input(self.template.as_ref(), msg);
        let text = String::from_utf8_lossy(&input);
        let Some(mut stamp) = parse_date(&text, &self.formats, self.zone.as_ref(), &msg.recvd)
        else {
            tracing::debug!(input = %text, "date-parser(): no format matches the date");
            return false;
        };
        if self.guess_timezone {
            guess_zone(&mut stamp, msg.recvd.secs);
        }
        match &self.target {
            DateTarget::Stamp => msg.stamp = stamp,
            DateTarget::Received => msg.recvd = stamp,
            DateTarget::Value(name) => msg.set(name, Value::DateTime(stamp)),
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_format_that_reads_all_of_the_text_sets_the_stamp() {
        let parser = DateParser {
            formats: vec!["%Y-%m-%d".into(), "%d/%b/%Y:%H:%M:%S %z".into()],
            template: Some(Template::compile("$ts").unwrap()),
            ..DateParser::default()
        };
        let mut msg = LogMessage::with_message("m");
        msg.set_str("ts", "01/Jun/2024:12:34:56 +0200");
        assert!(parser.apply(&mut msg));
        assert_eq!((msg.stamp.secs, msg.stamp.offset), (1_717_238_096, 7200));
        msg.set_str("ts", "yesterday");
        let before = msg.stamp;
        assert!(!parser.apply(&mut msg));
        assert_eq!(msg.stamp, before);
    }

    #[test]
    fn received_time_and_datetime_values() {
        let mut msg = LogMessage::with_message("2024-06-01T12:34:56Z");
        let received = DateParser {
            target: DateTarget::Received,
            ..DateParser::default()
        };
        assert!(received.apply(&mut msg));
        assert_eq!(msg.recvd.secs, 1_717_245_296);
        let value = DateParser {
            target: DateTarget::Value("when".into()),
            ..DateParser::default()
        };
        assert!(value.apply(&mut msg));
        assert!(matches!(msg.get("when"), Some(Value::DateTime(t)) if t.secs == 1_717_245_296));
    }
}
