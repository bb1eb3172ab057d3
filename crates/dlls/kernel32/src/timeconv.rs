//! File times and system times: the conversions between FILETIME (100 ns intervals since
//! 1601-01-01 UTC), SYSTEMTIME (calendar fields), local time and MS-DOS date and time words,
//! and the refused clock setters.
//!
//! ntemu's machine keeps its clock in UTC and its time zone has no bias and no daylight
//! saving time (GetTimeZoneInformation in `time.rs` answers TIME_ZONE_ID_UNKNOWN with a zeroed
//! structure), so local file times equal UTC file times. Invalid values fail with
//! ERROR_INVALID_PARAMETER as NT's RtlTimeToTimeFields / RtlTimeFieldsToTime callers do: a
//! FILETIME of 0x8000000000000000 or more (a negative LARGE_INTEGER), or a SYSTEMTIME field
//! out of its range (month 1-12, day 1 to the month's length, hour below 24, minute and second
//! below 60, milliseconds below 1000, year from 1601 and not past the last FILETIME).

use nt_status::{NtStatus, Win32Error};

use win32::calendar::{civil_from_days, days_from_civil};
use win32::{ApiCall, ApiReturn, Ptr, export};

/// 100-nanosecond intervals in a millisecond.
const TICKS_PER_MS: u64 = 10_000;
/// Milliseconds in a day.
const MS_PER_DAY: u64 = 86_400_000;
/// Days from 1601-01-01 to 1970-01-01.
const DAYS_1601_TO_1970: i64 = 134_774;
/// The first FILETIME NT refuses: the LARGE_INTEGER is negative from here.
const FILETIME_LIMIT: u64 = 1 << 63;

/// A SYSTEMTIME's eight 16-bit fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct SystemTime {
    pub(crate) year: u16,
    pub(crate) month: u16,
    pub(crate) day_of_week: u16,
    pub(crate) day: u16,
    pub(crate) hour: u16,
    pub(crate) minute: u16,
    pub(crate) second: u16,
    pub(crate) milliseconds: u16,
}

impl SystemTime {
    /// The structure from its 16 bytes.
    pub(crate) fn from_bytes(b: &[u8]) -> SystemTime {
        let f = |i: usize| {
            b.get(2 * i..2 * i + 2)
                .map_or(0, |w| u16::from_le_bytes([w[0], w[1]]))
        };
        SystemTime {
            year: f(0),
            month: f(1),
            day_of_week: f(2),
            day: f(3),
            hour: f(4),
            minute: f(5),
            second: f(6),
            milliseconds: f(7),
        }
    }

    /// Its 16 bytes.
    pub(crate) fn to_bytes(self) -> [u8; 16] {
        let fields = [
            self.year,
            self.month,
            self.day_of_week,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.milliseconds,
        ];
        let mut out = [0u8; 16];
        for (i, f) in fields.iter().enumerate() {
            out[2 * i..2 * i + 2].copy_from_slice(&f.to_le_bytes());
        }
        out
    }
}

/// True for a leap year of the Gregorian calendar.
fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1-12) of `year`.
pub(crate) fn days_in_month(year: i64, month: u16) -> u16 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1601-01-01 of a date (month 1-12).
fn days_since_1601(year: i64, month: u16, day: u16) -> i64 {
    days_from_civil(year, u32::from(month) - 1, u32::from(day)) + DAYS_1601_TO_1970
}

/// RtlTimeToTimeFields: the calendar fields of a FILETIME, None from 0x8000000000000000 on.
pub(crate) fn filetime_to_fields(filetime: u64) -> Option<SystemTime> {
    if filetime >= FILETIME_LIMIT {
        return None;
    }
    let ms_total = filetime / TICKS_PER_MS;
    let days = (ms_total / MS_PER_DAY) as i64;
    let ms_of_day = ms_total % MS_PER_DAY;
    let (year, month, day) = civil_from_days(days - DAYS_1601_TO_1970);
    // 1601-01-01 was a Monday.
    let weekday = (days + 1).rem_euclid(7);
    Some(SystemTime {
        year: u16::try_from(year).ok()?,
        month: month as u16,
        day_of_week: weekday as u16,
        day: day as u16,
        hour: (ms_of_day / 3_600_000) as u16,
        minute: (ms_of_day / 60_000 % 60) as u16,
        second: (ms_of_day / 1000 % 60) as u16,
        milliseconds: (ms_of_day % 1000) as u16,
    })
}

/// RtlTimeFieldsToTime: the FILETIME of calendar fields (the day of the week is ignored);
/// None when a field is out of range or the time lies past the last valid FILETIME.
pub(crate) fn fields_to_filetime(t: &SystemTime) -> Option<u64> {
    let year = i64::from(t.year);
    if year < 1601
        || !(1..=12).contains(&t.month)
        || t.day < 1
        || t.day > days_in_month(year, t.month)
        || t.hour > 23
        || t.minute > 59
        || t.second > 59
        || t.milliseconds > 999
    {
        return None;
    }
    let days = days_since_1601(year, t.month, t.day);
    let ms = u128::try_from(days).ok()? * u128::from(MS_PER_DAY)
        + u128::from(t.hour) * 3_600_000
        + u128::from(t.minute) * 60_000
        + u128::from(t.second) * 1000
        + u128::from(t.milliseconds);
    let ticks = ms * u128::from(TICKS_PER_MS);
    (ticks < u128::from(FILETIME_LIMIT)).then_some(ticks as u64)
}

/// The day of the week (0 Sunday) of a date.
fn weekday(year: i64, month: u16, day: u16) -> u16 {
    ((days_since_1601(year, month, day) + 1).rem_euclid(7)) as u16
}

fn read_filetime(call: &ApiCall<'_>, at: Ptr) -> Option<u64> {
    let bytes = call.read_bytes(at.0, 8).ok()?;
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes);
    Some(u64::from_le_bytes(b))
}

pub(crate) fn read_system_time(call: &ApiCall<'_>, at: Ptr) -> Option<SystemTime> {
    call.read_bytes(at.0, 16)
        .ok()
        .map(|b| SystemTime::from_bytes(&b))
}

fn write_out(call: &mut ApiCall<'_>, at: Ptr, bytes: &[u8]) -> ApiReturn {
    match call.write_bytes(at.0, bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

fn invalid(call: &mut ApiCall<'_>) -> ApiReturn {
    call.fail_win32(Win32Error::INVALID_PARAMETER, 0)
}

/// The local time zone's bias in minutes (UTC = local + bias): 0, as GetTimeZoneInformation
/// reports.
const LOCAL_BIAS_MINUTES: i64 = 0;

/// BOOL FileTimeToLocalFileTime(const FILETIME *lpFileTime, LPFILETIME lpLocalFileTime):
/// subtracts the time zone's bias (none on ntemu's machine). Any value converts, as on NT.
#[export]
fn FileTimeToLocalFileTime(
    call: &mut ApiCall<'_>,
    lpFileTime: Ptr,
    lpLocalFileTime: Ptr,
) -> ApiReturn {
    let Some(ft) = read_filetime(call, lpFileTime) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let local = (ft as i64).wrapping_sub(LOCAL_BIAS_MINUTES * 600_000_000) as u64;
    write_out(call, lpLocalFileTime, &local.to_le_bytes())
}

/// BOOL LocalFileTimeToFileTime(const FILETIME *lpLocalFileTime, LPFILETIME lpFileTime): adds
/// the time zone's bias (none on ntemu's machine).
#[export]
fn LocalFileTimeToFileTime(
    call: &mut ApiCall<'_>,
    lpLocalFileTime: Ptr,
    lpFileTime: Ptr,
) -> ApiReturn {
    let Some(ft) = read_filetime(call, lpLocalFileTime) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let utc = (ft as i64).wrapping_add(LOCAL_BIAS_MINUTES * 600_000_000) as u64;
    write_out(call, lpFileTime, &utc.to_le_bytes())
}

/// BOOL FileTimeToSystemTime(const FILETIME *lpFileTime, LPSYSTEMTIME lpSystemTime): the
/// calendar fields, day of the week included; ERROR_INVALID_PARAMETER for a FILETIME of
/// 0x8000000000000000 or more.
#[export]
fn FileTimeToSystemTime(call: &mut ApiCall<'_>, lpFileTime: Ptr, lpSystemTime: Ptr) -> ApiReturn {
    let Some(ft) = read_filetime(call, lpFileTime) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    match filetime_to_fields(ft) {
        Some(t) => write_out(call, lpSystemTime, &t.to_bytes()),
        None => invalid(call),
    }
}

/// BOOL SystemTimeToFileTime(const SYSTEMTIME *lpSystemTime, LPFILETIME lpFileTime):
/// wDayOfWeek is ignored; a field out of range is ERROR_INVALID_PARAMETER.
#[export]
fn SystemTimeToFileTime(call: &mut ApiCall<'_>, lpSystemTime: Ptr, lpFileTime: Ptr) -> ApiReturn {
    let Some(t) = read_system_time(call, lpSystemTime) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    match fields_to_filetime(&t) {
        Some(ft) => write_out(call, lpFileTime, &ft.to_le_bytes()),
        None => invalid(call),
    }
}

/// TIME_ZONE_INFORMATION as SystemTimeToTzSpecificLocalTime reads it.
struct TimeZone {
    bias: i64,
    standard_date: SystemTime,
    standard_bias: i64,
    daylight_date: SystemTime,
    daylight_bias: i64,
}

/// sizeof(TIME_ZONE_INFORMATION).
const TIME_ZONE_INFORMATION_SIZE: usize = 172;

impl TimeZone {
    fn from_bytes(b: &[u8]) -> TimeZone {
        let long = |at: usize| {
            b.get(at..at + 4).map_or(0, |w| {
                i64::from(i32::from_le_bytes([w[0], w[1], w[2], w[3]]))
            })
        };
        let date = |at: usize| SystemTime::from_bytes(b.get(at..at + 16).unwrap_or(&[]));
        TimeZone {
            bias: long(0),
            standard_date: date(68),
            standard_bias: long(84),
            daylight_date: date(152),
            daylight_bias: long(168),
        }
    }
}

/// The moment (ms since 1601, in the zone's clock the cutover is given in) at which a
/// time-zone cutover happens in `year`: `wYear` 0 is the day-in-month form (`wDay` the
/// occurrence 1-5 of weekday `wDayOfWeek`, 5 the last), otherwise `wMonth`/`wDay` name the
/// date. None when the rule is malformed.
fn cutover(rule: &SystemTime, year: i64) -> Option<i64> {
    if !(1..=12).contains(&rule.month) || rule.hour > 23 || rule.minute > 59 {
        return None;
    }
    let length = days_in_month(year, rule.month);
    let day = if rule.year == 0 {
        if !(1..=5).contains(&rule.day) || rule.day_of_week > 6 {
            return None;
        }
        let first = weekday(year, rule.month, 1);
        let mut day = 1 + (rule.day_of_week + 7 - first) % 7 + (rule.day - 1) * 7;
        while day > length {
            day -= 7;
        }
        day
    } else {
        if rule.day < 1 || rule.day > length {
            return None;
        }
        rule.day
    };
    let days = days_since_1601(year, rule.month, day);
    Some(
        days * MS_PER_DAY as i64
            + i64::from(rule.hour) * 3_600_000
            + i64::from(rule.minute) * 60_000
            + i64::from(rule.second.min(59)) * 1000
            + i64::from(rule.milliseconds.min(999)),
    )
}

/// The bias in minutes (UTC = local + bias) the zone applies at UTC time `utc_ms` (ms since
/// 1601): Bias alone without daylight rules (TIME_ZONE_ID_UNKNOWN), else Bias plus
/// StandardBias or DaylightBias as the cutovers of the local year say.
fn zone_bias(zone: &TimeZone, utc_ms: i64) -> i64 {
    if zone.standard_date.month == 0 || zone.daylight_date.month == 0 {
        return zone.bias;
    }
    let standard_bias = zone.bias + zone.standard_bias;
    let daylight_bias = zone.bias + zone.daylight_bias;
    let local_standard = utc_ms - standard_bias * 60_000;
    let year = filetime_to_fields(local_standard.max(0) as u64 * TICKS_PER_MS)
        .map_or(1601, |t| i64::from(t.year));
    // Daylight time begins at DaylightDate, given in local standard time; it ends at
    // StandardDate, given in local daylight time (moved here to local standard time).
    let (Some(begin), Some(end)) = (
        cutover(&zone.daylight_date, year),
        cutover(&zone.standard_date, year),
    ) else {
        return zone.bias;
    };
    let end = end + (zone.daylight_bias - zone.standard_bias) * 60_000;
    let daylight = if begin < end {
        begin <= local_standard && local_standard < end
    } else {
        !(end <= local_standard && local_standard < begin)
    };
    if daylight {
        daylight_bias
    } else {
        standard_bias
    }
}

/// BOOL SystemTimeToTzSpecificLocalTime(LPTIME_ZONE_INFORMATION lpTimeZoneInformation,
/// LPSYSTEMTIME lpUniversalTime, LPSYSTEMTIME lpLocalTime): the local time of a UTC time in
/// the given zone (NULL: the machine's, which has no bias), honouring its daylight saving
/// rules; ERROR_INVALID_PARAMETER for an invalid UTC time.
#[export]
fn SystemTimeToTzSpecificLocalTime(
    call: &mut ApiCall<'_>,
    lpTimeZoneInformation: Ptr,
    lpUniversalTime: Ptr,
    lpLocalTime: Ptr,
) -> ApiReturn {
    let zone = if lpTimeZoneInformation.is_null() {
        TimeZone::from_bytes(&[0; TIME_ZONE_INFORMATION_SIZE])
    } else {
        match call.read_bytes(lpTimeZoneInformation.0, TIME_ZONE_INFORMATION_SIZE) {
            Ok(b) => TimeZone::from_bytes(&b),
            Err(_) => return call.fail(NtStatus::ACCESS_VIOLATION),
        }
    };
    let Some(utc) = read_system_time(call, lpUniversalTime) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let Some(ft) = fields_to_filetime(&utc) else {
        return invalid(call);
    };
    let utc_ms = (ft / TICKS_PER_MS) as i64;
    let local_ms = utc_ms - zone_bias(&zone, utc_ms) * 60_000;
    let local = u64::try_from(local_ms)
        .ok()
        .and_then(|ms| ms.checked_mul(TICKS_PER_MS))
        .and_then(|ticks| filetime_to_fields(ticks + ft % TICKS_PER_MS));
    match local {
        Some(t) => write_out(call, lpLocalTime, &t.to_bytes()),
        None => invalid(call),
    }
}

/// The MS-DOS date and time words of a FILETIME: (date, time), None outside 1980-2107.
fn dos_date_time(filetime: u64) -> Option<(u16, u16)> {
    let t = filetime_to_fields(filetime)?;
    if !(1980..=2107).contains(&t.year) {
        return None;
    }
    let date = ((t.year - 1980) << 9) | (t.month << 5) | t.day;
    let time = (t.hour << 11) | (t.minute << 5) | (t.second / 2);
    Some((date, time))
}

/// BOOL FileTimeToDosDateTime(const FILETIME *lpFileTime, LPWORD lpFatDate, LPWORD
/// lpFatTime): the MS-DOS date (bits 9-15 year - 1980, 5-8 month, 0-4 day) and time (bits
/// 11-15 hour, 5-10 minute, 0-4 seconds / 2, odd seconds rounded down); a time outside
/// 1980-2107 is ERROR_INVALID_PARAMETER.
#[export]
fn FileTimeToDosDateTime(
    call: &mut ApiCall<'_>,
    lpFileTime: Ptr,
    lpFatDate: Ptr,
    lpFatTime: Ptr,
) -> ApiReturn {
    let Some(ft) = read_filetime(call, lpFileTime) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let Some((date, time)) = dos_date_time(ft) else {
        return invalid(call);
    };
    if call.write_bytes(lpFatDate.0, &date.to_le_bytes()).is_err()
        || call.write_bytes(lpFatTime.0, &time.to_le_bytes()).is_err()
    {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    ApiReturn::Value(1)
}

/// The calendar fields of MS-DOS date and time words (not checked).
fn dos_fields(date: u16, time: u16) -> SystemTime {
    SystemTime {
        year: 1980 + (date >> 9),
        month: (date >> 5) & 0xF,
        day_of_week: 0,
        day: date & 0x1F,
        hour: time >> 11,
        minute: (time >> 5) & 0x3F,
        second: (time & 0x1F) * 2,
        milliseconds: 0,
    }
}

/// BOOL DosDateTimeToFileTime(WORD wFatDate, WORD wFatTime, LPFILETIME lpFileTime): the
/// FILETIME of MS-DOS date and time words (local time, which is UTC here); a field out of
/// range (month 0, day 0 or past the month's end, hour 24 or more, minute or second 60 or
/// more) is ERROR_INVALID_PARAMETER.
#[export]
fn DosDateTimeToFileTime(
    call: &mut ApiCall<'_>,
    wFatDate: u16,
    wFatTime: u16,
    lpFileTime: Ptr,
) -> ApiReturn {
    match fields_to_filetime(&dos_fields(wFatDate, wFatTime)) {
        Some(ft) => write_out(call, lpFileTime, &ft.to_le_bytes()),
        None => invalid(call),
    }
}

/// LONG CompareFileTime(const FILETIME *lpFileTime1, const FILETIME *lpFileTime2): -1, 0 or
/// 1 as the first is earlier than, equal to or later than the second (unsigned 64-bit
/// comparison, as NT compares the high and then the low DWORD).
#[export]
fn CompareFileTime(call: &mut ApiCall<'_>, lpFileTime1: Ptr, lpFileTime2: Ptr) -> ApiReturn {
    let (Some(a), Some(b)) = (
        read_filetime(call, lpFileTime1),
        read_filetime(call, lpFileTime2),
    ) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    ApiReturn::Value(match a.cmp(&b) {
        std::cmp::Ordering::Less => u32::MAX,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    })
}

/// The clock setters: the SYSTEMTIME is checked first (ERROR_INVALID_PARAMETER), then the
/// privilege. ntemu runs programs as an ordinary NT 4.0 user, and NT 4.0 grants "Change the
/// system time" (SeSystemtimePrivilege) only to Administrators and Power Users, so the call
/// fails with ERROR_PRIVILEGE_NOT_HELD and the machine's clock is left alone.
fn set_clock(call: &mut ApiCall<'_>, system_time: Ptr) -> ApiReturn {
    let Some(t) = read_system_time(call, system_time) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    if fields_to_filetime(&t).is_none() {
        return invalid(call);
    }
    call.fail_win32(Win32Error::PRIVILEGE_NOT_HELD, 0)
}

/// BOOL SetSystemTime(const SYSTEMTIME *lpSystemTime): refused with ERROR_PRIVILEGE_NOT_HELD
/// (an ordinary user lacks SeSystemtimePrivilege); an invalid time is ERROR_INVALID_PARAMETER.
#[export]
fn SetSystemTime(call: &mut ApiCall<'_>, lpSystemTime: Ptr) -> ApiReturn {
    set_clock(call, lpSystemTime)
}

/// BOOL SetLocalTime(const SYSTEMTIME *lpSystemTime): refused as SetSystemTime is.
#[export]
fn SetLocalTime(call: &mut ApiCall<'_>, lpSystemTime: Ptr) -> ApiReturn {
    set_clock(call, lpSystemTime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(y: u16, mo: u16, d: u16, h: u16, mi: u16, s: u16, ms: u16) -> SystemTime {
        SystemTime {
            year: y,
            month: mo,
            day_of_week: 0,
            day: d,
            hour: h,
            minute: mi,
            second: s,
            milliseconds: ms,
        }
    }

    #[test]
    fn filetime_round_trips_known_dates() {
        assert_eq!(fields_to_filetime(&st(1601, 1, 1, 0, 0, 0, 0)), Some(0));
        // 1970-01-01 is the Unix epoch, 116444736000000000 in FILETIME units.
        assert_eq!(
            fields_to_filetime(&st(1970, 1, 1, 0, 0, 0, 0)),
            Some(116_444_736_000_000_000)
        );
        let t = filetime_to_fields(116_444_736_000_000_000).unwrap();
        assert_eq!((t.year, t.month, t.day, t.day_of_week), (1970, 1, 1, 4));
        let t = filetime_to_fields(0).unwrap();
        assert_eq!(t.day_of_week, 1, "1601-01-01 was a Monday");
        let leap = st(2000, 2, 29, 23, 59, 59, 999);
        let ft = fields_to_filetime(&leap).unwrap();
        let back = filetime_to_fields(ft).unwrap();
        assert_eq!(back.day_of_week, 2, "2000-02-29 was a Tuesday");
        assert_eq!(
            SystemTime {
                day_of_week: 0,
                ..back
            },
            leap
        );
    }

    #[test]
    fn invalid_values_are_refused() {
        assert_eq!(filetime_to_fields(1 << 63), None);
        let last = filetime_to_fields((1 << 63) - 1).unwrap();
        assert_eq!((last.year, last.month, last.day), (30828, 9, 14));
        assert_eq!(fields_to_filetime(&st(30828, 9, 15, 0, 0, 0, 0)), None);
        assert_eq!(fields_to_filetime(&st(1600, 12, 31, 0, 0, 0, 0)), None);
        assert_eq!(fields_to_filetime(&st(1999, 2, 29, 0, 0, 0, 0)), None);
        assert_eq!(fields_to_filetime(&st(2000, 13, 1, 0, 0, 0, 0)), None);
        assert_eq!(fields_to_filetime(&st(2000, 1, 1, 24, 0, 0, 0)), None);
        assert_eq!(fields_to_filetime(&st(2000, 1, 1, 0, 0, 60, 0)), None);
        assert_eq!(fields_to_filetime(&st(2000, 1, 1, 0, 0, 0, 1000)), None);
    }

    #[test]
    fn dos_dates_cover_1980_to_2107() {
        let ft = fields_to_filetime(&st(1999, 12, 31, 23, 59, 59, 0)).unwrap();
        let (date, time) = dos_date_time(ft).unwrap();
        assert_eq!(date, (19 << 9) | (12 << 5) | 31);
        assert_eq!(time, (23 << 11) | (59 << 5) | 29);
        let back = dos_fields(date, time);
        assert_eq!((back.year, back.second), (1999, 58));
        let early = fields_to_filetime(&st(1979, 12, 31, 0, 0, 0, 0)).unwrap();
        assert_eq!(dos_date_time(early), None);
        let late = fields_to_filetime(&st(2108, 1, 1, 0, 0, 0, 0)).unwrap();
        assert_eq!(dos_date_time(late), None);
        assert_eq!(
            fields_to_filetime(&dos_fields(0x21, 0)).map(|_| ()),
            Some(())
        );
        assert_eq!(fields_to_filetime(&dos_fields(0, 0)), None, "month 0");
    }

    #[test]
    fn daylight_rules_follow_the_cutovers() {
        // U.S. Eastern rules of NT 4.0's day: daylight time from the first Sunday of April,
        // 2:00, to the last Sunday of October, 2:00.
        let zone = TimeZone {
            bias: 300,
            standard_date: SystemTime {
                month: 10,
                day: 5,
                hour: 2,
                ..SystemTime::default()
            },
            standard_bias: 0,
            daylight_date: SystemTime {
                month: 4,
                day: 1,
                hour: 2,
                ..SystemTime::default()
            },
            daylight_bias: -60,
        };
        let ms = |t: SystemTime| (fields_to_filetime(&t).unwrap() / TICKS_PER_MS) as i64;
        // 1999-07-01 12:00 UTC: daylight time.
        assert_eq!(zone_bias(&zone, ms(st(1999, 7, 1, 12, 0, 0, 0))), 240);
        // 1999-01-15 12:00 UTC: standard time.
        assert_eq!(zone_bias(&zone, ms(st(1999, 1, 15, 12, 0, 0, 0))), 300);
        // 1999-04-04 (first Sunday) 06:59 UTC is 01:59 EST; 07:00 UTC is 03:00 EDT.
        assert_eq!(zone_bias(&zone, ms(st(1999, 4, 4, 6, 59, 0, 0))), 300);
        assert_eq!(zone_bias(&zone, ms(st(1999, 4, 4, 7, 0, 0, 0))), 240);
        // 1999-10-31 (last Sunday) 05:59 UTC is 01:59 EDT; 06:00 UTC is 01:00 EST.
        assert_eq!(zone_bias(&zone, ms(st(1999, 10, 31, 5, 59, 0, 0))), 240);
        assert_eq!(zone_bias(&zone, ms(st(1999, 10, 31, 6, 0, 0, 0))), 300);
    }
}
