//! The pre-commit hook, run by the real `pre-commit` (from PyPI) against this repository
//! at its committed `HEAD`: a staged compose file with a token makes the commit fail with
//! the finding; once fixed, the hook passes.
//!
//! pre-commit installs the hook with `cargo install` (a release build: minutes), so the
//! test is ignored by default; `.ci/run` runs it with `cargo test --test pre_commit --
//! --ignored`. The installed hook is cached under the target folder between runs. Without
//! `pre-commit` on the PATH it prints why and passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn pre_commit(dir: &Path, home: &Path, target: &Path) -> Output {
    Command::new("pre-commit")
        .args(["run", "--color", "never"])
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home)
        // Reuse build artifacts between installs of successive revisions.
        .env("CARGO_TARGET_DIR", target)
        .env_remove("NO_COLOR")
        .output()
        .expect("pre-commit runs")
}

#[test]
#[ignore = "slow: pre-commit builds the hook with `cargo install`; run by .ci/run"]
fn the_hook_fails_on_a_staged_secret_and_passes_once_fixed() {
    let version = Command::new("pre-commit").arg("--version").output();
    if !version.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: `pre-commit` is not installed (pip install pre-commit)");
        return;
    }
    let this = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rev = git(&this, &["rev-parse", "HEAD"]);
    git(&this, &["cat-file", "-e", "HEAD:.pre-commit-hooks.yaml"]);
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let home = cache.join("pre-commit-home");
    let target = cache.join("pre-commit-target");

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    std::fs::write(
        dir.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: stowaway\n",
            this.display()
        ),
    )
    .unwrap();
    let bad = "services:\n  ci:\n    image: alpine\n    labels:\n      note: ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d\n";
    std::fs::write(dir.join("compose.yaml"), bad).unwrap();
    std::fs::write(dir.join("README.md"), "not checked\n").unwrap();
    git(dir, &["add", "-A"]);

    let started = std::time::Instant::now();
    let out = pre_commit(dir, &home, &target);
    eprintln!("first pre-commit run: {:?}", started.elapsed());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "the hook should fail:\n{text}");
    assert!(text.contains("KT003"), "{text}");
    assert!(text.contains("compose.yaml"), "{text}");
    assert!(
        !text.contains("u8jzPde0IgxLd6"),
        "the secret is masked:\n{text}"
    );

    let fixed = bad.replace(
        "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d",
        "see the deploy notes",
    );
    std::fs::write(dir.join("compose.yaml"), fixed).unwrap();
    git(dir, &["add", "-A"]);
    let out = pre_commit(dir, &home, &target);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the hook should pass:\n{text}");
    assert!(text.contains("stowaway"), "{text}");
}
