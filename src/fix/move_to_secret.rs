//! The fix that moves a hardcoded secret out of a service's `environment:` into a Compose
//! secret (CE001, and CE002's literal defaults):
//!
//! - the value goes to `./secrets/<name>.txt` (mode 0600, no trailing newline), which is
//!   added to `.gitignore`, and to the `.dockerignore` of every build context holding it;
//!   with `--fix-secrets-from env` it goes to the project's git-ignored `.env` instead and
//!   the secret reads it with `environment:`;
//! - a top-level `secrets:` entry defines it, and each service that receives the variable
//!   is granted it;
//! - `VAR: value` becomes `VAR_FILE: /run/secrets/<name>`.
//!
//! It is offered only where the result does what the file did: every service receiving
//! the variable runs an image known to read `VAR_FILE` (the image table), the value is
//! written plainly (no escapes, one line), and the YAML around it can be extended in its
//! own style. One value written for several services becomes one secret granted to each.
//! A name already taken (a secret of the project, a file on disk) is never reused.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::text::{add_top_level, append_to_map, append_to_seq, indent_step, rewrite_scalar};
use crate::analysis::Analysis;
use crate::compose::{EnvVar, Project, Service};
use crate::dockerignore::DockerIgnore;
use crate::finding::{Applicability, Edit, FileWrite, Fix, WriteAction};
use crate::rules::ce_support::{file_variable_image, run_image, secret_name_for};
use crate::rules::support::secret_file_path;
use crate::source::{FileId, Span};

/// Where a fix puts the value of a secret it moves (`--fix-secrets-from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretsFrom {
    /// A git-ignored file under `./secrets/`, read with `file:`.
    #[default]
    File,
    /// The project's git-ignored `.env`, read with `environment:`.
    Env,
}

/// One environment entry the fix rewrites, and the services that receive it (indexes
/// into [`Environments::services`]).
struct Site<'a> {
    var: &'a EnvVar,
    services: Vec<usize>,
}

/// At most this many entries holding one value are moved by one fix, and at most this many
/// services are granted the secret: a change larger than that is not one to make without
/// a look (and a hostile file with thousands would make every finding's fix as large).
const MAX_SITES: usize = 16;
const MAX_RECEIVERS: usize = 64;

/// Where an environment entry is written: its file, the span of its value node, its name.
type EntryKey<'a> = (FileId, Span, &'a str);

/// What the fix needs to know of a project's environments, gathered once per project (a
/// rule asks for every finding, and a hostile file may hold thousands).
pub struct Environments<'a> {
    /// Each service, its environment as Compose merges it, and the image it runs.
    services: Vec<(&'a Service, Vec<&'a EnvVar>, Option<String>)>,
    /// The services receiving each entry, by where it is written (an entry of an `x-`
    /// anchor is received by every service merging it).
    receivers: HashMap<EntryKey<'a>, (&'a EnvVar, Vec<usize>)>,
    /// The entries holding each hardcoded value, as the rule's `value_of` reads them.
    by_value: HashMap<String, Vec<EntryKey<'a>>>,
}

impl<'a> Environments<'a> {
    /// The environments of project `project` of the batch. `value_of` gives the value
    /// a container receives for an entry this fix would move (`None` for the others):
    /// entries with one value become one secret.
    pub fn of(
        analysis: &'a Analysis,
        project: usize,
        value_of: impl Fn(&EnvVar) -> Option<String>,
    ) -> Environments<'a> {
        let mut envs = Environments {
            services: Vec::new(),
            receivers: HashMap::new(),
            by_value: HashMap::new(),
        };
        let Some(p) = analysis.projects.get(project) else {
            return envs;
        };
        for service in &p.services {
            let merged = service.effective_environment();
            let i = envs.services.len();
            for entry in &merged {
                let key = (entry.file, entry.node.span, entry.name.as_str());
                if !envs.receivers.contains_key(&key)
                    && let Some(v) = value_of(entry)
                {
                    envs.by_value.entry(v).or_default().push(key);
                }
                envs.receivers
                    .entry(key)
                    .or_insert_with(|| (*entry, Vec::new()))
                    .1
                    .push(i);
            }
            envs.services
                .push((service, merged, run_image(analysis, project, service)));
        }
        envs
    }

    /// The entry written at `at` (a value node's span) for the variable `name` in `file`.
    pub fn entry(&self, file: FileId, at: Span, name: &str) -> Option<&'a EnvVar> {
        self.receivers.get(&(file, at, name)).map(|(e, _)| *e)
    }

    fn site(&self, var: &'a EnvVar) -> Option<Site<'a>> {
        let (entry, services) =
            self.receivers
                .get(&(var.file, var.node.span, var.name.as_str()))?;
        Some(Site {
            var: entry,
            services: services.clone(),
        })
    }

    /// The other entries of `var`'s file holding `value`.
    fn same_value(&self, var: &EnvVar, value: &str) -> Vec<&'a EnvVar> {
        self.by_value
            .get(value)
            .into_iter()
            .flatten()
            .filter(|(file, span, name)| {
                *file == var.file && !(*span == var.node.span && *name == var.name)
            })
            .filter_map(|key| self.receivers.get(key).map(|(e, _)| *e))
            .collect()
    }
}

/// The fix for the hardcoded `value` (as the container receives it) of `var`, in the
/// project `project` of the batch; `None` when it cannot be made safely.
pub fn move_to_secret(
    analysis: &Analysis,
    project: usize,
    envs: &Environments<'_>,
    var: &EnvVar,
    value: &str,
) -> Option<Fix> {
    let p = analysis.projects.get(project)?;
    let cf = p.files.iter().find(|f| f.file == var.file)?;
    let src = &analysis.ws.files.get(var.file).text;
    if value.is_empty() || value.contains(['\n', '\r']) {
        return None;
    }
    // Every service receiving an entry must read `<VAR>_FILE` (and not set it already):
    // `var`'s entry is moved only so; another entry holding the same value is left where
    // it is otherwise, and the check after the fix refuses to leave the value behind.
    let reads_file = |site: &Site<'_>| {
        let file_var = format!("{}_FILE", site.var.name);
        site.services.iter().all(|&i| {
            let (_, merged, image) = &envs.services[i];
            file_variable_image(image.as_deref(), &site.var.name).is_some()
                && !merged.iter().any(|e| e.name == file_var)
        })
    };
    // `var`'s own entry first: most findings stop here.
    let own = envs.site(var)?;
    if own.services.is_empty() || own.services.len() > MAX_RECEIVERS || !reads_file(&own) {
        return None;
    }
    if envs.by_value.get(value).map_or(0, Vec::len) > MAX_SITES {
        return None;
    }
    let others = envs.same_value(var, value);
    let mut sites = vec![own];
    for other in others {
        if let Some(site) = envs.site(other)
            && !site.services.is_empty()
            && reads_file(&site)
        {
            sites.push(site);
        }
    }
    sites.sort_by_key(|s| s.var.node.span.start);
    let from = analysis.fix_secrets_from;
    let name = secret_name(p, &cf.dir, &sites[0].var.name, from, analysis)?;
    let step = indent_step(src, &cf.root);
    let mut edits = Vec::new();
    let mount = format!("/run/secrets/{}", name.secret);
    for site in &sites {
        edits.extend(rewrite_entry(src, site.var, &mount)?);
    }
    // The grants, one per service (a service receiving two rewritten entries once).
    let mut granted = HashSet::new();
    for site in &sites {
        for &i in &site.services {
            let service = envs.services[i].0;
            if granted.insert(service.name.as_str()) {
                edits.push(grant(src, var.file, service, &name.secret, step)?);
            }
        }
    }
    edits.push(define(src, &cf.root, &name, step)?);
    let mut writes = Vec::new();
    let shown = match &name.store {
        Store::File(path) => {
            writes.push(FileWrite {
                path: path.clone(),
                action: WriteAction::Create { mode: 0o600 },
                content: value.to_owned(),
                secret: true,
            });
            writes.extend(ignore_lines(analysis, project, path, &cf.dir));
            format!("`{}`", analysis.ws.display(path))
        }
        Store::Env { dotenv, variable } => {
            if value.contains('\'') || analysis.git_tracked(dotenv) {
                return None;
            }
            writes.push(FileWrite {
                path: dotenv.clone(),
                action: WriteAction::AppendLine,
                content: format!("{variable}='{value}'"),
                secret: true,
            });
            writes.extend(gitignore_line(analysis, dotenv, &p.dir));
            format!("`{variable}` in `{}`", analysis.ws.display(dotenv))
        }
    };
    let mut moves = vec![value.to_owned()];
    for site in &sites {
        if let Some(raw) = &site.var.value
            && !moves.contains(raw)
        {
            moves.push(raw.clone());
        }
    }
    // The variables moved, in the order they are written: the same title for every
    // finding the fix settles.
    let mut names: Vec<String> = Vec::new();
    for site in &sites {
        let shown = format!("`{}`", site.var.name);
        if !names.contains(&shown) {
            names.push(shown);
        }
    }
    let services: Vec<&str> = {
        let mut v: Vec<&str> = granted.into_iter().collect();
        v.sort_unstable();
        v
    };
    Some(Fix {
        applicability: Applicability::Unsafe,
        message: format!(
            "move {} into the compose secret `{}` (kept in {shown}) for {}: {} {} it",
            names.join(", "),
            name.secret,
            services
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", "),
            names
                .iter()
                .map(|n| format!("{}_FILE`", n.trim_end_matches('`')))
                .collect::<Vec<_>>()
                .join(", "),
            if names.len() == 1 { "reads" } else { "read" },
        ),
        edits: edits
            .into_iter()
            .map(|(span, content)| Edit {
                file: var.file,
                span,
                content,
            })
            .collect(),
        writes,
        moves,
        scope: Some(p.dir.clone()),
    })
}

/// `VAR: value` → `VAR_FILE: /run/secrets/<name>` (or `- VAR=value` → `- VAR_FILE=…`), in
/// the quoting the entry had.
fn rewrite_entry(src: &str, var: &EnvVar, mount: &str) -> Option<Vec<(Span, String)>> {
    let written = var.value.as_deref()?;
    let file_var = format!("{}_FILE", var.name);
    if var.list_form {
        let item = format!("{}={written}", var.name);
        let new = format!("{file_var}={mount}");
        return Some(vec![(
            var.node.span,
            rewrite_scalar(src, var.node.span, &item, &new)?,
        )]);
    }
    Some(vec![
        (
            var.name_span,
            rewrite_scalar(src, var.name_span, &var.name, &file_var)?,
        ),
        (
            var.node.span,
            rewrite_scalar(src, var.node.span, written, mount)?,
        ),
    ])
}

/// The edit granting `secret` to `service`, in the part of the service `file` writes.
fn grant(
    src: &str,
    file: FileId,
    service: &Service,
    secret: &str,
    step: usize,
) -> Option<(Span, String)> {
    let part = service
        .parts
        .iter()
        .find(|p| p.file == file && !p.extended)?;
    match part.node.entry("secrets") {
        Some((key, list)) => {
            // `secrets:` merged in from an anchor would be replaced, not extended.
            if key.span.start < part.node.span.start || key.span.end > part.node.span.end {
                return None;
            }
            append_to_seq(src, list, secret)
        }
        None => append_to_map(src, &part.node, "secrets", &[&format!("- {secret}")], step),
    }
}

/// The edit defining the secret at the top level of the file.
fn define(src: &str, root: &crate::yaml::Node, name: &Name, step: usize) -> Option<(Span, String)> {
    let source = match &name.store {
        Store::File(_) => format!("file: {}", name.written_path),
        Store::Env { variable, .. } => format!("environment: {variable}"),
    };
    add_top_level(src, root, "secrets", &name.secret, &source, step)
}

/// Where the moved value is kept.
enum Store {
    File(PathBuf),
    Env { dotenv: PathBuf, variable: String },
}

struct Name {
    secret: String,
    /// The `file:` as written in the compose file, e.g. `./secrets/db_password.txt`.
    written_path: String,
    store: Store,
}

/// A name for the new secret in the style of the project's secrets (`db-password` where
/// they are dash-separated; their folder and extension), that no secret, file or `.env`
/// variable of the project already has.
fn secret_name(
    p: &Project,
    dir: &Path,
    var: &str,
    from: SecretsFrom,
    analysis: &Analysis,
) -> Option<Name> {
    let mut base = secret_name_for(var);
    let names: Vec<&str> = p.secret_names().collect();
    if !names.is_empty() && names.iter().all(|n| n.contains('-') && !n.contains('_')) {
        base = base.replace('_', "-");
    }
    let (folder, extension) = file_style(p, dir);
    for n in 1..100 {
        let secret = if n == 1 {
            base.clone()
        } else {
            format!("{base}{}{n}", if base.contains('-') { "-" } else { "_" })
        };
        if names.contains(&secret.as_str()) || p.template_secrets.iter().any(|t| t.name == secret) {
            continue;
        }
        let written_path = format!("./{folder}{secret}{extension}");
        let path = crate::workspace::normalize(&dir.join(&written_path));
        let taken_path = path.symlink_metadata().is_ok()
            || analysis.planned.iter().any(|w| w.path == path)
            || p.secrets
                .iter()
                .any(|d| matches!(secret_file_path(p, d), Some(Ok(q)) if q == path));
        let store = match from {
            SecretsFrom::File if taken_path => continue,
            SecretsFrom::File => Store::File(path),
            SecretsFrom::Env => {
                let variable = secret.to_ascii_uppercase().replace('-', "_");
                let planned = analysis
                    .planned
                    .iter()
                    .any(|w| w.content.starts_with(&format!("{variable}=")));
                if p.dotenv.contains_key(&variable) || planned {
                    continue;
                }
                Store::Env {
                    dotenv: p.dir.join(".env"),
                    variable,
                }
            }
        };
        return Some(Name {
            secret,
            written_path,
            store,
        });
    }
    None
}

/// The folder (relative to `dir`, ending in `/`) and extension of the project's secret
/// files, where they share a folder named for secrets (`./secrets/`, `./.secrets/`,
/// `./docker/secrets/`) and an extension a value file has (none, `.txt`, `.secret`); else
/// `secrets/` and `.txt`. Certificates and keys (`./certs/site.pem`) are no model for a
/// password's file.
fn file_style(p: &Project, dir: &Path) -> (String, String) {
    let paths: Vec<PathBuf> = p
        .secrets
        .iter()
        .filter_map(|d| secret_file_path(p, d)?.ok())
        .collect();
    let folders: HashSet<Option<&Path>> = paths.iter().map(|q| q.parent()).collect();
    let folder = match folders.iter().next() {
        Some(Some(f)) if folders.len() == 1 => f
            .strip_prefix(dir)
            .ok()
            .map(|rel| rel.to_string_lossy().replace('\\', "/"))
            .filter(|rel| {
                rel.rsplit('/')
                    .next()
                    .is_some_and(|last| last.to_ascii_lowercase().contains("secret"))
            })
            .map(|rel| format!("{rel}/")),
        _ => None,
    };
    let Some(folder) = folder else {
        return ("secrets/".to_owned(), ".txt".to_owned());
    };
    let extensions: HashSet<String> = paths
        .iter()
        .map(|q| {
            q.extension()
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_default()
        })
        .collect();
    let extension = match extensions.iter().next() {
        Some(e) if extensions.len() == 1 && matches!(e.as_str(), "" | ".txt" | ".secret") => {
            e.clone()
        }
        _ => ".txt".to_owned(),
    };
    (folder, extension)
}

/// The lines that keep the new secret file out of git and out of every build context
/// holding it.
fn ignore_lines(analysis: &Analysis, project: usize, path: &Path, dir: &Path) -> Vec<FileWrite> {
    let mut out: Vec<FileWrite> = gitignore_line(analysis, path, dir).into_iter().collect();
    for link in analysis.builds_of(project) {
        let Ok(rel) = path.strip_prefix(&link.context) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        let (file, excluded) = match DockerIgnore::for_build(&link.context, &link.dockerfile_path) {
            Some((file, ignore)) => (file, ignore.is_excluded(&rel)),
            None => (link.context.join(".dockerignore"), false),
        };
        if excluded || out.iter().any(|w| w.path == file) {
            continue;
        }
        out.push(FileWrite {
            path: file,
            action: WriteAction::AppendLine,
            content: rel,
            secret: false,
        });
    }
    out
}

/// The `.gitignore` line (in `dir`) that ignores `path`, unless git ignores it already.
fn gitignore_line(analysis: &Analysis, path: &Path, dir: &Path) -> Option<FileWrite> {
    if analysis.git_ignored(path, false) {
        return None;
    }
    let rel = path
        .strip_prefix(dir)
        .ok()?
        .to_string_lossy()
        .replace('\\', "/");
    Some(FileWrite {
        path: dir.join(".gitignore"),
        action: WriteAction::AppendLine,
        content: format!("/{rel}"),
        secret: false,
    })
}
