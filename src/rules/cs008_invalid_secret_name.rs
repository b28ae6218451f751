//! What it finds: a top-level secret whose name does not match `^[a-zA-Z0-9._-]+$`.
//!
//! Why it matters: Compose rejects the project ("secrets Additional property ... is not
//! allowed"), and Swarm secret names follow the same rule.
//!
//! Example:
//! ```yaml
//! secrets:
//!   db password:            # space
//!     file: ./db.txt
//! ```
//!
//! Fix: use letters, digits, `.`, `_` and `-` only (`db_password`).

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct InvalidSecretName;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS008",
    name: "invalid-secret-name",
    severity: Severity::Error,
    source: include_str!("cs008_invalid_secret_name.rs"),
};

pub fn is_valid_secret_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl Rule for InvalidSecretName {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for def in &project.secrets {
                if is_valid_secret_name(&def.name) || def.name.starts_with("x-") {
                    continue;
                }
                let suggestion: String = def
                    .name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                out.push(
                    Finding::new(
                        &INFO,
                        def.file,
                        def.name_span,
                        format!("secret name `{}` is not valid: names may only hold letters, digits, `.`, `_` and `-`", def.name),
                    )
                    .help(format!("rename it, e.g. `{suggestion}`"))
                    .anchor(format!("secrets.{}", def.name)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_valid_secret_name;
    use crate::rules::support::testing::run;

    #[test]
    fn names() {
        for ok in ["db_password", "db.password", "DB-PASS-2", "a"] {
            assert!(is_valid_secret_name(ok), "{ok}");
        }
        for bad in ["db password", "db/password", "pässword", "", "a:b"] {
            assert!(!is_valid_secret_name(bad), "{bad}");
        }
    }

    #[test]
    fn fires_on_a_bad_name() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  a:\n    secrets: [\"db password\"]\nsecrets:\n  \"db password\":\n    environment: A\n  good.name:\n    environment: B\n",
            )],
            "CS008",
        );
        assert_eq!(found, ["compose.yaml:5"]);
    }
}
