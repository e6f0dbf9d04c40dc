//! MSPDI and P6 XML calendars, task calendars, constraints and lags as the CPM reads them.

use plumbline_schedule::{critical_path, read_mspdi_text, read_p6xml_text};
use std::path::Path;

/// A Standard calendar with a 07:00–11:00 + 12:00–16:00 week and a holiday, a derived night
/// calendar that redefines Monday only, two tasks in sequence and a third on the night calendar
/// with a start-no-earlier-than constraint.
const MSPDI: &str = r#"<?xml version="1.0"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Name>cal</Name><StartDate>2025-03-03T07:00:00</StartDate><MinutesPerDay>480</MinutesPerDay>
  <CalendarUID>1</CalendarUID>
  <Calendars>
    <Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar><BaseCalendarUID>-1</BaseCalendarUID>
      <WeekDays>
        <WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>
        <WeekDay><DayType>2</DayType><DayWorking>1</DayWorking><WorkingTimes>
          <WorkingTime><FromTime>07:00:00</FromTime><ToTime>11:00:00</ToTime></WorkingTime>
          <WorkingTime><FromTime>12:00:00.000</FromTime><ToTime>16:00:00.000</ToTime></WorkingTime></WorkingTimes></WeekDay>
        <WeekDay><DayType>3</DayType><DayWorking>1</DayWorking><WorkingTimes>
          <WorkingTime><FromTime>07:00:00</FromTime><ToTime>11:00:00</ToTime></WorkingTime>
          <WorkingTime><FromTime>12:00:00</FromTime><ToTime>16:00:00</ToTime></WorkingTime></WorkingTimes></WeekDay>
        <WeekDay><DayType>4</DayType><DayWorking>1</DayWorking><WorkingTimes>
          <WorkingTime><FromTime>07:00:00</FromTime><ToTime>11:00:00</ToTime></WorkingTime>
          <WorkingTime><FromTime>12:00:00</FromTime><ToTime>16:00:00</ToTime></WorkingTime></WorkingTimes></WeekDay>
        <WeekDay><DayType>5</DayType><DayWorking>1</DayWorking><WorkingTimes>
          <WorkingTime><FromTime>07:00:00</FromTime><ToTime>11:00:00</ToTime></WorkingTime>
          <WorkingTime><FromTime>12:00:00</FromTime><ToTime>16:00:00</ToTime></WorkingTime></WorkingTimes></WeekDay>
        <WeekDay><DayType>6</DayType><DayWorking>1</DayWorking><WorkingTimes>
          <WorkingTime><FromTime>07:00:00</FromTime><ToTime>11:00:00</ToTime></WorkingTime>
          <WorkingTime><FromTime>12:00:00</FromTime><ToTime>16:00:00</ToTime></WorkingTime></WorkingTimes></WeekDay>
        <WeekDay><DayType>7</DayType><DayWorking>0</DayWorking></WeekDay>
      </WeekDays>
      <Exceptions><Exception><TimePeriod><FromDate>2025-03-05T00:00:00</FromDate><ToDate>2025-03-05T23:59:00</ToDate></TimePeriod><DayWorking>0</DayWorking></Exception></Exceptions>
    </Calendar>
    <Calendar><UID>2</UID><Name>Long Monday</Name><BaseCalendarUID>1</BaseCalendarUID>
      <WeekDays><WeekDay><DayType>2</DayType><DayWorking>1</DayWorking><WorkingTimes>
        <WorkingTime><FromTime>06:00:00</FromTime><ToTime>20:00:00</ToTime></WorkingTime></WorkingTimes></WeekDay></WeekDays>
    </Calendar>
  </Calendars>
  <Tasks>
    <Task><UID>1</UID><Name>A</Name><Duration>PT16H0M0S</Duration><CalendarUID>-1</CalendarUID><ConstraintType>0</ConstraintType>
      <Start>2025-03-03T07:00:00</Start><Finish>2025-03-04T16:00:00</Finish></Task>
    <Task><UID>2</UID><Name>B</Name><Duration>PT8H0M0S</Duration><CalendarUID>-1</CalendarUID><ConstraintType>0</ConstraintType>
      <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type><LinkLag>2400</LinkLag><LagFormat>5</LagFormat></PredecessorLink></Task>
    <Task><UID>3</UID><Name>C</Name><Duration>PT14H0M0S</Duration><CalendarUID>2</CalendarUID>
      <ConstraintType>4</ConstraintType><ConstraintDate>2025-03-10T06:00:00</ConstraintDate></Task>
  </Tasks>
</Project>"#;

#[test]
fn mspdi_working_times_exceptions_base_calendars_constraints_and_lags() {
    let s = read_mspdi_text(Path::new("cal.xml"), MSPDI).expect("reads");
    assert_eq!(s.plan.calendars.len(), 2);
    let cpm = critical_path(&s).expect("schedules");
    let at = |i: usize| {
        let c = cpm.of(i).expect("in the network");
        (c.early_start_at.map(|t| t.to_string()), c.early_finish_at.map(|t| t.to_string()))
    };
    // 16 hours from Monday 07:00: Tuesday 16:00.
    assert_eq!(at(0), (Some("2025-03-03 07:00:00".into()), Some("2025-03-04 16:00:00".into())));
    // A 4-hour lag (2,400 tenths of a minute), Wednesday a holiday: Thursday 07:00 + 4 h.
    assert_eq!(at(1).0, Some("2025-03-06 12:00:00".into()));
    // The derived calendar's Monday runs 06:00–20:00 (14 h); its other days are the base's.
    assert_eq!(at(2), (Some("2025-03-10 06:00:00".into()), Some("2025-03-10 20:00:00".into())));
}

#[test]
fn mspdi_bad_calendar_and_constraint_are_named() {
    let bad = MSPDI.replace(
        "<CalendarUID>2</CalendarUID>\n      <ConstraintType>4",
        "<CalendarUID>9</CalendarUID>\n      <ConstraintType>4",
    );
    let e = read_mspdi_text(Path::new("cal.xml"), &bad).expect_err("unknown calendar").to_string();
    assert!(e.contains("cal.xml") && e.contains("calendar UID '9'"), "{e}");
    let bad = MSPDI.replace(
        "<ConstraintType>4</ConstraintType><ConstraintDate>2025-03-10T06:00:00</ConstraintDate>",
        "<ConstraintType>4</ConstraintType>",
    );
    let e = read_mspdi_text(Path::new("cal.xml"), &bad).expect_err("no date").to_string();
    assert!(e.contains("activity '3'") && e.contains("ConstraintDate"), "{e}");
}

const P6XML: &str = r#"<?xml version="1.0"?>
<APIBusinessObjects>
  <Calendar><Name>Ten hours</Name><ObjectId>7</ObjectId><HoursPerDay>10</HoursPerDay><IsDefault>1</IsDefault>
    <StandardWorkWeek>
      <StandardWorkHours><DayOfWeek>Monday</DayOfWeek><WorkTime><Start>07:00:00</Start><Finish>16:59:00</Finish></WorkTime></StandardWorkHours>
      <StandardWorkHours><DayOfWeek>Tuesday</DayOfWeek><WorkTime><Start>07:00:00</Start><Finish>16:59:00</Finish></WorkTime></StandardWorkHours>
      <StandardWorkHours><DayOfWeek>Wednesday</DayOfWeek><WorkTime><Start>07:00:00</Start><Finish>16:59:00</Finish></WorkTime></StandardWorkHours>
      <StandardWorkHours><DayOfWeek>Thursday</DayOfWeek><WorkTime><Start>07:00:00</Start><Finish>16:59:00</Finish></WorkTime></StandardWorkHours>
      <StandardWorkHours><DayOfWeek>Friday</DayOfWeek><WorkTime><Start>07:00:00</Start><Finish>16:59:00</Finish></WorkTime></StandardWorkHours>
      <StandardWorkHours><DayOfWeek>Saturday</DayOfWeek><WorkTime /></StandardWorkHours>
      <StandardWorkHours><DayOfWeek>Sunday</DayOfWeek><WorkTime /></StandardWorkHours>
    </StandardWorkWeek>
    <HolidayOrExceptions><HolidayOrException><Date>2025-03-04T00:00:00</Date><WorkTime /></HolidayOrException></HolidayOrExceptions>
  </Calendar>
  <Project><Id>P</Id><Name>P</Name><ObjectId>1</ObjectId><DataDate>2025-03-03T00:00:00</DataDate>
    <PlannedStartDate>2025-03-03T07:00:00</PlannedStartDate><ActivityDefaultCalendarObjectId>7</ActivityDefaultCalendarObjectId>
    <CriticalActivityFloatLimit>0</CriticalActivityFloatLimit>
    <Activity><Id>A1</Id><Name>Dig</Name><ObjectId>11</ObjectId><Type>Task Dependent</Type><Status>Not Started</Status>
      <CalendarObjectId>7</CalendarObjectId><PlannedDuration>20</PlannedDuration><RemainingDuration>20</RemainingDuration>
      <RemainingEarlyStartDate>2025-03-03T07:00:00</RemainingEarlyStartDate><RemainingEarlyFinishDate>2025-03-05T17:00:00</RemainingEarlyFinishDate>
      <RemainingLateStartDate>2025-03-03T07:00:00</RemainingLateStartDate><RemainingLateFinishDate>2025-03-05T17:00:00</RemainingLateFinishDate></Activity>
  </Project>
</APIBusinessObjects>"#;

#[test]
fn p6xml_calendars_and_stored_dates_are_compared() {
    let s = read_p6xml_text(Path::new("p.xml"), P6XML).expect("reads");
    assert_eq!(s.plan.calendars[0].week[0], vec![(420, 1020)], "16:59 closes at 17:00");
    let a = plumbline_schedule::parity::agreement(&s, false).expect("runs");
    // Twenty hours of ten-hour days, the Tuesday a holiday: Monday and Wednesday.
    assert_eq!((a.compared, a.all), (1, 1), "{:?}", a.examples);
    let bad =
        P6XML.replace("<CalendarObjectId>7</CalendarObjectId>", "<CalendarObjectId>8</CalendarObjectId>");
    let e = read_p6xml_text(Path::new("p.xml"), &bad).expect_err("unknown calendar").to_string();
    assert!(e.contains("activity 'A1'") && e.contains("CalendarObjectId"), "{e}");
}
