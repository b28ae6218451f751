//! What it finds: the Dockerfile of a compose service mounts a build secret
//! (`RUN --mount=type=secret,id=X`) that the build needs — the mount says `required=true`,
//! or the `RUN` reads the mounted file (or its `env=` variable) with no fallback — and the
//! service's `build.secrets` provides no secret with that id (the id is the entry's
//! `target`, else its `source`).
//!
//! Why it matters: with `required=true`, `docker compose build` fails ("secret X: not
//! found"); without it, BuildKit silently skips the mount and the command runs without
//! the file, failing later or producing a broken image. Only the stages the build runs
//! (its `target:` and what that stage depends on) are checked. When the service grants
//! `X` as a runtime secret instead, XR007 reports it.
//!
//! Example:
//! ```dockerfile
//! RUN --mount=type=secret,id=pip_conf,required=true,target=/etc/pip.conf pip install ...
//! ```
//! with `services: {worker: {build: ./worker}}` and no `build.secrets`.
//!
//! Fix: provide the secret to the build:
//! `build: {context: ./worker, secrets: [pip_conf]}` with a top-level
//! `secrets: {pip_conf: {file: ./secrets/pip.conf}}`, or, when the build can do
//! without it, drop `required=true` and guard its use.

use super::support::did_you_mean;
use super::xr_common::{build_secret_gaps, provided_build_ids};
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use crate::source::Span;

pub struct BuildSecretNotProvided;

pub static INFO: RuleInfo = RuleInfo {
    code: "XR001",
    name: "build-secret-not-provided",
    severity: Severity::Error,
    source: include_str!("xr001_build_secret_not_provided.rs"),
};

impl Rule for BuildSecretNotProvided {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for gap in build_secret_gaps(analysis) {
            if gap.runtime_grant.is_some() || !gap.mount.needed() {
                continue;
            }
            let Some(doc) = analysis.dockerfile_of(gap.link) else {
                continue;
            };
            let id = gap.mount.id;
            let how = if gap.mount.required {
                "a required build secret"
            } else {
                "a build secret the command reads"
            };
            let provided = provided_build_ids(gap.service).unwrap_or_default();
            let help = match did_you_mean(id, provided.iter().copied()) {
                Some(s) => format!(
                    "the build provides `{s}`: did you mean that id? The id is the `build.secrets` entry's `target`, else its `source`"
                ),
                None => {
                    let build = gap.service.build();
                    let context = build
                        .as_ref()
                        .and_then(|b| b.context.as_ref())
                        .map_or(".", |c| c.value.as_str());
                    let build = format!(
                        "services:\n  {}:\n    build:\n      context: {context}\n      secrets: [{id}]",
                        gap.service.name
                    );
                    if gap.project.secret(id).is_some() {
                        format!("give the secret to the build:\n{build}")
                    } else {
                        format!(
                            "define a secret and give it to the build, e.g.\n{build}\nsecrets:\n  {id}:\n    file: ./secrets/{id}"
                        )
                    }
                }
            };
            out.push(
                Finding::new(
                    &INFO,
                    doc.file,
                    Span::new(gap.mount.span.start, gap.mount.span.end),
                    format!(
                        "`RUN` mounts {how} `{id}`, but service `{}` provides no build secret with that id",
                        gap.service.name
                    ),
                )
                .help(help)
                .anchor(format!("build-secret.{id}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    const COMPOSE: &str = "services:\n  w:\n    build: ./w\n";

    #[test]
    fn fires_on_a_required_mount_nobody_provides() {
        let found = run(
            &[
                ("compose.yaml", COMPOSE),
                (
                    "w/Dockerfile",
                    "FROM python\nRUN --mount=type=secret,id=pip_conf,required=true,target=/etc/pip.conf \\\n    pip install x\n",
                ),
            ],
            "XR001",
        );
        assert_eq!(found, ["w/Dockerfile:2"]);
    }

    #[test]
    fn fires_on_an_unguarded_read_and_not_on_a_guarded_one() {
        let found = run(
            &[
                ("compose.yaml", COMPOSE),
                (
                    "w/Dockerfile",
                    "FROM node\nRUN --mount=type=secret,id=npmrc cp /run/secrets/npmrc ~/.npmrc && npm ci\nRUN --mount=type=secret,id=opt [ -f /run/secrets/opt ] && cat /run/secrets/opt\nRUN --mount=type=secret,id=implicit,target=/root/.netrc make\nRUN --mount=type=secret,id=tok,env=TOKEN curl -H \"x: $TOKEN\" x\n",
                ),
            ],
            "XR001",
        );
        assert_eq!(found, ["w/Dockerfile:2", "w/Dockerfile:5"]);
    }

    #[test]
    fn the_id_is_the_target_else_the_source() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  w:\n    build:\n      context: ./w\n      secrets:\n        - source: npm_token\n          target: npmrc\n        - pip\nsecrets:\n  npm_token:\n    environment: NPM_TOKEN\n  pip:\n    environment: PIP\n",
                ),
                (
                    "w/Dockerfile",
                    "FROM node\nRUN --mount=type=secret,id=npmrc,required=true x\nRUN --mount=type=secret,id=pip,required x\nRUN --mount=type=secret,id=npm_token,required x\n",
                ),
            ],
            "XR001",
        );
        assert_eq!(found, ["w/Dockerfile:4"]);
    }

    #[test]
    fn a_mount_naming_its_secret_with_src_is_matched_by_that_name() {
        let compose = "services:\n  w:\n    build:\n      context: ./w\n      secrets: [npmrc]\nsecrets:\n  npmrc:\n    environment: NPMRC\n";
        let found = run(
            &[
                ("compose.yaml", compose),
                (
                    "w/Dockerfile",
                    "FROM node\nRUN --mount=type=secret,src=npmrc,target=/root/.npmrc,required npm ci\nRUN --mount=type=secret,src=other,target=/root/.npmrc,required npm ci\n",
                ),
            ],
            "XR001",
        );
        assert_eq!(found, ["w/Dockerfile:3"]);
    }

    #[test]
    fn stages_the_target_does_not_need_are_skipped() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  w:\n    build:\n      context: ./w\n      target: app\n",
                ),
                (
                    "w/Dockerfile",
                    "FROM a AS deps\nRUN --mount=type=secret,id=one,required=true x\nFROM b AS tests\nRUN --mount=type=secret,id=two,required=true x\nFROM c AS app\nCOPY --from=deps /x /x\n",
                ),
            ],
            "XR001",
        );
        assert_eq!(found, ["w/Dockerfile:2"]);
    }

    #[test]
    fn base_and_override_build_secrets_both_count() {
        let found = run(
            &[
                ("compose.yaml", COMPOSE),
                (
                    "compose.override.yaml",
                    "services:\n  w:\n    build:\n      secrets: [pip_conf]\nsecrets:\n  pip_conf:\n    file: ./pip.conf\n",
                ),
                (
                    "w/Dockerfile",
                    "FROM python\nRUN --mount=type=secret,id=pip_conf,required=true pip install x\n",
                ),
            ],
            "XR001",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn suggests_a_close_provided_id() {
        let m = messages(
            &[
                (
                    "compose.yaml",
                    "services:\n  w:\n    build:\n      context: ./w\n      secrets: [npm_tokn]\nsecrets:\n  npm_tokn:\n    environment: T\n",
                ),
                (
                    "w/Dockerfile",
                    "FROM node\nRUN --mount=type=secret,id=npm_token,required=true x\n",
                ),
            ],
            "XR001",
        );
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("`npm_token`"), "{m:?}");
    }
}
