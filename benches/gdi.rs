//! GDI's blit at the engine level: `gdi/bitblt_640x480` is BitBlt SRCCOPY of a 640 x 480
//! memory DC (a bitmap of the screen's depth) onto a window's display DC (the screen
//! surface, at the window's client origin), with a memcpy of the same bytes measured in the
//! same run as the baseline (`gdi/memcpy_640x480`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use win32k::{Gdi, Rect, Surface};

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
}

criterion_group!(benches, gdi);
criterion_main!(benches);
