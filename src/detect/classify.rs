//! Name and value classifiers shared by every secret rule.
//!
//! # NAME classifier ([`is_secret_name`], [`secret_name_reason`])
//!
//! The name is split into lowercase *segments* on every non-alphanumeric
//! character (`_`, `-`, `.`, `__`, spaces, …) and on camelCase boundaries
//! (`dbPassword` → `db`,`password`; `APIKey` → `api`,`key`;
//! `OAuth2Token` → `o`,`auth2`,`token`). Digits stay attached.
//!
//! Each segment (or pair of segments) may be a *hit*:
//!
//! * **strong** words — `password passwd passphrase pword pwd secret secrets
//!   token apikey credential credentials creds dsn salt` — plus one-segment
//!   compounds ending in `password`/`passwd`/`passphrase`/`secret`/`token`/
//!   `credentials` (`PGPASSWORD`, `clientsecret`, `authtoken`), and
//!   *qualifier*+`key` either as two segments or one (`API_KEY`, `apiKey`,
//!   `APIKEY`, `PRIVATE_KEY`, `ACCESS_KEY`, `SECRET_KEY`, `AUTH_KEY`,
//!   `ENCRYPTION_KEY`, `SIGNING_KEY`, `LICENSE_KEY`, …; see
//!   `KEY_QUALIFIERS`), and `dbpass`-style compounds of a known prefix + `pass`.
//! * **weak** words — `pass pw auth key keys` — count only when *final*:
//!   nothing follows them except transparent qualifiers such as `prod`,
//!   `test`, `live`, `v2`, `b64`, `pem`, `json`, `config`, digits (`REDIS_PASS`, `BASIC_AUTH`,
//!   `STRIPE_KEY_LIVE`; but not `PASS_THROUGH`, `AUTH_MODE`, `KEY_NAME`).
//!
//! A hit is cancelled when:
//!
//! * any later segment is a *modifier* (`file path dir url uri host port
//!   endpoint ttl expiry timeout length min max size count method mode type
//!   name alias id arn prompt header provider strategy policy format
//!   algorithm hash hashers user username author reset rounds version prefix
//!   column scope issuer audience helper …`) — the name then describes a
//!   property *of* the secret, not the secret (`POSTGRES_PASSWORD_FILE`,
//!   `DB__PASSWORD__FILE`, `PASSWORD_RESET_URI`, `TOKEN_TTL`,
//!   `AWS_ACCESS_KEY_ID`, `API_KEY_HEADER`, `PASSWORD_HASHERS`);
//! * any earlier segment is a flag verb (`allow empty random generate enable
//!   disable skip require use show hide min max hashed`) —
//!   `MYSQL_ALLOW_EMPTY_PASSWORD`, `MYSQL_RANDOM_ROOT_PASSWORD`;
//! * for key/token/dsn hits: an earlier `public`/`pub`/`publishable`/`anon`
//!   segment (`PUBLIC_KEY`, `NEXT_PUBLIC_SENTRY_DSN`, `SUPABASE_ANON_KEY`,
//!   `STRIPE_PUBLISHABLE_KEY` are public by design); password/secret hits are
//!   not cancelled by `public`;
//! * for a plain `key`/`keys` hit: the segment right before it names a
//!   non-secret kind of key (`primary foreign partition sort range hash
//!   cache gpg pgp site routing idempotency object lookup hot`):
//!   `PRIMARY_KEY_COLUMN`, `GPG_KEY`, `RECAPTCHA_SITE_KEY`.
//!
//! Exact-name exceptions: `PWD` (shell working directory) and
//! `GOOGLE_APPLICATION_CREDENTIALS` (a file path by convention).
//!
//! Decisions / known trade-offs:
//! * `url`/`uri`/`host`/… are never secret by name; credentials inside URLs
//!   are another rule's job. `*_CONNECTION_STRING` is not secret by name.
//! * `jwt`, `otp`, `cookie`, `signing`, `private`, `access`, `session` are
//!   not secret on their own (`JWT_EXPIRY`, `SESSION_COOKIE_SECURE`,
//!   `GOPRIVATE`); they only qualify a following `key`.
//! * `SECRET_ID` / `VAULT_SECRET_ID` are *not* secret (`id` cancels) — a
//!   known miss for Vault AppRole, accepted to keep `*_KEY_ID`/`*_SECRET_ID`
//!   ARN/name variables quiet.
//! * `MAX_TOKENS` (LLM settings) is not secret: `tokens` is not a word.
//! * `SECRET_KEY_BASE_LENGTH` → not secret (`length`);
//!   `PRIMARY_KEY_COLUMN` → not secret; `HTTP_AUTH` → secret.
//!
//! # VALUE classifier ([`classify_value`])
//!
//! The value is taken as the program receives it after YAML parsing but
//! before Compose interpolation, so `$$` is an escaped `$`. Order:
//! [`ValueClass::Empty`] (blank) → [`ValueClass::Boolean`] →
//! interpolation analysis: the *literal skeleton* is the literal text at top
//! level plus the literal text of `:-`/`-`/`:+`/`+` arguments (recursively);
//! `:?`/`?` messages are ignored. If the value contains references and the
//! skeleton has no alphanumeric character, it is a [`ValueClass::Reference`]
//! (`${A}`, `$A`, `${A:?msg}`, `${A:-}`, `${USER}:${PASS}`). Otherwise the
//! skeleton (or the whole unescaped value) is classified as text:
//! Empty / Boolean / [`ValueClass::SecretsPath`] / [`ValueClass::Placeholder`]
//! / [`ValueClass::Literal`]. So `${DB_PASSWORD:-changeme}` is a Placeholder,
//! `${DB_PASSWORD:-hunter2}` a Literal, `${DEBUG:-false}` a Boolean.
//! A value that is not valid interpolation syntax is classified as raw text
//! (a Compose error is another rule's concern). Short numeric values other
//! than `0`/`1` (`1234`) are Literal: a weak hardcoded password is a finding.

use crate::compose::interpolate;

// ---------------------------------------------------------------------------
// Name classifier
// ---------------------------------------------------------------------------

/// Split a variable name into lowercase segments (see module docs).
pub fn name_segments(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in name.split(|c: char| !c.is_alphanumeric()) {
        if chunk.is_empty() {
            continue;
        }
        let chars: Vec<char> = chunk.chars().collect();
        let mut cur = String::new();
        for (i, &c) in chars.iter().enumerate() {
            if i > 0 && c.is_uppercase() {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
                let boundary = prev.is_lowercase()
                    || (prev.is_uppercase() && next_lower)
                    || (prev.is_numeric() && next_lower);
                if boundary && !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            cur.extend(c.to_lowercase());
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Password,
    Secret,
    Token,
    /// qualifier + key (api key, private key, …)
    QualifiedKey,
    /// plain `key`/`keys`
    Key,
    Credential,
    Dsn,
    Salt,
    Auth,
}

struct Hit {
    start: usize,
    end: usize, // inclusive
    weak: bool,
    family: Family,
    reason: &'static str,
}

const STRONG_WORDS: &[(&str, Family, &str)] = &[
    ("password", Family::Password, "password"),
    ("passwd", Family::Password, "password"),
    ("pword", Family::Password, "password"),
    ("pwd", Family::Password, "password"),
    ("passphrase", Family::Password, "passphrase"),
    ("secret", Family::Secret, "secret"),
    ("secrets", Family::Secret, "secret"),
    ("token", Family::Token, "token"),
    ("apikey", Family::QualifiedKey, "api key"),
    ("credential", Family::Credential, "credentials"),
    ("credentials", Family::Credential, "credentials"),
    ("creds", Family::Credential, "credentials"),
    ("dsn", Family::Dsn, "dsn"),
    ("salt", Family::Salt, "salt"),
];

const WEAK_WORDS: &[(&str, Family, &str)] = &[
    ("pass", Family::Password, "password"),
    ("pw", Family::Password, "password"),
    ("auth", Family::Auth, "auth"),
    ("key", Family::Key, "key"),
    ("keys", Family::Key, "key"),
];

/// One-segment compounds recognised by suffix (`PGPASSWORD`, `clientsecret`).
const STRONG_SUFFIXES: &[(&str, Family, &str)] = &[
    ("password", Family::Password, "password"),
    ("passwd", Family::Password, "password"),
    ("passphrase", Family::Password, "passphrase"),
    ("secret", Family::Secret, "secret"),
    ("token", Family::Token, "token"),
    ("credentials", Family::Credential, "credentials"),
];

/// Prefixes that make `<prefix>pass` a password (`DBPASS`, `ROOTPASS`);
/// deliberately excludes `by`/`com`/`over` (`BYPASS`, `COMPASS`).
const PASS_PREFIXES: &[&str] = &[
    "db", "root", "admin", "user", "pg", "mysql", "redis", "smtp", "mail", "ftp", "ldap", "sql",
    "mongo", "rabbit", "amqp",
];

/// `<qualifier> key` is a secret key (also as one segment: `apikey`).
const KEY_QUALIFIERS: &[(&str, &str)] = &[
    ("api", "api key"),
    ("private", "private key"),
    ("priv", "private key"),
    ("secret", "secret key"),
    ("access", "access key"),
    ("signing", "signing key"),
    ("signature", "signing key"),
    ("encryption", "encryption key"),
    ("encrypt", "encryption key"),
    ("decryption", "encryption key"),
    ("crypto", "encryption key"),
    ("cipher", "encryption key"),
    ("master", "master key"),
    ("auth", "auth key"),
    ("session", "session key"),
    ("hmac", "hmac key"),
    ("license", "license key"),
    ("licence", "license key"),
    ("app", "app key"),
    ("application", "app key"),
    ("client", "client key"),
    ("service", "service key"),
    ("server", "server key"),
    ("admin", "admin key"),
    ("root", "root key"),
    ("deploy", "deploy key"),
    ("ssh", "ssh key"),
    ("tls", "tls key"),
    ("ssl", "ssl key"),
    ("jwt", "jwt key"),
    ("webhook", "webhook key"),
    ("account", "account key"),
    ("storage", "storage key"),
    ("shared", "shared key"),
    ("subscription", "subscription key"),
    ("write", "write key"),
    ("management", "management key"),
    ("rsa", "private key"),
    ("cookie", "cookie key"),
    ("csrf", "csrf key"),
    ("recovery", "recovery key"),
    ("unlock", "unlock key"),
    ("registration", "registration key"),
    ("activation", "activation key"),
    ("product", "product key"),
];

/// Segments that, *after* a hit, make the name describe a property of the
/// secret rather than the secret itself.
const AFTER_CANCEL: &[&str] = &[
    // a stand-in: Rails' `SECRET_KEY_BASE_DUMMY=1` asks for a generated throwaway key
    "dummy",
    // locations
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "dirs",
    "directory",
    "folder",
    "location",
    "mount",
    "volume",
    "url",
    "urls",
    "uri",
    "uris",
    "host",
    "hosts",
    "hostname",
    "port",
    "endpoint",
    "endpoints",
    "address",
    "addr",
    "server",
    "service",
    "socket",
    "sock",
    "bucket",
    "region",
    "namespace",
    "store",
    "backend",
    "manager",
    "engine",
    "helper",
    "helpers",
    "command",
    "cmd",
    "script",
    "program",
    // time / size / counters
    "ttl",
    "expiry",
    "expires",
    "expire",
    "expiration",
    "exp",
    "lifetime",
    "duration",
    "age",
    "timeout",
    "seconds",
    "secs",
    "sec",
    "minutes",
    "mins",
    "hours",
    "days",
    "ms",
    "interval",
    "length",
    "len",
    "min",
    "max",
    "size",
    "count",
    "limit",
    "limits",
    "attempts",
    "retries",
    "threshold",
    "rounds",
    "cost",
    "iterations",
    "complexity",
    "strength",
    // switches / kinds / metadata
    "method",
    "methods",
    // `MAILU_PASSWORD_SCHEME=SHA512-CRYPT`, `JWT_TOKEN_AUTH_MODULE=token_verification`
    "scheme",
    "module",
    "mode",
    "type",
    "types",
    "kind",
    "enabled",
    "enable",
    "disable",
    "disabled",
    "required",
    "require",
    "optional",
    "flag",
    "flags",
    "name",
    "names",
    "alias",
    "aliases",
    "id",
    "ids",
    "arn",
    "ref",
    "reference",
    "prompt",
    "header",
    "headers",
    "field",
    "fields",
    "param",
    "params",
    "parameter",
    "provider",
    "providers",
    "strategy",
    "policy",
    "policies",
    "rotation",
    "format",
    "fmt",
    "algorithm",
    "algorithms",
    "algo",
    "alg",
    "hash",
    "hashes",
    "hasher",
    "hashers",
    "hashing",
    "fingerprint",
    "fpr",
    "checksum",
    "sha",
    "sha256",
    "user",
    "users",
    "username",
    "usernames",
    "login",
    "author",
    "owner",
    "group",
    "uid",
    "gid",
    "reset",
    "version",
    "prefix",
    "suffix",
    "column",
    "table",
    "scope",
    "scopes",
    "realm",
    "issuer",
    "audience",
    "domain",
    "level",
    "log",
    "logging",
    "debug",
    "verbose",
    "cache",
    "env",
    "var",
    "variable",
    "regex",
    "pattern",
    "validation",
    "validator",
    "label",
    "labels",
    "description",
    "hint",
    "source",
    "encoding",
    "charset",
    "master",
    "minion",
];

/// Flag-like segments that cancel a later hit (`ALLOW_EMPTY_PASSWORD`).
const BEFORE_CANCEL: &[&str] = &[
    "allow",
    "empty",
    "random",
    "generate",
    "generated",
    "enable",
    "enabled",
    "disable",
    "disabled",
    "skip",
    "require",
    "required",
    "use",
    "show",
    "hide",
    "min",
    "max",
    "hashed",
];

/// Segments that mark a key/token/dsn as public by design.
const PUBLIC_MARKERS: &[&str] = &["public", "pub", "publishable", "anon"];

/// Segments right before a plain `key` that name a non-secret key.
const KEY_KIND_CANCEL: &[&str] = &[
    "primary",
    "foreign",
    "partition",
    "sort",
    "range",
    "hash",
    "cache",
    "gpg",
    "pgp",
    "gnupg",
    "site",
    "routing",
    "idempotency",
    "object",
    "lookup",
    "hot",
    "unique",
    "composite",
    "index",
    "dedup",
];

/// Segments that may follow a weak word without making it non-final.
fn is_transparent(seg: &str) -> bool {
    const T: &[&str] = &[
        "prod",
        "production",
        "dev",
        "development",
        "staging",
        "stage",
        "stg",
        "test",
        "testing",
        "live",
        "local",
        "sandbox",
        "qa",
        "uat",
        "demo",
        "default",
        "b64",
        "base64",
        "pem",
        "hex",
        "raw",
        "value",
        "val",
        "old",
        "new",
        "current",
        "prev",
        "previous",
        "next",
        "secondary",
        "backup",
        "fallback",
        "main",
        "encoded",
        "config",
        "json",
    ];
    if T.contains(&seg) || seg.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    // v1, v2, …
    seg.strip_prefix('v')
        .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit()))
}

fn key_qualifier(seg: &str) -> Option<&'static str> {
    KEY_QUALIFIERS
        .iter()
        .find(|(q, _)| *q == seg)
        .map(|(_, r)| *r)
}

fn segment_hit(segs: &[String], i: usize) -> Option<Hit> {
    let seg = segs[i].as_str();
    let single = |weak, family, reason| Hit {
        start: i,
        end: i,
        weak,
        family,
        reason,
    };
    // qualifier + key as two segments.
    if let Some(next) = segs.get(i + 1)
        && (next == "key" || next == "keys")
        && let Some(reason) = key_qualifier(seg)
    {
        return Some(Hit {
            start: i,
            end: i + 1,
            weak: false,
            family: Family::QualifiedKey,
            reason,
        });
    }
    if let Some((_, f, r)) = STRONG_WORDS.iter().find(|(w, _, _)| *w == seg) {
        return Some(single(false, *f, *r));
    }
    if let Some((_, f, r)) = WEAK_WORDS.iter().find(|(w, _, _)| *w == seg) {
        return Some(single(true, *f, *r));
    }
    for (suffix, f, r) in STRONG_SUFFIXES {
        if seg.len() > suffix.len() && seg.ends_with(suffix) {
            return Some(single(false, *f, *r));
        }
    }
    for suffix in ["keys", "key"] {
        if let Some(q) = seg.strip_suffix(suffix)
            && let Some(r) = key_qualifier(q)
        {
            return Some(single(false, Family::QualifiedKey, r));
        }
    }
    if let Some(p) = seg.strip_suffix("pass")
        && PASS_PREFIXES.contains(&p)
    {
        return Some(single(false, Family::Password, "password"));
    }
    None
}

fn hit_survives(segs: &[String], h: &Hit) -> bool {
    let after = &segs[h.end + 1..];
    let before = &segs[..h.start];
    if after.iter().any(|s| AFTER_CANCEL.contains(&s.as_str())) {
        return false;
    }
    if before.iter().any(|s| BEFORE_CANCEL.contains(&s.as_str())) {
        return false;
    }
    if h.weak && !after.iter().all(|s| is_transparent(s)) {
        return false;
    }
    let public_cancellable = match h.family {
        Family::Key | Family::Token | Family::Dsn => true,
        Family::QualifiedKey => !matches!(h.reason, "secret key" | "private key"),
        _ => false,
    };
    if public_cancellable && before.iter().any(|s| PUBLIC_MARKERS.contains(&s.as_str())) {
        return false;
    }
    if h.family == Family::Key
        && before
            .last()
            .is_some_and(|s| KEY_KIND_CANCEL.contains(&s.as_str()))
    {
        return false;
    }
    true
}

/// Which word made `name` secret (e.g. `"password"`, `"api key"`,
/// `"token"`), or `None` if the name is not secret. When several words
/// qualify, the last one in the name is reported (a qualified key such as
/// "api key" wins over the bare "key" it contains).
pub fn secret_name_reason(name: &str) -> Option<&'static str> {
    let segs = name_segments(name);
    let joined = segs.join("_");
    if joined == "pwd" || joined == "google_application_credentials" {
        return None;
    }
    // Prefer the hit ending last; on a tie prefer the strong (compound) one,
    // so `API_KEY` reports "api key" rather than "key".
    let mut best: Option<Hit> = None;
    for i in 0..segs.len() {
        if let Some(h) = segment_hit(&segs, i)
            && hit_survives(&segs, &h)
        {
            let better = best
                .as_ref()
                .is_none_or(|b| h.end > b.end || (h.end == b.end && b.weak && !h.weak));
            if better {
                best = Some(h);
            }
        }
    }
    best.map(|h| h.reason)
}

/// Whether a variable/key name denotes a secret (see module docs).
pub fn is_secret_name(name: &str) -> bool {
    secret_name_reason(name).is_some()
}

/// For a name whose only secret word is `dsn` (`DATABASE_DSN`, `SENTRY_DSN`): whether the
/// value can hold a credential. A DSN is a secret through its user-info
/// (`postgres://app:pw@db`, Sentry's `https://key@o1.ingest.sentry.io/1`) or a
/// `password=`/`pwd=` parameter; a file path or a host alone (`.test.db`,
/// `sqlite:///data/app.db`, `host=db port=5432`) is not a secret.
pub fn dsn_may_hold_secret(value: &str) -> bool {
    let l = value.to_ascii_lowercase();
    l.contains('@')
        || [
            "password=",
            "passwd=",
            "pwd=",
            "pass=",
            "secret=",
            "token=",
            "key=",
        ]
        .iter()
        .any(|p| l.contains(p))
}

// ---------------------------------------------------------------------------
// Value classifier
// ---------------------------------------------------------------------------

/// Class of a value (see module docs for the precise order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueClass {
    /// Empty or whitespace only.
    Empty,
    /// `true false yes no on off 0 1` (case-insensitive).
    Boolean,
    /// Only variable references, no literal text (separators allowed).
    Reference,
    /// Under `/run/secrets/` (or `/var/run/secrets/`, or
    /// `C:\ProgramData\Docker\secrets`).
    SecretsPath,
    /// The path of a file (`certs/elasticsearch-key.pem`, `./secrets/db.txt`): where a
    /// secret is kept, not the secret.
    FilePath,
    /// Literal text that looks like a placeholder ([`is_placeholder`]).
    Placeholder,
    /// Anything else: a hardcoded value.
    Literal,
}

fn is_boolean(t: &str) -> bool {
    ["true", "false", "yes", "no", "on", "off", "0", "1"]
        .iter()
        .any(|b| t.eq_ignore_ascii_case(b))
}

/// A relative or absolute file path: no white space, and either rooted (`./`, `../`, `~/`,
/// or `/` with two folders) or holding a folder and ending in a file name with an extension
/// (`certs/elasticsearch-key.pem`). Not a URL.
fn is_file_path(t: &str) -> bool {
    if t.chars().any(char::is_whitespace) || t.contains("://") {
        return false;
    }
    let rooted = ["./", "../", "~/"].iter().any(|p| t.starts_with(p)) && t.len() > 3
        || t.starts_with('/') && t.matches('/').count() >= 3;
    let named = t.rsplit_once('/').is_some_and(|(dir, file)| {
        !dir.is_empty()
            && file.rsplit_once('.').is_some_and(|(stem, ext)| {
                !stem.is_empty()
                    && (1..=5).contains(&ext.len())
                    && ext.chars().all(|c| c.is_ascii_alphanumeric())
                    && ext.chars().any(|c| c.is_ascii_alphabetic())
            })
    });
    rooted || named
}

fn is_secrets_path(t: &str) -> bool {
    if t.starts_with("/run/secrets/") || t.starts_with("/var/run/secrets/") {
        return true;
    }
    let win = t.to_ascii_lowercase().replace('/', "\\");
    win.starts_with("c:\\programdata\\docker\\secrets\\")
}

fn classify_text(t: &str) -> ValueClass {
    let t = t.trim();
    // `null` and `~` are YAML's (and JSON's) word for no value, `None` Python's and
    // `nil` Ruby's or Go's: settings files read by those programs mean "unset".
    // `invalid` and `disabled` are the sentinels that switch a feature off (mailcow's
    // `API_KEY=${API_KEY:-invalid}`).
    let no_value = ["null", "none", "nil", "invalid", "disabled"]
        .iter()
        .any(|w| t.eq_ignore_ascii_case(w));
    if t.is_empty() || no_value || t == "~" {
        ValueClass::Empty
    } else if is_boolean(t) {
        ValueClass::Boolean
    } else if is_secrets_path(t) {
        ValueClass::SecretsPath
    } else if is_file_path(t) {
        ValueClass::FilePath
    } else if is_placeholder(t) {
        ValueClass::Placeholder
    } else {
        ValueClass::Literal
    }
}

/// Literal text reachable in `parts` (defaults/alternates included, error
/// messages excluded). Returns whether any variable reference was seen.
fn skeleton(parts: &[interpolate::Part], out: &mut String) -> bool {
    let mut has_var = false;
    for p in parts {
        match p {
            interpolate::Part::Literal { text, .. } => out.push_str(text),
            interpolate::Part::Var(v) => {
                has_var = true;
                if let (Some(op), Some(arg)) = (v.op, &v.arg)
                    && !op.is_error()
                {
                    skeleton(arg, out);
                }
            }
        }
    }
    has_var
}

/// Classify a value as received after YAML parsing, before Compose
/// interpolation (`$$` is an escaped `$`).
/// Whether a compose value holds a variable reference (`$$` escapes are not references).
pub fn has_reference(value: &str) -> bool {
    interpolate::parse(value)
        .is_ok_and(|parts| parts.iter().any(|p| matches!(p, interpolate::Part::Var(_))))
}

/// Whether `value` (a variable's value once interpolated) is a setting rather than a
/// secret: a flag (`true`, `no`, `False`). Neither a blank value nor an explicit "none"
/// (`REDIS_PASSWORD=None`) is: that is a secret not filled in yet.
pub fn is_setting(value: &str) -> bool {
    classify_value(value) == ValueClass::Boolean
}

pub fn classify_value(value: &str) -> ValueClass {
    if value.trim().is_empty() {
        return ValueClass::Empty;
    }
    let Ok(parts) = interpolate::parse(value) else {
        return classify_text(value);
    };
    let mut text = String::new();
    let has_var = skeleton(&parts, &mut text);
    if has_var && !text.chars().any(char::is_alphanumeric) {
        return ValueClass::Reference;
    }
    classify_text(&text)
}

/// For a value containing `${VAR:-lit}` / `${VAR-lit}` whose default is a
/// non-empty literal (no references): the unescaped default text and the
/// byte range of its raw source. The first such default in source order is
/// returned, searching nested defaults too (`${A:-${B:-lit}}` → `lit`).
#[cfg(test)]
pub fn literal_default(value: &str) -> Option<(String, std::ops::Range<usize>)> {
    let parts = interpolate::parse(value).ok()?;
    find_literal_default(&parts)
}

#[cfg(test)]
fn find_literal_default(parts: &[interpolate::Part]) -> Option<(String, std::ops::Range<usize>)> {
    for p in parts {
        let interpolate::Part::Var(v) = p else {
            continue;
        };
        let (Some(op), Some(arg), Some(range)) = (v.op, &v.arg, &v.arg_range) else {
            continue;
        };
        if !op.is_default() {
            continue;
        }
        let mut text = String::new();
        let has_var = skeleton(arg, &mut text);
        if !has_var && !text.is_empty() {
            return Some((text, range.clone()));
        }
        if let Some(found) = find_literal_default(arg) {
            return Some(found);
        }
    }
    None
}

/// Whether `value` (trimmed, case-insensitive) looks like a placeholder
/// rather than a real secret.
///
/// Placeholders:
/// * whole-value words (ignoring `-`, `_`, `.`, spaces): `changeme`,
///   `changeit`, `changethis`, `replaceme`, `password`, `passwd`, `secret`,
///   `yourpassword`, `yoursecret`, `placeholder`, `todo`, `tbd`, `fixme`,
///   `dummy`, `fake`, `test`, `example`, `sample`, `none`, `null`, `nil`,
///   `undefined`, `redacted`, `hidden`, `empty`, `notset`, `unset`, `na`
///   (`n/a`), `setme`, `tobeset`, `token`, `apikey`, `secretkey`, `foo`,
///   `bar`, `foobar`;
/// * containing `changeme`, `changethis`, `replaceme`, `placeholder`,
///   `redacted`, `dummy`, `example`, `...` / `…`, a run of ≥5 `x` or ≥3 `*`;
/// * masks: only `x * • # ? . - _` and spaces, with ≥3 mask characters
///   (`xxxx`, `***`, `...`, `xxxx-xxxx`);
/// * templating: `<...>`, `{{ ... }}`, `${{ ... }}`, `{% ... %}`, and
///   word-only `[...]`, `{...}`, `%...%`, `@...@`, `__...__`;
/// * `your…`/`insert…`/`enter…`/`replace…`/`put…`/`paste…`/`fill…`/`add…`
///   followed by a separator (`your-secret-here`, `insert_key_here`), a
///   `your` prefix with a secret word (`yourapikey`), a `…here` suffix after
///   a separator (`token_goes_here`), `todo:`/`fixme:` prefixes.
///
/// Not placeholders (real weak values, worth a finding): `admin`, `root`,
/// `postgres`, `pass`, `secret123`, `password1`, `mysecretpassword`, `1234`.
/// Words that stand for "some value" in examples and documentation (`user:password@host`,
/// `curl -u admin:secret`, `token`, `foo`). In free text with no name to go by (a URL, a
/// command line) they are taken for examples; as the value of a named variable they are a
/// real, weak credential (a service configured with `password` accepts it).
pub fn is_example_word(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "pass",
        "secret",
        "test",
        "token",
        "apikey",
        "secretkey",
        "foo",
        "bar",
        "foobar",
    ];
    let norm: String = value
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    WORDS.contains(&norm.as_str())
}

pub fn is_placeholder(value: &str) -> bool {
    let t = value.trim();
    if t.is_empty() {
        return false;
    }
    let l = t.to_lowercase();
    let norm: String = l.chars().filter(|c| c.is_alphanumeric()).collect();

    // Words that say the value is not the real one. Words that are real if weak values
    // (`password`, `secret`, `test`, `token`) are not here: a service configured with them
    // accepts them, so they are credentials like `postgres` or `admin`.
    const WORDS: &[&str] = &[
        "changeme",
        "changeit",
        "changethis",
        "changemenow",
        "replaceme",
        "yourpassword",
        "yoursecret",
        "placeholder",
        "todo",
        "tbd",
        "fixme",
        "dummy",
        "fake",
        "example",
        "sample",
        "none",
        "null",
        "nil",
        "undefined",
        "redacted",
        "hidden",
        "empty",
        "notset",
        "unset",
        "na",
        "setme",
        "tobeset",
    ];
    if WORDS.contains(&norm.as_str()) {
        return true;
    }
    const CONTAINS: &[&str] = &[
        "changeme",
        "changethis",
        "replaceme",
        "placeholder",
        "redacted",
        "dummy",
        "example",
    ];
    if CONTAINS.iter().any(|w| norm.contains(w)) {
        return true;
    }
    // `FAKE_TO_GENERATE_WARNING_OUTPUT`, `fake-token`: says what it is.
    if norm.starts_with("fake") {
        return true;
    }
    // One character repeated (`0000`, `aaaaaa`): a filler, not a chosen value.
    let mut chars = t.chars();
    let filler = t.len() >= 4 && chars.next().is_some_and(|c| chars.all(|d| d == c));
    if filler || l.contains("...") || l.contains('…') || has_run(&l, 'x', 5) || has_run(&l, '*', 3)
    {
        return true;
    }
    // Masks.
    let mask_chars = l
        .chars()
        .filter(|c| matches!(c, 'x' | '*' | '•' | '#' | '?' | '.' | '-' | '_'))
        .count();
    if mask_chars >= 3
        && l.chars()
            .all(|c| matches!(c, 'x' | '*' | '•' | '#' | '?' | '.' | '-' | '_' | ' '))
    {
        return true;
    }
    // Templating / wrapped markers.
    let wrapped = |open: &str, close: &str| {
        l.len() > open.len() + close.len() && l.starts_with(open) && l.ends_with(close)
    };
    if wrapped("<", ">") || wrapped("{{", "}}") || wrapped("${{", "}}") || wrapped("{%", "%}") {
        return true;
    }
    let wordy = |inner: &str| {
        !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' ' | '.'))
    };
    for (open, close) in [("[", "]"), ("{", "}"), ("%", "%"), ("@", "@"), ("__", "__")] {
        if wrapped(open, close)
            && let Some(inner) = l
                .get(open.len()..l.len() - close.len())
                .filter(|i| i.chars().any(char::is_alphabetic))
            && wordy(inner)
        {
            return true;
        }
    }
    // Instructional prefixes/suffixes.
    let sep_after = |prefix: &str| {
        l.strip_prefix(prefix)
            .and_then(|r| r.chars().next())
            .is_some_and(|c| matches!(c, '-' | '_' | ' ' | '.' | ':'))
    };
    if [
        "your", "insert", "enter", "replace", "put", "paste", "fill", "add", "todo", "fixme",
    ]
    .iter()
    .any(|p| sep_after(p))
    {
        return true;
    }
    if norm.starts_with("your")
        && [
            "password", "passwd", "secret", "key", "token", "here", "pass",
        ]
        .iter()
        .any(|w| norm[4..].contains(w))
    {
        return true;
    }
    if let Some(stem) = l.strip_suffix("here")
        && stem.ends_with(['-', '_', ' ', '.'])
    {
        return true;
    }
    false
}

fn has_run(s: &str, ch: char, n: usize) -> bool {
    let mut run = 0;
    for c in s.chars() {
        if c == ch {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Redact a secret for display.
///
/// Definition (character-based, never splits a UTF-8 sequence): with
/// `n` = number of chars, values with `n < 6` become `"****"`; otherwise
/// `k = min(2, n / 6)` chars are kept at each end and the middle is replaced
/// by exactly `"****"` (the length is not revealed). So at most 2+2 chars
/// and at most a third of the value (`2k ≤ n/3`) are ever shown:
/// `"hunter2"` → `"h****2"`, `"correcthorse"` → `"co****se"`.
pub fn redact(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n < 6 {
        return "****".to_string();
    }
    let k = (n / 6).min(2);
    let mut out: String = chars[..k].iter().collect();
    out.push_str("****");
    out.extend(&chars[n - k..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segmentation() {
        let cases: &[(&str, &[&str])] = &[
            ("dbPassword", &["db", "password"]),
            ("APIKey", &["api", "key"]),
            ("apiKey", &["api", "key"]),
            ("DB__PASSWORD__FILE", &["db", "password", "file"]),
            (
                "spring.datasource.password",
                &["spring", "datasource", "password"],
            ),
            ("x-api-key", &["x", "api", "key"]),
            ("mongoRootPassword", &["mongo", "root", "password"]),
            ("OAuth2Token", &["o", "auth2", "token"]),
            ("S3Bucket", &["s3", "bucket"]),
            ("HTTPServerURL", &["http", "server", "url"]),
            ("", &[]),
            ("__", &[]),
            ("ÜberSecret", &["über", "secret"]),
        ];
        for (name, want) in cases {
            assert_eq!(name_segments(name), *want, "{name}");
        }
    }

    const SECRET_NAMES: &[&str] = &[
        "DB_PASSWORD",
        "POSTGRES_PASSWORD",
        "MYSQL_ROOT_PASSWORD",
        "MYSQL_PASSWORD",
        "MARIADB_ROOT_PASSWORD",
        "MONGO_INITDB_ROOT_PASSWORD",
        "SHOP_DB_PASSWORD",
        "SHOP_SESSION_SECRET",
        "GITHUB_TOKEN",
        "NPM_TOKEN",
        "NODE_AUTH_TOKEN",
        "API_KEY",
        "APIKEY",
        "apiKey",
        "STRIPE_KEY",
        "STRIPE_SECRET_KEY",
        "STRIPE_KEY_LIVE",
        "SECRET_KEY_BASE",
        "DJANGO_SECRET_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "PRIVATE_KEY",
        "PRIVATE_KEY_PEM",
        "JWT_SECRET",
        "REDIS_PASS",
        "REDIS_PASSWORD",
        "SMTP_PWD",
        "SMTP_PASSWORD",
        "SENTRY_DSN",
        "DATABASE_PASSWORD",
        "VAULT_TOKEN",
        "AUTH_TOKEN",
        "BASIC_AUTH",
        "HTTP_AUTH",
        "CREDENTIALS",
        "WORDPRESS_AUTH_KEY",
        "WORDPRESS_LOGGED_IN_SALT",
        "WORDPRESS_DB_PASSWORD",
        "ENCRYPTION_KEY",
        "N8N_ENCRYPTION_KEY",
        "ADMIN_PASS",
        "RABBITMQ_DEFAULT_PASS",
        "mongoRootPassword",
        "db.password",
        "spring.datasource.password",
        "x-api-key",
        "PGPASSWORD",
        "MYSQLPASSWORD",
        "DBPASS",
        "MINIO_ROOT_PASSWORD",
        "MINIO_SECRET_KEY",
        "MINIO_ACCESS_KEY",
        "KEYCLOAK_ADMIN_PASSWORD",
        "KC_DB_PASSWORD",
        "GF_SECURITY_ADMIN_PASSWORD",
        "GF_SECURITY_SECRET_KEY",
        "NEXTAUTH_SECRET",
        "OAUTH_CLIENT_SECRET",
        "clientSecret",
        "GOOGLE_CLIENT_SECRET",
        "SUPABASE_SERVICE_ROLE_KEY",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "API_KEY_V2",
        "APP_KEY",
        "LICENSE_KEY",
        "SIGNING_KEY",
        "SESSION_KEY",
        "TLS_KEY",
        "SSH_KEY",
        "SSH_PASSPHRASE",
        "KEY_PASSPHRASE",
        "DB_PW",
        "SECRET",
        "TOKEN",
        "ACCESS_TOKEN",
        "REFRESH_TOKEN",
        "accessToken",
        "HF_TOKEN",
        "CI_JOB_TOKEN",
        "DOCKER_REGISTRY_PASSWORD",
        "REGISTRY_AUTH",
        "PROXY_AUTH",
        "AZURE_STORAGE_ACCOUNT_KEY",
        "DATABASE_DSN",
        "COOKIE_SECRET",
        "WEBHOOK_SECRET",
        "SECRET_KEY_FALLBACKS",
        "ConnectionStrings__Password",
        "DB_USER_PASSWORD",
        "PUBLIC_KEY_PASSWORD",
        "LDAP_BIND_PASSWORD",
        "PASSWORD",
        "Password",
        "password",
        "passwd",
        "TWILIO_AUTH_TOKEN",
        "SLACK_BOT_TOKEN",
        "DB_CREDS",
        "PASSWORD_SALT",
        "DOCKER_AUTH_CONFIG",
        "GCP_SA_KEY_JSON",
        "RAILS_MASTER_KEY",
        "AWS_SESSION_TOKEN",
    ];

    const NON_SECRET_NAMES: &[&str] = &[
        "SITE_AUTHOR",
        "AUTH_MODE",
        "AUTH_METHOD",
        "POSTGRES_HOST_AUTH_METHOD",
        "PASSWORD_RESET_URI",
        "TOKEN_TTL",
        "NOTES_TOKEN_TTL_SECONDS",
        "PASSWORD_MIN_LENGTH",
        "GOPRIVATE",
        "KMS_KEY_ALIAS",
        "KEY_NAME",
        "PASSWORD_PROMPT",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "POSTGRES_PASSWORD_FILE",
        "MYSQL_ROOT_PASSWORD_FILE",
        "DB__PASSWORD__FILE",
        "SECRET_KEY_FILE",
        "ALLOW_EMPTY_PASSWORD",
        "MYSQL_ALLOW_EMPTY_PASSWORD",
        "MYSQL_RANDOM_ROOT_PASSWORD",
        "NOTES_AUTH_PROVIDER",
        "PASSPORT_STRATEGY",
        "PASSPORT_SESSION",
        "KEYBOARD_LAYOUT",
        "MONKEY",
        "TOKENIZERS_PARALLELISM",
        "PUBLIC_KEY",
        "VAPID_PUBLIC_KEY",
        "NEXT_PUBLIC_API_KEY",
        "NEXT_PUBLIC_SENTRY_DSN",
        "STRIPE_PUBLISHABLE_KEY",
        "SUPABASE_ANON_KEY",
        "SSH_KEY_PATH",
        "API_KEY_HEADER",
        "SECRET_KEY_BASE_LENGTH",
        // Rails 7.1+ Dockerfiles: `RUN SECRET_KEY_BASE_DUMMY=1 ./bin/rails assets:precompile`.
        "SECRET_KEY_BASE_DUMMY",
        "AWS_ACCESS_KEY_ID",
        "JWT_EXPIRY",
        "JWT_ALGORITHM",
        "SESSION_COOKIE_SECURE",
        "PASSWORD_HASHERS",
        "NODE_AUTH_TOKEN_FILE",
        "COMPOSE_PROJECT_NAME",
        "PRIMARY_KEY_COLUMN",
        "GPG_KEY",
        "GPG_KEYS",
        "NGINX_GPGKEY",
        "RECAPTCHA_SITE_KEY",
        "PWD",
        "OLDPWD",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "AWS_SHARED_CREDENTIALS_FILE",
        "GIT_ASKPASS",
        "SSH_AUTH_SOCK",
        "AUTH_URL",
        "AUTH_ENABLED",
        "AUTH_USER",
        "PASS_THROUGH",
        "BYPASS_CACHE",
        "COMPASS_URL",
        "TOKEN_AUDIENCE",
        "TOKEN_ISSUER",
        "ACCESS_TOKEN_EXPIRE_MINUTES",
        "REFRESH_TOKEN_LIFETIME",
        "SALT_ROUNDS",
        "BCRYPT_SALT_ROUNDS",
        "SECRET_NAME",
        "SECRETS_DIR",
        "CREDENTIALS_PATH",
        "GIT_CREDENTIAL_HELPER",
        "KEY_VAULT_NAME",
        "KEYCLOAK_ADMIN",
        "DATABASE_URL",
        "REDIS_URL",
        "API_URL",
        "CLIENT_ID",
        "USERNAME",
        "POSTGRES_USER",
        "OPENAI_MAX_TOKENS",
        "MAX_TOKENS",
        "CACHE_KEY_PREFIX",
        "PASSWORD_HASH",
        "HASHED_PASSWORD",
        "KMS_KEY_ID",
        "SECRET_ARN",
        "PASSWORD_AUTH_ENABLED",
        "DISABLE_AUTH",
        "SKIP_AUTH",
        "AUTH0_DOMAIN",
        "SECRETS_MANAGER_ENDPOINT",
        "TOKEN_ENDPOINT",
        "API_VERSION",
        "HOSTNAME",
        "NODE_ENV",
        "",
        "_",
    ];

    #[test]
    fn secret_names() {
        let bad: Vec<_> = SECRET_NAMES.iter().filter(|n| !is_secret_name(n)).collect();
        assert!(bad.is_empty(), "should be secret: {bad:?}");
    }

    #[test]
    fn non_secret_names() {
        let bad: Vec<_> = NON_SECRET_NAMES
            .iter()
            .filter(|n| is_secret_name(n))
            .map(|n| (n, secret_name_reason(n)))
            .collect();
        assert!(bad.is_empty(), "should NOT be secret: {bad:?}");
        assert!(SECRET_NAMES.len() + NON_SECRET_NAMES.len() >= 80);
    }

    #[test]
    fn reasons() {
        let cases = [
            ("DB_PASSWORD", "password"),
            ("REDIS_PASS", "password"),
            ("API_KEY", "api key"),
            ("apiKey", "api key"),
            ("APIKEY", "api key"),
            ("PRIVATE_KEY", "private key"),
            ("AWS_SECRET_ACCESS_KEY", "access key"),
            ("GITHUB_TOKEN", "token"),
            ("SENTRY_DSN", "dsn"),
            ("BASIC_AUTH", "auth"),
            ("STRIPE_KEY", "key"),
            ("SECRET_KEY_BASE", "secret key"),
            ("WORDPRESS_LOGGED_IN_SALT", "salt"),
            ("CREDENTIALS", "credentials"),
        ];
        for (n, r) in cases {
            assert_eq!(secret_name_reason(n), Some(r), "{n}");
        }
        assert_eq!(secret_name_reason("HOSTNAME"), None);
    }

    #[test]
    fn values() {
        use ValueClass::*;
        let cases: &[(&str, ValueClass)] = &[
            ("", Empty),
            ("   ", Empty),
            ("\t\n", Empty),
            ("true", Boolean),
            ("FALSE", Boolean),
            ("yes", Boolean),
            ("No", Boolean),
            ("on", Boolean),
            ("off", Boolean),
            ("0", Boolean),
            ("1", Boolean),
            ("${DB_PASSWORD}", Reference),
            ("$DB_PASSWORD", Reference),
            ("${DB_PASSWORD:?set DB_PASSWORD}", Reference),
            ("${DB_PASSWORD?required}", Reference),
            ("${DB_PASSWORD:-}", Reference),
            ("${DB_PASSWORD-}", Reference),
            ("${A:-${B}}", Reference),
            ("${USER}:${PASS}", Reference),
            (" ${TOKEN} ", Reference),
            ("${DB_PASSWORD:-hunter2}", Literal),
            ("${DB_PASSWORD-hunter2}", Literal),
            ("${DB_PASSWORD:-changeme}", Placeholder),
            ("${A:-${B:-s3cr3t}}", Literal),
            ("${DEBUG:-false}", Boolean),
            ("${PW:-/run/secrets/db}", SecretsPath),
            ("$$ecret", Literal),
            ("pa$$word", Literal),
            ("$$", Literal),
            ("prefix${VAR}", Literal),
            ("/run/secrets/db_password", SecretsPath),
            ("/run/secrets/${NAME}", SecretsPath),
            ("/var/run/secrets/token", SecretsPath),
            ("C:\\ProgramData\\Docker\\secrets\\db", SecretsPath),
            ("c:/programdata/docker/secrets/db", SecretsPath),
            ("/run/secretsfoo", Literal),
            ("changeme", Placeholder),
            ("change_me", Placeholder),
            ("CHANGE-ME", Placeholder),
            ("example", Placeholder),
            ("password", Literal),
            ("secret", Literal),
            ("<password>", Placeholder),
            ("<your api key>", Placeholder),
            ("your-secret-here", Placeholder),
            ("xxxx", Placeholder),
            ("XXXXXXXX", Placeholder),
            ("***", Placeholder),
            ("...", Placeholder),
            ("sk-...", Placeholder),
            ("sk-xxxxxxxxxxxxxxxx", Placeholder),
            ("TODO", Placeholder),
            ("REPLACE_ME", Placeholder),
            ("dummy", Placeholder),
            ("test", Literal),
            ("{{ .Values.password }}", Placeholder),
            ("${{ secrets.TOKEN }}", Placeholder),
            ("none", Empty),
            ("certs/elasticsearch-key.pem", FilePath),
            ("./secrets/db_password.txt", FilePath),
            ("/etc/ssl/private/server.key", FilePath),
            ("s3cr3t/pw", Literal),
            ("https://hooks.acme.io/x.json", Literal),
            ("None", Empty),
            ("invalid", Empty),
            ("0000", Placeholder),
            ("aaaaaaaa", Placeholder),
            ("null", Empty),
            ("hunter2", Literal),
            ("s3cr3t!", Literal),
            ("1234", Literal),
            ("admin", Literal),
            ("postgres", Literal),
            ("mysecretpassword", Literal),
            ("password123", Literal),
            ("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", Literal),
            ("correct horse battery staple", Literal),
            ("${", Literal),
            ("abc${", Literal),
            ("ünïcödé-sécret", Literal),
        ];
        assert!(cases.len() >= 40);
        let bad: Vec<_> = cases
            .iter()
            .filter(|(v, want)| classify_value(v) != *want)
            .map(|(v, want)| (v, want, classify_value(v)))
            .collect();
        assert!(bad.is_empty(), "misclassified (value, want, got): {bad:#?}");
    }

    #[test]
    fn placeholders_extra() {
        for v in [
            // The AWS CLI's own Dockerfile: `ARG AWS_SECRET_ACCESS_KEY=FAKE_TO_GENERATE_WARNING_OUTPUT`.
            "FAKE_TO_GENERATE_WARNING_OUTPUT",
            "fake-token",
            "your_api_key",
            "YourApiKey",
            "insert_key_here",
            "token_goes_here",
            "enter-your-token",
            "[YOUR_TOKEN]",
            "%SECRET%",
            "@DB_PASSWORD@",
            "__SECRET__",
            "xxxx-xxxx-xxxx",
            "••••••",
            "{% secret %}",
            "<%= ENV['X'] %>",
            "TODO: fill in",
            "n/a",
            "REDACTED",
            "my-placeholder-value",
            "super-example-key",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in [
            "",
            "hunter2",
            "x",
            "xx",
            "yourself123",
            "examplary",
            "[\"a\",\"b\"]",
            "{}",
            "<>",
            "secret123",
            "pass",
            "Tr0ub4dor&3",
        ] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn dsn_values() {
        for v in [
            "postgres://app:Pg4-Lm8@db:5432/app",
            "https://3f9a1c7e5b2d4068@o123456.ingest.sentry.io/42",
            "host=db user=app password=Zt5uQ2wx dbname=app",
            "Server=db;Database=app;User Id=sa;Pwd=Sq1-Lx9;",
            "mysql:host=db;dbname=app;pass=Xy8",
        ] {
            assert!(dsn_may_hold_secret(v), "{v}");
        }
        for v in [
            ".test.db",
            "sqlite:///data/app.db",
            "file::memory:?cache=shared",
            "host=db port=5432 dbname=app sslmode=disable",
            "postgres://db:5432/app",
        ] {
            assert!(!dsn_may_hold_secret(v), "{v}");
        }
    }

    #[test]
    fn literal_defaults() {
        let v = "${DB_PASSWORD:-hunter2}";
        let (t, r) = literal_default(v).unwrap();
        assert_eq!(t, "hunter2");
        assert_eq!(&v[r], "hunter2");
        let v = "${X-default}";
        assert_eq!(literal_default(v).unwrap().0, "default");
        let v = "${A:-${B:-c}}";
        let (t, r) = literal_default(v).unwrap();
        assert_eq!(t, "c");
        assert_eq!(r, 10..11);
        let v = "${A:-$$ecret}";
        let (t, r) = literal_default(v).unwrap();
        assert_eq!(t, "$ecret");
        assert_eq!(&v[r], "$$ecret");
        assert_eq!(literal_default("${A:-}"), None);
        assert_eq!(literal_default("${A}"), None);
        assert_eq!(literal_default("${A:?msg}"), None);
        assert_eq!(literal_default("${A:+alt}"), None);
        assert_eq!(literal_default("${A:-$B}"), None);
        assert_eq!(literal_default("literal"), None);
        assert_eq!(literal_default("${"), None);
        let v = "x ${A} ${B:-é€}";
        let (t, r) = literal_default(v).unwrap();
        assert_eq!(t, "é€");
        assert_eq!(&v[r], "é€");
    }

    #[test]
    fn redact_examples() {
        assert_eq!(redact("hunter2"), "h****2");
        assert_eq!(redact("correcthorse"), "co****se");
        assert_eq!(redact(""), "****");
        assert_eq!(redact("abcde"), "****");
        assert_eq!(redact("abcdef"), "a****f");
        assert_eq!(redact("ééééééé"), "é****é");
    }

    #[test]
    fn redact_properties() {
        let samples = [
            "a",
            "ab",
            "abcdef",
            "abcdefghijk",
            "abcdefghijkl",
            "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
            "日本語のパスワードです",
            "🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑",
            "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----",
        ];
        let mut all: Vec<String> = samples.iter().map(|s| s.to_string()).collect();
        for n in 0..40 {
            all.push("é".repeat(n));
            all.push("z".repeat(n));
        }
        for s in &all {
            let r = redact(s);
            let n = s.chars().count();
            assert!(r.contains("****"), "{s}");
            let shown = r.chars().count() - 4;
            assert!(shown <= 4, "{s}: {r}");
            assert!(shown * 3 <= n, "reveals more than a third: {s} -> {r}");
            if shown > 0 {
                let k = shown / 2;
                let head: String = s.chars().take(k).collect();
                let tail: String = s.chars().skip(n - k).collect();
                assert_eq!(r, format!("{head}****{tail}"));
            }
        }
    }

    #[test]
    fn never_panics() {
        let inputs = [
            "", "$", "${", "}", "$$$", "${A:-", "<", ">", "<>", "{{", "}}", "__", "@", "%", "é",
            "\u{0}", "your", "here", "x", "*",
        ];
        for s in inputs {
            let _ = classify_value(s);
            let _ = is_placeholder(s);
            let _ = literal_default(s);
            let _ = redact(s);
            let _ = is_secret_name(s);
        }
        let hostile = "${A:-".repeat(5000);
        let _ = classify_value(&hostile);
        let _ = literal_default(&hostile);
    }
}
