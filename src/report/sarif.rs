//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
//!
//! The driver lists every rule (the `KT` family expanded into one rule per token format)
//! with its documentation as help, a default level and a `security-severity`. Results
//! carry a region (1-based lines, columns in UTF-16 code units as SARIF's default
//! `columnKind` says, end exclusive), the line-independent fingerprint as
//! `partialFingerprints.primaryLocationLineHash`, and never a source snippet. Files
//! that could not be analysed become tool execution notifications.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

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

fn result_level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
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

fn rule_descriptor(entry: &RuleEntry) -> ReportingDescriptor {
    let mut extra = BTreeMap::new();
    extra.insert(
        "security-severity".to_owned(),
        Value::String(security_severity(entry.severity).to_owned()),
    );
    let mut tags = vec!["security".to_owned(), family_tag(&entry.code).to_owned()];
    if entry.family == Some("KT") || entry.code.starts_with("CE") || entry.code.starts_with("SH") {
        tags.push("secrets".to_owned());
    }
    ReportingDescriptor::builder()
        .id(entry.code.clone())
        .name(entry.name.clone())
        .short_description(
            MultiformatMessageString::builder()
                .text(first_sentence(&entry.summary).to_owned())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(entry.summary.clone())
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(entry.doc.clone())
                .markdown(entry.doc.clone())
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(Value::String(level(entry.severity).to_owned()))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(extra)
                .build(),
        )
        .build()
}

fn location(path: &str, region: Option<Region>) -> Location {
    let artifact = ArtifactLocation::builder()
        .uri(uri(path))
        .uri_base_id("%SRCROOT%".to_owned())
        .build();
    let physical = match region {
        Some(region) => PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(region)
            .build(),
        None => PhysicalLocation::builder()
            .artifact_location(artifact)
            .build(),
    };
    Location::builder().physical_location(physical).build()
}

fn result(
    report: &Report<'_>,
    f: &Finding,
    rule_index: Option<usize>,
    fingerprint: String,
) -> SarifResult {
    let file = report.analysis.ws.files.get(f.file);
    let start = file.line_col(f.span.start);
    let end = file.line_col(f.span.end);
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let region = Region::builder()
        .start_line(as_i64(start.line))
        .start_column(as_i64(file.utf16_column(f.span.start)))
        .end_line(as_i64(end.line.max(start.line)))
        .end_column(as_i64(file.utf16_column(f.span.end)))
        .build();
    let mut text = f.message.clone();
    if let Some(help) = &f.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut partial = BTreeMap::new();
    partial.insert("primaryLocationLineHash".to_owned(), fingerprint.clone());
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("stowaway/v1".to_owned(), fingerprint);
    let base = SarifResult::builder()
        .rule_id(f.code.to_owned())
        .level(result_level(f.severity))
        .message(Message::builder().text(text).build())
        .locations(vec![location(&file.display, Some(region))])
        .partial_fingerprints(partial)
        .fingerprints(fingerprints);
    match rule_index {
        Some(i) => base.rule_index(as_i64(i)).build(),
        None => base.build(),
    }
}

pub fn render(report: &Report<'_>) -> String {
    let entries = catalogue();
    let index: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.code.as_str(), i))
        .collect();
    let rules: Vec<ReportingDescriptor> = entries.iter().map(rule_descriptor).collect();
    let driver = ToolComponent::builder()
        .name("stowaway".to_owned())
        .version(env!("CARGO_PKG_VERSION").to_owned())
        .semantic_version(env!("CARGO_PKG_VERSION").to_owned())
        .information_uri(information_uri())
        .rules(rules)
        .build();
    let fingerprints = super::unique_fingerprints(report);
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .zip(fingerprints)
        .map(|(f, fp)| result(report, f, index.get(f.code).copied(), fp))
        .collect();
    let errors = &report.analysis.ws.errors;
    let notifications: Vec<Notification> = errors
        .iter()
        .map(|e| {
            Notification::builder()
                .level(Value::String("error".to_owned()))
                .message(Message::builder().text(e.message.clone()).build())
                .locations(vec![location(&e.path, None)])
                .build()
        })
        .collect();
    let invocation = Invocation::builder()
        .execution_successful(errors.is_empty())
        .tool_execution_notifications(notifications)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .results(results)
        .column_kind(Value::String("utf16CodeUnits".to_owned()))
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA_URI.to_owned())
        .version(Value::String("2.1.0".to_owned()))
        .runs(vec![run])
        .build();
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
