//! A push CSV reader: UTF-8 bytes in, records with their line numbers out.
//!
//! The delimiter (`,` `\t` `;` `|`) is sniffed from the first lines unless given. Quoting follows RFC 4180
//! (quoted fields may hold delimiters, doubled quotes and newlines); CRLF and LF both end a record.
//! Parsing is csv-core's state machine, so input may be split anywhere, even inside a quoted field. A quote that
//! is never closed (to the end of the text, or for 4 MiB) does not swallow the rest of the file: it runs to the
//! end of the line it opened on, that line is one record, the reading goes on with the next line, and the line is
//! noted (`unterminated`) for the file's report.

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

/// The delimiters that are sniffed, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];
/// How much text is looked at to sniff the delimiter.
const SNIFF_BYTES: usize = 64 * 1024;
/// How many lines are looked at to sniff the delimiter.
const SNIFF_LINES: usize = 50;
/// A quoted record still open after this many bytes is taken for a quote that was never closed (spreadsheets
/// hold at most 32,767 characters in a cell), so it is re-read from its line instead of swallowing the file.
const MAX_OPEN_QUOTE: usize = 4 << 20;

/// One record: its fields and the line it starts on (1-based, counting physical lines).
pub struct Record<'a> {
    /// The line the record starts on.
    pub line: u64,
    /// The record's text: either its line as read (fields separated by one delimiter byte each) or the fields
    /// end to end as csv-core unquoted them.
    text: &'a str,
    /// The end of each field in `text`.
    ends: &'a [u32],
    /// Bytes between a field's end and the next field's start: 1 on the fast path (the delimiter), 0 for csv-core.
    gap: u32,
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
        self.fields().all(blank_cell)
    }

    /// Field `i` as text, or `""` past the end. The record's text was checked as UTF-8 once, and fields end at
    /// ASCII delimiters, so slicing never fails.
    #[inline]
    pub fn get(&self, i: usize) -> &'a str {
        let Some(&end) = self.ends.get(i) else { return "" };
        let start = if i == 0 { 0 } else { self.ends[i - 1] + self.gap };
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// Every field.
    pub fn fields(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// Whether a cell is empty once trimmed (`str::trim`), deciding most cells by their first byte (inlined; the
/// rest in [`blank_cell_slow`]).
#[inline(always)]
pub fn blank_cell(cell: &str) -> bool {
    match cell.as_bytes().first() {
        None => true,
        Some(&b) if !crate::base::values::space_lead(b) => false,
        Some(_) => blank_cell_slow(cell),
    }
}

/// [`blank_cell`] for a cell that starts with whitespace or a non-ASCII character.
#[inline(never)]
fn blank_cell_slow(cell: &str) -> bool {
    cell.starts_with(char::is_whitespace) && cell.trim().is_empty()
}

/// The push reader.
///
/// Text accumulates in one buffer from the last incomplete record on. A record whose line holds no quote is split
/// at its delimiters in place (the fast path: no copy, and the buffer is checked as UTF-8 once per chunk);
/// a record with a quote is handed to csv-core, whose state machine handles quoted delimiters, doubled quotes
/// and line breaks inside quotes. Both agree with csv-core on every input: terminators are `\r`, `\n` or `\r\n`,
/// empty lines are skipped, and a quote only opens a quoted field at a field's start.
pub struct RecordReader {
    delimiter: Option<u8>,
    sniff: Vec<u8>,
    reader: Reader,
    /// Text not yet consumed: the start of an incomplete record, then what was pushed after it.
    buf: String,
    /// The first bytes of a character cut by the end of the last input.
    carry: Vec<u8>,
    /// Line breaks (`\n`) consumed before `buf`.
    newlines: u64,
    output: Vec<u8>,
    ends: Vec<usize>,
    /// Where csv-core stopped in an incomplete quoted record: bytes taken, output and ends written.
    pending: Option<(usize, usize, usize)>,
    /// The field ends of the record being delivered.
    fields: Vec<u32>,
    /// The lines where a quote opened and was never closed (the first [`MAX_NOTED`]), and how many there were.
    pub unterminated: Vec<u64>,
    /// How many quotes were never closed.
    pub unterminated_count: u64,
}

/// How many unterminated quotes are listed by line.
pub const MAX_NOTED: usize = 20;

impl RecordReader {
    /// A reader with the given delimiter, or one that sniffs it.
    pub fn new(delimiter: Option<u8>) -> RecordReader {
        RecordReader {
            delimiter,
            sniff: Vec::new(),
            reader: ReaderBuilder::new().delimiter(delimiter.unwrap_or(b',')).build(),
            buf: String::new(),
            carry: Vec::new(),
            newlines: 0,
            output: vec![0; 4096],
            ends: vec![0; 64],
            pending: None,
            fields: Vec::with_capacity(64),
            unterminated: Vec::new(),
            unterminated_count: 0,
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
            self.parse(&buffered, false, on_record);
            return;
        }
        self.parse(text, false, on_record);
    }

    /// Feeds text that is already known to be UTF-8 (what the decoder yields): the same as [`RecordReader::push`]
    /// without checking it again.
    pub fn push_str(&mut self, text: &str, on_record: &mut dyn FnMut(&Record<'_>)) {
        if self.delimiter.is_none() || !self.carry.is_empty() {
            return self.push(text.as_bytes(), on_record);
        }
        self.append(text, false, on_record);
    }

    /// Decides the delimiter from what has arrived so far and parses it, keeping a cut-off last record back.
    pub fn settle(&mut self, on_record: &mut dyn FnMut(&Record<'_>)) {
        if self.delimiter.is_none() {
            self.settle_delimiter();
            let buffered = std::mem::take(&mut self.sniff);
            self.parse(&buffered, false, on_record);
        }
    }

    /// Ends the input; a last record without a newline is delivered.
    pub fn finish(&mut self, on_record: &mut dyn FnMut(&Record<'_>)) {
        if self.delimiter.is_none() {
            self.settle_delimiter();
            let buffered = std::mem::take(&mut self.sniff);
            self.parse(&buffered, false, on_record);
        }
        self.parse(&[], true, on_record);
    }

    fn settle_delimiter(&mut self) {
        let d = sniff_delimiter(&self.sniff);
        self.delimiter = Some(d);
        self.reader = ReaderBuilder::new().delimiter(d).build();
    }

    /// Appends `input` and delivers every complete record (and, when `last`, the final one). Only the new text
    /// is checked as UTF-8 (the buffer is a `String`), so a record that stays open for long is not checked again.
    fn parse(&mut self, input: &[u8], last: bool, on_record: &mut dyn FnMut(&Record<'_>)) {
        let mut buf = std::mem::take(&mut self.buf);
        let joined;
        let input = if self.carry.is_empty() {
            input
        } else {
            self.carry.extend_from_slice(input);
            joined = std::mem::take(&mut self.carry);
            &joined[..]
        };
        match std::str::from_utf8(input) {
            Ok(text) => buf.push_str(text),
            // A character cut by the chunk's end waits for its other bytes.
            Err(e) if e.error_len().is_none() && !last => {
                let (valid, rest) = input.split_at(e.valid_up_to());
                buf.push_str(std::str::from_utf8(valid).unwrap_or_default());
                self.carry = rest.to_vec();
            }
            // The decoder only yields UTF-8; should that ever fail, the text is read with replacement characters.
            Err(_) => buf.push_str(&String::from_utf8_lossy(input)),
        }
        self.buf = buf;
        self.append("", last, on_record);
    }

    /// Appends checked text to the buffer and delivers every complete record (and, when `last`, the final one).
    fn append(&mut self, text: &str, last: bool, on_record: &mut dyn FnMut(&Record<'_>)) {
        let mut buf = std::mem::take(&mut self.buf);
        buf.push_str(text);
        let consumed = self.records(&buf, last, on_record);
        buf.drain(..consumed);
        self.buf = buf;
    }

    /// Delivers the complete records of `text`; returns how many bytes were consumed.
    fn records(&mut self, text: &str, last: bool, on_record: &mut dyn FnMut(&Record<'_>)) -> usize {
        let delimiter = self.delimiter.unwrap_or(b',');
        let bytes = text.as_bytes();
        let mut pos = 0;
        loop {
            // Empty lines and the rest of a `\r\n` are skipped before a record, as csv-core does.
            while pos < bytes.len() && (bytes[pos] == b'\n' || bytes[pos] == b'\r') {
                self.newlines += u64::from(bytes[pos] == b'\n');
                pos += 1;
            }
            if pos == bytes.len() {
                return pos;
            }
            // One pass over the line finds its delimiters and its end, and stops at a quote.
            let line = self.newlines + 1;
            self.fields.clear();
            let mut at = pos;
            let quoted = loop {
                at = special::next(bytes, at, delimiter);
                match bytes.get(at) {
                    Some(b'"') => break true,
                    Some(b'\n' | b'\r') => break false,
                    Some(_) => {
                        self.fields.push((at - pos) as u32);
                        at += 1;
                    }
                    None if last => break false,
                    None => return pos,
                }
            };
            if !quoted {
                self.fields.push((at - pos) as u32);
                on_record(&Record { line, text: &text[pos..at], ends: &self.fields, gap: 1 });
                pos = at;
                continue;
            }
            let result = self.quoted(&bytes[pos..], last);
            // A quote left open to the end of the text, or for megabytes, was never meant to be closed: note the
            // line it opened on and read its line as a record (the quote running to the line's end), then go on
            // with the next line, as spreadsheet tools do.
            let at_end = matches!(result, Some((n, ..)) if pos + n == bytes.len()) && last;
            let too_long = result.is_none() && bytes.len() - pos > MAX_OPEN_QUOTE;
            if at_end || too_long {
                if let Some(open) = open_quote(&bytes[pos..], delimiter) {
                    if let Some(next) = self.reread_line(text, pos, open, last, on_record) {
                        pos = next;
                        continue;
                    }
                }
            }
            match result {
                Some((n, out_len, ends_len)) => {
                    let taken = &bytes[pos..pos + n];
                    self.newlines += taken.iter().filter(|&&b| b == b'\n').count() as u64;
                    // The line the record ends on, less the line breaks inside its fields (as it always was, so an
                    // unclosed quote at the end of a file keeps the line it was reported with).
                    let end_line = self.newlines + u64::from(taken.last() != Some(&b'\n'));
                    let inner = self.output[..out_len].iter().filter(|&&b| b == b'\n').count() as u64;
                    let line = end_line.saturating_sub(inner).max(1);
                    let out = String::from_utf8_lossy(&self.output[..out_len]);
                    self.fields.clear();
                    self.fields.extend(self.ends[..ends_len].iter().map(|&e| e as u32));
                    on_record(&Record { line, text: &out, ends: &self.fields, gap: 0 });
                    pos += n;
                }
                None => return pos,
            }
        }
    }

    /// Reads the record at `pos`, whose quote at `pos + open` is never closed, as its own line with the quote
    /// closed at the line's end; notes the line the quote opened on. Returns where the next record starts, or
    /// `None` when the line has not ended yet (more text is coming).
    fn reread_line(&mut self, text: &str, pos: usize, open: usize, last: bool, on_record: &mut dyn FnMut(&Record<'_>)) -> Option<usize> {
        let bytes = text.as_bytes();
        let end = bytes[pos + open..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(bytes.len(), |n| pos + open + n);
        if end == bytes.len() && !last {
            return None;
        }
        self.pending = None;
        let line = self.newlines + 1;
        let opened = line + bytes[pos..pos + open].iter().filter(|&&b| b == b'\n').count() as u64;
        self.unterminated_count += 1;
        if self.unterminated.len() < MAX_NOTED {
            self.unterminated.push(opened);
        }
        let mut fixed = String::with_capacity(end - pos + 1);
        fixed.push_str(&text[pos..end]);
        fixed.push('"');
        if let Some((_, out_len, ends_len)) = self.quoted(fixed.as_bytes(), true) {
            let out = String::from_utf8_lossy(&self.output[..out_len]).into_owned();
            self.fields.clear();
            self.fields.extend(self.ends[..ends_len].iter().map(|&e| e as u32));
            on_record(&Record { line, text: &out, ends: &self.fields, gap: 0 });
        }
        self.pending = None;
        self.newlines += bytes[pos..end].iter().filter(|&&b| b == b'\n').count() as u64;
        Some(end)
    }

    /// Reads one record that holds a quote with csv-core, from its start (or from where an incomplete one
    /// stopped: the state is kept, so a quote left open is never read again from its start). Leaves the fields
    /// end to end in `output` and their ends in `ends`; returns the bytes the record took and the lengths in
    /// `output` and `ends`, or `None` when the record is not complete yet.
    fn quoted(&mut self, input: &[u8], last: bool) -> Option<(usize, usize, usize)> {
        let (mut nin_all, mut out_len, mut ends_len) = self.pending.take().unwrap_or_else(|| {
            self.reader.reset();
            (0, 0, 0)
        });
        let mut input_done = false;
        loop {
            let rest = if input_done { &[][..] } else { &input[nin_all..] };
            // Empty input tells csv-core the text has ended, so it is given only at the real end.
            if rest.is_empty() && !input_done {
                if !last {
                    self.pending = Some((nin_all, out_len, ends_len));
                    return None;
                }
                input_done = true;
            }
            let (result, nin, nout, nend) = self.reader.read_record(rest, &mut self.output[out_len..], &mut self.ends[ends_len..]);
            // csv-core writes end positions as if the whole record were one buffer, so they need no offset.
            nin_all += nin;
            out_len += nout;
            ends_len += nend;
            match result {
                ReadRecordResult::InputEmpty if last && !input_done => input_done = true,
                ReadRecordResult::InputEmpty | ReadRecordResult::End => {
                    self.pending = Some((nin_all, out_len, ends_len));
                    return None;
                }
                ReadRecordResult::OutputFull => {
                    let n = self.output.len() * 2;
                    self.output.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                ReadRecordResult::Record => return Some((nin_all, out_len, ends_len)),
            }
        }
    }
}

/// Where the quote that leaves the record starting `bytes` open begins (RFC 4180: a quote opens a field only at
/// its start; `""` inside is a quote), or `None` when every quote of the record's text is closed. The scan stops
/// at the first line break outside quotes (the record's end).
fn open_quote(bytes: &[u8], delimiter: u8) -> Option<usize> {
    #[derive(PartialEq)]
    enum S {
        Start,
        Plain,
        Quoted,
        QuoteInQuoted,
    }
    let (mut s, mut opened) = (S::Start, 0);
    for (i, &b) in bytes.iter().enumerate() {
        s = match s {
            S::Start | S::Plain if b == b'\n' || b == b'\r' => return None,
            S::QuoteInQuoted if b == b'\n' || b == b'\r' => return None,
            S::Start if b == b'"' => {
                opened = i;
                S::Quoted
            }
            S::Start | S::Plain | S::QuoteInQuoted if b == delimiter => S::Start,
            S::Start | S::Plain => S::Plain,
            S::Quoted if b == b'"' => S::QuoteInQuoted,
            S::Quoted => S::Quoted,
            S::QuoteInQuoted if b == b'"' => S::Quoted,
            S::QuoteInQuoted => S::Plain,
        };
    }
    (s == S::Quoted).then_some(opened)
}

/// Finding the bytes that matter to the fast path (the delimiter, `"`, `\n`, `\r`) eight at a time.
mod special {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

    /// The high bit of each byte of `w` that is zero (exact: no carry crosses bytes).
    fn zero_bytes(w: u64) -> u64 {
        !(((w & LOW7) + LOW7) | w | LOW7)
    }

    /// The high bit of each byte of `w` that is `d`, `"`, `\n` or `\r`.
    fn matches(w: u64, d: u64) -> u64 {
        zero_bytes(w ^ d)
            | zero_bytes(w ^ (u64::from(b'"') * ONES))
            | zero_bytes(w ^ (u64::from(b'\n') * ONES))
            | zero_bytes(w ^ (u64::from(b'\r') * ONES))
    }

    /// The position of the first delimiter, quote or line break at or after `from`, or `bytes.len()`.
    pub fn next(bytes: &[u8], mut from: usize, delimiter: u8) -> usize {
        let d = u64::from(delimiter) * ONES;
        while let Some(chunk) = bytes.get(from..from + 8) {
            let mut a = [0u8; 8];
            a.copy_from_slice(chunk);
            let m = matches(u64::from_le_bytes(a), d);
            if m != 0 {
                return from + (m.trailing_zeros() / 8) as usize;
            }
            from += 8;
        }
        bytes[from.min(bytes.len())..]
            .iter()
            .position(|&b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r')
            .map_or(bytes.len(), |n| from + n)
    }

    #[cfg(test)]
    #[test]
    fn finds_the_same_byte_as_a_plain_search() {
        let text: Vec<u8> =
            (0..600u32).map(|i| [b'a', b',', b'"', b'\n', b'\r', 0x80, 0xFF, b';', 0x2C ^ 0x80][(i * i % 9) as usize]).collect();
        for d in [b',', b';', b'\t'] {
            for from in 0..text.len() + 2 {
                let want = text.iter().enumerate().skip(from).find(|(_, &b)| b == d || b == b'"' || b == b'\n' || b == b'\r');
                assert_eq!(next(&text, from, d), want.map_or(text.len(), |(i, _)| i), "from {from}");
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

    /// csv-core's reading of `text` after the documented repair of quotes never closed: each such quote runs to
    /// the end of its line (a closing quote is inserted there) and reading goes on with the next line.
    fn reference(text: &str, delimiter: u8) -> Vec<(u64, Vec<String>)> {
        let mut fixed = text.to_string();
        while let Some(at) = unclosed(fixed.as_bytes(), delimiter) {
            fixed.insert(at, '"');
        }
        csv_core_reference(&fixed, delimiter)
    }

    /// Where a closing quote goes for the first quote of `text` that is never closed: the end of its line.
    fn unclosed(text: &[u8], delimiter: u8) -> Option<usize> {
        let (mut quoted, mut after_quote, mut field_start, mut opened) = (false, false, true, 0);
        for (i, &b) in text.iter().enumerate() {
            if quoted {
                if b == b'"' {
                    quoted = false;
                    after_quote = true;
                }
                continue;
            }
            if after_quote && b == b'"' {
                quoted = true;
                after_quote = false;
                continue;
            }
            after_quote = false;
            if b == b'\n' || b == b'\r' || b == delimiter {
                field_start = true;
            } else if b == b'"' && field_start {
                quoted = true;
                opened = i;
            } else {
                field_start = false;
            }
        }
        quoted.then(|| text[opened..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(text.len(), |n| opened + n))
    }

    /// The reader before its fast path: every byte through csv-core, with the same line arithmetic.
    fn csv_core_reference(text: &str, delimiter: u8) -> Vec<(u64, Vec<String>)> {
        let mut reader = ReaderBuilder::new().delimiter(delimiter).build();
        let (mut output, mut ends) = (vec![0u8; 1 << 16], vec![0usize; 1 << 10]);
        let (mut out_len, mut ends_len, mut newlines, mut last_byte) = (0, 0, 0u64, b'\n');
        let mut rows = Vec::new();
        let mut input = text.as_bytes();
        let mut done = false;
        loop {
            let (result, nin, nout, nend) = reader.read_record(input, &mut output[out_len..], &mut ends[ends_len..]);
            let consumed = &input[..nin];
            newlines += consumed.iter().filter(|&&b| b == b'\n').count() as u64;
            if let Some(&b) = consumed.last() {
                last_byte = b;
            }
            input = &input[nin..];
            out_len += nout;
            ends_len += nend;
            match result {
                ReadRecordResult::InputEmpty if !done => done = true,
                ReadRecordResult::Record => {
                    let end_line = newlines + u64::from(last_byte != b'\n');
                    let inner = output[..out_len].iter().filter(|&&b| b == b'\n').count() as u64;
                    let data = &output[..out_len];
                    let fields = (0..ends_len)
                        .map(|i| {
                            let start = if i == 0 { 0 } else { ends[i - 1] };
                            String::from_utf8(data[start..ends[i]].to_vec()).unwrap()
                        })
                        .collect();
                    rows.push((end_line.saturating_sub(inner).max(1), fields));
                    out_len = 0;
                    ends_len = 0;
                }
                ReadRecordResult::InputEmpty | ReadRecordResult::End => break,
                _ => panic!("test buffers are large enough"),
            }
        }
        rows
    }

    fn read_with(text: &str, delimiter: u8, chunks: &[usize]) -> Vec<(u64, Vec<String>)> {
        let mut r = RecordReader::new(Some(delimiter));
        let mut rows = Vec::new();
        let mut f = |rec: &Record<'_>| rows.push((rec.line, rec.fields().map(str::to_string).collect()));
        let (bytes, mut at, mut i) = (text.as_bytes(), 0, 0);
        while at < bytes.len() {
            let n = chunks[i % chunks.len()].min(bytes.len() - at);
            r.push(&bytes[at..at + n], &mut f);
            at += n;
            i += 1;
        }
        r.finish(&mut f);
        rows
    }

    #[test]
    fn agrees_with_csv_core_on_awkward_text() {
        let cases = [
            "a,b\r\n\r\n1,2\r3,4\n\n\n5,6",
            "x\"y,z\n\"a\"b,c\n\"q\"\"\",\"\n\",\"\"\n",
            "\"open,never\nclosed\n1,2\n",
            ",,\n , \n\u{3000},\n会员,\"编号\r\n二\"\n",
            "\n\r\n\"a\"\r\n\"b\"",
            "last,\"quoted\"",
            "trailing\r",
        ];
        for text in cases {
            let want = reference(text, b',');
            for chunks in [&[1][..], &[2, 3], &[5], &[7, 1, 13], &[4096]] {
                assert_eq!(read_with(text, b',', chunks), want, "{text:?} in chunks of {chunks:?}");
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn agrees_with_csv_core_on_any_text(
            parts in proptest::collection::vec(proptest::sample::select(vec!["a", "bc", "会员", ",", ";", "\"", "\"\"", "\r", "\n", "\r\n", " ", "\t", "1.5"]), 0..60),
            chunks in proptest::collection::vec(1usize..9, 1..4),
        ) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(read_with(&text, b',', &chunks), reference(&text, b','));
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
