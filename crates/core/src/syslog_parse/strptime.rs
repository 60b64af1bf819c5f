//! `date-parser()` formats: a `strptime(3)` as syslog-ng's own (NetBSD's,
//! C locale, with `%f` for fractions and `%z` taking `Z`, `UTC`, `GMT`,
//! `±hh`, `±hhmm`, `±hh:mm` and the North American and military zone
//! letters), and the way syslog-ng fills in what a format leaves out.
//!
//! As in syslog-ng, the formats of one parser share what they read: a field
//! that a format which then failed did read stays for the next format, and
//! a `%Y` or `%m` that finds no number leaves 1900 or January behind.

use super::stamp::{days_from_civil, guess_year};
use super::zone::{TimeZoneSpec, offset_in, wall_clock_to_utc};
use crate::template::{MONTH_NAMES, WEEKDAY_NAMES};
use crate::timestamp::Timestamp;

/// What a format read from the text; `None` where it said nothing.
#[derive(Default, Debug)]
struct Fields {
    year: Option<i64>,
    /// 0-based.
    month: Option<i64>,
    day: Option<i64>,
    /// 0-based day of the year (`%j`), of the current format only.
    yday: Option<i64>,
    hour: Option<i64>,
    minute: Option<i64>,
    second: Option<i64>,
    usec: u32,
    /// Whether the current format read `%f`.
    read_usec: bool,
    /// Seconds east of UTC, when the text names a zone.
    offset: Option<i32>,
    /// `%s`, of the current format only.
    epoch: Option<i64>,
    /// Whether `%C` or `%y` of the current format set part of the year.
    split_year: bool,
}

impl Fields {
    /// Forgets what only counts within one format.
    fn start_format(&mut self) {
        self.yday = None;
        self.epoch = None;
        self.split_year = false;
        self.read_usec = false;
    }
}

/// Reads `text` with the first of `formats` that matches all of it, as a
/// point in time. A text without a zone is read with `zone`'s offset at
/// `now` (syslog-ng's receive time), or in local time without `zone`;
/// missing date parts come from `now` as syslog-ng guesses them.
pub fn parse_date(
    text: &str,
    formats: &[String],
    zone: Option<&TimeZoneSpec>,
    now: &Timestamp,
) -> Option<Timestamp> {
    let mut fields = Fields::default();
    for format in formats {
        fields.start_format();
        let rest = read(&mut fields, format.as_bytes(), text.as_bytes());
        if !fields.read_usec {
            fields.usec = 0;
        }
        if rest.is_some_and(<[u8]>::is_empty) {
            return Some(to_timestamp(&fields, zone, now));
        }
    }
    None
}

fn to_timestamp(f: &Fields, zone: Option<&TimeZoneSpec>, now: &Timestamp) -> Timestamp {
    if let Some(secs) = f.epoch {
        // An epoch is shown in local time unless the text names a zone.
        return Timestamp {
            secs,
            usec: f.usec,
            offset: f.offset.unwrap_or_else(|| offset_in(None, secs)),
        };
    }
    let here = Timestamp {
        offset: offset_in(zone, now.secs),
        ..*now
    };
    let (now_year, now_month, now_day, ..) = here.fields();
    let (mut year, mut month, mut day) = (f.year, f.month, f.day);
    if let (Some(y), Some(yday), None) = (year, f.yday, month.zip(day)) {
        let (m, d) = month_and_day_of(y, yday);
        month = month.or(Some(m));
        day = day.or(Some(d));
    }
    match (year, month, day) {
        (None, None, None) => {
            year = Some(i64::from(now_year));
            month = Some(i64::from(now_month) - 1);
            day = Some(i64::from(now_day));
        }
        (None, Some(m), Some(_)) => year = Some(guess_year(m + 1, zone, now)),
        _ => {
            year = year.or(Some(i64::from(now_year)));
            month = month.or(Some(0));
            day = day.or(Some(1));
        }
    }
    let (year, month, day) = (year.unwrap_or(1970), month.unwrap_or(0), day.unwrap_or(1));
    let hour = f.hour.unwrap_or(0);
    let days = days_from_civil(year + month.div_euclid(12), month.rem_euclid(12) + 1) + day - 1;
    let wall = days * 86_400 + hour * 3600 + f.minute.unwrap_or(0) * 60 + f.second.unwrap_or(0);
    let offset = f.offset.or_else(|| zone.map(|z| z.offset_at(now.secs)));
    let (secs, offset) = match offset {
        Some(offset) => (wall - i64::from(offset), offset),
        None => wall_clock_to_utc(None, wall),
    };
    Timestamp {
        secs,
        usec: f.usec,
        offset,
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// (0-based month, day) of a 0-based day of `year`.
fn month_and_day_of(year: i64, yday: i64) -> (i64, i64) {
    let lengths = [
        31,
        if is_leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut left = yday;
    for (month, length) in lengths.iter().enumerate() {
        if left < *length {
            return (month as i64, left + 1);
        }
        left -= length;
    }
    (11, 31)
}

/// Reads `input` by `format`; what is left of the input, or `None`.
fn read<'a>(f: &mut Fields, format: &[u8], mut input: &'a [u8]) -> Option<&'a [u8]> {
    let mut fmt = format.iter().copied().peekable();
    while let Some(c) = fmt.next() {
        if c.is_ascii_whitespace() {
            input = input.trim_ascii_start();
            continue;
        }
        if c != b'%' {
            input = input.strip_prefix(&[c])?;
            continue;
        }
        let mut conversion = fmt.next()?;
        // The E and O modifiers change nothing in the C locale.
        while matches!(conversion, b'E' | b'O') {
            conversion = fmt.next()?;
        }
        input = match conversion {
            b'%' => input.strip_prefix(b"%")?,
            b'c' => read(f, b"%a %b %e %H:%M:%S %Y", input)?,
            b'D' | b'x' => read(f, b"%m/%d/%y", input)?,
            b'F' => read(f, b"%Y-%m-%d", input)?,
            b'R' => read(f, b"%H:%M", input)?,
            b'r' => read(f, b"%I:%M:%S %p", input)?,
            b'T' | b'X' => read(f, b"%H:%M:%S", input)?,
            b'A' | b'a' => name(input, &WEEKDAY_NAMES)?.1,
            b'B' | b'b' | b'h' => {
                let (month, rest) = name(input, &MONTH_NAMES)?;
                f.month = Some(month as i64);
                rest
            }
            b'C' => {
                let Some((century, rest)) = number(input, 0, 99) else {
                    f.year = Some(2000);
                    return None;
                };
                let year = century * 100
                    + if f.split_year {
                        f.year.unwrap_or(0) % 100
                    } else {
                        0
                    };
                f.year = Some(year);
                f.split_year = true;
                rest
            }
            b'd' | b'e' => store(&mut f.day, number(input, 1, 31)?),
            b'f' => fraction(f, input)?,
            b'H' | b'k' => store(&mut f.hour, number(input, 0, 23)?),
            b'I' | b'l' => {
                let (hour, rest) = number(input, 1, 12)?;
                f.hour = Some(hour % 12);
                rest
            }
            b'j' => {
                let (day, rest) = number(input, 1, 366)?;
                f.yday = Some(day - 1);
                rest
            }
            b'M' => store(&mut f.minute, number(input, 0, 59)?),
            b'm' => {
                let Some((month, rest)) = number(input, 1, 12) else {
                    f.month = Some(0);
                    return None;
                };
                f.month = Some(month - 1);
                rest
            }
            b'p' => {
                let (index, rest) = name(input, &["AM", "PM"])?;
                if f.hour.is_some_and(|h| h > 11) {
                    return None;
                }
                if index == 1 {
                    f.hour = Some(f.hour.unwrap_or(0) + 12);
                }
                rest
            }
            b'S' => store(&mut f.second, number(input, 0, 61)?),
            b's' => {
                let digits = input.iter().take_while(|b| b.is_ascii_digit()).count();
                if digits == 0 {
                    return None;
                }
                let text = std::str::from_utf8(&input[..digits]).ok()?;
                f.epoch = Some(text.parse().ok()?);
                &input[digits..]
            }
            b'U' | b'W' | b'V' => number(input, 0, 53)?.1,
            b'w' => number(input, 0, 6)?.1,
            b'u' => number(input, 1, 7)?.1,
            b'g' => number(input, 0, 99)?.1,
            b'G' => {
                input.first()?;
                let digits = input[1..].iter().take_while(|b| b.is_ascii_digit()).count();
                &input[1 + digits..]
            }
            b'Y' => {
                let Some((year, rest)) = number(input, 0, 9999) else {
                    f.year = Some(1900);
                    return None;
                };
                f.year = Some(year);
                rest
            }
            b'y' => {
                let Some((two, rest)) = number(input, 0, 99) else {
                    f.year = Some(if f.split_year {
                        f.year.unwrap_or(0) / 100 * 100
                    } else {
                        2000
                    });
                    return None;
                };
                let year = if f.split_year {
                    f.year.unwrap_or(0) / 100 * 100 + two
                } else if two <= 68 {
                    2000 + two
                } else {
                    1900 + two
                };
                f.year = Some(year);
                f.split_year = true;
                rest
            }
            b'z' | b'Z' => zone(f, input, conversion == b'z')?,
            b'n' | b't' => input.trim_ascii_start(),
            _ => return None,
        };
    }
    Some(input)
}

fn store<'a>(slot: &mut Option<i64>, (value, rest): (i64, &'a [u8])) -> &'a [u8] {
    *slot = Some(value);
    rest
}

/// A number from `low` to `high`, with at most as many digits as `high`.
fn number(input: &[u8], low: i64, high: i64) -> Option<(i64, &[u8])> {
    let mut value = 0i64;
    let mut used = 0;
    let mut room = high;
    while let Some(d) = input.get(used).filter(|b| b.is_ascii_digit()) {
        if used > 0 && (value * 10 > high || room == 0) {
            break;
        }
        value = value * 10 + i64::from(d - b'0');
        room /= 10;
        used += 1;
    }
    (used > 0 && (low..=high).contains(&value)).then(|| (value, &input[used..]))
}

/// A full or abbreviated name (case does not matter): its index.
fn name<'a>(input: &'a [u8], names: &[&str]) -> Option<(usize, &'a [u8])> {
    let starts = |candidate: &[u8]| {
        input.len() >= candidate.len() && input[..candidate.len()].eq_ignore_ascii_case(candidate)
    };
    let full = names.iter().position(|n| starts(n.as_bytes()));
    if let Some(i) = full {
        return Some((i, &input[names[i].len()..]));
    }
    let short = names
        .iter()
        .position(|n| n.len() >= 3 && starts(&n.as_bytes()[..3]))?;
    let len = names[short].len().min(3);
    Some((short, &input[len..]))
}

/// `%f`: optional; `.` and up to six digits, more digits skipped.
fn fraction<'a>(f: &mut Fields, input: &'a [u8]) -> Option<&'a [u8]> {
    let input = match input.first() {
        Some(b'.') => &input[1..],
        Some(b) if b.is_ascii_digit() => input,
        _ => {
            f.usec = 0;
            f.read_usec = true;
            return Some(input);
        }
    };
    let digits = input.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut usec = 0u32;
    for (i, d) in input[..digits].iter().enumerate().take(6) {
        usec += u32::from(d - b'0') * 10u32.pow(5 - i as u32);
    }
    f.usec = usec;
    f.read_usec = true;
    Some(&input[digits..])
}

/// `%z` (a zone must be there) and `%Z` (it may be missing).
fn zone<'a>(f: &mut Fields, input: &'a [u8], mandatory: bool) -> Option<&'a [u8]> {
    let start = if mandatory {
        input.trim_ascii_start()
    } else {
        input
    };
    let missing = |input: &'a [u8]| if mandatory { None } else { Some(input) };
    let Some(&first) = start.first() else {
        return missing(input);
    };
    let utc = |f: &mut Fields, rest: &'a [u8]| {
        f.offset = Some(0);
        Some(rest)
    };
    match first {
        b'G' => {
            return start
                .strip_prefix(b"GMT")
                .map_or_else(|| missing(input), |r| utc(f, r));
        }
        b'U' => {
            let Some(rest) = start.strip_prefix(b"UT") else {
                return missing(input);
            };
            return utc(f, rest.strip_prefix(b"C").unwrap_or(rest));
        }
        b'Z' => return utc(f, &start[1..]),
        b'+' | b'-' => {}
        _ => {
            for (hours, names) in [
                (-5, ["EST", "CST", "MST", "PST"]),
                (-4, ["EDT", "CDT", "MDT", "PDT"]),
            ] {
                if let Some(i) = names.iter().position(|n| start.starts_with(n.as_bytes())) {
                    f.offset = Some((hours - i as i32) * 3600);
                    return Some(&start[3..]);
                }
            }
            let military = match first {
                b'A'..=b'I' => Some(-i32::from(first - b'A' + 1)),
                b'K'..=b'M' => Some(-i32::from(first - b'A')),
                b'N'..=b'Y' => Some(i32::from(first - b'M')),
                _ => None,
            };
            return match military {
                Some(hours) => {
                    f.offset = Some(hours * 3600);
                    Some(&start[1..])
                }
                None => missing(input),
            };
        }
    }
    let negative = first == b'-';
    let mut rest = &start[1..];
    let mut value = 0i32;
    let mut digits = 0;
    while digits < 4 {
        match rest.first() {
            Some(d) if d.is_ascii_digit() => {
                value = value * 10 + i32::from(d - b'0');
                digits += 1;
                rest = &rest[1..];
            }
            // `+1:30` reads as `+01:30`; `+01:30` skips its colon.
            Some(b':') if digits == 1 => {
                digits += 1;
                rest = &rest[1..];
            }
            Some(b':') if digits == 2 => rest = &rest[1..],
            _ => break,
        }
    }
    let seconds = match digits {
        2 => value * 3600,
        4 if value % 100 < 60 => value / 100 * 3600 + value % 100 * 60,
        _ => return missing(input),
    };
    f.offset = Some(if negative { -seconds } else { seconds });
    Some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        // 2024-03-05 07:08:09 UTC.
        Timestamp {
            secs: 1_709_622_489,
            usec: 0,
            offset: 0,
        }
    }

    fn parse(text: &str, format: &str) -> Option<(i64, u32, i32)> {
        let utc = TimeZoneSpec::parse("UTC").unwrap();
        parse_date(text, &[format.to_owned()], Some(&utc), &now())
            .map(|t| (t.secs, t.usec, t.offset))
    }

    #[test]
    fn iso_forms_offsets_and_fractions() {
        assert_eq!(
            parse("2024-06-01T12:34:56+02:00", "%Y-%m-%dT%H:%M:%S%z"),
            Some((1_717_238_096, 0, 7200))
        );
        assert_eq!(
            parse("2024-06-01T12:34:56+0200", "%FT%T%z"),
            Some((1_717_238_096, 0, 7200))
        );
        assert_eq!(
            parse("2024-06-01T12:34:56Z", "%FT%T%z"),
            Some((1_717_245_296, 0, 0))
        );
        assert_eq!(
            parse("2024-06-01T12:34:56.789Z", "%FT%T%f%z"),
            Some((1_717_245_296, 789_000, 0))
        );
        assert_eq!(
            parse("01/Jun/2024:12:34:56 -0130", "%d/%b/%Y:%H:%M:%S %z"),
            Some((1_717_250_696, 0, -5400))
        );
        assert_eq!(parse("1717245296", "%s"), Some((1_717_245_296, 0, 0)));
        assert_eq!(
            parse("2024-06-01 12:34:56 trailing", "%Y-%m-%d %H:%M:%S"),
            None
        );
        assert_eq!(parse("not a date", "%FT%T%z"), None);
        assert_eq!(parse("2024-06-01T12:34:56", "%FT%T%z"), None);
    }

    #[test]
    fn missing_parts_are_guessed_as_syslog_ng_does() {
        // No year: this year (December seen in January would be last year's).
        assert_eq!(
            parse("Jun  1 12:34:56", "%b %d %H:%M:%S"),
            Some((1_717_245_296, 0, 0))
        );
        // No date at all: today.
        assert_eq!(parse("01:02:03", "%H:%M:%S"), Some((1_709_600_523, 0, 0)));
        // A year alone: its first of January.
        assert_eq!(parse("2023", "%Y"), Some((1_672_531_200, 0, 0)));
        assert_eq!(
            parse("03:04:05 PM", "%I:%M:%S %p"),
            Some((1_709_651_045, 0, 0))
        );
        assert_eq!(parse("2024 153", "%Y %j"), Some((1_717_200_000, 0, 0)));
    }

    #[test]
    fn a_zoneless_text_takes_the_configured_zone_at_receipt() {
        // Budapest is at +01:00 on 2024-03-05, the receive time.
        let budapest = TimeZoneSpec::parse("Europe/Budapest").unwrap();
        let formats = ["%Y-%m-%d %H:%M:%S".to_owned()];
        let t = parse_date("2024-06-01 12:34:56", &formats, Some(&budapest), &now()).unwrap();
        assert_eq!((t.secs, t.offset), (1_717_241_696, 3600));
    }

    #[test]
    fn formats_share_what_earlier_ones_read() {
        let utc = TimeZoneSpec::parse("UTC").unwrap();
        let formats = ["%Y-%m-%d %H:%M:%S".to_owned(), "%b %d %H:%M:%S".to_owned()];
        // The failed %Y of the first format leaves 1900 for the second.
        let t = parse_date("Jun  1 12:34:56", &formats, Some(&utc), &now()).unwrap();
        assert_eq!(t.fields().0, 1900);
        let formats = ["%Y-%m-%dT%H:%M".to_owned(), "%Y-%m-%d %H:%M".to_owned()];
        let t = parse_date("2024-06-01 12:34", &formats, Some(&utc), &now()).unwrap();
        assert_eq!(t.secs, 1_717_245_240);
    }
}
