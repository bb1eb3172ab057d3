//! Handle-table rules: values, reuse order, access and type checks, close, duplicate,
//! handle information, inheritance, quota and counters, each with NT's exact result.

use std::sync::Arc;

use nt_object::*;

fn event(m: &ObjectManager) -> Arc<Object> {
    m.create_event(EventType::Notification, false)
}

const ALL: AccessMask = AccessMask::EVENT_ALL_ACCESS;
const NONE: HandleAttributes = HandleAttributes::NONE;

#[test]
fn handle_values_are_multiples_of_four_starting_at_four() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let values: Vec<u32> = (0..5).map(|_| t.insert(&e, ALL, NONE).unwrap().0).collect();
    assert_eq!(values, vec![4, 8, 12, 16, 20]);
}

#[test]
fn low_two_bits_are_ignored_on_lookup_and_close() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let h = t.insert(&e, ALL, NONE).unwrap();
    for tag in 1..4 {
        let tagged = Handle(h.0 | tag);
        assert!(Arc::ptr_eq(
            t.reference(tagged, AccessMask(0), None).unwrap(),
            &e
        ));
    }
    t.close(Handle(h.0 | 3)).unwrap();
    assert_eq!(t.handle_count(), 0);
}

#[test]
fn most_recently_freed_slot_is_reused_first() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let hs: Vec<Handle> = (0..4).map(|_| t.insert(&e, ALL, NONE).unwrap()).collect();
    t.close(hs[1]).unwrap(); // 8
    t.close(hs[3]).unwrap(); // 16
    t.close(hs[0]).unwrap(); // 4
    assert_eq!(t.insert(&e, ALL, NONE).unwrap(), Handle(4));
    assert_eq!(t.insert(&e, ALL, NONE).unwrap(), Handle(16));
    assert_eq!(t.insert(&e, ALL, NONE).unwrap(), Handle(8));
    assert_eq!(t.insert(&e, ALL, NONE).unwrap(), Handle(20));
}

#[test]
fn invalid_handles_fail_with_invalid_handle() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let h = t.insert(&e, ALL, NONE).unwrap();
    for bad in [
        Handle(0),
        Handle(8),
        Handle(0x1000),
        Handle(0x8000_0004),
        Handle::CURRENT_PROCESS,
        Handle::CURRENT_THREAD,
    ] {
        let err = t.reference(bad, AccessMask(0), None).unwrap_err();
        assert_eq!(err, ObjectError::InvalidHandle);
        assert_eq!(err.status(), NtStatus::INVALID_HANDLE);
        assert_eq!(err.win32_error(), Win32Error(6));
        assert_eq!(t.close(bad), Err(ObjectError::InvalidHandle));
    }
    t.close(h).unwrap();
    // A closed handle is invalid, for lookup and for a second close.
    assert_eq!(
        t.reference(h, AccessMask(0), None).unwrap_err(),
        ObjectError::InvalidHandle
    );
    assert_eq!(t.close(h).unwrap_err().win32_error(), Win32Error(6));
}

#[test]
fn wrong_type_is_object_type_mismatch_and_error_invalid_handle() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let h = t.insert(&e, ALL, NONE).unwrap();
    let err = t
        .reference(h, AccessMask(0), Some(ObjectType::Mutant))
        .unwrap_err();
    assert_eq!(err, ObjectError::ObjectTypeMismatch);
    assert_eq!(err.status(), NtStatus::OBJECT_TYPE_MISMATCH);
    assert_eq!(err.win32_error(), Win32Error::INVALID_HANDLE);
    // The type is checked before the access, as ObReferenceObjectByHandle does.
    let weak = t.insert(&e, AccessMask::SYNCHRONIZE, NONE).unwrap();
    assert_eq!(
        t.reference(
            weak,
            AccessMask::MUTANT_QUERY_STATE,
            Some(ObjectType::Mutant)
        ),
        Err(ObjectError::ObjectTypeMismatch)
    );
}

#[test]
fn insufficient_access_is_access_denied() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let h = t
        .insert(&e, AccessMask::SYNCHRONIZE | AccessMask::READ_CONTROL, NONE)
        .unwrap();
    let err = t
        .reference(h, AccessMask::EVENT_MODIFY_STATE, Some(ObjectType::Event))
        .unwrap_err();
    assert_eq!(err, ObjectError::AccessDenied);
    assert_eq!(err.status(), NtStatus::ACCESS_DENIED);
    assert_eq!(err.win32_error(), Win32Error::ACCESS_DENIED);
    assert!(
        t.reference(h, AccessMask::SYNCHRONIZE, Some(ObjectType::Event))
            .is_ok()
    );
    // Generic rights in the desired mask are mapped before the check.
    assert_eq!(
        t.reference(h, AccessMask::GENERIC_WRITE, None),
        Err(ObjectError::AccessDenied)
    );
    assert!(t.reference(h, AccessMask::GENERIC_EXECUTE, None).is_ok());
}

#[test]
fn generic_access_maps_per_type() {
    assert_eq!(
        ObjectType::Event.map_access(AccessMask::GENERIC_ALL),
        AccessMask::EVENT_ALL_ACCESS
    );
    assert_eq!(
        ObjectType::Event.map_access(AccessMask::GENERIC_READ),
        AccessMask(0x0002_0001)
    );
    assert_eq!(
        ObjectType::Process.map_access(AccessMask::MAXIMUM_ALLOWED),
        AccessMask::PROCESS_ALL_ACCESS
    );
    assert_eq!(
        ObjectType::Thread.map_access(AccessMask::GENERIC_ALL),
        AccessMask::THREAD_ALL_ACCESS
    );
    // Bits the type does not define are dropped.
    assert_eq!(
        ObjectType::Mutant.map_access(AccessMask(0x0000_FFFF)),
        AccessMask(0x0001)
    );
}

#[test]
fn protected_handle_is_not_closable_until_the_flag_is_cleared() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let h = t
        .insert(&e, ALL, HandleAttributes::PROTECT_FROM_CLOSE)
        .unwrap();
    let err = t.close(h).unwrap_err();
    assert_eq!(err, ObjectError::HandleNotClosable);
    assert_eq!(err.status(), NtStatus::HANDLE_NOT_CLOSABLE);
    assert_eq!(err.status().0, 0xC000_0235);
    assert_eq!(t.handle_count(), 1);
    t.set_information(h, HandleAttributes::PROTECT_FROM_CLOSE, NONE)
        .unwrap();
    t.close(h).unwrap();
    assert_eq!(t.handle_count(), 0);
}

#[test]
fn get_and_set_handle_information() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let h = t.insert(&e, ALL, HandleAttributes::INHERIT).unwrap();
    assert_eq!(t.information(h).unwrap(), HandleAttributes::INHERIT);
    t.set_information(
        h,
        HandleAttributes::VALID,
        HandleAttributes::PROTECT_FROM_CLOSE,
    )
    .unwrap();
    assert_eq!(
        t.information(h).unwrap(),
        HandleAttributes::PROTECT_FROM_CLOSE
    );
    // Only the bits in the mask change.
    t.set_information(h, HandleAttributes::INHERIT, HandleAttributes::VALID)
        .unwrap();
    assert_eq!(t.information(h).unwrap(), HandleAttributes::VALID);
    assert_eq!(t.information(Handle(400)), Err(ObjectError::InvalidHandle));
    assert_eq!(
        t.set_information(Handle(400), HandleAttributes::INHERIT, NONE),
        Err(ObjectError::InvalidHandle)
    );
}

#[test]
fn duplicate_same_access_and_narrower_access() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let h = t.insert(&e, ALL, NONE).unwrap();
    let same = t
        .duplicate(h, AccessMask(0), NONE, DuplicateOptions::SAME_ACCESS)
        .unwrap();
    assert_eq!(same, Handle(8));
    assert_eq!(t.entry(same).unwrap().0, ALL);
    let narrow = t
        .duplicate(h, AccessMask::SYNCHRONIZE, NONE, DuplicateOptions::NONE)
        .unwrap();
    assert_eq!(t.entry(narrow).unwrap().0, AccessMask::SYNCHRONIZE);
    assert_eq!(
        t.reference(narrow, AccessMask::EVENT_MODIFY_STATE, None),
        Err(ObjectError::AccessDenied)
    );
    assert_eq!(e.handle_count(), 3);
    assert_eq!(t.handle_count(), 3);
}

#[test]
fn duplicate_attributes_follow_the_options() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let h = t.insert(&e, ALL, HandleAttributes::VALID).unwrap();
    let plain = t
        .duplicate(h, ALL, NONE, DuplicateOptions::SAME_ACCESS)
        .unwrap();
    assert_eq!(t.information(plain).unwrap(), NONE);
    let inherit = t
        .duplicate(
            h,
            ALL,
            HandleAttributes::INHERIT,
            DuplicateOptions::SAME_ACCESS,
        )
        .unwrap();
    assert_eq!(t.information(inherit).unwrap(), HandleAttributes::INHERIT);
    let same = t
        .duplicate(
            h,
            ALL,
            NONE,
            DuplicateOptions::SAME_ACCESS | DuplicateOptions::SAME_ATTRIBUTES,
        )
        .unwrap();
    assert_eq!(t.information(same).unwrap(), HandleAttributes::VALID);
}

#[test]
fn duplicate_close_source_closes_the_source_first() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let _other = t.insert(&e, ALL, NONE).unwrap();
    let h = t.insert(&e, ALL, NONE).unwrap();
    // The source is closed before the duplicate is made: the duplicate takes its slot.
    let d = t
        .duplicate(
            h,
            AccessMask(0),
            HandleAttributes::INHERIT,
            DuplicateOptions::SAME_ACCESS | DuplicateOptions::CLOSE_SOURCE,
        )
        .unwrap();
    assert_eq!(d, h);
    assert_eq!(t.information(d).unwrap(), HandleAttributes::INHERIT);
    assert_eq!(t.handle_count(), 2);
    assert_eq!(e.handle_count(), 2);
    // A handle protected from close stays: the duplicate is another.
    t.set_information(
        d,
        HandleAttributes::VALID,
        HandleAttributes::PROTECT_FROM_CLOSE,
    )
    .unwrap();
    let d2 = t
        .duplicate(
            d,
            AccessMask(0),
            NONE,
            DuplicateOptions::SAME_ACCESS | DuplicateOptions::CLOSE_SOURCE,
        )
        .unwrap();
    assert_ne!(d2, d);
    assert_eq!(t.handle_count(), 3);
}

#[test]
fn duplicate_close_source_of_the_last_handle_keeps_the_object() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let h = t.insert(&e, ALL, NONE).unwrap();
    let d = t
        .duplicate(
            h,
            AccessMask(0),
            NONE,
            DuplicateOptions::SAME_ACCESS | DuplicateOptions::CLOSE_SOURCE,
        )
        .unwrap();
    assert!(t.reference(d, AccessMask(0), None).is_ok());
    assert_eq!(t.handle_count(), 1);
    assert_eq!(e.handle_count(), 1);
}

#[test]
fn duplicate_close_source_closes_even_when_the_duplicate_fails() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut src = HandleTable::new();
    let mut dst = HandleTable::with_quota(0);
    let h = src.insert(&e, ALL, NONE).unwrap();
    let err = src
        .duplicate_into(
            h,
            &mut dst,
            AccessMask(0),
            NONE,
            DuplicateOptions::SAME_ACCESS | DuplicateOptions::CLOSE_SOURCE,
        )
        .unwrap_err();
    assert_eq!(err, ObjectError::InsufficientResources);
    assert_eq!(src.handle_count(), 0);
    assert_eq!(dst.handle_count(), 0);
    assert_eq!(e.handle_count(), 0);
}

#[test]
fn duplicate_of_an_invalid_handle_fails_and_changes_nothing() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let h = t.insert(&e, ALL, NONE).unwrap();
    assert_eq!(
        t.duplicate(Handle(0x40), ALL, NONE, DuplicateOptions::CLOSE_SOURCE),
        Err(ObjectError::InvalidHandle)
    );
    assert_eq!(t.handle_count(), 1);
    assert!(t.reference(h, ALL, None).is_ok());
}

#[test]
fn duplicate_across_tables() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut a = HandleTable::new();
    let mut b = HandleTable::new();
    let _b_first = b.insert(&event(&m), ALL, NONE).unwrap();
    let h = a.insert(&e, ALL, NONE).unwrap();
    let d = a
        .duplicate_into(
            h,
            &mut b,
            AccessMask::SYNCHRONIZE,
            NONE,
            DuplicateOptions::NONE,
        )
        .unwrap();
    assert_eq!(d, Handle(8));
    assert!(Arc::ptr_eq(
        b.reference(d, AccessMask::SYNCHRONIZE, None).unwrap(),
        &e
    ));
    assert_eq!(
        b.reference(d, AccessMask::EVENT_MODIFY_STATE, None),
        Err(ObjectError::AccessDenied)
    );
    assert_eq!(e.handle_count(), 2);
    a.close(h).unwrap();
    assert_eq!(e.handle_count(), 1);
    assert!(b.reference(d, AccessMask::SYNCHRONIZE, None).is_ok());
}

#[test]
fn inheritance_copies_only_inheritable_entries_at_the_same_values() {
    let m = ObjectManager::new();
    let objects: Vec<_> = (0..5).map(|_| event(&m)).collect();
    let mut parent = HandleTable::new();
    let hs: Vec<Handle> = objects
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let attrs = if i % 2 == 0 {
                HandleAttributes::INHERIT
            } else {
                NONE
            };
            parent
                .insert(o, AccessMask(0x0010_0000 | i as u32), attrs)
                .unwrap()
        })
        .collect();
    let mut child = parent.inherit();
    assert_eq!(child.handle_count(), 3);
    for (i, h) in hs.iter().enumerate() {
        let r = child.reference(*h, AccessMask(0), None);
        if i % 2 == 0 {
            assert!(Arc::ptr_eq(r.unwrap(), &objects[i]));
            assert_eq!(
                child.entry(*h).unwrap(),
                (
                    AccessMask(0x0010_0000 | i as u32),
                    HandleAttributes::INHERIT
                )
            );
            assert_eq!(objects[i].handle_count(), 2);
        } else {
            assert_eq!(r, Err(ObjectError::InvalidHandle));
            assert_eq!(objects[i].handle_count(), 1);
        }
    }
    // The child's free slots are reused lowest first, then new slots follow.
    let extra = event(&m);
    assert_eq!(child.insert(&extra, ALL, NONE).unwrap(), Handle(8));
    assert_eq!(child.insert(&extra, ALL, NONE).unwrap(), Handle(16));
    assert_eq!(child.insert(&extra, ALL, NONE).unwrap(), Handle(24));
}

#[test]
fn a_handle_list_narrows_inheritance_to_the_listed_inheritable_handles() {
    let m = ObjectManager::new();
    let objects: Vec<_> = (0..3).map(|_| event(&m)).collect();
    let mut parent = HandleTable::new();
    let inheritable = parent
        .insert(&objects[0], ALL, HandleAttributes::INHERIT)
        .unwrap();
    let unlisted = parent
        .insert(&objects[1], ALL, HandleAttributes::INHERIT)
        .unwrap();
    let not_inheritable = parent.insert(&objects[2], ALL, NONE).unwrap();
    let list = [inheritable, not_inheritable];
    let mut child = parent.inherit_only(|h| list.contains(&h));
    assert_eq!(child.handle_count(), 1);
    assert!(Arc::ptr_eq(
        child.reference(inheritable, AccessMask(0), None).unwrap(),
        &objects[0]
    ));
    assert_eq!(
        child.reference(unlisted, AccessMask(0), None),
        Err(ObjectError::InvalidHandle)
    );
    assert_eq!(
        child.reference(not_inheritable, AccessMask(0), None),
        Err(ObjectError::InvalidHandle)
    );
    assert_eq!(objects[1].handle_count(), 1);
    // The unlisted slot is free in the child, the first to be reused.
    assert_eq!(child.insert(&event(&m), ALL, NONE).unwrap(), unlisted);
}

#[test]
fn inheriting_from_a_table_without_inheritable_handles_is_empty() {
    let m = ObjectManager::new();
    let mut parent = HandleTable::new();
    parent.insert(&event(&m), ALL, NONE).unwrap();
    let mut child = parent.inherit();
    assert_eq!(child.handle_count(), 0);
    assert_eq!(child.insert(&event(&m), ALL, NONE).unwrap(), Handle(4));
}

#[test]
fn quota_exhaustion_is_insufficient_resources() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::with_quota(3);
    for _ in 0..3 {
        t.insert(&e, ALL, NONE).unwrap();
    }
    let err = t.insert(&e, ALL, NONE).unwrap_err();
    assert_eq!(err, ObjectError::InsufficientResources);
    assert_eq!(err.status(), NtStatus::INSUFFICIENT_RESOURCES);
    assert_eq!(err.win32_error(), Win32Error::NO_SYSTEM_RESOURCES);
    assert_eq!(
        t.duplicate(
            Handle(4),
            AccessMask(0),
            NONE,
            DuplicateOptions::SAME_ACCESS
        ),
        Err(ObjectError::InsufficientResources)
    );
    assert_eq!(t.handle_count(), 3);
    assert_eq!(e.handle_count(), 3);
    t.close(Handle(8)).unwrap();
    assert_eq!(t.insert(&e, ALL, NONE).unwrap(), Handle(8));
}

#[test]
fn quota_is_clamped_to_two_to_the_twenty_four() {
    assert_eq!(HandleTable::with_quota(u32::MAX).quota(), 1 << 24);
    assert_eq!(HandleTable::new().quota(), MAX_HANDLES);
}

#[test]
fn counters_track_handles_per_table_per_type_and_live_objects() {
    let m = ObjectManager::new();
    let mut t = HandleTable::new();
    let e = event(&m);
    let mx = m.create_mutant(None);
    let s = m.create_semaphore(0, 1).unwrap();
    assert_eq!(m.live_objects(ObjectType::Event), 1);
    assert_eq!(m.live_objects(ObjectType::Mutant), 1);
    assert_eq!(m.live_objects_total(), 3);
    let he = t.insert(&e, ALL, NONE).unwrap();
    t.insert(&e, ALL, NONE).unwrap();
    t.insert(&mx, AccessMask::MUTANT_ALL_ACCESS, NONE).unwrap();
    t.insert(&s, AccessMask::SEMAPHORE_ALL_ACCESS, NONE)
        .unwrap();
    assert_eq!(t.handle_count(), 4);
    assert_eq!(t.handle_count_by_type(ObjectType::Event), 2);
    assert_eq!(t.handle_count_by_type(ObjectType::Mutant), 1);
    assert_eq!(t.handle_count_by_type(ObjectType::Semaphore), 1);
    assert_eq!(e.handle_count(), 2);
    // One pointer reference for the test's variable, one for the table's handles together.
    assert_eq!(Object::pointer_count(&e), 2);
    t.close(he).unwrap();
    assert_eq!(t.handle_count_by_type(ObjectType::Event), 1);
    drop((e, mx, s));
    // Handles keep objects alive after the creator's references are gone.
    assert_eq!(m.live_objects_total(), 3);
    assert_eq!(t.close_all(), 3);
    assert_eq!(t.handle_count(), 0);
    assert_eq!(m.live_objects_total(), 0);
}

#[test]
fn close_all_closes_protected_handles_too() {
    let m = ObjectManager::new();
    let mut t = HandleTable::new();
    t.insert(&event(&m), ALL, HandleAttributes::PROTECT_FROM_CLOSE)
        .unwrap();
    assert_eq!(t.close_all(), 1);
    assert_eq!(m.live_objects_total(), 0);
}

#[test]
fn dropping_a_table_releases_its_objects() {
    let m = ObjectManager::new();
    let mut t = HandleTable::new();
    for _ in 0..10 {
        t.insert(&event(&m), ALL, NONE).unwrap();
    }
    assert_eq!(m.live_objects(ObjectType::Event), 10);
    drop(t);
    assert_eq!(m.live_objects(ObjectType::Event), 0);
}

#[test]
fn pseudo_handles_resolve_to_the_callers_process_and_thread() {
    let m = ObjectManager::new();
    let process = m
        .create_executive_object(ObjectType::Process, Box::new(1u32))
        .unwrap();
    let thread = m
        .create_executive_object(ObjectType::Thread, Box::new(2u32))
        .unwrap();
    let t = HandleTable::new();
    let current = CurrentObjects {
        process: &process,
        thread: &thread,
    };
    let p = t
        .reference_or_current(
            Handle::CURRENT_PROCESS,
            AccessMask::PROCESS_ALL_ACCESS,
            Some(ObjectType::Process),
            current,
        )
        .unwrap();
    assert!(Arc::ptr_eq(p, &process));
    assert_eq!(p.payload::<u32>(), Some(&1));
    let th = t
        .reference_or_current(
            Handle::CURRENT_THREAD,
            AccessMask::THREAD_ALL_ACCESS,
            None,
            current,
        )
        .unwrap();
    assert!(Arc::ptr_eq(th, &thread));
    assert_eq!(
        t.reference_or_current(
            Handle::CURRENT_THREAD,
            AccessMask(0),
            Some(ObjectType::Process),
            current
        ),
        Err(ObjectError::ObjectTypeMismatch)
    );
    assert_eq!(
        t.reference_or_current(Handle(4), AccessMask(0), None, current),
        Err(ObjectError::InvalidHandle)
    );
    assert!(Handle::CURRENT_PROCESS.is_pseudo() && !Handle(4).is_pseudo());
}

#[test]
fn entries_lists_live_handles_in_order() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let a = t.insert(&e, ALL, NONE).unwrap();
    let b = t
        .insert(&e, AccessMask::SYNCHRONIZE, HandleAttributes::INHERIT)
        .unwrap();
    let c = t.insert(&e, ALL, NONE).unwrap();
    t.close(b).unwrap();
    let listed: Vec<(Handle, AccessMask)> =
        t.entries().map(|x| (x.handle, x.granted_access)).collect();
    assert_eq!(listed, vec![(a, ALL), (c, ALL)]);
}

#[test]
fn table_reference_is_shared_but_handles_count_separately() {
    let m = ObjectManager::new();
    let e = event(&m);
    let mut t = HandleTable::new();
    let hs: Vec<Handle> = (0..100).map(|_| t.insert(&e, ALL, NONE).unwrap()).collect();
    assert_eq!(e.handle_count(), 100);
    assert_eq!(t.object_reference_count(), 1);
    for h in hs {
        t.close(h).unwrap();
    }
    assert_eq!(e.handle_count(), 0);
    assert_eq!(t.object_reference_count(), 0);
    assert_eq!(Object::pointer_count(&e), 1);
}

#[test]
fn executive_objects_of_the_dispatcher_types_are_refused() {
    let m = ObjectManager::new();
    assert_eq!(
        m.create_executive_object(ObjectType::Event, Box::new(()))
            .unwrap_err(),
        ObjectError::InvalidParameter
    );
    let section = m
        .create_executive_object(ObjectType::Section, Box::new(()))
        .unwrap();
    assert!(!section.is_waitable());
}
