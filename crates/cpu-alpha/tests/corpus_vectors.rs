//! Differential test against qemu-alpha on instruction sequences taken from the real Alpha
//! programs of ../shared/corpus (see tests/data/README.md and tools/gen-corpus-vectors.c):
//! every sequence runs through cpu-alpha from each recorded initial state, and every
//! register (r0-r30, f0-f30), the FPCR and the bytes written to the data window must match
//! what the oracle left.
//!
//! Each sequence lies at the start of a code page whose every other word is `bpt`, as in
//! the generator; a final branch or jump lands on one of those or outside the page.
//!
//! What is compared, by the oracle's outcome:
//! - the sequence ran to its end (the `bpt` after it), or its branch or jump reached
//!   another `bpt` (SIGTRAP) or memory that is not executable (SIGSEGV): everything, the
//!   PC included;
//! - SIGFPE at an integer /V instruction: the exit must be [`Exit::IntegerOverflow`] after
//!   that instruction, with the same registers and memory;
//! - SIGFPE at a floating-point instruction (qemu traps on invalid operations, overflows,
//!   divisions by zero and denormal operands of instructions without /S, where NT's
//!   software completion delivers the IEEE result and cpu-alpha does the same; see
//!   tests/vectors.rs): the instructions before it run in cpu-alpha, and every register
//!   but the trapping instruction's destination and the FPCR, and memory, must match;
//! - SIGILL: cpu-alpha must exit with an illegal-instruction exit at that instruction.
//!
//! FPCR.SUM is not compared (qemu-alpha never sets it; cpu-alpha does, as the architecture
//! says). `ALPHA_CORPUS_VERBOSE=1` prints every mismatch with the disassembled sequence.

use std::collections::BTreeMap;

use cpu_alpha::{AlphaCpu, AlphaState, Exit, FPCR_SUM, disassemble};
use nt_memory::{Access, Fault, FaultKind, GuestMemory};

const CODE: u32 = 0x2000_0000;
const CODE_SIZE: usize = 0x1_0000;
const DATA: u32 = 0x1000_0000;
const DATA_SIZE: usize = 0x4000;
/// CALL_PAL bpt, which fills the code page around every sequence in the generator.
const BPT: u32 = 0x80;
/// The longest sequence the format allows.
const MAX_LEN: usize = 16;

/// The generator's two windows of memory and nothing else: code (read, execute) and data
/// (read, write). Anything else is an access violation.
struct Window {
    code: Vec<u8>,
    data: Vec<u8>,
    generation: u64,
}

impl Window {
    fn new() -> Window {
        Window {
            code: BPT.to_le_bytes().repeat(CODE_SIZE / 4),
            data: vec![0; DATA_SIZE],
            generation: 0,
        }
    }

    fn fault(addr: u32, access: Access) -> Fault {
        Fault {
            addr,
            access,
            kind: FaultKind::AccessViolation,
        }
    }

    fn range(base: u32, size: usize, addr: u32, len: usize) -> Option<usize> {
        let off = addr.wrapping_sub(base) as usize;
        (addr >= base && off + len <= size).then_some(off)
    }

    fn read(&self, addr: u32, buf: &mut [u8]) -> Result<(), Fault> {
        if let Some(o) = Self::range(DATA, DATA_SIZE, addr, buf.len()) {
            buf.copy_from_slice(&self.data[o..o + buf.len()]);
        } else if let Some(o) = Self::range(CODE, CODE_SIZE, addr, buf.len()) {
            buf.copy_from_slice(&self.code[o..o + buf.len()]);
        } else {
            return Err(Self::fault(addr, Access::Read));
        }
        Ok(())
    }

    fn write(&mut self, addr: u32, bytes: &[u8]) -> Result<(), Fault> {
        let o = Self::range(DATA, DATA_SIZE, addr, bytes.len())
            .ok_or(Self::fault(addr, Access::Write))?;
        self.data[o..o + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    fn read_n<const N: usize>(&self, addr: u32) -> Result<[u8; N], Fault> {
        let mut b = [0; N];
        self.read(addr, &mut b)?;
        Ok(b)
    }

    /// Puts `words` at the start of the code page, over the `bpt`s of the last sequence.
    fn set_code(&mut self, words: &[u32]) {
        self.code[..4 * MAX_LEN].copy_from_slice(&BPT.to_le_bytes().repeat(MAX_LEN));
        for (k, w) in words.iter().enumerate() {
            self.code[4 * k..4 * k + 4].copy_from_slice(&w.to_le_bytes());
        }
        self.generation += 1;
    }
}

impl GuestMemory for Window {
    fn read_u8(&self, addr: u32) -> Result<u8, Fault> {
        Ok(self.read_n::<1>(addr)?[0])
    }
    fn read_u16(&self, addr: u32) -> Result<u16, Fault> {
        Ok(u16::from_le_bytes(self.read_n(addr)?))
    }
    fn read_u32(&self, addr: u32) -> Result<u32, Fault> {
        Ok(u32::from_le_bytes(self.read_n(addr)?))
    }
    fn read_u64(&self, addr: u32) -> Result<u64, Fault> {
        Ok(u64::from_le_bytes(self.read_n(addr)?))
    }
    fn write_u8(&mut self, addr: u32, value: u8) -> Result<(), Fault> {
        self.write(addr, &[value])
    }
    fn write_u16(&mut self, addr: u32, value: u16) -> Result<(), Fault> {
        self.write(addr, &value.to_le_bytes())
    }
    fn write_u32(&mut self, addr: u32, value: u32) -> Result<(), Fault> {
        self.write(addr, &value.to_le_bytes())
    }
    fn write_u64(&mut self, addr: u32, value: u64) -> Result<(), Fault> {
        self.write(addr, &value.to_le_bytes())
    }
    fn read_bytes(&self, addr: u32, buf: &mut [u8]) -> Result<(), Fault> {
        self.read(addr, buf)
    }
    fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), Fault> {
        self.write(addr, data)
    }
    fn fetch_bytes(&self, addr: u32, buf: &mut [u8]) -> Result<(), Fault> {
        let o = Self::range(CODE, CODE_SIZE, addr, buf.len())
            .ok_or(Self::fault(addr, Access::Execute))?;
        buf.copy_from_slice(&self.code[o..o + buf.len()]);
        Ok(())
    }
    fn code_generation(&self) -> u64 {
        self.generation
    }
}

/// The recorded registers: slots 0-30 r0-r30, 32-62 f0-f30, 63 the FPCR (31 unused).
type Regs = [u64; 64];

struct State {
    status: u8,
    /// The PC of the oracle's signal (status != 0).
    pc: u64,
    input: Regs,
    output: Regs,
    /// (offset in the data window, bytes) that differ from the fill pattern at the end.
    memory: Vec<(usize, Vec<u8>)>,
}

struct Sequence {
    image: u8,
    insts: Vec<u32>,
    states: Vec<State>,
}

/// A cursor over the binary records; every read is checked, a truncated file is an error.
struct Reader<'a> {
    d: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn bytes(&mut self, n: usize) -> Result<&[u8], String> {
        let s = self
            .d
            .get(self.i..self.i + n)
            .ok_or_else(|| format!("data truncated at {:#x}", self.i))?;
        self.i += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.bytes(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        let b = self.bytes(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// A tagged value (see gen-corpus-vectors.c).
    fn value(&mut self) -> Result<u64, String> {
        let tag = self.u8()?;
        let n = usize::from(tag & 15);
        if n > 8 {
            return Err(format!("bad value tag {tag:#x}"));
        }
        let mut v = 0u64;
        for (k, &b) in self.bytes(n)?.iter().enumerate() {
            v |= u64::from(b) << (8 * k);
        }
        Ok(if n == 0 {
            0
        } else if tag & 0x10 != 0 {
            v << (64 - 8 * n)
        } else {
            let sh = 64 - 8 * n as u32;
            (((v << sh) as i64) >> sh) as u64
        })
    }
    /// A register list applied on top of `base`.
    fn regs(&mut self, base: &Regs) -> Result<Regs, String> {
        let mut r = *base;
        for _ in 0..self.u8()? {
            let slot = usize::from(self.u8()?);
            if slot >= 64 || slot == 31 {
                return Err(format!("bad register slot {slot}"));
            }
            r[slot] = self.value()?;
        }
        Ok(r)
    }
}

struct Vectors {
    header: Vec<String>,
    /// The values of registers a sequence does not read.
    background: Regs,
    images: BTreeMap<u8, String>,
    sequences: Vec<Sequence>,
}

fn parse(raw: &[u8]) -> Result<Vectors, String> {
    let marker = b"\ndata\n";
    let pos = raw
        .windows(marker.len())
        .position(|w| w == marker)
        .ok_or("no data marker")?;
    let header: Vec<String> = String::from_utf8_lossy(&raw[..pos])
        .lines()
        .map(str::to_string)
        .collect();
    let mut background = [0u64; 64];
    let mut images = BTreeMap::new();
    for line in &header {
        let mut w = line.split_whitespace();
        match w.next() {
            Some("background") => {
                let values: Vec<u64> = w
                    .map(|h| u64::from_str_radix(h, 16).map_err(|e| e.to_string()))
                    .collect::<Result<_, _>>()?;
                if values.len() != 63 {
                    return Err("background needs 63 values".into());
                }
                background[..31].copy_from_slice(&values[..31]);
                background[32..63].copy_from_slice(&values[31..62]);
                background[63] = values[62];
            }
            Some("image") => {
                let index = w.next().and_then(|i| i.parse().ok()).ok_or("bad image")?;
                images.insert(index, w.next().unwrap_or("?").to_string());
            }
            _ => {}
        }
    }
    let mut r = Reader {
        d: &raw[pos + marker.len()..],
        i: 0,
    };
    let mut sequences = Vec::new();
    while r.i < r.d.len() {
        let image = r.u8()?;
        let n = r.u8()?;
        if usize::from(n) > MAX_LEN {
            return Err(format!("a sequence of {n} instructions"));
        }
        let insts = (0..n).map(|_| r.u32()).collect::<Result<Vec<_>, _>>()?;
        let mut states = Vec::new();
        for _ in 0..r.u8()? {
            let status = r.u8()?;
            let pc = if status != 0 { r.value()? } else { 0 };
            let input = r.regs(&background)?;
            let output = r.regs(&input)?;
            let mut memory = Vec::new();
            for _ in 0..r.u8()? {
                let offset = usize::from(r.u16()?);
                let len = usize::from(r.u8()?);
                memory.push((offset, r.bytes(len)?.to_vec()));
            }
            states.push(State {
                status,
                pc,
                input,
                output,
                memory,
            });
        }
        sequences.push(Sequence {
            image,
            insts,
            states,
        });
    }
    Ok(Vectors {
        header,
        background,
        images,
        sequences,
    })
}

fn pattern() -> Vec<u8> {
    (0..DATA_SIZE)
        .map(|i| (i as u32 * 0x9E + 0x3B) as u8)
        .collect()
}

/// Runs of bytes of `data` that differ from `pattern`, as the generator records them.
fn changed(data: &[u8], pattern: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let mut runs: Vec<(usize, Vec<u8>)> = Vec::new();
    // Compare 64-byte chunks first: most of the window is untouched.
    for chunk in (0..data.len()).step_by(64) {
        let end = (chunk + 64).min(data.len());
        if data[chunk..end] == pattern[chunk..end] {
            continue;
        }
        for i in chunk..end {
            if data[i] != pattern[i] {
                match runs.last_mut() {
                    Some((at, bytes)) if *at + bytes.len() == i && bytes.len() < 255 => {
                        bytes.push(data[i])
                    }
                    _ => runs.push((i, vec![data[i]])),
                }
            }
        }
    }
    runs
}

/// Integer overflow-trapping operates: ADDL/V, SUBL/V, ADDQ/V, SUBQ/V, MULL/V, MULQ/V.
fn is_integer_trap(word: u32) -> bool {
    let (op, func) = (word >> 26, (word >> 5) & 0x7f);
    matches!(
        (op, func),
        (0x10, 0x40 | 0x49 | 0x60 | 0x69) | (0x13, 0x40 | 0x60)
    )
}

fn slot_name(k: usize) -> String {
    match k {
        0..=30 => format!("r{k}"),
        32..=62 => format!("f{}", k - 32),
        _ => "fpcr".into(),
    }
}

/// How a run was compared.
enum Outcome {
    /// Completely.
    Whole(Vec<String>),
    /// Up to a floating-point trap of the oracle.
    UpToTrap(Vec<String>),
}

/// The floating-point register a floating-point operate instruction writes.
fn fp_destination(word: u32) -> Option<usize> {
    let fc = (word & 31) as usize;
    match word >> 26 {
        0x14 | 0x16 | 0x17 if fc != 31 => Some(32 + fc),
        _ => None,
    }
}

/// Runs one state of `seq` and returns the differences from the oracle.
fn check(
    cpu: &mut AlphaCpu,
    mem: &mut Window,
    pattern: &[u8],
    seq: &Sequence,
    st: &State,
) -> Outcome {
    let n = seq.insts.len() as u32;
    let mut budget = 64;
    let mut skip = None;
    // The instruction before the signal's PC.
    let before = (st.pc as u32).wrapping_sub(CODE) / 4;
    let (want_exit, want_pc) = match st.status {
        0 => (Exit::CallPal(BPT), u64::from(CODE + 4 * n + 4)),
        // Another bpt: qemu reports the PC after it, as cpu-alpha leaves it.
        5 => (Exit::CallPal(BPT), st.pc),
        // A fetch from memory that is not executable (no data access of a sequence can
        // fault): cpu-alpha leaves the PC at the address.
        3 => (
            Exit::AccessViolation(Fault {
                addr: st.pc as u32,
                access: Access::Execute,
                kind: FaultKind::AccessViolation,
            }),
            st.pc,
        ),
        1 => {
            // qemu reports an arithmetic trap with the PC after the instruction.
            let k = before.wrapping_sub(1);
            let word = seq.insts.get(k as usize).copied().unwrap_or(0);
            if is_integer_trap(word) {
                (Exit::IntegerOverflow, u64::from(CODE + 4 * k + 4))
            } else {
                // Run the instructions before the trapping one.
                budget = u64::from(k);
                skip = Some(fp_destination(word));
                (Exit::QuantumExpired, u64::from(CODE + 4 * k))
            }
        }
        2 => {
            // qemu reports SIGILL with the PC after the instruction; cpu-alpha leaves PC at it.
            let k = before.wrapping_sub(1);
            let word = seq.insts.get(k as usize).copied().unwrap_or(0);
            let addr = CODE.wrapping_add(4 * k);
            (Exit::IllegalInstruction { addr, word }, u64::from(addr))
        }
        s => {
            return Outcome::Whole(vec![format!(
                "the oracle stopped with status {s} at {:#x}",
                st.pc
            )]);
        }
    };
    mem.data.copy_from_slice(pattern);
    let mut state = AlphaState::new();
    state.r[..31].copy_from_slice(&st.input[..31]);
    state.f[..31].copy_from_slice(&st.input[32..63]);
    state.fpcr = st.input[63];
    state.pc = u64::from(CODE);
    let run = cpu.run(&mut state, mem, budget);
    let mut bad = Vec::new();
    if run.exit != want_exit || state.pc != want_pc {
        bad.push(format!(
            "exit {:?} pc {:#x}, want {want_exit:?} pc {want_pc:#x}",
            run.exit, state.pc
        ));
    }
    for k in (0..64).filter(|&k| k != 31) {
        if let Some(destination) = skip
            && (k == 63 || Some(k) == destination)
        {
            continue;
        }
        let got = match k {
            0..=30 => state.r[k],
            32..=62 => state.f[k - 32],
            _ => state.fpcr & !FPCR_SUM,
        };
        let want = if k == 63 {
            st.output[k] & !FPCR_SUM
        } else {
            st.output[k]
        };
        if got != want {
            bad.push(format!("{} = {got:#018x}, want {want:#018x}", slot_name(k)));
        }
    }
    let written = changed(&mem.data, pattern);
    if written != st.memory {
        bad.push(format!(
            "memory written {:x?}, want {:x?}",
            written, st.memory
        ));
    }
    if skip.is_some() {
        Outcome::UpToTrap(bad)
    } else {
        Outcome::Whole(bad)
    }
}

#[test]
fn qemu_alpha_on_sequences_from_real_programs() {
    // ALPHA_CORPUS_VECTORS names another file in the same format (a longer campaign made
    // with `corpus-sequences.py --all`).
    let path = std::env::var("ALPHA_CORPUS_VECTORS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/alpha-corpus-vectors.bin"
        )
        .to_string()
    });
    let raw = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (regenerate: tools/gen-corpus-vectors.sh)"));
    let vectors = parse(&raw).unwrap_or_else(|e| panic!("alpha-corpus-vectors.bin: {e}"));
    assert!(
        vectors.header.iter().any(|l| l.contains("qemu-alpha")),
        "the header names the oracle"
    );
    let verbose = std::env::var("ALPHA_CORPUS_VERBOSE").is_ok();
    let pattern = pattern();
    let mut mem = Window::new();
    // No thunk range: a jump to a high address is a fetch from unmapped memory, as in qemu.
    let mut cpu = AlphaCpu::new(u32::MAX);
    let (mut compared, mut up_to_trap, mut mismatched) = (0u32, 0u32, 0u32);
    let mut bad_sequences = 0u32;
    let mut instructions = 0usize;
    for seq in &vectors.sequences {
        instructions += seq.insts.len();
        let mut code = seq.insts.clone();
        code.push(BPT);
        mem.set_code(&code);
        let mut seq_bad = false;
        for st in &seq.states {
            let bad = match check(&mut cpu, &mut mem, &pattern, seq, st) {
                Outcome::Whole(bad) => {
                    compared += 1;
                    bad
                }
                Outcome::UpToTrap(bad) => {
                    up_to_trap += 1;
                    bad
                }
            };
            if !bad.is_empty() {
                mismatched += 1;
                seq_bad = true;
                if verbose {
                    let image = vectors.images.get(&seq.image).map_or("?", String::as_str);
                    eprintln!("mismatch in a sequence from {image}:");
                    for (k, &w) in seq.insts.iter().enumerate() {
                        eprintln!("    {w:08x}  {}", disassemble(w, CODE + 4 * k as u32));
                    }
                    let inputs: Vec<String> = (0..64)
                        .filter(|&k| k != 31 && st.input[k] != vectors.background[k])
                        .map(|k| format!("{}={:#x}", slot_name(k), st.input[k]))
                        .collect();
                    eprintln!("  inputs {}", inputs.join(" "));
                    for b in &bad {
                        eprintln!("  {b}");
                    }
                }
            }
        }
        bad_sequences += u32::from(seq_bad);
    }
    eprintln!(
        "{} sequences ({instructions} instructions) from {} images: {compared} runs compared \
         whole, {up_to_trap} up to a floating-point trap of the oracle, {mismatched} \
         mismatched in {bad_sequences} sequences",
        vectors.sequences.len(),
        vectors.images.len()
    );
    assert_eq!(
        mismatched, 0,
        "mismatches (rerun with ALPHA_CORPUS_VERBOSE=1)"
    );
    assert!(vectors.sequences.len() >= 2_000, "too few sequences");
    assert!(compared >= 30_000, "only {compared} runs compared");
    assert!(
        up_to_trap * 20 < compared,
        "{up_to_trap} runs compared only up to a floating-point trap"
    );
}
