//! A UTC timestamp in whole seconds, written as `xs:dateTime` (`2026-11-27T10:49:00Z`).
//!
//! The writer never reads the clock: callers pass the date in, so that the same report and
//! options always give the same bytes.

use crate::BcfError;

/// A UTC date and time in whole seconds, from year 1 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcDateTime {
    year: i64,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl UtcDateTime {
    /// The time that many seconds after 1970-01-01T00:00:00Z, or `None` outside years 1–9999.
    pub fn from_unix_seconds(secs: i64) -> Option<UtcDateTime> {
        let days = secs.div_euclid(86_400);
        let rest = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        if !(1..=9999).contains(&year) {
            return None;
        }
        Some(UtcDateTime {
            year,
            month,
            day,
            hour: (rest / 3600) as u8,
            minute: (rest % 3600 / 60) as u8,
            second: (rest % 60) as u8,
        })
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (a space may stand for the `T`; the `Z` may be left out;
    /// fractions of a second are dropped).
    pub fn parse(text: &str) -> Result<UtcDateTime, BcfError> {
        let bad = || BcfError::InvalidOption(format!("'{text}' is not a UTC date like 2026-11-27T10:49:00Z"));
        let t = text.trim();
        let t = t.strip_suffix('Z').or_else(|| t.strip_suffix('z')).unwrap_or(t);
        let t = t.split('.').next().unwrap_or(t);
        let b = t.as_bytes();
        if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return Err(bad());
        }
        if b[13] != b':' || b[16] != b':' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64, BcfError> {
            let s = t.get(r).ok_or_else(bad)?;
            if !s.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse::<i64>().map_err(|_| bad())
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month as u8) as i64).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return Err(bad());
        }
        Ok(UtcDateTime {
            year,
            month: month as u8,
            day: day as u8,
            hour: hour as u8,
            minute: minute as u8,
            second: second as u8,
        })
    }

    /// Year, month, day, hour, minute, second.
    pub fn parts(&self) -> (i64, u8, u8, u8, u8, u8) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second)
    }
}

impl std::fmt::Display for UtcDateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u8) -> u8 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u8, d: u8) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = yoe.saturating_add(era.saturating_mul(400)) + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_and_text_round_trip() {
        let epoch = UtcDateTime::from_unix_seconds(0).expect("epoch");
        assert_eq!(epoch.to_string(), "1970-01-01T00:00:00Z");
        for secs in [0i64, 951_782_400, 1_709_164_799, 1_795_690_140, -86_400, 253_402_300_799] {
            let t = UtcDateTime::from_unix_seconds(secs).expect("in range");
            assert_eq!(t.unix_seconds(), secs);
            assert_eq!(UtcDateTime::parse(&t.to_string()).expect("parse"), t);
        }
        let leap = UtcDateTime::parse("2024-02-29T23:59:59Z").expect("leap day");
        assert_eq!(leap.to_string(), "2024-02-29T23:59:59Z");
        assert_eq!(
            UtcDateTime::parse("2026-11-27 10:49:00.123").expect("lenient").to_string(),
            "2026-11-27T10:49:00Z"
        );
    }

    #[test]
    fn bad_dates_are_errors() {
        for bad in [
            "",
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-27T24:00:00Z",
            "27.11.2026",
            "2026-11-27T10:49",
            "２０２６-11-27T10:49:00Z",
        ] {
            assert!(UtcDateTime::parse(bad).is_err(), "{bad}");
        }
        assert!(UtcDateTime::from_unix_seconds(i64::MAX).is_none());
        assert!(UtcDateTime::from_unix_seconds(i64::MIN).is_none());
    }
}
