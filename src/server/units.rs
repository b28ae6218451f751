//! Which files each compose project of the workspace reads, so that a change re-checks
//! only the projects it concerns.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::analysis::ProjectFile;

type Unit = Vec<(ProjectFile, PathBuf)>;

/// The compose projects known, each as the files it reads, with an index from each file
/// to the projects reading it.
pub struct Units {
    units: Vec<Option<Unit>>,
    readers: HashMap<PathBuf, BTreeSet<usize>>,
}

/// Files whose change concerns every project below their folder.
const FOLDER_WIDE: &[&str] = &[
    ".gitignore",
    ".dockerignore",
    "stowaway.toml",
    ".stowaway.toml",
];

impl Units {
    /// The projects under `root`.
    pub fn learn(root: &Path) -> Units {
        let mut units = Units {
            units: Vec::new(),
            readers: HashMap::new(),
        };
        for unit in crate::cli::project_files(root, &[root.to_path_buf()]).unwrap_or_default() {
            units.add(unit);
        }
        units
    }

    /// The secret files the known projects read.
    pub fn secret_files(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self
            .units
            .iter()
            .flatten()
            .flatten()
            .filter(|(kind, _)| *kind == ProjectFile::Secret)
            .map(|(_, f)| f.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn add(&mut self, unit: Unit) {
        let id = self.units.len();
        for (_, f) in &unit {
            self.readers.entry(f.clone()).or_default().insert(id);
        }
        self.units.push(Some(unit));
    }

    fn readers_of(&self, path: &Path) -> impl Iterator<Item = usize> + '_ {
        self.readers.get(path).into_iter().flatten().copied()
    }

    /// The files to check when `changed` changed, and the projects they make up: the
    /// projects that read a changed file (every project below a changed `.gitignore`,
    /// `.dockerignore` or configuration file), those sharing a file with them (a
    /// Dockerfile two projects build), and a changed file no project reads, alone.
    /// Only files a check reads are named (compose files, Dockerfiles, env files).
    pub fn affected(&self, changed: &BTreeSet<PathBuf>) -> (Vec<PathBuf>, Vec<usize>) {
        let mut ids: BTreeSet<usize> = BTreeSet::new();
        for path in changed {
            ids.extend(self.readers_of(path));
            let folder_wide = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| FOLDER_WIDE.contains(&n));
            if folder_wide {
                let dir = path.parent().unwrap_or(path);
                for (file, readers) in &self.readers {
                    if file.starts_with(dir) {
                        ids.extend(readers);
                    }
                }
            }
        }
        let first: Vec<usize> = ids.iter().copied().collect();
        for i in first {
            for (kind, file) in self.units[i].iter().flatten() {
                if *kind != ProjectFile::Ignore {
                    ids.extend(self.readers_of(file));
                }
            }
        }
        let mut files: BTreeSet<PathBuf> = ids
            .iter()
            .filter_map(|i| self.units[*i].as_ref())
            .flatten()
            .filter(|(kind, _)| {
                matches!(
                    kind,
                    ProjectFile::Compose | ProjectFile::Dockerfile | ProjectFile::Env
                )
            })
            .map(|(_, f)| f.clone())
            .collect();
        let classifier = crate::discover::Classifier::default();
        for path in changed {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let checked =
                classifier.classify(name).is_some() || crate::discover::is_github_workflow(path);
            if checked && self.readers_of(path).next().is_none() {
                files.insert(path.clone());
            }
        }
        files.retain(|f| f.is_file());
        (files.into_iter().collect(), ids.into_iter().collect())
    }

    /// After a check of the projects `ids`: what they read now (`learned`, from that
    /// check), replacing what was known of them.
    pub fn relearn(&mut self, ids: &[usize], learned: Vec<Unit>) {
        for &i in ids {
            if let Some(unit) = self.units.get_mut(i).and_then(Option::take) {
                for (_, f) in &unit {
                    if let Some(readers) = self.readers.get_mut(f) {
                        readers.remove(&i);
                        if readers.is_empty() {
                            self.readers.remove(f);
                        }
                    }
                }
            }
        }
        for unit in learned {
            // A project the check formed that is known already (it shared a file).
            let known = unit.first().is_some_and(|(_, first)| {
                self.readers_of(first)
                    .any(|i| self.units[i].as_ref() == Some(&unit))
            });
            if !known {
                self.add(unit);
            }
        }
    }
}
