//! What it finds: a `COPY` or `ADD` whose source is a credential file: SSH private keys
//! (`id_rsa`, `id_dsa`, `id_ecdsa`, `id_ed25519`, a `.ssh` folder), `*.pem`, `*.key`,
//! `*.p12`, `*.pfx`, `*.kdbx`, `.env` (and `.env.production`, not `.env.example`),
//! `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `.aws/credentials`,
//! `.docker/config.json`, `credentials.json`, or the `file:` of a compose secret of a
//! service that builds this Dockerfile.
//!
//! Why it matters: whatever `COPY` puts in a layer stays in the image, even if a later
//! `RUN rm` deletes it: every layer can be extracted with `docker save`. A key copied in
//! a build stage and not into the final image still sits in the build cache and in any
//! pushed intermediate image. `COPY --from=build /app/public.pem` is reported too: the
//! rule cannot know what the file holds.
//!
//! Example:
//! ```dockerfile
//! FROM python:3.12-slim
//! COPY id_ed25519 /root/.ssh/id_ed25519
//! RUN git clone git@github.com:acme/private.git
//! ```
//!
//! Fix: mount the credential only for the `RUN` that needs it:
//! `RUN --mount=type=ssh git clone ...` (with `docker build --ssh default`) or
//! `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`. Armoured GPG keys for
//! package repositories (`*.gpg.key`, `*-pgp.key`) and `*.pub` files are not reported.

use std::path::PathBuf;

use crate::workspace::normalize;

use super::support::secret_file_path;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::detect::files::{credential_file_kind, holds_secret, judged_by_content};
use crate::dockerfile::{Copy, Kind};
use crate::finding::{Finding, Severity};
use crate::source::Span;

pub struct SecretFileCopied;

pub static INFO: RuleInfo = RuleInfo {
    code: "DF003",
    name: "secret-file-copied",
    severity: Severity::Error,
    source: include_str!("df003_secret_file_copied.rs"),
};

impl Rule for SecretFileCopied {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for (index, doc) in analysis.dockerfiles.iter().enumerate() {
            // Compose secret files, with the build context of each service that builds
            // this Dockerfile.
            let mut secret_files: Vec<(PathBuf, PathBuf, String)> = Vec::new();
            // The folders a `COPY` source is taken from: each build's context, else the
            // Dockerfile's own folder.
            let mut contexts: Vec<PathBuf> = Vec::new();
            for link in analysis
                .builds
                .iter()
                .filter(|b| b.dockerfile == Some(index))
            {
                contexts.push(normalize(&link.context));
                let Some(project) = analysis.projects.get(link.project) else {
                    continue;
                };
                for def in &project.secrets {
                    if let Some(Ok(path)) = secret_file_path(project, def) {
                        secret_files.push((
                            normalize(&link.context),
                            normalize(&path),
                            def.name.clone(),
                        ));
                    }
                }
            }
            for ins in &doc.model.instructions {
                let (Kind::Copy(copy) | Kind::Add(copy)) = &ins.kind else {
                    continue;
                };
                let Copy { from, sources, .. } = copy;
                for source in sources {
                    let value = source.value.as_str();
                    if value.contains("://") || value.starts_with("git@") {
                        continue;
                    }
                    if contexts.is_empty()
                        && let Some(dir) = analysis.ws.files.get(doc.file).path.parent()
                    {
                        contexts.push(dir.to_path_buf());
                    }
                    let sources: Vec<PathBuf> = contexts
                        .iter()
                        .filter(|_| from.is_none())
                        .map(|c| c.join(value.trim_start_matches('/')))
                        .collect();
                    let mut unread_but_ignored = false;
                    let by_name = credential_file_kind(value).filter(|_| {
                        // What the file holds, where it can be read (not from another
                        // stage or image); else what its name most often means.
                        let judged: Vec<Option<bool>> =
                            sources.iter().map(|p| holds_secret(p)).collect();
                        if judged.iter().any(|j| j.is_some()) {
                            return judged.contains(&Some(true));
                        }
                        if !judged_by_content(value) {
                            return true;
                        }
                        // Absent, and git-ignored: each machine's own copy (a local
                        // `.env`, an `.npmrc` written for the build with the token). Not
                        // so a `.pem`/`.crt`, most often a certificate (`.pki/ca.pem`).
                        let lower = value.to_ascii_lowercase();
                        let public = [".pem", ".crt"].iter().any(|e| lower.ends_with(e));
                        unread_but_ignored = !public
                            && !value.contains('*')
                            && sources.iter().any(|p| analysis.git_ignored(p, false));
                        unread_but_ignored
                    });
                    let by_name = by_name.map(|kind| match unread_but_ignored {
                        true => format!(
                            "{kind}, absent here and git-ignored: the copy on the machine that builds, with its secrets"
                        ),
                        false => kind.to_owned(),
                    });
                    let what = by_name.or_else(|| {
                        if from.is_some() {
                            return None;
                        }
                        secret_files.iter().find_map(|(context, file, name)| {
                            let src = normalize(&context.join(value.trim_start_matches('/')));
                            let hit = src == *file || (src != *context && file.starts_with(&src));
                            hit.then(|| format!("the file of compose secret `{name}`"))
                        })
                    });
                    let Some(what) = what else {
                        continue;
                    };
                    let verb = ins.keyword.as_str();
                    out.push(
                        Finding::new(
                            &INFO,
                            doc.file,
                            Span::from(source.span.clone()),
                            format!(
                                "`{verb}` puts `{value}` ({what}) into an image layer, where it stays even if a later step deletes it"
                            ),
                        )
                        .help("mount it only for the step that needs it: `RUN --mount=type=secret,id=<id>,target=<path> ...` (or `--mount=type=ssh` for SSH keys), and keep it out of the build context with .dockerignore")
                        .anchor(format!(
                            "stage:{} {verb} {value}",
                            doc.model.stage_label(ins)
                        )),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::detect::files::credential_file_kind;
    use crate::rules::support::testing::run;

    #[test]
    fn names_of_credential_files() {
        for yes in [
            "id_rsa",
            "./keys/id_ed25519",
            "certs/server.key",
            "tls/*.pem",
            "client.p12",
            "store.PFX",
            "vault.kdbx",
            ".env",
            ".env.production",
            ".npmrc",
            ".pypirc",
            ".netrc",
            ".git-credentials",
            "home/.aws/credentials",
            ".docker/config.json",
            "gcp/credentials.json",
            ".ssh/",
            "/app/public.pem",
        ] {
            assert!(credential_file_kind(yes).is_some(), "{yes}");
        }
        for no in [
            ".env.example",
            "env.sample",
            "id_rsa.pub",
            "requirements.txt",
            ".",
            "package.json",
            "nodesource.gpg.key",
            "docker-archive-keyring.gpg",
            "config.json",
            "keys/",
        ] {
            assert!(credential_file_kind(no).is_none(), "{no}");
        }
    }

    #[test]
    fn fires_on_keys_env_files_and_compose_secret_files() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  api:\n    build: ./api\nsecrets:\n  db:\n    file: ./api/conf/db_password.txt\n",
                ),
                (
                    "api/Dockerfile",
                    "FROM alpine AS build\nCOPY conf/db_password.txt /etc/app/\nCOPY [\"id_rsa\", \"/root/.ssh/\"]\nFROM alpine\nCOPY --from=build /app/public.pem /certs/\nADD .env.example /app/\nCOPY . /src\n",
                ),
                ("api/conf/db_password.txt", "x"),
            ],
            "DF003",
        );
        // Line 5 copies a `.pem` from another stage: its content is unknown, and a `.pem` is
        // a credential file only by what it holds.
        assert_eq!(found, ["api/Dockerfile:2", "api/Dockerfile:3"]);
    }

    #[test]
    fn credential_files_are_judged_by_what_they_hold() {
        // redash's `.npmrc` holds pnpm settings; a DH parameter file is public.
        let found = run(
            &[
                (
                    "Dockerfile",
                    "FROM node:20\nCOPY .npmrc package.json ./\nCOPY ffdhe4096.pem /etc/nginx/\nCOPY deploy.npmrc /root/.npmrc\nCOPY certs/.npmrc /opt/\n",
                ),
                (".npmrc", "engine-strict=true\nshamefully-hoist=true\n"),
                (
                    "ffdhe4096.pem",
                    "-----BEGIN DH PARAMETERS-----\nMIICCAKCAgEA\n-----END DH PARAMETERS-----\n",
                ),
                (
                    "certs/.npmrc",
                    "//registry.npmjs.org/:_authToken=npm_Qw12Er34Ty56Ui78Op90As12Df34Gh56Jk78\n",
                ),
            ],
            "DF003",
        );
        assert_eq!(found, ["Dockerfile:5"]);
    }
}
