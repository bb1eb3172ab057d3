//! VERSION.dll: the version information of files on the guest's drives, as NT 4.0 has it.
//!
//! GetFileVersionInfoSize and GetFileVersionInfo read the file named as data (found as
//! LoadLibraryEx with LOAD_LIBRARY_AS_DATAFILE finds it: a bare name in NT 4.0's DLL search
//! order, the program's folder first), find its `VS_VERSION_INFO` resource
//! (type RT_VERSION, name 1, any language with NT's fallbacks) through
//! [`pe_image::resources`], and copy it out; nothing is mapped or loaded, so a DLL of the
//! other CPU, or one whose imports are missing, answers too. The size asked for is twice
//! the resource's plus 4, NT's layout: the Unicode block, the signature `FE2X` where it
//! ends (4-aligned), then room for the ANSI copy of the block that VerQueryValueA answers
//! from (with ANSI keys and text values, code page 1252), written by GetFileVersionInfo
//! when the buffer has room for it. VerQueryValueW answers from the block itself, the
//! length of a text value in characters; VerQueryValueA from the ANSI copy, in bytes with
//! the NUL. Paths are `\` (the VS_FIXEDFILEINFO), `\VarFileInfo\Translation`,
//! `\StringFileInfo\<lang><codepage>\<name>`, keys compared without regard to case.
//!
//! Errors: ERROR_FILE_NOT_FOUND / ERROR_PATH_NOT_FOUND for a missing file,
//! ERROR_RESOURCE_DATA_NOT_FOUND (1812) for a file without resources or that is not a PE
//! image, ERROR_RESOURCE_TYPE_NOT_FOUND (1813) for one with resources but no version
//! information, ERROR_RESOURCE_NAME_NOT_FOUND (1814) when it is not named 1, and
//! ERROR_INVALID_DATA for a version resource that is not a well-formed tree. VerQueryValue
//! returns FALSE (and a length of 0) for a path that is not in the block, and leaves the
//! last error alone.
//!
//! VerLanguageName gives NT 4.0's names of languages (`German (Standard)` where later
//! Windows says `German (Germany)`). VerFindFile and VerInstallFile (setup programs'
//! file installation) are catalogued and stop the program when called.

mod block;

use block::{Form, Node};
use nt_status::Win32Error;
use pe_image::PeImage;
use pe_image::resources::{ResourceId, ResourceMissing};
use win32::codepage::CodePage;
use win32::{AnsiStr, ApiCall, ApiReturn, BuiltinDll, DllHooks, Ptr, WideStr, export, exports};

pub use block::Malformed;

/// VERSION.dll.
pub static DLL: BuiltinDll = BuiltinDll {
    name: "VERSION.dll",
    exports: exports![
        GetFileVersionInfoA,
        GetFileVersionInfoSizeA,
        GetFileVersionInfoSizeW,
        GetFileVersionInfoW,
        VerLanguageNameA,
        VerLanguageNameW,
        VerQueryValueA,
        VerQueryValueW,
    ],
    catalogue: include_str!("../nt4-exports.txt"),
    later_catalogue: "",
    hooks: DllHooks {
        data_export: None,
        internal_thunk: None,
        process_attach: None,
        process_start: None,
    },
};

/// RT_VERSION.
const RT_VERSION: u16 = 16;
/// The name of the version resource (VS_VERSION_INFO).
const VS_VERSION_INFO: u16 = 1;
/// ERROR_INVALID_DATA: a version resource too short to hold a block.
const ERROR_INVALID_DATA: Win32Error = Win32Error(13);
/// What marks the end of the Unicode block in GetFileVersionInfo's buffer.
const SIGNATURE: &[u8; 4] = b"FE2X";

/// Why a file's version information could not be read.
fn missing_error(m: ResourceMissing) -> Win32Error {
    match m {
        ResourceMissing::Data => Win32Error(1812),
        ResourceMissing::Type => Win32Error(1813),
        ResourceMissing::Name => Win32Error(1814),
        ResourceMissing::Language => Win32Error(1815),
    }
}

/// The version resource of the file `name`: its bytes. The file is found as
/// LoadLibraryEx(LOAD_LIBRARY_AS_DATAFILE) finds it (a bare name in NT 4.0's DLL search
/// order, the program's folder first), else as a file is opened (a name without an
/// extension as it is), which gives the error for a missing one.
pub fn version_resource(call: &mut ApiCall<'_>, name: &str) -> Result<Vec<u8>, Win32Error> {
    let bytes = match kernel32::dllload::find_data_file(call, name) {
        Some((_, bytes)) => bytes,
        None => {
            let file = kernel32::guestfile::guest_file(call, name)?;
            file.read()?.ok_or(Win32Error::FILE_NOT_FOUND)?
        }
    };
    version_resource_of(&bytes)
}

/// The version resource in the bytes of an image file.
pub fn version_resource_of(bytes: &[u8]) -> Result<Vec<u8>, Win32Error> {
    let no_data = missing_error(ResourceMissing::Data);
    let image = PeImage::parse(bytes).map_err(|_| no_data)?;
    let resources = image.resources().map_err(|_| no_data)?.ok_or(no_data)?;
    let entry = resources
        .lookup(
            &ResourceId::Id(RT_VERSION),
            &ResourceId::Id(VS_VERSION_INFO),
            0,
        )
        .map_err(missing_error)?;
    let data = image.resource_data(entry).map_err(|_| no_data)?;
    Ok(data.to_vec())
}

/// The size GetFileVersionInfoSize reports for a resource of `len` bytes.
fn info_size(len: usize) -> u32 {
    u32::try_from(len.saturating_mul(2).saturating_add(4)).unwrap_or(u32::MAX)
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

fn size_of(call: &mut ApiCall<'_>, name: &str, handle: Ptr) -> ApiReturn {
    if handle.0 != 0 && call.write_u32(handle.0, 0).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    match version_resource(call, name) {
        Ok(data) => ApiReturn::Value(info_size(data.len())),
        Err(e) => call.fail_win32(e, 0),
    }
}

fn info(call: &mut ApiCall<'_>, name: &str, len: u32, data: Ptr) -> ApiReturn {
    let resource = match version_resource(call, name) {
        Ok(r) => r,
        Err(e) => return call.fail_win32(e, 0),
    };
    let capacity = len as usize;
    let block_len = match resource.get(..2) {
        Some(&[a, b]) => usize::from(u16::from_le_bytes([a, b])).min(resource.len()),
        _ => return call.fail_win32(ERROR_INVALID_DATA, 0),
    };
    let copied = &resource[..block_len.min(capacity)];
    if call.write_bytes(data.0, copied).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    // The ANSI copy, when it fits and the block is a Unicode tree.
    let block = &resource[..block_len];
    if Form::of(block) == Form::Wide
        && let Ok(root) = block::parse(block, Form::Wide)
        && let Ok(ansi) = block::to_ansi(block, &root)
    {
        let at = align4(block_len);
        if at + 4 + ansi.len() <= capacity {
            let mut tail = vec![0u8; at - block_len];
            tail.extend_from_slice(SIGNATURE);
            tail.extend_from_slice(&ansi);
            if call
                .write_bytes(data.0.wrapping_add(block_len as u32), &tail)
                .is_err()
            {
                return call.fail_win32(Win32Error::NOACCESS, 0);
            }
        }
    }
    ApiReturn::Value(1)
}

/// GetFileVersionInfoSizeA(lptstrFilename, lpdwHandle): the buffer size GetFileVersionInfo
/// needs for the file's version information (*lpdwHandle is set to 0); 0 with the last
/// error when it has none.
#[export]
fn GetFileVersionInfoSizeA(
    call: &mut ApiCall<'_>,
    lptstrFilename: AnsiStr,
    lpdwHandle: Ptr,
) -> ApiReturn {
    size_of(call, &lptstrFilename, lpdwHandle)
}

/// GetFileVersionInfoSizeW(lptstrFilename, lpdwHandle).
#[export]
fn GetFileVersionInfoSizeW(
    call: &mut ApiCall<'_>,
    lptstrFilename: WideStr,
    lpdwHandle: Ptr,
) -> ApiReturn {
    size_of(call, &lptstrFilename, lpdwHandle)
}

/// GetFileVersionInfoA(lptstrFilename, dwHandle, dwLen, lpData): copies the file's version
/// block (at most dwLen bytes) to lpData, with the ANSI copy after it when there is room.
#[export]
fn GetFileVersionInfoA(
    call: &mut ApiCall<'_>,
    lptstrFilename: AnsiStr,
    dwHandle: u32,
    dwLen: u32,
    lpData: Ptr,
) -> ApiReturn {
    let _ = dwHandle;
    info(call, &lptstrFilename, dwLen, lpData)
}

/// GetFileVersionInfoW(lptstrFilename, dwHandle, dwLen, lpData).
#[export]
fn GetFileVersionInfoW(
    call: &mut ApiCall<'_>,
    lptstrFilename: WideStr,
    dwHandle: u32,
    dwLen: u32,
    lpData: Ptr,
) -> ApiReturn {
    let _ = dwHandle;
    info(call, &lptstrFilename, dwLen, lpData)
}

/// Reads the block at `at` from the caller's memory: its `wLength` bytes.
fn read_block(call: &ApiCall<'_>, at: u32) -> Option<Vec<u8>> {
    let head = call.read_bytes(at, 2).ok()?;
    let len = u16::from_le_bytes([head[0], head[1]]);
    call.read_bytes(at, usize::from(len)).ok()
}

/// The value `path` names in the block at `block`: (its address, the length reported).
fn lookup(call: &ApiCall<'_>, block: u32, path: &str, wide: bool) -> Option<(u32, u32)> {
    let bytes = read_block(call, block)?;
    let (base, bytes, form) = match (Form::of(&bytes), wide) {
        (Form::Wide, true) => (block, bytes, Form::Wide),
        (Form::Ansi, false) => (block, bytes, Form::Ansi),
        (Form::Wide, false) => {
            let at = block.wrapping_add(align4(bytes.len()) as u32);
            if call.read_bytes(at, 4).ok()?.as_slice() != SIGNATURE {
                return None;
            }
            let ansi = at.wrapping_add(4);
            let copy = read_block(call, ansi)?;
            (Form::of(&copy) == Form::Ansi).then_some(())?;
            (ansi, copy, Form::Ansi)
        }
        (Form::Ansi, true) => return None,
    };
    let root = block::parse(&bytes, form).ok()?;
    let node: &Node = root.find(path)?;
    let len = if node.text {
        u32::from(node.value_length)
    } else {
        node.value_bytes as u32
    };
    Some((base.wrapping_add(node.value_at as u32), len))
}

fn query(
    call: &mut ApiCall<'_>,
    block: u32,
    path: Option<String>,
    buffer: Ptr,
    len: Ptr,
    wide: bool,
) -> ApiReturn {
    let found = path.and_then(|p| lookup(call, block, &p, wide));
    let (at, n) = found.unwrap_or((0, 0));
    if call.write_out_u32(buffer.0, at).is_err() || call.write_out_u32(len.0, n).is_err() {
        return ApiReturn::Value(0);
    }
    ApiReturn::Value(u32::from(found.is_some()))
}

/// VerQueryValueA(pBlock, lpSubBlock, lplpBuffer, puLen): the value a path names, from
/// the block's ANSI copy (text in ANSI, its length in bytes with the NUL).
#[export]
fn VerQueryValueA(
    call: &mut ApiCall<'_>,
    pBlock: u32,
    lpSubBlock: Ptr,
    lplpBuffer: Ptr,
    puLen: Ptr,
) -> ApiReturn {
    let path = call
        .read_c_bytes(lpSubBlock.0, 1024)
        .ok()
        .map(|b| CodePage::Ansi.decode_str(&b));
    query(call, pBlock, path, lplpBuffer, puLen, false)
}

/// VerQueryValueW(pBlock, lpSubBlock, lplpBuffer, puLen): the value a path names (a text
/// value's length in characters).
#[export]
fn VerQueryValueW(
    call: &mut ApiCall<'_>,
    pBlock: u32,
    lpSubBlock: Ptr,
    lplpBuffer: Ptr,
    puLen: Ptr,
) -> ApiReturn {
    let path = call
        .read_wide_units(lpSubBlock.0, 1024)
        .ok()
        .map(|u| String::from_utf16_lossy(&u));
    query(call, pBlock, path, lplpBuffer, puLen, true)
}

/// NT 4.0's names of languages, by LANGID.
const LANGUAGES: &[(u16, &str)] = &[
    (0x0000, "Language Neutral"),
    (0x0400, "Process Default Language"),
    (0x0401, "Arabic (Saudi Arabia)"),
    (0x0403, "Catalan"),
    (0x0404, "Chinese (Taiwan)"),
    (0x0405, "Czech"),
    (0x0406, "Danish"),
    (0x0407, "German (Standard)"),
    (0x0408, "Greek"),
    (0x0409, "English (United States)"),
    (0x040A, "Spanish (Traditional Sort)"),
    (0x040B, "Finnish"),
    (0x040C, "French (Standard)"),
    (0x040D, "Hebrew"),
    (0x040E, "Hungarian"),
    (0x040F, "Icelandic"),
    (0x0410, "Italian (Standard)"),
    (0x0411, "Japanese"),
    (0x0412, "Korean"),
    (0x0413, "Dutch (Standard)"),
    (0x0414, "Norwegian (Bokmal)"),
    (0x0415, "Polish"),
    (0x0416, "Portuguese (Brazilian)"),
    (0x0419, "Russian"),
    (0x041D, "Swedish"),
    (0x041F, "Turkish"),
    (0x0804, "Chinese (PRC)"),
    (0x0807, "German (Swiss)"),
    (0x0809, "English (United Kingdom)"),
    (0x080A, "Spanish (Mexican)"),
    (0x080C, "French (Belgian)"),
    (0x0810, "Italian (Swiss)"),
    (0x0813, "Dutch (Belgian)"),
    (0x0814, "Norwegian (Nynorsk)"),
    (0x0816, "Portuguese (Standard)"),
    (0x0C07, "German (Austrian)"),
    (0x0C09, "English (Australian)"),
    (0x0C0A, "Spanish (Modern Sort)"),
    (0x0C0C, "French (Canadian)"),
    (0x1009, "English (Canadian)"),
];

/// The name VerLanguageName gives a LANGID: "Language Neutral" for one it does not know.
pub fn language_name(lang: u32) -> &'static str {
    LANGUAGES
        .iter()
        .find(|&&(id, _)| u32::from(id) == lang)
        .map_or("Language Neutral", |&(_, name)| name)
}

fn language(call: &mut ApiCall<'_>, lang: u32, out: Ptr, size: u32, wide: bool) -> ApiReturn {
    let name = language_name(lang);
    let units: Vec<u16> = name.encode_utf16().collect();
    let full = units.len() as u32;
    if out.0 == 0 || size == 0 {
        return ApiReturn::Value(full);
    }
    let n = (size - 1).min(full) as usize;
    let bytes: Vec<u8> = if wide {
        units[..n]
            .iter()
            .chain([&0])
            .flat_map(|u| u.to_le_bytes())
            .collect()
    } else {
        let mut b = CodePage::Ansi.encode_str(name);
        b.truncate(n);
        b.push(0);
        b
    };
    if call.write_bytes(out.0, &bytes).is_err() {
        return ApiReturn::Value(0);
    }
    ApiReturn::Value(if n as u32 == full { full } else { full + 1 })
}

/// VerLanguageNameA(wLang, szLang, nSize): the language's name in szLang (at most
/// nSize - 1 characters and a NUL); returns its length without the NUL when it fits,
/// else (the name cut short) the size the whole name needs, NUL included; the length when
/// szLang is NULL.
#[export]
fn VerLanguageNameA(call: &mut ApiCall<'_>, wLang: u32, szLang: Ptr, nSize: u32) -> ApiReturn {
    language(call, wLang, szLang, nSize, false)
}

/// VerLanguageNameW(wLang, szLang, nSize).
#[export]
fn VerLanguageNameW(call: &mut ApiCall<'_>, wLang: u32, szLang: Ptr, nSize: u32) -> ApiReturn {
    language(call, wLang, szLang, nSize, true)
}
