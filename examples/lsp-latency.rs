//! Latency of `stowaway server`: from `textDocument/didChange` of a compose file to the
//! `publishDiagnostics` that answers it, against a baseline measured in the same run (a
//! `textDocument/hover` round trip, which the server answers without checking anything).
//!
//! ```sh
//! cargo build --release --bin stowaway --example lsp-latency
//! target/release/examples/lsp-latency target/release/stowaway CORPUS CORPUS/g000/p00000/compose.yaml
//! ```
//!
//! The client sets `debounceMs: 0`, so what is measured is the check itself and the
//! protocol around it; an editor adds the debounce (150 ms by default) after the last
//! keystroke. Prints the median and the 90th percentile of 50 edits, each kind alternating.

use std::io::{BufReader, Write};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, bin, root, file] = args.as_slice() else {
        eprintln!("usage: lsp-latency STOWAWAY_BINARY ROOT COMPOSE_FILE");
        std::process::exit(2);
    };
    let mut child = Command::new(bin)
        .arg("server")
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("server starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let incoming = reader(child.stdout.take().expect("stdout"));
    let uri = format!("file://{file}");
    let text = std::fs::read_to_string(file).expect("compose file");

    let started = Instant::now();
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"processId": null, "rootUri": format!("file://{root}"), "capabilities": {},
                   "initializationOptions": {"debounceMs": 0}}}),
    );
    wait(&incoming, |m| m["id"] == 0);
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}}),
    );
    wait(&incoming, |m| {
        m["method"] == "textDocument/publishDiagnostics"
    });
    println!(
        "start -> first diagnostics (the server learns the workspace's projects first): {:.1} ms",
        ms(started.elapsed())
    );

    let (mut change, mut hover) = (Vec::new(), Vec::new());
    for i in 0..50 {
        // A real edit: a password typed into the environment, then taken out again.
        let edited = if i % 2 == 0 {
            text.replacen("services:\n", "services:\n  typed:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: Kq7Wz2Lm9RtX4vPn\n", 1)
        } else {
            text.clone()
        };
        let at = Instant::now();
        send(
            &mut stdin,
            &json!({"jsonrpc": "2.0", "id": 1000 + i, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}}),
        );
        wait(&incoming, |m| m["id"] == 1000 + i);
        hover.push(at.elapsed());
        let at = Instant::now();
        send(
            &mut stdin,
            &json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": i + 2}, "contentChanges": [{"text": edited}]}}),
        );
        wait(&incoming, |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == i + 2
        });
        change.push(at.elapsed());
    }
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 9, "method": "shutdown", "params": null}),
    );
    wait(&incoming, |m| m["id"] == 9);
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "exit", "params": null}),
    );
    let _ = child.wait();
    let report = |name: &str, v: &mut Vec<Duration>| {
        v.sort();
        println!(
            "{name}: median {:.2} ms, p90 {:.2} ms",
            ms(v[v.len() / 2]),
            ms(v[v.len() * 9 / 10])
        );
    };
    report("baseline, hover round trip", &mut hover);
    report("didChange -> publishDiagnostics", &mut change);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn send(stdin: &mut ChildStdin, message: &Value) {
    let body = serde_json::to_vec(message).expect("JSON");
    write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("write");
    stdin.write_all(&body).expect("write");
    stdin.flush().expect("flush");
}

fn reader(stdout: std::process::ChildStdout) -> Receiver<Value> {
    let (send, receive) = channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        while let Ok(Some(message)) = lsp_server::Message::read(&mut reader) {
            let Ok(value) = serde_json::to_value(message) else {
                return;
            };
            if send.send(value).is_err() {
                return;
            }
        }
    });
    receive
}

fn wait(incoming: &Receiver<Value>, wanted: impl Fn(&Value) -> bool) -> Value {
    loop {
        let m = incoming
            .recv_timeout(Duration::from_secs(60))
            .expect("the server answers");
        if wanted(&m) {
            return m;
        }
    }
}
