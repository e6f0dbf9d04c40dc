//! Reading the dates, durations and numbers that schedule files write, in all the spellings the
//! real files use: ISO 8601 with or without time, `d-m-yyyy`, `dd/mm/yy`, ISO durations,
//! `2d16h`, and decimal commas.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// A date with the time of day, where the text had one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
}

/// Reads a date or date-time. Empty text is `Ok(None)`; text that is not a date is an error
/// message for the caller to place.
///
/// Numeric dates with `/`, `-` or `.` and the year last are day first (European, as the real
/// files write them) unless the second number is over 12, which only a month-first date has.
pub fn parse_moment(text: &str) -> Result<Option<Moment>, String> {
    let s = text.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || format!("cannot read '{s}' as a date (expected e.g. 2025-01-31 or 2025-01-31T08:00:00)");
    // Split off a time part: `T`, or a space followed by a digit.
    let (date_part, time_part) = match s.find(['T', 't']) {
        Some(i) if i >= 8 => (&s[..i], Some(&s[i + 1..])),
        _ => match s.split_once(' ') {
            Some((d, t)) if t.trim_start().starts_with(|c: char| c.is_ascii_digit()) => (d, Some(t.trim())),
            _ => (s, None),
        },
    };
    let date = parse_date_only(date_part).ok_or_else(bad)?;
    let time = match time_part {
        None => None,
        Some(t) => Some(parse_time(t).ok_or_else(bad)?),
    };
    Ok(Some(Moment { date, time }))
}

fn parse_date_only(s: &str) -> Option<NaiveDate> {
    let sep = s.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let parts: Vec<&str> = s.split(sep).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let n: Vec<i64> = parts.iter().map(|p| p.parse::<i64>().ok()).collect::<Option<_>>()?;
    let (y, m, d) = if parts[0].len() == 4 {
        (n[0], n[1], n[2])
    } else {
        let year = match parts[2].len() {
            4 => n[2],
            // Two-digit years: this century, as spreadsheets do for schedules.
            2 => 2000 + n[2],
            _ => return None,
        };
        if n[1] > 12 && n[0] <= 12 {
            (year, n[0], n[1])
        } else {
            (year, n[1], n[0])
        }
    };
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, u32::try_from(m).ok()?, u32::try_from(d).ok()?)
}

fn parse_time(t: &str) -> Option<NaiveTime> {
    // Drop a zone (`Z`, `+01:00`, `-05:00`): schedules are in site local time.
    let t = t.trim().trim_end_matches(['Z', 'z']);
    let t = match t.rfind(['+', '-']) {
        Some(i) if i > 0 => &t[..i],
        _ => t,
    };
    let mut it = t.split(':');
    let h: u32 = it.next()?.trim().parse().ok()?;
    let m: u32 = it.next().map(|m| m.trim().parse().ok()).unwrap_or(Some(0))?;
    let sec: f64 = it.next().map(|s| s.trim().parse().ok()).unwrap_or(Some(0.0))?;
    if h == 24 && m == 0 {
        return NaiveTime::from_hms_opt(23, 59, 59);
    }
    NaiveTime::from_hms_opt(h, m, sec.floor() as u32)
}

/// The start day a moment stands for.
pub fn start_day(m: Option<Moment>) -> Option<NaiveDate> {
    m.map(|m| m.date)
}

/// The last day of work a finish moment stands for: a finish written as midnight closes the day
/// before (`2025-01-16T00:00` ends work on the 15th), but never before the start day.
pub fn finish_day(m: Option<Moment>, start: Option<NaiveDate>) -> Option<NaiveDate> {
    let m = m?;
    let midnight = m.time.is_some_and(|t| t == NaiveTime::MIN);
    let day = if midnight { m.date.pred_opt().unwrap_or(m.date) } else { m.date };
    Some(match start {
        Some(s) if day < s => m.date.max(s),
        _ => day,
    })
}

/// Reads a number written with a decimal point or a decimal comma (`70,583333`).
pub fn parse_number(text: &str) -> Option<f64> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    let v = s.parse::<f64>().ok().or_else(|| s.replace(',', ".").parse::<f64>().ok())?;
    v.is_finite().then_some(v)
}

/// Reads a duration as working days: ISO 8601 (`P3D`, `PT8H0M0S`, `P0Y0M1DT16H0M0S`, `P1W`),
/// `5d`, `4h`, `2d16h`, `1w`, `5 days`, or a bare number of days. Hours become days at
/// `hours_per_day`; weeks are five working days, months twenty.
pub fn parse_duration_days(text: &str, hours_per_day: f64) -> Option<f64> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(v) = parse_number(s) {
        return Some(v);
    }
    let upper = s.to_ascii_uppercase();
    let (negative, upper) = match upper.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, upper),
    };
    let days = if let Some(iso) = upper.strip_prefix('P') {
        iso_duration_days(iso, hours_per_day)?
    } else {
        unit_duration_days(&upper, hours_per_day)?
    };
    Some(if negative { -days } else { days })
}

fn iso_duration_days(iso: &str, hours_per_day: f64) -> Option<f64> {
    let (date_part, time_part) = match iso.split_once('T') {
        Some((d, t)) => (d, t),
        None => (iso, ""),
    };
    let mut days = 0.0;
    for (value, unit) in components(date_part)? {
        days += value
            * match unit {
                'Y' => 250.0,
                'M' => 20.0,
                'W' => 5.0,
                'D' => 1.0,
                _ => return None,
            };
    }
    for (value, unit) in components(time_part)? {
        let hours = match unit {
            'H' => value,
            'M' => value / 60.0,
            'S' => value / 3600.0,
            _ => return None,
        };
        days += hours / hours_per_day;
    }
    Some(days)
}

/// `1D16H` -> [(1, 'D'), (16, 'H')].
fn components(s: &str) -> Option<Vec<(f64, char)>> {
    let mut out = Vec::new();
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            number.push(c);
        } else if c.is_ascii_alphabetic() {
            out.push((parse_number(&number)?, c));
            number.clear();
        } else if !c.is_whitespace() {
            return None;
        }
    }
    number.is_empty().then_some(out)
}

/// `2d16h`, `4h`, `5 days`, `1w`, `3ed` (elapsed days are read as days).
fn unit_duration_days(s: &str, hours_per_day: f64) -> Option<f64> {
    let mut days = 0.0;
    let mut rest = s.trim();
    let mut any = false;
    while !rest.is_empty() {
        let n_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(rest.len());
        if n_end == 0 {
            return None;
        }
        let value = parse_number(&rest[..n_end])?;
        rest = rest[n_end..].trim_start();
        let u_end = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let unit = rest[..u_end].trim_start_matches('E');
        days += value
            * match unit {
                "" | "D" | "DAY" | "DAYS" => 1.0,
                "H" | "HR" | "HRS" | "HOUR" | "HOURS" => 1.0 / hours_per_day,
                "M" | "MIN" | "MINS" | "MINUTE" | "MINUTES" => 1.0 / (60.0 * hours_per_day),
                "W" | "WK" | "WKS" | "WEEK" | "WEEKS" => 5.0,
                "MO" | "MON" | "MONTH" | "MONTHS" => 20.0,
                _ => return None,
            };
        any = true;
        rest = rest[u_end..].trim_start();
    }
    any.then_some(days)
}

/// A date-time at the start of `day` (for formats that need one).
pub fn at_midnight(day: NaiveDate) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN)
}

/// Text decoded from a file, and the encoding it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The encoding's name as encoding_rs spells it (`UTF-8`, `UTF-16LE`, `GBK`, `Big5`,
    /// `Shift_JIS`, `windows-1252`...).
    pub encoding: &'static str,
    /// Whether a byte-order mark said so (otherwise the encoding was guessed from the bytes).
    pub from_bom: bool,
}

impl Decoded {
    /// The note a reader adds to its warnings when the file was not plain UTF-8, so that a
    /// user who sees garbled names knows which encoding was assumed (`read as GBK`).
    pub fn note(&self, path: &std::path::Path) -> Option<String> {
        (self.encoding != "UTF-8").then(|| {
            format!(
                "note[encoding]: {}: read as {} ({})",
                path.display(),
                self.encoding,
                if self.from_bom { "byte-order mark" } else { "detected: the file has no byte-order mark" }
            )
        })
    }
}

/// Decodes file bytes: by their byte-order mark (UTF-8, UTF-16LE/BE) where there is one,
/// as UTF-8 when they are valid UTF-8, otherwise in the legacy encoding `chardetng` finds most
/// likely. Schedule CSV and XER files from Windows tools are in the system's ANSI code page:
/// Western (1252) or Cyrillic (1251) in Europe, GBK/GB18030 on Chinese Windows, Big5 in
/// Taiwan and Hong Kong, Shift_JIS in Japan.
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        let text = encoding.decode_without_bom_handling(rest).0.into_owned();
        return Decoded { text, encoding: encoding.name(), from_bom: true };
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Decoded { text: s.to_string(), encoding: "UTF-8", from_bom: false };
    }
    // A few lone high bytes (the £, ¥ and € of the currency table every P6 export carries) are
    // too little for a guess among the single-byte code pages: chardetng then leans to
    // Central European, which turns £ into Ł. Windows tools in the West write 1252; a
    // multi-byte code page (GBK, Big5, Shift_JIS...) needs runs of high bytes, and so do words
    // in Cyrillic or Greek, which are the evidence chardetng weighs.
    let lone_high_bytes_only = !bytes.windows(2).any(|w| w[0] >= 0x80 && w[1] >= 0x80);
    let encoding = if lone_high_bytes_only {
        encoding_rs::WINDOWS_1252
    } else {
        let mut detector = chardetng::EncodingDetector::new();
        detector.feed(bytes, true);
        detector.guess(None, false)
    };
    let text = encoding.decode_without_bom_handling(bytes).0.into_owned();
    Decoded { text, encoding: encoding.name(), from_bom: false }
}

/// [`decode`] without the encoding's name.
pub fn decode_text(bytes: &[u8]) -> String {
    decode(bytes).text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn dates_in_every_spelling_of_the_real_files() {
        let day = |s: &str| parse_moment(s).expect("parses").expect("not empty").date;
        assert_eq!(day("2025-01-13T08:00:00"), d(2025, 1, 13));
        assert_eq!(day("2023-10-18 10:00"), d(2023, 10, 18));
        assert_eq!(day("2015-02-18T08:00:00.000+01:00"), d(2015, 2, 18));
        assert_eq!(day("26-2-2015"), d(2015, 2, 26));
        assert_eq!(day("04-09-2023"), d(2023, 9, 4));
        assert_eq!(day("07/01/23"), d(2023, 1, 7));
        assert_eq!(day("12/31/2024"), d(2024, 12, 31));
        assert_eq!(day("2022-12-10"), d(2022, 12, 10));
        assert_eq!(parse_moment("  ").expect("empty is fine"), None);
        assert!(parse_moment("2025-13-01").is_err());
        assert!(parse_moment("soon").is_err());
    }

    #[test]
    fn midnight_finishes_close_the_day_before() {
        let m = parse_moment("2025-01-16T00:00:00").expect("ok");
        assert_eq!(finish_day(m, Some(d(2025, 1, 13))), Some(d(2025, 1, 15)));
        let m = parse_moment("2025-01-13T00:00:00").expect("ok");
        assert_eq!(finish_day(m, Some(d(2025, 1, 13))), Some(d(2025, 1, 13)));
        let m = parse_moment("2025-01-15").expect("ok");
        assert_eq!(finish_day(m, None), Some(d(2025, 1, 15)));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_days("P3D", 8.0), Some(3.0));
        assert_eq!(parse_duration_days("PT8H0M0S", 8.0), Some(1.0));
        assert_eq!(parse_duration_days("P0Y0M1DT16H0M0S", 8.0), Some(3.0));
        assert_eq!(parse_duration_days("2d16h", 8.0), Some(4.0));
        assert_eq!(parse_duration_days("4h", 8.0), Some(0.5));
        assert_eq!(parse_duration_days("5 days", 8.0), Some(5.0));
        assert_eq!(parse_duration_days("1w", 8.0), Some(5.0));
        assert_eq!(parse_duration_days("70,5", 8.0), Some(70.5));
        assert_eq!(parse_duration_days("-P2D", 8.0), Some(-2.0));
        assert_eq!(parse_duration_days("x", 8.0), None);
    }

    #[test]
    fn ansi_text_is_decoded() {
        assert_eq!(decode_text(b"caf\xe9"), "café");
        assert_eq!(decode_text(b"\xc7\xe0\xe4\xe0\xf7\xe0 1"), "Задача 1");
        assert_eq!(decode_text("ok ✓".as_bytes()), "ok ✓");
    }

    /// Bytes of `text` in `encoding`, as the Windows tool would have saved them.
    fn encoded(text: &str, encoding: &'static encoding_rs::Encoding) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "{text} fits {}", encoding.name());
        bytes.into_owned()
    }

    #[test]
    fn east_asian_code_pages_are_detected_and_named() {
        let text =
            "编号,名称,开始,结束\nT1,拆除原柜台,2025-03-03,2025-03-05\nT2,搭设脚手架,2025-03-06,2025-03-10\n";
        let gbk = decode(&encoded(text, encoding_rs::GBK));
        assert_eq!((gbk.text.as_str(), gbk.encoding), (text, "GBK"));
        assert!(gbk.note(std::path::Path::new("p.csv")).is_some_and(|n| n.contains("read as GBK")));
        let big5_text = "編號,名稱,開始,結束\nT1,拆除原櫃檯,2025-03-03,2025-03-05\nT2,搭設鷹架工程,2025-03-06,2025-03-10\n";
        let big5 = decode(&encoded(big5_text, encoding_rs::BIG5));
        assert_eq!((big5.text.as_str(), big5.encoding), (big5_text, "Big5"));
        let sjis_text = "番号,名称,開始,終了\nT1,既存カウンターの撤去,2025-03-03,2025-03-05\nT2,足場の組立て,2025-03-06,2025-03-10\n";
        let sjis = decode(&encoded(sjis_text, encoding_rs::SHIFT_JIS));
        assert_eq!((sjis.text.as_str(), sjis.encoding), (sjis_text, "Shift_JIS"));
    }

    #[test]
    fn byte_order_marks_decide() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "id,name\n1,拆除".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let d = decode(&utf16);
        assert_eq!((d.text.as_str(), d.encoding, d.from_bom), ("id,name\n1,拆除", "UTF-16LE", true));
        let d = decode("\u{feff}id,name".as_bytes());
        assert_eq!((d.text.as_str(), d.encoding), ("id,name", "UTF-8"));
        assert_eq!(d.note(std::path::Path::new("p.csv")), None, "UTF-8 needs no note");
    }
}
