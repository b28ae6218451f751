//! Command-line interface: argument definitions and the commands.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::analysis::Analysis;
use crate::detect::patterns::PatternSet;
use crate::finding::Severity;
use crate::report::{self, Report};
use crate::rules;

/// Static analyser for container projects: finds hardcoded credentials and secrets in
/// environment variables, and checks Compose `secrets:` against Dockerfiles and files.
#[derive(Debug, Parser)]
#[command(name = "stowaway", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check compose files, Dockerfiles, env files and scripts under the given paths.
    #[command(
        after_help = "Exit codes: 0 no finding at or above the fail level; 1 findings at or above it \
(--exit-zero turns this into 0); 2 usage or configuration error, or a file that could not be \
read or parsed (never turned into 0).\n\nExamples:\n  stowaway check\n  stowaway check compose.yaml app/Dockerfile\n  \
stowaway check --format sarif -o stowaway.sarif\n  stowaway check - --stdin-filename compose.yaml < buffer"
    )]
    Check(CheckArgs),
    /// List every rule: code, name and default severity.
    Rules,
    /// Show the documentation of one rule.
    Rule {
        /// Rule code or name, e.g. CS001 or undefined-secret (KT001 or github-personal-access-token for a token format).
        code: String,
    },
    /// Run a language server over stdio: live diagnostics for compose files, Dockerfiles
    /// and env files (unsaved buffers included), fixes and ignore comments as code actions,
    /// rule documentation on hover.
    #[command(
        after_help = "Editors start it themselves; see the README for Neovim, Helix and VS Code. Options the client may pass as initializationOptions: {\"debounceMs\": N} (default 150), the delay between the last keystroke and the check."
    )]
    Server,
    /// Print a shell completion script (e.g. `stowaway completions bash > /etc/bash_completion.d/stowaway`).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): of stowaway, or of one command (`stowaway man check >
    /// stowaway-check.1`). `stowaway man --all DIR` writes every page into DIR.
    Man {
        /// The command whose page to print (check, rules, rule, server, completions, man).
        command: Option<String>,
        /// Write stowaway.1 and one stowaway-COMMAND.1 per command into this folder.
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        all: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or folders to check. Folders are walked (respecting .gitignore); files are
    /// checked whatever their name.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// When to color human output (NO_COLOR is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    /// Lowest severity that makes the run fail (exit code 1) [default: the configuration's
    /// `fail-level`, else warning].
    #[arg(long, value_enum)]
    pub fail_level: Option<FailLevel>,

    /// Exit 0 even when there are findings (errors reading files still exit 2).
    #[arg(long)]
    pub exit_zero: bool,

    /// Show secret values in clear in the source snippets of human output (for local
    /// debugging). Messages and the machine formats (json, sarif, github, gitlab) stay
    /// masked whatever this says: they end up in CI logs and code-scanning alerts.
    #[arg(long)]
    pub show_secrets: bool,

    /// Use this configuration file instead of looking for stowaway.toml / .stowaway.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Ignore every configuration file.
    #[arg(long)]
    pub isolated: bool,

    /// Rules to run, replacing the configuration's `select` and `ignore`: codes or
    /// prefixes (CE, KT, CS007, ALL), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,

    /// Rules to run in addition to those selected.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub extend_select: Vec<String>,

    /// Rules not to run, in addition to the configuration's `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,

    /// Report only findings that are not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings in this baseline file (the secret values are never
    /// written) and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// With `-` among the paths: the path the text read from standard input stands for.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Count findings per code: a table in human and github output, `summary.statistics`
    /// in JSON (SARIF and GitLab reports are unchanged).
    #[arg(long)]
    pub statistics: bool,

    /// Apply the safe fixes (with `--unsafe-fixes`, the others too), then report what
    /// remains. Each fixed file is parsed and checked again before anything is written;
    /// a fix that would break a file, or leave the value it moves in a committed file, is
    /// refused (nothing is written for the files it touches) and the reason printed.
    #[arg(long, conflicts_with_all = ["diff", "write_baseline", "show_files"])]
    pub fix: bool,

    /// Also apply the fixes that need a look (moving a hardcoded secret into a compose
    /// secret, requiring a variable instead of defaulting it), with `--fix` or `--diff`.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print what `--fix` would change as a unified diff (secrets masked) and write
    /// nothing; exit 1 when there is a change, 0 when there is none.
    #[arg(long, conflicts_with_all = ["write_baseline", "show_files"])]
    pub diff: bool,

    /// Where the fix that moves a hardcoded secret into a compose secret keeps the value:
    /// `file`, a git-ignored `./secrets/<name>.txt` read with `file:`; or `env`, the
    /// project's git-ignored `.env`, read with `environment:`.
    #[arg(long, value_enum, value_name = "WHERE", default_value_t = SecretsFrom::File)]
    pub fix_secrets_from: SecretsFrom,

    /// List every file the run would read, one per line as `KIND<TAB>PATH` (kinds:
    /// compose, dockerfile, env, secret, script), including files reached through `include:`,
    /// `extends:`, `env_file:` and `COMPOSE_FILE`; exit 0 without checking.
    #[arg(long)]
    pub show_files: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality report.
    Gitlab,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecretsFrom {
    File,
    Env,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailLevel {
    Error,
    Warning,
    Info,
}

impl FailLevel {
    fn severity(self) -> Severity {
        match self {
            FailLevel::Error => Severity::Error,
            FailLevel::Warning => Severity::Warning,
            FailLevel::Info => Severity::Info,
        }
    }
}

/// Exit codes (see DESIGN.md): 0 clean, 1 findings at or above the fail level, 2 usage,
/// configuration or I/O errors.
pub mod exit {
    pub const CLEAN: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const ERROR: u8 = 2;
}

/// Run the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => {
            let code = check(args);
            crate::timing::report();
            code
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "stowaway", &mut buf);
            print(&String::from_utf8_lossy(&buf))
        }
        Command::Man { command, all } => man(command.as_deref(), all.as_deref()),
        Command::Rules => {
            let mut out = String::new();
            let line = |code: &str, name: &str, severity: Severity, summary: &str| {
                format!("{code:<6} {name:<36} {:<8} {summary}\n", severity.as_str())
            };
            for r in rules::all() {
                let i = r.info();
                if i.code == "KT" {
                    for p in PatternSet::builtin().patterns() {
                        out.push_str(&line(&p.code, &p.name, i.severity, &p.description));
                    }
                } else if r.enabled_by_default() {
                    out.push_str(&line(i.code, i.name, i.severity, &i.summary()));
                } else {
                    let summary = format!("(off unless selected) {}", i.summary());
                    out.push_str(&line(i.code, i.name, i.severity, &summary));
                }
            }
            print(&out)
        }
        Command::Rule { code } => rule_doc(&code),
        Command::Server => crate::server::run(),
    }
}

/// `stowaway rule X`: the documentation of the rule or token format whose code or name is
/// `X` (case-insensitive).
fn rule_doc(wanted: &str) -> u8 {
    let kt = rules::by_code("KT");
    let pattern = PatternSet::builtin()
        .patterns()
        .iter()
        .find(|p| p.code.eq_ignore_ascii_case(wanted) || p.name.eq_ignore_ascii_case(wanted));
    if let (Some(p), Some(kt)) = (pattern, kt) {
        return print(&format!(
            "{} {} ({})\n\n{}.\n\n{}\n",
            p.code,
            p.name,
            kt.info().severity,
            p.description,
            kt.info().doc()
        ));
    }
    if let Some(r) = rules::by_code_or_name(wanted) {
        let i = r.info();
        return print(&format!(
            "{} {} ({})\n\n{}\n",
            i.code,
            i.name,
            i.severity,
            i.doc()
        ));
    }
    let names = rules::all()
        .iter()
        .flat_map(|r| [r.info().code, r.info().name]);
    match rules::support::did_you_mean(wanted, names) {
        Some(close) => eprintln!(
            "error: no rule `{wanted}`; did you mean `{close}`? `stowaway rules` lists them"
        ),
        None => eprintln!("error: no rule `{wanted}`; `stowaway rules` lists them"),
    }
    exit::ERROR
}

/// `stowaway man [COMMAND]`, `stowaway man --all DIR`.
fn man(command: Option<&str>, all: Option<&std::path::Path>) -> u8 {
    let rendered = match (command, all) {
        (_, Some(dir)) => {
            let mut names = vec![None];
            names.extend(
                Cli::command()
                    .get_subcommands()
                    .map(|c| Some(c.get_name().to_owned()))
                    .filter(|n| n.as_deref() != Some("help")),
            );
            for name in names {
                let page = match man_page(name.as_deref()) {
                    Ok(Some(page)) => page,
                    Ok(None) => continue,
                    Err(e) => {
                        eprintln!("error: cannot render the man page: {e}");
                        return exit::ERROR;
                    }
                };
                let file = match &name {
                    Some(n) => format!("stowaway-{n}.1"),
                    None => "stowaway.1".to_owned(),
                };
                if let Err(e) = std::fs::create_dir_all(dir)
                    .and_then(|()| std::fs::write(dir.join(&file), page))
                {
                    eprintln!("error: cannot write {}: {e}", dir.join(&file).display());
                    return exit::ERROR;
                }
                println!("{}", dir.join(&file).display());
            }
            return exit::CLEAN;
        }
        (name, None) => man_page(name),
    };
    match rendered {
        Ok(Some(text)) => print(&text),
        Ok(None) => {
            eprintln!(
                "error: no command `{}`; pages: check, rules, rule, server, completions, man",
                command.unwrap_or_default()
            );
            exit::ERROR
        }
        Err(e) => {
            eprintln!("error: cannot render the man page: {e}");
            exit::ERROR
        }
    }
}

/// The man page of stowaway (`None`) or of one of its commands, rendered from the same
/// clap definition as `--help`; `Ok(None)` for a command that does not exist.
pub fn man_page(command: Option<&str>) -> std::io::Result<Option<String>> {
    let top = Cli::command();
    let page = match command {
        None => top,
        Some(name) => {
            let Some(sub) = top.find_subcommand(name).filter(|_| name != "help") else {
                return Ok(None);
            };
            // `stowaway-check`, as man pages of subcommands are named (git-commit(1)).
            let title = format!("stowaway-{}", sub.get_name());
            sub.clone()
                .name(title.clone())
                .bin_name(format!("stowaway {}", sub.get_name()))
                .version(env!("CARGO_PKG_VERSION"))
                .display_name(title)
        }
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(page).render(&mut buf)?;
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

fn print(text: &str) -> u8 {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`stowaway rules | head`) is not an error worth reporting.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    exit::CLEAN
}

fn check(args: CheckArgs) -> u8 {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot read the working directory: {e}");
            return exit::ERROR;
        }
    };
    if args.fix || args.diff {
        if args.paths.iter().any(|p| crate::input::is_stdin(p)) {
            eprintln!(
                "error: `--fix` and `--diff` work on files on disk, not on standard input (`-`)"
            );
            return exit::ERROR;
        }
        match apply_fixes(&args, &cwd) {
            Err(code) | Ok(Some(code)) => return code,
            Ok(None) => {}
        }
    } else if args.unsafe_fixes {
        eprintln!("warning: `--unsafe-fixes` does nothing without `--fix` or `--diff`");
    }
    if args.show_files {
        let Some((mut analysis, _, _)) = load(&args, cwd, &Default::default()) else {
            return exit::ERROR;
        };
        let mut out = String::new();
        for (kind, path) in analysis.files_to_read() {
            out.push_str(&format!("{kind}\t{path}\n"));
        }
        for e in &analysis.ws.errors {
            eprintln!("error: {}: {}", e.path, e.message);
        }
        return match write_output(args.output.as_deref(), &out) {
            Ok(()) => exit::CLEAN,
            Err(code) => code,
        };
    }
    let Some(prepared) = prepare(&args, cwd, &Default::default()) else {
        return exit::ERROR;
    };
    let (analysis, findings, fail_level, baseline_use) = prepared;
    if let Some(path) = &args.write_baseline {
        let text = crate::suppress::baseline_json(&analysis, &findings, path);
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return exit::ERROR;
        }
        eprintln!(
            "stowaway: recorded {} finding{} in {}",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            path.display()
        );
        return if analysis.ws.errors.is_empty() {
            exit::CLEAN
        } else {
            for e in &analysis.ws.errors {
                eprintln!("error: {}: {}", e.path, e.message);
            }
            exit::ERROR
        };
    }
    let mut warnings = Vec::new();
    if analysis.ws.files.is_empty() && analysis.ws.errors.is_empty() {
        let paths: Vec<String> = args
            .paths
            .iter()
            .map(|p| format!("`{}`", p.display()))
            .collect();
        warnings.push(format!(
            "nothing to check under {}: no compose file, Dockerfile or env file was found (a mistyped path?)",
            paths.join(", ")
        ));
    }
    if let (Some(path), Some(used)) = (&args.baseline, baseline_use)
        && used.hidden == 0
        && used.unmatched > 0
    {
        warnings.push(format!(
            "the baseline {} matched none of the findings ({} entries unmatched): was it written for other files, or from another folder with an older stowaway?",
            path.display(),
            used.unmatched
        ));
    }
    let report = Report {
        analysis: &analysis,
        findings: &findings,
        show_secrets: args.show_secrets,
        statistics: args.statistics,
        warnings,
        baseline: baseline_use,
    };
    let render = crate::timing::phase("render");
    let text = match args.format {
        Format::Human => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    args.output.is_none()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                        && std::io::stdout().is_terminal()
                }
            };
            report::human::render(&report, color)
        }
        Format::Json => report::json::render(&report),
        Format::Sarif => report::sarif::render(&report),
        Format::Github => report::github::render(&report),
        Format::Gitlab => report::gitlab::render(&report),
    };
    drop(render);
    if let Err(code) = write_output(args.output.as_deref(), &text) {
        return code;
    }
    // Warnings about the run go to stderr where the format has no place for them (human
    // output keeps stdout for the report; GitLab's is a list of issues).
    if matches!(args.format, Format::Human | Format::Gitlab) || args.output.is_some() {
        for w in &report.warnings {
            eprintln!("warning: {w}");
        }
    }
    if args.format == Format::Human
        && let (Some(path), Some(used)) = (&args.baseline, baseline_use)
        && used.hidden > 0
    {
        eprintln!(
            "note: the baseline {} hid {} finding{}{}",
            path.display(),
            used.hidden,
            if used.hidden == 1 { "" } else { "s" },
            match used.unmatched {
                0 => String::new(),
                n => format!("; {n} of its entries matched nothing (fixed since?)"),
            }
        );
    }
    // Files that could not be analysed are named on stderr when the report is not on the
    // terminal, or when its format has no place for them (GitLab).
    if args.output.is_some() || args.format == Format::Gitlab {
        for e in &analysis.ws.errors {
            eprintln!("error: {}: {}", e.path, e.message);
        }
    }
    if args.format == Format::Human && args.output.is_none() && analysis.outside_git() {
        eprintln!(
            "note: some checked files are outside a git repository: no file there counts as git-ignored or committed"
        );
    }
    if !analysis.ws.errors.is_empty() {
        return exit::ERROR;
    }
    let failing = findings.iter().any(|f| f.severity >= fail_level);
    if failing && !args.exit_zero {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

/// `stowaway check PATHS…` from `cwd` as a language server runs it: the texts of
/// `overlay` (unsaved buffers) stand in for the files on disk, nothing is printed but
/// configuration errors (on stderr). The error when the configuration cannot be read.
pub fn check_in_memory(
    cwd: &std::path::Path,
    paths: &[PathBuf],
    overlay: &Overlay,
) -> Result<(Analysis, Vec<crate::finding::Finding>), String> {
    let args = check_args(paths).ok_or("the paths cannot be checked")?;
    let (analysis, findings, _, _) = try_prepare(&args, cwd.to_path_buf(), overlay)?;
    Ok((analysis, findings))
}

/// The files compose projects under `paths` read (see [`Analysis::project_files`]).
pub fn project_files(
    cwd: &std::path::Path,
    paths: &[PathBuf],
) -> Option<Vec<Vec<(crate::analysis::ProjectFile, PathBuf)>>> {
    let args = check_args(paths)?;
    let (mut analysis, _, _) = load(&args, cwd.to_path_buf(), &Overlay::default())?;
    Some(analysis.project_files())
}

/// Plan the one fix of the finding `key` ([`crate::fix::fix_key`]), unsafe ones included,
/// as `check --fix` would apply it.
pub fn plan_one_fix(
    cwd: &std::path::Path,
    paths: &[PathBuf],
    overlay: &Overlay,
    key: &str,
) -> Option<crate::fix::Plan> {
    let args = check_args(paths)?;
    let options = crate::fix::Options {
        unsafe_fixes: true,
        only: Some(key.to_owned()),
    };
    crate::fix::plan(options, |o| {
        let mut merged = overlay.clone();
        merged.texts.extend(o.texts.clone());
        merged.writes = o.writes.clone();
        let (analysis, findings, _, _) = prepare(&args, cwd.to_path_buf(), &merged)?;
        Some((analysis, findings))
    })
}

fn check_args(paths: &[PathBuf]) -> Option<CheckArgs> {
    let mut argv: Vec<std::ffi::OsString> = vec!["stowaway".into(), "check".into()];
    argv.extend(paths.iter().map(|p| p.as_os_str().to_owned()));
    match Cli::try_parse_from(argv).ok()?.command {
        Command::Check(args) => Some(args),
        _ => None,
    }
}

/// `--fix` and `--diff`: plan the fixes, then print the diff (`Ok(Some(exit code))`) or
/// write them (`Ok(None)`: the run goes on to report what remains).
fn apply_fixes(args: &CheckArgs, cwd: &std::path::Path) -> Result<Option<u8>, u8> {
    use crate::finding::Applicability;
    let options = crate::fix::Options {
        unsafe_fixes: args.unsafe_fixes,
        only: None,
    };
    let plan = crate::fix::plan(options, |overlay| {
        let (analysis, findings, _, _) = prepare(args, cwd.to_path_buf(), overlay)?;
        Some((analysis, findings))
    })
    .ok_or(exit::ERROR)?;
    for r in &plan.refused {
        eprintln!(
            "stowaway: not fixed in {} ({}: {}): {}",
            r.path, r.code, r.title, r.reason
        );
    }
    let ws = &plan.last.0.ws;
    let hidden = plan
        .last
        .1
        .iter()
        .filter(|f| {
            f.fix
                .as_ref()
                .is_some_and(|x| x.applicability == Applicability::Unsafe)
        })
        .count();
    if !args.unsafe_fixes && hidden > 0 {
        eprintln!(
            "stowaway: {hidden} more fix{} available with `--unsafe-fixes` (see them first with `--diff --unsafe-fixes`)",
            if hidden == 1 { " is" } else { "es are" }
        );
    }
    if args.diff {
        let text = crate::fix::diff::render(&plan, &|p| ws.display(p));
        write_output(args.output.as_deref(), &text)?;
        return Ok(Some(if text.is_empty() {
            exit::CLEAN
        } else {
            exit::FINDINGS
        }));
    }
    if plan.applied.is_empty() {
        return Ok(None);
    }
    match crate::fix::write::write(&plan) {
        Err(e) => {
            eprintln!("error: cannot write {}: {}", ws.display(&e.path), e.message);
            Err(exit::ERROR)
        }
        Ok(written) => {
            let n = plan.applied.len();
            eprintln!(
                "stowaway: applied {n} fix{} ({} file{} written):",
                if n == 1 { "" } else { "es" },
                written.len(),
                if written.len() == 1 { "" } else { "s" }
            );
            for a in &plan.applied {
                eprintln!("  {}: {}", a.code, a.title);
            }
            if plan.passes_ran_out {
                eprintln!(
                    "stowaway: stopped after {} passes (fixes that touch one place are applied one per pass); run `--fix` again for the ones left",
                    crate::fix::MAX_PASSES
                );
            }
            Ok(None)
        }
    }
}

/// Print `text`, or write it to `path`; the exit code when that fails.
fn write_output(path: Option<&std::path::Path>, text: &str) -> Result<(), u8> {
    match path {
        None => {
            print(text);
            Ok(())
        }
        Some(path) => std::fs::write(path, text.as_bytes()).map_err(|e| {
            eprintln!("error: cannot write the report to {}: {e}", path.display());
            exit::ERROR
        }),
    }
}

/// Configuration, input (with standard input), checks, and the suppression steps
/// (inline comments, configuration, baseline). `None` after printing a usage,
/// configuration or baseline error.
fn load(args: &CheckArgs, cwd: PathBuf, overlay: &Overlay) -> Option<Loaded> {
    try_load(args, cwd, overlay)
        .map_err(|message| eprintln!("error: {message}"))
        .ok()
}

/// What [`load`] gives: the input read, the configuration, the baseline.
type Loaded = (
    Analysis,
    std::sync::Arc<crate::config::ConfigSet>,
    Option<crate::suppress::Baseline>,
);

/// [`load`], with the error message instead of printing it.
fn try_load(args: &CheckArgs, cwd: PathBuf, overlay: &Overlay) -> Result<Loaded, String> {
    use crate::config::{ConfigSet, Layer, Overrides, Source};
    use crate::input::is_stdin;

    let fail = |message: String| Err(message);
    let wants_stdin = args.paths.iter().any(|p| is_stdin(p));
    let stdin_path = match (&args.stdin_filename, wants_stdin) {
        (Some(p), true) => Some(p.clone()),
        (None, true) => {
            return fail(
                "reading standard input (`-`) needs `--stdin-filename PATH`: the path the text stands for, which decides what kind of file it is and which project it belongs to".into(),
            );
        }
        (Some(_), false) => {
            return fail(
                "`--stdin-filename` needs `-` among the paths to read standard input".into(),
            );
        }
        (None, false) => None,
    };
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| !is_stdin(p))
        .cloned()
        .collect();
    let overrides = Overrides {
        layer: Layer {
            select: args.select.clone(),
            extend_select: args.extend_select.clone(),
            ignore: args.ignore.clone(),
        },
        fail_level: args.fail_level.map(FailLevel::severity),
    };
    if let Err(e) = overrides.check() {
        return fail(e);
    }
    let roots: Vec<PathBuf> = paths
        .iter()
        .chain(&stdin_path)
        .map(|p| crate::workspace::normalize(&cwd.join(p)))
        .collect();
    let source = match (&args.config, args.isolated) {
        (Some(file), _) => Source::File(file),
        (None, true) => Source::Isolated,
        (None, false) => Source::Discover,
    };
    let config = match ConfigSet::resolve(&cwd, &roots, source, overrides) {
        Ok(c) => std::sync::Arc::new(c),
        Err(e) => return fail(format!("configuration: {e}")),
    };
    let baseline = match &args.baseline {
        Some(path) => match crate::suppress::read_baseline(path) {
            Ok(b) => Some(b),
            Err(e) => return fail(format!("baseline {}: {e}", path.display())),
        },
        None => None,
    };
    let stdin = match stdin_path {
        Some(path) => match crate::input::read_stdin(std::io::stdin().lock()) {
            Ok(text) => Some((path, text)),
            Err(e) => return fail(e),
        },
        None => None,
    };
    let exclude: crate::discover::Exclude = {
        let config = config.clone();
        let cwd = cwd.clone();
        std::sync::Arc::new(move |p: &std::path::Path, is_dir: bool| {
            config.excluded_with(&crate::workspace::normalize(&cwd.join(p)), is_dir)
        })
    };
    let mut analysis = crate::input::load(cwd, &paths, stdin, Some(exclude), &overlay.texts);
    analysis.planned = overlay.writes.clone();
    analysis.fix_secrets_from = match args.fix_secrets_from {
        SecretsFrom::File => crate::fix::SecretsFrom::File,
        SecretsFrom::Env => crate::fix::SecretsFrom::Env,
    };
    // Configuration files met while walking (nearest to each file) are read by now.
    if let Some(e) = config.take_error() {
        return fail(format!("configuration: {e}"));
    }
    analysis.patterns = match leaked_patterns(&config) {
        Ok(p) => p,
        Err(e) => return fail(format!("configuration: {e}")),
    };
    Ok((analysis, config, baseline))
}

/// The token patterns of the configuration's `extra-patterns`, leaked (findings name
/// their KT code with a `&'static str`): once per distinct content of those files, so a
/// language server checking on every keystroke leaks nothing more.
fn leaked_patterns(
    config: &crate::config::ConfigSet,
) -> Result<Option<&'static PatternSet>, crate::config::ConfigError> {
    type Leaked = Vec<(Vec<(PathBuf, String)>, &'static PatternSet)>;
    static LEAKED: std::sync::Mutex<Leaked> = std::sync::Mutex::new(Vec::new());
    let files = config.pattern_files();
    if files.is_empty() {
        return Ok(None);
    }
    let key: Vec<(PathBuf, String)> = files
        .iter()
        .map(|f| (f.clone(), crate::read::read_text(f).unwrap_or_default()))
        .collect();
    let mut leaked = LEAKED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, set)) = leaked.iter().find(|(k, _)| *k == key) {
        return Ok(Some(*set));
    }
    let Some(set) = config.patterns()? else {
        return Ok(None);
    };
    let set: &'static PatternSet = Box::leak(Box::new(set));
    leaked.push((key, set));
    Ok(Some(set))
}

/// Resolve the configuration and the baseline, then discover and read the input.
type Prepared = (
    Analysis,
    Vec<crate::finding::Finding>,
    Severity,
    Option<report::BaselineUse>,
);

use crate::fix::Overlay;

fn prepare(args: &CheckArgs, cwd: PathBuf, overlay: &Overlay) -> Option<Prepared> {
    try_prepare(args, cwd, overlay)
        .map_err(|message| eprintln!("error: {message}"))
        .ok()
}

/// [`prepare`], with the error message instead of printing it.
fn try_prepare(args: &CheckArgs, cwd: PathBuf, overlay: &Overlay) -> Result<Prepared, String> {
    let (mut analysis, config, baseline) = try_load(args, cwd, overlay)?;
    let selection = config.clone();
    analysis.selection = Some(Box::new(move |a, f| selection.apply(a, f)));
    let mut findings = analysis.check();
    let mut used = None;
    // `--write-baseline` records every finding, also those an old baseline accepted.
    if let Some(b) = &baseline
        && args.write_baseline.is_none()
    {
        let (kept, hidden, unmatched) = crate::suppress::apply_baseline(&analysis, b, findings);
        findings = kept;
        used = Some(report::BaselineUse { hidden, unmatched });
    }
    let fail_level = config.fail_level();
    Ok((analysis, findings, fail_level, used))
}
