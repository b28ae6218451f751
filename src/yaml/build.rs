//! Builds [`Node`] trees from parser events, with bounded alias expansion and merge keys.

use std::collections::HashMap;

use super::libyaml::{self, EventKind, ScalarStyle, SyntaxError};
use super::{Kind, Node, Scalar, Style};
use crate::source::Span;

/// Upper bound on the nodes one document may hold, alias copies included (a node costs
/// about 150 bytes: the bound keeps a document under 100 MB). Real compose files hold a
/// few thousand; only a file of several megabytes of YAML reaches it.
pub const MAX_NODES: usize = 500_000;

/// Upper bound on the nodes alias copies may add to one document. A 2 KB alias bomb
/// reaches it in a millisecond and the file is reported instead of exhausting memory;
/// an anchor of 50 nodes merged into 200 services adds 10,000.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// Deepest nesting accepted; deeper documents are reported rather than risking the stack.
const MAX_DEPTH: usize = 512;

/// A problem found while reading the YAML that does not stop the reading.
#[derive(Debug, Clone)]
pub struct Problem {
    pub message: String,
    pub span: Span,
}

#[derive(Debug)]
pub struct ParseOutcome {
    /// The first document's root, `None` for an empty file.
    pub root: Option<Node>,
    /// The roots of the documents after the first (`---`): Compose merges a file's
    /// documents in order, as it merges files.
    pub later: Vec<Node>,
    /// Problems that Compose would also refuse (duplicate keys).
    pub problems: Vec<Problem>,
}

/// Parse YAML text. `Err` when the text is not YAML (with the position) or its expansion
/// goes past the limits.
///
/// The first document is the root and later documents come in `later`, all within the
/// same limits: Compose reads every document of a file (and refuses it when any of them is
/// not YAML).
pub fn parse(text: &str) -> Result<ParseOutcome, Problem> {
    let mut builder = Builder {
        anchors: HashMap::new(),
        stack: Vec::new(),
        produced: 0,
        aliased: 0,
        problems: Vec::new(),
        root: None,
        later: Vec::new(),
    };
    let mut parser = libyaml::Parser::new(text);
    while let Some(event) = parser.next_event().map_err(syntax_problem)? {
        let span = Span::new(event.start.offset, event.end.offset);
        builder.event(event.kind, span)?;
    }
    Ok(ParseOutcome {
        root: builder.root,
        later: builder.later,
        problems: builder.problems,
    })
}

/// `invalid YAML: <what> at line L column C`, with the construct being read when libyaml
/// names it.
fn syntax_problem(e: SyntaxError) -> Problem {
    let mut message = format!(
        "invalid YAML: {} at line {} column {}",
        e.problem, e.mark.line, e.mark.column
    );
    if let Some((context, at)) = &e.context {
        message.push_str(&format!(
            " ({context} at line {} column {})",
            at.line, at.column
        ));
    }
    Problem {
        message,
        span: Span::new(e.mark.offset, e.mark.offset),
    }
}

enum Frame {
    Seq {
        anchor: Option<String>,
        tag: Option<String>,
        start: usize,
        items: Vec<Node>,
    },
    Map {
        anchor: Option<String>,
        tag: Option<String>,
        start: usize,
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
    },
}

struct Builder {
    anchors: HashMap<String, Node>,
    stack: Vec<Frame>,
    produced: usize,
    /// Nodes added by alias copies so far.
    aliased: usize,
    problems: Vec<Problem>,
    /// The first document's root.
    root: Option<Node>,
    /// The later documents' roots.
    later: Vec<Node>,
}

impl Builder {
    /// Handle one event.
    fn event(&mut self, event: EventKind, span: Span) -> Result<(), Problem> {
        match event {
            // Anchors belong to their document.
            EventKind::DocumentStart => self.anchors.clear(),
            EventKind::DocumentEnd => {}
            EventKind::Scalar {
                value,
                style,
                anchor,
                tag,
            } => {
                let node = Node {
                    kind: Kind::Scalar(Scalar {
                        value,
                        style: match style {
                            ScalarStyle::Plain => Style::Plain,
                            ScalarStyle::SingleQuoted => Style::SingleQuoted,
                            ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                            ScalarStyle::Literal => Style::Literal,
                            ScalarStyle::Folded => Style::Folded,
                        },
                    }),
                    span,
                    tag,
                };
                self.count(1, span)?;
                self.finish(node, anchor)?;
            }
            EventKind::Alias { anchor } => {
                let Some(node) = self.anchors.get(&anchor) else {
                    return Err(Problem {
                        message: format!("invalid YAML: alias to an unknown anchor `{anchor}`"),
                        span,
                    });
                };
                let size = node_count(node, MAX_ALIAS_NODES.saturating_sub(self.aliased) + 1);
                self.aliased = self.aliased.saturating_add(size);
                if self.aliased > MAX_ALIAS_NODES {
                    return Err(Problem {
                        message: format!(
                            "YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?); file skipped"
                        ),
                        span,
                    });
                }
                let node = node.clone();
                self.count(size, span)?;
                self.finish(node, None)?;
            }
            EventKind::SequenceStart { anchor, tag } => {
                self.push(
                    Frame::Seq {
                        anchor,
                        tag,
                        start: span.start,
                        items: Vec::new(),
                    },
                    span,
                )?;
            }
            EventKind::MappingStart { anchor, tag } => {
                self.push(
                    Frame::Map {
                        anchor,
                        tag,
                        start: span.start,
                        entries: Vec::new(),
                        pending_key: None,
                    },
                    span,
                )?;
            }
            EventKind::SequenceEnd | EventKind::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (node, anchor) = match frame {
                    Frame::Seq {
                        anchor,
                        tag,
                        start,
                        items,
                    } => (
                        Node {
                            kind: Kind::Seq(items.into()),
                            span: Span::new(start, span.end),
                            tag,
                        },
                        anchor,
                    ),
                    Frame::Map {
                        anchor,
                        tag,
                        start,
                        entries,
                        ..
                    } => {
                        let entries = self.merge_keys(entries);
                        (
                            Node {
                                kind: Kind::Map(entries.into()),
                                span: Span::new(start, span.end),
                                tag,
                            },
                            anchor,
                        )
                    }
                };
                self.count(1, span)?;
                self.finish(node, anchor)?;
            }
            EventKind::StreamStart | EventKind::StreamEnd => {}
        }
        Ok(())
    }

    fn push(&mut self, frame: Frame, span: Span) -> Result<(), Problem> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Problem {
                message: format!("YAML nested deeper than {MAX_DEPTH} levels"),
                span,
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), Problem> {
        self.produced = self.produced.saturating_add(n);
        if self.produced > MAX_NODES {
            return Err(Problem {
                message: format!(
                    "the YAML document holds more than {MAX_NODES} nodes; file skipped"
                ),
                span,
            });
        }
        Ok(())
    }

    /// Attach a completed node to its parent (or make it the root).
    fn finish(&mut self, node: Node, anchor: Option<String>) -> Result<(), Problem> {
        if let Some(anchor) = anchor {
            // A later anchor of the same name replaces the earlier one from here on.
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                } else {
                    self.later.push(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    if let Some(name) = key.as_str() {
                        let merge = is_merge_key(&key);
                        if !merge
                            && entries
                                .iter()
                                .any(|(k, _)| k.as_str() == Some(name) && !is_merge_key(k))
                        {
                            self.problems.push(Problem {
                                message: format!("duplicate key `{name}` in a mapping"),
                                span: key.span,
                            });
                        }
                    }
                    entries.push((key, node));
                }
            },
        }
        Ok(())
    }

    /// Expand `<<` entries: explicit keys win; among merged mappings, earlier ones win.
    fn merge_keys(&mut self, entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
        if !entries.iter().any(|(k, _)| is_merge_key(k)) {
            return entries;
        }
        let mut explicit = Vec::with_capacity(entries.len());
        let mut sources: Vec<Node> = Vec::new();
        for (k, v) in entries {
            if is_merge_key(&k) {
                match v.kind {
                    Kind::Map(_) => sources.push(v),
                    Kind::Seq(items) => {
                        for item in items.iter().cloned() {
                            if matches!(item.kind, Kind::Map(_)) {
                                sources.push(item);
                            } else {
                                self.problems.push(Problem {
                                    message: "a `<<` merge list may only hold mappings".into(),
                                    span: item.span,
                                });
                            }
                        }
                    }
                    // Compose (go-yaml) refuses `<<: ~` too.
                    _ => self.problems.push(Problem {
                        message: "a `<<` merge key needs a mapping or a list of mappings".into(),
                        span: v.span,
                    }),
                }
            } else {
                explicit.push((k, v));
            }
        }
        let mut merged: Vec<(Node, Node)> = Vec::new();
        for source in sources {
            if let Kind::Map(items) = source.kind {
                for (k, v) in items.iter().cloned() {
                    let name = k.as_str().map(str::to_owned);
                    let present = name.as_deref().is_some_and(|n| {
                        explicit.iter().any(|(e, _)| e.as_str() == Some(n))
                            || merged.iter().any(|(e, _)| e.as_str() == Some(n))
                    });
                    if !present {
                        merged.push((k, v));
                    }
                }
            }
        }
        explicit.extend(merged);
        explicit
    }
}

fn is_merge_key(key: &Node) -> bool {
    matches!(&key.kind, Kind::Scalar(s) if s.style == Style::Plain && s.value == "<<")
}

/// Number of nodes in a tree, counting at most `limit`.
fn node_count(node: &Node, limit: usize) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        if count >= limit {
            return count;
        }
        match &n.kind {
            Kind::Scalar(_) => {}
            Kind::Seq(items) => stack.extend(items.iter()),
            Kind::Map(entries) => {
                for (k, v) in entries.iter() {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        parse(text).expect("valid yaml").root.expect("a document")
    }

    fn at<'a>(text: &'a str, node: &Node) -> &'a str {
        &text[node.span.range()]
    }

    #[test]
    fn spans_are_bytes_after_multibyte_characters() {
        let text = "x: \"héllo wörld\"\npassword: s3cr3t\n";
        let r = root(text);
        assert_eq!(at(text, r.get("password").unwrap()), "s3cr3t");
        assert_eq!(at(text, r.get("x").unwrap()), "\"héllo wörld\"");
    }

    #[test]
    fn bom_is_skipped_in_offsets() {
        let text = "\u{feff}a: b\n";
        let r = root(text);
        assert_eq!(at(text, r.get("a").unwrap()), "b");
    }

    #[test]
    fn merged_values_keep_the_span_where_they_are_written() {
        let text = "x-env: &env\n  A: one\n  B: two\nsvc:\n  <<: *env\n  B: three\n";
        let r = root(text);
        let svc = r.get("svc").unwrap();
        let keys: Vec<&str> = svc.entries().map(|(k, _, _)| k).collect();
        assert_eq!(keys, ["B", "A"]);
        assert_eq!(svc.get("B").unwrap().as_str(), Some("three"));
        let a = svc.get("A").unwrap();
        assert_eq!(at(text, a), "one");
        assert_eq!(text[..a.span.start].lines().count(), 2);
    }

    #[test]
    fn merge_list_earlier_mappings_win() {
        let text = "a: &a {k: 1}\nb: &b {k: 2, j: 3}\nc:\n  <<: [*a, *b]\n";
        let c = root(text).get("c").cloned().unwrap();
        assert_eq!(c.get("k").unwrap().as_str(), Some("1"));
        assert_eq!(c.get("j").unwrap().as_str(), Some("3"));
    }

    #[test]
    fn quoted_merge_key_is_an_ordinary_key() {
        let c = root("c:\n  \"<<\": {k: 1}\n").get("c").cloned().unwrap();
        assert!(c.get("<<").is_some());
    }

    #[test]
    fn tags_and_styles_are_kept() {
        let text = "a: !reset []\nb: !override {x: 1}\nm: 0440\nq: \"0440\"\nl: |\n  x\n";
        let r = root(text);
        assert_eq!(r.get("a").unwrap().tag.as_deref(), Some("!reset"));
        assert_eq!(r.get("b").unwrap().tag.as_deref(), Some("!override"));
        assert_eq!(r.get("m").unwrap().scalar().unwrap().style, Style::Plain);
        assert_eq!(r.get("m").unwrap().as_str(), Some("0440"));
        assert_eq!(
            r.get("q").unwrap().scalar().unwrap().style,
            Style::DoubleQuoted
        );
        assert_eq!(r.get("l").unwrap().scalar().unwrap().style, Style::Literal);
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let out = parse("a: 1\nb: 2\na: 3\n").unwrap();
        assert_eq!(out.problems.len(), 1);
        assert!(out.problems[0].message.contains("duplicate key `a`"));
    }

    #[test]
    fn alias_bomb_is_stopped_quickly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(text.len() < 2048);
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("alias bomb"));
    }

    #[test]
    fn documents_too_large_are_stopped_without_blaming_aliases() {
        let text = format!("[{}]", "x,".repeat(MAX_NODES + 1));
        let err = parse(&text).unwrap_err();
        assert!(
            err.message.contains("more than 500000 nodes"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("alias"), "{}", err.message);
        // Just under the bound is fine.
        let text = format!("[{}]", "x,".repeat(MAX_NODES - 10));
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000);
        assert!(parse(&text).is_err());
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let text = "a: b\n  c: d\n: :\n";
        let err = parse(text).unwrap_err();
        assert!(err.message.starts_with("invalid YAML"));
        assert!(err.span.start <= text.len());
    }

    #[test]
    fn ranges_inside_block_scalars_land_on_their_lines() {
        let text = "k: |\n  first line\n  pw=Sx9-fake\n  third\nnext: 1\n";
        let r = root(text);
        let node = r.get("k").unwrap();
        let value = node.as_str().unwrap();
        let at = value.find("Sx9").unwrap();
        let span = super::super::locate_in_scalar(text, node, at..at + 8);
        assert_eq!(&text[span.range()], "Sx9-fake");
        let whole = super::super::locate_in_scalar(
            text,
            node,
            value.find("pw").unwrap()..value.find("third").unwrap() + 5,
        );
        assert_eq!(&text[whole.range()], "pw=Sx9-fake\n  third");
    }

    #[test]
    fn flow_collections_may_close_left_of_their_key() {
        // As Compose (go-yaml) reads it; from getsentry/self-hosted.
        let text = "services:\n  web:\n    healthcheck:\n      test: [\n        \"CMD-SHELL\",\n        \"wget\"\n      ]\n    ports: [\n  \"80:80\"\n]\n";
        let r = root(text);
        let web = r.get("services").and_then(|s| s.get("web")).unwrap();
        let test = web.get("healthcheck").and_then(|h| h.get("test")).unwrap();
        assert_eq!(test.as_seq().unwrap().len(), 2);
        assert!(at(text, test).starts_with('[') && at(text, test).ends_with(']'));
        assert_eq!(
            at(text, &web.get("ports").unwrap().as_seq().unwrap()[0]),
            "\"80:80\""
        );
    }

    #[test]
    fn syntax_errors_say_what_and_where() {
        let err = parse("a: [b\n").unwrap_err();
        assert!(
            err.message.starts_with("invalid YAML: ") && err.message.contains(" at line "),
            "{}",
            err.message
        );
        let err = parse("a: \"x\u{1}\"\n").unwrap_err();
        assert!(
            err.message.contains("at line 1 column 6"),
            "{}",
            err.message
        );
        assert_eq!(err.span.start, 5);
    }

    #[test]
    fn bom_counts_in_spans_and_error_offsets() {
        let text = "\u{feff}a: b\nc: [\n";
        let err = parse(text).unwrap_err();
        assert!(err.span.start <= text.len());
        let text = "\u{feff}a: b\n";
        assert_eq!(root(text).get("a").unwrap().span.start, 6);
    }

    #[test]
    fn later_documents_are_checked_and_kept_apart() {
        let out = parse("a: 1\n---\nb: 2\nb: 3\n").unwrap();
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.later.len(), 1);
        assert!(out.later[0].get("b").is_some());
        assert!(parse("a: 1\n---\nb: [\n").is_err());
        // Anchors do not carry over to the next document.
        assert!(parse("a: &x 1\n---\nb: *x\n").is_err());
    }

    #[test]
    fn null_merge_is_a_problem_as_in_compose() {
        assert_eq!(parse("a:\n  <<: ~\n").unwrap().problems.len(), 1);
    }

    /// Every node's span lies in the text and on character boundaries.
    fn check_spans(text: &str, node: &Node) {
        assert!(node.span.start <= node.span.end && node.span.end <= text.len());
        assert!(text.is_char_boundary(node.span.start) && text.is_char_boundary(node.span.end));
        match &node.kind {
            Kind::Scalar(_) => {}
            Kind::Seq(items) => items.iter().for_each(|n| check_spans(text, n)),
            Kind::Map(entries) => entries.iter().for_each(|(k, v)| {
                check_spans(text, k);
                check_spans(text, v);
            }),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Any text made of YAML's indicators, blanks, breaks and multibyte characters is
        /// parsed or refused without a panic, with spans and error offsets inside the text.
        #[test]
        fn any_text_parses_or_fails_cleanly(
            text in r#"\x{FEFF}?[ \t\r\n\-?:,\[\]{}#&*!|>'"%@`a-c0-9é€😀\\.~<=]{0,120}"#
        ) {
            match parse(&text) {
                Ok(out) => {
                    if let Some(root) = &out.root {
                        check_spans(&text, root);
                    }
                    for p in &out.problems {
                        proptest::prop_assert!(p.span.end <= text.len());
                    }
                }
                Err(p) => {
                    proptest::prop_assert!(p.span.end <= text.len());
                    proptest::prop_assert!(text.is_char_boundary(p.span.start));
                }
            }
        }

        /// Plain multibyte words land exactly on their bytes, BOM or not.
        #[test]
        fn word_spans_are_exact(
            bom in proptest::bool::ANY,
            words in proptest::collection::vec("[a-zé€😀]{1,8}", 1..8)
        ) {
            let mut text = String::from(if bom { "\u{feff}" } else { "" });
            text.push_str("k: [\n");
            for w in &words {
                text.push_str(&format!("{w},\n"));
            }
            text.push_str("]\n");
            let r = root(&text);
            let items = r.get("k").and_then(Node::as_seq).unwrap_or(&[]);
            proptest::prop_assert_eq!(items.len(), words.len());
            for (node, w) in items.iter().zip(&words) {
                proptest::prop_assert_eq!(at(&text, node), w.as_str());
            }
        }
    }

    #[test]
    fn the_first_document_is_the_root() {
        let r = root("a: 1\n---\nb: 2\n");
        assert!(r.get("a").is_some());
        assert!(r.get("b").is_none());
    }
}
