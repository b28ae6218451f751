//! What it finds: a top-level `configs:` entry that carries a secret: inline `content:`
//! holding a secret-like key with a literal value (`password = …`, `"api_key": "…"`), a known
//! token, a PEM private key or a URL with a password; or a config whose `file:`, name or
//! `environment:` variable looks like a key or a password (`*.key`, `*.pem`, `id_rsa`,
//! `*password*`, `*secret*`, `*token*`).
//!
//! Why it matters: configs are not secrets. Compose and Swarm store and mount them
//! unencrypted, world-readable by default (mode `0444`), and Swarm shows them to anyone who
//! can run `docker config inspect`; inline `content:` is also committed with the compose
//! file. Secrets get encryption at rest in Swarm, a tmpfs mount and restricted permissions.
//!
//! Not reported: certificates and public keys (`fullchain.pem`, `ca.pem`, `*.pub`,
//! `*.crt`), content values taken from variables (`${DB_PASSWORD}`), and configs whose
//! content and names hold nothing secret.
//!
//! Example:
//! ```yaml
//! configs:
//!   app_config:
//!     content: |
//!       [database]
//!       password = Vn8-Rt2-Zw6-Hq4
//!   tls_key:
//!     file: ./tls/server.key
//! ```
//!
//! Fix: move the secret to a top-level `secrets:` entry (`file:` pointing at a git-ignored
//! file, or `environment:`), grant it to the service and point the program at
//! `/run/secrets/<name>`; keep only non-secret settings in the config. Rotate what was
//! committed.

use std::ops::Range;

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::compose::SecretDef;
use crate::detect::classify::{ValueClass, redact, secret_name_reason};
use crate::detect::embedded::embedded_secrets;
use crate::detect::patterns::PatternSet;
use crate::finding::{Finding, Severity};

pub struct SecretInConfig;

pub static INFO: RuleInfo = RuleInfo {
    code: "CE007",
    name: "secret-in-config",
    severity: Severity::Warning,
    source: include_str!("ce007_secret_in_config.rs"),
};

const HELP: &str = "configs are stored and mounted unencrypted and world-readable: move the secret to a top-level `secrets:` entry (a git-ignored `file:` or `environment:`), grant it to the service and read it from `/run/secrets/<name>`";

impl Rule for SecretInConfig {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for def in &project.configs {
                check_source(def, out);
                check_content(analysis, def, out);
            }
        }
    }
}

/// The config's name, `file:` or `environment:` says it is a secret.
fn check_source(def: &SecretDef, out: &mut Vec<Finding>) {
    let anchor = format!("configs.{}", def.name);
    if let Some(file) = &def.source_file {
        let base = file.value.rsplit(['/', '\\']).next().unwrap_or(&file.value);
        if let Some(why) = secret_file_name(base) {
            out.push(
                Finding::new(
                    &INFO,
                    def.file,
                    file.span,
                    format!(
                        "config `{}` is read from `{}`, which looks like {why}: configs are not secrets",
                        def.name, file.value
                    ),
                )
                .help(HELP)
                .anchor(format!("{anchor}.file")),
            );
            return;
        }
    }
    if let Some(env) = &def.environment
        && let Some(reason) = secret_name_reason(&env.value)
    {
        out.push(
            Finding::new(
                &INFO,
                def.file,
                env.span,
                format!(
                    "config `{}` is taken from the variable `{}` ({reason}): configs are not secrets",
                    def.name, env.value
                ),
            )
            .help(HELP)
            .anchor(format!("{anchor}.environment")),
        );
        return;
    }
    let why = secret_name_reason(&def.name)
        .map(|r| format!("a {r}"))
        .or_else(|| secret_file_name(&def.name));
    if let Some(why) = why {
        out.push(
            Finding::new(
                &INFO,
                def.file,
                def.name_span,
                format!(
                    "config `{}` looks like {why} by its name: configs are not secrets",
                    def.name
                ),
            )
            .help(HELP)
            .anchor(anchor),
        );
    }
}

/// Whether a file name looks like a private key or a password file, and as what.
fn secret_file_name(name: &str) -> Option<String> {
    let l = name.to_ascii_lowercase();
    if l.ends_with(".pub")
        || l.ends_with(".crt")
        || l.ends_with(".cer")
        || ["cert", "chain", "public", "ca.pem", "ca-bundle", "dhparam"]
            .iter()
            .any(|w| l.contains(w))
    {
        return None;
    }
    for ext in [".key", ".pem", ".p12", ".pfx", ".jks", ".keystore", ".kdbx"] {
        if l.ends_with(ext) {
            return Some(format!("a private key or keystore (`*{ext}`)"));
        }
    }
    for key in ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"] {
        if l.starts_with(key) {
            return Some("an SSH private key".to_owned());
        }
    }
    for word in [
        "password",
        "passwd",
        "secret",
        "token",
        "credential",
        ".htpasswd",
        ".netrc",
        ".pgpass",
    ] {
        if l.contains(word) {
            return Some(format!("a secret (`{word}`)"));
        }
    }
    None
}

struct Hit {
    range: Range<usize>,
    what: String,
    /// The value classifier's word on a `key: value` hit (a placeholder is a warning).
    class: ValueClass,
}

fn check_content(analysis: &Analysis, def: &SecretDef, out: &mut Vec<Finding>) {
    let Some(node) = def.node.get("content") else {
        return;
    };
    let Some(text) = node.as_str() else {
        return;
    };
    let mut hits: Vec<Hit> = Vec::new();
    let mut add = |hit: Hit| {
        if !hits
            .iter()
            .any(|h| h.range.start < hit.range.end && hit.range.start < h.range.end)
        {
            hits.push(hit);
        }
    };
    for found in embedded_secrets(text) {
        add(Hit {
            range: found.range,
            what: found.what,
            class: found.class,
        });
    }
    for m in PatternSet::builtin().scan(text) {
        add(Hit {
            range: m.range,
            what: m.description,
            class: ValueClass::Literal,
        });
    }
    hits.sort_by_key(|h| h.range.start);
    let src = &analysis.ws.files.get(def.file).text;
    for hit in hits {
        let span = crate::yaml::locate_in_scalar(src, node, hit.range.clone());
        let shown = text.get(hit.range.clone()).map(redact).unwrap_or_default();
        out.push(
            Finding::new(
                &INFO,
                def.file,
                span,
                format!(
                    "the content of config `{}` holds {} (`{shown}`): configs are not secrets",
                    def.name, hit.what
                ),
            )
            .value_class(hit.class)
            .help(HELP)
            .anchor(format!("configs.{}.content", def.name))
            .secret(span),
        );
    }
}

/// Whether a name looks like a secret; kept for the tests' tables.
#[cfg(test)]
fn name_is_secret(name: &str) -> bool {
    crate::detect::classify::is_secret_name(name) || secret_file_name(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::{messages, run};

    fn ce007(compose: &str) -> Vec<String> {
        run(&[("compose.yaml", compose)], "CE007")
    }

    #[test]
    fn names() {
        for n in [
            "server.key",
            "id_ed25519",
            "db_password.txt",
            "jwt-secret",
            "tls_key",
            "keystore.p12",
        ] {
            assert!(name_is_secret(n), "{n}");
        }
        for n in [
            "nginx.conf",
            "fullchain.pem",
            "ca.pem",
            "id_rsa.pub",
            "server.crt",
            "prometheus.yml",
        ] {
            assert!(!name_is_secret(n), "{n}");
        }
    }

    #[test]
    fn content_files_and_names() {
        let found = ce007(concat!(
            "services:\n",
            "  app:\n",
            "    image: example/app\n",
            "    configs: [app_ini, tls_key, nginx_conf, jwt_secret]\n",
            "configs:\n",
            "  app_ini:\n",
            "    content: |\n",
            "      [server]\n",
            "      port = 8080\n",
            "      [database]\n",
            "      password = Vn8-Rt2-Zw6-Hq4\n",
            "      url = postgres://app:Pg-31kLq@db/app\n",
            "  tls_key:\n",
            "    file: ./tls/server.key\n",
            "  nginx_conf:\n",
            "    file: ./nginx.conf\n",
            "  jwt_secret:\n",
            "    environment: JWT_SECRET\n",
            "  signing:\n",
            "    content: |\n",
            "      -----BEGIN EC PRIVATE KEY-----\n",
            "      MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5NqbvX4gVSn8xoAoGCCqGSM49\n",
            "      -----END EC PRIVATE KEY-----\n",
        ));
        assert_eq!(
            found,
            [
                "compose.yaml:11",
                "compose.yaml:12",
                "compose.yaml:14",
                "compose.yaml:18",
                "compose.yaml:21"
            ]
        );
    }

    #[test]
    fn harmless_configs_do_not_fire() {
        let found = ce007(
            "configs:\n  nginx_conf:\n    file: ./nginx.conf\n  certs:\n    file: ./tls/fullchain.pem\n  app_env:\n    content: |\n      LOG_LEVEL=info\n      DB_PASSWORD=${DB_PASSWORD}\n      TOKEN_TTL=3600\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn message_is_redacted() {
        let m = messages(
            &[(
                "compose.yaml",
                "configs:\n  app:\n    content: |\n      SECRET_KEY=Vn8Rt2Zw6Hq4Lm9\n",
            )],
            "CE007",
        );
        assert_eq!(m.len(), 1);
        assert!(!m[0].contains("Vn8Rt2Zw6Hq4Lm9"));
    }
}
