//! What it finds: an interpolation with a literal default, `${DB_PASSWORD:-hunter2}` or
//! `${DB_PASSWORD-hunter2}`, anywhere in a compose file's values (environment, build args,
//! command, labels, `x-` fields, …) where the variable, or the key the value is assigned
//! to, is secret-like.
//!
//! Why it matters: the default is the password whenever the variable is not set, which is
//! exactly what happens on a fresh checkout, in CI and on the next server; it is also
//! committed with the file. A default that looks like a placeholder (`changeme`) is reported
//! too, since shipped defaults get deployed.
//!
//! Not reported: `${DB_PASSWORD:-}` (empty default), `${DB_PASSWORD:-${OTHER}}` (the
//! default is another variable), `${DB_PASSWORD:?required}`, defaults of variables that are
//! not secret-like (`${LOG_LEVEL:-info}`).
//!
//! Example:
//! ```yaml
//! services:
//!   shop:
//!     environment:
//!       SHOP_SESSION_SECRET: ${SHOP_SESSION_SECRET:-dev-session-secret-7731}
//! ```
//!
//! Fix: require the variable instead of defaulting it,
//! `${SHOP_SESSION_SECRET:?set SHOP_SESSION_SECRET}`, and provide it from a git-ignored
//! `.env` or the deployment's environment; better, use a compose secret. Rotate the default
//! if it was ever deployed. `--fix --unsafe-fixes` writes the `:?` form; for an
//! `environment:` entry that is only the reference, in a service whose image reads
//! `<VAR>_FILE`, where nothing else uses the variable, it moves the default into a compose
//! secret instead (as CE001's fix does).

use super::ce_support::{ScalarAt, assigned_name, walk_scalars};
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::compose::interpolate::{self, Part, VarRef};
use crate::detect::classify::{ValueClass, classify_value, is_secret_name, redact};
use crate::finding::{Applicability, Edit, Finding, Fix, Severity};
use std::collections::HashMap;

use crate::fix::move_to_secret::{Environments, move_to_secret};
use crate::source::FileId;
use crate::yaml::locate_in_scalar;

pub struct SecretInInterpolationDefault;

pub static INFO: RuleInfo = RuleInfo {
    code: "CE002",
    name: "secret-in-interpolation-default",
    severity: Severity::Error,
    source: include_str!("ce002_secret_in_interpolation_default.rs"),
};

impl Rule for SecretInInterpolationDefault {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for (index, project) in analysis.projects.iter().enumerate() {
            let mut scalars = Vec::new();
            for cf in &project.files {
                let mut found = Vec::new();
                walk_scalars(&cf.root, |v| v.contains('$'), &mut found);
                scalars.extend(found.into_iter().map(|at| (cf.file, at)));
            }
            // Built at the first finding of the project, for the fixes.
            let mut context: Option<FixContext<'_>> = None;
            for (file, at) in &scalars {
                let src = &analysis.ws.files.get(*file).text;
                let start = out.len();
                check_scalar(*file, src, at, out);
                if out.len() == start + 1 {
                    let context = context.get_or_insert_with(|| FixContext {
                        envs: Environments::of(analysis, index, |_| None),
                        references: references(&scalars),
                    });
                    if let Some(fix) = move_default(analysis, index, context, *file, at) {
                        out[start].fix = Some(fix);
                    }
                }
            }
        }
    }
}

/// What the fixes of one project's findings share.
struct FixContext<'a> {
    envs: Environments<'a>,
    /// How many values of the project refer to each variable.
    references: HashMap<String, usize>,
}

/// How many of `scalars` refer to each variable (once per scalar).
fn references(scalars: &[(FileId, ScalarAt<'_>)]) -> HashMap<String, usize> {
    let mut out: HashMap<String, usize> = HashMap::new();
    for (_, at) in scalars {
        let Ok(parts) = interpolate::parse(at.node.as_str().unwrap_or_default()) else {
            continue;
        };
        let mut names = Vec::new();
        referred(&parts, &mut names);
        names.sort_unstable();
        names.dedup();
        for name in names {
            *out.entry(name).or_default() += 1;
        }
    }
    out
}

/// For an environment entry that is one reference with a literal default,
/// `POSTGRES_PASSWORD: ${DB_PASSWORD:-s3cr3t}`, in a service whose image reads
/// `<VAR>_FILE`: the fix moving the default into a compose secret. Only where nothing else
/// takes the variable: no other value of the project refers to it and its `.env` does not
/// set it (the default is then what every deployment gets).
fn move_default(
    analysis: &Analysis,
    project: usize,
    context: &FixContext<'_>,
    file: FileId,
    at: &ScalarAt<'_>,
) -> Option<Fix> {
    let p = analysis.projects.get(project)?;
    let written = at.node.as_str()?;
    let parts = interpolate::parse(written).ok()?;
    let [Part::Var(var)] = parts.as_slice() else {
        return None;
    };
    if var.range != (0..written.len()) || !var.op?.is_default() {
        return None;
    }
    let default = interpolate::unescape_literal(written.get(var.arg_range.clone()?)?)?;
    if p.dotenv.contains_key(&var.name) || context.references.get(&var.name) != Some(&1) {
        return None;
    }
    let entry = context
        .envs
        .entry(file, at.node.span, at.key?)
        .filter(|e| !e.list_form)?;
    let mut fix = move_to_secret(analysis, project, &context.envs, entry, &default)?;
    fix.message.push_str(&format!(
        " (the variable `{}` no longer sets it: write the secret file instead)",
        var.name
    ));
    Some(fix)
}

/// The variables `parts` refer to, also inside defaults.
fn referred(parts: &[Part], out: &mut Vec<String>) {
    for p in parts {
        if let Part::Var(v) = p {
            out.push(v.name.clone());
            if let Some(arg) = &v.arg {
                referred(arg, out);
            }
        }
    }
}

fn check_scalar(file: FileId, src: &str, at: &ScalarAt<'_>, out: &mut Vec<Finding>) {
    let Some(value) = at.node.as_str() else {
        return;
    };
    if !value.contains('$') {
        return;
    }
    let Ok(parts) = interpolate::parse(value) else {
        return;
    };
    let key_secret = at.key.is_some_and(is_secret_name);
    let mut found = Vec::new();
    for part in &parts {
        if let Part::Var(v) = part {
            let assigned = assigned_name(value, v.range.start).is_some_and(is_secret_name);
            defaults(v, key_secret || assigned, &mut found);
        }
    }
    for (var, secret_context) in found {
        let (Some(op), Some(arg_range)) = (var.op, var.arg_range.clone()) else {
            continue;
        };
        if !(secret_context || is_secret_name(&var.name)) {
            continue;
        }
        let Some(raw) = value.get(arg_range.clone()) else {
            continue;
        };
        let class = classify_value(raw);
        if !matches!(class, ValueClass::Literal | ValueClass::Placeholder) {
            continue;
        }
        let span = locate_in_scalar(src, at.node, arg_range.clone());
        let shown = redact(&interpolate::unescape_literal(raw).unwrap_or_default());
        let message = format!(
            "`${{{}{}…}}` has a hardcoded default (`{shown}`): it is the secret whenever `{}` is not set",
            var.name,
            op.as_str(),
            var.name
        );
        let required = format!(":?set {}", var.name);
        let op_start = arg_range.start.saturating_sub(op.as_str().len());
        let whole = locate_in_scalar(src, at.node, op_start..arg_range.end);
        let mut finding = Finding::new(&INFO, file, span, message)
            .value_class(class)
            .help(format!(
                "require the variable instead: `${{{}{required}}}`, provided from a git-ignored `.env` or the deployment's environment; better, use a compose secret",
                var.name
            ))
            .anchor(format!("{}.${{{}}}", at.path, var.name))
            .secret(span);
        if whole != at.node.span && whole.len() == arg_range.end - op_start {
            finding = finding.fix(Fix::edits(
                Applicability::Unsafe,
                format!("require `{}` instead of defaulting it", var.name),
                vec![Edit {
                    file,
                    span: whole,
                    content: required,
                }],
            ));
        }
        out.push(finding);
    }
}

/// Every reference with a default argument whose argument holds no further reference,
/// with whether an enclosing reference (or the assignment) was secret-like.
fn defaults<'a>(v: &'a VarRef, secret_context: bool, out: &mut Vec<(&'a VarRef, bool)>) {
    let (Some(op), Some(arg)) = (v.op, &v.arg) else {
        return;
    };
    if !op.is_default() {
        return;
    }
    let inner: Vec<&VarRef> = arg
        .iter()
        .filter_map(|p| match p {
            Part::Var(inner) => Some(inner),
            Part::Literal { .. } => None,
        })
        .collect();
    if inner.is_empty() {
        out.push((v, secret_context));
        return;
    }
    let context = secret_context || is_secret_name(&v.name);
    for i in inner {
        defaults(i, context, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    fn ce002(compose: &str) -> Vec<String> {
        run(&[("compose.yaml", compose)], "CE002")
    }

    #[test]
    fn fires_in_environment_args_command_labels_and_x_fields() {
        let found = ce002(concat!(
            "x-db-url: postgres://app:${DB_PASSWORD:-Vn8Rt2Zw}@db/app\n",
            "services:\n",
            "  api:\n",
            "    build:\n",
            "      context: .\n",
            "      args:\n",
            "        NPM_TOKEN: ${NPM_TOKEN-npm_Zk3q9VbX2mLp7RtY4wQe8NcJ5hDf1uGa0sKo}\n",
            "    command: [\"serve\", \"--api-key=${KEY:-a83Kd92Lmq}\"]\n",
            "    labels:\n",
            "      - com.example.webhook-secret=${HOOK:-wh_4Tq8Lm2Zx}\n",
            "    environment:\n",
            "      - SESSION_SECRET=${SESSION_SECRET:-dev-session-secret-7731}\n",
            "      - LOG_LEVEL=${LOG_LEVEL:-info}\n",
        ));
        assert_eq!(
            found,
            [
                "compose.yaml:1",
                "compose.yaml:7",
                "compose.yaml:8",
                "compose.yaml:10",
                "compose.yaml:12"
            ]
        );
    }

    #[test]
    fn empty_reference_and_required_defaults_do_not_fire() {
        let found = ce002(
            "services:\n  a:\n    environment:\n      DB_PASSWORD: ${DB_PASSWORD:-}\n      API_TOKEN: ${API_TOKEN:-${FALLBACK_TOKEN}}\n      JWT_SECRET: ${JWT_SECRET:?required}\n      DEBUG: ${DEBUG:-false}\n      SMTP_PASSWORD: ${SMTP_PASSWORD:-/run/secrets/smtp}\n      WORKERS: ${WORKERS:-4}\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn nested_default_and_escapes() {
        let found = ce002(
            "services:\n  a:\n    environment:\n      DB_PASSWORD: ${DB_PASSWORD:-${PGPASS:-$$ecret-99}}\n",
        );
        assert_eq!(found, ["compose.yaml:4"]);
    }

    #[test]
    fn block_scalar_points_at_the_line() {
        let found = ce002(
            "services:\n  a:\n    command:\n      - sh\n      - -c\n      - |\n        echo start\n        exec app --db-password=${DB_PASSWORD:-Qz81mXw2}\n",
        );
        assert_eq!(found, ["compose.yaml:8"]);
    }

    #[test]
    fn message_is_redacted() {
        let m = messages(
            &[(
                "compose.yaml",
                "services:\n  a:\n    environment:\n      SHOP_SESSION_SECRET: ${SHOP_SESSION_SECRET:-dev-session-secret-7731}\n",
            )],
            "CE002",
        );
        assert_eq!(m.len(), 1);
        assert!(!m[0].contains("dev-session-secret-7731"), "{}", m[0]);
    }
}
