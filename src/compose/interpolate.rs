//! Compose variable interpolation (compose-spec "Interpolation").
//!
//! Parses the `$NAME` / `${NAME}` / `${NAME<op>arg}` syntax used in Compose
//! files (and in `.env` files read by Compose) into a small AST with byte
//! ranges, and resolves it against a lookup function.
//!
//! # Syntax accepted
//!
//! * `$$` is an escaped, literal `$`. It becomes its own [`Part::Literal`]
//!   with text `"$"` and a two-byte range covering both characters.
//! * `$NAME` (unbraced): `NAME` is `[A-Za-z_][A-Za-z0-9_]*`, matched greedily.
//! * `${NAME}`, and `${NAME<op>arg}` with `<op>` one of `:-`, `-`, `:?`, `?`,
//!   `:+`, `+` (see [`Op`]). `arg` may itself contain `$$`, `$NAME` and
//!   nested `${...}`; it ends at the first `}` that is not part of a nested
//!   reference. There is no way to write a literal `}` inside `arg`
//!   (this matches Compose).
//! * A `$` that is followed by anything other than `$`, `{` or a name-start
//!   character (including end of input) is kept as a literal `$`.
//!   *Decision:* Compose v2 is lenient here too; treating it as literal avoids
//!   false errors on values such as `price: 5$` or `regex: ^a$`.
//!
//! # Errors
//!
//! * `${` with no name (`${}`, `${:-x}`) or with an invalid character after
//!   the name (`${A B}`, `${A!}`) → error.
//! * `${` without the closing `}` → error ("unterminated").
//! * Nesting deeper than [`MAX_DEPTH`] → error (never a stack overflow).
//!
//! All ranges are byte ranges into the parsed string. Every special character
//! is ASCII, so every range boundary is a valid `char` boundary.

use std::fmt;
use std::ops::Range;

/// Maximum nesting depth of `${...}` inside default/alternate/error arguments.
pub const MAX_DEPTH: usize = 64;

/// One piece of an interpolated string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text. `text` is the text after unescaping (`$$` → `$`);
    /// `range` covers the raw source (so for `$$`, `text.len() != range.len()`).
    Literal { text: String, range: Range<usize> },
    /// A variable reference.
    Var(VarRef),
}

/// A `$NAME` or `${NAME...}` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    pub name: String,
    pub name_range: Range<usize>,
    /// Whole reference: `${...}` including braces, or `$NAME`.
    pub range: Range<usize>,
    pub braced: bool,
    pub op: Option<Op>,
    /// Default / alternate value / error message (present iff `op` is).
    /// May be empty (`${A:-}` → `Some(vec![])`).
    pub arg: Option<Vec<Part>>,
    /// Raw range of the argument (between the operator and the closing `}`).
    pub arg_range: Option<Range<usize>>,
}

/// Interpolation operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `${VAR:-default}`: default if unset or empty.
    DefaultIfUnsetOrEmpty,
    /// `${VAR-default}`: default if unset.
    DefaultIfUnset,
    /// `${VAR:?err}`: error if unset or empty.
    ErrorIfUnsetOrEmpty,
    /// `${VAR?err}`: error if unset.
    ErrorIfUnset,
    /// `${VAR:+alt}`: `alt` if set and non-empty, else empty.
    AltIfSetAndNonEmpty,
    /// `${VAR+alt}`: `alt` if set, else empty.
    AltIfSet,
}

impl Op {
    /// The operator as written in source.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::DefaultIfUnsetOrEmpty => ":-",
            Op::DefaultIfUnset => "-",
            Op::ErrorIfUnsetOrEmpty => ":?",
            Op::ErrorIfUnset => "?",
            Op::AltIfSetAndNonEmpty => ":+",
            Op::AltIfSet => "+",
        }
    }

    /// `:-` or `-`.
    pub fn is_default(self) -> bool {
        matches!(self, Op::DefaultIfUnsetOrEmpty | Op::DefaultIfUnset)
    }

    /// `:?` or `?`.
    pub fn is_error(self) -> bool {
        matches!(self, Op::ErrorIfUnsetOrEmpty | Op::ErrorIfUnset)
    }

    /// `:+` or `+`.
    pub fn is_alt(self) -> bool {
        matches!(self, Op::AltIfSetAndNonEmpty | Op::AltIfSet)
    }
}

/// A syntax error in an interpolated string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterpolationError {
    pub message: String,
    /// Byte range of the offending construct.
    pub range: Range<usize>,
}

impl fmt::Display for InterpolationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (bytes {}..{})",
            self.message, self.range.start, self.range.end
        )
    }
}

impl std::error::Error for InterpolationError {}

/// Why [`resolve`] could not produce a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnresolvedKind {
    /// The variable is unset (or, for `${VAR}` / `$VAR`, has no value) and
    /// the reference has no default.
    Unset,
    /// `${VAR:?message}` / `${VAR?message}` triggered; `message` is the
    /// resolved message text (may be empty).
    Required { message: String },
    /// The string is not valid interpolation syntax; `name` is empty.
    Syntax(InterpolationError),
}

/// Returned by [`resolve`]: names the first variable that has no value and
/// no default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// Variable name (empty for [`UnresolvedKind::Syntax`]).
    pub name: String,
    /// Range of the whole reference (or of the syntax error).
    pub range: Range<usize>,
    pub kind: UnresolvedKind,
}

impl fmt::Display for Unresolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            UnresolvedKind::Unset => write!(f, "variable `{}` is not set", self.name),
            UnresolvedKind::Required { message } if message.is_empty() => {
                write!(f, "required variable `{}` is missing a value", self.name)
            }
            UnresolvedKind::Required { message } => {
                write!(
                    f,
                    "required variable `{}` is missing a value: {}",
                    self.name, message
                )
            }
            UnresolvedKind::Syntax(e) => write!(f, "invalid interpolation: {e}"),
        }
    }
}

impl std::error::Error for Unresolved {}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn slice(&self, r: Range<usize>) -> &'a str {
        self.src.get(r).unwrap_or("")
    }

    /// Parse a sequence of parts. At depth 0 runs to end of input; inside an
    /// argument (`depth > 0`) stops before an unmatched `}`.
    fn parse_parts(&mut self, depth: usize) -> Result<Vec<Part>, InterpolationError> {
        let mut parts = Vec::new();
        let mut lit_start = self.pos;
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            if b == b'}' && depth > 0 {
                break;
            }
            if b != b'$' {
                self.pos += 1;
                continue;
            }
            // b == '$'
            let next = self.bytes.get(self.pos + 1).copied();
            match next {
                Some(b'$') => {
                    self.flush_literal(&mut parts, lit_start);
                    parts.push(Part::Literal {
                        text: "$".to_string(),
                        range: self.pos..self.pos + 2,
                    });
                    self.pos += 2;
                    lit_start = self.pos;
                }
                Some(b'{') => {
                    self.flush_literal(&mut parts, lit_start);
                    let v = self.parse_braced(depth)?;
                    parts.push(Part::Var(v));
                    lit_start = self.pos;
                }
                Some(c) if is_name_start(c) => {
                    self.flush_literal(&mut parts, lit_start);
                    let start = self.pos;
                    let name_start = self.pos + 1;
                    let mut end = name_start;
                    while end < self.bytes.len() && is_name_char(self.bytes[end]) {
                        end += 1;
                    }
                    parts.push(Part::Var(VarRef {
                        name: self.slice(name_start..end).to_string(),
                        name_range: name_start..end,
                        range: start..end,
                        braced: false,
                        op: None,
                        arg: None,
                        arg_range: None,
                    }));
                    self.pos = end;
                    lit_start = self.pos;
                }
                _ => {
                    // Lone `$`: literal, part of the current literal run.
                    self.pos += 1;
                }
            }
        }
        self.flush_literal(&mut parts, lit_start);
        Ok(parts)
    }

    fn flush_literal(&self, parts: &mut Vec<Part>, start: usize) {
        if start < self.pos {
            parts.push(Part::Literal {
                text: self.slice(start..self.pos).to_string(),
                range: start..self.pos,
            });
        }
    }

    /// At `${`. Parses through the closing `}`.
    fn parse_braced(&mut self, depth: usize) -> Result<VarRef, InterpolationError> {
        let start = self.pos;
        if depth >= MAX_DEPTH {
            return Err(InterpolationError {
                message: format!("interpolation nested deeper than {MAX_DEPTH} levels"),
                range: start..self.bytes.len(),
            });
        }
        let name_start = start + 2;
        let mut p = name_start;
        while p < self.bytes.len() && is_name_char(self.bytes[p]) {
            p += 1;
        }
        let name_end = p;
        let unterminated = |end: usize| InterpolationError {
            message: "unterminated variable reference: missing `}`".to_string(),
            range: start..end,
        };
        if name_end == name_start || !is_name_start(self.bytes[name_start]) {
            if name_start >= self.bytes.len() {
                return Err(unterminated(self.bytes.len()));
            }
            let end = self.char_end(name_start);
            let message = if self.bytes[name_start] == b'}' {
                "empty variable name in `${}`".to_string()
            } else {
                format!(
                    "invalid variable name in `${{...}}` (unexpected `{}`)",
                    self.slice(name_start..end)
                )
            };
            return Err(InterpolationError {
                message,
                range: start..end,
            });
        }
        let name = self.slice(name_start..name_end).to_string();
        let Some(&c) = self.bytes.get(p) else {
            return Err(unterminated(self.bytes.len()));
        };
        if c == b'}' {
            self.pos = p + 1;
            return Ok(VarRef {
                name,
                name_range: name_start..name_end,
                range: start..self.pos,
                braced: true,
                op: None,
                arg: None,
                arg_range: None,
            });
        }
        let colon = c == b':';
        let op_pos = if colon { p + 1 } else { p };
        let op = match (colon, self.bytes.get(op_pos).copied()) {
            (true, Some(b'-')) => Op::DefaultIfUnsetOrEmpty,
            (true, Some(b'?')) => Op::ErrorIfUnsetOrEmpty,
            (true, Some(b'+')) => Op::AltIfSetAndNonEmpty,
            (false, Some(b'-')) => Op::DefaultIfUnset,
            (false, Some(b'?')) => Op::ErrorIfUnset,
            (false, Some(b'+')) => Op::AltIfSet,
            (_, None) => return Err(unterminated(self.bytes.len())),
            _ => {
                let at = if colon { op_pos } else { p };
                let end = self.char_end(at);
                return Err(InterpolationError {
                    message: format!(
                        "invalid character `{}` in variable reference `${{{}...}}`",
                        self.slice(at..end),
                        name
                    ),
                    range: start..end,
                });
            }
        };
        let arg_start = op_pos + 1;
        self.pos = arg_start;
        let arg = self.parse_parts(depth + 1)?;
        if self.pos >= self.bytes.len() {
            return Err(unterminated(self.bytes.len()));
        }
        // self.bytes[self.pos] == b'}'
        let arg_end = self.pos;
        self.pos += 1;
        Ok(VarRef {
            name,
            name_range: name_start..name_end,
            range: start..self.pos,
            braced: true,
            op: Some(op),
            arg: Some(arg),
            arg_range: Some(arg_start..arg_end),
        })
    }

    /// End byte of the char starting at `at` (for error ranges).
    fn char_end(&self, at: usize) -> usize {
        let mut e = at + 1;
        while e < self.bytes.len() && !self.src.is_char_boundary(e) {
            e += 1;
        }
        e.min(self.bytes.len())
    }
}

/// Parse an interpolated string into parts.
pub fn parse(s: &str) -> Result<Vec<Part>, InterpolationError> {
    let mut p = Parser {
        src: s,
        bytes: s.as_bytes(),
        pos: 0,
    };
    p.parse_parts(0)
}

/// Resolve `s` with `lookup` (returns `None` for an unset variable).
///
/// Semantics follow the compose-spec:
/// `${V}`/`$V` → value, or `Unresolved` if unset;
/// `:-`/`-` → default if unset-or-empty / unset; `:?`/`?` → `Unresolved`
/// with [`UnresolvedKind::Required`]; `:+`/`+` → alternate or empty.
/// Arguments are evaluated lazily (an unset variable in an unused default
/// is not an error). A syntax error yields [`UnresolvedKind::Syntax`].
pub fn resolve(s: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, Unresolved> {
    let parts = parse(s).map_err(|e| Unresolved {
        name: String::new(),
        range: e.range.clone(),
        kind: UnresolvedKind::Syntax(e),
    })?;
    resolve_parts(&parts, lookup)
}

/// Resolve already-parsed parts (see [`resolve`]).
pub fn resolve_parts(
    parts: &[Part],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Unresolved> {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Literal { text, .. } => out.push_str(text),
            Part::Var(v) => out.push_str(&resolve_var(v, lookup)?),
        }
    }
    Ok(out)
}

fn resolve_var(v: &VarRef, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, Unresolved> {
    let value = lookup(&v.name);
    let arg = || resolve_parts(v.arg.as_deref().unwrap_or(&[]), lookup);
    let unset = |kind| Unresolved {
        name: v.name.clone(),
        range: v.range.clone(),
        kind,
    };
    let set = value.is_some();
    let non_empty = value.as_deref().is_some_and(|x| !x.is_empty());
    match v.op {
        None => value.ok_or_else(|| unset(UnresolvedKind::Unset)),
        Some(Op::DefaultIfUnsetOrEmpty) if non_empty => Ok(value.unwrap_or_default()),
        Some(Op::DefaultIfUnset) if set => Ok(value.unwrap_or_default()),
        Some(Op::DefaultIfUnsetOrEmpty | Op::DefaultIfUnset) => arg(),
        Some(Op::ErrorIfUnsetOrEmpty) if non_empty => Ok(value.unwrap_or_default()),
        Some(Op::ErrorIfUnset) if set => Ok(value.unwrap_or_default()),
        Some(Op::ErrorIfUnsetOrEmpty | Op::ErrorIfUnset) => {
            // A message that itself fails to resolve is reported as empty.
            let message = arg().unwrap_or_default();
            Err(unset(UnresolvedKind::Required { message }))
        }
        Some(Op::AltIfSetAndNonEmpty) if non_empty => arg(),
        Some(Op::AltIfSet) if set => arg(),
        Some(Op::AltIfSetAndNonEmpty | Op::AltIfSet) => Ok(String::new()),
    }
}

/// `Some(text with $$ → $)` if `s` parses and contains no variable references
/// at all; `None` if it contains any reference or is not valid syntax.
pub fn unescape_literal(s: &str) -> Option<String> {
    let parts = parse(s).ok()?;
    let mut out = String::with_capacity(s.len());
    for p in &parts {
        match p {
            Part::Literal { text, .. } => out.push_str(text),
            Part::Var(_) => return None,
        }
    }
    Some(out)
}

/// All variable references in `parts`, depth-first (outer before nested),
/// including references inside arguments.
pub fn collect_vars(parts: &[Part]) -> Vec<&VarRef> {
    let mut out = Vec::new();
    let mut stack: Vec<&[Part]> = vec![parts];
    // Iterative to stay safe on deep input; order: pre-order per level.
    while let Some(level) = stack.pop() {
        let mut nested: Vec<&[Part]> = Vec::new();
        for p in level {
            if let Part::Var(v) = p {
                out.push(v);
                if let Some(a) = &v.arg {
                    nested.push(a);
                }
            }
        }
        stack.extend(nested.into_iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(p: &Part) -> (&str, Range<usize>) {
        match p {
            Part::Literal { text, range } => (text.as_str(), range.clone()),
            Part::Var(v) => panic!("expected literal, got {v:?}"),
        }
    }

    fn var(p: &Part) -> &VarRef {
        match p {
            Part::Var(v) => v,
            Part::Literal { .. } => panic!("expected var, got {p:?}"),
        }
    }

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn default_if_unset_or_empty() {
        let s = "${DB_PASSWORD:-hunter2}";
        let parts = parse(s).unwrap();
        assert_eq!(parts.len(), 1);
        let v = var(&parts[0]);
        assert_eq!(v.name, "DB_PASSWORD");
        assert_eq!(&s[v.name_range.clone()], "DB_PASSWORD");
        assert_eq!(v.range, 0..s.len());
        assert!(v.braced);
        assert_eq!(v.op, Some(Op::DefaultIfUnsetOrEmpty));
        assert_eq!(&s[v.arg_range.clone().unwrap()], "hunter2");
        let arg = v.arg.as_ref().unwrap();
        assert_eq!(lit(&arg[0]).0, "hunter2");
        assert_eq!(resolve(s, &env(&[])).unwrap(), "hunter2");
        assert_eq!(resolve(s, &env(&[("DB_PASSWORD", "")])).unwrap(), "hunter2");
        assert_eq!(resolve(s, &env(&[("DB_PASSWORD", "x")])).unwrap(), "x");
    }

    #[test]
    fn default_if_unset() {
        let s = "${X-default}";
        let v = var(&parse(s).unwrap()[0]).clone();
        assert_eq!(v.op, Some(Op::DefaultIfUnset));
        assert_eq!(&s[v.arg_range.unwrap()], "default");
        assert_eq!(resolve(s, &env(&[])).unwrap(), "default");
        assert_eq!(resolve(s, &env(&[("X", "")])).unwrap(), "");
    }

    #[test]
    fn error_ops() {
        let s = "${X:?required}";
        let v = var(&parse(s).unwrap()[0]).clone();
        assert_eq!(v.op, Some(Op::ErrorIfUnsetOrEmpty));
        let e = resolve(s, &env(&[])).unwrap_err();
        assert_eq!(e.name, "X");
        assert_eq!(
            e.kind,
            UnresolvedKind::Required {
                message: "required".into()
            }
        );
        assert!(resolve(s, &env(&[("X", "")])).is_err());
        assert_eq!(resolve("${X?m}", &env(&[("X", "")])).unwrap(), "");
        assert!(resolve("${X?m}", &env(&[])).is_err());
        assert_eq!(resolve("${X:?}", &env(&[("X", "v")])).unwrap(), "v");
    }

    #[test]
    fn alt_ops() {
        let s = "${X:+alt}";
        assert_eq!(var(&parse(s).unwrap()[0]).op, Some(Op::AltIfSetAndNonEmpty));
        assert_eq!(resolve(s, &env(&[])).unwrap(), "");
        assert_eq!(resolve(s, &env(&[("X", "")])).unwrap(), "");
        assert_eq!(resolve(s, &env(&[("X", "1")])).unwrap(), "alt");
        assert_eq!(resolve("${X+alt}", &env(&[("X", "")])).unwrap(), "alt");
        assert_eq!(resolve("${X+alt}", &env(&[])).unwrap(), "");
    }

    #[test]
    fn escaped_dollar() {
        let s = "$$ecret";
        let parts = parse(s).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(lit(&parts[0]), ("$", 0..2));
        assert_eq!(lit(&parts[1]), ("ecret", 2..7));
        assert_eq!(unescape_literal(s).as_deref(), Some("$ecret"));

        let s = "pa$$word";
        let parts = parse(s).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(lit(&parts[1]), ("$", 2..4));
        assert_eq!(unescape_literal(s).as_deref(), Some("pa$word"));
        assert_eq!(resolve(s, &env(&[])).unwrap(), "pa$word");
        assert_eq!(unescape_literal("$$$$").as_deref(), Some("$$"));
    }

    #[test]
    fn nested_default() {
        let s = "${A:-${B:-c}}";
        let parts = parse(s).unwrap();
        let a = var(&parts[0]);
        assert_eq!(a.range, 0..s.len());
        let arg = a.arg.as_ref().unwrap();
        let b = var(&arg[0]);
        assert_eq!(b.name, "B");
        assert_eq!(&s[b.range.clone()], "${B:-c}");
        assert_eq!(&s[b.arg_range.clone().unwrap()], "c");
        assert_eq!(resolve(s, &env(&[])).unwrap(), "c");
        assert_eq!(resolve(s, &env(&[("B", "b")])).unwrap(), "b");
        assert_eq!(resolve(s, &env(&[("A", "a")])).unwrap(), "a");
        assert_eq!(collect_vars(&parts).len(), 2);
        // Unused default with unset var is not an error (lazy).
        assert_eq!(resolve("${A:-$Z}", &env(&[("A", "a")])).unwrap(), "a");
        assert_eq!(resolve("${A:-$Z}", &env(&[])).unwrap_err().name, "Z");
    }

    #[test]
    fn unbraced() {
        let s = "$HOME/x";
        let parts = parse(s).unwrap();
        let v = var(&parts[0]);
        assert_eq!(v.name, "HOME");
        assert_eq!(v.range, 0..5);
        assert!(!v.braced);
        assert_eq!(lit(&parts[1]), ("/x", 5..7));
        assert_eq!(resolve(s, &env(&[("HOME", "/h")])).unwrap(), "/h/x");
        let e = resolve(s, &env(&[])).unwrap_err();
        assert_eq!(e.name, "HOME");
        assert_eq!(e.kind, UnresolvedKind::Unset);
        assert_eq!(unescape_literal(s), None);
        // Unbraced name stops at non-name chars; `$A-b` is not an operator.
        let parts = parse("$A-b").unwrap();
        assert_eq!(var(&parts[0]).name, "A");
        assert_eq!(lit(&parts[1]).0, "-b");
    }

    #[test]
    fn lone_dollar_is_literal() {
        for s in ["$", "a$", "5$ each", "$ x", "$1", "^a$", "$-", "$é"] {
            let parts = parse(s).unwrap();
            assert_eq!(unescape_literal(s).as_deref(), Some(s), "{s}");
            assert!(parts.iter().all(|p| matches!(p, Part::Literal { .. })));
        }
    }

    #[test]
    fn errors() {
        let e = parse("${}").unwrap_err();
        assert_eq!(e.range, 0..3);
        assert!(e.message.contains("empty"));
        let e = parse("${X").unwrap_err();
        assert!(e.message.contains("unterminated"));
        assert_eq!(e.range, 0..3);
        assert!(parse("${X:-abc").is_err());
        assert!(parse("${X:").is_err());
        assert!(parse("${").is_err());
        assert!(parse("a ${:-x}").is_err());
        assert!(parse("${A B}").is_err());
        assert!(parse("${A!}").is_err());
        assert!(parse("${A:x}").is_err());
        assert!(parse("${1A}").is_err());
        assert!(parse("${é}").is_err());
        let e = parse("ok ${A:é}").unwrap_err();
        assert_eq!(e.range, 3..9);
        assert_eq!(unescape_literal("${"), None);
        assert!(matches!(
            resolve("${", &env(&[])).unwrap_err().kind,
            UnresolvedKind::Syntax(_)
        ));
    }

    #[test]
    fn unicode_around() {
        let s = "ünï ${NAME:-défaut} ☃$$€ $X";
        let parts = parse(s).unwrap();
        assert_eq!(lit(&parts[0]).0, "ünï ");
        let v = var(&parts[1]);
        assert_eq!(&s[v.range.clone()], "${NAME:-défaut}");
        assert_eq!(&s[v.arg_range.clone().unwrap()], "défaut");
        assert_eq!(resolve(s, &env(&[("X", "x")])).unwrap(), "ünï défaut ☃$€ x");
    }

    #[test]
    fn hostile_input_does_not_overflow() {
        let s = "${".repeat(10_000);
        assert!(parse(&s).is_err());
        let s = "${A:-".repeat(10_000);
        let e = parse(&s).unwrap_err();
        assert!(e.message.contains("nested"));
        let mut s = "${A:-".repeat(MAX_DEPTH);
        s.push('x');
        s.push_str(&"}".repeat(MAX_DEPTH));
        assert_eq!(resolve(&s, &env(&[])).unwrap(), "x");
        let mut s = "${A:-".repeat(MAX_DEPTH + 1);
        s.push_str(&"}".repeat(MAX_DEPTH + 1));
        assert!(parse(&s).is_err());
        let s = "$".repeat(10_001);
        assert_eq!(unescape_literal(&s).unwrap().len(), 5_001);
        let s = "}".repeat(100);
        assert_eq!(unescape_literal(&s).as_deref(), Some(s.as_str()));
    }

    #[test]
    fn empty_and_multiple() {
        assert!(parse("").unwrap().is_empty());
        let s = "${A}${B:-}x";
        let parts = parse(s).unwrap();
        assert_eq!(parts.len(), 3);
        let b = var(&parts[1]);
        assert_eq!(b.arg.as_ref().unwrap().len(), 0);
        assert_eq!(b.arg_range.clone().unwrap(), 9..9);
        assert_eq!(resolve(s, &env(&[("A", "a")])).unwrap(), "ax");
    }

    #[test]
    fn ranges_are_char_boundaries_on_garbage() {
        let inputs = [
            "$",
            "${",
            "$${",
            "${$",
            "${A:-$",
            "${A:-${",
            "}{$}",
            "€${A:-€}€",
            "${A:-}}}",
        ];
        for s in inputs {
            match parse(s) {
                Ok(parts) => {
                    for p in &parts {
                        let r = match p {
                            Part::Literal { range, .. } => range.clone(),
                            Part::Var(v) => v.range.clone(),
                        };
                        assert!(s.get(r).is_some(), "{s}");
                    }
                }
                Err(e) => assert!(s.get(e.range.clone()).is_some(), "{s}"),
            }
        }
    }
}
