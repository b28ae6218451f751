//! Secret detection: the name and value classifiers every rule uses, and the catalogue of
//! known token formats.

pub mod classify;
pub mod command;
pub mod comments;
pub mod docker_cli;
pub mod embedded;
pub mod files;
pub mod images;
pub mod patterns;
pub mod url;
