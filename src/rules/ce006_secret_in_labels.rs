//! What it finds: a label with a secret-like key and a literal value, in a service's
//! `labels:` (map or list form), its `build.labels` or its `deploy.labels`.
//!
//! Why it matters: labels are metadata, meant to be read: `docker inspect`, `docker ps
//! --format`, the Docker API and every tool with access to the socket (reverse proxies,
//! monitoring agents) show them to anyone; `build.labels` are baked into the image and
//! travel with it to every registry.
//!
//! Not reported: values taken from variables (`${X}`; a literal default is CE002),
//! booleans, and keys that are not secret-like (`traefik.http.routers.api.rule`,
//! `com.example.auth-mode`).
//!
//! Example:
//! ```yaml
//! services:
//!   api:
//!     labels:
//!       com.example.webhook-secret: wh_4Tq8Lm2Zx91Kd
//! ```
//!
//! Fix: keep secrets out of labels; give them to the service as a compose secret and to
//! other tools through their own secret store. Rotate the value.

use super::ce_support::{has_reference, scalar_span};
use super::{Rule, RuleInfo};
use crate::analysis::Analysis;
use crate::compose::env_vars;
use crate::detect::classify::{
    ValueClass, classify_value, dsn_may_hold_secret, redact, secret_name_reason,
};
use crate::finding::{Finding, Severity};
use crate::yaml::Node;

pub struct SecretInLabels;

pub static INFO: RuleInfo = RuleInfo {
    code: "CE006",
    name: "secret-in-labels",
    severity: Severity::Warning,
    source: include_str!("ce006_secret_in_labels.rs"),
};

impl Rule for SecretInLabels {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, analysis: &Analysis, out: &mut Vec<Finding>) {
        for project in &analysis.projects {
            for service in &project.services {
                for part in &service.parts {
                    let mut places: Vec<(&str, &Node)> = Vec::new();
                    if let Some(l) = part.node.get("labels") {
                        places.push(("labels", l));
                    }
                    if let Some(l) = part.build.as_ref().and_then(|b| b.node.get("labels")) {
                        places.push(("build.labels", l));
                    }
                    if let Some(l) = part.node.get("deploy").and_then(|d| d.get("labels")) {
                        places.push(("deploy.labels", l));
                    }
                    let src = &analysis.ws.files.get(part.file).text;
                    for (place, node) in places {
                        for label in env_vars(part.file, src, node) {
                            let Some(value) = &label.value else {
                                continue;
                            };
                            let Some(reason) = secret_name_reason(&label.name) else {
                                continue;
                            };
                            let class = classify_value(value);
                            if has_reference(value)
                                || !matches!(class, ValueClass::Literal | ValueClass::Placeholder)
                            {
                                continue;
                            }
                            if reason == "dsn" && !dsn_may_hold_secret(value) {
                                continue;
                            }
                            let span = if label.list_form {
                                label.value_span.unwrap_or(label.name_span)
                            } else {
                                scalar_span(src, &label.node)
                            };
                            out.push(
                                Finding::new(
                                    &INFO,
                                    part.file,
                                    span,
                                    format!(
                                        "label `{}` ({reason}) of service `{}` holds a literal value (`{}`); labels are readable by anyone who can inspect the container{}",
                                        label.name,
                                        service.name,
                                        redact(value.trim()),
                                        if place == "build.labels" {
                                            " and are baked into the image"
                                        } else {
                                            ""
                                        }
                                    ),
                                )
                                .value_class(class)
                                .help("keep secrets out of labels: give the service a compose secret instead, and rotate the value")
                                .anchor(format!(
                                    "services.{}.{place}.{}",
                                    service.name, label.name
                                ))
                                .secret(span),
                            );
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::support::testing::{messages, run};

    fn ce006(compose: &str) -> Vec<String> {
        run(&[("compose.yaml", compose)], "CE006")
    }

    #[test]
    fn service_build_and_deploy_labels() {
        let found = ce006(concat!(
            "services:\n",
            "  api:\n",
            "    build:\n",
            "      context: .\n",
            "      labels:\n",
            "        org.example.registry-token: glpat-Zx8q2LmVb7RtY4wQe9Nc\n",
            "    labels:\n",
            "      - com.example.webhook-secret=wh_4Tq8Lm2Zx91Kd\n",
            "      - traefik.enable=true\n",
            "    deploy:\n",
            "      labels:\n",
            "        com.example.api-key: \"9f2c41d07be84a3c\"\n",
        ));
        assert_eq!(
            found,
            ["compose.yaml:6", "compose.yaml:8", "compose.yaml:12"]
        );
    }

    #[test]
    fn references_and_non_secret_keys_do_not_fire() {
        let found = ce006(
            "services:\n  api:\n    labels:\n      com.example.api-key: ${API_KEY}\n      com.example.auth-mode: oidc\n      traefik.http.middlewares.a.basicauth.usersfile: /auth/users\n      com.example.token-ttl: \"3600\"\n      com.example.basic-auth: \"false\"\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn message_is_redacted() {
        let m = messages(
            &[(
                "compose.yaml",
                "services:\n  api:\n    labels:\n      com.example.webhook-secret: wh_4Tq8Lm2Zx91Kd\n",
            )],
            "CE006",
        );
        assert_eq!(m.len(), 1);
        assert!(!m[0].contains("wh_4Tq8Lm2Zx91Kd"));
    }
}
