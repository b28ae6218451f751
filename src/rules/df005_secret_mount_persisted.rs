//! What it finds: inside a `RUN --mount=type=secret`, the command copies the mounted secret
//! into the image (`cp /run/secrets/npmrc /root/.npmrc`, `cat /run/secrets/x > ~/.npmrc`,
//! `>>`, `| tee file`, `install`, `mv`, `dd of=`) and does not remove the copy (`rm`,
//! `shred -u`, `unlink`) later in the same `RUN`.
//!
//! Why it matters: a secret mount exists only while the `RUN` runs and is never part of a
//! layer; that is its whole point. A copy written to the image file system is committed
//! with the layer like any other file, and can be read by anyone who has the image.
//! `mv` is reported too: a secret mount is read-only, so `mv` fails to remove the source,
//! but it has already written the copy (and `|| true` keeps the build going).
//! Reading the secret into a variable or an argument (`TOKEN=$(cat /run/secrets/x) cmd`,
//! `--token-file /run/secrets/x`) is fine and not reported.
//!
//! Example:
//! ```dockerfile
//! RUN --mount=type=secret,id=npmrc \
//!     cp /run/secrets/npmrc /root/.npmrc && npm ci
//! ```
//!
//! Fix: mount the secret where the tool looks for it
//! (`--mount=type=secret,id=npmrc,target=/root/.npmrc`), or pass it through an
//! environment variable (`env=NPM_TOKEN`), or remove the copy before the `RUN` ends
//! (`... && npm ci && rm -f /root/.npmrc`).

use std::ops::Range;

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::detect::command::{SimpleCommand, parse_commands};
use crate::dockerfile::{CommandForm, Kind, MappedText, Mount};
use crate::finding::{Finding, Severity};
use crate::source::Span;

pub struct SecretMountPersisted;

pub static INFO: RuleInfo = RuleInfo {
    code: "DF005",
    name: "secret-mount-persisted",
    severity: Severity::Warning,
    source: include_str!("df005_secret_mount_persisted.rs"),
};

/// Where a secret mount appears in the build container, when it is a file.
fn secret_path(mount: &Mount) -> Option<String> {
    if !mount.mount_type().eq_ignore_ascii_case("secret") {
        return None;
    }
    if let Some(target) = mount.target().and_then(|t| t.value.clone()) {
        return Some(target);
    }
    if mount.get("env").is_some() {
        return None; // exposed as an environment variable only
    }
    // BuildKit: the id is `source` if set, else `id`; the default target is
    // `/run/secrets/<base name of the id>`.
    let id = mount
        .source()
        .and_then(|s| s.value.clone())
        .or_else(|| mount.value("id").map(str::to_owned))?;
    let base = id.rsplit('/').next().unwrap_or(&id).to_owned();
    Some(format!("/run/secrets/{base}"))
}

/// Whether `value` names `path` (not merely a longer name that starts with it).
fn mentions(value: &str, path: &str) -> bool {
    let mut from = 0;
    while let Some(at) = value.get(from..).and_then(|v| v.find(path)) {
        let end = from + at + path.len();
        let next = value[end..].chars().next();
        if next.is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))) {
            return true;
        }
        from = end;
    }
    false
}

fn home(path: &str) -> String {
    for prefix in ["$HOME/", "${HOME}/", "/root/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            return format!("~/{rest}");
        }
    }
    path.to_owned()
}

fn name_of(cmd: &SimpleCommand) -> Option<(String, usize)> {
    let mut i = 0;
    while let Some(w) = cmd.words.get(i) {
        let v = w.value.as_str();
        let is_assignment = v.split_once('=').is_some_and(|(n, _)| {
            !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if is_assignment || v == "sudo" || v == "exec" {
            i += 1;
            continue;
        }
        return Some((v.rsplit('/').next().unwrap_or(v).to_owned(), i));
    }
    None
}

fn positional(cmd: &SimpleCommand, from: usize, with_value: &[&str]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = from;
    while i < cmd.words.len() {
        let v = cmd.words[i].value.as_str();
        if with_value.contains(&v) {
            i += 2;
            continue;
        }
        if !v.starts_with('-') {
            out.push(i);
        }
        i += 1;
    }
    out
}

/// A copy of a secret: destination, and the text range to report.
struct Copied {
    secret: String,
    dest: String,
    range: Range<usize>,
}

const READERS: &[&str] = &[
    "cat", "echo", "printf", "head", "tail", "base64", "envsubst", "sed", "awk", "tr", "jq", "gpg",
    "xxd",
];

fn copies(cmds: &[SimpleCommand], secrets: &[String]) -> Vec<(usize, Copied)> {
    let mut out = Vec::new();
    let reads = |cmd: &SimpleCommand| -> Option<String> {
        let from_words = cmd
            .words
            .iter()
            .find_map(|w| secrets.iter().find(|s| mentions(&w.value, s)));
        let from_redirect = cmd.redirects.iter().find_map(|r| {
            let t = r.target.as_ref()?;
            (r.op == "<")
                .then(|| secrets.iter().find(|s| mentions(&t.value, s)))
                .flatten()
        });
        from_words.or(from_redirect).cloned()
    };
    let writes = |cmd: &SimpleCommand| -> Vec<(String, Range<usize>)> {
        cmd.redirects
            .iter()
            .filter(|r| r.op.starts_with('>') || r.op == "&>")
            .filter_map(|r| r.target.as_ref())
            .filter(|t| !t.value.starts_with("/dev/") && !t.value.starts_with('&'))
            .map(|t| (t.value.clone(), t.raw.clone()))
            .collect()
    };
    for (i, cmd) in cmds.iter().enumerate() {
        let Some((name, at)) = name_of(cmd) else {
            continue;
        };
        let start = cmd.words[at].raw.start;
        match name.as_str() {
            "cp" | "install" | "mv" | "rsync" => {
                let pos = positional(
                    cmd,
                    at + 1,
                    &["-m", "-o", "-g", "--mode", "--owner", "--group"],
                );
                let target_dir = cmd
                    .words
                    .iter()
                    .position(|w| w.value == "-t" || w.value == "--target-directory");
                let (dest, sources): (Option<usize>, Vec<usize>) = match target_dir {
                    Some(t) => (
                        Some(t + 1),
                        pos.into_iter().filter(|p| *p != t + 1).collect(),
                    ),
                    None => match pos.split_last() {
                        Some((last, rest)) => (Some(*last), rest.to_vec()),
                        None => (None, Vec::new()),
                    },
                };
                let Some(dest) = dest.and_then(|d| cmd.words.get(d)) else {
                    continue;
                };
                if let Some(secret) = sources
                    .iter()
                    .filter_map(|s| cmd.words.get(*s))
                    .find_map(|w| secrets.iter().find(|s| mentions(&w.value, s)))
                {
                    out.push((
                        i,
                        Copied {
                            secret: secret.clone(),
                            dest: dest.value.clone(),
                            range: start..dest.raw.end,
                        },
                    ));
                }
            }
            "dd" => {
                let input = cmd.words.iter().find_map(|w| {
                    let f = w.value.strip_prefix("if=")?;
                    secrets.iter().find(|s| mentions(f, s))
                });
                let output = cmd.words.iter().find(|w| w.value.starts_with("of="));
                if let (Some(secret), Some(o)) = (input, output) {
                    out.push((
                        i,
                        Copied {
                            secret: secret.clone(),
                            dest: o.value[3..].to_owned(),
                            range: start..o.raw.end,
                        },
                    ));
                }
            }
            n if READERS.contains(&n) || n == "tee" => {
                let Some(secret) = reads(cmd) else {
                    continue;
                };
                let mut dests = writes(cmd);
                if n == "tee" {
                    for p in positional(cmd, at + 1, &[]) {
                        dests.push((cmd.words[p].value.clone(), cmd.words[p].raw.clone()));
                    }
                }
                // Follow the pipeline: `cat secret | tee file`, `cat secret | base64 -d > f`.
                let mut j = i;
                while cmds[j].piped && j + 1 < cmds.len() {
                    j += 1;
                    let next = &cmds[j];
                    dests.extend(writes(next));
                    if let Some((nn, nat)) = name_of(next)
                        && nn == "tee"
                    {
                        for p in positional(next, nat + 1, &[]) {
                            dests.push((next.words[p].value.clone(), next.words[p].raw.clone()));
                        }
                    }
                }
                for (dest, raw) in dests {
                    out.push((
                        i,
                        Copied {
                            secret: secret.clone(),
                            dest,
                            range: start..raw.end.max(start),
                        },
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether a later command removes `dest` (or a folder holding it).
fn removed_later(cmds: &[SimpleCommand], after: usize, copied: &Copied) -> bool {
    let dest = home(copied.dest.trim_end_matches('/'));
    let base = copied.secret.rsplit('/').next().unwrap_or("");
    let into_dir = format!("{dest}/{base}");
    cmds.iter().skip(after + 1).any(|cmd| {
        let Some((name, at)) = name_of(cmd) else {
            return false;
        };
        if !matches!(name.as_str(), "rm" | "shred" | "unlink") {
            return false;
        }
        cmd.words[at + 1..].iter().any(|w| {
            let arg = home(w.value.trim_end_matches('/'));
            !arg.starts_with('-')
                && (arg == dest
                    || arg == into_dir
                    || dest.starts_with(&format!("{arg}/"))
                    || arg == "*"
                    || (arg.ends_with("/*") && dest.starts_with(&arg[..arg.len() - 1])))
        })
    })
}

impl Rule for SecretMountPersisted {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for doc in &analysis.dockerfiles {
            for ins in &doc.model.instructions {
                let Kind::Run(run) = &ins.kind else {
                    continue;
                };
                let secrets: Vec<String> = run.mounts.iter().filter_map(secret_path).collect();
                if secrets.is_empty() {
                    continue;
                }
                let mut scripts: Vec<&MappedText> = run.heredocs.iter().map(|h| &h.body).collect();
                if let CommandForm::Shell(mt) = &run.command {
                    scripts.insert(0, mt);
                }
                for mt in scripts {
                    let cmds = parse_commands(&mt.text);
                    for (i, copied) in copies(&cmds, &secrets) {
                        if removed_later(&cmds, i, &copied) {
                            continue;
                        }
                        out.push(
                            Finding::new(
                                &INFO,
                                doc.file,
                                Span::from(mt.to_source(copied.range.clone())),
                                format!(
                                    "`RUN` copies the build secret `{}` to `{}` and does not remove it: the copy is committed with the layer",
                                    copied.secret, copied.dest
                                ),
                            )
                            .help(format!(
                                "mount the secret where it is needed (`--mount=type=secret,...,target={}`), or remove the copy before the `RUN` ends",
                                copied.dest
                            ))
                            .anchor(format!(
                                "stage:{} RUN copies {} to {}",
                                doc.model.stage_label(ins),
                                copied.secret,
                                copied.dest
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
    use crate::rules::support::testing::run;

    #[test]
    fn fires_on_copies_that_stay() {
        let found = run(
            &[(
                "Dockerfile",
                "FROM node:22\nRUN --mount=type=secret,id=npmrc \\\n    cp /run/secrets/npmrc /root/.npmrc && npm ci\nRUN --mount=type=secret,id=tok,target=/tmp/tok cat /tmp/tok >> ~/.netrc\nRUN --mount=type=secret,id=pip <<EOF\ncat /run/secrets/pip | tee /etc/pip.conf >/dev/null\npip install -r requirements.txt\nEOF\n",
            )],
            "DF005",
        );
        assert_eq!(found, ["Dockerfile:3", "Dockerfile:4", "Dockerfile:6"]);
    }

    #[test]
    fn quiet_when_removed_or_only_read() {
        let found = run(
            &[(
                "Dockerfile",
                "FROM node:22\nRUN --mount=type=secret,id=npmrc cp /run/secrets/npmrc $HOME/.npmrc && npm ci && rm -f ~/.npmrc\nRUN --mount=type=secret,id=gh TOKEN=$(cat /run/secrets/gh) ./fetch.sh\nRUN --mount=type=secret,id=api app --token-file /run/secrets/api > /tmp/out.json\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\nRUN --mount=type=secret,id=a cp /run/secrets/a /tmp/work/ && make && rm -rf /tmp/work\nRUN cp /run/secrets/x /app/x\n",
            )],
            "DF005",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
