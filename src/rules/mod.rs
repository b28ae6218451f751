//! The rule registry: one table of every rule, and what rules share.
//!
//! Each rule lives in its own file whose `//!` comment is its documentation (what it
//! finds, why it matters, an example, the fix); `stowaway rule CODE` prints that text.

use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};

mod ce001_hardcoded_secret_in_environment;
mod ce002_secret_in_interpolation_default;
mod ce003_credentials_in_url;
mod ce004_secret_in_build_args;
mod ce005_secret_in_command;
mod ce006_secret_in_labels;
mod ce007_secret_in_config;
mod ce008_secret_via_environment;
mod ce009_both_variable_and_file_variable;
pub mod ce_support;
mod cs001_undefined_secret;
mod cs002_undefined_build_secret;
mod cs003_secret_without_source;
mod cs004_secret_source_conflict;
mod cs005_secret_file_missing;
mod cs006_secret_file_committed;
mod cs007_unused_secret;
mod cs008_invalid_secret_name;
mod cs009_invalid_secret_reference;
mod cs010_decimal_secret_mode;
mod cs011_secret_file_trailing_newline;
mod cs012_secret_file_is_directory;
mod cs013_world_readable_secret_mode;
mod df001_secret_in_env;
mod df002_secret_in_arg;
mod df003_secret_file_copied;
mod df004_hardcoded_credential_in_run;
mod df005_secret_mount_persisted;
mod df006_invalid_secret_mount;
mod en001_secret_in_committed_env_file;
mod en002_env_file_missing;
mod kt_known_token;
mod sh001_secret_on_docker_command_line;
mod sh002_secret_piped_into_docker_secret;
pub mod support;
pub mod sw001_unused_ignore;
mod sw002_unresolved_path;
mod xr001_build_secret_not_provided;
mod xr002_build_secret_unused;
mod xr003_secret_file_not_granted;
mod xr004_secret_in_build_context;
mod xr005_secret_file_not_ignored_by_docker;
mod xr006_file_variable_not_read;
mod xr007_build_secret_granted_only_at_runtime;
pub(crate) mod xr_common;

/// What a rule is, independent of what it checks.
#[derive(Debug)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// The rule's source file; its leading `//!` lines are the documentation.
    pub source: &'static str,
}

impl RuleInfo {
    /// The rule's documentation, from its module comment.
    pub fn doc(&self) -> String {
        let mut out = String::new();
        for line in self.source.lines() {
            let Some(rest) = line.strip_prefix("//!") else {
                if line.trim().is_empty() && out.is_empty() {
                    continue;
                }
                break;
            };
            out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            out.push('\n');
        }
        out.trim_end().to_owned()
    }

    /// The documentation's "What it finds" paragraph, on one line.
    pub fn summary(&self) -> String {
        let doc = self.doc();
        let paragraph: Vec<&str> = doc.lines().take_while(|l| !l.trim().is_empty()).collect();
        let text = paragraph.join(" ");
        text.strip_prefix("What it finds:")
            .unwrap_or(&text)
            .trim()
            .to_owned()
    }
}

pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>);
    /// What the rule reads, which decides when [`Analysis::check`] runs it.
    fn scope(&self) -> Scope {
        Scope::Batch
    }
    /// Whether the rule's findings say that something is *absent* from a project (a secret
    /// no service uses). Such a finding is kept only when every project that reads the
    /// file it is in reports it: a base file read alone and under an overlay, or a file
    /// included by another, may lack the use in one project and have it in the other.
    fn holds_in_every_project(&self) -> bool {
        false
    }
    /// Whether the rule runs without being selected. A rule whose findings are rarely
    /// worth acting on runs only when selected (`--select CS011`, `--extend-select`,
    /// `select`/`extend-select` in the configuration).
    fn enabled_by_default(&self) -> bool {
        true
    }
}

/// Whether the rule with this code runs without being selected (unknown codes, such as
/// `KT` codes of extra patterns, do).
pub fn enabled_by_default(code: &str) -> bool {
    let family = if code.starts_with("KT") { "KT" } else { code };
    by_code(family).is_none_or(|r| r.enabled_by_default())
}

/// When a rule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once per batch, on the batch's models (projects, Dockerfiles, env files, builds).
    Batch,
    /// Once per run, on the text of every file read (`analysis.ws.files`); the models are
    /// empty then.
    Files,
}

/// Every rule, in code order.
pub fn all() -> &'static [&'static dyn Rule] {
    &[
        &ce001_hardcoded_secret_in_environment::HardcodedSecretInEnvironment,
        &ce002_secret_in_interpolation_default::SecretInInterpolationDefault,
        &ce003_credentials_in_url::CredentialsInUrl,
        &ce004_secret_in_build_args::SecretInBuildArgs,
        &ce005_secret_in_command::SecretInCommand,
        &ce006_secret_in_labels::SecretInLabels,
        &ce007_secret_in_config::SecretInConfig,
        &ce008_secret_via_environment::SecretViaEnvironment,
        &ce009_both_variable_and_file_variable::BothVariableAndFileVariable,
        &cs001_undefined_secret::UndefinedSecret,
        &cs002_undefined_build_secret::UndefinedBuildSecret,
        &cs003_secret_without_source::SecretWithoutSource,
        &cs004_secret_source_conflict::SecretSourceConflict,
        &cs005_secret_file_missing::SecretFileMissing,
        &cs006_secret_file_committed::SecretFileCommitted,
        &cs007_unused_secret::UnusedSecret,
        &cs008_invalid_secret_name::InvalidSecretName,
        &cs009_invalid_secret_reference::InvalidSecretReference,
        &cs010_decimal_secret_mode::DecimalSecretMode,
        &cs011_secret_file_trailing_newline::SecretFileTrailingNewline,
        &cs012_secret_file_is_directory::SecretFileIsDirectory,
        &cs013_world_readable_secret_mode::WorldReadableSecretMode,
        &df001_secret_in_env::SecretInEnv,
        &df002_secret_in_arg::SecretInArg,
        &df003_secret_file_copied::SecretFileCopied,
        &df004_hardcoded_credential_in_run::HardcodedCredentialInRun,
        &df005_secret_mount_persisted::SecretMountPersisted,
        &df006_invalid_secret_mount::InvalidSecretMount,
        &en001_secret_in_committed_env_file::SecretInCommittedEnvFile,
        &en002_env_file_missing::EnvFileMissing,
        &sh001_secret_on_docker_command_line::SecretOnDockerCommandLine,
        &sh002_secret_piped_into_docker_secret::SecretPipedIntoDockerSecret,
        &sw001_unused_ignore::UnusedIgnore,
        &sw002_unresolved_path::UnresolvedPath,
        &xr001_build_secret_not_provided::BuildSecretNotProvided,
        &xr002_build_secret_unused::BuildSecretUnused,
        &xr003_secret_file_not_granted::SecretFileNotGranted,
        &xr004_secret_in_build_context::SecretInBuildContext,
        &xr005_secret_file_not_ignored_by_docker::SecretFileNotIgnoredByDocker,
        &xr006_file_variable_not_read::FileVariableNotRead,
        &xr007_build_secret_granted_only_at_runtime::BuildSecretGrantedOnlyAtRuntime,
        &kt_known_token::KnownToken,
    ]
}

/// How specific a rule is about a secret value, lowest first. When several findings flag
/// the same secret, only the most specific is reported: rules that know the value's role
/// (an interpolation default, a build argument, a named environment variable, an `ENV`)
/// come before free-text detectors (URL credentials, command lines), which come before
/// the known-token catalogue.
pub fn specificity(code: &str) -> usize {
    const ORDER: &[&str] = &[
        "CE002", "CE004", "CE001", "CE006", "CE007", "DF002", "DF001", "EN001", "CE003", "CE005",
        "DF004", "SH001", "SH002",
    ];
    ORDER
        .iter()
        .position(|c| *c == code)
        .unwrap_or(if code.starts_with("KT") {
            ORDER.len() + 1
        } else {
            ORDER.len()
        })
}

/// The rule with this code (case-insensitive).
/// The rule whose code or name is `wanted` (case-insensitive): `CS001`,
/// `undefined-secret`.
pub fn by_code_or_name(wanted: &str) -> Option<&'static dyn Rule> {
    by_code(wanted).or_else(|| {
        all()
            .iter()
            .copied()
            .find(|r| r.info().name.eq_ignore_ascii_case(wanted))
    })
}

pub fn by_code(code: &str) -> Option<&'static dyn Rule> {
    all()
        .iter()
        .copied()
        .find(|r| r.info().code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for r in all() {
            assert!(
                codes.insert(r.info().code),
                "duplicate code {}",
                r.info().code
            );
            assert!(
                names.insert(r.info().name),
                "duplicate name {}",
                r.info().name
            );
        }
    }

    #[test]
    fn every_rule_is_documented() {
        for r in all() {
            let doc = r.info().doc();
            for part in ["What it finds:", "Why it matters:", "Example:", "Fix:"] {
                assert!(doc.contains(part), "{} doc lacks `{part}`", r.info().code);
            }
        }
    }

    #[test]
    fn every_rule_has_fixtures_that_fire_and_that_stay_clean() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        for r in all() {
            let dir = root.join(r.info().code);
            assert!(
                dir.join("fires").is_dir(),
                "{} has no fires/ fixture",
                r.info().code
            );
            assert!(
                dir.join("clean").is_dir(),
                "{} has no clean/ fixture",
                r.info().code
            );
        }
    }
}
