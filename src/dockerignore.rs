//! `.dockerignore` matching with Docker's semantics (moby/patternmatcher as
//! driven by BuildKit), which differ from gitignore's:
//!
//! * patterns are paths relative to the context root, cleaned like Go's
//!   `filepath.Clean`; a leading `/` is dropped, so `/secrets` == `secrets`;
//! * `*`, `?` never cross `/`, so `*.key` matches only at the root (unlike
//!   gitignore, where a slash-less pattern matches at any depth); `**` matches
//!   any number of folders, including none;
//! * a pattern that matches a folder also excludes everything below it;
//! * the last matching pattern wins, `!` re-includes;
//! * comments are lines whose *first column* is `#` (an indented `#` is a
//!   pattern); blank lines are skipped; a UTF-8 BOM and `\r\n` endings are
//!   tolerated.
//!
//! The matcher is a port of moby's: each pattern is classified as exact,
//! prefix (`dir/**`), suffix (`**/name`) or regular expression, and the
//! regular expression is the very string moby builds (`*` → `[^/]*`, `?` →
//! `[^/]`, `**/` → `(.*/)?`, `[...]` passed through, `\` escapes), converted
//! from Go to Rust regex syntax where the two differ (inside a `[...]` class
//! Go takes `[`, `&`, `~` literally). `globset` was not used: moby does not
//! follow `filepath.Match` when matching (only to reject bad syntax), and its
//! quirks — `dir/**` not matching `dir` itself, `**name` matching any path
//! ending in `name`, regex escapes such as `\d` — are reproduced here.
//!
//! Paths are evaluated the way BuildKit's context walker does
//! (`MatchesUsingParentResults`): folder by folder from the root, a pattern
//! that matched a parent folder counts as matching its children.
//!
//! Docker refuses to build with an invalid pattern (`!` alone, a bad `[`
//! class, a trailing `\`); here such a pattern is skipped and reported by
//! [`DockerIgnore::errors`]. Docker excludes nothing by default, and the
//! exclusion of the Dockerfile and `.dockerignore` themselves does not matter
//! for the analysis, so neither is special-cased.

use std::io::Read;
use std::path::{Path, PathBuf};

use regex::Regex;

/// Largest ignore file read by [`DockerIgnore::for_build`].
const MAX_IGNORE_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Compiled-size cap per pattern regex (bounds memory on hostile input).
const REGEX_SIZE_LIMIT: usize = 1024 * 1024;

/// A parsed `.dockerignore` file.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
    errors: Vec<String>,
}

/// One usable pattern line.
#[derive(Debug, Clone)]
struct Pattern {
    /// `!` line: re-includes what it matches.
    exclusion: bool,
    matcher: Matcher,
}

/// moby's four kinds of pattern.
#[derive(Debug, Clone)]
enum Matcher {
    /// No wildcard: the path must equal the pattern.
    Exact(String),
    /// `prefix**`: the path must start with `prefix`.
    Prefix(String),
    /// `**suffix`: the path must end with `suffix` (or be it without its `/`).
    Suffix(String),
    /// Anything else: an anchored regular expression.
    Regex(Regex),
}

impl Matcher {
    fn matches(&self, path: &str) -> bool {
        match self {
            Matcher::Exact(p) => path == p,
            Matcher::Prefix(p) => path.starts_with(p.as_str()),
            Matcher::Suffix(s) => {
                path.ends_with(s.as_str()) || s.strip_prefix('/').is_some_and(|bare| path == bare)
            }
            Matcher::Regex(re) => re.is_match(path),
        }
    }
}

impl DockerIgnore {
    /// Parses the text of a `.dockerignore` file. Never fails: unusable
    /// patterns are skipped and listed by [`DockerIgnore::errors`].
    pub fn parse(text: &str) -> DockerIgnore {
        let mut out = DockerIgnore::default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (number, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            // ignorefile.ReadAll: comment test before trimming.
            if line.starts_with('#') {
                continue;
            }
            let mut pattern = line.trim();
            if pattern.is_empty() {
                continue;
            }
            let invert = pattern.starts_with('!');
            if invert {
                pattern = pattern[1..].trim();
            }
            let mut read = String::new();
            if invert {
                read.push('!');
            }
            if !pattern.is_empty() {
                let cleaned = go_clean(pattern);
                let cleaned = match cleaned.strip_prefix('/') {
                    Some(rest) if !rest.is_empty() => rest.to_owned(),
                    _ => cleaned,
                };
                read.push_str(&cleaned);
            }
            // patternmatcher.New: trim and clean again, then split off `!`.
            let cleaned = go_clean(read.trim());
            let (exclusion, body) = match cleaned.strip_prefix('!') {
                Some("") => {
                    out.errors.push(format!(
                        "line {}: illegal exclusion pattern: \"!\"",
                        number + 1
                    ));
                    continue;
                }
                Some(rest) => (true, rest),
                None => (false, cleaned.as_str()),
            };
            if !go_match_syntax_ok(body) {
                out.errors.push(format!(
                    "line {}: syntax error in pattern {body:?}",
                    number + 1
                ));
                continue;
            }
            match compile(body) {
                Ok(matcher) => out.patterns.push(Pattern { exclusion, matcher }),
                Err(e) => out
                    .errors
                    .push(format!("line {}: bad pattern {body:?}: {e}", number + 1)),
            }
        }
        out
    }

    /// Finds and parses the ignore file a build would use: the
    /// Dockerfile-specific `<Dockerfile path>.dockerignore` next to the
    /// Dockerfile (e.g. `app.Dockerfile.dockerignore`) if it exists, else
    /// `<context_dir>/.dockerignore`. A relative `dockerfile` is taken
    /// relative to `context_dir`, as in compose's `build.dockerfile`. Returns
    /// the file used and its patterns, or `None` when neither file can be read.
    pub fn for_build(context_dir: &Path, dockerfile: &Path) -> Option<(PathBuf, DockerIgnore)> {
        let dockerfile = if dockerfile.is_absolute() {
            dockerfile.to_path_buf()
        } else {
            context_dir.join(dockerfile)
        };
        let mut candidates = Vec::with_capacity(2);
        if let Some(name) = dockerfile.file_name() {
            let mut specific = name.to_os_string();
            specific.push(".dockerignore");
            candidates.push(dockerfile.with_file_name(specific));
        }
        candidates.push(context_dir.join(".dockerignore"));
        candidates.into_iter().find_map(|path| {
            if !path.is_file() {
                return None;
            }
            let bytes = read_limited(&path, MAX_IGNORE_FILE_BYTES)?;
            let parsed = DockerIgnore::parse(&String::from_utf8_lossy(&bytes));
            Some((path, parsed))
        })
    }

    /// Whether `rel_path` (relative to the context root, `/`-separated) is
    /// left out of the build context. The context root itself and paths that
    /// climb out of it (`../x`) are never excluded.
    pub fn is_excluded(&self, rel_path: &str) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let cleaned = go_clean(rel_path);
        let cleaned = cleaned.trim_start_matches('/');
        if cleaned.is_empty() || cleaned == "." || cleaned == ".." || cleaned.starts_with("../") {
            return false;
        }
        let mut parent: Option<Vec<bool>> = None;
        let mut excluded = false;
        let mut end = 0;
        while end < cleaned.len() {
            end = cleaned[end..].find('/').map_or(cleaned.len(), |i| end + i);
            let (m, info) = self.matches_using_parent(&cleaned[..end], parent.as_deref());
            excluded = m;
            parent = Some(info);
            end += 1;
        }
        excluded
    }

    /// Problems found while parsing (patterns Docker would reject); those
    /// patterns take no part in matching.
    #[cfg(test)]
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    /// Number of usable patterns.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Whether no usable pattern was found (nothing is excluded).
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// One step of moby's `MatchesUsingParentResults`: decides `path` given
    /// which patterns matched its parent folder, and returns the per-pattern
    /// results for its children.
    fn matches_using_parent(&self, path: &str, parent: Option<&[bool]>) -> (bool, Vec<bool>) {
        let mut matched = false;
        let mut info = vec![false; self.patterns.len()];
        for (i, pattern) in self.patterns.iter().enumerate() {
            let mut hit = parent.and_then(|p| p.get(i).copied()).unwrap_or(false);
            if !hit {
                // An exception only matters once excluded, an exclusion only
                // while not excluded.
                if pattern.exclusion != matched {
                    continue;
                }
                hit = pattern.matcher.matches(path);
            }
            info[i] = hit;
            if hit {
                matched = !pattern.exclusion;
            }
        }
        (matched, info)
    }
}

/// Reads at most `limit` bytes of `path`; `None` if unreadable or larger.
fn read_limited(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    let mut buf = Vec::new();
    file.take(limit + 1).read_to_end(&mut buf).ok()?;
    (buf.len() as u64 <= limit).then_some(buf)
}

/// Go's `path.Clean` for `/`-separated paths.
fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_owned()
    } else {
        joined
    }
}

/// Whether Go's `filepath.Match` accepts `pattern` (it reports
/// `ErrBadPattern` for an unterminated or empty `[...]`, a bad range and a
/// trailing `\`); moby rejects such patterns up front.
fn go_match_syntax_ok(pattern: &str) -> bool {
    let c: Vec<char> = pattern.chars().collect();
    // Go's getEsc: one class character, possibly escaped, that must be
    // followed by something (the class has to be closed).
    let class_char = |mut i: usize| -> Option<usize> {
        let first = *c.get(i)?;
        if first == '-' || first == ']' {
            return None;
        }
        if first == '\\' {
            i += 1;
            c.get(i)?;
        }
        i += 1;
        c.get(i)?;
        Some(i)
    };
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '\\' => {
                if i + 1 >= c.len() {
                    return false;
                }
                i += 2;
            }
            '[' => {
                i += 1;
                if c.get(i) == Some(&'^') {
                    i += 1;
                }
                let mut ranges = 0usize;
                loop {
                    if ranges > 0 && c.get(i) == Some(&']') {
                        i += 1;
                        break;
                    }
                    let Some(next) = class_char(i) else {
                        return false;
                    };
                    i = next;
                    if c.get(i) == Some(&'-') {
                        let Some(next) = class_char(i + 1) else {
                            return false;
                        };
                        i = next;
                    }
                    ranges += 1;
                }
            }
            _ => i += 1,
        }
    }
    true
}

/// moby's `Pattern.compile` for `/` as separator.
fn compile(pattern: &str) -> Result<Matcher, String> {
    #[derive(PartialEq)]
    enum Kind {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let c: Vec<char> = pattern.chars().collect();
    let mut go_re = String::from("^");
    let mut kind = Kind::Exact;
    let mut pos = 0;
    let mut first = true;
    while pos < c.len() {
        let ch = c[pos];
        pos += 1;
        if ch == '*' {
            if c.get(pos) == Some(&'*') {
                pos += 1;
                if c.get(pos) == Some(&'/') {
                    pos += 1;
                }
                if pos >= c.len() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        go_re.push_str(".*");
                        kind = Kind::Regex;
                    }
                } else {
                    go_re.push_str("(.*/)?");
                    kind = Kind::Regex;
                }
                if first {
                    kind = Kind::Suffix;
                }
            } else {
                go_re.push_str("[^/]*");
                kind = Kind::Regex;
            }
        } else if ch == '?' {
            go_re.push_str("[^/]");
            kind = Kind::Regex;
        } else if ".+()|{}$".contains(ch) {
            go_re.push('\\');
            go_re.push(ch);
        } else if ch == '\\' {
            go_re.push('\\');
            if let Some(&next) = c.get(pos) {
                go_re.push(next);
                pos += 1;
                kind = Kind::Regex;
            }
        } else if ch == '[' || ch == ']' {
            go_re.push(ch);
            kind = Kind::Regex;
        } else {
            go_re.push(ch);
        }
        first = false;
    }
    match kind {
        Kind::Exact => Ok(Matcher::Exact(pattern.to_owned())),
        Kind::Prefix => Ok(Matcher::Prefix(
            pattern.strip_suffix("**").unwrap_or(pattern).to_owned(),
        )),
        Kind::Suffix => Ok(Matcher::Suffix(
            pattern.strip_prefix("**").unwrap_or(pattern).to_owned(),
        )),
        Kind::Regex => {
            go_re.push('$');
            regex::RegexBuilder::new(&go_regex_to_rust(&go_re))
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map(Matcher::Regex)
                .map_err(|e| e.to_string())
        }
    }
}

/// Rewrites the parts of Go (RE2) regex syntax that Rust's `regex` reads
/// differently: an escaped ASCII punctuation character is always a literal
/// in Go (Rust gives `\<`, `\>` a meaning), and inside a class Go takes `[`
/// (except `[:name:]`), `&` and `~` literally where Rust sees nested classes
/// and set operations.
fn go_regex_to_rust(go: &str) -> String {
    let c: Vec<char> = go.chars().collect();
    let mut out = String::with_capacity(go.len() + 8);
    let mut in_class = false;
    // Characters of the current class so far (a leading `]` is literal).
    let mut class_items = 0usize;
    let mut i = 0;
    let push_escaped_literal = |out: &mut String, ch: char| {
        if regex_syntax_meta(ch) {
            out.push('\\');
        }
        out.push(ch);
    };
    while i < c.len() {
        let ch = c[i];
        i += 1;
        if ch == '\\' {
            match c.get(i) {
                Some(&next) if next.is_ascii_punctuation() => {
                    push_escaped_literal(&mut out, next);
                    i += 1;
                }
                Some(&next) => {
                    out.push('\\');
                    out.push(next);
                    i += 1;
                }
                None => out.push('\\'),
            }
            if in_class {
                class_items += 1;
            }
            continue;
        }
        if !in_class {
            if ch == '[' {
                in_class = true;
                class_items = 0;
                out.push('[');
                if c.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
            } else {
                out.push(ch);
            }
            continue;
        }
        match ch {
            ']' if class_items > 0 => {
                in_class = false;
                out.push(']');
            }
            '[' if c.get(i) == Some(&':') => {
                // `[:name:]` — copy through its closing `:]` when present.
                let rest: String = c[i..].iter().collect();
                match rest.find(":]") {
                    Some(end) if end > 0 => {
                        out.push('[');
                        out.push_str(&rest[..end + 2]);
                        i += rest[..end + 2].chars().count();
                    }
                    _ => out.push_str("\\["),
                }
                class_items += 1;
            }
            '[' | ']' | '&' | '~' => {
                out.push('\\');
                out.push(ch);
                class_items += 1;
            }
            _ => {
                out.push(ch);
                class_items += 1;
            }
        }
    }
    out
}

/// Characters that need a backslash to be literal in Rust's regex syntax.
fn regex_syntax_meta(ch: char) -> bool {
    matches!(
        ch,
        '\\' | '.'
            | '+'
            | '*'
            | '?'
            | '('
            | ')'
            | '|'
            | '['
            | ']'
            | '{'
            | '}'
            | '^'
            | '$'
            | '#'
            | '&'
            | '-'
            | '~'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// (patterns, path, excluded?)
    fn check(patterns: &str, cases: &[(&str, bool)]) {
        let di = DockerIgnore::parse(patterns);
        assert!(di.errors().is_empty(), "{patterns:?}: {:?}", di.errors());
        for (path, want) in cases {
            assert_eq!(
                di.is_excluded(path),
                *want,
                "patterns {patterns:?}, path {path:?}"
            );
        }
    }

    #[test]
    fn double_star_pem() {
        check(
            "**/*.pem",
            &[
                ("key.pem", true),
                ("a/key.pem", true),
                ("a/b/c/key.pem", true),
                ("key.pem.bak", false),
                ("a/keypem", false),
            ],
        );
    }

    #[test]
    fn directory_patterns_cover_children() {
        for p in ["secrets/", "/secrets", "secrets", "./secrets", "secrets/."] {
            check(
                p,
                &[
                    ("secrets", true),
                    ("secrets/db.txt", true),
                    ("secrets/a/b/c.key", true),
                    ("app/secrets/db.txt", false),
                    ("secrets.txt", false),
                ],
            );
        }
    }

    #[test]
    fn exception_reincludes() {
        check(
            "*.pem\n!keep.pem",
            &[("a.pem", true), ("keep.pem", false), ("sub/a.pem", false)],
        );
        check(
            "secrets\n!secrets/.gitkeep",
            &[
                ("secrets/db.txt", true),
                ("secrets/.gitkeep", false),
                ("secrets", true),
            ],
        );
        // Last match wins.
        check(
            "*.md\n!README*.md\nREADME-secret.md",
            &[
                ("a.md", true),
                ("README.md", false),
                ("README-secret.md", true),
            ],
        );
        check(
            "*.md\nREADME-secret.md\n!README*.md",
            &[("README-secret.md", false)],
        );
        // Allow-list style.
        check(
            "*\n!src",
            &[
                ("src/main.rs", false),
                ("Dockerfile", true),
                ("secrets/x", true),
            ],
        );
    }

    #[test]
    fn star_is_root_only_unlike_gitignore() {
        check(
            "*.key",
            &[
                ("server.key", true),
                ("certs/server.key", false),
                ("a/b/server.key", false),
            ],
        );
        check(
            "*/temp*",
            &[
                ("somedir/temporary.txt", true),
                ("somedir/temp", true),
                ("temp", false),
                ("a/b/temp", false),
            ],
        );
        check(
            "temp?",
            &[("tempa", true), ("temp", false), ("tempab", false)],
        );
    }

    #[test]
    fn double_star_env() {
        check(
            "**/.env",
            &[
                (".env", true),
                ("app/.env", true),
                ("a/b/.env", true),
                ("prod.env", false),
                ("a/prod.env", false),
                (".env.local", false),
            ],
        );
    }

    #[test]
    fn moby_quirks() {
        // `dir/**` is a prefix match: it does not match `dir` itself.
        check(
            "logs/**",
            &[("logs/a", true), ("logs/a/b", true), ("logs", false)],
        );
        // `**` alone matches everything.
        check("**", &[("a", true), ("a/b", true)]);
        // `**name` is a plain suffix match.
        check(
            "**secret",
            &[
                ("topsecret", true),
                ("a/mysecret", true),
                ("secret.txt", false),
            ],
        );
        // `**` in the middle matches zero or more folders.
        check(
            "a/**/b",
            &[("a/b", true), ("a/x/y/b", true), ("a/xb", false)],
        );
        // Character classes and escapes.
        check("[a-c].txt", &[("a.txt", true), ("d.txt", false)]);
        check("[^a].txt", &[("a.txt", false), ("b.txt", true)]);
        check("\\*.txt", &[("*.txt", true), ("a.txt", false)]);
        check("a[&~]b", &[("a&b", true), ("a~b", true), ("a-b", false)]);
        check("[[:digit:]]x", &[("1x", true), ("ax", false)]);
        // Regex-special characters are literal.
        check("a+b(c).txt", &[("a+b(c).txt", true), ("aab(c)xtxt", false)]);
        check("v1.0/*", &[("v1.0/x", true), ("v1x0/x", false)]);
        // `..` in a path is cleaned before matching.
        check(
            "secrets",
            &[("a/../secrets/x", true), ("./secrets/x", true)],
        );
    }

    #[test]
    fn comments_blank_lines_and_whitespace() {
        let text =
            "\u{feff}# comment\n\n   \n  *.key  \r\n#*.pem\n  # not a comment\n!  /keep.key\n";
        let di = DockerIgnore::parse(text);
        assert!(di.errors().is_empty(), "{:?}", di.errors());
        assert_eq!(di.len(), 3);
        assert!(di.is_excluded("a.key"));
        assert!(!di.is_excluded("keep.key"));
        assert!(!di.is_excluded("a.pem"));
        assert!(!di.is_excluded("# comment"));
        // An indented `#` is a pattern, not a comment (Docker only skips column 1).
        assert!(di.is_excluded("# not a comment"));
    }

    #[test]
    fn dot_excludes_nothing() {
        check(
            ".",
            &[("a", false), ("a/b", false), (".", false), ("", false)],
        );
        check("./", &[("x", false)]);
    }

    #[test]
    fn root_and_outside_paths_never_excluded() {
        check(
            "*\n**",
            &[("", false), (".", false), ("..", false), ("../x", false)],
        );
        assert!(!DockerIgnore::parse("").is_excluded("anything"));
        assert!(DockerIgnore::parse("").is_empty());
    }

    #[test]
    fn invalid_patterns_are_reported_and_skipped() {
        let di = DockerIgnore::parse("!\n[\n[]\n[a-]\nfoo\\\n[z-a]\n*.key\n! \n");
        assert_eq!(di.errors().len(), 7, "{:?}", di.errors());
        assert_eq!(di.len(), 1);
        assert!(di.is_excluded("a.key"));
    }

    #[test]
    fn buildkit_parent_results() {
        // BuildKit decides folder by folder: `!a` was skipped at folder `a`
        // (nothing excluded yet), so it cannot re-include `a/b` later.
        check("*/b\n!a", &[("a/b", true), ("c/b", true), ("a", false)]);
        // A later exclusion pattern can still target a child of an excluded dir.
        check(
            "a\n!a/keep\na/keep/x",
            &[
                ("a/keep", false),
                ("a/keep/y", false),
                ("a/keep/x", true),
                ("a/z", true),
            ],
        );
    }

    #[test]
    fn hostile_input_is_bounded() {
        let long = "*".repeat(10_000) + "x";
        let di = DockerIgnore::parse(&long);
        // Either compiled within the size cap or refused with an error.
        assert!(di.is_excluded("x") || !di.errors().is_empty());
        let mut many = String::new();
        for i in 0..2_000 {
            many.push_str(&format!("dir{i}/**/*.k{i}\n"));
        }
        let di = DockerIgnore::parse(&many);
        assert_eq!(di.len(), 2_000);
        assert!(di.is_excluded("dir1999/a/b/c.k1999"));
        let _ = DockerIgnore::parse("[[[[[[[[\n\\\n]]]]\n**/**/**\n\0\n\u{fffd}[");
    }

    #[test]
    fn for_build_prefers_dockerfile_specific_file() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let ctx = tmp.path();
        assert!(DockerIgnore::for_build(ctx, Path::new("Dockerfile")).is_none());

        fs::write(ctx.join(".dockerignore"), "*.key\n").expect("write");
        let (used, di) = DockerIgnore::for_build(ctx, Path::new("Dockerfile")).expect("found");
        assert_eq!(used, ctx.join(".dockerignore"));
        assert!(di.is_excluded("a.key"));

        fs::create_dir_all(ctx.join("docker")).expect("mkdir");
        fs::write(ctx.join("docker/app.Dockerfile.dockerignore"), "*.pem\n").expect("write");
        let (used, di) =
            DockerIgnore::for_build(ctx, Path::new("docker/app.Dockerfile")).expect("found");
        assert_eq!(used, ctx.join("docker/app.Dockerfile.dockerignore"));
        assert!(di.is_excluded("a.pem"));
        assert!(!di.is_excluded("a.key"));

        // Absolute Dockerfile path outside the context.
        let elsewhere = tempfile::tempdir().expect("tempdir");
        fs::write(
            elsewhere.path().join("Dockerfile.dockerignore"),
            "**/.env\n",
        )
        .expect("write");
        let (used, di) =
            DockerIgnore::for_build(ctx, &elsewhere.path().join("Dockerfile")).expect("found");
        assert_eq!(used, elsewhere.path().join("Dockerfile.dockerignore"));
        assert!(di.is_excluded("a/.env"));

        // Another Dockerfile without its own file falls back to the context's.
        let (used, _) =
            DockerIgnore::for_build(ctx, Path::new("docker/other.Dockerfile")).expect("found");
        assert_eq!(used, ctx.join(".dockerignore"));
    }

    #[test]
    fn go_clean_matches_go() {
        for (input, want) in [
            ("", "."),
            (".", "."),
            ("/", "/"),
            ("a//b/./c/", "a/b/c"),
            ("a/../..", ".."),
            ("/../a", "/a"),
            ("../../a/b/..", "../../a"),
            ("secrets/", "secrets"),
        ] {
            assert_eq!(go_clean(input), want, "{input:?}");
        }
    }
}
