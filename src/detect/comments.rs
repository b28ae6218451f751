//! Credentials left in comments: a commented-out assignment with a secret-like name and a
//! value that looks real (`# OIDC_CLIENT_SECRET: 9d2f…`, `#POSTGRES_PASSWORD=Vq7-…`,
//! `# ENV API_KEY=…`). A comment is still in the file and in git history, and a value that
//! was once in use is often still valid.
//!
//! Only whole-line comments are read (a `#` after a value may be part of it), and only
//! values that look like a credential: prose (`# PASSWORD: set it in .env`), placeholders,
//! references and word-like examples (`# POSTGRES_PASSWORD=postgres`) are documentation.

use std::ops::Range;

use super::classify::{ValueClass, classify_value, is_example_word, is_secret_name};
use super::patterns::PatternSet;

/// A commented-out assignment of a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentedSecret {
    pub key: String,
    /// Byte range of the value in the text.
    pub value: Range<usize>,
    /// The value is in a known token format (a credential whether commented out or not).
    pub known_token: bool,
}

/// Dockerfile parser directives, which are comments in form only.
const DIRECTIVES: &[&str] = &["syntax=", "escape=", "check="];

/// Every commented-out secret in `text` (a compose file, an env file or a Dockerfile: each
/// comments with `#`).
pub fn commented_secrets(text: &str) -> Vec<CommentedSecret> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let lead = body.len() - body.trim_start().len();
        let Some(comment) = body[lead..].strip_prefix('#') else {
            continue;
        };
        let inner = comment.trim_start_matches('#');
        let at = start + lead + 1 + (comment.len() - inner.len());
        if DIRECTIVES
            .iter()
            .any(|d| inner.trim_start().to_ascii_lowercase().starts_with(d))
        {
            continue;
        }
        if let Some(found) = assignment(inner, at) {
            out.push(found);
        }
    }
    out
}

/// `KEY: value`, `KEY=value`, `- KEY=value`, `export KEY=value`, `ENV KEY=value`,
/// `ENV KEY value`, `ARG KEY=value` in the comment text `inner` (which starts at `at`).
fn assignment(inner: &str, at: usize) -> Option<CommentedSecret> {
    let trimmed = inner.trim_start();
    let mut pos = at + inner.len() - trimmed.len();
    let mut rest = trimmed;
    let mut spaced = false;
    for prefix in ["- ", "export ", "ENV ", "ARG ", "env ", "arg "] {
        if let Some(r) = rest.strip_prefix(prefix) {
            pos += prefix.len();
            spaced = prefix.trim().eq_ignore_ascii_case("env");
            rest = r.trim_start();
            pos += r.len() - rest.len();
        }
    }
    let key_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        .unwrap_or(rest.len());
    let key = &rest[..key_len];
    if key.is_empty() || !key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    let after = &rest[key_len..];
    let (value_at, value) = if let Some(v) = after.strip_prefix('=') {
        (key_len + 1, v)
    } else if let Some(v) = after.strip_prefix(": ") {
        (key_len + 2, v)
    } else if spaced && after.starts_with(' ') {
        (key_len + 1, &after[1..])
    } else {
        return None;
    };
    let lead = value.len() - value.trim_start().len();
    let mut start = pos + value_at + lead;
    let mut v = value.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            v = &v[1..v.len() - 1];
            start += 1;
        }
    }
    if !is_secret_name(key) {
        return None;
    }
    let known_token = looks_like_credential(v)?;
    Some(CommentedSecret {
        key: key.to_owned(),
        value: start..start + v.len(),
        known_token,
    })
}

/// Whether a value in a comment looks like a credential in use rather than documentation
/// (`Some`, saying whether it is in a known token format): a known token, or one word of
/// at least 8 characters mixing letters and digits (or of at least 16 mixing cases), that
/// the classifier takes for a literal. Words joined by dashes (`value-from-the-vault`) are
/// prose.
fn looks_like_credential(v: &str) -> Option<bool> {
    if v.is_empty() || v.contains(char::is_whitespace) || is_example_word(v) {
        return None;
    }
    if classify_value(v) != ValueClass::Literal {
        return None;
    }
    if v.contains(['<', '>', '…']) || v.contains("...") || v.contains("://") {
        return None;
    }
    if !PatternSet::builtin().scan(v).is_empty() {
        return Some(true);
    }
    let n = v.chars().count();
    let letters = v.chars().any(|c| c.is_ascii_alphabetic());
    let digits = v.chars().any(|c| c.is_ascii_digit());
    let mixed_case =
        v.chars().any(|c| c.is_ascii_uppercase()) && v.chars().any(|c| c.is_ascii_lowercase());
    ((n >= 8 && letters && digits) || (n >= 16 && mixed_case)).then_some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, &str)> {
        commented_secrets(text)
            .into_iter()
            .map(|s| (s.key, &text[s.value]))
            .collect()
    }

    #[test]
    fn known_tokens_are_told_apart() {
        let text = "# GITHUB_TOKEN=ghp_Zq81Lm4Vx7Rt2Nw9Kp3Bs6Dc0Fh5Jg8Ty1Ue\n#DB_PASSWORD=Vq7-Tern-Hollow-2291\n";
        let known: Vec<bool> = commented_secrets(text)
            .iter()
            .map(|s| s.known_token)
            .collect();
        assert_eq!(known, [true, false]);
    }

    #[test]
    fn commented_out_assignments_with_real_looking_values() {
        let text = concat!(
            "services:\n",
            "  auth:\n",
            "    environment:\n",
            "      OIDC_CLIENT_ID: shop\n",
            "      # OIDC_CLIENT_SECRET: 9d2f41c07be84a3c5e61\n",
            "      #- SMTP_PASSWORD=Sm7p-Relay-4471\n",
            "#POSTGRES_PASSWORD='Vq7-Tern-Hollow-2291'\n",
            "# ENV API_KEY ak_live_51Hq2Lm9xVb7Rt\n",
            "  ## export GITHUB_TOKEN=ghp_Zq81Lm4Vx7Rt2Nw9Kp3Bs6Dc0Fh5Jg8Ty1Ue\n",
        );
        assert_eq!(
            found(text),
            [
                ("OIDC_CLIENT_SECRET".to_owned(), "9d2f41c07be84a3c5e61"),
                ("SMTP_PASSWORD".to_owned(), "Sm7p-Relay-4471"),
                ("POSTGRES_PASSWORD".to_owned(), "Vq7-Tern-Hollow-2291"),
                ("API_KEY".to_owned(), "ak_live_51Hq2Lm9xVb7Rt"),
                (
                    "GITHUB_TOKEN".to_owned(),
                    "ghp_Zq81Lm4Vx7Rt2Nw9Kp3Bs6Dc0Fh5Jg8Ty1Ue"
                ),
            ]
        );
    }

    #[test]
    fn documentation_in_comments_is_not_a_secret() {
        let text = concat!(
            "# syntax=docker/dockerfile:1.7\n",
            "# POSTGRES_PASSWORD: set it in .env before the first start\n",
            "# POSTGRES_PASSWORD=postgres\n",
            "# DB_PASSWORD=changeme\n",
            "# API_TOKEN=<your-token>\n",
            "# API_TOKEN=${API_TOKEN}\n",
            "# SECRET_KEY=xxxxxxxxxxxxxxxxxxxx\n",
            "# JWT_SECRET=...\n",
            "# PASSWORD_MIN_LENGTH=12345678\n",
            "# DATABASE_PASSWORD_FILE=/run/secrets/db_password\n",
            "# The API key is read from /run/secrets/api_key: password=secret123 is an example\n",
            "DB_PASSWORD=Vq7-Tern-Hollow-2291 # not a comment line\n",
        );
        assert_eq!(found(text), Vec::<(String, &str)>::new());
    }
}
