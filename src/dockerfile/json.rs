//! A minimal, non-recursive parser for the JSON array of strings of exec forms.

use super::lex::RawWord;

/// Parse `text` as a JSON array of strings (`["a", "b"]`), surrounding whitespace allowed.
///
/// Returns each string's raw range (quotes included) in `text` and its decoded value, or
/// `None` when `text` is not exactly such an array (Docker then uses the shell form).
pub(crate) fn parse_string_array(text: &str) -> Option<Vec<RawWord>> {
    let mut it = text.char_indices().peekable();
    let skip_ws = |it: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
        while it
            .peek()
            .is_some_and(|&(_, c)| matches!(c, ' ' | '\t' | '\r' | '\n'))
        {
            it.next();
        }
    };
    skip_ws(&mut it);
    if it.next()?.1 != '[' {
        return None;
    }
    let mut out = Vec::new();
    skip_ws(&mut it);
    if it.peek().is_some_and(|&(_, c)| c == ']') {
        it.next();
    } else {
        loop {
            skip_ws(&mut it);
            let (start, q) = it.next()?;
            if q != '"' {
                return None;
            }
            let mut value = String::new();
            let end;
            loop {
                let (i, c) = it.next()?;
                match c {
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    '\\' => {
                        let (_, e) = it.next()?;
                        match e {
                            '"' | '\\' | '/' => value.push(e),
                            'b' => value.push('\u{8}'),
                            'f' => value.push('\u{c}'),
                            'n' => value.push('\n'),
                            'r' => value.push('\r'),
                            't' => value.push('\t'),
                            'u' => value.push(read_unicode(&mut it)?),
                            _ => return None,
                        }
                    }
                    c if (c as u32) < 0x20 => return None,
                    c => value.push(c),
                }
            }
            out.push(RawWord { start, end, value });
            skip_ws(&mut it);
            match it.next()?.1 {
                ',' => continue,
                ']' => break,
                _ => return None,
            }
        }
    }
    skip_ws(&mut it);
    if it.next().is_some() {
        return None;
    }
    Some(out)
}

fn hex4(it: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Option<u32> {
    let mut v = 0u32;
    for _ in 0..4 {
        let d = it.next()?.1.to_digit(16)?;
        v = v * 16 + d;
    }
    Some(v)
}

/// Decode the `XXXX` after `\u`, combining a surrogate pair; lone surrogates become U+FFFD.
fn read_unicode(it: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Option<char> {
    let hi = hex4(it)?;
    if (0xD800..0xDC00).contains(&hi) {
        let mut look = it.clone();
        if look.next().map(|x| x.1) == Some('\\')
            && look.next().map(|x| x.1) == Some('u')
            && let Some(lo) = hex4(&mut look)
            && (0xDC00..0xE000).contains(&lo)
        {
            *it = look;
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            return Some(char::from_u32(c).unwrap_or('\u{FFFD}'));
        }
        return Some('\u{FFFD}');
    }
    Some(char::from_u32(hi).unwrap_or('\u{FFFD}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(t: &str) -> Option<Vec<String>> {
        parse_string_array(t).map(|v| v.into_iter().map(|w| w.value).collect())
    }

    #[test]
    fn arrays() {
        assert_eq!(
            vals(r#"["a", "b c"]"#),
            Some(vec!["a".into(), "b c".into()])
        );
        assert_eq!(vals(" [ ] "), Some(vec![]));
        assert_eq!(
            vals(r#"["C:\\app\\run.exe","\u00e9\ud83d\ude00\n"]"#),
            Some(vec![r"C:\app\run.exe".into(), "é😀\n".into()])
        );
        let t = r#"["x",  "yé"]"#;
        let w = parse_string_array(t).unwrap_or_default();
        assert_eq!(&t[w[1].start..w[1].end], "\"yé\"");
    }

    #[test]
    fn invalid_falls_back() {
        for t in [
            "[a]",
            r#"["a",]"#,
            r#"["a" "b"]"#,
            r#"["a"] x"#,
            r#"["a"#,
            r#"[1]"#,
            r#"["\x"]"#,
            "[",
            "",
            r#"["\u12"]"#,
        ] {
            assert_eq!(vals(t), None, "{t}");
        }
        assert_eq!(vals(r#"["\ud800"]"#), Some(vec!["\u{FFFD}".into()]));
    }
}
