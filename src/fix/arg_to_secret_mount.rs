//! The fix that turns a secret build argument into a build secret (DF002):
//!
//! ```text
//! ARG NPM_TOKEN                      →  (removed)
//! RUN npm ci                         →  RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
//! build.args: {NPM_TOKEN: ${NPM_TOKEN}}  →  build.secrets: [npm_token]
//!                                        secrets: {npm_token: {environment: NPM_TOKEN}}
//! ```
//!
//! The value still comes from the same variable of the environment Compose runs in, but
//! it is no longer kept in the image's history. Offered only where that is all that
//! changes: the `ARG` has no default and declares nothing else, every instruction of its
//! stage that uses it is a `RUN` (or an `ENV NPM_TOKEN=$NPM_TOKEN` copying it, removed too:
//! the image no longer carries the token in its environment), and every compose build of
//! the Dockerfile passes it from a variable (or not at all) and is written where a key can
//! be added.

use std::collections::HashMap;

use super::text::{add_top_level, append_to_map, append_to_seq, indent_step, line_ending};
use crate::analysis::{Analysis, DockerfileDoc};
use crate::compose::interpolate::{self, Part};
use crate::dockerfile::{ArgDecl, Instruction, Kind};
use crate::finding::{Applicability, Edit, Fix};
use crate::rules::ce_support::secret_name_for;
use crate::source::{FileId, Span};
use crate::yaml::Kind as YamlKind;

/// The fix for `decl`, declared by `ins` of the Dockerfile `doc` (index `index` in the
/// batch); `None` where it cannot be made safely.
pub fn arg_to_secret_mount(
    analysis: &Analysis,
    index: usize,
    doc: &DockerfileDoc,
    mentions: &Mentions,
    ins: &Instruction,
    decl: &ArgDecl,
) -> Option<Fix> {
    let Kind::Arg(decls) = &ins.kind else {
        return None;
    };
    if decls.len() != 1 || decl.default.is_some() || ins.stage.is_none() {
        return None;
    }
    let text = &analysis.ws.files.get(doc.file).text;
    let (uses, copies) = uses(doc, mentions, ins, &decl.name)?;
    let builds: Vec<_> = analysis
        .builds
        .iter()
        .filter(|b| b.dockerfile == Some(index))
        .collect();
    if builds.is_empty() {
        return None;
    }
    // One id for every build: the variable's name in the style of compose secrets.
    let id = secret_name_for(&decl.name);
    let mut edits = vec![Edit {
        file: doc.file,
        span: whole_line(text, Span::from(ins.span.clone()))?,
        content: String::new(),
    }];
    for copy in &copies {
        edits.push(Edit {
            file: doc.file,
            span: whole_line(text, Span::from(copy.span.clone()))?,
            content: String::new(),
        });
    }
    for run in &uses {
        let at = run.keyword_span.end;
        edits.push(Edit {
            file: doc.file,
            span: Span::new(at, at),
            content: format!(" --mount=type=secret,id={id},env={}", decl.name),
        });
    }
    let mut defined: Vec<FileId> = Vec::new();
    for link in builds {
        let project = analysis.projects.get(link.project)?;
        let service = project.service(&link.service)?;
        let parts: Vec<_> = service
            .parts_for("build")
            .iter()
            .filter(|p| p.build.is_some())
            .collect();
        let [part] = parts.as_slice() else {
            return None;
        };
        let build = part.build.as_ref()?;
        let src = &analysis.ws.files.get(build.file).text;
        let cf = project.files.iter().find(|f| f.file == build.file)?;
        let step = indent_step(src, &cf.root);
        // Where the value comes from: the variable the build passes, else the ARG's name.
        let variable = match build.args.iter().find(|a| a.name == decl.name) {
            None => decl.name.clone(),
            Some(arg) => {
                let variable = passed_variable(arg.value.as_deref(), &arg.name)?;
                edits.push(Edit {
                    file: build.file,
                    span: remove_arg(src, build, arg)?,
                    content: String::new(),
                });
                variable
            }
        };
        if build
            .secrets
            .iter()
            .any(|r| r.target_name() == Some(id.as_str()))
        {
            return None;
        }
        let (mut span, content) = grant(src, &build.node, &id, step)?;
        // Not inside the line of the argument removed: at the end of the line before it.
        if let Some(removed) = edits
            .iter()
            .find(|e| e.file == build.file && e.span.start <= span.start && span.start < e.span.end)
        {
            let at = super::text::line_end(src, removed.span.start.saturating_sub(1));
            span = Span::new(at, at);
        }
        edits.push(Edit {
            file: build.file,
            span,
            content,
        });
        match project.secret(&id) {
            Some(def) => {
                if def.environment.as_ref().map(|e| e.value.as_str()) != Some(variable.as_str()) {
                    return None;
                }
            }
            None if defined.contains(&build.file) => {}
            None => {
                let (span, content) = add_top_level(
                    src,
                    &cf.root,
                    "secrets",
                    &id,
                    &format!("environment: {variable}"),
                    step,
                )?;
                edits.push(Edit {
                    file: build.file,
                    span,
                    content,
                });
                defined.push(build.file);
            }
        }
    }
    Some(Fix {
        applicability: Applicability::Unsafe,
        message: format!(
            "pass `{}` as the build secret `{id}` (`RUN --mount=type=secret,id={id},env={}`) instead of a build argument",
            decl.name, decl.name
        ),
        edits,
        writes: Vec::new(),
        moves: Vec::new(),
        scope: None,
    })
}

/// The `RUN` instructions of the `ARG`'s stage after it that use the variable, and the
/// `ENV NAME=$NAME` that copy it into the environment (removed with the `ARG`: the
/// variable then comes from the mount); `None` when another kind of instruction uses it (a
/// `COPY --chown=$X`, an `ENV` that makes something else of it), or no `RUN` does.
fn uses<'a>(
    doc: &'a DockerfileDoc,
    mentions: &Mentions,
    arg: &Instruction,
    name: &str,
) -> Option<(Vec<&'a Instruction>, Vec<&'a Instruction>)> {
    let mut runs = Vec::new();
    let mut copies = Vec::new();
    let after = |i: &&usize| {
        let ins = &doc.model.instructions[**i];
        ins.stage == arg.stage && ins.span.start > arg.span.start
    };
    // Declared again later in the stage: from there on it is another declaration's.
    let redeclared = mentions
        .declarations(name)
        .iter()
        .copied()
        .find(|i| after(&i));
    for &i in mentions.of(name).iter().filter(after) {
        if redeclared.is_some_and(|r| i >= r) {
            break;
        }
        let ins = &doc.model.instructions[i];
        match &ins.kind {
            Kind::Run(_) => runs.push(ins),
            Kind::Env(pairs)
                if pairs.len() == 1
                    && pairs[0].key == name
                    && passed_variable(Some(&pairs[0].value), name).as_deref() == Some(name) =>
            {
                copies.push(ins);
            }
            _ => return None,
        }
    }
    (!runs.is_empty()).then_some((runs, copies))
}

/// Which instructions of a Dockerfile refer to each variable (`$NAME`, `${NAME…}`),
/// gathered once per Dockerfile: a fix asks for every `ARG`.
pub struct Mentions {
    by_name: HashMap<String, Vec<usize>>,
    /// The `ARG` instructions declaring each name.
    declared: HashMap<String, Vec<usize>>,
}

impl Mentions {
    pub fn of_dockerfile(doc: &DockerfileDoc, text: &str) -> Mentions {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut declared: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, ins) in doc.model.instructions.iter().enumerate() {
            if let Kind::Arg(decls) = &ins.kind {
                for d in decls {
                    declared.entry(d.name.clone()).or_default().push(i);
                }
            }
            let Some(body) = text.get(ins.span.clone()) else {
                continue;
            };
            let mut names = referenced_names(body);
            names.sort_unstable();
            names.dedup();
            for name in names {
                by_name.entry(name.to_owned()).or_default().push(i);
            }
        }
        Mentions { by_name, declared }
    }

    fn of(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    fn declarations(&self, name: &str) -> &[usize] {
        self.declared.get(name).map_or(&[], Vec::as_slice)
    }
}

/// The names after each `$` and `${` of `text`.
fn referenced_names(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let start = i + 1 + usize::from(bytes.get(i + 1) == Some(&b'{'));
            let mut end = start;
            while end < bytes.len() && ident(bytes[end]) {
                end += 1;
            }
            if end > start {
                out.push(&text[start..end]);
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The variable a build argument passes on: `NAME` (no value), `${VAR}` or `$VAR`;
/// `None` for a literal or a value built from more than one variable.
fn passed_variable(value: Option<&str>, name: &str) -> Option<String> {
    let Some(value) = value else {
        return Some(name.to_owned());
    };
    let parts = interpolate::parse(value).ok()?;
    match parts.as_slice() {
        [Part::Var(v)] if v.range == (0..value.len()) && v.op.is_none() => Some(v.name.clone()),
        _ => None,
    }
}

/// The span of the whole line(s) holding `span`, with its line ending: `None` unless the
/// line holds nothing else.
fn whole_line(text: &str, span: Span) -> Option<Span> {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    if !text[start..span.start].trim().is_empty() {
        return None;
    }
    let end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i + 1);
    if !text[span.end..end].trim().is_empty() {
        return None;
    }
    Some(Span::new(start, end))
}

/// The span that removes the build argument `arg`: its line, or the whole `args:` when it
/// is the only one (Compose reads an empty `args:` as null).
fn remove_arg(
    src: &str,
    build: &crate::compose::Build,
    arg: &crate::compose::EnvVar,
) -> Option<Span> {
    let (key, args) = build.node.entry("args")?;
    if src
        .get(args.span.range())
        .is_some_and(|raw| raw.trim_start().starts_with(['{', '[']))
    {
        return None;
    }
    if build.args.len() == 1 {
        return lines_through(src, key.span.start, args.span.end.max(key.span.end));
    }
    let start = if arg.list_form {
        src[..arg.node.span.start].rfind('-')?
    } else {
        arg.name_span.start
    };
    lines_through(src, start, arg.node.span.end.max(arg.name_span.end))
}

/// The whole lines from the one holding `start` to the one holding the last character
/// before `end` (a block collection's span ends where the next line starts), line ending
/// included; `None` unless nothing else is written before `start` on its line.
fn lines_through(src: &str, start: usize, end: usize) -> Option<Span> {
    let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
    if !src[line_start..start].trim().is_empty() {
        return None;
    }
    let mut last = end.min(src.len());
    while last > start && src.as_bytes()[last - 1].is_ascii_whitespace() {
        last -= 1;
    }
    whole_line(src, Span::new(line_start, last))
}

/// The edit adding `id` to the build's `secrets:`; a short `build: ./dir` becomes the
/// long form.
fn grant(src: &str, build: &crate::yaml::Node, id: &str, step: usize) -> Option<(Span, String)> {
    match &build.kind {
        YamlKind::Scalar(_) => {
            let raw = src.get(build.span.range())?;
            if raw.contains('\n') || raw.starts_with(['&', '*', '!']) {
                return None;
            }
            let key_column = {
                let line_start = src[..build.span.start].rfind('\n').map_or(0, |i| i + 1);
                let line = &src[line_start..build.span.start];
                line.len() - line.trim_start().len()
            };
            let nl = line_ending(src);
            let inner = " ".repeat(key_column + step);
            let deeper = " ".repeat(key_column + 2 * step);
            // `build: .` → `build:` + `context: .` + `secrets: [id]`, the space before the
            // value taken too.
            let before = src[..build.span.start].trim_end_matches(' ').len();
            Some((
                Span::new(before, build.span.end),
                format!("{nl}{inner}context: {raw}{nl}{inner}secrets:{nl}{deeper}- {id}"),
            ))
        }
        YamlKind::Map(_) => match build.entry("secrets") {
            Some((_, list)) => append_to_seq(src, list, id),
            None => append_to_map(src, build, "secrets", &[&format!("- {id}")], step),
        },
        YamlKind::Seq(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_told_from_names_that_contain_them() {
        assert_eq!(referenced_names("RUN echo $NPM_TOKEN > x"), ["NPM_TOKEN"]);
        assert_eq!(
            referenced_names("RUN x=${NPM_TOKEN:-} $A$B"),
            ["NPM_TOKEN", "A", "B"]
        );
        assert_eq!(
            referenced_names("RUN echo $NPM_TOKEN_FILE"),
            ["NPM_TOKEN_FILE"]
        );
        assert!(referenced_names("RUN echo NPM_TOKEN $ {X}").is_empty());
    }

    #[test]
    fn only_a_plain_reference_is_passed_on() {
        assert_eq!(passed_variable(None, "T").as_deref(), Some("T"));
        assert_eq!(passed_variable(Some("${NPM}"), "T").as_deref(), Some("NPM"));
        assert_eq!(passed_variable(Some("$NPM"), "T").as_deref(), Some("NPM"));
        assert_eq!(passed_variable(Some("${NPM:-x}"), "T"), None);
        assert_eq!(passed_variable(Some("npm_abc"), "T"), None);
    }

    #[test]
    fn only_lines_that_hold_nothing_else_are_removed() {
        let text = "FROM node\nARG NPM_TOKEN\nRUN npm ci\n";
        let at = text.find("ARG").expect("arg");
        assert_eq!(
            whole_line(text, Span::new(at, at + 13)),
            Some(Span::new(10, 24))
        );
        assert_eq!(whole_line("FROM x # ARG\n", Span::new(9, 12)), None);
    }
}
