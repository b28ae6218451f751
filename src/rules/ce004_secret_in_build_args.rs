//! What it finds: a `build.args` entry (map or list form) with a secret-like name
//! (`GITHUB_TOKEN`, `NPM_TOKEN`, `PIP_INDEX_PASSWORD`, …), whatever its value: a literal,
//! `${GITHUB_TOKEN}` from the environment, or no value at all.
//!
//! Why it matters: build arguments are not secret. Their values are recorded in the image's
//! build history and metadata (`docker history --no-trunc`, `docker buildx imagetools
//! inspect`, provenance attestations), so anyone who can pull the image can read the token,
//! and the value also invalidates the build cache whenever it changes. BuildKit warns about
//! the same thing in the Dockerfile (`SecretsUsedInArgOrEnv`).
//!
//! Example:
//! ```yaml
//! services:
//!   shop:
//!     build:
//!       context: ./shop
//!       args:
//!         GITHUB_TOKEN: ${GITHUB_TOKEN}
//! ```
//!
//! Fix: pass it as a build secret. In compose: `build: {secrets: [github_token]}` with a
//! top-level `secrets: {github_token: {environment: GITHUB_TOKEN}}`; in the Dockerfile:
//! `RUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN <command>` (or read
//! `/run/secrets/github_token`), and remove the `ARG`.

use super::ce_support::{has_reference, scalar_span, secret_name_for};
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::detect::classify::{ValueClass, classify_value, secret_name_reason};
use crate::finding::{Finding, Severity};

pub struct SecretInBuildArgs;

pub static INFO: RuleInfo = RuleInfo {
    code: "CE004",
    name: "secret-in-build-args",
    severity: Severity::Error,
    source: include_str!("ce004_secret_in_build_args.rs"),
};

impl Rule for SecretInBuildArgs {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for service in &project.services {
                for part in &service.parts {
                    let Some(build) = &part.build else {
                        continue;
                    };
                    for arg in &build.args {
                        let Some(reason) = secret_name_reason(&arg.name) else {
                            continue;
                        };
                        let src = &analysis.ws.files.get(arg.file).text;
                        // A value written in the file is the secret itself; one taken from the
                        // environment is still baked into the image, but masks nothing here.
                        let literal = arg.value.as_deref().filter(|v| {
                            !has_reference(v)
                                && matches!(
                                    classify_value(v),
                                    ValueClass::Literal | ValueClass::Placeholder
                                )
                        });
                        let origin = match (&arg.value, literal) {
                            (_, Some(_)) => "its value is written in the compose file and",
                            (Some(v), None) if has_reference(v) => {
                                "even taken from the environment, its value"
                            }
                            _ => "its value",
                        };
                        let id = secret_name_for(&arg.name);
                        let mut finding = Finding::new(
                            &INFO,
                            arg.file,
                            arg.name_span,
                            format!(
                                "build argument `{}` ({reason}) of service `{}`: {origin} is stored in the image history",
                                arg.name, service.name
                            ),
                        )
                        .help(format!(
                            "use a build secret: `build: {{secrets: [{id}]}}` with `secrets: {{{id}: {{environment: {name}}}}}` at the top level, and `RUN --mount=type=secret,id={id},env={name} …` in the Dockerfile instead of `ARG {name}`",
                            name = arg.name
                        ))
                        .anchor(format!("services.{}.build.args.{}", service.name, arg.name));
                        if let Some(value) = literal {
                            finding = finding.value_class(classify_value(value));
                            let span = if arg.list_form {
                                arg.value_span.unwrap_or(arg.name_span)
                            } else {
                                scalar_span(src, &arg.node)
                            };
                            finding = finding.secret(span);
                        }
                        out.push(finding);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    fn ce004(compose: &str) -> Vec<String> {
        run(&[("compose.yaml", compose)], "CE004")
    }

    #[test]
    fn fires_whatever_the_value() {
        let found = ce004(concat!(
            "services:\n",
            "  shop:\n",
            "    build:\n",
            "      context: ./shop\n",
            "      args:\n",
            "        GITHUB_TOKEN: ${GITHUB_TOKEN}\n",
            "        NODE_VERSION: \"20\"\n",
            "        NPM_TOKEN:\n",
            "  worker:\n",
            "    build:\n",
            "      context: ./worker\n",
            "      args:\n",
            "        - PIP_INDEX_PASSWORD=Xk4-Lq9-Vw2\n",
            "        - PYTHON_VERSION=3.12\n",
            "        - SENTRY_AUTH_TOKEN\n",
        ));
        assert_eq!(
            found,
            [
                "compose.yaml:6",
                "compose.yaml:8",
                "compose.yaml:13",
                "compose.yaml:15"
            ]
        );
    }

    #[test]
    fn non_secret_args_do_not_fire() {
        let found = ce004(
            "services:\n  a:\n    build:\n      context: .\n      args:\n        TOKEN_TTL: 3600\n        SSH_KEY_PATH: /root/.ssh/id\n        NPM_TOKEN_FILE: /run/secrets/npm\n        GPG_KEY: A1B2C3\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_literal_arg_is_masked_and_not_printed() {
        let files = [(
            "compose.yaml",
            "services:\n  a:\n    build:\n      context: .\n      args:\n        NPM_TOKEN: npm_Zk3q9VbX2mLp7RtY4wQe8NcJ5hDf1uGa0sKo\n",
        )];
        let m = messages(&files, "CE004");
        assert_eq!(m.len(), 1);
        assert!(!m[0].contains("npm_Zk3q9"), "{}", m[0]);
    }
}
