//! Docker command lines, read from the words of a simple command ([`super::command`]):
//! which subcommand runs (`docker run`, `docker compose run`, `docker buildx build`,
//! `docker login`, `docker secret create`, ...) and the options that carry values into it.
//! The SH rules use it on scripts.
//!
//! Options are read the way the docker CLI (cobra/pflag) reads them: `--env=X`, `--env X`,
//! `-e X`, `-eX`, clusters of one-letter flags (`-it`), and for commands that take an image
//! or a container, options end at the first word that is not one (what follows is the
//! container's own command line, whose `-e` is not docker's).

use super::command::{ShellWord, command_name};

/// What a docker command line does, as far as the SH rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `run`, `create`, `exec`, `container run|create|exec`, `service create|update`,
    /// `compose run|exec`: a container gets environment variables (`-e`, `--env`,
    /// `--env-add`).
    Container,
    /// `build`, `image build`, `buildx build`, `builder build`, `compose build`: build
    /// arguments (`--build-arg`).
    Build,
    /// `login`: `-p`, `--password`.
    Login,
    /// `secret create`.
    SecretCreate,
}

/// A docker command line.
#[derive(Debug)]
pub struct Invocation<'a> {
    pub action: Action,
    /// The command as written up to the subcommand, e.g. `docker compose run`.
    pub label: String,
    /// The words after the subcommand.
    pub args: &'a [ShellWord],
}

/// Programs with docker's command line.
const TOOLS: &[&str] = &["docker", "docker-compose", "podman"];

/// Options of `docker` itself (before the subcommand) that take a value.
const DOCKER_GLOBAL_VALUED: &[&str] = &[
    "-H",
    "--host",
    "-c",
    "--context",
    "--config",
    "-l",
    "--log-level",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
];

/// Options of `docker compose` (before its subcommand) that take a value.
const COMPOSE_GLOBAL_VALUED: &[&str] = &[
    "-f",
    "--file",
    "-p",
    "--project-name",
    "--profile",
    "--env-file",
    "--project-directory",
    "--ansi",
    "--parallel",
    "--progress",
    "-H",
    "--host",
    "--log-level",
];

/// The docker command line `words` are, if they are one the SH rules read.
pub fn invocation(words: &[ShellWord]) -> Option<Invocation<'_>> {
    let (tool, at) = command_name(words)?;
    if !TOOLS.contains(&tool.as_str()) {
        return None;
    }
    let mut compose = tool == "docker-compose";
    let mut i = at + 1;
    if !compose {
        i = skip_options(words, i, DOCKER_GLOBAL_VALUED);
        if words.get(i).is_some_and(|w| w.value == "compose") {
            compose = true;
            i = skip_options(words, i + 1, COMPOSE_GLOBAL_VALUED);
        }
    } else {
        i = skip_options(words, i, COMPOSE_GLOBAL_VALUED);
    }
    let first = words.get(i)?.value.as_str();
    let second = words.get(i + 1).map(|w| w.value.as_str());
    let (action, taken) = if compose {
        match first {
            "run" | "exec" => (Action::Container, 1),
            "build" => (Action::Build, 1),
            _ => return None,
        }
    } else {
        match (first, second) {
            ("run" | "create" | "exec", _) => (Action::Container, 1),
            ("container", Some("run" | "create" | "exec")) => (Action::Container, 2),
            ("service", Some("create" | "update")) => (Action::Container, 2),
            ("build", _) => (Action::Build, 1),
            ("image" | "buildx" | "builder", Some("build")) => (Action::Build, 2),
            ("login", _) => (Action::Login, 1),
            ("secret", Some("create")) => (Action::SecretCreate, 2),
            _ => return None,
        }
    };
    let mut label = tool.clone();
    if compose && tool != "docker-compose" {
        label.push_str(" compose");
    }
    for w in words.get(i..i + taken).unwrap_or_default() {
        label.push(' ');
        label.push_str(&w.value);
    }
    Some(Invocation {
        action,
        label,
        args: words.get(i + taken..).unwrap_or_default(),
    })
}

/// The index of the first word from `i` on that is not an option (`valued` options take
/// the next word).
fn skip_options(words: &[ShellWord], mut i: usize, valued: &[&str]) -> usize {
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
        if !v.starts_with('-') || v == "-" || v == "--" {
            break;
        }
        i += if valued.contains(&v) { 2 } else { 1 };
    }
    i
}

/// An option value written on a docker command line: the word holding it and where the
/// value starts in the word's value.
#[derive(Debug, Clone, Copy)]
pub struct OptionValue<'a> {
    pub word: &'a ShellWord,
    pub start: usize,
    /// The option as the user would write it (`-e`, `--env`, `--build-arg`, `-p`).
    pub option: &'static str,
}

impl OptionValue<'_> {
    /// The value, as the shell passes it.
    #[cfg(test)]
    pub fn value(&self) -> &str {
        self.word.value.get(self.start..).unwrap_or("")
    }
}

/// One-letter flags (of `run`, `create`, `exec`, `service create`, `compose run|exec`) that
/// take no value.
const BOOL_SHORT: &[char] = &['d', 'i', 't', 'P', 'q', 'T'];

/// Long flags of those commands that take no value (any other long option does).
const BOOL_LONG: &[&str] = &[
    "rm",
    "detach",
    "interactive",
    "tty",
    "privileged",
    "init",
    "read-only",
    "publish-all",
    "no-healthcheck",
    "oom-kill-disable",
    "disable-content-trust",
    "help",
    "quiet",
    "no-TTY",
    "no-tty",
    "no-deps",
    "service-ports",
    "use-aliases",
    "build",
    "remove-orphans",
    "quiet-pull",
    "no-resolve-image",
    "with-registry-auth",
    "use-api-socket",
    "sig-proxy",
    "debug",
    "pull",
];

/// The `-e`/`--env`/`--env-add` values of a [`Action::Container`] command line, read up to
/// the image, container or service it names.
pub fn env_options<'a>(args: &'a [ShellWord]) -> Vec<OptionValue<'a>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let v = w.value.as_str();
        if !v.starts_with('-') || v == "-" || v == "--" {
            break;
        }
        if let Some(long) = v.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, _)) => (n, true),
                None => (long, false),
            };
            let option = match name {
                "env" => Some("--env"),
                "env-add" => Some("--env-add"),
                _ => None,
            };
            if inline {
                if let Some(option) = option {
                    out.push(OptionValue {
                        word: w,
                        start: 2 + name.len() + 1,
                        option,
                    });
                }
                i += 1;
            } else if BOOL_LONG.contains(&name) {
                i += 1;
            } else {
                if let (Some(option), Some(next)) = (option, args.get(i + 1)) {
                    out.push(OptionValue {
                        word: next,
                        start: 0,
                        option,
                    });
                }
                i += 2;
            }
            continue;
        }
        // A cluster of one-letter flags: the first that takes a value takes the rest of
        // the word (`-eX=1`, `-e=X=1`) or the next word.
        let mut takes_next = false;
        for (k, c) in v.char_indices().skip(1) {
            if BOOL_SHORT.contains(&c) {
                continue;
            }
            let rest_at = k + c.len_utf8();
            let rest_at = rest_at + usize::from(v[rest_at..].starts_with('='));
            if rest_at >= v.len() {
                takes_next = true;
                if c == 'e'
                    && let Some(next) = args.get(i + 1)
                {
                    out.push(OptionValue {
                        word: next,
                        start: 0,
                        option: "-e",
                    });
                }
            } else if c == 'e' {
                out.push(OptionValue {
                    word: w,
                    start: rest_at,
                    option: "-e",
                });
            }
            break;
        }
        i += if takes_next { 2 } else { 1 };
    }
    out
}

/// The values of the options `long` (`--build-arg`, `--password`) and `short` (`-p`)
/// anywhere in `args` (build and login take options after their positional words too).
pub fn option_values<'a>(
    args: &'a [ShellWord],
    long: &'static str,
    short: Option<&'static str>,
) -> Vec<OptionValue<'a>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let v = w.value.as_str();
        if v == "--" {
            break;
        }
        if v == long || short == Some(v) {
            if let Some(next) = args.get(i + 1) {
                let option = if v == long {
                    long
                } else {
                    short.unwrap_or(long)
                };
                out.push(OptionValue {
                    word: next,
                    start: 0,
                    option,
                });
            }
            i += 2;
            continue;
        }
        if let Some(rest) = v.strip_prefix(long)
            && rest.starts_with('=')
        {
            out.push(OptionValue {
                word: w,
                start: long.len() + 1,
                option: long,
            });
        } else if let Some(short) = short
            && let Some(rest) = v.strip_prefix(short)
            && !rest.is_empty()
            && !v.starts_with("--")
        {
            let start = short.len() + usize::from(rest.starts_with('='));
            out.push(OptionValue {
                word: w,
                start,
                option: short,
            });
        }
        i += 1;
    }
    out
}

/// `NAME=value` in an option value: the name and where the value starts (in the word's
/// value). `None` for a bare `NAME` (taken from the environment).
pub fn assignment<'a>(o: &OptionValue<'a>) -> Option<(&'a str, usize)> {
    let text = o.word.value.get(o.start..)?;
    let (name, _) = text.split_once('=')?;
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then_some((name, o.start + name.len() + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::command::parse_commands;

    fn env_of(text: &str) -> Vec<String> {
        let cmds = parse_commands(text);
        let mut out = Vec::new();
        for c in &cmds {
            if let Some(inv) = invocation(&c.words)
                && inv.action == Action::Container
            {
                out.extend(env_options(inv.args).iter().map(|o| o.value().to_owned()));
            }
        }
        out
    }

    #[test]
    fn env_options_stop_at_the_image() {
        assert_eq!(
            env_of(
                "docker run --rm -it -p 80:80 -e A=1 --env=B=2 -eC=3 --env D --name x img -e E=4"
            ),
            ["A=1", "B=2", "C=3", "D"]
        );
        assert_eq!(
            env_of("sudo docker -H tcp://h:2375 compose -f a.yml run -T -e X=1 web env -e Y=2"),
            ["X=1"]
        );
        assert_eq!(env_of("docker exec -ite Z=1 c sh"), ["Z=1"]);
        assert_eq!(env_of("docker service update --env-add K=v svc"), ["K=v"]);
        assert!(env_of("docker ps -e X=1").is_empty());
        assert!(env_of("docker compose up -e X=1").is_empty());
    }

    #[test]
    fn labels_name_the_subcommand() {
        let cmds = parse_commands("docker buildx build --build-arg A=1 .\ndocker-compose run x");
        let labels: Vec<String> = cmds
            .iter()
            .filter_map(|c| invocation(&c.words).map(|i| i.label))
            .collect();
        assert_eq!(labels, ["docker buildx build", "docker-compose run"]);
    }
}
