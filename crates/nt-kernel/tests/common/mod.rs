//! A scripted fake CPU for kernel tests. It runs a tiny bytecode from guest memory (so a
//! thread really runs in its own process's address space) with the NT calling conventions
//! of each architecture: the start routine's parameter is at [esp+4] (x86) or in a0 (Alpha),
//! and it returns through the return address on the stack (x86) or in ra (Alpha).
//!
//! Each instruction is two little-endian u32 words, opcode then operand:
//! - `RET_PARAM`: return the parameter as exit code.
//! - `RET_IMM v`: return `v`.
//! - `SPIN n`: retire `n` instructions (across quanta), then go on.
//! - `STORE_PARAM addr`: store the parameter at guest address `addr`.
//! - `CALL n`: call thunk THUNK_BASE + n; the service resumes at the next instruction.
//! - `JMP addr`: continue at `addr`.

#![allow(dead_code)]

use std::sync::Arc;

use nt_kernel::*;
use nt_memory::{AddressSpace, AllocationType, GuestMemory, PageProtection};
use nt_object::{AccessMask, Handle, ObjectType, WaitType};

pub const RET_PARAM: u32 = 1;
pub const RET_IMM: u32 = 2;
pub const SPIN: u32 = 3;
pub const STORE_PARAM: u32 = 4;
pub const CALL: u32 = 5;
pub const JMP: u32 = 6;

/// Thunk numbers the test services implement.
pub const SVC_WAIT_PARAM_HANDLE: u32 = 0x10;
pub const SVC_WAIT_PARAM_HANDLE_10MS: u32 = 0x11;
pub const SVC_EXIT_PROCESS_7: u32 = 0x12;

pub struct FakeCpu {
    pub architecture: Architecture,
}

fn parameter(context: &CpuContext, memory: &AddressSpace) -> Result<u32, nt_memory::Fault> {
    match context {
        CpuContext::X86(c) => memory.read_u32(c.gpr[X86_ESP] + 4),
        CpuContext::Alpha(c) => Ok(c.r[ALPHA_A0] as u32),
    }
}

/// The thread's link register for CALL: ecx on x86, t0 (r1) on Alpha.
pub fn link(context: &CpuContext) -> u32 {
    match context {
        CpuContext::X86(c) => c.gpr[1],
        CpuContext::Alpha(c) => c.r[1] as u32,
    }
}

fn set_link(context: &mut CpuContext, value: u32) {
    match context {
        CpuContext::X86(c) => c.gpr[1] = value,
        CpuContext::Alpha(c) => c.r[1] = sign_extend(value),
    }
}

/// SPIN's counter: edx on x86, v0 on Alpha.
fn spin_counter(context: &CpuContext) -> u32 {
    match context {
        CpuContext::X86(c) => c.gpr[2],
        CpuContext::Alpha(c) => c.r[0] as u32,
    }
}

fn set_spin_counter(context: &mut CpuContext, value: u32) {
    match context {
        CpuContext::X86(c) => c.gpr[2] = value,
        CpuContext::Alpha(c) => c.r[0] = sign_extend(value),
    }
}

fn ret(
    context: &mut CpuContext,
    memory: &AddressSpace,
    value: u32,
) -> Result<u32, nt_memory::Fault> {
    context.set_return_value(value);
    match context {
        CpuContext::X86(c) => {
            let esp = c.gpr[X86_ESP];
            let target = memory.read_u32(esp)?;
            c.gpr[X86_ESP] = esp + 4;
            c.eip = target;
            Ok(target)
        }
        CpuContext::Alpha(c) => {
            c.pc = c.r[ALPHA_RA];
            Ok(c.pc as u32)
        }
    }
}

impl CpuEngine for FakeCpu {
    fn architecture(&self) -> Architecture {
        self.architecture
    }

    fn run(&mut self, context: &mut CpuContext, memory: &mut AddressSpace, budget: u64) -> CpuRun {
        let mut retired = 0u64;
        loop {
            let pc = context.program_counter();
            if pc >= THUNK_BASE {
                return CpuRun {
                    exit: CpuExit::Thunk { address: pc },
                    retired,
                };
            }
            if retired >= budget {
                return CpuRun {
                    exit: CpuExit::QuantumExpired,
                    retired,
                };
            }
            let (op, arg) = match (memory.fetch_u32(pc), memory.fetch_u32(pc + 4)) {
                (Ok(op), Ok(arg)) => (op, arg),
                (Err(f), _) | (_, Err(f)) => {
                    return CpuRun {
                        exit: CpuExit::Fault(f),
                        retired,
                    };
                }
            };
            retired += 1;
            let step = match op {
                RET_PARAM => parameter(context, memory)
                    .and_then(|p| ret(context, memory, p))
                    .map(|_| ()),
                RET_IMM => ret(context, memory, arg).map(|_| ()),
                SPIN => {
                    // The counter lives in a register a new thread starts with 0 in (edx on
                    // x86, v0 on Alpha) while spinning.
                    let done = spin_counter(context);
                    let left = arg.saturating_sub(done);
                    let chunk = left.min((budget - retired.min(budget)) as u32);
                    retired += u64::from(chunk);
                    if done + chunk >= arg {
                        set_spin_counter(context, 0);
                        context.set_program_counter(pc + 8);
                    } else {
                        set_spin_counter(context, done + chunk);
                    }
                    Ok(())
                }
                STORE_PARAM => parameter(context, memory)
                    .and_then(|p| memory.write_u32(arg, p))
                    .map(|_| {
                        context.set_program_counter(pc + 8);
                    }),
                CALL => {
                    set_link(context, pc + 8);
                    context.set_program_counter(THUNK_BASE + arg);
                    Ok(())
                }
                JMP => {
                    context.set_program_counter(arg);
                    Ok(())
                }
                _ => {
                    return CpuRun {
                        exit: CpuExit::Exception {
                            status: nt_status::NtStatus::ILLEGAL_INSTRUCTION,
                            address: pc,
                        },
                        retired,
                    };
                }
            };
            if let Err(f) = step {
                return CpuRun {
                    exit: CpuExit::Fault(f),
                    retired,
                };
            }
        }
    }
}

/// Services for the fake CPU's CALLs.
pub struct TestServices;

impl SystemServices for TestServices {
    fn thunk(&mut self, machine: &mut Machine, thread: ClientId, address: u32) -> ServiceOutcome {
        let Some(process) = machine.process_mut(thread.process) else {
            return ServiceOutcome::ExitThread(0xDEAD);
        };
        let Some(t) = process.thread(thread.thread) else {
            return ServiceOutcome::ExitThread(0xDEAD);
        };
        let resume_at = link(t.context());
        let param = parameter(t.context(), process.address_space()).unwrap_or(0);
        let object = process
            .handle_table()
            .reference(Handle(param), AccessMask::SYNCHRONIZE, None)
            .ok()
            .map(Arc::clone);
        if let Some(t) = process.thread_mut(thread.thread) {
            t.context_mut().set_program_counter(resume_at);
        }
        match address - THUNK_BASE {
            SVC_WAIT_PARAM_HANDLE | SVC_WAIT_PARAM_HANDLE_10MS => match object {
                Some(o) => ServiceOutcome::Wait {
                    objects: vec![o],
                    wait_type: WaitType::Any,
                    timeout: (address - THUNK_BASE == SVC_WAIT_PARAM_HANDLE_10MS)
                        .then(|| std::time::Duration::from_millis(10)),
                },
                None => ServiceOutcome::ExitThread(0xBAD),
            },
            SVC_EXIT_PROCESS_7 => ServiceOutcome::ExitProcess(7),
            _ => ServiceOutcome::ExitProcess(0xC000_001D),
        }
    }
}

/// A machine with fake CPUs for both architectures.
pub fn machine(config: MachineConfig) -> Machine {
    let mut m = Machine::new(config);
    m.add_engine(Architecture::X86, || {
        Box::new(FakeCpu {
            architecture: Architecture::X86,
        })
    });
    m.add_engine(Architecture::Alpha, || {
        Box::new(FakeCpu {
            architecture: Architecture::Alpha,
        })
    });
    m
}

/// Code is placed at this address in every process that gets a program.
pub const CODE: u32 = 0x0010_0000;

/// Writes `program` (pairs of words) at [`CODE`] in process `pid`, executable.
pub fn load_program(m: &mut Machine, pid: u32, program: &[(u32, u32)]) -> u32 {
    let p = m.process_mut(pid).expect("process");
    let space = p.address_space_mut();
    space
        .allocate(
            CODE,
            0x1_0000,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::EXECUTE_READWRITE,
        )
        .expect("code");
    let mut bytes = Vec::new();
    for &(op, arg) in program {
        bytes.extend_from_slice(&op.to_le_bytes());
        bytes.extend_from_slice(&arg.to_le_bytes());
    }
    space.kernel_write(CODE, &bytes).expect("write code");
    CODE
}

/// A caller process (x86) with a full-access handle to a new target process of `arch`.
pub fn caller_and_target(m: &mut Machine, arch: Architecture) -> (ClientId, u32, Handle) {
    let caller_pid = m
        .create_process(ProcessParams::new(Architecture::X86))
        .expect("caller");
    let code = load_program(m, caller_pid, &[(SPIN, u32::MAX)]);
    let caller_tid = m
        .spawn_thread(caller_pid, code, 0, 0, CREATE_SUSPENDED)
        .expect("caller thread");
    let target = m.create_process(ProcessParams::new(arch)).expect("target");
    load_program(m, target, &[(RET_PARAM, 0)]);
    let h = m
        .open_process(caller_pid, target, AccessMask::PROCESS_ALL_ACCESS, false)
        .expect("open");
    (
        ClientId {
            process: caller_pid,
            thread: caller_tid,
        },
        target,
        h,
    )
}

/// The five things a failed CreateRemoteThread must leave as they were, and one more.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Counters {
    pub caller_handles: u32,
    pub target_committed: u64,
    pub target_reserved: u64,
    pub target_threads: usize,
    pub live_objects: usize,
    pub client_ids: usize,
    pub subsystem_threads: usize,
}

pub fn counters(m: &Machine, caller: ClientId, target: u32) -> Counters {
    let c = m.process(caller.process).expect("caller");
    let t = m.process(target).expect("target");
    Counters {
        caller_handles: c.handle_table().handle_count(),
        target_committed: t.address_space().committed_bytes(),
        target_reserved: t.address_space().reserved_bytes(),
        target_threads: t.thread_count(),
        live_objects: m.live_objects(),
        client_ids: m.client_id_count(),
        subsystem_threads: m.subsystem_thread_count(),
    }
}

pub fn thread_object_count(m: &Machine) -> usize {
    m.objects().live_objects(ObjectType::Thread)
}
