//! Golden vectors from qemu-alpha (see tests/data/alpha-vectors.bin and
//! tools/gen-vectors.c): every recorded sequence runs through cpu-alpha and the registers
//! r0-r8, f0-f8 and the FPCR must match the oracle's.
//!
//! What is compared:
//! - sequences that ran to the end: all eighteen registers and the FPCR;
//! - sequences where qemu raised SIGFPE on an integer /V instruction: the exit must be
//!   [`Exit::IntegerOverflow`] after that instruction, with the same registers;
//! - sequences where qemu raised SIGFPE on a floating-point instruction are not compared:
//!   qemu traps on denormal operands of instructions without the /S qualifier (as the
//!   hardware does before the operating system's software completion), while cpu-alpha,
//!   like NT's completion with traps disabled, computes the IEEE result; they are counted
//!   and the count is checked to stay small;
//! - SIGILL: cpu-alpha must exit with an illegal-instruction exit at the same instruction
//!   (qemu reports the PC after it; cpu-alpha leaves PC at it).
//!
//! Where qemu-alpha 7.2 is known to differ from the architecture or from real hardware,
//! and what this test does about it:
//! - FPCR.SUM is never set by qemu; the architecture defines it as the OR of the status
//!   bits and cpu-alpha sets it: SUM is not compared.
//! - qemu keeps FPCR bits 32..=46 (reserved) as written; cpu-alpha does the same.
//! - qemu decides STx_C success by comparing the memory value (a host compare-and-swap),
//!   not by a lock flag; the vectors only contain LDx_L/STx_C pairs without intervening
//!   stores, where both agree (the failure cases are unit tests).
//! - qemu reports an EV67 (IMPLVER 2, AMASK with CIX/FIX/MVI) and RPCC reads host time:
//!   AMASK, IMPLVER and RPCC are not in the vectors (unit tests cover them).
//! - Which FPCR status bits an instruction records without /S, and flush-to-zero of
//!   underflowed results without /U, follow qemu; they are not verified against hardware.

use std::collections::BTreeMap;

use cpu_alpha::{AlphaCpu, AlphaState, Exit};
use nt_memory::{AddressSpace, AllocationType, PageProtection, PageSize};

const CODE: u32 = 0x2000_0000;
const DATA: u32 = 0x1000_0000;
const DATA_SIZE: usize = 0x2000;
/// The end-of-sequence marker placed where the generator's tail was.
const END_PAL: u32 = 0x99;

struct Record<'a> {
    class: u8,
    status: u8,
    trap_index: u8,
    insts: Vec<u32>,
    input: [Option<u64>; 19],
    output: [Option<u64>; 19],
    _raw: &'a [u8],
}

fn u32_at(d: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(d[i..i + 4].try_into().unwrap())
}
/// Reads one tagged value (see gen-vectors.c), advancing `i`.
fn value_at(d: &[u8], i: &mut usize) -> u64 {
    let tag = d[*i];
    let n = usize::from(tag & 15);
    let bytes = &d[*i + 1..*i + 1 + n];
    *i += 1 + n;
    let mut v = 0u64;
    for (k, &b) in bytes.iter().enumerate() {
        v |= u64::from(b) << (8 * k);
    }
    if n == 0 {
        0
    } else if tag & 0x10 != 0 {
        v << (64 - 8 * n)
    } else {
        let sh = 64 - 8 * n as u32;
        (((v << sh) as i64) >> sh) as u64
    }
}

fn parse(data: &[u8]) -> (Vec<String>, Vec<Record<'_>>) {
    let marker = b"\ndata\n";
    let pos = data
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("data marker");
    let header = String::from_utf8_lossy(&data[..pos])
        .lines()
        .map(str::to_string)
        .collect::<Vec<_>>();
    let d = &data[pos + marker.len()..];
    let mut i = 0;
    let mut out = Vec::new();
    while i < d.len() {
        let start = i;
        let (class, n, status, trap_index) = (d[i], d[i + 1] as usize, d[i + 2], d[i + 3]);
        i += 4;
        let insts = (0..n).map(|k| u32_at(d, i + 4 * k)).collect();
        i += 4 * n;
        let read = |i: &mut usize| {
            let mask = u32_at(d, *i);
            *i += 4;
            let mut v = [None; 19];
            for (b, slot) in v.iter_mut().enumerate() {
                if mask & (1 << b) != 0 {
                    *slot = Some(value_at(d, i));
                }
            }
            v
        };
        let input = read(&mut i);
        let output = read(&mut i);
        out.push(Record {
            class,
            status,
            trap_index,
            insts,
            input,
            output,
            _raw: &d[start..i],
        });
    }
    (header, out)
}

fn data_pattern() -> Vec<u8> {
    (0..DATA_SIZE)
        .map(|i| (i as u32 * 0x9E + 0x3B) as u8)
        .collect()
}

#[test]
fn qemu_alpha_golden_vectors() {
    let raw = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/alpha-vectors.bin"
    ))
    .unwrap();
    let (header, records) = parse(&raw);
    assert!(header[1].contains("qemu-alpha"), "header names the oracle");
    let names: BTreeMap<u8, String> = header
        .iter()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            (w.next()? == "class").then(|| {
                let id = w.next()?.parse().ok()?;
                w.next();
                Some((id, w.next()?.to_string()))
            })?
        })
        .collect();
    let mut mem = AddressSpace::new(PageSize::Alpha).unwrap();
    mem.allocate(
        CODE,
        0x1_0000,
        AllocationType::RESERVE | AllocationType::COMMIT,
        PageProtection::EXECUTE_READWRITE,
    )
    .unwrap();
    mem.allocate(
        DATA,
        DATA_SIZE as u32,
        AllocationType::RESERVE | AllocationType::COMMIT,
        PageProtection::READWRITE,
    )
    .unwrap();
    let pattern = data_pattern();
    let mut cpu = AlphaCpu::default();
    let verbose = std::env::var("ALPHA_VECTORS_VERBOSE").is_ok();
    let mut per_class: BTreeMap<u8, (u32, u32, u32)> = BTreeMap::new(); // (ok, skipped, bad)
    let mut shown: BTreeMap<u8, u32> = BTreeMap::new();
    for rec in &records {
        let mut code = Vec::new();
        for w in &rec.insts {
            code.extend_from_slice(&w.to_le_bytes());
        }
        for _ in 0..2 {
            code.extend_from_slice(&END_PAL.to_le_bytes());
        }
        mem.kernel_write(CODE, &code).unwrap();
        if rec.class == 7 {
            mem.kernel_write(DATA, &pattern).unwrap();
        }
        let mut st = AlphaState::new();
        for k in 0..9 {
            st.r[k] = rec.input[k].unwrap_or(0);
            st.f[k] = rec.input[9 + k].unwrap_or(0);
        }
        st.fpcr = rec.input[18].unwrap_or(cpu_alpha::FPCR_DEFAULT);
        st.pc = u64::from(CODE);
        let fp_class = rec.class >= 10 && rec.class <= 14;
        let entry = per_class.entry(rec.class).or_default();
        if rec.status == 1 && rec.class != 4 {
            entry.1 += 1;
            continue;
        }
        let run = cpu.run(&mut st, &mut mem, 100);
        let (want_exit, want_pc) = match rec.status {
            0 => (
                Exit::CallPal(END_PAL),
                CODE + 4 * rec.insts.len() as u32 + 4,
            ),
            1 => (Exit::IntegerOverflow, CODE + 4 * u32::from(rec.trap_index)),
            2 => {
                // qemu reports SIGILL with the PC after the instruction.
                let k = u32::from(rec.trap_index).saturating_sub(1);
                let at = CODE + 4 * k;
                let word = rec.insts.get(k as usize).copied().unwrap_or(0);
                (Exit::IllegalInstruction { addr: at, word }, at)
            }
            _ => (Exit::QuantumExpired, 0),
        };
        let mut bad = Vec::new();
        if run.exit != want_exit || st.pc != u64::from(want_pc) {
            bad.push(format!(
                "exit {:?} pc {:#x}, want {:?} pc {:#x}",
                run.exit, st.pc, want_exit, want_pc
            ));
        }
        for k in 0..19 {
            let want = rec.output[k].or(rec.input[k]).unwrap_or(match k {
                18 => cpu_alpha::FPCR_DEFAULT,
                _ => 0,
            });
            let got = match k {
                0..=8 => st.r[k],
                9..=17 => st.f[k - 9],
                _ => st.fpcr,
            };
            if k == 18 && !fp_class && rec.class != 7 {
                continue;
            }
            // qemu 7.2 never sets FPCR.SUM (the architecture defines it as the OR of the
            // status bits, and cpu-alpha sets it): SUM is not compared.
            let (got, want) = if k == 18 {
                (got & !cpu_alpha::FPCR_SUM, want & !cpu_alpha::FPCR_SUM)
            } else {
                (got, want)
            };
            if got != want {
                let name = match k {
                    0..=8 => format!("r{k}"),
                    9..=17 => format!("f{}", k - 9),
                    _ => "fpcr".to_string(),
                };
                bad.push(format!("{name} = {got:#018x}, want {want:#018x}"));
            }
        }
        if bad.is_empty() {
            entry.0 += 1;
        } else {
            entry.2 += 1;
            let n = shown.entry(rec.class).or_default();
            if verbose && *n < 3000 {
                *n += 1;
                let ins: Vec<String> = rec.insts.iter().map(|w| format!("{w:08x}")).collect();
                let inp: Vec<String> = rec
                    .input
                    .iter()
                    .enumerate()
                    .filter_map(|(k, v)| v.map(|v| format!("{k}:{v:#x}")))
                    .collect();
                eprintln!(
                    "class {} status {} insts [{}] in [{}]: {}",
                    rec.class,
                    rec.status,
                    ins.join(" "),
                    inp.join(" "),
                    bad.join("; ")
                );
            }
        }
    }
    let mut failed = 0;
    let mut total_ok = 0;
    let mut total_skipped = 0;
    for (class, (ok, skipped, bad)) in &per_class {
        let name = names.get(class).map(String::as_str).unwrap_or("?");
        eprintln!("class {class:2} {name:20} ok {ok:6} skipped {skipped:5} mismatched {bad:5}");
        failed += bad;
        total_ok += ok;
        total_skipped += skipped;
    }
    assert_eq!(failed, 0, "mismatches (rerun with ALPHA_VECTORS_VERBOSE=1)");
    assert!(total_ok >= 100_000, "only {total_ok} sequences compared");
    assert!(total_skipped < 5_000, "{total_skipped} skipped");
}
