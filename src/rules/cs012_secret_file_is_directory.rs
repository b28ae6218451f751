//! What it finds: a top-level secret whose `file:` points at a directory.
//!
//! Why it matters: a secret is one file; Compose fails to mount a directory as a secret
//! (or Swarm refuses to create it), usually because the path lost its file name.
//!
//! Example:
//! ```yaml
//! secrets:
//!   tls_key:
//!     file: ./certs/       # the folder, not ./certs/server.key
//! ```
//!
//! Fix: point `file:` at the file itself; for several files, define several secrets.

use super::support::secret_file_path;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct SecretFileIsDirectory;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS012",
    name: "secret-file-is-directory",
    severity: Severity::Error,
    source: include_str!("cs012_secret_file_is_directory.rs"),
};

impl Rule for SecretFileIsDirectory {
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
                if !path.is_dir() {
                    continue;
                }
                out.push(
                    Finding::new(
                        &INFO,
                        def.file,
                        raw.span,
                        format!(
                            "secret `{}` points at `{}`, which is a directory",
                            def.name,
                            analysis.ws.display(&path)
                        ),
                    )
                    .help("point `file:` at one file; define one secret per file")
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
    fn fires_on_a_directory() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  a:\n    secrets: [m]\nsecrets:\n  m:\n    file: ./certs/\n",
                ),
                ("certs/server.key", "k"),
            ],
            "CS012",
        );
        assert_eq!(found, ["compose.yaml:6"]);
    }

    #[test]
    fn a_file_is_fine() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  a:\n    secrets: [m]\nsecrets:\n  m:\n    file: ./certs/server.key\n",
                ),
                ("certs/server.key", "k"),
            ],
            "CS012",
        );
        assert!(found.is_empty());
    }
}
