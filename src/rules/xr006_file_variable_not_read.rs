//! What it finds: a `*_FILE` environment variable that the service's image does not read,
//! for images known to read `<VAR>_FILE` (postgres, mysql, mariadb, mongo, wordpress, …;
//! the table is `rules/file-env-images.toml`). It is reported when the variable looks
//! meant for the image (it shares the image's prefix, like `POSTGRES_`) and carries a
//! secret (it points under `/run/secrets/` or names a secret-like variable).
//!
//! Why it matters: the entrypoint silently ignores the variable, so the secret is never
//! used: the database starts with no password, or with a default one. A real case from a
//! public sample app: `POSTGRES_DB_PASSWORD_FILE` on `postgres`, which reads
//! `POSTGRES_PASSWORD_FILE`.
//!
//! Example:
//! ```yaml
//! services:
//!   db:
//!     image: postgres:16
//!     environment:
//!       POSTGRES_DB_PASSWORD_FILE: /run/secrets/db_password   # ignored by the image
//! ```
//!
//! Fix: use a name the image reads (the message lists them), e.g.
//! `POSTGRES_PASSWORD_FILE: /run/secrets/db_password`.

use super::ce_support::service_image;
use super::support::did_you_mean;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::detect::classify::is_secret_name;
use crate::detect::images;
use crate::finding::{Finding, Severity};

pub struct FileVariableNotRead;

pub static INFO: RuleInfo = RuleInfo {
    code: "XR006",
    name: "file-variable-not-read",
    severity: Severity::Warning,
    source: include_str!("xr006_file_variable_not_read.rs"),
};

fn prefix(name: &str) -> &str {
    name.split('_').next().unwrap_or(name)
}

impl Rule for FileVariableNotRead {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for service in &project.services {
                let Some(image) = service_image(service) else {
                    continue;
                };
                let Some(vars) = images::file_variables(image) else {
                    continue;
                };
                let Some(repo) = images::official_name(image) else {
                    continue;
                };
                for var in service.environment() {
                    let Some(base) = var.name.strip_suffix("_FILE") else {
                        continue;
                    };
                    if base.is_empty() || base.ends_with('_') || vars.iter().any(|v| v == base) {
                        continue;
                    }
                    let ours = vars.iter().any(|v| prefix(v) == prefix(base));
                    let secret = var
                        .value
                        .as_deref()
                        .is_some_and(|v| v.trim().starts_with("/run/secrets/"))
                        || is_secret_name(base);
                    if !ours || !secret {
                        continue;
                    }
                    let known: Vec<String> = vars.iter().map(|v| format!("{v}_FILE")).collect();
                    let help = match did_you_mean(&var.name, known.iter().map(String::as_str)) {
                        Some(s) => format!(
                            "did you mean `{s}`? The `{repo}` image reads {}",
                            known.join(", ")
                        ),
                        None => format!("the `{repo}` image reads {}", known.join(", ")),
                    };
                    out.push(
                        Finding::new(
                            &INFO,
                            var.file,
                            var.name_span,
                            format!("the `{repo}` image does not read `{}`: the secret it points at is never used", var.name),
                        )
                        .help(help)
                        .anchor(format!("services.{}.environment.{}", service.name, var.name)),
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
    fn fires_on_a_name_the_image_does_not_read() {
        let files = [(
            "compose.yaml",
            "services:\n  db:\n    image: postgres:16-alpine\n    environment:\n      POSTGRES_DB_PASSWORD_FILE: /run/secrets/db_password\n    secrets: [db_password]\nsecrets:\n  db_password:\n    environment: X\n",
        )];
        assert_eq!(run(&files, "XR006"), ["compose.yaml:5"]);
        let m = messages(&files, "XR006");
        assert!(m[0].contains("`postgres`"), "{}", m[0]);
    }

    #[test]
    fn names_the_image_reads_and_unrelated_files_are_fine() {
        let files = [(
            "compose.yaml",
            "services:\n  db:\n    image: docker.io/library/postgres:16\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n      PGDATA_FILE: /var/lib/x\n      LOG_FILE: /var/log/pg.log\n  app:\n    image: ghcr.io/acme/app:1\n    environment:\n      APP_DB_PASSWORD_FILE: /run/secrets/db_password\n",
        )];
        assert!(run(&files, "XR006").is_empty());
    }
}
