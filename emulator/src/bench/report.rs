//! The Markdown report of a results.json, and the comparison of two.

use std::fmt::Write as _;

use serde_json::Value;

use super::stats::{self, Summary};

/// A time in nanoseconds with three significant digits and its unit.
pub fn fmt_ns(ns: f64) -> String {
    let (v, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$} {unit}")
}

/// A ratio with at least two significant digits (0.0042, 0.31, 2.50, 76.0).
pub fn fmt_ratio(r: f64) -> String {
    let digits = if r >= 10.0 {
        1
    } else if r >= 0.1 || r <= 0.0 {
        2
    } else {
        (1.0 - r.log10().floor()).clamp(2.0, 6.0) as usize
    };
    format!("{r:.digits$}")
}

/// Like [`fmt_ns`] without the unit, in `unit_of`'s unit (for a min–max range).
fn fmt_in_unit_of(ns: f64, unit_of: f64) -> String {
    let div = if unit_of < 1e3 {
        1.0
    } else if unit_of < 1e6 {
        1e3
    } else if unit_of < 1e9 {
        1e6
    } else {
        1e9
    };
    let v = ns / div;
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$}")
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// The per-operation summary of a measured cell.
pub fn per_op(cell: &Value) -> Option<Summary> {
    let p = cell.get("per_op_ns")?;
    Some(Summary {
        median: p.get("median")?.as_f64()?,
        min: p.get("min")?.as_f64()?,
        max: p.get("max")?.as_f64()?,
        q1: p.get("q1")?.as_f64()?,
        q3: p.get("q3")?.as_f64()?,
    })
}

/// The columns of a report: (id, title).
pub fn columns(results: &Value) -> Vec<(String, String)> {
    results["columns"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| (text(&c["id"]), text(&c["title"])))
                .collect()
        })
        .unwrap_or_default()
}

/// One table cell: median [min–max] and the ratio to its reference column.
fn cell_text(id: &str, cell: &Value, runs: u64) -> String {
    let Some(s) = per_op(cell) else {
        return text(&cell["status"]);
    };
    let n = cell["samples_ns"].as_array().map_or(0, |a| a.len()) as u64;
    let mut out = if n == 1 && runs > 1 {
        format!("{} (1 run)", fmt_ns(s.median))
    } else {
        format!(
            "{} [{}–{}]",
            fmt_ns(s.median),
            fmt_in_unit_of(s.min, s.median),
            fmt_in_unit_of(s.max, s.median)
        )
    };
    if let Some(r) = cell["ratio"]
        .as_f64()
        .filter(|_| cell["ratio_to"].as_str() != Some(id))
    {
        let _ = write!(out, " **{}x**", fmt_ratio(r));
    }
    out
}

/// The report of one run as Markdown.
pub fn markdown(results: &Value) -> String {
    let mut s = String::new();
    let m = &results["machine"];
    let runs = results["runs"].as_u64().unwrap_or(0);
    let _ = writeln!(s, "## ntemu bench, {}\n", text(&results["date"]));
    let loads: Vec<String> = results["load_before_run"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|l| {
                    l.as_array()
                        .map(|v| v.iter().map(text).collect::<Vec<_>>().join("/"))
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "Machine: {}, {} cores, {} memory, Linux {}. Wine: {}. qemu-i386: {}. qemu-alpha: {}. \
         ntemu {}{}. {} runs per cell, round-robin (every column of a run before the next run \
         starts); load average (1/5/15 min) before each run: {}; {:.0} s in all.\n",
        text(&m["cpu"]),
        text(&m["cores"]),
        text(&m["memory"]),
        text(&m["kernel"]),
        text(&m["wine"]),
        text(&m["qemu_i386"]),
        text(&m["qemu_alpha"]),
        text(&m["ntemu"]),
        if results["quick"].as_bool() == Some(true) {
            " (--quick sizes)"
        } else {
            ""
        },
        runs,
        loads.join(", "),
        results["seconds"].as_f64().unwrap_or(0.0),
    );
    let _ = writeln!(
        s,
        "Time per operation: the median of the runs [min–max]; **bold**, the column's median \
         divided by ntemu's (qemu-alpha's by ntemu Alpha's where that row has it): below 1x \
         the column is faster than ntemu, above 1x slower. Each program times only its own \
         work (QueryPerformanceCounter in the NT guest, 1 ms resolution under ntemu, whose \
         runs are sized to 50 ms or more; clock_gettime in the Linux programs), except \
         compute-exe, timed as a whole run with process start. Wine runs fewer operations \
         where its server calls are slow (results.json has every size), and opens the 1,000,000 \
         handles of handles-live in the first run only (it takes Wine over a minute). Alpha has no divide \
         instruction: the Alpha builds divide in a library routine (wbench's own \
         shift-and-subtract __divlu on NT, glibc's on Linux), which the compute row's \
         integer phase calls.\n"
    );
    let cols = columns(results);
    let _ = write!(s, "| workload | per |");
    for (_, title) in &cols {
        let _ = write!(s, " {title} |");
    }
    let _ = write!(s, "\n|---|---|");
    for _ in &cols {
        let _ = write!(s, "---|");
    }
    s.push('\n');
    for w in results["workloads"].as_array().into_iter().flatten() {
        let _ = write!(
            s,
            "| {}: {} | {} |",
            text(&w["name"]),
            text(&w["what"]),
            text(&w["unit"])
        );
        for (id, _) in &cols {
            let _ = write!(s, " {} |", cell_text(id, &w["cells"][id.as_str()], runs));
        }
        s.push('\n');
    }
    let kb = &results["kb246691"];
    if let Some(series) = kb["series"].as_array() {
        let calls = kb["calls"].as_u64().unwrap_or(0);
        let _ = writeln!(
            s,
            "\n### KB Q246691: the caller's handle count against failing CreateRemoteThread calls\n\n\
             wbench.exe kbcurve {calls} under ntemu: {calls} CreateRemoteThread calls into a \
             child process, each failing at the fault point armed with `--fault`; the \
             caller's handle count (GetProcessHandleCount) against its count before the \
             first call. NT 4.0 leaked the thread's handle when the subsystem step failed \
             (`--quirk nt4-remote-thread-leak` reproduces it): one handle per call.\n"
        );
        let _ = writeln!(
            s,
            "| CreateRemoteThread | handle-count delta after 0 / {} / {calls} calls | time per call |\n|---|---|---|",
            calls / 2
        );
        for se in series {
            let points = se["points"].as_array().cloned().unwrap_or_default();
            let at = |c: u64| {
                points
                    .iter()
                    .find(|p| p[0].as_u64() == Some(c))
                    .map(|p| text(&p[1]))
                    .unwrap_or_else(|| "-".into())
            };
            let _ = writeln!(
                s,
                "| {} | {} / {} / {} | {} |",
                text(&se["label"]),
                at(0),
                at(calls / 2),
                at(calls),
                se["ns_per_call"]
                    .as_f64()
                    .map(fmt_ns)
                    .unwrap_or_else(|| "-".into())
            );
        }
        if let Some(alpha) = kb["alpha"].as_array() {
            let delta = |quirk: bool| {
                alpha
                    .iter()
                    .find(|a| a["quirk"].as_bool() == Some(quirk))
                    .map(|a| text(&a["delta"]))
                    .unwrap_or_else(|| "-".into())
            };
            let _ = writeln!(
                s,
                "\nThe Alpha build (tests/guests/alpha/kb246691.exe, 1,000 calls failing at the \
                 subsystem step): delta {} without the quirk, {} with it.",
                delta(false),
                delta(true)
            );
        }
    }
    s
}

/// What got faster or slower from `old` to `new`, per workload and column, as Markdown.
pub fn compare(old: &Value, new: &Value) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n### Compared with the run of {}\n\n\
         The change of the median time per operation. A change is marked noise when the old \
         and new runs' ranges [min, max] overlap or the medians differ by less than {:.0} %; \
         a cell measured in one run only has no spread, and a larger change of it is left \
         unjudged.\n",
        text(&old["date"]),
        stats::NOISE_FLOOR * 100.0
    );
    let _ = writeln!(
        s,
        "| workload | column | old | new | change |\n|---|---|---|---|---|"
    );
    let cols = columns(new);
    for w in new["workloads"].as_array().into_iter().flatten() {
        let name = w["name"].as_str().unwrap_or("");
        let Some(ow) = old["workloads"]
            .as_array()
            .and_then(|a| a.iter().find(|o| o["name"].as_str() == Some(name)))
        else {
            continue;
        };
        for (id, title) in &cols {
            let (Some(a), Some(b)) = (
                per_op(&ow["cells"][id.as_str()]),
                per_op(&w["cells"][id.as_str()]),
            ) else {
                continue;
            };
            let c = stats::change(&a, &b);
            let runs = |cell: &Value| cell["samples_ns"].as_array().map_or(0, |v| v.len());
            let single = runs(&ow["cells"][id.as_str()]) < 2 || runs(&w["cells"][id.as_str()]) < 2;
            let pct = c.relative.abs() * 100.0;
            let way = if c.relative < 0.0 {
                "faster"
            } else if c.relative > 0.0 {
                "slower"
            } else {
                "unchanged"
            };
            let verdict = if c.relative == 0.0 {
                "unchanged (noise)".to_string()
            } else if single && !c.noise {
                format!("{pct:.1} % {way} (one run: no spread to judge by)")
            } else if c.noise {
                format!("{pct:.1} % {way} (noise)")
            } else {
                format!("**{pct:.1} % {way}**")
            };
            let _ = writeln!(
                s,
                "| {name} | {title} | {} | {} | {verdict} |",
                fmt_ns(a.median),
                fmt_ns(b.median)
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_have_three_digits_and_a_unit() {
        assert_eq!(fmt_ns(7.456), "7.46 ns");
        assert_eq!(fmt_ns(12_345.0), "12.3 µs");
        assert_eq!(fmt_ns(123_456_789.0), "123 ms");
        assert_eq!(fmt_ns(2.5e9), "2.50 s");
        assert_eq!(fmt_ratio(76.04), "76.0");
        assert_eq!(fmt_ratio(2.5), "2.50");
        assert_eq!(fmt_ratio(0.31), "0.31");
        assert_eq!(fmt_ratio(0.0123), "0.012");
        assert_eq!(fmt_ratio(0.00421), "0.0042");
    }

    #[test]
    fn compare_marks_a_disjoint_change_and_not_an_overlapping_one() {
        let run = |median: f64, min: f64, max: f64| {
            serde_json::json!({
                "date": "d",
                "columns": [{"id": "ntemu", "title": "ntemu (x86)"}],
                "workloads": [{"name": "heap", "cells": {"ntemu": {"per_op_ns":
                    {"median": median, "min": min, "max": max, "q1": min, "q3": max},
                    "samples_ns": if min == max { vec![median] } else { vec![min, median, max] }}}}],
            })
        };
        let out = compare(&run(100.0, 95.0, 105.0), &run(50.0, 49.0, 51.0));
        assert!(out.contains("**50.0 % faster**"), "{out}");
        let out = compare(&run(100.0, 95.0, 105.0), &run(104.0, 101.0, 110.0));
        assert!(out.contains("4.0 % slower (noise)"), "{out}");
        // One run on a side: no spread, so a large change is not called faster or slower.
        let out = compare(&run(100.0, 100.0, 100.0), &run(50.0, 49.0, 51.0));
        assert!(
            out.contains("50.0 % faster (one run: no spread to judge by)"),
            "{out}"
        );
    }
}
