//! What it finds: the Dockerfile of a compose service mounts a build secret
//! (`RUN --mount=type=secret,id=X`) and the service grants `X` under its runtime
//! `secrets:`, but not under `build.secrets`.
//!
//! Why it matters: runtime secrets are mounted into the running container, never into
//! the build. The build does not see `X`: a `required=true` mount fails the build, an
//! optional one is silently skipped. (XR001 reports mounts that nothing provides at all;
//! a mount is reported by one of the two rules, not both.)
//!
//! Example:
//! ```yaml
//! services:
//!   app:
//!     build: ./app          # Dockerfile: RUN --mount=type=secret,id=npm_token npm ci
//!     secrets: [npm_token]  # runtime only
//! ```
//!
//! Fix: give the secret to the build as well:
//! `build: {context: ./app, secrets: [npm_token]}` (and drop the runtime grant if the
//! running container does not need it).

use super::xr_common::build_secret_gaps;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use crate::source::Span;

pub struct BuildSecretGrantedOnlyAtRuntime;

pub static INFO: RuleInfo = RuleInfo {
    code: "XR007",
    name: "build-secret-granted-only-at-runtime",
    severity: Severity::Error,
    source: include_str!("xr007_build_secret_granted_only_at_runtime.rs"),
};

impl Rule for BuildSecretGrantedOnlyAtRuntime {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for gap in build_secret_gaps(analysis) {
            let Some(grant) = gap.runtime_grant else {
                continue;
            };
            let Some(doc) = analysis.dockerfile_of(gap.link) else {
                continue;
            };
            let id = gap.mount.id;
            let source = grant.source.as_ref().map_or(id, |s| s.value.as_str());
            let granted_at = {
                let file = analysis.ws.files.get(grant.file);
                format!("{}:{}", file.display, file.line_col(grant.span.start).line)
            };
            let entry = if source == id {
                format!("secrets: [{id}]")
            } else {
                format!("secrets:\n        - source: {source}\n          target: {id}")
            };
            out.push(
                Finding::new(
                    &INFO,
                    doc.file,
                    Span::new(gap.mount.span.start, gap.mount.span.end),
                    format!(
                        "`RUN` mounts build secret `{id}`, which service `{}` grants only at runtime ({granted_at}): the build does not see it",
                        gap.service.name
                    ),
                )
                .help(format!(
                    "give it to the build too:\n    build:\n      {entry}"
                ))
                .anchor(format!("build-secret.{id}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::run;

    const DOCKERFILE: &str =
        "FROM node\nRUN --mount=type=secret,id=npm_token,required=true npm ci\n";

    #[test]
    fn fires_when_the_secret_is_granted_at_runtime_only_and_xr001_stays_quiet() {
        let files = [
            (
                "compose.yaml",
                "services:\n  app:\n    build: ./app\n    secrets: [npm_token]\nsecrets:\n  npm_token:\n    environment: NPM_TOKEN\n",
            ),
            ("app/Dockerfile", DOCKERFILE),
        ];
        assert_eq!(run(&files, "XR007"), ["app/Dockerfile:2"]);
        assert!(run(&files, "XR001").is_empty());
    }

    #[test]
    fn a_runtime_target_with_that_name_counts_too() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  app:\n    build: ./app\n    secrets:\n      - source: npm\n        target: npm_token\nsecrets:\n  npm:\n    environment: NPM_TOKEN\n",
                ),
                ("app/Dockerfile", DOCKERFILE),
            ],
            "XR007",
        );
        assert_eq!(found, ["app/Dockerfile:2"]);
    }

    #[test]
    fn quiet_when_the_build_has_it() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  app:\n    build:\n      context: ./app\n      secrets: [npm_token]\n    secrets: [npm_token]\nsecrets:\n  npm_token:\n    environment: NPM_TOKEN\n",
                ),
                ("app/Dockerfile", DOCKERFILE),
            ],
            "XR007",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
