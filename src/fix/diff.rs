//! `--diff`: what the fixes would change, as a unified diff, with every secret masked.
//! A new secret file is named with its mode, never shown; a line added to an ignore file
//! is shown as added.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use similar::{ChangeTag, TextDiff};

use super::Plan;
use crate::detect::classify::redact;
use crate::finding::WriteAction;

/// The diff of a plan; empty when the fixes change nothing.
pub fn render(plan: &Plan, display: &dyn Fn(&Path) -> String) -> String {
    let mut out = String::new();
    for (path, new) in &plan.overlay.texts {
        let Some(old) = plan.originals.get(path) else {
            continue;
        };
        if old == new {
            continue;
        }
        let shown = display(path);
        file_diff(&mut out, &shown, old, new, &plan.masks);
    }
    for (path, writes) in group_writes(plan) {
        let shown = display(&path);
        let create = writes.iter().find_map(|w| match w.action {
            WriteAction::Create { mode } => Some((mode, w.secret)),
            WriteAction::AppendLine => None,
        });
        if let Some((mode, secret)) = create {
            let _ = writeln!(out, "--- /dev/null\n+++ b/{shown}");
            if secret {
                let _ = writeln!(
                    out,
                    "@@ new file, mode {mode:04o}: holds a secret value, not shown @@"
                );
            }
            continue;
        }
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let mut new = old.clone();
        for w in &writes {
            new = super::write::with_line(&new, &w.content);
        }
        if new == old {
            continue;
        }
        let masks: BTreeSet<String> = plan
            .masks
            .iter()
            .cloned()
            .chain(
                writes
                    .iter()
                    .filter(|w| w.secret)
                    .map(|w| w.content.clone()),
            )
            .collect();
        if old.is_empty() && !path.exists() {
            let _ = writeln!(out, "--- /dev/null\n+++ b/{shown}");
            let _ = writeln!(out, "@@ -0,0 +1,{} @@", new.lines().count());
            for line in new.lines() {
                let _ = writeln!(out, "+{}", mask(line, &masks));
            }
            continue;
        }
        file_diff(&mut out, &shown, &old, &new, &masks);
    }
    out
}

/// The writes of a plan by file, in plan order.
fn group_writes(plan: &Plan) -> Vec<(std::path::PathBuf, Vec<&crate::finding::FileWrite>)> {
    let mut out: Vec<(std::path::PathBuf, Vec<&crate::finding::FileWrite>)> = Vec::new();
    for w in &plan.overlay.writes {
        match out.iter_mut().find(|(p, _)| *p == w.path) {
            Some((_, list)) => list.push(w),
            None => out.push((w.path.clone(), vec![w])),
        }
    }
    out
}

fn file_diff(out: &mut String, shown: &str, old: &str, new: &str, masks: &BTreeSet<String>) {
    let diff = TextDiff::from_lines(old, new);
    let _ = writeln!(out, "--- a/{shown}\n+++ b/{shown}");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let _ = writeln!(out, "{}", hunk.header());
        for change in hunk.iter_changes() {
            let sign = match change.tag() {
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
                ChangeTag::Equal => ' ',
            };
            let line = change.value();
            let body = line.strip_suffix('\n').unwrap_or(line);
            let _ = writeln!(out, "{sign}{}", mask(body, masks));
            if change.missing_newline() {
                let _ = writeln!(out, "\\ No newline at end of file");
            }
        }
    }
}

/// `line` with every secret (or each line of a multi-line one) replaced by its redaction.
fn mask(line: &str, masks: &BTreeSet<String>) -> String {
    let mut out = line.to_owned();
    // Longest first, so a secret holding a shorter one is masked whole.
    let mut pieces: Vec<&str> = masks
        .iter()
        .flat_map(|m| m.lines())
        .map(str::trim)
        .filter(|p| p.len() >= 3)
        .collect();
    pieces.sort_by_key(|p| std::cmp::Reverse(p.len()));
    pieces.dedup();
    for piece in pieces {
        if out.contains(piece) {
            out = out.replace(piece, &redact(piece));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_in_every_line_shown() {
        let masks: BTreeSet<String> = ["Hq4-Vn8-Rt2-Zw6".to_owned()].into();
        let mut out = String::new();
        file_diff(
            &mut out,
            "compose.yaml",
            "a: 1\nPW: Hq4-Vn8-Rt2-Zw6\n",
            "a: 1\nPW_FILE: /run/secrets/pw\n",
            &masks,
        );
        assert!(!out.contains("Hq4-Vn8-Rt2-Zw6"), "{out}");
        assert!(out.contains("-PW: Hq****w6"), "{out}");
        assert!(out.contains("+PW_FILE: /run/secrets/pw"), "{out}");
        assert!(
            out.starts_with("--- a/compose.yaml\n+++ b/compose.yaml\n@@ -1,2 +1,2 @@\n"),
            "{out}"
        );
    }
}
