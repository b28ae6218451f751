//! What it finds: a script beside the project (a shell script, a Makefile or justfile
//! recipe, a CI `run:`/`script:`) that creates a Swarm secret from a value written in the
//! script: `echo literal | docker secret create NAME -`, `printf '%s' literal | docker secret
//! create NAME -` (through filters such as `| tr -d '\n' |` too), or a here-string
//! `docker secret create NAME - <<< literal`.
//!
//! Why it matters: a Docker secret exists to keep the value out of files and command lines;
//! written in the script, the value is committed with it, kept in shell history, and shown
//! in CI logs that echo commands. The secret is no more secret than the script.
//!
//! Not reported: `docker secret create NAME ./file` and `… - < file` (the value comes from a
//! file), a value from a variable (`echo "$DB_PASSWORD" |`, `<<< "$PW"`) or from a command
//! (`openssl rand -base64 32 | docker secret create NAME -`, `echo "$(pwgen 32 1)" |`). A
//! placeholder value (`changeme`) is a warning.
//!
//! Example:
//! ```sh
//! #!/bin/sh
//! set -eu
//! echo "Sw4rm-Db-83kQz" | docker secret create db_password -
//! ```
//!
//! Fix: create the secret from a file kept out of git (`docker secret create db_password
//! ./secrets/db_password.txt`), from a variable set outside the script (`printf '%s'
//! "$DB_PASSWORD" | docker secret create db_password -`), or generate it
//! (`openssl rand -base64 32 | docker secret create db_password -`). Then rotate the value:
//! it is in the repository's history.

use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::detect::classify::{ValueClass, redact};
use crate::detect::command::{ShellWord, SimpleCommand, command_name};
use crate::detect::docker_cli::{Action, invocation};
use crate::finding::{Finding, Severity};
use crate::script::{Chunk, ScriptDoc, Segment, chunks, value_class};

pub struct SecretPipedIntoDockerSecret;

pub static INFO: RuleInfo = RuleInfo {
    code: "SH002",
    name: "secret-piped-into-docker-secret",
    severity: Severity::Error,
    source: include_str!("sh002_secret_piped_into_docker_secret.rs"),
};

/// Options of `docker secret create` that take a value.
const VALUED: &[&str] = &["-d", "--driver", "-l", "--label", "--template-driver"];

/// The words of `docker secret create`'s arguments that are not options (name, file).
fn positionals(args: &[ShellWord]) -> Vec<&ShellWord> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let v = w.value.as_str();
        if v.starts_with("--") && v.contains('=') || v.len() > 1 && v.starts_with('-') {
            i += if VALUED.contains(&v) { 2 } else { 1 };
            continue;
        }
        out.push(w);
        i += 1;
    }
    out
}

/// The words of `cmd` from the first one a here-string (`<<< word`) gives: the tokenizer
/// reads the operator's word as one of the command's.
fn here_string_at(text: &str, cmd: &SimpleCommand) -> Option<usize> {
    let mut prev_end: Option<usize> = None;
    for (i, w) in cmd.words.iter().enumerate() {
        if let Some(end) = prev_end
            && text
                .get(end..w.raw.start)
                .is_some_and(|gap| gap.contains("<<<"))
        {
            return Some(i);
        }
        prev_end = Some(w.raw.end);
    }
    None
}

/// The value words an `echo` or `printf` command writes, and its name.
fn written_words(cmd: &SimpleCommand) -> Option<(&'static str, &[ShellWord])> {
    let (name, at) = command_name(&cmd.words)?;
    let args = cmd.words.get(at + 1..)?;
    match name.as_str() {
        "echo" => {
            let skip = args
                .iter()
                .take_while(|w| {
                    w.value.len() > 1
                        && w.value.starts_with('-')
                        && w.value[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E'))
                })
                .count();
            Some(("echo", &args[skip..]))
        }
        "printf" => {
            let args = match args.first() {
                Some(w) if w.value == "--" => &args[1..],
                _ => args,
            };
            let format = args.first()?;
            if format.value.contains('%') && args.len() > 1 {
                Some(("printf", &args[1..]))
            } else {
                Some(("printf", &args[..1]))
            }
        }
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    doc: &ScriptDoc,
    source: &str,
    segment: &Segment,
    base: usize,
    name: &str,
    feeder: &str,
    words: &[ShellWord],
    out: &mut Vec<Finding>,
) {
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return;
    };
    let value: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
    let value = value.join(" ");
    let class = value_class(&value, doc.dialect);
    if !matches!(class, ValueClass::Placeholder | ValueClass::Literal) {
        return;
    }
    let start = first.text_range(0..first.value.len()).start;
    let end = last.text_range(0..last.value.len()).end;
    if start >= end {
        return;
    }
    let span = segment.span(source, base + start..base + end);
    out.push(
        Finding::new(
            &INFO,
            doc.file,
            span,
            format!(
                "`docker secret create {name}` is fed a value written in the script ({feeder}): `{}`; the script, shell history and CI logs keep it",
                redact(&value)
            ),
        )
        .value_class(class)
        .help(format!(
            "create it from a file kept out of git (`docker secret create {name} ./secrets/{name}.txt`) or from a variable set outside the script (`printf '%s' \"$VALUE\" | docker secret create {name} -`); then rotate it"
        ))
        .anchor(format!("script docker secret create {name}"))
        .secret(span),
    );
}

fn check_script(doc: &ScriptDoc, source: &str, out: &mut Vec<Finding>) {
    for segment in &doc.segments {
        let text = segment.text(source);
        if !text.contains("secret") {
            continue;
        }
        for chunk in chunks(text) {
            check_commands(doc, source, segment, &chunk, out);
        }
    }
}

/// [`check_script`] on one run of parsed shell text.
fn check_commands(
    doc: &ScriptDoc,
    source: &str,
    segment: &Segment,
    chunk: &Chunk<'_>,
    out: &mut Vec<Finding>,
) {
    let (text, base, commands) = (chunk.text, chunk.base, &chunk.commands);
    // The first command of the pipeline each command is in (one pass: a pipeline of
    // thousands of commands costs no walk back per command).
    let mut pipeline_start = Vec::with_capacity(commands.len());
    for j in 0..commands.len() {
        let start = match j.checked_sub(1) {
            Some(p) if commands[p].piped => pipeline_start[p],
            _ => j,
        };
        pipeline_start.push(start);
    }
    let mut reported = None;
    for (j, cmd) in commands.iter().enumerate() {
        let Some(inv) = invocation(&cmd.words) else {
            continue;
        };
        if inv.action != Action::SecretCreate {
            continue;
        }
        let args_start = cmd.words.len().saturating_sub(inv.args.len());
        let here = here_string_at(text, cmd).filter(|h| *h >= args_start);
        let own = cmd
            .words
            .get(args_start..here.unwrap_or(cmd.words.len()))
            .unwrap_or_default();
        let positional = positionals(own);
        let Some(name) = positional.first().map(|w| w.value.as_str()) else {
            continue;
        };
        if let Some(h) = here {
            let words = cmd.words.get(h..h + 1).unwrap_or_default();
            finding(
                doc,
                source,
                segment,
                base,
                name,
                "a here-string",
                words,
                out,
            );
            continue;
        }
        let from_file = positional.get(1).is_some_and(|f| f.value != "-");
        if from_file || cmd.redirects.iter().any(|r| r.op.starts_with('<')) {
            continue;
        }
        // Fed by a pipeline: its first command is what writes the value.
        if j == 0 || !commands[j - 1].piped {
            continue;
        }
        // One value, one finding: a pipeline feeding several commands is reported once.
        let k = pipeline_start[j];
        if reported == Some(k) {
            continue;
        }
        reported = Some(k);
        if let Some((feeder, words)) = commands.get(k).and_then(written_words) {
            let feeder = format!("`{feeder}`");
            finding(doc, source, segment, base, name, &feeder, words, out);
        }
    }
}

impl Rule for SecretPipedIntoDockerSecret {
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
    use crate::rules::support::testing::{findings, run};

    #[test]
    fn fires_on_echo_printf_and_here_strings() {
        let found = run(
            &[(
                "swarm.sh",
                "#!/bin/sh\nset -eu\necho \"Sw4rm-Db-83kQz\" | docker secret create db_password -\nprintf '%s' 'Api-Tk-92xQ' | docker secret create api_token -\necho -n Rd-Pw-77qx |\n  tr -d '\\n' | docker secret create redis_password -\ndocker secret create jwt_key - <<< \"Jwt-Key-61pZ\"\nprintf 'Sm-Pw-55wQ\\n' | docker secret create -l env=prod smtp_password -\n",
            )],
            "SH002",
        );
        assert_eq!(
            found,
            [
                "swarm.sh:3",
                "swarm.sh:4",
                "swarm.sh:5",
                "swarm.sh:7",
                "swarm.sh:8"
            ]
        );
    }

    #[test]
    fn the_span_is_the_value() {
        let text = "echo \"Sw4rm-Db-83kQz\" | docker secret create db -\n";
        let f = findings(&[("s.sh", text)], "SH002");
        assert_eq!(f.len(), 1);
        assert_eq!(&text[f[0].span.range()], "Sw4rm-Db-83kQz");
        assert!(!f[0].message.contains("Sw4rm-Db-83kQz"));
    }

    #[test]
    fn quiet_on_files_variables_and_commands() {
        let found = run(
            &[(
                "swarm.sh",
                "docker secret create db_password ./secrets/db.txt\ndocker secret create db2 - < secrets/db2.txt\necho \"$DB_PASSWORD\" | docker secret create db3 -\nopenssl rand -base64 32 | docker secret create db4 -\necho \"$(pwgen 32 1)\" | docker secret create db5 -\ndocker secret create db6 - <<< \"$PW\"\necho done; docker secret create db7 secrets/x\necho hello | grep h\ndocker secret ls\n",
            )],
            "SH002",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn command_substitutions_are_read() {
        let text = "ID=$(echo 'Sw4rm-Db-83kQz' | docker secret create db -)\n";
        let f = findings(&[("s.sh", text)], "SH002");
        assert_eq!(f.len(), 1);
        assert_eq!(&text[f[0].span.range()], "Sw4rm-Db-83kQz");
    }

    #[test]
    fn placeholders_are_warnings() {
        let f = findings(
            &[("s.sh", "echo changeme | docker secret create db -\n")],
            "SH002",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::finding::Severity::Warning);
    }
}
