//! The GUI games of ../shared/corpus/ntgames (breakout, lander, sokoban, tankz), x86 and
//! Alpha builds, under `ntemu run` with the headless display and a virtual clock (skipped
//! with a message when the corpus is absent). Each starts, draws its window with NT 4.0's
//! frame and caption (the title in white on the active caption's dark blue) and what its
//! published screenshot shows in its client area, and ends on a scripted Alt+F4.
//!
//! After the same fixed start (no keys, 3 s of guest time from the same `--clock`) the x86
//! and Alpha builds draw pixel-identical screens. The games run from WM_TIMER: every
//! thread blocks between frames, the virtual clock jumps to each timer's deadline, and
//! retired instructions move it only in 10 ms ticks counted from that jump
//! (`VIRTUAL_TICK_MS`), so GetTickCount gives both builds the same sequence (before, the
//! Alpha build's longer start-up put it 1 ms behind). What
//! made breakout, lander and tankz differ was their C runtimes' `srand(time(NULL))`: the
//! x86 build's older MSVC runtime takes GetTimeZoneInformation's TIME_ZONE_ID_UNKNOWN (0,
//! what NT answers for a zone without daylight saving, as ntemu's UTC is) for a failure
//! and keeps its built-in default zone, Pacific time, so its `time()` is eight hours ahead
//! of the Alpha runtime's and its random numbers differ. Both runtimes read the `TZ`
//! variable before asking the system, so the runs set `TZ=GMT0`: part of the fixed start,
//! as it would be on real NT, and it gives both builds the same `time()`. The runs end at
//! a moment when every thread waits (`Machine::run_until` on a virtual clock), not in the
//! middle of a frame at a point that depends on the CPU's instruction count.
//!
//! Each screen is also compared with the game's published screenshot (see
//! `games_match_their_published_screenshots` for how and within what), and the corpus's
//! 2048 and snake (x86/ and alpha/) are run the same way with a key that changes them.
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

/// A picture: width, height and 0xRRGGBB pixels.
struct Picture {
    w: usize,
    h: usize,
    pixels: Vec<u32>,
}

impl Picture {
    fn at(&self, x: usize, y: usize) -> u32 {
        self.pixels[y * self.w + x]
    }
}

/// An active caption's dark blue, allowing for the published pictures' lossy colours.
fn caption_blue(c: u32) -> bool {
    let (r, g, b) = (c >> 16, (c >> 8) & 0xFF, c & 0xFF);
    r < 40 && g < 40 && (100..160).contains(&b)
}

/// The caption's navy band of the picture's one window: (first row, last row, first
/// column, last column).
fn caption_band(p: &Picture) -> (usize, usize, usize, usize) {
    let rows: Vec<usize> = (0..p.h)
        .map(|y| (0..p.w).filter(|&x| caption_blue(p.at(x, y))).count())
        .collect();
    let best = rows.iter().copied().max().unwrap_or(0);
    let band: Vec<usize> = (0..p.h).filter(|&y| rows[y] > best / 2).collect();
    let (first, last) = (band[0], band[band.len() - 1]);
    let mid = band[band.len() / 2];
    let cols: Vec<usize> = (0..p.w).filter(|&x| caption_blue(p.at(x, mid))).collect();
    (first, last, cols[0], cols[cols.len() - 1])
}

/// The client area under the caption: (left, top, width, height). NT 4.0 draws the
/// caption as wide as the client area, with one line of the window's frame colour under
/// it. The bottom is where the window's outer left edge meets the teal desktop again,
/// less the 3-pixel frame, on ntemu's screen (`ours`); on a published picture, which is
/// cropped around the window with a few pixels of margin, the picture's bottom less 3.
fn client_area(p: &Picture, ours: bool) -> (usize, usize, usize, usize) {
    let (_, last, left, right) = caption_band(p);
    let top = last + 2;
    let bottom = if ours {
        let edge = left.saturating_sub(3);
        (top..p.h).find(|&y| p.at(edge, y) == TEAL).unwrap_or(p.h) - 3
    } else {
        p.h - 3
    };
    (left, top, right + 1 - left, bottom - top)
}

/// The mean colours of the BLOCK x BLOCK blocks of a `w` x `h` area at (`left`, `top`).
const BLOCK: usize = 16;
fn block_means(p: &Picture, left: usize, top: usize, w: usize, h: usize) -> Vec<[f64; 3]> {
    let mut out = Vec::new();
    for by in 0..h / BLOCK {
        for bx in 0..w / BLOCK {
            let mut sum = [0f64; 3];
            for y in top + by * BLOCK..top + (by + 1) * BLOCK {
                for x in left + bx * BLOCK..left + (bx + 1) * BLOCK {
                    let c = p.at(x, y);
                    sum[0] += f64::from(c >> 16);
                    sum[1] += f64::from((c >> 8) & 0xFF);
                    sum[2] += f64::from(c & 0xFF);
                }
            }
            out.push(sum.map(|s| s / (BLOCK * BLOCK) as f64));
        }
    }
    out
}

fn distance(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// The share of `from`'s blocks with a block of `to` (anywhere) within `within`.
fn covered(from: &[[f64; 3]], to: &[[f64; 3]], within: f64) -> f64 {
    let near = from
        .iter()
        .filter(|a| to.iter().any(|b| distance(a, b) <= within))
        .count();
    near as f64 / from.len() as f64
}

fn mean(blocks: &[[f64; 3]]) -> [f64; 3] {
    let mut m = [0f64; 3];
    for b in blocks {
        for i in 0..3 {
            m[i] += b[i] / blocks.len() as f64;
        }
    }
    m
}

/// Each game's headless screen (x86 and Alpha, after the same fixed start as above)
/// against the screenshot of it on real Windows published with it. The published
/// pictures are cropped by hand around the window, stored with lossy colours (the red of
/// breakout's bricks is 0xFE0A14 and its neighbours), taken on an 8-bit display that
/// dithers the colours outside its palette (lander's 0x404040 ground is a pattern of grey
/// and black there), and show other moments of the games (other bricks knocked out, the
/// tank elsewhere on another part of tankz's map, another level of an older sokoban).
/// So the comparison is aligned on the caption, and:
/// - geometry, exactly: the caption band is SM_CYCAPTION - 1 = 18 rows of the active
///   caption colour and, where the published window is the same window (not sokoban's:
///   its picture is of an older version with another level in a smaller window), as wide
///   as ntemu's, which makes the frame's and client area's widths NT 4.0's;
/// - colours: the client areas are cut into 16 x 16 blocks and compared by the blocks'
///   mean colours, which averages away dithering and compression noise: the two
///   pictures' mean colours within 16 (RGB distance, of 441; ntemu's are 4 to 6 from
///   the published; 32 for sokoban, whose other level has more white floor: 26.5), and
///   95 % of each picture's
///   blocks within 48 of some block of the other (the same palette of colours in
///   about the same use; a missing colour such as breakout's red bricks, 12 % of its
///   blocks, fails it);
/// - layout: the share of blocks, at the same place in both client areas, within 48 of
///   each other: 90 % for breakout and lander (fixed bricks and field, sky and status
///   lines; what moves and the random ground cover less), 50 % for tankz (its map
///   scrolls and its title text is over it at the start), none for sokoban.
#[test]
fn games_match_their_published_screenshots() {
    // (game, published picture, the same window as ntemu's, mean colours within,
    // layout agreement)
    let games = [
        ("breakout", "screenshot.png", true, 16.0, 0.9),
        ("lander", "screenshot.png", true, 16.0, 0.9),
        ("tankz", "screenshot.png", true, 16.0, 0.5),
        ("sokoban", "sokoban.png", false, 32.0, 0.0),
    ];
    for (name, published, same_window, mean_within, layout) in games {
        let Some(path) = pe_image::corpus::file(&format!("ntgames/{name}/{published}")) else {
            return;
        };
        let (w, h, pixels) = ntemu::display::read_png(&path).expect("published picture");
        let theirs = Picture {
            w: w as usize,
            h: h as usize,
            pixels,
        };
        let s = Scratch::new(&format!("ntgames-published-{name}"));
        let Some(dir) = game_folder(&s, name) else {
            return;
        };
        for cpu in ["x86", "axp"] {
            let exe = format!("{name}-{cpu}.exe");
            let (w, pixels, _) = run_game(&s, &dir, &exe, "", 3);
            let ours = Picture {
                w: w as usize,
                h: pixels.len() / w as usize,
                pixels,
            };
            let (t0, t1, tl, tr) = caption_band(&theirs);
            let (o0, o1, ol, or) = caption_band(&ours);
            assert_eq!(t1 - t0 + 1, 18, "{name}: the published caption's height");
            assert_eq!(o1 - o0 + 1, 18, "{exe}: the caption's height");
            if same_window {
                assert_eq!(
                    or - ol,
                    tr - tl,
                    "{exe}: the caption's width against the published window's"
                );
            }
            let (tx, ty, tw, th) = client_area(&theirs, false);
            let (ox, oy, ow, oh) = client_area(&ours, true);
            let theirs_blocks = block_means(&theirs, tx, ty, tw, th);
            let ours_blocks = block_means(&ours, ox, oy, ow, oh);
            let gap = distance(&mean(&theirs_blocks), &mean(&ours_blocks));
            assert!(gap <= mean_within, "{exe}: mean colours {gap:.1} apart");
            for (share, what) in [
                (covered(&theirs_blocks, &ours_blocks, 48.0), "published"),
                (covered(&ours_blocks, &theirs_blocks, 48.0), "ntemu's"),
            ] {
                assert!(
                    share >= 0.95,
                    "{exe}: {:.1} % of the {what} blocks' colours in the other picture",
                    share * 100.0
                );
            }
            // The common part of the two client areas, block by block.
            let (cw, ch) = (tw.min(ow), th.min(oh));
            let a = block_means(&theirs, tx, ty, cw, ch);
            let b = block_means(&ours, ox, oy, cw, ch);
            let same = a.iter().zip(&b).filter(|(a, b)| distance(a, b) <= 48.0);
            let share = same.count() as f64 / a.len() as f64;
            assert!(
                share >= layout,
                "{exe}: {:.1} % of the blocks agree with the published layout",
                share * 100.0
            );
        }
    }
}

/// Copies the corpus's x86/`name`.exe and alpha/`name`.exe to a scratch folder as
/// `name`-x86.exe and `name`-axp.exe.
fn corpus_pair(s: &Scratch, name: &str) -> Option<PathBuf> {
    let dir = s.0.join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (from, to) in [("x86", "x86"), ("alpha", "axp")] {
        let exe = pe_image::corpus::file(&format!("{from}/{name}.exe"))?;
        std::fs::copy(exe, dir.join(format!("{name}-{to}.exe"))).expect("copy");
    }
    Some(dir)
}

/// The mean row of the pixels of `colour` (None when there are none).
fn mean_row(w: u32, pixels: &[u32], colour: u32) -> Option<f64> {
    let rows: Vec<usize> = (0..pixels.len())
        .filter(|&i| pixels[i] == colour)
        .map(|i| i / w as usize)
        .collect();
    (!rows.is_empty()).then(|| rows.iter().sum::<usize>() as f64 / rows.len() as f64)
}

/// The times a game reads do not depend on the CPU: tankz reads GetTickCount in its
/// start-up and in every frame it draws from WM_TIMER, and its x86 and Alpha builds, whose
/// C runtimes and code retire different numbers of instructions for the same work, read
/// the same sequence of values (`VIRTUAL_TICK_MS`, `Machine::run_until`).
#[test]
fn tankz_reads_the_same_times_on_both_cpus() {
    let s = Scratch::new("ntgames-tankz-ticks");
    let Some(dir) = game_folder(&s, "tankz") else {
        return;
    };
    let mut sequences = Vec::new();
    for cpu in ["x86", "axp"] {
        let exe = format!("tankz-{cpu}.exe");
        let trace = s.0.join(format!("{cpu}.trace"));
        let o = Command::new(env!("CARGO_BIN_EXE_ntemu"))
            .args(["run", "--root"])
            .arg(&dir)
            .args(["--display", "none", "--clock", "2000-01-01T00:00:00"])
            .args(["--env", "TZ=GMT0", "--run-for", "1", "--trace", "relay"])
            .arg("--trace-file")
            .arg(&trace)
            .arg(dir.join(&exe))
            .current_dir(&dir)
            .env("HOME", s.0.join("home"))
            .env("XDG_DATA_HOME", s.0.join("data"))
            .output()
            .expect("ntemu runs");
        assert_eq!(o.status.code(), Some(0), "{exe}: {}", text(&o.stderr));
        let trace = std::fs::read_to_string(&trace).expect("trace");
        let ticks: Vec<String> = trace
            .lines()
            .filter(|l| l.contains("Ret  KERNEL32.GetTickCount()"))
            .filter_map(|l| l.split("retval=").nth(1))
            .filter_map(|v| v.split_whitespace().next())
            .map(str::to_string)
            .collect();
        assert!(
            ticks.len() > 50,
            "{exe}: {} GetTickCount calls",
            ticks.len()
        );
        sequences.push(ticks);
    }
    assert_eq!(sequences[0], sequences[1], "GetTickCount: x86, then Alpha");
}

/// The corpus's 2048 and snake (tenox7/ntgames, x86 and Alpha builds), after the same
/// fixed start: NT 4.0's window; a scripted key changes the game (2048: Up merges the two
/// 2s of its first board, the same column on both CPUs, into a yellow 4; snake: Down turns
/// the green snake, which otherwise runs right into the wall, towards the bottom);
/// pixel-identical screens on both CPUs with and without the key; the end on Alt+F4.
#[test]
fn corpus_2048_and_snake_react_to_keys_on_both_cpus() {
    const YELLOW: u32 = 0xFF_FF00;
    const GREEN: u32 = 0x00_FF00;
    for (name, keys) in [
        ("2048", "\\w{500ms}\\k{Up}\\w{500ms}"),
        ("snake", "\\w{300ms}\\k{Down}\\w{300ms}"),
    ] {
        let s = Scratch::new(&format!("ntgames-corpus-{name}"));
        let Some(dir) = corpus_pair(&s, name) else {
            return;
        };
        let mut screens = Vec::new();
        for cpu in ["x86", "axp"] {
            let exe = format!("{name}-{cpu}.exe");
            let (w, still, err) = run_game(&s, &dir, &exe, "", 3);
            assert!(err.contains("--run-for time elapsed"), "{exe} ran: {err}");
            assert_nt_window(&exe, w, &still);
            let (_, moved, _) = run_game(&s, &dir, &exe, keys, 3);
            if name == "2048" {
                assert_eq!(count(&still, YELLOW), 0, "{exe}: no 4 at the start");
                assert!(count(&moved, YELLOW) > 5_000, "{exe}: Up made a 4");
            } else {
                let before = mean_row(w, &still, GREEN).expect("the snake");
                let after = mean_row(w, &moved, GREEN).expect("the snake");
                assert!(
                    after > before + 50.0,
                    "{exe}: Down: row {after} against {before}"
                );
            }
            screens.push((still, moved));
            let (_, _, err) = run_game(&s, &dir, &exe, "\\w{1s}\\k{A-F4}", 20);
            assert!(
                !err.contains("--run-for time elapsed"),
                "{exe} ends on Alt+F4: {err}"
            );
        }
        assert!(
            screens[0] == screens[1],
            "{name}: the screens differ between x86 and Alpha"
        );
    }
}

/// The mean column of the pixels of `colour` (None: there are none).
fn mean_column(w: u32, pixels: &[u32], colour: u32) -> Option<f64> {
    let columns: Vec<usize> = (0..pixels.len())
        .filter(|&i| pixels[i] == colour)
        .map(|i| i % w as usize)
        .collect();
    (!columns.is_empty()).then(|| columns.iter().sum::<usize>() as f64 / columns.len() as f64)
}

/// breakout is played with the mouse: its paddle follows the pointer, so a scripted move
/// to the left of the window brings the green paddle there (its middle at the pointer's
/// column), on x86 and Alpha alike, with the same screen on both.
#[test]
fn breakout_s_paddle_follows_a_scripted_mouse_on_both_cpus() {
    const GREEN: u32 = 0x00_FF00;
    let s = Scratch::new("ntgames-breakout-mouse");
    let Some(dir) = game_folder(&s, "breakout") else {
        return;
    };
    let script = "\\w{300ms}\\m{move 150,400}\\w{300ms}\\m{move 100,400}";
    let mut screens = Vec::new();
    for exe in ["breakout-x86.exe", "breakout-axp.exe"] {
        let (w, still, _) = run_game(&s, &dir, exe, "", 2);
        let (_, moved, _) = run_game(&s, &dir, exe, script, 2);
        let before = mean_column(w, &still, GREEN).expect("the paddle");
        let after = mean_column(w, &moved, GREEN).expect("the paddle");
        assert!(
            (after - 100.0).abs() < 8.0,
            "{exe}: the paddle's middle at column {after}, the pointer at 100"
        );
        assert!(
            (before - after).abs() > 50.0,
            "{exe}: the paddle moved from column {before}"
        );
        screens.push(moved);
    }
    assert!(
        screens[0] == screens[1],
        "breakout: the screens differ between x86 and Alpha"
    );
}
