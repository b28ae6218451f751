//! Property: every finding's span (and its secret span and fix edits) lies inside its file
//! and on UTF-8 character boundaries, whatever multibyte text surrounds it. Generated
//! projects mix secret-like names and values, known token formats, and non-ASCII text
//! before, inside and after the values, in compose files, Dockerfiles and env files.

use proptest::prelude::*;
use stowaway::analysis::Analysis;
use stowaway::source::Span;

/// Characters of 1 to 4 bytes that are safe inside plain and double-quoted YAML, shell
/// words and env values.
const WORD: &str = "[a-zA-Z0-9_./é€ü你😀Ωß-]{1,24}";

fn secret_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "DB_PASSWORD",
        "API_KEY",
        "JWT_SECRET",
        "AUTH_TOKEN",
        "MYSQL_ROOT_PASSWORD",
        "STRIPE_SECRET",
        "ACCESS_KEY",
        "PASSWORD_FILE",
        "LOG_LEVEL",
        "GREETING",
    ])
    .prop_map(str::to_owned)
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        WORD.prop_map(|w| w),
        "[A-Za-z0-9]{36}".prop_map(|s| format!("ghp_{s}")),
        "[A-Z2-7]{16}".prop_map(|s| format!("AKIA{s}")),
        (WORD, WORD).prop_map(|(u, p)| format!("postgres://{u}:{p}@db/app")),
        WORD.prop_map(|w| format!("${{DB_PASSWORD:-{w}}}")),
        Just("changeme".to_owned()),
    ]
}

/// A line of non-ASCII filler that shifts every offset after it.
fn filler() -> impl Strategy<Value = String> {
    "[ a-zé€你😀]{0,12}"
}

#[derive(Debug, Clone)]
struct Files {
    compose: String,
    dockerfile: String,
    env: String,
}

fn quoted(style: u8, v: &str) -> String {
    match style % 3 {
        0 => v.to_owned(),
        1 => format!("'{v}'"),
        _ => format!("\"{v}\""),
    }
}

fn files() -> impl Strategy<Value = Files> {
    let entry = (secret_name(), value(), any::<u8>(), filler());
    (prop::collection::vec(entry, 1..6), filler(), WORD).prop_map(|(entries, top, word)| {
        let mut compose = format!("# {top}\nservices:\n  app:\n    build: .\n    environment:\n");
        let mut dockerfile = format!("# {top}\nFROM alpine:3.20\n");
        let mut env = format!("# {top}\n");
        for (i, (name, value, style, fill)) in entries.iter().enumerate() {
            let q = quoted(*style, value);
            compose.push_str(&format!("      {name}: {q} # {fill}\n"));
            match (style / 3) % 3 {
                0 => dockerfile.push_str(&format!("ENV {name}={q} \\\n    X{i}={fill:?}\n")),
                1 => dockerfile.push_str(&format!("ARG {name}={q}\n")),
                _ => dockerfile.push_str(&format!(
                    "RUN echo '{fill}' && curl -H \"Authorization: Bearer {value}\" https://{word}.example\n"
                )),
            }
            env.push_str(&format!("{name}={q}\n# {fill}\n"));
        }
        compose.push_str(&format!(
            "    command: [\"sh\", \"-c\", \"login --password {} {word}\"]\n    labels:\n      note: {word}\n",
            entries[0].1
        ));
        dockerfile.push_str(&format!(
            "RUN <<EOF\necho {word}\nexport TOKEN={}\nEOF\n",
            entries[0].1
        ));
        Files {
            compose,
            dockerfile,
            env,
        }
    })
}

fn check_span(text: &str, s: Span, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        s.start <= s.end && s.end <= text.len(),
        "{what}: {s:?} outside the file"
    );
    prop_assert!(
        text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
        "{what}: {s:?} not on char boundaries"
    );
    Ok(())
}

fn analyse(f: &Files) -> Result<usize, TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("compose.yaml"), &f.compose).expect("write");
    std::fs::write(dir.path().join("Dockerfile"), &f.dockerfile).expect("write");
    std::fs::write(dir.path().join(".env"), &f.env).expect("write");
    let mut analysis = Analysis::load(dir.path().to_path_buf(), &[dir.path().to_path_buf()]);
    let findings = analysis.check();
    for finding in &findings {
        let file = analysis.ws.files.get(finding.file);
        check_span(&file.text, finding.span, finding.code)?;
        if let Some(secret) = finding.secret {
            check_span(&file.text, secret, finding.code)?;
        }
        for edit in finding.fix.iter().flat_map(|f| &f.edits) {
            check_span(
                &analysis.ws.files.get(edit.file).text,
                edit.span,
                finding.code,
            )?;
        }
        // Positions as the JSON output computes them.
        let _ = file.line_col(finding.span.start);
        let _ = file.line_col(finding.span.end);
    }
    Ok(findings.len())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn finding_spans_lie_on_char_boundaries(f in files()) {
        analyse(&f)?;
    }
}

/// A made-up GitHub token (built at run time so that no token-like literal is in the source).
fn fake_github_token(seed: u64) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x = seed;
    let body: String = (0..36)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            alphabet[(x >> 33) as usize % alphabet.len()] as char
        })
        .collect();
    format!("ghp_{body}")
}

/// Known tokens after multibyte text are found in all three files, so the property above
/// is not vacuous (the name-based rules come on top of these).
#[test]
fn generated_projects_have_findings() {
    let (a, b, c) = (
        fake_github_token(1),
        fake_github_token(2),
        fake_github_token(3),
    );
    let f = Files {
        compose: format!(
            "# é€你😀\nservices:\n  app:\n    environment:\n      GREETING: \"你好 {a} 😀\"\n"
        ),
        dockerfile: format!("# 😀\nFROM alpine\nENV NOTE=é€ü你😀Ωß \\\n    X={b}\n"),
        env: format!("# ü\nNOTE='Ωß€你😀 {c}'\n"),
    };
    let n = analyse(&f).expect("spans");
    assert!(n >= 3, "expected findings in all three files, got {n}");
}
