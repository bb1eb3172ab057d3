//! The console programs of ../shared/corpus/ntutils do their jobs under `ntemu run`, as a
//! user starts them (skipped with a message when the corpus is absent):
//! - elvis's tools: `ls` lists a folder, `fmt` refills a text from a file and from stdin
//!   (a file and a pipe), `ctags` writes a tags file for a C file and `ref` finds a tag in
//!   it; their output is byte for byte what Wine 8 printed for the same commands
//!   (tests/guests/expected/ntutils/*.out, made by tests/guests/run-wine-ntutils.sh from
//!   the inputs in tests/guests/ntutils/);
//! - `vi`, `ex` and `view` start elvis.exe beside them, which edits and saves a file from a
//!   key script; xvi and Open Watcom vi edit a file the same way on x86 and on Alpha and
//!   leave byte-identical files;
//! - figlet prints a banner in the standard font, as under Wine.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{Scratch, ntemu_in, text};

/// A corpus program, or None (with a message) when the corpus is absent.
fn corpus(rel: &str) -> Option<PathBuf> {
    pe_image::corpus::file(rel)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What Wine produced for one of the commands (tests/guests/expected/ntutils/NAME.out).
fn wine_output(name: &str) -> Vec<u8> {
    let path = repo().join("tests/guests/expected/ntutils").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A drive C: folder as run-wine-ntutils.sh lays it out: the inputs and an empty `sub`.
fn work_folder(s: &Scratch) -> PathBuf {
    // C:\work on a drive of its own (the scratch folder is the run's home, which is no
    // drive).
    let work = s.0.join("c").join("work");
    std::fs::create_dir_all(work.join("sub")).expect("work");
    for input in ["para.txt", "sample.c"] {
        std::fs::copy(
            repo().join("tests/guests/ntutils").join(input),
            work.join(input),
        )
        .expect("input");
    }
    work
}

/// `ntemu run --root ROOT PROGRAM ARGS...` in WORK (C:\\work, beside the system root
/// C:\\WINNT that ntemu makes on the drive, as a folder under Wine's drive C: is);
/// checks that it ended with status 0.
fn run_in(s: &Scratch, work: &Path, program: &Path, args: &[&str]) -> Output {
    let root = work.parent().expect("the drive holding the work folder");
    let mut all = vec![
        "run",
        "--root",
        root.to_str().expect("path"),
        program.to_str().expect("path"),
    ];
    all.extend_from_slice(args);
    let o = ntemu_in(s, work, &all);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    o
}

fn assert_same_bytes(ours: &[u8], wine: &[u8], what: &str) {
    assert!(
        ours == wine,
        "{what}: ntemu printed\n{}\nWine printed\n{}",
        text(ours),
        text(wine)
    );
}

#[test]
fn ls_lists_a_folder_as_under_wine() {
    let Some(ls) = corpus("ntutils/elvis/ls.exe") else {
        return;
    };
    let s = Scratch::new("ls");
    let work = work_folder(&s);
    let o = run_in(&s, &work, &ls, &[]);
    assert_same_bytes(&o.stdout, &wine_output("ls.out"), "ls");
    let o = run_in(&s, &work, &ls, &["*.c", "sub"]);
    assert_same_bytes(&o.stdout, &wine_output("ls-args.out"), "ls *.c sub");
}

#[test]
fn fmt_refills_a_text_from_a_file_and_from_stdin_as_under_wine() {
    let Some(fmt) = corpus("ntutils/elvis/fmt.exe") else {
        return;
    };
    let s = Scratch::new("fmt");
    let work = work_folder(&s);
    let o = run_in(&s, &work, &fmt, &["para.txt"]);
    assert_same_bytes(&o.stdout, &wine_output("fmt-file.out"), "fmt para.txt");
    let para = std::fs::read(work.join("para.txt")).expect("para");
    let wine = wine_output("fmt-stdin.out");
    // stdin a file (`fmt < para.txt`) and a pipe (`cat para.txt | fmt`).
    let from_file = std::fs::File::open(work.join("para.txt")).expect("para");
    let o = fmt_with_stdin(&s, &work, &fmt, Stdio::from(from_file), None);
    assert_same_bytes(&o.stdout, &wine, "fmt < para.txt");
    let o = fmt_with_stdin(&s, &work, &fmt, Stdio::piped(), Some(&para));
    assert_same_bytes(&o.stdout, &wine, "fmt from a pipe");
}

fn fmt_with_stdin(
    s: &Scratch,
    work: &Path,
    fmt: &Path,
    stdin: Stdio,
    piped: Option<&[u8]>,
) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntemu"))
        .args(["run", "--root", work.to_str().expect("path")])
        .arg(fmt)
        .current_dir(work)
        .env("HOME", s.0.join("home"))
        .env("XDG_DATA_HOME", s.0.join("data"))
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ntemu runs");
    if let Some(bytes) = piped {
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(bytes).expect("write stdin");
    }
    let o = child.wait_with_output().expect("ntemu ends");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    o
}

#[test]
fn ctags_writes_a_tags_file_and_ref_finds_a_tag_in_it_as_under_wine() {
    let (Some(ctags), Some(reff)) = (
        corpus("ntutils/elvis/ctags.exe"),
        corpus("ntutils/elvis/ref.exe"),
    ) else {
        return;
    };
    let s = Scratch::new("ctags");
    let work = work_folder(&s);
    run_in(&s, &work, &ctags, &["sample.c"]);
    let tags = std::fs::read(work.join("tags")).expect("ctags wrote tags");
    assert_same_bytes(&tags, &wine_output("ctags-tags.out"), "tags");
    let o = run_in(&s, &work, &reff, &["scale"]);
    assert_same_bytes(&o.stdout, &wine_output("ref.out"), "ref scale");
}

#[test]
fn figlet_prints_a_banner_in_the_standard_font_as_under_wine() {
    let Some(figlet) = corpus("ntutils/figlet/figlet-x86.exe") else {
        return;
    };
    // figlet finds its fonts beside itself: run, as under Wine, in its own folder, given to
    // the guest read-only as F:, which is then the current directory.
    let s = Scratch::new("figlet");
    let folder = figlet.parent().expect("folder").to_path_buf();
    let root = s.0.join("c");
    std::fs::create_dir_all(&root).expect("root");
    let drive = format!("F:={}:ro", folder.display());
    let o = ntemu_in(
        &s,
        &folder,
        &[
            "run",
            "--root",
            root.to_str().expect("path"),
            "--drive",
            &drive,
            figlet.to_str().expect("path"),
            "-d",
            "fonts",
            "ntemu",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_same_bytes(&o.stdout, &wine_output("figlet.out"), "figlet");
}

/// Edits `file.txt` (holding "hello\r\nworld\r\n") with `program` and the key script
/// `keys` in a fresh drive C: with a TEMP folder (where the editors keep their work files);
/// returns what the file holds afterwards.
fn edit(tag: &str, program: &Path, keys: &str) -> Vec<u8> {
    let s = Scratch::new(tag);
    let work = s.0.join("work");
    std::fs::create_dir_all(work.join("TEMP")).expect("TEMP");
    std::fs::write(work.join("file.txt"), "hello\r\nworld\r\n").expect("file");
    let script = s.0.join("keys.txt");
    std::fs::write(&script, keys).expect("keys");
    let o = ntemu_in(
        &s,
        &work,
        &[
            "run",
            "--root",
            work.to_str().expect("path"),
            "--input",
            script.to_str().expect("path"),
            program.to_str().expect("path"),
            "file.txt",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}: {}",
        program.display(),
        text(&o.stderr)
    );
    std::fs::read(work.join("file.txt")).expect("file")
}

const INSERTED: &str = "inserted by ntemu\r\nhello\r\nworld\r\n";

#[test]
fn vi_ex_and_view_start_elvis_which_edits_and_saves_a_file() {
    let Some(folder) = corpus("ntutils/elvis/vi.exe").map(|p| p.with_file_name("")) else {
        return;
    };
    let vi = edit(
        "elvis-vi",
        &folder.join("vi.exe"),
        "Oinserted by ntemu\\e:wq\\r",
    );
    assert_eq!(text(&vi), INSERTED, "vi");
    // view opens the file read-only: :wq! writes it anyway.
    let view = edit(
        "elvis-view",
        &folder.join("view.exe"),
        "Oinserted by ntemu\\e:wq!\\r",
    );
    assert_eq!(text(&view), INSERTED, "view");
    // ex is line-oriented: insert before line 1, end the input with ".", write and quit.
    let ex = edit(
        "elvis-ex",
        &folder.join("ex.exe"),
        "1i\\rinserted by ntemu\\r.\\rwq\\r",
    );
    assert_eq!(text(&ex), INSERTED, "ex");
}

/// Keys for a vi: a line above the first, a word deleted on the next line, text appended.
const VI_KEYS: &str = "Oinserted by ntemu\\ejdwAend\\e:wq\\r";

fn x86_and_alpha_leave_the_same_file(x86: &str, alpha: &str, expected: &str) {
    let (Some(x86), Some(alpha)) = (corpus(x86), corpus(alpha)) else {
        return;
    };
    let on_x86 = edit("vi-x86", &x86, VI_KEYS);
    let on_alpha = edit("vi-axp", &alpha, VI_KEYS);
    assert_eq!(text(&on_x86), expected, "{}", x86.display());
    assert_eq!(
        on_x86, on_alpha,
        "x86 and Alpha builds left different files"
    );
}

#[test]
fn xvi_edits_a_file_identically_on_x86_and_alpha() {
    // `j` keeps the column (the end of the inserted line, clipped to "hello"'s last
    // letter), `dw` deletes that "o".
    x86_and_alpha_leave_the_same_file(
        "ntutils/xvi/xvi-x86.exe",
        "ntutils/xvi/xvi-axp.exe",
        "inserted by ntemu\r\nhellend\r\nworld\r\n",
    );
}

#[test]
fn open_watcom_vi_edits_a_file_identically_on_x86_and_alpha() {
    x86_and_alpha_leave_the_same_file(
        "ntutils/owvi/vi-x86.exe",
        "ntutils/owvi/vi-axp.exe",
        "inserted by ntemu\r\nhellend\r\nworld\r\n",
    );
}
