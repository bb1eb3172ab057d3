//! `ntemu bench`: a quick run writes a well-formed results.json and index.html with every
//! column (Wine's and qemu's measured or "not installed", whichever this machine has);
//! `--compare` of a results file with itself marks every change as noise; BENCHMARKS.md's
//! generated section is what `ntemu bench --render benches/results.json` prints
//! (`NTEMU_UPDATE_BENCHMARKS=1 cargo test -p ntemu-cli --test bench` rewrites it).

mod common;

use std::path::PathBuf;

use common::{Scratch, ntemu, text};
use serde_json::Value;

const BEGIN: &str = "<!-- bench report: generated from benches/results.json by `NTEMU_UPDATE_BENCHMARKS=1 cargo test -p ntemu-cli --test bench` -->";
const END: &str = "<!-- end of bench report -->";

fn source() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Checks that `xml` is well-formed as far as an SVG or XHTML fragment needs: every tag
/// closed in order, attribute values quoted, entities only the five of XML.
fn assert_well_formed(xml: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        for (i, _) in text.match_indices('&') {
            let ent = &text[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|e| ent.starts_with(e)),
                "bad entity near {:?}",
                &ent[..ent.len().min(20)]
            );
        }
        let gt = rest[lt..].find('>').expect("tag closed") + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_default();
            assert_eq!(open, name.trim(), "closing tag");
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name = body.split_whitespace().next().unwrap_or("").to_string();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "tag name {name:?}"
        );
        assert_eq!(
            body.matches('"').count() % 2,
            0,
            "unbalanced quotes in <{body}>"
        );
        for attr in body.split_whitespace().skip(1) {
            if attr.contains('=') {
                assert!(
                    attr.split_once('=')
                        .is_some_and(|(_, v)| v.starts_with('"')),
                    "unquoted attribute in <{body}>"
                );
            }
        }
        if !self_closing {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
}

/// The SVG charts and the body of index.html are well-formed.
fn check_html(html: &str) -> usize {
    assert!(html.starts_with("<!DOCTYPE html>\n"), "doctype");
    assert!(html.trim_end().ends_with("</html>"), "ends the page");
    let body_start = html.find("<body>").expect("a body") + "<body>".len();
    let body_end = html.rfind("</body>").expect("a body's end");
    assert_well_formed(&html[body_start..body_end]);
    let mut svgs = 0;
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("svg closed") + start + "</svg>".len();
        let svg = &rest[start..end];
        assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
        assert_well_formed(svg);
        svgs += 1;
        rest = &rest[end..];
    }
    svgs
}

#[test]
fn a_quick_run_writes_the_report_with_every_column() {
    let dir = Scratch::new("bench");
    let out = dir.0.join("report");
    let run = ntemu(&[
        "bench",
        "--quick",
        "--runs",
        "1",
        "--only",
        "heap,fib,kb246691",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = text(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", text(&run.stderr));
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap())
            .expect("results.json is JSON");
    assert_eq!(results["schema"], "ntemu-bench/1");
    assert_eq!(results["runs"], 1);
    assert!(results["machine"]["cpu"].is_string());
    assert_eq!(results["load_before_run"].as_array().unwrap().len(), 1);
    let columns: Vec<&str> = results["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        columns,
        [
            "ntemu",
            "ntemu-alpha",
            "wine",
            "qemu-i386",
            "qemu-alpha",
            "native"
        ]
    );
    let status = |id: &str| {
        results["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for tool in ["wine", "qemu-i386", "qemu-alpha"] {
        let s = status(tool);
        assert!(s == "measured" || s == "not installed", "{tool}: {s}");
    }
    let workloads = results["workloads"].as_array().unwrap();
    let names: Vec<&str> = workloads
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["heap", "fib"]);
    for w in workloads {
        let cells = &w["cells"];
        let ntemu = &cells["ntemu"];
        assert_eq!(ntemu["status"], "measured", "{w}");
        assert_eq!(ntemu["samples_ns"].as_array().unwrap().len(), 1);
        assert!(ntemu["per_op_ns"]["median"].as_f64().unwrap() > 0.0);
        for (id, applies) in [
            ("wine", true),
            ("qemu-i386", w["name"] == "fib"),
            ("qemu-alpha", w["name"] == "fib"),
        ] {
            let cell = &cells[id];
            if !applies {
                assert_eq!(cell["status"], "n/a (Win32 API)", "{id}");
            } else if status(id) == "measured" {
                assert_eq!(cell["status"], "measured", "{id}: {cell}");
                assert!(cell["ratio"].as_f64().unwrap() > 0.0);
            } else {
                assert_eq!(cell["status"], "not installed", "{id}");
            }
        }
    }
    // The same work gives the same result everywhere it ran.
    let fib = &workloads[1]["cells"];
    assert_eq!(fib["ntemu-alpha"]["status"], "measured");
    for id in ["ntemu-alpha", "wine", "qemu-i386", "qemu-alpha", "native"] {
        if fib[id]["status"] == "measured" {
            let a = u64::from_str_radix(
                fib["ntemu"]["result"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("0x"),
                16,
            );
            let b = u64::from_str_radix(
                fib[id]["result"].as_str().unwrap().trim_start_matches("0x"),
                16,
            );
            assert_eq!(a, b, "{id}");
        }
    }
    // KB Q246691: flat for ntemu, one handle per call with the NT 4.0 quirk.
    let kb = &results["kb246691"];
    let calls = kb["calls"].as_i64().unwrap();
    for series in kb["series"].as_array().unwrap() {
        let last = series["points"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last[0].as_i64(), Some(calls), "{series}");
        let expected = if series["quirk"] == true { calls } else { 0 };
        assert_eq!(last[1].as_i64(), Some(expected), "{series}");
    }
    // The printed table has a row per workload and a column per column.
    assert!(stdout.contains("| workload | per | ntemu (x86) | ntemu (Alpha) | Wine | qemu-i386 | qemu-alpha | native |"), "{stdout}");
    assert!(
        stdout.contains("| heap: HeapAlloc + HeapFree of 24 bytes | pair |"),
        "{stdout}"
    );
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    // The ratio chart, one time-against-size chart per workload, the KB chart (fewer: a
    // --quick run has one size, so no size charts).
    assert!(check_html(&html) >= 2, "charts in index.html");
    assert!(html.contains("KB Q246691"));
}

#[test]
fn missing_tools_have_their_columns_say_not_installed() {
    let dir = Scratch::new("bench-no-tools");
    let out = dir.0.join("report");
    // No PATH: neither Wine nor qemu can be found; ntemu and the native ELF are run by path.
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_ntemu"))
        .args(["bench", "--quick", "--runs", "1", "--only", "fib", "--out"])
        .arg(&out)
        .env("PATH", "/nonexistent")
        .output()
        .expect("ntemu runs");
    let stdout = text(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", text(&run.stderr));
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let cells = &results["workloads"][0]["cells"];
    for id in ["wine", "qemu-i386", "qemu-alpha"] {
        assert_eq!(cells[id]["status"], "not installed", "{id}");
    }
    assert_eq!(cells["ntemu"]["status"], "measured");
    assert!(stdout.contains("| fib: naive recursive Fibonacci | call |"));
    assert!(
        stdout.contains("| not installed | not installed | not installed |"),
        "{stdout}"
    );
    assert_eq!(results["machine"]["wine"], "not installed");
    assert!(check_html(&std::fs::read_to_string(out.join("index.html")).unwrap()) >= 1);
}

#[test]
fn comparing_a_report_with_itself_is_all_noise() {
    let results = source().join("benches/results.json");
    let out = ntemu(&[
        "bench",
        "--render",
        results.to_str().unwrap(),
        "--compare",
        results.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let section = stdout
        .split("### Compared with")
        .nth(1)
        .expect("a comparison");
    let rows: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| workload"))
        .collect();
    assert!(rows.len() >= 10, "{section}");
    for row in rows {
        assert!(row.ends_with(" | unchanged (noise) |"), "{row}");
    }
}

#[test]
fn benchmarks_md_is_generated_from_the_committed_results() {
    let results = source().join("benches/results.json");
    let out = ntemu(&["bench", "--render", results.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let block = format!("{BEGIN}\n{}{END}", text(&out.stdout));
    let path = source().join("BENCHMARKS.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (Some(start), Some(end)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("BENCHMARKS.md has no generated bench report section");
    };
    let current = &doc[start..end + END.len()];
    if std::env::var_os("NTEMU_UPDATE_BENCHMARKS").is_some() {
        let updated = format!("{}{block}{}", &doc[..start], &doc[end + END.len()..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(
        current == block,
        "BENCHMARKS.md's bench report differs from benches/results.json; run \
         NTEMU_UPDATE_BENCHMARKS=1 cargo test -p ntemu-cli --test bench. It should be:\n{block}"
    );
}
