//! MSVCRT.dll builtins called at the thunk level by x86 and Alpha callers: doubles in two
//! x86 stack slots or in f16-f21, double results in ST(0) or f0, 64-bit results in edx:eax
//! or all of v0, variadic arguments in registers, and the wide-character wrappers.

use ntemu::image::ImportSymbol;
use ntemu::kernel::*;
use ntemu::memory::{AllocationType, PageProtection};
use ntemu::win32::{HostIo, Win32};

const RETURN_TO: u32 = 0x0010_0040;
const DATA: u32 = 0x0020_0000;

/// One argument of a call.
#[derive(Clone, Copy)]
enum Arg {
    Int(u32),
    Double(f64),
}

struct Guest {
    m: Machine,
    w: Win32,
    me: ClientId,
}

fn guest(arch: Architecture) -> Guest {
    let mut m = Machine::new(MachineConfig::default());
    let pid = m.create_process(ProcessParams::new(arch)).expect("process");
    let space = m.process_mut(pid).expect("process").address_space_mut();
    for (base, protection) in [
        (0x0010_0000, PageProtection::EXECUTE_READWRITE),
        (DATA, PageProtection::READWRITE),
    ] {
        space
            .allocate(
                base,
                0x1_0000,
                AllocationType::RESERVE | AllocationType::COMMIT,
                protection,
            )
            .expect("allocate");
    }
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
    /// Calls MSVCRT's `name` with `args` laid out as the caller's ABI lays them out, and
    /// returns the thread's context afterwards.
    fn call(&mut self, name: &str, args: &[Arg]) -> CpuContext {
        let address = self
            .w
            .builtins()
            .address_of(
                "msvcrt.dll",
                &ImportSymbol::Name {
                    hint: 0,
                    name: name.into(),
                },
            )
            .unwrap_or_else(|| panic!("{name} is not a builtin"));
        let p = self.m.process_mut(self.me.process).expect("process");
        let top = p.thread(self.me.thread).expect("thread").stack_top() - 0x100;
        let mut ctx = p.thread(self.me.thread).expect("thread").context().clone();
        match &mut ctx {
            CpuContext::X86(c) => {
                let mut frame = RETURN_TO.to_le_bytes().to_vec();
                for a in args {
                    match *a {
                        Arg::Int(v) => frame.extend_from_slice(&v.to_le_bytes()),
                        Arg::Double(v) => frame.extend_from_slice(&v.to_bits().to_le_bytes()),
                    }
                }
                let esp = top - frame.len() as u32;
                p.address_space_mut()
                    .kernel_write(esp, &frame)
                    .expect("stack");
                c.gpr[X86_ESP] = esp;
            }
            CpuContext::Alpha(c) => {
                let sp = top & !15;
                for (i, a) in args.iter().enumerate() {
                    let bits = match *a {
                        Arg::Int(v) => sign_extend(v),
                        Arg::Double(v) => v.to_bits(),
                    };
                    if i < 6 {
                        match a {
                            Arg::Int(_) => c.r[ALPHA_A0 + i] = bits,
                            Arg::Double(_) => c.f[16 + i] = bits,
                        }
                    } else {
                        p.address_space_mut()
                            .kernel_write(sp + 8 * (i as u32 - 6), &bits.to_le_bytes())
                            .expect("stack");
                    }
                }
                c.r[ALPHA_SP] = sign_extend(sp);
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
        let ctx = self
            .m
            .process(self.me.process)
            .and_then(|p| p.thread(self.me.thread))
            .map(|t| t.context().clone())
            .expect("thread");
        assert_eq!(
            ctx.program_counter(),
            RETURN_TO,
            "{name} returned elsewhere"
        );
        ctx
    }

    fn int(&mut self, name: &str, args: &[Arg]) -> u32 {
        self.call(name, args).return_value()
    }

    /// The double result: ST(0) (popped) on x86, f0 on Alpha.
    fn double(&mut self, name: &str, args: &[Arg]) -> f64 {
        match self.call(name, args) {
            CpuContext::X86(c) => {
                let v = c.x87.regs[usize::from(c.x87.top & 7)];
                let tid = self.me.thread;
                let p = self.m.process_mut(self.me.process).expect("process");
                if let Some(CpuContext::X86(c)) = p.thread_mut(tid).map(|t| t.context_mut()) {
                    c.x87.top = c.x87.top.wrapping_add(1) & 7;
                }
                v
            }
            CpuContext::Alpha(c) => f64::from_bits(c.f[0]),
        }
    }

    fn write(&mut self, addr: u32, bytes: &[u8]) {
        self.m
            .process_mut(self.me.process)
            .expect("process")
            .address_space_mut()
            .kernel_write(addr, bytes)
            .expect("write");
    }

    fn write_str(&mut self, addr: u32, s: &str) {
        let mut bytes = s.as_bytes().to_vec();
        bytes.push(0);
        self.write(addr, &bytes);
    }

    fn write_wide(&mut self, addr: u32, s: &str) {
        let bytes: Vec<u8> = s
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect();
        self.write(addr, &bytes);
    }

    fn read_u32(&self, addr: u32) -> u32 {
        let mut b = [0u8; 4];
        self.m
            .process(self.me.process)
            .expect("process")
            .address_space()
            .kernel_read(addr, &mut b)
            .expect("read");
        u32::from_le_bytes(b)
    }

    fn read_str(&self, addr: u32) -> String {
        let mut b = [0u8; 64];
        self.m
            .process(self.me.process)
            .expect("process")
            .address_space()
            .kernel_read(addr, &mut b)
            .expect("read");
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        String::from_utf8_lossy(&b[..end]).into_owned()
    }

    fn errno(&mut self) -> u32 {
        let at = self.int("_errno", &[]);
        self.read_u32(at)
    }
}

const ARCHES: [Architecture; 2] = [Architecture::X86, Architecture::Alpha];

#[test]
fn math_functions_take_and_return_doubles_in_each_abi() {
    for arch in ARCHES {
        let mut g = guest(arch);
        assert_eq!(g.double("sqrt", &[Arg::Double(2.25)]), 1.5, "{arch:?}");
        assert_eq!(
            g.double("pow", &[Arg::Double(2.0), Arg::Double(10.0)]),
            1024.0,
            "{arch:?}"
        );
        // A double then an int: x86 slots 0-1 and 2, Alpha f16 and a1.
        assert_eq!(
            g.double("ldexp", &[Arg::Double(3.0), Arg::Int(4)]),
            48.0,
            "{arch:?}"
        );
        assert_eq!(
            g.double("frexp", &[Arg::Double(8.0), Arg::Int(DATA)]),
            0.5,
            "{arch:?}"
        );
        assert_eq!(g.read_u32(DATA), 4, "{arch:?}");
        assert!(g.double("sqrt", &[Arg::Double(-1.0)]).is_nan(), "{arch:?}");
        assert_eq!(g.errno(), 33, "{arch:?}: EDOM");
        g.write_str(DATA, "  -2.5e1xyz");
        assert_eq!(
            g.double("strtod", &[Arg::Int(DATA), Arg::Int(DATA + 0x100)]),
            -25.0,
            "{arch:?}"
        );
        assert_eq!(g.read_u32(DATA + 0x100), DATA + 8, "{arch:?}");
        assert_eq!(
            g.double("difftime", &[Arg::Int(100), Arg::Int(40)]),
            60.0,
            "{arch:?}"
        );
        assert_eq!(g.int("_isnan", &[Arg::Double(f64::NAN)]), 1, "{arch:?}");
        assert_eq!(
            g.int("_finite", &[Arg::Double(f64::INFINITY)]),
            0,
            "{arch:?}"
        );
    }
}

#[test]
fn atoi64_returns_all_64_bits() {
    for arch in ARCHES {
        let mut g = guest(arch);
        g.write_str(DATA, "-12345678901");
        let ctx = g.call("_atoi64", &[Arg::Int(DATA)]);
        let v = match ctx {
            CpuContext::X86(c) => u64::from(c.gpr[X86_EAX]) | (u64::from(c.gpr[2]) << 32),
            CpuContext::Alpha(c) => c.r[ALPHA_V0],
        };
        assert_eq!(v as i64, -12_345_678_901, "{arch:?}");
    }
}

#[test]
fn sprintf_reads_variadic_arguments_from_registers_and_stack() {
    for arch in ARCHES {
        let mut g = guest(arch);
        g.write_str(DATA + 0x100, "%d %s %.2f %x %d %d|");
        g.write_str(DATA + 0x200, "str");
        // Seven arguments: on Alpha the double is f20 and the last two are on the stack.
        let n = g.int(
            "sprintf",
            &[
                Arg::Int(DATA),
                Arg::Int(DATA + 0x100),
                Arg::Int((-7i32) as u32),
                Arg::Int(DATA + 0x200),
                Arg::Double(2.5),
                Arg::Int(0xBEEF),
                Arg::Int(8),
                Arg::Int(9),
            ],
        );
        assert_eq!(g.read_str(DATA), "-7 str 2.50 beef 8 9|", "{arch:?}");
        assert_eq!(n, 21, "{arch:?}");
    }
}

#[test]
fn wide_wrappers_share_the_ansi_functions() {
    for arch in ARCHES {
        let mut g = guest(arch);
        g.write_wide(DATA, "NTEMU_CRT_TEST=wide value");
        assert_eq!(g.int("_wputenv", &[Arg::Int(DATA)]), 0, "{arch:?}");
        g.write_str(DATA + 0x100, "ntemu_crt_test");
        let at = g.int("getenv", &[Arg::Int(DATA + 0x100)]);
        assert_ne!(at, 0, "{arch:?}");
        assert_eq!(g.read_str(at), "wide value", "{arch:?}");
        g.write_wide(DATA, "NOEQUALS");
        assert_eq!(g.int("_wputenv", &[Arg::Int(DATA)]) as i32, -1, "{arch:?}");
        // A file that is not there: NULL / -1 with ENOENT, through the ANSI functions' code.
        g.write_wide(DATA, "C:\\no such file.txt");
        g.write_wide(DATA + 0x100, "r");
        assert_eq!(
            g.int("_wfopen", &[Arg::Int(DATA), Arg::Int(DATA + 0x100)]),
            0,
            "{arch:?}"
        );
        assert_eq!(g.errno(), 2, "{arch:?}");
        assert_eq!(
            g.int("_wopen", &[Arg::Int(DATA), Arg::Int(0), Arg::Int(0)]) as i32,
            -1,
            "{arch:?}"
        );
        assert_eq!(g.errno(), 2, "{arch:?}");
        // An unreadable file name fails the call as its failure value.
        assert_eq!(
            g.int("_open", &[Arg::Int(0x10), Arg::Int(0), Arg::Int(0)]) as i32,
            -1,
            "{arch:?}"
        );
        assert_eq!(
            g.int("fopen", &[Arg::Int(0x10), Arg::Int(DATA + 0x100)]),
            0,
            "{arch:?}"
        );
    }
}
