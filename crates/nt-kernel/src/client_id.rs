//! The client-id table: process and thread ids, multiples of 4 as on NT, allocated from one
//! table (NT's PspCidTable), the most recently freed id reused first. An id stays taken until
//! its object is deleted, not merely until the process or thread ends.

use std::sync::{Arc, Weak};

use nt_object::Object;

/// Process and thread ids of one machine.
#[derive(Default)]
pub struct ClientIdTable {
    slots: Vec<Option<Weak<Object>>>,
    free: Vec<u32>,
    live: usize,
}

impl ClientIdTable {
    /// Takes a fresh id; [`bind`](Self::bind) attaches the object once it exists.
    pub(crate) fn reserve(&mut self) -> u32 {
        let index = match self.free.pop() {
            Some(i) => i as usize,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        self.slots[index] = Some(Weak::new());
        self.live += 1;
        (index as u32 + 1) * 4
    }

    /// Attaches `object` to a reserved id.
    pub(crate) fn bind(&mut self, id: u32, object: &Arc<Object>) {
        if let Some(slot) = self.slot_mut(id) {
            *slot = Some(Arc::downgrade(object));
        }
    }

    /// Frees an id (its object is being deleted).
    pub(crate) fn release(&mut self, id: u32) {
        if let Some(slot) = self.slot_mut(id)
            && slot.take().is_some()
        {
            self.live -= 1;
            self.free.push(id / 4 - 1);
        }
    }

    /// The object an id names, if it is still alive.
    pub fn lookup(&self, id: u32) -> Option<Arc<Object>> {
        if !id.is_multiple_of(4) {
            return None;
        }
        let index = (id / 4).checked_sub(1)? as usize;
        self.slots.get(index)?.as_ref()?.upgrade()
    }

    /// How many ids are taken.
    pub fn live(&self) -> usize {
        self.live
    }

    fn slot_mut(&mut self, id: u32) -> Option<&mut Option<Weak<Object>>> {
        let index = (id / 4).checked_sub(1)? as usize;
        self.slots.get_mut(index)
    }
}
