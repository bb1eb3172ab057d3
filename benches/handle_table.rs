//! The headline benchmark: the handle-allocation and lookup paths of the NT handle table,
//! with two baselines measured in the same run (a Mutex<HashMap> table, and the host kernel's
//! own descriptor table through dup + close).

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc, Mutex};

use criterion::{Criterion, criterion_group, criterion_main};
use ntemu::object::{DuplicateOptions, EventType};
use ntemu::{AccessMask, HandleAttributes, HandleTable, ObjectManager, ObjectType};

fn handle_table(c: &mut Criterion) {
    let manager = ObjectManager::new();
    let event = manager.create_event(EventType::Notification, false);
    let access = AccessMask::EVENT_ALL_ACCESS;

    let mut group = c.benchmark_group("handle_table");

    // The table already holds a handle to the event, as a process does that re-opens or
    // duplicates an object it uses: the table's reference to the object is shared.
    let mut table = HandleTable::new();
    let h = table
        .insert(&event, access, HandleAttributes::NONE)
        .expect("insert");
    group.bench_function("alloc_close", |b| {
        b.iter(|| {
            let h = table
                .insert(&event, access, HandleAttributes::NONE)
                .expect("insert");
            table.close(black_box(h)).expect("close");
        })
    });

    // The table's first and only handle to the object: it takes and drops its pointer
    // reference (two atomic read-modify-writes) each time.
    let mut fresh = HandleTable::new();
    group.bench_function("alloc_close_first_handle", |b| {
        b.iter(|| {
            let h = fresh
                .insert(&event, access, HandleAttributes::NONE)
                .expect("insert");
            fresh.close(black_box(h)).expect("close");
        })
    });
    drop(fresh);

    group.bench_function("lookup", |b| {
        b.iter(|| {
            let object = table
                .reference(
                    black_box(h),
                    AccessMask::EVENT_MODIFY_STATE,
                    Some(ObjectType::Event),
                )
                .expect("reference");
            black_box(object);
        })
    });

    group.bench_function("lookup_owned_reference", |b| {
        b.iter(|| {
            let object = Arc::clone(
                table
                    .reference(
                        black_box(h),
                        AccessMask::EVENT_MODIFY_STATE,
                        Some(ObjectType::Event),
                    )
                    .expect("reference"),
            );
            drop(black_box(object));
        })
    });

    group.bench_function("duplicate_close", |b| {
        b.iter(|| {
            let d = table
                .duplicate(
                    black_box(h),
                    AccessMask(0),
                    HandleAttributes::NONE,
                    DuplicateOptions::SAME_ACCESS,
                )
                .expect("duplicate");
            table.close(d).expect("close");
        })
    });

    let mut big = HandleTable::new();
    big.reserve(1_000_001);
    for _ in 0..1_000_000 {
        big.insert(&event, access, HandleAttributes::NONE)
            .expect("insert");
    }
    group.bench_function("alloc_close_1m_live", |b| {
        b.iter(|| {
            let h = big
                .insert(&event, access, HandleAttributes::NONE)
                .expect("insert");
            big.close(black_box(h)).expect("close");
        })
    });
    drop(big);

    // alloc_close behind a lock, for a caller that shares a table between host threads.
    let locked = parking_lot::Mutex::new(HandleTable::new());
    let holder = locked
        .lock()
        .insert(&event, access, HandleAttributes::NONE)
        .expect("insert");
    group.bench_function("alloc_close_locked", |b| {
        b.iter(|| {
            let mut t = locked.lock();
            let h = t
                .insert(&event, access, HandleAttributes::NONE)
                .expect("insert");
            t.close(black_box(h)).expect("close");
        })
    });

    locked.lock().close(holder).expect("close");

    let map: Mutex<HashMap<u32, Arc<ntemu::Object>>> = Mutex::new(HashMap::new());
    let mut next = 4u32;
    group.bench_function("baseline_mutex_hashmap", |b| {
        b.iter(|| {
            let key = next;
            next = next.wrapping_add(4);
            map.lock().expect("lock").insert(key, Arc::clone(&event));
            let removed = map.lock().expect("lock").remove(&black_box(key));
            drop(black_box(removed));
        })
    });

    // The floor of a table's first handle to an object: the pointer reference it takes and
    // drops (Arc::clone + drop, two locked read-modify-writes), with nothing else.
    group.bench_function("baseline_arc_clone_drop", |b| {
        b.iter(|| {
            let r = Arc::clone(black_box(&event));
            drop(black_box(r));
        })
    });

    let file = std::fs::File::open("/dev/null").expect("open /dev/null");
    group.bench_function("baseline_host_dup_close", |b| {
        b.iter(|| {
            // try_clone is fcntl(F_DUPFD_CLOEXEC): the kernel's dup; dropping it is close(2).
            let dup = file.try_clone().expect("dup");
            drop(black_box(dup));
        })
    });

    group.finish();
    table.close(h).expect("close");
}

criterion_group!(benches, handle_table);
criterion_main!(benches);
