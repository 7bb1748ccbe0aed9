//! One row of any source (CSV record, JSON line, spreadsheet row) as the loader sees it.

use super::records::Record;

/// A row of text cells with the line (or spreadsheet row) it came from.
pub trait Row {
    /// The 1-based line or row number.
    fn line(&self) -> u64;
    /// The number of cells.
    fn len(&self) -> usize;
    /// Cell `i`, or `""` past the end.
    fn get(&self, i: usize) -> &str;
    /// Whether there are no cells.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether every cell is blank.
    fn is_blank(&self) -> bool {
        (0..self.len()).all(|i| self.get(i).trim().is_empty())
    }
    /// The cells as owned strings.
    fn to_strings(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.get(i).to_string()).collect()
    }
}

impl Row for Record<'_> {
    fn line(&self) -> u64 {
        self.line
    }
    fn len(&self) -> usize {
        Record::len(self)
    }
    fn get(&self, i: usize) -> &str {
        Record::get(self, i)
    }
    fn is_blank(&self) -> bool {
        Record::is_blank(self)
    }
}

/// A row that owns its cells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnedRow {
    /// The 1-based line or row number.
    pub line: u64,
    /// The cells.
    pub cells: Vec<String>,
}

impl Row for OwnedRow {
    fn line(&self) -> u64 {
        self.line
    }
    fn len(&self) -> usize {
        self.cells.len()
    }
    fn get(&self, i: usize) -> &str {
        self.cells.get(i).map_or("", String::as_str)
    }
}
