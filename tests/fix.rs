//! `check --fix`, end to end, on projects shaped like real ones (`tests/fixes/<case>/`).
//!
//! Each case is copied into a temporary git repository and committed (a file named
//! `gitignore` becomes `.gitignore`), then fixed as a user would: `stowaway check --fix
//! --unsafe-fixes` (or the arguments in the case's `args`, one per line). The snapshot
//! holds what the run printed and every file it changed or created, with its mode. Then:
//! - a second run changes nothing (fixing is idempotent);
//! - a value moved into a new secret file is written in no other file;
//! - `--diff` on the original tree prints the same change and writes nothing, with every
//!   secret masked;
//! - Docker Compose accepts the fixed project, and grants each service the secret its
//!   `<VAR>_FILE` names (the differential check against the real Compose).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;
use common::compose_oracle;
use common::{copy_dir, git, stowaway};

fn cases() -> Vec<PathBuf> {
    common::case_dirs("fixes")
}

/// A committed copy of the case in a temporary git repository.
fn prepare(case: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("project");
    copy_dir(case, &root, &["args"]);
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(
        &root,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-qm",
            "before",
        ],
    );
    (tmp, root)
}

fn args(case: &Path) -> Vec<String> {
    match std::fs::read_to_string(case.join("args")) {
        Ok(text) => text.lines().map(str::to_owned).collect(),
        Err(_) => vec!["--fix".into(), "--unsafe-fixes".into()],
    }
}

/// Every file under `root` (not `.git`), with its mode and content.
fn tree(root: &Path) -> BTreeMap<String, (u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let entry = entry.expect("entry");
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            if path.is_dir() {
                todo.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            #[cfg(unix)]
            let mode = {
                use std::os::unix::fs::PermissionsExt;
                entry.metadata().expect("meta").permissions().mode() & 0o777
            };
            #[cfg(not(unix))]
            let mode = 0;
            out.insert(rel, (mode, std::fs::read(&path).expect("read")));
        }
    }
    out
}

fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes).replace('\r', "␍");
    if text.ends_with('\n') {
        text
    } else {
        format!("{text}⏎ (no final newline)\n")
    }
}

/// What changed between two trees, for the snapshot.
fn changes(
    before: &BTreeMap<String, (u32, Vec<u8>)>,
    after: &BTreeMap<String, (u32, Vec<u8>)>,
) -> String {
    let mut out = String::new();
    for (path, (mode, content)) in after {
        let what = match before.get(path) {
            None => "created",
            Some((m, c)) if m == mode && c == content => continue,
            Some(_) => "changed",
        };
        out.push_str(&format!(
            "=== {path} ({what}, mode {mode:04o})\n{}",
            show(content)
        ));
    }
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        out.push_str(&format!("=== {path} (removed)\n"));
    }
    if out.is_empty() {
        out.push_str("(no file changed)\n");
    }
    out
}

fn run(root: &Path, args: &[String]) -> (i32, String, String) {
    let out = stowaway()
        .current_dir(root)
        .args(["check", "--color", "never"])
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The secrets the fixed tree holds: every file the fix created that is read by a
/// `file:` secret, and every value written to `.env` by `--fix-secrets-from env`.
fn planted(
    before: &BTreeMap<String, (u32, Vec<u8>)>,
    after: &BTreeMap<String, (u32, Vec<u8>)>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (path, (mode, content)) in after {
        if *mode != 0o600 || before.contains_key(path) {
            continue;
        }
        let text = String::from_utf8_lossy(content);
        if path == ".env" {
            out.extend(text.lines().filter_map(|l| {
                l.split_once('=')
                    .map(|(_, v)| v.trim_matches('\'').to_owned())
            }));
        } else {
            out.push(text.into_owned());
        }
    }
    out
}

#[test]
fn fixes_are_applied_as_the_snapshots_show_and_only_once() {
    for case in cases() {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let (_tmp, root) = prepare(&case);
        let before = tree(&root);
        let args = args(&case);

        // --diff first: it writes nothing and shows the change with secrets masked.
        let mut diff_args: Vec<String> = args.iter().filter(|a| *a != "--fix").cloned().collect();
        diff_args.push("--diff".into());
        let (diff_code, diff, _) = run(&root, &diff_args);
        assert_eq!(tree(&root), before, "{name}: --diff wrote something");

        let (code, stdout, stderr) = run(&root, &args);
        let after = tree(&root);
        let secrets = planted(&before, &after);
        for secret in &secrets {
            assert!(
                !diff.contains(secret.as_str()),
                "{name}: --diff shows a secret:\n{diff}"
            );
            assert!(
                !stdout.contains(secret.as_str()) && !stderr.contains(secret.as_str()),
                "{name}: the run printed a secret"
            );
        }
        // A value moved into a secret file is written nowhere else any more.
        for secret in &secrets {
            for (path, (mode, content)) in &after {
                let holds = String::from_utf8_lossy(content).contains(secret.as_str());
                let keeper = *mode == 0o600 && !before.contains_key(path);
                assert!(
                    !holds || keeper,
                    "{name}: the moved value is still in {path}"
                );
            }
        }
        let changed = before != after;
        assert_eq!(diff_code, i32::from(changed), "{name}: --diff exit code");
        assert_eq!(diff.is_empty(), !changed, "{name}: --diff output:\n{diff}");

        insta::assert_snapshot!(
            format!("fix_{name}"),
            format!(
                "args: {}\nexit: {code}\n--- stderr\n{stderr}--- stdout\n{stdout}--- files\n{}--- diff\n{diff}",
                args.join(" "),
                changes(&before, &after)
            )
        );

        // Fixing again changes nothing.
        let (_, _, again) = run(&root, &args);
        assert_eq!(
            tree(&root),
            after,
            "{name}: a second --fix changed files: {again}"
        );
        assert!(
            !again.contains("applied"),
            "{name}: a second --fix applied fixes: {again}"
        );

        if changed {
            compose_accepts(&name, &root);
        }
    }
}

/// Docker Compose reads the fixed project, each `<VAR>_FILE: /run/secrets/<name>` it shows
/// is a secret the service is granted, defined with a file that exists (or a variable), and
/// each build secret is defined.
fn compose_accepts(name: &str, root: &Path) {
    if !compose_oracle::available("the fix differential check") {
        return;
    }
    let config = compose_oracle::config(root, &[], &[], false)
        .unwrap_or_else(|e| panic!("{name}: Docker Compose refuses the fixed project: {e}"));
    let services = config["services"].as_object().expect("services");
    let mut checked = 0;
    for (service, body) in services {
        let granted: Vec<&str> = body["secrets"]
            .as_array()
            .map(|list| list.iter().filter_map(|s| s["source"].as_str()).collect())
            .unwrap_or_default();
        // Without interpolation Compose keeps the list form of `environment:` as written.
        let env: Vec<(String, String)> = match &body["environment"] {
            serde_json::Value::Object(map) => map
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect(),
            serde_json::Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str()?.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            _ => Vec::new(),
        };
        for (var, value) in &env {
            let Some(secret) = value.strip_prefix("/run/secrets/") else {
                continue;
            };
            assert!(var.ends_with("_FILE"), "{name}: {var}");
            assert!(
                granted.contains(&secret),
                "{name}: `{service}` reads {var}={value} but Compose grants it only {granted:?}"
            );
            let def = &config["secrets"][secret];
            if let Some(file) = def["file"].as_str() {
                assert!(
                    Path::new(file).is_file(),
                    "{name}: secret `{secret}` file {file} missing"
                );
            } else {
                assert!(
                    def["environment"].is_string(),
                    "{name}: secret `{secret}`: {def}"
                );
            }
            checked += 1;
        }
    }
    // Build secrets: each one a secret the project defines.
    for (service, body) in services {
        for source in body["build"]["secrets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["source"].as_str())
        {
            assert!(
                config["secrets"][source].is_object(),
                "{name}: the build of `{service}` uses the undefined secret `{source}`"
            );
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "{name}: no secret read through a _FILE variable or a build"
    );
}
