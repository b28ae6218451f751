//! Finding the files to check: walking folders (respecting `.gitignore`) and naming what
//! each file is.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Compose,
    /// A Swarm stack file: a compose file checked on its own.
    Stack,
    Dockerfile,
    Env,
    /// A shell script, Makefile, justfile or CI pipeline file: its shell commands are read
    /// for secrets on the docker command line (the SH rules).
    Script,
}

/// Classifies file names, the way Docker tools name their files (case matters; `*` is
/// any text, also none):
///
/// - compose: `*compose*.y[a]ml` (`compose.yaml`, `docker-compose.prod.yml`,
///   `relay-compose.yaml`, `compose-2.yml`);
/// - Swarm stack: `*stack*.y[a]ml` (`docker-stack.yml`, `example-voting-app-stack.yml`);
/// - Dockerfile: `Dockerfile` (and `dockerfile`), `Dockerfile.*`, `Dockerfile-*`,
///   `Dockerfile_*`, `*.Dockerfile`, `*.dockerfile`, `Containerfile`, `Containerfile.*`, but not
///   `*.dockerignore`;
/// - script: `*.sh`, `*.bash`, `Makefile`, `makefile`, `GNUmakefile`, `*.mk`, `justfile`,
///   `Justfile`, `.justfile`, `.gitlab-ci.yml`/`.yaml`, and (by path, [`Classifier::classify_path`])
///   GitHub workflows `.github/workflows/*.y[a]ml`;
/// - env file: `.env`, `*.env`, `.env.*`.
///
/// A name matching two kinds is the first of stack, compose, Dockerfile, env file, script
/// (`.env.sh` is an env file). Other
/// `.yml`/`.yaml` files met while walking are compose files when their content says so
/// ([`looks_like_compose`]). Matched
/// by hand rather than with glob sets: it runs on every file a walk meets. Made with
/// `Classifier::default()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Classifier(());

impl Classifier {
    /// What a file is by its name alone.
    pub fn classify(&self, file_name: &str) -> Option<FileKind> {
        let name = file_name;
        if let Some(stem) = name
            .strip_suffix(".yml")
            .or_else(|| name.strip_suffix(".yaml"))
        {
            if stem.contains("stack") {
                return Some(FileKind::Stack);
            }
            if stem.contains("compose") {
                return Some(FileKind::Compose);
            }
        }
        // `dockerfile` is the name `docker build` falls back to when `Dockerfile` is absent.
        let dockerfile = name == "Dockerfile"
            || name == "dockerfile"
            || name
                .strip_prefix("Dockerfile")
                .is_some_and(|rest| rest.starts_with(['.', '-', '_']))
            || name.ends_with(".Dockerfile")
            || name.ends_with(".dockerfile")
            || name == "Containerfile"
            || name.starts_with("Containerfile.");
        if dockerfile {
            // `Dockerfile.dockerignore` is an ignore file, and `Dockerfile.erb` a template
            // that renders one: neither is a Dockerfile.
            let template = DOCKERFILE_TEMPLATE_SUFFIXES
                .iter()
                .any(|s| name.ends_with(s));
            return (!name.ends_with(".dockerignore") && !template).then_some(FileKind::Dockerfile);
        }
        if name.ends_with(".env") || name.starts_with(".env.") {
            return Some(FileKind::Env);
        }
        is_script_name(name).then_some(FileKind::Script)
    }

    /// What a file is by its path: a GitHub workflow (`.github/workflows/*.y[a]ml`, whatever
    /// its name says) is a script, anything else is what its name says ([`Classifier::classify`]).
    pub fn classify_path(&self, path: &Path) -> Option<FileKind> {
        if is_github_workflow(path) {
            return Some(FileKind::Script);
        }
        self.classify(&file_name(path))
    }

    /// What a file named explicitly is, by path ([`Classifier::classify_path`]), else as
    /// [`Classifier::classify_explicit`] says.
    pub fn classify_explicit_path(&self, path: &Path) -> FileKind {
        if is_github_workflow(path) {
            return FileKind::Script;
        }
        self.classify_explicit(&file_name(path))
    }

    /// What a file named explicitly is: by name, else by extension, else a Dockerfile.
    pub fn classify_explicit(&self, file_name: &str) -> FileKind {
        if let Some(kind) = self.classify(file_name) {
            return kind;
        }
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".yml") || lower.ends_with(".yaml") {
            FileKind::Stack
        } else if lower.contains(".env") || lower.ends_with("env") {
            FileKind::Env
        } else {
            FileKind::Dockerfile
        }
    }
}

/// Names of files whose text is (or holds) shell commands: shell scripts, Makefiles,
/// justfiles and GitLab's pipeline file.
fn is_script_name(name: &str) -> bool {
    name.ends_with(".sh")
        || name.ends_with(".bash")
        || name.ends_with(".mk")
        || matches!(
            name,
            "Makefile"
                | "makefile"
                | "GNUmakefile"
                | "justfile"
                | "Justfile"
                | ".justfile"
                | ".gitlab-ci.yml"
                | ".gitlab-ci.yaml"
        )
}

/// Whether `path` is a GitHub Actions workflow: a `.y[a]ml` file right in `.github/workflows/`.
pub fn is_github_workflow(path: &Path) -> bool {
    let name = file_name(path);
    let dir = path.parent();
    is_yaml_name(&name)
        && dir.is_some_and(|d| d.file_name().is_some_and(|n| n == "workflows"))
        && dir
            .and_then(Path::parent)
            .is_some_and(|d| d.file_name().is_some_and(|n| n == ".github"))
}

/// Endings of Dockerfile templates (rendered into a Dockerfile by a generator: ERB,
/// Jinja, Go templates, autoconf, Mustache, Handlebars), which are not Dockerfiles.
const DOCKERFILE_TEMPLATE_SUFFIXES: &[&str] = &[
    ".erb",
    ".j2",
    ".jinja",
    ".jinja2",
    ".tmpl",
    ".tpl",
    ".template",
    ".in",
    ".mustache",
    ".hbs",
];

/// A file to check.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    pub kind: FileKind,
    /// Named on the command line (rather than found by walking).
    pub explicit: bool,
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<Candidate>,
    /// Paths that do not exist or cannot be walked, with the reason.
    pub errors: Vec<(PathBuf, String)>,
}

/// Walk `paths`: folders recursively (respecting `.gitignore`, `.ignore`, and skipping
/// `.git`), files as they are.
#[cfg(test)]
pub fn discover(paths: &[PathBuf], classifier: &Classifier) -> Discovered {
    discover_excluding(paths, classifier, None)
}

/// Decides whether a path met while walking (or a file named) is left out; it gets the
/// path as the walk or the command line gives it, and whether it is a folder (as the
/// folder listing says: a symlink to a folder is not one), so that it need not look.
pub type Exclude = Arc<dyn Fn(&Path, bool) -> bool + Send + Sync>;

/// [`discover`], leaving out what `exclude` says (folders are not entered). Folders named
/// on the command line are walked whatever `exclude` says of them.
///
/// Each folder is walked in parallel; its files come out sorted by path (and its errors
/// by message), so the result does not depend on the file system's order or on timing.
pub fn discover_excluding(
    paths: &[PathBuf],
    classifier: &Classifier,
    exclude: Option<Exclude>,
) -> Discovered {
    let mut out = Discovered::default();
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                let why = if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_owned()
                } else {
                    e.to_string()
                };
                out.errors.push((path.clone(), why));
                continue;
            }
        };
        if !meta.is_dir() {
            if exclude.as_ref().is_some_and(|ex| ex(path, false)) {
                continue;
            }
            out.files.push(Candidate {
                path: path.clone(),
                kind: classifier.classify_explicit_path(path),
                explicit: true,
            });
            continue;
        }
        let (mut files, mut errors) = walk(path, classifier, exclude.clone());
        let tracked = tracked_but_ignored(path, classifier, exclude.as_ref(), &files);
        files.extend(tracked);
        files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        errors.sort_unstable();
        out.files.append(&mut files);
        out.errors
            .extend(errors.into_iter().map(|why| (path.clone(), why)));
    }
    out
}

/// The files below `root` that git tracks although a `.gitignore` pattern matches them
/// (committed before the pattern was added, or added with `git add -f`), which the walk
/// passed over: they are in the repository all the same, and a secret in them is
/// committed. Taken by name only; `exclude` applies to them and to their folders.
fn tracked_but_ignored(
    root: &Path,
    classifier: &Classifier,
    exclude: Option<&Exclude>,
    found: &[Candidate],
) -> Vec<Candidate> {
    let Some(repo) = crate::git::GitRepo::discover(root) else {
        return Vec::new();
    };
    let known: std::collections::HashSet<&Path> = found.iter().map(|c| c.path.as_path()).collect();
    let third_party = |path: &Path| {
        path.strip_prefix(root).is_ok_and(|rel| {
            rel.parent().is_some_and(|dirs| {
                dirs.components()
                    .any(|c| is_third_party_folder(&c.as_os_str().to_string_lossy()))
            })
        })
    };
    let excluded = |path: &Path| {
        third_party(path)
            || exclude.is_some_and(|ex| {
                ex(path, false)
                    || path
                        .ancestors()
                        .skip(1)
                        .take_while(|a| a.starts_with(root) && *a != root)
                        .any(|a| ex(a, true))
            })
    };
    repo.tracked_files_under(root)
        .into_iter()
        .filter(|p| !known.contains(p.as_path()))
        .filter_map(|path| {
            let kind = classifier.classify_path(&path)?;
            let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
            (is_file && !excluded(&path)).then_some(Candidate {
                path,
                kind,
                explicit: false,
            })
        })
        .collect()
}

/// What the walk of one folder found: candidates and error messages, in no set order.
type Found = (Vec<Candidate>, Vec<String>);

/// Folders of other people's code that package managers fill (Composer's and Go's and
/// Bundler's `vendor`, npm's `node_modules`, Bower's `bower_components`): the compose files
/// and Dockerfiles in them are the dependencies' own test fixtures, not the project's. They
/// are not entered when walking; a file in one named on the command line is checked.
pub fn is_third_party_folder(name: &str) -> bool {
    ["vendor", "node_modules", "bower_components"].contains(&name)
}

/// Walk folder `root` with one thread per core.
fn walk(root: &Path, classifier: &Classifier, exclude: Option<Exclude>) -> Found {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .threads(threads)
        .filter_entry(move |e| {
            e.file_name() != ".git"
                && (e.depth() == 0
                    || !(e.file_type().is_some_and(|t| t.is_dir())
                        && is_third_party_folder(&e.file_name().to_string_lossy())))
                && (e.depth() == 0
                    || !exclude
                        .as_ref()
                        .is_some_and(|ex| ex(e.path(), e.file_type().is_some_and(|t| t.is_dir()))))
        })
        .build_parallel();
    let found = Mutex::new(Found::default());
    walker.visit(&mut Collect {
        classifier,
        found: &found,
    });
    found.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Builds one [`Collector`] per walking thread.
struct Collect<'a> {
    classifier: &'a Classifier,
    found: &'a Mutex<Found>,
}

impl<'s> ignore::ParallelVisitorBuilder<'s> for Collect<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(Collector {
            classifier: self.classifier,
            found: self.found,
            local: Found::default(),
        })
    }
}

/// One thread's findings, handed over when the thread is done.
struct Collector<'a> {
    classifier: &'a Classifier,
    found: &'a Mutex<Found>,
    local: Found,
}

impl ignore::ParallelVisitor for Collector<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                self.local.1.push(e.to_string());
                return ignore::WalkState::Continue;
            }
        };
        // Regular files, and symlinks and special files (FIFOs, sockets) with a name we
        // check: reading them reports what they are rather than skipping them silently.
        if entry.file_type().is_none_or(|t| t.is_dir()) {
            return ignore::WalkState::Continue;
        }
        let name = entry.file_name().to_string_lossy();
        let kind = self.classifier.classify_path(entry.path()).or_else(|| {
            (is_yaml_name(&name) && looks_like_compose_file(entry.path()))
                .then_some(FileKind::Compose)
        });
        if let Some(kind) = kind {
            self.local.0.push(Candidate {
                path: entry.into_path(),
                kind,
                explicit: false,
            });
        }
        ignore::WalkState::Continue
    }
}

impl Drop for Collector<'_> {
    fn drop(&mut self) {
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        found.0.append(&mut self.local.0);
        found.1.append(&mut self.local.1);
    }
}

fn is_yaml_name(name: &str) -> bool {
    name.ends_with(".yml") || name.ends_with(".yaml")
}

/// Files read for a look at their content: larger ones are not compose files.
const MAX_SNIFF_BYTES: u64 = 1024 * 1024;

/// Whether a YAML file whose name says nothing is a compose file by its content: a
/// top-level `services:` mapping with an indented `image:` or `build:`, and no
/// Kubernetes `apiVersion:`. CI pipelines (`.gitlab-ci.yml`, GitHub workflows, …) are
/// never compose files. A cheap look at the lines; the structure is checked once parsed.
fn looks_like_compose_file(path: &Path) -> bool {
    let shown = path.to_string_lossy();
    if CI_PATHS.iter().any(|p| shown.contains(p)) {
        return false;
    }
    let small = std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= MAX_SNIFF_BYTES);
    small && std::fs::read_to_string(path).is_ok_and(|text| looks_like_compose(&text))
}

/// Paths of CI pipeline files, which share words with compose files (`services:`, `image:`).
const CI_PATHS: &[&str] = &[
    ".gitlab-ci.y",
    "/.github/",
    "/.gitlab/",
    "/.circleci/",
    ".travis.y",
    "bitbucket-pipelines.y",
    ".drone.y",
    "azure-pipelines",
    ".woodpecker",
];

/// The line test of [`looks_like_compose_file`].
pub fn looks_like_compose(text: &str) -> bool {
    let mut services = false;
    let mut image_or_build = false;
    for line in text.lines() {
        let code = line.split(" #").next().unwrap_or(line).trim_end();
        if code.starts_with("apiVersion:") {
            return false;
        }
        if code == "services:" {
            services = true;
        } else if line.starts_with([' ', '\t']) {
            let t = code.trim_start();
            image_or_build |= t.starts_with("image:") || t.starts_with("build:");
        }
    }
    services && image_or_build
}

pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_classified_like_docker_tools_do() {
        let c = Classifier::default();
        for (name, kind) in [
            ("compose.yaml", Some(FileKind::Compose)),
            ("compose.override.yml", Some(FileKind::Compose)),
            ("docker-compose.prod.yml", Some(FileKind::Compose)),
            ("app.compose.yaml", Some(FileKind::Compose)),
            ("docker-stack.yml", Some(FileKind::Stack)),
            ("stack.yaml", Some(FileKind::Stack)),
            ("prod.stack.yml", Some(FileKind::Stack)),
            ("Dockerfile", Some(FileKind::Dockerfile)),
            ("dockerfile", Some(FileKind::Dockerfile)),
            ("Dockerfile.dev", Some(FileKind::Dockerfile)),
            ("Dockerfile-alpine", Some(FileKind::Dockerfile)),
            ("api.Dockerfile", Some(FileKind::Dockerfile)),
            ("Containerfile", Some(FileKind::Dockerfile)),
            ("Dockerfile.dockerignore", None),
            ("Dockerfile.erb", None),
            ("Dockerfile.j2", None),
            ("Dockerfile.in", None),
            ("api.Dockerfile.tmpl", None),
            ("Dockerfile.template", None),
            (".env", Some(FileKind::Env)),
            (".env.local", Some(FileKind::Env)),
            ("prod.env", Some(FileKind::Env)),
            ("relay-compose.yaml", Some(FileKind::Compose)),
            ("compose-2.yml", Some(FileKind::Compose)),
            ("challenge51docker-compose.yml", Some(FileKind::Compose)),
            ("example-voting-app-stack.yml", Some(FileKind::Stack)),
            ("values.yaml", None),
            ("deploy.sh", Some(FileKind::Script)),
            ("init.bash", Some(FileKind::Script)),
            ("Makefile", Some(FileKind::Script)),
            ("makefile", Some(FileKind::Script)),
            ("GNUmakefile", Some(FileKind::Script)),
            ("docker.mk", Some(FileKind::Script)),
            ("justfile", Some(FileKind::Script)),
            ("Justfile", Some(FileKind::Script)),
            (".gitlab-ci.yml", Some(FileKind::Script)),
            (".env.sh", Some(FileKind::Env)),
            ("Makefile.am", None),
            ("release.yml", None),
            ("compose.yaml.example", None),
            ("README.md", None),
        ] {
            assert_eq!(c.classify(name), kind, "{name}");
        }
    }

    /// The patterns as glob sets, the way they were first written: the reference the
    /// hand-written matcher is checked against.
    struct Globs([globset::GlobSet; 4]);

    impl Globs {
        fn new() -> Globs {
            let set = |patterns: &[&str]| {
                let mut b = globset::GlobSetBuilder::new();
                for p in patterns {
                    b.add(globset::Glob::new(p).expect("glob"));
                }
                b.build().expect("glob set")
            };
            Globs([
                set(&["*stack*.{yml,yaml}"]),
                set(&["*compose*.{yml,yaml}"]),
                set(&[
                    "Dockerfile",
                    "dockerfile",
                    "Dockerfile.*",
                    "Dockerfile-*",
                    "Dockerfile_*",
                    "*.Dockerfile",
                    "*.dockerfile",
                    "Containerfile",
                    "Containerfile.*",
                ]),
                set(&[".env", "*.env", ".env.*"]),
            ])
        }

        fn classify(&self, name: &str) -> Option<FileKind> {
            let [stack, compose, dockerfile, env] = &self.0;
            if stack.is_match(name) {
                Some(FileKind::Stack)
            } else if compose.is_match(name) {
                Some(FileKind::Compose)
            } else if dockerfile.is_match(name) {
                let template = DOCKERFILE_TEMPLATE_SUFFIXES
                    .iter()
                    .any(|s| name.ends_with(s));
                (!name.ends_with(".dockerignore") && !template).then_some(FileKind::Dockerfile)
            } else if env.is_match(name) {
                Some(FileKind::Env)
            } else {
                None
            }
        }
    }

    #[test]
    fn hand_matcher_agrees_with_the_glob_patterns() {
        const PIECES: &[&str] = &[
            "",
            "compose",
            "docker-compose",
            "docker-stack",
            "stack",
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "DOCKERFILE",
            "Compose",
            ".env",
            "env",
            ".",
            "-",
            "_",
            "x",
            ".yml",
            ".yaml",
            "yml",
            "yaml",
            ".YML",
            ".dockerignore",
            ".erb",
            ".in",
            ".Dockerfile",
            ".compose",
            ".stack",
            "é",
        ];
        let globs = Globs::new();
        let c = Classifier::default();
        let mut kinds = std::collections::HashMap::new();
        for a in PIECES {
            for b in PIECES {
                for d in PIECES {
                    let name = format!("{a}{b}{d}");
                    let want = globs.classify(&name);
                    assert_eq!(c.classify(&name), want, "{name:?}");
                    *kinds.entry(want).or_insert(0) += 1;
                }
            }
        }
        // Every outcome is exercised, many times.
        for kind in [
            None,
            Some(FileKind::Stack),
            Some(FileKind::Compose),
            Some(FileKind::Dockerfile),
            Some(FileKind::Env),
        ] {
            assert!(
                kinds.get(&kind).copied().unwrap_or(0) > 100,
                "{kind:?}: {kinds:?}"
            );
        }
    }

    #[test]
    fn compose_files_are_told_by_content() {
        for (text, want) in [
            ("services:\n  relay:\n    image: getsentry/relay\n", true),
            (
                "version: '3'\nservices:   # the stack\n  web:\n    build: .\n",
                true,
            ),
            // Kubernetes, GitLab CI and Ansible files share some of those words.
            (
                "apiVersion: v1\nkind: Pod\nservices:\n  a:\n    image: x\n",
                false,
            ),
            ("image: node:20\nservices:\n  - docker:dind\n", false),
            (
                "- name: start\n  community.docker.docker_compose_v2:\n    project_src: .\n",
                false,
            ),
            ("services:\n  a:\n    ports: [80]\n", false),
        ] {
            assert_eq!(looks_like_compose(text), want, "{text}");
        }
    }

    #[test]
    fn github_workflows_are_scripts_by_path_and_never_compose_files() {
        let c = Classifier::default();
        for (path, kind) in [
            ("repo/.github/workflows/release.yml", Some(FileKind::Script)),
            (".github/workflows/compose.yaml", Some(FileKind::Script)),
            ("repo/.github/release.yml", None),
            ("repo/workflows/release.yml", None),
            ("repo/.github/workflows/sub/a.yml", None),
            ("repo/.github/workflows/README.md", None),
            ("repo/scripts/deploy.sh", Some(FileKind::Script)),
        ] {
            assert_eq!(c.classify_path(Path::new(path)), kind, "{path}");
        }
        assert_eq!(
            c.classify_explicit_path(Path::new(".github/workflows/ci.yaml")),
            FileKind::Script
        );
        let (_tmp, root) = tree(&[".github/workflows/ci.yml", ".gitlab-ci.yml", "Makefile"]);
        std::fs::write(
            root.join(".github/workflows/ci.yml"),
            "on: push\nservices:\n  db:\n    image: postgres\n",
        )
        .expect("write");
        let d = discover(std::slice::from_ref(&root), &c);
        let kinds: Vec<FileKind> = d.files.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, [FileKind::Script; 3]);
    }

    #[test]
    fn explicit_files_get_a_kind_whatever_their_name() {
        let c = Classifier::default();
        assert_eq!(c.classify_explicit("swarm.yml"), FileKind::Stack);
        assert_eq!(c.classify_explicit("build.docker"), FileKind::Dockerfile);
        assert_eq!(c.classify_explicit("settings.env.prod"), FileKind::Env);
    }

    /// Files (empty) and folders (ending in `/`) under a temporary folder, created in the
    /// order given.
    fn tree(entries: &[&str]) -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().to_path_buf();
        for path in entries {
            let p = root.join(path);
            if path.ends_with('/') {
                std::fs::create_dir_all(&p).expect("mkdir");
            } else {
                std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
                std::fs::write(&p, "").expect("write");
            }
        }
        (tmp, root)
    }

    fn relative(files: &[Candidate], root: &Path) -> Vec<String> {
        files
            .iter()
            .map(|c| {
                let rel = c.path.strip_prefix(root).unwrap_or(&c.path);
                rel.to_string_lossy().replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn walked_files_come_out_sorted_by_path() {
        let mut entries = Vec::new();
        for dir in ["a", "a.b", "a/b", "b", "b/a", "c-d", "c/d/e"] {
            for i in 0..6 {
                for name in ["compose.yaml", "Dockerfile", ".env", "notes.md"] {
                    entries.push(format!("{dir}/{i}/{name}"));
                }
            }
        }
        let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
        let (_tmp, root) = tree(&refs);
        let c = Classifier::default();
        let first = discover(std::slice::from_ref(&root), &c);
        let got = relative(&first.files, &root);
        assert_eq!(got.len(), 7 * 6 * 3);
        let mut sorted = first.files.clone();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(got, relative(&sorted, &root));
        // Path order: by component, so `a/...` all come before `a.b/...`.
        assert_eq!(got[0], "a/0/.env");
        assert_eq!(got[1], "a/0/Dockerfile");
        assert_eq!(got[2], "a/0/compose.yaml");
        assert!(
            got.iter().position(|p| p.starts_with("a/b/"))
                < got.iter().position(|p| p.starts_with("a.b/"))
        );
        for _ in 0..3 {
            let again = discover(std::slice::from_ref(&root), &c);
            assert_eq!(relative(&again.files, &root), got);
        }
    }

    #[test]
    fn each_path_named_keeps_its_place() {
        let (_tmp, root) = tree(&[
            "b/compose.yaml",
            "b/x/.env",
            "a/Dockerfile",
            "a/y/compose.yaml",
            "named.yml",
        ]);
        let paths = [
            root.join("b"),
            root.join("named.yml"),
            root.join("a"),
            root.join("missing"),
        ];
        let d = discover(&paths, &Classifier::default());
        assert_eq!(
            relative(&d.files, &root),
            [
                "b/compose.yaml",
                "b/x/.env",
                "named.yml",
                "a/Dockerfile",
                "a/y/compose.yaml"
            ]
        );
        assert_eq!(
            d.files.iter().map(|c| c.explicit).collect::<Vec<_>>(),
            [false, false, true, false, false]
        );
        assert_eq!(
            d.errors,
            [(root.join("missing"), "no such file or directory".to_owned())]
        );
    }

    #[test]
    fn dependency_folders_are_not_walked_unless_named() {
        let (_tmp, root) = tree(&[
            "compose.yaml",
            "data/web/inc/lib/vendor/directorytree/ldaprecord/docker-compose.yml",
            "web/node_modules/pg/docker-compose.yml",
            "vendors/compose.yaml",
        ]);
        let d = discover(std::slice::from_ref(&root), &Classifier::default());
        assert_eq!(
            relative(&d.files, &root),
            ["compose.yaml", "vendors/compose.yaml"]
        );
        let named = root.join("web/node_modules/pg");
        let d = discover(&[named], &Classifier::default());
        assert_eq!(
            relative(&d.files, &root),
            ["web/node_modules/pg/docker-compose.yml"]
        );
    }

    #[test]
    fn exclude_is_told_what_is_a_folder_and_never_asked_about_a_folder_named() {
        let (_tmp, root) = tree(&[
            "app/compose.yaml",
            "app/skip/compose.yaml",
            "app/skip/deeper/Dockerfile",
            "app/kept/.env",
            "app/.git/compose.yaml",
        ]);
        std::os::unix::fs::symlink(root.join("app"), root.join("app/linked")).expect("symlink");
        let calls: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
        let exclude: Exclude = {
            let calls = calls.clone();
            let root = root.clone();
            Arc::new(move |p: &Path, is_dir: bool| {
                let rel = p
                    .strip_prefix(&root)
                    .unwrap_or(p)
                    .to_string_lossy()
                    .into_owned();
                calls.lock().unwrap().push((rel, is_dir));
                p.ends_with("skip") || p.ends_with("app")
            })
        };
        let d = discover_excluding(&[root.join("app")], &Classifier::default(), Some(exclude));
        assert_eq!(
            relative(&d.files, &root),
            ["app/compose.yaml", "app/kept/.env"]
        );
        let mut calls = calls.lock().unwrap().clone();
        calls.sort();
        assert_eq!(
            calls,
            [
                ("app/compose.yaml".to_owned(), false),
                ("app/kept".to_owned(), true),
                ("app/kept/.env".to_owned(), false),
                ("app/linked".to_owned(), false),
                ("app/skip".to_owned(), true),
            ]
        );
    }
}
