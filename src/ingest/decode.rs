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
    /// UTF-8 read without encoding_rs: each chunk is checked once and appended as it is. `head` is false until the
    /// first three bytes have been seen (a byte-order mark there is dropped); `carry` holds those bytes, or the
    /// first bytes of a character cut by the end of a chunk. The first invalid byte hands the rest of the text
    /// to encoding_rs (which replaces it with U+FFFD), so the output is the same as decoding it all there.
    Utf8 {
        head: bool,
        carry: Vec<u8>,
    },
}

/// The UTF-8 byte-order mark.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

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
        self.state = match enc {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => State::Utf8 { head: false, carry: Vec::new() },
            // BOM sniffing strips the mark of the matching encoding.
            _ => State::Decoding { decoder: enc.encoding().new_decoder_with_bom_removal() },
        };
    }

    /// Decodes a chunk, appending UTF-8 to `out`. Only whole characters are appended (a character cut by the
    /// chunk's end waits for its other bytes), so `out` stays valid text.
    pub fn push(&mut self, bytes: &[u8], out: &mut String) {
        self.feed(bytes, false, out);
    }

    /// Decides the encoding from what has arrived so far (for a preview of a file's first bytes).
    pub fn decide_now(&mut self, out: &mut String) {
        if let State::Sniffing { pending, seen } = &mut self.state {
            let pending = std::mem::take(pending);
            let enc = detect(&pending, *seen == 0, false);
            self.start(enc);
            self.feed(&pending, false, out);
        }
    }

    /// Flushes what is left at the end of the input.
    pub fn finish(&mut self, out: &mut String) {
        self.feed(&[], true, out);
    }

    fn feed(&mut self, bytes: &[u8], last: bool, out: &mut String) {
        if let State::Sniffing { pending, seen } = &mut self.state {
            if pending.is_empty() {
                let ascii = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(bytes.len());
                // A leading NUL byte hints at UTF-16 without a mark; leave that to the full decision.
                if *seen > 0 || ascii > 0 {
                    out.push_str(std::str::from_utf8(&bytes[..ascii]).unwrap_or_default());
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
        if let State::Utf8 { .. } = self.state {
            return self.feed_utf8(bytes, last, out);
        }
        let State::Decoding { decoder } = &mut self.state else { unreachable!("decoding state was set above") };
        let mut src = bytes;
        loop {
            let need = decoder.max_utf8_buffer_length(src.len()).unwrap_or(src.len() * 3 + 16);
            out.reserve(need.max(16));
            let (result, read, replaced) = decoder.decode_to_string(src, out, last);
            self.malformed |= replaced;
            src = &src[read..];
            if result == encoding_rs::CoderResult::InputEmpty {
                break;
            }
        }
    }

    /// The UTF-8 path (see [`State::Utf8`]).
    fn feed_utf8(&mut self, mut bytes: &[u8], last: bool, out: &mut String) {
        let State::Utf8 { head, carry } = &mut self.state else { unreachable!("called in the UTF-8 state") };
        if !*head {
            let n = (3 - carry.len()).min(bytes.len());
            carry.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            // Bytes that may still become a byte-order mark wait for the rest (as encoding_rs's decoder does).
            if carry.len() < 3 && !last && BOM.starts_with(carry) {
                return;
            }
            *head = true;
            if carry.starts_with(&BOM) {
                carry.drain(..3);
            }
        }
        // A character cut by the last chunk's end takes its other bytes from this one (at most three).
        while !bytes.is_empty() && matches!(std::str::from_utf8(carry), Err(e) if e.error_len().is_none()) {
            carry.push(bytes[0]);
            bytes = &bytes[1..];
        }
        let carried = std::mem::take(carry);
        let carried_last = last && bytes.is_empty();
        if !carried.is_empty() && !self.check_utf8(&carried, carried_last, out) {
            if !carried_last {
                self.feed(bytes, last, out);
            }
            return;
        }
        if !bytes.is_empty() || last {
            self.check_utf8(bytes, last, out);
        }
    }

    /// Appends `input` (which starts at a character's start) if it is valid UTF-8, keeping a character cut at
    /// its end back unless `last`. At the first invalid byte, the rest goes to encoding_rs for good; returns
    /// whether the UTF-8 path is still in use.
    fn check_utf8(&mut self, input: &[u8], last: bool, out: &mut String) -> bool {
        let e = match std::str::from_utf8(input) {
            Ok(text) => {
                out.push_str(text);
                return true;
            }
            Err(e) => e,
        };
        let (valid, rest) = input.split_at(e.valid_up_to());
        out.push_str(std::str::from_utf8(valid).unwrap_or_default());
        if e.error_len().is_none() && !last {
            if let State::Utf8 { carry, .. } = &mut self.state {
                carry.extend_from_slice(rest);
            }
            return true;
        }
        // The text so far ended on a character boundary, so a fresh decoder continues exactly where it stopped.
        self.state = State::Decoding { decoder: UTF_8.new_decoder_without_bom_handling() };
        self.feed(rest, last, out);
        false
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
    let (valid, invalid) = utf8_votes(bytes, complete);
    // GBK text almost never forms valid multi-byte UTF-8, so a window that does, bar a few bytes, is UTF-8 with
    // some damage (read with the bad bytes replaced and reported), not GBK (which would turn every character,
    // headers included, into mojibake).
    if invalid == 0 || (valid >= 8 && invalid * 20 <= valid) {
        TextEncoding::Utf8
    } else {
        TextEncoding::Gbk
    }
}

/// The non-ASCII characters of `bytes` that are valid UTF-8, and the invalid sequences (an incomplete sequence
/// cut off at the window's end counts as neither unless the input is complete).
fn utf8_votes(mut bytes: &[u8], complete: bool) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(text) => return (valid + text.chars().filter(|c| !c.is_ascii()).count(), invalid),
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                valid += std::str::from_utf8(good).map_or(0, |t| t.chars().filter(|c| !c.is_ascii()).count());
                match e.error_len() {
                    Some(n) => {
                        invalid += 1;
                        bytes = &rest[n..];
                    }
                    None => return (valid, invalid + usize::from(complete)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_chunks(bytes: &[u8], chunk: usize) -> (String, TextEncoding) {
        let mut d = TextDecoder::new(None);
        let mut out = String::new();
        for c in bytes.chunks(chunk.max(1)) {
            d.push(c, &mut out);
        }
        d.finish(&mut out);
        (out, d.encoding().unwrap())
    }

    #[test]
    fn utf8_with_a_few_bad_bytes_stays_utf8_and_gbk_stays_gbk() {
        let mut bytes = "会员编号,姓名,城市\n".as_bytes().to_vec();
        for i in 0..50 {
            bytes.extend_from_slice(format!("M{i:03},张伟,上海\n").as_bytes());
        }
        // Two stray bytes (a cell cut in a Latin-1 editor, say).
        bytes.extend_from_slice(b"M999,\xE9t\xE9,x\n");
        let (text, enc) = decode_in_chunks(&bytes, 4096);
        assert_eq!(enc, TextEncoding::Utf8);
        assert!(text.starts_with("会员编号,姓名,城市\n"), "headers read as UTF-8");
        assert_eq!(text.matches('\u{FFFD}').count(), 2, "the bad bytes replaced");
        let (gbk, _, _) = GB18030.encode("会员编号,姓名,城市\nM001,张伟,上海\n");
        assert_eq!(decode_in_chunks(&gbk, 4096).1, TextEncoding::Gbk);
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

    /// Decodes `bytes` as UTF-8 in chunks of the given sizes (cycled), returning the text and the malformed flag.
    fn utf8_in_chunks(bytes: &[u8], forced: Option<TextEncoding>, chunks: &[usize]) -> (String, bool) {
        let mut d = TextDecoder::new(forced);
        let (mut out, mut at, mut i) = (String::new(), 0, 0);
        while at < bytes.len() {
            let n = chunks[i % chunks.len()].max(1).min(bytes.len() - at);
            d.push(&bytes[at..at + n], &mut out);
            at += n;
            i += 1;
        }
        d.finish(&mut out);
        (out, d.had_malformed())
    }

    /// What encoding_rs makes of the whole input at once (the decoder the UTF-8 path stands in for).
    fn utf8_reference(bytes: &[u8]) -> (String, bool) {
        let mut decoder = UTF_8.new_decoder_with_bom_removal();
        let mut out = String::with_capacity(bytes.len() * 3 + 16);
        let (_, _, replaced) = decoder.decode_to_string(bytes, &mut out, true);
        (out, replaced)
    }

    #[test]
    fn utf8_path_agrees_with_encoding_rs_on_awkward_bytes() {
        let cases: [&[u8]; 8] = [
            b"\xEF\xBB\xBFa,b\n",
            b"\xEF\xBB",
            b"\xEF\xBBx\xEF\xBB\xBF",
            "会员,编号\n".as_bytes(),
            b"ok\xE4\xBC",
            b"a\xFFb\xC3\xA9\xE4\xBC\x9A\xF0\x9F\x98\x80",
            b"\xC3",
            b"",
        ];
        for bytes in cases {
            for chunks in [&[1][..], &[2], &[3, 1], &[4096]] {
                assert_eq!(utf8_in_chunks(bytes, Some(TextEncoding::Utf8), chunks), utf8_reference(bytes), "{bytes:?} {chunks:?}");
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn utf8_path_agrees_with_encoding_rs(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                &b"a"[..], b",", b"\n", "会".as_bytes(), "é".as_bytes(), "😀".as_bytes(), b"\xEF\xBB\xBF", b"\xE4", b"\xBC",
                b"\xFF", b"\xC3", b"\xF0\x9F",
            ]), 0..40),
            chunks in proptest::collection::vec(1usize..9, 1..4),
            detect in proptest::bool::ANY,
        ) {
            let bytes = parts.concat();
            let forced = if detect { None } else { Some(TextEncoding::Utf8) };
            let (text, malformed) = utf8_in_chunks(&bytes, forced, &chunks);
            if forced.is_some() {
                proptest::prop_assert_eq!((text, malformed), utf8_reference(&bytes));
            } else if std::str::from_utf8(&bytes).is_ok() {
                // Detection may pick GB18030 for text that is not UTF-8. UTF-8 text passes its ASCII start through
                // and decodes the rest from the first other byte on (a mark there is dropped, as it always was).
                let k = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(bytes.len());
                let want = format!("{}{}", std::str::from_utf8(&bytes[..k]).unwrap(), utf8_reference(&bytes[k..]).0);
                proptest::prop_assert_eq!(text, want);
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
