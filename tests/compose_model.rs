//! Differential test of the project model against Docker Compose itself: for every compose
//! project stowaway forms from the fixtures (the default set, `COMPOSE_FILE`, other files
//! as entry points, overlays, with `include:`, `extends:`, anchors, `<<`, `!reset` and
//! `!override` inside), `docker-compose config --format json` on the same files must give
//! the same top-level secrets (name, source kind, file path), the same services, and the
//! same grants per service (runtime: source, target, uid, gid, mode; build: source,
//! target). Two differences are by design and normalised here: Compose's `config` prints
//! only the top-level secrets some service uses when it interpolates (stowaway keeps every
//! definition, to report the unused ones), and prints a relative long-syntax `target` as written (the
//! Engine mounts it under `/run/secrets/`, which is what stowaway's model says). A secret
//! path holding a variable without a value is unresolved in stowaway (it does not guess;
//! Compose substitutes an empty string). Where Compose refuses a project because a service `refers to undefined
//! secret`, stowaway's model must have that undefined reference too, and CS001 must fire;
//! where Compose accepts it, CS001 must not. Every environment value stowaway knows from
//! the project's files (`.env`, an `include:` entry's `env_file:`) must be the one Compose
//! gives the service.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use stowaway::analysis::Analysis;
use stowaway::compose::{Project, Role, SecretRef};

mod common;
use common::compose_oracle;

/// Folders of compose fixtures: every folder under `tests/fixtures` and `tests/projects`
/// holding a file whose name says compose or stack.
fn fixture_folders() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for top in ["tests/fixtures", "tests/projects"] {
        collect(&root.join(top), &mut out);
    }
    out.sort();
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut has_compose = false;
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            let name = e.file_name().to_string_lossy().into_owned();
            has_compose |= (name.contains("compose") || name.contains("stack"))
                && (name.ends_with(".yml") || name.ends_with(".yaml"));
        }
    }
    // Only case folders (the top of a fixture), not their sub-folders.
    if has_compose
        && dir.parent().and_then(Path::parent).is_some_and(|gp| {
            gp.ends_with("tests/fixtures")
                || gp.ends_with("tests")
                || gp.ends_with("tests/projects")
        })
    {
        out.push(dir.to_path_buf());
    }
}

/// What stowaway's model says about one project, in the shape compared; with `used_only`,
/// only the top-level secrets some service or build uses (as Compose prints them when it
/// interpolates).
fn ours(analysis: &Analysis, project: &Project, used_only: bool) -> Value {
    let used: Vec<&str> = project
        .secret_references()
        .filter_map(|(_, r)| r.source.as_ref().map(|s| s.value.as_str()))
        .collect();
    let mut secrets = BTreeMap::new();
    for def in project
        .secrets
        .iter()
        .filter(|d| !used_only || used.contains(&d.name.as_str()))
    {
        let source = if def.is_external() {
            json!({"external": true})
        } else if let Some(env) = &def.environment {
            json!({"environment": env.value})
        } else if def.source_file.is_some() {
            match stowaway::rules::support::secret_file_path(project, def) {
                Some(Ok(path)) => json!({"file": path.to_string_lossy()}),
                _ => json!({"file": "<unresolved>"}),
            }
        } else {
            json!({})
        };
        secrets.insert(def.name.clone(), source);
    }
    let mut services = BTreeMap::new();
    for service in &project.services {
        let text = |r: &SecretRef| analysis.ws.files.get(r.file).text.clone();
        let runtime: Vec<Value> = service
            .granted_secrets()
            .into_iter()
            .map(|r| {
                let mut v = json!({
                    "source": r.source.as_ref().map(|s| s.value.clone()),
                    "target": r.mount_path(),
                });
                for (key, node) in [("uid", &r.uid), ("gid", &r.gid)] {
                    if let Some(n) = node.as_ref().and_then(|n| n.as_str()) {
                        v[key] = json!(n);
                    }
                }
                if let Some(mode) = r
                    .mode
                    .as_ref()
                    .and_then(|m| stowaway::rules::support::parse_mode(&text(r), m))
                {
                    v["mode"] = json!(format!("{:04o}", mode.bits));
                }
                v
            })
            .collect();
        let build: Vec<Value> = service
            .build_secrets()
            .map(|r| {
                let mut v = json!({"source": r.source.as_ref().map(|s| s.value.clone())});
                if let Some(t) = &r.target {
                    v["target"] = json!(t.value);
                }
                v
            })
            .collect();
        services.insert(
            service.name.clone(),
            json!({"secrets": runtime, "build_secrets": build}),
        );
    }
    json!({"secrets": secrets, "services": services})
}

/// The same shape from `docker-compose config --format json`.
fn theirs(config: &Value) -> Value {
    let mut secrets = BTreeMap::new();
    if let Some(defs) = config["secrets"].as_object() {
        for (name, def) in defs {
            let source = if def["external"].as_bool() == Some(true) {
                json!({"external": true})
            } else if let Some(env) = def["environment"].as_str() {
                json!({"environment": env})
            } else if let Some(file) = def["file"].as_str() {
                json!({"file": file})
            } else {
                json!({})
            };
            secrets.insert(name.clone(), source);
        }
    }
    let mut services = BTreeMap::new();
    if let Some(all) = config["services"].as_object() {
        for (name, service) in all {
            let runtime: Vec<Value> = service["secrets"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|s| {
                            let target = match s["target"].as_str() {
                                Some(t) if !t.starts_with('/') => format!("/run/secrets/{t}"),
                                Some(t) => t.to_owned(),
                                None => String::new(),
                            };
                            let mut v = json!({"source": s["source"], "target": target});
                            for key in ["uid", "gid"] {
                                if let Some(x) = s.get(key) {
                                    v[key] = x.clone();
                                }
                            }
                            // An octal string when interpolating, the number otherwise.
                            match &s["mode"] {
                                Value::Number(n) => {
                                    v["mode"] = json!(format!("{:04o}", n.as_u64().unwrap_or(0)))
                                }
                                Value::Null => {}
                                m => v["mode"] = m.clone(),
                            }
                            v
                        })
                        .collect()
                })
                .unwrap_or_default();
            let build: Vec<Value> = service["build"]["secrets"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|s| {
                            let mut v = json!({"source": s["source"]});
                            if let Some(t) = s.get("target") {
                                v["target"] = t.clone();
                            }
                            v
                        })
                        .collect()
                })
                .unwrap_or_default();
            services.insert(
                name.clone(),
                json!({"secrets": runtime, "build_secrets": build}),
            );
        }
    }
    json!({"secrets": secrets, "services": services})
}

/// Whether the model has a runtime grant of a secret no file of the project defines.
fn undefined_reference(project: &Project) -> bool {
    project.services.iter().any(|s| {
        s.secrets().any(|r| {
            r.source
                .as_ref()
                .is_some_and(|src| !src.value.contains('$') && project.secret(&src.value).is_none())
        })
    })
}

/// The rule (code or prefix) that says what Compose refuses a project for, when stowaway
/// has one: an undefined build secret (CS002), `file` and `environment` both set (CS004),
/// keys or names its schema does not allow under `secrets` (a CS error: CS003, CS008,
/// CS009), a missing env file that nothing explains (EN002; one that is git-ignored is
/// expected to be created on each machine, and not reported).
fn refusal_code(error: &str) -> Option<&'static str> {
    if error.contains("refers to undefined build secret") {
        Some("CS002")
    } else if error.contains("secrets must be a array") {
        Some("CS009")
    } else if error.contains("mutually exclusive") {
        Some("CS004")
    } else if error.contains("secrets") && error.contains("additional properties") {
        Some("CS")
    } else if error.contains("env file") && error.contains("not found") && !ignored(error) {
        Some("EN002")
    } else {
        None
    }
}

/// What comparing projects with Docker Compose found.
#[derive(Default)]
struct Outcome {
    compared: usize,
    /// Environment values compared.
    environment_values: usize,
    refused: Vec<String>,
    failures: Vec<String>,
}

impl Outcome {
    fn finish(self, at_least: usize) {
        eprintln!(
            "compared {} projects ({} environment values) with Docker Compose; {} refused for reasons no rule covers:",
            self.compared,
            self.environment_values,
            self.refused.len()
        );
        for r in &self.refused {
            eprintln!("  {r}");
        }
        assert!(
            self.compared >= at_least,
            "only {} projects compared",
            self.compared
        );
        assert!(self.failures.is_empty(), "{}", self.failures.join("\n"));
    }
}

/// Form the projects of the folder `root` as stowaway does, and compare each with what
/// Docker Compose makes of the same files.
fn compare_folder(root: &Path, label: &str, out: &mut Outcome) {
    let root = root.to_path_buf();
    let mut analysis = Analysis::load(root.clone(), std::slice::from_ref(&root));
    // Compose's verdict on the folder's projects: some refers to an undefined secret;
    // some was refused for another reason (then CS001 is not compared).
    let (mut undefined_somewhere, mut other_refusal) = (false, false);
    // Codes stowaway must report where Compose refuses a project (see `refusal_code`).
    let mut expected: Vec<(&str, String)> = Vec::new();
    analysis.visit_batches(|batch| {
        for project in &batch.projects {
            let files: Vec<PathBuf> = project
                .files
                .iter()
                .filter(|f| matches!(f.role, Role::Base | Role::Overlay))
                .map(|f| batch.ws.files.get(f.file).path.clone())
                .collect();
            let file_refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
            let case = format!(
                "{} {:?}",
                label,
                files
                    .iter()
                    .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
                    .collect::<Vec<_>>()
            );
            let model_undefined = undefined_reference(project);
            let mut interpolated = true;
            let config = match compose_oracle::config(&project.dir, &file_refs, &[], true) {
                Ok(config) => {
                    if model_undefined {
                        out.failures.push(format!(
                            "{case}: stowaway has an undefined secret, Compose accepts it"
                        ));
                    }
                    Some(config)
                }
                Err(e) if e.contains("refers to undefined secret") => {
                    undefined_somewhere = true;
                    if !model_undefined {
                        out.failures.push(format!(
                            "{case}: Compose says {e:?}, stowaway's model has no undefined secret"
                        ));
                    }
                    None
                }
                Err(e) => {
                    other_refusal = true;
                    match refusal_code(&e) {
                        Some(code) => expected.push((code, format!("{case}: {e}"))),
                        None => out.refused.push(format!("{case}: {e}")),
                    }
                    // The model is still compared, read as written.
                    interpolated = false;
                    compose_oracle::config(&project.dir, &file_refs, &[], false).ok()
                }
            };
            let Some(config) = config else {
                continue;
            };
            out.compared += 1;
            let (a, mut b) = (ours(batch, project, interpolated), theirs(&config));
            // Unresolved secret paths: stowaway does not guess.
            for (name, def) in a["secrets"].as_object().into_iter().flatten() {
                if def["file"] == "<unresolved>" {
                    b["secrets"][name] = def.clone();
                }
            }
            if a != b {
                out.failures
                    .push(format!("{case}\n  stowaway: {a}\n  compose:  {b}"));
            }
            // What a service's environment gets from the project's `.env` and the
            // `env_file:` of `include:` entries, where stowaway knows it.
            for service in project.services.iter().filter(|_| interpolated) {
                for var in service.effective_environment() {
                    let Some(value) = project.env_value_from_files(var) else {
                        continue;
                    };
                    let given = &config["services"][&service.name]["environment"][&var.name];
                    // `config` writes a literal `$` back as `$$`.
                    let given_value = given.as_str().map(|v| v.replace("$$", "$"));
                    if given_value.as_deref() != Some(value.as_str()) {
                        out.failures.push(format!(
                            "{case}: service {} variable {}: stowaway {value:?}, compose {given}",
                            service.name, var.name
                        ));
                    }
                    out.environment_values += 1;
                }
            }
        }
    });
    let mut analysis = Analysis::load(root.clone(), std::slice::from_ref(&root));
    let findings = analysis.check();
    for (code, why) in expected {
        if !findings.iter().any(|f| f.code.starts_with(code)) {
            out.failures
                .push(format!("{why}: stowaway reports no {code}"));
        }
    }
    let cs001 = findings.iter().any(|f| f.code == "CS001");
    if !other_refusal && cs001 != undefined_somewhere {
        out.failures.push(format!(
            "{}: CS001 fired: {cs001}, Compose refuses a project for an undefined secret: {undefined_somewhere}",
            label
        ));
    }
}

/// Whether the env file a Compose error names is git-ignored (a `.gitignore` of its folder
/// or the folders above names it).
fn ignored(error: &str) -> bool {
    let Some(path) = error
        .split_whitespace()
        .find(|w| w.starts_with('/') && w.ends_with(".env"))
    else {
        return false;
    };
    let path = Path::new(path);
    path.ancestors().skip(1).any(|dir| {
        let mut builder = ignore::gitignore::GitignoreBuilder::new(dir);
        builder.add(dir.join(".gitignore")).is_none()
            && builder
                .build()
                .is_ok_and(|m| m.matched_path_or_any_parents(path, false).is_ignore())
    })
}

#[test]
fn model_matches_docker_compose_on_every_fixture_project() {
    require_compose!();
    let mut out = Outcome::default();
    for folder in fixture_folders() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("project");
        common::copy_dir(
            &folder,
            &root,
            &["expected.txt", "expected-files.txt", "git-add.txt"],
        );
        compare_folder(&root, &folder.display().to_string(), &mut out);
    }
    out.finish(60);
}

/// A small deterministic generator (xorshift64*), so that the corpus is the same on every
/// run and a failing case can be named by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const NAMES: &[&str] = &[
    "db_password",
    "api_key",
    "tls_key",
    "smtp_password",
    "jwt_secret",
];

/// One grant, short or long syntax, of `name`.
fn grant(rng: &mut Rng, name: &str, indent: &str) -> String {
    if rng.chance(50) {
        return format!("{indent}- {name}\n");
    }
    let mut out = format!("{indent}- source: {name}\n");
    let pad = format!("{indent}  ");
    match rng.below(4) {
        0 => out.push_str(&format!("{pad}target: {name}_file\n")),
        1 => out.push_str(&format!("{pad}target: /etc/app/{name}\n")),
        _ => {}
    }
    if rng.chance(30) {
        out.push_str(&format!("{pad}uid: \"1000\"\n{pad}gid: \"1000\"\n"));
    }
    if rng.chance(40) {
        let mode = rng.pick(&["0440", "0400", "\"0440\"", "288"]);
        out.push_str(&format!("{pad}mode: {mode}\n"));
    }
    out
}

/// A project: a base file with anchors and `<<` merges, and maybe an override (appending,
/// `!reset`, `!override`), an `include:`d file, an overlay named otherwise, `extends:`,
/// build secrets, and now and then a grant of a secret nobody defines.
fn generated_project(seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let defined: Vec<&str> = NAMES.iter().copied().filter(|_| rng.chance(70)).collect();
    let defined = if defined.is_empty() {
        vec!["db_password"]
    } else {
        defined
    };
    let some = |rng: &mut Rng| -> &str {
        if rng.chance(8) {
            "not_defined_anywhere"
        } else {
            defined[rng.below(defined.len())]
        }
    };
    let mut files = Vec::new();
    let mut base = String::new();
    let anchored = rng.chance(40);
    if anchored {
        base.push_str("x-app: &app\n  restart: unless-stopped\n  secrets:\n");
        let name = some(&mut rng);
        base.push_str(&grant(&mut rng, name, "    "));
    }
    base.push_str("services:\n");
    let services = ["web", "worker", "db"];
    let count = 1 + rng.below(3);
    for service in &services[..count] {
        base.push_str(&format!("  {service}:\n"));
        if anchored && rng.chance(50) {
            base.push_str("    <<: *app\n");
        }
        if rng.chance(30) {
            base.push_str("    build:\n      context: .\n      secrets:\n");
            let name = some(&mut rng);
            base.push_str(&grant(&mut rng, name, "        "));
        } else {
            base.push_str("    image: registry.example.com/app:1\n");
        }
        if rng.chance(70) {
            base.push_str("    secrets:\n");
            for _ in 0..1 + rng.below(3) {
                let name = some(&mut rng);
                base.push_str(&grant(&mut rng, name, "      "));
            }
        }
    }
    if rng.chance(20) {
        base.push_str("  web-copy:\n    extends: web\n");
    }
    let include = rng.chance(30);
    if include {
        base = format!("include:\n  - inc/extra.compose.yaml\n{base}");
        files.push((
            "inc/extra.compose.yaml".to_owned(),
            "services:\n  sidecar:\n    image: busybox\n    secrets: [included_token]\nsecrets:\n  included_token:\n    file: ./included_token.txt\n".to_owned(),
        ));
    }
    base.push_str("secrets:\n");
    for name in &defined {
        match rng.below(3) {
            0 => base.push_str(&format!("  {name}:\n    file: ./secrets/{name}.txt\n")),
            1 => base.push_str(&format!(
                "  {name}:\n    environment: {}\n",
                name.to_uppercase()
            )),
            _ => base.push_str(&format!("  {name}:\n    external: true\n")),
        }
    }
    files.push(("compose.yaml".to_owned(), base));
    for (file, chance) in [
        ("compose.override.yaml", 50),
        ("docker-compose.extra.yml", 30),
    ] {
        if !rng.chance(chance) {
            continue;
        }
        let service = services[rng.below(count)];
        let mut text = format!("services:\n  {service}:\n");
        match rng.below(3) {
            0 => text.push_str("    secrets: !reset []\n"),
            1 => {
                text.push_str("    secrets: !override\n");
                let name = some(&mut rng);
                text.push_str(&grant(&mut rng, name, "      "));
            }
            _ => {
                text.push_str("    secrets:\n");
                let name = some(&mut rng);
                text.push_str(&grant(&mut rng, name, "      "));
            }
        }
        if rng.chance(30) {
            text.push_str("secrets:\n  override_only:\n    environment: OVERRIDE_ONLY\n");
        }
        files.push((file.to_owned(), text));
    }
    files
}

#[test]
fn model_matches_docker_compose_on_a_generated_corpus() {
    require_compose!();
    let mut out = Outcome::default();
    for seed in 1..=150 {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("project");
        for (path, text) in generated_project(seed) {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        compare_folder(&root, &format!("generated seed {seed}"), &mut out);
    }
    out.finish(120);
}
