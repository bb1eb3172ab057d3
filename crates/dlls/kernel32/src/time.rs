//! Time and system information: GetSystemTimeAsFileTime, GetSystemTime, GetLocalTime,
//! GetTimeZoneInformation, QueryPerformanceCounter/Frequency and GetSystemInfo. ntemu's NT
//! keeps its clock in UTC with no time zone, so local time is UTC; wall-clock time is the
//! host's when the machine started plus the machine's clock (real or virtual).

use nt_kernel::Architecture;
use nt_status::NtStatus;

use win32::calendar::civil_from_days;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// 100-nanosecond intervals from 1601-01-01 to 1970-01-01.
const FILETIME_UNIX_EPOCH: u64 = 116_444_736_000_000_000;
/// QueryPerformanceFrequency: a 1 MHz counter.
const PERFORMANCE_FREQUENCY: u64 = 1_000_000;

/// The current time as a FILETIME (100 ns units since 1601, UTC).
fn now_filetime(call: &ApiCall<'_>) -> u64 {
    let base = call.state.wall_clock_base_ms;
    let ms = base + call.machine.clock().now_ms();
    FILETIME_UNIX_EPOCH + ms * 10_000
}

/// A FILETIME as the 16 bytes of a SYSTEMTIME.
fn system_time(filetime: u64) -> [u8; 16] {
    let ms_total = (filetime - FILETIME_UNIX_EPOCH) / 10_000;
    let days = (ms_total / 86_400_000) as i64;
    let ms_of_day = ms_total % 86_400_000;
    let (year, month, day) = civil_from_days(days);
    let weekday = (days + 4).rem_euclid(7); // 1970-01-01 was a Thursday
    let fields = [
        year as u16,
        month as u16,
        weekday as u16,
        day as u16,
        (ms_of_day / 3_600_000) as u16,
        (ms_of_day / 60_000 % 60) as u16,
        (ms_of_day / 1000 % 60) as u16,
        (ms_of_day % 1000) as u16,
    ];
    let mut out = [0u8; 16];
    for (i, f) in fields.iter().enumerate() {
        out[2 * i..2 * i + 2].copy_from_slice(&f.to_le_bytes());
    }
    out
}

fn write_or_fault(call: &mut ApiCall<'_>, at: u32, bytes: &[u8], value: u32) -> ApiReturn {
    match call.write_bytes(at, bytes) {
        Ok(()) => ApiReturn::Value(value),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// GetSystemTimeAsFileTime(lpSystemTimeAsFileTime).
#[export]
fn GetSystemTimeAsFileTime(call: &mut ApiCall<'_>, lpSystemTimeAsFileTime: Ptr) -> ApiReturn {
    let now = now_filetime(call);
    write_or_fault(call, lpSystemTimeAsFileTime.0, &now.to_le_bytes(), 0)
}

/// GetSystemTime(lpSystemTime).
#[export]
fn GetSystemTime(call: &mut ApiCall<'_>, lpSystemTime: Ptr) -> ApiReturn {
    let now = system_time(now_filetime(call));
    write_or_fault(call, lpSystemTime.0, &now, 0)
}

/// GetLocalTime(lpSystemTime): local time is UTC here.
#[export]
fn GetLocalTime(call: &mut ApiCall<'_>, lpSystemTime: Ptr) -> ApiReturn {
    let now = system_time(now_filetime(call));
    write_or_fault(call, lpSystemTime.0, &now, 0)
}

/// GetTimeZoneInformation(lpTimeZoneInformation): TIME_ZONE_ID_UNKNOWN (0) with a zeroed
/// structure (bias 0).
#[export]
fn GetTimeZoneInformation(call: &mut ApiCall<'_>, lpTimeZoneInformation: Ptr) -> ApiReturn {
    write_or_fault(call, lpTimeZoneInformation.0, &[0u8; 172], 0)
}

/// QueryPerformanceFrequency(lpFrequency).
#[export]
fn QueryPerformanceFrequency(call: &mut ApiCall<'_>, lpFrequency: Ptr) -> ApiReturn {
    write_or_fault(call, lpFrequency.0, &PERFORMANCE_FREQUENCY.to_le_bytes(), 1)
}

/// QueryPerformanceCounter(lpPerformanceCount): the machine's clock in those units.
#[export]
fn QueryPerformanceCounter(call: &mut ApiCall<'_>, lpPerformanceCount: Ptr) -> ApiReturn {
    let ticks = call.machine.clock().now_ms() * (PERFORMANCE_FREQUENCY / 1000);
    write_or_fault(call, lpPerformanceCount.0, &ticks.to_le_bytes(), 1)
}

/// GetSystemInfo(lpSystemInfo): one processor of the process's architecture (a Pentium, or
/// an Alpha 21164), its page size, the user address range and the 64 KiB allocation
/// granularity.
#[export]
fn GetSystemInfo(call: &mut ApiCall<'_>, lpSystemInfo: Ptr) -> ApiReturn {
    let out = lpSystemInfo.0;
    let Some(arch) = call.process().map(|p| p.architecture()) else {
        return ApiReturn::Value(0);
    };
    let (arch_id, page, processor_type, level, revision) = match arch {
        Architecture::X86 => (0u16, 4096u32, 586u32, 5u16, 0x0204u16),
        Architecture::Alpha => (2u16, 8192u32, 21164u32, 21164u16, 0x0A00u16),
    };
    let mut b = Vec::with_capacity(36);
    b.extend_from_slice(&arch_id.to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    for v in [
        page,
        0x0001_0000,
        0x7FFE_FFFF,
        1,
        1,
        processor_type,
        0x0001_0000,
    ] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&level.to_le_bytes());
    b.extend_from_slice(&revision.to_le_bytes());
    write_or_fault(call, out, &b, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_conversion_matches_known_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(10_956), (1999, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        let t = system_time(FILETIME_UNIX_EPOCH + 946_684_799_000 * 10_000); // 1999-12-31 23:59:59
        let f: Vec<u16> = t
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(f, vec![1999, 12, 5, 31, 23, 59, 59, 0]);
    }
}
