//! Kernel objects: the object header (type, handle count, name) and the object manager that
//! creates them, owns the \BaseNamedObjects directory and counts live objects per type.

use std::any::Any;
use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use hashbrown::HashMap;
use parking_lot::Mutex;

use crate::handle_table::{Handle, HandleAttributes, HandleTable};
use crate::wait::{Dispatcher, EventType, OwnerThread, Signal};
use crate::{AccessMask, ObjectError};

/// The kinds of kernel object ntemu's executive knows.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u8)]
pub enum ObjectType {
    /// An event (`CreateEvent`): notification (manual-reset) or synchronization (auto-reset).
    Event = 0,
    /// A mutant (`CreateMutex`): owned by a thread, recursive, abandoned when its owner exits.
    Mutant = 1,
    /// A semaphore (`CreateSemaphore`): a count bounded by a maximum.
    Semaphore = 2,
    /// A process: signalled when it exits.
    Process = 3,
    /// A thread: signalled when it exits.
    Thread = 4,
    /// An open file or device.
    File = 5,
    /// A section (file mapping).
    Section = 6,
    /// A registry key (NtOpenKey, RegOpenKeyEx): not waitable.
    Key = 7,
    /// An access token (OpenProcessToken): not waitable.
    Token = 8,
    /// A waitable timer (`CreateWaitableTimer`): notification (manual-reset) or
    /// synchronization (auto-reset), signalled when it expires.
    Timer = 9,
    /// An I/O completion port (`CreateIoCompletionPort`): a queue of completion packets,
    /// signalled while it holds one.
    IoCompletion = 10,
}

impl ObjectType {
    /// How many object types there are.
    pub const COUNT: usize = 11;
    /// Every type, in discriminant order.
    pub const ALL: [ObjectType; ObjectType::COUNT] = [
        ObjectType::Event,
        ObjectType::Mutant,
        ObjectType::Semaphore,
        ObjectType::Process,
        ObjectType::Thread,
        ObjectType::File,
        ObjectType::Section,
        ObjectType::Key,
        ObjectType::Token,
        ObjectType::Timer,
        ObjectType::IoCompletion,
    ];

    /// The type's name as the NT object manager spells it.
    pub fn name(self) -> &'static str {
        match self {
            ObjectType::Event => "Event",
            ObjectType::Mutant => "Mutant",
            ObjectType::Semaphore => "Semaphore",
            ObjectType::Process => "Process",
            ObjectType::Thread => "Thread",
            ObjectType::File => "File",
            ObjectType::Section => "Section",
            ObjectType::Key => "Key",
            ObjectType::Token => "Token",
            ObjectType::Timer => "Timer",
            ObjectType::IoCompletion => "IoCompletion",
        }
    }
}

/// State shared by the object manager and every object it created.
pub(crate) struct ManagerShared {
    /// The dispatcher database: signal states and wait lists of all waitable objects.
    pub(crate) dispatcher: Mutex<Dispatcher>,
    /// \BaseNamedObjects: name -> object. Holds weak references: a name never keeps an
    /// object alive; the last handle's close removes the name.
    directory: Mutex<HashMap<Box<str>, Weak<Object>>>,
    live: [AtomicUsize; ObjectType::COUNT],
}

/// A kernel object: a header that counts handles (the pointer count is the `Arc` count) and
/// a body (dispatcher state for waitable objects, an executive payload for processes,
/// threads, files and sections).
pub struct Object {
    object_type: ObjectType,
    handle_count: HandleCount,
    /// Index of this object's state in the dispatcher, or `NOT_WAITABLE`.
    dispatch_slot: u32,
    name: Option<Box<str>>,
    pub(crate) manager: Arc<ManagerShared>,
    payload: Option<Box<dyn Any + Send + Sync>>,
}

pub(crate) const NOT_WAITABLE: u32 = u32::MAX;

/// A handle count biased towards the host thread that created the object (biased reference
/// counting, Choi et al., PACT 2018). A machine runs on one host thread, so nearly every change
/// comes from the object's owner thread, which updates `biased` with a plain load and store
/// (no locked instruction); any other thread updates `shared` atomically. The count is their
/// sum: exact whenever the threads that changed it have synchronised with the reader, and for
/// named objects always, because their changes are made under the directory lock.
struct HandleCount {
    owner: u64,
    biased: AtomicU32,
    shared: AtomicU32,
}

impl HandleCount {
    fn new() -> Self {
        HandleCount {
            owner: host_thread_token(),
            biased: AtomicU32::new(0),
            shared: AtomicU32::new(0),
        }
    }

    #[inline]
    fn add(&self) {
        if host_thread_token() == self.owner {
            // Only the owner thread ever writes `biased`, so load + store loses nothing.
            let n = self.biased.load(Ordering::Relaxed);
            self.biased.store(n.wrapping_add(1), Ordering::Release);
        } else {
            self.shared.fetch_add(1, Ordering::AcqRel);
        }
    }

    #[inline]
    fn remove(&self) {
        if host_thread_token() == self.owner {
            let n = self.biased.load(Ordering::Relaxed);
            self.biased.store(n.wrapping_sub(1), Ordering::Release);
        } else {
            self.shared.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// The sum; a handle closed on another thread than it was opened on makes one half
    /// wrap below zero, which the wrapping sum absorbs.
    fn get(&self) -> u32 {
        self.biased
            .load(Ordering::Acquire)
            .wrapping_add(self.shared.load(Ordering::Acquire))
    }
}

/// A small number unique to the calling host thread, never 0.
#[inline]
fn host_thread_token() -> u64 {
    use std::cell::Cell;
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static TOKEN: Cell<u64> = const { Cell::new(0) };
    }
    TOKEN.with(|t| {
        let v = t.get();
        if v != 0 {
            v
        } else {
            let v = NEXT.fetch_add(1, Ordering::Relaxed);
            t.set(v);
            v
        }
    })
}

impl Object {
    /// The object's type.
    #[inline]
    pub fn object_type(&self) -> ObjectType {
        self.object_type
    }

    /// How many handles, in all handle tables, refer to this object.
    pub fn handle_count(&self) -> u32 {
        self.handle_count.get()
    }

    /// How many references (handles and in-flight references together) keep the object alive:
    /// NT's PointerCount.
    pub fn pointer_count(this: &Arc<Object>) -> usize {
        Arc::strong_count(this)
    }

    /// The object's name within \BaseNamedObjects, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The executive payload (process or thread state, file, section), if it is of type `T`.
    pub fn payload<T: Any>(&self) -> Option<&T> {
        self.payload.as_ref()?.downcast_ref::<T>()
    }

    /// True when threads can wait on the object.
    pub fn is_waitable(&self) -> bool {
        self.dispatch_slot != NOT_WAITABLE
    }

    pub(crate) fn dispatch_slot(&self) -> u32 {
        self.dispatch_slot
    }

    pub(crate) fn same_manager(&self, other: &Object) -> bool {
        Arc::ptr_eq(&self.manager, &other.manager)
    }

    /// Counts one more handle. Named objects are counted under the directory lock by the
    /// callers that can raise the count from zero (create and open by name).
    #[inline]
    pub(crate) fn add_handle(&self) {
        self.handle_count.add();
    }

    /// Counts one handle less; a named object leaves its directory with its last handle.
    /// Every change to a named object's count happens under the directory lock, so the
    /// check for zero sees every other thread's changes.
    #[inline]
    pub(crate) fn remove_handle(&self) {
        if self.name.is_none() {
            self.handle_count.remove();
        } else {
            self.remove_named_handle();
        }
    }

    /// [`remove_handle`](Self::remove_handle) of a named object: out of line, so the
    /// unnamed path inlines small.
    #[inline(never)]
    fn remove_named_handle(&self) {
        let mut dir = self.manager.directory.lock();
        self.handle_count.remove();
        if self.handle_count.get() == 0 {
            remove_name_if_self(&mut dir, self);
        }
    }

    /// [`add_handle`](Self::add_handle) for callers that may raise a named object's count
    /// from elsewhere than create or open by name (duplicate, inherit): under the lock.
    #[inline]
    pub(crate) fn add_handle_from_existing(&self) {
        if self.name.is_none() {
            self.handle_count.add();
        } else {
            self.add_named_handle();
        }
    }

    #[inline(never)]
    fn add_named_handle(&self) {
        let _dir = self.manager.directory.lock();
        self.handle_count.add();
    }
}

fn remove_name_if_self(dir: &mut HashMap<Box<str>, Weak<Object>>, object: &Object) {
    if let Some(name) = object.name.as_deref()
        && dir
            .get(name)
            .is_some_and(|w| std::ptr::eq(w.as_ptr(), object))
    {
        dir.remove(name);
    }
}

impl Drop for Object {
    fn drop(&mut self) {
        if self.dispatch_slot != NOT_WAITABLE {
            self.manager.dispatcher.lock().free(self.dispatch_slot);
        }
        if self.name.is_some() {
            let mut dir = self.manager.directory.lock();
            remove_name_if_self(&mut dir, self);
        }
        self.manager.live[self.object_type as usize].fetch_sub(1, Ordering::Release);
    }
}

/// Objects compare by identity: two references are equal when they name the same object.
impl PartialEq for Object {
    fn eq(&self, other: &Object) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Object {}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Object")
            .field("type", &self.object_type)
            .field("name", &self.name)
            .field("handle_count", &self.handle_count())
            .finish_non_exhaustive()
    }
}

/// What to create when a named object does not exist yet.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NamedObjectSpec {
    /// An event of this type and initial state.
    Event {
        /// Notification (manual-reset) or synchronization (auto-reset).
        event_type: EventType,
        /// Whether it starts signalled.
        initial_state: bool,
    },
    /// A mutant, owned from the start by this thread if given.
    Mutant {
        /// The initial owner (`bInitialOwner`); ignored when the name already exists.
        initial_owner: Option<OwnerThread>,
    },
    /// A semaphore with this initial count and maximum.
    Semaphore {
        /// The initial count.
        initial_count: i32,
        /// The maximum count.
        maximum_count: i32,
    },
    /// A waitable timer of this type, not signalled and not set.
    Timer {
        /// Notification (manual-reset) or synchronization (auto-reset).
        timer_type: EventType,
    },
}

impl NamedObjectSpec {
    fn object_type(self) -> ObjectType {
        match self {
            NamedObjectSpec::Event { .. } => ObjectType::Event,
            NamedObjectSpec::Mutant { .. } => ObjectType::Mutant,
            NamedObjectSpec::Semaphore { .. } => ObjectType::Semaphore,
            NamedObjectSpec::Timer { .. } => ObjectType::Timer,
        }
    }
}

/// The result of a create-or-open of a named object.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct NamedCreate {
    /// The new handle.
    pub handle: Handle,
    /// True when the name already existed and the existing object was opened
    /// (STATUS_OBJECT_NAME_EXISTS; Win32 sets ERROR_ALREADY_EXISTS).
    pub existed: bool,
}

/// The object manager of one machine: creates objects, keeps \BaseNamedObjects, runs the
/// dispatcher that waits use, and counts live objects per type.
#[derive(Clone)]
pub struct ObjectManager {
    shared: Arc<ManagerShared>,
}

impl Default for ObjectManager {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ObjectManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectManager")
            .field("live_objects", &self.live_objects_total())
            .finish_non_exhaustive()
    }
}

/// The directory named objects live in.
pub const BASE_NAMED_OBJECTS: &str = "\\BaseNamedObjects";

impl ObjectManager {
    /// A new object manager with an empty namespace.
    pub fn new() -> Self {
        ObjectManager {
            shared: Arc::new(ManagerShared {
                dispatcher: Mutex::new(Dispatcher::default()),
                directory: Mutex::new(HashMap::new()),
                live: Default::default(),
            }),
        }
    }

    fn make(
        &self,
        object_type: ObjectType,
        signal: Option<Signal>,
        name: Option<Box<str>>,
        payload: Option<Box<dyn Any + Send + Sync>>,
    ) -> Arc<Object> {
        let dispatch_slot = match signal {
            Some(s) => self.shared.dispatcher.lock().alloc(s),
            None => NOT_WAITABLE,
        };
        self.shared.live[object_type as usize].fetch_add(1, Ordering::Relaxed);
        Arc::new(Object {
            object_type,
            handle_count: HandleCount::new(),
            dispatch_slot,
            name,
            manager: Arc::clone(&self.shared),
            payload,
        })
    }

    /// Creates an unnamed event (NtCreateEvent).
    pub fn create_event(&self, event_type: EventType, initial_state: bool) -> Arc<Object> {
        self.make(
            ObjectType::Event,
            Some(Signal::event(event_type, initial_state)),
            None,
            None,
        )
    }

    /// Creates an unnamed mutant, owned by `initial_owner` if given (NtCreateMutant).
    pub fn create_mutant(&self, initial_owner: Option<OwnerThread>) -> Arc<Object> {
        self.make(
            ObjectType::Mutant,
            Some(Signal::mutant(initial_owner)),
            None,
            None,
        )
    }

    /// Creates an unnamed semaphore (NtCreateSemaphore). A maximum below 1, a negative initial
    /// count or an initial count above the maximum is STATUS_INVALID_PARAMETER.
    pub fn create_semaphore(
        &self,
        initial_count: i32,
        maximum_count: i32,
    ) -> Result<Arc<Object>, ObjectError> {
        let signal = Signal::semaphore(initial_count, maximum_count)?;
        Ok(self.make(ObjectType::Semaphore, Some(signal), None, None))
    }

    /// Creates an unnamed waitable timer, not signalled (NtCreateTimer): a notification timer
    /// stays signalled once it expires until it is set again; a synchronization timer releases
    /// one waiter and resets itself.
    pub fn create_timer(&self, timer_type: EventType) -> Arc<Object> {
        self.make(
            ObjectType::Timer,
            Some(Signal::event(timer_type, false)),
            None,
            None,
        )
    }

    /// Creates an executive object carrying `payload`: a process or thread (waitable,
    /// signalled by [`Object::signal_exit`]), a file (waitable, signalled at first, then
    /// reset and set by the I/O done on it through [`Object::set_signal_state`]), an I/O
    /// completion port (waitable, signalled by its owner through
    /// [`Object::set_signal_state`]), or a section, registry key or token (not waitable).
    /// Events, mutants, semaphores and timers have their own constructors.
    pub fn create_executive_object(
        &self,
        object_type: ObjectType,
        payload: Box<dyn Any + Send + Sync>,
    ) -> Result<Arc<Object>, ObjectError> {
        let signal = Self::executive_signal(object_type)?;
        Ok(self.make(object_type, signal, None, Some(payload)))
    }

    /// The signal an executive object of `object_type` starts with.
    fn executive_signal(object_type: ObjectType) -> Result<Option<Signal>, ObjectError> {
        Ok(match object_type {
            ObjectType::Process | ObjectType::Thread => Some(Signal::notification(false)),
            ObjectType::File => Some(Signal::notification(true)),
            ObjectType::IoCompletion => Some(Signal::event(EventType::Notification, false)),
            ObjectType::Section | ObjectType::Key | ObjectType::Token => None,
            ObjectType::Event | ObjectType::Mutant | ObjectType::Semaphore | ObjectType::Timer => {
                return Err(ObjectError::InvalidParameter);
            }
        })
    }

    /// Create-or-open of a named executive object in \BaseNamedObjects (NtCreateIoCompletion
    /// with a name), as [`ObjectManager::create_named`] does for events: `payload` makes the
    /// new object's payload, called only when the name is new; an existing object of the
    /// same type is opened (`existed` true), of another type the call fails with
    /// STATUS_OBJECT_TYPE_MISMATCH.
    pub fn create_named_executive(
        &self,
        table: &mut HandleTable,
        name: &str,
        object_type: ObjectType,
        payload: impl FnOnce() -> Box<dyn Any + Send + Sync>,
        access: AccessMask,
        attributes: HandleAttributes,
    ) -> Result<NamedCreate, ObjectError> {
        Self::check_name(name)?;
        let signal = Self::executive_signal(object_type)?;
        self.create_named_with(
            table,
            name,
            object_type,
            signal,
            payload,
            access,
            attributes,
        )
    }

    fn check_name(name: &str) -> Result<(), ObjectError> {
        if name.is_empty() {
            return Err(ObjectError::NameInvalid);
        }
        if name.contains('\\') {
            return Err(ObjectError::PathNotFound);
        }
        Ok(())
    }

    /// Create-or-open of a named event, mutant or semaphore in \BaseNamedObjects, inserting a
    /// handle with `access` into `table`. Names compare case-sensitively, as for Win32's
    /// CreateEvent/CreateMutex/CreateSemaphore. An existing object of the same type is opened
    /// (`existed` is true, its state untouched); of another type the call fails with
    /// STATUS_OBJECT_TYPE_MISMATCH (ERROR_INVALID_HANDLE).
    pub fn create_named(
        &self,
        table: &mut HandleTable,
        name: &str,
        spec: NamedObjectSpec,
        access: AccessMask,
        attributes: HandleAttributes,
    ) -> Result<NamedCreate, ObjectError> {
        Self::check_name(name)?;
        let object_type = spec.object_type();
        let signal = match spec {
            NamedObjectSpec::Event {
                event_type,
                initial_state,
            } => Signal::event(event_type, initial_state),
            NamedObjectSpec::Mutant { initial_owner } => Signal::mutant(initial_owner),
            NamedObjectSpec::Semaphore {
                initial_count,
                maximum_count,
            } => Signal::semaphore(initial_count, maximum_count)?,
            NamedObjectSpec::Timer { timer_type } => Signal::event(timer_type, false),
        };
        self.create_named_with(
            table,
            name,
            object_type,
            Some(signal),
            || None,
            access,
            attributes,
        )
    }

    /// The create-or-open under the directory lock: `payload` is called only for a new
    /// object.
    #[allow(clippy::too_many_arguments)]
    fn create_named_with<P: Into<Option<Box<dyn Any + Send + Sync>>>>(
        &self,
        table: &mut HandleTable,
        name: &str,
        object_type: ObjectType,
        signal: Option<Signal>,
        payload: impl FnOnce() -> P,
        access: AccessMask,
        attributes: HandleAttributes,
    ) -> Result<NamedCreate, ObjectError> {
        let access = object_type.map_access(access);
        let mut dir = self.shared.directory.lock();
        if let Some(existing) = dir.get(name).and_then(Weak::upgrade) {
            if existing.object_type != object_type {
                drop(dir);
                return Err(ObjectError::ObjectTypeMismatch);
            }
            let result = table.insert_named_locked(&existing, access, attributes);
            drop(dir);
            drop(existing);
            return result.map(|handle| NamedCreate {
                handle,
                existed: true,
            });
        }
        // Built under the directory lock (its dispatcher slot takes the dispatcher lock: the
        // order directory -> dispatcher is the same everywhere).
        let object = self.make(object_type, signal, Some(name.into()), payload().into());
        dir.insert(name.into(), Arc::downgrade(&object));
        match table.insert_named_locked(&object, access, attributes) {
            Ok(handle) => {
                // Object::drop takes the directory lock: release it first.
                drop(dir);
                drop(object);
                Ok(NamedCreate {
                    handle,
                    existed: false,
                })
            }
            Err(e) => {
                dir.remove(name);
                drop(dir);
                drop(object);
                Err(e)
            }
        }
    }

    /// Opens an existing named object (OpenEvent, OpenMutex, OpenSemaphore, OpenWaitableTimer).
    /// A missing name is STATUS_OBJECT_NAME_NOT_FOUND (ERROR_FILE_NOT_FOUND); another type is
    /// STATUS_OBJECT_TYPE_MISMATCH. The access asked for is checked as NT's access check
    /// against the object's default security checks it (see
    /// [`ObjectType::check_open_access`]).
    pub fn open_named(
        &self,
        table: &mut HandleTable,
        name: &str,
        object_type: ObjectType,
        access: AccessMask,
        attributes: HandleAttributes,
    ) -> Result<Handle, ObjectError> {
        Self::check_name(name)?;
        let dir = self.shared.directory.lock();
        let Some(existing) = dir.get(name).and_then(Weak::upgrade) else {
            return Err(ObjectError::NameNotFound);
        };
        if existing.object_type != object_type {
            drop(dir);
            return Err(ObjectError::ObjectTypeMismatch);
        }
        let granted = match object_type.check_open_access(access) {
            Ok(granted) => granted,
            Err(e) => {
                drop(dir);
                return Err(e);
            }
        };
        let result = table.insert_named_locked(&existing, granted, attributes);
        drop(dir);
        drop(existing);
        result
    }

    /// The object a name refers to now, if any.
    pub fn lookup_name(&self, name: &str) -> Option<Arc<Object>> {
        let dir = self.shared.directory.lock();
        dir.get(name).and_then(Weak::upgrade)
    }

    /// How many names \BaseNamedObjects holds.
    pub fn named_object_count(&self) -> usize {
        let dir = self.shared.directory.lock();
        dir.values().filter(|w| w.strong_count() > 0).count()
    }

    /// Live objects of one type created by this manager.
    pub fn live_objects(&self, object_type: ObjectType) -> usize {
        self.shared.live[object_type as usize].load(Ordering::Acquire)
    }

    /// Live objects of every type created by this manager.
    pub fn live_objects_total(&self) -> usize {
        ObjectType::ALL.iter().map(|&t| self.live_objects(t)).sum()
    }

    /// Abandons every mutant `thread` owns, as NT does when a thread exits: each becomes
    /// unowned and the next thread to acquire it gets WAIT_ABANDONED. Returns how many.
    pub fn abandon_mutants(&self, thread: OwnerThread) -> usize {
        self.shared.dispatcher.lock().abandon_mutants(thread)
    }
}
