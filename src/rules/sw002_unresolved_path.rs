//! What it finds: a secret `file:` path that holds a variable
//! (`${SECRETS_DIR}/db.txt`) which neither the project's `.env` nor a `${VAR:-default}`
//! gives a value.
//!
//! Why it matters: stowaway does not guess what the variable will be at deploy time, so
//! the checks that need the file (missing, committed, directory, trailing newline) are
//! skipped for this path; this note says so instead of staying silent.
//!
//! Example:
//! ```yaml
//! secrets:
//!   db_password:
//!     file: ${SECRETS_DIR}/db_password.txt
//! ```
//!
//! The same goes for an `include:` path with such a variable
//! (`include: [compose/$HOSTNAME/traefik.yml]`): the included files are not read, and one
//! note per compose file and variable says how many paths that leaves out.
//!
//! Fix: nothing is wrong. To have the file checked, set the variable in the project's
//! `.env` or give a default: `${SECRETS_DIR:-./secrets}`.

use super::support::secret_file_path;
use super::xr_common::list_names;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use crate::source::{FileId, Span};

pub struct UnresolvedPath;

pub static INFO: RuleInfo = RuleInfo {
    code: "SW002",
    name: "unresolved-path",
    severity: Severity::Info,
    source: include_str!("sw002_unresolved_path.rs"),
};

impl Rule for UnresolvedPath {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            let includes = project
                .unresolved_includes
                .iter()
                .map(|i| (i.file, i.path.span, i.variable.clone(), ()));
            for (file, span, variable, paths) in by_file_and_variable(includes) {
                let paths = match paths.len() {
                    1 => "this `include:` path uses".to_owned(),
                    n => format!("{n} `include:` paths use"),
                };
                out.push(
                    Finding::new(
                        &INFO,
                        file,
                        span,
                        format!(
                            "{paths} `{variable}`, which has no value in the project's .env and no default: the included files are not read"
                        ),
                    )
                    .help(format!(
                        "set `{variable}` in .env or write `${{{variable}:-default}}` to have them checked"
                    ))
                    .anchor(format!("include.{variable}")),
                );
            }
            let secrets = project.secrets.iter().filter_map(|def| {
                let (Some(Err(why)), Some(raw)) =
                    (secret_file_path(project, def), &def.source_file)
                else {
                    return None;
                };
                Some((def.file, raw.span, why.variable, def.name.as_str()))
            });
            for (file, span, variable, names) in by_file_and_variable(secrets) {
                let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                let whose = match quoted.as_slice() {
                    [one] => format!("the path of secret {one} uses"),
                    many => format!("the paths of secrets {} use", list_names(many)),
                };
                out.push(
                    Finding::new(
                        &INFO,
                        file,
                        span,
                        format!(
                            "{whose} `{variable}`, which has no value in the project's .env and no default: file checks skipped"
                        ),
                    )
                    .help(format!("set `{variable}` in .env or write `${{{variable}:-default}}` to have the file checked"))
                    .anchor(format!("secrets.{}.file", names[0])),
                );
            }
        }
    }
}

/// Unresolved places grouped by compose file and variable, in order: one note each, at the
/// first place, with what every place names.
fn by_file_and_variable<T>(
    places: impl Iterator<Item = (FileId, Span, String, T)>,
) -> Vec<(FileId, Span, String, Vec<T>)> {
    let mut out: Vec<(FileId, Span, String, Vec<T>)> = Vec::new();
    for (file, span, variable, item) in places {
        match out.iter_mut().find(|g| g.0 == file && g.2 == variable) {
            Some(group) => group.3.push(item),
            None => out.push((file, span, variable, vec![item])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::run;

    #[test]
    fn fires_on_an_unresolvable_path() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  a:\n    secrets: [m]\nsecrets:\n  m:\n    file: ${SECRETS_DIR}/m.txt\n",
            )],
            "SW002",
        );
        assert_eq!(found, ["compose.yaml:6"]);
    }

    #[test]
    fn dotenv_or_default_resolves_it() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  a:\n    secrets: [m, n]\nsecrets:\n  m:\n    file: ${SECRETS_DIR}/m.txt\n  n:\n    file: ${OTHER:-./s}/n.txt\n",
                ),
                (".env", "SECRETS_DIR=./s\n"),
            ],
            "SW002",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn one_note_for_the_include_paths_of_a_file_with_the_variable() {
        let found = run(
            &[
                (
                    "docker-compose-hs.yml",
                    "include:\n  - compose/$HOSTNAME/traefik.yml\n  - compose/$HOSTNAME/plex.yml\n  - ${OTHER:-lib}/x.yml\nservices:\n  a:\n    image: x\n",
                ),
                ("lib/x.yml", "services:\n  x:\n    image: x\n"),
            ],
            "SW002",
        );
        assert_eq!(found, ["docker-compose-hs.yml:2"]);
    }

    #[test]
    fn one_note_per_file_and_variable_naming_the_secrets() {
        let found = crate::rules::support::testing::messages(
            &[(
                "docker-compose-hs.yml",
                "services:\n  a:\n    image: x\n    secrets: [one, two, three]\nsecrets:\n  one:\n    file: $DOCKERDIR/secrets/one\n  two:\n    file: $DOCKERDIR/secrets/two\n  three:\n    file: ${SECRETSDIR}/three\n",
            )],
            "SW002",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].contains("secrets `one` and `two` use `DOCKERDIR`"),
            "{found:?}"
        );
    }
}
