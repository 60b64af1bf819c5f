//! `time-zone()` / `recv-time-zone()` values: fixed offsets, `UTC`, and
//! names from the system's time zone database (read with `tz-rs`, which
//! needs no C library support and reads the same files as `localtime(3)`).

use crate::timestamp::local_offset_at;
use std::sync::Arc;

/// A time zone named in the configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeZoneSpec {
    name: String,
    rule: Rule,
}

#[derive(Clone, Debug, PartialEq)]
enum Rule {
    Fixed(i32),
    Database(Arc<tz::TimeZone>),
}

/// A `time-zone()` value that is neither an offset nor a known zone name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown time zone '{0}': expected [+-]HH:MM, [+-]HHMM, UTC or a name such as Europe/Budapest"
)]
pub struct UnknownTimeZone(pub String);

impl TimeZoneSpec {
    /// Resolves `name`: `+01:00`, `-0530`, `UTC`, or a time zone database name.
    pub fn parse(name: &str) -> Result<Self, UnknownTimeZone> {
        let unknown = || UnknownTimeZone(name.to_owned());
        let rule = if let Some(offset) = fixed_offset(name) {
            Rule::Fixed(offset)
        } else if name.eq_ignore_ascii_case("UTC") || name == "Z" {
            Rule::Fixed(0)
        } else if name.is_empty() || name.contains("..") {
            return Err(unknown());
        } else {
            Rule::Database(Arc::new(
                tz::TimeZone::from_posix_tz(name).map_err(|_| unknown())?,
            ))
        };
        Ok(TimeZoneSpec {
            name: name.to_owned(),
            rule,
        })
    }

    /// The name as configured.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Seconds east of UTC in this zone at `utc_secs`.
    pub fn offset_at(&self, utc_secs: i64) -> i32 {
        match &self.rule {
            Rule::Fixed(offset) => *offset,
            Rule::Database(zone) => zone
                .find_local_time_type(utc_secs)
                .map_or(0, |t| t.ut_offset()),
        }
    }
}

/// `[+-]HH:MM` or `[+-]HHMM` with at most 24 hours, in seconds.
fn fixed_offset(text: &str) -> Option<i32> {
    let (sign, rest) = match text.as_bytes().split_first()? {
        (b'+', rest) => (1, rest),
        (b'-', rest) => (-1, rest),
        _ => return None,
    };
    let digit = |b: &u8| b.is_ascii_digit().then(|| i32::from(b - b'0'));
    let (h1, h2, m1, m2) = match rest {
        [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
            (digit(h1)?, digit(h2)?, digit(m1)?, digit(m2)?)
        }
        _ => return None,
    };
    let (hours, minutes) = (h1 * 10 + h2, m1 * 10 + m2);
    let valid = (hours < 24 && minutes < 60) || (hours == 24 && minutes == 0);
    valid.then_some(sign * (hours * 3600 + minutes * 60))
}

/// The offset of `zone` (the process's local zone when `None`) at `utc_secs`.
pub(super) fn offset_in(zone: Option<&TimeZoneSpec>, utc_secs: i64) -> i32 {
    match zone {
        Some(zone) => zone.offset_at(utc_secs),
        None => local_offset_at(utc_secs),
    }
}

/// The UTC time and offset of a wall-clock time in `zone`, given as seconds
/// since the epoch as if the wall clock were UTC. A time that happens twice
/// (clocks turned back) is the later one; a time that a clock change skips
/// is read with the offset before the change, as `mktime(3)` does.
pub(super) fn wall_clock_to_utc(zone: Option<&TimeZoneSpec>, wall_secs: i64) -> (i64, i32) {
    let first = offset_in(zone, wall_secs);
    let utc = wall_secs - i64::from(first);
    let actual = offset_in(zone, utc);
    if actual == first {
        return (utc, first);
    }
    let other = wall_secs - i64::from(actual);
    if offset_in(zone, other) == actual {
        return (other, actual);
    }
    let utc = wall_secs - i64::from(first.min(actual));
    (utc, offset_in(zone, utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_utc_and_names() {
        let offset = |s: &str| TimeZoneSpec::parse(s).map(|z| z.offset_at(0));
        assert_eq!(offset("+01:00"), Ok(3600));
        assert_eq!(offset("-0530"), Ok(-19_800));
        assert_eq!(offset("+24:00"), Ok(86_400));
        assert_eq!(offset("UTC"), Ok(0));
        for bad in [
            "+25:00",
            "+01:60",
            "01:00",
            "+1:00",
            "",
            "Nowhere/Bogus",
            "../etc",
        ] {
            assert_eq!(offset(bad), Err(UnknownTimeZone(bad.into())), "{bad}");
        }
        let budapest = TimeZoneSpec::parse("Europe/Budapest").unwrap();
        assert_eq!(budapest.name(), "Europe/Budapest");
        // 2024-01-15 and 2024-07-15, 12:00 UTC.
        assert_eq!(budapest.offset_at(1_705_320_000), 3600);
        assert_eq!(budapest.offset_at(1_721_044_800), 7200);
    }

    #[test]
    fn wall_clock_across_clock_changes() {
        let zone = TimeZoneSpec::parse("Europe/Budapest").unwrap();
        let zone = Some(&zone);
        // 2024-03-31 01:30 exists once (+01:00); 02:30 is skipped.
        let wall = 1_711_848_600; // 2024-03-31T01:30:00 as if UTC
        assert_eq!(wall_clock_to_utc(zone, wall), (wall - 3600, 3600));
        assert_eq!(wall_clock_to_utc(zone, wall + 3600), (wall, 7200));
        // 2024-10-27 02:30 happens twice; the second one (+01:00) is taken.
        let twice = 1_729_996_200; // 2024-10-27T02:30:00 as if UTC
        assert_eq!(wall_clock_to_utc(zone, twice), (twice - 3600, 3600));
    }
}
