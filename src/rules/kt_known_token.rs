//! What it finds: a token in a known format (GitHub, GitLab, AWS, Stripe, Slack, Google,
//! OpenAI, Anthropic, private keys, JWTs and some forty more providers) anywhere in a
//! compose file, Dockerfile or env file, whatever key or instruction holds it. Each
//! format has its own code `KT001`…; `stowaway rules` lists them.
//!
//! Why it matters: a live token in a repository is usable by everyone who can read it,
//! including every fork and every copy of the history; scanners run by attackers find
//! them within minutes of a push.
//!
//! Example:
//! ```yaml
//! services:
//!   ci:
//!     command: ["gh", "auth", "login", "--with-token", "ghp_R8sWq1fakefakefakefake0TnBv3LmZx2Kc"]
//! ```
//!
//! Fix: revoke the token at its provider first (it is compromised once committed), then
//! pass it in as a compose secret or a BuildKit secret mount, never as a literal. When a
//! more specific rule (a secret-like `environment:` key, an `ENV`, a credential URL)
//! already reports the same value, only that finding is shown, naming the token kind.

use rayon::prelude::*;

use super::{Rule, RuleInfo, Scope};
use crate::analysis::Analysis;
use crate::detect::patterns::PatternSet;
use crate::finding::{Finding, Severity};
use crate::source::Span;

pub struct KnownToken;

pub static INFO: RuleInfo = RuleInfo {
    code: "KT",
    name: "known-token",
    severity: Severity::Error,
    source: include_str!("kt_known_token.rs"),
};

impl Rule for KnownToken {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn scope(&self) -> Scope {
        Scope::Files
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        let set = analysis.patterns.unwrap_or_else(PatternSet::builtin);
        let files: Vec<_> = analysis.ws.files.iter().collect();
        out.par_extend(files.into_par_iter().flat_map_iter(|(id, file)| {
            let mut out = Vec::new();
            for m in set.scan(&file.text) {
                let Some(pattern) = set.patterns().iter().find(|p| p.id == m.id) else {
                    continue;
                };
                let mut f = Finding::new(
                    &INFO,
                    id,
                    Span::from(m.range.clone()),
                    format!("{} written in clear", pattern.description),
                )
                .help("revoke it at the provider, then pass it in as a compose secret or a BuildKit secret mount")
                .anchor(format!("token:{}", pattern.id))
                .secret(Span::from(m.range));
                f.code = &pattern.code;
                f.name = &pattern.name;
                f.token_kind = Some(pattern.description.clone());
                out.push(f);
            }
            out
        }));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    #[test]
    fn fires_in_every_kind_of_file() {
        let files = [
            (
                "compose.yaml",
                "services:\n  ci:\n    image: alpine\n    labels:\n      com.acme.note: \"pasted ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d\"\n",
            ),
            (
                "Dockerfile",
                "FROM alpine\nRUN echo glpat-Zx8kLm2Nq4Rs6Tv8Wy0A > /tmp/t\n",
            ),
            (
                ".env",
                "COMPOSE_PROJECT_NAME=x\nPAYMENTS=sk_live_4fAkEfAkE9aB8cD7eF6gH5iJ4kL3mN2oP1qR0sT9uV8wX7yZ6\n",
            ),
        ];
        let mut found = run(&files, "KT003");
        found.extend(run(&files, "KT009"));
        found.extend(run(&files, "KT024"));
        assert_eq!(found, ["compose.yaml:5", "Dockerfile:2", ".env:2"]);
    }

    #[test]
    fn the_message_names_the_token_and_never_shows_it() {
        let m = messages(
            &[(
                "compose.yaml",
                "x-ci:\n  note: ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d\n",
            )],
            "KT003",
        );
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("GitHub"), "{}", m[0]);
        assert!(!m[0].contains("u8jzPde0"));
    }

    #[test]
    fn placeholders_do_not_fire() {
        for text in [
            "TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
            "TOKEN=${GITHUB_TOKEN}\n",
            "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
        ] {
            let dir = crate::rules::support::testing::project(&[(".env", text)]);
            let mut analysis = crate::analysis::Analysis::load(
                dir.path().to_path_buf(),
                &[dir.path().to_path_buf()],
            );
            let kt: Vec<_> = analysis
                .check()
                .into_iter()
                .filter(|f| f.code.starts_with("KT"))
                .collect();
            assert!(
                kt.is_empty(),
                "{text}: {:?}",
                kt.iter().map(|f| f.code).collect::<Vec<_>>()
            );
        }
    }
}
