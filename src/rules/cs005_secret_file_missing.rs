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
//! A missing file that is git-ignored is one each machine is expected to create: reported
//! at info severity, saying so.
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
                if path.symlink_metadata().is_ok() {
                    continue;
                }
                let shown = analysis.ws.display(&path);
                // A git-ignored secret file is one each machine creates: said at info.
                if analysis.git_ignored(&path, false) {
                    out.push(
                        Finding::new(
                            &INFO,
                            def.file,
                            raw.span,
                            format!("secret `{}` is read from `{shown}`, which each machine creates (it is git-ignored): create it before `docker compose up`", def.name),
                        )
                        .severity(Severity::Info)
                        .help(format!("document how `{shown}` is made (a README beside it, or a script)"))
                        .anchor(format!("secrets.{}.file", def.name))
                        .subject(path.clone()),
                    );
                    continue;
                }
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
    fn existing_files_are_fine_and_ignored_ones_are_an_info_note() {
        let files = [
            (
                "compose.yaml",
                "services:\n  a:\n    secrets: [m, n]\nsecrets:\n  m:\n    file: ./secrets/m.txt\n  n:\n    file: ./secrets/n.txt\n",
            ),
            (".gitignore", "secrets/*\n!secrets/.gitkeep\n"),
            ("secrets/n.txt", "x"),
        ];
        // `m` is git-ignored and missing: each machine creates it.
        assert_eq!(run(&files, "CS005"), ["compose.yaml:6"]);
        let found = crate::rules::support::testing::findings(&files, "CS005");
        assert_eq!(found[0].severity, crate::finding::Severity::Info);
        assert!(
            found[0].message.contains("create it before"),
            "{}",
            found[0].message
        );
    }
}
