//! Credential files recognised by name: SSH private keys, private keys and key stores,
//! `.env` files (not examples), registry and cloud credential files. One list for every
//! rule that asks (a `COPY` of such a file, such a file inside a build context).

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
