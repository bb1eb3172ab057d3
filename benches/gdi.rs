//! GDI's blit at the engine level: `gdi/bitblt_640x480` is BitBlt SRCCOPY of a 640 x 480
//! memory DC (a bitmap of the screen's depth) onto a window's display DC (the screen
//! surface, at the window's client origin), with a memcpy of the same bytes measured in the
//! same run as the baseline (`gdi/memcpy_640x480`).
//!
//! `gdi/text_out_80_chars` is TextOutA of 80 characters in MS Sans Serif 8 pt into a 640 x 480
//! bitmap in a memory DC through the whole stack: tests/guests/x86/textbench.exe makes 20,000
//! such calls from the x86 interpreter (process start included) and the time is reported per
//! call. Its in-run baseline, `gdi/baseline_draw_80_chars`, is the text engine alone drawing
//! the same 80 characters in the same font into a surface of the same size as often (what
//! win32k's `text/draw_80_chars` measures): the difference is the GDI32 call layer's.

use std::hint::black_box;

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};
use win32k::font::{StockFont, TextDraw};
use win32k::{Gdi, Rect, Surface};

/// TextOutA calls textbench.exe makes.
const TEXT_OUTS: u64 = 20_000;

/// The 80 characters textbench.exe draws.
const TEXT: &str =
    "The quick brown fox jumps over the lazy dog. 0123456789 ABCDEFGHIJKLMNOPQRSTUVWX";

const SRCCOPY: u32 = 0x00CC_0020;

fn gdi(c: &mut Criterion) {
    let mut group = c.benchmark_group("gdi");
    let mut g = Gdi::default();
    let mut screen = Surface::new(1024, 768, 0x0000_8080);
    let mem = g.create_memory_dc(1);
    let bmp = g.create_bitmap(640, 480, false);
    g.select_object(mem, bmp).expect("select");
    for (i, p) in g
        .bitmap_mut(bmp)
        .expect("bitmap")
        .surface
        .pixels_mut()
        .iter_mut()
        .enumerate()
    {
        *p = (i as u32).wrapping_mul(2_654_435_761) & 0x00FF_FFFF;
    }
    // A window whose client area is at (40, 60) on the screen.
    let window = g.create_display_dc(1, 0x0001_0020, (40, 60), Rect::new(40, 60, 680, 540));
    let whole = Rect::new(0, 0, 640, 480);
    group.bench_function("bitblt_640x480", |b| {
        b.iter(|| {
            let ok = g.blt(
                &mut screen,
                black_box(window),
                whole,
                Some((mem, whole)),
                SRCCOPY,
            );
            black_box(ok);
        })
    });
    assert_eq!(
        screen.get(40, 60),
        g.bitmap(bmp).and_then(|b| b.surface.get(0, 0))
    );

    let src = vec![0x0012_3456u32; 640 * 480];
    let mut dst = vec![0u32; 640 * 480];
    group.bench_function("memcpy_640x480", |b| {
        b.iter(|| {
            dst.copy_from_slice(black_box(&src));
            black_box(&dst);
        })
    });
    group.finish();

    let mut group = c.benchmark_group("gdi");
    group.sample_size(10);
    group.throughput(Throughput::Elements(TEXT_OUTS));
    let image = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/x86/textbench.exe");
    group.bench_function("text_out_80_chars", |b| {
        b.iter(|| {
            let (io, _, _) = HostIo::buffers();
            let report = run_image(
                &image,
                RunOptions {
                    io: Some(io),
                    ..RunOptions::default()
                },
            )
            .expect("run");
            assert_eq!(report.exit_code, 0, "a TextOutA failed or drew nothing");
            black_box(report.stats.instructions)
        })
    });
    let font = StockFont::DefaultGui.font();
    let text: Vec<u16> = TEXT.encode_utf16().collect();
    assert_eq!(text.len(), 80);
    let mut surface = Surface::new(640, 480, 0x00FF_FFFF);
    let clip = [Rect::new(0, 0, 640, 480)];
    let how = TextDraw {
        colour: 0,
        background: None,
        opaque_rect: None,
        clip: &clip,
        dx: None,
    };
    group.bench_function("baseline_draw_80_chars", |b| {
        b.iter(|| {
            for _ in 0..TEXT_OUTS {
                black_box(font.draw(&mut surface, black_box(10), black_box(100), &text, &how));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, gdi);
criterion_main!(benches);
