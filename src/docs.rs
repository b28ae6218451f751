//! Documentation generated from the rules themselves: the rule catalogue every output
//! format shares (SARIF rule metadata, `docs/rules.md`), built from each rule's `//!`
//! comment and the known-token patterns in `rules/`.
//!
//! `docs/rules.md` is checked by `tests/docs.rs`; regenerate it with
//! `UPDATE_DOCS=1 cargo test --test docs`.

use crate::detect::patterns::PatternSet;
use crate::finding::Severity;
use crate::rules;

/// One entry of the catalogue: a rule, or one known-token format of the `KT` family.
#[derive(Debug, Clone)]
pub struct RuleEntry {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: String,
    /// The full documentation (Markdown): what, why, example, fix.
    pub doc: String,
    /// The family code when this entry is one member of a family (`KT`).
    pub family: Option<&'static str>,
}

/// Every code stowaway can report, in registry order, with the `KT` family expanded into
/// one entry per token format.
pub fn catalogue() -> Vec<RuleEntry> {
    let mut out = Vec::new();
    for r in rules::all() {
        let info = r.info();
        if info.code == "KT" {
            let doc = info.doc();
            for p in PatternSet::builtin().patterns() {
                out.push(RuleEntry {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    severity: info.severity,
                    summary: format!("{} written in clear.", p.description),
                    doc: format!("{} written in clear.\n\n{doc}", p.description),
                    family: Some(info.code),
                });
            }
        } else {
            out.push(RuleEntry {
                code: info.code.to_owned(),
                name: info.name.to_owned(),
                severity: info.severity,
                summary: info.summary(),
                doc: info.doc(),
                family: None,
            });
        }
    }
    out
}

/// The first sentence of `text` (up to the first `. ` or the end).
pub fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// `docs/rules.md`: a table of every rule, then each rule's documentation, then the
/// catalogue of known token formats.
pub fn rules_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Rule reference\n\n");
    out.push_str(
        "<!-- Generated from the rules' doc comments by `stowaway::docs::rules_markdown()`.\n     \
         Do not edit: run `UPDATE_DOCS=1 cargo test --test docs` to regenerate. -->\n\n",
    );
    out.push_str(
        "Every rule stowaway reports, with its default severity. `stowaway rules` prints the \
         same list and `stowaway rule CODE` one rule's documentation.\n\n",
    );
    out.push_str("| code | name | severity | what it finds |\n|---|---|---|---|\n");
    for r in rules::all() {
        let info = r.info();
        let (code, link) = if info.code == "KT" {
            ("KT001…".to_owned(), "kt-known-token".to_owned())
        } else {
            (
                info.code.to_owned(),
                format!("{}-{}", info.code.to_ascii_lowercase(), info.name),
            )
        };
        out.push_str(&format!(
            "| [{code}](#{link}) | {} | {} | {} |\n",
            info.name,
            info.severity,
            cell(&info.summary())
        ));
    }
    for r in rules::all() {
        let info = r.info();
        out.push_str(&format!(
            "\n## {} {}\n\nDefault severity: **{}**.\n\n{}\n",
            info.code,
            info.name,
            info.severity,
            info.doc()
        ));
        if info.code == "KT" {
            out.push_str("\n### Known token formats\n\n");
            out.push_str("| code | name | what it finds |\n|---|---|---|\n");
            for p in PatternSet::builtin().patterns() {
                out.push_str(&format!(
                    "| {} | {} | {} |\n",
                    p.code,
                    cell(&p.name),
                    cell(&p.description)
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_every_rule_and_every_token_format() {
        let cat = catalogue();
        let kt = PatternSet::builtin().patterns().len();
        assert_eq!(cat.len(), rules::all().len() - 1 + kt);
        assert!(cat.iter().any(|e| e.code == "CS001"));
        assert!(
            cat.iter()
                .all(|e| !e.summary.is_empty() && !e.doc.is_empty())
        );
        let mut codes: Vec<&str> = cat.iter().map(|e| e.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), cat.len(), "codes are unique");
    }

    #[test]
    fn first_sentence_stops_at_the_first_full_stop() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("No stop"), "No stop");
        assert_eq!(first_sentence("`a.b` here. Then"), "`a.b` here.");
    }

    #[test]
    fn markdown_lists_every_code() {
        let md = rules_markdown();
        for r in rules::all() {
            assert!(md.contains(&format!("## {} {}", r.info().code, r.info().name)));
        }
        for p in PatternSet::builtin().patterns() {
            assert!(md.contains(&format!("| {} |", p.code)));
        }
    }
}
