//! The builtin DLLs as files in `C:\WINNT\system32` (what Wine calls fake DLLs): for each
//! builtin DLL a small valid PE image with the export directory of NT 4.0's DLL of that name
//! (every name and ordinal of its catalogue; functions lead to a stub that returns 0,
//! forwarders are forwarders) and a version resource of NT 4.0 (4.0.1381), so that
//! CreateFile, GetFileVersionInfo and CreateFileMapping(SEC_IMAGE) of the file work as on NT.
//! The file is never run: LoadLibrary and GetModuleHandle of its path give the builtin DLL.
//! The emulator puts them on a writable system drive at start-up where no file of that name
//! is, beside the system programs (kernel32::sysroot).

use win32::BuiltinDll;
use win32::catalogue::Catalogue;

const FILE_ALIGNMENT: u32 = 0x200;
const SECTION_ALIGNMENT: u32 = 0x1000;
const HEADERS_SIZE: u32 = 0x400;
/// NT 4.0's build number, in the version resource.
const NT4_BUILD: u32 = 1381;

fn align(v: u32, to: u32) -> u32 {
    v.div_ceil(to) * to
}

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut [u8], at: usize, v: u32) {
    out[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// The file name of a builtin DLL's file in the system folder (`kernel32.dll`).
pub fn file_name(dll: &BuiltinDll) -> String {
    dll.name.to_ascii_lowercase()
}

/// The `.text` section: DllMain (returns TRUE), the stub every function export leads to
/// (returns 0) and zeroed bytes data exports lead to.
fn text_section() -> Vec<u8> {
    let mut code = vec![
        0xB8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1
        0xC2, 0x0C, 0x00, // ret 12
        0x33, 0xC0, // xor eax, eax
        0xC3, // ret
    ];
    code.resize(0x20, 0);
    code
}
const STUB_OFFSET: u32 = 8;
const DATA_OFFSET: u32 = 0x10;

/// The export section at `rva`: the directory, its tables and strings.
fn export_section(dll: &BuiltinDll, rva: u32, text_rva: u32) -> Vec<u8> {
    let catalogue = Catalogue::parse(dll.catalogue);
    let entries = catalogue.entries();
    let base = entries.iter().map(|e| e.ordinal).min().unwrap_or(1).max(1);
    let last = entries
        .iter()
        .map(|e| e.ordinal)
        .max()
        .unwrap_or(base)
        .max(base);
    let functions = usize::from(last - base) + 1;
    let mut named: Vec<_> = entries.iter().filter(|e| !e.name.is_empty()).collect();
    named.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    named.dedup_by(|a, b| a.name == b.name);

    let functions_at = 40usize;
    let names_at = functions_at + 4 * functions;
    let ordinals_at = names_at + 4 * named.len();
    let strings_at = ordinals_at + 2 * named.len();
    let mut out = vec![0u8; strings_at];
    let mut strings = Vec::new();
    let mut string = |s: &str| -> u32 {
        let at = rva + (strings_at + strings.len()) as u32;
        strings.extend_from_slice(s.as_bytes());
        strings.push(0);
        at
    };
    let name_rva = string(dll.name);
    let mut function_rvas = vec![0u32; functions];
    for e in entries {
        let Some(slot) = function_rvas.get_mut(usize::from(e.ordinal.saturating_sub(base))) else {
            continue;
        };
        *slot = match e.forward {
            Some(target) => string(target),
            None if e.data => text_rva + DATA_OFFSET,
            None => text_rva + STUB_OFFSET,
        };
    }
    let name_rvas: Vec<u32> = named.iter().map(|e| string(e.name)).collect();
    out.extend_from_slice(&strings);
    // IMAGE_EXPORT_DIRECTORY.
    put32(&mut out, 12, name_rva);
    put32(&mut out, 16, u32::from(base));
    put32(&mut out, 20, functions as u32);
    put32(&mut out, 24, named.len() as u32);
    put32(&mut out, 28, rva + functions_at as u32);
    put32(&mut out, 32, rva + names_at as u32);
    put32(&mut out, 36, rva + ordinals_at as u32);
    out[8..10].copy_from_slice(&4u16.to_le_bytes()); // MajorVersion
    for (i, f) in function_rvas.iter().enumerate() {
        put32(&mut out, functions_at + 4 * i, *f);
    }
    for (i, (e, at)) in named.iter().zip(&name_rvas).enumerate() {
        put32(&mut out, names_at + 4 * i, *at);
        let index = e.ordinal.saturating_sub(base);
        out[ordinals_at + 2 * i..ordinals_at + 2 * i + 2].copy_from_slice(&index.to_le_bytes());
    }
    out
}

/// VS_VERSIONINFO with NT 4.0's fixed file information (4.0.1381.1, a DLL of Windows NT).
fn version_info() -> Vec<u8> {
    let mut v = Vec::new();
    u16le(&mut v, 0); // wLength, set below
    u16le(&mut v, 52); // wValueLength: VS_FIXEDFILEINFO
    u16le(&mut v, 0); // wType: binary
    for c in "VS_VERSION_INFO\0".encode_utf16() {
        u16le(&mut v, c);
    }
    while v.len() % 4 != 0 {
        v.push(0);
    }
    let version_ms = 4 << 16;
    let version_ls = (NT4_BUILD << 16) | 1;
    for field in [
        0xFEEF_04BD, // dwSignature
        0x0001_0000, // dwStrucVersion
        version_ms,
        version_ls,
        version_ms,
        version_ls,
        0x3F,        // dwFileFlagsMask
        0,           // dwFileFlags
        0x0004_0004, // dwFileOS: VOS_NT_WINDOWS32
        2,           // dwFileType: VFT_DLL
        0,
        0,
        0,
    ] {
        u32le(&mut v, field);
    }
    let len = v.len() as u16;
    v[0..2].copy_from_slice(&len.to_le_bytes());
    v
}

/// The resource section at `rva`: RT_VERSION, id 1, language 0x409.
fn resource_section(rva: u32) -> Vec<u8> {
    fn directory(out: &mut Vec<u8>, id: u32, target: u32) {
        out.extend_from_slice(&[0; 12]); // Characteristics, TimeDateStamp, versions
        u16le(out, 0); // named entries
        u16le(out, 1); // id entries
        u32le(out, id);
        u32le(out, target);
    }
    let mut out = Vec::new();
    directory(&mut out, 16, 0x8000_0000 | 24);
    directory(&mut out, 1, 0x8000_0000 | 48);
    directory(&mut out, 0x409, 72);
    let data = version_info();
    u32le(&mut out, rva + 88);
    u32le(&mut out, data.len() as u32);
    u32le(&mut out, 0);
    u32le(&mut out, 0);
    out.extend_from_slice(&data);
    out
}

/// The fake DLL image of builtin DLL `dll`, preferring `image_base`.
pub fn image(dll: &BuiltinDll, image_base: u32) -> Vec<u8> {
    let text_rva = SECTION_ALIGNMENT;
    let text = text_section();
    let edata_rva = text_rva + align(text.len() as u32, SECTION_ALIGNMENT);
    let edata = export_section(dll, edata_rva, text_rva);
    let rsrc_rva = edata_rva + align(edata.len() as u32, SECTION_ALIGNMENT);
    let rsrc = resource_section(rsrc_rva);
    let size_of_image = rsrc_rva + align(rsrc.len() as u32, SECTION_ALIGNMENT);
    let sections: [(&[u8; 8], u32, &Vec<u8>, u32); 3] = [
        (b".text\0\0\0", text_rva, &text, 0x6000_0020),
        (b".edata\0\0", edata_rva, &edata, 0x4000_0040),
        (b".rsrc\0\0\0", rsrc_rva, &rsrc, 0x4000_0040),
    ];

    let mut out = Vec::new();
    // DOS header: "MZ", e_lfanew at 0x3C.
    out.extend_from_slice(b"MZ");
    out.resize(0x3C, 0);
    u32le(&mut out, 0x40);
    // PE signature and file header.
    out.extend_from_slice(b"PE\0\0");
    u16le(&mut out, 0x14C); // i386
    u16le(&mut out, sections.len() as u16);
    u32le(&mut out, 0); // TimeDateStamp
    u32le(&mut out, 0);
    u32le(&mut out, 0);
    u16le(&mut out, 224); // SizeOfOptionalHeader
    u16le(&mut out, 0x210E); // executable, no line numbers or symbols, 32-bit, DLL
    // Optional header (PE32).
    let raw = |len: usize| align(len as u32, FILE_ALIGNMENT);
    u16le(&mut out, 0x10B);
    out.extend_from_slice(&[5, 0]); // linker version
    u32le(&mut out, raw(text.len())); // SizeOfCode
    u32le(&mut out, raw(edata.len()) + raw(rsrc.len())); // SizeOfInitializedData
    u32le(&mut out, 0);
    u32le(&mut out, text_rva); // AddressOfEntryPoint: DllMain
    u32le(&mut out, text_rva); // BaseOfCode
    u32le(&mut out, edata_rva); // BaseOfData
    u32le(&mut out, image_base);
    u32le(&mut out, SECTION_ALIGNMENT);
    u32le(&mut out, FILE_ALIGNMENT);
    for v in [4u16, 0, 4, 0, 4, 0] {
        u16le(&mut out, v); // OS, image and subsystem versions
    }
    u32le(&mut out, 0); // Win32VersionValue
    u32le(&mut out, size_of_image);
    u32le(&mut out, HEADERS_SIZE);
    u32le(&mut out, 0); // CheckSum
    u16le(&mut out, 3); // Subsystem: console
    u16le(&mut out, 0); // DllCharacteristics
    for v in [0x10_0000, 0x1000, 0x10_0000, 0x1000, 0, 16] {
        u32le(&mut out, v); // stack and heap sizes, LoaderFlags, NumberOfRvaAndSizes
    }
    for i in 0..16 {
        let (at, len) = match i {
            0 => (edata_rva, edata.len() as u32),
            2 => (rsrc_rva, rsrc.len() as u32),
            _ => (0, 0),
        };
        u32le(&mut out, at);
        u32le(&mut out, len);
    }
    // Section table.
    let mut file_at = HEADERS_SIZE;
    for (name, rva, data, characteristics) in &sections {
        out.extend_from_slice(&name[..]);
        u32le(&mut out, data.len() as u32);
        u32le(&mut out, *rva);
        u32le(&mut out, raw(data.len()));
        u32le(&mut out, file_at);
        out.extend_from_slice(&[0; 12]);
        u32le(&mut out, *characteristics);
        file_at += raw(data.len());
    }
    out.resize(HEADERS_SIZE as usize, 0);
    for (_, _, data, _) in &sections {
        out.extend_from_slice(data);
        let end = align(out.len() as u32, FILE_ALIGNMENT) as usize;
        out.resize(end, 0);
    }
    out
}

/// Every builtin DLL's fake image with its file name; preferred bases 1 MiB apart from
/// 0x70000000, in the order of [`crate::builtins::builtin_dlls`].
pub fn system_dlls() -> &'static [(String, Vec<u8>)] {
    static FILES: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        crate::builtins::builtin_dlls()
            .iter()
            .enumerate()
            .map(|(i, dll)| {
                (
                    file_name(dll),
                    image(dll, 0x7000_0000 + 0x10_0000 * i as u32),
                )
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_kernel32_is_a_dll_with_nt4s_exports_and_version() {
        let bytes = image(&kernel32::DLL, 0x7000_0000);
        let pe = pe_image::PeImage::parse(&bytes).expect("a valid PE image");
        assert!(pe.is_dll());
        let exports = pe.exports.as_ref().expect("an export directory");
        assert_eq!(exports.dll_name, "KERNEL32.dll");
        let catalogue = Catalogue::parse(kernel32::DLL.catalogue);
        let names = exports.exports.iter().filter(|e| e.name.is_some()).count();
        assert_eq!(names, catalogue.entries().len());
        assert!(
            exports
                .exports
                .iter()
                .any(|e| e.name.as_deref() == Some("CreateFileA"))
        );
        let resources = pe
            .resources()
            .expect("resources")
            .expect("a resource directory");
        let entry = &resources.entries()[0];
        let data = pe.resource_data(entry).expect("version data");
        let node = pe_image::templates::VersionNode::parse(data).expect("VS_VERSIONINFO");
        let fixed = node.fixed_file_info(data).expect("VS_FIXEDFILEINFO");
        assert_eq!(fixed.file_version, (4 << 16, (1381 << 16) | 1));
    }
}
