//! NT 4.0's heap against a model: random sequences of allocations, in-place and moving
//! reallocations and frees (small blocks, blocks near the free-list limit and large blocks),
//! on growable and fixed heaps. After every step the live blocks are 8-byte aligned, do not
//! overlap, keep their sizes and contents, and RtlValidateHeap finds the heap sound; a
//! failure never changes a block. A heap with tail and free checking keeps its fill patterns
//! intact through all of it. A heap the guest scribbled over fails calls, never the host.

use nt_memory::{AddressSpace, GuestMemory, PageSize};
use ntdll::heap::{
    self, HEAP_FREE_CHECKING_ENABLED, HEAP_GROWABLE, HEAP_REALLOC_IN_PLACE_ONLY,
    HEAP_TAIL_CHECKING_ENABLED, HEAP_ZERO_MEMORY, HeapCall,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Alloc {
        size: u32,
        zero: bool,
    },
    ReAlloc {
        which: usize,
        size: u32,
        in_place: bool,
    },
    Free {
        which: usize,
    },
}

fn size() -> impl Strategy<Value = u32> {
    prop_oneof![
        6 => 0u32..64,
        3 => 64u32..1100,
        1 => 0x7_F000u32..0x9_0000,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (size(), any::<bool>()).prop_map(|(size, zero)| Op::Alloc { size, zero }),
        2 => (any::<usize>(), size(), any::<bool>())
            .prop_map(|(which, size, in_place)| Op::ReAlloc { which, size, in_place }),
        3 => any::<usize>().prop_map(|which| Op::Free { which }),
    ]
}

/// A live block: where, how big, and the byte it was filled with.
#[derive(Clone, Copy, Debug)]
struct Live {
    at: u32,
    size: u32,
    fill: u8,
}

fn filled(m: &AddressSpace, b: &Live) -> bool {
    let mut buf = vec![0u8; b.size as usize];
    m.read_bytes(b.at, &mut buf).is_ok() && buf.iter().all(|&x| x == b.fill)
}

fn run(ops: &[Op], growable: bool, checking: bool) -> Result<(), TestCaseError> {
    let mut m = AddressSpace::new(PageSize::X86).expect("address space");
    let (mut flags, reserve) = if growable {
        (HEAP_GROWABLE, 0)
    } else {
        (0, 0x4_0000)
    };
    if checking {
        flags |= HEAP_TAIL_CHECKING_ENABLED | HEAP_FREE_CHECKING_ENABLED;
    }
    let h = heap::create(&mut m, flags, reserve, 0x1000).expect("heap");
    let mut live: Vec<Live> = Vec::new();
    let mut fill = 0u8;
    for op in ops {
        fill = fill.wrapping_add(1) | 1;
        let mut c = HeapCall {
            space: &mut m,
            thread: 1,
            live: &[1],
        };
        match *op {
            Op::Alloc { size, zero } => {
                let f = if zero { HEAP_ZERO_MEMORY } else { 0 };
                if let Ok(at) = c.allocate(h, f, size) {
                    prop_assert_eq!(at % 8, 0);
                    if zero {
                        let mut buf = vec![1u8; size as usize];
                        c.space.read_bytes(at, &mut buf).expect("read");
                        prop_assert!(buf.iter().all(|&x| x == 0), "not zeroed");
                    }
                    c.space
                        .write_bytes(at, &vec![fill; size as usize])
                        .expect("fill");
                    live.push(Live { at, size, fill });
                } else {
                    prop_assert!(
                        !growable || size > 0x10_0000,
                        "a growable heap refused {size}"
                    );
                }
            }
            Op::ReAlloc {
                which,
                size,
                in_place,
            } if !live.is_empty() => {
                let i = which % live.len();
                let old = live[i];
                let f = if in_place {
                    HEAP_REALLOC_IN_PLACE_ONLY
                } else {
                    0
                };
                match c.reallocate(h, f, old.at, size) {
                    Ok(at) => {
                        if in_place {
                            prop_assert_eq!(at, old.at);
                        }
                        let kept = Live {
                            at,
                            size: old.size.min(size),
                            fill: old.fill,
                        };
                        prop_assert!(filled(c.space, &kept), "contents lost by a reallocation");
                        c.space
                            .write_bytes(at, &vec![fill; size as usize])
                            .expect("fill");
                        live[i] = Live { at, size, fill };
                    }
                    Err(_) => {
                        prop_assert_eq!(c.size(h, 0, old.at), Ok(old.size));
                        prop_assert!(
                            filled(c.space, &old),
                            "a failed reallocation changed the block"
                        );
                    }
                }
            }
            Op::Free { which } if !live.is_empty() => {
                let b = live.swap_remove(which % live.len());
                prop_assert_eq!(c.free(h, 0, b.at), Ok(()));
            }
            _ => {}
        }
        let mut c = HeapCall {
            space: &mut m,
            thread: 1,
            live: &[1],
        };
        for b in &live {
            prop_assert_eq!(c.size(h, 0, b.at), Ok(b.size));
            prop_assert!(filled(c.space, b), "block at {:#x} overwritten", b.at);
        }
        let mut spans: Vec<(u32, u32)> = live.iter().map(|b| (b.at, b.at + b.size)).collect();
        spans.sort_unstable();
        for w in spans.windows(2) {
            prop_assert!(w[0].1 <= w[1].0, "blocks overlap: {:?}", w);
        }
        prop_assert_eq!(c.validate(h, 0, 0), Ok(true));
    }
    for b in live {
        let mut c = HeapCall {
            space: &mut m,
            thread: 1,
            live: &[1],
        };
        prop_assert_eq!(c.free(h, 0, b.at), Ok(()));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_growable_heap_keeps_every_block(ops in proptest::collection::vec(op(), 1..120)) {
        run(&ops, true, false)?;
    }

    #[test]
    fn a_fixed_heap_keeps_every_block_and_fails_cleanly(ops in proptest::collection::vec(op(), 1..120)) {
        run(&ops, false, false)?;
    }

    #[test]
    fn a_checking_heap_keeps_its_fills_sound(ops in proptest::collection::vec(op(), 1..120)) {
        run(&ops, true, true)?;
    }
}

/// Builds a heap with some blocks, scribbles `writes` over its first pages (as a guest may),
/// then runs `ops` and walks and validates it: every call returns, none panics.
fn scribbled(ops: &[Op], writes: &[(u16, u32)]) {
    let mut m = AddressSpace::new(PageSize::X86).expect("address space");
    let h = heap::create(&mut m, HEAP_GROWABLE, 0, 0x1000).expect("heap");
    let mut live = Vec::new();
    {
        let mut c = HeapCall {
            space: &mut m,
            thread: 1,
            live: &[1],
        };
        for size in [0, 10, 100, 1000, 24, 0x8_0000] {
            if let Ok(p) = c.allocate(h, 0, size) {
                live.push(p);
            }
        }
        if let Some(&p) = live.get(2) {
            let _ = c.free(h, 0, p);
        }
    }
    for &(offset, value) in writes {
        // Within the heap's first 0x2000 bytes: its header, free lists, segment and blocks.
        let _ = m.write_u32(h + u32::from(offset % 0x1FFC), value);
    }
    let mut c = HeapCall {
        space: &mut m,
        thread: 1,
        live: &[1],
    };
    for op in ops {
        match *op {
            Op::Alloc { size, zero } => {
                let f = if zero { HEAP_ZERO_MEMORY } else { 0 };
                if let Ok(p) = c.allocate(h, f, size) {
                    live.push(p);
                }
            }
            Op::ReAlloc {
                which,
                size,
                in_place,
            } if !live.is_empty() => {
                let i = which % live.len();
                let f = if in_place {
                    HEAP_REALLOC_IN_PLACE_ONLY
                } else {
                    0
                };
                if let Ok(p) = c.reallocate(h, f, live[i], size) {
                    live[i] = p;
                }
            }
            Op::Free { which } if !live.is_empty() => {
                let p = live.swap_remove(which % live.len());
                let _ = c.free(h, 0, p);
            }
            _ => {}
        }
        let _ = c.validate(h, 0, 0);
    }
    for &p in &live {
        let _ = c.size(h, 0, p);
        let _ = c.validate(h, 0, p);
    }
    let mut previous = None;
    for _ in 0..10_000 {
        match heap::walk(c.space, h, previous) {
            Ok(Some(e)) => previous = Some(e),
            _ => break,
        }
    }
    let _ = heap::largest_free(c.space, h);
    let _ = heap::destroy(c.space, h);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_scribbled_heap_fails_calls_but_never_the_host(
        writes in proptest::collection::vec((any::<u16>(), prop_oneof![
            any::<u32>(),
            // Small sizes and counts, and addresses in and around the heap (links).
            0u32..0x100,
            0xF000u32..0x3_0000,
        ]), 1..6),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        scribbled(&ops, &writes);
    }
}
