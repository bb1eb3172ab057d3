//! The keyboard and mouse: the machine's display shown between quanta, host input and
//! scripted input (`--input` with `\m{...}` and `\w{...}`) turned into window messages,
//! and the exports that read the input state (GetKeyState, GetAsyncKeyState,
//! GetKeyboardState, GetCursorPos, SetCursorPos, SetCapture, ReleaseCapture, GetCapture).
//!
//! Scripted input is delivered one event at a time, each when the one before has been
//! taken from its queue (no keyboard or mouse message waits in any queue) and a window is
//! there to get it, so a script types into the window that has the focus at that point of
//! the program, the same on every run; `\w{...}` waits that much guest time (on the
//! machine's clock: deterministic under `--clock`).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kernel32::console::{Key, Modifiers, key_char, key_events};
use nt_kernel::{Machine, Pause};
use nt_object::{EventType, Object};
use win32::{ApiCall, ApiReturn, HostIo, Ptr, Win32State, export};
use win32k::WindowManager;
use win32k::input::{Button, Input, MouseAction, VK_CONTROL, VK_MENU, VK_SHIFT};

/// One thing a script does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ScriptItem {
    /// A key (as the console's key scripts have them).
    Key(Key),
    /// Raw input: a key or mouse event.
    Input(Input),
    /// Wait this many milliseconds of guest time.
    Wait(u64),
}

/// The longest `\m{...}` or `\w{...}` body looked at.
const MAX_BODY: usize = 40;

/// Parses `\m{...}`'s body: `move X,Y`, `click X,Y`, `rclick X,Y`, `mclick X,Y`,
/// `down X,Y`, `up X,Y`, `rdown X,Y`, `rup X,Y`.
fn parse_mouse(body: &str) -> Option<Vec<ScriptItem>> {
    let (verb, rest) = body.trim().split_once(' ')?;
    let (x, y) = rest.trim().split_once(',')?;
    let x: i32 = x.trim().parse().ok()?;
    let y: i32 = y.trim().parse().ok()?;
    let button = |b: Button, down: bool| {
        ScriptItem::Input(Input::MouseButton {
            button: b,
            down,
            x,
            y,
        })
    };
    let mv = ScriptItem::Input(Input::MouseMove { x, y });
    let verb = verb.to_ascii_lowercase();
    Some(match verb.as_str() {
        "move" => vec![mv],
        "click" => vec![mv, button(Button::Left, true), button(Button::Left, false)],
        "rclick" => vec![
            mv,
            button(Button::Right, true),
            button(Button::Right, false),
        ],
        "mclick" => vec![
            mv,
            button(Button::Middle, true),
            button(Button::Middle, false),
        ],
        "down" => vec![mv, button(Button::Left, true)],
        "up" => vec![mv, button(Button::Left, false)],
        "rdown" => vec![mv, button(Button::Right, true)],
        "rup" => vec![mv, button(Button::Right, false)],
        _ => return None,
    })
}

/// Parses `\w{...}`'s body: `500ms`, `2s`, `1.5s` or a number of milliseconds.
fn parse_wait(body: &str) -> Option<u64> {
    let b = body.trim();
    if let Some(ms) = b.strip_suffix("ms") {
        return ms.trim().parse().ok();
    }
    if let Some(s) = b.strip_suffix('s') {
        let s: f64 = s.trim().parse().ok()?;
        return (s.is_finite() && (0.0..1e9).contains(&s)).then(|| (s * 1000.0).round() as u64);
    }
    b.parse().ok()
}

/// Parses an input script: the console's key script (see
/// [`kernel32::console::parse_key_script`]) with two more escapes, `\m{ACTION X,Y}` (a
/// mouse action at screen point X,Y: `move`, `click`, `rclick`, `mclick`, `down`, `up`,
/// `rdown`, `rup`) and `\w{TIME}` (wait `500ms`, `2s` or a number of milliseconds of
/// guest time). Errors name the byte offset.
pub fn parse_input_script(text: &[u8]) -> Result<Vec<ScriptItem>, String> {
    let mut items = Vec::new();
    let mut keys: Vec<u8> = Vec::new();
    let mut keys_at = 0;
    let flush = |keys: &mut Vec<u8>, at: usize, items: &mut Vec<ScriptItem>| {
        if keys.is_empty() {
            return Ok(());
        }
        let parsed = kernel32::console::parse_key_script(keys)
            .map_err(|e| format!("{e} (in the keys from byte {at})"))?;
        items.extend(parsed.into_iter().map(ScriptItem::Key));
        keys.clear();
        Ok::<(), String>(())
    };
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if b == b'\\'
            && matches!(text.get(i + 1), Some(b'm' | b'w'))
            && text.get(i + 2) == Some(&b'{')
        {
            let kind = text[i + 1];
            let start = i + 3;
            let close = text[start..]
                .iter()
                .take(MAX_BODY)
                .position(|&c| c == b'}')
                .map(|j| start + j)
                .ok_or_else(|| format!("\\{}{{ at byte {i} has no closing }}", char::from(kind)))?;
            let body = String::from_utf8_lossy(&text[start..close]);
            flush(&mut keys, keys_at, &mut items)?;
            if kind == b'm' {
                let mouse = parse_mouse(&body).ok_or_else(|| {
                    format!(
                        "\\m{{{body}}} at byte {i}: expected \\m{{move X,Y}}, \\m{{click X,Y}}, \
                         rclick, mclick, down, up, rdown or rup"
                    )
                })?;
                items.extend(mouse);
            } else {
                let ms = parse_wait(&body).ok_or_else(|| {
                    format!("\\w{{{body}}} at byte {i}: expected \\w{{500ms}} or \\w{{2s}}")
                })?;
                items.push(ScriptItem::Wait(ms));
            }
            i = close + 1;
            keys_at = i;
            continue;
        }
        if keys.is_empty() {
            keys_at = i;
        }
        keys.push(b);
        // An escape's next byte belongs to it (so `\\m{` is a backslash and `m{`).
        if b == b'\\'
            && let Some(&n) = text.get(i + 1)
        {
            keys.push(n);
            i += 1;
        }
        i += 1;
    }
    flush(&mut keys, keys_at, &mut items)?;
    Ok(items)
}

/// A scripted event, expanded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pending {
    Input(Input),
    Wait(u64),
}

/// The machine's display and input state on USER32's side.
#[derive(Default)]
struct Devices {
    script: VecDeque<Pending>,
    /// When the wait at the script's head ends (the machine clock's milliseconds).
    wait_until: Option<u64>,
    /// The timer object that makes the machine's clock reach the end of a wait.
    timer: Option<Arc<Object>>,
    /// The timer object that makes the machine's clock reach the display's next tick.
    tick_timer: Option<Arc<Object>>,
    last_present: Option<Instant>,
    /// The host window was closed once (a second close ends every process).
    closed: bool,
    /// Input was given to a window since the machine last idled (a waiting thread may
    /// have been woken between quanta).
    woke: bool,
}

/// The raw input events a script's key makes: each key going down and up, with Shift,
/// Ctrl and Alt going down and up around it as a keyboard does.
fn key_inputs(key: Key) -> Vec<Input> {
    let key = match key {
        Key::Char(c) => match kernel32::console::char_key(c) {
            Some((vk, m)) => Key::chord(vk, m),
            None => return Vec::new(),
        },
        k => k,
    };
    key_events(key)
        .into_iter()
        .filter(|e| e.virtual_key_code != 0)
        .map(|e| Input::Key {
            vk: e.virtual_key_code as u8,
            scan: e.virtual_scan_code as u8,
            extended: e.control_key_state & kernel32::console::ENHANCED_KEY != 0,
            down: e.key_down,
        })
        .collect()
}

/// Shows the screen on `backend` from now on (replacing any other display).
pub fn set_display(state: &mut Win32State, backend: Box<dyn display::Display>) {
    state.get::<WindowManager>().display.backend = Some(backend);
    state.add_housekeeping_hook(housekeeping);
    state.add_idle_hook(idle);
}

/// Makes the machine's screen `width` x `height` pixels.
pub fn set_screen_size(state: &mut Win32State, width: u32, height: u32) {
    state.get::<WindowManager>().set_screen_size(width, height);
}

/// Queues a script's input (see [`parse_input_script`]), delivered to the program's
/// windows as they take it.
pub fn set_script(state: &mut Win32State, items: &[ScriptItem]) {
    let d = state.get::<Devices>();
    for item in items {
        match *item {
            ScriptItem::Key(k) => d
                .script
                .extend(key_inputs(k).into_iter().map(Pending::Input)),
            ScriptItem::Input(i) => d.script.push_back(Pending::Input(i)),
            ScriptItem::Wait(ms) => d.script.push_back(Pending::Wait(ms)),
        }
    }
    if !d.script.is_empty() {
        state.add_housekeeping_hook(housekeeping);
        state.add_idle_hook(idle);
    }
}

/// Whether scripted input is still to come.
pub fn script_pending(state: &mut Win32State) -> bool {
    !state.get::<Devices>().script.is_empty()
}

/// Gives input to the window manager now (the host's, or an embedder's): keys to the
/// focus window, mouse events to the window under the cursor; the host window closing
/// asks the active window to close (WM_SYSCOMMAND SC_CLOSE), and a second close ends every
/// process of the machine.
pub fn inject(state: &mut Win32State, machine: &mut Machine, input: Input) {
    let time = machine.clock().now_ms() as u32;
    let wm = state.get::<WindowManager>();
    match input {
        Input::Key {
            vk,
            scan,
            extended,
            down,
        } => {
            wm.key_input(vk, scan, extended, down, time);
        }
        Input::MouseMove { x, y } => {
            wm.mouse_input(MouseAction::Move, x, y, time);
        }
        Input::MouseButton { button, down, x, y } => {
            let (x, y) = if x == i32::MIN {
                wm.display.cursor
            } else {
                (x, y)
            };
            let action = if down {
                MouseAction::Down(button)
            } else {
                MouseAction::Up(button)
            };
            wm.mouse_input(action, x, y, time);
        }
        Input::Close => {
            let active = wm.full_handle(wm.active).unwrap_or(0);
            if active != 0
                && let Some(w) = wm.window(active)
                && let Some(q) = wm.queues.get_mut(&(w.process, w.thread))
            {
                q.post(win32k::Message {
                    hwnd: active,
                    message: crate::wm::WM_SYSCOMMAND,
                    wparam: 0xF060, // SC_CLOSE
                    lparam: 0,
                    time,
                    pt: (0, 0),
                });
            }
            let d = state.get::<Devices>();
            if d.closed || active == 0 {
                for pid in machine.process_ids() {
                    machine.exit_process(pid, 0);
                }
            }
            state.get::<Devices>().closed = true;
        }
    }
}

/// Delivers what is due of the script; true when something was delivered.
fn pump_script(state: &mut Win32State, machine: &mut Machine) -> bool {
    let mut delivered = false;
    loop {
        let now = machine.clock().now_ms();
        let d = state.get::<Devices>();
        let Some(&head) = d.script.front() else {
            return delivered;
        };
        match head {
            Pending::Wait(ms) => {
                let until = *d.wait_until.get_or_insert(now.saturating_add(ms));
                if now >= until {
                    d.script.pop_front();
                    d.wait_until = None;
                    continue;
                }
                // The machine's clock must get there even when every thread waits.
                let timer = d
                    .timer
                    .get_or_insert_with(|| machine.objects().create_timer(EventType::Notification))
                    .clone();
                if machine.timer_remaining(&timer).is_none() {
                    let _ = machine.set_timer(&timer, until, 0, None);
                }
                return delivered;
            }
            Pending::Input(input) => {
                let wm = state.get::<WindowManager>();
                if wm.input_pending() {
                    return delivered;
                }
                let target_ready = match input {
                    Input::Key { .. } => wm
                        .full_handle(wm.focus)
                        .or(wm.full_handle(wm.active))
                        .is_some(),
                    _ => wm.children(win32k::DESKTOP).iter().any(|&h| wm.is_shown(h)),
                };
                if !target_ready {
                    return delivered;
                }
                let d = state.get::<Devices>();
                d.script.pop_front();
                d.woke = true;
                inject(state, machine, input);
                delivered = true;
            }
        }
    }
}

/// Takes the host's input and gives it to the windows; true when there was some.
fn pump_host(state: &mut Win32State, machine: &mut Machine) -> bool {
    let input = match state.get::<WindowManager>().display.backend.as_mut() {
        Some(b) => b.take_input(),
        None => return false,
    };
    let any = !input.is_empty();
    state.get::<Devices>().woke |= any;
    for i in input {
        inject(state, machine, i);
    }
    any
}

/// Takes the windows of threads that ended off the screen (NT destroys a thread's windows
/// when it exits): what they covered is painted again.
fn forget_dead_windows(state: &mut Win32State, machine: &Machine) {
    let wm = state.get::<WindowManager>();
    let dead: Vec<u32> = wm
        .all_windows()
        .into_iter()
        .filter(|&h| {
            wm.window(h).is_some_and(|w| {
                w.handle != win32k::DESKTOP
                    && machine
                        .process(w.process)
                        .and_then(|p| p.thread(w.thread))
                        .is_none()
            })
        })
        .collect();
    let mut uncovered = Vec::new();
    for h in dead {
        if wm.is_shown(h)
            && let Some((r, _)) = wm.screen_rects(h)
        {
            uncovered.push(r);
        }
        wm.remove(h);
    }
    for r in uncovered {
        wm.expose(r);
    }
}

/// Shows the screen if it changed (at most about 60 times a host second while running),
/// and lets the display take its scheduled screenshots.
fn present(state: &mut Win32State, machine: &mut Machine, pause: Pause) {
    let now = machine.clock().now_ms();
    let last = state.get::<Devices>().last_present;
    let due =
        pause != Pause::Running || last.is_none_or(|t| t.elapsed() >= Duration::from_millis(16));
    if due && state.get::<WindowManager>().display.backend.is_some() {
        forget_dead_windows(state, machine);
    }
    let wm = state.get::<WindowManager>();
    let Some(backend) = wm.display.backend.as_mut() else {
        return;
    };
    let frame = display::Frame {
        width: wm.screen.width(),
        height: wm.screen.height(),
        pixels: wm.screen.pixels(),
    };
    // The screen is drawn to by GDI too, which does not say so: show it at least every
    // tenth of a host second.
    let stale = last.is_none_or(|t| t.elapsed() >= Duration::from_millis(100));
    let mut presented = None;
    if due && (wm.display.dirty || stale) {
        backend.present(frame, now);
        wm.display.dirty = false;
        presented = Some(Instant::now());
    } else {
        backend.tick(frame, now);
    }
    // The clock stops at the display's next scheduled tick.
    if let Some(next) = backend.next_tick() {
        let d = state.get::<Devices>();
        d.last_present = presented.or(d.last_present);
        let timer = d
            .tick_timer
            .get_or_insert_with(|| machine.objects().create_timer(EventType::Notification))
            .clone();
        let remaining = machine.timer_remaining(&timer);
        if remaining.is_none_or(|r| now + r != next) && next > now {
            let _ = machine.set_timer(&timer, next, 0, None);
        }
    } else if presented.is_some() {
        state.get::<Devices>().last_present = presented;
    }
}

fn housekeeping(state: &mut Win32State, _io: &HostIo, machine: &mut Machine, pause: Pause) {
    pump_host(state, machine);
    pump_script(state, machine);
    present(state, machine, pause);
}

fn idle(state: &mut Win32State, machine: &mut Machine, timeout: Option<Duration>) -> bool {
    if pump_host(state, machine) | pump_script(state, machine)
        || std::mem::take(&mut state.get::<Devices>().woke)
    {
        return true;
    }
    let start = Instant::now();
    loop {
        let wm = state.get::<WindowManager>();
        let Some(backend) = wm.display.backend.as_mut() else {
            return false;
        };
        if !backend.interactive() {
            return false;
        }
        let left = match timeout {
            Some(t) => match t.checked_sub(start.elapsed()) {
                Some(l) if !l.is_zero() => Some(l),
                _ => return false,
            },
            None => None,
        };
        if backend.wait_input(left) && pump_host(state, machine) {
            present(state, machine, Pause::Sleeping(Duration::ZERO));
            return true;
        }
        // The host rang (a Ctrl+C on the terminal, say): the scheduler serves it.
        if machine.host_signal().is_rung() {
            return true;
        }
    }
}

/// The run ended: the display gets the last screen (its `--screenshot`). Returns what went
/// wrong showing the screen (screenshots that could not be written).
pub fn finish(state: &mut Win32State, machine: &Machine) -> Vec<String> {
    forget_dead_windows(state, machine);
    let now = machine.clock().now_ms();
    let wm = state.get::<WindowManager>();
    let Some(backend) = wm.display.backend.as_mut() else {
        return Vec::new();
    };
    let frame = display::Frame {
        width: wm.screen.width(),
        height: wm.screen.height(),
        pixels: wm.screen.pixels(),
    };
    backend.present(frame, now);
    backend.finish(frame, now);
    backend.take_errors()
}

/// The character a key-down message types (TranslateMessage's WM_CHAR), 0 for none, with
/// the Shift, Ctrl and Alt keys as they are.
pub fn typed_char(wm: &WindowManager, vk: u32) -> u8 {
    let d = &wm.display;
    let mut m = Modifiers::NONE;
    if d.is_down(VK_SHIFT) {
        m = m | Modifiers::SHIFT;
    }
    if d.is_down(VK_CONTROL) {
        m = m | Modifiers::CTRL;
    }
    if d.is_down(VK_MENU) {
        m = m | Modifiers::ALT;
    }
    key_char(vk as u16, m)
}

// ---- exports ---------------------------------------------------------------------------

/// SHORT GetKeyState(int nVirtKey): 0xFF80 (negative) when the key is down, bit 0 when it
/// is toggled.
#[export]
fn GetKeyState(call: &mut ApiCall<'_>, nVirtKey: u32) -> u32 {
    let k = crate::wm::wm(call).display.keys[(nVirtKey & 0xFF) as usize];
    let down = if k & 0x80 != 0 { 0xFFFF_FF80 } else { 0 };
    down | u32::from(k & 1)
}

/// SHORT GetAsyncKeyState(int vKey): 0x8000 (negative) when the key is down.
#[export]
fn GetAsyncKeyState(call: &mut ApiCall<'_>, vKey: u32) -> u32 {
    let k = crate::wm::wm(call).display.keys[(vKey & 0xFF) as usize];
    if k & 0x80 != 0 { 0xFFFF_8000 } else { 0 }
}

/// BOOL GetKeyboardState(PBYTE lpKeyState): the 256 key states.
#[export]
fn GetKeyboardState(call: &mut ApiCall<'_>, lpKeyState: Ptr) -> ApiReturn {
    let keys = crate::wm::wm(call).display.keys;
    match call.write_bytes(lpKeyState.0, &keys) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail_win32(nt_status::Win32Error::NOACCESS, 0),
    }
}

/// BOOL SetKeyboardState(LPBYTE lpKeyState): the 256 key states become these.
#[export]
fn SetKeyboardState(call: &mut ApiCall<'_>, lpKeyState: Ptr) -> ApiReturn {
    let Ok(b) = call.read_bytes(lpKeyState.0, 256) else {
        return call.fail_win32(nt_status::Win32Error::NOACCESS, 0);
    };
    let wm = crate::wm::wm(call);
    wm.display.keys.copy_from_slice(&b);
    ApiReturn::Value(1)
}

/// BOOL GetCursorPos(LPPOINT lpPoint).
#[export]
fn GetCursorPos(call: &mut ApiCall<'_>, lpPoint: Ptr) -> ApiReturn {
    let (x, y) = crate::wm::wm(call).display.cursor;
    let mut b = x.to_le_bytes().to_vec();
    b.extend_from_slice(&y.to_le_bytes());
    match call.write_bytes(lpPoint.0, &b) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail_win32(nt_status::Win32Error::NOACCESS, 0),
    }
}

/// BOOL SetCursorPos(int X, int Y): the cursor moves there (kept on the screen), and the
/// window under it gets the mouse move.
#[export]
fn SetCursorPos(call: &mut ApiCall<'_>, X: i32, Y: i32) -> bool {
    let time = call.machine.clock().now_ms() as u32;
    let wm = crate::wm::wm(call);
    let (w, h) = wm.screen_size();
    let (x, y) = (X.clamp(0, w - 1), Y.clamp(0, h - 1));
    if (x, y) != wm.display.cursor {
        wm.mouse_input(MouseAction::Move, x, y, time);
    }
    true
}

/// WM_CAPTURECHANGED.
const WM_CAPTURECHANGED: u32 = 0x0215;

/// Gives the capture to `hwnd` (0: nobody); the window that loses it gets
/// WM_CAPTURECHANGED with the new one in lParam. The step returns `result`.
fn change_capture(call: &mut ApiCall<'_>, hwnd: u32, result: u32) -> crate::guest::Step {
    use crate::wm::{Act, plan, returning};
    let wm = crate::wm::wm(call);
    let previous = wm.full_handle(wm.display.capture).unwrap_or(0);
    wm.display.capture = hwnd;
    let mut acts = std::collections::VecDeque::new();
    if previous != 0 && previous != hwnd {
        acts.push_back(Act::Send(previous, WM_CAPTURECHANGED, 0, hwnd));
    }
    plan(call, acts, 0, returning(result))
}

/// HWND SetCapture(HWND hWnd): the mouse goes to the window (client messages, whatever the
/// point) until ReleaseCapture; returns the window that had it, which gets
/// WM_CAPTURECHANGED.
#[export]
fn SetCapture(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    let wm = crate::wm::wm(call);
    let previous = wm.full_handle(wm.display.capture).unwrap_or(0);
    let Some(h) = wm.full_handle(hWnd) else {
        return ApiReturn::Value(previous);
    };
    let step = change_capture(call, h, previous);
    crate::guest::run(call, 1, step)
}

/// BOOL ReleaseCapture(void): the window that had the capture gets WM_CAPTURECHANGED.
#[export]
fn ReleaseCapture(call: &mut ApiCall<'_>) -> ApiReturn {
    let step = change_capture(call, 0, 1);
    crate::guest::run(call, 0, step)
}

/// UINT GetDoubleClickTime(void): 500 milliseconds, NT's default.
#[export]
fn GetDoubleClickTime(call: &mut ApiCall<'_>) -> u32 {
    let _ = call;
    win32k::input::DOUBLE_CLICK_MS
}

/// HWND GetCapture(void).
#[export]
fn GetCapture(call: &mut ApiCall<'_>) -> u32 {
    let wm = crate::wm::wm(call);
    wm.full_handle(wm.display.capture).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_hold_keys_mouse_actions_and_waits() {
        let items = parse_input_script(b"ab\\m{click 120,200}\\w{500ms}\\k{A-F4}\\\\m{").unwrap();
        assert_eq!(items[0], ScriptItem::Key(Key::Char(b'a')));
        assert_eq!(items[1], ScriptItem::Key(Key::Char(b'b')));
        assert_eq!(
            items[2],
            ScriptItem::Input(Input::MouseMove { x: 120, y: 200 })
        );
        assert_eq!(
            items[3],
            ScriptItem::Input(Input::MouseButton {
                button: Button::Left,
                down: true,
                x: 120,
                y: 200
            })
        );
        assert_eq!(items[5], ScriptItem::Wait(500));
        assert!(matches!(
            items[6],
            ScriptItem::Key(Key::Chord { vk: 0x73, .. })
        ));
        // `\\` is a backslash: the `m{` after it are keys.
        assert_eq!(items[7], ScriptItem::Key(Key::Char(b'\\')));
        assert_eq!(items[8], ScriptItem::Key(Key::Char(b'm')));
        assert_eq!(
            parse_input_script(b"\\w{2s}").unwrap(),
            [ScriptItem::Wait(2000)]
        );
        assert!(parse_input_script(b"\\m{jump 1,2}").is_err());
        assert!(parse_input_script(b"\\w{soon}").is_err());
        assert!(parse_input_script(b"\\m{move 1,2").is_err());
    }

    #[test]
    fn a_capital_letter_is_typed_with_shift() {
        let i = key_inputs(Key::Char(b'A'));
        assert_eq!(
            i,
            [
                Input::Key {
                    vk: 0x10,
                    scan: 0x2A,
                    extended: false,
                    down: true
                },
                Input::Key {
                    vk: b'A',
                    scan: 0x1E,
                    extended: false,
                    down: true
                },
                Input::Key {
                    vk: b'A',
                    scan: 0x1E,
                    extended: false,
                    down: false
                },
                Input::Key {
                    vk: 0x10,
                    scan: 0x2A,
                    extended: false,
                    down: false
                },
            ]
        );
    }
}
