//! Secrets written inside embedded text: a config file's content (`configs: x: content: |`),
//! a program's configuration passed in one environment variable (`GITLAB_OMNIBUS_CONFIG: |`
//! holding Ruby), INI, YAML, JSON and `.properties` text. The text is read as the languages
//! it is written in: assignments `key = 'value'`, `key: value`, `"key": "value"`, Ruby hash
//! keys `gitlab_rails['db_password'] = '…'` and `'password' => '…'`; PEM private key blocks;
//! URLs with a password. Names and values are judged by the shared classifier.

use std::ops::Range;

use super::classify::{ValueClass, classify_value, has_reference, secret_name_reason};
use super::url::find_url_credentials;

/// A secret found in embedded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedSecret {
    /// Byte range of the value in the text.
    pub range: Range<usize>,
    /// What it is, for a message (never the value): "`db_password` (password) with a
    /// literal value", "a PEM private key".
    pub what: String,
    pub class: ValueClass,
    /// A password in a URL (which CE003 reports wherever it is in a compose file).
    pub in_url: bool,
}

/// Every secret in `text`, in text order, none overlapping another.
pub fn embedded_secrets(text: &str) -> Vec<EmbeddedSecret> {
    let mut out: Vec<EmbeddedSecret> = Vec::new();
    let mut add = |found: EmbeddedSecret| {
        if !out
            .iter()
            .any(|h| h.range.start < found.range.end && found.range.start < h.range.end)
        {
            out.push(found);
        }
    };
    for (range, what) in pem_private_keys(text) {
        add(EmbeddedSecret {
            range,
            what,
            class: ValueClass::Literal,
            in_url: false,
        });
    }
    for (key, range) in key_values(text) {
        let Some(reason) = secret_name_reason(key) else {
            continue;
        };
        let Some(value) = text.get(range.clone()) else {
            continue;
        };
        let class = classify_value(value);
        if has_reference(value) || !matches!(class, ValueClass::Literal | ValueClass::Placeholder) {
            continue;
        }
        add(EmbeddedSecret {
            range,
            what: format!("`{key}` ({reason}) with a literal value"),
            class,
            in_url: false,
        });
    }
    for cred in find_url_credentials(text) {
        add(EmbeddedSecret {
            range: cred.password,
            what: format!("a password in a `{}://` URL", cred.scheme),
            class: ValueClass::Literal,
            in_url: true,
        });
    }
    out.sort_by_key(|h| h.range.start);
    out
}

/// The first `=` or `:` of an assignment line that is not inside a Ruby hash key's
/// brackets (`gitlab_rails['smtp_password'] = …`).
fn separator(line: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in line.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '=' | ':' if depth == 0 => {
                // `[:sym]` and `::` are Ruby, not separators.
                if c == ':' && line[i + 1..].starts_with(':') {
                    return None;
                }
                return Some(i);
            }
            _ => {}
        }
    }
    None
}

/// The innermost key of a Ruby hash assignment target: `gitlab_rails['db_password']` →
/// `db_password`, `postgresql["sql_user_password"]` → `sql_user_password`,
/// `x['a']['b']` → `b`, `config[:password]` → `password`.
fn hash_key(target: &str) -> Option<&str> {
    let open = target.rfind('[')?;
    let inner = target[open + 1..].strip_suffix(']')?;
    let inner = inner.strip_prefix(':').unwrap_or(inner);
    let key = inner.trim_matches(['"', '\'']);
    (!key.is_empty()
        && target[..open]
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '[' | ']' | '\'' | '"' | '.')))
    .then_some(key)
}

/// `-----BEGIN … PRIVATE KEY-----` blocks (to their END line, or the end of the text).
pub fn pem_private_keys(text: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = text.get(from..).and_then(|t| t.find("-----BEGIN ")) {
        let start = from + rel;
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let header = &text[start..line_end];
        from = line_end;
        if !header.contains("PRIVATE KEY-----") {
            continue;
        }
        let end = text[line_end..]
            .find("-----END ")
            .map(|i| line_end + i)
            .and_then(|e| {
                text[e..]
                    .find("-----\n")
                    .or_else(|| text[e..].rfind("-----"))
                    .map(|j| e + j + 5)
            })
            .unwrap_or(text.trim_end().len())
            .min(text.len());
        out.push((start..end, "a PEM private key".to_owned()));
        from = end.max(line_end);
    }
    out
}

/// `key = value`, `key: value`, `"key": "value",` lines of a config text: each key with
/// the byte range of its (unquoted) value.
pub fn key_values(text: &str) -> Vec<(&str, Range<usize>)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let lead = body.len() - body.trim_start().len();
        let mut rest = &body[lead..];
        let mut pos = line_start + lead;
        if rest.starts_with('#') || rest.starts_with(';') || rest.starts_with("//") {
            continue;
        }
        for prefix in ["export ", "- "] {
            if let Some(r) = rest.strip_prefix(prefix) {
                pos += prefix.len();
                rest = r;
            }
        }
        let Some(sep) = separator(rest) else {
            continue;
        };
        let ruby_key = hash_key(rest[..sep].trim());
        let key = ruby_key.unwrap_or(rest[..sep].trim());
        let key = key.trim_matches(['"', '\'']);
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            continue;
        }
        // Ruby's `'password' => 'x'`.
        let after = rest[sep + 1..]
            .strip_prefix('>')
            .unwrap_or(&rest[sep + 1..]);
        let arrow = after.len() < rest.len() - sep - 1;
        if rest.as_bytes()[sep] == b':' && !(after.is_empty() || after.starts_with([' ', '\t'])) {
            continue;
        }
        let mut vstart = pos + sep + 1 + usize::from(arrow);
        let mut value = after;
        let trimmed = value.trim_start();
        vstart += value.len() - trimmed.len();
        value = trimmed.trim_end().trim_end_matches([',', ';']).trim_end();
        let mut quoted = false;
        for q in ['"', '\''] {
            if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
                value = &value[1..value.len() - 1];
                vstart += 1;
                quoted = true;
            }
        }
        // In Ruby (`x['key'] = …`, `'key' => …`) only a string literal is a written
        // value; `ENV['X']`, `File.read(…)` are expressions.
        if (ruby_key.is_some() || arrow) && !quoted {
            continue;
        }
        if value.is_empty()
            || value.starts_with(['{', '[', '|', '>', '&', '*'])
            || value.starts_with("${{")
        {
            continue;
        }
        out.push((key, vstart..vstart + value.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruby_configuration_as_gitlab_omnibus_takes_it() {
        let text = "external_url 'https://gitlab.example.com'\ngitlab_rails['db_password'] = 'Vq7-Tern-Hollow-2291'\npostgresql[\"sql_user_password\"] = \"5f4dcc3b5aa765d61d8327deb882cf99\"\nredis['password'] = ENV['REDIS_PASSWORD']\ngitlab_rails['smtp_password'] = File.read('/run/secrets/smtp_password').strip\ngitlab_rails['smtp_enable'] = true\nldap = { 'bind_dn' => 'cn=admin', 'password' => 'Ld4p-Bind-7731' }\nconfig[:secret_key_base] = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6'\n";
        let found: Vec<(String, &str)> = embedded_secrets(text)
            .into_iter()
            .map(|s| (s.what, &text[s.range]))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "`db_password` (password) with a literal value".to_owned(),
                    "Vq7-Tern-Hollow-2291"
                ),
                (
                    "`sql_user_password` (password) with a literal value".to_owned(),
                    "5f4dcc3b5aa765d61d8327deb882cf99"
                ),
                (
                    "`secret_key_base` (secret key) with a literal value".to_owned(),
                    "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
                ),
            ]
        );
    }

    #[test]
    fn key_values_in_config_formats() {
        let text = "[db]\npassword = Vn8-Rt2\n  \"api_key\": \"9f2c41d0\",\nexport TOKEN=abc123\nurl: http://x\n# secret = no\n";
        let kv: Vec<(&str, &str)> = key_values(text)
            .into_iter()
            .map(|(k, r)| (k, &text[r]))
            .collect();
        assert_eq!(
            kv,
            [
                ("password", "Vn8-Rt2"),
                ("api_key", "9f2c41d0"),
                ("TOKEN", "abc123"),
                ("url", "http://x"),
            ]
        );
    }
}
