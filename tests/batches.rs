//! A run checks compose projects a batch at a time (so memory stays flat on large trees):
//! the findings must not depend on how the files fall into batches.

mod common;

use std::path::Path;

use stowaway::analysis::Analysis;

/// Every finding of a run, with everything a renderer shows.
fn findings(root: &Path, sizes: Option<(usize, usize)>) -> Vec<String> {
    let mut analysis = Analysis::load(root.to_path_buf(), &[root.to_path_buf()]);
    if let Some((projects, files)) = sizes {
        analysis = analysis.with_batch_sizes(projects, files);
    }
    let found = analysis.check();
    found
        .iter()
        .map(|f| {
            let file = analysis.ws.files.get(f.file);
            format!(
                "{} {}:{}..{} {} {:?}",
                f.code, file.display, f.span.start, f.span.end, f.message, f.secret
            )
        })
        .collect()
}

fn same_in_every_batching(root: &Path) -> Vec<String> {
    let whole = findings(root, Some((usize::MAX, usize::MAX)));
    for sizes in [None, Some((1, 1)), Some((2, 3))] {
        assert_eq!(findings(root, sizes), whole, "batch sizes {sizes:?}");
    }
    whole
}

#[test]
fn every_fixture_together_gives_the_same_findings_in_batches_of_one() {
    let (_tmp, root) = common::git_copy("fixtures", &[]);
    let found = same_in_every_batching(&root);
    assert!(found.len() > 100, "only {} findings", found.len());
}

/// One Dockerfile built by projects that land in different batches: each project's
/// builds are checked against it, and its own findings are reported once.
#[test]
fn a_dockerfile_shared_by_projects_of_two_batches() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let write = |path: &str, text: &str| {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "shared/Dockerfile",
        "FROM node:22\nENV API_TOKEN=Tq8vLm2Xc9Rw4Zp7\nCOPY db_password.txt /app/\n\
         RUN --mount=type=secret,id=npmrc,required=true,target=/root/.npmrc npm ci\n",
    );
    write("shared/db_password.txt", "Vr7-kQ2m-Zx9p\n");
    write(
        "shared/id_ed25519",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n",
    );
    // `a` grants the build secret and defines the secret file `shared/db_password.txt`.
    write(
        "a/compose.yaml",
        "services:\n  web:\n    build:\n      context: ../shared\n      secrets: [npmrc]\n\
         secrets:\n  npmrc:\n    file: ./npmrc\n  db_password:\n    file: ../shared/db_password.txt\n",
    );
    write("a/npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n");
    // `b` builds the same Dockerfile without granting it.
    write(
        "b/compose.yaml",
        "services:\n  worker:\n    build: ../shared\n",
    );
    // A broad copy in a Dockerfile both projects build, each with its own secret file.
    write("ctx/Dockerfile", "FROM alpine\nCOPY . /src\n");
    write("ctx/a_token.txt", "Qm8-vT2x-Lp9w\n");
    write("ctx/b_token.txt", "Zr4-kW7q-Hs2n\n");
    write(
        "a/compose.ctx.yaml",
        "services:\n  copier:\n    build: ../ctx\nsecrets:\n  a_token:\n    file: ../ctx/a_token.txt\n",
    );
    write(
        "b/compose.ctx.yaml",
        "services:\n  copier:\n    build: ../ctx\nsecrets:\n  b_token:\n    file: ../ctx/b_token.txt\n",
    );
    // Dockerfiles and env files no project uses.
    write(
        "tools/Dockerfile",
        "FROM alpine\nARG GITHUB_TOKEN=ghp_R8sWq1Ab3Cd5Ef7Gh9Ij0Kl2Mn4Op6Qr8St\n",
    );
    write("tools/Dockerfile.dev", "FROM alpine\nCOPY run.sh /\n");
    write("tools/.env", "DB_PASSWORD=Kx93-pLm2-Qw8z\n");
    let found = same_in_every_batching(root);
    let codes = |code: &str, path: &str| {
        found
            .iter()
            .filter(|f| f.starts_with(&format!("{code} {path}:")))
            .count()
    };
    // The Dockerfile's own findings, once each.
    assert_eq!(codes("DF001", "shared/Dockerfile"), 1, "{found:#?}");
    assert_eq!(codes("DF003", "shared/Dockerfile"), 1, "{found:#?}");
    // `b` builds it without the secret it mounts; `a` grants it.
    let xr001: Vec<&String> = found.iter().filter(|f| f.starts_with("XR001 ")).collect();
    assert_eq!(xr001.len(), 1, "{found:#?}");
    assert!(xr001[0].contains("service `worker`"), "{xr001:?}");
    // The key in its context is reported where each project builds it, not as if the
    // Dockerfile were built on its own.
    assert_eq!(codes("XR005", "a/compose.yaml"), 1, "{found:#?}");
    assert_eq!(codes("XR005", "b/compose.yaml"), 1, "{found:#?}");
    assert_eq!(codes("XR005", "shared/Dockerfile"), 0, "{found:#?}");
    // The broad copy: one finding, naming the first project's secret file.
    let xr004: Vec<&String> = found
        .iter()
        .filter(|f| f.starts_with("XR004 ctx/"))
        .collect();
    assert_eq!(xr004.len(), 1, "{found:#?}");
    assert!(xr004[0].contains("a_token.txt"), "{xr004:?}");
    // The files no project uses are checked too.
    assert_eq!(codes("DF002", "tools/Dockerfile"), 1, "{found:#?}");
    assert_eq!(codes("EN001", "tools/.env"), 1, "{found:#?}");
    // Both Dockerfiles of `tools/` send `tools/.env`: one report for the folder.
    let tools = found.iter().filter(|f| f.starts_with("XR005 tools/"));
    assert_eq!(tools.count(), 1, "{found:#?}");
}
