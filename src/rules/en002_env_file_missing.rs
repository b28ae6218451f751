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
//! A missing file that is git-ignored (or Portainer's generated `stack.env`) is one each
//! machine is expected to create: reported at info severity, saying so.
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
                        if path.symlink_metadata().is_ok() {
                            continue;
                        }
                        let shown = analysis.ws.display(&path);
                        let optional = format!(
                            "mark it optional with `env_file: [{{path: {}, required: false}}]`",
                            env_file.path.value
                        );
                        // A git-ignored file (or Portainer's generated `stack.env`) is one
                        // each machine creates: said at info severity.
                        let created_per_machine = analysis.git_ignored(&path, false)
                            || path.file_name().is_some_and(|n| n == "stack.env");
                        let (what, severity, help) = if created_per_machine {
                            (
                                "which each machine creates (it is git-ignored or generated): create it before `docker compose up`",
                                Severity::Info,
                                format!(
                                    "document how `{shown}` is made (a committed `{shown}.example`), or {optional}"
                                ),
                            )
                        } else {
                            (
                                "which does not exist and is not git-ignored: `docker compose up` will fail",
                                INFO.severity,
                                format!(
                                    "correct the path; if each machine provides the file, add `{shown}` to .gitignore, or {optional}"
                                ),
                            )
                        };
                        out.push(
                            Finding::new(
                                &INFO,
                                env_file.file,
                                env_file.path.span,
                                format!(
                                    "service `{}` reads env file `{shown}`, {what}",
                                    service.name
                                ),
                            )
                            .severity(severity)
                            .help(help)
                            .anchor(format!(
                                "services.{}.env_file.{}",
                                service.name, env_file.path.value
                            )),
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
    fn quiet_when_present_or_optional_and_a_note_when_each_machine_creates_it() {
        let files = [
            (".gitignore", "local.env\n"),
            (
                "compose.yaml",
                "services:\n  api:\n    image: x\n    env_file:\n      - ./api.env\n      - local.env\n      - path: ./opt.env\n        required: false\n      - stack.env\n",
            ),
            ("api.env", "A=1\n"),
        ];
        // `local.env` is git-ignored and Portainer writes `stack.env`: info notes.
        assert_eq!(run(&files, "EN002"), ["compose.yaml:6", "compose.yaml:9"]);
        let m = crate::rules::support::testing::messages(&files, "EN002");
        assert!(m.iter().all(|m| m.contains("create it before")), "{m:?}");
    }
}
