//! `stowaway.toml` discovery and merging: which rules run, at which severity, on which
//! files, and what is not walked at all.
//!
//! A configuration file is `stowaway.toml` or `.stowaway.toml`, found by walking up from
//! each checked path and each file found below it (the nearest wins, so `check .` and
//! `check app/compose.yaml` agree; the walk stops at the git root or the file system
//! root), or named with `--config`. `--isolated` ignores configuration files. Options on
//! the command line are applied on top of the file (see [`Selection`]).
//!
//! Globs (`exclude`, `per-file-ignores`) and `extra-patterns` are relative to the folder of
//! the configuration file.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{GlobBuilder, GlobMatcher};
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::analysis::Analysis;
use crate::detect::patterns::{BUILTIN_FILES, PatternSet};
use crate::finding::{Finding, Severity};
use crate::workspace::normalize;

/// The file names looked for in each folder, in order of preference.
pub const FILE_NAMES: &[&str] = &["stowaway.toml", ".stowaway.toml"];

/// A configuration problem: it names the file and, where there is one, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    Error,
    Warning,
    Info,
}

impl From<Level> for Severity {
    fn from(l: Level) -> Severity {
        match l {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
        }
    }
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<Level>>,
    #[serde(default)]
    per_file_ignores: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    fail_level: Option<Level>,
    extra_patterns: Option<Spanned<String>>,
    #[serde(default)]
    allowed_values: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

/// A path glob, gitignore-like: a pattern without `/` matches a file or folder name at
/// any depth; one with `/` matches the path relative to the configuration's folder; a
/// pattern that matches a folder matches everything below it.
#[derive(Debug, Clone)]
pub struct PathGlob {
    matcher: GlobMatcher,
    anywhere: bool,
}

impl PathGlob {
    pub fn new(pattern: &str) -> Result<PathGlob, String> {
        let trimmed = pattern.trim().trim_start_matches("./");
        let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
        let anywhere = !trimmed.contains('/');
        let trimmed = trimmed.trim_start_matches('/');
        if trimmed.is_empty() {
            return Err(format!("empty path pattern `{pattern}`"));
        }
        let glob = GlobBuilder::new(trimmed)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid glob `{pattern}`: {}", e.kind()))?;
        Ok(PathGlob {
            matcher: glob.compile_matcher(),
            anywhere,
        })
    }

    /// Whether `rel` (relative, `/`-separated components) or one of its parents matches.
    pub fn matches(&self, rel: &Path) -> bool {
        let mut prefix = PathBuf::new();
        for part in rel.components() {
            prefix.push(part);
            if self.matcher.is_match(&prefix)
                || (self.anywhere && self.matcher.is_match(Path::new(part.as_os_str())))
            {
                return true;
            }
        }
        false
    }
}

/// Rule selection, as ruff does it: layers (the file, then the command line), each with
/// `select`, `extend-select` and `ignore` lists of codes or prefixes (`CE`, `CE001`,
/// `ALL`). A layer with `select` starts afresh; one without adjusts what the layers before
/// it enabled. Within a layer the most specific selector wins, `ignore` on a tie.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
}

fn selector_len(selector: &str, code: &str) -> Option<usize> {
    if selector.eq_ignore_ascii_case("ALL") {
        return Some(0);
    }
    let s = selector.to_ascii_uppercase();
    code.to_ascii_uppercase().starts_with(&s).then_some(s.len())
}

fn longest<'a>(selectors: impl Iterator<Item = &'a String>, code: &str) -> Option<usize> {
    selectors.filter_map(|s| selector_len(s, code)).max()
}

impl Layer {
    fn decide(&self, code: &str, before: bool) -> bool {
        let (positive, default) = match &self.select {
            Some(select) => (
                longest(select.iter().chain(&self.extend_select), code),
                false,
            ),
            None => (longest(self.extend_select.iter(), code), before),
        };
        let negative = longest(self.ignore.iter(), code);
        match (positive, negative) {
            (None, None) => default,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(p), Some(n)) => p > n,
        }
    }

    fn selectors(&self) -> impl Iterator<Item = &String> {
        self.select
            .iter()
            .flatten()
            .chain(&self.extend_select)
            .chain(&self.ignore)
    }
}

/// Whether `selector` names a rule code or a prefix of one (`ALL`, `CE`, `CE001`, `KT012`).
pub fn is_known_selector(selector: &str) -> bool {
    let s = selector.to_ascii_uppercase();
    if s == "ALL" || s.is_empty() {
        return s == "ALL";
    }
    // User pattern files may add KT codes: any `KT` + digits is accepted.
    if s.starts_with("KT") && s[2..].bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    crate::rules::all()
        .iter()
        .map(|r| r.info().code)
        .chain(
            PatternSet::builtin()
                .patterns()
                .iter()
                .map(|p| p.code.as_str()),
        )
        .any(|c| c.starts_with(&s))
}

/// The options a command line gives, applied over every configuration file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub layer: Layer,
    pub fail_level: Option<Severity>,
}

impl Overrides {
    /// The first selector that names no rule.
    pub fn check(&self) -> Result<(), String> {
        match self.layer.selectors().find(|s| !is_known_selector(s)) {
            Some(s) => Err(format!(
                "unknown rule code or prefix `{s}`; `stowaway rules` lists them"
            )),
            None => Ok(()),
        }
    }
}

/// One configuration file, read and checked (or the defaults when there is none).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The file, `None` for the defaults.
    #[cfg_attr(not(test), allow(dead_code))]
    pub path: Option<PathBuf>,
    /// Base folder for globs and relative paths.
    pub dir: PathBuf,
    layer: Layer,
    severity: Vec<(String, Severity)>,
    per_file_ignores: Vec<(PathGlob, Vec<String>)>,
    pub fail_level: Option<Severity>,
    pub extra_patterns: Option<PathBuf>,
    allowed_values: Vec<Regex>,
    exclude: Vec<PathGlob>,
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

impl Settings {
    /// The defaults, with globs relative to `dir`.
    pub fn defaults(dir: PathBuf) -> Settings {
        Settings {
            dir,
            ..Settings::default()
        }
    }

    /// Read and check a configuration file. `shown` is the path as the user sees it.
    pub fn load(path: &Path, shown: &str) -> Result<Settings, ConfigError> {
        let text = crate::read::read_text(path).map_err(|message| ConfigError {
            file: shown.to_owned(),
            line: None,
            message,
        })?;
        Settings::parse(path, shown, &text)
    }

    /// Check the text of a configuration file found at `path`.
    pub fn parse(path: &Path, shown: &str, text: &str) -> Result<Settings, ConfigError> {
        let err = |offset: Option<usize>, message: String| ConfigError {
            file: shown.to_owned(),
            line: offset.map(|o| line_of(text, o)),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            let message = e.message().trim();
            let message = match key_at(text, at) {
                Some(key) if !message.contains(&format!("`{key}`")) => {
                    format!("`{key}`: {message}")
                }
                _ => message.to_owned(),
            };
            err(Some(at), message)
        })?;
        let selectors = |list: &[Spanned<String>]| -> Result<Vec<String>, ConfigError> {
            list.iter()
                .map(|s| {
                    if is_known_selector(s.get_ref()) {
                        Ok(s.get_ref().trim().to_ascii_uppercase())
                    } else {
                        Err(err(
                            Some(s.span().start),
                            format!("unknown rule code or prefix `{}`", s.get_ref()),
                        ))
                    }
                })
                .collect()
        };
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let layer = Layer {
            select: raw.select.as_deref().map(selectors).transpose()?,
            extend_select: selectors(&raw.extend_select)?,
            ignore: selectors(&raw.ignore)?,
        };
        let mut severity = Vec::new();
        for (code, level) in &raw.severity {
            if !is_known_selector(code) || code.eq_ignore_ascii_case("ALL") {
                return Err(err(
                    Some(level.span().start),
                    format!("severity: unknown rule code or prefix `{code}`"),
                ));
            }
            severity.push((code.to_ascii_uppercase(), Severity::from(*level.get_ref())));
        }
        // Most specific first.
        severity.sort_by_key(|(code, _)| std::cmp::Reverse(code.len()));
        let mut per_file_ignores = Vec::new();
        for (pattern, codes) in &raw.per_file_ignores {
            let glob = PathGlob::new(pattern)
                .map_err(|m| err(Some(codes.span().start), format!("per-file-ignores: {m}")))?;
            per_file_ignores.push((glob, selectors(codes.get_ref())?));
        }
        let mut allowed_values = Vec::new();
        for value in &raw.allowed_values {
            let re = Regex::new(value.get_ref()).map_err(|e| {
                err(
                    Some(value.span().start),
                    format!("allowed-values: invalid regex: {e}"),
                )
            })?;
            allowed_values.push(re);
        }
        let mut exclude = Vec::new();
        for pattern in &raw.exclude {
            exclude.push(
                PathGlob::new(pattern.get_ref())
                    .map_err(|m| err(Some(pattern.span().start), format!("exclude: {m}")))?,
            );
        }
        Ok(Settings {
            path: Some(path.to_path_buf()),
            extra_patterns: raw
                .extra_patterns
                .as_ref()
                .map(|p| normalize(&dir.join(p.get_ref()))),
            dir,
            layer,
            severity,
            per_file_ignores,
            fail_level: raw.fail_level.map(Severity::from),
            allowed_values,
            exclude,
        })
    }

    fn relative<'a>(&self, abs: &'a Path) -> Option<&'a Path> {
        abs.strip_prefix(&self.dir).ok()
    }

    /// Whether `abs` is excluded from the walk.
    pub fn excluded(&self, abs: &Path) -> bool {
        !self.exclude.is_empty()
            && self
                .relative(abs)
                .is_some_and(|rel| self.exclude.iter().any(|g| g.matches(rel)))
    }
}

/// The configuration of every file: the nearest configuration file above it (or the one
/// `--config` names, or the defaults), with the command line's options on top.
#[derive(Debug)]
pub struct ConfigSet {
    cwd: PathBuf,
    /// `--config` or `--isolated`: one set of settings for every file.
    fixed: Option<Arc<Settings>>,
    defaults: Arc<Settings>,
    /// Settings of the first checked path: run-wide options come from it.
    primary: Arc<Settings>,
    /// Folder -> its settings, and configuration file -> its settings.
    by_dir: Mutex<HashMap<PathBuf, Arc<Settings>>>,
    by_file: Mutex<HashMap<PathBuf, Arc<Settings>>>,
    /// The error of the first configuration file (in path order) that could not be
    /// loaded, with that file.
    error: Mutex<Option<(PathBuf, ConfigError)>>,
    overrides: Overrides,
}

/// The nearest configuration file at or above `start` (a folder or a file), stopping at
/// the git root or the file system root.
#[cfg(test)]
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let mut dir = if start.is_dir() {
        start.to_path_buf()
    } else {
        start.parent()?.to_path_buf()
    };
    // Bounded by the depth of the path.
    loop {
        for name in FILE_NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        if dir.join(".git").exists() {
            return None;
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// A lock that a panic elsewhere does not poison for good.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How configuration files are picked.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// Walk up from each checked path.
    Discover,
    /// `--config FILE`.
    File(&'a Path),
    /// `--isolated`: defaults only.
    Isolated,
}

impl ConfigSet {
    /// Resolve the configuration of each checked path (absolute paths); errors in the
    /// files found for them are reported here.
    pub fn resolve(
        cwd: &Path,
        roots: &[PathBuf],
        source: Source<'_>,
        overrides: Overrides,
    ) -> Result<ConfigSet, ConfigError> {
        let defaults = Arc::new(Settings::defaults(cwd.to_path_buf()));
        let fixed = match source {
            Source::Isolated => Some(defaults.clone()),
            Source::File(file) => {
                let abs = normalize(&cwd.join(file));
                Some(Arc::new(Settings::load(&abs, &file.to_string_lossy())?))
            }
            Source::Discover => None,
        };
        let mut set = ConfigSet {
            cwd: cwd.to_path_buf(),
            primary: fixed.clone().unwrap_or_else(|| defaults.clone()),
            fixed,
            defaults,
            by_dir: Mutex::new(HashMap::new()),
            by_file: Mutex::new(HashMap::new()),
            error: Mutex::new(None),
            overrides,
        };
        for (i, root) in roots.iter().enumerate() {
            let settings = set.for_path(root);
            if let Some(e) = set.take_error() {
                return Err(e);
            }
            if i == 0 {
                set.primary = settings;
            }
        }
        Ok(set)
    }

    /// Of the configuration files met since the last call that could not be loaded, the
    /// error of the first in path order.
    pub fn take_error(&self) -> Option<ConfigError> {
        lock(&self.error).take().map(|(_, e)| e)
    }

    /// The settings that apply to `abs` (a file or a folder).
    pub fn for_path(&self, abs: &Path) -> Arc<Settings> {
        if let Some(f) = &self.fixed {
            return f.clone();
        }
        let dir = if abs.is_dir() {
            abs
        } else {
            abs.parent().unwrap_or(abs)
        };
        self.for_dir(dir)
    }

    /// The settings that apply to folder `dir` and the files in it: the nearest
    /// configuration file at or above it, stopping at the git root or the file system root
    /// (what [`find_config`] finds). Memoised per folder through its parent: a folder
    /// without a configuration file or `.git` of its own has its parent's settings, so each
    /// folder is looked at once.
    pub fn for_dir(&self, dir: &Path) -> Arc<Settings> {
        if let Some(f) = &self.fixed {
            return f.clone();
        }
        // Folders from `dir` up to the first one whose settings are known or that decides
        // them; all of them get those settings. The lock is not held while looking at disk.
        let mut chain: Vec<&Path> = Vec::new();
        let mut next = Some(dir);
        let settings = loop {
            let Some(d) = next else {
                break self.defaults.clone();
            };
            if let Some(s) = lock(&self.by_dir).get(d) {
                break s.clone();
            }
            chain.push(d);
            if let Some(file) = FILE_NAMES.iter().map(|n| d.join(n)).find(|f| f.is_file()) {
                break self.load(file);
            }
            if d.join(".git").exists() {
                break self.defaults.clone();
            }
            next = d.parent();
        };
        let mut by_dir = lock(&self.by_dir);
        for d in chain {
            by_dir.insert(d.to_path_buf(), settings.clone());
        }
        settings
    }

    /// The settings of configuration file `file`, read once; when it cannot be read or is
    /// wrong, the defaults, and the error is kept for [`ConfigSet::take_error`].
    fn load(&self, file: PathBuf) -> Arc<Settings> {
        let mut by_file = lock(&self.by_file);
        if let Some(s) = by_file.get(&file) {
            return s.clone();
        }
        let shown = file
            .strip_prefix(&self.cwd)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        let s = match Settings::load(&file, &shown) {
            Ok(s) => Arc::new(s),
            Err(e) => {
                // Files are met in no set order while walking in parallel: keep the
                // error of the first in path order, so every run reports the same one.
                let mut first = lock(&self.error);
                if first.as_ref().is_none_or(|(f, _)| file < *f) {
                    *first = Some((file.clone(), e));
                }
                self.defaults.clone()
            }
        };
        by_file.insert(file, s.clone());
        s
    }

    /// The settings of the first checked path.
    pub fn primary(&self) -> &Settings {
        &self.primary
    }

    /// Lowest severity that fails the run.
    pub fn fail_level(&self) -> Severity {
        self.overrides
            .fail_level
            .or(self.primary().fail_level)
            .unwrap_or(Severity::Warning)
    }

    /// Whether a path met while walking is excluded, looking on disk whether it is a
    /// folder (the reference [`ConfigSet::excluded_with`] is tested against).
    #[cfg(test)]
    pub fn excluded(&self, abs: &Path) -> bool {
        self.for_path(abs).excluded(abs)
    }

    /// Whether a path met while walking is excluded; the caller says whether `abs` is a
    /// folder (a walk knows, from the folder listing): nothing is looked up on disk for
    /// `abs` itself.
    pub fn excluded_with(&self, abs: &Path, is_dir: bool) -> bool {
        let dir = if is_dir {
            abs
        } else {
            abs.parent().unwrap_or(abs)
        };
        self.for_dir(dir).excluded(abs)
    }

    /// Whether rule `code` runs on files governed by `settings`.
    pub fn enabled(&self, settings: &Settings, code: &str) -> bool {
        let on = settings
            .layer
            .decide(code, crate::rules::enabled_by_default(code));
        self.overrides.layer.decide(code, on)
    }

    /// The built-in token patterns merged with every `extra-patterns` file; `None` when no
    /// configuration adds any.
    /// The `extra-patterns` files the configuration files met so far name, sorted.
    pub fn pattern_files(&self) -> Vec<PathBuf> {
        let mut extra: Vec<PathBuf> = Vec::new();
        let mut all: Vec<Arc<Settings>> = vec![self.primary.clone()];
        all.extend(self.fixed.clone());
        all.extend(lock(&self.by_file).values().cloned());
        for s in &all {
            if let Some(p) = &s.extra_patterns
                && !extra.contains(p)
            {
                extra.push(p.clone());
            }
        }
        extra.sort();
        extra
    }

    pub fn patterns(&self) -> Result<Option<PatternSet>, ConfigError> {
        let extra = self.pattern_files();
        if extra.is_empty() {
            return Ok(None);
        }
        let to_err = |e: crate::detect::patterns::LoadError| ConfigError {
            file: e.file().to_owned(),
            line: None,
            message: e.to_string(),
        };
        let mut set = PatternSet::load(BUILTIN_FILES).map_err(to_err)?;
        for path in &extra {
            let shown = path
                .strip_prefix(&self.cwd)
                .unwrap_or(path)
                .to_string_lossy()
                .into_owned();
            let text = crate::read::read_text(path).map_err(|message| ConfigError {
                file: shown.clone(),
                line: None,
                message: format!("extra-patterns: {message}"),
            })?;
            let user = PatternSet::load(&[(shown.as_str(), text.as_str())]).map_err(to_err)?;
            set.extend(user).map_err(to_err)?;
        }
        Ok(Some(set))
    }

    /// Apply rule selection, `per-file-ignores`, `allowed-values` and `severity` overrides.
    pub fn apply(&self, analysis: &Analysis, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter_map(|mut f| {
                let file = analysis.ws.files.get(f.file);
                let abs = analysis.ws.absolute(&file.path);
                // A finding is in a file's text: its folder's settings, with no stat.
                let settings = self.for_dir(abs.parent().unwrap_or(&abs));
                if !self.enabled(&settings, f.code) {
                    return None;
                }
                if let Some(rel) = settings.relative(&abs)
                    && settings.per_file_ignores.iter().any(|(glob, codes)| {
                        glob.matches(rel) && codes.iter().any(|c| selector_len(c, f.code).is_some())
                    })
                {
                    return None;
                }
                if let Some(secret) = f.secret {
                    let value = file.text.get(secret.range()).unwrap_or("");
                    if settings.allowed_values.iter().any(|re| re.is_match(value)) {
                        return None;
                    }
                }
                if let Some((_, severity)) = settings
                    .severity
                    .iter()
                    .find(|(code, _)| selector_len(code, f.code).is_some())
                {
                    f.severity = *severity;
                }
                Some(f)
            })
            .collect()
    }
}

/// The key whose value starts at or before `offset` on its line (`ignore` in
/// `ignore = 3`), with its table (`severity.CS007`): what a type error is about.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let (key, _) = line.split_once('=')?;
    if start + key.len() > offset {
        return None;
    }
    let key = key.trim().trim_matches('"');
    let table = text[..start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(['[', ']']).trim());
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_type_error_names_its_key_and_table() {
        assert_eq!(super::key_at("ignore = 3\n", 9).as_deref(), Some("ignore"));
        let text = "select = [\"CS\"]\n[severity]\nCS007 = 3\n";
        let at = text.rfind('3').expect("value");
        assert_eq!(super::key_at(text, at).as_deref(), Some("severity.CS007"));
        assert_eq!(super::key_at("[severity]\n", 3), None);
    }

    use super::*;

    fn layer(select: Option<&[&str]>, extend: &[&str], ignore: &[&str]) -> Layer {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Layer {
            select: select.map(v),
            extend_select: v(extend),
            ignore: v(ignore),
        }
    }

    #[test]
    fn most_specific_selector_wins_and_ignore_wins_ties() {
        let l = layer(Some(&["CS"]), &[], &["CS007"]);
        assert!(l.decide("CS001", true));
        assert!(!l.decide("CS007", true));
        assert!(!l.decide("KT003", true));
        let l = layer(Some(&["CS001"]), &[], &["CS"]);
        assert!(l.decide("CS001", true));
        assert!(!l.decide("CS002", true));
        let l = layer(None, &["KT"], &["CS"]);
        assert!(l.decide("KT003", false));
        assert!(!l.decide("CS001", true));
        assert!(l.decide("SW002", true));
        let l = layer(Some(&["ALL"]), &[], &["CS007"]);
        assert!(l.decide("KT001", false));
        assert!(!l.decide("CS007", true));
    }

    #[test]
    fn selectors_must_name_rules() {
        for ok in ["ALL", "CS", "cs007", "KT", "KT003", "KT999", "SW001", "C"] {
            assert!(is_known_selector(ok), "{ok}");
        }
        for bad in ["", "XY", "CS999", "KTX", "E501"] {
            assert!(!is_known_selector(bad), "{bad}");
        }
    }

    #[test]
    fn unknown_keys_are_errors_with_their_line() {
        let e = Settings::parse(
            Path::new("/p/stowaway.toml"),
            "stowaway.toml",
            "select = [\"CS\"]\n\nignroe = [\"CS007\"]\n",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("ignroe"), "{e}");
        assert!(e.to_string().starts_with("stowaway.toml:3: "), "{e}");
    }

    #[test]
    fn every_key_parses() {
        let s = Settings::parse(
            Path::new("/p/stowaway.toml"),
            "stowaway.toml",
            r#"
select = ["CS", "KT"]
extend-select = ["SW"]
ignore = ["CS007"]
fail-level = "error"
extra-patterns = "tokens/acme.toml"
allowed-values = ['^dev-']
exclude = ["vendor/", "examples/**/compose.yaml"]
[severity]
CS011 = "warning"
[per-file-ignores]
"test/**" = ["CS"]
"#,
        )
        .unwrap();
        assert_eq!(s.fail_level, Some(Severity::Error));
        assert_eq!(
            s.extra_patterns.as_deref(),
            Some(Path::new("/p/tokens/acme.toml"))
        );
        assert!(s.excluded(Path::new("/p/a/vendor/x/compose.yaml")));
        assert!(s.excluded(Path::new("/p/examples/a/b/compose.yaml")));
        assert!(!s.excluded(Path::new("/p/app/compose.yaml")));
    }

    #[test]
    fn bad_values_name_their_line() {
        for (text, line) in [
            ("select = [\"CS\", \"XX1\"]\n", 1),
            ("\n[severity]\nCS011 = \"loud\"\n", 3),
            ("allowed-values = [\n  '(',\n]\n", 2),
            ("\n\nfail-level = 3\n", 3),
        ] {
            let e =
                Settings::parse(Path::new("/p/stowaway.toml"), "stowaway.toml", text).unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {e}");
        }
    }

    #[test]
    fn globs_are_gitignore_like() {
        let g = PathGlob::new("secrets").unwrap();
        assert!(g.matches(Path::new("a/secrets/compose.yaml")));
        let g = PathGlob::new("deploy/*.yaml").unwrap();
        assert!(g.matches(Path::new("deploy/compose.yaml")));
        assert!(!g.matches(Path::new("x/deploy/compose.yaml")));
        let g = PathGlob::new("*.env").unwrap();
        assert!(g.matches(Path::new("a/b/prod.env")));
    }

    /// A folder tree under a temporary folder: paths ending in `/` are folders, others
    /// files with the given text. Returns the temporary folder (kept alive) and its path.
    fn tree(entries: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = normalize(&tmp.path().canonicalize().expect("canonical"));
        for (path, text) in entries {
            let p = root.join(path);
            if path.ends_with('/') {
                std::fs::create_dir_all(&p).expect("mkdir");
            } else {
                std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
                std::fs::write(&p, text).expect("write");
            }
        }
        (tmp, root)
    }

    fn discovering(root: &Path) -> ConfigSet {
        ConfigSet::resolve(root, &[], Source::Discover, Overrides::default()).expect("resolve")
    }

    /// The configuration file behind settings, relative to `root` (`-` for the defaults).
    fn file_of(settings: &Settings, root: &Path) -> String {
        settings.path.as_deref().map_or("-".into(), |p| {
            p.strip_prefix(root)
                .expect("below root")
                .display()
                .to_string()
        })
    }

    #[test]
    fn nearest_configuration_per_folder_is_memoised_through_the_parent() {
        let (_tmp, root) = tree(&[
            (".git/", ""),
            ("stowaway.toml", "ignore = [\"CS007\"]\n"),
            ("a/b/c/d/", ""),
            ("a/b/stowaway.toml", "ignore = [\"CS001\"]\n"),
            ("a/b/.stowaway.toml", "ignore = [\"CS002\"]\n"),
            ("a/b/c/e/.stowaway.toml", "ignore = [\"CS003\"]\n"),
            ("x/y/", ""),
        ]);
        let expected = [
            ("a/b/c/d", "a/b/stowaway.toml"),
            ("a/b/c/e", "a/b/c/e/.stowaway.toml"),
            ("a/b/c", "a/b/stowaway.toml"),
            ("a/b", "a/b/stowaway.toml"),
            ("a", "stowaway.toml"),
            ("x/y", "stowaway.toml"),
            ("", "stowaway.toml"),
        ];
        // Deepest first (the answers of parents are filled in on the way up), then in the
        // other order (children inherit cached answers), then against `find_config`.
        for order in [false, true] {
            let set = discovering(&root);
            let mut queries: Vec<_> = expected.iter().collect();
            if order {
                queries.reverse();
            }
            for (dir, file) in queries {
                let got = set.for_dir(&root.join(dir));
                assert_eq!(file_of(&got, &root), *file, "{dir} (reversed: {order})");
                let found = find_config(&root.join(dir)).expect("found");
                assert_eq!(found, root.join(file), "{dir}");
            }
            assert!(set.take_error().is_none());
        }
        // One lookup of a deep folder answers for every folder on the way up.
        let set = discovering(&root);
        set.for_dir(&root.join("a/b/c/d"));
        let known = lock(&set.by_dir);
        for dir in ["a/b/c/d", "a/b/c"] {
            assert!(known.contains_key(&root.join(dir)), "{dir} memoised");
        }
        assert!(
            !known.contains_key(&root.join("a")),
            "a/b decided, a not needed"
        );
    }

    #[test]
    fn git_folder_or_file_stops_the_search() {
        let (_tmp, root) = tree(&[
            ("stowaway.toml", "ignore = [\"CS007\"]\n"),
            ("outer/x/", ""),
            ("outer/repo/.git/", ""),
            ("outer/repo/sub/deep/", ""),
            ("outer/worktree/.git", "gitdir: /elsewhere\n"),
            ("outer/worktree/sub/", ""),
            ("outer/configured/.git/", ""),
            ("outer/configured/stowaway.toml", "ignore = [\"CS001\"]\n"),
            ("outer/configured/sub/", ""),
        ]);
        let set = discovering(&root);
        // The folder above the repositories is looked up first: its answer must not leak
        // into them through the parent.
        assert_eq!(
            file_of(&set.for_dir(&root.join("outer/x")), &root),
            "stowaway.toml"
        );
        assert_eq!(
            file_of(&set.for_dir(&root.join("outer")), &root),
            "stowaway.toml"
        );
        for dir in ["outer/repo/sub/deep", "outer/repo", "outer/worktree/sub"] {
            assert_eq!(file_of(&set.for_dir(&root.join(dir)), &root), "-", "{dir}");
            assert_eq!(find_config(&root.join(dir)), None, "{dir}");
        }
        // A configuration file at the git root is still found.
        assert_eq!(
            file_of(&set.for_dir(&root.join("outer/configured/sub")), &root),
            "outer/configured/stowaway.toml"
        );
    }

    #[test]
    fn excluded_with_agrees_with_excluded_without_looking_at_the_path() {
        let (_tmp, root) = tree(&[
            (".git/", ""),
            (
                "stowaway.toml",
                "exclude = [\"vendor/\", \"deploy/*.yaml\"]\n",
            ),
            ("vendor/compose.yaml", ""),
            ("app/vendor/", ""),
            ("deploy/compose.yaml", ""),
            ("deploy/sub/compose.yaml", ""),
            ("app/compose.yaml", ""),
            ("own/stowaway.toml", "exclude = [\"x\"]\n"),
            ("own/x/compose.yaml", ""),
        ]);
        let set = discovering(&root);
        for (path, is_dir, excluded) in [
            ("vendor", true, true),
            ("vendor/compose.yaml", false, true),
            ("app/vendor", true, true),
            ("deploy/compose.yaml", false, true),
            ("deploy/sub", true, false),
            ("deploy/sub/compose.yaml", false, false),
            ("app/compose.yaml", false, false),
            ("own", true, false),
            ("own/x", true, true),
            ("own/x/compose.yaml", false, true),
        ] {
            let abs = root.join(path);
            assert_eq!(abs.is_dir(), is_dir, "{path}");
            assert_eq!(set.excluded(&abs), excluded, "excluded {path}");
            assert_eq!(
                set.excluded_with(&abs, is_dir),
                excluded,
                "excluded_with {path}"
            );
        }
        // Nothing is looked up for the path itself: a file that is not there is judged by
        // its folder's settings.
        assert!(set.excluded_with(&root.join("vendor/gone.yaml"), false));
        assert!(set.excluded_with(&root.join("own/x"), false));
    }

    #[test]
    fn the_error_kept_is_that_of_the_first_broken_file_in_path_order() {
        let (_tmp, root) = tree(&[
            (".git/", ""),
            ("a/stowaway.toml", "bad-a = 1\n"),
            ("b/stowaway.toml", "bad-b = 1\n"),
            ("c/", ""),
        ]);
        let set = discovering(&root);
        // Met in the other order, as a parallel walk may.
        for dir in ["c", "b", "a"] {
            set.for_dir(&root.join(dir));
        }
        let e = set.take_error().expect("an error");
        assert_eq!(e.file, "a/stowaway.toml", "{e}");
        assert!(e.message.contains("bad-a"), "{e}");
        assert!(set.take_error().is_none(), "taken");
        // The broken file counts as no configuration, and is not read again.
        assert_eq!(file_of(&set.for_dir(&root.join("b")), &root), "-");
        assert!(set.take_error().is_none(), "read once");
    }
}
