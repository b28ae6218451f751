//! What it finds: a service's `secrets:` entry (short or long syntax) names a secret that no
//! compose file of the project defines under the top-level `secrets:`.
//!
//! Why it matters: `docker compose up` refuses to start the project ("service "api" refers
//! to undefined secret db_pasword"), and `docker stack deploy` fails the same way. The
//! project is read as Compose reads it: the base file, its override files and `include`d
//! files together, so a secret defined in one of them and used in another is fine.
//!
//! Example:
//! ```yaml
//! services:
//!   api:
//!     secrets: [db_pasword]      # typo
//! secrets:
//!   db_password:
//!     file: ./secrets/db_password.txt
//! ```
//!
//! Fix: define the secret at the top level (with `file:`, `environment:` or
//! `external: true`), or correct the name.

use super::support::did_you_mean;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct UndefinedSecret;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS001",
    name: "undefined-secret",
    severity: Severity::Error,
    source: include_str!("cs001_undefined_secret.rs"),
};

impl Rule for UndefinedSecret {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        // A project not read whole may define the secret in the files not read.
        for project in analysis.projects.iter().filter(|p| p.is_complete()) {
            for service in &project.services {
                for reference in service.secrets() {
                    let Some(source) = &reference.source else {
                        continue;
                    };
                    if source.value.contains('$') || project.secret(&source.value).is_some() {
                        continue;
                    }
                    let name = &source.value;
                    let template = project.template_secrets.iter().find(|t| &t.name == name);
                    let (message, severity, help) = match template {
                        Some(t) => (
                            format!(
                                "service `{}` uses secret `{name}`, which only the template `{}` defines: `docker compose up` fails until the real file is created from it",
                                service.name, t.template
                            ),
                            Severity::Warning,
                            format!(
                                "create `{}` from `{}` (and keep it out of git) before `docker compose up`",
                                t.template
                                    .rsplit_once('.')
                                    .map_or(t.template.as_str(), |(stem, _)| stem),
                                t.template
                            ),
                        ),
                        None => (
                            format!(
                                "service `{}` uses secret `{name}`, which no compose file of the project defines",
                                service.name
                            ),
                            INFO.severity,
                            match did_you_mean(name, project.secret_names()) {
                                Some(s) => format!("did you mean `{s}`?"),
                                None => format!(
                                    "define it under the top-level `secrets:` with `file:`, `environment:` or `external: true`, e.g.\nsecrets:\n  {name}:\n    file: ./secrets/{name}.txt"
                                ),
                            },
                        ),
                    };
                    out.push(
                        Finding::new(&INFO, reference.file, source.span, message)
                            .severity(severity)
                            .help(help)
                            .anchor(format!("services.{}.secrets.{name}", service.name)),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    #[test]
    fn fires_on_short_and_long_syntax() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  api:\n    image: x\n    secrets:\n      - db_pasword\n      - source: api_key\n        target: key\nsecrets:\n  db_password:\n    file: ./db.txt\n",
            )],
            "CS001",
        );
        assert_eq!(found, ["compose.yaml:5", "compose.yaml:6"]);
    }

    #[test]
    fn suggests_the_close_name() {
        let m = messages(
            &[(
                "compose.yaml",
                "services:\n  a:\n    secrets: [db_pasword]\nsecrets:\n  db_password:\n    environment: X\n",
            )],
            "CS001",
        );
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("`db_pasword`"));
    }

    #[test]
    fn secrets_defined_in_the_base_include_or_override_count() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "include:\n  - infra/db.yaml\nservices:\n  api:\n    secrets: [from_override, from_include]\nsecrets:\n  from_base:\n    environment: A\n",
                ),
                (
                    "compose.override.yaml",
                    "services:\n  api:\n    secrets: [from_base]\nsecrets:\n  from_override:\n    environment: B\n",
                ),
                (
                    "infra/db.yaml",
                    "services:\n  db:\n    image: postgres\n    secrets: [from_include]\nsecrets:\n  from_include:\n    file: ./pw.txt\n",
                ),
            ],
            "CS001",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_service_named_secrets_is_not_a_secret_section() {
        let found = run(
            &[("compose.yaml", "services:\n  secrets:\n    image: vault\n")],
            "CS001",
        );
        assert!(found.is_empty());
    }

    #[test]
    fn a_secret_defined_only_in_a_template_is_a_warning_naming_it() {
        let files = [
            (
                "compose.yaml",
                "services:\n  zulip:\n    image: zulip\n    secrets: [zulip__postgres_password, typo]\n",
            ),
            (
                "compose.override.yaml.example",
                "secrets:\n  zulip__postgres_password:\n    file: ./secrets/pg.txt\n",
            ),
        ];
        let found = run(&files, "CS001");
        assert_eq!(found, ["compose.yaml:4", "compose.yaml:4"]);
        let m = messages(&files, "CS001");
        assert!(
            m.iter()
                .any(|m| m.contains("only the template `compose.override.yaml.example`")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|m| m.contains("`typo`, which no compose file")),
            "{m:?}"
        );
    }
}
