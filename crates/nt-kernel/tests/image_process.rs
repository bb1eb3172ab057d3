//! Processes started from the real NT programs in ../shared/corpus/: the image is mapped at
//! its base, the PEB names it, the initial thread waits at the entry point with the context
//! of the image's architecture, and unresolved imports are bound to stubs the process can
//! name. Skips with a message when the corpus is absent.

mod common;

use common::machine;
use nt_kernel::*;
use pe_image::{NoImports, PeImage};

fn corpus(rel: &str) -> Option<Vec<u8>> {
    let path = pe_image::corpus::file(rel)?;
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[test]
fn corpus_console_programs_start_at_their_entry_points() {
    for (rel, arch, entry) in [
        ("alpha/aclock.exe", Architecture::Alpha, Some(0x0040_34F0)),
        ("x86/aclock.exe", Architecture::X86, None),
        ("alpha/ntvi.exe", Architecture::Alpha, None),
        ("x86/ntvi.exe", Architecture::X86, None),
    ] {
        let Some(bytes) = corpus(rel) else { return };
        let image = PeImage::parse(&bytes).expect("parse");
        let mut m = machine(MachineConfig::default());
        let started = m
            .create_process_from_image(&image, &mut NoImports, None, false, CREATE_SUSPENDED)
            .expect("start");
        assert_eq!(started.image.base, 0x40_0000, "{rel}");
        if let Some(entry) = entry {
            assert_eq!(started.image.entry_point, entry, "{rel}");
        }
        let p = m.process(started.process).expect("process");
        assert_eq!(p.architecture(), arch);
        let t = p.thread(started.thread).expect("thread");
        assert_eq!(t.context().architecture(), arch);
        match t.context() {
            // As NT's BaseInitializeContext: the first thread starts in the process start
            // thunk with the entry point in eax and the PEB in ebx.
            CpuContext::X86(c) => {
                assert_eq!(c.eip, BASE_PROCESS_START_THUNK, "{rel}");
                assert_eq!(c.gpr[X86_EAX], started.image.entry_point, "{rel}");
                assert_eq!(c.gpr[3], p.peb(), "{rel}");
            }
            CpuContext::Alpha(_) => {
                assert_eq!(t.context().program_counter(), started.image.entry_point);
            }
        }
        let mut word = [0u8; 4];
        p.address_space()
            .kernel_read(p.peb() + teb::peb_offsets::IMAGE_BASE, &mut word)
            .unwrap();
        assert_eq!(u32::from_le_bytes(word), 0x40_0000);
        // Every import is bound to a stub the process names as DLL!function.
        let kernel32 = image
            .imports
            .iter()
            .find(|d| d.dll.eq_ignore_ascii_case("KERNEL32.dll"))
            .expect("kernel32");
        let first = &kernel32.imports[0];
        p.address_space()
            .kernel_read(started.image.base + first.iat_rva, &mut word)
            .unwrap();
        let stub = p.import_stub(u32::from_le_bytes(word)).expect("stub");
        assert!(stub.dll.eq_ignore_ascii_case("KERNEL32.dll"));
        assert_eq!(stub.symbol, first.symbol);
        // The stack sizes come from the image headers.
        assert_eq!(
            p.default_stack().0,
            image.stack_reserve.max(arch.page_size().bytes())
        );
    }
}

#[test]
fn a_fault_at_a_stub_reaches_the_services_fault_hook() {
    let Some(bytes) = corpus("x86/aclock.exe") else {
        return;
    };
    let image = PeImage::parse(&bytes).expect("parse");
    let mut m = machine(MachineConfig::default());
    let started = m
        .create_process_from_image(&image, &mut NoImports, None, false, 0)
        .expect("start");
    // The fake CPU cannot run x86 code: jump straight to the first stub instead.
    let stub_addr = {
        let p = m.process(started.process).unwrap();
        let first = &image.imports[0].imports[0];
        let mut word = [0u8; 4];
        p.address_space()
            .kernel_read(started.image.base + first.iat_rva, &mut word)
            .unwrap();
        u32::from_le_bytes(word)
    };
    m.process_mut(started.process)
        .unwrap()
        .thread_mut(started.thread)
        .unwrap()
        .context_mut()
        .set_program_counter(stub_addr);
    struct Record(Vec<String>);
    impl SystemServices for Record {
        fn thunk(&mut self, _: &mut Machine, _: ClientId, _: u32) -> ServiceOutcome {
            ServiceOutcome::ExitProcess(1)
        }
        fn fault(
            &mut self,
            machine: &mut Machine,
            thread: ClientId,
            fault: nt_memory::Fault,
        ) -> ServiceOutcome {
            let p = machine.process(thread.process).unwrap();
            self.0.push(
                p.import_stub(fault.addr)
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            );
            ServiceOutcome::ExitProcess(0xC000_0139)
        }
    }
    let mut services = Record(Vec::new());
    assert_eq!(m.run(&mut services, None).unwrap(), RunOutcome::AllExited);
    assert_eq!(services.0.len(), 1);
    assert!(
        services.0[0]
            .to_ascii_uppercase()
            .starts_with("KERNEL32.DLL!"),
        "{:?}",
        services.0
    );
}
