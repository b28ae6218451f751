//! Suppressions: inline comments (`# stowaway: ignore[CODE] reason`,
//! `# stowaway: ignore-file[CODE]`, and other tools' `pragma: allowlist secret` /
//! `gitleaks:allow`), unused-ignore reports (`SW001`), and the baseline file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::detect::patterns::PatternSet;
use crate::finding::Finding;
use crate::fingerprint::fingerprint_at;
use crate::source::{FileId, SourceFile, Span};

/// Markers of other secret scanners, honoured on the line of a secret-value finding.
pub const FOREIGN_MARKERS: &[&str] = &["pragma: allowlist secret", "gitleaks:allow"];

/// Own-line directives reach at most this many comment lines down to their target line.
const MAX_COMMENT_RUN: usize = 64;

/// Rules that report a secret value: the foreign markers apply to them.
pub fn is_secret_value_rule(code: &str) -> bool {
    code.starts_with("CE")
        || code.starts_with("KT")
        || matches!(
            code,
            "DF001" | "DF002" | "DF004" | "EN001" | "SH001" | "SH002"
        )
}

/// One code of a directive's list.
#[derive(Debug, Clone)]
struct CodeEntry {
    code: String,
    used: bool,
}

/// A `# stowaway: ignore…` comment.
#[derive(Debug, Clone)]
struct Directive {
    /// The comment, from `#` to the end of the line (trailing blanks removed).
    span: Span,
    file_level: bool,
    /// 1-based lines the directive covers (its own line, and for an own-line comment
    /// the next line that is not a comment).
    lines: Vec<usize>,
    /// `None`: every rule.
    codes: Option<Vec<CodeEntry>>,
    used: bool,
    /// Why the comment could not be read, when it could not.
    malformed: Option<String>,
}

impl Directive {
    fn covers(&self, code: &str) -> bool {
        match &self.codes {
            None => true,
            Some(list) => list.iter().any(|c| code_matches(&c.code, code)),
        }
    }

    fn mark(&mut self, code: &str) {
        self.used = true;
        if let Some(list) = &mut self.codes {
            for c in list.iter_mut().filter(|c| code_matches(&c.code, code)) {
                c.used = true;
            }
        }
    }
}

/// A code in an ignore list matches a finding's code exactly or as a prefix (`CE`).
fn code_matches(listed: &str, code: &str) -> bool {
    code.to_ascii_uppercase().starts_with(listed)
}

fn is_comment_only(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Whether the end of `before` lies inside a quoted string: a `"…"` (with `\"` escapes),
/// or a `'…'` that opens after a blank, `:`, `=`, `[`, `{` or `,` (so `it's` opens none).
fn in_quotes(before: &str) -> bool {
    let (mut double, mut single, mut escaped) = (false, false, false);
    let mut prev = ' ';
    for c in before.chars() {
        match c {
            '\\' if double => escaped = !escaped,
            '"' if !single && !escaped => double = !double,
            '\'' if !double => {
                if single {
                    single = false;
                } else if prev.is_whitespace() || matches!(prev, ':' | '=' | '[' | '{' | ',') {
                    single = true;
                }
            }
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
        prev = c;
    }
    double || single
}

/// The directives of a file. A directive is a `#` comment (at the start of a line or
/// after a blank) whose text begins with `stowaway:`.
fn directives(file: &SourceFile) -> Vec<Directive> {
    let mut out = Vec::new();
    if !file.text.contains("stowaway:") {
        return out;
    }
    let count = file.line_count();
    for line in 1..=count {
        let text = file.line_text(line);
        if !text.contains("stowaway:") {
            continue;
        }
        let Some(start) = file.line_start(line) else {
            continue;
        };
        for (at, _) in text.match_indices('#') {
            let before = &text[..at];
            if !(before.is_empty() || before.ends_with([' ', '\t'])) || in_quotes(before) {
                continue;
            }
            let rest = text[at + 1..].trim_start();
            let Some(body) = rest.strip_prefix("stowaway:") else {
                continue;
            };
            let body = body.trim_start();
            let span = Span::new(start + at, start + text.trim_end().len());
            let mut lines = vec![line];
            if before.trim().is_empty() {
                let next = (line + 1..=count.min(line + MAX_COMMENT_RUN))
                    .find(|&l| !is_comment_only(file.line_text(l)));
                lines.extend(next);
            }
            let (file_level, tail) = if let Some(t) = body.strip_prefix("ignore-file") {
                (true, t)
            } else if let Some(t) = body.strip_prefix("ignore") {
                (false, t)
            } else {
                (false, "\u{0}")
            };
            let mut d = Directive {
                span,
                file_level,
                lines,
                codes: None,
                used: false,
                malformed: None,
            };
            if let Some(list) = tail.strip_prefix('[') {
                match list.find(']') {
                    Some(end) => {
                        let codes: Vec<CodeEntry> = list[..end]
                            .split(',')
                            .map(str::trim)
                            .filter(|c| !c.is_empty())
                            .map(|c| CodeEntry {
                                code: c.to_ascii_uppercase(),
                                used: false,
                            })
                            .collect();
                        if codes.is_empty() {
                            d.malformed = Some("the code list is empty".into());
                        } else {
                            d.codes = Some(codes);
                        }
                    }
                    None => d.malformed = Some("the code list has no closing `]`".into()),
                }
            } else if !(tail.is_empty() || tail.starts_with([' ', '\t'])) {
                d.malformed = Some(
                    "write `stowaway: ignore[CODE] reason` or `stowaway: ignore-file[CODE]`".into(),
                );
            }
            out.push(d);
            break;
        }
    }
    out
}

/// Whether `code` names a rule (or a family prefix of one).
fn known_code(code: &str, patterns: &PatternSet) -> bool {
    crate::rules::all()
        .iter()
        .map(|r| r.info().code)
        .filter(|c| *c != "KT")
        .chain(patterns.patterns().iter().map(|p| p.code.as_str()))
        .any(|c| c.starts_with(code))
}

/// Drop the findings that inline comments suppress, and report the comments that
/// suppress nothing (`SW001`). `findings` are those of reported files.
pub fn apply_inline(analysis: &Analysis, findings: Vec<Finding>) -> Vec<Finding> {
    let mut by_file: HashMap<FileId, Vec<Directive>> = HashMap::new();
    for (id, file) in analysis.ws.files.iter() {
        if analysis.is_reported(id) {
            let d = directives(file);
            if !d.is_empty() {
                by_file.insert(id, d);
            }
        }
    }
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        let file = analysis.ws.files.get(f.file);
        let mut lines = vec![file.line_of(f.span.start)];
        if let Some(s) = f.secret {
            lines.push(file.line_of(s.start));
        }
        if is_secret_value_rule(f.code)
            && lines.iter().any(|&l| {
                let text = file.line_text(l);
                FOREIGN_MARKERS.iter().any(|m| text.contains(m))
            })
        {
            continue;
        }
        let mut suppressed = false;
        if let Some(list) = by_file.get_mut(&f.file) {
            for d in list.iter_mut().filter(|d| d.malformed.is_none()) {
                let here = d.file_level || d.lines.iter().any(|l| lines.contains(l));
                if here && d.covers(f.code) {
                    d.mark(f.code);
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(f);
        }
    }
    let patterns = analysis.patterns.unwrap_or_else(PatternSet::builtin);
    let info = &crate::rules::sw001_unused_ignore::INFO;
    for (id, list) in &by_file {
        let silenced = |d: &Directive| {
            list.iter().any(|o| {
                (o.file_level
                    || o.lines
                        .contains(&analysis.ws.files.get(*id).line_of(d.span.start)))
                    && o.codes
                        .as_ref()
                        .is_some_and(|c| c.iter().any(|c| code_matches(&c.code, info.code)))
            })
        };
        let mut push = |d: &Directive, message: String| {
            if silenced(d) {
                return;
            }
            kept.push(
                Finding::new(info, *id, d.span, message)
                    .help("remove the comment, or correct its code list")
                    .anchor(format!(
                        "suppression:{}",
                        analysis.ws.files.get(*id).slice(d.span)
                    )),
            );
        };
        for d in list {
            let kind = if d.file_level {
                "ignore-file"
            } else {
                "ignore"
            };
            if let Some(why) = &d.malformed {
                push(
                    d,
                    format!("unreadable `stowaway:` comment: {why}; it suppresses nothing"),
                );
                continue;
            }
            let scope = if d.file_level {
                "in this file"
            } else {
                "on this line"
            };
            match &d.codes {
                None if !d.used => push(
                    d,
                    format!("`stowaway: {kind}` suppresses nothing: no finding {scope}"),
                ),
                None => {}
                Some(codes) => {
                    for c in codes.iter().filter(|c| !c.used) {
                        if code_matches(&c.code, info.code) {
                            continue;
                        }
                        let message = if known_code(&c.code, patterns) {
                            format!(
                                "`stowaway: {kind}[{}]` suppresses nothing: no {} finding {scope}",
                                c.code, c.code
                            )
                        } else {
                            format!(
                                "`{}` is not a stowaway rule code: `stowaway: {kind}[{}]` suppresses nothing",
                                c.code, c.code
                            )
                        };
                        push(d, message);
                    }
                }
            }
        }
    }
    kept
}

/// A baseline file: findings accepted as they are, by identity (never by value). Paths are
/// relative to the baseline file's folder (version 2), so the file works wherever stowaway
/// runs from; version 1 files, whose paths are relative to the folder stowaway ran in, are
/// still read that way.
#[derive(Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
    /// The folder the entries' paths are relative to (not stored).
    #[serde(skip)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub code: String,
    pub path: String,
    pub fingerprint: String,
}

pub const BASELINE_VERSION: u32 = 2;

/// `path` relative to the folder `dir` (both absolute and normalised), `/`-separated,
/// with `..` where `path` is not below `dir`.
fn relative_path(dir: &Path, path: &Path) -> String {
    let from: Vec<_> = dir.components().collect();
    let to: Vec<_> = path.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// The baseline entry of `f`, its path relative to `dir` (the display path when `None`).
fn entry(analysis: &Analysis, f: &Finding, dir: Option<&Path>) -> BaselineEntry {
    let file = analysis.ws.files.get(f.file);
    let path = match dir {
        Some(dir) => relative_path(
            &analysis.ws.absolute(dir),
            &analysis.ws.absolute(&file.path),
        ),
        None => file.display.clone(),
    };
    BaselineEntry {
        code: f.code.to_owned(),
        fingerprint: fingerprint_at(f, file, &path),
        path,
    }
}

/// The baseline of `findings`, to be written at `path`, as JSON text.
pub fn baseline_json(analysis: &Analysis, findings: &[Finding], path: &Path) -> String {
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut entries: Vec<BaselineEntry> = findings
        .iter()
        .map(|f| entry(analysis, f, Some(dir)))
        .collect();
    entries.sort_by(|a, b| {
        (&a.path, &a.code, &a.fingerprint).cmp(&(&b.path, &b.code, &b.fingerprint))
    });
    let baseline = Baseline {
        version: BASELINE_VERSION,
        findings: entries,
        dir: None,
    };
    let mut text = serde_json::to_string_pretty(&baseline).unwrap_or_default();
    text.push('\n');
    text
}

/// Read a baseline file.
pub fn read_baseline(path: &Path) -> Result<Baseline, String> {
    let text = crate::read::read_text(path)?;
    let mut baseline: Baseline =
        serde_json::from_str(&text).map_err(|e| format!("not a stowaway baseline: {e}"))?;
    match baseline.version {
        1 => baseline.dir = None,
        BASELINE_VERSION => {
            baseline.dir = Some(path.parent().unwrap_or(Path::new("")).to_path_buf());
        }
        other => {
            return Err(format!(
                "baseline version {other} is not supported (this stowaway reads versions 1 and {BASELINE_VERSION})"
            ));
        }
    }
    Ok(baseline)
}

/// The findings not recorded in the baseline, with how many it hid and how many of its
/// entries matched nothing. Each entry accepts one finding, so a copy of a baselined line
/// is reported.
pub fn apply_baseline(
    analysis: &Analysis,
    baseline: &Baseline,
    findings: Vec<Finding>,
) -> (Vec<Finding>, usize, usize) {
    let mut left: HashMap<&BaselineEntry, usize> = HashMap::new();
    for e in &baseline.findings {
        *left.entry(e).or_insert(0) += 1;
    }
    let before = findings.len();
    let kept: Vec<Finding> = findings
        .into_iter()
        .filter(|f| {
            let e = entry(analysis, f, baseline.dir.as_deref());
            match left.get_mut(&e) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        })
        .collect();
    let hidden = before - kept.len();
    (kept, hidden, baseline.findings.len() - hidden)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(
            "compose.yaml".into(),
            PathBuf::from("compose.yaml"),
            text.into(),
        )
    }

    #[test]
    fn directive_forms() {
        let f = file(
            "a: 1 # stowaway: ignore[CE001, kt003] shipped default\n# stowaway: ignore\n# other\nb: 2\nc: \"x # stowaway: ignore\"\nurl: http://h/#stowaway: ignore\n# stowaway: ignore-file[DF002]\n# stowaway: ignored\n",
        );
        let d = directives(&f);
        assert_eq!(d.len(), 4, "{d:#?}");
        let codes: Vec<String> = d[0]
            .codes
            .iter()
            .flatten()
            .map(|c| c.code.clone())
            .collect();
        assert_eq!(codes, ["CE001", "KT003"]);
        assert_eq!(d[0].lines, [1]);
        assert!(d[1].codes.is_none());
        assert_eq!(d[1].lines, [2, 4]);
        // Not inside a quoted string, nor in a URL fragment.
        assert!(d[2].file_level);
        assert!(d[3].malformed.is_some());
    }

    #[test]
    fn unclosed_or_empty_lists_are_malformed() {
        let d = directives(&file(
            "a: 1 # stowaway: ignore[CE001\nb: 2 # stowaway: ignore[]\n",
        ));
        assert!(d.iter().all(|d| d.malformed.is_some()), "{d:#?}");
    }

    #[test]
    fn quotes() {
        assert!(in_quotes("c: \"x "));
        assert!(in_quotes("c: 'x "));
        assert!(!in_quotes("c: it's "));
        assert!(!in_quotes("c: \"a\\\"b\" "));
        assert!(!in_quotes("c: 'it''s' "));
    }

    #[test]
    fn secret_value_rules() {
        for c in [
            "CE001", "CE005", "DF001", "DF002", "DF004", "EN001", "KT003",
        ] {
            assert!(is_secret_value_rule(c), "{c}");
        }
        for c in ["CS001", "DF003", "XR001", "SW001", "EN002"] {
            assert!(!is_secret_value_rule(c), "{c}");
        }
    }
}
