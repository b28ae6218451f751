//! Credential files: recognised by name (SSH private keys, private keys and key stores,
//! `.env` files (not examples), registry and cloud credential files), then judged by
//! content where the name says too little ([`holds_secret`]: an `.npmrc` of settings, a
//! certificate, an env file of plain settings hold none). One list for every rule that asks
//! (a `COPY` of such a file, such a file inside a build context).

use crate::envfile::is_example_file;

/// What a path (`/`- or `\`-separated, file or folder) is, when it is a credential file
/// or a folder of them (`.ssh`, `.aws`).
pub fn credential_file_kind(path: &str) -> Option<&'static str> {
    let trimmed = path.trim_end_matches('/');
    let lower = trimmed.to_ascii_lowercase().replace('\\', "/");
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    match base {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            return Some("an SSH private key");
        }
        ".ssh" => return Some("an SSH folder"),
        ".npmrc" => return Some("an npm config (registry tokens)"),
        ".pypirc" => return Some("a PyPI config (upload credentials)"),
        ".netrc" | "_netrc" => return Some("a .netrc (login passwords)"),
        ".git-credentials" => return Some("git credentials"),
        "credentials.json" => return Some("a credentials file"),
        ".env" => return Some("an env file"),
        _ => {}
    }
    if lower.ends_with(".aws/credentials") || base == ".aws" {
        return Some("AWS credentials");
    }
    if lower.ends_with(".docker/config.json") {
        return Some("a Docker config (registry credentials)");
    }
    if base.starts_with(".env.") && !is_example_file(base) {
        return Some("an env file");
    }
    if base.contains("gpg") || base.contains("pgp") || base.ends_with(".pub") {
        return None;
    }
    let ext = base.rsplit_once('.').map(|(_, e)| e)?;
    match ext {
        "pem" => Some("a PEM certificate or private key"),
        "key" => Some("a private key"),
        "p12" | "pfx" => Some("a PKCS#12 key store"),
        "kdbx" => Some("a KeePass database"),
        _ => None,
    }
}

/// How the content of a credential file is judged, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// An `.npmrc`: an auth line.
    Npmrc,
    /// A `.pem`, `.key`, `.crt` or SSH key: a private key block.
    Pem,
    /// An env file: a variable holding a secret.
    Env,
    /// The name says it all (cloud, registry and git credentials, key stores).
    ByName,
}

fn content_of(path: &str) -> Content {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
    if name == ".npmrc" {
        Content::Npmrc
    } else if name.starts_with("id_") || [".pem", ".key", ".crt"].iter().any(|e| name.ends_with(e))
    {
        Content::Pem
    } else if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        Content::Env
    } else {
        Content::ByName
    }
}

/// Whether a credential file of this name is one only by what it holds (an `.npmrc`, a
/// `.pem`/`.key`/`.crt`, an env file): a file is a credential file by its content, never
/// by such a name alone, so one that cannot be read is not taken for one. The names that
/// say it all (`id_rsa`, `.aws/credentials`, `.git-credentials`) are.
pub fn judged_by_content(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    !name.starts_with("id_") && content_of(path) != Content::ByName
}

/// Most bytes of a file read to judge its content.
const PEEK_BYTES: u64 = 256 * 1024;

/// What the content of the credential file at `path` says (its name having made it one,
/// see [`credential_file_kind`]): `Some(true)` when it holds a secret, `Some(false)` when
/// it holds none, `None` when it cannot be read (absent: created at build or deploy time).
/// What is looked for is given by [`Content`]: certificates, public keys and DH parameters
/// are public, an `.npmrc` of settings (`shamefully-hoist=true`) holds nothing.
pub fn holds_secret(path: &std::path::Path) -> Option<bool> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return Some(true);
    }
    let mut head = Vec::new();
    file.take(PEEK_BYTES).read_to_end(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head);
    Some(match content_of(&path.to_string_lossy()) {
        Content::Npmrc => ["_authtoken", "_auth", "_password"]
            .iter()
            .any(|k| text.to_ascii_lowercase().contains(k)),
        Content::Pem => text.contains("PRIVATE KEY") || !text.contains("-----BEGIN"),
        Content::Env => crate::envfile::parse(&text)
            .0
            .iter()
            .any(|e| e.holds_secret()),
        Content::ByName => true,
    })
}

#[cfg(test)]
mod content_tests {
    use super::holds_secret;

    fn judge(name: &str, text: &str) -> Option<bool> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        holds_secret(&path)
    }

    #[test]
    fn credential_files_are_judged_by_content() {
        // redash's .npmrc: pnpm settings only.
        assert_eq!(
            judge(".npmrc", "engine-strict=true\nshamefully-hoist=true\n"),
            Some(false)
        );
        assert_eq!(
            judge(".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
            Some(true)
        );
        assert_eq!(
            judge(
                "ffdhe4096.pem",
                "-----BEGIN DH PARAMETERS-----\nMIICCAKCAgEA\n-----END DH PARAMETERS-----\n"
            ),
            Some(false)
        );
        assert_eq!(
            judge(
                "ca.pem",
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
            ),
            Some(false)
        );
        assert_eq!(
            judge(
                "tls.key",
                "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"
            ),
            Some(true)
        );
        assert_eq!(
            judge(".env", "COMPOSE_PROJECT_NAME=app\nTZ=UTC\n"),
            Some(false)
        );
        assert_eq!(judge(".env", "DB_PASSWORD=Vx8qLm2Rt9zWp4K\n"), Some(true));
        assert_eq!(
            judge(".git-credentials", "https://u:p@example.com\n"),
            Some(true)
        );
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(holds_secret(&dir.path().join("absent.pem")), None);
    }
}
