//! alpha-pe: wraps an Alpha ELF object assembled by GNU as (`alpha-linux-gnu-as`) into a
//! PE image for Windows NT on Alpha, the way ntemu's Alpha guest programs are built.
//!
//! Conventions of the assembly source:
//! - the entry point is the symbol `start`;
//! - an import is an undefined symbol `__imp_Function` (from KERNEL32.dll) or
//!   `__imp_DLL$Function` (e.g. `__imp_USER32$wsprintfA`); its value is the address of the
//!   function's IAT slot, so a call is `ldah v0,__imp_F($31) !gprelhigh`,
//!   `ldl v0,__imp_F(v0) !gprellow`, `jsr ra,(v0)` as NT-era compilers emitted it;
//! - addresses are built with `!gprelhigh` / `!gprellow` pairs, which this builder resolves
//!   against a GP of 0, i.e. as absolute high/low halves (the high half carries the sign of
//!   the low half, as HIGHADJ does).
//!
//! - a `.pdata` section of the object (20-byte IMAGE_ALPHA_RUNTIME_FUNCTION_ENTRY records:
//!   `.long begin, end, handler, handler_data, prolog_end`) becomes the image's `.pdata`
//!   section and IMAGE_DIRECTORY_ENTRY_EXCEPTION, its addresses relocated to absolute
//!   image addresses and its entries sorted by BeginAddress, as the Microsoft linker does.
//!
//! A program loads at 0x400000 with SectionAlignment 0x2000 and no base relocations.
//!
//! With `--dll BASE` (hexadecimal) it is a DLL based at BASE: its entry point is the symbol
//! `DllMain`, and every other global symbol of `.text` is exported by name (ordinals from 1
//! in name order). A DLL carries base relocations, so the loader can move it when BASE is
//! taken: an `ldah` of a `!gprelhigh` pair gets HIGHADJ (the low half, which carries into
//! it, in the following slot) or, when the address's low half is 0, HIGH; the `lda`/`ldl`
//! of the pair gets LOW; a `.long` address (in `.data` or `.pdata`) gets HIGHLOW. HIGH and
//! LOW are exact for the 64 KB-aligned bases NT's loader chooses. The undefined symbol
//! `__ImageBase` is the DLL's own base (a 64 KB-aligned address, so its `ldah` is a HIGH).
//!
//! A DLL's forwarded exports are NUL-terminated strings `Export=DLL.Function` (or
//! `Export=DLL.#ordinal`) in a `.forward` section of the object (the section itself is not
//! part of the image): `Export` is exported with an address inside the export directory,
//! where the string `DLL.Function` is, as the Microsoft linker emits a forwarder.
//!
//! Usage: alpha-pe [--dll BASE] INPUT.o OUTPUT.exe

use std::collections::BTreeMap;

use object::elf;
use object::pe;
use object::read::{Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget};
use object::write::pe::{NtHeaders, Writer};

const EXE_BASE: u32 = 0x40_0000;

fn fail(message: String) -> ! {
    eprintln!("alpha-pe: {message}");
    std::process::exit(1);
}

struct Import {
    dll: String,
    name: String,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (dll_base, input, output) = match args.as_slice() {
        [_, input, output] => (None, input, output),
        [_, flag, base, input, output] if flag == "--dll" => {
            let base = u32::from_str_radix(base.trim_start_matches("0x"), 16)
                .unwrap_or_else(|e| fail(format!("--dll {base}: {e}")));
            (Some(base), input, output)
        }
        _ => fail("usage: alpha-pe [--dll BASE] INPUT.o OUTPUT.exe".into()),
    };
    #[allow(non_snake_case)]
    let BASE = dll_base.unwrap_or(EXE_BASE);
    let bytes = std::fs::read(input).unwrap_or_else(|e| fail(format!("{input}: {e}")));
    let file = object::File::parse(&*bytes).unwrap_or_else(|e| fail(format!("{input}: {e}")));
    let section_bytes = |name: &str| -> Vec<u8> {
        file.section_by_name(name)
            .map(|s| {
                s.data()
                    .unwrap_or_else(|e| fail(format!("{name}: {e}")))
                    .to_vec()
            })
            .unwrap_or_default()
    };
    let mut text = section_bytes(".text");
    let mut data = section_bytes(".data");
    let rodata = section_bytes(".rodata");
    let mut pdata = section_bytes(".pdata");
    if pdata.len() % 20 != 0 {
        fail(format!(
            ".pdata is {} bytes, not a whole number of 20-byte entries",
            pdata.len()
        ));
    }
    let data_len = data.len();
    data.extend_from_slice(&rodata);
    let bss_len = file
        .section_by_name(".bss")
        .map_or(0, |s| s.size() as usize);

    // Imports, in first-use order, grouped by DLL.
    let mut imports: Vec<Import> = Vec::new();
    for sym in file.symbols() {
        let Ok(name) = sym.name() else { continue };
        if let Some(rest) = name.strip_prefix("__imp_") {
            let (dll, func) = match rest.split_once('$') {
                Some((d, f)) => (format!("{d}.dll"), f.to_string()),
                None => ("KERNEL32.dll".to_string(), rest.to_string()),
            };
            if !imports.iter().any(|i| i.name == func && i.dll == dll) {
                imports.push(Import { dll, name: func });
            }
        }
    }
    let mut dlls: Vec<String> = Vec::new();
    for i in &imports {
        if !dlls.contains(&i.dll) {
            dlls.push(i.dll.clone());
        }
    }

    // Import section layout: descriptors, then per DLL its lookup table and address table,
    // then hint/name entries and DLL names.
    let descriptors = 20 * (dlls.len() + 1);
    let mut idata_layout: BTreeMap<String, (usize, usize)> = BTreeMap::new(); // dll -> (ilt, iat)
    let mut cursor = descriptors;
    for dll in &dlls {
        let n = imports.iter().filter(|i| &i.dll == dll).count();
        let ilt = cursor;
        let iat = ilt + 4 * (n + 1);
        cursor = iat + 4 * (n + 1);
        idata_layout.insert(dll.clone(), (ilt, iat));
    }
    let mut names_at = cursor;
    let mut hint_names = Vec::new();
    for i in &imports {
        hint_names.push(names_at);
        names_at += (2 + i.name.len() + 1 + 1) & !1;
    }
    let mut dll_names = Vec::new();
    for dll in &dlls {
        dll_names.push(names_at);
        names_at += dll.len() + 1;
    }
    let idata_len = names_at;

    // A DLL's exports: the global symbols of .text but its entry point, by name.
    let mut export_names: Vec<String> = Vec::new();
    if dll_base.is_some() {
        for sym in file.symbols() {
            let Ok(name) = sym.name() else { continue };
            let in_text = sym
                .section_index()
                .and_then(|idx| file.section_by_index(idx).ok())
                .is_some_and(|s| s.name() == Ok(".text"));
            if sym.is_global() && in_text && name != "DllMain" && name != "start" {
                export_names.push(name.to_string());
            }
        }
        export_names.sort();
        export_names.dedup();
    }
    // Forwarded exports (`.forward`: `Export=DLL.Function` strings): export -> target.
    let mut forwards: BTreeMap<String, String> = BTreeMap::new();
    if dll_base.is_some() {
        for entry in section_bytes(".forward").split(|&b| b == 0) {
            if entry.is_empty() {
                continue;
            }
            let entry = String::from_utf8_lossy(entry);
            let Some((name, target)) = entry.split_once('=') else {
                fail(format!(".forward: {entry:?} is not Export=DLL.Function"))
            };
            match target.split_once('.') {
                Some((dll, func)) if !dll.is_empty() && !func.is_empty() => {}
                _ => fail(format!(".forward: {target:?} is not DLL.Function")),
            }
            if name.is_empty()
                || export_names.iter().any(|n| n == name)
                || forwards
                    .insert(name.to_string(), target.to_string())
                    .is_some()
            {
                fail(format!(
                    ".forward: export {name:?} is empty or defined twice"
                ));
            }
        }
        export_names.extend(forwards.keys().cloned());
        export_names.sort();
    }
    let dll_file_name = std::path::Path::new(output.as_str())
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let n_exports = export_names.len();
    let edata_names_at = 40 + 10 * n_exports;
    let edata_len = edata_names_at
        + dll_file_name.len()
        + 1
        + export_names.iter().map(|n| n.len() + 1).sum::<usize>()
        + forwards.values().map(|t| t.len() + 1).sum::<usize>();

    let mut out = Vec::new();
    let mut w = Writer::new(false, 0x2000, 0x200, &mut out);
    w.reserve_dos_header_and_stub();
    w.reserve_nt_headers(16);
    // Base relocations (DLLs only): at most one 12-byte block per fixup.
    let fixups: usize = if dll_base.is_some() {
        [".text", ".data", ".pdata"]
            .iter()
            .filter_map(|name| file.section_by_name(name))
            .map(|s| s.relocations().count())
            .sum()
    } else {
        0
    };
    let sections =
        3 + u16::from(!pdata.is_empty()) + u16::from(n_exports > 0) + u16::from(fixups > 0);
    w.reserve_section_headers(sections);
    let text_range = w.reserve_text_section(text.len().max(4) as u32);
    let data_range =
        w.reserve_data_section((data.len() + bss_len).max(4) as u32, data.len() as u32);
    let idata_range = w.reserve_idata_section(idata_len as u32);
    // Also sets IMAGE_DIRECTORY_ENTRY_EXPORT.
    let edata_range = (n_exports > 0).then(|| w.reserve_edata_section(edata_len as u32));
    // Also sets IMAGE_DIRECTORY_ENTRY_EXCEPTION.
    let pdata_range = (!pdata.is_empty()).then(|| w.reserve_pdata_section(pdata.len() as u32));
    let reloc_bound = (12 * fixups) as u32;
    let reloc_range = (fixups > 0).then(|| {
        w.reserve_section(
            *b".reloc\0\0",
            pe::IMAGE_SCN_CNT_INITIALIZED_DATA
                | pe::IMAGE_SCN_MEM_READ
                | pe::IMAGE_SCN_MEM_DISCARDABLE,
            reloc_bound,
            reloc_bound,
        )
    });
    let (t, d, i) = (
        text_range.virtual_address,
        data_range.virtual_address,
        idata_range.virtual_address,
    );

    // Addresses of sections and symbols.
    let all_data_len = data.len() as u32;
    let section_va = |name: &str| -> Option<u32> {
        match name {
            ".text" => Some(BASE + t),
            ".data" => Some(BASE + d),
            ".rodata" => Some(BASE + d + data_len as u32),
            ".bss" => Some(BASE + d + all_data_len),
            _ => None,
        }
    };
    let iat_slot = |import_name: &str| -> Option<u32> {
        let rest = import_name.strip_prefix("__imp_")?;
        let (dll, func) = match rest.split_once('$') {
            Some((d, f)) => (format!("{d}.dll"), f),
            None => ("KERNEL32.dll".to_string(), rest),
        };
        let (_, iat) = idata_layout.get(&dll)?;
        let index = imports
            .iter()
            .filter(|x| x.dll == dll)
            .position(|x| x.name == func)?;
        Some(BASE + i + (*iat + 4 * index) as u32)
    };
    let symbol_va = |sym: &object::Symbol<'_, '_>| -> u32 {
        let name = sym.name().unwrap_or_default();
        if let Some(slot) = iat_slot(name) {
            return slot;
        }
        if name == "__ImageBase" && sym.section_index().is_none() {
            return BASE;
        }
        let section = sym
            .section_index()
            .and_then(|idx| file.section_by_index(idx).ok())
            .and_then(|s| s.name().ok().map(str::to_string))
            .unwrap_or_else(|| fail(format!("symbol {name:?} is undefined")));
        let va = section_va(&section)
            .unwrap_or_else(|| fail(format!("section {section} is not supported")));
        va + sym.address() as u32
    };
    let entry_name = if dll_base.is_some() {
        "DllMain"
    } else {
        "start"
    };
    let mut entry = None;
    for sym in file.symbols() {
        if sym.name() == Ok(entry_name) {
            entry = Some(symbol_va(&sym) - BASE);
        }
    }
    let entry = entry.unwrap_or_else(|| fail(format!("no `{entry_name}` symbol")));
    // The export section: directory, address table, name pointers, ordinals, names.
    let mut edata = vec![0u8; edata_len];
    if let Some(range) = &edata_range {
        let e = range.virtual_address;
        let put = |buf: &mut Vec<u8>, off: usize, v: u32| {
            buf[off..off + 4].copy_from_slice(&v.to_le_bytes())
        };
        let (eat, npt, ot) = (40, 40 + 4 * n_exports, 40 + 8 * n_exports);
        put(&mut edata, 12, e + edata_names_at as u32); // Name
        put(&mut edata, 16, 1); // Base
        put(&mut edata, 20, n_exports as u32); // NumberOfFunctions
        put(&mut edata, 24, n_exports as u32); // NumberOfNames
        put(&mut edata, 28, e + eat as u32);
        put(&mut edata, 32, e + npt as u32);
        put(&mut edata, 36, e + ot as u32);
        let mut at = edata_names_at;
        edata[at..at + dll_file_name.len()].copy_from_slice(dll_file_name.as_bytes());
        at += dll_file_name.len() + 1;
        // Forwarder strings follow the names, inside the export directory.
        let mut forward_at = edata_names_at
            + dll_file_name.len()
            + 1
            + export_names.iter().map(|n| n.len() + 1).sum::<usize>();
        for (k, name) in export_names.iter().enumerate() {
            if let Some(target) = forwards.get(name) {
                put(&mut edata, eat + 4 * k, e + forward_at as u32);
                edata[forward_at..forward_at + target.len()].copy_from_slice(target.as_bytes());
                forward_at += target.len() + 1;
            } else {
                let sym = file
                    .symbols()
                    .find(|s| s.name() == Ok(name.as_str()))
                    .unwrap_or_else(|| fail(format!("export {name} vanished")));
                put(&mut edata, eat + 4 * k, symbol_va(&sym) - BASE);
            }
            put(&mut edata, npt + 4 * k, e + at as u32);
            edata[ot + 2 * k..ot + 2 * k + 2].copy_from_slice(&(k as u16).to_le_bytes());
            edata[at..at + name.len()].copy_from_slice(name.as_bytes());
            at += name.len() + 1;
        }
    }

    // Relocations, and the base relocations a DLL needs: (RVA, IMAGE_REL_BASED_* type,
    // HIGHADJ's low half).
    let mut base_relocs: Vec<(u32, u16, Option<u16>)> = Vec::new();
    let p = pdata_range.map_or(0, |r| r.virtual_address);
    for (name, buf, place_base) in [
        (".text", &mut text, BASE + t),
        (".data", &mut data, BASE + d),
        (".pdata", &mut pdata, BASE + p),
    ] {
        let Some(section) = file.section_by_name(name) else {
            continue;
        };
        for (offset, reloc) in section.relocations() {
            let target = match reloc.target() {
                RelocationTarget::Symbol(idx) => {
                    let sym = file
                        .symbol_by_index(idx)
                        .unwrap_or_else(|e| fail(e.to_string()));
                    symbol_va(&sym)
                }
                RelocationTarget::Section(idx) => {
                    let s = file
                        .section_by_index(idx)
                        .unwrap_or_else(|e| fail(e.to_string()));
                    section_va(s.name().unwrap_or_default())
                        .unwrap_or_else(|| fail("relocation against an unsupported section".into()))
                }
                _ => fail("unsupported relocation target".into()),
            };
            let value = (i64::from(target) + reloc.addend()) as u32;
            let at = offset as usize;
            let word = |buf: &Vec<u8>| {
                u32::from_le_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
            };
            let RelocationFlags::Elf { r_type } = reloc.flags() else {
                fail("not an ELF relocation".into())
            };
            let rva = place_base - BASE + offset as u32;
            let fixup = match r_type {
                elf::R_ALPHA_GPRELHIGH if value & 0xFFFF == 0 => Some((1, None)), // HIGH
                elf::R_ALPHA_GPRELHIGH => Some((4, Some(value as u16))),          // HIGHADJ
                elf::R_ALPHA_GPRELLOW => Some((2, None)),                         // LOW
                elf::R_ALPHA_REFLONG => Some((3, None)),                          // HIGHLOW
                _ => None,
            };
            if let (Some((kind, low)), Some(_)) = (fixup, dll_base) {
                base_relocs.push((rva, kind, low));
            }
            let patched = match r_type {
                elf::R_ALPHA_GPRELHIGH => {
                    (word(buf) & 0xFFFF_0000) | (value.wrapping_add(0x8000) >> 16)
                }
                elf::R_ALPHA_GPRELLOW => (word(buf) & 0xFFFF_0000) | (value & 0xFFFF),
                elf::R_ALPHA_REFLONG => value,
                elf::R_ALPHA_BRADDR => {
                    let disp = (i64::from(value) - i64::from(place_base + offset as u32 + 4)) >> 2;
                    (word(buf) & 0xFFE0_0000) | (disp as u32 & 0x1F_FFFF)
                }
                elf::R_ALPHA_HINT | elf::R_ALPHA_LITUSE => continue,
                other => fail(format!(
                    "{name}+{offset:#x}: unsupported relocation type {other}"
                )),
            };
            buf[at..at + 4].copy_from_slice(&patched.to_le_bytes());
        }
    }

    // The function table is searched by binary search: sort it by BeginAddress.
    let entries: Vec<[u8; 20]> = pdata
        .chunks_exact(20)
        .map(|c| {
            c.try_into()
                .unwrap_or_else(|_| fail("bad .pdata entry".into()))
        })
        .collect();
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&k| {
        u32::from_le_bytes([entries[k][0], entries[k][1], entries[k][2], entries[k][3]])
    });
    let pdata: Vec<u8> = order.iter().flat_map(|&k| entries[k]).collect();
    // The fixups of .pdata move with their entries.
    let mut new_index = vec![0usize; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    for r in &mut base_relocs {
        if let Some(at) =
            r.0.checked_sub(p)
                .filter(|&at| p != 0 && (at as usize) < pdata.len())
        {
            let (entry, field) = (at as usize / 20, at % 20);
            r.0 = p + 20 * new_index[entry] as u32 + field;
        }
    }

    // The .reloc section: a block per 4 KB page, each entry type << 12 | page offset, a
    // HIGHADJ followed by its low half, blocks padded to 4 bytes with an ABSOLUTE entry.
    base_relocs.sort_by_key(|r| r.0);
    let mut reloc = Vec::new();
    let mut k = 0;
    while k < base_relocs.len() {
        let page = base_relocs[k].0 & !0xFFF;
        let mut entries: Vec<u16> = Vec::new();
        while k < base_relocs.len() && base_relocs[k].0 & !0xFFF == page {
            let (rva, kind, low) = base_relocs[k];
            entries.push(kind << 12 | (rva & 0xFFF) as u16);
            entries.extend(low);
            k += 1;
        }
        if !entries.len().is_multiple_of(2) {
            entries.push(0);
        }
        reloc.extend_from_slice(&page.to_le_bytes());
        reloc.extend_from_slice(&(8 + 2 * entries.len() as u32).to_le_bytes());
        for e in entries {
            reloc.extend_from_slice(&e.to_le_bytes());
        }
    }
    if reloc.len() > reloc_bound as usize {
        fail(format!(
            "{} bytes of base relocations overflow the {reloc_bound} reserved",
            reloc.len()
        ));
    }
    if let Some(range) = &reloc_range {
        w.set_data_directory(
            pe::IMAGE_DIRECTORY_ENTRY_BASERELOC,
            range.virtual_address,
            reloc.len() as u32,
        );
    }

    // The import section.
    let mut idata = vec![0u8; idata_len];
    let put32 =
        |buf: &mut Vec<u8>, off: usize, v: u32| buf[off..off + 4].copy_from_slice(&v.to_le_bytes());
    for (k, dll) in dlls.iter().enumerate() {
        let (ilt, iat) = idata_layout[dll];
        put32(&mut idata, 20 * k, i + ilt as u32);
        put32(&mut idata, 20 * k + 12, i + dll_names[k] as u32);
        put32(&mut idata, 20 * k + 16, i + iat as u32);
        for (n, (j, _)) in imports
            .iter()
            .enumerate()
            .filter(|(_, x)| &x.dll == dll)
            .enumerate()
        {
            let entry = i + hint_names[j] as u32;
            put32(&mut idata, ilt + 4 * n, entry);
            put32(&mut idata, iat + 4 * n, entry);
        }
        idata[dll_names[k]..dll_names[k] + dll.len()].copy_from_slice(dll.as_bytes());
    }
    for (j, imp) in imports.iter().enumerate() {
        let at = hint_names[j] + 2;
        idata[at..at + imp.name.len()].copy_from_slice(imp.name.as_bytes());
    }
    let iat_start = dlls.first().map_or(0, |dll| idata_layout[dll].1);
    let iat_len = idata_len.min(cursor) - iat_start.min(cursor);
    w.set_data_directory(pe::IMAGE_DIRECTORY_ENTRY_IMPORT, i, descriptors as u32);
    w.set_data_directory(
        pe::IMAGE_DIRECTORY_ENTRY_IAT,
        i + iat_start as u32,
        iat_len as u32,
    );

    w.write_dos_header_and_stub()
        .unwrap_or_else(|e| fail(e.to_string()));
    w.write_nt_headers(NtHeaders {
        machine: pe::IMAGE_FILE_MACHINE_ALPHA,
        time_date_stamp: 0,
        // EXECUTABLE_IMAGE | LINE_NUMS_STRIPPED | LOCAL_SYMS_STRIPPED | 32BIT_MACHINE, and
        // DLL for a DLL (which has relocations) or RELOCS_STRIPPED for a program
        characteristics: pe::FileFlags(if dll_base.is_some() { 0x210E } else { 0x010F }),
        major_linker_version: 6,
        minor_linker_version: 0,
        address_of_entry_point: entry,
        image_base: u64::from(BASE),
        major_operating_system_version: 4,
        minor_operating_system_version: 0,
        major_image_version: 0,
        minor_image_version: 0,
        major_subsystem_version: 4,
        minor_subsystem_version: 0,
        subsystem: pe::IMAGE_SUBSYSTEM_WINDOWS_CUI,
        dll_characteristics: pe::DllFlags(0),
        size_of_stack_reserve: 0x10_0000,
        size_of_stack_commit: 0x2000,
        size_of_heap_reserve: 0x10_0000,
        size_of_heap_commit: 0x2000,
    });
    w.write_section_headers();
    w.write_section(text_range.file_offset, &text);
    w.write_section(data_range.file_offset, &data);
    w.write_section(idata_range.file_offset, &idata);
    if let Some(range) = edata_range {
        w.write_section(range.file_offset, &edata);
    }
    if let Some(range) = pdata_range {
        w.write_section(range.file_offset, &pdata);
    }
    if let Some(range) = reloc_range {
        reloc.resize(reloc_bound as usize, 0);
        w.write_section(range.file_offset, &reloc);
    }
    std::fs::write(output, &out).unwrap_or_else(|e| fail(format!("{output}: {e}")));
}
