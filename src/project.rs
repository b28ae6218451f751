//! How compose files become Compose projects: the entry points a user can run
//! `docker compose` from, formed the way Docker Compose forms them.
//!
//! - **The default set** of a folder: what `docker compose` reads there without `-f`. The
//!   files named by `COMPOSE_FILE` (separated by `COMPOSE_PATH_SEPARATOR`, `:` by
//!   default), from the environment for the folders named on the command line or from the
//!   folder's `.env`; otherwise the first of [`DEFAULT_FILES`] present, and the first of
//!   [`OVERRIDE_FILES`] present. The orders are Docker Compose 2.40's.
//! - **Every other compose file** of the folder is an entry point of its own
//!   (`docker compose -f docker-compose.prod.yml`): alone, or layered over the default set
//!   when it is an overlay (see [`is_overlay`]). Files are never merged only because they
//!   share a folder. In a folder without a default set, the overlay may be of the nearest
//!   folder above that has one (`-f docker-compose.yml -f extensions/x/x-compose.yml`).
//! - A file that another compose file of the run includes or extends is part of that
//!   project, not an entry point. When the `include:` path holds a variable without a value
//!   (the variable then stands for any one folder or file name), each file it may stand for
//!   is read alone as a fragment: its values are checked, but nothing is said to be missing
//!   from it (its project is unknown).
//! - Swarm stack files stand alone (`docker stack deploy -c`).
//! - Templates (`compose.override.yaml.example`, …) are never read as compose files; the
//!   secrets they define are looked up by CS001 (see [`templates_in`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::compose::paths::{dotenv_for, resolve_path};
use crate::compose::{self, include_paths};
use crate::discover::{Candidate, Classifier, FileKind, file_name};
use crate::workspace::Workspace;
use crate::yaml::{self, Node};

/// The files `docker compose` picks in a folder, in its order of preference.
pub const DEFAULT_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// The override files `docker compose` adds to the default file, in its order of preference.
pub const OVERRIDE_FILES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// Endings of files that are templates of a compose file (copied and edited by the user
/// before `docker compose up`), e.g. `compose.override.yaml.example`.
pub const TEMPLATE_SUFFIXES: [&str; 6] =
    [".example", ".sample", ".dist", ".template", ".tmpl", ".tpl"];

/// One way of running Docker Compose on the files of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// `docker compose` in `dir` with no `-f`: the default set.
    Default { dir: PathBuf, files: Vec<PathBuf> },
    /// `docker compose -f file`: another compose file of `dir`, or of a folder under `dir`
    /// that has no default set of its own. Alone, or layered over `default` (the default
    /// set of `dir`) when it turns out to be an overlay (decided once it is parsed).
    Other {
        dir: PathBuf,
        file: PathBuf,
        default: Vec<PathBuf>,
    },
    /// A Swarm stack file, alone.
    Stack { file: PathBuf },
    /// A compose file that an `include:` path with a variable that has no value may stand
    /// for (`compose/$HOSTNAME/traefik.yml`): read alone, as a part of a project whose
    /// other files are unknown.
    Fragment { file: PathBuf },
}

impl Entry {
    /// The folder the entry is run from (batches never split a folder).
    pub fn dir(&self) -> PathBuf {
        match self {
            Entry::Default { dir, .. } | Entry::Other { dir, .. } => dir.clone(),
            Entry::Stack { file } | Entry::Fragment { file } => {
                file.parent().map(Path::to_path_buf).unwrap_or_default()
            }
        }
    }

    /// Every compose file the entry may read first-hand (not counting `include:`).
    pub fn files(&self) -> Vec<PathBuf> {
        match self {
            Entry::Default { files, .. } => files.clone(),
            Entry::Other { file, default, .. } => {
                let mut all = default.clone();
                all.push(file.clone());
                all
            }
            Entry::Stack { file } | Entry::Fragment { file } => vec![file.clone()],
        }
    }
}

/// `COMPOSE_FILE` and `COMPOSE_PATH_SEPARATOR` from the environment, applied to the
/// folders named on the command line.
#[derive(Debug, Clone, Default)]
pub struct ComposeFileVar {
    pub value: Option<String>,
    pub separator: Option<String>,
}

impl ComposeFileVar {
    pub fn from_env() -> ComposeFileVar {
        ComposeFileVar {
            value: std::env::var("COMPOSE_FILE").ok().filter(|v| !v.is_empty()),
            separator: std::env::var("COMPOSE_PATH_SEPARATOR")
                .ok()
                .filter(|v| !v.is_empty()),
        }
    }
}

/// Form the entry points of the compose files among `compose` (the run's files, absolute
/// paths; its `.env` files are read for `COMPOSE_FILE`). `roots` are the folders named on
/// the command line, which `env` applies to. For a folder whose compose
/// files were all named on the command line, only the entries reading a named file are
/// kept (`stowaway check docker-compose.prod.yml` checks that entry point).
pub fn form(
    ws: &mut Workspace,
    compose: &[Candidate],
    roots: &[PathBuf],
    env: &ComposeFileVar,
) -> Vec<Entry> {
    let mut by_dir: BTreeMap<PathBuf, Vec<&Candidate>> = BTreeMap::new();
    let mut entries = Vec::new();
    for c in compose {
        match c.kind {
            FileKind::Stack => entries.push(Entry::Stack {
                file: c.path.clone(),
            }),
            FileKind::Compose => {
                let dir = c.path.parent().map(Path::to_path_buf).unwrap_or_default();
                by_dir.entry(dir).or_default().push(c);
            }
            _ => {}
        }
    }
    // A folder with no compose file of its own may name some in `COMPOSE_FILE`.
    let dotenv_dirs = compose
        .iter()
        .filter(|c| c.kind == FileKind::Env && file_name(&c.path) == ".env")
        .filter_map(|c| c.path.parent());
    for dir in dotenv_dirs
        .map(Path::to_path_buf)
        .chain(roots.iter().cloned())
    {
        if !by_dir.contains_key(&dir) && compose_file_var(ws, &dir, roots, env).is_some() {
            by_dir.insert(dir, Vec::new());
        }
    }
    let fragments = Fragments::of(ws, compose);
    let defaults: BTreeMap<PathBuf, Vec<PathBuf>> = by_dir
        .keys()
        .map(|dir| (dir.clone(), default_set(ws, dir, roots, env)))
        .collect();
    for (dir, found) in by_dir {
        let named_only = !found.is_empty() && found.iter().all(|c| c.explicit);
        let default = defaults.get(&dir).cloned().unwrap_or_default();
        let mut folder = Vec::new();
        // A default file that another compose file of the run includes (laradock's
        // `mysql/compose.yml`, included with `project_directory: .`) is part of that
        // project: its folder is no project of its own.
        let included = !named_only
            && !default.is_empty()
            && default
                .iter()
                .all(|f| fragments.of_file(f) == Some(Reference::Exact));
        if !default.is_empty() && !included {
            folder.push(Entry::Default {
                dir: dir.clone(),
                files: default.clone(),
            });
        }
        // With `-f`, every compose file of the folder is an entry point; a named file
        // brings its siblings so that an overlay is read over its base.
        let mut others: Vec<PathBuf> = Vec::new();
        for c in &found {
            match fragments.of_file(&c.path) {
                _ if named_only => others.push(c.path.clone()),
                None => others.push(c.path.clone()),
                Some(Reference::Pattern) if !default.contains(&c.path) => {
                    folder.push(Entry::Fragment {
                        file: c.path.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        others.sort();
        others.dedup();
        // A folder without a default set of its own may hold overlays of the nearest
        // folder above it that has one (docker-elk's `extensions/curator/curator-compose.yml`,
        // run as `-f docker-compose.yml -f extensions/curator/curator-compose.yml`).
        let (base_dir, base) = match default.is_empty() {
            true => nearest_default_above(&dir, &defaults),
            false => (dir.clone(), default.clone()),
        };
        for file in others {
            if !default.contains(&file) {
                folder.push(Entry::Other {
                    dir: base_dir.clone(),
                    file,
                    default: base.clone(),
                });
            }
        }
        if named_only {
            folder.retain(|e| e.files().iter().any(|f| found.iter().any(|c| &c.path == f)));
        }
        entries.extend(folder);
    }
    entries
}

/// The default set of the nearest folder above `dir` that has one among `defaults`, with
/// that folder; `dir` and nothing when there is none.
fn nearest_default_above(
    dir: &Path,
    defaults: &BTreeMap<PathBuf, Vec<PathBuf>>,
) -> (PathBuf, Vec<PathBuf>) {
    dir.ancestors()
        .skip(1)
        .find_map(|up| {
            defaults
                .get(up)
                .filter(|set| !set.is_empty())
                .map(|set| (up.to_path_buf(), set.clone()))
        })
        .unwrap_or_else(|| (dir.to_path_buf(), Vec::new()))
}

/// `COMPOSE_FILE` and its separator for `dir`: from `env` when `dir` is one of `roots` (a
/// folder named on the command line) and the variable is set there, else from the
/// folder's `.env`.
fn compose_file_var(
    ws: &mut Workspace,
    dir: &Path,
    roots: &[PathBuf],
    env: &ComposeFileVar,
) -> Option<(String, Option<String>)> {
    if roots.iter().any(|r| r == dir)
        && let Some(value) = &env.value
    {
        return Some((value.clone(), env.separator.clone()));
    }
    let dotenv = dotenv_for(ws, dir);
    let value = dotenv.get("COMPOSE_FILE").filter(|v| !v.is_empty())?;
    Some((value.clone(), dotenv.get("COMPOSE_PATH_SEPARATOR").cloned()))
}

/// The default set of `dir`: the files `COMPOSE_FILE` names (see [`compose_file_var`]),
/// or the default file and its override. Empty when the folder has none.
pub fn default_set(
    ws: &mut Workspace,
    dir: &Path,
    roots: &[PathBuf],
    env: &ComposeFileVar,
) -> Vec<PathBuf> {
    if let Some((list, separator)) = compose_file_var(ws, dir, roots, env) {
        let separator = separator.filter(|s| !s.is_empty()).unwrap_or(":".into());
        return list
            .split(separator.as_str())
            .filter(|p| !p.trim().is_empty())
            .map(|p| crate::workspace::normalize(&dir.join(p.trim())))
            .collect();
    }
    let first = |names: &[&str]| names.iter().map(|n| dir.join(n)).find(|p| p.is_file());
    first(&DEFAULT_FILES)
        .into_iter()
        .chain(first(&OVERRIDE_FILES))
        .collect()
}

/// Whether the compose file `root`, run as `-f default… -f it`, is an overlay of the
/// default set rather than a project of its own: it is named `*.override.*`, or none of
/// its services has an `image:` or `build:` (nor extends another file's service) while
/// some of them are services of the default set, or one of its services depends on a
/// service only the default set defines, or it has no services at all but top-level
/// definitions for them.
pub fn is_overlay(file: &Path, root: &Node, default_services: &HashSet<String>) -> bool {
    if default_services.is_empty() {
        return false;
    }
    if file_name(file).contains(".override.") {
        return true;
    }
    let services: Vec<(&str, &Node)> = root
        .get("services")
        .map(|s| s.entries().map(|(n, _, v)| (n, v)).collect())
        .unwrap_or_default();
    if services.is_empty() {
        return ["secrets", "configs"]
            .iter()
            .any(|k| root.get(k).is_some_and(|d| d.as_map().is_some()));
    }
    let complete = |s: &Node| {
        s.get("image").is_some()
            || s.get("build").is_some()
            || s.get("extends").is_some_and(|e| e.get("file").is_some())
    };
    let extends_default = !services.iter().any(|(_, s)| complete(s))
        && services.iter().any(|(n, _)| default_services.contains(*n));
    extends_default || depends_on_default(root, default_services)
}

/// Whether some service of `root` joins a network that `root` does not define but the
/// default set does (`networks`): Compose refuses such a file alone ("refers to undefined
/// network"), so it is run layered over the default set (jitsi's
/// `rtcstats/mongodb/mongodb.yml`, on the network `meet.jitsi` of the root
/// `docker-compose.yml`).
fn uses_default_networks(root: &Node, networks: &HashSet<String>) -> bool {
    if networks.is_empty() {
        return false;
    }
    let own: HashSet<&str> = root
        .get("networks")
        .map(|n| n.entries().map(|(name, _, _)| name).collect())
        .unwrap_or_default();
    refers_to_default(root, "networks", &own, networks)
}

/// Whether some service of `root` names under `key` (a list of names, or a mapping keyed
/// by them: `depends_on`, `networks`) one that `root` does not define (`own`) but the
/// default set does (`defaults`).
fn refers_to_default(
    root: &Node,
    key: &str,
    own: &HashSet<&str>,
    defaults: &HashSet<String>,
) -> bool {
    let Some(services) = root.get("services") else {
        return false;
    };
    services.entries().any(|(_, _, service)| {
        let Some(named) = service.get(key) else {
            return false;
        };
        let names: Vec<&str> = match named.as_seq() {
            Some(items) => items.iter().filter_map(Node::as_str).collect(),
            None => named.entries().map(|(n, _, _)| n).collect(),
        };
        names
            .iter()
            .any(|n| !own.contains(n) && defaults.contains(*n))
    })
}

/// The templates of compose files in `dir` (`compose.override.yaml.example`, …).
pub fn templates_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let classifier = crate::discover::Classifier::default();
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            let name = file_name(p);
            TEMPLATE_SUFFIXES.iter().any(|s| {
                name.strip_suffix(s)
                    .is_some_and(|stem| classifier.classify(stem) == Some(FileKind::Compose))
            })
        })
        .collect();
    out.sort();
    out
}

/// The compose files of a run that other compose files include or extend.
struct Fragments {
    exact: HashSet<PathBuf>,
    /// Include paths holding a variable without a value, as patterns in which the
    /// variable stands for one folder or file name.
    patterns: Vec<Vec<PathPart>>,
}

/// How a compose file is included or extended by another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reference {
    /// By a path that resolves to it: it is part of that project.
    Exact,
    /// By a path holding a variable without a value, which may stand for it.
    Pattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PathPart {
    Name(String),
    Any,
}

impl Fragments {
    /// Read the `include:` and `extends: {file}` paths of the compose files that mention
    /// them (a quick look at the text first: most files have neither).
    fn of(ws: &mut Workspace, compose: &[Candidate]) -> Fragments {
        let mut out = Fragments {
            exact: HashSet::new(),
            patterns: Vec::new(),
        };
        let mut dotenvs: HashMap<PathBuf, HashMap<String, String>> = HashMap::new();
        for c in compose.iter().filter(|c| c.kind == FileKind::Compose) {
            let Some(id) = ws.id_of(&c.path) else {
                continue;
            };
            let text = &ws.files.get(id).text;
            if !(text.contains("include") || text.contains("extends")) {
                continue;
            }
            let Some(root) = yaml::parse(text).ok().and_then(|o| o.root) else {
                continue;
            };
            let dir = c.path.parent().map(Path::to_path_buf).unwrap_or_default();
            let env = dotenvs
                .entry(dir.clone())
                .or_insert_with(|| dotenv_for(ws, &dir));
            for raw in referenced_paths(&root) {
                match resolve_path(&dir, &raw, env) {
                    Ok(path) => {
                        out.exact.insert(path);
                    }
                    Err(_) => out.patterns.push(pattern(&dir, &raw)),
                }
            }
        }
        out
    }

    /// How `path` is referenced by another compose file of the run, if it is.
    fn of_file(&self, path: &Path) -> Option<Reference> {
        if self.exact.contains(path) {
            Some(Reference::Exact)
        } else if self.patterns.iter().any(|p| matches(p, path)) {
            Some(Reference::Pattern)
        } else {
            None
        }
    }
}

/// Paths written in `include:` (short and long form) and `extends: {file}`.
pub fn referenced_paths(root: &Node) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(items) = root.get("include").and_then(Node::as_seq) {
        for item in items {
            out.extend(include_paths(item).into_iter().map(|p| p.value));
        }
    }
    if let Some(services) = root.get("services") {
        for (_, _, service) in services.entries() {
            if let Some(file) = service
                .get("extends")
                .and_then(|e| e.get("file"))
                .and_then(Node::as_str)
            {
                out.push(file.to_owned());
            }
        }
    }
    out
}

/// The compose files of the project of `entry`, base first: for another compose file of
/// a folder, the default set under it when it is an overlay of that set ([`is_overlay`]),
/// else the file alone.
pub fn entry_files(
    ws: &mut Workspace,
    reader: &mut compose::ComposeReader,
    entry: &Entry,
) -> Vec<PathBuf> {
    let Entry::Other { file, default, .. } = entry else {
        return entry.files();
    };
    let Some((_, root)) = reader.tree(ws, file) else {
        return vec![file.clone()];
    };
    let mut services = HashSet::new();
    let mut networks = HashSet::new();
    for path in default {
        if let Some((_, base)) = reader.tree(ws, path) {
            if let Some(s) = base.get("services") {
                services.extend(s.entries().map(|(name, _, _)| name.to_owned()));
            }
            if let Some(n) = base.get("networks") {
                networks.extend(n.entries().map(|(name, _, _)| name.to_owned()));
            }
        }
    }
    if is_overlay(file, &root, &services) || uses_default_networks(&root, &networks) {
        entry.files()
    } else {
        vec![file.clone()]
    }
}

/// Whether some service of `root` depends on a service it does not define but `services`
/// (the default set's) holds: `docker-compose-inits.yml` with `depends_on: [taiga-db]`
/// only runs layered over the file that defines `taiga-db`.
fn depends_on_default(root: &Node, services: &HashSet<String>) -> bool {
    let defined: HashSet<&str> = root
        .get("services")
        .map(|own| own.entries().map(|(n, _, _)| n).collect())
        .unwrap_or_default();
    refers_to_default(root, "depends_on", &defined, services)
}

/// `raw` (relative to `dir`) as a pattern: a `/`-separated part holding `$` matches any
/// one name.
fn pattern(dir: &Path, raw: &str) -> Vec<PathPart> {
    let mut parts: Vec<PathPart> = dir
        .components()
        .map(|c| PathPart::Name(c.as_os_str().to_string_lossy().into_owned()))
        .collect();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p if p.contains('$') => parts.push(PathPart::Any),
            p => parts.push(PathPart::Name(p.to_owned())),
        }
    }
    parts
}

fn matches(pattern: &[PathPart], path: &Path) -> bool {
    let names: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    names.len() == pattern.len()
        && names.iter().zip(pattern).all(|(n, p)| match p {
            PathPart::Any => true,
            PathPart::Name(m) => m == n,
        })
}

/// How many folders above a named Dockerfile are searched for the compose project that
/// builds it (the search also stops at the root of a git repository).
const MAX_LEVELS_UP: usize = 5;

/// Compose files of the projects that build a Dockerfile named on the command line, so
/// that `stowaway check app/Dockerfile` (what a pre-commit hook runs) sees the same
/// project as a run over the whole folder. From the Dockerfile's folder upward, the first
/// folder one of whose projects builds this Dockerfile is taken, all its compose files
/// with it. Projects are read into a scratch workspace first, so that
/// unrelated compose files cost nothing and report no error.
pub fn projects_building_named_dockerfiles(ws: &Workspace, files: &[Candidate]) -> Vec<Candidate> {
    let classifier = Classifier::default();
    let mut builds_by_dir: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    let mut out: Vec<Candidate> = Vec::new();
    for c in files {
        if !(c.explicit && c.kind == FileKind::Dockerfile) {
            continue;
        }
        let dockerfile = ws.absolute(&c.path);
        let mut dir = dockerfile.parent().map(Path::to_path_buf);
        for _ in 0..=MAX_LEVELS_UP {
            let Some(here) = dir.take() else {
                break;
            };
            let builds = builds_by_dir
                .entry(here.clone())
                .or_insert_with(|| dockerfiles_built_from(ws, &here, &classifier));
            if builds.contains(&dockerfile) {
                for path in siblings(&here, &classifier) {
                    if !out.iter().any(|o| o.path == path) {
                        out.push(Candidate {
                            path,
                            kind: FileKind::Compose,
                            explicit: false,
                        });
                    }
                }
                break;
            }
            if here.join(".git").exists() {
                break;
            }
            dir = here.parent().map(Path::to_path_buf);
        }
    }
    out
}

/// The Dockerfiles the compose projects of `dir` build, each project formed as for a run
/// over the folder (read in a scratch workspace).
fn dockerfiles_built_from(ws: &Workspace, dir: &Path, classifier: &Classifier) -> Vec<PathBuf> {
    let found: Vec<Candidate> = siblings(dir, classifier)
        .into_iter()
        .map(|path| Candidate {
            path,
            kind: FileKind::Compose,
            explicit: false,
        })
        .collect();
    if found.is_empty() {
        return Vec::new();
    }
    let mut scratch = Workspace::new(ws.cwd.clone());
    let paths: Vec<PathBuf> = found.iter().map(|c| c.path.clone()).collect();
    scratch.preload(&paths);
    let mut reader = compose::ComposeReader::default();
    let mut out = Vec::new();
    for entry in form(&mut scratch, &found, &[], &ComposeFileVar::default()) {
        let files = entry_files(&mut scratch, &mut reader, &entry);
        if let Some(project) = compose::load_project(&mut scratch, &mut reader, &files) {
            out.extend(
                project
                    .services
                    .iter()
                    .filter_map(|s| compose::paths::build_paths(&s.build()?, &project))
                    .map(|(_, dockerfile)| dockerfile),
            );
        }
    }
    out
}

fn siblings(dir: &Path, classifier: &Classifier) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| {
            classifier.classify(&e.file_name().to_string_lossy()) == Some(FileKind::Compose)
        })
        .map(|e| e.path())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::support::testing::project as temp_project;

    fn candidates(dir: &Path, names: &[&str]) -> Vec<Candidate> {
        names
            .iter()
            .map(|n| Candidate {
                path: dir.join(n),
                kind: if n.contains("stack") {
                    FileKind::Stack
                } else {
                    FileKind::Compose
                },
                explicit: false,
            })
            .collect()
    }

    fn formed(files: &[(&str, &str)], walked: &[&str], env: &ComposeFileVar) -> Vec<Vec<String>> {
        let dir = temp_project(files);
        let mut ws = Workspace::new(dir.path().to_path_buf());
        let found = candidates(dir.path(), walked);
        let paths: Vec<PathBuf> = found.iter().map(|c| c.path.clone()).collect();
        ws.preload(&paths);
        form(&mut ws, &found, &[dir.path().to_path_buf()], env)
            .iter()
            .map(|e| {
                e.files()
                    .iter()
                    .map(|f| ws.display(f))
                    .collect::<Vec<String>>()
            })
            .collect()
    }

    const SVC: &str = "services:\n  a:\n    image: x\n";

    #[test]
    fn the_default_file_and_its_override_in_compose_order() {
        let got = formed(
            &[
                ("docker-compose.yaml", SVC),
                ("docker-compose.yml", SVC),
                ("compose.override.yaml", SVC),
                ("docker-compose.override.yml", SVC),
            ],
            &[
                "docker-compose.yaml",
                "docker-compose.yml",
                "compose.override.yaml",
                "docker-compose.override.yml",
            ],
            &ComposeFileVar::default(),
        );
        // docker-compose.yml is preferred to .yaml; the first override wins; the others
        // are entry points layered over the default set.
        assert_eq!(got[0], ["docker-compose.yml", "compose.override.yaml"]);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            got[1],
            [
                "docker-compose.yml",
                "compose.override.yaml",
                "docker-compose.override.yml"
            ]
        );
    }

    #[test]
    fn other_files_are_entry_points_of_their_own() {
        let got = formed(
            &[
                ("compose.yaml", SVC),
                ("docker-compose.prod.yml", SVC),
                ("stack.yml", SVC),
            ],
            &["compose.yaml", "docker-compose.prod.yml", "stack.yml"],
            &ComposeFileVar::default(),
        );
        assert!(got.contains(&vec!["compose.yaml".to_owned()]));
        assert!(got.contains(&vec![
            "compose.yaml".to_owned(),
            "docker-compose.prod.yml".to_owned()
        ]));
        assert!(got.contains(&vec!["stack.yml".to_owned()]));
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn compose_file_from_dotenv_or_the_environment() {
        let files = [
            ("compose.yaml", SVC),
            ("one.compose.yml", SVC),
            ("two.compose.yml", SVC),
            (
                ".env",
                "COMPOSE_FILE=one.compose.yml;two.compose.yml\nCOMPOSE_PATH_SEPARATOR=;\n",
            ),
        ];
        let walked = ["compose.yaml", "one.compose.yml", "two.compose.yml"];
        let got = formed(&files, &walked, &ComposeFileVar::default());
        assert_eq!(got[0], ["one.compose.yml", "two.compose.yml"]);
        let env = ComposeFileVar {
            value: Some("two.compose.yml".into()),
            separator: None,
        };
        let got = formed(&files, &walked, &env);
        assert_eq!(got[0], ["two.compose.yml"]);
    }

    #[test]
    fn compose_file_in_a_dotenv_of_a_folder_without_compose_files() {
        let dir = temp_project(&[
            (
                ".env",
                "COMPOSE_FILE=docker/compose.yml:docker/compose.prod.yml\n",
            ),
            ("docker/compose.yml", SVC),
            (
                "docker/compose.prod.yml",
                "services:\n  a:\n    restart: always\n",
            ),
        ]);
        let mut ws = Workspace::new(dir.path().to_path_buf());
        let found = vec![
            Candidate {
                path: dir.path().join(".env"),
                kind: FileKind::Env,
                explicit: false,
            },
            Candidate {
                path: dir.path().join("docker/compose.yml"),
                kind: FileKind::Compose,
                explicit: false,
            },
            Candidate {
                path: dir.path().join("docker/compose.prod.yml"),
                kind: FileKind::Compose,
                explicit: false,
            },
        ];
        let entries = form(&mut ws, &found, &[], &ComposeFileVar::default());
        let files: Vec<Vec<String>> = entries
            .iter()
            .map(|e| e.files().iter().map(|f| ws.display(f)).collect())
            .collect();
        assert_eq!(
            files[0],
            ["docker/compose.yml", "docker/compose.prod.yml"],
            "{files:?}"
        );
    }

    #[test]
    fn included_and_extended_files_are_parts_of_the_including_project() {
        let got = formed(
            &[
                (
                    "docker-compose-hs.yml",
                    "include:\n  - compose/$HOSTNAME/traefik.yml\n  - lib/common.compose.yml\n  - path: mysql/compose.yml\n    project_directory: .\nservices:\n  b:\n    extends:\n      file: base.compose.yml\n      service: b\n",
                ),
                ("compose/hs/traefik.yml", SVC),
                ("lib/common.compose.yml", SVC),
                ("base.compose.yml", SVC),
                ("mysql/compose.yml", SVC),
            ],
            &[
                "mysql/compose.yml",
                "docker-compose-hs.yml",
                "compose/hs/traefik.yml",
                "lib/common.compose.yml",
                "base.compose.yml",
            ],
            &ComposeFileVar::default(),
        );
        // The included and extended files are part of the project; the file the
        // unresolved `$HOSTNAME` may stand for is a fragment read alone.
        assert_eq!(
            got,
            vec![
                vec!["docker-compose-hs.yml".to_owned()],
                vec!["compose/hs/traefik.yml".to_owned()]
            ]
        );
    }

    #[test]
    fn a_file_on_a_network_only_the_default_set_defines_is_its_overlay() {
        let networks: HashSet<String> = ["meet.jitsi".to_owned()].into();
        let parse = |t: &str| yaml::parse(t).unwrap().root.unwrap();
        let joins = |t: &str| uses_default_networks(&parse(t), &networks);
        assert!(joins(
            "services:\n  m:\n    image: mongo\n    networks:\n      meet.jitsi:\n        aliases: [m]\n"
        ));
        assert!(joins(
            "services:\n  m:\n    image: mongo\n    networks: [meet.jitsi]\n"
        ));
        // Its own network of that name, or another network: a project of its own.
        assert!(!joins(
            "services:\n  m:\n    image: mongo\n    networks: [meet.jitsi]\nnetworks:\n  meet.jitsi: {}\n"
        ));
        assert!(!joins(
            "services:\n  m:\n    image: mongo\n    networks: [other]\n"
        ));
    }

    #[test]
    fn overlays_are_told_from_projects_of_their_own() {
        let base: HashSet<String> = ["web".to_owned()].into();
        let parse = |t: &str| yaml::parse(t).unwrap().root.unwrap();
        let f = Path::new("docker-compose.prod.yml");
        assert!(is_overlay(
            f,
            &parse("services:\n  web:\n    environment: [A=1]\n"),
            &base
        ));
        assert!(!is_overlay(
            f,
            &parse("services:\n  web:\n    image: other\n"),
            &base
        ));
        assert!(!is_overlay(
            f,
            &parse("services:\n  cache:\n    ports: [80]\n"),
            &base
        ));
        assert!(is_overlay(
            f,
            &parse("secrets:\n  s:\n    file: ./s.txt\n"),
            &base
        ));
        assert!(is_overlay(
            Path::new("compose.override.prod.yml"),
            &parse(SVC),
            &base
        ));
        assert!(!is_overlay(f, &parse(SVC), &HashSet::new()));
        // taiga's docker-compose-inits.yml runs only with the base file's database.
        assert!(is_overlay(
            Path::new("docker-compose-inits.yml"),
            &parse(
                "services:\n  taiga-manage:\n    image: taigaio/taiga-back\n    depends_on:\n      - web\n"
            ),
            &base
        ));
    }

    #[test]
    fn templates_are_found_by_their_endings() {
        let dir = temp_project(&[
            ("compose.yaml", SVC),
            ("compose.override.yaml.example", SVC),
            ("docker-compose.yml.dist", SVC),
            ("notes.yaml.example", SVC),
        ]);
        let names: Vec<String> = templates_in(dir.path())
            .iter()
            .map(|p| file_name(p))
            .collect();
        assert_eq!(
            names,
            ["compose.override.yaml.example", "docker-compose.yml.dist"]
        );
    }
}
