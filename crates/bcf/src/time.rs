//! A UTC timestamp in whole seconds, written as `xs:dateTime` (`2026-11-27T10:49:00Z`).
//!
//! The writer never reads the clock: callers pass the date in, so that the same report and
//! options always give the same bytes.

use crate::BcfError;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// A UTC date and time in whole seconds, from year 1 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcDateTime(NaiveDateTime);

/// The years `xs:dateTime` can carry in four digits without a sign.
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

impl UtcDateTime {
    /// The time that many seconds after 1970-01-01T00:00:00Z, or `None` outside years 1–9999.
    pub fn from_unix_seconds(secs: i64) -> Option<UtcDateTime> {
        let t = DateTime::from_timestamp(secs, 0)?.naive_utc();
        YEARS.contains(&t.year()).then_some(UtcDateTime(t))
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(&self) -> i64 {
        self.0.and_utc().timestamp()
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (a space may stand for the `T`; the `Z` may be left out;
    /// fractions of a second are dropped).
    pub fn parse(text: &str) -> Result<UtcDateTime, BcfError> {
        let bad = || BcfError::InvalidOption(format!("'{text}' is not a UTC date like 2026-11-27T10:49:00Z"));
        let t = text.trim();
        let t = t.strip_suffix('Z').or_else(|| t.strip_suffix('z')).unwrap_or(t);
        let t = t.split('.').next().unwrap_or(t);
        // The layout is checked by hand: chrono's own parser also takes signs, one-digit fields
        // and other widths, which would widen what this accepts.
        let b = t.as_bytes();
        if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return Err(bad());
        }
        if b[13] != b':' || b[16] != b':' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u32, BcfError> {
            let s = t.get(r).ok_or_else(bad)?;
            if !s.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse::<u32>().map_err(|_| bad())
        };
        let year = i32::try_from(num(0..4)?).map_err(|_| bad())?;
        if !YEARS.contains(&year) {
            return Err(bad());
        }
        // chrono refuses days past the month's end and hours, minutes and seconds out of range
        // (no leap second: `from_hms_opt` takes second 59 at most).
        let date = NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?).ok_or_else(bad)?;
        let time = NaiveTime::from_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?).ok_or_else(bad)?;
        Ok(UtcDateTime(NaiveDateTime::new(date, time)))
    }

    /// Year, month, day, hour, minute, second.
    pub fn parts(&self) -> (i64, u8, u8, u8, u8, u8) {
        // chrono keeps months, days and time fields below 60, so they fit a byte.
        let byte = |v: u32| u8::try_from(v).unwrap_or(u8::MAX);
        let t = &self.0;
        (
            i64::from(t.year()),
            byte(t.month()),
            byte(t.day()),
            byte(t.hour()),
            byte(t.minute()),
            byte(t.second()),
        )
    }
}

impl std::fmt::Display for UtcDateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Written field by field rather than with a chrono format string, so that the text is
        // fixed here: four-digit year, two-digit fields, a `Z`.
        let (year, month, day, hour, minute, second) = self.parts();
        write!(f, "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
    }
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
