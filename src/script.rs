//! Scripts beside a project (shell scripts, Makefiles, justfiles, CI pipeline files): the
//! shell text each holds, with a way back to the bytes of the file. The SH rules read the
//! docker command lines in it.
//!
//! - a shell script (`*.sh`, `*.bash`) is shell text as a whole;
//! - a Makefile (`Makefile`, `*.mk`, ...): its recipe lines (those starting with a tab, and
//!   the lines a `\` continues them on), without the `@`/`-`/`+` prefixes; `$$VAR` (a shell
//!   variable) and `$(VAR)` (a make variable) are references;
//! - a justfile: its indented recipe lines, without the `@`/`-` prefixes (`{{var}}` is a
//!   reference);
//! - a GitHub workflow (`.github/workflows/*.y[a]ml`): each step's `run:`;
//! - `.gitlab-ci.yml`: each job's (and `default:`'s) `script:`, `before_script:` and
//!   `after_script:`, string or list.
//!
//! Makefiles and justfiles are kept as a copy of the file with every other byte blanked
//! (newlines kept), so that offsets in the shell text are offsets in the file. A CI file
//! that is not valid YAML holds no shell text here (it is no compose file, and reporting
//! it is its CI system's business).

use std::ops::Range;
use std::path::Path;

use crate::detect::classify::{ValueClass, classify_value};
use crate::detect::command::{SimpleCommand, has_shell_reference, parse_commands, substitutions};
use crate::discover::{file_name, is_github_workflow};
use crate::source::{FileId, Span};
use crate::yaml::{Node, Style, locate_in_scalar};

/// What language a script file's text is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Shell,
    Make,
    Just,
    GithubWorkflow,
    GitlabCi,
}

impl Dialect {
    /// The dialect of the script at `path`.
    pub fn of(path: &Path) -> Dialect {
        let name = file_name(path);
        if is_github_workflow(path) {
            Dialect::GithubWorkflow
        } else if name.starts_with(".gitlab-ci.") {
            Dialect::GitlabCi
        } else if matches!(name.as_str(), "justfile" | "Justfile" | ".justfile") {
            Dialect::Just
        } else if matches!(name.as_str(), "Makefile" | "makefile" | "GNUmakefile")
            || name.ends_with(".mk")
        {
            Dialect::Make
        } else {
            Dialect::Shell
        }
    }

    /// Whether `{{…}}` in a value is a template reference (justfiles, and the `${{ }}`
    /// expressions of GitHub workflows).
    pub fn templates(self) -> bool {
        matches!(self, Dialect::Just | Dialect::GithubWorkflow)
    }
}

/// Shell text parsed into simple commands: a segment's text, or the text inside a command
/// substitution in one of its words (`CID=$(docker run -e … img)`). The ranges of the
/// commands' words are relative to `text`, which starts at byte `base` of the segment's text.
pub struct Chunk<'a> {
    pub text: &'a str,
    pub base: usize,
    pub commands: Vec<SimpleCommand>,
}

/// Command substitutions are read this many levels deep.
const MAX_SUBSTITUTION_DEPTH: usize = 3;

/// The commands of `text` and of the command substitutions in its words. Each level reads
/// text inside a word of the level above, so the work is at most
/// [`MAX_SUBSTITUTION_DEPTH`] + 1 times the text's length.
pub fn chunks(text: &str) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    let mut todo = vec![(0usize, text, 0usize)];
    while let Some((base, t, depth)) = todo.pop() {
        let commands = parse_commands(t);
        if depth < MAX_SUBSTITUTION_DEPTH {
            for w in commands.iter().flat_map(|c| &c.words) {
                if !w.value.contains("$(") {
                    continue;
                }
                let Some(raw) = t.get(w.raw.clone()) else {
                    continue;
                };
                for inner in substitutions(raw) {
                    let (start, end) = (w.raw.start + inner.start, w.raw.start + inner.end);
                    if let Some(text) = t.get(start..end).filter(|_| start < end) {
                        todo.push((base + start, text, depth + 1));
                    }
                }
            }
        }
        out.push(Chunk {
            text: t,
            base,
            commands,
        });
    }
    out
}

/// What a value written in a script is ([`ValueClass`], the classifier every rule shares),
/// knowing the script's references: `$VAR`, `${VAR}`, `$(cmd)`, backticks, and in
/// Makefiles `$$VAR` and `$(VAR)`, in justfiles and workflows `{{ … }}`. A value that is
/// one shell parameter with a literal default (`${DB_PASSWORD:-s3cret}`, `${X-y}`,
/// `${X:=y}`) is what its default is: the value whenever the variable is unset.
pub fn value_class(value: &str, dialect: Dialect) -> ValueClass {
    if dialect != Dialect::Make
        && let Some(default) = parameter_default(value)
    {
        return if has_shell_reference(default) {
            ValueClass::Reference
        } else {
            classify_value(default)
        };
    }
    if has_shell_reference(value) || (dialect.templates() && value.contains("{{")) {
        return ValueClass::Reference;
    }
    classify_value(value)
}

/// The default of a value that is exactly `${NAME:-default}` (or `-`, `:=`, `=`).
fn parameter_default(value: &str) -> Option<&str> {
    let inner = value.strip_prefix("${")?.strip_suffix('}')?;
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|n| *n > 0)?;
    let rest = &inner[name_len..];
    let default = [":-", ":=", "-", "="]
        .iter()
        .find_map(|op| rest.strip_prefix(op))?;
    // `${A:-x}${B}` is not one parameter.
    (!default.contains('}')).then_some(default)
}

/// One piece of shell text of a script file.
#[derive(Debug, Clone)]
pub enum Segment {
    /// The whole file is shell text.
    Source,
    /// The file's text with every byte that is not shell blanked: same length, same offsets.
    Masked(String),
    /// A YAML scalar (a `run:` or `script:` item) whose value is shell text, with where
    /// its lines are written.
    Scalar(Node, ScalarMap),
}

/// Where the bytes of a scalar's value are written, worked out once per scalar so that a
/// scalar with many findings costs no search per finding.
#[derive(Debug, Clone)]
pub enum ScalarMap {
    /// The value is written verbatim from this offset (a plain scalar on one line, a quoted
    /// one without escapes).
    Verbatim(usize),
    /// A literal block (`|`): for each line of the value, its offset in the value and where
    /// it is written.
    Lines(Vec<(usize, usize)>),
    /// Neither: found by [`locate_in_scalar`].
    Search,
}

impl ScalarMap {
    fn of(source: &str, node: &Node) -> ScalarMap {
        let (Some(scalar), Some(raw)) = (node.scalar(), source.get(node.span.range())) else {
            return ScalarMap::Search;
        };
        let value = scalar.value.as_str();
        match scalar.style {
            Style::Plain if raw == value => ScalarMap::Verbatim(node.span.start),
            Style::SingleQuoted | Style::DoubleQuoted
                if raw.len() >= 2 && raw.get(1..raw.len() - 1) == Some(value) =>
            {
                ScalarMap::Verbatim(node.span.start + 1)
            }
            Style::Literal => literal_lines(raw, node.span.start, value),
            _ => ScalarMap::Search,
        }
    }

    /// The source offset of value byte `at` (`None`: not mapped).
    fn offset(&self, at: usize) -> Option<usize> {
        match self {
            ScalarMap::Verbatim(start) => Some(start + at),
            ScalarMap::Lines(lines) => {
                let i = lines.partition_point(|(v, _)| *v <= at).checked_sub(1)?;
                let (v, src) = lines.get(i)?;
                Some(src + (at - v))
            }
            ScalarMap::Search => None,
        }
    }
}

/// The line map of a literal block whose source text `raw` starts at `base`: every value
/// line must be the end of its source line (the block's indentation before it), else the
/// block is searched.
fn literal_lines(raw: &str, base: usize, value: &str) -> ScalarMap {
    let Some(header_end) = raw.find('\n') else {
        return ScalarMap::Search;
    };
    let mut lines = Vec::new();
    let mut src_lines = raw[header_end + 1..].split_inclusive('\n');
    let mut src_at = base + header_end + 1;
    let mut value_at = 0;
    for line in value.split_inclusive('\n') {
        let Some(src) = src_lines.next() else {
            return ScalarMap::Search;
        };
        let text = line.strip_suffix('\n').unwrap_or(line);
        let src_text = src.strip_suffix('\n').unwrap_or(src);
        let src_text = src_text.strip_suffix('\r').unwrap_or(src_text);
        if !src_text.ends_with(text) {
            return ScalarMap::Search;
        }
        lines.push((value_at, src_at + src_text.len() - text.len()));
        src_at += src.len();
        value_at += line.len();
    }
    ScalarMap::Lines(lines)
}

impl Segment {
    /// The shell text of the segment, given the file's text.
    pub fn text<'a>(&'a self, source: &'a str) -> &'a str {
        match self {
            Segment::Source => source,
            Segment::Masked(text) => text,
            Segment::Scalar(node, _) => node.as_str().unwrap_or(""),
        }
    }

    /// Where the bytes `range` of [`Segment::text`] are written in the file.
    pub fn span(&self, source: &str, range: Range<usize>) -> Span {
        match self {
            Segment::Source | Segment::Masked(_) => Span::from(range),
            Segment::Scalar(node, map) => {
                let value = node.as_str().unwrap_or("");
                let first = map.offset(range.start);
                let last = range.end.checked_sub(1).and_then(|l| map.offset(l));
                if let (Some(first), Some(last)) = (first, last)
                    && first <= last
                {
                    // A range within one line must read the same in the file; one over
                    // several lines runs from where its first line is written to where
                    // its last line ends.
                    let mapped = first..last + 1;
                    let wanted = value.get(range.clone());
                    if wanted.is_some_and(|w| w.contains('\n'))
                        || source.get(mapped.clone()) == wanted
                    {
                        return Span::from(mapped);
                    }
                }
                locate_in_scalar(source, node, range)
            }
        }
    }
}

/// A script file of the batch.
pub struct ScriptDoc {
    pub file: FileId,
    pub dialect: Dialect,
    pub segments: Vec<Segment>,
}

/// The shell text of a script file at `path` holding `text`.
pub fn parse(path: &Path, text: &str) -> (Dialect, Vec<Segment>) {
    let dialect = Dialect::of(path);
    let segments = match dialect {
        Dialect::Shell => vec![Segment::Source],
        Dialect::Make => vec![Segment::Masked(mask_lines(text, make_recipe_lines))],
        Dialect::Just => vec![Segment::Masked(mask_lines(text, just_recipe_lines))],
        Dialect::GithubWorkflow | Dialect::GitlabCi => {
            // Cheap test first: most pipelines never call docker.
            if !text.contains("docker") {
                return (dialect, Vec::new());
            }
            let Ok(parsed) = crate::yaml::parse(text) else {
                return (dialect, Vec::new());
            };
            let mut out = Vec::new();
            for root in parsed.root.iter().chain(&parsed.later) {
                if dialect == Dialect::GithubWorkflow {
                    github_runs(root, &mut out);
                } else {
                    gitlab_scripts(root, &mut out);
                }
            }
            out.into_iter()
                .map(|node| {
                    let map = ScalarMap::of(text, &node);
                    Segment::Scalar(node, map)
                })
                .collect()
        }
    };
    (dialect, segments)
}

/// A copy of `text` keeping only the byte ranges `keep` gives (per line: the line's text
/// and whether the previous line ended with a `\` continuation), blanking the rest with
/// spaces; line ends are kept.
fn mask_lines(text: &str, keep: fn(&str, bool, &mut LineState) -> Option<usize>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut state = LineState::default();
    let mut continued = false;
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let body_no_cr = body.strip_suffix('\r').unwrap_or(body);
        match keep(body_no_cr, continued, &mut state) {
            Some(from) if from <= body.len() && body.is_char_boundary(from) => {
                out.extend(std::iter::repeat_n(' ', from));
                out.push_str(&body[from..]);
            }
            _ => out.extend(std::iter::repeat_n(' ', body.len())),
        }
        if line.ends_with('\n') {
            out.push('\n');
        }
        continued = ends_with_continuation(body_no_cr);
    }
    out
}

/// Whether a line ends with an odd number of backslashes (a continuation).
fn ends_with_continuation(line: &str) -> bool {
    line.bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}

/// What the previous lines said about the current one.
#[derive(Default)]
struct LineState {
    /// The line continued is a recipe line (else a variable or rule line).
    recipe: bool,
    /// Inside a justfile recipe.
    in_recipe: bool,
}

/// Makefile: a recipe line starts with a tab; a line continued from one is a recipe line
/// too. Returns where its shell text starts (after the tab and `@`, `-`, `+` prefixes).
fn make_recipe_lines(line: &str, continued: bool, state: &mut LineState) -> Option<usize> {
    if continued {
        return state.recipe.then_some(0);
    }
    state.recipe = line.starts_with('\t');
    if !state.recipe {
        return None;
    }
    Some(skip_prefixes(line, 1, b"@-+"))
}

/// Justfile: the indented lines after a recipe header are its body.
fn just_recipe_lines(line: &str, continued: bool, state: &mut LineState) -> Option<usize> {
    if continued {
        return state.recipe.then_some(0);
    }
    let indented = line.starts_with([' ', '\t']);
    if !indented {
        let t = line.trim_end();
        if !t.is_empty() && !t.starts_with('#') {
            // `name args: deps` starts a recipe; `x := value`, `set …`, `alias …` do not.
            state.in_recipe = !t.contains(":=")
                && !t.starts_with("set ")
                && !t.starts_with("alias ")
                && !t.starts_with("import ")
                && !t.starts_with("mod ")
                && !t.starts_with("export ")
                && t.contains(':');
        }
        state.recipe = false;
        return None;
    }
    state.recipe = state.in_recipe;
    if !state.recipe {
        return None;
    }
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    Some(skip_prefixes(line, indent, b"@-"))
}

/// `from` moved past any of the bytes `prefixes` and blanks.
fn skip_prefixes(line: &str, from: usize, prefixes: &[u8]) -> usize {
    let b = line.as_bytes();
    let mut i = from.min(b.len());
    while i < b.len() && (prefixes.contains(&b[i]) || b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

/// The `run:` of every step of every job.
fn github_runs(root: &Node, out: &mut Vec<Node>) {
    let Some(jobs) = root.get("jobs") else {
        return;
    };
    for (_, _, job) in jobs.entries() {
        let Some(steps) = job.get("steps").and_then(Node::as_seq) else {
            continue;
        };
        for step in steps {
            if let Some(run) = step.get("run")
                && run.as_str().is_some()
            {
                out.push(run.clone());
            }
        }
    }
}

/// GitLab's keys whose value is shell: one command or a list (lists may nest).
const GITLAB_SCRIPT_KEYS: &[&str] = &["script", "before_script", "after_script"];

/// The script lines of every job, of `default:`, and the global ones.
fn gitlab_scripts(root: &Node, out: &mut Vec<Node>) {
    for (key, _, value) in root.entries() {
        if GITLAB_SCRIPT_KEYS.contains(&key) {
            script_items(value, 0, out);
        } else if value.as_map().is_some() {
            for k in GITLAB_SCRIPT_KEYS {
                if let Some(v) = value.get(k) {
                    script_items(v, 0, out);
                }
            }
        }
    }
}

fn script_items(node: &Node, depth: usize, out: &mut Vec<Node>) {
    if node.as_str().is_some() {
        out.push(node.clone());
    } else if let Some(items) = node.as_seq()
        && depth < 8
    {
        for item in items {
            script_items(item, depth + 1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell_of(path: &str, text: &str) -> Vec<String> {
        let (_, segs) = parse(Path::new(path), text);
        segs.iter().map(|s| s.text(text).to_owned()).collect()
    }

    #[test]
    fn values_are_classified_with_the_scripts_references() {
        use ValueClass::*;
        for (value, dialect, want) in [
            ("s3cr3t-Lq82", Dialect::Shell, Literal),
            ("changeme", Dialect::Shell, Placeholder),
            ("$DB_PASSWORD", Dialect::Shell, Reference),
            ("pre-${X}", Dialect::Shell, Reference),
            ("$(cat /run/secrets/x)", Dialect::Shell, Reference),
            ("`cat x`", Dialect::Shell, Reference),
            ("${DB_PASSWORD:-s3cr3t-Lq82}", Dialect::Shell, Literal),
            ("${DB_PASSWORD-changeme}", Dialect::GitlabCi, Placeholder),
            ("${DB_PASSWORD:-$OTHER}", Dialect::Shell, Reference),
            ("${DB_PASSWORD:-}", Dialect::Shell, Empty),
            ("${DB_PASSWORD:?unset}", Dialect::Shell, Reference),
            ("$$DB_PASSWORD", Dialect::Make, Reference),
            ("$(DB_PASSWORD)", Dialect::Make, Reference),
            ("${DB_PASSWORD:-x}", Dialect::Make, Reference),
            ("{{ password }}", Dialect::Just, Reference),
            ("true", Dialect::Shell, Boolean),
        ] {
            assert_eq!(value_class(value, dialect), want, "{value}");
        }
    }

    #[test]
    fn makefile_recipes_are_kept_in_place() {
        let text = "SRCS = a.c \\\n\tb.c\nrun: build\n\t@docker run -e A=1 \\\n  img\n# c\n";
        let got = shell_of("Makefile", text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].len(), text.len());
        assert_eq!(
            got[0],
            "            \n    \n          \n  docker run -e A=1 \\\n  img\n   \n"
        );
    }

    #[test]
    fn justfile_bodies_are_kept() {
        let text = "set shell := [\"bash\", \"-c\"]\nversion := \"1\"\n\ndeploy env:\n    @docker login -p x\n";
        let got = shell_of("justfile", text);
        assert!(got[0].ends_with("     docker login -p x\n"), "{got:?}");
        assert!(!got[0].contains("bash"));
    }

    #[test]
    fn ci_files_give_their_script_scalars() {
        let gh = "on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          docker build .\n";
        assert_eq!(
            shell_of("repo/.github/workflows/ci.yml", gh),
            ["docker build .\n"]
        );
        let gl = "default:\n  before_script: [docker info]\nbuild:\n  script:\n    - docker build .\n    - [echo docker]\n";
        assert_eq!(
            shell_of(".gitlab-ci.yml", gl),
            ["docker info", "docker build .", "echo docker"]
        );
        assert!(shell_of(".gitlab-ci.yml", "a: [docker\n").is_empty());
    }

    #[test]
    fn scalar_spans_map_back_to_the_file() {
        let text = "jobs:\n  a:\n    steps:\n      - run: |\r\n          echo x\r\n\r\n          docker login -p pw1 r\r\n      - run: docker login -p pw2 r\n      - run: \"docker login -p pw3 r\"\n      - run: >\n          docker login\n          -p pw4 r\n";
        let (_, segs) = parse(Path::new(".github/workflows/x.yml"), text);
        assert_eq!(segs.len(), 4);
        for (seg, pw) in segs.iter().zip(["pw1", "pw2", "pw3", "pw4"]) {
            let value = seg.text(text);
            let at = value.find(pw).expect("in the value");
            let span = seg.span(text, at..at + pw.len());
            assert_eq!(&text[span.range()], pw);
        }
        assert!(matches!(&segs[0], Segment::Scalar(_, ScalarMap::Lines(_))));
        assert!(matches!(
            &segs[1],
            Segment::Scalar(_, ScalarMap::Verbatim(_))
        ));
        assert!(matches!(
            &segs[2],
            Segment::Scalar(_, ScalarMap::Verbatim(_))
        ));
        assert!(matches!(&segs[3], Segment::Scalar(_, ScalarMap::Search)));
    }
}
