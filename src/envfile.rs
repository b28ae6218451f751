//! `.env` file parsing with Docker Compose's dotenv rules.
//!
//! Behaviour follows compose-go's `dotenv` parser (the one `docker compose`
//! uses for `env_file:` and the project `.env`), with error recovery added:
//! instead of stopping at the first error, the offending line is reported
//! and parsing resumes on the next line. [`parse`] never panics.
//!
//! # Rules
//!
//! * A UTF-8 BOM at the start is skipped (ranges stay relative to the input).
//! * Blank lines and lines whose first non-blank character is `#` are skipped.
//! * Optional `export ` prefix (`export` followed by space/tab).
//! * `KEY=VALUE`; whitespace around the key and after `=` is ignored.
//! * `KEY` alone on a line → "inherit from the environment": `value: None`.
//! * Key characters: Unicode letters/digits and `_ . - [ ]` (what compose-go
//!   accepts). Anything else → error. A key containing a space → error.
//!   A line starting with `=` (empty key) → error.
//! * Unquoted value: runs to end of line; an inline comment starts at a `#`
//!   preceded by a space or tab; trailing whitespace (incl. `\r`) is trimmed.
//!   A value that *starts* with `#` (`KEY=#x`, `KEY= #x`) is the literal `#x`
//!   (compose-go trims the leading blanks before looking for ` #`).
//! * Single-quoted value: literal, may span lines. Only `\'` is an escape
//!   (→ `'`); every other backslash is kept verbatim.
//! * Double-quoted value: may span lines; `\n` → LF, `\r` → CR, `\$` is kept
//!   as the two characters `\$`, and any other `\X` → `X` (so `\"` → `"`,
//!   `\\` → `\`, and — as in compose-go — `\t` → `t`; a backslash before a
//!   line break or a non-ASCII char is dropped).
//! * Inside quoted values, CRLF line breaks are normalised to LF
//!   (*decision*: a Windows-edited multi-line key should not carry `\r`).
//! * After a closing quote, only blanks and an optional `# comment` may
//!   follow; other text → error (the entry itself is still returned).
//! * Unterminated quote → error; parsing resumes on the line after the
//!   opening quote, no entry is produced.
//! * `KEY: VALUE` (YAML style). *Decision / deviation from the brief:*
//!   compose-go **accepts** `:` as a separator (its parser has an explicit
//!   "yaml-style value declaration" case), so the entry IS returned (a
//!   secret written that way is really loaded by Compose) *and* an
//!   [`EnvError`] is reported saying the `:` form is non-portable. A caller
//!   that wants "error only" can drop entries whose line has an error.
//!
//! Values are returned after quote/escape processing but **before** variable
//! interpolation. Compose interpolates unquoted and double-quoted values
//! (`$$` → `$`, `${VAR}` …) but not single-quoted ones; see
//! [`EnvEntry::is_interpolated`].

use std::ops::Range;

use crate::detect::classify::{ValueClass, classify_value, is_secret_name};

/// How a value was quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    None,
    Single,
    Double,
}

/// One `KEY[=VALUE]` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub key: String,
    pub key_range: Range<usize>,
    /// `None` for a bare `KEY` (inherit from the environment).
    pub value: Option<String>,
    /// Raw value range in the source, quotes included. For `KEY=` it is an
    /// empty range just after the `=` (and blanks).
    pub value_range: Option<Range<usize>>,
    pub quote: Quote,
    /// 1-based line of the key.
    pub line: usize,
}

impl EnvEntry {
    /// What the value is, by the value classifier every rule shares; a single-quoted value
    /// is not interpolated, so a `$` in it is literal text. `None` for a bare `KEY`.
    pub fn value_class(&self) -> Option<ValueClass> {
        let value = self.value.as_deref()?;
        Some(if self.quote == Quote::Single && value.contains('$') {
            ValueClass::Literal
        } else {
            classify_value(value)
        })
    }

    /// Whether the entry sets a secret-named variable to a literal value (or a
    /// placeholder): what makes an env file hold a secret.
    pub fn holds_secret(&self) -> bool {
        is_secret_name(&self.key)
            && matches!(
                self.value_class(),
                Some(ValueClass::Literal | ValueClass::Placeholder)
            )
    }

    /// Whether Compose applies `${VAR}` / `$$` interpolation to this value
    /// (true unless single-quoted).
    pub fn is_interpolated(&self) -> bool {
        self.quote != Quote::Single
    }
}

/// A parse error. Parsing continues after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError {
    pub message: String,
    pub range: Range<usize>,
    /// 1-based line of `range.start`.
    pub line: usize,
    /// Whether Docker Compose refuses the file for it ("failed to read app.env: line 2:
    /// unterminated quoted value"); it reads past the others (`=4`, `KEY: value`, text
    /// after a closing quote).
    pub refused: bool,
}

struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            src.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines { starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

struct P<'a> {
    src: &'a str,
    b: &'a [u8],
    lines: Lines,
    entries: Vec<EnvEntry>,
    errors: Vec<EnvError>,
}

impl<'a> P<'a> {
    fn s(&self, r: Range<usize>) -> &'a str {
        self.src.get(r).unwrap_or("")
    }

    fn eol(&self, from: usize) -> usize {
        self.b
            .get(from..)
            .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
            .map_or(self.b.len(), |p| from + p)
    }

    /// Position just after the end of the line containing `from`.
    fn next_line(&self, from: usize) -> usize {
        (self.eol(from) + 1).min(self.b.len())
    }

    fn char_end(&self, at: usize) -> usize {
        let mut e = at + 1;
        while e < self.b.len() && !self.src.is_char_boundary(e) {
            e += 1;
        }
        e.min(self.b.len())
    }

    fn error(&mut self, message: String, range: Range<usize>) {
        self.push_error(message, range, false);
    }

    /// An error for which Docker Compose refuses the file.
    fn refusal(&mut self, message: String, range: Range<usize>) {
        self.push_error(message, range, true);
    }

    fn push_error(&mut self, message: String, range: Range<usize>, refused: bool) {
        let line = self.lines.line_of(range.start);
        self.errors.push(EnvError {
            message,
            range,
            line,
            refused,
        });
    }

    fn run(&mut self) {
        let mut pos = if self.src.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        while pos < self.b.len() {
            let c = self.b[pos];
            if c == b'\n' || is_blank(c) {
                pos += 1;
                continue;
            }
            if c == b'#' {
                pos = self.next_line(pos);
                continue;
            }
            pos = self.statement(pos);
        }
    }

    /// Parse one statement starting at a non-blank, non-comment char.
    /// Returns where to continue.
    fn statement(&mut self, start: usize) -> usize {
        let mut pos = start;
        if let Some(rest) = self.b.get(pos..)
            && rest.starts_with(b"export")
            && rest.get(6).is_some_and(|&c| c == b' ' || c == b'\t')
        {
            pos += 6;
            while pos < self.b.len() && is_blank(self.b[pos]) {
                pos += 1;
            }
        }
        let key_start = pos;
        let mut i = pos;
        let mut sep = None;
        while i < self.b.len() {
            let c = self.b[i];
            match c {
                b'=' | b':' | b'\n' => {
                    sep = Some(c);
                    break;
                }
                _ if is_blank(c) => i += 1,
                b'_' | b'.' | b'-' | b'[' | b']' => i += 1,
                _ if c.is_ascii_alphanumeric() => i += 1,
                _ => {
                    let e = self.char_end(i);
                    let ch = self.s(i..e);
                    if ch.chars().next().is_some_and(char::is_alphanumeric) {
                        i = e;
                        continue;
                    }
                    let shown = self.s(key_start..i).trim_end().to_string();
                    self.refusal(
                        format!(
                            "unexpected character {ch:?} in variable name {shown:?}{}",
                            if shown.is_empty() { "" } else { "…" }
                        ),
                        i..e,
                    );
                    return self.next_line(start);
                }
            }
        }
        let mut key_end = i;
        while key_end > key_start && is_blank(self.b[key_end - 1]) {
            key_end -= 1;
        }
        let key = self.s(key_start..key_end).to_string();
        let key_range = key_start..key_end;
        if key.is_empty() {
            self.error(
                "missing variable name before `=`".to_string(),
                start..self.char_end(start),
            );
            return self.next_line(start);
        }
        if key.bytes().any(is_blank) {
            self.refusal(
                "variable name cannot contain a space".to_string(),
                key_range,
            );
            return self.next_line(start);
        }
        let line = self.lines.line_of(key_start);
        match sep {
            None | Some(b'\n') => {
                self.entries.push(EnvEntry {
                    key,
                    key_range,
                    value: None,
                    value_range: None,
                    quote: Quote::None,
                    line,
                });
                return (i + 1).min(self.b.len());
            }
            Some(b':') => {
                self.error(
                    format!(
                        "`{key}: value` (YAML-style separator) is accepted by Docker Compose \
                         but not by other dotenv tools; use `{key}=value`"
                    ),
                    i..i + 1,
                );
            }
            _ => {}
        }
        let mut v = i + 1;
        while v < self.b.len() && is_blank(self.b[v]) {
            v += 1;
        }
        match self.b.get(v) {
            Some(&q) if q == b'"' || q == b'\'' => self.quoted(key, key_range, line, v, q),
            _ => {
                let end = self.eol(v);
                let mut vend = end;
                let mut k = v + 1;
                while k < end {
                    if self.b[k] == b'#' && matches!(self.b[k - 1], b' ' | b'\t') {
                        vend = k;
                        break;
                    }
                    k += 1;
                }
                vend = vend.max(v);
                while vend > v && is_blank(self.b[vend - 1]) {
                    vend -= 1;
                }
                self.entries.push(EnvEntry {
                    key,
                    key_range,
                    value: Some(self.s(v..vend).to_string()),
                    value_range: Some(v..vend),
                    quote: Quote::None,
                    line,
                });
                (end + 1).min(self.b.len())
            }
        }
    }

    fn quoted(
        &mut self,
        key: String,
        key_range: Range<usize>,
        line: usize,
        open: usize,
        q: u8,
    ) -> usize {
        let mut out: Vec<u8> = Vec::new();
        let mut i = open + 1;
        let mut close = None;
        while i < self.b.len() {
            let c = self.b[i];
            if c == b'\\' && i + 1 < self.b.len() {
                let n = self.b[i + 1];
                if q == b'\'' {
                    if n == b'\'' {
                        out.push(b'\'');
                    } else {
                        out.push(b'\\');
                        // `n` handled on the next iteration unless it is a
                        // backslash, which compose-go also consumes as a pair.
                        if n != b'\\' {
                            i += 1;
                            continue;
                        }
                        out.push(b'\\');
                    }
                } else {
                    match n {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b'$' => out.extend_from_slice(b"\\$"),
                        b'\r' | b'\n' | 0x80..=0xff => {
                            // `\<newline>` / `\<non-ASCII>`: compose-go drops
                            // the backslash; the next iteration handles the
                            // char (keeps CRLF normalisation and UTF-8 intact).
                            i += 1;
                            continue;
                        }
                        other => out.push(other),
                    }
                }
                i += 2;
                continue;
            }
            if c == q {
                close = Some(i);
                break;
            }
            if c == b'\r' && self.b.get(i + 1) == Some(&b'\n') {
                i += 1;
                continue;
            }
            out.push(c);
            i += 1;
        }
        let Some(close) = close else {
            let end = self.eol(open);
            self.refusal(
                format!(
                    "unterminated {}-quoted value for `{key}`",
                    if q == b'"' { "double" } else { "single" }
                ),
                open..end,
            );
            return self.next_line(open);
        };
        self.entries.push(EnvEntry {
            key,
            key_range,
            value: Some(String::from_utf8_lossy(&out).into_owned()),
            value_range: Some(open..close + 1),
            quote: if q == b'"' {
                Quote::Double
            } else {
                Quote::Single
            },
            line,
        });
        // Trailing content on the closing line.
        let mut t = close + 1;
        while t < self.b.len() && is_blank(self.b[t]) {
            t += 1;
        }
        let end = self.eol(t);
        if t < end && self.b[t] != b'#' {
            let mut te = end;
            while te > t && is_blank(self.b[te - 1]) {
                te -= 1;
            }
            self.error(
                "unexpected text after closing quote (start a comment with `#`)".to_string(),
                t..te,
            );
        }
        (end + 1).min(self.b.len())
    }
}

/// Parse a dotenv file. Returns entries in file order (duplicates kept; the
/// last one wins in Compose) and all errors. Never panics.
pub fn parse(src: &str) -> (Vec<EnvEntry>, Vec<EnvError>) {
    let mut p = P {
        src,
        b: src.as_bytes(),
        lines: Lines::new(src),
        entries: Vec::new(),
        errors: Vec::new(),
    };
    p.run();
    (p.entries, p.errors)
}

/// Whether a file name denotes an example/template env file whose values are
/// documentation, not configuration.
///
/// Matching is case-insensitive on the file name only (a path is accepted;
/// only its last component is used). The name is split on `.`, `-` and `_`;
/// it is an example file if any piece is one of `example(s)`, `sample(s)`,
/// `template(s)`, `tpl`, `tmpl`, `dist`.
///
/// * yes: `.env.example`, `.env.sample`, `.env.template`, `.env.dist`,
///   `.env.tpl`, `.env.tmpl`, `.env.local.example`, `env.example`,
///   `example.env`, `sample.env`, `.env-example`, `.env_sample`,
///   `app.env.dist`, `*.example`, `*.sample`, `*.dist`.
/// * no: `.env`, `.env.local`, `.env.production`, `.env.test`,
///   `.env.defaults` (*decision*: dotenv-defaults files are loaded at run
///   time, so their values are real configuration).
pub fn is_example_file(path_file_name: &str) -> bool {
    const MARKERS: &[&str] = &[
        "example",
        "examples",
        "sample",
        "samples",
        "template",
        "templates",
        "tpl",
        "tmpl",
        "dist",
    ];
    let name = path_file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path_file_name)
        .to_ascii_lowercase();
    name.split(['.', '-', '_'])
        .any(|piece| MARKERS.contains(&piece))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Vec<EnvEntry> {
        let (e, errs) = parse(src);
        assert!(errs.is_empty(), "unexpected errors for {src:?}: {errs:?}");
        e
    }

    fn kv(src: &str) -> Vec<(String, Option<String>)> {
        ok(src).into_iter().map(|e| (e.key, e.value)).collect()
    }

    fn one(src: &str) -> EnvEntry {
        let mut e = ok(src);
        assert_eq!(e.len(), 1, "{src:?}");
        e.remove(0)
    }

    #[test]
    fn basic_and_comments() {
        let src = "# comment\n\nA=1\n  # indented comment\nB = two  \nexport C=3\n";
        let e = ok(src);
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].key, "A");
        assert_eq!(e[0].value.as_deref(), Some("1"));
        assert_eq!(e[0].line, 3);
        assert_eq!(e[1].key, "B");
        assert_eq!(e[1].value.as_deref(), Some("two"));
        assert_eq!(&src[e[1].key_range.clone()], "B");
        assert_eq!(&src[e[1].value_range.clone().unwrap()], "two");
        assert_eq!(e[2].key, "C");
        assert_eq!(&src[e[2].key_range.clone()], "C");
        assert_eq!(e[2].line, 6);
    }

    #[test]
    fn inline_comments_unquoted() {
        assert_eq!(one("A=abc # c").value.as_deref(), Some("abc"));
        assert_eq!(one("A=abc\t# c").value.as_deref(), Some("abc"));
        assert_eq!(
            one("A=abc#notcomment").value.as_deref(),
            Some("abc#notcomment")
        );
        assert_eq!(one("A=#x").value.as_deref(), Some("#x"));
        assert_eq!(one("A= #x").value.as_deref(), Some("#x"));
        assert_eq!(one("A=a b  c  ").value.as_deref(), Some("a b  c"));
    }

    #[test]
    fn empty_and_inherit() {
        let src = "EMPTY=\nINHERIT\nLAST";
        let e = ok(src);
        assert_eq!(e[0].value.as_deref(), Some(""));
        assert_eq!(e[0].value_range, Some(6..6));
        assert_eq!(e[1].value, None);
        assert_eq!(e[1].key, "INHERIT");
        assert_eq!(e[1].line, 2);
        assert_eq!(e[2].value, None);
        assert_eq!(e[2].key, "LAST");
        assert_eq!(
            one("E=   # only comment").value.as_deref(),
            Some("# only comment")
        );
        assert_eq!(one("E=  \n").value.as_deref(), Some(""));
        assert_eq!(one("export FOO\n").value, None);
    }

    #[test]
    fn single_quotes() {
        let src = "A='lit $X \\n # not comment' # comment";
        let e = one(src);
        assert_eq!(e.value.as_deref(), Some("lit $X \\n # not comment"));
        assert_eq!(e.quote, Quote::Single);
        assert!(!e.is_interpolated());
        assert_eq!(
            &src[e.value_range.clone().unwrap()],
            "'lit $X \\n # not comment'"
        );
        assert_eq!(one(r"A='it\'s'").value.as_deref(), Some("it's"));
        assert_eq!(one(r"A='a\\b'").value.as_deref(), Some(r"a\\b"));
        let e = one("K='line1\nline2'\n");
        assert_eq!(e.value.as_deref(), Some("line1\nline2"));
    }

    #[test]
    fn double_quotes() {
        let e = one(r#"A="a\nb \"q\" \\ \t \$x""#);
        assert_eq!(e.value.as_deref(), Some("a\nb \"q\" \\ t \\$x"));
        assert_eq!(e.quote, Quote::Double);
        assert!(e.is_interpolated());
        let src = "KEY=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\nNEXT=1\n";
        let e = ok(src);
        assert_eq!(e.len(), 2);
        assert_eq!(
            e[0].value.as_deref(),
            Some("-----BEGIN KEY-----\nabc\n-----END KEY-----")
        );
        assert_eq!(e[1].key, "NEXT");
        assert_eq!(e[1].line, 4);
        assert_eq!(one("A=\"x\" # c").value.as_deref(), Some("x"));
        assert_eq!(one("A = \"\"").value.as_deref(), Some(""));
        assert_eq!(one("A=\"ü\\é\"").value.as_deref(), Some("üé"));
    }

    #[test]
    fn crlf_and_bom() {
        let src = "\u{feff}A=1\r\nB=\"x\r\ny\"\r\n# c\r\nC\r\nD=v # c\r\n";
        let e = ok(src);
        assert_eq!(e.len(), 4);
        assert_eq!(e[0].key, "A");
        assert_eq!(e[0].key_range, 3..4);
        assert_eq!(e[0].value.as_deref(), Some("1"));
        assert_eq!(e[1].value.as_deref(), Some("x\ny"));
        assert_eq!(e[2].key, "C");
        assert_eq!(e[2].value, None);
        assert_eq!(e[2].line, 5);
        assert_eq!(e[3].value.as_deref(), Some("v"));
    }

    #[test]
    fn key_chars() {
        assert_eq!(
            kv("a.b=1\nx-y=2\nARR[0]=3\nÜBER=4"),
            vec![
                ("a.b".into(), Some("1".into())),
                ("x-y".into(), Some("2".into())),
                ("ARR[0]".into(), Some("3".into())),
                ("ÜBER".into(), Some("4".into())),
            ]
        );
    }

    #[test]
    fn errors_and_recovery() {
        let src = "GOOD=1\nBAD$KEY=2\nMY KEY=3\n=4\nA=\"unterminated\nB=5\nC='x' trailing\nD=6";
        let (e, errs) = parse(src);
        let keys: Vec<_> = e.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, vec!["GOOD", "B", "C", "D"]);
        assert_eq!(errs.len(), 5, "{errs:?}");
        // What Docker Compose refuses the file for, and what it reads past.
        let refused: Vec<bool> = errs.iter().map(|e| e.refused).collect();
        assert_eq!(refused, [true, true, false, true, false]);
        assert_eq!(errs[0].line, 2);
        assert!(errs[0].message.contains("unexpected character"));
        assert_eq!(errs[1].line, 3);
        assert!(errs[1].message.contains("space"));
        assert_eq!(errs[2].line, 4);
        assert_eq!(errs[3].line, 5);
        assert!(errs[3].message.contains("unterminated"));
        assert_eq!(errs[4].line, 7);
        assert_eq!(&src[errs[4].range.clone()], "trailing");
        for err in &errs {
            assert!(src.get(err.range.clone()).is_some());
        }
    }

    #[test]
    fn yaml_style_colon_is_entry_plus_error() {
        let (e, errs) = parse("KEY: value\n");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].key, "KEY");
        assert_eq!(e[0].value.as_deref(), Some("value"));
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 1);
        assert!(errs[0].message.contains("YAML-style"));
        // `:` after `=` belongs to the value.
        assert_eq!(one("URL=http://x:1").value.as_deref(), Some("http://x:1"));
    }

    #[test]
    fn never_panics_on_garbage() {
        let inputs = [
            "",
            "\u{feff}",
            "=",
            "\"",
            "'",
            "A=\"",
            "A='\\",
            "A=\"\\",
            "export",
            "export ",
            "export =",
            "A\\=1",
            "\u{0}",
            "A=\u{0}",
            "é",
            "A=b\\",
            "#",
            "\n\n\r\r",
            "A:",
            "A=\"x\"é",
            "\u{a0}A=1",
            "A=\"\\\u{e9}\"",
        ];
        for s in inputs {
            let (e, errs) = parse(s);
            for x in &e {
                assert!(s.get(x.key_range.clone()).is_some());
                if let Some(r) = &x.value_range {
                    assert!(s.get(r.clone()).is_some());
                }
            }
            for x in &errs {
                assert!(s.get(x.range.clone()).is_some(), "{s:?} {x:?}");
            }
        }
        let big = "A=\"".repeat(5000);
        let _ = parse(&big);
    }

    #[test]
    fn example_files() {
        for n in [
            ".env.example",
            ".env.sample",
            ".env.template",
            ".env.dist",
            ".env.tpl",
            ".env.local.example",
            "example.env",
            "env.sample",
            ".env-example",
            ".ENV.EXAMPLE",
            "config/app.env.dist",
            "secrets.sample",
        ] {
            assert!(is_example_file(n), "{n}");
        }
        for n in [
            ".env",
            ".env.local",
            ".env.production",
            ".env.test",
            ".env.defaults",
            "examplary.env",
            "prod.env",
        ] {
            assert!(!is_example_file(n), "{n}");
        }
    }
}
