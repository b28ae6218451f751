//! Git awareness without running a `git` binary.
//!
//! [`GitRepo::discover`] finds the working tree that contains a path (a `.git`
//! directory, or a `.git` *file* holding `gitdir: …` as used by linked worktrees
//! and submodules). The repository can then answer two questions about any
//! path, whether it exists or not:
//!
//! * [`GitRepo::is_ignored`]: would git ignore it? Rules come from every
//!   `.gitignore` between the working-tree root and the path's folder (a
//!   pattern in `a/.gitignore` is relative to `a/`, deeper files take
//!   precedence) and from `$GIT_COMMON_DIR/info/exclude` (lowest precedence).
//!   As in git, once a directory is ignored nothing below it can be
//!   re-included.
//! * [`GitRepo::is_tracked`]: is it in the index (`.git/index`, any stage)?
//!
//! Matching of individual ignore files is delegated to the `ignore` crate
//! (`GitignoreBuilder`/`Gitignore`); the directory walk that combines the files
//! is done here so that git's "excluded parent directory" rule and nested-file
//! precedence hold exactly. The index is decoded by `gix-index` (versions 2, 3
//! and 4, split index, SHA-1 and SHA-256 repositories).
//!
//! Deliberately *not* consulted: the user's global excludes file
//! (`core.excludesFile`, `~/.config/git/ignore`), `core.ignoreCase`, and the
//! `GIT_DIR`/`GIT_WORK_TREE` environment variables. The analysis must give the
//! same answer on every machine, so only files inside the repository count.
//!
//! Everything is loaded lazily and cached: the index once per [`GitRepo`], each
//! `.gitignore` once. A [`GitRepo`] is `Send + Sync` and can be shared between
//! threads. Hostile input is bounded: oversized files are refused, and a
//! corrupt index is treated as empty with the reason available through
//! [`GitRepo::index_error`]. The index checksum is verified (unless the file
//! was written with `index.skipHash`), and any panic inside the decoder is
//! caught (the default panic hook still prints it). `gix-index` memory-maps
//! the file; git replaces the index by rename, never truncating it in place.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Largest `.gitignore` / `info/exclude` read (git itself skips ignore files
/// larger than 100 MiB).
const MAX_IGNORE_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// Largest `.git` file, `commondir` file or `config` file read.
const MAX_SMALL_FILE_BYTES: u64 = 1024 * 1024;
/// Largest index file decoded.
const MAX_INDEX_BYTES: u64 = 1024 * 1024 * 1024;
/// Cap on any single allocation the index decoder makes from on-disk counts.
const MAX_INDEX_ALLOC_BYTES: usize = 2 * 1024 * 1024 * 1024;

/// A git working tree found on disk, with lazily loaded ignore rules and index.
#[derive(Debug)]
pub struct GitRepo {
    /// Working-tree root (canonicalised when possible).
    root: PathBuf,
    /// The per-worktree git directory (holds `index`).
    git_dir: PathBuf,
    /// The shared git directory (holds `info/exclude` and `config`); equal to
    /// `git_dir` except for linked worktrees.
    common_dir: PathBuf,
    /// Tracked paths, loaded on first use.
    index: OnceLock<IndexData>,
    /// `info/exclude`, loaded on first use (`None`: absent, empty or unreadable).
    exclude: OnceLock<Option<Gitignore>>,
    /// `.gitignore` per working-tree directory (key: `/`-joined relative dir,
    /// `""` for the root), each read at most once.
    gitignores: Mutex<HashMap<Vec<OsString>, Option<Arc<Gitignore>>>>,
}

/// The decoded index: sorted, de-duplicated `/`-separated paths.
#[derive(Debug, Default)]
struct IndexData {
    paths: Vec<Vec<u8>>,
    error: Option<String>,
}

impl GitRepo {
    /// Walks up from `start` (a file or a directory, which need not exist;
    /// relative paths are taken from the current directory) to the nearest
    /// folder holding `.git`, and returns that working tree.
    ///
    /// `.git` may be a directory or a file containing `gitdir: <path>` (linked
    /// worktrees, submodules); a relative `gitdir` is resolved against the
    /// folder holding the file. Returns `None` outside a repository, or when the
    /// nearest `.git` file is malformed or points nowhere (git refuses such a
    /// repository too). A `.git` directory without `HEAD` is passed over.
    pub fn discover(start: &Path) -> Option<GitRepo> {
        let abs = absolutize(start)?;
        let mut dir = canonicalize_lenient(&abs);
        if dir.is_file() {
            dir.pop();
        }
        loop {
            let dot_git = dir.join(".git");
            if let Ok(meta) = std::fs::metadata(&dot_git) {
                if meta.is_dir() {
                    if looks_like_git_dir(&dot_git) {
                        return Some(GitRepo::new(dir, dot_git));
                    }
                } else if meta.is_file() {
                    let git_dir = read_gitfile(&dot_git, &dir)?;
                    return Some(GitRepo::new(dir, git_dir));
                }
            }
            if !dir.pop() {
                return None;
            }
        }
    }

    fn new(root: PathBuf, git_dir: PathBuf) -> GitRepo {
        let git_dir = std::fs::canonicalize(&git_dir).unwrap_or(git_dir);
        let common_dir = read_small_file(&git_dir.join("commondir"))
            .map(|text| String::from_utf8_lossy(&text).trim().to_owned())
            .filter(|rel| !rel.is_empty())
            .map(|rel| {
                let p = git_dir.join(rel);
                std::fs::canonicalize(&p).unwrap_or(p)
            })
            .unwrap_or_else(|| git_dir.clone());
        GitRepo {
            root,
            git_dir,
            common_dir,
            index: OnceLock::new(),
            exclude: OnceLock::new(),
            gitignores: Mutex::new(HashMap::new()),
        }
    }

    /// The working-tree root (the folder that holds `.git`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The git directory of this working tree (for a linked worktree:
    /// `<main>/.git/worktrees/<name>`).
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// Whether git would ignore `path` (absolute, or relative to the current
    /// directory; it need not exist). `is_dir` says whether the path itself is
    /// a directory, which matters for patterns ending in `/`.
    ///
    /// Each directory on the way down from the root is checked first: when one
    /// is ignored, everything below it is ignored whatever later `!` patterns
    /// say. Tracking is not considered here: a tracked file that matches a
    /// pattern is still reported as ignored. Paths outside the working tree,
    /// the root itself and paths inside `.git` are never ignored.
    pub fn is_ignored(&self, path: &Path, is_dir: bool) -> bool {
        let comps = match self.relative_components(path) {
            Some(c) if !c.is_empty() => c,
            _ => return false,
        };
        if comps[0] == ".git" {
            return false;
        }
        for end in 1..=comps.len() {
            let this_is_dir = end < comps.len() || is_dir;
            if let Match::Ignore(_) = self.match_prefix(&comps[..end], this_is_dir) {
                return true;
            }
        }
        false
    }

    /// Whether `path` (absolute, or relative to the current directory) is in
    /// the index at any stage. A directory counts as tracked when something
    /// below it is tracked (as `git ls-files <dir>` would list it), and a path
    /// below a sparse-index directory entry is tracked. A repository without
    /// an index (fresh `git init`) or with an unreadable one tracks nothing.
    pub fn is_tracked(&self, path: &Path) -> bool {
        let comps = match self.relative_components(path) {
            Some(c) if !c.is_empty() => c,
            _ => return false,
        };
        let paths = &self.index_data().paths;
        if paths.is_empty() {
            return false;
        }
        let mut key: Vec<u8> = Vec::new();
        for (i, comp) in comps.iter().enumerate() {
            if i > 0 {
                key.push(b'/');
            }
            key.extend_from_slice(&os_bytes(comp));
            // Sparse index: a directory entry `dir/` stands for everything below.
            if i + 1 < comps.len() {
                key.push(b'/');
                if paths.binary_search(&key).is_ok() {
                    return true;
                }
                key.pop();
            }
        }
        if paths.binary_search(&key).is_ok() {
            return true;
        }
        key.push(b'/');
        let at = paths.partition_point(|p| p.as_slice() < key.as_slice());
        paths.get(at).is_some_and(|p| p.starts_with(&key))
    }

    /// The files in the index below the folder `dir`, as paths under `dir` as given (a
    /// walk passes over the tracked files that a `.gitignore` pattern matches: they are
    /// committed all the same). Loads the index.
    pub fn tracked_files_under(&self, dir: &Path) -> Vec<PathBuf> {
        let Some(comps) = self.relative_components(dir) else {
            return Vec::new();
        };
        let mut prefix: Vec<u8> = Vec::new();
        for comp in &comps {
            prefix.extend_from_slice(&os_bytes(comp));
            prefix.push(b'/');
        }
        let paths = &self.index_data().paths;
        let start = paths.partition_point(|p| p.as_slice() < prefix.as_slice());
        paths[start..]
            .iter()
            .take_while(|p| p.starts_with(&prefix))
            .filter(|p| !p.ends_with(b"/"))
            .map(|p| dir.join(path_of_bytes(&p[prefix.len()..])))
            .collect()
    }

    /// Why the index could not be read, if it could not (it is then treated as
    /// empty). `None` when it was read or does not exist. Loads the index.
    pub fn index_error(&self) -> Option<&str> {
        self.index_data().error.as_deref()
    }

    /// Number of distinct paths in the index. Loads the index.
    pub fn tracked_count(&self) -> usize {
        self.index_data().paths.len()
    }

    fn index_data(&self) -> &IndexData {
        self.index
            .get_or_init(|| load_index(&self.git_dir, &self.common_dir))
    }

    /// Decides the path `comps` (relative to the root) against the ignore
    /// files that can apply to it, most specific first.
    fn match_prefix(&self, comps: &[OsString], is_dir: bool) -> Match<()> {
        // .gitignore files in the path's own folder, then each parent up to the root.
        for depth in (0..comps.len()).rev() {
            let Some(matcher) = self.gitignore_for(&comps[..depth]) else {
                continue;
            };
            let rel: PathBuf = comps[depth..].iter().collect();
            match matcher.matched(&rel, is_dir) {
                Match::None => {}
                Match::Ignore(_) => return Match::Ignore(()),
                Match::Whitelist(_) => return Match::Whitelist(()),
            }
        }
        let exclude = self.exclude.get_or_init(|| {
            build_matcher(
                &self.root,
                &self.common_dir.join("info").join("exclude"),
                true,
            )
        });
        if let Some(matcher) = exclude {
            let rel: PathBuf = comps.iter().collect();
            match matcher.matched(&rel, is_dir) {
                Match::None => {}
                Match::Ignore(_) => return Match::Ignore(()),
                Match::Whitelist(_) => return Match::Whitelist(()),
            }
        }
        Match::None
    }

    /// The `.gitignore` of working-tree folder `dir` (cached).
    fn gitignore_for(&self, dir: &[OsString]) -> Option<Arc<Gitignore>> {
        let mut cache = self
            .gitignores
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(hit) = cache.get(dir) {
            return hit.clone();
        }
        let mut folder = self.root.clone();
        folder.extend(dir);
        // In-tree .gitignore files are not followed through symlinks (git >= 2.32).
        let matcher = build_matcher(&folder, &folder.join(".gitignore"), false).map(Arc::new);
        cache.insert(dir.to_vec(), matcher.clone());
        matcher
    }

    /// `path` as components relative to the working-tree root, or `None` when
    /// it lies outside. Symlinks in the folders leading to the path are
    /// resolved; the last component is kept as written (git looks at the link,
    /// not its target).
    fn relative_components(&self, path: &Path) -> Option<Vec<OsString>> {
        let abs = crate::workspace::normalize(&absolutize(path)?);
        if let Ok(rest) = abs.strip_prefix(&self.root) {
            return plain_components(rest);
        }
        let name = abs.file_name()?.to_os_string();
        let parent = canonicalize_lenient(abs.parent()?);
        let rest = parent.strip_prefix(&self.root).ok()?;
        let mut comps = plain_components(rest)?;
        comps.push(name);
        Some(comps)
    }
}

/// Absolute form of `path` (relative paths are joined to the current directory).
fn absolutize(path: &Path) -> Option<PathBuf> {
    if path.is_absolute() {
        Some(path.to_path_buf())
    } else {
        Some(std::env::current_dir().ok()?.join(path))
    }
}

/// Canonicalises the longest existing ancestor of `path` and appends the
/// rest, so that paths which do not exist yet still resolve symlinked folders.
fn canonicalize_lenient(path: &Path) -> PathBuf {
    let path = crate::workspace::normalize(path);
    let mut existing = path.as_path();
    let mut tail: Vec<OsString> = Vec::new();
    loop {
        if let Ok(canon) = std::fs::canonicalize(existing) {
            let mut out = canon;
            out.extend(tail.iter().rev());
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                tail.push(name.to_os_string());
                existing = parent;
            }
            _ => return path,
        }
    }
}

/// Normal components of a relative path; `None` if it climbs out with `..`.
fn plain_components(rel: &Path) -> Option<Vec<OsString>> {
    let mut out = Vec::new();
    for comp in rel.components() {
        match comp {
            Component::Normal(c) => out.push(c.to_os_string()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Bytes of a path component as git stores them.
#[cfg(unix)]
fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    s.as_bytes().to_vec()
}

/// Bytes of a path component as git stores them (UTF-8).
#[cfg(not(unix))]
fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    s.to_string_lossy().into_owned().into_bytes()
}

/// A relative path as git stores it (`/`-separated UTF-8 bytes).
#[cfg(unix)]
fn path_of_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_of_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).replace('/', "\\"))
}

/// A `.git` directory is taken as a repository when it has a `HEAD`.
fn looks_like_git_dir(dir: &Path) -> bool {
    dir.join("HEAD").is_file()
}

/// Reads at most `limit` bytes of `path`; `None` when missing, unreadable or
/// larger than `limit`.
fn read_limited(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    let mut buf = Vec::new();
    file.take(limit + 1).read_to_end(&mut buf).ok()?;
    if buf.len() as u64 > limit {
        return None;
    }
    Some(buf)
}

fn read_small_file(path: &Path) -> Option<Vec<u8>> {
    read_limited(path, MAX_SMALL_FILE_BYTES)
}

/// Parses a `.git` file (`gitdir: <path>`) found in `worktree`.
fn read_gitfile(dot_git: &Path, worktree: &Path) -> Option<PathBuf> {
    let bytes = read_small_file(dot_git)?;
    let text = String::from_utf8(bytes).ok()?;
    let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
    if target.is_empty() {
        return None;
    }
    let git_dir = worktree.join(target);
    looks_like_git_dir(&git_dir).then_some(git_dir)
}

/// Builds a matcher for one ignore file whose patterns are relative to
/// `base`. `None` when the file is absent, a symlink (unless
/// `follow_symlink`), too large, or contains no usable pattern.
fn build_matcher(base: &Path, file: &Path, follow_symlink: bool) -> Option<Gitignore> {
    if !follow_symlink {
        let meta = std::fs::symlink_metadata(file).ok()?;
        if !meta.file_type().is_file() {
            return None;
        }
    }
    let bytes = read_limited(file, MAX_IGNORE_FILE_BYTES)?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut builder = GitignoreBuilder::new(base);
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // An invalid glob is skipped, as git skips patterns it cannot use.
        let _ = builder.add_line(Some(file.to_path_buf()), line);
    }
    let matcher = builder.build().ok()?;
    (!matcher.is_empty()).then_some(matcher)
}

/// The object hash of the repository from `extensions.objectFormat`.
fn object_format(common_dir: &Path) -> gix_index::hash::Kind {
    let Some(bytes) = read_small_file(&common_dir.join("config")) else {
        return gix_index::hash::Kind::Sha1;
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut in_extensions = false;
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.split(']').next().unwrap_or("").trim();
            in_extensions = name.eq_ignore_ascii_case("extensions");
            continue;
        }
        if !in_extensions {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            let value = value.split(['#', ';']).next().unwrap_or("").trim();
            if key.trim().eq_ignore_ascii_case("objectformat")
                && value.trim_matches('"').eq_ignore_ascii_case("sha256")
            {
                return gix_index::hash::Kind::Sha256;
            }
        }
    }
    gix_index::hash::Kind::Sha1
}

/// Reads `<git_dir>/index` into a sorted path list; problems become an error
/// string and an empty list.
fn load_index(git_dir: &Path, common_dir: &Path) -> IndexData {
    let path = git_dir.join("index");
    let failed = |error: String| IndexData {
        paths: Vec::new(),
        error: Some(format!("{}: {error}", path.display())),
    };
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return IndexData::default(),
        Err(e) => return failed(e.to_string()),
        Ok(meta) if !meta.is_file() => return failed("not a regular file".into()),
        Ok(meta) if meta.len() > MAX_INDEX_BYTES => {
            return failed(format!("index larger than {MAX_INDEX_BYTES} bytes"));
        }
        Ok(_) => {}
    }
    let options = gix_index::decode::Options {
        thread_limit: Some(1),
        alloc_limit_bytes: Some(MAX_INDEX_ALLOC_BYTES),
        ..Default::default()
    };
    let kind = object_format(common_dir);
    // The decoder is bounds-checked, but a decoder bug on hostile bytes must
    // not take the whole analysis down: contain any panic.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        gix_index::File::at(&path, kind, false, options)
            .map_err(|e| e.to_string())
            .map(|file| {
                let mut paths: Vec<Vec<u8>> = file
                    .entries()
                    .iter()
                    .map(|entry| entry.path(&file).to_vec())
                    .collect();
                paths.sort_unstable();
                paths.dedup();
                paths
            })
    }));
    match decoded {
        Ok(Ok(paths)) => IndexData { paths, error: None },
        Ok(Err(e)) => failed(e),
        Err(_) => failed("index decoder panicked".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::process::Command;

    /// Runs git (tests only) in `dir` with a neutral configuration.
    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.invalid",
                "-c",
                "init.defaultBranch=main",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "core.autocrlf=false",
            ])
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn write(root: &Path, rel: &str, content: &str) {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(p, content).expect("write");
    }

    /// A repository with committed files, nested ignore files and info/exclude.
    fn fixture() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("repo");
        fs::create_dir_all(&root).expect("mkdir");
        git(&root, &["init", "-q"]);
        write(&root, "README.md", "hi");
        write(&root, "config/app.env", "A=1");
        write(&root, "src/main.rs", "fn main() {}");
        write(&root, "src/deep/er/mod.rs", "");
        write(&root, "my secrets/dö ß.txt", "x");
        write(&root, "日本/設定.env", "x");
        write(&root, "secrets/.gitkeep", "");
        write(&root, "a/keep.pem", "");
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "init"]);
        // Ignore rules added after the commit: app.env is tracked *and* ignored.
        write(
            &root,
            ".gitignore",
            "*.env\nsecrets/*\n!secrets/.gitkeep\nbuild/\nlogs/\n!logs/keep.txt\n*.pem\n!special.local\n",
        );
        write(&root, "a/.gitignore", "*.key\n/local.txt\n!keep.pem\n");
        write(&root, "a/b/.gitignore", "# comment\nnested-only\n");
        write(&root, ".git/info/exclude", "*.local\n");
        (tmp, root)
    }

    #[test]
    fn discover_from_file_dir_and_missing_path() {
        let (_tmp, root) = fixture();
        let canon = fs::canonicalize(&root).expect("canon");
        for start in [
            root.clone(),
            root.join("src/main.rs"),
            root.join("src/deep/er"),
            root.join("does/not/exist.txt"),
        ] {
            let repo = GitRepo::discover(&start).expect("inside repo");
            assert_eq!(repo.root(), canon.as_path(), "from {}", start.display());
        }
    }

    #[test]
    fn outside_repo_is_none() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(tmp.path(), "plain/file.txt", "x");
        assert!(GitRepo::discover(&tmp.path().join("plain/file.txt")).is_none());
        assert!(GitRepo::discover(tmp.path()).is_none());
    }

    #[test]
    fn tracked_files() {
        let (_tmp, root) = fixture();
        let repo = GitRepo::discover(&root).expect("repo");
        assert_eq!(repo.index_error(), None);
        assert!(repo.is_tracked(&root.join("README.md")));
        assert!(repo.is_tracked(&root.join("src/deep/er/mod.rs")));
        assert!(repo.is_tracked(&root.join("src")), "dir with tracked files");
        assert!(repo.is_tracked(&root.join("src/./deep/../main.rs")));
        assert!(!repo.is_tracked(&root.join(".gitignore")), "not committed");
        assert!(
            !repo.is_tracked(&root.join("sr")),
            "prefix of a name is not a dir"
        );
        assert!(!repo.is_tracked(&root.join("missing.txt")));
        assert!(!repo.is_tracked(&root));
        assert!(!repo.is_tracked(Path::new("/definitely/outside/README.md")));
    }

    #[test]
    fn tracked_and_ignored() {
        let (_tmp, root) = fixture();
        let repo = GitRepo::discover(&root).expect("repo");
        let env = root.join("config/app.env");
        assert!(repo.is_tracked(&env));
        assert!(repo.is_ignored(&env, false));
    }

    #[test]
    fn spaces_and_non_ascii() {
        let (_tmp, root) = fixture();
        let repo = GitRepo::discover(&root).expect("repo");
        assert!(repo.is_tracked(&root.join("my secrets/dö ß.txt")));
        assert!(repo.is_tracked(&root.join("日本/設定.env")));
        assert!(repo.is_ignored(&root.join("日本/設定.env"), false));
        assert!(!repo.is_ignored(&root.join("my secrets/dö ß.txt"), false));
    }

    #[test]
    fn secrets_glob_with_exception() {
        let (_tmp, root) = fixture();
        let repo = GitRepo::discover(&root).expect("repo");
        assert!(
            repo.is_ignored(&root.join("secrets/db.txt"), false),
            "missing file"
        );
        assert!(!repo.is_ignored(&root.join("secrets/.gitkeep"), false));
        assert!(!repo.is_ignored(&root.join("secrets"), true));
        assert!(repo.is_ignored(&root.join("secrets/sub/x.txt"), false));
        assert!(repo.is_tracked(&root.join("secrets/.gitkeep")));
    }

    #[test]
    fn ignored_parent_dir_wins() {
        let (_tmp, root) = fixture();
        let repo = GitRepo::discover(&root).expect("repo");
        assert!(repo.is_ignored(&root.join("build/missing/x.txt"), false));
        assert!(repo.is_ignored(&root.join("build"), true));
        // `build/` only matches directories.
        assert!(!repo.is_ignored(&root.join("build"), false));
        // Cannot re-include a file inside an excluded directory.
        assert!(repo.is_ignored(&root.join("logs/keep.txt"), false));
    }

    #[test]
    fn nested_gitignore_is_relative_to_its_folder() {
        let (_tmp, root) = fixture();
        let repo = GitRepo::discover(&root).expect("repo");
        assert!(repo.is_ignored(&root.join("a/x.key"), false));
        assert!(repo.is_ignored(&root.join("a/b/y.key"), false));
        assert!(!repo.is_ignored(&root.join("x.key"), false));
        assert!(repo.is_ignored(&root.join("a/local.txt"), false));
        assert!(!repo.is_ignored(&root.join("a/b/local.txt"), false));
        assert!(!repo.is_ignored(&root.join("local.txt"), false));
        // Deeper file overrides the root: a/keep.pem is re-included.
        assert!(!repo.is_ignored(&root.join("a/keep.pem"), false));
        assert!(repo.is_ignored(&root.join("keep.pem"), false));
        assert!(!repo.is_ignored(&root.join("a/b/c/keep.pem"), false));
        assert!(repo.is_ignored(&root.join("a/b/nested-only"), false));
        assert!(!repo.is_ignored(&root.join("nested-only"), false));
    }

    #[test]
    fn info_exclude_has_lowest_precedence() {
        let (_tmp, root) = fixture();
        let repo = GitRepo::discover(&root).expect("repo");
        assert!(repo.is_ignored(&root.join("x.local"), false));
        assert!(repo.is_ignored(&root.join("src/y.local"), false));
        assert!(!repo.is_ignored(&root.join("special.local"), false));
    }

    #[test]
    fn outside_root_and_dot_git_are_not_ignored() {
        let (tmp, root) = fixture();
        let repo = GitRepo::discover(&root).expect("repo");
        assert!(!repo.is_ignored(&tmp.path().join("other.env"), false));
        assert!(!repo.is_ignored(&root.join(".git/config"), false));
        assert!(!repo.is_ignored(&root, true));
    }

    #[test]
    fn fresh_repo_without_index() {
        let tmp = tempfile::tempdir().expect("tempdir");
        git(tmp.path(), &["init", "-q"]);
        write(tmp.path(), "a.txt", "x");
        write(tmp.path(), ".gitignore", "*.txt\n");
        let repo = GitRepo::discover(tmp.path()).expect("repo");
        assert!(!repo.is_tracked(&tmp.path().join("a.txt")));
        assert_eq!(repo.index_error(), None);
        assert_eq!(repo.tracked_count(), 0);
        assert!(repo.is_ignored(&tmp.path().join("a.txt"), false));
    }

    #[test]
    fn index_version_4() {
        let (_tmp, root) = fixture();
        git(&root, &["update-index", "--index-version", "4"]);
        let bytes = fs::read(root.join(".git/index")).expect("index");
        assert_eq!(&bytes[4..8], &[0, 0, 0, 4]);
        let repo = GitRepo::discover(&root).expect("repo");
        assert_eq!(repo.index_error(), None);
        assert!(repo.is_tracked(&root.join("src/deep/er/mod.rs")));
        assert!(repo.is_tracked(&root.join("src/main.rs")));
        assert!(repo.is_tracked(&root.join("my secrets/dö ß.txt")));
        assert!(repo.is_tracked(&root.join("日本/設定.env")));
        assert!(!repo.is_tracked(&root.join("src/deep/er/other.rs")));
    }

    #[test]
    fn split_index() {
        let (_tmp, root) = fixture();
        git(&root, &["update-index", "--split-index"]);
        write(&root, "new.txt", "x");
        git(&root, &["add", "new.txt"]);
        let shared = fs::read_dir(root.join(".git"))
            .expect("read .git")
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with("sharedindex."));
        assert!(shared, "split index written");
        let repo = GitRepo::discover(&root).expect("repo");
        assert_eq!(repo.index_error(), None);
        assert!(repo.is_tracked(&root.join("new.txt")));
        assert!(repo.is_tracked(&root.join("README.md")));
    }

    #[test]
    fn staged_but_uncommitted_is_tracked() {
        let (_tmp, root) = fixture();
        write(&root, "staged.txt", "x");
        git(&root, &["add", "staged.txt"]);
        let repo = GitRepo::discover(&root).expect("repo");
        assert!(repo.is_tracked(&root.join("staged.txt")));
    }

    #[test]
    fn corrupt_index_is_empty_with_error() {
        let (_tmp, root) = fixture();
        let index = root.join(".git/index");
        let good = fs::read(&index).expect("index");
        let cases: Vec<Vec<u8>> = vec![
            b"garbage".to_vec(),
            good[..good.len() / 2].to_vec(),
            {
                let mut flipped = good.clone();
                let mid = flipped.len() / 2;
                flipped[mid] ^= 0xff;
                flipped
            },
            {
                // Valid header claiming a huge entry count.
                let mut v = b"DIRC".to_vec();
                v.extend_from_slice(&2u32.to_be_bytes());
                v.extend_from_slice(&u32::MAX.to_be_bytes());
                v.extend_from_slice(&[0u8; 20]);
                v
            },
            Vec::new(),
        ];
        for bytes in cases {
            fs::write(&index, &bytes).expect("write");
            let repo = GitRepo::discover(&root).expect("repo");
            assert!(!repo.is_tracked(&root.join("README.md")));
            assert!(repo.index_error().is_some(), "len {}", bytes.len());
            // Ignore rules still work.
            assert!(repo.is_ignored(&root.join("x.env"), false));
        }
    }

    #[test]
    fn linked_worktree_via_git_file() {
        let (tmp, root) = fixture();
        git(&root, &["add", ".gitignore", "a/.gitignore"]);
        git(&root, &["commit", "-q", "-m", "ignores"]);
        let wt = tmp.path().join("wt");
        git(
            &root,
            &[
                "worktree",
                "add",
                "-q",
                wt.to_str().expect("utf8"),
                "-b",
                "side",
            ],
        );
        assert!(wt.join(".git").is_file());
        let repo = GitRepo::discover(&wt.join("src/main.rs")).expect("worktree repo");
        assert_eq!(repo.root(), fs::canonicalize(&wt).expect("canon").as_path());
        assert!(repo.git_dir().ends_with("worktrees/wt"));
        assert_eq!(repo.index_error(), None);
        assert!(repo.is_tracked(&wt.join("src/main.rs")));
        assert!(repo.is_tracked(&wt.join(".gitignore")));
        assert!(repo.is_ignored(&wt.join("secrets/db.txt"), false));
        // info/exclude lives in the common dir.
        assert!(repo.is_ignored(&wt.join("z.local"), false));
    }

    #[test]
    fn relative_gitdir_file() {
        let (tmp, root) = fixture();
        let other = tmp.path().join("other");
        fs::create_dir_all(&other).expect("mkdir");
        fs::write(other.join(".git"), "gitdir: ../repo/.git\n").expect("write");
        let repo = GitRepo::discover(&other).expect("repo");
        assert_eq!(
            repo.root(),
            fs::canonicalize(&other).expect("canon").as_path()
        );
        assert!(repo.is_tracked(&other.join("README.md")));
        assert!(
            !repo.is_tracked(&root.join("README.md")),
            "outside this worktree"
        );
    }

    #[test]
    fn malformed_git_file_is_none() {
        let tmp = tempfile::tempdir().expect("tempdir");
        fs::write(tmp.path().join(".git"), "nonsense").expect("write");
        assert!(GitRepo::discover(tmp.path()).is_none());
        fs::write(tmp.path().join(".git"), "gitdir: ./nowhere").expect("write");
        assert!(GitRepo::discover(tmp.path()).is_none());
    }

    #[test]
    fn sha256_repository() {
        let tmp = tempfile::tempdir().expect("tempdir");
        git(tmp.path(), &["init", "-q", "--object-format=sha256"]);
        write(tmp.path(), "f.txt", "x");
        git(tmp.path(), &["add", "f.txt"]);
        let repo = GitRepo::discover(tmp.path()).expect("repo");
        assert_eq!(repo.index_error(), None);
        assert!(repo.is_tracked(&tmp.path().join("f.txt")));
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_path_to_repo() {
        let (tmp, root) = fixture();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&root, &link).expect("symlink");
        let repo = GitRepo::discover(&root).expect("repo");
        assert!(repo.is_tracked(&link.join("README.md")));
        assert!(repo.is_ignored(&link.join("secrets/missing.txt"), false));
    }

    #[test]
    fn relative_paths_are_taken_from_cwd() {
        let (_tmp, root) = fixture();
        let cwd = std::env::current_dir().expect("cwd");
        let ups = cwd
            .components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .count();
        let mut rel = PathBuf::new();
        for _ in 0..ups {
            rel.push("..");
        }
        rel.push(root.strip_prefix("/").expect("absolute"));
        assert!(rel.is_relative());
        let repo = GitRepo::discover(&rel).expect("repo via relative path");
        assert!(repo.is_tracked(&rel.join("README.md")));
        assert!(repo.is_ignored(&rel.join("secrets/db.txt"), false));
    }

    #[test]
    fn mutated_index_never_panics() {
        let (_tmp, root) = fixture();
        git(&root, &["update-index", "--index-version", "4"]);
        let index = root.join(".git/index");
        let mut good = fs::read(&index).expect("index");
        // A null trailer means "no checksum" (index.skipHash), so the decoder
        // itself sees the mutated bytes.
        let trailer = good.len() - 20;
        good[trailer..].fill(0);
        fs::write(&index, &good).expect("write");
        assert!(
            GitRepo::discover(&root)
                .expect("repo")
                .is_tracked(&root.join("README.md"))
        );
        // Deterministic byte mutations and truncations; checksum verification
        // is skipped, the decoder must reject or survive every one of them.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for round in 0..500 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut bytes = good.clone();
            let at = (seed as usize) % bytes.len();
            if round % 3 == 0 {
                bytes.truncate(at);
            } else {
                bytes[at] = (seed >> 32) as u8;
            }
            fs::write(&index, &bytes).expect("write");
            let repo = GitRepo::discover(&root).expect("repo");
            let _ = repo.is_tracked(&root.join("README.md"));
            if bytes != good {
                let err = repo.index_error().unwrap_or("");
                assert!(!err.contains("panicked"), "round {round}: {err}");
            }
        }
    }

    #[test]
    fn repo_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<GitRepo>();
    }
}
