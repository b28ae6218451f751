//! Every finding on real projects has a verdict. `../shared/realworld/` holds unmodified
//! container files from public repositories; each repository is copied into a temporary
//! git repository with everything committed (as the real one has it), and
//! `stowaway check .` runs over all of them. `tests/realworld/verdicts.tsv` holds one line
//! per finding: path, line, code, severity, and the verdict of a person who read the file
//! (`right`, `wrong`, `duplicate`) with the reason.
//!
//! The test fails when a finding appears without a verdict, when a judged finding
//! disappears, or when its severity changes (the verdict was about the other one), so a
//! change of behaviour on real projects is always looked at. It prints the precision
//! (right / reported) per code and overall, and fails below the floor reached so far.
//!
//! `UPDATE_VERDICTS=1 cargo test --test realworld` rewrites the file: verdicts kept where
//! the finding stays, `unjudged` for new findings (judge them by hand), vanished ones
//! dropped.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

mod common;
use common::{copy_dir, git, stowaway};

/// The overall precision reached so far; lower is a regression.
const PRECISION_FLOOR: f64 = 0.98;
/// The floor for every code with at least [`CODE_FLOOR_FROM`] findings (issue 11's bar).
const CODE_FLOOR: f64 = 0.90;
const CODE_FLOOR_FROM: usize = 5;

type Key = (String, u64, String);

struct Verdict {
    severity: String,
    verdict: String,
    reason: String,
}

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld");
    dir.is_dir().then_some(dir)
}

fn verdicts_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realworld/verdicts.tsv")
}

fn read_verdicts() -> BTreeMap<Key, Verdict> {
    let text = std::fs::read_to_string(verdicts_path()).unwrap_or_default();
    let mut out = BTreeMap::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 6, "verdicts.tsv: {line}");
        let key = (
            cols[0].to_owned(),
            cols[1].parse().expect("line number"),
            cols[2].to_owned(),
        );
        out.insert(
            key,
            Verdict {
                severity: cols[3].to_owned(),
                verdict: cols[4].to_owned(),
                reason: cols[5].to_owned(),
            },
        );
    }
    out
}

/// The findings on the corpus, each repository committed in a git repository of its own.
fn findings(corpus: &Path) -> Vec<(Key, String)> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("realworld");
    std::fs::create_dir_all(&root).expect("mkdir");
    for entry in std::fs::read_dir(corpus).expect("corpus") {
        let entry = entry.expect("entry");
        if !entry.file_type().expect("type").is_dir() {
            continue;
        }
        let repo = root.join(entry.file_name());
        copy_dir(&entry.path(), &repo, &[]);
        git(&repo, &["init", "-q"]);
        git(&repo, &["add", "-A", "-f"]);
        git(
            &repo,
            &[
                "-c",
                "user.name=stowaway-tests",
                "-c",
                "user.email=tests@stowaway.invalid",
                "commit",
                "-q",
                "-m",
                "corpus",
            ],
        );
    }
    let out = stowaway()
        .current_dir(&root)
        .args(["check", "--format", "json", "--exit-zero", "."])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        json["errors"].as_array().map(Vec::len),
        Some(0),
        "{}",
        json["errors"]
    );
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let key = (
                f["path"].as_str().unwrap_or("").to_owned(),
                f["start"]["line"].as_u64().unwrap_or(0),
                f["code"].as_str().unwrap_or("").to_owned(),
            );
            (key, f["severity"].as_str().unwrap_or("").to_owned())
        })
        .collect()
}

#[test]
fn every_finding_on_real_projects_has_a_verdict() {
    let Some(corpus) = corpus() else {
        eprintln!(
            "SKIPPED: ../shared/realworld is not here; the real-project verdicts are not checked"
        );
        return;
    };
    let found = findings(&corpus);
    let verdicts = read_verdicts();
    if std::env::var_os("UPDATE_VERDICTS").is_some() {
        let mut text = String::from("path\tline\tcode\tseverity\tverdict\treason\n");
        for ((path, line, code), severity) in &found {
            let key = (path.clone(), *line, code.clone());
            let (verdict, reason) = match verdicts.get(&key) {
                Some(v) if &v.severity == severity => (v.verdict.as_str(), v.reason.as_str()),
                _ => ("unjudged", "-"),
            };
            text.push_str(&format!(
                "{path}\t{line}\t{code}\t{severity}\t{verdict}\t{reason}\n"
            ));
        }
        std::fs::write(verdicts_path(), text).expect("write verdicts");
        return;
    }
    let mut problems = Vec::new();
    let mut per_code: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let reported: HashMap<&Key, &String> = found.iter().map(|(k, s)| (k, s)).collect();
    for ((path, line, code), severity) in &found {
        let key = (path.clone(), *line, code.clone());
        match verdicts.get(&key) {
            None => problems.push(format!("no verdict: {code} {severity} {path}:{line}")),
            Some(v) if &v.severity != severity => problems.push(format!(
                "severity changed ({} -> {severity}), judge again: {code} {path}:{line}",
                v.severity
            )),
            Some(v) if v.verdict == "unjudged" => {
                problems.push(format!("unjudged: {code} {path}:{line}"))
            }
            Some(v) => {
                let entry = per_code.entry(code.clone()).or_default();
                entry.0 += 1;
                entry.1 += usize::from(v.verdict == "right");
            }
        }
    }
    for ((path, line, code), v) in &verdicts {
        if !reported.contains_key(&(path.clone(), *line, code.clone())) {
            problems.push(format!(
                "judged finding gone ({}: {}): {code} {path}:{line}",
                v.verdict, v.reason
            ));
        }
    }
    let (total, right) = per_code
        .values()
        .fold((0, 0), |(t, r), (n, k)| (t + n, r + k));
    eprintln!("precision on ../shared/realworld (right / reported):");
    for (code, (n, k)) in &per_code {
        eprintln!("  {code}: {k}/{n} = {:.1}%", 100.0 * *k as f64 / *n as f64);
    }
    let precision = right as f64 / total.max(1) as f64;
    eprintln!("  all: {right}/{total} = {:.1}%", 100.0 * precision);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        precision >= PRECISION_FLOOR,
        "precision {precision:.3} below the floor {PRECISION_FLOOR}"
    );
    for (code, (n, k)) in &per_code {
        let p = *k as f64 / *n as f64;
        assert!(
            *n < CODE_FLOOR_FROM || p >= CODE_FLOOR,
            "{code}: precision {p:.3} on {n} findings, below {CODE_FLOOR}"
        );
    }
}
