//! What it finds: a secret file (as in XR004: a compose secret's `file:` or a credential
//! file known by name) lies inside a build context and the build's ignore file does not
//! exclude it, though no build of the same project `COPY`s or `ADD`s it into the image
//! (when one does, XR004 reports it; a `COPY` naming the file itself is DF003's). Reported
//! once per file and compose project, on the first compose `build` context that sends it
//! (or, for Dockerfiles no compose service builds, once per file and folder, on the first
//! line of the first Dockerfile there, its folder taken as the context).
//!
//! Why it matters: the whole context is sent to the builder, secret included: to a remote
//! builder or CI cache, and into the image the day someone adds `COPY . .`.
//!
//! Example: `compose.yaml` builds `./api`, which holds `api/.env` with credentials, and
//! `api/.dockerignore` does not list `.env`.
//!
//! Fix: exclude the file in the build's `.dockerignore` (`.env`, `**/*.pem`, `secrets/`),
//! or move it out of the context.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use super::xr_common::{ContextExposure, describe, list_names};
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use crate::source::{FileId, Span};

pub struct SecretFileNotIgnoredByDocker;

pub static INFO: RuleInfo = RuleInfo {
    code: "XR005",
    name: "secret-file-not-ignored-by-docker",
    severity: Severity::Warning,
    source: include_str!("xr005_secret_file_not_ignored_by_docker.rs"),
};

impl Rule for SecretFileNotIgnoredByDocker {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        let exposures = &analysis.exposures;
        // Which builds see each other's copies and share a report: those of one compose
        // project, or the Dockerfiles of one folder that no project builds.
        let unit = |e: &'_ ContextExposure| match e.project {
            Some(p) => (Some(p), None),
            None => (None, Some(e.context.clone())),
        };
        let copied: HashSet<_> = exposures
            .iter()
            .filter(|e| e.copy.is_some())
            .map(|e| (unit(e), &e.file.path))
            .collect();
        let mut reported: HashSet<_> = HashSet::new();
        // Per report site: the files, their context-relative paths, the service, the context.
        type Site<'a> = (Vec<String>, Vec<String>, Option<&'a str>, PathBuf);
        let mut by_site: BTreeMap<(FileId, usize, usize), Site<'_>> = BTreeMap::new();
        for e in exposures {
            let key = (unit(e), &e.file.path);
            if copied.contains(&key) || !reported.insert(key) {
                continue;
            }
            let (file, span) = e.build_site;
            let site = by_site
                .entry((file, span.start, span.end))
                .or_insert_with(|| {
                    (
                        Vec::new(),
                        Vec::new(),
                        e.service.as_deref(),
                        e.context.clone(),
                    )
                });
            site.0.push(describe(analysis, &e.file));
            site.1.push(e.file.rel.clone());
        }
        for ((file, start, end), (names, rels, service, context)) in by_site {
            let whose = match service {
                Some(s) => format!("service `{s}`'s build context"),
                None => "the build context".to_owned(),
            };
            let ignore_at = analysis.ws.display(&context.join(".dockerignore"));
            let lines: Vec<String> = rels.iter().take(4).map(|r| format!("/{r}")).collect();
            out.push(
                Finding::new(
                    &INFO,
                    file,
                    Span::new(start, end),
                    format!(
                        "secret file{} {} {} in {whose}, and no .dockerignore excludes {}: {} sent to the builder with the context",
                        if names.len() == 1 { "" } else { "s" },
                        list_names(&names),
                        if names.len() == 1 { "lies" } else { "lie" },
                        if names.len() == 1 { "it" } else { "them" },
                        if names.len() == 1 { "it is" } else { "they are" },
                    ),
                )
                .help(format!("add to `{ignore_at}`:\n{}", lines.join("\n")))
                .anchor(format!("context.{}", rels.join(","))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    #[test]
    fn fires_once_per_file_on_the_build_context() {
        let files = [
            (
                "compose.yaml",
                "services:\n  api:\n    build:\n      context: ./api\n  worker:\n    build:\n      context: ./api\n      dockerfile: Dockerfile.worker\n",
            ),
            ("api/Dockerfile", "FROM python\nCOPY app.py /app/\n"),
            (
                "api/Dockerfile.worker",
                "FROM python\nCOPY worker.py /app/\n",
            ),
            ("api/.env", "DB_PASSWORD=Vx8qLm2Rt9zWp4K\n"),
            ("api/settings/.env", "TZ=UTC\nLOG_LEVEL=info\n"),
            ("api/deploy/id_rsa", "k"),
        ];
        assert_eq!(run(&files, "XR005"), ["compose.yaml:4"]);
        let m = messages(&files, "XR005");
        assert!(
            m[0].contains("api/.env") && m[0].contains("id_rsa"),
            "{m:?}"
        );
        // An env file of plain settings holds no secret.
        assert!(!m[0].contains("settings/.env"), "{m:?}");
    }

    #[test]
    fn a_standalone_dockerfile_is_reported_on_its_first_line() {
        let found = run(
            &[
                (
                    "Dockerfile",
                    "# syntax=docker/dockerfile:1\nFROM x\nCOPY a /a\n",
                ),
                (".npmrc", "//r/:_authToken=x\n"),
            ],
            "XR005",
        );
        assert_eq!(found, ["Dockerfile:1"]);
    }

    #[test]
    fn quiet_when_excluded_or_copied() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  a:\n    build: ./a\n  b:\n    build: ./b\n",
                ),
                ("a/Dockerfile", "FROM x\nCOPY app.py /\n"),
                ("a/.dockerignore", "*\n!app.py\n"),
                ("a/.env", "X=1\n"),
                ("b/Dockerfile", "FROM x\nCOPY . /\n"),
                ("b/.env", "X=1\n"),
            ],
            "XR005",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn once_per_project_and_once_per_folder_of_unbuilt_dockerfiles() {
        let found = run(
            &[
                (
                    "web/compose.yaml",
                    "services:\n  web:\n    build: ../shared\n",
                ),
                (
                    "jobs/compose.yaml",
                    "services:\n  a:\n    build: ../shared\n  b:\n    build: ../shared\n",
                ),
                ("shared/Dockerfile", "FROM x\nCOPY app.py /\n"),
                ("shared/.env", "API_TOKEN=Qm9vX2rT4wLz8KpV\n"),
                ("tools/Dockerfile", "FROM x\nCOPY run.sh /\n"),
                ("tools/Dockerfile.dev", "FROM x\nCOPY run.sh /\n"),
                ("tools/id_rsa", "k"),
            ],
            "XR005",
        );
        assert_eq!(
            found,
            [
                "jobs/compose.yaml:3",
                "tools/Dockerfile:1",
                "web/compose.yaml:3"
            ]
        );
    }
}
