use super::*;

fn ascii(s: &Surface) -> String {
    let mut out = String::new();
    for y in 0..s.height() as i32 {
        for x in 0..s.width() as i32 {
            out.push(if s.get(x, y) == Some(0) { '.' } else { '#' });
        }
        out.push('\n');
    }
    out
}

#[test]
fn preview() {
    for lf in [StockFont::System, StockFont::DefaultGui, StockFont::AnsiFixed, StockFont::SystemFixed, StockFont::OemFixed] {
        let f = lf.font();
        let t: Vec<u16> = "Hello, Wg@&j! 0123".encode_utf16().collect();
        let (w, h) = f.text_extent(&t);
        let mut s = Surface::new(w as u32, h as u32, 0);
        let clip = [s.bounds()];
        f.draw(&mut s, 0, 0, &t, &TextDraw { colour: 1, background: None, opaque_rect: None, clip: &clip, dx: None });
        println!("{} {}x{}\n{}", f.face_name(), w, h, ascii(&s));
    }
}
