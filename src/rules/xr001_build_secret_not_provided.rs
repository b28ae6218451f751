//! What it finds: the Dockerfile of a compose service mounts a build secret
//! (`RUN --mount=type=secret,id=X`) that the build needs — the mount says `required=true`,
//! or the `RUN` reads the mounted file (or its `env=` variable) with no fallback, or the
//! file is mounted where a tool the `RUN` runs reads it by itself (`target=/root/.npmrc`
//! with `npm ci`, `~/.m2/settings.xml` with `mvn`, `~/.docker/config.json` with `docker`) —
//! and the
//! service's `build.secrets` provides no secret with that id (the id is the entry's
//! `target`, else its `source`).
//!
//! The same for SSH: a `RUN --mount=type=ssh,required=true` (id `default` unless `id=`
//! says otherwise) in a build whose `build.ssh` does not forward that id.
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
use super::xr_common::{build_secret_gaps, provided_build_ids, ssh_gaps};
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
                "is required (`required=true`)"
            } else {
                "is read by the command"
            };
            let provided = provided_build_ids(gap.service).unwrap_or_default();
            let provides = match provided.as_slice() {
                [] => "no build secret".to_owned(),
                ids => {
                    let ids: Vec<String> = ids.iter().map(|i| format!("`{i}`")).collect();
                    format!("only {}", super::xr_common::list_names(&ids))
                }
            };
            let help = match did_you_mean(id, provided.iter().copied()) {
                Some(s) => format!(
                    "the build provides `{s}`: did you mean that id? The id is the `build.secrets` entry's `target`, else its `source`"
                ),
                // One other id provided: most often the same secret under another name.
                None if provided.len() == 1 => format!(
                    "if `{other}` is this secret, mount it as `id={other}`, or give it the id the Dockerfile mounts:\n      secrets:\n        - source: {other}\n          target: {id}",
                    other = provided[0]
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
                        "`RUN` mounts build secret `{id}`, which {how}, but the build of service `{}` provides {provides}",
                        gap.service.name
                    ),
                )
                .help(help)
                .anchor(format!("build-secret.{id}")),
            );
        }
        for gap in ssh_gaps(analysis) {
            let Some(doc) = analysis.dockerfile_of(gap.link) else {
                continue;
            };
            let forward = match gap.id {
                "default" => "default".to_owned(),
                id => format!("{id}=~/.ssh/id_ed25519"),
            };
            out.push(
                Finding::new(
                    &INFO,
                    doc.file,
                    Span::new(gap.span.start, gap.span.end),
                    format!(
                        "`RUN` needs the SSH agent socket `{}` (`--mount=type=ssh`, `required=true`), but the build of service `{}` forwards none (`build.ssh`)",
                        gap.id, gap.service.name
                    ),
                )
                .help(format!(
                    "forward it to the build:\n      ssh:\n        - {forward}\n(`default` is the agent of `$SSH_AUTH_SOCK`)"
                ))
                .anchor(format!("build-ssh.{}", gap.id)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    const COMPOSE: &str = "services:\n  w:\n    build: ./w\n";

    #[test]
    fn fires_on_a_required_ssh_mount_the_build_does_not_forward() {
        let dockerfile = "FROM golang:1.23\nRUN --mount=type=ssh,required=true git clone git@github.com:acme/lib.git\nRUN --mount=type=ssh go mod download\n";
        let with = |compose: &str| {
            run(
                &[("compose.yaml", compose), ("w/Dockerfile", dockerfile)],
                "XR001",
            )
        };
        assert_eq!(with(COMPOSE), ["w/Dockerfile:2"]);
        assert!(
            with(
                "services:\n  w:\n    build:\n      context: ./w\n      ssh:\n        - default\n"
            )
            .is_empty()
        );
        assert!(with("services:\n  w:\n    build:\n      context: ./w\n      ssh: {default: /run/user/1000/ssh-agent.sock}\n").is_empty());
        assert_eq!(
            with(
                "services:\n  w:\n    build:\n      context: ./w\n      ssh:\n        - github=~/.ssh/id_ed25519\n"
            ),
            ["w/Dockerfile:2"]
        );
    }

    #[test]
    fn fires_where_a_tool_reads_the_mount_by_itself() {
        let compose = "services:\n  api:\n    build:\n      context: ./api\n      secrets:\n        - npm_token\nsecrets:\n  npm_token:\n    environment: NPM_TOKEN\n";
        let dockerfile = |run: &str| format!("FROM node:22-alpine\nWORKDIR /app\n{run}\n");
        let case = |run: &str| {
            run_case(&[
                ("compose.yaml", compose),
                ("api/Dockerfile", &dockerfile(run)),
            ])
        };
        assert_eq!(
            case("RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \\\n    npm ci --omit=dev"),
            ["api/Dockerfile:3"]
        );
        let found = messages(
            &[
                ("compose.yaml", compose),
                (
                    "api/Dockerfile",
                    &dockerfile("RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci"),
                ),
            ],
            "XR001",
        );
        assert!(
            found[0].contains("build secret `npmrc`, which is read by the command")
                && found[0].contains("provides only `npm_token`"),
            "{found:?}"
        );
        // No tool that reads it there, or a fallback when it is missing.
        assert!(
            case("RUN --mount=type=secret,id=npmrc,target=/root/.npmrc echo building").is_empty()
        );
        assert!(
            case("RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci || npm install")
                .is_empty()
        );
        assert!(case("RUN --mount=type=secret,id=npm_token,target=/root/.npmrc npm ci").is_empty());
    }

    fn run_case(files: &[(&str, &str)]) -> Vec<String> {
        run(files, "XR001")
    }

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
