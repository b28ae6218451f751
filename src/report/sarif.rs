//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
//!
//! The driver lists every rule (the `KT` family expanded into one rule per token format)
//! with its documentation as help, a default level and a `security-severity`. Results
//! carry a region (1-based lines, columns in UTF-16 code units as SARIF's default
//! `columnKind` says, end exclusive), the line-independent fingerprint as
//! `partialFingerprints.primaryLocationLineHash`, and never a source snippet. Files
//! that could not be analysed become tool execution notifications.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::Report;
use crate::docs::{RuleEntry, catalogue, first_sentence};
use crate::finding::{Finding, Severity};

/// The OASIS SARIF 2.1.0 schema (Errata 01), which `tests/schemas/` vendors.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Where users learn about the tool: the package's homepage or repository when
/// `Cargo.toml` names one, else its crates.io page.
fn information_uri() -> String {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
        .map_or_else(
            || "https://crates.io/crates/stowaway".to_owned(),
            str::to_owned,
        )
}

/// SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (a number as a string, 0.0–10.0): error → high (8.0),
/// warning → medium (5.0), info → low (2.0).
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

/// A `/`-separated path as a URI reference: relative paths stay relative (to the
/// directory stowaway ran in, which in CI is the checkout root), absolute ones become
/// `file://` URIs; everything but unreserved characters and `/` is percent-encoded.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let bytes = path.as_bytes();
    let drive = bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":/";
    let (prefix, rest) = if path.starts_with('/') {
        ("file://", path.as_str())
    } else if drive {
        // A Windows drive path, `C:/…`.
        ("file:///", path.as_str())
    } else {
        ("", path.as_str())
    };
    let mut out = String::from(prefix);
    for (i, b) in rest.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (b == b':' && drive && i == 1);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn family_tag(code: &str) -> &'static str {
    match code.get(..2) {
        Some("CS") => "compose-secrets",
        Some("CE") => "compose",
        Some("DF") => "dockerfile",
        Some("EN") => "env-file",
        Some("XR") => "cross-file",
        Some("SH") => "script",
        Some("KT") => "known-token",
        _ => "stowaway",
    }
}

fn rule_descriptor(entry: &RuleEntry) -> Value {
    let mut tags = vec!["security", family_tag(&entry.code)];
    if entry.family == Some("KT") || entry.code.starts_with("CE") || entry.code.starts_with("SH") {
        tags.push("secrets");
    }
    json!({
        "id": entry.code,
        "name": entry.name,
        "shortDescription": {"text": first_sentence(&entry.summary)},
        "fullDescription": {"text": entry.summary},
        "help": {"text": entry.doc, "markdown": entry.doc},
        "defaultConfiguration": {"level": level(entry.severity)},
        "properties": {
            "tags": tags,
            "security-severity": security_severity(entry.severity),
        },
    })
}

fn location(path: &str, region: Option<Value>) -> Value {
    let mut physical = json!({
        "artifactLocation": {"uri": uri(path), "uriBaseId": "%SRCROOT%"},
    });
    if let Some(region) = region {
        physical["region"] = region;
    }
    json!({"physicalLocation": physical})
}

fn result(
    report: &Report<'_>,
    f: &Finding,
    rule_index: Option<usize>,
    fingerprint: String,
) -> Value {
    let file = report.analysis.ws.files.get(f.file);
    let start = file.line_col(f.span.start);
    let end = file.line_col(f.span.end);
    let region = json!({
        "startLine": start.line,
        "startColumn": file.utf16_column(f.span.start),
        "endLine": end.line.max(start.line),
        "endColumn": file.utf16_column(f.span.end),
    });
    let mut text = f.message.clone();
    if let Some(help) = &f.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut out = json!({
        "ruleId": f.code,
        "level": level(f.severity),
        "message": {"text": text},
        "locations": [location(&file.display, Some(region))],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint},
        "fingerprints": {"stowaway/v1": fingerprint},
    });
    if let Some(i) = rule_index {
        out["ruleIndex"] = json!(i);
    }
    out
}

/// The SARIF log, written with `serde_json` (the format is one JSON document; no typed
/// model is needed to write it, and `tests/formats.rs` checks it against the schema).
pub fn render(report: &Report<'_>) -> String {
    let entries = catalogue();
    let index: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.code.as_str(), i))
        .collect();
    let rules: Vec<Value> = entries.iter().map(rule_descriptor).collect();
    let fingerprints = super::unique_fingerprints(report);
    let results: Vec<Value> = report
        .findings
        .iter()
        .zip(fingerprints)
        .map(|(f, fp)| result(report, f, index.get(f.code).copied(), fp))
        .collect();
    let errors = &report.analysis.ws.errors;
    let mut notifications: Vec<Value> = errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [location(&e.path, None)],
            })
        })
        .collect();
    notifications.extend(
        report
            .warnings
            .iter()
            .map(|w| json!({"level": "warning", "message": {"text": w}})),
    );
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "stowaway",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": information_uri(),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "columnKind": "utf16CodeUnits",
        }],
    });
    let mut text = serde_json::to_string_pretty(&log)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot write SARIF: {e}\"}}"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_references() {
        assert_eq!(uri("app/compose.yaml"), "app/compose.yaml");
        assert_eq!(uri("my dir/a%b.env"), "my%20dir/a%25b.env");
        assert_eq!(uri("é.env"), "%C3%A9.env");
        assert_eq!(uri("a:b/c"), "a%3Ab/c");
        assert_eq!(
            uri("/tmp/x y/compose.yaml"),
            "file:///tmp/x%20y/compose.yaml"
        );
        assert_eq!(uri("C:/src/compose.yaml"), "file:///C:/src/compose.yaml");
        assert_eq!(uri("dir\\compose.yaml"), "dir/compose.yaml");
    }

    #[test]
    fn levels_and_security_severities() {
        assert_eq!(level(Severity::Info), "note");
        assert_eq!(security_severity(Severity::Error), "8.0");
        assert_eq!(security_severity(Severity::Warning), "5.0");
    }
}
