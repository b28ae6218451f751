//! One run's view of the checked files: the workspace (every file read, kept for the
//! report), the compose projects, Dockerfiles and env files, and which files findings may
//! be reported on. The models are built and checked a batch at a time ([`Analysis::check`]):
//! a run holds the texts of all files but the models of one batch, so memory stays flat
//! however many projects a tree holds.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::compose::{self, Project};
use crate::detect::patterns::PatternSet;
use crate::discover::{Candidate, FileKind};
use crate::finding::Finding;
use crate::findings;
use crate::git::GitRepo;
use crate::project::{self, ComposeFileVar, Entry};
use crate::rules;
use crate::rules::xr_common::{ContextExposure, context_exposures};
use crate::script::{self, ScriptDoc};
use crate::source::FileId;
use crate::workspace::Workspace;
use crate::{dockerfile, envfile};

/// A parsed Dockerfile.
pub struct DockerfileDoc {
    pub file: FileId,
    pub model: dockerfile::Dockerfile,
}

/// A parsed env file (`.env`, `*.env`, or named by `env_file:`).
pub struct EnvDoc {
    pub file: FileId,
    pub entries: Vec<envfile::EnvEntry>,
    pub errors: Vec<envfile::EnvError>,
}

/// A compose service's build, linked to its context and Dockerfile on disk.
pub struct BuildLink {
    /// Index into [`Analysis::projects`].
    pub project: usize,
    pub service: String,
    /// Absolute build context folder.
    pub context: PathBuf,
    /// Absolute path of the Dockerfile Compose would use.
    pub dockerfile_path: PathBuf,
    /// Index into [`Analysis::dockerfiles`] when the Dockerfile could be read.
    pub dockerfile: Option<usize>,
}

pub struct Analysis {
    pub ws: Workspace,
    /// The batch being checked (see [`Analysis::check`]): its compose projects.
    pub projects: Vec<Project>,
    /// Dockerfiles of the batch: those its projects build, or (in the last batches) those
    /// found or named that no project builds.
    pub dockerfiles: Vec<DockerfileDoc>,
    /// Env files of the batch: those its projects read with `env_file:`, or (in the last
    /// batches) those found or named that no project reads.
    pub env_files: Vec<EnvDoc>,
    /// Scripts of the batch (shell scripts, Makefiles, justfiles, CI files): only in the
    /// last batches, with the Dockerfiles and env files no project uses.
    pub scripts: Vec<ScriptDoc>,
    /// Each service build of each project of the batch, linked to its Dockerfile.
    pub builds: Vec<BuildLink>,
    /// Secret files each build of the batch sends with its context (XR004, XR005).
    pub exposures: Vec<ContextExposure>,
    /// What the batches are made of.
    plan: Plan,
    /// Projects per batch, and Dockerfiles/env files per batch of those no project uses.
    batch_sizes: (usize, usize),
    /// Folders named on the command line (absolute).
    roots: Vec<PathBuf>,
    /// Files named on the command line (absolute).
    explicit: Vec<PathBuf>,
    /// How many projects read each compose file (see [`rules::Rule::holds_in_every_project`]).
    project_reads: HashMap<FileId, usize>,
    /// Git repositories met so far.
    repos: Mutex<Repos>,
    /// Every secret span any rule flagged in the last [`Analysis::check`], before
    /// deduplication and suppression: renderers mask them all, so a suppressed or
    /// baselined secret never shows in the snippet of a neighbouring finding.
    flagged_secrets: Mutex<Vec<(FileId, crate::source::Span)>>,
    /// Token patterns for the KT rules when a configuration adds `extra-patterns`
    /// (the built-in set otherwise).
    pub patterns: Option<&'static PatternSet>,
    /// Which findings the configuration wants (rule selection, per-file ignores, allowed
    /// values, severities), applied in [`Analysis::check`] before overlapping findings
    /// are merged; all of them when `None`.
    pub selection: Option<Selection>,
    /// Where the fix moving a hardcoded secret into a compose secret keeps the value
    /// (`--fix-secrets-from`).
    pub fix_secrets_from: crate::fix::SecretsFrom,
    /// What the fixes planned so far write (`--fix`): a new secret's file or `.env`
    /// variable is never one of theirs.
    pub planned: Vec<crate::finding::FileWrite>,
}

/// See [`Analysis::selection`].
pub type Selection = Box<dyn Fn(&Analysis, Vec<Finding>) -> Vec<Finding> + Send + Sync>;

/// Git repositories by the folder they were looked up from, and each one found.
#[derive(Default)]
struct Repos {
    by_dir: HashMap<PathBuf, Option<Arc<GitRepo>>>,
    found: Vec<Arc<GitRepo>>,
}

/// The files of a run, as the batches [`Analysis::check`] goes through.
#[derive(Default)]
struct Plan {
    /// The compose entry points (see [`crate::project`]).
    entries: Vec<Entry>,
    /// Dockerfiles found or named (read).
    dockerfiles: Vec<FileId>,
    /// Env files found or named (read).
    env_files: Vec<FileId>,
    /// Scripts found or named (read).
    scripts: Vec<FileId>,
}

/// Compose projects checked together: a run holds one batch's models at a time, so memory
/// stays flat however large the tree (on the 50,000-file benchmark corpus, holding every
/// model at once took 450 MB).
const PROJECTS_PER_BATCH: usize = 128;

/// Dockerfiles, env files and scripts no project uses, checked together.
const FILES_PER_BATCH: usize = 512;

impl Analysis {
    /// Discover and read everything under `paths`; [`Analysis::check`] parses and checks.
    /// Relative `paths` are taken relative to `cwd` (not to the process's directory).
    pub fn load(cwd: PathBuf, paths: &[PathBuf]) -> Analysis {
        crate::input::load(cwd, paths, None, None, &Default::default())
    }

    /// Read the classified files (also used for stdin, with the text already in the
    /// workspace) and plan the batches.
    pub fn from_candidates(
        mut ws: Workspace,
        files: &[Candidate],
        roots: Vec<PathBuf>,
        explicit: Vec<PathBuf>,
    ) -> Analysis {
        let mut files = files.to_vec();
        files.extend(project::projects_building_named_dockerfiles(&ws, &files));
        let files = files.as_slice();
        let paths: Vec<PathBuf> = files.iter().map(|c| c.path.clone()).collect();
        let read = crate::timing::phase("read");
        ws.preload(&paths);
        drop(read);
        let compose: Vec<Candidate> = files
            .iter()
            .filter(|c| matches!(c.kind, FileKind::Compose | FileKind::Stack | FileKind::Env))
            .map(|c| Candidate {
                path: ws.absolute(&c.path),
                ..c.clone()
            })
            .collect();
        let entries = project::form(&mut ws, &compose, &roots, &ComposeFileVar::from_env());
        let mut plan = Plan {
            entries,
            ..Plan::default()
        };
        for c in files {
            let target = match c.kind {
                FileKind::Dockerfile => &mut plan.dockerfiles,
                FileKind::Env => &mut plan.env_files,
                FileKind::Script => &mut plan.scripts,
                _ => continue,
            };
            if let Some(id) = ws.load(&c.path)
                && !target.contains(&id)
            {
                target.push(id);
            }
        }
        Analysis {
            ws,
            projects: Vec::new(),
            dockerfiles: Vec::new(),
            env_files: Vec::new(),
            scripts: Vec::new(),
            builds: Vec::new(),
            exposures: Vec::new(),
            plan,
            batch_sizes: (PROJECTS_PER_BATCH, FILES_PER_BATCH),
            roots,
            explicit,
            project_reads: HashMap::new(),
            repos: Mutex::new(Repos::default()),
            flagged_secrets: Mutex::new(Vec::new()),
            patterns: None,
            selection: None,
            fix_secrets_from: crate::fix::SecretsFrom::File,
            planned: Vec::new(),
        }
    }

    /// Check `projects` compose projects per batch, and `files` Dockerfiles and env files
    /// per batch of those no project uses (both at least 1). Findings do not depend on it:
    /// the tests check that, with batches of one.
    pub fn with_batch_sizes(mut self, projects: usize, files: usize) -> Analysis {
        self.batch_sizes = (projects.max(1), files.max(1));
        self
    }

    /// Load the projects of the entry points `entries`, with the Dockerfiles they build
    /// and the env files they read, as the current batch.
    fn load_projects(&mut self, reader: &mut compose::ComposeReader, entries: &[Entry]) {
        let ws = &mut self.ws;
        let parse = crate::timing::phase("parse compose files");
        let files: Vec<PathBuf> = entries.iter().flat_map(Entry::files).collect();
        reader.preparse(ws, &files);
        drop(parse);
        let assemble = crate::timing::phase("assemble projects");
        let mut projects = Vec::new();
        for entry in entries {
            let files = project::entry_files(ws, reader, entry);
            if let Some(mut p) = compose::load_project(ws, reader, &files) {
                p.fragment = matches!(entry, Entry::Fragment { .. });
                projects.push(p);
            }
        }
        for project in &projects {
            let mut read: Vec<FileId> = project.files.iter().map(|f| f.file).collect();
            read.sort();
            read.dedup();
            for id in read {
                *self.project_reads.entry(id).or_default() += 1;
            }
        }
        let mut dockerfile_ids: Vec<FileId> = Vec::new();
        let mut env_ids: Vec<FileId> = Vec::new();
        let mut builds = Vec::new();
        for (index, project) in projects.iter().enumerate() {
            for service in &project.services {
                for part in &service.parts {
                    for env_file in &part.env_files {
                        let Ok(path) = compose::paths::resolve_path(
                            &env_file.dir,
                            &env_file.path.value,
                            &project.dotenv,
                        ) else {
                            continue;
                        };
                        if path.is_file()
                            && let Some(id) = ws.load(&path)
                            && !env_ids.contains(&id)
                        {
                            env_ids.push(id);
                        }
                    }
                }
                let Some(build) = service.build() else {
                    continue;
                };
                let Some((context, dockerfile_path)) = compose::paths::build_paths(&build, project)
                else {
                    continue;
                };
                let mut dockerfile = None;
                if dockerfile_path.is_file()
                    && let Some(id) = ws.load(&dockerfile_path)
                {
                    let at = dockerfile_ids
                        .iter()
                        .position(|d| *d == id)
                        .unwrap_or_else(|| {
                            dockerfile_ids.push(id);
                            dockerfile_ids.len() - 1
                        });
                    dockerfile = Some(at);
                }
                builds.push(BuildLink {
                    project: index,
                    service: service.name.clone(),
                    context,
                    dockerfile_path,
                    dockerfile,
                });
            }
        }
        drop(assemble);
        self.projects = projects;
        self.builds = builds;
        self.parse_files(&dockerfile_ids, &env_ids);
    }

    /// Parse Dockerfiles and env files (in parallel) into the current batch, and find what
    /// its builds send with their contexts.
    fn parse_files(&mut self, dockerfile_ids: &[FileId], env_ids: &[FileId]) {
        let _parse = crate::timing::phase("parse files");
        let files = &self.ws.files;
        self.dockerfiles = dockerfile_ids
            .par_iter()
            .map(|id| DockerfileDoc {
                file: *id,
                model: dockerfile::parse(&files.get(*id).text),
            })
            .collect();
        self.env_files = env_ids
            .par_iter()
            .map(|id| {
                let (entries, errors) = envfile::parse(&files.get(*id).text);
                EnvDoc {
                    file: *id,
                    entries,
                    errors,
                }
            })
            .collect();
        self.report_env_file_errors();
        let _contexts = crate::timing::phase("walk build contexts");
        self.exposures = context_exposures(self);
    }

    /// Report what the env files of the batch could not be parsed as (an unterminated
    /// quote, text after a closing quote), once per file and place: Compose refuses such
    /// a file ("failed to read app.env: line 4: unterminated quoted value").
    fn report_env_file_errors(&mut self) {
        for doc in &self.env_files {
            let file = self.ws.files.get(doc.file);
            let path = file.path.clone();
            let display = file.display.clone();
            let errors: Vec<((usize, usize), String)> = doc
                .errors
                .iter()
                .filter(|e| e.refused)
                .map(|e| {
                    let at = file.line_col(e.range.start);
                    ((at.line, at.column), e.message.clone())
                })
                .collect();
            for (at, message) in errors {
                let reported = self.ws.errors.iter().any(|e| {
                    e.path == display && e.position == Some(at) && e.message.ends_with(&message)
                });
                if !reported {
                    self.ws.error_at(&path, at, &message);
                }
            }
        }
    }

    /// Read the shell text of scripts (in parallel) into the current batch.
    fn parse_scripts(&mut self, ids: &[FileId]) {
        let _parse = crate::timing::phase("parse scripts");
        let files = &self.ws.files;
        self.scripts = ids
            .par_iter()
            .map(|id| {
                let file = files.get(*id);
                let (dialect, segments) = script::parse(&file.path, &file.text);
                ScriptDoc {
                    file: *id,
                    dialect,
                    segments,
                }
            })
            .collect();
    }

    /// Drop the current batch's models.
    fn clear_batch(&mut self) {
        let _clear = crate::timing::phase("drop models");
        self.projects = Vec::new();
        self.dockerfiles = Vec::new();
        self.env_files = Vec::new();
        self.scripts = Vec::new();
        self.builds = Vec::new();
        self.exposures = Vec::new();
    }

    /// Run `rules` on the current batch.
    fn run_rules(&self, rules: &[&dyn rules::Rule]) -> Vec<Finding> {
        let _rules = crate::timing::phase("rules");
        rules
            .par_iter()
            .flat_map_iter(|rule| {
                let mut out = Vec::new();
                let _rule = crate::timing::phase(rule.info().code);
                rule.check(self, &mut out);
                out
            })
            .filter(|f| self.is_reported(f.file))
            .collect()
    }

    /// Secret spans flagged in `file` by the last check, suppressed findings included.
    pub fn flagged_secrets(&self, file: FileId) -> Vec<crate::source::Span> {
        self.flagged_secrets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(f, _)| *f == file)
            .map(|(_, s)| *s)
            .collect()
    }

    /// Every secret span flagged by the last check, in every file (see
    /// [`Analysis::flagged_secrets`]).
    pub fn all_flagged_secrets(&self) -> Vec<(FileId, crate::source::Span)> {
        self.flagged_secrets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The git repository holding `path`, if any (looked up once per folder).
    pub fn repo_for(&self, path: &Path) -> Option<Arc<GitRepo>> {
        let dir = path.parent().unwrap_or(path).to_path_buf();
        let mut repos = self.repos.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = repos.by_dir.get(&dir) {
            return known.clone();
        }
        let found = repos
            .found
            .iter()
            .find(|r| dir.starts_with(r.root()))
            .cloned()
            .or_else(|| {
                let repo = Arc::new(GitRepo::discover(&dir)?);
                repos.found.push(repo.clone());
                Some(repo)
            });
        repos.by_dir.insert(dir, found.clone());
        found
    }

    /// Whether git ignores `path`. Outside a git repository the `.gitignore` files of its
    /// folder and the folders above it, up to the folder named on the command line, are
    /// read all the same: they say what would be ignored once it is one.
    pub fn git_ignored(&self, path: &Path, is_dir: bool) -> bool {
        match self.repo_for(path) {
            Some(r) => r.is_ignored(path, is_dir),
            None => self.loose_ignored(path, is_dir),
        }
    }

    /// Whether a file could be committed with the files of the run: it lies in the git
    /// repository of `beside` (a compose file naming it), or, outside git, below a folder
    /// named on the command line. A `file: ~/.npmrc` or an absolute path elsewhere never is.
    pub fn committable(&self, path: &Path, beside: &Path) -> bool {
        match self.repo_for(beside) {
            Some(repo) => {
                path.starts_with(repo.root()) || {
                    let canonical =
                        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                    canonical.starts_with(repo.root())
                }
            }
            None => self.roots.iter().any(|r| path.starts_with(r)),
        }
    }

    /// What a finding about whether `path` is committed adds when no git repository holds
    /// it: the judgement then rests on the `.gitignore` files alone.
    pub fn git_note(&self, path: &Path) -> &'static str {
        if self.repo_for(path).is_some() {
            ""
        } else {
            " (not in a git repository: judged by its .gitignore files)"
        }
    }

    /// [`Analysis::git_ignored`] outside a repository.
    fn loose_ignored(&self, path: &Path, is_dir: bool) -> bool {
        use ignore::Match;
        let Some(start) = path.parent() else {
            return false;
        };
        for dir in start.ancestors() {
            if !self.roots.iter().any(|r| dir.starts_with(r)) {
                break;
            }
            let file = dir.join(".gitignore");
            if !file.is_file() {
                continue;
            }
            let mut builder = ignore::gitignore::GitignoreBuilder::new(dir);
            if builder.add(&file).is_some() {
                continue;
            }
            let Ok(matcher) = builder.build() else {
                continue;
            };
            match matcher.matched_path_or_any_parents(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }

    /// Whether `path` is in git's index (false outside a repository).
    pub fn git_tracked(&self, path: &Path) -> bool {
        self.repo_for(path).is_some_and(|r| r.is_tracked(path))
    }

    /// Whether any checked file lies outside a git repository.
    pub fn outside_git(&self) -> bool {
        self.ws
            .files
            .iter()
            .any(|(_, f)| self.repo_for(&f.path).is_none())
    }

    /// Whether findings in this file are shown: it was named, or lies under a named folder.
    pub fn is_reported(&self, file: FileId) -> bool {
        let path = &self.ws.files.get(file).path;
        self.explicit.iter().any(|p| p == path) || self.roots.iter().any(|r| path.starts_with(r))
    }

    /// Run every rule, batch by batch: compose projects (with the Dockerfiles and env files
    /// they use) a few at a time, then the Dockerfiles and env files no project uses, then
    /// the rules that read every file's text. Findings sorted by path, offset and code,
    /// duplicates removed (a Dockerfile built by projects of several batches is checked
    /// with each), and inline suppressions applied (with `SW001` for those that suppress
    /// nothing).
    pub fn check(&mut self) -> Vec<Finding> {
        // The built-in token patterns are read on the other core while the first batch
        // loads (the known-token scan needs them last).
        if self.patterns.is_none() {
            rayon::spawn(|| {
                PatternSet::builtin();
            });
        }
        let (per_batch, per_file): (Vec<&dyn rules::Rule>, Vec<&dyn rules::Rule>) = rules::all()
            .iter()
            .partition(|r| r.scope() == rules::Scope::Batch);
        let mut findings = Vec::new();
        let mut used_dockerfiles = HashSet::new();
        let mut used_env_files = HashSet::new();
        self.visit_batches(|batch| {
            used_dockerfiles.extend(batch.dockerfiles.iter().map(|d| d.file));
            used_env_files.extend(batch.env_files.iter().map(|d| d.file));
            findings.extend(batch.run_rules(&per_batch));
        });
        let unused = |ids: &[FileId], used: &HashSet<FileId>| -> Vec<FileId> {
            ids.iter()
                .filter(|id| !used.contains(*id))
                .copied()
                .collect()
        };
        let mut dockerfiles = unused(&self.plan.dockerfiles, &used_dockerfiles);
        let env_files = unused(&self.plan.env_files, &used_env_files);
        // Dockerfiles of one folder stay in one batch: XR005 reports a file in their
        // shared context once.
        dockerfiles.sort_by(|a, b| self.ws.files.get(*a).path.cmp(&self.ws.files.get(*b).path));
        let dockerfile_batches = chunk_keeping(&dockerfiles, self.batch_sizes.1, |id| {
            self.ws.files.get(*id).path.parent().map(Path::to_path_buf)
        });
        let env_batches: Vec<&[FileId]> = env_files.chunks(self.batch_sizes.1).collect();
        let scripts = std::mem::take(&mut self.plan.scripts);
        let script_batches: Vec<&[FileId]> = scripts.chunks(self.batch_sizes.1).collect();
        let batches = dockerfile_batches
            .len()
            .max(env_batches.len())
            .max(script_batches.len());
        for i in 0..batches {
            let dockerfiles = dockerfile_batches.get(i).map_or(&[][..], |b| &b[..]);
            let env_files = env_batches.get(i).copied().unwrap_or_default();
            self.parse_files(dockerfiles, env_files);
            self.parse_scripts(script_batches.get(i).copied().unwrap_or_default());
            findings.extend(self.run_rules(&per_batch));
            self.clear_batch();
        }
        self.plan.scripts = scripts;
        findings.extend(self.run_rules(&per_file));
        let _after = crate::timing::phase("dedupe, suppress");
        self.settle(findings)
    }

    /// The findings step: from what the rules found to what is reported.
    fn settle(&self, findings: Vec<Finding>) -> Vec<Finding> {
        let mut findings = findings::where_every_project_agrees(findings, &self.project_reads);
        self.sort(&mut findings);
        findings.dedup_by(|a, b| a.file == b.file && a.span == b.span && a.code == b.code);
        let mut findings = findings::once_per_subject(findings);
        *self
            .flagged_secrets
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = findings
            .iter()
            .filter_map(|f| Some((f.file, f.secret?)))
            .collect();
        // A secret value in a git-ignored file that git does not track (a local `.env`, a
        // local `compose.override.yaml`) is where it belongs: not reported, unless the file
        // was named on the command line.
        findings.retain(|f| {
            let path = &self.ws.files.get(f.file).path;
            !(f.secret.is_some()
                && crate::suppress::is_secret_value_rule(f.code)
                && !self.explicit.iter().any(|e| e == path)
                && self.git_ignored(path, false)
                && !self.git_tracked(path))
        });
        // Settle which findings are wanted (the configuration's selection and ignores,
        // then inline suppressions) before merging the ones that flag one secret: a known
        // token whose more specific finding is unselected or suppressed is still reported.
        // The selection runs again on what the inline step adds (SW001 for an unused
        // suppression); it changes nothing it already passed.
        let select = |findings: Vec<Finding>| match &self.selection {
            Some(select) => select(self, findings),
            None => findings,
        };
        let findings = select(crate::suppress::apply_inline(self, select(findings)));
        let mut findings = findings::one_finding_per_secret(findings);
        self.sort(&mut findings);
        findings
    }

    /// Findings in report order: by path, offset, code and end.
    fn sort(&self, findings: &mut [Finding]) {
        findings.sort_by(|a, b| {
            let pa = &self.ws.files.get(a.file).display;
            let pb = &self.ws.files.get(b.file).display;
            (pa, a.span.start, a.code, a.span.end).cmp(&(pb, b.span.start, b.code, b.span.end))
        });
    }
}

impl Analysis {
    /// A reader for the run's compose files: those not named on the command line were
    /// found by walking (one that is not a compose file is skipped).
    fn compose_reader(&self) -> compose::ComposeReader {
        let walked = self
            .plan
            .entries
            .iter()
            .flat_map(Entry::files)
            .filter(|f| !self.explicit.contains(f))
            .collect();
        compose::ComposeReader::walking(walked)
    }

    /// Load the compose projects batch by batch and call `visit` with each batch (its
    /// projects, Dockerfiles, env files and builds), dropping its models after:
    /// [`Analysis::check`] runs the rules this way.
    pub fn visit_batches(&mut self, mut visit: impl FnMut(&Analysis)) {
        let mut reader = self.compose_reader();
        let entries = std::mem::take(&mut self.plan.entries);
        // The entry points of one folder stay in one batch: an overlay is read with the
        // default set it layers over.
        for batch in chunk_keeping(&entries, self.batch_sizes.0, Entry::dir) {
            self.load_projects(&mut reader, &batch);
            visit(self);
            self.clear_batch();
            reader.forget_trees();
        }
        self.plan.entries = entries;
    }

    /// Every file the run reads, as (kind, display path), sorted by path: compose files of
    /// every project (with what they include and extend), the Dockerfiles builds use and
    /// those found, env files (`env_file:`, the projects' `.env`, those found), and secret
    /// files.
    pub fn files_to_read(&mut self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        self.visit_batches(|batch| {
            let display = |id: FileId| batch.ws.files.get(id).display.clone();
            for project in &batch.projects {
                out.extend(project.files.iter().map(|f| ("compose", display(f.file))));
                let dotenv = project.dir.join(".env");
                if dotenv.is_file() {
                    out.push(("env", batch.ws.display(&dotenv)));
                }
                for def in &project.secrets {
                    if let Some(Ok(path)) = rules::support::secret_file_path(project, def)
                        && path.exists()
                    {
                        out.push(("secret", batch.ws.display(&path)));
                    }
                }
            }
            out.extend(
                batch
                    .dockerfiles
                    .iter()
                    .map(|d| ("dockerfile", display(d.file))),
            );
            out.extend(batch.env_files.iter().map(|e| ("env", display(e.file))));
        });
        for (kind, ids) in [
            ("dockerfile", &self.plan.dockerfiles),
            ("env", &self.plan.env_files),
            ("script", &self.plan.scripts),
        ] {
            for id in ids {
                out.push((kind, self.ws.files.get(*id).display.clone()));
            }
        }
        let skipped: HashSet<&str> = self.ws.skipped.iter().map(|s| s.path.as_str()).collect();
        out.retain(|(_, path)| !skipped.contains(path.as_str()));
        out.sort_by(|a, b| (&a.1, a.0).cmp(&(&b.1, b.0)));
        out.dedup();
        out
    }
}

impl Analysis {
    /// The files each compose project of the run reads or depends on (absolute): its
    /// compose files, its `.env`, the env files, secret files and Dockerfiles it uses, and
    /// the `.dockerignore` of each build context. The language server re-checks a project
    /// when one of them changes.
    pub fn project_files(&mut self) -> Vec<Vec<(ProjectFile, PathBuf)>> {
        let mut out = Vec::new();
        self.visit_batches(|batch| {
            for (index, project) in batch.projects.iter().enumerate() {
                let mut files: Vec<(ProjectFile, PathBuf)> = project
                    .files
                    .iter()
                    .map(|f| {
                        (
                            ProjectFile::Compose,
                            batch.ws.files.get(f.file).path.clone(),
                        )
                    })
                    .collect();
                files.push((ProjectFile::Env, project.dir.join(".env")));
                for def in &project.secrets {
                    if let Some(Ok(path)) = rules::support::secret_file_path(project, def) {
                        files.push((ProjectFile::Secret, path));
                    }
                }
                for service in &project.services {
                    for part in &service.parts {
                        files.extend(
                            part.env_files
                                .iter()
                                .filter(|r| !r.path.value.contains('$'))
                                .map(|r| {
                                    let path = r.dir.join(&r.path.value);
                                    (ProjectFile::Env, crate::workspace::normalize(&path))
                                }),
                        );
                    }
                }
                for link in batch.builds_of(index) {
                    files.push((ProjectFile::Dockerfile, link.dockerfile_path.clone()));
                    files.push((ProjectFile::Ignore, link.context.join(".dockerignore")));
                }
                files.sort();
                files.dedup();
                out.push(files);
            }
        });
        out
    }
}

/// What a file is to a project ([`Analysis::project_files`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProjectFile {
    Compose,
    Dockerfile,
    Env,
    Secret,
    Ignore,
}

/// `items` cut into runs of about `size`, never cutting between items with the same `key`
/// (`items` are sorted by key first, stably).
fn chunk_keeping<T: Clone, K: Ord>(items: &[T], size: usize, key: impl Fn(&T) -> K) -> Vec<Vec<T>> {
    let mut keyed: Vec<(K, T)> = items.iter().map(|i| (key(i), i.clone())).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut last: Option<&K> = None;
    for (k, item) in &keyed {
        match out.last_mut() {
            Some(chunk) if chunk.len() < size || last == Some(k) => chunk.push(item.clone()),
            _ => out.push(vec![item.clone()]),
        }
        last = Some(k);
    }
    out
}

impl Analysis {
    /// The Dockerfile model of a build link.
    pub fn dockerfile_of(&self, link: &BuildLink) -> Option<&DockerfileDoc> {
        self.dockerfiles.get(link.dockerfile?)
    }

    /// The build links of the project at `index`.
    pub fn builds_of(&self, index: usize) -> impl Iterator<Item = &BuildLink> {
        self.builds.iter().filter(move |b| b.project == index)
    }
}

#[cfg(test)]
mod tests {
    use super::chunk_keeping;

    #[test]
    fn chunks_never_cut_between_equal_keys() {
        let items = [31, 10, 11, 12, 13, 20, 30];
        // Keyed by tens: 10..13 stay together though the size is 2.
        let chunks = chunk_keeping(&items, 2, |i| i / 10);
        assert_eq!(chunks, vec![vec![10, 11, 12, 13], vec![20, 31, 30]]);
        assert_eq!(chunk_keeping(&items, 100, |i| i / 10).len(), 1);
        assert!(chunk_keeping(&[] as &[u8], 3, |i| *i).is_empty());
    }
}
