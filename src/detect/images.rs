//! Images that read `<VAR>_FILE` variables, from `rules/file-env-images.toml`.
//!
//! An image is matched by its repository name as Docker Hub publishes it: the registry
//! (`docker.io`, `registry.example.com:5000`), the official-image namespaces (`library/`,
//! and the architecture namespaces such as `arm64v8/`), the tag and the digest are
//! ignored, so `postgres:16-alpine`, `docker.io/library/postgres` and
//! `arm64v8/postgres@sha256:…` are all `postgres`. Other namespaces are different images
//! (`bitnami/postgresql`, `myorg/postgres` read other variables, or none); the table names
//! them with their namespace (`n8nio/n8n`, `minio/minio`).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

const TABLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/rules/file-env-images.toml"
));

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    image: Vec<ImageEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageEntry {
    name: String,
    variables: Vec<String>,
    /// Whether the entrypoint refuses to start when both `<VAR>` and `<VAR>_FILE` are set
    /// (the official images' `file_env`); others take one of them.
    #[serde(default = "refuses_both_by_default")]
    exclusive: bool,
}

fn refuses_both_by_default() -> bool {
    true
}

/// What the table says of one image.
struct Reads {
    variables: Vec<String>,
    exclusive: bool,
}

fn table() -> &'static HashMap<String, Reads> {
    static TABLE_MAP: OnceLock<HashMap<String, Reads>> = OnceLock::new();
    TABLE_MAP.get_or_init(|| {
        let parsed: TableFile = toml::from_str(TABLE)
            .unwrap_or_else(|e| panic!("embedded rules/file-env-images.toml is broken: {e}"));
        parsed
            .image
            .into_iter()
            .map(|e| {
                let reads = Reads {
                    variables: e.variables,
                    exclusive: e.exclusive,
                };
                (e.name, reads)
            })
            .collect()
    })
}

/// Namespaces under which Docker Hub publishes the official images.
const OFFICIAL_NAMESPACES: &[&str] = &[
    "library",
    "amd64",
    "arm32v5",
    "arm32v6",
    "arm32v7",
    "arm64v8",
    "i386",
    "mips64le",
    "ppc64le",
    "riscv64",
    "s390x",
    "windows-amd64",
];

/// The official-image repository name of an image reference (`postgres` for
/// `docker.io/library/postgres:16-alpine`), or `None` when it names an image outside the
/// official namespaces or holds interpolation.
pub fn official_name(image: &str) -> Option<String> {
    match names(image)?.as_slice() {
        [name] => Some(name.to_ascii_lowercase()),
        _ => None,
    }
}

/// The repository an image reference names, as the table keys it: the official-image
/// name (`postgres`), or `namespace/name` for other images (`n8nio/n8n` for
/// `docker.n8n.io/n8nio/n8n:1.80`). `None` for interpolated or malformed references.
pub fn repository(image: &str) -> Option<String> {
    match names(image)?.as_slice() {
        [name] => Some(name.to_ascii_lowercase()),
        [namespace, name] => Some(format!("{namespace}/{name}").to_ascii_lowercase()),
        _ => None,
    }
}

/// The path components of an image reference without registry, official namespace, tag
/// and digest: `["postgres"]`, `["n8nio", "n8n"]`. `None` when a component is empty or
/// interpolated (a tag may be: `postgres:${POSTGRES_VERSION}` names `postgres`).
fn names(image: &str) -> Option<Vec<&str>> {
    let image = image.trim();
    let without_digest = image.split('@').next().unwrap_or(image);
    let mut parts: Vec<&str> = without_digest.split('/').collect();
    // The tag is after the last `:` of the last component (a registry port is not).
    if let Some(last) = parts.last_mut()
        && let Some((name, _tag)) = last.split_once(':')
    {
        *last = name;
    }
    if parts.iter().any(|p| p.is_empty() || p.contains('$')) {
        return None;
    }
    // A first component with `.` or `:`, or `localhost`, is a registry.
    if parts.len() > 1 && (parts[0].contains(['.', ':']) || parts[0] == "localhost") {
        parts.remove(0);
    }
    if parts.len() == 2 && OFFICIAL_NAMESPACES.contains(&parts[0]) {
        parts.remove(0);
    }
    Some(parts)
}

/// The variables `<VAR>` that `image` reads as `<VAR>_FILE`, when the image is in the table.
pub fn file_variables(image: &str) -> Option<&'static [String]> {
    table()
        .get(&repository(image)?)
        .map(|r| r.variables.as_slice())
}

/// Whether `image`'s entrypoint refuses to start when both `<VAR>` and `<VAR>_FILE` are
/// set (false when it takes one of them, or is not in the table).
pub fn refuses_both(image: &str) -> bool {
    repository(image)
        .and_then(|r| table().get(&r))
        .is_some_and(|r| r.exclusive)
}

/// Whether `image` reads `<var>_FILE` (so the fix for a secret in `var` is mechanical).
pub fn reads_file_variable(image: &str, var: &str) -> bool {
    file_variables(image).is_some_and(|vars| vars.iter().any(|v| v == var))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_loads_and_has_no_suffixed_names() {
        let t = table();
        assert!(t.len() >= 12, "{}", t.len());
        for (image, reads) in t {
            let vars = &reads.variables;
            assert!(!vars.is_empty(), "{image}");
            for v in vars {
                assert!(!v.ends_with("_FILE"), "{image}: {v}");
                assert!(
                    v.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                    "{image}: {v}"
                );
            }
        }
    }

    #[test]
    fn image_references_are_matched_by_repository_name() {
        for (image, want) in [
            ("postgres", Some("postgres")),
            ("postgres:16-alpine", Some("postgres")),
            ("docker.io/library/postgres:16", Some("postgres")),
            ("library/postgres", Some("postgres")),
            ("index.docker.io/library/mariadb:11.4", Some("mariadb")),
            ("arm64v8/nextcloud:29-apache", Some("nextcloud")),
            ("registry.example.com:5000/mysql:8.4", Some("mysql")),
            (
                "postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                Some("postgres"),
            ),
            ("postgres:16@sha256:abc", Some("postgres")),
            ("MongO:7", Some("mongo")),
            ("bitnami/postgresql:16", None),
            ("myorg/postgres:16", None),
            ("ghcr.io/myorg/postgres", None),
            ("${DB_IMAGE:-postgres}", None),
            ("", None),
        ] {
            assert_eq!(official_name(image).as_deref(), want, "{image}");
        }
    }

    #[test]
    fn file_variables_by_image() {
        let pg = file_variables("postgres:16-alpine").unwrap();
        assert!(pg.iter().any(|v| v == "POSTGRES_PASSWORD"));
        assert!(reads_file_variable("mariadb:11", "MARIADB_ROOT_PASSWORD"));
        assert!(reads_file_variable("mariadb:11", "MYSQL_PASSWORD"));
        assert!(reads_file_variable("percona:8", "MYSQL_ROOT_PASSWORD"));
        assert!(reads_file_variable("wordpress:6", "WORDPRESS_NONCE_SALT"));
        assert!(reads_file_variable("mongo", "MONGO_INITDB_ROOT_PASSWORD"));
        assert!(reads_file_variable("yourls", "YOURLS_DB_PASS"));
        assert!(!reads_file_variable("postgres", "POSTGRES_DB_PASSWORD"));
        assert!(file_variables("redis:7-alpine").is_none());
        assert!(file_variables("bitnami/postgresql").is_none());
    }

    #[test]
    fn images_outside_the_official_namespace_are_matched_with_it() {
        assert_eq!(
            repository("docker.n8n.io/n8nio/n8n:1.80").as_deref(),
            Some("n8nio/n8n")
        );
        assert_eq!(
            repository("minio/minio@sha256:abc").as_deref(),
            Some("minio/minio")
        );
        assert_eq!(repository("postgres:16").as_deref(), Some("postgres"));
        assert_eq!(repository("ghcr.io/acme/api").as_deref(), Some("acme/api"));
        assert_eq!(repository("${IMAGE}"), None);
        assert_eq!(
            repository("postgres:${POSTGRES_IMAGE_TAG}").as_deref(),
            Some("postgres")
        );
        assert_eq!(repository("${REGISTRY}/app:1"), None);
        assert!(reads_file_variable(
            "dpage/pgadmin4:8",
            "PGADMIN_DEFAULT_PASSWORD"
        ));
        assert!(reads_file_variable("pihole/pihole:latest", "WEBPASSWORD"));
        assert!(!reads_file_variable(
            "bitnami/postgresql",
            "POSTGRES_PASSWORD"
        ));
        assert!(refuses_both("postgres:16") && !refuses_both("n8nio/n8n"));
    }
}
