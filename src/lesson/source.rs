//! Source text normalisation and byte-offset → line/column mapping.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Normalises a lesson file so that CRLF, lone CR and decomposed accents (NFD) give the same text as a
/// clean file: line endings become `\n`, text becomes NFC, and a leading BOM is dropped.
pub fn normalize(raw: &str) -> String {
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let unix = if raw.contains('\r') { raw.replace("\r\n", "\n").replace('\r', "\n") } else { raw.to_string() };
    // Most files are NFC already: the quick check spares composing them again.
    if is_nfc_quick(unix.chars()) == IsNormalized::Yes { unix } else { unix.nfc().collect() }
}

/// Maps byte offsets of a normalised text to 1-based line and column (in characters).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Builds the index of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// 1-based line of byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// 1-based (line, column) of byte `offset` in `text`.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let column = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line.saturating_sub(1)).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_and_nfd_normalise_to_clean_text() {
        let nfd = "Introduccio\u{301}n\r\nlínea\rfin";
        assert_eq!(normalize(nfd), "Introducción\nlínea\nfin");
    }

    #[test]
    fn positions_count_characters() {
        let text = "ab\nñx y\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (1, 1));
        let y = text.find('y').unwrap();
        assert_eq!(idx.position(text, y), (2, 4));
    }
}
