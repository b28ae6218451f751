//! The compose model: what each service, secret and config of a project says, each value
//! with the file and span where it is written.

use std::path::PathBuf;

use crate::source::{FileId, Span};
use crate::yaml::{Node, Style};

/// A string value and where it is written.
#[derive(Debug, Clone)]
pub struct Spanned {
    pub value: String,
    pub span: Span,
}

impl Spanned {
    pub fn of(node: &Node) -> Option<Spanned> {
        Some(Spanned {
            value: node.as_str()?.to_owned(),
            span: node.span,
        })
    }
}

/// How a compose file joined its project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The first file: its folder is the project directory.
    Base,
    /// A later file merged over the base (`compose.override.yaml`, `docker-compose.prod.yml`).
    Overlay,
    /// Brought in by `include:`.
    Included,
    /// Read for `extends: {file: ...}`: only the extended services come from it.
    Extended,
}

#[derive(Debug, Clone)]
pub struct ComposeFile {
    pub file: FileId,
    /// Folder against which this file's relative paths resolve.
    pub dir: PathBuf,
    pub role: Role,
    pub root: std::sync::Arc<Node>,
    /// Variables of the `env_file:` of the `include:` entry that brought the file in: they
    /// fill in what the project's `.env` leaves unset when the file is interpolated.
    pub include_variables: std::collections::HashMap<String, String>,
}

/// One entry of a service's `secrets:` or `build.secrets:` list.
#[derive(Debug, Clone)]
pub struct SecretRef {
    pub file: FileId,
    /// The whole list entry.
    pub span: Span,
    /// `source` (long syntax) or the entry itself (short syntax).
    pub source: Option<Spanned>,
    /// The long-syntax mapping, `None` for the short syntax.
    pub long: Option<Node>,
    pub target: Option<Spanned>,
    pub uid: Option<Node>,
    pub gid: Option<Node>,
    pub mode: Option<Node>,
    /// Keys of the long syntax that Compose does not know.
    pub unknown_keys: Vec<Spanned>,
    /// `true` for `build.secrets`.
    pub build: bool,
}

impl SecretRef {
    /// The name the secret is reachable by: for runtime secrets the file name under
    /// `/run/secrets/` (or the absolute target), for build secrets the id a
    /// `RUN --mount=type=secret,id=...` asks for.
    pub fn target_name(&self) -> Option<&str> {
        self.target
            .as_ref()
            .map(|t| t.value.as_str())
            .or(self.source.as_ref().map(|s| s.value.as_str()))
    }

    /// Absolute path of the secret inside a (Linux) container.
    pub fn mount_path(&self) -> Option<String> {
        let t = self.target_name()?;
        Some(if t.starts_with('/') {
            t.to_owned()
        } else {
            format!("/run/secrets/{t}")
        })
    }
}

/// One `environment:` entry, map form (`KEY: value`) or list form (`- KEY=value`).
#[derive(Debug, Clone)]
pub struct EnvVar {
    pub file: FileId,
    pub name: String,
    pub name_span: Span,
    /// `None` for `KEY:` with no value or `- KEY` (taken from the shell).
    pub value: Option<String>,
    /// Where the value is written (for the list form, the part after `=`).
    pub value_span: Option<Span>,
    /// The YAML node holding the value (map form) or the whole entry (list form).
    pub node: Node,
    pub list_form: bool,
}

/// One `env_file:` entry.
#[derive(Debug, Clone)]
pub struct EnvFileRef {
    pub file: FileId,
    pub path: Spanned,
    pub required: bool,
    /// Folder the path resolves against.
    pub dir: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Build {
    pub file: FileId,
    pub dir: PathBuf,
    pub span: Span,
    /// `build: ./dir` or `build: {context: ...}`; `.` when absent.
    pub context: Option<Spanned>,
    pub dockerfile: Option<Spanned>,
    pub dockerfile_inline: Option<Spanned>,
    pub args: Vec<EnvVar>,
    pub secrets: Vec<SecretRef>,
    pub node: Node,
}

/// What one file says about one service.
#[derive(Debug, Clone)]
pub struct ServicePart {
    pub file: FileId,
    pub dir: PathBuf,
    pub name_span: Span,
    pub node: Node,
    pub image: Option<Spanned>,
    pub build: Option<Build>,
    pub secrets: Vec<SecretRef>,
    pub environment: Vec<EnvVar>,
    pub env_files: Vec<EnvFileRef>,
    /// Whether this part came through `extends:` from another service.
    pub extended: bool,
}

impl ServicePart {
    /// `command`, `entrypoint`, `healthcheck.test` nodes, for the command rules.
    pub fn command_nodes(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        for key in ["command", "entrypoint"] {
            if let Some(n) = self.node.get(key) {
                out.push(n);
            }
        }
        if let Some(t) = self.node.get("healthcheck").and_then(|h| h.get("test")) {
            out.push(t);
        }
        out
    }
}

/// A service with every part the project's files write about it, in merge order.
#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub parts: Vec<ServicePart>,
}

impl Service {
    /// The parts that still count for `key` once merged: a later file's `!reset` or
    /// `!override` tag on that key discards what earlier files said.
    pub fn parts_for(&self, key: &str) -> &[ServicePart] {
        let start = self
            .parts
            .iter()
            .rposition(|p| {
                p.node
                    .get(key)
                    .is_some_and(|n| matches!(n.tag.as_deref(), Some("!reset" | "!override")))
            })
            .unwrap_or(0);
        &self.parts[start..]
    }
    /// Every runtime `secrets:` entry the files write for the service (after `!reset` /
    /// `!override`), for the rules that look at how each entry is written.
    /// [`Service::granted_secrets`] gives the grants as Compose merges them.
    pub fn secrets(&self) -> impl Iterator<Item = &SecretRef> {
        self.parts_for("secrets")
            .iter()
            .flat_map(|p| p.secrets.iter())
    }
    /// The runtime grants as Compose merges the files: one per mount target (the
    /// `target` as written, else `/run/secrets/<source>`), a later file's entry replacing
    /// an earlier one in its place. (`build.secrets` entries are appended, never merged.)
    pub fn granted_secrets(&self) -> Vec<&SecretRef> {
        let key = |r: &SecretRef| match (&r.target, &r.source) {
            (Some(t), _) => Some(t.value.clone()),
            (None, Some(s)) => Some(format!("/run/secrets/{}", s.value)),
            (None, None) => None,
        };
        let mut out: Vec<&SecretRef> = Vec::new();
        for r in self.secrets() {
            let k = key(r);
            match out.iter_mut().find(|o| k.is_some() && key(o) == k) {
                Some(slot) => *slot = r,
                None => out.push(r),
            }
        }
        out
    }
    pub fn build_secrets(&self) -> impl Iterator<Item = &SecretRef> {
        self.parts_for("build")
            .iter()
            .filter_map(|p| p.build.as_ref())
            .flat_map(|b| b.secrets.iter())
    }
    pub fn environment(&self) -> impl Iterator<Item = &EnvVar> {
        self.parts_for("environment")
            .iter()
            .flat_map(|p| p.environment.iter())
    }
    /// The environment as Compose merges it: one entry per variable, the last file's
    /// definition (in the place of the first). [`Service::environment`] gives every
    /// definition, for the rules that look at what each file writes.
    pub fn effective_environment(&self) -> Vec<&EnvVar> {
        let mut out: Vec<&EnvVar> = Vec::new();
        let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for var in self.environment() {
            match at.get(var.name.as_str()) {
                Some(&i) => out[i] = var,
                None => {
                    at.insert(&var.name, out.len());
                    out.push(var);
                }
            }
        }
        out
    }
    /// The image as finally merged (the last part that sets it).
    pub fn image(&self) -> Option<&Spanned> {
        self.parts.iter().rev().find_map(|p| p.image.as_ref())
    }
    /// A key of the long-form `build:` as merged: the last part's that sets it.
    pub fn build_key(&self, key: &str) -> Option<Node> {
        self.parts_for("build")
            .iter()
            .rev()
            .find_map(|p| p.build.as_ref()?.node.get(key).cloned())
    }

    /// The build as Compose merges it: each of `context`, `dockerfile` and
    /// `dockerfile_inline` from the last part that sets it, `args` by name (the later
    /// value wins, in the earlier place), `secrets` appended. An override that only adds
    /// `build.args` keeps the base file's context. The site (`file`, `span`, `node`,
    /// `dir`) is that of the part that sets the context, else of the first part.
    pub fn build(&self) -> Option<Build> {
        let mut parts = self
            .parts_for("build")
            .iter()
            .filter_map(|p| p.build.as_ref());
        let mut merged = parts.next()?.clone();
        for b in parts {
            if b.context.is_some() {
                merged.context = b.context.clone();
                merged.file = b.file;
                merged.dir = b.dir.clone();
                merged.span = b.span;
                merged.node = b.node.clone();
            }
            if b.dockerfile.is_some() {
                merged.dockerfile = b.dockerfile.clone();
            }
            if b.dockerfile_inline.is_some() {
                merged.dockerfile_inline = b.dockerfile_inline.clone();
            }
            for arg in &b.args {
                match merged.args.iter_mut().find(|a| a.name == arg.name) {
                    Some(a) => *a = arg.clone(),
                    None => merged.args.push(arg.clone()),
                }
            }
            merged.secrets.extend(b.secrets.iter().cloned());
        }
        Some(merged)
    }
}

/// A top-level `secrets:` (or `configs:`) definition.
#[derive(Debug, Clone)]
pub struct SecretDef {
    pub name: String,
    pub name_span: Span,
    pub file: FileId,
    pub dir: PathBuf,
    /// The definition's mapping (may be null or malformed: rules check).
    pub node: Node,
    pub source_file: Option<Spanned>,
    pub environment: Option<Spanned>,
    pub content: Option<Spanned>,
    /// `external: true` or `external: {name: ...}` (legacy).
    pub external: Option<Span>,
}

impl SecretDef {
    pub fn is_external(&self) -> bool {
        self.external.is_some()
    }
}

/// One compose project: a base file, its overlays, what they include and extend.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project directory (folder of the first file).
    pub dir: PathBuf,
    pub files: Vec<ComposeFile>,
    pub services: Vec<Service>,
    pub secrets: Vec<SecretDef>,
    pub configs: Vec<SecretDef>,
    /// Variables from the project's `.env`, for interpolating paths.
    pub dotenv: std::collections::HashMap<String, String>,
    /// A file that some `include:` path with an unresolved variable may stand for, read on
    /// its own: the rest of its project is unknown.
    pub fragment: bool,
    /// `include:` paths that hold a variable without a value: not followed.
    pub unresolved_includes: Vec<UnresolvedInclude>,
    /// Secrets defined by the compose templates of the project directory
    /// (`compose.override.yaml.example`, …), which are never merged.
    pub template_secrets: Vec<TemplateSecret>,
}

/// An `include:` path holding a variable that has no value (and no default).
#[derive(Debug, Clone)]
pub struct UnresolvedInclude {
    pub file: FileId,
    pub path: Spanned,
    pub variable: String,
}

/// A secret a compose template defines.
#[derive(Debug, Clone)]
pub struct TemplateSecret {
    pub name: String,
    /// The template's file name, e.g. `compose.override.yaml.example`.
    pub template: String,
}

impl Project {
    /// Whether every file of the project was read: not so when an `include:` path holds a
    /// variable without a value. Then nothing can be said to be absent from the project
    /// (a secret unused, say): the files not read may have it.
    pub fn is_complete(&self) -> bool {
        self.unresolved_includes.is_empty() && !self.fragment
    }
    /// What `value`, written in the compose file `file`, interpolates to with the variables
    /// the project's files give: its `.env`, then the `env_file:` of the `include:` entry
    /// that brought `file` in. `None` when a variable it needs has no value there (the
    /// shell's environment is not the project's, and it is not read).
    pub fn value_from_files(&self, file: FileId, value: &str) -> Option<String> {
        let included = self
            .files
            .iter()
            .find(|f| f.file == file)
            .map(|f| &f.include_variables);
        let missing = std::cell::Cell::new(false);
        let lookup = |name: &str| {
            let found = self
                .dotenv
                .get(name)
                .or_else(|| included.and_then(|vars| vars.get(name)))
                .cloned();
            if found.is_none() {
                missing.set(true);
            }
            found
        };
        let resolved = super::interpolate::resolve(value, &lookup).ok()?;
        (!missing.get()).then_some(resolved)
    }
    /// What the environment variable `var` of a service gets from the project's files
    /// ([`Project::value_from_files`]): its value interpolated, or for `- KEY` with no
    /// value, the variable of that name.
    pub fn env_value_from_files(&self, var: &EnvVar) -> Option<String> {
        match &var.value {
            Some(value) => self.value_from_files(var.file, value),
            None => self.value_from_files(var.file, &format!("${{{}}}", var.name)),
        }
    }
    pub fn secret(&self, name: &str) -> Option<&SecretDef> {
        self.secrets.iter().find(|s| s.name == name)
    }
    pub fn secret_names(&self) -> impl Iterator<Item = &str> {
        self.secrets.iter().map(|s| s.name.as_str())
    }
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }
    /// Every secret reference of every service, runtime and build.
    pub fn secret_references(&self) -> impl Iterator<Item = (&Service, &SecretRef)> {
        self.services
            .iter()
            .flat_map(|s| s.secrets().chain(s.build_secrets()).map(move |r| (s, r)))
    }
}

/// Raw text of a plain scalar as written (without anchor or tag), to read it the way
/// Compose's YAML 1.1 reader does (`0440` octal, `440` decimal).
pub fn raw_scalar<'a>(source: &'a str, node: &Node) -> Option<&'a str> {
    let s = node.scalar()?;
    let raw = source.get(node.span.range())?.trim();
    if s.style != Style::Plain {
        return Some(raw);
    }
    // Anchors (`&a`) and tags (`!!int`) may precede the scalar inside its span.
    let mut rest = raw;
    while let Some(first) = rest.split_whitespace().next() {
        if first.starts_with('&') || first.starts_with('!') {
            rest = rest[first.len()..].trim_start();
        } else {
            break;
        }
    }
    Some(rest)
}
