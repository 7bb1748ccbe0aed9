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

/// The rows of a sheet (the first sheet when `sheet` is `None`), numbered as in Excel.
pub fn read_sheet(bytes: &[u8], sheet: Option<&str>) -> Result<(String, Vec<OwnedRow>)> {
    let mut book = open(bytes)?;
    let names = book.sheet_names().to_vec();
    let name = match sheet {
        Some(s) => names.iter().find(|n| n.as_str() == s).cloned().ok_or_else(|| Error::no_such_sheet(s))?,
        None => names.first().cloned().ok_or_else(Error::no_sheets)?,
    };
    let range = book.worksheet_range(&name).map_err(|e| Error::bad_sheet(&name, &e.to_string()))?;
    let first_row = range.start().map_or(0, |(r, _)| r as u64);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut out: Vec<String> = vec![String::new(); first_col];
            out.extend(cells.iter().map(cell_text));
            OwnedRow { line: first_row + i as u64 + 1, cells: out }
        })
        .collect();
    Ok((name, rows))
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
