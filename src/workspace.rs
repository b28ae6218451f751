//! Every file a run reads, read once, with the errors met along the way.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::read::read_text;
use crate::source::{FileId, Files, SourceFile};

/// A file that could not be analysed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileError {
    /// Display path (relative to the working directory).
    pub path: String,
    pub message: String,
    /// Where in the file the problem is (1-based line, column in characters), when known.
    pub position: Option<(usize, usize)>,
}

#[derive(Debug)]
pub struct Workspace {
    pub cwd: PathBuf,
    pub files: Files,
    by_path: HashMap<PathBuf, Option<FileId>>,
    pub errors: Vec<FileError>,
    /// Files met while walking that turned out not to be what their name or content
    /// suggested (an Ansible `tasks/compose.yml`), with the reason.
    pub skipped: Vec<FileError>,
}

impl Workspace {
    pub fn new(cwd: PathBuf) -> Workspace {
        Workspace {
            cwd,
            files: Files::default(),
            by_path: HashMap::new(),
            errors: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Absolute, lexically normalised form of `path` (no file system access).
    pub fn absolute(&self, path: &Path) -> PathBuf {
        normalize(&self.cwd.join(path))
    }

    /// Path as shown to users: relative to the working directory when below it, `/`-separated.
    pub fn display(&self, path: &Path) -> String {
        let abs = self.absolute(path);
        let shown = abs
            .strip_prefix(&self.cwd)
            .map(Path::to_path_buf)
            .unwrap_or(abs);
        let s = shown.to_string_lossy().replace('\\', "/");
        if s.is_empty() { ".".into() } else { s }
    }

    /// Read many files in parallel ahead of their use.
    pub fn preload(&mut self, paths: &[PathBuf]) {
        let todo: Vec<PathBuf> = paths
            .iter()
            .map(|p| self.absolute(p))
            .filter(|p| !self.by_path.contains_key(p))
            .collect();
        let read: Vec<(PathBuf, Result<String, String>)> = todo
            .into_par_iter()
            .map(|p| {
                let r = read_text(&p);
                (p, r)
            })
            .collect();
        for (path, result) in read {
            self.insert(path, result);
        }
    }

    /// The file at `path`, read on first use. `None` (with an error recorded once) when it
    /// cannot be read.
    pub fn load(&mut self, path: &Path) -> Option<FileId> {
        let abs = self.absolute(path);
        if let Some(known) = self.by_path.get(&abs) {
            return *known;
        }
        let result = read_text(&abs);
        self.insert(abs, result)
    }

    /// Register text that does not come from disk (stdin) under `path`.
    pub fn add_text(&mut self, path: &Path, text: String) -> FileId {
        let abs = self.absolute(path);
        let display = self.display(&abs);
        let id = self.files.add(SourceFile::new(display, abs.clone(), text));
        self.by_path.insert(abs, Some(id));
        id
    }

    /// Record that the file at `path` cannot be used, and why: later loads of it give
    /// `None` without reading the disk.
    pub fn insert_error(&mut self, path: &Path, message: String) {
        let abs = self.absolute(path);
        self.insert(abs, Err(message));
    }

    /// The id of a file already loaded.
    pub fn id_of(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(&self.absolute(path)).copied().flatten()
    }

    pub fn error(&mut self, path: &Path, message: impl Into<String>) {
        let path = self.display(path);
        self.errors.push(FileError {
            path,
            message: message.into(),
            position: None,
        });
    }

    /// An error at a place in the file: the message starts with `line L, column C: `.
    pub fn error_at(&mut self, path: &Path, (line, column): (usize, usize), message: &str) {
        let path = self.display(path);
        self.errors.push(FileError {
            path,
            message: format!("line {line}, column {column}: {message}"),
            position: Some((line, column)),
        });
    }

    /// Record that a walked file is not checked, and why.
    pub fn skip(&mut self, path: &Path, reason: impl Into<String>) {
        let path = self.display(path);
        self.skipped.push(FileError {
            path,
            message: reason.into(),
            position: None,
        });
    }

    fn insert(&mut self, abs: PathBuf, result: Result<String, String>) -> Option<FileId> {
        let id = match result {
            Ok(text) => {
                let display = self.display(&abs);
                Some(self.files.add(SourceFile::new(display, abs.clone(), text)))
            }
            Err(message) => {
                self.error(&abs, message);
                None
            }
        };
        self.by_path.insert(abs, id);
        id
    }
}

/// Remove `.` and resolve `..` lexically.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
