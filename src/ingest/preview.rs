//! A look at a file before loading it: what was detected and proposed, and its first rows.

use super::decode::TextEncoding;
use super::report::FileReport;
use super::{xlsx, FileLoader, Format, LoadOptions, Source, State, SAMPLE_ROWS};
use crate::error::{Error, Result};
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

impl FileLoader {
    /// Fills in the detected encoding and delimiter.
    pub(super) fn describe_text(&mut self) {
        if matches!(self.source, Source::Csv(_) | Source::Jsonl(_) | Source::Undecided(_)) {
            self.report.encoding = self.decoder.encoding().map_or("UTF-8", TextEncoding::label);
            self.report.malformed_text = self.decoder.had_malformed();
        }
        if let Source::Csv(reader) = &self.source {
            self.report.delimiter = (reader.delimiter().unwrap_or(b',') as char).to_string();
        }
    }

    /// A preview of a file from its first bytes (all of them when `complete`): the detected format, encoding,
    /// delimiter, header, kind and proposed roles, and the first rows. A cut-off last line is left out.
    pub fn preview(name: &str, bytes: &[u8], complete: bool, options: &LoadOptions) -> Result<Preview> {
        let format = options.format.unwrap_or_else(|| Format::detect(name, bytes));
        let mut options = options.clone();
        options.format = Some(format);
        let mut loader = FileLoader::new(name, options.clone())?;
        let mut sheets = Vec::new();
        if format == Format::Xlsx {
            sheets = xlsx::sheet_names(bytes)?;
            let (sheet, rows) = xlsx::read_sheet(bytes, options.sheet.as_deref())?;
            loader.report.sheet = Some(sheet);
            loader.report.bytes = bytes.len() as u64;
            loader.push_rows(&rows[..rows.len().min(SAMPLE_ROWS + 1)]).ok();
        } else {
            loader.push(bytes).ok();
            if complete {
                loader.end_of_text();
            } else {
                loader.flush_partial();
            }
        }
        let no_line =
            !complete && format != Format::Xlsx && !bytes.is_empty() && matches!(&loader.state, State::Sampling(s) if s.is_empty());
        loader.settle_now();
        loader.describe_text();
        // The first bytes hold no complete line: say so, rather than showing an empty file.
        let error = if no_line { Some(Error::no_line_end(bytes.len() as f64 / 1_048_576.0)) } else { loader.failure().cloned() };
        Ok(Preview { rows: loader.preview_rows().to_vec(), report: loader.report, sheets, error })
    }
}
