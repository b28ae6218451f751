//! What it finds: a malformed `RUN --mount=type=secret` or `--mount=type=ssh` that BuildKit
//! rejects, or that does not do what it says:
//! - an option BuildKit does not know (`--mount=type=secret,id=npm,targte=/root/.npmrc`),
//!   or one that needs a value written without one;
//! - a secret mount with both `id` and `source`/`src` ("both source and id can't be set"),
//!   or with none of `id`, `source`, `target`;
//! - `from=` on a secret mount; `sharing=` (cache mounts only), `size=` (tmpfs only);
//! - `mode` that is not an octal number, `uid`/`gid` that are not decimal numbers,
//!   `required`/`readonly` values that are not booleans;
//! - `required` written before `type=`: BuildKit reads options in order, and until it
//!   reaches `type=` the mount is a bind mount, so `required=true,type=secret,id=x` fails
//!   with "unexpected key 'required' for mount type 'bind'" (the other options, such as
//!   `id` or `target`, may come before `type=`: they are checked after the whole list);
//! - a mount type that is a typo of `secret` or `ssh` (`type=secrets`).
//!
//! Why it matters: the build fails, often only on the CI machine that has the secret; or
//! the option is silently not what the author meant.
//!
//! Example:
//! ```dockerfile
//! RUN --mount=required=true,type=secret,id=npmrc,mode=rw npm ci
//! ```
//!
//! Fix: write `type=` first, use `id=` (the name the build provides) and `target=` (where
//! it appears), an octal `mode=0400`, and `required=true`:
//! `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc,required=true npm ci`.

use super::support::did_you_mean;
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::dockerfile::{Kind, Mount, MountOption};
use crate::finding::{Finding, Severity};
use crate::source::Span;

pub struct InvalidSecretMount;

pub static INFO: RuleInfo = RuleInfo {
    code: "DF006",
    name: "invalid-secret-mount",
    severity: Severity::Error,
    source: include_str!("df006_invalid_secret_mount.rs"),
};

/// Every key BuildKit's mount parser accepts (lower-case; it lower-cases keys).
const KNOWN_KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "src",
    "target",
    "dst",
    "destination",
    "readonly",
    "ro",
    "readwrite",
    "rw",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "env",
];

/// Go's `strconv.ParseBool`.
fn go_bool(v: &str) -> bool {
    matches!(
        v,
        "1" | "t" | "T" | "TRUE" | "true" | "True" | "0" | "f" | "F" | "FALSE" | "false" | "False"
    )
}

/// Go's `strconv.ParseUint(v, base, 32)`.
fn go_uint32(v: &str, base: u32) -> bool {
    !v.is_empty() && u32::from_str_radix(v, base).is_ok() && !v.starts_with('+')
}

/// Problems of one mount: (option, message).
fn problems(mount: &Mount) -> Vec<(&MountOption, String)> {
    let mut out = Vec::new();
    let Some(type_at) = mount
        .options
        .iter()
        .position(|o| o.key.eq_ignore_ascii_case("type"))
    else {
        return out;
    };
    let type_opt = &mount.options[type_at];
    let kind = type_opt.value.as_deref().unwrap_or("").to_ascii_lowercase();
    if !matches!(kind.as_str(), "secret" | "ssh") {
        if !matches!(kind.as_str(), "bind" | "cache" | "tmpfs")
            && let Some(s) = did_you_mean(&kind, ["secret", "ssh"].into_iter())
        {
            out.push((
                type_opt,
                format!("BuildKit has no mount type `{kind}`: did you mean `type={s}`?"),
            ));
        }
        return out;
    }
    for (i, o) in mount.options.iter().enumerate() {
        let key = o.key.to_ascii_lowercase();
        let value = o.value.as_deref();
        // Values with variables are expanded by BuildKit: only their keys can be checked.
        let dynamic = value.is_some_and(|v| v.contains('$'));
        if !KNOWN_KEYS.contains(&key.as_str()) {
            let hint = did_you_mean(&key, KNOWN_KEYS.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            out.push((
                o,
                format!("BuildKit does not know the mount option `{}`{hint}", o.key),
            ));
            continue;
        }
        if value.is_none()
            && !matches!(
                key.as_str(),
                "readonly" | "ro" | "readwrite" | "rw" | "required"
            )
        {
            out.push((
                o,
                format!(
                    "`{}` needs a value (`{}=...`): BuildKit rejects the mount",
                    o.key, o.key
                ),
            ));
            continue;
        }
        if i < type_at && matches!(key.as_str(), "required" | "size") {
            out.push((
                o,
                format!(
                    "`{}` comes before `type={kind}`: BuildKit reads the options in order and still takes the mount for a bind mount there, so the build fails with \"unexpected key '{key}' for mount type 'bind'\"; write `type={kind}` first",
                    o.key
                ),
            ));
            continue;
        }
        let Some(v) = value.filter(|_| !dynamic) else {
            continue;
        };
        let bad = match key.as_str() {
            "from" if kind == "secret" => Some(
                "a secret mount cannot take `from=` (BuildKit: \"secret mount should not have a from\"); secrets come from the build's `--secret`, not from a stage"
                    .to_owned(),
            ),
            "sharing" => Some(format!(
                "`sharing=` is for cache mounts only; BuildKit rejects it on a {kind} mount"
            )),
            "size" => Some(format!(
                "`size=` is for tmpfs mounts only; BuildKit rejects it on a {kind} mount"
            )),
            "mode" if !go_uint32(v, 8) => Some(format!(
                "`mode={v}` is not an octal number (BuildKit reads `mode` as octal digits, e.g. `mode=0400`)"
            )),
            "uid" | "gid" if !go_uint32(v, 10) => Some(format!(
                "`{key}={v}` is not a numeric id (names are not accepted)"
            )),
            "required" | "readonly" | "ro" | "readwrite" | "rw" if !go_bool(v) => {
                Some(format!("`{key}={v}` is not a boolean (`true` or `false`)"))
            }
            _ => None,
        };
        if let Some(message) = bad {
            out.push((o, message));
        }
    }
    if kind == "secret" {
        let id = mount.get("id");
        let source = mount.source();
        if let (Some(_), Some(src)) = (id, source) {
            out.push((
                src,
                "a secret mount takes `id` or `source`, not both (BuildKit: \"both source and id can't be set\"); keep `id=`".to_owned(),
            ));
        }
        if id.is_none() && source.is_none() && mount.target().is_none() {
            out.push((
                type_opt,
                "a secret mount needs `id=` (or at least `target=`): BuildKit rejects it"
                    .to_owned(),
            ));
        }
    }
    out
}

impl Rule for InvalidSecretMount {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for doc in &analysis.dockerfiles {
            for ins in &doc.model.instructions {
                let Kind::Run(run) = &ins.kind else {
                    continue;
                };
                for mount in &run.mounts {
                    for (option, message) in problems(mount) {
                        let id = mount.secret_id().unwrap_or("?");
                        out.push(
                            Finding::new(&INFO, doc.file, Span::from(option.span.clone()), message)
                                .help("e.g. `RUN --mount=type=secret,id=<id>,target=/run/secrets/<id>,required=true ...`")
                                .anchor(format!(
                                    "stage:{} RUN --mount {} {}",
                                    doc.model.stage_label(ins),
                                    id,
                                    option.key
                                )),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    #[test]
    fn fires_on_what_buildkit_rejects() {
        let found = run(
            &[(
                "Dockerfile",
                "FROM alpine\n\
RUN --mount=required=true,type=secret,id=a cat /run/secrets/a\n\
RUN --mount=type=secret,id=b,src=b.txt true\n\
RUN --mount=type=secret,id=c,from=build true\n\
RUN --mount=type=ssh,sharing=locked true\n\
RUN --mount=type=secret,id=d,mode=rw true\n\
RUN --mount=type=secret,id=e,targte=/x true\n\
RUN --mount=type=secret,id=f,required=yes true\n\
RUN --mount=type=secret,id=g,uid=node true\n\
RUN --mount=type=secret true\n\
RUN --mount=type=secrets,id=h true\n",
            )],
            "DF006",
        );
        let lines: Vec<usize> = (2..=11).collect();
        let want: Vec<String> = lines.iter().map(|l| format!("Dockerfile:{l}")).collect();
        assert_eq!(found, want);
    }

    #[test]
    fn suggests_the_known_key() {
        let m = messages(
            &[(
                "Dockerfile",
                "FROM alpine\nRUN --mount=type=secret,id=e,targte=/x true\n",
            )],
            "DF006",
        );
        assert!(m[0].contains("`target`"), "{m:?}");
    }

    #[test]
    fn quiet_on_valid_mounts() {
        let found = run(
            &[(
                "Dockerfile",
                "FROM alpine\n\
RUN --mount=id=a,type=secret,target=/root/.npmrc,required=true,mode=0400,uid=1000,gid=1000 true\n\
RUN --mount=type=secret,src=b true\n\
RUN --mount=type=secret,id=c,env=C_TOKEN,required true\n\
RUN --mount=type=ssh,required=true,mode=0600 true\n\
RUN --mount=type=cache,target=/root/.cache,sharing=locked true\n\
RUN --mount=type=bind,from=build,source=/out,target=/in true\n\
RUN --mount=type=secret,id=d,mode=$MODE true\n",
            )],
            "DF006",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
