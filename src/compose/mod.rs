//! Docker Compose: the project model and how it is read.

pub mod interpolate;
mod load;
pub mod model;
pub mod paths;

pub use load::{ComposeReader, env_vars, load_project};
pub use model::*;
