//! What it finds: an env file (`.env`, `*.env`, `.env.*`, or a file named by a service's
//! `env_file:`) that git does not ignore (or that git tracks) and that sets a secret-like
//! variable (`STRIPE_KEY`, `DB_PASSWORD`, `API_TOKEN`) to a literal value, or any variable
//! to a URL holding a literal password (`DATABASE_URL=postgres://app:…@db/app`). A line
//! commented out with a value that looks real (`#POSTGRES_PASSWORD=Vq7-…`) is a warning (an
//! error for a known token format): the comment is committed with the file.
//!
//! Why it matters: a file that is not ignored ends up committed sooner or later, and then
//! the credential is in every clone and in the history forever. The project's `.env` is
//! also read by Compose for interpolation, so it tends to collect real values.
//! Example files (`.env.example`, `*.sample`, `*.template`, `*.dist`) document the
//! variables and are meant to be committed: there, placeholder values (`changeme`,
//! `<your-token>`, empty) are fine and so are short or word-like defaults
//! (`DB_PASSWORD=postgres`); only a value that looks like a real credential (a known
//! token format, or a long random-looking string of letters and digits) is reported.
//! In other env files every literal is reported, placeholders included (with a note).
//!
//! Example:
//! ```sh
//! # .env (not in .gitignore)
//! STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc
//! ```
//!
//! Fix: add the file to `.gitignore` (and `git rm --cached` it if it is tracked), commit an
//! `.env.example` with placeholders instead, and rotate the credential if it was pushed.

use super::support::commented_out;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::detect::classify::{ValueClass, is_secret_name, redact};
use crate::detect::patterns::PatternSet;
use crate::detect::url::find_url_credentials;
use crate::envfile::{EnvEntry, is_example_file};
use crate::finding::{Finding, Severity};
use crate::source::Span;

pub struct SecretInCommittedEnvFile;

pub static INFO: RuleInfo = RuleInfo {
    code: "EN001",
    name: "secret-in-committed-env-file",
    severity: Severity::Error,
    source: include_str!("en001_secret_in_committed_env_file.rs"),
};

/// In an example file: does the value look like a real credential rather than a
/// documented default?
fn looks_real(value: &str) -> bool {
    if !PatternSet::builtin().scan(value).is_empty() {
        return true;
    }
    let v = value.trim();
    v.chars().count() >= 20
        && !v.contains(char::is_whitespace)
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
}

impl Rule for SecretInCommittedEnvFile {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for doc in &analysis.env_files {
            let file = analysis.ws.files.get(doc.file);
            let tracked = analysis.git_tracked(&file.path);
            if !tracked && analysis.git_ignored(&file.path, false) {
                continue;
            }
            let name = file
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let example = is_example_file(&name);
            if !example {
                commented_out(analysis, &INFO, doc.file, out);
            }
            let why = || {
                if tracked {
                    "is tracked by git".to_owned()
                } else {
                    format!("is not git-ignored{}", analysis.git_note(&file.path))
                }
            };
            let help = || {
                if example {
                    "replace the value with a placeholder such as `<your-token>`; if it is a real credential, rotate it".to_owned()
                } else {
                    format!(
                        "add `{name}` to .gitignore (and `git rm --cached` it if tracked); commit a `{name}.example` with placeholders instead"
                    )
                }
            };
            // A finding on an entry (from its key to the end of its value `to`), saying
            // what the value `holds`; `secret` spans what to mask.
            let report = |entry: &EnvEntry, to: usize, holds: String, secret: Span| {
                Finding::new(
                    &INFO,
                    doc.file,
                    Span::new(entry.key_range.start, to),
                    format!(
                        "`{}` in `{}`, which {}, holds {holds}",
                        entry.key,
                        file.display,
                        why()
                    ),
                )
                .help(help())
                .secret(secret)
            };
            for entry in &doc.entries {
                let (Some(value), Some(range)) = (&entry.value, &entry.value_range) else {
                    continue;
                };
                if !is_secret_name(&entry.key) {
                    // A connection string with its password: `DATABASE_URL=postgres://app:…@db`.
                    let raw = file.text.get(range.clone()).unwrap_or_default();
                    for url in find_url_credentials(raw) {
                        let password = &raw[url.password.clone()];
                        if example && !looks_real(password) {
                            continue;
                        }
                        let at = range.start + url.password.start..range.start + url.password.end;
                        let holds = format!(
                            "a `{}://` URL with a hardcoded password (`{}`)",
                            url.scheme,
                            redact(password)
                        );
                        out.push(
                            report(entry, range.end, holds, Span::from(at))
                                .anchor(format!("env {} url", entry.key)),
                        );
                    }
                    continue;
                }
                let Some(class) = entry.value_class() else {
                    continue;
                };
                match class {
                    ValueClass::Literal if example && !looks_real(value) => continue,
                    ValueClass::Literal => {}
                    ValueClass::Placeholder if !example => {}
                    _ => continue,
                }
                let holds = format!("a hardcoded secret (`{}`)", redact(value));
                out.push(
                    report(entry, range.end, holds, Span::from(range.clone()))
                        .value_class(class)
                        .anchor(format!("env {}", entry.key)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    #[test]
    fn fires_on_a_committed_env_file() {
        let found = run(
            &[(
                ".env",
                "COMPOSE_PROJECT_NAME=shop\nSTRIPE_KEY=sk_live_9fQ2mX7vL4pR8tK1wZ6nB3cD\nDB_PASSWORD='Pg$83kQz'\nAPI_TOKEN=${API_TOKEN}\nSMTP_PASSWORD=\nDEBUG=true\n",
            )],
            "EN001",
        );
        assert_eq!(found, [".env:2", ".env:3"]);
    }

    #[test]
    fn fires_on_connection_strings_with_a_password() {
        let files = [
            (
                ".env",
                "DATABASE_URL=postgres://shop:Wq3v-Lake-8812@db:5432/shop\nREDIS_URL=\"redis://:Rf7_queue_2291@redis:6379/0\"\nBROKER_URL=amqp://${RABBIT_USER}:${RABBIT_PASS}@rabbit//\nSENTRY_URL=https://sentry.example.com\n",
            ),
            (
                ".env.example",
                "DATABASE_URL=postgres://shop:password@localhost/shop\nCACHE_URL=redis://:s3cret@localhost\n",
            ),
        ];
        assert_eq!(run(&files, "EN001"), [".env:1", ".env:2"]);
        let m = messages(&files, "EN001");
        assert!(
            m[0].contains("`postgres://` URL") && !m[0].contains("Lake-8812"),
            "{m:?}"
        );
    }

    #[test]
    fn commented_out_secrets_are_warnings_unless_a_known_token() {
        let found = crate::rules::support::testing::findings(
            &[(
                ".env",
                "# Rotated, kept for the runbook:\n#DB_PASSWORD=Vq7-Tern-Hollow-2291\n# GITHUB_TOKEN=ghp_Zq81Lm4Vx7Rt2Nw9Kp3Bs6Dc0Fh5Jg8Ty1Ue\n# DB_PASSWORD=changeme\n",
            )],
            "EN001",
        );
        let got: Vec<(usize, crate::finding::Severity)> =
            found.iter().map(|f| (f.span.start, f.severity)).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].1, crate::finding::Severity::Warning);
        assert_eq!(got[1].1, crate::finding::Severity::Error);
    }

    #[test]
    fn quiet_when_ignored_and_on_example_placeholders() {
        let found = run(
            &[
                (".gitignore", ".env\n*.local.env\n"),
                (".env", "DB_PASSWORD=Pg-83kQz-x1\n"),
                ("config/app.local.env", "API_TOKEN=tk-7Hq2Lm9xVb\n"),
                (
                    ".env.example",
                    "DB_PASSWORD=changeme\nAPI_TOKEN=<your-token>\nPOSTGRES_PASSWORD=postgres\nSECRET_KEY=\n",
                ),
            ],
            "EN001",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_real_looking_token_in_an_example_file_still_fires() {
        let files = [(
            ".env.example",
            "GITHUB_TOKEN=ghp_Zq81Lm4Vx7Rt2Nw9Kp3Bs6Dc0Fh5Jg8Ty1Ue\nDB_PASSWORD=postgres\n",
        )];
        assert_eq!(run(&files, "EN001"), [".env.example:1"]);
        let m = messages(&files, "EN001");
        assert!(!m[0].contains("Zq81Lm4Vx7Rt2Nw9"), "{m:?}");
    }
}
