use super::drawtext::*;
use super::*;

fn w(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

fn lf(face: &str, height: i32) -> LogFont {
    LogFont {
        height,
        face_name: face.into(),
        ..LogFont::default()
    }
}

fn draw_plain(font: &Font, s: &mut Surface, x: i32, y: i32, text: &str, clip: &[Rect]) -> i32 {
    let how = TextDraw {
        colour: 0x00FF_0000,
        background: None,
        opaque_rect: None,
        clip,
        dx: None,
    };
    font.draw(s, x, y, &w(text), &how)
}

/// (height, ascent, descent, internal leading, external leading, ave, max, weight, first,
/// last, default, break, pitch and family, charset) of a TEXTMETRIC.
fn key(m: &TextMetric) -> [i32; 14] {
    [
        m.height,
        m.ascent,
        m.descent,
        m.internal_leading,
        m.external_leading,
        m.ave_char_width,
        m.max_char_width,
        m.weight,
        m.first_char.into(),
        m.last_char.into(),
        m.default_char.into(),
        m.break_char.into(),
        m.pitch_and_family.into(),
        m.char_set.into(),
    ]
}

#[test]
fn stock_fonts_have_nt_4_metrics() {
    // Wine 8.0 dlls/gdi32/tests/font.c test_bitmap_font_metrics, 96 dpi FS_LATIN1 rows,
    // measured on Windows: { "System", FW_BOLD, 16, 13, 3, 3, 0, 7, 14, 96, 0x20, 0xff,
    // 0x80, 0x20 }
    let sys = StockFont::System.font();
    assert_eq!(sys.face_name(), "System");
    assert_eq!(
        key(&sys.metrics()),
        [16, 13, 3, 3, 0, 7, 14, 700, 0x20, 0xFF, 0x80, 0x20, 0x21, 0]
    );
    assert_eq!(StockFont::DeviceDefault.font(), sys);
    // { "MS Sans Serif", FW_NORMAL, 13, 11, 2, 2, 0, 5, 11, 96, 0x20, 0xff, 0x81, 0x20 }
    for stock in [StockFont::DefaultGui, StockFont::AnsiVar] {
        let f = stock.font();
        assert_eq!(f.face_name(), "MS Sans Serif");
        assert_eq!(
            key(&f.metrics()),
            [13, 11, 2, 2, 0, 5, 11, 400, 0x20, 0xFF, 0x81, 0x20, 0x21, 0]
        );
    }
    // { "Courier", FW_NORMAL, 13, 11, 2, 0, 0, 8, 8, 96, 0x20, 0xff, 0x80, 0x20 }; the
    // stock ANSI_FIXED_FONT is 13 pixels high (test_stock_fonts: height 12, pixels 13)
    let courier = StockFont::AnsiFixed.font();
    assert_eq!(courier.face_name(), "Courier");
    assert_eq!(
        key(&courier.metrics()),
        [13, 11, 2, 0, 0, 8, 8, 400, 0x20, 0xFF, 0x80, 0x20, 0x30, 0]
    );
    // { "Fixedsys", FW_NORMAL, 15, 12, 3, 3, 0, 8, 8, 96, 0x20, 0xff, 0x80, 0x20 }
    let fixedsys = StockFont::SystemFixed.font();
    assert_eq!(fixedsys.face_name(), "Fixedsys");
    assert_eq!(
        key(&fixedsys.metrics()),
        [15, 12, 3, 3, 0, 8, 8, 400, 0x20, 0xFF, 0x80, 0x20, 0x30, 0]
    );
    // Terminal 8x12, OEM_CHARSET (see the module doc: partly estimated)
    let terminal = StockFont::OemFixed.font();
    assert_eq!(terminal.face_name(), "Terminal");
    assert_eq!(
        key(&terminal.metrics()),
        [
            12, 10, 2, 0, 0, 8, 8, 400, 0x00, 0xFF, 0x3F, 0x20, 0x30, 255
        ]
    );
    for f in [&sys, &courier, &fixedsys, &terminal] {
        let m = f.metrics();
        assert_eq!(
            (m.overhang, m.digitized_aspect_x, m.digitized_aspect_y),
            (0, 96, 96)
        );
    }
}

#[test]
fn the_larger_ms_sans_serif_and_courier_sizes_have_nt_metrics() {
    // the 16 and 20 pixel rows of the same table
    let m = Font::realize(&lf("MS Sans Serif", 16)).metrics();
    assert_eq!(
        (
            m.height,
            m.ascent,
            m.internal_leading,
            m.ave_char_width,
            m.max_char_width
        ),
        (16, 13, 3, 7, 14)
    );
    let m = Font::realize(&lf("MS Sans Serif", 20)).metrics();
    assert_eq!(
        (
            m.height,
            m.ascent,
            m.internal_leading,
            m.ave_char_width,
            m.max_char_width
        ),
        (20, 16, 4, 8, 16)
    );
    let m = Font::realize(&lf("Courier", 16)).metrics();
    assert_eq!(
        (
            m.height,
            m.ascent,
            m.internal_leading,
            m.ave_char_width,
            m.max_char_width
        ),
        (16, 13, 0, 9, 9)
    );
    let m = Font::realize(&lf("Courier", 20)).metrics();
    assert_eq!(
        (
            m.height,
            m.ascent,
            m.internal_leading,
            m.ave_char_width,
            m.max_char_width
        ),
        (20, 16, 0, 12, 12)
    );
}

#[test]
fn every_strike_matches_its_faces_widths() {
    for (i, face) in FACES.iter().enumerate() {
        let f = Font {
            face_index: i,
            scale: 1,
            bold: false,
            italic: false,
            underline: false,
            strike_out: false,
        };
        let m = face.metrics;
        let widths: Vec<i32> = (m.first_char..=m.last_char)
            .map(|c| f.char_width(c))
            .collect();
        let max = *widths.iter().max().unwrap();
        assert_eq!(
            max, m.max_char_width,
            "{} {}: widest advance",
            face.face, m.height
        );
        if m.pitch_and_family & TMPF_FIXED_PITCH == 0 {
            assert!(
                widths.iter().all(|&w| w == m.ave_char_width),
                "{}: fixed pitch",
                face.face
            );
        }
        assert_eq!(
            strikes()[i].height as i32,
            m.height,
            "{}: strike height",
            face.face
        );
    }
}

#[test]
fn the_mapper_picks_face_then_size_not_larger() {
    // 8 pt at 96 dpi: lfHeight -11 is the 13 pixel face (11 = 13 - 2 internal leading)
    let f = Font::realize(&lf("MS Sans Serif", -11));
    assert_eq!((f.face_name(), f.metrics().height), ("MS Sans Serif", 13));
    // 10 pt: -13 is 16 - 3
    assert_eq!(
        Font::realize(&lf("MS Sans Serif", -13)).metrics().height,
        16
    );
    // nearest not larger; the smallest when every size is larger
    assert_eq!(Font::realize(&lf("ms sans serif", 19)).metrics().height, 16);
    assert_eq!(Font::realize(&lf("MS Sans Serif", 25)).metrics().height, 24);
    assert_eq!(
        Font::realize(&lf("MS Sans Serif", 36)).metrics().height,
        32,
        "16 x 2"
    );
    assert_eq!(Font::realize(&lf("MS Sans Serif", 8)).metrics().height, 13);
    // names NT substitutes
    assert_eq!(
        Font::realize(&lf("Courier New", -12)).face_name(),
        "Courier"
    );
    assert_eq!(
        Font::realize(&lf("MS Shell Dlg", 8)).face_name(),
        "MS Sans Serif"
    );
    assert_eq!(Font::realize(&lf("Helv", 8)).face_name(), "MS Sans Serif");
    // an unknown face: by charset, pitch and family
    let mut unknown = lf("No Such Face", 13);
    unknown.pitch_and_family = FIXED_PITCH;
    let f = Font::realize(&unknown);
    assert_eq!(
        f.metrics().pitch_and_family & TMPF_FIXED_PITCH,
        0,
        "a fixed face"
    );
    assert_eq!(f.face_name(), "Courier");
    unknown.pitch_and_family = VARIABLE_PITCH | FF_SWISS;
    assert_eq!(Font::realize(&unknown).face_name(), "MS Sans Serif");
    unknown.char_set = OEM_CHARSET;
    assert_eq!(Font::realize(&unknown).face_name(), "Terminal");
    // a LOGFONT of zeros is the System font
    assert_eq!(Font::realize(&LogFont::default()).face_name(), "System");
    // height 0 is the face's first size
    assert_eq!(Font::realize(&lf("Courier", 0)).metrics().height, 13);
    // TrueType names NT 4.0 has map to the nearest raster face here
    let f = Font::realize(&lf("Arial", -13));
    assert_eq!((f.face_name(), f.metrics().height), ("MS Sans Serif", 16));
    // an unknown name with nothing else asked prefers MS Sans Serif to System on a tie
    assert_eq!(
        Font::realize(&lf("Comic Sans MS", -13)).face_name(),
        "MS Sans Serif"
    );
    // a face named exactly wins over the charset asked
    assert_eq!(Font::realize(&lf("Terminal", 12)).face_name(), "Terminal");
}

#[test]
fn raster_faces_are_scaled_by_integers_for_larger_heights() {
    // Courier 26 is Courier 13 twice (Wine's test_fake_bold_font asks 2 x tmHeight of
    // Courier and gets a font whose widths double)
    let f = Font::realize(&lf("Courier", 26));
    assert_eq!((f.face_name(), f.scale), ("Courier", 2));
    let m = f.metrics();
    assert_eq!(
        (m.height, m.ascent, m.ave_char_width, m.max_char_width),
        (26, 22, 16, 16)
    );
    assert_eq!(f.text_extent(&w("ab")), (32, 26));
    // emboldened before scaling: widths grow by the scale, tmOverhang stays 1 (ibid.)
    let mut l = lf("Courier", 26);
    l.weight = FW_BOLD;
    let b = Font::realize(&l);
    let mb = b.metrics();
    assert_eq!((mb.ave_char_width - m.ave_char_width, mb.overhang), (2, 1));
    assert_eq!(b.char_width(b'v'), f.char_width(b'v') + 2);
    // each face pixel is drawn as scale x scale pixels
    let mut s1 = Surface::new(8, 13, 0);
    let mut s2 = Surface::new(16, 26, 0);
    let c1 = [s1.bounds()];
    let c2 = [s2.bounds()];
    draw_plain(&Font::realize(&lf("Courier", 13)), &mut s1, 0, 0, "A", &c1);
    draw_plain(&f, &mut s2, 0, 0, "A", &c2);
    for y in 0..26 {
        for x in 0..16 {
            assert_eq!(s2.get(x, y), s1.get(x / 2, y / 2), "({x},{y})");
        }
    }
    // no more than MAX_SCALE
    assert_eq!(Font::realize(&lf("System", 1000)).scale, MAX_SCALE);
}

#[test]
fn bold_is_simulated_on_lighter_faces_only() {
    let mut l = lf("MS Sans Serif", -11);
    l.weight = FW_BOLD;
    let bold = Font::realize(&l);
    assert!(bold.bold);
    let m = bold.metrics();
    assert_eq!(
        (m.weight, m.overhang, m.ave_char_width, m.max_char_width),
        (700, 1, 6, 12)
    );
    assert_eq!(bold.char_width(b'H'), 9);
    l.weight = 500;
    assert!(!Font::realize(&l).bold);
    let mut s = lf("System", 16);
    s.weight = FW_BOLD;
    let sys = Font::realize(&s);
    assert!(!sys.bold, "System is bold already");
    assert_eq!(sys.metrics().overhang, 0);
}

#[test]
fn extents_are_the_sums_of_nt_advances() {
    // MS Sans Serif 8 pt advances (sserife.fon): H 8, e 6, l 2, o 6
    let f = StockFont::DefaultGui.font();
    assert_eq!(f.text_extent(&w("Hello")), (24, 13));
    assert_eq!(f.text_extent(&w("")), (0, 13));
    let mut l = StockFont::DefaultGui.logfont();
    l.weight = FW_BOLD;
    assert_eq!(Font::realize(&l).text_extent(&w("Hello")), (29, 13));
    assert_eq!(StockFont::AnsiFixed.font().text_extent(&w("abc")), (24, 13));
    assert_eq!(
        StockFont::SystemFixed.font().text_extent(&w("abcd")),
        (32, 15)
    );
    // System: W 14, i 4
    assert_eq!(StockFont::System.font().text_extent(&w("Wi")), (18, 16));
    assert_eq!(f.positions(&w("He")), vec![0, 8, 14]);
}

#[test]
fn characters_outside_the_charset_use_the_default_char() {
    let f = StockFont::DefaultGui.font();
    assert_eq!(f.code_of(0x20AC), 0x80, "the euro is 0x80 of 1252");
    assert_eq!(f.code_of(0x4E00), 0x81, "MS Sans Serif's default char");
    assert_eq!(f.char_width_w(0x4E00), f.char_width(0x81));
    let t = StockFont::OemFixed.font();
    assert_eq!(t.code_of(0x2554), 0xC9, "a box corner is 0xC9 of 437");
    assert_eq!(t.code_of(0x00E9), 0x82);
    assert_eq!(
        ansi_to_unicode(&[0x41, 0x80, 0xE9]),
        vec![0x41, 0x20AC, 0xE9]
    );
}

#[test]
fn drawing_stays_inside_the_clip_in_the_text_colour() {
    let f = StockFont::System.font();
    let mut s = Surface::new(120, 40, 0);
    let clip = [Rect::new(10, 5, 40, 18)];
    let adv = draw_plain(&f, &mut s, 4, 4, "WWWWWWWW", &clip);
    assert_eq!(adv, 8 * 14);
    let mut inked = 0;
    for y in 0..40 {
        for x in 0..120 {
            let p = s.get(x, y).unwrap();
            if p != 0 {
                assert_eq!(p, 0x00FF_0000, "the text colour");
                assert!(
                    (10..40).contains(&x) && (5..18).contains(&y),
                    "({x},{y}) outside the clip"
                );
                inked += 1;
            }
        }
    }
    assert!(inked > 20, "the glyphs were drawn");
    // nothing at all without clip rectangles
    let mut s = Surface::new(50, 20, 0);
    draw_plain(&f, &mut s, 0, 0, "W", &[]);
    assert!(s.pixels().iter().all(|&p| p == 0));
    // a second clip rectangle draws there too
    let mut s = Surface::new(60, 20, 0);
    let two = [Rect::new(0, 0, 5, 20), Rect::new(40, 0, 60, 20)];
    draw_plain(&f, &mut s, 0, 0, "WWWW", &two);
    let cols = |a: i32, b: i32| (a..b).any(|x| (0..20).any(|y| s.get(x, y) != Some(0)));
    assert!(cols(0, 5) && cols(40, 56) && !cols(5, 40));
}

#[test]
fn glyph_pixels_lie_between_the_top_and_the_descent() {
    // 'H' of MS Sans Serif 8 pt: capitals are 9 rows from the baseline up (ascent 11 less the
    // internal leading 2; NT 4.0's caption text in the sokoban screenshot has 9 row capitals
    // over a 6 row x-height), nothing under the baseline
    let f = StockFont::DefaultGui.font();
    let mut s = Surface::new(10, 13, 0);
    let clip = [s.bounds()];
    draw_plain(&f, &mut s, 0, 0, "H", &clip);
    let rows: Vec<bool> = (0..13)
        .map(|y| (0..10).any(|x| s.get(x, y) != Some(0)))
        .collect();
    assert_eq!(rows.iter().position(|&r| r), Some(2));
    assert_eq!(rows.iter().rposition(|&r| r), Some(10));
    // 'g' goes under the baseline
    let mut s = Surface::new(10, 13, 0);
    draw_plain(&f, &mut s, 0, 0, "g", &clip);
    assert!((0..10).any(|x| s.get(x, 12) != Some(0)));
}

#[test]
fn opaque_background_fills_the_cells_and_underline_draws_a_line() {
    let mut l = StockFont::DefaultGui.logfont();
    l.underline = true;
    let f = Font::realize(&l);
    let mut s = Surface::new(40, 20, 7);
    let clip = [s.bounds()];
    let how = TextDraw {
        colour: 1,
        background: Some(2),
        opaque_rect: None,
        clip: &clip,
        dx: None,
    };
    let adv = f.draw(&mut s, 2, 3, &w("He"), &how);
    assert_eq!(adv, 14);
    assert_eq!(s.get(1, 3), Some(7), "left of the run");
    assert_eq!(s.get(2, 3), Some(2), "the cell's top-left is background");
    assert_eq!(s.get(15, 14), Some(2));
    assert_eq!(s.get(16, 3), Some(7), "right of the run");
    assert_eq!(s.get(2, 3 + 16), Some(7), "under the cell");
    // the underline row: tmAscent + 1
    assert!((2..16).all(|x| s.get(x, 3 + 12) == Some(1)));
    // ExtTextOut's lpDx spaces the characters as asked
    let mut s = Surface::new(60, 13, 0);
    let dx = [20, 20];
    let how = TextDraw {
        colour: 1,
        background: None,
        opaque_rect: None,
        clip: &clip,
        dx: Some(&dx),
    };
    assert_eq!(
        StockFont::DefaultGui
            .font()
            .draw(&mut s, 0, 0, &w("II"), &how),
        40
    );
    let inked: Vec<i32> = (0..40)
        .filter(|&x| (0..13).any(|y| s.get(x, y) == Some(1)))
        .collect();
    assert!(inked.iter().any(|&x| x < 3) && inked.iter().any(|&x| (20..23).contains(&x)));
}

#[test]
fn alignment_moves_the_reference_point_to_the_cells_top_left() {
    let m = StockFont::DefaultGui.font().metrics();
    assert_eq!(align(0, 100, 50, 30, &m), (100, 50));
    assert_eq!(align(TA_RIGHT, 100, 50, 30, &m), (70, 50));
    assert_eq!(align(TA_CENTER, 100, 50, 30, &m), (85, 50));
    assert_eq!(align(TA_BASELINE, 100, 50, 30, &m), (100, 39));
    assert_eq!(align(TA_BOTTOM | TA_RIGHT, 100, 50, 30, &m), (70, 37));
}

#[test]
fn logfont_and_textmetric_bytes_have_the_win32_layouts() {
    let l = StockFont::DefaultGui.logfont();
    let a = l.to_bytes_a();
    assert_eq!(&a[0..4], &(-11i32).to_le_bytes());
    assert_eq!(&a[28..41], b"MS Sans Serif");
    assert_eq!(a[41], 0);
    assert_eq!(LogFont::from_bytes_a(&a), Some(l.clone()));
    assert_eq!(LogFont::from_bytes_w(&l.to_bytes_w()), Some(l.clone()));
    assert_eq!(LogFont::from_bytes_a(&a[..59]), None);
    let m = StockFont::System.font().metrics();
    let b = m.to_bytes_a();
    assert_eq!(&b[0..4], &16i32.to_le_bytes());
    assert_eq!(&b[28..32], &700i32.to_le_bytes());
    assert_eq!(&b[44..48], &[0x20, 0xFF, 0x80, 0x20]);
    assert_eq!(&b[51..53], &[0x21, 0]);
    let bw = m.to_bytes_w();
    // TEXTMETRICW chars are UTF-16: 0x80 of 1252 is the euro sign
    assert_eq!(&bw[44..52], &[0x20, 0, 0xFF, 0, 0xAC, 0x20, 0x20, 0]);
    assert_eq!(&bw[52..57], &[0, 0, 0, 0x21, 0]);
}

// ---- DrawText ----------------------------------------------------------------------------

fn gui() -> Font {
    StockFont::DefaultGui.font()
}

fn line_texts(l: &Layout) -> Vec<String> {
    l.runs
        .iter()
        .map(|r| String::from_utf16_lossy(&r.text))
        .collect()
}

#[test]
fn drawtext_breaks_lines_between_words() {
    // "Hello" is 24 wide, " " 3: two words fit in 51, not in 50
    let f = gui();
    let text = w("Hello Hello Hello");
    let l = layout(&f, &text, Rect::new(0, 0, 51, 100), DT_WORDBREAK);
    assert_eq!(line_texts(&l), vec!["Hello Hello", "Hello"]);
    assert_eq!(l.height, 26);
    assert_eq!((l.runs[1].x, l.runs[1].y), (0, 13));
    let l = layout(&f, &text, Rect::new(0, 0, 50, 100), DT_WORDBREAK);
    assert_eq!(line_texts(&l), vec!["Hello", "Hello", "Hello"]);
    assert_eq!(l.height, 39);
    // a word wider than the rectangle stays whole
    let l = layout(&f, &w("Hello"), Rect::new(0, 0, 10, 100), DT_WORDBREAK);
    assert_eq!(line_texts(&l), vec!["Hello"]);
    // line ends, without DT_WORDBREAK too
    let l = layout(&f, &w("a\r\nb\nc\rd"), Rect::new(0, 0, 100, 100), 0);
    assert_eq!(line_texts(&l), vec!["a", "b", "c", "d"]);
    assert_eq!(l.height, 52);
    // DT_SINGLELINE keeps one line
    let l = layout(&f, &w("a\nb"), Rect::new(0, 0, 100, 100), DT_SINGLELINE);
    assert_eq!(l.runs.len(), 1);
    assert_eq!(l.height, 13);
}

#[test]
fn drawtext_centres_and_aligns() {
    let f = gui();
    let text = w("Hello");
    let r = Rect::new(10, 20, 110, 70);
    let l = layout(&f, &text, r, DT_CENTER | DT_VCENTER | DT_SINGLELINE);
    assert_eq!(
        (l.runs[0].x, l.runs[0].y),
        (10 + (100 - 24) / 2, 20 + (50 - 13) / 2)
    );
    // with DT_VCENTER the return is the offset from the top to the bottom of the text
    assert_eq!(l.height, (50 - 13) / 2 + 13);
    let l = layout(&f, &text, r, DT_RIGHT | DT_BOTTOM | DT_SINGLELINE);
    assert_eq!((l.runs[0].x, l.runs[0].y), (110 - 24, 70 - 13));
    assert_eq!(l.height, 50);
    // without DT_SINGLELINE, DT_VCENTER does nothing
    let l = layout(&f, &text, r, DT_VCENTER);
    assert_eq!(l.runs[0].y, 20);
    assert_eq!(l.clip, Some(r));
    assert_eq!(layout(&f, &text, r, DT_NOCLIP).clip, None);
}

#[test]
fn drawtext_calcrect_measures_without_drawing() {
    let f = gui();
    let l = layout(&f, &w("Hello\nHe"), Rect::new(5, 6, 5, 6), DT_CALCRECT);
    assert_eq!(l.rect, Rect::new(5, 6, 29, 32));
    assert_eq!(l.height, 26);
    assert!(l.runs.is_empty());
    let l = layout(
        &f,
        &w("Hello Hello Hello"),
        Rect::new(0, 0, 51, 0),
        DT_CALCRECT | DT_WORDBREAK,
    );
    assert_eq!(l.rect, Rect::new(0, 0, 51, 26));
    // an empty text: an empty rectangle, one line's height (Wine text.c, on Windows)
    let l = layout(&f, &[], Rect::new(10, 10, 100, 100), DT_CALCRECT);
    assert_eq!((l.rect, l.height), (Rect::new(10, 10, 10, 10), 13));
    let l = layout(
        &f,
        &[],
        Rect::new(10, 10, 100, 100),
        DT_CALCRECT | DT_SINGLELINE,
    );
    assert_eq!((l.rect, l.height), (Rect::new(10, 10, 10, 23), 13));
}

#[test]
fn drawtext_prefix_underlines_the_next_character() {
    let f = gui();
    let l = layout(&f, &w("&File"), Rect::new(0, 0, 100, 20), 0);
    assert_eq!(line_texts(&l), vec!["File"]);
    // F is 6 wide in MS Sans Serif 8 pt
    assert_eq!(
        l.underlines,
        vec![Underline {
            x: 0,
            y: 0,
            width: 6
        }]
    );
    let l = layout(&f, &w("Save &As"), Rect::new(0, 0, 100, 20), 0);
    let x = f.text_extent(&w("Save ")).0;
    assert_eq!(l.underlines, vec![Underline { x, y: 0, width: 7 }]);
    // && is one '&', the last prefix wins
    let l = layout(&f, &w("a&&b &c &d"), Rect::new(0, 0, 100, 20), 0);
    assert_eq!(line_texts(&l), vec!["a&b c d"]);
    assert_eq!(l.underlines.len(), 1);
    assert_eq!(l.underlines[0].x, f.text_extent(&w("a&b c ")).0);
    // DT_NOPREFIX draws the '&'
    let l = layout(&f, &w("&File"), Rect::new(0, 0, 100, 20), DT_NOPREFIX);
    assert_eq!(line_texts(&l), vec!["&File"]);
    assert!(l.underlines.is_empty());
}

#[test]
fn drawtext_expands_tabs_and_ellipsizes() {
    let f = gui();
    // tabs every 8 average widths (5): 40 pixels
    let l = layout(&f, &w("a\tb"), Rect::new(0, 0, 200, 20), DT_EXPANDTABS);
    assert_eq!(line_texts(&l), vec!["a", "b"]);
    assert_eq!(l.runs[1].x, 40);
    // DT_TABSTOP: 4 characters a stop
    let l = layout(
        &f,
        &w("a\tb"),
        Rect::new(0, 0, 200, 20),
        DT_EXPANDTABS | DT_TABSTOP | (4 << 8),
    );
    assert_eq!(l.runs[1].x, 20);
    let l = layout(
        &f,
        &w("Hello Hello"),
        Rect::new(0, 0, 30, 20),
        DT_END_ELLIPSIS | DT_SINGLELINE,
    );
    // "..." is 9 wide: "Hell" (18) is the longest start that leaves room for it in 30
    assert_eq!(line_texts(&l), vec!["Hell..."]);
    assert_eq!(l.line_widths[0], 27);
    // a line that fits keeps its end
    let l = layout(&f, &w("Hello"), Rect::new(0, 0, 24, 20), DT_END_ELLIPSIS);
    assert_eq!(line_texts(&l), vec!["Hello"]);
}

#[test]
fn every_printable_character_has_ink() {
    for i in 0..FACES.len() {
        let f = Font {
            face_index: i,
            scale: 1,
            bold: false,
            italic: false,
            underline: false,
            strike_out: false,
        };
        let m = f.metrics();
        let oem = m.char_set == OEM_CHARSET;
        for code in m.first_char..=m.last_char {
            let blank = matches!(code, 0x00 | 0x20) || code == if oem { 0xFF } else { 0xA0 };
            let u = byte_to_unicode(code, oem);
            let mut s = Surface::new(40, 40, 0);
            let clip = [s.bounds()];
            draw_plain(&f, &mut s, 0, 0, &String::from_utf16_lossy(&[u]), &clip);
            let inked = s.pixels().iter().any(|&p| p != 0);
            assert_eq!(
                inked,
                !blank,
                "{} {} code {code:#x}",
                f.face_name(),
                m.height
            );
        }
    }
}

#[test]
fn drawtext_editcontrol_breaks_words_that_do_not_fit() {
    // Wine text.c on Windows: "line1 line2" in a 1 pixel wide rectangle is 2 lines, and
    // 6 or more with DT_EDITCONTROL
    let f = gui();
    let t = w("line1 line2");
    let one = layout(&f, &t, Rect::new(0, 0, 1, 1), DT_CALCRECT);
    let l = layout(&f, &t, Rect::new(0, 0, 1, 1), DT_CALCRECT | DT_WORDBREAK);
    assert_eq!(l.height, one.height * 2);
    let l = layout(
        &f,
        &t,
        Rect::new(0, 0, 1, 1),
        DT_CALCRECT | DT_WORDBREAK | DT_EDITCONTROL,
    );
    assert!(l.height >= one.height * 6, "{}", l.height);
    // a word broken where it stops fitting: H 8 + e 6 fit in 15, l (2) more does not
    let l = layout(
        &f,
        &w("Hello"),
        Rect::new(0, 0, 15, 50),
        DT_WORDBREAK | DT_EDITCONTROL,
    );
    assert_eq!(line_texts(&l), vec!["He", "llo"]);
}

#[test]
fn tabbed_text_goes_to_the_next_stop_strictly_right() {
    // Wine text.c test_TabbedText (on Windows), with cx the width of "x" and a stop every
    // 4 cx: "xxxx\tx" is 2 stops + cx, "xxx\tx" one stop + cx
    let f = gui();
    let cx = f.char_width(b'x');
    let tab = 4 * cx;
    for stops in [vec![tab], (1..=8).map(|i| i * tab).collect::<Vec<_>>()] {
        let width = |s: &str| tabbed(&f, &w(s), &stops, 0).width;
        assert_eq!(width("\t"), tab);
        assert_eq!(width("xxx\t"), tab);
        assert_eq!(width("\tx"), tab + cx);
        assert_eq!(width("\t\t"), 2 * tab);
        assert_eq!(width("xxx\tx"), tab + cx);
        assert_eq!(width("xxxx\tx"), 2 * tab + cx);
        assert_eq!(width("xxxxx\tx"), 2 * tab + cx);
    }
    let t = tabbed(&f, &w("a\tbc"), &[], 0);
    assert_eq!(
        t.runs,
        vec![(0, w("a")), (40, w("bc"))],
        "every 8 average widths"
    );
    // stops count from the tab origin
    assert_eq!(tabbed(&f, &w("\t"), &[30], 10).width, 10);
    assert_eq!(tabbed(&f, &w("\t"), &[30], -10).width, 20);
}

#[test]
fn system_capitals_and_x_height_are_nts() {
    // NT 4.0's System font in breakout's screenshot ("Score: 30"): capitals 10 rows, x-height
    // 7, sitting on the baseline (tmAscent 13)
    let f = StockFont::System.font();
    let rows_of = |c: &str| {
        let mut s = Surface::new(16, 16, 0);
        let clip = [s.bounds()];
        draw_plain(&f, &mut s, 0, 0, c, &clip);
        let rows: Vec<i32> = (0..16)
            .filter(|&y| (0..16).any(|x| s.get(x, y) != Some(0)))
            .collect();
        (rows[0], *rows.last().unwrap())
    };
    assert_eq!(rows_of("S"), (3, 12));
    assert_eq!(rows_of("o"), (6, 12));
    let m = StockFont::DefaultGui.font();
    let mut s = Surface::new(10, 13, 0);
    let clip = [s.bounds()];
    draw_plain(&m, &mut s, 0, 0, "o", &clip);
    let top = (0..13).find(|&y| (0..10).any(|x| s.get(x, y) != Some(0)));
    assert_eq!(top, Some(5), "MS Sans Serif 8 pt's x-height is 6");
}

#[test]
fn drawing_through_one_clip_or_several_gives_the_same_pixels() {
    for mut l in [StockFont::DefaultGui.logfont(), StockFont::System.logfont()] {
        for (bold, italic) in [(false, false), (true, false), (false, true), (true, true)] {
            l.weight = if bold { FW_BOLD } else { FW_NORMAL };
            l.italic = italic;
            let f = Font::realize(&l);
            let mut whole = Surface::new(200, 20, 0);
            let mut split = Surface::new(200, 20, 0);
            let all = [whole.bounds()];
            // glyphs cut by the rectangles' edge take the clipped path
            let halves = [Rect::new(0, 0, 37, 20), Rect::new(37, 0, 200, 20)];
            draw_plain(&f, &mut whole, 3, 2, "Sphinx of black quartz", &all);
            draw_plain(&f, &mut split, 3, 2, "Sphinx of black quartz", &halves);
            assert_eq!(whole, split, "bold {bold} italic {italic}");
            assert!(whole.pixels().iter().any(|&p| p != 0));
        }
    }
}

#[test]
fn extreme_coordinates_from_a_guest_do_not_panic() {
    let mut l = StockFont::DefaultGui.logfont();
    l.underline = true;
    l.strike_out = true;
    l.italic = true;
    l.weight = FW_BOLD;
    let f = Font::realize(&l);
    let mut s = Surface::new(20, 20, 0);
    let clip = [Rect::new(i32::MIN, i32::MIN, i32::MAX, i32::MAX)];
    let dx = [i32::MAX, i32::MAX, i32::MIN];
    for (x, y) in [
        (i32::MAX, i32::MAX),
        (i32::MIN, i32::MIN),
        (i32::MAX - 3, 0),
        (0, i32::MIN + 1),
    ] {
        draw_plain(&f, &mut s, x, y, "Wg", &clip);
        let how = TextDraw {
            colour: 1,
            background: Some(2),
            opaque_rect: Some(Rect::new(i32::MIN, i32::MIN, i32::MAX, i32::MAX)),
            clip: &clip,
            dx: Some(&dx),
        };
        f.draw(&mut s, x, y, &w("Wgx"), &how);
        f.draw_underline(&mut s, x, y, i32::MAX, &how);
        let m = f.metrics();
        for ta in [0, TA_RIGHT, TA_CENTER, TA_BOTTOM, TA_BASELINE] {
            align(ta, x, y, i32::MAX, &m);
        }
        for flags in [
            0,
            DT_CENTER | DT_VCENTER | DT_SINGLELINE,
            DT_RIGHT | DT_BOTTOM | DT_SINGLELINE | DT_CALCRECT,
            DT_WORDBREAK | DT_EXPANDTABS | DT_END_ELLIPSIS,
        ] {
            layout(&f, &w("a b\tc &d"), Rect::new(x, y, y, x), flags);
        }
    }
    tabbed(&f, &w("a\tb\tc"), &[i32::MIN, i32::MAX], i32::MIN);
    tabbed(&f, &w("a\tb"), &[i32::MIN], i32::MAX);
    let mut huge = StockFont::System.logfont();
    huge.height = i32::MIN;
    assert_eq!(Font::realize(&huge).scale(), MAX_SCALE);
}

#[test]
fn enumeration_lists_faces_then_sizes_that_realize_to_themselves() {
    let faces: Vec<String> = enumerate(None)
        .into_iter()
        .map(|(l, _)| l.face_name)
        .collect();
    assert_eq!(
        faces,
        vec!["System", "MS Sans Serif", "Courier", "Fixedsys", "Terminal"]
    );
    let sizes: Vec<i32> = enumerate(Some("ms sans serif"))
        .iter()
        .map(|(_, m)| m.height)
        .collect();
    assert_eq!(sizes, vec![13, 16, 20, 24, 29, 37]);
    assert!(enumerate(Some("Arial")).is_empty());
    for (lf, m) in enumerate(None)
        .into_iter()
        .chain(enumerate(Some("Courier")))
    {
        let f = Font::realize(&lf);
        assert_eq!((f.face_name(), f.metrics()), (lf.face_name.as_str(), m));
    }
    let (_, courier) = &enumerate(Some("Courier"))[0];
    assert_eq!(courier.pitch_and_family & TMPF_FIXED_PITCH, 0);
    assert_eq!(
        enumerate(Some("Courier"))[0].0.pitch_and_family,
        FIXED_PITCH | FF_MODERN
    );
}

#[test]
fn fit_counts_the_characters_within_an_extent() {
    // H 8, e 6, l 2, l 2, o 6
    let f = gui();
    assert_eq!(f.fit(&w("Hello"), 16), (3, vec![8, 14, 16, 18, 24]));
    assert_eq!(f.fit(&w("Hello"), 7).0, 0);
    assert_eq!(f.fit(&w("Hello"), 100).0, 5);
}

#[test]
fn code_pages_agree_with_kernel32s() {
    // the same 1252 and 437 as MultiByteToWideChar/WideCharToMultiByte (crates/win32)
    use win32::codepage::CodePage;
    for b in 0..=255u8 {
        assert_eq!(
            byte_to_unicode(b, false),
            CodePage::Ansi.decode(b),
            "{b:#x}"
        );
        assert_eq!(byte_to_unicode(b, true), CodePage::Oem.decode(b), "{b:#x}");
    }
    for u in 0..=0xFFFFu16 {
        assert_eq!(
            unicode_to_byte(u, false),
            CodePage::Ansi.encode(u),
            "{u:#x}"
        );
        assert_eq!(unicode_to_byte(u, true), CodePage::Oem.encode(u), "{u:#x}");
    }
}

#[test]
fn drawtext_draws_its_runs_and_prefix_lines_inside_its_rectangle() {
    let f = gui();
    let r = Rect::new(5, 5, 40, 30);
    let l = layout(&f, &w("&File menu"), r, DT_SINGLELINE);
    let mut s = Surface::new(80, 40, 0);
    let all = [s.bounds()];
    let how = TextDraw {
        colour: 9,
        background: None,
        opaque_rect: None,
        clip: &all,
        dx: None,
    };
    draw(&f, &mut s, &l, &how);
    // clipped to the rectangle: "File menu" is wider than 35
    assert!(f.text_extent(&w("File menu")).0 > 35);
    for y in 0..40 {
        for x in 0..80 {
            if s.get(x, y) != Some(0) {
                assert!((5..40).contains(&x) && (5..30).contains(&y), "({x},{y})");
            }
        }
    }
    // the F is underlined on the row under the baseline (tmAscent + 1)
    assert!((5..11).all(|x| s.get(x, 5 + 12) == Some(9)));
    assert_eq!(s.get(11, 5 + 12), Some(0), "only under the F");
    // with DT_NOCLIP it runs past the rectangle
    let l = layout(&f, &w("&File menu"), r, DT_SINGLELINE | DT_NOCLIP);
    let mut s = Surface::new(80, 40, 0);
    draw(&f, &mut s, &l, &how);
    assert!((40..80).any(|x| (0..40).any(|y| s.get(x, y) == Some(9))));
}

#[test]
fn drawtext_path_ellipsis_keeps_the_file_name() {
    let f = gui();
    let path = "C:\\winnt\\system32\\drivers\\file.txt";
    let avail = f.text_extent(&w("C:\\wi...\\file.txt")).0;
    let l = layout(
        &f,
        &w(path),
        Rect::new(0, 0, avail, 20),
        DT_PATH_ELLIPSIS | DT_SINGLELINE,
    );
    assert_eq!(line_texts(&l), vec!["C:\\wi...\\file.txt"]);
    assert!(l.line_widths[0] <= avail);
    // a prefix in the file name follows it
    let l = layout(
        &f,
        &w("C:\\winnt\\system32\\&file"),
        Rect::new(0, 0, 40, 20),
        DT_PATH_ELLIPSIS,
    );
    let t = &line_texts(&l)[0];
    assert!(t.ends_with("...\\file"), "{t}");
    let x = f.text_extent(&w(&t[..t.len() - 4])).0;
    assert_eq!(l.underlines[0].x, x, "under the f");
    // DT_WORD_ELLIPSIS cuts like DT_END_ELLIPSIS
    let end = layout(
        &f,
        &w("Hello Hello"),
        Rect::new(0, 0, 30, 20),
        DT_END_ELLIPSIS,
    );
    let word = layout(
        &f,
        &w("Hello Hello"),
        Rect::new(0, 0, 30, 20),
        DT_WORD_ELLIPSIS,
    );
    assert_eq!(line_texts(&end), line_texts(&word));
}
