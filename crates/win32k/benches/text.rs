//! The text engine on its own: drawing a line of 80 characters in MS Sans Serif 8 pt (the
//! stock DEFAULT_GUI_FONT) into a 640 x 480 surface with one clip rectangle, transparent and
//! opaque, and measuring it (GetTextExtentPoint32's work). What `gdi/text_out_80_chars`
//! costs beyond the GDI32 call layer.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use win32k::font::{StockFont, TextDraw};
use win32k::{Rect, Surface};

fn bench(c: &mut Criterion) {
    let font = StockFont::DefaultGui.font();
    let text: Vec<u16> =
        "The quick brown fox jumps over the lazy dog. 0123456789 ABCDEFGHIJKLMNOPQRSTUVWX"
            .encode_utf16()
            .collect();
    assert_eq!(text.len(), 80);
    let mut surface = Surface::new(640, 480, 0x00FF_FFFF);
    let clip = [Rect::new(0, 0, 640, 480)];
    let mut group = c.benchmark_group("text");
    group.bench_function("draw_80_chars", |b| {
        let how = TextDraw {
            colour: 0,
            background: None,
            opaque_rect: None,
            clip: &clip,
            dx: None,
        };
        b.iter(|| font.draw(&mut surface, black_box(10), black_box(100), &text, &how))
    });
    group.bench_function("draw_80_chars_opaque", |b| {
        let how = TextDraw {
            colour: 0,
            background: Some(0x00C0_C0C0),
            opaque_rect: None,
            clip: &clip,
            dx: None,
        };
        b.iter(|| font.draw(&mut surface, black_box(10), black_box(100), &text, &how))
    });
    group.bench_function("extent_80_chars", |b| {
        b.iter(|| font.text_extent(black_box(&text)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
