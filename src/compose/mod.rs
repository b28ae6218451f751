//! Docker Compose: the project model and how it is read.

pub mod interpolate;
mod load;
pub mod model;
pub mod paths;

pub use load::{ComposeReader, env_vars, include_paths, load_project};
pub use model::*;
