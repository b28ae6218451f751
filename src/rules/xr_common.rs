//! What the cross-file (XR) rules share: the secret mounts of a Dockerfile, which stages a
//! build runs, which build secrets a service lacks, and which secret files a build
//! context holds.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::analysis::{Analysis, BuildLink};
use crate::compose::{Project, SecretRef, Service};
use crate::detect::files::{credential_file_kind, holds_secret};
use crate::dockerfile::{Copy, Dockerfile, Instruction, Kind, Word};
use crate::dockerignore::DockerIgnore;
use crate::envfile::is_example_file;
use crate::source::Span;
use crate::yaml::Node;

/// Most entries visited when walking one build context.
pub const MAX_CONTEXT_ENTRIES: usize = 20_000;
/// Folders never walked: git's own data and package caches.
const SKIPPED_DIRS: &[&str] = &[".git", "node_modules"];

/// A `RUN --mount=type=secret` of a Dockerfile.
pub struct SecretMount<'a> {
    pub instruction: &'a Instruction,
    /// The id BuildKit asks the client for.
    pub id: &'a str,
    /// Where to point a finding: the `id=` option, else the whole `--mount` flag.
    pub span: Range<usize>,
    /// `required=true`: the build fails without the secret.
    pub required: bool,
    /// The `RUN` reads the mounted file (or `env=` variable) with no guard: the command
    /// fails, or misbehaves, without the secret.
    pub used_unconditionally: bool,
}

impl SecretMount<'_> {
    /// Whether the build cannot do without the secret.
    pub fn needed(&self) -> bool {
        self.required || self.used_unconditionally
    }
}

/// Every `RUN --mount=type=secret` of `df` with a literal id, in source order.
/// `None` when some secret mount's id cannot be known (a `$VAR` in it, or neither `id=`
/// nor `target=`): then no rule can say which ids the Dockerfile uses.
pub fn secret_mounts(df: &Dockerfile) -> Option<Vec<SecretMount<'_>>> {
    let mut out = Vec::new();
    for instruction in &df.instructions {
        let Kind::Run(run) = &instruction.kind else {
            continue;
        };
        let mut text = instruction.args.as_str().to_owned();
        for h in &run.heredocs {
            text.push('\n');
            text.push_str(h.body.as_str());
        }
        for mount in &run.mounts {
            if !mount.mount_type().eq_ignore_ascii_case("secret") {
                continue;
            }
            let id = mount.secret_id()?;
            if id.contains('$') {
                return None;
            }
            let required = mount.required();
            let path = mount
                .target()
                .and_then(|t| t.value.clone())
                .unwrap_or_else(|| format!("/run/secrets/{id}"));
            let env = mount.value("env");
            let used_unconditionally = !guarded(&text, &path, env)
                && (mentions_path(&text, &path)
                    || env.is_some_and(|e| mentions_var(&text, e))
                    || read_where_mounted(&text, &path));
            let span = mount
                .get("id")
                .map_or(mount.span.clone(), |o| o.span.clone());
            out.push(SecretMount {
                instruction,
                id,
                span,
                required,
                used_unconditionally,
            });
        }
    }
    Some(out)
}

/// Credential files that tools read from where they are, without being named: the end of
/// the mount path, and the commands that read it there.
const READ_WHERE_THEY_ARE: &[(&str, &[&str])] = &[
    ("/.npmrc", &["npm", "npx", "yarn", "pnpm"]),
    ("/etc/npmrc", &["npm", "npx", "yarn", "pnpm"]),
    ("/.yarnrc.yml", &["yarn"]),
    ("/pip.conf", &["pip", "pip3", "poetry", "uv"]),
    ("/.netrc", &["pip", "pip3", "uv", "poetry", "git", "go"]),
    ("/.pypirc", &["twine"]),
    ("/.m2/settings.xml", &["mvn", "./mvnw", "mvnw"]),
    ("/gradle.properties", &["gradle", "./gradlew", "gradlew"]),
    (
        "/.docker/config.json",
        &["docker", "crane", "skopeo", "regctl"],
    ),
    ("/.aws/credentials", &["aws"]),
    ("/.git-credentials", &["git"]),
    ("/auth.json", &["composer"]),
    ("/.bundle/config", &["bundle"]),
    ("/.cargo/credentials.toml", &["cargo"]),
    ("/.config/pip/pip.conf", &["pip", "pip3"]),
];

/// Whether the secret is mounted where a tool the command runs reads it by itself
/// (`target=/root/.npmrc` with `npm ci`).
fn read_where_mounted(text: &str, path: &str) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    READ_WHERE_THEY_ARE
        .iter()
        .any(|(end, tools)| path.ends_with(end) && words.iter().any(|w| tools.contains(w)))
}

/// Whether a command copes with a missing secret: an `||` fallback, silenced errors, or a
/// file test on its path (`[ -f /run/secrets/x ]`, `test -s "$FILE"`).
fn guarded(text: &str, path: &str, env: Option<&str>) -> bool {
    if ["||", "2>/dev/null", "2> /dev/null", "&>/dev/null"]
        .iter()
        .any(|g| text.contains(g))
    {
        return true;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(2).any(|w| {
        let operand = w[1].trim_matches(['"', '\'', ']']);
        matches!(w[0], "-f" | "-e" | "-s" | "-r")
            && (operand == path || env.is_some_and(|e| mentions_var(operand, e)))
    })
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-')
}

/// `path` appears in `text` as a whole path (not as part of a longer one).
fn mentions_path(text: &str, path: &str) -> bool {
    if path.is_empty() {
        return false;
    }
    text.match_indices(path).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + path.len()..].chars().next();
        !before.is_some_and(is_path_char)
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    })
}

/// `$NAME` or `${NAME...}` in `text`, without a `${NAME:-...}`-style fallback.
fn mentions_var(text: &str, name: &str) -> bool {
    let plain = format!("${name}");
    let braced = format!("${{{name}");
    let plain_hit = text.match_indices(&plain).any(|(i, _)| {
        !text[i + plain.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    let braced_hit = text
        .match_indices(&braced)
        .any(|(i, _)| text[i + braced.len()..].starts_with('}'));
    plain_hit || braced_hit
}

/// Which stages a build runs (by stage index): the target stage (the last one when no
/// `target:` is given) and every stage it depends on through `FROM <stage>`,
/// `COPY --from=<stage>` and `RUN --mount=from=<stage>`. BuildKit skips the others.
/// Every stage when the target cannot be found.
pub fn built_stages(df: &Dockerfile, target: Option<&str>) -> Vec<bool> {
    let n = df.stages.len();
    let all = vec![true; n];
    if n == 0 {
        return all;
    }
    let start = match target {
        None => n - 1,
        Some(t) if t.contains('$') => return all,
        Some(t) => match df.stage_by_name(t) {
            Some(s) => s.index,
            None => return all,
        },
    };
    let stage_of = |name: &str| -> Option<usize> {
        df.stage_by_name(name)
            .map(|s| s.index)
            .or_else(|| name.parse::<usize>().ok().filter(|i| *i < n))
    };
    let mut built = vec![false; n];
    let mut todo = vec![start];
    while let Some(i) = todo.pop() {
        if built.get(i).copied().unwrap_or(true) {
            continue;
        }
        built[i] = true;
        let mut deps = Vec::new();
        if let Some(s) = df.stages.get(i) {
            deps.extend(df.stage_by_name(&s.base).map(|b| b.index));
        }
        for instruction in df.stage_instructions(i) {
            match &instruction.kind {
                Kind::Copy(c) | Kind::Add(c) => {
                    if let Some(from) = &c.from {
                        if from.contains('$') {
                            return all;
                        }
                        deps.extend(stage_of(from));
                    }
                }
                Kind::Run(r) => {
                    for m in &r.mounts {
                        if let Some(from) = m.value("from") {
                            if from.contains('$') {
                                return all;
                            }
                            deps.extend(stage_of(from));
                        }
                    }
                }
                _ => {}
            }
        }
        todo.extend(deps.into_iter().filter(|d| *d < n && !built[*d]));
    }
    built
}

/// The stages a compose build runs, from its `target:`.
pub fn built_stages_of(df: &Dockerfile, service: &Service) -> Vec<bool> {
    let target = service.build_key("target");
    built_stages(df, target.as_ref().and_then(|t| t.as_str()))
}

/// Whether an instruction belongs to a built stage.
pub fn in_built_stage(instruction: &Instruction, built: &[bool]) -> bool {
    instruction
        .stage
        .is_none_or(|s| built.get(s).copied().unwrap_or(true))
}

/// The ids a service's `build.secrets` provides, or `None` when one is not literal.
pub fn provided_build_ids(service: &Service) -> Option<Vec<&str>> {
    let mut ids = Vec::new();
    for r in service.build_secrets() {
        let id = r.target_name()?;
        if id.contains('$') {
            return None;
        }
        ids.push(id);
    }
    Some(ids)
}

/// A secret mount whose id the service's `build.secrets` does not provide.
pub struct BuildSecretGap<'a> {
    pub link: &'a BuildLink,
    pub project: &'a Project,
    pub service: &'a Service,
    pub mount: SecretMount<'a>,
    /// The runtime `secrets:` entry granting a secret under this name, if any.
    pub runtime_grant: Option<&'a SecretRef>,
}

/// Every secret mount (in the stages the build runs) that a compose build does not
/// provide.
pub fn build_secret_gaps(analysis: &Analysis) -> Vec<BuildSecretGap<'_>> {
    let mut out = Vec::new();
    for link in &analysis.builds {
        let Some(doc) = analysis.dockerfile_of(link) else {
            continue;
        };
        let Some(project) = analysis.projects.get(link.project) else {
            continue;
        };
        let Some(service) = project.service(&link.service) else {
            continue;
        };
        let Some(provided) = provided_build_ids(service) else {
            continue;
        };
        let Some(mounts) = secret_mounts(&doc.model) else {
            continue;
        };
        let built = built_stages_of(&doc.model, service);
        for mount in mounts {
            if provided.contains(&mount.id) || !in_built_stage(mount.instruction, &built) {
                continue;
            }
            let runtime_grant = service.granted_secrets().into_iter().find(|r| {
                r.target_name() == Some(mount.id)
                    || r.source.as_ref().is_some_and(|s| s.value == mount.id)
            });
            out.push(BuildSecretGap {
                link,
                project,
                service,
                mount,
                runtime_grant,
            });
        }
    }
    out
}

/// A `RUN --mount=type=ssh,required=true` in a stage the build of a compose service
/// runs, whose id (`default` unless `id=` says otherwise) the service's `build.ssh` does
/// not forward.
pub struct SshGap<'a> {
    pub link: &'a BuildLink,
    pub service: &'a Service,
    pub id: &'a str,
    pub span: Range<usize>,
}

/// The ids a service's `build.ssh` forwards (`default`, `github=~/.ssh/id_ed25519`, or the
/// mapping form), over every part that writes `build:`.
fn forwarded_ssh_ids(service: &Service) -> Vec<String> {
    let mut ids = Vec::new();
    for build in service.parts.iter().filter_map(|p| p.build.as_ref()) {
        let Some(ssh) = build.node.get("ssh") else {
            continue;
        };
        match ssh.as_seq() {
            Some(items) => ids.extend(
                items
                    .iter()
                    .filter_map(Node::as_str)
                    .map(|s| s.split('=').next().unwrap_or(s).trim().to_owned()),
            ),
            None => ids.extend(ssh.entries().map(|(k, _, _)| k.to_owned())),
        }
    }
    ids
}

/// Every required SSH mount that the compose build running it does not forward.
pub fn ssh_gaps(analysis: &Analysis) -> Vec<SshGap<'_>> {
    let mut out = Vec::new();
    for link in &analysis.builds {
        let (Some(doc), Some(project)) = (
            analysis.dockerfile_of(link),
            analysis.projects.get(link.project),
        ) else {
            continue;
        };
        let Some(service) = project.service(&link.service) else {
            continue;
        };
        let forwarded = forwarded_ssh_ids(service);
        let built = built_stages_of(&doc.model, service);
        for instruction in &doc.model.instructions {
            let Kind::Run(run) = &instruction.kind else {
                continue;
            };
            if !in_built_stage(instruction, &built) {
                continue;
            }
            for mount in &run.mounts {
                if !mount.mount_type().eq_ignore_ascii_case("ssh") || !mount.required() {
                    continue;
                }
                let id = mount.value("id").unwrap_or("default");
                if id.contains('$') || forwarded.iter().any(|f| f == id) {
                    continue;
                }
                out.push(SshGap {
                    link,
                    service,
                    id,
                    span: mount.span.clone(),
                });
            }
        }
    }
    out
}

/// Why a file in a build context is a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretKind {
    /// The `file:` of a compose secret.
    ComposeSecret(String),
    /// A credential file, known by its name.
    CredentialName,
}

/// A secret file the builder would receive with the context.
#[derive(Debug, Clone)]
pub struct ExposedFile {
    pub path: PathBuf,
    /// Relative to the context, `/`-separated.
    pub rel: String,
    pub kind: SecretKind,
}

/// Whether a file (with its context-relative path) is a credential file: by name (see
/// [`credential_file_kind`]), then by content where the name says too little
/// ([`holds_secret`]: an `.npmrc` of settings, a certificate, an env file of plain
/// settings are not). An unreadable file counts as one.
pub fn is_credential_file(rel: &str, path: &Path) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if is_example_file(name) || credential_file_kind(rel).is_none() {
        return false;
    }
    holds_secret(path) != Some(false)
}

/// Context-relative, `/`-separated form of `path`, when it lies inside `context`.
pub fn relative_to(context: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(context).ok()?;
    let s = rel.to_string_lossy().replace('\\', "/");
    (!s.is_empty()).then_some(s)
}

/// Secret files inside `context` that its ignore file does not exclude: compose secret
/// files of `project` lying there (present or to be provisioned) and credential files
/// found by a bounded walk.
pub fn exposed_files(
    context: &Path,
    dockerfile: &Path,
    project: Option<&Project>,
) -> Vec<ExposedFile> {
    if !context.is_dir() {
        return Vec::new();
    }
    let ignore = DockerIgnore::for_build(context, dockerfile).map(|(_, i)| i);
    let excluded = |rel: &str| ignore.as_ref().is_some_and(|i| i.is_excluded(rel));
    let mut out: Vec<ExposedFile> = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    if let Some(project) = project {
        for def in &project.secrets {
            let Some(Ok(path)) = super::support::secret_file_path(project, def) else {
                continue;
            };
            if path.is_dir() {
                continue;
            }
            let Some(rel) = relative_to(context, &path) else {
                continue;
            };
            if !excluded(&rel) && seen.insert(path.clone()) {
                out.push(ExposedFile {
                    path,
                    rel,
                    kind: SecretKind::ComposeSecret(def.name.clone()),
                });
            }
        }
    }
    let mut visited = 0usize;
    let mut dirs = vec![context.to_path_buf()];
    'walk: while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            visited += 1;
            if visited > MAX_CONTEXT_ENTRIES {
                break 'walk;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            let path = entry.path();
            if kind.is_dir() {
                if !SKIPPED_DIRS.iter().any(|s| name == *s) {
                    dirs.push(path);
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let Some(rel) = relative_to(context, &path) else {
                continue;
            };
            if seen.contains(&path) || !is_credential_file(&rel, &path) || excluded(&rel) {
                continue;
            }
            seen.insert(path.clone());
            out.push(ExposedFile {
                path,
                rel,
                kind: SecretKind::CredentialName,
            });
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

/// How a `COPY`/`ADD` source takes in a context file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// The source is a folder (or a glob) holding the file: `COPY . .`, `COPY ./ /src/`.
    Broad,
    /// The source names the file itself.
    Exact,
}

/// How `source` (a word of a `COPY`/`ADD` from the context) takes in the file `rel`.
pub fn covers(source: &str, rel: &str) -> Option<Coverage> {
    if source.contains('$') || source.contains("://") {
        return None;
    }
    let mut s = source.trim();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    let s = s.trim_start_matches('/').trim_end_matches('/');
    let s = crate::workspace::normalize(Path::new(s))
        .to_string_lossy()
        .replace('\\', "/");
    if s.is_empty() || s == "." {
        return Some(Coverage::Broad);
    }
    if s.starts_with("..") {
        return None;
    }
    if s.contains(['*', '?', '[']) {
        let glob = globset::GlobBuilder::new(&s)
            .literal_separator(true)
            .build()
            .ok()?
            .compile_matcher();
        // The glob may match the file itself or one of its parent folders.
        let mut prefix = String::new();
        for part in rel.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            if glob.is_match(&prefix) {
                return Some(Coverage::Broad);
            }
        }
        return None;
    }
    if rel == s {
        return Some(Coverage::Exact);
    }
    rel.strip_prefix(s.as_str())
        .filter(|rest| rest.starts_with('/'))
        .map(|_| Coverage::Broad)
}

/// `COPY`/`ADD` instructions from the build context (no `--from`) in the built stages.
pub fn context_copies<'a>(
    df: &'a Dockerfile,
    built: &'a [bool],
) -> impl Iterator<Item = &'a Copy> + 'a {
    df.instructions
        .iter()
        .filter(move |i| in_built_stage(i, built))
        .filter_map(|i| match &i.kind {
            Kind::Copy(c) | Kind::Add(c) if c.from.is_none() => Some(c),
            _ => None,
        })
}

/// The first source word of a context copy that takes in `rel`, and how.
pub fn copied_by<'a>(
    df: &'a Dockerfile,
    built: &'a [bool],
    rel: &str,
) -> Option<(&'a Word, Coverage)> {
    let mut exact = None;
    for copy in context_copies(df, built) {
        for word in &copy.sources {
            match covers(&word.value, rel) {
                Some(Coverage::Broad) => return Some((word, Coverage::Broad)),
                Some(Coverage::Exact) if exact.is_none() => exact = Some((word, Coverage::Exact)),
                _ => {}
            }
        }
    }
    exact
}

/// Span of the first line of a file's text.
pub fn first_line(text: &str) -> Span {
    Span::new(0, text.find('\n').unwrap_or(text.len()))
}

/// `a`, `a and b`, `a, b, c, d and 3 more`.
pub fn list_names(names: &[String]) -> String {
    const SHOWN: usize = 4;
    let quoted: Vec<String> = names.iter().take(SHOWN).cloned().collect();
    let more = names.len().saturating_sub(SHOWN);
    match (quoted.as_slice(), more) {
        ([one], 0) => one.clone(),
        (many, 0) => {
            let (last, rest) = many
                .split_last()
                .map_or((String::new(), &[][..]), |(l, r)| (l.clone(), r));
            format!("{} and {last}", rest.join(", "))
        }
        (many, more) => format!("{} and {more} more", many.join(", ")),
    }
}

/// A secret file that one build sends to the builder.
pub struct ContextExposure {
    pub file: ExposedFile,
    /// The Dockerfile (its file id) and the source word of a `COPY`/`ADD` that takes the
    /// file in, and how.
    pub copy: Option<(crate::source::FileId, Span, Coverage)>,
    /// Where to report that the file is sent: the compose `build` context, or the
    /// Dockerfile's first line for a Dockerfile no compose service builds.
    pub build_site: (crate::source::FileId, Span),
    /// The compose service, when a compose file drives the build.
    pub service: Option<String>,
    /// The compose project of that service (an index into `analysis.projects`).
    pub project: Option<usize>,
    pub context: PathBuf,
}

/// Secret files each build sends with its context, for every compose build and for every
/// Dockerfile no compose service builds (its folder taken as the context). Each context
/// is walked once.
pub fn context_exposures(analysis: &Analysis) -> Vec<ContextExposure> {
    use rayon::prelude::*;
    // Each distinct (context, Dockerfile, project) is walked once, the walks in parallel.
    let mut keys: Vec<(&Path, &Path, usize)> = analysis
        .builds
        .iter()
        .map(|l| (l.context.as_path(), l.dockerfile_path.as_path(), l.project))
        .collect();
    keys.sort();
    keys.dedup();
    let walked: std::collections::HashMap<(&Path, &Path, usize), Vec<ExposedFile>> = keys
        .into_par_iter()
        .map(|key @ (context, dockerfile, project)| {
            let files = exposed_files(context, dockerfile, analysis.projects.get(project));
            (key, files)
        })
        .collect();
    let mut out = Vec::new();
    let mut linked = HashSet::new();
    for link in &analysis.builds {
        linked.extend(link.dockerfile);
        let Some(project) = analysis.projects.get(link.project) else {
            continue;
        };
        let Some(service) = project.service(&link.service) else {
            continue;
        };
        let Some(build) = service.build() else {
            continue;
        };
        let site = (
            build.file,
            build.context.as_ref().map_or(build.span, |c| c.span),
        );
        let key = (
            link.context.as_path(),
            link.dockerfile_path.as_path(),
            link.project,
        );
        let files = walked.get(&key).map_or(&[][..], Vec::as_slice);
        let doc = analysis.dockerfile_of(link);
        let built = doc.map(|d| built_stages_of(&d.model, service));
        for file in files {
            let copy = doc.zip(built.as_ref()).and_then(|(d, b)| {
                copied_by(&d.model, b, &file.rel)
                    .map(|(w, how)| (d.file, Span::new(w.span.start, w.span.end), how))
            });
            out.push(ContextExposure {
                file: file.clone(),
                copy,
                build_site: site,
                service: Some(service.name.clone()),
                project: Some(link.project),
                context: link.context.clone(),
            });
        }
    }
    let unbuilt: Vec<Vec<ContextExposure>> = analysis
        .dockerfiles
        .par_iter()
        .enumerate()
        .filter(|(index, _)| !linked.contains(index))
        .map(|(_, doc)| {
            let source = analysis.ws.files.get(doc.file);
            let Some(context) = source.path.parent() else {
                return Vec::new();
            };
            let built = built_stages(&doc.model, None);
            exposed_files(context, &source.path, None)
                .into_iter()
                .map(|file| {
                    let copy = copied_by(&doc.model, &built, &file.rel)
                        .map(|(w, how)| (doc.file, Span::new(w.span.start, w.span.end), how));
                    ContextExposure {
                        file,
                        copy,
                        build_site: (doc.file, first_line(&source.text)),
                        service: None,
                        project: None,
                        context: context.to_path_buf(),
                    }
                })
                .collect()
        })
        .collect();
    out.extend(unbuilt.into_iter().flatten());
    out
}

/// `secret file `x` (compose secret `db`)` / `credential file `x``.
pub fn describe(analysis: &Analysis, file: &ExposedFile) -> String {
    let shown = analysis.ws.display(&file.path);
    match &file.kind {
        SecretKind::ComposeSecret(name) if file.path.exists() => {
            format!("`{shown}` (the file of secret `{name}`)")
        }
        SecretKind::ComposeSecret(name) => {
            format!("`{shown}` (the file of secret `{name}`, once provisioned)")
        }
        SecretKind::CredentialName => format!("`{shown}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_cover_files_as_copy_does() {
        assert_eq!(covers(".", "a/b.key"), Some(Coverage::Broad));
        assert_eq!(covers("./", "a/b.key"), Some(Coverage::Broad));
        assert_eq!(covers("*", "a/b.key"), Some(Coverage::Broad));
        assert_eq!(covers("a", "a/b.key"), Some(Coverage::Broad));
        assert_eq!(covers("./a/", "a/b.key"), Some(Coverage::Broad));
        assert_eq!(covers("a/b.key", "a/b.key"), Some(Coverage::Exact));
        assert_eq!(covers("ab", "a/b.key"), None);
        assert_eq!(covers("*.json", "a/b.key"), None);
        assert_eq!(covers("a/*.key", "a/b.key"), Some(Coverage::Broad));
        assert_eq!(covers("$DIR", "a/b.key"), None);
        assert_eq!(covers("https://x/y", "y"), None);
    }

    #[test]
    fn credential_names() {
        let p = Path::new("/nonexistent");
        for yes in [
            "id_rsa",
            "a/.env",
            ".env.production",
            "k/server.key",
            "x.p12",
            ".npmrc",
        ] {
            assert!(is_credential_file(yes, p), "{yes}");
        }
        for no in [
            ".env.example",
            ".env.sample",
            "env.template",
            "README.md",
            "app.py",
        ] {
            assert!(!is_credential_file(no, p), "{no}");
        }
    }

    #[test]
    fn unconditional_use_of_a_mounted_secret() {
        assert!(mentions_path(
            "cat /run/secrets/tok > x",
            "/run/secrets/tok"
        ));
        assert!(!mentions_path("cat /run/secrets/token", "/run/secrets/tok"));
        assert!(!mentions_path(
            "cat /var/run/secrets/tok",
            "/run/secrets/tok"
        ));
        let tok = "/run/secrets/tok";
        assert!(guarded(
            "[ -f /run/secrets/tok ] && cat /run/secrets/tok",
            tok,
            None
        ));
        assert!(guarded("cat /run/secrets/tok || true", tok, None));
        assert!(guarded("test -s \"$T\" && x", tok, Some("T")));
        assert!(!guarded(
            "curl -s https://x/y; cat /run/secrets/tok",
            tok,
            None
        ));
        assert!(mentions_var("TOKEN=$NPM_TOKEN npm ci", "NPM_TOKEN"));
        assert!(mentions_var("echo ${NPM_TOKEN}", "NPM_TOKEN"));
        assert!(!mentions_var("echo ${NPM_TOKEN:-}", "NPM_TOKEN"));
        assert!(!mentions_var("echo $NPM_TOKENS", "NPM_TOKEN"));
    }

    #[test]
    fn only_the_stages_a_target_needs_are_built() {
        let df = crate::dockerfile::parse(
            "FROM a AS one\nRUN x\nFROM b AS two\nCOPY --from=one /x /x\nFROM c AS three\nRUN y\nFROM two AS four\n",
        );
        assert_eq!(built_stages(&df, None), [true, true, false, true]);
        assert_eq!(
            built_stages(&df, Some("three")),
            [false, false, true, false]
        );
        assert_eq!(built_stages(&df, Some("nope")), [true; 4]);
    }

    #[test]
    fn names_are_listed_briefly() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(list_names(&n(&["a"])), "a");
        assert_eq!(list_names(&n(&["a", "b", "c"])), "a, b and c");
        assert_eq!(
            list_names(&n(&["a", "b", "c", "d", "e"])),
            "a, b, c, d and 1 more"
        );
    }
}
