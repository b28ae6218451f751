//! Credentials written inside URLs: `scheme://user:password@host`.
//!
//! Used wherever free text may hold a connection string: compose values, commands,
//! labels, Dockerfile `RUN` lines, env files. A password that is a variable reference
//! (`${DB_PASS}`, `$DB_PASS`, `$$DB_PASS` in compose) is not a literal credential; neither
//! is a placeholder (`password`, `changeme`, `<password>`, `xxx`), since in free text those
//! are documentation far more often than a deployed default. A token used as the user
//! part (`https://ghp_...@github.com`) is left to the token catalogue.

use std::ops::Range;

use super::classify::{is_example_word, is_placeholder};

/// A credential found in a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlCredential {
    /// Byte range of the whole `scheme://user:password@host` prefix.
    pub url: Range<usize>,
    /// Byte range of the password.
    pub password: Range<usize>,
    pub scheme: String,
}

/// Every URL in `text` that carries a literal password.
pub fn find_url_credentials(text: &str) -> Vec<UrlCredential> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(rel) = text.get(from..).and_then(|t| t.find("://")) {
        let sep = from + rel;
        from = sep + 3;
        // Scheme: letters, digits, `+`, `-`, `.` before `://`, starting with a letter.
        let mut start = sep;
        while start > 0 && {
            let b = bytes[start - 1];
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
        } {
            start -= 1;
        }
        if start == sep || !bytes[start].is_ascii_alphabetic() {
            continue;
        }
        let authority_start = sep + 3;
        // The authority ends at the first `/`, `?`, `#`, whitespace or quote.
        let rest = &text[authority_start..];
        let end = rest
            .find(|c: char| {
                matches!(
                    c,
                    '/' | '?' | '#' | '"' | '\'' | '`' | ',' | ';' | ')' | ']' | '}' | '>' | '<'
                ) || c.is_whitespace()
            })
            .unwrap_or(rest.len());
        // Reference syntax `${...}` may hold `/` or `}`: extend the authority over braces.
        let authority_end = extend_over_braces(rest, end);
        let authority = &rest[..authority_end];
        let Some(at) = authority.rfind('@') else {
            continue;
        };
        let userinfo = &authority[..at];
        let Some(colon) = find_colon_outside_braces(userinfo) else {
            continue;
        };
        let password = &userinfo[colon + 1..];
        if password.is_empty() || !is_literal(password) {
            continue;
        }
        let pw_start = authority_start + colon + 1;
        out.push(UrlCredential {
            url: start..authority_start + at,
            password: pw_start..pw_start + password.len(),
            scheme: text[start..sep].to_ascii_lowercase(),
        });
        from = authority_start + authority_end.max(1);
    }
    out
}

/// Whether a password written in a URL is a literal (not a reference, not a placeholder).
fn is_literal(password: &str) -> bool {
    if password.starts_with('$') || password.contains("${") || password.contains("{{") {
        return false;
    }
    let decoded = password.replace("%40", "@");
    !is_placeholder(&decoded)
        && !is_example_word(&decoded)
        && !decoded
            .chars()
            .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
}

fn extend_over_braces(rest: &str, mut end: usize) -> usize {
    // If an unclosed `${` precedes `end`, move `end` past its closing brace and go on.
    loop {
        let head = &rest[..end];
        let opens = head.matches("${").count();
        let closes = head.matches('}').count();
        if opens <= closes {
            return end;
        }
        let Some(close) = rest[end..].find('}') else {
            return end;
        };
        let after = end + close + 1;
        let more = rest[after..]
            .find(|c: char| {
                matches!(
                    c,
                    '/' | '?' | '#' | '"' | '\'' | '`' | ',' | ';' | ')' | ']' | '>' | '<'
                ) || c.is_whitespace()
            })
            .unwrap_or(rest.len() - after);
        end = after + more;
    }
}

fn find_colon_outside_braces(userinfo: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in userinfo.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passwords(text: &str) -> Vec<&str> {
        find_url_credentials(text)
            .into_iter()
            .map(|c| &text[c.password])
            .collect()
    }

    #[test]
    fn finds_literal_passwords() {
        assert_eq!(passwords("redis://:Zt5uQ2wx@redis:6379/0"), ["Zt5uQ2wx"]);
        assert_eq!(
            passwords("DATABASE_URL=postgres://app:s3cr3t-Pw@db:5432/app"),
            ["s3cr3t-Pw"]
        );
        assert_eq!(
            passwords(
                "git clone https://deploy:glpat-Zx8fakeFAKEfake12345@gitlab.example.com/g/r.git"
            ),
            ["glpat-Zx8fakeFAKEfake12345"]
        );
        assert_eq!(
            passwords("amqp://guest:Rabbit-77@mq/ and mongodb://root:M0ngo!@m1,m2/db"),
            ["Rabbit-77", "M0ngo!"]
        );
    }

    #[test]
    fn ignores_references_placeholders_and_users_only() {
        for text in [
            "postgres://${USER}:${PASS}@db/app",
            "postgres://app:$DB_PASSWORD@db/app",
            "postgres://app:$${DB_PASSWORD}@db/app",
            "postgres://app:${DB_PASSWORD:-}@db/app",
            "https://user@host/path",
            "https://host:8443/path",
            "postgres://user:password@localhost/db",
            "postgres://user:<password>@localhost/db",
            "postgres://user:changeme@localhost/db",
            "postgres://user:****@localhost/db",
            "mailto:someone@example.com",
            "http://example.com/a:b@c",
        ] {
            assert!(passwords(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for text in [
            "://",
            "a://",
            "://@",
            "a://:@",
            "é://x:y@z",
            "${a://b:c@d",
            "x://${{{{:p@h",
        ] {
            let _ = find_url_credentials(text);
        }
    }
}
