//! The Win32 debugging model as NT 4.0 has it: a process is debugged by one thread (the one
//! that created it with DEBUG_PROCESS / DEBUG_ONLY_THIS_PROCESS or attached with
//! DebugActiveProcess); what happens in the debuggee (its creation, new threads, DLL loads and
//! unloads, exceptions, debug strings, thread and process exits) becomes a debug event in that
//! thread's queue, and every thread of the debuggee stays stopped from the moment an event is
//! queued until the debugger continues it (ContinueDebugEvent). Events of one process are
//! reported one at a time, in order: the next is reported once the previous one is continued.
//!
//! The kernel keeps the raw events; the Win32 layer turns a reported event into a DEBUG_EVENT
//! (opening the handles it carries in the debugger's process) and does what continuing an
//! exception event means (dispatching it to the debuggee's handlers, or ending it).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use nt_object::{EventType, Object};

use crate::KernelError;
use crate::machine::{ClientId, Machine};
use crate::teb::peb_offsets;

/// What a debug event tells of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DebugEventKind {
    /// EXCEPTION_DEBUG_EVENT: an exception in the thread.
    Exception {
        /// ExceptionCode.
        code: u32,
        /// ExceptionFlags.
        flags: u32,
        /// ExceptionAddress.
        address: u32,
        /// ExceptionInformation.
        parameters: Vec<u32>,
        /// True for the first chance (before the debuggee's handlers), false for the last.
        first_chance: bool,
    },
    /// CREATE_THREAD_DEBUG_EVENT: a new thread of a debugged process.
    CreateThread {
        /// Its start routine.
        start_address: u32,
        /// Its TEB.
        teb: u32,
    },
    /// CREATE_PROCESS_DEBUG_EVENT: the process (with its first thread) became debugged.
    CreateProcess {
        /// Where its image is mapped.
        image_base: u32,
        /// Its first thread's start routine.
        start_address: u32,
        /// Its first thread's TEB.
        teb: u32,
        /// The image file's guest path, for the file handle the event carries.
        image_path: Option<String>,
    },
    /// EXIT_THREAD_DEBUG_EVENT: a thread of the debuggee ended (not the last).
    ExitThread {
        /// Its exit code.
        exit_code: u32,
    },
    /// EXIT_PROCESS_DEBUG_EVENT: the debuggee's last thread ended.
    ExitProcess {
        /// Its exit code.
        exit_code: u32,
    },
    /// LOAD_DLL_DEBUG_EVENT: a DLL was mapped into the debuggee.
    LoadDll {
        /// Its module handle.
        base: u32,
        /// Its file's guest path (None for ntemu's builtin DLLs, which have no file).
        path: Option<String>,
    },
    /// UNLOAD_DLL_DEBUG_EVENT: a DLL was unmapped.
    UnloadDll {
        /// Its module handle.
        base: u32,
    },
    /// OUTPUT_DEBUG_STRING_EVENT: the thread called OutputDebugString.
    OutputDebugString {
        /// The string's address in the debuggee.
        address: u32,
        /// Its length in characters with the terminating null.
        length: u16,
        /// True for a UTF-16 string.
        unicode: bool,
    },
}

/// A debug event: the process and thread it concerns and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebugEvent {
    /// The debuggee's process id.
    pub process: u32,
    /// The thread id.
    pub thread: u32,
    /// What happened.
    pub kind: DebugEventKind,
}

struct Queued {
    event: DebugEvent,
    reported: bool,
}

/// One debugger thread's events.
struct DebuggerQueue {
    /// Signalled while an event can be reported.
    ready: Arc<Object>,
    events: VecDeque<Queued>,
}

impl DebuggerQueue {
    /// The index of the first event that can be reported: not yet reported, and no
    /// reported event of its process waits to be continued.
    fn deliverable(&self) -> Option<usize> {
        self.events.iter().position(|q| {
            !q.reported
                && !self
                    .events
                    .iter()
                    .any(|r| r.reported && r.event.process == q.event.process)
        })
    }

    fn update_ready(&self) {
        let _ = if self.deliverable().is_some() {
            self.ready.set_event()
        } else {
            self.ready.reset_event()
        };
    }
}

/// Every debugger's queue, by debugger thread id.
#[derive(Default)]
pub(crate) struct DebugState {
    queues: BTreeMap<u32, DebuggerQueue>,
}

impl Machine {
    /// Makes thread `debugger` the debugger of process `debuggee`: its PEB's BeingDebugged
    /// is set and its events go to the debugger's queue from now on; with `children` the
    /// processes it creates get the same debugger (DEBUG_PROCESS). Fails with
    /// STATUS_ACCESS_DENIED when it already has a debugger or a process would debug itself.
    pub fn attach_debugger(
        &mut self,
        debuggee: u32,
        debugger: ClientId,
        children: bool,
    ) -> Result<(), KernelError> {
        if debuggee == debugger.process {
            return Err(KernelError::Failed(nt_status::NtStatus::ACCESS_DENIED));
        }
        let process = self
            .process_mut(debuggee)
            .ok_or(KernelError::ProcessTerminating)?;
        if process.debugger.is_some() {
            return Err(KernelError::Failed(nt_status::NtStatus::ACCESS_DENIED));
        }
        process.debugger = Some(debugger);
        process.debug_children = children;
        let peb = process.peb;
        let _ = process
            .space
            .kernel_write(peb + peb_offsets::BEING_DEBUGGED, &[1]);
        if !self.debug.queues.contains_key(&debugger.thread) {
            let ready = self.objects().create_event(EventType::Notification, false);
            self.debug.queues.insert(
                debugger.thread,
                DebuggerQueue {
                    ready,
                    events: VecDeque::new(),
                },
            );
        }
        Ok(())
    }

    /// The thread debugging process `process`, if any.
    pub fn debugger_of(&self, process: u32) -> Option<ClientId> {
        self.process(process)?.debugger
    }

    /// The debugger the processes that process `process` creates get (DEBUG_PROCESS).
    pub fn debugger_for_children(&self, process: u32) -> Option<ClientId> {
        let p = self.process(process)?;
        p.debugger.filter(|_| p.debug_children)
    }

    /// True when thread `thread` debugs some process (it has an event queue).
    pub fn is_debugger(&self, thread: u32) -> bool {
        self.debug.queues.contains_key(&thread)
    }

    /// Queues an event of a debugged process for its debugger and stops the process's
    /// threads until the debugger continues it. False (nothing queued) when the process is
    /// not debugged.
    pub fn post_debug_event(&mut self, event: DebugEvent) -> bool {
        let Some(debugger) = self.debugger_of(event.process) else {
            return false;
        };
        let Some(queue) = self.debug.queues.get_mut(&debugger.thread) else {
            return false;
        };
        let pid = event.process;
        queue.events.push_back(Queued {
            event,
            reported: false,
        });
        queue.update_ready();
        if let Some(p) = self.process_mut(pid) {
            p.debug_stops += 1;
        }
        true
    }

    /// The object WaitForDebugEvent of thread `debugger` waits on: signalled while an event
    /// can be reported. None when the thread debugs nothing.
    pub fn debug_ready_object(&self, debugger: u32) -> Option<Arc<Object>> {
        self.debug
            .queues
            .get(&debugger)
            .map(|q| Arc::clone(&q.ready))
    }

    /// Reports the next event of debugger thread `debugger`'s queue (it then waits to be
    /// continued); None when no event can be reported now.
    pub fn take_debug_event(&mut self, debugger: u32) -> Option<DebugEvent> {
        let queue = self.debug.queues.get_mut(&debugger)?;
        let i = queue.deliverable()?;
        queue.events[i].reported = true;
        let event = queue.events[i].event.clone();
        queue.update_ready();
        Some(event)
    }

    /// ContinueDebugEvent's kernel part: the reported event of thread `thread` of process
    /// `process` leaves debugger `debugger`'s queue and the process runs again (unless more
    /// of its events wait). Returns the event. STATUS_INVALID_PARAMETER (NT's answer to ids
    /// naming no reported event) otherwise.
    pub fn continue_debug_event(
        &mut self,
        debugger: u32,
        process: u32,
        thread: u32,
    ) -> Result<DebugEvent, KernelError> {
        let invalid = KernelError::Failed(nt_status::NtStatus::INVALID_PARAMETER);
        let queue = self
            .debug
            .queues
            .get_mut(&debugger)
            .ok_or(invalid.clone())?;
        let i = queue
            .events
            .iter()
            .position(|q| q.reported && q.event.process == process && q.event.thread == thread)
            .ok_or(invalid)?;
        let Some(q) = queue.events.remove(i) else {
            return Err(KernelError::Failed(nt_status::NtStatus::INVALID_PARAMETER));
        };
        queue.update_ready();
        if let Some(p) = self.process_mut(process) {
            p.debug_stops = p.debug_stops.saturating_sub(1);
        }
        Ok(q.event)
    }

    /// The processes thread `debugger` debugs.
    pub fn debuggees_of(&self, debugger: u32) -> Vec<u32> {
        self.processes
            .values()
            .filter(|p| p.debugger.is_some_and(|d| d.thread == debugger))
            .map(|p| p.id)
            .collect()
    }

    /// A debugger thread ended: its queue goes and (as on NT 4.0, which has no
    /// DebugSetProcessKillOnExit) the processes it debugged end with it.
    pub(crate) fn debugger_gone(&mut self, debugger: u32) {
        if self.debug.queues.remove(&debugger).is_none() {
            return;
        }
        for pid in self.debuggees_of(debugger) {
            if let Some(p) = self.process_mut(pid) {
                p.debugger = None;
                p.debug_stops = 0;
            }
            self.exit_process(pid, 0);
        }
    }

    /// True when process `process`'s threads are stopped for its debugger.
    pub fn is_debug_stopped(&self, process: u32) -> bool {
        self.process(process).is_some_and(|p| p.debug_stops > 0)
    }
}
