//! `--format gitlab`: a GitLab Code Quality report (a JSON array of Code Climate issues),
//! for `artifacts: reports: codequality:`.
//!
//! Severities: error → `critical`, warning → `minor`, info → `info`. Files that could not
//! be analysed are not part of the report (GitLab has no place for them); they still
//! make the run exit 2 and are named on stderr by the CLI.

use serde::Serialize;

use super::Report;
use crate::finding::Severity;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    categories: [&'static str; 1],
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn render(report: &Report<'_>) -> String {
    let files = &report.analysis.ws.files;
    let fingerprints = super::unique_fingerprints(report);
    let issues: Vec<Issue<'_>> = report
        .findings
        .iter()
        .zip(fingerprints)
        .map(|(f, fingerprint)| {
            let file = files.get(f.file);
            let begin = file.line_col(f.span.start).line;
            let end = file.line_col(f.span.end).line.max(begin);
            Issue {
                kind: "issue",
                description: format!("{} {}: {}", f.code, f.name, f.message),
                check_name: f.code,
                fingerprint,
                severity: severity(f.severity),
                categories: ["Security"],
                location: Location {
                    path: &file.display,
                    lines: Lines { begin, end },
                },
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}
