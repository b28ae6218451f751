//! What it finds: a top-level secret that is not `external` and has neither `file:` nor
//! `environment:` (including a definition that uses `content:`, which only configs have).
//!
//! Why it matters: Compose cannot create the secret and refuses the project; a
//! misspelt key (`fiel:`) hides the same mistake.
//!
//! Example:
//! ```yaml
//! secrets:
//!   db_password:
//!     content: hunter2     # configs have content:, secrets do not
//! ```
//!
//! Fix: point the secret at a git-ignored file (`file: ./secrets/db_password.txt`), at an
//! environment variable of the host (`environment: DB_PASSWORD`), or mark it
//! `external: true` when it is created with `docker secret create`.

use super::support::did_you_mean;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct SecretWithoutSource;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS003",
    name: "secret-without-source",
    severity: Severity::Error,
    source: include_str!("cs003_secret_without_source.rs"),
};

/// Keys a top-level secret may have.
pub const SECRET_KEYS: &[&str] = &[
    "name",
    "file",
    "environment",
    "external",
    "labels",
    "driver",
    "driver_opts",
    "template_driver",
];

impl Rule for SecretWithoutSource {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for def in &project.secrets {
                if def.is_external() || def.source_file.is_some() || def.environment.is_some() {
                    continue;
                }
                // A driver-backed secret (Swarm secret drivers) gets its value from the driver.
                if def.node.get("driver").is_some() {
                    continue;
                }
                let unknown: Vec<&str> = def
                    .node
                    .entries()
                    .map(|(k, _, _)| k)
                    .filter(|k| !SECRET_KEYS.contains(k) && !k.starts_with("x-"))
                    .collect();
                let help = if def.content.is_some() {
                    "secrets have no `content:` (configs do): put the value in a git-ignored file and use `file:`, or use `environment:`".to_owned()
                } else if let Some(typo) = unknown.iter().find_map(|k| {
                    did_you_mean(k, ["file", "environment", "external"].into_iter()).map(|s| (k, s))
                }) {
                    format!("unknown key `{}`: did you mean `{}`?", typo.0, typo.1)
                } else {
                    "add `file: ./secrets/<name>.txt` (git-ignored), `environment: VAR`, or `external: true`".to_owned()
                };
                out.push(
                    Finding::new(
                        &INFO,
                        def.file,
                        def.name_span,
                        format!("secret `{}` has no source: it needs `file:` or `environment:`, or `external: true`", def.name),
                    )
                    .help(help)
                    .anchor(format!("secrets.{}", def.name)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    #[test]
    fn fires_without_file_or_environment() {
        let found = run(
            &[(
                "compose.yaml",
                "services: {}\nsecrets:\n  a:\n  b:\n    content: x\n  c:\n    fiel: ./c.txt\n  d:\n    name: dd\n",
            )],
            "CS003",
        );
        assert_eq!(
            found,
            [
                "compose.yaml:3",
                "compose.yaml:4",
                "compose.yaml:6",
                "compose.yaml:8"
            ]
        );
    }

    #[test]
    fn explains_content_and_typos() {
        let m = messages(
            &[("compose.yaml", "secrets:\n  c:\n    fiel: ./c.txt\n")],
            "CS003",
        );
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn external_file_and_environment_are_sources() {
        let found = run(
            &[(
                "compose.yaml",
                "secrets:\n  a:\n    external: true\n  b:\n    file: ./b.txt\n  c:\n    environment: C\n  d:\n    external:\n      name: dd\n",
            )],
            "CS003",
        );
        assert!(found.is_empty());
    }
}
