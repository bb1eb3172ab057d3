//! CreateRemoteThread end to end, and its rollback: the path NT 4.0 leaked a handle on.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ntemu::kernel::{
    CREATE_SUSPENDED, CpuContext, CpuEngine, CpuExit, CpuRun, EXIT_THREAD_THUNK, NoServices,
    RunOutcome,
};
use ntemu::memory::AddressSpace;
use ntemu::object::OwnerThread;
use ntemu::{
    AccessMask, Architecture, ClientId, FaultPoint, FaultTrigger, Handle, Machine, MachineConfig,
    ProcessParams,
};

/// A CPU whose every thread returns 0 from its start routine at once.
struct ReturnAtOnce(Architecture);

impl CpuEngine for ReturnAtOnce {
    fn architecture(&self) -> Architecture {
        self.0
    }
    fn run(&mut self, context: &mut CpuContext, _: &mut AddressSpace, _: u64) -> CpuRun {
        context.set_return_value(0);
        context.set_program_counter(EXIT_THREAD_THUNK);
        CpuRun {
            exit: CpuExit::Thunk {
                address: EXIT_THREAD_THUNK,
            },
            retired: 1,
        }
    }
}

fn setup(target_arch: Architecture) -> (Machine, ClientId, Handle) {
    let mut m = Machine::new(MachineConfig::default());
    m.add_engine(Architecture::X86, || {
        Box::new(ReturnAtOnce(Architecture::X86))
    });
    m.add_engine(Architecture::Alpha, || {
        Box::new(ReturnAtOnce(Architecture::Alpha))
    });
    let caller = m
        .create_process(ProcessParams::new(Architecture::X86))
        .expect("caller");
    let caller_thread = m
        .spawn_thread(caller, 0x1000, 0, 0, CREATE_SUSPENDED)
        .expect("caller thread");
    let target = m
        .create_process(ProcessParams::new(target_arch))
        .expect("target");
    // A suspended thread keeps the target alive while the created ones come and go.
    m.spawn_thread(target, 0x1000, 0, 0, CREATE_SUSPENDED)
        .expect("target thread");
    let h = m
        .open_process(caller, target, AccessMask::PROCESS_ALL_ACCESS, false)
        .expect("open");
    (
        m,
        ClientId {
            process: caller,
            thread: caller_thread,
        },
        h,
    )
}

fn remote_thread(c: &mut Criterion) {
    let mut group = c.benchmark_group("remote_thread");
    for arch in [Architecture::X86, Architecture::Alpha] {
        let (mut m, caller, target) = setup(arch);
        group.bench_function(format!("create_run_wait_close/{}", arch.name()), |b| {
            b.iter(|| {
                let (th, _) = m
                    .create_remote_thread(caller, target, false, 0, 0x1000, 0, 0)
                    .expect("create");
                let outcome = m.run(&mut NoServices, None).expect("run");
                assert_eq!(outcome, RunOutcome::Blocked);
                let object = m
                    .process(caller.process)
                    .expect("caller")
                    .handle_table()
                    .reference(th, AccessMask::SYNCHRONIZE, None)
                    .expect("handle")
                    .clone();
                let status = object
                    .wait(OwnerThread(caller.thread), Some(Duration::ZERO))
                    .expect("wait");
                black_box(status);
                drop(object);
                m.close_handle(caller.process, th).expect("close");
            })
        });

        let (mut m, caller, target) = setup(arch);
        m.faults_mut()
            .arm(FaultPoint::RemoteThreadSubsystem, FaultTrigger::Always);
        group.bench_function(format!("create_fail_rollback/{}", arch.name()), |b| {
            b.iter(|| {
                let err = m
                    .create_remote_thread(caller, target, false, 0, 0x1000, 0, 0)
                    .expect_err("armed");
                black_box(err);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, remote_thread);
criterion_main!(benches);
