//! What it finds: a URL with a literal password, `scheme://user:password@host`, in any value
//! of a compose file: environment, command and entrypoint (list or string form),
//! healthcheck, labels, `x-` fields, block scalars.
//!
//! Why it matters: connection strings are copied around whole; the password inside one is
//! committed with the compose file, shown by `docker inspect` and `ps`, and written to logs
//! by programs that print their configuration or their command line.
//!
//! Not reported: passwords that come from variables (`postgres://${DB_USER}:${DB_PASS}@db`,
//! `$$PASS` in a command run by a shell), URLs with a user but no password
//! (`https://user@host`), and obvious placeholders (`postgres://user:password@localhost`,
//! `<password>`, `****`).
//!
//! Example:
//! ```yaml
//! services:
//!   worker:
//!     command: ["celery", "worker", "--broker", "redis://:Zt5uQ2wx@redis:6379/0"]
//! ```
//!
//! Fix: build the URL from variables (`redis://:${REDIS_PASSWORD:?}@redis:6379/0`), or pass
//! the password separately through a compose secret if the program can read one
//! (`REDIS_PASSWORD_FILE`, `--requirepass-file`). Rotate the password.

use super::ce_support::walk_scalars;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::detect::classify::redact;
use crate::detect::url::find_url_credentials;
use crate::finding::{Finding, Severity};
use crate::yaml::locate_in_scalar;

pub struct CredentialsInUrl;

pub static INFO: RuleInfo = RuleInfo {
    code: "CE003",
    name: "credentials-in-url",
    severity: Severity::Error,
    source: include_str!("ce003_credentials_in_url.rs"),
};

impl Rule for CredentialsInUrl {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for cf in &project.files {
                let src = &analysis.ws.files.get(cf.file).text;
                let mut scalars = Vec::new();
                walk_scalars(&cf.root, |v| v.contains("://"), &mut scalars);
                for at in &scalars {
                    let Some(value) = at.node.as_str() else {
                        continue;
                    };
                    if !value.contains("://") {
                        continue;
                    }
                    for cred in find_url_credentials(value) {
                        let Some(password) = value.get(cred.password.clone()) else {
                            continue;
                        };
                        let span = locate_in_scalar(src, at.node, cred.password.clone());
                        out.push(
                            Finding::new(
                                &INFO,
                                cf.file,
                                span,
                                format!(
                                    "`{}://` URL in `{}` holds a literal password (`{}`)",
                                    cred.scheme,
                                    at.path,
                                    redact(password)
                                ),
                            )
                            .help(
                                "take the password from a variable (`scheme://user:${DB_PASSWORD:?}@host`) or give it to the program as a compose secret; then rotate it",
                            )
                            .anchor(format!("{}.{}", at.path, cred.scheme))
                            .secret(span),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    fn ce003(compose: &str) -> Vec<String> {
        run(&[("compose.yaml", compose)], "CE003")
    }

    #[test]
    fn fires_everywhere_in_the_file() {
        let found = ce003(concat!(
            "x-broker: &broker amqp://shop:Rabbit-77xQ@mq:5672/\n",
            "services:\n",
            "  worker:\n",
            "    command: [\"celery\", \"--broker\", \"redis://:Zt5uQ2wx@redis:6379/0\"]\n",
            "    entrypoint: sh -c 'wait-for postgres://app:Pg-31kLq@db:5432/app'\n",
            "    healthcheck:\n",
            "      test: [\"CMD\", \"curl\", \"-f\", \"https://admin:Hc9-v2Lw@localhost/health\"]\n",
            "    labels:\n",
            "      com.example.backup-target: mongodb://root:M0ngo-8812@mongo/db\n",
            "    environment:\n",
            "      BROKER_URL: *broker\n",
            "      DATABASE_URL: |\n",
            "        postgresql://shop:Zq81-wLm4@db/shop\n",
        ));
        assert_eq!(
            found,
            [
                "compose.yaml:1",
                "compose.yaml:4",
                "compose.yaml:5",
                "compose.yaml:7",
                "compose.yaml:9",
                "compose.yaml:13"
            ]
        );
    }

    #[test]
    fn references_users_and_placeholders_do_not_fire() {
        let found = ce003(
            "services:\n  a:\n    environment:\n      DATABASE_URL: postgres://${DB_USER}:${DB_PASS}@db/app\n      REDIS_URL: redis://:$${REDIS_PASSWORD}@redis\n      REPO: https://deploy@git.example.com/repo.git\n      DOCS: postgres://user:password@localhost/db\n      HOME_URL: https://example.com:8443/a\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn message_is_redacted() {
        let m = messages(
            &[(
                "compose.yaml",
                "services:\n  a:\n    command: redis-server --replicaof redis://:Zt5uQ2wxLp@primary:6379\n",
            )],
            "CE003",
        );
        assert_eq!(m.len(), 1);
        assert!(!m[0].contains("Zt5uQ2wxLp"), "{}", m[0]);
    }
}
