//! JSON Lines: one JSON object per line. The first object's keys are the header; later objects are read by key.

use super::row::OwnedRow;

/// A push reader of JSON Lines over UTF-8 text.
#[derive(Default)]
pub struct JsonlReader {
    partial: Vec<u8>,
    line: u64,
    keys: Vec<String>,
    /// Lines that were not a JSON object, with their line numbers (the first few).
    pub bad_lines: Vec<(u64, String)>,
    /// How many lines were not a JSON object.
    pub bad_count: u64,
}

impl JsonlReader {
    /// An empty reader.
    pub fn new() -> JsonlReader {
        JsonlReader::default()
    }

    /// Feeds UTF-8 text; calls `on_row` with the header row (once) and each object's values in header order.
    pub fn push(&mut self, text: &[u8], on_row: &mut dyn FnMut(&OwnedRow)) {
        self.partial.extend_from_slice(text);
        let mut start = 0;
        while let Some(pos) = self.partial[start..].iter().position(|&b| b == b'\n') {
            let end = start + pos;
            let line = self.partial[start..end].to_vec();
            self.handle(&line, on_row);
            start = end + 1;
        }
        self.partial.drain(..start);
    }

    /// Ends the input.
    pub fn finish(&mut self, on_row: &mut dyn FnMut(&OwnedRow)) {
        let rest = std::mem::take(&mut self.partial);
        if !rest.is_empty() {
            self.handle(&rest, on_row);
        }
    }

    fn handle(&mut self, bytes: &[u8], on_row: &mut dyn FnMut(&OwnedRow)) {
        self.line += 1;
        let text = String::from_utf8_lossy(bytes);
        let t = text.trim();
        if t.is_empty() {
            return;
        }
        let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(t) else {
            self.bad_count += 1;
            if self.bad_lines.len() < 20 {
                self.bad_lines.push((self.line, t.chars().take(100).collect()));
            }
            return;
        };
        if self.keys.is_empty() {
            self.keys = map.keys().cloned().collect();
            on_row(&OwnedRow { line: self.line, cells: self.keys.clone() });
        }
        let cells = self.keys.iter().map(|k| map.get(k).map_or(String::new(), cell_text)).collect();
        on_row(&OwnedRow { line: self.line, cells });
    }
}

fn cell_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_become_rows_in_header_order() {
        let mut r = JsonlReader::new();
        let mut rows = Vec::new();
        let text = "{\"id\":\"00101\",\"amount\":12.5}\n\n{\"amount\":3,\"id\":\"00102\",\"extra\":true}\nnot json\n{\"id\":null}";
        for c in text.as_bytes().chunks(4) {
            r.push(c, &mut |row| rows.push(row.clone()));
        }
        r.finish(&mut |row| rows.push(row.clone()));
        let cells: Vec<Vec<String>> = rows.iter().map(|r| r.cells.clone()).collect();
        assert_eq!(cells, vec![vec!["id", "amount"], vec!["00101", "12.5"], vec!["00102", "3"], vec!["", ""]]);
        assert_eq!(rows[2].line, 3);
        assert_eq!(r.bad_lines, vec![(4, "not json".to_string())]);
    }
}
