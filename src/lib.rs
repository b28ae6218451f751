//! stowaway: a static analyser for container projects.
//!
//! Data flow: discover → workspace (files read once) → project model (compose, Dockerfile,
//! env files) → rules → findings → render. See `DESIGN.md` in the project's shared notes.

pub mod analysis;
pub mod cli;
pub mod compose;
pub(crate) mod config;
pub(crate) mod detect;
pub(crate) mod discover;
pub mod dockerfile;
pub(crate) mod dockerignore;
pub mod docs;
pub mod envfile;
pub(crate) mod finding;
pub(crate) mod findings;
pub(crate) mod fingerprint;
pub mod fix;
pub(crate) mod git;
pub(crate) mod input;
pub(crate) mod project;
pub(crate) mod read;
pub mod redact;
pub mod report;
pub mod rules;
pub mod script;
pub mod server;
pub mod source;
pub(crate) mod suppress;
pub(crate) mod timing;
pub(crate) mod workspace;
pub mod yaml;
