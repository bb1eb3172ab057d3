//! A synthetic Alpha AXP image built with object::write::pe, for loader tests.

#![allow(dead_code)]

use object::pe;
use object::write::pe::{NtHeaders, Writer};

/// The synthetic image and the facts its tests check.
pub struct Synthetic {
    pub bytes: Vec<u8>,
    pub base: u32,
    pub text_rva: u32,
    pub data_rva: u32,
    pub bss_rva: u32,
    pub bss_size: u32,
    /// Address built by the ldah/lda pair at text+0 (HIGHADJ + LOW); low half >= 0x8000.
    pub adj_value: u32,
    /// Address built by the ldah/lda pair at text+8 (HIGH + LOW).
    pub high_low_value: u32,
}

const LDAH: u32 = 0x09;
const LDA: u32 = 0x08;

fn mem_insn(op: u32, ra: u32, rb: u32, disp: u16) -> u32 {
    (op << 26) | (ra << 21) | (rb << 16) | u32::from(disp)
}

fn put(buf: &mut [u8], off: u32, v: &[u8]) {
    buf[off as usize..off as usize + v.len()].copy_from_slice(v);
}

/// Builds the image with the given section alignment (0x1000, 0x2000 or 0x10000).
pub fn synthetic_alpha(section_alignment: u32) -> Synthetic {
    let base = 0x40_0000u32;
    let mut out = Vec::new();
    let mut w = Writer::new(false, section_alignment, 0x200, &mut out);
    w.reserve_dos_header_and_stub();
    w.reserve_nt_headers(16);
    w.reserve_section_headers(6);
    let text = w.reserve_text_section(0x20);
    let data = w.reserve_data_section(0x60, 0x60);
    let idata = w.reserve_idata_section(0xB0);
    let edata = w.reserve_edata_section(0x80);
    let bss_size = 0x1_0000;
    let bss = w.reserve_bss_section(bss_size);
    let (t, d, i, e) = (
        text.virtual_address,
        data.virtual_address,
        idata.virtual_address,
        edata.virtual_address,
    );
    let bss_rva = bss.virtual_address;

    // Code: ldah/lda pairs building two addresses.
    let adj_off = 0x8ABCu32.wrapping_sub(bss_rva) & 0xFFFF;
    let adj_value = base + bss_rva + adj_off;
    assert!(adj_value & 0xFFFF >= 0x8000);
    let adj_hi = (adj_value.wrapping_add(0x8000) >> 16) as u16;
    let adj_lo = adj_value as u16;
    let high_low_value = base + d + 0x20; // low half small: HIGH + LOW without carry
    let mut code = vec![0u8; 0x20];
    put(&mut code, 0, &mem_insn(LDAH, 0, 31, adj_hi).to_le_bytes());
    put(&mut code, 4, &mem_insn(LDA, 0, 0, adj_lo).to_le_bytes());
    put(
        &mut code,
        8,
        &mem_insn(LDAH, 1, 31, (high_low_value >> 16) as u16).to_le_bytes(),
    );
    put(
        &mut code,
        12,
        &mem_insn(LDA, 1, 1, high_low_value as u16).to_le_bytes(),
    );
    put(&mut code, 16, &0x6BFA_8001u32.to_le_bytes()); // ret zero,(ra),1

    // Data: a pointer, the TLS directory, its index slot, callback array and raw data.
    let mut dat = vec![0u8; 0x60];
    put(&mut dat, 0, &adj_value.to_le_bytes());
    let tls = [
        base + d + 0x50,
        base + d + 0x58,
        base + d + 0x30,
        base + d + 0x40,
        0x10,
        0,
    ];
    for (k, v) in tls.iter().enumerate() {
        put(&mut dat, 0x10 + 4 * k as u32, &v.to_le_bytes());
    }
    put(&mut dat, 0x40, &(base + t + 16).to_le_bytes());
    put(&mut dat, 0x50, b"tlsdata\0");
    w.set_data_directory(pe::IMAGE_DIRECTORY_ENTRY_TLS, d + 0x10, 24);

    // Imports: KERNEL32.dll!ExitProcess by name and ordinal 5.
    let mut imp = vec![0u8; 0xB0];
    put(&mut imp, 0, &(i + 0x40).to_le_bytes());
    put(&mut imp, 12, &(i + 0x80).to_le_bytes());
    put(&mut imp, 16, &(i + 0x60).to_le_bytes());
    for table in [0x40, 0x60] {
        put(&mut imp, table, &(i + 0x90).to_le_bytes());
        put(&mut imp, table + 4, &0x8000_0005u32.to_le_bytes());
    }
    put(&mut imp, 0x80, b"KERNEL32.dll\0");
    put(&mut imp, 0x90, &0x42u16.to_le_bytes());
    put(&mut imp, 0x92, b"ExitProcess\0");

    // Exports: ordinal 1 "AlphaFunc" -> text, ordinal 2 (no name) -> text+8.
    let mut exp = vec![0u8; 0x80];
    put(&mut exp, 12, &(e + 0x60).to_le_bytes());
    put(&mut exp, 16, &1u32.to_le_bytes());
    put(&mut exp, 20, &2u32.to_le_bytes());
    put(&mut exp, 24, &1u32.to_le_bytes());
    put(&mut exp, 28, &(e + 0x28).to_le_bytes());
    put(&mut exp, 32, &(e + 0x30).to_le_bytes());
    put(&mut exp, 36, &(e + 0x34).to_le_bytes());
    put(&mut exp, 0x28, &t.to_le_bytes());
    put(&mut exp, 0x2C, &(t + 8).to_le_bytes());
    put(&mut exp, 0x30, &(e + 0x40).to_le_bytes());
    put(&mut exp, 0x40, b"AlphaFunc\0");
    put(&mut exp, 0x60, b"synth.dll\0");

    // Base relocations, in address order.
    let ty = pe::BaseRelocationType;
    w.add_reloc(t, ty(4)); // HIGHADJ
    // Its low half goes in the next slot verbatim: type nibble and offset are the value.
    w.add_reloc((t & !0xFFF) | u32::from(adj_lo & 0xFFF), ty(adj_lo >> 12));
    w.add_reloc(t + 4, ty(2)); // LOW
    w.add_reloc(t + 8, ty(1)); // HIGH
    w.add_reloc(t + 12, ty(2)); // LOW
    w.add_reloc(d, ty(3));
    for k in 0..4 {
        w.add_reloc(d + 0x10 + 4 * k, ty(3));
    }
    w.add_reloc(d + 0x40, ty(3));
    w.reserve_reloc_section();

    w.write_dos_header_and_stub().unwrap();
    w.write_nt_headers(NtHeaders {
        machine: pe::IMAGE_FILE_MACHINE_ALPHA,
        time_date_stamp: 0,
        characteristics: pe::FileFlags(0x010E),
        major_linker_version: 6,
        minor_linker_version: 0,
        address_of_entry_point: t,
        image_base: u64::from(base),
        major_operating_system_version: 4,
        minor_operating_system_version: 0,
        major_image_version: 0,
        minor_image_version: 0,
        major_subsystem_version: 4,
        minor_subsystem_version: 0,
        subsystem: pe::Subsystem(3),
        dll_characteristics: pe::DllFlags(0),
        size_of_stack_reserve: 0x10_0000,
        size_of_stack_commit: 0x2000,
        size_of_heap_reserve: 0x10_0000,
        size_of_heap_commit: 0x1000,
    });
    w.write_section_headers();
    w.write_section(text.file_offset, &code);
    w.write_section(data.file_offset, &dat);
    w.write_section(idata.file_offset, &imp);
    w.write_section(edata.file_offset, &exp);
    w.write_reloc_section();
    drop(w);
    Synthetic {
        bytes: out,
        base,
        text_rva: t,
        data_rva: d,
        bss_rva,
        bss_size,
        adj_value,
        high_low_value,
    }
}
