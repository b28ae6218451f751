//! What it finds: a Dockerfile `ARG` with a secret-like name (`ARG GITHUB_TOKEN`,
//! `ARG NPM_TOKEN=npm_...`). A warning; an error when the `ARG` has a literal default.
//!
//! Why it matters: build arguments are not secret. Their values are recorded in the image
//! history (`docker history --no-trunc`, the provenance attestation) whenever a `RUN` uses
//! them, they show in the build log and cache keys, and a default written in the Dockerfile
//! is a credential committed with the source.
//!
//! Example:
//! ```dockerfile
//! FROM python:3.12-slim AS build
//! ARG GITHUB_TOKEN
//! RUN pip install "git+https://${GITHUB_TOKEN}@github.com/acme/core.git"
//! ```
//!
//! Fix: use a build secret instead: `RUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN
//! pip install ...` (or read `/run/secrets/github_token`), provided with
//! `docker build --secret id=github_token,env=GITHUB_TOKEN` or compose `build.secrets`.
//! `stowaway check --fix --unsafe-fixes` does it for an `ARG` with no default used only by
//! `RUN`s, in a Dockerfile that compose builds: the `ARG` goes, the `RUN`s mount the secret
//! with `env=`, and each build passes it in `build.secrets` from the variable it passed as a
//! build argument.

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::detect::classify::{ValueClass, classify_value, is_secret_name, redact};
use crate::dockerfile::Kind;
use crate::finding::{Finding, Severity};
use crate::fix::arg_to_secret_mount::{Mentions, arg_to_secret_mount};
use crate::source::Span;

pub struct SecretInArg;

pub static INFO: RuleInfo = RuleInfo {
    code: "DF002",
    name: "secret-in-arg",
    severity: Severity::Warning,
    source: include_str!("df002_secret_in_arg.rs"),
};

impl Rule for SecretInArg {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for (index, doc) in analysis.dockerfiles.iter().enumerate() {
            // Built at the first `ARG` that may be fixed, for the fixes.
            let mut mentions: Option<Mentions> = None;
            for ins in &doc.model.instructions {
                let Kind::Arg(decls) = &ins.kind else {
                    continue;
                };
                for decl in decls {
                    if !is_secret_name(&decl.name) {
                        continue;
                    }
                    let anchor = format!("stage:{} ARG {}", doc.model.stage_label(ins), decl.name);
                    let help = format!(
                        "use a build secret instead: `RUN --mount=type=secret,id={0},env={1} ...`, provided with `docker build --secret id={0}` or compose `build.secrets`",
                        decl.name.to_ascii_lowercase(),
                        decl.name
                    );
                    let literal = decl.default.as_ref().filter(|(value, _)| {
                        matches!(
                            classify_value(value),
                            ValueClass::Literal | ValueClass::Placeholder
                        )
                    });
                    let finding = match literal {
                        Some((value, span)) => Finding::new(
                            &INFO,
                            doc.file,
                            Span::new(decl.name_span.start, span.end),
                            format!(
                                "`ARG {}` has a hardcoded default (`{}`): build arguments are kept in the image history, and this one is committed with the Dockerfile",
                                decl.name,
                                redact(value)
                            ),
                        )
                        .severity(Severity::Error)
                        .value_class(classify_value(value))
                        .secret(Span::from(span.clone())),
                        None => {
                            let finding = Finding::new(
                                &INFO,
                                doc.file,
                                Span::from(decl.name_span.clone()),
                                format!(
                                    "`ARG {}` passes a secret as a build argument, whose value is kept in the image history",
                                    decl.name
                                ),
                            );
                            let mentions = mentions.get_or_insert_with(|| {
                                Mentions::of_dockerfile(doc, &analysis.ws.files.get(doc.file).text)
                            });
                            match arg_to_secret_mount(analysis, index, doc, mentions, ins, decl) {
                                Some(fix) => finding.fix(fix),
                                None => finding,
                            }
                        }
                    };
                    out.push(finding.help(help).anchor(anchor));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::Analysis;
    use crate::finding::Severity;
    use crate::rules::support::testing::{project, run};

    #[test]
    fn fires_on_secret_args_error_with_a_literal_default() {
        let dir = project(&[(
            "Dockerfile",
            "ARG BASE=alpine\nARG REGISTRY_TOKEN\nFROM ${BASE}\nARG NPM_TOKEN=npm_Qw12Er34Ty56Ui78Op90As12Df34Gh56Jk78 VERSION=1.2\n",
        )]);
        let mut analysis = Analysis::load(dir.path().to_path_buf(), &[dir.path().to_path_buf()]);
        let found: Vec<_> = analysis
            .check()
            .into_iter()
            .filter(|f| f.code == "DF002")
            .collect();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(found[1].severity, Severity::Error);
        assert!(!found[1].message.contains("Qw12Er34"));
    }

    #[test]
    fn quiet_on_ordinary_args() {
        let found = run(
            &[(
                "Dockerfile",
                "FROM alpine\nARG NODE_VERSION=22\nARG TOKEN_TTL=60\nARG PASSWORD_FILE=/run/secrets/pw\n",
            )],
            "DF002",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_fake_default_is_a_placeholder_warning() {
        // The AWS CLI's Dockerfile gives the ARG a default that says it is fake.
        let found = crate::rules::support::testing::findings(
            &[(
                "Dockerfile",
                "FROM python:3.12\nARG AWS_SECRET_ACCESS_KEY=FAKE_TO_GENERATE_WARNING_OUTPUT\nRUN aws s3 ls\n",
            )],
            "DF002",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(
            found[0].message.contains("placeholder default"),
            "{}",
            found[0].message
        );
    }
}
