//! Golden vectors: every recorded instruction form and input, replayed through cpu-x86 and
//! compared with what the host CPU produced (tests/data/x86-vectors.bin; see its header).

use cpu_x86::{Exit, Tier, X86Cpu, X86State};
use nt_memory::{AddressSpace, AllocationType, PageProtection, PageSize};

const CODE: u32 = 0x0040_0000;
const STACK_TOP: u32 = 0x0080_0000;
const FLAG_BITS: u32 = 0x0cd5;

struct Form {
    code: Vec<u8>,
    mask: u32,
    name: String,
}

fn parse() -> (String, Vec<Form>, Vec<u8>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/x86-vectors.bin");
    let data = std::fs::read(path).expect("vector file");
    let mut pos = 0;
    let mut header = String::new();
    let mut forms = Vec::new();
    loop {
        let end = pos + data[pos..].iter().position(|&b| b == b'\n').expect("line");
        let line = std::str::from_utf8(&data[pos..end]).expect("utf8");
        pos = end + 1;
        if line == "data" {
            break;
        }
        if line.starts_with('#') {
            header.push_str(line);
            header.push('\n');
            continue;
        }
        let mut it = line.splitn(6, ' ');
        assert_eq!(it.next(), Some("form"));
        let id: usize = it.next().unwrap().parse().unwrap();
        assert_eq!(id, forms.len());
        let hex = it.next().unwrap();
        let code = (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let mask = u32::from_str_radix(it.next().unwrap(), 16).unwrap();
        let _count: usize = it.next().unwrap().parse().unwrap();
        let name = it.next().unwrap_or("").to_string();
        forms.push(Form { code, mask, name });
    }
    (header, forms, data[pos..].to_vec())
}

const REC: usize = 31;

fn u16_at(b: &[u8], i: usize) -> u32 {
    u32::from(u16::from_le_bytes([b[i], b[i + 1]]))
}
fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

#[test]
fn golden_vectors() {
    check_vectors(Tier::Interp);
}

/// The same vectors with every block translated by the JIT tier at its first run (forms
/// outside the translated subset still run in the interpreter).
#[test]
fn golden_vectors_jit() {
    if cpu_x86::jit_supported() {
        let compiled = check_vectors(Tier::Jit);
        assert!(compiled > 300, "only {compiled} forms were compiled");
    }
}

fn new_cpu(thunk_base: u32, tier: Tier) -> X86Cpu {
    let mut cpu = X86Cpu::with_tier(thunk_base, tier);
    cpu.set_jit_threshold(1);
    cpu
}

/// Replays the vectors on a CPU of `tier`; the number of blocks the JIT compiled.
fn check_vectors(tier: Tier) -> usize {
    let mut compiled = 0;
    let (header, forms, recs) = parse();
    assert!(header.contains("oracle:"), "header names the oracle");
    assert_eq!(recs.len() % REC, 0);
    let n = recs.len() / REC;
    assert!(n >= 100_000, "only {n} vectors");
    let mut mem = AddressSpace::new(PageSize::X86).unwrap();
    mem.allocate(
        CODE,
        0x1_0000,
        AllocationType::RESERVE | AllocationType::COMMIT,
        PageProtection::EXECUTE_READWRITE,
    )
    .unwrap();
    mem.allocate(
        STACK_TOP - 0x1_0000,
        0x1_0000,
        AllocationType::RESERVE | AllocationType::COMMIT,
        PageProtection::READWRITE,
    )
    .unwrap();
    let mut cur_form = usize::MAX;
    let mut cpu = new_cpu(CODE, tier);
    let mut failures: Vec<(usize, String)> = Vec::new();
    let mut per_form_fail = vec![0usize; forms.len()];
    let mut per_form_diff = vec![(0u32, false, 0usize); forms.len()];
    let mut state = X86State::new();
    for rec in recs.chunks_exact(REC) {
        let id16 = u16_at(rec, 0);
        let id = (id16 & 0x7fff) as usize;
        let de = id16 & 0x8000 != 0;
        let form = &forms[id];
        if id != cur_form {
            mem.kernel_write(CODE, &form.code).unwrap();
            compiled += cpu.compiled_blocks();
            cpu = new_cpu(CODE + form.code.len() as u32, tier);
            cur_form = id;
        }
        let fin = u16_at(rec, 2);
        let fout = u16_at(rec, 4);
        let (eax, ebx, edx, cl) = (u32_at(rec, 6), u32_at(rec, 10), u32_at(rec, 14), rec[18]);
        let (oeax, oebx, oedx) = (u32_at(rec, 19), u32_at(rec, 23), u32_at(rec, 27));
        state.gpr = [eax, u32::from(cl), edx, ebx, STACK_TOP - 64, 0, 0, 0];
        state.eip = CODE;
        state.eflags = 0x202 | fin;
        let r = cpu.run(&mut state, &mut mem, 16);
        // The data records #DE, not its cause; tests/programs.rs checks zero divisor against
        // quotient overflow.
        let want_exit = match (de, &r.exit) {
            (true, Exit::DivideError { by_zero }) => Exit::DivideError { by_zero: *by_zero },
            (true, _) => Exit::DivideError { by_zero: true },
            (false, _) => Exit::Thunk,
        };
        let got = (
            state.gpr[0],
            state.gpr[3],
            state.gpr[2],
            state.gpr[1],
            state.eflags & form.mask & FLAG_BITS,
        );
        let want = (
            oeax,
            oebx,
            oedx,
            u32::from(cl),
            fout & form.mask & FLAG_BITS,
        );
        if r.exit != want_exit || got != want {
            per_form_fail[id] += 1;
            per_form_diff[id].0 |= got.4 ^ want.4;
            per_form_diff[id].1 |=
                got.0 != want.0 || got.1 != want.1 || got.2 != want.2 || r.exit != want_exit;
            if per_form_fail[id] <= 3 {
                failures.push((
                    id,
                    format!(
                        "form {id} {} [{}]: in eax={eax:08x} ebx={ebx:08x} edx={edx:08x} cl={cl} fl={fin:03x}\n   want {want_exit:?} eax={oeax:08x} ebx={oebx:08x} edx={oedx:08x} fl={:03x}\n   got  {:?} eax={:08x} ebx={:08x} edx={:08x} fl={:03x} (diff {:03x})",
                        form.name,
                        form.code.iter().map(|b| format!("{b:02x}")).collect::<String>(),
                        want.4,
                        r.exit,
                        got.0,
                        got.1,
                        got.2,
                        got.4,
                        got.4 ^ want.4
                    ),
                ));
            }
        }
    }
    for rec in recs.chunks_exact(REC) {
        per_form_diff[(u16_at(rec, 0) & 0x7fff) as usize].2 += 1;
    }
    let total: usize = per_form_fail.iter().sum();
    if total > 0 {
        for (id, f) in forms.iter().enumerate() {
            if per_form_fail[id] > 0 {
                eprintln!(
                    "SUMMARY form {id} {:<36} {:<14} fails {}/{} flagdiff {:03x} regs {}",
                    f.name,
                    f.code
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>(),
                    per_form_fail[id],
                    per_form_diff[id].2,
                    per_form_diff[id].0,
                    per_form_diff[id].1
                );
            }
        }
        for (_, f) in failures.iter().take(300) {
            eprintln!("{f}");
        }
        panic!(
            "{total} of {n} vectors differ, in {} forms",
            per_form_fail.iter().filter(|&&c| c > 0).count()
        );
    }
    compiled + cpu.compiled_blocks()
}
