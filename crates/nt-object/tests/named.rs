//! \BaseNamedObjects: create-or-open, open, type clashes, name release on last close.

use nt_object::*;

const NONE: HandleAttributes = HandleAttributes::NONE;

fn event_spec() -> NamedObjectSpec {
    NamedObjectSpec::Event {
        event_type: EventType::Notification,
        initial_state: false,
    }
}

#[test]
fn create_of_an_existing_name_opens_it_with_already_exists() {
    let m = ObjectManager::new();
    let mut t = HandleTable::new();
    let first = m
        .create_named(
            &mut t,
            "ntemu-a",
            event_spec(),
            AccessMask::EVENT_ALL_ACCESS,
            NONE,
        )
        .unwrap();
    assert!(!first.existed);
    let second = m
        .create_named(
            &mut t,
            "ntemu-a",
            NamedObjectSpec::Event {
                event_type: EventType::Synchronization,
                initial_state: true,
            },
            AccessMask::EVENT_ALL_ACCESS,
            NONE,
        )
        .unwrap();
    assert!(second.existed);
    assert_eq!(
        NtStatus::OBJECT_NAME_EXISTS.to_win32_error(),
        Win32Error::ALREADY_EXISTS
    );
    let a = t
        .reference(first.handle, AccessMask(0), None)
        .unwrap()
        .clone();
    let b = t.reference(second.handle, AccessMask(0), None).unwrap();
    assert_eq!(&a, b);
    // The existing object's state is not changed by the second create's parameters.
    assert!(!a.event_state().unwrap());
    assert_eq!(a.handle_count(), 2);
    assert_eq!(a.name(), Some("ntemu-a"));
}

#[test]
fn same_name_other_type_is_invalid_handle() {
    let m = ObjectManager::new();
    let mut t = HandleTable::new();
    m.create_named(
        &mut t,
        "clash",
        event_spec(),
        AccessMask::EVENT_ALL_ACCESS,
        NONE,
    )
    .unwrap();
    let err = m
        .create_named(
            &mut t,
            "clash",
            NamedObjectSpec::Mutant {
                initial_owner: None,
            },
            AccessMask::MUTANT_ALL_ACCESS,
            NONE,
        )
        .unwrap_err();
    assert_eq!(err, ObjectError::ObjectTypeMismatch);
    assert_eq!(err.win32_error(), Win32Error::INVALID_HANDLE);
    let err = m
        .open_named(
            &mut t,
            "clash",
            ObjectType::Semaphore,
            AccessMask::SEMAPHORE_ALL_ACCESS,
            NONE,
        )
        .unwrap_err();
    assert_eq!(err.win32_error(), Win32Error::INVALID_HANDLE);
    assert_eq!(t.handle_count(), 1);
}

#[test]
fn open_of_a_missing_name_is_file_not_found() {
    let m = ObjectManager::new();
    let mut t = HandleTable::new();
    let err = m
        .open_named(
            &mut t,
            "missing",
            ObjectType::Event,
            AccessMask::EVENT_ALL_ACCESS,
            NONE,
        )
        .unwrap_err();
    assert_eq!(err, ObjectError::NameNotFound);
    assert_eq!(err.status(), NtStatus::OBJECT_NAME_NOT_FOUND);
    assert_eq!(err.win32_error(), Win32Error::FILE_NOT_FOUND);
}

#[test]
fn names_are_case_sensitive_and_reject_backslashes() {
    let m = ObjectManager::new();
    let mut t = HandleTable::new();
    m.create_named(
        &mut t,
        "Case",
        event_spec(),
        AccessMask::EVENT_ALL_ACCESS,
        NONE,
    )
    .unwrap();
    assert_eq!(
        m.open_named(
            &mut t,
            "case",
            ObjectType::Event,
            AccessMask::EVENT_ALL_ACCESS,
            NONE
        ),
        Err(ObjectError::NameNotFound)
    );
    let err = m
        .create_named(
            &mut t,
            "a\\b",
            event_spec(),
            AccessMask::EVENT_ALL_ACCESS,
            NONE,
        )
        .unwrap_err();
    assert_eq!(err.win32_error(), Win32Error::PATH_NOT_FOUND);
    assert_eq!(
        m.create_named(&mut t, "", event_spec(), AccessMask::EVENT_ALL_ACCESS, NONE)
            .unwrap_err()
            .win32_error(),
        Win32Error::INVALID_NAME
    );
}

#[test]
fn name_is_released_when_the_last_handle_closes() {
    let m = ObjectManager::new();
    let mut a = HandleTable::new();
    let mut b = HandleTable::new();
    let h1 = m
        .create_named(
            &mut a,
            "shared",
            event_spec(),
            AccessMask::EVENT_ALL_ACCESS,
            NONE,
        )
        .unwrap()
        .handle;
    let h2 = m
        .open_named(
            &mut b,
            "shared",
            ObjectType::Event,
            AccessMask::SYNCHRONIZE,
            NONE,
        )
        .unwrap();
    assert_eq!(b.entry(h2).unwrap().0, AccessMask::SYNCHRONIZE);
    let dup = a
        .duplicate(h1, AccessMask(0), NONE, DuplicateOptions::SAME_ACCESS)
        .unwrap();
    assert_eq!(m.named_object_count(), 1);
    a.close(h1).unwrap();
    b.close(h2).unwrap();
    // One handle (the duplicate) still keeps the name.
    assert!(m.lookup_name("shared").is_some());
    // A reference that is not a handle does not keep the name.
    let kept = a.reference(dup, AccessMask(0), None).unwrap().clone();
    a.close(dup).unwrap();
    assert!(m.lookup_name("shared").is_none());
    assert_eq!(m.named_object_count(), 0);
    assert_eq!(
        m.open_named(
            &mut a,
            "shared",
            ObjectType::Event,
            AccessMask::SYNCHRONIZE,
            NONE
        ),
        Err(ObjectError::NameNotFound)
    );
    // A new object may now take the name.
    let again = m
        .create_named(
            &mut a,
            "shared",
            event_spec(),
            AccessMask::EVENT_ALL_ACCESS,
            NONE,
        )
        .unwrap();
    assert!(!again.existed);
    assert_ne!(
        a.reference(again.handle, AccessMask(0), None).unwrap(),
        &kept
    );
    drop(kept);
    drop(a);
    drop(b);
    assert_eq!(m.live_objects_total(), 0);
    assert_eq!(m.named_object_count(), 0);
}

#[test]
fn failed_named_create_leaves_no_name_and_no_object() {
    let m = ObjectManager::new();
    let mut full = HandleTable::with_quota(0);
    let err = m
        .create_named(
            &mut full,
            "nope",
            event_spec(),
            AccessMask::EVENT_ALL_ACCESS,
            NONE,
        )
        .unwrap_err();
    assert_eq!(err, ObjectError::InsufficientResources);
    assert!(m.lookup_name("nope").is_none());
    assert_eq!(m.live_objects_total(), 0);
}

#[test]
fn inherited_named_handle_keeps_the_name() {
    let m = ObjectManager::new();
    let mut parent = HandleTable::new();
    let h = m
        .create_named(
            &mut parent,
            "inh",
            event_spec(),
            AccessMask::EVENT_ALL_ACCESS,
            HandleAttributes::INHERIT,
        )
        .unwrap()
        .handle;
    let child = parent.inherit();
    parent.close(h).unwrap();
    assert!(m.lookup_name("inh").is_some());
    drop(child);
    assert!(m.lookup_name("inh").is_none());
}

#[test]
fn named_semaphore_and_mutant_are_created_with_their_parameters() {
    let m = ObjectManager::new();
    let mut t = HandleTable::new();
    let s = m
        .create_named(
            &mut t,
            "sem",
            NamedObjectSpec::Semaphore {
                initial_count: 2,
                maximum_count: 5,
            },
            AccessMask::SEMAPHORE_ALL_ACCESS,
            NONE,
        )
        .unwrap();
    assert_eq!(
        t.reference(s.handle, AccessMask(0), None)
            .unwrap()
            .semaphore_state()
            .unwrap(),
        (2, 5)
    );
    let bad = m.create_named(
        &mut t,
        "bad",
        NamedObjectSpec::Semaphore {
            initial_count: 6,
            maximum_count: 5,
        },
        AccessMask::SEMAPHORE_ALL_ACCESS,
        NONE,
    );
    assert_eq!(
        bad.unwrap_err().win32_error(),
        Win32Error::INVALID_PARAMETER
    );
    let owner = OwnerThread(8);
    let mx = m
        .create_named(
            &mut t,
            "mx",
            NamedObjectSpec::Mutant {
                initial_owner: Some(owner),
            },
            AccessMask::MUTANT_ALL_ACCESS,
            NONE,
        )
        .unwrap();
    let state = t
        .reference(mx.handle, AccessMask(0), None)
        .unwrap()
        .mutant_state()
        .unwrap();
    assert_eq!(
        state,
        MutantState {
            owner: Some(owner),
            recursion: 1,
            abandoned: false
        }
    );
    // Opening it again with an initial owner does not acquire it.
    m.create_named(
        &mut t,
        "mx",
        NamedObjectSpec::Mutant {
            initial_owner: Some(OwnerThread(12)),
        },
        AccessMask::MUTANT_ALL_ACCESS,
        NONE,
    )
    .unwrap();
    assert_eq!(
        t.reference(mx.handle, AccessMask(0), None)
            .unwrap()
            .mutant_state()
            .unwrap(),
        state
    );
}
