//! Keeping secrets out of every output.

use crate::finding::Finding;
use crate::source::Span;

pub use crate::detect::classify::redact;

/// A copy of `text` where every secret span is masked as [`redact`] shows it, with the
/// same byte length so that spans stay valid (masked characters become `*` repeated by
/// their UTF-8 length).
pub fn mask_text(text: &str, secrets: &[Span]) -> String {
    let mut out = text.to_owned();
    for span in secrets {
        let Some(value) = text.get(span.range()) else {
            continue;
        };
        let chars: Vec<(usize, char)> = value.char_indices().collect();
        let n = chars.len();
        let side = if n < 6 { 0 } else { (n / 6).min(2) };
        let mut masked = String::with_capacity(value.len());
        for (i, (_, c)) in chars.iter().enumerate() {
            if i < side || i >= n - side || *c == '\n' || *c == '\r' {
                masked.push(*c);
            } else {
                masked.extend(std::iter::repeat_n('*', c.len_utf8()));
            }
        }
        out.replace_range(span.range(), &masked);
    }
    out
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
    fn masking_keeps_offsets() {
        let text = "PASSWORD: hunter2\nx: y\n";
        let masked = mask_text(text, &[Span::new(10, 17)]);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked, "PASSWORD: h*****2\nx: y\n");
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
        fn masked_text_has_the_same_length(text in "\\PC{0,80}", a in 0usize..80, b in 0usize..80) {
            let (s, e) = (a.min(b), a.max(b));
            let s = crate::source::floor_char_boundary(&text, s);
            let e = crate::source::floor_char_boundary(&text, e);
            let masked = mask_text(&text, &[Span::new(s, e)]);
            prop_assert_eq!(masked.len(), text.len());
        }
    }
}
