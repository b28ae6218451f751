//! `--diff`: what the fixes would change, as a unified diff, with every secret masked
//! where it is written (the spans the checks flagged before and after the fixes). A new
//! secret file is named with its mode, never shown; lines added to an ignore file are
//! shown as added, a value added to `.env` masked.

use std::fmt::Write as _;
use std::path::Path;

use similar::{ChangeTag, TextDiff};

use super::Plan;
use crate::detect::classify::redact;
use crate::finding::{FileWrite, WriteAction};
use crate::source::{SourceFile, Span};

/// The diff of a plan; empty when the fixes change nothing.
pub fn render(plan: &Plan, display: &dyn Fn(&Path) -> String) -> String {
    let mut out = String::new();
    let none = Vec::new();
    for (path, new) in &plan.overlay.texts {
        let Some(old) = plan.originals.get(path) else {
            continue;
        };
        if old == new {
            continue;
        }
        let before = plan.masks.before.get(path).unwrap_or(&none);
        let after = plan.masks.after.get(path).unwrap_or(&none);
        file_diff(&mut out, &display(path), (old, before), (new, after));
    }
    for (path, writes) in group_writes(plan) {
        let shown = display(&path);
        if let Some(mode) = writes.iter().find_map(|w| match w.action {
            WriteAction::Create { mode } => Some(mode),
            WriteAction::AppendLine => None,
        }) {
            let _ = writeln!(out, "--- /dev/null\n+++ b/{shown}");
            let _ = writeln!(
                out,
                "@@ new file, mode {mode:04o}: holds a secret value, not shown @@"
            );
            continue;
        }
        let old = std::fs::read_to_string(&path).ok();
        let added: Vec<&&FileWrite> = writes
            .iter()
            .filter(|w| {
                old.as_deref()
                    .is_none_or(|t| !t.lines().any(|l| l.trim_end() == w.content))
            })
            .collect();
        if added.is_empty() {
            continue;
        }
        let count = old.as_deref().map_or(0, |t| t.lines().count());
        match old {
            Some(_) => {
                let _ = writeln!(out, "--- a/{shown}\n+++ b/{shown}");
            }
            None => {
                let _ = writeln!(out, "--- /dev/null\n+++ b/{shown}");
            }
        }
        let _ = writeln!(out, "@@ -{count},0 +{},{} @@", count + 1, added.len());
        for w in added {
            let line = if w.secret {
                match w.content.split_once('=') {
                    Some((name, value)) => format!("{name}={}", redact(value)),
                    None => redact(&w.content),
                }
            } else {
                w.content.clone()
            };
            let _ = writeln!(out, "+{line}");
        }
    }
    out
}

/// The writes of a plan by file, in plan order.
fn group_writes(plan: &Plan) -> Vec<(std::path::PathBuf, Vec<&FileWrite>)> {
    let mut out: Vec<(std::path::PathBuf, Vec<&FileWrite>)> = Vec::new();
    for w in &plan.overlay.writes {
        match out.iter_mut().find(|(p, _)| *p == w.path) {
            Some((_, list)) => {
                if !list.iter().any(|o| o.content == w.content) {
                    list.push(w);
                }
            }
            None => out.push((w.path.clone(), vec![w])),
        }
    }
    out
}

fn file_diff(out: &mut String, shown: &str, old: (&str, &[Span]), new: (&str, &[Span])) {
    let diff = TextDiff::from_lines(old.0, new.0);
    // Where each line starts, from the files' own line index.
    let index = |text: &str| SourceFile::new(String::new(), Default::default(), text.to_owned());
    let (old_file, new_file) = (index(old.0), index(new.0));
    let start = |file: &SourceFile, i: usize| file.line_start(i + 1).unwrap_or(0);
    let _ = writeln!(out, "--- a/{shown}\n+++ b/{shown}");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let _ = writeln!(out, "{}", hunk.header());
        for change in hunk.iter_changes() {
            let (sign, start, spans) = match change.tag() {
                ChangeTag::Delete => ('-', change.old_index().map(|i| start(&old_file, i)), old.1),
                ChangeTag::Insert => ('+', change.new_index().map(|i| start(&new_file, i)), new.1),
                ChangeTag::Equal => (' ', change.old_index().map(|i| start(&old_file, i)), old.1),
            };
            let line = change.value();
            let body = line.strip_suffix('\n').unwrap_or(line);
            let body = body.strip_suffix('\r').unwrap_or(body);
            let _ = writeln!(out, "{sign}{}", mask(body, start.unwrap_or(0), spans));
            if change.missing_newline() {
                let _ = writeln!(out, "\\ No newline at end of file");
            }
        }
    }
}

/// `line` (starting at byte `start` of its file) with each part of a secret span in it
/// replaced by its redaction.
fn mask(line: &str, start: usize, spans: &[Span]) -> String {
    let end = start + line.len();
    let mut cuts: Vec<(usize, usize)> = spans
        .iter()
        .filter(|s| s.start < end && s.end > start)
        .map(|s| (s.start.max(start) - start, s.end.min(end) - start))
        .filter(|(a, b)| line.is_char_boundary(*a) && line.is_char_boundary(*b) && a < b)
        .collect();
    cuts.sort_unstable();
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for (a, b) in cuts {
        if a < at {
            continue;
        }
        out.push_str(&line[at..a]);
        out.push_str(&redact(&line[a..b]));
        at = b;
    }
    out.push_str(&line[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_where_they_are_written_and_nowhere_else() {
        let old = "image: postgres\nPOSTGRES_PASSWORD: postgres\n";
        let new = "image: postgres\nPOSTGRES_PASSWORD_FILE: /run/secrets/postgres_password\n";
        let at = old.rfind("postgres").expect("value");
        let mut out = String::new();
        file_diff(
            &mut out,
            "compose.yaml",
            (old, &[Span::new(at, at + 8)]),
            (new, &[]),
        );
        assert_eq!(
            out,
            "--- a/compose.yaml\n+++ b/compose.yaml\n@@ -1,2 +1,2 @@\n image: postgres\n-POSTGRES_PASSWORD: p****s\n+POSTGRES_PASSWORD_FILE: /run/secrets/postgres_password\n"
        );
    }

    #[test]
    fn a_secret_left_in_a_changed_line_is_masked_in_the_new_line_too() {
        let old = "env: {A: Hq4-Vn8-Rt2-Zw6, B: Tq9-Lm3-Xk7-Pw2}\r\n";
        let new = "env: {A_FILE: /run/secrets/a, B: Tq9-Lm3-Xk7-Pw2}\r\n";
        let a = old.find("Hq4").expect("a");
        let b_old = old.find("Tq9").expect("b");
        let b_new = new.find("Tq9").expect("b");
        let mut out = String::new();
        file_diff(
            &mut out,
            "c.yaml",
            (old, &[Span::new(a, a + 15), Span::new(b_old, b_old + 15)]),
            (new, &[Span::new(b_new, b_new + 15)]),
        );
        assert!(
            !out.contains("Hq4-Vn8") && !out.contains("Tq9-Lm3"),
            "{out}"
        );
        assert!(
            out.contains("+env: {A_FILE: /run/secrets/a, B: Tq****w2}"),
            "{out}"
        );
    }
}
