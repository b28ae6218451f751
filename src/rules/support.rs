//! Helpers the rules share: name suggestions, secret file paths, permission modes.

use std::path::PathBuf;

use super::RuleInfo;
use crate::analysis::Analysis;
use crate::compose::paths::{Unresolvable, resolve_path};
use crate::compose::{Project, SecretDef};
use crate::detect::classify::redact;
use crate::detect::comments::commented_secrets;
use crate::finding::{Finding, Severity};
use crate::source::{FileId, Span};
use crate::yaml::{Node, Style};

/// `did you mean ...?` for a misspelt name, when one candidate is close enough.
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    candidates
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c.to_owned())
}

/// Levenshtein distance over characters (names are short).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The file a secret definition's `file:` points at, resolved against the folder of the
/// compose file that defines it (after interpolation from the project's `.env`).
pub fn secret_file_path(
    project: &Project,
    def: &SecretDef,
) -> Option<Result<PathBuf, Unresolvable>> {
    if def.is_external() {
        return None;
    }
    let raw = def.source_file.as_ref()?;
    Some(resolve_path(&def.dir, &raw.value, &project.dotenv))
}

/// A permission mode as Compose reads it from `mode:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    pub bits: u32,
    /// Written as an unquoted integer without a leading `0` whose digits are all octal
    /// digits: Compose reads it as decimal, which is rarely what was meant.
    pub decimal_lookalike: bool,
}

/// Read `mode:` the way Compose does: an unquoted `0440` is octal (YAML 1.1), an unquoted
/// `440` is decimal, a quoted string is octal, `0o440` is octal. `None` if not a number.
pub fn parse_mode(source: &str, node: &Node) -> Option<Mode> {
    let scalar = node.scalar()?;
    let raw = crate::compose::raw_scalar(source, node)?;
    let text = scalar.value.trim();
    if scalar.style == Style::Plain {
        let _ = raw;
        if let Some(oct) = text.strip_prefix("0o").or_else(|| text.strip_prefix("0O")) {
            return u32::from_str_radix(oct, 8).ok().map(|bits| Mode {
                bits,
                decimal_lookalike: false,
            });
        }
        if text.len() > 1 && text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit()) {
            return u32::from_str_radix(text, 8).ok().map(|bits| Mode {
                bits,
                decimal_lookalike: false,
            });
        }
        if let Some(hex) = text.strip_prefix("0x") {
            return u32::from_str_radix(hex, 16).ok().map(|bits| Mode {
                bits,
                decimal_lookalike: false,
            });
        }
        let bits: u32 = text.parse().ok()?;
        let octal_digits = text.bytes().all(|b| (b'0'..=b'7').contains(&b));
        return Some(Mode {
            bits,
            decimal_lookalike: octal_digits && bits >= 8,
        });
    }
    if scalar.style == Style::SingleQuoted || scalar.style == Style::DoubleQuoted {
        let digits = text.strip_prefix("0o").unwrap_or(text);
        return u32::from_str_radix(digits, 8).ok().map(|bits| Mode {
            bits,
            decimal_lookalike: false,
        });
    }
    None
}

/// The secrets commented out in the file `file` ([`crate::detect::comments`]), as
/// warnings of the rule `info` (at its own severity for a known token format): the comment
/// is in the file and in its git history.
pub fn commented_out(
    analysis: &Analysis,
    info: &'static RuleInfo,
    file: FileId,
    out: &mut Vec<Finding>,
) {
    let text = &analysis.ws.files.get(file).text;
    for found in commented_secrets(text) {
        let shown = text
            .get(found.value.clone())
            .map(redact)
            .unwrap_or_default();
        let span = Span::new(found.value.start, found.value.end);
        let severity = match found.known_token {
            true => info.severity,
            false => Severity::Warning,
        };
        out.push(
            Finding::new(
                info,
                file,
                span,
                format!(
                    "`{}` is commented out with a value that looks real (`{shown}`): the comment is in the file and in its git history",
                    found.key
                ),
            )
            .severity(severity)
            .help("delete the line, and rotate the credential if it was ever in use; document the variable with a placeholder (`<your-secret>`) instead")
            .anchor(format!("comment {}", found.key))
            .secret(span),
        );
    }
}

/// `0o640`-style rendering.
pub fn octal(bits: u32) -> String {
    format!("0{bits:o}")
}

#[cfg(test)]
pub mod testing {
    //! Running rules on small projects written in a test.

    use std::path::Path;

    use crate::analysis::Analysis;
    use crate::finding::Finding;

    /// A temporary git repository (nothing committed) holding `files` (path, content).
    pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let status = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir.path())
            .status()
            .expect("git runs");
        assert!(status.success());
        for (path, content) in files {
            let p = dir.path().join(path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(p, content).expect("write");
        }
        dir
    }

    /// Findings of rule `code` on the folder, as `path:line` strings.
    pub fn run_in(dir: &Path, code: &str) -> Vec<String> {
        let mut analysis = Analysis::load(dir.to_path_buf(), &[dir.to_path_buf()]);
        findings_of(&mut analysis, code)
    }

    pub fn findings_of(analysis: &mut Analysis, code: &str) -> Vec<String> {
        let found: Vec<Finding> = analysis.check();
        found
            .iter()
            .filter(|f| f.code == code)
            .map(|f| {
                let file = analysis.ws.files.get(f.file);
                format!("{}:{}", file.display, file.line_col(f.span.start).line)
            })
            .collect()
    }

    /// Findings of rule `code` on a project made of `files`.
    pub fn run(files: &[(&str, &str)], code: &str) -> Vec<String> {
        let dir = project(files);
        run_in(dir.path(), code)
    }

    /// The findings of rule `code` on a project made of `files`, whole (severity, message).
    pub fn findings(files: &[(&str, &str)], code: &str) -> Vec<Finding> {
        let dir = project(files);
        let mut analysis = Analysis::load(dir.path().to_path_buf(), &[dir.path().to_path_buf()]);
        analysis
            .check()
            .into_iter()
            .filter(|f| f.code == code)
            .collect()
    }

    /// Messages of rule `code` on a project made of `files`.
    pub fn messages(files: &[(&str, &str)], code: &str) -> Vec<String> {
        findings(files, code)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(yaml: &str) -> Option<Mode> {
        let root = crate::yaml::parse(yaml).unwrap().root.unwrap();
        parse_mode(yaml, root.get("mode").unwrap())
    }

    #[test]
    fn modes_are_read_as_compose_reads_them() {
        assert_eq!(mode("mode: 0440").unwrap().bits, 0o440);
        assert_eq!(mode("mode: 440").unwrap().bits, 440);
        assert!(mode("mode: 440").unwrap().decimal_lookalike);
        assert_eq!(mode("mode: \"440\"").unwrap().bits, 0o440);
        assert_eq!(mode("mode: '0440'").unwrap().bits, 0o440);
        assert_eq!(mode("mode: 0o440").unwrap().bits, 0o440);
        assert_eq!(mode("mode: 288").unwrap().bits, 288);
        assert!(!mode("mode: 288").unwrap().decimal_lookalike);
        assert!(!mode("mode: 4").unwrap().decimal_lookalike);
        assert!(mode("mode: abc").is_none());
        assert!(mode("mode: '9'").is_none());
    }

    #[test]
    fn suggestions_only_for_close_names() {
        let names = ["mailer_password", "db_password"];
        assert_eq!(
            did_you_mean("mailer_passwd", names.iter().copied()).as_deref(),
            Some("mailer_password")
        );
        assert_eq!(did_you_mean("redis", names.iter().copied()), None);
    }
}
