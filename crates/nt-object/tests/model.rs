//! Model-based test: random sequences of create / insert / close / duplicate / set and get
//! information / lookup / inherit on two handle tables, checked after every step against a
//! small reference model of NT's handle table. When every handle is closed, every object is
//! freed.

use std::sync::{Arc, Weak};

use nt_object::*;
use proptest::prelude::*;

const TABLES: usize = 2;
const QUOTAS: [u32; TABLES] = [12, 40];

#[derive(Clone, Copy, Debug)]
enum Pick {
    /// The n-th live handle of the table (modulo the count).
    Live(usize),
    /// Any value, mostly invalid.
    Raw(u32),
}

#[derive(Clone, Debug)]
enum Op {
    Create {
        table: usize,
        semaphore: bool,
        access: u32,
        attrs: u32,
    },
    InsertExisting {
        table: usize,
        object: usize,
        access: u32,
        attrs: u32,
    },
    Close {
        table: usize,
        pick: Pick,
    },
    Duplicate {
        from: usize,
        to: usize,
        pick: Pick,
        access: u32,
        attrs: u32,
        options: u32,
    },
    SetInfo {
        table: usize,
        pick: Pick,
        mask: u32,
        flags: u32,
    },
    GetInfo {
        table: usize,
        pick: Pick,
    },
    Lookup {
        table: usize,
        pick: Pick,
        access: u32,
        expect_semaphore: Option<bool>,
    },
    Inherit {
        from: usize,
        to: usize,
    },
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        4 => any::<usize>().prop_map(Pick::Live),
        1 => (0u32..200).prop_map(Pick::Raw),
    ]
}

fn access() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(AccessMask::EVENT_ALL_ACCESS.0),
        Just(AccessMask::SYNCHRONIZE.0),
        Just(0x0000_0003),
        Just(AccessMask::GENERIC_READ.0),
        Just(AccessMask::MAXIMUM_ALLOWED.0),
        any::<u32>(),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let t = 0..TABLES;
    prop_oneof![
        3 => (t.clone(), any::<bool>(), access(), 0u32..4)
            .prop_map(|(table, semaphore, access, attrs)| Op::Create { table, semaphore, access, attrs }),
        2 => (t.clone(), any::<usize>(), access(), 0u32..4)
            .prop_map(|(table, object, access, attrs)| Op::InsertExisting { table, object, access, attrs }),
        4 => (t.clone(), pick()).prop_map(|(table, pick)| Op::Close { table, pick }),
        3 => (t.clone(), t.clone(), pick(), access(), 0u32..4, 0u32..8)
            .prop_map(|(from, to, pick, access, attrs, options)| Op::Duplicate { from, to, pick, access, attrs, options }),
        1 => (t.clone(), pick(), 0u32..8, 0u32..8)
            .prop_map(|(table, pick, mask, flags)| Op::SetInfo { table, pick, mask, flags }),
        1 => (t.clone(), pick()).prop_map(|(table, pick)| Op::GetInfo { table, pick }),
        2 => (t.clone(), pick(), access(), proptest::option::of(any::<bool>()))
            .prop_map(|(table, pick, access, expect_semaphore)| Op::Lookup { table, pick, access, expect_semaphore }),
        1 => (t.clone(), t).prop_map(|(from, to)| Op::Inherit { from, to }),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Entry {
    object: usize,
    access: u32,
    attrs: u32,
}

#[derive(Clone, Debug)]
struct ModelTable {
    slots: Vec<Option<Entry>>,
    free: Vec<usize>, // top of stack = next reused
    quota: u32,
}

impl ModelTable {
    fn new(quota: u32) -> Self {
        ModelTable {
            slots: Vec::new(),
            free: Vec::new(),
            quota,
        }
    }
    fn count(&self) -> u32 {
        self.slots.iter().filter(|s| s.is_some()).count() as u32
    }
    fn live(&self) -> Vec<u32> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_some())
            .map(|(i, _)| (i as u32 + 1) * 4)
            .collect()
    }
    fn get(&self, h: u32) -> Option<Entry> {
        let i = ((h >> 2) as usize).checked_sub(1)?;
        *self.slots.get(i)?
    }
    fn insert(&mut self, e: Entry) -> Result<u32, ObjectError> {
        if self.count() >= self.quota {
            return Err(ObjectError::InsufficientResources);
        }
        let i = match self.free.pop() {
            Some(i) => i,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        self.slots[i] = Some(e);
        Ok((i as u32 + 1) * 4)
    }
    fn close(&mut self, h: u32, honour_protect: bool) -> Result<Entry, ObjectError> {
        let e = self.get(h).ok_or(ObjectError::InvalidHandle)?;
        if honour_protect && e.attrs & 2 != 0 {
            return Err(ObjectError::HandleNotClosable);
        }
        let i = (h >> 2) as usize - 1;
        self.slots[i] = None;
        self.free.push(i);
        Ok(e)
    }
    fn inherit(&self) -> ModelTable {
        let mut child = ModelTable::new(self.quota);
        let last = self
            .slots
            .iter()
            .rposition(|s| matches!(s, Some(e) if e.attrs & 1 != 0));
        if let Some(last) = last {
            for s in &self.slots[..=last] {
                child.slots.push(s.filter(|e| e.attrs & 1 != 0));
            }
            child.free = (0..=last)
                .rev()
                .filter(|&i| child.slots[i].is_none())
                .collect();
        }
        child
    }
}

struct Harness {
    manager: ObjectManager,
    tables: Vec<HandleTable>,
    model: Vec<ModelTable>,
    objects: Vec<(Weak<Object>, ObjectType)>,
}

impl Harness {
    fn resolve(&self, table: usize, pick: Pick) -> u32 {
        match pick {
            Pick::Live(n) => {
                let live = self.model[table].live();
                if live.is_empty() {
                    4
                } else {
                    live[n % live.len()]
                }
            }
            Pick::Raw(v) => v,
        }
    }

    fn model_handle_count(&self, object: usize) -> u32 {
        self.model
            .iter()
            .flat_map(|t| t.slots.iter())
            .filter(|s| matches!(s, Some(e) if e.object == object))
            .count() as u32
    }

    fn check(&self) {
        for (t, (real, model)) in self.tables.iter().zip(&self.model).enumerate() {
            assert_eq!(real.handle_count(), model.count(), "table {t} count");
            let real_entries: Vec<(u32, u32, u32)> = real
                .entries()
                .map(|e| (e.handle.0, e.granted_access.0, e.attributes.0))
                .collect();
            let model_entries: Vec<(u32, u32, u32)> = model
                .slots
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.map(|e| ((i as u32 + 1) * 4, e.access, e.attrs)))
                .collect();
            assert_eq!(real_entries, model_entries, "table {t} entries");
            for ty in [ObjectType::Event, ObjectType::Semaphore] {
                let expected = model
                    .slots
                    .iter()
                    .flatten()
                    .filter(|e| self.objects[e.object].1 == ty)
                    .count() as u32;
                assert_eq!(real.handle_count_by_type(ty), expected, "table {t} {ty:?}");
            }
            for e in real.entries() {
                let m = model.get(e.handle.0).expect("model entry");
                let expected = self.objects[m.object].0.upgrade().expect("object alive");
                assert!(
                    Arc::ptr_eq(e.object, &expected),
                    "handle {:?} names another object",
                    e.handle
                );
            }
        }
        let mut live = 0;
        for (id, (weak, _)) in self.objects.iter().enumerate() {
            let count = self.model_handle_count(id);
            match weak.upgrade() {
                Some(o) => {
                    assert_eq!(o.handle_count(), count, "object {id} handle count");
                    assert!(count > 0, "object {id} alive without handles");
                    live += 1;
                }
                None => assert_eq!(count, 0, "object {id} freed while it has handles"),
            }
        }
        assert_eq!(self.manager.live_objects_total(), live);
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Create {
                table,
                semaphore,
                access,
                attrs,
            } => {
                let (object, ty) = if semaphore {
                    (
                        self.manager.create_semaphore(1, 4).unwrap(),
                        ObjectType::Semaphore,
                    )
                } else {
                    (
                        self.manager.create_event(EventType::Notification, false),
                        ObjectType::Event,
                    )
                };
                let id = self.objects.len();
                self.objects.push((Arc::downgrade(&object), ty));
                let granted = ty.map_access(AccessMask(access));
                let real = self.tables[table].insert(&object, granted, HandleAttributes(attrs));
                let model = self.model[table].insert(Entry {
                    object: id,
                    access: granted.0,
                    attrs,
                });
                assert_eq!(real.map(|h| h.0), model);
            }
            Op::InsertExisting {
                table,
                object,
                access,
                attrs,
            } => {
                let alive: Vec<usize> = (0..self.objects.len())
                    .filter(|&i| self.model_handle_count(i) > 0)
                    .collect();
                if alive.is_empty() {
                    return;
                }
                let id = alive[object % alive.len()];
                let (weak, ty) = &self.objects[id];
                let o = weak.upgrade().expect("alive");
                let granted = ty.map_access(AccessMask(access));
                let real = self.tables[table].insert(&o, granted, HandleAttributes(attrs));
                let model = self.model[table].insert(Entry {
                    object: id,
                    access: granted.0,
                    attrs,
                });
                assert_eq!(real.map(|h| h.0), model);
            }
            Op::Close { table, pick } => {
                let h = self.resolve(table, pick);
                let real = self.tables[table].close(Handle(h));
                let model = self.model[table].close(h, true).map(|_| ());
                assert_eq!(real, model);
            }
            Op::Duplicate {
                from,
                to,
                pick,
                access,
                attrs,
                options,
            } => {
                let h = self.resolve(from, pick);
                let opts = DuplicateOptions(options);
                let real = if from == to {
                    self.tables[from].duplicate(
                        Handle(h),
                        AccessMask(access),
                        HandleAttributes(attrs),
                        opts,
                    )
                } else {
                    let (a, b) = self.tables.split_at_mut(1);
                    let (src, dst) = if from == 0 {
                        (&mut a[0], &mut b[0])
                    } else {
                        (&mut b[0], &mut a[0])
                    };
                    src.duplicate_into(
                        Handle(h),
                        dst,
                        AccessMask(access),
                        HandleAttributes(attrs),
                        opts,
                    )
                };
                let model = match self.model[from].get(h) {
                    None => Err(ObjectError::InvalidHandle),
                    Some(src) => {
                        let ty = self.objects[src.object].1;
                        let new_access = if options & 2 != 0 {
                            src.access
                        } else {
                            ty.map_access(AccessMask(access)).0
                        };
                        let new_attrs = if options & 4 != 0 {
                            src.attrs
                        } else {
                            attrs & 1
                        };
                        let entry = Entry {
                            object: src.object,
                            access: new_access,
                            attrs: new_attrs,
                        };
                        if from == to && options & 1 != 0 {
                            // Within one table NT closes the source first: the duplicate
                            // may take its slot.
                            let _ = self.model[from].close(h, true);
                            self.model[to].insert(entry)
                        } else {
                            let r = self.model[to].insert(entry);
                            if options & 1 != 0 {
                                let _ = self.model[from].close(h, true);
                            }
                            r
                        }
                    }
                };
                assert_eq!(real.map(|h| h.0), model);
            }
            Op::SetInfo {
                table,
                pick,
                mask,
                flags,
            } => {
                let h = self.resolve(table, pick);
                let real = self.tables[table].set_information(
                    Handle(h),
                    HandleAttributes(mask),
                    HandleAttributes(flags),
                );
                let model = match self.model[table].get(h) {
                    None => Err(ObjectError::InvalidHandle),
                    Some(_) => {
                        let i = (h >> 2) as usize - 1;
                        if let Some(e) = self.model[table].slots[i].as_mut() {
                            let m = mask & 3;
                            e.attrs = (e.attrs & !m) | (flags & m);
                        }
                        Ok(())
                    }
                };
                assert_eq!(real, model);
            }
            Op::GetInfo { table, pick } => {
                let h = self.resolve(table, pick);
                let real = self.tables[table].information(Handle(h)).map(|a| a.0);
                let model = self.model[table]
                    .get(h)
                    .map(|e| e.attrs)
                    .ok_or(ObjectError::InvalidHandle);
                assert_eq!(real, model);
            }
            Op::Lookup {
                table,
                pick,
                access,
                expect_semaphore,
            } => {
                let h = self.resolve(table, pick);
                let ty = expect_semaphore.map(|s| {
                    if s {
                        ObjectType::Semaphore
                    } else {
                        ObjectType::Event
                    }
                });
                let real = self.tables[table]
                    .reference(Handle(h), AccessMask(access), ty)
                    .map(Arc::as_ptr);
                let model = match self.model[table].get(h) {
                    None => Err(ObjectError::InvalidHandle),
                    Some(e) => {
                        let (weak, oty) = &self.objects[e.object];
                        let desired = if access & 0xF200_0000 != 0 {
                            oty.map_access(AccessMask(access)).0
                        } else {
                            access
                        };
                        if ty.is_some_and(|t| t != *oty) {
                            Err(ObjectError::ObjectTypeMismatch)
                        } else if e.access & desired != desired {
                            Err(ObjectError::AccessDenied)
                        } else {
                            Ok(weak.as_ptr())
                        }
                    }
                };
                assert_eq!(real, model);
            }
            Op::Inherit { from, to } => {
                let child = self.tables[from].inherit();
                let model_child = self.model[from].inherit();
                self.tables[to] = child;
                self.model[to] = model_child;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn handle_tables_agree_with_the_model(ops in proptest::collection::vec(op(), 1..120)) {
        let manager = ObjectManager::new();
        let mut h = Harness {
            tables: QUOTAS.iter().map(|&q| HandleTable::with_quota(q)).collect(),
            model: QUOTAS.iter().map(|&q| ModelTable::new(q)).collect(),
            objects: Vec::new(),
            manager: manager.clone(),
        };
        for op in &ops {
            h.apply(op);
            h.check();
        }
        // Close everything, protected or not: every object is freed.
        for t in 0..TABLES {
            for handle in h.model[t].live() {
                let _ = h.tables[t].set_information(Handle(handle), HandleAttributes::PROTECT_FROM_CLOSE, HandleAttributes::NONE);
                h.tables[t].close(Handle(handle)).expect("close");
                h.model[t].close(handle, false).expect("model close");
            }
            prop_assert_eq!(h.tables[t].handle_count(), 0);
        }
        h.check();
        prop_assert_eq!(manager.live_objects_total(), 0);
    }
}
