//! `stowaway server`: a language server over stdio.
//!
//! It checks compose files, Dockerfiles, env files and scripts as `stowaway check` does,
//! with the editor's unsaved buffers in place of the files on disk, and publishes the
//! findings of every open document as diagnostics. It works project by project: at start
//! it learns which files each compose project of the workspace reads ([`Units`]); a change
//! to one file re-checks only the projects that read it (a Dockerfile: the projects
//! building it; a `.gitignore`, `.dockerignore` or configuration file: the projects below
//! it), and publishes the new diagnostics of the open documents among their files.
//!
//! Code actions offer each finding's fix (text edits; a fix that also creates a secret
//! file runs on the server, with the checks `--fix` makes) and an `# stowaway: ignore`
//! comment; a hover on a finding shows its rule's documentation. A request that panics is
//! answered with an error; the server goes on.

pub mod convert;
pub mod units;
pub mod uri;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, Command, Diagnostic, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, DocumentChangeOperation, DocumentChanges, ExecuteCommandOptions,
    ExecuteCommandParams, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeParams, MarkupContent, MarkupKind, MessageType, OneOf,
    OptionalVersionedTextDocumentIdentifier, Position, PublishDiagnosticsParams, Range,
    SaveOptions, ServerCapabilities, ShowMessageParams, TextDocumentEdit,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, WorkspaceEdit,
};

use crate::finding::Applicability;
use convert::Shown;
use units::Units;

/// The command a code action runs for a fix that writes files besides its edits.
pub const APPLY_FIX: &str = "stowaway.applyFix";

/// At most this many secret files are watched by path.
const MAX_WATCHED_SECRET_FILES: usize = 1000;

/// How long after the last keystroke a changed buffer is checked, unless the client asks
/// for another delay (`initializationOptions: {"debounceMs": N}`).
const DEBOUNCE: Duration = Duration::from_millis(150);

/// Run the server on stdio until the client says `exit`; the exit code.
pub fn run() -> u8 {
    let (connection, io_threads) = Connection::stdio();
    let code = match serve(&connection) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("stowaway server: {e}");
            1
        }
    };
    drop(connection);
    let _ = io_threads.join();
    code
}

/// Serve one client on `connection` (stdio, or in-memory in tests).
pub fn serve(connection: &Connection) -> Result<(), String> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![APPLY_FIX.into()],
            ..ExecuteCommandOptions::default()
        }),
        ..ServerCapabilities::default()
    };
    let capabilities = serde_json::to_value(capabilities).map_err(|e| e.to_string())?;
    let params = connection
        .initialize(capabilities)
        .map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    let mut server = Server::new(&params, connection.sender.clone());
    server.watch(&params);
    server.main_loop(connection)
}

/// An open document.
struct Doc {
    version: i32,
    text: String,
}

struct Server {
    root: PathBuf,
    sender: crossbeam_channel::Sender<Message>,
    docs: HashMap<PathBuf, Doc>,
    units: Units,
    /// What was last published for each open document.
    shown: HashMap<PathBuf, Vec<Shown>>,
    /// Files changed since the last check, and when to check them.
    pending: BTreeSet<PathBuf>,
    deadline: Option<Instant>,
    debounce: Duration,
    next_id: i32,
}

impl Server {
    fn new(params: &InitializeParams, sender: crossbeam_channel::Sender<Message>) -> Server {
        #[allow(deprecated)]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .and_then(|f| uri::to_path(&f.uri))
            .or_else(|| params.root_uri.as_ref().and_then(uri::to_path))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("/"));
        let debounce = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("debounceMs"))
            .and_then(serde_json::Value::as_u64)
            .map_or(DEBOUNCE, Duration::from_millis);
        let units = Units::learn(&root);
        Server {
            root,
            sender,
            docs: HashMap::new(),
            units,
            shown: HashMap::new(),
            pending: BTreeSet::new(),
            deadline: None,
            debounce,
            next_id: 0,
        }
    }

    /// Ask the client to tell of changes to the files a check depends on but an editor
    /// rarely has open (ignore files, the configuration, secret files), when it can.
    fn watch(&mut self, params: &InitializeParams) {
        let dynamic = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        if !dynamic {
            return;
        }
        let mut globs: Vec<String> = [
            "**/.gitignore",
            "**/.dockerignore",
            "**/*.dockerignore",
            "**/stowaway.toml",
            "**/.stowaway.toml",
            "**/.env",
            "**/*compose*.{yml,yaml}",
            "**/{Dockerfile,Containerfile}",
        ]
        .iter()
        .map(|g| (*g).to_owned())
        .collect();
        // Secret files by their paths, a bounded number of them.
        globs.extend(
            self.units
                .secret_files()
                .iter()
                .take(MAX_WATCHED_SECRET_FILES)
                .map(|p| p.to_string_lossy().replace('\\', "/")),
        );
        let options = lsp_types::DidChangeWatchedFilesRegistrationOptions {
            watchers: globs
                .into_iter()
                .map(|g| lsp_types::FileSystemWatcher {
                    glob_pattern: lsp_types::GlobPattern::String(g),
                    kind: None,
                })
                .collect(),
        };
        let Ok(options) = serde_json::to_value(options) else {
            return;
        };
        self.next_id += 1;
        let request = Request::new(
            RequestId::from(format!("stowaway-{}", self.next_id)),
            lsp_types::request::RegisterCapability::METHOD.into(),
            lsp_types::RegistrationParams {
                registrations: vec![lsp_types::Registration {
                    id: "stowaway-watched-files".into(),
                    method: lsp_types::notification::DidChangeWatchedFiles::METHOD.into(),
                    register_options: Some(options),
                }],
            },
        );
        self.send(request.into());
    }

    fn main_loop(&mut self, connection: &Connection) -> Result<(), String> {
        loop {
            let message = match self.deadline {
                Some(at) => {
                    let wait = at.saturating_duration_since(Instant::now());
                    match connection.receiver.recv_timeout(wait) {
                        Ok(m) => Some(m),
                        Err(crossbeam_channel::RecvTimeoutError::Timeout) => None,
                        Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return Ok(()),
                    }
                }
                None => match connection.receiver.recv() {
                    Ok(m) => Some(m),
                    Err(_) => return Ok(()),
                },
            };
            let Some(message) = message else {
                self.guarded("checking", |s| s.flush());
                continue;
            };
            match message {
                Message::Request(req) => {
                    if connection
                        .handle_shutdown(&req)
                        .map_err(|e| e.to_string())?
                    {
                        return Ok(());
                    }
                    self.request(req);
                }
                Message::Notification(n) => {
                    let method = n.method.clone();
                    self.guarded(&method, |s| s.notification(n));
                }
                Message::Response(_) => {}
            }
        }
    }

    /// Run `work`; a panic in it is reported to the client and the server goes on.
    fn guarded(&mut self, what: &str, work: impl FnOnce(&mut Server)) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(self)));
        if let Err(panic) = outcome {
            let why = panic_message(&panic);
            self.show(
                MessageType::ERROR,
                format!("stowaway: internal error while {what}: {why} (please report it)"),
            );
        }
    }

    fn request(&mut self, req: Request) {
        let id = req.id.clone();
        let method = req.method.clone();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.answer(req)));
        let response = match outcome {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(panic) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!(
                    "stowaway panicked answering {method}: {} (please report it)",
                    panic_message(&panic)
                ),
            ),
        };
        self.send(response.into());
    }

    fn answer(&mut self, req: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        let bad = |e: serde_json::Error| (ErrorCode::InvalidParams, e.to_string());
        let json = |v: serde_json::Result<serde_json::Value>| {
            v.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match req.method.as_str() {
            lsp_types::request::CodeActionRequest::METHOD => {
                let params: CodeActionParams = serde_json::from_value(req.params).map_err(bad)?;
                json(serde_json::to_value(self.code_actions(&params)))
            }
            lsp_types::request::HoverRequest::METHOD => {
                let params: HoverParams = serde_json::from_value(req.params).map_err(bad)?;
                json(serde_json::to_value(self.hover(&params)))
            }
            lsp_types::request::ExecuteCommand::METHOD => {
                let params: ExecuteCommandParams =
                    serde_json::from_value(req.params).map_err(bad)?;
                self.execute(&params)
                    .map(|()| serde_json::Value::Null)
                    .map_err(|e| (ErrorCode::RequestFailed, e))
            }
            // The test suite's way to check that a panic does not take the editor down.
            #[cfg(debug_assertions)]
            "stowaway/testPanic" => panic!("the test suite asked for a panic"),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("stowaway does not answer {}", req.method),
            )),
        }
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            lsp_types::notification::DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else {
                    return;
                };
                if let Some(path) = uri::to_path(&p.text_document.uri) {
                    self.docs.insert(
                        path.clone(),
                        Doc {
                            version: p.text_document.version,
                            text: p.text_document.text,
                        },
                    );
                    self.changed(path, Duration::ZERO);
                }
            }
            lsp_types::notification::DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else {
                    return;
                };
                let Some(path) = uri::to_path(&p.text_document.uri) else {
                    return;
                };
                // Full sync: the last change holds the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    self.docs.insert(
                        path.clone(),
                        Doc {
                            version: p.text_document.version,
                            text: change.text,
                        },
                    );
                    self.changed(path, self.debounce);
                }
            }
            lsp_types::notification::DidSaveTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(n.params) else {
                    return;
                };
                if let Some(path) = uri::to_path(&p.text_document.uri) {
                    self.changed(path, Duration::ZERO);
                }
            }
            lsp_types::notification::DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else {
                    return;
                };
                if let Some(path) = uri::to_path(&p.text_document.uri) {
                    self.docs.remove(&path);
                    self.shown.remove(&path);
                    self.publish(&path, Vec::new(), None);
                    // Its unsaved text no longer stands in for the file on disk.
                    self.changed(path, Duration::ZERO);
                }
            }
            lsp_types::notification::DidChangeWatchedFiles::METHOD => {
                let Ok(p) = serde_json::from_value::<DidChangeWatchedFilesParams>(n.params) else {
                    return;
                };
                for change in p.changes {
                    if let Some(path) = uri::to_path(&change.uri) {
                        self.changed(path, Duration::ZERO);
                    }
                }
            }
            _ => {}
        }
    }

    /// Note that `path` changed; check it after `delay` (or sooner, with other changes).
    fn changed(&mut self, path: PathBuf, delay: Duration) {
        self.pending.insert(path);
        let at = Instant::now() + delay;
        self.deadline = Some(self.deadline.map_or(at, |d| d.min(at)));
        if delay.is_zero() {
            self.flush();
        }
    }

    /// Check the projects the pending changes affect and publish their open documents.
    fn flush(&mut self) {
        self.deadline = None;
        let changed = std::mem::take(&mut self.pending);
        if changed.is_empty() {
            return;
        }
        let (files, unit_ids) = self.units.affected(&changed);
        let overlay = self.overlay();
        let (mut analysis, findings) =
            match crate::cli::check_in_memory(&self.root, &files, &overlay) {
                Ok(checked) => checked,
                Err(e) => {
                    self.show(MessageType::ERROR, format!("stowaway: {e}"));
                    return;
                }
            };
        // Which documents this check speaks for: the open ones among its files.
        let open: Vec<PathBuf> = self
            .docs
            .keys()
            .filter(|d| files.contains(d) || changed.contains(*d))
            .cloned()
            .collect();
        let mut per_doc: HashMap<PathBuf, (Vec<Diagnostic>, Vec<Shown>)> = open
            .iter()
            .map(|d| (d.clone(), (Vec::new(), Vec::new())))
            .collect();
        for f in &findings {
            let path = &analysis.ws.files.get(f.file).path;
            if let Some((diagnostics, shown)) = per_doc.get_mut(path) {
                let (d, s) = convert::finding(&analysis, f);
                diagnostics.push(d);
                shown.push(s);
            }
        }
        // Files that could not be read or parsed: one diagnostic at the top (or the place).
        for e in &analysis.ws.errors {
            let path = self.root.join(&e.path);
            let path = crate::workspace::normalize(&path);
            if let Some((diagnostics, _)) = per_doc.get_mut(&path) {
                let (line, column) = e.position.unwrap_or((1, 1));
                let at = Position {
                    line: u32::try_from(line.saturating_sub(1)).unwrap_or(0),
                    character: u32::try_from(column.saturating_sub(1)).unwrap_or(0),
                };
                diagnostics.push(Diagnostic {
                    range: Range { start: at, end: at },
                    severity: Some(lsp_types::DiagnosticSeverity::ERROR),
                    source: Some("stowaway".into()),
                    message: e.message.clone(),
                    ..Diagnostic::default()
                });
            }
        }
        for (path, (diagnostics, shown)) in per_doc {
            let version = self.docs.get(&path).map(|d| d.version);
            self.shown.insert(path.clone(), shown);
            self.publish(&path, diagnostics, version);
        }
        let learned = analysis.project_files();
        self.units.relearn(&unit_ids, learned);
    }

    /// The open documents' texts, standing in for the files on disk.
    fn overlay(&self) -> crate::fix::Overlay {
        crate::fix::Overlay {
            texts: self
                .docs
                .iter()
                .map(|(p, d)| (p.clone(), d.text.clone()))
                .collect(),
            writes: Vec::new(),
        }
    }

    fn publish(&self, path: &Path, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let Some(uri) = uri::from_path(path) else {
            return;
        };
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(
            Notification::new(
                lsp_types::notification::PublishDiagnostics::METHOD.into(),
                params,
            )
            .into(),
        );
    }

    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let Some(path) = uri::to_path(&params.text_document.uri) else {
            return Vec::new();
        };
        let Some(shown) = self.shown.get(&path) else {
            return Vec::new();
        };
        let wanted = params.range;
        let mut out = Vec::new();
        for s in shown.iter().filter(|s| overlaps(s.range, wanted)) {
            if let Some(fix) = &s.fix {
                let unsafe_note = match fix.applicability {
                    Applicability::Safe => "",
                    Applicability::Unsafe => " (unsafe: review it)",
                };
                let title = format!("{}: {}{unsafe_note}", s.code, fix.title);
                let action = if fix.writes {
                    CodeAction {
                        title: title.clone(),
                        kind: Some(CodeActionKind::QUICKFIX),
                        command: Some(Command {
                            title,
                            command: APPLY_FIX.into(),
                            arguments: Some(vec![
                                serde_json::Value::String(path.to_string_lossy().into_owned()),
                                serde_json::Value::String(s.key.clone()),
                            ]),
                        }),
                        ..CodeAction::default()
                    }
                } else {
                    CodeAction {
                        title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        edit: Some(self.workspace_edit(&fix.edits)),
                        is_preferred: Some(fix.applicability == Applicability::Safe),
                        ..CodeAction::default()
                    }
                };
                out.push(CodeActionOrCommand::CodeAction(action));
            }
            if let Some((at, comment)) = &s.ignore {
                let edit = self.workspace_edit(&[(
                    path.clone(),
                    Range {
                        start: *at,
                        end: *at,
                    },
                    comment.clone(),
                )]);
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("{}: ignore here, with a comment saying why", s.code),
                    kind: Some(CodeActionKind::QUICKFIX),
                    edit: Some(edit),
                    ..CodeAction::default()
                }));
            }
        }
        out
    }

    /// Text edits as a workspace edit, each file's versioned when it is open (an editor
    /// then refuses edits made for an older text).
    fn workspace_edit(&self, edits: &[(PathBuf, Range, String)]) -> WorkspaceEdit {
        let mut by_file: Vec<(PathBuf, Vec<TextEdit>)> = Vec::new();
        for (path, range, text) in edits {
            let edit = TextEdit {
                range: *range,
                new_text: text.clone(),
            };
            match by_file.iter_mut().find(|(p, _)| p == path) {
                Some((_, list)) => list.push(edit),
                None => by_file.push((path.clone(), vec![edit])),
            }
        }
        let changes = by_file
            .into_iter()
            .filter_map(|(path, edits)| {
                Some(DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: uri::from_path(&path)?,
                        version: self.docs.get(&path).map(|d| d.version),
                    },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                }))
            })
            .collect();
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(changes)),
            ..WorkspaceEdit::default()
        }
    }

    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let at = &params.text_document_position_params;
        let path = uri::to_path(&at.text_document.uri)?;
        let shown = self.shown.get(&path)?;
        let s = shown.iter().find(|s| contains(s.range, at.position))?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: convert::hover_markdown(s),
            }),
            range: Some(s.range),
        })
    }

    /// `stowaway.applyFix PATH KEY`: plan the fix as `--fix` does (refused with the reason
    /// when it would break the project), write its files, and ask the editor to make its
    /// edits.
    fn execute(&mut self, params: &ExecuteCommandParams) -> Result<(), String> {
        if params.command != APPLY_FIX {
            return Err(format!("unknown command {}", params.command));
        }
        let arg = |i: usize| {
            params
                .arguments
                .get(i)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        let (Some(path), Some(key)) = (arg(0), arg(1)) else {
            return Err(format!("{APPLY_FIX} takes a path and a finding key"));
        };
        let path = PathBuf::from(path);
        let (files, _) = self.units.affected(&BTreeSet::from([path.clone()]));
        let overlay = self.overlay();
        let plan = crate::cli::plan_one_fix(&self.root, &files, &overlay, &key)
            .ok_or("the project could not be checked")?;
        if let Some(r) = plan.refused.first() {
            return Err(format!("not fixed: {}", r.reason));
        }
        if plan.applied.is_empty() {
            return Err("that finding has no fix to apply any more".into());
        }
        crate::fix::write::write_files(&plan)
            .map_err(|e| format!("cannot write {}: {}", e.path.display(), e.message))?;
        let mut edits = Vec::new();
        for (file, new) in &plan.overlay.texts {
            let Some(old) = plan.originals.get(file) else {
                continue;
            };
            if let Some((range, text)) = smallest_edit(old, new) {
                edits.push((file.clone(), range, text));
            }
        }
        let edit = self.workspace_edit(&edits);
        self.next_id += 1;
        let request = Request::new(
            RequestId::from(format!("stowaway-{}", self.next_id)),
            lsp_types::request::ApplyWorkspaceEdit::METHOD.into(),
            lsp_types::ApplyWorkspaceEditParams {
                label: plan.applied.first().map(|a| a.title.clone()),
                edit,
            },
        );
        self.send(request.into());
        Ok(())
    }

    fn show(&self, typ: MessageType, message: String) {
        self.send(
            Notification::new(
                lsp_types::notification::ShowMessage::METHOD.into(),
                ShowMessageParams { typ, message },
            )
            .into(),
        );
    }

    fn send(&self, message: Message) {
        // The client is gone when this fails: the main loop ends on its own.
        let _ = self.sender.send(message);
    }
}

/// The one edit turning `old` into `new`: the part between their common start and end.
fn smallest_edit(old: &str, new: &str) -> Option<(Range, String)> {
    if old == new {
        return None;
    }
    let mut start = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
        start -= 1;
    }
    let max_tail = old.len().min(new.len()) - start;
    let mut tail = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_tail)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - tail) || !new.is_char_boundary(new.len() - tail) {
        tail -= 1;
    }
    let file = crate::source::SourceFile::new(String::new(), PathBuf::new(), old.to_owned());
    let range = Range {
        start: convert::position(&file, start),
        end: convert::position(&file, old.len() - tail),
    };
    Some((range, new[start..new.len() - tail].to_owned()))
}

fn overlaps(a: Range, b: Range) -> bool {
    let key = |p: Position| (p.line, p.character);
    key(a.start) <= key(b.end) && key(b.start) <= key(a.end)
}

fn contains(r: Range, p: Position) -> bool {
    let key = |p: Position| (p.line, p.character);
    key(r.start) <= key(p) && key(p) <= key(r.end)
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_edit_covers_only_what_changed() {
        let (range, text) =
            smallest_edit("a: 1\nb: 2\nc: 3\n", "a: 1\nb: 22\nc: 3\n").expect("edit");
        assert_eq!((range.start.line, range.start.character), (1, 4));
        assert_eq!((range.end.line, range.end.character), (1, 4));
        assert_eq!(text, "2");
        assert!(smallest_edit("x", "x").is_none());
        let (range, text) = smallest_edit("é", "è").expect("edit");
        assert_eq!(
            (range.start.character, range.end.character, text.as_str()),
            (0, 1, "è")
        );
    }
}
