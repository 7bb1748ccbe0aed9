//! A push CSV reader: UTF-8 bytes in, records with their line numbers out.
//!
//! The delimiter (`,` `\t` `;` `|`) is sniffed from the first lines unless given. Quoting follows RFC 4180
//! (quoted fields may hold delimiters, doubled quotes and newlines); CRLF and LF both end a record.
//! Parsing is csv-core's state machine, so input may be split anywhere, even inside a quoted field.

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

/// The delimiters that are sniffed, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];
/// How much text is looked at to sniff the delimiter.
const SNIFF_BYTES: usize = 64 * 1024;
/// How many lines are looked at to sniff the delimiter.
const SNIFF_LINES: usize = 50;

/// One record: its fields and the line it starts on (1-based, counting physical lines).
pub struct Record<'a> {
    /// The line the record starts on.
    pub line: u64,
    data: &'a [u8],
    ends: &'a [usize],
}

impl<'a> Record<'a> {
    /// The number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Whether every field is empty or blank (a blank line, or a row of empty cells).
    pub fn is_blank(&self) -> bool {
        self.data.iter().all(|b| b.is_ascii_whitespace())
    }

    /// Field `i` as text (input is UTF-8, so this never fails), or `""` past the end.
    pub fn get(&self, i: usize) -> &'a str {
        if i >= self.ends.len() {
            return "";
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        std::str::from_utf8(&self.data[start..self.ends[i]]).unwrap_or("")
    }

    /// Every field.
    pub fn fields(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// The push reader.
pub struct RecordReader {
    delimiter: Option<u8>,
    sniff: Vec<u8>,
    reader: Reader,
    output: Vec<u8>,
    ends: Vec<usize>,
    out_len: usize,
    ends_len: usize,
    newlines: u64,
    last_byte: u8,
}

impl RecordReader {
    /// A reader with the given delimiter, or one that sniffs it.
    pub fn new(delimiter: Option<u8>) -> RecordReader {
        RecordReader {
            delimiter,
            sniff: Vec::new(),
            reader: ReaderBuilder::new().delimiter(delimiter.unwrap_or(b',')).build(),
            output: vec![0; 4096],
            ends: vec![0; 64],
            out_len: 0,
            ends_len: 0,
            newlines: 0,
            last_byte: b'\n',
        }
    }

    /// The delimiter in use, once known.
    pub fn delimiter(&self) -> Option<u8> {
        self.delimiter
    }

    /// Feeds UTF-8 text; calls `on_record` for every complete record.
    pub fn push(&mut self, text: &[u8], on_record: &mut dyn FnMut(&Record<'_>)) {
        if self.delimiter.is_none() {
            self.sniff.extend_from_slice(text);
            let lines = self.sniff.iter().filter(|&&b| b == b'\n').count();
            if self.sniff.len() < SNIFF_BYTES && lines < SNIFF_LINES {
                return;
            }
            self.settle_delimiter();
            let buffered = std::mem::take(&mut self.sniff);
            self.parse(&buffered, on_record);
            return;
        }
        self.parse(text, on_record);
    }

    /// Decides the delimiter from what has arrived so far and parses it, keeping a cut-off last record back.
    pub fn settle(&mut self, on_record: &mut dyn FnMut(&Record<'_>)) {
        if self.delimiter.is_none() {
            self.settle_delimiter();
            let buffered = std::mem::take(&mut self.sniff);
            self.parse(&buffered, on_record);
        }
    }

    /// Ends the input; a last record without a newline is delivered.
    pub fn finish(&mut self, on_record: &mut dyn FnMut(&Record<'_>)) {
        if self.delimiter.is_none() {
            self.settle_delimiter();
            let buffered = std::mem::take(&mut self.sniff);
            self.parse(&buffered, on_record);
        }
        self.parse(&[], on_record);
    }

    fn settle_delimiter(&mut self) {
        let d = sniff_delimiter(&self.sniff);
        self.delimiter = Some(d);
        self.reader = ReaderBuilder::new().delimiter(d).build();
    }

    fn parse(&mut self, mut input: &[u8], on_record: &mut dyn FnMut(&Record<'_>)) {
        loop {
            let (result, nin, nout, nend) =
                self.reader.read_record(input, &mut self.output[self.out_len..], &mut self.ends[self.ends_len..]);
            // csv-core writes end positions as if the whole record were one buffer, so they need no offset.
            let consumed = &input[..nin];
            self.newlines += consumed.iter().filter(|&&b| b == b'\n').count() as u64;
            if let Some(&b) = consumed.last() {
                self.last_byte = b;
            }
            input = &input[nin..];
            self.out_len += nout;
            self.ends_len += nend;
            match result {
                ReadRecordResult::InputEmpty => break,
                ReadRecordResult::OutputFull => {
                    let n = self.output.len() * 2;
                    self.output.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                ReadRecordResult::Record => {
                    // The record ends on the line of its last byte; newlines inside quoted fields lead back to its start.
                    let end_line = self.newlines + u64::from(self.last_byte != b'\n');
                    let inner = self.output[..self.out_len].iter().filter(|&&b| b == b'\n').count() as u64;
                    let record = Record {
                        line: end_line.saturating_sub(inner).max(1),
                        data: &self.output[..self.out_len],
                        ends: &self.ends[..self.ends_len],
                    };
                    on_record(&record);
                    self.out_len = 0;
                    self.ends_len = 0;
                }
                ReadRecordResult::End => break,
            }
        }
    }
}

/// Picks the delimiter whose count per line is the most consistent and largest over the first lines.
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for &d in &DELIMITERS {
        let counts = count_per_line(text, d);
        if counts.is_empty() {
            continue;
        }
        let first = counts[0];
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == first).count();
        if (consistent, first) > (best.1, best.2) {
            best = (d, consistent, first);
        }
    }
    best.0
}

/// Counts a delimiter per line outside quotes, over the complete lines of `text`.
fn count_per_line(text: &[u8], delimiter: u8) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut in_quotes = false;
    let mut count = 0;
    for &b in text {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                counts.push(count);
                count = 0;
                if counts.len() == SNIFF_LINES {
                    break;
                }
            }
            _ if b == delimiter && !in_quotes => count += 1,
            _ => {}
        }
    }
    if counts.is_empty() && count > 0 {
        counts.push(count);
    }
    counts.retain(|&c| c > 0 || delimiter == 0);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str, chunk: usize) -> (u8, Vec<(u64, Vec<String>)>) {
        let mut r = RecordReader::new(None);
        let mut rows = Vec::new();
        let mut f = |rec: &Record<'_>| rows.push((rec.line, rec.fields().map(str::to_string).collect()));
        for c in text.as_bytes().chunks(chunk) {
            r.push(c, &mut f);
        }
        r.finish(&mut f);
        (r.delimiter().unwrap(), rows)
    }

    #[test]
    fn lines_quotes_and_delimiters_at_any_chunk_size() {
        let text = "a;b;c\r\n1;\"x;y\";3\r\n2;\"multi\nline\";4\r\n\r\n5;\"say \"\"hi\"\"\";6";
        for chunk in [1, 2, 5, 64, 4096] {
            let (d, rows) = read_all(text, chunk);
            assert_eq!(d, b';');
            let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
            assert_eq!(lines, vec![1, 2, 3, 6], "chunk {chunk}");
            assert_eq!(rows[1].1, vec!["1", "x;y", "3"]);
            assert_eq!(rows[2].1, vec!["2", "multi\nline", "4"]);
            assert_eq!(rows[3].1, vec!["5", "say \"hi\"", "6"]);
        }
    }

    #[test]
    fn sniffs_tabs_and_pipes() {
        assert_eq!(sniff_delimiter(b"a\tb\tc,d\n1\t2\t3,4\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b|c\n1|2|3\n"), b'|');
        assert_eq!(sniff_delimiter(b"a,b\n\"1,5\",2\n"), b',');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
    }
}
