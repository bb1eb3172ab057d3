//! MSVCRT.dll and CRTDLL.dll: the C runtime of NT 4.0 programs, as builtin DLLs. Both export
//! the same implementations (CRTDLL under its older names).
//!
//! - Start-up: `__getmainargs` (CRTDLL `__GetMainArgs`), `_initterm`, `__set_app_type`, the
//!   `__p__*` accessors, `_onexit`/`atexit`, `exit`, `_cexit`, `_amsg_exit`, `signal`.
//! - Data exports (`_iob`, `__argc`, `__argv`, `_environ`, `__initenv`, `_acmdln`, `_fmode`,
//!   `_commode`, `_ctype`, `_pctype`...): a builtin is a thunk, not data, so the loader binds
//!   these imports to addresses in the CRT data block, one 64 KiB block at [`CRT_DATA`] in
//!   each process, committed and filled when a process whose image imports either DLL is
//!   created (the DLLs' `process_attach` hook), so a program may use them before its first
//!   call; in a process made otherwise, on its first CRT call.
//! - Guest callbacks (`_initterm`'s initializers, `atexit` functions at exit, `qsort` and
//!   `bsearch` comparators, `raise`'s handler) run on the guest thread: the builtin sets
//!   the thread up to call the function with a resume thunk as its return address (x86: a
//!   frame below the caller's stack; Alpha: a0-a5, pv, and ra pointing at a four-instruction
//!   stub in the data block), and the resume thunk carries on where the builtin left off.
//! - stdio (stdio.rs): FILE streams and low-level descriptors over kernel32 handles (the
//!   console's standard handles, disk files through kernel32's file layer), unbuffered
//!   writes, text-mode CR LF translation, console input read as cooked lines (a read with
//!   nothing typed waits). A FILE's guest fields keep `_cnt` 0, so the getc/putc macros of
//!   old headers always call `_filbuf`/`_flsbuf`.
//! - The printf family formats with win32's engine (`win32::format`), its variadic
//!   arguments read by `win32::args` (two x86 slots or one Alpha register/slot for a double);
//!   scanf.rs: the scanf engine; string.rs: string.h, ctype.h, stdlib.h, time.h; math.rs:
//!   math.h and the compiler's x87 helpers (`_ftol`, `_CIpow`...); conio.rs: `_getch` and
//!   friends; heap.rs: `malloc` and friends over the process heap.
//! - files.rs: the stat family, names and directories, the current directory and drive,
//!   full and split paths, file times, `_findfirst`, temporary names, all over KERNEL32's own
//!   file code (`kernel32::get_file_attributes_of`, `find_first_entry`...) with msvcrt's
//!   errno and `_doserrno` (`errno_of` is its `_dosmaperr` table); lowio.rs: `_dup`,
//!   `_dup2`, `_chsize`, `_isatty` and the other descriptor calls; process.rs: the `_spawn`
//!   and `_exec` families, `system` and `_cwait` over CreateProcess; wide.rs: the
//!   wide-character functions in the "C" locale; seh.rs: `_except_handler3`,
//!   `_local_unwind2`, `_global_unwind2` and `_abnormal_termination` for MSVC-built x86 code.
//! - Every function is declared with `#[export(cdecl)]` and typed parameters named as the
//!   C runtime documentation names them; strings the function works on byte by byte stay
//!   pointers, file names and environment strings arrive decoded (ANSI code page 1252, or
//!   UTF-16 for the `_w` variants, which share the ANSI functions' code). Doubles are `f64`
//!   parameters and results (ST(0) on x86, f0 on Alpha), 64-bit results (`_atoi64`,
//!   `_ftol`) edx:eax on x86 and all of v0 on Alpha.

#![recursion_limit = "512"]

mod conio;
mod files;
mod fpcontrol;
mod heap;
mod lowio;
mod math;
mod process;
mod scanf;
mod seh;
mod stdio;
mod string;
mod text;
mod wide;

use std::collections::BTreeMap;

use nt_kernel::{
    ALPHA_A0, ALPHA_PV, ALPHA_RA, ALPHA_V0, CpuContext, X86_EAX, X86_ESP, sign_extend,
};

/// x86 registers in cpu-x86's order (EAX ECX EDX EBX ESP EBP ESI EDI).
const X86_EBX: usize = 3;
const X86_EBP: usize = 5;
const X86_ESI: usize = 6;
const X86_EDI: usize = 7;
use nt_memory::{AllocationType, PageProtection};

use win32::{ApiCall, ApiReturn, BuiltinDll, DllHooks, PerProcess, Ptr, export, exports};

/// Where each process's CRT data block lives (64 KiB).
pub const CRT_DATA: u32 = 0x7F00_0000;
const CRT_DATA_SIZE: u32 = 0x1_0000;

/// Offsets in the data block.
mod at {
    /// `_iob`: 20 FILEs of 32 bytes, then the FILEs fopen hands out.
    pub const IOB: u32 = 0x0000;
    /// `__argc`.
    pub const ARGC: u32 = 0x4000;
    /// `__argv`.
    pub const ARGV: u32 = 0x4004;
    /// `_environ`.
    pub const ENVIRON: u32 = 0x4008;
    /// `__initenv`.
    pub const INITENV: u32 = 0x400C;
    /// `_acmdln`.
    pub const ACMDLN: u32 = 0x4010;
    /// `_fmode`.
    pub const FMODE: u32 = 0x4014;
    /// `_commode`.
    pub const COMMODE: u32 = 0x4018;
    /// `__mb_cur_max`.
    pub const MB_CUR_MAX: u32 = 0x401C;
    /// errno (one for the process).
    pub const ERRNO: u32 = 0x4020;
    /// `_doserrno`.
    pub const DOSERRNO: u32 = 0x4024;
    /// `_osver`.
    pub const OSVER: u32 = 0x4028;
    /// `_winver`.
    pub const WINVER: u32 = 0x402C;
    /// `_winmajor`.
    pub const WINMAJOR: u32 = 0x4030;
    /// `_winminor`.
    pub const WINMINOR: u32 = 0x4034;
    /// `_HUGE` (a double: infinity).
    pub const HUGE: u32 = 0x4038;
    /// `_timezone`.
    pub const TIMEZONE: u32 = 0x4040;
    /// `_daylight`.
    pub const DAYLIGHT: u32 = 0x4044;
    /// `_tzname`: two string pointers.
    pub const TZNAME: u32 = 0x4048;
    /// `_pctype`: a pointer into `_ctype`.
    pub const PCTYPE: u32 = 0x4050;
    /// `_adjust_fdiv`.
    pub const ADJUST_FDIV: u32 = 0x4054;
    /// `_wenviron`.
    pub const WENVIRON: u32 = 0x4058;
    /// `__set_app_type`'s value.
    pub const APP_TYPE: u32 = 0x405C;
    /// `struct tm` localtime and gmtime return.
    pub const TM: u32 = 0x4100;
    /// asctime/ctime's buffer.
    pub const ASCTIME: u32 = 0x4140;
    /// strerror's buffer.
    pub const STRERROR: u32 = 0x4180;
    /// The tzname strings.
    pub const TZNAMES: u32 = 0x4280;
    /// `_ctype`: 257 flags words, the first for EOF; `_pctype` points one word in.
    pub const CTYPE: u32 = 0x4400;
    /// localeconv's `struct lconv` and its strings.
    pub const LCONV: u32 = 0x4700;
    /// tmpnam's buffer (L_tmpnam characters).
    pub const TMPNAM: u32 = 0x4800;
    /// _wtmpnam's buffer.
    pub const WTMPNAM: u32 = 0x4820;
    /// _wasctime's buffer (26 wide characters).
    pub const WASCTIME: u32 = 0x4880;
    /// The Alpha call stub, alone on the block's last (8 KiB) page.
    pub const ALPHA_STUB: u32 = 0xE000;
}

/// The size of a FILE.
const FILE_SIZE: u32 = 32;
/// How many FILEs the data block holds (`_iob` has the first 20).
const FILE_SLOTS: u32 = 0x4000 / FILE_SIZE;

/// The resume thunk's export name (not a real msvcrt export).
const RESUME: &str = "__ntemu_crt_resume";

/// The C runtimes' builtins with an inline version ([`win32::Builtins::add_inline`], for
/// MSVCRT and CRTDLL alike): memory and string functions on guest memory in place.
pub const INLINE: &[win32::InlineExport] = &[
    win32::InlineExport {
        name: "memcpy",
        function: string::inline_memmove,
    },
    win32::InlineExport {
        name: "memmove",
        function: string::inline_memmove,
    },
    win32::InlineExport {
        name: "memset",
        function: string::inline_memset,
    },
    win32::InlineExport {
        name: "memcmp",
        function: string::inline_memcmp,
    },
    win32::InlineExport {
        name: "strlen",
        function: string::inline_strlen,
    },
    win32::InlineExport {
        name: "strcpy",
        function: string::inline_strcpy,
    },
];

/// MSVCRT.dll.
pub static DLL: BuiltinDll = BuiltinDll {
    name: "MSVCRT.dll",
    exports: exports![
        __ntemu_crt_resume, __getmainargs, __set_app_type, __p__fmode, __p__commode,
        __p__acmdln, __p___argc, __p___argv, __p__environ, __p___initenv, __setusermatherr,
        _initterm, _amsg_exit, _cexit, _c_exit, _exit, exit, abort, _onexit, atexit,
        __dllonexit, signal, fpcontrol::_controlfp, fpcontrol::_control87, fpcontrol::_fpreset,
        fpcontrol::_clearfp, fpcontrol::_statusfp, _errno, __doserrno, _lock, _unlock, __iob_func, __lconv_init, _XcptFilter,
        setlocale, localeconv, __p__pctype, __pctype_func, _isctype, raise,
        "__p__iob" => __iob_func, __p___mb_cur_max, ___mb_cur_max_func, _getpid, _assert,
        _purecall, _beginthreadex, _endthreadex, _endthread,
        // stdio
        stdio::printf, stdio::fprintf, stdio::sprintf, stdio::_snprintf, stdio::vprintf,
        stdio::vfprintf, stdio::vsprintf, stdio::_vsnprintf, stdio::puts, stdio::fputs,
        stdio::fputc, "putc" => stdio::fputc, stdio::putchar, stdio::fwrite, stdio::fflush,
        "_flsbuf" => stdio::fputc, "_filbuf" => stdio::fgetc, stdio::fgetc,
        "getc" => stdio::fgetc, stdio::getchar, stdio::fgets, stdio::gets, stdio::ungetc,
        stdio::fread, stdio::feof, stdio::ferror, stdio::clearerr, stdio::_fileno,
        stdio::setvbuf, stdio::setbuf, stdio::_setmode, lowio::_isatty, stdio::_write,
        stdio::_read, stdio::fopen, stdio::fclose, stdio::perror, stdio::sscanf, stdio::scanf,
        stdio::fscanf, stdio::ftell, stdio::fseek, stdio::rewind, lowio::_get_osfhandle,
        stdio::_flushall, stdio::_open, stdio::_close, stdio::_lseek, stdio::_fsopen,
        stdio::_fdopen, stdio::freopen,
        // conio.h
        conio::_getch, conio::_getche, conio::_kbhit, conio::_ungetch, conio::_putch,
        conio::_cputs, conio::_cprintf,
        // heap
        heap::malloc, heap::free, heap::calloc, heap::realloc, heap::_msize, heap::_strdup,
        heap::_expand,
        // string.h
        string::strlen, string::strcpy, string::strncpy, string::strcat, string::strncat,
        string::strcmp, string::strncmp, string::_stricmp, string::_strnicmp, string::strchr,
        string::strrchr, string::strstr, string::strspn, string::strcspn, string::strpbrk,
        string::strtok, string::_strupr, string::_strlwr, string::_strrev,
        "memcpy" => string::memmove, string::memmove, string::memset, string::memcmp,
        string::memchr, string::_memicmp, string::strerror, string::wcslen,
        "_stricoll" => string::_stricmp, "strcoll" => string::strcmp,
        "_strcmpi" => string::_stricmp,
        // ctype.h
        string::isalpha, string::isdigit, string::isalnum, string::isspace, string::isupper,
        string::islower, string::isxdigit, string::ispunct, string::isprint, string::isgraph,
        string::iscntrl, string::toupper, string::tolower, "_toupper" => string::toupper,
        "_tolower" => string::tolower, "isascii" => string::__isascii,
        // stdlib.h
        string::atoi, "atol" => string::atoi, string::strtol, string::strtoul, string::atof,
        string::strtod, string::abs, "labs" => string::abs, string::div, "ldiv" => string::div,
        string::rand, string::srand, string::getenv, string::_putenv, qsort, bsearch,
        string::_itoa, "_ltoa" => string::_itoa, string::_ultoa, string::_atoi64,
        // time.h
        string::time, string::clock, string::gmtime, "localtime" => string::gmtime,
        string::mktime, string::strftime, string::asctime, string::ctime, string::difftime,
        // math.h
        math::sqrt, math::pow, math::exp, math::log, math::log10, math::sin, math::cos,
        math::tan, math::asin, math::acos, math::atan, math::atan2, math::sinh, math::cosh,
        math::tanh, math::floor, math::ceil, math::fabs, math::fmod, math::_hypot, math::ldexp,
        math::frexp, math::modf, math::_isnan, math::_finite,
        // The compiler's helpers (x87-stack arguments and results).
        math::_ftol, math::_CIsqrt, math::_CIsin, math::_CIcos, math::_CItan, math::_CIatan,
        math::_CIasin, math::_CIacos, math::_CIexp, math::_CIlog, math::_CIlog10, math::_CIsinh,
        math::_CIcosh, math::_CItanh, math::_CIpow, math::_CIatan2, math::_CIfmod,
        // wide-character variants (MSVCRT only)
        stdio::_wfopen, stdio::_wfsopen, stdio::_wfreopen, stdio::_wopen, string::_wputenv,
        // files and directories
        files::_stat, files::_wstat, files::_fstat, files::_access, files::_waccess,
        files::_chmod, files::_wchmod, files::_unlink, "remove" => files::_unlink,
        files::_wunlink, "_wremove" => files::_wunlink, files::rename, files::_wrename,
        files::_mkdir, files::_wmkdir, files::_rmdir, files::_wrmdir, files::_chdir,
        files::_wchdir, files::_getcwd, files::_wgetcwd, files::_getdcwd, files::_wgetdcwd,
        files::_getdrive, files::_chdrive, files::_fullpath, files::_wfullpath,
        files::_splitpath, files::_wsplitpath, files::_makepath, files::_wmakepath,
        files::_utime, files::_wutime, files::_futime, files::_findfirst, files::_findnext,
        files::_findclose, files::_wfindfirst, files::_wfindnext, files::tmpnam,
        files::_wtmpnam, files::_tempnam, files::_wtempnam, stdio::tmpfile, stdio::_rmtmp,
        // descriptors
        lowio::_dup, lowio::_dup2, lowio::_commit, lowio::_chsize, lowio::_filelength,
        lowio::_eof, lowio::_tell, lowio::_open_osfhandle,
        // wide characters
        wide::wcscpy, wide::wcsncpy, wide::wcscat, wide::wcsncat, wide::wcscmp,
        "wcscoll" => wide::wcscmp, wide::wcsncmp, wide::_wcsicmp, "_wcsicoll" => wide::_wcsicmp,
        wide::_wcsnicmp, wide::wcschr, wide::wcsrchr, wide::wcsstr, wide::wcsspn, wide::wcscspn,
        wide::wcspbrk, wide::wcstok, wide::_wcsdup, wide::_wcslwr, wide::_wcsupr, wide::_wcsrev,
        wide::_wcsset, wide::_wcsnset, wide::iswctype, "is_wctype" => wide::iswctype,
        wide::iswalpha, wide::iswupper, wide::iswlower, wide::iswdigit, wide::iswxdigit,
        wide::iswspace, wide::iswpunct, wide::iswalnum, wide::iswprint, wide::iswgraph,
        wide::iswcntrl, wide::iswascii, wide::isleadbyte, wide::towlower, wide::towupper,
        wide::wcstol, wide::wcstoul, wide::wcstod, wide::_wtoi, "_wtol" => wide::_wtoi,
        wide::_itow, "_ltow" => wide::_itow, wide::_ultow, wide::mbstowcs, wide::wcstombs,
        wide::mbtowc, wide::wctomb, wide::mblen, wide::swprintf, wide::_snwprintf,
        wide::vswprintf, wide::_vsnwprintf, wide::wcsftime, stdio::wprintf, stdio::fwprintf,
        stdio::vwprintf, stdio::vfwprintf, stdio::fputwc, "_fputwchar" => stdio::putwchar,
        stdio::fgetwc, "_fgetwchar" => stdio::getwchar, stdio::ungetwc,
        wide::_wtoi64, wide::_i64tow, wide::_ui64tow, wide::_wasctime, "putwc" => stdio::fputwc,
        stdio::putwchar, stdio::fputws, stdio::_putws, "getwc" => stdio::fgetwc, stdio::getwchar,
        stdio::fgetws, stdio::_getws,
        // structured exception handling (x86)
        seh::_except_handler3, seh::_local_unwind2, seh::_global_unwind2,
        seh::_abnormal_termination, seh::__ntemu_crt_unwind_handler,
        // programs
        process::_spawnl, process::_spawnv, process::_spawnle, process::_spawnve,
        process::_spawnlp, process::_spawnvp, process::_spawnlpe, process::_spawnvpe,
        process::_execl, process::_execv, process::_execle, process::_execve, process::_execlp,
        process::_execvp, process::_execlpe, process::_execvpe, process::system,
        process::_cwait, process::_wspawnl, process::_wspawnv, process::_wspawnle,
        process::_wspawnve, process::_wspawnlp, process::_wspawnvp, process::_wspawnlpe,
        process::_wspawnvpe, process::_wexecl, process::_wexecv, process::_wexecle,
        process::_wexecve, process::_wexeclp, process::_wexecvp, process::_wexeclpe,
        process::_wexecvpe, process::_wsystem,
    ],
    catalogue: include_str!("../nt4-exports.txt"),
    later_catalogue: "",
    hooks: DllHooks {
        data_export: Some(msvcrt_data),
        internal_thunk: None,
        process_attach: Some(process_attach),
        process_start: None,
    },
};

/// CRTDLL.dll: the same functions, some under older names.
pub static CRTDLL: BuiltinDll = BuiltinDll {
    name: "CRTDLL.dll",
    exports: exports![
        __ntemu_crt_resume, "__GetMainArgs" => __getmainargs, __set_app_type, __p__fmode,
        __p__commode, __p__acmdln, __p___argc, __p___argv, __p__environ, __p___initenv,
        __setusermatherr, _initterm, _amsg_exit, _cexit, _c_exit, _exit, exit, abort, _onexit,
        atexit, __dllonexit, signal, fpcontrol::_controlfp, fpcontrol::_control87, fpcontrol::_fpreset,
        fpcontrol::_clearfp, fpcontrol::_statusfp, _errno, __doserrno, _lock, _unlock, __iob_func, __lconv_init, _XcptFilter,
        setlocale, localeconv, __p__pctype, __pctype_func, _isctype, raise,
        "__p__iob" => __iob_func, __p___mb_cur_max, ___mb_cur_max_func, _getpid, _assert,
        _purecall, _beginthreadex, _endthreadex, _endthread,
        // stdio
        stdio::printf, stdio::fprintf, stdio::sprintf, stdio::_snprintf, stdio::vprintf,
        stdio::vfprintf, stdio::vsprintf, stdio::_vsnprintf, stdio::puts, stdio::fputs,
        stdio::fputc, "putc" => stdio::fputc, stdio::putchar, stdio::fwrite, stdio::fflush,
        "_flsbuf" => stdio::fputc, "_filbuf" => stdio::fgetc, stdio::fgetc,
        "getc" => stdio::fgetc, stdio::getchar, stdio::fgets, stdio::gets, stdio::ungetc,
        stdio::fread, stdio::feof, stdio::ferror, stdio::clearerr, stdio::_fileno,
        stdio::setvbuf, stdio::setbuf, stdio::_setmode, lowio::_isatty, stdio::_write,
        stdio::_read, stdio::fopen, stdio::fclose, stdio::perror, stdio::sscanf, stdio::scanf,
        stdio::fscanf, stdio::ftell, stdio::fseek, stdio::rewind, lowio::_get_osfhandle,
        stdio::_flushall, stdio::_open, stdio::_close, stdio::_lseek, stdio::_fsopen,
        stdio::_fdopen, stdio::freopen,
        // conio.h
        conio::_getch, conio::_getche, conio::_kbhit, conio::_ungetch, conio::_putch,
        conio::_cputs, conio::_cprintf,
        // heap
        heap::malloc, heap::free, heap::calloc, heap::realloc, heap::_msize, heap::_strdup,
        heap::_expand,
        // string.h
        string::strlen, string::strcpy, string::strncpy, string::strcat, string::strncat,
        string::strcmp, string::strncmp, string::_stricmp, string::_strnicmp, string::strchr,
        string::strrchr, string::strstr, string::strspn, string::strcspn, string::strpbrk,
        string::strtok, string::_strupr, string::_strlwr, string::_strrev,
        "memcpy" => string::memmove, string::memmove, string::memset, string::memcmp,
        string::memchr, string::_memicmp, string::strerror, string::wcslen,
        "_stricoll" => string::_stricmp, "strcoll" => string::strcmp,
        "_strcmpi" => string::_stricmp,
        // ctype.h
        string::isalpha, string::isdigit, string::isalnum, string::isspace, string::isupper,
        string::islower, string::isxdigit, string::ispunct, string::isprint, string::isgraph,
        string::iscntrl, string::toupper, string::tolower, "_toupper" => string::toupper,
        "_tolower" => string::tolower, string::__isascii,
        // stdlib.h
        string::atoi, "atol" => string::atoi, string::strtol, string::strtoul, string::atof,
        string::strtod, string::abs, "labs" => string::abs, string::div, "ldiv" => string::div,
        string::rand, string::srand, string::getenv, string::_putenv, qsort, bsearch,
        string::_itoa, "_ltoa" => string::_itoa, string::_ultoa, string::_atoi64,
        // time.h
        string::time, string::clock, string::gmtime, "localtime" => string::gmtime,
        string::mktime, string::strftime, string::asctime, string::ctime, string::difftime,
        // math.h
        math::sqrt, math::pow, math::exp, math::log, math::log10, math::sin, math::cos,
        math::tan, math::asin, math::acos, math::atan, math::atan2, math::sinh, math::cosh,
        math::tanh, math::floor, math::ceil, math::fabs, math::fmod, math::_hypot, math::ldexp,
        math::frexp, math::modf, math::_isnan, math::_finite,
        // The compiler's helpers (x87-stack arguments and results).
        math::_ftol, math::_CIsqrt, math::_CIsin, math::_CIcos, math::_CItan, math::_CIatan,
        math::_CIasin, math::_CIacos, math::_CIexp, math::_CIlog, math::_CIlog10, math::_CIsinh,
        math::_CIcosh, math::_CItanh, math::_CIpow, math::_CIatan2, math::_CIfmod,
        // files and directories (CRTDLL's `struct _stat` is its own)
        files::crtdll_stat, files::crtdll_fstat, files::_access, files::_chmod, files::_unlink,
        "remove" => files::_unlink, files::rename, files::_mkdir, files::_rmdir, files::_chdir,
        files::_getcwd, files::_getdcwd, files::_getdrive, files::_chdrive, files::_fullpath,
        files::_splitpath, files::_makepath, files::_utime, files::_futime, files::_findfirst,
        files::_findnext, files::_findclose, files::tmpnam, files::_tempnam, stdio::tmpfile,
        stdio::_rmtmp,
        // descriptors
        lowio::_dup, lowio::_dup2, lowio::_commit, lowio::_chsize, lowio::_filelength,
        lowio::_eof, lowio::_tell, lowio::_open_osfhandle,
        // programs
        process::_spawnl, process::_spawnv, process::_spawnle, process::_spawnve,
        process::_spawnlp, process::_spawnvp, process::_spawnlpe, process::_spawnvpe,
        process::_execl, process::_execv, process::_execle, process::_execve, process::_execlp,
        process::_execvp, process::_execlpe, process::_execvpe, process::system,
        process::_cwait,
        // structured exception handling (x86)
        seh::_local_unwind2, seh::_global_unwind2, seh::_abnormal_termination,
        // wide characters
        wide::wcscpy, wide::wcsncpy, wide::wcscat, wide::wcsncat, wide::wcscmp,
        "wcscoll" => wide::wcscmp, wide::wcsncmp, wide::_wcsicmp, "_wcsicoll" => wide::_wcsicmp,
        wide::_wcsnicmp, wide::wcschr, wide::wcsrchr, wide::wcsstr, wide::wcsspn, wide::wcscspn,
        wide::wcspbrk, wide::wcstok, wide::_wcsdup, wide::_wcslwr, wide::_wcsupr, wide::_wcsrev,
        wide::_wcsset, wide::_wcsnset, wide::iswctype, "is_wctype" => wide::iswctype,
        wide::iswalpha, wide::iswupper, wide::iswlower, wide::iswdigit, wide::iswxdigit,
        wide::iswspace, wide::iswpunct, wide::iswalnum, wide::iswprint, wide::iswgraph,
        wide::iswcntrl, wide::iswascii, wide::isleadbyte, wide::towlower, wide::towupper,
        wide::wcstol, wide::wcstoul, wide::wcstod, wide::_wtoi, "_wtol" => wide::_wtoi,
        wide::_itow, "_ltow" => wide::_itow, wide::_ultow, wide::mbstowcs, wide::wcstombs,
        wide::mbtowc, wide::wctomb, wide::mblen, wide::swprintf, wide::_snwprintf,
        wide::vswprintf, wide::_vsnwprintf, wide::wcsftime, stdio::wprintf, stdio::fwprintf,
        stdio::vwprintf, stdio::vfwprintf, stdio::fputwc, "_fputwchar" => stdio::putwchar,
        stdio::fgetwc, "_fgetwchar" => stdio::getwchar, stdio::ungetwc,
    ],
    catalogue: include_str!("../crtdll-nt4-exports.txt"),
    later_catalogue: "",
    hooks: DllHooks {
        data_export: Some(crtdll_data),
        internal_thunk: None,
        process_attach: Some(process_attach),
        process_start: None,
    },
};

/// The data exports: name in MSVCRT, name in CRTDLL, offset in the data block.
const DATA: &[(&str, &str, u32)] = &[
    ("_iob", "_iob", at::IOB),
    ("__argc", "__argc_dll", at::ARGC),
    ("__argv", "__argv_dll", at::ARGV),
    ("_environ", "_environ_dll", at::ENVIRON),
    ("__initenv", "__initenv", at::INITENV),
    ("_acmdln", "_acmdln_dll", at::ACMDLN),
    ("_fmode", "_fmode_dll", at::FMODE),
    ("_commode", "_commode_dll", at::COMMODE),
    ("__mb_cur_max", "__mb_cur_max_dll", at::MB_CUR_MAX),
    ("_osver", "_osver_dll", at::OSVER),
    ("_winver", "_winver_dll", at::WINVER),
    ("_winmajor", "_winmajor_dll", at::WINMAJOR),
    ("_winminor", "_winminor_dll", at::WINMINOR),
    ("_HUGE", "_HUGE_dll", at::HUGE),
    ("_timezone", "_timezone_dll", at::TIMEZONE),
    ("_daylight", "_daylight_dll", at::DAYLIGHT),
    ("_tzname", "_tzname", at::TZNAME),
    ("_pctype", "_pctype_dll", at::PCTYPE),
    ("_ctype", "_ctype", at::CTYPE),
    ("_adjust_fdiv", "_adjust_fdiv", at::ADJUST_FDIV),
    ("_wenviron", "_wenviron", at::WENVIRON),
];

/// The guest address of a data export of MSVCRT.dll or CRTDLL.dll, for the import
/// resolver: None when `dll!name` is not CRT data.
pub fn data_export(dll: &str, name: &str) -> Option<u32> {
    if win32::dll_matches(DLL.name, dll) {
        msvcrt_data(name)
    } else if win32::dll_matches(CRTDLL.name, dll) {
        crtdll_data(name)
    } else {
        None
    }
}

/// The guest address of MSVCRT.dll's data export `name`.
fn msvcrt_data(name: &str) -> Option<u32> {
    Some(CRT_DATA + DATA.iter().find(|d| d.0 == name)?.2)
}

/// The guest address of CRTDLL.dll's data export `name`.
fn crtdll_data(name: &str) -> Option<u32> {
    Some(CRT_DATA + DATA.iter().find(|d| d.1 == name)?.2)
}

/// The errno values of msvcrt (errno.h).
pub(crate) mod errno {
    /// No such file or directory.
    pub const ENOENT: u32 = 2;
    /// Argument list too long.
    pub const E2BIG: u32 = 7;
    /// Exec format error.
    pub const ENOEXEC: u32 = 8;
    /// Bad file descriptor.
    pub const EBADF: u32 = 9;
    /// No child processes.
    pub const ECHILD: u32 = 10;
    /// Resource temporarily unavailable.
    pub const EAGAIN: u32 = 11;
    /// Not enough memory.
    pub const ENOMEM: u32 = 12;
    /// Permission denied.
    pub const EACCES: u32 = 13;
    /// File exists.
    pub const EEXIST: u32 = 17;
    /// Cross-device link.
    pub const EXDEV: u32 = 18;
    /// Invalid argument.
    pub const EINVAL: u32 = 22;
    /// Too many open files.
    pub const EMFILE: u32 = 24;
    /// No space left on device.
    pub const ENOSPC: u32 = 28;
    /// Broken pipe.
    pub const EPIPE: u32 = 32;
    /// Argument outside a math function's domain.
    pub const EDOM: u32 = 33;
    /// Result too large.
    pub const ERANGE: u32 = 34;
    /// Directory not empty.
    pub const ENOTEMPTY: u32 = 41;
}

/// msvcrt's `_dosmaperr`: the errno of a Win32 error, by its table (errors outside it are
/// EINVAL, but for the ranges of access errors, 19-36, EACCES, and of exec errors,
/// 188-202, ENOEXEC).
pub(crate) fn errno_of(error: u32) -> u32 {
    use errno::*;
    match error {
        1 | 12 | 13 | 87 | 124 | 131 => EINVAL,
        2 | 3 | 15 | 18 | 53 | 67 | 161 | 206 => ENOENT,
        4 => EMFILE,
        5 | 16 | 65 | 82 | 83 | 108 | 132 | 158 | 167 => EACCES,
        19..=36 => EACCES,
        6 | 114 | 130 => EBADF,
        7..=9 | 1816 => ENOMEM,
        10 => E2BIG,
        11 | 188..=202 => ENOEXEC,
        17 => EXDEV,
        80 | 183 => EEXIST,
        89 | 164 | 215 => EAGAIN,
        109 => EPIPE,
        112 => ENOSPC,
        128 | 129 => ECHILD,
        145 => ENOTEMPTY,
        _ => EINVAL,
    }
}

/// `_dosmaperr(error)`: `_doserrno` is the Win32 error and errno its C runtime meaning.
pub(crate) fn dosmaperr(call: &mut ApiCall<'_>, error: u32) {
    set_doserrno(call, error);
    set_errno(call, errno_of(error));
}

/// `_doserrno`.
pub(crate) fn doserrno(call: &ApiCall<'_>) -> u32 {
    call.read_u32(CRT_DATA + at::DOSERRNO).unwrap_or(0)
}

/// Sets `_doserrno`.
pub(crate) fn set_doserrno(call: &mut ApiCall<'_>, value: u32) {
    let _ = call.write_u32(CRT_DATA + at::DOSERRNO, value);
}

/// Sets errno and `_doserrno` (errors the C runtime finds itself, with the Win32 error it
/// reports for them, or 0).
pub(crate) fn fail_errno(call: &mut ApiCall<'_>, errno_value: u32, doserrno: u32) {
    set_errno(call, errno_value);
    set_doserrno(call, doserrno);
}

/// What a builtin left to do after a guest callback returns.
enum Pending {
    /// `_initterm`: the initializers from `next` to `end`.
    InitTerm { next: u32, end: u32 },
    /// `exit`/`_cexit`: the atexit functions left, then end the process with `code` (or
    /// return, for `_cexit`).
    Exit { code: u32, end_process: bool },
    /// `qsort` by binary insertion.
    Sort(stdio_free::SortState),
    /// `bsearch`.
    Search(stdio_free::SearchState),
    /// `_except_handler3`.
    Eh3(seh::Eh3),
    /// `_local_unwind2`.
    LocalUnwind(seh::LocalUnwind),
    /// `raise`: the handler, called once with the signal.
    Raise {
        handler: u32,
        signal: u32,
        called: bool,
    },
}

/// A guest callback in progress: where the builtin's caller's stack was, and what is left.
struct Frame {
    caller: u32,
    pending: Pending,
    /// The stack pointers the callback returns to the resume thunk with (after a cdecl or
    /// a stdcall return): a frame whose callback never returned is found stale by them.
    resume_sp: [u32; 2],
}

/// What a pending builtin does next.
enum Step {
    /// Call this guest function with these arguments, then resume.
    Call(u32, Vec<u32>),
    /// x86: call this guest function with these arguments and ebp set to the third value
    /// (an SEH filter or termination handler, which addresses its function's frame through
    /// ebp), then resume.
    CallFramed(u32, Vec<u32>, u32),
    /// Return this value to the builtin's caller.
    Done(u32),
    /// x86: return this value with ebx, esi, edi and ebp as given (the caller's, which the
    /// guest functions called may have changed).
    DoneRestoring(u32, [u32; 4]),
    /// x86: go on at `eip` with `ebp` and never return to the builtin's caller (the
    /// `__except` block an exception handler enters).
    Jump {
        /// Where.
        eip: u32,
        /// The frame pointer of the block's function.
        ebp: u32,
    },
    /// End the process.
    ExitProcess(u32),
}

/// One process's C runtime state.
#[derive(Default)]
pub(crate) struct CrtState {
    initialized: bool,
    /// The data block is committed and filled (at process creation, or at the first call
    /// in a process made otherwise).
    data_ready: bool,
    /// atexit/_onexit functions, in registration order.
    atexit: Vec<u32>,
    /// Guest callbacks in progress, per thread (innermost last).
    frames: BTreeMap<u32, Vec<Frame>>,
    /// Streams by FILE slot.
    streams: BTreeMap<u32, stdio::Stream>,
    /// Low-level file descriptors.
    fds: BTreeMap<u32, stdio::Fd>,
    /// strtok's position.
    strtok_next: u32,
    /// wcstok's position.
    wcstok_next: u32,
    /// rand's seed.
    seed: u32,
    /// `__set_app_type`'s value.
    app_type: u32,
    /// Signal handlers other than SIG_DFL, by signal.
    signals: BTreeMap<u32, u32>,
    /// The byte `_getch` returns next (a key's second byte, or `_ungetch`'s).
    conio_pending: Option<u8>,
    /// The last name of each temporary-name series (tmpnam `s`, tmpfile `t`; narrow and
    /// wide apart).
    temp_names: BTreeMap<(bool, char), String>,
    /// `_tempnam`'s counter (msvcrt's `_tempoff`, 1 at start) and the prefix length it last
    /// used.
    tempoff: u32,
    old_pfxlen: usize,
    /// Threads blocked in a `_P_WAIT` spawn or `_cwait`, by thread id.
    child_waits: BTreeMap<u32, process::ChildWait>,
}

/// Runs `f` on the calling process's CRT state, setting the data block up first.
fn with_state<R>(
    call: &mut ApiCall<'_>,
    f: impl FnOnce(&mut ApiCall<'_>, &mut CrtState) -> R,
) -> R {
    let pid = call.thread.process;
    let object = call.process_object();
    let mut state = match &object {
        Some(o) => std::mem::take(
            call.state
                .get::<PerProcess<CrtState>>()
                .get_or_default(pid, o),
        ),
        None => CrtState::default(),
    };
    if !state.initialized {
        state.initialized = true;
        initialize(call, &mut state);
    }
    let result = f(call, &mut state);
    if let Some(o) = &object {
        *call
            .state
            .get::<PerProcess<CrtState>>()
            .get_or_default(pid, o) = state;
    }
    result
}

/// MSVCRT.dll's and CRTDLL.dll's `process_attach`: the data block of a new process whose
/// image imports either, committed and filled before the process runs, so a program may
/// read or write a data export (`*_fmode_dll = _O_BINARY`) before its first C runtime call,
/// as NT's CRTDLL programs do. A process importing both gets one block.
fn process_attach(call: &mut ApiCall<'_>) {
    let pid = call.thread.process;
    let Some(object) = call.process_object() else {
        return;
    };
    let state = call
        .state
        .get::<PerProcess<CrtState>>()
        .get_or_default(pid, &object);
    if !std::mem::replace(&mut state.data_ready, true) {
        initialize_data(call);
    }
}

/// The state's first use in a process: the data block if it is not there yet, and the
/// descriptors of stdin, stdout and stderr.
fn initialize(call: &mut ApiCall<'_>, state: &mut CrtState) {
    state.seed = 1;
    state.tempoff = 1;
    if !std::mem::replace(&mut state.data_ready, true) {
        initialize_data(call);
    }
    stdio::open_standard_streams(call, state);
}

/// Commits the data block and fills it: the data exports' initial values, the ctype table,
/// the "C" locale's lconv, and the FILEs of stdin, stdout and stderr.
fn initialize_data(call: &mut ApiCall<'_>) {
    if let Some(p) = call.process_mut() {
        let _ = p.address_space_mut().allocate(
            CRT_DATA,
            CRT_DATA_SIZE,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::READWRITE,
        );
    }
    let words: &[(u32, u32)] = &[
        (at::MB_CUR_MAX, 1),
        (at::OSVER, 1381),
        (at::WINVER, 0x0400),
        (at::WINMAJOR, 4),
        (at::WINMINOR, 0),
        (at::HUGE, 0),
        (at::HUGE + 4, 0x7FF0_0000),
        (at::TZNAME, CRT_DATA + at::TZNAMES),
        (at::TZNAME + 4, CRT_DATA + at::TZNAMES + 0x40),
        (at::PCTYPE, CRT_DATA + at::CTYPE + 2),
        (at::ADJUST_FDIV, 0),
    ];
    for &(offset, value) in words {
        let _ = call.write_u32(CRT_DATA + offset, value);
    }
    let _ = call.write_bytes(CRT_DATA + at::TZNAMES, b"GMT\0");
    let _ = call.write_bytes(CRT_DATA + at::TZNAMES + 0x40, b"GMT\0");
    let mut table = Vec::with_capacity(514);
    table.extend_from_slice(&0u16.to_le_bytes());
    for c in 0..=255u8 {
        table.extend_from_slice(&ctype_flags(c).to_le_bytes());
    }
    let _ = call.write_bytes(CRT_DATA + at::CTYPE, &table);
    stdio::standard_files(call);
    let _ = call.write_bytes(CRT_DATA + at::LCONV + 0x40, b".\0\0");
    // struct lconv: decimal_point, then the other strings empty, then CHAR_MAX bytes.
    let point = CRT_DATA + at::LCONV + 0x40;
    let empty = point + 2;
    let mut lconv = Vec::new();
    lconv.extend_from_slice(&point.to_le_bytes());
    for _ in 0..9 {
        lconv.extend_from_slice(&empty.to_le_bytes());
    }
    lconv.extend_from_slice(&[0x7F; 8]);
    let _ = call.write_bytes(CRT_DATA + at::LCONV, &lconv);
}

/// The C locale's ctype flags of a character (_UPPER 1, _LOWER 2, _DIGIT 4, _SPACE 8,
/// _PUNCT 0x10, _CONTROL 0x20, _BLANK 0x40, _HEX 0x80): characters above 127 have none.
pub(crate) fn ctype_flags(c: u8) -> u16 {
    let mut f = 0;
    if c.is_ascii_uppercase() {
        f |= 0x1;
    }
    if c.is_ascii_lowercase() {
        f |= 0x2;
    }
    if c.is_ascii_digit() {
        f |= 0x4;
    }
    if matches!(c, 9..=13 | b' ') {
        f |= 0x8;
    }
    if c.is_ascii_punctuation() {
        f |= 0x10;
    }
    if c < 0x20 || c == 0x7F {
        f |= 0x20;
    }
    if c == b' ' {
        f |= 0x40;
    }
    if c.is_ascii_hexdigit() {
        f |= 0x80;
    }
    if c.is_ascii_alphabetic() {
        f |= 0x100;
    }
    f
}

/// Sets errno.
pub(crate) fn set_errno(call: &mut ApiCall<'_>, value: u32) {
    let _ = call.write_u32(CRT_DATA + at::ERRNO, value);
}

fn value(v: u32) -> ApiReturn {
    ApiReturn::Value(v)
}

/// The address of a CRT data word, the data block set up first.
fn data_address(call: &mut ApiCall<'_>, offset: u32) -> Ptr {
    with_state(call, |_, _| Ptr(CRT_DATA + offset))
}

/// The address of a start-up data word, argc/argv and the environment built first.
fn startup_address(call: &mut ApiCall<'_>, offset: u32) -> Ptr {
    with_state(call, |call, _| setup_arguments(call));
    data_address(call, offset)
}

// ---- guest callbacks -------------------------------------------------------------------

/// Runs a pending builtin until it needs a guest call or is done. `caller` is where the
/// builtin returns to its own caller: the stack pointer at its call on x86, the return
/// address (ra) on Alpha.
fn drive(
    call: &mut ApiCall<'_>,
    caller: u32,
    mut pending: Pending,
    result: Option<u32>,
) -> ApiReturn {
    let step = with_state(call, |call, state| {
        advance(call, state, &mut pending, result)
    });
    let (function, args, ebp) = match step {
        Step::Done(v) => {
            restore_caller(call, caller);
            return value(v);
        }
        Step::DoneRestoring(v, [ebx, esi, edi, ebp]) => {
            restore_caller(call, caller);
            with_context(call, |c| {
                if let CpuContext::X86(c) = c {
                    c.gpr[X86_EBX] = ebx;
                    c.gpr[X86_ESI] = esi;
                    c.gpr[X86_EDI] = edi;
                    c.gpr[X86_EBP] = ebp;
                }
            });
            return value(v);
        }
        Step::Jump { eip, ebp } => {
            with_context(call, |c| {
                if let CpuContext::X86(c) = c {
                    c.gpr[X86_ESP] = caller;
                    c.gpr[X86_EBP] = ebp;
                    c.eip = eip;
                }
            });
            return ApiReturn::Resumed;
        }
        Step::ExitProcess(code) => return ApiReturn::ExitProcess(code),
        Step::Call(function, args) => (function, args, None),
        Step::CallFramed(function, args, ebp) => (function, args, Some(ebp)),
    };
    let Some(resume) = call.builtins.implemented(DLL.name, RESUME) else {
        return value(0);
    };
    let resume_sp = match architecture(call) {
        Some(true) => call_on_x86(call, caller, function, resume, &args, ebp).map(|frame_at| {
            let after = frame_at.wrapping_add(8);
            [after, after.wrapping_add(4 * args.len() as u32)]
        }),
        Some(false) => call_on_alpha(call, function, resume, &args).then(|| {
            let sp = stack_pointer(call);
            [sp, sp]
        }),
        None => None,
    };
    let Some(resume_sp) = resume_sp else {
        return finish_without_callbacks(call, pending);
    };
    let tid = call.thread.thread;
    with_state(call, |_, state| {
        state.frames.entry(tid).or_default().push(Frame {
            caller,
            pending,
            resume_sp,
        });
    });
    value(0)
}

/// The calling thread's stack pointer.
fn stack_pointer(call: &ApiCall<'_>) -> u32 {
    call.process()
        .and_then(|p| p.thread(call.thread.thread))
        .map_or(0, |t| t.context().stack_pointer())
}

/// x86: a frame below the caller's stack holding [function, resume, args...]; returning
/// "to" it jumps to the function with the resume thunk as its return address.
/// `ebp`, when given, is the frame pointer the function runs with. Returns where the frame
/// is.
fn call_on_x86(
    call: &mut ApiCall<'_>,
    caller_esp: u32,
    function: u32,
    resume: u32,
    args: &[u32],
    ebp: Option<u32>,
) -> Option<u32> {
    let frame_at = caller_esp.wrapping_sub(4 * (args.len() as u32 + 2) + 64);
    let mut words = vec![function, resume];
    words.extend_from_slice(args);
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    call.write_bytes(frame_at, &bytes).ok()?;
    with_context(call, |c| {
        if let CpuContext::X86(c) = c {
            c.gpr[X86_ESP] = frame_at;
            if let Some(ebp) = ebp {
                c.gpr[X86_EBP] = ebp;
            }
        }
    });
    Some(frame_at)
}

/// Alpha: the arguments in a0-a5, pv = the function, and ra = the call stub in the data
/// block, which calls pv and then jumps to the resume thunk.
fn call_on_alpha(call: &mut ApiCall<'_>, function: u32, resume: u32, args: &[u32]) -> bool {
    if args.len() > 6 || !write_alpha_stub(call, resume) {
        return false;
    }
    with_context(call, |c| {
        if let CpuContext::Alpha(c) = c {
            for (i, &a) in args.iter().enumerate() {
                c.r[ALPHA_A0 + i] = sign_extend(a);
            }
            c.r[ALPHA_PV] = sign_extend(function);
            c.r[ALPHA_RA] = sign_extend(CRT_DATA + at::ALPHA_STUB);
        }
    });
    true
}

/// Writes the Alpha call stub: `jsr ra,(pv)`, then `ldah pv,hi(resume)`,
/// `lda pv,lo(pv)`, `jmp (pv)`; its page becomes execute-read.
fn write_alpha_stub(call: &mut ApiCall<'_>, resume: u32) -> bool {
    let at = CRT_DATA + at::ALPHA_STUB;
    let lo = resume & 0xFFFF;
    let hi = (resume.wrapping_add(0x8000) >> 16) & 0xFFFF;
    let words: [u32; 4] = [
        (0x1A << 26) | (26 << 21) | (27 << 16) | (1 << 14),
        (0x09 << 26) | (27 << 21) | (31 << 16) | hi,
        (0x08 << 26) | (27 << 21) | (27 << 16) | lo,
        (0x1A << 26) | (31 << 21) | (27 << 16),
    ];
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let Some(p) = call.process_mut() else {
        return false;
    };
    let space = p.address_space_mut();
    let page = space.page_size().bytes();
    space.kernel_write(at, &bytes).is_ok()
        && space
            .protect(at & !(page - 1), page, PageProtection::EXECUTE_READ)
            .is_ok()
}

fn with_context(call: &mut ApiCall<'_>, f: impl FnOnce(&mut CpuContext)) {
    let tid = call.thread.thread;
    if let Some(p) = call.process_mut() {
        let (_, t) = p.space_and_thread(tid);
        if let Some(t) = t {
            f(t.context_mut());
        }
    }
}

/// Makes the builtin's return go back to its own caller.
fn restore_caller(call: &mut ApiCall<'_>, caller: u32) {
    with_context(call, |c| match c {
        CpuContext::X86(c) => c.gpr[X86_ESP] = caller,
        CpuContext::Alpha(c) => c.r[ALPHA_RA] = sign_extend(caller),
    });
}

fn finish_without_callbacks(call: &mut ApiCall<'_>, pending: Pending) -> ApiReturn {
    match pending {
        Pending::Exit {
            code,
            end_process: true,
        } => {
            with_state(call, stdio::flush_all);
            ApiReturn::ExitProcess(code)
        }
        _ => value(0),
    }
}

/// True for an x86 thread, false for an Alpha one.
fn architecture(call: &ApiCall<'_>) -> Option<bool> {
    let p = call.process()?;
    let t = p.thread(call.thread.thread)?;
    Some(matches!(t.context(), CpuContext::X86(_)))
}

/// Where the builtin being called returns to: esp on x86, ra on Alpha.
fn caller_of(call: &ApiCall<'_>) -> u32 {
    call.process()
        .and_then(|p| p.thread(call.thread.thread))
        .map_or(0, |t| match t.context() {
            CpuContext::X86(c) => c.gpr[X86_ESP],
            CpuContext::Alpha(c) => c.r[ALPHA_RA] as u32,
        })
}

/// The result register of the guest function that just returned (eax, v0).
fn result_register(call: &ApiCall<'_>) -> u32 {
    call.process()
        .and_then(|p| p.thread(call.thread.thread))
        .map_or(0, |t| match t.context() {
            CpuContext::X86(c) => c.gpr[X86_EAX],
            CpuContext::Alpha(c) => c.r[ALPHA_V0] as u32,
        })
}

/// Starts a pending builtin from its own call.
fn start(call: &mut ApiCall<'_>, pending: Pending) -> ApiReturn {
    let caller = caller_of(call);
    drive(call, caller, pending, None)
}

/// The resume thunk (not a real msvcrt export): a guest callback returned.
#[export(cdecl)]
fn __ntemu_crt_resume(call: &mut ApiCall<'_>) -> ApiReturn {
    let result = result_register(call);
    let tid = call.thread.thread;
    let sp = stack_pointer(call);
    let frame = with_state(call, |_, state| {
        let frames = state.frames.get_mut(&tid)?;
        // Frames above the one this return matches belong to callbacks that never returned
        // (a longjmp, an __except block entered out of them): they are dropped.
        if let Some(i) = frames.iter().rposition(|f| f.resume_sp.contains(&sp)) {
            frames.truncate(i + 1);
        }
        frames.pop()
    });
    match frame {
        Some(f) => drive(call, f.caller, f.pending, Some(result)),
        None => ApiReturn::ExitProcess(nt_status::NtStatus::ILLEGAL_INSTRUCTION.0),
    }
}

fn advance(
    call: &mut ApiCall<'_>,
    state: &mut CrtState,
    pending: &mut Pending,
    result: Option<u32>,
) -> Step {
    match pending {
        Pending::InitTerm { next, end } => {
            while *next < *end {
                let f = call.read_u32(*next).unwrap_or(0);
                *next += 4;
                if f != 0 {
                    return Step::Call(f, Vec::new());
                }
            }
            Step::Done(0)
        }
        Pending::Exit { code, end_process } => {
            if let Some(f) = state.atexit.pop() {
                return Step::Call(f, Vec::new());
            }
            stdio::flush_all(call, state);
            if *end_process {
                Step::ExitProcess(*code)
            } else {
                Step::Done(0)
            }
        }
        Pending::Sort(s) => s.advance(call, result),
        Pending::Eh3(e) => e.advance(call, result),
        Pending::LocalUnwind(l) => l.advance(call),
        Pending::Search(s) => s.advance(result),
        Pending::Raise {
            handler,
            signal,
            called,
        } => {
            if *called {
                Step::Done(0)
            } else {
                *called = true;
                Step::Call(*handler, vec![*signal])
            }
        }
    }
}

/// Helpers of the callback-driven stdlib functions (qsort, bsearch).
mod stdio_free {
    use super::{ApiCall, Step};

    /// qsort by binary insertion: each step compares one element with the sorted prefix.
    pub(super) struct SortState {
        pub(super) base: u32,
        pub(super) width: u32,
        pub(super) count: u32,
        pub(super) compare: u32,
        /// The original elements' bytes.
        pub(super) elements: Vec<Vec<u8>>,
        /// Indices of the sorted prefix.
        pub(super) sorted: Vec<u32>,
        /// The element being inserted, and its search range in `sorted`.
        pub(super) current: u32,
        pub(super) lo: usize,
        pub(super) hi: usize,
        /// Where the elements are copied while they are compared.
        pub(super) scratch: u32,
    }

    impl SortState {
        pub(super) fn advance(&mut self, call: &mut ApiCall<'_>, result: Option<u32>) -> Step {
            if let Some(r) = result {
                let mid = (self.lo + self.hi) / 2;
                if (r as i32) < 0 {
                    self.hi = mid;
                } else {
                    self.lo = mid + 1;
                }
            }
            loop {
                if self.current >= self.count {
                    let mut bytes = Vec::with_capacity((self.width * self.count) as usize);
                    for &i in &self.sorted {
                        bytes.extend_from_slice(&self.elements[i as usize]);
                    }
                    let _ = call.write_bytes(self.base, &bytes);
                    super::heap::release(call, self.scratch);
                    return Step::Done(0);
                }
                if self.lo < self.hi {
                    let mid = (self.lo + self.hi) / 2;
                    let a = self.scratch;
                    let b = self.scratch + self.width;
                    let _ = call.write_bytes(a, &self.elements[self.current as usize]);
                    let other = self.sorted[mid] as usize;
                    let _ = call.write_bytes(b, &self.elements[other]);
                    return Step::Call(self.compare, vec![a, b]);
                }
                self.sorted.insert(self.lo, self.current);
                self.current += 1;
                self.lo = 0;
                self.hi = self.sorted.len();
            }
        }
    }

    /// bsearch over a sorted array.
    pub(super) struct SearchState {
        pub(super) key: u32,
        pub(super) base: u32,
        pub(super) width: u32,
        pub(super) compare: u32,
        pub(super) lo: u32,
        pub(super) hi: u32,
    }

    impl SearchState {
        pub(super) fn advance(&mut self, result: Option<u32>) -> Step {
            if let Some(r) = result {
                let mid = self.lo + (self.hi - self.lo) / 2;
                match (r as i32).signum() {
                    0 => return Step::Done(self.base + mid * self.width),
                    -1 => self.hi = mid,
                    _ => self.lo = mid + 1,
                }
            }
            if self.lo >= self.hi {
                return Step::Done(0);
            }
            let mid = self.lo + (self.hi - self.lo) / 2;
            Step::Call(self.compare, vec![self.key, self.base + mid * self.width])
        }
    }
}

/// qsort(base, number, width, compare): binary insertion, one guest call of `compare`
/// per step.
#[export(cdecl)]
fn qsort(call: &mut ApiCall<'_>, base: Ptr, number: u32, width: u32, compare: Ptr) -> ApiReturn {
    let (base, count, compare) = (base.0, number, compare.0);
    if count < 2 || width == 0 || count.checked_mul(width).is_none_or(|n| n > 0x100_0000) {
        return value(0);
    }
    let Ok(bytes) = call.read_bytes(base, (count * width) as usize) else {
        return value(0);
    };
    let elements = bytes.chunks(width as usize).map(<[u8]>::to_vec).collect();
    let Some(scratch) = heap::allocate(call, width * 2, false) else {
        return value(0);
    };
    start(
        call,
        Pending::Sort(stdio_free::SortState {
            base,
            width,
            count,
            compare,
            elements,
            sorted: vec![0],
            current: 1,
            lo: 0,
            hi: 1,
            scratch,
        }),
    )
}

/// bsearch(key, base, number, width, compare): the matching element, or NULL.
#[export(cdecl)]
fn bsearch(
    call: &mut ApiCall<'_>,
    key: Ptr,
    base: Ptr,
    number: u32,
    width: u32,
    compare: Ptr,
) -> ApiReturn {
    start(
        call,
        Pending::Search(stdio_free::SearchState {
            key: key.0,
            base: base.0,
            width,
            compare: compare.0,
            lo: 0,
            hi: number,
        }),
    )
}

// ---- start-up and exit -----------------------------------------------------------------

/// Splits a command line as msvcrt does: blanks separate arguments, double quotes group,
/// `2n` backslashes before a quote become `n` and the quote delimits, `2n+1` become `n` and
/// a literal quote.
pub(crate) fn split_command_line(line: &[u8]) -> Vec<Vec<u8>> {
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while matches!(line.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if i >= line.len() {
            break;
        }
        let mut arg = Vec::new();
        let mut quoted = false;
        while let Some(&c) = line.get(i) {
            if !quoted && (c == b' ' || c == b'\t') {
                break;
            }
            if c == b'\\' {
                let mut n = 0;
                while line.get(i) == Some(&b'\\') {
                    n += 1;
                    i += 1;
                }
                if line.get(i) == Some(&b'"') {
                    arg.extend(std::iter::repeat_n(b'\\', n / 2));
                    if n % 2 == 1 {
                        arg.push(b'"');
                        i += 1;
                    }
                } else {
                    arg.extend(std::iter::repeat_n(b'\\', n));
                }
                continue;
            }
            if c == b'"' {
                if quoted && line.get(i + 1) == Some(&b'"') {
                    arg.push(b'"');
                    i += 2;
                    continue;
                }
                quoted = !quoted;
                i += 1;
                continue;
            }
            arg.push(c);
            i += 1;
        }
        args.push(arg);
    }
    args
}

/// Puts a NULL-terminated array of strings in the CRT heap.
fn string_array(call: &mut ApiCall<'_>, strings: &[Vec<u8>]) -> u32 {
    let Some(array) = heap::allocate(call, 4 * (strings.len() as u32 + 1), false) else {
        return 0;
    };
    for (n, s) in strings.iter().enumerate() {
        let at = heap::allocate(call, s.len() as u32 + 1, false).unwrap_or(0);
        let mut bytes = s.clone();
        bytes.push(0);
        let _ = call.write_bytes(at, &bytes);
        let _ = call.write_u32(array + 4 * n as u32, at);
    }
    let _ = call.write_u32(array + 4 * strings.len() as u32, 0);
    array
}

/// The process environment (kernel32's) as a `_environ` array of "name=value" strings.
fn environment_array(call: &mut ApiCall<'_>) -> u32 {
    let strings: Vec<Vec<u8>> = kernel32::environment_variables(call)
        .iter()
        .map(|(n, v)| format!("{n}={v}").into_bytes())
        .collect();
    string_array(call, &strings)
}

/// Builds `_environ` (with argc/argv) if it is not there yet.
fn setup_environment(call: &mut ApiCall<'_>) {
    setup_arguments(call);
}

/// Makes `_environ` a fresh copy of the process environment (after `_putenv`).
fn rebuild_environment(call: &mut ApiCall<'_>) {
    let env = environment_array(call);
    let _ = call.write_u32(CRT_DATA + at::ENVIRON, env);
}

/// Builds argc/argv, the environment and _acmdln once.
fn setup_arguments(call: &mut ApiCall<'_>) {
    if call.read_u32(CRT_DATA + at::ARGV).unwrap_or(0) != 0 {
        return;
    }
    let command_line = kernel32::process_command_line(call).unwrap_or_default();
    let args = split_command_line(command_line.as_bytes());
    let argv = string_array(call, &args);
    let env = environment_array(call);
    let line = string_array(call, &[command_line.into_bytes()]);
    let acmdln = call.read_u32(line).unwrap_or(0);
    let _ = call.write_u32(CRT_DATA + at::ARGC, args.len() as u32);
    let _ = call.write_u32(CRT_DATA + at::ARGV, argv);
    let _ = call.write_u32(CRT_DATA + at::ENVIRON, env);
    let _ = call.write_u32(CRT_DATA + at::INITENV, env);
    let _ = call.write_u32(CRT_DATA + at::ACMDLN, acmdln);
}

/// __getmainargs(argc, argv, envp, expand_wildcards, new_mode) (CRTDLL's __GetMainArgs
/// takes the first four): stores argc, argv and the environment.
#[export(cdecl)]
fn __getmainargs(
    call: &mut ApiCall<'_>,
    argc: Ptr,
    argv: Ptr,
    envp: Ptr,
    expand_wildcards: i32,
    new_mode: Ptr,
) -> i32 {
    let _ = (expand_wildcards, new_mode);
    with_state(call, |call, _| {
        setup_arguments(call);
        let values =
            [at::ARGC, at::ARGV, at::ENVIRON].map(|o| call.read_u32(CRT_DATA + o).unwrap_or(0));
        for (ptr, v) in [argc, argv, envp].into_iter().zip(values) {
            let _ = call.write_out_u32(ptr.0, v);
        }
        0
    })
}

/// __set_app_type(apptype): console (1) or GUI (2).
#[export(cdecl)]
fn __set_app_type(call: &mut ApiCall<'_>, apptype: u32) {
    with_state(call, |call, state| {
        state.app_type = apptype;
        let _ = call.write_u32(CRT_DATA + at::APP_TYPE, apptype);
    });
}

/// __p__fmode(): &_fmode.
#[export(cdecl)]
fn __p__fmode(call: &mut ApiCall<'_>) -> Ptr {
    data_address(call, at::FMODE)
}

/// __p__commode(): &_commode.
#[export(cdecl)]
fn __p__commode(call: &mut ApiCall<'_>) -> Ptr {
    data_address(call, at::COMMODE)
}

/// __p__acmdln(): &_acmdln.
#[export(cdecl)]
fn __p__acmdln(call: &mut ApiCall<'_>) -> Ptr {
    startup_address(call, at::ACMDLN)
}

/// __p___argc(): &__argc.
#[export(cdecl)]
fn __p___argc(call: &mut ApiCall<'_>) -> Ptr {
    startup_address(call, at::ARGC)
}

/// __p___argv(): &__argv.
#[export(cdecl)]
fn __p___argv(call: &mut ApiCall<'_>) -> Ptr {
    startup_address(call, at::ARGV)
}

/// __p__environ(): &_environ.
#[export(cdecl)]
fn __p__environ(call: &mut ApiCall<'_>) -> Ptr {
    startup_address(call, at::ENVIRON)
}

/// __p___initenv(): &__initenv.
#[export(cdecl)]
fn __p___initenv(call: &mut ApiCall<'_>) -> Ptr {
    startup_address(call, at::INITENV)
}

/// __p__pctype(): &_pctype.
#[export(cdecl)]
fn __p__pctype(call: &mut ApiCall<'_>) -> Ptr {
    data_address(call, at::PCTYPE)
}

/// __pctype_func(): _pctype (the ctype table from its character 0).
#[export(cdecl)]
fn __pctype_func(call: &mut ApiCall<'_>) -> Ptr {
    data_address(call, at::CTYPE + 2)
}

/// __iob_func() and __p__iob(): _iob.
#[export(cdecl)]
fn __iob_func(call: &mut ApiCall<'_>) -> Ptr {
    data_address(call, at::IOB)
}

/// __p___mb_cur_max(): &__mb_cur_max.
#[export(cdecl)]
fn __p___mb_cur_max(call: &mut ApiCall<'_>) -> Ptr {
    data_address(call, at::MB_CUR_MAX)
}

/// ___mb_cur_max_func(): 1 (the "C" locale is single-byte).
#[export(cdecl)]
fn ___mb_cur_max_func(call: &mut ApiCall<'_>) -> u32 {
    with_state(call, |call, _| {
        call.read_u32(CRT_DATA + at::MB_CUR_MAX).unwrap_or(1)
    })
}

/// _getpid(): the process id.
#[export(cdecl)]
fn _getpid(call: &mut ApiCall<'_>) -> u32 {
    call.thread.process
}

/// _assert(expression, filename, lineno): "Assertion failed: expression, file f, line n"
/// on stderr, then abort().
#[export(cdecl)]
fn _assert(call: &mut ApiCall<'_>, expression: Ptr, filename: Ptr, lineno: u32) -> ApiReturn {
    let expression = call.read_c_string(expression.0, 0x1000).unwrap_or_default();
    let filename = call.read_c_string(filename.0, 0x1000).unwrap_or_default();
    let text = format!("Assertion failed: {expression}, file {filename}, line {lineno}\n");
    with_state(call, |call, state| {
        stdio::write_fd(call, state, 2, text.as_bytes());
    });
    abort(call)
}

/// _beginthreadex(security, stack_size, start_address, arglist, initflag, thrdaddr):
/// CreateThread with the same arguments in the same order; the thread handle, or 0.
#[export(cdecl)]
fn _beginthreadex(
    call: &mut ApiCall<'_>,
    security: Ptr,
    stack_size: u32,
    start_address: Ptr,
    arglist: Ptr,
    initflag: u32,
    thrdaddr: Ptr,
) -> ApiReturn {
    // CreateThread's entry reads the same six arguments from the call itself.
    let _ = (
        security,
        stack_size,
        start_address,
        arglist,
        initflag,
        thrdaddr,
    );
    match kernel32::DLL
        .exports
        .iter()
        .find(|e| e.name == "CreateThread")
    {
        Some(create_thread) => (create_thread.function)(call),
        None => value(0),
    }
}

/// _endthreadex(retval): ends the calling thread with `retval`.
#[export(cdecl)]
fn _endthreadex(_: &mut ApiCall<'_>, retval: u32) -> ApiReturn {
    ApiReturn::ExitThread(retval)
}

/// _endthread(): ends the calling thread (exit code 0).
#[export(cdecl)]
fn _endthread(_: &mut ApiCall<'_>) -> ApiReturn {
    ApiReturn::ExitThread(0)
}

/// _purecall(): runtime error R6025 (pure virtual function call).
#[export(cdecl)]
fn _purecall(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |call, state| {
        stdio::flush_all(call, state);
        stdio::write_fd(
            call,
            state,
            2,
            b"\nruntime error R6025\n- pure virtual function call\n",
        );
    });
    ApiReturn::ExitProcess(255)
}

/// _errno(): &errno.
#[export(cdecl)]
fn _errno(call: &mut ApiCall<'_>) -> Ptr {
    data_address(call, at::ERRNO)
}

/// __doserrno(): &_doserrno.
#[export(cdecl)]
fn __doserrno(call: &mut ApiCall<'_>) -> Ptr {
    data_address(call, at::DOSERRNO)
}

/// localeconv(): the "C" locale's struct lconv.
#[export(cdecl)]
fn localeconv(call: &mut ApiCall<'_>) -> Ptr {
    data_address(call, at::LCONV)
}

/// setlocale(category, locale): only the "C" locale exists; a query or "C" (or "")
/// returns "C", anything else NULL.
#[export(cdecl)]
fn setlocale(call: &mut ApiCall<'_>, category: i32, locale: Ptr) -> Ptr {
    let _ = category;
    with_state(call, |call, _| {
        let text = if locale.is_null() {
            Vec::new()
        } else {
            call.read_c_bytes(locale.0, 256).unwrap_or_default()
        };
        if !locale.is_null() && !text.is_empty() && text != b"C" {
            return Ptr::NULL;
        }
        let at = CRT_DATA + at::LCONV + 0x60;
        let _ = call.write_bytes(at, b"C\0");
        Ptr(at)
    })
}

/// _isctype(c, mask): the ctype flags of `c` in `mask`.
#[export(cdecl)]
fn _isctype(_: &mut ApiCall<'_>, c: u32, mask: u32) -> u32 {
    let flags = if c < 256 { ctype_flags(c as u8) } else { 0 };
    u32::from(flags) & mask
}

/// _initterm(pfbegin, pfend): calls each non-NULL initializer of the table in order.
#[export(cdecl)]
fn _initterm(call: &mut ApiCall<'_>, pfbegin: Ptr, pfend: Ptr) -> ApiReturn {
    with_state(call, |_, _| ());
    start(
        call,
        Pending::InitTerm {
            next: pfbegin.0,
            end: pfend.0,
        },
    )
}

/// _onexit(function): registers `function` to run at exit; returns it.
#[export(cdecl)]
fn _onexit(call: &mut ApiCall<'_>, function: Ptr) -> Ptr {
    with_state(call, |_, state| state.atexit.push(function.0));
    function
}

/// atexit(func): registers `func` to run at exit; 0.
#[export(cdecl)]
fn atexit(call: &mut ApiCall<'_>, func: Ptr) -> i32 {
    with_state(call, |_, state| state.atexit.push(func.0));
    0
}

/// __dllonexit(func, pbegin, pend): a DLL's own atexit table; ntemu keeps its functions
/// with the process's (they run at exit, as a DLL's do at process detach).
#[export(cdecl)]
fn __dllonexit(call: &mut ApiCall<'_>, func: Ptr, pbegin: Ptr, pend: Ptr) -> Ptr {
    let _ = (pbegin, pend);
    with_state(call, |_, state| state.atexit.push(func.0));
    func
}

/// exit(status): runs the atexit functions (newest first), flushes the streams and ends
/// the process.
#[export(cdecl)]
fn exit(call: &mut ApiCall<'_>, status: u32) -> ApiReturn {
    start(
        call,
        Pending::Exit {
            code: status,
            end_process: true,
        },
    )
}

/// _cexit(): runs the atexit functions and flushes the streams, then returns.
#[export(cdecl)]
fn _cexit(call: &mut ApiCall<'_>) -> ApiReturn {
    start(
        call,
        Pending::Exit {
            code: 0,
            end_process: false,
        },
    )
}

/// _c_exit(): nothing to do (the atexit functions are not run).
#[export(cdecl)]
fn _c_exit(call: &mut ApiCall<'_>) {
    with_state(call, |_, _| ());
}

/// _exit(status): ends the process at once (streams flushed, no atexit functions).
#[export(cdecl)]
fn _exit(call: &mut ApiCall<'_>, status: u32) -> ApiReturn {
    with_state(call, stdio::flush_all);
    ApiReturn::ExitProcess(status)
}

/// abort(): "abnormal program termination" on stderr, exit code 3.
#[export(cdecl)]
fn abort(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |call, state| {
        stdio::flush_all(call, state);
        stdio::write_fd(call, state, 2, b"\nabnormal program termination\n");
    });
    ApiReturn::ExitProcess(3)
}

/// _amsg_exit(rterrnum): "runtime error R60nn" on stderr, then exit code 255.
#[export(cdecl)]
fn _amsg_exit(call: &mut ApiCall<'_>, rterrnum: u32) -> ApiReturn {
    with_state(call, |call, state| {
        stdio::flush_all(call, state);
        let text = format!("\nruntime error R60{rterrnum:02}\n");
        stdio::write_fd(call, state, 2, text.as_bytes());
    });
    ApiReturn::ExitProcess(255)
}

/// The signals msvcrt knows: SIGINT, SIGILL, SIGFPE, SIGSEGV, SIGTERM, SIGBREAK, SIGABRT.
fn known_signal(sig: u32) -> bool {
    matches!(sig, 2 | 4 | 8 | 11 | 15 | 21 | 22)
}

/// signal(sig, func): the previous handler (SIG_DFL 0 at first); SIG_ERR (-1) with
/// EINVAL for an unknown signal.
#[export(cdecl)]
fn signal(call: &mut ApiCall<'_>, sig: u32, func: Ptr) -> u32 {
    with_state(call, |call, state| {
        if !known_signal(sig) {
            set_errno(call, errno::EINVAL);
            return u32::MAX;
        }
        let old = if func.is_null() {
            state.signals.remove(&sig)
        } else {
            state.signals.insert(sig, func.0)
        };
        old.unwrap_or(0)
    })
}

/// raise(sig): SIG_IGN (1) does nothing; a handler is reset to SIG_DFL and called with the
/// signal; SIG_DFL ends the process with exit code 3 (SIGABRT first prints "abnormal
/// program termination"). -1 for an unknown signal.
#[export(cdecl)]
fn raise(call: &mut ApiCall<'_>, sig: u32) -> ApiReturn {
    if !known_signal(sig) {
        return value(u32::MAX);
    }
    let handler = with_state(call, |_, state| match state.signals.get(&sig) {
        Some(&1) => Some(1),
        Some(&h) => {
            state.signals.remove(&sig);
            Some(h)
        }
        None => None,
    });
    match handler {
        Some(1) => value(0),
        Some(h) => start(
            call,
            Pending::Raise {
                handler: h,
                signal: sig,
                called: false,
            },
        ),
        None if sig == 22 => abort(call),
        None => {
            with_state(call, stdio::flush_all);
            ApiReturn::ExitProcess(3)
        }
    }
}

/// __setusermatherr(pf): the math error handler is never called.
#[export(cdecl)]
fn __setusermatherr(call: &mut ApiCall<'_>, pf: Ptr) {
    let _ = pf;
    with_state(call, |_, _| ());
}

/// _lock(locknum): nothing (the CRT's state is the layer's, one call at a time).
#[export(cdecl)]
fn _lock(call: &mut ApiCall<'_>, locknum: i32) {
    let _ = locknum;
    with_state(call, |_, _| ());
}

/// _unlock(locknum).
#[export(cdecl)]
fn _unlock(call: &mut ApiCall<'_>, locknum: i32) {
    let _ = locknum;
    with_state(call, |_, _| ());
}

/// __lconv_init(): 0 (the "C" locale's lconv is set up with the data block).
#[export(cdecl)]
fn __lconv_init(call: &mut ApiCall<'_>) -> i32 {
    with_state(call, |_, _| 0)
}

/// _XcptFilter(xcptnum, pxcptinfoptrs): EXCEPTION_CONTINUE_SEARCH (0), as msvcrt's filter
/// returns for an exception no signal handler takes.
#[export(cdecl)]
fn _XcptFilter(call: &mut ApiCall<'_>, xcptnum: u32, pxcptinfoptrs: Ptr) -> i32 {
    let _ = (xcptnum, pxcptinfoptrs);
    with_state(call, |_, _| 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_split_as_msvcrt() {
        let split = |s: &str| -> Vec<String> {
            split_command_line(s.as_bytes())
                .into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        };
        assert_eq!(split("prog a  b"), ["prog", "a", "b"]);
        assert_eq!(split(r#"p "a b" c"#), ["p", "a b", "c"]);
        assert_eq!(
            split(r#"p a\\\"b c\\"d e" f"#),
            ["p", r#"a\"b"#, r"c\d e", "f"]
        );
        assert_eq!(split(r"p a\b\\c"), ["p", r"a\b\\c"]);
        assert_eq!(split("  "), Vec::<String>::new());
    }

    #[test]
    fn data_exports_resolve_by_dll() {
        assert_eq!(data_export("msvcrt.dll", "_iob"), Some(CRT_DATA));
        assert_eq!(
            data_export("CRTDLL.DLL", "__argc_dll"),
            Some(CRT_DATA + at::ARGC)
        );
        assert_eq!(data_export("msvcrt.dll", "__argc_dll"), None);
        assert_eq!(data_export("kernel32.dll", "_iob"), None);
        assert_eq!(data_export("msvcrt", "printf"), None);
    }

    #[test]
    fn ctype_table_is_the_c_locale() {
        assert_eq!(ctype_flags(b'A'), 0x181);
        assert_eq!(ctype_flags(b'a'), 0x182);
        assert_eq!(ctype_flags(b'7'), 0x84);
        assert_eq!(ctype_flags(b' '), 0x48);
        assert_eq!(ctype_flags(b'\t'), 0x28);
        assert_eq!(ctype_flags(b'!'), 0x10);
        assert_eq!(ctype_flags(0xE9), 0);
    }
}
