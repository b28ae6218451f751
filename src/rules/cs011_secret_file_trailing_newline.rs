//! What it finds: a secret file (`file:`) that ends with a line break.
//!
//! Why it matters: many programs read the whole file as the password, newline included,
//! and authentication then fails in a way that is hard to see (`echo pw > file` adds one).
//!
//! Example: `secrets/db_password.txt` created with `echo hunter2 > secrets/db_password.txt`.
//!
//! Off by default (`--select CS011` or `extend-select = ["CS011"]` turns it on): on real
//! projects the consumers strip the newline (`$(cat …)`, the official images' `*_FILE`
//! entrypoints, most config loaders), and PEM files end with one by design, so the
//! finding was almost never worth acting on.
//!
//! Fix: write it without the newline (`printf %s "$PW" > secrets/db_password.txt`), or
//! make sure the consumer trims it.

use std::io::{Read, Seek, SeekFrom};

use super::support::secret_file_path;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct SecretFileTrailingNewline;

pub static INFO: RuleInfo = RuleInfo {
    code: "CS011",
    name: "secret-file-trailing-newline",
    severity: Severity::Info,
    source: include_str!("cs011_secret_file_trailing_newline.rs"),
};

/// Whether the file's last byte is a line feed (reads one byte; the secret is never loaded).
fn ends_with_newline(path: &std::path::Path) -> bool {
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    if f.seek(SeekFrom::End(-1)).is_err() {
        return false;
    }
    let mut last = [0u8; 1];
    f.read_exact(&mut last).is_ok() && last[0] == b'\n'
}

impl Rule for SecretFileTrailingNewline {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn enabled_by_default(&self) -> bool {
        false
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for def in &project.secrets {
                let (Some(Ok(path)), Some(raw)) =
                    (secret_file_path(project, def), &def.source_file)
                else {
                    continue;
                };
                if !path.is_file() || !ends_with_newline(&path) {
                    continue;
                }
                out.push(
                    Finding::new(
                        &INFO,
                        def.file,
                        raw.span,
                        format!("the file of secret `{}` ends with a line break, which programs may read as part of the value", def.name),
                    )
                    .help("write it without the newline, e.g. `printf %s \"$VALUE\" > file`")
                    .anchor(format!("secrets.{}.file", def.name))
                        .subject(path.clone()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::run;

    const COMPOSE: &str = "services:\n  a:\n    secrets: [m]\nsecrets:\n  m:\n    file: ./m.txt\n";

    #[test]
    fn fires_on_a_trailing_newline() {
        assert_eq!(
            run(&[("compose.yaml", COMPOSE), ("m.txt", "pw\n")], "CS011"),
            ["compose.yaml:6"]
        );
    }

    #[test]
    fn no_newline_or_empty_is_fine() {
        assert!(run(&[("compose.yaml", COMPOSE), ("m.txt", "pw")], "CS011").is_empty());
        assert!(run(&[("compose.yaml", COMPOSE), ("m.txt", "")], "CS011").is_empty());
    }
}
