//! Property: `check --fix --unsafe-fixes` run twice changes nothing the second time, never
//! breaks a file (the fixed project still reads), and never prints a secret it moved. On
//! generated compose files: services of images that read `<VAR>_FILE` and of images that
//! do not, environments in map, list and flow form, values shared between services, values
//! from the environment, existing secrets, and CRLF line endings.

use std::path::Path;

use proptest::prelude::*;

mod common;
use common::{git, stowaway};

const IMAGES: &[(&str, &str)] = &[
    ("postgres:16", "POSTGRES_PASSWORD"),
    ("mysql:8.4", "MYSQL_ROOT_PASSWORD"),
    ("mariadb:11", "MARIADB_PASSWORD"),
    ("wordpress:6", "WORDPRESS_DB_PASSWORD"),
    ("ghcr.io/acme/api:2", "API_TOKEN"),
    ("redis:7", "REDIS_PASSWORD"),
];

const VALUES: &[&str] = &[
    "Kq7Wz2Lm9RtX4vPn",
    "Vx8Kq3Lm7RtZ2wPn",
    "${DB_PASSWORD:?}",
    "${DB_PASSWORD:-Tz5Kw8Rq2LvX7mNp}",
    "changeme",
    "'Hq4-Vn8-Rt2-Zw6'",
];

#[derive(Debug, Clone)]
struct Service {
    image: usize,
    value: usize,
    style: usize,
    extra: bool,
    granted: bool,
}

fn service() -> impl Strategy<Value = Service> {
    (
        0..IMAGES.len(),
        0..VALUES.len(),
        0..3usize,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(image, value, style, extra, granted)| Service {
            image,
            value,
            style,
            extra,
            granted,
        })
}

fn compose(services: &[Service], existing: bool, crlf: bool) -> String {
    let mut out = String::from("services:\n");
    for (i, s) in services.iter().enumerate() {
        let (image, var) = IMAGES[s.image];
        let value = VALUES[s.value];
        out.push_str(&format!("  s{i}:\n    image: {image}\n"));
        match s.style {
            0 => {
                out.push_str(&format!("    environment:\n      {var}: {value}\n"));
                if s.extra {
                    out.push_str("      TZ: UTC\n");
                }
            }
            1 => {
                let item = format!("{var}={}", value.trim_matches('\''));
                out.push_str(&format!("    environment:\n      - \"{item}\"\n"));
                if s.extra {
                    out.push_str("      - TZ=UTC\n");
                }
            }
            _ => {
                let extra = if s.extra { ", TZ: UTC" } else { "" };
                // A `}` of `${…}` would end a plain scalar in a flow mapping.
                let value = if value.starts_with('$') {
                    format!("\"{value}\"")
                } else {
                    value.to_owned()
                };
                out.push_str(&format!("    environment: {{{var}: {value}{extra}}}\n"));
            }
        }
        if s.granted && existing {
            out.push_str("    secrets: [site_key]\n");
        }
    }
    if existing {
        out.push_str("\nsecrets:\n  site_key:\n    file: ./secrets/site_key.txt\n");
    }
    if crlf { out.replace('\n', "\r\n") } else { out }
}

fn snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let entry = entry.expect("entry");
            if entry.file_name() == ".git" {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push((
                    path.display().to_string(),
                    std::fs::read(&path).expect("read"),
                ));
            }
        }
    }
    out.sort();
    out
}

fn fix(root: &Path) -> (i32, String) {
    let out = stowaway()
        .current_dir(root)
        .args(["check", "--color", "never", "--fix", "--unsafe-fixes"])
        .output()
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn fixing_twice_changes_nothing_the_second_time(
        services in prop::collection::vec(service(), 1..4),
        existing in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("p");
        std::fs::create_dir_all(root.join("secrets")).expect("dir");
        std::fs::write(root.join("compose.yaml"), compose(&services, existing, crlf)).expect("write");
        std::fs::write(root.join(".gitignore"), "/secrets/site_key.txt\n").expect("write");
        if existing {
            std::fs::write(root.join("secrets/site_key.txt"), "Mw4Xq9Lz2RtK7vPn").expect("write");
        }
        git(&root, &["init", "-q"]);
        git(&root, &["add", "-A"]);

        let (first, out) = fix(&root);
        prop_assert!(first == 0 || first == 1, "exit {first}: {out}");
        for secret in ["Kq7Wz2Lm9RtX4vPn", "Vx8Kq3Lm7RtZ2wPn", "Tz5Kw8Rq2LvX7mNp", "Hq4-Vn8-Rt2-Zw6"] {
            prop_assert!(!out.contains(secret), "printed a secret: {out}");
        }
        let after = snapshot(&root);
        let (second, again) = fix(&root);
        prop_assert!(second == 0 || second == 1, "exit {second}: {again}");
        prop_assert!(!again.contains("stowaway: applied"), "second run applied fixes: {again}");
        prop_assert_eq!(snapshot(&root), after);
    }
}
