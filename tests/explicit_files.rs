//! Files named on the command line (what a pre-commit hook passes: the changed files) are
//! checked within their compose project: a named Dockerfile brings the compose files that
//! build it, a named override file its base. The findings on a named file are the same as
//! in a run over the whole project, and only named files get findings.

use std::path::{Path, PathBuf};

use stowaway::analysis::Analysis;

const FILES: &[(&str, &str)] = &[
    (
        "compose.yaml",
        "services:
  worker:
    build: ./worker
    environment:
      WORKER_DB_PASSWORD_FILE: /run/secrets/db_password
    secrets:
      - postgres_password
  app:
    build:
      context: ./app
      secrets:
        - npm_token
        - sentry_token
    secrets:
      - source: npm_token
        target: npm_registry_token

secrets:
  postgres_password:
    file: ./secrets/postgres_password.txt
  npm_token:
    environment: NPM_TOKEN
  sentry_token:
    environment: SENTRY_TOKEN
  pip_conf:
    file: ./secrets/pip.conf
",
    ),
    (
        "compose.override.yaml",
        "services:
  app:
    environment:
      APP_SESSION_KEY_FILE: /run/secrets/session_key
",
    ),
    (
        "worker/Dockerfile",
        "FROM python:3.12-slim
RUN --mount=type=secret,id=pip_conf,required=true,target=/etc/pip.conf \\
    pip install celery
CMD [\"celery\"]
",
    ),
    (
        "app/Dockerfile",
        "FROM node:22-alpine
RUN --mount=type=secret,id=npm_registry_token,required=true npm ci
COPY . .
",
    ),
    (
        "worker/.netrc",
        "machine pypi.example.com login ci password placeholder\n",
    ),
    ("app/.env", "API_KEY=placeholder\n"),
    ("app/certs/server.key", "placeholder\n"),
    (".gitignore", "secrets/\n.env\n"),
];

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in FILES {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    let status = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

/// `path:line code message` of every finding of a run over `paths` from `root`.
fn findings(root: &Path, paths: &[PathBuf]) -> Vec<String> {
    let mut analysis = Analysis::load(root.to_path_buf(), paths);
    let mut out: Vec<String> = analysis
        .check()
        .iter()
        .map(|f| {
            let file = analysis.ws.files.get(f.file);
            format!(
                "{}:{} {} {}",
                file.display,
                file.line_col(f.span.start).line,
                f.code,
                f.message
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_named_file_gets_the_findings_of_a_whole_project_run() {
    let dir = project();
    let root = dir.path().to_path_buf();
    let whole = findings(&root, std::slice::from_ref(&root));
    for code in ["XR001", "XR002", "XR003", "XR004", "XR005", "XR007"] {
        assert!(
            whole.iter().any(|f| f.contains(&format!(" {code} "))),
            "the project should show {code}: {whole:#?}"
        );
    }
    for named in [
        "worker/Dockerfile",
        "app/Dockerfile",
        "compose.yaml",
        "compose.override.yaml",
    ] {
        let alone = findings(&root, &[root.join(named)]);
        let expected: Vec<String> = whole
            .iter()
            .filter(|f| f.starts_with(&format!("{named}:")))
            .cloned()
            .collect();
        assert!(
            !expected.is_empty(),
            "{named} has findings in the whole run"
        );
        assert_eq!(alone, expected, "checking `{named}` alone");
    }
}

#[test]
fn the_cli_run_by_a_pre_commit_hook_on_one_dockerfile_sees_its_project() {
    let dir = project();
    let out = assert_cmd::Command::cargo_bin("stowaway")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "worker/Dockerfile"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        found.contains(&("XR001".to_owned(), "worker/Dockerfile".to_owned(), 2)),
        "{found:?}"
    );
    assert!(
        found.iter().all(|(_, path, _)| path == "worker/Dockerfile"),
        "{found:?}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_dockerfile_no_compose_file_builds_is_checked_alone() {
    let dir = project();
    let root = dir.path().to_path_buf();
    let other = root.join("tools/Dockerfile");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    std::fs::write(
        &other,
        "FROM alpine\nRUN --mount=type=secret,id=x,required=true cat /run/secrets/x\n",
    )
    .unwrap();
    let alone = findings(&root, &[other]);
    assert!(
        alone.iter().all(|f| !f.contains(" XR001 ")),
        "no compose project builds it, so nothing says which secrets it gets: {alone:#?}"
    );
}
