//! What it finds: a Dockerfile `ENV` that sets a secret-like variable (`DB_PASSWORD`,
//! `API_TOKEN`, `SECRET_KEY`) to a literal value or to a build argument (`ENV TOKEN=$TOKEN`),
//! in both forms (`ENV K=V` and the legacy `ENV K V`), multi-line instructions included.
//! A secret in a commented-out line with a value that looks real (`# ENV API_KEY=ak_…`,
//! `# GITHUB_TOKEN=ghp_…`) is a warning (an error for a known token format): the comment is
//! committed with the Dockerfile.
//!
//! Why it matters: `ENV` values are stored in the image configuration. Anyone who can pull
//! the image reads them with `docker inspect` or `docker history`, every container started
//! from it carries them in its environment (and in `/proc/*/environ`, crash reports, child
//! processes), and they stay in every image built `FROM` it. `ENV TOKEN=$TOKEN` copies a
//! build argument into that configuration just the same.
//!
//! Example:
//! ```dockerfile
//! FROM python:3.12-slim
//! ENV DJANGO_SETTINGS_MODULE=shop.settings \
//!     SHOP_ADMIN_PASSWORD=admin-Rx93-Kq
//! ```
//!
//! Fix: do not bake the value into the image. Pass it at run time from a secret
//! (`SHOP_ADMIN_PASSWORD_FILE=/run/secrets/shop_admin_password` with a compose secret), or,
//! if only the build needs it, mount it with `RUN --mount=type=secret,id=...`.
//! `ENV PASSWORD_FILE=/run/secrets/db` (a path, not the secret) is fine.

use super::support::commented_out;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::detect::classify::{ValueClass, classify_value, is_secret_name, redact};
use crate::dockerfile::Kind;
use crate::finding::{Finding, Severity};
use crate::source::Span;

pub struct SecretInEnv;

pub static INFO: RuleInfo = RuleInfo {
    code: "DF001",
    name: "secret-in-env",
    severity: Severity::Error,
    source: include_str!("df001_secret_in_env.rs"),
};

impl Rule for SecretInEnv {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for doc in &analysis.dockerfiles {
            commented_out(analysis, &INFO, doc.file, out);
        }
        for doc in &analysis.dockerfiles {
            let model = &doc.model;
            // Build arguments declared so far (global ones and those of the stage).
            let mut args: Vec<(Option<usize>, String)> = Vec::new();
            for ins in &model.instructions {
                match &ins.kind {
                    Kind::Arg(decls) => {
                        args.extend(decls.iter().map(|d| (ins.stage, d.name.clone())));
                        continue;
                    }
                    Kind::Env(_) => {}
                    _ => continue,
                }
                let Kind::Env(pairs) = &ins.kind else {
                    continue;
                };
                for kv in pairs {
                    if !is_secret_name(&kv.key) {
                        continue;
                    }
                    let span = Span::new(kv.key_span.start, kv.value_span.end);
                    let anchor = format!("stage:{} ENV {}", model.stage_label(ins), kv.key);
                    let finding = match classify_value(&kv.value) {
                        ValueClass::Empty | ValueClass::Boolean | ValueClass::SecretsPath => {
                            continue;
                        }
                        ValueClass::Reference => {
                            let referenced = referenced_names(&kv.value);
                            let arg = referenced.iter().find(|r| {
                                args.iter().any(|(stage, name)| {
                                    name == *r && (stage.is_none() || *stage == ins.stage)
                                })
                            });
                            // A variable that is no build argument is an earlier `ENV` (its
                            // own value is judged there) or unset: empty at build time.
                            let Some(a) = arg else {
                                continue;
                            };
                            let message = format!(
                                "`ENV {}` copies build argument `{a}` into the image configuration, where anyone with the image can read it",
                                kv.key
                            );
                            Finding::new(&INFO, doc.file, span, message)
                        }
                        class => Finding::new(
                            &INFO,
                            doc.file,
                            span,
                            format!(
                                "`ENV {}` hardcodes a secret (`{}`) in the image configuration",
                                kv.key,
                                redact(&kv.value)
                            ),
                        )
                        .value_class(class)
                        .secret(Span::from(kv.value_span.clone())),
                    };
                    out.push(
                        finding
                            .help(format!(
                                "pass it at run time from a secret (e.g. `{0}_FILE=/run/secrets/<name>`), or mount it only where the build needs it with `RUN --mount=type=secret,id=<name>`",
                                kv.key
                            ))
                            .anchor(anchor),
                    );
                }
            }
        }
    }
}

/// Names referenced as `$NAME` / `${NAME...}` in a value.
fn referenced_names(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = value.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let start = if b.get(i + 1) == Some(&b'{') {
                i + 2
            } else {
                i + 1
            };
            let mut end = start;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                end += 1;
            }
            if end > start
                && let Some(name) = value.get(start..end)
            {
                out.push(name);
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    #[test]
    fn fires_on_literals_in_both_forms_and_continued_lines() {
        let found = run(
            &[(
                "Dockerfile",
                "FROM alpine\nENV API_TOKEN tk-7Hq2Lm9xVb\nENV APP_ENV=prod \\\n    DB_PASSWORD=Pg-83kQz-x1\n",
            )],
            "DF001",
        );
        assert_eq!(found, ["Dockerfile:2", "Dockerfile:4"]);
    }

    #[test]
    fn fires_on_an_arg_copied_into_env() {
        let files = [(
            "Dockerfile",
            "FROM node:22\nARG NPM_TOKEN\nENV NPM_TOKEN=${NPM_TOKEN}\n",
        )];
        assert_eq!(run(&files, "DF001"), ["Dockerfile:3"]);
        let m = messages(&files, "DF001");
        assert!(m[0].contains("build argument `NPM_TOKEN`"), "{m:?}");
    }

    #[test]
    fn messages_redact_and_flag_placeholders() {
        let m = messages(
            &[(
                "Dockerfile",
                "FROM alpine\nENV ADMIN_PASSWORD=changeme\nENV SECRET_KEY=Zx81-Lq4m-Pw7r\n",
            )],
            "DF001",
        );
        assert_eq!(m.len(), 2);
        assert!(m[0].contains("placeholder"));
        assert!(!m[1].contains("Zx81-Lq4m-Pw7r"));
    }

    #[test]
    fn quiet_on_file_paths_and_non_secrets() {
        let found = run(
            &[(
                "Dockerfile",
                "FROM postgres:16\nENV POSTGRES_PASSWORD_FILE=/run/secrets/db \\\n    PASSWORD_MIN_LENGTH=12 \\\n    NODE_ENV=production\nENV TOKEN_TTL 3600\nENV DB_PASSWORD=\n",
            )],
            "DF001",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_reference_to_no_build_argument_is_empty_at_build_time() {
        // laradock's mssql Dockerfile: no `ARG MSSQL_PASSWORD`, so the ENV stores nothing.
        let found = run(
            &[(
                "Dockerfile",
                "FROM mcr.microsoft.com/mssql/server:2022-latest\nENV SA_PASSWORD=$MSSQL_PASSWORD\nARG TOKEN\nENV API_TOKEN=${TOKEN}\n",
            )],
            "DF001",
        );
        assert_eq!(found, ["Dockerfile:4"]);
    }
}
