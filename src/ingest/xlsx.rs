//! XLSX workbooks (calamine): sheet names, and a sheet's rows as text cells.
//!
//! A workbook is a zip archive whose directory sits at its end, so it is read whole (spreadsheets are far smaller
//! than CSV exports). Numbers are written back the way Excel shows them: integers without `.0`; dates and times as
//! `YYYY-MM-DD HH:MM:SS`.

use super::row::OwnedRow;
use crate::base::date::Day;
use crate::error::{Error, Result};
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// Whether bytes look like a zip archive (an XLSX file).
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

fn open(bytes: &[u8]) -> Result<Xlsx<Cursor<&[u8]>>> {
    Xlsx::new(Cursor::new(bytes)).map_err(|e| Error::bad_xlsx(&e.to_string()))
}

/// The sheet names of a workbook, in order.
pub fn sheet_names(bytes: &[u8]) -> Result<Vec<String>> {
    Ok(open(bytes)?.sheet_names().to_vec())
}

/// The memory a workbook may take when no budget is given: what a browser tab holds comfortably.
pub const DEFAULT_BUDGET: u64 = 1 << 30;

/// The rows of a sheet (the first sheet when `sheet` is `None`), numbered as in Excel, within
/// [`DEFAULT_BUDGET`].
pub fn read_sheet(bytes: &[u8], sheet: Option<&str>) -> Result<(String, Vec<OwnedRow>)> {
    read_sheet_within(bytes, sheet, DEFAULT_BUDGET)
}

/// The rows of a sheet, refusing a workbook that would take more than `budget` bytes of memory before it is
/// allocated: the parts' declared sizes are checked against the budget before any part is decompressed (a
/// zip bomb), and the sheet is read cell by cell, so a declared dimension (`A1:XFD1048576`) allocates nothing and
/// the text held is counted as it grows.
pub fn read_sheet_within(bytes: &[u8], sheet: Option<&str>, budget: u64) -> Result<(String, Vec<OwnedRow>)> {
    check_parts(bytes, budget)?;
    let mut book = open(bytes)?;
    let names = book.sheet_names().to_vec();
    let name = match sheet {
        Some(s) => names.iter().find(|n| n.as_str() == s).cloned().ok_or_else(|| Error::no_such_sheet(s))?,
        None => names.first().cloned().ok_or_else(Error::no_sheets)?,
    };
    let mut cells = book.worksheet_cells_reader(&name).map_err(|e| Error::bad_sheet(&name, &e.to_string()))?;
    let mut rows: Vec<OwnedRow> = Vec::new();
    // What the rows hold: each cell's text and its `String` (24 bytes).
    let mut held = 0u64;
    while let Some(cell) = cells.next_cell().map_err(|e| Error::bad_sheet(&name, &e.to_string()))? {
        let (row, col) = cell.get_position();
        let (line, col) = (u64::from(row) + 1, col as usize);
        if col >= MAX_COLUMNS {
            return Err(Error::xlsx_too_many_columns_to_read(&name, MAX_COLUMNS));
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if rows.last().map_or(true, |r| r.line != line) {
            rows.push(OwnedRow { line, cells: Vec::new() });
        }
        let Some(last) = rows.last_mut() else { continue };
        if last.cells.len() <= col {
            held += 24 * (col + 1 - last.cells.len()) as u64;
            last.cells.resize(col + 1, String::new());
        }
        held += text.len() as u64;
        last.cells[col] = text;
        if held > budget {
            return Err(Error::xlsx_too_large_to_read(&name, held >> 20, budget >> 20));
        }
    }
    Ok((name, rows))
}

/// Excel's column limit (XFD): a cell beyond it is not a spreadsheet's.
const MAX_COLUMNS: usize = 16_384;

/// Refuses a workbook whose parts declare more bytes than `budget` once decompressed, reading only the zip
/// directory (nothing is decompressed).
fn check_parts(bytes: &[u8], budget: u64) -> Result<()> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| Error::bad_xlsx(&e.to_string()))?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| Error::bad_xlsx(&e.to_string()))?;
        total = total.saturating_add(part.size());
        if total > budget {
            return Err(Error::xlsx_too_large_to_read(part.name(), total >> 20, budget >> 20));
        }
    }
    Ok(())
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_datetime(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        // Shortest text that reads back to the same float, as Excel displays it.
        let s = format!("{f}");
        if s.contains('e') {
            format!("{f:.6}")
        } else {
            s
        }
    }
}

/// An Excel serial date-time as `YYYY-MM-DD HH:MM:SS` (or `YYYY-MM-DD` at midnight).
fn excel_datetime(serial: f64) -> String {
    let days = serial.floor() as i32;
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    let day = Day(days - 25_569 + (secs / 86_400) as i32);
    let secs = secs % 86_400;
    if secs == 0 {
        day.to_string()
    } else {
        format!("{day} {:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_read_as_excel_shows_them() {
        assert_eq!(float_text(123.0), "123");
        assert_eq!(float_text(1234.5), "1234.5");
        assert_eq!(excel_datetime(45801.0), "2025-05-24");
        assert_eq!(excel_datetime(45801.6078125), "2025-05-24 14:35:15");
        assert!(!is_xlsx(b"a,b\n"));
    }
}
