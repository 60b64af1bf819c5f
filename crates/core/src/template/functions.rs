//! syslog-ng's string and numeric template functions (`$(echo ...)`,
//! `$(lowercase ...)`, `$(substr ...)`, `$(+ a b)` …): each argument is a
//! template of its own, rendered first; the function works on the texts.

mod lists;

use super::{Render, Template, TemplateError};
use crate::filter::Filter;
use crate::message::LogMessage;
use lists::ListFunction;
use std::sync::{Arc, OnceLock};

/// Compiles the filter expression of `$(if (FILTER) THEN ELSE)` (the
/// configuration language owns filter syntax and registers this).
pub type FilterCompiler = fn(&str) -> Result<Filter, String>;

static FILTER_COMPILER: OnceLock<FilterCompiler> = OnceLock::new();

/// Lets `$(if)` read filter expressions; the first registration stays.
pub fn set_filter_compiler(compiler: FilterCompiler) {
    let _ = FILTER_COMPILER.set(compiler);
}

/// The filter of an `$(if)`; two are equal when they are the same one.
#[derive(Clone, Debug)]
struct Condition(Arc<Filter>);

impl PartialEq for Condition {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// A compiled call of one of these functions.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct SimpleFunction {
    kind: Kind,
    args: Vec<Template>,
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// `$(if (FILTER) THEN ELSE)`: the then or the else argument.
    If(Condition),
    /// The arguments joined by a space.
    Echo,
    Lowercase,
    Uppercase,
    /// Each argument without blanks around it; empty ones left out.
    Strip,
    /// Each argument's length in bytes.
    Length,
    Substr,
    Sanitize {
        ctrl_chars: bool,
        invalid: Vec<u8>,
        replacement: u8,
    },
    ReplaceDelimiter,
    Padding {
        width: usize,
        pattern: Vec<u8>,
    },
    Base64Encode,
    UrlEncode,
    UrlDecode,
    Env,
    /// A hex digest of the arguments, cut to `length` characters when set.
    Hash {
        algorithm: Digest,
        length: Option<usize>,
    },
    /// The first non-empty argument.
    Or,
    IndentMultiLine,
    Arithmetic(Op),
    Round,
    Ceil,
    Floor,
    /// A list or path function (`lists.rs`).
    List(ListFunction),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Digest {
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// The names this module compiles.
pub(super) fn knows(name: &str) -> bool {
    matches!(
        name,
        "if" | "echo"
            | "lowercase"
            | "uppercase"
            | "strip"
            | "length"
            | "substr"
            | "sanitize"
            | "replace-delimiter"
            | "padding"
            | "base64-encode"
            | "url-encode"
            | "urlencode"
            | "url-decode"
            | "urldecode"
            | "env"
            | "md5"
            | "sha1"
            | "sha256"
            | "sha512"
            | "hash"
            | "or"
            | "indent-multi-line"
            | "+"
            | "-"
            | "*"
            | "/"
            | "%"
            | "round"
            | "ceil"
            | "floor"
    ) || ListFunction::named(name).is_some()
}

fn compile_args(args: &[String], offset: usize) -> Result<Vec<Template>, TemplateError> {
    args.iter()
        .map(|a| {
            Template::compile(a).map_err(|e| TemplateError {
                offset,
                message: format!("in an argument: {}", e.message),
            })
        })
        .collect()
}

impl SimpleFunction {
    /// Compiles `$(name args...)`; `offset` is where the `$` was.
    pub(super) fn compile(
        name: &str,
        args: &[String],
        offset: usize,
    ) -> Result<SimpleFunction, TemplateError> {
        let error = |message: String| TemplateError { offset, message };
        let (kind, args) = match name {
            "if" => {
                let [filter, then, otherwise] = args else {
                    return Err(error("$(if) requires three arguments".into()));
                };
                let compile = FILTER_COMPILER.get().ok_or_else(|| {
                    error("$(if) needs the configuration language to read its filter".into())
                })?;
                let filter = compile(filter).map_err(|e| error(format!("$(if): {e}")))?;
                return Ok(SimpleFunction {
                    kind: Kind::If(Condition(Arc::new(filter))),
                    args: compile_args(&[then.clone(), otherwise.clone()], offset)?,
                });
            }
            "echo" => (Kind::Echo, args),
            "lowercase" => (Kind::Lowercase, args),
            "uppercase" => (Kind::Uppercase, args),
            "strip" => (Kind::Strip, args),
            "length" => (Kind::Length, args),
            "substr" => (Kind::Substr, args),
            "sanitize" => sanitize(args).map_err(error)?,
            "replace-delimiter" => (Kind::ReplaceDelimiter, args),
            "padding" => {
                let (Some(_), Some(width)) = (args.first(), args.get(1)) else {
                    return Err(error(
                        "$(padding) Not enough arguments, usage $(padding <input> <width> [padding string])"
                            .into(),
                    ));
                };
                let width: usize = width.trim().parse().map_err(|_| {
                    error("Padding template function requires a number as second argument!".into())
                })?;
                let fill = args.get(2).map(String::as_bytes).filter(|f| !f.is_empty());
                let pattern = match fill {
                    Some(fill) => fill.iter().copied().cycle().take(width).collect(),
                    None => vec![b' '; width],
                };
                (Kind::Padding { width, pattern }, &args[..1])
            }
            "base64-encode" => (Kind::Base64Encode, args),
            "url-encode" | "urlencode" => (Kind::UrlEncode, args),
            "url-decode" | "urldecode" => (Kind::UrlDecode, args),
            "env" => (Kind::Env, args),
            "md5" | "sha1" | "sha256" | "sha512" | "hash" => hash(name, args).map_err(error)?,
            "or" => (Kind::Or, args),
            "indent-multi-line" => (Kind::IndentMultiLine, args),
            "+" => (Kind::Arithmetic(Op::Add), args),
            "-" => (Kind::Arithmetic(Op::Sub), args),
            "*" => (Kind::Arithmetic(Op::Mul), args),
            "/" => (Kind::Arithmetic(Op::Div), args),
            "%" => (Kind::Arithmetic(Op::Mod), args),
            "round" => (Kind::Round, args),
            "ceil" => (Kind::Ceil, args),
            "floor" => (Kind::Floor, args),
            _ => match ListFunction::named(name) {
                Some(f) => (Kind::List(f), args),
                None => return Err(error(format!("unknown template function '{name}'"))),
            },
        };
        Ok(SimpleFunction {
            kind,
            args: compile_args(args, offset)?,
        })
    }

    /// Whether an argument shows `$SEQNUM`.
    pub(super) fn uses_seqnum(&self) -> bool {
        self.args.iter().any(Template::uses_seqnum)
    }

    /// Appends the function's result for `msg`.
    pub(super) fn render(&self, msg: &LogMessage, cx: Render<'_>, out: &mut Vec<u8>) {
        if let Kind::If(Condition(filter)) = &self.kind {
            let branch = if filter.matches(msg) { 0 } else { 1 };
            self.args[branch].render_in(msg, cx, out);
            return;
        }
        let args: Vec<Vec<u8>> = self
            .args
            .iter()
            .map(|t| {
                let mut text = Vec::new();
                t.render_in(msg, cx, &mut text);
                text
            })
            .collect();
        match &self.kind {
            // Rendered before the arguments, above.
            Kind::If(_) => {}
            Kind::Echo => join(&args, b' ', out),
            Kind::Lowercase => join_mapped(&args, out, str::to_lowercase),
            Kind::Uppercase => join_mapped(&args, out, str::to_uppercase),
            Kind::Strip => {
                let start = out.len();
                for arg in &args {
                    let stripped = trim_c_space(arg);
                    if stripped.is_empty() {
                        continue;
                    }
                    if out.len() > start {
                        out.push(b' ');
                    }
                    out.extend_from_slice(stripped);
                }
            }
            Kind::Length => {
                let lengths: Vec<String> = args.iter().map(|a| a.len().to_string()).collect();
                out.extend_from_slice(lengths.join(" ").as_bytes());
            }
            Kind::Substr => substr(&args, out),
            Kind::Sanitize {
                ctrl_chars,
                invalid,
                replacement,
            } => {
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.push(b'/');
                    }
                    out.extend(arg.iter().map(|&b| {
                        if (*ctrl_chars && b < 32) || invalid.contains(&b) {
                            *replacement
                        } else {
                            b
                        }
                    }));
                }
            }
            Kind::ReplaceDelimiter => {
                let [delimiters, replacement, text] = &args[..] else {
                    tracing::error!(
                        "$(replace-delimiter) parsing failed, wrong number of arguments"
                    );
                    return;
                };
                // An empty replacement is a NUL, which ends the (C string) result.
                let new = replacement.first().copied().unwrap_or(0);
                for &b in text {
                    match (delimiters.contains(&b), new) {
                        (true, 0) => break,
                        (true, _) => out.push(new),
                        (false, _) => out.push(b),
                    }
                }
            }
            Kind::Padding { width, pattern } => {
                let text = args.first().map_or(&[][..], Vec::as_slice);
                if text.len() < *width {
                    out.extend_from_slice(&pattern[..width - text.len()]);
                }
                out.extend_from_slice(text);
            }
            Kind::Base64Encode => base64_encode(&args.concat(), out),
            Kind::UrlEncode => {
                for arg in &args {
                    url_encode(arg, out);
                }
            }
            Kind::UrlDecode => {
                for arg in &args {
                    match url_decode(arg) {
                        Some(decoded) => out.extend_from_slice(&decoded),
                        None => tracing::error!(
                            "Could not urldecode; str='{}'",
                            String::from_utf8_lossy(arg)
                        ),
                    }
                }
            }
            Kind::Env => {
                // Each set variable is followed by a space, but the last argument's.
                let last = args.len().saturating_sub(1);
                for (i, name) in args.iter().enumerate() {
                    let name = String::from_utf8_lossy(name);
                    if name.is_empty() {
                        continue;
                    }
                    if let Some(value) = std::env::var_os(name.as_ref()) {
                        out.extend_from_slice(value.as_encoded_bytes());
                        if i < last {
                            out.push(b' ');
                        }
                    }
                }
            }
            Kind::Hash { algorithm, length } => {
                let digest = algorithm.hex(&args.concat());
                let cut = length.filter(|l| (1..digest.len()).contains(l));
                out.extend_from_slice(&digest.as_bytes()[..cut.unwrap_or(digest.len())]);
            }
            Kind::Or => {
                if let Some(first) = args.iter().find(|a| !a.is_empty()) {
                    out.extend_from_slice(first);
                }
            }
            Kind::IndentMultiLine => {
                join(&args, b' ', out);
                // As syslog-ng, over the whole output so far, not only this
                // function's part of it.
                let mut i = 0;
                while i < out.len() {
                    if out[i] == b'\n' && out.get(i + 1) != Some(&b'\t') {
                        out.insert(i + 1, b'\t');
                    }
                    i += 1;
                }
            }
            Kind::Arithmetic(op) => arithmetic(*op, &args, out),
            Kind::List(f) => f.apply(&args, out),
            Kind::Round => round(&args, out),
            Kind::Ceil | Kind::Floor => {
                match (args.len(), args.first().and_then(|a| Number::parse(a))) {
                    (1, Some(n)) => {
                        let x = n.as_f64();
                        let r = if self.kind == Kind::Ceil {
                            x.ceil()
                        } else {
                            x.floor()
                        };
                        out.extend_from_slice((r as i64).to_string().as_bytes());
                    }
                    _ => out.extend_from_slice(b"NaN"),
                }
            }
        }
    }
}

/// C's `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn trim_c_space(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|b| !is_c_space(*b))
        .unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|b| !is_c_space(*b))
        .map_or(start, |e| e + 1);
    &text[start..end]
}

/// `$(md5|sha1|sha256|sha512|hash [--length N] args...)`.
fn hash<'a>(name: &str, args: &'a [String]) -> Result<(Kind, &'a [String]), String> {
    let algorithm = match name {
        "md5" => Digest::Md5,
        "sha1" => Digest::Sha1,
        "sha512" => Digest::Sha512,
        _ => Digest::Sha256,
    };
    let mut length = None;
    let mut rest = args;
    if let Some(first) = rest.first() {
        let attached = first.strip_prefix("--length=");
        if first == "--length" || first == "-l" || attached.is_some() {
            let (value, skip) = match attached {
                Some(v) => (Some(v), 1),
                None => (rest.get(1).map(String::as_str), 2),
            };
            let value = value.ok_or_else(|| format!("$({name}): missing argument for --length"))?;
            let parsed = value
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("$({name}): --length needs a number, got '{value}'"))?;
            length = Some(parsed);
            rest = &rest[skip.min(rest.len())..];
        }
    }
    if rest.is_empty() {
        return Err(format!(
            "$({name}) parsing failed, invalid number of arguments"
        ));
    }
    Ok((Kind::Hash { algorithm, length }, rest))
}

impl Digest {
    fn hex(self, data: &[u8]) -> String {
        use sha2::Digest as _;
        let bytes: Vec<u8> = match self {
            Digest::Md5 => md5::Md5::digest(data).to_vec(),
            Digest::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Digest::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Digest::Sha512 => sha2::Sha512::digest(data).to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn join(args: &[Vec<u8>], separator: u8, out: &mut Vec<u8>) {
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(separator);
        }
        out.extend_from_slice(arg);
    }
}

fn join_mapped(args: &[Vec<u8>], out: &mut Vec<u8>, map: impl Fn(&str) -> String) {
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(map(&String::from_utf8_lossy(arg)).as_bytes());
    }
}

/// `$(sanitize [--ctrl-chars|--no-ctrl-chars] [--invalid-chars S] [--replacement C] args...)`.
fn sanitize(args: &[String]) -> Result<(Kind, &[String]), String> {
    let mut ctrl_chars = true;
    let mut invalid = b"/".to_vec();
    let mut replacement = b'_';
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let (name, attached) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with('-') => (n, Some(v)),
            _ => (arg.as_str(), None),
        };
        let mut value = || -> Result<String, String> {
            if let Some(v) = attached {
                return Ok(v.to_owned());
            }
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("$(sanitize): missing argument for {name}"))
        };
        match name {
            "--ctrl-chars" | "-c" => ctrl_chars = true,
            "--no-ctrl-chars" | "-C" => ctrl_chars = false,
            "--invalid-chars" | "-i" => invalid = value()?.into_bytes(),
            "--replacement" | "-r" => replacement = value()?.bytes().next().unwrap_or(0),
            "--" => {
                i += 1;
                break;
            }
            other if other.starts_with('-') && other.len() > 1 => {
                return Err(format!("$(sanitize): unknown option {other}"));
            }
            _ => break,
        }
        i += 1;
    }
    Ok((
        Kind::Sanitize {
            ctrl_chars,
            invalid,
            replacement,
        },
        &args[i.min(args.len())..],
    ))
}

/// `$(substr TEXT START [LENGTH])`: negative START counts from the end, a
/// negative LENGTH leaves that many bytes off the end.
fn substr(args: &[Vec<u8>], out: &mut Vec<u8>) {
    if !(2..=3).contains(&args.len()) {
        return;
    }
    let text = &args[0];
    let size = text.len() as i64;
    let number = |arg: &[u8], what: &str| {
        let parsed = std::str::from_utf8(arg)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok());
        if parsed.is_none() {
            tracing::error!(
                "$(substr) parsing failed, {what} could not be parsed; {what}='{}'",
                String::from_utf8_lossy(arg)
            );
        }
        parsed
    };
    let Some(mut start) = number(&args[1], "start") else {
        return;
    };
    let mut len = match args.get(2) {
        Some(arg) => match number(arg, "length") {
            Some(len) => len,
            None => return,
        },
        None => size,
    };
    if len < 0 && -len > size {
        return;
    }
    len = len.min(size);
    if start >= size || (start < 0 && -start > size) {
        return;
    }
    if len < 0 && ((start < 0 && start > len) || (start >= 0 && len + size - start < 0)) {
        return;
    }
    if start < 0 {
        start = (start + size).max(0);
    }
    if len < 0 {
        len += size - start;
        if len < 0 {
            return;
        }
    }
    let end = (start + len).min(size);
    if end > start {
        out.extend_from_slice(&text[start as usize..end as usize]);
    }
}

fn base64_encode(data: &[u8], out: &mut Vec<u8>) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]);
            } else {
                out.push(b'=');
            }
        }
    }
}

/// Percent-encodes all but unreserved characters (RFC 3986).
fn url_encode(data: &[u8], out: &mut Vec<u8>) {
    for &b in data {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
}

/// Decodes `%XX` escapes; `None` for a broken escape or `%00`.
fn url_decode(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i] != b'%' {
            out.push(data[i]);
            i += 1;
            continue;
        }
        let hex = std::str::from_utf8(data.get(i + 1..i + 3)?).ok()?;
        let b = u8::from_str_radix(hex, 16).ok().filter(|b| *b != 0)?;
        out.push(b);
        i += 3;
    }
    Some(out)
}

/// An argument of the numeric functions.
#[derive(Clone, Copy)]
enum Number {
    Int(i64),
    Double(f64),
}

impl Number {
    /// An integer when all of the text is one (`strtoll`: blanks and a
    /// sign before it), else a double (`strtod`: also `1e3`, `0x10`, `.5`,
    /// `inf`, `nan`), else nothing.
    fn parse(text: &[u8]) -> Option<Number> {
        let text = std::str::from_utf8(text).ok()?;
        let text = text.trim_start_matches(|c: char| c.is_ascii() && is_c_space(c as u8));
        if let Ok(i) = text.parse::<i64>() {
            return Some(Number::Int(i));
        }
        let (sign, digits) = match text.strip_prefix('-') {
            Some(rest) => (-1.0, rest),
            None => (1.0, text.strip_prefix('+').unwrap_or(text)),
        };
        if let Some(hex) = digits
            .strip_prefix("0x")
            .or_else(|| digits.strip_prefix("0X"))
        {
            return u64::from_str_radix(hex, 16)
                .ok()
                .map(|v| Number::Double(sign * v as f64));
        }
        let plain = digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
        let special = matches!(
            digits.to_ascii_lowercase().as_str(),
            "inf" | "infinity" | "nan"
        );
        if !(plain || special) {
            return None;
        }
        digits.parse::<f64>().ok().map(|v| Number::Double(sign * v))
    }

    fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Double(d) => d,
        }
    }

    fn is_zero(self) -> bool {
        match self {
            Number::Int(i) => i == 0,
            Number::Double(d) => d.abs() < f64::EPSILON,
        }
    }
}

/// A double as `%.20f` writes it (`nan` in lower case).
fn write_double(value: f64, out: &mut Vec<u8>) {
    if value.is_nan() {
        out.extend_from_slice(if value.is_sign_negative() {
            b"-nan"
        } else {
            b"nan"
        });
    } else {
        out.extend_from_slice(format!("{value:.20}").as_bytes());
    }
}

fn arithmetic(op: Op, args: &[Vec<u8>], out: &mut Vec<u8>) {
    let parsed = match args {
        [a, b] => Number::parse(a).zip(Number::parse(b)),
        _ => None,
    };
    let Some((a, b)) = parsed else {
        out.extend_from_slice(b"NaN");
        return;
    };
    if b.is_zero() && matches!(op, Op::Div | Op::Mod) {
        out.extend_from_slice(b"NaN");
        return;
    }
    match (a, b) {
        (Number::Int(x), Number::Int(y)) => {
            let r = match op {
                Op::Add => x.wrapping_add(y),
                Op::Sub => x.wrapping_sub(y),
                Op::Mul => x.wrapping_mul(y),
                Op::Div => x.wrapping_div(y),
                Op::Mod => x.wrapping_rem(y),
            };
            out.extend_from_slice(r.to_string().as_bytes());
        }
        _ => {
            let (x, y) = (a.as_f64(), b.as_f64());
            let r = match op {
                Op::Add => x + y,
                Op::Sub => x - y,
                Op::Mul => x * y,
                Op::Div => x / y,
                Op::Mod => x % y,
            };
            write_double(r, out);
        }
    }
}

/// `$(round N [PRECISION])`.
fn round(args: &[Vec<u8>], out: &mut Vec<u8>) {
    let number = args.first().and_then(|a| Number::parse(a));
    let precision = match args.get(1) {
        None => Some(0),
        Some(p) => std::str::from_utf8(p)
            .ok()
            .and_then(|p| p.parse::<usize>().ok())
            .filter(|p| *p <= 20),
    };
    match (args.len(), number, precision) {
        (1 | 2, Some(n), Some(precision)) => {
            let scale = 10f64.powi(precision as i32);
            let r = (n.as_f64() * scale).round() / scale;
            out.extend_from_slice(format!("{r:.precision$}").as_bytes());
        }
        _ => out.extend_from_slice(b"NaN"),
    }
}
