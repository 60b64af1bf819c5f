//! Message timestamps: seconds, microseconds and the UTC offset they are shown in.

use chrono::{DateTime, FixedOffset, Local, Offset, TimeZone, Utc};
use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

/// A point in time plus the UTC offset it is displayed in (syslog-ng's `UnixTime`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    pub secs: i64,
    /// Microseconds within the second (0..1_000_000).
    pub usec: u32,
    /// Seconds east of UTC used when the time is shown.
    pub offset: i32,
}

thread_local! {
    /// (minute since epoch, offset) of the last local-offset lookup on this thread.
    static LOCAL_OFFSET_CACHE: Cell<(i64, i32)> = const { Cell::new((i64::MIN, 0)) };
}

impl Timestamp {
    /// The current time in the process's local time zone.
    pub fn now() -> Self {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let secs = since.as_secs() as i64;
        Timestamp {
            secs,
            usec: since.subsec_micros(),
            offset: local_offset_at(secs),
        }
    }

    /// Microseconds since the Unix epoch.
    pub fn micros(&self) -> i64 {
        self.secs
            .saturating_mul(1_000_000)
            .saturating_add(i64::from(self.usec))
    }

    /// Builds a timestamp shown in the local time zone.
    pub fn from_epoch_local(secs: i64, usec: u32) -> Self {
        Timestamp {
            secs,
            usec,
            offset: local_offset_at(secs),
        }
    }

    /// The wall-clock fields of this time in its own offset.
    pub fn wall_clock(&self) -> DateTime<FixedOffset> {
        let offset = FixedOffset::east_opt(self.offset).unwrap_or_else(|| Utc.fix());
        let utc = DateTime::<Utc>::from_timestamp(self.secs, self.usec * 1000).unwrap_or_default();
        utc.with_timezone(&offset)
    }

    /// Calendar fields `(year, month, day, hour, minute, second, usec)` in
    /// its own offset (plain arithmetic: this runs for every rendered date).
    pub fn fields(&self) -> (i32, u32, u32, u32, u32, u32, u32) {
        let local = self.secs + i64::from(self.offset);
        let days = local.div_euclid(86_400);
        let in_day = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        (
            year,
            month,
            day,
            in_day / 3600,
            in_day % 3600 / 60,
            in_day % 60,
            self.usec,
        )
    }

    /// Day of the week in its own offset, 0 = Sunday.
    pub fn weekday(&self) -> u32 {
        let days = (self.secs + i64::from(self.offset)).div_euclid(86_400);
        (days + 4).rem_euclid(7) as u32
    }
}

/// (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

/// The local time zone's UTC offset (seconds east) at `secs`, cached per minute and thread.
pub fn local_offset_at(secs: i64) -> i32 {
    let minute = secs.div_euclid(60);
    LOCAL_OFFSET_CACHE.with(|cache| {
        let (cached_minute, offset) = cache.get();
        if cached_minute == minute {
            return offset;
        }
        let offset = Local
            .timestamp_opt(secs, 0)
            .single()
            .map(|t| t.offset().fix().local_minus_utc())
            .unwrap_or(0);
        cache.set((minute, offset));
        offset
    })
}

/// Formats an offset as `+HH:MM`.
pub fn format_offset(offset: i32, out: &mut Vec<u8>) {
    let sign = if offset < 0 { b'-' } else { b'+' };
    let abs = offset.unsigned_abs();
    out.push(sign);
    push_2digits(out, abs / 3600);
    out.push(b':');
    push_2digits(out, (abs % 3600) / 60);
}

/// Appends a zero-padded two-digit number.
pub fn push_2digits(out: &mut Vec<u8>, n: u32) {
    out.push(b'0' + (n / 10 % 10) as u8);
    out.push(b'0' + (n % 10) as u8);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Timelike};

    #[test]
    fn arithmetic_fields_agree_with_chrono() {
        for secs in [
            -86_401,
            0,
            951_782_400,
            1_664_894_892,
            4_102_444_799,
            1_709_251_199,
        ] {
            for offset in [-43_200, -3_600, 0, 19_800, 50_400] {
                let t = Timestamp {
                    secs,
                    usec: 7,
                    offset,
                };
                let w = t.wall_clock();
                assert_eq!(
                    t.fields(),
                    (
                        w.year(),
                        w.month(),
                        w.day(),
                        w.hour(),
                        w.minute(),
                        w.second(),
                        7
                    ),
                    "{secs} {offset}"
                );
                assert_eq!(t.weekday(), w.weekday().num_days_from_sunday());
            }
        }
    }

    #[test]
    fn fields_follow_the_offset() {
        let t = Timestamp {
            secs: 1664894892,
            usec: 123000,
            offset: 3600,
        };
        assert_eq!(t.fields(), (2022, 10, 4, 15, 48, 12, 123000));
        let mut out = Vec::new();
        format_offset(-5 * 3600 - 1800, &mut out);
        assert_eq!(out, b"-05:30");
    }
}
