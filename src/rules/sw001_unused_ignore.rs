//! What it finds: a `# stowaway: ignore[…]` or `# stowaway: ignore-file[…]` comment that
//! suppresses nothing: no finding of the listed rules on its line (or, for a comment
//! alone on its line, on the next line), none in the file for `ignore-file`, a code that
//! is not a stowaway rule, or a comment that cannot be read (`ignore[CE001` without `]`).
//!
//! Why it matters: a stale ignore hides the next real finding on that line, and a typo in
//! the code (`CE01`) suppresses nothing while looking as if it did.
//!
//! Example:
//! ```yaml
//! services:
//!   api:
//!     image: ghcr.io/acme/api:1.4   # stowaway: ignore[CE001] dev default
//! ```
//!
//! Fix: remove the comment, or correct its code list. The findings come from the
//! suppression step rather than from a check; `ignore = ["SW001"]` in `stowaway.toml`
//! turns them off, and `# stowaway: ignore-file[SW001]` does so for one file.

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

pub struct UnusedIgnore;

pub static INFO: RuleInfo = RuleInfo {
    code: "SW001",
    name: "unused-ignore",
    severity: Severity::Info,
    source: include_str!("sw001_unused_ignore.rs"),
};

impl Rule for UnusedIgnore {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    /// Nothing to check here: [`crate::suppress::apply_inline`] reports unused ignores,
    /// since only it knows which comments suppressed a finding.
    fn check(&self, _analysis: &Analysis, _out: &mut Vec<Finding>) {}
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::run;

    const TOKEN: &str = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d";

    #[test]
    fn an_ignore_without_a_finding_is_reported() {
        let found = run(
            &[(
                "compose.yaml",
                "services:\n  a:\n    image: alpine # stowaway: ignore[CE001]\n",
            )],
            "SW001",
        );
        assert_eq!(found, ["compose.yaml:3"]);
    }

    #[test]
    fn used_ignores_are_not_reported_and_suppress() {
        let text = format!(
            "x-ci:\n  a: {TOKEN} # stowaway: ignore[KT003] revoked\n  # stowaway: ignore[KT] test value\n  b: {TOKEN}\n  c: {TOKEN} # stowaway: ignore\n"
        );
        let files = [("compose.yaml", text.as_str())];
        assert!(run(&files, "SW001").is_empty());
        assert!(run(&files, "KT003").is_empty());
    }

    #[test]
    fn file_level_ignores() {
        let text = format!("# stowaway: ignore-file[KT003, CS001]\nx-ci:\n  a: {TOKEN}\n");
        let files = [("compose.yaml", text.as_str())];
        assert!(run(&files, "KT003").is_empty());
        // CS001 is listed but nothing of it is in the file.
        assert_eq!(run(&files, "SW001"), ["compose.yaml:1"]);
    }

    #[test]
    fn unknown_codes_and_wrong_lines_are_reported() {
        let text = format!(
            "x-ci:\n  a: {TOKEN}\n  b: 1 # stowaway: ignore[KT003]\n  c: 2 # stowaway: ignore[XX123]\n"
        );
        let files = [("compose.yaml", text.as_str())];
        assert_eq!(run(&files, "KT003"), ["compose.yaml:2"]);
        assert_eq!(run(&files, "SW001"), ["compose.yaml:3", "compose.yaml:4"]);
    }

    #[test]
    fn other_scanners_markers_apply_to_secret_values() {
        let text = format!(
            "x-ci:\n  a: {TOKEN} # pragma: allowlist secret\n  b: {TOKEN} # gitleaks:allow\n"
        );
        let files = [("compose.yaml", text.as_str()), (".env", "")];
        assert!(run(&files, "KT003").is_empty());
        let env = format!("# stowaway: ignore\nA={TOKEN}\nB={TOKEN} # gitleaks:allow\n");
        assert!(run(&[(".env", env.as_str())], "KT003").is_empty());
        let docker = format!("FROM alpine\n# stowaway: ignore[KT003]\nRUN echo {TOKEN}\n");
        assert!(run(&[("Dockerfile", docker.as_str())], "KT003").is_empty());
    }
}
