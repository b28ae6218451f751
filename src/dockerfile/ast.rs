//! The Dockerfile model produced by [`super::parse`].
//!
//! All spans are byte ranges into the original source (BOM included), always on char
//! boundaries and within bounds.

use std::ops::Range;

use super::mapped::MappedText;

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The escape character (`\` unless changed by `# escape=`).
    pub escape: char,
    /// Parser directives found at the top of the file, in order.
    pub directives: Vec<Directive>,
    /// Instructions in source order.
    pub instructions: Vec<Instruction>,
    /// Build stages, one per `FROM`.
    pub stages: Vec<Stage>,
    /// Problems found; parsing goes on after each.
    pub errors: Vec<ParseError>,
}

impl Dockerfile {
    /// Instructions belonging to stage `index`.
    pub fn stage_instructions(&self, index: usize) -> impl Iterator<Item = &Instruction> {
        self.instructions
            .iter()
            .filter(move |i| i.stage == Some(index))
    }

    /// A stable label for the stage of `ins`: its `AS` name, else its index, `global`
    /// before the first `FROM` (for finding anchors: no line numbers).
    pub fn stage_label(&self, ins: &Instruction) -> String {
        match ins.stage.and_then(|i| self.stages.get(i)) {
            Some(s) => s.name.clone().unwrap_or_else(|| s.index.to_string()),
            None => "global".to_owned(),
        }
    }

    /// The stage named `name` (case-insensitive, as BuildKit compares stage names).
    pub fn stage_by_name(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }
}

/// A parser directive such as `# syntax=docker/dockerfile:1.7`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name: `syntax`, `escape`, `check`.
    pub name: String,
    pub value: String,
    /// The whole directive line (without the line break).
    pub span: Range<usize>,
    pub value_span: Range<usize>,
}

/// A problem found while parsing. Parsing goes on after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub span: Range<usize>,
}

/// A build stage, started by `FROM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// 0-based position among the stages.
    pub index: usize,
    /// The `AS name` alias, as written.
    pub name: Option<String>,
    /// The base image (or stage name) as written, variables not expanded.
    pub base: String,
    /// Span of the `FROM` instruction.
    pub from_span: Range<usize>,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-cased keyword: `RUN`, `ENV`, ...
    pub keyword: String,
    pub keyword_span: Range<usize>,
    /// The whole instruction, continuations and heredoc bodies included.
    pub span: Range<usize>,
    /// Index of the stage it belongs to; `None` before the first `FROM` (global `ARG`).
    pub stage: Option<usize>,
    /// Leading `--name[=value]` options.
    pub flags: Vec<Flag>,
    /// Argument text after the flags: continuations joined (the escape character removed,
    /// nothing inserted), comment and empty lines inside continuations removed, trimmed.
    pub args: MappedText,
    pub kind: Kind,
}

impl Instruction {
    /// The first flag called `name` (case-sensitive, as BuildKit).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// Heredocs of a `RUN`, `COPY` or `ADD`.
    pub fn heredocs(&self) -> &[Heredoc] {
        match &self.kind {
            Kind::Run(r) => &r.heredocs,
            Kind::Copy(c) | Kind::Add(c) => &c.heredocs,
            _ => &[],
        }
    }
}

/// A leading `--name[=value]` option of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    /// Value with quotes removed and escapes resolved; `None` for `--link`.
    pub value: Option<String>,
    /// The whole `--name=value` word.
    pub span: Range<usize>,
    /// Raw value as written (quotes included).
    pub value_span: Option<Range<usize>>,
}

/// What the instruction says, by keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    From {
        image: String,
        alias: Option<String>,
    },
    Env(Vec<KeyValue>),
    Arg(Vec<ArgDecl>),
    Label(Vec<KeyValue>),
    Run(Run),
    Copy(Copy),
    Add(Copy),
    Cmd(CommandForm),
    Entrypoint(CommandForm),
    /// `None` for `HEALTHCHECK NONE` (or a malformed one).
    Healthcheck(Option<CommandForm>),
    Shell(Vec<Word>),
    Other,
}

/// A `key=value` pair of `ENV` or `LABEL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub key_span: Range<usize>,
    /// Unquoted, escapes resolved; variables not expanded.
    pub value: String,
    /// Raw span in the source, quotes included.
    pub value_span: Range<usize>,
    /// `ENV key value with spaces` (one pair, value is the rest of the instruction).
    pub legacy: bool,
}

/// One name of an `ARG`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: String,
    pub name_span: Range<usize>,
    /// Unquoted default and its raw span (quotes included).
    pub default: Option<(String, Range<usize>)>,
}

/// A word: a JSON string of an exec form, or a shell-like word (quotes removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub value: String,
    /// Raw span, quotes included.
    pub span: Range<usize>,
}

/// Exec form (`["a", "b"]`) or shell form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandForm {
    Exec(Vec<Word>),
    Shell(MappedText),
}

/// A `RUN` instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub mounts: Vec<Mount>,
    /// Value of `--network=`.
    pub network: Option<String>,
    pub command: CommandForm,
    pub heredocs: Vec<Heredoc>,
}

/// One `--mount=...` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// The whole `--mount=...` flag.
    pub span: Range<usize>,
    /// Options in written order, `type=` included.
    pub options: Vec<MountOption>,
}

impl Mount {
    /// The first option called `key` (ASCII case-insensitive, as BuildKit lower-cases keys).
    pub fn get(&self, key: &str) -> Option<&MountOption> {
        self.options
            .iter()
            .find(|o| o.key.eq_ignore_ascii_case(key))
    }

    /// The first option whose key is any of `keys`.
    pub fn get_any(&self, keys: &[&str]) -> Option<&MountOption> {
        self.options
            .iter()
            .find(|o| keys.iter().any(|k| o.key.eq_ignore_ascii_case(k)))
    }

    /// The value of `key`, if it has one.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(|o| o.value.as_deref())
    }

    /// The mount type, `"bind"` when no `type=` is given.
    /// Whether the mount says `required` (`required`, `required=true`, as BuildKit reads
    /// a boolean).
    pub fn required(&self) -> bool {
        self.get("required").is_some_and(|o| {
            o.value
                .as_deref()
                .is_none_or(|v| matches!(v, "1" | "t" | "T" | "true" | "TRUE" | "True"))
        })
    }

    pub fn mount_type(&self) -> &str {
        self.value("type").unwrap_or("bind")
    }

    /// `target=` / `dst=` / `destination=`.
    pub fn target(&self) -> Option<&MountOption> {
        self.get_any(&["target", "dst", "destination"])
    }

    /// `source=` / `src=`.
    pub fn source(&self) -> Option<&MountOption> {
        self.get_any(&["source", "src"])
    }

    /// The secret id of a `type=secret` mount as BuildKit reads it: `source=`/`src=` (which
    /// BuildKit prefers), else `id=`, else the base name of the target. `None` when none is
    /// given.
    pub fn secret_id(&self) -> Option<&str> {
        if let Some(id) = self.source().and_then(|o| o.value.as_deref()) {
            return Some(id);
        }
        if let Some(id) = self.value("id") {
            return Some(id);
        }
        let target = self.target()?.value.as_deref()?;
        let base = target.trim_end_matches('/').rsplit('/').next()?;
        if base.is_empty() { None } else { Some(base) }
    }
}

/// One comma-separated option of a mount: `key=value` or a bare `key` (`readonly`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountOption {
    pub key: String,
    /// Quotes removed.
    pub value: Option<String>,
    /// The raw option as written.
    pub span: Range<usize>,
}

/// A BuildKit heredoc (`<<EOF`, `<<-EOF`, `<<"EOF"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub delimiter: String,
    /// `<<-`: leading tabs stripped from body lines.
    pub strip_tabs: bool,
    /// The delimiter was quoted (no expansion in the body).
    pub quoted: bool,
    /// Body lines, each ending with `\n` (CRLF normalised, tabs stripped for `<<-`).
    pub body: MappedText,
    /// Source span of the body lines, line breaks included, delimiter line excluded.
    pub body_span: Range<usize>,
    /// Span of the `<<EOF` marker word in the instruction line.
    pub marker_span: Range<usize>,
    /// For `COPY <<EOF /dest`: the destination.
    pub dest: Option<String>,
    /// False when the body runs to the end of the file.
    pub terminated: bool,
}

/// A `COPY` or `ADD` instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// `--from=` value.
    pub from: Option<String>,
    /// Source words (heredoc markers excluded: they are in `heredocs`).
    pub sources: Vec<Word>,
    pub dest: Option<Word>,
    pub heredocs: Vec<Heredoc>,
}
