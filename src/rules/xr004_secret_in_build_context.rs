//! What it finds: a secret file lies inside a build context, the Dockerfile copies the
//! context broadly (`COPY . .`, `ADD . /app`, `COPY ./ /src/`, or a folder holding the
//! file) in a stage the build runs, and the build's ignore file (`<Dockerfile>.dockerignore`,
//! else `<context>/.dockerignore`) does not exclude it. Secret files are the `file:` of
//! the project's compose secrets and credential files known by name: SSH keys
//! (`id_rsa`, `id_ed25519`, ...), private keys and key stores (`*.key`, `*.pem` holding
//! a private key, `*.p12`, `*.pfx`, `*.kdbx`), `.env` files (not `.env.example` and the
//! like), `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `credentials.json`,
//! `.aws/credentials`, `.docker/config.json`. `.gitignore` plays no part: git-ignored
//! files are sent to the builder all the same. `COPY --from=...` copies from a stage, not
//! the context. A Dockerfile no compose service builds is taken to be built with its own
//! folder as the context. One finding per copy, naming the files of the first compose
//! project that builds the Dockerfile.
//!
//! Why it matters: the secret is baked into an image layer. Anyone who can pull the image
//! can read it, and deleting it in a later layer does not remove it.
//!
//! Example: `app/.env` holds credentials, `compose.yaml` builds `./app`, and
//! `app/Dockerfile` has `COPY . .` while `app/.dockerignore` is missing.
//!
//! Fix: exclude the file in the build's `.dockerignore` (`.env`, `**/*.key`,
//! `secrets/`), or copy only what the image needs; pass secrets the build needs with
//! `RUN --mount=type=secret`.

use std::collections::BTreeMap;

use super::xr_common::{Coverage, describe, list_names};
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use crate::source::{FileId, Span};

pub struct SecretInBuildContext;

pub static INFO: RuleInfo = RuleInfo {
    code: "XR004",
    name: "secret-in-build-context",
    severity: Severity::Error,
    source: include_str!("xr004_secret_in_build_context.rs"),
};

impl Rule for SecretInBuildContext {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        // One finding per copy source, naming every secret file it takes in.
        // Per copy source: the files as shown, and their context-relative paths.
        type Files = (Vec<String>, Vec<String>);
        // Per compose project: a Dockerfile several projects build gets one finding each
        // (the first is shown), whichever of them are checked together.
        let mut by_copy: BTreeMap<(FileId, usize, usize, Option<usize>), Files> = BTreeMap::new();
        for e in &analysis.exposures {
            let Some((file, span, Coverage::Broad)) = e.copy else {
                continue;
            };
            let entry = by_copy
                .entry((file, span.start, span.end, e.project))
                .or_default();
            let name = describe(analysis, &e.file);
            if !entry.0.contains(&name) {
                entry.0.push(name);
                entry.1.push(e.file.rel.clone());
            }
        }
        for ((file, start, end, _), (names, rels)) in by_copy {
            let shown = list_names(&names);
            let ignore_lines: Vec<String> = rels.iter().take(4).map(|r| format!("/{r}")).collect();
            out.push(
                Finding::new(
                    &INFO,
                    file,
                    Span::new(start, end),
                    format!(
                        "this copy takes secret file{} {shown} from the build context into the image",
                        if names.len() == 1 { "" } else { "s" },
                    ),
                )
                .help(format!(
                    "exclude {} in the build's .dockerignore:\n{}\nand pass secrets the build needs with `RUN --mount=type=secret`",
                    if names.len() == 1 { "it" } else { "them" },
                    ignore_lines.join("\n")
                ))
                .anchor(format!("copy.{}", rels.join(","))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    #[test]
    fn fires_on_a_broad_copy_of_a_context_holding_secrets() {
        let files = [
            ("compose.yaml", "services:\n  app:\n    build: ./app\n"),
            (
                "app/Dockerfile",
                "FROM node\nWORKDIR /app\nCOPY package.json ./\nCOPY . .\n",
            ),
            ("app/package.json", "{}"),
            ("app/.env", "API_KEY=x\n"),
            ("app/certs/server.key", "k"),
            ("app/.env.example", "API_KEY=\n"),
        ];
        assert_eq!(run(&files, "XR004"), ["app/Dockerfile:4"]);
        let m = messages(&files, "XR004");
        assert!(
            m[0].contains("app/.env") && m[0].contains("server.key"),
            "{m:?}"
        );
        assert!(!m[0].contains("example"), "{m:?}");
    }

    #[test]
    fn the_dockerignore_from_and_narrow_copies_keep_it_quiet() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  a:\n    build: ./a\n  b:\n    build: ./b\n",
                ),
                ("a/Dockerfile", "FROM node\nCOPY . .\n"),
                ("a/.dockerignore", ".env\n**/*.key\n"),
                ("a/.env", "X=1\n"),
                ("a/k/server.key", "k"),
                (
                    "b/Dockerfile",
                    "FROM node AS build\nCOPY src/ /src/\nFROM node\nCOPY --from=build /src /src\n",
                ),
                ("b/.env", "X=1\n"),
            ],
            "XR004",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_compose_secret_file_in_the_context_counts_whatever_its_name() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  app:\n    build: .\n    secrets: [db]\nsecrets:\n  db:\n    file: ./secrets/db.txt\n",
                ),
                ("Dockerfile", "FROM python\nADD . /app\n"),
                ("secrets/db.txt", "pw"),
                (".gitignore", "secrets/\n"),
            ],
            "XR004",
        );
        assert_eq!(found, ["Dockerfile:2"]);
    }

    #[test]
    fn a_certificate_pem_is_not_a_secret_but_a_key_pem_is() {
        let found = run(
            &[
                ("Dockerfile", "FROM nginx\nCOPY . /etc/nginx/\n"),
                (
                    "ca.pem",
                    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                ),
            ],
            "XR004",
        );
        assert!(found.is_empty(), "{found:?}");
        let found = run(
            &[
                ("Dockerfile", "FROM nginx\nCOPY . /etc/nginx/\n"),
                (
                    "tls.pem",
                    "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
                ),
            ],
            "XR004",
        );
        assert_eq!(found, ["Dockerfile:2"]);
    }
}
