//! What it finds: a script beside the project (a shell script, a Makefile recipe, a justfile
//! recipe, a GitHub workflow `run:` or a GitLab CI `script:`) that writes a secret on the
//! docker command line: `docker run`/`create`/`exec`, `docker service create|update`,
//! `docker compose run|exec` with `-e`/`--env NAME=literal` (also `--env=NAME=literal`,
//! `-eNAME=literal`, quoted, over `\` continuations, inside `$(…)`) for a secret-like `NAME`;
//! `docker build`/`buildx build`/`compose build` with `--build-arg NAME=literal`; and
//! `docker login -p`/`--password literal`.
//!
//! Why it matters: the value is committed with the script, and every run copies it further:
//! into shell history, into CI job logs (which echo commands), into `ps` output of the host
//! while the command runs, and for `-e` into the container's configuration (`docker
//! inspect`); a build argument stays in the image history.
//!
//! Not reported: `-e NAME` (the value is taken from the environment), a value that is a
//! reference (`-e NAME=$NAME`, `"${DB_PASSWORD}"`, `$(cat file)`, a Makefile's `$$NAME` or
//! `$(NAME)`, `{{ var }}` of justfiles and workflows), `--password-stdin`, `--env-file`,
//! `--secret id=x,src=file`, options of the container's own command (after the image), and
//! names that are not secret-like (`-e LOG_LEVEL=debug`). A placeholder value (`changeme`) is
//! a warning. `-e NAME=${NAME:-literal}` is judged by its default: it is the value wherever
//! the variable is unset.
//!
//! Example:
//! ```sh
//! #!/usr/bin/env bash
//! set -euo pipefail
//! docker run -d --name db \
//!   -e POSTGRES_PASSWORD=Pg-7rT2vX9wLq \
//!   postgres:16
//! ```
//!
//! Fix: name the variable alone (`-e POSTGRES_PASSWORD`, exported from a secret store or a
//! git-ignored `--env-file`), or better give the container a secret file
//! (`POSTGRES_PASSWORD_FILE=/run/secrets/db_password`). For builds use
//! `docker build --secret id=x,env=X` with `RUN --mount=type=secret,id=x`; for registries
//! `docker login --password-stdin`. Then rotate the value: it is in the repository's history.

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::detect::classify::{ValueClass, dsn_may_hold_secret, redact, secret_name_reason};
use crate::detect::docker_cli::{
    Action, OptionValue, assignment, env_options, invocation, option_values,
};
use crate::finding::{Finding, Severity};
use crate::script::{ScriptDoc, chunks, value_class};

pub struct SecretOnDockerCommandLine;

pub static INFO: RuleInfo = RuleInfo {
    code: "SH001",
    name: "secret-on-docker-command-line",
    severity: Severity::Error,
    source: include_str!("sh001_secret_on_docker_command_line.rs"),
};

/// What the user should do instead, by what the command does.
fn help(action: Action, name: &str) -> String {
    match action {
        Action::Build => format!(
            "mount it as a build secret: `docker build --secret id={0},env={1}` with `RUN --mount=type=secret,id={0}` in the Dockerfile; then rotate it",
            name.to_ascii_lowercase(),
            name
        ),
        Action::Login => "pipe it in: `printf '%s' \"$REGISTRY_PASSWORD\" | docker login --password-stdin -u <user> <registry>`; then rotate it".to_owned(),
        _ => format!(
            "name the variable alone (`-e {name}`, taken from the environment) or read it from a git-ignored `--env-file`; better, give the container a secret file; then rotate it"
        ),
    }
}

/// Where a finding is, and what it says.
struct Flagged<'a> {
    doc: &'a ScriptDoc,
    source: &'a str,
    label: &'a str,
    action: Action,
    /// Where the parsed text starts in the segment's text.
    base: usize,
}

impl Flagged<'_> {
    /// A finding on the value of `o` from byte `value_start` of its word, named `name`
    /// (a variable, or the option for `login`) with the reason `reason`.
    fn push(
        &self,
        segment: &crate::script::Segment,
        o: &OptionValue<'_>,
        value_start: usize,
        name: &str,
        what: String,
        out: &mut Vec<Finding>,
    ) {
        let value = o.word.value.get(value_start..).unwrap_or("");
        let class = value_class(value, self.doc.dialect);
        if !matches!(class, ValueClass::Placeholder | ValueClass::Literal) {
            return;
        }
        let range = o.word.text_range(value_start..o.word.value.len());
        let span = segment.span(self.source, self.base + range.start..self.base + range.end);
        let message = format!(
            "`{} {}` passes {what} on the command line in clear: `{}`; the script, shell history, `ps` and CI logs keep it",
            self.label,
            o.option,
            redact(value)
        );
        out.push(
            Finding::new(&INFO, self.doc.file, span, message)
                .value_class(class)
                .help(help(self.action, name))
                .anchor(format!("script {} {} {name}", self.label, o.option))
                .secret(span),
        );
    }
}

fn check_script(doc: &ScriptDoc, source: &str, out: &mut Vec<Finding>) {
    for segment in &doc.segments {
        let text = segment.text(source);
        if !text.contains("docker") && !text.contains("podman") {
            continue;
        }
        for (chunk, cmd) in chunks(text)
            .iter()
            .flat_map(|c| c.commands.iter().map(move |cmd| (c, cmd)))
        {
            let Some(inv) = invocation(&cmd.words) else {
                continue;
            };
            let flagged = Flagged {
                doc,
                source,
                label: &inv.label,
                action: inv.action,
                base: chunk.base,
            };
            let named = match inv.action {
                Action::Container => env_options(inv.args),
                Action::Build => option_values(inv.args, "--build-arg", None),
                Action::Login => {
                    for o in option_values(inv.args, "--password", Some("-p")) {
                        let what = "a registry password".to_owned();
                        flagged.push(segment, &o, o.start, o.option, what, out);
                    }
                    continue;
                }
                Action::SecretCreate => continue,
            };
            for o in named {
                let Some((name, value_start)) = assignment(&o) else {
                    continue;
                };
                let Some(reason) = secret_name_reason(name) else {
                    continue;
                };
                // A DSN is a secret through the credential it may hold, not by its name.
                if reason == "dsn"
                    && !dsn_may_hold_secret(o.word.value.get(value_start..).unwrap_or(""))
                {
                    continue;
                }
                let what = format!("`{name}`, a secret ({reason}),");
                flagged.push(segment, &o, value_start, name, what, out);
            }
        }
    }
}

impl Rule for SecretOnDockerCommandLine {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for doc in &analysis.scripts {
            let source = &analysis.ws.files.get(doc.file).text;
            check_script(doc, source, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{findings, messages, run};

    #[test]
    fn fires_on_env_build_args_and_login() {
        let found = run(
            &[(
                "deploy.sh",
                "#!/usr/bin/env bash\nset -euo pipefail\ndocker run -d --name db \\\n  -e POSTGRES_PASSWORD=Pg-7rT2vX9wLq \\\n  --env=API_TOKEN=tk_81hQz0Lmv2 -eSECRET_KEY='sk-Rw92mXq' \\\n  postgres:16\ndocker build --build-arg NPM_TOKEN=\"npm_Zx81Qw93Lk\" .\ndocker login -u ci -p Rg-5tPw83q registry.example.com\ndocker compose run -e STRIPE_SECRET=sk_test_4eC39HqLyj web rake\ndocker exec -e ADMIN_PASSWORD=Adm-88Qx web true\n",
            )],
            "SH001",
        );
        assert_eq!(
            found,
            [
                "deploy.sh:4",
                "deploy.sh:5",
                "deploy.sh:5",
                "deploy.sh:7",
                "deploy.sh:8",
                "deploy.sh:9",
                "deploy.sh:10"
            ]
        );
    }

    #[test]
    fn the_span_is_the_value_and_messages_are_redacted() {
        let text = "docker run -e \"DB_PASSWORD=s3cr3t-Lq82\" app\n";
        let f = findings(&[("run.sh", text)], "SH001");
        assert_eq!(f.len(), 1);
        assert_eq!(&text[f[0].span.range()], "s3cr3t-Lq82");
        assert!(!f[0].message.contains("s3cr3t-Lq82"), "{}", f[0].message);
        assert!(f[0].message.contains("DB_PASSWORD"), "{}", f[0].message);
    }

    #[test]
    fn literal_defaults_of_parameters_count() {
        let found = run(
            &[(
                "dev.sh",
                "docker run -e POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-Pg-dev-83kQ} postgres\ndocker run -e POSTGRES_PASSWORD=\"${POSTGRES_PASSWORD:?set it}\" postgres\n",
            )],
            "SH001",
        );
        assert_eq!(found, ["dev.sh:1"]);
    }

    #[test]
    fn command_substitutions_are_read() {
        let text = "CID=$(docker run -d -e POSTGRES_PASSWORD='Pg-test-61pZ' postgres:16)\necho \"$(docker login -p Lg-92xQ r 2>&1)\"\nIDS=\"$(docker run -d -e LOG=1 a) $(docker run -d -e API_TOKEN=Tk-83qZ-Lm2 b)\"\n";
        let f = findings(&[("t.sh", text)], "SH001");
        let values: Vec<&str> = f.iter().map(|f| &text[f.span.range()]).collect();
        assert_eq!(values, ["Pg-test-61pZ", "Lg-92xQ", "Tk-83qZ-Lm2"]);
    }

    #[test]
    fn placeholders_are_warnings() {
        let f = findings(
            &[("run.sh", "docker run -e DB_PASSWORD=changeme app\n")],
            "SH001",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::finding::Severity::Warning);
        assert!(f[0].message.contains("placeholder"));
    }

    #[test]
    fn quiet_on_references_and_other_options() {
        let found = run(
            &[(
                "deploy.sh",
                "docker run -e DB_PASSWORD -e DB_PASSWORD=$DB_PASSWORD -e \"TOKEN=${TOKEN}\" -e K=$(cat k) app\ndocker run -e LOG_LEVEL=debug -p 5432:5432 app\ndocker run --rm mysql:8 mysql -e PASSWORD=inner-cmd-x1\necho \"$PW\" | docker login --password-stdin -u ci reg\ndocker buildx build --secret id=npm,src=$HOME/.npmrc --build-arg VERSION=1.2 .\n# docker run -e DB_PASSWORD=Commented-Out9\ndocker run -e SECRET_KEY_FILE=/run/secrets/key app\n",
            )],
            "SH001",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn makefiles_justfiles_and_ci_files() {
        let found = run(
            &[
                (
                    "Makefile",
                    "PW ?= x\nrun:\n\t@docker run -e DB_PASSWORD=Mk-83qLx \\\n\t  -e API_KEY=$$API_KEY -e TOKEN=$(TOKEN) app\n",
                ),
                (
                    "justfile",
                    "deploy:\n    docker login -p Jf-72kQw reg\n    docker run -e API_TOKEN={{token}} app\n",
                ),
                (
                    ".github/workflows/release.yml",
                    "on: push\njobs:\n  push:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          docker login -u bot -p ${{ secrets.REG_PW }} ghcr.io\n          docker build --build-arg GH_TOKEN=ghp-Qz81Lm2Vx .\n",
                ),
                (
                    ".gitlab-ci.yml",
                    "build:\n  script:\n    - docker login -u $CI_REGISTRY_USER -p $CI_REGISTRY_PASSWORD $CI_REGISTRY\n    - docker run -e REDIS_PASSWORD=Rd-93kQx redis\n",
                ),
            ],
            "SH001",
        );
        assert_eq!(
            found,
            [
                ".github/workflows/release.yml:8",
                ".gitlab-ci.yml:4",
                "Makefile:3",
                "justfile:2"
            ]
        );
    }

    #[test]
    fn messages_never_hold_the_secret() {
        let m = messages(
            &[("a.sh", "docker login --password=Lg-Secret-77 reg\n")],
            "SH001",
        );
        assert_eq!(m.len(), 1);
        assert!(!m[0].contains("Lg-Secret-77"), "{m:?}");
    }
}
