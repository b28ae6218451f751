//! Writing a plan: new secret files first (created, never replacing a file, mode as
//! planned), then the ignore lines, then the edited files, each replaced atomically (a
//! temporary file beside it, renamed over it) with its permissions kept.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::Plan;
use crate::finding::WriteAction;

/// What could not be written.
#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub message: String,
}

/// Write every change of the plan; the files written, in order.
pub fn write(plan: &Plan) -> Result<Vec<PathBuf>, WriteError> {
    let mut written = write_files(plan)?;
    for (path, text) in &plan.overlay.texts {
        if plan.originals.get(path) == Some(text) {
            continue;
        }
        replace(path, text, None).map_err(|e| WriteError {
            path: path.clone(),
            message: e.to_string(),
        })?;
        written.push(path.clone());
    }
    Ok(written)
}

/// Write the files of the plan besides the checked files' edits (new secret files, then
/// ignore lines): what an editor cannot write, with the permissions a secret file needs.
pub fn write_files(plan: &Plan) -> Result<Vec<PathBuf>, WriteError> {
    let mut written = Vec::new();
    let fail = |path: &Path, e: std::io::Error| WriteError {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    for w in &plan.overlay.writes {
        if let WriteAction::Create { mode } = w.action {
            create_new(&w.path, &w.content, mode).map_err(|e| fail(&w.path, e))?;
            written.push(w.path.clone());
        }
    }
    let mut appended: Vec<&Path> = Vec::new();
    for w in &plan.overlay.writes {
        if w.action != WriteAction::AppendLine || appended.contains(&w.path.as_path()) {
            continue;
        }
        appended.push(&w.path);
        let old = match fs::read_to_string(&w.path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(fail(&w.path, e)),
        };
        let mut new = old.clone().unwrap_or_default();
        for line in plan
            .overlay
            .writes
            .iter()
            .filter(|o| o.path == w.path && o.action == WriteAction::AppendLine)
        {
            new = with_line(&new, &line.content);
        }
        if old.as_deref() == Some(new.as_str()) {
            continue;
        }
        let mode = if old.is_none() && w.secret {
            Some(0o600)
        } else {
            None
        };
        replace(&w.path, &new, mode).map_err(|e| fail(&w.path, e))?;
        written.push(w.path.clone());
    }
    Ok(written)
}

/// `text` with `line` as its last line, unless it has that line already; in the text's
/// line ending, after a final line ending added where the text lacked one.
pub fn with_line(text: &str, line: &str) -> String {
    if text.lines().any(|l| l.trim_end() == line) {
        return text.to_owned();
    }
    let nl = super::text::line_ending(text);
    let mut out = text.to_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(nl);
    }
    out.push_str(line);
    out.push_str(nl);
    out
}

/// Create `path` with `content` and `mode`, failing if anything is there already; its
/// folder is created (mode 0700) when missing.
fn create_new(path: &Path, content: &str, mode: u32) -> std::io::Result<()> {
    if let Some(dir) = path.parent()
        && !dir.exists()
    {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path)?;
    file.write_all(content.as_bytes())?;
    file.sync_all()
}

/// Replace (or create) `path` with `text` atomically: written beside it, then renamed over
/// it. An existing file keeps its permissions; a new one gets `mode` (else the default).
fn replace(path: &Path, text: &str, mode: Option<u32>) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.stowaway-{}.tmp", std::process::id()));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode.unwrap_or(0o666));
        }
        let mut file = options.open(&temp)?;
        file.write_all(text.as_bytes())?;
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&temp, meta.permissions())?;
        }
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_added_once_in_the_file_line_ending() {
        assert_eq!(with_line("", "/secrets/a.txt"), "/secrets/a.txt\n");
        assert_eq!(with_line("node_modules", "/a"), "node_modules\n/a\n");
        assert_eq!(with_line("x\r\n", "/a"), "x\r\n/a\r\n");
        assert_eq!(with_line("x\n/a\n", "/a"), "x\n/a\n");
    }

    #[test]
    fn a_new_file_never_replaces_one_and_keeps_its_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secrets/pw.txt");
        create_new(&path, "s3cr3t", 0o600).expect("create");
        assert_eq!(fs::read_to_string(&path).expect("read"), "s3cr3t");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(create_new(&path, "other", 0o600).is_err());
        assert_eq!(fs::read_to_string(&path).expect("read"), "s3cr3t");
    }

    #[test]
    fn replacing_keeps_permissions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("compose.yaml");
        fs::write(&path, "a: 1\n").expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).expect("chmod");
        }
        replace(&path, "a: 2\n", None).expect("replace");
        assert_eq!(fs::read_to_string(&path).expect("read"), "a: 2\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 1);
    }
}
