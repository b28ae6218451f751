//! Human output: each finding with its source snippet (secrets masked), then a summary.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::Report;
use crate::finding::{Finding, Severity};
use crate::redact::{Masked, mask, secret_spans};
use crate::source::FileId;

struct Diag {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    source: NamedSource<Arc<String>>,
    label: LabeledSpan,
}

impl fmt::Debug for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

/// The words messages and help are wrapped at: text split after runs of spaces, except
/// inside a `code span`, which stays whole so that a suggestion can be copied as it is
/// (a span longer than the line runs past it).
fn words_outside_code(line: &str) -> Box<dyn Iterator<Item = textwrap::core::Word<'_>> + '_> {
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let (mut start, mut i, mut in_code) = (0, 0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'`' => in_code = !in_code,
            b' ' if !in_code => {
                let mut end = i;
                while end < bytes.len() && bytes[end] == b' ' {
                    end += 1;
                }
                words.push(textwrap::core::Word::from(&line[start..end]));
                (start, i) = (end, end);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if start < line.len() {
        words.push(textwrap::core::Word::from(&line[start..]));
    }
    Box::new(words.into_iter())
}

pub fn render(report: &Report<'_>, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_word_separator(textwrap::WordSeparator::Custom(words_outside_code))
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false);
    let mut out = String::new();
    let files = &report.analysis.ws.files;
    // One (masked) copy of each file's text shared by its findings.
    let mut current: Option<(FileId, Arc<String>, Masked)> = None;
    for f in report.findings {
        if current.as_ref().is_none_or(|(id, _, _)| *id != f.file) {
            let file = files.get(f.file);
            let spans = if report.show_secrets {
                Vec::new()
            } else {
                let mut spans = secret_spans(report.findings.iter().filter(|g| g.file == f.file));
                spans.extend(report.analysis.flagged_secrets(f.file));
                spans
            };
            let masked = mask(&file.text, &spans);
            current = Some((f.file, Arc::new(masked.text.clone()), masked));
        }
        let Some((_, text, masked)) = &current else {
            continue;
        };
        let diag = diagnostic(report, f, text.clone(), masked);
        let _ = handler.render_report(&mut out, &diag);
        out.push('\n');
    }
    for e in &report.analysis.ws.errors {
        out.push_str(&format!("error: {}: {}\n", e.path, e.message));
    }
    if report.statistics {
        out.push_str(&super::statistics_table(report.findings));
        out.push('\n');
    }
    out.push_str(&summary(report));
    out
}

fn diagnostic(report: &Report<'_>, f: &Finding, text: Arc<String>, masked: &Masked) -> Diag {
    let file = report.analysis.ws.files.get(f.file);
    let span = masked.map_span(f.span);
    let len = span.len().max(usize::from(span.start < text.len()));
    Diag {
        message: f.message.clone(),
        code: format!("{}({})", f.code, f.name),
        severity: f.severity,
        help: f.help.clone(),
        source: NamedSource::new(file.display.clone(), text),
        label: LabeledSpan::new_with_span(None, (span.start, len)),
    }
}

fn summary(report: &Report<'_>) -> String {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let (e, w, i) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let files = report.file_count();
    let errors = report.analysis.ws.errors.len();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = if e + w + i == 0 {
        format!("no findings in {}", plural(files, "file"))
    } else {
        format!(
            "{}, {}, {} in {}",
            plural(e, "error"),
            plural(w, "warning"),
            plural(i, "info note"),
            plural(files, "file")
        )
    };
    if errors > 0 {
        line.push_str(&format!(
            "; {} could not be analysed",
            plural(errors, "file")
        ));
    }
    line.push('\n');
    line.push_str(&fixable(report.findings));
    line
}

/// How many findings `--fix` would settle: `2 fixable with `--fix`; 3 more with …`.
fn fixable(findings: &[Finding]) -> String {
    use crate::finding::Applicability;
    let count = |a: Applicability| {
        findings
            .iter()
            .filter(|f| f.fix.as_ref().is_some_and(|x| x.applicability == a))
            .count()
    };
    match (count(Applicability::Safe), count(Applicability::Unsafe)) {
        (0, 0) => String::new(),
        (safe, 0) => format!("{safe} fixable with `stowaway check --fix`\n"),
        (0, risky) => format!(
            "{risky} fixable with `stowaway check --fix --unsafe-fixes` (see the change first with `--diff --unsafe-fixes`)\n"
        ),
        (safe, risky) => format!(
            "{safe} fixable with `stowaway check --fix`, {risky} more with `--unsafe-fixes` (see the change first with `--diff --unsafe-fixes`)\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn code_spans_are_never_broken_when_wrapping() {
        let words: Vec<String> =
            super::words_outside_code("use `RUN --mount=type=secret,id=x ...` here")
                .map(|w| format!("{}{}", w.word, w.whitespace))
                .collect();
        assert_eq!(
            words,
            ["use ", "`RUN --mount=type=secret,id=x ...` ", "here"]
        );
    }
}
