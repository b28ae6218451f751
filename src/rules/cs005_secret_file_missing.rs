//! What it finds: a top-level secret whose `file:` points at a path that does not exist
//! and is not git-ignored.
//!
//! Why it matters: `docker compose up` fails when the file is missing. When the path is
//! git-ignored, the file is provisioned at deploy time (the recommended setup), so only a
//! missing path that nothing explains is reported.
//!
//! Example:
//! ```yaml
//! secrets:
//!   mailer_password:
//!     file: ./secrets/mailer_password.txt   # not in the repository, not in .gitignore
//! ```
//!
//! Fix: add the path to `.gitignore` and document how it is provisioned (a
//! `secrets/README`), or correct the path.

use super::support::secret_file_path;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct SecretFileMissing;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS005",
    name: "secret-file-missing",
    severity: Severity::Warning,
    source: include_str!("cs005_secret_file_missing.rs"),
};

impl Rule for SecretFileMissing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for def in &project.secrets {
                let (Some(Ok(path)), Some(raw)) =
                    (secret_file_path(project, def), &def.source_file)
                else {
                    continue;
                };
                if path.symlink_metadata().is_ok() || analysis.git_ignored(&path, false) {
                    continue;
                }
                let shown = analysis.ws.display(&path);
                out.push(
                    Finding::new(
                        &INFO,
                        def.file,
                        raw.span,
                        format!("secret `{}` points at `{shown}`, which does not exist and is not git-ignored", def.name),
                    )
                    .help(format!("if the file is provisioned at deploy time, add `{shown}` to .gitignore; otherwise correct the path"))
                    .anchor(format!("secrets.{}.file", def.name))
                        .subject(path.clone()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::run;

    #[test]
    fn fires_on_a_missing_unexplained_file() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  a:\n    secrets: [m]\nsecrets:\n  m:\n    file: ./secrets/m.txt\n",
            )],
            "CS005",
        );
        assert_eq!(found, ["compose.yaml:6"]);
    }

    #[test]
    fn existing_or_ignored_files_are_fine() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  a:\n    secrets: [m, n]\nsecrets:\n  m:\n    file: ./secrets/m.txt\n  n:\n    file: ./secrets/n.txt\n",
                ),
                (".gitignore", "secrets/*\n!secrets/.gitkeep\n"),
                ("secrets/n.txt", "x"),
            ],
            "CS005",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
