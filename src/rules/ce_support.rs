//! What the CE rules (secrets in compose values) share: where a value is written, walking
//! a compose file's values, and the advice to give for a secret variable.

use crate::analysis::Analysis;
use crate::compose::{EnvVar, Service};
use crate::detect::images;
use crate::source::Span;
use crate::yaml::{Kind, Node, locate_in_scalar};

/// Where a scalar's (trimmed) value is written in the source: from its first to its last
/// word, so the span of a block scalar (`|`, `>`) starts on the line of the value, not on
/// the line of the indicator, and quotes are left out. Falls back to the node's span.
pub fn scalar_span(src: &str, node: &Node) -> Span {
    let Some(value) = node.as_str() else {
        return node.span;
    };
    let Some(first_start) = value.find(|c: char| !c.is_whitespace()) else {
        return node.span;
    };
    let trimmed_end = value.trim_end().len();
    let first_end = value[first_start..]
        .find(char::is_whitespace)
        .map_or(trimmed_end, |i| first_start + i);
    let last_start = value[..trimmed_end]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(first_start, |(i, c)| i + c.len_utf8());
    let first = locate_in_scalar(src, node, first_start..first_end);
    let last = locate_in_scalar(src, node, last_start.max(first_start)..trimmed_end);
    if first == node.span || last == node.span || last.end < first.start {
        return first;
    }
    Span::new(first.start, last.end)
}

/// Where an environment entry's value is written (`None` when it has no value).
pub fn env_value_span(src: &str, var: &EnvVar) -> Option<Span> {
    if var.list_form {
        return var.value_span;
    }
    var.value.as_ref()?;
    Some(scalar_span(src, &var.node))
}

pub use crate::detect::classify::has_reference;

/// The image a service runs, as finally merged.
pub fn service_image(service: &Service) -> Option<&str> {
    service.image().map(|i| i.value.as_str())
}

/// The image whose entrypoint a service runs: for a service that is built, the base image
/// of the stage its build ends with (`FROM mariadb:${MARIADB_VERSION}`, following stages
/// built `FROM` earlier stages), which the built image inherits; else its `image:`.
/// `project` is the project's index in `analysis.projects`.
pub fn run_image(analysis: &Analysis, project: usize, service: &Service) -> Option<String> {
    let built = analysis
        .builds_of(project)
        .find(|b| b.service == service.name)
        .and_then(|link| analysis.dockerfile_of(link))
        .and_then(|doc| {
            let stages = &doc.model.stages;
            let target = service.build_key("target");
            let target = target.as_ref().and_then(|t| t.as_str());
            let mut stage = match target {
                Some(t) => stages.iter().find(|s| s.name.as_deref() == Some(t)),
                None => stages.last(),
            }?;
            // `FROM build AS final`: the base is an earlier stage's.
            for _ in 0..stages.len() {
                let earlier = stages[..stage.index].iter().rev().find(|s| {
                    s.name
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&stage.base))
                });
                match earlier {
                    Some(s) => stage = s,
                    None => break,
                }
            }
            Some(stage.base.clone())
        });
    built.or_else(|| service_image(service).map(str::to_owned))
}

/// A compose secret name for a variable: `POSTGRES_PASSWORD` -> `postgres_password`.
pub fn secret_name_for(var: &str) -> String {
    let name: String = var
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_matches('_');
    if name.is_empty() {
        "app_secret".to_owned()
    } else {
        name.to_owned()
    }
}

/// The image's repository name when it reads `<var>_FILE`.
pub fn file_variable_image(image: Option<&str>, var: &str) -> Option<String> {
    let image = image?;
    images::reads_file_variable(image, var)
        .then(|| images::repository(image))
        .flatten()
}

/// How to move `var` out of a service's environment. `hardcoded` says the value is written
/// in the file (CE001), so taking it from the environment is a first step; for a value that
/// already comes from there (CE008) only the secret is suggested.
pub fn environment_fix(image: Option<&str>, var: &str, hardcoded: bool) -> String {
    let secret = secret_name_for(var);
    match file_variable_image(image, var) {
        Some(repo) => format!(
            "the `{repo}` image reads `{var}_FILE`: define a compose secret (`secrets: {{{secret}: {{file: ./secrets/{secret}.txt}}}}`, with the file git-ignored), grant it to the service (`secrets: [{secret}]`) and set `{var}_FILE: /run/secrets/{secret}` instead of `{var}`"
        ),
        None if hardcoded => format!(
            "use a compose secret (`secrets: {{{secret}: {{file: ./secrets/{secret}.txt}}}}` or `{{environment: {var}}}`), granted to the service and read from `/run/secrets/{secret}` (many programs accept `{var}_FILE`); or at least take the value from the environment: `{var}: ${{{var}:?}}`"
        ),
        None => format!(
            "use a compose secret that Compose reads from the same variable (`secrets: {{{secret}: {{environment: {var}}}}}`), granted to the service and read from `/run/secrets/{secret}` (many programs accept `{var}_FILE`)"
        ),
    }
}

/// One scalar of a compose file, with where it sits.
pub struct ScalarAt<'a> {
    pub node: &'a Node,
    /// Key path, e.g. `services.api.environment.DB_PASSWORD` or `services.w.command[3]`.
    pub path: String,
    /// The mapping key the scalar is the value of (`None` for list items).
    pub key: Option<&'a str>,
}

/// Every scalar value (not keys) under `node` whose text passes `keep`, depth first, in
/// source order. The key path is built only for the scalars kept.
pub fn walk_scalars<'a>(node: &'a Node, keep: impl Fn(&str) -> bool, out: &mut Vec<ScalarAt<'a>>) {
    let mut path = Vec::new();
    walk(node, &mut path, None, &keep, out);
}

const MAX_DEPTH: usize = 128;

/// One step of a key path.
enum Step<'a> {
    Key(Option<&'a str>),
    Index(usize),
}

fn walk<'a>(
    node: &'a Node,
    path: &mut Vec<Step<'a>>,
    key: Option<&'a str>,
    keep: &impl Fn(&str) -> bool,
    out: &mut Vec<ScalarAt<'a>>,
) {
    if path.len() > MAX_DEPTH {
        return;
    }
    match &node.kind {
        Kind::Scalar(s) => {
            if keep(&s.value) {
                out.push(ScalarAt {
                    node,
                    path: path_text(path),
                    key,
                });
            }
        }
        Kind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                walk(item, path, None, keep, out);
                path.pop();
            }
        }
        Kind::Map(entries) => {
            for (k, v) in entries.iter() {
                let name = k.as_str();
                path.push(Step::Key(name));
                walk(v, path, name, keep, out);
                path.pop();
            }
        }
    }
}

/// `services.api.environment.DB_PASSWORD`, `services.w.command[3]`; `?` for a key that is
/// not a scalar.
fn path_text(path: &[Step<'_>]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Index(i) => text.push_str(&format!("[{i}]")),
            Step::Key(name) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(name.unwrap_or("?"));
            }
        }
    }
    text
}

/// The name a value inside `text` is assigned to, just before `at`: `KEY=` in list-form
/// environment entries and labels, `--password=` in command lines.
pub fn assigned_name(text: &str, at: usize) -> Option<&str> {
    let before = text.get(..at)?.strip_suffix('=')?;
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-')))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let name = before[start..].trim_start_matches('-');
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_text(yaml: &str, key: &str) -> String {
        let root = crate::yaml::parse(yaml).unwrap().root.unwrap();
        let node = root.get(key).unwrap();
        let s = scalar_span(yaml, node);
        yaml[s.range()].to_owned()
    }

    #[test]
    fn scalar_spans_leave_out_quotes_and_block_indicators() {
        assert_eq!(span_text("a: hunter2\n", "a"), "hunter2");
        assert_eq!(span_text("a: \"hunter2\"\n", "a"), "hunter2");
        assert_eq!(span_text("a: 'two words'\n", "a"), "two words");
        let yaml = "a: |\n  line one\n  line two\nb: x\n";
        assert_eq!(span_text(yaml, "a"), "line one\n  line two");
        let yaml = "a: >-\n  folded\n  text\n";
        assert_eq!(span_text(yaml, "a"), "folded\n  text");
        assert_eq!(span_text("a: \"x\u{3000}y\"\n", "a"), "x\u{3000}y");
    }

    #[test]
    fn scalars_are_kept_by_their_text_with_their_key_path() {
        let yaml = "services:\n  w:\n    command: [a, \"x://u:p@h\"]\n    environment:\n      URL: y://h\n      N: 1\n";
        let root = crate::yaml::parse(yaml).unwrap().root.unwrap();
        let mut out = Vec::new();
        walk_scalars(&root, |v| v.contains("://"), &mut out);
        let found: Vec<(&str, &str, Option<&str>)> = out
            .iter()
            .map(|s| (s.node.as_str().unwrap(), s.path.as_str(), s.key))
            .collect();
        assert_eq!(
            found,
            [
                ("x://u:p@h", "services.w.command[1]", None),
                ("y://h", "services.w.environment.URL", Some("URL")),
            ]
        );
    }

    #[test]
    fn assigned_names() {
        assert_eq!(assigned_name("DB_PASSWORD=${X}", 12), Some("DB_PASSWORD"));
        assert_eq!(assigned_name("--password=${X}", 11), Some("password"));
        assert_eq!(assigned_name("x ${X}", 2), None);
        assert_eq!(assigned_name("${X}", 0), None);
        assert_eq!(assigned_name("€€TOKEN=${X}", 12), Some("TOKEN"));
        assert_eq!(assigned_name("é", 1), None);
    }

    #[test]
    fn secret_names_for_variables() {
        assert_eq!(secret_name_for("POSTGRES_PASSWORD"), "postgres_password");
        assert_eq!(secret_name_for("db.password"), "db.password");
        assert_eq!(secret_name_for("__"), "app_secret");
    }

    #[test]
    fn references() {
        assert!(has_reference("${A}"));
        assert!(has_reference("x$A"));
        assert!(!has_reference("$$ecret"));
        assert!(!has_reference("plain"));
    }
}
