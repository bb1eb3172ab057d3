//! Four host threads, 100,000 mixed operations on shared objects, a shared handle table,
//! named objects and cross-thread signals and waits: at the end no handle and no object is
//! left, and every object's handle count was right at every quiescent point.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use nt_object::*;
use parking_lot::Mutex;

const THREADS: u32 = 4;
const OPS_PER_THREAD: u32 = 25_000;

/// A small deterministic generator, so a failure can be replayed.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn four_threads_leave_no_handle_and_no_object_behind() {
    let manager = ObjectManager::new();
    let shared_table = Arc::new(Mutex::new(HandleTable::new()));
    let pool: Arc<Vec<Arc<Object>>> = Arc::new(
        (0..8)
            .map(|i| match i % 3 {
                0 => manager.create_event(EventType::Synchronization, false),
                1 => manager.create_mutant(None),
                _ => manager.create_semaphore(2, 1000).expect("semaphore"),
            })
            .collect(),
    );
    let workers: Vec<_> = (0..THREADS)
        .map(|n| {
            let manager = manager.clone();
            let shared_table = Arc::clone(&shared_table);
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                let me = OwnerThread(4 * (n + 1));
                let mut rng = XorShift(0x9E37_79B9_7F4A_7C15 ^ u64::from(n + 1));
                let mut own = HandleTable::with_quota(64);
                let mut mine: Vec<Handle> = Vec::new();
                let mut shared_mine: Vec<Handle> = Vec::new();
                for _ in 0..OPS_PER_THREAD {
                    let r = rng.next();
                    let object = &pool[(r >> 8) as usize % pool.len()];
                    match r % 10 {
                        0 | 1 => match own.insert(
                            object,
                            AccessMask(0x001F_0003),
                            HandleAttributes::NONE,
                        ) {
                            Ok(h) => mine.push(h),
                            Err(e) => assert_eq!(e, ObjectError::InsufficientResources),
                        },
                        2 | 3 => {
                            if let Some(h) = mine.pop() {
                                own.close(h).expect("close own");
                            }
                        }
                        4 => {
                            let mut t = shared_table.lock();
                            shared_mine.push(
                                t.insert(object, AccessMask(0x001F_0003), HandleAttributes::NONE)
                                    .expect("shared insert"),
                            );
                        }
                        5 => {
                            if let Some(h) = shared_mine.pop() {
                                let mut t = shared_table.lock();
                                // Move the handle from the shared table into this thread's table.
                                match t.duplicate_into(
                                    h,
                                    &mut own,
                                    AccessMask(0),
                                    HandleAttributes::NONE,
                                    DuplicateOptions::SAME_ACCESS | DuplicateOptions::CLOSE_SOURCE,
                                ) {
                                    Ok(d) => mine.push(d),
                                    Err(e) => assert_eq!(e, ObjectError::InsufficientResources),
                                }
                            }
                        }
                        6 => {
                            let name = format!("stress-{}", (r >> 20) % 5);
                            let spec = NamedObjectSpec::Event {
                                event_type: EventType::Notification,
                                initial_state: false,
                            };
                            match manager.create_named(
                                &mut own,
                                &name,
                                spec,
                                AccessMask::EVENT_ALL_ACCESS,
                                HandleAttributes::NONE,
                            ) {
                                Ok(c) => {
                                    own.reference(
                                        c.handle,
                                        AccessMask::EVENT_MODIFY_STATE,
                                        Some(ObjectType::Event),
                                    )
                                    .expect("named event")
                                    .set_event()
                                    .expect("set");
                                    own.close(c.handle).expect("close named");
                                }
                                Err(e) => assert_eq!(e, ObjectError::InsufficientResources),
                            }
                        }
                        7 => match object.object_type() {
                            ObjectType::Event => {
                                object.set_event().expect("set");
                            }
                            ObjectType::Semaphore => {
                                let _ = object.release_semaphore(1);
                            }
                            _ => {}
                        },
                        _ => {
                            let status = object
                                .wait(me, Some(Duration::from_micros(50)))
                                .expect("wait");
                            if matches!(status, WaitStatus::Object(_) | WaitStatus::Abandoned(_))
                                && object.object_type() == ObjectType::Mutant
                            {
                                object.release_mutant(me).expect("release");
                            }
                        }
                    }
                }
                for h in mine {
                    own.close(h).expect("final close");
                }
                let mut t = shared_table.lock();
                for h in shared_mine {
                    t.close(h).expect("final shared close");
                }
                assert_eq!(own.handle_count(), 0);
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    assert_eq!(shared_table.lock().handle_count(), 0);
    for object in pool.iter() {
        assert_eq!(object.handle_count(), 0, "{object:?}");
        assert_eq!(Object::pointer_count(object), 1, "{object:?}");
    }
    assert_eq!(manager.named_object_count(), 0);
    drop(pool);
    assert_eq!(manager.live_objects_total(), 0);
}
