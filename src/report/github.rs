//! `--format github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=…,line=…::message`), and one per file that could not be analysed.

use super::Report;
use crate::finding::Severity;

/// Escape the message part of a workflow command (what the Actions runner unescapes).
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a property value of a workflow command (`file=…`, `title=…`).
pub fn escape_property(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    let files = &report.analysis.ws.files;
    for f in report.findings {
        let file = files.get(f.file);
        let start = file.line_col(f.span.start);
        let end = file.line_col(f.span.end);
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        // Columns only make sense on one line; the runner ignores them otherwise.
        let columns = if start.line == end.line {
            format!(",col={},endColumn={}", start.column, end.column)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "::{} file={},line={},endLine={}{columns},title={}::{}\n",
            command(f.severity),
            escape_property(&file.display),
            start.line,
            end.line,
            escape_property(&format!("{} {}", f.code, f.name)),
            escape_data(&message),
        ));
    }
    for e in &report.analysis.ws.errors {
        let place = e.position.map_or(String::new(), |(line, column)| {
            format!(",line={line},col={column}")
        });
        out.push_str(&format!(
            "::error file={}{place},title={}::{}\n",
            escape_property(&e.path),
            escape_property("stowaway: file not analysed"),
            escape_data(&e.message),
        ));
    }
    for w in &report.warnings {
        out.push_str(&format!(
            "::warning title={}::{}\n",
            escape_property("stowaway"),
            escape_data(w)
        ));
    }
    if report.statistics {
        out.push_str(&super::statistics_table(report.findings));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_line_breaks_only() {
        assert_eq!(escape_data("100% done"), "100%25 done");
        assert_eq!(escape_data("a\r\nb"), "a%0D%0Ab");
        assert_eq!(escape_data("key: a, b"), "key: a, b");
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_data("::error::x"), "::error::x");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(escape_property("dir,1/x:y.yaml"), "dir%2C1/x%3Ay.yaml");
        assert_eq!(escape_property("50%\n"), "50%25%0A");
        assert_eq!(escape_property("café ünïcode"), "café ünïcode");
    }

    #[test]
    fn escaping_round_trips_through_the_runners_unescape() {
        // The runner's unescape: the reverse replacements, `%25` last.
        fn unescape(s: &str) -> String {
            s.replace("%0D", "\r")
                .replace("%0A", "\n")
                .replace("%3A", ":")
                .replace("%2C", ",")
                .replace("%25", "%")
        }
        for s in ["plain", "a%b", "x\ny\rz", "k:v,w", "%3A%2C%0A", "%%::,,"] {
            assert_eq!(unescape(&escape_property(s)), s);
            let data = escape_data(s);
            assert!(!data.contains('\n') && !data.contains('\r'));
        }
    }
}
