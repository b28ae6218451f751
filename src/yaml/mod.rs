//! A YAML tree that keeps a byte span on every node, built from libyaml's events.
//!
//! Why libyaml ([`libyaml`]): Docker Compose reads YAML with go-yaml, a port of libyaml, so
//! the same scanner decides what is YAML; a YAML 1.2 parser refuses files Compose reads.
//! Why our own tree rather than a library's: libraries expand aliases eagerly (an alias
//! bomb would exhaust memory before we could stop it) and type scalars by a schema, while
//! Compose reads some of them as YAML 1.1. Here:
//! - spans are byte offsets into the text (a leading byte order mark included);
//! - aliases are copies of the anchored node that keep the *definition's* spans, and the
//!   nodes alias copies add ([`MAX_ALIAS_NODES`]) and all nodes ([`MAX_NODES`]) are bounded;
//! - `<<` merge keys (one alias, or a list of them) are expanded the way Compose does:
//!   keys written in the mapping win, then earlier merged mappings win over later ones;
//! - scalars keep their text and style, so a rule can tell `mode: 0440` from `"0440"`;
//! - tags (`!reset`, `!override`, unknown ones) are kept on the node;
//! - duplicate keys are reported as problems (Compose refuses such files).

mod build;
mod libyaml;

pub use build::{MAX_ALIAS_NODES, MAX_NODES, ParseOutcome, Problem, parse};

use std::sync::Arc;

use crate::source::Span;

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone)]
pub struct Scalar {
    /// The value after YAML unquoting and folding.
    pub value: String,
    pub style: Style,
}

/// A node's content. Children are shared, not copied, when a node is cloned (an alias, a
/// service part keeping its subtree): a clone costs one reference count.
#[derive(Debug, Clone)]
pub enum Kind {
    Scalar(Scalar),
    Seq(Arc<[Node]>),
    Map(Arc<[(Node, Node)]>),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    /// Where the node is written (for an alias: where the anchored node is written).
    pub span: Span,
    /// Tag as written, e.g. `!reset`, `!!str`.
    pub tag: Option<String>,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) => Some(&s.value),
            _ => None,
        }
    }
    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }
    /// A plain `null`, `~` or empty value.
    pub fn is_null(&self) -> bool {
        match &self.kind {
            Kind::Scalar(s) => {
                s.style == Style::Plain
                    && matches!(s.value.as_str(), "" | "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }
    /// Value of `key` in a mapping (the first one when duplicated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }
    /// Key node and value node of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }
    /// Entries of a mapping whose keys are scalars.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Node, &Node)> {
        self.as_map()
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?, k, v)))
    }
    /// A human word for the node's kind, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar(_) if self.is_null() => "null",
            Kind::Scalar(_) => "a scalar",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
    /// YAML 1.1 boolean reading, as Compose does (`true`, `yes`, `on`, ...).
    pub fn as_bool(&self) -> Option<bool> {
        let s = self.scalar()?;
        if s.style != Style::Plain {
            return None;
        }
        match s.value.as_str() {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
                Some(true)
            }
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n"
            | "N" => Some(false),
            _ => None,
        }
    }
}

/// Span of the part of a scalar's value written in the source, for a byte range of the
/// *value*. Works for plain and quoted scalars and for literal blocks, where the value's
/// lines are written verbatim; a range over several lines of a block runs from where its
/// first line is written to where its last line ends. Falls back to the whole node.
pub fn locate_in_scalar(source: &str, node: &Node, value_range: std::ops::Range<usize>) -> Span {
    let Some(text) = node.as_str().and_then(|v| v.get(value_range.clone())) else {
        return node.span;
    };
    let Some(first_nl) = text.find('\n') else {
        return locate_line(source, node, value_range);
    };
    let last_nl = text.rfind('\n').unwrap_or(first_nl);
    let first = locate_line(
        source,
        node,
        value_range.start..value_range.start + first_nl,
    );
    if first == node.span {
        return node.span;
    }
    let last_start = value_range.start + last_nl + 1;
    if last_start >= value_range.end {
        return first;
    }
    let last = locate_line(source, node, last_start..value_range.end);
    if last == node.span || last.end < first.start {
        return first;
    }
    Span::new(first.start, last.end)
}

/// [`locate_in_scalar`] for a range within one line of the value.
fn locate_line(source: &str, node: &Node, value_range: std::ops::Range<usize>) -> Span {
    let Some(value) = node.as_str() else {
        return node.span;
    };
    let Some(needle) = value.get(value_range.clone()) else {
        return node.span;
    };
    let raw = source.get(node.span.range()).unwrap_or("");
    if needle.is_empty() || raw.is_empty() {
        return node.span;
    }
    // The n-th occurrence in the value is taken to be the n-th occurrence in the source.
    let nth = value
        .get(..value_range.start)
        .map_or(0, |before| before.matches(needle).count());
    match raw.match_indices(needle).nth(nth) {
        Some((i, _)) => Span::new(node.span.start + i, node.span.start + i + needle.len()),
        None => node.span,
    }
}
