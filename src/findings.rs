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
/// overlaps a kept one's; a dropped known-token finding leaves its kind as a note on the
/// most specific kept finding it overlaps.
///
/// The kept secrets never overlap one another, so they are kept sorted by start: a secret
/// overlaps a kept one exactly when the kept ones starting before its end reach past its
/// start, which a walk back from its end finds. Linear-logarithmic in the findings (one
/// file of a generated secret per line holds tens of thousands).
fn drop_less_specific(
    findings: &[Finding],
    order: &[usize],
    keep: &mut [bool],
    notes: &mut [Option<String>],
) {
    // start → (end, position in `order`) of each kept, non-empty secret.
    let mut kept: std::collections::BTreeMap<usize, (usize, usize)> =
        std::collections::BTreeMap::new();
    for (pos, &j) in order.iter().enumerate() {
        let Some(b) = findings[j].secret else {
            continue;
        };
        if !keep[j] || b.start >= b.end {
            continue;
        }
        // The most specific kept secret that overlaps this one.
        let dropped_by = kept
            .range(..b.end)
            .rev()
            .take_while(|(_, (end, _))| *end > b.start)
            .map(|(_, &(_, at))| at)
            .min();
        match dropped_by {
            Some(at) => {
                keep[j] = false;
                let i = order[at];
                if findings[j].code.starts_with("KT") && notes[i].is_none() {
                    notes[i] = findings[j].token_kind.clone();
                }
            }
            None => {
                kept.insert(b.start, (b.end, pos));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::one_finding_per_secret;
    use crate::finding::Finding;
    use crate::source::{FileId, Span};

    fn at(code: &str, file: FileId, start: usize, end: usize) -> Finding {
        let rule = crate::rules::by_code(code).expect("a rule").info();
        Finding::new(rule, file, Span::new(start, end), String::new()).secret(Span::new(start, end))
    }

    #[test]
    fn the_most_specific_finding_of_a_secret_is_kept_with_the_token_kind() {
        let file = FileId(0);
        let mut kt = at("KT", file, 10, 50);
        kt.code = "KT003";
        kt.token_kind = Some("GitHub personal access token".to_owned());
        let findings = vec![
            kt,
            at("EN001", file, 12, 50),
            // Elsewhere in the file, and in another file: kept.
            at("EN001", file, 60, 70),
            at("EN001", FileId(1), 10, 50),
        ];
        let kept = one_finding_per_secret(findings);
        let codes: Vec<(&str, usize)> = kept.iter().map(|f| (f.code, f.span.start)).collect();
        assert_eq!(codes, [("EN001", 12), ("EN001", 60), ("EN001", 10)]);
        assert_eq!(
            kept[0].token_kind.as_deref(),
            Some("GitHub personal access token")
        );
        assert!(kept[0].message.contains("GitHub personal access token"));
        assert!(kept[1].token_kind.is_none());
    }

    #[test]
    fn a_secret_spanning_two_kept_ones_is_dropped_and_many_findings_settle() {
        let file = FileId(0);
        let en = "EN001";
        let mut wide = at("KT", file, 5, 25);
        wide.code = "KT001";
        let kept = one_finding_per_secret(vec![wide, at(en, file, 0, 10), at(en, file, 20, 30)]);
        assert_eq!(kept.len(), 2);
        // One secret per line of a large file, each flagged twice: half are kept.
        let mut many = Vec::new();
        for i in 0..60_000 {
            many.push(at(en, file, i * 10, i * 10 + 8));
            let mut kt = at("KT", file, i * 10 + 1, i * 10 + 9);
            kt.code = "KT010";
            many.push(kt);
        }
        assert_eq!(one_finding_per_secret(many).len(), 60_000);
    }
}
