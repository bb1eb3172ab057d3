//! The GUI games of ../shared/corpus/ntgames (breakout, lander, sokoban, tankz), x86 and
//! Alpha builds, under `ntemu run` with the headless display and a virtual clock (skipped
//! with a message when the corpus is absent). Each starts, draws its window with NT 4.0's
//! frame and caption (the title in white on the active caption's dark blue) and what its
//! published screenshot shows in its client area, and ends on a scripted Alt+F4.
//!
//! After the same fixed start (no keys, 3 s of guest time from the same `--clock`) the x86
//! and Alpha builds draw pixel-identical screens. The games run from WM_TIMER (every
//! thread blocks between frames, so the virtual clock's jumps, not retired instructions,
//! set the time each frame reads: GetTickCount gives both builds the same sequence). What
//! made breakout, lander and tankz differ was their C runtimes' `srand(time(NULL))`: the
//! x86 build's older MSVC runtime takes GetTimeZoneInformation's TIME_ZONE_ID_UNKNOWN (0,
//! what NT answers for a zone without daylight saving, as ntemu's UTC is) for a failure
//! and keeps its built-in default zone, Pacific time, so its `time()` is eight hours ahead
//! of the Alpha runtime's and its random numbers differ. Both runtimes read the `TZ`
//! variable before asking the system, so the runs set `TZ=GMT0`: part of the fixed start,
//! as it would be on real NT, and it gives both builds the same `time()`.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Scratch, text};

const NAVY: u32 = 0x00_0080;
const WHITE: u32 = 0xFF_FFFF;
const TEAL: u32 = 0x00_8080;

/// Copies a game's folder (the program, its bitmaps and levels) to a scratch drive.
fn game_folder(s: &Scratch, game: &str) -> Option<PathBuf> {
    let exe = pe_image::corpus::file(&format!("ntgames/{game}/{game}-x86.exe"))?;
    let from = exe.parent()?.to_path_buf();
    let to = s.0.join(game);
    copy_dir(&from, &to);
    Some(to)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

/// Runs `exe` in `dir` headless for at most `seconds` of guest time with the key script
/// `keys`, and gives the screen at the end (width, pixels) and stderr.
fn run_game(
    s: &Scratch,
    dir: &Path,
    exe: &str,
    keys: &str,
    seconds: u32,
) -> (u32, Vec<u32>, String) {
    let shot = s.0.join(format!("{exe}.png"));
    let script = s.0.join(format!("{exe}.keys"));
    std::fs::write(&script, keys).expect("script");
    let o = Command::new(env!("CARGO_BIN_EXE_ntemu"))
        .args(["run", "--root"])
        .arg(dir)
        .args(["--display", "none", "--clock", "2000-01-01T00:00:00"])
        // Both C runtimes' time() from the same zone (see the module's doc).
        .args(["--env", "TZ=GMT0"])
        .args(["--run-for", &seconds.to_string(), "--input"])
        .arg(&script)
        .arg("--screenshot")
        .arg(&shot)
        .arg(dir.join(exe))
        .current_dir(dir)
        .env("HOME", s.0.join("home"))
        .env("XDG_DATA_HOME", s.0.join("data"))
        .output()
        .expect("ntemu runs");
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{exe}: {err}");
    let (w, _, pixels) = ntemu::display::read_png(&shot).expect("screenshot");
    (w, pixels, err)
}

fn count(pixels: &[u32], colour: u32) -> usize {
    pixels.iter().filter(|&&p| p == colour).count()
}

/// NT 4.0's look of the game's window: an active caption (dark blue) of SM_CYCAPTION's
/// height with a white title on it.
fn assert_nt_window(exe: &str, w: u32, pixels: &[u32]) {
    // The caption band: the rows with the most dark blue pixels.
    let rows: Vec<usize> = pixels
        .chunks(w as usize)
        .map(|row| count(row, NAVY))
        .collect();
    let best = rows.iter().copied().max().unwrap_or(0);
    assert!(best > 200, "{exe}: an active caption");
    let band: Vec<usize> = (0..rows.len()).filter(|&y| rows[y] > best / 2).collect();
    assert!(
        (16..=20).contains(&band.len()),
        "{exe}: the caption is SM_CYCAPTION high: {} rows",
        band.len()
    );
    let white_on_caption: usize = band
        .iter()
        .map(|&y| count(&pixels[y * w as usize..(y + 1) * w as usize], WHITE))
        .sum();
    assert!(white_on_caption > 40, "{exe}: the title on the caption");
}

/// Runs both builds of `name`: the same screen after the same fixed start, NT 4.0's
/// window, what `check` looks for, and the end on Alt+F4.
fn game(name: &str, check: impl Fn(&str, u32, &[u32])) {
    let s = Scratch::new(&format!("ntgames-{name}"));
    let Some(dir) = game_folder(&s, name) else {
        return;
    };
    let mut screens = Vec::new();
    for cpu in ["x86", "axp"] {
        let exe = format!("{name}-{cpu}.exe");
        let (w, pixels, err) = run_game(&s, &dir, &exe, "", 3);
        assert!(err.contains("--run-for time elapsed"), "{exe} ran: {err}");
        assert_nt_window(&exe, w, &pixels);
        check(&exe, w, &pixels);
        screens.push(pixels);
        // Alt+F4 ends it well before the run's time is up.
        let (_, _, err) = run_game(&s, &dir, &exe, "\\w{1s}\\k{A-F4}", 20);
        assert!(
            !err.contains("--run-for time elapsed"),
            "{exe} ends on Alt+F4: {err}"
        );
    }
    let differing = screens[0]
        .iter()
        .zip(&screens[1])
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(
        differing, 0,
        "{name}: pixels that differ between x86 and Alpha"
    );
}

#[test]
fn breakout_draws_bricks_and_a_paddle_on_both_cpus() {
    game("breakout", |exe, _, pixels| {
        assert!(count(pixels, TEAL) > 10_000, "{exe}: the desktop beside it");
        assert!(count(pixels, 0xFF_0000) > 10_000, "{exe}: red bricks");
        assert!(count(pixels, 0x00_FF00) > 500, "{exe}: the green paddle");
    });
}

#[test]
fn lander_draws_its_sky_on_both_cpus() {
    game("lander", |exe, _, pixels| {
        // Its window is as big as the 800 x 600 screen.
        assert!(count(pixels, 0) > 50_000, "{exe}: the black sky");
        assert!(count(pixels, 0x40_4040) > 10_000, "{exe}: the grey ground");
    });
}

#[test]
fn tankz_draws_its_map_and_title_on_both_cpus() {
    game("tankz", |exe, _, pixels| {
        assert!(count(pixels, 0x00_8000) > 50_000, "{exe}: the green map");
        assert!(count(pixels, 0xFF_FF00) > 500, "{exe}: the yellow text");
    });
}

#[test]
fn sokoban_draws_the_same_level_on_both_cpus() {
    game("sokoban", |exe, _, pixels| {
        assert!(
            count(pixels, 0x80_8080) > 5_000,
            "{exe}: the grey brick walls"
        );
    });
}

/// Sokoban's level 1 (levels/l00.sok) solved by a key script of arrow keys: the forklift
/// takes the lower box down column 3, right and up column 4 to the top row and right onto
/// the far target, then the upper box the same way onto the near one. The game then opens
/// level 2 (a narrower window, "Level 2" in its caption), on x86 and Alpha alike.
#[test]
fn sokoban_level_one_is_solved_by_a_key_script_on_both_cpus() {
    let s = Scratch::new("ntgames-sokoban-solve");
    let Some(dir) = game_folder(&s, "sokoban") else {
        return;
    };
    let moves = "RRUUL D RDDLLU R URUUUL D RDDRRDDLL UUUU LU RR LLDDD RDDLLU R DR UUUU LU R";
    let mut script = String::from("\\w{500ms}");
    for m in moves.chars().filter(|c| !c.is_whitespace()) {
        let key = match m {
            'R' => "Right",
            'L' => "Left",
            'U' => "Up",
            _ => "Down",
        };
        script.push_str(&format!("\\k{{{key}}}\\w{{50ms}}"));
    }
    script.push_str("\\w{1s}");
    let (w, start, _) = run_game(&s, &dir, "sokoban-x86.exe", "", 2);
    let (_, x86, _) = run_game(&s, &dir, "sokoban-x86.exe", &script, 6);
    let (_, alpha, _) = run_game(&s, &dir, "sokoban-axp.exe", &script, 6);
    assert!(
        x86 == alpha,
        "the solved screens differ between x86 and Alpha"
    );
    assert!(x86 != start, "the keys changed nothing");
    // The caption's dark blue row: level 2's window is narrower than level 1's.
    let caption_width = |pixels: &[u32]| {
        pixels
            .chunks(w as usize)
            .map(|row| count(row, NAVY))
            .max()
            .unwrap_or(0)
    };
    assert!(
        caption_width(&x86) < caption_width(&start),
        "level 2's window: {} against {}",
        caption_width(&x86),
        caption_width(&start)
    );
}
