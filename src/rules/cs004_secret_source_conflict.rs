//! What it finds: a top-level secret with more than one source: both `file:` and
//! `environment:`, or `external: true` together with `file:`, `environment:`, `driver:`,
//! `driver_opts:`, `template_driver:` or `labels:`.
//!
//! Why it matters: the Compose specification allows exactly one source; an external
//! secret is created outside the project, so anything but `name:` beside it is ignored
//! or rejected, and the value you think is used is not the one that is.
//!
//! Example:
//! ```yaml
//! secrets:
//!   api_key:
//!     external: true
//!     file: ./secrets/api_key.txt
//! ```
//!
//! Fix: keep one source: remove `external: true` to let Compose create the secret from the
//! file, or remove the other keys to use the existing external secret.

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct SecretSourceConflict;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS004",
    name: "secret-source-conflict",
    severity: Severity::Error,
    source: include_str!("cs004_secret_source_conflict.rs"),
};

const NOT_WITH_EXTERNAL: &[&str] = &[
    "file",
    "environment",
    "driver",
    "driver_opts",
    "template_driver",
    "labels",
];

impl Rule for SecretSourceConflict {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for def in &project.secrets {
                if def.is_external() {
                    for (key, key_node, _) in def.node.entries() {
                        if NOT_WITH_EXTERNAL.contains(&key) {
                            out.push(
                                Finding::new(
                                    &INFO,
                                    def.file,
                                    key_node.span,
                                    format!("secret `{}` is `external` and also sets `{key}`", def.name),
                                )
                                .help("an external secret already exists outside the project: only `name:` may accompany `external: true`")
                                .anchor(format!("secrets.{}.{key}", def.name)),
                            );
                        }
                    }
                } else if let (Some(_), Some(env)) = (&def.source_file, &def.environment) {
                    let key_span = def
                        .node
                        .entry("environment")
                        .map_or(env.span, |(k, _)| k.span);
                    out.push(
                        Finding::new(
                            &INFO,
                            def.file,
                            key_span,
                            format!("secret `{}` sets both `file:` and `environment:`", def.name),
                        )
                        .help("a secret has exactly one source: keep either `file:` or `environment:`")
                        .anchor(format!("secrets.{}.environment", def.name)),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::run;

    #[test]
    fn fires_on_two_sources() {
        let found = run(
            &[(
                "compose.yaml",
                "secrets:\n  a:\n    file: ./a\n    environment: A\n  b:\n    external: true\n    file: ./b\n  c:\n    external: true\n    driver: vault\n",
            )],
            "CS004",
        );
        assert_eq!(
            found,
            ["compose.yaml:4", "compose.yaml:7", "compose.yaml:10"]
        );
    }

    #[test]
    fn external_with_name_is_fine() {
        let found = run(
            &[(
                "compose.yaml",
                "secrets:\n  a:\n    external: true\n    name: a_v2\n  b:\n    file: ./b\n  c:\n    external: false\n    file: ./c\n",
            )],
            "CS004",
        );
        assert!(found.is_empty());
    }
}
