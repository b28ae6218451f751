//! Renderers: sibling views over the same findings.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod sarif;

use std::collections::{BTreeMap, HashMap};

use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use crate::fingerprint::fingerprint;

/// What every renderer gets.
pub struct Report<'a> {
    pub analysis: &'a Analysis,
    pub findings: &'a [Finding],
    /// Show secret values in clear (local debugging only).
    pub show_secrets: bool,
    /// Add counts per code (`--statistics`): a table in human and github output,
    /// `summary.statistics` in JSON; SARIF and GitLab reports have no place for it.
    pub statistics: bool,
    /// Warnings about the run itself, not about a file: nothing to check under the paths
    /// given, a baseline that matched nothing. Every format shows them (JSON `warnings`,
    /// SARIF notifications, GitHub `::warning::`, stderr for human and GitLab output).
    pub warnings: Vec<String>,
    /// What the baseline did, when one was used.
    pub baseline: Option<BaselineUse>,
}

/// How a baseline applied to the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BaselineUse {
    /// Findings it hid.
    pub hidden: usize,
    /// Its entries that matched no finding (fixed since, or recorded elsewhere).
    pub unmatched: usize,
}

impl Report<'_> {
    /// Number of files that were read and analysed.
    pub fn file_count(&self) -> usize {
        self.analysis.ws.files.len()
    }
}

/// How many findings one code has.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CodeCount {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub count: usize,
}

/// Counts per code, most frequent first, then by code.
pub fn statistics(findings: &[Finding]) -> Vec<CodeCount> {
    let mut by_code: BTreeMap<&'static str, CodeCount> = BTreeMap::new();
    for f in findings {
        by_code
            .entry(f.code)
            .or_insert(CodeCount {
                code: f.code,
                name: f.name,
                severity: f.severity,
                count: 0,
            })
            .count += 1;
    }
    let mut out: Vec<CodeCount> = by_code.into_values().collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    out
}

/// The statistics as a small plain-text table (empty when there are no findings).
pub fn statistics_table(findings: &[Finding]) -> String {
    let stats = statistics(findings);
    if stats.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "{:>5}  {:<6} {:<36} {}\n",
        "count", "code", "name", "severity"
    );
    for s in stats {
        out.push_str(&format!(
            "{:>5}  {:<6} {:<36} {}\n",
            s.count, s.code, s.name, s.severity
        ));
    }
    out
}

/// Each finding's fingerprint, made unique within the report: the second and later
/// findings with the same fingerprint get `:2`, `:3`, … appended (GitLab requires unique
/// fingerprints, and GitHub would merge alerts that share one).
pub fn unique_fingerprints(report: &Report<'_>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    report
        .findings
        .iter()
        .map(|f| {
            let fp = fingerprint(f, report.analysis.ws.files.get(f.file));
            let n = seen.entry(fp.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { fp } else { format!("{fp}:{n}") }
        })
        .collect()
}
