//! What it finds: a service value points into `/run/secrets/` — an environment variable
//! such as `POSTGRES_PASSWORD_FILE=/run/secrets/db_password` (in `environment:` or in an
//! `env_file:`), or a path in `command`, `entrypoint` or `healthcheck.test` — and the
//! service is not granted a secret mounted at that path. A grant is a `secrets:` entry of
//! the service in any of the project's files (base, overrides, `extends`): short syntax
//! `- db_password` mounts `/run/secrets/db_password`, long syntax mounts at `target` (a
//! relative target under `/run/secrets/`). A volume or config mounted there counts too.
//!
//! Why it matters: the file does not exist in the container. Official images then refuse
//! to start or, worse, start with an empty password; application code fails at its
//! first use of the secret.
//!
//! Example:
//! ```yaml
//! services:
//!   db:
//!     image: postgres:16
//!     environment:
//!       POSTGRES_PASSWORD_FILE: /run/secrets/db_password
//!     secrets: [postgres_password]   # mounted at /run/secrets/postgres_password
//! ```
//!
//! Fix: grant the secret under that name (`- source: postgres_password` with
//! `target: db_password`), or point the variable at the path the secret is mounted at.

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::compose::paths::resolve_path;
use crate::compose::{Service, ServicePart};
use crate::finding::{Finding, Severity};
use crate::source::{FileId, Span};
use crate::yaml::{Kind, Node, locate_in_scalar};

pub struct SecretFileNotGranted;

pub static INFO: RuleInfo = RuleInfo {
    code: "XR003",
    name: "secret-file-not-granted",
    severity: Severity::Error,
    source: include_str!("xr003_secret_file_not_granted.rs"),
};

const PREFIX: &str = "/run/secrets/";
/// Deepest nesting of a command value that is searched.
const MAX_DEPTH: usize = 4;

impl Rule for SecretFileNotGranted {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for service in &project.services {
                let Some(mounted) = mounted_paths(service) else {
                    continue;
                };
                let granted = |path: &str| {
                    mounted.iter().any(|m| {
                        path == m
                            || path
                                .strip_prefix(m.as_str())
                                .is_some_and(|r| r.starts_with('/'))
                    })
                };
                let mut values: Vec<(FileId, &Node, Option<&str>)> = Vec::new();
                for part in &service.parts {
                    for var in &part.environment {
                        values.push((var.file, &var.node, Some(var.name.as_str())));
                    }
                    for node in part.command_nodes() {
                        collect_scalars(node, part.file, 0, &mut values);
                    }
                }
                let mut hits: Vec<Hit> = Vec::new();
                for (file, node, var) in values {
                    let Some(text) = node.as_str() else {
                        continue;
                    };
                    let source = &analysis.ws.files.get(file).text;
                    for (range, path) in secret_paths(text) {
                        hits.push(Hit {
                            file,
                            span: locate_in_scalar(source, node, range),
                            path,
                            var: var.map(str::to_owned),
                        });
                    }
                }
                // Values read from the service's `env_file:` files.
                for part in &service.parts {
                    for env_file in &part.env_files {
                        let Ok(path) =
                            resolve_path(&env_file.dir, &env_file.path.value, &project.dotenv)
                        else {
                            continue;
                        };
                        let Some(id) = analysis.ws.id_of(&path) else {
                            continue;
                        };
                        let Some(doc) = analysis.env_files.iter().find(|d| d.file == id) else {
                            continue;
                        };
                        let source = &analysis.ws.files.get(id).text;
                        for entry in &doc.entries {
                            let Some(range) = entry.value_range.clone() else {
                                continue;
                            };
                            let raw = source.get(range.clone()).unwrap_or("");
                            for (r, path) in secret_paths(raw) {
                                hits.push(Hit {
                                    file: id,
                                    span: Span::new(range.start + r.start, range.start + r.end),
                                    path,
                                    var: Some(entry.key.clone()),
                                });
                            }
                        }
                    }
                }
                for hit in hits {
                    let path = hit.path.as_str();
                    if granted(path) {
                        continue;
                    }
                    let name = path.strip_prefix(PREFIX).unwrap_or(path);
                    let what = hit
                        .var
                        .as_ref()
                        .map_or("a command".to_owned(), |v| format!("`{v}`"));
                    let help = match service
                        .granted_secrets()
                        .into_iter()
                        .find(|r| r.source.as_ref().is_some_and(|s| s.value == name))
                    {
                        Some(r) => format!(
                            "secret `{name}` is granted, but mounted at `{}`: point the value there, or set `target: {name}`",
                            r.mount_path().unwrap_or_default()
                        ),
                        None if project.secret(name).is_some() => {
                            format!("grant it: `secrets: [{name}]`")
                        }
                        None => format!(
                            "grant the secret with `secrets:` (long syntax: `- source: <secret>` and `target: {name}`)"
                        ),
                    };
                    out.push(
                        Finding::new(
                            &INFO,
                            hit.file,
                            hit.span,
                            format!(
                                "{what} points at `{path}`, but service `{}` is not granted a secret mounted there",
                                service.name
                            ),
                        )
                        .help(help)
                        .anchor(format!("services.{}.{path}", service.name)),
                    );
                }
            }
        }
    }
}

/// A value pointing into `/run/secrets/`.
struct Hit {
    file: FileId,
    span: Span,
    path: String,
    /// The variable holding it; `None` for a command.
    var: Option<String>,
}

/// Every path under `/run/secrets/` a service gets: its secrets' mount paths, and the
/// targets of its volumes and configs. `None` when a grant is not literal.
fn mounted_paths(service: &Service) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for r in service.granted_secrets() {
        let path = r.mount_path()?;
        if path.contains('$') {
            return None;
        }
        out.push(path);
    }
    for part in &service.parts {
        out.extend(volume_targets(part));
    }
    Some(
        out.into_iter()
            .map(|p| p.trim_end_matches('/').to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
    )
}

/// Container paths of `volumes:` (short `src:dst[:opts]` or long `target:`) and of
/// long-syntax `configs:` entries.
fn volume_targets(part: &ServicePart) -> Vec<String> {
    let mut out = Vec::new();
    for (key, short) in [("volumes", true), ("configs", false)] {
        let Some(items) = part.node.get(key).and_then(Node::as_seq) else {
            continue;
        };
        for item in items {
            if let Some(t) = item.get("target").and_then(Node::as_str) {
                out.push(t.to_owned());
            } else if short && let Some(s) = item.as_str() {
                let mut fields = s.split(':');
                let first = fields.next().unwrap_or("");
                out.push(fields.next().unwrap_or(first).to_owned());
            }
        }
    }
    out
}

fn collect_scalars<'a>(
    node: &'a Node,
    file: FileId,
    depth: usize,
    out: &mut Vec<(FileId, &'a Node, Option<&'a str>)>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match &node.kind {
        Kind::Scalar(_) => out.push((file, node, None)),
        Kind::Seq(items) => {
            for i in items.iter() {
                collect_scalars(i, file, depth + 1, out);
            }
        }
        Kind::Map(_) => {}
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/')
}

/// Paths under `/run/secrets/` written literally in `text`, with their byte ranges. A
/// path that continues with an interpolation (`/run/secrets/${NAME}`) is skipped, and so
/// is `/var/run/secrets/...` (Kubernetes service accounts).
fn secret_paths(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    for (start, _) in text.match_indices(PREFIX) {
        if text[..start].chars().next_back().is_some_and(is_name_char) {
            continue;
        }
        let rest = &text[start + PREFIX.len()..];
        let len = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
        if rest[len..].starts_with('$') {
            continue;
        }
        let name = rest[..len].trim_end_matches(['/', '.']);
        if name.is_empty() {
            continue;
        }
        let end = start + PREFIX.len() + name.len();
        out.push((start..end, text[start..end].to_owned()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::secret_paths;
    use crate::rules::support::testing::run;

    #[test]
    fn paths_are_read_from_free_text() {
        let p = |t: &str| {
            secret_paths(t)
                .into_iter()
                .map(|(_, p)| p)
                .collect::<Vec<_>>()
        };
        assert_eq!(p("/run/secrets/db_password"), ["/run/secrets/db_password"]);
        assert_eq!(
            p("sh -c 'x=$(cat /run/secrets/a.txt); y </run/secrets/b'"),
            ["/run/secrets/a.txt", "/run/secrets/b"]
        );
        assert!(p("/var/run/secrets/kubernetes.io/token").is_empty());
        assert!(p("/run/secrets/${NAME}").is_empty());
        assert!(p("/run/secrets/").is_empty());
    }

    #[test]
    fn fires_on_values_pointing_at_secrets_not_granted() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n    secrets: [postgres_password]\n  app:\n    image: app\n    environment:\n      - API_KEY_FILE=/run/secrets/api_key\n    command: [\"sh\", \"-c\", \"serve --token-file /run/secrets/token\"]\n    secrets: [api_key]\nsecrets:\n  postgres_password:\n    file: ./pw.txt\n  api_key:\n    environment: K\n",
            )],
            "XR003",
        );
        assert_eq!(found, ["compose.yaml:5", "compose.yaml:11"]);
    }

    #[test]
    fn env_file_values_are_checked_too() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  app:\n    image: app\n    env_file: [app.env]\n    secrets: [a]\nsecrets:\n  a: {environment: A}\n",
                ),
                (
                    "app.env",
                    "A_FILE=/run/secrets/a\nB_FILE=\"/run/secrets/b\"\n",
                ),
            ],
            "XR003",
        );
        assert_eq!(found, ["app.env:2"]);
    }

    #[test]
    fn grants_in_any_form_and_any_file_count() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    "services:\n  app:\n    image: app\n    environment:\n      A_FILE: /run/secrets/a\n      B_FILE: /run/secrets/b_renamed\n      C_FILE: /run/secrets/c\n      D_FILE: /run/secrets/certs/d.pem\n      E_FILE: /run/secrets/e\n    secrets:\n      - a\n      - source: b\n        target: b_renamed\n      - source: c\n        target: /run/secrets/c\n    volumes:\n      - ./certs:/run/secrets/certs:ro\nsecrets:\n  a: {environment: A}\n  b: {environment: B}\n  c: {environment: C}\n  e: {environment: E}\n",
                ),
                (
                    "compose.override.yaml",
                    "services:\n  app:\n    secrets: [e]\n",
                ),
            ],
            "XR003",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
