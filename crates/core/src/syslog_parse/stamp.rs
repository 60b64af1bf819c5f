//! The timestamps syslog lines carry, read the way syslog-ng's
//! `scan_rfc3164_timestamp()` / `scan_rfc5424_timestamp()` read them, and
//! turned into a [`Timestamp`].
//!
//! Accepted forms: ISO 8601 / RFC 3339 (`2003-10-11T22:14:15.003Z`, a space
//! instead of `T`, offset optional), BSD (`Oct 11 22:14:15`, day padded with a
//! space or not, optional `.fraction`), Cisco PIX/ASA (`Oct 11 2003 22:14:15`)
//! and LinkSys (`Oct 11 22:14:15 2003`). A BSD stamp has no year: it is the
//! current one, except that December seen in January is last year's and
//! January seen in December next year's (upstream's rule).
//!
//! A stamp without an offset is read in the receive time zone with the
//! offset in force at that stamp; upstream takes the zone's offset at the
//! time of receipt, which differs only for stamps on the other side of a
//! daylight-saving change. "Now" for the year is also taken in that zone.

use super::cursor::Cursor;
use super::zone::{TimeZoneSpec, offset_in, wall_clock_to_utc};
use crate::timestamp::Timestamp;

/// A timestamp as written: calendar fields, and its offset when it has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct WallClock {
    /// `None` for BSD stamps, which leave the year out.
    year: Option<i64>,
    /// 1-based; ISO stamps may carry any two digits (normalised like `mktime`).
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    usec: u32,
    /// Seconds east of UTC, when the stamp says.
    offset: Option<i32>,
}

impl WallClock {
    /// A stamp without an offset (as every one of the BSD family).
    fn without_offset(
        year: Option<i64>,
        month: i64,
        day: i64,
        (hour, minute, second): (i64, i64, i64),
        usec: u32,
    ) -> Self {
        WallClock {
            year,
            month,
            day,
            hour,
            minute,
            second,
            usec,
            offset: None,
        }
    }
}

const MONTHS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// A stamp as RFC 5424 allows it: ISO 8601 only.
pub(super) fn scan_rfc5424(c: &mut Cursor) -> Option<WallClock> {
    scan_iso(c)
}

/// A stamp in any form an RFC 3164 line may have, and a `:` right after it.
pub(super) fn scan_rfc3164(c: &mut Cursor) -> Option<WallClock> {
    let mut work = *c;
    let stamp = if looks_iso(&work) {
        scan_iso(&mut work)?
    } else {
        scan_bsd(&mut work)?
    };
    work.eat(b':');
    *c = work;
    Some(stamp)
}

/// The stamp as a point in time. Stamps without an offset are read in
/// `zone` (local time when `None`); `now` supplies a BSD stamp's year.
pub(super) fn to_timestamp(
    stamp: &WallClock,
    zone: Option<&TimeZoneSpec>,
    now: &Timestamp,
) -> Timestamp {
    let year = stamp
        .year
        .unwrap_or_else(|| guess_year(stamp.month, zone, now));
    let month0 = stamp.month - 1;
    let days =
        days_from_civil(year + month0.div_euclid(12), month0.rem_euclid(12) + 1) + stamp.day - 1;
    let wall = days * 86_400 + stamp.hour * 3600 + stamp.minute * 60 + stamp.second;
    let (secs, offset) = match stamp.offset {
        Some(offset) => (wall - i64::from(offset), offset),
        None => wall_clock_to_utc(zone, wall),
    };
    Timestamp {
        secs,
        usec: stamp.usec,
        offset,
    }
}

/// `guess-timezone`: a stamp within a day of `now` that is off by whole
/// quarter hours (±30 s) was written in another zone; move it to `now` and
/// give it that zone's offset, when such an offset exists somewhere.
pub fn guess_zone(stamp: &mut Timestamp, now_secs: i64) {
    let diff = now_secs - stamp.secs;
    if diff.abs() >= 86_400 {
        return;
    }
    let quarter = 900;
    let rounded = if diff < 0 {
        (diff - quarter / 2) / quarter
    } else {
        (diff + quarter / 2) / quarter
    } * quarter;
    if (diff - rounded).abs() > 30 {
        return;
    }
    let Ok(offset) = i32::try_from(i64::from(stamp.offset) - rounded) else {
        return;
    };
    if plausible_offset(offset) {
        stamp.secs += rounded;
        stamp.offset = offset;
    }
}

/// Offsets in use today: whole hours from -12 to +14, and these others.
fn plausible_offset(offset: i32) -> bool {
    const ODD: [i32; 17] = [
        -34_200, -16_200, -12_600, -9_000, 12_600, 16_200, 19_800, 20_700, 23_400, 30_600, 31_500,
        34_200, 35_100, 37_800, 41_400, 45_900, 49_500,
    ];
    (-12 * 3600..=14 * 3600).contains(&offset) && (offset % 3600 == 0 || ODD.contains(&offset))
}

/// December in January is last year's, January in December next year's.
pub(super) fn guess_year(month: i64, zone: Option<&TimeZoneSpec>, now: &Timestamp) -> i64 {
    let here = Timestamp {
        offset: offset_in(zone, now.secs),
        ..*now
    };
    let (year, now_month, ..) = here.fields();
    let year = i64::from(year);
    match (month, now_month) {
        (12, 1) => year - 1,
        (1, 12) => year + 1,
        _ => year,
    }
}

/// Days from 1970-01-01 to the first of `month` (1..=12) of `year`.
pub(super) fn days_from_civil(year: i64, month: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// `YYYY-MM-DD[T ]HH:MM:SS` at fixed places.
fn looks_iso(c: &Cursor) -> bool {
    c.rest().len() >= 19
        && c.peek_at(4) == Some(b'-')
        && c.peek_at(7) == Some(b'-')
        && matches!(c.peek_at(10), Some(b'T' | b' '))
        && c.peek_at(13) == Some(b':')
        && c.peek_at(16) == Some(b':')
}

/// ISO 8601: date, time, optional fraction, then `Z`, `±HH:MM` or nothing.
fn scan_iso(c: &mut Cursor) -> Option<WallClock> {
    let mut w = *c;
    let year = number(&mut w, 4)?;
    expect(&mut w, b'-')?;
    let month = number(&mut w, 2)?;
    expect(&mut w, b'-')?;
    let day = number(&mut w, 2)?;
    if !(w.eat(b'T') || w.eat(b' ')) {
        return None;
    }
    let clock = clock(&mut w)?;
    let usec = fraction(&mut w);
    let offset = if w.eat(b'Z') {
        Some(0)
    } else {
        iso_offset(&mut w)
    };
    *c = w;
    Some(WallClock {
        offset,
        ..WallClock::without_offset(Some(year), month, day, clock, usec)
    })
}

/// `±HH:MM` not followed by another digit.
fn iso_offset(c: &mut Cursor) -> Option<i32> {
    let sign = match c.peek()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digit = |i| {
        c.peek_at(i)
            .filter(u8::is_ascii_digit)
            .map(|d| i32::from(d - b'0'))
    };
    let (h1, h2, m1, m2) = (digit(1)?, digit(2)?, digit(4)?, digit(5)?);
    if c.peek_at(3) != Some(b':') || c.peek_at(6).is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    c.advance(6);
    Some(sign * ((h1 * 10 + h2) * 3600 + (m1 * 10 + m2) * 60))
}

/// The BSD family: PIX/ASA, LinkSys, then plain RFC 3164 (with a fraction).
fn scan_bsd(c: &mut Cursor) -> Option<WallClock> {
    let at = |i, b| c.peek_at(i) == Some(b);
    let digit = |i| c.peek_at(i).is_some_and(|b| b.is_ascii_digit());
    let len = c.rest().len();
    let mut w = *c;
    let stamp = if len >= 21
        && at(3, b' ')
        && at(6, b' ')
        && at(11, b' ')
        && at(14, b':')
        && at(17, b':')
        && (at(20, b':') || at(20, b' '))
        && (7..11).all(digit)
    {
        let (month, day) = month_and_day(&mut w, false)?;
        let year = number(&mut w, 4)?;
        expect(&mut w, b' ')?;
        let clock = clock(&mut w)?;
        w.eat(b':');
        WallClock::without_offset(Some(year), month, day, clock, 0)
    } else if len >= 21
        && at(3, b' ')
        && at(6, b' ')
        && at(9, b':')
        && at(12, b':')
        && at(15, b' ')
        && (16..20).all(digit)
        && c.peek_at(20).is_some_and(is_c_space)
    {
        let (month, day) = month_and_day(&mut w, false)?;
        let clock = clock(&mut w)?;
        expect(&mut w, b' ')?;
        let year = number(&mut w, 4)?;
        WallClock::without_offset(Some(year), month, day, clock, 0)
    } else if (len >= 15 && at(3, b' ') && at(6, b' ') && at(9, b':') && at(12, b':'))
        || (len >= 14 && at(3, b' ') && digit(4) && at(5, b' ') && at(8, b':') && at(11, b':'))
    {
        let (month, day) = month_and_day(&mut w, true)?;
        let clock = clock(&mut w)?;
        let usec = fraction(&mut w);
        WallClock::without_offset(None, month, day, clock, usec)
    } else {
        return None;
    };
    *c = w;
    Some(stamp)
}

/// `Mmm dd ` of the BSD forms; with `narrow_day`, `Mmm d ` too.
fn month_and_day(c: &mut Cursor, narrow_day: bool) -> Option<(i64, i64)> {
    let month = month(c)?;
    expect(c, b' ')?;
    let day = match number(c, 2) {
        Some(day) => day,
        None if narrow_day => number(c, 1)?,
        None => return None,
    };
    expect(c, b' ')?;
    Some((month, day))
}

/// C's `isspace()`.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `HH:MM:SS`.
fn clock(c: &mut Cursor) -> Option<(i64, i64, i64)> {
    let hour = number(c, 2)?;
    expect(c, b':')?;
    let minute = number(c, 2)?;
    expect(c, b':')?;
    Some((hour, minute, number(c, 2)?))
}

/// A three-letter English month name, any case; 1-based.
fn month(c: &mut Cursor) -> Option<i64> {
    let name = c.rest().get(..3)?.to_ascii_lowercase();
    let index = MONTHS.iter().position(|m| m[..] == name[..])?;
    c.advance(3);
    Some(index as i64 + 1)
}

fn expect(c: &mut Cursor, b: u8) -> Option<()> {
    c.eat(b).then_some(())
}

/// Exactly `width` places: leading spaces, then digits (upstream's
/// `scan_positive_int`, which lets `" 1"` be a two-place day).
fn number(c: &mut Cursor, width: usize) -> Option<i64> {
    let mut w = *c;
    let mut left = width;
    while left > 0 && w.eat(b' ') {
        left -= 1;
    }
    let mut value = 0i64;
    while left > 0 {
        let d = w.peek().filter(u8::is_ascii_digit)?;
        value = value * 10 + i64::from(d - b'0');
        w.bump();
        left -= 1;
    }
    *c = w;
    Some(value)
}

/// `.digits` or `,digits` as microseconds (digits past six are skipped).
fn fraction(c: &mut Cursor) -> u32 {
    if !(c.eat(b'.') || c.eat(b',')) {
        return 0;
    }
    let mut value = 0u32;
    let mut places = 0;
    while let Some(d) = c.peek().filter(u8::is_ascii_digit) {
        if places < 6 {
            value = value * 10 + u32::from(d - b'0');
            places += 1;
        }
        c.bump();
    }
    value * 10u32.pow(6 - places)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-06-15T12:00:00Z.
    const JUNE: Timestamp = Timestamp {
        secs: 1_718_452_800,
        usec: 0,
        offset: 0,
    };
    const UTC_ZONE: &str = "+00:00";

    fn read(text: &str, now: &Timestamp, zone: &str) -> Option<(Timestamp, String)> {
        let zone = TimeZoneSpec::parse(zone).unwrap();
        let mut c = Cursor::new(text.as_bytes());
        let stamp = scan_rfc3164(&mut c)?;
        let rest = String::from_utf8_lossy(c.rest()).into_owned();
        Some((to_timestamp(&stamp, Some(&zone), now), rest))
    }

    fn ts(secs: i64, usec: u32, offset: i32) -> Timestamp {
        Timestamp { secs, usec, offset }
    }

    #[test]
    fn bsd_forms() {
        // 2024-10-11T22:14:15Z = 1728684855
        let expect = |usec| Some((ts(1_728_684_855, usec, 0), " host".to_owned()));
        assert_eq!(read("Oct 11 22:14:15 host", &JUNE, UTC_ZONE), expect(0));
        assert_eq!(read("oct 11 22:14:15: host", &JUNE, UTC_ZONE), expect(0));
        assert_eq!(
            read("Oct 11 22:14:15.5 host", &JUNE, UTC_ZONE),
            expect(500_000)
        );
        assert_eq!(
            read("Oct 11 22:14:15,1234567 host", &JUNE, UTC_ZONE),
            expect(123_456)
        );
        assert_eq!(
            read("Oct 11 2024 22:14:15: host", &JUNE, UTC_ZONE),
            expect(0)
        );
        assert_eq!(
            read("Oct 11 22:14:15 2024 host", &JUNE, UTC_ZONE),
            expect(0)
        );
        // 2024-06-01T02:03:04Z, day padded with a space or not at all.
        let june_first = Some((ts(1_717_207_384, 0, 0), " x".to_owned()));
        assert_eq!(read("Jun  1 02:03:04 x", &JUNE, UTC_ZONE), june_first);
        assert_eq!(read("Jun 1 02:03:04 x", &JUNE, UTC_ZONE), june_first);
        for bad in [
            "Foo 11 22:14:15 x",
            "Oct 11 22:14 x",
            "Oct 11 2a:14:15 x",
            "Oct",
            "",
        ] {
            assert_eq!(read(bad, &JUNE, UTC_ZONE), None, "{bad}");
        }
    }

    #[test]
    fn iso_forms_keep_their_offset() {
        let read_iso = |text: &str| {
            let mut c = Cursor::new(text.as_bytes());
            let stamp = scan_rfc5424(&mut c)?;
            let zone = TimeZoneSpec::parse("+05:00").unwrap();
            Some((to_timestamp(&stamp, Some(&zone), &JUNE), c.pos()))
        };
        // 2003-10-11T22:14:15Z = 1065910455
        assert_eq!(
            read_iso("2003-10-11T22:14:15.003Z x"),
            Some((ts(1_065_910_455, 3000, 0), 24))
        );
        assert_eq!(
            read_iso("2003-08-24T05:14:15.000003-07:00"),
            Some((ts(1_061_727_255, 3, -25_200), 32))
        );
        // No offset: the receive time zone's.
        assert_eq!(
            read_iso("2003-10-11 22:14:15 x"),
            Some((ts(1_065_910_455 - 5 * 3600, 0, 18_000), 19))
        );
        // An offset followed by a digit is not an offset.
        assert_eq!(
            read_iso("2003-10-11T22:14:15+01:000"),
            Some((ts(1_065_910_455 - 5 * 3600, 0, 18_000), 19))
        );
        assert_eq!(read_iso("2003-10-11X22:14:15Z"), None);
        assert_eq!(read_iso("03-10-11T22:14:15Z"), None);
    }

    #[test]
    fn year_of_bsd_stamps() {
        // 2025-01-10T12:00:00Z: December is last year's.
        let january = ts(1_736_510_400, 0, 0);
        let dec = read("Dec 31 23:00:00 x", &january, UTC_ZONE).unwrap().0;
        assert_eq!(dec.fields().0, 2024);
        let nov = read("Nov 30 23:00:00 x", &january, UTC_ZONE).unwrap().0;
        assert_eq!(nov.fields().0, 2025);
        // 2024-12-20T12:00:00Z: January is next year's.
        let december = ts(1_734_696_000, 0, 0);
        let jan = read("Jan  1 00:00:01 x", &december, UTC_ZONE).unwrap().0;
        assert_eq!(jan.fields().0, 2025);
    }

    #[test]
    fn bsd_stamps_in_the_receive_zone() {
        let (stamp, _) = read("Jan 15 12:00:00 x", &JUNE, "Europe/Budapest").unwrap();
        assert_eq!(stamp, ts(1_705_316_400, 0, 3600)); // 2024-01-15T11:00:00Z
        let (stamp, _) = read("Jul 15 12:00:00 x", &JUNE, "Europe/Budapest").unwrap();
        assert_eq!(stamp, ts(1_721_037_600, 0, 7200)); // 2024-07-15T10:00:00Z
        let (stamp, _) = read("Jul 15 12:00:00 x", &JUNE, "-0530").unwrap();
        assert_eq!(stamp, ts(1_721_064_600, 0, -19_800));
    }

    #[test]
    fn out_of_range_fields_roll_over() {
        let mut c = Cursor::new(b"2024-13-32T25:61:61Z");
        let stamp = scan_rfc5424(&mut c).unwrap();
        // 2025-02-02T02:02:01Z
        assert_eq!(to_timestamp(&stamp, None, &JUNE), ts(1_738_461_721, 0, 0));
    }

    #[test]
    fn guessing_the_zone_of_a_current_stamp() {
        let now = JUNE.secs;
        let mut stamp = ts(now - 2 * 3600 + 10, 0, 0);
        guess_zone(&mut stamp, now);
        assert_eq!(stamp, ts(now + 10, 0, -7200));
        let mut far = ts(now - 2 * 86_400, 0, 0);
        guess_zone(&mut far, now);
        assert_eq!(far, ts(now - 2 * 86_400, 0, 0));
        let mut odd = ts(now - 600, 0, 0);
        guess_zone(&mut odd, now);
        assert_eq!(odd, ts(now - 600, 0, 0));
    }
}
