//! `stowaway server` with a real LSP client: Neovim's built-in client, headless, opens a
//! compose file and reads back the diagnostics it received. Skipped (and said so) where
//! `nvim` is not installed; `.ci/run` installs it and then requires this test to run
//! (`STOWAWAY_NVIM_REQUIRED`).

use std::process::Command;

mod common;
use common::git;

/// The client script: Neovim 0.7's API (`vim.lsp.start_client`), which later versions keep.
const SCRIPT: &str = r#"
local root = vim.fn.getcwd()
local id = vim.lsp.start_client({
  name = 'stowaway',
  cmd = { os.getenv('STOWAWAY_BIN'), 'server' },
  root_dir = root,
  init_options = { debounceMs = 0 },
})
vim.cmd('edit ' .. root .. '/compose.yaml')
vim.lsp.buf_attach_client(0, id)
vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = d.code
  if code == nil and d.user_data and d.user_data.lsp then code = d.user_data.lsp.code end
  table.insert(out, string.format('%s %d:%d severity=%d %s', tostring(code), d.lnum, d.col, d.severity, d.message))
end
vim.fn.writefile(out, root .. '/diagnostics.txt')
vim.lsp.stop_client(id)
vim.wait(2000, function() return vim.lsp.client_is_stopped(id) end, 50)
vim.cmd('qa!')
"#;

#[test]
fn neovim_shows_the_diagnostics() {
    if Command::new("nvim").arg("--version").output().is_err() {
        if std::env::var_os("STOWAWAY_NVIM_REQUIRED").is_some() {
            panic!("STOWAWAY_NVIM_REQUIRED is set but nvim cannot be run");
        }
        eprintln!(
            "SKIPPED: nvim is not installed (apt-get install neovim); the Neovim client test did not run"
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("p");
    std::fs::create_dir_all(&root).expect("dir");
    std::fs::write(
        root.join("compose.yaml"),
        "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: Hq4vN8rT2zW6kP9s\n",
    )
    .expect("write");
    std::fs::write(root.join("client.lua"), SCRIPT).expect("write");
    git(&root, &["init", "-q"]);
    git(&root, &["add", "compose.yaml"]);
    let status = Command::new("nvim")
        .args([
            "--headless",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-n",
            "-c",
            "luafile client.lua",
        ])
        .current_dir(&root)
        .env("STOWAWAY_BIN", env!("CARGO_BIN_EXE_stowaway"))
        .env("HOME", tmp.path())
        .env("XDG_STATE_HOME", tmp.path().join("state"))
        .env("XDG_CACHE_HOME", tmp.path().join("cache"))
        .status()
        .expect("nvim runs");
    assert!(status.success(), "nvim: {status}");
    let got = std::fs::read_to_string(root.join("diagnostics.txt")).expect("diagnostics.txt");
    eprintln!("neovim received: {got}");
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(lines.len(), 1, "{got}");
    assert!(
        lines[0].starts_with("CE001 4:25 severity=1 `POSTGRES_PASSWORD` (password) is hardcoded"),
        "{got}"
    );
    assert!(
        !got.contains("Hq4vN8rT2zW6kP9s"),
        "a secret in clear: {got}"
    );
}
