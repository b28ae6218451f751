//! The run's input: the paths walked and classified, and a file read from standard input
//! (`check - --stdin-filename path`) that stands in for the file at that path. What it
//! finds goes on to project formation ([`crate::project`]) and the model
//! ([`crate::analysis`]).

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::discover::{self, Candidate, Classifier, Exclude};
use crate::read::MAX_FILE_BYTES;
use crate::workspace::Workspace;

/// Standard input as text, with the limits every file gets.
pub fn read_stdin(mut input: impl Read) -> Result<String, String> {
    let mut bytes = Vec::new();
    input
        .by_ref()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "standard input is larger than the {} MiB limit",
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "standard input is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Discover and load `paths` (not holding `-`; relative ones are taken relative to `cwd`),
/// plus `stdin` = (path it stands for, text). The stdin text replaces the file on disk at
/// that path; the other files of its project (compose siblings, Dockerfiles, env files)
/// are read from disk. The texts of `overlay` (by absolute path) stand in for the files on
/// disk at those paths: the files as fixes would leave them.
pub fn load(
    cwd: PathBuf,
    paths: &[PathBuf],
    stdin: Option<(PathBuf, String)>,
    exclude: Option<Exclude>,
    overlay: &std::collections::BTreeMap<PathBuf, String>,
) -> Analysis {
    let paths: Vec<PathBuf> = paths.iter().map(|p| cwd.join(p)).collect();
    let paths = &paths[..];
    let classifier = Classifier::default();
    let walk = crate::timing::phase("walk");
    let mut found = discover::discover_excluding(paths, &classifier, exclude);
    drop(walk);
    let mut ws = Workspace::new(cwd);
    for (path, text) in overlay {
        // An editor's buffer gets the limits of a file on disk.
        if text.len() as u64 > MAX_FILE_BYTES {
            ws.insert_error(
                path,
                format!(
                    "the text is {} bytes, more than the {} MiB limit; skipped",
                    text.len(),
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            );
            continue;
        }
        ws.add_text(path, text.clone());
    }
    for (path, why) in &found.errors {
        ws.error(path, why.clone());
    }
    let roots = paths
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| ws.absolute(p))
        .collect();
    if let Some((path, text)) = stdin {
        ws.add_text(&path, text);
        let abs = ws.absolute(&path);
        found.files.retain(|c| ws.absolute(&c.path) != abs);
        found.files.push(Candidate {
            kind: classifier.classify_explicit_path(&path),
            path,
            explicit: true,
        });
    }
    let explicit = found
        .files
        .iter()
        .filter(|c| c.explicit)
        .map(|c| ws.absolute(&c.path))
        .collect();
    Analysis::from_candidates(ws, &found.files, roots, explicit)
}

/// Whether `path` is `-` (standard input).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}
