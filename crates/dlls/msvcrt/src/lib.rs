//! MSVCRT.dll and CRTDLL.dll: the C runtime of NT 4.0 programs, as builtin DLLs. Both export
//! the same implementations (CRTDLL under its older names).
//!
//! - Start-up: `__getmainargs` (CRTDLL `__GetMainArgs`), `_initterm`, `__set_app_type`, the
//!   `__p__*` accessors, `_onexit`/`atexit`, `exit`, `_cexit`, `_amsg_exit`, `signal`.
//! - Data exports (`_iob`, `__argc`, `__argv`, `_environ`, `__initenv`, `_acmdln`, `_fmode`,
//!   `_commode`, `_ctype`, `_pctype`...): a builtin is a thunk, not data, so the loader binds
//!   these imports to addresses in the CRT data block, one 64 KiB block at [`CRT_DATA`] in
//!   each process, committed and filled on the process's first CRT call.
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
//! - printf.rs and scanf.rs: the format engines; string.rs: string.h, ctype.h, stdlib.h,
//!   time.h; math.rs: math.h and the compiler's x87 helpers (`_ftol`, `_CIpow`...);
//!   conio.rs: `_getch` and friends; heap.rs: `malloc` and friends over the process heap.

mod conio;
mod heap;
mod math;
mod scanf;
mod stdio;
mod string;

use std::collections::BTreeMap;

use nt_kernel::{
    ALPHA_A0, ALPHA_PV, ALPHA_RA, ALPHA_V0, CpuContext, X86_EAX, X86_ESP, sign_extend,
};
use nt_memory::{AllocationType, PageProtection};

use win32::abi::CallingConvention::Cdecl;
use win32::{ApiCall, ApiReturn, BuiltinDll, DllHooks, Export, PerProcess};

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
    /// The Alpha call stub, alone on the block's last (8 KiB) page.
    pub const ALPHA_STUB: u32 = 0xE000;
}

/// The size of a FILE.
const FILE_SIZE: u32 = 32;
/// How many FILEs the data block holds (`_iob` has the first 20).
const FILE_SLOTS: u32 = 0x4000 / FILE_SIZE;

/// The resume thunk's export name (not a real msvcrt export).
const RESUME: &str = "__ntemu_crt_resume";

macro_rules! raw_exports {
    ($($name:ident / $args:literal => $f:path;)*) => {
        &[$(Export {
            name: stringify!($name),
            arguments: $args,
            convention: Cdecl,
            params: &[],
            returns: win32::ValueKind::Int,
            module: module_path!(),
            function: $f,
        },)*]
    };
}

macro_rules! crt_functions {
    ($($ordinal:literal $name:ident $crtdll:ident / $args:literal => $f:path;)*) => {
        /// MSVCRT.dll.
        pub static DLL: BuiltinDll = BuiltinDll {
            name: "MSVCRT.dll",
            exports: raw_exports! { $($name / $args => $f;)* },
            catalogue: include_str!("../nt4-exports.txt"),
            hooks: DllHooks {
                data_export: Some(msvcrt_data),
                internal_thunk: None,
            },
        };
        /// CRTDLL.dll: the same functions, some under older names.
        pub static CRTDLL: BuiltinDll = BuiltinDll {
            name: "CRTDLL.dll",
            exports: raw_exports! { $($crtdll / $args => $f;)* },
            catalogue: include_str!("../crtdll-nt4-exports.txt"),
            hooks: DllHooks {
                data_export: Some(crtdll_data),
                internal_thunk: None,
            },
        };
    };
}

use conio::*;
use heap::*;
use math::*;
use stdio::*;
use string::*;

crt_functions! {
    1 __ntemu_crt_resume __ntemu_crt_resume/0 => resume;
    2 __getmainargs __GetMainArgs/5 => getmainargs;
    3 __set_app_type __set_app_type/1 => set_app_type;
    4 __p__fmode __p__fmode/0 => p_fmode;
    5 __p__commode __p__commode/0 => p_commode;
    6 __p__acmdln __p__acmdln/0 => p_acmdln;
    7 __p___argc __p___argc/0 => p_argc;
    8 __p___argv __p___argv/0 => p_argv;
    9 __p__environ __p__environ/0 => p_environ;
    10 __p___initenv __p___initenv/0 => p_initenv;
    11 __setusermatherr __setusermatherr/1 => returns_zero;
    12 _initterm _initterm/2 => initterm;
    13 _amsg_exit _amsg_exit/1 => amsg_exit;
    14 _cexit _cexit/0 => cexit;
    15 _c_exit _c_exit/0 => returns_zero;
    16 _exit _exit/1 => underscore_exit;
    17 exit exit/1 => exit;
    18 abort abort/0 => abort;
    19 _onexit _onexit/1 => onexit;
    20 atexit atexit/1 => atexit;
    21 __dllonexit __dllonexit/3 => dllonexit;
    22 signal signal/2 => signal;
    23 _controlfp _controlfp/2 => controlfp;
    24 _control87 _control87/2 => controlfp;
    25 _fpreset _fpreset/0 => returns_zero;
    26 _clearfp _clearfp/0 => returns_zero;
    27 _statusfp _statusfp/0 => returns_zero;
    28 _errno _errno/0 => errno_location;
    29 __doserrno __doserrno/0 => doserrno_location;
    30 _lock _lock/1 => returns_zero;
    31 _unlock _unlock/1 => returns_zero;
    32 __iob_func __iob_func/0 => iob_func;
    33 __lconv_init __lconv_init/0 => returns_zero;
    34 _XcptFilter _XcptFilter/2 => returns_zero;
    35 setlocale setlocale/2 => setlocale;
    36 localeconv localeconv/0 => localeconv;
    37 __p__pctype __p__pctype/0 => p_pctype;
    38 __pctype_func __pctype_func/0 => pctype_func;
    39 _isctype _isctype/2 => isctype;
    40 raise raise/1 => raise;
    41 __p__iob __p__iob/0 => iob_func;
    42 __p___mb_cur_max __p___mb_cur_max/0 => p_mb_cur_max;
    43 ___mb_cur_max_func ___mb_cur_max_func/0 => mb_cur_max_func;
    44 _getpid _getpid/0 => getpid;
    45 _assert _assert/3 => assert;
    46 _purecall _purecall/0 => purecall;
    47 _beginthreadex _beginthreadex/6 => beginthreadex;
    48 _endthreadex _endthreadex/1 => endthreadex;
    49 _endthread _endthread/0 => endthread;
    // stdio
    100 printf printf/1 => printf;
    101 fprintf fprintf/2 => fprintf;
    102 sprintf sprintf/2 => sprintf;
    103 _snprintf _snprintf/3 => snprintf;
    104 vprintf vprintf/2 => vprintf;
    105 vfprintf vfprintf/3 => vfprintf;
    106 vsprintf vsprintf/3 => vsprintf;
    107 _vsnprintf _vsnprintf/4 => vsnprintf;
    108 puts puts/1 => puts;
    109 fputs fputs/2 => fputs;
    110 fputc fputc/2 => fputc;
    111 putc putc/2 => fputc;
    112 putchar putchar/1 => putchar;
    113 fwrite fwrite/4 => fwrite;
    114 fflush fflush/1 => fflush;
    115 _flsbuf _flsbuf/2 => flsbuf;
    116 _filbuf _filbuf/1 => filbuf;
    117 fgetc fgetc/1 => fgetc;
    118 getc getc/1 => fgetc;
    119 getchar getchar/0 => getchar;
    120 fgets fgets/3 => fgets;
    121 gets gets/1 => gets;
    122 ungetc ungetc/2 => ungetc;
    123 fread fread/4 => fread;
    124 feof feof/1 => feof;
    125 ferror ferror/1 => ferror;
    126 clearerr clearerr/1 => clearerr;
    127 _fileno _fileno/1 => fileno;
    128 setvbuf setvbuf/4 => returns_zero;
    129 setbuf setbuf/2 => returns_zero;
    130 _setmode _setmode/2 => setmode;
    131 _isatty _isatty/1 => isatty;
    132 _write _write/3 => write;
    133 _read _read/3 => read;
    134 fopen fopen/2 => fopen;
    135 fclose fclose/1 => fclose;
    136 perror perror/1 => perror;
    137 sscanf sscanf/2 => sscanf;
    138 scanf scanf/1 => scanf;
    139 fscanf fscanf/2 => fscanf;
    140 ftell ftell/1 => ftell;
    141 fseek fseek/3 => fseek;
    142 rewind rewind/1 => rewind;
    143 _get_osfhandle _get_osfhandle/1 => get_osfhandle;
    144 _flushall _flushall/0 => flushall;
    145 _open _open/3 => open;
    146 _close _close/1 => close;
    147 _lseek _lseek/3 => lseek;
    148 _fsopen _fsopen/3 => fopen;
    149 _fdopen _fdopen/2 => fdopen;
    150 freopen freopen/3 => freopen;
    // conio.h
    160 _getch _getch/0 => getch;
    161 _getche _getche/0 => getche;
    162 _kbhit _kbhit/0 => kbhit;
    163 _ungetch _ungetch/1 => ungetch;
    164 _putch _putch/1 => putch;
    165 _cputs _cputs/1 => cputs;
    166 _cprintf _cprintf/1 => cprintf;
    // heap
    200 malloc malloc/1 => malloc;
    201 free free/1 => free;
    202 calloc calloc/2 => calloc;
    203 realloc realloc/2 => realloc;
    204 _msize _msize/1 => msize;
    205 _strdup _strdup/1 => strdup;
    206 _expand _expand/2 => expand;
    // string.h
    300 strlen strlen/1 => strlen;
    301 strcpy strcpy/2 => strcpy;
    302 strncpy strncpy/3 => strncpy;
    303 strcat strcat/2 => strcat;
    304 strncat strncat/3 => strncat;
    305 strcmp strcmp/2 => strcmp;
    306 strncmp strncmp/3 => strncmp;
    307 _stricmp _stricmp/2 => stricmp;
    308 _strnicmp _strnicmp/3 => strnicmp;
    309 strchr strchr/2 => strchr;
    310 strrchr strrchr/2 => strrchr;
    311 strstr strstr/2 => strstr;
    312 strspn strspn/2 => strspn;
    313 strcspn strcspn/2 => strcspn;
    314 strpbrk strpbrk/2 => strpbrk;
    315 strtok strtok/2 => strtok;
    316 _strupr _strupr/1 => strupr;
    317 _strlwr _strlwr/1 => strlwr;
    318 _strrev _strrev/1 => strrev;
    319 memcpy memcpy/3 => memmove;
    320 memmove memmove/3 => memmove;
    321 memset memset/3 => memset;
    322 memcmp memcmp/3 => memcmp;
    323 memchr memchr/3 => memchr;
    324 _memicmp _memicmp/3 => memicmp;
    325 strerror strerror/1 => strerror;
    326 wcslen wcslen/1 => wcslen;
    327 _stricoll _stricoll/2 => stricmp;
    328 strcoll strcoll/2 => strcmp;
    329 _strcmpi _strcmpi/2 => stricmp;
    // ctype.h
    400 isalpha isalpha/1 => isalpha;
    401 isdigit isdigit/1 => isdigit;
    402 isalnum isalnum/1 => isalnum;
    403 isspace isspace/1 => isspace;
    404 isupper isupper/1 => isupper;
    405 islower islower/1 => islower;
    406 isxdigit isxdigit/1 => isxdigit;
    407 ispunct ispunct/1 => ispunct;
    408 isprint isprint/1 => isprint;
    409 isgraph isgraph/1 => isgraph;
    410 iscntrl iscntrl/1 => iscntrl;
    411 toupper toupper/1 => toupper;
    412 tolower tolower/1 => tolower;
    413 _toupper _toupper/1 => toupper;
    414 _tolower _tolower/1 => tolower;
    415 isascii __isascii/1 => isascii;
    // stdlib.h
    500 atoi atoi/1 => atoi;
    501 atol atol/1 => atoi;
    502 strtol strtol/3 => strtol;
    503 strtoul strtoul/3 => strtoul;
    504 atof atof/1 => atof;
    505 strtod strtod/2 => strtod;
    506 abs abs/1 => abs;
    507 labs labs/1 => abs;
    508 div div/2 => div;
    509 ldiv ldiv/2 => div;
    510 rand rand/0 => rand;
    511 srand srand/1 => srand;
    512 getenv getenv/1 => getenv;
    519 _putenv _putenv/1 => putenv;
    513 qsort qsort/4 => qsort;
    514 bsearch bsearch/5 => bsearch;
    515 _itoa _itoa/3 => itoa;
    516 _ltoa _ltoa/3 => itoa;
    517 _ultoa _ultoa/3 => ultoa;
    518 _atoi64 _atoi64/1 => atoi64;
    // time.h
    600 time time/1 => time;
    601 clock clock/0 => clock;
    602 gmtime gmtime/1 => gmtime;
    603 localtime localtime/1 => gmtime;
    604 mktime mktime/1 => mktime;
    605 strftime strftime/4 => strftime;
    606 asctime asctime/1 => asctime;
    607 ctime ctime/1 => ctime;
    608 difftime difftime/4 => difftime;
    // math.h
    700 sqrt sqrt/2 => sqrt;
    701 pow pow/4 => pow;
    702 exp exp/2 => exp;
    703 log log/2 => log;
    704 log10 log10/2 => log10;
    705 sin sin/2 => sin;
    706 cos cos/2 => cos;
    707 tan tan/2 => tan;
    708 asin asin/2 => asin;
    709 acos acos/2 => acos;
    710 atan atan/2 => atan;
    711 atan2 atan2/4 => atan2;
    712 sinh sinh/2 => sinh;
    713 cosh cosh/2 => cosh;
    714 tanh tanh/2 => tanh;
    715 floor floor/2 => floor;
    716 ceil ceil/2 => ceil;
    717 fabs fabs/2 => fabs;
    718 fmod fmod/4 => fmod;
    719 _hypot _hypot/4 => hypot;
    720 ldexp ldexp/3 => ldexp;
    721 frexp frexp/3 => frexp;
    722 modf modf/3 => modf;
    723 _isnan _isnan/2 => isnan;
    724 _finite _finite/2 => finite;
    // The compiler's helpers (x87-stack arguments and results).
    730 _ftol _ftol/0 => ftol;
    731 _CIsqrt _CIsqrt/0 => ci_sqrt;
    732 _CIsin _CIsin/0 => ci_sin;
    733 _CIcos _CIcos/0 => ci_cos;
    734 _CItan _CItan/0 => ci_tan;
    735 _CIatan _CIatan/0 => ci_atan;
    736 _CIasin _CIasin/0 => ci_asin;
    737 _CIacos _CIacos/0 => ci_acos;
    738 _CIexp _CIexp/0 => ci_exp;
    739 _CIlog _CIlog/0 => ci_log;
    740 _CIlog10 _CIlog10/0 => ci_log10;
    741 _CIsinh _CIsinh/0 => ci_sinh;
    742 _CIcosh _CIcosh/0 => ci_cosh;
    743 _CItanh _CItanh/0 => ci_tanh;
    744 _CIpow _CIpow/0 => ci_pow;
    745 _CIatan2 _CIatan2/0 => ci_atan2;
    746 _CIfmod _CIfmod/0 => ci_fmod;
}

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

/// The x86 errno values msvcrt uses.
pub(crate) mod errno {
    /// No such file or directory.
    pub const ENOENT: u32 = 2;
    /// Bad file descriptor.
    pub const EBADF: u32 = 9;
    /// Not enough memory.
    pub const ENOMEM: u32 = 12;
    /// Invalid argument.
    pub const EINVAL: u32 = 22;
    /// Argument outside a math function's domain.
    pub const EDOM: u32 = 33;
    /// Result too large.
    pub const ERANGE: u32 = 34;
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
}

/// What a pending builtin does next.
enum Step {
    /// Call this guest function with these arguments, then resume.
    Call(u32, Vec<u32>),
    /// Return this value to the builtin's caller.
    Done(u32),
    /// End the process.
    ExitProcess(u32),
}

/// One process's C runtime state.
#[derive(Default)]
pub(crate) struct CrtState {
    initialized: bool,
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
    /// rand's seed.
    seed: u32,
    /// `__set_app_type`'s value.
    app_type: u32,
    /// Signal handlers other than SIG_DFL, by signal.
    signals: BTreeMap<u32, u32>,
    /// The byte `_getch` returns next (a key's second byte, or `_ungetch`'s).
    conio_pending: Option<u8>,
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

/// Commits and fills the data block, and opens stdin, stdout and stderr.
fn initialize(call: &mut ApiCall<'_>, state: &mut CrtState) {
    state.seed = 1;
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
    stdio::open_standard_streams(call, state);
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

fn returns_zero(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |_, _| value(0))
}

fn data_address(call: &mut ApiCall<'_>, offset: u32) -> ApiReturn {
    with_state(call, |_, _| value(CRT_DATA + offset))
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
    match step {
        Step::Done(v) => {
            restore_caller(call, caller);
            value(v)
        }
        Step::ExitProcess(code) => ApiReturn::ExitProcess(code),
        Step::Call(function, args) => {
            let Some(resume) = call.builtins.implemented(DLL.name, RESUME) else {
                return value(0);
            };
            let set_up = match architecture(call) {
                Some(true) => call_on_x86(call, caller, function, resume, &args),
                Some(false) => call_on_alpha(call, function, resume, &args),
                None => false,
            };
            if !set_up {
                return finish_without_callbacks(call, pending);
            }
            let tid = call.thread.thread;
            with_state(call, |_, state| {
                state
                    .frames
                    .entry(tid)
                    .or_default()
                    .push(Frame { caller, pending });
            });
            value(0)
        }
    }
}

/// x86: a frame below the caller's stack holding [function, resume, args...]; returning
/// "to" it jumps to the function with the resume thunk as its return address.
fn call_on_x86(
    call: &mut ApiCall<'_>,
    caller_esp: u32,
    function: u32,
    resume: u32,
    args: &[u32],
) -> bool {
    let frame_at = caller_esp.wrapping_sub(4 * (args.len() as u32 + 2) + 64);
    let mut words = vec![function, resume];
    words.extend_from_slice(args);
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    if call.write_bytes(frame_at, &bytes).is_err() {
        return false;
    }
    with_context(call, |c| {
        if let CpuContext::X86(c) = c {
            c.gpr[X86_ESP] = frame_at;
        }
    });
    true
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

/// The resume thunk: a guest callback returned.
fn resume(call: &mut ApiCall<'_>) -> ApiReturn {
    let result = result_register(call);
    let tid = call.thread.thread;
    let frame = with_state(call, |_, state| {
        state.frames.get_mut(&tid).and_then(Vec::pop)
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

fn qsort(call: &mut ApiCall<'_>) -> ApiReturn {
    let (base, count, width, compare) = (call.arg(0), call.arg(1), call.arg(2), call.arg(3));
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

fn bsearch(call: &mut ApiCall<'_>) -> ApiReturn {
    let (key, base, count, width, compare) = (
        call.arg(0),
        call.arg(1),
        call.arg(2),
        call.arg(3),
        call.arg(4),
    );
    start(
        call,
        Pending::Search(stdio_free::SearchState {
            key,
            base,
            width,
            compare,
            lo: 0,
            hi: count,
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

/// __getmainargs(int *argc, char ***argv, char ***envp, int expand_wildcards, int *newmode)
/// (CRTDLL's __GetMainArgs takes the first four).
fn getmainargs(call: &mut ApiCall<'_>) -> ApiReturn {
    let (argc, argv, envp) = (call.arg(0), call.arg(1), call.arg(2));
    with_state(call, |call, _| {
        setup_arguments(call);
        let values =
            [at::ARGC, at::ARGV, at::ENVIRON].map(|o| call.read_u32(CRT_DATA + o).unwrap_or(0));
        for (ptr, v) in [argc, argv, envp].into_iter().zip(values) {
            let _ = call.write_out_u32(ptr, v);
        }
        value(0)
    })
}

fn set_app_type(call: &mut ApiCall<'_>) -> ApiReturn {
    let t = call.arg(0);
    with_state(call, |call, state| {
        state.app_type = t;
        let _ = call.write_u32(CRT_DATA + at::APP_TYPE, t);
        value(0)
    })
}

fn p_fmode(call: &mut ApiCall<'_>) -> ApiReturn {
    data_address(call, at::FMODE)
}

fn p_commode(call: &mut ApiCall<'_>) -> ApiReturn {
    data_address(call, at::COMMODE)
}

fn p_acmdln(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |call, _| setup_arguments(call));
    data_address(call, at::ACMDLN)
}

fn p_argc(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |call, _| setup_arguments(call));
    data_address(call, at::ARGC)
}

fn p_argv(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |call, _| setup_arguments(call));
    data_address(call, at::ARGV)
}

fn p_environ(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |call, _| setup_arguments(call));
    data_address(call, at::ENVIRON)
}

fn p_initenv(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |call, _| setup_arguments(call));
    data_address(call, at::INITENV)
}

fn p_pctype(call: &mut ApiCall<'_>) -> ApiReturn {
    data_address(call, at::PCTYPE)
}

fn pctype_func(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |_, _| value(CRT_DATA + at::CTYPE + 2))
}

fn iob_func(call: &mut ApiCall<'_>) -> ApiReturn {
    data_address(call, at::IOB)
}

fn p_mb_cur_max(call: &mut ApiCall<'_>) -> ApiReturn {
    data_address(call, at::MB_CUR_MAX)
}

/// ___mb_cur_max_func(): 1 (the "C" locale is single-byte).
fn mb_cur_max_func(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |call, _| {
        value(call.read_u32(CRT_DATA + at::MB_CUR_MAX).unwrap_or(1))
    })
}

/// _getpid(): the process id.
fn getpid(call: &mut ApiCall<'_>) -> ApiReturn {
    value(call.thread.process)
}

/// _assert(expression, file, line): "Assertion failed: expression, file f, line n" on
/// stderr, then abort().
fn assert(call: &mut ApiCall<'_>) -> ApiReturn {
    let (expr, file, line) = (call.arg(0), call.arg(1), call.arg(2));
    let expr = call.read_c_string(expr, 0x1000).unwrap_or_default();
    let file = call.read_c_string(file, 0x1000).unwrap_or_default();
    let text = format!("Assertion failed: {expr}, file {file}, line {line}\n");
    with_state(call, |call, state| {
        stdio::write_fd(call, state, 2, text.as_bytes());
    });
    abort(call)
}

/// _beginthreadex(security, stack_size, start, arglist, initflag, &thrdaddr): CreateThread
/// with the same arguments in the same order; the thread handle, or 0.
fn beginthreadex(call: &mut ApiCall<'_>) -> ApiReturn {
    match kernel32::DLL
        .exports
        .iter()
        .find(|e| e.name == "CreateThread")
    {
        Some(create_thread) => (create_thread.function)(call),
        None => value(0),
    }
}

/// _endthreadex(code): ends the calling thread with `code`.
fn endthreadex(call: &mut ApiCall<'_>) -> ApiReturn {
    ApiReturn::ExitThread(call.arg(0))
}

/// _endthread(): ends the calling thread (exit code 0).
fn endthread(_: &mut ApiCall<'_>) -> ApiReturn {
    ApiReturn::ExitThread(0)
}

/// _purecall(): runtime error R6025 (pure virtual function call).
fn purecall(call: &mut ApiCall<'_>) -> ApiReturn {
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

fn errno_location(call: &mut ApiCall<'_>) -> ApiReturn {
    data_address(call, at::ERRNO)
}

fn doserrno_location(call: &mut ApiCall<'_>) -> ApiReturn {
    data_address(call, at::DOSERRNO)
}

fn localeconv(call: &mut ApiCall<'_>) -> ApiReturn {
    data_address(call, at::LCONV)
}

/// setlocale(category, locale): only the "C" locale exists; a query or "C" (or "")
/// returns "C", anything else NULL.
fn setlocale(call: &mut ApiCall<'_>) -> ApiReturn {
    let name = call.arg(1);
    with_state(call, |call, _| {
        let text = if name == 0 {
            Vec::new()
        } else {
            call.read_c_bytes(name, 256).unwrap_or_default()
        };
        if name != 0 && !text.is_empty() && text != b"C" {
            return value(0);
        }
        let at = CRT_DATA + at::LCONV + 0x60;
        let _ = call.write_bytes(at, b"C\0");
        value(at)
    })
}

fn isctype(call: &mut ApiCall<'_>) -> ApiReturn {
    let (c, mask) = (call.arg(0), call.arg(1));
    let flags = if c < 256 { ctype_flags(c as u8) } else { 0 };
    value(u32::from(flags) & mask)
}

fn initterm(call: &mut ApiCall<'_>) -> ApiReturn {
    let (begin, end) = (call.arg(0), call.arg(1));
    with_state(call, |_, _| ());
    start(call, Pending::InitTerm { next: begin, end })
}

fn onexit(call: &mut ApiCall<'_>) -> ApiReturn {
    let f = call.arg(0);
    with_state(call, |_, state| {
        state.atexit.push(f);
        value(f)
    })
}

fn atexit(call: &mut ApiCall<'_>) -> ApiReturn {
    let f = call.arg(0);
    with_state(call, |_, state| {
        state.atexit.push(f);
        value(0)
    })
}

/// __dllonexit(func, &begin, &end): a DLL's own atexit table; ntemu keeps its functions
/// with the process's (they run at exit, as a DLL's do at process detach).
fn dllonexit(call: &mut ApiCall<'_>) -> ApiReturn {
    onexit(call)
}

fn exit(call: &mut ApiCall<'_>) -> ApiReturn {
    let code = call.arg(0);
    start(
        call,
        Pending::Exit {
            code,
            end_process: true,
        },
    )
}

fn cexit(call: &mut ApiCall<'_>) -> ApiReturn {
    start(
        call,
        Pending::Exit {
            code: 0,
            end_process: false,
        },
    )
}

fn underscore_exit(call: &mut ApiCall<'_>) -> ApiReturn {
    let code = call.arg(0);
    with_state(call, stdio::flush_all);
    ApiReturn::ExitProcess(code)
}

fn abort(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |call, state| {
        stdio::flush_all(call, state);
        stdio::write_fd(call, state, 2, b"\nabnormal program termination\n");
    });
    ApiReturn::ExitProcess(3)
}

/// _amsg_exit(n): "runtime error R60nn" on stderr, then exit code 255.
fn amsg_exit(call: &mut ApiCall<'_>) -> ApiReturn {
    let n = call.arg(0);
    with_state(call, |call, state| {
        stdio::flush_all(call, state);
        let text = format!("\nruntime error R60{n:02}\n");
        stdio::write_fd(call, state, 2, text.as_bytes());
    });
    ApiReturn::ExitProcess(255)
}

/// The signals msvcrt knows: SIGINT, SIGILL, SIGFPE, SIGSEGV, SIGTERM, SIGBREAK, SIGABRT.
fn known_signal(sig: u32) -> bool {
    matches!(sig, 2 | 4 | 8 | 11 | 15 | 21 | 22)
}

/// signal(sig, handler): the previous handler (SIG_DFL 0 at first); SIG_ERR (-1) with
/// EINVAL for an unknown signal.
fn signal(call: &mut ApiCall<'_>) -> ApiReturn {
    let (sig, handler) = (call.arg(0), call.arg(1));
    with_state(call, |call, state| {
        if !known_signal(sig) {
            set_errno(call, errno::EINVAL);
            return value(u32::MAX);
        }
        let old = if handler == 0 {
            state.signals.remove(&sig)
        } else {
            state.signals.insert(sig, handler)
        };
        value(old.unwrap_or(0))
    })
}

/// raise(sig): SIG_IGN (1) does nothing; a handler is reset to SIG_DFL and called with the
/// signal; SIG_DFL ends the process with exit code 3 (SIGABRT first prints "abnormal
/// program termination"). -1 for an unknown signal.
fn raise(call: &mut ApiCall<'_>) -> ApiReturn {
    let sig = call.arg(0);
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

/// _controlfp(new, mask): the x87 control word msvcrt reports by default (0x9001F: all
/// exceptions masked, 53-bit precision, round to nearest).
fn controlfp(call: &mut ApiCall<'_>) -> ApiReturn {
    let (new, mask) = (call.arg(0), call.arg(1));
    let default = 0x0009_001F;
    value((default & !mask) | (new & mask))
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
