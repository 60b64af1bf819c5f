//! syslog-ng templates: `$NAME`, `${NAME}`, `${NAME:-default}`, the
//! built-in macros and the template function `$(format-json ...)`, compiled
//! once and rendered without re-parsing.
//!
//! A template function's arguments are split and interpreted when the
//! template compiles (syslog-ng's argument rules: blanks separate, quotes
//! group and are removed at the top level, `\` escapes one character,
//! parentheses nest), so rendering only walks the compiled form.

use crate::host::local_hostname;
use crate::message::LogMessage;
use crate::pri::{FACILITY_NAMES, SEVERITY_NAMES};
use crate::timestamp::{Timestamp, format_offset, push_2digits};
use std::io::Write;

mod functions;
mod options;

pub use options::{TemplateOptions, TsFormat};
use options::{push_escaped, push_fraction};

pub use functions::{FilterCompiler, set_filter_compiler};
use std::sync::atomic::{AtomicBool, Ordering};

/// See [`set_typed_json`].
static TYPED_JSON: AtomicBool = AtomicBool::new(true);

/// Whether `$(format-json)` templates compiled from now on write values with
/// their types (numbers, booleans, null, lists), as syslog-ng 4.x does for a
/// configuration of `@version: 4.0` or later, or all as strings, as it does
/// for older versions (and syslog-ng 3.x always). `--cast` and `--no-cast`
/// choose per template.
pub fn set_typed_json(typed: bool) {
    TYPED_JSON.store(typed, Ordering::Relaxed);
}

thread_local! {
    /// The `template NAME {}` statements of the configuration being read,
    /// for `$(template NAME)`.
    static NAMED_TEMPLATES: std::cell::RefCell<std::collections::HashMap<String, String>> =
        std::cell::RefCell::default();
}

/// Starts reading a configuration: forgets the named templates of the last.
pub fn clear_named_templates() {
    NAMED_TEMPLATES.with(|named| named.borrow_mut().clear());
}

/// Makes `template NAME { template("text"); }` known to `$(template NAME)`
/// in templates compiled from now on (on this thread).
pub fn define_named_template(name: &str, text: &str) {
    NAMED_TEMPLATES.with(|named| named.borrow_mut().insert(name.to_owned(), text.to_owned()));
}

/// The template file() uses when none is configured (`$STAMP` follows
/// `ts-format()`).
pub const LEGACY_FILE_FORMAT: &str = "$STAMP $HOST $MSGHDR$MSG\n";

const MONTH_ABBREV: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// Month names, January first.
pub(crate) const MONTH_NAMES: [&str; 12] = [
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
/// Weekday names, Sunday first.
pub(crate) const WEEKDAY_NAMES: [&str; 7] = [
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
    /// `ts-format()`'s form.
    Stamp,
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
    /// 1 (Sunday) to 7.
    WeekdayNumber,
    Week,
    /// ISO 8601 week number.
    IsoWeek,
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
    /// Severity digit and facility letter (`6Q` for local0.info).
    BsdTag,
    /// HOST as stored, the whole chain with `chain-hostnames()`.
    FullHost,
    /// HOST_FROM as stored.
    FullHostFrom,
    Tags,
    MsgHdr,
    Sdata,
    LogHost,
    SeqNum,
    SourceIp,
}

fn date_field(name: &str) -> Option<DateField> {
    use DateField::*;
    Some(match name {
        "DATE" => Date,
        "STAMP" => Stamp,
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
        "WEEK_DAY" => WeekdayNumber,
        "WEEK" => Week,
        "ISOWEEK" => IsoWeek,
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
        "BSDTAG" => Some(Macro::BsdTag),
        "FULLHOST" => Some(Macro::FullHost),
        "FULLHOST_FROM" => Some(Macro::FullHostFrom),
        "TAGS" => Some(Macro::Tags),
        "MSGHDR" => Some(Macro::MsgHdr),
        "SDATA" => Some(Macro::Sdata),
        "LOGHOST" => Some(Macro::LogHost),
        "SEQNUM" => Some(Macro::SeqNum),
        "SOURCEIP" => Some(Macro::SourceIp),
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
    "BSDTAG",
    "FULLHOST",
    "FULLHOST_FROM",
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
    "WEEK_DAY",
    "ISOWEEK",
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
    let options = TemplateOptions::default();
    write_macro(m, msg, &Render::top(0, &options), &mut out);
    Some(out)
}

/// What rendering needs besides the message.
#[derive(Clone, Copy)]
struct Render<'a> {
    /// `$SEQNUM` (0: none).
    seq_num: u32,
    /// The destination's options.
    options: &'a TemplateOptions,
    /// Whether substituted values are escaped here (`template-escape()`
    /// applies to the template itself, not to function arguments).
    escape: bool,
}

impl<'a> Render<'a> {
    fn top(seq_num: u32, options: &'a TemplateOptions) -> Self {
        Render {
            seq_num,
            options,
            escape: options.escape,
        }
    }

    /// The same for a template inside a template function.
    fn nested(self) -> Self {
        Render {
            escape: false,
            ..self
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Element {
    Literal(Vec<u8>),
    Macro(Macro, Option<Vec<u8>>),
    Value(String, Option<Vec<u8>>),
    Function(Box<Function>),
}

/// A compiled template function call, `$(name args...)`.
#[derive(Clone, Debug, PartialEq)]
enum Function {
    FormatJson(format_json::FormatJson),
    Simple(functions::SimpleFunction),
    /// `$(template NAME)`: a named template, compiled where it is used.
    Named(Box<Template>),
}

impl Function {
    /// Compiles `$(args[0] args[1..])`; `offset` is where the `$` was.
    fn compile(args: &[String], offset: usize) -> Result<Function, TemplateError> {
        let error = |message: String| TemplateError { offset, message };
        let Some(name) = args.first() else {
            return Err(error(
                "Invalid template function reference, missing function name or imbalanced '('"
                    .into(),
            ));
        };
        match name.replace('_', "-").as_str() {
            "format-json" => format_json::FormatJson::compile(&args[1..])
                .map(Function::FormatJson)
                .map_err(|e| error(format!("$(format-json): {e}"))),
            "template" => {
                let [name] = &args[1..] else {
                    return Err(error("$(template) takes the name of a template".into()));
                };
                let text = NAMED_TEMPLATES.with(|named| named.borrow().get(name).cloned());
                let text =
                    text.ok_or_else(|| error(format!("$(template): unknown template '{name}'")))?;
                let template = Template::compile(&text)
                    .map_err(|e| error(format!("$(template {name}): {}", e.message)))?;
                Ok(Function::Named(Box::new(template)))
            }
            simple if functions::knows(simple) => {
                functions::SimpleFunction::compile(simple, &args[1..], offset).map(Function::Simple)
            }
            _ => Err(error(format!("unknown template function '{name}'"))),
        }
    }

    fn render(&self, msg: &LogMessage, cx: Render<'_>, out: &mut Vec<u8>) {
        match self {
            Function::FormatJson(f) => f.render(msg, cx.nested(), out),
            Function::Simple(f) => f.render(msg, cx.nested(), out),
            Function::Named(t) => t.render_in(msg, cx.nested(), out),
        }
    }

    fn uses_seqnum(&self) -> bool {
        match self {
            Function::FormatJson(f) => f.uses_seqnum(),
            Function::Simple(f) => f.uses_seqnum(),
            Function::Named(t) => t.uses_seqnum(),
        }
    }
}

/// Splits the arguments of a template function call the way syslog-ng does.
/// `open` is the index of the `(`; returns the arguments and the index of
/// the matching `)`.
fn split_function_args(text: &[u8], open: usize) -> Option<(Vec<String>, usize)> {
    let mut args = Vec::new();
    let mut arg = Vec::new();
    let mut has_value = false;
    let mut parens = 1;
    let mut i = open + 1;
    while i < text.len() && text[i] == b' ' {
        i += 1;
    }
    while i < text.len() {
        match text[i] {
            b'\\' => i += 1,
            b'(' => parens += 1,
            b')' => {
                parens -= 1;
                if parens == 0 {
                    break;
                }
            }
            quote @ (b'"' | b'\'') => {
                let end = i + 1 + text[i + 1..].iter().position(|b| *b == quote)?;
                if parens == 1 {
                    arg.extend_from_slice(&text[i + 1..end]);
                } else {
                    arg.extend_from_slice(&text[i..=end]);
                }
                has_value = true;
                i = end + 1;
                continue;
            }
            b' ' | b'\t' if parens == 1 => {
                args.push(String::from_utf8_lossy(&arg).into_owned());
                arg.clear();
                has_value = false;
                while i < text.len() && matches!(text[i], b' ' | b'\t') {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        if let Some(b) = text.get(i) {
            arg.push(*b);
            has_value = true;
        }
        i += 1;
    }
    if i >= text.len() {
        return None;
    }
    if has_value {
        args.push(String::from_utf8_lossy(&arg).into_owned());
    }
    Some((args, i))
}

/// A compiled template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    source: String,
    elements: Vec<Element>,
    options: TemplateOptions,
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
                    let (args, close) =
                        split_function_args(bytes, i).ok_or_else(|| TemplateError {
                            offset: start,
                            message: "Invalid template function reference, missing function name or imbalanced '('".into(),
                        })?;
                    let function = Function::compile(&args, start)?;
                    i = close + 1;
                    if !literal.is_empty() {
                        elements.push(Element::Literal(std::mem::take(&mut literal)));
                    }
                    elements.push(Element::Function(Box::new(function)));
                    continue;
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
            options: TemplateOptions::default(),
        })
    }

    /// The template rendered with a destination's `options`.
    pub fn with_options(mut self, options: TemplateOptions) -> Template {
        self.options = options;
        self
    }

    /// Whether the template is plain text (renders the same for every message).
    pub fn is_literal(&self) -> bool {
        self.elements
            .iter()
            .all(|e| matches!(e, Element::Literal(_)))
    }

    /// The template's text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The name of the value when the template is exactly one value
    /// reference (`$name`, `${name}`): such a template keeps the value's type.
    pub fn single_value(&self) -> Option<&str> {
        match self.elements.as_slice() {
            [Element::Value(name, None)] => Some(name),
            _ => None,
        }
    }

    /// The names of the values the template shows directly (not macros,
    /// not inside template functions).
    pub fn value_names(&self) -> impl Iterator<Item = &str> {
        self.elements.iter().filter_map(|e| match e {
            Element::Value(name, _) => Some(name.as_str()),
            _ => None,
        })
    }

    /// Whether rendering shows `$SEQNUM` (directly or in a function).
    pub fn uses_seqnum(&self) -> bool {
        self.elements.iter().any(|e| match e {
            Element::Macro(m, _) => *m == Macro::SeqNum,
            Element::Function(f) => f.uses_seqnum(),
            _ => false,
        })
    }

    /// Appends the rendering of `msg` to `out` (`$SEQNUM` empty).
    pub fn render(&self, msg: &LogMessage, out: &mut Vec<u8>) {
        self.render_numbered(msg, 0, out);
    }

    /// Appends the rendering of `msg` as its destination writes it:
    /// `seq_num` is its `$SEQNUM` there (0: none, see [`crate::seqnum`]).
    pub fn render_numbered(&self, msg: &LogMessage, seq_num: u32, out: &mut Vec<u8>) {
        self.render_in(msg, Render::top(seq_num, &self.options), out);
    }

    fn render_in(&self, msg: &LogMessage, cx: Render<'_>, out: &mut Vec<u8>) {
        for e in &self.elements {
            match e {
                Element::Literal(l) => out.extend_from_slice(l),
                Element::Function(f) => f.render(msg, cx, out),
                Element::Macro(..) | Element::Value(..) if cx.escape => {
                    let mut text = Vec::new();
                    substitute(e, msg, cx, &mut text);
                    push_escaped(out, &text);
                }
                _ => substitute(e, msg, cx, out),
            }
        }
    }
}

/// Appends what a macro or value element stands for (its default when empty).
fn substitute(element: &Element, msg: &LogMessage, cx: Render<'_>, out: &mut Vec<u8>) {
    let before = out.len();
    let default = match element {
        Element::Macro(m, default) => {
            write_macro(*m, msg, &cx, out);
            default
        }
        Element::Value(name, default) if msg.chained_host && name == "HOST" => {
            write_first_host(msg, out);
            default
        }
        Element::Value(name, default) => {
            if let Some(v) = msg.get(name) {
                v.write_text(out);
            }
            default
        }
        Element::Literal(_) | Element::Function(_) => return,
    };
    if out.len() == before
        && let Some(d) = default
    {
        out.extend_from_slice(d);
    }
}

/// `$HOST` of a message whose host names were chained
/// (`chain-hostnames()`): as syslog-ng shows it, only the first host of the
/// chain (after a `group@`); `$FULLHOST` shows the whole chain.
fn write_first_host(msg: &LogMessage, out: &mut Vec<u8>) {
    let mut scratch = Vec::new();
    let chain = msg.text("HOST", &mut scratch);
    let after_group = match chain.iter().position(|b| *b == b'@') {
        Some(at) => &chain[at + 1..],
        None => chain,
    };
    let first = after_group.split(|b| *b == b'/').next().unwrap_or_default();
    out.extend_from_slice(first);
}

fn write_macro(m: Macro, msg: &LogMessage, cx: &Render<'_>, out: &mut Vec<u8>) {
    let seq_num = cx.seq_num;
    match m {
        Macro::Date(clock, field) => {
            let mut t = match clock {
                Clock::Stamp => msg.stamp,
                Clock::Received => msg.recvd,
                Clock::Current => Timestamp::now(),
            };
            if let Some(zone) = &cx.options.zone {
                t.offset = zone.offset_at(t.secs);
            }
            write_date(field, &t, cx.options, out);
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
        Macro::BsdTag => {
            let letter = char::from_u32(u32::from(msg.facility()) + u32::from(b'A')).unwrap_or('?');
            let _ = write!(out, "{}{letter}", msg.severity());
        }
        Macro::FullHost => {
            if let Some(v) = msg.get("HOST") {
                v.write_text(out);
            }
        }
        Macro::FullHostFrom => {
            if let Some(v) = msg.get("HOST_FROM") {
                v.write_text(out);
            }
        }
        Macro::Tags => {
            // A list, as syslog-ng writes its tags: by number, quoted as list items.
            for (i, t) in crate::tag_order::sorted(msg.tags()).into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                crate::value::encode_list_item(t.as_bytes(), true, out);
            }
        }
        Macro::MsgHdr => write_msghdr(msg, out),
        Macro::Sdata => write_sdata_numbered(msg, seq_num, out),
        Macro::LogHost => out.extend_from_slice(local_hostname().as_bytes()),
        Macro::SeqNum => {
            if seq_num != 0 {
                let _ = write!(out, "{seq_num}");
            }
        }
        // `set_source_ipaddress()` sets it; without a peer address
        // syslog-ng shows the loopback address.
        Macro::SourceIp => match msg.get("SOURCEIP") {
            Some(ip) => ip.write_text(out),
            None => out.extend_from_slice(b"127.0.0.1"),
        },
    }
}

/// Appends the message's structured data the way syslog-ng formats
/// `$SDATA`: every value named `.SDATA.<SD-ID>.<PARAM>` as
/// `[SD-ID PARAM="value" ...]`, with `"`, `\\` and `]` escaped.
///
/// The order is syslog-ng's: it keeps its list of SDATA names by inserting a
/// new name before the first one of the same SD-ID (or appending it), then
/// prints the list backwards. So elements come newest SD-ID first, and the
/// parameters of one element in the order they were set.
pub fn write_sdata(msg: &LogMessage, out: &mut Vec<u8>) {
    write_sdata_numbered(msg, 0, out);
}

/// [`write_sdata`] as a destination writes it: a local message numbered
/// `seq_num` that carries no `meta.sequenceId` of its own gets
/// `[meta sequenceId="<seq_num>"]` after its other elements.
pub fn write_sdata_numbered(msg: &LogMessage, seq_num: u32, out: &mut Vec<u8>) {
    const PREFIX: &str = ".SDATA.";
    let mut order: Vec<&str> = Vec::new();
    for name in msg.names() {
        if name.len() <= PREFIX.len() || !name.starts_with(PREFIX) {
            continue;
        }
        // Like syslog-ng, compares the names' first bytes up to the new
        // name's last dot, so `.SDATA.a.x` counts as a block of `.SDATA.ab.y`.
        let block_len = name.rfind('.').unwrap_or(PREFIX.len() - 1);
        let block = &name.as_bytes()[..block_len];
        match order
            .iter()
            .position(|n| n.len() > block_len && n.as_bytes().starts_with(block))
        {
            Some(i) => order.insert(i, name),
            None => order.push(name),
        }
    }
    let mut current: Option<&str> = None;
    let mut scratch = Vec::new();
    for name in order.iter().rev() {
        let Some(value) = msg.get(name) else {
            continue;
        };
        let full = &name[PREFIX.len()..];
        let (element, param) = match full.rfind('.') {
            Some(dot) => (&full[..dot], &full[dot + 1..]),
            None => (full, ""),
        };
        if current != Some(element) {
            if current.is_some() {
                out.push(b']');
            }
            out.push(b'[');
            out.extend_from_slice(element.as_bytes());
            current = Some(element);
        }
        if !param.is_empty() {
            out.push(b' ');
            out.extend_from_slice(param.as_bytes());
            out.extend_from_slice(b"=\"");
            scratch.clear();
            value.write_text(&mut scratch);
            for &b in &scratch {
                if matches!(b, b'"' | b'\\' | b']') {
                    out.push(b'\\');
                }
                out.push(b);
            }
            out.push(b'"');
        }
    }
    if current.is_some() {
        out.push(b']');
    }
    if msg.local && seq_num != 0 && msg.get(crate::seqnum::META_SEQUENCE_ID).is_none() {
        let _ = write!(out, "[meta sequenceId=\"{seq_num}\"]");
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

fn write_date(field: DateField, t: &Timestamp, options: &TemplateOptions, out: &mut Vec<u8>) {
    use DateField::*;
    use chrono::Datelike;
    let (year, month, day, hour, min, sec, usec) = t.fields();
    let frac = options.frac_digits;
    let field = match (field, options.ts_format) {
        (Stamp, TsFormat::Bsd) => Date,
        (Stamp, TsFormat::Iso) => IsoDate,
        (Stamp, TsFormat::Full) => FullDate,
        (Stamp, TsFormat::Unix) => UnixTime,
        (other, _) => other,
    };
    match field {
        Date | Stamp => {
            out.extend_from_slice(MONTH_ABBREV[month as usize - 1].as_bytes());
            let _ = write!(out, " {day:>2} ");
            write_hms(out, hour, min, sec);
            push_fraction(out, usec, frac);
        }
        FullDate => {
            let _ = write!(out, "{year} {} {day:>2} ", MONTH_ABBREV[month as usize - 1]);
            write_hms(out, hour, min, sec);
            push_fraction(out, usec, frac);
        }
        IsoDate => {
            let _ = write!(out, "{year:04}-");
            push_2digits(out, month);
            out.push(b'-');
            push_2digits(out, day);
            out.push(b'T');
            write_hms(out, hour, min, sec);
            push_fraction(out, usec, frac);
            format_offset(t.offset, out);
        }
        Year => {
            let _ = write!(out, "{year:04}");
        }
        YearDay => {
            let _ = write!(out, "{:03}", t.wall_clock().ordinal());
        }
        Month => push_2digits(out, month),
        MonthWeek => {
            let _ = write!(out, "{}", (day + 6 - (t.weekday() + 6) % 7) / 7);
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
        Weekday => out.extend_from_slice(WEEKDAY_ABBREV[t.weekday() as usize].as_bytes()),
        WeekdayName => out.extend_from_slice(WEEKDAY_NAMES[t.weekday() as usize].as_bytes()),
        WeekdayNumber => {
            let _ = write!(out, "{}", t.weekday() + 1);
        }
        IsoWeek => {
            let _ = write!(out, "{:02}", t.wall_clock().iso_week().week());
        }
        Week => {
            let _ = write!(out, "{:02}", t.wall_clock().format("%W"));
        }
        UnixTime => {
            let _ = write!(out, "{}", t.secs);
            push_fraction(out, usec, frac);
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

/// `$(format-json ...)`: syslog-ng's value-pairs selection rendered as JSON.
///
/// What is selected (syslog-ng 3.38 / AxoSyslog semantics):
/// - `--scope`: `nv-pairs` (values whose name does not start with `.`),
///   `dot-nv-pairs` (names starting with `.`), `all-nv-pairs` (both),
///   `sdata` (`.SDATA.*`), `rfc3164`/`core`/`base` (FACILITY, PRIORITY, HOST,
///   PROGRAM, PID, MESSAGE, DATE), `rfc5424`/`syslog-proto` (those, MSGID and
///   the SDATA values), `selected-macros` (rfc3164 plus TAGS, SOURCEIP,
///   SEQNUM), `all-macros`, `everything`, `none`. Several scopes add up.
/// - `--key PATTERN` / `--exclude PATTERN` (globs with `*` and `?`, comma
///   separated lists allowed): tried in order, the last pattern that matches
///   a name decides. Patterns also select macros by name.
/// - `--pair NAME=TEMPLATE`, `NAME=TEMPLATE` (and a bare `PATTERN`, which is
///   a `--key`): explicit pairs, always included; `NAME=int(TEMPLATE)` and
///   the other type hints (`string`, `literal`, `boolean`, `int32`, `int64`,
///   `double`/`float`, `datetime`, `list`) set the JSON type.
/// - `--rekey PATTERN`, `--add-prefix`, `--replace-prefix OLD=NEW`,
///   `--shift N`: rename the selected keys; `--omit-empty-values`;
///   `--leave-initial-dot` (otherwise a leading `.` becomes `_`).
///
/// How it is laid out: keys in descending byte order (syslog-ng's walk
/// order), dotted names nested as objects with syslog-ng's exact splitting
/// rules (an empty segment is not a separator, `@<digits>[.<digits>]*`
/// stays in one segment) and its stack rule (a key that starts with the
/// open object's path goes into that object). Strings are escaped as
/// syslog-ng escapes them (`\n`, `\u0001`, invalid UTF-8 bytes as `\\xff`).
///
/// Where logfetch differs on purpose: values keep their type (decisions.md),
/// so an int, double or bool value is written as a JSON number or boolean,
/// a null as `null`, a list as an array; syslog-ng 3.38 writes every message
/// value as a string. A type-hint cast that fails writes the value as a
/// string (syslog-ng's `on-error(fallback-to-string)`) instead of dropping
/// the message, and a numeric cast writes a valid JSON number (3.38 copies
/// the text, `.5` or ` 7` included).
mod format_json {
    use super::{Macro, Render, TYPED_JSON, Template, lookup_macro, write_macro};
    use crate::escape::{EscapeStyle, escape_unsafe_utf8, hex_escape};
    use crate::message::LogMessage;
    use crate::value::{Value, decode_list};
    use std::borrow::Cow;
    use std::sync::OnceLock;

    const NV_PAIRS: u8 = 0x01;
    const DOT_NV_PAIRS: u8 = 0x02;
    const RFC3164: u8 = 0x04;
    const RFC5424: u8 = 0x08;
    const ALL_MACROS: u8 = 0x10;
    const SELECTED_MACROS: u8 = 0x20;
    const SDATA: u8 = 0x40;
    const EVERYTHING: u8 = 0x7f;

    const SCOPES: &[(&str, u8)] = &[
        ("nv-pairs", NV_PAIRS),
        ("dot-nv-pairs", DOT_NV_PAIRS),
        ("all-nv-pairs", NV_PAIRS | DOT_NV_PAIRS),
        ("rfc3164", RFC3164),
        ("core", RFC3164),
        ("base", RFC3164),
        ("rfc5424", RFC5424),
        ("syslog-proto", RFC5424),
        ("all-macros", ALL_MACROS),
        ("selected-macros", SELECTED_MACROS),
        ("sdata", SDATA),
        ("everything", EVERYTHING),
    ];
    const RFC3164_SET: &[&str] = &[
        "FACILITY", "PRIORITY", "HOST", "PROGRAM", "PID", "MESSAGE", "DATE",
    ];
    const RFC5424_SET: &[&str] = &["MSGID"];
    const SELECTED_SET: &[&str] = &["TAGS", "SOURCEIP", "SEQNUM"];
    /// Macros that read a stored value rather than computing one.
    const VALUE_MACROS: &[&str] = &[
        "MSG",
        "MESSAGE",
        "HOST",
        "HOST_FROM",
        "PROGRAM",
        "PID",
        "MSGID",
        "SOURCE",
    ];

    /// Every macro name a pattern or `all-macros` can select.
    fn all_macros() -> &'static [String] {
        static ALL: OnceLock<Vec<String>> = OnceLock::new();
        ALL.get_or_init(|| {
            let mut names: Vec<String> = super::macro_names().collect();
            names.push("SOURCEIP".into());
            names.extend(VALUE_MACROS.iter().map(|m| (*m).to_owned()));
            names
        })
    }

    /// A glob with `*` (any run) and `?` (one character), as GLib's `GPatternSpec`.
    #[derive(Clone, Debug, PartialEq)]
    struct Glob(Vec<char>);

    impl Glob {
        fn new(pattern: &str) -> Self {
            Glob(pattern.chars().collect())
        }

        fn matches(&self, name: &str) -> bool {
            let first = |at: usize| name[at..].chars().next().map_or(0, char::len_utf8);
            let (mut p, mut n) = (0, 0);
            // Where the last `*` was, and where in `name` its match ends.
            let mut star: Option<(usize, usize)> = None;
            while n < name.len() {
                let c = name[n..].chars().next().unwrap_or_default();
                match self.0.get(p) {
                    Some('*') => {
                        star = Some((p, n));
                        p += 1;
                    }
                    Some(pc) if *pc == '?' || *pc == c => {
                        p += 1;
                        n += c.len_utf8();
                    }
                    _ => match star {
                        Some((sp, sn)) => {
                            let next = sn + first(sn);
                            p = sp + 1;
                            n = next;
                            star = Some((sp, next));
                        }
                        None => return false,
                    },
                }
            }
            self.0[p..].iter().all(|c| *c == '*')
        }
    }

    #[derive(Clone, Debug, PartialEq)]
    enum Rename {
        AddPrefix(String),
        ReplacePrefix(String, String),
        Shift(usize),
    }

    /// Renames applied to the keys that match `pattern` (`--rekey`).
    #[derive(Clone, Debug, PartialEq)]
    struct RenameSet {
        pattern: Glob,
        renames: Vec<Rename>,
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum TypeHint {
        String,
        Literal,
        Boolean,
        Int,
        Double,
        DateTime,
        List,
    }

    impl TypeHint {
        fn parse(name: &str) -> Option<TypeHint> {
            Some(match name {
                "string" => TypeHint::String,
                "literal" => TypeHint::Literal,
                "boolean" => TypeHint::Boolean,
                "int" | "int32" | "int64" => TypeHint::Int,
                "double" | "float" => TypeHint::Double,
                "datetime" => TypeHint::DateTime,
                "list" => TypeHint::List,
                _ => return None,
            })
        }
    }

    /// `--pair NAME=TEMPLATE`.
    #[derive(Clone, Debug, PartialEq)]
    struct Pair {
        name: String,
        template: Template,
        hint: Option<TypeHint>,
    }

    /// A macro selected by scope or pattern, resolved at compile time.
    #[derive(Clone, Debug, PartialEq)]
    struct Builtin {
        name: &'static str,
        source: BuiltinSource,
    }

    #[derive(Clone, Debug, PartialEq)]
    enum BuiltinSource {
        Computed(Macro),
        Stored(&'static str),
    }

    impl Builtin {
        fn resolve(name: &'static str) -> Option<Builtin> {
            let source = match lookup_macro(name) {
                Some(m) => BuiltinSource::Computed(m),
                None if VALUE_MACROS.contains(&name) => {
                    BuiltinSource::Stored(if name == "MSG" { "MESSAGE" } else { name })
                }
                None => return None,
            };
            Some(Builtin { name, source })
        }
    }

    /// A compiled `$(format-json ...)` call.
    #[derive(Clone, Debug, PartialEq)]
    pub(super) struct FormatJson {
        scopes: u8,
        patterns: Vec<(Glob, bool)>,
        builtins: Vec<Builtin>,
        pairs: Vec<Pair>,
        renames: Vec<RenameSet>,
        omit_empty: bool,
        /// Values without a type hint are written as strings.
        cast_to_strings: bool,
    }

    /// Splits `--name=value` / `--name value` / `-n value`.
    struct Args<'a> {
        args: &'a [String],
        next: usize,
        options_done: bool,
    }

    enum Arg<'a> {
        Option(&'a str, Option<&'a str>),
        Positional(&'a str),
    }

    impl<'a> Args<'a> {
        fn next(&mut self) -> Option<Arg<'a>> {
            let arg = self.args.get(self.next)?;
            self.next += 1;
            if self.options_done || !arg.starts_with('-') || arg == "-" {
                return Some(Arg::Positional(arg));
            }
            if arg == "--" {
                self.options_done = true;
                return self.next();
            }
            if let Some(long) = arg.strip_prefix("--") {
                return Some(match long.split_once('=') {
                    Some((name, value)) => Arg::Option(name, Some(value)),
                    None => Arg::Option(long, None),
                });
            }
            Some(Arg::Option(&arg[1..], None))
        }

        fn value(&mut self, name: &str, attached: Option<&'a str>) -> Result<&'a str, String> {
            if let Some(v) = attached {
                return Ok(v);
            }
            let v = self
                .args
                .get(self.next)
                .ok_or_else(|| format!("missing argument for --{name}"))?;
            self.next += 1;
            Ok(v)
        }
    }

    /// Reads `NAME=TEMPLATE` with an optional `type(...)` around the template.
    fn parse_pair(spec: &str) -> Result<Pair, String> {
        let Some((name, value)) = spec.split_once('=') else {
            return Err(format!(
                "expected an equal sign in key=value pair, got '{spec}'"
            ));
        };
        let (hint, text) = split_type_hint(value)?;
        let template = Template::compile(text).map_err(|e| format!("in pair '{name}': {e}"))?;
        Ok(Pair {
            name: name.to_owned(),
            template,
            hint,
        })
    }

    /// `int(...)` → (Int, "..."); anything else is an untyped template.
    fn split_type_hint(value: &str) -> Result<(Option<TypeHint>, &str), String> {
        let bytes = value.as_bytes();
        let starts_like_name = bytes
            .first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
        let name_end = bytes
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .unwrap_or(bytes.len());
        let mut open = name_end;
        while matches!(bytes.get(open), Some(b' ' | b'\t')) {
            open += 1;
        }
        if !starts_like_name || bytes.get(open) != Some(&b'(') {
            return Ok((None, value));
        }
        let Some(close) = value[open..].find(')').map(|c| open + c) else {
            return Ok((None, value));
        };
        if close + 1 != value.len() {
            return Ok((None, value));
        }
        let name = &value[..name_end];
        let hint =
            TypeHint::parse(name).ok_or_else(|| format!("unknown type '{name}' in type hint"))?;
        Ok((Some(hint), &value[open + 1..close]))
    }

    impl FormatJson {
        /// Parses the arguments (after the function name).
        pub(super) fn compile(args: &[String]) -> Result<FormatJson, String> {
            let mut f = FormatJson {
                scopes: 0,
                patterns: Vec::new(),
                builtins: Vec::new(),
                pairs: Vec::new(),
                renames: Vec::new(),
                omit_empty: false,
                cast_to_strings: !TYPED_JSON.load(std::sync::atomic::Ordering::Relaxed),
            };
            let mut leave_initial_dot = false;
            // The pattern of the last --key/--rekey, and the rename set it started.
            let mut rekey: Option<String> = None;
            let mut current: Option<RenameSet> = None;
            let mut args = Args {
                args,
                next: 0,
                options_done: false,
            };
            fn finish(
                f: &mut FormatJson,
                current: &mut Option<RenameSet>,
                rekey: &mut Option<String>,
            ) {
                if let Some(set) = current.take() {
                    f.renames.push(set);
                }
                *rekey = None;
            }
            while let Some(arg) = args.next() {
                let (name, attached) = match arg {
                    Arg::Positional(p) => {
                        if p.contains('=') {
                            finish(&mut f, &mut current, &mut rekey);
                            f.pairs.push(parse_pair(p)?);
                        } else {
                            finish(&mut f, &mut current, &mut rekey);
                            rekey = Some(p.to_owned());
                            f.add_patterns(p, true);
                        }
                        continue;
                    }
                    Arg::Option(name, attached) => (name, attached),
                };
                match name {
                    "scope" | "s" => {
                        finish(&mut f, &mut current, &mut rekey);
                        for scope in args.value(name, attached)?.split(',') {
                            if scope == "none" {
                                f.scopes = 0;
                                continue;
                            }
                            let bits = SCOPES
                                .iter()
                                .find(|(n, _)| *n == scope)
                                .map(|(_, b)| *b)
                                .ok_or_else(|| format!("unknown scope '{scope}'"))?;
                            f.scopes |= bits;
                        }
                    }
                    "exclude" | "x" => {
                        finish(&mut f, &mut current, &mut rekey);
                        let value = args.value(name, attached)?;
                        f.add_patterns(value, false);
                    }
                    "key" | "k" => {
                        let value = args.value(name, attached)?;
                        finish(&mut f, &mut current, &mut rekey);
                        rekey = Some(value.to_owned());
                        f.add_patterns(value, true);
                    }
                    "rekey" | "r" => {
                        let value = args.value(name, attached)?;
                        finish(&mut f, &mut current, &mut rekey);
                        rekey = Some(value.to_owned());
                    }
                    "pair" | "p" => {
                        finish(&mut f, &mut current, &mut rekey);
                        let value = args.value(name, attached)?;
                        f.pairs.push(parse_pair(value)?);
                    }
                    "add-prefix" | "A" | "replace-prefix" | "R" | "replace" | "shift" | "S" => {
                        let value = args.value(name, attached)?;
                        let rename = match name {
                            "add-prefix" | "A" => Rename::AddPrefix(value.to_owned()),
                            "shift" | "S" => Rename::Shift(value.trim().parse().unwrap_or(0)),
                            _ => {
                                let (old, new) = value.split_once('=').ok_or_else(|| {
                                    format!("--{name} needs OLD=NEW, got '{value}'")
                                })?;
                                Rename::ReplacePrefix(old.to_owned(), new.to_owned())
                            }
                        };
                        if current.is_none() {
                            let Some(key) = rekey.take() else {
                                return Err(format!("--{name} used without --key or --rekey"));
                            };
                            current = Some(RenameSet {
                                pattern: Glob::new(&key),
                                renames: Vec::new(),
                            });
                        }
                        if let Some(set) = current.as_mut() {
                            set.renames.push(rename);
                        }
                    }
                    "omit-empty-values" => f.omit_empty = true,
                    "cast" => f.cast_to_strings = true,
                    "no-cast" => f.cast_to_strings = false,
                    "leave-initial-dot" => leave_initial_dot = true,
                    other => return Err(format!("unknown option --{other}")),
                }
            }
            finish(&mut f, &mut current, &mut rekey);
            if !leave_initial_dot {
                f.renames.push(RenameSet {
                    pattern: Glob::new(".*"),
                    renames: vec![Rename::ReplacePrefix(".".into(), "_".into())],
                });
            }
            f.select_builtins();
            Ok(f)
        }

        fn add_patterns(&mut self, list: &str, include: bool) {
            for p in list.split(',') {
                self.patterns.push((Glob::new(p), include));
            }
        }

        /// Whether the patterns select `name`, starting from `default`.
        fn selected(&self, name: &str, default: bool) -> bool {
            self.patterns.iter().fold(
                default,
                |inc, (p, include)| if p.matches(name) { *include } else { inc },
            )
        }

        /// The macros to render, as syslog-ng's `vp_update_builtin_list_of_values`.
        fn select_builtins(&mut self) {
            let mut names: Vec<&'static str> = Vec::new();
            if !self.patterns.is_empty() {
                names.extend(
                    all_macros()
                        .iter()
                        .map(String::as_str)
                        .filter(|m| self.selected(m, false)),
                );
            }
            let add_set = |set: &[&'static str], names: &mut Vec<&'static str>| {
                names.extend(set.iter().copied().filter(|m| self.selected(m, true)));
            };
            if self.scopes & (RFC3164 | RFC5424 | SELECTED_MACROS) != 0 {
                add_set(RFC3164_SET, &mut names);
            }
            if self.scopes & RFC5424 != 0 {
                add_set(RFC5424_SET, &mut names);
            }
            if self.scopes & SELECTED_MACROS != 0 {
                add_set(SELECTED_SET, &mut names);
            }
            if self.scopes & ALL_MACROS != 0 {
                let all: Vec<&'static str> = all_macros().iter().map(String::as_str).collect();
                add_set(&all, &mut names);
            }
            self.builtins = names.into_iter().filter_map(Builtin::resolve).collect();
        }

        fn rename(&self, name: &str) -> String {
            let mut key = name.to_owned();
            for set in &self.renames {
                if !set.pattern.matches(&key) {
                    continue;
                }
                for r in &set.renames {
                    match r {
                        Rename::AddPrefix(p) => key.insert_str(0, p),
                        Rename::ReplacePrefix(old, new) => {
                            if let Some(rest) = key.strip_prefix(old.as_str()) {
                                key = format!("{new}{rest}");
                            }
                        }
                        Rename::Shift(n) => {
                            let cut = key.char_indices().nth(*n).map_or(key.len(), |(i, _)| i);
                            key.drain(..cut);
                        }
                    }
                }
            }
            key
        }

        /// Whether the object shows `$SEQNUM`.
        pub(super) fn uses_seqnum(&self) -> bool {
            self.builtins
                .iter()
                .any(|b| b.source == BuiltinSource::Computed(Macro::SeqNum))
                || self.pairs.iter().any(|p| p.template.uses_seqnum())
        }

        /// Appends the JSON object for `msg`.
        pub(super) fn render(&self, msg: &LogMessage, cx: Render<'_>, out: &mut Vec<u8>) {
            let mut entries: Vec<(String, Json<'_>)> = Vec::new();
            if self.scopes & (NV_PAIRS | DOT_NV_PAIRS | SDATA | RFC5424) != 0
                || !self.patterns.is_empty()
            {
                for (name, value) in msg.pairs() {
                    if self.omit_empty && is_empty(value) {
                        continue;
                    }
                    let dotted = name.starts_with('.');
                    let default = (dotted && self.scopes & DOT_NV_PAIRS != 0)
                        || (!dotted && self.scopes & NV_PAIRS != 0)
                        || (name.starts_with(".SDATA.") && self.scopes & (SDATA | RFC5424) != 0);
                    if self.selected(name, default) {
                        entries.push((self.rename(name), self.json_of(value)));
                    }
                }
            }
            for b in &self.builtins {
                let json = match &b.source {
                    BuiltinSource::Computed(m) => {
                        let mut text = Vec::new();
                        write_macro(*m, msg, &cx, &mut text);
                        Json::Str(Cow::Owned(text))
                    }
                    BuiltinSource::Stored(name) => match msg.get(name) {
                        Some(v) => self.json_of(v),
                        None => continue,
                    },
                };
                if !json.is_empty() {
                    entries.push((self.rename(b.name), json));
                }
            }
            for pair in &self.pairs {
                let json = pair.render(msg, cx, self.cast_to_strings);
                if self.omit_empty && json.is_empty() {
                    continue;
                }
                entries.push((self.rename(&pair.name), json));
            }
            // syslog-ng keeps them in a tree ordered by `strcmp(b, a)`; a
            // later insert under the same key replaces the value.
            entries.reverse();
            entries.sort_by(|a, b| b.0.as_bytes().cmp(a.0.as_bytes()));
            entries.dedup_by(|later, kept| later.0 == kept.0);
            write_tree(&entries, out);
        }

        /// A value as JSON: typed, or its text when casting to strings.
        fn json_of<'m>(&self, value: &'m Value) -> Json<'m> {
            match value {
                Value::String(s) => Json::Str(Cow::Borrowed(&s[..])),
                _ if self.cast_to_strings => Json::Str(Cow::Owned(value.to_text())),
                _ => Json::of(value),
            }
        }
    }

    impl Pair {
        /// The pair's value; without a type hint, `cast_to_strings` writes
        /// a typed value as its text.
        fn render<'m>(
            &self,
            msg: &'m LogMessage,
            cx: Render<'_>,
            cast_to_strings: bool,
        ) -> Json<'m> {
            if self.hint.is_none()
                && let Some(name) = self.template.single_value()
            {
                return match msg.get(name) {
                    Some(v) if cast_to_strings => Json::Str(Cow::Owned(v.to_text())),
                    Some(v) => Json::of(v),
                    None => Json::Str(Cow::Borrowed(b"")),
                };
            }
            let mut text = Vec::new();
            self.template.render_in(msg, cx, &mut text);
            let Some(hint) = self.hint else {
                return Json::Str(Cow::Owned(text));
            };
            cast(hint, text)
        }
    }

    /// A type-hinted value; a failed cast keeps the text as a string.
    fn cast(hint: TypeHint, text: Vec<u8>) -> Json<'static> {
        let s = std::str::from_utf8(&text).unwrap_or("");
        let raw = |t: String| Json::Raw(Cow::Owned(t.into_bytes()));
        match hint {
            TypeHint::String | TypeHint::DateTime => Json::Str(Cow::Owned(text)),
            TypeHint::Literal => Json::Raw(Cow::Owned(text)),
            TypeHint::List => Json::List(Cow::Owned(decode_list(&text))),
            TypeHint::Boolean => match text.first() {
                Some(b't' | b'T' | b'1') => raw("true".into()),
                Some(b'f' | b'F' | b'0') => raw("false".into()),
                _ => Json::Str(Cow::Owned(text)),
            },
            TypeHint::Int => match s.trim_start().parse::<i64>() {
                Ok(i) => raw(i.to_string()),
                Err(_) => Json::Str(Cow::Owned(text)),
            },
            TypeHint::Double => match s.trim_start().parse::<f64>() {
                Ok(d) if d.is_finite() => {
                    if is_json_number(s) {
                        raw(s.to_owned())
                    } else {
                        raw(format!("{d:?}"))
                    }
                }
                _ => Json::Str(Cow::Owned(text)),
            },
        }
    }

    /// Whether `s` is a number in JSON's grammar.
    fn is_json_number(s: &str) -> bool {
        let b = s.as_bytes();
        let mut i = 0;
        let digits = |i: &mut usize| {
            let start = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            *i - start
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                digits(&mut i);
            }
            _ => return false,
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if digits(&mut i) == 0 {
                return false;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                return false;
            }
        }
        i == b.len()
    }

    fn is_empty(value: &Value) -> bool {
        match value {
            Value::String(s) => s.is_empty(),
            Value::Null => true,
            Value::List(items) => items.is_empty(),
            _ => false,
        }
    }

    /// One value on its way into the JSON text.
    #[derive(Debug)]
    enum Json<'a> {
        /// Quoted and escaped.
        Str(Cow<'a, [u8]>),
        /// Written as it is (numbers, `true`, `null`, literals).
        Raw(Cow<'a, [u8]>),
        /// An array of strings.
        List(Cow<'a, [Vec<u8>]>),
    }

    /// `d` as C's `printf("%.17g")` writes it, which is how syslog-ng's
    /// `g_ascii_dtostr()` puts a double into JSON (6.9 is
    /// `6.9000000000000004`), independent of the locale.
    pub(super) fn g17(d: f64) -> String {
        const DIGITS: i32 = 17;
        if d == 0.0 {
            return if d.is_sign_negative() { "-0" } else { "0" }.to_owned();
        }
        let scientific = format!("{:.*e}", (DIGITS - 1) as usize, d);
        let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
        let exponent: i32 = exponent.parse().unwrap_or(0);
        if !(-4..DIGITS).contains(&exponent) {
            let sign = if exponent < 0 { '-' } else { '+' };
            let mantissa = without_trailing_zeros(mantissa);
            format!("{mantissa}e{sign}{:02}", exponent.abs())
        } else {
            let decimals = (DIGITS - 1 - exponent) as usize;
            without_trailing_zeros(&format!("{d:.decimals$}")).to_owned()
        }
    }

    /// `%g`'s trimming: no trailing zeros after the point, nor a bare point.
    fn without_trailing_zeros(number: &str) -> &str {
        if number.contains('.') {
            number.trim_end_matches('0').trim_end_matches('.')
        } else {
            number
        }
    }

    impl<'a> Json<'a> {
        fn of(value: &'a Value) -> Json<'a> {
            match value {
                Value::String(s) => Json::Str(Cow::Borrowed(&s[..])),
                Value::Int(_) | Value::Bool(_) => Json::Raw(Cow::Owned(value.to_text())),
                Value::Double(d) if d.is_finite() => Json::Raw(Cow::Owned(g17(*d).into_bytes())),
                Value::Double(_) | Value::DateTime(_) => Json::Str(Cow::Owned(value.to_text())),
                Value::Null => Json::Raw(Cow::Borrowed(b"null")),
                Value::List(items) => Json::List(Cow::Borrowed(items)),
            }
        }

        fn is_empty(&self) -> bool {
            match self {
                Json::Str(s) => s.is_empty(),
                Json::Raw(r) => r.is_empty() || r.as_ref() == b"null",
                Json::List(l) => l.is_empty(),
            }
        }

        fn write(&self, out: &mut Vec<u8>) {
            match self {
                Json::Str(s) => {
                    out.push(b'"');
                    escape(s, out);
                    out.push(b'"');
                }
                Json::Raw(r) => out.extend_from_slice(r),
                Json::List(items) => {
                    out.push(b'[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        out.push(b'"');
                        escape(item, out);
                        out.push(b'"');
                    }
                    out.push(b']');
                }
            }
        }
    }

    /// syslog-ng's key splitting: `.` separates unless the segment would be
    /// empty; `@` followed by digits (and `.digits` groups) stays in one
    /// segment, for SD-IDs such as `example@32473.1`.
    fn split_key(name: &str) -> Vec<&str> {
        let b = name.as_bytes();
        let mut tokens = Vec::new();
        let (mut start, mut end) = (0, 0);
        while end < b.len() {
            match b[end] {
                b'@' => loop {
                    end += 1;
                    while end < b.len() && b[end].is_ascii_digit() {
                        end += 1;
                    }
                    if !(b.get(end) == Some(&b'.')
                        && b.get(end + 1).is_some_and(u8::is_ascii_digit))
                    {
                        break;
                    }
                },
                b'.' if start != end => {
                    tokens.push(&name[start..end]);
                    end += 1;
                    start = end;
                }
                _ => {
                    end += 1;
                    while end < b.len() && !matches!(b[end], b'@' | b'.') {
                        end += 1;
                    }
                }
            }
        }
        if start != end {
            tokens.push(&name[start..end]);
        }
        tokens
    }

    /// syslog-ng's `value_pairs_walk` with format-json's callbacks.
    fn write_tree(entries: &[(String, Json<'_>)], out: &mut Vec<u8>) {
        let mut stack: Vec<String> = Vec::new();
        let mut need_comma = false;
        out.push(b'{');
        for (name, value) in entries {
            while let Some(prefix) = stack.last() {
                if name.as_bytes().starts_with(prefix.as_bytes()) {
                    break;
                }
                stack.pop();
                out.push(b'}');
                need_comma = true;
            }
            let tokens = split_key(name);
            let Some((key, _)) = tokens.split_last() else {
                continue;
            };
            for i in stack.len()..tokens.len() - 1 {
                if need_comma {
                    out.push(b',');
                }
                out.push(b'"');
                escape(tokens[i].as_bytes(), out);
                out.extend_from_slice(b"\":{");
                need_comma = false;
                stack.push(tokens[..=i].join("."));
            }
            if need_comma {
                out.push(b',');
            }
            out.push(b'"');
            escape(key.as_bytes(), out);
            out.extend_from_slice(b"\":");
            value.write(out);
            need_comma = true;
        }
        for _ in stack {
            out.push(b'}');
        }
        out.push(b'}');
    }

    /// syslog-ng's JSON string escaping (`append_unsafe_utf8_as_escaped_text`).
    fn escape(text: &[u8], out: &mut Vec<u8>) {
        const JSON: EscapeStyle = EscapeStyle {
            quote: Some('"'),
            control: |c, out| {
                let _ = std::io::Write::write_fmt(out, format_args!("\\u{c:04x}"));
            },
            // An escaped backslash, then `xNN`.
            invalid: |b, out| {
                out.push(b'\\');
                hex_escape(b, out);
            },
        };
        escape_unsafe_utf8(text, &JSON, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;
    use std::sync::Arc;

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

    #[test]
    fn format_json_escapes_invalid_utf8_and_controls() {
        let mut m = LogMessage::new();
        m.set_str("v", b"a\xffb\x02\\");
        assert_eq!(
            render("$(format-json v=$v)", &m),
            r#"{"v":"a\\xffb\u0002\\"}"#
        );
    }

    /// The message of the format-json comparisons: what syslog-ng 3.38 had
    /// after a python-fetcher in source `s` (tags("t1")) posted it.
    fn json_sample() -> LogMessage {
        let mut m = LogMessage::with_message("hello \"world\"\n\ttab\x01");
        m.stamp = Timestamp {
            secs: 1709622489,
            usec: 123456,
            offset: 0,
        };
        for (k, v) in [
            ("HOST", "h"),
            ("PROGRAM", "app"),
            ("PID", "42"),
            ("MSGID", "ID1"),
            ("zeta", "z"),
            ("alpha", "a"),
            ("foo.bar", "fb"),
            ("foo.baz.qux", "fbq"),
            ("foo", "conflict"),
            (".dot.x", "dx"),
            (".SDATA.meta.a", "1"),
            ("num", "5"),
            ("empty", ""),
            ("uni", "é€"),
            ("HOST_FROM", "vm"),
            ("SOURCE", "s"),
        ] {
            m.set_str(k, v);
        }
        m.add_tag(&Arc::from("t1"));
        m.add_tag(&Arc::from(".source.s"));
        m
    }

    /// Expected texts are syslog-ng 3.38's output for the same message and
    /// template (see the module doc of `format_json` for the differences).
    #[test]
    fn format_json_scopes_match_syslog_ng() {
        let m = json_sample();
        let msg = r#""MESSAGE":"hello \"world\"\n\ttab\u0001""#;
        let nv = r#""zeta":"z","uni":"é€","num":"5","foo":{"baz":{"qux":"fbq"},"bar":"fb","foo":"conflict"},"empty":"","alpha":"a""#;
        let cases = [
            (
                "$(format-json --scope nv-pairs)",
                format!(
                    r#"{{{nv},"SOURCE":"s","PROGRAM":"app","PID":"42","MSGID":"ID1",{msg},"HOST_FROM":"vm","HOST":"h"}}"#
                ),
            ),
            (
                "$(format-json --scope dot-nv-pairs)",
                r#"{"_dot":{"x":"dx"},"_SDATA":{"meta":{"a":"1"}}}"#.to_owned(),
            ),
            (
                "$(format-json --scope all-nv-pairs)",
                format!(
                    r#"{{{nv},"_dot":{{"x":"dx"}},"_SDATA":{{"meta":{{"a":"1"}}}},"SOURCE":"s","PROGRAM":"app","PID":"42","MSGID":"ID1",{msg},"HOST_FROM":"vm","HOST":"h"}}"#
                ),
            ),
            (
                "$(format-json --scope rfc5424)",
                format!(
                    r#"{{"_SDATA":{{"meta":{{"a":"1"}}}},"PROGRAM":"app","PRIORITY":"notice","PID":"42","MSGID":"ID1",{msg},"HOST":"h","FACILITY":"user","DATE":"Mar  5 07:08:09"}}"#
                ),
            ),
            (
                "$(format-json --scope rfc3164)",
                format!(
                    r#"{{"PROGRAM":"app","PRIORITY":"notice","PID":"42",{msg},"HOST":"h","FACILITY":"user","DATE":"Mar  5 07:08:09"}}"#
                ),
            ),
            (
                "$(format-json --scope selected-macros)",
                format!(
                    r#"{{"TAGS":"t1,.source.s","SOURCEIP":"127.0.0.1","PROGRAM":"app","PRIORITY":"notice","PID":"42",{msg},"HOST":"h","FACILITY":"user","DATE":"Mar  5 07:08:09"}}"#
                ),
            ),
            (
                "$(format-json --scope sdata)",
                r#"{"_SDATA":{"meta":{"a":"1"}}}"#.to_owned(),
            ),
            ("$(format-json)", "{}".to_owned()),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template, &m), expected, "{template}");
        }
    }

    #[test]
    fn format_json_keys_pairs_and_excludes_match_syslog_ng() {
        let m = json_sample();
        let cases = [
            (
                "$(format-json --key foo.* --key alpha)",
                r#"{"foo":{"baz":{"qux":"fbq"},"bar":"fb"},"alpha":"a"}"#,
            ),
            (
                "$(format-json --pair x=$HOST y=${PID}z --pair a.b=1 c.d=$PROGRAM)",
                r#"{"y":"42z","x":"h","c":{"d":"app"},"a":{"b":"1"}}"#,
            ),
            (
                "$(format-json --scope nv-pairs --exclude foo* --exclude *O*)",
                r#"{"zeta":"z","uni":"é€","num":"5","empty":"","alpha":"a","PID":"42","MSGID":"ID1","MESSAGE":"hello \"world\"\n\ttab\u0001"}"#,
            ),
            (
                "$(format-json --scope nv-pairs --exclude foo* --key foo.bar --exclude HOST_FROM,SOURCE --exclude MESSAGE)",
                r#"{"zeta":"z","uni":"é€","num":"5","foo":{"bar":"fb"},"empty":"","alpha":"a","PROGRAM":"app","PID":"42","MSGID":"ID1","HOST":"h"}"#,
            ),
            (
                "$(format-json MSG=$MSG)",
                r#"{"MSG":"hello \"world\"\n\ttab\u0001"}"#,
            ),
            ("$(format-json --key .dot*)", r#"{"_dot":{"x":"dx"}}"#),
            (
                "$(format-json --key ?lph? --key *et? --key *z*z*)",
                r#"{"zeta":"z","alpha":"a"}"#,
            ),
            ("$(format-json --key _dot*)", "{}"),
            (
                "$(format-json --key ISODATE --key HOST)",
                r#"{"ISODATE":"2024-03-05T07:08:09+00:00","HOST":"h"}"#,
            ),
            (
                "$(format-json --key MSG --key MESSAGE --key LEVEL)",
                r#"{"MSG":"hello \"world\"\n\ttab\u0001","MESSAGE":"hello \"world\"\n\ttab\u0001","LEVEL":"notice"}"#,
            ),
            ("$(format-json --key foo.bar --exclude foo*)", "{}"),
            ("$(format-json --pair x=1 --exclude x)", r#"{"x":"1"}"#),
            (
                "$(format-json --pair e=$NOTEXIST f=${NOTEXIST} g=)",
                r#"{"g":"","f":"","e":""}"#,
            ),
            (
                "$(format-json --pair .p=1 --pair q.=2)",
                r#"{"q":"2","_p":"1"}"#,
            ),
            (
                "$(format-json --scope rfc3164 --exclude DATE --exclude MESSAGE)",
                r#"{"PROGRAM":"app","PRIORITY":"notice","PID":"42","HOST":"h","FACILITY":"user"}"#,
            ),
            (
                "$(format-json --scope dot-nv-pairs --scope nv-pairs --exclude * --key PROGRAM)",
                r#"{"PROGRAM":"app"}"#,
            ),
            (
                "$(format-json HOST=$HOST --key PROGRAM --pair HOST=x)",
                r#"{"PROGRAM":"app","HOST":"x"}"#,
            ),
            (
                "$(format-json --pair 'l=a b' \"m=c d\" k=$(format-json --key PROGRAM))",
                r#"{"m":"c d","l":"a b","k":"{\"PROGRAM\":\"app\"}"}"#,
            ),
            (r"$(format-json  x=a\ b )", r#"{"x":"a b"}"#),
            ("$(format-json -s none -k PROGRAM)", r#"{"PROGRAM":"app"}"#),
            (
                "$(format-json --scope=rfc3164 --exclude=DATE,MESSAGE,P*)",
                r#"{"HOST":"h","FACILITY":"user"}"#,
            ),
            (
                "$(format-json --key PROGRAM -- --key)",
                r#"{"PROGRAM":"app"}"#,
            ),
            (
                "$(format-json --key foo.* --rekey foo.* --add-prefix pre.)",
                r#"{"pre":{"foo":{"baz":{"qux":"fbq"},"bar":"fb"}}}"#,
            ),
            (
                "$(format-json --key foo.b* --shift 2)",
                r#"{"o":{"baz":{"qux":"fbq"},"bar":"fb"}}"#,
            ),
            (
                "$(format-json --key foo.b* --replace-prefix foo=zz)",
                r#"{"zz":{"baz":{"qux":"fbq"},"bar":"fb"}}"#,
            ),
            (
                "$(format-json --leave-initial-dot --key .SDATA.*)",
                r#"{".SDATA":{"meta":{"a":"1"}}}"#,
            ),
            (
                "$(format-json --omit-empty-values --key empty --pair f=)",
                "{}",
            ),
        ];
        for (template, expected) in cases {
            assert_eq!(render(template, &m), expected, "{template}");
        }
    }

    #[test]
    fn format_json_nests_as_syslog_ng_walks() {
        let mut m = LogMessage::with_message("m");
        for (k, v) in [
            ("foo.a", "1"),
            ("foo-b", "2"),
            ("foo-c.x", "3"),
            ("foo", "4"),
            ("foobar.y", "5"),
            ("a..b", "dd"),
            ("trail.", "tr"),
            ("x@1.2.y", "at"),
            (".SDATA.ex@32473.1.2.b", "v"),
            (".SDATA.ex@32473.c", "w"),
        ] {
            m.set_str(k, v);
        }
        m.set("bin", Value::string(b"a\xffb\x7f"));
        // syslog-ng 3.38's output for the same names.
        assert_eq!(
            render("$(format-json --key foo*)", &m),
            r#"{"foobar":{"y":"5"},"foo":{"a":"1","x":"3","foo-b":"2","foo":"4"}}"#
        );
        assert_eq!(
            render("$(format-json --key bin --key a..b --key trail.)", &m),
            "{\"trail\":\"tr\",\"bin\":\"a\\\\xffb\x7f\",\"a\":{\".b\":\"dd\"}}"
        );
        m.set_str("esc", "©x\x7f\x1f\u{2028}");
        assert_eq!(
            render("$(format-json --key esc)", &m),
            "{\"esc\":\"©x\x7f\\u001f\u{2028}\"}"
        );
        assert_eq!(
            render("$(format-json --key x@*)", &m),
            r#"{"x@1.2":{"y":"at"}}"#
        );
        assert_eq!(
            render("$(format-json --scope sdata)", &m),
            r#"{"_SDATA":{"ex@32473":{"c":"w","b":"v"}}}"#
        );
    }

    #[test]
    fn named_templates_render_where_they_are_used() {
        clear_named_templates();
        define_named_template("t_inner", "<$PROGRAM:$(uppercase $MSG)>");
        let mut m = LogMessage::with_message("query slow");
        m.set_str("PROGRAM", "db");
        assert_eq!(
            render("A $(template t_inner) $(echo $(template t_inner)) B", &m),
            "A <db:QUERY SLOW> <db:QUERY SLOW> B"
        );
        let err = Template::compile("$(template nope)").unwrap_err();
        assert!(err.message.contains("unknown template 'nope'"), "{err}");
        clear_named_templates();
    }

    #[test]
    fn chained_hosts_show_their_first_host_and_fullhost_the_chain() {
        let mut m = LogMessage::with_message("m");
        m.set_str("HOST", "group@origin/relay");
        m.set_str("HOST_FROM", "relay");
        assert_eq!(
            render("$HOST|$FULLHOST|$FULLHOST_FROM", &m),
            "group@origin/relay|group@origin/relay|relay"
        );
        m.chained_host = true;
        assert_eq!(
            render("$HOST|${HOST}|$FULLHOST", &m),
            "origin|origin|group@origin/relay"
        );
    }

    #[test]
    fn escaping_applies_to_substitutions_of_the_template_only() {
        let mut m = LogMessage::with_message("it's \"x\"\n");
        m.set_str("v", "a\\b");
        let options = TemplateOptions {
            escape: true,
            ..TemplateOptions::default()
        };
        let t = Template::compile("'$MSG' $v $(echo $v)")
            .unwrap()
            .with_options(options);
        let mut out = Vec::new();
        t.render(&m, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "'it\\'s \\\"x\\\"\\012' a\\\\b a\\b"
        );
    }

    #[test]
    fn doubles_are_written_as_printf_g17_writes_them() {
        use super::format_json::g17;
        let cases = [
            (6.9, "6.9000000000000004"),
            (1.5, "1.5"),
            (0.5, "0.5"),
            (-2.0, "-2"),
            (0.0, "0"),
            (1e20, "1e+20"),
            (1e-5, "1.0000000000000001e-05"),
            (123456789.125, "123456789.125"),
            (0.0001, "0.0001"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
        ];
        for (d, text) in cases {
            assert_eq!(g17(d), text, "{d}");
        }
    }

    #[test]
    fn format_json_keeps_value_types() {
        let mut m = LogMessage::with_message("m");
        m.set("i", Value::Int(-7));
        m.set("d", Value::Double(6.9));
        m.set("nan", Value::Double(f64::NAN));
        m.set("b", Value::Bool(true));
        m.set("z", Value::Null);
        m.set("l", Value::List(vec![b"a".to_vec(), b"b,\"c".to_vec()]));
        m.set(
            "t",
            Value::DateTime(Timestamp {
                secs: 1700000000,
                usec: 5000,
                offset: 0,
            }),
        );
        assert_eq!(
            render("$(format-json --key i,d,nan,b,z,l,t)", &m),
            r#"{"z":null,"t":"1700000000.005","nan":"NaN","l":["a","b,\"c"],"i":-7,"d":6.9000000000000004,"b":true}"#
        );
        // A pair that is exactly one value reference keeps its type; type
        // hints cast, a failed cast stays a string.
        assert_eq!(
            render(
                "$(format-json x=$i y=${i}0 n=int(5) c=int(x) f=double(1.5) g=double(.5) t=boolean(True) u=boolean(0) s=string(7) l=list(a,b) j=literal({}))",
                &m
            ),
            r#"{"y":"-70","x":-7,"u":false,"t":true,"s":"7","n":5,"l":["a","b"],"j":{},"g":0.5,"f":1.5,"c":"x"}"#
        );
    }

    #[test]
    fn format_json_cast_writes_every_value_as_text_but_type_hints() {
        let mut m = LogMessage::with_message("m");
        m.set("i", Value::Int(-7));
        m.set("d", Value::Double(1.5));
        m.set("b", Value::Bool(true));
        m.set("z", Value::Null);
        m.set("l", Value::List(vec![b"a".to_vec(), b"b c".to_vec()]));
        assert_eq!(
            render("$(format-json --cast --key i,d,b,z,l x=$i n=int(5))", &m),
            r#"{"z":"","x":"-7","n":5,"l":"a,\"b c\"","i":"-7","d":"1.500000","b":"true"}"#
        );
        assert_eq!(
            render("$(format-json --no-cast --key i,d)", &m),
            r#"{"i":-7,"d":1.5}"#
        );
    }

    #[test]
    fn format_json_errors_name_the_problem() {
        for (template, needle) in [
            ("$(format-json --bogus)", "unknown option --bogus"),
            ("$(format-json --scope bogus)", "unknown scope 'bogus'"),
            ("$(format-json --pair noequal)", "expected an equal sign"),
            ("$(format-json --add-prefix x)", "without --key or --rekey"),
            ("$(format-json x=nstring(a))", "unknown type 'nstring'"),
            ("$(format-json --key x", "imbalanced"),
            ("$(no-such-function)", "unknown template function"),
        ] {
            let err = Template::compile(template).unwrap_err();
            assert!(err.message.contains(needle), "{template}: {err}");
            assert_eq!(err.offset, 0);
        }
    }

    #[test]
    fn sdata_follows_syslog_ng_order_and_escaping() {
        let sd = |names: &[(&str, &str)]| {
            let mut m = LogMessage::with_message("m");
            for (k, v) in names {
                m.set_str(k, *v);
            }
            render("$SDATA", &m)
        };
        // syslog-ng 3.38's $SDATA for the same names, set in this order.
        assert_eq!(
            sd(&[
                (".SDATA.a.x", "0"),
                (".SDATA.b.x", "1"),
                (".SDATA.a.y", "2"),
                (".SDATA.c.x", "3"),
                (".SDATA.b.y", "4")
            ]),
            r#"[c x="3"][b x="1" y="4"][a x="0" y="2"]"#
        );
        assert_eq!(
            sd(&[
                (".SDATA.a.x", "a.x"),
                (".SDATA.b.y", "b.y"),
                (".SDATA.a.z", "a.z"),
                (".SDATA.a.w", "a.w"),
                (".SDATA.b.v", "b.v"),
                (".SDATA.ab.q", "ab.q"),
                (".SDATA.a.u", "a.u")
            ]),
            r#"[ab q="ab.q"][b y="b.y" v="b.v"][a x="a.x" z="a.z" w="a.w" u="a.u"]"#
        );
        assert_eq!(
            sd(&[
                (".SDATA.q.r.s", "0"),
                (".SDATA.solo", "1"),
                (".SDATA.a.z", "2")
            ]),
            r#"[a z="2"][q.r s="0"][solo]"#
        );
        assert_eq!(
            sd(&[
                (".SDATA.meta.a", "1"),
                (".SDATA.ex@123.b", "q\"u]o\\te"),
                (".SDATA.meta.c", "3"),
                (".SDATA.zz.k", "")
            ]),
            r#"[zz k=""][ex@123 b="q\"u\]o\\te"][meta a="1" c="3"]"#
        );
        assert_eq!(sd(&[("plain", "x")]), "");
        assert_eq!(render("$SOURCEIP", &LogMessage::new()), "127.0.0.1");
        let mut from_peer = LogMessage::new();
        from_peer.set_str("SOURCEIP", "192.0.2.10");
        assert_eq!(render("$SOURCEIP", &from_peer), "192.0.2.10");
    }
}
