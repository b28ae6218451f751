//! The Dockerfile parser: directives, logical lines, heredoc bodies, stages.

use std::ops::Range;

use super::ast::{Directive, Dockerfile, Heredoc, Instruction, Kind, ParseError, Stage};
use super::kinds;
use super::lex::{self, Line};
use super::mapped::MappedText;

/// Parse a Dockerfile. Never panics; work is linear in the input size (up to logarithmic
/// factors), without recursion.
pub fn parse(src: &str) -> Dockerfile {
    let from = if src.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let lines = lex::split_lines(src, from);
    let mut df = Dockerfile {
        escape: '\\',
        directives: Vec::new(),
        instructions: Vec::new(),
        stages: Vec::new(),
        errors: Vec::new(),
    };
    let mut i = parse_directives(src, &lines, &mut df);
    let escape = df.escape;
    while i < lines.len() {
        let Some(line) = lines.get(i) else { break };
        let text = line_str(src, line);
        if lex::is_blank_or_comment(text) {
            i += 1;
            continue;
        }
        let first_start = line.start + (text.len() - text.trim_start_matches(lex::is_ws).len());
        let (logical, last) = logical_line(src, &lines, i, first_start, escape);
        i = last + 1;
        let mut end = lines.get(last).map_or(src.len(), |l| l.end);
        let Some(mut ins) = instruction(&logical, &mut df.errors, escape) else {
            continue;
        };

        // Heredoc bodies follow the instruction line, one after another.
        let mut heredocs = Vec::new();
        if matches!(ins.inner.keyword.as_str(), "RUN" | "COPY" | "ADD")
            && kinds::exec_words(&ins.inner.args).is_none()
        {
            let text = ins.inner.args.as_str();
            let (words, _) = lex::split_words(text, escape);
            for w in &words {
                let Some(m) = lex::heredoc_marker(text.get(w.start..w.end).unwrap_or(""), escape)
                else {
                    continue;
                };
                let marker_span = ins.inner.args.to_source(w.start..w.end);
                let h = read_heredoc(src, &lines, &mut i, m, marker_span, &mut end);
                if !h.terminated {
                    df.errors.push(ParseError {
                        message: format!("unterminated heredoc: missing delimiter {}", h.delimiter),
                        span: h.marker_span.start..src.len(),
                    });
                }
                heredocs.push(h);
            }
        }
        let ks = ins.inner.keyword_span.clone();
        ins.inner.span = ks.start..end.max(ks.end);

        let flags = std::mem::take(&mut ins.parsed_flags);
        ins.inner.kind = kinds::build(
            &ins.inner.keyword,
            &ins.inner.args,
            &flags,
            heredocs,
            escape,
            &mut df.errors,
        );
        ins.inner.flags = flags.into_iter().map(|f| f.flag).collect();

        if let Kind::From { image, alias } = &ins.inner.kind {
            let index = df.stages.len();
            df.stages.push(Stage {
                index,
                name: alias.clone(),
                base: image.clone(),
                from_span: ins.inner.span.clone(),
            });
        }
        ins.inner.stage = df.stages.len().checked_sub(1);
        df.instructions.push(ins.inner);
    }
    df
}

fn line_str<'a>(src: &'a str, line: &Line) -> &'a str {
    src.get(line.start..line.end).unwrap_or("")
}

/// Read parser directives at the top of the file; returns the index of the first line after them.
fn parse_directives(src: &str, lines: &[Line], df: &mut Dockerfile) -> usize {
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        let text = line_str(src, line);
        let Some((name_r, value_r)) = directive(text) else {
            break;
        };
        let name = text.get(name_r).unwrap_or("").to_ascii_lowercase();
        let value = text.get(value_r.clone()).unwrap_or("").to_string();
        let value_span = line.start + value_r.start..line.start + value_r.end;
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            // Unknown directives are comments, and a comment ends the directives.
            break;
        }
        if df.directives.iter().any(|d| d.name == name) {
            df.errors.push(ParseError {
                message: format!("only one {name} parser directive can be used"),
                span: line.start..line.end,
            });
            break;
        }
        if name == "escape" {
            match value.as_str() {
                "\\" => df.escape = '\\',
                "`" => df.escape = '`',
                _ => df.errors.push(ParseError {
                    message: format!("invalid escape token {value:?}: it must be ` or \\"),
                    span: value_span.clone(),
                }),
            }
        }
        df.directives.push(Directive {
            name,
            value,
            span: line.start..line.end,
            value_span,
        });
        i += 1;
    }
    i
}

/// `# name = value` → (name range, value range) within the line.
fn directive(line: &str) -> Option<(Range<usize>, Range<usize>)> {
    let b = line.as_bytes();
    let skip = |mut p: usize| {
        while matches!(b.get(p), Some(b' ' | b'\t')) {
            p += 1;
        }
        p
    };
    let mut p = skip(0);
    if b.get(p) != Some(&b'#') {
        return None;
    }
    p = skip(p + 1);
    let ns = p;
    if !b.get(p).is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    while b
        .get(p)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        p += 1;
    }
    let ne = p;
    p = skip(p);
    if b.get(p) != Some(&b'=') {
        return None;
    }
    let vs = skip(p + 1);
    let ve = line.trim_end_matches([' ', '\t']).len();
    if ve <= vs {
        return None;
    }
    Some((ns..ne, vs..ve))
}

/// Assemble the logical line starting at line `first` (content from `start`): continuation
/// escapes removed, pieces joined as they are, empty and comment lines inside the
/// continuation dropped. Returns the text and the index of its last physical line.
fn logical_line(
    src: &str,
    lines: &[Line],
    first: usize,
    start: usize,
    escape: char,
) -> (MappedText, usize) {
    let mut text = MappedText::empty_at(start);
    let mut cur = first;
    let mut last = first;
    while let Some(line) = lines.get(cur) {
        let from = if cur == first { start } else { line.start };
        let seg = src.get(from..line.end).unwrap_or("");
        last = cur;
        match lex::continuation_cut(seg, escape) {
            Some(cut) => {
                text.push_source(seg.get(..cut).unwrap_or(""), from);
                cur += 1;
                while lines
                    .get(cur)
                    .is_some_and(|l| lex::is_blank_or_comment(line_str(src, l)))
                {
                    cur += 1;
                }
            }
            None => {
                text.push_source(seg, from);
                break;
            }
        }
    }
    (text, last)
}

/// An instruction under construction, with its flags still carrying raw value text.
struct Pending {
    inner: Instruction,
    parsed_flags: Vec<kinds::ParsedFlag>,
}

/// Split a logical line into keyword, flags and arguments. `None` when there is no keyword.
fn instruction(
    logical: &MappedText,
    errors: &mut Vec<ParseError>,
    escape: char,
) -> Option<Pending> {
    let t = logical.as_str();
    let ks = t.len() - t.trim_start_matches(lex::is_ws).len();
    let ke = t
        .get(ks..)
        .and_then(|r| r.find(lex::is_ws))
        .map_or(t.len(), |n| ks + n);
    if ks >= ke {
        return None;
    }
    let keyword = t.get(ks..ke).unwrap_or("").to_ascii_uppercase();
    let keyword_span = logical.to_source(ks..ke);
    let all_args = logical.slice(ke..t.len()).trimmed();
    let (parsed_flags, rest) = kinds::parse_flags(&all_args, escape, errors);
    let args = all_args.slice(rest..all_args.len()).trimmed();
    let span = keyword_span.start..logical.source_span().end;
    Some(Pending {
        inner: Instruction {
            keyword,
            keyword_span,
            span,
            stage: None,
            flags: Vec::new(),
            args,
            kind: Kind::Other,
        },
        parsed_flags,
    })
}

/// Read one heredoc body starting at line `*i`; advances `*i` past the delimiter line and
/// sets `*end` to the end of the last line consumed.
fn read_heredoc(
    src: &str,
    lines: &[Line],
    i: &mut usize,
    m: lex::Marker,
    marker_span: Range<usize>,
    end: &mut usize,
) -> Heredoc {
    let body_start = lines.get(*i).map_or(src.len(), |l| l.start);
    let mut body = MappedText::empty_at(body_start);
    let mut terminated = false;
    let mut body_end = src.len();
    while let Some(line) = lines.get(*i) {
        *i += 1;
        let text = line_str(src, line);
        let content = if m.strip_tabs {
            text.trim_start_matches('\t')
        } else {
            text
        };
        *end = line.end;
        if content == m.delimiter {
            terminated = true;
            body_end = line.start;
            break;
        }
        body.push_source(content, line.start + (text.len() - content.len()));
        match src.get(line.end..line.next) {
            Some("\n") => body.push_source("\n", line.end),
            Some("") | None => {}
            Some(_) => body.push_synthetic("\n", line.end),
        }
    }
    Heredoc {
        delimiter: m.delimiter,
        strip_tabs: m.strip_tabs,
        quoted: m.quoted,
        body,
        body_span: body_start..body_end.max(body_start),
        marker_span,
        dest: None,
        terminated,
    }
}

#[cfg(test)]
mod tests;
