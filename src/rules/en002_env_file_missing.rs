//! What it finds: a service's `env_file:` that points at a file that does not exist, is not
//! marked `required: false`, and is not git-ignored.
//!
//! Why it matters: `docker compose up` refuses to start ("env file ... not found"). A
//! missing env file that *is* git-ignored is the recommended setup (each machine provides
//! its own), so it is not reported; neither is `required: false` (Compose 2.24+).
//!
//! Example:
//! ```yaml
//! services:
//!   api:
//!     env_file: ./config/api.env   # no such file, not in .gitignore
//! ```
//!
//! Fix: correct the path; or, when the file is provided per machine, add it to
//! `.gitignore` and commit an example, or use the long syntax with `required: false`.

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::compose::paths::resolve_path;
use crate::finding::{Finding, Severity};

pub struct EnvFileMissing;

pub static INFO: RuleInfo = RuleInfo {
    code: "EN002",
    name: "env-file-missing",
    severity: Severity::Warning,
    source: include_str!("en002_env_file_missing.rs"),
};

impl Rule for EnvFileMissing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for service in &project.services {
                for part in &service.parts {
                    for env_file in &part.env_files {
                        if !env_file.required {
                            continue;
                        }
                        let Ok(path) =
                            resolve_path(&env_file.dir, &env_file.path.value, &project.dotenv)
                        else {
                            continue; // reported as an unresolved path elsewhere
                        };
                        if path.symlink_metadata().is_ok() || analysis.git_ignored(&path, false) {
                            continue;
                        }
                        let shown = analysis.ws.display(&path);
                        out.push(
                            Finding::new(
                                &INFO,
                                env_file.file,
                                env_file.path.span,
                                format!(
                                    "service `{}` reads env file `{shown}`, which does not exist and is not git-ignored: `docker compose up` will fail",
                                    service.name
                                ),
                            )
                            .help(format!(
                                "correct the path; if each machine provides the file, add `{shown}` to .gitignore, or mark it optional with `env_file: [{{path: {}, required: false}}]`",
                                env_file.path.value
                            ))
                            .anchor(format!("services.{}.env_file.{}", service.name, env_file.path.value)),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::run;

    #[test]
    fn fires_on_a_missing_required_file() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  api:\n    image: x\n    env_file:\n      - ./config/api.env\n      - path: ./config/extra.env\n        required: true\n",
            )],
            "EN002",
        );
        assert_eq!(found, ["compose.yaml:5", "compose.yaml:6"]);
    }

    #[test]
    fn quiet_when_present_optional_or_ignored() {
        let found = run(
            &[
                (".gitignore", "local.env\n"),
                (
                    "compose.yaml",
                    "services:\n  api:\n    image: x\n    env_file:\n      - ./api.env\n      - local.env\n      - path: ./opt.env\n        required: false\n",
                ),
                ("api.env", "A=1\n"),
            ],
            "EN002",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
