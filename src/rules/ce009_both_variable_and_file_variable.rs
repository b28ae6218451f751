//! What it finds: a service that sets both `X` and `X_FILE` (over all the files that write
//! about it: base, overrides, anchors merged with `<<`, `extends:`), when `X` is a variable
//! the service's image reads as `X_FILE` or a secret-like name.
//!
//! Why it matters: the official images' entrypoints refuse to start with both set
//! ("error: both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set (but are
//! exclusive)"); programs that do start pick one of them silently, so the secret file may
//! not be the password in use. It usually means a migration to secrets was left half done,
//! often with the old password still in the file.
//!
//! Not reported: either value empty (`X: ""` counts as unset for the entrypoints, and so
//! does `X: ${X}` when the project's `.env` or an `include:` entry's `env_file:` sets
//! `X=`), and pairs of ordinary variables (`LOG` and `LOG_FILE`) on images that do not
//! read `_FILE`.
//!
//! Example:
//! ```yaml
//! services:
//!   db:
//!     image: postgres:16
//!     environment:
//!       POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
//!       POSTGRES_PASSWORD_FILE: /run/secrets/postgres_password
//! ```
//!
//! Fix: remove `X` and keep `X_FILE` pointing at the granted secret (if `X` is set in an
//! override file or an `x-` anchor, remove it there).

use super::ce_support::{file_variable_image, run_image};
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::compose::{EnvVar, Project};
use crate::detect::classify::{ValueClass, classify_value, is_secret_name};
use crate::finding::{Finding, Severity};

pub struct BothVariableAndFileVariable;

pub static INFO: RuleInfo = RuleInfo {
    code: "CE009",
    name: "both-variable-and-file-variable",
    severity: Severity::Error,
    source: include_str!("ce009_both_variable_and_file_variable.rs"),
};

/// Set to something that is not empty (`- X` with no value may be empty in the shell, so it
/// counts only for `X_FILE`'s partner when written), also once the project's files give
/// its variables their values (`X: ${X}` with `X=` in `.env` is empty).
fn is_set(project: &Project, var: &EnvVar) -> bool {
    var.value
        .as_deref()
        .is_some_and(|v| classify_value(v) != ValueClass::Empty)
        && project
            .env_value_from_files(var)
            .is_none_or(|v| !v.trim().is_empty())
}

impl Rule for BothVariableAndFileVariable {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for (index, project) in analysis.projects.iter().enumerate() {
            for service in &project.services {
                let image = run_image(analysis, index, service);
                let image = image.as_deref();
                let vars = service.effective_environment();
                let last = |name: &str| vars.iter().find(|v| v.name == name).copied();
                let mut seen = Vec::new();
                for file_var in &vars {
                    let Some(base) = file_var.name.strip_suffix("_FILE") else {
                        continue;
                    };
                    if base.is_empty() || seen.contains(&base) {
                        continue;
                    }
                    seen.push(base);
                    let (Some(file_var), Some(plain)) = (last(&file_var.name), last(base)) else {
                        continue;
                    };
                    if !is_set(project, file_var) || !is_set(project, plain) {
                        continue;
                    }
                    let repo = file_variable_image(image, base);
                    if repo.is_none() && !is_secret_name(base) {
                        continue;
                    }
                    let file_at = analysis.ws.files.get(file_var.file);
                    let where_file = format!(
                        "{}:{}",
                        file_at.display,
                        file_at.line_col(file_var.name_span.start).line
                    );
                    let exclusive = image.is_some_and(crate::detect::images::refuses_both);
                    let consequence = match &repo {
                        Some(r) if !exclusive => format!(
                            "the `{r}` image takes one of them and ignores the other, so the file may not be what is used"
                        ),
                        Some(r) => format!(
                            "the `{r}` entrypoint refuses to start (\"both {base} and {base}_FILE are set (but are exclusive)\")"
                        ),
                        None => "the program reads only one of them, and which one is up to it"
                            .to_owned(),
                    };
                    out.push(
                        Finding::new(
                            &INFO,
                            plain.file,
                            plain.name_span,
                            format!(
                                "service `{}` sets both `{base}` and `{base}_FILE` (at {where_file}): {consequence}",
                                service.name
                            ),
                        )
                        .help(format!(
                            "remove `{base}` and keep `{base}_FILE` pointing at the granted secret"
                        ))
                        .anchor(format!("services.{}.environment.{base}", service.name)),
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
    fn pairs_left_empty_by_the_project_env_do_not_conflict() {
        let compose = "services:\n  gearman:\n    image: artefactual/gearmand:1.1.21.4-alpine\n    environment:\n      - GEARMAN_MYSQL_PASSWORD=${GEARMAN_MYSQL_PASSWORD}\n      - GEARMAN_MYSQL_PASSWORD_FILE=${GEARMAN_MYSQL_PASSWORD_FILE}\n";
        let empty = run(
            &[
                ("compose.yaml", compose),
                (
                    ".env",
                    "GEARMAN_MYSQL_PASSWORD=\nGEARMAN_MYSQL_PASSWORD_FILE=\n",
                ),
            ],
            "CE009",
        );
        assert!(empty.is_empty(), "{empty:?}");
        let both = run(
            &[
                ("compose.yaml", compose),
                (
                    ".env",
                    "GEARMAN_MYSQL_PASSWORD=Vb8-queue-41\nGEARMAN_MYSQL_PASSWORD_FILE=/run/secrets/gearman_db\n",
                ),
            ],
            "CE009",
        );
        assert_eq!(both, ["compose.yaml:5"]);
        // Unknown values (nothing in the files): the pair may well both be set.
        assert_eq!(
            run(&[("compose.yaml", compose)], "CE009"),
            ["compose.yaml:5"]
        );
    }

    #[test]
    fn fires_on_pairs_merged_over_files_and_anchors() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "x-db-env: &db-env\n  MYSQL_ROOT_PASSWORD: ${MYSQL_ROOT_PASSWORD}\nservices:\n  db:\n    image: mysql:8.4\n    environment:\n      <<: *db-env\n      MYSQL_ROOT_PASSWORD_FILE: /run/secrets/mysql_root\n  api:\n    image: example/api\n    environment:\n      - API_TOKEN_FILE=/run/secrets/api_token\n",
                ),
                (
                    "compose.override.yaml",
                    "services:\n  api:\n    environment:\n      - API_TOKEN=dev-token-77x\n",
                ),
            ],
            "CE009",
        );
        assert_eq!(found, ["compose.override.yaml:4", "compose.yaml:2"]);
    }

    #[test]
    fn ordinary_pairs_and_empty_values_do_not_fire() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  app:\n    image: example/app\n    environment:\n      LOG: debug\n      LOG_FILE: /var/log/app.log\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: \"\"\n      POSTGRES_PASSWORD_FILE: /run/secrets/pg\n",
            )],
            "CE009",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn message_quotes_the_entrypoint() {
        let m = messages(
            &[(
                "compose.yaml",
                "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${PG}\n      POSTGRES_PASSWORD_FILE: /run/secrets/pg\n",
            )],
            "CE009",
        );
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("are exclusive"), "{}", m[0]);
    }
}
