//! Fixture projects: `tests/fixtures/<CODE>/<case>/` holds the files of a small project and,
//! for cases that fire, `expected.txt` with one `path:line` per expected finding of that
//! rule. Cases without `expected.txt` (such as `clean/`) must give no finding of the rule.
//!
//! Each case is copied into a temporary git repository before it is checked. A file named
//! `gitignore` is installed as `.gitignore` (so fixtures never change what this
//! repository ignores), and the paths listed in `git-add.txt` are staged (tracked).
//! The folder `KT/` holds the known-token cases: there any `KT…` code counts.

use std::path::{Path, PathBuf};

use stowaway::analysis::Analysis;

mod common;
use common::{copy_dir, git};

/// Findings of `code` on the case, as sorted `path:line` strings.
fn run_case(case: &Path, code: &str) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    copy_dir(case, &root, &["expected.txt", "git-add.txt"]);
    git(&root, &["init", "-q"]);
    if let Ok(list) = std::fs::read_to_string(case.join("git-add.txt")) {
        for path in list.lines().filter(|l| !l.trim().is_empty()) {
            git(&root, &["add", "-f", path.trim()]);
        }
    }
    let mut analysis = Analysis::load(root.clone(), std::slice::from_ref(&root));
    let mut found: Vec<String> = analysis
        .check()
        .iter()
        .filter(|f| f.code == code || (code == "KT" && f.code.starts_with("KT")))
        .map(|f| {
            let file = analysis.ws.files.get(f.file);
            format!("{}:{}", file.display, file.line_col(f.span.start).line)
        })
        .collect();
    found.sort();
    found
}

fn cases() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for rule in std::fs::read_dir(&root).unwrap() {
        let rule = rule.unwrap();
        if !rule.file_type().unwrap().is_dir() {
            continue;
        }
        let code = rule.file_name().to_string_lossy().into_owned();
        for case in std::fs::read_dir(rule.path()).unwrap() {
            let case = case.unwrap();
            if case.file_type().unwrap().is_dir() {
                out.push((code.clone(), case.path()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_gives_exactly_its_expected_findings() {
    let mut failures = Vec::new();
    let all = cases();
    assert!(!all.is_empty());
    for (code, case) in &all {
        let mut expected: Vec<String> = std::fs::read_to_string(case.join("expected.txt"))
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        expected.sort();
        let name = case.file_name().unwrap().to_string_lossy();
        if name.starts_with("fires") && expected.is_empty() {
            failures.push(format!("{code}/{name}: a `fires` case needs expected.txt"));
        }
        let found = run_case(case, code);
        if found != expected {
            failures.push(format!(
                "{code}/{name}:\n  expected {expected:?}\n  found    {found:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
