//! What it finds: a `build.secrets` entry names a secret that no compose file of the
//! project defines.
//!
//! Why it matters: the build fails before it starts, and a build secret is usually how
//! a private registry token reaches `RUN --mount=type=secret` without landing in a layer.
//!
//! Example:
//! ```yaml
//! services:
//!   app:
//!     build:
//!       context: .
//!       secrets: [npm_tokn]
//! secrets:
//!   npm_token:
//!     environment: NPM_TOKEN
//! ```
//!
//! Fix: define the secret at the top level (`file:` or `environment:`), or correct the name.

use super::support::did_you_mean;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct UndefinedBuildSecret;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS002",
    name: "undefined-build-secret",
    severity: Severity::Error,
    source: include_str!("cs002_undefined_build_secret.rs"),
};

impl Rule for UndefinedBuildSecret {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        // A project not read whole may define the secret in the files not read.
        for project in analysis.projects.iter().filter(|p| p.is_complete()) {
            for service in &project.services {
                for reference in service.build_secrets() {
                    let Some(source) = &reference.source else {
                        continue;
                    };
                    if source.value.contains('$') || project.secret(&source.value).is_some() {
                        continue;
                    }
                    let help = match did_you_mean(&source.value, project.secret_names()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "define it under the top-level `secrets:` with `file:` or `environment:`".to_owned(),
                    };
                    out.push(
                        Finding::new(
                            &INFO,
                            reference.file,
                            source.span,
                            format!(
                                "the build of service `{}` uses secret `{}`, which no compose file of the project defines",
                                service.name, source.value
                            ),
                        )
                        .help(help)
                        .anchor(format!("services.{}.build.secrets.{}", service.name, source.value)),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::run;

    #[test]
    fn fires_on_an_undefined_build_secret() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  app:\n    build:\n      context: .\n      secrets:\n        - npm_tokn\nsecrets:\n  npm_token:\n    environment: NPM_TOKEN\n",
            )],
            "CS002",
        );
        assert_eq!(found, ["compose.yaml:6"]);
    }

    #[test]
    fn defined_build_secret_is_fine() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  app:\n    build:\n      context: .\n      secrets:\n        - source: npm_token\n          target: npmrc\nsecrets:\n  npm_token:\n    environment: NPM_TOKEN\n",
            )],
            "CS002",
        );
        assert!(found.is_empty());
    }
}
