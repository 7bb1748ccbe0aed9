//! Streaming text decoding with encoding detection.
//!
//! Bytes arrive in chunks of any size and leave as UTF-8. The encoding is detected without asking:
//! a byte-order mark decides UTF-8 / UTF-16; otherwise the first non-ASCII stretch is examined, and text
//! that is not valid UTF-8 is read as GB18030 (the superset of GBK that Excel in China writes). Pure ASCII
//! is the same in every candidate, so it passes through while the decision waits for the first non-ASCII byte.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

/// How many bytes after the first non-ASCII byte are examined before deciding.
const SNIFF_WINDOW: usize = 4096;

/// The text encoding of a file, as detected or as chosen by the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark (also pure ASCII).
    Utf8,
    /// UTF-8 with a byte-order mark (what Excel writes for "CSV UTF-8").
    Utf8Bom,
    /// GBK / GB18030.
    Gbk,
    /// UTF-16 little-endian with a byte-order mark (Excel's "Unicode text").
    Utf16Le,
    /// UTF-16 big-endian with a byte-order mark.
    Utf16Be,
}

impl TextEncoding {
    /// The label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 BOM",
            TextEncoding::Gbk => "GBK",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
        }
    }

    /// Parses a label as written by users (`utf-8`, `gbk`, `gb18030`, `utf-16le` …).
    pub fn from_label(label: &str) -> Option<TextEncoding> {
        let l = label.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        match l.as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "utf-8-bom" | "utf8-bom" => Some(TextEncoding::Utf8Bom),
            "gbk" | "gb18030" | "gb2312" | "cp936" => Some(TextEncoding::Gbk),
            "utf-16le" | "utf-16" | "unicode" => Some(TextEncoding::Utf16Le),
            "utf-16be" => Some(TextEncoding::Utf16Be),
            _ => None,
        }
    }

    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => UTF_8,
            TextEncoding::Gbk => GB18030,
            TextEncoding::Utf16Le => UTF_16LE,
            TextEncoding::Utf16Be => UTF_16BE,
        }
    }
}

enum State {
    /// Nothing but ASCII so far; `pending` holds bytes from the first non-ASCII byte on.
    Sniffing {
        pending: Vec<u8>,
        seen: u64,
    },
    Decoding {
        decoder: encoding_rs::Decoder,
    },
}

/// A push decoder: feed bytes, receive UTF-8.
pub struct TextDecoder {
    state: State,
    encoding: Option<TextEncoding>,
    malformed: bool,
}

impl TextDecoder {
    /// A decoder that detects the encoding, or uses `forced` when given.
    pub fn new(forced: Option<TextEncoding>) -> TextDecoder {
        let mut d = TextDecoder { state: State::Sniffing { pending: Vec::new(), seen: 0 }, encoding: None, malformed: false };
        if let Some(enc) = forced {
            d.start(enc);
        }
        d
    }

    /// The encoding in use, once known.
    pub fn encoding(&self) -> Option<TextEncoding> {
        self.encoding
    }

    /// Whether bytes that are invalid in the encoding were replaced by U+FFFD.
    pub fn had_malformed(&self) -> bool {
        self.malformed
    }

    fn start(&mut self, enc: TextEncoding) {
        self.encoding = Some(enc);
        // BOM sniffing strips the mark of the matching encoding.
        self.state = State::Decoding { decoder: enc.encoding().new_decoder_with_bom_removal() };
    }

    /// Decodes a chunk, appending UTF-8 to `out`.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        self.feed(bytes, false, out);
    }

    /// Decides the encoding from what has arrived so far (for a preview of a file's first bytes).
    pub fn decide_now(&mut self, out: &mut Vec<u8>) {
        if let State::Sniffing { pending, seen } = &mut self.state {
            let pending = std::mem::take(pending);
            let enc = detect(&pending, *seen == 0, false);
            self.start(enc);
            self.feed(&pending, false, out);
        }
    }

    /// Flushes what is left at the end of the input.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.feed(&[], true, out);
    }

    fn feed(&mut self, bytes: &[u8], last: bool, out: &mut Vec<u8>) {
        if let State::Sniffing { pending, seen } = &mut self.state {
            if pending.is_empty() {
                let ascii = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(bytes.len());
                // A leading NUL byte hints at UTF-16 without a mark; leave that to the full decision.
                if *seen > 0 || ascii > 0 {
                    out.extend_from_slice(&bytes[..ascii]);
                    *seen += ascii as u64;
                    pending.extend_from_slice(&bytes[ascii..]);
                } else {
                    pending.extend_from_slice(bytes);
                }
            } else {
                pending.extend_from_slice(bytes);
            }
            if pending.len() < SNIFF_WINDOW + 4 && !last {
                return;
            }
            let at_start = *seen == 0;
            let pending = std::mem::take(pending);
            let enc = detect(&pending, at_start, last);
            self.start(enc);
            return self.feed(&pending, last, out);
        }
        let State::Decoding { decoder } = &mut self.state else { unreachable!("decoding state was set above") };
        let mut src = bytes;
        loop {
            let need = decoder.max_utf8_buffer_length(src.len()).unwrap_or(src.len() * 3 + 16);
            let start = out.len();
            out.resize(start + need.max(16), 0);
            let (result, read, written, replaced) = decoder.decode_to_utf8(src, &mut out[start..], last);
            out.truncate(start + written);
            self.malformed |= replaced;
            src = &src[read..];
            if result == encoding_rs::CoderResult::InputEmpty {
                break;
            }
        }
    }
}

/// Picks an encoding from the bytes starting at the first non-ASCII byte.
fn detect(bytes: &[u8], at_start: bool, complete: bool) -> TextEncoding {
    if at_start {
        if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            return TextEncoding::Utf8Bom;
        }
        if bytes.starts_with(&[0xFF, 0xFE]) {
            return TextEncoding::Utf16Le;
        }
        if bytes.starts_with(&[0xFE, 0xFF]) {
            return TextEncoding::Utf16Be;
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => TextEncoding::Utf8,
        // An incomplete sequence cut off at the window's end is still UTF-8.
        Err(e) if e.error_len().is_none() && !complete => TextEncoding::Utf8,
        Err(_) => TextEncoding::Gbk,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_chunks(bytes: &[u8], chunk: usize) -> (String, TextEncoding) {
        let mut d = TextDecoder::new(None);
        let mut out = Vec::new();
        for c in bytes.chunks(chunk.max(1)) {
            d.push(c, &mut out);
        }
        d.finish(&mut out);
        (String::from_utf8(out).unwrap(), d.encoding().unwrap())
    }

    #[test]
    fn detects_each_encoding_at_any_chunk_size() {
        let text = "会员编号,金额\n00123,¥1,234.50\n";
        let (gbk, _, _) = GB18030.encode(text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let cases: [(&[u8], TextEncoding); 5] = [
            (text.as_bytes(), TextEncoding::Utf8),
            (&bom, TextEncoding::Utf8Bom),
            (&gbk, TextEncoding::Gbk),
            (&le, TextEncoding::Utf16Le),
            (&be, TextEncoding::Utf16Be),
        ];
        for (bytes, want) in cases {
            for chunk in [1, 2, 3, 7, 4096, 1 << 20] {
                assert_eq!(decode_in_chunks(bytes, chunk), (text.to_string(), want), "{want:?} chunk {chunk}");
            }
        }
    }

    #[test]
    fn gbk_after_a_long_ascii_prefix() {
        let mut text = "id,amount\n".to_string();
        for i in 0..10_000 {
            text.push_str(&format!("{i},1\n"));
        }
        text.push_str("99,美妆\n");
        let (gbk, _, _) = GB18030.encode(&text);
        assert_eq!(decode_in_chunks(&gbk, 1000), (text, TextEncoding::Gbk));
    }
}
