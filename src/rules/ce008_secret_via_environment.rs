//! What it finds: a secret-like environment variable whose value is passed in from outside
//! the compose file: `DB_PASSWORD: ${DB_PASSWORD}`, `${DB_PASSWORD:?required}`,
//! `- DB_PASSWORD` or `DB_PASSWORD:` with no value (taken from the shell). One finding per
//! variable and project, at its first place, naming the services that receive it. A
//! warning when one of those services' images reads `<VAR>_FILE` (postgres, mysql, mariadb,
//! mongo, wordpress, n8n, pgadmin4, minio, pihole, …: the fix is mechanical), information
//! otherwise.
//!
//! Why it matters: the value is not in the repository, but it is still in the container's
//! environment, where it leaks: `docker inspect` shows it to anyone with access to the
//! Docker socket, programs print their environment in logs and crash reports, and every
//! child process inherits it. A compose secret is a file under `/run/secrets/`, readable
//! only inside the container.
//!
//! Not reported: `*_FILE` variables (they carry a path, which is the point), variables
//! that are also set as `<VAR>_FILE` (CE009), literal values (CE001, CE002), and variables
//! that the project's `.env` (or the `env_file:` of the `include:` entry bringing the file
//! in) sets to a flag (`CASSANDRA_PASSWORD_SEEDER=no`): a setting, whatever its name.
//!
//! Example:
//! ```yaml
//! services:
//!   db:
//!     image: postgres:16
//!     environment:
//!       POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
//! ```
//!
//! Fix: define a secret that Compose reads from the same variable
//! (`secrets: {postgres_password: {environment: POSTGRES_PASSWORD}}`), grant it to the
//! service (`secrets: [postgres_password]`) and set
//! `POSTGRES_PASSWORD_FILE: /run/secrets/postgres_password` instead.

use std::collections::HashSet;

use super::ce_support::{environment_fix, file_variable_image, run_image};
use super::xr_common::list_names;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::compose::EnvVar;
use crate::detect::classify::{ValueClass, classify_value, is_setting, secret_name_reason};
use crate::finding::{Finding, Severity};

pub struct SecretViaEnvironment;

pub static INFO: RuleInfo = RuleInfo {
    code: "CE008",
    name: "secret-via-environment",
    severity: Severity::Warning,
    source: include_str!("ce008_secret_via_environment.rs"),
};

impl Rule for SecretViaEnvironment {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for (index, project) in analysis.projects.iter().enumerate() {
            // One finding per variable and project, at its first place, naming every
            // service that receives it: the advice is the same for all of them.
            let mut by_name: Vec<(&EnvVar, Vec<Receiver>)> = Vec::new();
            for service in &project.services {
                let image = run_image(analysis, index, service);
                let names: HashSet<&str> = service.environment().map(|v| v.name.as_str()).collect();
                for var in service.environment() {
                    if var.name.to_ascii_uppercase().ends_with("_FILE")
                        || names.contains(format!("{}_FILE", var.name).as_str())
                        || secret_name_reason(&var.name).is_none()
                    {
                        continue;
                    }
                    let from_outside = match &var.value {
                        None => true,
                        Some(v) => classify_value(v) == ValueClass::Reference,
                    };
                    // What the project's `.env` (or an `include:` entry's `env_file:`)
                    // gives it may show a setting with a secret-like name
                    // (`CASSANDRA_PASSWORD_SEEDER=no`, `WEBUI_AUTH=true`).
                    if !from_outside
                        || project
                            .env_value_from_files(var)
                            .is_some_and(|v| is_setting(&v))
                    {
                        continue;
                    }
                    let receiver = Receiver {
                        service: &service.name,
                        reads_file: file_variable_image(image.as_deref(), &var.name),
                        image: image.clone(),
                    };
                    match by_name.iter_mut().find(|(v, _)| v.name == var.name) {
                        Some((_, receivers)) => {
                            if !receivers.iter().any(|r| r.service == receiver.service) {
                                receivers.push(receiver);
                            }
                        }
                        None => by_name.push((var, vec![receiver])),
                    }
                }
            }
            for (var, receivers) in by_name {
                out.push(finding(var, &receivers));
            }
        }
    }
}

/// A service that receives a variable, and whether its image can read the variable from
/// a file instead.
struct Receiver<'a> {
    service: &'a str,
    image: Option<String>,
    reads_file: Option<String>,
}

fn finding(var: &EnvVar, receivers: &[Receiver]) -> Finding {
    let reason = secret_name_reason(&var.name).unwrap_or("secret");
    let how = if var.value.is_none() {
        "taken from the shell"
    } else {
        "interpolated from the environment"
    };
    let services: Vec<String> = receivers
        .iter()
        .map(|r| format!("`{}`", r.service))
        .collect();
    let whose = match services.as_slice() {
        [one] => format!("the environment of service {one}"),
        many => format!("the environment of services {}", list_names(many)),
    };
    let mut message = format!(
        "`{}` ({reason}) is {how} into {whose}, where it leaks through `docker inspect`, logs and child processes",
        var.name
    );
    let reading = receivers.iter().find(|r| r.reads_file.is_some());
    if let Some(r) = reading
        && let Some(repo) = &r.reads_file
    {
        message.push_str(&format!(
            "; the `{repo}` image can read it from a secret file with `{}_FILE`",
            var.name
        ));
    }
    let image = reading
        .or(receivers.first())
        .and_then(|r| r.image.as_deref());
    Finding::new(&INFO, var.file, var.name_span, message)
        .severity(if reading.is_some() {
            Severity::Warning
        } else {
            Severity::Info
        })
        .help(environment_fix(image, &var.name, false))
        .anchor(format!("environment.{}", var.name))
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::rules::support::testing::{project, run};

    fn ce008(compose: &str) -> Vec<String> {
        run(&[("compose.yaml", compose)], "CE008")
    }

    #[test]
    fn fires_on_references_and_values_from_the_shell() {
        let found = ce008(concat!(
            "services:\n",
            "  db:\n",
            "    image: postgres:16-alpine\n",
            "    environment:\n",
            "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}\n",
            "      POSTGRES_USER: app\n",
            "  api:\n",
            "    image: example/api:2\n",
            "    environment:\n",
            "      - STRIPE_SECRET_KEY\n",
            "      - SENTRY_DSN=$SENTRY_DSN\n",
            "      - LOG_LEVEL=${LOG_LEVEL}\n",
            "  worker:\n",
            "    image: example/worker\n",
            "    environment:\n",
            "      SMTP_PASSWORD:\n",
        ));
        assert_eq!(
            found,
            [
                "compose.yaml:5",
                "compose.yaml:10",
                "compose.yaml:11",
                "compose.yaml:16"
            ]
        );
    }

    #[test]
    fn settings_with_secret_like_names_are_told_by_their_value_in_the_project_files() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "include:\n  - path: cassandra/compose.yml\n    project_directory: .\n    env_file: cassandra/defaults.env\nservices:\n  webui:\n    image: ghcr.io/open-webui/open-webui:main\n    environment:\n      WEBUI_AUTH: ${OPEN_WEBUI_AUTH}\n      WEBUI_SECRET_KEY: ${OPEN_WEBUI_SECRET_KEY}\n",
                ),
                (".env", "OPEN_WEBUI_AUTH=true\nOPEN_WEBUI_SECRET_KEY=\n"),
                (
                    "cassandra/compose.yml",
                    "services:\n  cassandra:\n    image: bitnami/cassandra:4.1\n    environment:\n      - CASSANDRA_PASSWORD_SEEDER=${CASSANDRA_PASSWORD_SEEDER}\n      - CASSANDRA_PASSWORD=${CASSANDRA_PASSWORD}\n      - REDIS_PASSWORD\n",
                ),
                (
                    "cassandra/defaults.env",
                    "CASSANDRA_PASSWORD_SEEDER=no\nCASSANDRA_PASSWORD=None\nREDIS_PASSWORD=False\n",
                ),
            ],
            "CE008",
        );
        // `no` and `true` are flags; `None` and a blank value are secrets not filled in.
        assert_eq!(found, ["cassandra/compose.yml:6", "compose.yaml:10"]);
    }

    #[test]
    fn help_does_not_suggest_what_the_value_already_is() {
        let found = crate::rules::support::testing::findings(
            &[(
                "compose.yaml",
                "services:\n  cache:\n    image: redis:7\n    environment:\n      REDIS_PASSWORD: ${REDIS_PASSWORD}\n",
            )],
            "CE008",
        );
        let help = found[0].help.as_deref().unwrap_or_default();
        assert!(!help.contains(":?}"), "{help}");
        assert!(help.contains("{environment: REDIS_PASSWORD}"), "{help}");
    }

    #[test]
    fn severity_depends_on_the_image() {
        let dir = project(&[(
            "compose.yaml",
            "services:\n  db:\n    image: docker.io/library/mariadb:11\n    environment:\n      MARIADB_ROOT_PASSWORD: ${MARIADB_ROOT_PASSWORD}\n  app:\n    image: example/app\n    environment:\n      APP_SECRET: ${APP_SECRET}\n",
        )]);
        let mut analysis =
            crate::analysis::Analysis::load(dir.path().to_path_buf(), &[dir.path().to_path_buf()]);
        let sev: Vec<Severity> = analysis
            .check()
            .into_iter()
            .filter(|f| f.code == "CE008")
            .map(|f| f.severity)
            .collect();
        assert_eq!(sev, [Severity::Warning, Severity::Info]);
    }

    #[test]
    fn file_variables_literals_and_pairs_do_not_fire() {
        let found = ce008(
            "services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD_FILE: ${PG_PASSWORD_FILE}\n      DB_PASSWORD: hunter2x\n      API_TOKEN: ${API_TOKEN:-dev-token-1}\n      JWT_SECRET: ${JWT_SECRET}\n      JWT_SECRET_FILE: /run/secrets/jwt\n      TOKEN_TTL: ${TOKEN_TTL}\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn one_finding_per_variable_naming_the_services() {
        let found = crate::rules::support::testing::findings(
            &[(
                "compose.yaml",
                "x-env: &env\n  ELASTIC_PASSWORD: ${ELASTIC_PASSWORD:-}\nservices:\n  setup:\n    image: example/setup\n    environment: *env\n  kibana:\n    image: example/kibana\n    environment: *env\n  logstash:\n    image: example/logstash\n    environment:\n      ELASTIC_PASSWORD: ${ELASTIC_PASSWORD:-}\n",
            )],
            "CE008",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .message
                .contains("services `setup`, `kibana` and `logstash`"),
            "{}",
            found[0].message
        );
    }
}
