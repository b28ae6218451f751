//! Low-level scanning: physical lines, continuations, shell-like words, heredoc markers.

/// A physical line: `start..end` is its content without the line break (`\n` or `\r\n`);
/// `next` is where the following line starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    pub start: usize,
    pub end: usize,
    pub next: usize,
}

/// Split `src[from..]` into physical lines. Line breaks are `\n`; a `\r` before it is not content.
pub(crate) fn split_lines(src: &str, from: usize) -> Vec<Line> {
    let bytes = src.as_bytes();
    let mut lines = Vec::new();
    let mut pos = from.min(bytes.len());
    while pos < bytes.len() {
        let rest = bytes.get(pos..).unwrap_or(&[]);
        let (end, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(n) => (pos + n, pos + n + 1),
            None => (bytes.len(), bytes.len()),
        };
        let mut content_end = end;
        if content_end > pos && bytes.get(content_end - 1) == Some(&b'\r') {
            content_end -= 1;
        }
        lines.push(Line {
            start: pos,
            end: content_end,
            next,
        });
        pos = next;
    }
    lines
}

/// Whitespace inside an instruction line.
pub(crate) fn is_ws(c: char) -> bool {
    c.is_ascii_whitespace()
}

/// True for a line that is empty/whitespace-only or a comment (`#` after optional whitespace).
pub(crate) fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim_start_matches(is_ws);
    t.is_empty() || t.starts_with('#')
}

/// If `seg` ends with the escape character (trailing spaces and tabs allowed), the length of
/// the content before it.
pub(crate) fn continuation_cut(seg: &str, escape: char) -> Option<usize> {
    let t = seg.trim_end_matches([' ', '\t']);
    if t.ends_with(escape) {
        Some(t.len() - escape.len_utf8())
    } else {
        None
    }
}

/// A word found by [`split_words`]: raw byte range in the scanned text and its value with
/// quotes removed and escapes resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawWord {
    pub start: usize,
    pub end: usize,
    pub value: String,
}

/// Split `text` into shell-like words: separated by unquoted whitespace, `'...'` literal,
/// `"..."` with the escape character escaping `"`, `$` and itself, and the escape character
/// escaping any character outside quotes.
///
/// Returns the words and, when a quote is left open, the offset of the opening quote.
pub(crate) fn split_words(text: &str, escape: char) -> (Vec<RawWord>, Option<usize>) {
    scan(text, escape, true)
}

/// Remove quotes and resolve escapes in `text`, keeping unquoted whitespace as is.
/// Returns the value and, when a quote is left open, the offset of the opening quote.
pub(crate) fn unquote(text: &str, escape: char) -> (String, Option<usize>) {
    let (mut words, open) = scan(text, escape, false);
    (words.pop().map(|w| w.value).unwrap_or_default(), open)
}

fn scan(text: &str, escape: char, split: bool) -> (Vec<RawWord>, Option<usize>) {
    let mut words = Vec::new();
    let mut cur: Option<RawWord> = None;
    let mut quote: Option<(char, usize)> = None;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if quote.is_none() && split && is_ws(c) {
            if let Some(mut w) = cur.take() {
                w.end = i;
                words.push(w);
            }
            continue;
        }
        let w = cur.get_or_insert_with(|| RawWord {
            start: i,
            end: i,
            value: String::new(),
        });
        match quote {
            None => {
                if c == '\'' || c == '"' {
                    quote = Some((c, i));
                } else if c == escape {
                    match it.next() {
                        Some((_, n)) => w.value.push(n),
                        None => w.value.push(c),
                    }
                } else {
                    w.value.push(c);
                }
            }
            Some((q, _)) if c == q => quote = None,
            Some(('"', _)) if c == escape => match it.peek() {
                Some(&(_, n)) if n == '"' || n == escape || n == '$' => {
                    w.value.push(n);
                    it.next();
                }
                _ => w.value.push(c),
            },
            Some(_) => w.value.push(c),
        }
    }
    match cur {
        Some(mut w) => {
            w.end = text.len();
            words.push(w);
        }
        None if !split => words.push(RawWord {
            start: 0,
            end: text.len(),
            value: String::new(),
        }),
        None => {}
    }
    (words, quote.map(|(_, p)| p))
}

/// A heredoc marker word such as `<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<'X'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Marker {
    pub strip_tabs: bool,
    pub quoted: bool,
    pub delimiter: String,
}

/// Recognise a heredoc marker in a raw (unsplit, quotes intact) word.
pub(crate) fn heredoc_marker(raw: &str, escape: char) -> Option<Marker> {
    let rest = raw.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.strip_prefix("<<")?;
    if rest.starts_with('<') {
        return None; // here-string `<<<`
    }
    let (strip_tabs, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let quoted = rest.contains(['\'', '"']);
    // An unquoted delimiter ends at a shell operator: `<<EOF>file`.
    let rest = if quoted {
        rest
    } else {
        let cut = rest
            .find(['<', '>', '|', ';', '&', '(', ')'])
            .unwrap_or(rest.len());
        rest.get(..cut).unwrap_or(rest)
    };
    let (delimiter, open) = unquote(rest, escape);
    if delimiter.is_empty() || open.is_some() {
        return None;
    }
    Some(Marker {
        strip_tabs,
        quoted,
        delimiter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str, esc: char) -> Vec<(String, String)> {
        split_words(t, esc)
            .0
            .into_iter()
            .map(|w| (t[w.start..w.end].to_string(), w.value))
            .collect()
    }

    #[test]
    fn lines_lf_crlf_and_last_line() {
        let src = "a\r\nbc\n\nd";
        let l = split_lines(src, 0);
        let texts: Vec<&str> = l.iter().map(|x| &src[x.start..x.end]).collect();
        assert_eq!(texts, ["a", "bc", "", "d"]);
        assert_eq!(l[0].next, 3);
        assert!(split_lines("", 0).is_empty());
        assert_eq!(split_lines("x\n", 0).len(), 1);
    }

    #[test]
    fn continuation_detection() {
        assert_eq!(continuation_cut("RUN a \\", '\\'), Some(6));
        assert_eq!(continuation_cut("RUN a \\  \t", '\\'), Some(6));
        assert_eq!(continuation_cut("RUN a", '\\'), None);
        assert_eq!(continuation_cut("COPY C:\\", '`'), None);
        assert_eq!(continuation_cut("RUN dir `", '`'), Some(8));
    }

    #[test]
    fn word_splitting_quotes_and_escapes() {
        let w = words(r#"a="x y" b='p q' c=a\ b d="\"q\"" e"#, '\\');
        assert_eq!(
            w,
            [
                (r#"a="x y""#.into(), "a=x y".into()),
                ("b='p q'".into(), "b=p q".into()),
                (r"c=a\ b".into(), "c=a b".into()),
                (r#"d="\"q\"""#.into(), r#"d="q""#.into()),
                ("e".into(), "e".into()),
            ]
        );
        // Backslash is literal with a backtick escape.
        let w = words(r"P=C:\tools\bin Q=a` b", '`');
        assert_eq!(w[0].1, r"P=C:\tools\bin");
        assert_eq!(w[1].1, "Q=a b");
        // Inside double quotes, other escapes stay.
        assert_eq!(words(r#""a\nb""#, '\\')[0].1, r"a\nb");
        let (_, open) = split_words("a 'b c", '\\');
        assert_eq!(open, Some(2));
    }

    #[test]
    fn unquote_keeps_whitespace() {
        assert_eq!(unquote(r#"hello  "big world""#, '\\').0, "hello  big world");
        assert_eq!(unquote("", '\\').0, "");
        assert_eq!(unquote("trailing\\", '\\').0, "trailing\\");
    }

    #[test]
    fn heredoc_markers() {
        let m = heredoc_marker("<<EOF", '\\');
        assert_eq!(
            m,
            Some(Marker {
                strip_tabs: false,
                quoted: false,
                delimiter: "EOF".into()
            })
        );
        let m = heredoc_marker("<<-'END'", '\\');
        assert!(
            m.as_ref()
                .is_some_and(|m| m.strip_tabs && m.quoted && m.delimiter == "END")
        );
        let m = heredoc_marker(r#"<<"EOT""#, '\\');
        assert!(m.is_some_and(|m| m.quoted && m.delimiter == "EOT"));
        assert!(heredoc_marker("2<<EOF", '\\').is_some());
        assert_eq!(
            heredoc_marker("<<EOF>/tmp/x", '\\').map(|m| m.delimiter),
            Some("EOF".into())
        );
        assert_eq!(heredoc_marker("<<<word", '\\'), None);
        assert_eq!(heredoc_marker("<<", '\\'), None);
        assert_eq!(heredoc_marker("a<<EOF", '\\'), None);
        assert_eq!(heredoc_marker("<<'EOF", '\\'), None);
    }
}
