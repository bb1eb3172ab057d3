//! Events, mutants, semaphores and waits, with NT's results; waits across host threads.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use nt_object::*;

const T1: OwnerThread = OwnerThread(4);
const T2: OwnerThread = OwnerThread(8);
const NOW: Option<Duration> = Some(Duration::ZERO);

fn wait_any(
    objects: &[Arc<Object>],
    who: OwnerThread,
    timeout: Option<Duration>,
) -> Result<WaitStatus, ObjectError> {
    wait_for_objects(objects, WaitType::Any, who, timeout)
}

#[test]
fn manual_reset_event_stays_signalled_until_reset() {
    let m = ObjectManager::new();
    let e = m.create_event(EventType::Notification, false);
    assert_eq!(e.wait(T1, NOW), Ok(WaitStatus::Timeout));
    assert_eq!(e.set_event(), Ok(false));
    assert_eq!(e.set_event(), Ok(true));
    assert_eq!(e.wait(T1, NOW), Ok(WaitStatus::Object(0)));
    assert_eq!(e.wait(T2, NOW), Ok(WaitStatus::Object(0)));
    assert_eq!(e.reset_event(), Ok(true));
    assert_eq!(e.wait(T1, NOW), Ok(WaitStatus::Timeout));
}

#[test]
fn auto_reset_event_releases_one_wait_and_resets() {
    let m = ObjectManager::new();
    let e = m.create_event(EventType::Synchronization, true);
    assert_eq!(e.wait(T1, NOW), Ok(WaitStatus::Object(0)));
    assert_eq!(e.event_state(), Ok(false));
    assert_eq!(e.wait(T2, NOW), Ok(WaitStatus::Timeout));
}

#[test]
fn pulse_releases_current_waiters_and_leaves_the_event_reset() {
    let m = ObjectManager::new();
    for (event_type, released) in [
        (EventType::Notification, 2),
        (EventType::Synchronization, 1),
    ] {
        let e = m.create_event(event_type, false);
        let w1 = match begin_wait(std::slice::from_ref(&e), WaitType::Any, T1).unwrap() {
            WaitStart::Pending(p) => p,
            WaitStart::Satisfied(_) => panic!("event was not signalled"),
        };
        let w2 = match begin_wait(std::slice::from_ref(&e), WaitType::Any, T2).unwrap() {
            WaitStart::Pending(p) => p,
            WaitStart::Satisfied(_) => panic!("event was not signalled"),
        };
        assert_eq!(e.pulse_event(), Ok(false));
        assert_eq!(e.event_state(), Ok(false));
        let done = [w1.poll(), w2.poll()]
            .iter()
            .filter(|s| **s == Some(WaitStatus::Object(0)))
            .count();
        assert_eq!(done, released, "{event_type:?}");
        // A wait that starts after the pulse is not released by it.
        assert_eq!(e.wait(T1, NOW), Ok(WaitStatus::Timeout));
    }
}

#[test]
fn auto_reset_event_wakes_waiters_in_fifo_order() {
    let m = ObjectManager::new();
    let e = m.create_event(EventType::Synchronization, false);
    let pending: Vec<PendingWait> = (0..3)
        .map(|i| {
            match begin_wait(
                std::slice::from_ref(&e),
                WaitType::Any,
                OwnerThread(4 * (i + 1)),
            )
            .unwrap()
            {
                WaitStart::Pending(p) => p,
                WaitStart::Satisfied(_) => panic!("not signalled"),
            }
        })
        .collect();
    for k in 0..3 {
        e.set_event().unwrap();
        for (i, p) in pending.iter().enumerate() {
            assert_eq!(p.poll().is_some(), i <= k, "after {} sets", k + 1);
        }
    }
    assert_eq!(e.event_state(), Ok(false));
}

#[test]
fn mutant_ownership_recursion_and_release() {
    let m = ObjectManager::new();
    let mx = m.create_mutant(None);
    assert_eq!(mx.wait(T1, NOW), Ok(WaitStatus::Object(0)));
    assert_eq!(mx.wait(T1, NOW), Ok(WaitStatus::Object(0)));
    assert_eq!(mx.mutant_state().unwrap().recursion, 2);
    assert_eq!(mx.wait(T2, NOW), Ok(WaitStatus::Timeout));
    let err = mx.release_mutant(T2).unwrap_err();
    assert_eq!(err, ObjectError::MutantNotOwned);
    assert_eq!(err.win32_error(), Win32Error::NOT_OWNER);
    assert_eq!(mx.release_mutant(T1), Ok(2));
    assert_eq!(mx.wait(T2, NOW), Ok(WaitStatus::Timeout));
    assert_eq!(mx.release_mutant(T1), Ok(1));
    assert_eq!(mx.release_mutant(T1), Err(ObjectError::MutantNotOwned));
    assert_eq!(mx.wait(T2, NOW), Ok(WaitStatus::Object(0)));
    assert_eq!(mx.mutant_state().unwrap().owner, Some(T2));
}

#[test]
fn abandoned_mutant_gives_wait_abandoned_once() {
    let m = ObjectManager::new();
    let other = m.create_event(EventType::Notification, false);
    let mx = m.create_mutant(Some(T1));
    assert_eq!(m.abandon_mutants(T1), 1);
    assert!(mx.mutant_state().unwrap().abandoned);
    let status = wait_any(&[other.clone(), mx.clone()], T2, NOW).unwrap();
    assert_eq!(status, WaitStatus::Abandoned(1));
    assert_eq!(status.to_win32(), 0x81);
    mx.release_mutant(T2).unwrap();
    assert_eq!(mx.wait(T1, NOW), Ok(WaitStatus::Object(0)));
    assert_eq!(m.abandon_mutants(T2), 0);
}

#[test]
fn abandonment_satisfies_a_blocked_waiter_with_wait_abandoned() {
    let m = ObjectManager::new();
    let mx = m.create_mutant(Some(T1));
    let pending = match begin_wait(std::slice::from_ref(&mx), WaitType::Any, T2).unwrap() {
        WaitStart::Pending(p) => p,
        WaitStart::Satisfied(_) => panic!("mutant was owned"),
    };
    m.abandon_mutants(T1);
    assert_eq!(pending.poll(), Some(WaitStatus::Abandoned(0)));
    assert_eq!(
        mx.mutant_state().unwrap(),
        MutantState {
            owner: Some(T2),
            recursion: 1,
            abandoned: false
        }
    );
}

#[test]
fn semaphore_counts_and_limits() {
    let m = ObjectManager::new();
    let s = m.create_semaphore(1, 2).unwrap();
    assert_eq!(s.wait(T1, NOW), Ok(WaitStatus::Object(0)));
    assert_eq!(s.wait(T1, NOW), Ok(WaitStatus::Timeout));
    assert_eq!(s.release_semaphore(2), Ok(0));
    let err = s.release_semaphore(1).unwrap_err();
    assert_eq!(err, ObjectError::SemaphoreLimitExceeded);
    assert_eq!(err.win32_error(), Win32Error::TOO_MANY_POSTS);
    assert_eq!(s.semaphore_state(), Ok((2, 2)));
    assert_eq!(s.release_semaphore(0), Err(ObjectError::InvalidParameter));
    assert_eq!(s.release_semaphore(-1), Err(ObjectError::InvalidParameter));
    assert_eq!(s.wait(T1, NOW), Ok(WaitStatus::Object(0)));
    // Overflowing u32 arithmetic is a limit error too, not a wrap.
    assert_eq!(
        s.release_semaphore(i32::MAX),
        Err(ObjectError::SemaphoreLimitExceeded)
    );
}

#[test]
fn semaphore_creation_parameters_are_checked() {
    let m = ObjectManager::new();
    for (initial, maximum) in [(0, 0), (-1, 5), (6, 5), (0, -3)] {
        assert_eq!(
            m.create_semaphore(initial, maximum)
                .unwrap_err()
                .win32_error(),
            Win32Error::INVALID_PARAMETER
        );
    }
    assert_eq!(m.live_objects_total(), 0);
}

#[test]
fn wrong_object_operations_are_type_mismatches() {
    let m = ObjectManager::new();
    let e = m.create_event(EventType::Notification, false);
    let mx = m.create_mutant(None);
    assert_eq!(e.release_mutant(T1), Err(ObjectError::ObjectTypeMismatch));
    assert_eq!(mx.set_event(), Err(ObjectError::ObjectTypeMismatch));
    assert_eq!(mx.pulse_event(), Err(ObjectError::ObjectTypeMismatch));
    assert_eq!(e.release_semaphore(1), Err(ObjectError::ObjectTypeMismatch));
    assert_eq!(e.signal_exit(), Err(ObjectError::ObjectTypeMismatch));
}

#[test]
fn wait_any_returns_the_lowest_signalled_index() {
    let m = ObjectManager::new();
    let objs: Vec<_> = (0..4)
        .map(|_| m.create_event(EventType::Notification, false))
        .collect();
    objs[2].set_event().unwrap();
    objs[3].set_event().unwrap();
    assert_eq!(wait_any(&objs, T1, NOW), Ok(WaitStatus::Object(2)));
    assert_eq!(WaitStatus::Object(2).to_win32(), 2);
}

#[test]
fn wait_all_is_all_or_nothing() {
    let m = ObjectManager::new();
    let s = m.create_semaphore(1, 1).unwrap();
    let e = m.create_event(EventType::Synchronization, false);
    let both = [s.clone(), e.clone()];
    assert_eq!(
        wait_for_objects(&both, WaitType::All, T1, NOW),
        Ok(WaitStatus::Timeout)
    );
    // The semaphore was not taken by the failed WaitAll.
    assert_eq!(s.semaphore_state(), Ok((1, 1)));
    e.set_event().unwrap();
    assert_eq!(
        wait_for_objects(&both, WaitType::All, T1, NOW),
        Ok(WaitStatus::Object(0))
    );
    assert_eq!(s.semaphore_state(), Ok((0, 1)));
    assert_eq!(e.event_state(), Ok(false));
}

#[test]
fn pending_wait_all_completes_only_when_every_object_is_signalled() {
    let m = ObjectManager::new();
    let a = m.create_event(EventType::Synchronization, false);
    let b = m.create_event(EventType::Synchronization, false);
    let pending = match begin_wait(&[a.clone(), b.clone()], WaitType::All, T1).unwrap() {
        WaitStart::Pending(p) => p,
        WaitStart::Satisfied(_) => panic!("nothing was signalled"),
    };
    a.set_event().unwrap();
    assert_eq!(pending.poll(), None);
    // The auto-reset event stays signalled: the WaitAll did not consume it alone.
    assert_eq!(a.event_state(), Ok(true));
    b.set_event().unwrap();
    assert_eq!(pending.poll(), Some(WaitStatus::Object(0)));
    assert_eq!((a.event_state(), b.event_state()), (Ok(false), Ok(false)));
}

#[test]
fn wait_all_with_an_abandoned_mutant_reports_abandoned() {
    let m = ObjectManager::new();
    let mx = m.create_mutant(Some(T1));
    let e = m.create_event(EventType::Notification, true);
    m.abandon_mutants(T1);
    assert_eq!(
        wait_for_objects(&[e, mx], WaitType::All, T2, NOW),
        Ok(WaitStatus::Abandoned(0))
    );
}

#[test]
fn invalid_waits_fail() {
    let m = ObjectManager::new();
    let e = m.create_event(EventType::Notification, true);
    assert_eq!(wait_any(&[], T1, NOW), Err(ObjectError::InvalidParameter));
    let many: Vec<_> = (0..65).map(|_| e.clone()).collect();
    assert_eq!(wait_any(&many, T1, NOW), Err(ObjectError::InvalidParameter));
    assert_eq!(wait_any(&many[..64], T1, NOW), Ok(WaitStatus::Object(0)));
    let dup = wait_for_objects(&[e.clone(), e.clone()], WaitType::All, T1, NOW).unwrap_err();
    assert_eq!(dup, ObjectError::InvalidParameterMix);
    assert_eq!(dup.win32_error(), Win32Error::INVALID_PARAMETER);
    let section = m
        .create_executive_object(ObjectType::Section, Box::new(()))
        .unwrap();
    assert_eq!(
        wait_any(&[section], T1, NOW),
        Err(ObjectError::ObjectTypeMismatch)
    );
    let other = ObjectManager::new().create_event(EventType::Notification, true);
    assert_eq!(
        wait_any(&[e, other], T1, NOW),
        Err(ObjectError::InvalidParameter)
    );
}

#[test]
fn timed_wait_times_out() {
    let m = ObjectManager::new();
    let e = m.create_event(EventType::Notification, false);
    assert_eq!(
        e.wait(T1, Some(Duration::from_millis(20))),
        Ok(WaitStatus::Timeout)
    );
    assert_eq!(WaitStatus::Timeout.to_win32(), 0x102);
}

#[test]
fn a_cancelled_wait_leaves_no_waiter_behind() {
    let m = ObjectManager::new();
    let e = m.create_event(EventType::Synchronization, false);
    match begin_wait(std::slice::from_ref(&e), WaitType::Any, T1).unwrap() {
        WaitStart::Pending(p) => assert_eq!(p.cancel(), None),
        WaitStart::Satisfied(_) => panic!("not signalled"),
    }
    // The signal is not consumed by the cancelled waiter.
    e.set_event().unwrap();
    assert_eq!(e.event_state(), Ok(true));
}

#[test]
fn process_and_thread_objects_signal_on_exit() {
    let m = ObjectManager::new();
    let p = m
        .create_executive_object(ObjectType::Process, Box::new(()))
        .unwrap();
    let t = m
        .create_executive_object(ObjectType::Thread, Box::new(()))
        .unwrap();
    assert_eq!(
        wait_any(&[p.clone(), t.clone()], T1, NOW),
        Ok(WaitStatus::Timeout)
    );
    t.signal_exit().unwrap();
    assert_eq!(
        wait_any(&[p.clone(), t.clone()], T1, NOW),
        Ok(WaitStatus::Object(1))
    );
    assert_eq!(
        wait_for_objects(&[p.clone(), t.clone()], WaitType::All, T1, NOW),
        Ok(WaitStatus::Timeout)
    );
    p.signal_exit().unwrap();
    assert_eq!(
        wait_for_objects(&[p.clone(), t.clone()], WaitType::All, T1, NOW),
        Ok(WaitStatus::Object(0))
    );
    assert_eq!(t.is_signaled(), Ok(true));
}

#[test]
fn waiter_and_signaller_on_different_host_threads() {
    let m = ObjectManager::new();
    let e = m.create_event(EventType::Synchronization, false);
    let waiter = {
        let e = e.clone();
        thread::spawn(move || e.wait(T2, None))
    };
    // Signal until the waiter has taken the event (it may not have started waiting yet).
    thread::sleep(Duration::from_millis(10));
    e.set_event().unwrap();
    assert_eq!(waiter.join().unwrap(), Ok(WaitStatus::Object(0)));
}

#[test]
fn mutant_hand_off_between_host_threads() {
    let m = ObjectManager::new();
    let mx = m.create_mutant(None);
    let counter = Arc::new(parking_lot::Mutex::new(0u32));
    let workers: Vec<_> = (0..4)
        .map(|i| {
            let mx = mx.clone();
            let counter = counter.clone();
            thread::spawn(move || {
                let me = OwnerThread(4 * (i + 1));
                for _ in 0..500 {
                    assert_eq!(mx.wait(me, None), Ok(WaitStatus::Object(0)));
                    *counter.lock() += 1;
                    mx.release_mutant(me).unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(*counter.lock(), 2000);
    assert_eq!(mx.mutant_state().unwrap().owner, None);
}
