//! stowaway: a static analyser for container projects.
//!
//! Data flow: discover → workspace (files read once) → project model (compose, Dockerfile,
//! env files) → rules → findings → render. See `DESIGN.md` in the project's shared notes.

pub mod analysis;
pub mod cli;
pub mod compose;
pub mod config;
pub mod detect;
pub mod discover;
pub mod dockerfile;
pub mod dockerignore;
pub mod docs;
pub mod envfile;
pub mod finding;
pub(crate) mod findings;
pub mod fingerprint;
pub mod git;
pub mod input;
pub mod project;
pub mod read;
pub mod redact;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod timing;
pub mod workspace;
pub mod yaml;
