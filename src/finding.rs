//! The one result type every rule produces and every renderer reads.

use serde::Serialize;

use crate::source::{FileId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One text edit of a fix: replace `span` of `file` with `content`.
#[derive(Debug, Clone)]
pub struct Edit {
    pub file: FileId,
    pub span: Span,
    pub content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Applying the fix keeps the meaning the user intended.
    Safe,
    /// The fix is a suggestion that needs a look.
    Unsafe,
}

/// A file a fix writes outside the checked files: a new secret file, or a line added to an
/// ignore file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWrite {
    /// Absolute path.
    pub path: std::path::PathBuf,
    pub action: WriteAction,
    /// The text written.
    pub content: String,
    /// Whether `content` is a secret value: it is never printed (diff, JSON, messages).
    pub secret: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteAction {
    /// Create the file (never replacing one) with these permission bits, creating its
    /// folder.
    Create { mode: u32 },
    /// Add `content` as a line at the end of the file (created when absent), unless the
    /// file already has that line.
    AppendLine,
}

#[derive(Debug, Clone)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, as a title (an editor's code action shows it).
    pub message: String,
    pub edits: Vec<Edit>,
    /// Files written besides the edits of checked files.
    pub writes: Vec<FileWrite>,
    /// The secret values the fix moves out of the checked files: once it is applied, none
    /// may be left in a checked file under [`Fix::scope`] that git would commit (the fix is
    /// refused otherwise).
    pub moves: Vec<String>,
    /// The folder of the project the values are moved out of (absolute).
    pub scope: Option<std::path::PathBuf>,
}

impl Fix {
    /// A fix made of edits of checked files only.
    pub fn edits(applicability: Applicability, message: String, edits: Vec<Edit>) -> Fix {
        Fix {
            applicability,
            message,
            edits,
            writes: Vec::new(),
            moves: Vec::new(),
            scope: None,
        }
    }
}

/// What [`Finding::value_class`] adds to the message of a finding on a placeholder.
pub const PLACEHOLDER_NOTE: &str =
    " (a placeholder default: it is deployed as it is wherever nobody changes it)";

#[derive(Debug, Clone)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub file: FileId,
    pub span: Span,
    /// Already redacted: never holds a secret value in clear.
    pub message: String,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// What identifies the finding apart from its position: e.g. `services.api.secrets.db`.
    /// Part of the fingerprint, so a finding keeps its identity when lines move.
    pub anchor: String,
    /// The secret value's bytes in the file, masked in every output.
    pub secret: Option<Span>,
    /// What the secret is when a known token format recognised it, e.g. "Stripe secret key".
    pub token_kind: Option<String>,
    /// The file on disk the finding is about (a secret file), when it is about one: the
    /// findings of one code about one file are reported once, however many compose files
    /// point at it.
    pub subject: Option<std::path::PathBuf>,
}

impl Finding {
    pub fn new(
        rule: &crate::rules::RuleInfo,
        file: FileId,
        span: Span,
        message: String,
    ) -> Finding {
        Finding {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            file,
            span,
            message,
            help: None,
            fix: None,
            anchor: String::new(),
            secret: None,
            token_kind: None,
            subject: None,
        }
    }
    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }
    pub fn help_opt(mut self, help: Option<String>) -> Finding {
        self.help = help;
        self
    }
    pub fn fix(mut self, fix: Fix) -> Finding {
        self.fix = Some(fix);
        self
    }
    pub fn anchor(mut self, anchor: impl Into<String>) -> Finding {
        self.anchor = anchor.into();
        self
    }
    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }
    pub fn subject(mut self, path: std::path::PathBuf) -> Finding {
        self.subject = Some(path);
        self
    }
    /// Weigh the finding by what the flagged value is ([`ValueClass`], the value
    /// classifier every rule shares): a placeholder (`changeme`, `example`, `FAKE…`,
    /// `<password>`) is not a leaked credential but a default that is deployed as it is
    /// until someone changes it, so it is a warning (never more) and the message says so.
    pub fn value_class(mut self, class: crate::detect::classify::ValueClass) -> Finding {
        if class == crate::detect::classify::ValueClass::Placeholder {
            self.severity = self.severity.min(Severity::Warning);
            self.message.push_str(PLACEHOLDER_NOTE);
        }
        self
    }
    pub fn secret(mut self, span: Span) -> Finding {
        self.secret = Some(span);
        self
    }
}
