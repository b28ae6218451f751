//! Applying text edits, and the small pieces of YAML text a fix writes: a scalar rewritten
//! in the quoting it had, an item added to a list, a key added to a mapping. Every edit
//! touches only its span: comments, anchors, key order and line endings elsewhere stay
//! byte-identical.

use crate::source::Span;
use crate::yaml::{Kind, Node};

/// Replace each `(span, content)` in `text`. The spans must not overlap (the fix engine
/// picks fixes so); insertions at one offset keep their order.
pub fn apply(text: &str, edits: &[(Span, &str)]) -> String {
    let mut sorted: Vec<(usize, &(Span, &str))> = edits.iter().enumerate().collect();
    sorted.sort_by_key(|(i, (span, _))| (span.start, span.end, *i));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (_, (span, content)) in sorted {
        let start = span.start.clamp(at, text.len());
        out.push_str(&text[at..start]);
        out.push_str(content);
        at = span.end.clamp(start, text.len());
    }
    out.push_str(&text[at..]);
    out
}

/// The line ending a file uses: `\r\n` when its first line ends so.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// `new` written the way the scalar at `span` is (plain, `'…'` or `"…"`), when what is
/// written there is `expected` with no escape or folding in the way; `None` otherwise (a
/// fix does not guess at an escaped or multi-line scalar).
pub fn rewrite_scalar(src: &str, span: Span, expected: &str, new: &str) -> Option<String> {
    let raw = src.get(span.range())?;
    if raw == expected && !raw.contains('\n') && !raw.starts_with(['&', '!', '*']) {
        return Some(new.to_owned());
    }
    for quote in ['"', '\''] {
        if raw.len() >= 2 && raw.starts_with(quote) && raw.ends_with(quote) {
            let inner = &raw[1..raw.len() - 1];
            if inner == expected && !inner.contains(['\\', '\'', '"', '\n']) {
                return Some(format!("{quote}{new}{quote}"));
            }
        }
    }
    None
}

/// Column (in bytes from the start of its line) of `offset`.
pub fn column(src: &str, offset: usize) -> usize {
    let offset = offset.min(src.len());
    offset - src[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// Offset of the end of the line holding `offset` (before its `\r\n` or `\n`).
pub fn line_end(src: &str, offset: usize) -> usize {
    let offset = offset.min(src.len());
    let end = src[offset..].find('\n').map_or(src.len(), |i| offset + i);
    if end > 0 && src.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

/// Where the text before `end` stops, leaving out whitespace: the span of a block
/// collection ends where the next line starts.
fn content_end(src: &str, end: usize) -> usize {
    let mut at = end.min(src.len());
    while at > 0 && src.as_bytes()[at - 1].is_ascii_whitespace() {
        at -= 1;
    }
    at
}

/// Whether a collection node is written in flow style (`[…]`, `{…}`).
fn is_flow(src: &str, node: &Node) -> bool {
    src.get(node.span.range())
        .is_some_and(|raw| raw.trim_start().starts_with(['[', '{']))
}

/// The entries of a mapping written inside it: those a `<<` merge brought in keep the
/// spans of their anchor, elsewhere in the file.
fn own_entries(node: &Node) -> Vec<&(Node, Node)> {
    node.as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|(k, _)| k.span.start >= node.span.start && k.span.end <= node.span.end)
        .collect()
}

/// The edit that adds `item` to the list `seq` (block or flow style).
pub fn append_to_seq(src: &str, seq: &Node, item: &str) -> Option<(Span, String)> {
    let items = seq.as_seq()?;
    if is_flow(src, seq) {
        let raw = src.get(seq.span.range())?;
        let close = seq.span.start + raw.rfind(']')?;
        let content = if items.is_empty() {
            item.to_owned()
        } else {
            format!(", {item}")
        };
        let before = src[..close].trim_end().len();
        return Some((Span::new(before, before), content));
    }
    let first = items.first()?;
    let last = items.last()?;
    // The `- ` marker precedes the item on its line.
    let line_start = src[..first.span.start].rfind('\n').map_or(0, |i| i + 1);
    let dash = src[line_start..first.span.start].rfind('-')? + line_start;
    let indent = " ".repeat(column(src, dash));
    if items.iter().any(|i| i.span.start < seq.span.start) {
        return None;
    }
    let at = line_end(src, content_end(src, last.span.end));
    let nl = line_ending(src);
    Some((Span::new(at, at), format!("{nl}{indent}- {item}")))
}

/// The edit that adds `key:` with the block `lines` (each written relative to the key's
/// indentation plus `step`) to the block mapping `map`, after its last entry.
pub fn append_to_map(
    src: &str,
    map: &Node,
    key: &str,
    lines: &[&str],
    step: usize,
) -> Option<(Span, String)> {
    if is_flow(src, map) || !matches!(map.kind, Kind::Map(_)) {
        return None;
    }
    let entries = own_entries(map);
    let first = entries.iter().min_by_key(|(k, _)| k.span.start)?;
    let last_end = entries
        .iter()
        .map(|(k, v)| k.span.end.max(v.span.end))
        .max()?;
    let indent = " ".repeat(column(src, first.0.span.start));
    let inner = " ".repeat(column(src, first.0.span.start) + step);
    let at = line_end(src, content_end(src, last_end));
    let nl = line_ending(src);
    let mut content = format!("{nl}{indent}{key}:");
    for line in lines {
        content.push_str(nl);
        content.push_str(&inner);
        content.push_str(line);
    }
    Some((Span::new(at, at), content))
}

/// The edit adding `name:` with the one-line body `line` to the top-level mapping
/// `section` (`secrets`) of a compose file: after its last entry, or as a new section at
/// the end of the file.
pub fn add_top_level(
    src: &str,
    root: &Node,
    section: &str,
    name: &str,
    line: &str,
    step: usize,
) -> Option<(Span, String)> {
    match root.entry(section) {
        Some((key, defs)) => {
            if key.span.start < root.span.start || defs.as_map().is_none() {
                return None;
            }
            append_to_map(src, defs, name, &[line], step)
        }
        None => {
            // A new block at the end of the file, after a blank line.
            let nl = line_ending(src);
            let indent = " ".repeat(step);
            let body = src.trim_end_matches(['\n', '\r', ' ', '\t']);
            let at = line_end(src, body.len());
            Some((
                Span::new(at, at),
                format!("{nl}{nl}{section}:{nl}{indent}{name}:{nl}{indent}{indent}{line}"),
            ))
        }
    }
}

/// The indentation step a file uses: how much further a nested key is indented than its
/// parent's, read from the first nested mapping of `root` (2 when none tells).
pub fn indent_step(src: &str, root: &Node) -> usize {
    for (k, v) in root.as_map().unwrap_or(&[]) {
        if let Some((inner, _)) = v.as_map().and_then(|m| m.first()) {
            let outer = column(src, k.span.start);
            let nested = column(src, inner.span.start);
            if nested > outer && !is_flow(src, v) {
                return nested - outer;
            }
        }
    }
    2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        crate::yaml::parse(text)
            .expect("yaml")
            .root
            .expect("a document")
    }

    #[test]
    fn edits_apply_in_place() {
        let text = "a: 1\nb: 2\n";
        assert_eq!(
            apply(text, &[(Span::new(8, 9), "3"), (Span::new(3, 4), "x")]),
            "a: x\nb: 3\n"
        );
        assert_eq!(
            apply(text, &[(Span::new(4, 4), "y"), (Span::new(4, 4), "z")]),
            "a: 1yz\nb: 2\n"
        );
    }

    #[test]
    fn scalars_keep_their_quoting() {
        let src = "a: 'pw'\nb: \"pw\"\nc: pw\nd: \"p\\u0077\"\n";
        let at = |needle: &str| {
            let i = src.find(needle).expect("needle");
            Span::new(i, i + needle.len())
        };
        assert_eq!(
            rewrite_scalar(src, at("'pw'"), "pw", "x").as_deref(),
            Some("'x'")
        );
        assert_eq!(
            rewrite_scalar(src, at("\"pw\""), "pw", "x").as_deref(),
            Some("\"x\"")
        );
        assert_eq!(
            rewrite_scalar(src, Span::new(19, 21), "pw", "x").as_deref(),
            Some("x")
        );
        assert_eq!(rewrite_scalar(src, at("\"p\\u0077\""), "pw", "x"), None);
    }

    #[test]
    fn lists_grow_in_their_style() {
        let src = "s:\n  secrets:\n    - a   # first\n  image: x\n";
        let root = parse(src);
        let seq = root.get("s").and_then(|s| s.get("secrets")).expect("seq");
        let (span, content) = append_to_seq(src, seq, "b").expect("edit");
        assert_eq!(
            apply(src, &[(span, &content)]),
            "s:\n  secrets:\n    - a   # first\n    - b\n  image: x\n"
        );
        let src = "s: {secrets: [a, b ], image: x}\n";
        let root = parse(src);
        let seq = root.get("s").and_then(|s| s.get("secrets")).expect("seq");
        let (span, content) = append_to_seq(src, seq, "c").expect("edit");
        assert_eq!(
            apply(src, &[(span, &content)]),
            "s: {secrets: [a, b, c ], image: x}\n"
        );
    }

    #[test]
    fn a_list_of_mappings_grows_after_its_last_mapping() {
        let src = "s:\n  secrets:\n    - source: a\n      target: /etc/a\n  image: x\n";
        let root = parse(src);
        let seq = root.get("s").and_then(|s| s.get("secrets")).expect("seq");
        let (span, content) = append_to_seq(src, seq, "b").expect("edit");
        assert_eq!(
            apply(src, &[(span, &content)]),
            "s:\n  secrets:\n    - source: a\n      target: /etc/a\n    - b\n  image: x\n"
        );
    }

    #[test]
    fn mappings_grow_after_their_last_entry_with_the_file_line_ending() {
        let src = "services:\r\n  db:\r\n    image: postgres\r\n    environment:\r\n      A: b\r\n\r\nvolumes: {}\r\n";
        let root = parse(src);
        let db = root.get("services").and_then(|s| s.get("db")).expect("db");
        let (span, content) = append_to_map(src, db, "secrets", &["- pw"], 2).expect("edit");
        assert_eq!(
            apply(src, &[(span, &content)]),
            "services:\r\n  db:\r\n    image: postgres\r\n    environment:\r\n      A: b\r\n    secrets:\r\n      - pw\r\n\r\nvolumes: {}\r\n"
        );
        assert_eq!(line_ending(src), "\r\n");
        assert_eq!(indent_step(src, &root), 2);
        assert_eq!(indent_step("a:\n    b: 1\n", &parse("a:\n    b: 1\n")), 4);
    }

    #[test]
    fn merged_entries_are_not_where_a_key_is_added() {
        let src = "x: &x\n  image: a\n  user: b\ns:\n  <<: *x\n  init: true\n";
        let root = parse(src);
        let s = root.get("s").expect("s");
        let (span, content) = append_to_map(src, s, "secrets", &["- pw"], 2).expect("edit");
        assert_eq!(
            apply(src, &[(span, &content)]),
            "x: &x\n  image: a\n  user: b\ns:\n  <<: *x\n  init: true\n  secrets:\n    - pw\n"
        );
    }
}
