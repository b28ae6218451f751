//! Fuzz entry points shared by the targets in `fuzz_targets/`: each parses its input and
//! checks the invariants every consumer of the result relies on. Spans are byte ranges
//! inside the input, with both ends on UTF-8 character boundaries. A violation panics,
//! which libFuzzer reports as a crash.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::OnceLock;

use stowaway::analysis::Analysis;
use stowaway::compose::interpolate::{self, Part};
use stowaway::dockerfile::{self, CommandForm, Kind as DfKind, MappedText};
use stowaway::envfile;
use stowaway::report::{Report, human, json};
use stowaway::source::Span;
use stowaway::yaml::{self, Kind, Node};

/// Panic unless `r` is a range of `text` with both ends on char boundaries.
#[track_caller]
pub fn check_range(text: &str, r: &Range<usize>, what: &str) {
    assert!(
        r.start <= r.end && r.end <= text.len(),
        "{what}: range {r:?} outside 0..{}",
        text.len()
    );
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{what}: range {r:?} not on char boundaries"
    );
}

#[track_caller]
fn check_span(text: &str, s: Span, what: &str) {
    check_range(text, &s.range(), what);
}

// ---------------------------------------------------------------- yaml

pub fn yaml(text: &str) {
    match yaml::parse(text) {
        Ok(out) => {
            for p in &out.problems {
                check_span(text, p.span, "yaml problem");
            }
            if let Some(root) = &out.root {
                yaml_node(text, root);
            }
        }
        Err(p) => check_span(text, p.span, "yaml error"),
    }
}

fn yaml_node(text: &str, root: &Node) {
    // Iterative: the tree may be as deep as the parser allows.
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        check_span(text, node.span, "yaml node");
        match &node.kind {
            Kind::Scalar(_) => {
                let _ = stowaway::compose::raw_scalar(text, node);
            }
            Kind::Seq(items) => stack.extend(items.iter()),
            Kind::Map(entries) => {
                for (k, v) in entries.iter() {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
    }
}

// ---------------------------------------------------------------- dockerfile

fn mapped(text: &str, m: &MappedText, what: &str) {
    check_range(text, &m.source_span(), what);
    // Every char boundary of the assembled text maps inside the source.
    for (i, _) in m.as_str().char_indices().step_by(7) {
        check_range(text, &m.to_source(i..m.len()), what);
        check_range(text, &m.to_source(0..i), what);
    }
}

fn form(text: &str, f: &CommandForm) {
    match f {
        CommandForm::Exec(words) => {
            for w in words {
                check_range(text, &w.span, "exec word");
            }
        }
        CommandForm::Shell(m) => mapped(text, m, "shell form"),
    }
}

pub fn dockerfile(text: &str) {
    let df = dockerfile::parse(text);
    for d in &df.directives {
        check_range(text, &d.span, "directive");
        check_range(text, &d.value_span, "directive value");
    }
    for e in &df.errors {
        check_range(text, &e.span, "error");
    }
    for s in &df.stages {
        check_range(text, &s.from_span, "stage");
    }
    for i in &df.instructions {
        check_range(text, &i.span, "instruction");
        check_range(text, &i.keyword_span, "keyword");
        for f in &i.flags {
            check_range(text, &f.span, "flag");
            if let Some(v) = &f.value_span {
                check_range(text, v, "flag value");
            }
        }
        mapped(text, &i.args, "args");
        for h in i.heredocs() {
            check_range(text, &h.body_span, "heredoc body");
            check_range(text, &h.marker_span, "heredoc marker");
            mapped(text, &h.body, "heredoc body text");
        }
        match &i.kind {
            DfKind::Env(kvs) | DfKind::Label(kvs) => {
                for kv in kvs {
                    check_range(text, &kv.key_span, "key");
                    check_range(text, &kv.value_span, "value");
                }
            }
            DfKind::Arg(args) => {
                for a in args {
                    check_range(text, &a.name_span, "arg name");
                    if let Some((_, r)) = &a.default {
                        check_range(text, r, "arg default");
                    }
                }
            }
            DfKind::Run(run) => {
                for m in &run.mounts {
                    check_range(text, &m.span, "mount");
                    for o in &m.options {
                        check_range(text, &o.span, "mount option");
                    }
                    let _ = m.secret_id();
                }
                form(text, &run.command);
            }
            DfKind::Copy(c) | DfKind::Add(c) => {
                for w in c.sources.iter().chain(&c.dest) {
                    check_range(text, &w.span, "copy word");
                }
            }
            DfKind::Cmd(f) | DfKind::Entrypoint(f) | DfKind::Healthcheck(Some(f)) => form(text, f),
            DfKind::Shell(words) => {
                for w in words {
                    check_range(text, &w.span, "shell word");
                }
            }
            DfKind::From { .. } | DfKind::Healthcheck(None) | DfKind::Other => {}
        }
    }
}

// ---------------------------------------------------------------- envfile

pub fn envfile(text: &str) {
    let (entries, errors) = envfile::parse(text);
    for e in &entries {
        check_range(text, &e.key_range, "env key");
        if let Some(r) = &e.value_range {
            check_range(text, r, "env value");
        }
        let line = 1 + text[..e.key_range.start].matches('\n').count();
        assert_eq!(e.line, line, "env entry line");
    }
    for e in &errors {
        check_range(text, &e.range, "env error");
    }
}

// ---------------------------------------------------------------- interpolate

fn check_parts(text: &str, parts: &[Part]) {
    for p in parts {
        match p {
            Part::Literal { range, .. } => check_range(text, range, "literal"),
            Part::Var(v) => {
                check_range(text, &v.range, "var");
                check_range(text, &v.name_range, "var name");
                assert_eq!(&text[v.name_range.clone()], v.name, "var name text");
                if let Some(r) = &v.arg_range {
                    check_range(text, r, "var arg");
                }
                if let Some(arg) = &v.arg {
                    check_parts(text, arg);
                }
            }
        }
    }
}

pub fn interpolate(text: &str) {
    match interpolate::parse(text) {
        Ok(p) => {
            check_parts(text, &p);
            // Half the names are set (to a value that itself looks like a reference).
            let lookup = |name: &str| (name.len() % 2 == 0).then(|| "${X}$$".to_owned());
            let _ = interpolate::resolve_parts(&p, &lookup);
            let _ = interpolate::unescape_literal(text);
        }
        Err(e) => check_range(text, &e.range, "interpolation error"),
    }
}

// ---------------------------------------------------------------- whole project

/// A scratch folder for this process (one per fuzzing process, reused between inputs).
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("stowaway-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir
    })
}

/// Check `text` as a project: NUL-separated compose.yaml, Dockerfile and .env, written to
/// a scratch folder, then every rule and both renderers. Findings, their secret spans and
/// fix edits must lie on char boundaries inside their files.
pub fn project(text: &str) {
    let dir = scratch();
    let mut files = text.splitn(3, '\0');
    for name in ["compose.yaml", "Dockerfile", ".env"] {
        let path = dir.join(name);
        match files.next() {
            Some(content) => std::fs::write(&path, content).expect("write"),
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    // An absolute path: discovery resolves paths against the process cwd, not `cwd`.
    let mut analysis = Analysis::load(dir.clone(), std::slice::from_ref(dir));
    let findings = analysis.check();
    for f in &findings {
        let file = &analysis.ws.files.get(f.file).text;
        check_span(file, f.span, f.code);
        if let Some(s) = f.secret {
            check_span(file, s, f.code);
        }
        if let Some(fix) = &f.fix {
            for e in &fix.edits {
                check_span(&analysis.ws.files.get(e.file).text, e.span, f.code);
            }
        }
    }
    let report = Report {
        analysis: &analysis,
        findings: &findings,
        show_secrets: false,
        statistics: true,
        warnings: Vec::new(),
        baseline: None,
    };
    let out = json::render(&report);
    assert!(out.starts_with('{'), "json output");
    let _ = human::render(&report, false);
}
