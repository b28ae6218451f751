//! What it finds: a service's `build.secrets` provides an id (the entry's `target`, else
//! its `source`) that no `RUN --mount=type=secret` of the service's Dockerfile mounts, in
//! any stage.
//!
//! Why it matters: the secret reaches nothing. Usually the Dockerfile mounts it under
//! another id (a typo, or `target:` forgotten), so the step that needs it runs without it;
//! otherwise the entry is left over and only widens what the build could read.
//!
//! Example:
//! ```yaml
//! services:
//!   app:
//!     build:
//!       context: ./app
//!       secrets: [npm_token]   # Dockerfile: RUN --mount=type=secret,id=npmrc ...
//! ```
//!
//! Fix: make the ids agree (`- source: npm_token` + `target: npmrc`, or change the
//! mount's `id=`), or remove the entry.

use super::support::did_you_mean;
use super::xr_common::secret_mounts;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct BuildSecretUnused;

pub static INFO: RuleInfo = RuleInfo {
    code: "XR002",
    name: "build-secret-unused",
    severity: Severity::Warning,
    source: include_str!("xr002_build_secret_unused.rs"),
};

impl Rule for BuildSecretUnused {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for link in &analysis.builds {
            let Some(doc) = analysis.dockerfile_of(link) else {
                continue;
            };
            let Some(service) = analysis
                .projects
                .get(link.project)
                .and_then(|p| p.service(&link.service))
            else {
                continue;
            };
            let Some(mounts) = secret_mounts(&doc.model) else {
                continue;
            };
            let mounted: Vec<&str> = mounts.iter().map(|m| m.id).collect();
            let dockerfile = analysis.ws.display(&link.dockerfile_path);
            for reference in service.build_secrets() {
                let Some(id) = reference.target_name() else {
                    continue;
                };
                if id.contains('$') || mounted.contains(&id) {
                    continue;
                }
                let span = reference
                    .target
                    .as_ref()
                    .or(reference.source.as_ref())
                    .map_or(reference.span, |s| s.span);
                let help = match did_you_mean(id, mounted.iter().copied()) {
                    Some(m) => format!(
                        "the Dockerfile mounts `{m}`: make the ids agree (set `target: {m}` here, or `id={id}` in the mount)"
                    ),
                    None => format!(
                        "mount it where it is needed (`RUN --mount=type=secret,id={id} ...`) or remove the entry"
                    ),
                };
                out.push(
                    Finding::new(
                        &INFO,
                        reference.file,
                        span,
                        format!(
                            "service `{}` gives its build secret `{id}`, which `{dockerfile}` never mounts",
                            service.name
                        ),
                    )
                    .help(help)
                    .anchor(format!("services.{}.build.secrets.{id}", service.name)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::run;

    #[test]
    fn fires_on_an_id_no_stage_mounts() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  app:\n    build:\n      context: ./app\n      secrets:\n        - npm_token\n        - source: pip\n          target: pip_conf\n        - used\nsecrets:\n  npm_token:\n    environment: A\n  pip:\n    environment: B\n  used:\n    environment: C\n",
                ),
                (
                    "app/Dockerfile",
                    "FROM a AS one\nRUN --mount=type=secret,id=used x\nFROM b\nRUN --mount=type=secret,id=npmrc x\nRUN --mount=type=secret,id=pip x\n",
                ),
            ],
            "XR002",
        );
        assert_eq!(found, ["compose.yaml:6", "compose.yaml:8"]);
    }

    #[test]
    fn a_target_without_id_names_the_secret_by_its_base_name() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  app:\n    build:\n      context: .\n      secrets: [netrc]\nsecrets:\n  netrc:\n    file: ./netrc\n",
                ),
                (
                    "Dockerfile",
                    "FROM a\nRUN --mount=type=secret,target=/root/netrc make\n",
                ),
            ],
            "XR002",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
