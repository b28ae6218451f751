//! What it finds: a literal credential in a compose service's `command`, `entrypoint` or
//! `healthcheck.test` (string or list form): `--password=...`, `-p...` for mysql clients,
//! `PGPASSWORD=... pg_isready`, `redis-cli -a ...`, `Authorization: Bearer ...`, and the
//! other forms `detect::command` knows. The same with `$$VAR` (a variable of the
//! container, read at run time) or `${VAR}` (interpolated by Compose) is fine.
//!
//! Why it matters: the command line is part of the container configuration: `docker
//! inspect` and `docker compose config` print it, `ps` inside and outside the container
//! shows it to every user, and the value is committed with the compose file.
//!
//! Example:
//! ```yaml
//! services:
//!   db:
//!     image: mariadb:11
//!     healthcheck:
//!       test: ["CMD", "mariadb-admin", "ping", "-uroot", "-pR00t-Pw9x"]
//! ```
//!
//! Passwords inside URLs (`redis://:pw@host`) are reported by CE003, not here.
//!
//! Fix: take the value from the container's environment at run time
//! (`"-p$$MARIADB_ROOT_PASSWORD"`, with that variable fed from a secret file), or use an
//! option that reads a file (`--password-file /run/secrets/db_password`).

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::detect::classify::redact;
use crate::detect::command::{CommandSecret, SecretKind, scan_argv, scan_shell};
use crate::finding::{Finding, Severity};
use crate::source::{FileId, Span};
use crate::yaml::{Node, locate_in_scalar};

pub struct SecretInCommand;

pub static INFO: RuleInfo = RuleInfo {
    code: "CE005",
    name: "secret-in-command",
    severity: Severity::Warning,
    source: include_str!("ce005_secret_in_command.rs"),
};

/// Passwords in URLs are CE003's (it covers every compose value, commands included).
fn not_url(s: &CommandSecret) -> bool {
    s.kind != SecretKind::UrlCredential
}

fn field_of(part_node: &Node, node: &Node) -> &'static str {
    for key in ["command", "entrypoint"] {
        if part_node.get(key).is_some_and(|n| n.span == node.span) {
            return key;
        }
    }
    "healthcheck.test"
}

fn finding(
    file: FileId,
    span: Span,
    service: &str,
    field: &str,
    secret: &CommandSecret,
    value: &str,
) -> Finding {
    Finding::new(
        &INFO,
        file,
        span,
        format!(
            "`{field}` of service `{service}` holds {} ({}) in clear: `{}`",
            secret.kind.describe(),
            secret.via,
            redact(value)
        ),
    )
    .help("read it at run time instead: `$$VAR` for a variable of the container (fed from a secret), or an option that reads a file under /run/secrets/")
    .anchor(format!("services.{service}.{field} {:?} {}", secret.kind, secret.via))
    .secret(span)
}

impl Rule for SecretInCommand {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for service in &project.services {
                for part in &service.parts {
                    let source = &analysis.ws.files.get(part.file).text;
                    for node in part.command_nodes() {
                        let field = field_of(&part.node, node);
                        if let Some(text) = node.as_str() {
                            for s in scan_shell(text).into_iter().filter(not_url) {
                                let value = text.get(s.range.clone()).unwrap_or("");
                                let span = locate_in_scalar(source, node, s.range.clone());
                                out.push(finding(part.file, span, &service.name, field, &s, value));
                            }
                        } else if let Some(items) = node.as_seq() {
                            let words: Vec<&str> =
                                items.iter().map(|n| n.as_str().unwrap_or("")).collect();
                            for s in scan_argv(&words).into_iter().filter(|s| not_url(&s.secret)) {
                                let (Some(item), Some(word)) =
                                    (items.get(s.word), words.get(s.word))
                                else {
                                    continue;
                                };
                                let value = word.get(s.secret.range.clone()).unwrap_or("");
                                let span = locate_in_scalar(source, item, s.secret.range.clone());
                                out.push(finding(
                                    part.file,
                                    span,
                                    &service.name,
                                    field,
                                    &s.secret,
                                    value,
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    #[test]
    fn fires_in_string_and_list_forms() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  db:\n    image: mariadb:11\n    command: mariadbd --password=Md-83kQz-x1\n    healthcheck:\n      test: [\"CMD\", \"mariadb-admin\", \"ping\", \"-uroot\", \"-pR00t-Pw9x\"]\n  cache:\n    image: redis:7\n    healthcheck:\n      test: [\"CMD-SHELL\", \"redis-cli -a Rd5sPw8xQ ping\"]\n  api:\n    image: api\n    entrypoint:\n      - sh\n      - -c\n      - |\n        PGPASSWORD=Pg7vQ2xLm pg_isready -h db && exec api\n",
            )],
            "CE005",
        );
        assert_eq!(
            found,
            [
                "compose.yaml:4",
                "compose.yaml:6",
                "compose.yaml:10",
                "compose.yaml:17"
            ]
        );
    }

    #[test]
    fn messages_are_redacted() {
        let m = messages(
            &[(
                "compose.yaml",
                "services:\n  a:\n    image: x\n    command: [\"app\", \"--api-key\", \"ak-Zq81Lm4Vx7Rt2Nw9\"]\n",
            )],
            "CE005",
        );
        assert_eq!(m.len(), 1);
        assert!(!m[0].contains("Zq81Lm4Vx7Rt2Nw9"), "{m:?}");
    }

    #[test]
    fn quiet_on_runtime_and_interpolated_references() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  db:\n    image: mariadb:11\n    healthcheck:\n      test: [\"CMD\", \"mariadb-admin\", \"ping\", \"-p$$MARIADB_ROOT_PASSWORD\"]\n  cache:\n    image: redis:7\n    command: redis-server --requirepass ${REDIS_PASSWORD:?}\n    healthcheck:\n      test: [\"CMD-SHELL\", \"redis-cli -a $${REDIS_PASSWORD} ping\"]\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n    command: [\"nginx\", \"-g\", \"daemon off;\"]\n",
            )],
            "CE005",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
