//! What the integration tests share: the binary, and temporary git repositories made
//! from the projects under `tests/`.
#![allow(dead_code)] // each test crate uses its own part of this module

pub mod compose_oracle;

use std::path::{Path, PathBuf};

/// The `stowaway` binary, with the caller's `NO_COLOR` removed.
pub fn stowaway() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("stowaway").expect("binary built");
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Copy a folder. A file named `gitignore` becomes `.gitignore` (so test projects never
/// change what this repository ignores); names in `skip` are left out.
pub fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if skip.contains(&name.as_str()) {
            continue;
        }
        let target = to.join(if name == "gitignore" {
            ".gitignore"
        } else {
            &name
        });
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target, skip);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Run git in `dir` (tests only: the library never runs git).
pub fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// A temporary git repository (nothing committed) holding a copy of `tests/<from>`.
pub fn git_copy(from: &str, skip: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(from);
    let name = source.file_name().unwrap().to_owned();
    let root = tmp.path().join(name);
    copy_dir(&source, &root, skip);
    git(&root, &["init", "-q"]);
    (tmp, root)
}

/// A temporary git repository holding a copy of `tests/cli/<name>`.
pub fn project(name: &str) -> (tempfile::TempDir, PathBuf) {
    git_copy(&format!("cli/{name}"), &[])
}

/// The folders directly under `tests/<under>`, sorted: one test case each.
pub fn case_dirs(under: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(under);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}
