//! stowaway's YAML layer accepts a document exactly when Docker Compose reads it as YAML.
//!
//! Each case below says whether Compose reads it; the test checks stowaway against that
//! verdict always, and checks the verdict against the real `docker-compose` when it is
//! installed (see `tests/common/compose_oracle.rs`). The compose files under
//! `tests/fixtures` and `tests/cli` are compared with Compose directly.
//!
//! Cases are schema-valid compose files (tricky YAML goes under `x-` extension fields,
//! which Compose accepts whatever they hold), so a Compose error means the YAML was
//! refused. For the fixtures, which may be schema-invalid on purpose, only Compose errors
//! that are YAML errors count (see [`is_yaml_error`]).
//!
//! Differences kept on purpose (not a difference in what is accepted): stowaway builds a
//! tree for the first document only, Compose merges all documents; both refuse a file when
//! any of its documents is not YAML or holds a duplicate key. stowaway's bounds on hostile
//! input (nesting, nodes, alias copies: see `stowaway::yaml`) differ from go-yaml's, so
//! files near them may be read by one and not the other; [`DIFFERENCES`] lists the cases
//! that differ and why.

mod common;

use std::path::{Path, PathBuf};

use common::compose_oracle;

/// A service wrapper: `body` is written at the service's key indentation (4 spaces).
fn svc(body: &str) -> String {
    format!("services:\n  a:\n    image: x\n{body}")
}

/// A top-level extension field holding `value` (written after `x-t:`).
fn ext(value: &str) -> String {
    format!("services:\n  a:\n    image: x\nx-t:{value}")
}

/// (name, document, whether Compose reads it as YAML)
fn cases() -> Vec<(&'static str, String, bool)> {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    vec![
        // Flow collections whose lines sit at or left of the parent key's indentation.
        (
            "flow_seq_close_at_key_column",
            svc("    ports: [\n      \"80:80\"\n    ]\n"),
            true,
        ),
        (
            "flow_seq_close_at_column_0",
            svc("    ports: [\n  \"80:80\"\n]\n"),
            true,
        ),
        (
            "sentry_healthcheck",
            "services:\n  web:\n    image: nginx\n    healthcheck:\n      test: [\n        \"CMD-SHELL\",\n        \"wget -q -O- http://localhost\"\n      ]\n".into(),
            true,
        ),
        (
            "flow_seq_items_at_column_0",
            svc("    command: [\n\"a\",\n\"b\"]\n"),
            true,
        ),
        (
            "flow_map_multi_line",
            svc("    environment: {\n      A: \"1\",\n      B: \"2\"\n    }\n"),
            true,
        ),
        (
            "flow_map_close_at_column_0",
            svc("    environment: {\n  A: \"1\"\n}\n"),
            true,
        ),
        ("flow_nested", ext(" [[a, b], {c: d}, []]\n"), true),
        ("flow_trailing_comma", ext(" [a, b,]\n"), true),
        ("flow_map_trailing_comma", ext(" {a: 1, b: 2,}\n"), true),
        ("flow_comment_inside", ext(" [\n  a, # one\n  b # two\n]\n"), true),
        ("flow_single_pair", ext(" [a: b, c]\n"), true),
        ("flow_map_keys_without_values", ext(" {a, b}\n"), true),
        ("flow_unterminated", ext(" [a, b\n"), false),
        ("flow_unterminated_map", ext(" {a: b\n"), false),
        ("flow_unbalanced_close", ext(" [a]]\n"), false),
        ("flow_double_comma", ext(" [a,,b]\n"), false),
        ("flow_tag_before_comma", ext(" [!t, b]\n"), true),
        ("flow_in_block_seq", ext("\n  - [a, b]\n  - {c: d}\n"), true),
        ("flow_key_then_newline_colon", ext(" {a\n  : b}\n"), false),
        // Block scalars.
        ("literal", ext(" |\n  line one\n  line two\n"), true),
        ("literal_indent_indicator", ext(" |2\n    indented\n  base\n"), true),
        ("folded_keep", ext(" >+\n  a\n  b\n\n"), true),
        ("literal_strip", ext(" |-\n  a\n"), true),
        ("literal_indicator_zero", ext(" |0\n  a\n"), false),
        ("literal_leading_blank_more_indented", ext(" |\n     \n  a\n"), false),
        ("literal_bad_header", ext(" |x\n  a\n"), false),
        // Tabs.
        ("tab_indentation", "services:\n\ta:\n\t\timage: x\n".into(), false),
        ("tab_before_comment", svc("    x-t: v\t# c\n"), true),
        ("tab_in_flow", ext(" [a,\tb]\n"), true),
        ("tab_after_colon", svc("    x-t:\tv\n"), true),
        ("tab_in_plain_scalar", ext(" a\tb\n"), true),
        ("tab_after_spaces_before_key", svc("  \t  x-t: v\n"), false),
        ("tab_in_literal", ext(" |\n  a\n  \tb\n"), true),
        // Anchors, aliases, merge keys.
        (
            "anchor_alias_merge",
            "x-base: &base\n  image: x\n  restart: always\nservices:\n  a:\n    <<: *base\n    restart: \"no\"\n".into(),
            true,
        ),
        (
            "merge_list",
            "x-a: &a {image: x}\nx-b: &b {restart: always}\nservices:\n  a:\n    <<: [*a, *b]\n".into(),
            true,
        ),
        ("merge_scalar", svc("    x-t:\n      <<: 1\n"), false),
        ("merge_list_of_scalars", ext(" &s v\nx-u:\n  <<: [*s]\n"), false),
        ("alias_unknown", ext(" *nope\n"), false),
        ("alias_before_anchor", "x-u: *a\nx-t: &a v\nservices:\n  a:\n    image: x\n".into(), false),
        ("anchor_redefined", ext(" &a one\nx-u: &a two\nx-v: *a\n"), true),
        ("alias_as_key", ext(" &k key\nx-u:\n  *k : v\n"), true),
        ("anchor_on_service", "services:\n  a: &svc\n    image: x\n  b: *svc\n".into(), true),
        ("anchor_dotted_name", ext(" &a.b-c v\nx-u: *a.b-c\n"), false),
        (
            "alias_bomb",
            {
                let mut t = String::from("services:\n  a:\n    image: x\nx-0: &a0 [x, x, x, x, x, x, x, x, x]\n");
                for i in 1..10 {
                    t.push_str(&format!(
                        "x-{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                        p = i - 1
                    ));
                }
                t
            },
            false,
        ),
        // Duplicate keys (Compose refuses them, so do we).
        ("duplicate_key", svc("    image: y\n"), false),
        ("duplicate_key_flow", ext(" {a: 1, a: 2}\n"), false),
        ("duplicate_key_quoted_and_plain", ext("\n  \"k\": 1\n  k: 2\n"), false),
        ("duplicate_key_in_second_document", "services:\n  a:\n    image: x\n---\nx-t:\n  k: 1\n  k: 2\n".into(), false),
        ("merge_key_then_same_key", "x-b: &b {image: x}\nservices:\n  a:\n    <<: *b\n    image: y\n".into(), true),
        // Tags.
        ("tag_unknown", svc("    x-t: !foo bar\n"), true),
        ("tag_unknown_on_mapping", ext(" !foo {a: 1}\n"), true),
        ("tag_reset", svc("    ports: !reset []\n"), true),
        ("tag_override", svc("    environment: !override {A: \"1\"}\n"), true),
        ("tag_str", svc("    x-t: !!str 1\n"), true),
        ("tag_int_on_text", svc("    x-t: !!int abc\n"), false),
        ("tag_verbatim", svc("    x-t: !<tag:example.com,2024:x> v\n"), true),
        // Documents.
        ("document_start_marker", format!("---\n{}", svc("")), true),
        ("document_end_marker", format!("{}...\n", svc("")), true),
        ("document_inline_flow", "--- {services: {a: {image: x}}}\n".into(), true),
        ("two_documents", format!("{}---\nx-t: 1\n", svc("")), true),
        ("second_document_invalid", format!("{}---\nx-t: [\n", svc("")), false),
        ("yaml_directive_1_1", format!("%YAML 1.1\n---\n{}", svc("")), true),
        ("yaml_directive_2_0", format!("%YAML 2.0\n---\n{}", svc("")), false),
        ("tag_directive", format!("%TAG !e! tag:example.com,2024:\n---\n{}", svc("    x-t: !e!x v\n")), true),
        ("directive_without_document_start", format!("%YAML 1.1\n{}", svc("")), false),
        // Encodings and line breaks.
        ("bom", format!("\u{feff}{}", svc("")), true),
        ("crlf", svc("    x-t: |\n      a\n").replace('\n', "\r\n"), true),
        ("cr_only", svc("    x-t: v\n").replace('\n', "\r"), true),
        ("control_character", svc("    x-t: a\u{1}b\n"), false),
        ("nul_character", svc("    x-t: a\u{0}b\n"), false),
        ("non_ascii", svc("    x-t: \"héllo wörld ✓\"\n"), true),
        // Comments.
        ("hash_without_space_is_text", svc("    x-t: a#b\n"), true),
        ("comment_lines_everywhere", "# top\nservices: # s\n  # inner\n  a:\n    image: x # i\n# end\n".into(), true),
        ("comment_only_file", "# nothing here\n".into(), true),
        // Plain and quoted scalars.
        ("plain_multi_line", ext(" a\n  b\n  c\n"), true),
        ("plain_continuation_at_column_0", ext(" a\nb\n"), false),
        ("plain_with_colon_space", svc("    x-t: a: b\n"), false),
        ("plain_starting_with_at", svc("    x-t: @v\n"), false),
        ("plain_starting_with_backtick", svc("    x-t: `v\n"), false),
        ("plain_colon_without_space", svc("    x-t: a:b\n"), true),
        ("double_quoted_multi_line", ext(" \"a\n  b\\\n  c\"\n"), true),
        ("double_quoted_continuation_left", svc("    x-t: \"a\nb\"\n"), true),
        ("single_quoted_escape", ext(" 'it''s'\n"), true),
        ("double_quoted_bad_escape", ext(" \"\\q\"\n"), false),
        ("double_quoted_hex_escape", ext(" \"\\x41\\u00e9\"\n"), true),
        ("unterminated_double_quote", svc("    x-t: \"abc\n"), false),
        ("unterminated_single_quote", svc("    x-t: 'abc\n"), false),
        ("quoted_then_text", svc("    x-t: \"a\" b\n"), false),
        // Indentation.
        ("key_less_indented_than_sibling", svc("   restart: always\n"), false),
        ("key_more_indented_than_sibling", svc("      restart: always\n"), false),
        ("block_seq_at_key_indentation", svc("    x-t:\n    - a\n    - b\n"), true),
        ("block_seq_inconsistent", svc("    x-t:\n      - a\n     - b\n"), false),
        ("value_on_next_line", svc("    x-t:\n      v\n"), true),
        ("value_on_next_line_at_key_column", svc("    x-t:\n    v\n"), false),
        ("empty_value", svc("    x-t:\n"), true),
        ("complex_key", ext("\n  ? a\n  : b\n"), true),
        ("long_simple_key", ext(&format!("\n  {}: v\n", "k".repeat(1100))), false),
        ("deep_flow_100", ext(&format!(" {}\n", deep(100))), true),
        ("deep_flow_600", ext(&format!(" {}\n", deep(600))), true),
        ("empty_file", String::new(), true),
    ]
}

/// Known, documented differences: (case, reason).
const DIFFERENCES: &[(&str, &str)] = &[
    (
        "deep_flow_600",
        "stowaway refuses nesting deeper than 512 levels (a bound on hostile input); \
         go-yaml's bound is 10,000",
    ),
    (
        "tag_int_on_text",
        "go-yaml refuses a core-schema tag (`!!int`, `!!bool`, ...) on a value that does not \
     resolve to it; stowaway keeps tags as written and does not type scalars by them",
    ),
];

/// Cases not put to Compose: (case, reason).
const NOT_ASKED: &[(&str, &str)] = &[
    (
        "deep_flow_600",
        "Compose reads it (it prints the configuration), but its JSON is nested deeper than \
         serde_json's recursion limit of 128, so the oracle cannot check it",
    ),
    (
        "alias_bomb",
        "Compose expands every alias of the tree: it ran for over 10 minutes at full CPU and \
     printed nothing; stowaway stops at MAX_ALIAS_NODES",
    ),
];

/// stowaway's verdict: `Err` with the message when its YAML layer refuses the document
/// (a syntax error, a limit, or a problem such as a duplicate key, which Compose refuses).
fn stowaway_verdict(text: &str) -> Result<(), String> {
    match stowaway::yaml::parse(text) {
        Err(p) => Err(p.message),
        Ok(out) if !out.problems.is_empty() => Err(out
            .problems
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")),
        Ok(_) => Ok(()),
    }
}

/// Whether a Compose error is about the YAML rather than the compose schema or files:
/// go-yaml's messages start with `yaml:` (a file name such as `compose.yaml:` does not
/// count); duplicate keys are reported as `mapping key "k" already defined`.
fn is_yaml_error(message: &str) -> bool {
    message.split_whitespace().any(|w| w == "yaml:") || message.contains("already defined")
}

/// A Compose error that is not about the YAML and that a schema-valid case may still get:
/// a file that holds no document, or only comments.
fn is_empty_file_error(message: &str) -> bool {
    message.contains("empty compose file")
}

/// Compose's verdict on one document: `Err` when it refuses it as YAML.
fn compose_verdict(text: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("compose.yaml");
    std::fs::write(&file, text).expect("write case");
    match compose_oracle::config(dir.path(), &[&file], &[], false) {
        Ok(_) => Ok(()),
        Err(e) if is_yaml_error(&e) => Err(e),
        Err(e) if is_empty_file_error(&e) => Ok(()),
        Err(e) => Err(format!("NOT A YAML ERROR: {e}")),
    }
}

fn difference(name: &str) -> Option<&'static str> {
    DIFFERENCES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, r)| *r)
}

#[test]
fn stowaway_accepts_exactly_the_cases_compose_reads() {
    let mut wrong = Vec::new();
    for (name, text, accepted) in cases() {
        let got = stowaway_verdict(&text);
        match difference(name) {
            None if got.is_ok() != accepted => wrong.push(format!(
                "{name}: expected accepted={accepted}, stowaway says {got:?}"
            )),
            Some(_) if got.is_ok() == accepted => wrong.push(format!(
                "{name}: listed as a difference but stowaway agrees"
            )),
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn there_are_enough_cases_and_the_lists_name_real_ones() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    for (name, _) in DIFFERENCES.iter().chain(NOT_ASKED) {
        assert!(
            cases.iter().any(|(n, _, _)| n == name),
            "unknown case {name}"
        );
    }
}

#[test]
fn the_cases_verdicts_are_what_compose_says() {
    require_compose!();
    let cases: Vec<_> = cases()
        .into_iter()
        .filter(|(name, _, _)| !NOT_ASKED.iter().any(|(n, _)| n == name))
        .collect();
    let verdicts = run_parallel(&cases, |(_, text, _)| compose_verdict(text));
    let mut wrong = Vec::new();
    for ((name, _, accepted), verdict) in cases.iter().zip(verdicts) {
        if let Err(e) = &verdict
            && e.starts_with("NOT A YAML ERROR")
        {
            wrong.push(format!("{name}: case is not schema-valid: {e}"));
            continue;
        }
        if verdict.is_ok() != *accepted {
            wrong.push(format!(
                "{name}: expected accepted={accepted}, Compose says {verdict:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every compose file under `tests/fixtures` and `tests/cli`.
fn fixture_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut out = Vec::new();
    let mut dirs = vec![root.join("fixtures"), root.join("cli")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
            if yaml && name.contains("compose") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fixtures_are_read_as_compose_reads_them() {
    require_compose!();
    let files = fixture_files();
    assert!(files.len() > 20, "fixtures found: {}", files.len());
    let verdicts = run_parallel(&files, |path| {
        let dir = path.parent().unwrap_or(Path::new("."));
        match compose_oracle::config(dir, &[path], &[], false) {
            Err(e) if is_yaml_error(&e) => Err(e),
            _ => Ok(()),
        }
    });
    let mut wrong = Vec::new();
    for (path, compose) in files.iter().zip(verdicts) {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let ours = stowaway_verdict(&text);
        if ours.is_ok() != compose.is_ok() {
            wrong.push(format!(
                "{}: stowaway {ours:?}, Compose {compose:?}",
                path.display()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `f` over `items` on a few threads (each call starts a Compose process).
fn run_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = 4;
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread"))
            .collect()
    })
}
