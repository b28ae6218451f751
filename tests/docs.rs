//! `docs/rules.md` is generated from the rules' doc comments: this test fails when the
//! committed file is out of date. Regenerate with `UPDATE_DOCS=1 cargo test --test docs`.

use std::path::Path;

#[test]
fn rules_reference_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let expected = stowaway::docs::rules_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some_and(|v| !v.is_empty()) {
        std::fs::create_dir_all(path.parent().expect("docs/ has a parent")).expect("create docs/");
        std::fs::write(&path, &expected).expect("write docs/rules.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "docs/rules.md is out of date with the rules' doc comments.\n\
         Regenerate it with:\n\n    UPDATE_DOCS=1 cargo test --test docs\n"
    );
}
