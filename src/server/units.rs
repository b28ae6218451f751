//! Which files each compose project of the workspace reads, so that a change re-checks
//! only the projects it concerns.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::analysis::ProjectFile;

/// The compose projects known, each as the files it reads.
pub struct Units {
    units: Vec<Vec<(ProjectFile, PathBuf)>>,
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
        Units {
            units: crate::cli::project_files(root, &[root.to_path_buf()]).unwrap_or_default(),
        }
    }

    /// The files to check when `changed` changed, and the projects they make up: the
    /// projects that read a changed file (every project below a changed `.gitignore`,
    /// `.dockerignore` or configuration file), those sharing a file with them (a
    /// Dockerfile two projects build), and a changed file no project reads, alone.
    /// Only files a check reads are named (compose files, Dockerfiles, env files).
    pub fn affected(&self, changed: &BTreeSet<PathBuf>) -> (Vec<PathBuf>, Vec<usize>) {
        let mut ids: BTreeSet<usize> = BTreeSet::new();
        for path in changed {
            let folder_wide = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| FOLDER_WIDE.contains(&n));
            let dir = path.parent().unwrap_or(path);
            for (i, unit) in self.units.iter().enumerate() {
                let reads = unit.iter().any(|(_, f)| f == path);
                let below = folder_wide && unit.iter().any(|(_, f)| f.starts_with(dir));
                if reads || below {
                    ids.insert(i);
                }
            }
        }
        let first: Vec<usize> = ids.iter().copied().collect();
        for i in first {
            for (j, unit) in self.units.iter().enumerate() {
                if unit.iter().any(|(k, f)| {
                    *k != ProjectFile::Ignore && self.units[i].iter().any(|(_, g)| g == f)
                }) {
                    ids.insert(j);
                }
            }
        }
        let mut files: BTreeSet<PathBuf> = ids
            .iter()
            .flat_map(|i| &self.units[*i])
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
            if checked
                && !ids
                    .iter()
                    .any(|i| self.units[*i].iter().any(|(_, f)| f == path))
            {
                files.insert(path.clone());
            }
        }
        files.retain(|f| f.is_file());
        (files.into_iter().collect(), ids.into_iter().collect())
    }

    /// After a check of the projects `ids`: what they read now (`learned`, from that
    /// check), replacing what was known of them.
    pub fn relearn(&mut self, ids: &[usize], learned: Vec<Vec<(ProjectFile, PathBuf)>>) {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        for i in ids.into_iter().rev() {
            if i < self.units.len() {
                self.units.remove(i);
            }
        }
        for unit in learned {
            if !self.units.contains(&unit) {
                self.units.push(unit);
            }
        }
    }
}
