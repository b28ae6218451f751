//! Findings as LSP sees them: diagnostics with UTF-16 ranges, the fixes and suppressions a
//! code action offers, the rule documentation a hover shows.

use std::path::PathBuf;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticSeverity, NumberOrString, Position, Range, Uri,
};

use crate::analysis::Analysis;
use crate::finding::{Applicability, Finding, Severity};
use crate::source::SourceFile;

/// A finding kept for the code actions and hovers of its document.
#[derive(Debug, Clone)]
pub struct Shown {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub range: Range,
    /// [`crate::fix::fix_key`]: names the finding for `stowaway.applyFix`.
    pub key: String,
    pub fix: Option<ShownFix>,
    /// The own-line `# stowaway: ignore[CODE]` comment that would suppress it: where it
    /// goes and what it says; `None` where a comment line would change the file's meaning
    /// (inside a YAML block scalar).
    pub ignore: Option<(Position, String)>,
}

/// A fix as an editor applies it.
#[derive(Debug, Clone)]
pub struct ShownFix {
    pub title: String,
    pub applicability: Applicability,
    /// Text edits, file by file.
    pub edits: Vec<(PathBuf, Range, String)>,
    /// Whether it also writes files an editor cannot write as they must be (a secret file
    /// with mode 0600): then the server applies it (`stowaway.applyFix`).
    pub writes: bool,
}

/// LSP position of byte `offset` in `file` (line 0-based, character in UTF-16 units).
pub fn position(file: &SourceFile, offset: usize) -> Position {
    let lc = file.line_col(offset);
    Position {
        line: u32::try_from(lc.line.saturating_sub(1)).unwrap_or(u32::MAX),
        character: u32::try_from(file.utf16_column(offset).saturating_sub(1)).unwrap_or(u32::MAX),
    }
}

/// Byte offset of an LSP position in `text` (clamped to the line and the text).
pub fn offset(text: &str, pos: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut units = 0u32;
    for (i, c) in text[line_start..line_end].char_indices() {
        if units >= pos.character {
            return line_start + i;
        }
        units += u32::try_from(c.len_utf16()).unwrap_or(2);
    }
    line_end
}

fn range(file: &SourceFile, span: crate::source::Span) -> Range {
    Range {
        start: position(file, span.start),
        end: position(file, span.end),
    }
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// Where a rule's documentation is read on the web: the reference in the repository when
/// `Cargo.toml` names one, else the package page.
pub fn rule_url(code: &str, name: &str) -> Option<Uri> {
    let repo = env!("CARGO_PKG_REPOSITORY");
    let url = if repo.is_empty() {
        "https://crates.io/crates/stowaway".to_owned()
    } else {
        format!(
            "{}/blob/main/docs/rules.md#{}-{}",
            repo.trim_end_matches('/'),
            code.to_ascii_lowercase(),
            name
        )
    };
    url.parse().ok()
}

/// The diagnostic of a finding, and what code actions and hovers keep of it.
pub fn finding(analysis: &Analysis, f: &Finding) -> (Diagnostic, Shown) {
    let file = analysis.ws.files.get(f.file);
    let r = range(file, f.span);
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let diagnostic = Diagnostic {
        range: r,
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.code.to_owned())),
        code_description: rule_url(f.code, f.name).map(|href| CodeDescription { href }),
        source: Some("stowaway".into()),
        message,
        ..Diagnostic::default()
    };
    let fix = f.fix.as_ref().map(|fix| ShownFix {
        title: fix.message.clone(),
        applicability: fix.applicability,
        edits: fix
            .edits
            .iter()
            .map(|e| {
                let target = analysis.ws.files.get(e.file);
                (
                    target.path.clone(),
                    range(target, e.span),
                    e.content.clone(),
                )
            })
            .collect(),
        writes: !fix.writes.is_empty(),
    });
    let shown = Shown {
        code: f.code,
        name: f.name,
        severity: f.severity,
        message: f.message.clone(),
        range: r,
        key: crate::fix::fix_key(analysis, f),
        fix,
        ignore: ignore_comment(file, f),
    };
    (diagnostic, shown)
}

/// The own-line suppression comment for `f`, on the line above its first line with that
/// line's indentation.
fn ignore_comment(file: &SourceFile, f: &Finding) -> Option<(Position, String)> {
    let lc = file.line_col(f.span.start);
    let start = file.line_start(lc.line)?;
    let line = &file.text[start..];
    let indent: String = line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    if is_yaml(&file.path) && inside_block_scalar(&file.text, f.span.start) {
        return None;
    }
    let nl = crate::fix::text::line_ending(&file.text);
    Some((
        Position {
            line: u32::try_from(lc.line - 1).ok()?,
            character: 0,
        },
        format!(
            "{indent}# stowaway: ignore[{}] reason: say why this is not a secret{nl}",
            f.code
        ),
    ))
}

fn is_yaml(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// Whether `offset` lies inside a `|` or `>` scalar, where a comment line is text.
fn inside_block_scalar(text: &str, offset: usize) -> bool {
    use crate::yaml::{Kind, Node, Style};
    fn walk(node: &Node, offset: usize) -> bool {
        match &node.kind {
            Kind::Scalar(s) => {
                matches!(s.style, Style::Literal | Style::Folded)
                    && node.span.start <= offset
                    && offset < node.span.end
            }
            Kind::Seq(items) => items.iter().any(|n| walk(n, offset)),
            Kind::Map(entries) => entries
                .iter()
                .any(|(k, v)| walk(k, offset) || walk(v, offset)),
        }
    }
    match crate::yaml::parse(text) {
        Ok(outcome) => outcome
            .root
            .iter()
            .chain(&outcome.later)
            .any(|root| walk(root, offset)),
        // A file that does not parse gets no comment it could not read either.
        Err(_) => true,
    }
}

/// The hover text of a finding: what it says, then its rule's documentation.
pub fn hover_markdown(shown: &Shown) -> String {
    let doc = crate::rules::by_code(shown.code)
        .or_else(|| {
            shown
                .code
                .starts_with("KT")
                .then(|| crate::rules::by_code("KT"))
                .flatten()
        })
        .map(|r| r.info().doc())
        .unwrap_or_default();
    format!(
        "**{} {}** ({})\n\n{}\n\n---\n\n{}",
        shown.code, shown.name, shown.severity, shown.message, doc
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "a: \"é😀x\"\nb: 1\n";
        let file = SourceFile::new("c.yaml".into(), PathBuf::from("/c.yaml"), text.into());
        let x = text.find('x').expect("x");
        let p = position(&file, x);
        assert_eq!((p.line, p.character), (0, 7));
        assert_eq!(offset(text, p), x);
        let b = text.find('b').expect("b");
        assert_eq!(
            offset(
                text,
                Position {
                    line: 1,
                    character: 0
                }
            ),
            b
        );
        assert_eq!(
            offset(
                text,
                Position {
                    line: 9,
                    character: 0
                }
            ),
            text.len()
        );
    }

    #[test]
    fn no_comment_line_inside_a_block_scalar() {
        let text = "x:\n  c: |\n    password = 'abc'\n  d: e\n";
        assert!(inside_block_scalar(text, text.find("password").expect("p")));
        assert!(!inside_block_scalar(text, text.find("e\n").expect("e")));
    }
}
