//! Builtin calls at the thunk level, for x86 and Alpha callers: the ABI adapter reads the
//! arguments and returns as each architecture's calling convention says, and the kernel32
//! functions give NT's results and last errors.

use ntemu::image::ImportSymbol;
use ntemu::kernel::*;
use ntemu::kernel32::Kernel32Host;
use ntemu::memory::{AllocationType, PageProtection};
use ntemu::object::{AccessMask, Handle};
use ntemu::status::Win32Error;
use ntemu::win32::{HostIo, Win32};

const RETURN_TO: u32 = 0x0010_0040;
const DATA: u32 = 0x0020_0000;

struct Guest {
    m: Machine,
    w: Win32,
    me: ClientId,
    out: std::sync::Arc<parking_lot::Mutex<Vec<u8>>>,
}

fn guest(arch: Architecture) -> Guest {
    let mut m = Machine::new(MachineConfig::default());
    let pid = m.create_process(ProcessParams::new(arch)).unwrap();
    let space = m.process_mut(pid).unwrap().address_space_mut();
    space
        .allocate(
            0x0010_0000,
            0x1_0000,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::EXECUTE_READWRITE,
        )
        .unwrap();
    space
        .allocate(
            DATA,
            0x1_0000,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::READWRITE,
        )
        .unwrap();
    let tid = m
        .spawn_thread(pid, 0x0010_0000, 0, 0, CREATE_SUSPENDED)
        .unwrap();
    let (io, out, _) = HostIo::buffers();
    Guest {
        m,
        w: ntemu::win32_layer(io),
        me: ClientId {
            process: pid,
            thread: tid,
        },
        out,
    }
}

impl Guest {
    fn thunk(&self, name: &str) -> u32 {
        let dll = if name.starts_with("Nt") {
            "ntdll.dll"
        } else if name == "wsprintfA" || name == "CharUpperA" {
            "user32.dll"
        } else {
            "kernel32.dll"
        };
        self.w
            .builtins()
            .address_of(
                dll,
                &ImportSymbol::Name {
                    hint: 0,
                    name: name.into(),
                },
            )
            .unwrap_or_else(|| panic!("{name} is not a builtin"))
    }

    /// Sets up the thread as if it had just called `name` with `args`, runs the thunk, and
    /// returns the outcome and the thread's context afterwards.
    fn call_raw(&mut self, name: &str, args: &[u32]) -> (ServiceOutcome, CpuContext) {
        let address = self.thunk(name);
        let p = self.m.process_mut(self.me.process).unwrap();
        let top = p.thread(self.me.thread).unwrap().stack_top() - 0x100;
        let mut ctx = p.thread(self.me.thread).unwrap().context().clone();
        match &mut ctx {
            CpuContext::X86(c) => {
                let mut frame = RETURN_TO.to_le_bytes().to_vec();
                for a in args {
                    frame.extend_from_slice(&a.to_le_bytes());
                }
                let esp = top - frame.len() as u32;
                p.address_space_mut().kernel_write(esp, &frame).unwrap();
                c.gpr[X86_ESP] = esp;
            }
            CpuContext::Alpha(c) => {
                for (i, a) in args.iter().enumerate().take(6) {
                    c.r[ALPHA_A0 + i] = sign_extend(*a);
                }
                let sp = top & !15;
                for (i, a) in args.iter().enumerate().skip(6) {
                    p.address_space_mut()
                        .kernel_write(sp + 8 * (i as u32 - 6), &a.to_le_bytes())
                        .unwrap();
                }
                c.r[ALPHA_SP] = sign_extend(sp);
                c.r[ALPHA_RA] = sign_extend(RETURN_TO);
            }
        }
        ctx.set_program_counter(address);
        *p.thread_mut(self.me.thread).unwrap().context_mut() = ctx;
        let outcome = self.w.thunk(&mut self.m, self.me, address);
        let ctx = self
            .m
            .process(self.me.process)
            .and_then(|p| p.thread(self.me.thread))
            .map(|t| t.context().clone())
            .unwrap_or(CpuContext::X86(Box::default()));
        (outcome, ctx)
    }

    fn call(&mut self, name: &str, args: &[u32]) -> u32 {
        let (outcome, ctx) = self.call_raw(name, args);
        assert!(
            matches!(outcome, ServiceOutcome::Continue),
            "{name} did not return"
        );
        ctx.return_value()
    }

    fn last_error(&mut self) -> u32 {
        self.call("GetLastError", &[])
    }

    fn write_str(&mut self, addr: u32, s: &str) {
        let mut bytes = s.as_bytes().to_vec();
        bytes.push(0);
        self.m
            .process_mut(self.me.process)
            .unwrap()
            .address_space_mut()
            .kernel_write(addr, &bytes)
            .unwrap();
    }

    fn read_u32(&self, addr: u32) -> u32 {
        let mut b = [0u8; 4];
        self.m
            .process(self.me.process)
            .unwrap()
            .address_space()
            .kernel_read(addr, &mut b)
            .unwrap();
        u32::from_le_bytes(b)
    }
}

const ARCHES: [Architecture; 2] = [Architecture::X86, Architecture::Alpha];

#[test]
fn stdcall_returns_pop_the_arguments_on_x86_and_use_ra_on_alpha() {
    for arch in ARCHES {
        let mut g = guest(arch);
        let (_, before) = {
            let p = g.m.process(g.me.process).unwrap();
            ((), p.thread(g.me.thread).unwrap().stack_top() - 0x100)
        };
        let (outcome, ctx) = g.call_raw("SetLastError", &[0x1234]);
        assert!(matches!(outcome, ServiceOutcome::Continue));
        assert_eq!(ctx.program_counter(), RETURN_TO);
        if let CpuContext::X86(c) = &ctx {
            // The return address and one argument are gone from the stack.
            assert_eq!(c.gpr[X86_ESP], before);
        }
        assert_eq!(g.last_error(), 0x1234, "{arch:?}");
    }
}

#[test]
fn alpha_results_are_sign_extended_in_v0() {
    let mut g = guest(Architecture::Alpha);
    let (_, ctx) = g.call_raw("GetCurrentProcess", &[]);
    let CpuContext::Alpha(c) = ctx else { panic!() };
    assert_eq!(c.r[ALPHA_V0], 0xFFFF_FFFF_FFFF_FFFF);
}

#[test]
fn events_by_name_set_already_exists_and_clear_it() {
    for arch in ARCHES {
        let mut g = guest(arch);
        g.write_str(DATA, "ntemu-event");
        g.call("SetLastError", &[77]);
        let h1 = g.call("CreateEventA", &[0, 1, 0, DATA]);
        assert_eq!(h1 % 4, 0);
        assert_eq!(g.last_error(), 0);
        let h2 = g.call("CreateEventA", &[0, 1, 0, DATA]);
        assert_ne!(h1, h2);
        assert_eq!(g.last_error(), Win32Error::ALREADY_EXISTS.0, "{arch:?}");
        let h3 = g.call("OpenEventA", &[AccessMask::SYNCHRONIZE.0, 0, DATA]);
        assert_ne!(h3, 0);
        // SYNCHRONIZE alone cannot set it.
        assert_eq!(g.call("SetEvent", &[h3]), 0);
        assert_eq!(g.last_error(), Win32Error::ACCESS_DENIED.0);
        assert_eq!(g.call("SetEvent", &[h1]), 1);
        g.write_str(DATA + 0x100, "missing");
        assert_eq!(
            g.call("OpenEventA", &[AccessMask::SYNCHRONIZE.0, 0, DATA + 0x100]),
            0
        );
        assert_eq!(g.last_error(), Win32Error::FILE_NOT_FOUND.0);
        // Another type with the same name.
        assert_eq!(g.call("CreateMutexA", &[0, 0, DATA]), 0);
        assert_eq!(g.last_error(), Win32Error::INVALID_HANDLE.0);
    }
}

#[test]
fn close_handle_errors() {
    let mut g = guest(Architecture::X86);
    assert_eq!(g.call("CloseHandle", &[0x1234]), 0);
    assert_eq!(g.last_error(), Win32Error::INVALID_HANDLE.0);
    let h = g.call("CreateEventA", &[0, 0, 0, 0]);
    assert_eq!(g.call("SetHandleInformation", &[h, 2, 2]), 1);
    assert_eq!(g.call("GetHandleInformation", &[h, DATA]), 1);
    assert_eq!(g.read_u32(DATA), 2);
    assert_eq!(g.call("CloseHandle", &[h]), 0);
    assert_eq!(g.last_error(), Win32Error::INVALID_HANDLE.0);
    assert_eq!(g.call("SetHandleInformation", &[h, 2, 0]), 1);
    assert_eq!(g.call("CloseHandle", &[h]), 1);
    // Closing a pseudo-handle has no effect and succeeds.
    assert_eq!(g.call("CloseHandle", &[Handle::CURRENT_PROCESS.0]), 1);
}

#[test]
fn semaphore_limits_and_mutex_ownership() {
    for arch in ARCHES {
        let mut g = guest(arch);
        let s = g.call("CreateSemaphoreA", &[0, 1, 2, 0]);
        assert_eq!(g.call("ReleaseSemaphore", &[s, 1, DATA]), 1);
        assert_eq!(g.read_u32(DATA), 1);
        assert_eq!(g.call("ReleaseSemaphore", &[s, 1, DATA]), 0);
        assert_eq!(g.last_error(), Win32Error::TOO_MANY_POSTS.0);
        assert_eq!(g.call("CreateSemaphoreA", &[0, 3, 2, 0]), 0);
        assert_eq!(g.last_error(), Win32Error::INVALID_PARAMETER.0);
        let mx = g.call("CreateMutexA", &[0, 0, 0]);
        assert_eq!(g.call("ReleaseMutex", &[mx]), 0);
        assert_eq!(g.last_error(), Win32Error::NOT_OWNER.0);
        let owned = g.call("CreateMutexA", &[0, 1, 0]);
        assert_eq!(g.call("ReleaseMutex", &[owned]), 1, "{arch:?}");
    }
}

#[test]
fn waits_become_scheduler_waits_and_bad_handles_fail_at_once() {
    let mut g = guest(Architecture::X86);
    let e = g.call("CreateEventA", &[0, 1, 1, 0]);
    let (outcome, ctx) = g.call_raw("WaitForSingleObject", &[e, 100]);
    match outcome {
        ServiceOutcome::WaitFor(request) => {
            assert_eq!(request.objects.len(), 1);
            assert_eq!(request.timeout, Some(std::time::Duration::from_millis(100)));
            assert!(!request.alertable, "WaitForSingleObject is not alertable");
        }
        _ => panic!("expected a wait"),
    }
    // The call has already returned to its caller; the wait's result lands in eax.
    assert_eq!(ctx.program_counter(), RETURN_TO);
    assert_eq!(g.call("WaitForSingleObject", &[0x9990, 0]), 0xFFFF_FFFF);
    assert_eq!(g.last_error(), Win32Error::INVALID_HANDLE.0);
    // WaitForMultipleObjects: bad counts, duplicates in WaitAll.
    assert_eq!(
        g.call("WaitForMultipleObjects", &[0, DATA, 0, 0]),
        0xFFFF_FFFF
    );
    assert_eq!(g.last_error(), Win32Error::INVALID_PARAMETER.0);
    g.m.process_mut(g.me.process)
        .unwrap()
        .address_space_mut()
        .kernel_write(DATA, &[e.to_le_bytes(), e.to_le_bytes()].concat())
        .unwrap();
    assert_eq!(
        g.call("WaitForMultipleObjects", &[2, DATA, 1, 0]),
        0xFFFF_FFFF
    );
    assert_eq!(g.last_error(), Win32Error::INVALID_PARAMETER.0);
    let (outcome, _) = g.call_raw("WaitForMultipleObjects", &[2, DATA, 0, 0]);
    assert!(matches!(outcome, ServiceOutcome::WaitFor(_)));
}

#[test]
fn write_file_to_the_standard_output() {
    for arch in ARCHES {
        let mut g = guest(arch);
        // NT 4.0's console handles: 3, 7 and 0xB, not kernel handles.
        let out = g.call("GetStdHandle", &[(-11i32) as u32]);
        assert_eq!(out, 7);
        assert_eq!(g.call("GetStdHandle", &[(-10i32) as u32]), 3);
        assert_eq!(g.call("GetStdHandle", &[(-12i32) as u32]), 0xB);
        g.write_str(DATA, "hello, NT\n");
        assert_eq!(g.call("WriteFile", &[out, DATA, 10, DATA + 0x40, 0]), 1);
        assert_eq!(g.read_u32(DATA + 0x40), 10);
        // WriteConsoleA writes the console's screen buffer only; WriteFile's bytes also
        // went to the host stream, as a redirected handle's would.
        assert_eq!(g.call("WriteConsoleA", &[out, DATA, 5, 0, 0]), 1);
        assert_eq!(&*g.out.lock(), b"hello, NT\n");
        assert!(
            g.w.console()
                .unwrap()
                .active_buffer()
                .text()
                .starts_with("hello, NT\nhello\n"),
            "{}",
            g.w.console().unwrap().active_buffer().text()
        );
        assert_eq!(g.call("GetStdHandle", &[(-11i32) as u32]), out);
        assert_eq!(g.call("GetStdHandle", &[7]), 0xFFFF_FFFF);
        assert_eq!(g.last_error(), Win32Error::INVALID_HANDLE.0);
        // A non-file handle.
        let e = g.call("CreateEventA", &[0, 1, 1, 0]);
        assert_eq!(g.call("WriteFile", &[e, DATA, 1, DATA + 0x40, 0]), 0);
        assert_eq!(g.last_error(), Win32Error::INVALID_HANDLE.0);
        // A buffer the guest cannot read.
        assert_eq!(
            g.call("WriteFile", &[out, 0x0500_0000, 4, DATA + 0x40, 0]),
            0
        );
        assert_eq!(g.last_error(), Win32Error::NOACCESS.0);
    }
}

#[test]
fn create_remote_thread_through_kernel32_with_seven_arguments() {
    for arch in ARCHES {
        let mut g = guest(arch);
        let pid = g.me.process;
        let h = g.call("OpenProcess", &[AccessMask::PROCESS_ALL_ACCESS.0, 0, pid]);
        assert_ne!(h, 0);
        let th = g.call(
            "CreateRemoteThread",
            &[h, 0, 0, 0x0010_0000, 5, CREATE_SUSPENDED, DATA],
        );
        assert_ne!(th, 0, "{arch:?}");
        let tid = g.read_u32(DATA);
        assert!(g.m.process(pid).unwrap().thread(tid).is_some());
        assert_eq!(g.call("ResumeThread", &[th]), 1);
        assert_eq!(g.call("SuspendThread", &[th]), 0);
        assert_eq!(g.call("GetExitCodeThread", &[th, DATA + 4]), 1);
        assert_eq!(g.read_u32(DATA + 4), STILL_ACTIVE);
        // Armed fault: NULL, the step's last error, no handle left behind.
        g.m.faults_mut()
            .arm(FaultPoint::RemoteThreadSubsystem, FaultTrigger::Always);
        g.call(
            "GetProcessHandleCount",
            &[Handle::CURRENT_PROCESS.0, DATA + 8],
        );
        let before = g.read_u32(DATA + 8);
        assert_eq!(
            g.call("CreateRemoteThread", &[h, 0, 0, 0x0010_0000, 5, 0, DATA]),
            0
        );
        assert_eq!(g.last_error(), Win32Error::NOT_ENOUGH_MEMORY.0);
        g.call(
            "GetProcessHandleCount",
            &[Handle::CURRENT_PROCESS.0, DATA + 8],
        );
        assert_eq!(g.read_u32(DATA + 8), before);
        // NtQueryInformationProcess(ProcessHandleCount) agrees.
        assert_eq!(
            g.call(
                "NtQueryInformationProcess",
                &[Handle::CURRENT_PROCESS.0, 20, DATA + 12, 4, 0]
            ),
            0
        );
        assert_eq!(g.read_u32(DATA + 12), before);
        assert_eq!(
            g.call(
                "NtQueryInformationProcess",
                &[Handle::CURRENT_PROCESS.0, 20, DATA + 12, 8, 0]
            ),
            0xC000_0004
        );
        assert_eq!(
            g.call(
                "NtQueryInformationProcess",
                &[Handle::CURRENT_PROCESS.0, 99, DATA + 12, 4, 0]
            ),
            0xC000_0003
        );
    }
}

#[test]
fn virtual_memory_functions() {
    for arch in ARCHES {
        let mut g = guest(arch);
        let base = g.call("VirtualAlloc", &[0, 0x3000, 0x3000, 0x04]);
        assert_ne!(base, 0);
        assert_eq!(base % 0x1_0000, 0);
        assert_eq!(g.call("VirtualProtect", &[base, 0x1000, 0x02, DATA]), 1);
        assert_eq!(g.read_u32(DATA), 0x04);
        assert_eq!(g.call("VirtualQuery", &[base, DATA, 28]), 28, "{arch:?}");
        assert_eq!(g.read_u32(DATA), base);
        assert_eq!(g.read_u32(DATA + 4), base);
        assert_eq!(g.read_u32(DATA + 16), 0x1000, "MEM_COMMIT");
        assert_eq!(g.read_u32(DATA + 20), 0x02);
        assert_eq!(g.read_u32(DATA + 24), 0x2_0000, "MEM_PRIVATE");
        assert_eq!(g.call("VirtualQuery", &[base, DATA, 27]), 0);
        assert_eq!(g.last_error(), Win32Error::BAD_LENGTH.0);
        // Not the allocation base (one page in: 4 KiB on x86, 8 KiB on Alpha).
        let page = arch.page_size().bytes();
        assert_eq!(g.call("VirtualFree", &[base + page, 0, 0x8000]), 0);
        assert_eq!(g.last_error(), Win32Error::INVALID_ADDRESS.0);
        assert_eq!(g.call("VirtualFree", &[base, 0, 0x8000]), 1);
        // Read/WriteProcessMemory on itself.
        let me = g.call("GetCurrentProcess", &[]);
        g.write_str(DATA + 0x100, "abc");
        assert_eq!(
            g.call(
                "WriteProcessMemory",
                &[me, DATA + 0x200, DATA + 0x100, 4, DATA + 0x300]
            ),
            1
        );
        assert_eq!(g.read_u32(DATA + 0x200), u32::from_le_bytes(*b"abc\0"));
        assert_eq!(
            g.call(
                "ReadProcessMemory",
                &[me, 0x0500_0000, DATA, 4, DATA + 0x300]
            ),
            0
        );
        assert_eq!(g.last_error(), Win32Error::PARTIAL_COPY.0);
    }
}

#[test]
fn duplicate_handle_of_the_current_thread_pseudo_handle() {
    let mut g = guest(Architecture::X86);
    let me = Handle::CURRENT_PROCESS.0;
    assert_eq!(
        g.call(
            "DuplicateHandle",
            &[me, Handle::CURRENT_THREAD.0, me, DATA, 0, 0, 2]
        ),
        1
    );
    let real = g.read_u32(DATA);
    assert_eq!(real % 4, 0);
    assert_eq!(g.call("GetExitCodeThread", &[real, DATA + 4]), 1);
    assert_eq!(g.read_u32(DATA + 4), STILL_ACTIVE);
    let e = g.call("CreateEventA", &[0, 0, 0, 0]);
    assert_eq!(g.call("DuplicateHandle", &[me, e, me, DATA, 0, 0, 3]), 1);
    // DUPLICATE_CLOSE_SOURCE closes the source first (NT's ObDuplicateObject): the
    // duplicate takes its slot, and closing that value closes the one handle left.
    assert_eq!(
        g.read_u32(DATA),
        e,
        "the duplicate takes the closed source's slot"
    );
    assert_eq!(g.call("CloseHandle", &[e]), 1);
    assert_eq!(
        g.call("CloseHandle", &[e]),
        0,
        "one handle left by the duplicate"
    );
    assert_eq!(
        g.call("DuplicateHandle", &[me, 0x4444, me, DATA, 0, 0, 2]),
        0
    );
    assert_eq!(g.last_error(), Win32Error::INVALID_HANDLE.0);
}

#[test]
fn exit_functions_end_the_thread_or_process() {
    let mut g = guest(Architecture::Alpha);
    let (outcome, _) = g.call_raw("ExitProcess", &[3]);
    assert!(matches!(outcome, ServiceOutcome::ExitProcess(3)));
    let (outcome, _) = g.call_raw("ExitThread", &[4]);
    assert!(matches!(outcome, ServiceOutcome::ExitThread(4)));
}

#[test]
fn builtins_resolve_by_name_case_insensitively_and_by_ordinal() {
    let b = ntemu::builtins();
    let by_name = b
        .address_of(
            "KERNEL32.DLL",
            &ImportSymbol::Name {
                hint: 0,
                name: "CloseHandle".into(),
            },
        )
        .unwrap();
    assert_eq!(
        b.address_of(
            "kernel32",
            &ImportSymbol::Name {
                hint: 0,
                name: "CloseHandle".into()
            }
        ),
        Some(by_name)
    );
    let kernel32 = b.dll_index("KERNEL32.dll").unwrap();
    let ordinal = b
        .catalogue(kernel32)
        .and_then(|c| c.by_name("CloseHandle"))
        .map(|e| e.ordinal)
        .unwrap();
    assert_eq!(
        b.address_of("kernel32.dll", &ImportSymbol::Ordinal(ordinal)),
        Some(by_name)
    );
    assert_eq!(
        b.address_of(
            "kernel32.dll",
            &ImportSymbol::Name {
                hint: 0,
                name: "closehandle".into()
            }
        ),
        None
    );
    assert!(
        b.at(by_name)
            .is_some_and(|e| e.name == "CloseHandle" && e.export.is_some())
    );
    assert!(b.at(EXIT_THREAD_THUNK).is_none());
    assert!(by_name > THUNK_BASE);
}

#[test]
fn a_security_attributes_pointer_at_the_top_of_memory_is_an_access_violation() {
    let mut g = guest(Architecture::X86);
    assert_eq!(g.call("CreateEventA", &[0xFFFF_FFFC, 0, 0, 0]), 0);
    assert_eq!(g.last_error(), Win32Error::NOACCESS.0);
}

#[test]
fn bad_out_pointers_fail_before_anything_happens() {
    for arch in ARCHES {
        let mut g = guest(arch);
        let count = |g: &Guest| {
            g.m.process(g.me.process)
                .unwrap()
                .handle_table()
                .handle_count()
        };
        let threads = |g: &Guest| g.m.process(g.me.process).unwrap().thread_count();
        let (handles, live) = (count(&g), threads(&g));
        assert_eq!(
            g.call(
                "CreateThread",
                &[0, 0, 0x0010_0000, 0, CREATE_SUSPENDED, 0x10]
            ),
            0
        );
        assert_eq!(g.last_error(), Win32Error::NOACCESS.0);
        assert_eq!(
            (count(&g), threads(&g)),
            (handles, live),
            "{arch:?}: CreateThread acted"
        );
        let e = g.call("CreateEventA", &[0, 0, 0, 0]);
        let me = Handle::CURRENT_PROCESS.0;
        let before = count(&g);
        assert_eq!(g.call("DuplicateHandle", &[me, e, me, 0x10, 0, 0, 2]), 0);
        assert_eq!(count(&g), before, "DuplicateHandle acted");
        let s = g.call("CreateSemaphoreA", &[0, 0, 5, 0]);
        assert_eq!(g.call("ReleaseSemaphore", &[s, 1, 0x10]), 0);
        let semaphore =
            g.m.process(g.me.process)
                .unwrap()
                .handle_table()
                .reference(Handle(s), AccessMask(0), None)
                .unwrap()
                .clone();
        assert_eq!(
            semaphore.semaphore_state(),
            Ok((0, 5)),
            "ReleaseSemaphore acted"
        );
        let base = g.call("VirtualAlloc", &[0, 0x1000, 0x3000, 0x04]);
        assert_eq!(g.call("VirtualProtect", &[base, 0x1000, 0x02, 0]), 0);
        assert_eq!(g.call("VirtualQuery", &[base, DATA, 28]), 28);
        assert_eq!(
            g.read_u32(DATA + 20),
            0x04,
            "{arch:?}: VirtualProtect acted"
        );
    }
}

#[test]
fn names_longer_than_max_path_are_refused_not_cut() {
    let mut g = guest(Architecture::X86);
    let long = "n".repeat(261);
    g.write_str(DATA, &long);
    assert_eq!(g.call("CreateEventA", &[0, 1, 0, DATA]), 0);
    assert_eq!(g.last_error(), 206);
    g.write_str(DATA, &long[..260]);
    assert_ne!(g.call("CreateEventA", &[0, 1, 0, DATA]), 0);
}

#[test]
fn read_process_memory_honours_page_protection() {
    let mut g = guest(Architecture::X86);
    let base = g.call("VirtualAlloc", &[0, 0x1000, 0x3000, 0x01]);
    let me = Handle::CURRENT_PROCESS.0;
    assert_eq!(
        g.call("ReadProcessMemory", &[me, base, DATA, 4, DATA + 8]),
        0
    );
    assert_eq!(g.last_error(), Win32Error::PARTIAL_COPY.0);
    assert_eq!(g.read_u32(DATA + 8), 0);
    assert_eq!(g.call("WriteProcessMemory", &[me, base, DATA, 4, 0]), 0);
    assert_eq!(g.last_error(), Win32Error::NOACCESS.0);
}

#[test]
fn standard_handles_belong_to_the_process_not_to_a_reused_id() {
    let mut g = guest(Architecture::X86);
    let first = g.call("GetStdHandle", &[(-11i32) as u32]);
    // The process ends; a new one takes the same id.
    let old = g.me.process;
    g.m.exit_process(old, 0);
    let pid =
        g.m.create_process(ProcessParams::new(Architecture::X86))
            .unwrap();
    assert_eq!(pid, old);
    g.m.process_mut(pid)
        .unwrap()
        .address_space_mut()
        .allocate(
            DATA,
            0x1_0000,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::READWRITE,
        )
        .unwrap();
    g.m.process_mut(pid)
        .unwrap()
        .address_space_mut()
        .allocate(
            0x0010_0000,
            0x1_0000,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::EXECUTE_READWRITE,
        )
        .unwrap();
    let tid =
        g.m.spawn_thread(pid, 0x0010_0000, 0, 0, CREATE_SUSPENDED)
            .unwrap();
    g.me = ClientId {
        process: pid,
        thread: tid,
    };
    let e = g.call("CreateEventA", &[0, 0, 0, 0]);
    let out = g.call("GetStdHandle", &[(-11i32) as u32]);
    assert_ne!(out, e);
    g.write_str(DATA, "x");
    assert_eq!(
        g.call("WriteFile", &[out, DATA, 1, 0, 0]),
        1,
        "{first:#x} -> {out:#x}"
    );
}

#[test]
fn version_and_startup_information_are_nt4_sp6() {
    for arch in ARCHES {
        let mut g = guest(arch);
        assert_eq!(g.call("GetVersion", &[]), 0x0565_0004);
        let size_at = |g: &mut Guest, size: u32| {
            g.m.process_mut(g.me.process)
                .unwrap()
                .address_space_mut()
                .kernel_write(DATA, &size.to_le_bytes())
                .unwrap();
        };
        size_at(&mut g, 148);
        assert_eq!(g.call("GetVersionExA", &[DATA]), 1);
        assert_eq!(
            [
                g.read_u32(DATA + 4),
                g.read_u32(DATA + 8),
                g.read_u32(DATA + 12),
                g.read_u32(DATA + 16)
            ],
            [4, 0, 1381, 2]
        );
        size_at(&mut g, 100);
        assert_eq!(g.call("GetVersionExA", &[DATA]), 0);
        assert_eq!(g.last_error(), Win32Error::INSUFFICIENT_BUFFER.0);
        assert_eq!(g.call("GetStartupInfoA", &[DATA]), 0);
        assert_eq!(g.read_u32(DATA), 68);
        assert_eq!(g.call("GetACP", &[]), 1252);
        assert_eq!(g.call("GetOEMCP", &[]), 437);
        assert_eq!(g.call("GetCPInfo", &[1252, DATA]), 1);
        assert_eq!(g.read_u32(DATA), 1);
        assert_eq!(g.call("GetCPInfo", &[65001, DATA]), 0);
        assert_eq!(g.call("SetHandleCount", &[40]), 40);
        let out = g.call("GetStdHandle", &[(-11i32) as u32]);
        assert_eq!(g.call("GetFileType", &[out]), 2, "FILE_TYPE_CHAR");
        assert_eq!(g.call("GetFileType", &[0x4440]), 0);
        assert_eq!(g.last_error(), Win32Error::INVALID_HANDLE.0);
    }
}

#[test]
fn command_line_environment_and_modules() {
    let mut g = guest(Architecture::Alpha);
    let (m, pid) = (&g.m, g.me.process);
    g.w.set_command_line(m, pid, "prog.exe a b");
    let line = g.call("GetCommandLineA", &[]);
    assert_eq!(
        line,
        g.call("GetCommandLineA", &[]),
        "one block per process"
    );
    let text =
        g.m.process(pid)
            .unwrap()
            .address_space()
            .read_c_string(line, 100)
            .unwrap();
    assert_eq!(text, b"prog.exe a b");
    let env = g.call("GetEnvironmentStrings", &[]);
    assert_eq!(
        g.read_u32(env) & 0xFFFF,
        0,
        "an empty block ends with two NULs"
    );
    assert_eq!(g.call("FreeEnvironmentStringsA", &[env]), 1);
    // NT 4.0 exports GetEnvironmentStringsA as the same function (Open Watcom's x86 vi
    // imports it by that name).
    let env = g.call("GetEnvironmentStringsA", &[]);
    assert_eq!(g.read_u32(env) & 0xFFFF, 0);
    assert_eq!(g.call("FreeEnvironmentStringsA", &[env]), 1);
    g.write_str(DATA, "kernel32");
    let k32 = g.call("GetModuleHandleA", &[DATA]);
    assert_ne!(k32, 0);
    g.write_str(DATA + 0x40, "CloseHandle");
    let close = g.call("GetProcAddress", &[k32, DATA + 0x40]);
    assert_eq!(close, g.thunk("CloseHandle"));
    g.write_str(DATA + 0x40, "NoSuchFunction");
    assert_eq!(g.call("GetProcAddress", &[k32, DATA + 0x40]), 0);
    assert_eq!(g.last_error(), Win32Error::PROC_NOT_FOUND.0);
    g.write_str(DATA, "user99.dll");
    assert_eq!(g.call("GetModuleHandleA", &[DATA]), 0);
    assert_eq!(g.last_error(), Win32Error::MOD_NOT_FOUND.0);
}

#[test]
fn heaps_allocate_reallocate_free_and_destroy() {
    for arch in ARCHES {
        let mut g = guest(arch);
        let heap = g.call("HeapCreate", &[0, 0x1000, 0]);
        assert_ne!(heap, 0);
        assert_ne!(g.call("GetProcessHeap", &[]), heap);
        let a = g.call("HeapAlloc", &[heap, 8, 100]);
        let b = g.call("HeapAlloc", &[heap, 0, 24]);
        assert!(
            a != 0 && b != 0 && a.is_multiple_of(8) && b.is_multiple_of(8) && b >= a + 100,
            "{arch:?}"
        );
        assert_eq!(g.read_u32(a + 96), 0, "HEAP_ZERO_MEMORY");
        assert_eq!(g.call("HeapSize", &[heap, 0, a]), 100);
        g.write_str(a, "keep me");
        let grown = g.call("HeapReAlloc", &[heap, 0, a, 5000]);
        assert_ne!(grown, 0);
        assert_eq!(g.call("HeapSize", &[heap, 0, grown]), 5000);
        let text =
            g.m.process(g.me.process)
                .unwrap()
                .address_space()
                .read_c_string(grown, 20)
                .unwrap();
        assert_eq!(text, b"keep me");
        assert_eq!(
            g.call("HeapReAlloc", &[heap, 0x10, b, 100_000]),
            0,
            "in place only"
        );
        assert_eq!(g.call("HeapFree", &[heap, 0, b]), 1);
        assert_eq!(g.call("HeapFree", &[heap, 0, b]), 0, "double free");
        assert_eq!(g.last_error(), Win32Error::INVALID_PARAMETER.0);
        assert_eq!(g.call("HeapSize", &[heap, 0, b]), u32::MAX);
        // Freed blocks are reused, lowest address first (a was freed by the move).
        assert_eq!(g.call("HeapAlloc", &[heap, 0, 16]), a);
        // A fixed-size heap runs out instead of growing.
        let small = g.call("HeapCreate", &[0, 0x1000, 0x1_0000]);
        assert_eq!(g.call("HeapAlloc", &[small, 0, 0x2_0000]), 0);
        let committed =
            g.m.process(g.me.process)
                .unwrap()
                .address_space()
                .committed_bytes();
        assert_eq!(g.call("HeapDestroy", &[heap]), 1);
        assert!(
            g.m.process(g.me.process)
                .unwrap()
                .address_space()
                .committed_bytes()
                < committed
        );
        assert_eq!(g.call("HeapAlloc", &[heap, 0, 8]), 0, "destroyed");
        let process_heap = g.call("GetProcessHeap", &[]);
        assert_eq!(
            g.call("HeapDestroy", &[process_heap]),
            0,
            "the process heap stays"
        );
    }
}

#[test]
fn code_page_conversions() {
    let mut g = guest(Architecture::X86);
    g.m.process_mut(g.me.process)
        .unwrap()
        .address_space_mut()
        .kernel_write(DATA, b"a\xE9\x80\0")
        .unwrap();
    assert_eq!(
        g.call("MultiByteToWideChar", &[0, 0, DATA, u32::MAX, 0, 0]),
        4,
        "size query"
    );
    assert_eq!(
        g.call(
            "MultiByteToWideChar",
            &[1252, 0, DATA, u32::MAX, DATA + 0x100, 4]
        ),
        4
    );
    assert_eq!(g.read_u32(DATA + 0x100), 0x00E9_0061);
    assert_eq!(g.read_u32(DATA + 0x104), 0x0000_20AC);
    assert_eq!(
        g.call(
            "MultiByteToWideChar",
            &[1252, 0, DATA, u32::MAX, DATA + 0x100, 2]
        ),
        0
    );
    assert_eq!(g.last_error(), Win32Error::INSUFFICIENT_BUFFER.0);
    assert_eq!(
        g.call(
            "MultiByteToWideChar",
            &[65001, 0, DATA, u32::MAX, DATA + 0x100, 4]
        ),
        0
    );
    assert_eq!(g.last_error(), Win32Error::INVALID_PARAMETER.0);
    // U+2502 (box drawing) is in the OEM code page, not in the ANSI one.
    g.m.process_mut(g.me.process)
        .unwrap()
        .address_space_mut()
        .kernel_write(DATA + 0x200, &[0x02, 0x25, 0x41, 0x00])
        .unwrap();
    assert_eq!(
        g.call(
            "WideCharToMultiByte",
            &[437, 0, DATA + 0x200, 2, DATA + 0x300, 8, 0, DATA + 0x310]
        ),
        2
    );
    assert_eq!(g.read_u32(DATA + 0x300) & 0xFFFF, 0x41B3);
    assert_eq!(g.read_u32(DATA + 0x310), 0);
    assert_eq!(
        g.call(
            "WideCharToMultiByte",
            &[0, 0, DATA + 0x200, 2, DATA + 0x300, 8, 0, DATA + 0x310]
        ),
        2
    );
    assert_eq!(
        g.read_u32(DATA + 0x300) & 0xFFFF,
        0x413F,
        "'?' for what 1252 lacks"
    );
    assert_eq!(g.read_u32(DATA + 0x310), 1, "lpUsedDefaultChar");
}

#[test]
fn string_types_case_mapping_and_locale_information() {
    let mut g = guest(Architecture::Alpha);
    g.m.process_mut(g.me.process)
        .unwrap()
        .address_space_mut()
        .kernel_write(DATA, b"aZ5 ,\xE9\0")
        .unwrap();
    assert_eq!(
        g.call("GetStringTypeA", &[0x409, 1, DATA, 6, DATA + 0x100]),
        1
    );
    let types: Vec<u32> = (0..6)
        .map(|i| g.read_u32(DATA + 0x100 + 2 * i) & 0xFFFF)
        .collect();
    assert_eq!(types[0], 0x182, "a: lower, xdigit, alpha");
    assert_eq!(types[1], 0x101, "Z: upper, alpha");
    assert_eq!(types[2], 0x84, "5: digit, xdigit");
    assert_eq!(types[3], 0x48, "space: space, blank");
    assert_eq!(types[4], 0x10, ",: punct");
    assert_eq!(types[5], 0x102, "e acute: lower, alpha");
    assert_eq!(
        g.call("GetStringTypeA", &[0x409, 2, DATA, 6, DATA + 0x100]),
        0
    );
    assert_eq!(g.last_error(), 1004);
    assert_eq!(
        g.call("LCMapStringA", &[0x409, 0x200, DATA, 6, DATA + 0x200, 6]),
        6
    );
    let upper =
        g.m.process(g.me.process)
            .unwrap()
            .address_space()
            .read_c_string(DATA + 0x200, 6)
            .unwrap();
    assert_eq!(upper, b"AZ5 ,\xC9");
    assert_eq!(
        g.call("LCMapStringA", &[0x409, 0x400, DATA, 6, DATA + 0x200, 6]),
        0
    );
    assert_eq!(
        g.call("GetLocaleInfoA", &[0x409, 0x1004, DATA + 0x300, 0]),
        5
    );
    assert_eq!(
        g.call("GetLocaleInfoA", &[0x409, 0x1004, DATA + 0x300, 5]),
        5
    );
    assert_eq!(g.read_u32(DATA + 0x300), u32::from_le_bytes(*b"1252"));
    assert_eq!(
        g.call("GetLocaleInfoA", &[0x409, 0x1004, DATA + 0x300, 2]),
        0
    );
    assert_eq!(g.last_error(), Win32Error::INSUFFICIENT_BUFFER.0);
}

#[test]
fn module_file_name_and_memory_helpers() {
    let mut g = guest(Architecture::X86);
    let (m, pid) = (&g.m, g.me.process);
    g.w.set_command_line(m, pid, "ACLOCK.EXE -x");
    g.write_str(DATA, "kernel32.dll");
    let k32 = g.call("GetModuleHandleA", &[DATA]);
    assert_eq!(g.call("GetModuleFileNameA", &[k32, DATA + 0x100, 260]), 30);
    let name =
        g.m.process(pid)
            .unwrap()
            .address_space()
            .read_c_string(DATA + 0x100, 64)
            .unwrap();
    assert_eq!(name, b"C:\\WINNT\\system32\\KERNEL32.dll");
    assert_eq!(g.call("RtlFillMemory", &[DATA + 0x200, 8, 0x41]), 0);
    assert_eq!(g.read_u32(DATA + 0x204), 0x4141_4141);
    assert_eq!(g.call("RtlMoveMemory", &[DATA + 0x202, DATA + 0x200, 4]), 0);
    assert_eq!(g.call("RtlZeroMemory", &[DATA + 0x200, 2]), 0);
    assert_eq!(g.read_u32(DATA + 0x200), 0x4141_0000);
}

#[test]
fn system_information_and_clocks() {
    for (arch, page, processor_architecture) in
        [(Architecture::X86, 4096, 0), (Architecture::Alpha, 8192, 2)]
    {
        let mut g = guest(arch);
        assert_eq!(g.call("GetSystemInfo", &[DATA]), 0);
        assert_eq!(g.read_u32(DATA) & 0xFFFF, processor_architecture);
        assert_eq!(g.read_u32(DATA + 4), page, "{arch:?}");
        assert_eq!(g.read_u32(DATA + 8), 0x1_0000);
        assert_eq!(g.read_u32(DATA + 12), 0x7FFE_FFFF);
        assert_eq!(g.read_u32(DATA + 28), 0x1_0000, "allocation granularity");
        assert_eq!(g.call("QueryPerformanceFrequency", &[DATA]), 1);
        assert_eq!(g.read_u32(DATA), 1_000_000);
        assert_eq!(g.call("GetSystemTimeAsFileTime", &[DATA]), 0);
        let filetime = u64::from(g.read_u32(DATA)) | (u64::from(g.read_u32(DATA + 4)) << 32);
        // After 2020-01-01 (132223104000000000) and before 2100.
        assert!(filetime > 132_223_104_000_000_000 && filetime < 157_469_184_000_000_000);
        assert_eq!(g.call("GetLocalTime", &[DATA]), 0);
        assert!((2020..2100).contains(&(g.read_u32(DATA) & 0xFFFF)));
    }
}

#[test]
fn char_upper_converts_a_character_or_a_string_in_place() {
    for arch in ARCHES {
        let mut g = guest(arch);
        assert_eq!(g.call("CharUpperA", &[u32::from(b'q')]), u32::from(b'Q'));
        assert_eq!(g.call("CharUpperA", &[0xE9]), 0xC9, "{arch:?}");
        let bytes = {
            let mut b = b"vi-axp.exe ".to_vec();
            b.extend_from_slice(&[0xE9, b't', 0xE9, 0]);
            b
        };
        g.m.process_mut(g.me.process)
            .unwrap()
            .address_space_mut()
            .kernel_write(DATA, &bytes)
            .unwrap();
        assert_eq!(g.call("CharUpperA", &[DATA]), DATA);
        let text =
            g.m.process(g.me.process)
                .unwrap()
                .address_space()
                .read_c_string(DATA, 100)
                .unwrap();
        assert_eq!(text, b"VI-AXP.EXE \xC9T\xC9");
        // A string that cannot be read is ERROR_INVALID_PARAMETER and NULL.
        assert_eq!(g.call("CharUpperA", &[0x7000_0000]), 0);
        assert_eq!(g.last_error(), Win32Error::INVALID_PARAMETER.0);
    }
}

#[test]
fn wsprintf_formats_like_user32() {
    for arch in ARCHES {
        let mut g = guest(arch);
        g.write_str(DATA, "[%02d:%02d:%02d] %s %5d|%-4x|%#X|%c|%u%%");
        g.write_str(DATA + 0x100, "ACLOCK");
        let thunk =
            g.w.builtins()
                .address_of(
                    "user32.dll",
                    &ImportSymbol::Name {
                        hint: 0,
                        name: "wsprintfA".into(),
                    },
                )
                .unwrap();
        assert!(g.w.builtins().at(thunk).is_some());
        let args = [
            DATA + 0x200,
            DATA,
            23,
            59,
            5,
            DATA + 0x100,
            42,
            0xab,
            0xbeef,
            u32::from(b'Z'),
            7,
        ];
        let n = g.call("wsprintfA", &args);
        let text =
            g.m.process(g.me.process)
                .unwrap()
                .address_space()
                .read_c_string(DATA + 0x200, 200)
                .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&text),
            "[23:59:05] ACLOCK    42|ab  |0XBEEF|Z|7%",
            "{arch:?}"
        );
        assert_eq!(n as usize, text.len());
    }
}
