//! ReadFileScatter and WriteFileGather (NT 4.0 Service Pack 2): an overlapped, unbuffered
//! transfer between a file and a list of whole pages (FILE_SEGMENT_ELEMENT, 64-bit
//! pointers), one page per element. The handle must be opened with both
//! FILE_FLAG_OVERLAPPED and FILE_FLAG_NO_BUFFERING, the length and offset be whole sectors;
//! the transfer reports ERROR_IO_PENDING and its end through the OVERLAPPED.

use nt_object::Handle;
use nt_status::{NtStatus, Win32Error};
use win32::{ApiCall, ApiReturn, Ptr, export};

use super::file::{self, DiskFile};

/// ERROR_IO_PENDING.
const ERROR_IO_PENDING: Win32Error = Win32Error(997);
/// FILE_READ_DATA.
const FILE_READ_DATA: u32 = 0x1;
/// FILE_WRITE_DATA | FILE_APPEND_DATA.
const WRITE_RIGHTS: u32 = 0x2 | 0x4;

/// The pages of a FILE_SEGMENT_ELEMENT array covering `length` bytes: each page's address
/// and how many bytes of it the transfer uses.
fn pages(
    call: &ApiCall<'_>,
    segments: u32,
    length: u32,
    page: u32,
) -> Result<Vec<(u32, u32)>, Win32Error> {
    let mut out = Vec::new();
    let mut left = length;
    let mut at = segments;
    while left > 0 {
        let buffer = call.read_u32(at).map_err(|_| Win32Error::NOACCESS)?;
        let n = left.min(page);
        out.push((buffer, n));
        left -= n;
        at = at.wrapping_add(8);
    }
    Ok(out)
}

/// The work of both: checks, then the transfer at the OVERLAPPED's offset.
fn transfer(
    call: &mut ApiCall<'_>,
    handle: Handle,
    segments: u32,
    length: u32,
    reserved: u32,
    ovl: u32,
    write: bool,
) -> Result<u32, Win32Error> {
    let need = if write { WRITE_RIGHTS } else { FILE_READ_DATA };
    let (object, granted) = file::file_object(call, handle, need)?;
    let disk = object
        .payload::<DiskFile>()
        .ok_or(Win32Error::INVALID_HANDLE)?;
    let state = disk.state()?;
    let overlapped = state.mode & file::options::SYNCHRONOUS_IO_NONALERT == 0;
    let unbuffered = state.mode & file::options::NO_INTERMEDIATE_BUFFERING != 0;
    if reserved != 0 || ovl == 0 || !overlapped || !unbuffered {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    let offset = file::overlapped_offset(call, ovl)?.unwrap_or(0);
    if !length.is_multiple_of(file::SECTOR_SIZE)
        || !offset.is_multiple_of(u64::from(file::SECTOR_SIZE))
    {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    let page = call
        .process()
        .map_or(0x1000, |p| p.address_space().page_size().bytes());
    let pages = pages(call, segments, length, page)?;
    let _ = call.write_u32(ovl, NtStatus::PENDING.0);
    let mut done = 0u32;
    if write {
        let mut data = Vec::with_capacity(length as usize);
        for &(buffer, n) in &pages {
            data.extend(
                call.read_bytes(buffer, n as usize)
                    .map_err(|_| Win32Error::INVALID_USER_BUFFER)?,
            );
        }
        done = file::disk_write(disk, granted, &data, Some(offset))? as u32;
    } else {
        if offset >= state.node.size {
            return Err(Win32Error::HANDLE_EOF);
        }
        for &(buffer, n) in &pages {
            let mut chunk = vec![0u8; n as usize];
            let got = file::disk_read(disk, &mut chunk, Some(offset + u64::from(done)))?;
            call.write_bytes(buffer, &chunk[..got])
                .map_err(|_| Win32Error::NOACCESS)?;
            done += got as u32;
            if got < n as usize {
                break;
            }
        }
    }
    // Its completion as every other I/O's: OVERLAPPED, event and completion port.
    super::overlapped::complete_now(call, &object, ovl, None, NtStatus::SUCCESS, done);
    Ok(done)
}

fn answer(call: &mut ApiCall<'_>, r: Result<u32, Win32Error>) -> ApiReturn {
    match r {
        Ok(_) => call.fail_win32(ERROR_IO_PENDING, 0),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// ReadFileScatter(hFile, aSegmentArray, nNumberOfBytesToRead, lpReserved, lpOverlapped):
/// ERROR_HANDLE_EOF at once for a read that starts at or past the end.
#[export]
fn ReadFileScatter(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    aSegmentArray: Ptr,
    nNumberOfBytesToRead: u32,
    lpReserved: Ptr,
    lpOverlapped: Ptr,
) -> ApiReturn {
    let r = transfer(
        call,
        hFile,
        aSegmentArray.0,
        nNumberOfBytesToRead,
        lpReserved.0,
        lpOverlapped.0,
        false,
    );
    answer(call, r)
}

/// WriteFileGather(hFile, aSegmentArray, nNumberOfBytesToWrite, lpReserved, lpOverlapped).
#[export]
fn WriteFileGather(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    aSegmentArray: Ptr,
    nNumberOfBytesToWrite: u32,
    lpReserved: Ptr,
    lpOverlapped: Ptr,
) -> ApiReturn {
    let r = transfer(
        call,
        hFile,
        aSegmentArray.0,
        nNumberOfBytesToWrite,
        lpReserved.0,
        lpOverlapped.0,
        true,
    );
    answer(call, r)
}
