//! `check --fix` / `--diff`: applying the fixes findings carry, the way ruff does it.
//!
//! A run goes in passes. Each pass analyses the files as the fixes so far left them (in
//! memory: [`Overlay`]), checks that the fixes of the last pass did no harm, and applies
//! every applicable fix that does not touch what another fix of the pass touches; a fix
//! left out (two new keys at one place) is applied in a later pass, on the new text.
//!
//! Nothing is lost: after each pass the fixed files are parsed, loaded into the Compose
//! model and checked again. A fix is refused, and every file of its project goes back to
//! what it was, when a file it edited no longer reads, when it adds an error about the
//! project's secrets, or when a value it moved out is still flagged in a file git would
//! commit. Nothing is written until the last pass is clean ([`write`]).

pub mod arg_to_secret_mount;
pub mod diff;
pub mod move_to_secret;
pub mod text;
pub mod write;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use crate::analysis::Analysis;
use crate::finding::{Applicability, FileWrite, Finding, Fix};
use crate::source::Span;

pub use move_to_secret::SecretsFrom;

/// At most this many passes: each one settles every fix that does not collide with
/// another, so real files need two or three.
pub const MAX_PASSES: usize = 25;

/// What the fixes make of the files, before anything is written.
#[derive(Debug, Default, Clone)]
pub struct Overlay {
    /// New text of each checked file a fix edited (absolute path).
    pub texts: BTreeMap<PathBuf, String>,
    /// Files written besides (secret files, ignore lines), in the order they were planned.
    pub writes: Vec<FileWrite>,
}

/// A fix applied to the overlay.
#[derive(Debug, Clone)]
pub struct Applied {
    pub code: &'static str,
    pub title: String,
    /// The checked files it edits (absolute).
    pub files: BTreeSet<PathBuf>,
    writes: Vec<FileWrite>,
    moves: Vec<String>,
    scope: Option<PathBuf>,
}

/// A fix that was refused, and why.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub code: &'static str,
    pub title: String,
    /// Display path of the file the finding is in.
    pub path: String,
    pub reason: String,
}

/// The outcome of planning the fixes.
pub struct Plan {
    pub overlay: Overlay,
    /// The original text of every file of `overlay.texts`.
    pub originals: BTreeMap<PathBuf, String>,
    pub applied: Vec<Applied>,
    pub refused: Vec<Refusal>,
    /// The analysis of the last pass (of the fixed files, in memory) and its findings.
    pub last: (Analysis, Vec<Finding>),
    /// Whether fixes were left for another run: the passes ran out.
    pub passes_ran_out: bool,
    /// Where secrets are written in each file before the fixes (the spans flagged by the
    /// first pass) and after them (by the last): a diff masks them.
    pub masks: Masks,
}

/// Which fixes to apply.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub unsafe_fixes: bool,
    /// Only the fix of this finding ([`fix_key`]): an editor's code action.
    pub only: Option<String>,
}

impl Options {
    fn applies(&self, fix: &Fix) -> bool {
        fix.applicability == Applicability::Safe || self.unsafe_fixes
    }
}

/// Plan the fixes: `analyse` checks the files with the overlay's texts in place of the
/// files on disk (`None` when the run cannot be analysed at all).
pub fn plan(
    options: Options,
    mut analyse: impl FnMut(&Overlay) -> Option<(Analysis, Vec<Finding>)>,
) -> Option<Plan> {
    let mut overlay = Overlay::default();
    let mut originals: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut applied: Vec<Applied> = Vec::new();
    let mut refused: Vec<Refusal> = Vec::new();
    let mut blocked: HashSet<PathBuf> = HashSet::new();
    let mut done_keys: HashSet<String> = HashSet::new();
    let mut last_pass: Vec<usize> = Vec::new();
    let mut before: Option<Baseline> = None;
    let mut masks = Masks::default();
    let mut pass = 0;
    loop {
        let (analysis, findings) = analyse(&overlay)?;
        let base = before.get_or_insert_with(|| Baseline::of(&analysis, &findings));
        if pass == 0 {
            masks.before = flagged_spans(&analysis);
        }
        // The edits of the last pass must read and keep the secrets wired; once no fix is
        // left, no value moved may be left behind (checked at the end, so that one value
        // moved out of two files by two fixes, in two passes, is not refused).
        let mut failures = verify(&analysis, &findings, base, &applied, &last_pass, false);
        let chosen = if !failures.is_empty() || pass >= MAX_PASSES {
            Vec::new()
        } else {
            choose(
                &analysis, &findings, &options, &blocked, &done_keys, &overlay,
            )
        };
        if failures.is_empty() && chosen.is_empty() {
            let all: Vec<usize> = (0..applied.len()).collect();
            failures = verify(&analysis, &findings, base, &applied, &all, true);
        }
        if !failures.is_empty() {
            undo(
                &analysis,
                &failures,
                &mut applied,
                &mut overlay,
                &mut refused,
                &mut blocked,
            );
            last_pass.clear();
            pass += 1;
            continue;
        }
        if chosen.is_empty() {
            refused.extend(untried(&analysis, &findings, &options, &blocked, &refused));
            let mut plan = finish(
                overlay,
                originals,
                applied,
                refused,
                (analysis, findings),
                masks,
            );
            plan.passes_ran_out = pass >= MAX_PASSES;
            return Some(plan);
        }
        pass += 1;
        // The edits of the pass, file by file, on the texts as they are now.
        let mut per_file: BTreeMap<PathBuf, Vec<(Span, String)>> = BTreeMap::new();
        last_pass.clear();
        for f in &chosen {
            let Some(fix) = &f.fix else { continue };
            let mut files = BTreeSet::new();
            for e in &fix.edits {
                let path = analysis.ws.files.get(e.file).path.clone();
                originals
                    .entry(path.clone())
                    .or_insert_with(|| analysis.ws.files.get(e.file).text.clone());
                files.insert(path.clone());
                per_file
                    .entry(path)
                    .or_default()
                    .push((e.span, e.content.clone()));
            }
            done_keys.insert(fix_key(&analysis, f));
            last_pass.push(applied.len());
            applied.push(Applied {
                code: f.code,
                title: fix.message.clone(),
                files,
                writes: fix.writes.clone(),
                moves: fix.moves.clone(),
                scope: fix.scope.clone(),
            });
        }
        for (path, edits) in per_file {
            let Some(id) = analysis.ws.id_of(&path) else {
                continue;
            };
            let current = &analysis.ws.files.get(id).text;
            let edits: Vec<(Span, &str)> = edits.iter().map(|(s, c)| (*s, c.as_str())).collect();
            overlay.texts.insert(path, text::apply(current, &edits));
        }
        overlay.writes = applied.iter().flat_map(|a| a.writes.clone()).collect();
    }
}

/// Undo every fix that touched a file of a refused fix, with their writes; the files are
/// not fixed again in this run.
fn undo(
    analysis: &Analysis,
    failures: &[(usize, String)],
    applied: &mut Vec<Applied>,
    overlay: &mut Overlay,
    refused: &mut Vec<Refusal>,
    blocked: &mut HashSet<PathBuf>,
) {
    let mut undo: BTreeSet<PathBuf> = BTreeSet::new();
    for (i, _) in failures {
        undo.extend(applied[*i].files.iter().cloned());
    }
    loop {
        let more: Vec<PathBuf> = applied
            .iter()
            .filter(|a| a.files.iter().any(|f| undo.contains(f)))
            .flat_map(|a| a.files.iter().cloned())
            .filter(|f| !undo.contains(f))
            .collect();
        if more.is_empty() {
            break;
        }
        undo.extend(more);
    }
    let refusal = |a: &Applied, reason: String| Refusal {
        code: a.code,
        title: a.title.clone(),
        path: a
            .files
            .iter()
            .next()
            .map(|f| analysis.ws.display(f))
            .unwrap_or_default(),
        reason,
    };
    for (i, reason) in failures {
        refused.push(refusal(&applied[*i], reason.clone()));
    }
    let failed: HashSet<usize> = failures.iter().map(|(i, _)| *i).collect();
    for (i, a) in applied.iter().enumerate() {
        if !failed.contains(&i) && a.files.iter().any(|f| undo.contains(f)) {
            refused.push(refusal(
                a,
                "not applied: another fix of the same files was refused, and nothing is written for them".into(),
            ));
        }
    }
    for file in &undo {
        overlay.texts.remove(file);
        blocked.insert(file.clone());
    }
    applied.retain(|a| !a.files.iter().any(|f| undo.contains(f)));
    overlay.writes = applied.iter().flat_map(|a| a.writes.clone()).collect();
}

fn finish(
    overlay: Overlay,
    mut originals: BTreeMap<PathBuf, String>,
    applied: Vec<Applied>,
    refused: Vec<Refusal>,
    last: (Analysis, Vec<Finding>),
    mut masks: Masks,
) -> Plan {
    originals.retain(|p, _| overlay.texts.contains_key(p));
    masks.after = flagged_spans(&last.0);
    Plan {
        overlay,
        originals,
        applied,
        refused,
        last,
        passes_ran_out: false,
        masks,
    }
}

/// Secret spans by file (absolute path).
#[derive(Debug, Default, Clone)]
pub struct Masks {
    pub before: BTreeMap<PathBuf, Vec<Span>>,
    pub after: BTreeMap<PathBuf, Vec<Span>>,
}

/// Every secret span the last check flagged, by file.
fn flagged_spans(analysis: &Analysis) -> BTreeMap<PathBuf, Vec<Span>> {
    let mut out: BTreeMap<PathBuf, Vec<Span>> = BTreeMap::new();
    for (file, span) in analysis.all_flagged_secrets() {
        out.entry(analysis.ws.files.get(file).path.clone())
            .or_default()
            .push(span);
    }
    out
}

/// The applicable fixes left in files where a fix was refused: nothing is written there.
fn untried(
    analysis: &Analysis,
    findings: &[Finding],
    options: &Options,
    blocked: &HashSet<PathBuf>,
    refused: &[Refusal],
) -> Vec<Refusal> {
    findings
        .iter()
        .filter_map(|f| {
            let fix = f.fix.as_ref().filter(|fix| options.applies(fix))?;
            if refused
                .iter()
                .any(|r| r.code == f.code && r.title == fix.message)
            {
                return None;
            }
            let file = fix
                .edits
                .iter()
                .map(|e| &analysis.ws.files.get(e.file).path)
                .find(|p| blocked.contains(*p))?;
            Some(Refusal {
                code: f.code,
                title: fix.message.clone(),
                path: analysis.ws.display(file),
                reason:
                    "not tried: a fix of the same file was refused, and nothing is written to it"
                        .into(),
            })
        })
        .collect()
}

/// What identifies a finding's fix across passes and requests: its fingerprint, which
/// does not move with the lines above it.
pub fn fix_key(analysis: &Analysis, f: &Finding) -> String {
    crate::fingerprint::fingerprint(f, analysis.ws.files.get(f.file))
}

/// The fixes of one pass: applicable, in files not refused, not applied before, and not
/// touching (or inserting at) what an earlier-chosen fix touches. Findings that carry the
/// same fix (one secret for several services) give it once.
fn choose<'a>(
    analysis: &Analysis,
    findings: &'a [Finding],
    options: &Options,
    blocked: &HashSet<PathBuf>,
    done: &HashSet<String>,
    overlay: &Overlay,
) -> Vec<&'a Finding> {
    let mut taken: Vec<(crate::source::FileId, Span)> = Vec::new();
    // Files planned by earlier passes are taken too.
    let mut created: HashSet<PathBuf> = overlay
        .writes
        .iter()
        .filter(|w| matches!(w.action, crate::finding::WriteAction::Create { .. }))
        .map(|w| w.path.clone())
        .collect();
    let mut out: Vec<&Finding> = Vec::new();
    for f in findings {
        let Some(fix) = &f.fix else { continue };
        if !options.applies(fix) || fix.edits.is_empty() || done.contains(&fix_key(analysis, f)) {
            continue;
        }
        if fix
            .edits
            .iter()
            .any(|e| blocked.contains(&analysis.ws.files.get(e.file).path))
        {
            continue;
        }
        let same = out.iter().any(|o| {
            o.fix.as_ref().is_some_and(|of| {
                of.edits.len() == fix.edits.len()
                    && of.edits.iter().zip(&fix.edits).all(|(a, b)| {
                        a.file == b.file && a.span == b.span && a.content == b.content
                    })
            })
        });
        if same {
            continue;
        }
        let collides = fix.edits.iter().any(|e| {
            taken.iter().any(|(file, span)| {
                *file == e.file && e.span.start <= span.end && span.start <= e.span.end
            })
        }) || fix.writes.iter().any(|w| {
            matches!(w.action, crate::finding::WriteAction::Create { .. })
                && created.contains(&w.path)
        });
        if collides {
            continue;
        }
        taken.extend(fix.edits.iter().map(|e| (e.file, e.span)));
        created.extend(fix.writes.iter().map(|w| w.path.clone()));
        out.push(f);
    }
    out
}

/// What the first pass found, to tell what a fix broke from what was broken already.
struct Baseline {
    errors: HashSet<String>,
    secret_errors: HashSet<(String, &'static str, String)>,
}

/// Codes of the findings that mean a project's secrets are wired wrong: a fix adding one
/// of these is refused.
const WIRING: &[&str] = &[
    "CS001", "CS002", "CS003", "CS004", "CS008", "CS009", "CE009", "DF006", "XR001", "XR002",
    "XR006", "XR007",
];

impl Baseline {
    fn of(analysis: &Analysis, findings: &[Finding]) -> Baseline {
        Baseline {
            errors: analysis.ws.errors.iter().map(|e| e.path.clone()).collect(),
            secret_errors: findings
                .iter()
                .filter(|f| WIRING.contains(&f.code))
                .map(|f| wiring_key(analysis, f))
                .collect(),
        }
    }
}

fn wiring_key(analysis: &Analysis, f: &Finding) -> (String, &'static str, String) {
    (
        analysis.ws.files.get(f.file).display.clone(),
        f.code,
        f.anchor.clone(),
    )
}

/// The fixes of the last pass that did harm, with the reason.
fn verify(
    analysis: &Analysis,
    findings: &[Finding],
    before: &Baseline,
    applied: &[Applied],
    which: &[usize],
    moves: bool,
) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for &i in which {
        let a = &applied[i];
        let shown: Vec<String> = a.files.iter().map(|f| analysis.ws.display(f)).collect();
        if let Some(e) = analysis
            .ws
            .errors
            .iter()
            .find(|e| shown.contains(&e.path) && !before.errors.contains(&e.path))
        {
            out.push((
                i,
                format!("the fixed `{}` would not read: {}", e.path, e.message),
            ));
            continue;
        }
        if let Some(f) = findings.iter().find(|f| {
            WIRING.contains(&f.code)
                && shown.contains(&analysis.ws.files.get(f.file).display)
                && !before.secret_errors.contains(&wiring_key(analysis, f))
        }) {
            out.push((
                i,
                format!(
                    "the fix would leave the project's secrets wired wrong ({}: {})",
                    f.code, f.message
                ),
            ));
            continue;
        }
        if !moves {
            continue;
        }
        if let Some((file, line)) = remaining(analysis, &a.moves, a.scope.as_deref()) {
            let fixed = if shown.contains(&file) {
                " of the fixed file"
            } else {
                ""
            };
            out.push((
                i,
                format!(
                    "the value would still be written in `{file}` (line {line}{fixed}), which git would commit; move or remove it there too, then run again"
                ),
            ));
        }
    }
    out
}

/// Where a moved value is still flagged as a secret, in a file under `scope` (the project's
/// folder) that git would commit.
fn remaining(
    analysis: &Analysis,
    moves: &[String],
    scope: Option<&std::path::Path>,
) -> Option<(String, usize)> {
    if moves.is_empty() {
        return None;
    }
    for (file, span) in analysis.all_flagged_secrets() {
        let source = analysis.ws.files.get(file);
        if scope.is_some_and(|dir| !source.path.starts_with(dir)) {
            continue;
        }
        let Some(text) = source.text.get(span.range()) else {
            continue;
        };
        let text = text.trim_matches(['"', '\'']);
        if !moves.iter().any(|m| m == text) {
            continue;
        }
        if analysis.git_ignored(&source.path, false) && !analysis.git_tracked(&source.path) {
            continue;
        }
        return Some((source.display.clone(), source.line_col(span.start).line));
    }
    None
}
