//! Interpretation of instruction arguments: flags, mounts, ENV/ARG/LABEL pairs, FROM,
//! COPY/ADD words, exec and shell forms.

use std::ops::Range;

use super::ast::{
    ArgDecl, CommandForm, Copy, Flag, Heredoc, KeyValue, Kind, Mount, MountOption, ParseError, Run,
    Word,
};
use super::json::parse_string_array;
use super::lex::{self, RawWord};
use super::mapped::MappedText;

/// A flag with its raw value text (quotes intact), for options that need further parsing.
#[derive(Debug, Clone)]
pub(crate) struct ParsedFlag {
    pub flag: Flag,
    pub value_text: Option<MappedText>,
}

fn error(errors: &mut Vec<ParseError>, message: impl Into<String>, span: Range<usize>) {
    errors.push(ParseError {
        message: message.into(),
        span,
    });
}

fn word(mt: &MappedText, w: &RawWord) -> Word {
    Word {
        value: w.value.clone(),
        span: mt.to_source(w.start..w.end),
    }
}

fn raw<'a>(text: &'a str, w: &RawWord) -> &'a str {
    text.get(w.start..w.end).unwrap_or("")
}

/// Extract the leading `--name[=value]` words of `args` (already trimmed).
/// Returns the flags and the text offset where the remaining arguments start.
pub(crate) fn parse_flags(
    args: &MappedText,
    escape: char,
    errors: &mut Vec<ParseError>,
) -> (Vec<ParsedFlag>, usize) {
    let text = args.as_str();
    if !text.starts_with("--") {
        return (Vec::new(), 0);
    }
    let (words, open) = lex::split_words(text, escape);
    let mut flags = Vec::new();
    let mut rest = text.len();
    for w in &words {
        let r = raw(text, w);
        let is_flag = r.len() > 2 && r.starts_with("--");
        if !is_flag {
            rest = w.start;
            break;
        }
        if let Some(o) = open
            && (w.start..w.end).contains(&o)
        {
            error(
                errors,
                "unterminated quote in flag",
                args.to_source(o..w.end),
            );
        }
        let (name, value, value_text) = match r.find('=') {
            Some(eq) => {
                let vr = w.start + eq + 1..w.end;
                let (v, _) = lex::unquote(text.get(vr.clone()).unwrap_or(""), escape);
                (r.get(2..eq).unwrap_or(""), Some(v), Some(args.slice(vr)))
            }
            None => (r.get(2..).unwrap_or(""), None, None),
        };
        flags.push(ParsedFlag {
            flag: Flag {
                name: name.to_string(),
                value,
                span: args.to_source(w.start..w.end),
                value_span: value_text.as_ref().map(|v| v.source_span()),
            },
            value_text,
        });
    }
    (flags, rest)
}

/// Parse the value of a `--mount` flag: comma-separated options, CSV quoting respected
/// (`"a,b"` anywhere in a field; `""` inside quotes is a literal quote).
pub(crate) fn parse_mount(flag: &ParsedFlag) -> Mount {
    let mut options = Vec::new();
    if let Some(v) = &flag.value_text {
        let text = v.as_str();
        let mut field = String::new();
        let mut start = 0;
        let mut in_quote = false;
        let mut it = text.char_indices().peekable();
        let mut finish = |field: &mut String, start: usize, end: usize| {
            if start < end {
                let (key, value) = match field.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (field.clone(), None),
                };
                options.push(MountOption {
                    key,
                    value,
                    span: v.to_source(start..end),
                });
            }
            field.clear();
        };
        while let Some((i, c)) = it.next() {
            match c {
                '"' if in_quote && it.peek().is_some_and(|&(_, n)| n == '"') => {
                    field.push('"');
                    it.next();
                }
                '"' => in_quote = !in_quote,
                ',' if !in_quote => {
                    finish(&mut field, start, i);
                    start = i + 1;
                }
                c => field.push(c),
            }
        }
        finish(&mut field, start, text.len());
    }
    Mount {
        span: flag.flag.span.clone(),
        options,
    }
}

/// Exec form when `args` is a valid JSON array of strings, shell form otherwise.
pub(crate) fn command_form(args: &MappedText) -> CommandForm {
    match exec_words(args) {
        Some(words) => CommandForm::Exec(words),
        None => CommandForm::Shell(args.clone()),
    }
}

/// The words of a JSON exec form, or `None` when `args` is not one.
pub(crate) fn exec_words(args: &MappedText) -> Option<Vec<Word>> {
    if !args.as_str().trim_start().starts_with('[') {
        return None;
    }
    let words = parse_string_array(args.as_str())?;
    Some(words.iter().map(|w| word(args, w)).collect())
}

/// `ENV` / `LABEL` pairs, both the `k=v` form and the legacy `k v w` form.
pub(crate) fn key_values(
    keyword: &str,
    args: &MappedText,
    escape: char,
    errors: &mut Vec<ParseError>,
) -> Vec<KeyValue> {
    let text = args.as_str();
    let (words, open) = lex::split_words(text, escape);
    if let Some(o) = open {
        error(
            errors,
            format!("{keyword}: unterminated quote"),
            args.to_source(o..text.len()),
        );
    }
    let Some(first) = words.first() else {
        error(
            errors,
            format!("{keyword} requires at least one argument"),
            args.source_span(),
        );
        return Vec::new();
    };
    if !raw(text, first).contains('=') {
        // Legacy form: one pair, the value is the rest of the instruction.
        let vs = text.len()
            - text
                .get(first.end..)
                .unwrap_or("")
                .trim_start_matches(lex::is_ws)
                .len();
        let value_raw = text.get(vs..).unwrap_or("");
        if value_raw.is_empty() {
            error(
                errors,
                format!("{keyword} requires a value: use {keyword} name=value"),
                args.source_span(),
            );
        }
        return vec![KeyValue {
            key: first.value.clone(),
            key_span: args.to_source(first.start..first.end),
            value: lex::unquote(value_raw, escape).0,
            value_span: args.to_source(vs..text.len()),
            legacy: true,
        }];
    }
    let mut out = Vec::new();
    for w in &words {
        let r = raw(text, w);
        let Some(eq) = r.find('=') else {
            error(
                errors,
                format!("{keyword}: missing '=' in {r:?}"),
                args.to_source(w.start..w.end),
            );
            continue;
        };
        let key = lex::unquote(r.get(..eq).unwrap_or(""), escape).0;
        if key.is_empty() {
            error(
                errors,
                format!("{keyword} names can not be blank"),
                args.to_source(w.start..w.end),
            );
        }
        out.push(KeyValue {
            key,
            key_span: args.to_source(w.start..w.start + eq),
            value: lex::unquote(r.get(eq + 1..).unwrap_or(""), escape).0,
            value_span: args.to_source(w.start + eq + 1..w.end),
            legacy: false,
        });
    }
    out
}

/// `ARG NAME`, `ARG NAME=default`, several per instruction.
pub(crate) fn arg_decls(
    args: &MappedText,
    escape: char,
    errors: &mut Vec<ParseError>,
) -> Vec<ArgDecl> {
    let text = args.as_str();
    let (words, open) = lex::split_words(text, escape);
    if let Some(o) = open {
        error(
            errors,
            "ARG: unterminated quote",
            args.to_source(o..text.len()),
        );
    }
    if words.is_empty() {
        error(
            errors,
            "ARG requires at least one argument",
            args.source_span(),
        );
    }
    words
        .iter()
        .map(|w| {
            let r = raw(text, w);
            match r.find('=') {
                Some(eq) => ArgDecl {
                    name: lex::unquote(r.get(..eq).unwrap_or(""), escape).0,
                    name_span: args.to_source(w.start..w.start + eq),
                    default: Some((
                        lex::unquote(r.get(eq + 1..).unwrap_or(""), escape).0,
                        args.to_source(w.start + eq + 1..w.end),
                    )),
                },
                None => ArgDecl {
                    name: w.value.clone(),
                    name_span: args.to_source(w.start..w.end),
                    default: None,
                },
            }
        })
        .collect()
}

/// `FROM image [AS name]`: the image and alias.
pub(crate) fn from(
    args: &MappedText,
    escape: char,
    errors: &mut Vec<ParseError>,
) -> (String, Option<String>) {
    let (words, _) = lex::split_words(args.as_str(), escape);
    let image = words.first().map(|w| w.value.clone()).unwrap_or_default();
    let alias = match words.as_slice() {
        [_] => None,
        [_, a, name] if a.value.eq_ignore_ascii_case("as") => Some(name.value.clone()),
        _ => {
            error(
                errors,
                "FROM requires either one or three arguments: FROM image [AS name]",
                args.source_span(),
            );
            None
        }
    };
    (image, alias)
}

/// `RUN`: mounts, network and command.
pub(crate) fn run(args: &MappedText, flags: &[ParsedFlag], heredocs: Vec<Heredoc>) -> Run {
    Run {
        mounts: flags
            .iter()
            .filter(|f| f.flag.name == "mount")
            .map(parse_mount)
            .collect(),
        network: flags
            .iter()
            .find(|f| f.flag.name == "network")
            .and_then(|f| f.flag.value.clone()),
        command: command_form(args),
        heredocs,
    }
}

/// `COPY` / `ADD`: sources, destination, heredocs (their markers are not sources).
pub(crate) fn copy(
    args: &MappedText,
    flags: &[ParsedFlag],
    mut heredocs: Vec<Heredoc>,
    escape: char,
    errors: &mut Vec<ParseError>,
) -> Copy {
    let from = flags
        .iter()
        .find(|f| f.flag.name == "from")
        .and_then(|f| f.flag.value.clone());
    let mut words = match exec_words(args) {
        Some(w) => w,
        None => {
            let text = args.as_str();
            let (raw_words, open) = lex::split_words(text, escape);
            if let Some(o) = open {
                error(errors, "unterminated quote", args.to_source(o..text.len()));
            }
            raw_words
                .iter()
                .filter(|w| {
                    heredocs.is_empty() || lex::heredoc_marker(raw(text, w), escape).is_none()
                })
                .map(|w| word(args, w))
                .collect()
        }
    };
    let dest = if words.len() >= 2 || (!heredocs.is_empty() && !words.is_empty()) {
        words.pop()
    } else {
        None
    };
    if dest.is_none() {
        error(
            errors,
            "COPY/ADD requires at least one source and a destination",
            args.source_span(),
        );
    }
    for h in &mut heredocs {
        h.dest = dest.as_ref().map(|d| d.value.clone());
    }
    Copy {
        from,
        sources: words,
        dest,
        heredocs,
    }
}

/// `HEALTHCHECK NONE` or `HEALTHCHECK [flags] CMD command`.
pub(crate) fn healthcheck(
    args: &MappedText,
    escape: char,
    errors: &mut Vec<ParseError>,
) -> Option<CommandForm> {
    let (words, _) = lex::split_words(args.as_str(), escape);
    let first = words.first()?;
    if first.value.eq_ignore_ascii_case("CMD") {
        let rest = args.slice(first.end..args.len()).trimmed();
        return Some(command_form(&rest));
    }
    if !first.value.eq_ignore_ascii_case("NONE") {
        error(
            errors,
            "HEALTHCHECK expects NONE or CMD",
            args.to_source(first.start..first.end),
        );
    }
    None
}

/// Build the [`Kind`] of an instruction.
pub(crate) fn build(
    keyword: &str,
    args: &MappedText,
    flags: &[ParsedFlag],
    heredocs: Vec<Heredoc>,
    escape: char,
    errors: &mut Vec<ParseError>,
) -> Kind {
    match keyword {
        "FROM" => {
            let (image, alias) = from(args, escape, errors);
            Kind::From { image, alias }
        }
        "ENV" => Kind::Env(key_values(keyword, args, escape, errors)),
        "LABEL" => Kind::Label(key_values(keyword, args, escape, errors)),
        "ARG" => Kind::Arg(arg_decls(args, escape, errors)),
        "RUN" => Kind::Run(run(args, flags, heredocs)),
        "COPY" => Kind::Copy(copy(args, flags, heredocs, escape, errors)),
        "ADD" => Kind::Add(copy(args, flags, heredocs, escape, errors)),
        "CMD" => Kind::Cmd(command_form(args)),
        "ENTRYPOINT" => Kind::Entrypoint(command_form(args)),
        "HEALTHCHECK" => Kind::Healthcheck(healthcheck(args, escape, errors)),
        "SHELL" => match exec_words(args) {
            Some(w) => Kind::Shell(w),
            None => {
                error(
                    errors,
                    "SHELL requires the arguments to be in JSON form",
                    args.source_span(),
                );
                Kind::Shell(Vec::new())
            }
        },
        _ => Kind::Other,
    }
}
