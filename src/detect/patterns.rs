//! Known-token catalogue ("KT" rules).
//!
//! Token formats are described declaratively in TOML files (one per provider,
//! under `rules/tokens/`), embedded into the binary and parsed once. Each
//! pattern carries literal `keywords`; an Aho-Corasick automaton over all
//! keywords decides which patterns are worth trying on a given text, and a
//! pattern's regexes are only compiled the first time one of its keywords
//! occurs in scanned text.
//!
//! File format (every key except `entropy`, `allowlist`, `priority`,
//! `examples` and `counter-examples` is required; unknown keys are errors):
//!
//! ```toml
//! [[pattern]]
//! id = "github-pat-classic"          # stable kebab-case id
//! code = "KT003"                      # stable, unique across all files
//! name = "github-personal-access-token"
//! description = "GitHub personal access token (classic)"
//! regex = '''\bghp_[A-Za-z0-9]{36}\b''' # group 1, if present, is the secret
//! keywords = ["ghp_"]                 # ASCII case-insensitive literals
//! entropy = 3.5                       # minimum Shannon entropy of the secret
//! allowlist = ['''(?i)example''']     # secret matching any => not reported
//! priority = 0                        # higher wins when matches overlap
//! examples = ["ghp_..."]              # must match
//! counter-examples = ["ghp_short"]    # must not match
//! ```

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

/// Declares one embedded rule file: `(display name, contents)`.
macro_rules! token_file {
    ($name:literal) => {
        (
            concat!("rules/tokens/", $name, ".toml"),
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/rules/tokens/",
                $name,
                ".toml"
            )),
        )
    };
}

/// The embedded built-in rule files, as `(file name, TOML text)` pairs, in
/// load order.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    token_file!("aws"),
    token_file!("github"),
    token_file!("gitlab"),
    token_file!("slack"),
    token_file!("stripe"),
    token_file!("google"),
    token_file!("private-key"),
    token_file!("jwt"),
    token_file!("npm"),
    token_file!("pypi"),
    token_file!("docker"),
    token_file!("openai"),
    token_file!("anthropic"),
    token_file!("twilio"),
    token_file!("sendgrid"),
    token_file!("huggingface"),
    token_file!("mailchimp"),
    token_file!("mailgun"),
    token_file!("shopify"),
    token_file!("digitalocean"),
    token_file!("vault"),
    token_file!("terraform"),
    token_file!("databricks"),
    token_file!("azure"),
    token_file!("square"),
    token_file!("telegram"),
    token_file!("grafana"),
    token_file!("sentry"),
    token_file!("heroku"),
    token_file!("atlassian"),
    token_file!("linear"),
    token_file!("postman"),
    token_file!("pulumi"),
    token_file!("rubygems"),
    token_file!("age"),
    token_file!("discord"),
    token_file!("doppler"),
    token_file!("flyio"),
    token_file!("newrelic"),
    token_file!("alibaba"),
    token_file!("cloudflare"),
    token_file!("datadog"),
    token_file!("netlify"),
    token_file!("supabase"),
];

/// Error produced while loading a rule file. Every variant names the file and
/// the 1-based line the problem is on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The file is not valid TOML or does not fit the schema (unknown key,
    /// missing key, wrong type).
    #[error("{file}:{line}: invalid pattern file: {message}")]
    Toml {
        /// File name as given to [`PatternSet::load`].
        file: String,
        /// 1-based line number.
        line: usize,
        /// Parser message.
        message: String,
    },
    /// A `regex` or `allowlist` entry does not compile.
    #[error("{file}:{line}: pattern `{id}`: invalid regex: {message}")]
    Regex {
        /// File name.
        file: String,
        /// Line of the offending `regex` / `allowlist` value.
        line: usize,
        /// Pattern id.
        id: String,
        /// Compiler message.
        message: String,
    },
    /// Two patterns share an `id`.
    #[error(
        "{file}:{line}: duplicate pattern id `{id}` (first defined at {first_file}:{first_line})"
    )]
    DuplicateId {
        /// File of the second definition.
        file: String,
        /// Line of the second definition.
        line: usize,
        /// The id.
        id: String,
        /// File of the first definition.
        first_file: String,
        /// Line of the first definition.
        first_line: usize,
    },
    /// Two patterns share a `code`.
    #[error(
        "{file}:{line}: duplicate pattern code `{code}` (first used at {first_file}:{first_line})"
    )]
    DuplicateCode {
        /// File of the second use.
        file: String,
        /// Line of the second use.
        line: usize,
        /// The code.
        code: String,
        /// File of the first use.
        first_file: String,
        /// Line of the first use.
        first_line: usize,
    },
    /// A pattern has no `keywords` (or an empty list), so it could never run.
    #[error("{file}:{line}: pattern `{id}` has no keywords")]
    MissingKeywords {
        /// File name.
        file: String,
        /// Line of the pattern's `id` (or of the empty `keywords` list).
        line: usize,
        /// Pattern id.
        id: String,
    },
    /// A field has a value outside what is allowed (id not kebab-case, code
    /// not `KT` + digits, empty keyword, entropy out of range).
    #[error("{file}:{line}: pattern `{id}`: {message}")]
    Invalid {
        /// File name.
        file: String,
        /// Line of the offending value.
        line: usize,
        /// Pattern id.
        id: String,
        /// What is wrong.
        message: String,
    },
}

impl LoadError {
    /// The file the error is in.
    pub fn file(&self) -> &str {
        match self {
            LoadError::Toml { file, .. }
            | LoadError::Regex { file, .. }
            | LoadError::DuplicateId { file, .. }
            | LoadError::DuplicateCode { file, .. }
            | LoadError::MissingKeywords { file, .. }
            | LoadError::Invalid { file, .. } => file,
        }
    }

    /// The 1-based line the error is on.
    pub fn line(&self) -> usize {
        match self {
            LoadError::Toml { line, .. }
            | LoadError::Regex { line, .. }
            | LoadError::DuplicateId { line, .. }
            | LoadError::DuplicateCode { line, .. }
            | LoadError::MissingKeywords { line, .. }
            | LoadError::Invalid { line, .. } => *line,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    pattern: Vec<RawPattern>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPattern {
    id: Spanned<String>,
    code: Spanned<String>,
    name: String,
    description: String,
    regex: Spanned<String>,
    #[serde(default)]
    keywords: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    entropy: Option<Spanned<f64>>,
    #[serde(default)]
    allowlist: Vec<Spanned<String>>,
    #[serde(default)]
    priority: i32,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    counter_examples: Vec<String>,
}

/// Compiled form of a pattern: its main regex and allowlist.
#[derive(Debug, Clone)]
struct Compiled {
    regex: Regex,
    has_group: bool,
    allowlist: Vec<Regex>,
}

impl Compiled {
    fn build(regex: &str, allowlist: &[String]) -> Result<Compiled, (Option<usize>, String)> {
        let main = Regex::new(regex).map_err(|e| (None, e.to_string()))?;
        let allow = allowlist
            .iter()
            .enumerate()
            .map(|(i, a)| Regex::new(a).map_err(|e| (Some(i), e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Compiled {
            has_group: main.captures_len() > 1,
            regex: main,
            allowlist: allow,
        })
    }
}

/// One known-token pattern.
#[derive(Debug)]
pub struct Pattern {
    /// Stable kebab-case id, e.g. `github-pat-classic`.
    pub id: String,
    /// Stable rule code, e.g. `KT003`.
    pub code: String,
    /// Short kebab-case name of the token kind.
    pub name: String,
    /// Human-readable description.
    pub description: String,
    /// Lower-case literals; the pattern is tried only when one occurs.
    pub keywords: Vec<String>,
    /// Minimum Shannon entropy (bits per char) of the secret part.
    pub entropy: Option<f64>,
    /// Tie-break when matches of different patterns overlap (higher wins).
    pub priority: i32,
    /// Texts the pattern must match.
    pub examples: Vec<String>,
    /// Texts the pattern must not match.
    pub counter_examples: Vec<String>,
    /// File the pattern was loaded from.
    pub file: String,
    /// Line of the pattern's `id` in [`Pattern::file`].
    pub line: usize,
    code_line: usize,
    regex: String,
    allowlist: Vec<String>,
    compiled: OnceLock<Option<Compiled>>,
}

impl Pattern {
    /// The regex source.
    pub fn regex(&self) -> &str {
        &self.regex
    }

    /// The allowlist regex sources.
    pub fn allowlist(&self) -> &[String] {
        &self.allowlist
    }

    /// Compiles on first use; `None` if the regex is broken (only possible for
    /// data that skipped validation, i.e. the embedded files; a test guards).
    fn compiled(&self, counter: &AtomicUsize) -> Option<&Compiled> {
        self.compiled
            .get_or_init(|| {
                counter.fetch_add(1, Ordering::Relaxed);
                Compiled::build(&self.regex, &self.allowlist).ok()
            })
            .as_ref()
    }

    /// All accepted matches of this pattern alone: `(whole match, secret)`.
    fn find_all(&self, c: &Compiled, text: &str) -> Vec<(Range<usize>, Range<usize>)> {
        let mut out = Vec::new();
        if c.has_group {
            for caps in c.regex.captures_iter(text) {
                let Some(whole) = caps.get(0) else { continue };
                let secret = caps.get(1).unwrap_or(whole);
                out.push((whole.range(), secret.range()));
            }
        } else {
            for m in c.regex.find_iter(text) {
                out.push((m.range(), m.range()));
            }
        }
        out.retain(|(_, secret)| {
            !secret.is_empty() && text.get(secret.clone()).is_some_and(|s| self.accepts(c, s))
        });
        out
    }

    fn accepts(&self, c: &Compiled, secret: &str) -> bool {
        if let Some(min) = self.entropy
            && shannon_entropy(secret) < min
        {
            return false;
        }
        !c.allowlist.iter().any(|a| a.is_match(secret))
    }

    /// Byte ranges of the secrets this pattern alone finds in `text`
    /// (after entropy and allowlist filtering, before overlap resolution).
    /// Ignores keywords. Empty if the regex does not compile.
    pub fn find_secrets(&self, text: &str) -> Vec<Range<usize>> {
        let scratch = AtomicUsize::new(0);
        match self.compiled(&scratch) {
            Some(c) => self.find_all(c, text).into_iter().map(|(_, s)| s).collect(),
            None => Vec::new(),
        }
    }
}

/// A secret found by [`PatternSet::scan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenMatch {
    /// Rule code, e.g. `KT003`.
    pub code: String,
    /// Pattern id, e.g. `github-pat-classic`.
    pub id: String,
    /// Pattern name.
    pub name: String,
    /// Pattern description.
    pub description: String,
    /// Byte range of the secret in the scanned text.
    pub range: Range<usize>,
}

/// A loaded set of token patterns with a keyword prefilter.
#[derive(Debug)]
pub struct PatternSet {
    patterns: Vec<Pattern>,
    prefilter: Option<AhoCorasick>,
    /// For each prefilter keyword, the patterns that own it.
    owners: Vec<Vec<usize>>,
    compiled: AtomicUsize,
}

struct Candidate {
    pattern: usize,
    whole_len: usize,
    secret: Range<usize>,
}

impl PatternSet {
    /// The built-in catalogue (embedded `rules/tokens/*.toml`), parsed once.
    ///
    /// Regexes are compiled lazily. Panics only if the embedded data is
    /// broken, which the crate's tests guard against.
    pub fn builtin() -> &'static PatternSet {
        static BUILTIN: OnceLock<PatternSet> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            PatternSet::parse(BUILTIN_FILES, false)
                .unwrap_or_else(|e| panic!("embedded token patterns are broken: {e}"))
        })
    }

    /// Loads and fully validates pattern files given as `(file name, text)`.
    /// Every regex is compiled here so that errors surface at load time.
    pub fn load(files: &[(&str, &str)]) -> Result<PatternSet, LoadError> {
        PatternSet::parse(files, true)
    }

    /// Parses files; with `validate`, compiles (and keeps) every regex.
    fn parse(files: &[(&str, &str)], validate: bool) -> Result<PatternSet, LoadError> {
        let mut set = PatternSet::empty();
        for (file, text) in files {
            set.patterns
                .extend(parse_file(file, text, validate, &set.compiled)?);
        }
        check_unique(&set.patterns, 0)?;
        set.rebuild_prefilter();
        Ok(set)
    }

    fn empty() -> PatternSet {
        PatternSet {
            patterns: Vec::new(),
            prefilter: None,
            owners: Vec::new(),
            compiled: AtomicUsize::new(0),
        }
    }

    /// Adds the patterns of `other` (e.g. a user's extra patterns file).
    /// Fails, leaving `self` unchanged, if an id or code is already used.
    pub fn extend(&mut self, other: PatternSet) -> Result<(), LoadError> {
        let old = self.patterns.len();
        let extra = other.compiled.load(Ordering::Relaxed);
        self.patterns.extend(other.patterns);
        if let Err(e) = check_unique(&self.patterns, old) {
            self.patterns.truncate(old);
            return Err(e);
        }
        self.compiled.fetch_add(extra, Ordering::Relaxed);
        self.rebuild_prefilter();
        Ok(())
    }

    fn rebuild_prefilter(&mut self) {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut words: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        for (i, p) in self.patterns.iter().enumerate() {
            for k in &p.keywords {
                let k = k.to_ascii_lowercase();
                let slot = *index.entry(k.clone()).or_insert_with(|| {
                    words.push(k);
                    owners.push(Vec::new());
                    owners.len() - 1
                });
                if !owners[slot].contains(&i) {
                    owners[slot].push(i);
                }
            }
        }
        self.prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&words)
            .ok();
        self.owners = owners;
    }

    /// All patterns, in load order (for `stowaway rules`).
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// Number of patterns whose regexes have been compiled so far.
    pub fn compiled_count(&self) -> usize {
        self.compiled.load(Ordering::Relaxed)
    }

    /// Finds known tokens in `text`. Results do not overlap and are sorted by
    /// start. Where matches of different patterns overlap, the one with the
    /// higher `priority` wins, then the longer whole match, then the earlier
    /// start, then the pattern loaded first.
    pub fn scan(&self, text: &str) -> Vec<TokenMatch> {
        let triggered = self.triggered(text);
        let mut cands = Vec::new();
        for (i, p) in self.patterns.iter().enumerate() {
            if !triggered[i] {
                continue;
            }
            let Some(c) = p.compiled(&self.compiled) else {
                continue;
            };
            for (whole, secret) in p.find_all(c, text) {
                cands.push(Candidate {
                    pattern: i,
                    whole_len: whole.len(),
                    secret,
                });
            }
        }
        cands.sort_by(|a, b| {
            let pa = &self.patterns[a.pattern];
            let pb = &self.patterns[b.pattern];
            pb.priority
                .cmp(&pa.priority)
                .then(b.whole_len.cmp(&a.whole_len))
                .then(a.secret.start.cmp(&b.secret.start))
                .then(a.pattern.cmp(&b.pattern))
        });
        // start -> (end, pattern) of accepted matches; kept non-overlapping.
        let mut accepted: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        for c in cands {
            let (s, e) = (c.secret.start, c.secret.end);
            let clash_before = accepted
                .range(..e)
                .next_back()
                .is_some_and(|(_, (end, _))| *end > s);
            if !clash_before {
                accepted.insert(s, (e, c.pattern));
            }
        }
        accepted
            .into_iter()
            .map(|(start, (end, i))| {
                let p = &self.patterns[i];
                TokenMatch {
                    code: p.code.clone(),
                    id: p.id.clone(),
                    name: p.name.clone(),
                    description: p.description.clone(),
                    range: start..end,
                }
            })
            .collect()
    }

    /// Which patterns have a keyword in `text`.
    fn triggered(&self, text: &str) -> Vec<bool> {
        let mut on = vec![false; self.patterns.len()];
        let Some(ac) = &self.prefilter else {
            return on;
        };
        match ac.try_find_overlapping_iter(text) {
            Ok(iter) => {
                for m in iter {
                    if let Some(owners) = self.owners.get(m.pattern().as_usize()) {
                        for &i in owners {
                            on[i] = true;
                        }
                    }
                }
            }
            // Cannot happen with a Standard automaton; be safe, try them all.
            Err(_) => on.iter_mut().for_each(|b| *b = true),
        }
        on
    }

    /// Checks every pattern's `examples` and `counter-examples`: each example
    /// must be reported by [`PatternSet::scan`] as exactly one match of that
    /// pattern, and no counter-example may match the pattern. Returns one
    /// message per failure (empty when all pass).
    pub fn check_examples(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for p in &self.patterns {
            for ex in &p.examples {
                let found = self.scan(ex);
                let ok = found.len() == 1 && found[0].code == p.code;
                if !ok {
                    let got: Vec<&str> = found.iter().map(|m| m.code.as_str()).collect();
                    failures.push(format!(
                        "{}:{}: {} ({}) example not reported as exactly one {} (got {:?}): {}",
                        p.file, p.line, p.id, p.code, p.code, got, ex
                    ));
                }
                if !p
                    .keywords
                    .iter()
                    .any(|k| ex.to_ascii_lowercase().contains(&k.to_ascii_lowercase()))
                {
                    failures.push(format!(
                        "{}:{}: {} example contains none of its keywords: {}",
                        p.file, p.line, p.id, ex
                    ));
                }
            }
            for cx in &p.counter_examples {
                if !p.find_secrets(cx).is_empty() {
                    failures.push(format!(
                        "{}:{}: {} ({}) counter-example matches: {}",
                        p.file, p.line, p.id, p.code, cx
                    ));
                }
            }
        }
        failures
    }
}

/// Shannon entropy of `s` in bits per character (0 for the empty string).
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts: HashMap<char, usize> = HashMap::new();
    let mut total = 0usize;
    for ch in s.chars() {
        *counts.entry(ch).or_insert(0) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let n = total as f64;
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn is_code(s: &str) -> bool {
    s.len() >= 5 && s.starts_with("KT") && s[2..].bytes().all(|b| b.is_ascii_digit())
}

fn parse_file(
    file: &str,
    text: &str,
    validate: bool,
    counter: &AtomicUsize,
) -> Result<Vec<Pattern>, LoadError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| LoadError::Toml {
        file: file.to_string(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().trim().to_string(),
    })?;
    let mut out = Vec::with_capacity(raw.pattern.len());
    for rp in raw.pattern {
        let id = rp.id.get_ref().clone();
        let id_line = line_of(text, rp.id.span().start);
        let invalid = |span: Range<usize>, message: String| LoadError::Invalid {
            file: file.to_string(),
            line: line_of(text, span.start),
            id: id.clone(),
            message,
        };
        if !is_kebab(&id) {
            return Err(invalid(rp.id.span(), "id must be kebab-case".into()));
        }
        if !is_code(rp.code.get_ref()) {
            return Err(invalid(
                rp.code.span(),
                format!(
                    "code `{}` must be `KT` followed by digits",
                    rp.code.get_ref()
                ),
            ));
        }
        let keywords = match rp.keywords {
            Some(k) if !k.get_ref().is_empty() => k.into_inner(),
            Some(k) => {
                return Err(LoadError::MissingKeywords {
                    file: file.to_string(),
                    line: line_of(text, k.span().start),
                    id,
                });
            }
            None => {
                return Err(LoadError::MissingKeywords {
                    file: file.to_string(),
                    line: id_line,
                    id,
                });
            }
        };
        let mut kws = Vec::with_capacity(keywords.len());
        for k in keywords {
            if k.get_ref().trim().is_empty() {
                return Err(invalid(k.span(), "keywords must not be empty".into()));
            }
            kws.push(k.get_ref().to_ascii_lowercase());
        }
        let entropy = match rp.entropy {
            Some(e) if !(e.get_ref().is_finite() && (0.0..=16.0).contains(e.get_ref())) => {
                return Err(invalid(e.span(), "entropy must be between 0 and 16".into()));
            }
            Some(e) => Some(*e.get_ref()),
            None => None,
        };
        let regex_line = line_of(text, rp.regex.span().start);
        let allow_lines: Vec<usize> = rp
            .allowlist
            .iter()
            .map(|a| line_of(text, a.span().start))
            .collect();
        let regex = rp.regex.into_inner();
        let allowlist: Vec<String> = rp.allowlist.into_iter().map(|a| a.into_inner()).collect();
        let compiled = OnceLock::new();
        if validate {
            match Compiled::build(&regex, &allowlist) {
                Ok(c) => {
                    counter.fetch_add(1, Ordering::Relaxed);
                    let _ = compiled.set(Some(c));
                }
                Err((which, message)) => {
                    let line = which
                        .and_then(|i| allow_lines.get(i).copied())
                        .unwrap_or(regex_line);
                    return Err(LoadError::Regex {
                        file: file.to_string(),
                        line,
                        id,
                        message,
                    });
                }
            }
        }
        out.push(Pattern {
            code_line: line_of(text, rp.code.span().start),
            code: rp.code.into_inner(),
            name: rp.name,
            description: rp.description,
            keywords: kws,
            entropy,
            priority: rp.priority,
            examples: rp.examples,
            counter_examples: rp.counter_examples,
            file: file.to_string(),
            line: id_line,
            regex,
            allowlist,
            compiled,
            id,
        });
    }
    Ok(out)
}

/// Checks that patterns from index `from` on reuse no id or code.
fn check_unique(patterns: &[Pattern], from: usize) -> Result<(), LoadError> {
    let mut ids: HashMap<&str, &Pattern> = HashMap::new();
    let mut codes: HashMap<&str, &Pattern> = HashMap::new();
    for (i, p) in patterns.iter().enumerate() {
        if let Some(first) = ids.get(p.id.as_str())
            && i >= from
        {
            return Err(LoadError::DuplicateId {
                file: p.file.clone(),
                line: p.line,
                id: p.id.clone(),
                first_file: first.file.clone(),
                first_line: first.line,
            });
        }
        if let Some(first) = codes.get(p.code.as_str())
            && i >= from
        {
            return Err(LoadError::DuplicateCode {
                file: p.file.clone(),
                line: p.code_line,
                code: p.code.clone(),
                first_file: first.file.clone(),
                first_line: first.code_line,
            });
        }
        ids.entry(&p.id).or_insert(p);
        codes.entry(&p.code).or_insert(p);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
