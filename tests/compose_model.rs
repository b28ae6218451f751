//! Differential test of the project model against Docker Compose itself: for every compose
//! project stowaway forms from the fixtures (the default set, `COMPOSE_FILE`, other files
//! as entry points, overlays, with `include:`, `extends:`, anchors, `<<`, `!reset` and
//! `!override` inside), `docker-compose config --format json` on the same files must give
//! the same top-level secrets (name, source kind, file path), the same services, and the
//! same grants per service (runtime: source, target, uid, gid, mode; build: source,
//! target). Where Compose refuses a project because a service `refers to undefined
//! secret`, stowaway's model must have that undefined reference too, and CS001 must fire;
//! where Compose accepts it, CS001 must not.

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

/// What stowaway's model says about one project, in the shape compared.
fn ours(analysis: &Analysis, project: &Project) -> Value {
    let mut secrets = BTreeMap::new();
    for def in &project.secrets {
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
            .secrets()
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
                            let mut v = json!({"source": s["source"], "target": s["target"]});
                            for key in ["uid", "gid", "mode"] {
                                if let Some(x) = s.get(key) {
                                    v[key] = x.clone();
                                }
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

#[test]
fn model_matches_docker_compose_on_every_fixture_project() {
    require_compose!();
    let mut compared = 0;
    let mut refused = Vec::new();
    let mut failures = Vec::new();
    for folder in fixture_folders() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("project");
        common::copy_dir(&folder, &root, &["expected.txt", "git-add.txt"]);
        let mut analysis = Analysis::load(root.clone(), std::slice::from_ref(&root));
        // Compose's verdict on the folder's projects: some refers to an undefined secret;
        // some was refused for another reason (then CS001 is not compared).
        let (mut undefined_somewhere, mut other_refusal) = (false, false);
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
                    folder.display(),
                    files
                        .iter()
                        .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
                        .collect::<Vec<_>>()
                );
                let model_undefined = undefined_reference(project);
                match compose_oracle::config(&project.dir, &file_refs, &[], true) {
                    Ok(config) => {
                        compared += 1;
                        let (a, b) = (ours(batch, project), theirs(&config));
                        if a != b {
                            failures.push(format!("{case}\n  stowaway: {a}\n  compose:  {b}"));
                        }
                        if model_undefined {
                            failures.push(format!(
                                "{case}: stowaway has an undefined secret, Compose accepts it"
                            ));
                        }
                    }
                    Err(e) if e.contains("refers to undefined secret") => {
                        undefined_somewhere = true;
                        if !model_undefined {
                            failures.push(format!(
                                "{case}: Compose says {e:?}, stowaway's model has no undefined secret"
                            ));
                        }
                    }
                    Err(e) => {
                        other_refusal = true;
                        refused.push(format!("{case}: {e}"));
                    }
                }
            }
        });
        let mut analysis = Analysis::load(root.clone(), std::slice::from_ref(&root));
        let cs001 = analysis.check().iter().any(|f| f.code == "CS001");
        if !other_refusal && cs001 != undefined_somewhere {
            failures.push(format!(
                "{}: CS001 fired: {cs001}, Compose refuses a project for an undefined secret: {undefined_somewhere}",
                folder.display()
            ));
        }
    }
    eprintln!(
        "compared {compared} projects with Docker Compose; {} refused for other reasons:",
        refused.len()
    );
    for r in &refused {
        eprintln!("  {r}");
    }
    assert!(compared >= 40, "only {compared} projects compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
