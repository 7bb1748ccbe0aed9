//! The CSV writer of activation exports: RFC 4180 (fields holding `,`, `"`, CR or LF are quoted, quotes doubled;
//! a row that is one empty field is written `""`, not as a blank line that readers skip), CRLF line ends, UTF-8
//! with a byte-order mark (Excel in China reads BOM-less UTF-8 as GBK) or GBK.

use super::{Cell, CsvEncoding, ExportReport, Sink};
use crate::error::Result;
use encoding_rs::{EncoderResult, GBK};

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes rows as CSV into memory.
pub(crate) struct CsvSink {
    out: Vec<u8>,
    line: String,
    gbk: Option<encoding_rs::Encoder>,
}

impl CsvSink {
    pub(crate) fn new(encoding: CsvEncoding) -> CsvSink {
        let (out, gbk) = match encoding {
            CsvEncoding::Utf8Bom => (BOM.to_vec(), None),
            CsvEncoding::Utf8 => (Vec::new(), None),
            CsvEncoding::Gbk => (Vec::new(), Some(GBK.new_encoder())),
        };
        CsvSink { out, line: String::new(), gbk }
    }
}

/// Appends one field, quoted when it holds `,`, `"`, CR or LF, or starts or ends with white space (which some
/// readers, DuckDB's among them, would trim). Every CSV the product writes goes through it.
pub fn push_field(line: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) || field.starts_with(char::is_whitespace) || field.ends_with(char::is_whitespace) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

/// Encodes UTF-8 text as GBK, writing `?` for each character GBK has no code for; returns how many there were.
fn encode_gbk(encoder: &mut encoding_rs::Encoder, mut text: &str, out: &mut Vec<u8>) -> u64 {
    let mut unencodable = 0;
    let mut buf = [0u8; 4096];
    loop {
        let (result, read, written) = encoder.encode_from_utf8_without_replacement(text, &mut buf, false);
        out.extend_from_slice(&buf[..written]);
        text = &text[read..];
        match result {
            EncoderResult::InputEmpty => return unencodable,
            EncoderResult::OutputFull => {}
            EncoderResult::Unmappable(_) => {
                unencodable += 1;
                out.push(b'?');
            }
        }
    }
}

impl Sink for CsvSink {
    fn row(&mut self, cells: &[Cell], _header: bool, report: &mut ExportReport) -> Result<()> {
        self.line.clear();
        if let [Cell::Text(t) | Cell::Number(t)] = cells {
            if t.is_empty() {
                // A lone empty field would be a blank line, which readers skip: quote it.
                self.line.push_str("\"\"");
            }
        }
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            match cell {
                Cell::Text(t) | Cell::Number(t) => push_field(&mut self.line, t),
            }
        }
        self.line.push_str("\r\n");
        match &mut self.gbk {
            Some(encoder) => report.unencodable += encode_gbk(encoder, &self.line, &mut self.out),
            None => self.out.extend_from_slice(self.line.as_bytes()),
        }
        Ok(())
    }

    fn finish(self: Box<Self>, _report: &mut ExportReport) -> Result<Vec<u8>> {
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let mut line = String::new();
        for f in ["a", "b,c", "say \"hi\"", "x\ny", ""] {
            push_field(&mut line, f);
            line.push('|');
        }
        assert_eq!(line, "a|\"b,c\"|\"say \"\"hi\"\"\"|\"x\ny\"||");
    }

    #[test]
    fn gbk_replaces_what_it_cannot_encode() {
        let mut out = Vec::new();
        let n = encode_gbk(&mut GBK.new_encoder(), "张伟😀", &mut out);
        assert_eq!(n, 1);
        assert_eq!(out, b"\xD5\xC5\xCE\xB0?");
    }
}
