//! Fuzzes the address-space services with random operation sequences: allocate, free,
//! protect, query and checked access. Nothing may panic, and afterwards the committed and
//! reserved counters must equal what a VirtualQuery walk of the user range reports.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pe_image::memory::{
    AddressSpace, AllocationType, FreeType, GuestMemory, LOWEST_USER_ADDRESS, MemoryState,
    PageProtection, PageSize, USER_END,
};

const PROTECTIONS: [u32; 12] = [
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x104, 0x202, 0x101, 0,
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, ops)) = data.split_first() else {
        return;
    };
    let page = if first & 1 == 0 {
        PageSize::X86
    } else {
        PageSize::Alpha
    };
    let mut space = AddressSpace::new(page).expect("host mapping");
    for op in ops.chunks_exact(8).take(64) {
        let index = u32::from(u16::from_le_bytes([op[1], op[2]]));
        // Addresses cluster in the low 256 MiB, with a few anywhere in 4 GiB.
        let addr = if op[7] & 0x80 != 0 {
            u32::from_le_bytes([op[1], op[2], op[3], op[4]])
        } else {
            0x1_0000 + (index & 0xFFF) * 0x1000 + u32::from(op[7] & 0x7F) * 0x10
        };
        let size = u32::from(u16::from_le_bytes([op[3], op[4]])) * 0x40;
        let prot = PageProtection(PROTECTIONS[usize::from(op[5]) % PROTECTIONS.len()]);
        let base = if op[6] & 1 != 0 { 0 } else { addr };
        match op[0] % 10 {
            0 => {
                let t = [0x2000, 0x1000, 0x3000, 0x8_0000, 0x10_2000, 0x4000]
                    [usize::from(op[6] >> 1) % 6];
                let _ = space.allocate(base, size, AllocationType(t), prot);
            }
            1 => {
                let t = [0x4000, 0x8000, 0, 0xC000][usize::from(op[6] >> 1) % 4];
                let _ = space.free(addr, size, FreeType(t));
            }
            2 => {
                if let Ok(old) = space.protect(addr, size, prot) {
                    assert!(old.is_valid(), "old protection {old:?}");
                }
            }
            3 => {
                if let Ok(q) = space.query(addr) {
                    assert!(q.region_size > 0);
                    assert!(q.base_address <= addr);
                    assert!(
                        u64::from(q.base_address) + u64::from(q.region_size) <= u64::from(USER_END)
                    );
                }
            }
            4 => {
                let _ = space.read_u64(addr);
            }
            5 => {
                let _ = space.write_u32(addr, 0xDEAD_BEEF);
            }
            6 => {
                let buf = vec![op[5]; usize::from(op[6]) * 37];
                let _ = space.write_bytes(addr, &buf);
            }
            7 => {
                let mut buf = vec![0u8; usize::from(op[6]) * 37];
                let _ = space.fetch_bytes(addr, &mut buf);
            }
            8 => {
                let _ = space.read_c_string(addr, usize::from(op[6]) * 64);
            }
            _ => {
                let _ = space.read_u16(addr).and_then(|v| space.write_u16(addr, v));
            }
        }
    }
    let (mut committed, mut reserved) = (0u64, 0u64);
    let mut at = LOWEST_USER_ADDRESS;
    while at < USER_END {
        let q = space.query(at).expect("query inside the user range");
        assert_eq!(q.base_address, at);
        assert!(q.region_size > 0);
        match q.state {
            MemoryState::Commit => {
                committed += u64::from(q.region_size);
                reserved += u64::from(q.region_size);
            }
            MemoryState::Reserve => reserved += u64::from(q.region_size),
            MemoryState::Free => assert_eq!(q.allocation_base, 0),
        }
        at += q.region_size;
    }
    assert_eq!(committed, space.committed_bytes());
    assert_eq!(reserved, space.reserved_bytes());
});
