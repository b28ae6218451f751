//! Configuration files, command-line overrides, baselines and standard input, through the
//! binary.

use std::path::Path;

use assert_cmd::Command;

const TOKEN: &str = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d";

/// CS007 (unused secret) on line 9, KT003 (GitHub token) on line 12.
fn compose() -> String {
    format!(
        "services:\n  app:\n    image: alpine\n    secrets:\n      - db_password\nsecrets:\n  db_password:\n    environment: DB_PASSWORD\n  legacy_api_key:\n    environment: LEGACY_API_KEY\nx-ci:\n  token: {TOKEN}\n"
    )
}

/// A temporary git repository holding `files`.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ok = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .unwrap()
        .success();
    assert!(ok);
    write(dir.path(), files);
    dir
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

struct Run {
    code: Option<i32>,
    /// `path:line:CODE:severity` of each finding.
    findings: Vec<String>,
    stdout: String,
    stderr: String,
}

fn run_with(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::cargo_bin("stowaway").unwrap();
    cmd.current_dir(dir)
        .arg("check")
        .args(["--format", "json"])
        .args(args);
    if let Some(text) = stdin {
        cmd.write_stdin(text);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let findings = serde_json::from_str::<serde_json::Value>(&stdout)
        .ok()
        .and_then(|v| v["findings"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}:{}",
                f["path"].as_str().unwrap(),
                f["start"]["line"],
                f["code"].as_str().unwrap(),
                f["severity"].as_str().unwrap()
            )
        })
        .collect();
    Run {
        code: out.status.code(),
        findings,
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    run_with(dir, args, None)
}

#[test]
fn without_configuration_everything_is_reported() {
    let c = compose();
    let dir = repo(&[("app/compose.yaml", &c)]);
    let r = run(dir.path(), &[]);
    assert_eq!(
        r.findings,
        [
            "app/compose.yaml:9:CS007:warning",
            "app/compose.yaml:12:KT003:error"
        ]
    );
    assert_eq!(r.code, Some(1));
}

#[test]
fn the_nearest_configuration_file_wins_whatever_path_is_checked() {
    let c = compose();
    let dir = repo(&[
        ("stowaway.toml", "ignore = [\"KT\"]\n"),
        ("app/.stowaway.toml", "ignore = [\"CS007\"]\n"),
        ("app/compose.yaml", &c),
        ("other/compose.yaml", &c),
    ]);
    let expected = [
        "app/compose.yaml:12:KT003:error",
        "other/compose.yaml:9:CS007:warning",
    ];
    assert_eq!(run(dir.path(), &[]).findings, expected);
    assert_eq!(
        run(dir.path(), &["app/compose.yaml", "other/compose.yaml"]).findings,
        expected
    );
    // From a sub-folder, walking up finds the same files.
    let r = run(&dir.path().join("other"), &["."]);
    assert_eq!(r.findings, ["compose.yaml:9:CS007:warning"]);
}

#[test]
fn the_walk_up_stops_at_the_git_root() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), &[("stowaway.toml", "ignore = [\"ALL\"]\n")]);
    let inner = outer.path().join("repo");
    std::fs::create_dir_all(&inner).unwrap();
    assert!(
        std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(&inner)
            .status()
            .unwrap()
            .success()
    );
    write(&inner, &[("compose.yaml", &compose())]);
    assert_eq!(run(&inner, &[]).findings.len(), 2);
}

#[test]
fn config_flag_and_isolated() {
    let c = compose();
    let dir = repo(&[
        ("stowaway.toml", "ignore = [\"KT\"]\n"),
        ("ci/strict.toml", "select = [\"KT\"]\n"),
        ("compose.yaml", &c),
    ]);
    assert_eq!(
        run(dir.path(), &[]).findings,
        ["compose.yaml:9:CS007:warning"]
    );
    assert_eq!(
        run(dir.path(), &["--config", "ci/strict.toml"]).findings,
        ["compose.yaml:12:KT003:error"]
    );
    assert_eq!(run(dir.path(), &["--isolated"]).findings.len(), 2);
    let r = run(dir.path(), &["--config", "missing.toml"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("missing.toml"), "{}", r.stderr);
}

#[test]
fn command_line_options_override_the_file() {
    let c = compose();
    let dir = repo(&[
        (
            "stowaway.toml",
            "ignore = [\"KT\"]\nfail-level = \"error\"\n[severity]\nCS007 = \"info\"\n",
        ),
        ("compose.yaml", &c),
    ]);
    let r = run(dir.path(), &[]);
    assert_eq!(r.findings, ["compose.yaml:9:CS007:info"]);
    assert_eq!(r.code, Some(0), "fail-level error from the file");
    let r = run(dir.path(), &["--fail-level", "info"]);
    assert_eq!(r.code, Some(1));
    // `--select` starts afresh: the file's `ignore` no longer applies.
    let r = run(dir.path(), &["--select", "KT"]);
    assert_eq!(r.findings, ["compose.yaml:12:KT003:error"]);
    assert_eq!(r.code, Some(1));
    // `--ignore` adds to the file's.
    assert!(run(dir.path(), &["--ignore", "CS"]).findings.is_empty());
    assert_eq!(
        run(dir.path(), &["--extend-select", "KT003"])
            .findings
            .len(),
        2
    );
    let r = run(dir.path(), &["--select", "XY9"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("XY9"), "{}", r.stderr);
}

#[test]
fn per_file_ignores_allowed_values_and_exclude() {
    let c = compose();
    let files = [("app/compose.yaml", c.as_str()), ("b/compose.yaml", &c)];
    let dir = repo(&files);
    write(
        dir.path(),
        &[(
            "stowaway.toml",
            "[per-file-ignores]\n\"app/*.yaml\" = [\"CS007\"]\n",
        )],
    );
    assert_eq!(
        run(dir.path(), &[]).findings,
        [
            "app/compose.yaml:12:KT003:error",
            "b/compose.yaml:9:CS007:warning",
            "b/compose.yaml:12:KT003:error"
        ]
    );
    write(
        dir.path(),
        &[("stowaway.toml", "allowed-values = ['^ghp_u8jz']\n")],
    );
    assert_eq!(
        run(dir.path(), &[]).findings,
        [
            "app/compose.yaml:9:CS007:warning",
            "b/compose.yaml:9:CS007:warning"
        ]
    );
    write(dir.path(), &[("stowaway.toml", "exclude = [\"b/\"]\n")]);
    let r = run(dir.path(), &[]);
    assert_eq!(r.findings.len(), 2);
    assert!(r.findings.iter().all(|f| f.starts_with("app/")));
    // Named files are excluded too (pre-commit names them).
    let r = run(dir.path(), &["b/compose.yaml"]);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn unknown_keys_are_errors_naming_key_file_and_line() {
    let c = compose();
    let dir = repo(&[
        (
            "stowaway.toml",
            "select = [\"CS\"]\n\nignroe = [\"CS007\"]\n",
        ),
        ("compose.yaml", &c),
    ]);
    let r = run(dir.path(), &[]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("stowaway.toml:3"), "{}", r.stderr);
    assert!(r.stderr.contains("ignroe"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    // A broken file below a checked folder is an error too.
    let dir = repo(&[
        ("sub/stowaway.toml", "fail_level = \"error\"\n"),
        ("sub/compose.yaml", &c),
    ]);
    let r = run(dir.path(), &[]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("sub/stowaway.toml:1"), "{}", r.stderr);
}

#[test]
fn extra_patterns_add_known_tokens() {
    let patterns = r#"
[[pattern]]
id = "acme-api-key"
code = "KT900"
name = "acme-api-key"
description = "ACME internal API key"
regex = '''\bacme_[a-z0-9]{24}\b'''
keywords = ["acme_"]
examples = ["acme_0123456789abcdefghijklmn"]
"#;
    let dir = repo(&[
        ("stowaway.toml", "extra-patterns = \"tokens/acme.toml\"\n"),
        ("tokens/acme.toml", patterns),
        (".env", "ACME=acme_0123456789abcdefghijklmn\n"),
    ]);
    let r = run(dir.path(), &[]);
    assert_eq!(r.findings, [".env:1:KT900:error"], "{}", r.stderr);
    assert!(!r.stdout.contains("acme_0123456789"));
    write(
        dir.path(),
        &[("tokens/acme.toml", "[[pattern]]\nid = \"Bad\"\n")],
    );
    let r = run(dir.path(), &[]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("acme.toml"), "{}", r.stderr);
}

#[test]
fn foreign_markers_through_the_binary() {
    let env = format!(
        "A={TOKEN} # pragma: allowlist secret\nB={TOKEN} # gitleaks:allow\nC={TOKEN} # stowaway: ignore[KT003] revoked\nD=1 # stowaway: ignore[KT003]\n"
    );
    let dir = repo(&[(".env", &env)]);
    let r = run(dir.path(), &[]);
    assert_eq!(r.findings, [".env:4:SW001:info"]);
    assert_eq!(r.code, Some(0));
    assert!(run(dir.path(), &["--ignore", "SW001"]).findings.is_empty());
}

#[test]
fn baseline_survives_inserted_lines_and_reports_new_findings() {
    let c = compose();
    let dir = repo(&[("compose.yaml", &c)]);
    let r = run(dir.path(), &["--write-baseline", "baseline.json"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    assert!(!text.contains("u8jzPde0"), "the secret is never written");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["version"], 2);
    assert_eq!(value["findings"].as_array().unwrap().len(), 2);
    assert_eq!(value["findings"][0]["path"], "compose.yaml");

    let r = run(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!((r.code, r.findings.len()), (Some(0), 0));
    // A version 1 baseline (paths relative to the folder it was written from) still reads.
    write(
        dir.path(),
        &[("v1.json", &text.replace("\"version\": 2", "\"version\": 1"))],
    );
    let r = run(dir.path(), &["--baseline", "v1.json"]);
    assert_eq!((r.code, r.findings.len()), (Some(0), 0));

    // Lines added above the baselined findings move them; they stay suppressed.
    let moved =
        format!("x-notes:\n  a: 1\n  b: 2\n{c}  other: ghp_Zq9mWv3KpL7xRt2YbN8cHd4FjS6gAe1UoI5k\n");
    write(dir.path(), &[("compose.yaml", &moved)]);
    let r = run(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(r.findings, ["compose.yaml:16:KT003:error"]);
    assert_eq!(r.code, Some(1));

    let r = run(dir.path(), &["--baseline", "missing.json"]);
    assert_eq!(r.code, Some(2));
    write(
        dir.path(),
        &[("bad.json", "{\"version\": 9, \"findings\": []}")],
    );
    let r = run(dir.path(), &["--baseline", "bad.json"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("version 9"), "{}", r.stderr);
}

#[test]
fn stdin_stands_for_the_named_file_and_sees_its_project() {
    let dir = repo(&[
        ("app/compose.yaml", "services:\n  api:\n    image: alpine\n"),
        (
            "app/compose.override.yaml",
            "secrets:\n  db:\n    environment: DB_PASSWORD\n",
        ),
    ]);
    // The unsaved buffer uses secret `db`, defined by the override on disk: no CS001.
    let buffer = format!(
        "services:\n  api:\n    image: alpine\n    secrets: [db]\n    labels:\n      ci: {TOKEN}\n"
    );
    let r = run_with(
        dir.path(),
        &["-", "--stdin-filename", "app/compose.yaml"],
        Some(&buffer),
    );
    assert_eq!(
        r.findings,
        ["app/compose.yaml:6:KT003:error"],
        "{}",
        r.stderr
    );
    assert_eq!(r.code, Some(1));

    let r = run_with(dir.path(), &["-"], Some(&buffer));
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("--stdin-filename"), "{}", r.stderr);
    let r = run(dir.path(), &["--stdin-filename", "app/compose.yaml"]);
    assert_eq!(r.code, Some(2));
}

/// A known token never vanishes: when the more specific finding for the value is not
/// selected, is ignored by the configuration or suppressed inline, the KT finding is
/// reported; when both are reported, the specific one names the token kind.
#[test]
fn known_tokens_survive_the_more_specific_finding_being_unselected_or_suppressed() {
    let dockerfile = format!("FROM alpine\nENV GITHUB_TOKEN={TOKEN}\n");
    let dir = repo(&[("Dockerfile", &dockerfile)]);
    let codes = |r: &Run| -> Vec<String> {
        r.findings
            .iter()
            .map(|f| f.split(':').nth(2).unwrap_or("").to_owned())
            .collect()
    };
    // Everything selected: one finding, the specific one, naming the token kind.
    let all = run_with(dir.path(), &[], None);
    assert_eq!(codes(&all), ["DF001"], "{}", all.stdout);
    assert!(all.stdout.contains("GitHub"), "{}", all.stdout);
    // Only the known-token rules: the token is still found.
    let kt = run_with(dir.path(), &["--select", "KT"], None);
    assert_eq!(codes(&kt).len(), 1, "{}", kt.stdout);
    assert!(codes(&kt)[0].starts_with("KT"), "{}", kt.stdout);
    // The specific rule ignored on the command line, or inline.
    let ignored = run_with(dir.path(), &["--ignore", "DF001"], None);
    assert!(codes(&ignored)[0].starts_with("KT"), "{}", ignored.stdout);
    let inline = repo(&[(
        "Dockerfile",
        &format!(
            "FROM alpine\n# stowaway: ignore[DF001] the test fixture's token\nENV GITHUB_TOKEN={TOKEN}\n"
        ),
    )]);
    let r = run_with(inline.path(), &[], None);
    assert_eq!(codes(&r).len(), 1, "{}", r.stdout);
    assert!(codes(&r)[0].starts_with("KT"), "{}", r.stdout);
}

/// CS011 runs only when selected: its findings were almost never worth acting on.
#[test]
fn rules_off_by_default_run_when_selected() {
    let dir = repo(&[
        (
            "compose.yaml",
            "services:\n  app:\n    image: alpine\n    secrets: [pw]\nsecrets:\n  pw:\n    file: ./pw.txt\n",
        ),
        ("pw.txt", "hunter2\n"),
        (".gitignore", "pw.txt\n"),
    ]);
    let has = |r: &Run| r.findings.iter().any(|f| f.contains(":CS011:"));
    assert!(!has(&run(dir.path(), &[])));
    assert!(has(&run(dir.path(), &["--extend-select", "CS011"])));
    assert!(has(&run(dir.path(), &["--select", "CS"])));
}

/// Scripts take part in rule selection, per-file ignores and inline suppressions like any
/// other file.
#[test]
fn scripts_are_selected_ignored_and_suppressed() {
    let script = "#!/bin/sh\nset -eu\ndocker run -e DB_PASSWORD=Pg-7rT2vX9wLq app\n# stowaway: ignore[SH001] a throwaway test database\ndocker run -e API_TOKEN=tk-81hQz0Lmv2 app\necho 'Sw4rm-Db-83kQz' | docker secret create db -\n";
    let dir = repo(&[("ops/deploy.sh", script), ("compose.yaml", &compose())]);
    assert_eq!(
        run(dir.path(), &["--select", "SH"]).findings,
        ["ops/deploy.sh:3:SH001:error", "ops/deploy.sh:6:SH002:error"]
    );
    assert_eq!(
        run(dir.path(), &["--select", "SH002"]).findings,
        ["ops/deploy.sh:6:SH002:error"]
    );
    write(
        dir.path(),
        &[(
            "stowaway.toml",
            "select = [\"SH\"]\n[per-file-ignores]\n\"ops/*.sh\" = [\"SH001\"]\n",
        )],
    );
    assert_eq!(
        run(dir.path(), &[]).findings,
        ["ops/deploy.sh:6:SH002:error"]
    );
}
