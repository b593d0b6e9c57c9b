//! A command's output as the run pane keeps it: bounded lines, `\r` overwriting its line, and only
//! colour (SGR) escape sequences kept; every other control sequence is dropped.

use std::collections::VecDeque;

use crate::docker::Stream;

/// Default number of lines kept per command.
pub const DEFAULT_MAX_LINES: usize = 10_000;

/// One line of output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutLine {
    /// Stream it came from.
    pub stream: Stream,
    /// Text with SGR colour sequences only.
    pub text: String,
}

/// Output of one command.
#[derive(Debug, Clone)]
pub struct OutputBuffer {
    lines: VecDeque<OutLine>,
    partial: Option<OutLine>,
    pending_escape: String,
    max_lines: usize,
    dropped: usize,
}

impl Default for OutputBuffer {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINES)
    }
}

impl OutputBuffer {
    /// An empty buffer keeping at most `max_lines` lines.
    pub fn new(max_lines: usize) -> Self {
        Self { lines: VecDeque::new(), partial: None, pending_escape: String::new(), max_lines: max_lines.max(1), dropped: 0 }
    }

    /// Appends `text` from `stream`; returns how many complete lines were added.
    pub fn push(&mut self, stream: Stream, text: &str) -> usize {
        let joined;
        let text = if self.pending_escape.is_empty() {
            text
        } else {
            joined = std::mem::take(&mut self.pending_escape) + text;
            joined.as_str()
        };
        let bytes = text.as_bytes();
        let mut added = 0;
        let mut i = 0;
        while i < bytes.len() {
            // Fast path: a run of printable text goes in at once.
            let start = i;
            while i < bytes.len() && is_plain(bytes, i) {
                i += 1;
            }
            if i > start {
                let p = self.partial_mut(stream);
                if p.text.ends_with('\r') {
                    p.text.clear();
                }
                p.text.push_str(&text[start..i]);
                continue;
            }
            match bytes[i] {
                b'\n' => {
                    self.commit(stream);
                    added += 1;
                    i += 1;
                }
                b'\r' => {
                    i += 1;
                    if bytes.get(i) == Some(&b'\n') {
                        continue;
                    }
                    if i == bytes.len() {
                        // A lone `\r` at the end of a chunk: the next text overwrites the line.
                        self.partial_mut(stream).text.push('\r');
                    } else if let Some(p) = self.partial.as_mut() {
                        p.text.clear();
                    }
                }
                0x1b => match escape_len(&text[i..]) {
                    Some((len, keep)) => {
                        if keep {
                            self.partial_mut(stream).text.push_str(&text[i..i + len]);
                        }
                        i += len;
                    }
                    None => {
                        self.pending_escape = text[i..].to_string();
                        break;
                    }
                },
                b'\t' => {
                    let p = self.partial_mut(stream);
                    let col = visible_width(&p.text);
                    p.text.push_str(&" ".repeat(8 - col % 8));
                    i += 1;
                }
                _ => {
                    // Any other control character (C0, DEL, C1) is dropped.
                    i += text[i..].chars().next().map_or(1, char::len_utf8);
                }
            }
        }
        added
    }

    fn partial_mut(&mut self, stream: Stream) -> &mut OutLine {
        self.partial.get_or_insert_with(|| OutLine { stream, text: String::new() })
    }

    fn commit(&mut self, stream: Stream) {
        let mut line = self.partial.take().unwrap_or(OutLine { stream, text: String::new() });
        if line.text.ends_with('\r') {
            line.text.pop();
        }
        self.lines.push_back(line);
        while self.lines.len() > self.max_lines {
            self.lines.pop_front();
            self.dropped += 1;
        }
    }

    /// Complete lines plus the line being written, oldest first.
    pub fn lines(&self) -> impl Iterator<Item = &OutLine> {
        self.lines.iter().chain(self.partial.iter())
    }

    /// Number of lines [`lines`](Self::lines) yields.
    pub fn len(&self) -> usize {
        self.lines.len() + usize::from(self.partial.is_some())
    }

    /// Whether nothing was printed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lines dropped because of the bound.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// All text without colour sequences (for checking expectations).
    pub fn plain_text(&self) -> String {
        let mut s = String::new();
        for l in self.lines() {
            s.push_str(&strip_sgr(&l.text));
            s.push('\n');
        }
        s
    }
}

/// Whether byte `i` starts or continues printable text (not C0, DEL, or a C1 control `C2 80..9F`).
fn is_plain(b: &[u8], i: usize) -> bool {
    match b[i] {
        0x00..=0x1f | 0x7f => false,
        0xc2 => !matches!(b.get(i + 1), Some(0x80..=0x9f)),
        _ => true,
    }
}

/// Length in bytes of the escape sequence at the start of `s` (which starts with ESC) and whether
/// it is kept (SGR). `None` when the sequence is incomplete.
fn escape_len(s: &str) -> Option<(usize, bool)> {
    let b = s.as_bytes();
    match b.get(1)? {
        b'[' => {
            let end = b[2..].iter().position(|c| (0x40..=0x7e).contains(c))? + 2;
            let params_ok = b[2..end].iter().all(|c| c.is_ascii_digit() || *c == b';' || *c == b':');
            Some((end + 1, b[end] == b'm' && params_ok))
        }
        b']' | b'P' | b'X' | b'^' | b'_' => {
            // String sequences end with BEL or ST (ESC \).
            let mut i = 2;
            while i < b.len() {
                if b[i] == 0x07 {
                    return Some((i + 1, false));
                }
                if b[i] == 0x1b && b.get(i + 1) == Some(&b'\\') {
                    return Some((i + 2, false));
                }
                i += 1;
            }
            None
        }
        c if (0x20..=0x2f).contains(c) => Some((3.min(b.len()), false)),
        _ => Some((1 + s[1..].chars().next().map_or(0, char::len_utf8), false)),
    }
}

/// `s` without SGR sequences.
pub fn strip_sgr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('\u{1b}') {
        out.push_str(&rest[..i]);
        match escape_len(&rest[i..]) {
            Some((len, _)) => rest = &rest[i + len..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn visible_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(strip_sgr(s).as_str())
}

/// Synthetic output like a build's, `lines` lines: colour, `\r` progress, accents and plain text.
/// Used by the benchmarks (`benches/`, `estiba ingest`) so both measure the same input.
pub fn sample_build_output(lines: usize) -> String {
    let mut s = String::with_capacity(lines * 64);
    for i in 0..lines {
        match i % 4 {
            0 => s.push_str(&format!("\u{1b}[32mStep {i}/{lines}\u{1b}[0m : RUN make -j2\n")),
            1 => s.push_str(&format!(" 10% |██      |\r 50% |████    |\r100% |████████| capa {i}\n")),
            2 => s.push_str("\u{1b}[1;31merror:\u{1b}[0m nada grave, solo una línea larga de compilador con acentos: canción\n"),
            _ => s.push_str(" ---> Running in 0123456789ab\n"),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(b: &OutputBuffer) -> Vec<String> {
        b.lines().map(|l| l.text.clone()).collect()
    }

    #[test]
    fn carriage_return_overwrites_the_line() {
        let mut b = OutputBuffer::default();
        b.push(Stream::Stdout, "10%\r20%\r");
        b.push(Stream::Stdout, "100%\nlisto\n");
        assert_eq!(texts(&b), ["100%", "listo"]);
        b.push(Stream::Stdout, "a\r\nb\n");
        assert_eq!(texts(&b), ["100%", "listo", "a", "b"]);
    }

    #[test]
    fn only_colour_sequences_survive() {
        let mut b = OutputBuffer::default();
        let hostile = "\u{1b}]52;c;aGFjaw==\u{7}\u{1b}]0;titulo\u{7}\u{1b}[?1049h\u{1b}[2J\u{1b}[H\u{1b}[31mrojo\u{1b}[0m\u{7}\n";
        b.push(Stream::Stdout, hostile);
        assert_eq!(texts(&b), ["\u{1b}[31mrojo\u{1b}[0m"]);
        assert_eq!(b.plain_text(), "rojo\n");
    }

    #[test]
    fn escapes_split_across_chunks() {
        let mut b = OutputBuffer::default();
        b.push(Stream::Stdout, "a\u{1b}[3");
        b.push(Stream::Stdout, "2mverde\u{1b}]0;x");
        b.push(Stream::Stdout, "\u{7}!\n");
        assert_eq!(texts(&b), ["a\u{1b}[32mverde!"]);
    }

    #[test]
    fn bounded() {
        let mut b = OutputBuffer::new(3);
        for i in 0..10 {
            b.push(Stream::Stderr, &format!("{i}\n"));
        }
        assert_eq!(texts(&b), ["7", "8", "9"]);
        assert_eq!(b.dropped(), 7);
    }

    #[test]
    fn tabs_expand() {
        let mut b = OutputBuffer::default();
        b.push(Stream::Stdout, "CapEff:\t0000\n");
        assert_eq!(texts(&b), ["CapEff: 0000"]);
    }
}
