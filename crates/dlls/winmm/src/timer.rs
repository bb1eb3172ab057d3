//! The multimedia timer: timeGetTime, timeGetSystemTime, timeGetDevCaps,
//! timeBeginPeriod/timeEndPeriod and timeSetEvent/timeKillEvent, as NT 4.0's WINMM has them.
//!
//! - Time is the machine's clock (milliseconds since the machine started, as GetTickCount),
//!   so everything here is deterministic under `--clock`.
//! - The caps are NT's: periods 1 to 1,000,000 ms. timeBeginPeriod and timeEndPeriod
//!   count the requests of each period in the process; a period outside the caps, or a
//!   timeEndPeriod without a matching timeBeginPeriod, is TIMERR_NOCANDO. Nothing else
//!   changes: the machine's clock is as fine as it is.
//! - timeSetEvent's timers run on one timer thread of the process (a guest thread, made by
//!   the first timeSetEvent and parked on its wake event until the next timer is due), one
//!   callback after another, as NT's WINMM runs them: `TimeProc(id, 0, dwUser, 0, 0)`
//!   (stdcall on x86, in a0-a4 on Alpha). A periodic timer is due every delay from when it
//!   was due (a late timer runs once at once, then goes on from there); a one-shot timer is
//!   gone once it has run, so timeKillEvent of it then is MMSYSERR_INVALPARAM. With
//!   TIME_CALLBACK_EVENT_SET / TIME_CALLBACK_EVENT_PULSE the "procedure" is an event handle
//!   that the thread sets or pulses, without running guest code. A delay outside the caps,
//!   or no procedure, gives timer id 0.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use nt_kernel::{
    ALPHA_A0, ALPHA_PV, ALPHA_RA, ClientId, CpuContext, ServiceOutcome, THUNK_BASE, X86_ESP,
    sign_extend,
};
use nt_memory::GuestMemory;
use nt_object::{AccessMask, EventType, Handle, Object, ObjectType, WaitType};
use win32::{ApiCall, PerProcess, Ptr, export};

/// Where the process's timer thread starts, and comes back after each wait.
pub const TIMER_THREAD_THUNK: u32 = THUNK_BASE + 0x74;
/// Where a timeSetEvent callback returns to (on the timer thread).
pub const TIMER_CALLBACK_RETURN_THUNK: u32 = THUNK_BASE + 0x78;

/// TIMERR_NOERROR.
pub const TIMERR_NOERROR: u32 = 0;
/// TIMERR_NOCANDO: a request the timer cannot do.
pub const TIMERR_NOCANDO: u32 = 97;
/// MMSYSERR_INVALPARAM: no such timer.
pub const MMSYSERR_INVALPARAM: u32 = 11;
/// The shortest period and delay (ms).
pub const PERIOD_MIN: u32 = 1;
/// The longest period and delay (ms).
pub const PERIOD_MAX: u32 = 1_000_000;

/// TIME_PERIODIC (else TIME_ONESHOT).
const TIME_PERIODIC: u32 = 0x1;
/// TIME_CALLBACK_EVENT_SET.
const TIME_CALLBACK_EVENT_SET: u32 = 0x10;
/// TIME_CALLBACK_EVENT_PULSE.
const TIME_CALLBACK_EVENT_PULSE: u32 = 0x20;
/// TIME_MS, the MMTIME type of timeGetSystemTime.
const TIME_MS: u32 = 1;
/// sizeof(MMTIME).
const MMTIME_SIZE: u32 = 12;
/// sizeof(TIMECAPS).
const TIMECAPS_SIZE: u32 = 8;

/// What a timer does when it is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    /// Call the guest procedure at this address.
    Call(u32),
    /// Set the event of this handle.
    Set(u32),
    /// Pulse the event of this handle.
    Pulse(u32),
}

/// One timer of timeSetEvent.
struct Timer {
    id: u32,
    /// Clock time (ms) it is due.
    due: u64,
    delay: u64,
    periodic: bool,
    action: Action,
    user: u32,
}

/// A process's multimedia timer.
#[derive(Default)]
struct Mm {
    /// timeBeginPeriod requests not yet ended, by period.
    periods: BTreeMap<u32, u32>,
    timers: Vec<Timer>,
    /// The last timer id given.
    last_id: u32,
    /// The timer thread and its wake event, once made.
    thread: Option<(u32, Arc<Object>)>,
    /// The timer thread's stack pointer before the callback running now (x86).
    saved_sp: Option<u32>,
}

/// Every process's timer (one value in the layer's state).
#[derive(Default)]
struct MmTimers {
    processes: PerProcess<Mm>,
}

fn with_mm<R>(call: &mut ApiCall<'_>, f: impl FnOnce(&mut Mm) -> R) -> Option<R> {
    let pid = call.thread.process;
    let object = call.process_object()?;
    Some(f(call
        .state
        .get::<MmTimers>()
        .processes
        .get_or_default(pid, &object)))
}

/// DWORD timeGetTime(void): milliseconds since the machine started, on its clock.
#[export]
pub fn timeGetTime(call: &mut ApiCall<'_>) -> u32 {
    call.machine.clock().now_ms() as u32
}

/// MMRESULT timeGetSystemTime(LPMMTIME pmmt, UINT cbmmt): the time as timeGetTime's in an
/// MMTIME of type TIME_MS. A structure shorter than MMTIME is left alone; the result is
/// TIMERR_NOERROR either way.
#[export]
pub fn timeGetSystemTime(call: &mut ApiCall<'_>, pmmt: Ptr, cbmmt: u32) -> u32 {
    if cbmmt >= MMTIME_SIZE {
        let now = call.machine.clock().now_ms() as u32;
        let mut bytes = TIME_MS.to_le_bytes().to_vec();
        bytes.extend_from_slice(&now.to_le_bytes());
        if call.write_bytes(pmmt.0, &bytes).is_err() {
            return TIMERR_NOCANDO;
        }
    }
    TIMERR_NOERROR
}

/// MMRESULT timeGetDevCaps(LPTIMECAPS ptc, UINT cbtc): wPeriodMin 1, wPeriodMax 1,000,000;
/// TIMERR_NOCANDO for a size smaller than TIMECAPS's or a structure that cannot be written.
#[export]
pub fn timeGetDevCaps(call: &mut ApiCall<'_>, ptc: Ptr, cbtc: u32) -> u32 {
    if cbtc < TIMECAPS_SIZE || ptc.is_null() {
        return TIMERR_NOCANDO;
    }
    let mut bytes = PERIOD_MIN.to_le_bytes().to_vec();
    bytes.extend_from_slice(&PERIOD_MAX.to_le_bytes());
    match call.write_bytes(ptc.0, &bytes) {
        Ok(()) => TIMERR_NOERROR,
        Err(_) => TIMERR_NOCANDO,
    }
}

fn period_ok(period: u32) -> bool {
    (PERIOD_MIN..=PERIOD_MAX).contains(&period)
}

/// MMRESULT timeBeginPeriod(UINT uPeriod): counts a request for the period;
/// TIMERR_NOCANDO outside the caps.
#[export]
pub fn timeBeginPeriod(call: &mut ApiCall<'_>, uPeriod: u32) -> u32 {
    if !period_ok(uPeriod) {
        return TIMERR_NOCANDO;
    }
    with_mm(call, |m| *m.periods.entry(uPeriod).or_default() += 1);
    TIMERR_NOERROR
}

/// MMRESULT timeEndPeriod(UINT uPeriod): ends a request of timeBeginPeriod for the period;
/// TIMERR_NOCANDO outside the caps or when none is outstanding.
#[export]
pub fn timeEndPeriod(call: &mut ApiCall<'_>, uPeriod: u32) -> u32 {
    if !period_ok(uPeriod) {
        return TIMERR_NOCANDO;
    }
    let ended = with_mm(call, |m| match m.periods.get_mut(&uPeriod) {
        Some(n) if *n > 1 => {
            *n -= 1;
            true
        }
        Some(_) => {
            m.periods.remove(&uPeriod);
            true
        }
        None => false,
    });
    if ended == Some(true) {
        TIMERR_NOERROR
    } else {
        TIMERR_NOCANDO
    }
}

/// MMRESULT timeSetEvent(UINT uDelay, UINT uResolution, LPTIMECALLBACK lpTimeProc,
/// DWORD_PTR dwUser, UINT fuEvent): a timer due in uDelay ms (then every uDelay ms with
/// TIME_PERIODIC) that calls lpTimeProc, or sets or pulses the event lpTimeProc names;
/// its id, or 0 for a delay outside the caps, no procedure, or a process that cannot have
/// the timer thread.
#[export]
pub fn timeSetEvent(
    call: &mut ApiCall<'_>,
    uDelay: u32,
    uResolution: u32,
    lpTimeProc: u32,
    dwUser: u32,
    fuEvent: u32,
) -> u32 {
    let _ = uResolution;
    if !period_ok(uDelay) || lpTimeProc == 0 {
        return 0;
    }
    let action = if fuEvent & TIME_CALLBACK_EVENT_SET != 0 {
        Action::Set(lpTimeProc)
    } else if fuEvent & TIME_CALLBACK_EVENT_PULSE != 0 {
        Action::Pulse(lpTimeProc)
    } else {
        Action::Call(lpTimeProc)
    };
    let wake = match timer_thread(call) {
        Some(w) => w,
        None => return 0,
    };
    let now = call.machine.clock().now_ms();
    let id = with_mm(call, |m| {
        m.last_id = m.last_id.wrapping_add(1).max(1);
        let id = m.last_id;
        m.timers.push(Timer {
            id,
            due: now + u64::from(uDelay),
            delay: u64::from(uDelay),
            periodic: fuEvent & TIME_PERIODIC != 0,
            action,
            user: dwUser,
        });
        id
    })
    .unwrap_or(0);
    let _ = wake.set_event();
    id
}

/// MMRESULT timeKillEvent(UINT uTimerID): the timer runs no more (a callback running now
/// finishes); MMSYSERR_INVALPARAM for an id that names no timer.
#[export]
pub fn timeKillEvent(call: &mut ApiCall<'_>, uTimerID: u32) -> u32 {
    let killed = with_mm(call, |m| {
        let i = m.timers.iter().position(|t| t.id == uTimerID)?;
        m.timers.remove(i);
        m.thread.as_ref().map(|(_, w)| Arc::clone(w))
    })
    .flatten();
    match killed {
        Some(wake) => {
            let _ = wake.set_event();
            TIMERR_NOERROR
        }
        None => MMSYSERR_INVALPARAM,
    }
}

/// The wake event of the process's timer thread, starting the thread if it has none.
fn timer_thread(call: &mut ApiCall<'_>) -> Option<Arc<Object>> {
    if let Some(Some((_, wake))) = with_mm(call, |m| m.thread.clone()) {
        return Some(wake);
    }
    let pid = call.thread.process;
    let thread = call
        .machine
        .spawn_thread(pid, TIMER_THREAD_THUNK, 0, 0, 0)
        .ok()?;
    let wake = call
        .machine
        .objects()
        .create_event(EventType::Synchronization, false);
    with_mm(call, |m| m.thread = Some((thread, Arc::clone(&wake))));
    Some(wake)
}

/// A thread reached one of the timer's thunks: None for any other address.
pub(crate) fn thunk(call: &mut ApiCall<'_>, address: u32) -> Option<ServiceOutcome> {
    match address {
        TIMER_THREAD_THUNK => Some(thread_turn(call, false)),
        TIMER_CALLBACK_RETURN_THUNK => Some(thread_turn(call, true)),
        _ => None,
    }
}

/// The timer thread's turn: after a callback returned (`returned`) its stack is put back;
/// then the due timers run in order of their due times, events set or pulsed here and a
/// procedure called on this thread (coming back at [`TIMER_CALLBACK_RETURN_THUNK`]); with
/// none due the thread waits for the next or for a change of the timers.
fn thread_turn(call: &mut ApiCall<'_>, returned: bool) -> ServiceOutcome {
    let me = call.thread;
    let Some((wake, saved)) = with_mm(call, |m| match &m.thread {
        Some((tid, wake)) if *tid == me.thread => Some((Arc::clone(wake), m.saved_sp.take())),
        _ => None,
    })
    .flatten() else {
        return ServiceOutcome::ExitThread(0);
    };
    if returned && let Some(sp) = saved {
        restore_sp(call, me, sp);
    }
    loop {
        let now = call.machine.clock().now_ms();
        let next = with_mm(call, |m| {
            let i = m
                .timers
                .iter()
                .enumerate()
                .filter(|(_, t)| t.due <= now)
                .min_by_key(|(_, t)| (t.due, t.id))
                .map(|(i, _)| i)?;
            let t = &mut m.timers[i];
            let fired = (t.id, t.action, t.user);
            if t.periodic {
                t.due = (t.due + t.delay).max(now);
            } else {
                m.timers.remove(i);
            }
            Some(fired)
        })
        .flatten();
        let Some((id, action, user)) = next else {
            break;
        };
        match action {
            Action::Set(h) | Action::Pulse(h) => {
                if let Ok(event) = call.reference(
                    Handle(h),
                    AccessMask::EVENT_MODIFY_STATE,
                    Some(ObjectType::Event),
                ) {
                    let _ = if matches!(action, Action::Set(_)) {
                        event.set_event()
                    } else {
                        event.pulse_event()
                    };
                }
            }
            Action::Call(procedure) => {
                if let Some(sp) = call_time_proc(call, me, procedure, [id, 0, user, 0, 0]) {
                    with_mm(call, |m| m.saved_sp = sp);
                    return ServiceOutcome::Continue;
                }
            }
        }
    }
    let now = call.machine.clock().now_ms();
    let next = with_mm(call, |m| m.timers.iter().map(|t| t.due).min()).flatten();
    ServiceOutcome::Wait {
        objects: vec![wake],
        wait_type: WaitType::Any,
        timeout: next.map(|d| Duration::from_millis(d.saturating_sub(now))),
    }
}

/// Points `thread` at `procedure(args...)` (stdcall on x86: the five arguments under the
/// return thunk; a0-a4 on Alpha), returning to [`TIMER_CALLBACK_RETURN_THUNK`]. Gives the
/// x86 stack pointer from before the call (None on Alpha); None when the thread's stack
/// cannot take the frame.
fn call_time_proc(
    call: &mut ApiCall<'_>,
    thread: ClientId,
    procedure: u32,
    args: [u32; 5],
) -> Option<Option<u32>> {
    let p = call.machine.process_mut(thread.process)?;
    let (space, t) = p.space_and_thread_mut(thread.thread);
    let t = t?;
    match t.context_mut() {
        CpuContext::X86(c) => {
            let old = c.gpr[X86_ESP];
            let sp = old.wrapping_sub(4 * 6);
            let frame: Vec<u8> = std::iter::once(TIMER_CALLBACK_RETURN_THUNK)
                .chain(args)
                .flat_map(|w| w.to_le_bytes())
                .collect();
            space.write_bytes(sp, &frame).ok()?;
            c.gpr[X86_ESP] = sp;
            c.eip = procedure;
            Some(Some(old))
        }
        CpuContext::Alpha(c) => {
            for (i, a) in args.iter().enumerate() {
                c.r[ALPHA_A0 + i] = sign_extend(*a);
            }
            c.r[ALPHA_RA] = sign_extend(TIMER_CALLBACK_RETURN_THUNK);
            c.r[ALPHA_PV] = sign_extend(procedure);
            c.pc = sign_extend(procedure);
            Some(None)
        }
    }
}

/// Puts the x86 stack pointer of `thread` back to where it was before a callback (a
/// procedure that is not stdcall leaves it elsewhere).
fn restore_sp(call: &mut ApiCall<'_>, thread: ClientId, sp: u32) {
    if let Some(p) = call.machine.process_mut(thread.process)
        && let Some(t) = p.thread_mut(thread.thread)
        && let CpuContext::X86(c) = t.context_mut()
    {
        c.gpr[X86_ESP] = sp;
    }
}
