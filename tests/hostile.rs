//! Hostile inputs: every case must finish without a panic or a hang, within a memory
//! bound, report a clear error naming the file when the file cannot be analysed (exit
//! code 2), and still report the other files of the run.
//!
//! Each case is a folder holding the hostile file and `good/compose.yaml`, whose one
//! known finding (CS001) must always be reported. The time limit below is a hang guard,
//! not a benchmark: each case prints its wall time and peak memory, and
//! `cargo test --release --test hostile -- --nocapture --test-threads 1` gives the figures
//! the README quotes.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A run that takes longer than this has hung.
const HANG_GUARD: Duration = Duration::from_secs(20);
/// Peak resident memory allowed for one run.
const MAX_RSS_KIB: i64 = 200 * 1024;

const GOOD: &str = "services:\n  worker:\n    image: alpine:3.20\n    secrets: [undefined_one]\n";

struct Outcome {
    code: Option<i32>,
    json: serde_json::Value,
    max_rss_kib: i64,
    elapsed: Duration,
}

/// Wait for `child` without blocking: its exit code (`None` when killed by a signal) and
/// its own peak resident memory in KiB, once it has ended (Linux `wait4`).
fn try_wait4(child: &std::process::Child) -> Option<(Option<i32>, i64)> {
    let pid = child.id() as libc::pid_t;
    // SAFETY: wait4 fills the status and usage we pass; `pid` is our own child, not yet
    // reaped (std's `Child` only reaps in `wait`/`try_wait`, which are not called).
    unsafe {
        let mut status: libc::c_int = 0;
        let mut usage: libc::rusage = std::mem::zeroed();
        let r = libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage);
        if r != pid {
            return None;
        }
        let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
        Some((code, usage.ru_maxrss))
    }
}

// The child is reaped by `try_wait4` (which std cannot see), for its own peak memory.
#[allow(clippy::zombie_processes)]
/// Run the binary on `dir`, as the user `uid` (and its group) when given: root reads any
/// file, so a permission case runs as `nobody` there.
fn run_as(dir: &Path, uid: Option<u32>) -> Outcome {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stowaway"));
    command
        .args(["check", "--format", "json"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(uid) = uid {
        use std::os::unix::process::CommandExt;
        // SAFETY: only async-signal-safe calls (setgroups, setgid, setuid) between fork
        // and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(uid) != 0
                    || libc::setuid(uid) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = command.spawn().expect("binary runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let (code, max_rss_kib) = loop {
        if let Some(done) = try_wait4(&child) {
            break done;
        }
        if start.elapsed() > HANG_GUARD {
            let _ = child.kill();
            panic!("{}: still running after {HANG_GUARD:?}", dir.display());
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = start.elapsed();
    let out = reader.join().expect("reader");
    let json = serde_json::from_slice(&out).unwrap_or_else(|e| {
        panic!(
            "{}: output is not JSON ({e}): {}",
            dir.display(),
            String::from_utf8_lossy(&out)
        )
    });
    Outcome {
        code,
        json,
        max_rss_kib,
        elapsed,
    }
}

fn case(name: &str, setup: impl FnOnce(&Path)) -> (tempfile::TempDir, Outcome) {
    case_as(name, None, setup)
}

fn case_as(
    name: &str,
    uid: Option<u32>,
    setup: impl FnOnce(&Path),
) -> (tempfile::TempDir, Outcome) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    if uid.is_some() {
        // Let the other user into the case's folder.
        let mut perms = std::fs::metadata(dir).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(dir, perms).expect("chmod");
    }
    std::fs::create_dir_all(dir.join("good")).expect("mkdir");
    std::fs::write(dir.join("good/compose.yaml"), GOOD).expect("write");
    setup(dir);
    let outcome = run_as(dir, uid);
    // The figures for the README (`cargo test --release --test hostile -- --nocapture`).
    eprintln!(
        "hostile case {name:<40} {:>7.1} ms {:>7} KiB",
        outcome.elapsed.as_secs_f64() * 1e3,
        outcome.max_rss_kib
    );
    assert!(
        outcome.max_rss_kib <= MAX_RSS_KIB,
        "{name}: peak memory {} KiB",
        outcome.max_rss_kib
    );
    let codes: Vec<&str> = outcome.json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["path"] == "good/compose.yaml")
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        ["CS001"],
        "{name}: the good file must still be reported"
    );
    (tmp, outcome)
}

/// The case must end in exit code 2 with an error naming `file` whose message contains `words`.
fn expect_error(name: &str, file: &str, words: &str, setup: impl FnOnce(&Path)) {
    let (_tmp, out) = case(name, setup);
    assert_eq!(out.code, Some(2), "{name}: exit code");
    let errors = out.json["errors"].as_array().expect("errors");
    assert!(
        errors
            .iter()
            .any(|e| e["path"] == file && e["message"].as_str().unwrap_or("").contains(words)),
        "{name}: no error for {file} containing {words:?}: {errors:?}"
    );
}

/// The case must be analysed normally (no error).
fn expect_fine(name: &str, setup: impl FnOnce(&Path)) -> serde_json::Value {
    let (_tmp, out) = case(name, setup);
    assert_eq!(
        out.json["errors"].as_array().map(Vec::len),
        Some(0),
        "{name}: {:?}",
        out.json["errors"]
    );
    assert_eq!(out.code, Some(1), "{name}: exit code");
    out.json
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).expect("write");
}

#[test]
fn yaml_alias_bomb() {
    expect_error("alias bomb", "compose.yaml", "alias", |d| {
        let mut text = String::from("x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "x-a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
            ));
        }
        text.push_str("services:\n  s:\n    image: x\n    labels: *a9\n");
        write(d, "compose.yaml", text);
    });
}

#[test]
fn yaml_with_too_many_nodes() {
    // Just under the 8 MiB limit, four million list items: stopped at 500,000 nodes.
    expect_error(
        "8 MB of YAML nodes",
        "compose.yaml",
        "more than 500000 nodes",
        |d| {
            write(
                d,
                "compose.yaml",
                format!("x: [{}]\n", "x,".repeat(4_000_000)),
            );
        },
    );
}

#[test]
fn deeply_nested_yaml() {
    expect_error("deep yaml", "compose.yaml", "YAML", |d| {
        write(
            d,
            "compose.yaml",
            format!("services: {}{}", "[".repeat(10_000), "]".repeat(10_000)),
        );
    });
    expect_error("deep block yaml", "compose.yaml", "YAML", |d| {
        let mut text = String::from("services:\n");
        for i in 0..2_000 {
            text.push_str(&" ".repeat(i + 2));
            text.push_str("- \n");
        }
        write(d, "compose.yaml", text);
    });
}

#[test]
fn deep_dockerfile_continuation() {
    expect_fine("10k continuations", |d| {
        let mut text = String::from("FROM alpine\nRUN true");
        for i in 0..10_000 {
            text.push_str(&format!(" \\\n    && echo {i}"));
        }
        write(d, "Dockerfile", text);
    });
}

#[test]
fn huge_files_are_skipped_with_an_error() {
    expect_error("50 MB line", "Dockerfile", "limit", |d| {
        // Written in pieces: a run's memory is measured from the moment this process
        // spawns it, so this process must not hold 50 MB itself.
        use std::io::Write;
        let mut f = std::fs::File::create(d.join("Dockerfile")).expect("create");
        let piece = "A".repeat(1024 * 1024);
        for _ in 0..50 {
            f.write_all(piece.as_bytes()).expect("write");
        }
    });
    expect_error("200 MB file", "compose.yaml", "limit", |d| {
        let f = std::fs::File::create(d.join("compose.yaml")).expect("create");
        f.set_len(200 * 1024 * 1024).expect("sparse file");
    });
}

#[test]
fn invalid_utf8_binary_and_nul() {
    expect_error("invalid utf-8", "compose.yaml", "UTF-8", |d| {
        write(d, "compose.yaml", b"services:\n  a:\n    image: \xff\xfe\n");
    });
    expect_error("binary Dockerfile", "Dockerfile", "binary", |d| {
        let bytes: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        write(d, "Dockerfile", bytes);
    });
    // A NUL byte in valid UTF-8 text is text: it is analysed (YAML refuses it).
    let (_tmp, out) = case("nul byte", |d| {
        write(d, "Dockerfile", "FROM alpine\0\nRUN true\n")
    });
    assert_ne!(out.code, None);
}

#[test]
fn bom_crlf_empty_and_unknown_tags_are_fine() {
    expect_fine("bom", |d| {
        write(
            d,
            "compose.yaml",
            "\u{feff}services:\n  a:\n    image: nginx\n",
        )
    });
    expect_fine("crlf", |d| {
        write(
            d,
            "compose.yaml",
            "services:\r\n  a:\r\n    image: nginx\r\n    secrets: [x]\r\nsecrets:\r\n  x:\r\n    environment: X\r\n",
        );
        write(
            d,
            "Dockerfile",
            "FROM alpine\r\nRUN echo a \\\r\n  && echo b\r\n",
        );
    });
    expect_fine("empty", |d| {
        write(d, "compose.yaml", "");
        write(d, "Dockerfile", "");
        write(d, ".env", "");
    });
    expect_fine("unknown tags", |d| {
        write(
            d,
            "compose.yaml",
            "services:\n  a: !custom\n    image: !!str nginx\n    environment: !env {A: b}\n",
        );
    });
}

#[test]
fn compose_file_that_is_not_a_mapping() {
    // Met while walking, it is not a compose file (an Ansible task list named
    // `tasks/compose.yml`): skipped and listed, never an error.
    for (name, text) in [
        ("top-level list", "- a\n- b\n"),
        ("top-level scalar", "hello\n"),
    ] {
        let (_tmp, out) = case(name, |d| write(d, "compose.yaml", text));
        assert_eq!(
            out.code,
            Some(1),
            "{name}: exit code (the good file's finding)"
        );
        let skipped = out.json["skipped"].as_array().expect("skipped");
        assert!(
            skipped.iter().any(|e| e["path"] == "compose.yaml"
                && e["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("not a compose file")),
            "{name}: {skipped:?}"
        );
        assert_eq!(
            out.json["errors"].as_array().map(Vec::len),
            Some(0),
            "{name}"
        );
    }
}

#[test]
fn symlinks_loops_and_outside() {
    expect_fine("symlink loop and outside", |d| {
        std::os::unix::fs::symlink(d.join("loop"), d.join("loop")).expect("symlink");
        std::fs::create_dir_all(d.join("sub")).expect("mkdir");
        std::os::unix::fs::symlink(d.join("sub"), d.join("sub/back")).expect("symlink");
        std::os::unix::fs::symlink("/etc", d.join("outside")).expect("symlink");
    });
}

#[test]
fn fifo_named_compose_yaml() {
    expect_error("fifo", "compose.yaml", "not a regular file", |d| {
        let path = std::ffi::CString::new(d.join("compose.yaml").to_string_lossy().as_bytes())
            .expect("path");
        // SAFETY: a valid NUL-terminated path and mode.
        let rc = unsafe { libc::mkfifo(path.as_ptr(), 0o644) };
        assert_eq!(rc, 0);
    });
    expect_error(
        "symlink loop named compose.yaml",
        "sub/compose.yaml",
        "symbolic links",
        |d| {
            std::fs::create_dir_all(d.join("sub")).expect("mkdir");
            std::os::unix::fs::symlink(d.join("sub/compose.yaml"), d.join("sub/compose.yaml"))
                .expect("symlink");
        },
    );
}

#[test]
fn unreadable_file() {
    // Root reads any file: as root (as CI runs), the binary runs as `nobody` (65534).
    // SAFETY: geteuid has no preconditions.
    let uid = (unsafe { libc::geteuid() } == 0).then_some(65534);
    let (_tmp, out) = case_as("unreadable", uid, |d| {
        write(d, "compose.yaml", "services: {}\n");
        let mut perms = std::fs::metadata(d.join("compose.yaml"))
            .expect("meta")
            .permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o000);
        std::fs::set_permissions(d.join("compose.yaml"), perms).expect("chmod");
    });
    assert_eq!(out.code, Some(2), "exit code");
    let errors = out.json["errors"].as_array().expect("errors");
    assert!(
        errors.iter().any(|e| e["path"] == "compose.yaml"
            && e["message"].as_str().unwrap_or("").contains("permission")),
        "no permission error for compose.yaml: {errors:?}"
    );
}

#[test]
fn dockerfile_oddities() {
    expect_fine("unterminated heredoc", |d| {
        write(d, "Dockerfile", "FROM alpine\nRUN <<EOF\necho never ends\n");
    });
    expect_fine("only continuations", |d| {
        write(d, "Dockerfile", "\\\n".repeat(5000))
    });
}

#[test]
fn scripts_with_huge_lines_long_pipelines_and_many_findings() {
    expect_fine("7 MB script word", |d| {
        let mut text = String::from("#!/bin/sh\ndocker run -e DB_PASSWORD=");
        text.push_str(&"x9".repeat(3_500_000));
        text.push_str(" app\n");
        write(d, "deploy.sh", text);
    });
    expect_fine("100k-command pipeline into docker secret create", |d| {
        let mut text = String::from("echo Sw4rm-Db-83kQz");
        for _ in 0..100_000 {
            text.push_str(" | docker secret create db -");
        }
        write(d, "swarm.sh", text);
    });
    expect_fine("20k findings in one workflow run block", |d| {
        std::fs::create_dir_all(d.join(".github/workflows")).expect("mkdir");
        let mut text = String::from("on: push\njobs:\n  a:\n    steps:\n      - run: |\n");
        // Settling the findings of one file (one secret each, merged with the known-token
        // findings of the same values) is linear-logarithmic.
        for i in 0..20_000 {
            text.push_str(&format!(
                "          docker run -e API_TOKEN=tk-{i:08}-Lq82 app\n"
            ));
        }
        write(d, ".github/workflows/ci.yml", text);
    });
}

#[test]
fn thousands_of_fixable_findings_stay_bounded() {
    // Each finding carries the fix that would move the value: bounded, not one fix per
    // finding holding an edit per service (that took 8 GB here once).
    let shared = expect_fine("one value in 3000 services", |dir| {
        let mut text = String::from("services:\n");
        for i in 0..3000 {
            text.push_str(&format!(
                "  db{i}:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: Kq7Wz2Lm9RtX4vPn\n"
            ));
        }
        write(dir, "compose.yaml", text);
    });
    assert!(shared["findings"].as_array().map_or(0, Vec::len) >= 3000);
    expect_fine("one anchor merged into 3000 services", |dir| {
        let mut text =
            String::from("x-env: &env\n  POSTGRES_PASSWORD: Kq7Wz2Lm9RtX4vPn\nservices:\n");
        for i in 0..3000 {
            text.push_str(&format!(
                "  db{i}:\n    image: postgres:16\n    environment: *env\n"
            ));
        }
        write(dir, "compose.yaml", text);
    });
    expect_fine("5000 secret build arguments, each used", |dir| {
        let mut text = String::from("FROM alpine\n");
        for i in 0..5000 {
            text.push_str(&format!("ARG TOKEN_{i}\n"));
        }
        for i in 0..5000 {
            text.push_str(&format!("RUN echo ${{TOKEN_{i}}} > /dev/null\n"));
        }
        write(dir, "Dockerfile", text);
        write(dir, "compose.yaml", "services:\n  app:\n    build: .\n");
    });
    expect_fine("5000 hardcoded secrets in one service", |dir| {
        let mut text = String::from("services:\n  db:\n    image: postgres:16\n    environment:\n");
        for i in 0..5000 {
            text.push_str(&format!("      APP_PASSWORD_{i}: Kq7Wz2Lm9RtX4v{i:06}\n"));
        }
        write(dir, "compose.yaml", text);
    });
}
