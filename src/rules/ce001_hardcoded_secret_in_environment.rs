//! What it finds: a service `environment:` entry (map form `KEY: value` or list form
//! `- KEY=value`, also when merged in from an `x-` anchor with `<<`) whose name is
//! secret-like (`DB_PASSWORD`, `API_KEY`, `JWT_SECRET`, …) and whose value is written in the
//! compose file; and a secret inside a multi-line value that holds a program's
//! configuration (`GITLAB_OMNIBUS_CONFIG: |` with `gitlab_rails['db_password'] = '…'`, INI,
//! YAML or JSON text, a PEM private key), read as the language it is written in (a URL
//! with a password there is CE003). An entry commented out with a value that looks real
//! (`# OIDC_CLIENT_SECRET: 9d2f…`) is a warning (an error for a known token format): the
//! comment is still in git.
//!
//! Why it matters: the compose file is committed, copied and shared; a password in it is
//! readable by everyone with the repository, stays in its history after it is changed, and
//! ends up in the container's environment (`docker inspect`, `/proc/<pid>/environ`, crash
//! reports). A value that looks like a placeholder (`changeme`, `example`, `FAKE…`) is a
//! warning: it is no leaked credential, but shipped defaults are deployed more often than
//! anyone thinks. A weak real-looking value (`postgres`, `admin`) is an error like any other. The finding is
//! reported where the literal is written, so a value in an `x-` anchor is reported on the
//! anchor's line.
//!
//! Not reported: values taken from the environment (`${DB_PASSWORD}`,
//! `${DB_PASSWORD:?required}`; a literal default `${DB_PASSWORD:-x}` is CE002), `*_FILE`
//! variables, paths under `/run/secrets/`, empty values, booleans, and names that describe a
//! property of a secret rather than the secret (`POSTGRES_HOST_AUTH_METHOD`,
//! `PASSWORD_MIN_LENGTH`, `TOKEN_TTL`), and `*_DSN` values that cannot hold a credential
//! (a file path such as `.test.db`, a URL without user-info). `$$` is an escaped `$`, so
//! `$$ecret` is the literal `$ecret` and is reported.
//!
//! Example:
//! ```yaml
//! services:
//!   db:
//!     image: postgres:16
//!     environment:
//!       POSTGRES_PASSWORD: Hq4-Vn8-Rt2-Zw6
//! ```
//!
//! Fix: for images that read `<VAR>_FILE` (postgres, mysql, mariadb, mongo, wordpress, …),
//! mount a compose secret and set `POSTGRES_PASSWORD_FILE: /run/secrets/postgres_password`;
//! otherwise use a compose secret the program reads from `/run/secrets/<name>`, or take the
//! value from the environment (`${POSTGRES_PASSWORD:?}`, from a git-ignored `.env`). Then
//! rotate the password: it is in the repository's history. `stowaway check --fix
//! --unsafe-fixes` makes the move for images that read `<VAR>_FILE`: the value to a
//! git-ignored `./secrets/<name>.txt`, the secret defined and granted to each service
//! receiving it, `VAR` replaced by `VAR_FILE`.

use super::ce_support::{env_value_span, environment_fix, has_reference, run_image};
use super::support::commented_out;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::compose::{EnvVar, Service, interpolate};
use crate::detect::classify::{
    ValueClass, classify_value, dsn_may_hold_secret, redact, secret_name_reason,
};
use crate::detect::embedded::embedded_secrets;
use crate::finding::{Finding, Severity};
use crate::fix::move_to_secret::{Environments, move_to_secret};
use crate::yaml::locate_in_scalar;

pub struct HardcodedSecretInEnvironment;

pub static INFO: RuleInfo = RuleInfo {
    code: "CE001",
    name: "hardcoded-secret-in-environment",
    severity: Severity::Error,
    source: include_str!("ce001_hardcoded_secret_in_environment.rs"),
};

impl Rule for HardcodedSecretInEnvironment {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for file in &project.files {
                commented_out(analysis, &INFO, file.file, out);
            }
        }
        for (index, project) in analysis.projects.iter().enumerate() {
            // Built at the first finding of the project, for the fixes.
            let mut envs: Option<Environments<'_>> = None;
            let mut fixed = std::collections::HashSet::new();
            for service in &project.services {
                let image = run_image(analysis, index, service);
                let image = image.as_deref();
                for var in service.environment() {
                    let Some(value) = &var.value else {
                        continue;
                    };
                    if var.name.to_ascii_uppercase().ends_with("_FILE") {
                        continue;
                    }
                    let Some(reason) = secret_name_reason(&var.name) else {
                        if value.contains('\n') {
                            embedded(analysis, service, var, value, out);
                        }
                        continue;
                    };
                    if has_reference(value) {
                        continue;
                    }
                    let class = classify_value(value);
                    if !matches!(class, ValueClass::Literal | ValueClass::Placeholder) {
                        continue;
                    }
                    if reason == "dsn" && !dsn_may_hold_secret(value) {
                        continue;
                    }
                    let src = &analysis.ws.files.get(var.file).text;
                    let Some(span) = env_value_span(src, var) else {
                        continue;
                    };
                    let shown = redact(value.trim());
                    let message = format!(
                        "`{}` ({reason}) is hardcoded in the compose file (`{shown}`)",
                        var.name
                    );
                    let mut finding = Finding::new(&INFO, var.file, span, message)
                        .value_class(class)
                        .help(environment_fix(image, &var.name, true))
                        .anchor(format!(
                            "services.{}.environment.{}",
                            service.name, var.name
                        ))
                        .secret(span);
                    // An entry of an `x-` anchor is found once per service merging it;
                    // its fix is made once (the copies are merged into one finding).
                    let first = fixed.insert((var.file, var.node.span, var.name.as_str()));
                    let envs =
                        envs.get_or_insert_with(|| Environments::of(analysis, index, movable));
                    if first
                        && let Some(fix) = interpolate::unescape_literal(value)
                            .and_then(|v| move_to_secret(analysis, index, envs, var, &v))
                    {
                        finding = finding.fix(fix);
                    }
                    out.push(finding);
                }
            }
        }
    }
}

/// The value a container receives for `entry` when it is a hardcoded secret as this rule
/// reports it: entries with one value are moved into one secret.
fn movable(entry: &EnvVar) -> Option<String> {
    let written = entry.value.as_ref()?;
    let hardcoded = !entry.name.to_ascii_uppercase().ends_with("_FILE")
        && secret_name_reason(&entry.name).is_some()
        && !has_reference(written)
        && matches!(
            classify_value(written),
            ValueClass::Literal | ValueClass::Placeholder
        );
    hardcoded
        .then(|| interpolate::unescape_literal(written))
        .flatten()
}

/// Secrets inside a multi-line value that is a program's configuration
/// (`GITLAB_OMNIBUS_CONFIG: |` holding `gitlab_rails['db_password'] = '…'`).
fn embedded(
    analysis: &Analysis,
    service: &Service,
    var: &EnvVar,
    value: &str,
    out: &mut Vec<Finding>,
) {
    let src = &analysis.ws.files.get(var.file).text;
    // In the list form the node is the whole `KEY=value` entry.
    let offset = if var.list_form { var.name.len() + 1 } else { 0 };
    // URLs with a password are CE003's, wherever they are.
    for found in embedded_secrets(value).into_iter().filter(|f| !f.in_url) {
        let range = offset + found.range.start..offset + found.range.end;
        let span = locate_in_scalar(src, &var.node, range);
        let shown = value
            .get(found.range.clone())
            .map(redact)
            .unwrap_or_default();
        out.push(
            Finding::new(
                &INFO,
                var.file,
                span,
                format!(
                    "`{}` holds {} (`{shown}`), hardcoded in the compose file",
                    var.name, found.what
                ),
            )
            .value_class(found.class)
            .help(format!(
                "keep the secret out of `{}`: put it in a compose secret and have the configuration read it from `/run/secrets/<name>` (GitLab: `gitlab_rails['db_password'] = File.read('/run/secrets/db_password').strip`)",
                var.name
            ))
            .anchor(format!(
                "services.{}.environment.{} {}",
                service.name, var.name, found.what
            ))
            .secret(span),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    fn ce001(compose: &str) -> Vec<String> {
        run(&[("compose.yaml", compose)], "CE001")
    }

    #[test]
    fn map_and_list_form() {
        let found = ce001(
            "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: Hq4-Vn8-Rt2-Zw6\n  api:\n    image: example/api\n    environment:\n      - API_KEY=9f2c41d07be84a3c\n      - LOG_LEVEL=info\n",
        );
        assert_eq!(found, ["compose.yaml:6", "compose.yaml:10"]);
    }

    #[test]
    fn literal_in_an_anchor_is_reported_where_it_is_written() {
        let found = ce001(
            "x-env: &env\n  DB_HOST: db\n  DB_PASSWORD: Rt2-Zw6-Hq4\nservices:\n  a:\n    environment:\n      <<: *env\n  b:\n    environment:\n      <<: *env\n      EXTRA: 1\n",
        );
        assert_eq!(found, ["compose.yaml:3"]);
    }

    #[test]
    fn block_scalar_points_at_the_value_line() {
        let found = ce001(
            "services:\n  a:\n    environment:\n      JWT_SECRET: |\n        kq93Jd0vLx72mN4pQ\n",
        );
        assert_eq!(found, ["compose.yaml:5"]);
    }

    #[test]
    fn traps_do_not_fire() {
        let found = ce001(
            "services:\n  a:\n    image: postgres\n    environment:\n      DB_PASSWORD: ${DB_PASSWORD}\n      API_TOKEN: ${API_TOKEN:?set API_TOKEN}\n      SESSION_SECRET: ${SESSION_SECRET:-dev-secret-881}\n      POSTGRES_PASSWORD_FILE: /run/secrets/pg\n      POSTGRES_HOST_AUTH_METHOD: trust\n      PASSWORD_MIN_LENGTH: 8\n      TOKEN_TTL: 3600\n      SITE_AUTHOR: Jane\n      AUTH_MODE: oidc\n      PASSWORD_RESET_URI: /reset\n      ALLOW_EMPTY_PASSWORD: \"no\"\n      SMTP_PASSWORD: \"\"\n      REDIS_PASSWORD:\n      BASIC_AUTH: \"false\"\n      APP_SECRET: /run/secrets/app_secret\n      TEST_DATABASE_DSN: \".test.db\"\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_dsn_fires_only_with_a_credential() {
        let found = ce001(
            "services:\n  a:\n    environment:\n      SENTRY_DSN: https://3f9a1c7e5b2d4068a1c3@o123456.ingest.sentry.io/42\n      CACHE_DSN: sqlite:///data/cache.db\n",
        );
        assert_eq!(found, ["compose.yaml:4"]);
    }

    #[test]
    fn dollar_escapes_are_literal() {
        let found = ce001("services:\n  a:\n    environment:\n      - ADMIN_PASSWORD=$$ecret77\n");
        assert_eq!(found, ["compose.yaml:4"]);
    }

    #[test]
    fn placeholder_message_and_file_variable_advice() {
        let m = messages(
            &[(
                "compose.yaml",
                "services:\n  db:\n    image: docker.io/library/postgres:16-alpine\n    environment:\n      POSTGRES_PASSWORD: changeme\n",
            )],
            "CE001",
        );
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("placeholder"), "{}", m[0]);
        assert!(!m[0].contains("changeme"), "{}", m[0]);
    }

    #[test]
    fn placeholders_are_warnings_and_weak_real_values_errors() {
        let got: Vec<(usize, crate::finding::Severity)> = crate::rules::support::testing::findings(
            &[(
                "compose.yaml",
                "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: changeme\n  cache:\n    image: redis\n    environment:\n      REDIS_PASSWORD: postgres\n  api:\n    image: acme/api\n    environment:\n      API_TOKEN: <your-token>\n",
            )],
            "CE001",
        )
        .into_iter()
        .map(|f| (f.span.start, f.severity))
        .collect();
        use crate::finding::Severity::{Error, Warning};
        assert_eq!(
            got.iter().map(|g| g.1).collect::<Vec<_>>(),
            [Warning, Error, Warning],
            "{got:?}"
        );
    }

    #[test]
    fn never_prints_the_value() {
        let m = messages(
            &[(
                "compose.yaml",
                "services:\n  a:\n    environment:\n      STRIPE_SECRET_KEY: sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
            )],
            "CE001",
        );
        assert_eq!(m.len(), 1);
        assert!(!m[0].contains("4eC39HqLyjWDarjtT1zdp7dc"), "{}", m[0]);
    }
}
