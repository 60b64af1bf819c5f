//! syslog-ng templates: `$NAME`, `${NAME}`, `${NAME:-default}` and the
//! built-in macros, compiled once and rendered without re-parsing.

use crate::host::local_hostname;
use crate::message::LogMessage;
use crate::timestamp::{Timestamp, format_offset, push_2digits};
use std::io::Write;

/// The template file() uses when none is configured.
pub const LEGACY_FILE_FORMAT: &str = "$DATE $HOST $MSGHDR$MSG\n";

const FACILITY_NAMES: [&str; 24] = [
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
const SEVERITY_NAMES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];
const MONTH_ABBREV: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAY_ABBREV: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const WEEKDAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Which of a message's times a date macro reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Clock {
    /// The message's stamp (no prefix, `S_`).
    Stamp,
    /// The receive time (`R_`, `P_`).
    Received,
    /// The time of rendering (`C_`).
    Current,
}

/// The date macros; each exists with every [`Clock`] prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DateField {
    Date,
    FullDate,
    IsoDate,
    Year,
    YearDay,
    Month,
    MonthWeek,
    MonthAbbrev,
    MonthName,
    Day,
    Hour,
    Hour12,
    Min,
    Sec,
    Msec,
    Usec,
    AmPm,
    Weekday,
    WeekdayName,
    Week,
    UnixTime,
    TzOffset,
}

/// Macros computed from the message rather than stored in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Macro {
    Date(Clock, DateField),
    Pri,
    Facility,
    FacilityNum,
    Severity,
    SeverityNum,
    Tag,
    Tags,
    MsgHdr,
    Sdata,
    LogHost,
    SeqNum,
}

fn date_field(name: &str) -> Option<DateField> {
    use DateField::*;
    Some(match name {
        "DATE" | "STAMP" => Date,
        "FULLDATE" => FullDate,
        "ISODATE" => IsoDate,
        "YEAR" => Year,
        "YEAR_DAY" => YearDay,
        "MONTH" => Month,
        "MONTH_WEEK" => MonthWeek,
        "MONTH_ABBREV" => MonthAbbrev,
        "MONTH_NAME" => MonthName,
        "DAY" => Day,
        "HOUR" => Hour,
        "HOUR12" => Hour12,
        "MIN" => Min,
        "SEC" => Sec,
        "MSEC" => Msec,
        "USEC" => Usec,
        "AMPM" => AmPm,
        "WEEKDAY" | "WEEK_DAY_ABBREV" => Weekday,
        "WEEK_DAY_NAME" => WeekdayName,
        "WEEK" => Week,
        "UNIXTIME" => UnixTime,
        "TZOFFSET" | "TZ" => TzOffset,
        _ => return None,
    })
}

fn lookup_macro(name: &str) -> Option<Macro> {
    let simple = match name {
        "PRI" => Some(Macro::Pri),
        "FACILITY" => Some(Macro::Facility),
        "FACILITY_NUM" => Some(Macro::FacilityNum),
        "SEVERITY" | "LEVEL" | "PRIORITY" => Some(Macro::Severity),
        "SEVERITY_NUM" | "LEVEL_NUM" => Some(Macro::SeverityNum),
        "TAG" => Some(Macro::Tag),
        "TAGS" => Some(Macro::Tags),
        "MSGHDR" => Some(Macro::MsgHdr),
        "SDATA" => Some(Macro::Sdata),
        "LOGHOST" => Some(Macro::LogHost),
        "SEQNUM" => Some(Macro::SeqNum),
        _ => None,
    };
    if simple.is_some() {
        return simple;
    }
    let (clock, rest) = if let Some(rest) = name.strip_prefix("R_") {
        (Clock::Received, rest)
    } else if let Some(rest) = name.strip_prefix("P_") {
        (Clock::Received, rest)
    } else if let Some(rest) = name.strip_prefix("S_") {
        (Clock::Stamp, rest)
    } else if let Some(rest) = name.strip_prefix("C_") {
        (Clock::Current, rest)
    } else {
        (Clock::Stamp, name)
    };
    date_field(rest).map(|f| Macro::Date(clock, f))
}

const SIMPLE_MACROS: &[&str] = &[
    "PRI",
    "FACILITY",
    "FACILITY_NUM",
    "SEVERITY",
    "LEVEL",
    "PRIORITY",
    "SEVERITY_NUM",
    "LEVEL_NUM",
    "TAG",
    "TAGS",
    "MSGHDR",
    "SDATA",
    "LOGHOST",
    "SEQNUM",
];
const DATE_MACROS: &[&str] = &[
    "DATE",
    "STAMP",
    "FULLDATE",
    "ISODATE",
    "YEAR",
    "YEAR_DAY",
    "MONTH",
    "MONTH_WEEK",
    "MONTH_ABBREV",
    "MONTH_NAME",
    "DAY",
    "HOUR",
    "HOUR12",
    "MIN",
    "SEC",
    "MSEC",
    "USEC",
    "AMPM",
    "WEEKDAY",
    "WEEK_DAY_ABBREV",
    "WEEK_DAY_NAME",
    "WEEK",
    "UNIXTIME",
    "TZOFFSET",
    "TZ",
];

/// The names of all macros (what `LogMessage.keys()` lists besides set values).
pub fn macro_names() -> impl Iterator<Item = String> {
    let dated = ["", "R_", "S_", "C_", "P_"]
        .into_iter()
        .flat_map(|prefix| DATE_MACROS.iter().map(move |m| format!("{prefix}{m}")));
    SIMPLE_MACROS.iter().map(|m| (*m).to_owned()).chain(dated)
}

/// Whether `name` is a macro (always readable, computed on the fly).
pub fn is_macro(name: &str) -> bool {
    lookup_macro(name).is_some()
}

/// Renders macro `name` for `msg`; `None` when `name` is not a macro.
pub fn render_macro(name: &str, msg: &LogMessage) -> Option<Vec<u8>> {
    let m = lookup_macro(name)?;
    let mut out = Vec::new();
    write_macro(m, msg, &mut out);
    Some(out)
}

#[derive(Clone, Debug, PartialEq)]
enum Element {
    Literal(Vec<u8>),
    Macro(Macro, Option<Vec<u8>>),
    Value(String, Option<Vec<u8>>),
}

/// A compiled template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    source: String,
    elements: Vec<Element>,
}

/// Why a template did not compile; `offset` is the byte offset in its text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at offset {offset} of template")]
pub struct TemplateError {
    /// Byte offset of the problem in the template text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Template {
    /// Compiles template text.
    pub fn compile(text: &str) -> Result<Template, TemplateError> {
        let bytes = text.as_bytes();
        let mut elements = Vec::new();
        let mut literal = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b != b'$' {
                literal.push(b);
                i += 1;
                continue;
            }
            let start = i;
            i += 1;
            let (name, default) = match bytes.get(i) {
                Some(b'$') => {
                    literal.push(b'$');
                    i += 1;
                    continue;
                }
                Some(b'{') => {
                    let close = text[i..].find('}').ok_or_else(|| TemplateError {
                        offset: start,
                        message: "unterminated ${".into(),
                    })?;
                    let inner = &text[i + 1..i + close];
                    i += close + 1;
                    match inner.split_once(":-") {
                        Some((n, d)) => (n.to_owned(), Some(d.as_bytes().to_vec())),
                        None => (inner.to_owned(), None),
                    }
                }
                Some(b'(') => {
                    return Err(TemplateError {
                        offset: start,
                        message: "template functions $(...) are not available in this build".into(),
                    });
                }
                _ => {
                    let end = bytes[i..]
                        .iter()
                        .position(|b| !is_name_byte(*b))
                        .map_or(bytes.len(), |p| i + p);
                    let name = text[i..end].to_owned();
                    i = end;
                    (name, None)
                }
            };
            if name.is_empty() {
                literal.push(b'$');
                continue;
            }
            if !literal.is_empty() {
                elements.push(Element::Literal(std::mem::take(&mut literal)));
            }
            elements.push(match lookup_macro(&name) {
                Some(m) => Element::Macro(m, default),
                None => Element::Value(name, default),
            });
        }
        if !literal.is_empty() {
            elements.push(Element::Literal(literal));
        }
        Ok(Template {
            source: text.to_owned(),
            elements,
        })
    }

    /// The template's text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Appends the rendering of `msg` to `out`.
    pub fn render(&self, msg: &LogMessage, out: &mut Vec<u8>) {
        for e in &self.elements {
            match e {
                Element::Literal(l) => out.extend_from_slice(l),
                Element::Macro(m, default) => {
                    let before = out.len();
                    write_macro(*m, msg, out);
                    if out.len() == before {
                        if let Some(d) = default {
                            out.extend_from_slice(d);
                        }
                    }
                }
                Element::Value(name, default) => match msg.get(name) {
                    Some(v) => {
                        let before = out.len();
                        v.write_text(out);
                        if out.len() == before {
                            if let Some(d) = default {
                                out.extend_from_slice(d);
                            }
                        }
                    }
                    None => {
                        if let Some(d) = default {
                            out.extend_from_slice(d);
                        }
                    }
                },
            }
        }
    }
}

fn write_macro(m: Macro, msg: &LogMessage, out: &mut Vec<u8>) {
    match m {
        Macro::Date(clock, field) => {
            let t = match clock {
                Clock::Stamp => msg.stamp,
                Clock::Received => msg.recvd,
                Clock::Current => Timestamp::now(),
            };
            write_date(field, &t, out);
        }
        Macro::Pri => {
            let _ = write!(out, "{}", msg.pri);
        }
        Macro::Facility => {
            let f = msg.facility() as usize;
            match FACILITY_NAMES.get(f) {
                Some(name) => out.extend_from_slice(name.as_bytes()),
                None => {
                    let _ = write!(out, "{f}");
                }
            }
        }
        Macro::FacilityNum => {
            let _ = write!(out, "{}", msg.facility());
        }
        Macro::Severity => {
            out.extend_from_slice(SEVERITY_NAMES[msg.severity() as usize].as_bytes())
        }
        Macro::SeverityNum => {
            let _ = write!(out, "{}", msg.severity());
        }
        Macro::Tag => {
            let _ = write!(out, "{:02x}", msg.pri);
        }
        Macro::Tags => {
            for (i, t) in msg.tags().iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(t.as_bytes());
            }
        }
        Macro::MsgHdr => write_msghdr(msg, out),
        Macro::Sdata => {}
        Macro::LogHost => out.extend_from_slice(local_hostname().as_bytes()),
        Macro::SeqNum => {}
    }
}

/// Appends `PROGRAM[PID]: ` (or the legacy header the message carries).
pub fn write_msghdr(msg: &LogMessage, out: &mut Vec<u8>) {
    let mut scratch = Vec::new();
    if msg.has_text("LEGACY_MSGHDR") {
        out.extend_from_slice(msg.text("LEGACY_MSGHDR", &mut scratch));
        return;
    }
    if !msg.has_text("PROGRAM") {
        return;
    }
    out.extend_from_slice(msg.text("PROGRAM", &mut scratch));
    if msg.has_text("PID") {
        out.push(b'[');
        out.extend_from_slice(msg.text("PID", &mut scratch));
        out.push(b']');
    }
    out.extend_from_slice(b": ");
}

fn write_date(field: DateField, t: &Timestamp, out: &mut Vec<u8>) {
    use DateField::*;
    use chrono::Datelike;
    let w = t.wall_clock();
    let (year, month, day, hour, min, sec, usec) = t.fields();
    match field {
        Date => {
            out.extend_from_slice(MONTH_ABBREV[month as usize - 1].as_bytes());
            let _ = write!(out, " {day:>2} ");
            write_hms(out, hour, min, sec);
        }
        FullDate => {
            let _ = write!(out, "{year} {} {day:>2} ", MONTH_ABBREV[month as usize - 1]);
            write_hms(out, hour, min, sec);
        }
        IsoDate => {
            let _ = write!(out, "{year:04}-");
            push_2digits(out, month);
            out.push(b'-');
            push_2digits(out, day);
            out.push(b'T');
            write_hms(out, hour, min, sec);
            format_offset(t.offset, out);
        }
        Year => {
            let _ = write!(out, "{year:04}");
        }
        YearDay => {
            let _ = write!(out, "{:03}", w.ordinal());
        }
        Month => push_2digits(out, month),
        MonthWeek => {
            let _ = write!(
                out,
                "{}",
                (day + 6 - w.weekday().num_days_from_monday()) / 7
            );
        }
        MonthAbbrev => out.extend_from_slice(MONTH_ABBREV[month as usize - 1].as_bytes()),
        MonthName => out.extend_from_slice(MONTH_NAMES[month as usize - 1].as_bytes()),
        Day => push_2digits(out, day),
        Hour => push_2digits(out, hour),
        Hour12 => push_2digits(out, if hour % 12 == 0 { 12 } else { hour % 12 }),
        Min => push_2digits(out, min),
        Sec => push_2digits(out, sec),
        Msec => {
            let _ = write!(out, "{:03}", usec / 1000);
        }
        Usec => {
            let _ = write!(out, "{usec:06}");
        }
        AmPm => out.extend_from_slice(if hour < 12 { b"AM" } else { b"PM" }),
        Weekday => out.extend_from_slice(
            WEEKDAY_ABBREV[w.weekday().num_days_from_sunday() as usize].as_bytes(),
        ),
        WeekdayName => out.extend_from_slice(
            WEEKDAY_NAMES[w.weekday().num_days_from_sunday() as usize].as_bytes(),
        ),
        Week => {
            let _ = write!(out, "{:02}", w.format("%W"));
        }
        UnixTime => {
            let _ = write!(out, "{}", t.secs);
        }
        TzOffset => format_offset(t.offset, out),
    }
}

fn write_hms(out: &mut Vec<u8>, hour: u32, min: u32, sec: u32) {
    push_2digits(out, hour);
    out.push(b':');
    push_2digits(out, min);
    out.push(b':');
    push_2digits(out, sec);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn sample() -> LogMessage {
        let mut m = LogMessage::with_message("hello world");
        m.stamp = Timestamp {
            secs: 1664894892,
            usec: 123456,
            offset: 7200,
        };
        m.set_str("HOST", "myhost");
        m.set_str("PROGRAM", "app");
        m.set_str("PID", "42");
        m.set("n", Value::Int(7));
        m
    }

    fn render(t: &str, m: &LogMessage) -> String {
        let mut out = Vec::new();
        Template::compile(t).unwrap().render(m, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn legacy_file_format() {
        assert_eq!(
            render(LEGACY_FILE_FORMAT, &sample()),
            "Oct  4 16:48:12 myhost app[42]: hello world\n"
        );
    }

    #[test]
    fn macros_values_and_defaults() {
        let m = sample();
        assert_eq!(
            render("${ISODATE} $PRI $FACILITY.$SEVERITY ${n} ${x:-none} $$", &m),
            "2022-10-04T16:48:12+02:00 13 user.notice 7 none $"
        );
        assert_eq!(
            render("$UNIXTIME $TZOFFSET $YEAR$MONTH$DAY $USEC", &m),
            "1664894892 +02:00 20221004 123456"
        );
        assert_eq!(
            render("$MSG|${MESSAGE}|$HOST", &m),
            "hello world|hello world|myhost"
        );
    }

    #[test]
    fn unterminated_brace_is_an_error() {
        assert_eq!(Template::compile("ab ${MSG").unwrap_err().offset, 3);
    }
}
