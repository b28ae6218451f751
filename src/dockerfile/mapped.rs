//! Text assembled from pieces of a source file, with a map back to source byte offsets.

use std::ops::Range;

/// One piece of a [`MappedText`]: `len` bytes of `text` starting at `text_start`.
///
/// A verbatim piece maps byte for byte onto `src_start..src_start + len`; a synthetic
/// piece maps every byte onto the single source point `src_start`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    text_start: usize,
    len: usize,
    src_start: usize,
    synthetic: bool,
}

/// Text assembled from pieces of a source file, with a map back to source byte offsets.
///
/// Pieces are expected to be pushed in increasing source order (the parser always does);
/// the mapping never panics when they are not, it only becomes less precise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappedText {
    /// The assembled text.
    pub text: String,
    pieces: Vec<Piece>,
    /// Source point used for ranges of an empty text.
    anchor: usize,
}

impl MappedText {
    /// An empty text anchored at source offset 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty text whose (empty) ranges map to the source point `at`.
    pub fn empty_at(at: usize) -> Self {
        MappedText {
            anchor: at,
            ..Self::default()
        }
    }

    /// Append `s`, a verbatim copy of `source[src_start..src_start + s.len()]`.
    pub fn push_source(&mut self, s: &str, src_start: usize) {
        if s.is_empty() {
            return;
        }
        if self.pieces.is_empty() {
            self.anchor = src_start;
        }
        let text_start = self.text.len();
        // Merge with the previous piece when it is contiguous in both spaces.
        if let Some(last) = self.pieces.last_mut()
            && !last.synthetic
            && last.text_start + last.len == text_start
            && last.src_start + last.len == src_start
        {
            last.len += s.len();
            self.text.push_str(s);
            return;
        }
        self.pieces.push(Piece {
            text_start,
            len: s.len(),
            src_start,
            synthetic: false,
        });
        self.text.push_str(s);
    }

    /// Append `s`, text that is not verbatim in the source; all of it maps to the point `src_at`.
    pub fn push_synthetic(&mut self, s: &str, src_at: usize) {
        if s.is_empty() {
            return;
        }
        if self.pieces.is_empty() {
            self.anchor = src_at;
        }
        self.pieces.push(Piece {
            text_start: self.text.len(),
            len: s.len(),
            src_start: src_at,
            synthetic: true,
        });
        self.text.push_str(s);
    }

    /// Length of the text in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// True when the text is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Index of the last piece whose `text_start <= p` (pieces are sorted by `text_start`).
    fn piece_at_or_before(&self, p: usize) -> Option<usize> {
        let idx = self.pieces.partition_point(|pc| pc.text_start <= p);
        idx.checked_sub(1)
    }

    /// Source offset of the character starting at text offset `p`.
    fn map_start(&self, p: usize) -> usize {
        if p >= self.text.len() {
            return self.map_end(self.text.len());
        }
        match self.piece_at_or_before(p).and_then(|i| self.pieces.get(i)) {
            Some(pc) if pc.synthetic => pc.src_start,
            Some(pc) => pc.src_start + (p - pc.text_start),
            None => self.anchor,
        }
    }

    /// Source offset just after the character ending at text offset `p`.
    fn map_end(&self, p: usize) -> usize {
        let p = p.min(self.text.len());
        if p == 0 {
            return self.anchor;
        }
        match self
            .piece_at_or_before(p - 1)
            .and_then(|i| self.pieces.get(i))
        {
            Some(pc) if pc.synthetic => pc.src_start,
            Some(pc) => pc.src_start + (p - pc.text_start).min(pc.len),
            None => self.anchor,
        }
    }

    /// Map a range of `text` to a source byte range (start of first char .. end of last char).
    ///
    /// Never panics. An empty range at `p` maps to an empty source range just after the
    /// character before `p` (at the first character when `p` is 0, at the anchor when the
    /// text is empty).
    /// Ranges beyond the text are clamped.
    pub fn to_source(&self, r: Range<usize>) -> Range<usize> {
        let len = self.text.len();
        let start = r.start.min(len);
        let end = r.end.min(len).max(start);
        if start == end {
            // A point maps to just after the previous character, so that an empty value at
            // the end of a line stays on that line; offset 0 maps to the first character.
            let p = if start == 0 {
                self.map_start(0)
            } else {
                self.map_end(start)
            };
            return p..p;
        }
        let s = self.map_start(start);
        let e = self.map_end(end);
        s..e.max(s)
    }

    /// Map a single text offset to a source offset (as an empty range, see [`Self::to_source`]).
    pub fn source_offset(&self, p: usize) -> usize {
        self.to_source(p..p).start
    }

    /// Source range covered by the whole text.
    pub fn source_span(&self) -> Range<usize> {
        self.to_source(0..self.text.len())
    }

    /// The sub-text `text[r]` with its mapping. Returns an empty text anchored at the
    /// mapped start when `r` is empty or not on char boundaries.
    pub fn slice(&self, r: Range<usize>) -> MappedText {
        let len = self.text.len();
        let start = r.start.min(len);
        let end = r.end.min(len).max(start);
        let mut out = MappedText::empty_at(self.to_source(start..start).start);
        if start == end || self.text.get(start..end).is_none() {
            return out;
        }
        let first = self.piece_at_or_before(start).unwrap_or(0);
        for pc in self.pieces.iter().skip(first) {
            if pc.text_start >= end {
                break;
            }
            let a = pc.text_start.max(start);
            let b = (pc.text_start + pc.len).min(end);
            if a >= b {
                continue;
            }
            let Some(s) = self.text.get(a..b) else {
                continue;
            };
            if pc.synthetic {
                out.push_synthetic(s, pc.src_start);
            } else {
                out.push_source(s, pc.src_start + (a - pc.text_start));
            }
        }
        out
    }

    /// Check the mapping against `src`: verbatim pieces equal the source, synthetic points
    /// are char boundaries.
    #[cfg(test)]
    pub(crate) fn verify(&self, src: &str) -> Result<(), String> {
        for pc in &self.pieces {
            let t = self.text.get(pc.text_start..pc.text_start + pc.len);
            if pc.synthetic {
                if !src.is_char_boundary(pc.src_start) {
                    return Err(format!("synthetic point {} not a boundary", pc.src_start));
                }
            } else if src.get(pc.src_start..pc.src_start + pc.len) != t {
                return Err(format!("piece {pc:?} does not match the source"));
            }
        }
        if !src.is_char_boundary(self.anchor) {
            return Err(format!("anchor {} not a boundary", self.anchor));
        }
        Ok(())
    }

    /// The same text with leading and trailing ASCII whitespace removed.
    pub fn trimmed(&self) -> MappedText {
        let t = self.text.as_str();
        let start = t.len() - t.trim_start_matches(is_blank).len();
        let end = t.trim_end_matches(is_blank).len().max(start);
        self.slice(start..end)
    }
}

fn is_blank(c: char) -> bool {
    c.is_ascii_whitespace()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_pieces_map_exactly() {
        let src = "RUN a \\\n  b c\n";
        let mut m = MappedText::new();
        m.push_source(&src[4..6], 4); // "a "
        m.push_source(&src[8..13], 8); // "  b c"
        assert_eq!(m.text, "a   b c");
        assert_eq!(&src[m.to_source(0..1)], "a");
        assert_eq!(&src[m.to_source(4..5)], "b");
        // A range spanning the join covers the continuation in the source.
        assert_eq!(&src[m.to_source(0..5)], "a \\\n  b");
        assert_eq!(m.to_source(7..7), 13..13);
        assert_eq!(m.to_source(100..200), 13..13);
        assert_eq!(&src[m.source_span()], "a \\\n  b c");
    }

    #[test]
    fn synthetic_maps_to_a_point() {
        let src = "ab\r\ncd";
        let mut m = MappedText::new();
        m.push_source("ab", 0);
        m.push_synthetic("\n", 2);
        m.push_source("cd", 4);
        assert_eq!(m.text, "ab\ncd");
        assert_eq!(m.to_source(2..3), 2..2);
        assert_eq!(&src[m.to_source(1..4)], "b\r\nc");
    }

    #[test]
    fn contiguous_pieces_merge_and_slice() {
        let src = "héllo wörld";
        let mut m = MappedText::new();
        m.push_source(&src[..3], 0);
        m.push_source(&src[3..], 3);
        assert_eq!(m.pieces.len(), 1);
        let w = m.text.find('w').unwrap_or(0);
        let s = m.slice(w..m.text.len());
        assert_eq!(s.text, "wörld");
        assert_eq!(&src[s.source_span()], "wörld");
        assert_eq!(&src[s.to_source(1..3)], "ö");
        // Not a char boundary: empty, but still anchored.
        let bad = m.slice(2..3);
        assert!(bad.is_empty());
    }

    #[test]
    fn empty_text_maps_to_anchor() {
        let m = MappedText::empty_at(7);
        assert_eq!(m.to_source(0..0), 7..7);
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 3..1;
        assert_eq!(m.to_source(reversed), 7..7);
        let n = MappedText::new();
        assert_eq!(n.source_span(), 0..0);
    }
}
