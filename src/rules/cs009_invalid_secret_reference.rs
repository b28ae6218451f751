//! What it finds: a malformed entry in a service's `secrets:` or `build.secrets:`: long
//! syntax without `source`, a key Compose does not know, `uid`/`gid` that are not numeric,
//! a `mode` that is not a permission, two entries mounted at the same target in one
//! service, an external secret used by a build, an entry that is neither a name nor a
//! mapping, or a `secrets:` that is not a list at all (a mapping of names, as top-level
//! `secrets:` is written).
//!
//! Why it matters: Compose rejects most of these when the project loads; the rest
//! (duplicate targets) silently mount one secret over another.
//!
//! Example:
//! ```yaml
//! services:
//!   api:
//!     secrets:
//!       - source: db_password
//!         target: db
//!         uid: app          # must be a numeric id
//!       - source: db_replica_password
//!         target: db        # same target as above
//! ```
//!
//! Fix: write `source:` for every long-syntax entry, numeric `uid`/`gid` strings
//! (`uid: "1000"`), an octal `mode` (`0440`), one target per secret, and give builds only
//! secrets Compose can read itself (`file:` or `environment:`).

use std::collections::HashMap;

use super::support::parse_mode;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::compose::{Project, SecretRef, Service};
use crate::finding::{Finding, Severity};
use crate::source::{FileId, Span};

pub struct InvalidSecretReference;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS009",
    name: "invalid-secret-reference",
    severity: Severity::Error,
    source: include_str!("cs009_invalid_secret_reference.rs"),
};

impl Rule for InvalidSecretReference {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for service in &project.services {
                not_lists(service, out);
                for r in service.secrets().chain(service.build_secrets()) {
                    check_entry(analysis, project, service, r, out);
                }
                duplicate_targets(service, out);
            }
        }
    }
}

fn finding(file: FileId, span: Span, service: &Service, message: String, help: &str) -> Finding {
    Finding::new(&INFO, file, span, message)
        .help(help)
        .anchor(format!("services.{}.secrets", service.name))
}

/// `secrets:` (of the service or of its `build:`) written as anything but a list: a
/// mapping of names, one name, or nothing. Compose's schema refuses the project
/// ("services.api.secrets must be a array"); none of the entries is granted.
fn not_lists(service: &Service, out: &mut Vec<Finding>) {
    for part in &service.parts {
        let build = part.node.get("build").filter(|b| b.as_map().is_some());
        let places = [("secrets", Some(&part.node)), ("build.secrets", build)];
        for (what, parent) in places {
            let Some((_, key, value)) =
                parent.and_then(|p| p.entries().find(|(k, _, _)| *k == "secrets"))
            else {
                continue;
            };
            if value.as_seq().is_some() {
                continue;
            }
            let written = if value.as_map().is_some() {
                "a mapping"
            } else if value.is_null() {
                "empty"
            } else {
                "a single value"
            };
            let span = if value.is_null() {
                key.span
            } else {
                value.span
            };
            out.push(finding(
                part.file,
                span,
                service,
                format!(
                    "`{what}` of service `{}` is {written}, not a list: Docker Compose refuses the file (\"services.{}.{what} must be a array\")",
                    service.name, service.name
                ),
                "write one list entry per secret: `- db_password`, or `- source: db_password` with `target:`, `uid:`, `gid:`, `mode:` under it",
            ));
        }
    }
}

fn check_entry(
    analysis: &Analysis,
    project: &Project,
    service: &Service,
    r: &SecretRef,
    out: &mut Vec<Finding>,
) {
    let what = if r.build { "build secret" } else { "secret" };
    if r.build
        && let Some(source) = &r.source
        && project
            .secret(&source.value)
            .is_some_and(|d| d.is_external())
    {
        out.push(finding(
                    r.file,
                    source.span,
                    service,
                    format!(
                        "build of service `{}` uses external secret `{}`",
                        service.name, source.value
                    ),
                    "builds cannot read external (Swarm) secrets: define a build secret with `file:` or `environment:`",
                ));
    }
    let Some(long) = &r.long else {
        if r.source.is_none() {
            out.push(finding(
                r.file,
                r.span,
                service,
                format!("{what} entry of service `{}` is neither a secret name nor a mapping", service.name),
                "write the secret's name (`- db_password`) or the long syntax (`- source: db_password`)",
            ));
        }
        return;
    };
    if r.source.is_none() {
        let span = long.get("source").map_or(r.span, |n| n.span);
        out.push(finding(
            r.file,
            span,
            service,
            format!(
                "long-syntax {what} entry of service `{}` has no `source`",
                service.name
            ),
            "add `source: <name of a top-level secret>`",
        ));
    }
    for key in &r.unknown_keys {
        out.push(finding(
            r.file,
            key.span,
            service,
            format!(
                "unknown key `{}` in a {what} entry of service `{}`",
                key.value, service.name
            ),
            "the long syntax knows `source`, `target`, `uid`, `gid` and `mode`",
        ));
    }
    let text = &analysis.ws.files.get(r.file).text;
    for (key, node) in [("uid", &r.uid), ("gid", &r.gid)] {
        let Some(node) = node else { continue };
        let numeric = node
            .as_str()
            .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()));
        if !numeric {
            out.push(finding(
                r.file,
                node.span,
                service,
                format!(
                    "`{key}` of secret `{}` must be a numeric id",
                    r.source.as_ref().map_or("?", |s| s.value.as_str())
                ),
                "use the numeric id as a string, e.g. `uid: \"1000\"`; user names are not resolved",
            ));
        }
    }
    if let Some(node) = &r.mode {
        match parse_mode(text, node) {
            Some(m) if m.decimal_lookalike => {} // CS010 explains it
            Some(m) if m.bits <= 0o777 => {}
            _ => out.push(finding(
                r.file,
                node.span,
                service,
                format!(
                    "`mode` of secret `{}` is not a file permission",
                    r.source.as_ref().map_or("?", |s| s.value.as_str())
                ),
                "write an octal permission between 0000 and 0777, e.g. `mode: 0440`",
            )),
        }
    }
}

/// Two runtime secrets of one service mounted at the same path.
fn duplicate_targets(service: &Service, out: &mut Vec<Finding>) {
    let mut seen: HashMap<String, (&SecretRef, usize)> = HashMap::new();
    for (part_index, part) in service.parts_for("secrets").iter().enumerate() {
        for r in &part.secrets {
            let (Some(path), Some(source)) = (r.mount_path(), &r.source) else {
                continue;
            };
            match seen.get(&path) {
                Some((first, first_part)) => {
                    let same_entry_merged = *first_part != part_index
                        && first
                            .source
                            .as_ref()
                            .is_some_and(|s| s.value == source.value);
                    if !same_entry_merged {
                        let span = r.target.as_ref().map_or(source.span, |t| t.span);
                        out.push(finding(
                            r.file,
                            span,
                            service,
                            format!(
                                "service `{}` mounts two secrets at `{path}` (`{}` and `{}`)",
                                service.name,
                                first.source.as_ref().map_or("?", |s| s.value.as_str()),
                                source.value
                            ),
                            "give each secret its own `target`",
                        ));
                    }
                }
                None => {
                    seen.insert(path, (r, part_index));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::run;

    const DEFS: &str = "secrets:\n  a:\n    environment: A\n  b:\n    environment: B\n  ext:\n    external: true\n";

    #[test]
    fn fires_on_each_malformed_entry() {
        let compose = format!(
            "services:\n  s:\n    secrets:\n      - target: x\n      - source: a\n        uid: app\n        gid: \"10\"\n        mode: \"999\"\n        mdoe: 0400\n      - source: b\n        target: a\n      - [a]\n    build:\n      secrets: [ext]\n{DEFS}"
        );
        let found = run(&[("compose.yaml", &compose)], "CS009");
        assert_eq!(
            found,
            [
                "compose.yaml:4",
                "compose.yaml:6",
                "compose.yaml:8",
                "compose.yaml:9",
                "compose.yaml:11",
                "compose.yaml:12",
                "compose.yaml:14"
            ]
        );
    }

    #[test]
    fn well_formed_entries_are_fine() {
        let compose = format!(
            "services:\n  s:\n    secrets:\n      - a\n      - source: b\n        target: /etc/b\n        uid: \"100\"\n        gid: '1000'\n        mode: 0440\n    build:\n      secrets: [a]\n{DEFS}"
        );
        let found = run(&[("compose.yaml", &compose)], "CS009");
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn the_same_secret_in_base_and_override_is_one_entry() {
        let found = run(
            &[
                (
                    "compose.yaml",
                    &format!("services:\n  s:\n    secrets: [a]\n{DEFS}"),
                ),
                (
                    "compose.override.yaml",
                    "services:\n  s:\n    secrets: [a]\n",
                ),
            ],
            "CS009",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
