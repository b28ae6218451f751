//! What it finds: a top-level secret whose `file:` exists in the repository and is
//! tracked by git, or is not git-ignored (so the next `git add -A` commits it).
//!
//! Why it matters: a secret file in the repository is a credential in the history of
//! every clone and fork; rotating it is the only remedy.
//!
//! Example:
//! ```yaml
//! secrets:
//!   postgres_password:
//!     file: ./secrets/postgres_password.txt   # committed
//! ```
//!
//! Fix: rotate the credential, remove the file from git (`git rm --cached`), add the path
//! to `.gitignore`, and provision the file at deploy time.

use super::support::secret_file_path;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct SecretFileCommitted;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS006",
    name: "secret-file-committed",
    severity: Severity::Error,
    source: include_str!("cs006_secret_file_committed.rs"),
};

impl Rule for SecretFileCommitted {
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
                let beside = &analysis.ws.files.get(def.file).path;
                if !path.is_file() || !analysis.committable(&path, beside) {
                    continue;
                }
                let tracked = analysis.git_tracked(&path);
                if !tracked && analysis.git_ignored(&path, false) {
                    continue;
                }
                let shown = analysis.ws.display(&path);
                let message = if tracked {
                    format!(
                        "secret `{}` is read from `{shown}`, which is committed to git",
                        def.name
                    )
                } else {
                    format!(
                        "secret `{}` is read from `{shown}`, which is not git-ignored and would be committed{}",
                        def.name,
                        analysis.git_note(&path)
                    )
                };
                out.push(
                    Finding::new(&INFO, def.file, raw.span, message)
                        .help(if tracked {
                            format!("rotate the credential, `git rm --cached {shown}`, and add it to .gitignore")
                        } else {
                            format!("add `{shown}` to .gitignore and provision it at deploy time")
                        })
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
    fn fires_on_a_file_that_is_not_ignored() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  a:\n    secrets: [m]\nsecrets:\n  m:\n    file: ./secrets/m.txt\n",
                ),
                ("secrets/m.txt", "pw"),
            ],
            "CS006",
        );
        assert_eq!(found, ["compose.yaml:6"]);
    }

    #[test]
    fn ignored_file_is_fine() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  a:\n    secrets: [m]\nsecrets:\n  m:\n    file: ./secrets/m.txt\n",
                ),
                (".gitignore", "/secrets/\n"),
                ("secrets/m.txt", "pw"),
            ],
            "CS006",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn one_finding_per_secret_file_however_many_variants_name_it() {
        // Zabbix-style: compose variants side by side, each defining the same secrets.
        let variant = "services:\n  server:\n    image: zabbix\n    secrets: [MYSQL_USER, MYSQL_PASSWORD]\nsecrets:\n  MYSQL_USER:\n    file: ./env_vars/.MYSQL_USER\n  MYSQL_PASSWORD:\n    file: ./env_vars/.MYSQL_PASSWORD\n";
        let files = [
            ("docker-compose_v3_alpine_mysql_latest.yaml", variant),
            ("docker-compose_v3_ubuntu_mysql_latest.yaml", variant),
            ("docker-compose_v3_centos_mysql_latest.yaml", variant),
            ("env_vars/.MYSQL_USER", "zabbix"),
            ("env_vars/.MYSQL_PASSWORD", "zabbix_pwd"),
        ];
        let found = run(&files, "CS006");
        assert_eq!(
            found,
            [
                "docker-compose_v3_alpine_mysql_latest.yaml:7",
                "docker-compose_v3_alpine_mysql_latest.yaml:9"
            ]
        );
        let m = crate::rules::support::testing::messages(&files, "CS006");
        assert!(
            m[0].contains("also named by 2 other compose files"),
            "{m:?}"
        );
    }

    #[test]
    fn outside_git_the_gitignore_counts_and_the_message_says_so() {
        // A folder that is no git repository (yet).
        let dir = tempfile::tempdir().expect("tempdir");
        for (path, text) in [
            (
                "compose.yaml",
                "services:\n  a:\n    secrets: [m, n]\nsecrets:\n  m:\n    file: ./secrets/m.txt\n  n:\n    file: ./n.txt\n",
            ),
            ("secrets/m.txt", "pw"),
            ("n.txt", "pw"),
            (".gitignore", "secrets/\n"),
        ] {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        let root = dir.path().to_path_buf();
        let mut analysis = crate::analysis::Analysis::load(root.clone(), &[root]);
        let found: Vec<_> = analysis
            .check()
            .into_iter()
            .filter(|f| f.code == "CS006")
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("`n.txt`"), "{}", found[0].message);
        assert!(
            found[0].message.contains("not in a git repository"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_file_outside_the_project_is_never_committed() {
        let outside = tempfile::NamedTempFile::new().expect("temp file");
        let compose = format!(
            "services:\n  a:\n    secrets: [m]\nsecrets:\n  m:\n    file: {}\n",
            outside.path().display()
        );
        assert!(run(&[("compose.yaml", &compose)], "CS006").is_empty());
    }
}
