//! Whole projects shaped like real ones (`tests/projects/<name>/`): how their files become
//! Compose projects, and everything stowaway reports on them.
//!
//! Each folder is copied into a temporary git repository (a file named `gitignore` becomes
//! `.gitignore`; the paths in `git-add.txt` are staged) and checked as a user would run
//! `stowaway check .` there. `expected.txt` lists every finding (`CODE severity
//! path:line`), every error (`error path: message`) and every skipped file (`skipped path:
//! reason`); `expected-files.txt` is the output of `stowaway check --show-files .`.
//! `UPDATE_EXPECTED=1 cargo test --test projects` rewrites both (then read the diff).

use std::path::{Path, PathBuf};

mod common;
use common::{copy_dir, git, stowaway};

const SKIP: &[&str] = &["expected.txt", "expected-files.txt", "git-add.txt"];

fn projects() -> Vec<PathBuf> {
    common::case_dirs("projects")
}

/// A temporary git repository holding a copy of the project.
fn prepare(case: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("project");
    copy_dir(case, &root, SKIP);
    git(&root, &["init", "-q"]);
    if let Ok(list) = std::fs::read_to_string(case.join("git-add.txt")) {
        for path in list.lines().filter(|l| !l.trim().is_empty()) {
            git(&root, &["add", "-f", path.trim()]);
        }
    }
    (tmp, root)
}

fn report(root: &Path) -> String {
    let out = stowaway()
        .current_dir(root)
        .args(["check", "--format", "json", "--exit-zero", "."])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut lines = Vec::new();
    for f in json["findings"].as_array().expect("findings") {
        lines.push(format!(
            "{} {} {}:{}",
            f["code"].as_str().unwrap_or(""),
            f["severity"].as_str().unwrap_or(""),
            f["path"].as_str().unwrap_or(""),
            f["start"]["line"]
        ));
    }
    for (key, word) in [("errors", "error"), ("skipped", "skipped")] {
        for e in json[key].as_array().expect(key) {
            lines.push(format!(
                "{word} {}: {}",
                e["path"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("")
            ));
        }
    }
    lines.join("\n") + "\n"
}

fn show_files(root: &Path) -> String {
    let out = stowaway()
        .current_dir(root)
        .args(["check", "--show-files", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "--show-files exits 0");
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn compare(case: &Path, name: &str, got: &str, failures: &mut Vec<String>) {
    let path = case.join(name);
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        std::fs::write(&path, got).expect("write expected");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want != got {
        failures.push(format!(
            "{}:\n--- expected\n{want}--- got\n{got}",
            path.display()
        ));
    }
}

#[test]
fn every_project_gives_its_expected_findings_and_files() {
    let mut failures = Vec::new();
    let cases = projects();
    assert!(cases.len() >= 10, "{} projects", cases.len());
    for case in cases {
        let (_tmp, root) = prepare(&case);
        compare(&case, "expected.txt", &report(&root), &mut failures);
        compare(
            &case,
            "expected-files.txt",
            &show_files(&root),
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
