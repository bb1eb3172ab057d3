//! Messages: SendMessageA/W (a direct call of the procedure for the calling thread's window;
//! for another thread's, the message goes to that thread's queue and the sender waits,
//! handling messages sent to itself meanwhile, as NT does), PostMessageA/W,
//! PostThreadMessageA/W, PostQuitMessage, GetMessageA/W, PeekMessageA/W, WaitMessage,
//! DispatchMessageA/W, TranslateMessage, DefWindowProcA/W, CallWindowProcA/W, InSendMessage
//! and the timers (SetTimer, KillTimer).
//!
//! A thread gets its queue the first time it calls one of these (or creates a window);
//! PostThreadMessage to a thread without one fails with ERROR_INVALID_THREAD_ID, as on NT.
//! Messages sent from other threads are handled inside GetMessage, PeekMessage, WaitMessage
//! and a waiting SendMessage, before posted messages.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use nt_memory::GuestMemory;
use nt_object::{EventType, WaitType};
use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::geometry::{self, Rect};
use win32k::queue::{Filter, Message, Sent, Timer, WM_QUIT};

use crate::guest::{Step, Then, entry_stack, run, scratch};
use crate::window::{OLD_OFF, SWP_NOCLIENTMOVE, SWP_NOCLIENTSIZE, TEXT_OFF, destroy_acts};
use crate::wm::*;

/// HWND_BROADCAST.
const HWND_BROADCAST: u32 = 0xFFFF;
/// PM_REMOVE.
const PM_REMOVE: u32 = 0x0001;
/// SC_CLOSE.
const SC_CLOSE: u32 = 0xF060;
/// VK_F4.
const VK_F4: u32 = 0x73;

/// SC_SIZE.
const SC_SIZE: u32 = 0xF000;
/// SC_MOVE.
const SC_MOVE: u32 = 0xF010;

/// A window being moved or sized with the mouse (SC_MOVE, SC_SIZE): the window, the edge
/// (0 for a move, else WMSZ_*), its screen rectangle and the mouse when it began.
#[derive(Default)]
struct Moving(Option<(u32, u32, Rect, (i32, i32))>);

/// The window's new screen rectangle when the mouse went from `from` to `to` holding
/// `edge` (0: the whole window; WMSZ_LEFT 1, RIGHT 2, TOP 3, TOPLEFT 4, TOPRIGHT 5, BOTTOM 6,
/// BOTTOMLEFT 7, BOTTOMRIGHT 8), no smaller than SM_CXMINTRACK x SM_CYMINTRACK.
fn dragged(start: Rect, edge: u32, from: (i32, i32), to: (i32, i32)) -> Rect {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    if edge == 0 {
        return start.offset(dx, dy);
    }
    let mut r = start;
    let (min_w, min_h) = (112, 27);
    if matches!(edge, 1 | 4 | 7) {
        r.left = (start.left + dx).min(start.right - min_w);
    }
    if matches!(edge, 2 | 5 | 8) {
        r.right = (start.right + dx).max(start.left + min_w);
    }
    if (3..=5).contains(&edge) {
        r.top = (start.top + dy).min(start.bottom - min_h);
    }
    if (6..=8).contains(&edge) {
        r.bottom = (start.bottom + dy).max(start.top + min_h);
    }
    r
}

/// SC_MOVE's and SC_SIZE's loop, as NT's xxxMoveSize runs it with the whole window
/// dragged: the window has the capture; each mouse move puts the window where the mouse
/// takes it (SetWindowPos), the button going up ends it. The loop takes only the window's
/// mouse messages, waiting for them on the queue; the export is called again after each
/// wait and goes on with the same drag.
fn move_loop(call: &mut ApiCall<'_>, hwnd: u32, edge: u32, lp: u32) -> Step {
    let held = call.state.get::<Moving>().0;
    let (start, from) = match held {
        Some((h, e, start, from)) if h == hwnd && e == edge => (start, from),
        _ => {
            let m = wm(call);
            let Some((rect, _)) = m.screen_rects(hwnd) else {
                return Step::Return(0);
            };
            let from = if lp == 0 {
                m.display.cursor
            } else {
                (i32::from(lp as i16), i32::from((lp >> 16) as i16))
            };
            m.display.capture = hwnd;
            call.state.get::<Moving>().0 = Some((hwnd, edge, rect, from));
            (rect, from)
        }
    };
    let (p, t) = (call.thread.process, call.thread.thread);
    let filter = Filter {
        hwnd,
        min: 0x0200,
        max: 0x020D,
    };
    let Some(q) = wm(call).queue_of(p, t) else {
        return Step::Return(0);
    };
    let Some(m) = q.take_posted(&filter, true) else {
        let _ = q.event.reset_event();
        return Step::Wait {
            objects: vec![q.event.clone()],
            timeout: None,
        };
    };
    let done = m.message == 0x0202; // WM_LBUTTONUP
    if done {
        call.state.get::<Moving>().0 = None;
        wm(call).display.capture = 0;
    }
    let target = dragged(start, edge, from, m.pt);
    let w = wm(call);
    let (ox, oy) = w.parent_origin(hwnd);
    let changed = w.screen_rects(hwnd).is_some_and(|(r, _)| r != target);
    let mut acts = VecDeque::new();
    if changed {
        let base = scratch(call);
        let mut flags = crate::window::SWP_NOZORDER | crate::window::SWP_NOACTIVATE;
        if edge == 0 {
            flags |= crate::window::SWP_NOSIZE;
        }
        acts.extend(crate::window::pos_acts(
            call,
            hwnd,
            0,
            target.left - ox,
            target.top - oy,
            target.width(),
            target.height(),
            flags,
            base,
        ));
    }
    if done {
        return plan(call, acts, 0, returning(0));
    }
    plan(call, acts, 0, Box::new(|_, _| Step::Again))
}

/// The top-level window `hwnd` is in (itself when it is one).
fn top_level(call: &mut ApiCall<'_>, hwnd: u32) -> u32 {
    let mut h = hwnd;
    for _ in 0..64 {
        match wm(call).window(h) {
            Some(w) if w.style & win32k::WS_CHILD != 0 && w.parent != win32k::DESKTOP => {
                h = w.parent
            }
            _ => break,
        }
    }
    h
}

/// The shortest timer period (USER_TIMER_MINIMUM).
const TIMER_MINIMUM: u32 = 10;

/// Cross-thread sends in progress.
#[derive(Default)]
struct Sends {
    /// The next send's number.
    next: u64,
    /// Sends waiting for a reply, by (process, thread, stack pointer at the call).
    pending: BTreeMap<(u32, u32, u32), u64>,
    /// Replies by send number (None: not yet).
    replies: BTreeMap<u64, Option<u32>>,
    /// How many sent messages each thread is handling (InSendMessage).
    receiving: BTreeMap<(u32, u32), u32>,
}

/// Forgets the windows and queues of threads that have ended (NT destroys a thread's
/// windows when it exits): messages sent to them are answered 0, so their senders go on.
pub fn reap(call: &mut ApiCall<'_>) {
    let alive = |call: &ApiCall<'_>, p: u32, t: u32| {
        call.machine
            .process(p)
            .and_then(|pr| pr.thread(t))
            .is_some()
    };
    let keys: Vec<(u32, u32)> = wm(call).queues.keys().copied().collect();
    let dead: Vec<(u32, u32)> = keys
        .into_iter()
        .filter(|&(p, t)| !alive(call, p, t))
        .collect();
    if dead.is_empty() {
        return;
    }
    for key in dead {
        let Some(q) = wm(call).queues.remove(&key) else {
            continue;
        };
        for sent in q.sent {
            if let Some(r) = call.state.get::<Sends>().replies.get_mut(&sent.id) {
                *r = Some(0);
            }
            if let Some(sq) = wm(call).queue_of(sent.sender.0, sent.sender.1) {
                sq.wake();
            }
        }
        let m = wm(call);
        let windows: Vec<u32> = m
            .all_windows()
            .into_iter()
            .filter(|&h| m.window(h).is_some_and(|w| (w.process, w.thread) == key))
            .collect();
        for h in windows {
            m.remove(h);
        }
        call.state
            .get::<Sends>()
            .pending
            .retain(|k, _| (k.0, k.1) != key);
    }
}

/// Makes the calling thread's queue if it has none.
pub fn ensure_queue(call: &mut ApiCall<'_>) {
    reap(call);
    let (p, t) = (call.thread.process, call.thread.thread);
    if wm(call).queues.contains_key(&(p, t)) {
        return;
    }
    let event = call
        .machine
        .objects()
        .create_event(EventType::Notification, false);
    wm(call).queue(p, t, || event);
}

/// The machine clock in milliseconds.
fn now(call: &ApiCall<'_>) -> u64 {
    call.machine.clock().now_ms()
}

/// Sends a message to a window of the calling thread (a direct call of its procedure),
/// converting WM_SETTEXT's and WM_GETTEXT's text when the procedure's character set is not
/// the caller's (`wide`); `then` gets the result. A window that is not there gives 0.
#[allow(clippy::too_many_arguments)]
pub fn send_message(
    call: &mut ApiCall<'_>,
    base: u32,
    wide: bool,
    hwnd: u32,
    msg: u32,
    wparam: u32,
    lparam: u32,
    then: Then,
) -> Step {
    let Some((handle, proc_)) = direct_proc(call, hwnd) else {
        return then(call, 0);
    };
    let unicode = wm(call).window(handle).is_some_and(|w| w.unicode);
    let text_at = base + TEXT_OFF;
    let room = OLD_OFF - TEXT_OFF;
    if unicode != wide && msg == WM_SETTEXT && lparam != 0 {
        if let Some(units) = read_text(call, lparam, wide) {
            let bytes = encode_text(&units, unicode);
            if bytes.len() <= room as usize && call.write_bytes(text_at, &bytes).is_ok() {
                return Step::Call {
                    function: proc_,
                    args: vec![handle, msg, wparam, text_at],
                    then,
                };
            }
        }
    } else if unicode != wide && msg == WM_GETTEXT && lparam != 0 {
        let unit = if unicode { 2 } else { 1 };
        let cch = wparam.min(room / unit);
        return Step::call(proc_, vec![handle, msg, cch, text_at], move |call, r| {
            let got = read_text(call, text_at, unicode).unwrap_or_default();
            let got = &got[..got.len().min(r as usize)];
            let n = copy_text(call, lparam, wparam, got, wide).unwrap_or(0);
            then(call, n)
        });
    }
    Step::Call {
        function: proc_,
        args: vec![handle, msg, wparam, lparam],
        then,
    }
}

/// Handles the first message another thread sent to the calling thread: its window's
/// procedure runs, the reply goes to the sender, and the calling function starts again.
/// None when no message waits.
fn receive_sent(call: &mut ApiCall<'_>) -> Option<Step> {
    let key = (call.thread.process, call.thread.thread);
    let sent = wm(call).queue_of(key.0, key.1)?.sent.pop_front()?;
    let reply = move |call: &mut ApiCall<'_>, value: u32| {
        let sends = call.state.get::<Sends>();
        if let Some(r) = sends.replies.get_mut(&sent.id) {
            *r = Some(value);
        }
        let (sp, st) = sent.sender;
        if let Some(q) = wm(call).queue_of(sp, st) {
            q.wake();
        }
    };
    let Some((handle, proc_)) = direct_proc(call, sent.hwnd) else {
        reply(call, 0);
        return Some(Step::Again);
    };
    *call.state.get::<Sends>().receiving.entry(key).or_default() += 1;
    // A text sent from another process lives in the sender's address space: the receiver's
    // procedure gets a copy in its own (and WM_GETTEXT's answer is copied back), as NT's
    // kernel marshals it between the processes.
    let unicode = wm(call).window(handle).is_some_and(|w| w.unicode);
    let unit = if unicode { 2 } else { 1 };
    let text_at = scratch(call) + TEXT_OFF;
    let room = (OLD_OFF - TEXT_OFF) / unit;
    let cross = sent.sender.0 != key.0 && sent.lparam != 0;
    let (wparam, lparam) = match sent.message {
        WM_SETTEXT if cross => {
            let text = read_other(call, sent.sender.0, sent.lparam, room - 1, unit);
            let mut bytes = text;
            bytes.extend(std::iter::repeat_n(0u8, unit as usize));
            match call.write_bytes(text_at, &bytes) {
                Ok(()) => (sent.wparam, text_at),
                Err(_) => (sent.wparam, 0),
            }
        }
        WM_GETTEXT if cross => (sent.wparam.min(room), text_at),
        _ => (sent.wparam, sent.lparam),
    };
    let copy_back = cross && sent.message == WM_GETTEXT;
    Some(Step::call(
        proc_,
        vec![handle, sent.message, wparam, lparam],
        move |call, r| {
            if let Some(n) = call.state.get::<Sends>().receiving.get_mut(&key) {
                *n = n.saturating_sub(1);
            }
            if copy_back && wparam != 0 {
                // The characters copied and their NUL, within the sender's buffer.
                let units = r.saturating_add(1).min(wparam);
                if let Ok(bytes) = call.read_bytes(text_at, (units * unit) as usize)
                    && let Some(p) = call.machine.process_mut(sent.sender.0)
                {
                    let _ = p.address_space_mut().write_bytes(sent.lparam, &bytes);
                }
            }
            reply(call, r);
            Step::Again
        },
    ))
}

/// The NUL-terminated text (without its NUL) of at most `max` units of `unit` bytes at `at`
/// in process `process`'s memory; empty when it cannot be read.
fn read_other(call: &ApiCall<'_>, process: u32, at: u32, max: u32, unit: u32) -> Vec<u8> {
    let Some(p) = call.machine.process(process) else {
        return Vec::new();
    };
    let space = p.address_space();
    if unit == 2 {
        space
            .read_wide_c_string(at, max as usize)
            .map(|units| units.iter().flat_map(|u| u.to_le_bytes()).collect())
            .unwrap_or_default()
    } else {
        space.read_c_string(at, max as usize).unwrap_or_default()
    }
}

/// Parks the calling thread until its queue gets something (or `timeout`).
fn wait_on_queue(call: &mut ApiCall<'_>, timeout: Option<u64>) -> Step {
    let (p, t) = (call.thread.process, call.thread.thread);
    let Some(q) = wm(call).queue_of(p, t) else {
        return Step::Return(0);
    };
    let _ = q.event.reset_event();
    Step::Wait {
        objects: vec![q.event.clone()],
        timeout: timeout.map(Duration::from_millis),
    }
}

/// How a send hands back the procedure's result: SendMessage returns it; SendMessageTimeout
/// (`Some(pointer)`) stores it at the pointer (if any) and returns TRUE.
#[derive(Clone, Copy)]
struct Answer {
    /// The function's argument count.
    params: u32,
    /// SendMessageTimeout's lpdwResult.
    result: Option<u32>,
}

impl Answer {
    /// What the function returns for the procedure's result `r`.
    fn value(self, call: &mut ApiCall<'_>, r: u32) -> u32 {
        match self.result {
            None => r,
            Some(ptr) => {
                if ptr != 0 {
                    let _ = call.write_u32(ptr, r);
                }
                1
            }
        }
    }
}

/// SendMessageA/W's (and SendMessageTimeoutA/W's) work.
fn send(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    msg: u32,
    wp: u32,
    lp: u32,
    wide: bool,
    answer: Answer,
) -> ApiReturn {
    let params = answer.params;
    ensure_queue(call);
    let key = (call.thread.process, call.thread.thread, entry_stack(call));
    if let Some(&id) = call.state.get::<Sends>().pending.get(&key) {
        let sends = call.state.get::<Sends>();
        if let Some(Some(v)) = sends.replies.get(&id).copied() {
            sends.replies.remove(&id);
            sends.pending.remove(&key);
            return ApiReturn::Value(answer.value(call, v));
        }
        let step = match receive_sent(call) {
            Some(step) => step,
            None => wait_on_queue(call, None),
        };
        return run(call, params, step);
    }
    let base = scratch(call);
    if hwnd == HWND_BROADCAST {
        let thread = call.thread.thread;
        let m = wm(call);
        let targets: VecDeque<Act> = m
            .children(win32k::DESKTOP)
            .into_iter()
            .filter(|&h| m.window(h).is_some_and(|w| w.thread == thread))
            .map(|h| Act::Send(h, msg, wp, lp))
            .collect();
        let step = plan(
            call,
            targets,
            0,
            Box::new(move |call, _| Step::Return(answer.value(call, 1))),
        );
        return run(call, params, step);
    }
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    if w.thread == call.thread.thread {
        let step = send_message(
            call,
            base,
            wide,
            w.handle,
            msg,
            wp,
            lp,
            Box::new(move |call, r| Step::Return(answer.value(call, r))),
        );
        return run(call, params, step);
    }
    // Another thread's window: its queue gets the message and this thread waits.
    let sends = call.state.get::<Sends>();
    sends.next += 1;
    let id = sends.next;
    sends.pending.insert(key, id);
    sends.replies.insert(id, None);
    let sent = Sent {
        id,
        sender: (key.0, key.1),
        hwnd: w.handle,
        message: msg,
        wparam: wp,
        lparam: lp,
    };
    match wm(call).queue_of(w.process, w.thread) {
        Some(q) => q.send(sent),
        None => {
            let sends = call.state.get::<Sends>();
            sends.pending.remove(&key);
            sends.replies.remove(&id);
            return ApiReturn::Value(answer.value(call, 0));
        }
    }
    let step = wait_on_queue(call, None);
    run(call, params, step)
}

/// SendNotifyMessageA/W's work: a direct call for the calling thread's window; another
/// thread's gets the message as a sent one, and the caller does not wait.
fn send_notify(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    msg: u32,
    wp: u32,
    lp: u32,
    wide: bool,
) -> ApiReturn {
    ensure_queue(call);
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    if w.thread == call.thread.thread {
        let base = scratch(call);
        let step = send_message(
            call,
            base,
            wide,
            w.handle,
            msg,
            wp,
            lp,
            Box::new(|_, _| Step::Return(1)),
        );
        return run(call, 4, step);
    }
    if sync_only(msg) {
        return call.fail_win32(Win32Error::MESSAGE_SYNC_ONLY, 0);
    }
    let sent = Sent {
        id: 0,
        sender: (call.thread.process, call.thread.thread),
        hwnd: w.handle,
        message: msg,
        wparam: wp,
        lparam: lp,
    };
    if let Some(q) = wm(call).queue_of(w.process, w.thread) {
        q.send(sent);
    }
    ApiReturn::Value(1)
}

/// BOOL SendNotifyMessageA(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam).
#[export]
fn SendNotifyMessageA(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    send_notify(call, hWnd, Msg, wParam, lParam, false)
}

/// BOOL SendNotifyMessageW(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam).
#[export]
fn SendNotifyMessageW(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    send_notify(call, hWnd, Msg, wParam, lParam, true)
}

/// LRESULT SendMessageA(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam).
#[export]
fn SendMessageA(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    send(call, hWnd, Msg, wParam, lParam, false, PLAIN)
}

/// LRESULT SendMessageW(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam).
#[export]
fn SendMessageW(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    send(call, hWnd, Msg, wParam, lParam, true, PLAIN)
}

/// SendMessage's answer.
const PLAIN: Answer = Answer {
    params: 4,
    result: None,
};

/// LRESULT SendMessageTimeoutA(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam, UINT
/// fuFlags, UINT uTimeout, PDWORD_PTR lpdwResult): SendMessageA storing the result at
/// lpdwResult and returning TRUE. The receiver is always waited for (a hung receiver is not
/// detected yet).
#[export]
#[allow(clippy::too_many_arguments)]
fn SendMessageTimeoutA(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
    fuFlags: u32,
    uTimeout: u32,
    lpdwResult: u32,
) -> ApiReturn {
    let _ = (fuFlags, uTimeout);
    let answer = Answer {
        params: 7,
        result: Some(lpdwResult),
    };
    send(call, hWnd, Msg, wParam, lParam, false, answer)
}

/// LRESULT SendMessageTimeoutW: SendMessageTimeoutA for UTF-16 text.
#[export]
#[allow(clippy::too_many_arguments)]
fn SendMessageTimeoutW(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
    fuFlags: u32,
    uTimeout: u32,
    lpdwResult: u32,
) -> ApiReturn {
    let _ = (fuFlags, uTimeout);
    let answer = Answer {
        params: 7,
        result: Some(lpdwResult),
    };
    send(call, hWnd, Msg, wParam, lParam, true, answer)
}

/// BOOL InSendMessage(void): whether the thread is handling a message another thread sent.
#[export]
fn InSendMessage(call: &mut ApiCall<'_>) -> bool {
    let key = (call.thread.process, call.thread.thread);
    call.state
        .get::<Sends>()
        .receiving
        .get(&key)
        .is_some_and(|&n| n > 0)
}

/// Messages whose lParam points at data the receiver reads or writes: only sent, never
/// posted (ERROR_MESSAGE_SYNC_ONLY).
fn sync_only(msg: u32) -> bool {
    matches!(
        msg,
        WM_CREATE
            | WM_SETTEXT
            | WM_GETTEXT
            | WM_GETMINMAXINFO
            | WM_WINDOWPOSCHANGING
            | WM_WINDOWPOSCHANGED
            | WM_NCCREATE
            | WM_NCCALCSIZE
            | WM_STYLECHANGING
            | WM_STYLECHANGED
    )
}

/// A posted message at the current time.
fn message(call: &ApiCall<'_>, hwnd: u32, msg: u32, wp: u32, lp: u32) -> Message {
    Message {
        hwnd,
        message: msg,
        wparam: wp,
        lparam: lp,
        time: now(call) as u32,
        pt: (0, 0),
    }
}

/// PostMessageA/W's work.
fn post(call: &mut ApiCall<'_>, hwnd: u32, msg: u32, wp: u32, lp: u32) -> ApiReturn {
    ensure_queue(call);
    if sync_only(msg) {
        return call.fail_win32(Win32Error::MESSAGE_SYNC_ONLY, 0);
    }
    let m = message(call, 0, msg, wp, lp);
    if hwnd == 0 {
        let (p, t) = (call.thread.process, call.thread.thread);
        if let Some(q) = wm(call).queue_of(p, t) {
            q.post(m);
        }
        return ApiReturn::Value(1);
    }
    let targets: Vec<u32> = if hwnd == HWND_BROADCAST {
        wm(call).children(win32k::DESKTOP)
    } else {
        match wm(call).full_handle(hwnd) {
            Some(h) => vec![h],
            None => return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0),
        }
    };
    for h in targets {
        let Some(w) = wm(call).window(h).cloned() else {
            continue;
        };
        if let Some(q) = wm(call).queue_of(w.process, w.thread) {
            q.post(Message { hwnd: h, ..m });
        }
    }
    ApiReturn::Value(1)
}

/// BOOL PostMessageA(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam): NULL posts to the
/// calling thread, HWND_BROADCAST to every top-level window.
#[export]
fn PostMessageA(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    post(call, hWnd, Msg, wParam, lParam)
}

/// BOOL PostMessageW(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam).
#[export]
fn PostMessageW(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    post(call, hWnd, Msg, wParam, lParam)
}

/// PostThreadMessageA/W's work.
fn post_thread(call: &mut ApiCall<'_>, thread: u32, msg: u32, wp: u32, lp: u32) -> ApiReturn {
    if sync_only(msg) {
        return call.fail_win32(Win32Error::MESSAGE_SYNC_ONLY, 0);
    }
    let m = message(call, 0, msg, wp, lp);
    match wm(call).queue_of_thread(thread) {
        Some((_, q)) => {
            q.post(m);
            ApiReturn::Value(1)
        }
        None => call.fail_win32(Win32Error::INVALID_THREAD_ID, 0),
    }
}

/// BOOL PostThreadMessageA(DWORD idThread, UINT Msg, WPARAM wParam, LPARAM lParam).
#[export]
fn PostThreadMessageA(
    call: &mut ApiCall<'_>,
    idThread: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    post_thread(call, idThread, Msg, wParam, lParam)
}

/// BOOL PostThreadMessageW(DWORD idThread, UINT Msg, WPARAM wParam, LPARAM lParam).
#[export]
fn PostThreadMessageW(
    call: &mut ApiCall<'_>,
    idThread: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    post_thread(call, idThread, Msg, wParam, lParam)
}

/// void PostQuitMessage(int nExitCode): GetMessage returns FALSE with WM_QUIT once the
/// queue has no posted messages left.
#[export]
fn PostQuitMessage(call: &mut ApiCall<'_>, nExitCode: u32) {
    ensure_queue(call);
    let (p, t) = (call.thread.process, call.thread.thread);
    if let Some(q) = wm(call).queue_of(p, t) {
        q.quit = Some(nExitCode);
        q.wake();
    }
}

/// The mouse message whose WM_NCHITTEST was answered last (hwnd, message, time, point).
#[derive(Default)]
struct HitTested(Option<(u32, u32, u32, (i32, i32))>);

/// A mouse message of input (not one a program posted) at the head of the queue, as NT's
/// xxxScanSysQueue takes it: the window
/// is asked where the point is (WM_NCHITTEST, unless it has the capture), and the message
/// becomes the client one (client coordinates, MK_* flags) for HTCLIENT or the non-client
/// one (the hit-test code, screen coordinates) for anything else. Then the caller starts
/// again.
fn hit_test_head(call: &mut ApiCall<'_>, filter: &Filter) -> Option<Step> {
    let (p, t) = (call.thread.process, call.thread.thread);
    let m = wm(call).queue_of(p, t)?.take_posted(filter, false)?;
    let client = (0x0200..=0x0209).contains(&m.message);
    let nc = (0x00A0..=0x00A9).contains(&m.message);
    if !(client || nc) {
        return None;
    }
    let id = (m.hwnd, m.message, m.time, m.pt);
    let w = wm(call);
    let captured = w.full_handle(w.display.capture) == Some(m.hwnd);
    if captured || !w.is_mouse_input(&m) || call.state.get::<HitTested>().0 == Some(id) {
        return None;
    }
    call.state.get::<HitTested>().0 = Some(id);
    let point = win32k::input::points(m.pt.0, m.pt.1);
    let acts: VecDeque<Act> = [
        Act::Send(m.hwnd, WM_NCHITTEST, 0, point),
        Act::check(move |call, hit| {
            let kind = if client {
                m.message - 0x0200
            } else {
                m.message - 0x00A0
            };
            let w = wm(call);
            let new = if hit == win32k::nonclient::HTCLIENT {
                let (ox, oy) = w.client_origin(m.hwnd);
                let wparam = if client {
                    m.wparam
                } else {
                    w.display.mk_flags()
                };
                win32k::Message {
                    message: 0x0200 + kind,
                    wparam,
                    lparam: win32k::input::points(m.pt.0 - ox, m.pt.1 - oy),
                    ..m
                }
            } else {
                win32k::Message {
                    message: 0x00A0 + kind,
                    wparam: hit,
                    lparam: point,
                    ..m
                }
            };
            if let Some(q) = wm(call).queue_of(p, t)
                && let Some(slot) = q.posted.iter_mut().find(|x| **x == m)
            {
                *slot = new;
            }
            wm(call).mouse_input_changed(&m, new);
            call.state.get::<HitTested>().0 = Some((new.hwnd, new.message, new.time, new.pt));
            None
        }),
    ]
    .into();
    Some(plan(call, acts, 0, Box::new(|_, _| Step::Again)))
}

/// The button-down message whose WM_MOUSEACTIVATE was sent last (hwnd, message, time):
/// it is not asked about again.
#[derive(Default)]
struct MouseActivated(Option<(u32, u32, u32)>);

/// MA_ACTIVATEANDEAT and MA_NOACTIVATEANDEAT: the click is thrown away.
const MA_ACTIVATEANDEAT: u32 = 2;
const MA_NOACTIVATEANDEAT: u32 = 4;

/// A button going down over a window whose top-level window is not the active one, as
/// NT's xxxScanSysQueue handles it before the click is taken: WM_MOUSEACTIVATE to the
/// window (wParam the top-level window, lParam the hit-test code and the mouse message),
/// then, for MA_ACTIVATE or MA_ACTIVATEANDEAT, the top-level window is activated; for the
/// ...ANDEAT answers the click is thrown away. Then the caller starts again.
fn mouse_activation(call: &mut ApiCall<'_>, filter: &Filter) -> Option<Step> {
    let (p, t) = (call.thread.process, call.thread.thread);
    let m = wm(call).queue_of(p, t)?.take_posted(filter, false)?;
    let down = matches!(
        m.message,
        0x0201 | 0x0204 | 0x0207 | 0x00A1 | 0x00A4 | 0x00A7
    );
    if !down
        || !wm(call).is_mouse_input(&m)
        || call.state.get::<MouseActivated>().0 == Some((m.hwnd, m.message, m.time))
    {
        return None;
    }
    let top = top_level(call, m.hwnd);
    let w = wm(call);
    if top == w.full_handle(w.active).unwrap_or(0)
        || w.window(top)
            .is_none_or(|w| w.thread != t || w.style & win32k::WS_DISABLED != 0)
    {
        return None;
    }
    call.state.get::<MouseActivated>().0 = Some((m.hwnd, m.message, m.time));
    let hit = if m.message >= 0x0200 {
        win32k::nonclient::HTCLIENT
    } else {
        m.wparam
    };
    let acts: VecDeque<Act> = [
        Act::Send(m.hwnd, WM_MOUSEACTIVATE, top, hit | (m.message << 16)),
        Act::check(move |call, r| {
            if matches!(r, MA_ACTIVATEANDEAT | MA_NOACTIVATEANDEAT) {
                let (p, t) = (call.thread.process, call.thread.thread);
                if let Some(q) = wm(call).queue_of(p, t) {
                    q.posted.retain(|x| *x != m);
                }
            }
            if r == 1 || r == MA_ACTIVATEANDEAT {
                // The window comes to the top of the Z order, its frame over the others.
                let m = wm(call);
                m.bring_to_top(top);
                if let Some((rect, _)) = m.screen_rects(top) {
                    m.expose(rect);
                }
                let acts: VecDeque<Act> = crate::window::activate_acts(call, top).into();
                return Some(plan(call, acts, 0, Box::new(|_, _| Step::Again)));
            }
            None
        }),
    ]
    .into();
    Some(plan(call, acts, 0, Box::new(|_, _| Step::Again)))
}

/// Writes a MSG.
fn put_message(call: &mut ApiCall<'_>, address: u32, m: &Message) -> bool {
    let w = [
        m.hwnd,
        m.message,
        m.wparam,
        m.lparam,
        m.time,
        m.pt.0 as u32,
        m.pt.1 as u32,
    ];
    let bytes: Vec<u8> = w.iter().flat_map(|v| v.to_le_bytes()).collect();
    call.write_bytes(address, &bytes).is_ok()
}

/// What GetMessage / PeekMessage find: sent messages are handled first (Err(step)); then a
/// posted message passing the filter, the quit request, a due timer.
pub fn look(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    min: u32,
    max: u32,
    remove: bool,
) -> Result<Option<Message>, Step> {
    ensure_queue(call);
    if let Some(step) = receive_sent(call) {
        return Err(step);
    }
    let filter_hwnd = match hwnd {
        0 | 0xFFFF_FFFF => hwnd,
        h => match wm(call).full_handle(h) {
            Some(h) => h,
            None => {
                call.set_last_error(Win32Error::INVALID_WINDOW_HANDLE.0);
                return Err(Step::Return(u32::MAX));
            }
        },
    };
    let filter = Filter {
        hwnd: filter_hwnd,
        min,
        max,
    };
    if let Some(step) = hit_test_head(call, &filter) {
        return Err(step);
    }
    if let Some(step) = mouse_activation(call, &filter) {
        return Err(step);
    }
    let now = now(call);
    let (p, t) = (call.thread.process, call.thread.thread);
    let Some(q) = wm(call).queue_of(p, t) else {
        return Ok(None);
    };
    // NT's order: posted messages, the quit request, (input,) WM_PAINT, WM_TIMER.
    let mut found = q
        .take_posted(&filter, remove)
        .or_else(|| q.take_quit(&filter, now as u32, remove));
    if found.is_none() {
        found = crate::paint::paint_message(call, filter_hwnd, min, max, now as u32);
    }
    let Some(q) = wm(call).queue_of(p, t) else {
        return Ok(found);
    };
    if found.is_none() {
        found = q.take_timer(&filter, now, remove);
    }
    if let Some(m) = &found {
        q.last_time = m.time;
        q.last_pos = m.pt;
    }
    Ok(found)
}

/// LONG GetMessageTime(void): the time of the last message GetMessage or PeekMessage took.
#[export]
fn GetMessageTime(call: &mut ApiCall<'_>) -> u32 {
    let (p, t) = (call.thread.process, call.thread.thread);
    wm(call).queue_of(p, t).map_or(0, |q| q.last_time)
}

/// DWORD GetMessagePos(void): the cursor position at the last message taken (x low, y high).
#[export]
fn GetMessagePos(call: &mut ApiCall<'_>) -> u32 {
    let (p, t) = (call.thread.process, call.thread.thread);
    wm(call).queue_of(p, t).map_or(0, |q| {
        (q.last_pos.0 as u32 & 0xFFFF) | ((q.last_pos.1 as u32 & 0xFFFF) << 16)
    })
}

/// QS_POSTMESSAGE.
const QS_POSTMESSAGE: u32 = 0x0008;
/// QS_TIMER.
const QS_TIMER: u32 = 0x0010;
/// QS_SENDMESSAGE.
const QS_SENDMESSAGE: u32 = 0x0040;
/// QS_PAINT.
const QS_PAINT: u32 = 0x0020;

/// DWORD GetQueueStatus(UINT flags): in the high word, the kinds of messages in the queue
/// (of those asked for); in the low word, the same (ntemu does not track which arrived
/// since the last call).
#[export]
fn GetQueueStatus(call: &mut ApiCall<'_>, flags: u32) -> u32 {
    ensure_queue(call);
    let (p, t) = (call.thread.process, call.thread.thread);
    let now = now(call);
    let Some(q) = wm(call).queue_of(p, t) else {
        return 0;
    };
    let mut bits = 0;
    if !q.posted.is_empty() || q.quit.is_some() {
        bits |= QS_POSTMESSAGE;
    }
    if q.timers.iter().any(|t| t.due <= now) {
        bits |= QS_TIMER;
    }
    if !q.sent.is_empty() {
        bits |= QS_SENDMESSAGE;
    }
    if crate::paint::paint_target(wm(call), p, t, 0).is_some() {
        bits |= QS_PAINT;
    }
    let bits = bits & flags;
    (bits << 16) | bits
}

/// BOOL GetInputState(void): whether keyboard or mouse messages wait in the thread's queue.
#[export]
fn GetInputState(call: &mut ApiCall<'_>) -> bool {
    let (p, t) = (call.thread.process, call.thread.thread);
    wm(call).queue_of(p, t).is_some_and(|q| {
        q.posted.iter().any(|m| {
            (0x0100..=0x0109).contains(&m.message) || (0x0200..=0x020D).contains(&m.message)
        })
    })
}

/// GetMessageA/W's work.
fn get(call: &mut ApiCall<'_>, msg: u32, hwnd: u32, min: u32, max: u32) -> ApiReturn {
    let step = match look(call, hwnd, min, max, true) {
        Err(step) => step,
        Ok(Some(m)) => {
            if !put_message(call, msg, &m) {
                return call.fail_win32(Win32Error::NOACCESS, u32::MAX);
            }
            Step::Return(u32::from(m.message != WM_QUIT))
        }
        Ok(None) => {
            let (p, t) = (call.thread.process, call.thread.thread);
            let now = now(call);
            let timeout = wm(call).queue_of(p, t).and_then(|q| q.next_timer(now));
            wait_on_queue(call, timeout)
        }
    };
    run(call, 4, step)
}

/// BOOL GetMessageA(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin, UINT wMsgFilterMax): waits
/// for a message; FALSE for WM_QUIT, -1 for a bad window.
#[export]
fn GetMessageA(
    call: &mut ApiCall<'_>,
    lpMsg: Ptr,
    hWnd: u32,
    wMsgFilterMin: u32,
    wMsgFilterMax: u32,
) -> ApiReturn {
    get(call, lpMsg.0, hWnd, wMsgFilterMin, wMsgFilterMax)
}

/// BOOL GetMessageW(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin, UINT wMsgFilterMax).
#[export]
fn GetMessageW(
    call: &mut ApiCall<'_>,
    lpMsg: Ptr,
    hWnd: u32,
    wMsgFilterMin: u32,
    wMsgFilterMax: u32,
) -> ApiReturn {
    get(call, lpMsg.0, hWnd, wMsgFilterMin, wMsgFilterMax)
}

/// PeekMessageA/W's work.
fn peek(call: &mut ApiCall<'_>, msg: u32, hwnd: u32, min: u32, max: u32, flags: u32) -> ApiReturn {
    let step = match look(call, hwnd, min, max, flags & PM_REMOVE != 0) {
        Err(Step::Return(_)) => return ApiReturn::Value(0),
        Err(step) => step,
        Ok(Some(m)) => {
            if !put_message(call, msg, &m) {
                return call.fail_win32(Win32Error::NOACCESS, 0);
            }
            Step::Return(1)
        }
        Ok(None) => Step::Return(0),
    };
    run(call, 5, step)
}

/// BOOL PeekMessageA(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin, UINT wMsgFilterMax, UINT
/// wRemoveMsg): a message if there is one (removed with PM_REMOVE), without waiting.
#[export]
fn PeekMessageA(
    call: &mut ApiCall<'_>,
    lpMsg: Ptr,
    hWnd: u32,
    wMsgFilterMin: u32,
    wMsgFilterMax: u32,
    wRemoveMsg: u32,
) -> ApiReturn {
    peek(
        call,
        lpMsg.0,
        hWnd,
        wMsgFilterMin,
        wMsgFilterMax,
        wRemoveMsg,
    )
}

/// BOOL PeekMessageW(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin, UINT wMsgFilterMax, UINT
/// wRemoveMsg).
#[export]
fn PeekMessageW(
    call: &mut ApiCall<'_>,
    lpMsg: Ptr,
    hWnd: u32,
    wMsgFilterMin: u32,
    wMsgFilterMax: u32,
    wRemoveMsg: u32,
) -> ApiReturn {
    peek(
        call,
        lpMsg.0,
        hWnd,
        wMsgFilterMin,
        wMsgFilterMax,
        wRemoveMsg,
    )
}

/// BOOL WaitMessage(void): waits until the queue has something (handling sent messages).
#[export]
fn WaitMessage(call: &mut ApiCall<'_>) -> ApiReturn {
    ensure_queue(call);
    let step = match receive_sent(call) {
        Some(step) => step,
        None => {
            let (p, t) = (call.thread.process, call.thread.thread);
            let now = now(call);
            let paint = crate::paint::paint_target(wm(call), p, t, 0).is_some();
            let q = wm(call).queue_of(p, t);
            match q {
                Some(_) if paint => Step::Return(1),
                Some(q) if q.has_input(now) => Step::Return(1),
                Some(q) => {
                    let timeout = q.next_timer(now);
                    wait_on_queue(call, timeout)
                }
                None => Step::Return(0),
            }
        }
    };
    run(call, 0, step)
}

/// DispatchMessageA/W's work: WM_TIMER with a TIMERPROC calls it; otherwise the window's
/// procedure gets the message. The result is the procedure's.
fn dispatch(call: &mut ApiCall<'_>, msg: u32) -> ApiReturn {
    let Ok(b) = call.read_bytes(msg, 28) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let w = |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
    let (hwnd, message, wp, lp) = (w(0), w(1), w(2), w(3));
    if message == WM_TIMER && lp != 0 {
        let tick = now(call) as u32;
        let step = Step::call(lp, vec![hwnd, message, wp, tick], |_, _| Step::Return(0));
        return run(call, 1, step);
    }
    if hwnd == 0 {
        return ApiReturn::Value(0);
    }
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    if w.thread != call.thread.thread {
        return call.fail_win32(Win32Error::MESSAGE_SYNC_ONLY, 0);
    }
    let handle = w.handle;
    let step = Step::call(w.wndproc, vec![handle, message, wp, lp], move |call, r| {
        if message == crate::paint::WM_PAINT {
            crate::paint::after_paint_dispatch(call, handle);
        }
        Step::Return(r)
    });
    run(call, 1, step)
}

/// LRESULT DispatchMessageA(const MSG *lpMsg).
#[export]
fn DispatchMessageA(call: &mut ApiCall<'_>, lpMsg: Ptr) -> ApiReturn {
    dispatch(call, lpMsg.0)
}

/// LRESULT DispatchMessageW(const MSG *lpMsg).
#[export]
fn DispatchMessageW(call: &mut ApiCall<'_>, lpMsg: Ptr) -> ApiReturn {
    dispatch(call, lpMsg.0)
}

/// BOOL TranslateMessage(const MSG *lpMsg): a WM_KEYDOWN (WM_SYSKEYDOWN) of a key that types
/// a character with the Shift, Ctrl and Alt keys as they are posts WM_CHAR (WM_SYSCHAR)
/// with the character and the key message's lParam to the same window. TRUE for a key
/// message, FALSE for any other.
#[export]
fn TranslateMessage(call: &mut ApiCall<'_>, lpMsg: Ptr) -> ApiReturn {
    let Ok(b) = call.read_bytes(lpMsg.0, 16) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let w = |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
    let (hwnd, m, wp, lp) = (w(0), w(1), w(2), w(3));
    if !matches!(m, WM_KEYDOWN | WM_KEYUP | WM_SYSKEYDOWN | WM_SYSKEYUP) {
        return ApiReturn::Value(0);
    }
    if matches!(m, WM_KEYDOWN | WM_SYSKEYDOWN) {
        let ch = crate::input::typed_char(wm(call), wp);
        if ch != 0 {
            let char_msg = if m == WM_KEYDOWN { WM_CHAR } else { WM_SYSCHAR };
            let msg = message(call, hwnd, char_msg, u32::from(ch), lp);
            let (p, t) = (call.thread.process, call.thread.thread);
            if let Some(q) = wm(call).queue_of(p, t) {
                q.post(msg);
            }
        }
    }
    ApiReturn::Value(1)
}

/// DefWindowProcA/W's work: the default answers of the messages that need no drawing.
pub fn default_proc(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    msg: u32,
    wp: u32,
    lp: u32,
    wide: bool,
) -> Step {
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return Step::Return(0);
    };
    let hwnd = w.handle;
    if let Some(step) = crate::menu::default_proc(call, &w, msg, wp, lp) {
        return step;
    }
    if msg == WM_NCLBUTTONDOWN
        && let Some(bar) = crate::scrollbar::is_tracking(call, hwnd)
    {
        // A scroll bar being tracked: its loop goes on.
        return crate::scrollbar::track(call, hwnd, bar, (0, 0));
    }
    match msg {
        WM_NCLBUTTONDOWN
            if wp == win32k::scrollbar::HTHSCROLL || wp == win32k::scrollbar::HTVSCROLL =>
        {
            crate::scrollbar::nc_button(call, hwnd, wp, lp).unwrap_or(Step::Return(0))
        }
        WM_NCCREATE => {
            let name = call.read_u32(lp.wrapping_add(36)).unwrap_or(0);
            if name != 0
                && let Some(text) = read_text(call, name, wide)
                && let Some(w) = wm(call).window_mut(hwnd)
            {
                w.text = text;
            }
            Step::Return(1)
        }
        WM_NCCALCSIZE => {
            if let Some(r) = call
                .read_bytes(lp, 16)
                .ok()
                .and_then(|b| geometry::Rect::from_bytes(&b))
            {
                let menu = wm(call).has_menu_bar(&w);
                let c = geometry::client_from_window(r, w.style, w.ex_style, menu);
                let _ = call.write_bytes(lp, &c.to_bytes());
            }
            Step::Return(0)
        }
        WM_GETTEXT => Step::Return(copy_text(call, lp, wp, &w.text, wide).unwrap_or(0)),
        WM_GETTEXTLENGTH => Step::Return(text_len(&w.text, wide)),
        WM_SETTEXT => {
            let text = if lp == 0 {
                Some(Vec::new())
            } else {
                read_text(call, lp, wide)
            };
            if let Some(t) = text
                && let Some(w) = wm(call).window_mut(hwnd)
            {
                w.text = t;
                // The caption shows the new title.
                wm(call).draw_frame(hwnd);
            }
            Step::Return(1)
        }
        WM_CLOSE => {
            if w.thread != call.thread.thread {
                return Step::Return(0);
            }
            let base = scratch(call);
            let acts = destroy_acts(call, hwnd, base);
            plan(call, acts, 0, returning(0))
        }
        WM_WINDOWPOSCHANGED => {
            let flags = call.read_u32(lp.wrapping_add(24)).unwrap_or(u32::MAX);
            let mut acts = VecDeque::new();
            if flags & SWP_NOCLIENTMOVE == 0 {
                acts.push_back(Act::send_with(move |call| {
                    let c = wm(call).window(hwnd)?.client;
                    Some((
                        hwnd,
                        WM_MOVE,
                        0,
                        (c.left as u32 & 0xFFFF) | ((c.top as u32) << 16),
                    ))
                }));
            }
            if flags & SWP_NOCLIENTSIZE == 0 {
                acts.push_back(Act::send_with(move |call| {
                    let c = wm(call).window(hwnd)?.client;
                    Some((
                        hwnd,
                        WM_SIZE,
                        0,
                        (c.width() as u32 & 0xFFFF) | ((c.height() as u32) << 16),
                    ))
                }));
            }
            plan(call, acts, 0, returning(0))
        }
        WM_NCLBUTTONDOWN if wp == win32k::nonclient::HTCAPTION => {
            // Dragging the caption moves the window (SC_MOVE + HTCAPTION).
            let acts: VecDeque<Act> = [Act::Send(hwnd, WM_SYSCOMMAND, SC_MOVE | 2, lp)].into();
            plan(call, acts, 0, returning(0))
        }
        WM_NCLBUTTONDOWN
            if (win32k::nonclient::HTLEFT..=win32k::nonclient::HTLEFT + 7).contains(&wp) =>
        {
            // Dragging the sizing border sizes the window (SC_SIZE + WMSZ_*).
            let edge = wp - win32k::nonclient::HTLEFT + 1;
            let acts: VecDeque<Act> = [Act::Send(hwnd, WM_SYSCOMMAND, SC_SIZE | edge, lp)].into();
            plan(call, acts, 0, returning(0))
        }
        WM_SYSCOMMAND
            if matches!(wp & 0xFFF0, SC_MOVE | SC_SIZE) && w.thread == call.thread.thread =>
        {
            let edge = if wp & 0xFFF0 == SC_MOVE { 0 } else { wp & 0xF };
            move_loop(call, hwnd, edge, lp)
        }
        WM_SYSCOMMAND if wp & 0xFFF0 == SC_CLOSE => {
            let acts: VecDeque<Act> = [Act::Send(hwnd, WM_CLOSE, 0, 0)].into();
            plan(call, acts, 0, returning(0))
        }
        crate::paint::WM_PAINT => crate::paint::default_paint(call, hwnd),
        crate::paint::WM_ERASEBKGND => Step::Return(crate::paint::default_erase(call, hwnd, wp)),
        WM_NCPAINT => {
            wm(call).draw_frame(hwnd);
            Step::Return(0)
        }
        WM_NCACTIVATE => {
            let m = wm(call);
            m.set_frame_active(hwnd, wp != 0);
            m.draw_frame(hwnd);
            Step::Return(1)
        }
        WM_SYSKEYDOWN if wp == VK_F4 && lp & (1 << 29) != 0 => {
            // Alt+F4 closes the top-level window.
            let top = top_level(call, hwnd);
            let acts: VecDeque<Act> = [Act::Send(top, WM_SYSCOMMAND, SC_CLOSE, 0)].into();
            plan(call, acts, 0, returning(0))
        }
        WM_NCLBUTTONDOWN if wp == win32k::nonclient::HTCLOSE => {
            let acts: VecDeque<Act> = [Act::Send(hwnd, WM_SYSCOMMAND, SC_CLOSE, lp)].into();
            plan(call, acts, 0, returning(0))
        }
        WM_QUERYENDSESSION | WM_QUERYOPEN => Step::Return(1),
        // WM_CTLCOLORMSGBOX ..= WM_CTLCOLORSTATIC: the system's colours set, its brush.
        0x0132..=0x0138 => Step::Return(crate::dialog::default_ctl_colour(call, msg, wp)),
        WM_MOUSEACTIVATE => {
            // A child asks its parent first; MA_ACTIVATE when nobody minds.
            if w.style & win32k::WS_CHILD != 0 && w.parent != win32k::DESKTOP {
                let acts: VecDeque<Act> = [Act::Send(w.parent, WM_MOUSEACTIVATE, wp, lp)].into();
                return plan(
                    call,
                    acts,
                    0,
                    Box::new(|_, r| Step::Return(if r != 0 { r } else { 1 })),
                );
            }
            Step::Return(1) // MA_ACTIVATE
        }
        WM_NCHITTEST => {
            let (x, y) = (i32::from(lp as i16), i32::from((lp >> 16) as i16));
            Step::Return(wm(call).hit_test(hwnd, x, y))
        }
        _ => Step::Return(0),
    }
}

/// LRESULT DefWindowProcA(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam).
#[export]
fn DefWindowProcA(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    let step = default_proc(call, hWnd, Msg, wParam, lParam, false);
    run(call, 4, step)
}

/// LRESULT DefWindowProcW(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam).
#[export]
fn DefWindowProcW(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    let step = default_proc(call, hWnd, Msg, wParam, lParam, true);
    run(call, 4, step)
}

/// CallWindowProcA/W's work: calls the procedure (0 for NULL).
fn call_proc(
    call: &mut ApiCall<'_>,
    proc_: u32,
    hwnd: u32,
    msg: u32,
    wp: u32,
    lp: u32,
) -> ApiReturn {
    if proc_ == 0 {
        return ApiReturn::Value(0);
    }
    let step = Step::call(proc_, vec![hwnd, msg, wp, lp], |_, r| Step::Return(r));
    run(call, 5, step)
}

/// LRESULT CallWindowProcA(WNDPROC lpPrevWndFunc, HWND hWnd, UINT Msg, WPARAM wParam,
/// LPARAM lParam).
#[export]
fn CallWindowProcA(
    call: &mut ApiCall<'_>,
    lpPrevWndFunc: u32,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    call_proc(call, lpPrevWndFunc, hWnd, Msg, wParam, lParam)
}

/// LRESULT CallWindowProcW(WNDPROC lpPrevWndFunc, HWND hWnd, UINT Msg, WPARAM wParam,
/// LPARAM lParam).
#[export]
fn CallWindowProcW(
    call: &mut ApiCall<'_>,
    lpPrevWndFunc: u32,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    call_proc(call, lpPrevWndFunc, hWnd, Msg, wParam, lParam)
}

/// DWORD MsgWaitForMultipleObjects(DWORD nCount, const HANDLE *pHandles, BOOL fWaitAll,
/// DWORD dwMilliseconds, DWORD dwWakeMask): WAIT_OBJECT_0 + n for a signalled object,
/// WAIT_OBJECT_0 + nCount when the queue has something (any wake mask is taken as
/// QS_ALLINPUT), WAIT_TIMEOUT, or WAIT_FAILED. With fWaitAll the objects are waited for
/// together (queue input does not end that wait).
#[export]
fn MsgWaitForMultipleObjects(
    call: &mut ApiCall<'_>,
    nCount: u32,
    pHandles: Ptr,
    fWaitAll: bool,
    dwMilliseconds: u32,
    dwWakeMask: u32,
) -> ApiReturn {
    ensure_queue(call);
    let mut objects = if nCount == 0 {
        Vec::new()
    } else {
        match kernel32::wait_objects(call, nCount, pHandles) {
            Ok(o) => o,
            Err(status) => return call.fail_with(status, u32::MAX),
        }
    };
    let timeout =
        (dwMilliseconds != u32::MAX).then(|| Duration::from_millis(u64::from(dwMilliseconds)));
    if fWaitAll {
        if objects.is_empty() {
            return call.fail_win32(Win32Error::INVALID_PARAMETER, u32::MAX);
        }
        return ApiReturn::Wait {
            objects,
            wait_type: WaitType::All,
            timeout,
        };
    }
    let (p, t) = (call.thread.process, call.thread.thread);
    let now = now(call);
    if dwWakeMask & QS_PAINT != 0 && crate::paint::paint_target(wm(call), p, t, 0).is_some() {
        return ApiReturn::Value(nCount);
    }
    let Some(q) = wm(call).queue_of(p, t) else {
        return ApiReturn::Value(u32::MAX);
    };
    if q.has_input(now) {
        return ApiReturn::Value(nCount);
    }
    let _ = q.event.reset_event();
    let timer = q.next_timer(now).map(Duration::from_millis);
    objects.push(q.event.clone());
    // Without objects, a timer due before the timeout ends the wait by running the call
    // again (it then finds the timer due). With objects, a wait ended early would lose what
    // it consumed, so timers wait for the next object or input.
    if nCount == 0
        && let Some(due) = timer
        && timeout.is_none_or(|t| due < t)
    {
        return ApiReturn::Retry {
            objects,
            timeout: Some(due),
        };
    }
    ApiReturn::Wait {
        objects,
        wait_type: WaitType::Any,
        timeout,
    }
}

// ---- timers --------------------------------------------------------------------------

/// UINT SetTimer(HWND hWnd, UINT nIDEvent, UINT uElapse, TIMERPROC lpTimerFunc): a timer of
/// the window's thread (or, for NULL, of the calling thread with a new id); an existing
/// timer of that window and id is replaced. Periods below 10 ms are 10 ms.
#[export]
fn SetTimer(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    nIDEvent: u32,
    uElapse: u32,
    lpTimerFunc: u32,
) -> ApiReturn {
    ensure_queue(call);
    let (p, t) = (call.thread.process, call.thread.thread);
    let period = uElapse.max(TIMER_MINIMUM);
    let due = now(call) + u64::from(period);
    let (hwnd, owner) = if hWnd == 0 {
        (0, (p, t))
    } else {
        match wm(call).window(hWnd) {
            Some(w) if w.process == p => (w.handle, (w.process, w.thread)),
            Some(_) => return call.fail_win32(Win32Error::ACCESS_DENIED, 0),
            None => return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0),
        }
    };
    let m = wm(call);
    let id = if hwnd == 0 {
        let exists = m
            .queue_of(p, t)
            .is_some_and(|q| q.timers.iter().any(|t| t.hwnd == 0 && t.id == nIDEvent));
        if exists && nIDEvent != 0 {
            nIDEvent
        } else {
            let id = m.next_timer_id;
            m.next_timer_id = m.next_timer_id % 0x7FFF + 1;
            id
        }
    } else {
        nIDEvent
    };
    let Some(q) = m.queue_of(owner.0, owner.1) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    q.timers.retain(|x| !(x.hwnd == hwnd && x.id == id));
    q.timers.push(Timer {
        hwnd,
        id,
        period,
        proc_: lpTimerFunc,
        due,
    });
    q.wake();
    ApiReturn::Value(if hwnd != 0 && id == 0 { 1 } else { id })
}

/// BOOL KillTimer(HWND hWnd, UINT uIDEvent): FALSE when there is no such timer.
#[export]
fn KillTimer(call: &mut ApiCall<'_>, hWnd: u32, uIDEvent: u32) -> ApiReturn {
    let (p, t) = (call.thread.process, call.thread.thread);
    let (hwnd, owner) = if hWnd == 0 {
        (0, (p, t))
    } else {
        match wm(call).window(hWnd) {
            Some(w) => (w.handle, (w.process, w.thread)),
            None => return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0),
        }
    };
    let Some(q) = wm(call).queue_of(owner.0, owner.1) else {
        return ApiReturn::Value(0);
    };
    let before = q.timers.len();
    q.timers.retain(|x| !(x.hwnd == hwnd && x.id == uIDEvent));
    ApiReturn::Value(u32::from(q.timers.len() != before))
}
