//! What it finds: a literal credential in a `RUN` instruction (shell form, exec form, or a
//! heredoc body): `curl -u user:pass`, `-H "Authorization: Bearer ..."`,
//! `git clone https://user:token@host`, `echo "//registry/:_authToken=..." > .npmrc`,
//! `docker login -p ...`, `mysql -p...`, `PGPASSWORD=... psql`, `sshpass -p ...`,
//! `aws configure set aws_secret_access_key ...`, `htpasswd -b`, and more (see
//! `detect::command`).
//!
//! Why it matters: the command line of every `RUN` is stored in the image history
//! (`docker history --no-trunc`) and in the build cache, and shows in build logs; the
//! credential is committed with the Dockerfile as well. Values taken from a variable
//! (`$TOKEN`, `${GITHUB_TOKEN}`: an `ARG` is reported by DF002) or read from
//! `/run/secrets/...` are not reported.
//!
//! Example:
//! ```dockerfile
//! RUN curl -fsSL -u deploy:Jq7rT2vX9wLp https://nexus.example.com/app.tgz | tar xz
//! ```
//!
//! Fix: mount the credential as a build secret and read it in the command:
//! `RUN --mount=type=secret,id=nexus,env=NEXUS_AUTH curl -u "$NEXUS_AUTH" ...` (or
//! `$(cat /run/secrets/nexus)`), provided with `docker build --secret id=nexus,env=NEXUS_AUTH`.
//! Then rotate the credential: it is in the history of the repository.

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::detect::classify::redact;
use crate::detect::command::{CommandSecret, scan_argv, scan_shell};
use crate::dockerfile::{CommandForm, Kind, MappedText};
use crate::finding::{Finding, Severity};
use crate::source::{FileId, Span};

pub struct HardcodedCredentialInRun;

pub static INFO: RuleInfo = RuleInfo {
    code: "DF004",
    name: "hardcoded-credential-in-run",
    severity: Severity::Error,
    source: include_str!("df004_hardcoded_credential_in_run.rs"),
};

fn finding(file: FileId, span: Span, secret: &CommandSecret, value: &str, stage: &str) -> Finding {
    Finding::new(
        &INFO,
        file,
        span,
        format!(
            "`RUN` holds {} ({}) in clear: `{}`; it is kept in the image history",
            secret.kind.describe(),
            secret.via,
            redact(value)
        ),
    )
    .help("mount it as a build secret (`RUN --mount=type=secret,id=<id>,env=<VAR> ...` and use `$VAR`), then rotate it: it is committed")
    .anchor(format!("stage:{stage} RUN {:?} {}", secret.kind, secret.via))
    .secret(span)
}

fn scan_mapped(mt: &MappedText, file: FileId, stage: &str, out: &mut Vec<Finding>) {
    for s in scan_shell(&mt.text) {
        let value = mt.text.get(s.range.clone()).unwrap_or("");
        let span = Span::from(mt.to_source(s.range.clone()));
        out.push(finding(file, span, &s, value, stage));
    }
}

impl Rule for HardcodedCredentialInRun {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for doc in &analysis.dockerfiles {
            let source = &analysis.ws.files.get(doc.file).text;
            for ins in &doc.model.instructions {
                let Kind::Run(run) = &ins.kind else {
                    continue;
                };
                let stage = doc.model.stage_label(ins);
                match &run.command {
                    CommandForm::Shell(mt) => scan_mapped(mt, doc.file, &stage, out),
                    CommandForm::Exec(words) => {
                        let values: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
                        for s in scan_argv(&values) {
                            let Some(word) = words.get(s.word) else {
                                continue;
                            };
                            let value = word.value.get(s.secret.range.clone()).unwrap_or("");
                            // The JSON string maps byte for byte when it holds no escapes.
                            let inner = word.span.start + 1..word.span.end.saturating_sub(1);
                            let span = if source.get(inner.clone()) == Some(word.value.as_str()) {
                                Span::new(
                                    inner.start + s.secret.range.start,
                                    inner.start + s.secret.range.end,
                                )
                            } else {
                                Span::from(word.span.clone())
                            };
                            out.push(finding(doc.file, span, &s.secret, value, &stage));
                        }
                    }
                }
                for heredoc in &run.heredocs {
                    scan_mapped(&heredoc.body, doc.file, &stage, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    #[test]
    fn fires_in_shell_exec_and_heredoc_forms() {
        let found = run(
            &[(
                "Dockerfile",
                "FROM alpine\nRUN apk add curl && \\\n    # fetch the artifact\n    curl -u deploy:Jq7rT2vX9wLp https://nexus.example.com/a.tgz\nRUN [\"sh\", \"-c\", \"mysql -uroot -pR00t-Pw9x shop\"]\nRUN <<EOF\nset -eu\necho \"//registry.npmjs.org/:_authToken=npm_Kk12Jj34Hh56Gg78Ff90Dd12Ss34Aa56Qq78\" > ~/.npmrc\nEOF\n",
            )],
            "DF004",
        );
        assert_eq!(found, ["Dockerfile:4", "Dockerfile:5", "Dockerfile:8"]);
    }

    #[test]
    fn messages_never_hold_the_secret() {
        let m = messages(
            &[(
                "Dockerfile",
                "FROM alpine\nRUN sshpass -p Ss7h-Pw2q-Long ssh h true\n",
            )],
            "DF004",
        );
        assert_eq!(m.len(), 1);
        assert!(!m[0].contains("Ss7h-Pw2q-Long"), "{m:?}");
    }

    #[test]
    fn quiet_on_variables_and_mounted_secrets() {
        let found = run(
            &[(
                "Dockerfile",
                "FROM python:3.12\nARG GITHUB_TOKEN\nRUN pip install \"git+https://${GITHUB_TOKEN}@github.com/acme/core.git\"\nRUN --mount=type=secret,id=nexus curl -u \"deploy:$(cat /run/secrets/nexus)\" https://x\nRUN curl -H \"Authorization: Bearer $API_TOKEN\" https://x\nRUN docker run -p 8080:80 nginx\n",
            )],
            "DF004",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
