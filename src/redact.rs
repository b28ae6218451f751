//! Keeping secrets out of every output.

use crate::finding::Finding;
use crate::source::Span;

pub use crate::detect::classify::redact;

/// A copy of a file's text with every secret replaced by its [`redact`]ed form, and the
/// map from offsets in the original text to offsets in the copy.
#[derive(Debug, Clone)]
pub struct Masked {
    pub text: String,
    /// Replaced regions: (original range, range in `text`), in order.
    regions: Vec<(Span, Span)>,
}

impl Masked {
    /// Where an offset of the original text lies in the masked text. Offsets inside a
    /// secret map to the start of its masked form (or its end, with `at_end`).
    pub fn map(&self, offset: usize, at_end: bool) -> usize {
        let mut shift: isize = 0;
        for (orig, new) in &self.regions {
            if offset < orig.start {
                break;
            }
            if offset < orig.end {
                return if at_end { new.end } else { new.start };
            }
            shift = new.end as isize - orig.end as isize;
        }
        (offset as isize + shift).max(0) as usize
    }

    /// A span of the original text in the masked text.
    pub fn map_span(&self, span: Span) -> Span {
        Span::new(self.map(span.start, false), self.map(span.end, true))
    }
}

/// Mask every secret span of `text` (overlapping spans are merged). The masked form of a
/// secret hides its length: see [`redact`]. Line breaks inside a secret are kept so that
/// line numbers after it stay right.
pub fn mask(text: &str, secrets: &[Span]) -> Masked {
    let mut spans: Vec<Span> = secrets
        .iter()
        .copied()
        .filter(|s| {
            s.end <= text.len()
                && text.is_char_boundary(s.start)
                && text.is_char_boundary(s.end)
                && !s.is_empty()
        })
        .collect();
    spans.sort();
    let mut merged: Vec<Span> = Vec::new();
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut regions = Vec::with_capacity(merged.len());
    let mut at = 0;
    for s in merged {
        out.push_str(&text[at..s.start]);
        let value = &text[s.range()];
        let start = out.len();
        let lines: Vec<&str> = value.split('\n').collect();
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let (body, cr) = match line.strip_suffix('\r') {
                Some(b) => (b, "\r"),
                None => (*line, ""),
            };
            if !body.is_empty() {
                out.push_str(&redact(body));
            }
            out.push_str(cr);
        }
        regions.push((s, Span::new(start, out.len())));
        at = s.end;
    }
    out.push_str(&text[at..]);
    Masked { text: out, regions }
}

/// The text of [`mask`] alone.
pub fn mask_text(text: &str, secrets: &[Span]) -> String {
    mask(text, secrets).text
}

/// The spans of all secrets in findings of one file.
pub fn secret_spans<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<Span> {
    findings.filter_map(|f| f.secret).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn masking_hides_the_length_and_maps_offsets() {
        let text = "PASSWORD: hunter2\nx: y\n";
        let m = mask(text, &[Span::new(10, 17)]);
        assert_eq!(m.text, "PASSWORD: h****2\nx: y\n");
        assert_eq!(m.map_span(Span::new(10, 17)), Span::new(10, 16));
        assert_eq!(m.map(18, false), 17);
        assert_eq!(&m.text[m.map(18, false)..m.map(19, true)], "x");
    }

    #[test]
    fn multi_line_secrets_keep_their_lines() {
        let text = "k: |\n  -----BEGIN PRIVATE KEY-----\n  MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n  -----END PRIVATE KEY-----\nnext: 1\n";
        let start = text.find("-----BEGIN").unwrap();
        let end = text.find("\nnext").unwrap();
        let m = mask(text, &[Span::new(start, end)]);
        assert_eq!(m.text.lines().count(), text.lines().count());
        assert!(!m.text.contains("MIIEvQ"));
        assert!(m.text.ends_with("next: 1\n"));
    }

    proptest! {
        #[test]
        fn never_more_than_a_third_in_clear(value in "\\PC{0,60}") {
            let shown = redact(&value);
            let clear = shown.chars().filter(|c| *c != '*').count();
            let stars_in_value = value.chars().filter(|c| *c == '*').count();
            prop_assert!(clear <= value.chars().count() / 3 + stars_in_value);
            prop_assert!(clear <= 4 + stars_in_value);
        }

        #[test]
        fn mapped_offsets_are_boundaries_of_the_masked_text(text in "\\PC{0,80}", a in 0usize..80, b in 0usize..80, probe in 0usize..90) {
            let (s, e) = (a.min(b), a.max(b));
            let s = crate::source::floor_char_boundary(&text, s);
            let e = crate::source::floor_char_boundary(&text, e);
            let m = mask(&text, &[Span::new(s, e)]);
            let p = crate::source::floor_char_boundary(&text, probe);
            for at_end in [false, true] {
                let q = m.map(p, at_end);
                prop_assert!(q <= m.text.len() && m.text.is_char_boundary(q));
            }
        }
    }
}
