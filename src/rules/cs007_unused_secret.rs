//! What it finds: a top-level secret that no service (`secrets:`) and no build
//! (`build.secrets:`) of the project uses.
//!
//! Why it matters: usually a sign of a typo on the using side (the service asks for
//! `mailer_passwd`, the definition says `mailer_password`), or of a credential file kept
//! around for nothing.
//!
//! Example:
//! ```yaml
//! services:
//!   app:
//!     secrets: [db_password]
//! secrets:
//!   db_password: {file: ./secrets/db_password.txt}
//!   old_api_key: {file: ./secrets/old_api_key.txt}   # used by nobody
//! ```
//!
//! Not reported for a project that stowaway could not read whole (an `include:` path with
//! a variable that has no value): the files it did not read may use the secret.
//!
//! Fix: grant the secret to the service that needs it, or remove the definition.

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct UnusedSecret;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS007",
    name: "unused-secret",
    severity: Severity::Warning,
    source: include_str!("cs007_unused_secret.rs"),
};

impl Rule for UnusedSecret {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn holds_in_every_project(&self) -> bool {
        true
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in analysis.projects.iter().filter(|p| p.is_complete()) {
            for def in &project.secrets {
                let used = project
                    .secret_references()
                    .any(|(_, r)| r.source.as_ref().is_some_and(|s| s.value == def.name));
                if used {
                    continue;
                }
                out.push(
                    Finding::new(
                        &INFO,
                        def.file,
                        def.name_span,
                        format!(
                            "secret `{}` is defined but no service or build uses it",
                            def.name
                        ),
                    )
                    .help("grant it to a service (`secrets: [name]`) or remove the definition")
                    .anchor(format!("secrets.{}", def.name)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::run;

    #[test]
    fn fires_on_a_secret_nobody_uses() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  a:\n    secrets: [used]\nsecrets:\n  used:\n    environment: U\n  unused:\n    environment: X\n",
            )],
            "CS007",
        );
        assert_eq!(found, ["compose.yaml:7"]);
    }

    #[test]
    fn use_in_an_override_or_a_build_counts() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  a:\n    image: x\nsecrets:\n  one:\n    environment: U\n  two:\n    environment: X\n",
                ),
                (
                    "compose.override.yaml",
                    "services:\n  a:\n    secrets: [one]\n    build:\n      secrets: [two]\n",
                ),
            ],
            "CS007",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_secret_used_by_the_including_file_or_an_overlay_is_used() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "include: [infra/db.compose.yaml]\nservices:\n  api:\n    image: x\n    secrets: [db]\nsecrets:\n  base_only:\n    environment: B\n",
                ),
                (
                    "infra/db.compose.yaml",
                    "services:\n  db:\n    image: postgres\nsecrets:\n  db:\n    file: ./db.txt\n",
                ),
                (
                    "docker-compose.prod.yml",
                    "services:\n  api:\n    secrets: [base_only]\n",
                ),
            ],
            "CS007",
        );
        // `base_only` is unused by `docker compose up` but used under the prod overlay.
        assert!(found.is_empty(), "{found:?}");
    }
}
