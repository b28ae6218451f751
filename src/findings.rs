//! The findings step: what turns the rules' raw findings into those reported. Findings
//! that say something is missing are kept only where every project agrees; findings about
//! one secret file are reported once; of the findings that flag one secret, the most
//! specific is kept.

use std::collections::{HashMap, HashSet};

use crate::finding::Finding;
use crate::rules;
use crate::source::FileId;

/// The findings of the rules that say something is absent from a project
/// ([`rules::Rule::holds_in_every_project`]) kept only where every project reading their
/// file reported them (each project reports a place once); all others as they are.
pub(crate) fn where_every_project_agrees(
    findings: Vec<Finding>,
    project_reads: &HashMap<FileId, usize>,
) -> Vec<Finding> {
    let every: HashSet<&str> = rules::all()
        .iter()
        .filter(|r| r.holds_in_every_project())
        .map(|r| r.info().code)
        .collect();
    let mut reported: HashMap<(FileId, usize, usize, &str), usize> = HashMap::new();
    for f in findings.iter().filter(|f| every.contains(f.code)) {
        *reported
            .entry((f.file, f.span.start, f.span.end, f.code))
            .or_default() += 1;
    }
    findings
        .into_iter()
        .filter(|f| {
            !every.contains(f.code)
                || reported
                    .get(&(f.file, f.span.start, f.span.end, f.code))
                    .is_some_and(|n| *n >= project_reads.get(&f.file).copied().unwrap_or(1))
        })
        .collect()
}

/// Of the findings of one code about one file on disk ([`Finding::subject`]: a secret
/// file that seventeen compose variants point at), the first (in path order) is kept,
/// its message counting the compose files that point at it.
pub(crate) fn once_per_subject(findings: Vec<Finding>) -> Vec<Finding> {
    let mut sites: HashMap<(&'static str, std::path::PathBuf), Vec<FileId>> = HashMap::new();
    for f in &findings {
        if let Some(subject) = &f.subject {
            let files = sites.entry((f.code, subject.clone())).or_default();
            if !files.contains(&f.file) {
                files.push(f.file);
            }
        }
    }
    let mut seen = HashSet::new();
    findings
        .into_iter()
        .filter_map(|mut f| {
            let Some(subject) = f.subject.clone() else {
                return Some(f);
            };
            let key = (f.code, subject);
            if !seen.insert(key.clone()) {
                return None;
            }
            let others = sites
                .get(&key)
                .map_or(0, |files| files.len().saturating_sub(1));
            if others > 0 {
                f.message = format!(
                    "{} (also named by {others} other compose file{}, not repeated here)",
                    f.message,
                    if others == 1 { "" } else { "s" }
                );
            }
            Some(f)
        })
        .collect()
}

/// When several rules flag the same secret (their `secret` spans overlap in one file),
/// keep the most specific finding, as ordered by [`rules::specificity`]. A known-token
/// finding that is dropped this way adds what the token is to the kept message.
pub(crate) fn one_finding_per_secret(findings: Vec<Finding>) -> Vec<Finding> {
    // Findings holding a secret, per file, most specific first.
    let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.secret.is_some() {
            by_file.entry(f.file).or_default().push(i);
        }
    }
    let mut keep = vec![true; findings.len()];
    let mut notes: Vec<Option<String>> = vec![None; findings.len()];
    for order in by_file.values_mut() {
        order.sort_by_key(|&i| (rules::specificity(findings[i].code), i));
        drop_less_specific(&findings, order, &mut keep, &mut notes);
    }
    findings
        .into_iter()
        .zip(keep)
        .zip(notes)
        .filter(|((_, k), _)| *k)
        .map(|((mut f, _), note)| {
            if let Some(kind) = note {
                f.message = format!("{} (it looks like a {kind})", f.message);
                f.token_kind = Some(kind);
            }
            f
        })
        .collect()
}

/// Among the findings `order` (of one file, most specific first), drop each whose secret
/// overlaps a kept one's; a dropped known-token finding leaves its kind as a note.
fn drop_less_specific(
    findings: &[Finding],
    order: &[usize],
    keep: &mut [bool],
    notes: &mut [Option<String>],
) {
    for (pos, &i) in order.iter().enumerate() {
        let Some(a) = findings[i].secret else {
            continue;
        };
        if !keep[i] {
            continue;
        }
        for &j in &order[pos + 1..] {
            let Some(b) = findings[j].secret else {
                continue;
            };
            if keep[j] && a.start < b.end && b.start < a.end {
                keep[j] = false;
                if findings[j].code.starts_with("KT") && notes[i].is_none() {
                    notes[i] = findings[j].token_kind.clone();
                }
            }
        }
    }
}
