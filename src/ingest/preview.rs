//! A look at a file before loading it: what was detected and proposed, and its first rows.

use super::report::FileReport;
use crate::error::Error;
use serde::Serialize;

/// What [`super::FileLoader::preview`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// Format, encoding, delimiter, header, kind, date order and the proposed role of every column.
    pub report: FileReport,
    /// The first data rows, as text.
    pub rows: Vec<Vec<String>>,
    /// The sheets of a workbook (empty for text files).
    pub sheets: Vec<String>,
    /// Why the file cannot be loaded with this mapping (a required column is missing), if so.
    pub error: Option<Error>,
}
