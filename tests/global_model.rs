//! GlobalAlloc and its kin against a model, for x86 and Alpha callers: random sequences of
//! fixed and moveable allocations, reallocations, locks, unlocks and frees. After every step
//! each object has the size it was given, its lock count, its handle from its pointer, and
//! its bytes; a failed reallocation changes nothing; every handle is freed at the end.

use ntemu::image::ImportSymbol;
use ntemu::kernel::*;
use ntemu::memory::{AllocationType, PageProtection};
use ntemu::win32::{HostIo, Win32};
use proptest::prelude::*;

const RETURN_TO: u32 = 0x0010_0040;
const GMEM_MOVEABLE: u32 = 0x0002;
const GMEM_ZEROINIT: u32 = 0x0040;

struct Guest {
    m: Machine,
    w: Win32,
    me: ClientId,
}

fn guest(arch: Architecture) -> Guest {
    let mut m = Machine::new(MachineConfig::default());
    let pid = m.create_process(ProcessParams::new(arch)).expect("process");
    let space = m.process_mut(pid).expect("process").address_space_mut();
    space
        .allocate(
            0x0010_0000,
            0x1_0000,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::EXECUTE_READWRITE,
        )
        .expect("code");
    let tid = m
        .spawn_thread(pid, 0x0010_0000, 0, 0, CREATE_SUSPENDED)
        .expect("thread");
    let (io, _, _) = HostIo::buffers();
    Guest {
        m,
        w: ntemu::win32_layer(io),
        me: ClientId {
            process: pid,
            thread: tid,
        },
    }
}

impl Guest {
    /// Calls KERNEL32's `name` as the thread would and returns its result.
    fn call(&mut self, name: &str, args: &[u32]) -> u32 {
        let address = self
            .w
            .builtins()
            .address_of(
                "kernel32.dll",
                &ImportSymbol::Name {
                    hint: 0,
                    name: name.into(),
                },
            )
            .expect("builtin");
        let p = self.m.process_mut(self.me.process).expect("process");
        let top = p.thread(self.me.thread).expect("thread").stack_top() - 0x100;
        let mut ctx = p.thread(self.me.thread).expect("thread").context().clone();
        match &mut ctx {
            CpuContext::X86(c) => {
                let mut frame = RETURN_TO.to_le_bytes().to_vec();
                for a in args {
                    frame.extend_from_slice(&a.to_le_bytes());
                }
                let esp = top - frame.len() as u32;
                p.address_space_mut()
                    .kernel_write(esp, &frame)
                    .expect("frame");
                c.gpr[X86_ESP] = esp;
            }
            CpuContext::Alpha(c) => {
                for (i, a) in args.iter().enumerate() {
                    c.r[ALPHA_A0 + i] = sign_extend(*a);
                }
                c.r[ALPHA_SP] = sign_extend(top & !15);
                c.r[ALPHA_RA] = sign_extend(RETURN_TO);
            }
        }
        ctx.set_program_counter(address);
        *p.thread_mut(self.me.thread).expect("thread").context_mut() = ctx;
        let outcome = self.w.thunk(&mut self.m, self.me, address);
        assert!(
            matches!(outcome, ServiceOutcome::Continue),
            "{name} did not return"
        );
        self.m
            .process(self.me.process)
            .and_then(|p| p.thread(self.me.thread))
            .map(|t| t.context().return_value())
            .expect("thread")
    }

    fn write(&mut self, at: u32, bytes: &[u8]) {
        self.m
            .process_mut(self.me.process)
            .expect("process")
            .address_space_mut()
            .kernel_write(at, bytes)
            .expect("write");
    }

    fn read(&self, at: u32, len: u32) -> Vec<u8> {
        let mut b = vec![0u8; len as usize];
        self.m
            .process(self.me.process)
            .expect("process")
            .address_space()
            .kernel_read(at, &mut b)
            .expect("read");
        b
    }
}

#[derive(Clone, Debug)]
enum Op {
    Alloc {
        moveable: bool,
        size: u32,
        zero: bool,
    },
    ReAlloc {
        which: usize,
        size: u32,
    },
    Lock {
        which: usize,
    },
    Unlock {
        which: usize,
    },
    Free {
        which: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let size = prop_oneof![4 => 1u32..200, 1 => 200u32..5000];
    prop_oneof![
        4 => (any::<bool>(), size.clone(), any::<bool>())
            .prop_map(|(moveable, size, zero)| Op::Alloc { moveable, size, zero }),
        2 => (any::<usize>(), size).prop_map(|(which, size)| Op::ReAlloc { which, size }),
        2 => any::<usize>().prop_map(|which| Op::Lock { which }),
        2 => any::<usize>().prop_map(|which| Op::Unlock { which }),
        2 => any::<usize>().prop_map(|which| Op::Free { which }),
    ]
}

#[derive(Clone, Copy, Debug)]
struct Object {
    handle: u32,
    moveable: bool,
    size: u32,
    locks: u32,
    fill: u8,
}

/// The object's data address: GlobalLock and GlobalUnlock, leaving its lock count as it was.
fn data(g: &mut Guest, o: &Object) -> u32 {
    let p = g.call("GlobalLock", &[o.handle]);
    g.call("GlobalUnlock", &[o.handle]);
    p
}

fn check(g: &mut Guest, objects: &[Object]) -> Result<(), TestCaseError> {
    for o in objects {
        prop_assert_eq!(g.call("GlobalSize", &[o.handle]), o.size);
        let p = data(g, o);
        prop_assert!(p != 0 && p.is_multiple_of(8), "GlobalLock gave {p:#x}");
        if o.moveable {
            prop_assert_eq!(o.handle % 8, 4, "a moveable handle");
            prop_assert!(p != o.handle);
            prop_assert_eq!(g.call("GlobalFlags", &[o.handle]) & 0xFF, o.locks);
        } else {
            prop_assert_eq!(p, o.handle);
        }
        prop_assert_eq!(g.call("GlobalHandle", &[p]), o.handle);
        prop_assert!(
            g.read(p, o.size).iter().all(|&b| b == o.fill),
            "the bytes of {:#x} changed",
            o.handle
        );
    }
    Ok(())
}

fn run(arch: Architecture, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut g = guest(arch);
    let mut objects: Vec<Object> = Vec::new();
    let mut fill = 0u8;
    for op in ops {
        fill = fill.wrapping_add(1) | 1;
        match *op {
            Op::Alloc {
                moveable,
                size,
                zero,
            } => {
                let flags =
                    if moveable { GMEM_MOVEABLE } else { 0 } | if zero { GMEM_ZEROINIT } else { 0 };
                let handle = g.call("GlobalAlloc", &[flags, size]);
                prop_assert!(handle != 0, "GlobalAlloc({flags:#x}, {size})");
                let mut o = Object {
                    handle,
                    moveable,
                    size,
                    locks: 0,
                    fill: 0,
                };
                let p = data(&mut g, &o);
                if zero {
                    prop_assert!(g.read(p, size).iter().all(|&b| b == 0), "not zeroed");
                }
                g.write(p, &vec![fill; size as usize]);
                o.fill = fill;
                objects.push(o);
            }
            Op::ReAlloc { which, size } if !objects.is_empty() => {
                let i = which % objects.len();
                let o = objects[i];
                if o.locks > 0 {
                    continue;
                }
                let flags = if o.moveable { GMEM_MOVEABLE } else { 0 };
                let r = g.call("GlobalReAlloc", &[o.handle, size, flags]);
                if r == 0 {
                    prop_assert!(!o.moveable, "a moveable object could not be reallocated");
                } else {
                    if o.moveable {
                        prop_assert_eq!(r, o.handle, "a moveable handle stays");
                    }
                    let kept = Object {
                        handle: r,
                        size: o.size.min(size),
                        ..o
                    };
                    let p = data(&mut g, &kept);
                    prop_assert!(
                        g.read(p, kept.size).iter().all(|&b| b == o.fill),
                        "contents lost"
                    );
                    g.write(p, &vec![fill; size as usize]);
                    objects[i] = Object {
                        handle: r,
                        size,
                        fill,
                        ..o
                    };
                }
            }
            Op::Lock { which } if !objects.is_empty() => {
                let i = which % objects.len();
                if objects[i].moveable && objects[i].locks < 0xFE {
                    prop_assert!(g.call("GlobalLock", &[objects[i].handle]) != 0);
                    objects[i].locks += 1;
                }
            }
            Op::Unlock { which } if !objects.is_empty() => {
                let i = which % objects.len();
                let still = g.call("GlobalUnlock", &[objects[i].handle]);
                if objects[i].moveable && objects[i].locks > 0 {
                    objects[i].locks -= 1;
                    prop_assert_eq!(still != 0, objects[i].locks > 0);
                } else if objects[i].moveable {
                    prop_assert_eq!(still, 0, "an unlocked object");
                } else {
                    prop_assert_eq!(still, 1, "fixed memory: GlobalUnlock says TRUE");
                }
            }
            Op::Free { which } if !objects.is_empty() => {
                let o = objects.swap_remove(which % objects.len());
                prop_assert_eq!(g.call("GlobalFree", &[o.handle]), 0);
            }
            _ => {}
        }
        check(&mut g, &objects)?;
    }
    for o in objects {
        prop_assert_eq!(g.call("GlobalFree", &[o.handle]), 0);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn global_memory_keeps_sizes_locks_handles_and_bytes(
        ops in proptest::collection::vec(op(), 1..60),
        alpha in any::<bool>(),
    ) {
        run(if alpha { Architecture::Alpha } else { Architecture::X86 }, &ops)?;
    }
}
