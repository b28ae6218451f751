//! `stowaway server` driven by a client speaking JSON-RPC over its stdio, as an editor does:
//! initialize, open, change, save and close documents, ask for code actions and hovers,
//! run a fix, shut down. Diagnostics, edits and files written are asserted.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::git;

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Messages read while waiting for another one.
    backlog: Vec<Value>,
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display()).replace(' ', "%20")
}

impl Client {
    fn start(root: &Path) -> Client {
        Client::start_with(root, json!({}))
    }

    fn start_with(root: &Path, capabilities: Value) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stowaway"))
            .arg("server")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("server starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (send, incoming) = channel();
        std::thread::spawn(move || {
            // The framing (`Content-Length` headers) read as lsp-server reads it; the
            // Neovim test checks the wire format with a client of its own.
            let mut reader = BufReader::new(stdout);
            while let Ok(Some(message)) = lsp_server::Message::read(&mut reader) {
                let value = serde_json::to_value(message).expect("JSON");
                if send.send(value).is_err() {
                    return;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            incoming,
            next_id: 0,
            backlog: Vec::new(),
        };
        let init = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": capabilities,
                "initializationOptions": {"debounceMs": 0},
            }),
        );
        assert!(
            init["result"]["capabilities"]["codeActionProvider"]
                .as_bool()
                .unwrap_or(false),
            "{init}"
        );
        client.notify("initialized", json!({}));
        client
    }

    fn write(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("JSON");
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("write");
        self.stdin.write_all(&body).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.write(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request and wait for its response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.write(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == json!(id) && m.get("method").is_none())
    }

    /// The first message (read now or earlier) that `wanted` accepts.
    fn wait(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&wanted) {
            return self.backlog.remove(i);
        }
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(m) if wanted(&m) => return m,
                Ok(m) => self.backlog.push(m),
                Err(RecvTimeoutError::Timeout) => panic!("no such message; got {:?}", self.backlog),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server is gone; got {:?}", self.backlog)
                }
            }
        }
    }

    /// The next diagnostics published for `path`.
    fn diagnostics(&mut self, path: &Path) -> Vec<Value> {
        let want = uri(path);
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == want.as_str()
        });
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn open(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, path: &Path, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "server exit: {status}");
                return;
            }
            assert!(Instant::now() < until, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("p");
    for (path, text) in files {
        let at = root.join(path);
        std::fs::create_dir_all(at.parent().expect("parent")).expect("dir");
        std::fs::write(at, text).expect("write");
    }
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    (tmp, root)
}

const SECRET: &str = "Hq4vN8rT2zW6kP9s";

#[test]
fn diagnostics_follow_the_unsaved_buffer() {
    let clean = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/pw\n    secrets: [pw]\nsecrets:\n  pw:\n    environment: PW\n";
    let (_tmp, root) = project(&[("compose.yaml", clean)]);
    let compose = root.join("compose.yaml");
    let mut client = Client::start(&root);
    client.open(&compose, clean);
    assert_eq!(codes(&client.diagnostics(&compose)), Vec::<String>::new());

    // Typed, not saved: the buffer is checked, not the file on disk.
    let typed = format!(
        "services:\n  db:\n    image: postgres:16 # é😀\n    environment:\n      POSTGRES_PASSWORD: {SECRET} # é😀\n"
    );
    client.change(&compose, 2, &typed);
    let diagnostics = client.diagnostics(&compose);
    assert_eq!(codes(&diagnostics), ["CE001"], "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["range"]["start"], json!({"line": 4, "character": 25}));
    assert_eq!(
        d["range"]["end"],
        json!({"line": 4, "character": 25 + SECRET.len()})
    );
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "stowaway");
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .is_some_and(|h| h.starts_with("https://")),
        "{d}"
    );
    assert!(!d.to_string().contains(SECRET), "a secret in clear: {d}");

    // Hover: the rule's documentation.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&compose)}, "position": {"line": 4, "character": 30}}),
    );
    let text = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        text.contains("CE001 hardcoded-secret-in-environment") && text.contains("Why it matters"),
        "{hover}"
    );
    assert!(!text.contains(SECRET));

    // Closing clears the document's diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&compose)}}),
    );
    assert_eq!(client.diagnostics(&compose), Vec::<Value>::new());
    client.shutdown();
}

#[test]
fn a_change_to_the_compose_file_rechecks_the_dockerfile_it_builds() {
    let dockerfile = "FROM node:22-alpine\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN,required=true npm ci\n";
    let without = "services:\n  api:\n    build: ./api\n";
    let with = "services:\n  api:\n    build:\n      context: ./api\n      secrets: [npm_token]\nsecrets:\n  npm_token:\n    environment: NPM_TOKEN\n";
    let (_tmp, root) = project(&[("compose.yaml", without), ("api/Dockerfile", dockerfile)]);
    let compose = root.join("compose.yaml");
    let docker = root.join("api/Dockerfile");
    let mut client = Client::start(&root);
    client.open(&docker, dockerfile);
    assert_eq!(codes(&client.diagnostics(&docker)), ["XR001"]);
    client.open(&compose, without);
    let _ = client.diagnostics(&compose);
    // The compose buffer now provides the secret: the Dockerfile's XR001 goes.
    client.change(&compose, 2, with);
    loop {
        let now = client.diagnostics(&docker);
        if now.is_empty() {
            break;
        }
        assert_eq!(codes(&now), ["XR001"]);
    }
    client.shutdown();
}

#[test]
fn code_actions_fix_and_ignore() {
    let text = format!(
        "services:\n  web:\n    image: nginx\n    secrets:\n      - source: cert\n        mode: 440\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: {SECRET}\nsecrets:\n  cert:\n    file: ./cert.pem\n"
    );
    let (_tmp, root) = project(&[
        ("compose.yaml", &text),
        ("cert.pem", "x\n"),
        ("gitignore", ""),
    ]);
    std::fs::write(root.join(".gitignore"), "/cert.pem\n").expect("write");
    let compose = root.join("compose.yaml");
    let mut client = Client::start(&root);
    client.open(&compose, &text);
    let diagnostics = client.diagnostics(&compose);
    assert!(
        codes(&diagnostics).contains(&"CS010".to_owned()),
        "{diagnostics:?}"
    );

    // The safe fix of `mode: 440` is an edit at the exact place.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&compose)},
               "range": {"start": {"line": 5, "character": 14}, "end": {"line": 5, "character": 14}},
               "context": {"diagnostics": []}}),
    );
    let list = actions["result"].as_array().cloned().unwrap_or_default();
    let fix = list
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with("CS010")))
        .unwrap_or_else(|| panic!("no CS010 fix in {actions}"));
    let edit = &fix["edit"]["documentChanges"][0];
    assert_eq!(edit["textDocument"]["version"], 1);
    assert_eq!(edit["edits"][0]["newText"], "0");
    assert_eq!(
        edit["edits"][0]["range"]["start"],
        json!({"line": 5, "character": 14})
    );
    let ignore = list
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("CS010: ignore"))
        })
        .unwrap_or_else(|| panic!("no ignore action in {actions}"));
    assert_eq!(
        ignore["edit"]["documentChanges"][0]["edits"][0]["newText"],
        "        # stowaway: ignore[CS010] reason: say why this is not a secret\n"
    );

    // The secret's fix runs on the server: the secret file is written (mode 0600), the
    // edits are sent to the editor.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&compose)},
               "range": {"start": {"line": 9, "character": 26}, "end": {"line": 9, "character": 26}},
               "context": {"diagnostics": []}}),
    );
    let list = actions["result"].as_array().cloned().unwrap_or_default();
    let mv = list
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("CE001: move"))
        })
        .unwrap_or_else(|| panic!("no CE001 fix in {actions}"));
    assert!(!mv.to_string().contains(SECRET));
    let command = &mv["command"];
    let done = client.request(
        "workspace/executeCommand",
        json!({"command": command["command"], "arguments": command["arguments"]}),
    );
    assert!(done.get("error").is_none(), "{done}");
    let apply = client.wait(|m| m["method"] == "workspace/applyEdit");
    let secret_file = root.join("secrets/postgres_password.txt");
    assert_eq!(
        std::fs::read_to_string(&secret_file).expect("secret file"),
        SECRET
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_file)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let edits = apply["params"]["edit"]["documentChanges"][0]["edits"].to_string();
    assert!(
        edits.contains("POSTGRES_PASSWORD_FILE") && edits.contains("postgres_password"),
        "{apply}"
    );
    assert!(!apply.to_string().contains(SECRET));
    client.shutdown();
}

#[cfg(debug_assertions)]
#[test]
fn a_panic_answers_with_an_error_and_the_server_goes_on() {
    let (_tmp, root) = project(&[("compose.yaml", "services:\n  a:\n    image: x\n")]);
    let mut client = Client::start(&root);
    let r = client.request("stowaway/testPanic", Value::Null);
    assert!(
        r["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("panicked")),
        "{r}"
    );
    let compose = root.join("compose.yaml");
    client.open(&compose, "services:\n  a:\n    image: x\n");
    assert_eq!(client.diagnostics(&compose), Vec::<Value>::new());
    client.shutdown();
}

#[test]
fn an_ignore_file_saved_updates_the_findings_that_depend_on_it() {
    let compose = "services:\n  app:\n    build: .\n    secrets: [db_pw]\nsecrets:\n  db_pw:\n    file: ./db_pw.txt\n";
    let dockerfile = "FROM alpine\nCOPY . /app\n";
    let (_tmp, root) = project(&[
        ("compose.yaml", compose),
        ("Dockerfile", dockerfile),
        ("db_pw.txt", "Mw4Xq9Lz2RtK7vPn"),
    ]);
    std::fs::write(root.join(".gitignore"), "/db_pw.txt\n").expect("write");
    let docker = root.join("Dockerfile");
    let mut client = Client::start_with(
        &root,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    // The server asks to hear of the files an editor rarely has open.
    let register = client.wait(|m| m["method"] == "client/registerCapability");
    let watchers =
        register["params"]["registrations"][0]["registerOptions"]["watchers"].to_string();
    assert!(
        watchers.contains("**/.dockerignore") && watchers.contains("db_pw.txt"),
        "{register}"
    );
    client.open(&docker, dockerfile);
    assert_eq!(codes(&client.diagnostics(&docker)), ["XR004"]);
    // The context now leaves the secret file out: the copy no longer takes it.
    let ignore = root.join(".dockerignore");
    std::fs::write(&ignore, "db_pw.txt\n").expect("write");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&ignore), "type": 1}]}),
    );
    assert_eq!(client.diagnostics(&docker), Vec::<Value>::new());
    client.shutdown();
}

#[test]
fn the_configuration_is_honoured_and_reloaded_when_it_changes() {
    let text = format!(
        "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: {SECRET}\n"
    );
    let (_tmp, root) = project(&[("compose.yaml", &text)]);
    let compose = root.join("compose.yaml");
    let config = root.join("stowaway.toml");
    let mut client = Client::start(&root);
    client.open(&compose, &text);
    assert_eq!(codes(&client.diagnostics(&compose)), ["CE001"]);
    std::fs::write(&config, "ignore = [\"CE001\"]\n").expect("write");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 1}]}),
    );
    assert_eq!(client.diagnostics(&compose), Vec::<Value>::new());
    // A configuration that cannot be read is said, not a crash.
    std::fs::write(&config, "ignore = 3\n").expect("write");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    let shown = client.wait(|m| m["method"] == "window/showMessage");
    // It names the file and what is wrong there.
    let message = shown["params"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("configuration")
            && message.contains("stowaway.toml")
            && message.contains("ignore"),
        "{shown}"
    );
    client.shutdown();
}

#[test]
fn a_buffer_over_the_size_limit_is_an_error_not_a_hang() {
    let (_tmp, root) = project(&[("compose.yaml", "services:\n  a:\n    image: x\n")]);
    let compose = root.join("compose.yaml");
    let mut client = Client::start(&root);
    let huge = format!(
        "services:\n  a:\n    image: x\n#{}\n",
        "x".repeat(9 * 1024 * 1024)
    );
    client.open(&compose, &huge);
    let diagnostics = client.diagnostics(&compose);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("MiB limit")),
        "{diagnostics:?}"
    );
    client.shutdown();
}
