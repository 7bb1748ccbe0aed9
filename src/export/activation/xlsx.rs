//! A minimal XLSX writer for activation exports: one workbook, one sheet, a bold frozen header row, text as
//! inline strings (never a formula: no cell has an `<f>` element), plain numbers as number cells. The parts go
//! into a deflated ZIP ([`super::container`]) with fixed timestamps, so the same rows give the same bytes.
//!
//! Text is XML-escaped; characters XML 1.0 cannot carry (control characters other than tab and line feed,
//! carriage return included) are written as Excel's `_xHHHH_` escapes, and a literal `_xHHHH_` in the text has
//! its underscore escaped (`_x005F_`), as Excel does. Cells past Excel's 32,767 characters are cut.

use super::container::{Archive, Part};
use super::{Cell, ExportReport, Sink};
use crate::error::{Error, Result};

/// Excel's rows per sheet, the header included.
pub const MAX_ROWS: u64 = 1_048_576;
/// Excel's columns per sheet.
pub const MAX_COLUMNS: usize = 16_384;
/// Excel's characters per cell (UTF-16 code units).
pub const MAX_CELL: usize = 32_767;

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    r#"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
    r#"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    "</Types>"
);

/// Styles: 0 is the default, 1 the header (bold, text format `@`), 2 text cells (text format `@`, so Excel does not
/// turn an edited id into a number).
const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    "\n",
    r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    r#"<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#,
    r#"<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>"#,
    r#"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#,
    r#"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#,
    r#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#,
    r#"<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#,
    r#"<xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>"#,
    r#"<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>"#,
    r#"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#,
    "</styleSheet>"
);

/// Writes rows into an XLSX workbook in memory; the sheet is streamed through the deflate encoder.
pub(crate) struct XlsxSink {
    archive: Archive,
    sheet: Part,
    rows: u64,
    buf: String,
}

impl XlsxSink {
    /// A workbook whose sheet has the given name (see [`sheet_name`]) and `columns` columns.
    pub(crate) fn new(sheet: &str, columns: usize) -> Result<XlsxSink> {
        if columns > MAX_COLUMNS {
            return Err(Error::xlsx_too_many_columns(MAX_COLUMNS, columns));
        }
        let mut archive = Archive::default();
        let sheet = sheet_name(sheet);
        let parts = [
            ("[Content_Types].xml", CONTENT_TYPES.to_string()),
            (
                "_rels/.rels",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
                    "\n"
                ),
            ),
            (
                "xl/workbook.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
                    "\n",
                    escape_attr(&sheet)
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/></Relationships>"#,
                    "\n"
                ),
            ),
            ("xl/styles.xml", STYLES.to_string()),
        ];
        for (name, text) in parts {
            archive.add_bytes(name, text.as_bytes())?;
        }
        let mut part = archive.start("xl/worksheets/sheet1.xml");
        let head = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{}<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>"#,
            "\n"
        );
        part.write(head.as_bytes())?;
        Ok(XlsxSink { archive, sheet: part, rows: 0, buf: String::new() })
    }
}

impl Sink for XlsxSink {
    fn row(&mut self, cells: &[Cell], header: bool, report: &mut ExportReport) -> Result<()> {
        if self.rows >= MAX_ROWS {
            return Err(Error::xlsx_too_many_rows(MAX_ROWS));
        }
        self.rows += 1;
        let r = self.rows;
        let buf = &mut self.buf;
        buf.clear();
        buf.push_str(&format!(r#"<row r="{r}">"#));
        let style = if header { 1 } else { 2 };
        for (i, cell) in cells.iter().enumerate() {
            let reference = format!("{}{r}", column_name(i));
            match cell {
                Cell::Text(t) if t.is_empty() => {}
                Cell::Text(t) => {
                    let (text, cut) = truncate_utf16(t, MAX_CELL);
                    report.truncated += u64::from(cut);
                    let space = if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
                        r#" xml:space="preserve""#
                    } else {
                        ""
                    };
                    buf.push_str(&format!(r#"<c r="{reference}" s="{style}" t="inlineStr"><is><t{space}>"#));
                    escape_text(text, buf);
                    buf.push_str("</t></is></c>");
                }
                Cell::Number(n) => buf.push_str(&format!(r#"<c r="{reference}"><v>{n}</v></c>"#)),
            }
        }
        buf.push_str("</row>");
        self.sheet.write(buf.as_bytes())
    }

    fn finish(self: Box<Self>, _report: &mut ExportReport) -> Result<Vec<u8>> {
        let XlsxSink { mut archive, mut sheet, .. } = *self;
        sheet.write(b"</sheetData></worksheet>")?;
        archive.add(sheet)?;
        archive.finish()
    }
}

/// A sheet name Excel accepts: `Sheet1` when blank; `[ ] : * ? / \` become `_`; no leading or trailing `'`;
/// at most 31 characters.
pub fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() { '_' } else { c })
        .take(31)
        .collect();
    let cleaned = cleaned.trim_matches('\'').trim().to_string();
    if cleaned.is_empty() {
        "Sheet1".to_string()
    } else {
        cleaned
    }
}

/// The column letters of a zero-based index: `A`, …, `Z`, `AA`, ….
pub fn column_name(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().map(|&b| b as char).collect()
}

/// The text cut to at most `max` UTF-16 code units (at a character boundary), and whether it was cut.
fn truncate_utf16(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut units = 0;
    for (i, c) in text.char_indices() {
        units += c.len_utf16();
        if units > max {
            return (&text[..i], true);
        }
    }
    (text, false)
}

/// Whether `rest` starts with `_xHHHH_`, which Excel would read as an escape.
fn looks_like_escape(rest: &str) -> bool {
    let b = rest.as_bytes();
    b.len() >= 7 && b[0] == b'_' && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

/// Escapes cell text for an XML element (see the module doc).
pub fn escape_text(text: &str, out: &mut String) {
    for (i, c) in text.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '_' if looks_like_escape(&text[i..]) => out.push_str("_x005F_"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 => out.push_str(&format!("_x{:04X}_", c as u32)),
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Escapes text for an XML attribute value in double quotes.
fn escape_attr(text: &str) -> String {
    let mut out = String::new();
    escape_text(text, &mut out);
    out.replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(column_name(MAX_COLUMNS - 1), "XFD");
    }

    #[test]
    fn escaping() {
        let mut out = String::new();
        escape_text("a<b>&c\r\u{1}_x000D_\n", &mut out);
        assert_eq!(out, "a&lt;b&gt;&amp;c_x000D__x0001__x005F_x000D_\n");
    }

    #[test]
    fn sheet_names() {
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name("a/b:c"), "a_b_c");
        assert_eq!(sheet_name("'唤醒对象'"), "唤醒对象");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
