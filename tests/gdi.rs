//! GDI32 as NT 4.0's graphics engine and USER32's painting path: tests/guests/src/gdidraw.c
//! draws into a 32-bit DIB section and prints the pixels as text (so they compare with Wine's
//! whatever the display's depth), blits with ROP3 codes, converts monochrome, stretches,
//! moves DIB bits, transforms, clips, then paints a window through WM_ERASEBKGND and
//! WM_PAINT and reads it back. The log is checked line by line against Wine's (recorded
//! under Xvfb by tests/guests/run-wine.sh).

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn gdi_draws_and_user_paints_as_nt_does() {
    let run = run_captured(&guest("x86/gdidraw.exe"), RunOptions::default());
    if std::env::var_os("NTEMU_GDIDRAW_DUMP").is_some() {
        std::fs::write("/tmp/gdidraw.out", &run.stdout).expect("dump");
    }
    assert_eq!(
        run.stdout,
        expected("expected/gdidraw.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn the_drawing_log_agrees_with_wine_but_where_nt_4_differs() {
    agrees_with_wine("expected/gdidraw.expected", "expected/gdidraw.wine");
}

/// GDI32 from Alpha code (tests/guests/src/alpha/gdialpha.s): the same engine through the
/// Alpha frames, eleven-argument StretchBlt with stack slots, a POINT passed by value.
#[test]
fn gdi_works_from_alpha_code() {
    let run = run_captured(&guest("alpha/gdialpha.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/gdialpha.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

/// tests/guests/src/maskblt.c: MaskBlt picks the foreground ROP3 where the monochrome mask
/// is white and the background one where it is black (a source, the destination, BLACKNESS,
/// the brush), from a point inside the mask; without a mask it is BitBlt; a colour mask is
/// refused.
#[test]
fn mask_blt_chooses_the_rop_per_pixel_by_the_mask() {
    let run = run_captured(&guest("x86/maskblt.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/maskblt.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn mask_blt_agrees_with_wine_but_for_the_colour_mask() {
    agrees_with_wine("expected/maskblt.expected", "expected/maskblt.wine");
}
