//! Reading compose files into projects: grouping, `include:`, `extends:`, and the
//! extraction of services, secrets and configs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::model::*;
use super::paths::{dotenv_for, env_file_variables, resolve_path};
use crate::source::{FileId, Span};
use crate::workspace::Workspace;
use crate::yaml::{self, Node};

/// How deep `include:` and `extends:` chains are followed.
const MAX_CHAIN: usize = 16;

/// Parses compose files once each and keeps the trees (shared, never copied).
#[derive(Default)]
pub struct ComposeReader {
    trees: HashMap<FileId, Option<Arc<Node>>>,
    /// Files whose problems went to the workspace already (they outlive [`Self::forget_trees`]).
    reported: std::collections::HashSet<FileId>,
    /// Compose files found by walking rather than named: one that turns out not to be a
    /// compose file is skipped, not an error.
    walked: std::collections::HashSet<PathBuf>,
    /// The documents after the first, of the files that have several (`---`).
    later: HashMap<FileId, Vec<Arc<Node>>>,
}

/// What parsing one compose file gave.
#[derive(Default)]
struct Parsed {
    /// The first document, when it is a mapping.
    tree: Option<Node>,
    /// The documents after it (`---`), merged in order as Compose does.
    later: Vec<Node>,
    /// Problems met, with line and column.
    problems: Vec<Located>,
    /// For a walked file that is no compose file at all, why (it is skipped, not an error).
    not_compose: Option<String>,
}

impl Parsed {
    fn failed(problems: Vec<Located>) -> Parsed {
        Parsed {
            problems,
            ..Parsed::default()
        }
    }
    fn skipped(why: String) -> Parsed {
        Parsed {
            not_compose: Some(why),
            ..Parsed::default()
        }
    }
}

/// A problem at a line and column of a file.
type Located = ((usize, usize), String);

impl ComposeReader {
    /// A reader for which the compose files at `walked` (absolute) were found by walking.
    pub fn walking(walked: std::collections::HashSet<PathBuf>) -> ComposeReader {
        ComposeReader {
            walked,
            ..ComposeReader::default()
        }
    }

    /// The YAML tree of a compose file, parsed on first use; problems go to the workspace.
    pub fn tree(&mut self, ws: &mut Workspace, path: &Path) -> Option<(FileId, Arc<Node>)> {
        let id = ws.load(path)?;
        if let Some(known) = self.trees.get(&id) {
            return known.clone().map(|n| (id, n));
        }
        let file = ws.files.get(id);
        let parsed = parse_compose(file, self.walked.contains(&file.path));
        self.keep(ws, id, parsed).map(|n| (id, n))
    }

    /// Parse the compose files at `paths` in parallel ahead of their use by [`Self::tree`].
    pub fn preparse(&mut self, ws: &mut Workspace, paths: &[PathBuf]) {
        let mut ids: Vec<FileId> = paths
            .iter()
            .filter_map(|p| ws.load(p))
            .filter(|id| !self.trees.contains_key(id))
            .collect();
        ids.sort();
        ids.dedup();
        let files = &ws.files;
        let walked = &self.walked;
        let parsed: Vec<(FileId, Parsed)> = ids
            .into_par_iter()
            .map(|id| {
                let file = files.get(id);
                (id, parse_compose(file, walked.contains(&file.path)))
            })
            .collect();
        for (id, parsed) in parsed {
            self.keep(ws, id, parsed);
        }
    }

    fn keep(
        &mut self,
        ws: &mut Workspace,
        id: FileId,
        Parsed {
            tree,
            later,
            problems: messages,
            not_compose,
        }: Parsed,
    ) -> Option<Arc<Node>> {
        if self.reported.insert(id) {
            let path = ws.files.get(id).path.clone();
            match not_compose {
                Some(why) => ws.skip(&path, why),
                None => {
                    for (at, m) in messages {
                        ws.error_at(&path, at, &m);
                    }
                }
            }
        }
        let tree = tree.map(Arc::new);
        self.trees.insert(id, tree.clone());
        if !later.is_empty() {
            self.later
                .insert(id, later.into_iter().map(Arc::new).collect());
        }
        tree
    }

    /// The documents after the first of a file already read with [`Self::tree`].
    pub fn later_documents(&self, id: FileId) -> Vec<Arc<Node>> {
        self.later.get(&id).cloned().unwrap_or_default()
    }

    /// Drop the cached trees (projects keep what they need from them). Called between
    /// batches so that a run holds one batch's trees at a time, not every file's. A file
    /// met again is parsed again, and its problems are not reported twice.
    pub fn forget_trees(&mut self) {
        self.trees.clear();
        self.trees.shrink_to(16);
        self.later.clear();
    }
}

/// Parse one compose file: its tree when it is a mapping, and the problems as messages
/// with line and column. A `walked` file (found, not named) that is not a compose file
/// (its top level is not a mapping, or it was taken for one by its content and has no
/// service with `image:` or `build:`) comes back as skipped, with the reason.
fn parse_compose(file: &crate::source::SourceFile, walked: bool) -> Parsed {
    let by_content = walked
        && crate::discover::Classifier::default()
            .classify(&crate::discover::file_name(&file.path))
            .is_none();
    let parsed = match yaml::parse(&file.text) {
        Ok(out) => out,
        Err(p) if by_content => {
            return Parsed::skipped(format!("not a compose file: {}", p.message));
        }
        Err(p) => return Parsed::failed(vec![at(file, p.span, &p.message)]),
    };
    let mut messages: Vec<Located> = parsed
        .problems
        .iter()
        .map(|p| at(file, p.span, &p.message))
        .collect();
    // Empty documents count for nothing; every other one must be a mapping.
    let mut documents = parsed
        .root
        .into_iter()
        .chain(parsed.later)
        .filter(|d| !d.is_null());
    let Some(root) = documents.next() else {
        return Parsed::failed(messages);
    };
    let later: Vec<Node> = documents.collect();
    if let Some(bad) = std::iter::once(&root)
        .chain(&later)
        .find(|d| d.as_map().is_none())
    {
        if walked {
            let why = format!("not a compose file: the top level is {}", bad.kind_name());
            return Parsed::skipped(why);
        }
        let m = format!(
            "a compose file must be a mapping at the top level, found {}",
            bad.kind_name()
        );
        messages.push(at(file, bad.span, &m));
        return Parsed::failed(messages);
    }
    if walked && let Some(why) = not_a_compose_mapping(&root, by_content) {
        return Parsed::skipped(why);
    }
    Parsed {
        tree: Some(root),
        later,
        problems: messages,
        not_compose: None,
    }
}

/// Why a YAML mapping met while walking is not a compose file: a Kubernetes manifest, or
/// (for a file taken by its content) no service with `image:` or `build:`.
fn not_a_compose_mapping(root: &Node, by_content: bool) -> Option<String> {
    if root.get("apiVersion").is_some() && root.get("kind").is_some() {
        return Some("not a compose file: a Kubernetes manifest".into());
    }
    let has_service = root.get("services").is_some_and(|s| {
        s.as_map().is_some()
            && s.entries()
                .any(|(_, _, v)| v.get("image").is_some() || v.get("build").is_some())
    });
    (by_content && !has_service)
        .then(|| "not a compose file: no service with `image:` or `build:`".into())
}

fn at(file: &crate::source::SourceFile, span: Span, message: &str) -> Located {
    let pos = file.line_col(span.start);
    ((pos.line, pos.column), message.to_owned())
}

/// Build the project made of `paths` (the base file first, then overlays).
pub fn load_project(
    ws: &mut Workspace,
    reader: &mut ComposeReader,
    paths: &[PathBuf],
) -> Option<Project> {
    let first = paths.first()?;
    let dir = ws
        .absolute(first)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let dotenv = dotenv_for(ws, &dir);
    let mut project = Project {
        dir,
        files: Vec::new(),
        services: Vec::new(),
        secrets: Vec::new(),
        configs: Vec::new(),
        dotenv,
        fragment: false,
        unresolved_includes: Vec::new(),
        template_secrets: Vec::new(),
    };
    let mut seen = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let role = if i == 0 { Role::Base } else { Role::Overlay };
        let top = Inclusion::default();
        add_file(ws, reader, &mut project, path, &top, role, 0, &mut seen);
    }
    if project.files.is_empty() {
        return None;
    }
    resolve_same_project_extends(&mut project);
    project.template_secrets = template_secrets(&project.dir);
    Some(project)
}

/// The secrets that the compose templates in `dir` define (read here, never checked:
/// they are not part of any project).
fn template_secrets(dir: &Path) -> Vec<TemplateSecret> {
    let mut out = Vec::new();
    for path in crate::project::templates_in(dir) {
        let Ok(text) = crate::read::read_text(&path) else {
            continue;
        };
        let Some(root) = yaml::parse(&text).ok().and_then(|o| o.root) else {
            continue;
        };
        let template = crate::discover::file_name(&path);
        if let Some(defs) = root.get("secrets") {
            out.extend(defs.entries().map(|(name, _, _)| TemplateSecret {
                name: name.to_owned(),
                template: template.clone(),
            }));
        }
    }
    out
}

/// How a file comes into the project: what the `include:` entry naming it says (nothing
/// for the files the project is run with).
#[derive(Debug, Default)]
struct Inclusion {
    /// `project_directory:`, against which the file's relative paths resolve (by default
    /// its own folder).
    project_directory: Option<PathBuf>,
    /// Variables of the entry's `env_file:` files, which fill in the variables that the
    /// project's `.env` leaves unset when the file is interpolated.
    variables: HashMap<String, String>,
}

impl Inclusion {
    /// What the `include:` entry `entry` of a file in `dir` says.
    fn of(ws: &mut Workspace, dir: &Path, entry: &Node, dotenv: &HashMap<String, String>) -> Self {
        let project_directory = entry
            .get("project_directory")
            .and_then(Node::as_str)
            .and_then(|d| resolve_path(dir, d, dotenv).ok());
        let env_files: Vec<&str> = match entry.get("env_file") {
            Some(node) => match node.as_seq() {
                Some(items) => items.iter().filter_map(Node::as_str).collect(),
                None => node.as_str().into_iter().collect(),
            },
            None => Vec::new(),
        };
        // Relative to the including file's folder, not to `project_directory`, as in
        // Compose; a later file wins.
        let mut variables = HashMap::new();
        for raw in env_files {
            if let Ok(path) = resolve_path(dir, raw, dotenv) {
                variables.extend(env_file_variables(ws, &path));
            }
        }
        Inclusion {
            project_directory,
            variables,
        }
    }
}

/// Add the compose file at `path` to the project, come in as `inclusion` says.
#[allow(clippy::too_many_arguments)]
fn add_file(
    ws: &mut Workspace,
    reader: &mut ComposeReader,
    project: &mut Project,
    path: &Path,
    inclusion: &Inclusion,
    role: Role,
    depth: usize,
    seen: &mut Vec<FileId>,
) {
    let Some((id, root)) = reader.tree(ws, path) else {
        return;
    };
    if seen.contains(&id) {
        return;
    }
    seen.push(id);
    // Relative paths of the files given with `-f` resolve against the project directory
    // (the first file's folder), also in an overlay kept in another folder (docker-elk's
    // `extensions/curator/curator-compose.yml` builds `extensions/curator/`); an included
    // file's resolve against its own folder, or its entry's `project_directory`.
    let dir = inclusion.project_directory.clone().unwrap_or_else(|| {
        if role == Role::Overlay {
            return project.dir.clone();
        }
        ws.absolute(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    });

    // A file of several documents (`---`) is merged as files are, in order.
    let mut documents = vec![root];
    documents.extend(reader.later_documents(id));
    for root in documents {
        // `include:` first: the included resources are part of the project.
        if let Some(includes) = root.get("include").and_then(Node::as_seq) {
            for entry in includes {
                let from = Inclusion::of(ws, &dir, entry, &project.dotenv);
                for target in include_paths(entry) {
                    if depth >= MAX_CHAIN {
                        ws.error(path, "`include:` nested too deeply; stopped following it");
                        break;
                    }
                    let target_path = match resolve_path(&dir, &target.value, &project.dotenv) {
                        Ok(p) => p,
                        Err(why) => {
                            project.unresolved_includes.push(UnresolvedInclude {
                                file: id,
                                path: target.clone(),
                                variable: why.variable,
                            });
                            continue;
                        }
                    };
                    if ws.load(&target_path).is_none() {
                        continue;
                    }
                    add_file(
                        ws,
                        reader,
                        project,
                        &target_path,
                        &from,
                        Role::Included,
                        depth + 1,
                        seen,
                    );
                }
            }
        }

        if let Some(services) = root.get("services") {
            for (name, key, node) in services.entries() {
                let mut parts = Vec::new();
                collect_extends(ws, reader, &dir, node, 0, &mut parts);
                parts.push(service_part(
                    id,
                    &ws.files.get(id).text,
                    &dir,
                    key.span,
                    node,
                    false,
                ));
                match project.services.iter_mut().find(|s| s.name == name) {
                    Some(s) => s.parts.extend(parts),
                    None => project.services.push(Service {
                        name: name.to_owned(),
                        parts,
                    }),
                }
            }
        }
        for (section, out) in [
            ("secrets", &mut project.secrets),
            ("configs", &mut project.configs),
        ] {
            if let Some(defs) = root.get(section) {
                for (name, key, node) in defs.entries() {
                    out.push(secret_def(id, &dir, name, key.span, node));
                }
            }
        }
        project.files.push(ComposeFile {
            file: id,
            dir: dir.clone(),
            role,
            root,
            include_variables: inclusion.variables.clone(),
        });
    }
}

/// Paths of one `include:` entry: a string, or `{path: string | [strings]}`.
pub fn include_paths(entry: &Node) -> Vec<Spanned> {
    if let Some(s) = Spanned::of(entry) {
        return vec![s];
    }
    match entry.get("path") {
        Some(p) => match p.as_seq() {
            Some(items) => items.iter().filter_map(Spanned::of).collect(),
            None => Spanned::of(p).into_iter().collect(),
        },
        None => Vec::new(),
    }
}

/// Parts brought in by `extends: {service, file}` from another file.
fn collect_extends(
    ws: &mut Workspace,
    reader: &mut ComposeReader,
    dir: &Path,
    service: &Node,
    depth: usize,
    out: &mut Vec<ServicePart>,
) {
    let Some(ext) = service.get("extends") else {
        return;
    };
    let (Some(other), Some(name)) = (
        ext.get("file").and_then(Spanned::of),
        ext.get("service").and_then(Node::as_str),
    ) else {
        return; // same-file extends: resolved once the project is complete
    };
    if depth >= MAX_CHAIN {
        return;
    }
    let path = dir.join(&other.value);
    let Some((id, root)) = reader.tree(ws, &path) else {
        return;
    };
    let other_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let Some((key, node)) = root.get("services").and_then(|s| s.entry(name)) else {
        return;
    };
    collect_extends(ws, reader, &other_dir, node, depth + 1, out);
    let src = &ws.files.get(id).text;
    out.push(service_part(id, src, &other_dir, key.span, node, true));
}

/// `extends: name` or `extends: {service: name}` without `file`: copy the parts of that
/// service in front of the extending service's own. Compose resolves `extends` in each
/// file before it merges the files, so the parts copied are those of the file that writes
/// the `extends:` (with what that file's service itself extends), not what a later
/// override adds to the extended service.
fn resolve_same_project_extends(project: &mut Project) {
    for _ in 0..MAX_CHAIN {
        let mut changed = false;
        for i in 0..project.services.len() {
            let target = project.services[i].parts.iter().find_map(|p| {
                let ext = p.node.get("extends")?;
                if p.extended || ext.get("file").is_some() {
                    return None;
                }
                ext.as_str()
                    .or_else(|| ext.get("service")?.as_str())
                    .map(|t| (t.to_owned(), p.file))
            });
            let Some((target, file)) = target else {
                continue;
            };
            if target == project.services[i].name {
                continue;
            }
            let Some(base) = project.services.iter().find(|s| s.name == target) else {
                continue;
            };
            // The extended service as that file writes it: its parts up to the one written
            // in the file (what comes before it came through its own `extends:`).
            let Some(last) = base
                .parts
                .iter()
                .rposition(|p| p.file == file && !p.extended)
                .or_else(|| base.parts.iter().rposition(|p| p.file == file))
            else {
                continue;
            };
            let mut inherited: Vec<ServicePart> = base.parts[..=last]
                .iter()
                .map(|p| ServicePart {
                    extended: true,
                    ..p.clone()
                })
                .collect();
            let svc = &mut project.services[i];
            if svc.parts.iter().any(|p| p.extended) {
                continue;
            }
            inherited.append(&mut svc.parts);
            svc.parts = inherited;
            changed = true;
        }
        if !changed {
            break;
        }
    }
}

pub fn service_part(
    file: FileId,
    src: &str,
    dir: &Path,
    name_span: Span,
    node: &Node,
    extended: bool,
) -> ServicePart {
    ServicePart {
        file,
        dir: dir.to_path_buf(),
        name_span,
        node: node.clone(),
        image: node.get("image").and_then(Spanned::of),
        build: node.get("build").map(|b| build(file, src, dir, b)),
        secrets: node
            .get("secrets")
            .map(|s| secret_refs(file, s, false))
            .unwrap_or_default(),
        environment: node
            .get("environment")
            .map(|e| env_vars(file, src, e))
            .unwrap_or_default(),
        env_files: node
            .get("env_file")
            .map(|e| env_files(file, dir, e))
            .unwrap_or_default(),
        extended,
    }
}

fn build(file: FileId, src: &str, dir: &Path, node: &Node) -> Build {
    if let Some(ctx) = Spanned::of(node) {
        return Build {
            file,
            dir: dir.to_path_buf(),
            span: node.span,
            context: Some(ctx),
            dockerfile: None,
            dockerfile_inline: None,
            args: Vec::new(),
            secrets: Vec::new(),
            node: node.clone(),
        };
    }
    Build {
        file,
        dir: dir.to_path_buf(),
        span: node.span,
        context: node.get("context").and_then(Spanned::of),
        dockerfile: node.get("dockerfile").and_then(Spanned::of),
        dockerfile_inline: node.get("dockerfile_inline").and_then(Spanned::of),
        args: node
            .get("args")
            .map(|a| env_vars(file, src, a))
            .unwrap_or_default(),
        secrets: node
            .get("secrets")
            .map(|s| secret_refs(file, s, true))
            .unwrap_or_default(),
        node: node.clone(),
    }
}

const LONG_SECRET_KEYS: &[&str] = &["source", "target", "uid", "gid", "mode"];

fn secret_refs(file: FileId, node: &Node, build: bool) -> Vec<SecretRef> {
    let Some(items) = node.as_seq() else {
        return Vec::new();
    };
    items
        .iter()
        .map(|item| {
            if item.as_map().is_some() {
                SecretRef {
                    file,
                    span: item.span,
                    source: item.get("source").and_then(Spanned::of),
                    long: Some(item.clone()),
                    target: item.get("target").and_then(Spanned::of),
                    uid: item.get("uid").cloned(),
                    gid: item.get("gid").cloned(),
                    mode: item.get("mode").cloned(),
                    unknown_keys: item
                        .entries()
                        .filter(|(k, _, _)| !LONG_SECRET_KEYS.contains(k) && !k.starts_with("x-"))
                        .map(|(k, key, _)| Spanned {
                            value: k.to_owned(),
                            span: key.span,
                        })
                        .collect(),
                    build,
                }
            } else {
                SecretRef {
                    file,
                    span: item.span,
                    source: Spanned::of(item).filter(|s| !item.is_null() || !s.value.is_empty()),
                    long: None,
                    target: None,
                    uid: None,
                    gid: None,
                    mode: None,
                    unknown_keys: Vec::new(),
                    build,
                }
            }
        })
        .collect()
}

/// `environment:` / `args:` in map form or list form.
pub fn env_vars(file: FileId, src: &str, node: &Node) -> Vec<EnvVar> {
    if node.as_map().is_some() {
        return node
            .entries()
            .map(|(name, key, value)| EnvVar {
                file,
                name: name.to_owned(),
                name_span: key.span,
                value: if value.is_null() {
                    None
                } else {
                    value.as_str().map(str::to_owned)
                },
                value_span: (!value.is_null()).then_some(value.span),
                node: value.clone(),
                list_form: false,
            })
            .collect();
    }
    let Some(items) = node.as_seq() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let text = item.as_str()?;
            let (name, value) = match text.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (text, None),
            };
            let name_span = yaml::locate_in_scalar(src, item, 0..name.len());
            let value_span = value.map(|v| {
                yaml::locate_in_scalar(src, item, name.len() + 1..name.len() + 1 + v.len())
            });
            Some(EnvVar {
                file,
                name: name.trim().to_owned(),
                name_span,
                value: value.map(str::to_owned),
                value_span,
                node: item.clone(),
                list_form: true,
            })
        })
        .collect()
}

fn env_files(file: FileId, dir: &Path, node: &Node) -> Vec<EnvFileRef> {
    let one = |n: &Node| -> Option<EnvFileRef> {
        if let Some(path) = Spanned::of(n) {
            return Some(EnvFileRef {
                file,
                path,
                required: true,
                dir: dir.to_path_buf(),
            });
        }
        Some(EnvFileRef {
            file,
            path: n.get("path").and_then(Spanned::of)?,
            required: n.get("required").and_then(Node::as_bool).unwrap_or(true),
            dir: dir.to_path_buf(),
        })
    };
    match node.as_seq() {
        Some(items) => items.iter().filter_map(one).collect(),
        None => one(node).into_iter().collect(),
    }
}

fn secret_def(file: FileId, dir: &Path, name: &str, name_span: Span, node: &Node) -> SecretDef {
    let external = node.get("external").and_then(|e| match e.as_bool() {
        Some(true) => Some(e.span),
        Some(false) => None,
        None => e.as_map().map(|_| e.span),
    });
    SecretDef {
        name: name.to_owned(),
        name_span,
        file,
        dir: dir.to_path_buf(),
        node: node.clone(),
        source_file: node.get("file").and_then(Spanned::of),
        environment: node.get("environment").and_then(Spanned::of),
        content: node.get("content").and_then(Spanned::of),
        external,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::project as temp_project;

    fn load(files: &[(&str, &str)], paths: &[&str]) -> (tempfile::TempDir, Workspace, Project) {
        let dir = temp_project(files);
        let mut ws = Workspace::new(dir.path().to_path_buf());
        let mut reader = ComposeReader::default();
        let paths: Vec<PathBuf> = paths.iter().map(|p| dir.path().join(p)).collect();
        let project = load_project(&mut ws, &mut reader, &paths).expect("a project");
        (dir, ws, project)
    }

    #[test]
    fn a_file_shared_by_two_projects_is_reported_once_after_forget_trees() {
        let dir = temp_project(&[
            (
                "a/compose.yaml",
                "include: [../common.yaml]\nservices:\n  a:\n    image: x\n",
            ),
            (
                "b/compose.yaml",
                "include: [../common.yaml]\nservices:\n  b:\n    image: x\n",
            ),
            (
                "common.yaml",
                "services:\n  c:\n    image: x\n    image: y\n",
            ),
        ]);
        let mut ws = Workspace::new(dir.path().to_path_buf());
        let mut reader = ComposeReader::default();
        for name in ["a", "b"] {
            let project = load_project(
                &mut ws,
                &mut reader,
                &[dir.path().join(name).join("compose.yaml")],
            )
            .expect("a project");
            assert!(
                project.service("c").is_some(),
                "{name} includes common.yaml"
            );
            reader.forget_trees();
        }
        let duplicates = ws
            .errors
            .iter()
            .filter(|e| e.message.contains("duplicate key"))
            .count();
        assert_eq!(duplicates, 1, "{:?}", ws.errors);
    }

    #[test]
    fn extends_from_another_file_and_the_same_file() {
        let (_d, ws, p) = load(
            &[
                (
                    "compose.yaml",
                    "services:\n  base:\n    image: x\n    secrets: [a]\n  web:\n    extends: base\n  api:\n    extends:\n      file: common/services.yaml\n      service: app\n",
                ),
                (
                    "common/services.yaml",
                    "services:\n  app:\n    image: y\n    env_file: ./app.env\n    secrets: [b]\n",
                ),
            ],
            &["compose.yaml"],
        );
        assert!(ws.errors.is_empty(), "{:?}", ws.errors);
        let web: Vec<_> = p
            .service("web")
            .unwrap()
            .secrets()
            .map(|r| r.source.clone().unwrap().value)
            .collect();
        assert_eq!(web, ["a"]);
        let api = p.service("api").unwrap();
        let secrets: Vec<_> = api
            .secrets()
            .map(|r| r.source.clone().unwrap().value)
            .collect();
        assert_eq!(secrets, ["b"]);
        // `env_file` of the extended service resolves against its own folder.
        let env_file = &api.parts[0].env_files[0];
        assert!(env_file.dir.ends_with("common"));
        assert_eq!(api.image().unwrap().value, "y");
    }

    #[test]
    fn reset_and_override_tags_discard_earlier_values() {
        let (_d, _ws, p) = load(
            &[
                (
                    "compose.yaml",
                    "services:\n  a:\n    image: x\n    secrets: [one]\n    environment:\n      A: 1\n",
                ),
                (
                    "compose.override.yaml",
                    "services:\n  a:\n    secrets: !reset []\n    environment: !override\n      B: 2\n",
                ),
            ],
            &["compose.yaml", "compose.override.yaml"],
        );
        let a = p.service("a").unwrap();
        assert_eq!(a.secrets().count(), 0);
        let env: Vec<_> = a.environment().map(|e| e.name.as_str()).collect();
        assert_eq!(env, ["B"]);
    }

    #[test]
    fn extends_cycles_terminate() {
        let (_d, _ws, p) = load(
            &[(
                "compose.yaml",
                "services:\n  a:\n    extends: b\n  b:\n    extends: a\n",
            )],
            &["compose.yaml"],
        );
        assert_eq!(p.services.len(), 2);
    }

    #[test]
    fn list_form_environment_spans_point_at_name_and_value() {
        let text = "services:\n  a:\n    environment:\n      - DB_USER=app\n      - \"DB_PASSWORD=s3cr3t\"\n      - INHERITED\n";
        let (_d, ws, p) = load(&[("compose.yaml", text)], &["compose.yaml"]);
        let file = ws.files.get(p.files[0].file);
        let env: Vec<_> = p.services[0].environment().collect();
        assert_eq!(file.slice(env[1].name_span), "DB_PASSWORD");
        assert_eq!(file.slice(env[1].value_span.unwrap()), "s3cr3t");
        assert_eq!(env[2].value, None);
    }

    #[test]
    fn include_long_form_and_env_file_long_form() {
        let (_d, ws, p) = load(
            &[
                (
                    "compose.yaml",
                    "include:\n  - path: [sub/one.yaml]\n    project_directory: sub\nservices:\n  a:\n    image: x\n    env_file:\n      - path: ./optional.env\n        required: false\n      - ./base.env\n",
                ),
                (
                    "sub/one.yaml",
                    "services:\n  b:\n    image: y\nsecrets:\n  s:\n    file: ./s.txt\n",
                ),
            ],
            &["compose.yaml"],
        );
        assert!(ws.errors.is_empty(), "{:?}", ws.errors);
        assert!(p.service("b").is_some());
        assert!(p.secret("s").unwrap().dir.ends_with("sub"));
        let files = &p.service("a").unwrap().parts[0].env_files;
        assert_eq!(files.len(), 2);
        assert!(!files[0].required);
        assert!(files[1].required);
    }

    #[test]
    fn duplicate_keys_and_syntax_errors_name_the_line() {
        let dir = temp_project(&[(
            "compose.yaml",
            "services:\n  a:\n    image: x\n    image: y\n",
        )]);
        let mut ws = Workspace::new(dir.path().to_path_buf());
        let mut reader = ComposeReader::default();
        let _ = load_project(&mut ws, &mut reader, &[dir.path().join("compose.yaml")]);
        assert_eq!(ws.errors.len(), 1);
        assert!(
            ws.errors[0]
                .message
                .starts_with("line 4, column 5: duplicate key `image`"),
            "{}",
            ws.errors[0].message
        );
    }
}
