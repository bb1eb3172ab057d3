//! Keys as NT's console delivers them: the KEY_EVENT_RECORDs a US keyboard (IBM 101/102
//! keys) produces, and the `--input` key-script syntax.
//!
//! Where the facts come from:
//! - KEY_EVENT_RECORD, its dwControlKeyState bits and which keys are "enhanced" (the grey
//!   Insert, Delete, Home, End, Page Up, Page Down and arrow keys): Microsoft's
//!   documentation of KEY_EVENT_RECORD. The same page says key events come for every key
//!   pressed or released, the control keys included, which is why a key pressed with Shift,
//!   Ctrl or Alt ([`Key::Chord`]) also brings the modifier keys' own events.
//! - Virtual-key codes: Microsoft's "Virtual-Key Codes" table (winuser.h).
//! - Scan codes (set 1) and the characters each key types with Shift, Ctrl and Shift+Ctrl:
//!   the US layout's tables (KBDUS, from the Windows DDK: `ausVK`, `aE0VscToVk`,
//!   `aVkToWch2/3/4`, `aKeyNames`), with the system's rules for using them as ReactOS
//!   documents them in `IntTranslateChar`: Alt without Ctrl is ignored when looking up the
//!   character (Alt+x types x), Ctrl+Alt types nothing on a layout without AltGr, and
//!   Ctrl+letter (with or without Shift) is the control character letter - 0x40.

/// INPUT_RECORD.EventType of a keyboard event.
pub const KEY_EVENT: u16 = 0x0001;
/// Bytes of an INPUT_RECORD (the same on x86 and Alpha: no field is wider than 4 bytes).
pub const INPUT_RECORD_SIZE: usize = 20;
/// dwControlKeyState: the left Alt key is down.
pub const LEFT_ALT_PRESSED: u32 = 0x0002;
/// dwControlKeyState: the left Ctrl key is down.
pub const LEFT_CTRL_PRESSED: u32 = 0x0008;
/// dwControlKeyState: a Shift key is down.
pub const SHIFT_PRESSED: u32 = 0x0010;
/// dwControlKeyState: the key is one of the enhanced (grey) keys.
pub const ENHANCED_KEY: u32 = 0x0100;

/// VK_CANCEL: Ctrl+Break (the Pause/Break key with Ctrl).
pub const VK_CANCEL: u16 = 0x03;
/// VK_BACK (Backspace).
pub const VK_BACK: u16 = 0x08;
/// VK_TAB.
pub const VK_TAB: u16 = 0x09;
/// VK_RETURN (Enter).
pub const VK_RETURN: u16 = 0x0D;
/// VK_SHIFT.
pub const VK_SHIFT: u16 = 0x10;
/// VK_CONTROL.
pub const VK_CONTROL: u16 = 0x11;
/// VK_MENU (Alt).
pub const VK_MENU: u16 = 0x12;
/// VK_ESCAPE.
pub const VK_ESCAPE: u16 = 0x1B;
/// VK_SPACE.
pub const VK_SPACE: u16 = 0x20;
/// VK_PRIOR (Page Up).
pub const VK_PRIOR: u16 = 0x21;
/// VK_NEXT (Page Down).
pub const VK_NEXT: u16 = 0x22;
/// VK_END.
pub const VK_END: u16 = 0x23;
/// VK_HOME.
pub const VK_HOME: u16 = 0x24;
/// VK_LEFT.
pub const VK_LEFT: u16 = 0x25;
/// VK_UP.
pub const VK_UP: u16 = 0x26;
/// VK_RIGHT.
pub const VK_RIGHT: u16 = 0x27;
/// VK_DOWN.
pub const VK_DOWN: u16 = 0x28;
/// VK_INSERT.
pub const VK_INSERT: u16 = 0x2D;
/// VK_DELETE.
pub const VK_DELETE: u16 = 0x2E;
/// VK_F1; F2 to F12 follow it (VK_F1 + n - 1 is Fn).
pub const VK_F1: u16 = 0x70;
/// VK_F12.
pub const VK_F12: u16 = 0x7B;

/// A KEY_EVENT_RECORD: one key going down or up.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct KeyEvent {
    /// bKeyDown.
    pub key_down: bool,
    /// wRepeatCount.
    pub repeat_count: u16,
    /// wVirtualKeyCode (VK_*).
    pub virtual_key_code: u16,
    /// wVirtualScanCode (scan code set 1).
    pub virtual_scan_code: u16,
    /// uChar.AsciiChar (0 for keys that type nothing).
    pub ascii_char: u8,
    /// dwControlKeyState.
    pub control_key_state: u32,
}

impl KeyEvent {
    /// The INPUT_RECORD holding it.
    pub fn to_input_record(self) -> [u8; INPUT_RECORD_SIZE] {
        let mut b = [0u8; INPUT_RECORD_SIZE];
        b[0..2].copy_from_slice(&KEY_EVENT.to_le_bytes());
        b[4..8].copy_from_slice(&u32::from(self.key_down).to_le_bytes());
        b[8..10].copy_from_slice(&self.repeat_count.to_le_bytes());
        b[10..12].copy_from_slice(&self.virtual_key_code.to_le_bytes());
        b[12..14].copy_from_slice(&self.virtual_scan_code.to_le_bytes());
        b[14] = self.ascii_char;
        b[16..20].copy_from_slice(&self.control_key_state.to_le_bytes());
        b
    }
}

/// The modifier keys held while a key is pressed: any combination of Shift, Ctrl and Alt
/// (the left-hand keys).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Hash)]
pub struct Modifiers(u8);

impl Modifiers {
    /// No modifier.
    pub const NONE: Modifiers = Modifiers(0);
    /// Shift.
    pub const SHIFT: Modifiers = Modifiers(1);
    /// Ctrl.
    pub const CTRL: Modifiers = Modifiers(2);
    /// Alt.
    pub const ALT: Modifiers = Modifiers(4);

    /// True when every modifier of `other` is held here.
    pub fn contains(self, other: Modifiers) -> bool {
        self.0 & other.0 == other.0
    }

    /// True when no modifier is held.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Both sets together.
    pub fn union(self, other: Modifiers) -> Modifiers {
        Modifiers(self.0 | other.0)
    }

    /// Their dwControlKeyState bits: SHIFT_PRESSED, LEFT_CTRL_PRESSED, LEFT_ALT_PRESSED.
    pub fn control_key_state(self) -> u32 {
        MODIFIER_KEYS
            .iter()
            .filter(|m| self.contains(m.modifier))
            .fold(0, |state, m| state | m.state)
    }
}

impl std::ops::BitOr for Modifiers {
    type Output = Modifiers;
    fn bitor(self, other: Modifiers) -> Modifiers {
        self.union(other)
    }
}

/// A key as a host delivers it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Key {
    /// A character typed, in the console's code page: one key-down and one key-up record
    /// of the US-keyboard key that types it, dwControlKeyState naming the Shift or Ctrl
    /// that needs (`A` is Shift+A, 0x01 is Ctrl+A), without separate events for those
    /// modifier keys. Characters no key types (0x80 and up) come with key code 0.
    Char(u8),
    /// The key with this virtual-key code, pressed and released alone.
    Virtual(u16),
    /// The key with virtual-key code `vk` pressed while `modifiers` are held: the
    /// modifier keys go down (Shift, Ctrl, Alt in that order), the key goes down and up,
    /// and the modifier keys come up in the reverse order, each an event of its own, as
    /// NT's console reports a keyboard.
    Chord {
        /// The key's virtual-key code.
        vk: u16,
        /// The modifier keys held.
        modifiers: Modifiers,
    },
}

impl Key {
    /// The key `vk` with `modifiers`: [`Key::Virtual`] when there are none.
    pub fn chord(vk: u16, modifiers: Modifiers) -> Key {
        if modifiers.is_empty() {
            Key::Virtual(vk)
        } else {
            Key::Chord { vk, modifiers }
        }
    }

    /// The same key with `more` modifiers held too (a character becomes its key).
    pub fn with_modifiers(self, more: Modifiers) -> Key {
        match self {
            Key::Char(c) => match char_key(c) {
                Some((vk, implied)) => Key::chord(vk, implied | more),
                None => self,
            },
            Key::Virtual(vk) => Key::chord(vk, more),
            Key::Chord { vk, modifiers } => Key::chord(vk, modifiers | more),
        }
    }
}

/// A modifier key: its modifier, virtual-key code and dwControlKeyState bit.
struct ModifierKey {
    modifier: Modifiers,
    vk: u16,
    state: u32,
}

/// The modifier keys, in the order [`Key::Chord`] presses them.
const MODIFIER_KEYS: [ModifierKey; 3] = [
    ModifierKey {
        modifier: Modifiers::SHIFT,
        vk: VK_SHIFT,
        state: SHIFT_PRESSED,
    },
    ModifierKey {
        modifier: Modifiers::CTRL,
        vk: VK_CONTROL,
        state: LEFT_CTRL_PRESSED,
    },
    ModifierKey {
        modifier: Modifiers::ALT,
        vk: VK_MENU,
        state: LEFT_ALT_PRESSED,
    },
];

/// One key of the US keyboard: its scan code, whether it is enhanced, and the character it
/// types alone, with Shift, with Ctrl and with Shift+Ctrl (None: nothing).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct KeyCap {
    scan: u16,
    enhanced: bool,
    chars: [Option<u8>; 4],
}

/// A key of the main block that types characters and is neither a letter nor a digit.
struct Punctuation {
    vk: u16,
    base: u8,
    shifted: u8,
    scan: u16,
    ctrl: Option<u8>,
    shift_ctrl: Option<u8>,
}

/// A punctuation key: (virtual key, unshifted, shifted, scan code, with Ctrl, with
/// Shift+Ctrl).
const fn punctuation(
    vk: u16,
    base: u8,
    shifted: u8,
    scan: u16,
    ctrl: Option<u8>,
    shift_ctrl: Option<u8>,
) -> Punctuation {
    Punctuation {
        vk,
        base,
        shifted,
        scan,
        ctrl,
        shift_ctrl,
    }
}

/// The punctuation keys of the US keyboard.
#[rustfmt::skip]
const PUNCTUATION: [Punctuation; 11] = [
    punctuation(0xBA, b';', b':', 0x27, None, None),
    punctuation(0xBB, b'=', b'+', 0x0D, None, None),
    punctuation(0xBC, b',', b'<', 0x33, None, None),
    punctuation(0xBD, b'-', b'_', 0x0C, None, Some(0x1F)),
    punctuation(0xBE, b'.', b'>', 0x34, None, None),
    punctuation(0xBF, b'/', b'?', 0x35, None, None),
    punctuation(0xC0, b'`', b'~', 0x29, None, None),
    punctuation(0xDB, b'[', b'{', 0x1A, Some(0x1B), None),
    punctuation(0xDC, b'\\', b'|', 0x2B, Some(0x1C), None),
    punctuation(0xDD, b']', b'}', 0x1B, Some(0x1D), None),
    punctuation(0xDE, b'\'', b'"', 0x28, None, None),
];

/// The digit row, 1 to 0, and what Shift makes of each digit key.
const DIGIT_ROW: &[u8; 10] = b"1234567890";
const DIGIT_SHIFTED: &[u8; 10] = b"!@#$%^&*()";
/// The letter rows, each with the scan code of its first key.
const LETTER_ROWS: [(&[u8], u16); 3] = [
    (b"QWERTYUIOP", 0x10),
    (b"ASDFGHJKL", 0x1E),
    (b"ZXCVBNM", 0x2C),
];

/// The US keyboard's key with virtual-key code `vk`, if it has one.
fn key_cap(vk: u16) -> Option<KeyCap> {
    let cap = |scan: u16, chars: [Option<u8>; 4]| KeyCap {
        scan,
        enhanced: false,
        chars,
    };
    let silent = |scan: u16| cap(scan, [None; 4]);
    let grey = |scan: u16| KeyCap {
        scan,
        enhanced: true,
        chars: [None; 4],
    };
    let byte = u8::try_from(vk).ok();
    Some(match vk {
        VK_BACK => cap(0x0E, [Some(0x08), Some(0x08), Some(0x7F), None]),
        VK_TAB => cap(0x0F, [Some(b'\t'), Some(b'\t'), None, None]),
        VK_RETURN => cap(0x1C, [Some(b'\r'), Some(b'\r'), Some(b'\n'), None]),
        VK_ESCAPE => cap(0x01, [Some(0x1B), Some(0x1B), Some(0x1B), None]),
        VK_SPACE => cap(0x39, [Some(b' '), Some(b' '), Some(b' '), None]),
        VK_SHIFT => silent(0x2A),
        VK_CONTROL => silent(0x1D),
        VK_MENU => silent(0x38),
        VK_PRIOR => grey(0x49),
        VK_NEXT => grey(0x51),
        VK_END => grey(0x4F),
        VK_HOME => grey(0x47),
        VK_LEFT => grey(0x4B),
        VK_UP => grey(0x48),
        VK_RIGHT => grey(0x4D),
        VK_DOWN => grey(0x50),
        VK_INSERT => grey(0x52),
        VK_DELETE => grey(0x53),
        // Ctrl+Break: the Pause key's scan code, an enhanced key.
        VK_CANCEL => grey(0x46),
        0x70..=0x79 => silent(0x3B + (vk - VK_F1)),
        0x7A => silent(0x57),
        0x7B => silent(0x58),
        0x30..=0x39 => {
            let digit = byte?;
            let i = DIGIT_ROW.iter().position(|&d| d == digit)?;
            let shift_ctrl = match digit {
                b'2' => Some(0x00),
                b'6' => Some(0x1E),
                _ => None,
            };
            cap(
                0x02 + i as u16,
                [Some(digit), Some(DIGIT_SHIFTED[i]), None, shift_ctrl],
            )
        }
        0x41..=0x5A => {
            let letter = byte?;
            let scan = LETTER_ROWS.iter().find_map(|&(row, first)| {
                row.iter()
                    .position(|&l| l == letter)
                    .map(|i| first + i as u16)
            })?;
            let control = letter - 0x40;
            cap(
                scan,
                [
                    Some(letter.to_ascii_lowercase()),
                    Some(letter),
                    Some(control),
                    Some(control),
                ],
            )
        }
        _ => {
            let p = PUNCTUATION.iter().find(|p| p.vk == vk)?;
            cap(
                p.scan,
                [Some(p.base), Some(p.shifted), p.ctrl, p.shift_ctrl],
            )
        }
    })
}

/// The virtual-key codes [`char_key`] searches, in order: letters first, so that the
/// control characters 0x01-0x1A are Ctrl+letter.
fn typing_keys() -> impl Iterator<Item = u16> {
    (0x41u16..=0x5A)
        .chain(0x30..=0x39)
        .chain(PUNCTUATION.iter().map(|p| p.vk))
}

/// The modifiers of a character column of [`KeyCap::chars`].
const COLUMN_MODIFIERS: [Modifiers; 4] = [
    Modifiers::NONE,
    Modifiers::SHIFT,
    Modifiers::CTRL,
    Modifiers(Modifiers::SHIFT.0 | Modifiers::CTRL.0),
];

/// The US-keyboard key that types character `c`, and the modifiers it needs (Shift for
/// `A`, Ctrl for 0x01): None for characters no key types. The named keys come first: 0x08
/// is Backspace, 0x09 Tab, 0x0D Enter, 0x0A Ctrl+Enter, 0x1B Esc, 0x7F Ctrl+Backspace
/// and 0x00 Ctrl+Shift+2.
pub fn char_key(c: u8) -> Option<(u16, Modifiers)> {
    let named = match c {
        0x08 => Some((VK_BACK, Modifiers::NONE)),
        b'\t' => Some((VK_TAB, Modifiers::NONE)),
        b'\r' => Some((VK_RETURN, Modifiers::NONE)),
        b'\n' => Some((VK_RETURN, Modifiers::CTRL)),
        0x1B => Some((VK_ESCAPE, Modifiers::NONE)),
        b' ' => Some((VK_SPACE, Modifiers::NONE)),
        0x7F => Some((VK_BACK, Modifiers::CTRL)),
        _ => None,
    };
    named.or_else(|| {
        typing_keys().find_map(|vk| {
            let chars = key_cap(vk)?.chars;
            let column = chars.iter().position(|&ch| ch == Some(c))?;
            Some((vk, COLUMN_MODIFIERS[column]))
        })
    })
}

/// The character key `vk` types with `modifiers` held (0: none), as the US layout gives
/// it: Alt alone does not change the character, Ctrl+Alt types nothing.
pub fn key_char(vk: u16, modifiers: Modifiers) -> u8 {
    let ctrl = modifiers.contains(Modifiers::CTRL);
    if ctrl && modifiers.contains(Modifiers::ALT) {
        return 0;
    }
    let column = usize::from(modifiers.contains(Modifiers::SHIFT)) + 2 * usize::from(ctrl);
    key_cap(vk).and_then(|k| k.chars[column]).unwrap_or(0)
}

/// The scan code (set 1) of key `vk` on a US keyboard, 0 if it has none.
pub fn scan_code(vk: u16) -> u16 {
    key_cap(vk).map_or(0, |k| k.scan)
}

fn event(key_down: bool, vk: u16, ch: u8, state: u32) -> KeyEvent {
    KeyEvent {
        key_down,
        repeat_count: 1,
        virtual_key_code: vk,
        virtual_scan_code: scan_code(vk),
        ascii_char: ch,
        control_key_state: state,
    }
}

/// The key events a US keyboard produces for `key`, in order: a key-down and a key-up
/// record, and for a [`Key::Chord`] the modifier keys' own records around them.
pub fn key_events(key: Key) -> Vec<KeyEvent> {
    let (vk, modifiers) = match key {
        Key::Char(c) => {
            let (vk, modifiers) = char_key(c).unwrap_or((0, Modifiers::NONE));
            let state = modifiers.control_key_state();
            return vec![event(true, vk, c, state), event(false, vk, c, state)];
        }
        Key::Virtual(vk) => (vk, Modifiers::NONE),
        Key::Chord { vk, modifiers } => (vk, modifiers),
    };
    let held: Vec<&ModifierKey> = MODIFIER_KEYS
        .iter()
        .filter(|m| modifiers.contains(m.modifier) && m.vk != vk)
        .collect();
    let mut events = Vec::with_capacity(2 + 2 * held.len());
    let mut state = 0;
    for m in &held {
        state |= m.state;
        events.push(event(true, m.vk, 0, state));
    }
    let ch = key_char(vk, modifiers);
    let enhanced = if key_cap(vk).is_some_and(|k| k.enhanced) {
        ENHANCED_KEY
    } else {
        0
    };
    // A modifier key pressed as the key itself is down in its own key-down record.
    let own = MODIFIER_KEYS
        .iter()
        .find(|m| m.vk == vk)
        .map_or(0, |m| m.state);
    events.push(event(true, vk, ch, state | enhanced | own));
    events.push(event(false, vk, ch, state | enhanced));
    for m in held.iter().rev() {
        state &= !m.state;
        events.push(event(false, m.vk, 0, state));
    }
    events
}

/// The key a `\k{...}` name means (without its modifier prefixes): the virtual-key code
/// and the modifiers the name implies (Shift for `:`, `?`, ...).
fn named_key(name: &str) -> Option<(u16, Modifiers)> {
    if let &[c] = name.as_bytes() {
        if c.is_ascii_alphabetic() {
            return Some((u16::from(c.to_ascii_uppercase()), Modifiers::NONE));
        }
        if c.is_ascii_graphic() {
            return char_key(c);
        }
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let vk = match lower.as_str() {
        "up" => VK_UP,
        "down" => VK_DOWN,
        "left" => VK_LEFT,
        "right" => VK_RIGHT,
        "home" => VK_HOME,
        "end" => VK_END,
        "pgup" | "pageup" => VK_PRIOR,
        "pgdn" | "pagedown" => VK_NEXT,
        "ins" | "insert" => VK_INSERT,
        "del" | "delete" => VK_DELETE,
        "esc" | "escape" => VK_ESCAPE,
        "enter" | "return" => VK_RETURN,
        "tab" => VK_TAB,
        "backspace" | "bs" => VK_BACK,
        "space" => VK_SPACE,
        // The Break key exists only with Ctrl (Ctrl+Pause).
        "break" | "cancel" => return Some((VK_CANCEL, Modifiers::CTRL)),
        _ => {
            let digits = lower.strip_prefix('f')?;
            if !digits.bytes().all(|d| d.is_ascii_digit()) || digits.starts_with('0') {
                return None;
            }
            let n: u16 = digits.parse().ok()?;
            if !(1..=12).contains(&n) {
                return None;
            }
            VK_F1 + n - 1
        }
    };
    Some((vk, Modifiers::NONE))
}

/// The longest `\k{...}` name ntemu looks for before saying the `}` is missing.
const MAX_KEY_NAME: usize = 16;

/// Parses the inside of `\k{...}` starting at `text[start]` (just after the `{`): the key
/// and the index just past the `}`. `at` is where the escape began, for messages.
fn parse_named_key(text: &[u8], start: usize, at: usize) -> Result<(Key, usize), String> {
    let mut modifiers = Modifiers::NONE;
    let mut i = start;
    // Modifier prefixes: a letter S, C or A and a hyphen, with something after them.
    while let (Some(&letter), Some(&b'-'), Some(_)) =
        (text.get(i), text.get(i + 1), text.get(i + 2))
    {
        let modifier = match letter.to_ascii_uppercase() {
            b'S' => Modifiers::SHIFT,
            b'C' => Modifiers::CTRL,
            b'A' => Modifiers::ALT,
            _ => break,
        };
        if modifiers.contains(modifier) {
            return Err(format!(
                "\\k{{...}} at byte {at} names the modifier {}- twice",
                char::from(letter.to_ascii_uppercase())
            ));
        }
        modifiers = modifiers | modifier;
        i += 2;
    }
    // The name is at least one byte (so `\k{}}` and `\k{C-}}` name the `}` key).
    let close = text
        .iter()
        .skip(i + 1)
        .take(MAX_KEY_NAME)
        .position(|&b| b == b'}')
        .map(|j| i + 1 + j)
        .ok_or_else(|| {
            format!(
                "\\k{{ at byte {at} has no closing }} (e.g. \\k{{F8}}, \\k{{C-Home}}, \\k{{A-x}})"
            )
        })?;
    let name = String::from_utf8_lossy(&text[i..close]);
    let (vk, implied) = named_key(&name).ok_or_else(|| {
        format!(
            "unknown key name {:?} in \\k{{...}} at byte {at} (known: F1-F12, Up, Down, Left, \
             Right, Home, End, PgUp, PgDn, Ins, Del, Esc, Enter, Tab, Backspace, Space, Break, \
             a letter, digit or punctuation character; modifiers S-, C-, A-)",
            name
        )
    })?;
    Ok((Key::chord(vk, modifiers | implied), close + 1))
}

/// Parses a `--input` key script: every byte is a key (a character, see [`Key::Char`]),
/// except the escapes `\e` (Esc), `\r` (Enter), `\n` (Ctrl+Enter, character 10), `\t`
/// (Tab), `\\` (a backslash), `\xNN` (the byte NN) and `\k{NAME}`, a key by name with
/// optional modifier prefixes `S-` (Shift), `C-` (Ctrl) and `A-` (Alt) in any combination
/// and order: F1-F12, Up, Down, Left, Right, Home, End, PgUp, PgDn, Ins, Del, Esc, Enter,
/// Tab, Backspace, Space, Break (Ctrl+Break, which implies Ctrl), or one letter, digit or
/// punctuation character (its key; a shifted character such as `:` adds Shift),
/// case-insensitive (`\k{C-S-F5}`, `\k{A-x}`, `\k{c-home}`). A line break in the file is
/// a key like any other byte. Errors name the byte offset of the bad escape.
pub fn parse_key_script(text: &[u8]) -> Result<Vec<Key>, String> {
    let mut keys = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        i += 1;
        if b != b'\\' {
            keys.push(Key::Char(b));
            continue;
        }
        let at = i - 1;
        let Some(&e) = text.get(i) else {
            return Err(format!("a lone backslash ends the key script (byte {at})"));
        };
        i += 1;
        let key = match e {
            b'e' => 0x1B,
            b'r' => b'\r',
            b'n' => b'\n',
            b't' => b'\t',
            b'\\' => b'\\',
            b'x' => {
                let hex = text
                    .get(i..i + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .filter(|h| h.bytes().all(|d| d.is_ascii_hexdigit()))
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("\\x needs two hex digits (byte {at})"))?;
                i += 2;
                hex
            }
            b'k' => {
                if text.get(i) != Some(&b'{') {
                    return Err(format!(
                        "\\k needs a key name in braces, e.g. \\k{{F8}} (byte {at})"
                    ));
                }
                let (key, next) = parse_named_key(text, i + 1, at)?;
                keys.push(key);
                i = next;
                continue;
            }
            other => {
                return Err(format!(
                    "unknown escape \\{} in the key script (byte {at})",
                    char::from(other).escape_default(),
                ));
            }
        };
        keys.push(Key::Char(key));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (bKeyDown, wVirtualKeyCode, wVirtualScanCode, uChar, dwControlKeyState) of each
    /// record of `key`.
    fn records(key: Key) -> Vec<(bool, u16, u16, u8, u32)> {
        key_events(key)
            .iter()
            .map(|e| {
                assert_eq!(e.repeat_count, 1);
                (
                    e.key_down,
                    e.virtual_key_code,
                    e.virtual_scan_code,
                    e.ascii_char,
                    e.control_key_state,
                )
            })
            .collect()
    }

    /// The records of a script holding exactly one key.
    fn script(text: &str) -> Vec<(bool, u16, u16, u8, u32)> {
        let keys = parse_key_script(text.as_bytes()).unwrap();
        assert_eq!(keys.len(), 1, "{text}: {keys:?}");
        records(keys[0])
    }

    /// A key pressed alone: its down and up records.
    fn alone(vk: u16, scan: u16, ch: u8, state: u32) -> Vec<(bool, u16, u16, u8, u32)> {
        vec![(true, vk, scan, ch, state), (false, vk, scan, ch, state)]
    }

    const SHIFT_DOWN: (bool, u16, u16, u8, u32) = (true, VK_SHIFT, 0x2A, 0, SHIFT_PRESSED);
    const CTRL_DOWN: (bool, u16, u16, u8, u32) = (true, VK_CONTROL, 0x1D, 0, LEFT_CTRL_PRESSED);
    const ALT_DOWN: (bool, u16, u16, u8, u32) = (true, VK_MENU, 0x38, 0, LEFT_ALT_PRESSED);

    #[test]
    fn every_function_key_has_its_code_and_scan_code_and_types_nothing() {
        // F1-F10 are scan codes 0x3B-0x44, F11 and F12 0x57 and 0x58; none is enhanced.
        let scans = [
            0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x41, 0x42, 0x43, 0x44, 0x57, 0x58,
        ];
        for (n, scan) in (1..=12).zip(scans) {
            let vk = 0x6F + n;
            assert_eq!(
                script(&format!("\\k{{F{n}}}")),
                alone(vk, scan, 0, 0),
                "F{n}"
            );
            assert_eq!(
                script(&format!("\\k{{f{n}}}")),
                alone(vk, scan, 0, 0),
                "f{n}"
            );
        }
        assert_eq!(VK_F1 + 11, VK_F12);
    }

    #[test]
    fn the_grey_keys_are_enhanced() {
        for (name, vk, scan) in [
            ("Up", 0x26, 0x48),
            ("Down", 0x28, 0x50),
            ("Left", 0x25, 0x4B),
            ("Right", 0x27, 0x4D),
            ("Home", 0x24, 0x47),
            ("End", 0x23, 0x4F),
            ("PgUp", 0x21, 0x49),
            ("PgDn", 0x22, 0x51),
            ("Ins", 0x2D, 0x52),
            ("Del", 0x2E, 0x53),
        ] {
            assert_eq!(
                script(&format!("\\k{{{name}}}")),
                alone(vk, scan, 0, ENHANCED_KEY),
                "{name}"
            );
            assert_eq!(
                script(&format!("\\k{{{}}}", name.to_uppercase())),
                alone(vk, scan, 0, ENHANCED_KEY)
            );
        }
        // The long names say the same.
        for (long, short) in [
            ("PageUp", "PgUp"),
            ("pagedown", "PgDn"),
            ("Insert", "Ins"),
            ("DELETE", "Del"),
            ("Escape", "Esc"),
            ("Return", "Enter"),
            ("BS", "Backspace"),
        ] {
            assert_eq!(
                script(&format!("\\k{{{long}}}")),
                script(&format!("\\k{{{short}}}"))
            );
        }
    }

    #[test]
    fn named_character_keys_type_their_character() {
        assert_eq!(script("\\k{Esc}"), alone(0x1B, 0x01, 0x1B, 0));
        assert_eq!(script("\\k{Enter}"), alone(0x0D, 0x1C, b'\r', 0));
        assert_eq!(script("\\k{Tab}"), alone(0x09, 0x0F, b'\t', 0));
        assert_eq!(script("\\k{Backspace}"), alone(0x08, 0x0E, 0x08, 0));
        assert_eq!(script("\\k{Space}"), alone(0x20, 0x39, b' ', 0));
        // The same records as the escapes and plain characters.
        assert_eq!(script("\\k{Esc}"), script("\\e"));
        assert_eq!(script("\\k{Enter}"), script("\\r"));
        assert_eq!(script("\\k{Tab}"), script("\\t"));
        assert_eq!(script("\\k{Space}"), script(" "));
        assert_eq!(script("\\k{Backspace}"), script("\\x08"));
    }

    #[test]
    fn every_letter_digit_and_punctuation_key_by_name() {
        let rows: [(&str, u16); 4] = [
            ("1234567890-=", 0x02),
            ("qwertyuiop[]", 0x10),
            ("asdfghjkl;'`", 0x1E),
            ("zxcvbnm,./", 0x2C),
        ];
        for (row, first) in rows {
            for (i, c) in row.bytes().enumerate() {
                let scan = first + i as u16;
                let vk = match c {
                    b'a'..=b'z' => u16::from(c.to_ascii_uppercase()),
                    b'0'..=b'9' => u16::from(c),
                    b';' => 0xBA,
                    b'=' => 0xBB,
                    b',' => 0xBC,
                    b'-' => 0xBD,
                    b'.' => 0xBE,
                    b'/' => 0xBF,
                    b'`' => 0xC0,
                    b'[' => 0xDB,
                    b']' => 0xDD,
                    b'\'' => 0xDE,
                    _ => unreachable!(),
                };
                let name = format!("\\k{{{}}}", char::from(c));
                assert_eq!(script(&name), alone(vk, scan, c, 0), "{name}");
                // A plain character in the script is the same key.
                assert_eq!(script(&char::from(c).to_string()), alone(vk, scan, c, 0));
            }
        }
        assert_eq!(script("\\k{\\}"), alone(0xDC, 0x2B, b'\\', 0));
        // Letters are case-insensitive: \k{A} is the A key, unshifted.
        assert_eq!(script("\\k{A}"), script("\\k{a}"));
        // A shifted character names its key with Shift, which goes down on its own.
        assert_eq!(
            script("\\k{:}"),
            vec![
                SHIFT_DOWN,
                (true, 0xBA, 0x27, b':', SHIFT_PRESSED),
                (false, 0xBA, 0x27, b':', SHIFT_PRESSED),
                (false, VK_SHIFT, 0x2A, 0, 0),
            ]
        );
        assert_eq!(script("\\k{S-;}"), script("\\k{:}"));
        assert_eq!(script("\\k{}}"), script("\\k{S-]}"));
        assert_eq!(records(Key::chord(0xDD, Modifiers::SHIFT))[1].3, b'}');
    }

    #[test]
    fn shift_types_the_shifted_character_after_a_shift_key_event() {
        assert_eq!(
            script("\\k{S-a}"),
            vec![
                SHIFT_DOWN,
                (true, 0x41, 0x1E, b'A', SHIFT_PRESSED),
                (false, 0x41, 0x1E, b'A', SHIFT_PRESSED),
                (false, VK_SHIFT, 0x2A, 0, 0),
            ]
        );
        assert_eq!(script("\\k{s-2}")[1].3, b'@');
        // Shift+Tab is still a tab; Shift+F5 types nothing.
        assert_eq!(
            script("\\k{S-Tab}")[1],
            (true, 0x09, 0x0F, b'\t', SHIFT_PRESSED)
        );
        assert_eq!(script("\\k{S-F5}")[1], (true, 0x74, 0x3F, 0, SHIFT_PRESSED));
    }

    #[test]
    fn ctrl_types_control_characters_where_the_us_layout_has_them() {
        assert_eq!(
            script("\\k{C-a}"),
            vec![
                CTRL_DOWN,
                (true, 0x41, 0x1E, 0x01, LEFT_CTRL_PRESSED),
                (false, 0x41, 0x1E, 0x01, LEFT_CTRL_PRESSED),
                (false, VK_CONTROL, 0x1D, 0, 0),
            ]
        );
        let ctrl = |name: &str| script(&format!("\\k{{C-{name}}}"))[1].3;
        let shift_ctrl = |name: &str| script(&format!("\\k{{S-C-{name}}}"))[2].3;
        for (i, letter) in (b'a'..=b'z').enumerate() {
            let name = char::from(letter).to_string();
            assert_eq!(ctrl(&name), i as u8 + 1);
            assert_eq!(shift_ctrl(&name), i as u8 + 1);
        }
        assert_eq!(ctrl("["), 0x1B);
        assert_eq!(ctrl("\\"), 0x1C);
        assert_eq!(ctrl("]"), 0x1D);
        assert_eq!(ctrl("Enter"), b'\n');
        assert_eq!(ctrl("Backspace"), 0x7F);
        assert_eq!(ctrl("Esc"), 0x1B);
        assert_eq!(ctrl("Space"), b' ');
        assert_eq!(ctrl("Tab"), 0);
        assert_eq!(ctrl("2"), 0);
        assert_eq!(ctrl("6"), 0);
        assert_eq!(ctrl(";"), 0);
        assert_eq!(shift_ctrl("6"), 0x1E);
        assert_eq!(shift_ctrl("-"), 0x1F);
        assert_eq!(shift_ctrl("2"), 0x00);
        assert_eq!(shift_ctrl("Enter"), 0);
        // Ctrl+Home: the Ctrl key, then the enhanced Home key with Ctrl held.
        assert_eq!(
            script("\\k{C-Home}"),
            vec![
                CTRL_DOWN,
                (true, 0x24, 0x47, 0, LEFT_CTRL_PRESSED | ENHANCED_KEY),
                (false, 0x24, 0x47, 0, LEFT_CTRL_PRESSED | ENHANCED_KEY),
                (false, VK_CONTROL, 0x1D, 0, 0),
            ]
        );
    }

    #[test]
    fn alt_keeps_the_character_and_ctrl_alt_types_nothing() {
        assert_eq!(
            script("\\k{A-x}"),
            vec![
                ALT_DOWN,
                (true, 0x58, 0x2D, b'x', LEFT_ALT_PRESSED),
                (false, 0x58, 0x2D, b'x', LEFT_ALT_PRESSED),
                (false, VK_MENU, 0x38, 0, 0),
            ]
        );
        assert_eq!(script("\\k{A-S-x}")[2].3, b'X');
        assert_eq!(script("\\k{C-A-x}")[2].3, 0);
        assert_eq!(
            script("\\k{A-F4}")[1],
            (true, 0x73, 0x3E, 0, LEFT_ALT_PRESSED)
        );
    }

    #[test]
    fn modifiers_go_down_shift_ctrl_alt_and_come_up_in_reverse() {
        let all = SHIFT_PRESSED | LEFT_CTRL_PRESSED | LEFT_ALT_PRESSED;
        let expected = vec![
            SHIFT_DOWN,
            (true, VK_CONTROL, 0x1D, 0, SHIFT_PRESSED | LEFT_CTRL_PRESSED),
            (true, VK_MENU, 0x38, 0, all),
            (true, 0x74, 0x3F, 0, all),
            (false, 0x74, 0x3F, 0, all),
            (false, VK_MENU, 0x38, 0, SHIFT_PRESSED | LEFT_CTRL_PRESSED),
            (false, VK_CONTROL, 0x1D, 0, SHIFT_PRESSED),
            (false, VK_SHIFT, 0x2A, 0, 0),
        ];
        // Prefixes in any order and case say the same.
        for text in ["\\k{C-S-A-F5}", "\\k{a-c-s-f5}", "\\k{S-A-C-F5}"] {
            assert_eq!(script(text), expected, "{text}");
        }
        assert_eq!(
            script("\\k{C-S-Up}")[2],
            (
                true,
                0x26,
                0x48,
                0,
                SHIFT_PRESSED | LEFT_CTRL_PRESSED | ENHANCED_KEY
            )
        );
    }

    #[test]
    fn a_modifier_key_alone_is_down_in_its_own_record() {
        assert_eq!(
            records(Key::Virtual(VK_SHIFT)),
            vec![SHIFT_DOWN, (false, VK_SHIFT, 0x2A, 0, 0)]
        );
        // Ctrl held while pressing Ctrl: one pair, not two.
        assert_eq!(
            records(Key::chord(VK_CONTROL, Modifiers::CTRL)),
            vec![CTRL_DOWN, (false, VK_CONTROL, 0x1D, 0, 0)]
        );
    }

    #[test]
    fn characters_are_their_us_keys_without_modifier_events() {
        assert_eq!(
            records(Key::Char(b'A')),
            alone(0x41, 0x1E, b'A', SHIFT_PRESSED)
        );
        assert_eq!(
            records(Key::Char(0x01)),
            alone(0x41, 0x1E, 0x01, LEFT_CTRL_PRESSED)
        );
        assert_eq!(
            records(Key::Char(b'\n')),
            alone(0x0D, 0x1C, b'\n', LEFT_CTRL_PRESSED)
        );
        assert_eq!(
            records(Key::Char(0x1E)),
            alone(0x36, 0x07, 0x1E, SHIFT_PRESSED | LEFT_CTRL_PRESSED)
        );
        assert_eq!(
            records(Key::Char(0x7F)),
            alone(0x08, 0x0E, 0x7F, LEFT_CTRL_PRESSED)
        );
        assert_eq!(
            records(Key::Char(0x00)),
            alone(0x32, 0x03, 0x00, SHIFT_PRESSED | LEFT_CTRL_PRESSED)
        );
        assert_eq!(records(Key::Char(0xE9)), alone(0, 0, 0xE9, 0));
        // The record's bytes.
        let record = key_events(Key::Char(b'A'))[0].to_input_record();
        assert_eq!(&record[..2], &KEY_EVENT.to_le_bytes());
        assert_eq!(&record[4..8], &1u32.to_le_bytes());
        assert_eq!(&record[10..12], &0x41u16.to_le_bytes());
        assert_eq!(&record[12..14], &0x1Eu16.to_le_bytes());
        assert_eq!(record[14], b'A');
        assert_eq!(&record[16..20], &SHIFT_PRESSED.to_le_bytes());
    }

    #[test]
    fn with_modifiers_turns_characters_into_their_keys() {
        assert_eq!(
            Key::Char(b'x').with_modifiers(Modifiers::ALT),
            Key::chord(0x58, Modifiers::ALT)
        );
        assert_eq!(
            Key::Char(b'X').with_modifiers(Modifiers::ALT),
            Key::chord(0x58, Modifiers::ALT | Modifiers::SHIFT)
        );
        assert_eq!(
            Key::Virtual(VK_UP).with_modifiers(Modifiers::CTRL),
            Key::chord(VK_UP, Modifiers::CTRL)
        );
        assert_eq!(
            Key::Char(0xE9).with_modifiers(Modifiers::ALT),
            Key::Char(0xE9)
        );
    }

    #[test]
    fn escapes_and_plain_bytes_still_parse() {
        let keys = parse_key_script(b"iA\\e:wq\\r\\x41\\\\\\t\\n\n").unwrap();
        let chars: Vec<u8> = keys
            .iter()
            .map(|k| match k {
                Key::Char(c) => *c,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(chars, b"iA\x1b:wq\rA\\\t\n\n");
        assert_eq!(
            parse_key_script(b"a\\k{F8}b\\k{C-Home}").unwrap(),
            vec![
                Key::Char(b'a'),
                Key::Virtual(0x77),
                Key::Char(b'b'),
                Key::chord(VK_HOME, Modifiers::CTRL),
            ]
        );
    }

    #[test]
    fn bad_escapes_name_their_byte() {
        for (text, message) in [
            (&b"\\q"[..], "unknown escape \\q in the key script (byte 0)"),
            (b"ab\\x4", "\\x needs two hex digits (byte 2)"),
            (b"\\x+1", "\\x needs two hex digits (byte 0)"),
            (b"end\\", "a lone backslash ends the key script (byte 3)"),
            (
                b"xy\\k",
                "\\k needs a key name in braces, e.g. \\k{F8} (byte 2)",
            ),
            (
                b"\\kF8",
                "\\k needs a key name in braces, e.g. \\k{F8} (byte 0)",
            ),
            (b"abc\\k{F8", "\\k{ at byte 3 has no closing }"),
            (b"\\k{}", "\\k{ at byte 0 has no closing }"),
            (b"\\k{C-}", "\\k{ at byte 0 has no closing }"),
            (
                b"1\\k{F13}",
                "unknown key name \"F13\" in \\k{...} at byte 1",
            ),
            (b"\\k{F0}", "unknown key name \"F0\""),
            (b"\\k{F01}", "unknown key name \"F01\""),
            (b"\\k{Hme}", "unknown key name \"Hme\""),
            (b"\\k{X-a}", "unknown key name \"X-a\""),
            (b"\\k{C-}x}", "unknown key name \"}x\""),
            (b"\\k{ }", "unknown key name \" \""),
            (b"\\k{\xe9}", "unknown key name"),
            (
                b"a\\k{C-c-x}",
                "\\k{...} at byte 1 names the modifier C- twice",
            ),
        ] {
            let err = parse_key_script(text).unwrap_err();
            assert!(
                err.starts_with(message),
                "{}: {err}",
                String::from_utf8_lossy(text)
            );
        }
    }
}
