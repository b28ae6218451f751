//! `--format json`: the version 1 contract other programs rely on (see DESIGN.md).

use serde::Serialize;

use super::Report;
use crate::finding::{Applicability, Finding, WriteAction};
use crate::fingerprint::fingerprint;
use crate::source::SourceFile;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError<'a>>,
    /// Files met while walking that are not what their name or content suggested.
    skipped: Vec<JsonError<'a>>,
    /// Warnings about the run (nothing to check, a baseline that matched nothing).
    warnings: &'a [String],
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
    offset: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    path: &'a str,
    start: Position,
    end: Position,
    fingerprint: String,
    help: Option<&'a str>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: Applicability,
    message: &'a str,
    edits: Vec<JsonEdit<'a>>,
    /// Files the fix writes besides the edits: a new secret file (its content, the secret,
    /// is `null`), a line added to an ignore file.
    writes: Vec<JsonWrite<'a>>,
}

#[derive(Serialize)]
struct JsonWrite<'a> {
    path: String,
    /// `create` or `append-line`.
    action: &'static str,
    /// Permission bits of a created file, e.g. `0600`.
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<String>,
    /// `null` when it is a secret value.
    content: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    path: &'a str,
    start: usize,
    end: usize,
    content: &'a str,
}

#[derive(Serialize)]
struct JsonError<'a> {
    path: &'a str,
    message: &'a str,
    /// 1-based line and column of the problem, when known (YAML syntax errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    findings: usize,
    errors: usize,
    /// With `--baseline`: findings it hid and entries that matched nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<super::BaselineUse>,
    /// Counts per code, with `--statistics` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    statistics: Option<Vec<super::CodeCount>>,
}

fn position(file: &SourceFile, offset: usize) -> Position {
    let lc = file.line_col(offset);
    Position {
        line: lc.line,
        column: lc.column,
        offset,
    }
}

fn finding<'a>(report: &'a Report<'a>, f: &'a Finding) -> JsonFinding<'a> {
    let files = &report.analysis.ws.files;
    let file = files.get(f.file);
    JsonFinding {
        code: f.code,
        name: f.name,
        severity: f.severity.as_str(),
        message: &f.message,
        path: &file.display,
        start: position(file, f.span.start),
        end: position(file, f.span.end),
        fingerprint: fingerprint(f, file),
        help: f.help.as_deref(),
        fix: f.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability,
            message: &fix.message,
            edits: fix
                .edits
                .iter()
                .map(|e| JsonEdit {
                    path: &files.get(e.file).display,
                    start: e.span.start,
                    end: e.span.end,
                    content: &e.content,
                })
                .collect(),
            writes: fix
                .writes
                .iter()
                .map(|w| JsonWrite {
                    path: report.analysis.ws.display(&w.path),
                    action: match w.action {
                        WriteAction::Create { .. } => "create",
                        WriteAction::AppendLine => "append-line",
                    },
                    mode: match w.action {
                        WriteAction::Create { mode } => Some(format!("{mode:04o}")),
                        WriteAction::AppendLine => None,
                    },
                    content: (!w.secret).then_some(w.content.as_str()),
                })
                .collect(),
        }),
    }
}

fn json_error(e: &crate::workspace::FileError) -> JsonError<'_> {
    JsonError {
        path: &e.path,
        message: &e.message,
        line: e.position.map(|p| p.0),
        column: e.position.map(|p| p.1),
    }
}

pub fn render(report: &Report<'_>) -> String {
    let errors = &report.analysis.ws.errors;
    let out = Output {
        version: 1,
        tool: Tool {
            name: "stowaway",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: report.findings.iter().map(|f| finding(report, f)).collect(),
        errors: errors.iter().map(json_error).collect(),
        skipped: report.analysis.ws.skipped.iter().map(json_error).collect(),
        warnings: &report.warnings,
        summary: Summary {
            files: report.file_count(),
            findings: report.findings.len(),
            errors: errors.len(),
            baseline: report.baseline,
            statistics: report
                .statistics
                .then(|| super::statistics(report.findings)),
        },
    };
    let mut text =
        serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
