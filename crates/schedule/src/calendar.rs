//! Working-time calendars at minute granularity, as P6 and MS Project keep them: a week of work
//! intervals per weekday (08:00–12:00 and 13:00–17:00, 24-hour days, half days) plus dated
//! exceptions (a holiday, or a day with other hours).
//!
//! [`WorkCalendar`] is the definition the readers fill in. The CPM compiles each one into a
//! [`CalTable`]: a table of work intervals per day over the network's date range with the
//! cumulative work before each day, and a bucket index from cumulative work to day. Every CPM
//! step (snap to the next working minute, add or subtract working time) is then a table lookup
//! without allocation, which is what makes ten thousand Monte Carlo passes affordable.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;
use std::collections::BTreeMap;

/// Minutes in a day.
pub const DAY_MIN: i64 = 1440;

/// A working interval of a day, in minutes after midnight: `[start, end)`, `end` up to 1440.
pub type Span = (u16, u16);

/// A calendar as a file defines it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkCalendar {
    /// The file's id for it (XER `clndr_id`, MSPDI `UID`, P6 XML `ObjectId`).
    pub id: String,
    pub name: String,
    /// Work intervals of each weekday, Monday first.
    pub week: [Vec<Span>; 7],
    /// Dates whose work differs from the week; an empty list is a day off.
    pub exceptions: BTreeMap<NaiveDate, Vec<Span>>,
    /// The hours one "day" of duration stands for in this calendar (reporting only: durations
    /// are kept in minutes).
    pub hours_per_day: f64,
    /// Line (or XML line) of the definition, for messages.
    pub line: usize,
}

impl WorkCalendar {
    /// A calendar whose working days (Monday first) are worked around the clock, with these
    /// days off: what a schedule counted in whole days means.
    pub fn whole_days(
        name: &str,
        work_days: [bool; 7],
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        let full: Vec<Span> = vec![(0, 1440)];
        WorkCalendar {
            id: name.to_string(),
            name: name.to_string(),
            week: std::array::from_fn(|i| if work_days[i] { full.clone() } else { Vec::new() }),
            exceptions: holidays.into_iter().map(|d| (d, Vec::new())).collect(),
            hours_per_day: 24.0,
            line: 0,
        }
    }

    /// Every minute works: the calendar of elapsed lags.
    pub fn round_the_clock() -> Self {
        Self::whole_days("24 hours", [true; 7], [])
    }

    /// Whether any weekday has working time (a calendar without one can schedule nothing).
    pub fn has_work(&self) -> bool {
        self.week.iter().any(|d| d.iter().any(|(s, e)| e > s))
    }

    /// The work intervals of one date.
    pub fn spans_of(&self, day: NaiveDate) -> &[Span] {
        match self.exceptions.get(&day) {
            Some(spans) => spans,
            None => &self.week[day.weekday().num_days_from_monday() as usize],
        }
    }

    /// Working minutes of a full week (for reporting).
    pub fn week_minutes(&self) -> i64 {
        self.week.iter().flatten().map(|(s, e)| i64::from(*e) - i64::from(*s)).sum()
    }
}

/// Sorts spans, drops empty ones and merges touching ones, so lookups can rely on order.
pub fn normalise(spans: &mut Vec<Span>) {
    spans.retain(|(s, e)| e > s);
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for &(s, e) in spans.iter() {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    *spans = out;
}

/// A moment as minutes after the network's origin (midnight of its first day).
pub type Tm = i64;

/// A moment outside the range the calendars were compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange;

/// Work buckets of the inverse index: one entry per this many working minutes.
const BUCKET_MIN: i64 = 480;

/// One day of a compiled calendar: the work before it and its intervals, kept together so that
/// a lookup touches one record (the Monte Carlo passes make millions of them). Days with more
/// than two intervals keep them in [`CalTable::overflow`].
#[derive(Debug, Clone, Copy, Default)]
struct DayRec {
    /// Work minutes before this day.
    cum: i64,
    /// The intervals, when there are at most two.
    inline: [Span; 2],
    /// Start of the intervals in `overflow` when there are more than two.
    first: u32,
    count: u8,
}

/// A calendar compiled over a date range (see the module documentation).
#[derive(Debug, Clone)]
pub struct CalTable {
    days: usize,
    /// One record per day, and one past the last holding the total work.
    day: Vec<DayRec>,
    overflow: Vec<Span>,
    /// For bucket `k`, the last day whose cumulative work is at most `k * BUCKET_MIN`.
    bucket_day: Vec<u32>,
    /// Minutes one day of this calendar stands for (reporting in days).
    pub day_minutes: f64,
}

impl CalTable {
    /// Compiles `cal` for `days` days from `origin`.
    pub fn new(cal: &WorkCalendar, origin: NaiveDate, days: usize) -> CalTable {
        let mut day = Vec::with_capacity(days + 1);
        let mut overflow = Vec::new();
        let mut total = 0i64;
        let mut date = origin;
        for _ in 0..days {
            let spans = cal.spans_of(date);
            let mut rec = DayRec { cum: total, count: spans.len().min(255) as u8, ..DayRec::default() };
            if spans.len() <= 2 {
                rec.inline[..spans.len()].copy_from_slice(spans);
            } else {
                rec.first = overflow.len() as u32;
                overflow.extend_from_slice(&spans[..usize::from(rec.count)]);
            }
            total += spans
                .iter()
                .take(usize::from(rec.count))
                .map(|(s, e)| i64::from(*e) - i64::from(*s))
                .sum::<i64>();
            day.push(rec);
            date = date.succ_opt().unwrap_or(date);
        }
        day.push(DayRec { cum: total, ..DayRec::default() });
        let buckets = (total / BUCKET_MIN + 1) as usize;
        let mut bucket_day = Vec::with_capacity(buckets);
        let mut d = 0usize;
        for k in 0..buckets {
            let w = k as i64 * BUCKET_MIN;
            while d + 1 < days && day[d + 1].cum <= w {
                d += 1;
            }
            bucket_day.push(d as u32);
        }
        let day_minutes = cal.hours_per_day * 60.0;
        CalTable { days, day, overflow, bucket_day, day_minutes: day_minutes.max(1.0) }
    }

    fn day_spans(&self, d: usize) -> &[Span] {
        let rec = &self.day[d];
        let n = usize::from(rec.count);
        if n <= 2 {
            &rec.inline[..n]
        } else {
            &self.overflow[rec.first as usize..rec.first as usize + n]
        }
    }

    /// Working minutes from the origin to `t`.
    pub fn work_before(&self, t: Tm) -> Result<i64, OutOfRange> {
        if t < 0 {
            return Err(OutOfRange);
        }
        let d = (t / DAY_MIN) as usize;
        if d >= self.days {
            return if d == self.days && t % DAY_MIN == 0 {
                Ok(self.day[self.days].cum)
            } else {
                Err(OutOfRange)
            };
        }
        let m = t % DAY_MIN;
        let mut w = self.day[d].cum;
        for &(s, e) in self.day_spans(d) {
            let (s, e) = (i64::from(s), i64::from(e));
            if m <= s {
                break;
            }
            w += m.min(e) - s;
        }
        Ok(w)
    }

    /// The day holding cumulative work `w`: the last day with `cum[d] <= w` (start semantics)
    /// or the last with `cum[d] < w` (finish semantics).
    fn day_of_work(&self, w: i64, finish: bool) -> Result<usize, OutOfRange> {
        let total = self.day[self.days].cum;
        if w < 0 || w > total || (!finish && w == total) {
            return Err(OutOfRange);
        }
        let k = if finish { (w - 1).max(0) / BUCKET_MIN } else { w / BUCKET_MIN };
        let mut d = self.bucket_day.get(k as usize).copied().unwrap_or(0) as usize;
        let inside = |d: usize| if finish { self.day[d + 1].cum >= w } else { self.day[d + 1].cum > w };
        while d + 1 < self.days && !inside(d) {
            d += 1;
        }
        Ok(d)
    }

    /// The moment at which cumulative work reaches `w`. `finish`: the end of the minute that
    /// completes it (work ending at 17:00 finishes at 17:00); otherwise the next working minute
    /// (work resuming at 08:00 the next day starts then).
    pub fn at_work(&self, w: i64, finish: bool) -> Result<Tm, OutOfRange> {
        if finish && w <= 0 {
            // Nothing worked yet: the first working minute is where a zero finish stands.
            return self.at_work(0, false);
        }
        let d = self.day_of_work(w, finish)?;
        let mut r = w - self.day[d].cum;
        for &(s, e) in self.day_spans(d) {
            let (s, e) = (i64::from(s), i64::from(e));
            let len = e - s;
            if r < len || (finish && r == len) {
                return Ok(d as i64 * DAY_MIN + s + r);
            }
            r -= len;
        }
        Err(OutOfRange)
    }

    /// The first working minute at or after `t`.
    /// [`Self::next_start`] with the work before it (which moving to the next start keeps):
    /// the passes carry it on, saving the lookups `add` and `between` would repeat.
    pub fn next_start_at(&self, t: Tm) -> Result<(Tm, i64), OutOfRange> {
        let w = self.work_before(t)?;
        Ok((self.at_work(w, false)?, w))
    }

    /// [`Self::prev_finish`] with the work before it.
    pub fn prev_finish_at(&self, t: Tm) -> Result<(Tm, i64), OutOfRange> {
        let w = self.work_before(t)?;
        if w == 0 {
            return Ok((t, 0));
        }
        Ok((self.at_work(w, true)?, w))
    }

    pub fn next_start(&self, t: Tm) -> Result<Tm, OutOfRange> {
        self.at_work(self.work_before(t)?, false)
    }

    /// The last end of work at or before `t` (a finish pulled back out of non-working time).
    pub fn prev_finish(&self, t: Tm) -> Result<Tm, OutOfRange> {
        let w = self.work_before(t)?;
        if w == 0 {
            return Ok(t);
        }
        self.at_work(w, true)
    }

    /// `t` plus `work` working minutes (negative subtracts). A positive amount ends in finish
    /// semantics, anything else in start semantics.
    pub fn add(&self, t: Tm, work: i64) -> Result<Tm, OutOfRange> {
        let w = self.work_before(t)? + work;
        self.at_work(w, work > 0)
    }

    /// `t` minus `work` working minutes, landing on a start (the start of work that finishes at
    /// `t`).
    pub fn sub(&self, t: Tm, work: i64) -> Result<Tm, OutOfRange> {
        let w = self.work_before(t)? - work;
        if work == 0 {
            return Ok(t);
        }
        self.at_work(w, false)
    }

    /// Working minutes from `a` to `b` (negative when `b` is earlier).
    pub fn between(&self, a: Tm, b: Tm) -> Result<i64, OutOfRange> {
        Ok(self.work_before(b)? - self.work_before(a)?)
    }
}

/// Converts between moments and minutes after an origin date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub origin: NaiveDate,
    pub days: usize,
}

impl Clock {
    pub fn to_tm(&self, at: NaiveDateTime) -> Result<Tm, OutOfRange> {
        let t = (at - self.origin.and_time(NaiveTime::MIN)).num_minutes();
        if t < 0 || t > self.days as i64 * DAY_MIN {
            return Err(OutOfRange);
        }
        Ok(t)
    }

    pub fn to_datetime(&self, t: Tm) -> NaiveDateTime {
        self.origin.and_time(NaiveTime::MIN) + chrono::Duration::minutes(t)
    }

    /// The day a start moment falls on.
    pub fn start_date(&self, t: Tm) -> NaiveDate {
        self.to_datetime(t).date()
    }

    /// The day a finish moment closes: a finish at midnight ends the day before.
    pub fn finish_date(&self, start: Tm, t: Tm) -> NaiveDate {
        if t > start {
            self.to_datetime(t - 1).date()
        } else {
            self.to_datetime(t).date()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn office() -> WorkCalendar {
        let day = vec![(480, 720), (780, 1020)];
        let mut c = WorkCalendar::whole_days("office", [false; 7], []);
        for i in 0..5 {
            c.week[i] = day.clone();
        }
        c.exceptions.insert(d("2025-03-05"), Vec::new());
        c.hours_per_day = 8.0;
        c
    }

    #[test]
    fn add_and_snap_follow_the_work_intervals() {
        let origin = d("2025-03-03"); // Monday.
        let t = CalTable::new(&office(), origin, 30);
        let mon8 = 480;
        // Eight hours from Monday 08:00 finish Monday 17:00, not Tuesday 08:00.
        assert_eq!(t.add(mon8, 480), Ok(1020));
        // The next start after Monday 17:00 is Tuesday 08:00; Wednesday is a holiday.
        assert_eq!(t.next_start(1020), Ok(DAY_MIN + 480));
        assert_eq!(t.add(DAY_MIN + 480, 960), Ok(3 * DAY_MIN + 1020));
        // Back from Thursday 17:00 by 16 hours starts Tuesday 08:00.
        assert_eq!(t.sub(3 * DAY_MIN + 1020, 960), Ok(DAY_MIN + 480));
        assert_eq!(t.prev_finish(2 * DAY_MIN + 600), Ok(DAY_MIN + 1020));
        assert_eq!(t.between(mon8, DAY_MIN + 720), Ok(480 + 240));
        // Half an hour into lunch counts as the end of the morning.
        assert_eq!(t.work_before(750), Ok(240));
        assert_eq!(t.add(100 * DAY_MIN, 1), Err(OutOfRange));
    }
}
