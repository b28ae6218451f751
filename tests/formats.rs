//! The CI and editor output formats: SARIF (validated against the SARIF 2.1.0 schema),
//! GitHub workflow commands, GitLab Code Quality, `-o`, `--statistics`, completions and
//! the man page.

mod common;
use common::{project, stowaway};

use std::path::{Path, PathBuf};

use serde_json::Value;

/// A temporary git repository with the given files.
fn files(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("p");
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    common::git(&root, &["init", "-q"]);
    (tmp, root)
}

fn run(root: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = stowaway().current_dir(root).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Check a SARIF log: here, the structure GitHub code scanning reads; against the full
/// OASIS schema (`tests/schemas/`), in CI: the log is kept under `target/sarif-samples/`,
/// where `.ci/run` validates every one with `tools/sarif-check` (the schema validator is
/// kept out of the test build, where it was the largest compile unit).
fn assert_valid_sarif(name: &str, sarif: &Value) {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sarif-samples");
    std::fs::create_dir_all(&samples).unwrap();
    std::fs::write(
        samples.join(format!("{name}.sarif")),
        serde_json::to_string_pretty(sarif).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    assert!(runs[0]["tool"]["driver"]["name"].is_string());
    for r in runs[0]["results"].as_array().expect("results") {
        assert!(r["message"]["text"].is_string(), "{r}");
        assert!(
            ["none", "note", "warning", "error"].contains(&r["level"].as_str().unwrap_or("")),
            "{r}"
        );
        let region = &r["locations"][0]["physicalLocation"]["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[key].as_u64().is_some_and(|n| n >= 1), "{key}: {r}");
        }
    }
}

/// The SARIF log without the rule catalogue (which grows with every new rule): the
/// catalogue is checked structurally instead.
/// The SARIF log without what changes whenever a rule is added: the rule list and the
/// results' indexes into it (both are checked field by field in the test instead).
fn without_rules(mut sarif: Value) -> Value {
    let rules = &mut sarif["runs"][0]["tool"]["driver"]["rules"];
    *rules = Value::String("[every rule, checked in the test]".to_owned());
    if let Some(results) = sarif["runs"][0]["results"].as_array_mut() {
        for r in results {
            r["ruleIndex"] = Value::String("[checked in the test]".to_owned());
        }
    }
    sarif
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let (_tmp, root) = project("project");
    let (code, stdout, _) = run(&root, &["check", "--format", "sarif"]);
    assert_eq!(code, Some(1));
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    assert_valid_sarif("findings", &sarif);

    assert_eq!(sarif["version"], "2.1.0");
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "stowaway");
    let rules = driver["rules"].as_array().unwrap();
    let catalogue = stowaway::docs::catalogue();
    assert_eq!(rules.len(), catalogue.len(), "every rule is described");
    for (rule, entry) in rules.iter().zip(&catalogue) {
        assert_eq!(rule["id"], entry.code.as_str());
        assert_eq!(rule["name"], entry.name.as_str());
        for field in ["shortDescription", "fullDescription"] {
            assert!(rule[field]["text"].as_str().is_some_and(|t| !t.is_empty()));
        }
        assert!(rule["help"]["text"].as_str().is_some());
        assert!(rule["help"]["markdown"].as_str().is_some());
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        let sev = rule["properties"]["security-severity"].as_str().unwrap();
        let expected = match level {
            "error" => "8.0",
            "warning" => "5.0",
            "note" => "2.0",
            other => panic!("level {other}"),
        };
        assert_eq!(sev, expected);
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.iter().any(|t| t == "security"));
    }
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(!uri.starts_with('/') && !uri.contains('\\'), "{uri}");
        assert!(
            r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .is_some()
        );
    }
    insta::assert_json_snapshot!(without_rules(sarif));
}

#[test]
fn sarif_rule_help_is_the_rules_documentation() {
    let (_tmp, root) = project("project");
    let (_, stdout, _) = run(&root, &["check", "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let cs010 = rules.iter().find(|r| r["id"] == "CS010").unwrap();
    let doc =
        String::from_utf8(stowaway().args(["rule", "CS010"]).output().unwrap().stdout).unwrap();
    let help = cs010["help"]["markdown"].as_str().unwrap();
    assert!(help.contains("Why it matters:"), "{help}");
    assert!(doc.contains(help.lines().next().unwrap()));
    let kt = rules
        .iter()
        .find(|r| r["id"].as_str().is_some_and(|id| id.starts_with("KT")))
        .unwrap();
    assert_eq!(kt["defaultConfiguration"]["level"], "error");
}

#[test]
fn sarif_reports_unreadable_files_as_notifications() {
    let (_tmp, root) = project("broken");
    let (code, stdout, _) = run(&root, &["check", "--format", "sarif", "--exit-zero"]);
    assert_eq!(code, Some(2));
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    assert_valid_sarif("notifications", &sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "compose.yaml"
    );
}

#[test]
fn sarif_paths_are_uri_references() {
    let (_tmp, root) = files(&[(
        "my dir/100% é/compose.yaml",
        "services:\n  a:\n    image: x\n    secrets: [nope]\n",
    )]);
    let (code, stdout, _) = run(&root, &["check", "--format", "sarif"]);
    assert_eq!(code, Some(1));
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    assert_valid_sarif("uris", &sarif);
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "my%20dir/100%25%20%C3%A9/compose.yaml");
}

#[test]
fn github_output() {
    let (_tmp, root) = project("project");
    let (code, stdout, _) = run(&root, &["check", "--format", "github"]);
    assert_eq!(code, Some(1));
    for line in stdout.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
    }
    insta::assert_snapshot!(stdout);
}

#[test]
fn github_output_names_unreadable_files() {
    let (_tmp, root) = project("broken");
    let (code, stdout, _) = run(&root, &["check", "--format", "github"]);
    assert_eq!(code, Some(2));
    assert!(
        stdout.lines().any(
            |l| l.starts_with("::error file=compose.yaml,line=4,col=4,title=") && l.contains("::")
        ),
        "{stdout}"
    );
}

#[test]
fn github_properties_are_escaped() {
    let (_tmp, root) = files(&[(
        "a,b:c/compose.yaml",
        "services:\n  a:\n    image: x\n    secrets: [nope]\n",
    )]);
    let (_, stdout, _) = run(&root, &["check", "--format", "github"]);
    assert!(
        stdout.starts_with("::error file=a%2Cb%3Ac/compose.yaml,line=4,"),
        "{stdout}"
    );
}

#[test]
fn gitlab_output() {
    let (_tmp, root) = project("project");
    let (code, stdout, _) = run(&root, &["check", "--format", "gitlab"]);
    assert_eq!(code, Some(1));
    let issues: Value = serde_json::from_str(&stdout).unwrap();
    let issues = issues.as_array().unwrap();
    let mut fingerprints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints are unique");
    for i in issues {
        let code = i["check_name"].as_str().unwrap();
        assert!(i["description"].as_str().unwrap().starts_with(code));
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap())
        );
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    insta::assert_snapshot!(stdout);
}

#[test]
fn gitlab_output_names_unreadable_files_on_stderr() {
    let (_tmp, root) = project("broken");
    let (code, stdout, stderr) = run(&root, &["check", "--format", "gitlab"]);
    assert_eq!(code, Some(2));
    let issues: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(issues.as_array().unwrap().len(), 1);
    assert!(stderr.contains("compose.yaml"), "{stderr}");
}

#[test]
fn no_format_prints_a_secret() {
    let token = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d";
    let (_tmp, root) = files(&[
        (
            "compose.yaml",
            &format!(
                "services:\n  ci:\n    image: alpine\n    command: [\"gh\", \"--with-token\", \"{token}\"]\n    environment:\n      DB_PASSWORD: hunter2hunter2\n"
            ),
        ),
        (".env", &format!("GH={token}\n")),
    ]);
    for format in ["human", "json", "sarif", "github", "gitlab"] {
        let (code, stdout, stderr) = run(&root, &["check", "--format", format, "--statistics"]);
        assert_eq!(code, Some(1), "{format}: {stderr}");
        assert!(
            stdout.contains("KT"),
            "{format} reports the token:\n{stdout}"
        );
        for secret in [token, "u8jzPde0IgxLd6Gnc", "hunter2hunter2"] {
            assert!(
                !stdout.contains(secret),
                "{format} leaks {secret}:\n{stdout}"
            );
            assert!(
                !stderr.contains(secret),
                "{format} leaks {secret} on stderr"
            );
        }
    }
}

#[test]
fn output_file_receives_the_report() {
    let (_tmp, root) = project("project");
    let (code, stdout, _) = run(
        &root,
        &["check", "--format", "sarif", "-o", "stowaway.sarif"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(stdout, "");
    let text = std::fs::read_to_string(root.join("stowaway.sarif")).unwrap();
    let sarif: Value = serde_json::from_str(&text).unwrap();
    assert_valid_sarif("output-file", &sarif);

    let (code, stdout, _) = run(&root, &["check", "--output", "report.txt"]);
    assert_eq!(code, Some(1));
    assert_eq!(stdout, "");
    let text = std::fs::read_to_string(root.join("report.txt")).unwrap();
    assert!(text.contains("CS010"));
    assert!(!text.contains('\u{1b}'), "no colour in a file");
}

#[test]
fn output_file_that_cannot_be_written_exits_2() {
    let (_tmp, root) = project("project");
    let (code, stdout, stderr) = run(
        &root,
        &["check", "--exit-zero", "-o", "no/such/dir/out.json"],
    );
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("cannot write the report to no/such/dir/out.json"),
        "{stderr}"
    );
}

#[test]
fn output_file_with_unreadable_files_names_them_on_stderr() {
    let (_tmp, root) = project("broken");
    let (code, _, stderr) = run(&root, &["check", "--format", "json", "-o", "out.json"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("compose.yaml"), "{stderr}");
}

#[test]
fn statistics() {
    let (_tmp, root) = project("project");
    let (code, human, _) = run(&root, &["check", "--color", "never", "--statistics"]);
    assert_eq!(code, Some(1));
    let table = human
        .split_once("count  code")
        .map(|(_, t)| format!("count  code{t}"))
        .unwrap();
    insta::assert_snapshot!(table);

    let (_, json, _) = run(&root, &["check", "--format", "json", "--statistics"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let stats = v["summary"]["statistics"].as_array().unwrap();
    let total: u64 = stats.iter().map(|s| s["count"].as_u64().unwrap()).sum();
    assert_eq!(total, v["summary"]["findings"].as_u64().unwrap());

    // Without the flag, the JSON contract is unchanged.
    let (_, json, _) = run(&root, &["check", "--format", "json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert!(v["summary"].get("statistics").is_none());
}

#[test]
fn completions_render_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = stowaway().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("stowaway"), "{shell}");
        if ["bash", "zsh", "fish"].contains(&shell) {
            assert!(text.contains("sarif"), "{shell} completes --format values");
        }
    }
    stowaway().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_page_renders() {
    let out = stowaway().args(["man"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(".ie") || text.contains(".TH stowaway"),
        "{text}"
    );
    assert!(text.contains(".TH stowaway 1"), "{text}");
    for word in ["check", "rules", "completions"] {
        assert!(text.contains(word), "man page mentions {word}");
    }
}
