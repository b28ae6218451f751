//! The command-line contract: exit codes, output formats, errors beside good files.

mod common;
use common::{project, stowaway};

#[test]
fn human_output() {
    let (_tmp, root) = project("project");
    let out = stowaway()
        .current_dir(&root)
        .args(["check", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn json_output() {
    let (_tmp, root) = project("project");
    let out = stowaway()
        .current_dir(&root)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["version"], 1);
    insta::assert_snapshot!(text);
}

#[test]
fn exit_zero_when_clean() {
    let (_tmp, root) = project("project");
    std::fs::write(
        root.join("compose.yaml"),
        "services:\n  app:\n    image: alpine\n    secrets: [k]\nsecrets:\n  k:\n    environment: K\n",
    )
    .unwrap();
    stowaway()
        .current_dir(&root)
        .args(["check"])
        .assert()
        .code(0);
}

#[test]
fn exit_one_on_findings_and_exit_zero_flag() {
    let (_tmp, root) = project("project");
    stowaway()
        .current_dir(&root)
        .args(["check"])
        .assert()
        .code(1);
    stowaway()
        .current_dir(&root)
        .args(["check", "--exit-zero"])
        .assert()
        .code(0);
    // Only info findings stay below the default fail level.
    stowaway()
        .current_dir(&root)
        .args(["check", "--fail-level", "error"])
        .assert()
        .code(1);
}

#[test]
fn broken_file_is_an_error_and_other_files_are_still_checked() {
    let (_tmp, root) = project("broken");
    let out = stowaway()
        .current_dir(&root)
        .args(["check", "--format", "json", "--exit-zero"])
        .output()
        .unwrap();
    // --exit-zero never hides an error.
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["path"], "compose.yaml");
    assert!(
        errors[0]["message"].as_str().unwrap().contains("line 4"),
        "{}",
        errors[0]["message"]
    );
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CS001"]);
    assert_eq!(v["findings"][0]["path"], "good/docker-compose.yml");
}

#[test]
fn missing_path_is_an_error() {
    let (_tmp, root) = project("project");
    let out = stowaway()
        .current_dir(&root)
        .args(["check", "nope.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nope.yaml: no such file"));
}

#[test]
fn usage_errors_exit_two() {
    stowaway()
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
    stowaway().args(["frobnicate"]).assert().code(2);
}

#[test]
fn rules_lists_every_code_and_rule_shows_its_doc() {
    let out = stowaway().arg("rules").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for code in ["CS001", "CS013", "KT003"] {
        assert!(text.contains(code), "{code} missing from `stowaway rules`");
    }
    let doc = stowaway().args(["rule", "cs010"]).output().unwrap();
    let doc = String::from_utf8(doc.stdout).unwrap();
    assert!(doc.starts_with("CS010 decimal-secret-mode (warning)"));
    assert!(doc.contains("Fix:"));
    stowaway().args(["rule", "ZZ999"]).assert().code(2);
    let kt = stowaway().args(["rule", "KT003"]).output().unwrap();
    assert!(String::from_utf8(kt.stdout).unwrap().contains("GitHub"));
}

#[test]
fn help_describes_the_commands() {
    let out = stowaway().arg("--help").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("check") && text.contains("rules"));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn env_file_compose_refuses_is_an_error_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("compose.yaml"),
        "services:\n  api:\n    image: registry.example.com/shop/api:1.8\n    env_file: api.env\n",
    )
    .unwrap();
    // Compose: "failed to read api.env: line 4: unterminated quoted value"; it reads past
    // text after a closing quote.
    std::fs::write(
        root.join("api.env"),
        "LOG_LEVEL=\"info\" # verbose in staging\nDB_HOST=db\nDB_PASSWORD=\"Wq3v-Lake-8812\nDB_NAME=shop\n",
    )
    .unwrap();
    let out = stowaway()
        .current_dir(root)
        .args(["check", "--format", "json", "--exit-zero", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["path"], "api.env");
    assert_eq!(errors[0]["line"], 3);
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("unterminated double-quoted value for `DB_PASSWORD`"),
        "{message}"
    );
    assert!(!message.contains("Lake-8812"), "{message}");
}

#[test]
fn rules_are_found_by_name_and_a_typo_gets_a_suggestion() {
    let doc = stowaway()
        .args(["rule", "Hardcoded-Secret-In-Environment"])
        .output()
        .unwrap();
    assert_eq!(doc.status.code(), Some(0));
    assert!(
        String::from_utf8(doc.stdout)
            .unwrap()
            .starts_with("CE001 hardcoded-secret-in-environment")
    );
    let typo = stowaway()
        .args(["rule", "undefined-secrt"])
        .output()
        .unwrap();
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        String::from_utf8(typo.stderr)
            .unwrap()
            .contains("did you mean `undefined-secret`?")
    );
}

#[test]
fn every_command_has_a_man_page_with_its_options_and_exit_codes() {
    let check = stowaway().args(["man", "check"]).output().unwrap();
    assert_eq!(check.status.code(), Some(0));
    let page = String::from_utf8(check.stdout).unwrap();
    assert!(page.contains(".TH stowaway-check 1"), "{page}");
    assert!(
        page.contains("fail\\-level") && page.contains("Exit codes"),
        "{page}"
    );
    stowaway().args(["man", "nope"]).assert().code(2);
    let tmp = tempfile::tempdir().unwrap();
    stowaway()
        .args(["man", "--all"])
        .arg(tmp.path())
        .assert()
        .code(0);
    let mut pages: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "stowaway-check.1",
            "stowaway-completions.1",
            "stowaway-man.1",
            "stowaway-rule.1",
            "stowaway-rules.1",
            "stowaway-server.1",
            "stowaway.1"
        ]
    );
}

#[test]
fn nothing_to_check_is_a_warning_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("README.md"), "# notes\n").unwrap();
    let run = |format: &str| {
        stowaway()
            .current_dir(tmp.path())
            .args(["check", "--format", format, "srv"])
            .output()
            .unwrap()
    };
    std::fs::create_dir(tmp.path().join("srv")).unwrap();
    let json = run("json");
    assert_eq!(json.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 0);
    assert!(
        v["warnings"][0]
            .as_str()
            .unwrap()
            .contains("nothing to check under `srv`")
    );
    let human = run("human");
    assert!(
        String::from_utf8(human.stderr)
            .unwrap()
            .contains("warning: nothing to check")
    );
    let github = run("github");
    assert!(
        String::from_utf8(github.stdout)
            .unwrap()
            .contains("::warning title=stowaway::nothing to check")
    );
    let sarif: serde_json::Value = serde_json::from_slice(&run("sarif").stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["level"],
        "warning"
    );
    let gitlab = run("gitlab");
    assert!(
        String::from_utf8(gitlab.stderr)
            .unwrap()
            .contains("warning: nothing to check")
    );
}

#[test]
fn a_baseline_matches_from_any_folder_and_says_what_it_did() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("ci")).unwrap();
    std::fs::write(
        root.join("compose.yaml"),
        "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: Hq4-Vn8-Rt2-Zw6\n",
    )
    .unwrap();
    // Written from the root, used from `ci/`.
    stowaway()
        .current_dir(root)
        .args(["check", "--write-baseline", "ci/baseline.json", "."])
        .assert()
        .code(0);
    let stored = std::fs::read_to_string(root.join("ci/baseline.json")).unwrap();
    assert!(stored.contains("\"path\": \"../compose.yaml\""), "{stored}");
    let out = stowaway()
        .current_dir(root.join("ci"))
        .args([
            "check",
            "--format",
            "json",
            "--baseline",
            "baseline.json",
            "..",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["baseline"]["hidden"], 1);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 0);
    // A baseline for other files matches nothing, and says so.
    std::fs::write(
        root.join("compose.yaml"),
        "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}\n  api:\n    image: example/api\n    environment:\n      API_KEY: 9f2c41d07be84a3c\n",
    )
    .unwrap();
    let out = stowaway()
        .current_dir(root)
        .args([
            "check",
            "--format",
            "json",
            "--baseline",
            "ci/baseline.json",
            ".",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["baseline"]["unmatched"], 1);
    assert!(
        v["warnings"][0]
            .as_str()
            .unwrap()
            .contains("matched none of the findings")
    );
}

/// The GitHub Action (`action.yml`) and the container image (`Dockerfile`) call the CLI:
/// every option they pass must be one `stowaway check` knows.
#[test]
fn the_action_and_the_image_use_options_the_cli_has() {
    let help = stowaway().args(["check", "--help"]).output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in ["action.yml", "Dockerfile"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for line in text
            .lines()
            .filter(|l| l.contains("check ") && !l.trim_start().starts_with('#'))
        {
            for option in line.split_whitespace().filter(|w| w.starts_with('-')) {
                let option = option.trim_end_matches(['"', ',', ']']);
                assert!(
                    help.contains(&format!("{option} ")) || help.contains(&format!("{option}\n")),
                    "{file}: `{option}` is not an option of stowaway check"
                );
            }
        }
    }
}
