//! What it finds: a secret's long-syntax `mode:` that lets any user of the container read
//! the secret (o+r) or lets any user write it (o+w).
//!
//! Why it matters: every process in the container, whatever user it runs as, can then
//! read (or replace) the credential; a compromised low-privilege process gets it for free.
//!
//! Example:
//! ```yaml
//! secrets:
//!   - source: vault_secret_id
//!     mode: 0777
//! ```
//!
//! Fix: grant the owner (and, if needed, the group) only: `mode: 0400` or `mode: 0440`,
//! with `uid`/`gid` set to the service's user. Note: for file-based secrets outside
//! Swarm, Compose ignores `uid`/`gid`/`mode`; the check still applies to what you meant.

use super::support::{octal, parse_mode};
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct WorldReadableSecretMode;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS013",
    name: "world-readable-secret-mode",
    severity: Severity::Warning,
    source: include_str!("cs013_world_readable_secret_mode.rs"),
};

impl Rule for WorldReadableSecretMode {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for service in &project.services {
                for r in service.granted_secrets() {
                    let Some(node) = &r.mode else { continue };
                    let text = &analysis.ws.files.get(r.file).text;
                    let Some(mode) = parse_mode(text, node) else {
                        continue;
                    };
                    if mode.bits > 0o777 {
                        continue;
                    }
                    let readable = mode.bits & 0o004 != 0;
                    let writable = mode.bits & 0o002 != 0;
                    if !readable && !writable {
                        continue;
                    }
                    let what = match (readable, writable) {
                        (true, true) => "read and write",
                        (true, false) => "read",
                        _ => "write",
                    };
                    let name = r.source.as_ref().map_or("?", |s| s.value.as_str());
                    out.push(
                        Finding::new(
                            &INFO,
                            r.file,
                            node.span,
                            format!(
                                "mode {} lets every user in the container {what} secret `{name}`",
                                octal(mode.bits)
                            ),
                        )
                        .help(format!(
                            "restrict it to the owner and group, e.g. `mode: {}`",
                            octal(mode.bits & 0o440)
                        ))
                        .anchor(format!("services.{}.secrets.{name}.mode", service.name)),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::run;

    const DEFS: &str = "secrets:\n  a:\n    environment: A\n";

    #[test]
    fn fires_when_others_can_read_or_write() {
        for mode in ["0777", "0444", "0642", "\"644\""] {
            let compose = format!(
                "services:\n  s:\n    secrets:\n      - source: a\n        mode: {mode}\n{DEFS}"
            );
            assert_eq!(
                run(&[("compose.yaml", &compose)], "CS013"),
                ["compose.yaml:5"],
                "{mode}"
            );
        }
    }

    #[test]
    fn owner_and_group_modes_are_fine() {
        for mode in ["0440", "0400", "0600", "0o440", "288"] {
            let compose = format!(
                "services:\n  s:\n    secrets:\n      - source: a\n        mode: {mode}\n{DEFS}"
            );
            assert!(
                run(&[("compose.yaml", &compose)], "CS013").is_empty(),
                "{mode}"
            );
        }
    }
}
