//! The system root's programs: ntemu's own images of NT 4.0's system programs (built from
//! crates/dlls/kernel32/programs/ with mingw, committed), which the emulator puts on a
//! writable system drive C: at start-up where no file of that name is, as NT's setup
//! installed them: they are then ordinary files every file API sees (GetFileAttributes,
//! FindFirstFile, OpenFile and SearchPath, CreateFile, CreateProcess). A file the user put
//! there is never replaced.

/// One system file: its folder beneath the system drive (`/`-separated), its name, and its
/// bytes.
#[derive(Clone, Copy, Debug)]
pub struct SystemFile {
    /// The folder beneath the drive's root, `/`-separated (`WINNT/system32`).
    pub folder: &'static str,
    /// The file's name.
    pub name: &'static str,
    /// The file's contents.
    pub bytes: &'static [u8],
}

/// The files of NT 4.0's system root ntemu installs: `C:\WINNT\regedit.exe` (the registry
/// editor's command line: `/s` import, `/e` export) and `C:\WINNT\system32\winver.exe`.
pub const SYSTEM_FILES: &[SystemFile] = &[
    SystemFile {
        folder: "WINNT",
        name: "regedit.exe",
        bytes: include_bytes!("../programs/regedit.exe"),
    },
    SystemFile {
        folder: "WINNT/system32",
        name: "winver.exe",
        bytes: include_bytes!("../programs/winver.exe"),
    },
];
