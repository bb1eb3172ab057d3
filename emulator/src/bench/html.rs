//! index.html of a bench report: the Markdown report as HTML and inline SVG charts (no
//! scripts, nothing fetched): the ratio of every column to ntemu per workload (log scale),
//! time against work size per workload (log-log), and KB Q246691's handle-count curves.

use std::fmt::Write as _;

use serde_json::Value;

const COLORS: [&str; 9] = [
    "#1f77b4", "#8c564b", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#e377c2",
    "#7f7f7f",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `**x**` as `<b>x</b>`, `` `x` `` as `<code>x</code>`, the rest escaped.
fn inline(s: &str) -> String {
    let mut out = String::new();
    let mut bold = false;
    let mut code = false;
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("**") {
            out.push_str(if bold { "</b>" } else { "<b>" });
            bold = !bold;
            rest = r;
        } else if let Some(r) = rest.strip_prefix('`') {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
            rest = r;
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push_str(&esc(&c.to_string()));
            rest = &rest[c.len_utf8()..];
        }
    }
    if bold {
        out.push_str("</b>");
    }
    if code {
        out.push_str("</code>");
    }
    out
}

/// The Markdown report (headings, paragraphs, tables) as HTML.
fn markdown_html(md: &str) -> String {
    let mut out = String::new();
    let mut in_table = false;
    let mut header = true;
    for line in md.lines() {
        if line.starts_with('|') {
            if !in_table {
                out.push_str("<table>\n");
                in_table = true;
                header = true;
            }
            if line.starts_with("|---") {
                continue;
            }
            let tag = if header { "th" } else { "td" };
            out.push_str("<tr>");
            for cell in line.trim_matches('|').split(" | ") {
                let _ = write!(out, "<{tag}>{}</{tag}>", inline(cell.trim()));
            }
            out.push_str("</tr>\n");
            header = false;
            continue;
        }
        if in_table {
            out.push_str("</table>\n");
            in_table = false;
        }
        if let Some(h) = line.strip_prefix("### ") {
            let _ = writeln!(out, "<h3>{}</h3>", inline(h));
        } else if let Some(h) = line.strip_prefix("## ") {
            let _ = writeln!(out, "<h2>{}</h2>", inline(h));
        } else if !line.trim().is_empty() {
            let _ = writeln!(out, "<p>{}</p>", inline(line));
        }
    }
    if in_table {
        out.push_str("</table>\n");
    }
    out
}

/// Horizontal bars of every column's ratio to ntemu, per workload, on a log scale.
fn ratio_chart(results: &Value) -> String {
    let cols = super::report::columns(results);
    let mut bars: Vec<(String, usize, f64)> = Vec::new();
    for w in results["workloads"].as_array().into_iter().flatten() {
        for (ci, (id, title)) in cols.iter().enumerate() {
            let cell = &w["cells"][id.as_str()];
            if cell["ratio_to"].as_str() == Some(id.as_str()) {
                continue;
            }
            if let Some(r) = cell["ratio"].as_f64().filter(|r| *r > 0.0) {
                bars.push((format!("{} · {title}", text(&w["name"])), ci, r));
            }
        }
    }
    let (left, width, row) = (300.0, 560.0, 18.0);
    let height = 40.0 + row * bars.len() as f64;
    let x = |r: f64| left + (r.log10().clamp(-3.0, 3.0) + 3.0) / 6.0 * width;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{height}" font-family="sans-serif" font-size="11">"#,
        left + width + 20.0
    );
    for (i, tick) in ["0.001x", "0.01x", "0.1x", "1x", "10x", "100x", "1000x"]
        .iter()
        .enumerate()
    {
        let tx = left + i as f64 / 6.0 * width;
        let _ = writeln!(
            s,
            r##"<line x1="{tx}" y1="20" x2="{tx}" y2="{}" stroke="{}"/><text x="{tx}" y="14" text-anchor="middle">{tick}</text>"##,
            height - 10.0,
            if i == 3 { "#000" } else { "#ddd" }
        );
    }
    for (i, (label, ci, r)) in bars.iter().enumerate() {
        let y = 24.0 + row * i as f64;
        let (a, b) = (x(1.0).min(x(*r)), x(1.0).max(x(*r)));
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text><rect x="{a}" y="{y}" width="{}" height="{}" fill="{}"><title>{} {}x</title></rect><text x="{}" y="{}">{}x</text>"#,
            left - 6.0,
            y + 12.0,
            esc(label),
            (b - a).max(1.0),
            row - 4.0,
            COLORS[ci % COLORS.len()],
            esc(label),
            super::report::fmt_ratio(*r),
            b + 4.0,
            y + 12.0,
            super::report::fmt_ratio(*r)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A chart's line: its label, its color's index and its points.
type Series = (String, usize, Vec<(f64, f64)>);

/// One chart of lines: `series` of (label, color index, points); log-log axes when `log`.
fn line_chart(title: &str, x_label: &str, y_label: &str, series: &[Series], log: bool) -> String {
    let (w, h, left, top, right, bottom) = (440.0, 300.0, 60.0, 30.0, 36.0, 110.0);
    let f = |v: f64| if log { v.max(1e-12).log10() } else { v };
    let all: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|&(a, b)| (f(a), f(b))))
        .collect();
    if all.is_empty() {
        return String::new();
    }
    let mut x0 = all.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let mut x1 = all.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let mut y0 = all.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let mut y1 = all.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    if log {
        x0 = x0.floor();
        x1 = x1.ceil();
        y0 = y0.floor();
        y1 = y1.ceil();
    } else {
        x0 = x0.min(0.0);
        y0 = y0.min(0.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let pw = w - left - right;
    let ph = h - top - bottom;
    let px = |v: f64| left + (v - x0) / (x1 - x0) * pw;
    let py = |v: f64| top + ph - (v - y0) / (y1 - y0) * ph;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11"><text x="{}" y="16" text-anchor="middle" font-weight="bold">{}</text><rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>"##,
        w / 2.0,
        esc(title)
    );
    let ticks = |lo: f64, hi: f64| -> Vec<f64> {
        if log {
            (lo as i64..=hi as i64).map(|e| e as f64).collect()
        } else {
            (0..=4)
                .map(|i| lo + (hi - lo) * f64::from(i) / 4.0)
                .collect()
        }
    };
    let label = |v: f64| {
        if log {
            let p = 10f64.powf(v);
            if p >= 1.0 {
                format!("{p:.0}")
            } else {
                format!("{p}")
            }
        } else {
            format!("{v:.0}")
        }
    };
    for t in ticks(x0, x1) {
        let _ = write!(
            s,
            r##"<line x1="{0}" y1="{top}" x2="{0}" y2="{1}" stroke="#eee"/><text x="{0}" y="{2}" text-anchor="middle">{3}</text>"##,
            px(t),
            top + ph,
            top + ph + 14.0,
            label(t)
        );
    }
    for t in ticks(y0, y1) {
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{0}" x2="{1}" y2="{0}" stroke="#eee"/><text x="{2}" y="{3}" text-anchor="end">{4}</text>"##,
            py(t),
            left + pw,
            left - 4.0,
            py(t) + 4.0,
            label(t)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text><text x="12" y="{}" text-anchor="middle" transform="rotate(-90 12 {})">{}</text>"#,
        left + pw / 2.0,
        top + ph + 30.0,
        esc(x_label),
        top + ph / 2.0,
        top + ph / 2.0,
        esc(y_label)
    );
    for (i, (name, ci, points)) in series.iter().enumerate() {
        let color = COLORS[ci % COLORS.len()];
        let pts: Vec<String> = points
            .iter()
            .map(|&(a, b)| format!("{:.1},{:.1}", px(f(a)), py(f(b))))
            .collect();
        let _ = write!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
            pts.join(" ")
        );
        for &(a, b) in points {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"><title>{} ({a}, {b:.4})</title></circle>"#,
                px(f(a)),
                py(f(b)),
                esc(name)
            );
        }
        let ly = top + ph + 46.0 + 12.0 * (i / 2) as f64;
        let lx = left + (i % 2) as f64 * 190.0;
        let _ = write!(
            s,
            r#"<rect x="{lx}" y="{}" width="10" height="8" fill="{color}"/><text x="{}" y="{ly}">{}</text>"#,
            ly - 8.0,
            lx + 14.0,
            esc(name)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The whole page.
pub fn page(results: &Value, md: &str) -> String {
    let mut s = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ntemu bench</title>\n\
         <style>body{font-family:sans-serif;max-width:1300px;margin:1em auto;padding:0 1em}\
         table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}\
         th{background:#f4f4f4}.charts{display:flex;flex-wrap:wrap;gap:8px}</style></head><body>\n",
    );
    s.push_str(&markdown_html(md));
    s.push_str(
        "<h2>Ratio to ntemu</h2>\n<p>Each column's median time per operation divided by \
         ntemu's (log scale; left of 1x: faster than ntemu).</p>\n",
    );
    s.push_str(&ratio_chart(results));
    s.push_str(
        "<h2>Time against work size</h2>\n<p>Median time of the work against the number of \
         operations, per column (log-log; a slope of 1 is linear).</p>\n<div class=\"charts\">\n",
    );
    let cols = super::report::columns(results);
    for w in results["workloads"].as_array().into_iter().flatten() {
        let mut series = Vec::new();
        for (ci, (id, title)) in cols.iter().enumerate() {
            let points: Vec<(f64, f64)> = w["cells"][id.as_str()]["sweep"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| Some((p["units"].as_f64()?, p["median_ns"].as_f64()? / 1e6)))
                .collect();
            if !points.is_empty() {
                series.push((title.clone(), ci, points));
            }
        }
        if series.iter().any(|(_, _, p)| p.len() > 1) {
            s.push_str(&line_chart(
                &format!("{}: {}", text(&w["name"]), text(&w["what"])),
                &format!("{}s", text(&w["unit"])),
                "ms",
                &series,
                true,
            ));
        }
    }
    s.push_str("</div>\n");
    let kb = &results["kb246691"];
    if let Some(series) = kb["series"].as_array() {
        let lines: Vec<Series> = series
            .iter()
            .enumerate()
            .map(|(i, se)| {
                let points = se["points"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                    .collect();
                (text(&se["label"]), i, points)
            })
            .collect();
        s.push_str(
            "<h2>KB Q246691: the caller's handle count against failing CreateRemoteThread calls</h2>\n\
             <p>ntemu rolls every failed call back (the lines at 0 lie on each other); NT 4.0 \
             (<code>--quirk nt4-remote-thread-leak</code>) leaks one handle per call failing at \
             the subsystem step.</p>\n",
        );
        let mut chart = line_chart(
            "handle-count delta against calls",
            "CreateRemoteThread calls",
            "handles",
            &lines,
            false,
        );
        // Room for nine legend lines.
        chart = chart.replacen("height=\"300\"", "height=\"340\"", 1);
        s.push_str(&chart);
    }
    s.push_str("</body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_tables_become_html_tables() {
        let html = markdown_html("## T\n\npara **b**\n\n| a | b |\n|---|---|\n| 1 | <2> |\n");
        assert!(html.contains("<h2>T</h2>"));
        assert!(html.contains("<p>para <b>b</b></p>"));
        assert!(html.contains("<tr><th>a</th><th>b</th></tr>"));
        assert!(html.contains("<tr><td>1</td><td>&lt;2&gt;</td></tr>"));
    }
}
