//! Renderers: sibling views over the same findings.

pub mod human;
pub mod json;

use crate::analysis::Analysis;
use crate::finding::Finding;

/// What every renderer gets.
pub struct Report<'a> {
    pub analysis: &'a Analysis,
    pub findings: &'a [Finding],
    /// Show secret values in clear (local debugging only).
    pub show_secrets: bool,
}

impl Report<'_> {
    /// Number of files that were read and analysed.
    pub fn file_count(&self) -> usize {
        self.analysis.ws.files.len()
    }
}
