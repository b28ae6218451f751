//! What it finds: a secret's `mode:` written as an unquoted integer without a leading
//! `0` whose digits are all octal digits, such as `mode: 440`.
//!
//! Why it matters: Compose reads YAML 1.1, where `440` is the decimal number 440, which
//! is the permission 0o670 (owner read-write, group read-write-execute), not 0o440. The
//! secret ends up group-writable while the file looks read-only to a reviewer.
//!
//! Example:
//! ```yaml
//! secrets:
//!   - source: db_password
//!     mode: 440      # means 0o670
//! ```
//!
//! Fix: write the octal form `mode: 0440` (or quote it: `mode: "440"`). `stowaway check
//! --fix` inserts the leading `0` (a safe fix).

use super::support::{octal, parse_mode};
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use crate::source::Span;

pub struct DecimalSecretMode;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS010",
    name: "decimal-secret-mode",
    severity: Severity::Warning,
    source: include_str!("cs010_decimal_secret_mode.rs"),
};

impl Rule for DecimalSecretMode {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for service in &project.services {
                for r in service.secrets().chain(service.build_secrets()) {
                    let Some(node) = &r.mode else { continue };
                    let text = &analysis.ws.files.get(r.file).text;
                    let Some(mode) = parse_mode(text, node) else {
                        continue;
                    };
                    if !mode.decimal_lookalike {
                        continue;
                    }
                    let written = node.as_str().unwrap_or_default().trim().to_owned();
                    let raw = crate::compose::raw_scalar(text, node).unwrap_or_default();
                    // Where the digits start inside the node's span (after an anchor or tag).
                    let digits_at = text
                        .get(node.span.range())
                        .and_then(|s| s.find(raw))
                        .map_or(node.span.start, |i| node.span.start + i);
                    out.push(
                        Finding::new(
                            &INFO,
                            r.file,
                            node.span,
                            format!(
                                "`mode: {written}` is read as the decimal number {written}, which is the permission {}, not 0{written}",
                                octal(mode.bits)
                            ),
                        )
                        .help(format!("write `mode: 0{written}` (octal)"))
                        .fix(Fix::edits(
                            Applicability::Safe,
                            format!("write the octal mode 0{written}"),
                            vec![Edit {
                                file: r.file,
                                span: Span::new(digits_at, digits_at),
                                content: "0".into(),
                            }],
                        ))
                        .anchor(format!(
                            "services.{}.secrets.{}.mode",
                            service.name,
                            r.source.as_ref().map_or("?", |s| s.value.as_str())
                        )),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    const DEFS: &str = "secrets:\n  a:\n    environment: A\n";

    #[test]
    fn fires_on_decimal_lookalikes() {
        let compose = format!(
            "services:\n  s:\n    secrets:\n      - source: a\n        mode: 440\n      - source: a\n        target: b\n        mode: 400\n{DEFS}"
        );
        assert_eq!(
            run(&[("compose.yaml", &compose)], "CS010"),
            ["compose.yaml:5", "compose.yaml:8"]
        );
        let m = messages(&[("compose.yaml", &compose)], "CS010");
        assert!(m[0].contains("0670"), "{}", m[0]);
    }

    #[test]
    fn octal_and_quoted_modes_are_fine() {
        for mode in ["0440", "\"440\"", "0o440", "'0400'", "4"] {
            let compose = format!(
                "services:\n  s:\n    secrets:\n      - source: a\n        mode: {mode}\n{DEFS}"
            );
            assert!(
                run(&[("compose.yaml", &compose)], "CS010").is_empty(),
                "{mode}"
            );
        }
    }
}
