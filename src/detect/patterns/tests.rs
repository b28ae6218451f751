use super::*;
use std::collections::HashSet;

fn fresh_builtin() -> PatternSet {
    PatternSet::parse(BUILTIN_FILES, false).expect("embedded patterns parse")
}

fn codes(found: &[TokenMatch]) -> Vec<&str> {
    found.iter().map(|m| m.code.as_str()).collect()
}

fn load_err(files: &[(&str, &str)]) -> LoadError {
    match PatternSet::load(files) {
        Ok(_) => panic!("expected a load error"),
        Err(e) => e,
    }
}

const GOOD: &str = r#"
[[pattern]]
id = "demo-token"
code = "KT900"
name = "demo-token"
description = "Demo token"
regex = '''\bdemo_[a-z0-9]{8}\b'''
keywords = ["demo_"]
examples = ["demo_a1b2c3d4"]
"#;

// ---------------------------------------------------------------- catalogue

#[test]
fn builtin_files_load_with_full_validation() {
    let set = match PatternSet::load(BUILTIN_FILES) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(set.compiled_count(), set.patterns().len());
    assert!(set.patterns().len() >= 40);
}

#[test]
fn builtin_is_shared_and_large_enough() {
    let a = PatternSet::builtin();
    let b = PatternSet::builtin();
    assert!(std::ptr::eq(a, b));
    let codes: HashSet<&str> = a.patterns().iter().map(|p| p.code.as_str()).collect();
    // One code per token format: a copied entry would report under another's code.
    assert_eq!(codes.len(), a.patterns().len(), "codes are not unique");
    let names: HashSet<&str> = a.patterns().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.len(), a.patterns().len(), "names are not unique");
    assert!(codes.len() >= 40, "only {} codes", codes.len());
}

#[test]
fn every_rule_file_is_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/tokens");
    let listed: HashSet<String> = BUILTIN_FILES.iter().map(|(n, _)| n.to_string()).collect();
    let mut on_disk = 0;
    for entry in std::fs::read_dir(&dir).expect("rules/tokens exists") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            on_disk += 1;
            let name = format!(
                "rules/tokens/{}",
                path.file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
            );
            assert!(listed.contains(&name), "{name} is not in BUILTIN_FILES");
        }
    }
    assert_eq!(on_disk, BUILTIN_FILES.len());
}

#[test]
fn ids_and_codes_unique_and_well_formed() {
    let set = PatternSet::builtin();
    let mut ids = HashSet::new();
    let mut codes = HashSet::new();
    for p in set.patterns() {
        assert!(ids.insert(p.id.as_str()), "duplicate id {}", p.id);
        assert!(codes.insert(p.code.as_str()), "duplicate code {}", p.code);
        assert!(is_kebab(&p.id), "{} not kebab-case", p.id);
        assert!(is_kebab(&p.name), "{} name not kebab-case", p.id);
        assert!(is_code(&p.code), "{} bad code", p.code);
        assert!(!p.description.is_empty(), "{} has no description", p.id);
        assert!(!p.examples.is_empty(), "{} has no examples", p.id);
        assert!(
            !p.counter_examples.is_empty(),
            "{} has no counter-examples",
            p.id
        );
    }
}

#[test]
fn every_pattern_has_keywords_present_in_its_examples() {
    for p in PatternSet::builtin().patterns() {
        assert!(!p.keywords.is_empty(), "{} has no keywords", p.id);
        for k in &p.keywords {
            assert_eq!(
                k,
                &k.to_ascii_lowercase(),
                "{} keyword not lower-case",
                p.id
            );
        }
        for ex in &p.examples {
            let lower = ex.to_ascii_lowercase();
            assert!(
                p.keywords.iter().any(|k| lower.contains(k.as_str())),
                "{}: no keyword of {:?} occurs in example {ex}",
                p.id,
                p.keywords
            );
        }
    }
}

#[test]
fn examples_match_and_counter_examples_do_not() {
    let failures = PatternSet::builtin().check_examples();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn examples_report_exactly_their_own_code() {
    let set = PatternSet::builtin();
    for p in set.patterns() {
        for ex in &p.examples {
            let found = set.scan(ex);
            assert_eq!(codes(&found), vec![p.code.as_str()], "{}: {ex}", p.id);
            let m = &found[0];
            assert_eq!(m.id, p.id);
            assert_eq!(m.name, p.name);
            assert_eq!(m.description, p.description);
            assert!(ex.get(m.range.clone()).is_some());
        }
    }
}

#[test]
fn documented_example_keys_are_allowlisted() {
    let set = PatternSet::builtin();
    for text in [
        "AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "GITHUB_TOKEN=${GITHUB_TOKEN}",
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    ] {
        assert!(set.scan(text).is_empty(), "{text}: {:?}", set.scan(text));
    }
}

#[test]
fn context_patterns_report_only_the_secret_part() {
    let set = PatternSet::builtin();
    let secret = "q8Z2vR7mK1xT4bN9cW3yH6jL0pF5sD2gA8eU1iO7";
    let text = format!("ENV AWS_SECRET_ACCESS_KEY={secret}\n");
    let found = set.scan(&text);
    assert_eq!(codes(&found), vec!["KT002"]);
    assert_eq!(&text[found[0].range.clone()], secret);
}

#[test]
fn realistic_files_with_placeholders_are_clean() {
    let compose = r#"
services:
  api:
    image: ghcr.io/acme/api:1.4.2
    environment:
      - GITHUB_TOKEN=${GITHUB_TOKEN}
      - AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-}
      - AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}
      - STRIPE_KEY=sk_live_...
      - TZ=Asia/Tokyo
      - DD_API_KEY=<your-datadog-key>
      - OPENAI_API_KEY=sk-...
      - LANG=en-US.UTF-8
    secrets:
      - db_password
    volumes:
      - storage:/var/lib/storage
secrets:
  db_password:
    file: ./secrets/db_password.txt
"#;
    let dockerfile = "FROM python:3.12-slim AS build\n\
        ARG NPM_TOKEN\n\
        RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n\
        RUN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc\n\
        ENV HF_HOME=/cache/hf_models PIP_NO_CACHE_DIR=1\n\
        COPY --from=build /app /app\n\
        HEALTHCHECK CMD curl -fsS http://localhost:8080/healthz || exit 1\n";
    let set = PatternSet::builtin();
    assert!(set.scan(compose).is_empty(), "{:?}", set.scan(compose));
    assert!(
        set.scan(dockerfile).is_empty(),
        "{:?}",
        set.scan(dockerfile)
    );
}

#[test]
fn several_tokens_in_one_text_are_sorted_and_disjoint() {
    let set = PatternSet::builtin();
    let mut text = String::new();
    for p in set.patterns() {
        text.push_str(&p.examples[0]);
        text.push('\n');
    }
    let found = set.scan(&text);
    assert_eq!(found.len(), set.patterns().len(), "{:?}", codes(&found));
    for w in found.windows(2) {
        assert!(w[0].range.end <= w[1].range.start);
    }
}

// ------------------------------------------------------------------ overlap

#[test]
fn anthropic_key_is_not_reported_as_openai() {
    let set = PatternSet::builtin();
    let key = "sk-ant-api03-Zr4Tq9Lm2Vx7Bn1Kc8Wd3Hf6Jg0Py5Ts2Mu9Re4Nq7Ow1Li3Ka8Jb6Vc0Xd5Ye2Zf9Ag4Bh7Ci1Dj3Ek8Fl6Gm0Hn5Io2Jp9Kq4LrAA";
    let found = set.scan(&format!("ANTHROPIC_API_KEY={key}"));
    assert_eq!(codes(&found), vec!["KT040"]);

    // Against a deliberately broad OpenAI-like rule, priority decides.
    let generic = r#"
[[pattern]]
id = "generic-sk"
code = "KT901"
name = "generic-sk"
description = "Anything sk-"
regex = '''\bsk-[A-Za-z0-9_-]{20,}'''
keywords = ["sk-"]
"#;
    let anthropic: Vec<(&str, &str)> = BUILTIN_FILES
        .iter()
        .copied()
        .filter(|(n, _)| n.ends_with("anthropic.toml"))
        .collect();
    // Generic rule listed first and its match is as long: priority still wins.
    let mut set = PatternSet::load(&[("generic.toml", generic)]).expect("loads");
    set.extend(PatternSet::load(&anthropic).expect("loads"))
        .expect("no clash");
    assert_eq!(codes(&set.scan(key)), vec!["KT040"]);
}

#[test]
fn longer_match_wins_at_equal_priority() {
    let text = r#"
[[pattern]]
id = "short"
code = "KT910"
name = "short"
description = "short"
regex = '''tok_[a-z]{4}'''
keywords = ["tok_"]

[[pattern]]
id = "long"
code = "KT911"
name = "long"
description = "long"
regex = '''tok_[a-z]{4}_[0-9]{4}'''
keywords = ["tok_"]
"#;
    let set = PatternSet::load(&[("x.toml", text)]).expect("loads");
    let found = set.scan("a tok_abcd_1234 and tok_wxyz.");
    assert_eq!(codes(&found), vec!["KT911", "KT910"]);
    assert_eq!(found[0].range, 2..15);
    assert_eq!(found[1].range, 20..28);
}

// ------------------------------------------------------------ laziness

#[test]
fn scanning_text_without_keywords_compiles_nothing() {
    let set = fresh_builtin();
    assert_eq!(set.compiled_count(), 0);
    let chunk = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl ca-certificates\nWORKDIR /app\nCOPY . .\n";
    let mut text = String::with_capacity(1 << 20);
    while text.len() < 1 << 20 {
        text.push_str(chunk);
    }
    assert!(set.scan(&text).is_empty());
    assert_eq!(set.compiled_count(), 0);

    // A single GitHub token compiles just the pattern(s) its keywords wake.
    text.push_str("ENV T=ghp_Zq7Wm3Rt9Lp2Vn8Bc4Xd6Hf1Jg5Ky0Tu3Mw9\n");
    let found = set.scan(&text);
    assert_eq!(codes(&found), vec!["KT003"]);
    assert_eq!(set.compiled_count(), 1);
    // Compiled once, not per scan.
    set.scan(&text);
    assert_eq!(set.compiled_count(), 1);
}

// --------------------------------------------------------------- robustness

#[test]
fn scan_never_panics_on_hostile_input() {
    let set = PatternSet::builtin();
    let mut inputs: Vec<String> = vec![
        String::new(),
        "\0".into(),
        "\u{FEFF}ghp_".into(),
        "é".repeat(1000),
        "ghp_é".into(),
        "sk-ant-api03-".repeat(500),
        "A".repeat(100_000),
        "-----BEGIN PRIVATE KEY-----".repeat(100),
        "\"type\": \"service_account\" \"private_key\": \"-----BEGIN PRIVATE KEY-----".into(),
        "\"auths\": {\"auth\": \"".repeat(200),
        "eyJ.eyJ.".repeat(1000),
        "AccountKey=".to_string() + &"+".repeat(86) + "==",
        "𝔊ℍ𝔓_🙂".repeat(300),
    ];
    let keywords: Vec<String> = set
        .patterns()
        .iter()
        .flat_map(|p| p.keywords.iter().cloned())
        .collect();
    inputs.push(keywords.concat());
    inputs.push(keywords.join("é"));
    for k in &keywords {
        inputs.push(k.clone());
        inputs.push(format!("{k}{}", "ÿ".repeat(70)));
        inputs.push(format!("{}{k}", "Z9".repeat(40)));
    }
    // Pseudo-random soup of keyword fragments, token characters and
    // multi-byte characters (deterministic LCG).
    let alphabet: Vec<char> = "aZ09_-.=/+:~\"' \n\t\\{}é€😀xX".chars().collect();
    let mut state: u64 = 0x5eed;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for _ in 0..300 {
        let mut s = String::new();
        for _ in 0..(next() % 400) {
            if next() % 5 == 0 {
                s.push_str(&keywords[next() % keywords.len()]);
            } else {
                s.push(alphabet[next() % alphabet.len()]);
            }
        }
        inputs.push(s);
    }
    for input in &inputs {
        for m in set.scan(input) {
            assert!(input.get(m.range.clone()).is_some(), "bad range");
        }
    }
}

#[test]
fn entropy_values() {
    assert_eq!(shannon_entropy(""), 0.0);
    assert_eq!(shannon_entropy("aaaa"), 0.0);
    assert!((shannon_entropy("ab") - 1.0).abs() < 1e-9);
    assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
    assert!((shannon_entropy("ééàà") - 1.0).abs() < 1e-9);
    assert!(shannon_entropy("ghp_krvhf21n3oqoEb1QkEe61ImxyGYfdfYO5Eiq") > 4.0);
}

// ------------------------------------------------------------ load errors

#[test]
fn good_file_loads_and_extends() {
    let mut set = PatternSet::load(&[("good.toml", GOOD)]).expect("loads");
    assert_eq!(set.patterns()[0].file, "good.toml");
    assert_eq!(set.patterns()[0].line, 3);
    assert!(set.check_examples().is_empty());
    let extra = GOOD
        .replace("demo-token", "other-token")
        .replace("KT900", "KT902");
    set.extend(PatternSet::load(&[("extra.toml", &extra)]).expect("loads"))
        .expect("extends");
    assert_eq!(set.patterns().len(), 2);
    assert_eq!(set.compiled_count(), 2);
}

#[test]
fn extend_rejects_clashes_and_leaves_set_unchanged() {
    let mut set = PatternSet::load(&[("good.toml", GOOD)]).expect("loads");
    let clash = GOOD.replace("demo-token", "other-token");
    let err = set
        .extend(PatternSet::load(&[("user.toml", &clash)]).expect("loads"))
        .expect_err("code clash");
    assert!(matches!(err, LoadError::DuplicateCode { .. }), "{err}");
    assert_eq!(err.file(), "user.toml");
    assert_eq!(err.line(), 4);
    assert_eq!(set.patterns().len(), 1);
    assert_eq!(set.scan("x demo_a1b2c3d4").len(), 1);

    // A user file cannot redefine a built-in id.
    let mut builtin = fresh_builtin();
    let user = GOOD.replace("demo-token", "github-pat-classic");
    let err = builtin
        .extend(PatternSet::load(&[("user.toml", &user)]).expect("loads"))
        .expect_err("id clash");
    assert!(matches!(err, LoadError::DuplicateId { .. }), "{err}");
    assert!(
        err.to_string().contains("rules/tokens/github.toml"),
        "{err}"
    );
}

#[test]
fn bad_toml_names_file_and_line() {
    let text = format!("{GOOD}\n[[pattern]]\nid = \"broken\nname = \"x\"\n");
    let err = load_err(&[("bad.toml", &text)]);
    assert!(matches!(err, LoadError::Toml { .. }), "{err}");
    assert_eq!((err.file(), err.line()), ("bad.toml", 12), "{err}");
    assert!(err.to_string().starts_with("bad.toml:12: "), "{err}");
}

#[test]
fn unknown_key_names_file_and_line() {
    let text = GOOD.replace("examples = [", "severity = \"high\"\nexamples = [");
    let err = load_err(&[("unknown.toml", &text)]);
    assert!(matches!(err, LoadError::Toml { .. }), "{err}");
    assert!(err.to_string().contains("severity"), "{err}");
    assert_eq!((err.file(), err.line()), ("unknown.toml", 9), "{err}");
}

#[test]
fn missing_required_key_names_file_and_line() {
    let text = GOOD.replace("description = \"Demo token\"\n", "");
    let err = load_err(&[("missing.toml", &text)]);
    assert!(matches!(err, LoadError::Toml { .. }), "{err}");
    assert!(err.to_string().contains("description"), "{err}");
    assert_eq!(err.file(), "missing.toml");
    assert!((2..=8).contains(&err.line()), "{err}");
}

#[test]
fn invalid_regex_names_line_of_regex_key() {
    let text = format!(
        "{GOOD}{}",
        GOOD.replace("demo-token", "second")
            .replace("KT900", "KT903")
            .replace(r"\bdemo_[a-z0-9]{8}\b", "demo_(unclosed")
    );
    let err = load_err(&[("regex.toml", &text)]);
    assert!(matches!(err, LoadError::Regex { .. }), "{err}");
    assert_eq!((err.file(), err.line()), ("regex.toml", 16), "{err}");
    assert!(err.to_string().contains("`second`"), "{err}");
}

#[test]
fn invalid_allowlist_regex_names_its_line() {
    let text = GOOD.replace(
        "examples = [",
        "allowlist = [\n  '''ok''',\n  '''[z-a]''',\n]\nexamples = [",
    );
    let err = load_err(&[("allow.toml", &text)]);
    assert!(matches!(err, LoadError::Regex { .. }), "{err}");
    assert_eq!((err.file(), err.line()), ("allow.toml", 11), "{err}");
}

#[test]
fn duplicate_id_names_second_definition() {
    let second = GOOD.replace("KT900", "KT904");
    let err = load_err(&[("a.toml", GOOD), ("b.toml", &second)]);
    assert!(matches!(err, LoadError::DuplicateId { .. }), "{err}");
    assert_eq!((err.file(), err.line()), ("b.toml", 3), "{err}");
    assert!(err.to_string().contains("a.toml:3"), "{err}");
}

#[test]
fn duplicate_code_names_second_definition() {
    let text = format!("{GOOD}{}", GOOD.replace("demo-token", "demo-two"));
    let err = load_err(&[("codes.toml", &text)]);
    assert!(matches!(err, LoadError::DuplicateCode { .. }), "{err}");
    assert_eq!((err.file(), err.line()), ("codes.toml", 13), "{err}");
}

#[test]
fn missing_keywords_are_rejected() {
    let text = GOOD.replace("keywords = [\"demo_\"]\n", "");
    let err = load_err(&[("kw.toml", &text)]);
    assert!(matches!(err, LoadError::MissingKeywords { .. }), "{err}");
    assert_eq!((err.file(), err.line()), ("kw.toml", 3), "{err}");

    let text = GOOD.replace("keywords = [\"demo_\"]", "keywords = []");
    let err = load_err(&[("kw.toml", &text)]);
    assert!(matches!(err, LoadError::MissingKeywords { .. }), "{err}");
    assert_eq!((err.file(), err.line()), ("kw.toml", 8), "{err}");
}

#[test]
fn invalid_field_values_are_rejected() {
    let cases = [
        (GOOD.replace("KT900", "XX900"), 4),
        (
            GOOD.replace("id = \"demo-token\"", "id = \"Demo_Token\""),
            3,
        ),
        (
            GOOD.replace("keywords = [\"demo_\"]", "keywords = [\"demo_\", \" \"]"),
            8,
        ),
        (
            GOOD.replace("examples = [", "entropy = -1.0\nexamples = ["),
            9,
        ),
    ];
    for (text, line) in cases {
        let err = load_err(&[("inv.toml", &text)]);
        assert!(matches!(err, LoadError::Invalid { .. }), "{err}");
        assert_eq!((err.file(), err.line()), ("inv.toml", line), "{err}");
    }
}

#[test]
fn counter_example_failures_are_reported() {
    let text = GOOD.replace(
        "examples = [\"demo_a1b2c3d4\"]",
        "examples = [\"demo_short\"]\ncounter-examples = [\"demo_a1b2c3d4\"]",
    );
    let set = PatternSet::load(&[("ce.toml", &text)]).expect("loads");
    let failures = set.check_examples();
    assert_eq!(failures.len(), 2, "{failures:?}");
}
