//! Paths written in compose files: interpolation from the project's `.env`, `~`, and
//! resolution against the right folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::interpolate;
use crate::workspace::{Workspace, normalize};

/// Variables of the project's `.env` file (empty when there is none).
pub fn dotenv_for(ws: &mut Workspace, dir: &Path) -> HashMap<String, String> {
    env_file_variables(ws, &dir.join(".env"))
}

/// The variables an env file sets, the last of a name winning (empty when the file is not
/// there or cannot be read).
pub fn env_file_variables(ws: &mut Workspace, path: &Path) -> HashMap<String, String> {
    if !path.is_file() {
        return HashMap::new();
    }
    let Some(id) = ws.load(path) else {
        return HashMap::new();
    };
    let (entries, _) = crate::envfile::parse(&ws.files.get(id).text);
    entries
        .into_iter()
        .filter_map(|e| Some((e.key, e.value?)))
        .collect()
}

/// Why a path could not be resolved.
#[derive(Debug, Clone)]
pub struct Unresolvable {
    pub variable: String,
}

/// Resolve a path written in a compose file: interpolate variables from `env` (with
/// `${VAR:-default}` defaults), expand `~`, and join relative paths to `dir`.
pub fn resolve_path(
    dir: &Path,
    raw: &str,
    env: &HashMap<String, String>,
) -> Result<PathBuf, Unresolvable> {
    let lookup = |name: &str| env.get(name).cloned();
    let text = interpolate::resolve(raw, &lookup).map_err(|u| Unresolvable { variable: u.name })?;
    let expanded = if let Some(rest) = text.strip_prefix("~/") {
        match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(rest),
            None => PathBuf::from(&text),
        }
    } else {
        PathBuf::from(&text)
    };
    Ok(normalize(&dir.join(expanded)))
}

/// Context folder and Dockerfile of a build, as Compose resolves them: the context against
/// the compose file's folder, `dockerfile:` against the context. `None` for remote
/// contexts (git URLs) and unresolvable paths.
pub fn build_paths(build: &super::Build, project: &super::Project) -> Option<(PathBuf, PathBuf)> {
    let raw = build.context.as_ref().map_or(".", |c| c.value.as_str());
    if raw.contains("://") || raw.starts_with("git@") {
        return None;
    }
    let context = resolve_path(&build.dir, raw, &project.dotenv).ok()?;
    let name = build
        .dockerfile
        .as_ref()
        .map_or("Dockerfile", |d| d.value.as_str());
    let dockerfile = resolve_path(&context, name, &project.dotenv).ok()?;
    Some((context, dockerfile))
}
