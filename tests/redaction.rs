//! No output format shows a secret in clear. `tests/cli/planted/` holds a project with
//! fake secrets of many kinds planted in compose values (anchors, lists, block scalars,
//! commands, labels, build args, interpolation defaults), a Dockerfile (`ARG`, multi-line
//! `ENV`, `RUN`, a heredoc), an env file and a deploy script (`docker login -p`, `docker run -e`,
//! `echo … | docker secret create`); `planted.json` lists them.

use std::path::Path;

use assert_cmd::Command;

fn planted() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/planted/planted.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn project() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("planted");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/planted");
    for rel in ["compose.yaml", ".env", "api/Dockerfile", "deploy.sh"] {
        let to = root.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(src.join(rel), to).unwrap();
    }
    (tmp, root)
}

fn output(root: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("stowaway")
        .unwrap()
        .current_dir(root)
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

/// The other tests look for these strings in the output: each must really be in a planted
/// file (else "never printed in clear" would hold trivially for it).
#[test]
fn every_listed_secret_is_planted_in_a_file() {
    let (_tmp, root) = project();
    let texts: Vec<String> = ["compose.yaml", ".env", "api/Dockerfile", "deploy.sh"]
        .iter()
        .map(|rel| std::fs::read_to_string(root.join(rel)).unwrap())
        .collect();
    let listed = planted();
    let absent: Vec<&String> = listed
        .iter()
        .filter(|s| !texts.iter().any(|t| t.contains(s.as_str())))
        .collect();
    assert!(absent.is_empty(), "listed but not planted: {absent:?}");
    assert!(listed.len() >= 20, "only {} planted", listed.len());
}

#[test]
fn no_format_prints_a_secret_in_clear() {
    let (_tmp, root) = project();
    let secrets = planted();
    for args in [
        &["--color", "never"][..],
        &["--color", "always"],
        &["--format", "json"],
        &["--format", "sarif"],
        &["--format", "github"],
        &["--format", "gitlab"],
        &["--format", "json", "--statistics"],
    ] {
        let text = output(&root, args);
        for secret in &secrets {
            // Any 8-character window of a secret's random body would already say too much
            // (its public prefix, like `sk_live_`, is in the rules' documentation).
            let chars: Vec<char> = body(secret).chars().collect();
            for window in chars.windows(8) {
                let piece: String = window.iter().collect();
                assert!(
                    !text.contains(&piece),
                    "{args:?} shows `{piece}` of a planted secret:\n{text}"
                );
            }
        }
    }
}

#[test]
fn show_secrets_reveals_them() {
    let (_tmp, root) = project();
    let text = output(&root, &["--color", "never", "--show-secrets"]);
    assert!(planted().iter().any(|s| text.contains(s.as_str())));
}

#[test]
fn every_planted_secret_is_reported() {
    let (_tmp, root) = project();
    let json: serde_json::Value =
        serde_json::from_str(&output(&root, &["--format", "json"])).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let mut missing = Vec::new();
    for secret in planted() {
        // Reported: a finding starts on the line where the secret is written.
        let found = findings.iter().any(|f| {
            let path = root.join(f["path"].as_str().unwrap());
            let text = std::fs::read_to_string(path).unwrap();
            let line = f["start"]["line"].as_u64().unwrap() as usize;
            text.lines()
                .nth(line - 1)
                .is_some_and(|l| l.contains(secret.as_str()))
        });
        if !found {
            missing.push(secret);
        }
    }
    let hints: Vec<String> = missing
        .iter()
        .map(|s| stowaway::redact::redact(s))
        .collect();
    assert!(missing.is_empty(), "not reported: {hints:?}");
}

/// A secret without its public prefix: up to two leading `letters` + `_`/`-`/`.` groups.
fn body(secret: &str) -> &str {
    let mut rest = secret;
    for _ in 0..2 {
        let letters = rest.chars().take_while(char::is_ascii_alphabetic).count();
        match rest[letters..].chars().next() {
            Some('_' | '-' | '.') if (1..=10).contains(&letters) => rest = &rest[letters + 1..],
            _ => break,
        }
    }
    rest
}

#[test]
fn suppressed_secrets_stay_masked_in_neighbouring_snippets() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("compose.yaml"),
        "services:\n  app:\n    image: alpine:3.20\n    environment:\n      LEGACY_DB_PASSWORD: Kv7-fake-Qz2-legacy # stowaway: ignore[CE001] rotated, kept for the migration\n      API_SECRET_KEY: Ur4-fake-Wp9-active\n",
    )
    .unwrap();
    let out = Command::cargo_bin("stowaway")
        .unwrap()
        .current_dir(root)
        .args(["check", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("API_SECRET_KEY"), "{text}");
    assert!(!text.contains("fake-Qz2"), "{text}");
    assert!(!text.contains("fake-Wp9"), "{text}");
}

/// `--show-secrets` shows a value in clear in the human snippets, and nowhere else.
#[test]
fn show_secrets_reveals_only_human_snippets() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  a:\n    image: x\n    environment:\n      DB_PASSWORD: Vx8qLm2Rt9zWp4K\n",
    )
    .expect("write");
    for (format, shown) in [
        ("human", true),
        ("json", false),
        ("sarif", false),
        ("github", false),
        ("gitlab", false),
    ] {
        let out = Command::cargo_bin("stowaway")
            .expect("binary")
            .env_remove("NO_COLOR")
            .current_dir(dir.path())
            .args([
                "check",
                "--show-secrets",
                "--color",
                "never",
                "--format",
                format,
                ".",
            ])
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(text.contains("Vx8qLm2Rt9zWp4K"), shown, "{format}: {text}");
    }
}

/// What a user sees on the planted project: every secret masked in messages and snippets
/// (a snapshot, so that a change to masking is reviewed).
#[test]
fn masked_secrets_in_the_human_report() {
    let (_tmp, root) = project();
    let text = output(&root, &["--color", "never"]);
    for secret in planted() {
        assert!(!text.contains(secret.as_str()), "in clear: {secret}");
    }
    assert!(text.contains("****"));
    insta::assert_snapshot!(text);
}
