use super::*;

fn setup(w: u32, h: u32) -> (Gdi, Surface, u32, u32) {
    let mut g = Gdi::default();
    let screen = Surface::new(64, 64, 0x00AB_CDEF);
    let dc = g.create_memory_dc(1);
    let bmp = g.create_bitmap(w, h, false);
    assert_eq!(g.select_object(dc, bmp), Some(g.stock_bitmap()));
    (g, screen, dc, bmp)
}

fn pixels(g: &Gdi, bmp: u32) -> Vec<u32> {
    g.bitmap(bmp).unwrap().surface.pixels().to_vec()
}

fn solid(g: &mut Gdi, colour: u32) -> u32 {
    g.insert(Object::Brush(Brush {
        style: BS_SOLID,
        colour,
        hatch: 0,
        pattern: None,
    }))
}

#[test]
fn rectangle_outlines_with_the_pen_and_fills_inside_right_bottom_excluded() {
    let (mut g, mut screen, dc, bmp) = setup(6, 5);
    let red = solid(&mut g, 0x0000FF);
    g.select_object(dc, red);
    assert!(g.shape(&mut screen, dc, Rect::new(0, 0, 5, 4), None));
    let px = pixels(&g, bmp);
    let at = |x: usize, y: usize| px[y * 6 + x];
    // The pen (black) rings (0,0)-(4,3); the brush fills inside; column 5 and row 4 stay.
    assert_eq!(at(0, 0), 0);
    assert_eq!(at(4, 3), 0);
    assert_eq!(at(1, 1), 0xFF0000);
    assert_eq!(at(3, 2), 0xFF0000);
    assert_eq!(at(5, 0), 0, "untouched (the bitmap starts black)");
    // With the null pen, the fill is a pixel smaller right and bottom.
    let (mut g, mut screen, dc, bmp) = setup(6, 5);
    let red = solid(&mut g, 0x0000FF);
    g.select_object(dc, red);
    g.select_object(dc, g.stock_object(NULL_PEN));
    g.shape(&mut screen, dc, Rect::new(0, 0, 5, 4), None);
    let px = pixels(&g, bmp);
    assert_eq!(px[0], 0xFF0000);
    assert_eq!(px[2 * 6 + 3], 0xFF0000);
    assert_eq!(px[3 * 6 + 3], 0, "row 3 is left out");
    assert_eq!(px[4], 0, "column 4 is left out");
}

#[test]
fn line_to_leaves_out_the_last_pixel_and_moves_the_position() {
    let (mut g, mut screen, dc, bmp) = setup(5, 1);
    g.select_object(dc, g.stock_object(WHITE_PEN));
    g.move_to(dc, 0, 0);
    assert!(g.line_to(&mut screen, dc, 3, 0));
    assert_eq!(pixels(&g, bmp), vec![0xFFFFFF, 0xFFFFFF, 0xFFFFFF, 0, 0]);
    assert_eq!(g.dc(dc).unwrap().state.pos, (3, 0));
}

#[test]
fn a_display_dc_draws_on_the_screen_at_its_origin_inside_its_visible_part() {
    let mut g = Gdi::default();
    let mut screen = Surface::new(20, 20, 7);
    let dc = g.create_display_dc(1, 0, (5, 5), Rect::new(5, 5, 10, 10));
    assert!(g.pat_blt(
        &mut screen,
        dc,
        Rect::new(-5, -5, 100, 100),
        0x00F0_0021,
        Some(g.stock_object(BLACK_BRUSH))
    ));
    assert_eq!(screen.get(5, 5), Some(0));
    assert_eq!(screen.get(9, 9), Some(0));
    assert_eq!(screen.get(10, 10), Some(7));
    assert_eq!(screen.get(4, 5), Some(7));
    assert_eq!(g.get_pixel(&mut screen, dc, 0, 0), Some(0));
    assert_eq!(g.get_pixel(&mut screen, dc, 5, 0), None, "outside the DC");
}

#[test]
fn bitblt_copies_converts_mono_and_applies_rops() {
    let (mut g, mut screen, dc, bmp) = setup(4, 1);
    let src = g.create_memory_dc(1);
    let mono = g.create_bitmap(4, 1, true);
    g.select_object(src, mono);
    g.bitmap_mut(mono).unwrap().surface.set(1, 0, 0xFFFFFF);
    // Mono to colour: black bits take the text colour, white ones the background colour.
    g.dc_mut(dc).unwrap().state.text_colour = 0x0000FF;
    g.dc_mut(dc).unwrap().state.bk_colour = 0x00FF00;
    assert!(g.blt(
        &mut screen,
        dc,
        Rect::new(0, 0, 4, 1),
        Some((src, Rect::new(0, 0, 4, 1))),
        0x00CC_0020
    ));
    assert_eq!(
        pixels(&g, bmp),
        vec![0xFF0000, 0x00FF00, 0xFF0000, 0xFF0000]
    );
    // SRCINVERT with itself gives black.
    let copy = g.create_memory_dc(1);
    let cb = g.create_bitmap(4, 1, false);
    g.select_object(copy, cb);
    g.blt(
        &mut screen,
        copy,
        Rect::new(0, 0, 4, 1),
        Some((dc, Rect::new(0, 0, 4, 1))),
        0x00CC_0020,
    );
    g.blt(
        &mut screen,
        dc,
        Rect::new(0, 0, 4, 1),
        Some((copy, Rect::new(0, 0, 4, 1))),
        0x0066_0046,
    );
    assert_eq!(pixels(&g, bmp), vec![0; 4]);
    // Colour to mono: the source's background colour becomes white.
    g.bitmap_mut(bmp).unwrap().surface.set(2, 0, 0x123456);
    g.dc_mut(dc).unwrap().state.bk_colour = colorref_from_pixel(0x123456);
    g.blt(
        &mut screen,
        src,
        Rect::new(0, 0, 4, 1),
        Some((dc, Rect::new(0, 0, 4, 1))),
        0x00CC_0020,
    );
    assert_eq!(pixels(&g, mono), vec![0, 0, 0xFFFFFF, 0]);
    // StretchBlt doubles.
    let (mut g2, mut s2, d2, b2) = setup(4, 1);
    let s_dc = g2.create_memory_dc(1);
    let sb = g2.create_bitmap(2, 1, false);
    g2.select_object(s_dc, sb);
    g2.bitmap_mut(sb).unwrap().surface.set(0, 0, 5);
    g2.bitmap_mut(sb).unwrap().surface.set(1, 0, 9);
    g2.blt(
        &mut s2,
        d2,
        Rect::new(0, 0, 4, 1),
        Some((s_dc, Rect::new(0, 0, 2, 1))),
        0x00CC_0020,
    );
    assert_eq!(pixels(&g2, b2), vec![5, 5, 9, 9]);
    // Mirrored.
    // A negative width runs back from x, x included: 3, 2, 1, 0.
    g2.blt(
        &mut s2,
        d2,
        Rect::new(3, 0, -1, 1),
        Some((s_dc, Rect::new(0, 0, 2, 1))),
        0x00CC_0020,
    );
    assert_eq!(pixels(&g2, b2), vec![9, 9, 5, 5]);
}

#[test]
fn selecting_and_deleting_follow_nt() {
    let (mut g, _screen, dc, bmp) = setup(2, 2);
    // A selected bitmap cannot be deleted, nor selected into a second DC.
    assert!(!g.delete_object(bmp));
    let dc2 = g.create_memory_dc(1);
    assert_eq!(g.select_object(dc2, bmp), None);
    // A selected brush is deleted once it is deselected.
    let b = solid(&mut g, 0x123456);
    let old = g.select_object(dc, b).unwrap();
    assert_eq!(old, g.stock_object(WHITE_BRUSH));
    assert!(g.delete_object(b));
    assert!(g.get(b).is_some(), "still selected");
    g.select_object(dc, old);
    assert!(g.get(b).is_none(), "gone when deselected");
    // Stock objects are never deleted.
    assert!(g.delete_object(g.stock_object(BLACK_PEN)));
    assert!(g.get(g.stock_object(BLACK_PEN)).is_some());
    // Stock handles carry the stock bit and their type.
    assert_eq!(
        g.stock_object(BLACK_PEN) & 0x00FF_0000,
        STOCK | (T_PEN << 16)
    );
    assert_eq!(g.stock_object(9), 0);
    // DeleteDC releases the bitmap.
    assert!(g.delete_dc(dc));
    assert!(g.delete_object(bmp));
    assert_eq!(g.object_type(bmp), 0);
}

#[test]
fn save_and_restore_dc_bring_back_state() {
    let (mut g, _s, dc, _b) = setup(1, 1);
    g.dc_mut(dc).unwrap().state.text_colour = 1;
    assert_eq!(g.save_dc(dc), Some(1));
    g.dc_mut(dc).unwrap().state.text_colour = 2;
    assert_eq!(g.save_dc(dc), Some(2));
    g.dc_mut(dc).unwrap().state.text_colour = 3;
    assert!(g.restore_dc(dc, -1));
    assert_eq!(g.dc(dc).unwrap().state.text_colour, 2);
    assert!(g.restore_dc(dc, 1));
    assert_eq!(g.dc(dc).unwrap().state.text_colour, 1);
    assert!(!g.restore_dc(dc, 1), "nothing saved any more");
}

#[test]
fn world_transforms_and_viewports_map_points() {
    let (mut g, _s, dc, _b) = setup(1, 1);
    let s = &mut g.dc_mut(dc).unwrap().state;
    s.viewport_org = (10, 20);
    assert_eq!(Gdi::to_device(s, 1, 2), (11, 22));
    s.graphics_mode = GM_ADVANCED;
    // A quarter turn: (x, y) -> (-y, x).
    s.world = [0.0, 1.0, -1.0, 0.0, 0.0, 0.0];
    assert_eq!(Gdi::to_device(s, 3, 1), (9, 23));
    assert_eq!(Gdi::to_logical(s, 9, 23), Some((3, 1)));
}

#[test]
fn clip_regions_limit_drawing() {
    let (mut g, mut screen, dc, bmp) = setup(4, 1);
    assert_eq!(
        g.clip_rect(dc, Rect::new(1, 0, 3, 1), false),
        region::SIMPLEREGION
    );
    g.pat_blt(&mut screen, dc, Rect::new(0, 0, 4, 1), 0x00FF_0062, None);
    assert_eq!(pixels(&g, bmp), vec![0, 0xFFFFFF, 0xFFFFFF, 0]);
    assert_eq!(
        g.clip_box(dc).unwrap(),
        (Rect::new(1, 0, 3, 1), region::SIMPLEREGION)
    );
}
