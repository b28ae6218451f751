//! `stowaway-sarif-check SCHEMA FILE…`: validate SARIF logs (`FILE` or every `*.sarif` in
//! a folder `FILE`) against the JSON schema `SCHEMA`; exit 1 listing every violation. It
//! first checks that the schema rejects known-invalid logs, so a check that cannot fail
//! fails loudly instead.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Value, json};

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn logs(args: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for arg in args {
        let path = PathBuf::from(arg);
        if path.is_dir() {
            let entries = std::fs::read_dir(&path).map_err(|e| format!("{arg}: {e}"))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "sarif"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}

fn run(args: &[String]) -> Result<usize, String> {
    let [schema_path, files @ ..] = args else {
        return Err("usage: stowaway-sarif-check SCHEMA FILE_OR_FOLDER...".to_owned());
    };
    let schema = read_json(Path::new(schema_path))?;
    let validator = jsonschema::validator_for(&schema).map_err(|e| format!("schema: {e}"))?;
    let good = json!({"version": "2.1.0", "runs": []});
    let bad = [
        json!({"version": "2.0.0", "runs": []}),
        json!({"version": "2.1.0", "runs": [{"tool": {}}]}),
        json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
            "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}),
    ];
    if !validator.is_valid(&good) || bad.iter().any(|b| validator.is_valid(b)) {
        return Err("the schema does not tell valid SARIF from invalid".to_owned());
    }
    let files = logs(files)?;
    if files.is_empty() {
        return Err("no SARIF log to check".to_owned());
    }
    let mut problems = Vec::new();
    for file in &files {
        let log = read_json(file)?;
        for e in validator.iter_errors(&log) {
            problems.push(format!("{}: {e} at {}", file.display(), e.instance_path()));
        }
    }
    if problems.is_empty() {
        Ok(files.len())
    } else {
        Err(problems.join("\n"))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(n) => {
            println!("{n} SARIF logs valid");
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("{why}");
            ExitCode::FAILURE
        }
    }
}
