//! Literal credentials written in command lines: shell strings (`RUN` shell form, heredoc
//! bodies, compose `command: "..."`) and argv lists (`RUN ["..."]`, `command: [...]`).
//!
//! One detector for every rule that reads commands (DF004 for Dockerfile `RUN`, CE005 for
//! compose `command`/`entrypoint`/`healthcheck.test`). It knows how credentials are passed
//! to the usual tools:
//!
//! * `curl -u user:pass` / `--user` / `-U` / `--proxy-user`;
//! * `Authorization: Bearer|Basic|Token x` and `X-Api-Key:`-style headers, anywhere;
//! * long options named like a secret: `--password=x`, `--password x`, `--pass x`,
//!   `--http-password=x`, `--api-key x`, `--client-secret=x` (not `--password-stdin`,
//!   `--password-file`, not a path value, not `--secret id=...` of `docker build`);
//! * mysql clients (`mysql`, `mysqldump`, `mariadb`, `mysqladmin`, ...): `-pX` attached (a
//!   lone `-p` prompts; `--password x` makes mysql prompt and read `x` as the database);
//! * `NAME=literal cmd` prefix assignments, `export NAME=literal`, `env NAME=literal`,
//!   `-e NAME=literal` when `NAME` is secret-like (`PGPASSWORD`, `MYSQL_PWD`, `API_TOKEN`);
//! * `redis-cli -a x`; `docker|podman|buildah|skopeo|helm|oras login -p x`; `sshpass -p x`;
//! * `aws configure set aws_secret_access_key x`; `npm|yarn|pnpm config set <k> x` where the
//!   key is secret-like (`//registry/:_authToken`); `:_authToken=x` anywhere (`.npmrc` lines);
//! * `htpasswd -b[c] file user pass`, `htpasswd -nb user pass`; `echo user:pass | chpasswd`;
//!   `useradd|usermod -p HASH` (a crypt hash is crackable offline); `openssl passwd literal`,
//!   also inside a command substitution (`useradd -p "$(openssl passwd -1 pw)"`);
//! * `openssl ... -passin pass:x`, `keytool -storepass x`;
//! * SQL `IDENTIFIED BY 'x'` / `WITH PASSWORD 'x'`;
//! * URLs with a password (`git clone https://user:token@host`), via [`find_url_credentials`].
//!
//! A value is literal unless it holds a variable reference or command substitution (`$X`,
//! `${X}`, `$(cat /run/secrets/x)`, backticks; in compose `$$X` is an escaped `$` and so a
//! reference at run time too), points under `/run/secrets/`, or looks like a placeholder
//! (free text: placeholders are documentation far more often than deployed values).

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

use super::classify::{is_example_word, is_placeholder, is_secret_name, secret_name_reason};
use super::url::find_url_credentials;

/// How a credential was passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// `curl -u user:pass`.
    UserPassword,
    /// `Authorization: Bearer x` and similar headers.
    AuthHeader,
    /// `--password=x` and other secret-named options.
    PasswordOption,
    /// `mysql -pX`.
    MysqlPassword,
    /// `PGPASSWORD=x cmd`, `export TOKEN=x`.
    Assignment,
    /// `redis-cli -a x`.
    RedisPassword,
    /// `docker login -p x`.
    RegistryLogin,
    /// `sshpass -p x`.
    Sshpass,
    /// `aws configure set aws_secret_access_key x`, `npm config set //r/:_authToken x`.
    ConfigSet,
    /// `//registry/:_authToken=x`.
    NpmToken,
    /// `scheme://user:password@host`.
    UrlCredential,
    /// `htpasswd -b file user pass`, `echo user:pass | chpasswd`.
    UserAccount,
    /// `IDENTIFIED BY 'x'`.
    SqlPassword,
}

impl SecretKind {
    /// A short human description (never holds the value).
    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::UserPassword => "a password in a `user:password` option",
            SecretKind::AuthHeader => "a token in an authorization header",
            SecretKind::PasswordOption => "a credential passed as an option",
            SecretKind::MysqlPassword => "a MySQL password passed with `-p`",
            SecretKind::Assignment => "a credential assigned to an environment variable",
            SecretKind::RedisPassword => "a Redis password",
            SecretKind::RegistryLogin => "a registry password passed to `login`",
            SecretKind::Sshpass => "an SSH password passed to `sshpass -p`",
            SecretKind::ConfigSet => "a credential written with `config set`",
            SecretKind::NpmToken => "an npm registry token",
            SecretKind::UrlCredential => "a password in a URL",
            SecretKind::UserAccount => "a user password",
            SecretKind::SqlPassword => "a password in an SQL statement",
        }
    }
}

/// A literal credential found in command text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSecret {
    /// Byte range of the secret value in the scanned text (or in the argv word).
    pub range: Range<usize>,
    pub kind: SecretKind,
    /// What carried it: an option or variable name (`--password`, `PGPASSWORD`, `curl -u`).
    /// Never the value.
    pub via: String,
}

/// A secret found in an argv list: which word, and where in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgvSecret {
    pub word: usize,
    pub secret: CommandSecret,
}

// ---------------------------------------------------------------------------
// A small shell tokenizer
// ---------------------------------------------------------------------------

/// A shell word: its value with quotes and escapes removed, and for every byte of the
/// value the offset of that byte in the scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellWord {
    pub value: String,
    /// `offsets[i]`: text offset of `value`'s byte `i`.
    offsets: Vec<usize>,
    /// Raw range in the text, quotes included.
    pub raw: Range<usize>,
}

impl ShellWord {
    fn from_plain(value: &str) -> ShellWord {
        ShellWord {
            value: value.to_owned(),
            offsets: (0..value.len()).collect(),
            raw: 0..value.len(),
        }
    }

    /// Text range of the value bytes `r`.
    pub fn text_range(&self, r: Range<usize>) -> Range<usize> {
        if r.start >= r.end || r.end > self.offsets.len() {
            return self.raw.clone();
        }
        let start = self.offsets[r.start];
        let last = self.offsets[r.end - 1];
        // The last byte may start a multi-byte char copied verbatim: extend to its end.
        let width = self
            .value
            .get(r.end - 1..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8);
        let width = if self.value.is_char_boundary(r.end - 1) {
            width
        } else {
            1
        };
        start..(last + width).max(start)
    }
}

/// A redirection: `>`, `>>`, `<`, `2>`, ... and its target word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub op: String,
    pub target: Option<ShellWord>,
}

/// A simple command: words (assignments included) and redirections.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    pub words: Vec<ShellWord>,
    pub redirects: Vec<Redirect>,
    /// Its output goes into the next command (`a | b`).
    pub piped: bool,
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The leading `NAME=` of an assignment word.
fn assignment(word: &str) -> Option<(&str, usize)> {
    let eq = word.find('=')?;
    let name = &word[..eq];
    is_name(name).then_some((name, eq + 1))
}

/// Split shell text into simple commands. Never panics; unterminated quotes run to the
/// end of the text. `#` at the start of a word starts a comment.
pub fn parse_commands(text: &str) -> Vec<SimpleCommand> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut cur = SimpleCommand::default();
    let mut pending_redirect: Option<String> = None;
    let mut i = 0;
    let finish = |cur: &mut SimpleCommand, out: &mut Vec<SimpleCommand>, piped: bool| {
        let mut c = std::mem::take(cur);
        c.piped = piped;
        if !c.words.is_empty() || !c.redirects.is_empty() {
            out.push(c);
        }
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'\\' if b.get(i + 1) == Some(&b'\n') => {
                i += 2;
                continue;
            }
            b'\n' | b';' | b'(' | b')' | b'{' | b'}'
                if c != b'{' && c != b'}' || word_boundary_brace(b, i) =>
            {
                finish(&mut cur, &mut out, false);
                i += 1;
                continue;
            }
            b'&' | b'|' => {
                let double = b.get(i + 1) == Some(&c);
                // `|&` and `&>` are close enough to their plain forms here.
                if c == b'&' && b.get(i + 1) == Some(&b'>') {
                    pending_redirect = Some("&>".into());
                    i += 2;
                    continue;
                }
                finish(&mut cur, &mut out, c == b'|' && !double);
                i += if double { 2 } else { 1 };
                continue;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'>' | b'<' => {
                let start = i;
                i += 1;
                while i < b.len() && matches!(b[i], b'>' | b'<' | b'&' | b'|') {
                    i += 1;
                }
                let op = text.get(start..i).unwrap_or(">").to_string();
                if op.starts_with("<<") {
                    // A heredoc inside the script: its body lines are tokenized as words,
                    // which is what the detectors want.
                    pending_redirect = None;
                } else {
                    pending_redirect = Some(op);
                }
                continue;
            }
            _ => {}
        }
        // A word.
        let (word, next) = read_word(text, i);
        i = next.max(i + 1);
        // `2>` / `1>>`: a digit word directly followed by a redirection operator.
        if word.value.bytes().all(|d| d.is_ascii_digit())
            && !word.value.is_empty()
            && matches!(b.get(i), Some(b'>') | Some(b'<'))
        {
            continue;
        }
        if let Some(op) = pending_redirect.take() {
            cur.redirects.push(Redirect {
                op,
                target: Some(word),
            });
        } else {
            cur.words.push(word);
        }
    }
    if let Some(op) = pending_redirect {
        cur.redirects.push(Redirect { op, target: None });
    }
    finish(&mut cur, &mut out, false);
    out
}

/// `{`/`}` separate commands only as words of their own (`{ a; }`), not in `${X}`.
fn word_boundary_brace(b: &[u8], i: usize) -> bool {
    let before = i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b';');
    let after = b
        .get(i + 1)
        .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b';'));
    before && after
}

/// Read one word starting at `start`; returns it and the offset after it.
fn read_word(text: &str, start: usize) -> (ShellWord, usize) {
    let b = text.as_bytes();
    let mut value = String::new();
    let mut offsets = Vec::new();
    let mut i = start;
    let push = |value: &mut String, offsets: &mut Vec<usize>, at: usize| -> usize {
        let ch = text.get(at..).and_then(|s| s.chars().next()).unwrap_or(' ');
        let n = ch.len_utf8();
        for k in 0..n {
            offsets.push(at + k);
        }
        value.push(ch);
        n
    };
    let mut depth = 0usize; // inside `$(...)`
    while i < b.len() {
        let c = b[i];
        if depth == 0
            && (matches!(
                c,
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b')' | b'('
            ))
        {
            break;
        }
        match c {
            b'\\' => {
                if let Some(&n) = b.get(i + 1) {
                    if n == b'\n' {
                        i += 2;
                        continue;
                    }
                    i += 1 + push(&mut value, &mut offsets, i + 1);
                } else {
                    i += 1;
                }
            }
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += push(&mut value, &mut offsets, i);
                }
                i += 1;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' && matches!(b.get(i + 1), Some(b'"' | b'\\' | b'$' | b'`')) {
                        i += 1;
                    }
                    i += push(&mut value, &mut offsets, i);
                }
                i += 1;
            }
            b'$' if b.get(i + 1) == Some(&b'(') => {
                depth += 1;
                value.push_str("$(");
                offsets.extend([i, i + 1]);
                i += 2;
            }
            b')' if depth > 0 => {
                depth -= 1;
                i += push(&mut value, &mut offsets, i);
            }
            _ => {
                i += push(&mut value, &mut offsets, i);
            }
        }
    }
    let end = i.min(b.len());
    (
        ShellWord {
            value,
            offsets,
            raw: start..end,
        },
        end,
    )
}

// ---------------------------------------------------------------------------
// Literal values
// ---------------------------------------------------------------------------

/// Whether a value written in a command is a literal credential.
/// Whether shell text refers to a variable or a command's output anywhere: `$X`, `${X}`,
/// `$(cmd)`, `$$` (a Makefile's or compose's escaped `$`), backticks.
pub fn has_shell_reference(value: &str) -> bool {
    let b = value.as_bytes();
    value.contains('`')
        || b.iter().enumerate().any(|(i, &c)| {
            c == b'$'
                && b.get(i + 1).is_some_and(|n| {
                    n.is_ascii_alphanumeric() || matches!(n, b'_' | b'{' | b'(' | b'$')
                })
        })
}

pub fn is_literal(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || has_shell_reference(v) {
        return false;
    }
    if v.contains("/run/secrets/") || v.contains("\\ProgramData\\Docker\\secrets") {
        return false;
    }
    if ["true", "false", "yes", "no", "on", "off"]
        .iter()
        .any(|w| v.eq_ignore_ascii_case(w))
    {
        return false;
    }
    !is_placeholder(v) && !is_example_word(v)
}

fn looks_like_path(v: &str) -> bool {
    v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with("~/")
        || v.starts_with('@')
        || v.starts_with("file:")
}

// ---------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------

/// Literal credentials in shell text (a `RUN` line, a heredoc body, a compose `command`
/// string). Ranges are byte ranges of `text`.
pub fn scan_shell(text: &str) -> Vec<CommandSecret> {
    scan_shell_depth(text, 0)
}

fn scan_shell_depth(text: &str, depth: usize) -> Vec<CommandSecret> {
    let commands = parse_commands(text);
    let mut out = Vec::new();
    for (i, cmd) in commands.iter().enumerate() {
        let chpasswd = cmd.piped
            && commands[i + 1..]
                .iter()
                .scan(true, |go, c| {
                    let take = *go;
                    *go = c.piped;
                    take.then_some(c)
                })
                .any(|c| command_name(&c.words).is_some_and(|(n, _)| n == "chpasswd"));
        scan_command(&cmd.words, chpasswd, depth, &mut |w, r, kind, via| {
            out.push(CommandSecret {
                range: w.text_range(r),
                kind,
                via,
            });
        });
        // Redirect targets hold no credentials, but `> x` text of heredocs is words.
    }
    dedup(&mut out);
    out
}

/// Literal credentials in an argv list (exec form, compose list form). A word that is a
/// script (after `sh -c`, or one holding spaces) is scanned as shell text too.
pub fn scan_argv(words: &[&str]) -> Vec<ArgvSecret> {
    let shell_words: Vec<ShellWord> = words.iter().map(|w| ShellWord::from_plain(w)).collect();
    let mut out = Vec::new();
    let index_of = |w: &ShellWord| {
        shell_words
            .iter()
            .position(|s| std::ptr::eq(s, w))
            .unwrap_or(0)
    };
    // A compose `healthcheck.test` starts with `CMD` (argv follows) or `CMD-SHELL`.
    let skip = usize::from(matches!(words.first(), Some(&"CMD") | Some(&"CMD-SHELL")));
    scan_command(&shell_words[skip..], false, 0, &mut |w, r, kind, via| {
        out.push(ArgvSecret {
            word: index_of(w),
            secret: CommandSecret {
                range: r,
                kind,
                via,
            },
        });
    });
    for (i, w) in words.iter().enumerate() {
        if w.contains(char::is_whitespace) || (i == 1 && words[0] == "CMD-SHELL") {
            for s in scan_shell_depth(w, 1) {
                if !out
                    .iter()
                    .any(|o| o.word == i && overlaps(&o.secret.range, &s.range))
                {
                    out.push(ArgvSecret { word: i, secret: s });
                }
            }
        }
    }
    out
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

fn dedup(out: &mut Vec<CommandSecret>) {
    out.sort_by_key(|s| (s.range.start, s.range.end));
    let mut kept: Vec<CommandSecret> = Vec::new();
    for s in out.drain(..) {
        if !kept.iter().any(|k| overlaps(&k.range, &s.range)) {
            kept.push(s);
        }
    }
    *out = kept;
}

/// Wrappers that run the command that follows them.
const WRAPPERS: &[&str] = &[
    "sudo",
    "exec",
    "nohup",
    "time",
    "command",
    "builtin",
    "xargs",
    "then",
    "do",
    "else",
    "!",
    "if",
    "while",
    "until",
    "gosu",
    "su-exec",
    "tini",
    "dumb-init",
];

/// The command name (basename, lower-case) and the index of the word holding it, skipping
/// assignments, `env` and wrappers.
pub fn command_name(words: &[ShellWord]) -> Option<(String, usize)> {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
        if assignment(v).is_some() {
            i += 1;
            continue;
        }
        let base = v
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(v)
            .to_ascii_lowercase();
        let base = base.strip_suffix(".exe").map(str::to_owned).unwrap_or(base);
        if base == "env" || WRAPPERS.contains(&base.as_str()) {
            i += 1;
            // Options of the wrapper (`sudo -u x` takes a value: skip conservatively).
            while words.get(i).is_some_and(|w| w.value.starts_with('-')) {
                let takes_value = matches!(words[i].value.as_str(), "-u" | "-g" | "-C");
                i += if takes_value { 2 } else { 1 };
            }
            if matches!(base.as_str(), "gosu" | "su-exec") {
                i += 1; // the user
            }
            continue;
        }
        return Some((base, i));
    }
    None
}

const MYSQL_CLIENTS: &[&str] = &[
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mysqlimport",
    "mysqlshow",
    "mysqlcheck",
    "mysqlpump",
    "mysqlsh",
    "mariadb",
    "mariadb-dump",
    "mariadb-admin",
    "mariadb-import",
    "mariadb-check",
    "mariadb-show",
];

const LOGIN_TOOLS: &[&str] = &[
    "docker", "podman", "buildah", "skopeo", "nerdctl", "helm", "oras", "crane", "regctl",
];

type Emit<'a> = dyn FnMut(&ShellWord, Range<usize>, SecretKind, String) + 'a;

fn emit_if_literal(
    emit: &mut Emit<'_>,
    w: &ShellWord,
    r: Range<usize>,
    kind: SecretKind,
    via: impl Into<String>,
) {
    if let Some(v) = w.value.get(r.clone())
        && is_literal(v)
    {
        emit(w, r, kind, via.into());
    }
}

/// Whether a long option's name is a credential option that takes a value.
fn secret_option(name: &str, spaced: bool) -> bool {
    let norm = name.replace('-', "_").to_ascii_lowercase();
    // A bare `key` (`--key`, `--recv-keys`) is an object or file name far more often than a
    // credential; `auth` options name a mechanism (`initdb --auth-host=scram-sha-256`).
    if !is_secret_name(&norm) || matches!(secret_name_reason(&norm), Some("key" | "auth")) {
        return false;
    }
    let segs: Vec<&str> = norm.split('_').filter(|s| !s.is_empty()).collect();
    const NOT_A_VALUE: &[&str] = &[
        "stdin",
        "file",
        "env",
        "no",
        "ask",
        "prompt",
        "read",
        "from",
        "show",
        "print",
        "generate",
        "reset",
        "change",
        "check",
        "auth_type",
        "helper",
    ];
    if segs.iter().any(|s| NOT_A_VALUE.contains(s)) {
        return false;
    }
    if spaced {
        // Only options whose name ends with the credential word take the next word.
        const ENDS: &[&str] = &[
            "password",
            "passwd",
            "pass",
            "pwd",
            "token",
            "secret",
            "apikey",
            "key",
            "credentials",
            "passphrase",
        ];
        return segs
            .last()
            .is_some_and(|l| ENDS.contains(l) || l.ends_with("password") || l.ends_with("token"));
    }
    true
}

fn header_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(?:(?:proxy-)?authorization:\s*(?:bearer|basic|token|bot|apikey|key|sso-key|digest)\s+|(?:x-api-key|api-key|apikey|x-auth-token|x-access-token|private-token|x-vault-token|x-gitlab-token|x-jfrog-art-api|x-figma-token|x-api-token|job-token):\s*)([^\s'\x22]+)",
        )
        .expect("valid regex")
    })
}

fn npm_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)(?:^|:|\s)(_authToken|_auth|_password)\s*=\s*([^\s'\x22]+)")
            .expect("valid regex")
    })
}

fn sql_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?i)\b(?:identified\s+by|with\s+(?:encrypted\s+)?password|password\s*=)\s*(?:'([^']+)'|"([^"]+)")"#)
            .expect("valid regex")
    })
}

/// Which free-text regexes could match a word, by the words each needs (ASCII case
/// ignored): a regex is compiled only once a word holds one of its keywords.
fn free_text_keywords(v: &str) -> (bool, bool, bool) {
    let lower = v.to_ascii_lowercase();
    let header = lower.contains(':')
        && [
            "authorization",
            "api-key",
            "apikey",
            "token",
            "x-jfrog-art-api",
        ]
        .iter()
        .any(|k| lower.contains(k));
    let npm = lower.contains("_auth") || lower.contains("_password");
    let sql = lower.contains("identified") || lower.contains("password");
    (header, npm, sql)
}

/// Free-text patterns that hold in any word: headers, npm tokens, SQL, URLs.
fn scan_free_text(w: &ShellWord, emit: &mut Emit<'_>) {
    let v = &w.value;
    if v.len() < 4 {
        return;
    }
    let (header, npm, sql) = free_text_keywords(v);
    for c in header
        .then(header_regex)
        .into_iter()
        .flat_map(|r| r.captures_iter(v))
    {
        if let Some(m) = c.get(1) {
            emit_if_literal(emit, w, m.range(), SecretKind::AuthHeader, "an HTTP header");
        }
    }
    for c in npm
        .then(npm_regex)
        .into_iter()
        .flat_map(|r| r.captures_iter(v))
    {
        if let (Some(k), Some(m)) = (c.get(1), c.get(2)) {
            emit_if_literal(emit, w, m.range(), SecretKind::NpmToken, k.as_str());
        }
    }
    for c in sql
        .then(sql_regex)
        .into_iter()
        .flat_map(|r| r.captures_iter(v))
    {
        if let Some(m) = c.get(1).or_else(|| c.get(2)) {
            emit_if_literal(emit, w, m.range(), SecretKind::SqlPassword, "SQL");
        }
    }
    for u in find_url_credentials(v) {
        emit(
            w,
            u.password,
            SecretKind::UrlCredential,
            format!("{} URL", u.scheme),
        );
    }
}

fn scan_command(words: &[ShellWord], into_chpasswd: bool, depth: usize, emit: &mut Emit<'_>) {
    for w in words {
        scan_free_text(w, emit);
        // `"$(openssl passwd -1 literal)"`: the commands inside a substitution.
        if depth < 3 {
            for inner in substitutions(&w.value) {
                for s in scan_shell_depth(&w.value[inner.clone()], depth + 1) {
                    let r = inner.start + s.range.start..inner.start + s.range.end;
                    emit(w, r, s.kind, s.via);
                }
            }
        }
    }
    // Assignments before the command, after `env`, after `export`/`declare`/`local`.
    let name = command_name(words);
    let cmd_at = name.as_ref().map_or(words.len(), |(_, i)| *i);
    for w in &words[..cmd_at] {
        assignment_word(w, emit);
    }
    let Some((name, at)) = name else {
        return;
    };
    let args = &words[at + 1..];
    if matches!(
        name.as_str(),
        "export" | "declare" | "local" | "readonly" | "typeset"
    ) {
        for w in args {
            assignment_word(w, emit);
        }
        return;
    }
    // `sh -c 'script'`: scan the script.
    if matches!(
        name.as_str(),
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "busybox"
    ) && depth < 3
    {
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let v = &a.value;
            if v.starts_with('-') && !v.starts_with("--") && v.ends_with('c') {
                if let Some(script) = it.next() {
                    for s in scan_shell_depth(&script.value, depth + 1) {
                        emit(script, s.range, s.kind, s.via);
                    }
                }
                break;
            }
        }
        return;
    }
    let mysql = MYSQL_CLIENTS.contains(&name.as_str());
    let login = LOGIN_TOOLS.contains(&name.as_str()) && args.iter().any(|a| a.value == "login");
    let mut i = 0;
    while i < args.len() {
        let w = &args[i];
        let v = w.value.as_str();
        let next = args.get(i + 1);
        let next_value = next.filter(|n| !n.value.starts_with('-'));
        match name.as_str() {
            "curl" => {
                if v == "--oauth2-bearer" {
                    if let Some(n) = next {
                        emit_if_literal(
                            emit,
                            n,
                            0..n.value.len(),
                            SecretKind::AuthHeader,
                            "curl --oauth2-bearer",
                        );
                    }
                    i += 2;
                    continue;
                }
                if matches!(v, "-u" | "--user" | "-U" | "--proxy-user") {
                    if let Some(n) = next {
                        user_colon_pass(n, 0, emit, format!("curl {v}"));
                    }
                    i += 2;
                    continue;
                }
                if let Some(rest) = v
                    .strip_prefix("--user=")
                    .or(v.strip_prefix("--proxy-user="))
                {
                    let off = v.len() - rest.len();
                    user_colon_pass(w, off, emit, "curl --user".into());
                } else if v.len() > 2 && (v.starts_with("-u") || v.starts_with("-U")) {
                    user_colon_pass(w, 2, emit, format!("curl {}", &v[..2]));
                }
            }
            "redis-cli" | "keydb-cli" | "valkey-cli" if v == "-a" => {
                if let Some(n) = next {
                    emit_if_literal(
                        emit,
                        n,
                        0..n.value.len(),
                        SecretKind::RedisPassword,
                        "redis-cli -a",
                    );
                }
                i += 2;
                continue;
            }
            "redis-server" | "redis-sentinel" | "valkey-server" | "keydb-server"
                if matches!(v, "--requirepass" | "--masterauth") =>
            {
                if let Some(n) = next {
                    emit_if_literal(emit, n, 0..n.value.len(), SecretKind::RedisPassword, v);
                }
                i += 2;
                continue;
            }
            "sshpass" => {
                if v == "-p" {
                    if let Some(n) = next {
                        emit_if_literal(
                            emit,
                            n,
                            0..n.value.len(),
                            SecretKind::Sshpass,
                            "sshpass -p",
                        );
                    }
                    i += 2;
                    continue;
                }
                if v.len() > 2 && v.starts_with("-p") {
                    emit_if_literal(emit, w, 2..v.len(), SecretKind::Sshpass, "sshpass -p");
                }
            }
            "aws" if v == "set" && i > 0 && args[i - 1].value == "configure" => {
                let rest: Vec<&ShellWord> = args[i + 1..]
                    .iter()
                    .filter(|a| !a.value.starts_with('-'))
                    .collect();
                if let [key, value, ..] = rest.as_slice()
                    && is_secret_name(&key.value)
                {
                    emit_if_literal(
                        emit,
                        value,
                        0..value.value.len(),
                        SecretKind::ConfigSet,
                        key.value.clone(),
                    );
                }
                return;
            }
            "npm" | "yarn" | "pnpm" | "npx"
                if v == "set" && i > 0 && args[i - 1].value == "config" =>
            {
                config_set(&args[i + 1..], emit);
                return;
            }
            "htpasswd" => {
                htpasswd(args, emit);
                return;
            }
            "openssl" if matches!(v, "-passin" | "-passout" | "-pass" | "-k" | "-password") => {
                if let Some(n) = next {
                    let off = if n.value.starts_with("pass:") {
                        5
                    } else if v == "-k" {
                        0
                    } else {
                        usize::MAX
                    };
                    if off != usize::MAX {
                        emit_if_literal(
                            emit,
                            n,
                            off..n.value.len(),
                            SecretKind::PasswordOption,
                            format!("openssl {v}"),
                        );
                    }
                }
                i += 2;
                continue;
            }
            "keytool"
                if matches!(
                    v,
                    "-storepass"
                        | "-keypass"
                        | "-srcstorepass"
                        | "-deststorepass"
                        | "-srckeypass"
                        | "-destkeypass"
                ) =>
            {
                if let Some(n) = next {
                    emit_if_literal(
                        emit,
                        n,
                        0..n.value.len(),
                        SecretKind::PasswordOption,
                        format!("keytool {v}"),
                    );
                }
                i += 2;
                continue;
            }
            // `echo "API_TOKEN=..." >> .env`: a named credential written into a file.
            "echo" | "printf" if !into_chpasswd => assignment_word(w, emit),
            // `useradd -p HASH user`: the crypt hash of the password, crackable offline.
            "useradd" | "usermod" => {
                let value = match v {
                    "-p" | "--password" => next.map(|n| (n, 0..n.value.len())),
                    _ if v.len() > 2 && v.starts_with("-p") => Some((w, 2..v.len())),
                    _ => None,
                };
                // `*` and `!…` lock the account: no password at all.
                if let Some((word, r)) = value
                    && let Some(text) = word.value.get(r.clone())
                    && !text.starts_with(['*', '!'])
                    && (is_crypt_hash(text) || is_literal(text))
                {
                    emit(word, r, SecretKind::UserAccount, format!("{name} -p"));
                }
                if matches!(v, "-p" | "--password") {
                    i += 2;
                    continue;
                }
            }
            "openssl" if i == 0 && v == "passwd" => {
                openssl_passwd(&args[1..], emit);
                return;
            }
            "echo" | "printf" => {
                if let Some(colon) = v.find(':')
                    && colon > 0
                    && !v.contains(char::is_whitespace)
                {
                    emit_if_literal(
                        emit,
                        w,
                        colon + 1..v.len(),
                        SecretKind::UserAccount,
                        "chpasswd",
                    );
                }
            }
            _ => {}
        }
        if mysql && v.len() > 2 && v.starts_with("-p") && !v.starts_with("--") {
            emit_if_literal(
                emit,
                w,
                2..v.len(),
                SecretKind::MysqlPassword,
                format!("{name} -p"),
            );
        }
        if login && (v == "-p" || v == "--password") {
            if let Some(n) = next {
                emit_if_literal(
                    emit,
                    n,
                    0..n.value.len(),
                    SecretKind::RegistryLogin,
                    format!("{name} login {v}"),
                );
            }
            i += 2;
            continue;
        }
        if matches!(v, "-e" | "--env" | "--build-arg" | "--set" | "--set-string") {
            if let Some(n) = next {
                assignment_word(n, emit);
            }
            i += 2;
            continue;
        }
        if let Some(opt) = v.strip_prefix("--") {
            if let Some((flag, _)) = opt.split_once('=') {
                let value_start = 2 + flag.len() + 1;
                let value = &v[value_start..];
                if secret_option(flag, false)
                    && !looks_like_path(value)
                    && !(flag == "secret" && is_buildkit_secret_spec(value))
                {
                    emit_if_literal(
                        emit,
                        w,
                        value_start..v.len(),
                        SecretKind::PasswordOption,
                        format!("--{flag}"),
                    );
                }
            } else if secret_option(opt, true)
                && !mysql
                && !(opt == "secret" && next.is_some_and(|n| is_buildkit_secret_spec(&n.value)))
                && let Some(n) = next_value
                && !looks_like_path(&n.value)
            {
                emit_if_literal(
                    emit,
                    n,
                    0..n.value.len(),
                    SecretKind::PasswordOption,
                    format!("--{opt}"),
                );
                i += 2;
                continue;
            }
        }
        i += 1;
    }
}

fn is_buildkit_secret_spec(v: &str) -> bool {
    ["id=", "src=", "source=", "type=", "env=", "required"]
        .iter()
        .any(|p| v.starts_with(p) || v.contains(&format!(",{p}")))
}

fn assignment_word(w: &ShellWord, emit: &mut Emit<'_>) {
    if let Some((name, start)) = assignment(&w.value)
        && is_secret_name(name)
    {
        let name = name.to_owned();
        emit_if_literal(emit, w, start..w.value.len(), SecretKind::Assignment, name);
    }
}

/// `user:password` in `w.value[from..]`: the password part.
fn user_colon_pass(w: &ShellWord, from: usize, emit: &mut Emit<'_>, via: String) {
    let Some(rest) = w.value.get(from..) else {
        return;
    };
    if let Some(colon) = rest.find(':') {
        let start = from + colon + 1;
        if start < w.value.len() {
            emit_if_literal(emit, w, start..w.value.len(), SecretKind::UserPassword, via);
        }
    }
}

/// `npm config set <key> <value>` / `<key>=<value>`.
fn config_set(rest: &[ShellWord], emit: &mut Emit<'_>) {
    let positional: Vec<&ShellWord> = rest.iter().filter(|a| !a.value.starts_with('-')).collect();
    let Some(first) = positional.first() else {
        return;
    };
    let key_of = |k: &str| {
        k.rsplit(':')
            .next()
            .unwrap_or(k)
            .trim_start_matches('_')
            .to_owned()
    };
    if let Some(eq) = first.value.find('=') {
        let key = key_of(&first.value[..eq]);
        if is_secret_name(&key) {
            emit_if_literal(
                emit,
                first,
                eq + 1..first.value.len(),
                SecretKind::ConfigSet,
                key,
            );
        }
    } else if let Some(value) = positional.get(1) {
        let key = key_of(&first.value);
        if is_secret_name(&key) {
            emit_if_literal(
                emit,
                value,
                0..value.value.len(),
                SecretKind::ConfigSet,
                key,
            );
        }
    }
}

/// `htpasswd -b[c] file user pass`, `htpasswd -nb user pass`.
/// The insides of the `$(…)` command substitutions of `value`, outermost first (nested
/// ones are reached when the inside is scanned).
pub fn substitutions(value: &str) -> Vec<Range<usize>> {
    let b = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'$' && b[i + 1] == b'(' && b.get(i + 2) != Some(&b'(') {
            let start = i + 2;
            let mut level = 1;
            let mut j = start;
            while j < b.len() && level > 0 {
                match b[j] {
                    b'(' => level += 1,
                    b')' => level -= 1,
                    _ => {}
                }
                j += 1;
            }
            if level == 0 {
                out.push(start..j - 1);
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// A crypt(3) hash as `useradd -p` takes it: `$1$…`, `$5$…`, `$6$…`, `$2b$…`, `$y$…`.
fn is_crypt_hash(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('$') else {
        return false;
    };
    let Some((id, hash)) = rest.split_once('$') else {
        return false;
    };
    matches!(
        id,
        "1" | "5" | "6" | "2a" | "2b" | "2y" | "y" | "gy" | "7" | "apr1"
    ) && hash.len() >= 8
        && hash
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'/' | b'$' | b'=' | b','))
}

/// `openssl passwd [-1|-5|-6|-apr1|-salt S] PASSWORD…`: each password written on the line
/// (none with `-stdin` or `-in FILE`).
fn openssl_passwd(args: &[ShellWord], emit: &mut Emit<'_>) {
    if args
        .iter()
        .any(|a| matches!(a.value.as_str(), "-stdin" | "-in"))
    {
        return;
    }
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a.value == "-salt" {
            i += 2;
            continue;
        }
        if !a.value.starts_with('-') {
            emit_if_literal(
                emit,
                a,
                0..a.value.len(),
                SecretKind::UserAccount,
                "openssl passwd",
            );
        }
        i += 1;
    }
}

fn htpasswd(args: &[ShellWord], emit: &mut Emit<'_>) {
    let flags: String = args
        .iter()
        .filter(|a| a.value.starts_with('-') && a.value.len() > 1)
        .map(|a| a.value[1..].to_owned())
        .collect();
    if !flags.contains('b') {
        return;
    }
    let positional: Vec<&ShellWord> = args.iter().filter(|a| !a.value.starts_with('-')).collect();
    let want = if flags.contains('n') { 2 } else { 3 };
    if positional.len() >= want {
        let pw = positional[want - 1];
        emit_if_literal(
            emit,
            pw,
            0..pw.value.len(),
            SecretKind::UserAccount,
            "htpasswd -b",
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn free_text_keywords_never_hide_a_regex_match() {
        let mut matched = [0; 3];
        for v in [
            "Authorization: Bearer abc123def",
            "PROXY-AUTHORIZATION: Basic dXNlcjpwYXNz",
            "X-Api-Key:k3y",
            "apikey: 123456",
            "PRIVATE-TOKEN: glpat-xxxxxxxxxxxxxxxxxxxx",
            "X-JFrog-Art-Api:AKCp8abc",
            "//registry.npmjs.org/:_authToken=npm_abc",
            "_PASSWORD=c2VjcmV0",
            "CREATE USER app IDENTIFIED BY 'Pw-1234'",
            "ALTER ROLE app WITH ENCRYPTED PASSWORD \"x-9\"",
            "password = 'abc'",
            "plain words only",
        ] {
            let (header, npm, sql) = free_text_keywords(v);
            for (i, (kept, regex)) in [
                (header, header_regex()),
                (npm, npm_regex()),
                (sql, sql_regex()),
            ]
            .into_iter()
            .enumerate()
            {
                if regex.is_match(v) {
                    assert!(kept, "{v} matches {regex} but its keywords were not seen");
                    matched[i] += 1;
                }
            }
        }
        // Every regex was exercised.
        assert!(matched.iter().all(|n| *n >= 2), "{matched:?}");
        assert_eq!(
            free_text_keywords("plain words only"),
            (false, false, false)
        );
    }

    use super::*;

    fn found(text: &str) -> Vec<&str> {
        scan_shell(text)
            .into_iter()
            .map(|s| &text[s.range])
            .collect()
    }

    #[test]
    fn finds_credentials_in_shell_commands() {
        let cases: &[(&str, &[&str])] = &[
            (
                "curl -fsSL -u deploy:Jq7rT2vX9wLp https://nexus.internal/repo/app.tgz",
                &["Jq7rT2vX9wLp"],
            ),
            (
                "curl --user ci-bot:W8nZp4Rk2Qs https://api.example.com",
                &["W8nZp4Rk2Qs"],
            ),
            ("curl -uadmin:Hx72Lk9q https://x", &["Hx72Lk9q"]),
            (
                r#"curl -H "Authorization: Bearer ghp_R4nd0mT0k3nV4lu3Xy12Ab34Cd56Ef78Gh90" https://api.github.com/user"#,
                &["ghp_R4nd0mT0k3nV4lu3Xy12Ab34Cd56Ef78Gh90"],
            ),
            (
                "curl -H 'Authorization: Basic ZGVwbG95Okpx N3JU' https://x",
                &["ZGVwbG95Okpx"],
            ),
            (
                "wget --header=\"Authorization: Token 8f3c2a91b7e64d05\" https://x",
                &["8f3c2a91b7e64d05"],
            ),
            (
                "curl --header 'PRIVATE-TOKEN: glpat-Xq7vR2mK9pL4sT8wZ3nB' https://gitlab.example.com/api/v4/projects",
                &["glpat-Xq7vR2mK9pL4sT8wZ3nB"],
            ),
            (
                "wget --user=build --password=Vb83-kQz1 https://repo.example.com/pkg.deb",
                &["Vb83-kQz1"],
            ),
            ("wget --http-password=Vb83kQz1x https://x", &["Vb83kQz1x"]),
            ("myapp serve --password Tz91mQ4r --port 80", &["Tz91mQ4r"]),
            ("redis-cli --pass Rq9vT3xZ ping", &["Rq9vT3xZ"]),
            (
                "mysql -uroot -pR00t-Pw9x shop < /tmp/schema.sql",
                &["R00t-Pw9x"],
            ),
            (
                "mysqldump -u backup --password=Bk7-Qz2w shop > /backup.sql",
                &["Bk7-Qz2w"],
            ),
            ("mariadb -h db -pMaria9xQ -e 'select 1'", &["Maria9xQ"]),
            (
                "PGPASSWORD=Pg7vQ2xLm psql -h db -U app -c 'select 1'",
                &["Pg7vQ2xLm"],
            ),
            (
                "export NPM_TOKEN=npm_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78 && npm ci",
                &["npm_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78"],
            ),
            ("env API_TOKEN=t0k-9Xq2 ./deploy.sh", &["t0k-9Xq2"]),
            ("redis-cli -h cache -a Rd5sPw8x ping", &["Rd5sPw8x"]),
            (
                "redis-server --appendonly yes --requirepass Rq9vT3xZ2",
                &["Rq9vT3xZ2"],
            ),
            (
                "docker login -u ci -p Dk9-xQ2vLm registry.example.com",
                &["Dk9-xQ2vLm"],
            ),
            (
                "docker login --password Dk9xQ2vLm -u ci registry.example.com",
                &["Dk9xQ2vLm"],
            ),
            (
                "sshpass -p 'Ss7h-Pw2q' ssh deploy@host uptime",
                &["Ss7h-Pw2q"],
            ),
            (
                "aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLQ",
                &["wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLQ"],
            ),
            (
                "npm config set //registry.npmjs.org/:_authToken npm_Zz12Yy34Xx56Ww78Vv90Uu12Tt34Ss56Rr78",
                &["npm_Zz12Yy34Xx56Ww78Vv90Uu12Tt34Ss56Rr78"],
            ),
            (
                "npm config set //npm.pkg.github.com/:_authToken=ghp_Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8",
                &["ghp_Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8"],
            ),
            (
                r#"echo "//registry.npmjs.org/:_authToken=npm_Kk12Jj34Hh56Gg78Ff90Dd12Ss34Aa56Qq78" > .npmrc"#,
                &["npm_Kk12Jj34Hh56Gg78Ff90Dd12Ss34Aa56Qq78"],
            ),
            (
                "git clone https://deploy:glpat-Zx8vBn3mQw7rTy2uIo9p@gitlab.example.com/acme/app.git",
                &["glpat-Zx8vBn3mQw7rTy2uIo9p"],
            ),
            (
                "htpasswd -bc /etc/nginx/.htpasswd admin Ng1nx-Adm1n",
                &["Ng1nx-Adm1n"],
            ),
            (
                "htpasswd -nbB admin Ng1nxAdm1n > /etc/nginx/htpasswd",
                &["Ng1nxAdm1n"],
            ),
            ("echo 'root:R00tPw-7x' | chpasswd", &["R00tPw-7x"]),
            (
                "openssl pkcs12 -export -in c.pem -out c.p12 -passout pass:P12-Exp0rt",
                &["P12-Exp0rt"],
            ),
            (
                r#"mysql -e "CREATE USER 'app'@'%' IDENTIFIED BY 'Ap9-Us3r'""#,
                &["Ap9-Us3r"],
            ),
            ("sh -c 'mysql -pR00tQ7x shop'", &["R00tQ7x"]),
            (
                "apt-get update && \\\n  curl -u bot:Cx8mVq2Lz https://x",
                &["Cx8mVq2Lz"],
            ),
            ("docker run -e DB_PASSWORD=Dp4sVq9x postgres", &["Dp4sVq9x"]),
            (
                "echo \"SENTRY_AUTH_TOKEN=sntrys_Qm9ndXNGYWtl\" >> /app/.env",
                &["sntrys_Qm9ndXNGYWtl"],
            ),
            (
                "curl --oauth2-bearer ya29.Zq81Lm4Vx7Rt2Nw9 https://x",
                &["ya29.Zq81Lm4Vx7Rt2Nw9"],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(found(text), *want, "{text}");
        }
    }

    #[test]
    fn ignores_references_prompts_and_non_credentials() {
        for text in [
            "curl -u deploy:$NEXUS_PASSWORD https://x",
            "curl -u \"deploy:${NEXUS_PASSWORD}\" https://x",
            "curl -u deploy https://x",
            "curl -H \"Authorization: Bearer $(cat /run/secrets/gh_token)\" https://x",
            "curl -H \"Authorization: Bearer ${TOKEN}\" https://x",
            "TOKEN=$(cat /run/secrets/npm_token) npm ci",
            "export NPM_TOKEN=\"$(cat /run/secrets/npm)\"",
            "export GITHUB_TOKEN",
            "mysql -p shop",
            "mysql -u root -p",
            "mysql --password shop",
            "mysql -P3306 -h db",
            "docker run -p 8080:80 nginx",
            "docker run -u 1000:1000 alpine",
            "cat /run/secrets/token | docker login --password-stdin -u ci registry.example.com",
            "docker build --secret id=npmrc,src=.npmrc .",
            "docker build --secret id=npmrc --secret id=pip .",
            "app --password-file /run/secrets/db_password",
            "app --token-file=/run/secrets/api",
            "app --password=/run/secrets/db",
            "app --password=$$DB_PASSWORD",
            "app --password=${DB_PASSWORD:?}",
            "app --password \"$DB_PASSWORD\"",
            "curl --key /etc/ssl/client.key https://x",
            "aws s3api get-object --bucket b --key path/to/object out.bin",
            "curl -H 'Authorization: Bearer <token>' https://x",
            "curl -u user:password https://x",
            "git clone https://${GIT_USER}:${GIT_TOKEN}@github.com/acme/app.git",
            "pip install \"git+https://${GITHUB_TOKEN}@github.com/acme/shop-core.git@v2.3.1\"",
            "sshpass -e ssh host",
            "htpasswd -c /etc/nginx/.htpasswd admin",
            "keytool -importcert -storepass changeit -file ca.crt",
            "useradd --no-log-init -r app",
            "PGPASSWORD=\"$(cat /run/secrets/pg)\" psql -h db",
            "echo $GITHUB_TOKEN | docker login ghcr.io -u bot --password-stdin",
            "app --password=true",
            "app --skip-password-check now",
            "initdb --auth-host=scram-sha-256 --auth-local=peer -D /data",
            "mongod --auth --bind_ip_all",
            "apt-key adv --keyserver keyserver.ubuntu.com --recv-keys 0xABCDEF12",
            "echo \"DB_PASSWORD=${DB_PASSWORD}\" >> .env",
            "sed -e 's/x/y/' -e \"s/PASSWORD=.*/PASSWORD=z/\" f",
            "npm config set registry https://registry.npmjs.org/",
            "# curl -u admin:Hx72Lk9q https://x",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn ranges_map_through_quotes_and_continuations() {
        let text = "curl -u \"bot:Wq8\\\"zP\" https://x";
        let s = scan_shell(text);
        assert_eq!(s.len(), 1);
        assert_eq!(&text[s[0].range.clone()], "Wq8\\\"zP");
        let text = "curl -u bot:\\\nCx8mVq2Lz https://x";
        let s = scan_shell(text);
        assert_eq!(&text[s[0].range.clone()], "Cx8mVq2Lz");
    }

    #[test]
    fn argv_lists() {
        let words = ["mysqld", "--user=mysql", "--password=My5ql-Pw"];
        let s = scan_argv(&words);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].word, 2);
        assert_eq!(&words[2][s[0].secret.range.clone()], "My5ql-Pw");
        let words = ["redis-cli", "-a", "Rd5sPw8x", "ping"];
        let s = scan_argv(&words);
        assert_eq!(
            (s[0].word, s[0].secret.kind),
            (2, SecretKind::RedisPassword)
        );
        let words = ["sh", "-c", "PGPASSWORD=Pg7vQ2xLm pg_isready -h db"];
        let s = scan_argv(&words);
        assert_eq!(s.len(), 1);
        assert_eq!(&words[2][s[0].secret.range.clone()], "Pg7vQ2xLm");
        for words in [
            vec!["CMD", "mysqladmin", "ping", "-p$$MYSQL_ROOT_PASSWORD"],
            vec!["CMD-SHELL", "redis-cli -a $${REDIS_PASSWORD} ping"],
            vec!["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"],
            vec!["docker", "run", "-p", "8080:80", "nginx"],
        ] {
            assert!(scan_argv(&words).is_empty(), "{words:?}");
        }
    }

    #[test]
    fn tokenizer_keeps_redirections() {
        let cmds = parse_commands(
            "cat /run/secrets/npmrc > ~/.npmrc && cp /run/secrets/a /app/a | tee -a x 2>/dev/null",
        );
        assert_eq!(cmds.len(), 3);
        assert_eq!(cmds[0].redirects[0].op, ">");
        assert_eq!(
            cmds[0].redirects[0]
                .target
                .as_ref()
                .map(|t| t.value.as_str()),
            Some("~/.npmrc")
        );
        assert!(cmds[1].piped);
        assert_eq!(cmds[2].words.len(), 3);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for t in [
            "'",
            "\"",
            "\\",
            "$(",
            "a=$(b",
            "curl -u",
            "é -pé",
            "mysql -pé",
            "htpasswd -b",
            "{ }",
            "a |",
            "> ",
        ] {
            let _ = scan_shell(t);
            let _ = scan_argv(&[t, t]);
        }
    }
}
